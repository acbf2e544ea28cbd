//! `POST /__authmock__/reset`: back to the seed.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ALICE, App, CONNECTION, START, TICKETS, TestApp};

#[tokio::test]
async fn reset_restores_users_tickets_tokens_journal_faults_and_clock() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let changed = app
        .patch_json(
            &format!("/api/v2/users/{ALICE}"),
            &token,
            &json!({"password": "Looking-Glass-2027", "connection": CONNECTION}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    let ticket = app.post_json(TICKETS, Some(&token), &json!({"user_id": ALICE})).await;
    assert_eq!(ticket.status, StatusCode::CREATED);
    let (client_id, client_secret) = app.credentials(App::Web);
    let login = app
        .oauth(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
            "client_id": client_id, "client_secret": client_secret,
            "username": "alice@example.com", "password": "Looking-Glass-2027",
            "realm": CONNECTION, "scope": "openid offline_access",
        }))
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert!(!app.tenant.state().refresh_tokens().is_empty());
    app.control(
        Method::POST,
        "/__authmock__/faults",
        Some(&json!({"path": "/nothing", "drop": true})),
    )
    .await;
    app.control(
        Method::POST,
        "/__authmock__/clock",
        Some(&json!({"advance_secs": 3600})),
    )
    .await;
    assert!(app.tenant.state().tickets().len() == 1);

    let reply = app.control(Method::POST, "/__authmock__/reset", None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.body, "");

    assert_eq!(app.tenant.clock().now(), START, "clock back at its first instant");
    assert_eq!(app.journal("").await["total"], 0, "journal empty");
    let faults = app.control(Method::GET, "/__authmock__/faults", None).await.json();
    assert_eq!(faults, json!({"faults": []}));
    {
        let state = app.tenant.state();
        assert_eq!(state.tickets().len(), 0, "tickets gone");
        assert!(state.refresh_tokens().is_empty(), "refresh tokens gone");
    }
    assert_eq!(
        app.login("alice@example.com", "Wonderland-2026").await.status,
        StatusCode::OK,
        "the fixture password works again"
    );
    assert_eq!(
        app.login("alice@example.com", "Looking-Glass-2027").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/api/v2/users/{ALICE}"), Some(&token)).await.status,
        StatusCode::OK,
        "the signing key stays, so tokens issued before the reset still verify"
    );
}
