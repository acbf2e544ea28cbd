//! Fault rules aimed at the browser-login endpoints: `/authorize`, the login form, the resume
//! step, the code exchange, `/userinfo` and logout can each be made to fail, and a faulted step
//! loses no login state (the browser retries it and goes on).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::login::{Browser, page_wire, spa_code_exchange, spa_query, url_param};

async fn add(app: &TestApp, rule: Value) {
    let reply = app.control(Method::POST, "/__authmock__/faults", Some(&rule)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

fn canned(path: &str, method: &str) -> Value {
    json!({"method": method, "path": path, "times": 1,
           "respond": {"status": 503, "headers": {"content-type": "text/plain"}, "body": "login is down"}})
}

#[tokio::test]
async fn each_login_step_can_be_faulted_once_and_then_retried() {
    let app = TestApp::new();
    for (path, method) in [
        ("/authorize", "GET"),
        ("/u/login", "POST"),
        ("/authorize/resume", "GET"),
    ] {
        add(&app, canned(path, method)).await;
    }
    let mut browser = Browser::new(&app);
    let query = format!("/authorize?{}", spa_query(""));
    let faulted = browser.get(&query).await;
    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(faulted.body, "login is down");

    let ul_state = browser.start(&spa_query("")).await;
    let form = [
        ("state", ul_state.as_str()),
        ("username", "alice@example.com"),
        ("password", "Wonderland-2026"),
        ("action", "default"),
    ];
    let path = format!("/u/login?state={ul_state}");
    let faulted = browser.post(&path, &form).await;
    assert_eq!(
        faulted.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page_wire(&faulted)
    );
    // The fault answered before the form was read: the same post still logs in.
    let posted = browser.post(&path, &form).await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", page_wire(&posted));
    let resume = posted.header("location").expect("location").to_owned();
    let faulted = browser.get(&resume).await;
    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
    let reply = browser.get(&resume).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", page_wire(&reply));
    let code = url_param(reply.header("location").expect("location"), "code").expect("code");

    // The journal shows every faulted step as a fault.
    let entries = app.journal("").await["entries"].as_array().expect("entries").clone();
    let faults: Vec<String> = entries
        .iter()
        .filter(|e| e["outcome"] == "fault")
        .map(|e| e["path"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(faults.len(), 3, "{entries:#?}");

    // The exchange, by its grant, and /userinfo by a named error.
    add(
        &app,
        json!({"path": "/oauth/token", "body_contains": "authorization_code", "times": 1,
               "error": "auth0.service_unavailable"}),
    )
    .await;
    let faulted = spa_code_exchange(&app, &code).await;
    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE, "{}", faulted.body);
    let tokens = spa_code_exchange(&app, &code).await;
    assert_eq!(
        tokens.status,
        StatusCode::OK,
        "a faulted exchange does not spend the code"
    );
    let access = tokens.json()["access_token"].as_str().expect("access token").to_owned();
    add(
        &app,
        json!({"path": "/userinfo", "times": 1, "error": "auth0.invalid_token"}),
    )
    .await;
    let faulted = app.get("/userinfo", Some(&access)).await;
    assert_eq!(faulted.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/userinfo", Some(&access)).await.status, StatusCode::OK);

    add(&app, canned("/v2/logout", "GET")).await;
    let faulted = browser.get("/v2/logout").await;
    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
    let reply = browser.get("/v2/logout").await;
    assert_ne!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(start_paused = true)]
async fn a_slow_login_page_is_a_delay_rule() {
    let app = TestApp::new();
    add(&app, json!({"method": "GET", "path": "/u/login", "delay_ms": 2500})).await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let before = tokio::time::Instant::now();
    let page = browser.get(&format!("/u/login?state={ul_state}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(before.elapsed() >= std::time::Duration::from_millis(2500));
}
