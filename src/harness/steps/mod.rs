//! Step definitions, one file per concept: `setup` (the tenant and its conditions),
//! `operations` (what the client is asked to do), `observations` (what the client reported
//! and what the provider saw); `janrain` is the Janrain password-recovery journey's own, `entity` the Entity API's,
//! `registration` registration, email verification, token refresh and the signed-in profile,
//! `configuration` applications and their grants created through the Management API, `mfa` a
//! login that needs a second factor, `organizations` logins through an organization set up the
//! same way, `migration` a Janrain → Auth0 migration's parity checks.
//! The phrase of a When-step that needs an operation is declared with the operation
//! (`harness::operations`): a scenario that needs one the client did not declare is skipped.

pub mod configuration;
pub mod entity;
pub mod janrain;
pub mod login;
pub mod management;
pub mod mfa;
pub mod migration;
pub mod observations;
pub mod operations;
pub mod organizations;
pub mod registration;
pub mod setup;
pub mod users;
