//! `authmock healthcheck` and `serve --ready-file`: how scripts and container runtimes learn that
//! a server is up, without curl and (with the ready file) without polling.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

use crate::admin::health;

#[derive(Debug, clap::Args)]
pub struct HealthcheckArgs {
    /// Base URL of the listener to check (its `/__authmock__/health` is requested).
    #[arg(long, env = "AUTHMOCK_HEALTH_URL", default_value = "http://127.0.0.1:4010")]
    pub url: String,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3)]
    pub timeout: u64,
    /// For an https URL: the CA certificate to trust (what `serve --tls` wrote).
    #[arg(long, env = "AUTHMOCK_CA_FILE", default_value_os_t = std::env::temp_dir().join("authmock-ca.pem"))]
    pub ca_file: PathBuf,
}

/// Exit status 0 when the listener at `args.url` answers its health route with 200, 1 (with
/// the reason on stderr) otherwise.
pub async fn healthcheck(args: HealthcheckArgs) -> anyhow::Result<()> {
    let url = format!("{}{}", args.url.trim_end_matches('/'), health::PATH);
    crate::core::crypto::install();
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout))
        .no_proxy();
    if url.starts_with("https://")
        && let Ok(pem) = std::fs::read(&args.ca_file)
    {
        let ca = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("reading the CA certificate {}", args.ca_file.display()))?;
        builder = builder.add_root_certificate(ca);
    }
    let response = builder
        .build()?
        .get(&url)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!("GET {url} answered {status}");
    }
    println!("{url}: {}", response.text().await.unwrap_or_default());
    Ok(())
}

/// Writes `contents` to `path` in one step (a temporary file renamed into place), so a script
/// waiting for the file never reads it half-written.
pub fn write_ready_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".partial");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, contents).with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
