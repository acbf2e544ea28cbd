//! The Janrain Capture app, router-level: the documented API-based password recovery (facts
//! `janrain.md` §4–§7) and every error row, on a manual clock so codes, tokens and request ids
//! repeat run after run.

use authmock::janrain::JanrainFixture;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::FORM;
use crate::helpers::janrain::{
    CAROL, CAROL_PASSWORD, Capture, MOBILE_ID, MOBILE_SECRET, NEW_PASSWORD, OWNER_ID, RECOVER_URL, WEB_ID, WEB_SECRET,
    assert_capture_error,
};

#[tokio::test]
async fn the_php_sample_recovery_flow_resets_the_password() {
    let capture = Capture::new();
    let sent = capture.forgot(WEB_ID, CAROL).await;
    assert_eq!(sent.body, r#"{"stat":"ok"}"#);
    assert_eq!(sent.header("cache-control"), Some("no-store"));
    assert_wire!("janrain_forgot_password_sent", sent);

    let code = capture.mailed_code();
    let link = capture.app.state().outbox.get("latest").expect("mail").links[0].clone();
    assert_eq!(link, format!("{RECOVER_URL}?code={code}"));

    let exchanged = capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await;
    assert_eq!(exchanged.status, StatusCode::OK);
    let body = exchanged.json();
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["transaction_state"]["capture"]["password_recover"], 1);
    assert_wire!("janrain_token_recovery_code", exchanged);
    let token = body["access_token"].as_str().expect("token").to_owned();

    let updated = capture.update(WEB_ID, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(updated.body, r#"{"stat":"ok"}"#);
    assert_wire!("janrain_update_password_ok", updated);

    let signed_in = capture.sign_in(CAROL, NEW_PASSWORD).await;
    assert_eq!(signed_in.json()["stat"], "ok");
    assert_eq!(signed_in.json()["capture_user"]["email"], CAROL);
    assert_wire!("janrain_sign_in_ok", signed_in);

    let old = capture.sign_in(CAROL, CAROL_PASSWORD).await;
    assert_capture_error(&old, 210, "invalid_credentials");
    assert_eq!(
        old.json()["invalid_fields"]["signInForm"][0],
        "Incorrect username or password"
    );
    assert_wire!("janrain_sign_in_invalid_credentials", old);

    let fresh = signed_in.json()["access_token"].as_str().expect("token").to_owned();
    let entity = capture.post_form("/entity", &[("access_token", &fresh)]).await;
    assert_eq!(entity.json()["result"]["email"], CAROL);
    assert_wire!("janrain_entity", entity);
}

#[tokio::test]
async fn a_code_works_once() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    assert_eq!(
        capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await.status,
        StatusCode::OK
    );
    let again = capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again.body,
        r#"{"code":200,"error":"invalid_request","sub_error":"invalid_argument","argument_name":"code","error_description":"invalid code","stat":"error"}"#
    );
    assert_wire!("janrain_token_code_reused", again);
}

#[tokio::test]
async fn only_the_requesting_client_may_exchange_the_code() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    let foreign = capture.exchange(MOBILE_ID, MOBILE_SECRET, &code, RECOVER_URL).await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST);
    assert_eq!(foreign.json()["argument_name"], "code");
    assert_wire!("janrain_token_code_of_another_client", foreign);
    // The refusal did not burn the code for its rightful client.
    let own = capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await;
    assert_eq!(own.status, StatusCode::OK);
}

#[tokio::test]
async fn a_code_expires_after_the_clients_recover_code_lifetime() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    capture.advance(900);
    let expired = capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert_eq!(expired.json()["code"], 415);
    assert_eq!(expired.json()["sub_error"], "authorization_code_expired");
    assert_wire!("janrain_token_code_expired", expired);
}

