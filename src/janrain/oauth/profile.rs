//! `POST /oauth/update_profile_native` with the signed-in forms (`janrain-entity.md` §3.4):
//! `editProfileForm` and `changePasswordForm`. (`changePasswordFormNoAuth`, the recovery form,
//! stays in `profile`.)
//!
//! ```text
//! POST /oauth/update_profile_native  client_id, flow, flow_version, locale, access_token,
//!      form=editProfileForm, firstName, lastName, displayName, emailAddress,
//!      birthdate[dateselect_year|month|day]                              → 200 {"stat":"ok"}
//! POST /oauth/update_profile_native  …, form=changePasswordForm, currentPassword, newPassword,
//!      newPasswordConfirm                                                → 200 {"stat":"ok"}
//! ```
//!
//! Facts: success `{"stat":"ok"}`, errors 390 with flow messages, a birthdate that is not a date
//! is 390, the current password is checked (`requireAuthFields`). inf: fields not sent keep
//! their value (Android sends every field, so nothing documents the partial case); a changed
//! email clears `emailVerified` (the verification was for the old address) and must be unique
//! like registration's; the wrong-current-password answer is configurable
//! ([`WrongCurrentAnswer`], NOT FOUND).

use axum::http::HeaderMap;
use serde_json::Value;

use super::app::JanrainApp;
use super::error::JanrainError;
use super::extract::{Params, access_token, check_flow, login_client};
use super::native_forms::{
    self, CURRENT_PASSWORD, DISPLAY_NAME, EDIT_PROFILE_FORM, EMAIL, FIRST_NAME, FieldErrors, LAST_NAME,
    SIGNED_IN_PASSWORD_FORM, WrongCurrentAnswer,
};
use super::records::capture_time;
use crate::core::password::PasswordHash;

/// The signed-in user's uuid, after the client, flow and token checks every form shares.
fn signed_in(app: &JanrainApp, headers: &HeaderMap, params: &Params, form: &str) -> Result<String, JanrainError> {
    let now = app.clock().unix();
    let state = app.state();
    let client_id = login_client(&state, params)?.client_id.clone();
    check_flow(&state, params, form)?;
    let (uuid, token_client) = access_token(&state, headers, params, now)?;
    if token_client != client_id {
        return Err(JanrainError::TokenClientMismatch { token_client });
    }
    Ok(uuid)
}

/// `editProfileForm`.
pub fn edit_profile(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let uuid = signed_in(app, headers, params, EDIT_PROFILE_FORM)?;
    let mut state = app.state();
    let flow = state.flow.clone();
    // Fields not sent keep their value: only a sent field can fail `required`.
    let required: Vec<String> = (state.flow.forms.edit_profile.required.iter())
        .filter(|f| params.get(f).is_some())
        .cloned()
        .collect();
    let mut errors = FieldErrors::default();
    let email = native_forms::text_field(params, &flow, EMAIL, &required, &mut errors);
    if let Some(email) = email.as_deref().filter(|e| !e.is_empty())
        && !errors.has(EMAIL)
    {
        if let Some(message) = super::profile::email_problem(&flow, EMAIL, email) {
            errors.0.push((EMAIL.to_owned(), vec![message]));
        } else if state.record_by_email(email).is_some_and(|r| r.uuid != uuid) {
            errors.add(&flow, EMAIL, "unique");
        }
    }
    let first = native_forms::text_field(params, &flow, FIRST_NAME, &required, &mut errors);
    let last = native_forms::text_field(params, &flow, LAST_NAME, &required, &mut errors);
    let display = native_forms::text_field(params, &flow, DISPLAY_NAME, &required, &mut errors);
    let birthday = native_forms::birthdate(params, &flow, &mut errors);
    if !errors.is_empty() {
        return Err(JanrainError::InvalidFormFields { fields: errors.0 });
    }
    let has_birthday = state.entity_type.lookup("birthday").is_some();
    let stamp = capture_time(app.clock().now());
    let record = state.record_mut(&uuid).ok_or(JanrainError::UnknownAccessToken)?;
    if let Some(email) = email.filter(|e| !e.is_empty())
        && !email.eq_ignore_ascii_case(&record.email)
    {
        record.email = email;
        record.attrs.insert("emailVerified".into(), Value::Null);
    }
    if let Some(first) = first {
        record.given_name = first;
    }
    if let Some(last) = last {
        record.family_name = last;
    }
    if let Some(display) = display {
        record.display_name = display;
    }
    if let Some(day) = birthday.filter(|_| has_birthday) {
        record.attrs.insert("birthday".into(), Value::from(day));
    }
    record.attrs.insert("lastUpdated".into(), Value::from(stamp));
    Ok(())
}

/// The signed-in `changePasswordForm`: the current password first (`requireAuthFields`).
pub fn change_password(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let uuid = signed_in(app, headers, params, SIGNED_IN_PASSWORD_FORM)?;
    let mut state = app.state();
    let flow = state.flow.clone();
    let form = state.flow.forms.signed_in_password.clone();
    let mut errors = FieldErrors::default();
    let current = params.get(CURRENT_PASSWORD).unwrap_or_default().to_owned();
    if current.is_empty() {
        errors.add(&flow, CURRENT_PASSWORD, "required");
    }
    let new = native_forms::new_password(params, &flow, form.min_length, form.max_length, &mut errors);
    if !errors.is_empty() {
        return Err(JanrainError::InvalidFormFields { fields: errors.0 });
    }
    let record = state.record(&uuid).ok_or(JanrainError::UnknownAccessToken)?;
    if !record.password.as_ref().is_some_and(|h| h.matches(&current)) {
        let message = form.wrong_current_message.clone();
        return Err(match form.wrong_current_password {
            WrongCurrentAnswer::Field => JanrainError::InvalidFormFields {
                fields: vec![(CURRENT_PASSWORD.to_owned(), vec![message])],
            },
            WrongCurrentAnswer::Form => JanrainError::InvalidFormFields {
                fields: vec![(SIGNED_IN_PASSWORD_FORM.to_owned(), vec![message])],
            },
            WrongCurrentAnswer::InvalidCredentials => JanrainError::InvalidCredentials {
                form: SIGNED_IN_PASSWORD_FORM.to_owned(),
                message,
                hint: "currentPassword is not this record's password".into(),
            },
        });
    }
    let hash = PasswordHash::new(&mut state.rng, &new);
    let stamp = capture_time(app.clock().now());
    let record = state.record_mut(&uuid).ok_or(JanrainError::UnknownAccessToken)?;
    record.password = Some(hash);
    record.fixture_password = None;
    record.attrs.insert("lastUpdated".into(), Value::from(stamp));
    Ok(())
}
