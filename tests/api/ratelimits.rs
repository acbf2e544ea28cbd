//! `/__authmock__/rate-limits`: 429 with `x-ratelimit-*` headers, then recovery once the tenant
//! clock passes the reset.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{ALICE, App, START, TestApp};

const LIMITS: &str = "/__authmock__/rate-limits";

fn headers(reply: &crate::helpers::Reply) -> (Option<&str>, Option<&str>, Option<&str>) {
    (
        reply.header("x-ratelimit-limit"),
        reply.header("x-ratelimit-remaining"),
        reply.header("x-ratelimit-reset"),
    )
}

fn client_credentials(app: &TestApp) -> Value {
    let (client_id, client_secret) = app.credentials(App::ReadOnly);
    json!({"grant_type": "client_credentials", "client_id": client_id,
           "client_secret": client_secret, "audience": crate::helpers::AUDIENCE})
}

#[tokio::test]
async fn an_empty_management_bucket_is_429_until_the_clock_passes_the_reset() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let set = app
        .control(
            Method::POST,
            LIMITS,
            Some(&json!({"group": "management", "limit": 2, "window_secs": 1})),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.body);
    let reset = (START.unix_timestamp() + 1).to_string();
    let user = format!("/api/v2/users/{ALICE}");

    let first = app.get(&user, Some(&token)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        headers(&first),
        (Some("2"), Some("1"), Some(reset.as_str())),
        "on success too"
    );
    let second = app.get(&user, Some(&token)).await;
    assert_eq!(headers(&second), (Some("2"), Some("0"), Some(reset.as_str())));
    let refused = app.get(&user, Some(&token)).await;
    assert_wire!("ratelimit_management_429", refused);
    assert_eq!(headers(&refused), (Some("2"), Some("0"), Some(reset.as_str())));

    app.control(Method::POST, "/__authmock__/clock", Some(&json!({"advance_secs": 1})))
        .await;
    let recovered = app.get(&user, Some(&token)).await;
    assert_eq!(recovered.status, StatusCode::OK);
    let next_reset = (START.unix_timestamp() + 2).to_string();
    assert_eq!(headers(&recovered), (Some("2"), Some("1"), Some(next_reset.as_str())));

    let outcome = &app.journal("?status=429").await["entries"][0];
    assert_eq!(outcome["outcome"], "provider_error");
    assert_eq!(outcome["response"]["headers"]["x-ratelimit-remaining"], "0");
}

#[tokio::test]
async fn the_token_endpoint_answers_the_oauth_429() {
    let app = TestApp::new();
    app.control(
        Method::POST,
        LIMITS,
        Some(&json!({"group": "authentication", "limit": 1, "window_secs": 60})),
    )
    .await;
    app.token(App::Backend).await;
    let (client_id, client_secret) = app.credentials(App::Backend);
    let refused = app
        .oauth(&json!({"grant_type": "client_credentials", "client_id": client_id,
                        "client_secret": client_secret, "audience": crate::helpers::AUDIENCE}))
        .await;
    assert_wire!("ratelimit_authentication_429", refused);
    let unlimited = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(headers(&unlimited), (None, None, None), "discovery is not rate limited");
}

