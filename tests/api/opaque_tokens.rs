//! Opaque user access tokens: a login without an audience yields a JWE-shaped token that only
//! `/userinfo` takes (facts auth0-login.md §1.1 `audience`, §1.2 implicit `token`, §5 lifetimes).

use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::json;

use crate::helpers::{ALICE, App, CONNECTION, OPAQUE_HEADER, TestApp, claims, opaque_header};
use crate::login::{Browser, SPA, SPA_CALLBACK, spa_code_exchange, spa_query, url_param, urlencode};

fn implicit_query(extra: &str) -> String {
    format!(
        "/authorize?response_type=token&client_id={SPA}&redirect_uri={}&scope=openid%20email&state=s{extra}",
        urlencode(SPA_CALLBACK)
    )
}

/// A logged-in browser's implicit access token (and its `expires_in`).
async fn implicit_token(browser: &mut Browser<'_>, extra: &str) -> (String, String) {
    let reply = browser.get(&implicit_query(extra)).await;
    let location = reply.header("location").expect("location");
    (
        url_param(location, "access_token").expect("access_token"),
        url_param(location, "expires_in").expect("expires_in"),
    )
}

async fn code_flow_tokens(app: &TestApp, browser: &mut Browser<'_>) -> serde_json::Value {
    let code = url_param(&browser.login(&spa_query("")).await, "code").expect("code");
    let reply = spa_code_exchange(app, &code).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn password_login(app: &TestApp) -> serde_json::Value {
    let (client_id, client_secret) = app.credentials(App::Web);
    json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": client_id, "client_secret": client_secret,
        "username": "alice@example.com", "password": "Wonderland-2026", "realm": CONNECTION,
        "scope": "openid email",
    })
}

#[tokio::test]
async fn without_an_audience_the_access_token_is_jwe_compact_with_the_observed_header() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let body = code_flow_tokens(&app, &mut browser).await;
    let token = body["access_token"].as_str().expect("access_token");
    assert_eq!(
        opaque_header(token),
        OPAQUE_HEADER,
        "exactly this JSON, in this key order"
    );
    let sizes: Vec<usize> = token
        .split('.')
        .skip(2)
        .map(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .expect("base64url segment")
                .len()
        })
        .collect();
    assert_eq!(sizes.len(), 3);
    assert_eq!(sizes[0], 12, "a 96-bit GCM IV");
    assert_eq!(sizes[2], 16, "a 128-bit GCM tag");
    assert!(sizes[1] > 0);
    assert_eq!(body["expires_in"], 86_400, "code flow: 86400 s (facts §5)");

    let (implicit, expires_in) = implicit_token(&mut browser, "").await;
    assert_eq!(opaque_header(&implicit), OPAQUE_HEADER);
    assert_eq!(expires_in, "7200");
    assert_ne!(implicit, token, "each token is new");

    // With an audience the token stays a JWT, 86400 s.
    let api = urlencode("https://127.0.0.1:4010/api/v2/");
    let reply = browser.get(&implicit_query(&format!("&audience={api}"))).await;
    let location = reply.header("location").expect("location");
    let jwt = url_param(location, "access_token").expect("access_token");
    assert_eq!(jwt.split('.').count(), 3);
    assert_eq!(claims(&jwt)["sub"], ALICE);
    assert_eq!(url_param(location, "expires_in").as_deref(), Some("86400"));
}

