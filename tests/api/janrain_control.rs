//! The control API on a Janrain Capture app's listener: the same exchange layer and control
//! routes as an Auth0 tenant's (journal, faults, rate limits, reset), answered in Capture's
//! own wire shapes.

use authmock::auth0::tenant::TenantAddress;
use authmock::core::clock::Clock;
use authmock::janrain::JanrainFixture;
use authmock::server;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::janrain::{CAROL, Capture, WEB_ID, WEB_SECRET};
use crate::helpers::{START, redact_entry};

#[tokio::test]
async fn the_journal_records_capture_exchanges_with_outcome_and_hint() {
    let capture = Capture::new();
    assert_eq!(capture.forgot(WEB_ID, CAROL).await.json()["stat"], "ok");
    let unknown = capture.forgot(WEB_ID, "nobody@example.com").await;
    assert_eq!(unknown.status, StatusCode::OK, "Capture errors are HTTP 200");
    let hint = unknown.header("x-authmock-hint").expect("a hint").to_owned();

    let journal = capture.journal("").await;
    assert_eq!(journal["total"], 2, "{journal}");
    let newest = &journal["entries"][0];
    assert_eq!(
        newest["outcome"], "provider_error",
        "an HTTP 200 Capture error is an error"
    );
    assert_eq!(newest["hint"], hint.as_str());
    assert_eq!(newest["request"]["path"], "/oauth/forgot_password_native");
    assert_eq!(newest["response"]["status"], 200);
    assert_eq!(journal["entries"][1]["outcome"], "ok");
    assert!(
        journal["entries"][1]["hint"]
            .as_str()
            .is_some_and(|h| h.starts_with("recovery mail")),
        "a success may carry a hint too: {journal}"
    );

    let unrouted = capture.post_form("/oauth/nothing", &[]).await;
    assert_eq!(unrouted.status, StatusCode::NOT_FOUND);
    assert_eq!(capture.journal("?limit=1").await["entries"][0]["outcome"], "not_found");

    // The recovery code is a secret: masked unless the journal keeps secrets.
    let code = {
        let state = capture.app.state();
        let link = state.outbox.get("latest").expect("mail").links[0].clone();
        link.split_once("code=").expect("code").1.to_owned()
    };
    let exchanged = capture.token(&code).await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.body);
    let mut entry = capture.journal("?path=/oauth/token").await["entries"][0].clone();
    let body = entry["request"]["body"].as_str().expect("form body").to_owned();
    assert!(body.contains("code=****"), "{body}");
    assert!(!body.contains(&code), "{body}");
    assert!(!body.contains(WEB_SECRET), "{body}");
    redact_entry(&mut entry);
    entry["response"]["body"] = json!("[tokens]");
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_json_snapshot!("janrain_control_journal_entry", entry);
    });

    let cleared = capture.control(Method::DELETE, "/__authmock__/journal", None).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(capture.journal("").await["total"], 0);
}

#[tokio::test]
async fn a_named_fault_answers_510_in_the_shape_of_the_route() {
    let capture = Capture::new();
    let added = capture
        .control(
            Method::POST,
            "/__authmock__/faults",
            Some(&json!({"path": "/oauth/*", "times": 2, "error": "janrain.api_limit_error"})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);

    let native = capture.forgot(WEB_ID, CAROL).await;
    assert_eq!(native.status, StatusCode::OK);
    assert_eq!(native.json()["code"], 510);
    assert_eq!(native.json()["error"], "api_limit_error");
    assert!(
        capture.app.state().outbox.is_empty(),
        "the fault answered, not the provider"
    );
    let token = capture.token("whatever").await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST, "{}", token.body);
    assert_eq!(token.json()["sub_error"], "api_limit_error");
    assert_eq!(
        capture.forgot(WEB_ID, CAROL).await.json()["stat"],
        "ok",
        "times: 2 is spent"
    );

    let journal = capture.journal("").await;
    assert_eq!(journal["entries"][1]["outcome"], "fault");
    assert_eq!(journal["entries"][1]["fault"], 1);
    assert!(
        journal["entries"][1]["hint"]
            .as_str()
            .is_some_and(|h| h.starts_with("fault rule 1 injected janrain.api_limit_error")),
        "{journal}"
    );

    let auth0_name = capture
        .control(
            Method::POST,
            "/__authmock__/faults",
            Some(&json!({"path": "/oauth/token", "error": "auth0.rate_limited"})),
        )
        .await;
    assert_eq!(auth0_name.status, StatusCode::BAD_REQUEST);
    assert!(
        auth0_name.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("janrain.api_limit_error"))
    );
    let listed = capture.control(Method::GET, "/__authmock__/faults", None).await.json();
    assert_eq!(listed["faults"][0]["hits"], 2, "{listed}");
}

