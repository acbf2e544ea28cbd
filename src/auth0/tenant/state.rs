//! The mutable part of a tenant, [`TenantState`], behind the handle's lock (`mod.rs`), and the
//! calls that keep each traffic-grown store within its cap before a push (caps in `bounds.rs`;
//! the eviction order in `core::bounded`).

use std::collections::HashMap;

use rand::rngs::StdRng;

use crate::auth0::tenant::model::{
    Api, BruteForce, Client, ClientGrant, Connection, Job, LoginExperience, Rbac, RefreshGrant, Ticket,
};
use crate::auth0::tenant::users::User;
use crate::core::onetime::OneTimeStore;
use crate::core::outbox::Outbox;

/// The mutable part of a tenant.
#[derive(Debug)]
pub struct TenantState {
    pub login: LoginExperience,
    /// The connection used by the plain `password` grant (the tenant's "Default Directory").
    pub default_directory: Option<String>,
    /// The tenant's default audience as the fixture names it (`Tenant::default_audience`).
    pub default_audience: Option<String>,
    pub clients: Vec<Client>,
    pub apis: Vec<Api>,
    pub grants: Vec<ClientGrant>,
    pub connections: Vec<Connection>,
    /// In creation order; changed only through its own methods, which keep search's index true.
    pub users: crate::auth0::tenant::users::Users,
    pub tickets: OneTimeStore<Ticket>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    /// Mail the tenant has sent (reset links, …).
    pub outbox: Outbox,
    /// Management API jobs, oldest first.
    pub jobs: Vec<Job>,
    pub brute_force: BruteForce,
    /// `/dbconnections/signup` names an existing user (fixture `enable_public_signup_user_exists_error`).
    pub signup_user_exists_error: bool,
    pub rbac: Rbac,
    /// Ticket secret → the CSRF token its hosted form carries.
    pub form_tokens: HashMap<String, String>,
    /// Browser logins: transactions, sessions, codes, refresh-token families.
    pub logins: crate::auth0::tenant::logins::Logins,
    /// Seeded from the fixture, so generated ids repeat run after run.
    pub rng: StdRng,
    /// M2M token quotas per application (fixture `client_quotas`, control API).
    pub token_quotas: crate::auth0::tenant::quota::TokenQuotas,
    /// The caps of the stores above that grow with traffic, and what they evicted.
    pub bounds: crate::auth0::tenant::bounds::Bounds,
}

impl TenantState {
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    pub fn user_mut(&mut self, user_id: &str) -> Option<&mut User> {
        self.users.find_mut(|u| u.user_id == user_id)
    }

    pub fn connection_by_id(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    pub fn connection_by_name(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name == name)
    }

    /// The user of `connection` with exactly this email (database users are stored lower-cased,
    /// so the match is case-sensitive as the provider's is).
    pub fn user_by_email_in(&self, email: &str, connection: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email == email && u.connection == connection)
    }

    /// Scopes `client_id` holds on `audience` (`None`: no grant at all).
    pub fn granted_scopes(&self, client_id: &str, audience: &str) -> Option<&[String]> {
        self.grants
            .iter()
            .find(|g| g.client_id == client_id && g.audience == audience)
            .map(|g| g.scopes.as_slice())
    }
}

/// Room for one more password-grant refresh token: tokens of users gone go first, then any
/// (they carry no time).
pub(crate) fn room_for_grant_refresh_token(state: &mut TenantState) {
    let users = &state.users;
    state.bounds.grant_refresh_tokens.make_room(
        &mut state.refresh_tokens,
        |_, grant| !users.iter().any(|u| u.user_id == grant.user_id),
        |_| 0,
    );
}

/// Room for one more hosted-form CSRF token: tokens of tickets forgotten go first.
pub(crate) fn room_for_form_token(state: &mut TenantState) {
    let tickets = &state.tickets;
    state.bounds.form_tokens.make_room(
        &mut state.form_tokens,
        |secret, _| tickets.peek(secret).is_none(),
        |_| 0,
    );
}

/// Room for one more job: the oldest go.
pub(crate) fn room_for_job(state: &mut TenantState) {
    state.bounds.jobs.make_room_front(&mut state.jobs, |_| true);
}

/// Room for one more failure counter: the counters with the fewest failures go first.
pub(crate) fn room_for_failure_counter(state: &mut TenantState) {
    state
        .bounds
        .failures
        .make_room(&mut state.brute_force.failures, |_, _| false, |n| i64::from(*n));
}

/// Room for one more brute-force block: the oldest go.
pub(crate) fn room_for_block(state: &mut TenantState) {
    state
        .bounds
        .blocks
        .make_room_front(&mut state.brute_force.blocks, |_| true);
}

/// Room for one more role: the oldest go, with their memberships.
pub(crate) fn room_for_role(state: &mut TenantState) {
    let gone = state.bounds.roles.make_room_front(&mut state.rbac.roles, |_| true);
    if !gone.is_empty() {
        state
            .rbac
            .members
            .retain(|(_, role)| !gone.iter().any(|r| r.id == *role));
    }
}

/// Room for one more role membership: the oldest go.
pub(crate) fn room_for_member(state: &mut TenantState) {
    state.bounds.members.make_room_front(&mut state.rbac.members, |_| true);
}

/// Room for one more direct user permission: the oldest go.
pub(crate) fn room_for_user_permission(state: &mut TenantState) {
    state
        .bounds
        .user_permissions
        .make_room_front(&mut state.rbac.user_permissions, |_| true);
}
