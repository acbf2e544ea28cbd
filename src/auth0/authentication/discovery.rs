//! `/.well-known/jwks.json`, `/.well-known/openid-configuration` and `/pem`: the public key
//! material and metadata clients use to verify tokens, consistent with the signing key
//! (facts §1.4). The issuer is the tenant base URL with a trailing slash.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::Value;

use crate::auth0::tenant::Tenant;
use crate::auth0::wire::discovery;

#[tracing::instrument(skip_all)]
pub(super) async fn jwks(State(tenant): State<Tenant>) -> Json<Value> {
    Json(tenant.key().jwks())
}

#[tracing::instrument(skip_all)]
pub(super) async fn openid_configuration(State(tenant): State<Tenant>) -> Json<Value> {
    Json(discovery::openid_configuration(&tenant.issuer()))
}

/// The legacy `/pem` endpoint: the signing certificate (facts §1.4, obs).
#[tracing::instrument(skip_all)]
pub(super) async fn pem(State(tenant): State<Tenant>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        tenant.key().certificate_pem().to_owned(),
    )
}
