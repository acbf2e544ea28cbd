//! A tenant: everything one fake identity-provider account holds, behind its own lock.
//!
//! [`Tenant`] is a cheap handle (`Arc`) shared by every request of one listener. Immutable
//! parts (name, addresses, signing key, clock) live outside the lock; mutable state (users,
//! tickets, refresh tokens, the RNG) lives in [`TenantState`] behind a std `Mutex`, because
//! every critical section is a short in-memory lookup or update and is never held across an
//! `.await`. The one long read, user search, takes a snapshot of the users under the lock and
//! matches outside it (`users::Users::snapshot`). Tenants never share state, so parallel tests
//! never contend.
//! The state is in `state.rs`, its records in `model.rs` and `users.rs`; `seed.rs` builds tenants
//! from fixtures (read it next); the other files are the operations that keep its invariants.

pub(crate) mod apis;
pub mod applications;
pub mod bounds;
pub(crate) mod brute_force;
pub(crate) mod clients;
pub(crate) mod connections;
pub(crate) mod custom_db;
pub(crate) mod guardian;
pub(crate) mod imports;
pub(crate) mod janrain_login;
pub(crate) mod lifecycle;
pub(crate) mod logins;
pub(crate) mod mfa;
pub(crate) mod mfa_methods;
pub(crate) mod model;
pub(crate) mod opaque_tokens;
pub(crate) mod organizations;
pub(crate) mod password_rules;
pub(crate) mod quota;
pub(crate) mod ratelimit;
pub(crate) mod rbac;
pub mod seed;
pub(crate) mod settings;
pub(crate) mod state;
pub mod summary;
pub(crate) mod tickets;
pub(crate) mod tokens;
pub mod users;
pub(crate) mod verification;

use std::sync::{Arc, Mutex, MutexGuard};

use crate::auth0::tenant::state::TenantState;
pub use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::control::Control;
use crate::core::faults::Faults;
use crate::core::journal::Journal;
use crate::core::keys::SigningKey;
use crate::core::provider::SeedFailure;
use crate::core::ratelimit::{BucketDefinition, RateLimits};

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

    /// The MFA API's audience, `https://<tenant>/mfa/` (doc: DOC-mfa-manage), also in its
    /// `http://` form on a plain listener, as the Management API's.
    pub fn is_mfa_audience(&self, audience: &str) -> bool {
        let host = &self.inner.address.host;
        audience == format!("https://{host}/mfa/") || audience == format!("http://{host}/mfa/")
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
