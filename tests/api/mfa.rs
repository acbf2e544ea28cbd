//! Multi-factor authentication: Guardian's factors and policies on the Management API, the
//! `403 mfa_required` of the password and refresh grants, `/mfa/associate`, `/mfa/challenge`,
//! `/mfa/authenticators`, the three MFA grants with a real RFC 6238 check on the tenant clock,
//! and the hostile cases (wrong, reused and brute-forced codes, replayed, expired and foreign
//! `mfa_token`s, malformed and oversized parameters). Snapshots were reviewed against
//! `shared/providers/auth0-mfa-orgs.md` Part A (A1–A9, §D).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use authmock::auth0::{DEFAULT_AUTH0_FIXTURE, Fixture};

use crate::helpers::{ALICE, App, CONNECTION, Reply, TestApp, claims};

pub(crate) const OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
const OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
const RECOVERY: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
const MFA_AUDIENCE: &str = "https://127.0.0.1:4010/mfa/";

/// Switches factors on and the `all-applications` policy, and gives the web app the MFA grants.
pub(crate) async fn mfa_on(app: &TestApp, factors: &[&str]) {
    let token = app.token(App::Explorer).await;
    for factor in factors {
        let put = app
            .request(
                Method::PUT,
                &format!("/api/v2/guardian/factors/{factor}"),
                Some("application/json"),
                Some(&format!("Bearer {token}")),
                r#"{"enabled":true}"#,
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    }
    let put = app
        .request(
            Method::PUT,
            "/api/v2/guardian/policies",
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            r#"["all-applications"]"#,
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let (client_id, _) = app.credentials(App::Web);
    let patched = app
        .patch_json(
            &format!("/api/v2/clients/{client_id}"),
            &token,
            &json!({"grant_types": ["authorization_code", "refresh_token", "password",
                "http://auth0.com/oauth/grant-type/password-realm", OTP, OOB, RECOVERY]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
}

/// Alice's password-realm login through the web app, with extra parameters.
pub(crate) async fn login_with(app: &TestApp, extra: Value) -> Reply {
    let (client_id, client_secret) = app.credentials(App::Web);
    let mut body = json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": client_id,
        "client_secret": client_secret,
        "username": "alice@example.com",
        "password": "Wonderland-2026",
        "realm": CONNECTION,
        "scope": "openid profile",
    });
    for (key, value) in extra.as_object().expect("an object") {
        body[key] = value.clone();
    }
    app.oauth(&body).await
}

/// The `mfa_token` of a login that must answer `mfa_required`.
pub(crate) async fn mfa_token(app: &TestApp) -> String {
    let reply = login_with(app, json!({})).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    reply.json()["mfa_token"].as_str().expect("mfa_token").to_owned()
}

/// An MFA grant by the web app.
pub(crate) async fn mfa_grant(app: &TestApp, grant_type: &str, fields: Value) -> Reply {
    let (client_id, client_secret) = app.credentials(App::Web);
    let mut body = json!({"grant_type": grant_type, "client_id": client_id, "client_secret": client_secret});
    for (key, value) in fields.as_object().expect("an object") {
        body[key] = value.clone();
    }
    app.oauth(&body).await
}

/// `POST /mfa/challenge` as the web application, for `challenge_type` (all types when `None`).
async fn challenge(app: &TestApp, mfa_token: &str, challenge_type: Option<&str>) -> Reply {
    let (client_id, client_secret) = app.credentials(App::Web);
    let mut body = json!({"client_id": client_id, "client_secret": client_secret, "mfa_token": mfa_token});
    if let Some(challenge_type) = challenge_type {
        body["challenge_type"] = challenge_type.into();
    }
    app.post_json("/mfa/challenge", None, &body).await
}

async fn associate(app: &TestApp, mfa_token: &str, body: Value) -> Reply {
    app.post_json("/mfa/associate", Some(mfa_token), &body).await
}

/// The code Alice's authenticator app shows now (control API).
pub(crate) async fn current_code(app: &TestApp) -> String {
    let reply = app
        .get(
            &format!("/__authmock__/mfa/totp?user_id={}", ALICE.replace('|', "%7C")),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["code"].as_str().expect("code").to_owned()
}

/// Enrols Alice in OTP and confirms it; answers the recovery code of the enrolment.
pub(crate) async fn enrol_otp(app: &TestApp) -> String {
    let token = mfa_token(app).await;
    let associated = associate(app, &token, json!({"authenticator_types": ["otp"]})).await;
    assert_eq!(associated.status, StatusCode::OK, "{}", associated.body);
    let recovery = associated.json()["recovery_codes"][0]
        .as_str()
        .expect("recovery code")
        .to_owned();
    let code = current_code(app).await;
    let confirmed = mfa_grant(app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    recovery
}

/// The binding code of the newest message to `to` in the outbox.
async fn binding_code(app: &TestApp, to: &str) -> String {
    let list = app.get(&format!("/__authmock__/outbox?to={to}"), None).await.json();
    let id = list["messages"][0]["ID"].as_str().expect("a code message").to_owned();
    let message = app.get(&format!("/__authmock__/outbox/{id}"), None).await.json();
    message["Text"].as_str().expect("text")[..6].to_owned()
}

/// facts A9 (obs: REC-goauth0 TestGuardian/MultiFactor): the factor list in its fixed order,
/// `PUT` echoes `{"enabled":…}`, policies `[]` then the list sent; an unknown factor is the
/// router's 404, a policy outside the enum the payload grammar's 400, a token without the scope
/// the scope 403.
#[tokio::test]
async fn guardian_factors_and_policies_switch_as_recorded() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let bearer = format!("Bearer {token}");
    assert_wire!(
        "mfa_guardian_factors_fresh",
        app.get("/api/v2/guardian/factors", Some(&token)).await
    );
    let put = |path: &'static str, body: &'static str| {
        let bearer = bearer.clone();
        let app = &app;
        async move {
            app.request(Method::PUT, path, Some("application/json"), Some(&bearer), body)
                .await
        }
    };
    assert_wire!(
        "mfa_guardian_factor_put",
        put("/api/v2/guardian/factors/otp", r#"{"enabled":true}"#).await
    );
    let listed = app.get("/api/v2/guardian/factors", Some(&token)).await.json();
    assert_eq!(
        listed[2],
        json!({"name": "otp", "enabled": true, "trial_expired": false})
    );
    assert_eq!(app.get("/api/v2/guardian/policies", Some(&token)).await.body, "[]");
    assert_wire!(
        "mfa_guardian_policies_put",
        put("/api/v2/guardian/policies", r#"["all-applications"]"#).await
    );
    assert_eq!(
        app.get("/api/v2/guardian/policies", Some(&token)).await.body,
        r#"["all-applications"]"#
    );
    let unknown = put("/api/v2/guardian/factors/carrier-pigeon", r#"{"enabled":true}"#).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert_wire!(
        "mfa_guardian_policies_bad",
        put("/api/v2/guardian/policies", r#"["always"]"#).await
    );
    let missing = put("/api/v2/guardian/factors/otp", r#"{}"#).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    let read_only = app.token(App::ReadOnly).await;
    let refused = app.get("/api/v2/guardian/factors", Some(&read_only)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

/// facts A1: with the policy on, the password-realm grant answers 403 `mfa_required` with a
/// `Fe26.2*` token and `mfa_requirements.enroll` for a user with no factor; with the policy off the
/// same login gets tokens.
#[tokio::test]
async fn a_login_under_the_policy_answers_mfa_required() {
    let app = TestApp::new();
    assert_eq!(login_with(&app, json!({})).await.status, StatusCode::OK);
    mfa_on(&app, &["otp", "sms", "email", "recovery-code"]).await;
    let reply = login_with(&app, json!({})).await;
    let token = reply.json()["mfa_token"].as_str().expect("mfa_token").to_owned();
    let fields: Vec<&str> = token.split('*').collect();
    assert_eq!(fields.len(), 8, "{token}");
    assert_eq!(fields[0], "Fe26.2");
    assert_eq!(
        fields[5],
        ((crate::helpers::START.unix_timestamp() + 600) * 1000).to_string()
    );
    assert_wire!("mfa_required_enroll", reply);
}

/// facts A4, A6, A7: OTP enrolment with the `mfa_token` (base32 secret, the exact `otpauth://`
/// URI, one recovery code), confirmed by the `mfa-otp` grant with the code of the tenant clock;
/// the next login is asked to `challenge` with `otp` and `recovery-code`.
#[tokio::test]
async fn otp_enrolment_then_challenge_and_grant() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    let token = mfa_token(&app).await;
    let associated = associate(&app, &token, json!({"authenticator_types": ["otp"]})).await;
    assert_wire!("mfa_associate_otp", associated);
    let body = associated.json();
    let secret = body["secret"].as_str().expect("secret");
    assert_eq!(secret.len(), 32);
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    assert_eq!(
        body["barcode_uri"],
        format!(
            "otpauth://totp/authmock-dev:alice%40example.com?secret={secret}&issuer=authmock-dev&algorithm=SHA1&digits=6&period=30"
        )
    );
    let listed = app.get("/mfa/authenticators", Some(&token)).await;
    assert_wire!("mfa_authenticators_enrolling", listed);
    let code = current_code(&app).await;
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_wire!("mfa_otp_grant", granted);
    assert_eq!(
        claims(granted.json()["id_token"].as_str().expect("id_token"))["sub"],
        ALICE
    );

    let again = login_with(&app, json!({})).await;
    assert_wire!("mfa_required_challenge", again);
    let token = again.json()["mfa_token"].as_str().expect("token").to_owned();
    let challenge = challenge(&app, &token, Some("otp")).await;
    assert_wire!("mfa_challenge_otp", challenge);
    // The code of this step was spent by the enrolment: the next step's works.
    let reused = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_wire!("mfa_otp_reused", reused);
    app.advance(30);
    let next = current_code(&app).await;
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": next})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    // A second first-factor association with an mfa_token: the user is enrolled.
    let token = mfa_token(&app).await;
    let refused = associate(&app, &token, json!({"authenticator_types": ["otp"]})).await;
    assert_wire!("mfa_associate_already_enrolled", refused);
}

/// facts A6 (obs): the recovery-code grant answers a new code last; the used one is dead.
#[tokio::test]
async fn a_recovery_code_is_used_once_and_rotated() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    let recovery = enrol_otp(&app).await;
    let token = mfa_token(&app).await;
    let granted = mfa_grant(&app, RECOVERY, json!({"mfa_token": token, "recovery_code": recovery})).await;
    assert_wire!("mfa_recovery_grant", granted);
    let fresh = granted.json()["recovery_code"].as_str().expect("new code").to_owned();
    assert_ne!(fresh, recovery);
    let token = mfa_token(&app).await;
    let old = mfa_grant(&app, RECOVERY, json!({"mfa_token": token, "recovery_code": recovery})).await;
    assert_wire!("mfa_recovery_wrong", old);
    let ok = mfa_grant(&app, RECOVERY, json!({"mfa_token": token, "recovery_code": fresh})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

/// facts A4, A5, A6: an email authenticator gets an `oob_code`, the six-digit binding code goes to
/// the outbox, and the `mfa-oob` grant with both confirms it; a wrong binding code is refused.
/// The SMS channel answers in the recorded SMS order.
#[tokio::test]
async fn email_and_sms_codes_go_to_the_outbox() {
    let app = TestApp::new();
    mfa_on(&app, &["sms", "email", "recovery-code"]).await;
    let token = mfa_token(&app).await;
    let sms = associate(
        &app,
        &token,
        json!({"authenticator_types": ["oob"], "oob_channels": ["sms"], "phone_number": "+44207183875044"}),
    )
    .await;
    assert_wire!("mfa_associate_sms", sms);
    let associated = associate(
        &app,
        &token,
        json!({"authenticator_types": ["oob"], "oob_channels": ["email"], "email": "alice@example.com"}),
    )
    .await;
    assert_eq!(associated.status, StatusCode::OK, "{}", associated.body);
    assert!(
        associated.json().get("recovery_codes").is_none(),
        "only the first association has one"
    );
    let oob_code = associated.json()["oob_code"].as_str().expect("oob_code").to_owned();
    let binding = binding_code(&app, "alice@example.com").await;
    let wrong = if binding == "000000" { "111111" } else { "000000" };
    let refused = mfa_grant(
        &app,
        OOB,
        json!({"mfa_token": token, "oob_code": oob_code, "binding_code": wrong}),
    )
    .await;
    assert_wire!("mfa_oob_wrong_binding", refused);
    let granted = mfa_grant(
        &app,
        OOB,
        json!({"mfa_token": token, "oob_code": oob_code, "binding_code": binding}),
    )
    .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert_wire!(
        "mfa_authenticators_after_email",
        app.get("/mfa/authenticators", Some(&mfa_token(&app).await)).await
    );

    // The next login challenges the email authenticator.
    let token = mfa_token(&app).await;
    let challenge = challenge(&app, &token, Some("oob")).await;
    assert_eq!(challenge.status, StatusCode::OK, "{}", challenge.body);
    let body = challenge.json();
    assert_eq!(
        body.as_object().expect("object").keys().collect::<Vec<_>>(),
        ["challenge_type", "oob_code", "binding_method"]
    );
    let binding = binding_code(&app, "alice@example.com").await;
    let granted = mfa_grant(
        &app,
        OOB,
        json!({"mfa_token": token, "oob_code": body["oob_code"], "binding_code": binding}),
    )
    .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
}

/// facts A2, A3: a token for the MFA API (`https://T/mfa/`) asks an enrolled user for MFA, then
/// lives 600 s; with `remove:authenticators` it deletes an authenticator (204, empty, JSON
/// content type); an unknown id is 404, the `mfa_token` may not delete.
#[tokio::test]
async fn the_mfa_api_token_deletes_authenticators() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    enrol_otp(&app).await;
    let asked = login_with(
        &app,
        json!({"audience": MFA_AUDIENCE, "scope": "enroll read:authenticators remove:authenticators"}),
    )
    .await;
    assert_eq!(asked.status, StatusCode::FORBIDDEN, "{}", asked.body);
    let token = asked.json()["mfa_token"].as_str().expect("token").to_owned();
    let refused = app.delete("/mfa/authenticators/totp%7Cdev_x", &token).await;
    assert_wire!("mfa_delete_with_mfa_token", refused);
    app.advance(30);
    let code = current_code(&app).await;
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert_eq!(granted.json()["expires_in"], 600);
    let access = granted.json()["access_token"].as_str().expect("access").to_owned();
    assert_eq!(claims(&access)["aud"], MFA_AUDIENCE);
    let listed = app.get("/mfa/authenticators", Some(&access)).await.json();
    let totp = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|a| a["type"] == "otp")
        .expect("the otp authenticator")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let gone = app
        .delete(&format!("/mfa/authenticators/{}", totp.replace('|', "%7C")), &access)
        .await;
    assert_wire!("mfa_delete", gone);
    let again = app
        .delete(&format!("/mfa/authenticators/{}", totp.replace('|', "%7C")), &access)
        .await;
    assert_wire!("mfa_delete_unknown", again);
}

/// facts A1: a refresh token from before MFA applied answers `mfa_required`; one issued by an MFA
/// grant is not asked again.
#[tokio::test]
async fn a_refresh_token_from_before_the_policy_asks_for_mfa() {
    let app = TestApp::new();
    let (client_id, client_secret) = app.credentials(App::Web);
    let before = login_with(&app, json!({"scope": "openid offline_access"})).await;
    let refresh = before.json()["refresh_token"].as_str().expect("refresh").to_owned();
    mfa_on(&app, &["otp"]).await;
    let refreshed = app
        .oauth(
            &json!({"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret,
                       "refresh_token": refresh}),
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::FORBIDDEN, "{}", refreshed.body);
    assert_eq!(refreshed.json()["error"], "mfa_required");
    let token = refreshed.json()["mfa_token"].as_str().expect("token").to_owned();
    associate(&app, &token, json!({"authenticator_types": ["otp"]})).await;
    let code = current_code(&app).await;
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    let after = login_with(&app, json!({"scope": "openid offline_access"})).await;
    let token = after.json()["mfa_token"].as_str().expect("token").to_owned();
    app.advance(30);
    let code = current_code(&app).await;
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    let refresh = granted.json()["refresh_token"].as_str().expect("refresh").to_owned();
    let refreshed = app
        .oauth(
            &json!({"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret,
                       "refresh_token": refresh}),
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
}

/// Hostile: a wrong code, the spent `mfa_token` replayed, one past its 600 s, one of another
/// application, a JWT where an `mfa_token` goes, oversized and malformed parameters: each the
/// provider's error (facts A2, A5, A6), never a 500.
#[tokio::test]
async fn hostile_tokens_and_codes_get_the_providers_errors() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    let token = mfa_token(&app).await;
    associate(&app, &token, json!({"authenticator_types": ["otp"]})).await;
    let code = current_code(&app).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_wire!(
        "mfa_otp_wrong",
        mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": wrong})).await
    );
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    app.advance(30);
    let code = current_code(&app).await;
    let replayed = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_wire!("mfa_token_replayed", replayed);

    let token = mfa_token(&app).await;
    app.advance(601);
    let code = current_code(&app).await;
    assert_wire!(
        "mfa_token_expired",
        mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await
    );

    // Another application's token: the SPA has no secret and no MFA grant, so ask /mfa/challenge.
    let token = mfa_token(&app).await;
    let (backend, backend_secret) = app.credentials(App::Backend);
    let foreign = app
        .post_json(
            "/mfa/challenge",
            None,
            &json!({"client_id": backend, "client_secret": backend_secret, "mfa_token": token}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.body);
    assert_eq!(foreign.json()["error_description"], "Malformed mfa_token");

    let jwt = app.token(App::Explorer).await;
    let malformed = mfa_grant(&app, OTP, json!({"mfa_token": jwt, "otp": "123456"})).await;
    assert_wire!("mfa_token_malformed", malformed);
    let huge = "9".repeat(100_000);
    let oversized = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": huge})).await;
    assert_eq!(oversized.status, StatusCode::FORBIDDEN, "{}", oversized.body);
    assert_eq!(oversized.json()["error_description"], "Invalid otp_code.");
    let no_token = mfa_grant(&app, OTP, json!({"otp": "123456"})).await;
    assert_eq!(no_token.status, StatusCode::BAD_REQUEST, "{}", no_token.body);
    assert_eq!(
        no_token.json()["error_description"],
        "Missing required parameter: mfa_token"
    );
    let no_types = associate(&app, &token, json!({"authenticator_types": "sideways"})).await;
    assert_wire!("mfa_associate_bad_type", no_types);
    let bad_phone = associate(
        &app,
        &token,
        json!({"authenticator_types": ["oob"], "oob_channels": ["sms"], "phone_number": "call me"}),
    )
    .await;
    assert_eq!(bad_phone.status, StatusCode::BAD_REQUEST, "{}", bad_phone.body);
    let not_json = app
        .request(
            Method::POST,
            "/mfa/associate",
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            "{not json",
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST, "{}", not_json.body);
    let no_bearer = app
        .post_json("/mfa/associate", None, &json!({"authenticator_types": ["otp"]}))
        .await;
    assert_wire!("mfa_associate_no_bearer", no_bearer);
    let listed = app.get("/mfa/authenticators", Some("Fe26.2*forged")).await;
    assert_eq!(listed.status, StatusCode::UNAUTHORIZED, "{}", listed.body);
}

/// facts A6 (doc): ten failed codes empty the user's bucket, after which even the right code is
/// refused with 429 until six minutes give one attempt back.
#[tokio::test]
async fn ten_failed_codes_lock_the_user_out_for_six_minutes() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    enrol_otp(&app).await;
    let token = mfa_token(&app).await;
    app.advance(30);
    let code = current_code(&app).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for attempt in 0..10 {
        let reply = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": wrong})).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "attempt {attempt}: {}", reply.body);
    }
    let locked = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_wire!("mfa_too_many_codes", locked);
    app.advance(360);
    let token = mfa_token(&app).await;
    let code = current_code(&app).await;
    let granted = mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
}

/// Store rules: deleting the user forgets its authenticators and tokens; deleting the application
/// its pending tokens; the stores are reported with their caps.
#[tokio::test]
async fn deletions_cascade_into_the_mfa_stores() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    enrol_otp(&app).await;
    mfa_token(&app).await;
    let stores = app.summary().stores;
    assert_eq!((stores.mfa_enrolments.len, stores.mfa_tokens.len), (1, 2));
    assert_eq!(stores.mfa_tokens.capacity, 10_000);
    let token = app.token(App::Explorer).await;
    let (client_id, _) = app.credentials(App::Web);
    let deleted = app.delete(&format!("/api/v2/clients/{client_id}"), &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(app.summary().stores.mfa_tokens.len, 0);
    let deleted = app
        .delete(&format!("/api/v2/users/{}", ALICE.replace('|', "%7C")), &token)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(app.summary().stores.mfa_enrolments.len, 0);
    let code = app
        .get(
            &format!("/__authmock__/mfa/totp?user_id={}", ALICE.replace('|', "%7C")),
            None,
        )
        .await;
    assert_eq!(code.status, StatusCode::NOT_FOUND, "{}", code.body);
}

/// The control API's TOTP helper answers the code of the tenant clock's step and how long it
/// stays; an unknown user is 404.
#[tokio::test]
async fn the_control_api_tells_the_current_code() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let token = mfa_token(&app).await;
    associate(&app, &token, json!({"authenticator_types": ["otp"]})).await;
    let reply = app
        .get(
            &format!("/__authmock__/mfa/totp?user_id={}", ALICE.replace('|', "%7C")),
            None,
        )
        .await;
    let body = reply.json();
    assert_eq!(body["valid_for"], 30 - crate::helpers::START.unix_timestamp() % 30);
    assert_eq!(body["code"].as_str().expect("code").len(), 6);
    let unknown = app.get("/__authmock__/mfa/totp?user_id=auth0%7Cnobody", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
}

/// The fixture's `guardian` switches MFA on from the start (and survives a reset); an unknown
/// factor or policy is refused when the fixture is read.
#[tokio::test]
async fn the_fixture_switches_mfa_on() {
    let mut value: Value = serde_json::from_str(DEFAULT_AUTH0_FIXTURE).expect("the default fixture");
    value["guardian"] = json!({"factors": ["otp"], "policies": ["all-applications"]});
    let app = TestApp::with_fixture(Fixture::from_value(value.clone()).expect("fixture valid"));
    let reply = login_with(&app, json!({})).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(reply.json()["mfa_requirements"], json!({"enroll": [{"type": "otp"}]}));
    let reset = app.control(Method::POST, "/__authmock__/reset", None).await;
    assert!(reset.status.is_success(), "{}", reset.body);
    assert_eq!(login_with(&app, json!({})).await.json()["error"], "mfa_required");
    for bad in [
        json!({"factors": ["sms", "carrier-pigeon"]}),
        json!({"policies": ["always"]}),
    ] {
        value["guardian"] = bad;
        let built = Fixture::from_value(value.clone()).and_then(|f| {
            f.build(
                authmock::auth0::tenant::TenantAddress::http("127.0.0.1:4010".parse().expect("address")),
                authmock::core::clock::Clock::manual(crate::helpers::START),
            )
        });
        assert!(built.is_err(), "{}", value["guardian"]);
    }
}

/// The journal never shows a second factor in clear: the TOTP secret (in `secret` and inside
/// `barcode_uri`), the recovery code, codes and the `mfa_token` are masked.
#[tokio::test]
async fn the_journal_masks_every_second_factor() {
    let app = TestApp::new();
    mfa_on(&app, &["otp", "recovery-code"]).await;
    let token = mfa_token(&app).await;
    let associated = associate(&app, &token, json!({"authenticator_types": ["otp"]})).await;
    let secret = associated.json()["secret"].as_str().expect("secret").to_owned();
    let recovery = associated.json()["recovery_codes"][0]
        .as_str()
        .expect("code")
        .to_owned();
    let code = current_code(&app).await;
    mfa_grant(&app, OTP, json!({"mfa_token": token, "otp": code})).await;
    let journal = app.journal("").await.to_string();
    for (name, value) in [("secret", &secret), ("recovery code", &recovery), ("mfa_token", &token)] {
        assert!(!journal.contains(value.as_str()), "{name} in clear in the journal");
    }
    assert!(!journal.contains(&format!("\"otp\":\"{code}\"")), "otp in clear");
}

/// Answers a push notification through the control API (`POST /__authmock__/mfa/push`).
async fn decide_push(app: &TestApp, body: Value) -> Reply {
    app.control(Method::POST, "/__authmock__/mfa/push", Some(&body)).await
}

/// facts A4, A5, A6 (obs: REC-goauth0 `…_OOB_(Auth0_channel)`, TestMFAVerifyWithOOB 2023-12):
/// a push association answers `barcode_uri` (`enrollment_tx_id`, `base_url`) then the recovery
/// code, `oob_channel` `auth0` and the `oob_code`, no binding; the `mfa-oob` grant polling that
/// code answers 400 `authorization_pending` until the push is approved, then tokens, once; the
/// next login challenges the push (no `binding_method`) and a rejection answers 400
/// `access_denied` `MFA Authorization rejected.` on every poll.
#[tokio::test]
async fn a_push_waits_for_its_answer_then_grants_or_is_rejected() {
    let app = TestApp::new();
    mfa_on(&app, &["push-notification", "recovery-code"]).await;
    let reply = login_with(&app, json!({})).await;
    assert_eq!(
        reply.json()["mfa_requirements"],
        json!({"enroll": [{"type": "push-notification"}]})
    );
    let token = reply.json()["mfa_token"].as_str().expect("mfa_token").to_owned();
    let associated = associate(
        &app,
        &token,
        json!({"authenticator_types": ["oob"], "oob_channels": ["auth0"]}),
    )
    .await;
    assert_wire!("mfa_associate_push", associated);
    let oob_code = associated.json()["oob_code"].as_str().expect("oob_code").to_owned();
    assert_eq!(
        app.get("/__authmock__/outbox", None).await.json()["messages"],
        json!([]),
        "a push sends nothing to the outbox"
    );
    let poll = || mfa_grant(&app, OOB, json!({"mfa_token": token, "oob_code": oob_code}));
    assert_wire!("mfa_oob_push_pending", poll().await);
    assert_eq!(poll().await.status, StatusCode::BAD_REQUEST, "still pending");
    assert_wire!(
        "mfa_push_control_approved",
        decide_push(&app, json!({"oob_code": oob_code, "decision": "approve"})).await
    );
    let granted = poll().await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert!(granted.json()["access_token"].is_string(), "{}", granted.body);
    assert_eq!(
        poll().await.json()["error_description"],
        "Malformed mfa_token",
        "an approved push answers one grant"
    );
    let again = decide_push(&app, json!({"oob_code": oob_code, "decision": "approve"})).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);

    let reply = login_with(&app, json!({})).await;
    assert_eq!(
        reply.json()["mfa_requirements"],
        json!({"challenge": [{"type": "push-notification"}, {"type": "recovery-code"}]})
    );
    let token = reply.json()["mfa_token"].as_str().expect("mfa_token").to_owned();
    assert_wire!(
        "mfa_authenticators_after_push",
        app.get("/mfa/authenticators", Some(&token)).await
    );
    let challenge = challenge(&app, &token, Some("oob")).await;
    assert_wire!("mfa_challenge_push", challenge);
    let oob_code = challenge.json()["oob_code"].as_str().expect("oob_code").to_owned();
    let rejected = decide_push(&app, json!({"user_id": ALICE, "decision": "reject"})).await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.json()["decision"], "reject");
    let poll = || mfa_grant(&app, OOB, json!({"mfa_token": token, "oob_code": oob_code}));
    assert_wire!("mfa_oob_push_rejected", poll().await);
    assert_eq!(poll().await.json()["error"], "access_denied", "a rejection stays");
    let decided = decide_push(&app, json!({"oob_code": oob_code, "decision": "approve"})).await;
    assert_eq!(decided.status, StatusCode::CONFLICT, "{}", decided.body);
}

/// Hostile pushes: another user's `oob_code` (and another `mfa_token`'s) is `Invalid oob_code.`;
/// approving an unknown, oversized, expired or another user's code is the control API's 404, a
/// request naming nothing or deciding something else its 400; a pending poll spends no code of
/// the brute-force bucket.
#[tokio::test]
async fn hostile_pushes_get_the_providers_errors() {
    let app = TestApp::new();
    mfa_on(&app, &["push-notification"]).await;
    let explorer = app.token(App::Explorer).await;
    let carol = app
        .post_json(
            "/api/v2/users",
            Some(&explorer),
            &json!({"connection": CONNECTION, "email": "carol.push@example.com", "password": "Builder-2026-carol"}),
        )
        .await;
    assert_eq!(carol.status, StatusCode::CREATED, "{}", carol.body);
    let carol_id = carol.json()["user_id"].as_str().expect("user_id").to_owned();
    let carol_token = login_with(
        &app,
        json!({"username": "carol.push@example.com", "password": "Builder-2026-carol"}),
    )
    .await
    .json()["mfa_token"]
        .as_str()
        .expect("carol's mfa_token")
        .to_owned();
    let push = json!({"authenticator_types": ["oob"], "oob_channels": ["auth0"]});
    let carols = associate(&app, &carol_token, push.clone()).await.json()["oob_code"]
        .as_str()
        .expect("oob_code")
        .to_owned();
    let token = mfa_token(&app).await;
    let alices = associate(&app, &token, push.clone()).await.json()["oob_code"]
        .as_str()
        .expect("oob_code")
        .to_owned();
    assert_eq!(
        decide_push(&app, json!({"oob_code": carols, "decision": "approve"}))
            .await
            .status,
        StatusCode::OK
    );
    let foreign = mfa_grant(&app, OOB, json!({"mfa_token": token, "oob_code": carols})).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.body);
    assert_eq!(foreign.json()["error_description"], "Invalid oob_code.");
    let other_user = decide_push(
        &app,
        json!({"oob_code": alices, "user_id": carol_id, "decision": "approve"}),
    )
    .await;
    assert_eq!(other_user.status, StatusCode::NOT_FOUND, "{}", other_user.body);
    for body in [
        json!({"oob_code": "Fe26.2*nothing", "decision": "approve"}),
        json!({"oob_code": "x".repeat(100_000), "decision": "reject"}),
        json!({"user_id": "auth0|nobody", "decision": "approve"}),
    ] {
        let refused = decide_push(&app, body).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    }
    assert_wire!(
        "mfa_push_control_unknown",
        decide_push(&app, json!({"oob_code": "Fe26.2*nothing", "decision": "approve"})).await
    );
    for body in [
        json!({"decision": "approve"}),
        json!({"oob_code": alices, "decision": "maybe"}),
        json!({"oob_code": alices}),
    ] {
        let refused = decide_push(&app, body).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    }
    // Two undecided pushes of one second: by user, which is newer cannot be told.
    let twin = associate(&app, &token, push.clone()).await;
    assert_eq!(twin.status, StatusCode::OK, "{}", twin.body);
    let ambiguous = decide_push(&app, json!({"user_id": ALICE, "decision": "approve"})).await;
    assert_eq!(ambiguous.status, StatusCode::CONFLICT, "{}", ambiguous.body);
    let huge = mfa_grant(&app, OOB, json!({"mfa_token": token, "oob_code": "y".repeat(100_000)})).await;
    assert_eq!(huge.json()["error_description"], "Invalid oob_code.", "{}", huge.body);
    for _ in 0..12 {
        let pending = mfa_grant(&app, OOB, json!({"mfa_token": token, "oob_code": alices})).await;
        assert_eq!(pending.json()["error"], "authorization_pending", "{}", pending.body);
    }
    app.advance(301);
    let expired = mfa_grant(&app, OOB, json!({"mfa_token": token, "oob_code": alices})).await;
    assert_eq!(
        expired.json()["error_description"],
        "Invalid oob_code.",
        "{}",
        expired.body
    );
    let late = decide_push(&app, json!({"oob_code": alices, "decision": "approve"})).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND, "{}", late.body);
}

/// The journal masks a push's `oob_code` wherever it travels: the association's answer, the
/// grant's request and the control API's.
#[tokio::test]
async fn the_journal_masks_a_push_oob_code() {
    let app = TestApp::new();
    mfa_on(&app, &["push-notification"]).await;
    let token = mfa_token(&app).await;
    let oob_code = associate(
        &app,
        &token,
        json!({"authenticator_types": ["oob"], "oob_channels": ["auth0"]}),
    )
    .await
    .json()["oob_code"]
        .as_str()
        .expect("oob_code")
        .to_owned();
    decide_push(&app, json!({"oob_code": oob_code, "decision": "approve"})).await;
    let granted = mfa_grant(&app, OOB, json!({"mfa_token": token, "oob_code": oob_code})).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    let journal = app.journal("").await.to_string();
    assert!(!journal.contains(&oob_code), "oob_code in clear in the journal");
}

/// facts A3, A4, A5: a voice association is the SMS one with `oob_channel` `voice` (the sms
/// factor on; inf: the recorded body is the SMS channel's), its binding code in the outbox
/// addressed to the number and tagged `mfa-voice`; confirmed by the `mfa-oob` grant, it lists as
/// `voice|dev_…` of `type` `phone` with the masked number, and a challenge calls again; a number
/// outside E.164 (or of 100,000 digits) is the association's 400.
#[tokio::test]
async fn a_voice_code_goes_to_the_outbox_like_an_sms() {
    let app = TestApp::new();
    mfa_on(&app, &["sms"]).await;
    let token = mfa_token(&app).await;
    let phone = "+44207183875044";
    let associated = associate(
        &app,
        &token,
        json!({"authenticator_types": ["oob"], "oob_channels": ["voice"], "phone_number": phone}),
    )
    .await;
    assert_wire!("mfa_associate_voice", associated);
    let listed = app.get("/__authmock__/outbox?to=%2B44207183875044", None).await.json();
    assert_eq!(listed["messages"][0]["Tags"], json!(["mfa-voice"]), "{listed}");
    let binding = binding_code(&app, "%2B44207183875044").await;
    let granted = mfa_grant(
        &app,
        OOB,
        json!({"mfa_token": token, "oob_code": associated.json()["oob_code"], "binding_code": binding}),
    )
    .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    let token = mfa_token(&app).await;
    assert_wire!(
        "mfa_authenticators_after_voice",
        app.get("/mfa/authenticators", Some(&token)).await
    );
    let challenge = challenge(&app, &token, None).await;
    assert_eq!(challenge.status, StatusCode::OK, "{}", challenge.body);
    assert_eq!(challenge.json()["binding_method"], "prompt");
    let listed = app.get("/__authmock__/outbox?to=%2B44207183875044", None).await.json();
    assert_eq!(listed["messages"].as_array().map(Vec::len), Some(2), "{listed}");
    let token = mfa_token(&app).await;
    for bad in ["0207 183 875".to_owned(), format!("+{}", "4".repeat(100_000))] {
        let refused = associate(
            &app,
            &token,
            json!({"authenticator_types": ["oob"], "oob_channels": ["voice"], "phone_number": bad}),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(refused.json()["error_description"], "Invalid phone_number");
    }
}
