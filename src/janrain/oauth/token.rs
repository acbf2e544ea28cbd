//! `/oauth/token` (authorization_code, refresh_token) and `/oauth/auth_native_traditional`.
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

use super::app::{ACCESS_TOKEN_LIFETIME, JanrainApp, SIGN_IN_FORM};
use super::error::{JanrainError, ok};
use super::extract::{ApiParams, NativeParams, Params, check_flow, login_client, token_client};
use crate::core::onetime::Redemption;

#[tracing::instrument(skip_all)]
pub async fn token(
    State(app): State<JanrainApp>,
    headers: HeaderMap,
    ApiParams(params): ApiParams,
) -> Result<Response, JanrainError> {
    let body = exchange(&app, &headers, &params)?;
    Ok(ok(body))
}

fn exchange(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let grant_type = params.require_token_arg("grant_type")?.to_owned();
    let mut state = app.state();
    let client_id = token_client(&state, headers, params)?.client_id.clone();
    match grant_type.as_str() {
        "authorization_code" => {
            let code = params.require_token_arg("code")?;
            let redirect_uri = params.require_token_arg("redirect_uri")?;
            let entry = match state.codes.check(code, now) {
                Ok(entry) => entry,
                Err(Redemption::Expired { secs_ago }) => return Err(JanrainError::CodeExpired { secs_ago }),
                Err(why) => {
                    return Err(JanrainError::InvalidCode {
                        hint: match why {
                            Redemption::Used => "this code was exchanged already; codes are single use".into(),
                            Redemption::Superseded => "a newer code was mailed to this user".into(),
                            _ => "this app never issued that code".into(),
                        },
                    });
                }
            };
            if entry.payload.client_id != client_id {
                return Err(JanrainError::InvalidCode {
                    hint: format!(
                        "the code was issued to client {}; only that client may exchange it",
                        entry.payload.client_id
                    ),
                });
            }
            if entry.payload.redirect_uri != redirect_uri {
                return Err(JanrainError::RedirectUriMismatch {
                    expected: entry.payload.redirect_uri.clone(),
                    supplied: redirect_uri.to_owned(),
                });
            }
            let uuid = entry.payload.uuid.clone();
            let _ = state.codes.redeem(code, now);
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
            let refresh = params.require_token_arg("refresh_token")?.to_owned();
            let grant = match state.refresh_tokens.get(&refresh) {
                Some(grant) if grant.client_id == client_id => grant.clone(),
                Some(grant) => {
                    return Err(JanrainError::InvalidRefreshToken {
                        hint: format!("the refresh token belongs to client {}", grant.client_id),
                    });
                }
                None => {
                    return Err(JanrainError::InvalidRefreshToken {
                        hint: "unknown or already used refresh token (they are single use)".into(),
                    });
                }
            };
            state.refresh_tokens.remove(&refresh);
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

#[tracing::instrument(skip_all)]
pub async fn sign_in(
    State(app): State<JanrainApp>,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    let body = authenticate(&app, &params)?;
    Ok(ok(body))
}

fn authenticate(app: &JanrainApp, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client_id = login_client(&state, params)?.client_id.clone();
    check_flow(&state, params, SIGN_IN_FORM)?;
    let form = state.flow.forms.sign_in.clone();
    let email = params.get(&form.email_field).unwrap_or_default().trim().to_owned();
    let password = params.get(&form.password_field).unwrap_or_default().to_owned();
    let mut fields = Vec::new();
    if let Some(message) = super::profile::email_problem(&state.flow, &form.email_field, &email) {
        fields.push((form.email_field.clone(), vec![message]));
    }
    if password.is_empty() {
        fields.push((
            form.password_field.clone(),
            vec![state.flow.message(&form.password_field, "required")],
        ));
    }
    if !fields.is_empty() {
        return Err(JanrainError::InvalidFormFields { fields });
    }
    let record = state.record_by_email(&email).cloned();
    let record = match record {
        Some(r) if r.password.as_ref().is_some_and(|h| h.matches(&password)) => r,
        found => {
            return Err(JanrainError::InvalidCredentials {
                form: SIGN_IN_FORM.to_owned(),
                message: form.invalid_credentials,
                hint: match found {
                    None => "no record uses this email address".into(),
                    Some(r) if r.password.is_none() => "this record signs in with a social provider only".into(),
                    Some(_) => "wrong password for this record".into(),
                },
            });
        }
    };
    let (access, _refresh) = state.issue_tokens(&record.uuid, &client_id, now);
    super::refresh::keep_refresh_secret(&mut state, &access, params)?;
    Ok(json!({
        "capture_user": record.to_json(),
        "stat": "ok",
        "access_token": access,
    }))
}