#[tokio::test]
async fn buckets_are_listed_cleared_and_reset_with_the_tenant() {
    let app = TestApp::new();
    app.control(
        Method::POST,
        LIMITS,
        Some(&json!({"group": "management", "limit": 5, "refill": 1, "window_secs": 60})),
    )
    .await;
    let listed = app.control(Method::GET, LIMITS, None).await.json();
    let reset = START.unix_timestamp() + 1;
    assert_eq!(
        listed,
        json!({"buckets": [
            {"group": "authentication", "limit": 30, "refill": 30, "window_secs": 1,
             "remaining": 30, "reset": reset, "mode": "report"},
            {"group": "management", "limit": 5, "refill": 1, "window_secs": 60,
             "remaining": 5, "reset": START.unix_timestamp() + 60, "mode": "enforce"}]}),
        "the posted bucket replaced the management default; the other default stays"
    );
    assert_eq!(
        app.control(Method::DELETE, LIMITS, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.control(Method::GET, LIMITS, None).await.json(),
        json!({"buckets": []})
    );

    app.control(Method::POST, LIMITS, Some(&json!({"group": "management", "limit": 1})))
        .await;
    app.control(Method::POST, "/__authmock__/reset", None).await;
    let groups: Vec<(Value, Value, Value)> = app.control(Method::GET, LIMITS, None).await.json()["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| (b["group"].clone(), b["limit"].clone(), b["mode"].clone()))
        .collect();
    assert_eq!(
        groups,
        vec![
            (json!("authentication"), json!(30), json!("report")),
            (json!("management"), json!(2), json!("report"))
        ],
        "reset brings back the documented defaults"
    );
}

#[tokio::test]
async fn bad_buckets_get_a_400_with_a_reason() {
    let app = TestApp::new();
    let cases: [(Value, &str); 5] = [
        (json!({"group": "janrain", "limit": 1}), "unknown endpoint group"),
        (json!({"group": "management", "limit": 0}), "`limit`"),
        (
            json!({"group": "management", "limit": 1, "window_secs": 0}),
            "`window_secs`",
        ),
        (json!({"group": "management"}), "missing field `limit`"),
        (json!({"group": "management", "limit": 1, "burst": 3}), "unknown field"),
    ];
    for (body, expected) in cases {
        let reply = app.control(Method::POST, LIMITS, Some(&body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
        let message = reply.json()["message"].as_str().expect("message").to_owned();
        assert!(message.contains(expected), "{body}: {message}");
    }
}

#[tokio::test]
async fn the_default_tenant_reports_the_documented_limits_without_refusing() {
    let app = TestApp::new();
    let reset = (START.unix_timestamp() + 1).to_string();
    let first_token = app.oauth(&client_credentials(&app)).await;
    assert_eq!(first_token.status, StatusCode::OK, "{}", first_token.body);
    assert_eq!(
        headers(&first_token),
        (Some("30"), Some("29"), Some(reset.as_str())),
        "the /oauth/token limit, as captured from a real tenant"
    );
    let token = first_token.json()["access_token"].as_str().expect("token").to_owned();
    let user = format!("/api/v2/users/{ALICE}");
    let mut seen = Vec::new();
    for _ in 0..5 {
        let reply = app.get(&user, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::OK, "report-only: never refused");
        seen.push(reply.header("x-ratelimit-remaining").map(str::to_owned));
        assert_eq!(reply.header("x-ratelimit-limit"), Some("2"));
        assert_eq!(reply.header("x-ratelimit-reset"), Some(reset.as_str()));
    }
    let counted: Vec<Option<&str>> = seen.iter().map(Option::as_deref).collect();
    assert_eq!(counted, [Some("1"), Some("0"), Some("0"), Some("0"), Some("0")]);
    // Errors of a limited endpoint carry them too.
    let unauthorized = app.get(&user, None).await;
    assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers(&unauthorized).0, Some("2"));
    app.advance(1);
    let refilled = app.get(&user, Some(&token)).await;
    let next_reset = (START.unix_timestamp() + 2).to_string();
    assert_eq!(headers(&refilled), (Some("2"), Some("1"), Some(next_reset.as_str())));
    let unlimited = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(headers(&unlimited), (None, None, None), "discovery is not rate limited");
}

#[tokio::test]
async fn a_fixture_with_no_rate_limits_sends_no_headers() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.rate_limits = serde_json::from_value(json!([])).expect("no buckets");
    let app = TestApp::with_fixture(fixture);
    assert_eq!(app.get(LIMITS, None).await.json()["buckets"], json!([]));
    let token = app.token(App::ReadOnly).await;
    let user = app.get(&format!("/api/v2/users/{ALICE}"), Some(&token)).await;
    assert_eq!(user.status, StatusCode::OK);
    assert_eq!(headers(&user), (None, None, None));
}

#[tokio::test]
async fn a_fixture_bucket_can_be_report_only() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.rate_limits = serde_json::from_value(json!([
        {"group": "management", "limit": 1, "window_secs": 60, "mode": "report"}
    ]))
    .expect("bucket definitions");
    let app = TestApp::with_fixture(fixture);
    let token = app.token(App::ReadOnly).await;
    let user = format!("/api/v2/users/{ALICE}");
    for remaining in ["0", "0", "0"] {
        let reply = app.get(&user, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(headers(&reply).1, Some(remaining));
    }
    let reset = (START.unix_timestamp() + 60).to_string();
    let reply = app.get(&user, Some(&token)).await;
    assert_eq!(headers(&reply), (Some("1"), Some("0"), Some(reset.as_str())));
    let token_reply = app.oauth(&client_credentials(&app)).await;
    assert_eq!(
        headers(&token_reply),
        (None, None, None),
        "a fixture listing buckets replaces every default"
    );
}

#[tokio::test]
async fn fixture_buckets_limit_from_the_start_and_come_back_full_on_reset() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.rate_limits = serde_json::from_value(json!([
        {"group": "management", "limit": 1, "window_secs": 60},
        {"group": "authentication", "limit": 100, "refill": 10}
    ]))
    .expect("bucket definitions");
    let app = TestApp::with_fixture(fixture);
    let token = app.token(App::ReadOnly).await;
    let user = format!("/api/v2/users/{ALICE}");
    assert_eq!(app.get(&user, Some(&token)).await.status, StatusCode::OK);
    let refused = app.get(&user, Some(&token)).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    let reset = (START.unix_timestamp() + 60).to_string();
    assert_eq!(headers(&refused), (Some("1"), Some("0"), Some(reset.as_str())));

    let reset_reply = app.control(Method::POST, "/__authmock__/reset", None).await;
    assert_eq!(reset_reply.status, StatusCode::NO_CONTENT);
    let listed = app.get(LIMITS, None).await.json();
    let remaining: Vec<(Value, Value)> = listed["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| (b["group"].clone(), b["remaining"].clone()))
        .collect();
    assert_eq!(
        remaining,
        vec![(json!("authentication"), json!(100)), (json!("management"), json!(1))],
        "both buckets back, full"
    );
}

#[tokio::test]
async fn a_fixture_naming_an_unknown_group_is_refused_when_served() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.rate_limits =
        serde_json::from_value(json!([{"group": "janrain", "limit": 1}])).expect("bucket definitions");
    let addr = "127.0.0.1:0".parse().expect("literal address");
    let refused = authmock::server::bind::<authmock::auth0::Tenant>(
        addr,
        &fixture,
        authmock::core::clock::Clock::system(),
        false,
    )
    .await
    .map(|_| ())
    .expect_err("unknown group");
    let text = refused.to_string();
    assert!(text.contains("unknown endpoint group \"janrain\""), "{text}");
    assert!(text.contains("groups: management, authentication"), "{text}");

    fixture.rate_limits = serde_json::from_value(json!([{"group": "management", "limit": 0}])).expect("definitions");
    let zero = authmock::server::bind::<authmock::auth0::Tenant>(
        addr,
        &fixture,
        authmock::core::clock::Clock::system(),
        false,
    )
    .await
    .map(|_| ())
    .expect_err("zero limit");
    assert!(zero.to_string().contains("`limit` must be at least 1"), "{zero}");
}
