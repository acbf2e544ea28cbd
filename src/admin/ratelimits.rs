//! `/__authmock__/rate-limits`: token buckets per endpoint group (see `core::ratelimit` and
//! `auth0::ratelimit` for the groups).
//!
//! ```text
//! POST   /__authmock__/rate-limits {"group":"management","limit":2,"window_secs":1,"mode":"enforce"}
//!                                  → 201 the bucket, full (or holding `remaining`), its window
//!                                    starting now
//! GET    /__authmock__/rate-limits → {"buckets":[{group, limit, refill, window_secs, remaining, reset, mode}]}
//! DELETE /__authmock__/rate-limits → 204, nothing rate limited
//! ```

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::core::control_error::ErrorBody;
use crate::core::control_error::{AdminError, AdminJson};
use crate::core::provider::Provider;
use crate::core::ratelimit::{BucketDefinition, BucketView};

#[derive(Debug, Serialize)]
pub struct BucketList {
    pub buckets: Vec<BucketView>,
}

#[utoipa::path(post, path = "/__authmock__/rate-limits", tag = "rate-limits",
    request_body(content = Object, description = "`{group, limit, refill?, window_secs?, remaining?, mode?}` (`remaining: 0` sets it already spent, its window starting with the next request; `mode` `enforce` (default) refuses when empty, `report` only counts); groups: `management`, `authentication` (Auth0), `native`, `token`, `entity` (Janrain)"),
    responses((status = 201, description = "The bucket, full unless `remaining` says otherwise", body = Object), (status = 400, description = "Bad input", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn set<P: Provider>(
    State(provider): State<P>,
    AdminJson(definition): AdminJson<BucketDefinition>,
) -> Result<(StatusCode, Json<BucketView>), AdminError> {
    let now = provider.clock().unix();
    let groups = P::RATE_LIMIT_GROUPS;
    let view = provider
        .control()
        .rate_limits()
        .set(definition, now, |group| groups.contains(&group))
        .map_err(|e| AdminError::BadRequest(format!("{e} (groups: {})", groups.join(", "))))?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/__authmock__/rate-limits", tag = "rate-limits",
    responses((status = 200, description = "`{buckets: [{group, limit, refill, window_secs, remaining, reset, mode}]}`", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn list<P: Provider>(State(provider): State<P>) -> Json<BucketList> {
    let now = provider.clock().unix();
    Json(BucketList {
        buckets: provider.control().rate_limits().list(now),
    })
}

#[utoipa::path(delete, path = "/__authmock__/rate-limits", tag = "rate-limits",
    responses((status = 204, description = "Nothing rate limited")))]
#[tracing::instrument(skip_all)]
pub async fn clear<P: Provider>(State(provider): State<P>) -> StatusCode {
    provider.control().rate_limits().clear();
    StatusCode::NO_CONTENT
}
