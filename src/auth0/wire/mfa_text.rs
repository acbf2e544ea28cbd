//! The Universal Login MFA pages' copy and markup: the OTP challenge (`/u/mfa-otp-challenge`)
//! and the OTP enrolment (`/u/mfa-otp-enrollment-qr`).
//!
//! Texts are the provider's documented screen texts (facts auth0-mfa-orgs.md A8, DOC-text); the
//! form keeps the observed field names (`state`, `code`, `action=default`, `rememberBrowser`,
//! facts A8 obs: ACUL, UL-MFA-CLIENTS). The markup around them is authmock's own, in the login
//! page's frame (inf), its labels too (`Enter your one-time code`, `Trouble Scanning?`: inf, not
//! in the facts). The enrolment page shows the secret and the `otpauth://` link instead of
//! a QR image (inf: authmock draws no QR code; an authenticator app takes either).

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::auth0::wire::login_text::{CONTINUE, frame};
use crate::auth0::wire::respond::encode;

/// The challenge screen's title (doc: DOC-text `mfa-otp-challenge`).
pub const CHALLENGE_TITLE: &str = "Verify Your Identity";
/// The enrolment screens' title (doc: DOC-text `mfa-otp-enrollment-qr`).
pub const ENROLMENT_TITLE: &str = "Secure Your Account";
/// doc: DOC-text `mfa-otp-challenge`.
pub const CHALLENGE_DESCRIPTION: &str = "Check your preferred one-time password application for a code.";
/// inf: the enrolment screen's description was not captured.
pub const ENROLMENT_DESCRIPTION: &str =
    "Scan the QR Code below using your preferred authenticator app and then enter the provided one-time code below.";
/// doc: DOC-text.
pub const REMEMBER_BROWSER: &str = "Remember this device for 30 days";
/// `invalid-code` (obs status 400, doc text: facts A8).
pub const INVALID_CODE: &str = "The code you entered is invalid";
/// doc: DOC-text.
pub const CODE_REQUIRED: &str = "Please enter a code";
/// doc: DOC-text.
pub const CODE_FORMAT: &str = "OTP Code must have 6 numeric characters";
/// doc: DOC-text (the brute-force bucket the MFA grants share).
pub const TOO_MANY_CODES: &str = "Too many failed codes. Wait for some minutes before retrying.";

/// The OTP challenge path (obs: facts A8 UL-MFA-CLIENTS).
pub const CHALLENGE_PATH: &str = "/u/mfa-otp-challenge";
/// The OTP enrolment path (inf: path = `/u/<screen>`, facts A8).
pub const ENROLMENT_PATH: &str = "/u/mfa-otp-enrollment-qr";

/// What the enrolment page shows of the new authenticator.
pub struct Enrolment<'a> {
    pub secret: &'a str,
    pub uri: &'a str,
}

/// The challenge page, or with `enrolment` the enrolment page, with an error under the code.
pub fn otp_page(tenant_name: &str, state: &str, enrolment: Option<&Enrolment<'_>>, error: Option<&str>) -> String {
    let (path, title, description) = match enrolment {
        None => (CHALLENGE_PATH, CHALLENGE_TITLE, CHALLENGE_DESCRIPTION),
        Some(_) => (ENROLMENT_PATH, ENROLMENT_TITLE, ENROLMENT_DESCRIPTION),
    };
    let action = format!("{path}?state={}", encode(state));
    // The secret sits in a named input so the journal masks it like any posted secret.
    let authenticator = enrolment
        .map(|e| {
            format!(
                "<p><a id=\"otpauth-uri\" href=\"{uri}\">otpauth</a></p>\n\
                 <label for=\"secret\">Trouble Scanning?</label>\n\
                 <input id=\"secret\" type=\"text\" readonly name=\"secret\" value=\"{secret}\">\n",
                uri = attr(e.uri),
                secret = attr(e.secret),
            )
        })
        .unwrap_or_default();
    let error = error
        .map(|e| {
            format!(
                "<span id=\"error-element-code\" class=\"ulp-input-error-message\" role=\"alert\">{}</span>\n",
                text(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{title}</h1>\n<p>{description}</p>\n{authenticator}\
         <form method=\"POST\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\n\
         <label for=\"code\">Enter your one-time code</label>\n\
         <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\">\n{error}\
         <label><input id=\"rememberBrowser\" name=\"rememberBrowser\" type=\"checkbox\" value=\"true\"> \
         {REMEMBER_BROWSER}</label>\n\
         <button type=\"submit\" name=\"action\" value=\"default\" data-action-button-primary=\"true\">{CONTINUE}</button>\n\
         </form>\n",
        action = attr(&action),
        state = attr(state),
    );
    frame(tenant_name, &body)
}
