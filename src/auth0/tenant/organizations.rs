//! Organizations as the tenant keeps them (facts `auth0-mfa-orgs.md` Part B, `auth0-users.md`
//! §9): the organizations with their members, member roles and enabled connections, and the
//! invitations; the operations the Management API and the logins share, each keeping the rules:
//! names unique, a member or a connection held once, at most 50 roles per member, every store
//! bounded (organizations and invitations oldest first, members per organization oldest first,
//! invitations also by their expiry on the tenant clock), and nothing left pointing at a deleted
//! user, role, connection, application or organization.

use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

use crate::auth0::tenant::applications::OrganizationUsage;
use crate::auth0::tenant::bounds;
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::model::{Client, ClientGrant};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::format::{in_key_order, timestamp};
use crate::auth0::wire::login_error::CallbackError;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::auth0::wire::organizations::{
    self as text, MEMBER_ROLE_LIMIT, OrgError, READ_ORDER, checkpoint, invitation_url,
};
use crate::core::bounded::BoundedList;

pub(crate) mod records;

pub use records::{EnabledConnection, Invitation, Member, Organization, Organizations};

/// An invitation's lifetime when none is asked for: 7 days (doc: OAS-mgmt `ttl_sec`, obs: go-auth0
/// v1 TestOrganizationManager_CreateInvitation.yaml, `expires_at` 7 days after `created_at`).
pub const DEFAULT_INVITATION_TTL: i64 = 604_800;

/// What the Management API and the logins read and change of the organizations.
impl TenantState {
    pub fn organizations(&self) -> &Organizations {
        &self.organizations
    }

