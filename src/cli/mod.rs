//! The command line: `authmock serve`, `authmock test` and `authmock healthcheck`. Every flag can also come from an
//! `AUTHMOCK_*` variable.

mod health;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::auth0::Tenant;
use crate::core::clock::Clock;
use crate::core::journal;
use crate::core::provider::Provider;
use crate::janrain::JanrainApp;
use crate::{harness, server};

#[derive(Debug, Parser)]
#[command(
    name = "authmock",
    version,
    about = "An offline, faithful fake of the Auth0 and Janrain identity providers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a tenant (the embedded default one unless --fixture names another).
    Serve(ServeArgs),
    /// Run the conformance suite against a client (the built-in reference client unless --client).
    Test(TestArgs),
    /// Exit 0 when a running server's listener answers `GET /__authmock__/health`, 1 otherwise.
    Healthcheck(health::HealthcheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The adapter command speaking protocol v1 on stdin/stdout (docs/adapter-protocol.md).
    #[arg(long, env = "AUTHMOCK_CLIENT")]
    pub client: Option<String>,
    /// Only scenarios matching this tag expression, e.g. `@must and not @error-case`.
    #[arg(long)]
    pub tags: Option<String>,
    /// Write a JUnit XML report here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write a Cucumber JSON report here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the run as Cucumber Messages here (NDJSON, one envelope per line), the stream the
    /// Cucumber ecosystem's report tools read.
    #[arg(long)]
    pub messages: Option<PathBuf>,
    /// The feature files (a directory or one file); the suite built into the binary by default.
    #[arg(long)]
    pub features: Option<PathBuf>,
    /// At most this many scenarios at once.
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Seconds the adapter has to answer one operation.
    #[arg(long, default_value_t = 10)]
    pub op_timeout: u64,
    /// Serve every scenario's tenant over HTTPS with a CA generated for this run; the adapter
    /// gets SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS and CURL_CA_BUNDLE naming it.
    #[arg(long)]
    pub tls: bool,
    /// Exit 0 even when no `@must` scenario ran (a first adapter that implements none of the
    /// operations the suite checks yet). Without it such a run fails: a run that checked
    /// nothing is not a pass.
    #[arg(long)]
    pub allow_no_must: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port of the Auth0 tenant; 0 picks a free one.
    #[arg(long, env = "AUTHMOCK_PORT", default_value_t = 4010)]
    pub port: u16,
    /// Address every listener binds (runtime tenants too). Loopback by default; anything else
    /// exposes the mock to the network and needs --admin-token.
    #[arg(long, alias = "host", env = "AUTHMOCK_BIND", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Require `Authorization: Bearer <TOKEN>` on every /__authmock__/ path (provider paths are
    /// unaffected). Mandatory when --bind is not a loopback address.
    #[arg(long, env = "AUTHMOCK_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// A tenant seed (JSON) to load instead of the embedded default.
    #[arg(long, env = "AUTHMOCK_FIXTURE")]
    pub fixture: Option<PathBuf>,
    /// Print the tenant summary as JSON (one line) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The most exchanges the request journal holds; the oldest are evicted (0 turns it off).
    #[arg(long, env = "AUTHMOCK_JOURNAL_LIMIT", default_value_t = journal::DEFAULT_LIMIT)]
    pub journal_limit: usize,
    /// Keep secrets (client secrets, passwords, tokens, codes) in clear in the journal.
    #[arg(long, env = "AUTHMOCK_JOURNAL_SECRETS")]
    pub journal_secrets: bool,
    /// The longest request or response body the journal stores whole, in bytes; longer ones are
    /// cut and marked `body_truncated`.
    #[arg(long, env = "AUTHMOCK_JOURNAL_BODY_CAP", default_value_t = journal::DEFAULT_BODY_CAP)]
    pub journal_body_cap: usize,
    /// The most bytes the journal's entries weigh together; the oldest are evicted past it.
    #[arg(long, env = "AUTHMOCK_JOURNAL_BYTES", default_value_t = journal::DEFAULT_BYTE_LIMIT)]
    pub journal_bytes: usize,
    /// Serve HTTPS with a leaf certificate of a CA generated at start (issuer and links use https).
    #[arg(long, env = "AUTHMOCK_TLS")]
    pub tls: bool,
    /// Where --tls writes the CA certificate (PEM) that clients must trust.
    #[arg(long, env = "AUTHMOCK_CA_FILE", default_value_os_t = std::env::temp_dir().join("authmock-ca.pem"))]
    pub ca_file: PathBuf,
    /// Port of the Janrain Capture app; defaults to --port + 1 (4011), or 0 when --port is 0.
    #[arg(long, env = "AUTHMOCK_JANRAIN_PORT")]
    pub janrain_port: Option<u16>,
    /// A Janrain Capture app seed (JSON) to load instead of the embedded default.
    #[arg(long, env = "AUTHMOCK_JANRAIN_FIXTURE")]
    pub janrain_fixture: Option<PathBuf>,
    /// Run the JavaScript of custom database connections (`options.customScripts`, lazy
    /// migration) in Node.js. Scripts are code execution: off unless given; beyond loopback it
    /// also needs --admin-token.
    #[arg(long, env = "AUTHMOCK_ALLOW_SCRIPTS")]
    pub allow_scripts: bool,
    /// The wall-clock limit of one script call, in milliseconds (the provider's is about 20 s).
    #[arg(long, env = "AUTHMOCK_SCRIPT_TIMEOUT_MS", default_value_t = 20_000)]
    pub script_timeout_ms: u64,
    /// The heap of one script call (`node --max-old-space-size`), in MiB.
    #[arg(long, env = "AUTHMOCK_SCRIPT_HEAP_MB", default_value_t = crate::core::node::DEFAULT_HEAP_MB)]
    pub script_heap_mb: u32,
    /// Once every listener accepts connections, write the summary (the `--json` lines) to this
    /// file, so a script can wait for the file instead of polling a port.
    #[arg(long, env = "AUTHMOCK_READY_FILE")]
    pub ready_file: Option<PathBuf>,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Test(args) => test(args).await,
        Command::Healthcheck(args) => health::healthcheck(args).await,
    }
}

