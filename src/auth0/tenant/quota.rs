//! Fine-grained machine-to-machine token quotas (facts `auth0.md` §1.2 and §1.3, DOC-quota): a
//! budget of `client_credentials` tokens per application, per hour and/or per day, counted on
//! the tenant clock.
//!
//! A tenant may give every application the same budget (`client_id` absent) and single
//! applications their own. A token issued under a quota carries
//! `Auth0-Client-Quota-Limit: b=per_hour;q=10;r=7;t=3540,b=per_day;q=50;r=47;t=43200` (q: the
//! budget, r: what is left after this token, t: seconds until the bucket starts again); a
//! request beyond the budget gets 429 `too_many_requests` / `Client quota exceeded` with
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset`, `Retry-After` and the
//! same quota header (doc). A refused request uses nothing.
//!
//! inf: where the hour and the day start is not documented; the buckets here start on the hour
//! and at midnight UTC of the tenant clock, so moving the clock a day on empties every bucket.
//!
//! The control API sets them (`auth0/control.rs`):
//! ```text
//! POST   /__authmock__/client-quotas {"client_id"?: "…", "per_hour"?: 1, "per_day"?: 10} → 201
//! GET    /__authmock__/client-quotas → {"quotas": [{client_id?, per_hour?, per_day?}]}
//! DELETE /__authmock__/client-quotas → 204, no quota anywhere
//! ```
//! Fixtures set the same objects in `client_quotas`.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::auth0::wire::oauth_error::OAuthError;

/// The header that reports the quota buckets (doc: DOC-quota).
pub const QUOTA_HEADER: &str = "auth0-client-quota-limit";

/// One quota as configured (fixture `client_quotas` or the control API).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaDefinition {
    /// The application it binds; every application without its own quota when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_hour: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<u64>,
}

impl QuotaDefinition {
    fn check(&self) -> Result<(), String> {
        if self.per_hour.is_none() && self.per_day.is_none() {
            return Err("a quota needs `per_hour` or `per_day`".into());
        }
        if self.per_hour == Some(0) || self.per_day == Some(0) {
            return Err("`per_hour` and `per_day` must be at least 1".into());
        }
        Ok(())
    }
}

/// One bucket's state seen at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BucketState {
    name: &'static str,
    quota: u64,
    remaining: u64,
    /// Seconds until the bucket starts again.
    reset_in: i64,
}

/// What one token request got from the quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaDecision {
    /// No quota applies to the application.
    Unlimited,
    /// Issued; the header to send.
    Issued { header: String },
    /// Refused: the exhausted bucket and the header.
    Exceeded {
        quota: u64,
        reset: i64,
        retry_after: i64,
        header: String,
    },
}

/// The quotas of one tenant and what each application used in the current hour and day.
#[derive(Debug, Clone, Default)]
pub struct TokenQuotas {
    definitions: Vec<QuotaDefinition>,
    /// client_id → (start of the bucket's period, tokens issued in it), per bucket name.
    used: BTreeMap<(String, &'static str), (i64, u64)>,
}

const PERIODS: [(&str, i64); 2] = [("per_hour", 3600), ("per_day", 86_400)];

impl TokenQuotas {
    /// The quotas a fixture declares.
    pub fn seeded(definitions: &[QuotaDefinition]) -> Result<Self, String> {
        let mut quotas = Self::default();
        for definition in definitions {
            quotas
                .set(definition.clone())
                .map_err(|e| format!("client_quotas: {e}"))?;
        }
        Ok(quotas)
    }

    /// Sets (or replaces) the quota of `definition.client_id`; its usage starts afresh.
    pub fn set(&mut self, definition: QuotaDefinition) -> Result<(), String> {
        definition.check()?;
        self.definitions.retain(|d| d.client_id != definition.client_id);
        match &definition.client_id {
            Some(client) => self.used.retain(|(c, _), _| c != client),
            None => self.used.clear(),
        }
        self.definitions.push(definition);
        Ok(())
    }

