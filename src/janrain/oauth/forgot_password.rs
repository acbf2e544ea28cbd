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

use super::extract::{check_flow, form_email, login_client};
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
    let email = form_email(&state.flow, &state.flow.forms.forgot_password.email_field, params)?;
    recovery::mail_code_to(app, &mut state, &client, &email, redirect_uri, now)
}
