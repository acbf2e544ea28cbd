//! The measuring half of `bench/run`: what a shell-level load generator cannot do.
//!
//! ```text
//! bench_probe tenants N                  start N tenants in this process, report VmRSS
//! bench_probe load URL BODY STATUS [BEARER]
//!                                        POST BODY (JSON) to URL; count answers with STATUS
//! bench_probe janrain-flow BASE          forgot → outbox → token → update_profile, per second
//! bench_probe login-flow KIND BASE       authorize → login page → post → code → token, per second
//!                                        (KIND: authmock, simulacrum, oauth2-mock-server; login.rs)
//! ```
//!
//! Every subcommand prints one JSON line on stdout. Load runs are bounded by
//! `BENCH_SECS` (default 5) and `BENCH_MAX_REQUESTS` (default 200000) and use `BENCH_CONNS`
//! workers (default 32) sharing one keep-alive client; URLs must be on loopback. `cargo test`
//! builds this example, so `bench/run --quick` can use the debug build with no extra compile.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod login;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Per-request timeout of the load client.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

struct Bounds {
    secs: f64,
    conns: usize,
    max_requests: u64,
}

impl Bounds {
    fn from_env() -> Result<Self> {
        let secs: f64 = env_or("BENCH_SECS", 5.0)?;
        let conns: usize = env_or("BENCH_CONNS", 32)?;
        let max_requests: u64 = env_or("BENCH_MAX_REQUESTS", 200_000)?;
        if !(secs > 0.0 && secs <= 120.0) {
            return Err(format!("BENCH_SECS must be in (0, 120], got {secs}").into());
        }
        if conns == 0 || conns > 256 {
            return Err(format!("BENCH_CONNS must be in 1..=256, got {conns}").into());
        }
        Ok(Self {
            secs,
            conns,
            max_requests,
        })
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw.trim().parse().map_err(|e| format!("{name}={raw:?}: {e}").into()),
        _ => Ok(default),
    }
}

fn loopback_only(url: &str) -> Result<()> {
    if url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:") {
        Ok(())
    } else {
        Err(format!("refusing to load {url}: loopback http only").into())
    }
}

fn client(conns: usize) -> Result<reqwest::Client> {
    authmock::core::crypto::install();
    Ok(reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(conns)
        .timeout(REQUEST_TIMEOUT)
        .build()?)
}

