//! The flow the app's forms belong to, and each form's configuration as the fixture writes it:
//! the recovery flow (`forgotPasswordForm`, `changePasswordFormNoAuth`), sign-in, registration,
//! verification and the signed-in profile (facts `janrain.md` §4, `janrain-entity.md` §3.1,
//! §3.2, §3.4). Field names and default texts are the wire's (`wire::text`); the flow's own
//! validation messages are keyed `<field>_<rule>`.
//!
//! Leaf data: depends on `wire` only (a wrong current password's configured answer is a
//! `wire` error).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::janrain::wire::error::{ConfiguredError, JanrainError};
use crate::janrain::wire::text::{
    ALREADY_VERIFIED, CURRENT_PASSWORD, DISPLAY_NAME, EMAIL, INCORRECT_CREDENTIALS, NEW_PASSWORD, NEW_PASSWORD_CONFIRM,
    SIGN_IN_EMAIL, SIGNED_IN_PASSWORD_FORM, TRIGGERED_DESCRIPTION, TRIGGERED_ERROR, unconfigured_message,
};

/// The flow the app's forms belong to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub name: String,
    pub version: String,
    pub locale: String,
    /// What forgot-password answers for a social-only account ("depends on your flow
    /// configuration", facts §4; 540 `triggered_error` as observed).
    pub social_only_error: ConfiguredError,
    pub forms: Forms,
    /// Validation messages, keyed `<field>_<rule>`.
    pub messages: BTreeMap<String, String>,
}

impl Flow {
    /// The configured message for `field`'s `rule`, or a plain fallback naming both.
    pub fn message(&self, field: &str, rule: &str) -> String {
        self.messages
            .get(&format!("{field}_{rule}"))
            .cloned()
            .unwrap_or_else(|| unconfigured_message(field, rule))
    }
}

/// The forms of the recovery flow, registration, verification and the signed-in profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Forms {
    #[serde(rename = "forgotPasswordForm")]
    pub forgot_password: ForgotPasswordForm,
    #[serde(rename = "changePasswordFormNoAuth")]
    pub change_password: ChangePasswordForm,
    #[serde(rename = "signInForm")]
    pub sign_in: SignInForm,
    #[serde(rename = "registrationForm", default)]
    pub registration: RegistrationForm,
    #[serde(rename = "resendVerificationForm", default)]
    pub resend_verification: ResendVerificationForm,
    #[serde(rename = "editProfileForm", default)]
    pub edit_profile: EditProfileForm,
    #[serde(rename = "changePasswordForm", default)]
    pub signed_in_password: SignedInPasswordForm,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordForm {
    pub email_field: String,
    /// Form-level message when no account uses the email.
    pub no_such_account: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordForm {
    pub password_field: String,
    pub confirm_field: String,
    pub min_length: usize,
    pub max_length: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInForm {
    pub email_field: String,
    pub password_field: String,
    /// Form-level message for a wrong email/password pair.
    pub invalid_credentials: String,
}

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
            email_field: SIGN_IN_EMAIL.into(),
            no_such_account: INCORRECT_CREDENTIALS.into(),
            already_verified: ConfiguredError {
                code: 540,
                error: TRIGGERED_ERROR.into(),
                error_description: TRIGGERED_DESCRIPTION.into(),
                message: Some(ALREADY_VERIFIED.into()),
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
            wrong_current_message: INCORRECT_CREDENTIALS.into(),
        }
    }
}

impl SignedInPasswordForm {
    /// The configured answer to a wrong `currentPassword`.
    pub(in crate::janrain) fn wrong_current(&self) -> JanrainError {
        let message = self.wrong_current_message.clone();
        match self.wrong_current_password {
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
        }
    }
}
