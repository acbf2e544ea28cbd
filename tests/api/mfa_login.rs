//! Universal Login MFA: the OTP enrolment and challenge pages after the password, the ID token's
//! `acr`/`amr`, remember-browser, step-up with `acr_values`, and the hostile cases (a code
//! replayed, wrong codes up to the shared bucket, the MFA step skipped through
//! `/authorize/resume`, the page posted from another browser or another session). Snapshots were
//! reviewed against `shared/providers/auth0-mfa-orgs.md` A8.

use axum::http::{Method, StatusCode};

use crate::helpers::{App, Reply, TestApp, claims};
use crate::login::{Browser, SPA, exchange, page_wire, spa_code_exchange, spa_query, url_param};
use crate::mfa::{current_code, mfa_on};

const MFA_ACR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

macro_rules! assert_page {
    ($name:expr, $wire:expr) => {{
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $wire);
        })
    }};
}

/// The page with its random parts masked: the transaction state, and the enrolment's secret.
fn masked_page(reply: &Reply, ul_state: &str) -> String {
    let mut wire = page_wire(reply).replace(ul_state, "[state]");
    if let Some(at) = wire.find("name=\"secret\" value=\"") {
        let start = at + "name=\"secret\" value=\"".len();
        let secret = wire[start..start + 32].to_owned();
        wire = wire.replace(&secret, "[secret]");
    }
    wire
}