    /// Whether `/authorize` may name an organization by its name (tenant setting
    /// `allow_organization_name_in_authentication_api`, doc: DOC-org use-org-name).
    pub fn organization_names_in_login(&self) -> bool {
        self.settings
            .get("allow_organization_name_in_authentication_api")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// A new organization as `POST /organizations` sends it: its properties in request order.
pub(crate) struct NewOrganization {
    pub body: Map<String, Value>,
}

/// The stored form of the properties an organization body sets (the schema has checked them):
/// `token_quota` normalised to `per_hour`, `per_day`, `enforce` (obs: REC-tf
/// TestAccOrganizationTokenQuota.yaml, GET and PATCH).
fn stored(key: &str, value: &Value) -> Value {
    if key != "token_quota" {
        return value.clone();
    }
    let mut quota = value.clone();
    if let Some(Value::Object(cc)) = quota.get_mut("client_credentials") {
        *cc = in_key_order(std::mem::take(cc), &["per_hour", "per_day", "enforce"]);
    }
    quota
}

/// Creates an organization: the name free, each enabled connection a connection of the tenant.
/// The answer is in the era's order (the request's keys then `id` before 2024-06).
pub(crate) fn create(
    state: &mut TenantState,
    request: NewOrganization,
    now: OffsetDateTime,
) -> Result<Value, MgmtError> {
    let mut body = request.body;
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    if state.organizations.by_name(&name).is_some() {
        return Err(OrgError::NameExists { name }.into());
    }
    let mut connections = Vec::new();
    if let Some(Value::Array(items)) = body.get("enabled_connections") {
        for item in items {
            let connection = enabled_connection(state, item, None)?;
            if !connections
                .iter()
                .any(|c: &EnabledConnection| c.connection_id == connection.connection_id)
            {
                connections.push(connection);
            }
        }
    }
    let id = format!("org_{}", random_alnum(&mut state.rng, 16));
    let mut fields = Map::new();
    for (key, value) in &body {
        if !matches!(key.as_str(), "name" | "enabled_connections") && !value.is_null() {
            fields.insert(key.clone(), stored(key, value));
        }
    }
    let org = Organization {
        id: id.clone(),
        name,
        fields,
        created_at: now,
        members: BoundedList::new(bounds::MEMBERS_PER_ORGANIZATION),
        roles: BoundedList::new(bounds::MEMBER_ROLES_PER_ORGANIZATION),
        connections,
        client_grants: Vec::new(),
    };
    let era = state.era;
    let mut answer = if text::create_in_stored_order(era) {
        write_json(&org, era)
    } else {
        // obs: the request's keys as sent, then `id`.
        body.insert("id".into(), json!(id));
        body
    };
    if body_has_connections(&answer) || !org.connections.is_empty() {
        answer.insert(
            "enabled_connections".into(),
            Value::Array(org.connections.iter().map(|c| connection_json(state, c)).collect()),
        );
    }
    let gone = state.organizations.list.push(org);
    for org in gone {
        state.organizations.invitations.retain(|i| i.organization_id != org.id);
    }
    Ok(Value::Object(answer))
}

fn body_has_connections(body: &Map<String, Value>) -> bool {
    body.contains_key("enabled_connections")
}

/// Changes an organization: a PATCH replaces each property it sends (`metadata` whole, `{}`
/// removing it; `null` removing `branding`, `metadata` or `token_quota`; obs: REC-tf
/// TestAccOrganization.yaml, TestAccOrganizationTokenQuota.yaml).
pub(crate) fn update(state: &mut TenantState, id: &str, patch: Map<String, Value>) -> Result<Value, MgmtError> {
    let index = state.organizations.index(id)?;
    if let Some(name) = patch.get("name").and_then(Value::as_str)
        && state.organizations.list.iter().any(|o| o.name == name && o.id != id)
    {
        return Err(OrgError::NameExists { name: name.to_owned() }.into());
    }
    let org = &mut state.organizations.list[index];
    for (key, value) in patch {
        match (key.as_str(), &value) {
            ("name", Value::String(name)) => org.name = name.clone(),
            (_, Value::Null) => {
                org.fields.shift_remove(&key);
            }
            ("metadata", Value::Object(m)) if m.is_empty() => {
                org.fields.shift_remove(&key);
            }
            _ => {
                let value = stored(&key, &value);
                org.fields.insert(key, value);
            }
        }
    }
    Ok(Value::Object(write_json(&state.organizations.list[index], state.era)))
}

/// Deletes an organization with its members, connections and invitations; `false` when none
/// has that id.
pub(crate) fn delete(state: &mut TenantState, id: &str) -> bool {
    match state.organizations.index(id) {
        Ok(index) => {
            state.organizations.remove(index);
            true
        }
        Err(_) => false,
    }
}

/// The organization's properties with `id` and `name` and the era's defaults.
fn all_fields(org: &Organization, era: WireEra) -> Map<String, Value> {
    let mut all = Map::new();
    all.insert("id".into(), json!(org.id));
    all.insert("name".into(), json!(org.name));
    all.extend(org.fields.clone());
    for (key, value) in text::era_defaults(era) {
        if !all.contains_key(key) {
            all.insert(key.into(), value);
        }
    }
    all
}

/// An organization as a read prints it.
pub fn read_json(org: &Organization, era: WireEra) -> Value {
    Value::Object(in_key_order(all_fields(org, era), READ_ORDER))
}

/// An organization as a write (and `/users/{id}/organizations`) prints it.
pub fn write_json(org: &Organization, era: WireEra) -> Map<String, Value> {
    in_key_order(all_fields(org, era), text::write_order(era))
}

/// The index of the organization `id`, or the provider's 404.
pub(crate) fn index_of(state: &TenantState, id: &str) -> Result<usize, MgmtError> {
    state.organizations.index(id)
}

// ---- members ----

/// Makes each of `user_ids` a member (re-adding is a no-op, inf); an unknown user refuses the
/// whole request.
pub(crate) fn add_members(
    state: &mut TenantState,
    id: &str,
    user_ids: &[String],
    now: OffsetDateTime,
) -> Result<(), MgmtError> {
    let index = state.organizations.index(id)?;
    let unknown: Vec<String> = user_ids.iter().filter(|u| state.user(u).is_none()).cloned().collect();
    if !unknown.is_empty() {
        return Err(OrgError::UsersNotFound { ids: unknown }.into());
    }
    let org = &mut state.organizations.list[index];
    for user_id in user_ids {
        join(org, user_id, now);
    }
    Ok(())
}

fn join(org: &mut Organization, user_id: &str, now: OffsetDateTime) {
    if !org.members.iter().any(|m| m.user_id == user_id) {
        org.members.push(Member {
            user_id: user_id.to_owned(),
            since: now,
        });
    }
}

/// Takes `user_ids` out of the organization, with their roles there (inf: a membership's roles
/// go with it, as the docs' "remove members" says of their role assignments).
pub(crate) fn remove_members(state: &mut TenantState, id: &str, user_ids: &[String]) -> Result<(), MgmtError> {
    let index = state.organizations.index(id)?;
    let org = &mut state.organizations.list[index];
    org.members.retain(|m| !user_ids.contains(&m.user_id));
    org.roles.retain(|(u, _)| !user_ids.contains(u));
    Ok(())
}

/// A member as the members list prints it: `user_id`, `email`, `picture`, `name` (obs: go-auth0
/// v1 TestOrganizationManager_Members.yaml), and `roles` `[{id,name}]` when asked (obs:
/// auth0-users.md §9, `fields=user_id,roles`).
pub fn member_json(state: &TenantState, org: &Organization, member: &Member, with_roles: bool) -> Value {
    let mut body = Map::new();
    body.insert("user_id".into(), json!(member.user_id));
    if let Some(user) = state.user(&member.user_id) {
        body.insert("email".into(), json!(user.email));
        body.insert("picture".into(), json!(user.picture.to_string()));
        body.insert("name".into(), json!(user.name));
    }
    if with_roles {
        let roles: Vec<Value> = roles_of(org, &member.user_id)
            .filter_map(|r| state.rbac.roles.iter().find(|role| role.id == *r))
            .map(|r| json!({"id": r.id, "name": r.name}))
            .collect();
        body.insert("roles".into(), Value::Array(roles));
    }
    Value::Object(body)
}

/// The checkpoint token after `member`.
pub fn member_checkpoint(member: &Member) -> String {
    checkpoint(member.since, &member.user_id)
}

/// The checkpoint token after `org`.
pub fn organization_checkpoint(org: &Organization) -> String {
    checkpoint(org.created_at, &org.id)
}

/// The role ids `user_id` holds in `org`, in assignment order.
fn roles_of<'a>(org: &'a Organization, user_id: &'a str) -> impl Iterator<Item = &'a String> + 'a {
    org.roles.iter().filter(move |(u, _)| u == user_id).map(|(_, r)| r)
}

/// Gives `user_id` `roles` in the organization (each once, at most 50). The user need not be a
/// member yet: obs (go-auth0 v1 TestOrganizationManager_Members.yaml, 2023-01) roles assigned
/// before `POST …/members` answer 204 and show in the members list afterwards.
pub(crate) fn assign_member_roles(
    state: &mut TenantState,
    id: &str,
    user_id: &str,
    roles: &[String],
) -> Result<(), MgmtError> {
    let index = state.organizations.index(id)?;
    require_user(state, user_id)?;
    let unknown: Vec<String> = roles
        .iter()
        .filter(|r| !state.rbac.roles.iter().any(|role| role.id == **r))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(OrgError::RolesNotFound { ids: unknown }.into());
    }
    let org = &mut state.organizations.list[index];
    let held: Vec<String> = roles_of(org, user_id).cloned().collect();
    let mut new: Vec<&String> = roles.iter().filter(|r| !held.contains(r)).collect();
    new.dedup();
    if held.len() + new.len() > MEMBER_ROLE_LIMIT {
        return Err(OrgError::TooManyMemberRoles {
            user_id: user_id.to_owned(),
        }
        .into());
    }
    for role in new {
        org.roles.push((user_id.to_owned(), role.clone()));
    }
    Ok(())
}

