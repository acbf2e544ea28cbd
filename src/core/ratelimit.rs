//! Rate limits: one token bucket per endpoint group, timed on the tenant clock.
//!
//! A bucket holds up to `limit` tokens. Every `window_secs` seconds (a fixed window, as the
//! provider documents it) `refill` tokens are added, never beyond `limit`. Each request to the
//! group takes one token; with none left it is refused until the next window starts, which is
//! the instant `x-ratelimit-reset` names. A bucket in [`BucketMode::Report`] counts the same way
//! and reports the same numbers but never refuses: with nothing left it lets the request through
//! and reports `0` left, so a tenant can advertise a real provider's documented limits (which a
//! test suite would otherwise hit after a couple of calls) without acting on them. Because time comes from the tenant clock, a test
//! empties a bucket, advances the clock past the reset and sees the bucket refilled, without
//! sleeping. Which paths form a group, and what a refusal looks like on the wire, is the
//! provider's business. Depends on nothing else in the crate.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

/// A bucket as posted to `POST /__authmock__/rate-limits`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketDefinition {
    /// The endpoint group, e.g. `management`.
    pub group: String,
    /// Bucket size: the burst a client may send at once.
    pub limit: u64,
    /// Tokens added per window; `limit` when absent.
    #[serde(default)]
    pub refill: Option<u64>,
    /// Window length in seconds (1: per second, 60: per minute).
    #[serde(default = "one_second")]
    pub window_secs: u64,
    /// Tokens left in the first window; `limit` when absent. `0` sets a bucket that is already
    /// spent and whose first window starts with the next request: that request is refused, with
    /// a reset `window_secs` later, however long after the bucket was set it comes.
    #[serde(default)]
    pub remaining: Option<u64>,
    /// `enforce` (the default) refuses a request that finds the bucket empty; `report` only
    /// counts, so the headers tell the limit while every request is served.
    #[serde(default)]
    pub mode: BucketMode,
}

/// Whether an empty bucket refuses requests or only says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BucketMode {
    /// An empty bucket refuses the request until its next window.
    #[default]
    Enforce,
    /// An empty bucket serves the request anyway and reports `0` left.
    Report,
}

fn one_second() -> u64 {
    1
}

/// A bucket as listed, with its state at the time of the listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketView {
    pub group: String,
    pub limit: u64,
    pub refill: u64,
    pub window_secs: u64,
    pub remaining: u64,
    /// UNIX seconds when tokens are next added.
    pub reset: i64,
    pub mode: BucketMode,
}

/// What one request got from its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u64,
    pub remaining: u64,
    /// UNIX seconds when tokens are next added.
    pub reset: i64,
}

#[derive(Debug, Clone)]
struct Bucket {
    limit: u64,
    refill: u64,
    window_secs: u64,
    tokens: u64,
    window_start: i64,
    /// Set spent: the first window starts with the first request.
    starts_on_first_request: bool,
    mode: BucketMode,
}

impl Bucket {
    /// Adds the tokens of every window that ended before `now`.
    fn catch_up(&mut self, now: i64) {
        if self.starts_on_first_request {
            return;
        }
        let window = i64::try_from(self.window_secs).unwrap_or(i64::MAX);
        let elapsed = now.saturating_sub(self.window_start);
        if elapsed >= window {
            let windows = elapsed / window;
            let added = u64::try_from(windows).unwrap_or(u64::MAX).saturating_mul(self.refill);
            self.tokens = self.tokens.saturating_add(added).min(self.limit);
            self.window_start = self.window_start.saturating_add(windows.saturating_mul(window));
        } else if elapsed < 0 {
            // The clock was set back: start a fresh window there.
            self.window_start = now;
        }
    }

    /// When tokens are next added, seen at `now`.
    fn reset(&self, now: i64) -> i64 {
        let start = if self.starts_on_first_request {
            now
        } else {
            self.window_start
        };
        start.saturating_add(i64::try_from(self.window_secs).unwrap_or(i64::MAX))
    }

    fn view(&self, group: &str, now: i64) -> BucketView {
        BucketView {
            group: group.to_owned(),
            limit: self.limit,
            refill: self.refill,
            window_secs: self.window_secs,
            remaining: self.tokens,
            reset: self.reset(now),
            mode: self.mode,
        }
    }
}

