//! The request journal: a bounded ring of the exchanges one tenant served.
//!
//! Every request to a provider route becomes one [`Exchange`]: the request and the response as
//! they crossed the wire, the time on the wall clock and on the tenant clock, the latency, an
//! [`Outcome`] and the diagnosis hint. The ring holds at most `limit` entries (a `VecDeque`:
//! pushing the `limit + 1`-th evicts the oldest) and counts what it evicted, so a reader can
//! tell "nothing happened" from "it fell off the end".
//!
//! Secrets are masked before an exchange is stored, unless the tenant keeps them
//! (`--journal-secrets`):
//! - passwords (`password`, `new_password`, `confirm_password`, Janrain's `currentPassword`,
//!   `newPassword` and `newPasswordConfirm`), one-time codes and their proofs (`code`,
//!   `code_verifier`, Janrain's `verification_code`) and Janrain's `refresh_secret` become `****`;
//! - `client_secret`, `access_token`, `id_token`, `refresh_token`, `/oauth/revoke`'s `token`,
//!   logout's `id_token_hint`, a ticket (`ticket`: the link a ticket endpoint answers, or the
//!   secret a hosted page is opened with), the credential of an `Authorization` header and
//!   cookie values keep their last four characters when they are at least twelve long
//!   (`****f00d`), so two entries can be compared ("was the same token reused?") without
//!   revealing the value; shorter ones become `****`. The scheme of an `Authorization` header is
//!   kept: `Bearer ****f00d`.
//!
//! Masking applies to JSON bodies (at any depth), form bodies, query strings, the query and
//! fragment of a `Location` header (the code or tokens a login redirects with) and the values of
//! `Cookie` and `Set-Cookie` headers (the login session). A body with nothing to mask is stored
//! verbatim, byte for byte.
//!
//! Depends on nothing else in the crate; `server` records, `admin` reads. Read `core::faults` next.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The journal bound when nothing else is configured (`--journal-limit`).
pub const DEFAULT_LIMIT: usize = 10_000;

/// Bodies longer than this are stored truncated (`body_truncated: true`).
pub const BODY_CAP: usize = 64 * 1024;

/// What a masked value is replaced with (plus the last four characters for long tokens).
pub const MASK: &str = "****";

/// Keys whose values are replaced by [`MASK`] entirely.
const HIDDEN: &[&str] = &[
    "password",
    "new_password",
    "confirm_password",
    "currentPassword",
    "newPassword",
    "newPasswordConfirm",
    "code",
    "code_verifier",
    "verification_code",
    "refresh_secret",
];
/// Keys whose values keep their last four characters.
const TAILED: &[&str] = &[
    "client_secret",
    "access_token",
    "id_token",
    "refresh_token",
    "token",
    "id_token_hint",
    "ticket",
];

/// How an exchange ended, from the client's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A 1xx-3xx response from the provider routes.
    Ok,
    /// A documented provider error (4xx/5xx on a route that exists).
    ProviderError,
    /// A fault rule changed the exchange (canned response, delay, drop, reset).
    Fault,
    /// No route matched (the provider's 404 for unknown paths and methods).
    NotFound,
}

/// Marker a provider puts in the extensions of its "no such route" response, so the journal
/// can tell an unknown path from a documented 404 such as "user does not exist".
#[derive(Debug, Clone, Copy)]
pub struct Unrouted;

/// Marker a provider puts in the extensions of an error answer sent with a success status
/// (Capture answers most errors with HTTP 200), so the journal records a provider error.
#[derive(Debug, Clone, Copy)]
pub struct ProviderErrorMark;

/// A body as stored: UTF-8 text verbatim, anything else base64.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedBody {
    pub body: String,
    pub body_encoding: Encoding,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub body_truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Utf8,
    Base64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names lower-cased; repeated headers joined with `, `.
    pub headers: Map<String, Value>,
    #[serde(flatten)]
    pub body: RecordedBody,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Map<String, Value>,
    #[serde(flatten)]
    pub body: RecordedBody,
}