/// inf: an unknown user in a member-roles path is the users API's own 404 (no recording has one).
fn require_user(state: &TenantState, user_id: &str) -> Result<(), MgmtError> {
    match state.user(user_id) {
        Some(_) => Ok(()),
        None => Err(MgmtError::UserNotFound {
            user_id: Some(user_id.to_owned()),
            email: None,
        }),
    }
}

/// Takes `roles` from `user_id` in the organization.
pub(crate) fn remove_member_roles(
    state: &mut TenantState,
    id: &str,
    user_id: &str,
    roles: &[String],
) -> Result<(), MgmtError> {
    let index = state.organizations.index(id)?;
    require_user(state, user_id)?;
    state.organizations.list[index]
        .roles
        .retain(|(u, r)| u != user_id || !roles.contains(r));
    Ok(())
}

/// `user_id`'s roles in the organization, as the role list prints them (`id`, `name`,
/// `description`; obs: go-auth0 v1 TestOrganizationManager_MemberRoles.yaml).
pub(crate) fn member_roles(state: &TenantState, id: &str, user_id: &str) -> Result<Vec<Value>, MgmtError> {
    let index = state.organizations.index(id)?;
    require_user(state, user_id)?;
    let org = &state.organizations.list[index];
    Ok(roles_of(org, user_id)
        .filter_map(|r| state.rbac.roles.iter().find(|role| role.id == *r))
        .map(|r| json!({"id": r.id, "name": r.name, "description": r.description}))
        .collect())
}

/// The members of `org` in the lists' order: by the time they joined, then by user id (obs:
/// go-auth0 v1 TestOrganizationManager_MembersCheckpointPagination.yaml, three users added in one
/// request come back ordered by id).
pub fn members_in_order(org: &Organization) -> Vec<&Member> {
    let mut members: Vec<&Member> = org.members.iter().collect();
    members.sort_by(|a, b| a.since.cmp(&b.since).then_with(|| a.user_id.cmp(&b.user_id)));
    members
}

// ---- enabled connections ----

