//! `authmock`: serve a fake identity provider tenant. See `authmock --help`.

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

/// Logs go to stderr. `serve` logs warnings plus one line per request; `test` logs warnings
/// only, so exchange lines do not interleave with cucumber's output. `AUTHMOCK_LOG` (or
/// `RUST_LOG`) overrides both, e.g. `RUST_LOG=authmock::exchange=info authmock test`.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = authmock::cli::Cli::parse();
    let default = match cli.command {
        authmock::cli::Command::Test(_) => "warn",
        _ => "warn,authmock::exchange=info",
    };
    let filter = EnvFilter::try_from_env("AUTHMOCK_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match authmock::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("authmock: {}", authmock::cli::explain(&error));
            std::process::ExitCode::FAILURE
        }
    }
}
