//! Brute-force protection, user-blocks and the administrative block on token grants (facts
//! `auth0-users.md` §5).

use authmock::auth0::Fixture;
use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{App, CONNECTION, TestApp};

const ALICE_BLOCKS: &str = "/api/v2/user-blocks/auth0%7C3b3d13f7d1bb45d8d62f8e36";

fn with_threshold(threshold: u32) -> TestApp {
    let mut fixture = Fixture::default_auth0();
    fixture.brute_force_threshold = threshold;
    TestApp::with_fixture(fixture)
}

#[tokio::test]
async fn the_threshold_blocks_with_429_mails_a_link_and_the_link_unblocks() {
    let app = with_threshold(3);
    for _ in 0..2 {
        let wrong = app.login("alice@example.com", "nope").await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    }
    let third = app.login("alice@example.com", "nope").await;
    assert_wire!("oauth_too_many_attempts", third);
    let right = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "blocked even with the right password"
    );
    let token = app.token(App::ReadOnly).await;
    let blocks = app
        .get("/api/v2/user-blocks?identifier=ALICE%40example.com", Some(&token))
        .await;
    assert_wire!("user_blocks_by_identifier", blocks);
    let by_id = app.get(ALICE_BLOCKS, Some(&token)).await;
    assert_eq!(by_id.json(), blocks.json());
    let list = app.get("/__authmock__/outbox?to=alice@example.com", None).await.json();
    let id = list["messages"][0]["ID"].as_str().expect("an unblock mail").to_owned();
    let mail = app.get(&format!("/__authmock__/outbox/{id}"), None).await.json();
    let link = mail["Links"][0].as_str().expect("link");
    let path = link
        .trim_start_matches("http://127.0.0.1:4010")
        .trim_end_matches('#')
        .to_owned();
    let page = app.get(&path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Your account has been unblocked."));
    assert_eq!(app.get(&path, None).await.status, StatusCode::BAD_REQUEST, "single use");
    assert_eq!(
        app.login("alice@example.com", "Wonderland-2026").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn delete_user_blocks_lifts_the_block_and_success_resets_the_count() {
    let app = with_threshold(2);
    app.login("alice@example.com", "nope").await;
    assert_eq!(
        app.login("alice@example.com", "Wonderland-2026").await.status,
        StatusCode::OK
    );
    app.login("alice@example.com", "nope").await;
    assert_eq!(
        app.login("alice@example.com", "Wonderland-2026").await.status,
        StatusCode::OK,
        "one failure since the last success is under the threshold"
    );
    app.login("alice@example.com", "nope").await;
    assert_eq!(
        app.login("alice@example.com", "nope").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let read_only = app.token(App::ReadOnly).await;
    let auth = format!("Bearer {read_only}");
    let refused = app
        .request(
            Method::DELETE,
            "/api/v2/user-blocks?identifier=alice%40example.com",
            None,
            Some(&auth),
            "",
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "DELETE needs update:users");
    let admin = app.token(App::Admin).await;
    let lifted = app
        .delete("/api/v2/user-blocks?identifier=alice%40example.com", &admin)
        .await;
    // obs (go-auth0 v1 test/data/recordings/TestUserManager_UnblockByIdentifier.yaml): the 204
    // carries the Management API's JSON content type, and no body.
    assert_eq!(
        (lifted.status, lifted.header("content-type"), lifted.body.as_str()),
        (StatusCode::NO_CONTENT, Some("application/json; charset=utf-8"), "")
    );
    assert_eq!(
        app.login("alice@example.com", "Wonderland-2026").await.status,
        StatusCode::OK
    );
    let again = app.delete(ALICE_BLOCKS, &admin).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT, "also when nothing is blocked");
    // obs (go-auth0 v1 test/data/recordings/TestUserManager_Unblock.yaml).
    assert_eq!(again.header("content-type"), Some("application/json; charset=utf-8"));
    let clean = app.get(ALICE_BLOCKS, Some(&admin)).await;
    assert_eq!(clean.body, r#"{"blocked_for":[]}"#);
    let unknown = app.get("/api/v2/user-blocks/auth0%7Cnobody", Some(&admin)).await;
    assert_eq!(unknown.json()["errorCode"], "inexistent_user");
    let missing = app.get("/api/v2/user-blocks", Some(&admin)).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json()["errorCode"], "invalid_query_string");
}

#[tokio::test]
async fn blocks_are_per_ip_and_unknown_users_are_not_counted() {
    let app = with_threshold(1);
    let (client_id, client_secret) = app.credentials(App::Web);
    let request = |ip: &str, password: &str| {
        let body = json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
            "client_id": client_id, "client_secret": client_secret,
            "username": "alice@example.com", "password": password, "realm": CONNECTION,
        });
        axum::http::Request::builder()
            .method(Method::POST)
            .uri("/oauth/token")
            .header("content-type", "application/json")
            .header("auth0-forwarded-for", ip)
            .body(axum::body::Body::from(body.to_string()))
            .expect("request")
    };
    let blocked = app.send(request("10.0.0.1", "nope")).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let other_ip = app.send(request("10.0.0.2", "Wonderland-2026")).await;
    assert_eq!(other_ip.status, StatusCode::OK, "the block is for 10.0.0.1 only");
    let token = app.token(App::ReadOnly).await;
    let blocks = app
        .get("/api/v2/user-blocks?identifier=alice%40example.com", Some(&token))
        .await;
    assert_eq!(blocks.json()["blocked_for"][0]["ip"], "10.0.0.1");
    let nobody = app.login("nobody@example.com", "nope").await;
    assert_eq!(nobody.status, StatusCode::FORBIDDEN, "unknown users are never blocked");
}

#[tokio::test]
async fn an_administrative_block_refuses_password_and_refresh_grants() {
    let app = TestApp::new();
    let (client_id, client_secret) = app.credentials(App::Web);
    let login = app
        .oauth(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
            "client_id": client_id, "client_secret": client_secret,
            "username": "alice@example.com", "password": "Wonderland-2026", "realm": CONNECTION,
            "scope": "openid offline_access",
        }))
        .await;
    let refresh = login.json()["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    let admin = app.token(App::Admin).await;
    app.patch_json(
        "/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36",
        &admin,
        &json!({"blocked": true}),
    )
    .await;
    let refreshed = app
        .oauth(&json!({
            "grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret,
            "refresh_token": refresh,
        }))
        .await;
    assert_wire!("oauth_refresh_user_blocked", refreshed);
    let password = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(password.json()["error_description"], "user is blocked");
    let blocks = app.get(ALICE_BLOCKS, Some(&admin)).await;
    assert_eq!(
        blocks.body, r#"{"blocked_for":[]}"#,
        "user-blocks lists brute-force blocks only"
    );
}