#[tokio::test]
async fn a_code_one_second_before_its_lifetime_still_works() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    capture.advance(899);
    assert_eq!(
        capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_different_redirect_uri_gets_420_with_both_values() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    let reply = capture
        .exchange(WEB_ID, WEB_SECRET, &code, "http://127.0.0.1:3000/elsewhere")
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = reply.json();
    assert_eq!(body["code"], 420);
    assert_eq!(body["expected_value"], RECOVER_URL);
    assert_eq!(body["supplied_value"], "http://127.0.0.1:3000/elsewhere");
    assert_wire!("janrain_token_redirect_uri_mismatch", reply);
}

#[tokio::test]
async fn bad_client_credentials_get_402_with_http_401() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    let reply = capture.exchange(WEB_ID, "not-the-secret", &code, RECOVER_URL).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], 402);
    assert_wire!("janrain_token_bad_client_credentials", reply);
    let unknown = capture.exchange("nosuchclient", "x", &code, RECOVER_URL).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unknown_grant_type_gets_the_documented_body_verbatim() {
    let capture = Capture::new();
    let reply = capture
        .post_form(
            "/oauth/token",
            &[
                ("client_id", WEB_ID),
                ("client_secret", WEB_SECRET),
                ("grant_type", "X"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        r#"{"code":200,"error":"invalid_request","sub_error":"invalid_argument","argument_name":"grant_type","error_description":"invalid grant_type: X","stat":"error"}"#
    );
    assert_wire!("janrain_token_invalid_grant_type", reply);
}

#[tokio::test]
async fn a_token_request_without_code_names_the_argument() {
    let capture = Capture::new();
    let reply = capture
        .post_form(
            "/oauth/token",
            &[
                ("client_id", WEB_ID),
                ("client_secret", WEB_SECRET),
                ("grant_type", "authorization_code"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["argument_name"], "code");
    assert_wire!("janrain_token_missing_code", reply);
}

#[tokio::test]
async fn the_token_endpoint_takes_basic_auth_and_get_with_a_query() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{WEB_ID}:{WEB_SECRET}"));
    let query = serde_urlencoded::to_string([
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", RECOVER_URL),
    ])
    .expect("encodes");
    let reply = capture
        .send(
            Request::builder()
                .method(Method::GET)
                .uri(format!("/oauth/token?{query}"))
                .header("authorization", format!("Basic {basic}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["stat"], "ok");
}

#[tokio::test]
async fn a_refresh_token_is_single_use() {
    let capture = Capture::new();
    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    let tokens = capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await.json();
    let refresh = tokens["refresh_token"].as_str().expect("refresh").to_owned();
    let pairs = [
        ("client_id", WEB_ID),
        ("client_secret", WEB_SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let renewed = capture.post_form("/oauth/token", &pairs).await;
    assert_eq!(renewed.json()["stat"], "ok");
    assert_ne!(renewed.json()["refresh_token"], tokens["refresh_token"]);
    assert_wire!("janrain_token_refresh", renewed);
    let reused = capture.post_form("/oauth/token", &pairs).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_wire!("janrain_token_refresh_reused", reused);
}

#[tokio::test]
async fn an_access_token_expires_after_3600_seconds() {
    let capture = Capture::new();
    let token = capture.recovery_token().await;
    capture.advance(3600);
    let reply = capture.update(WEB_ID, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_capture_error(&reply, 414, "access_token_expired");
    assert_wire!("janrain_update_access_token_expired", reply);
}

#[tokio::test]
async fn update_with_another_client_id_is_refused() {
    let capture = Capture::new();
    let token = capture.recovery_token().await;
    let reply = capture.update(MOBILE_ID, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_capture_error(&reply, 200, "invalid_argument");
    assert_eq!(reply.json()["argument_name"], "client_id");
    assert_wire!("janrain_update_other_client", reply);
    // Nothing changed: the old password still signs in.
    assert_eq!(capture.sign_in(CAROL, CAROL_PASSWORD).await.json()["stat"], "ok");
}

#[tokio::test]
async fn an_unknown_access_token_gets_the_logged_body() {
    let capture = Capture::new();
    let reply = capture
        .update(WEB_ID, "nosuchtoken00000", NEW_PASSWORD, NEW_PASSWORD)
        .await;
    assert_capture_error(&reply, 200, "invalid_argument");
    assert_eq!(reply.json()["error_description"], "unknown access token");
    assert_wire!("janrain_update_unknown_access_token", reply);
}

#[tokio::test]
async fn password_form_errors_are_390_keyed_by_field() {
    let capture = Capture::new();
    let token = capture.recovery_token().await;
    let mismatch = capture.update(WEB_ID, &token, NEW_PASSWORD, "Something-Else-1").await;
    assert_capture_error(&mismatch, 390, "invalid_form_fields");
    assert_eq!(
        mismatch.json()["invalid_fields"],
        json!({"newPasswordConfirm": ["Passwords do not match"]})
    );
    assert_wire!("janrain_update_confirm_mismatch", mismatch);
    let short = capture.update(WEB_ID, &token, "short", "short").await;
    assert_capture_error(&short, 390, "invalid_form_fields");
    assert_eq!(
        short.json()["invalid_fields"],
        json!({"newPassword": ["Password must be at least 8 characters"]})
    );
    assert_wire!("janrain_update_too_short", short);
}

#[tokio::test]
async fn an_unknown_email_gets_212_keyed_by_the_form() {
    let capture = Capture::new();
    let reply = capture.forgot(WEB_ID, "nobody@example.com").await;
    assert_capture_error(&reply, 212, "no_such_account");
    assert_eq!(
        reply.json()["invalid_fields"],
        json!({"forgotPasswordForm": ["No account can be found that uses that email address"]})
    );
    assert_wire!("janrain_forgot_password_no_such_account", reply);
    assert!(capture.app.state().outbox.is_empty());
}

#[tokio::test]
async fn a_social_only_account_gets_the_configured_540() {
    let capture = Capture::new();
    let reply = capture.forgot(WEB_ID, "erin@example.com").await;
    assert_capture_error(&reply, 540, "triggered_error");
    assert_wire!("janrain_forgot_password_social_only", reply);
}

#[tokio::test]
async fn a_malformed_email_gets_390_keyed_by_the_field() {
    let capture = Capture::new();
    let reply = capture.forgot(WEB_ID, "not-an-email").await;
    assert_capture_error(&reply, 390, "invalid_form_fields");
    assert_eq!(
        reply.json()["invalid_fields"],
        json!({"signInEmailAddress": ["Email address is not valid"]})
    );
    assert_wire!("janrain_forgot_password_invalid_email", reply);
}

#[tokio::test]
async fn a_missing_flow_gets_100_with_argument_name() {
    let capture = Capture::new();
    let reply = capture
        .post_form(
            "/oauth/forgot_password_native",
            &[
                ("client_id", WEB_ID),
                ("form", "forgotPasswordForm"),
                ("signInEmailAddress", CAROL),
            ],
        )
        .await;
    assert_capture_error(&reply, 100, "missing_argument");
    assert_eq!(reply.json()["argument_name"], "flow");
    assert_wire!("janrain_forgot_password_missing_flow", reply);
}

#[tokio::test]
async fn query_string_arguments_are_not_read() {
    let capture = Capture::new();
    let query = serde_urlencoded::to_string([
        ("client_id", WEB_ID),
        ("flow", "standard"),
        ("redirect_uri", RECOVER_URL),
        ("form", "forgotPasswordForm"),
        ("signInEmailAddress", CAROL),
    ])
    .expect("encodes");
    let reply = capture
        .send(
            Request::builder()
                .method(Method::POST)
                .uri(format!("/oauth/forgot_password_native?{query}"))
                .header("content-type", FORM)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_capture_error(&reply, 100, "missing_argument");
    assert_eq!(reply.json()["argument_name"], "client_id");
    assert!(
        reply
            .header("x-authmock-hint")
            .is_some_and(|h| h.contains("query string"))
    );
    assert_wire!("janrain_forgot_password_query_string", reply);
    assert!(capture.app.state().outbox.is_empty());
}

#[tokio::test]
async fn unknown_and_non_login_clients_are_refused() {
    let capture = Capture::new();
    let unknown = capture.forgot("nosuchclient", CAROL).await;
    assert_capture_error(&unknown, 402, "invalid_client_credentials");
    assert_wire!("janrain_forgot_password_unknown_client", unknown);
    let owner = capture.forgot(OWNER_ID, CAROL).await;
    assert_capture_error(&owner, 403, "client_permission_error");
    assert_wire!("janrain_forgot_password_non_login_client", owner);
}

#[tokio::test]
async fn a_wrong_form_name_is_an_invalid_argument() {
    let capture = Capture::new();
    let reply = capture
        .post_form(
            "/oauth/forgot_password_native",
            &[
                ("client_id", WEB_ID),
                ("flow", "standard"),
                ("redirect_uri", RECOVER_URL),
                ("form", "signInForm"),
                ("signInEmailAddress", CAROL),
            ],
        )
        .await;
    assert_capture_error(&reply, 200, "invalid_argument");
    assert_eq!(reply.json()["argument_name"], "form");
    assert_wire!("janrain_forgot_password_wrong_form", reply);
}

#[tokio::test]
async fn a_recover_url_with_a_query_gets_an_ampersand_code() {
    let capture = Capture::new();
    capture.forgot(MOBILE_ID, CAROL).await;
    let code = capture.mailed_code();
    let link = capture.app.state().outbox.get("latest").expect("mail").links[0].clone();
    assert_eq!(
        link,
        format!("http://127.0.0.1:3001/app/recover?source=email&code={code}")
    );
}

#[tokio::test]
async fn unknown_routes_get_a_capture_envelope() {
    let capture = Capture::new();
    let reply = capture.post_form("/oauth/nope", &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["stat"], "error");
    assert_wire!("janrain_unknown_route", reply);
}

#[tokio::test]
async fn the_control_api_describes_the_app_and_moves_its_clock() {
    let capture = Capture::new();
    let summary = capture
        .send(
            Request::get("/__authmock__/tenant")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .json();
    assert_eq!(summary["provider"], "janrain");
    assert_eq!(summary["clients"][0]["client_secret"], WEB_SECRET);
    assert_eq!(summary["flow"]["name"], "standard");
    assert_eq!(summary["users"][0]["password"], CAROL_PASSWORD);
    assert!(summary["users"][2].get("password").is_none());

    capture.forgot(WEB_ID, CAROL).await;
    let code = capture.mailed_code();
    let outbox = capture
        .send(
            Request::get("/__authmock__/outbox")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .json();
    assert_eq!(outbox["count"], 1);
    assert!(
        outbox["messages"][0]["Links"][0]
            .as_str()
            .is_some_and(|l| l.ends_with(&code))
    );

    let moved = capture
        .send(
            Request::post("/__authmock__/clock")
                .header("content-type", "application/json")
                .body(Body::from(json!({"advance_secs": 901}).to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let expired = capture.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await;
    assert_eq!(expired.json()["code"], 415);

    let cleared: Value = capture
        .send(
            Request::delete("/__authmock__/outbox")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .json();
    assert_eq!(cleared["deleted"], 1);
}

#[test]
fn serve_takes_a_janrain_port_and_fixture() {
    use authmock::cli::{Cli, Command};
    use clap::Parser as _;
    let Command::Serve(args) = Cli::try_parse_from(["authmock", "serve"]).expect("parses").command else {
        panic!("serve parses as serve")
    };
    assert_eq!(args.janrain_port, None, "defaults to --port + 1");
    let cli = Cli::try_parse_from([
        "authmock",
        "serve",
        "--janrain-port",
        "4999",
        "--janrain-fixture",
        "fixtures/janrain-app.json",
    ])
    .expect("parses");
    let Command::Serve(args) = cli.command else {
        panic!("serve parses as serve")
    };
    assert_eq!(args.janrain_port, Some(4999));
    assert!(args.janrain_fixture.is_some());
}

#[test]
fn the_embedded_fixture_survives_a_round_trip_through_load() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/janrain-app.json");
    let fixture = JanrainFixture::load(std::path::Path::new(path)).expect("loads");
    assert_eq!(fixture.clients.len(), 3);
    assert!(
        JanrainFixture::from_json("{}").is_err(),
        "an empty seed is refused, not a panic"
    );
}