/// A cheap, cloneable handle to one tenant's buckets.
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    /// A std mutex: arithmetic on a small map, never held across `.await`.
    buckets: Arc<Mutex<BTreeMap<String, Bucket>>>,
}

impl RateLimits {
    /// Sets (or replaces) the bucket of `definition.group`, full, with a window starting `now`.
    /// `known_group` says whether the provider has such a group.
    pub fn set(
        &self,
        definition: BucketDefinition,
        now: i64,
        known_group: impl Fn(&str) -> bool,
    ) -> Result<BucketView, String> {
        if !known_group(&definition.group) {
            return Err(format!("unknown endpoint group {:?}", definition.group));
        }
        if definition.limit == 0 {
            return Err("`limit` must be at least 1".into());
        }
        if definition.window_secs == 0 || definition.window_secs > 86_400 {
            return Err("`window_secs` must be between 1 and 86400".into());
        }
        let refill = definition.refill.unwrap_or(definition.limit);
        if refill == 0 {
            return Err("`refill` must be at least 1".into());
        }
        let tokens = definition.remaining.unwrap_or(definition.limit);
        if tokens > definition.limit {
            return Err("`remaining` must not exceed `limit`".into());
        }
        let bucket = Bucket {
            limit: definition.limit,
            refill,
            window_secs: definition.window_secs,
            tokens,
            window_start: now,
            starts_on_first_request: tokens == 0,
            mode: definition.mode,
        };
        let view = bucket.view(&definition.group, now);
        self.lock().insert(definition.group, bucket);
        Ok(view)
    }

    /// Replaces every bucket by `definitions` (a fixture's `rate_limits`), full, windows
    /// starting `now`. Stops at the first bad definition.
    pub fn seed(
        &self,
        definitions: &[BucketDefinition],
        now: i64,
        known_group: impl Fn(&str) -> bool,
    ) -> Result<(), String> {
        self.clear();
        for definition in definitions {
            self.set(definition.clone(), now, &known_group)
                .map_err(|e| format!("rate_limits: {e}"))?;
        }
        Ok(())
    }

    /// Takes a token from `group`'s bucket; `None` when the group is not limited.
    pub fn take(&self, group: &str, now: i64) -> Option<Decision> {
        let mut buckets = self.lock();
        let bucket = buckets.get_mut(group)?;
        if bucket.starts_on_first_request {
            bucket.starts_on_first_request = false;
            bucket.window_start = now;
        }
        bucket.catch_up(now);
        let had_one = bucket.tokens > 0;
        if had_one {
            bucket.tokens -= 1;
        }
        Some(Decision {
            allowed: had_one || bucket.mode == BucketMode::Report,
            limit: bucket.limit,
            remaining: bucket.tokens,
            reset: bucket.reset(now),
        })
    }

    /// Every bucket as it stands at `now`.
    pub fn list(&self, now: i64) -> Vec<BucketView> {
        let mut buckets = self.lock();
        buckets
            .iter_mut()
            .map(|(group, bucket)| {
                bucket.catch_up(now);
                bucket.view(group, now)
            })
            .collect()
    }

    /// Removes every bucket: nothing is rate limited.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Bucket>> {
        // Updates are plain assignments: a poisoned map is still consistent.
        self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(limit: u64, refill: Option<u64>, window_secs: u64) -> RateLimits {
        let limits = RateLimits::default();
        limits
            .set(
                BucketDefinition {
                    group: "g".into(),
                    limit,
                    refill,
                    window_secs,
                    remaining: None,
                    mode: BucketMode::Enforce,
                },
                1_000,
                |_| true,
            )
            .expect("valid bucket");
        limits
    }

    #[test]
    fn an_empty_bucket_refuses_until_the_next_window() {
        let limits = limits(2, None, 1);
        let first = limits.take("g", 1_000).expect("limited");
        assert_eq!((first.allowed, first.remaining, first.reset), (true, 1, 1_001));
        assert!(limits.take("g", 1_000).expect("limited").allowed);
        let refused = limits.take("g", 1_000).expect("limited");
        assert_eq!((refused.allowed, refused.remaining, refused.reset), (false, 0, 1_001));
        let later = limits.take("g", 1_001).expect("limited");
        assert_eq!((later.allowed, later.remaining, later.reset), (true, 1, 1_002));
    }

