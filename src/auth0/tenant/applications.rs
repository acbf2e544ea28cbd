//! What an application (client) needs for browser logins: callbacks, logout URLs, web origins,
//! how it authenticates at the token endpoint and its refresh-token policy.
//!
//! Field names and defaults follow the Management API's client object (facts auth0-login.md §1.1,
//! §4, §7): `callbacks`, `allowed_logout_urls`, `web_origins`, `token_endpoint_auth_method`,
//! `refresh_token.{rotation_type, leeway, token_lifetime, idle_token_lifetime}`.
//! Depends on nothing but serde; read `login/authorize.rs` next.

use serde::{Deserialize, Serialize};

/// An application's "Types of users" setting (Management API `organization_usage`, doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationUsage {
    /// Individuals only: `organization` is not accepted.
    #[default]
    Deny,
    /// Individuals and business users.
    Allow,
    /// Business users only: `organization` must be sent.
    Require,
}

/// A rotating refresh token's absolute lifetime, 30 days by default (facts §4, DOC-rt).
pub const DEFAULT_TOKEN_LIFETIME: i64 = 2_592_000;
/// …and its idle lifetime, also 30 days by default (facts §4, DOC-rt).
pub const DEFAULT_IDLE_TOKEN_LIFETIME: i64 = 2_592_000;

/// Refresh-token settings as the fixture writes them (`refresh_token` on a client).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenSettings {
    /// `rotating` or `non-rotating`. SPAs are forced to rotating (facts §4).
    #[serde(default)]
    pub rotation_type: Option<String>,
    /// Seconds during which the token just rotated away still works once more (facts §4).
    #[serde(default)]
    pub leeway: i64,
    /// Absolute lifetime in seconds, not extended by rotation.
    #[serde(default)]
    pub token_lifetime: Option<i64>,
    /// Idle lifetime in seconds, renewed by each exchange.
    #[serde(default)]
    pub idle_token_lifetime: Option<i64>,
}

/// How one refresh-token family behaves, resolved from the client's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RefreshPolicy {
    pub rotating: bool,
    pub leeway: i64,
    pub token_lifetime: i64,
    pub idle_token_lifetime: i64,
}

/// An application's browser-login settings.
#[derive(Debug, Clone, Default)]
pub struct AppLogin {
    /// Allowed Callback URLs: `redirect_uri` must equal one of them (a `*` may stand for one
    /// subdomain label).
    pub callbacks: Vec<String>,
    /// Allowed Logout URLs for `returnTo` / `post_logout_redirect_uri`.
    pub allowed_logout_urls: Vec<String>,
    /// Allowed Web Origins: origins that may use `response_mode=web_message`.
    pub web_origins: Vec<String>,
    /// `none` (public: SPA, native), `client_secret_post` or `client_secret_basic`.
    pub token_endpoint_auth_method: String,
    /// "Trust Token Endpoint IP Header" (Management API `is_token_endpoint_ip_header_trusted`,
    /// default false): a password grant that authenticates with the client secret may name the
    /// user's IP in `auth0-forwarded-for` (`brute_force.rs`). Never on for a public client.
    pub ip_header_trusted: bool,
    pub refresh: RefreshPolicy,
}

impl AppLogin {
    /// Resolves the fixture's settings; `app_type` decides the defaults (public clients use
    /// `none`, SPAs always rotate).
    pub fn resolve(
        app_type: &str,
        callbacks: &[String],
        allowed_logout_urls: &[String],
        web_origins: &[String],
        token_endpoint_auth_method: Option<&str>,
        ip_header_trusted: bool,
        refresh: Option<&RefreshTokenSettings>,
    ) -> Self {
        let public = matches!(app_type, "spa" | "native");
        let refresh = refresh.cloned().unwrap_or_default();
        let rotating = app_type == "spa" || refresh.rotation_type.as_deref() == Some("rotating");
        Self {
            callbacks: callbacks.to_vec(),
            allowed_logout_urls: allowed_logout_urls.to_vec(),
            web_origins: web_origins.to_vec(),
            token_endpoint_auth_method: token_endpoint_auth_method
                .unwrap_or(if public { "none" } else { "client_secret_post" })
                .to_owned(),
            ip_header_trusted,
            refresh: RefreshPolicy {
                rotating,
                leeway: refresh.leeway.max(0),
                token_lifetime: refresh.token_lifetime.unwrap_or(DEFAULT_TOKEN_LIFETIME),
                idle_token_lifetime: refresh.idle_token_lifetime.unwrap_or(DEFAULT_IDLE_TOKEN_LIFETIME),
            },
        }
    }