/// One request and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// Increases by one per recorded exchange; survives eviction, restarts after a clear.
    pub id: u64,
    /// Wall-clock time the request arrived.
    #[serde(serialize_with = "rfc3339")]
    pub time: OffsetDateTime,
    /// Tenant-clock time the request arrived (what expiry checks saw).
    #[serde(serialize_with = "rfc3339")]
    pub tenant_time: OffsetDateTime,
    pub latency_ms: u64,
    pub outcome: Outcome,
    pub hint: Option<String>,
    /// The fault rule that changed this exchange, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<u64>,
    pub request: RecordedRequest,
    /// `None` when a fault dropped the connection before any response.
    pub response: Option<RecordedResponse>,
}

fn rfc3339<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    let text = at.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

/// The raw material of an exchange, before masking and encoding.
#[derive(Debug)]
pub struct Draft<'a> {
    pub time: OffsetDateTime,
    pub tenant_time: OffsetDateTime,
    pub latency_ms: u64,
    pub outcome: Outcome,
    pub hint: Option<String>,
    pub fault: Option<u64>,
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub request_headers: &'a http::HeaderMap,
    pub request_body: &'a [u8],
    /// Status, headers and body; `None` when there was no response.
    pub response: Option<(u16, &'a http::HeaderMap, &'a [u8])>,
}

/// Which entries `GET /__authmock__/journal` returns.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub method: Option<String>,
    /// A path prefix.
    pub path: Option<String>,
    pub status: Option<StatusFilter>,
    /// Wall-clock time, inclusive.
    pub since: Option<OffsetDateTime>,
    pub limit: Option<usize>,
}

/// An exact status (`401`) or a class (`4xx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Exact(u16),
    Class(u16),
}

impl StatusFilter {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(class) = text.strip_suffix("xx").or_else(|| text.strip_suffix("XX")) {
            return match class.parse::<u16>() {
                Ok(c @ 1..=5) if class.len() == 1 => Some(Self::Class(c)),
                _ => None,
            };
        }
        match text.parse::<u16>() {
            Ok(code @ 100..=599) if text.len() == 3 => Some(Self::Exact(code)),
            _ => None,
        }
    }

    fn matches(self, status: Option<u16>) -> bool {
        match (self, status) {
            (_, None) => false,
            (Self::Exact(code), Some(s)) => s == code,
            (Self::Class(class), Some(s)) => s / 100 == class,
        }
    }
}

/// A page of the journal, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Entries held right now (before filtering).
    pub total: usize,
    /// Entries that match the filter (before `limit`).
    pub matched: usize,
    /// Entries pushed out by the bound since the journal was last cleared.
    pub evicted: u64,
    /// The bound.
    pub limit: usize,
    pub entries: Vec<Exchange>,
}

/// How a tenant's journal behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The most exchanges held; 0 records nothing.
    pub limit: usize,
    /// Keep secrets in clear (`--journal-secrets`).
    pub keep_secrets: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            keep_secrets: false,
        }
    }
}

/// A cheap, cloneable handle to one tenant's journal.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// A std mutex: a push or a scan of memory, never held across `.await`. Separate from the
    /// tenant state lock so recording never waits on a handler.
    ring: Arc<Mutex<Ring>>,
}

#[derive(Debug, Default)]
struct Ring {
    settings: Settings,
    entries: VecDeque<Exchange>,
    evicted: u64,
    next_id: u64,
}

impl Ring {
    fn trim(&mut self) {
        while self.entries.len() > self.settings.limit {
            self.entries.pop_front();
            self.evicted += 1;
        }
    }
}

impl Journal {
    pub fn new(settings: Settings) -> Self {
        let journal = Self::default();
        journal.configure(settings);
        journal
    }

