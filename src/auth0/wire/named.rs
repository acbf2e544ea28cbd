//! The Auth0 errors a fault rule can name (`"error": "auth0.rate_limited"`), and the wire error
//! each name stands for.

use crate::auth0::wire::error::Auth0Error;
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
            "auth0.rate_limited" => Some(Auth0Error::GlobalRateLimit { reset_in_secs }),
            "auth0.users_write_rate_limited" => Some(Auth0Error::UsersWriteRateLimit { reset_in_secs }),
            "auth0.client_quota_exceeded" => Some(Auth0Error::ClientQuotaExceeded { reset_in_secs }),
            "auth0.authentication_rate_limited" => Some(Auth0Error::AuthenticationRateLimit { reset_in_secs }),
            // As if the request had reached the provider without its Authorization header (a
            // proxy that strips it): the auth ladder's first rung.
            "auth0.missing_authentication" => Some(Auth0Error::MissingAuthentication {
                scheme: None,
                token_url: "/oauth/token".into(),
                audience: "the Management API's identifier".into(),
            }),
            // As if the token's signature had not verified (a key rotated under the client).
            "auth0.invalid_token" => Some(Auth0Error::InvalidToken {
                reason: TokenRejection::BadSignature,
            }),
            "auth0.invalid_json" => Some(Auth0Error::InvalidJson {
                looks_form_encoded: false,
            }),
            "auth0.service_unavailable" => Some(Auth0Error::ServiceUnavailable),
            _ => None,
        }
    }
}
