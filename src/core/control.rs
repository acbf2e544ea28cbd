//! The control bundle: the per-listener stores the control API acts on and the exchange layer
//! feeds, the same for every provider.
//!
//! [`Control`] holds a tenant's (or a Janrain app's) request journal, fault rules and
//! rate-limit buckets. Each store has its own lock, apart from the provider's state lock, so
//! recording an exchange or matching a fault never waits on a handler. Both the Auth0 `Tenant`
//! and the Janrain `JanrainApp` hold one; `server::exchange` and `admin` reach it through them.
//! Depends on `core::{journal, faults, ratelimit, node}` only.

use super::faults::Faults;
use super::journal::{Journal, Settings};
use super::node::Scripts;
use super::ratelimit::RateLimits;

/// One listener's journal, fault rules and rate limits. Cloning shares the stores.
#[derive(Debug, Clone, Default)]
pub struct Control {
    /// Every exchange served (bounded ring).
    journal: Journal,
    /// Fault rules applied before the provider routes.
    faults: Faults,
    /// Token buckets per endpoint group; none until configured (fixture or control API).
    rate_limits: RateLimits,
    /// Whether and how customer scripts run (`serve --allow-scripts`); kept across resets.
    scripts: Scripts,
}

impl Control {
    /// A bundle whose journal uses `settings`.
    pub fn new(settings: Settings) -> Self {
        Self {
            journal: Journal::new(settings),
            ..Self::default()
        }
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }

    pub fn scripts(&self) -> &Scripts {
        &self.scripts
    }

    /// Empties the journal, the fault rules and the buckets; journal and script settings stay.
    pub fn clear(&self) {
        self.journal.clear();
        self.faults.clear();
        self.rate_limits.clear();
    }
}
