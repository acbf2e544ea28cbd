//! Throughput and start-up numbers for the real `authmock` binary, over loopback only.
//!
//! Run with `cargo bench --bench core`. It prints numbers; it asserts nothing about speed.
//!
//! 1. start to first 200: spawn `authmock serve --port 0 --json`, read its JSON summary line, poll
//!    `GET /.well-known/jwks.json` until 200; median/min/max over several cold starts.
//! 2. `client_credentials` tokens per second on `POST /oauth/token` (first client of the summary).
//! 3. password-change tickets per second on `POST /api/v2/tickets/password-change` with a bearer token.
//!
//! The server is a separate process (the release binary); the load generator runs here on a
//! multi-thread tokio runtime, so on a small machine both compete for the same cores.
//!
//! Environment:
//! - `AUTHMOCK_BENCH_SECS` seconds of load per endpoint (default 5; 1 in quick mode)
//! - `AUTHMOCK_BENCH_CONNS` concurrent workers sharing one keep-alive client (default 32)
//! - `AUTHMOCK_BENCH_STARTS` cold starts to time (default 7; 3 in quick mode)
//! - `AUTHMOCK_BENCH_MAX_REQUESTS` cap on requests per load phase (default 200000)
//! - `AUTHMOCK_BENCH_QUICK=1` quick mode for CI; the explicit variables above still win.
//!
//! The server inherits the environment, so `AUTHMOCK_JOURNAL_LIMIT=0` runs it with the request
//! journal off: compare with a default run to see what journaling costs.
//!
//! Without `--bench` on the command line (as under `cargo test --benches`) it only says so and exits.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const BIN: &str = env!("CARGO_BIN_EXE_authmock");
const TICKET_USER: &str = "auth0|3b3d13f7d1bb45d8d62f8e36";
/// How long one cold start may take before the bench gives up.
const START_DEADLINE: Duration = Duration::from_secs(15);
/// Per-request timeout of the load client.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
struct Config {
    quick: bool,
    secs: f64,
    conns: usize,
    starts: usize,
    max_requests: u64,
    warmup: Duration,
}

impl Config {
    fn from_env() -> BenchResult<Self> {
        let quick = std::env::var("AUTHMOCK_BENCH_QUICK").is_ok_and(|v| v == "1");
        let secs: f64 = env_or("AUTHMOCK_BENCH_SECS", if quick { 1.0 } else { 5.0 })?;
        let conns: usize = env_or("AUTHMOCK_BENCH_CONNS", 32)?;
        let starts: usize = env_or("AUTHMOCK_BENCH_STARTS", if quick { 3 } else { 7 })?;
        let max_requests: u64 = env_or("AUTHMOCK_BENCH_MAX_REQUESTS", 200_000)?;
        if !(secs > 0.0 && secs <= 600.0) {
            return Err(format!("AUTHMOCK_BENCH_SECS must be in (0, 600], got {secs}").into());
        }
        if conns == 0 || conns > 1024 {
            return Err(format!("AUTHMOCK_BENCH_CONNS must be in 1..=1024, got {conns}").into());
        }
        if starts == 0 || starts > 100 {
            return Err(format!("AUTHMOCK_BENCH_STARTS must be in 1..=100, got {starts}").into());
        }
        if max_requests == 0 {
            return Err("AUTHMOCK_BENCH_MAX_REQUESTS must be positive".into());
        }
        let warmup = if quick {
            Duration::from_millis(200)
        } else {
            Duration::from_millis(500)
        };
        Ok(Self {
            quick,
            secs,
            conns,
            starts,
            max_requests,
            warmup,
        })
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> BenchResult<T>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw.trim().parse().map_err(|e| format!("{name}={raw:?}: {e}").into()),
        _ => Ok(default),
    }
}

