//! `/__authmock__/faults`: canned responses, named provider errors, delays, dropped and reset
//! connections.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{App, TestApp};

const FAULTS: &str = "/__authmock__/faults";

async fn add(app: &TestApp, rule: Value) -> Value {
    let reply = app.control(Method::POST, FAULTS, Some(&rule)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

fn client_credentials(app: &TestApp) -> Value {
    let (client_id, client_secret) = app.credentials(App::Backend);
    json!({
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
        "audience": crate::helpers::AUDIENCE,
    })
}

#[tokio::test]
async fn times_two_applies_twice_then_stops() {
    let app = TestApp::new();
    let rule = add(
        &app,
        json!({"method": "POST", "path": "/oauth/token", "times": 2, "error": "auth0.rate_limited"}),
    )
    .await;
    assert_eq!(rule["remaining"], 2);
    let body = client_credentials(&app);

    let first = app.oauth(&body).await;
    assert_wire!("control_fault_rate_limited", first);
    assert_eq!(first.header("x-ratelimit-limit"), Some("1"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("0"));
    let reset = crate::helpers::START.unix_timestamp() + 1;
    assert_eq!(first.header("x-ratelimit-reset"), Some(reset.to_string().as_str()));
    assert_eq!(app.oauth(&body).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.oauth(&body).await.status, StatusCode::OK, "the rule is spent");

    let listed = app.control(Method::GET, FAULTS, None).await.json();
    assert_eq!(listed["faults"][0]["hits"], 2);
    assert_eq!(listed["faults"][0]["remaining"], 0);
    let outcomes: Vec<_> = app.journal("").await["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["outcome"].clone(), e["fault"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("ok"), Value::Null),
            (json!("fault"), json!(1)),
            (json!("fault"), json!(1))
        ]
    );
}

#[tokio::test]
async fn a_listed_rule_shows_its_matcher_and_action() {
    let app = TestApp::new();
    let mut rule = add(
        &app,
        json!({"path": "/api/v2/users/*", "header": {"name": "Authorization", "contains": "Bearer"},
               "respond": {"status": 503, "headers": {"retry-after": "7"}, "body": {"oops": true}}}),
    )
    .await;
    assert_eq!(rule["id"], 1);
    rule["id"] = json!("[id]");
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_json_snapshot!("control_fault_rule", rule);
    });
}

#[tokio::test]
async fn a_canned_response_is_sent_verbatim_and_only_when_the_predicates_match() {
    let app = TestApp::new();
    add(
        &app,
        json!({"path": "/oauth/*", "body_contains": "client_credentials",
               "respond": {"status": 503, "headers": {"retry-after": "7", "content-type": "text/plain"}, "body": "down for lunch"}}),
    )
    .await;
    let reply = app.oauth(&client_credentials(&app)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body, "down for lunch");
    assert_eq!(reply.header("retry-after"), Some("7"));
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(
        reply.header("x-authmock-hint"),
        Some("fault rule 1 answered with a canned 503")
    );
    let other = app.oauth(&json!({"grant_type": "password"})).await;
    assert_ne!(
        other.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "body predicate did not match"
    );
}

#[tokio::test(start_paused = true)]
async fn delay_ms_adds_latency_then_serves_the_normal_response() {
    let app = TestApp::new();
    add(&app, json!({"path": "/.well-known/jwks.json", "delay_ms": 1500})).await;
    let before = tokio::time::Instant::now();
    let reply = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("\"keys\""));
    assert!(
        before.elapsed() >= std::time::Duration::from_millis(1500),
        "slept on tokio's clock"
    );
    let entry = &app.journal("").await["entries"][0];
    assert_eq!(entry["outcome"], "fault");
    assert_eq!(entry["hint"], "fault rule 1 delayed the response by 1500 ms");
}

