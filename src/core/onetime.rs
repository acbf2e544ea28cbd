//! Single-use, expiring secrets: password-change tickets today, authorization codes next.
//!
//! Rules every provider shares: a secret is redeemed at most once; it expires on the tenant
//! clock; and issuing a new secret for the same subject supersedes the older ones, so only the
//! newest stays valid (what Auth0 documents for reset links). Redeemed and superseded secrets are
//! remembered so a caller can tell "already used" from "never existed".
//!
//! Bounded: a store holds at most [`CAPACITY`] secrets. Issuing one more first forgets the
//! secrets dead (used, superseded or expired) for longer than [`RETAIN_SECS`] of tenant-clock
//! time; if that is not enough, the longest-dead go next, then the oldest live ones. Every
//! secret dropped that way is counted in [`OneTimeStore::evicted`] and remembered (by a hash of
//! it, never the secret itself; as many as the store holds, oldest forgotten first), so a
//! lookup of an evicted secret answers [`Redemption::Evicted`] rather than "never issued" (a
//! diagnosis only: providers answer it with the same wire text as an unknown secret). Apart
//! from the cap, every
//! [`SWEEP_EVERY`] issues the store forgets the secrets dead for longer than [`RETAIN_SECS`]
//! (counted in [`OneTimeStore::forgotten`]): past that, a second click on a used link answers
//! "unknown" instead of "already used", an hour after the first (the facts give no longer
//! window that matters).
//! Depends on nothing else in the crate.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash as _, Hasher as _};

use rand::RngExt as _;
use rand::distr::Alphanumeric;

/// Why a secret cannot be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redemption {
    /// No such secret was ever issued here.
    Unknown,
    /// It was issued, but its lifetime ended `secs_ago` seconds ago.
    Expired { secs_ago: i64 },
    /// It was redeemed already.
    Used,
    /// A newer secret was issued for the same subject.
    Superseded,
    /// It was issued here, then dropped to keep the store within its `capacity`.
    Evicted { capacity: usize },
}

/// The diagnosis of an evicted secret, for hints: `this ticket was evicted: the tenant keeps at
/// most 10000 tickets and dropped it to make room for newer ones`.
pub fn evicted_hint(secret: &str, holder: &str, capacity: usize) -> String {
    format!(
        "this {secret} was evicted: the {holder} keeps at most {capacity} {secret}s and dropped it to make room for newer ones"
    )
}

/// The most secrets one store keeps (about 0.5 KB each with a ticket's payload).
pub const CAPACITY: usize = 10_000;

/// How long (tenant-clock seconds) a dead secret is remembered before a full store may forget
/// it first: long enough to answer "already used" to the link clicked twice.
pub const RETAIN_SECS: i64 = 3_600;

/// How many issues pass between two sweeps of the long-dead secrets.
pub const SWEEP_EVERY: u32 = 1_000;

/// One issued secret and what it grants.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub subject: String,
    pub payload: T,
    pub issued_at: i64,
    pub expires_at: i64,
    state: State,
    /// When it was used or superseded.
    ended_at: i64,
}

