//! Replays the public recordings of Auth0's own clients (go-auth0, terraform-provider-auth0)
//! against a fresh in-process tenant per cassette and compares each answer with the recorded one:
//! status, content type, top-level key set, error texts and, where that month's recordings agree
//! on it, key order, each cassette on a tenant answering in the shapes of the month it was
//! recorded (fixture `wire_era`). Differences are declared in `deviations.json`, one by one or as
//! a class of one shape with the number it covers; an undeclared difference fails, and so does a
//! declared one that no longer occurs or a class whose number changed (`REPLAY_PRUNE=1` drops
//! those from the file instead). The cassettes come from `extract.py`; `docs/fidelity.md`
//! explains both.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use authmock::auth0::Fixture;
use authmock::auth0::tenant::TenantAddress;
use authmock::core::clock::Clock;
use authmock::server;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt as _;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::macros::datetime;
use tower::ServiceExt as _;

const HOST: &str = "127.0.0.1:4010";
const AUDIENCE: &str = "https://127.0.0.1:4010/api/v2/";
const CONNECTION: &str = "Username-Password-Authentication";
const CONNECTION_ID: &str = "con_FHnCKShgzqSf7tKL";
/// The seed's application that stands for the recording's Management API client.
const M2M_APP: &str = "User admin (M2M)";
/// The seed's application that stands for the recording's login client.
const LOGIN_APP: &str = "Web app";
/// The scopes the recordings' Management API tokens had, for the endpoints replayed.
const MANAGEMENT_SCOPES: &[&str] = &[
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "create:user_tickets",
    "read:roles",
    "create:roles",
    "update:roles",
    "delete:roles",
    "read:role_members",
    "create:role_members",
    "delete:role_members",
    "update:users_app_metadata",
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "read:client_keys",
    "update:client_keys",
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "delete:resource_servers",
    "read:client_grants",
    "create:client_grants",
    "update:client_grants",
    "delete:client_grants",
    "read:connections",
    "create:connections",
    "update:connections",
    "delete:connections",
    "read:tenant_settings",
    "update:tenant_settings",
    "read:organizations",
    "create:organizations",
    "update:organizations",
    "delete:organizations",
    "read:organization_members",
    "create:organization_members",
    "delete:organization_members",
    "read:organization_member_roles",
    "create:organization_member_roles",
    "delete:organization_member_roles",
    "read:organization_connections",
    "create:organization_connections",
    "update:organization_connections",
    "delete:organization_connections",
    "read:organization_invitations",
    "create:organization_invitations",
    "delete:organization_invitations",
    "read:organization_client_grants",
    "create:organization_client_grants",
    "delete:organization_client_grants",
    "read:authentication_methods",
    "read:guardian_factors",
    "update:guardian_factors",
    "create:authentication_methods",
    "update:authentication_methods",
    "delete:authentication_methods",
    "read:guardian_enrollments",
    "delete:guardian_enrollments",
    "create:guardian_enrollment_tickets",
];

#[derive(Deserialize)]
struct Cassette {
    name: String,
    /// The day the cassette was last recorded; the tenant answers in that era's shapes.
    recorded: String,
    interactions: Vec<Interaction>,
}

#[derive(Deserialize)]
struct Interaction {
    index: usize,
    family: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    content_type: Option<String>,
    body: String,
    status: u16,
    response_content_type: Option<String>,
    response_body: String,
    order_stable: bool,
}

/// One comparison that did not agree.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Difference {
    cassette: String,
    index: usize,
    check: String,
    recorded: String,
    authmock: String,
}

struct Reply {
    status: u16,
    content_type: Option<String>,
    body: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/replay")
}

