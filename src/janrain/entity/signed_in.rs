//! `/entity` with an access token: the signed-in user reads their own record (the original
//! Capture read, before the Entity API's server-side credentials).
//!
//! ```text
//! POST /entity  access_token (or Authorization: OAuth <token>)  → 200 {"result":{…},"stat":"ok"}
//! ```

use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use crate::janrain::tenant::JanrainApp;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;
use crate::janrain::wire::respond::ok;

#[tracing::instrument(skip_all)]
pub(super) fn entity(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<Response, JanrainError> {
    let now = app.clock().unix();
    let state = app.state();
    let (uuid, _) = state.signed_in(params.access_token(headers)?, now)?;
    let record = state.record(&uuid).ok_or(JanrainError::UnknownAccessToken)?;
    Ok(ok(json!({"result": record.to_json(), "stat": "ok"})))
}