/// An enabled connection from its request item (`connection_id` checked against the tenant),
/// over `base` for a PATCH.
fn enabled_connection(
    state: &TenantState,
    item: &Value,
    base: Option<&EnabledConnection>,
) -> Result<EnabledConnection, MgmtError> {
    let connection_id = match base {
        Some(base) => base.connection_id.clone(),
        None => item["connection_id"].as_str().unwrap_or_default().to_owned(),
    };
    let Some(connection) = state.connection_by_id(&connection_id) else {
        return Err(OrgError::ConnectionNotFound { connection_id }.into());
    };
    let database = connection.strategy == "auth0";
    let flag = |key: &str, default: bool| item.get(key).and_then(Value::as_bool).unwrap_or(default);
    let assign = flag(
        "assign_membership_on_login",
        base.is_some_and(|b| b.assign_membership_on_login),
    );
    let signup = item
        .get("is_signup_enabled")
        .and_then(Value::as_bool)
        .or(base.and_then(|b| b.is_signup_enabled));
    if signup == Some(true) && (!assign || !database) {
        return Err(OrgError::SignupNeedsMembership.into());
    }
    Ok(EnabledConnection {
        connection_id,
        assign_membership_on_login: assign,
        // obs: `show_as_button:true` when not sent (REC-goauth0 `_DBConnection`).
        show_as_button: flag("show_as_button", base.is_none_or(|b| b.show_as_button)),
        is_signup_enabled: signup.filter(|_| database),
    })
}

/// An enabled connection as printed: `connection_id`, `assign_membership_on_login`,
/// `is_signup_enabled` (database connections that have it), `show_as_button`, `connection`
/// `{name,strategy}` (obs: REC-goauth0 `_AddConnection`, `_DBConnection`).
pub fn connection_json(state: &TenantState, c: &EnabledConnection) -> Value {
    let mut body = Map::new();
    body.insert("connection_id".into(), json!(c.connection_id));
    body.insert("assign_membership_on_login".into(), json!(c.assign_membership_on_login));
    if let Some(signup) = c.is_signup_enabled {
        body.insert("is_signup_enabled".into(), json!(signup));
    }
    body.insert("show_as_button".into(), json!(c.show_as_button));
    if let Some(connection) = state.connection_by_id(&c.connection_id) {
        body.insert(
            "connection".into(),
            json!({"name": connection.name, "strategy": connection.strategy}),
        );
    }
    Value::Object(body)
}

/// Enables a connection for the organization.
pub(crate) fn add_connection(state: &mut TenantState, id: &str, item: &Value) -> Result<Value, MgmtError> {
    let index = state.organizations.index(id)?;
    let connection = enabled_connection(state, item, None)?;
    let org = &mut state.organizations.list[index];
    if org
        .connections
        .iter()
        .any(|c| c.connection_id == connection.connection_id)
    {
        return Err(OrgError::ConnectionAlreadyEnabled {
            connection_id: connection.connection_id,
        }
        .into());
    }
    org.connections.push(connection.clone());
    Ok(connection_json(state, &connection))
}

fn connection_at(state: &TenantState, id: &str, connection_id: &str) -> Result<(usize, usize), MgmtError> {
    let index = state.organizations.index(id)?;
    let at = state.organizations.list[index]
        .connections
        .iter()
        .position(|c| c.connection_id == connection_id)
        .ok_or_else(|| OrgError::ConnectionNotEnabled {
            connection_id: connection_id.to_owned(),
        })?;
    Ok((index, at))
}

/// One enabled connection.
pub(crate) fn get_connection(state: &TenantState, id: &str, connection_id: &str) -> Result<Value, MgmtError> {
    let (index, at) = connection_at(state, id, connection_id)?;
    Ok(connection_json(state, &state.organizations.list[index].connections[at]))
}

/// Changes an enabled connection's flags.
pub(crate) fn update_connection(
    state: &mut TenantState,
    id: &str,
    connection_id: &str,
    patch: &Value,
) -> Result<Value, MgmtError> {
    let (index, at) = connection_at(state, id, connection_id)?;
    let base = state.organizations.list[index].connections[at].clone();
    let changed = enabled_connection(state, patch, Some(&base))?;
    state.organizations.list[index].connections[at] = changed.clone();
    Ok(connection_json(state, &changed))
}

/// Disables a connection for the organization.
pub(crate) fn remove_connection(state: &mut TenantState, id: &str, connection_id: &str) -> Result<(), MgmtError> {
    let (index, at) = connection_at(state, id, connection_id)?;
    state.organizations.list[index].connections.remove(at);
    Ok(())
}

// ---- invitations ----

/// An invitation as `POST …/invitations` sends it.
pub(crate) struct NewInvitation {
    pub client_id: String,
    pub inviter: Value,
    pub invitee_email: String,
    pub ttl_sec: Option<i64>,
    /// `connection_id`, `roles`, `app_metadata`, `user_metadata` when sent.
    pub extra: Map<String, Value>,
}