/// The recorded tenant's settings before the cassette, as its first settings answer prints them
/// (the tenant's own configuration, like the applications it already had): seeded, so the replay
/// compares what the cassette's changes do to them. The default directory and audience are the
/// tenant's own fields: the recorded ones when set, else none.
fn seed_settings(seed: &mut Value, cassette: &Cassette) {
    let Some(first) = cassette
        .interactions
        .iter()
        .find(|i| i.family == "tenant-settings" && i.status == 200)
    else {
        return;
    };
    let Ok(Value::Object(mut settings)) = serde_json::from_str::<Value>(&first.response_body) else {
        return;
    };
    // What a read prints from `sandbox_versions_available` on is not stored (its era's defaults).
    if let Some(at) = settings.keys().position(|k| k == "sandbox_versions_available") {
        settings = settings.into_iter().take(at).collect();
    }
    for key in ["default_directory", "default_audience"] {
        seed[key] = Value::Null;
        if let Some(Value::String(named)) = settings.get(key)
            && !named.is_empty()
        {
            seed[key] = json!(named);
            settings.shift_remove(key);
        }
    }
    seed["settings"] = Value::Object(settings);
}

/// The default seed as the recordings' tenants had it: its M2M application granted the scopes
/// their tokens had, its database connection with their password policy (`low`: no recording
/// shows a strength error, and both clients create users with passwords `fair` refuses) and
/// requiring a username where the recording's tenant did (go-auth0's does), the APIs the
/// cassette's permissions name but do not create (the recording's tenant had them), each named by
/// its identifier, placeholders at their first values, and the shapes of the month the cassette
/// was recorded in.
fn fixture(requires_username: bool, cassette: &Cassette) -> Fixture {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(manifest.join("fixtures/auth0-tenant.json")).expect("default seed");
    let mut seed: Value = serde_json::from_str(&text).expect("seed is JSON");
    seed["signing_key"]["pem_file"] = json!(manifest.join("fixtures/auth0-tenant.key.pem").display().to_string());
    let clients = seed["clients"].as_array_mut().expect("clients");
    let admin = clients
        .iter_mut()
        .find(|c| c["name"] == M2M_APP)
        .expect("the M2M application");
    admin["grants"] = json!([{ "api": "management", "scopes": MANAGEMENT_SCOPES }]);
    // The recordings create an API `https://api.example.com/`, which the seed has: the recorded
    // tenants had no such API, so the seed's goes, with its grant.
    seed["apis"] = json!([]);
    for client in seed["clients"].as_array_mut().expect("clients") {
        if let Some(grants) = client.get_mut("grants").and_then(Value::as_array_mut) {
            grants.retain(|g| g["api"] == "management");
        }
    }
    seed["connections"][0]["requires_username"] = json!(requires_username);
    seed["connections"][0]["password_policy"] = json!("low");
    seed["wire_era"] = json!(cassette.recorded);
    seed_settings(&mut seed, cassette);
    let apis = seed["apis"].as_array_mut().expect("apis");
    let mut named = BTreeSet::new();
    let mut created = BTreeSet::new();
    for interaction in &cassette.interactions {
        let Ok(body) = serde_json::from_str::<Value>(&interaction.body) else {
            continue;
        };
        let permissions = body["permissions"].as_array().into_iter().flatten();
        named.extend(permissions.filter_map(|p| p["resource_server_identifier"].as_str().map(with_defaults)));
        if interaction.method == "POST" && interaction.path == "/api/v2/resource-servers" {
            created.extend(body["identifier"].as_str().map(with_defaults));
        }
    }
    for identifier in named.difference(&created).filter(|api| api.as_str() != AUDIENCE) {
        if !apis.iter().any(|a| a["identifier"] == identifier.as_str()) {
            apis.push(json!({"identifier": identifier, "name": identifier}));
        }
    }
    Fixture::from_json(&seed.to_string()).expect("seed builds")
}

/// One cassette's tenant, its tokens and the placeholder bindings learnt so far.
struct Replay {
    router: Router,
    bindings: HashMap<String, String>,
    management_token: String,
    login_client: (String, String),
    m2m_client: (String, String),
    uses_login_client: bool,
    access_token: Option<String>,
    /// The tenant's clock: it stands still, but for the recorded pause between interactions
    /// (`STEP`), so work the provider finishes in the background (an import job) is done when a
    /// later interaction reads it, as it was when recorded.
    clock: Clock,
}

