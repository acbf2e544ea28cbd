//! Single-use, expiring secrets: password-change tickets today, authorization codes next.
//!
//! Rules every provider shares: a secret is redeemed at most once; it expires on the tenant
//! clock; and issuing a new secret for the same subject supersedes the older ones, so only the
//! newest stays valid (what Auth0 documents for reset links). Redeemed and superseded secrets are
//! remembered so a caller can tell "already used" from "never existed".
//! Depends on nothing else in the crate.

use std::collections::HashMap;

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
}

/// One issued secret and what it grants.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub subject: String,
    pub payload: T,
    pub issued_at: i64,
    pub expires_at: i64,
    state: State,
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
}

impl<T> OneTimeStore<T> {
    pub fn new(secret_len: usize) -> Self {
        Self {
            entries: HashMap::new(),
            newest: HashMap::new(),
            secret_len,
        }
    }

    /// Issues a fresh secret for `subject`, valid for `ttl_secs` from `now`, superseding any
    /// secret issued to the same subject before.
    pub fn issue(&mut self, rng: &mut impl rand::Rng, subject: &str, payload: T, now: i64, ttl_secs: i64) -> String {
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
        }
        self.entries.insert(
            secret.clone(),
            Entry {
                subject: subject.to_owned(),
                payload,
                issued_at: now,
                expires_at: now.saturating_add(ttl_secs),
                state: State::Live,
            },
        );
        secret
    }

    /// Looks a secret up without using it (to render a page for it, say).
    pub fn check(&self, secret: &str, now: i64) -> Result<&Entry<T>, Redemption> {
        let entry = self.entries.get(secret).ok_or(Redemption::Unknown)?;
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

    /// Redeems a secret: succeeds once, while it is live and newest.
    pub fn redeem(&mut self, secret: &str, now: i64) -> Result<&Entry<T>, Redemption> {
        self.check(secret, now)?;
        let entry = self.entries.get_mut(secret).ok_or(Redemption::Unknown)?;
        entry.state = State::Used;
        Ok(entry)
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
    fn unknown_secret_is_unknown() {
        let (s, _) = store();
        assert_eq!(s.check("nope", 0).map(|e| e.payload), Err(Redemption::Unknown));
    }
}
