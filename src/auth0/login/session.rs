//! The session cookies: `auth0` and its `auth0_compat` twin (facts auth0-login.md §2.1).
//!
//! Both carry the same opaque value, `s%3A<32 alphanumerics>` (obs: a 2026 capture shows
//! `auth0=s%3A<32 chars>.<sig>`; authmock signs nothing, inf). Both are `HttpOnly`, so page
//! scripts never read them. On an https listener `auth0` is `SameSite=None; Secure` and the
//! twin drops `SameSite` (doc); on a plain-http loopback listener browsers refuse
//! `SameSite=None` without `Secure`, so `auth0` is `SameSite=Lax` there (inf, the only way a
//! browser keeps it over http).

use axum::http::{HeaderMap, HeaderValue, header};

pub(super) const COOKIE: &str = "auth0";
pub(super) const COMPAT_COOKIE: &str = "auth0_compat";
const PREFIX: &str = "s%3A";

/// The session id the request's cookies carry (`auth0` first, then the twin).
pub(super) fn from_headers(headers: &HeaderMap) -> Option<String> {
    let mut compat = None;
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for pair in value.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            let Some(id) = value.strip_prefix(PREFIX).filter(|id| is_id(id)) else {
                continue;
            };
            match name {
                COOKIE => return Some(id.to_owned()),
                COMPAT_COOKIE => compat = Some(id.to_owned()),
                _ => {}
            }
        }
    }
    compat
}

fn is_id(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Sets both cookies for session `id` on `headers`.
pub(super) fn set(headers: &mut HeaderMap, id: &str, https: bool) {
    set_pair(headers, [COOKIE, COMPAT_COOKIE], &format!("{PREFIX}{id}"), "", https);
}

/// The MFA remember-browser cookie and its twin (facts auth0-login.md §2.1: same attributes as
/// `auth0`; 30 days, facts auth0-mfa-orgs.md A8).
pub(super) const REMEMBER_COOKIES: [&str; 2] = ["auth0-mf", "auth0-mf_compat"];

/// The remember-browser cookie's value (`auth0-mf` first, then the twin).
pub(super) fn remembered(headers: &HeaderMap) -> Option<String> {
    let mut compat = None;
    for value in headers.get_all(header::COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        for (name, value) in value.split(';').filter_map(|pair| pair.trim().split_once('=')) {
            if name == REMEMBER_COOKIES[0] && is_id(value) {
                return Some(value.to_owned());
            }
            if name == REMEMBER_COOKIES[1] && is_id(value) {
                compat = Some(value.to_owned());
            }
        }
    }
    compat
}

/// Sets both remember-browser cookies, for `max_age` seconds.
pub(super) fn set_remembered(headers: &mut HeaderMap, value: &str, max_age: i64, https: bool) {
    set_pair(headers, REMEMBER_COOKIES, value, &format!("; Max-Age={max_age}"), https);
}

/// A cookie and its `_compat` twin: `SameSite=None; Secure` and the twin without `SameSite` on
/// https, `SameSite=Lax` and a bare twin on plain http (module doc).
fn set_pair(headers: &mut HeaderMap, names: [&str; 2], value: &str, extra: &str, https: bool) {
    let (main, compat) = if https {
        (
            "; Path=/; HttpOnly; Secure; SameSite=None",
            "; Path=/; HttpOnly; Secure",
        )
    } else {
        ("; Path=/; HttpOnly; SameSite=Lax", "; Path=/; HttpOnly")
    };
    for (name, attributes) in [(names[0], main), (names[1], compat)] {
        if let Ok(value) = HeaderValue::from_str(&format!("{name}={value}{extra}{attributes}")) {
            headers.append(header::SET_COOKIE, value);
        }
    }
}

/// Expires both cookies (logout).
pub(super) fn clear(headers: &mut HeaderMap) {
    for name in [COOKIE, COMPAT_COOKIE] {
        if let Ok(value) = HeaderValue::from_str(&format!(
            "{name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly"
        )) {
            headers.append(header::SET_COOKIE, value);
        }
    }
}
