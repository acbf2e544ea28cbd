//! Registration, email verification and the signed-in profile forms of the Capture app,
//! router-level (facts `janrain-entity.md` §3.1, §3.2, §3.4): the happy paths a mobile SDK
//! walks, then each error row and hostile input (missing and oversized fields, the wrong
//! client, an expired token, a replayed or stale verification code).

use serde_json::Value;

use crate::assert_wire;
use crate::helpers::Reply;
use crate::helpers::janrain::{CAROL, CAROL_PASSWORD, Capture, MOBILE_ID, OWNER_ID, WEB_ID, flow};

const NEWBIE: &str = "newbie@example.com";
const NEWBIE_PASSWORD: &str = "Newbie-Password-1";

fn registration(email: &str) -> Vec<(&'static str, String)> {
    let mut pairs = flow("registrationForm");
    pairs.extend([
        ("emailAddress", email.to_owned()),
        ("newPassword", NEWBIE_PASSWORD.to_owned()),
        ("newPasswordConfirm", NEWBIE_PASSWORD.to_owned()),
        ("firstName", "Newt".to_owned()),
        ("lastName", "Bie".to_owned()),
        ("displayName", "Newt Bie".to_owned()),
        ("birthdate[dateselect_year]", "1990".to_owned()),
        ("birthdate[dateselect_month]", "2".to_owned()),
        ("birthdate[dateselect_day]", "28".to_owned()),
    ]);
    pairs
}

/// Replaces (or adds) `name` in `pairs`.
fn set(pairs: &mut Vec<(&'static str, String)>, name: &'static str, value: &str) {
    pairs.retain(|(k, _)| *k != name);
    pairs.push((name, value.to_owned()));
}

fn assert_fields(reply: &Reply, keys: &[&str]) {
    let body = reply.json();
    assert_eq!(reply.status, 200);
    assert_eq!(body["code"], 390, "{}", reply.wire());
    assert_eq!(body["error"], "invalid_form_fields");
    let got: Vec<&str> = body["invalid_fields"]
        .as_object()
        .expect("invalid_fields")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(got, keys, "{}", reply.wire());
}

#[tokio::test]
async fn registration_creates_a_signed_in_record_and_mails_a_verification_link() {
    let capture = Capture::new();
    let before = capture.mails();
    let reply = capture.register(MOBILE_ID, &registration(NEWBIE)).await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["stat"], "ok", "{}", reply.wire());
    assert_eq!(body["capture_user"]["email"], NEWBIE);
    assert_eq!(body["capture_user"]["givenName"], "Newt");
    assert_eq!(body["capture_user"]["birthday"], "1990-02-28");
    assert_eq!(body["capture_user"]["emailVerified"], Value::Null);
    assert_wire!("janrain_register_ok", reply);
    // The token works, and the password signs in.
    let token = body["access_token"].as_str().expect("token");
    let me = capture.post_form("/entity", &[("access_token", token)]).await.json();
    assert_eq!(me["result"]["email"], NEWBIE);
    capture.token_for(MOBILE_ID, NEWBIE, NEWBIE_PASSWORD).await;
    // The mail links to the mobile client's verify_email_url with a 32-char lowercase code.
    assert_eq!(capture.mails(), before + 1);
    let link = {
        let state = capture.app.state();
        state.outbox.get("latest").expect("mail").links[0].clone()
    };
    assert!(
        link.starts_with("http://127.0.0.1:3001/app/verify?source=email&verification_code="),
        "{link}"
    );
    let code = capture.verification_code();
    assert_eq!(code.len(), 32);
    assert!(
        code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{code}"
    );
}

#[tokio::test]
async fn a_verification_code_marks_the_email_verified_once() {
    let capture = Capture::new();
    capture.register(WEB_ID, &registration(NEWBIE)).await;
    let code = capture.verification_code();
    capture.advance(60);
    let reply = capture.use_code(&code).await;
    let uuid = capture.attribute(NEWBIE, "uuid");
    assert_eq!(reply.json()["uuid"], uuid, "{}", reply.wire());
    assert_wire!("janrain_use_verification_code_ok", reply);
    let verified = capture.attribute(NEWBIE, "emailVerified");
    assert_eq!(verified, capture.attribute(NEWBIE, "lastUpdated"));
    assert!(verified.as_str().is_some_and(|v| v.ends_with("+0000")), "{verified}");
    // Replayed: not recognized (the documented body), and nothing changes.
    let replay = capture.use_code(&code).await;
    assert_eq!(replay.json()["error_description"], "verification code not recognized");
    assert_wire!("janrain_use_verification_code_unknown", replay);
    assert_eq!(capture.attribute(NEWBIE, "emailVerified"), verified);
    // Verified: asking again gets the flow's 540.
    let again = capture.resend(WEB_ID, NEWBIE).await;
    assert_eq!(again.json()["code"], 540);
    assert_wire!("janrain_verify_email_already_verified", again);
}

