//! The field checks the native forms share: a text field (required, too long), `emailAddress`'s
//! form, a new password and its confirmation, and the birthdate's three `dateselect` params,
//! each error keyed by its field with the flow's message for the rule (`<field>_<rule>`),
//! collected in form order and answered at once (390 `invalid_form_fields`).

use super::extract::email_problem;
use crate::janrain::tenant::flow::Flow;
use crate::janrain::wire::error::{InvalidFields, JanrainError};
use crate::janrain::wire::params::Params;
use crate::janrain::wire::text::{BIRTHDATE, BIRTHDATE_PARTS, EMAIL, NEW_PASSWORD, NEW_PASSWORD_CONFIRM};

/// inf: the longest text a profile field takes (the flow's own limits are NOT FOUND; Capture
/// strings are commonly 1000 characters, 256 keeps the mock's records small). Longer is 390
/// `<field>_too_long`.
const MAX_FIELD_CHARS: usize = 256;

/// Collects a form's field errors in form order.
#[derive(Debug, Default)]
pub(super) struct FieldErrors(pub(super) InvalidFields);

impl FieldErrors {
    pub(super) fn add(&mut self, flow: &Flow, field: &str, rule: &str) {
        self.0.push((field.to_owned(), vec![flow.message(field, rule)]));
    }

    pub(super) fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(k, _)| k == field)
    }

    /// 390 `invalid_form_fields` with every error collected, if any.
    pub(super) fn check(self) -> Result<(), JanrainError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(JanrainError::InvalidFormFields { fields: self.0 })
    }
}

/// A text field's value, trimmed; `None` when not sent. Empty or not sent when required →
/// `<field>_required`; too long → `<field>_too_long`.
pub(super) fn text_field(
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

/// A sent, non-empty `emailAddress` with no error yet: the flow's `format` message when it is
/// not an address. True when it is one.
pub(super) fn email_address(flow: &Flow, email: &str, errors: &mut FieldErrors) -> bool {
    if email.is_empty() || errors.has(EMAIL) {
        return false;
    }
    let Some(message) = email_problem(flow, EMAIL, email) else {
        return true;
    };
    errors.0.push((EMAIL.to_owned(), vec![message]));
    false
}

/// `newPassword` and `newPasswordConfirm` against the form's length rules.
pub(super) fn new_password(params: &Params, flow: &Flow, min: usize, max: usize, errors: &mut FieldErrors) -> String {
    password_pair(params, flow, [NEW_PASSWORD, NEW_PASSWORD_CONFIRM], (min, max), errors)
}

/// A new password and its confirmation, as the form names them, against its length rules
/// (`min`, `max` characters).
pub(super) fn password_pair(
    params: &Params,
    flow: &Flow,
    [field, confirm_field]: [&str; 2],
    (min, max): (usize, usize),
    errors: &mut FieldErrors,
) -> String {
    let new = params.get(field).unwrap_or_default().to_owned();
    let confirm = params.get(confirm_field).unwrap_or_default();
    let length = new.chars().count();
    if new.is_empty() {
        errors.add(flow, field, "required");
    } else if length < min {
        errors.add(flow, field, "too_short");
    } else if length > max {
        errors.add(flow, field, "too_long");
    }
    if confirm.is_empty() {
        errors.add(flow, confirm_field, "required");
    } else if confirm != new {
        errors.add(flow, confirm_field, "mismatch");
    }
    new
}

/// The birthdate as `YYYY-MM-DD` from its three `dateselect` params; `None` when none is sent,
/// 390 `birthdate_invalid` when some are missing or the date does not exist (facts §3.4).
pub(super) fn birthdate(params: &Params, flow: &Flow, errors: &mut FieldErrors) -> Option<String> {
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
