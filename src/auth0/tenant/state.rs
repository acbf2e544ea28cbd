//! The mutable part of a tenant, [`TenantState`], behind the handle's lock (`mod.rs`). Each store
//! that grows with traffic is a `core::bounded` store that keeps its own cap (caps in
//! `bounds.rs`); the rules of what goes first where that depends on other stores are here.

use rand::rngs::StdRng;

use crate::auth0::tenant::model::{
    Api, BruteForce, Client, ClientGrant, Connection, Job, LoginExperience, Rbac, RefreshGrant, Ticket,
};
use crate::auth0::tenant::users::User;
use crate::core::bounded::{BoundedList, BoundedMap};
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
    /// Refresh tokens of the password grant.
    pub refresh_tokens: BoundedMap<String, RefreshGrant>,
    /// Mail the tenant has sent (reset links, …).
    pub outbox: Outbox,
    /// Management API jobs, oldest first.
    pub jobs: BoundedList<Job>,
    pub brute_force: BruteForce,
    /// `/dbconnections/signup` names an existing user (fixture `enable_public_signup_user_exists_error`).
    pub signup_user_exists_error: bool,
    pub rbac: Rbac,
    /// Ticket secret → the CSRF token its hosted form carries.
    pub form_tokens: BoundedMap<String, String>,
    /// Browser logins: transactions, sessions, codes, refresh-token families.
    pub logins: crate::auth0::tenant::logins::Logins,
    /// Seeded from the fixture, so generated ids repeat run after run.
    pub rng: StdRng,
    /// M2M token quotas per application (fixture `client_quotas`, control API).
    pub token_quotas: crate::auth0::tenant::quota::TokenQuotas,
    /// The runtime users' cap (the other stores carry their own).
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

/// The rules by which the stores that grow with traffic make room (the eviction order is
/// `core::bounded`'s): each store enforces its own cap on insert, these say what goes first.
impl TenantState {
    /// Keeps a password-grant refresh token: tokens of users gone go first, then any (they
    /// carry no time).
    pub(crate) fn keep_refresh_grant(&mut self, token: String, grant: RefreshGrant) {
        let users = &self.users;
        self.refresh_tokens.insert(
            token,
            grant,
            |_, grant| !users.iter().any(|u| u.user_id == grant.user_id),
            |_| 0,
        );
    }

    /// The CSRF token of the hosted form of ticket `secret`, made by `fresh` the first time:
    /// tokens of tickets forgotten go first.
    pub(crate) fn form_token(&mut self, secret: &str, fresh: impl FnOnce(&mut StdRng) -> String) -> String {
        let (tickets, rng) = (&self.tickets, &mut self.rng);
        self.form_tokens
            .get_or_insert(
                secret.to_owned(),
                || fresh(rng),
                |secret, _| tickets.peek(secret).is_none(),
                |_| 0,
            )
            .clone()
    }
}