/// How far the tenant's clock moves before each interaction: the recordings' requests are a few
/// hundred milliseconds apart (go-auth0 TestJobManager_ImportUsers: the job read 104 ms after
/// its creation reads `completed`).
const STEP: std::time::Duration = std::time::Duration::from_millis(250);

impl Replay {
    async fn new(fixture: &Fixture, cassette: &Cassette) -> Self {
        let address = TenantAddress::http(HOST.parse().expect("literal address"));
        let clock = Clock::manual(datetime!(2026-01-05 10:00 UTC));
        let tenant = fixture.build(address, clock.clone()).expect("fixture builds");
        // The provider accepts connections with custom database scripts: the replay's tenant
        // is opted in (with `node` on PATH; without it their creates are refused as on any
        // server that cannot run scripts, docs/migration.md).
        tenant
            .control()
            .scripts()
            .configure(authmock::core::node::ScriptSettings {
                allowed: true,
                ..authmock::core::node::ScriptSettings::default()
            });
        let summary = authmock::auth0::TenantSummary::of(&tenant);
        let client = |name: &str| {
            let c = summary
                .clients
                .iter()
                .find(|c| c.name == name)
                .expect("seeded application");
            (c.client_id.clone(), c.client_secret.clone())
        };
        let uses_login_client = cassette.interactions.iter().any(|i| {
            i.path.starts_with("/dbconnections/")
                || i.path == "/userinfo"
                || i.path == "/oauth/revoke"
                || ["password", "authorization_code", "refresh_token", "realm"]
                    .iter()
                    .any(|g| i.path == "/oauth/token" && i.body.contains(g))
        });
        let mut replay = Self {
            router: server::app(tenant),
            bindings: HashMap::new(),
            management_token: String::new(),
            login_client: client(LOGIN_APP),
            m2m_client: client(M2M_APP),
            uses_login_client,
            access_token: None,
            clock,
        };
        let (id, secret) = replay.m2m_client.clone();
        let body =
            json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "audience": AUDIENCE});
        let reply = replay
            .send(
                Method::POST,
                "/oauth/token",
                Some("application/json"),
                None,
                body.to_string(),
            )
            .await;
        assert_eq!(reply.status, 200, "the M2M application's token: {}", reply.body);
        let token: Value = serde_json::from_str(&reply.body).expect("token JSON");
        replay.management_token = token["access_token"].as_str().expect("access_token").to_owned();
        replay
    }

    async fn send(
        &self,
        method: Method,
        uri: &str,
        content_type: Option<&str>,
        auth: Option<&str>,
        body: String,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri).header("host", HOST);
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        if let Some(auth) = auth {
            builder = builder.header("authorization", format!("Bearer {auth}"));
        }
        let request = builder.body(Body::from(body)).expect("valid request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.into_body().collect().await.expect("in memory").to_bytes();
        Reply {
            status,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The value for a placeholder `{kind:n}`: the mock's own once learnt, else the seed's
    /// object of that kind, else a well-formed value that names nothing.
    fn value(&mut self, placeholder: &str) -> String {
        if let Some(v) = self.bindings.get(placeholder) {
            return v.clone();
        }
        let inner = &placeholder[1..placeholder.len() - 1];
        let (kind, n) = inner.split_once(':').unwrap_or((inner, "0"));
        let n: u64 = n.parse().unwrap_or(0);
        let (login, m2m) = (self.login_client.clone(), self.m2m_client.clone());
        let client = if self.uses_login_client { login } else { m2m };
        let value = match kind {
            "client_id" => client.0,
            "client_secret" => client.1,
            _ => default_value(kind, n),
        };
        if kind != "domain" {
            self.bindings.insert(placeholder.to_owned(), value.clone());
        }
        value
    }

    /// `text` with every placeholder replaced, each value passed through `encode`.
    fn fill(&mut self, text: &str, encode: fn(&str) -> String) -> String {
        substitute(text, |placeholder| encode(&self.value(placeholder)))
    }

    /// `text` with the bound placeholders replaced (unbound ones stay as written).
    fn known(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (placeholder, value) in &self.bindings {
            out = out.replace(placeholder, value);
        }
        out.replace("{domain}", HOST)
    }

    /// Walks the recorded body and the mock's side by side, binding each placeholder that is a
    /// whole recorded string to the mock's string at the same place.
    fn learn(&mut self, recorded: &Value, actual: &Value) {
        match (recorded, actual) {
            (Value::String(r), Value::String(a)) if is_placeholder(r) && !self.bindings.contains_key(r) => {
                if r.starts_with("{token:") && self.access_token.is_none() {
                    self.access_token = Some(a.clone());
                }
                self.bindings.insert(r.clone(), a.clone());
            }
            (Value::Object(r), Value::Object(a)) => {
                for (key, value) in r {
                    if let Some(other) = a.get(key) {
                        self.learn(value, other);
                    }
                }
            }
            (Value::Array(r), Value::Array(a)) => {
                for (value, other) in r.iter().zip(a) {
                    self.learn(value, other);
                }
            }
            _ => {}
        }
    }

    async fn play(&mut self, cassette: &str, i: &Interaction, out: &mut Vec<Difference>) -> [bool; 5] {
        self.clock.advance(STEP);
        let path = self.fill(&i.path, |v| utf8_percent_encode(v, NON_ALPHANUMERIC).to_string());
        let query: Vec<(String, String)> = i
            .query
            .iter()
            .map(|(k, v)| (k.clone(), self.fill(v, str::to_owned)))
            .collect();
        let uri = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", serde_urlencoded::to_string(&query).expect("query encodes"))
        };
        let form = i
            .content_type
            .as_deref()
            .is_some_and(|c| c.contains("x-www-form-urlencoded"));
        let body = if form {
            let pairs: Vec<String> = i
                .body
                .split('&')
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let v = self.fill(v, str::to_owned);
                    format!("{k}={}", utf8_percent_encode(&v, NON_ALPHANUMERIC))
                })
                .collect();
            pairs.join("&")
        } else {
            self.fill(&i.body, |v| v.replace('\\', "\\\\").replace('"', "\\\""))
        };
        let auth = if i.path.starts_with("/api/v2/") {
            Some(self.management_token.clone())
        } else if i.path == "/userinfo" {
            Some(self.access_token.clone().unwrap_or_else(|| "replay-token-0".to_owned()))
        } else {
            None
        };
        let method = Method::from_bytes(i.method.as_bytes()).expect("method");
        let reply = self
            .send(method, &uri, i.content_type.as_deref(), auth.as_deref(), body)
            .await;

        if std::env::var("REPLAY_TRACE").is_ok_and(|t| !t.is_empty() && cassette.contains(&t)) {
            println!(
                "{cassette} #{}: {} {uri}\n  recorded {} {}\n  authmock {} {}",
                i.index, i.method, i.status, i.response_body, reply.status, reply.body
            );
        }
        let recorded: Option<Value> = serde_json::from_str(&i.response_body).ok();
        let actual: Option<Value> = serde_json::from_str(&reply.body).ok();
        if let (Some(r), Some(a)) = (&recorded, &actual) {
            self.learn(r, a);
        }
        let mut differ = |check: &str, recorded: String, authmock: String| {
            out.push(Difference {
                cassette: cassette.to_owned(),
                index: i.index,
                check: check.to_owned(),
                recorded,
                authmock,
            });
            false
        };
        let status = reply.status == i.status || differ("status", i.status.to_string(), reply.status.to_string());
        let content_type = normal(&i.response_content_type) == normal(&reply.content_type)
            || differ(
                "content_type",
                i.response_content_type.clone().unwrap_or_else(|| "(none)".into()),
                reply.content_type.clone().unwrap_or_else(|| "(none)".into()),
            );
        let (r_shape, a_shape) = (shape(&i.response_body, &recorded), shape(&reply.body, &actual));
        let keys = r_shape == a_shape || differ("keys", r_shape.clone(), a_shape);
        let mut error = true;
        if let (Some(Value::Object(r)), true) = (&recorded, i.status >= 400) {
            let a = actual.as_ref().and_then(Value::as_object);
            for field in ["error", "error_description", "message", "errorCode"] {
                let Some(expected) = r.get(field) else { continue };
                let expected = match expected {
                    Value::String(s) => Value::String(self.known(s)),
                    other => other.clone(),
                };
                let got = a.and_then(|a| a.get(field)).cloned().unwrap_or(Value::Null);
                if got != expected {
                    error = false;
                    out.push(Difference {
                        cassette: cassette.to_owned(),
                        index: i.index,
                        check: format!("error.{field}"),
                        recorded: text(&expected),
                        authmock: text(&got),
                    });
                }
            }
        }
        let mut order = true;
        if let (true, true, Some(Value::Object(r)), Some(Value::Object(a))) = (i.order_stable, keys, &recorded, &actual)
        {
            let (r, a): (Vec<&String>, Vec<&String>) = (r.keys().collect(), a.keys().collect());
            if r != a {
                order = false;
                out.push(Difference {
                    cassette: cassette.to_owned(),
                    index: i.index,
                    check: "order".into(),
                    recorded: join(&r),
                    authmock: join(&a),
                });
            }
        }
        [status, content_type, keys, error, order]
    }
}

