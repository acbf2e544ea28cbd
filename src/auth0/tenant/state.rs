//! The mutable part of a tenant, [`TenantState`], behind the handle's lock (`mod.rs`). Each store
//! that grows with traffic is a `core::bounded` store that keeps its own cap (caps in
//! `bounds.rs`); the rules of what goes first where that depends on other stores are here.

use rand::rngs::StdRng;

use crate::auth0::tenant::logins::{Logins, Revocation};
use crate::auth0::tenant::model::{
    Api, BruteForce, Client, ClientGrant, Connection, Job, LoginExperience, Rbac, RefreshGrant, Ticket,
};
use crate::auth0::tenant::quota::TokenQuotas;
use crate::auth0::tenant::users::{User, Users};
use crate::auth0::wire::era::WireEra;
use crate::core::bounded::{BoundedList, BoundedMap};
use crate::core::onetime::OneTimeStore;
use crate::core::outbox::Outbox;

/// The mutable part of a tenant.
#[derive(Debug)]
pub struct TenantState {
    pub(in crate::auth0::tenant) login: LoginExperience,
    /// The era of the Management API's wire shapes (fixture `wire_era`).
    pub(in crate::auth0::tenant) era: WireEra,
    /// The connection used by the plain `password` grant (the tenant's "Default Directory").
    pub(in crate::auth0::tenant) default_directory: Option<String>,
    /// The tenant's default audience as the fixture names it (`Tenant::default_audience`).
    pub(in crate::auth0::tenant) default_audience: Option<String>,
    /// `/api/v2/tenants/settings` as stored, but for the two above (`settings.rs`).
    pub(in crate::auth0::tenant) settings: serde_json::Map<String, serde_json::Value>,
    pub(in crate::auth0::tenant) clients: Vec<Client>,
    pub(in crate::auth0::tenant) apis: Vec<Api>,
    pub(in crate::auth0::tenant) grants: Vec<ClientGrant>,
    /// The Management API as a resource server: its id and what `PATCH` changed of it.
    pub(in crate::auth0::tenant) management_api: crate::auth0::tenant::model::ManagementApi,
    pub(in crate::auth0::tenant) connections: Vec<Connection>,
    /// In creation order; changed only through its own methods, which keep search's index true.
    pub(in crate::auth0::tenant) users: crate::auth0::tenant::users::Users,
    pub(in crate::auth0::tenant) tickets: OneTimeStore<Ticket>,
    /// Refresh tokens of the password grant.
    pub(in crate::auth0::tenant) refresh_tokens: BoundedMap<String, RefreshGrant>,
    /// Mail the tenant has sent (reset links, …).
    pub(in crate::auth0::tenant) outbox: Outbox,
    /// Management API jobs, oldest first.
    pub(in crate::auth0::tenant) jobs: BoundedList<Job>,
    /// Bulk user import jobs (`imports.rs`), bounded and expiring.
    pub(in crate::auth0::tenant) imports: crate::auth0::tenant::model::ImportJobs,
    pub(in crate::auth0::tenant) brute_force: BruteForce,
    /// `/dbconnections/signup` names an existing user (fixture `enable_public_signup_user_exists_error`).
    pub(in crate::auth0::tenant) signup_user_exists_error: bool,
    /// How long one user search may run before it answers the provider's 503 (fixture
    /// `search_timeout_ms`).
    pub(in crate::auth0::tenant) search_timeout: std::time::Duration,
    pub(in crate::auth0::tenant) rbac: Rbac,
    /// Organizations with their members and connections, and invitations (`organizations.rs`).
    pub(in crate::auth0::tenant) organizations: crate::auth0::tenant::organizations::records::Organizations,
    /// Ticket secret → the CSRF token its hosted form carries.
    pub(in crate::auth0::tenant) form_tokens: BoundedMap<String, String>,
    /// Browser logins: transactions, sessions, codes, refresh-token families.
    pub(in crate::auth0::tenant) logins: crate::auth0::tenant::logins::Logins,
    /// Seeded from the fixture, so generated ids repeat run after run.
    pub(in crate::auth0::tenant) rng: StdRng,
    /// M2M token quotas per application (fixture `client_quotas`, control API).
    pub(in crate::auth0::tenant) token_quotas: crate::auth0::tenant::quota::TokenQuotas,
    /// The runtime users' cap (the other stores carry their own).
    pub(in crate::auth0::tenant) bounds: crate::auth0::tenant::bounds::Bounds,
    /// Guardian factors and policies, authenticators, pending `mfa_token`s and codes (`mfa.rs`).
    pub(in crate::auth0::tenant) mfa: crate::auth0::tenant::guardian::Mfa,
}

impl TenantState {
    /// The era whose Management API shapes the tenant answers in.
    pub fn era(&self) -> WireEra {
        self.era
    }

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