/// A running `authmock` child; dropping it kills and reaps the process.
struct Server {
    child: Child,
    /// Held open so the child never writes into a closed pipe.
    _stdout: Option<BufReader<ChildStdout>>,
    summary: Value,
    base_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A child being started: killed on drop until it becomes a [`Server`].
struct Spawned(Option<Child>);

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Spawns the binary and waits for its JSON summary line. Returns the server and when the line arrived.
async fn spawn_server() -> BenchResult<(Server, Instant)> {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--json"])
        // Never let the caller's environment move the mock off loopback or onto another tenant.
        .env_remove("AUTHMOCK_BIND")
        .env_remove("AUTHMOCK_PORT")
        .env_remove("AUTHMOCK_FIXTURE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("spawning {BIN}: {e}"))?;
    let stdout = child.stdout.take().ok_or("child has no stdout")?;
    let mut guard = Spawned(Some(child));
    // A blocking read on its own thread; if it times out, dropping the guard kills the child,
    // which closes the pipe and ends the read.
    let read = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        Ok::<_, std::io::Error>((reader, line, n))
    });
    let (reader, line, n) = tokio::time::timeout(START_DEADLINE, read)
        .await
        .map_err(|_| "no summary line on stdout within the start deadline")???;
    let line_at = Instant::now();
    if n == 0 {
        let status = guard.0.as_mut().and_then(|c| c.try_wait().ok().flatten());
        return Err(format!("authmock closed stdout without a summary line (exit status {status:?})").into());
    }
    let summary: Value = serde_json::from_str(line.trim()).map_err(|e| format!("summary line {line:?}: {e}"))?;
    let base_url = summary["base_url"]
        .as_str()
        .ok_or("summary has no base_url")?
        .trim_end_matches('/')
        .to_owned();
    if !base_url.starts_with("http://127.0.0.1:") {
        return Err(format!("refusing to load a non-loopback base_url {base_url}").into());
    }
    let child = guard.0.take().expect("guard holds the child");
    Ok((
        Server {
            child,
            _stdout: Some(reader),
            summary,
            base_url,
        },
        line_at,
    ))
}

fn client(conns: usize) -> BenchResult<reqwest::Client> {
    authmock::core::crypto::install();
    Ok(reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(conns)
        .pool_idle_timeout(Duration::from_secs(90))
        .connect_timeout(Duration::from_secs(2))
        .timeout(REQUEST_TIMEOUT)
        .build()?)
}

struct StartSample {
    total: Duration,
    to_line: Duration,
    polls: u32,
}

