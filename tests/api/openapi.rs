//! `GET /__authmock__/openapi.json`: every control route the listeners register is documented,
//! nothing else is, and every documented operation is served (not the control API's 404).

use std::collections::BTreeSet;

use authmock::auth0::tenant::TenantAddress;
use authmock::core::clock::Clock;
use authmock::janrain::JanrainFixture;
use authmock::server;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;

use crate::helpers::{JSON, Reply, START, TestApp, send_to};

async fn document(app: &TestApp) -> Value {
    let reply = app.get("/__authmock__/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    reply.json()
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            operations.insert((method.to_uppercase(), path.clone()));
        }
    }
    operations
}

#[tokio::test]
async fn every_registered_control_route_is_documented_and_nothing_else() {
    let doc = document(&TestApp::new()).await;
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    let served: BTreeSet<(String, String)> = authmock::admin::served_routes::<authmock::auth0::Tenant>()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path.to_owned()))
        .collect();
    assert!(served.len() >= 20, "the table is walked, not empty: {served:?}");
    let documented = documented(&doc);
    let missing: Vec<_> = served.difference(&documented).collect();
    assert!(missing.is_empty(), "served but not in openapi.json: {missing:?}");
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(extra.is_empty(), "in openapi.json but not served: {extra:?}");
    assert!(
        doc["components"]["schemas"]["ErrorBody"].is_object(),
        "the error shape is described"
    );
}

/// A documented operation with its path parameters filled in, sent with an empty JSON object
/// where it takes a body.
fn request(method: &str, path: &str) -> Request<Body> {
    let uri = path.replace("{id}", "1");
    let method = Method::from_bytes(method.as_bytes()).expect("a method");
    let builder = Request::builder().method(method.clone()).uri(uri);
    if method == Method::POST {
        builder.header("content-type", JSON).body(Body::from("{}"))
    } else {
        builder.body(Body::empty())
    }
    .expect("request")
}

fn assert_served(reply: &Reply, method: &str, path: &str, listener: &str) {
    assert_ne!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{listener}: {method} {path}"
    );
    let catch_all = reply.status == StatusCode::NOT_FOUND
        && reply.json()["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("no control route"));
    assert!(
        !catch_all,
        "{listener}: {method} {path} fell through to the catch-all: {}",
        reply.body
    );
    assert!(
        reply.status.is_success() || reply.json()["error"].is_string(),
        "{listener}: {method} {path}: {} {}",
        reply.status,
        reply.body
    );
}

#[tokio::test]
async fn every_documented_operation_answers_on_both_providers() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let address = TenantAddress::http("127.0.0.1:4011".parse().expect("literal address"));
    let capture = server::app(
        JanrainFixture::default_app()
            .build(address, Clock::manual(START))
            .expect("fixture builds"),
    );
    for (method, path) in documented(&doc) {
        let reply = app.send(request(&method, &path)).await;
        assert_served(&reply, &method, &path, "auth0");
        // M2M token quotas and the MFA helpers are an Auth0 tenant's own (tags `client-quotas`, `mfa`).
        if path == "/__authmock__/client-quotas" || path.starts_with("/__authmock__/mfa/") {
            continue;
        }
        let reply = send_to(&capture, request(&method, &path)).await;
        assert_served(&reply, &method, &path, "janrain");
    }
    let unknown = app.get("/__authmock__/openapi.yaml", None).await;
    assert_eq!(
        unknown.status,
        StatusCode::NOT_FOUND,
        "the catch-all is what the check tells apart"
    );
    assert!(
        unknown.json()["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("no control route"))
    );
}