#[tokio::test]
async fn verify_email_native_mails_a_fresh_code_that_supersedes_the_last() {
    let capture = Capture::new();
    let sent = capture.resend(WEB_ID, CAROL).await;
    assert_wire!("janrain_verify_email_sent", sent);
    let first = capture.verification_code();
    capture.resend(WEB_ID, CAROL).await;
    let second = capture.verification_code();
    assert_ne!(first, second);
    assert_eq!(capture.use_code(&first).await.json()["code"], 200);
    assert_eq!(capture.use_code(&second).await.json()["stat"], "ok");
    assert!(capture.attribute(CAROL, "emailVerified").is_string());
}

#[tokio::test]
async fn a_verification_code_expires_on_the_app_clock() {
    let capture = Capture::new();
    capture.resend(WEB_ID, CAROL).await;
    let code = capture.verification_code();
    capture.advance(86_399);
    // One second before the lifetime ends it works (checked on a second code below); at the end
    // it is 416.
    capture.advance(1);
    let reply = capture.use_code(&code).await;
    assert_eq!(reply.json()["code"], 416, "{}", reply.wire());
    assert_wire!("janrain_use_verification_code_expired", reply);
    assert_eq!(capture.attribute(CAROL, "emailVerified"), Value::Null);
    capture.resend(WEB_ID, CAROL).await;
    let code = capture.verification_code();
    capture.advance(86_399);
    assert_eq!(capture.use_code(&code).await.json()["stat"], "ok");
}

#[tokio::test]
async fn verify_email_errors_follow_the_facts() {
    let capture = Capture::new();
    let unknown = capture.resend(WEB_ID, "nobody@example.com").await;
    assert_eq!(unknown.json()["code"], 210);
    assert_eq!(unknown.json()["error"], "invalid_credentials");
    assert_wire!("janrain_verify_email_no_account", unknown);
    let malformed = capture.resend(WEB_ID, "not-an-email").await;
    assert_fields(&malformed, &["signInEmailAddress"]);
    // The owner client has no login_client feature, and has no verify_email_url either.
    assert_eq!(capture.resend(OWNER_ID, CAROL).await.json()["code"], 403);
    assert_eq!(capture.resend("nobody", CAROL).await.json()["code"], 402);
    // Missing code, garbage code, oversized code: all refused without a panic.
    let missing = capture.post_form("/access/useVerificationCode", &[]).await;
    assert_eq!(missing.json()["argument_name"], "verification_code");
    assert_eq!(missing.json()["code"], 100);
    assert_eq!(capture.use_code("x").await.json()["code"], 200);
    assert_eq!(capture.use_code(&"a".repeat(100_000)).await.json()["code"], 200);
}

#[tokio::test]
async fn a_code_mailed_before_an_email_change_does_not_verify_the_new_address() {
    let capture = Capture::new();
    capture.resend(WEB_ID, CAROL).await;
    let code = capture.verification_code();
    let token = capture.token_for(WEB_ID, CAROL, CAROL_PASSWORD).await;
    let moved = capture
        .profile(
            WEB_ID,
            &token,
            "editProfileForm",
            &[("emailAddress", "carol.new@example.com")],
        )
        .await;
    assert_eq!(moved.json()["stat"], "ok", "{}", moved.wire());
    assert_eq!(capture.use_code(&code).await.json()["code"], 200);
    assert_eq!(capture.attribute("carol.new@example.com", "emailVerified"), Value::Null);
}

#[tokio::test]
async fn registration_reports_every_bad_field_at_once() {
    let capture = Capture::new();
    let mut pairs = registration("not-an-email");
    set(&mut pairs, "newPasswordConfirm", "something-else-1");
    set(&mut pairs, "displayName", "");
    set(&mut pairs, "birthdate[dateselect_month]", "2");
    set(&mut pairs, "birthdate[dateselect_day]", "30");
    let reply = capture.register(WEB_ID, &pairs).await;
    assert_fields(
        &reply,
        &["emailAddress", "newPasswordConfirm", "displayName", "birthdate"],
    );
    assert_wire!("janrain_register_invalid_fields", reply);
    assert!(capture.app.state().record_by_email("not-an-email").is_none());
}