    #[test]
    fn refill_adds_per_window_and_never_beyond_the_limit() {
        let limits = limits(10, Some(3), 60);
        for _ in 0..10 {
            assert!(limits.take("g", 1_000).expect("limited").allowed);
        }
        assert!(!limits.take("g", 1_059).expect("limited").allowed);
        let next = limits.take("g", 1_060).expect("limited");
        assert_eq!((next.remaining, next.reset), (2, 1_120));
        let much_later = limits.take("g", 100_000).expect("limited");
        assert_eq!(much_later.remaining, 9, "capped at the limit, minus this request");
    }

    #[test]
    fn a_bucket_set_spent_refuses_its_first_request_whenever_it_comes() {
        let limits = RateLimits::default();
        let spent = BucketDefinition {
            group: "g".into(),
            limit: 1,
            refill: None,
            window_secs: 2,
            remaining: Some(0),
            mode: BucketMode::Enforce,
        };
        assert_eq!(limits.set(spent.clone(), 1_000, |_| true).expect("valid").remaining, 0);
        // However late the first request comes, it is refused and its window starts then.
        let refused = limits.take("g", 1_050).expect("limited");
        assert_eq!((refused.allowed, refused.reset), (false, 1_052));
        assert!(!limits.take("g", 1_051).expect("limited").allowed);
        assert!(
            limits.take("g", 1_052).expect("limited").allowed,
            "refilled at the reset"
        );
        let too_many = BucketDefinition {
            remaining: Some(2),
            ..spent
        };
        assert!(limits.set(too_many, 0, |_| true).unwrap_err().contains("`remaining`"));
    }

    #[test]
    fn unlimited_groups_and_bad_buckets() {
        let limits = RateLimits::default();
        assert_eq!(limits.take("g", 0), None);
        let bad = |limit, refill, window_secs, group: &str| {
            limits
                .set(
                    BucketDefinition {
                        group: group.into(),
                        limit,
                        refill,
                        window_secs,
                        remaining: None,
                        mode: BucketMode::Enforce,
                    },
                    0,
                    |g| g == "g",
                )
                .expect_err("refused")
        };
        assert!(bad(1, None, 1, "nope").contains("unknown endpoint group"));
        assert!(bad(0, None, 1, "g").contains("`limit`"));
        assert!(bad(1, Some(0), 1, "g").contains("`refill`"));
        assert!(bad(1, None, 0, "g").contains("`window_secs`"));
    }

    #[test]
    fn setting_the_clock_back_starts_a_fresh_window() {
        let limits = limits(1, None, 1);
        assert!(limits.take("g", 1_000).expect("limited").allowed);
        let refused = limits.take("g", 500).expect("limited");
        assert_eq!((refused.allowed, refused.reset), (false, 501));
    }

    #[test]
    fn a_report_only_bucket_counts_and_reports_but_never_refuses() {
        let limits = RateLimits::default();
        let definition = BucketDefinition {
            group: "g".into(),
            limit: 2,
            refill: None,
            window_secs: 1,
            remaining: None,
            mode: BucketMode::Report,
        };
        assert_eq!(
            limits.set(definition, 1_000, |_| true).expect("valid").mode,
            BucketMode::Report
        );
        let seen: Vec<(bool, u64, i64)> = (0..4)
            .map(|_| {
                let d = limits.take("g", 1_000).expect("limited");
                (d.allowed, d.remaining, d.reset)
            })
            .collect();
        assert_eq!(
            seen,
            vec![(true, 1, 1_001), (true, 0, 1_001), (true, 0, 1_001), (true, 0, 1_001)],
            "served past the limit, reporting none left"
        );
        let next = limits.take("g", 1_001).expect("limited");
        assert_eq!((next.allowed, next.remaining, next.reset), (true, 1, 1_002), "refilled");
    }

    #[test]
    fn the_mode_is_read_from_json_and_defaults_to_enforce() {
        let plain: BucketDefinition =
            serde_json::from_value(serde_json::json!({"group": "g", "limit": 1})).expect("valid");
        assert_eq!(plain.mode, BucketMode::Enforce);
        let report: BucketDefinition =
            serde_json::from_value(serde_json::json!({"group": "g", "limit": 1, "mode": "report"})).expect("valid");
        assert_eq!(report.mode, BucketMode::Report);
        assert!(
            serde_json::from_value::<BucketDefinition>(serde_json::json!({"group": "g", "limit": 1, "mode": "warn"}))
                .is_err()
        );
    }
}
