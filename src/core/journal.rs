//! The request journal: a bounded ring of the exchanges one tenant served.
//!
//! Every request to a provider route becomes one [`Exchange`]: the request and the response as
//! they crossed the wire, the time on the wall clock and on the tenant clock, the latency, an
//! [`Outcome`] and the diagnosis hint. The ring holds at most `limit` entries (a `VecDeque`:
//! pushing the `limit + 1`-th evicts the oldest) and counts what it evicted, so a reader can
//! tell "nothing happened" from "it fell off the end".
//!
//! The ring is bounded in bytes too. A body longer than `body_cap` (`--journal-body-cap`,
//! [`DEFAULT_BODY_CAP`]) is stored cut, marked `body_truncated`; every entry weighs the bytes of
//! its texts plus [`ENTRY_OVERHEAD`], and pushing past `byte_limit` (`--journal-bytes`,
//! [`DEFAULT_BYTE_LIMIT`]) evicts the oldest entries until the ring fits again. Entries are
//! shared (`Arc`), so a page is a list of pointers, not a copy; without `limit` a page holds
//! [`DEFAULT_PAGE`] entries, and `before` (an id) pages on to older ones.
//!
//! Secrets are masked before an exchange is stored, unless the tenant keeps them
//! (`--journal-secrets`). What is a secret is decided by one classifier over key names,
//! [`secret_kind`], whatever their spelling (`snake_case`, `camelCase`, `kebab-case`, any case):
//! a key whose last word names a credential is one. Two kinds:
//! - hidden, the value becomes `****`: what a person types or a short one-time secret, which a
//!   tail would give away (passwords of every spelling: `password`, `new_password`,
//!   `confirm_password`, Janrain's `currentPassword`, `newPassword`, `newPasswordConfirm`;
//!   one-time codes: `code`, `recovery_code`, `binding_code`, `oob_code`, `otp`,
//!   `verification_code`, `user_code`; PINs, passphrases and PKCE's `code_verifier`);
//! - tailed, the value keeps its last four characters when it is at least twelve long
//!   (`****f00d`), so two entries can be compared ("was the same token reused?") without
//!   revealing the value; shorter ones become `****`: tokens (`access_token`, `id_token`,
//!   `refresh_token`, `mfa_token`, `subject_token`, `/oauth/revoke`'s `token`, logout's
//!   `id_token_hint`), secrets (`client_secret`, Janrain's `refresh_secret`), tickets (and a
//!   Guardian enrollment ticket's `ticket_id`, `ticket_url`, and an organization invitation's
//!   `invitation`, in a query or inside its `invitation_url`),
//!   assertions (`client_assertion`), signatures (Janrain's `signature`) and API keys. The
//!   credential of an `Authorization` header keeps its scheme (`Bearer ****f00d`,
//!   `Signature ****f00d`), and every cookie value is tailed.
//!
//! A key that describes a credential rather than carrying one is not a secret: its last word
//! says what it is (`token_type`, `token_type_hint`, `code_challenge`, `password_policy`,
//! `last_password_reset`, `token_endpoint`, `*_supported`), and so are codes that name a
//! thing (`errorCode`, `statusCode`, `country_code`) and numbers under `code` (Janrain's
//! `"code": 212`).
//!
//! Masking applies to JSON bodies (at any depth), form bodies, query strings, `key=value` pairs
//! and hidden inputs anywhere in other text (a page's links, a redirect's "Found. Redirecting
//! to …?code=…"), the query and fragment of a `Location` header (the code or tokens a login
//! redirects with), the values of `Cookie` and `Set-Cookie` headers (the login session) and
//! any header whose name is a secret's. A body with nothing to mask is stored verbatim, byte
//! for byte.
//!
//! Depends on nothing else in the crate; `server` records, `admin` reads. Read `core::faults` next.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The journal bound when nothing else is configured (`--journal-limit`).
pub const DEFAULT_LIMIT: usize = 10_000;

/// Bodies longer than this are stored truncated (`body_truncated: true`) unless
/// `--journal-body-cap` says otherwise: a token response, a user or a login page fits whole; a
/// bulk import or a padded payload is cut.
pub const DEFAULT_BODY_CAP: usize = 16 * 1024;

/// The bytes the entries of one journal weigh together unless `--journal-bytes` says otherwise;
/// past it the oldest are evicted.
pub const DEFAULT_BYTE_LIMIT: usize = 64 * 1024 * 1024;

