//! The tenant clock: the only source of "now" for expiry checks.
//!
//! Tokens, tickets and codes expire on the tenant clock, never on the wall clock, so a test can
//! expire a five-day ticket instantly by moving the clock. A clock starts as `System` (wall time
//! plus an offset that `advance` grows) and becomes `Manual` once a test pins it with `set`.
//! Depends on nothing else in the crate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

/// A cheap, cloneable handle to one tenant's clock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// A std mutex: the critical section is a read or an addition, never held across `.await`.
    state: Arc<Mutex<ClockState>>,
    /// How the clock started, so a tenant reset can put it back.
    initial: ClockState,
}

/// Whether the clock follows the wall clock or stands still.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// Wall time plus an offset (grown by `advance`).
    System,
    /// A frozen instant that moves only when told to.
    Manual,
}

#[derive(Debug, Clone, Copy)]
enum ClockState {
    /// Wall time shifted by `offset` (positive after `advance`).
    System { offset: time::Duration },
    /// A frozen instant that only moves when told to.
    Manual(OffsetDateTime),
}

impl Default for ClockState {
    fn default() -> Self {
        ClockState::System {
            offset: time::Duration::ZERO,
        }
    }
}

impl Clock {
    /// A clock that follows the wall clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock frozen at `at`; it moves only with [`Clock::advance`] or [`Clock::set`].
    pub fn manual(at: OffsetDateTime) -> Self {
        Self {
            state: Arc::new(Mutex::new(ClockState::Manual(at))),
            initial: ClockState::Manual(at),
        }
    }

    /// The current instant on this clock.
    pub fn now(&self) -> OffsetDateTime {
        match *self.lock() {
            ClockState::System { offset } => OffsetDateTime::now_utc().saturating_add(offset),
            ClockState::Manual(at) => at,
        }
    }

    /// The current instant as whole seconds since the Unix epoch (JWT `iat`/`exp` units).
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Moves the clock forward (tokens and tickets age by `by`).
    pub fn advance(&self, by: Duration) {
        let by = time::Duration::try_from(by).unwrap_or(time::Duration::MAX);
        let mut state = self.lock();
        *state = match *state {
            ClockState::System { offset } => ClockState::System {
                offset: offset.saturating_add(by),
            },
            ClockState::Manual(at) => ClockState::Manual(at.saturating_add(by)),
        };
    }

    /// Pins the clock at `at` (it stops following the wall clock).
    pub fn set(&self, at: OffsetDateTime) {
        *self.lock() = ClockState::Manual(at);
    }

    /// Whether the clock follows the wall clock or stands still.
    pub fn mode(&self) -> ClockMode {
        match *self.lock() {
            ClockState::System { .. } => ClockMode::System,
            ClockState::Manual(_) => ClockMode::Manual,
        }
    }

    /// Follows the wall clock again, with no offset.
    pub fn follow_system(&self) {
        *self.lock() = ClockState::default();
    }

    /// Freezes the clock at its current instant.
    pub fn freeze(&self) {
        let mut state = self.lock();
        if let ClockState::System { offset } = *state {
            *state = ClockState::Manual(OffsetDateTime::now_utc().saturating_add(offset));
        }
    }

    /// Puts the clock back where it started (a frozen clock at its first instant, a system
    /// clock with no offset).
    pub fn reset(&self) {
        *self.lock() = self.initial;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        // A poisoned clock still holds a valid instant: keep serving it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn manual_clock_stands_still_until_advanced() {
        let clock = Clock::manual(datetime!(2026-01-01 00:00 UTC));
        assert_eq!(clock.now(), datetime!(2026-01-01 00:00 UTC));
        clock.advance(Duration::from_secs(432_001));
        assert_eq!(clock.now(), datetime!(2026-01-06 00:00:01 UTC));
    }

    #[test]
    fn system_clock_keeps_an_offset_after_advance() {
        let clock = Clock::system();
        clock.advance(Duration::from_secs(7200));
        let ahead = clock.unix() - OffsetDateTime::now_utc().unix_timestamp();
        assert!((7199..=7201).contains(&ahead), "offset was {ahead}");
    }

    #[test]
    fn reset_returns_to_the_first_instant_and_mode() {
        let clock = Clock::manual(datetime!(2026-01-01 00:00 UTC));
        clock.advance(Duration::from_secs(60));
        clock.follow_system();
        assert_eq!(clock.mode(), ClockMode::System);
        clock.reset();
        assert_eq!(clock.mode(), ClockMode::Manual);
        assert_eq!(clock.now(), datetime!(2026-01-01 00:00 UTC));
    }

    #[test]
    fn a_huge_advance_saturates_instead_of_panicking() {
        let clock = Clock::system();
        clock.advance(Duration::from_secs(u64::MAX));
        assert!(clock.now().year() >= 9999);
    }

    #[test]
    fn clones_share_one_clock() {
        let clock = Clock::manual(datetime!(2026-01-01 00:00 UTC));
        let other = clock.clone();
        other.set(datetime!(2030-01-01 00:00 UTC));
        assert_eq!(clock.now(), datetime!(2030-01-01 00:00 UTC));
    }
}
