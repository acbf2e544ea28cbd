//! The forms of registration, email verification and the signed-in profile (facts
//! `janrain-entity.md` §3.1, §3.2, §3.4): their fixture configuration and the field checks
//! they share. Field names are the standard flow's, verbatim from the facts (§3.2: `emailAddress`,
//! `newPassword`, `newPasswordConfirm`, `firstName`, `lastName`, `displayName`,
//! `birthdate[dateselect_year|month|day]`; §3.4: `currentPassword`). Every message a field error
//! carries comes from the flow (`messages`, keyed `<field>_<rule>`); the flow texts are
//! configuration, not wire facts (the facts say "flow-configured messages").

use serde::{Deserialize, Serialize};

use super::app::Flow;
use super::error::{ConfiguredError, InvalidFields};
use super::extract::Params;

pub const REGISTRATION_FORM: &str = "registrationForm";
pub const RESEND_VERIFICATION_FORM: &str = "resendVerificationForm";
pub const EDIT_PROFILE_FORM: &str = "editProfileForm";
pub const SIGNED_IN_PASSWORD_FORM: &str = "changePasswordForm";

pub const EMAIL: &str = "emailAddress";
pub const NEW_PASSWORD: &str = "newPassword";
pub const NEW_PASSWORD_CONFIRM: &str = "newPasswordConfirm";
pub const CURRENT_PASSWORD: &str = "currentPassword";
pub const FIRST_NAME: &str = "firstName";
pub const LAST_NAME: &str = "lastName";
pub const DISPLAY_NAME: &str = "displayName";
/// The key of a birthdate error (inf: the three `birthdate[dateselect_*]` params are one field,
/// named as the flow names it; the key is NOT FOUND).
pub const BIRTHDATE: &str = "birthdate";
const BIRTHDATE_PARTS: [&str; 3] = [
    "birthdate[dateselect_year]",
    "birthdate[dateselect_month]",
    "birthdate[dateselect_day]",
];

/// inf: the longest text a profile field takes (the flow's own limits are NOT FOUND; Capture
/// strings are commonly 1000 characters, 256 keeps the mock's records small). Longer is 390
/// `<field>_too_long`.
pub const MAX_FIELD_CHARS: usize = 256;

/// `registrationForm` (facts §3.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistrationForm {
    /// Fields that must not be empty.
    pub required: Vec<String>,
    pub min_length: usize,
    pub max_length: usize,
    /// Mail a verification link to the new record (facts §3.1: "can also be sent on
    /// register_native_traditional (flow-configured)"); needs the client's `verify_email_url`.
    pub send_verification: bool,
}

impl Default for RegistrationForm {
    fn default() -> Self {
        Self {
            required: vec![
                EMAIL.into(),
                NEW_PASSWORD.into(),
                NEW_PASSWORD_CONFIRM.into(),
                DISPLAY_NAME.into(),
            ],
            min_length: 8,
            max_length: 64,
            send_verification: true,
        }
    }
}

/// `resendVerificationForm` (facts §3.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResendVerificationForm {
    pub email_field: String,
    /// Form-level message of 210 when no record uses the email (text NOT FOUND; the docs'
    /// generic "Incorrect username or password", facts §4).
    pub no_such_account: String,
    /// The answer for an email already verified: 540 `triggered_error` (facts §3.1, body NOT
    /// FOUND; shaped as the audited 540 with the flow's text in `message`).
    pub already_verified: ConfiguredError,
    /// Seconds a verification code stays valid (NOT FOUND in the facts; inf one day).
    pub code_lifetime: i64,
}

impl Default for ResendVerificationForm {
    fn default() -> Self {
        Self {
            email_field: "signInEmailAddress".into(),
            no_such_account: "Incorrect username or password".into(),
            already_verified: ConfiguredError {
                code: 540,
                error: "triggered_error".into(),
                error_description: "an error was triggered in the flow".into(),
                // inf: the flow's text is NOT FOUND.
                message: Some("that email address is already verified".into()),
            },
            code_lifetime: 86_400,
        }
    }
}

/// `editProfileForm` (facts §3.4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EditProfileForm {
    /// Fields that may not be sent empty (fields not sent keep their value).
    pub required: Vec<String>,
}

