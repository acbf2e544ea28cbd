//! The password-reset journey (facts §4, §5, §7): `/dbconnections/change_password`, the outbox,
//! the hosted reset page, and proof by logging in.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{ALICE, App, CONNECTION, FORM, JSON, Reply, TICKETS, TestApp};

const ALICE_EMAIL: &str = "alice@example.com";
const ALICE_PASSWORD: &str = "Wonderland-2026";
const NEW_PASSWORD: &str = "Through-the-Glass-7";

/// Asks for a reset email the way an application's "forgot password" form does.
async fn forgot(app: &TestApp, email: &str) -> Reply {
    let (client_id, _) = app.credentials(App::Web);
    app.post_json(
        "/dbconnections/change_password",
        None,
        &json!({"client_id": client_id, "email": email, "connection": CONNECTION}),
    )
    .await
}

async fn outbox(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/__authmock__/outbox{query}"), None).await.json()
}

/// The path and query of a hosted-page link (the router is driven without a host).
fn local(link: &str) -> String {
    let rest = link
        .strip_prefix("http://127.0.0.1:4010")
        .expect("a link to this tenant");
    rest.trim_end_matches('#').to_owned()
}

/// The reset link in the newest mail to `email`.
async fn mailed_link(app: &TestApp, email: &str) -> String {
    let list = outbox(app, &format!("?to={email}&limit=1")).await;
    let id = list["messages"][0]["ID"].as_str().expect("a mail was sent").to_owned();
    let message = app.get(&format!("/__authmock__/outbox/{id}"), None).await.json();
    local(message["Links"][0].as_str().expect("the mail has a link"))
}

/// A password-change ticket from the Management API, as a local path.
async fn ticket(app: &TestApp, body: Value) -> String {
    let token = app.token(App::Backend).await;
    let reply = app.post_json(TICKETS, Some(&token), &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    local(reply.json()["ticket"].as_str().expect("ticket url"))
}

/// The value of `name="<field>" value="…"` in a page.
fn field_value(page: &str, field: &str) -> String {
    let marker = format!("name=\"{field}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {field} field in:\n{page}"))
        + marker.len();
    page[start..].split('"').next().expect("closing quote").to_owned()
}

/// Loads the form at `path` and posts it with the two password fields.
async fn submit(app: &TestApp, path: &str, password: &str, confirmation: &str) -> Reply {
    let form = app.get(path, None).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = field_value(&form.body, "_csrf");
    post_form(
        app,
        path,
        &[
            ("_csrf", &csrf),
            ("password", password),
            ("confirm_password", confirmation),
        ],
    )
    .await
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
    let body = serde_urlencoded::to_string(fields).expect("form encodes");
    app.request(Method::POST, path, Some(FORM), None, body).await
}

/// Replaces what changes with the RNG's history (ticket secrets, message and CSRF ids) by
/// placeholders, so page and mail snapshots pin only the wording and structure.
fn redact(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .fold(text.to_owned(), |acc, secret| acc.replace(secret, "[redacted]"))
}

fn secret_of(path: &str) -> String {
    path.split_once("ticket=").expect("ticket=").1.to_owned()
}

#[tokio::test]
async fn change_password_mails_a_reset_link_to_a_known_user() {
    let app = TestApp::new();
    let reply = forgot(&app, ALICE_EMAIL).await;
    assert_wire!("dbconnections_change_password_sent", reply);
    let list = outbox(&app, "").await;
    assert_eq!(list["total"], 1);
    let summary = &list["messages"][0];
    assert_eq!(summary["To"][0]["Address"], ALICE_EMAIL);
    assert_eq!(summary["Created"], "2026-01-05T10:00:00Z", "on the tenant clock");
    let id = summary["ID"].as_str().expect("id").to_owned();
    let message = app.get(&format!("/__authmock__/outbox/{id}"), None).await;
    let link = message.json()["Links"][0].as_str().expect("link").to_owned();
    assert!(
        link.starts_with("http://127.0.0.1:4010/u/reset-password?ticket=") && link.ends_with('#'),
        "{link}"
    );
    let secret = secret_of(&local(&link));
    assert_eq!(secret.len(), 32);
    let pretty = serde_json::to_string_pretty(&message.json()).expect("json");
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
                           prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("outbox_reset_message", redact(&pretty, &[&id, &secret]));
    });
    assert_eq!(
        app.get("/__authmock__/outbox/latest", None).await.json()["ID"],
        id.as_str()
    );
}

#[tokio::test]
async fn unknown_email_gets_the_same_200_and_no_mail() {
    let app = TestApp::new();
    let known = forgot(&app, ALICE_EMAIL).await;
    app.request(Method::DELETE, "/__authmock__/outbox", None, None, "")
        .await;
    let unknown = forgot(&app, "nobody@example.com").await;
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    assert_eq!(unknown.header("content-type"), Some("text/html; charset=utf-8"));
    assert_wire!("dbconnections_change_password_unknown_email", unknown);
    assert_eq!(outbox(&app, "").await["total"], 0);
}

