//! `/__authmock__/faults`: add, list and remove fault rules (see `core::faults`).
//!
//! ```text
//! POST   /__authmock__/faults      {"method":"POST","path":"/oauth/token","times":2,"error":"auth0.rate_limited"}
//!                                  → 201 the rule with its id, hits and remaining
//! GET    /__authmock__/faults      → {"faults":[…]} in the order they are tried
//! DELETE /__authmock__/faults/{id} → 204, or 404 when there is no such rule
//! DELETE /__authmock__/faults      → 204
//! ```

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use crate::core::control_error::ErrorBody;
use crate::core::control_error::{AdminError, AdminJson};
use crate::core::faults::{ActiveFault, FaultDefinition};
use crate::core::provider::Provider;

#[derive(Debug, Serialize)]
pub struct FaultList {
    pub faults: Vec<ActiveFault>,
}

#[utoipa::path(post, path = "/__authmock__/faults", tag = "faults",
    request_body(content = Object, description = "`method`, `path` (`*` globs), `body_contains`, `header {name, contains}`, `times`, `delay_ms`, and one of `respond {status, headers, body}`, `error` (a named provider error), `drop`, `reset_mid_body`"),
    responses((status = 201, description = "The rule with its `id`, `hits`, `remaining`", body = Object), (status = 400, description = "Bad input", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn add<P: Provider>(
    State(provider): State<P>,
    AdminJson(definition): AdminJson<FaultDefinition>,
) -> Result<(StatusCode, Json<ActiveFault>), AdminError> {
    let rule = definition
        .check(|name| P::ERROR_NAMES.contains(&name))
        .map_err(|e| AdminError::BadRequest(format!("{} (named errors here: {})", e.0, P::ERROR_NAMES.join(", "))))?;
    Ok((StatusCode::CREATED, Json(provider.control().faults().add(rule))))
}

#[utoipa::path(get, path = "/__authmock__/faults", tag = "faults",
    responses((status = 200, description = "`{faults: [...]}` in the order they are tried", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn list<P: Provider>(State(provider): State<P>) -> Json<FaultList> {
    Json(FaultList {
        faults: provider.control().faults().list(),
    })
}

#[utoipa::path(delete, path = "/__authmock__/faults/{id}", tag = "faults",
    params(("id" = u64, Path, description = "The rule's id")),
    responses((status = 204, description = "Removed"), (status = 404, description = "No such rule", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn remove<P: Provider>(State(provider): State<P>, Path(id): Path<String>) -> Result<StatusCode, AdminError> {
    match id.parse::<u64>() {
        Ok(id) if provider.control().faults().remove(id) => Ok(StatusCode::NO_CONTENT),
        _ => Err(AdminError::NotFound(format!(
            "no fault rule with id {id:?}: GET /__authmock__/faults lists them"
        ))),
    }
}

#[utoipa::path(delete, path = "/__authmock__/faults", tag = "faults",
    responses((status = 204, description = "Every rule removed")))]
#[tracing::instrument(skip_all)]
pub async fn clear<P: Provider>(State(provider): State<P>) -> StatusCode {
    provider.control().faults().clear();
    StatusCode::NO_CONTENT
}