#[tokio::test]
async fn bad_rules_get_a_400_with_a_reason() {
    let app = TestApp::new();
    let cases = [
        (json!({"path": "/x"}), "needs an action"),
        (
            json!({"path": "/x", "error": "auth0.unknown"}),
            "unknown provider error",
        ),
        (json!({"path": "/x", "drop": true, "dropp": true}), "unknown field"),
        (json!({"drop": true}), "missing field `path`"),
        (json!({"path": "/x", "times": -1, "drop": true}), "times"),
        (
            json!({"path": "/x", "respond": {"status": 1000}}),
            "between 200 and 599",
        ),
    ];
    for (rule, expected) in cases {
        let reply = app.control(Method::POST, FAULTS, Some(&rule)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{rule}: {}", reply.body);
        let message = reply.json()["message"].as_str().expect("message").to_owned();
        assert!(message.contains(expected), "{rule}: {message}");
    }
    assert_eq!(
        app.control(Method::GET, FAULTS, None).await.json(),
        json!({"faults": []})
    );
}

#[tokio::test]
async fn rules_are_deleted_one_by_one_or_all_at_once() {
    let app = TestApp::new();
    add(&app, json!({"path": "/a", "drop": true})).await;
    add(&app, json!({"path": "/b", "drop": true})).await;
    let one = app.control(Method::DELETE, "/__authmock__/faults/1", None).await;
    assert_eq!(one.status, StatusCode::NO_CONTENT);
    for missing in ["/__authmock__/faults/1", "/__authmock__/faults/abc"] {
        let reply = app.control(Method::DELETE, missing, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(reply.json()["error"], "not_found");
    }
    let listed = app.control(Method::GET, FAULTS, None).await.json();
    assert_eq!(listed["faults"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.control(Method::DELETE, FAULTS, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.control(Method::GET, FAULTS, None).await.json(),
        json!({"faults": []})
    );
}

#[tokio::test]
async fn control_api_requests_are_never_faulted() {
    let app = TestApp::new();
    add(&app, json!({"path": "*", "drop": true})).await;
    assert_eq!(
        app.control(Method::GET, "/__authmock__/tenant", None).await.status,
        StatusCode::OK
    );
}

/// Over a real socket: what a client sees when the connection is dropped or reset.
mod over_the_wire {
    use super::*;

    async fn post_rule(http: &reqwest::Client, base: &str, rule: Value) {
        let reply = http
            .post(format!("{base}{FAULTS}"))
            .json(&rule)
            .send()
            .await
            .expect("control API answers");
        assert_eq!(reply.status(), 201);
    }

    #[tokio::test]
    async fn a_dropped_connection_is_a_connection_error_for_reqwest() {
        let idp = authmock::Authmock::start().await;
        let base = idp.uri();
        authmock::core::crypto::install();
        let http = reqwest::Client::new();
        post_rule(
            &http,
            &base,
            json!({"path": "/.well-known/jwks.json", "times": 1, "drop": true}),
        )
        .await;

        let url = format!("{base}/.well-known/jwks.json");
        let err = http.get(&url).send().await.expect_err("no response at all");
        assert!(!err.is_status() && !err.is_timeout(), "a transport error: {err:?}");
        let retried = http.get(&url).send().await.expect("the rule is spent");
        assert_eq!(retried.status(), 200);

        let journal: Value = http
            .get(format!("{base}/__authmock__/journal"))
            .send()
            .await
            .expect("journal")
            .json()
            .await
            .expect("JSON");
        let dropped = &journal["entries"][1];
        assert_eq!(dropped["outcome"], "fault");
        assert_eq!(dropped["response"], Value::Null);
    }

    #[tokio::test]
    async fn a_reset_mid_body_sends_the_head_then_breaks_the_body() {
        let idp = authmock::Authmock::start().await;
        let base = idp.uri();
        authmock::core::crypto::install();
        let http = reqwest::Client::new();
        post_rule(
            &http,
            &base,
            json!({"path": "/.well-known/jwks.json", "reset_mid_body": true}),
        )
        .await;

        let reply = http
            .get(format!("{base}/.well-known/jwks.json"))
            .send()
            .await
            .expect("status and headers arrive");
        assert_eq!(reply.status(), 200);
        let declared = reply.content_length().expect("content-length is declared");
        assert!(declared > 0);
        let err = reply.bytes().await.expect_err("the body never completes");
        assert!(err.is_body() || err.is_decode(), "a body error: {err:?}");
    }
}
