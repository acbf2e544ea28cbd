//! Fine-grained M2M token quotas (`/__authmock__/client-quotas`, fixture `client_quotas`) and the
//! named faults the conformance suite injects.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{App, TestApp};

const QUOTAS: &str = "/__authmock__/client-quotas";

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
async fn a_token_beyond_the_hourly_quota_is_refused_until_the_hour_turns() {
    let app = TestApp::new();
    let (client_id, _) = app.credentials(App::Backend);
    let set = app
        .control(
            Method::POST,
            QUOTAS,
            Some(&json!({"client_id": client_id, "per_hour": 1})),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.body);
    let body = client_credentials(&app);

    let first = app.oauth(&body).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let quota = first.header("auth0-client-quota-limit").expect("the quota header");
    assert!(quota.starts_with("b=per_hour;q=1;r=0;t="), "{quota}");

    let refused = app.oauth(&body).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        refused.json(),
        json!({"error": "too_many_requests", "error_description": "Client quota exceeded"})
    );
    assert_eq!(refused.header("x-ratelimit-limit"), Some("1"));
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    let retry_after: i64 = refused
        .header("retry-after")
        .expect("retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let reset: i64 = refused
        .header("x-ratelimit-reset")
        .expect("reset")
        .parse()
        .expect("unix seconds");
    assert_eq!(reset % 3600, 0, "the hour bucket starts on the hour");
    assert!(refused.header("auth0-client-quota-limit").is_some());

    // Another application has no quota; the next hour the budget is back.
    let (other_id, other_secret) = app.credentials(App::ReadOnly);
    let other = app
        .oauth(&json!({"grant_type": "client_credentials", "client_id": other_id,
            "client_secret": other_secret, "audience": crate::helpers::AUDIENCE}))
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    assert!(other.header("auth0-client-quota-limit").is_none());
    app.advance(3600);
    assert_eq!(app.oauth(&body).await.status, StatusCode::OK);

    let listed = app.control(Method::GET, QUOTAS, None).await.json();
    assert_eq!(listed, json!({"quotas": [{"client_id": client_id, "per_hour": 1}]}));
    assert_eq!(
        app.control(Method::DELETE, QUOTAS, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.oauth(&body).await.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_quotas_are_refused() {
    let app = TestApp::new();
    for bad in [
        json!({}),
        json!({"per_hour": 0}),
        json!({"client_id": "nobody", "per_day": 5}),
        json!({"per_hour": 1, "per_minute": 1}),
    ] {
        let reply = app.control(Method::POST, QUOTAS, Some(&bad)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}: {}", reply.body);
    }
}

/// Every named Auth0 error a fault can inject answers with the provider's own body.
#[tokio::test]
async fn every_named_auth0_fault_renders_the_provider_error() {
    let cases = [
        ("auth0.rate_limited", 429, "message", "Global limit has been reached"),
        (
            "auth0.users_write_rate_limited",
            429,
            "message",
            "Global per second users_write group limit has been reached",
        ),
        (
            "auth0.client_quota_exceeded",
            429,
            "error_description",
            "Client quota exceeded",
        ),
        ("auth0.authentication_rate_limited", 429, "error", "too_many_requests"),
        ("auth0.missing_authentication", 401, "message", "Missing authentication"),
        ("auth0.invalid_token", 401, "message", "Invalid token"),
        (
            "auth0.invalid_json",
            400,
            "message",
            "Invalid request payload JSON format",
        ),
        ("auth0.service_unavailable", 503, "message", "Service Unavailable"),
    ];
    for (name, status, field, text) in cases {
        let app = TestApp::new();
        let rule = json!({"path": "/api/v2/*", "error": name, "times": 1});
        let added = app.control(Method::POST, "/__authmock__/faults", Some(&rule)).await;
        assert_eq!(added.status, StatusCode::CREATED, "{name}: {}", added.body);
        let token = app.token(App::Backend).await;
        let reply = app
            .get("/api/v2/users-by-email?email=alice%40example.com", Some(&token))
            .await;
        assert_eq!(reply.status.as_u16(), status, "{name}: {}", reply.body);
        assert_eq!(reply.json()[field], text, "{name}: {}", reply.body);
        if status == 429 {
            assert!(reply.header("x-ratelimit-reset").is_some(), "{name}");
        }
        // One-shot: the next request is the provider's own answer.
        let next = app
            .get("/api/v2/users-by-email?email=alice%40example.com", Some(&token))
            .await;
        assert_eq!(next.status, StatusCode::OK, "{name}: {}", next.body);
    }
}
