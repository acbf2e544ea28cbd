//! Fault rules: make a tenant misbehave on purpose, on the requests a test chooses.
//!
//! A [`FaultDefinition`] (what `POST /__authmock__/faults` accepts) is checked once and becomes
//! a [`FaultRule`]: a matcher (method, path pattern with `*` globs, body substring, header
//! predicate, how many times) and an [`Action`] (a canned response, a named provider error,
//! extra latency, a dropped connection, a reset in the middle of the body). The first active
//! rule that matches a request wins; `times` counts down per match and an exhausted rule stays
//! listed (with its hits) but no longer applies.
//!
//! Provider error names (`auth0.rate_limited`) are only carried here; the provider turns them
//! into wire bytes. Depends on nothing else in the crate; `server` applies rules.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest delay a rule may add (ten minutes): anything longer is a typo.
pub const MAX_DELAY_MS: u64 = 600_000;

/// A rule as posted to the control API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultDefinition {
    /// `GET`, `POST`, …; any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// An exact path, or a pattern where `*` matches any run of characters (`/api/v2/users/*`).
    pub path: String,
    /// Applies only when the request body contains this text.
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Applies only when this header is present (and contains `contains`, if given).
    #[serde(default)]
    pub header: Option<HeaderPredicate>,
    /// Applies to the next `times` matching requests only; forever when absent.
    #[serde(default)]
    pub times: Option<u64>,
    /// Latency added before the response (or before the other action).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Answer with this instead of the provider.
    #[serde(default)]
    pub respond: Option<CannedResponse>,
    /// Answer with a named provider error, e.g. `auth0.rate_limited`.
    #[serde(default)]
    pub error: Option<String>,
    /// Close the connection without any response.
    #[serde(default)]
    pub drop: bool,
    /// Send the provider's status, headers and part of its body, then abort the connection.
    #[serde(default)]
    pub reset_mid_body: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderPredicate {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
}

/// A response given verbatim.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CannedResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A string is sent as is; any other JSON value is serialised (with a JSON content type
    /// unless `headers` names one).
    #[serde(default)]
    pub body: Option<Value>,
}

/// What a matching rule does.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Only the delay (if any), then the provider's own response.
    Pass,
    Respond(CannedResponse),
    Error(String),
    Drop,
    ResetMidBody,
}

/// A checked rule.
#[derive(Debug, Clone, Serialize)]
pub struct FaultRule {
    pub method: Option<String>,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<HeaderPredicate>,
    pub times: Option<u64>,
    pub delay_ms: Option<u64>,
    pub action: Action,
}

/// Why a definition was refused; the text is the 400 message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidFault(pub String);

impl FaultDefinition {
    /// Checks the definition; `known_error` says whether a provider knows an error name.
    pub fn check(self, known_error: impl Fn(&str) -> bool) -> Result<FaultRule, InvalidFault> {
        let bad = |text: String| Err(InvalidFault(text));
        if !self.path.starts_with(['/', '*']) {
            return bad(format!("`path` must start with `/` or `*` (got {:?})", self.path));
        }
        let method = match self.method {
            Some(m) if m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()) => {
                return bad(format!("`method` must be an HTTP method such as POST (got {m:?})"));
            }
            m => m.map(|m| m.to_ascii_uppercase()),
        };
        if let Some(header) = &self.header
            && http::HeaderName::from_bytes(header.name.as_bytes()).is_err()
        {
            return bad(format!("`header.name` {:?} is not a header name", header.name));
        }
        if self.times == Some(0) {
            return bad("`times` must be at least 1 (leave it out to apply forever)".into());
        }
        if self.delay_ms.is_some_and(|ms| ms > MAX_DELAY_MS) {
            return bad(format!("`delay_ms` must be at most {MAX_DELAY_MS}"));
        }
        let mut actions = Vec::new();
        if let Some(respond) = self.respond {
            check_canned(&respond)?;
            actions.push(Action::Respond(respond));
        }
        if let Some(name) = self.error {
            if !known_error(&name) {
                return bad(format!("unknown provider error {name:?}"));
            }
            actions.push(Action::Error(name));
        }
        if self.drop {
            actions.push(Action::Drop);
        }
        if self.reset_mid_body {
            actions.push(Action::ResetMidBody);
        }
        let action = match (actions.len(), self.delay_ms) {
            (0, None) => {
                return bad(
                    "a rule needs an action: `respond`, `error`, `delay_ms`, `drop` or `reset_mid_body`".into(),
                );
            }
            (0, Some(_)) => Action::Pass,
            (1, _) => actions.remove(0),
            _ => return bad("choose one of `respond`, `error`, `drop` and `reset_mid_body`".into()),
        };
        Ok(FaultRule {
            method,
            path: self.path,
            body_contains: self.body_contains,
            header: self.header.map(|h| HeaderPredicate {
                name: h.name.to_ascii_lowercase(),
                contains: h.contains,
            }),
            times: self.times,
            delay_ms: self.delay_ms,
            action,
        })
    }
}

