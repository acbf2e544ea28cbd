//! Brute-force protection, user-blocks and the administrative block on token grants (facts
//! `auth0-users.md` §5).

use std::net::SocketAddr;

use authmock::auth0::Fixture;
use authmock::core::clock::Clock;
use authmock::core::peer::PeerAddr;
use axum::extract::ConnectInfo;
use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{App, CONNECTION, Reply, TestApp};
use crate::login::{Browser, page_wire, spa_query};

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

/// A password-realm grant for alice with `password`, naming `forwarded` in
/// `auth0-forwarded-for`, from the connection `peer` (none: the router is driven in-process).
async fn realm_login(
    app: &TestApp,
    (client_id, client_secret): (&str, Option<&str>),
    password: &str,
    forwarded: Option<&str>,
    peer: Option<&str>,
) -> Reply {
    let mut body = json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": client_id,
        "username": "alice@example.com", "password": password, "realm": CONNECTION,
    });
    if let Some(secret) = client_secret {
        body["client_secret"] = json!(secret);
    }
    let mut request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/oauth/token")
        .header("content-type", "application/json");
    if let Some(ip) = forwarded {
        request = request.header("auth0-forwarded-for", ip);
    }
    if let Some(peer) = peer {
        let addr: SocketAddr = format!("{peer}:50000").parse().expect("peer address");
        request = request.extension(ConnectInfo(PeerAddr(addr)));
    }
    app.send(request.body(axum::body::Body::from(body.to_string())).expect("request"))
        .await
}

async fn blocked_ips(app: &TestApp) -> Vec<String> {
    let token = app.token(App::ReadOnly).await;
    let blocks = app
        .get("/api/v2/user-blocks?identifier=alice%40example.com", Some(&token))
        .await
        .json();
    blocks["blocked_for"]
        .as_array()
        .expect("blocked_for")
        .iter()
        .map(|b| b["ip"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn rotating_auth0_forwarded_for_from_an_untrusted_caller_still_blocks() {
    let mut fixture = Fixture::default_auth0();
    fixture.brute_force_threshold = 3;
    for client in &mut fixture.clients {
        if client.name == "Web app" {
            client.is_token_endpoint_ip_header_trusted = false;
        }
        if client.name == "Single-page app" {
            client
                .grant_types
                .push("http://auth0.com/oauth/grant-type/password-realm".into());
        }
    }
    let app = TestApp::with_fixture(fixture);
    let (web_id, web_secret) = app.credentials(App::Web);
    let web = (web_id.as_str(), Some(web_secret.as_str()));
    // An authenticated application without "Trust Token Endpoint IP Header": the header is
    // ignored and the caller's own address counts.
    for (n, ip) in ["10.0.0.1", "10.0.0.2"].into_iter().enumerate() {
        let wrong = realm_login(&app, web, "nope", Some(ip), Some("192.0.2.7")).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "failure {}", n + 1);
    }
    let third = realm_login(&app, web, "nope", Some("10.0.0.3"), Some("192.0.2.7")).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS, "{}", third.body);
    let fresh_header = realm_login(&app, web, "Wonderland-2026", Some("10.0.0.4"), Some("192.0.2.7")).await;
    assert_eq!(
        fresh_header.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a new header value does not help"
    );
    assert_eq!(blocked_ips(&app).await, ["192.0.2.7"]);
    let elsewhere = realm_login(&app, web, "Wonderland-2026", None, Some("192.0.2.8")).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::OK,
        "the block is for the caller's address only"
    );

    // A public application (no secret) cannot vouch for anyone's address either.
    let admin = app.token(App::Admin).await;
    app.delete("/api/v2/user-blocks?identifier=alice%40example.com", &admin)
        .await;
    let spa = ("pUZ8dm0Tg4yX1kOQRvD7s2bWcNfhJe3L", None);
    for ip in ["10.0.1.1", "10.0.1.2"] {
        let wrong = realm_login(&app, spa, "nope", Some(ip), None).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);
    }
    let third = realm_login(&app, spa, "nope", Some("10.0.1.3"), None).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS, "{}", third.body);
    assert_eq!(blocked_ips(&app).await, ["127.0.0.1"]);
}

#[tokio::test]
async fn a_trusted_applications_header_names_the_users_ip() {
    let app = with_threshold(2);
    let (web_id, web_secret) = app.credentials(App::Web);
    let web = (web_id.as_str(), Some(web_secret.as_str()));
    // The seeded "Web app" trusts the header and authenticates with its secret.
    for ip in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
        let wrong = realm_login(&app, web, "nope", Some(ip), Some("192.0.2.7")).await;
        assert_eq!(
            wrong.status,
            StatusCode::FORBIDDEN,
            "one failure per user IP: {}",
            wrong.body
        );
    }
    let again = realm_login(&app, web, "nope", Some("10.0.0.1"), Some("192.0.2.7")).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(blocked_ips(&app).await, ["10.0.0.1"]);
    let backend_itself = realm_login(&app, web, "Wonderland-2026", None, Some("192.0.2.7")).await;
    assert_eq!(
        backend_itself.status,
        StatusCode::OK,
        "the backend's own address is not blocked"
    );
}