#[tokio::test]
async fn form_bodies_work_and_errors_are_json() {
    let app = TestApp::new();
    let form = app
        .request(
            Method::POST,
            "/dbconnections/change_password",
            Some(FORM),
            None,
            format!("email=ALICE%40example.com&connection={CONNECTION}"),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        outbox(&app, "?to=alice@example.com").await["count"],
        1,
        "email is matched lower-cased"
    );

    let missing = app
        .post_json(
            "/dbconnections/change_password",
            None,
            &json!({"connection": CONNECTION}),
        )
        .await;
    assert_wire!("dbconnections_change_password_missing_email", missing);
    let unknown = app
        .post_json(
            "/dbconnections/change_password",
            None,
            &json!({"email": ALICE_EMAIL, "connection": "Username-Password"}),
        )
        .await;
    assert_wire!("dbconnections_change_password_unknown_connection", unknown);
    let form_as_json = app
        .request(
            Method::POST,
            "/dbconnections/change_password",
            Some(JSON),
            None,
            format!("email={ALICE_EMAIL}&connection={CONNECTION}"),
        )
        .await;
    assert_eq!(form_as_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        form_as_json.json()["error_description"],
        "Invalid request payload JSON format"
    );
    assert_eq!(outbox(&app, "").await["total"], 1, "no mail for refused requests");
}