    /// Changes the bound (shrinking evicts the oldest entries at once) and the secret policy.
    pub fn configure(&self, settings: Settings) {
        let mut ring = self.lock();
        ring.settings = settings;
        ring.trim();
    }

    pub fn settings(&self) -> Settings {
        self.lock().settings
    }

    /// Masks and encodes `draft` (outside the lock), then stores it. Returns its id, or `None`
    /// when the journal is off (limit 0).
    pub fn record(&self, draft: Draft<'_>) -> Option<u64> {
        let settings = self.settings();
        if settings.limit == 0 {
            return None;
        }
        let mut exchange = draft.into_exchange(settings.keep_secrets);
        let mut ring = self.lock();
        ring.next_id += 1;
        let id = ring.next_id;
        exchange.id = id;
        ring.entries.push_back(exchange);
        // A full ring evicts one entry per push: free it after the lock is released.
        let evicted = (ring.entries.len() > ring.settings.limit)
            .then(|| ring.entries.pop_front())
            .flatten();
        if evicted.is_some() {
            ring.evicted += 1;
        }
        ring.trim();
        drop(ring);
        drop(evicted);
        Some(id)
    }

    /// Entries matching `filter`, newest first.
    pub fn page(&self, filter: &Filter) -> Page {
        let ring = self.lock();
        let matching = ring.entries.iter().rev().filter(|e| filter.matches(e));
        let matched = matching.clone().count();
        let entries = matching.take(filter.limit.unwrap_or(usize::MAX)).cloned().collect();
        Page {
            total: ring.entries.len(),
            matched,
            evicted: ring.evicted,
            limit: ring.settings.limit,
            entries,
        }
    }

    /// Forgets every entry and the eviction count; ids start again at 1. Settings stay.
    pub fn clear(&self) {
        let mut ring = self.lock();
        ring.entries.clear();
        ring.evicted = 0;
        ring.next_id = 0;
    }

    fn lock(&self) -> MutexGuard<'_, Ring> {
        // Every update is a push, a pop or a counter: a poisoned ring is still consistent.
        self.ring.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Filter {
    fn matches(&self, exchange: &Exchange) -> bool {
        let request = &exchange.request;
        self.method
            .as_deref()
            .is_none_or(|m| request.method.eq_ignore_ascii_case(m))
            && self.path.as_deref().is_none_or(|p| request.path.starts_with(p))
            && self
                .status
                .is_none_or(|s| s.matches(exchange.response.as_ref().map(|r| r.status)))
            && self.since.is_none_or(|since| exchange.time >= since)
    }
}

impl Draft<'_> {
    fn into_exchange(self, keep_secrets: bool) -> Exchange {
        let mask = !keep_secrets;
        Exchange {
            id: 0,
            time: self.time,
            tenant_time: self.tenant_time,
            latency_ms: self.latency_ms,
            outcome: self.outcome,
            hint: self.hint,
            fault: self.fault,
            request: RecordedRequest {
                method: self.method.to_owned(),
                path: self.path.to_owned(),
                query: self.query.map(|q| if mask { mask_form(q) } else { q.to_owned() }),
                headers: headers(self.request_headers, mask),
                body: recorded_body(self.request_body, mask),
            },
            response: self.response.map(|(status, response_headers, body)| RecordedResponse {
                status,
                headers: headers(response_headers, mask),
                body: recorded_body(body, mask),
            }),
        }
    }
}

fn headers(map: &http::HeaderMap, mask: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in map {
        let text = String::from_utf8_lossy(value.as_bytes());
        let text = match name {
            _ if !mask => text.into_owned(),
            &http::header::AUTHORIZATION => mask_authorization(&text),
            &http::header::LOCATION => mask_url(&text),
            &http::header::COOKIE | &http::header::SET_COOKIE => mask_cookies(&text),
            _ => text.into_owned(),
        };
        match out.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&text);
            }
            _ => {
                out.insert(name.as_str().to_owned(), Value::String(text));
            }
        }
    }
    out
}

