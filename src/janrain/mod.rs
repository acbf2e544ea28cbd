//! The Janrain / Akamai Identity Cloud Capture provider: its route table and nothing else.
//!
//! One file per resource (`forgot_password`, `oauth`, `profile`, `entity`), the Entity API's
//! domain (`records`, `schema`, `filter`, `server_auth`, `entity_error`), request reading (`extract`),
//! the recovery mail (`mail`), the app state (`app`), rate-limit groups (`ratelimit`) and every
//! wire error (`error`). Facts:
//! `shared/providers/janrain.md`. Depends on `core`; never on another provider.

pub mod app;
pub mod entity;
pub mod entity_error;
pub mod error;
pub mod extract;
pub mod filter;
pub mod forgot_password;
pub mod mail;
pub mod oauth;
pub mod profile;
pub mod ratelimit;
pub mod records;
pub mod schema;
pub mod server_auth;

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

async fn not_found(State(app): State<JanrainApp>, req: Request) -> Response {
    JanrainError::NotFound {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
    }
    .respond(&app)
}
