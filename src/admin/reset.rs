//! `POST /__authmock__/reset`: the tenant (or Janrain app) as it was seeded (users or records,
//! tickets, codes, tokens, outbox, journal, fault rules, rate limits, clock), answered with 204.
//! See `Tenant::reset` and `JanrainApp::reset`.

use axum::extract::State;
use axum::http::StatusCode;

use super::Controlled;
use super::error::AdminError;

#[tracing::instrument(skip_all)]
pub async fn reset<P: Controlled>(State(provider): State<P>) -> Result<StatusCode, AdminError> {
    provider
        .reset()
        .map_err(|e| AdminError::Internal(format!("the seed no longer builds: {e}")))?;
    Ok(StatusCode::NO_CONTENT)
}
