//! Role-based access control as the tenant keeps it (facts `auth0-users.md` §6, DOC-rbac):
//! roles, who holds them, a user's effective permissions, and what RBAC does to a user token's
//! scope and `permissions` claim for every grant that issues one.

use serde_json::{Value, json};

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::model::{Rbac, Role, RoleKind};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::mgmt_error::MgmtError;

/// A role as the Management API prints it: `id`, `name`, `description`, `type`, then `owner_id`
/// for an organization's role (`type` and `owner_id` only from the 2026-08 `era` on). obs (terraform-provider-auth0 test/data/recordings/TestAccRole.yaml,
/// TestAccRoleOrganizationLevel.yaml, TestAccDataSourceOrganizationRole.yaml, 2026, the newest
/// era; go-auth0 v1 TestRoleManager_* of 2023 had no `type`): GET, PATCH and the `/roles` list
/// all carry `type`. inf: `/users/{id}/roles` lists the same view (its newest recording,
/// TestAccDataSourceUser.yaml of 2025, predates `type`).
pub(crate) fn role_json(role: &Role, era: WireEra) -> Value {
    let mut body = json!({"id": role.id, "name": role.name, "description": role.description});
    if !era.role_type() {
        return body;
    }
    match &role.kind {
        RoleKind::Tenant => body["type"] = "tenant".into(),
        RoleKind::Organization { owner_id } => {
            body["type"] = "organization".into();
            if let Some(owner_id) = owner_id {
                body["owner_id"] = owner_id.clone().into();
            }
        }
    }
    body
}

/// Adds the role `name` with a fresh `rol_` id and answers its JSON; a taken name is the
/// provider's 409. `POST /roles` goes through it, and so does a conformance scenario that needs a
/// role to exist (as the tenant's administrator would create it in the dashboard).
///
/// A role created without a description reads back `"description":""`, but the create's own
/// answer has no `description` key. obs (terraform-provider-auth0
/// test/data/recordings/TestAccRole.yaml and TestAccRoleTypeAndOwnerIDAreCreateOnly.yaml, 2026:
/// `{"id":…,"name":…,"type":"tenant"}`; the 2026-04 TestAccOrganizationMemberRole.yaml answered
/// `"description":null`, as the tenant answers in an older `era`).
pub(crate) fn add_role(
    state: &mut TenantState,
    name: String,
    description: Option<String>,
    kind: RoleKind,
) -> Result<Value, MgmtError> {
    if state.rbac.roles.iter().any(|r| r.name == name) {
        return Err(MgmtError::RoleExists { name });
    }
    let suffix = random_alnum(&mut state.rng, 16);
    let role = Role {
        id: format!("rol_{suffix}"),
        name,
        description: description.clone().unwrap_or_default(),
        kind,
        permissions: Vec::new(),
    };
    let mut body = role_json(&role, state.era);
    if description.is_none()
        && let Some(fields) = body.as_object_mut()
    {
        if state.era.role_type() {
            fields.shift_remove("description");
        } else {
            fields.insert("description".into(), Value::Null);
        }
    }
    let gone = state.rbac.roles.push(role);
    // A role evicted to make room takes its memberships along.
    if !gone.is_empty() {
        state
            .rbac
            .members
            .retain(|(_, role)| !gone.iter().any(|r| r.id == *role));
        for role in &gone {
            state.organizations.forget_role(&role.id);
        }
    }
    Ok(body)
}

/// The user's permissions on `api`, direct and through roles, sorted and without repeats.
pub(crate) fn effective_permissions(state: &TenantState, user_id: &str, api: &str) -> Vec<String> {
    permissions_through(state, user_id, api, state.rbac.roles_of(user_id))
}

/// The user's permissions on `api` in a login through `org_id`: the roles held in that
/// organization stand for the tenant-level ones (doc: DOC-org using-tokens "The permissions
/// reflect only the roles held within the active Organization"); the user's direct permissions
/// stay (inf: the docs speak of roles only). Sorted, without repeats.
fn organization_permissions(state: &TenantState, user_id: &str, org_id: &str, api: &str) -> Vec<String> {
    let roles = state.organization_role_ids(org_id, user_id);
    let held = state.rbac.roles.iter().filter(|r| roles.contains(&r.id));
    permissions_through(state, user_id, api, held)
}

/// The user's direct permissions on `api` and those of `roles`, sorted and without repeats.
fn permissions_through<'a>(
    state: &'a TenantState,
    user_id: &str,
    api: &str,
    roles: impl Iterator<Item = &'a Role>,
) -> Vec<String> {
    let mut names: Vec<String> = state
        .rbac
        .user_permissions
        .iter()
        .filter(|(u, a, _)| u == user_id && a == api)
        .map(|(_, _, name)| name.clone())
        .chain(
            roles
                .flat_map(|r| r.permissions.iter())
                .filter(|(a, _)| a == api)
                .map(|(_, name)| name.clone()),
        )
        .collect();
    names.sort();
    names.dedup();
    names
}

/// What RBAC does to a user token for `audience`: the scope it keeps (requested scopes the user
/// holds, plus the OpenID ones) and, with "Add Permissions in the Access Token", the
/// `permissions` claim (doc: DOC-rbac).
pub(crate) fn apply_rbac(
    state: &TenantState,
    user_id: &str,
    audience: Option<&str>,
    scope: &str,
) -> (String, Option<Vec<String>>) {
    apply_rbac_in(state, user_id, None, audience, scope)
}