/// The listener's `GET /__authmock__/tenant` summary: its seeded applications and users.
async fn tenant_summary(http: &reqwest::Client, base: &str) -> Result<Value> {
    Ok(http
        .get(format!("{base}/__authmock__/tenant"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// Resident set size of this process, from `/proc/self/status`.
fn vm_rss_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS line in /proc/self/status".into())
}

/// Starts `n` default tenants (each on its own loopback listener), checks that every one
/// answers, and reports the memory they hold.
async fn tenants(n: usize) -> Result<Value> {
    let before = vm_rss_kib()?;
    let started = Instant::now();
    let mut running = Vec::with_capacity(n);
    for _ in 0..n {
        running.push(authmock::Authmock::start().await);
    }
    let start_secs = started.elapsed().as_secs_f64();
    let http = client(4)?;
    for idp in &running {
        let url = format!("{}/.well-known/jwks.json", idp.uri());
        let status = http.get(&url).send().await?.status();
        if status != reqwest::StatusCode::OK {
            return Err(format!("{url} answered {status}").into());
        }
    }
    drop(http);
    let after = vm_rss_kib()?;
    Ok(json!({
        "tenants": n,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "per_tenant_kib": (after.saturating_sub(before)) as f64 / n.max(1) as f64,
        "start_secs": start_secs,
    }))
}

#[derive(Default)]
struct Tally {
    ok: u64,
    errors: BTreeMap<String, u64>,
    sample: Option<String>,
}

impl Tally {
    fn fail(&mut self, key: String, sample: String) {
        *self.errors.entry(key).or_default() += 1;
        self.sample.get_or_insert(sample);
    }

    fn merge(&mut self, other: Self) {
        self.ok += other.ok;
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        if self.sample.is_none() {
            self.sample = other.sample;
        }
    }

    fn report(self, elapsed: Duration, conns: usize) -> Value {
        let errors: u64 = self.errors.values().sum();
        json!({
            "ok": self.ok,
            "errors": errors,
            "error_kinds": self.errors,
            "error_sample": self.sample.map(|s| s.chars().take(300).collect::<String>()),
            "secs": elapsed.as_secs_f64(),
            "conns": conns,
            "per_sec": self.ok as f64 / elapsed.as_secs_f64(),
        })
    }
}

/// `conns` copies of `one` run back to back until the time or request bound; `one(i)` returns
/// how many units it completed or an error key and sample.
async fn drive<F, Fut>(bounds: &Bounds, one: F) -> Value
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = std::result::Result<(), (String, String)>> + Send,
{
    let issued = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(bounds.secs);
    let max = bounds.max_requests;
    let mut workers = Vec::with_capacity(bounds.conns);
    for worker in 0..bounds.conns {
        let one = one.clone();
        let issued = Arc::clone(&issued);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < max {
                match one(worker).await {
                    Ok(()) => tally.ok += 1,
                    Err((key, sample)) => tally.fail(key, sample),
                }
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for worker in workers {
        match worker.await {
            Ok(tally) => total.merge(tally),
            Err(e) => total.fail("worker panicked".into(), e.to_string()),
        }
    }
    total.report(start.elapsed(), bounds.conns)
}

async fn load(bounds: &Bounds, url: String, body: String, expect: u16, bearer: Option<String>) -> Result<Value> {
    loopback_only(&url)?;
    let http = client(bounds.conns)?;
    let request = Arc::new((url, body, bearer));
    let one = move |_worker: usize| {
        let http = http.clone();
        let request = Arc::clone(&request);
        async move {
            let (url, body, bearer) = &*request;
            let mut req = http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
            if let Some(token) = bearer {
                req = req.bearer_auth(token);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| ("request error".to_owned(), e.to_string()))?;
            let status = resp.status();
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| ("body error".to_owned(), e.to_string()))?;
            if status.as_u16() == expect {
                Ok(())
            } else {
                Err((format!("HTTP {status}"), String::from_utf8_lossy(&bytes).into_owned()))
            }
        }
    };
    // Warm-up: connections opened, caches filled; not counted.
    let warm = Bounds {
        secs: (bounds.secs / 10.0).clamp(0.1, 0.5),
        conns: bounds.conns,
        max_requests: bounds.max_requests,
    };
    let warmed = drive(&warm, one.clone()).await;
    if warmed["ok"].as_u64() == Some(0) {
        return Err(format!("no {expect} answer during warm-up: {warmed}").into());
    }
    Ok(drive(bounds, one).await)
}

/// One Janrain account a worker owns for the whole run (flows on one account supersede each
/// other's codes, so accounts are never shared).
struct Account {
    email: String,
    passwords: [String; 2],
}

/// The Janrain password-recovery flow: forgot → read the mailed code → exchange it → set a new
/// password. One unit is one whole flow (four requests).
async fn janrain_flow(bounds: &Bounds, base: String) -> Result<Value> {
    loopback_only(&base)?;
    let http = client(bounds.conns)?;
    let summary = tenant_summary(&http, &base).await?;
    let client = summary["clients"]
        .as_array()
        .and_then(|clients| {
            clients.iter().find(|c| {
                c["password_recover_url"].is_string()
                    && c["features"]
                        .as_array()
                        .is_some_and(|f| f.iter().any(|x| x == "login_client"))
            })
        })
        .ok_or("the app has no login client with a password_recover_url")?
        .clone();
    let accounts: Vec<Account> = summary["users"]
        .as_array()
        .ok_or("summary has no users")?
        .iter()
        .filter(|u| u["password"].is_string())
        .map(|u| Account {
            email: u["email"].as_str().unwrap_or_default().to_owned(),
            passwords: ["Bench-Password-1".to_owned(), "Bench-Password-2".to_owned()],
        })
        .collect();
    if accounts.len() < bounds.conns {
        return Err(format!(
            "{} accounts with a password for {} workers: seed one account per worker",
            accounts.len(),
            bounds.conns
        )
        .into());
    }
    let flow = &summary["flow"];
    let common = Arc::new(json!({
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "redirect_uri": client["password_recover_url"],
        "flow": flow["name"],
        "flow_version": flow["version"],
        "locale": flow["locale"],
    }));
    let accounts = Arc::new(accounts);
    let rounds = Arc::new((0..bounds.conns).map(|_| AtomicU64::new(0)).collect::<Vec<_>>());
    let one = move |worker: usize| {
        let http = http.clone();
        let base = base.clone();
        let common = Arc::clone(&common);
        let accounts = Arc::clone(&accounts);
        let rounds = Arc::clone(&rounds);
        async move {
            let account = &accounts[worker];
            let round = rounds[worker].fetch_add(1, Ordering::Relaxed) as usize;
            let new_password = &account.passwords[round % 2];
            one_flow(&http, &base, &common, &account.email, new_password).await
        }
    };
    Ok(drive(bounds, one).await)
}

async fn one_flow(
    http: &reqwest::Client,
    base: &str,
    common: &Value,
    email: &str,
    new_password: &str,
) -> std::result::Result<(), (String, String)> {
    let s = |key: &str| common[key].as_str().unwrap_or_default().to_owned();
    let step = |name: &'static str| move |e: reqwest::Error| (format!("{name}: request error"), e.to_string());
    let forgot: Value = http
        .post(format!("{base}/oauth/forgot_password_native"))
        .form(&[
            ("client_id", s("client_id")),
            ("flow", s("flow")),
            ("flow_version", s("flow_version")),
            ("locale", s("locale")),
            ("form", "forgotPasswordForm".to_owned()),
            ("redirect_uri", s("redirect_uri")),
            ("signInEmailAddress", email.to_owned()),
        ])
        .send()
        .await
        .map_err(step("forgot"))?
        .json()
        .await
        .map_err(step("forgot"))?;
    expect_ok("forgot", &forgot)?;
    let outbox: Value = http
        .get(format!("{base}/__authmock__/outbox"))
        .query(&[("to", email), ("limit", "1")])
        .send()
        .await
        .map_err(step("outbox"))?
        .json()
        .await
        .map_err(step("outbox"))?;
    let code = outbox["messages"][0]["Links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find_map(|link| {
            link.split_once("code=")
                .map(|(_, c)| c.split('&').next().unwrap_or(c).to_owned())
        })
        .ok_or_else(|| ("outbox: no code".to_owned(), outbox.to_string()))?;
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("client_id", s("client_id")),
            ("client_secret", s("client_secret")),
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", s("redirect_uri")),
        ])
        .send()
        .await
        .map_err(step("token"))?
        .json()
        .await
        .map_err(step("token"))?;
    expect_ok("token", &token)?;
    let access_token = token["access_token"].as_str().unwrap_or_default().to_owned();
    let update: Value = http
        .post(format!("{base}/oauth/update_profile_native"))
        .form(&[
            ("client_id", s("client_id")),
            ("flow", s("flow")),
            ("flow_version", s("flow_version")),
            ("locale", s("locale")),
            ("form", "changePasswordFormNoAuth".to_owned()),
            ("access_token", access_token),
            ("newPassword", new_password.to_owned()),
            ("newPasswordConfirm", new_password.to_owned()),
        ])
        .send()
        .await
        .map_err(step("update"))?
        .json()
        .await
        .map_err(step("update"))?;
    expect_ok("update", &update)
}

fn expect_ok(step: &str, body: &Value) -> std::result::Result<(), (String, String)> {
    if body["stat"] == "ok" {
        Ok(())
    } else {
        Err((format!("{step}: {}", body["error"]), body.to_string()))
    }
}

async fn run(args: &[String]) -> Result<Value> {
    let usage =
        "usage: bench_probe tenants N | load URL BODY STATUS [BEARER] | janrain-flow BASE | login-flow KIND BASE";
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["tenants", n] => tenants(n.parse().map_err(|e| format!("tenants {n}: {e}"))?).await,
        ["load", url, body, status, rest @ ..] if rest.len() <= 1 => {
            let expect = status.parse().map_err(|e| format!("status {status}: {e}"))?;
            let bearer = rest.first().map(|s| (*s).to_owned());
            load(
                &Bounds::from_env()?,
                (*url).to_owned(),
                (*body).to_owned(),
                expect,
                bearer,
            )
            .await
        }
        ["janrain-flow", base] => janrain_flow(&Bounds::from_env()?, base.trim_end_matches('/').to_owned()).await,
        ["login-flow", kind, base] => {
            login::login_flow(&Bounds::from_env()?, kind, base.trim_end_matches('/').to_owned()).await
        }
        _ => Err(usage.into()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime");
    match runtime.block_on(run(&args)) {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("bench_probe: {e}");
            std::process::exit(1);
        }
    }
}