#[tokio::test]
async fn registration_with_an_email_in_use_is_390_on_email_address() {
    let capture = Capture::new();
    let reply = capture.register(WEB_ID, &registration("CAROL@example.com")).await;
    assert_fields(&reply, &["emailAddress"]);
    assert_eq!(
        reply.json()["invalid_fields"]["emailAddress"][0],
        "Email address is already being used"
    );
    assert_wire!("janrain_register_email_in_use", reply);
    // Twice the same new address: the second is refused.
    assert_eq!(
        capture.register(WEB_ID, &registration(NEWBIE)).await.json()["stat"],
        "ok"
    );
    assert_fields(
        &capture.register(WEB_ID, &registration(NEWBIE)).await,
        &["emailAddress"],
    );
}

#[tokio::test]
async fn registration_without_fields_names_each_required_one() {
    let capture = Capture::new();
    let reply = capture.register(WEB_ID, &flow("registrationForm")).await;
    assert_fields(
        &reply,
        &["emailAddress", "newPassword", "newPasswordConfirm", "displayName"],
    );
    let mut short = registration(NEWBIE);
    set(&mut short, "newPassword", "short");
    set(&mut short, "newPasswordConfirm", "short");
    assert_fields(&capture.register(WEB_ID, &short).await, &["newPassword"]);
}

#[tokio::test]
async fn oversized_registration_fields_are_390_and_store_nothing() {
    let capture = Capture::new();
    let long = "x".repeat(10_000);
    let mut pairs = registration(NEWBIE);
    set(&mut pairs, "displayName", &long);
    set(&mut pairs, "firstName", &long);
    assert_fields(&capture.register(WEB_ID, &pairs).await, &["firstName", "displayName"]);
    let mut pairs = registration(&format!("{long}@example.com"));
    assert_fields(&capture.register(WEB_ID, &pairs).await, &["emailAddress"]);
    pairs = registration(NEWBIE);
    set(&mut pairs, "refresh_secret", &long);
    let reply = capture.register(MOBILE_ID, &pairs).await;
    assert_eq!(reply.json()["argument_name"], "refresh_secret", "{}", reply.wire());
    assert!(capture.app.state().record_by_email(NEWBIE).is_none());
    let mut huge_year = registration(NEWBIE);
    set(&mut huge_year, "birthdate[dateselect_year]", "99999999999999999999");
    assert_fields(&capture.register(WEB_ID, &huge_year).await, &["birthdate"]);
}

