//! Email verification (`janrain-entity.md` §3.1): `POST /oauth/verify_email_native` mails a
//! verification link, `POST /access/useVerificationCode` redeems its code once and marks the
//! record's email verified (the code store and its rules: `tenant::verification`).
//!
//! ```text
//! POST /oauth/verify_email_native  client_id, flow, flow_version, locale, redirect_uri,
//!      form=resendVerificationForm, signInEmailAddress        → 200 {"stat":"ok"}
//!      mail: <verify_email_url>?verification_code=<32 lowercase alphanumerics>
//! POST /access/useVerificationCode  verification_code         → 200 {"stat":"ok","uuid":"…"}
//! ```
//!
//! Facts: outcomes ok / 210 no account / 540 already verified; the bad-code body verbatim. Not
//! found, so inf: the 416 text.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::extract::{check_flow, form_email, login_client};
use crate::janrain::tenant::{JanrainApp, verification};
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::{ApiParams, NativeParams, Params};
use crate::janrain::wire::respond::{ok, with_hint};
use crate::janrain::wire::text::RESEND_VERIFICATION_FORM;

#[tracing::instrument(skip_all)]
pub(super) async fn send(
    State(app): State<JanrainApp>,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    let hint = resend(&app, &params)?;
    Ok(with_hint(ok(json!({"stat": "ok"})), &hint))
}

/// The form's checks, then the verification mail (`tenant::verification`).
fn resend(app: &JanrainApp, params: &Params) -> Result<String, JanrainError> {
    let mut state = app.state();
    let client = login_client(&state, params)?.clone();
    check_flow(&state, params, RESEND_VERIFICATION_FORM)?;
    params.require("redirect_uri")?;
    let email = form_email(&state.flow, &state.flow.forms.resend_verification.email_field, params)?;
    verification::mail_code_to(app, &mut state, &client, &email)
}

#[tracing::instrument(skip_all)]
pub(super) async fn use_code(
    State(app): State<JanrainApp>,
    ApiParams(params): ApiParams,
) -> Result<Response, JanrainError> {
    let code = params.require("verification_code")?.trim().to_owned();
    let uuid = verification::redeem(&mut app.state(), &code, app.clock().now())?;
    Ok(ok(json!({"stat": "ok", "uuid": uuid})))
}