/// Creates an invitation: the application exists and takes organizations, the connection and
/// roles exist, and a login route builds the link (the application's `initiate_login_uri`, else
/// the tenant's `default_redirection_uri`).
pub(crate) fn invite(
    state: &mut TenantState,
    id: &str,
    request: NewInvitation,
    now: OffsetDateTime,
) -> Result<Value, MgmtError> {
    let index = state.organizations.index(id)?;
    let client_id = request.client_id;
    let Some(client) = state.client(&client_id) else {
        return Err(OrgError::InvitationClientNotFound { client_id }.into());
    };
    if client.organization_usage == OrganizationUsage::Deny {
        return Err(OrgError::InvitationClientDeniesOrganizations { client_id }.into());
    }
    let login_uri = client.login_uri.clone().or_else(|| {
        state
            .settings
            .get("default_redirection_uri")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
    });
    if let Some(connection_id) = request.extra.get("connection_id").and_then(Value::as_str)
        && state.connection_by_id(connection_id).is_none()
    {
        return Err(OrgError::InvitationConnectionNotFound {
            connection_id: connection_id.to_owned(),
        }
        .into());
    }
    if let Some(Value::Array(roles)) = request.extra.get("roles") {
        let unknown: Vec<String> = roles
            .iter()
            .filter_map(Value::as_str)
            .filter(|r| !state.rbac.roles.iter().any(|role| role.id == *r))
            .map(str::to_owned)
            .collect();
        if !unknown.is_empty() {
            return Err(OrgError::RolesNotFound { ids: unknown }.into());
        }
    }
    let Some(login_uri) = login_uri else {
        return Err(OrgError::InvitationNoLoginRoute { client_id }.into());
    };
    let org = &state.organizations.list[index];
    let (org_id, org_name) = (org.id.clone(), org.name.clone());
    let ttl = match request.ttl_sec {
        Some(ttl) if ttl > 0 => ttl,
        _ => DEFAULT_INVITATION_TTL,
    };
    let ticket_id = random_alnum(&mut state.rng, 32);
    let invitation = Invitation {
        id: format!("uinv_{}", random_alnum(&mut state.rng, 16)),
        organization_id: org_id.clone(),
        client_id,
        inviter: request.inviter,
        invitee_email: request.invitee_email,
        extra: request.extra,
        invitation_url: invitation_url(&login_uri, &ticket_id, &org_id, &org_name),
        ticket_id,
        created_at: now,
        expires_at: now + Duration::seconds(ttl),
    };
    let body = invitation_json(&invitation);
    // Expired invitations go first, then the oldest.
    state.organizations.invitations.retain(|i| i.expires_at > now);
    state.organizations.invitations.push(invitation);
    Ok(body)
}

/// An invitation as printed (obs: go-auth0 v1 TestOrganizationManager_CreateInvitation.yaml;
/// inf: the optional properties before `invitation_url`).
pub fn invitation_json(i: &Invitation) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), json!(i.id));
    body.insert("client_id".into(), json!(i.client_id));
    body.insert("inviter".into(), i.inviter.clone());
    body.insert("invitee".into(), json!({"email": i.invitee_email}));
    body.extend(i.extra.clone());
    body.insert("invitation_url".into(), json!(i.invitation_url));
    body.insert("ticket_id".into(), json!(i.ticket_id));
    body.insert("created_at".into(), json!(timestamp(i.created_at)));
    body.insert("expires_at".into(), json!(timestamp(i.expires_at)));
    body.insert("organization_id".into(), json!(i.organization_id));
    Value::Object(body)
}

/// One live invitation of the organization.
pub(crate) fn invitation(
    state: &TenantState,
    id: &str,
    invitation_id: &str,
    now: OffsetDateTime,
) -> Result<Value, MgmtError> {
    state.organizations.index(id)?;
    state
        .organizations
        .invitations_of(id, now)
        .find(|i| i.id == invitation_id)
        .map(invitation_json)
        .ok_or_else(|| {
            OrgError::InvitationNotFound {
                id: invitation_id.to_owned(),
            }
            .into()
        })
}

/// Deletes an invitation.
pub(crate) fn delete_invitation(
    state: &mut TenantState,
    id: &str,
    invitation_id: &str,
    now: OffsetDateTime,
) -> Result<(), MgmtError> {
    invitation(state, id, invitation_id, now)?;
    state.organizations.invitations.retain(|i| i.id != invitation_id);
    Ok(())
}

// ---- tickets ----

/// The organization a ticket names must be this tenant's (400 `The organization does not exist`).
pub(crate) fn check_ticket_organization(state: &TenantState, organization_id: &str) -> Result<(), MgmtError> {
    match state.organizations.by_id(organization_id) {
        Some(_) => Ok(()),
        None => Err(MgmtError::TicketOrganizationNotFound {
            organization_id: organization_id.to_owned(),
        }),
    }
}