#[tokio::test]
async fn registration_checks_the_client_and_the_form() {
    let capture = Capture::new();
    assert_eq!(
        capture.register(OWNER_ID, &registration(NEWBIE)).await.json()["code"],
        403
    );
    assert_eq!(
        capture.register("nobody", &registration(NEWBIE)).await.json()["code"],
        402
    );
    let mut pairs = registration(NEWBIE);
    set(&mut pairs, "form", "signInForm");
    assert_eq!(capture.register(WEB_ID, &pairs).await.json()["argument_name"], "form");
    // In the query string only: not read (facts §1).
    let query = capture
        .send(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("/oauth/register_native_traditional?client_id={WEB_ID}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(query.json()["argument_name"], "client_id");
    assert!(capture.app.state().record_by_email(NEWBIE).is_none());
}

#[tokio::test]
async fn a_registered_mobile_client_refreshes_with_its_refresh_secret() {
    let capture = Capture::new();
    let mut pairs = registration(NEWBIE);
    let secret = "a0f3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9";
    set(&mut pairs, "refresh_secret", secret);
    let token = capture.register(MOBILE_ID, &pairs).await.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let date = "2026-01-05 10:00:00";
    use base64::Engine as _;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    let text = format!("refresh_access_token\n{date}\n{token}\n");
    let signature =
        base64::engine::general_purpose::STANDARD.encode(aws_lc_rs::hmac::sign(&key, text.as_bytes()).as_ref());
    let reply = capture
        .post_form(
            "/oauth/refresh_access_token",
            &[
                ("client_id", MOBILE_ID),
                ("access_token", &token),
                ("date", date),
                ("signature", &signature),
            ],
        )
        .await;
    assert_eq!(reply.json()["stat"], "ok", "{}", reply.wire());
}

#[tokio::test]
async fn edit_profile_updates_the_sent_fields_only() {
    let capture = Capture::new();
    let token = capture.token_for(WEB_ID, CAROL, CAROL_PASSWORD).await;
    capture.advance(5);
    let reply = capture
        .profile(
            WEB_ID,
            &token,
            "editProfileForm",
            &[
                ("firstName", "Caroline"),
                ("displayName", "Caroline J"),
                ("birthdate[dateselect_year]", "1985"),
                ("birthdate[dateselect_month]", "12"),
                ("birthdate[dateselect_day]", "31"),
            ],
        )
        .await;
    assert_wire!("janrain_edit_profile_ok", reply);
    let me = capture.post_form("/entity", &[("access_token", &token)]).await.json();
    assert_eq!(me["result"]["givenName"], "Caroline");
    assert_eq!(me["result"]["familyName"], "Jones");
    assert_eq!(me["result"]["displayName"], "Caroline J");
    assert_eq!(capture.attribute(CAROL, "birthday"), "1985-12-31");
    assert_ne!(
        capture.attribute(CAROL, "lastUpdated"),
        capture.attribute(CAROL, "created")
    );
}

#[tokio::test]
async fn edit_profile_errors_are_390_by_field() {
    let capture = Capture::new();
    let token = capture.token_for(WEB_ID, CAROL, CAROL_PASSWORD).await;
    let reply = capture
        .profile(
            WEB_ID,
            &token,
            "editProfileForm",
            &[
                ("emailAddress", "dave@example.com"),
                ("displayName", ""),
                ("birthdate[dateselect_year]", "1985"),
                ("birthdate[dateselect_month]", "13"),
                ("birthdate[dateselect_day]", "1"),
            ],
        )
        .await;
    assert_fields(&reply, &["emailAddress", "displayName", "birthdate"]);
    assert_wire!("janrain_edit_profile_invalid_fields", reply);
    assert_eq!(capture.attribute(CAROL, "displayName"), "Carol Jones");
    // Another client's token, an unknown token, an expired token.
    let other = capture
        .profile(MOBILE_ID, &token, "editProfileForm", &[("firstName", "X")])
        .await;
    assert_eq!(other.json()["argument_name"], "client_id");
    let unknown = capture
        .profile(WEB_ID, "nope", "editProfileForm", &[("firstName", "X")])
        .await;
    assert_eq!(unknown.json()["error_description"], "unknown access token");
    capture.advance(3600);
    let expired = capture
        .profile(WEB_ID, &token, "editProfileForm", &[("firstName", "X")])
        .await;
    assert_eq!(expired.json()["code"], 414);
    assert_eq!(capture.attribute(CAROL, "givenName"), "Carol");
}

#[tokio::test]
async fn the_signed_in_password_form_checks_the_current_password() {
    let capture = Capture::new();
    let token = capture.token_for(WEB_ID, CAROL, CAROL_PASSWORD).await;
    let new = "Changed-Password-9";
    let wrong = capture
        .profile(
            WEB_ID,
            &token,
            "changePasswordForm",
            &[
                ("currentPassword", "not-it"),
                ("newPassword", new),
                ("newPasswordConfirm", new),
            ],
        )
        .await;
    assert_fields(&wrong, &["currentPassword"]);
    assert_wire!("janrain_change_password_wrong_current", wrong);
    let missing = capture.profile(WEB_ID, &token, "changePasswordForm", &[]).await;
    assert_fields(&missing, &["currentPassword", "newPassword", "newPasswordConfirm"]);
    // The old password still works; then the change goes through and swaps them.
    capture.token_for(WEB_ID, CAROL, CAROL_PASSWORD).await;
    let ok = capture
        .profile(
            WEB_ID,
            &token,
            "changePasswordForm",
            &[
                ("currentPassword", CAROL_PASSWORD),
                ("newPassword", new),
                ("newPasswordConfirm", new),
            ],
        )
        .await;
    assert_eq!(ok.json()["stat"], "ok", "{}", ok.wire());
    capture.token_for(WEB_ID, CAROL, new).await;
    let mut pairs = flow("signInForm");
    pairs.push(("signInEmailAddress", CAROL.to_owned()));
    pairs.push(("currentPassword", CAROL_PASSWORD.to_owned()));
    let old = capture.native("/oauth/auth_native_traditional", WEB_ID, &pairs).await;
    assert_eq!(old.json()["code"], 210);
}

#[tokio::test]
async fn a_social_only_record_cannot_pass_the_current_password_check() {
    let capture = Capture::new();
    // Erin has no password: a token for her comes from the control plane's view of the state.
    let token = {
        let mut state = capture.app.state();
        let uuid = state.record_by_email("erin@example.com").expect("erin").uuid.clone();
        state.issue_tokens(&uuid, WEB_ID, capture.app.clock().unix()).0
    };
    let reply = capture
        .profile(
            WEB_ID,
            &token,
            "changePasswordForm",
            &[
                ("currentPassword", "anything"),
                ("newPassword", "Whatever-Pass-1"),
                ("newPasswordConfirm", "Whatever-Pass-1"),
            ],
        )
        .await;
    assert_fields(&reply, &["currentPassword"]);
}