/// What an entry weighs besides its texts: the `Exchange`, its maps and allocations, roughly.
pub const ENTRY_OVERHEAD: usize = 512;

/// Entries `GET /__authmock__/journal` returns without `limit`.
pub const DEFAULT_PAGE: usize = 100;

/// What a masked value is replaced with (plus the last four characters for long tokens).
pub const MASK: &str = "****";

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
    /// Only entries older than this id (the next page starts before the last id of this one).
    pub before: Option<u64>,
    /// Entries returned; [`DEFAULT_PAGE`] when absent.
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
    /// Entries pushed out by the bounds since the journal was last cleared.
    pub evicted: u64,
    /// The bound in entries.
    pub limit: usize,
    /// What the entries held weigh (their texts plus [`ENTRY_OVERHEAD`] each).
    pub bytes: usize,
    /// The bound in bytes.
    pub byte_limit: usize,
    #[serde(serialize_with = "shared")]
    pub entries: Vec<Arc<Exchange>>,
}

fn shared<S: Serializer>(entries: &[Arc<Exchange>], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(entries.iter().map(|e| &**e))
}

/// How a tenant's journal behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The most exchanges held; 0 records nothing.
    pub limit: usize,
    /// Keep secrets in clear (`--journal-secrets`).
    pub keep_secrets: bool,
    /// The longest body stored whole, in bytes (`--journal-body-cap`).
    pub body_cap: usize,
    /// The most bytes the entries weigh together (`--journal-bytes`).
    pub byte_limit: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            keep_secrets: false,
            body_cap: DEFAULT_BODY_CAP,
            byte_limit: DEFAULT_BYTE_LIMIT,
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
    /// Each entry with its weight.
    entries: VecDeque<(Arc<Exchange>, usize)>,
    /// The weights of `entries`, summed.
    bytes: usize,
    evicted: u64,
    next_id: u64,
}

impl Ring {
    /// Evicts the oldest entries until both bounds hold; returns them, to be freed after the
    /// lock is released.
    fn trim(&mut self) -> Vec<Arc<Exchange>> {
        let mut out = Vec::new();
        while self.entries.len() > self.settings.limit || self.bytes > self.settings.byte_limit {
            let Some((exchange, weight)) = self.entries.pop_front() else {
                break;
            };
            self.bytes -= weight;
            self.evicted += 1;
            out.push(exchange);
        }
        out
    }
}

impl Journal {
    pub fn new(settings: Settings) -> Self {
        let journal = Self::default();
        journal.configure(settings);
        journal
    }

    /// Changes the bounds (shrinking evicts the oldest entries at once) and the secret policy.
    pub fn configure(&self, settings: Settings) {
        let mut ring = self.lock();
        ring.settings = settings;
        let evicted = ring.trim();
        drop(ring);
        drop(evicted);
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
        let mut exchange = draft.into_exchange(&settings);
        let weight = exchange.weight();
        let mut ring = self.lock();
        ring.next_id += 1;
        let id = ring.next_id;
        exchange.id = id;
        ring.entries.push_back((Arc::new(exchange), weight));
        ring.bytes += weight;
        // A full ring evicts per push: free what fell out after the lock is released.
        let evicted = ring.trim();
        drop(ring);
        drop(evicted);
        Some(id)
    }

    /// Entries matching `filter`, newest first: at most `filter.limit`, or [`DEFAULT_PAGE`].
    pub fn page(&self, filter: &Filter) -> Page {
        let ring = self.lock();
        let matching = ring.entries.iter().rev().map(|(e, _)| e).filter(|e| filter.matches(e));
        let matched = matching.clone().count();
        let entries = matching
            .filter(|e| filter.before.is_none_or(|before| e.id < before))
            .take(filter.limit.unwrap_or(DEFAULT_PAGE))
            .cloned()
            .collect();
        Page {
            total: ring.entries.len(),
            matched,
            evicted: ring.evicted,
            limit: ring.settings.limit,
            bytes: ring.bytes,
            byte_limit: ring.settings.byte_limit,
            entries,
        }
    }

