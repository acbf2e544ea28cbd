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
use crate::janrain::tenant::flow::Flow;
use crate::janrain::tenant::{JanrainApp, accounts};
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

/// The form's checks, then the credential check and a token for the record
/// (`tenant::accounts`).
fn authenticate(app: &JanrainApp, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client_id = login_client(&state, params)?.client_id.clone();
    check_flow(&state, params, SIGN_IN_FORM)?;
    let (email, password) = credentials(&state.flow, params)?;
    let secret = params.get("refresh_secret");
    let (user, access) = accounts::sign_in(&mut state, &client_id, &email, &password, secret, now)?;
    Ok(json!({"capture_user": user, "stat": "ok", "access_token": access}))
}

/// The email and password fields: 390 on each that is empty, or an email not an address.
fn credentials(flow: &Flow, params: &Params) -> Result<(String, String), JanrainError> {
    let form = &flow.forms.sign_in;
    let email = params.get(&form.email_field).unwrap_or_default().trim().to_owned();
    let password = params.get(&form.password_field).unwrap_or_default().to_owned();
    let mut fields = Vec::new();
    if let Some(message) = email_problem(flow, &form.email_field, &email) {
        fields.push((form.email_field.clone(), vec![message]));
    }
    if password.is_empty() {
        fields.push((
            form.password_field.clone(),
            vec![flow.message(&form.password_field, "required")],
        ));
    }
    if !fields.is_empty() {
        return Err(JanrainError::InvalidFormFields { fields });
    }
    Ok((email, password))
}
