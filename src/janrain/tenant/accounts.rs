//! A record's account as the native forms change it: registration (`janrain-entity.md` §3.2),
//! sign-in's credential check (`janrain.md` §7), a new password (the recovery flow's, §6, and
//! the signed-in `changePasswordForm`'s, `janrain-entity.md` §3.4) and the profile fields of
//! `editProfileForm` (§3.4). The forms' own field checks stay with the OAuth API; these run
//! once the fields are valid.
//!
//! inf: profile fields not sent keep their value; a changed email clears `emailVerified` (the
//! verification was for the old address); a registration without a display name shows the
//! given and family names.

use serde_json::Value;

use super::JanrainApp;
use super::clients::CaptureClient;
use super::codes::keep_refresh_secret;
use super::passwords::Password;
use super::records::{Record, capture_time, nano_time};
use super::state::JanrainState;
use super::verification;
use crate::core::password::PasswordHash;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::text::SIGN_IN_FORM;

/// The profile fields a form sets; `None` keeps the record's value.
#[derive(Debug, Default)]
pub struct ProfileFields {
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    /// `YYYY-MM-DD`; stored only when the entity type has a `birthday`.
    pub birthday: Option<String>,
}

/// A registration's answer: the record as the Entity API shows it, its access token, and the
/// hint (naming the verification mail when one went).
#[derive(Debug)]
pub struct Registered {
    pub user: Value,
    pub access_token: String,
    pub hint: String,
}

/// Whether a record other than `except` uses `email` (case-insensitively, as sign-in does).
pub(in crate::janrain) fn email_taken(state: &JanrainState, email: &str, except: Option<&str>) -> bool {
    state
        .record_by_email(email)
        .is_some_and(|r| Some(r.uuid.as_str()) != except)
}

/// Registers a traditional record for `client`, signed in at once: `refresh_secret` is kept
/// with its access token, and a verification link mailed when the form sends one and the client
/// has a `verify_email_url`. An oversized `refresh_secret` is refused before anything is stored.
pub(in crate::janrain) fn register(
    app: &JanrainApp,
    state: &mut JanrainState,
    client: &CaptureClient,
    password: &str,
    fields: ProfileFields,
    refresh_secret: Option<&str>,
) -> Result<Registered, JanrainError> {
    let now = app.clock().unix();
    // No grant has the empty token, so this only checks.
    keep_refresh_secret(&mut state.access_tokens, "", refresh_secret)?;
    let record = new_traditional_record(state, password, fields, &capture_time(app.clock().now()));
    let user = Value::Object(record.view(&state.entity_type));
    state.add_created_record(record.clone());
    let (access_token, _refresh) = state.issue_tokens(&record.uuid, &client.client_id, now);
    keep_refresh_secret(&mut state.access_tokens, &access_token, refresh_secret)?;
    let mut hint = format!("registered {} as {}", record.email, record.uuid);
    if state.flow.forms.registration.send_verification && client.verify_email_url.is_some() {
        let mailed = verification::mail_code(app, state, client, &record)?;
        hint = format!("{hint}; {mailed}");
    }
    Ok(Registered {
        user,
        access_token,
        hint,
    })
}

/// A record about to be created, `created` at `stamp`, with `password` and `fields`.
fn new_traditional_record(state: &mut JanrainState, password: &str, fields: ProfileFields, stamp: &str) -> Record {
    // The hash draws from the app's RNG before the record's uuid, as seeded runs expect.
    let hash = Password::from_plain(PasswordHash::new(&mut state.rng, password), password, nano_time(stamp));
    let has_birthday = state.entity_type.lookup("birthday").is_some();
    let mut record = state.new_record();
    record.attrs.insert("created".into(), Value::from(stamp));
    record.set_password(hash);
    apply_profile(&mut record, fields, has_birthday, stamp);
    if record.display_name.is_empty() {
        record.display_name = format!("{} {}", record.given_name, record.family_name)
            .trim()
            .to_owned();
    }
    record
}