    /// Forgets every entry and the eviction count; ids start again at 1. Settings stay.
    pub fn clear(&self) {
        let mut ring = self.lock();
        let entries = std::mem::take(&mut ring.entries);
        ring.bytes = 0;
        ring.evicted = 0;
        ring.next_id = 0;
        drop(ring);
        drop(entries);
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

impl Exchange {
    /// What this entry counts against the byte bound: its texts plus [`ENTRY_OVERHEAD`].
    fn weight(&self) -> usize {
        let headers = |map: &Map<String, Value>| -> usize {
            map.iter()
                .map(|(name, value)| name.len() + value.as_str().map_or(0, str::len))
                .sum()
        };
        let request = &self.request;
        let mut weight = ENTRY_OVERHEAD
            + request.method.len()
            + request.path.len()
            + request.query.as_ref().map_or(0, String::len)
            + headers(&request.headers)
            + request.body.body.len()
            + self.hint.as_ref().map_or(0, String::len);
        if let Some(response) = &self.response {
            weight += headers(&response.headers) + response.body.body.len();
        }
        weight
    }
}

impl Draft<'_> {
    fn into_exchange(self, settings: &Settings) -> Exchange {
        let mask = !settings.keep_secrets;
        let cap = settings.body_cap;
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
                body: recorded_body(self.request_body, mask, cap),
            },
            response: self.response.map(|(status, response_headers, body)| RecordedResponse {
                status,
                headers: headers(response_headers, mask),
                body: recorded_body(body, mask, cap),
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
            &http::header::PROXY_AUTHORIZATION => mask_authorization(&text),
            name => match secret_kind(name.as_str()) {
                Some(tailed) if !text.is_empty() => masked(&text, tailed),
                _ => text.into_owned(),
            },
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

fn recorded_body(bytes: &[u8], mask: bool, cap: usize) -> RecordedBody {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            // Mask the whole body first, so truncation never cuts a secret in half; then copy
            // no more than is kept.
            let text = if mask { mask_body(text) } else { Cow::Borrowed(text) };
            let truncated = text.len() > cap;
            let mut end = text.len().min(cap);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            RecordedBody {
                body: text[..end].to_owned(),
                body_encoding: Encoding::Utf8,
                body_truncated: truncated,
            }
        }
        Err(_) => RecordedBody {
            body: base64::engine::general_purpose::STANDARD.encode(&bytes[..bytes.len().min(cap)]),
            body_encoding: Encoding::Base64,
            body_truncated: bytes.len() > cap,
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

/// Last words that name a secret a person types or a short one-time secret: hidden whole.
const HIDDEN_NOUNS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "passcode",
    "pin",
    "otp",
    "totp",
    "hotp",
    "code",
    "codes",
    "verifier",
];
/// Last words that name a long machine secret: tailed.
const TAILED_NOUNS: &[&str] = &[
    "token",
    "tokens",
    "secret",
    "secrets",
    "ticket",
    "assertion",
    "signature",
    "apikey",
    "credential",
    "credentials",
];
/// Words run into one (`newpassword`, `accesstoken`) still end with their noun.
const JOINED_NOUNS: &[(&str, bool)] = &[
    ("password", false),
    ("passwd", false),
    ("passphrase", false),
    ("passcode", false),
    ("verifier", false),
    ("token", true),
    ("secret", true),
    ("assertion", true),
    ("signature", true),
];
/// Last words that qualify the noun before them (`newPasswordConfirm`, `id_token_hint`).
const QUALIFIERS: &[&str] = &[
    "confirm",
    "confirmation",
    "confirmed",
    "again",
    "repeat",
    "retype",
    "hint",
    "new",
    "old",
    "current",
];
/// Words before `code` that make it a name for a thing, not a one-time secret.
const THING_CODES: &[&str] = &[
    "error", "status", "country", "postal", "zip", "language", "lang", "locale", "currency", "area", "reason", "http",
    "response", "region", "dial", "iso", "exit", "result", "return", "color", "colour", "source",
];
/// Words before `key` that make it a credential (`api_key`, `x-api-key`, `privateKey`).
const KEY_OWNERS: &[&str] = &[
    "api",
    "private",
    "secret",
    "signing",
    "access",
    "session",
    "shared",
    "encryption",
];

/// The one classifier of secret keys: `None` for an ordinary key, `Some(tailed)` for a secret
/// (see the module docs). Words are split at `_`, `-`, `.`, spaces and `camelCase` humps and
/// compared without case.
pub fn secret_kind(key: &str) -> Option<bool> {
    // A custom database connection's `options.configuration` holds its scripts' settings, secrets
    // among them (an API key, a legacy store's password): hidden whole. Only the bare word:
    // `jwt_configuration` and the like are ordinary.
    if key == "configuration" {
        return Some(false);
    }
    // An organization invitation's ticket, as `/authorize` takes it (`invitation=`, also inside
    // an `invitation_url`): tailed, as tickets are.
    if key == "invitation" {
        return Some(true);
    }
    // Every secret's last word holds a stem (`user-agent`, `content-type` and most keys do not):
    // such keys are answered without splitting them into words. Only ASCII keys: a word's
    // lower case can spell a stem its bytes do not (the Kelvin sign lowers to `k`).
    if key.is_ascii() && !could_hold_secrets(key) {
        return None;
    }
    secret_by_words(key)
}

/// [`secret_kind`] from the key's words alone.
fn secret_by_words(key: &str) -> Option<bool> {
    let mut words = key_words(key);
    // A Guardian enrollment ticket's `ticket_id` and the `ticket_url` that carries it: tailed.
    if let [.., ticket, tail] = words.as_slice()
        && ticket == "ticket"
        && (tail == "id" || tail == "url")
    {
        return Some(true);
    }
    while words.len() > 1 && words.last().is_some_and(|w| QUALIFIERS.contains(&w.as_str())) {
        words.pop();
    }
    let last = words.last()?.as_str();
    let before = words.len().checked_sub(2).map(|i| words[i].as_str());
    if last == "code" && before.is_some_and(|b| THING_CODES.contains(&b)) {
        return None;
    }
    if last == "key" {
        return before.filter(|b| KEY_OWNERS.contains(b)).map(|_| true);
    }
    if HIDDEN_NOUNS.contains(&last) {
        return Some(false);
    }
    if TAILED_NOUNS.contains(&last) {
        return Some(true);
    }
    JOINED_NOUNS
        .iter()
        .find(|(noun, _)| last.ends_with(noun))
        .map(|&(_, tailed)| tailed)
}

/// `newPasswordConfirm` → `[new, password, confirm]`; `IDToken` → `[id, token]`;
/// `x-api-key` → `[x, api, key]`.
fn key_words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let hump = c.is_uppercase()
            && i > 0
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase())));
        if hump && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
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

/// Masks secrets in a JSON or form body or any other text; returns the text unchanged when
/// there is nothing to mask.
pub fn mask_body(text: &str) -> Cow<'_, str> {
    // Fast path: no word a secret's key could end with, no escape that could spell one
    // (`\u0070assword`, `pass%77ord`), nothing to parse.
    if !could_hold_secrets(text) {
        return Cow::Borrowed(text);
    }
    let trimmed = text.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(mut value) = serde_json::from_str::<Value>(text)
    {
        return if mask_json(&mut value) {
            Cow::Owned(value.to_string())
        } else {
            Cow::Borrowed(text)
        };
    }
    Cow::Owned(
        if text.contains('=') && !text.contains(char::is_whitespace) && !trimmed.starts_with('<') {
            mask_form(text)
        } else {
            mask_text(text)
        },
    )
}

