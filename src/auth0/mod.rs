//! The Auth0 provider: its route table and nothing else.
//!
//! One file per resource (`oauth`, `discovery`, `tickets`, `users`), the extractors that reject
//! before handlers run (`extract`), schema findings (`payload`) and every wire error (`error`).
//! Depends on `core`; never on another provider.

pub mod dbconnections;
pub mod discovery;
pub mod error;
pub mod extract;
pub mod hosted;
pub mod mail;
pub mod oauth;
pub mod payload;
pub mod quota;
pub mod ratelimit;
pub mod tickets;
pub mod users;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use rand::RngExt as _;

use crate::core::journal::Unrouted;
use crate::core::tenant::Tenant;
use error::Auth0Error;

/// Every Auth0 route of one tenant.
pub fn router() -> Router<Tenant> {
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
        .route("/api/v2/users/{id}", get(users::get).patch(users::update))
        .route("/api/v2/users-by-email", get(users::by_email))
        .route("/dbconnections/change_password", post(dbconnections::change_password))
        .route(hosted::UNIVERSAL_RESET_PATH, get(hosted::show).post(hosted::submit))
        .route(hosted::CLASSIC_RESET_PATH, get(hosted::show).post(hosted::submit))
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
