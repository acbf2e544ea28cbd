//! `POST /oauth/refresh_access_token`: a mobile client trades its current access token for a
//! new one, proving it holds the `refresh_secret` it posted when it signed in.
//!
//! ```text
//! POST /oauth/refresh_access_token  client_id, access_token, date, signature[, flow, flow_version, locale]
//! signature = base64(HMAC-SHA1(refresh_secret, "refresh_access_token\n" + date + "\n" + access_token + "\n"))
//! → 200 {"access_token":"…","stat":"ok"}
//! ```
//!
//! Facts: `janrain-entity.md` §2 (the string to sign over the *access* token, `date` as
//! `YYYY-MM-DD HH:MM:SS` UTC, the secret created by the client and posted as `refresh_secret`
//! on sign-in, clients reading only `access_token`). Not found there, so inf: the success body
//! beyond `stat` and `access_token` (nothing else is sent), the date window (the Entity API's
//! `SKEW_SECS`), the errors ([`JanrainError::refresh_signature`] and its neighbours), and that
//! an expired access token may still be refreshed (that is what refreshing is for) while the
//! old token stops working once refreshed. The signature rule and the swap are
//! `tenant::tokens`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::extract::login_client;
use crate::janrain::tenant::{JanrainApp, tokens};
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::{NativeParams, Params};
use crate::janrain::wire::respond::ok;

#[tracing::instrument(skip_all)]
pub(super) async fn refresh_access_token(
    State(app): State<JanrainApp>,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    let body = refresh(&app, &params)?;
    Ok(ok(body))
}

/// The client check and the request's arguments; the signed swap is the tenant's
/// (`tenant::tokens`).
fn refresh(app: &JanrainApp, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client_id = login_client(&state, params)?.client_id.clone();
    let token = params.require("access_token")?;
    let date = params.require("date")?.trim();
    let signature = params.require("signature")?.trim();
    let access = tokens::refresh_access_token(&mut state, &client_id, token, date, signature, now)?;
    Ok(json!({"stat": "ok", "access_token": access}))
}