/// What a secret's key could end with (any case), for [`could_hold_secrets`].
const STEMS: &[&[u8]] = &[
    b"pass",
    b"pwd",
    b"pin",
    b"otp",
    b"code",
    b"verifier",
    b"token",
    b"secret",
    b"ticket",
    b"assertion",
    b"signature",
    b"key",
    b"credential",
];

/// The bytes a stem starts with, in either case, and the escapes (`\`, `%`).
const STARTS: [bool; 256] = {
    let mut starts = [false; 256];
    starts[b'\\' as usize] = true;
    starts[b'%' as usize] = true;
    let mut i = 0;
    while i < STEMS.len() {
        starts[STEMS[i][0] as usize] = true;
        starts[STEMS[i][0].to_ascii_uppercase() as usize] = true;
        i += 1;
    }
    starts
};

/// Whether `text` holds anything [`secret_kind`] could call a secret, or an escape. One pass: a
/// response body is read once (a page of 1,000 Capture records is 45 KB), and only a byte that
/// can start a stem is compared with the stems.
fn could_hold_secrets(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, &b)| {
        STARTS[usize::from(b)]
            && (b == b'\\'
                || b == b'%'
                || STEMS.iter().any(|stem| {
                    bytes[at..]
                        .get(..stem.len())
                        .is_some_and(|window| window.eq_ignore_ascii_case(stem))
                }))
    })
}