    /// Public clients (auth method `none`) cannot keep a secret: PKCE stands in for one.
    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == "none"
    }

    /// The allowed callback `redirect_uri` matches exactly, if any (facts §1.1: scheme, port and
    /// trailing slash all count).
    pub fn allows_callback(&self, redirect_uri: &str) -> bool {
        self.callbacks.iter().any(|allowed| url_matches(allowed, redirect_uri))
    }

    /// Logout URLs are compared without their query and fragment (facts §7, DOC-logout), as
    /// URLs: a bare origin is its root path (`http://127.0.0.1:3000` is
    /// `http://127.0.0.1:3000/`, see [`with_root_path`]).
    pub fn allows_logout(&self, return_to: &str) -> bool {
        let bare = with_root_path(strip_query(return_to));
        self.allowed_logout_urls
            .iter()
            .any(|allowed| url_matches(&with_root_path(strip_query(allowed)), &bare))
    }

    /// `/oidc/logout`'s `post_logout_redirect_uri`: matched exactly, query string included
    /// (facts §7, DOC-logout), a bare origin being its root path as for [`Self::allows_logout`].
    pub fn allows_post_logout_redirect(&self, uri: &str) -> bool {
        let uri = with_root_path(uri);
        self.allowed_logout_urls
            .iter()
            .any(|allowed| with_root_path(allowed) == uri)
    }

    /// Whether `origin` (`scheme://host[:port]`) is an Allowed Web Origin.
    pub fn allows_web_origin(&self, origin: &str) -> bool {
        self.web_origins
            .iter()
            .any(|allowed| url_matches(allowed.trim_end_matches('/'), origin))
    }
}

/// A URL with an empty path given its root path, as a URL parser serializes it:
/// `http://127.0.0.1:3000` → `http://127.0.0.1:3000/`, `https://a.example?x=1` →
/// `https://a.example/?x=1`; any other URL as it is. obs (facts §7, PROBE-BM): a logout to
/// `http://localhost:3000` redirected to `Location: http://localhost:3000/`, so the tenant parses
/// the URL and an origin without its slash is the same URL as with it.
pub fn with_root_path(url: &str) -> std::borrow::Cow<'_, str> {
    let Some(scheme_end) = url.find("://") else {
        return url.into();
    };
    let authority_start = scheme_end + 3;
    match url[authority_start..].find(['/', '?', '#']) {
        None => format!("{url}/").into(),
        Some(i) if url.as_bytes()[authority_start + i] != b'/' => {
            let at = authority_start + i;
            format!("{}/{}", &url[..at], &url[at..]).into()
        }
        Some(_) => url.into(),
    }
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Exact string equality, except that a `*` label in the allowed URL's host matches one
/// subdomain label of the candidate (never a dot, never the scheme, path or port).
pub fn url_matches(allowed: &str, candidate: &str) -> bool {
    if allowed == candidate {
        return true;
    }
    let Some(star) = allowed.find("*.") else {
        return false;
    };
    let (prefix, suffix) = (&allowed[..star], &allowed[star + 1..]);
    // The wildcard must sit right after the scheme (`https://*.example.com/...`).
    if !prefix.ends_with("://") {
        return false;
    }
    let Some(rest) = candidate.strip_prefix(prefix) else {
        return false;
    };
    let Some(label_end) = rest.find('.') else {
        return false;
    };
    let label = &rest[..label_end];
    !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && &rest[label_end..] == suffix
}

/// The origin (`scheme://authority`) of an absolute URL.
pub fn origin_of(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    (end > scheme_end).then(|| &url[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_match_exactly_or_by_one_wildcard_label() {
        let cases = [
            ("http://a.test/cb", "http://a.test/cb", true),
            ("http://a.test/cb", "http://a.test/cb/", false),
            ("http://a.test/cb", "http://a.test:80/cb", false),
            ("http://a.test/cb", "http://a.test/cb?x=1", false),
            ("https://*.a.test/cb", "https://x.a.test/cb", true),
            ("https://*.a.test/cb", "https://x.y.a.test/cb", false),
            ("https://*.a.test/cb", "https://evil.test/.a.test/cb", false),
            ("https://*.a.test/cb", "https://.a.test/cb", false),
            ("https://*.a.test/cb", "https://x.a.test/cb/../x", false),
        ];
        for (allowed, candidate, expected) in cases {
            assert_eq!(url_matches(allowed, candidate), expected, "{allowed} vs {candidate}");
        }
    }

    #[test]
    fn origins_are_scheme_and_authority() {
        assert_eq!(origin_of("http://127.0.0.1:3000/cb?x#y"), Some("http://127.0.0.1:3000"));
        assert_eq!(origin_of("http://127.0.0.1:3000"), Some("http://127.0.0.1:3000"));
        assert_eq!(origin_of("nonsense"), None);
    }
}
