//! The one crypto library authmock builds: `aws-lc-rs`. TLS (rustls), the certificates (rcgen),
//! JWT signing and verification (jsonwebtoken's `aws_lc_rs` backend) and the signing code of
//! `core::keys` all use it; on this project's machines it signs RS256 about twice as fast as
//! `ring` (docs/performance.md).
//!
//! jsonwebtoken picks its backend from its features. rustls has a process-wide default provider
//! that the HTTP client (`reqwest`, built without a provider of its own) asks for: [`install`]
//! makes aws-lc-rs that default. Depends on nothing else in the crate.

use std::sync::Once;

/// Makes aws-lc-rs rustls's default provider for this process. Idempotent; when an embedding
/// program installed its own provider first, that one stays. Called before building an HTTP
/// client (the harness, `authmock healthcheck`); serving needs no default (a TLS listener is
/// configured with its provider), so a program that embeds authmock keeps the choice.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}
