//! A user's factors on the Management API (facts `auth0-mfa-orgs.md` A9):
//! `/users/{id}/authentication-methods`, `/users/{id}/enrollments`, `/guardian/enrollments/{id}`
//! and its ticket, `invalidate-remember-browser`; what is made or deleted here is what
//! `/mfa/*` and login see; and the hostile cases (another user's method id, unknown ids, bad
//! bodies, the scopes). Snapshots were reviewed against A9 (the recorded go-auth0
//! `TestUserManager_AuthenticationMethods`, `TestGuardian/Enrollment/*`).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{ALICE, App, Reply, TestApp};
use crate::login::{Browser, spa_query, url_param};
use crate::mfa::{OTP, current_code, enrol_otp, login_with, mfa_grant, mfa_on, mfa_token};
use crate::mfa_login::{password, post_code};

const BOB: &str = "auth0|3c6c6bc7a6b8a2046d02417d";

fn methods_path(user: &str) -> String {
    format!("/api/v2/users/{}/authentication-methods", user.replace('|', "%7C"))
}

fn method_path(user: &str, id: &str) -> String {
    format!("{}/{}", methods_path(user), id.replace('|', "%7C"))
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: &str) -> Reply {
    app.request(
        method,
        path,
        Some("application/json"),
        Some(&format!("Bearer {token}")),
        body.to_owned(),
    )
    .await
}

/// The recorded sequence (go-auth0 TestUserManager_AuthenticationMethods): create an email
/// method, list, read, rename, delete, list empty, replace with three, list, delete all.
#[tokio::test]
async fn authentication_methods_answer_as_recorded() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let list = format!("{}?include_totals=true&per_page=50", methods_path(ALICE));
    let created = app
        .post_json(
            &methods_path(ALICE),
            Some(&token),
            &json!({"type": "email", "name": "Test", "email": "chuck334@example.com"}),
        )
        .await;
    assert_wire!("mfa_methods_create", created);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("email|dev_"), "{id}");
    assert_wire!("mfa_methods_list", app.get(&list, Some(&token)).await);
    assert_wire!(
        "mfa_methods_read",
        app.get(&method_path(ALICE, &id), Some(&token)).await
    );
    let renamed = app
        .patch_json(&method_path(ALICE, &id), &token, &json!({"name": "Test2"}))
        .await;
    assert_wire!("mfa_methods_patch", renamed);
    assert_eq!(
        app.get(&method_path(ALICE, &id), Some(&token)).await.json()["name"],
        "Test2"
    );
    assert_wire!("mfa_methods_delete", app.delete(&method_path(ALICE, &id), &token).await);
    assert_wire!("mfa_methods_list_empty", app.get(&list, Some(&token)).await);
    let replaced = send(
        &app,
        Method::PUT,
        &methods_path(ALICE),
        &token,
        r#"[{"type":"email","name":"MyEmail","email":"foo@example.com"},{"type":"phone","name":"MyPhone","phone_number":"+44207183875044","preferred_authentication_method":"sms"},{"type":"totp","name":"MyTotp","totp_secret":"5HCWXIP2MJNSUBGYVUZFLRB2HWIGXR4SYJQXNBQ"}]"#,
    )
    .await;
    assert_wire!("mfa_methods_replace", replaced);
    assert_wire!("mfa_methods_list_three", app.get(&list, Some(&token)).await);
    let bare = app.get(&methods_path(ALICE), Some(&token)).await.json();
    assert_eq!(bare.as_array().map(Vec::len), Some(3), "{bare}");
    let cleared = send(&app, Method::DELETE, &methods_path(ALICE), &token, "").await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT, "{}", cleared.body);
    assert_eq!(cleared.body, "");
    assert_eq!(
        app.get(&list, Some(&token)).await.body,
        r#"{"authenticators":[],"start":0,"limit":50}"#
    );
}

