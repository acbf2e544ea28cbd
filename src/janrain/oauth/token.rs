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
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::tenant::{JanrainApp, tokens};
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
        "authorization_code" => code_grant(&mut state, params, &client_id, now),
        "refresh_token" => refresh_grant(&mut state, params, &client_id, now),
        other => Err(JanrainError::InvalidGrantType {
            value: other.to_owned(),
        }),
    }
}

/// `grant_type=authorization_code`: a recovery code and the `redirect_uri` it was mailed for.
fn code_grant(state: &mut JanrainState, params: &Params, client_id: &str, now: i64) -> Result<Value, JanrainError> {
    let code = params.require_token_arg("code")?;
    let redirect_uri = params.require_token_arg("redirect_uri")?;
    let pair = tokens::exchange_code(state, code, client_id, redirect_uri, now)?;
    Ok(tokens_body(pair, Some(json!({"capture": {"password_recover": 1}}))))
}

/// `grant_type=refresh_token`.
fn refresh_grant(state: &mut JanrainState, params: &Params, client_id: &str, now: i64) -> Result<Value, JanrainError> {
    let refresh = params.require_token_arg("refresh_token")?;
    let pair = tokens::exchange_refresh_token(state, refresh, client_id, now)?;
    Ok(tokens_body(pair, None))
}

/// The token body, with the `transaction_state` of a recovery code.
fn tokens_body((access, refresh): (String, String), transaction_state: Option<Value>) -> Value {
    let mut body = json!({
        "access_token": access,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "refresh_token": refresh,
        "stat": "ok",
    });
    if let Some(transaction_state) = transaction_state {
        body["transaction_state"] = transaction_state;
    }
    body
}
