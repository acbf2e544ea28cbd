//! A tenant: everything one fake identity-provider account holds, behind its own lock.
//!
//! [`Tenant`] is a cheap handle (`Arc`) shared by every request of one listener. Immutable
//! parts (name, addresses, signing key, clock) live outside the lock; mutable state (users,
//! tickets, refresh tokens, the RNG) lives in [`TenantState`] behind a std `Mutex`, because
//! every critical section is a short in-memory lookup or update and is never held across an
//! `.await`. Tenants never share state, so parallel tests never contend.
//! Depends on `core` only; `seed` builds tenants from fixtures (read it next).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

pub use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::control::Control;
use crate::core::faults::Faults;
use crate::core::journal::Journal;
use crate::core::keys::SigningKey;
use crate::core::onetime::OneTimeStore;
use crate::core::outbox::Outbox;
use crate::core::password::{PasswordHash, PasswordPolicy};
use crate::core::provider::SeedFailure;
use crate::core::ratelimit::BucketDefinition;
use crate::core::ratelimit::RateLimits;

/// Length of ticket secrets (`ticket=<32 alphanumerics>`).
pub const TICKET_SECRET_LEN: usize = 32;

/// Which hosted login pages the tenant uses; it decides the ticket URL shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginExperience {
    /// New Universal Login: `/u/reset-password?ticket=…#`.
    #[default]
    Universal,
    /// Classic Login: `/lo/reset?ticket=…#`.
    Classic,
}

/// An application (client) registered in the tenant.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    /// `non_interactive` (M2M), `regular_web`, `spa`, `native`.
    pub app_type: String,
    /// Grant types enabled on the application.
    pub grant_types: Vec<String>,
    /// Where the hosted pages send users back to log in (the application's login route).
    pub login_uri: Option<String>,
    /// Callbacks, logout URLs, web origins, token endpoint auth method, refresh-token policy.
    pub login: crate::auth0::application::AppLogin,
    /// Whether `/authorize` takes `organization` (`deny`, `allow`, `require`).
    pub organization_usage: crate::auth0::login_connection::OrganizationUsage,
}

/// An API (resource server) other than the Management API.
#[derive(Debug, Clone)]
pub struct Api {
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<String>,
    /// "Enable RBAC": user tokens carry only the requested scopes the user holds.
    pub rbac: bool,
    /// "Add Permissions in the Access Token": user tokens carry a `permissions` claim.
    pub permissions_in_token: bool,
}

/// A role of the tenant's RBAC.
#[derive(Debug, Clone)]
pub struct Role {
    /// `rol_` followed by 16 alphanumerics.
    pub id: String,
    pub name: String,
    pub description: String,
    /// (API identifier, permission name).
    pub permissions: Vec<(String, String)>,
}

/// Roles and direct permissions, and who holds them.
#[derive(Debug, Clone, Default)]
pub struct Rbac {
    pub roles: Vec<Role>,
    /// (user_id, role id).
    pub members: Vec<(String, String)>,
    /// (user_id, API identifier, permission name).
    pub user_permissions: Vec<(String, String, String)>,
}

/// Scopes a client was granted on an API (`audience` is the API identifier).
#[derive(Debug, Clone)]
pub struct ClientGrant {
    pub client_id: String,
    /// An API identifier, or [`MANAGEMENT_API`] for this tenant's Management API.
    pub audience: String,
    pub scopes: Vec<String>,
}

/// Marker audience for grants on the tenant's own Management API (its URL depends on the port).
pub const MANAGEMENT_API: &str = "management";

/// A database connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `con_` followed by 16 alphanumerics.
    pub id: String,
    pub name: String,
    pub strategy: String,
    pub password_policy: PasswordPolicy,
    /// The connection's "requires username" setting: only then may users carry a `username`.
    pub requires_username: bool,
    /// Password rules beyond strength.
    pub password_rules: PasswordRules,
    /// The applications the connection is enabled for; `None`: all of them.
    pub enabled_clients: Option<Vec<String>>,
}

/// A database connection's password options besides strength (the Dashboard's "Password
/// History", "Password Dictionary" and "Personal Data" switches).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PasswordRules {
    /// How many previous passwords a new one may not repeat (0: off).
    pub history_size: usize,
    /// Refuse passwords from the common-password dictionary.
    pub dictionary: bool,
    /// Refuse passwords containing the user's name, username or email local part.
    pub no_personal_info: bool,
}

