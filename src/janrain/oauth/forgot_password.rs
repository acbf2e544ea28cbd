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

use super::app::{CodeGrant, FORGOT_PASSWORD_FORM, JanrainApp};
use super::error::{JanrainError, ok, with_hint};
use super::extract::{NativeParams, Params, check_flow, login_client};
use super::mail;

#[tracing::instrument(skip_all)]
pub async fn forgot_password(
    State(app): State<JanrainApp>,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    let hint = send(&app, &params)?;
    Ok(with_hint(ok(json!({"stat": "ok"})), &hint))
}

fn send(app: &JanrainApp, params: &Params) -> Result<String, JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client = login_client(&state, params)?.clone();
    check_flow(&state, params, FORGOT_PASSWORD_FORM)?;
    let redirect_uri = params.require("redirect_uri")?.to_owned();
    let form = state.flow.forms.forgot_password.clone();
    let email = params.get(&form.email_field).unwrap_or_default().trim();
    if let Some(message) = super::profile::email_problem(&state.flow, &form.email_field, email) {
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
    let Some(recover_url) = client.password_recover_url.clone() else {
        return Err(JanrainError::no_recover_url(&client.client_id));
    };
    let grant = CodeGrant {
        uuid: record.uuid.clone(),
        client_id: client.client_id.clone(),
        redirect_uri,
    };
    let state = &mut *state;
    let code = state
        .codes
        .issue(&mut state.rng, &record.uuid, grant, now, client.recover_code_lifetime);
    let sep = if recover_url.contains('?') { '&' } else { '?' };
    let link = format!("{recover_url}{sep}code={code}");
    let draft = mail::recovery(app.name(), &record.email, &record.display_name, &link);
    let at = app.clock().now();
    let id = state.outbox.capture(&mut state.rng, draft, at, &app.address().host);
    Ok(format!(
        "recovery mail {id} sent to {}; the code works once, for {} s, with client {} only",
        record.email, client.recover_code_lifetime, client.client_id
    ))
}
