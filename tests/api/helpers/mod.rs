//! One-call test setup: a tenant, a router, per-endpoint helpers and wire snapshots.

pub mod janrain;

use authmock::auth0::Fixture;
use authmock::auth0::TenantSummary;
use authmock::auth0::tenant::{Tenant, TenantAddress};
use authmock::core::clock::Clock;
use authmock::server;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use base64::Engine as _;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt as _;

/// The instant every router test starts at.
pub const START: OffsetDateTime = datetime!(2026-01-05 10:00 UTC);
pub const BASE: &str = "http://127.0.0.1:4010";
pub const AUDIENCE: &str = "https://127.0.0.1:4010/api/v2/";
pub const ALICE: &str = "auth0|3b3d13f7d1bb45d8d62f8e36";
pub const CONNECTION_ID: &str = "con_FHnCKShgzqSf7tKL";
pub const CONNECTION: &str = "Username-Password-Authentication";
pub const TICKETS: &str = "/api/v2/tickets/password-change";
pub const JSON: &str = "application/json";
pub const FORM: &str = "application/x-www-form-urlencoded";

/// Which seeded application to act as.
#[derive(Clone, Copy, Debug)]
pub enum App {
    /// M2M with create:user_tickets read:users update:users.
    Backend,
    /// M2M with read:users only.
    ReadOnly,
    /// Regular web app with the password grants.
    Web,
    /// M2M with create:users read:users update:users delete:users create:user_tickets.
    Admin,
    /// The API Explorer Application: M2M with every Management API scope authmock serves.
    Explorer,
}

pub struct TestApp {
    pub tenant: Tenant,
    router: Router,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Status, the headers that matter on the wire, and the raw body: what snapshots pin.
    /// `x-ratelimit-reset` is a time: a UNIX-seconds value shows as `[epoch seconds]`, anything
    /// else as it came, so a wrong format still changes the snapshot.
    pub fn wire(&self) -> String {
        let mut out = format!(
            "HTTP {} {}\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or("")
        );
        for name in [
            "content-type",
            "www-authenticate",
            "cache-control",
            "pragma",
            "location",
            "retry-after",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-authmock-hint",
        ] {
            if let Some(value) = self.header(name) {
                let value = match name {
                    "x-ratelimit-reset" if is_epoch_seconds(value) => "[epoch seconds]",
                    _ => value,
                };
                out.push_str(&format!("{name}: {value}\n"));
            }
        }
        out.push('\n');
        out.push_str(&self.body);
        out
    }
}

/// A plausible UNIX time in seconds (2001 to 2286): digits only, ten of them.
fn is_epoch_seconds(value: &str) -> bool {
    value.len() == 10 && value.bytes().all(|b| b.is_ascii_digit())
}

