//! Provider-agnostic building blocks: tenants, the clock, keys and tokens, one-time secrets,
//! password policies and fixtures. Nothing in here knows a provider's wire strings; providers
//! (`crate::auth0`) turn the neutral outcomes into their own errors.

pub mod clock;
pub mod control;
pub mod faults;
pub mod journal;
pub mod jwt_crypto;
pub mod keys;
pub mod onetime;
pub mod outbox;
pub mod password;
pub mod ratelimit;
pub mod seed;
pub mod tenant;
pub mod tokens;
