//! The app's API clients as the fixture declares them, and how far a client's signed `Date`
//! may stray from the app clock.

use serde::{Deserialize, Serialize};

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
        self.features.iter().any(|f| f == "login_client")
    }
}
