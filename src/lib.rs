//! authmock: an offline, faithful fake of the Auth0 identity provider.
//!
//! Crate map (dependencies point downward only):
//! - `cli`: the `authmock` command line (`serve`).
//! - `harness`: the conformance harness (`authmock test`): adapter protocol, reference client, steps.
//! - `server`: one listener per tenant, the exchange layer (faults, rate limits, journal), the
//!   registry of runtime tenants; [`Authmock`] embeds a tenant in a Rust test.
//! - `tls`: the per-run CA and leaf certificate behind `serve --tls`.
//! - `auth0`: the Auth0 Authentication and Management API routes, extractors and wire errors.
//! - `janrain`: the Janrain/Akamai Capture API routes (password recovery), app state and wire errors.
//! - `admin`: the `/__authmock__/` control API of a tenant or Janrain app (and its OpenAPI).
//! - `core`: provider-agnostic tenant, clock, keys, tokens, one-time secrets, password policies,
//!   fixtures.
//!
//! ```no_run
//! # async fn demo() {
//! let idp = authmock::Authmock::start().await;
//! println!("point your Auth0 domain at {}", idp.uri());
//! # }
//! ```

pub mod admin;
pub mod auth0;
pub mod cli;
pub mod core;
pub mod harness;
pub mod janrain;
pub mod server;
pub mod tls;

pub use server::Mock;

/// An Auth0 tenant running in the background of a Rust test.
pub type Authmock = Mock<auth0::Tenant>;
/// A Janrain Capture app running in the background of a Rust test.
pub type JanrainMock = Mock<janrain::JanrainApp>;