    pub fn list(&self) -> Vec<QuotaDefinition> {
        self.definitions.clone()
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Forgets the quota and usage of a deleted application (a tenant-wide default stays).
    pub fn forget(&mut self, client_id: &str) {
        self.definitions.retain(|d| d.client_id.as_deref() != Some(client_id));
        self.used.retain(|(c, _), _| c != client_id);
    }

    fn applying(&self, client_id: &str) -> Option<&QuotaDefinition> {
        self.definitions
            .iter()
            .find(|d| d.client_id.as_deref() == Some(client_id))
            .or_else(|| self.definitions.iter().find(|d| d.client_id.is_none()))
    }

    /// Counts one token for `client_id` at `now` (unix seconds), or refuses it.
    pub fn take(&mut self, client_id: &str, now: i64) -> QuotaDecision {
        let Some(definition) = self.applying(client_id).cloned() else {
            return QuotaDecision::Unlimited;
        };
        let limits = [definition.per_hour, definition.per_day];
        let mut buckets = Vec::new();
        for ((name, period), quota) in PERIODS.into_iter().zip(limits) {
            let Some(quota) = quota else { continue };
            let start = now - now.rem_euclid(period);
            let used = match self.used.get(&(client_id.to_owned(), name)) {
                Some((at, count)) if *at == start => *count,
                _ => 0,
            };
            buckets.push((
                BucketState {
                    name,
                    quota,
                    remaining: quota.saturating_sub(used),
                    reset_in: start + period - now,
                },
                start,
                used,
            ));
        }
        if let Some((empty, _, _)) = buckets.iter().find(|(b, _, _)| b.remaining == 0) {
            let states: Vec<BucketState> = buckets.iter().map(|(b, _, _)| *b).collect();
            return QuotaDecision::Exceeded {
                quota: empty.quota,
                reset: now + empty.reset_in,
                retry_after: empty.reset_in,
                header: header_value(&states),
            };
        }
        let mut states = Vec::new();
        for (mut bucket, start, used) in buckets {
            self.used.insert((client_id.to_owned(), bucket.name), (start, used + 1));
            bucket.remaining -= 1;
            states.push(bucket);
        }
        QuotaDecision::Issued {
            header: header_value(&states),
        }
    }
}

/// `b=per_hour;q=10;r=7;t=3540,b=per_day;q=50;r=47;t=43200` (doc: DOC-quota).
fn header_value(buckets: &[BucketState]) -> String {
    buckets
        .iter()
        .map(|b| format!("b={};q={};r={};t={}", b.name, b.quota, b.remaining, b.reset_in))
        .collect::<Vec<_>>()
        .join(",")
}

/// Adds the quota header to a token response.
pub fn report(headers: &mut HeaderMap, header: &str) {
    if let Ok(value) = HeaderValue::from_str(header) {
        headers.insert(HeaderName::from_static(QUOTA_HEADER), value);
    }
}

/// The 429 a request beyond the quota gets (facts §1.3, doc: DOC-quota).
pub fn refusal(quota: u64, reset: i64, retry_after: i64, header: &str) -> Response {
    let mut response = OAuthError::ClientQuotaExceeded {
        reset_in_secs: retry_after,
    }
    .into_response();
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-ratelimit-limit", quota.to_string());
    set("x-ratelimit-remaining", "0".into());
    set("x-ratelimit-reset", reset.to_string());
    set("retry-after", retry_after.to_string());
    report(headers, header);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(per_hour: Option<u64>, per_day: Option<u64>) -> QuotaDefinition {
        QuotaDefinition {
            client_id: None,
            per_hour,
            per_day,
        }
    }

    #[test]
    fn the_budget_is_spent_then_refused_until_the_hour_starts_again() {
        let mut quotas = TokenQuotas::seeded(&[quota(Some(2), Some(50))]).unwrap();
        let hour: i64 = 1_800_000_000; // a whole hour (and not a whole day) in unix seconds
        let now = hour + 60;
        assert_eq!(
            quotas.take("a", now),
            QuotaDecision::Issued {
                header: format!(
                    "b=per_hour;q=2;r=1;t=3540,b=per_day;q=50;r=49;t={}",
                    86_400 - now % 86_400
                )
            }
        );
        assert!(matches!(quotas.take("a", now), QuotaDecision::Issued { .. }));
        let refused = quotas.take("a", now + 1);
        assert_eq!(
            refused,
            QuotaDecision::Exceeded {
                quota: 2,
                reset: hour + 3600,
                retry_after: 3539,
                header: format!(
                    "b=per_hour;q=2;r=0;t=3539,b=per_day;q=50;r=48;t={}",
                    86_400 - (now + 1) % 86_400
                )
            }
        );
        // Another application has its own budget; the next hour starts afresh.
        assert!(matches!(quotas.take("b", now), QuotaDecision::Issued { .. }));
        assert!(matches!(quotas.take("a", hour + 3600), QuotaDecision::Issued { .. }));
    }

    #[test]
    fn an_application_quota_beats_the_tenant_default_and_bad_ones_are_refused() {
        let mut quotas = TokenQuotas::default();
        assert_eq!(quotas.take("a", 0), QuotaDecision::Unlimited);
        quotas.set(quota(Some(1), None)).unwrap();
        quotas
            .set(QuotaDefinition {
                client_id: Some("b".into()),
                per_hour: None,
                per_day: Some(3),
            })
            .unwrap();
        assert!(
            matches!(quotas.take("b", 10), QuotaDecision::Issued { header } if header == "b=per_day;q=3;r=2;t=86390")
        );
        assert!(matches!(quotas.take("a", 10), QuotaDecision::Issued { .. }));
        assert!(matches!(quotas.take("a", 11), QuotaDecision::Exceeded { .. }));
        assert!(quotas.set(quota(None, None)).is_err());
        assert!(quotas.set(quota(Some(0), None)).is_err());
    }
}