impl<T> Entry<T> {
    /// When the secret stopped being redeemable, if it has.
    fn dead_since(&self, now: i64) -> Option<i64> {
        match self.state {
            State::Used | State::Superseded => Some(self.ended_at),
            State::Live if now >= self.expires_at => Some(self.expires_at),
            State::Live => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Live,
    Used,
    Superseded,
}

/// The store of one kind of secret in one tenant.
#[derive(Debug)]
pub struct OneTimeStore<T> {
    entries: HashMap<String, Entry<T>>,
    /// Subject → its newest secret, to supersede older ones on issue.
    newest: HashMap<String, String>,
    /// Length of generated secrets (Auth0 tickets: 32 alphanumerics).
    secret_len: usize,
    capacity: usize,
    evicted: u64,
    /// Hashes of the secrets evicted for the cap, newest last, at most `capacity` of them.
    evicted_order: VecDeque<u64>,
    evicted_set: HashSet<u64>,
    forgotten: u64,
    issued_since_sweep: u32,
}

impl<T> OneTimeStore<T> {
    pub fn new(secret_len: usize) -> Self {
        Self::with_capacity(secret_len, CAPACITY)
    }

    /// A store holding at most `capacity` secrets (at least one).
    pub fn with_capacity(secret_len: usize, capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            newest: HashMap::new(),
            secret_len,
            capacity: capacity.max(1),
            evicted: 0,
            evicted_order: VecDeque::new(),
            evicted_set: HashSet::new(),
            forgotten: 0,
            issued_since_sweep: 0,
        }
    }

    /// The most secrets this store keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Secrets dropped so far to stay within the capacity.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Long-dead secrets forgotten by the periodic sweep.
    pub fn forgotten(&self) -> u64 {
        self.forgotten
    }

    /// The store as the control API reports it.
    pub fn summary(&self) -> crate::core::bounded::StoreSummary {
        crate::core::bounded::StoreSummary {
            len: self.entries.len(),
            capacity: self.capacity,
            evicted: self.evicted,
            forgotten: self.forgotten,
        }
    }

    /// Forgets the secrets dead for longer than [`RETAIN_SECS`].
    fn sweep(&mut self, now: i64) {
        let before = self.entries.len();
        self.entries
            .retain(|_, entry| entry.dead_since(now).is_none_or(|dead| now - dead <= RETAIN_SECS));
        let entries = &self.entries;
        self.newest.retain(|_, secret| entries.contains_key(secret));
        self.forgotten += (before - self.entries.len()) as u64;
    }

    /// Makes room for one more secret: forgets the long-dead, then the longest-dead, then the
    /// oldest live secrets, until fewer than `capacity` remain.
    fn make_room(&mut self, now: i64) {
        if self.entries.len() < self.capacity {
            return;
        }
        let before = self.entries.len();
        let mut dropped = Vec::new();
        self.entries.retain(|secret, entry| {
            let keep = entry.dead_since(now).is_none_or(|dead| now - dead <= RETAIN_SECS);
            if !keep {
                dropped.push(secret_hash(secret));
            }
            keep
        });
        if self.entries.len() >= self.capacity {
            // Dead before live, then by when they died (or were issued); a tenth of the store
            // goes at once so a full store is not sorted again on every issue.
            let mut order: Vec<(bool, i64, String)> = self
                .entries
                .iter()
                .map(|(secret, entry)| match entry.dead_since(now) {
                    Some(dead) => (false, dead, secret.clone()),
                    None => (true, entry.issued_at, secret.clone()),
                })
                .collect();
            order.sort_unstable();
            let excess = self.entries.len() + 1 - self.capacity;
            let drop = excess.max(self.capacity / 10).min(order.len());
            for (_, _, secret) in order.into_iter().take(drop) {
                self.entries.remove(&secret);
                dropped.push(secret_hash(&secret));
            }
        }
        let entries = &self.entries;
        self.newest.retain(|_, secret| entries.contains_key(secret));
        self.evicted += (before - self.entries.len()) as u64;
        for hash in dropped {
            self.remember_evicted(hash);
        }
    }

    /// Remembers one evicted secret, forgetting the oldest beyond `capacity` of them.
    fn remember_evicted(&mut self, hash: u64) {
        if !self.evicted_set.insert(hash) {
            return;
        }
        self.evicted_order.push_back(hash);
        while self.evicted_order.len() > self.capacity {
            if let Some(oldest) = self.evicted_order.pop_front() {
                self.evicted_set.remove(&oldest);
            }
        }
    }

    /// Issues a fresh secret for `subject`, valid for `ttl_secs` from `now`, superseding any
    /// secret issued to the same subject before.
    pub fn issue(&mut self, rng: &mut impl rand::Rng, subject: &str, payload: T, now: i64, ttl_secs: i64) -> String {
        self.issued_since_sweep += 1;
        if self.issued_since_sweep >= SWEEP_EVERY {
            self.issued_since_sweep = 0;
            self.sweep(now);
        }
        self.make_room(now);
        let secret = loop {
            let candidate: String = (&mut *rng)
                .sample_iter(Alphanumeric)
                .take(self.secret_len)
                .map(char::from)
                .collect();
            if !self.entries.contains_key(&candidate) {
                break candidate;
            }
        };
        if let Some(previous) = self.newest.insert(subject.to_owned(), secret.clone())
            && let Some(entry) = self.entries.get_mut(&previous)
            && entry.state == State::Live
        {
            entry.state = State::Superseded;
            entry.ended_at = now;
        }
        self.entries.insert(
            secret.clone(),
            Entry {
                subject: subject.to_owned(),
                payload,
                issued_at: now,
                expires_at: now.saturating_add(ttl_secs),
                state: State::Live,
                ended_at: 0,
            },
        );
        secret
    }

    /// Looks a secret up without using it (to render a page for it, say).
    pub fn check(&self, secret: &str, now: i64) -> Result<&Entry<T>, Redemption> {
        let entry = self.entries.get(secret).ok_or_else(|| {
            if self.evicted_set.contains(&secret_hash(secret)) {
                Redemption::Evicted {
                    capacity: self.capacity,
                }
            } else {
                Redemption::Unknown
            }
        })?;
        match entry.state {
            State::Used => Err(Redemption::Used),
            State::Superseded => Err(Redemption::Superseded),
            State::Live if now >= entry.expires_at => Err(Redemption::Expired {
                secs_ago: now - entry.expires_at,
            }),
            State::Live => Ok(entry),
        }
    }

    /// The entry behind a secret, whatever its state (to report where a dead ticket came from).
    pub fn peek(&self, secret: &str) -> Option<&Entry<T>> {
        self.entries.get(secret)
    }

    /// The payload behind a secret, whatever its state, to note what its redemption gave.
    pub fn payload_mut(&mut self, secret: &str) -> Option<&mut T> {
        self.entries.get_mut(secret).map(|entry| &mut entry.payload)
    }

    /// Redeems a secret: succeeds once, while it is live and newest.
    pub fn redeem(&mut self, secret: &str, now: i64) -> Result<&Entry<T>, Redemption> {
        self.check(secret, now)?;
        let entry = self.entries.get_mut(secret).ok_or(Redemption::Unknown)?;
        entry.state = State::Used;
        entry.ended_at = now;
        Ok(entry)
    }

    /// Forgets every secret whose payload `matches` (what it names no longer exists).
    pub fn forget_where(&mut self, matches: impl Fn(&T) -> bool) {
        self.entries.retain(|_, entry| !matches(&entry.payload));
        let entries = &self.entries;
        self.newest.retain(|_, secret| entries.contains_key(secret));
    }

    /// Number of secrets remembered (live or not).
    /// Forgets every secret issued to `subject` (its subject no longer exists).
    pub fn forget_subject(&mut self, subject: &str) {
        self.entries.retain(|_, entry| entry.subject != subject);
        self.newest.remove(subject);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What the store remembers of an evicted secret.
fn secret_hash(secret: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    secret.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn store() -> (OneTimeStore<u8>, StdRng) {
        (OneTimeStore::new(32), StdRng::seed_from_u64(7))
    }

    #[test]
    fn secret_has_the_configured_shape() {
        let (mut s, mut rng) = store();
        let secret = s.issue(&mut rng, "u", 0, 0, 10);
        assert_eq!(secret.len(), 32);
        assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn secret_redeems_once() {
        let (mut s, mut rng) = store();
        let secret = s.issue(&mut rng, "u", 1, 0, 10);
        assert_eq!(s.redeem(&secret, 5).map(|e| e.payload), Ok(1));
        assert_eq!(s.redeem(&secret, 5).map(|e| e.payload), Err(Redemption::Used));
    }

    #[test]
    fn secret_expires_on_the_given_clock() {
        let (mut s, mut rng) = store();
        let secret = s.issue(&mut rng, "u", 1, 100, 10);
        assert!(s.check(&secret, 109).is_ok());
        assert_eq!(
            s.redeem(&secret, 130).map(|e| e.payload),
            Err(Redemption::Expired { secs_ago: 20 })
        );
    }

    #[test]
    fn newest_secret_per_subject_wins() {
        let (mut s, mut rng) = store();
        let old = s.issue(&mut rng, "u", 1, 0, 10);
        let other = s.issue(&mut rng, "v", 2, 0, 10);
        let new = s.issue(&mut rng, "u", 3, 0, 10);
        assert_eq!(s.check(&old, 1).map(|e| e.payload), Err(Redemption::Superseded));
        assert_eq!(s.check(&other, 1).map(|e| e.payload), Ok(2));
        assert_eq!(s.redeem(&new, 1).map(|e| e.payload), Ok(3));
    }

    #[test]
    fn a_full_store_forgets_the_long_dead_first_and_counts_it() {
        let mut s = OneTimeStore::with_capacity(8, 4);
        let mut rng = StdRng::seed_from_u64(7);
        let used = s.issue(&mut rng, "a", 1, 0, 100);
        assert!(s.redeem(&used, 1).is_ok());
        let live: Vec<String> = ["b", "c", "d"]
            .iter()
            .map(|who| s.issue(&mut rng, who, 2, 0, 100_000))
            .collect();
        // Full, but the used secret died just now: it is kept while it matters...
        assert_eq!(s.check(&used, 2).map(|e| e.payload), Err(Redemption::Used));
        // ...and forgotten first once it has been dead longer than the retention.
        let later = 1 + RETAIN_SECS + 1;
        let newest = s.issue(&mut rng, "e", 3, later, 10);
        assert_eq!(s.len(), 4);
        assert_eq!(s.evicted(), 1);
        assert_eq!(
            s.check(&used, later).map(|e| e.payload),
            Err(Redemption::Evicted { capacity: 4 })
        );
        for secret in &live {
            assert!(s.check(secret, later).is_ok(), "live secrets stay");
        }
        assert!(s.check(&newest, later).is_ok());
    }

    #[test]
    fn a_store_never_grows_past_its_capacity() {
        let mut s = OneTimeStore::with_capacity(8, 100);
        let mut rng = StdRng::seed_from_u64(7);
        let mut last = String::new();
        for i in 0..10_000 {
            // One subject: every secret supersedes the one before, as a reset loop would.
            last = s.issue(&mut rng, "u", i, i64::from(i), 432_000);
            assert!(s.len() <= 100);
        }
        assert!(s.evicted() >= 9_900);
        assert_eq!(s.check(&last, 10_000).map(|e| e.payload), Ok(9_999));
    }

    #[test]
    fn the_sweep_forgets_only_the_long_dead_and_counts_them_apart() {
        let mut s = OneTimeStore::with_capacity(8, 100_000);
        let mut rng = StdRng::seed_from_u64(7);
        let used = s.issue(&mut rng, "used", 0, 0, 100);
        assert!(s.redeem(&used, 1).is_ok());
        let recent = s.issue(&mut rng, "recent", 0, 0, 1_000_000);
        let long_lived = s.issue(&mut rng, "live", 7, 0, 1_000_000);
        let later = 1 + RETAIN_SECS + 1;
        assert!(s.redeem(&recent, later - 10).is_ok());
        // Enough issues, late enough, to run one sweep.
        for i in 0..SWEEP_EVERY {
            s.issue(&mut rng, &format!("s{i}"), 0, later, 1_000_000);
        }
        assert_eq!(s.forgotten(), 1);
        assert_eq!(s.evicted(), 0);
        assert_eq!(s.check(&used, later).map(|e| e.payload), Err(Redemption::Unknown));
        assert_eq!(
            s.check(&recent, later).map(|e| e.payload),
            Err(Redemption::Used),
            "still matters"
        );
        assert_eq!(s.check(&long_lived, later).map(|e| e.payload), Ok(7));
    }

    #[test]
    fn evicted_secrets_are_told_from_unknown_ones_within_a_bounded_memory() {
        let mut s = OneTimeStore::with_capacity(8, 10);
        let mut rng = StdRng::seed_from_u64(7);
        let secrets: Vec<String> = (0..100)
            .map(|i| s.issue(&mut rng, &format!("u{i}"), i, 0, 1_000))
            .collect();
        assert!(s.len() <= 10);
        assert_eq!(s.evicted_order.len(), 10, "no more remembered than the store holds");
        assert_eq!(s.evicted_set.len(), 10);
        let told = |secret: &String| s.check(secret, 1).map(|e| e.payload);
        assert_eq!(told(&secrets[0]), Err(Redemption::Unknown), "forgotten long ago");
        let latest_evicted = secrets
            .iter()
            .rposition(|secret| s.peek(secret).is_none())
            .expect("evictions");
        assert_eq!(
            told(&secrets[latest_evicted]),
            Err(Redemption::Evicted { capacity: 10 })
        );
        assert_eq!(told(&secrets[99]), Ok(99));
        assert_eq!(told(&"x".repeat(8)), Err(Redemption::Unknown));
    }

    #[test]
    fn unknown_secret_is_unknown() {
        let (s, _) = store();
        assert_eq!(s.check("nope", 0).map(|e| e.payload), Err(Redemption::Unknown));
    }
}
