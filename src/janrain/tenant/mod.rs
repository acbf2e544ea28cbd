//! A Janrain "Capture app": the handle every request of one listener shares, over the state
//! and every operation that keeps the app's invariants (shared by the OAuth and Entity APIs).
//!
//! [`JanrainApp`] is a cheap handle (`Arc`). Immutable parts (name, address, clock, the fixture
//! it was seeded from) live outside the lock; the mutable [`JanrainState`] sits behind a std
//! `Mutex`, because every critical section is a short in-memory lookup or update and is never
//! held across `.await` (`entity.find` and `entity.count`, the long reads, scan a snapshot of the
//! records outside it). Seeded from `fixtures/janrain-app.json` (embedded), so ids, codes and
//! tokens repeat run after run.
//!
//! Leaf data: `clients`, `flow` (flow and form configs), `records`, `schema` (entity type),
//! `codes` (recovery and verification codes, tokens), `ratelimit`. Above them: `state` (the
//! state and its caps), `seed` (the fixture), this handle, then the operations that need it
//! (`recovery`, `verification`, `tokens`, `accounts`, `entities`) and `summary`. Imports `wire` and `core`;
//! never an API folder.

pub(in crate::janrain) mod accounts;
pub(in crate::janrain) mod clients;
pub(in crate::janrain) mod codes;
pub(in crate::janrain) mod entities;
pub(in crate::janrain) mod flow;
pub(in crate::janrain) mod passwords;
pub(in crate::janrain) mod ratelimit;
pub(in crate::janrain) mod record_index;
pub(in crate::janrain) mod records;
pub(in crate::janrain) mod recovery;
pub(in crate::janrain) mod schema;
pub(in crate::janrain) mod seed;
pub(in crate::janrain) mod state;
pub(in crate::janrain) mod summary;
#[cfg(test)]
mod tests;
pub(in crate::janrain) mod tokens;
pub(in crate::janrain) mod verification;

use std::sync::{Arc, Mutex, MutexGuard};

use self::ratelimit::GROUPS;
use self::seed::{JanrainFixture, JanrainSeedError, Seeded};
use self::state::JanrainState;
use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::control::Control;

/// A cheap, cloneable handle to one Capture app.
#[derive(Clone, Debug)]
pub struct JanrainApp {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    address: TenantAddress,
    clock: Clock,
    /// A std mutex: critical sections are short lookups/updates, never held across `.await`.
    state: Mutex<JanrainState>,
    /// The fixture the app was built from, without its users: [`JanrainApp::reset`] rebuilds
    /// the state from it and `seeded`.
    seed: JanrainFixture,
    /// The records as seeded (shared with the state until they change).
    seeded: Seeded,
    /// Journal, fault rules and rate limits (their own locks, apart from `state`).
    control: Control,
}

impl JanrainFixture {
    /// The app this fixture seeds, listening at `address` on `clock`.
    pub fn build(&self, address: TenantAddress, clock: Clock) -> Result<JanrainApp, JanrainSeedError> {
        let seeded = self.records()?;
        let app = JanrainApp {
            inner: Arc::new(Inner {
                name: self.name.clone(),
                address,
                clock,
                state: Mutex::new(self.state_with(&seeded)),
                seed: self.without_users(),
                seeded,
                control: Control::default(),
            }),
        };
        app.seed_rate_limits()?;
        Ok(app)
    }
}

impl JanrainApp {
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// `http://127.0.0.1:4011` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.address.base_url
    }

    pub fn address(&self) -> &TenantAddress {
        &self.inner.address
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Locks the app's state. Keep the guard short-lived and never across `.await`.
    pub fn state(&self) -> MutexGuard<'_, JanrainState> {
        // Every update is a single assignment or insert, so a poisoned lock holds valid state.
        self.inner.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The app's control bundle (journal, fault rules, rate limits).
    pub fn control(&self) -> &Control {
        &self.inner.control
    }

    /// Puts the app back as it was seeded: the clock, then records, codes, tokens and outbox,
    /// then the journal, fault rules and rate limits (the fixture's come back full). Journal
    /// settings stay.
    pub fn reset(&self) -> Result<(), JanrainSeedError> {
        self.inner.clock.reset();
        let fresh = self.inner.seed.state_with(&self.inner.seeded);
        *self.state() = fresh;
        self.inner.control.clear();
        self.seed_rate_limits()
    }

    /// The fixture's buckets, full, windows starting now on the app clock.
    fn seed_rate_limits(&self) -> Result<(), JanrainSeedError> {
        let now = self.inner.clock.unix();
        self.inner
            .control
            .rate_limits()
            .seed(&self.inner.seed.rate_limits, now, |g| GROUPS.contains(&g))
            .map_err(JanrainSeedError::Invalid)
    }
}
