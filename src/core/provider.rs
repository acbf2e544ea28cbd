//! The one trait a provider implements, and what `admin/` and `server/` know of it.
//!
//! A provider (Auth0, Janrain Capture) is a folder that owns its tenant state, its seeding, its
//! route table and all of its wire text. The control API (`admin`) and the listeners, the
//! exchange layer and the registry of runtime tenants (`server`) are written once against
//! [`Provider`] and never name a provider. The list of providers lives in
//! `server::registry`.
//!
//! The handle implementing [`Provider`] is the router state of one listener: cheap to clone
//! (an `Arc` inside), shared by every request of that listener.

use std::path::Path;

use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};

use super::address::TenantAddress;
use super::clock::Clock;
use super::control::Control;
use super::outbox::Outbox;
use super::ratelimit::Decision;

/// The header every provider's errors carry to say why (`x-authmock-hint`): one line on what
/// the client sent wrong and what to change. Not a provider header; authmock's own.
pub const HINT_HEADER: &str = "x-authmock-hint";

/// Why a fixture could not become a tenant, whatever the provider.
pub type SeedFailure = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One control route: the method and path it is registered under, and its handler. The
/// listeners' control routers are built from these (`admin::table`) and nothing else, so what is
/// listed is what is served (the OpenAPI test walks it).
pub struct ControlRoute<S> {
    pub method: Method,
    pub path: &'static str,
    pub(crate) handler: MethodRouter<S>,
}

/// The banner's lines for the control API and the console of the listener at `base_url`, the
/// same for every provider.
pub fn control_banner(base_url: &str) -> String {
    format!(
        "  control API           {base_url}/__authmock__/ (tenant, clock, journal, faults, rate-limits, outbox, reset)\n  \
         console               {base_url}/__authmock__/ui (inbox, journal, tenant, clock, faults)\n"
    )
}

/// A control route of `handler` on `method path`.
pub fn control_route<S, H, T>(method: Method, path: &'static str, handler: H) -> ControlRoute<S>
where
    H: Handler<T, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("control routes use standard methods");
    ControlRoute {
        method,
        path,
        handler: on(filter, handler),
    }
}

/// One provider's tenant, as the control API, the exchange layer and the listeners see it.
pub trait Provider: Clone + Send + Sync + 'static {
    /// `auth0` or `janrain`: the name in summaries, `POST /__authmock__/tenants` and errors.
    const KIND: &'static str;
    /// What a fixture file holds for this provider.
    type Fixture: Clone + Send + Sync + 'static;

    /// The embedded default fixture (`authmock serve` with no configuration).
    fn default_fixture() -> Self::Fixture;
    /// The names `POST /__authmock__/tenants {"fixture": …}` accepts for the embedded fixture.
    const EMBEDDED_NAMES: &'static [&'static str];
    /// A fixture file; errors name the file and the JSON path of the bad field.
    fn load_fixture(path: &Path) -> Result<Self::Fixture, SeedFailure>;
    /// An inline fixture (`"seed"` of `POST /__authmock__/tenants`).
    fn parse_fixture(value: serde_json::Value) -> Result<Self::Fixture, SeedFailure>;
    /// The tenant a fixture describes, served at `address` on `clock`. Checks what only the
    /// provider can (its rate-limit groups, its references between records).
    fn build(fixture: &Self::Fixture, address: TenantAddress, clock: Clock) -> Result<Self, SeedFailure>;

    /// Every provider route of this tenant (the control routes are added by `admin`).
    fn router(&self) -> Router<Self>;
    /// What `GET /__authmock__/tenant` answers and `authmock serve` prints: the seeded
    /// credentials and ids, with `"provider": KIND`.
    fn summary(&self) -> serde_json::Value;
    /// The human-readable start-up banner `authmock serve` prints for this tenant.
    fn banner(&self) -> String;
    /// `http://127.0.0.1:<port>`, no trailing slash.
    fn base_url(&self) -> &str;

    /// The journal, fault rules and rate limits of this tenant.
    fn control(&self) -> &Control;
    fn clock(&self) -> &Clock;
    /// Runs `f` on the outbox (under the provider's state lock: keep it short).
    fn with_outbox<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R;
    /// Back to the seed; the error says why the seed no longer builds.
    fn reset(&self) -> Result<(), SeedFailure>;

    /// Control routes of this provider's own, after the shared table (Auth0's M2M token
    /// quotas); none by default.
    fn control_routes() -> Vec<ControlRoute<Self>> {
        Vec::new()
    }
    /// The OpenAPI description of [`Provider::control_routes`], merged into the listener's
    /// `openapi.json`.
    fn control_openapi() -> Option<utoipa::openapi::OpenApi> {
        None
    }

    /// Provider errors a fault rule may inject by name (`"error": "auth0.rate_limited"`).
    const ERROR_NAMES: &'static [&'static str];
    /// The response of a fault rule's named error on `path` (names are checked when the rule
    /// is added, against [`Provider::ERROR_NAMES`]).
    fn named_error(&self, name: &str, path: &str) -> Option<Response>;

    /// Endpoint groups a rate-limit bucket may be set on.
    const RATE_LIMIT_GROUPS: &'static [&'static str];
    /// The rate-limit group a request path belongs to, if any.
    fn rate_limit_group(path: &str) -> Option<&'static str>;
    /// The answer of an empty bucket in `group` (`decision.reset` is when it refills).
    fn refusal(&self, group: &str, decision: &Decision) -> Response;
    /// Marks any response that went through a limited bucket (Auth0's `x-ratelimit-*`).
    fn report_bucket(&self, headers: &mut HeaderMap, decision: &Decision);
}