/// The value a placeholder `{kind:n}` takes before the mock's answers bind it (the
/// application's credentials aside, which depend on the cassette).
fn default_value(kind: &str, n: u64) -> String {
    match kind {
        "domain" => HOST.to_owned(),
        "connection" => CONNECTION.to_owned(),
        "connection_id" => CONNECTION_ID.to_owned(),
        "email" => format!("replay-{n}@example.com"),
        "user_id" => format!("auth0|{:024x}", 0xfeed_0000 + n),
        "user_key" => format!("{:024x}", 0xfeed_0000 + n),
        "role_id" => format!("rol_{n:016}"),
        "job_id" => format!("job_{n:016}"),
        "organization_id" => format!("org_{n:016}"),
        "token" => format!("replay-token-{n}"),
        "code" => format!("replay-code-{n}"),
        _ => format!("replay-{kind}-{n}"),
    }
}

/// `text` with each placeholder at its [`default_value`].
fn with_defaults(text: &str) -> String {
    substitute(text, |placeholder| {
        let inner = &placeholder[1..placeholder.len() - 1];
        let (kind, n) = inner.split_once(':').unwrap_or((inner, "0"));
        default_value(kind, n.parse().unwrap_or(0))
    })
}

/// `text` with every placeholder `{kind:n}` replaced by what `value` says.
fn substitute(text: &str, mut value: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        let candidate = &rest[start..=start + len];
        out.push_str(&rest[..start]);
        if is_placeholder(candidate) {
            out.push_str(&value(candidate));
            rest = &rest[start + len + 1..];
        } else {
            out.push('{');
            rest = &rest[start + 1..];
        }
    }
    out.push_str(rest);
    out
}

