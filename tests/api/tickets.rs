//! POST /api/v2/tickets/password-change (facts §3).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{ALICE, App, BASE, CONNECTION_ID, TICKETS, TestApp};
use authmock::core::onetime::Redemption;

async fn create(app: &TestApp, body: Value) -> crate::helpers::Reply {
    let token = app.token(App::Backend).await;
    app.post_json(TICKETS, Some(&token), &body).await
}

fn secret_of(reply: &crate::helpers::Reply) -> String {
    let url = reply.json()["ticket"].as_str().expect("ticket url").to_owned();
    let secret = url
        .split_once("ticket=")
        .and_then(|(_, rest)| rest.strip_suffix('#'))
        .expect("…?ticket=<secret>#");
    assert_eq!(secret.len(), 32);
    assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()), "{secret}");
    secret.to_owned()
}

#[tokio::test]
async fn ticket_for_a_user_id_is_201_with_a_hosted_page_url() {
    let app = TestApp::new();
    let reply = create(&app, json!({"user_id": ALICE})).await;
    assert_wire!("ticket_created", reply);
    let url = reply.json()["ticket"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&format!("{BASE}/u/reset-password?ticket=")), "{url}");
    let secret = secret_of(&reply);
    let state = app.tenant.state();
    let entry = state
        .tickets()
        .check(&secret, app.tenant.clock().unix())
        .expect("stored and live");
    assert_eq!(entry.subject, ALICE);
    assert_eq!(entry.expires_at - entry.issued_at, 432_000, "default ttl");
}

