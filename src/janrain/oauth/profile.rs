//! `POST /oauth/update_profile_native` with its three forms: `changePasswordFormNoAuth` (the
//! recovery flow's new password, facts `janrain.md` §6) and the signed-in forms of
//! `janrain-entity.md` §3.4, `editProfileForm` and `changePasswordForm`.
//!
//! ```text
//! POST /oauth/update_profile_native  client_id, flow, flow_version, locale, access_token,
//!      form=changePasswordFormNoAuth, newPassword, newPasswordConfirm    → 200 {"stat":"ok"}
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

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::extract::{email_problem, signed_in};
use super::fields::{self, FieldErrors};
use crate::core::password::PasswordHash;
use crate::janrain::tenant::JanrainApp;
use crate::janrain::tenant::flow::WrongCurrentAnswer;
use crate::janrain::tenant::records::capture_time;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::{NativeParams, Params};
use crate::janrain::wire::respond::ok;
use crate::janrain::wire::text::{
    CHANGE_PASSWORD_FORM, CURRENT_PASSWORD, DISPLAY_NAME, EDIT_PROFILE_FORM, EMAIL, FIRST_NAME, LAST_NAME,
    SIGNED_IN_PASSWORD_FORM,
};

#[tracing::instrument(skip_all)]
pub(super) async fn update_profile(
    State(app): State<JanrainApp>,
    headers: HeaderMap,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    match params.get("form") {
        Some(EDIT_PROFILE_FORM) => edit_profile(&app, &headers, &params)?,
        Some(SIGNED_IN_PASSWORD_FORM) => change_password(&app, &headers, &params)?,
        _ => recovery_password(&app, &headers, &params)?,
    }
    Ok(ok(json!({"stat": "ok"})))
}

/// `changePasswordFormNoAuth`: the new password of the recovery flow.
fn recovery_password(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let uuid = signed_in(&state, headers, params, CHANGE_PASSWORD_FORM, now)?;
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

/// `editProfileForm`.
fn edit_profile(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let mut state = app.state();
    let uuid = signed_in(&state, headers, params, EDIT_PROFILE_FORM, app.clock().unix())?;
    let flow = state.flow.clone();
    // Fields not sent keep their value: only a sent field can fail `required`.
    let required: Vec<String> = (state.flow.forms.edit_profile.required.iter())
        .filter(|f| params.get(f).is_some())
        .cloned()
        .collect();
    let mut errors = FieldErrors::default();
    let email = fields::text_field(params, &flow, EMAIL, &required, &mut errors);
    if let Some(email) = email.as_deref().filter(|e| !e.is_empty())
        && !errors.has(EMAIL)
    {
        if let Some(message) = email_problem(&flow, EMAIL, email) {
            errors.0.push((EMAIL.to_owned(), vec![message]));
        } else if state.record_by_email(email).is_some_and(|r| r.uuid != uuid) {
            errors.add(&flow, EMAIL, "unique");
        }
    }
    let first = fields::text_field(params, &flow, FIRST_NAME, &required, &mut errors);
    let last = fields::text_field(params, &flow, LAST_NAME, &required, &mut errors);
    let display = fields::text_field(params, &flow, DISPLAY_NAME, &required, &mut errors);
    let birthday = fields::birthdate(params, &flow, &mut errors);
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
fn change_password(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let mut state = app.state();
    let uuid = signed_in(&state, headers, params, SIGNED_IN_PASSWORD_FORM, app.clock().unix())?;
    let flow = state.flow.clone();
    let form = state.flow.forms.signed_in_password.clone();
    let mut errors = FieldErrors::default();
    let current = params.get(CURRENT_PASSWORD).unwrap_or_default().to_owned();
    if current.is_empty() {
        errors.add(&flow, CURRENT_PASSWORD, "required");
    }
    let new = fields::new_password(params, &flow, form.min_length, form.max_length, &mut errors);
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
