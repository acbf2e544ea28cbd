//! The Authentication API: `/oauth/token` and its grants, `/oauth/revoke`, `/userinfo`,
//! `/dbconnections/*`, the discovery documents and multi-factor authentication (`/mfa/*`). Answers in the OAuth envelope
//! (`wire::error`). Imports `tenant/`, `wire/` and `core`; never another API folder.

mod code_grant;
pub(super) mod cors;
mod dbconnections;
mod discovery;
mod mfa;
mod mfa_required;
mod params;
mod refresh;
mod revoke;
mod signup;
mod token;
mod userinfo;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::auth0::tenant::Tenant;

/// The Authentication API's routes.
pub(super) fn routes() -> Router<Tenant> {
    Router::new()
        .route("/oauth/token", post(token::token))
        .route("/oauth/revoke", post(revoke::revoke))
        .route("/userinfo", get(userinfo::userinfo).post(userinfo::userinfo))
        .route("/dbconnections/change_password", post(dbconnections::change_password))
        .route("/dbconnections/signup", post(signup::signup))
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
        .route("/mfa/associate", post(mfa::associate))
        .route("/mfa/challenge", post(mfa::challenge))
        .route("/mfa/authenticators", get(mfa::list))
        .route("/mfa/authenticators/{id}", delete(mfa::delete))
}