async fn test(args: TestArgs) -> anyhow::Result<()> {
    let client = match args.client {
        Some(command) => harness::ClientSpec::Command {
            command,
            timeout: std::time::Duration::from_secs(args.op_timeout),
        },
        None => harness::ClientSpec::Builtin,
    };
    // Kept alive until the run ends; its folder is removed on drop.
    let embedded = match &args.features {
        Some(_) => None,
        None => Some(harness::suite::EmbeddedSuite::write().context("writing the built-in suite")?),
    };
    let summary = harness::run(harness::Options {
        client,
        features: match (&args.features, &embedded) {
            (Some(path), _) => path.clone(),
            (None, Some(suite)) => suite.path().to_owned(),
            (None, None) => PathBuf::from("features"),
        },
        tags: args.tags,
        junit: args.junit,
        json: args.json,
        messages: args.messages,
        concurrency: args.concurrency,
        fail_on_skipped: false,
        tls: args.tls,
    })
    .await?;
    if let Some(verdict) = summary.verdict(args.allow_no_must) {
        anyhow::bail!(verdict);
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    crate::core::memory::map_large_buffers();
    let scripts = script_settings(&args)?;
    let admin_token = admin_token(&args)?;
    let authority = if args.tls {
        let authority = crate::tls::Authority::generate()?;
        authority.write_ca(&args.ca_file)?;
        Some(authority)
    } else {
        None
    };
    let journal = journal::Settings {
        limit: args.journal_limit,
        keep_secrets: args.journal_secrets,
        body_cap: args.journal_body_cap,
        byte_limit: args.journal_bytes,
    };
    let janrain_port = args
        .janrain_port
        .unwrap_or(if args.port == 0 { 0 } else { args.port.saturating_add(1) });
    let tls = authority.as_ref().map(crate::tls::Authority::server_config);
    // One registry for the process: runtime tenants created through either listener land in
    // it, inherit the bind address, TLS and journal settings, and stop with the process.
    let registry = server::Registry::new(server::ListenerSettings {
        bind: args.bind,
        tls: tls.clone(),
        journal,
        admin_token: admin_token.clone(),
        scripts: scripts.clone(),
    });
    // The default listeners: the Auth0 tenant first, then the Janrain app.
    let listeners = [
        Listener::bind::<Tenant>(&registry, args.port, args.fixture.as_deref()).await?,
        Listener::bind::<JanrainApp>(&registry, janrain_port, args.janrain_fixture.as_deref()).await?,
    ];
    let banner: String = listeners
        .iter()
        .map(|l| {
            if args.json {
                format!("{}\n", l.summary)
            } else {
                l.banner.clone()
            }
        })
        .collect();
    // A reader that closes stdout after the first line must not take the server down (print!
    // would panic on the broken pipe).
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(banner.as_bytes()).and_then(|()| stdout.flush());
    drop(stdout);
    // The banner lists every seeded user: 16 MB for 100,000, not to be held while serving.
    drop(banner);
    if authority.is_some() {
        // On stderr, so `--json` keeps stdout to the summary lines.
        eprintln!("{}", trust_instructions(&args.ca_file));
    }
    if scripts.allowed {
        eprintln!("{}", scripts_banner(&scripts));
    }
    if admin_token.is_some() {
        eprintln!("authmock: /__authmock__/ paths require `Authorization: Bearer <the --admin-token value>`");
    }
    if let Some(path) = &args.ready_file {
        // Both sockets are bound and listening: connections are accepted from here on (the
        // kernel queues them until the serve loops below take them).
        let json_lines: String = listeners.iter().map(|l| format!("{}\n", l.summary)).collect();
        health::write_ready_file(path, &json_lines)?;
    }
    // Only the sockets and routers are kept: the summaries go, and so does what parsing the
    // fixtures left free in the allocator (a 100,000-user fixture's parse peaks at twice what
    // its tenant keeps).
    let listeners: Vec<(tokio::net::TcpListener, axum::Router)> =
        listeners.into_iter().map(|l| (l.tcp, l.router)).collect();
    crate::core::memory::give_back();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Each listener reports here when it stops: at shutdown, or early when serving fails, which
    // then stops the process instead of leaving one listener silently gone.
    let (ended_tx, mut ended) = tokio::sync::mpsc::channel::<std::io::Result<()>>(listeners.len());
    for (tcp, router) in listeners {
        let mut stopped = stopped.clone();
        let ended_tx = ended_tx.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let until_stopped = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            let result = server::serve_router(tcp, router, tls, until_stopped).await;
            let _ = ended_tx.send(result).await;
        });
    }
    drop(ended_tx);
    let early = tokio::select! {
        () = shutdown_signal() => None,
        result = ended.recv() => result,
    };
    let _ = stop.send(true);
    drop(registry);
    let mut outcome = early.unwrap_or(Ok(()));
    while let Some(result) = ended.recv().await {
        outcome = outcome.and(result);
    }
    if let Some(path) = &args.ready_file {
        // Not ready any more: a script must not find the file of a stopped server.
        let _ = std::fs::remove_file(path);
    }
    outcome?;
    tracing::info!("authmock stopped");
    Ok(())
}

