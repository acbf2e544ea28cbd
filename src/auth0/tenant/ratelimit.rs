//! Which Auth0 endpoints are rate limited together, and what a refusal looks like.
//!
//! Two groups (facts §6): `management` (every `/api/v2/` route; an empty bucket answers the
//! Management API's 429 `Global limit has been reached`) and `authentication` (`/oauth/token`
//! and `/dbconnections/…`; an empty bucket answers the OAuth envelope's `too_many_requests`).
//! The buckets themselves live in `core::ratelimit`, on the tenant clock.
//!
//! A tenant whose fixture says nothing about `rate_limits` gets [`documented_defaults`]: the
//! limits Auth0 documents for a free tenant, in report-only mode. The real tenant sends
//! `x-ratelimit-*` on every response of these endpoints (facts §11) and refuses past the
//! limit; here the headers count down the same way but an empty bucket still serves, because a
//! Management API burst of 2 would refuse every test after its second call. Enforcing buckets
//! come from the fixture or `POST /__authmock__/rate-limits` (mode `enforce`, the default there).

use crate::auth0::wire::error::Auth0Error;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::core::ratelimit::{BucketDefinition, BucketMode};

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

/// The buckets of a tenant whose fixture has no `rate_limits`: Auth0's documented limits for
/// the Free subscription, report-only (see the module docs).
///
/// - `management`: burst 2, 2 per second (doc: DOC-rl free tier, auth0-users facts §8).
/// - `authentication`: burst 30, 30 per second, the documented limit of `/oauth/token`, which
///   the captured `x-ratelimit-limit: 30` / `-remaining: 29` on a `/oauth/token` 200 agrees
///   with (doc + obs: facts §1.2). `inf`: `/dbconnections/change_password` is documented with
///   its own bucket (burst 10, 1 per minute, per IP and email); it shares the group's here.
pub fn documented_defaults() -> Vec<BucketDefinition> {
    let report = |group: &str, limit: u64| BucketDefinition {
        group: group.to_owned(),
        limit,
        refill: None,
        window_secs: 1,
        remaining: None,
        mode: BucketMode::Report,
    };
    vec![report("management", 2), report("authentication", 30)]
}

/// The 429 of an empty bucket in `group`.
pub fn refusal(group: &str, reset_in_secs: i64) -> Auth0Error {
    match group {
        "authentication" => OAuthError::AuthenticationRateLimit { reset_in_secs }.into(),
        _ => MgmtError::GlobalRateLimit { reset_in_secs }.into(),
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

    #[test]
    fn the_defaults_report_every_group_without_refusing() {
        let defaults = documented_defaults();
        let groups: Vec<&str> = defaults.iter().map(|d| d.group.as_str()).collect();
        assert_eq!(groups, GROUPS);
        assert!(defaults.iter().all(|d| d.mode == BucketMode::Report));
    }
}
