//! The Janrain / Akamai Identity Cloud Capture provider: its route table and nothing else.
//!
//! One file per resource (`forgot_password`, `oauth`, `profile`), request reading (`extract`),
//! the recovery mail (`mail`), the app state (`app`), rate-limit groups (`ratelimit`) and every
//! wire error (`error`). Facts:
//! `shared/providers/janrain.md`. Depends on `core`; never on another provider.

pub mod app;
pub mod error;
pub mod extract;
pub mod forgot_password;
pub mod mail;
pub mod oauth;
pub mod profile;
pub mod ratelimit;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::post;

pub use app::{JanrainApp, JanrainFixture};
use error::JanrainError;

/// Every Capture route of one app.
pub fn router() -> Router<JanrainApp> {
    Router::new()
        .route("/oauth/forgot_password_native", post(forgot_password::forgot_password))
        .route("/oauth/token", post(oauth::token).get(oauth::token))
        .route("/oauth/auth_native_traditional", post(oauth::sign_in))
        .route("/oauth/update_profile_native", post(profile::update_profile))
        .route("/entity", post(profile::entity))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
}

async fn not_found(State(app): State<JanrainApp>, req: Request) -> Response {
    JanrainError::NotFound {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
    }
    .respond(&app)
}
