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
//! (`tenant::flow::WrongCurrentAnswer`, NOT FOUND). The form checks are this file's; the record
//! changes are `tenant::accounts`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::extract::signed_in;
use super::fields::{self, FieldErrors};
use crate::janrain::tenant::JanrainApp;
use crate::janrain::tenant::accounts::{self, ProfileFields};
use crate::janrain::tenant::records::capture_time;
use crate::janrain::tenant::state::JanrainState;
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
    let form = &state.flow.forms.change_password;
    let names = [form.password_field.as_str(), form.confirm_field.as_str()];
    let mut errors = FieldErrors::default();
    let new = fields::password_pair(
        params,
        &state.flow,
        names,
        (form.min_length, form.max_length),
        &mut errors,
    );
    errors.check()?;
    accounts::set_password(&mut state, &uuid, &new, &capture_time(app.clock().now()), None)
}

/// `editProfileForm`.
fn edit_profile(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let mut state = app.state();
    let uuid = signed_in(&state, headers, params, EDIT_PROFILE_FORM, app.clock().unix())?;
    let fields = profile_fields(&state, params, &uuid)?;
    let stamp = capture_time(app.clock().now());
    accounts::edit_profile(&mut state, &uuid, fields, &stamp)
}

/// `editProfileForm`'s fields in form order. Fields not sent keep their value: only a sent field
/// can fail `required`; the email must not be another record's.
fn profile_fields(state: &JanrainState, params: &Params, uuid: &str) -> Result<ProfileFields, JanrainError> {
    let flow = &state.flow;
    let required: Vec<String> = (flow.forms.edit_profile.required.iter())
        .filter(|f| params.get(f).is_some())
        .cloned()
        .collect();
    let mut errors = FieldErrors::default();
    let email = fields::text_field(params, flow, EMAIL, &required, &mut errors);
    if fields::email_address(flow, email.as_deref().unwrap_or_default(), &mut errors)
        && accounts::email_taken(state, email.as_deref().unwrap_or_default(), Some(uuid))
    {
        errors.add(flow, EMAIL, "unique");
    }
    let profile = ProfileFields {
        email,
        given_name: fields::text_field(params, flow, FIRST_NAME, &required, &mut errors),
        family_name: fields::text_field(params, flow, LAST_NAME, &required, &mut errors),
        display_name: fields::text_field(params, flow, DISPLAY_NAME, &required, &mut errors),
        birthday: fields::birthdate(params, flow, &mut errors),
    };
    errors.check()?;
    Ok(profile)
}

/// The signed-in `changePasswordForm`: its fields, then the current password and the new one
/// (`tenant::accounts`).
fn change_password(app: &JanrainApp, headers: &HeaderMap, params: &Params) -> Result<(), JanrainError> {
    let mut state = app.state();
    let uuid = signed_in(&state, headers, params, SIGNED_IN_PASSWORD_FORM, app.clock().unix())?;
    let form = &state.flow.forms.signed_in_password;
    let mut errors = FieldErrors::default();
    let current = params.get(CURRENT_PASSWORD).unwrap_or_default();
    if current.is_empty() {
        errors.add(&state.flow, CURRENT_PASSWORD, "required");
    }
    let new = fields::new_password(params, &state.flow, form.min_length, form.max_length, &mut errors);
    errors.check()?;
    accounts::change_password(&mut state, &uuid, current, &new, &capture_time(app.clock().now()))
}
