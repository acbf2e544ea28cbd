//! `authmock`: serve a fake identity provider tenant. See `authmock --help`.

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("AUTHMOCK_LOG").unwrap_or_else(|_| EnvFilter::new("warn")))
        .with_writer(std::io::stderr)
        .init();
    authmock::cli::run(authmock::cli::Cli::parse()).await
}
