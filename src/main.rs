//! `authmock`: serve a fake identity provider tenant. See `authmock --help`.

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

/// Logs go to stderr: warnings, plus one line per request (`AUTHMOCK_LOG` overrides).
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("AUTHMOCK_LOG").unwrap_or_else(|_| EnvFilter::new("warn,authmock::exchange=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    authmock::cli::run(authmock::cli::Cli::parse()).await
}