/// One of `serve`'s default listeners, bound and ready to serve.
struct Listener {
    tcp: tokio::net::TcpListener,
    router: axum::Router,
    /// The one-line JSON summary (`--json`).
    summary: String,
    /// The human-readable banner.
    banner: String,
}

impl Listener {
    /// Binds the tenant of `fixture` (the provider's embedded default when `None`) on `port`.
    async fn bind<P: Provider>(
        registry: &server::Registry,
        port: u16,
        fixture: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        let settings = registry.settings();
        let fixture = match fixture {
            Some(path) => P::load_fixture(path).map_err(|e| anyhow::anyhow!(e))?,
            None => P::default_fixture(),
        };
        let addr = SocketAddr::new(settings.bind, port);
        let (tcp, tenant) = server::bind::<P>(addr, &fixture, Clock::system(), settings.tls.is_some()).await?;
        tenant.control().journal().configure(settings.journal);
        tenant.control().scripts().configure(settings.scripts.clone());
        Ok(Self {
            tcp,
            summary: tenant.summary().to_string(),
            banner: tenant.banner(),
            router: server::app_in(tenant, registry),
        })
    }
}

/// An error and its causes on one line, each cause once: a cause whose text the message
/// before it already contains (an OS error quoted by the error that wraps it) is not repeated.
pub fn explain(error: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

/// The admin token to require, if any: mandatory beyond loopback, never empty.
pub fn admin_token(args: &ServeArgs) -> anyhow::Result<Option<std::sync::Arc<str>>> {
    match args.admin_token.as_deref().map(str::trim) {
        Some("") => anyhow::bail!("--admin-token must not be empty"),
        Some(token) => Ok(Some(token.into())),
        None if !args.bind.is_loopback() => anyhow::bail!(
            "refusing to serve the control API on {} without --admin-token: anyone who can reach it could \
             read secrets and change the tenants. Pass --admin-token <TOKEN> (clients then send \
             `Authorization: Bearer <TOKEN>` on /__authmock__/ paths), or bind 127.0.0.1",
            args.bind
        ),
        None => Ok(None),
    }
}

/// The script settings of `serve`: opted in only beyond loopback with an admin token.
pub fn script_settings(args: &ServeArgs) -> anyhow::Result<crate::core::node::ScriptSettings> {
    if args.allow_scripts && !args.bind.is_loopback() && args.admin_token.is_none() {
        anyhow::bail!(
            "refusing --allow-scripts on {} without --admin-token: custom database scripts are code the \
             Management API can install, so anyone who can reach it could run JavaScript on this machine. \
             Pass --admin-token <TOKEN>, or bind 127.0.0.1",
            args.bind
        );
    }
    Ok(crate::core::node::ScriptSettings {
        allowed: args.allow_scripts,
        timeout: std::time::Duration::from_millis(args.script_timeout_ms.max(1)),
        heap_mb: args.script_heap_mb.max(16),
    })
}

/// The banner line of `--allow-scripts`: what runs, confined how, or why nothing can.
pub fn scripts_banner(settings: &crate::core::node::ScriptSettings) -> String {
    let probe = crate::core::node::Scripts::default();
    probe.configure(settings.clone());
    match probe.available() {
        Ok(()) => format!(
            "authmock: --allow-scripts: custom database scripts run in node (one process per call, permission \
             model: no files, no child processes, no workers; {} ms, {} MiB; outbound HTTP to loopback only)",
            settings.timeout.as_millis(),
            settings.heap_mb
        ),
        Err(_) => "authmock: --allow-scripts given, but no `node` (20 or later) is on PATH: connections with a \
                   login script are refused"
            .into(),
    }
}

/// Where the CA is and how each runtime is told to trust it.
fn trust_instructions(ca_file: &std::path::Path) -> String {
    let path = ca_file.display();
    let mut out = format!("authmock: TLS on; CA certificate written to {path}\n  trust it with:");
    for variable in crate::tls::TRUST_VARIABLES {
        out.push_str(&format!("\n    export {variable}={path}"));
    }
    out
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
