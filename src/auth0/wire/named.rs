//! The Auth0 errors a fault rule can name (`"error": "auth0.rate_limited"`), and the wire error
//! each name stands for.

use crate::auth0::wire::error::Auth0Error;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::core::tokens::TokenRejection;

/// Provider errors a fault rule can name (`"error": "auth0.rate_limited"`).
pub const NAMED_ERRORS: &[&str] = &[
    "auth0.rate_limited",
    "auth0.users_write_rate_limited",
    "auth0.client_quota_exceeded",
    "auth0.authentication_rate_limited",
    "auth0.missing_authentication",
    "auth0.invalid_token",
    "auth0.invalid_json",
    "auth0.service_unavailable",
];

impl Auth0Error {
    /// The error a fault rule names (see [`NAMED_ERRORS`]); `reset_in_secs` is when the
    /// pretend bucket refills.
    pub fn named(name: &str, reset_in_secs: i64) -> Option<Self> {
        match name {
            "auth0.rate_limited" => Some(MgmtError::GlobalRateLimit { reset_in_secs }.into()),
            "auth0.users_write_rate_limited" => Some(MgmtError::UsersWriteRateLimit { reset_in_secs }.into()),
            "auth0.client_quota_exceeded" => Some(OAuthError::ClientQuotaExceeded { reset_in_secs }.into()),
            "auth0.authentication_rate_limited" => Some(OAuthError::AuthenticationRateLimit { reset_in_secs }.into()),
            // As if the request had reached the provider without its Authorization header (a
            // proxy that strips it): the auth ladder's first rung.
            "auth0.missing_authentication" => Some(
                MgmtError::MissingAuthentication {
                    scheme: None,
                    token_url: "/oauth/token".into(),
                    audience: "the Management API's identifier".into(),
                }
                .into(),
            ),
            // As if the token's signature had not verified (a key rotated under the client).
            "auth0.invalid_token" => Some(
                MgmtError::InvalidToken {
                    reason: TokenRejection::BadSignature,
                }
                .into(),
            ),
            "auth0.invalid_json" => Some(
                MgmtError::InvalidJson {
                    looks_form_encoded: false,
                }
                .into(),
            ),
            "auth0.service_unavailable" => Some(MgmtError::ServiceUnavailable.into()),
            _ => None,
        }
    }
}
