//! The Auth0 provider: its tenant, its route table, and its [`Provider`] impl.
//!
//! The tenant (`tenant`: the handle and its state; `seed`: fixtures), one file per resource
//! (`oauth`, `discovery`, `tickets`, `users`, `dbconnections`, `hosted`), the extractors that
//! reject before handlers run (`extract`), schema findings (`payload`), the summary served at
//! `GET /__authmock__/tenant` (`summary`), and every wire string: errors in `error`, page copy
//! in `text`. Depends on `core`; never on another provider.

pub mod application;
pub(crate) mod attack_protection;
pub(crate) mod authorize;
pub mod bounds;
pub(crate) mod callback;
pub(crate) mod code_grant;
pub(crate) mod cors;
pub(crate) mod dbconnections;
pub(crate) mod discovery;
pub(crate) mod email_verification;
pub(crate) mod error;
pub(crate) mod extract;
pub(crate) mod hosted;
pub(crate) mod login;
pub(crate) mod login_connection;
pub(crate) mod login_error;
pub(crate) mod login_text;
pub mod logins;
pub(crate) mod logout;
pub(crate) mod mail;
pub(crate) mod oauth;
pub(crate) mod opaque_tokens;
pub(crate) mod password_rules;
pub(crate) mod payload;
pub(crate) mod query;
pub(crate) mod quota;
pub(crate) mod ratelimit;
pub(crate) mod refresh;
mod reset;
pub(crate) mod revoke;
pub(crate) mod roles;
pub mod seed;
pub(crate) mod session;
pub(crate) mod signup;
pub mod summary;
pub mod tenant;
mod text;
pub(crate) mod tickets;
pub mod user_index;
pub(crate) mod user_lifecycle;
pub(crate) mod user_search;
pub(crate) mod user_tokens;
pub(crate) mod userinfo;
pub(crate) mod users;

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use rand::RngExt as _;

use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::control::Control;
use crate::core::journal::Unrouted;
use crate::core::outbox::Outbox;
use crate::core::provider::{ControlRoute, Provider, SeedFailure, control_route};
use crate::core::ratelimit::{Decision, RateLimits};
use error::{Auth0Error, set_rate_limit_headers};
use seed::{Fixture, SeedError};
use summary::TenantSummary;
pub use tenant::Tenant;

impl Provider for Tenant {
    const KIND: &'static str = "auth0";
    type Fixture = Fixture;
    const EMBEDDED_NAMES: &'static [&'static str] = &["auth0-tenant"];
    const ERROR_NAMES: &'static [&'static str] = error::NAMED_ERRORS;
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
        router().layer(middleware::from_fn_with_state(self.clone(), cors::cors))
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
        f(&mut self.state().outbox)
    }

    fn reset(&self) -> Result<(), SeedFailure> {
        Tenant::reset(self)
    }

    /// Rate-limit errors carry headers claiming a bucket of one that refills in a second on
    /// the tenant clock.
    /// The M2M token quotas (`quota`): `GET`/`POST`/`DELETE /__authmock__/client-quotas`.
    fn control_routes() -> Vec<ControlRoute<Self>> {
        vec![
            control_route(Method::GET, "/__authmock__/client-quotas", quota::list),
            control_route(Method::POST, "/__authmock__/client-quotas", quota::set),
            control_route(Method::DELETE, "/__authmock__/client-quotas", quota::clear),
        ]
    }

    fn control_openapi() -> Option<utoipa::openapi::OpenApi> {
        Some(<quota::QuotaApi as utoipa::OpenApi>::openapi())
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

/// Every Auth0 route of one tenant.
fn router() -> Router<Tenant> {
    Router::new()
        .route("/oauth/token", post(oauth::token))
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::openid_configuration),
        )
        .route("/pem", get(discovery::pem))
        .route("/api/v2/tickets/password-change", post(tickets::create_password_change))
        .route(
            "/api/v2/tickets/email-verification",
            post(email_verification::create_ticket),
        )
        .route("/api/v2/jobs/verification-email", post(email_verification::create_job))
        .route("/api/v2/jobs/{id}", get(email_verification::get_job))
        .route(
            email_verification::UNIVERSAL_VERIFY_PATH,
            get(email_verification::verify),
        )
        .route(email_verification::CLASSIC_VERIFY_PATH, get(email_verification::verify))
        .route(
            "/api/v2/user-blocks",
            get(attack_protection::get_by_identifier).delete(attack_protection::delete_by_identifier),
        )
        .route(
            "/api/v2/user-blocks/{id}",
            get(attack_protection::get_by_id).delete(attack_protection::delete_by_id),
        )
        .route(attack_protection::UNBLOCK_PATH, get(attack_protection::unblock_page))
        .route("/api/v2/roles", get(roles::list).post(roles::create))
        .route(
            "/api/v2/roles/{id}",
            get(roles::get).patch(roles::update).delete(roles::delete),
        )
        .route(
            "/api/v2/roles/{id}/permissions",
            get(roles::role_permissions)
                .post(roles::add_role_permissions)
                .delete(roles::remove_role_permissions),
        )
        .route(
            "/api/v2/users/{id}/roles",
            get(roles::user_roles)
                .post(roles::assign_roles)
                .delete(roles::remove_roles),
        )
        .route(
            "/api/v2/users/{id}/permissions",
            get(roles::user_permissions)
                .post(roles::add_user_permissions)
                .delete(roles::remove_user_permissions),
        )
        .route("/api/v2/users", get(user_search::list).post(user_lifecycle::create))
        .route(
            "/api/v2/users/{id}",
            get(users::get).patch(users::update).delete(user_lifecycle::delete),
        )
        .route("/api/v2/users-by-email", get(users::by_email))
        .route("/dbconnections/change_password", post(dbconnections::change_password))
        .route("/dbconnections/signup", post(signup::signup))
        .route(hosted::UNIVERSAL_RESET_PATH, get(hosted::show).post(hosted::submit))
        .route(hosted::CLASSIC_RESET_PATH, get(hosted::show).post(hosted::submit))
        .route("/authorize", get(authorize::authorize))
        .route("/u/login", get(login::show).post(login::submit))
        .route("/authorize/resume", get(login::resume))
        .route("/oauth/revoke", post(revoke::revoke))
        .route("/userinfo", get(userinfo::userinfo).post(userinfo::userinfo))
        .route("/v2/logout", get(logout::v2_logout))
        .route("/oidc/logout", get(logout::oidc_logout).post(logout::oidc_logout))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn(request_id))
}

/// hapi answers unknown routes and unknown methods alike with its 404 envelope (facts §2.1).
/// The [`Unrouted`] marker tells the journal this 404 is "no such route".
async fn not_found(req: Request) -> Response {
    let mut response = Auth0Error::NotFound {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
    }
    .into_response();
    response.extensions_mut().insert(Unrouted);
    response
}

/// The id of the request being handled, as sent back in `X-Auth0-RequestId` (hosted error
/// pages print it as their tracking id).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

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
