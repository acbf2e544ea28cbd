//! `POST /oauth/forgot_password_native`: mail a one-time recovery code (facts §4).
//!
//! ```text
//! POST /oauth/forgot_password_native   (application/x-www-form-urlencoded)
//! client_id, flow, flow_version, locale, redirect_uri, form=forgotPasswordForm, signInEmailAddress
//! → 200 {"stat":"ok"}   mail: <password_recover_url>?code=<code>
//! ```

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::extract::{check_flow, email_problem, login_client};
use crate::janrain::tenant::{JanrainApp, recovery};
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::{NativeParams, Params};
use crate::janrain::wire::respond::{ok, with_hint};
use crate::janrain::wire::text::FORGOT_PASSWORD_FORM;

#[tracing::instrument(skip_all)]
pub(super) async fn forgot_password(
    State(app): State<JanrainApp>,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    let hint = send(&app, &params)?;
    Ok(with_hint(ok(json!({"stat": "ok"})), &hint))
}

/// The form's checks, then the recovery mail (`tenant::recovery`).
fn send(app: &JanrainApp, params: &Params) -> Result<String, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client = login_client(&state, params)?.clone();
    check_flow(&state, params, FORGOT_PASSWORD_FORM)?;
    let redirect_uri = params.require("redirect_uri")?.to_owned();
    let form = state.flow.forms.forgot_password.clone();
    let email = params.get(&form.email_field).unwrap_or_default().trim();
    if let Some(message) = email_problem(&state.flow, &form.email_field, email) {
        return Err(JanrainError::InvalidFormFields {
            fields: vec![(form.email_field.clone(), vec![message])],
        });
    }
    let Some(record) = state.record_by_email(email).cloned() else {
        return Err(JanrainError::NoSuchAccount {
            form: FORGOT_PASSWORD_FORM.to_owned(),
            message: form.no_such_account,
        });
    };
    if record.password.is_none() {
        return Err(JanrainError::SocialOnly(state.flow.social_only_error.clone()));
    }
    recovery::mail_code(app, &mut state, &client, &record, redirect_uri, now)
}