/// Masks the secrets in free text (a page, a redirect's "Found. Redirecting to …"): every
/// `key=value` (a link's query, up to `&`, `#`, a quote, `<`, `>`, `;` or a space), every
/// hidden input `name="key" value="…"` and every JSON-like `"key":"…"` whose key is a secret's.
fn mask_text(text: &str) -> String {
    let out = mask_pairs(text);
    let out = mask_quoted(&out, "name=\"", "\" value=\"");
    mask_quoted(&out, "\"", "\":\"")
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '%' | '[' | ']')
}

/// `…key=value…` with `key` a secret's: the value masked, up to its end.
fn mask_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('=') {
        let key_start = rest[..at].rfind(|c: char| !is_key_char(c)).map_or(0, |i| i + 1);
        let key = percent_encoding::percent_decode_str(&rest[key_start..at]).decode_utf8_lossy();
        let start = at + 1;
        let len = rest[start..]
            .find(|c: char| matches!(c, '"' | '\'' | '&' | '#' | '<' | '>' | ';') || c.is_whitespace())
            .unwrap_or(rest.len() - start);
        out.push_str(&rest[..start]);
        let value = &rest[start..start + len];
        match secret_kind(&key) {
            Some(tailed) if !value.is_empty() && !value.starts_with(MASK) => {
                let decoded = percent_encoding::percent_decode_str(&value.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned();
                out.push_str(&masked(&decoded, tailed));
            }
            _ => out.push_str(value),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// `{open}key{between}value"` with `key` a secret's: the value masked up to its closing quote.
fn mask_quoted(text: &str, open: &str, between: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(open) {
        let key_start = at + open.len();
        let Some(key_len) = rest[key_start..].find('"') else {
            break;
        };
        let key = &rest[key_start..key_start + key_len];
        let after_key = key_start + key_len;
        let kind = rest[after_key..]
            .starts_with(between)
            .then(|| secret_kind(key))
            .flatten();
        let Some(tailed) = kind else {
            out.push_str(&rest[..after_key]);
            rest = &rest[after_key..];
            continue;
        };
        let start = after_key + between.len();
        let len = closing_quote(&rest[start..]);
        out.push_str(&rest[..start]);
        let value = &rest[start..start + len];
        if value.is_empty() || value.starts_with(MASK) {
            out.push_str(value);
        } else {
            out.push_str(&masked(value, tailed));
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// The length up to the first `"` not escaped with a backslash (or the whole text).
fn closing_quote(text: &str) -> usize {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return i,
            _ => escaped = false,
        }
    }
    text.len()
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
                    (Some(false), Value::Number(_)) => {}
                    (Some(tailed), Value::String(secret)) => {
                        *item = Value::String(masked(secret, tailed));
                        changed = true;
                    }
                    // A link in an ordinary value (`"location":"…?code=…"`).
                    (None, Value::String(text)) if text.contains('=') => {
                        let text = mask_text(text);
                        if let Value::String(old) = item
                            && *old != text
                        {
                            *old = text;
                            changed = true;
                        }
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

    /// The one-pass check finds what a comparison of every window with every stem finds.
    #[test]
    fn the_secrets_prefilter_finds_every_stem_in_any_case_anywhere() {
        let naive = |text: &str| {
            let bytes = text.as_bytes();
            bytes.iter().any(|&b| b == b'\\' || b == b'%')
                || STEMS.iter().any(|stem| {
                    bytes
                        .windows(stem.len())
                        .any(|window| window.eq_ignore_ascii_case(stem))
                })
        };
        let mut texts = vec![
            String::new(),
            "p".into(),
            "pas".into(),
            "{\"id\":1,\"email\":\"user1@example.com\"}".into(),
            "a\\b".into(),
            "50%".into(),
            "é-PaSs".into(),
            "ke".into(),
            "xxK".into(),
        ];
        for stem in STEMS {
            let stem = std::str::from_utf8(stem).expect("ASCII");
            texts.push(stem.to_owned());
            texts.push(format!("{{\"my_{}\":1}}", stem.to_uppercase()));
            texts.push(format!("ü{}", &stem[..stem.len() - 1]));
            texts.push(format!("{}Z", &stem[1..]));
        }
        for text in &texts {
            assert_eq!(could_hold_secrets(text), naive(text), "{text:?}");
        }
        assert!(!could_hold_secrets("{\"id\":1,\"email\":\"user1@example.com\"}"));
        assert!(could_hold_secrets("é-PaSs"));
    }
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
            ..Settings::default()
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
            ..Settings::default()
        });
        assert_eq!(journal.page(&Filter::default()).evicted, 3);
        journal.configure(Settings {
            limit: 0,
            keep_secrets: false,
            ..Settings::default()
        });
        assert_eq!(journal.record(draft("/y", &headers, b"")), None);
        assert_eq!(journal.page(&Filter::default()).total, 0);
    }

    #[test]
    fn clear_forgets_entries_and_evictions() {
        let journal = Journal::new(Settings {
            limit: 1,
            keep_secrets: false,
            ..Settings::default()
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
    fn an_invitation_ticket_is_tailed_in_its_url_and_its_query() {
        let body = r#"{"id":"uinv_1","invitation_url":"https://app.example/login?invitation=Kx8vQ2pLm9Tz4wRb&organization=org_1","ticket_id":"Kx8vQ2pLm9Tz4wRb"}"#;
        let value: Value = serde_json::from_str(&mask_body(body)).expect("still JSON");
        assert_eq!(
            value["invitation_url"],
            "https://app.example/login?invitation=****4wRb&organization=org_1"
        );
        assert_eq!(value["ticket_id"], "****4wRb");
        assert_eq!(
            mask_text("/authorize?client_id=a&invitation=Kx8vQ2pLm9Tz4wRb&organization=org_1"),
            "/authorize?client_id=a&invitation=****4wRb&organization=org_1"
        );
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
        let long = vec![b'a'; DEFAULT_BODY_CAP + 1];
        journal.record(draft("/long", &headers, &long));
        let page = journal.page(&Filter::default());
        let long_entry = &page.entries[0].request.body;
        assert!(long_entry.body_truncated);
        assert_eq!(long_entry.body.len(), DEFAULT_BODY_CAP);
        let binary = &page.entries[1].request.body;
        assert_eq!(binary.body_encoding, Encoding::Base64);
        assert_eq!(binary.body, "//4=");
    }

    #[test]
    fn secrets_are_kept_when_asked() {
        let journal = Journal::new(Settings {
            limit: 10,
            keep_secrets: true,
            ..Settings::default()
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

    #[test]
    fn the_byte_bound_evicts_the_oldest_and_bodies_past_the_cap_are_cut() {
        let journal = Journal::new(Settings {
            body_cap: 1000,
            byte_limit: 3 * (ENTRY_OVERHEAD + 1000 + "/big".len() + "GET".len()),
            ..Settings::default()
        });
        let headers = http::HeaderMap::new();
        let body = vec![b'x'; 5000];
        for _ in 0..5 {
            journal.record(draft("/big", &headers, &body));
        }
        let page = journal.page(&Filter::default());
        assert_eq!((page.total, page.evicted), (3, 2), "three fit the byte bound");
        assert!(page.bytes <= page.byte_limit, "{} > {}", page.bytes, page.byte_limit);
        let entry = &page.entries[0].request.body;
        assert_eq!((entry.body.len(), entry.body_truncated), (1000, true));
        journal.clear();
        assert_eq!(journal.page(&Filter::default()).bytes, 0);
    }

    #[test]
    fn a_page_is_a_hundred_entries_unless_asked_and_before_pages_on() {
        let journal = Journal::default();
        let headers = http::HeaderMap::new();
        for _ in 0..250 {
            journal.record(draft("/p", &headers, b""));
        }
        let first = journal.page(&Filter::default());
        assert_eq!((first.entries.len(), first.matched), (DEFAULT_PAGE, 250));
        let last = first.entries.last().expect("entries").id;
        assert_eq!(last, 151);
        let next = journal.page(&Filter {
            before: Some(last),
            ..Filter::default()
        });
        assert_eq!(next.entries[0].id, 150);
        let rest = journal.page(&Filter {
            before: Some(51),
            limit: Some(1000),
            ..Filter::default()
        });
        assert_eq!(rest.entries.len(), 50);
    }

    #[test]
    fn keys_the_prefilter_skips_are_never_secrets() {
        // Every pair of words the classifier knows, joined and cased every way it reads them:
        // the answer with the prefilter is the answer from the words alone.
        let nouns = HIDDEN_NOUNS
            .iter()
            .chain(TAILED_NOUNS)
            .chain(JOINED_NOUNS.iter().map(|(n, _)| n));
        let words: Vec<&str> = nouns
            .chain(QUALIFIERS)
            .chain(THING_CODES)
            .chain(KEY_OWNERS)
            .chain(&["key", "ticket", "id", "url", "user", "x", "Token", "IDToken"])
            .copied()
            .collect();
        let mut checked = 0;
        for first in &words {
            for second in &words {
                for joined in [
                    format!("{first}_{second}"),
                    format!("{first}-{second}"),
                    format!("{first}.{second}"),
                    format!("{first}{second}"),
                    format!("{first}{}", second.to_uppercase()),
                    format!("{}{second}", first.to_uppercase()),
                    format!("x-{first}-{second}-confirm"),
                ] {
                    // Two words never spell the two whole-key cases (`configuration`,
                    // `invitation`), so the prefiltered answer is the words' answer.
                    assert_eq!(secret_kind(&joined), secret_by_words(&joined), "{joined}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
        for ordinary in [
            "user-agent",
            "content-type",
            "accept",
            "host",
            "x-request-id",
            "connection",
        ] {
            assert!(!could_hold_secrets(ordinary), "{ordinary}");
            assert_eq!(secret_kind(ordinary), None);
        }
        // A key whose bytes hold no stem but whose lower case does is still read word by word.
        assert_eq!(secret_kind("api_\u{212A}ey"), Some(true));
    }

    #[test]
    fn the_classifier_knows_credentials_by_their_last_word_in_any_spelling() {
        for hidden in [
            "password",
            "Password",
            "PASSWORD",
            "new_password",
            "newPassword",
            "new-password",
            "newPasswordConfirm",
            "confirm_password",
            "currentPassword",
            "password_confirmation",
            "newpassword",
            "passwd",
            "code",
            "recovery_code",
            "recoveryCode",
            "binding_code",
            "oob_code",
            "otp",
            "OTP",
            "user_code",
            "verification_code",
            "code_verifier",
            "codeVerifier",
            "pin",
            "configuration",
        ] {
            assert_eq!(secret_kind(hidden), Some(false), "{hidden}");
        }
        for tailed in [
            "client_secret",
            "clientSecret",
            "refresh_secret",
            "access_token",
            "accessToken",
            "IDToken",
            "id_token_hint",
            "mfa_token",
            "ticket_id",
            "ticket_url",
            "invitation",
            "subject_token",
            "actor_token",
            "token",
            "ticket",
            "client_assertion",
            "signature",
            "x-api-key",
            "apiKey",
            "accesstoken",
        ] {
            assert_eq!(secret_kind(tailed), Some(true), "{tailed}");
        }
        for plain in [
            "jwt_configuration",
            "token_type",
            "token_type_hint",
            "subject_token_type",
            "client_assertion_type",
            "code_challenge",
            "code_challenge_method",
            "password_policy",
            "last_password_reset",
            "token_endpoint",
            "id_token_signing_alg_values_supported",
            "errorCode",
            "statusCode",
            "country_code",
            "login_hint",
            "key_attribute",
            "key",
            "state",
            "email",
            "username",
            "",
        ] {
            assert_eq!(secret_kind(plain), None, "{plain}");
        }
    }

    #[test]
    fn secrets_in_free_text_and_header_names_are_masked() {
        assert_eq!(
            mask_body("Found. Redirecting to http://127.0.0.1:3000/cb?code=abc123&state=xyz"),
            "Found. Redirecting to http://127.0.0.1:3000/cb?code=****&state=xyz"
        );
        assert_eq!(
            mask_body("<script>var p = {\"mfa_token\":\"0123456789abcdef\",\"x\":\"y\"};</script>"),
            "<script>var p = {\"mfa_token\":\"****cdef\",\"x\":\"y\"};</script>"
        );
        assert_eq!(
            mask_body(r#"{"location":"http://cb/?otp=123456&state=s"}"#),
            r#"{"location":"http://cb/?otp=****&state=s"}"#
        );
        let mut headers = http::HeaderMap::new();
        headers.insert("x-api-key", http::HeaderValue::from_static("0123456789abcdef"));
        headers.insert("x-request-id", http::HeaderValue::from_static("r1"));
        let masked = super::headers(&headers, true);
        assert_eq!(masked["x-api-key"], "****cdef");
        assert_eq!(masked["x-request-id"], "r1");
    }
}
