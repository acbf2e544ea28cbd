//! `bench_probe login-flow KIND BASE`: full authorization-code logins with PKCE per second, as a
//! browser and a public client do them, against authmock or a peer. Each flow is a new browser
//! (no session cookie), so the login page is shown every time:
//!
//! - `authmock`: `/authorize` → `/u/login` (the page: its hidden fields) → `POST /u/login` →
//!   `/authorize/resume` → the callback's code → `POST /oauth/token` with the verifier;
//! - `simulacrum` (`@simulacrum/auth0-simulator`): `/authorize` → `/login` (the page) →
//!   `POST /usernamepassword/login` (what its page's script posts) → the hidden `wctx` form →
//!   `POST /login/callback` → the code → `POST /oauth/token`;
//! - `oauth2-mock-server`: it has no login page: `/authorize` answers the callback with a code
//!   at once → `POST /token`.
//!
//! The report adds the login page's latency percentiles (the `GET` of the page alone).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use serde_json::{Value, json};

use super::{Bounds, REQUEST_TIMEOUT, Result, drive, tenant_summary};

type Step<T> = std::result::Result<T, (String, String)>;

const REDIRECT_URI: &str = "http://127.0.0.1:3000/";

/// Who is logged in, with which application.
#[derive(Clone)]
struct Target {
    kind: Kind,
    base: String,
    client_id: String,
    redirect_uri: String,
    username: String,
    password: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Authmock,
    Simulacrum,
    OAuth2MockServer,
}

fn http_client(conns: usize) -> Result<reqwest::Client> {
    authmock::core::crypto::install();
    Ok(reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(conns)
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        // simulacrum serves https only, with the self-signed certificate bench/run made for it.
        .danger_accept_invalid_certs(true)
        .build()?)
}

pub async fn login_flow(bounds: &Bounds, kind: &str, base: String) -> Result<Value> {
    if !(base.starts_with("http://127.0.0.1:") || base.starts_with("https://127.0.0.1:")) {
        return Err(format!("refusing to load {base}: loopback only").into());
    }
    let http = http_client(bounds.conns)?;
    let target = match kind {
        "authmock" => {
            let summary = tenant_summary(&http, &base).await?;
            let spa = summary["clients"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["name"] == "Single-page app"))
                .ok_or("the tenant has no \"Single-page app\" application")?;
            Target {
                kind: Kind::Authmock,
                base,
                client_id: spa["client_id"].as_str().unwrap_or_default().to_owned(),
                redirect_uri: REDIRECT_URI.to_owned(),
                username: "alice@example.com".into(),
                password: "Wonderland-2026".into(),
            }
        }
        "simulacrum" => Target {
            kind: Kind::Simulacrum,
            base,
            client_id: "bench".into(),
            redirect_uri: REDIRECT_URI.to_owned(),
            // Its seeded user (`defaultUser`, password defaulting to 12345).
            username: "default@example.com".into(),
            password: "12345".into(),
        },
        "oauth2-mock-server" => Target {
            kind: Kind::OAuth2MockServer,
            base,
            client_id: "bench".into(),
            redirect_uri: REDIRECT_URI.to_owned(),
            username: String::new(),
            password: String::new(),
        },
        other => return Err(format!("login-flow: unknown kind {other}").into()),
    };
    let target = Arc::new(target);
    let pages = Arc::new(Mutex::new(Vec::<f64>::new()));
    let one = {
        let pages = Arc::clone(&pages);
        move |_worker: usize| {
            let (http, target, pages) = (http.clone(), Arc::clone(&target), Arc::clone(&pages));
            async move { one_login(&http, &target, &pages).await }
        }
    };
    // Warm-up: not counted, and its page timings are dropped.
    let warm = Bounds {
        secs: (bounds.secs / 10.0).clamp(0.1, 0.5),
        conns: bounds.conns,
        max_requests: bounds.max_requests,
    };
    let warmed = drive(&warm, one.clone()).await;
    if warmed["ok"].as_u64() == Some(0) {
        return Err(format!("no login completed during warm-up: {warmed}").into());
    }
    pages.lock().map_err(|_| "page timings lock")?.clear();
    let mut report = drive(bounds, one).await;
    // Logins of the warm-up too, so that CPU read around the whole run can be divided by them.
    report["warmup_ok"] = warmed["ok"].clone();
    let mut timings = pages.lock().map_err(|_| "page timings lock")?.clone();
    timings.sort_by(f64::total_cmp);
    if !timings.is_empty() {
        let at = |q: f64| timings[((timings.len() as f64 * q).ceil() as usize).clamp(1, timings.len()) - 1];
        report["page_ms"] = json!({"n": timings.len(), "p50": at(0.50), "p99": at(0.99), "max": at(1.0)});
    }
    Ok(report)
}