/// A TOTP method imported with its secret is the authenticator login asks for; deleting it
/// here takes it from `/mfa/authenticators` and from the next login.
#[tokio::test]
async fn a_method_made_here_is_the_one_login_asks_for_and_its_deletion_cascades() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json(
            &methods_path(ALICE),
            Some(&token),
            &json!({"type": "totp", "name": "Phone app", "totp_secret": "JBSWY3DPEHPK3PXP"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let asked = login_with(&app, json!({})).await;
    assert_eq!(asked.status, StatusCode::FORBIDDEN, "{}", asked.body);
    assert_eq!(
        asked.json()["mfa_requirements"],
        json!({"challenge": [{"type": "otp"}]})
    );
    let mfa = asked.json()["mfa_token"].as_str().expect("mfa_token").to_owned();
    let listed = app.get("/mfa/authenticators", Some(&mfa)).await.json();
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["active"], true);
    let code = current_code(&app).await;
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": mfa, "otp": code})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);

    // The enrolment carries the last authentication now.
    let enrollments = app
        .get(
            &format!("/api/v2/users/{}/enrollments", ALICE.replace('|', "%7C")),
            Some(&token),
        )
        .await;
    assert_wire!("mfa_user_enrollments", enrollments);

    let gone = app.delete(&method_path(ALICE, &id), &token).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
    let mfa = mfa_token(&app).await;
    assert_eq!(app.get("/mfa/authenticators", Some(&mfa)).await.body, "[]");
    let asked = login_with(&app, json!({})).await;
    assert_eq!(asked.json()["mfa_requirements"], json!({"enroll": [{"type": "otp"}]}));
}

/// An authenticator enrolled through `/mfa/associate` is a Guardian enrollment; deleting it by
/// `/guardian/enrollments/{id}` takes it from the user's methods and from login.
#[tokio::test]
async fn guardian_enrollments_are_the_mfa_api_authenticators() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    enrol_otp(&app).await;
    let token = app.token(App::Explorer).await;
    let methods = app.get(&methods_path(ALICE), Some(&token)).await;
    assert_wire!("mfa_methods_after_enrolment", methods);
    let listed = app
        .get(
            &format!("/api/v2/users/{}/enrollments", ALICE.replace('|', "%7C")),
            Some(&token),
        )
        .await
        .json();
    let id = listed[0]["id"].as_str().expect("id").to_owned();
    let one = app
        .get(
            &format!("/api/v2/guardian/enrollments/{}", id.replace('|', "%7C")),
            Some(&token),
        )
        .await;
    assert_wire!("mfa_guardian_enrollment", one);
    let bare = id.split_once('|').expect("kind|dev").1;
    let by_bare = app
        .get(&format!("/api/v2/guardian/enrollments/{bare}"), Some(&token))
        .await;
    assert_eq!(by_bare.body, one.body);
    let gone = app
        .delete(&format!("/api/v2/guardian/enrollments/{bare}"), &token)
        .await;
    assert_wire!("mfa_guardian_enrollment_delete", gone);
    let again = app
        .get(&format!("/api/v2/guardian/enrollments/{bare}"), Some(&token))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    let methods = app.get(&methods_path(ALICE), Some(&token)).await.json();
    assert!(
        methods.as_array().expect("array").iter().all(|m| m["type"] != "totp"),
        "{methods}"
    );
    let asked = login_with(&app, json!({})).await;
    assert_eq!(asked.json()["mfa_requirements"], json!({"enroll": [{"type": "otp"}]}));
}