    /// Where the connection of that id is, for the operations of `connections.rs`.
    pub fn connection_index(&self, id: &str) -> Option<usize> {
        self.connections.iter().position(|c| c.id == id)
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

    /// Scopes `client_id` holds on `audience` (`None`: no grant at all); a grant with
    /// `allow_all_scopes` holds every scope the API declares.
    pub fn granted_scopes(&self, client_id: &str, audience: &str) -> Option<Vec<String>> {
        let grant = self.grant(client_id, audience)?;
        if grant.all_scopes {
            return Some(
                self.apis
                    .iter()
                    .find(|a| a.identifier == audience)
                    .map(|a| a.scopes.clone())
                    .unwrap_or_default(),
            );
        }
        Some(grant.scopes.clone())
    }

    /// The grant of `client_id` on `audience` (an API identifier, or `model::MANAGEMENT_API`).
    pub fn grant(&self, client_id: &str, audience: &str) -> Option<&ClientGrant> {
        self.grants
            .iter()
            .find(|g| g.client_id == client_id && g.audience == audience)
    }

    /// Deletes a grant (nothing else names one).
    pub fn delete_grant(&mut self, id: &str) {
        self.grants.retain(|g| g.id != id);
        self.organizations.forget_grant(id);
    }

    /// The index of the application `client_id`.
    pub fn client_index(&self, client_id: &str) -> Option<usize> {
        self.clients.iter().position(|c| c.client_id == client_id)
    }
}

/// What the API folders may read of the state, and the stores they may change: each such store
/// keeps its own rules (its cap, its one-time secrets). Nothing outside `tenant/` assigns a
/// field; what changes several stores together is an operation of this folder.
impl TenantState {
    pub fn clients(&self) -> &[Client] {
        &self.clients
    }

    pub fn apis(&self) -> &[Api] {
        &self.apis
    }

    pub fn grants(&self) -> &[ClientGrant] {
        &self.grants
    }

    /// The system API's id and changeable settings.
    pub fn management_api(&self) -> &crate::auth0::tenant::model::ManagementApi {
        &self.management_api
    }

    /// The system API's changeable settings, for `PATCH`.
    pub fn management_api_mut(&mut self) -> &mut crate::auth0::tenant::model::ManagementApi {
        &mut self.management_api
    }

    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    /// The connection of the plain `password` grant, if the tenant has one.
    pub fn default_directory(&self) -> &Option<String> {
        &self.default_directory
    }

    /// How long one user search may run (fixture `search_timeout_ms`).
    pub fn search_timeout(&self) -> std::time::Duration {
        self.search_timeout
    }

    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The users, changed through `Users`' own methods (which keep search's index true).
    pub fn users_mut(&mut self) -> &mut Users {
        &mut self.users
    }

    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    pub fn brute_force(&self) -> &BruteForce {
        &self.brute_force
    }

    /// Whether `/dbconnections/signup` names an existing user.
    pub fn signup_user_exists_error(&self) -> bool {
        self.signup_user_exists_error
    }

    pub fn rbac(&self) -> &Rbac {
        &self.rbac
    }

    /// Roles, memberships and permissions, changed through `rbac.rs`'s methods.
    pub fn rbac_mut(&mut self) -> &mut Rbac {
        &mut self.rbac
    }

    pub fn logins(&self) -> &Logins {
        &self.logins
    }

    /// The browser-login stores and the tenant's RNG, for the login steps that draw ids.
    pub fn logins_mut(&mut self) -> (&mut Logins, &mut StdRng) {
        (&mut self.logins, &mut self.rng)
    }

    /// The tenant's RNG, seeded from the fixture so generated ids repeat run after run.
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    pub fn token_quotas(&self) -> &TokenQuotas {
        &self.token_quotas
    }

    pub fn token_quotas_mut(&mut self) -> &mut TokenQuotas {
        &mut self.token_quotas
    }

    pub fn tickets(&self) -> &OneTimeStore<Ticket> {
        &self.tickets
    }

    /// The ticket store and the RNG, to redeem or issue tickets.
    pub fn tickets_mut(&mut self) -> (&mut OneTimeStore<Ticket>, &mut StdRng) {
        (&mut self.tickets, &mut self.rng)
    }

    pub fn refresh_tokens(&self) -> &BoundedMap<String, RefreshGrant> {
        &self.refresh_tokens
    }

    pub fn form_tokens(&self) -> &BoundedMap<String, String> {
        &self.form_tokens
    }

    /// Forgets the hosted form's CSRF token of ticket `secret`.
    pub fn forget_form_token(&mut self, secret: &str) {
        self.form_tokens.remove(secret);
    }

    /// The outbox and the RNG, to send mail.
    pub fn outbox_mut(&mut self) -> (&mut Outbox, &mut StdRng) {
        (&mut self.outbox, &mut self.rng)
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

    /// `/oauth/revoke` of `token` by `client_id`: a browser login's refresh token ends its
    /// family; a password-grant refresh token is forgotten, so the refresh grant answers it as
    /// unknown from then on ("Revoke Refresh Tokens", docs-v2 `secure/tokens/refresh-tokens/
    /// revoke-refresh-tokens`: a revoked refresh token can no longer be exchanged; with
    /// "Refresh Token Revocation Deletes Grant" off, the default since 2021-01-13, only that
    /// token is revoked, so the user's other password-grant tokens keep working). `None` when
    /// the token is unknown, already revoked or another application's (answered 200 all the
    /// same).
    pub(crate) fn revoke_refresh_token(&mut self, token: &str, client_id: &str) -> Option<Revoked> {
        if let Some(family_id) = self.logins.refresh_tokens.get(token).map(|t| t.family) {
            return match self.logins.families.get_mut(&family_id) {
                Some(family) if family.client_id == client_id => {
                    family.revoked.get_or_insert(Revocation::Revoked);
                    Some(Revoked::Family)
                }
                _ => None,
            };
        }
        match self.refresh_tokens.get(token) {
            Some(grant) if grant.client_id == client_id => {
                self.refresh_tokens.remove(token);
                Some(Revoked::PasswordGrant)
            }
            _ => None,
        }
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

/// What [`TenantState::revoke_refresh_token`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revoked {
    /// A browser login's refresh-token family.
    Family,
    /// One refresh token of the password grant.
    PasswordGrant,
}