fn check_canned(respond: &CannedResponse) -> Result<(), InvalidFault> {
    if !(200..=599).contains(&respond.status) {
        return Err(InvalidFault(format!(
            "`respond.status` must be between 200 and 599 (got {})",
            respond.status
        )));
    }
    for (name, value) in &respond.headers {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() || http::HeaderValue::from_str(value).is_err() {
            return Err(InvalidFault(format!(
                "`respond.headers` has an invalid header {name:?}: {value:?}"
            )));
        }
    }
    Ok(())
}

/// A request, as far as rules look at it.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

impl FaultRule {
    fn matches(&self, probe: &Probe<'_>) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(probe.method))
            && glob(&self.path, probe.path)
            && self
                .body_contains
                .as_deref()
                .is_none_or(|needle| contains(probe.body, needle.as_bytes()))
            && self.header.as_ref().is_none_or(|h| {
                probe.headers.get_all(h.name.as_str()).iter().any(|value| {
                    h.contains
                        .as_deref()
                        .is_none_or(|needle| contains(value.as_bytes(), needle.as_bytes()))
                })
            })
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// `*` matches any run of characters (slashes included); everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A rule as listed: the rule, its id and what it has done so far.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveFault {
    pub id: u64,
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Requests this rule changed.
    pub hits: u64,
    /// Matches left before the rule stops applying; `null` when it applies forever.
    pub remaining: Option<u64>,
}

/// What the serving layer must do to one request.
#[derive(Debug, Clone)]
pub struct Applied {
    pub id: u64,
    pub delay_ms: Option<u64>,
    pub action: Action,
}

/// A cheap, cloneable handle to one tenant's fault rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// A std mutex: a scan of a short list, never held across `.await` (delays are slept by
    /// the caller after [`Faults::take`] returns).
    book: Arc<Mutex<Book>>,
}

#[derive(Debug, Default)]
struct Book {
    rules: Vec<ActiveFault>,
    next_id: u64,
}

impl Faults {
    pub fn add(&self, rule: FaultRule) -> ActiveFault {
        let mut book = self.lock();
        book.next_id += 1;
        let active = ActiveFault {
            id: book.next_id,
            remaining: rule.times,
            rule,
            hits: 0,
        };
        book.rules.push(active.clone());
        active
    }

    pub fn list(&self) -> Vec<ActiveFault> {
        self.lock().rules.clone()
    }

    /// Removes one rule; false when there is none with that id.
    pub fn remove(&self, id: u64) -> bool {
        let mut book = self.lock();
        let before = book.rules.len();
        book.rules.retain(|r| r.id != id);
        book.rules.len() != before
    }

    /// Removes every rule; ids start again at 1.
    pub fn clear(&self) {
        let mut book = self.lock();
        book.rules.clear();
        book.next_id = 0;
    }

