//! `POST /oauth/update_profile_native` (form `changePasswordFormNoAuth`; the signed-in forms are
//! in `profile_native`) and `POST /entity`.
//!
//! ```text
//! POST /oauth/update_profile_native  client_id, flow, flow_version, locale, access_token,
//!      form=changePasswordFormNoAuth, newPassword, newPasswordConfirm   → 200 {"stat":"ok"}
//! POST /entity  access_token (or Authorization: OAuth <token>)  → 200 {"result":{…},"stat":"ok"}
//! ```

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::app::{CHANGE_PASSWORD_FORM, Flow, JanrainApp};
use super::error::{JanrainError, ok};
use super::extract::{ApiParams, NativeParams, Params, access_token, check_flow, login_client};
use crate::core::password::PasswordHash;

/// The flow's message when `email` is empty or not an address, `None` when it is fine.
pub fn email_problem(flow: &Flow, field: &str, email: &str) -> Option<String> {
    if email.is_empty() {
        return Some(flow.message(field, "required"));
    }
    let well_formed = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'));
    (!well_formed).then(|| flow.message(field, "format"))
}

#[tracing::instrument(skip_all)]
pub async fn update_profile(
    State(app): State<JanrainApp>,
    headers: HeaderMap,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    match params.get("form") {
        Some(super::native_forms::EDIT_PROFILE_FORM) => super::profile_native::edit_profile(&app, &headers, &params)?,
        Some(super::native_forms::SIGNED_IN_PASSWORD_FORM) => {
            super::profile_native::change_password(&app, &headers, &params)?;
        }
        _ => change_password(&app, &headers, &params)?,
    }
    Ok(ok(json!({"stat": "ok"})))
}

fn change_password(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client_id = login_client(&state, params)?.client_id.clone();
    check_flow(&state, params, CHANGE_PASSWORD_FORM)?;
    let (uuid, token_client) = access_token(&state, headers, params, now)?;
    if token_client != client_id {
        return Err(JanrainError::TokenClientMismatch { token_client });
    }
    let form = state.flow.forms.change_password.clone();
    let new = params.get(&form.password_field).unwrap_or_default().to_owned();
    let confirm = params.get(&form.confirm_field).unwrap_or_default().to_owned();
    let flow = &state.flow;
    let mut fields = Vec::new();
    let length = new.chars().count();
    let new_problem = if new.is_empty() {
        Some("required")
    } else if length < form.min_length {
        Some("too_short")
    } else if length > form.max_length {
        Some("too_long")
    } else {
        None
    };
    if let Some(rule) = new_problem {
        fields.push((
            form.password_field.clone(),
            vec![flow.message(&form.password_field, rule)],
        ));
    }
    if confirm.is_empty() {
        fields.push((
            form.confirm_field.clone(),
            vec![flow.message(&form.confirm_field, "required")],
        ));
    } else if confirm != new {
        fields.push((
            form.confirm_field.clone(),
            vec![flow.message(&form.confirm_field, "mismatch")],
        ));
    }
    if !fields.is_empty() {
        return Err(JanrainError::InvalidFormFields { fields });
    }
    let hash = PasswordHash::new(&mut state.rng, &new);
    let record = state.record_mut(&uuid).ok_or(JanrainError::UnknownAccessToken)?;
    record.password = Some(hash);
    record.fixture_password = None;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn entity(
    State(app): State<JanrainApp>,
    headers: HeaderMap,
    ApiParams(params): ApiParams,
) -> Result<Response, JanrainError> {
    let body = read_entity(&app, &headers, &params)?;
    Ok(ok(body))
}

fn read_entity(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<Value, JanrainError> {
    let now = app.clock().unix();
    let state = app.state();
    let (uuid, _) = access_token(&state, headers, params, now)?;
    let record = state.record(&uuid).ok_or(JanrainError::UnknownAccessToken)?;
    Ok(json!({"result": record.to_json(), "stat": "ok"}))
}
