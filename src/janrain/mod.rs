//! The Janrain / Akamai Identity Cloud Capture provider: its route table and nothing else.
//!
//! One file per resource (`forgot_password`, `oauth`, `profile`, `entity`), the Entity API's
//! domain (`records`, `schema`, `filter`, `server_auth`, `entity_error`), request reading (`extract`),
//! the recovery mail (`mail`), the app state (`app`), rate-limit groups (`ratelimit`) and every
//! wire error (`error`); registration (`register`), email verification (`verify_email`) and the
//! signed-in profile forms (`profile_native`, configured in `native_forms`). Facts:
//! `shared/providers/janrain.md`. Depends on `core`; never on another provider.

#[path = "tenant/mod.rs"]
pub mod app;
#[path = "tenant/state.rs"]
pub mod bounds;
#[path = "entity/mod.rs"]
pub(crate) mod entity;
#[path = "wire/entity_error.rs"]
pub(crate) mod entity_error;
#[path = "wire/error.rs"]
pub(crate) mod error;
#[path = "wire/params.rs"]
pub(crate) mod extract;
#[path = "entity/filter.rs"]
pub(crate) mod filter;
#[path = "oauth/forgot_password.rs"]
pub(crate) mod forgot_password;
#[path = "wire/mail.rs"]
pub(crate) mod mail;
#[path = "tenant/flow.rs"]
pub(crate) mod native_forms;
#[path = "oauth/token.rs"]
pub(crate) mod oauth;
#[path = "entity/signed_in.rs"]
pub(crate) mod profile;
#[path = "oauth/profile.rs"]
pub(crate) mod profile_native;
#[path = "tenant/ratelimit.rs"]
pub(crate) mod ratelimit;
#[path = "tenant/records.rs"]
pub(crate) mod records;
#[path = "oauth/refresh.rs"]
pub(crate) mod refresh;
#[path = "oauth/register.rs"]
pub(crate) mod register;
#[path = "tenant/schema.rs"]
pub(crate) mod schema;
#[path = "entity/auth.rs"]
pub(crate) mod server_auth;
#[path = "tenant/summary.rs"]
pub mod summary;
#[path = "oauth/verify_email.rs"]
pub(crate) mod verify_email;

use std::path::Path;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::post;

pub use app::{JanrainApp, JanrainFixture};
use error::{JanrainError, Unrendered};
use summary::JanrainSummary;

use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::control::Control;
use crate::core::outbox::Outbox;
use crate::core::provider::{Provider, SeedFailure};
use crate::core::ratelimit::Decision;

impl Provider for JanrainApp {
    const KIND: &'static str = "janrain";
    type Fixture = JanrainFixture;
    const EMBEDDED_NAMES: &'static [&'static str] = &["janrain-app"];
    const ERROR_NAMES: &'static [&'static str] = error::NAMED_ERRORS;
    const RATE_LIMIT_GROUPS: &'static [&'static str] = ratelimit::GROUPS;

    fn default_fixture() -> JanrainFixture {
        JanrainFixture::default_app()
    }

    fn load_fixture(path: &Path) -> Result<JanrainFixture, SeedFailure> {
        Ok(JanrainFixture::load(path)?)
    }

    fn parse_fixture(value: serde_json::Value) -> Result<JanrainFixture, SeedFailure> {
        Ok(JanrainFixture::from_value(value)?)
    }

    fn build(fixture: &JanrainFixture, address: TenantAddress, clock: Clock) -> Result<Self, SeedFailure> {
        Ok(fixture.build(address, clock)?)
    }

    fn router(&self) -> Router<Self> {
        router().layer(middleware::from_fn_with_state(self.clone(), finish_errors))
    }

    fn summary(&self) -> serde_json::Value {
        serde_json::to_value(JanrainSummary::of(self)).unwrap_or_default()
    }

    fn banner(&self) -> String {
        JanrainSummary::of(self).banner()
    }

    fn base_url(&self) -> &str {
        JanrainApp::base_url(self)
    }

    fn control(&self) -> &Control {
        JanrainApp::control(self)
    }

    fn clock(&self) -> &Clock {
        JanrainApp::clock(self)
    }

    fn with_outbox<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R {
        f(&mut self.state().outbox)
    }

    fn reset(&self) -> Result<(), SeedFailure> {
        Ok(JanrainApp::reset(self)?)
    }

    fn named_error(&self, name: &str, path: &str) -> Option<Response> {
        Some(JanrainError::named(name, path)?.render(&self.state().random_token(16)))
    }

    fn rate_limit_group(path: &str) -> Option<&'static str> {
        ratelimit::group(path)
    }

    fn refusal(&self, group: &str, decision: &Decision) -> Response {
        ratelimit::refusal(group, decision.reset - self.clock().unix()).render(&self.state().random_token(16))
    }

    /// Capture documents no rate-limit headers (facts §4 "Rate limiting": NOT FOUND), so none
    /// are invented; the refusal's hint names the reset.
    fn report_bucket(&self, _headers: &mut HeaderMap, _decision: &Decision) {}
}

/// Every Capture route of one app.
fn router() -> Router<JanrainApp> {
    Router::new()
        .route("/oauth/forgot_password_native", post(forgot_password::forgot_password))
        .route("/oauth/token", post(oauth::token).get(oauth::token))
        .route("/oauth/auth_native_traditional", post(oauth::sign_in))
        .route("/oauth/update_profile_native", post(profile::update_profile))
        .route("/oauth/refresh_access_token", post(refresh::refresh_access_token))
        .route("/oauth/register_native_traditional", post(register::register))
        .route("/oauth/verify_email_native", post(verify_email::send))
        .route("/access/useVerificationCode", post(verify_email::use_code))
        .route("/entity", post(entity::read).get(entity::read))
        .route("/entity.find", post(entity::find).get(entity::find))
        .route("/entity.count", post(entity::count).get(entity::count))
        .route("/entity.create", post(entity::create))
        .route("/entity.update", post(entity::update))
        .route("/entity.replace", post(entity::replace))
        .route("/entity.delete", post(entity::delete))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
}

async fn not_found(req: Request) -> JanrainError {
    JanrainError::NotFound {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
    }
}

/// Renders a handler's [`JanrainError`] with the next request id of the app's seeded RNG.
async fn finish_errors(State(app): State<JanrainApp>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    match response.extensions_mut().remove::<Unrendered>() {
        Some(Unrendered(error)) => error.render(&app.state().random_token(16)),
        None => response,
    }
}