/// One cold start: spawn to the first 200 on the JWKS.
async fn cold_start(http: &reqwest::Client) -> BenchResult<StartSample> {
    let t0 = Instant::now();
    let (server, line_at) = spawn_server().await?;
    let url = format!("{}/.well-known/jwks.json", server.base_url);
    let mut polls = 0u32;
    loop {
        if t0.elapsed() > START_DEADLINE {
            return Err(format!("no 200 from {url} within {START_DEADLINE:?}").into());
        }
        polls += 1;
        match http.get(&url).send().await {
            Ok(resp) if resp.status() == reqwest::StatusCode::OK => {
                let _ = resp.bytes().await?;
                let total = t0.elapsed();
                drop(server);
                return Ok(StartSample {
                    total,
                    to_line: line_at - t0,
                    polls,
                });
            }
            Ok(resp) => {
                let _ = resp.bytes().await;
            }
            Err(_) => {}
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[derive(Default)]
struct LoadStats {
    ok: u64,
    latencies_us: Vec<u32>,
    /// Non-expected outcomes, by status or error kind.
    errors: BTreeMap<String, u64>,
    /// One response body (or error text) per error key.
    samples: BTreeMap<String, String>,
    elapsed: Duration,
}

impl LoadStats {
    fn merge(&mut self, other: Self) {
        self.ok += other.ok;
        self.latencies_us.extend(other.latencies_us);
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for (k, v) in other.samples {
            self.samples.entry(k).or_insert(v);
        }
    }

    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    fn per_sec(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile of the successful requests, in milliseconds.
    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let idx = rank.clamp(1, self.latencies_us.len()) - 1;
        f64::from(self.latencies_us[idx]) / 1000.0
    }
}

#[derive(Clone)]
struct Load {
    url: String,
    bearer: Option<String>,
    body: String,
    expect: reqwest::StatusCode,
}

/// `conns` workers on one shared keep-alive client, until `duration` has passed or `max` requests went out.
async fn run_load(http: &reqwest::Client, load: &Load, conns: usize, duration: Duration, max: u64) -> LoadStats {
    let issued = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut workers = Vec::with_capacity(conns);
    for _ in 0..conns {
        let http = http.clone();
        let load = load.clone();
        let issued = Arc::clone(&issued);
        workers.push(tokio::spawn(async move {
            let mut stats = LoadStats::default();
            while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < max {
                let mut req = http
                    .post(&load.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(load.body.clone());
                if let Some(token) = &load.bearer {
                    req = req.bearer_auth(token);
                }
                let sent = Instant::now();
                let (key, sample) = match req.send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        match resp.bytes().await {
                            Ok(_) if status == load.expect => {
                                let us = sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                                stats.ok += 1;
                                stats.latencies_us.push(us);
                                continue;
                            }
                            Ok(body) => (format!("HTTP {status}"), String::from_utf8_lossy(&body).into_owned()),
                            Err(e) => (format!("HTTP {status} body error"), e.to_string()),
                        }
                    }
                    Err(e) => {
                        let kind = if e.is_timeout() {
                            "timeout"
                        } else if e.is_connect() {
                            "connect error"
                        } else {
                            "request error"
                        };
                        (kind.to_owned(), e.to_string())
                    }
                };
                *stats.errors.entry(key.clone()).or_default() += 1;
                stats.samples.entry(key).or_insert(sample);
            }
            stats
        }));
    }
    let mut total = LoadStats::default();
    for worker in workers {
        match worker.await {
            Ok(stats) => total.merge(stats),
            Err(e) => {
                *total.errors.entry("worker panicked".into()).or_default() += 1;
                total.samples.entry("worker panicked".into()).or_insert(e.to_string());
            }
        }
    }
    total.elapsed = start.elapsed();
    total.latencies_us.sort_unstable();
    total
}

fn print_phase(name: &str, stats: &LoadStats) {
    println!(
        "  {name}: {} ok, {} errors in {:.3} s -> {:.0}/s, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        stats.ok,
        stats.error_count(),
        stats.elapsed.as_secs_f64(),
        stats.per_sec(),
        stats.percentile_ms(50.0),
        stats.percentile_ms(99.0),
        stats.percentile_ms(100.0),
    );
    for (key, count) in &stats.errors {
        let sample = stats.samples.get(key).map(String::as_str).unwrap_or("");
        let sample: String = sample.chars().take(300).collect();
        println!("    error {key}: {count}x, e.g. {sample}");
    }
}

/// Warm-up (not counted), then the measured phase.
async fn measure(cfg: &Config, http: &reqwest::Client, name: &str, load: &Load) -> BenchResult<LoadStats> {
    let warm = run_load(http, load, cfg.conns, cfg.warmup, cfg.max_requests).await;
    if warm.ok == 0 {
        print_phase(&format!("{name} warm-up"), &warm);
        return Err(format!("{name}: no successful request during warm-up").into());
    }
    let stats = run_load(
        http,
        load,
        cfg.conns,
        Duration::from_secs_f64(cfg.secs),
        cfg.max_requests,
    )
    .await;
    print_phase(name, &stats);
    Ok(stats)
}

fn median_min_max(samples: &[f64]) -> (f64, f64, f64) {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    (median, sorted[0], sorted[n - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(cfg: Config) -> BenchResult<()> {
    let nproc = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("authmock bench: binary {BIN}");
    println!(
        "  nproc={nproc} quick={} secs={} conns={} starts={} max_requests={} warmup={:?}",
        cfg.quick, cfg.secs, cfg.conns, cfg.starts, cfg.max_requests, cfg.warmup
    );

    // 1. Cold starts.
    let poller = client(1)?;
    let mut starts = Vec::with_capacity(cfg.starts);
    println!("start to first 200 ({} cold starts):", cfg.starts);
    for i in 0..cfg.starts {
        let s = cold_start(&poller).await?;
        println!(
            "  start {}: {:.2} ms to first 200 ({:.2} ms to summary line, {} poll(s))",
            i + 1,
            ms(s.total),
            ms(s.to_line),
            s.polls
        );
        starts.push(s);
    }
    drop(poller);
    let totals: Vec<f64> = starts.iter().map(|s| ms(s.total)).collect();
    let lines: Vec<f64> = starts.iter().map(|s| ms(s.to_line)).collect();

    // 2 and 3 against one instance.
    let (server, _) = spawn_server().await?;
    let base = server.base_url.clone();
    let audience = server.summary["audience"]
        .as_str()
        .ok_or("summary has no audience")?
        .to_owned();
    let first = &server.summary["clients"][0];
    let client_id = first["client_id"]
        .as_str()
        .ok_or("summary clients[0] has no client_id")?;
    let client_secret = first["client_secret"]
        .as_str()
        .ok_or("summary clients[0] has no client_secret")?;
    println!(
        "load: {base} with {} workers, client {client_id}, audience {audience}",
        cfg.conns
    );
    let token_body = json!({
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
        "audience": audience,
    })
    .to_string();
    let http = client(cfg.conns)?;

    let token_load = Load {
        url: format!("{base}/oauth/token"),
        bearer: None,
        body: token_body.clone(),
        expect: reqwest::StatusCode::OK,
    };
    let tokens = measure(&cfg, &http, "client_credentials", &token_load).await?;

    let resp = http
        .post(&token_load.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(token_body)
        .send()
        .await?;
    let status = resp.status();
    let token_json: Value = resp.json().await?;
    let access_token = token_json["access_token"]
        .as_str()
        .ok_or_else(|| format!("token request answered {status}: {token_json}"))?
        .to_owned();
    println!("  token scope: {}", token_json["scope"].as_str().unwrap_or("(none)"));

    let ticket_load = Load {
        url: format!("{base}/api/v2/tickets/password-change"),
        bearer: Some(access_token),
        body: json!({ "user_id": TICKET_USER }).to_string(),
        expect: reqwest::StatusCode::CREATED,
    };
    let tickets = measure(&cfg, &http, "password-change tickets", &ticket_load).await?;
    drop(http);
    drop(server);

    let (med, min, max) = median_min_max(&totals);
    let (lmed, lmin, lmax) = median_min_max(&lines);
    println!();
    println!("== authmock bench results (loopback, server and load generator share {nproc} CPU(s)) ==");
    println!("nproc                        {nproc}");
    println!(
        "start_to_first_200_ms        median={med:.2} min={min:.2} max={max:.2} (n={})",
        totals.len()
    );
    println!("start_to_summary_line_ms     median={lmed:.2} min={lmin:.2} max={lmax:.2}");
    for (name, stats) in [
        ("client_credentials_per_sec", &tokens),
        ("ticket_creations_per_sec", &tickets),
    ] {
        println!(
            "{name:<28} {:.0}  (ok={} errors={} secs={:.2} conns={} p50_ms={:.3} p99_ms={:.3})",
            stats.per_sec(),
            stats.ok,
            stats.error_count(),
            stats.elapsed.as_secs_f64(),
            cfg.conns,
            stats.percentile_ms(50.0),
            stats.percentile_ms(99.0),
        );
    }
    Ok(())
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("bench/core.rs: run with `cargo bench --bench core`; skipping outside bench mode");
        return;
    }
    let cfg = match Config::from_env() {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("bench configuration error: {e}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime");
    // Every child lives in a guard inside `run`; returning (including on Ctrl-C, which drops
    // the `run` future) kills and reaps it.
    let outcome = runtime.block_on(async {
        tokio::select! {
            r = run(cfg) => r,
            _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    if let Err(e) = outcome {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}
