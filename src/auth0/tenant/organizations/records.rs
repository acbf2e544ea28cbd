//! The records of organizations (`../organizations.rs` has the operations): the organizations
//! with their members, member roles and enabled connections, and the invitations, with the
//! lookups and the cascades that need no other store. Records never import the state.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth0::tenant::bounds;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::organizations::OrgError;
use crate::core::bounded::BoundedList;

/// An organization.
#[derive(Debug, Clone)]
pub struct Organization {
    /// `org_` followed by 16 alphanumerics (obs).
    pub id: String,
    pub name: String,
    /// `display_name`, `branding`, `metadata`, `token_quota` and the 2026 flags, as stored;
    /// absent until set (obs: REC-tf `TestAccOrganization`).
    pub fields: Map<String, Value>,
    pub created_at: OffsetDateTime,
    /// Oldest first.
    pub members: BoundedList<Member>,
    /// (user id, role id): the roles users hold in the organization, members or not yet.
    pub roles: BoundedList<(String, String)>,
    pub connections: Vec<EnabledConnection>,
    /// The client grants associated with the organization (`cgr_…`), in association order;
    /// bounded by the tenant's grants, each at most once.
    pub client_grants: Vec<String>,
}

/// A user's membership of an organization.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: String,
    /// When the user joined (the members list's checkpoint time).
    pub since: OffsetDateTime,
}

/// A connection enabled for an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct EnabledConnection {
    pub connection_id: String,
    pub assign_membership_on_login: bool,
    pub show_as_button: bool,
    /// Database connections only: whether signup from the organization's login is allowed.
    pub is_signup_enabled: Option<bool>,
}

/// A membership invitation.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// `uinv_` followed by 16 alphanumerics (obs).
    pub id: String,
    pub organization_id: String,
    pub client_id: String,
    pub inviter: Value,
    pub invitee_email: String,
    /// `connection_id`, `roles`, `app_metadata`, `user_metadata` as sent.
    pub extra: Map<String, Value>,
    /// 32 alphanumerics, the `invitation` parameter of the link (obs).
    pub ticket_id: String,
    pub invitation_url: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The tenant's organizations and invitations.
#[derive(Debug, Clone)]
pub struct Organizations {
    pub(in crate::auth0::tenant) list: BoundedList<Organization>,
    pub(in crate::auth0::tenant) invitations: BoundedList<Invitation>,
}

impl Default for Organizations {
    fn default() -> Self {
        Self {
            list: BoundedList::new(bounds::ORGANIZATIONS),
            invitations: BoundedList::new(bounds::INVITATIONS),
        }
    }
}

impl Organizations {
    /// All organizations, oldest first.
    pub fn all(&self) -> &[Organization] {
        &self.list
    }

    /// The organization of this id.
    pub fn by_id(&self, id: &str) -> Option<&Organization> {
        self.list.iter().find(|o| o.id == id)
    }

    /// The organization of this name.
    pub fn by_name(&self, name: &str) -> Option<&Organization> {
        self.list.iter().find(|o| o.name == name)
    }

    /// The organization an `/authorize` `organization` parameter names: an id (`org_…`), or a
    /// name (lower-cased, as names are stored) when the tenant allows names.
    pub fn named_in_login(&self, value: &str, names_allowed: bool) -> Option<&Organization> {
        if value.starts_with("org_") {
            return self.by_id(value);
        }
        names_allowed.then(|| self.by_name(&value.to_lowercase())).flatten()
    }

    /// The invitations of `organization_id` not yet expired at `now`, oldest first.
    pub fn invitations_of<'a>(
        &'a self,
        organization_id: &'a str,
        now: OffsetDateTime,
    ) -> impl Iterator<Item = &'a Invitation> + 'a {
        self.invitations
            .iter()
            .filter(move |i| i.organization_id == organization_id && i.expires_at > now)
    }

    /// The live invitation whose link carries `ticket_id`.
    pub fn invitation_by_ticket(&self, ticket_id: &str, now: OffsetDateTime) -> Option<&Invitation> {
        self.invitations
            .iter()
            .find(|i| i.ticket_id == ticket_id && i.expires_at > now)
    }

    /// The organizations `user_id` is a member of, oldest first.
    pub fn of_user<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a Organization> + 'a {
        self.list
            .iter()
            .filter(move |o| o.members.iter().any(|m| m.user_id == user_id))
    }

    pub(in crate::auth0::tenant) fn index(&self, id: &str) -> Result<usize, MgmtError> {
        self.list
            .iter()
            .position(|o| o.id == id)
            .ok_or_else(|| OrgError::NotFound { id: id.to_owned() }.into())
    }

    /// Forgets a deleted user's memberships and roles.
    pub(crate) fn forget_user(&mut self, user_id: &str) {
        for org in self.list.iter_mut() {
            org.members.retain(|m| m.user_id != user_id);
            org.roles.retain(|(u, _)| u != user_id);
        }
    }

    /// Forgets a deleted role wherever a member holds it, and the invitations' mention of it.
    pub(crate) fn forget_role(&mut self, role_id: &str) {
        for org in self.list.iter_mut() {
            org.roles.retain(|(_, r)| r != role_id);
        }
        for invitation in self.invitations.iter_mut() {
            if let Some(Value::Array(roles)) = invitation.extra.get_mut("roles") {
                roles.retain(|r| r != role_id);
            }
        }
    }

    /// Forgets a deleted connection: it is enabled for no organization, and the invitations to
    /// it go (their link would lead to a login that cannot happen).
    pub(crate) fn forget_connection(&mut self, connection_id: &str) {
        for org in self.list.iter_mut() {
            org.connections.retain(|c| c.connection_id != connection_id);
        }
        self.invitations
            .retain(|i| i.extra.get("connection_id").and_then(Value::as_str) != Some(connection_id));
    }

    /// Forgets a deleted client grant wherever it is associated.
    pub(crate) fn forget_grant(&mut self, grant_id: &str) {
        for org in self.list.iter_mut() {
            org.client_grants.retain(|g| g != grant_id);
        }
    }

    /// Forgets a deleted application's invitations (their link names it).
    pub(crate) fn forget_client(&mut self, client_id: &str) {
        self.invitations.retain(|i| i.client_id != client_id);
    }

    /// Deletes the organization at `index` with its invitations.
    pub(in crate::auth0::tenant) fn remove(&mut self, index: usize) {
        let org = self.list.remove(index);
        self.invitations.retain(|i| i.organization_id != org.id);
    }
}