fn recorded_body(bytes: &[u8], mask: bool) -> RecordedBody {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            // Mask the whole body first, so truncation never cuts a secret in half.
            let mut text = if mask { mask_body(text) } else { text.to_owned() };
            let truncated = text.len() > BODY_CAP;
            if truncated {
                let mut end = BODY_CAP;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            RecordedBody {
                body: text,
                body_encoding: Encoding::Utf8,
                body_truncated: truncated,
            }
        }
        Err(_) => RecordedBody {
            body: base64::engine::general_purpose::STANDARD.encode(&bytes[..bytes.len().min(BODY_CAP)]),
            body_encoding: Encoding::Base64,
            body_truncated: bytes.len() > BODY_CAP,
        },
    }
}

/// `****` plus the last four characters of long secrets.
fn masked(value: &str, tailed: bool) -> String {
    // Counting stops at twelve and the tail is found from the end: a bearer token is hundreds of
    // characters, and every journaled Management API request carries one.
    if tailed && value.chars().nth(11).is_some() {
        let start = value.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
        let mut out = String::with_capacity(MASK.len() + value.len() - start);
        out.push_str(MASK);
        out.push_str(&value[start..]);
        out
    } else {
        MASK.to_owned()
    }
}

fn secret_kind(key: &str) -> Option<bool> {
    if HIDDEN.contains(&key) {
        Some(false)
    } else if TAILED.contains(&key) {
        Some(true)
    } else {
        None
    }
}

/// `Bearer eyJ…f00d` → `Bearer ****f00d`; a value without a scheme is masked whole.
pub fn mask_authorization(value: &str) -> String {
    match value.trim().split_once(' ') {
        Some((scheme, credential)) => format!("{scheme} {}", masked(credential.trim(), true)),
        None if value.is_empty() => String::new(),
        None => masked(value, true),
    }
}

/// Masks the secrets of a URL's query and fragment (`cb?code=****`,
/// `cb#access_token=****f00d&…`), leaving the rest as it was.
pub fn mask_url(url: &str) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (url, None),
    };
    let mut out = match before_fragment.split_once('?') {
        Some((path, query)) => format!("{path}?{}", mask_form(query)),
        None => before_fragment.to_owned(),
    };
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(&mask_form(fragment));
    }
    out
}

