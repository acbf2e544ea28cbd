//! `POST /__authmock__/reset`: the tenant as it was seeded (users, tickets, refresh tokens,
//! journal, fault rules, clock), answered with 204. See `Tenant::reset`.

use axum::extract::State;
use axum::http::StatusCode;

use super::error::AdminError;
use crate::core::tenant::Tenant;

#[tracing::instrument(skip_all)]
pub async fn reset(State(tenant): State<Tenant>) -> Result<StatusCode, AdminError> {
    tenant
        .reset()
        .map_err(|e| AdminError::Internal(format!("the tenant's seed no longer builds: {e}")))?;
    Ok(StatusCode::NO_CONTENT)
}