/// The ticket's user must be a member of the organization it names (doc: OAS-mgmt, facts
/// auth0.md §3.2).
pub(crate) fn check_ticket_member(state: &TenantState, organization_id: &str, user_id: &str) -> Result<(), MgmtError> {
    check_ticket_organization(state, organization_id)?;
    if state.organizations.of_user(user_id).any(|o| o.id == organization_id) {
        return Ok(());
    }
    Err(MgmtError::TicketUserNotMember {
        user_id: user_id.to_owned(),
        organization_id: organization_id.to_owned(),
    })
}

// ---- client grants ----

/// Associates the client grant `grant_id` with the organization `id` (facts B5): it then reaches
/// the organization at `client_credentials` without `allow_any_organization`. Answers
/// `grant_id` then the era's keys of the grant (obs: go-auth0 v1 `_ClientGrants`,
/// `_ClientGrantsWithOrg`).
pub(crate) fn associate_grant(
    state: &mut TenantState,
    id: &str,
    grant_id: &str,
    management_audience: &str,
) -> Result<Value, MgmtError> {
    let index = index_of(state, id)?;
    let grant = state
        .grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or_else(|| MgmtError::GrantNotFound {
            id: grant_id.to_owned(),
        })?;
    let rendered = crate::auth0::tenant::apis::grant_json(grant, management_audience);
    let org = &mut state.organizations.list[index];
    if org.client_grants.iter().any(|g| g == grant_id) {
        return Err(OrgError::GrantAlreadyAdded {
            grant_id: grant_id.to_owned(),
        }
        .into());
    }
    org.client_grants.push(grant_id.to_owned());
    let mut answer = Map::new();
    answer.insert("grant_id".into(), json!(grant_id));
    for key in text::grant_association_keys(state.era) {
        if let Some(value) = rendered.get(*key) {
            answer.insert((*key).into(), value.clone());
        }
    }
    Ok(Value::Object(answer))
}

/// Ends the association of `grant_id` with the organization `id`; the grant stays. A grant the
/// tenant does not have is the grants' 404 (doc: OAS-mgmt); one not associated is a no-op (inf,
/// as deleting a deleted client grant answers 204).
pub(crate) fn dissociate_grant(state: &mut TenantState, id: &str, grant_id: &str) -> Result<(), MgmtError> {
    let index = index_of(state, id)?;
    if !state.grants.iter().any(|g| g.id == grant_id) {
        return Err(MgmtError::GrantNotFound {
            id: grant_id.to_owned(),
        });
    }
    state.organizations.list[index].client_grants.retain(|g| g != grant_id);
    Ok(())
}

/// The client grants associated with the organization `id`, in association order.
pub fn organization_grants<'a>(state: &'a TenantState, id: &str) -> Result<Vec<&'a ClientGrant>, MgmtError> {
    let org = &state.organizations.list[index_of(state, id)?];
    Ok(org
        .client_grants
        .iter()
        .filter_map(|g| state.grants.iter().find(|grant| grant.id == *g))
        .collect())
}

/// The organizations the client grant `grant_id` is associated with, oldest first; the grants'
/// 404 for a grant the tenant does not have (doc: OAS-mgmt).
pub fn grant_organizations<'a>(state: &'a TenantState, grant_id: &str) -> Result<Vec<&'a Organization>, MgmtError> {
    if !state.grants.iter().any(|g| g.id == grant_id) {
        return Err(MgmtError::GrantNotFound {
            id: grant_id.to_owned(),
        });
    }
    Ok(state
        .organizations
        .list
        .iter()
        .filter(|o| o.client_grants.iter().any(|g| g == grant_id))
        .collect())
}

// ---- logins through an organization ----

/// What the tokens of a login through an organization say of it: `org_id`, and `org_name` (the
/// lower-case name) when the tenant accepts names at `/authorize` (doc: DOC-org using-tokens,
/// use-org-name-authentication-api).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgClaims {
    pub id: String,
    pub name: Option<String>,
}

impl TenantState {
    /// The claims for tokens of a login through `org_id`; `None` once the organization is gone.
    pub fn organization_claims(&self, org_id: &str) -> Option<OrgClaims> {
        let org = self.organizations.by_id(org_id)?;
        Some(OrgClaims {
            id: org.id.clone(),
            name: self.organization_names_in_login().then(|| org.name.clone()),
        })
    }

    /// The role ids `user_id` holds in `org_id` (what a login through it adds to RBAC).
    pub fn organization_role_ids(&self, org_id: &str, user_id: &str) -> Vec<String> {
        self.organizations
            .by_id(org_id)
            .map(|org| roles_of(org, user_id).cloned().collect())
            .unwrap_or_default()
    }
}