#[tokio::test]
async fn ticket_then_hosted_page_then_login() {
    let app = TestApp::new();
    let path = ticket(&app, json!({"user_id": ALICE})).await;
    let form = app.get(&path, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = field_value(&form.body, "_csrf");
    let secret = secret_of(&path);
    assert_wire!(
        "hosted_reset_form",
        Reply {
            body: redact(&form.body, &[&csrf, &secret]),
            ..form
        }
    );

    let done = submit(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_wire!("hosted_reset_success", done);

    assert_eq!(app.login(ALICE_EMAIL, NEW_PASSWORD).await.status, StatusCode::OK);
    let old = app.login(ALICE_EMAIL, ALICE_PASSWORD).await;
    assert_eq!(old.status, StatusCode::FORBIDDEN);
    assert_eq!(old.json()["error_description"], "Wrong email or password.");

    let again = app.get(&path, None).await;
    assert_wire!("hosted_reset_used_ticket", again);
    let summary = app.summary();
    let alice = summary.users.iter().find(|u| u.user_id == ALICE).expect("alice");
    assert_eq!(alice.password, None, "the fixture password is forgotten once changed");
}

#[tokio::test]
async fn mailed_link_resets_the_password() {
    let app = TestApp::new();
    forgot(&app, ALICE_EMAIL).await;
    let path = mailed_link(&app, ALICE_EMAIL).await;
    let done = submit(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    // The web app asked for the reset, so the user lands on its login route.
    assert_eq!(done.status, StatusCode::FOUND);
    assert_eq!(done.header("location"), Some("http://127.0.0.1:3000/login"));
    assert_eq!(app.login(ALICE_EMAIL, NEW_PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_second_reset_request_invalidates_the_first_link() {
    let app = TestApp::new();
    forgot(&app, ALICE_EMAIL).await;
    let first = mailed_link(&app, ALICE_EMAIL).await;
    forgot(&app, ALICE_EMAIL).await;
    let second = mailed_link(&app, ALICE_EMAIL).await;
    assert_ne!(first, second);
    let stale = app.get(&first, None).await;
    assert_wire!("hosted_reset_superseded_ticket", stale);
    assert_eq!(app.get(&second, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn policy_and_mismatch_errors_keep_the_ticket() {
    let app = TestApp::new();
    let path = ticket(&app, json!({"user_id": ALICE})).await;
    let cases = [
        ("", "", "Enter a new password."),
        (NEW_PASSWORD, "", "New password confirmation is missing"),
        (NEW_PASSWORD, "Through-the-Glass-8", "Passwords don't match"),
        ("short", "short", "Password is too weak"),
    ];
    for (password, confirmation, shown) in cases {
        let reply = submit(&app, &path, password, confirmation).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{password:?}/{confirmation:?}");
        assert!(reply.body.contains(shown), "{shown:?} not in:\n{}", reply.body);
        assert!(reply.body.contains("<form"), "the form is shown again");
    }
    let weak = submit(&app, &path, "short", "short").await;
    let csrf = field_value(&weak.body, "_csrf");
    assert_wire!(
        "hosted_reset_weak_password",
        Reply {
            body: redact(&weak.body, &[&csrf, &secret_of(&path)]),
            ..weak
        }
    );
    assert_eq!(
        app.login(ALICE_EMAIL, ALICE_PASSWORD).await.status,
        StatusCode::OK,
        "unchanged"
    );
    let done = submit(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "the ticket survived the refusals");
}

#[tokio::test]
async fn the_form_needs_its_csrf_token() {
    let app = TestApp::new();
    let path = ticket(&app, json!({"user_id": ALICE})).await;
    app.get(&path, None).await;
    for csrf in ["", "forged"] {
        let reply = post_form(
            &app,
            &path,
            &[
                ("_csrf", csrf),
                ("password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert!(reply.body.contains("Oops!, something went wrong"), "{}", reply.body);
    }
    let tracking = post_form(&app, &path, &[("password", NEW_PASSWORD)]).await;
    let request_id = tracking.header("x-auth0-requestid").expect("request id").to_owned();
    assert!(
        tracking.body.contains(&format!("TRACKING ID: {request_id}")),
        "{}",
        tracking.body
    );
    assert_eq!(app.login(ALICE_EMAIL, ALICE_PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn expired_and_unknown_tickets_show_their_screens() {
    let app = TestApp::new();
    let path = ticket(&app, json!({"user_id": ALICE, "ttl_sec": 3600})).await;
    app.advance(3600);
    let expired = app.get(&path, None).await;
    assert_wire!("hosted_reset_expired_ticket", expired);
    let unknown = app
        .get("/u/reset-password?ticket=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None)
        .await;
    assert_wire!("hosted_reset_unknown_ticket", unknown);
    let none = app.get("/u/reset-password", None).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn result_url_gets_success_and_the_email_and_the_email_is_verified() {
    let app = TestApp::new();
    let path = ticket(
        &app,
        json!({"user_id": ALICE, "result_url": "https://app.example.com/done?from=reset",
               "mark_email_as_verified": true, "includeEmailInRedirect": true}),
    )
    .await;
    let done = submit(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND);
    assert_eq!(
        done.header("location"),
        Some(
            "https://app.example.com/done?from=reset&success=true&message=You+can+now+login+to+the+application+\
             with+the+new+password.&email=alice%40example.com"
        )
    );
    let token = app.token(App::ReadOnly).await;
    let user = app.get(&format!("/api/v2/users/{ALICE}"), Some(&token)).await.json();
    assert_eq!(user["email_verified"], true);
}

#[tokio::test]
async fn classic_login_reports_an_expired_ticket_to_result_url() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.login = authmock::auth0::LoginExperience::Classic;
    let app = TestApp::with_fixture(fixture);
    let path = ticket(
        &app,
        json!({"user_id": ALICE, "result_url": "https://app.example.com/done"}),
    )
    .await;
    assert!(path.starts_with("/lo/reset?ticket="), "{path}");
    app.advance(432_000);
    let expired = app.get(&path, None).await;
    assert_eq!(expired.status, StatusCode::FOUND);
    assert_eq!(
        expired.header("location"),
        Some("https://app.example.com/done?success=false&message=Access+expired.")
    );
}

#[tokio::test]
async fn reset_empties_the_outbox_and_forgets_the_links() {
    let app = TestApp::new();
    forgot(&app, ALICE_EMAIL).await;
    let link = mailed_link(&app, ALICE_EMAIL).await;
    let reset = app.request(Method::POST, "/__authmock__/reset", None, None, "").await;
    assert!(reset.status.is_success(), "{}", reset.body);
    assert_eq!(outbox(&app, "").await["total"], 0);
    assert_eq!(
        app.get(&link, None).await.status,
        StatusCode::BAD_REQUEST,
        "the ticket is gone"
    );
}

/// A ticket the store dropped to stay within its cap answers the unknown ticket's page, byte for
/// byte, and only the hint says what happened: evicted, and the cap.
#[tokio::test]
async fn an_evicted_ticket_answers_the_unknown_screen_and_its_hint_names_the_cap() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let issue = || async {
        let reply = app.post_json(TICKETS, Some(&token), &json!({"user_id": ALICE})).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        local(reply.json()["ticket"].as_str().expect("ticket url"))
    };
    let first = app.evict_first_ticket(issue).await;
    let evicted = app.get(&first, None).await;
    let unknown = app
        .get("/u/reset-password?ticket=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None)
        .await;
    assert_eq!((evicted.status, &evicted.body), (unknown.status, &unknown.body));
    assert_eq!(
        evicted.header("x-authmock-hint"),
        Some(
            "this ticket was evicted: the tenant keeps at most 10000 tickets and dropped it to make room for newer \
             ones (GET /__authmock__/tenant counts evictions under `stores`); request a new one"
        )
    );
    assert!(
        unknown
            .header("x-authmock-hint")
            .is_some_and(|h| !h.contains("evicted"))
    );
}
