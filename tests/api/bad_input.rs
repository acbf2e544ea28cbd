//! Hostile and broken input never yields a 5xx, a panic or a non-JSON error.

use axum::http::Method;
use serde_json::json;

use crate::helpers::{App, FORM, JSON, TestApp};

fn hostile_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    vec![
        ("empty", Vec::new()),
        ("truncated JSON", b"{\"user_id\": \"auth0|3b3d".to_vec()),
        ("deep array nesting", deep.into_bytes()),
        ("deep object nesting", deep_object.into_bytes()),
        ("huge number", b"{\"ttl_sec\": 1e400}".to_vec()),
        (
            "huge integer",
            b"{\"ttl_sec\": 123456789012345678901234567890}".to_vec(),
        ),
        ("negative zero and fractions", b"{\"ttl_sec\": -0.5}".to_vec()),
        ("invalid UTF-8 in a string", b"{\"user_id\": \"\xff\xfe\"}".to_vec()),
        ("invalid UTF-8 outside strings", b"{\xff: 1}".to_vec()),
        (
            "wrong types",
            json!({"user_id": 5, "email": [], "ttl_sec": {}, "identity": "x", "password": false})
                .to_string()
                .into_bytes(),
        ),
        (
            "duplicate keys",
            b"{\"user_id\": \"a\", \"user_id\": \"auth0|3b3d13f7d1bb45d8d62f8e36\"}".to_vec(),
        ),
        ("null", b"null".to_vec()),
        ("string", b"\"hello\"".to_vec()),
        ("NUL bytes", b"{\"user_id\": \"\\u0000\"}\0".to_vec()),
        (
            "2 MB JSON",
            format!("{{\"user_id\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)).into_bytes(),
        ),
        (
            "2 MB form",
            format!("user_id={}", "x".repeat(2 * 1024 * 1024)).into_bytes(),
        ),
        ("form garbage", b"%%%&&&===".to_vec()),
    ]
}

#[tokio::test]
async fn hostile_bodies_get_provider_errors_never_5xx() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let bearer = format!("Bearer {token}");
    let endpoints = [
        (Method::POST, "/oauth/token", None),
        (Method::POST, "/api/v2/tickets/password-change", Some(bearer.as_str())),
        (
            Method::PATCH,
            "/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36",
            Some(bearer.as_str()),
        ),
    ];
    for (method, path, auth) in &endpoints {
        for (case, body) in hostile_bodies() {
            for content_type in [Some(JSON), Some(FORM), None, Some("text/plain")] {
                let reply = app
                    .request(method.clone(), path, content_type, *auth, body.clone())
                    .await;
                let what = format!("{method} {path} {case} as {content_type:?}");
                assert!(reply.status.as_u16() < 500, "{what}: {} {}", reply.status, reply.body);
                assert!(
                    reply
                        .header("content-type")
                        .is_some_and(|ct| ct.starts_with("application/json")),
                    "{what}: {:?}",
                    reply.headers
                );
                let _ = reply.json();
            }
        }
    }
}

#[tokio::test]
async fn hostile_paths_and_queries_get_provider_errors_never_5xx() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    for path in [
        "/api/v2/users/%FF%FE",
        "/api/v2/users/%00",
        "/api/v2/users/a%2Fb",
        "/api/v2/users-by-email?email=%FF",
        "/api/v2/users-by-email?email=a&email=b",
        "/api/v2/users-by-email?%%%",
        "/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36?include_fields=maybe",
        "/api/v2/users/x?fields=",
    ] {
        let reply = app.get(path, Some(&token)).await;
        assert!(reply.status.as_u16() < 500, "{path}: {} {}", reply.status, reply.body);
        let _ = reply.json();
    }
}
