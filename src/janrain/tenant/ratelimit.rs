//! Which Capture endpoints are rate limited together, and what a refusal looks like.
//!
//! Three groups: `native` (`/oauth/*_native`, the login-client calls), `token`
//! (`/oauth/token`) and `entity` (`/entity…`). The grouping is authmock's (inf: Capture
//! documents no per-endpoint limits, only the 510 `api_limit_error` code, facts §3). An empty
//! bucket answers [`JanrainError::ApiLimit`]. The buckets live in `core::ratelimit`, on the app
//! clock.

use crate::janrain::wire::error::JanrainError;

/// The endpoint groups a bucket can be set on.
pub const GROUPS: &[&str] = &["native", "token", "entity"];

/// The group a request path belongs to, if it is rate limited at all.
pub(in crate::janrain) fn group(path: &str) -> Option<&'static str> {
    if path == "/oauth/token" {
        Some("token")
    } else if path.starts_with("/oauth/") && path.ends_with("_native")
        || path.starts_with("/oauth/auth_native")
        || path.starts_with("/oauth/register_native")
    {
        Some("native")
    } else if path == "/entity" || path.starts_with("/entity.") || path.starts_with("/entity/") {
        Some("entity")
    } else {
        None
    }
}

/// The 510 of an empty bucket in `group`.
pub(in crate::janrain) fn refusal(group: &str, reset_in_secs: i64) -> JanrainError {
    let group = GROUPS.iter().copied().find(|g| *g == group).unwrap_or("native");
    JanrainError::ApiLimit {
        oauth: group == "token",
        bucket: Some((group, reset_in_secs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_into_their_groups() {
        assert_eq!(group("/oauth/token"), Some("token"));
        assert_eq!(group("/oauth/forgot_password_native"), Some("native"));
        assert_eq!(group("/oauth/auth_native_traditional"), Some("native"));
        assert_eq!(group("/oauth/update_profile_native"), Some("native"));
        assert_eq!(group("/oauth/register_native_traditional"), Some("native"));
        assert_eq!(group("/oauth/verify_email_native"), Some("native"));
        assert_eq!(group("/entity"), Some("entity"));
        assert_eq!(group("/__authmock__/journal"), None);
        assert_eq!(group("/nothing"), None);
    }
}