/// [`apply_rbac`] for a login through `organization`, whose member roles grant the permissions.
pub(crate) fn apply_rbac_in(
    state: &TenantState,
    user_id: &str,
    organization: Option<&str>,
    audience: Option<&str>,
    scope: &str,
) -> (String, Option<Vec<String>>) {
    let Some(api) = audience.and_then(|aud| state.apis.iter().find(|a| a.identifier == aud)) else {
        return (scope.to_owned(), None);
    };
    if !api.rbac {
        return (scope.to_owned(), None);
    }
    let held = match organization {
        Some(org) => organization_permissions(state, user_id, org, &api.identifier),
        None => effective_permissions(state, user_id, &api.identifier),
    };
    const OPENID: &[&str] = &["openid", "profile", "email", "offline_access"];
    let kept: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| OPENID.contains(s) || held.iter().any(|h| h == s))
        .collect();
    (kept.join(" "), api.permissions_in_token.then_some(held))
}

/// Refuses permissions naming an API the tenant does not have: the API is named by its
/// identifier, one of the tenant's APIs or its Management API (whose identifier
/// [`Tenant::is_management_audience`] knows). The first unknown one is the provider's 404.
pub(crate) fn require_apis(
    tenant: &Tenant,
    state: &TenantState,
    permissions: &[(String, String)],
) -> Result<(), MgmtError> {
    let known = |identifier: &str| {
        state.apis.iter().any(|a| a.identifier == identifier) || tenant.is_management_audience(identifier)
    };
    match permissions.iter().find(|(api, _)| !known(api)) {
        Some((api, _)) => Err(MgmtError::PermissionApiNotFound {
            identifier: api.clone(),
        }),
        None => Ok(()),
    }
}

/// Renames the role at `index` and changes its description, each when given; a name another
/// role has is the provider's 409.
pub(crate) fn update_role(
    state: &mut TenantState,
    index: usize,
    name: Option<String>,
    description: Option<String>,
) -> Result<&Role, MgmtError> {
    if let Some(name) = &name
        && state
            .rbac
            .roles
            .iter()
            .enumerate()
            .any(|(i, r)| i != index && r.name == *name)
    {
        return Err(MgmtError::RoleExists { name: name.clone() });
    }
    let role = &mut state.rbac.roles[index];
    if let Some(name) = name {
        role.name = name;
    }
    if let Some(description) = description {
        role.description = description;
    }
    Ok(role)
}

/// Deletes the role at `index` with its memberships, in the tenant and in every organization.
pub(crate) fn delete_role(state: &mut TenantState, index: usize) {
    let id = state.rbac.roles[index].id.clone();
    state.rbac.delete_role(index);
    state.organizations.forget_role(&id);
}

/// The changes the Management API makes to roles, memberships and permissions, each keeping the
/// store's rules: a permission or a membership is held once; a deleted role takes its
/// memberships along.
impl Rbac {
    /// The roles `user_id` is a member of, in creation order.
    pub(crate) fn roles_of<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a Role> + 'a {
        self.roles
            .iter()
            .filter(move |r| self.members.iter().any(|(u, id)| u == user_id && *id == r.id))
    }

    /// Deletes the role at `index`, with its memberships.
    pub(crate) fn delete_role(&mut self, index: usize) {
        let role = self.roles.remove(index);
        self.members.retain(|(_, id)| *id != role.id);
    }

    /// Gives the role at `index` each (API, permission) it lacks.
    pub(crate) fn grant_role(&mut self, index: usize, permissions: Vec<(String, String)>) {
        let role = &mut self.roles[index];
        for entry in permissions {
            if !role.permissions.contains(&entry) {
                role.permissions.push(entry);
            }
        }
    }

    /// Takes `permissions` from the role at `index`.
    pub(crate) fn revoke_role(&mut self, index: usize, permissions: &[(String, String)]) {
        self.roles[index]
            .permissions
            .retain(|entry| !permissions.contains(entry));
    }

    /// Makes `user_id` a member of each of `roles` it is not in yet.
    pub(crate) fn assign(&mut self, user_id: &str, roles: Vec<String>) {
        for role in roles {
            let entry = (user_id.to_owned(), role);
            if !self.members.contains(&entry) {
                self.members.push(entry);
            }
        }
    }

    /// Takes `user_id` out of `roles`.
    pub(crate) fn unassign(&mut self, user_id: &str, roles: &[String]) {
        self.members.retain(|(u, role)| u != user_id || !roles.contains(role));
    }

    /// Gives `user_id` each direct (API, permission) it lacks.
    pub(crate) fn grant_user(&mut self, user_id: &str, permissions: Vec<(String, String)>) {
        for (api, name) in permissions {
            let entry = (user_id.to_owned(), api, name);
            if !self.user_permissions.contains(&entry) {
                self.user_permissions.push(entry);
            }
        }
    }

    /// Takes the direct `permissions` from `user_id`.
    pub(crate) fn revoke_user(&mut self, user_id: &str, permissions: &[(String, String)]) {
        self.user_permissions
            .retain(|(u, api, name)| u != user_id || !permissions.iter().any(|(a, n)| a == api && n == name));
    }
}
