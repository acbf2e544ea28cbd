//! `POST /oauth/auth_native_traditional`: sign in with `signInForm` (facts `janrain.md` §7).
//!
//! ```text
//! POST /oauth/auth_native_traditional  client_id, flow, flow_version, locale, redirect_uri,
//!      response_type, form=signInForm, signInEmailAddress, currentPassword[, refresh_secret]
//! → 200 {"capture_user":{…},"stat":"ok","access_token":"…"}
//! ```

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::extract::{check_flow, email_problem, login_client};
use crate::janrain::tenant::JanrainApp;
use crate::janrain::tenant::codes::keep_refresh_secret;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::{NativeParams, Params};
use crate::janrain::wire::respond::ok;
use crate::janrain::wire::text::SIGN_IN_FORM;

#[tracing::instrument(skip_all)]
pub(super) async fn sign_in(
    State(app): State<JanrainApp>,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    let body = authenticate(&app, &params)?;
    Ok(ok(body))
}

/// The form's checks, the credential check, then a token for the record.
fn authenticate(app: &JanrainApp, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client_id = login_client(&state, params)?.client_id.clone();
    check_flow(&state, params, SIGN_IN_FORM)?;
    let form = state.flow.forms.sign_in.clone();
    let email = params.get(&form.email_field).unwrap_or_default().trim().to_owned();
    let password = params.get(&form.password_field).unwrap_or_default().to_owned();
    let mut fields = Vec::new();
    if let Some(message) = email_problem(&state.flow, &form.email_field, &email) {
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
    keep_refresh_secret(&mut state.access_tokens, &access, params.get("refresh_secret"))?;
    Ok(json!({
        "capture_user": record.to_json(),
        "stat": "ok",
        "access_token": access,
    }))
}
