//! The Auth0 provider, shaped like its documentation: the Authentication API
//! (`authentication/`, OAuth envelope), the Management API v2 (`management/`, hapi envelope) and
//! Universal Login with its hosted pages (`login/`), over the tenant (`tenant/`: its state and
//! every operation that keeps a tenant invariant), over the wire text (`wire/`: every byte of
//! provider text). An API folder never imports another; `tenant/` imports `wire/` and `core`;
//! `wire/` imports `core` only (`tests/architecture.rs` holds the rule). This file merges the
//! three APIs' routes and implements [`Provider`].

mod authentication;
mod control;
mod login;
mod management;
pub mod tenant;
pub(crate) mod wire;

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use rand::RngExt as _;

use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::control::Control;
use crate::core::journal::Unrouted;
use crate::core::outbox::Outbox;
use crate::core::provider::{ControlRoute, Provider, SeedFailure, control_route};
use crate::core::ratelimit::{Decision, RateLimits};
pub use tenant::Tenant;
pub use tenant::model::LoginExperience;
use tenant::ratelimit;
use tenant::seed::SeedError;
pub use tenant::seed::{DEFAULT_AUTH0_FIXTURE, Fixture};
pub use tenant::summary::TenantSummary;
pub use wire::era::WireEra;
use wire::error::Auth0Error;
use wire::mgmt_error::MgmtError;
use wire::named::NAMED_ERRORS;
use wire::respond::{RequestId, set_rate_limit_headers};

impl Provider for Tenant {
    const KIND: &'static str = "auth0";
    type Fixture = Fixture;
    const EMBEDDED_NAMES: &'static [&'static str] = &["auth0-tenant"];
    const ERROR_NAMES: &'static [&'static str] = NAMED_ERRORS;
    const RATE_LIMIT_GROUPS: &'static [&'static str] = ratelimit::GROUPS;

    fn default_fixture() -> Fixture {
        Fixture::default_auth0()
    }

    fn load_fixture(path: &Path) -> Result<Fixture, SeedFailure> {
        Ok(Fixture::load(path)?)
    }

    fn parse_fixture(value: serde_json::Value) -> Result<Fixture, SeedFailure> {
        Ok(Fixture::from_value(value)?)
    }

    /// The fixture's `rate_limits` must name Auth0 groups and valid buckets.
    fn build(fixture: &Fixture, address: TenantAddress, clock: Clock) -> Result<Self, SeedFailure> {
        RateLimits::default()
            .seed(&fixture.buckets(), 0, |g| ratelimit::GROUPS.contains(&g))
            .map_err(|e| SeedError::Invalid(format!("{e} (groups: {})", ratelimit::GROUPS.join(", "))))?;
        Ok(fixture.build(address, clock)?)
    }

    fn router(&self) -> Router<Self> {
        router().layer(middleware::from_fn_with_state(self.clone(), authentication::cors::cors))
    }

    fn summary(&self) -> serde_json::Value {
        serde_json::to_value(TenantSummary::of(self)).unwrap_or_default()
    }

    fn banner(&self) -> String {
        TenantSummary::of(self).banner()
    }

    fn base_url(&self) -> &str {
        Tenant::base_url(self)
    }

    fn control(&self) -> &Control {
        Tenant::control(self)
    }

    fn clock(&self) -> &Clock {
        Tenant::clock(self)
    }

    fn with_outbox<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R {
        f(self.state().outbox_mut().0)
    }

    fn reset(&self) -> Result<(), SeedFailure> {
        Tenant::reset(self)
    }

    /// Rate-limit errors carry headers claiming a bucket of one that refills in a second on
    /// the tenant clock.
    /// The M2M token quotas (`quota`): `GET`/`POST`/`DELETE /__authmock__/client-quotas`; the
    /// current TOTP code of an authenticator: `GET /__authmock__/mfa/totp`; the answer to a push
    /// notification: `POST /__authmock__/mfa/push`.
    fn control_routes() -> Vec<ControlRoute<Self>> {
        vec![
            control_route(Method::GET, "/__authmock__/client-quotas", control::list),
            control_route(Method::POST, "/__authmock__/client-quotas", control::set),
            control_route(Method::DELETE, "/__authmock__/client-quotas", control::clear),
            control_route(Method::GET, "/__authmock__/mfa/totp", control::totp),
            control_route(Method::POST, "/__authmock__/mfa/push", control::push),
        ]
    }

    fn control_openapi() -> Option<utoipa::openapi::OpenApi> {
        Some(<control::QuotaApi as utoipa::OpenApi>::openapi())
    }

    fn named_error(&self, name: &str, _path: &str) -> Option<Response> {
        let error = Auth0Error::named(name, 1)?;
        let rate_limited = error.is_rate_limit();
        let mut response = error.into_response();
        if rate_limited {
            set_rate_limit_headers(response.headers_mut(), 1, 0, self.clock().unix() + 1);
        }
        if name == "auth0.client_quota_exceeded" {
            // DOC-quota: a quota 429 also says `Retry-After` in seconds, here up to the reset.
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(1u64));
        }
        Some(response)
    }

    fn rate_limit_group(path: &str) -> Option<&'static str> {
        ratelimit::group(path)
    }

    fn refusal(&self, group: &str, decision: &Decision) -> Response {
        ratelimit::refusal(group, decision.reset - self.clock().unix()).into_response()
    }

    /// Facts §6 and §11: the headers are on every response of a limited endpoint, success or
    /// 429. A response that already reports a limit keeps it: the M2M quota's 429 tells the
    /// quota that refused it (DOC-quota), not the endpoint bucket.
    fn report_bucket(&self, headers: &mut HeaderMap, decision: &Decision) {
        if !headers.contains_key("x-ratelimit-limit") {
            set_rate_limit_headers(headers, decision.limit, decision.remaining, decision.reset);
        }
    }
}

/// Every Auth0 route of one tenant: the three APIs' routes, then hapi's 404 for anything else.
fn router() -> Router<Tenant> {
    Router::new()
        .merge(authentication::routes())
        .merge(management::routes())
        .merge(login::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn(request_id))
}

/// hapi answers unknown routes and unknown methods alike with its 404 envelope (facts §2.1).
/// The [`Unrouted`] marker tells the journal this 404 is "no such route".
async fn not_found(req: Request) -> Response {
    let mut response = MgmtError::NotFound {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
    }
    .into_response();
    response.extensions_mut().insert(Unrouted);
    response
}

/// Every response carries `X-Auth0-RequestId` (facts §2.1, obs: 20 hex characters).
async fn request_id(mut req: Request, next: Next) -> Response {
    let id: String = (0..10).map(|_| format!("{:02x}", rand::rng().random::<u8>())).collect();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-auth0-requestid", value);
    }
    response
}
