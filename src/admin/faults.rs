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

use super::error::{AdminError, AdminJson};
use crate::auth0::error::NAMED_ERRORS;
use crate::core::faults::{ActiveFault, FaultDefinition};
use crate::core::tenant::Tenant;

#[derive(Debug, Serialize)]
pub struct FaultList {
    pub faults: Vec<ActiveFault>,
}

#[tracing::instrument(skip_all)]
pub async fn add(
    State(tenant): State<Tenant>,
    AdminJson(definition): AdminJson<FaultDefinition>,
) -> Result<(StatusCode, Json<ActiveFault>), AdminError> {
    let rule = definition
        .check(|name| NAMED_ERRORS.contains(&name))
        .map_err(|e| AdminError::BadRequest(e.0))?;
    Ok((StatusCode::CREATED, Json(tenant.faults().add(rule))))
}

#[tracing::instrument(skip_all)]
pub async fn list(State(tenant): State<Tenant>) -> Json<FaultList> {
    Json(FaultList {
        faults: tenant.faults().list(),
    })
}

#[tracing::instrument(skip_all)]
pub async fn remove(State(tenant): State<Tenant>, Path(id): Path<String>) -> Result<StatusCode, AdminError> {
    match id.parse::<u64>() {
        Ok(id) if tenant.faults().remove(id) => Ok(StatusCode::NO_CONTENT),
        _ => Err(AdminError::NotFound(format!(
            "no fault rule with id {id:?}: GET /__authmock__/faults lists them"
        ))),
    }
}

#[tracing::instrument(skip_all)]
pub async fn clear(State(tenant): State<Tenant>) -> StatusCode {
    tenant.faults().clear();
    StatusCode::NO_CONTENT
}
