//! Provider-neutral building blocks: the clock, keys and signing, one-time secrets, the outbox,
//! password primitives, the journal, fault rules, rate-limit buckets, the control bundle, and
//! the [`provider::Provider`] trait every provider implements. Nothing in here knows a
//! provider: providers turn the neutral outcomes into their own wire errors.

pub mod address;
pub mod clock;
pub mod control;
pub mod faults;
pub mod fixture;
pub mod journal;
pub mod keys;
pub mod onetime;
pub mod outbox;
pub mod password;
pub mod provider;
pub mod ratelimit;
pub mod tokens;