/// Pins a reply's wire form in `snapshots/<name>.snap`.
#[macro_export]
macro_rules! assert_wire {
    ($name:expr, $reply:expr) => {{
        let wire = $reply.wire();
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, wire);
        })
    }};
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_fixture(Fixture::default_auth0())
    }

    pub fn with_fixture(fixture: Fixture) -> Self {
        let address = TenantAddress::http("127.0.0.1:4010".parse().expect("literal address"));
        let tenant = fixture.build(address, Clock::manual(START)).expect("fixture builds");
        Self {
            router: server::app(tenant.clone()),
            tenant,
        }
    }

    pub fn summary(&self) -> TenantSummary {
        TenantSummary::of(&self.tenant)
    }

    pub fn credentials(&self, app: App) -> (String, String) {
        let summary = self.summary();
        let wanted = match app {
            App::Backend => "Backend",
            App::ReadOnly => "Read-only",
            App::Web => "Web app",
            App::Admin => "User admin",
            App::Explorer => "API Explorer Application",
        };
        let client = summary
            .clients
            .iter()
            .find(|c| c.name.starts_with(wanted))
            .expect("the default fixture has this application");
        (client.client_id.clone(), client.client_secret.clone())
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send_to(&self.router, request).await
    }

    /// Any request: `content_type` and `bearer` are optional headers.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        authorization: Option<&str>,
        body: impl Into<Body>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        if let Some(authorization) = authorization {
            builder = builder.header("authorization", authorization);
        }
        self.send(builder.body(body.into()).expect("valid request")).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        self.request(Method::POST, path, Some(JSON), auth.as_deref(), body.to_string())
            .await
    }

    pub async fn patch_json(&self, path: &str, token: &str, body: &Value) -> Reply {
        let auth = format!("Bearer {token}");
        self.request(Method::PATCH, path, Some(JSON), Some(&auth), body.to_string())
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        let auth = format!("Bearer {token}");
        self.request(Method::DELETE, path, None, Some(&auth), Body::empty())
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        self.request(Method::GET, path, None, auth.as_deref(), Body::empty())
            .await
    }

    /// POST /oauth/token with a JSON body.
    pub async fn oauth(&self, body: &Value) -> Reply {
        self.post_json("/oauth/token", None, body).await
    }

    /// A Management API token for `app`, with every scope it was granted.
    pub async fn token(&self, app: App) -> String {
        self.token_for(app, AUDIENCE).await
    }

    pub async fn token_for(&self, app: App, audience: &str) -> String {
        let (client_id, client_secret) = self.credentials(app);
        let reply = self
            .oauth(&json!({
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
                "audience": audience,
            }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "token request failed: {}", reply.body);
        reply.json()["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Logs a user in with the password-realm grant through the web app.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.login_in(CONNECTION, username, password).await
    }

    /// Logs a user of the database connection `realm` in with the password-realm grant through
    /// the web app.
    pub async fn login_in(&self, realm: &str, username: &str, password: &str) -> Reply {
        let (client_id, client_secret) = self.credentials(App::Web);
        self.oauth(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
            "client_id": client_id,
            "client_secret": client_secret,
            "username": username,
            "password": password,
            "realm": realm,
            "scope": "openid profile email",
        }))
        .await
    }

    /// A control-API call with an optional JSON body (`/__authmock__/…`).
    pub async fn control(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        match body {
            Some(body) => self.request(method, path, Some(JSON), None, body.to_string()).await,
            None => self.request(method, path, None, None, Body::empty()).await,
        }
    }

    /// `GET /__authmock__/journal` with a query string (`""` for none), as JSON.
    pub async fn journal(&self, query: &str) -> Value {
        let reply = self.get(&format!("/__authmock__/journal{query}"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "journal: {}", reply.body);
        reply.json()
    }

    pub fn advance(&self, secs: u64) {
        self.tenant.clock().advance(std::time::Duration::from_secs(secs));
    }

    /// Issues tickets with `issue` (each superseding the last) until the ticket store has evicted
    /// the first, and answers that first ticket's link: superseded a second before every later
    /// one, it is the longest dead when the store is full.
    pub async fn evict_first_ticket<F, Fut>(&self, issue: F) -> String
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = String>,
    {
        let first = issue().await;
        issue().await;
        self.advance(1);
        for _ in 0..authmock::core::onetime::CAPACITY - 1 {
            issue().await;
        }
        first
    }
}

/// Drives `router` with one request (no socket) and reads the whole reply.
pub async fn send_to(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("bodies are in memory")
        .to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("responses are UTF-8"),
    }
}

/// The JSON payload of a JWT (no verification).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("payload is base64url");
    serde_json::from_slice(&bytes).expect("payload is JSON")
}

/// The protected header of an opaque (JWE compact) access token, as sent; panics unless the
/// token has the five segments of the JWE compact form with an empty encrypted key.
pub fn opaque_header(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 5, "an opaque token has five segments: {token}");
    assert_eq!(parts[1], "", "no encrypted key with alg dir: {token}");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[0])
        .expect("header is base64url");
    String::from_utf8(bytes).expect("header is UTF-8")
}

/// The header an opaque access token of the test tenant carries (facts auth0-login.md §1.1).
pub const OPAQUE_HEADER: &str = r#"{"alg":"dir","enc":"A256GCM","iss":"http://127.0.0.1:4010/"}"#;

/// The JSON header of a JWT.
pub fn jwt_header(token: &str) -> Value {
    let head = token.split('.').next().expect("a JWT has a header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head)
        .expect("header is base64url");
    serde_json::from_slice(&bytes).expect("header is JSON")
}

/// Replaces the parts of a journal entry that vary run to run (wall time, latency, request id).
pub fn redact_entry(entry: &mut Value) {
    entry["time"] = json!("[time]");
    entry["latency_ms"] = json!("[ms]");
    if let Some(headers) = entry["response"]["headers"].as_object_mut()
        && headers.contains_key("x-auth0-requestid")
    {
        headers.insert("x-auth0-requestid".into(), json!("[request id]"));
    }
}