/// The organization of a `client_credentials` request (doc: DOC-org organizations-for-m2m,
/// facts B5/B6): its client grant's `organization_usage` (`deny` when absent) decides whether
/// `organization` may or must be sent; without it a `require` grant takes the application's
/// `default_organization` when that lists `client_credentials`; the organization (id, or name
/// with the tenant flag) must exist, and the grant must be associated with it, which here only
/// `allow_any_organization` or an association (`/organizations/{id}/client-grants`) does.
pub fn client_credentials_organization(
    state: &TenantState,
    client: &Client,
    grant: &ClientGrant,
    audience: &str,
    requested: Option<&str>,
) -> Result<Option<OrgClaims>, OAuthError> {
    let audience = audience.to_owned();
    let usage = grant.extra.get("organization_usage").and_then(Value::as_str);
    let requested = match requested {
        Some(value) => value.to_owned(),
        None if usage == Some("require") => {
            let default = client.settings.get("default_organization");
            let for_flow = default
                .and_then(|d| d.get("flows"))
                .and_then(Value::as_array)
                .is_some_and(|flows| flows.iter().any(|f| f == "client_credentials"));
            match default.and_then(|d| d.get("organization_id")).and_then(Value::as_str) {
                Some(id) if for_flow => id.to_owned(),
                _ => return Err(OAuthError::OrganizationRequiredForGrant { audience }),
            }
        }
        None => return Ok(None),
    };
    if !matches!(usage, Some("allow" | "require")) {
        return Err(OAuthError::OrganizationNotAllowedForGrant { audience });
    }
    let Some(org) = state
        .organizations
        .named_in_login(&requested, state.organization_names_in_login())
    else {
        return Err(OAuthError::UnknownOrganization { value: requested });
    };
    let associated = org.client_grants.contains(&grant.id);
    if !associated && grant.extra.get("allow_any_organization") != Some(&Value::Bool(true)) {
        return Err(OAuthError::OrganizationNotAssociated {
            organization: org.id.clone(),
            audience,
        });
    }
    Ok(state.organization_claims(&org.id))
}

/// The invitation `/authorize` carried: live on the tenant clock, of this organization and for
/// this application (doc: DOC-org invite-members, the link names both). Its email and connection
/// are checked once the user is known ([`admit_at_login`]).
pub fn check_invitation(
    state: &TenantState,
    ticket: &str,
    org_id: Option<&str>,
    client_id: &str,
    now: OffsetDateTime,
) -> Result<(), CallbackError> {
    let invalid = |why: &'static str| CallbackError::InvitationInvalid { why };
    let invitation = state.organizations.invitation_by_ticket(ticket, now).ok_or(invalid(
        "no live invitation has this ticket: it was accepted, deleted or has expired",
    ))?;
    match org_id {
        None => Err(invalid(
            "an invitation is accepted with the organization it is for: send organization too",
        )),
        Some(org) if org != invitation.organization_id => Err(invalid("the invitation is for another organization")),
        Some(_) if invitation.client_id != client_id => Err(invalid("the invitation is for another application")),
        Some(_) => Ok(()),
    }
}

