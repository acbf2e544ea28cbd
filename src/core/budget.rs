//! A time budget for one search: the work is charged as it goes, and the wall clock is read
//! once enough work has been charged since the last reading, so a cheap query over many records
//! and an expensive query over few both notice the deadline within a few milliseconds, and the
//! clock costs nothing next to the matching. A search that runs past its budget stops where it
//! is and its provider answers its own timeout error; the caller runs it outside the tenant
//! lock (on a snapshot), so a slow search never holds anything another request waits for.
//! Depends on nothing else in the crate.

use std::time::{Duration, Instant};

/// Work units (about one term tested against one record) charged between two clock readings.
pub const CHARGE_PER_CHECK: u64 = 4_096;

/// The budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spent;

/// The budget of one search.
#[derive(Debug, Clone)]
pub struct Budget {
    limit: Duration,
    deadline: Instant,
    charged: u64,
}

impl Budget {
    /// A budget of `limit` from now.
    pub fn new(limit: Duration) -> Self {
        Self {
            limit,
            deadline: Instant::now() + limit,
            charged: 0,
        }
    }

    /// The whole budget (what a timeout error reports).
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Charges `units` of work (at least one); past the deadline, [`Spent`].
    pub fn charge(&mut self, units: u64) -> Result<(), Spent> {
        self.charged += units.max(1);
        if self.charged < CHARGE_PER_CHECK {
            return Ok(());
        }
        self.charged = 0;
        self.check()
    }

    /// Reads the clock now: [`Spent`] once the deadline has passed.
    pub fn check(&self) -> Result<(), Spent> {
        if Instant::now() >= self.deadline {
            Err(Spent)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_budget_is_spent_at_the_first_reading_and_not_before() {
        let mut budget = Budget::new(Duration::ZERO);
        for _ in 0..CHARGE_PER_CHECK - 1 {
            assert_eq!(budget.charge(1), Ok(()), "the clock is not read between checks");
        }
        assert_eq!(budget.charge(1), Err(Spent));
        assert_eq!(budget.check(), Err(Spent));
    }

    #[test]
    fn expensive_work_reads_the_clock_at_every_charge() {
        let mut budget = Budget::new(Duration::ZERO);
        assert_eq!(budget.charge(CHARGE_PER_CHECK), Err(Spent));
        assert_eq!(budget.charge(0), Ok(()), "zero counts as one unit, below a check");
    }

    #[test]
    fn a_generous_budget_lasts() {
        let mut budget = Budget::new(Duration::from_secs(3_600));
        for _ in 0..100_000 {
            assert_eq!(budget.charge(100), Ok(()));
        }
        assert_eq!(budget.limit(), Duration::from_secs(3_600));
    }
}
