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

use super::extract::{check_flow, email_problem, login_client};
use super::fields::{self, FieldErrors};
use crate::core::password::PasswordHash;
use crate::janrain::tenant::codes::keep_refresh_secret;
use crate::janrain::tenant::records::capture_time;
use crate::janrain::tenant::{JanrainApp, verification};
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

/// The form's checks, then the record (`JanrainState::new_record`), its token and mail.
fn create(app: &JanrainApp, params: &Params) -> Result<(Value, String), JanrainError> {
    let now = app.clock().unix();
    let mut state = app.state();
    let client = login_client(&state, params)?.clone();
    check_flow(&state, params, REGISTRATION_FORM)?;
    let form = state.flow.forms.registration.clone();
    let flow = state.flow.clone();
    let mut errors = FieldErrors::default();
    let email = fields::text_field(params, &flow, EMAIL, &form.required, &mut errors).unwrap_or_default();
    if !email.is_empty()
        && !errors.has(EMAIL)
        && let Some(message) = email_problem(&flow, EMAIL, &email)
    {
        errors.0.push((EMAIL.to_owned(), vec![message]));
    }
    let password = fields::new_password(params, &flow, form.min_length, form.max_length, &mut errors);
    let first = fields::text_field(params, &flow, FIRST_NAME, &form.required, &mut errors);
    let last = fields::text_field(params, &flow, LAST_NAME, &form.required, &mut errors);
    let display = fields::text_field(params, &flow, DISPLAY_NAME, &form.required, &mut errors);
    let birthday = fields::birthdate(params, &flow, &mut errors);
    if !errors.has(EMAIL) && !email.is_empty() && state.record_by_email(&email).is_some() {
        errors.add(&flow, EMAIL, "unique");
    }
    if !errors.is_empty() {
        return Err(JanrainError::InvalidFormFields { fields: errors.0 });
    }
    // An oversized refresh_secret is refused before anything is stored (no grant has the
    // empty token, so this only checks).
    keep_refresh_secret(&mut state.access_tokens, "", params.get("refresh_secret"))?;
    let stamp = capture_time(app.clock().now());
    let hash = PasswordHash::new(&mut state.rng, &password);
    let mut record = state.new_record();
    record.attrs.insert("created".into(), Value::from(stamp.as_str()));
    record.attrs.insert("lastUpdated".into(), Value::from(stamp.as_str()));
    if let Some(day) = birthday
        && state.entity_type.lookup("birthday").is_some()
    {
        record.attrs.insert("birthday".into(), Value::from(day));
    }
    record.email = email;
    record.password = Some(hash);
    record.given_name = first.unwrap_or_default();
    record.family_name = last.unwrap_or_default();
    record.display_name = display.filter(|d| !d.is_empty()).unwrap_or_else(|| {
        format!("{} {}", record.given_name, record.family_name)
            .trim()
            .to_owned()
    });
    let user = Value::Object(record.view(&state.entity_type));
    state.add_created_record(record.clone());
    let (access, _refresh) = state.issue_tokens(&record.uuid, &client.client_id, now);
    keep_refresh_secret(&mut state.access_tokens, &access, params.get("refresh_secret"))?;
    let mut hint = format!("registered {} as {}", record.email, record.uuid);
    if form.send_verification && client.verify_email_url.is_some() {
        let mailed = verification::mail_code(app, &mut state, &client, &record)?;
        hint = format!("{hint}; {mailed}");
    }
    Ok((
        json!({"capture_user": user, "stat": "ok", "access_token": access}),
        hint,
    ))
}