    /// The first active rule matching `probe`, counted as a hit.
    pub fn take(&self, probe: &Probe<'_>) -> Option<Applied> {
        let mut book = self.lock();
        let rule = book
            .rules
            .iter_mut()
            .find(|r| r.remaining != Some(0) && r.rule.matches(probe))?;
        rule.hits += 1;
        if let Some(left) = rule.remaining.as_mut() {
            *left -= 1;
        }
        Some(Applied {
            id: rule.id,
            delay_ms: rule.rule.delay_ms,
            action: rule.rule.action.clone(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Book> {
        // Updates are single assignments: a poisoned book is still consistent.
        self.book.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(json: Value) -> FaultDefinition {
        serde_json::from_value(json).expect("definition parses")
    }

    fn rule(json: Value) -> FaultRule {
        definition(json)
            .check(|name| name == "auth0.rate_limited")
            .expect("valid rule")
    }

    fn probe<'a>(method: &'a str, path: &'a str, headers: &'a http::HeaderMap, body: &'a [u8]) -> Probe<'a> {
        Probe {
            method,
            path,
            headers,
            body,
        }
    }

    #[test]
    fn globs_match_runs_of_any_characters() {
        let cases = [
            ("/oauth/token", "/oauth/token", true),
            ("/oauth/token", "/oauth/token/x", false),
            ("/api/v2/users/*", "/api/v2/users/auth0|1", true),
            ("/api/v2/users/*", "/api/v2/users", false),
            ("/api/*/users/*", "/api/v2/users/1", true),
            ("*", "/anything", true),
            ("/a*b*c", "/abc", true),
            ("/a*b*c", "/acb", false),
            ("/a*a", "/a", false),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(glob(pattern, path), expected, "{pattern} vs {path}");
        }
    }

    #[test]
    fn times_counts_down_then_the_rule_stops() {
        let faults = Faults::default();
        faults.add(rule(
            serde_json::json!({"path": "/oauth/token", "times": 2, "drop": true}),
        ));
        let headers = http::HeaderMap::new();
        let p = probe("POST", "/oauth/token", &headers, b"");
        assert!(faults.take(&p).is_some());
        assert!(faults.take(&p).is_some());
        assert!(faults.take(&p).is_none());
        let listed = faults.list();
        assert_eq!((listed[0].hits, listed[0].remaining), (2, Some(0)));
    }

    #[test]
    fn method_body_and_header_predicates_all_apply() {
        let faults = Faults::default();
        faults.add(rule(serde_json::json!({
            "method": "post", "path": "/oauth/*", "body_contains": "client_credentials",
            "header": {"name": "X-Test", "contains": "yes"}, "error": "auth0.rate_limited"
        })));
        let mut headers = http::HeaderMap::new();
        let body = b"{\"grant_type\":\"client_credentials\"}";
        assert!(
            faults.take(&probe("POST", "/oauth/token", &headers, body)).is_none(),
            "no header"
        );
        headers.insert("x-test", http::HeaderValue::from_static("oh yes"));
        assert!(
            faults.take(&probe("GET", "/oauth/token", &headers, body)).is_none(),
            "method"
        );
        assert!(
            faults.take(&probe("POST", "/oauth/token", &headers, b"{}")).is_none(),
            "body"
        );
        assert!(faults.take(&probe("POST", "/oauth/token", &headers, body)).is_some());
    }

    #[test]
    fn bad_definitions_are_refused_with_a_reason() {
        let cases = [
            (
                serde_json::json!({"path": "oauth/token", "drop": true}),
                "start with `/`",
            ),
            (serde_json::json!({"path": "/x"}), "needs an action"),
            (
                serde_json::json!({"path": "/x", "drop": true, "reset_mid_body": true}),
                "choose one",
            ),
            (
                serde_json::json!({"path": "/x", "times": 0, "drop": true}),
                "at least 1",
            ),
            (
                serde_json::json!({"path": "/x", "error": "auth0.nope"}),
                "unknown provider error",
            ),
            (
                serde_json::json!({"path": "/x", "respond": {"status": 99}}),
                "between 200 and 599",
            ),
            (
                serde_json::json!({"path": "/x", "respond": {"status": 500, "headers": {"bad header": "v"}}}),
                "invalid header",
            ),
            (
                serde_json::json!({"path": "/x", "method": "P OST", "drop": true}),
                "HTTP method",
            ),
            (serde_json::json!({"path": "/x", "delay_ms": 600_001}), "at most"),
        ];
        for (json, expected) in cases {
            let err = definition(json.clone())
                .check(|name| name == "auth0.rate_limited")
                .expect_err("refused");
            assert!(err.0.contains(expected), "{json}: {err}");
        }
    }

    #[test]
    fn first_active_rule_wins_and_ids_restart_after_clear() {
        let faults = Faults::default();
        let first = faults.add(rule(serde_json::json!({"path": "*", "times": 1, "drop": true})));
        let second = faults.add(rule(serde_json::json!({"path": "*", "delay_ms": 5})));
        let headers = http::HeaderMap::new();
        let p = probe("GET", "/", &headers, b"");
        assert_eq!(faults.take(&p).map(|a| a.id), Some(first.id));
        assert_eq!(faults.take(&p).map(|a| a.id), Some(second.id));
        assert!(faults.remove(second.id));
        assert!(!faults.remove(second.id));
        faults.clear();
        assert_eq!(faults.add(rule(serde_json::json!({"path": "/", "drop": true}))).id, 1);
    }
}