/// Only the otp factor on (no policy): MFA only when `acr_values` asks for it.
async fn otp_factor_on(app: &TestApp) {
    let token = app.token(App::Explorer).await;
    let put = app
        .request(
            Method::PUT,
            "/api/v2/guardian/factors/otp",
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            r#"{"enabled":true}"#,
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
}

/// Posts the password; answers the MFA page location `/authorize/resume` sends the browser to.
pub(crate) async fn password(browser: &mut Browser<'_>, ul_state: &str) -> String {
    let posted = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", ul_state),
                ("username", "alice@example.com"),
                ("password", "Wonderland-2026"),
                ("action", "default"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", page_wire(&posted));
    // The session stays anonymous until the second factor: no cookie is set here.
    assert!(posted.header("set-cookie").is_none());
    let resume = posted.header("location").expect("location").to_owned();
    assert!(resume.starts_with("/authorize/resume?state="), "{resume}");
    let to_mfa = browser.get(&resume).await;
    assert_eq!(to_mfa.status, StatusCode::FOUND, "{}", page_wire(&to_mfa));
    to_mfa.header("location").expect("location").to_owned()
}

pub(crate) async fn post_code(
    browser: &mut Browser<'_>,
    page: &str,
    ul_state: &str,
    code: &str,
    remember: bool,
) -> Reply {
    let mut form = vec![("state", ul_state), ("code", code), ("action", "default")];
    if remember {
        form.push(("rememberBrowser", "true"));
    }
    browser.post(page, &form).await
}

/// Follows a passed code to the callback and redeems the code; answers the ID token's claims.
async fn finish(app: &TestApp, browser: &mut Browser<'_>, passed: &Reply) -> serde_json::Value {
    assert_eq!(passed.status, StatusCode::FOUND, "{}", page_wire(passed));
    let resume = passed.header("location").expect("location").to_owned();
    assert!(resume.starts_with("/authorize/resume?state="), "{resume}");
    let callback = browser.get(&resume).await;
    assert_eq!(callback.status, StatusCode::FOUND, "{}", page_wire(&callback));
    let code = url_param(callback.header("location").expect("location"), "code").expect("a code");
    let tokens = spa_code_exchange(app, &code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    claims(tokens.json()["id_token"].as_str().expect("id_token"))
}

/// The ID token's claim names, in order.
fn claim_names(claims: &serde_json::Value) -> Vec<String> {
    claims.as_object().expect("claims").keys().cloned().collect()
}

#[tokio::test]
async fn a_login_under_the_policy_enrols_then_challenges_and_the_id_token_says_mfa() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let page = password(&mut browser, &ul_state).await;
    assert_eq!(page, format!("/u/mfa-otp-enrollment-qr?state={ul_state}"));
    let shown = browser.get(&page).await;
    assert_page!("mfa_login_enrolment_page", masked_page(&shown, &ul_state));
    let wrong = post_code(&mut browser, &page, &ul_state, "000000", false).await;
    assert_page!("mfa_login_wrong_code", masked_page(&wrong, &ul_state));
    for (code, text) in [
        ("", "Please enter a code"),
        ("12345", "OTP Code must have 6 numeric characters"),
    ] {
        let refused = post_code(&mut browser, &page, &ul_state, code, false).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains(text), "{}", refused.body);
    }
    let code = current_code(&app).await;
    let passed = post_code(&mut browser, &page, &ul_state, &code, false).await;
    let id_token = finish(&app, &mut browser, &passed).await;
    assert_eq!(id_token["acr"], MFA_ACR);
    assert_eq!(id_token["amr"], serde_json::json!(["mfa"]));
    let names = claim_names(&id_token);
    let exp = names.iter().position(|n| n == "exp").expect("exp");
    assert_eq!(names[exp + 1..exp + 3], ["acr".to_owned(), "amr".to_owned()]);

    // The next login in another browser: the challenge; the code just used is refused (replay),
    // the next one passes.
    let mut other = Browser::new(&app);
    let ul_state = other.start(&spa_query("")).await;
    let page = password(&mut other, &ul_state).await;
    assert_eq!(page, format!("/u/mfa-otp-challenge?state={ul_state}"));
    let shown = other.get(&page).await;
    assert_page!("mfa_login_challenge_page", masked_page(&shown, &ul_state));
    let replayed = post_code(&mut other, &page, &ul_state, &code, false).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    assert!(replayed.body.contains("The code you entered is invalid"));
    app.advance(30);
    let next = current_code(&app).await;
    let passed = post_code(&mut other, &page, &ul_state, &next, false).await;
    let id_token = finish(&app, &mut other, &passed).await;
    assert_eq!(id_token["amr"], serde_json::json!(["mfa"]));
    // A silent login on that session: no amr (doc: DOC-stepup).
    let silent = other.get(&format!("/authorize?{}", spa_query("&prompt=none"))).await;
    let code = url_param(silent.header("location").expect("location"), "code").expect("a code");
    let tokens = spa_code_exchange(&app, &code).await;
    let silent_claims = claims(tokens.json()["id_token"].as_str().expect("id_token"));
    assert!(silent_claims.get("amr").is_none(), "{silent_claims}");
}

#[tokio::test]
async fn the_mfa_step_cannot_be_skipped_replayed_or_posted_from_another_browser() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let mut victim = Browser::new(&app);
    let ul_state = victim.start(&spa_query("")).await;
    let page = password(&mut victim, &ul_state).await;
    // Straight to /authorize/resume: back to the MFA page, never the callback.
    let skipped = victim.get(&format!("/authorize/resume?state={ul_state}")).await;
    assert_eq!(skipped.status, StatusCode::FOUND);
    assert_eq!(skipped.header("location"), Some(page.as_str()));
    // A new /authorize in the same browser: the session is not logged in, so the login page.
    let again = victim.get(&format!("/authorize?{}", spa_query(""))).await;
    assert!(
        again
            .header("location")
            .is_some_and(|l| l.starts_with("/u/login?state=")),
        "{}",
        page_wire(&again)
    );
    let none = victim.get(&format!("/authorize?{}", spa_query("&prompt=none"))).await;
    assert_eq!(
        url_param(none.header("location").expect("location"), "error").as_deref(),
        Some("login_required")
    );
    // Another browser, with no cookie or a session of its own, posting the victim's state with
    // the right code: no session is found (CSRF), and the code is not spent.
    let code = current_code(&app).await;
    let mut attacker = Browser::new(&app);
    let foreign = post_code(&mut attacker, &page, &ul_state, &code, false).await;
    assert_page!("mfa_login_session_not_found", masked_page(&foreign, &ul_state));
    attacker.start(&spa_query("")).await;
    let other_session = post_code(&mut attacker, &page, &ul_state, &code, false).await;
    assert_eq!(other_session.status, StatusCode::BAD_REQUEST);
    assert_eq!(attacker.get(&page).await.status, StatusCode::BAD_REQUEST);
    // The victim passes once; the post replayed finds a finished transaction.
    let passed = post_code(&mut victim, &page, &ul_state, &code, false).await;
    assert_eq!(passed.status, StatusCode::FOUND, "{}", page_wire(&passed));
    let replayed = post_code(&mut victim, &page, &ul_state, &code, false).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    let id_token = finish(&app, &mut victim, &passed).await;
    assert_eq!(id_token["amr"], serde_json::json!(["mfa"]));
    // A transaction that owes nothing has no MFA page.
    let mut fresh = Browser::new(&app);
    let unowed = fresh.start(&spa_query("")).await;
    let page = format!("/u/mfa-otp-challenge?state={unowed}");
    assert_eq!(fresh.get(&page).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_codes_on_the_page_and_at_the_api_share_one_bucket() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let page = password(&mut browser, &ul_state).await;
    for _ in 0..10 {
        let wrong = post_code(&mut browser, &page, &ul_state, "000000", false).await;
        assert!(wrong.body.contains("The code you entered is invalid"));
    }
    let code = current_code(&app).await;
    let locked = post_code(&mut browser, &page, &ul_state, &code, false).await;
    assert_eq!(locked.status, StatusCode::BAD_REQUEST);
    assert!(
        locked
            .body
            .contains("Too many failed codes. Wait for some minutes before retrying."),
        "{}",
        locked.body
    );
    // The MFA grant of the API finds the same empty bucket.
    let (client_id, client_secret) = app.credentials(App::Web);
    let required = app
        .oauth(&serde_json::json!({
            "grant_type": "password", "client_id": client_id, "client_secret": client_secret,
            "username": "alice@example.com", "password": "Wonderland-2026", "scope": "openid",
        }))
        .await;
    let mfa_token = required.json()["mfa_token"].as_str().expect("mfa_token").to_owned();
    let grant = app
        .oauth(&serde_json::json!({
            "grant_type": "http://auth0.com/oauth/grant-type/mfa-otp", "client_id": client_id,
            "client_secret": client_secret, "mfa_token": mfa_token, "otp": code,
        }))
        .await;
    assert_eq!(grant.status, StatusCode::TOO_MANY_REQUESTS, "{}", grant.body);
    // Six minutes give one attempt back.
    app.advance(360);
    let code = current_code(&app).await;
    let passed = post_code(&mut browser, &page, &ul_state, &code, false).await;
    assert_eq!(passed.status, StatusCode::FOUND, "{}", page_wire(&passed));
}

/// Sends with an explicit cookie header (the test browser keeps one cookie only).
async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> Reply {
    let request = axum::http::Request::builder()
        .uri(path)
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .expect("request");
    app.send(request).await
}

#[tokio::test]
async fn a_remembered_browser_skips_mfa_until_a_step_up_asks() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let page = password(&mut browser, &ul_state).await;
    let code = current_code(&app).await;
    let passed = post_code(&mut browser, &page, &ul_state, &code, true).await;
    let cookies: Vec<String> = passed
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    let remember = cookies
        .iter()
        .find(|c| c.starts_with("auth0-mf="))
        .expect("auth0-mf is set");
    assert!(remember.contains("Max-Age=2592000"), "{remember}");
    assert!(remember.contains("HttpOnly"), "{remember}");
    assert!(cookies.iter().any(|c| c.starts_with("auth0-mf_compat=")));
    let remember = remember.split(';').next().expect("pair").to_owned();

    // A new browser session carrying only auth0-mf: the password goes straight to the callback.
    let started = get_with_cookie(&app, &format!("/authorize?{}", spa_query("")), &remember).await;
    let session = started
        .header("set-cookie")
        .expect("session")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let cookie = format!("{session}; {remember}");
    let ul_state = url_param(started.header("location").expect("location"), "state").expect("state");
    let form = serde_urlencoded::to_string([
        ("state", ul_state.as_str()),
        ("username", "alice@example.com"),
        ("password", "Wonderland-2026"),
        ("action", "default"),
    ])
    .expect("form");
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/u/login?state={ul_state}"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form))
        .expect("request");
    let posted = app.send(request).await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", page_wire(&posted));
    assert!(
        posted.header("set-cookie").is_some(),
        "logged in without a second factor"
    );
    let new_session = posted
        .header("set-cookie")
        .expect("session")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let resumed = get_with_cookie(&app, posted.header("location").expect("location"), &new_session).await;
    let callback = resumed.header("location").expect("location");
    assert!(callback.starts_with("http://127.0.0.1:3000/?code="), "{callback}");

    // Without the cookie, or with acr_values, the second factor is asked again.
    let mut forgetful = Browser::new(&app);
    let ul_state = forgetful.start(&spa_query("")).await;
    assert!(
        password(&mut forgetful, &ul_state)
            .await
            .starts_with("/u/mfa-otp-challenge")
    );
    let step_up = get_with_cookie(
        &app,
        &format!(
            "/authorize?{}",
            spa_query(&format!("&acr_values={}", crate::login::urlencode(MFA_ACR)))
        ),
        &remember,
    )
    .await;
    let session = step_up
        .header("set-cookie")
        .expect("session")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let ul_state = url_param(step_up.header("location").expect("location"), "state").expect("state");
    let form = serde_urlencoded::to_string([
        ("state", ul_state.as_str()),
        ("username", "alice@example.com"),
        ("password", "Wonderland-2026"),
        ("action", "default"),
    ])
    .expect("form");
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/u/login?state={ul_state}"))
        .header("cookie", format!("{session}; {remember}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form))
        .expect("request");
    let posted = app.send(request).await;
    assert!(posted.header("set-cookie").is_none(), "the step-up ignores auth0-mf");
}

#[tokio::test]
async fn acr_values_steps_an_existing_session_up_to_mfa() {
    let app = TestApp::new();
    otp_factor_on(&app).await;
    let mut browser = Browser::new(&app);
    // No policy: a plain login asks no second factor and its ID token has no amr.
    let callback = browser.login(&spa_query("")).await;
    let code = url_param(&callback, "code").expect("code");
    let plain = claims(
        spa_code_exchange(&app, &code).await.json()["id_token"]
            .as_str()
            .expect("id_token"),
    );
    assert!(plain.get("amr").is_none() && plain.get("acr").is_none(), "{plain}");
    let step_up = spa_query(&format!("&acr_values={}", crate::login::urlencode(MFA_ACR)));
    // prompt=none cannot step up: login_required, Multifactor authentication required.
    let silent = browser.get(&format!("/authorize?{step_up}&prompt=none")).await;
    let location = silent.header("location").expect("location");
    assert_eq!(url_param(location, "error").as_deref(), Some("login_required"));
    assert_eq!(
        url_param(location, "error_description").as_deref(),
        Some("Multifactor authentication required")
    );
    // The session goes to the MFA page (enrolment: Alice has no authenticator).
    let asked = browser.get(&format!("/authorize?{step_up}")).await;
    assert_eq!(asked.status, StatusCode::FOUND);
    let page = asked.header("location").expect("location").to_owned();
    assert!(page.starts_with("/u/mfa-otp-enrollment-qr?state="), "{page}");
    let ul_state = url_param(&page, "state").expect("state");
    let code = current_code(&app).await;
    let passed = post_code(&mut browser, &page, &ul_state, &code, false).await;
    let id_token = finish(&app, &mut browser, &passed).await;
    assert_eq!(id_token["acr"], MFA_ACR);
    assert_eq!(id_token["amr"], serde_json::json!(["mfa"]));
    // Stepped up, the session answers the next step-up straight away.
    let again = browser.get(&format!("/authorize?{step_up}")).await;
    let location = again.header("location").expect("location");
    assert!(location.starts_with("http://127.0.0.1:3000/?code="), "{location}");
}

/// The journal shows neither the enrolment page's secret (in its field and its `otpauth://`
/// link) nor the code posted on the page.
#[tokio::test]
async fn the_journal_masks_the_pages_secret_and_code() {
    let app = TestApp::new();
    mfa_on(&app, &["otp"]).await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let page = password(&mut browser, &ul_state).await;
    let shown = browser.get(&page).await;
    let at = shown.body.find("name=\"secret\" value=\"").expect("the secret field") + "name=\"secret\" value=\"".len();
    let secret = shown.body[at..at + 32].to_owned();
    let code = current_code(&app).await;
    let passed = post_code(&mut browser, &page, &ul_state, &code, false).await;
    assert_eq!(passed.status, StatusCode::FOUND);
    let journal = app.journal("").await.to_string();
    assert!(journal.contains("/u/mfa-otp-enrollment-qr"), "the page is journaled");
    assert!(journal.contains("Secure Your Account"), "with its body");
    assert!(!journal.contains(&secret), "the TOTP secret in clear in the journal");
    assert!(
        !journal.contains(&format!("code={code}")),
        "the posted code in clear in the journal"
    );
}

/// facts A1 (`refresh_token` answers `mfa_required`): a browser login's rotating refresh token,
/// issued before the policy, is asked for a second factor once the policy applies to its user,
/// and stays live; the MFA grant answers a refresh token that is not asked again. A login that
/// passed the second factor on the page is not asked either.
#[tokio::test]
async fn a_browser_logins_refresh_token_is_asked_once_the_policy_applies() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let callback = browser.login(&spa_query("")).await;
    let code = url_param(&callback, "code").expect("code");
    let tokens = spa_code_exchange(&app, &code).await;
    let refresh = tokens.json()["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();
    mfa_on(&app, &["otp"]).await;
    let token = app.token(App::Explorer).await;
    let patched = app
        .patch_json(
            &format!("/api/v2/clients/{SPA}"),
            &token,
            &serde_json::json!({"grant_types": ["authorization_code", "refresh_token", crate::mfa::OTP]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let refresh_with = |token: String| {
        let app = &app;
        async move {
            exchange(
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
    let asked = refresh_with(refresh.clone()).await;
    assert_eq!(asked.status, StatusCode::FORBIDDEN, "{}", asked.body);
    assert_eq!(asked.json()["error"], "mfa_required");
    assert_eq!(
        asked.json()["mfa_requirements"],
        serde_json::json!({"enroll": [{"type": "otp"}]})
    );
    // The refused refresh spent nothing: the same token is asked again.
    let again = refresh_with(refresh).await;
    assert_eq!(again.json()["error"], "mfa_required", "{}", again.body);
    let mfa_token = again.json()["mfa_token"].as_str().expect("mfa_token").to_owned();
    let associated = app
        .request(
            Method::POST,
            "/mfa/associate",
            Some("application/json"),
            Some(&format!("Bearer {mfa_token}")),
            r#"{"authenticator_types":["otp"]}"#,
        )
        .await;
    assert_eq!(associated.status, StatusCode::OK, "{}", associated.body);
    let code = current_code(&app).await;
    let granted = exchange(
        &app,
        &[
            ("grant_type", crate::mfa::OTP),
            ("client_id", SPA),
            ("mfa_token", &mfa_token),
            ("otp", &code),
        ],
    )
    .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    let fresh = granted.json()["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();
    let refreshed = refresh_with(fresh).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    // A login that passed the code on the page: its refresh token is not asked.
    let mut browser = Browser::new(&app);
    let page = {
        let ul_state = browser.start(&spa_query("")).await;
        password(&mut browser, &ul_state).await
    };
    let ul_state = url_param(&page, "state").expect("state");
    app.advance(30);
    let code = current_code(&app).await;
    let passed = post_code(&mut browser, &page, &ul_state, &code, false).await;
    let resume = passed.header("location").expect("location").to_owned();
    let callback = browser.get(&resume).await;
    let code = url_param(callback.header("location").expect("location"), "code").expect("code");
    let tokens = spa_code_exchange(&app, &code).await;
    let refresh = tokens.json()["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();
    let refreshed = refresh_with(refresh).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
}
