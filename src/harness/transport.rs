//! The transport scenarios run over: plain http, or (`authmock test --tls`) https with one CA
//! generated for the whole run.
//!
//! With TLS, every scenario's tenant serves a leaf of the run's CA, the harness's own HTTP
//! clients (control API, reference client) trust that CA, and each adapter process gets the
//! trust variables of `crate::tls::TRUST_VARIABLES` pointing at the CA file, so an unmodified
//! SDK that speaks only https can be tested. Read next: `world/` (which starts the tenants).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::tls::{Authority, TRUST_VARIABLES, TlsError};

/// The run's CA, and the file the adapters are told to trust.
pub struct RunTls {
    authority: Authority,
    ca_file: PathBuf,
}

impl RunTls {
    /// A fresh CA, written to a file named after this process and run in the temporary directory.
    pub fn generate() -> Result<Self, TlsError> {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let authority = Authority::generate()?;
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        let ca_file = std::env::temp_dir().join(format!("authmock-test-{}-{run}-ca.pem", std::process::id()));
        authority.write_ca(&ca_file)?;
        Ok(Self { authority, ca_file })
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }
}

impl Drop for RunTls {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

tokio::task_local! {
    /// The TLS set-up of the run being polled (`None` for plain http). Task-local, not global,
    /// so several runs can share a process (the conformance test runs its mutation suites
    /// two at a time): cucumber polls every scenario inside the future `harness::run` scopes.
    static CURRENT: Option<Arc<RunTls>>;
}

/// Runs `future` with `tls` as its run's TLS set-up.
pub(crate) async fn scope<F: Future>(tls: Option<Arc<RunTls>>, future: F) -> F::Output {
    CURRENT.scope(tls, future).await
}

/// The TLS set-up of the run this is called from. Outside a run (a task spawned away from its
/// scope) it panics: guessing plain http would let a `--tls` run test http unnoticed.
pub(crate) fn current() -> Option<Arc<RunTls>> {
    CURRENT
        .try_with(Clone::clone)
        .expect("the harness's transport is read inside a run")
}

/// The environment an adapter process gets: every trust variable pointing at the run's CA
/// (overriding whatever the harness's own environment says), or nothing over http.
pub(crate) fn adapter_env() -> Vec<(&'static str, PathBuf)> {
    match current() {
        Some(tls) => TRUST_VARIABLES
            .iter()
            .map(|variable| (*variable, tls.ca_file.clone()))
            .collect(),
        None => Vec::new(),
    }
}

/// `builder`, trusting the run's CA when there is one (and with the TLS provider installed, which
/// every client of the harness is built through).
pub(crate) fn trust(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    crate::core::crypto::install();
    match current().and_then(|tls| reqwest::Certificate::from_der(tls.authority.ca_der()).ok()) {
        Some(ca) => builder.add_root_certificate(ca),
        None => builder,
    }
}
