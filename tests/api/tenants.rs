//! Runtime tenants: `POST`, `GET`, `DELETE /__authmock__/tenants` on real listeners of an
//! embedded `Authmock`, each new tenant on its own loopback port.

use std::time::{Duration, Instant};

use authmock::Authmock;
use axum::http::{Method, StatusCode};
use futures::StreamExt as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::assert_wire;
use crate::helpers::{Reply, TestApp};

struct Control {
    http: reqwest::Client,
}

impl Control {
    fn new() -> Self {
        authmock::core::crypto::install();
        Self {
            http: reqwest::Client::new(),
        }
    }

    async fn call(&self, method: Method, url: &str, body: Option<&Value>) -> Reply {
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the listener answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        Reply { status, headers, body }
    }

    async fn create(&self, base: &str, body: &Value) -> Reply {
        self.call(Method::POST, &format!("{base}/__authmock__/tenants"), Some(body))
            .await
    }
}

fn port_of(base_url: &str) -> u16 {
    base_url
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .expect("base_url ends with a port")
}

async fn refuses_connections(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err()
}

#[tokio::test]
async fn tenants_are_created_from_a_fixture_or_a_seed_listed_and_deleted() {
    let idp = Authmock::start().await;
    let base = idp.uri();
    let control = Control::new();

    let created = control
        .create(&base, &json!({"provider": "auth0", "fixture": "default"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let auth0 = created.json();
    assert_eq!(auth0["id"], 1);
    assert_eq!(auth0["provider"], "auth0");
    let auth0_base = auth0["base_url"].as_str().expect("base_url").to_owned();
    assert!(auth0_base.starts_with("http://127.0.0.1:"), "loopback: {auth0_base}");
    assert_ne!(auth0_base, base, "a listener of its own");
    let own = control
        .call(Method::GET, &format!("{auth0_base}/__authmock__/tenant"), None)
        .await
        .json();
    let mut without_id = auth0.clone();
    without_id.as_object_mut().expect("object").remove("id");
    assert_eq!(
        without_id, own,
        "the summary is the new listener's own GET /__authmock__/tenant"
    );

    let mut seed: Value = serde_json::from_str(include_str!("../../fixtures/janrain-app.json")).expect("fixture JSON");
    seed["name"] = json!("runtime-capture");
    // Created through the runtime Auth0 tenant's listener: the same registry.
    let created = control
        .create(&auth0_base, &json!({"provider": "janrain", "seed": seed}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let janrain = created.json();
    assert_eq!(
        (janrain["id"].clone(), janrain["provider"].clone()),
        (json!(2), json!("janrain"))
    );
    assert_eq!(janrain["name"], "runtime-capture");
    let janrain_base = janrain["base_url"].as_str().expect("base_url").to_owned();
    let forgot = control
        .call(Method::GET, &format!("{janrain_base}/__authmock__/journal"), None)
        .await;
    assert_eq!(forgot.status, StatusCode::OK, "a Capture listener with its control API");

    let listed = control
        .call(Method::GET, &format!("{base}/__authmock__/tenants"), None)
        .await
        .json();
    assert_eq!(listed["tenants"], json!([auth0, janrain]));
    assert_eq!(idp.registry().len(), 2);
    let one = control
        .call(Method::GET, &format!("{base}/__authmock__/tenants/2"), None)
        .await;
    assert_eq!(one.json(), janrain);

    // Deleted through its own listener: answered, then the port is closed.
    let deleted = control
        .call(Method::DELETE, &format!("{janrain_base}/__authmock__/tenants/2"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert!(refuses_connections(port_of(&janrain_base)).await);
    let deleted = control
        .call(Method::DELETE, &format!("{base}/__authmock__/tenants/1"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(refuses_connections(port_of(&auth0_base)).await);
    assert!(idp.registry().is_empty());

    let gone = control
        .call(Method::DELETE, &format!("{base}/__authmock__/tenants/1"), None)
        .await;
    assert_wire!("control_tenants_unknown_id", gone);
    for path in ["/__authmock__/tenants/1", "/__authmock__/tenants/abc"] {
        let reply = control.call(Method::GET, &format!("{base}{path}"), None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.json()["error"], "not_found", "{path}");
    }
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let idp = Authmock::start().await;
    let base = idp.uri();
    let control = Control::new();
    let taken = port_of(&base);
    let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
        (
            json!({"provider": "okta"}),
            StatusCode::BAD_REQUEST,
            "\"okta\"",
            "unknown provider",
        ),
        (
            json!({"fixture": "default"}),
            StatusCode::BAD_REQUEST,
            "provider",
            "no provider",
        ),
        (
            json!({"provider": "auth0", "fixture": "default", "seed": {}}),
            StatusCode::BAD_REQUEST,
            "not both",
            "fixture and seed",
        ),
        (
            json!({"provider": "auth0", "seed": [1]}),
            StatusCode::BAD_REQUEST,
            "JSON object",
            "seed not an object",
        ),
        (
            json!({"provider": "auth0", "fixture": "janrain-app"}),
            StatusCode::BAD_REQUEST,
            "not a auth0 fixture",
            "the other provider's embedded fixture",
        ),
        (
            json!({"provider": "janrain", "fixture": "/nonexistent/fixture.json"}),
            StatusCode::BAD_REQUEST,
            "/nonexistent/fixture.json",
            "a missing file",
        ),
        (
            json!({"provider": "auth0", "seed": {"name": "x"}}),
            StatusCode::BAD_REQUEST,
            "seed:",
            "an incomplete seed",
        ),
        (
            json!({"provider": "auth0", "port": taken}),
            StatusCode::CONFLICT,
            "cannot listen",
            "a port in use",
        ),
        (
            json!({"provider": "auth0", "colour": "red"}),
            StatusCode::BAD_REQUEST,
            "colour",
            "an unknown field",
        ),
    ];
    for (body, status, needle, why) in cases {
        let reply = control.create(&base, &body).await;
        assert_eq!(reply.status, status, "{why}: {}", reply.body);
        let error = reply.json();
        assert!(error["error"].is_string(), "{why}: {error}");
        assert!(
            error["message"].as_str().is_some_and(|m| m.contains(needle)),
            "{why}: {error}"
        );
    }
    assert!(idp.registry().is_empty(), "nothing half-created");
}

#[tokio::test]
async fn a_router_served_by_no_process_has_no_runtime_tenants() {
    let app = TestApp::new();
    let reply = app
        .control(
            Method::POST,
            "/__authmock__/tenants",
            Some(&json!({"provider": "auth0"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["error"], "unavailable");
}

#[tokio::test]
async fn dropping_the_owner_stops_its_runtime_tenants() {
    let idp = Authmock::start().await;
    let control = Control::new();
    let created = control.create(&idp.uri(), &json!({"provider": "janrain"})).await.json();
    let port = port_of(created["base_url"].as_str().expect("base_url"));
    assert!(!refuses_connections(port).await);
    drop(idp);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !refuses_connections(port).await {
        assert!(Instant::now() < deadline, "the runtime tenant outlived its owner");
        tokio::task::yield_now().await;
    }
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Creates `count` tenants (Auth0 and Janrain alternately), checks each answers on its port,
/// deletes them all and checks every port refuses connections.
async fn create_and_drop(base: &str, control: &Control, count: usize) {
    /// 2001-01-01T00:00:00Z plus the tenant's index, in UNIX seconds.
    fn mark(i: usize) -> i64 {
        978_307_200 + i as i64
    }
    let created: Vec<(Value, i64)> = futures::stream::iter(0..count)
        .map(|i| async move {
            let provider = if i % 2 == 0 { "auth0" } else { "janrain" };
            let reply = control.create(base, &json!({"provider": provider})).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            let summary = reply.json();
            // Each tenant's clock is frozen at its own second, a mark that tells it apart from
            // any other listener that later binds the same port.
            let url = format!("{}/__authmock__/clock", summary["base_url"].as_str().expect("base_url"));
            let set = json!({"set": OffsetDateTime::from_unix_timestamp(mark(i)).expect("a time").format(&Rfc3339).expect("RFC 3339")});
            let clock = control.call(Method::POST, &url, Some(&set)).await;
            assert_eq!(clock.status, StatusCode::OK, "tenant {i} answers: {}", clock.body);
            (summary, mark(i))
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let listed = control
        .call(Method::GET, &format!("{base}/__authmock__/tenants"), None)
        .await
        .json();
    assert_eq!(listed["tenants"].as_array().map(Vec::len), Some(count));
    futures::stream::iter(created.iter())
        .map(|(summary, _)| async move {
            let url = format!("{base}/__authmock__/tenants/{}", summary["id"]);
            let reply = control.call(Method::DELETE, &url, None).await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    for (summary, mark) in &created {
        let base_url = summary["base_url"].as_str().expect("base_url");
        let port = port_of(base_url);
        if refuses_connections(port).await {
            continue;
        }
        // Another test of this binary may have bound the freed port since: only a listener that
        // still shows this tenant's clock mark is this tenant.
        let clock = control
            .call(Method::GET, &format!("{base_url}/__authmock__/clock"), None)
            .await;
        let still_ours = clock.status == StatusCode::OK && clock.json()["unix"] == *mark;
        assert!(!still_ours, "port {port} still serves its deleted tenant");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_tenants_come_and_go_without_leaking_tasks_or_ports() {
    let idp = Authmock::start().await;
    let base = idp.uri();
    // No idle connections kept in a pool: the server's connection tasks end with each request.
    authmock::core::crypto::install();
    let control = Control {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("client"),
    };
    // The baseline: the main listener running (one request served), its connection closed.
    let metrics = tokio::runtime::Handle::current().metrics();
    let warm_up = control
        .call(Method::GET, &format!("{base}/__authmock__/tenants"), None)
        .await;
    assert_eq!(warm_up.status, StatusCode::OK);
    let mut baseline = metrics.num_alive_tasks();
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        baseline = baseline.min(metrics.num_alive_tasks());
    }
    let started = Instant::now();

    create_and_drop(&base, &control, 500).await;
    let first_round = started.elapsed();
    let rss_first = rss_kib();
    create_and_drop(&base, &control, 500).await;
    let rss_second = rss_kib();
    let elapsed = started.elapsed();
    drop(control);

    assert!(idp.registry().is_empty());
    let deadline = Instant::now() + Duration::from_secs(5);
    while metrics.num_alive_tasks() > baseline {
        assert!(
            Instant::now() < deadline,
            "{} tasks alive, {baseline} before the tenants",
            metrics.num_alive_tasks()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // RSS is printed, not asserted: other tests share this process and allocate meanwhile.
    // Memory per tenant is measured alone by `bench/run` (`bench_probe tenants`).
    eprintln!(
        "500 tenants created and dropped in {:.1} s, twice in {:.1} s; RSS {rss_first:?} KiB after round one, {rss_second:?} KiB after round two",
        first_round.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}