/// A user of a database connection.
#[derive(Debug, Clone)]
pub struct User {
    /// `auth0|<24 hex>`.
    pub user_id: String,
    pub email: String,
    pub email_verified: bool,
    pub connection: String,
    pub password: Option<PasswordHash>,
    /// The password the fixture gave, shown by `GET /__authmock__/tenant` so tests can log in;
    /// forgotten as soon as the password changes.
    pub fixture_password: Option<String>,
    pub name: String,
    pub nickname: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Only for connections that require a username; absent until set.
    pub username: Option<String>,
    pub picture: String,
    pub blocked: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_password_reset: Option<OffsetDateTime>,
    pub last_login: Option<OffsetDateTime>,
    pub logins_count: u64,
    pub user_metadata: Map<String, Value>,
    pub app_metadata: Map<String, Value>,
    /// Earlier passwords, newest first, for the connection's password history rule.
    pub password_history: Vec<PasswordHash>,
    /// A PATCH that sent `user_metadata` (even `{}`) makes the key appear, empty or not, while
    /// an empty `app_metadata` always disappears (facts `auth0-users.md` §3, obs).
    pub user_metadata_set: bool,
}

impl User {
    /// The id inside the provider: the part of `user_id` after `provider|`.
    pub fn identity_id(&self) -> &str {
        self.user_id.split_once('|').map_or(&self.user_id, |(_, id)| id)
    }

    /// The provider part of `user_id` (`auth0`).
    pub fn provider(&self) -> &str {
        self.user_id.split_once('|').map_or("auth0", |(p, _)| p)
    }
}

/// Why a ticket was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    PasswordChange,
    EmailVerification,
    /// The link of a brute-force notification mail.
    Unblock,
}

/// What a ticket grants when it is redeemed on the hosted page.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub kind: TicketKind,
    pub user_id: String,
    pub result_url: Option<String>,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    pub mark_email_as_verified: bool,
    pub include_email_in_redirect: bool,
}

/// What a refresh token stands for.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_id: String,
    pub audience: Option<String>,
    pub scope: String,
}

/// A brute-force block: an identifier refused from one IP (facts `auth0-users.md` §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginBlock {
    pub identifier: String,
    pub ip: String,
    pub connection: String,
    pub user_id: String,
}

/// Brute-force protection of password logins.
#[derive(Debug, Clone, Default)]
pub struct BruteForce {
    /// Consecutive failures that block an identifier from an IP; 0 turns protection off.
    pub threshold: u32,
    /// (identifier, ip) → consecutive failures.
    pub failures: HashMap<(String, String), u32>,
    pub blocks: Vec<LoginBlock>,
}

/// A background job of the Management API (only `verification_email` is modelled).
#[derive(Debug, Clone)]
pub struct Job {
    /// `job_` followed by 16 alphanumerics.
    pub id: String,
    pub kind: String,
    pub created_at: OffsetDateTime,
}

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
    pub users: crate::auth0::user_index::Users,
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
    pub logins: crate::auth0::logins::Logins,
    /// Seeded from the fixture, so generated ids repeat run after run.
    pub rng: StdRng,
    /// M2M token quotas per application (fixture `client_quotas`, control API).
    pub token_quotas: crate::auth0::quota::TokenQuotas,
    /// The caps of the stores above that grow with traffic, and what they evicted.
    pub bounds: crate::auth0::bounds::Bounds,
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

/// What a tenant goes back to on reset: its state as seeded and the fixture's rate limits
/// (`seed::Fixture` implements it).
pub trait Reseed: std::fmt::Debug + Send + Sync + 'static {
    /// The mutable state as seeded, timestamps read from `clock`.
    fn state(&self, clock: &Clock) -> Result<TenantState, SeedFailure>;
    /// The buckets set when the tenant is built and again on reset.
    fn rate_limits(&self) -> Vec<BucketDefinition>;
}

/// A cheap, cloneable handle to one tenant.
#[derive(Clone, Debug)]
pub struct Tenant {
    inner: Arc<TenantInner>,
}

#[derive(Debug)]
struct TenantInner {
    name: String,
    address: TenantAddress,
    key: SigningKey,
    clock: Clock,
    /// A std mutex: critical sections are short lookups/updates, never held across `.await`.
    state: Mutex<TenantState>,
    /// The fixture the tenant was built from: [`Tenant::reset`] rebuilds the state from it.
    seed: Arc<dyn Reseed>,
    /// Journal, fault rules and rate limits (their own locks, apart from `state`).
    control: Control,
}