/// A browser of one flow: its cookies (name=value), sent back on every request.
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let Some((name, rest)) = value.to_str().ok().and_then(|v| v.split_once('=')) else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or_default().to_owned();
            self.0.retain(|(n, _)| n != name);
            self.0.push((name.to_owned(), value));
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Sends `request` with the jar's cookies; returns (status, location, body).
async fn send(jar: &mut Jar, request: reqwest::RequestBuilder, step: &str) -> Step<(u16, Option<String>, String)> {
    let request = if jar.0.is_empty() {
        request
    } else {
        request.header(reqwest::header::COOKIE, jar.header())
    };
    let response = request
        .send()
        .await
        .map_err(|e| (format!("{step}: request error"), e.to_string()))?;
    jar.keep(&response);
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    let body = response
        .text()
        .await
        .map_err(|e| (format!("{step}: body error"), e.to_string()))?;
    Ok((status, location, body))
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with('/') {
        format!("{base}{location}")
    } else {
        location.to_owned()
    }
}

fn redirect(step: &str, (status, location, body): (u16, Option<String>, String)) -> Step<String> {
    match (status, location) {
        (301..=303 | 307 | 308, Some(location)) => Ok(location),
        _ => Err((format!("{step}: HTTP {status}, no redirect"), body)),
    }
}

fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find_map(|(n, v)| (n == name).then_some(v))
}

/// Every `<input type="hidden">` of a page, unescaped.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let attribute = |element: &str, name: &str| {
        let key = format!("{name}=\"");
        let from = element.find(&key)? + key.len();
        let value = &element[from..from + element[from..].find('"')?];
        Some(html_escape::decode_html_entities(value).into_owned())
    };
    page.match_indices("<input")
        .filter_map(|(at, _)| {
            let element = &page[at..=at + page[at..].find('>')?];
            element
                .contains("type=\"hidden\"")
                .then(|| Some((attribute(element, "name")?, attribute(element, "value")?)))
                .flatten()
        })
        .collect()
}

/// A fresh PKCE verifier, state and nonce.
fn secrets() -> (String, String, String) {
    let mut rng = rand::rng();
    let verifier: String = (0..43)
        .map(|_| {
            char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"[rng.random_range(0..66)])
        })
        .collect();
    let mut word = || {
        (0..24)
            .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
            .collect::<String>()
    };
    let (state, nonce) = (word(), word());
    (verifier, state, nonce)
}

async fn one_login(http: &reqwest::Client, t: &Target, pages: &Mutex<Vec<f64>>) -> Step<()> {
    let mut jar = Jar::default();
    let (verifier, state, nonce) = secrets();
    let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ));
    let authorize = http.get(format!("{}/authorize", t.base)).query(&[
        ("response_type", "code"),
        ("client_id", &t.client_id),
        ("redirect_uri", &t.redirect_uri),
        ("scope", "openid profile email offline_access"),
        ("state", &state),
        ("nonce", &nonce),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let mut at = redirect("authorize", send(&mut jar, authorize, "authorize").await?)?;
    if t.kind != Kind::OAuth2MockServer {
        // The login page.
        let page_url = absolute(&t.base, &at);
        let started = Instant::now();
        let (status, _, page) = send(&mut jar, http.get(&page_url), "login page").await?;
        let took = started.elapsed();
        if status != 200 {
            return Err((format!("login page: HTTP {status}"), page));
        }
        if let Ok(mut pages) = pages.lock() {
            pages.push(took.as_secs_f64() * 1000.0);
        }
        at = match t.kind {
            Kind::Authmock => {
                let mut fields = hidden_fields(&page);
                fields.push(("username".into(), t.username.clone()));
                fields.push(("password".into(), t.password.clone()));
                fields.push(("action".into(), "default".into()));
                let post = http.post(&page_url).form(&fields);
                let resume = redirect("login post", send(&mut jar, post, "login post").await?)?;
                let resume = http.get(absolute(&t.base, &resume));
                redirect("resume", send(&mut jar, resume, "resume").await?)?
            }
            _ => {
                let login = json!({
                    "client_id": t.client_id, "redirect_uri": t.redirect_uri, "tenant": "bench",
                    "response_type": "code", "connection": "Username-Password-Authentication",
                    "scope": "openid profile email offline_access", "state": state, "nonce": nonce,
                    "username": t.username, "password": t.password,
                });
                let post = http.post(format!("{}/usernamepassword/login", t.base)).json(&login);
                let (status, _, form) = send(&mut jar, post, "usernamepassword").await?;
                if status != 200 {
                    return Err((format!("usernamepassword: HTTP {status}"), form));
                }
                let callback = http
                    .post(format!("{}/login/callback", t.base))
                    .form(&hidden_fields(&form));
                redirect("login callback", send(&mut jar, callback, "login callback").await?)?
            }
        };
    }
    if !at.starts_with(&t.redirect_uri) || param(&at, "state").as_deref() != Some(state.as_str()) {
        return Err(("callback: not the application's, or another state".into(), at));
    }
    let code = param(&at, "code").ok_or_else(|| ("callback: no code".to_owned(), at.clone()))?;
    let token_path = if t.kind == Kind::OAuth2MockServer {
        "token"
    } else {
        "oauth/token"
    };
    let token = http.post(format!("{}/{token_path}", t.base)).form(&[
        ("grant_type", "authorization_code"),
        ("client_id", &t.client_id),
        ("code", &code),
        ("redirect_uri", &t.redirect_uri),
        ("code_verifier", &verifier),
    ]);
    let (status, _, body) = send(&mut jar, token, "token").await?;
    if status == 200 && body.contains("\"access_token\"") {
        Ok(())
    } else {
        Err((format!("token: HTTP {status}"), body))
    }
}