/// Lets `user_id`, just authenticated through `client_id`, into `org_id`, or says why not (doc:
/// DOC-org login-flows; each refusal reaches the callback):
/// - the user's connection must be enabled for the organization (obs SDK-SRVPY PR#114: an
///   `access_denied` class; text inf);
/// - an invitation (`ticket`) still live and sent to the user's email (and, when it names one, to
///   the user's connection) makes the user a member with the invitation's roles, marks the email
///   verified and is spent (doc: DOC-org invite-members; single use inf); one meant for someone
///   else is simply not accepted;
/// - a member is let in; a user of a connection enabled with `assign_membership_on_login`
///   becomes one (doc: DOC-org login-flows);
/// - anyone else: `user <id> is not part of the <org_id> organization` (obs ORG-DENY).
pub(crate) fn admit_at_login(
    state: &mut TenantState,
    org_id: &str,
    user_id: &str,
    client_id: &str,
    ticket: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), CallbackError> {
    let not_found = || CallbackError::OrganizationNotFound {
        value: org_id.to_owned(),
    };
    let index = state.organizations.index(org_id).map_err(|_| not_found())?;
    let (email, connection_id) = match state.user(user_id) {
        Some(user) => (
            user.email.clone(),
            state.connection_by_name(&user.connection).map(|c| c.id.clone()),
        ),
        None => return Err(not_found()),
    };
    let org = &state.organizations.list[index];
    let Some(enabled) = org
        .connections
        .iter()
        .find(|c| Some(&c.connection_id) == connection_id.as_ref())
    else {
        return Err(CallbackError::OrganizationConnectionNotEnabled {
            organization: org_id.to_owned(),
            connection: state.user(user_id).map(|u| u.connection.clone()).unwrap_or_default(),
        });
    };
    let assign = enabled.assign_membership_on_login;
    if let Some(ticket) = ticket {
        if let Some(invitation) = state.organizations.invitation_by_ticket(ticket, now) {
            let meant_for_user = invitation.organization_id == org_id
                && invitation.client_id == client_id
                && invitation.invitee_email.eq_ignore_ascii_case(&email)
                && invitation
                    .extra
                    .get("connection_id")
                    .and_then(Value::as_str)
                    .is_none_or(|c| Some(c) == connection_id.as_deref());
            if meant_for_user {
                let roles: Vec<String> = match invitation.extra.get("roles") {
                    Some(Value::Array(roles)) => roles.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    _ => Vec::new(),
                };
                let spent = invitation.id.clone();
                join(&mut state.organizations.list[index], user_id, now);
                // Roles past the member's limit are dropped rather than refusing the login (inf).
                let _ = assign_member_roles(state, org_id, user_id, &roles);
                if let Some(user) = state.user_mut(user_id) {
                    user.email_verified = true;
                }
                state.organizations.invitations.retain(|i| i.id != spent);
                return Ok(());
            }
        } else {
            // Spent or expired since `/authorize` checked it.
            return Err(CallbackError::InvitationInvalid {
                why: "the invitation was accepted, deleted or expired during the login",
            });
        }
    }
    let org = &mut state.organizations.list[index];
    if org.members.iter().any(|m| m.user_id == user_id) {
        return Ok(());
    }
    if assign {
        join(org, user_id, now);
        return Ok(());
    }
    Err(CallbackError::NotAMember {
        user_id: user_id.to_owned(),
        organization: org_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::auth0::tenant::seed::Fixture;
    use crate::core::clock::Clock;

    const NOW: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    fn state() -> TenantState {
        Fixture::default_auth0()
            .state(&Clock::manual(NOW))
            .expect("the default fixture seeds")
    }

    fn new_org(state: &mut TenantState, name: &str) -> String {
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        let answer = create(state, NewOrganization { body }, NOW).expect("created");
        answer["id"].as_str().expect("id").to_owned()
    }

    #[test]
    fn organizations_past_the_cap_evict_the_oldest_with_its_invitations() {
        let mut state = state();
        state.organizations.list.set_capacity(2);
        let first = new_org(&mut state, "first");
        let client = state.clients[0].client_id.clone();
        state.organizations.invitations.push(Invitation {
            id: "uinv_x".into(),
            organization_id: first.clone(),
            client_id: client,
            inviter: json!({"name": "x"}),
            invitee_email: "a@example.com".into(),
            extra: Map::new(),
            ticket_id: "t".into(),
            invitation_url: String::new(),
            created_at: NOW,
            expires_at: NOW + Duration::days(1),
        });
        new_org(&mut state, "second");
        new_org(&mut state, "third");
        assert!(state.organizations.by_id(&first).is_none());
        assert!(state.organizations.invitations.is_empty());
        assert_eq!(state.organizations.list.len(), 2);
    }

    #[test]
    fn expired_invitations_are_neither_read_nor_kept() {
        let mut state = state();
        let org = new_org(&mut state, "acme");
        let expired = Invitation {
            id: "uinv_old".into(),
            organization_id: org.clone(),
            client_id: "c".into(),
            inviter: json!({"name": "x"}),
            invitee_email: "a@example.com".into(),
            extra: Map::new(),
            ticket_id: "old".into(),
            invitation_url: String::new(),
            created_at: NOW - Duration::days(8),
            expires_at: NOW - Duration::days(1),
        };
        state.organizations.invitations.push(expired);
        assert!(invitation(&state, &org, "uinv_old", NOW).is_err());
        assert!(state.organizations.invitation_by_ticket("old", NOW).is_none());
    }

    #[test]
    fn deleting_a_user_role_or_connection_leaves_nothing_pointing_at_it() {
        let mut state = state();
        let org = new_org(&mut state, "acme");
        let user = state.users.iter().next().expect("a user").user_id.clone();
        add_members(&mut state, &org, std::slice::from_ref(&user), NOW).expect("member");
        let role = crate::auth0::tenant::rbac::add_role(
            &mut state,
            "r".into(),
            None,
            crate::auth0::tenant::model::RoleKind::Tenant,
        )
        .expect("role")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        assign_member_roles(&mut state, &org, &user, std::slice::from_ref(&role)).expect("roles");
        state.organizations.forget_role(&role);
        assert!(member_roles(&state, &org, &user).expect("member").is_empty());
        state.organizations.forget_user(&user);
        assert!(state.organizations.by_id(&org).expect("org").members.is_empty());
    }
}
