//! Browser origins an application does not allow: `/oauth/token` refuses a page on such an
//! origin with 401 `access_denied` (and no CORS headers, so the page cannot even read it), and
//! `/authorize?response_mode=web_message` from such an origin renders a 400 page instead of
//! posting a message back.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::helpers::{Reply, TestApp};
use crate::login::{Browser, M2M, SPA, SPA_CALLBACK, VERIFIER, WEB, page_wire, spa_query, url_param, urlencode};

const FOREIGN: &str = "http://evil.example";

async fn token_from(app: &TestApp, origin: Option<&str>, body: &serde_json::Value) -> Reply {
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri("/oauth/token")
        .header("content-type", "application/json");
    if let Some(origin) = origin {
        builder = builder.header("origin", origin);
    }
    app.send(builder.body(Body::from(body.to_string())).expect("valid request"))
        .await
}

/// A fresh code for the SPA: the exchange body.
async fn spa_code(app: &TestApp) -> serde_json::Value {
    let mut browser = Browser::new(app);
    let location = browser.login(&spa_query("")).await;
    let code = url_param(&location, "code").expect("code");
    json!({"grant_type": "authorization_code", "client_id": SPA, "code": code,
           "redirect_uri": SPA_CALLBACK, "code_verifier": VERIFIER})
}

#[tokio::test]
async fn a_code_exchange_from_a_foreign_origin_is_refused() {
    let app = TestApp::new();
    let body = spa_code(&app).await;
    let reply = token_from(&app, Some(FOREIGN), &body).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    crate::assert_wire!("token_origin_not_allowed", reply);
    // The refusal did not spend the code: the application's own page still redeems it.
    let reply = token_from(&app, Some("http://127.0.0.1:3000"), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://127.0.0.1:3000")
    );
}

#[tokio::test]
async fn allowed_origins_are_per_application() {
    let app = TestApp::new();
    // An Allowed Web Origin of the SPA, and no Origin at all (a server), both pass.
    let body = spa_code(&app).await;
    let reply = token_from(&app, Some("http://localhost:3000"), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = spa_code(&app).await;
    let reply = token_from(&app, None, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // The tenant's own pages are same-origin.
    let body = spa_code(&app).await;
    let reply = token_from(&app, Some("http://127.0.0.1:4010"), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // An M2M application has no web origins: a browser page cannot use its credentials, even
    // from an origin another application allows (whose CORS headers the answer then carries).
    let (id, secret) = app.credentials(crate::helpers::App::Backend);
    assert_eq!(id, M2M);
    let body = json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret,
                      "audience": "https://api.example.com/"});
    let reply = token_from(&app, Some("http://127.0.0.1:3000"), &body).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(reply.json()["error"], "access_denied");
    assert!(
        reply
            .header("x-authmock-hint")
            .is_some_and(|h| h.contains("not allowed for application"))
    );
    // Origin-like junk is refused the same way, never a 500.
    let body = spa_code(&app).await;
    for origin in ["null", "http://127.0.0.1:3000/", "HTTP://127.0.0.1:3000", "\u{1}"] {
        let Ok(value) = axum::http::HeaderValue::from_str(origin) else {
            continue;
        };
        let reply = token_from(&app, value.to_str().ok(), &body).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{origin}: {}", reply.body);
    }
}

#[tokio::test]
async fn web_message_from_an_origin_the_application_does_not_allow_renders_a_page() {
    let app = TestApp::new();
    // The regular web app allows this callback but lists no web origins.
    let query = format!(
        "response_type=code&client_id={WEB}&redirect_uri={}&response_mode=web_message&prompt=none&state=s",
        urlencode("http://127.0.0.1:3000/callback")
    );
    let mut browser = Browser::new(&app);
    let reply = browser.get(&format!("/authorize?{query}")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", page_wire(&reply));
    assert!(!reply.body.contains("authorization_response"), "nothing is posted back");
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("authorize_web_message_origin_not_allowed", page_wire(&reply));
    });
    // A foreign origin that is not even a callback is a callback mismatch, as for any mode.
    let query = format!(
        "response_type=code&client_id={SPA}&redirect_uri={}&response_mode=web_message&prompt=none&state=s",
        urlencode(FOREIGN)
    );
    let reply = browser.get(&format!("/authorize?{query}")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Callback URL mismatch"), "{}", reply.body);
}