/// obs (go-auth0 TestGuardian/Enrollment/*): an unknown enrollment is 404 `Enrollment not
/// found`; the ticket is 200 `{ticket_id, ticket_url}`.
#[tokio::test]
async fn guardian_enrollment_answers_for_unknown_ids_and_tickets() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    assert_wire!(
        "mfa_guardian_enrollment_unknown",
        app.get("/api/v2/guardian/enrollments/dev_0000000000000001", Some(&token))
            .await
    );
    let deleted = app
        .delete("/api/v2/guardian/enrollments/dev_0000000000000001", &token)
        .await;
    assert_eq!(deleted.status, StatusCode::NOT_FOUND, "{}", deleted.body);
    assert_wire!(
        "mfa_guardian_ticket",
        app.post_json(
            "/api/v2/guardian/enrollments/ticket",
            Some(&token),
            &json!({"user_id": ALICE, "email": "jon@example.com", "factor": "push-notification",
                "allow_multiple_enrollments": true}),
        )
        .await
    );
    let unknown = app
        .post_json(
            "/api/v2/guardian/enrollments/ticket",
            Some(&token),
            &json!({"user_id": "auth0|nobody"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert_wire!(
        "mfa_guardian_ticket_no_user",
        app.post_json(
            "/api/v2/guardian/enrollments/ticket",
            Some(&token),
            &json!({"factor": "otp"})
        )
        .await
    );
}

/// Another user's method id, unknown users and ids, bad bodies, conflicts, the limit and the
/// scopes each get the provider's own answer, and change nothing.
#[tokio::test]
async fn hostile_requests_get_the_providers_errors() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json(
            &methods_path(ALICE),
            Some(&token),
            &json!({"type": "email", "email": "alice@example.com"}),
        )
        .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert_wire!(
        "mfa_methods_foreign_id",
        app.get(&method_path(BOB, &id), Some(&token)).await
    );
    for (method, body) in [(Method::PATCH, r#"{"name":"mine"}"#), (Method::DELETE, "")] {
        let refused = send(&app, method, &method_path(BOB, &id), &token, body).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    }
    assert_eq!(
        app.get(&method_path(ALICE, &id), Some(&token)).await.status,
        StatusCode::OK,
        "Alice's method is untouched"
    );
    assert_wire!(
        "mfa_methods_unknown_user",
        app.get(&methods_path("auth0|nobody"), Some(&token)).await
    );
    let no_user = app.get("/api/v2/users/auth0%7Cnobody/enrollments", Some(&token)).await;
    assert_eq!(no_user.status, StatusCode::NOT_FOUND, "{}", no_user.body);
    let post = |body: Value| {
        let app = &app;
        let token = token.clone();
        async move { app.post_json(&methods_path(ALICE), Some(&token), &body).await }
    };
    assert_wire!(
        "mfa_methods_email_missing",
        post(json!({"type": "email", "name": "x"})).await
    );
    assert_wire!(
        "mfa_methods_passkey",
        post(json!({"type": "passkey", "name": "x"})).await
    );
    assert_wire!(
        "mfa_methods_bad_secret",
        post(json!({"type": "totp", "totp_secret": "not base32!"})).await
    );
    let extra = post(json!({"type": "email", "email": "a@example.com", "id": "email|dev_mine"})).await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST, "{}", extra.body);
    let bad_phone = post(json!({"type": "phone", "phone_number": "12345"})).await;
    assert_eq!(bad_phone.status, StatusCode::BAD_REQUEST, "{}", bad_phone.body);
    assert_wire!(
        "mfa_methods_exists",
        post(json!({"type": "email", "email": "ALICE@example.com"})).await
    );
    let patched = app
        .patch_json(&method_path(ALICE, &id), &token, &json!({"type": "phone"}))
        .await;
    assert_eq!(patched.status, StatusCode::BAD_REQUEST, "{}", patched.body);
    let not_array = send(&app, Method::PUT, &methods_path(ALICE), &token, r#"{"type":"email"}"#).await;
    assert_eq!(not_array.status, StatusCode::BAD_REQUEST, "{}", not_array.body);
    let twice = send(
        &app,
        Method::PUT,
        &methods_path(ALICE),
        &token,
        r#"[{"type":"email","email":"x@example.com"},{"type":"email","email":"x@example.com"}]"#,
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert_eq!(
        app.get(&methods_path(ALICE), Some(&token))
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1),
        "a refused PUT changes nothing"
    );
    for n in 1..20 {
        let made = post(json!({"type": "email", "email": format!("a{n}@example.com")})).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    assert_wire!(
        "mfa_methods_limit",
        post(json!({"type": "email", "email": "one-too-many@example.com"})).await
    );
    let read_only = app.token(App::ReadOnly).await;
    let refused = app.get(&methods_path(ALICE), Some(&read_only)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

/// A fresh browser session carrying only the `auth0-mf` cookie posts Alice's password:
/// whether it logged in at once (a session cookie set) rather than being sent to the code page.
async fn remembered_login_skips_mfa(app: &TestApp, remember: &str) -> bool {
    let get = axum::http::Request::builder()
        .uri(format!("/authorize?{}", spa_query("")))
        .header("cookie", remember)
        .body(axum::body::Body::empty())
        .expect("request");
    let started = app.send(get).await;
    let session = started
        .header("set-cookie")
        .expect("session")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let ul_state = url_param(started.header("location").expect("location"), "state").expect("state");
    let form = serde_urlencoded::to_string([
        ("state", ul_state.as_str()),
        ("username", "alice@example.com"),
        ("password", "Wonderland-2026"),
        ("action", "default"),
    ])
    .expect("form");
    let post = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/u/login?state={ul_state}"))
        .header("cookie", format!("{session}; {remember}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form))
        .expect("request");
    let posted = app.send(post).await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", posted.body);
    posted.header("set-cookie").is_some()
}

/// `invalidate-remember-browser` (obs: 204, no body): a browser that ticked "Remember this
/// device" is asked for a code again.
#[tokio::test]
async fn invalidate_remember_browser_asks_remembered_browsers_again() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let page = password(&mut browser, &ul_state).await;
    let code = current_code(&app).await;
    let passed = post_code(&mut browser, &page, &ul_state, &code, true).await;
    let remember = passed
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .find(|c| c.starts_with("auth0-mf="))
        .expect("auth0-mf is set");
    let remember = remember.split(';').next().expect("pair").to_owned();
    assert!(remembered_login_skips_mfa(&app, &remember).await, "remembered before");
    let token = app.token(App::Explorer).await;
    let path = format!(
        "/api/v2/users/{}/multifactor/actions/invalidate-remember-browser",
        ALICE.replace('|', "%7C")
    );
    assert_wire!(
        "mfa_invalidate_remember_browser",
        send(&app, Method::POST, &path, &token, "").await
    );
    assert!(!remembered_login_skips_mfa(&app, &remember).await, "asked again after");
    let unknown = send(
        &app,
        Method::POST,
        "/api/v2/users/auth0%7Cnobody/multifactor/actions/invalidate-remember-browser",
        &token,
        "",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    let read_only = app.token(App::ReadOnly).await;
    let refused = send(&app, Method::POST, &path, &read_only, "").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

/// An imported `totp_secret` (request and PUT answer) and an enrollment ticket never reach the
/// journal in clear.
#[tokio::test]
async fn the_journal_masks_imported_secrets_and_tickets() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let secret = "5HCWXIP2MJNSUBGYVUZFLRB2HWIGXR4SYJQXNBQ";
    let body = format!(r#"[{{"type":"totp","name":"MyTotp","totp_secret":"{secret}"}}]"#);
    let replaced = send(&app, Method::PUT, &methods_path(ALICE), &token, &body).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    let created = app
        .post_json(
            &methods_path(BOB),
            Some(&token),
            &json!({"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXP"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let ticket = app
        .post_json(
            "/api/v2/guardian/enrollments/ticket",
            Some(&token),
            &json!({"user_id": ALICE}),
        )
        .await
        .json()["ticket_id"]
        .as_str()
        .expect("ticket_id")
        .to_owned();
    let journal = app.journal("").await.to_string();
    for (name, value) in [
        ("totp_secret", secret),
        ("short totp_secret", "JBSWY3DPEHPK3PXP"),
        ("ticket", &ticket),
    ] {
        assert!(!journal.contains(value), "{name} in clear in the journal");
    }
}
