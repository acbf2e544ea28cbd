//! `/__authmock__/rate-limits`: token buckets per endpoint group (see `core::ratelimit` and
//! `auth0::ratelimit` for the groups).
//!
//! ```text
//! POST   /__authmock__/rate-limits {"group":"management","limit":2,"window_secs":1}
//!                                  → 201 the bucket, full, its window starting now
//! GET    /__authmock__/rate-limits → {"buckets":[{group, limit, refill, window_secs, remaining, reset}]}
//! DELETE /__authmock__/rate-limits → 204, nothing rate limited
//! ```

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::error::{AdminError, AdminJson};
use crate::auth0::ratelimit::GROUPS;
use crate::core::ratelimit::{BucketDefinition, BucketView};
use crate::core::tenant::Tenant;

#[derive(Debug, Serialize)]
pub struct BucketList {
    pub buckets: Vec<BucketView>,
}

#[tracing::instrument(skip_all)]
pub async fn set(
    State(tenant): State<Tenant>,
    AdminJson(definition): AdminJson<BucketDefinition>,
) -> Result<(StatusCode, Json<BucketView>), AdminError> {
    let now = tenant.clock().unix();
    let view = tenant
        .rate_limits()
        .set(definition, now, |group| GROUPS.contains(&group))
        .map_err(|e| AdminError::BadRequest(format!("{e} (groups: {})", GROUPS.join(", "))))?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[tracing::instrument(skip_all)]
pub async fn list(State(tenant): State<Tenant>) -> Json<BucketList> {
    let now = tenant.clock().unix();
    Json(BucketList {
        buckets: tenant.rate_limits().list(now),
    })
}

#[tracing::instrument(skip_all)]
pub async fn clear(State(tenant): State<Tenant>) -> StatusCode {
    tenant.rate_limits().clear();
    StatusCode::NO_CONTENT
}
