//! `GET /__authmock__/health`: liveness and readiness of one listener, for container health
//! checks, orchestrator probes and `authmock healthcheck`.
//!
//! It answers `200 {"status":"ok","provider":"auth0"}` (or `janrain`) once the listener serves
//! requests, and needs no admin token: it says nothing about the tenant (see `auth`).

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::core::provider::Provider;

/// The path, also what `authmock healthcheck` requests.
pub const PATH: &str = "/__authmock__/health";

/// What the route returns.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Always `ok`: a listener that answers is healthy.
    pub status: &'static str,
    /// `auth0` or `janrain`.
    pub provider: &'static str,
}

#[utoipa::path(get, path = "/__authmock__/health", tag = "health",
    responses((status = 200, description = "The listener serves requests: `{\"status\":\"ok\",\"provider\":\"auth0\"|\"janrain\"}`. Needs no admin token", body = Object)))]
pub async fn show<P: Provider>(State(_provider): State<P>) -> Json<Health> {
    Json(Health {
        status: "ok",
        provider: P::KIND,
    })
}