fn is_placeholder(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
        return false;
    };
    match inner.split_once(':') {
        Some((kind, n)) => {
            !kind.is_empty()
                && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
        }
        None => inner == "domain",
    }
}

fn normal(content_type: &Option<String>) -> Option<String> {
    content_type.as_ref().map(|c| c.to_ascii_lowercase().replace(' ', ""))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "(absent)".into(),
        other => other.to_string(),
    }
}

fn join(keys: &[&String]) -> String {
    keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
}

/// A body's top-level shape: `empty`, `text`, `{sorted keys}`, `[]` or `[{sorted keys of the first}]`.
fn shape(raw: &str, parsed: &Option<Value>) -> String {
    let keys = |o: &Map<String, Value>| {
        let set: BTreeSet<&String> = o.keys().collect();
        set.into_iter().map(String::as_str).collect::<Vec<_>>().join(",")
    };
    match parsed {
        _ if raw.trim().is_empty() => "empty".into(),
        Some(Value::Object(o)) => format!("{{{}}}", keys(o)),
        Some(Value::Array(a)) => match a.first() {
            None => "[]".into(),
            Some(Value::Object(o)) => format!("[{{{}}}]", keys(o)),
            Some(_) => "[values]".into(),
        },
        Some(_) => "scalar".into(),
        None => "text".into(),
    }
}

