//! The transport scenarios run over: plain http, or (`authmock test --tls`) https with one CA
//! generated for the whole run.
//!
//! With TLS, every scenario's tenant serves a leaf of the run's CA, the harness's own HTTP
//! clients (control API, reference client) trust that CA, and each adapter process gets the
//! trust variables of `crate::tls::TRUST_VARIABLES` pointing at the CA file, so an unmodified
//! SDK that speaks only https can be tested. Read next: `world.rs` (which starts the tenants).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::tls::{Authority, TRUST_VARIABLES, TlsError};

/// The run's CA, and the file the adapters are told to trust.
pub struct RunTls {
    authority: Authority,
    ca_file: PathBuf,
}

impl RunTls {
    /// A fresh CA, written to a file named after this process in the temporary directory.
    pub fn generate() -> Result<Self, TlsError> {
        let authority = Authority::generate()?;
        let ca_file = std::env::temp_dir().join(format!("authmock-test-{}-ca.pem", std::process::id()));
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

/// The current run's TLS set-up; `None` for plain http. Set by `harness::run` before any
/// scenario starts and cleared when the run ends.
static CURRENT: OnceLock<Mutex<Option<Arc<RunTls>>>> = OnceLock::new();

pub(crate) fn set(tls: Option<Arc<RunTls>>) {
    let cell = CURRENT.get_or_init(|| Mutex::new(None));
    if let Ok(mut current) = cell.lock() {
        *current = tls;
    }
}

pub(crate) fn current() -> Option<Arc<RunTls>> {
    CURRENT
        .get()
        .and_then(|cell| cell.lock().ok().and_then(|tls| tls.clone()))
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

/// `builder`, trusting the run's CA when there is one.
pub(crate) fn trust(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    match current().and_then(|tls| reqwest::Certificate::from_der(tls.authority.ca_der()).ok()) {
        Some(ca) => builder.add_root_certificate(ca),
        None => builder,
    }
}