#[tokio::test]
async fn an_empty_bucket_answers_510_until_the_app_clock_passes_the_reset() {
    let capture = Capture::new();
    for (group, status) in [("native", StatusCode::CREATED), ("token", StatusCode::CREATED)] {
        let set = capture
            .control(
                Method::POST,
                "/__authmock__/rate-limits",
                Some(&json!({"group": group, "limit": 1, "window_secs": 60})),
            )
            .await;
        assert_eq!(set.status, status, "{}", set.body);
    }
    let unknown = capture
        .control(
            Method::POST,
            "/__authmock__/rate-limits",
            Some(&json!({"group": "management", "limit": 1})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("native, token, entity"))
    );

    assert_eq!(capture.forgot(WEB_ID, CAROL).await.json()["stat"], "ok");
    let refused = capture.forgot(WEB_ID, CAROL).await;
    assert_eq!(
        refused.header("x-ratelimit-limit"),
        None,
        "Capture documents no such headers"
    );
    assert_wire!("janrain_rate_limited_native", refused);
    assert_eq!(capture.app.state().outbox.len(), 1, "the refused call sent no mail");

    let _ = capture.token("first").await;
    let refused_token = capture.token("second").await;
    assert_wire!("janrain_rate_limited_token", refused_token);

    capture.app.clock().advance(std::time::Duration::from_secs(60));
    assert_eq!(
        capture.forgot(WEB_ID, CAROL).await.json()["stat"],
        "ok",
        "refilled after the window"
    );
    let buckets = capture
        .control(Method::GET, "/__authmock__/rate-limits", None)
        .await
        .json();
    assert_eq!(buckets["buckets"][0]["group"], "native", "{buckets}");
    assert_eq!(buckets["buckets"][0]["remaining"], 0, "{buckets}");
}

#[tokio::test]
async fn reset_restores_records_outbox_journal_faults_limits_and_clock() {
    let capture = Capture::new();
    assert_eq!(capture.forgot(WEB_ID, CAROL).await.json()["stat"], "ok");
    capture
        .control(
            Method::POST,
            "/__authmock__/faults",
            Some(&json!({"path": "/entity", "drop": true})),
        )
        .await;
    capture
        .control(
            Method::POST,
            "/__authmock__/rate-limits",
            Some(&json!({"group": "entity", "limit": 5})),
        )
        .await;
    capture
        .control(
            Method::POST,
            "/__authmock__/clock",
            Some(&json!({"advance_secs": 3600})),
        )
        .await;
    capture.app.state().records.clear();

    let reset = capture.control(Method::POST, "/__authmock__/reset", None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);

    assert_eq!(capture.app.clock().now(), START);
    assert!(capture.app.state().outbox.is_empty());
    assert_eq!(
        capture.app.state().records.len(),
        JanrainFixture::default_app().users.len()
    );
    assert_eq!(capture.journal("").await["total"], 0);
    let faults = capture.control(Method::GET, "/__authmock__/faults", None).await.json();
    assert_eq!(faults["faults"], json!([]));
    let limits = capture
        .control(Method::GET, "/__authmock__/rate-limits", None)
        .await
        .json();
    assert_eq!(limits["buckets"], json!([]));
    assert_eq!(
        capture.forgot(WEB_ID, CAROL).await.json()["stat"],
        "ok",
        "the seeded record is back"
    );
}

#[tokio::test]
async fn unknown_control_paths_and_methods_get_json_errors() {
    let capture = Capture::new();
    let missing = capture.control(Method::GET, "/__authmock__/nothing", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"], "not_found");
    let wrong = capture.control(Method::PUT, "/__authmock__/journal", None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.json()["error"], "method_not_allowed");
    let no_mail = capture.control(Method::GET, "/__authmock__/outbox/latest", None).await;
    assert_eq!(no_mail.status, StatusCode::NOT_FOUND);
    assert_eq!(no_mail.json()["error"], "not_found");
}

fn fixture_with_limits(limits: Value) -> Result<JanrainFixture, String> {
    let mut text: Value =
        serde_json::from_str(include_str!("../../fixtures/janrain-app.json")).expect("the fixture is JSON");
    text["rate_limits"] = limits;
    JanrainFixture::from_json(&text.to_string()).map_err(|e| e.to_string())
}

#[tokio::test]
async fn fixture_buckets_limit_a_capture_app_from_the_start() {
    let fixture = fixture_with_limits(json!([{"group": "native", "limit": 1, "window_secs": 30}])).expect("valid");
    let address = TenantAddress::http("127.0.0.1:4011".parse().expect("literal address"));
    let app = fixture.build(address, Clock::manual(START)).expect("builds");
    let capture = Capture {
        router: server::app(app.clone()),
        app,
    };
    assert_eq!(capture.forgot(WEB_ID, CAROL).await.json()["stat"], "ok");
    assert_eq!(capture.forgot(WEB_ID, CAROL).await.json()["code"], 510);
    let reset = capture.control(Method::POST, "/__authmock__/reset", None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(
        capture.forgot(WEB_ID, CAROL).await.json()["stat"],
        "ok",
        "full again after reset"
    );
    assert_eq!(
        capture.forgot(WEB_ID, CAROL).await.json()["code"],
        510,
        "and still limited"
    );
}

#[test]
fn a_capture_fixture_naming_an_unknown_group_is_refused() {
    let refused = fixture_with_limits(json!([{"group": "management", "limit": 1}])).expect_err("unknown group");
    assert!(refused.contains("unknown endpoint group \"management\""), "{refused}");
    assert!(refused.contains("groups: native, token, entity"), "{refused}");
    assert!(fixture_with_limits(json!([{"group": "token", "limit": 1, "oops": 1}])).is_err());
    assert!(JanrainFixture::default_app().rate_limits.is_empty(), "off by default");
}