fn cassettes() -> Vec<Cassette> {
    let dir = root().join("cassettes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/replay/cassettes")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("cassette");
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

type Key = (String, usize, String);

fn key_of(entry: &Value) -> Key {
    (
        entry["cassette"].as_str().unwrap_or_default().to_owned(),
        entry["index"].as_u64().unwrap_or(u64::MAX) as usize,
        entry["check"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn replay_matches_the_recordings() {
    let started = Instant::now();
    let all = cassettes();
    assert!(!all.is_empty(), "no cassettes: run tests/replay/extract.py");
    let mut differences = Vec::new();
    // family -> [status, content type, keys, error, all, interactions]
    let mut score: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    // A cassette that creates a connection with custom database scripts needs `node` (the tenant
    // refuses the create without it, as any server that cannot run scripts does): skipped where
    // it is missing, with a note, except on CI, where that is a failure.
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let needs_node = |c: &Cassette| {
        c.interactions
            .iter()
            .any(|i| i.method != "GET" && i.body.contains("\"enabledDatabaseCustomization\":true"))
    };
    let skipped: BTreeSet<String> = all
        .iter()
        .filter(|c| !node && needs_node(c))
        .map(|c| c.name.clone())
        .collect();
    if !skipped.is_empty() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "node not found on CI: the cassettes with custom database scripts cannot run: {skipped:?}"
        );
        eprintln!("node not found: skipped the cassettes with custom database scripts: {skipped:?}");
    }
    for cassette in all.iter().filter(|c| !skipped.contains(&c.name)) {
        let usernames = cassette.interactions.iter().any(|i| {
            i.method == "POST"
                && (i.path == "/api/v2/users" || i.path == "/dbconnections/signup")
                && i.body.contains("\"username\"")
        });
        let mut replay = Replay::new(&fixture(usernames, cassette), cassette).await;
        for interaction in &cassette.interactions {
            let agree = replay.play(&cassette.name, interaction, &mut differences).await;
            let row = score.entry(interaction.family.clone()).or_default();
            for (slot, ok) in agree[..4].iter().enumerate() {
                row[slot] += usize::from(*ok);
            }
            row[4] += usize::from(agree.iter().all(|ok| *ok));
            row[5] += 1;
        }
    }
    print_score(&score);

    let path = root().join("deviations.json");
    let text = std::fs::read_to_string(&path).expect("tests/replay/deviations.json");
    let declared: Value = serde_json::from_str(&text).expect("deviations.json is JSON");
    let entries: Vec<Value> = declared["deviations"]
        .as_array()
        .expect("a `deviations` list")
        .iter()
        .filter(|e| !skipped.contains(e["cassette"].as_str().unwrap_or_default()))
        .cloned()
        .collect();
    let seen: BTreeSet<Key> = differences
        .iter()
        .map(|d| (d.cassette.clone(), d.index, d.check.clone()))
        .collect();
    let declared_keys: BTreeSet<Key> = entries.iter().map(key_of).collect();
    for entry in &entries {
        assert!(
            entry["reason"].as_str().is_some_and(|r| !r.trim().is_empty()),
            "a declared deviation without a reason: {entry}"
        );
    }
    // A class declares every difference of one shape (check, recorded, authmock) at once, with
    // the number it covers, so it cannot grow unnoticed.
    let classes = declared["classes"].as_array().cloned().unwrap_or_default();
    for class in &classes {
        assert!(
            class["reason"].as_str().is_some_and(|r| !r.trim().is_empty()) && class["count"].is_u64(),
            "a declared class without a reason or a count: {class}"
        );
    }
    let class_of = |d: &Difference| {
        classes.iter().position(|c| {
            c["check"] == d.check.as_str()
                && c["recorded"] == d.recorded.as_str()
                && c["authmock"] == d.authmock.as_str()
        })
    };
    let mut covered = vec![0u64; classes.len()];
    let mut undeclared: Vec<&Difference> = Vec::new();
    for d in &differences {
        if declared_keys.contains(&(d.cassette.clone(), d.index, d.check.clone())) {
            continue;
        }
        match class_of(d) {
            Some(i) => covered[i] += 1,
            None => undeclared.push(d),
        }
    }
    let miscounted: Vec<String> = classes
        .iter()
        .zip(&covered)
        .filter(|(c, n)| c["count"].as_u64() != Some(**n))
        .map(|(c, n)| format!("{} covers {n} differences, not {}", c["reason"], c["count"]))
        .collect();
    let stale: Vec<&Value> = entries.iter().filter(|e| !seen.contains(&key_of(e))).collect();
    println!(
        "replay: {} cassettes, {} differences, {} declared one by one and {} in {} classes, {} undeclared, {} stale, {:.1?}",
        all.len(),
        differences.len(),
        entries.len(),
        covered.iter().sum::<u64>(),
        classes.len(),
        undeclared.len(),
        stale.len(),
        started.elapsed()
    );

    let prune = std::env::var("REPLAY_PRUNE").is_ok_and(|v| v == "1");
    if prune && !stale.is_empty() {
        let kept: Vec<&Value> = entries.iter().filter(|e| seen.contains(&key_of(e))).collect();
        let mut file = declared.clone();
        file["deviations"] = json!(kept);
        let text = serde_json::to_string_pretty(&file).expect("serialises") + "\n";
        std::fs::write(&path, text).expect("deviations.json is writable");
        println!(
            "REPLAY_PRUNE: removed {} stale deviations from {}",
            stale.len(),
            path.display()
        );
    }

    let mut failures = Vec::new();
    if !undeclared.is_empty() {
        let listed: Vec<Value> = undeclared
            .iter()
            .map(|d| {
                json!({"cassette": d.cassette, "index": d.index, "check": d.check,
                       "recorded": d.recorded, "authmock": d.authmock, "reason": ""})
            })
            .collect();
        let report = std::env::temp_dir().join("authmock-replay-undeclared.json");
        let _ = std::fs::write(&report, serde_json::to_string_pretty(&listed).unwrap_or_default());
        let head: Vec<String> = listed.iter().take(20).map(Value::to_string).collect();
        failures.push(format!(
            "{} undeclared differences (all of them, without reasons, in {}):\n{}",
            listed.len(),
            report.display(),
            head.join("\n")
        ));
    }
    if !stale.is_empty() && !prune {
        let head: Vec<String> = stale.iter().take(20).map(|v| v.to_string()).collect();
        failures.push(format!(
            "{} declared deviations no longer occur; remove them (REPLAY_PRUNE=1 does):\n{}",
            stale.len(),
            head.join("\n")
        ));
    }
    if !miscounted.is_empty() {
        failures.push(format!(
            "declared classes that cover another number of differences than they say (fix the code, or the count):\n{}",
            miscounted.join("\n")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn print_score(score: &BTreeMap<String, [usize; 6]>) {
    println!(
        "{:<14} {:>6} {:>7} {:>13} {:>8} {:>6} {:>5}",
        "family", "total", "status", "content-type", "key set", "error", "all"
    );
    let mut total = [0usize; 6];
    for (family, row) in score {
        println!(
            "{family:<14} {:>6} {:>7} {:>13} {:>8} {:>6} {:>5}",
            row[5], row[0], row[1], row[2], row[3], row[4]
        );
        for (t, r) in total.iter_mut().zip(row) {
            *t += r;
        }
    }
    println!(
        "{:<14} {:>6} {:>7} {:>13} {:>8} {:>6} {:>5}",
        "total", total[5], total[0], total[1], total[2], total[3], total[4]
    );
}
