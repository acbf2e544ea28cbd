//! Provider-neutral building blocks: the clock, keys and signing, one-time secrets, the outbox,
//! search budgets and the snapshot-cheap list searches run on, password primitives, the journal,
//! giving freed memory back, fault rules, rate-limit buckets, the Node.js runner of customer
//! scripts, the control bundle, and the [`provider::Provider`] trait every provider implements.
//! Nothing in here knows a provider: providers turn the neutral outcomes into their own wire
//! errors.

pub mod address;
pub mod bounded;
pub mod budget;
pub mod clock;
pub(crate) mod control;
pub(crate) mod control_error;
pub mod crypto;
pub(crate) mod faults;
pub mod fixture;
pub mod journal;
pub(crate) mod keys;
pub mod legacy_hash;
pub(crate) mod memory;
pub mod node;
pub mod onetime;
pub(crate) mod outbox;
pub(crate) mod password;
pub mod peer;
pub mod provider;
pub(crate) mod ratelimit;
pub mod shared_list;
pub(crate) mod tokens;
