//! `POST /__authmock__/reset`: the tenant (or Janrain app) as it was seeded (users or records,
//! tickets, codes, tokens, outbox, journal, fault rules, rate limits, clock), answered with 204.
//! See `Tenant::reset` and `JanrainApp::reset`.

use axum::extract::State;
use axum::http::StatusCode;

use crate::core::control_error::AdminError;
use crate::core::control_error::ErrorBody;
use crate::core::provider::Provider;

#[utoipa::path(post, path = "/__authmock__/reset", tag = "reset",
    responses((status = 204, description = "Back to the seed: users or records, tickets, codes, tokens, outbox, journal, faults, rate limits (the fixture's, full), clock"), (status = 500, description = "The seed no longer builds", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn reset<P: Provider>(State(provider): State<P>) -> Result<StatusCode, AdminError> {
    provider
        .reset()
        .map_err(|e| AdminError::Internal(format!("the seed no longer builds: {e}")))?;
    crate::core::memory::give_back();
    Ok(StatusCode::NO_CONTENT)
}
