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
//! [`SKEW_SECS`]), the errors ([`JanrainError::refresh_signature`] and
//! its neighbours), and that an expired access token may still be refreshed (that is what
//! refreshing is for) while the old token stops working once refreshed.

use axum::extract::State;
use axum::response::Response;
use base64::Engine as _;
use ring::hmac;
use serde_json::{Value, json};
use time::PrimitiveDateTime;
use time::macros::format_description;

use super::extract::login_client;
use crate::janrain::tenant::JanrainApp;
use crate::janrain::tenant::clients::SKEW_SECS;
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

#[cfg(test)]
/// The signature a client holding `secret` sends for `access_token` at `date`.
fn signature(secret: &str, date: &str, access_token: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    let text = format!("refresh_access_token\n{date}\n{access_token}\n");
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, text.as_bytes()).as_ref())
}

fn refresh(app: &JanrainApp, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client_id = login_client(&state, params)?.client_id.clone();
    let token = params.require("access_token")?.to_owned();
    let date = params.require("date")?.trim().to_owned();
    let given = params.require("signature")?.trim().to_owned();
    let grant = state
        .access_tokens
        .get(&token)
        .cloned()
        .ok_or(JanrainError::UnknownAccessToken)?;
    if grant.client_id != client_id {
        return Err(JanrainError::TokenClientMismatch {
            token_client: grant.client_id,
        });
    }
    let secret = grant
        .refresh_secret
        .clone()
        .ok_or_else(JanrainError::no_refresh_secret)?;
    let at = PrimitiveDateTime::parse(
        &date,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .map_err(|_| JanrainError::refresh_date(format!("date {date:?} is not YYYY-MM-DD HH:MM:SS (UTC)")))?
    .assume_utc()
    .unix_timestamp();
    if (at - now).abs() > SKEW_SECS {
        return Err(JanrainError::refresh_date(format!(
            "date {date} is {} s from the app clock; it must be within {SKEW_SECS} s",
            at - now
        )));
    }
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    let text = format!("refresh_access_token\n{date}\n{token}\n");
    let verifies = base64::engine::general_purpose::STANDARD
        .decode(&given)
        .is_ok_and(|raw| hmac::verify(&key, text.as_bytes(), &raw).is_ok());
    if !verifies {
        return Err(JanrainError::refresh_signature(
            "the signature is not base64(HMAC-SHA1(refresh_secret, \"refresh_access_token\\n<date>\\n<access_token>\\n\"))"
                .into(),
        ));
    }
    state.access_tokens.remove(&token);
    let (access, _refresh) = state.issue_tokens(&grant.uuid, &client_id, now);
    if let Some(new) = state.access_tokens.get_mut(&access) {
        new.refresh_secret = Some(secret);
    }
    Ok(json!({"stat": "ok", "access_token": access}))
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_refresh_signature_matches_the_facts_vector() {
        // janrain-entity.md §2: secret "a" x 40, 2024-01-02 03:04:05, token abcdefgh12345678.
        assert_eq!(
            signature(&"a".repeat(40), "2024-01-02 03:04:05", "abcdefgh12345678"),
            "CvQbLgSj8jvNJVdQ7QLCffRNeEE="
        );
    }
}