#[tokio::test]
async fn userinfo_takes_opaque_tokens_and_userinfo_audience_jwts() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let body = code_flow_tokens(&app, &mut browser).await;
    let opaque = body["access_token"].as_str().expect("access_token");
    let reply = app.get("/userinfo", Some(opaque)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json; charset=utf-8"));
    let profile = reply.json();
    assert_eq!(profile["sub"], ALICE);
    assert_eq!(profile["email"], "alice@example.com");
    assert_eq!(profile["name"], "Alice Liddell", "scope profile was granted");

    // A JWT for an API, asked with openid, carries the /userinfo audience too.
    let api = urlencode("https://127.0.0.1:4010/api/v2/");
    let reply = browser.get(&implicit_query(&format!("&audience={api}"))).await;
    let jwt = url_param(reply.header("location").expect("location"), "access_token").expect("at");
    let reply = app.get("/userinfo", Some(&jwt)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["sub"], ALICE);
    assert!(reply.json().get("name").is_none(), "scope openid email only");

    // A token of the right shape the tenant never issued, and a tampered one.
    let mut forged: Vec<String> = opaque.split('.').map(str::to_owned).collect();
    forged[3] = forged[3].chars().rev().collect();
    for token in [forged.join("."), "a..b.c.d".to_owned()] {
        let reply = app.get("/userinfo", Some(&token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(reply.body, "Unauthorized");
        assert!(
            reply
                .header("www-authenticate")
                .expect("challenge")
                .contains(r#"error_description="Invalid token""#)
        );
        assert!(reply.header("x-authmock-hint").expect("hint").contains("does not hold"));
    }
}

#[tokio::test]
async fn opaque_tokens_expire_on_the_tenant_clock() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    browser.login(&spa_query("")).await;
    let (token, _) = implicit_token(&mut browser, "").await;
    app.tenant.clock().advance(Duration::from_secs(7_199));
    assert_eq!(app.get("/userinfo", Some(&token)).await.status, StatusCode::OK);
    app.tenant.clock().advance(Duration::from_secs(1));
    let expired = app.get("/userinfo", Some(&token)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(
        expired
            .header("www-authenticate")
            .expect("challenge")
            .contains(r#"error_description="The token has expired""#)
    );
    assert!(
        expired
            .header("x-authmock-hint")
            .expect("hint")
            .contains("expired 0 s ago on the tenant clock")
    );
}

#[tokio::test]
async fn the_management_api_refuses_opaque_tokens_as_any_invalid_token() {
    let app = TestApp::new();
    let reply = app.oauth(&password_login(&app)).await;
    let token = reply.json()["access_token"].as_str().expect("at").to_owned();
    assert_eq!(opaque_header(&token), OPAQUE_HEADER);
    let refused = app.get("/api/v2/users", Some(&token)).await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    let garbage = app
        .get("/api/v2/users", Some("eyJhbGciOiJkaXIifQ..aaaa.bbbb.cccc"))
        .await;
    assert_eq!(
        (refused.status, refused.json()),
        (garbage.status, garbage.json()),
        "the same answer as any malformed token"
    );
}

#[tokio::test]
async fn deleting_blocking_and_family_revocation_treat_opaque_tokens_like_jwts() {
    let app = TestApp::new();
    let admin = app.token(App::Admin).await;
    let mut browser = Browser::new(&app);
    let body = code_flow_tokens(&app, &mut browser).await;
    let opaque = body["access_token"].as_str().expect("at").to_owned();
    let api = urlencode("https://127.0.0.1:4010/api/v2/");
    let reply = browser.get(&implicit_query(&format!("&audience={api}"))).await;
    let jwt = url_param(reply.header("location").expect("location"), "access_token").expect("at");
    let status = |reply: crate::helpers::Reply| reply.status;

    // Reuse detection revokes the refresh family; access tokens already issued stay usable.
    let first = body["refresh_token"].as_str().expect("rt").to_owned();
    let refresh = |token: String| {
        let app = &app;
        async move {
            crate::login::exchange(
                app,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", SPA),
                    ("refresh_token", &token),
                ],
            )
            .await
        }
    };
    assert_eq!(refresh(first.clone()).await.status, StatusCode::OK);
    assert_eq!(refresh(first).await.status, StatusCode::FORBIDDEN, "reuse detected");
    for token in [&opaque, &jwt] {
        assert_eq!(status(app.get("/userinfo", Some(token)).await), StatusCode::OK);
    }

    // Blocking the user: /userinfo answers as before, for both kinds.
    let id = ALICE.replace('|', "%7C");
    let blocked = app
        .patch_json(&format!("/api/v2/users/{id}"), &admin, &json!({"blocked": true}))
        .await;
    assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
    let (opaque_reply, jwt_reply) = (
        app.get("/userinfo", Some(&opaque)).await,
        app.get("/userinfo", Some(&jwt)).await,
    );
    assert_eq!(opaque_reply.status, jwt_reply.status);

    // Deleting the user: both refused.
    assert_eq!(
        app.delete(&format!("/api/v2/users/{id}"), &admin).await.status,
        StatusCode::NO_CONTENT
    );
    for token in [&opaque, &jwt] {
        let reply = app.get("/userinfo", Some(token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(
            reply
                .header("www-authenticate")
                .expect("challenge")
                .contains(r#"error_description="Invalid token""#)
        );
    }
}

async fn opaque_store(app: &TestApp) -> serde_json::Value {
    app.get("/__authmock__/tenant", None).await.json()["stores"]["opaque_access_tokens"].clone()
}

#[tokio::test]
async fn opaque_tokens_past_the_cap_are_evicted_and_counted() {
    let app = TestApp::new();
    assert_eq!(
        opaque_store(&app).await,
        json!({"len": 0, "capacity": 50_000, "evicted": 0})
    );
    app.tenant.state().logins_mut().0.opaque_tokens.cap = authmock::core::bounded::Cap::new(10);
    let mut tokens = Vec::new();
    for _ in 0..11 {
        let reply = app.oauth(&password_login(&app)).await;
        tokens.push(reply.json()["access_token"].as_str().expect("at").to_owned());
        app.tenant.clock().advance(Duration::from_secs(1));
    }
    let store = opaque_store(&app).await;
    assert_eq!((store["len"].clone(), store["evicted"].clone()), (json!(10), json!(1)));
    let evicted = app.get("/userinfo", Some(&tokens[0])).await;
    assert_eq!(
        evicted.status,
        StatusCode::UNAUTHORIZED,
        "the one expiring soonest went"
    );
    assert!(
        evicted
            .header("x-authmock-hint")
            .expect("hint")
            .contains("stores.opaque_access_tokens")
    );
    for token in &tokens[1..] {
        assert_eq!(app.get("/userinfo", Some(token)).await.status, StatusCode::OK);
    }
}

/// A tenant whose Default Audience is `audience` (fixture `default_audience`).
fn with_default_audience(audience: &str) -> TestApp {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.default_audience = Some(audience.to_owned());
    TestApp::with_fixture(fixture)
}

#[tokio::test]
async fn a_default_audience_turns_a_login_without_audience_into_a_jwt_for_that_api() {
    let app = with_default_audience("https://api.example.com/");
    let mut browser = Browser::new(&app);
    let body = code_flow_tokens(&app, &mut browser).await;
    let token = body["access_token"].as_str().expect("access_token");
    assert_eq!(token.split('.').count(), 3, "a JWT, not the opaque token: {token}");
    assert_eq!(
        claims(token)["aud"],
        json!(["https://api.example.com/", "http://127.0.0.1:4010/userinfo"]),
        "the default audience, then /userinfo (openid was asked for)"
    );
    // The password grant gets it too.
    let reply = app.oauth(&password_login(&app)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let token = reply.json()["access_token"].as_str().expect("access_token").to_owned();
    assert_eq!(claims(&token)["aud"][0], "https://api.example.com/");
}

#[tokio::test]
async fn a_default_audience_answers_client_credentials_without_audience() {
    let app = with_default_audience("management");
    let summary = app.get("/__authmock__/tenant", None).await.json();
    assert_eq!(
        summary["default_audience"], "https://127.0.0.1:4010/api/v2/",
        "the summary shows it, resolved"
    );
    let (client_id, client_secret) = app.credentials(App::Backend);
    let reply = app
        .oauth(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let token = reply.json()["access_token"].as_str().expect("access_token").to_owned();
    assert_eq!(claims(&token)["aud"], "https://127.0.0.1:4010/api/v2/");
    // Without the setting the same request is the documented 403 (pinned in oauth.rs).
    let reply = TestApp::new()
        .oauth(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
}

#[test]
fn a_default_audience_must_name_an_api_of_the_tenant() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.default_audience = Some("https://nope.example.com/".into());
    let error = fixture
        .state(&authmock::core::clock::Clock::default())
        .expect_err("an unknown API is refused");
    assert!(error.to_string().contains("default_audience"), "{error}");
}
