//! The names and default texts of the Capture flow: form names, the standard flow's field names
//! (facts `janrain-entity.md` §3.2: `emailAddress`, `newPassword`, `newPasswordConfirm`,
//! `firstName`, `lastName`, `displayName`, `birthdate[dateselect_year|month|day]`; §3.4:
//! `currentPassword`), and the texts a form answers with when the fixture does not set its own.
//! Every message a field error carries comes from the flow (`messages`, keyed `<field>_<rule>`);
//! the flow texts are configuration, not wire facts (the facts say "flow-configured messages").

pub const FORGOT_PASSWORD_FORM: &str = "forgotPasswordForm";
pub const CHANGE_PASSWORD_FORM: &str = "changePasswordFormNoAuth";
pub const SIGN_IN_FORM: &str = "signInForm";
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
pub const BIRTHDATE_PARTS: [&str; 3] = [
    "birthdate[dateselect_year]",
    "birthdate[dateselect_month]",
    "birthdate[dateselect_day]",
];

/// The field `resendVerificationForm` reads the address from by default.
pub const SIGN_IN_EMAIL: &str = "signInEmailAddress";

/// The docs' generic answer to a wrong credential or an unknown address (facts §3.4, §4).
pub const INCORRECT_CREDENTIALS: &str = "Incorrect username or password";

/// The flow's error of an email already verified (540 `triggered_error`, facts §3.1; body NOT
/// FOUND, shaped as the audited 540).
pub const TRIGGERED_ERROR: &str = "triggered_error";
pub const TRIGGERED_DESCRIPTION: &str = "an error was triggered in the flow";
/// inf: the flow's text is NOT FOUND.
pub const ALREADY_VERIFIED: &str = "that email address is already verified";

/// inf: a validation message the flow does not configure (real flows configure every one they
/// use); names the field and the rule.
pub(in crate::janrain) fn unconfigured_message(field: &str, rule: &str) -> String {
    format!("{field} failed {rule}")
}
