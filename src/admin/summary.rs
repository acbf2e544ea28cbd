//! `GET /__authmock__/tenant`: what the listener's tenant was seeded with, as its provider
//! summarises it.

use axum::Json;
use axum::extract::State;

use crate::core::provider::Provider;

#[utoipa::path(get, path = "/__authmock__/tenant", tag = "tenant",
    responses((status = 200, description = "This listener's seeded credentials and ids: `provider` is `auth0` (applications, APIs, connections, users) or `janrain` (API clients, flow, records)", body = Object)))]
#[tracing::instrument(skip_all)]
pub(crate) async fn show<P: Provider>(State(provider): State<P>) -> Json<serde_json::Value> {
    Json(provider.summary())
}
