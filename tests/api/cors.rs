//! Cross-origin calls from single-page applications: `/oauth/token`, `/userinfo` and
//! `/oauth/revoke` answer browsers on an allowed origin (an application's web origin or callback
//! origin) with CORS headers, preflights included; other origins and other paths get none.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::helpers::{Reply, TestApp};
use crate::login::SPA;

const ALLOWED: &str = "http://127.0.0.1:3000";
const FOREIGN: &str = "http://evil.example";

async fn send(app: &TestApp, method: Method, path: &str, origin: &str, extra: &[(&str, &str)], body: &str) -> Reply {
    let mut builder = Request::builder().method(method).uri(path).header("origin", origin);
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    app.send(builder.body(Body::from(body.to_owned())).expect("valid request"))
        .await
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> Reply {
    let headers = [
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "auth0-client,content-type"),
    ];
    send(app, Method::OPTIONS, path, origin, &headers, "").await
}

/// Status and the CORS headers: what a browser decides on.
fn cors_wire(reply: &Reply) -> String {
    let mut out = format!("HTTP {}\n", reply.status.as_u16());
    for name in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
        "vary",
    ] {
        if let Some(value) = reply.header(name) {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    out
}

#[tokio::test]
async fn preflight_from_an_allowed_origin_is_answered() {
    let app = TestApp::new();
    let reply = preflight(&app, "/oauth/token", ALLOWED).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.header("access-control-allow-origin"), Some(ALLOWED));
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("cors_preflight_allowed", cors_wire(&reply));
    });
    for path in ["/userinfo", "/oauth/revoke"] {
        let reply = preflight(&app, path, "http://localhost:3000").await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{path}");
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("http://localhost:3000"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn other_origins_and_other_paths_get_no_cors_headers() {
    let app = TestApp::new();
    for origin in [
        FOREIGN,
        "null",
        "http://127.0.0.1:3000/",
        "http://127.0.0.1:30000",
        "HTTP://127.0.0.1:3000",
    ] {
        let reply = preflight(&app, "/oauth/token", origin).await;
        assert_ne!(reply.status, StatusCode::NO_CONTENT, "{origin}");
        assert_eq!(reply.header("access-control-allow-origin"), None, "{origin}");
        let token = send(
            &app,
            Method::POST,
            "/oauth/token",
            origin,
            &[("content-type", "application/json")],
            "{}",
        )
        .await;
        assert_eq!(token.header("access-control-allow-origin"), None, "{origin}");
    }
    // The Management API is not a browser endpoint.
    let reply = preflight(&app, "/api/v2/users", ALLOWED).await;
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let reply = send(&app, Method::GET, "/api/v2/users", ALLOWED, &[], "").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn answers_to_an_allowed_origin_carry_its_name_errors_included() {
    let app = TestApp::new();
    let body = json!({"grant_type": "authorization_code", "client_id": SPA, "code": "not-a-code",
                      "code_verifier": "v", "redirect_uri": "http://127.0.0.1:3000/"})
    .to_string();
    let reply = send(
        &app,
        Method::POST,
        "/oauth/token",
        ALLOWED,
        &[("content-type", "application/json")],
        &body,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(reply.json()["error"], "invalid_grant");
    assert_eq!(reply.header("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(reply.header("vary"), Some("Origin"));
    let reply = send(
        &app,
        Method::GET,
        "/userinfo",
        ALLOWED,
        &[("authorization", "Bearer nope")],
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("access-control-allow-origin"), Some(ALLOWED));
}

#[tokio::test]
async fn an_options_request_that_names_no_method_is_refused_as_hapi_does() {
    let app = TestApp::new();
    for origin in [ALLOWED, FOREIGN] {
        let reply = send(&app, Method::OPTIONS, "/oauth/token", origin, &[], "").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{origin}");
        assert_eq!(
            reply.json()["message"],
            "CORS error: Missing Access-Control-Request-Method header"
        );
    }
    let reply = send(&app, Method::OPTIONS, "/userinfo", ALLOWED, &[], "").await;
    crate::assert_wire!("cors_preflight_without_method", reply);
}
