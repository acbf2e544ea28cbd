//! The Janrain / Akamai Identity Cloud Capture provider, in four layers:
//!
//! - `oauth/`: Capture's OAuth and native-form API (`/oauth/*`, `/access/useVerificationCode`);
//! - `entity/`: the Entity API (`/entity*`), with its server-to-server authentication;
//! - `tenant/`: the Capture app (handle, state, fixture, clients, flow and forms, records, codes
//!   and tokens) and every operation that keeps its invariants, shared by both APIs;
//! - `wire/`: every byte of Capture text (errors, form names and texts, mail) and request
//!   decoding; imports `core` only.
//!
//! Imports point down only: the API folders use `tenant` and `wire`, never each other; `tenant`
//! uses `wire`. This file joins the two APIs' routes and implements [`Provider`]. Facts:
//! `shared/providers/janrain.md`, `janrain-entity.md`. Depends on `core`; never on another
//! provider.

mod entity;
mod oauth;
mod tenant;
mod wire;

use std::path::Path;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::Response;

pub use self::tenant::JanrainApp;
pub use self::tenant::clients::CaptureClient;
use self::tenant::ratelimit;
pub use self::tenant::seed::{JanrainFixture, JanrainSeedError};
pub use self::tenant::summary::JanrainSummary;
use self::wire::error::{JanrainError, NAMED_ERRORS, Unrendered};
pub use self::wire::text::{CHANGE_PASSWORD_FORM, FORGOT_PASSWORD_FORM, SIGN_IN_FORM};
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
    const ERROR_NAMES: &'static [&'static str] = NAMED_ERRORS;
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

/// Every Capture route of one app: the OAuth API's and the Entity API's, and a Capture
/// envelope for any other path or method.
fn router() -> Router<JanrainApp> {
    oauth::routes()
        .merge(entity::routes())
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