#[test]
fn a_public_application_cannot_trust_the_ip_header() {
    let mut fixture = Fixture::default_auth0();
    for client in &mut fixture.clients {
        if client.name == "Single-page app" {
            client.is_token_endpoint_ip_header_trusted = true;
        }
    }
    let address = authmock::auth0::tenant::TenantAddress::http("127.0.0.1:4010".parse().expect("address"));
    let Err(error) = fixture.build(address, Clock::manual(crate::helpers::START)) else {
        panic!("a public application trusting the header must be refused");
    };
    assert!(
        error.to_string().contains("is_token_endpoint_ip_header_trusted"),
        "{error}"
    );
}

/// Posts alice's credentials on the login page of a fresh transaction.
async fn post_login(browser: &mut Browser<'_>, password: &str) -> Reply {
    let ul_state = browser.start(&spa_query("")).await;
    browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", ul_state.as_str()),
                ("username", "Alice@Example.com"),
                ("password", password),
                ("action", "default"),
            ],
        )
        .await
}

const USER_BLOCKED: &str = "Your account has been blocked after multiple consecutive login attempts.";

#[tokio::test]
async fn universal_login_counts_failures_and_refuses_a_blocked_user() {
    let app = with_threshold(3);
    let mut browser = Browser::new(&app);
    for _ in 0..2 {
        let wrong = post_login(&mut browser, "nope").await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert!(wrong.body.contains("Wrong email or password"), "{}", wrong.body);
    }
    let third = post_login(&mut browser, "nope").await;
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("login_page_user_blocked", page_wire(&third));
    });
    let right = post_login(&mut browser, "Wonderland-2026").await;
    assert_eq!(
        right.status,
        StatusCode::BAD_REQUEST,
        "blocked even with the right password"
    );
    assert!(right.body.contains(USER_BLOCKED));
    assert_eq!(blocked_ips(&app).await, ["127.0.0.1"]);
    let mail = app.get("/__authmock__/outbox?to=alice@example.com", None).await.json();
    assert_eq!(mail["messages"].as_array().map(Vec::len), Some(1), "one unblock mail");
    assert_eq!(
        app.login("alice@example.com", "Wonderland-2026").await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the block holds at the token endpoint too"
    );
    let admin = app.token(App::Admin).await;
    app.delete("/api/v2/user-blocks?identifier=alice%40example.com", &admin)
        .await;
    let unblocked = post_login(&mut browser, "Wonderland-2026").await;
    assert_eq!(unblocked.status, StatusCode::FOUND, "{}", page_wire(&unblocked));
}

#[tokio::test]
async fn a_user_blocked_at_the_token_endpoint_cannot_log_in_through_the_browser() {
    let app = with_threshold(2);
    app.login("alice@example.com", "nope").await;
    assert_eq!(
        app.login("alice@example.com", "nope").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut browser = Browser::new(&app);
    let refused = post_login(&mut browser, "Wonderland-2026").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", page_wire(&refused));
    assert!(refused.body.contains(USER_BLOCKED), "{}", refused.body);
}

/// A database connection's `options.brute_force_protection` (doc: Management API) decides
/// whether the tenant's brute-force protection guards its logins: off, wrong passwords past the
/// threshold stay 403 `invalid_grant` and the right one logs in; turned on by a PATCH, the
/// threshold blocks with 429; turned off again, the block is not honoured.
#[tokio::test]
async fn a_connection_without_brute_force_protection_is_not_blocked() {
    let app = with_threshold(3);
    let token = app.token(App::Explorer).await;
    let (explorer, _) = app.credentials(App::Explorer);
    let (web, web_secret) = app.credentials(App::Web);
    let options = |on: bool| json!({"passwordPolicy": "low", "brute_force_protection": on});
    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Partners", "strategy": "auth0", "options": options(false)}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let enable = app
        .request(
            Method::PATCH,
            &format!("/api/v2/connections/{id}/clients"),
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            json!([{"client_id": explorer, "status": true}, {"client_id": web, "status": true}]).to_string(),
        )
        .await;
    assert_eq!(enable.status, StatusCode::NO_CONTENT, "{}", enable.body);
    let user = json!({"connection": "Partners", "email": "partner@example.com", "password": "Partner-2026!"});
    let made = app.post_json("/api/v2/users", Some(&token), &user).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let login = |password: &str| {
        json!({"grant_type": "http://auth0.com/oauth/grant-type/password-realm", "realm": "Partners",
               "client_id": web, "client_secret": web_secret,
               "username": "partner@example.com", "password": password})
    };

    for attempt in 1..=4 {
        let wrong = app.oauth(&login("wrong")).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "attempt {attempt}: {}", wrong.body);
        assert_eq!(wrong.json()["error"], "invalid_grant");
    }
    let right = app.oauth(&login("Partner-2026!")).await;
    assert_eq!(right.status, StatusCode::OK, "unguarded: {}", right.body);

    let on = app
        .patch_json(
            &format!("/api/v2/connections/{id}"),
            &token,
            &json!({"options": options(true)}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    for _ in 1..=3 {
        app.oauth(&login("wrong")).await;
    }
    let blocked = app.oauth(&login("Partner-2026!")).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "{}", blocked.body);
    assert_eq!(blocked.json()["error"], "too_many_attempts");

    let off = app
        .patch_json(
            &format!("/api/v2/connections/{id}"),
            &token,
            &json!({"options": options(false)}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let again = app.oauth(&login("Partner-2026!")).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the block is not honoured while off: {}",
        again.body
    );
}