impl Default for EditProfileForm {
    fn default() -> Self {
        Self {
            required: vec![EMAIL.into(), DISPLAY_NAME.into()],
        }
    }
}

/// How a wrong `currentPassword` is answered: NOT FOUND (facts §3.4), so configurable among the
/// facts' candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WrongCurrentAnswer {
    /// 390 `invalid_form_fields` keyed by `currentPassword` (the default: the form rule
    /// `requireAuthFields` is a field rule).
    Field,
    /// 390 keyed by the form name.
    Form,
    /// 210 `invalid_credentials` keyed by the form name.
    InvalidCredentials,
}

/// The signed-in `changePasswordForm` (facts §3.4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignedInPasswordForm {
    pub min_length: usize,
    pub max_length: usize,
    pub wrong_current_password: WrongCurrentAnswer,
    /// The text of that answer (the docs' generic "Incorrect username or password", facts §3.4).
    pub wrong_current_message: String,
}

impl Default for SignedInPasswordForm {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 64,
            wrong_current_password: WrongCurrentAnswer::Field,
            wrong_current_message: "Incorrect username or password".into(),
        }
    }
}

/// Collects a form's field errors in form order.
#[derive(Debug, Default)]
pub struct FieldErrors(pub InvalidFields);

impl FieldErrors {
    pub fn add(&mut self, flow: &Flow, field: &str, rule: &str) {
        self.0.push((field.to_owned(), vec![flow.message(field, rule)]));
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(k, _)| k == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A text field's value, trimmed; `None` when not sent. Empty or not sent when required →
/// `<field>_required`; too long → `<field>_too_long`.
pub fn text_field(
    params: &Params,
    flow: &Flow,
    field: &str,
    required: &[String],
    errors: &mut FieldErrors,
) -> Option<String> {
    let is_required = required.iter().any(|r| r == field);
    let Some(value) = params.get(field).map(|v| v.trim().to_owned()) else {
        if is_required {
            errors.add(flow, field, "required");
        }
        return None;
    };
    if value.is_empty() && is_required {
        errors.add(flow, field, "required");
    } else if value.chars().count() > MAX_FIELD_CHARS {
        errors.add(flow, field, "too_long");
    }
    Some(value)
}

/// The new password and its confirmation against the form's length rules.
pub fn new_password(params: &Params, flow: &Flow, min: usize, max: usize, errors: &mut FieldErrors) -> String {
    let new = params.get(NEW_PASSWORD).unwrap_or_default().to_owned();
    let confirm = params.get(NEW_PASSWORD_CONFIRM).unwrap_or_default();
    let length = new.chars().count();
    if new.is_empty() {
        errors.add(flow, NEW_PASSWORD, "required");
    } else if length < min {
        errors.add(flow, NEW_PASSWORD, "too_short");
    } else if length > max {
        errors.add(flow, NEW_PASSWORD, "too_long");
    }
    if confirm.is_empty() {
        errors.add(flow, NEW_PASSWORD_CONFIRM, "required");
    } else if confirm != new {
        errors.add(flow, NEW_PASSWORD_CONFIRM, "mismatch");
    }
    new
}

/// The birthdate as `YYYY-MM-DD` from its three `dateselect` params; `None` when none is sent,
/// 390 `birthdate_invalid` when some are missing or the date does not exist (facts §3.4).
pub fn birthdate(params: &Params, flow: &Flow, errors: &mut FieldErrors) -> Option<String> {
    let parts: Vec<&str> = BIRTHDATE_PARTS
        .iter()
        .map(|p| params.get(p).unwrap_or_default().trim())
        .collect();
    if parts.iter().all(|p| p.is_empty()) {
        return None;
    }
    let parsed = (|| {
        let year: i32 = parts[0].parse().ok()?;
        let month: u8 = parts[1].parse().ok()?;
        let day: u8 = parts[2].parse().ok()?;
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .filter(|d| (1800..=9999).contains(&d.year()))
    })();
    match parsed {
        Some(date) => Some(format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )),
        None => {
            errors.add(flow, BIRTHDATE, "invalid");
            None
        }
    }
}
