//! Email verification: the ticket, the job, the mail and the hosted page (facts
//! `auth0-users.md` §4).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{App, CONNECTION, TestApp};

const BOB: &str = "auth0|3c6c6bc7a6b8a2046d02417d";
const BOB_PATH: &str = "/api/v2/users/auth0%7C3c6c6bc7a6b8a2046d02417d";
const TICKETS: &str = "/api/v2/tickets/email-verification";
const JOBS: &str = "/api/v2/jobs/verification-email";

/// The path and query of a hosted-page link (the router is driven without a host).
fn local(link: &str) -> String {
    link.strip_prefix("http://127.0.0.1:4010")
        .expect("a link to this tenant")
        .trim_end_matches('#')
        .to_owned()
}

async fn bob_verified(app: &TestApp, token: &str) -> Value {
    app.get(BOB_PATH, Some(token)).await.json()["email_verified"].clone()
}

async fn mailed_links(app: &TestApp, email: &str) -> Vec<String> {
    let list = app.get(&format!("/__authmock__/outbox?to={email}"), None).await.json();
    let mut links = Vec::new();
    for message in list["messages"].as_array().expect("messages") {
        let id = message["ID"].as_str().expect("ID");
        let full = app.get(&format!("/__authmock__/outbox/{id}"), None).await.json();
        links.push(local(full["Links"][0].as_str().expect("a link")));
    }
    links
}

#[tokio::test]
async fn ticket_link_verifies_once_then_says_used() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let reply = app.post_json(TICKETS, Some(&token), &json!({"user_id": BOB})).await;
    assert_wire!("ticket_email_verification", reply);
    assert_eq!(bob_verified(&app, &token).await, false);
    let link = local(reply.json()["ticket"].as_str().expect("ticket"));
    assert!(link.starts_with("/u/email-verification?ticket="), "{link}");
    let page = app.get(&link, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Email Verified") && page.body.contains("Your email address was successfully verified.")
    );
    assert_eq!(bob_verified(&app, &token).await, true);
    let again = app.get(&link, None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("This ticket was already used."), "{}", again.body);
    let bogus = app.get("/u/email-verification?ticket=nope", None).await;
    assert!(
        bogus
            .body
            .contains("User account does not exist or the verification code is invalid.")
    );
}

#[tokio::test]
async fn tickets_expire_on_the_tenant_clock_and_redirect_to_result_url() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let short = app
        .post_json(TICKETS, Some(&token), &json!({"user_id": BOB, "ttl_sec": 60}))
        .await;
    let link = local(short.json()["ticket"].as_str().expect("ticket"));
    app.advance(61);
    let expired = app.get(&link, None).await;
    assert!(expired.body.contains("This ticket was expired."), "{}", expired.body);
    assert_eq!(
        bob_verified(&app, &token).await,
        false,
        "an expired link changes nothing"
    );
    let token = app.token(App::Admin).await;
    let with_url = app
        .post_json(
            TICKETS,
            Some(&token),
            &json!({"user_id": BOB, "result_url": "https://app.example.com/verified", "includeEmailInRedirect": true}),
        )
        .await;
    let link = local(with_url.json()["ticket"].as_str().expect("ticket"));
    let redirect = app.get(&link, None).await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    assert_eq!(
        redirect.header("location"),
        Some(
            "https://app.example.com/verified?supportSignUp=true&supportForgotPassword=true&email=bob%40example.com\
             &message=Your+email+was+verified.+You+can+continue+using+the+application.&success=true&code=success"
        )
    );
}

#[tokio::test]
async fn ticket_errors() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let unknown = app
        .post_json(TICKETS, Some(&token), &json!({"user_id": "auth0|nobody"}))
        .await;
    assert_eq!(unknown.json()["errorCode"], "inexistent_user");
    let extra = app
        .post_json(
            TICKETS,
            Some(&token),
            &json!({"user_id": BOB, "email": "bob@example.com"}),
        )
        .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);
    assert_eq!(extra.json()["errorCode"], "invalid_body");
    let read_only = app.token(App::ReadOnly).await;
    let refused = app.post_json(TICKETS, Some(&read_only), &json!({"user_id": BOB})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn verification_job_mails_a_link_and_completes() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let job = app.post_json(JOBS, Some(&token), &json!({"user_id": BOB})).await;
    assert_wire!("job_verification_email", job);
    let id = job.json()["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("job_") && id.len() == 20, "{id}");
    let read = app.get(&format!("/api/v2/jobs/{id}"), Some(&token)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["status"], "completed");
    assert_eq!(read.json()["type"], "verification_email");
    let links = mailed_links(&app, "bob@example.com").await;
    assert_eq!(links.len(), 1);
    assert_eq!(app.get(&links[0], None).await.status, StatusCode::OK);
    assert_eq!(bob_verified(&app, &token).await, true);
    let missing = app.get("/api/v2/jobs/job_0000000000000000", Some(&token)).await;
    assert_wire!("job_not_found", missing);
    let nobody = app
        .post_json(JOBS, Some(&token), &json!({"user_id": "auth0|nobody"}))
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_unverified_user_gets_a_verification_mail_unless_told_not_to() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let body = |email: &str, extra: Value| {
        let mut body = json!({"connection": CONNECTION, "email": email, "password": "Roundhouse-2026"});
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        body
    };
    for (email, extra, mails) in [
        ("one@example.com", json!({}), 1),
        ("two@example.com", json!({"verify_email": false}), 0),
        ("three@example.com", json!({"email_verified": true}), 0),
        (
            "four@example.com",
            json!({"email_verified": true, "verify_email": true}),
            1,
        ),
    ] {
        let reply = app
            .post_json("/api/v2/users", Some(&token), &body(email, extra.clone()))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(mailed_links(&app, email).await.len(), mails, "{email} {extra}");
    }
    let link = &mailed_links(&app, "one@example.com").await[0];
    assert!(link.starts_with("/u/email-verification?ticket="));
}

/// A verification ticket the store dropped to stay within its cap answers the unknown link's
/// page, and only the hint says it was evicted and names the cap.
#[tokio::test]
async fn an_evicted_verification_ticket_says_so_in_the_hint_only() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let issue = || async {
        let reply = app.post_json(TICKETS, Some(&token), &json!({"user_id": BOB})).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        local(reply.json()["ticket"].as_str().expect("ticket url"))
    };
    let first = app.evict_first_ticket(issue).await;
    let evicted = app.get(&first, None).await;
    let unknown = app
        .get("/u/email-verification?ticket=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None)
        .await;
    assert_eq!((evicted.status, &evicted.body), (unknown.status, &unknown.body));
    assert_eq!(
        evicted.header("x-authmock-hint"),
        Some(
            "this ticket was evicted: the tenant keeps at most 10000 tickets and dropped it to make room for newer ones"
        )
    );
}
