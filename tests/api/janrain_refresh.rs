//! `/oauth/refresh_access_token`, router-level: a mobile client signs in with a
//! `refresh_secret`, then trades its access token for a new one with the signature of facts
//! `janrain-entity.md` §2, computed here independently of the mock. Hostile: a wrong secret,
//! a stale or malformed date, another client, a token signed in without a secret, replay.

use aws_lc_rs::hmac;
use base64::Engine as _;

use crate::assert_wire;
use crate::helpers::START;
use crate::helpers::janrain::{CAROL, Capture, MOBILE_ID, REFRESH_SECRET, WEB_ID, sign, sign_in_form};

fn date_at(offset_secs: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    (START + time::Duration::seconds(offset_secs))
        .format(&format)
        .expect("formats")
}

#[tokio::test]
async fn a_signed_refresh_trades_the_access_token_for_a_new_one() {
    let capture = Capture::new();
    let token = capture.mobile_sign_in(MOBILE_ID, Some(REFRESH_SECRET)).await;
    let date = date_at(0);
    let reply = capture.refresh_signed(&token, &date).await;
    assert_eq!(reply.status, 200);
    let new = reply.json()["access_token"].as_str().expect("a new token").to_owned();
    assert_ne!(new, token);
    assert_eq!(capture.entity_with(&new).await["result"]["email"], CAROL);
    // The old token is gone, and the new one refreshes again with the same secret.
    assert_eq!(capture.entity_with(&token).await["stat"], "error");
    let again = capture.refresh_signed(&new, &date).await;
    assert_eq!(again.json()["stat"], "ok", "{}", again.wire());
    assert_wire!("janrain_refresh_ok", reply);
}

#[tokio::test]
async fn an_expired_access_token_still_refreshes() {
    let capture = Capture::new();
    let token = capture.mobile_sign_in(MOBILE_ID, Some(REFRESH_SECRET)).await;
    capture.app.clock().advance(std::time::Duration::from_secs(7200));
    assert_eq!(capture.entity_with(&token).await["code"], 414);
    let date = date_at(7200);
    let reply = capture.refresh_signed(&token, &date).await;
    assert_eq!(reply.json()["stat"], "ok", "{}", reply.wire());
}

#[tokio::test]
async fn a_signature_with_another_secret_is_refused_and_the_token_survives() {
    let capture = Capture::new();
    let token = capture.mobile_sign_in(MOBILE_ID, Some(REFRESH_SECRET)).await;
    let date = date_at(0);
    let wrong = sign("b0f3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9", &date, &token);
    let reply = capture.refresh(MOBILE_ID, &token, &date, &wrong).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["code"], 200);
    assert_eq!(reply.json()["argument_name"], "signature");
    assert_wire!("janrain_refresh_bad_signature", reply);
    // Signed over another string (the token alone): refused too.
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, REFRESH_SECRET.as_bytes());
    let loose = base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, token.as_bytes()).as_ref());
    assert_eq!(
        capture.refresh(MOBILE_ID, &token, &date, &loose).await.json()["argument_name"],
        "signature"
    );
    // Garbage that is not base64.
    assert_eq!(
        capture.refresh(MOBILE_ID, &token, &date, "%%%").await.json()["argument_name"],
        "signature"
    );
    assert_eq!(capture.entity_with(&token).await["result"]["email"], CAROL);
}

#[tokio::test]
async fn a_stale_or_malformed_date_is_refused() {
    let capture = Capture::new();
    let token = capture.mobile_sign_in(MOBILE_ID, Some(REFRESH_SECRET)).await;
    for date in [
        date_at(-301),
        date_at(301),
        "2026-13-45 99:99:99".to_owned(),
        "yesterday".to_owned(),
    ] {
        let reply = capture.refresh_signed(&token, &date).await;
        assert_eq!(reply.json()["argument_name"], "date", "{date}: {}", reply.wire());
    }
    let stale = date_at(-301);
    let reply = capture.refresh_signed(&token, &stale).await;
    assert_wire!("janrain_refresh_stale_date", reply);
    let edge = date_at(300);
    let reply = capture.refresh_signed(&token, &edge).await;
    assert_eq!(reply.json()["stat"], "ok", "{}", reply.wire());
}

#[tokio::test]
async fn only_the_signing_client_with_a_secret_may_refresh() {
    let capture = Capture::new();
    let date = date_at(0);
    // Another login client than the one that signed in.
    let token = capture.mobile_sign_in(MOBILE_ID, Some(REFRESH_SECRET)).await;
    let reply = capture
        .refresh(WEB_ID, &token, &date, &sign(REFRESH_SECRET, &date, &token))
        .await;
    assert_eq!(reply.json()["argument_name"], "client_id", "{}", reply.wire());
    // A sign-in without refresh_secret.
    let bare = capture.mobile_sign_in(MOBILE_ID, None).await;
    let reply = capture.refresh(MOBILE_ID, &bare, &date, &sign("", &date, &bare)).await;
    assert_eq!(reply.json()["argument_name"], "access_token", "{}", reply.wire());
    assert_wire!("janrain_refresh_no_secret", reply);
    // An unknown token, and one refreshed already (replay).
    let unknown = capture.refresh(MOBILE_ID, "nosuchtoken", &date, "AAAA").await;
    assert_eq!(unknown.json()["stat"], "error");
    let first = capture.refresh_signed(&token, &date).await;
    assert_eq!(first.json()["stat"], "ok");
    let replay = capture.refresh_signed(&token, &date).await;
    assert_eq!(replay.json()["stat"], "error", "{}", replay.wire());
    // Missing arguments name the argument; an oversized secret on sign-in is refused.
    let missing = capture
        .post_form("/oauth/refresh_access_token", &[("client_id", MOBILE_ID)])
        .await;
    assert_eq!(missing.json()["code"], 100, "{}", missing.wire());
    let huge = "a".repeat(10_000);
    let reply = capture
        .post_form(
            "/oauth/auth_native_traditional",
            &sign_in_form(MOBILE_ID, Some(huge.as_str())),
        )
        .await;
    assert_eq!(reply.json()["argument_name"], "refresh_secret", "{}", reply.wire());
}
