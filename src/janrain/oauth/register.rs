//! `POST /oauth/register_native_traditional` (`janrain-entity.md` §3.2): a new traditional
//! record from `registrationForm`, signed in at once.
//!
//! ```text
//! POST /oauth/register_native_traditional  client_id, flow, flow_version, locale, redirect_uri,
//!      response_type, form=registrationForm, emailAddress, newPassword, newPasswordConfirm,
//!      firstName, lastName, displayName, birthdate[dateselect_year|month|day][, refresh_secret]
//! → 200 {"capture_user":{…,"created":"…","uuid":"…",…},"stat":"ok","access_token":"…"}
//!   (+ the verification mail when the form sends one and the client has a verify_email_url)
//! ```
//!
//! Field errors are 390 `invalid_form_fields` keyed by field, all of them at once (facts §3.2,
//! shape from `janrain.md` §2). An email already in use is 390 on `emailAddress` with the flow's
//! `emailAddress_unique` message (inf, facts §3.2: "documented with no code"; the docs' text
//! "Email address is already being used" is the fixture's). `capture_user` is the whole record
//! as the Entity API shows it (the doc example carries `created` and `uuid`). inf: an
//! authorization code for `response_type=code` is not minted (the recovery code store would
//! mark it as a password recovery); the access token is always returned.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::extract::{check_flow, login_client};
use super::fields::{self, FieldErrors};
use crate::janrain::tenant::JanrainApp;
use crate::janrain::tenant::accounts::{self, ProfileFields};
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::{NativeParams, Params};
use crate::janrain::wire::respond::{ok, with_hint};
use crate::janrain::wire::text::{DISPLAY_NAME, EMAIL, FIRST_NAME, LAST_NAME, REGISTRATION_FORM};

#[tracing::instrument(skip_all)]
pub(super) async fn register(
    State(app): State<JanrainApp>,
    NativeParams(params): NativeParams,
) -> Result<Response, JanrainError> {
    let (body, hint) = create(&app, &params)?;
    Ok(with_hint(ok(body), &hint))
}

/// The form's checks, then the record, its token and mail (`tenant::accounts::register`).
fn create(app: &JanrainApp, params: &Params) -> Result<(Value, String), JanrainError> {
    let mut state = app.state();
    let client = login_client(&state, params)?.clone();
    check_flow(&state, params, REGISTRATION_FORM)?;
    let (password, fields) = registration_fields(&state, params)?;
    let secret = params.get("refresh_secret");
    let registered = accounts::register(app, &mut state, &client, &password, fields, secret)?;
    let body = json!({"capture_user": registered.user, "stat": "ok", "access_token": registered.access_token});
    Ok((body, registered.hint))
}

/// `registrationForm`'s fields in form order, every error at once; an email in use is refused
/// last.
fn registration_fields(state: &JanrainState, params: &Params) -> Result<(String, ProfileFields), JanrainError> {
    let (flow, form) = (&state.flow, &state.flow.forms.registration);
    let mut errors = FieldErrors::default();
    let email = fields::text_field(params, flow, EMAIL, &form.required, &mut errors).unwrap_or_default();
    let email_ok = fields::email_address(flow, &email, &mut errors);
    let password = fields::new_password(params, flow, form.min_length, form.max_length, &mut errors);
    let profile = ProfileFields {
        given_name: fields::text_field(params, flow, FIRST_NAME, &form.required, &mut errors),
        family_name: fields::text_field(params, flow, LAST_NAME, &form.required, &mut errors),
        display_name: fields::text_field(params, flow, DISPLAY_NAME, &form.required, &mut errors),
        birthday: fields::birthdate(params, flow, &mut errors),
        email: None,
    };
    if email_ok && accounts::email_taken(state, &email, None) {
        errors.add(flow, EMAIL, "unique");
    }
    errors.check()?;
    Ok((
        password,
        ProfileFields {
            email: Some(email),
            ..profile
        },
    ))
}