impl Tenant {
    pub fn new(
        name: String,
        address: TenantAddress,
        key: SigningKey,
        clock: Clock,
        state: TenantState,
        seed: Arc<dyn Reseed>,
    ) -> Self {
        let tenant = Self {
            inner: Arc::new(TenantInner {
                name,
                address,
                key,
                clock,
                state: Mutex::new(state),
                seed,
                control: Control::default(),
            }),
        };
        tenant.seed_rate_limits();
        tenant
    }

    /// The fixture's buckets, full, windows starting now on the tenant clock. Group names are
    /// checked where the fixture is served (an unknown group would only never match).
    fn seed_rate_limits(&self) {
        let now = self.inner.clock.unix();
        let _ = self
            .inner
            .control
            .rate_limits()
            .seed(&self.inner.seed.rate_limits(), now, |_| true);
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub fn address(&self) -> &TenantAddress {
        &self.inner.address
    }

    /// `http://127.0.0.1:4010` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.address.base_url
    }

    /// Token issuer: the base URL with a trailing slash.
    pub fn issuer(&self) -> String {
        format!("{}/", self.inner.address.base_url)
    }

    /// The Management API identifier as SDKs compute it: `https://<host:port>/api/v2/`, even
    /// when the traffic is plain http (facts: official-sdks.md §1 "Audience").
    pub fn management_audience(&self) -> String {
        format!("https://{}/api/v2/", self.inner.address.host)
    }

    /// The tenant's default audience (fixture `default_audience`), resolved, if it has one.
    pub fn default_audience(&self, state: &TenantState) -> Option<String> {
        state.default_audience.as_ref().map(|audience| match audience.as_str() {
            "management" => self.management_audience(),
            api => api.to_owned(),
        })
    }

    /// The audience a token or login request is for: the one it names, else the tenant's default
    /// audience (facts auth0.md §1.2 and the 403 "No audience parameter was provided, and no
    /// default audience has been configured").
    pub fn requested_audience(&self, state: &TenantState, given: Option<&str>) -> Option<String> {
        given.map(str::to_owned).or_else(|| self.default_audience(state))
    }

    /// The identifiers that name this tenant's Management API: the https form SDKs compute, and
    /// what hosting the fake on a loopback port forces on clients (the `http://` scheme of a
    /// plain listener, and the `localhost` spelling of the same port). The real tenant matches its
    /// identifier exactly, so anything else (a missing trailing slash, another host) is refused
    /// with `Service not found`.
    pub fn is_management_audience(&self, audience: &str) -> bool {
        let host = &self.inner.address.host;
        let Some(rest) = audience
            .strip_prefix("https://")
            .or_else(|| audience.strip_prefix("http://"))
        else {
            return false;
        };
        let Some(authority) = rest.strip_suffix("/api/v2/") else {
            return false;
        };
        if authority == host {
            return true;
        }
        let port = host.rsplit_once(':').map(|(_, p)| p);
        matches!(authority.rsplit_once(':'), Some(("localhost", p)) if Some(p) == port)
    }

    pub fn key(&self) -> &SigningKey {
        &self.inner.key
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Locks the tenant's state. Keep the guard short-lived and never across `.await`.
    pub fn state(&self) -> MutexGuard<'_, TenantState> {
        // A panic while holding the lock cannot leave half-written state behind (every update
        // is a single assignment or push), so a poisoned lock is still safe to use.
        self.inner.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The tenant's control bundle (journal, fault rules, rate limits).
    pub fn control(&self) -> &Control {
        &self.inner.control
    }

    /// The request journal of this tenant.
    pub fn journal(&self) -> &Journal {
        self.inner.control.journal()
    }

    /// The fault rules of this tenant.
    pub fn faults(&self) -> &Faults {
        self.inner.control.faults()
    }

    /// The rate-limit buckets of this tenant.
    pub fn rate_limits(&self) -> &RateLimits {
        self.inner.control.rate_limits()
    }

    /// Puts the tenant back as it was seeded: the clock first (seeded timestamps read it), then
    /// users, tickets and refresh tokens, then every per-tenant control store (the fixture's
    /// rate limits come back full). The signing key,
    /// the address and the journal settings stay. This is the one place a reset happens: a new
    /// per-tenant store gets its line here.
    pub fn reset(&self) -> Result<(), SeedFailure> {
        self.inner.clock.reset();
        let fresh = self.inner.seed.state(&self.inner.clock)?;
        *self.state() = fresh;
        self.inner.control.clear();
        self.seed_rate_limits();
        Ok(())
    }
}