/// Signs `email` in with `password` for `client_id`: the record as sign-in shows it and a new
/// access token, which keeps `refresh_secret`.
pub(in crate::janrain) fn sign_in(
    state: &mut JanrainState,
    client_id: &str,
    email: &str,
    password: &str,
    refresh_secret: Option<&str>,
    now: i64,
) -> Result<(Value, String), JanrainError> {
    let record = match state.record_by_email(email) {
        Some(r) if r.password_matches(password) => r.clone(),
        found => {
            return Err(JanrainError::InvalidCredentials {
                form: SIGN_IN_FORM.to_owned(),
                message: state.flow.forms.sign_in.invalid_credentials.clone(),
                hint: match found {
                    None => "no record uses this email address".into(),
                    Some(r) if r.password.is_none() => "this record signs in with a social provider only".into(),
                    Some(_) => "wrong password for this record".into(),
                },
            });
        }
    };
    let (access, _refresh) = state.issue_tokens(&record.uuid, client_id, now);
    keep_refresh_secret(&mut state.access_tokens, &access, refresh_secret)?;
    Ok((record.to_json(), access))
}

/// Sets record `uuid`'s password to `plain`, created at `at`, with `lastUpdated` at `stamp`
/// when given.
pub(in crate::janrain) fn set_password(
    state: &mut JanrainState,
    uuid: &str,
    plain: &str,
    at: &str,
    stamp: Option<&str>,
) -> Result<(), JanrainError> {
    let hash = Password::from_plain(PasswordHash::new(&mut state.rng, plain), plain, nano_time(at));
    let record = state.record_mut(uuid).ok_or(JanrainError::UnknownAccessToken)?;
    record.set_password(hash);
    if let Some(stamp) = stamp {
        record.attrs.insert("lastUpdated".into(), Value::from(stamp));
    }
    state.reweigh(uuid);
    Ok(())
}

/// The signed-in password change: `current` must be the record's password first
/// (`requireAuthFields`, answered as the form configures), then `new` is set.
pub(in crate::janrain) fn change_password(
    state: &mut JanrainState,
    uuid: &str,
    current: &str,
    new: &str,
    stamp: &str,
) -> Result<(), JanrainError> {
    let record = state.record(uuid).ok_or(JanrainError::UnknownAccessToken)?;
    if !record.password_matches(current) {
        return Err(state.flow.forms.signed_in_password.wrong_current());
    }
    set_password(state, uuid, new, stamp, Some(stamp))
}

/// `editProfileForm`'s fields applied to record `uuid`, `lastUpdated` at `stamp`.
pub(in crate::janrain) fn edit_profile(
    state: &mut JanrainState,
    uuid: &str,
    fields: ProfileFields,
    stamp: &str,
) -> Result<(), JanrainError> {
    let has_birthday = state.entity_type.lookup("birthday").is_some();
    let record = state.record_mut(uuid).ok_or(JanrainError::UnknownAccessToken)?;
    apply_profile(record, fields, has_birthday, stamp);
    state.reweigh(uuid);
    Ok(())
}

/// Applies the fields given to `record`: a different email clears `emailVerified`, an empty one
/// keeps the old; the birthday is kept only when the entity type has one.
fn apply_profile(record: &mut Record, fields: ProfileFields, has_birthday: bool, stamp: &str) {
    if let Some(email) = fields.email.filter(|e| !e.is_empty())
        && !email.eq_ignore_ascii_case(&record.email)
    {
        record.email = email;
        record.attrs.insert("emailVerified".into(), Value::Null);
    }
    if let Some(first) = fields.given_name {
        record.given_name = first;
    }
    if let Some(last) = fields.family_name {
        record.family_name = last;
    }
    if let Some(display) = fields.display_name {
        record.display_name = display;
    }
    if let Some(day) = fields.birthday.filter(|_| has_birthday) {
        record.attrs.insert("birthday".into(), Value::from(day));
    }
    record.attrs.insert("lastUpdated".into(), Value::from(stamp));
}
