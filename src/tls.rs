//! `serve --tls`: a certificate authority generated at start and a leaf certificate for the
//! loopback names, so clients that accept only `https` (the official SDKs' convenience clients)
//! can talk to authmock while trusting nothing but this run's CA.
//!
//! The CA is written to a PEM file whose path `serve` prints, together with the environment
//! variables each runtime reads to trust it. Depends on rcgen and rustls only.

use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Names the leaf certificate is valid for: what a client on this machine dials.
pub const LEAF_NAMES: &[&str] = &["127.0.0.1", "localhost", "::1"];

/// Environment variables that make common runtimes trust the CA file.
pub const TRUST_VARIABLES: &[&str] = &[
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "CURL_CA_BUNDLE",
];

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot build the TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("cannot write the CA certificate to {path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// This run's CA and the server configuration of a leaf it signed.
pub struct Authority {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server: Arc<rustls::ServerConfig>,
}

impl Authority {
    /// A fresh CA ("authmock local CA") and a leaf for [`LEAF_NAMES`] signed by it.
    pub fn generate() -> Result<Self, TlsError> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "authmock local CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let names: Vec<String> = LEAF_NAMES.iter().map(|n| (*n).to_owned()).collect();
        let mut leaf_params = CertificateParams::new(names)?;
        leaf_params.distinguished_name.push(DnType::CommonName, "authmock");
        let leaf_key = KeyPair::generate()?;
        let leaf = leaf_params.signed_by(&leaf_key, &ca)?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let chain = vec![leaf.der().clone(), ca.der().clone()];
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            server: Arc::new(server),
        })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER.
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        &self.ca_der
    }

    /// The rustls configuration every TLS listener of this run serves with.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        Arc::clone(&self.server)
    }

    /// Writes the CA certificate to `path`.
    pub fn write_ca(&self, path: &Path) -> Result<(), TlsError> {
        std::fs::write(path, &self.ca_pem).map_err(|source| TlsError::Write {
            path: path.to_owned(),
            source,
        })
    }
}