/// Masks every cookie value of a `Cookie` header (`a=****f00d; b=****`) or the value of a
/// `Set-Cookie` header, whose attributes (`Path`, `Expires`, …) are kept.
pub fn mask_cookies(value: &str) -> String {
    let set_cookie = !value.contains("; ") || value.split("; ").skip(1).any(is_cookie_attribute);
    value
        .split("; ")
        .enumerate()
        .map(|(i, pair)| match pair.split_once('=') {
            Some((name, value)) if i == 0 || !set_cookie => format!("{name}={}", masked(value, true)),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn is_cookie_attribute(pair: &str) -> bool {
    let name = pair.split_once('=').map_or(pair, |(name, _)| name);
    [
        "path",
        "expires",
        "max-age",
        "domain",
        "secure",
        "httponly",
        "samesite",
        "partitioned",
    ]
    .iter()
    .any(|attribute| name.eq_ignore_ascii_case(attribute))
}

/// Masks secrets in a JSON or form body; returns the text unchanged when there is nothing to
/// mask (or it is neither).
pub fn mask_body(text: &str) -> String {
    // Fast path: no secret key name, no escape that could spell one (`\u0070assword`,
    // `pass%77ord`), nothing to parse.
    let could_hold_secrets = text.contains(['\\', '%']) || HIDDEN.iter().chain(TAILED).any(|key| text.contains(key));
    if !could_hold_secrets {
        return text.to_owned();
    }
    let trimmed = text.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(mut value) = serde_json::from_str::<Value>(text)
    {
        return if mask_json(&mut value) {
            value.to_string()
        } else {
            text.to_owned()
        };
    }
    if trimmed.starts_with('<') {
        return mask_html(text);
    }
    if text.contains('=') {
        mask_form(text)
    } else {
        text.to_owned()
    }
}

/// Masks the secrets a page carries: `key=value` in its URLs (the reset form's
/// `action="…?ticket=…"`) and `name="key" value="…"` hidden inputs (a `form_post` callback's
/// code and tokens).
fn mask_html(text: &str) -> String {
    let mut out = text.to_owned();
    for (key, tailed) in HIDDEN
        .iter()
        .map(|k| (k, false))
        .chain(TAILED.iter().map(|k| (k, true)))
    {
        out = mask_after(&out, &format!("name=\"{key}\" value=\""), tailed, |c| c == '"');
        out = mask_after(&out, &format!("{key}="), tailed, |c| {
            matches!(c, '"' | '\'' | '&' | '#' | '<' | '>') || c.is_whitespace()
        });
    }
    out
}

/// Masks the value after each `marker` (one not preceded by a name character) up to `end`.
fn mask_after(text: &str, marker: &str, tailed: bool, end: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        let start = at + marker.len();
        let bounded = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let len = rest[start..].find(&end).unwrap_or(rest.len() - start);
        out.push_str(&rest[..start]);
        let value = &rest[start..start + len];
        if bounded && !value.is_empty() && !value.starts_with(MASK) {
            out.push_str(&masked(value, tailed));
        } else {
            out.push_str(value);
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// Masks secret values in place; true when something was masked.
fn mask_json(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let mut changed = false;
            for (key, item) in map.iter_mut() {
                match (secret_kind(key), &*item) {
                    // A number under `code` is an error number (Janrain's `"code": 212`), not an
                    // authorization or recovery code, which are strings.
                    (Some(_), Value::Number(_)) if key == "code" => {}
                    (Some(tailed), Value::String(secret)) => {
                        *item = Value::String(masked(secret, tailed));
                        changed = true;
                    }
                    (Some(_), Value::Null) | (None, _) => changed |= mask_json(item),
                    (Some(_), _) => {
                        *item = Value::String(MASK.to_owned());
                        changed = true;
                    }
                }
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| mask_json(item) | changed),
        _ => false,
    }
}

/// Masks the values of secret keys in `a=b&c=d`, leaving every other byte as it was.
pub fn mask_form(text: &str) -> String {
    text.split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded_key = percent_encoding::percent_decode_str(&key.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned();
            match secret_kind(&decoded_key) {
                Some(tailed) if pair.contains('=') => {
                    let decoded = percent_encoding::percent_decode_str(&value.replace('+', " "))
                        .decode_utf8_lossy()
                        .into_owned();
                    format!("{key}={}", masked(&decoded, tailed))
                }
                _ => pair.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn draft<'a>(path: &'a str, headers: &'a http::HeaderMap, body: &'a [u8]) -> Draft<'a> {
        Draft {
            time: datetime!(2026-01-05 10:00 UTC),
            tenant_time: datetime!(2026-01-05 10:00 UTC),
            latency_ms: 1,
            outcome: Outcome::Ok,
            hint: None,
            fault: None,
            method: "GET",
            path,
            query: None,
            request_headers: headers,
            request_body: body,
            response: Some((200, headers, b"")),
        }
    }

    #[test]
    fn the_entry_past_the_bound_evicts_the_oldest_and_is_counted() {
        let journal = Journal::new(Settings {
            limit: 3,
            keep_secrets: false,
        });
        let headers = http::HeaderMap::new();
        let paths = ["/1", "/2", "/3", "/4"];
        for path in paths {
            journal.record(draft(path, &headers, b""));
        }
        let page = journal.page(&Filter::default());
        assert_eq!(page.total, 3);
        assert_eq!(page.evicted, 1);
        let seen: Vec<_> = page.entries.iter().map(|e| e.request.path.as_str()).collect();
        assert_eq!(seen, ["/4", "/3", "/2"], "newest first, /1 evicted");
        assert_eq!(page.entries[0].id, 4);
    }

    #[test]
    fn shrinking_the_bound_evicts_at_once_and_a_zero_bound_records_nothing() {
        let journal = Journal::default();
        let headers = http::HeaderMap::new();
        for _ in 0..5 {
            journal.record(draft("/x", &headers, b""));
        }
        journal.configure(Settings {
            limit: 2,
            keep_secrets: false,
        });
        assert_eq!(journal.page(&Filter::default()).evicted, 3);
        journal.configure(Settings {
            limit: 0,
            keep_secrets: false,
        });
        assert_eq!(journal.record(draft("/y", &headers, b"")), None);
        assert_eq!(journal.page(&Filter::default()).total, 0);
    }

    #[test]
    fn clear_forgets_entries_and_evictions() {
        let journal = Journal::new(Settings {
            limit: 1,
            keep_secrets: false,
        });
        let headers = http::HeaderMap::new();
        journal.record(draft("/a", &headers, b""));
        journal.record(draft("/b", &headers, b""));
        journal.clear();
        let page = journal.page(&Filter::default());
        assert_eq!((page.total, page.evicted), (0, 0));
        assert_eq!(journal.record(draft("/c", &headers, b"")), Some(1));
    }

    #[test]
    fn filters_combine_and_limit_caps_the_page() {
        let journal = Journal::default();
        let headers = http::HeaderMap::new();
        for path in ["/oauth/token", "/api/v2/users/1", "/oauth/token"] {
            journal.record(draft(path, &headers, b""));
        }
        let filter = Filter {
            path: Some("/oauth".into()),
            method: Some("get".into()),
            status: StatusFilter::parse("2xx"),
            limit: Some(1),
            ..Filter::default()
        };
        let page = journal.page(&filter);
        assert_eq!((page.total, page.matched, page.entries.len()), (3, 2, 1));
        assert_eq!(page.entries[0].id, 3);
    }

    #[test]
    fn status_filters_parse_codes_and_classes_only() {
        assert_eq!(StatusFilter::parse("401"), Some(StatusFilter::Exact(401)));
        assert_eq!(StatusFilter::parse("4xx"), Some(StatusFilter::Class(4)));
        for bad in ["", "4", "40x", "600", "0401", "9xx", "abc", "44xx"] {
            assert_eq!(StatusFilter::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn json_secrets_are_masked_at_any_depth() {
        let body = r#"{"client_id":"abc","client_secret":"s3cr3t-value-0123456789wxyz","password":"Passw0rd!long","nested":[{"refresh_token":"short"}],"code":"4Xy9-recovery","error":{"code":212}}"#;
        let masked = mask_body(body);
        let value: Value = serde_json::from_str(&masked).expect("still JSON");
        assert_eq!(value["client_id"], "abc");
        assert_eq!(value["client_secret"], "****wxyz");
        assert_eq!(value["password"], "****");
        assert_eq!(value["nested"][0]["refresh_token"], "****");
        assert_eq!(value["code"], "****");
        assert_eq!(value["error"]["code"], 212, "an error number is not a secret");
    }

    #[test]
    fn bodies_without_secrets_are_kept_byte_for_byte() {
        for body in [
            "{ \"email\" : \"a@b.c\" }",
            "email=a%40b.c&x",
            "not json, no pairs",
            "[1, 2]",
        ] {
            assert_eq!(mask_body(body), body);
        }
    }

    #[test]
    fn form_and_query_secrets_are_masked_in_place() {
        assert_eq!(
            mask_form("grant_type=password&username=a%40b.c&password=hunter2&client_secret=abcdefghijklmnop"),
            "grant_type=password&username=a%40b.c&password=****&client_secret=****mnop"
        );
        assert_eq!(mask_form("code=xyz&state=1"), "code=****&state=1");
        assert_eq!(mask_form("code"), "code", "a key without a value has nothing to mask");
    }

    #[test]
    fn escaped_key_names_are_still_masked() {
        let masked = mask_body(r#"{"pass\u0077ord":"hunter2"}"#);
        assert_eq!(masked, r#"{"password":"****"}"#);
        assert_eq!(mask_form("pass%77ord=hunter2"), "pass%77ord=****");
    }

    #[test]
    fn long_secrets_keep_their_last_four_characters_even_multibyte_ones() {
        assert_eq!(masked("abcdefghijk", true), "****", "eleven characters");
        assert_eq!(masked("abcdefghijkl", true), "****ijkl");
        assert_eq!(masked("ääääääääääéüöß", true), "****éüöß");
        assert_eq!(masked("abcdefghijklmnop", false), "****");
    }

    #[test]
    fn authorization_keeps_its_scheme() {
        assert_eq!(
            mask_authorization("Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig0f00d"),
            "Bearer ****f00d"
        );
        assert_eq!(mask_authorization("Basic abc"), "Basic ****");
        assert_eq!(mask_authorization("tokenwithoutscheme"), "****heme");
        assert_eq!(mask_authorization(""), "");
    }

    #[test]
    fn non_utf8_bodies_are_base64_and_long_ones_truncated() {
        let headers = http::HeaderMap::new();
        let journal = Journal::default();
        journal.record(draft("/bin", &headers, &[0xff, 0xfe]));
        let long = vec![b'a'; BODY_CAP + 1];
        journal.record(draft("/long", &headers, &long));
        let page = journal.page(&Filter::default());
        let long_entry = &page.entries[0].request.body;
        assert!(long_entry.body_truncated);
        assert_eq!(long_entry.body.len(), BODY_CAP);
        let binary = &page.entries[1].request.body;
        assert_eq!(binary.body_encoding, Encoding::Base64);
        assert_eq!(binary.body, "//4=");
    }

    #[test]
    fn secrets_are_kept_when_asked() {
        let journal = Journal::new(Settings {
            limit: 10,
            keep_secrets: true,
        });
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "authorization",
            http::HeaderValue::from_static("Bearer abcdefghijklmnop"),
        );
        journal.record(draft("/s", &headers, b"password=hunter2"));
        let entry = &journal.page(&Filter::default()).entries[0];
        assert_eq!(entry.request.headers["authorization"], "Bearer abcdefghijklmnop");
        assert_eq!(entry.request.body.body, "password=hunter2");
    }

    #[test]
    fn locations_cookies_and_pages_are_masked() {
        let token = "eyJhbGciOiJSUzI1NiJ9.payload.sig-f00d";
        assert_eq!(
            mask_url(&format!(
                "http://127.0.0.1:3000/cb?code=abc123&state=s#access_token={token}&x=1"
            )),
            "http://127.0.0.1:3000/cb?code=****&state=s#access_token=****f00d&x=1"
        );
        assert_eq!(mask_url("/u/login?state=abc"), "/u/login?state=abc");
        assert_eq!(
            mask_cookies("auth0_session=0123456789abcdef; Path=/; HttpOnly; SameSite=Lax"),
            "auth0_session=****cdef; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(mask_cookies("a=0123456789abcdef; b=xy"), "a=****cdef; b=****");
        assert_eq!(
            mask_body(&format!(
                "<form action=\"/u/reset-password?ticket=0123456789abcdef\">\
                 <input type=\"hidden\" name=\"id_token\" value=\"{token}\">\
                 <input type=\"hidden\" name=\"state\" value=\"st4te\">"
            )),
            "<form action=\"/u/reset-password?ticket=****cdef\">\
             <input type=\"hidden\" name=\"id_token\" value=\"****f00d\">\
             <input type=\"hidden\" name=\"state\" value=\"st4te\">"
        );
    }
}
