//! `POST|GET /oauth/token`: the authorization_code grant (a recovery code) and the
//! refresh_token grant.
//!
//! ```text
//! POST|GET /oauth/token  grant_type=authorization_code&code=…&redirect_uri=…  (+ Basic or client_id/secret)
//! → 200 {"access_token":"…","expires_in":3600,"refresh_token":"…","stat":"ok",
//!        "transaction_state":{"capture":{"password_recover":1}}}
//! ```

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::extract::token_client;
use crate::janrain::tenant::codes::ACCESS_TOKEN_LIFETIME;
use crate::janrain::tenant::{JanrainApp, recovery};
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::{ApiParams, Params};
use crate::janrain::wire::respond::ok;

#[tracing::instrument(skip_all)]
pub(super) async fn token(
    State(app): State<JanrainApp>,
    headers: HeaderMap,
    ApiParams(params): ApiParams,
) -> Result<Response, JanrainError> {
    let body = exchange(&app, &headers, &params)?;
    Ok(ok(body))
}

/// Dispatch by `grant_type`; the code or refresh token is spent by the tenant.
fn exchange(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let grant_type = params.require_token_arg("grant_type")?.to_owned();
    let mut state = app.state();
    let client_id = token_client(&state, headers, params)?.client_id.clone();
    match grant_type.as_str() {
        "authorization_code" => {
            let code = params.require_token_arg("code")?;
            let redirect_uri = params.require_token_arg("redirect_uri")?;
            let uuid = recovery::redeem(&mut state, code, &client_id, redirect_uri, now)?;
            let (access, refresh) = state.issue_tokens(&uuid, &client_id, now);
            Ok(json!({
                "access_token": access,
                "expires_in": ACCESS_TOKEN_LIFETIME,
                "refresh_token": refresh,
                "stat": "ok",
                "transaction_state": {"capture": {"password_recover": 1}},
            }))
        }
        "refresh_token" => {
            let refresh = params.require_token_arg("refresh_token")?;
            let grant = state.take_refresh_token(refresh, &client_id)?;
            let (access, refresh) = state.issue_tokens(&grant.uuid, &client_id, now);
            Ok(json!({
                "access_token": access,
                "expires_in": ACCESS_TOKEN_LIFETIME,
                "refresh_token": refresh,
                "stat": "ok",
            }))
        }
        other => Err(JanrainError::InvalidGrantType {
            value: other.to_owned(),
        }),
    }
}
