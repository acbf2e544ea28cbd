//! `GET`/`POST /__authmock__/clock`: tokens expire by moving the clock, never by sleeping.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{ALICE, App, TestApp};

const CLOCK: &str = "/__authmock__/clock";

#[tokio::test]
async fn get_shows_the_tenant_clock() {
    let app = TestApp::new();
    let reply = app.control(Method::GET, CLOCK, None).await;
    assert_wire!("control_clock_get", reply);
}

#[tokio::test]
async fn advancing_the_clock_expires_a_management_token() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let user = format!("/api/v2/users/{ALICE}");
    assert_eq!(app.get(&user, Some(&token)).await.status, StatusCode::OK);

    let moved = app
        .control(Method::POST, CLOCK, Some(&json!({"advance_secs": 86_399})))
        .await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(moved.json()["now"], "2026-01-06T09:59:59Z");
    assert_eq!(
        app.get(&user, Some(&token)).await.status,
        StatusCode::OK,
        "one second before exp the token still works"
    );

    app.control(Method::POST, CLOCK, Some(&json!({"advance_secs": 1})))
        .await;
    let expired = app.get(&user, Some(&token)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        expired.json()["message"],
        "Expired token received for JSON Web Token validation"
    );
}

#[tokio::test]
async fn set_pins_the_clock_and_mode_switches_between_wall_and_frozen_time() {
    let app = TestApp::new();
    let set = app
        .control(Method::POST, CLOCK, Some(&json!({"set": "2027-03-01T12:30:00+02:00"})))
        .await;
    assert_eq!(
        set.json(),
        json!({"now": "2027-03-01T10:30:00Z", "unix": 1_803_897_000, "mode": "manual"})
    );

    let system = app
        .control(Method::POST, CLOCK, Some(&json!({"mode": "system"})))
        .await
        .json();
    assert_eq!(system["mode"], "system");
    let wall = time::OffsetDateTime::now_utc().unix_timestamp();
    let unix = system["unix"].as_i64().expect("unix");
    assert!((unix - wall).abs() <= 2, "follows the wall clock: {unix} vs {wall}");

    let frozen = app
        .control(Method::POST, CLOCK, Some(&json!({"mode": "manual"})))
        .await
        .json();
    assert_eq!(frozen["mode"], "manual");
    assert_eq!(app.tenant.clock().unix(), frozen["unix"].as_i64().expect("unix"));
}

#[tokio::test]
async fn bad_clock_requests_get_a_400_with_a_reason_and_leave_the_clock_alone() {
    let app = TestApp::new();
    let cases: [(&str, &str, &str); 12] = [
        ("not json", "{oops", "parse the request body"),
        ("empty object", "{}", "exactly one of"),
        ("two changes", r#"{"advance_secs":1,"mode":"system"}"#, "exactly one of"),
        ("negative advance", r#"{"advance_secs":-5}"#, "must not be negative"),
        ("fractional advance", r#"{"advance_secs":1.5}"#, "advance_secs"),
        ("string advance", r#"{"advance_secs":"10"}"#, "advance_secs"),
        (
            "advance past year 9000",
            r#"{"advance_secs":9223372036854775807}"#,
            "past",
        ),
        ("set not RFC 3339", r#"{"set":"tomorrow"}"#, "RFC 3339"),
        ("set before 1970", r#"{"set":"1969-12-31T23:59:59Z"}"#, "between"),
        ("unknown mode", r#"{"mode":"fast"}"#, "\"system\" or \"manual\""),
        ("unknown field", r#"{"advance":10}"#, "unknown field"),
        ("array body", "[1]", "JSON object"),
    ];
    for (case, body, expected) in cases {
        let reply = app
            .request(Method::POST, CLOCK, Some("application/json"), None, body)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}: {}", reply.body);
        let json: Value = reply.json();
        assert_eq!(json["error"], "bad_request", "{case}");
        let message = json["message"].as_str().expect("message");
        assert!(message.contains(expected), "{case}: {message}");
    }
    let missing_type = app.request(Method::POST, CLOCK, None, None, "{}").await;
    assert_eq!(missing_type.status, StatusCode::BAD_REQUEST, "no content type");
    assert_eq!(app.tenant.clock().now(), crate::helpers::START, "nothing moved");
}

#[tokio::test]
async fn unknown_control_paths_and_methods_get_the_control_api_json_errors() {
    let app = TestApp::new();
    let cases = [
        (Method::PUT, CLOCK, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (
            Method::GET,
            "/__authmock__/faults/1",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (Method::GET, "/__authmock__/nope", StatusCode::NOT_FOUND, "not_found"),
    ];
    for (method, path, status, error) in cases {
        let reply = app.control(method.clone(), path, None).await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
        assert_eq!(reply.json()["error"], error, "{method} {path}");
    }
}