#[tokio::test]
async fn ticket_for_email_and_connection_id_finds_the_user() {
    let app = TestApp::new();
    let reply = create(
        &app,
        json!({"email": "bob@example.com", "connection_id": CONNECTION_ID, "ttl_sec": 60, "mark_email_as_verified": true, "includeEmailInRedirect": true, "result_url": "https://app.example.com/done"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let secret = secret_of(&reply);
    let state = app.tenant.state();
    let entry = state.tickets().check(&secret, app.tenant.clock().unix()).expect("live");
    assert_eq!(entry.subject, "auth0|3c6c6bc7a6b8a2046d02417d");
    assert_eq!(entry.expires_at - entry.issued_at, 60);
    assert!(entry.payload.mark_email_as_verified);
    assert!(entry.payload.include_email_in_redirect);
    assert_eq!(
        entry.payload.result_url.as_deref(),
        Some("https://app.example.com/done")
    );
}

#[tokio::test]
async fn ticket_expires_on_the_tenant_clock_and_only_the_newest_is_valid() {
    let app = TestApp::new();
    let first = secret_of(&create(&app, json!({"user_id": ALICE, "ttl_sec": 3600})).await);
    let second = secret_of(&create(&app, json!({"user_id": ALICE, "ttl_sec": 3600})).await);
    let now = app.tenant.clock().unix();
    assert_eq!(
        app.tenant.state().tickets().check(&first, now).map(|_| ()),
        Err(Redemption::Superseded)
    );
    assert!(app.tenant.state().tickets().check(&second, now).is_ok());
    app.advance(3600);
    assert_eq!(
        app.tenant
            .state()
            .tickets()
            .check(&second, app.tenant.clock().unix())
            .map(|_| ()),
        Err(Redemption::Expired { secs_ago: 0 })
    );
}

#[tokio::test]
async fn classic_login_tenants_get_the_lo_reset_shape() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.login = authmock::auth0::LoginExperience::Classic;
    let app = TestApp::with_fixture(fixture);
    let reply = create(&app, json!({"user_id": ALICE})).await;
    let url = reply.json()["ticket"].as_str().expect("url").to_owned();
    assert!(
        url.starts_with(&format!("{BASE}/lo/reset?ticket=")) && url.ends_with('#'),
        "{url}"
    );
}

#[tokio::test]
async fn unknown_user_is_404_inexistent_user() {
    let app = TestApp::new();
    let reply = create(&app, json!({"user_id": "auth0|000000000000000000000000"})).await;
    assert_wire!("ticket_user_not_found", reply);
    let reply = create(
        &app,
        json!({"email": "Alice@example.com", "connection_id": CONNECTION_ID}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "emails match case-sensitively");
}

#[tokio::test]
async fn documented_400s() {
    let app = TestApp::new();
    let cases = [
        (
            "unknown connection id",
            json!({"email": "alice@example.com", "connection_id": "con_0000000000000000"}),
            r#"{"statusCode":400,"error":"Bad Request","message":"The connection with id con_0000000000000000 does not exist.","errorCode":"inexistent_connection"}"#,
        ),
        (
            "unknown client",
            json!({"user_id": ALICE, "client_id": "nope"}),
            r#"{"statusCode":400,"error":"Bad Request","message":"The client does not exist"}"#,
        ),
        (
            "unknown organization",
            json!({"user_id": ALICE, "organization_id": "org_2eondWoxcMIpaLQc"}),
            r#"{"statusCode":400,"error":"Bad Request","message":"The organization does not exist"}"#,
        ),
        (
            "identity of another user",
            json!({"user_id": ALICE, "identity": {"user_id": "000", "provider": "auth0"}}),
            r#"{"statusCode":400,"error":"Bad Request","message":"The user exists, but does not contain the given identity."}"#,
        ),
        (
            "identity on an unknown connection",
            json!({"user_id": ALICE, "identity": {"user_id": "3b3d13f7d1bb45d8d62f8e36", "provider": "auth0", "connection_id": "con_0000000000000000"}}),
            r#"{"statusCode":400,"error":"Bad Request","message":"Identity connection does not exist."}"#,
        ),
    ];
    for (case, body, expected) in cases {
        let reply = create(&app, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(reply.body, expected, "{case}");
    }
    let matching_identity = create(
        &app,
        json!({"user_id": ALICE, "identity": {"user_id": "3b3d13f7d1bb45d8d62f8e36", "provider": "auth0", "connection_id": CONNECTION_ID}}),
    )
    .await;
    assert_eq!(
        matching_identity.status,
        StatusCode::CREATED,
        "{}",
        matching_identity.body
    );
}

#[tokio::test]
async fn exclusive_fields_are_refused() {
    let app = TestApp::new();
    for (case, body) in [
        (
            "user_id with email",
            json!({"user_id": ALICE, "email": "alice@example.com", "connection_id": CONNECTION_ID}),
        ),
        (
            "result_url with client_id",
            json!({"user_id": ALICE, "result_url": "https://a.example/", "client_id": "AsTykornV22ULCNYSO7bbOujhSJKy4sJ"}),
        ),
        ("nobody named", json!({"ttl_sec": 5})),
    ] {
        let reply = create(&app, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}: {}", reply.body);
        assert_eq!(reply.json()["errorCode"], "invalid_body", "{case}");
    }
    assert_wire!(
        "ticket_user_id_with_email",
        create(
            &app,
            json!({"user_id": ALICE, "email": "alice@example.com", "connection_id": CONNECTION_ID})
        )
        .await
    );
}

/// A ticket naming an organization (doc: OAS-mgmt, facts auth0.md §3.2): the tenant's
/// organization, and its user a member, else the documented 400s; both ticket endpoints and the
/// verification job.
#[tokio::test]
async fn tickets_naming_an_organization_need_a_member_of_it() {
    let app = TestApp::new();
    let admin = app.token(App::Explorer).await;
    let created = app
        .post_json("/api/v2/organizations", Some(&admin), &json!({"name": "acme"}))
        .await;
    let org = created.json()["id"].as_str().expect("org id").to_owned();
    let backend = app.token(App::Backend).await;
    let endpoints = [
        TICKETS,
        "/api/v2/tickets/email-verification",
        "/api/v2/jobs/verification-email",
    ];
    for path in endpoints {
        let token = if path.contains("jobs") { &admin } else { &backend };
        let reply = app
            .post_json(path, Some(token), &json!({"user_id": ALICE, "organization_id": org}))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}: {}", reply.body);
        if path == TICKETS {
            assert_wire!("ticket_user_not_a_member", reply);
        } else {
            assert_eq!(
                reply.json()["message"],
                format!("The user with id {ALICE} is not a member of organization with id {org}.")
            );
        }
        // Another tenant's organization, or none: the organization does not exist, even for a
        // user this tenant does not have.
        for user_id in [ALICE, "auth0|000000000000000000000000"] {
            let reply = app
                .post_json(
                    path,
                    Some(token),
                    &json!({"user_id": user_id, "organization_id": "org_0000000000000000"}),
                )
                .await;
            assert_eq!(
                reply.body, r#"{"statusCode":400,"error":"Bad Request","message":"The organization does not exist"}"#,
                "{path}"
            );
        }
    }
    let members = app
        .post_json(
            &format!("/api/v2/organizations/{org}/members"),
            Some(&admin),
            &json!({"members": [ALICE]}),
        )
        .await;
    assert_eq!(members.status, StatusCode::NO_CONTENT, "{}", members.body);
    let reply = create(&app, json!({"user_id": ALICE, "organization_id": org})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let secret = secret_of(&reply);
    let kept = app
        .tenant
        .state()
        .tickets()
        .check(&secret, app.tenant.clock().unix())
        .expect("stored and live")
        .payload
        .organization_id
        .clone();
    assert_eq!(kept.as_deref(), Some(org.as_str()));
    for path in &endpoints[1..] {
        let token = if path.contains("jobs") { &admin } else { &backend };
        let reply = app
            .post_json(path, Some(token), &json!({"user_id": ALICE, "organization_id": org}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    }
}
