//! Which Auth0 endpoints are rate limited together, and what a refusal looks like.
//!
//! Two groups (facts §6): `management` (every `/api/v2/` route; an empty bucket answers the
//! Management API's 429 `Global limit has been reached`) and `authentication` (`/oauth/token`
//! and `/dbconnections/…`; an empty bucket answers the OAuth envelope's `too_many_requests`).
//! The buckets themselves live in `core::ratelimit`, on the tenant clock.

use super::error::Auth0Error;

/// The endpoint groups a bucket can be set on.
pub const GROUPS: &[&str] = &["management", "authentication"];

/// The group a request path belongs to, if it is rate limited at all.
pub fn group(path: &str) -> Option<&'static str> {
    if path.starts_with("/api/v2/") {
        Some("management")
    } else if path == "/oauth/token" || path.starts_with("/dbconnections/") {
        Some("authentication")
    } else {
        None
    }
}

/// The 429 of an empty bucket in `group`.
pub fn refusal(group: &str, reset_in_secs: i64) -> Auth0Error {
    match group {
        "authentication" => Auth0Error::AuthenticationRateLimit { reset_in_secs },
        _ => Auth0Error::GlobalRateLimit { reset_in_secs },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_into_their_groups() {
        assert_eq!(group("/api/v2/users/x"), Some("management"));
        assert_eq!(group("/oauth/token"), Some("authentication"));
        assert_eq!(group("/dbconnections/change_password"), Some("authentication"));
        assert_eq!(group("/.well-known/jwks.json"), None);
        assert_eq!(group("/api/v2"), None);
    }
}
