//! authmock: an offline, faithful fake of the Auth0 and Janrain (Akamai Identity Cloud) identity
//! providers, with a conformance harness that drives any client against it.
//!
//! Crate map (dependencies point downward only; `docs/architecture.md` walks one request):
//! - `cli`: the `authmock` command line (`serve`, `test`, `healthcheck`).
//! - `harness`: the conformance harness (`authmock test`): adapter protocol, reference client, steps.
//! - `server`: one listener per tenant, written once against `core::provider::Provider`: the
//!   exchange layer (faults, rate limits, journal), the registry of runtime tenants (the one list
//!   of providers), and [`Mock`] to embed a tenant in a Rust test ([`Authmock`], [`JanrainMock`]).
//! - `tls`: the per-run CA and leaf certificate behind `serve --tls`.
//! - `admin`: the `/__authmock__/` control API of every listener (and its OpenAPI), written once.
//! - `auth0`, `janrain`: one folder per provider, in layers named after its documentation: one
//!   folder per API (Auth0: `authentication`, `management`, `login`; Janrain: `oauth`,
//!   `entity`) over `tenant` (state and the operations that keep its invariants) over `wire`
//!   (every byte of provider text). `mod.rs` merges the API routes and implements `Provider`.
//! - `core`: provider-neutral building blocks (clock, keys, tokens, one-time secrets, outbox,
//!   passwords, journal, faults, rate limits, fixtures) and the `Provider` trait.
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
