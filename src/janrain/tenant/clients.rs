//! The app's API clients as the fixture declares them, and the rules of a client's signature:
//! how far its signed date may stray from the app clock, and HMAC-SHA1 over the signed text.

use aws_lc_rs::hmac;
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;
use time::macros::format_description;

/// How far a signed request's `Date` may be from the app clock, in seconds (inf: NOT FOUND).
/// The Entity API's `Signature` and `/oauth/refresh_access_token` both use it.
pub const SKEW_SECS: i64 = 300;

/// An API client of the app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureClient {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// API client features; `login_client` may call `/oauth/*_native`.
    pub features: Vec<String>,
    /// Where recovery mail links point; overrides the request's `redirect_uri`.
    pub password_recover_url: Option<String>,
    /// Seconds a recovery code stays valid (the provider's default is not documented).
    pub recover_code_lifetime: i64,
    /// Where verification mail links point (`janrain-entity.md` §3.1), `?verification_code=…`
    /// appended; without it the client cannot send verification mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email_url: Option<String>,
}

impl CaptureClient {
    pub fn is_login_client(&self) -> bool {
        self.holds_any(&["login_client"])
    }

    /// Whether the client holds one of `features`.
    pub fn holds_any(&self, features: &[&str]) -> bool {
        self.features.iter().any(|f| features.contains(&f.as_str()))
    }
}

/// Why a signed date is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not `YYYY-MM-DD HH:MM:SS`.
    NotADate,
    /// This many seconds from the app clock, more than [`SKEW_SECS`] either way.
    Skewed(i64),
}

/// A signed date (`YYYY-MM-DD HH:MM:SS`, UTC) checked to lie within [`SKEW_SECS`] of `now`.
pub(in crate::janrain) fn check_signed_date(date: &str, now: i64) -> Result<(), DateProblem> {
    let at = PrimitiveDateTime::parse(
        date,
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .map_err(|_| DateProblem::NotADate)?
    .assume_utc()
    .unix_timestamp();
    if (at - now).abs() > SKEW_SECS {
        return Err(DateProblem::Skewed(at - now));
    }
    Ok(())
}

/// Whether `signature` is HMAC-SHA1 of `text` keyed with `secret`.
pub(in crate::janrain) fn hmac_sha1_verifies(secret: &str, text: &str, signature: &[u8]) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    hmac::verify(&key, text.as_bytes(), signature).is_ok()
}

/// The HMAC-SHA1 signature, base64, a client holding `secret` sends over `text` (the vector
/// tests use it).
#[cfg(test)]
pub(in crate::janrain) fn hmac_sha1_base64(secret: &str, text: &str) -> String {
    use base64::Engine as _;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, text.as_bytes()).as_ref())
}
