//! `GET`/`DELETE /__authmock__/journal`: every exchange, masked, bounded, filtered.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{App, FORM, TICKETS, TestApp, redact_entry};

fn snapshot(name: &str, value: &Value) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_json_snapshot!(name, value);
    });
}

#[tokio::test]
async fn a_provider_error_is_recorded_with_its_hint_and_byte_exact_body() {
    let app = TestApp::new();
    let reply = app.post_json(TICKETS, None, &json!({"user_id": "x"})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    let journal = app.journal("").await;
    assert_eq!(
        (journal["total"].clone(), journal["evicted"].clone()),
        (json!(1), json!(0))
    );
    let mut entry = journal["entries"][0].clone();
    assert_eq!(entry["outcome"], "provider_error");
    assert_eq!(entry["hint"], reply.header("x-authmock-hint").expect("hint header"));
    assert_eq!(entry["response"]["body"], reply.body.as_str(), "body as sent");
    assert_eq!(entry["tenant_time"], "2026-01-05T10:00:00Z");
    redact_entry(&mut entry);
    snapshot("control_journal_entry", &entry);
}

#[tokio::test]
async fn outcomes_tell_ok_provider_errors_and_unknown_routes_apart() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    app.get("/api/v2/users/auth0%7Cnobody", Some(&token)).await;
    app.get("/no/such/route", None).await;
    let journal = app.journal("").await;
    let outcomes: Vec<_> = journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["request"]["path"].clone(), e["outcome"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("/no/such/route"), json!("not_found")),
            (json!("/api/v2/users/auth0%7Cnobody"), json!("provider_error")),
            (json!("/oauth/token"), json!("ok")),
        ],
        "newest first; a documented 404 is a provider error, an unknown route is not_found"
    );
}

#[tokio::test]
async fn secrets_are_masked_by_default() {
    let app = TestApp::new();
    let (_, secret) = app.credentials(App::Backend);
    let token = app.token(App::Backend).await;
    app.post_json(TICKETS, Some(&token), &json!({"user_id": crate::helpers::ALICE}))
        .await;
    let (web_id, web_secret) = app.credentials(App::Web);
    let form = format!(
        "grant_type=password&username=alice%40example.com&password=Wonderland-2026&client_id={web_id}&client_secret={web_secret}&scope=openid"
    );
    app.request(Method::POST, "/oauth/token?code=abc123", Some(FORM), None, form)
        .await;

    let journal = app.journal("").await;
    let text = journal.to_string();
    for secret in [
        secret.as_str(),
        token.as_str(),
        web_secret.as_str(),
        "Wonderland-2026",
        "abc123",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the journal");
    }
    let entries = journal["entries"].as_array().expect("entries");
    let tail = |s: &str| format!("****{}", &s[s.len() - 4..]);
    let form_entry = &entries[0]["request"];
    assert_eq!(form_entry["query"], "code=****");
    assert_eq!(
        form_entry["body"],
        format!(
            "grant_type=password&username=alice%40example.com&password=****&client_id={web_id}&client_secret={}&scope=openid",
            tail(&web_secret)
        )
    );
    assert_eq!(
        entries[1]["request"]["headers"]["authorization"],
        format!("Bearer {}", tail(&token))
    );
    let token_request: Value =
        serde_json::from_str(entries[2]["request"]["body"].as_str().expect("body")).expect("JSON");
    assert_eq!(token_request["client_secret"], tail(&secret));
    let token_response: Value =
        serde_json::from_str(entries[2]["response"]["body"].as_str().expect("body")).expect("JSON");
    assert_eq!(
        token_response["access_token"],
        tail(&token),
        "same mask as the bearer header"
    );
}

/// Every secret the login endpoints carry is masked: the code in the callback's `Location`, the
/// PKCE verifier, the session cookie, `/oauth/revoke`'s `token`, `/userinfo`'s `access_token`
/// query parameter, logout's `id_token_hint`, and a ticket's link and the secret it opens with.
#[tokio::test]
async fn secrets_of_the_login_and_ticket_endpoints_are_masked() {
    use crate::login::{Browser, SPA, VERIFIER, spa_code_exchange, spa_query, url_param};
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let callback = browser.login(&spa_query("")).await;
    let code = url_param(&callback, "code").expect("code");
    let tokens = spa_code_exchange(&app, &code).await.json();
    let field = |name: &str| tokens[name].as_str().expect(name).to_owned();
    let (access, refresh, id_token) = (field("access_token"), field("refresh_token"), field("id_token"));
    app.get(&format!("/userinfo?access_token={access}"), None).await;
    let revoke = app
        .request(
            Method::POST,
            "/oauth/revoke",
            Some(FORM),
            None,
            format!("client_id={SPA}&token={refresh}&token_type_hint=refresh_token"),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK);
    browser
        .get(&format!(
            "/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2F"
        ))
        .await;
    let admin = app.token(App::Backend).await;
    let ticket = app
        .post_json(TICKETS, Some(&admin), &json!({"user_id": crate::helpers::ALICE}))
        .await
        .json()["ticket"]
        .as_str()
        .expect("ticket")
        .to_owned();
    let secret = url_param(&ticket, "ticket").expect("ticket secret");
    app.get(&format!("/u/reset-password?ticket={secret}"), None).await;

    let journal = app.journal("").await;
    let text = journal.to_string();
    let body = |s: &str| s[..s.len() - 4].to_owned();
    for (what, value) in [
        ("code", code.clone()),
        ("code_verifier", VERIFIER.to_owned()),
        ("access_token", body(&access)),
        ("refresh_token", body(&refresh)),
        ("id_token", body(&id_token)),
        ("ticket", body(&secret)),
        ("password", "Wonderland-2026".to_owned()),
    ] {
        assert!(!text.contains(&value), "{what} leaked into the journal: {value}");
    }
    let entries = journal["entries"].as_array().expect("entries");
    let revoke_entry = entries
        .iter()
        .find(|e| e["request"]["path"] == "/oauth/revoke")
        .expect("revoke journaled");
    assert_eq!(
        revoke_entry["request"]["body"],
        format!(
            "client_id={SPA}&token=****{}&token_type_hint=refresh_token",
            &refresh[refresh.len() - 4..]
        )
    );
    let mut cookies = 0;
    for entry in entries {
        for (side, name) in [("request", "cookie"), ("response", "set-cookie")] {
            if let Some(value) = entry[side]["headers"][name].as_str() {
                cookies += 1;
                let (_, value) = value.split_once('=').expect("name=value");
                assert!(value.starts_with("****"), "{name} in clear: {value}");
            }
        }
    }
    assert!(cookies > 0, "the login sets and sends its session cookie");
}

#[tokio::test]
async fn journal_secrets_keeps_them_in_clear() {
    let app = TestApp::new();
    app.tenant.journal().configure(authmock::core::journal::Settings {
        limit: 10,
        keep_secrets: true,
        ..Default::default()
    });
    let (_, secret) = app.credentials(App::Backend);
    app.token(App::Backend).await;
    assert!(app.journal("").await.to_string().contains(&secret));
}

#[tokio::test]
async fn control_api_requests_are_not_journaled() {
    let app = TestApp::new();
    app.get("/__authmock__/tenant", None).await;
    app.control(Method::POST, "/__authmock__/clock", Some(&json!({"advance_secs": 1})))
        .await;
    app.journal("").await;
    assert_eq!(app.journal("").await["total"], 0);
}

#[tokio::test]
async fn filters_select_by_method_path_status_since_and_limit() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    app.get("/.well-known/jwks.json", None).await;
    app.post_json(TICKETS, Some(&token), &json!({})).await;
    app.get("/api/v2/users-by-email?email=alice%40example.com", Some(&token))
        .await;

    let paths = |journal: &Value| -> Vec<String> {
        journal["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["request"]["path"].as_str().expect("path").to_owned())
            .collect()
    };
    assert_eq!(
        paths(&app.journal("?method=get").await),
        ["/api/v2/users-by-email", "/.well-known/jwks.json"]
    );
    assert_eq!(
        paths(&app.journal("?path=/api/v2/").await),
        ["/api/v2/users-by-email", TICKETS]
    );
    assert_eq!(paths(&app.journal("?status=403").await), [TICKETS]);
    assert_eq!(
        paths(&app.journal("?status=2xx&limit=1").await),
        ["/api/v2/users-by-email"]
    );
    let limited = app.journal("?status=2xx&limit=1").await;
    assert_eq!(
        (limited["total"].clone(), limited["matched"].clone()),
        (json!(4), json!(3))
    );
    assert_eq!(
        paths(&app.journal("?since=2999-01-01T00:00:00Z").await),
        Vec::<String>::new()
    );
    assert_eq!(app.journal("?since=2000-01-01T00:00:00Z").await["matched"], 4);
}

#[tokio::test]
async fn bad_filters_get_a_400_with_a_reason() {
    let app = TestApp::new();
    let cases = [
        ("?status=4", "`status`"),
        ("?status=abc", "`status`"),
        ("?since=yesterday", "`since`"),
        ("?limit=-1", "`limit`"),
        ("?limit=ten", "`limit`"),
        ("?colour=red", "unknown field"),
    ];
    for (query, expected) in cases {
        let reply = app.get(&format!("/__authmock__/journal{query}"), None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}: {}", reply.body);
        let message = reply.json()["message"].as_str().expect("message").to_owned();
        assert!(message.contains(expected), "{query}: {message}");
    }
}

#[tokio::test]
async fn delete_clears_the_journal() {
    let app = TestApp::new();
    app.get("/.well-known/jwks.json", None).await;
    let reply = app.control(Method::DELETE, "/__authmock__/journal", None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let journal = app.journal("").await;
    assert_eq!(
        (journal["total"].clone(), journal["entries"].clone()),
        (json!(0), json!([]))
    );
}

#[tokio::test]
async fn binary_bodies_are_stored_as_base64() {
    let app = TestApp::new();
    app.request(
        Method::POST,
        "/oauth/token",
        Some("application/octet-stream"),
        None,
        vec![0xff_u8, 0x00, 0xfe],
    )
    .await;
    let request = &app.journal("").await["entries"][0]["request"];
    assert_eq!(request["body_encoding"], "base64");
    assert_eq!(request["body"], "/wD+");
}

#[tokio::test]
async fn the_10001st_exchange_evicts_the_first_at_the_default_bound() {
    let app = TestApp::new();
    for i in 0..=10_000 {
        app.get(&format!("/nope/{i}"), None).await;
    }
    let journal = app.journal("?limit=1").await;
    assert_eq!(journal["limit"], 10_000);
    assert_eq!(journal["total"], 10_000);
    assert_eq!(journal["evicted"], 1);
    assert_eq!(journal["entries"][0]["request"]["path"], "/nope/10000");
    assert_eq!(
        app.journal("?path=/nope/0&limit=1").await["matched"],
        0,
        "/nope/0 was evicted"
    );
    assert_eq!(
        app.journal("?path=/nope/1&limit=1").await["matched"],
        1112,
        "/nope/1, /nope/10.. remain"
    );
}

/// Every credential the served endpoints accept, sent the ways the suite sends them (form, JSON,
/// query, headers, cookies), never reaches the journal in clear: the whole journal of each
/// provider is searched for each value (a tailed secret may keep its last four characters).
#[tokio::test]
async fn no_credential_of_either_provider_is_journaled_in_clear() {
    use crate::helpers::janrain::{
        Auth, CAROL, CAROL_PASSWORD, Capture, MOBILE_ID, NEW_PASSWORD, OWNER_ID, OWNER_SECRET, REFRESH_SECRET, WEB_ID,
        WEB_SECRET, signature,
    };
    use crate::login::{Browser, SPA, VERIFIER, spa_code_exchange, spa_query, url_param};

    // Auth0: a browser login (password form, session cookies, the code in the resume redirect),
    // the code exchange with its verifier, the password grant as JSON, form and query, and the
    // MFA-era grants' credentials (refused, but journaled all the same).
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let mut cookies = Vec::new();
    let first = browser.get(&format!("/authorize?{}", spa_query(""))).await;
    let ul_state = first.header("location").expect("location")["/u/login?state=".len()..].to_owned();
    let login = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", &ul_state),
                ("username", "alice@example.com"),
                ("password", "Wonderland-2026"),
                ("action", "default"),
            ],
        )
        .await;
    let resume = browser.get(login.header("location").expect("location")).await;
    for reply in [&first, &login, &resume] {
        for set in reply.headers.get_all("set-cookie") {
            let pair = set.to_str().expect("ascii").split(';').next().expect("pair");
            cookies.push(pair.split_once('=').expect("name=value").1.to_owned());
        }
    }
    assert!(!cookies.is_empty(), "the login sets its session cookies");
    let code = url_param(resume.header("location").expect("location"), "code").expect("code");
    let tokens = spa_code_exchange(&app, &code).await.json();
    let refresh = tokens["refresh_token"].as_str().expect("refresh_token").to_owned();
    let password_json = json!({"grant_type": "password", "username": "alice@example.com",
        "password": "Json-Secret-Pass-1", "client_id": SPA});
    app.post_json("/oauth/token", None, &password_json).await;
    let grants = [
        "grant_type=password&username=alice%40example.com&Password=Form-Secret-Pass-2",
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-otp&mfa_token=mfa-token-0123456789abcdef&otp=918273",
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-recovery-code&mfa_token=x&recovery_code=RECOVERY-CODE-77",
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-oob&oob_code=oob-code-0123456789&binding_code=465738",
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=subject-token-0123456789abcdef&client_assertion=assertion-0123456789abcdef",
    ];
    for grant in grants {
        app.request(
            Method::POST,
            "/oauth/token",
            Some(FORM),
            None,
            format!("{grant}&client_id={SPA}"),
        )
        .await;
    }
    app.request(
        Method::POST,
        "/oauth/token?grant_type=password&username=alice%40example.com&password=Query-Secret-Pass-3",
        Some(FORM),
        None,
        "",
    )
    .await;
    let auth0_journal = app.journal("?limit=1000").await.to_string();

    // Janrain: a password sign-in, a password change with the current one, a mobile sign-in
    // with its refresh secret, a signed refresh, an Entity API call signed in the
    // `Authorization` header, the owner's Basic credentials, a mailed code traded for tokens.
    let capture = Capture::new();
    let mobile = capture.mobile_sign_in(MOBILE_ID, Some(REFRESH_SECRET)).await;
    let token = capture.token_for(WEB_ID, CAROL, CAROL_PASSWORD).await;
    capture
        .profile(
            WEB_ID,
            &token,
            "changePasswordForm",
            &[
                ("currentPassword", CAROL_PASSWORD),
                ("newPassword", NEW_PASSWORD),
                ("newPasswordConfirm", NEW_PASSWORD),
            ],
        )
        .await;
    let date = "2026-01-05 10:00:00";
    let refresh_signature = crate::helpers::janrain::sign(REFRESH_SECRET, date, &mobile);
    capture.refresh_signed(&mobile, date).await;
    let signed = Auth::Signed {
        id: OWNER_ID,
        secret: OWNER_SECRET,
        date,
    };
    capture.call("/entity.count", signed, &[("type_name", "user")]).await;
    let header_signature = signature(OWNER_SECRET, &format!("/entity.count\n{date}\ntype_name=user\n"));
    capture.owner("/entity.count", &[("type_name", "user")]).await;
    let recovery = capture.recovery_token().await;
    capture
        .post_form(
            &format!("/oauth/auth_native_traditional?currentPassword={CAROL_PASSWORD}&refresh_secret={REFRESH_SECRET}"),
            &[("client_id", WEB_ID)],
        )
        .await;
    let janrain_journal = capture.journal("?limit=1000").await.to_string();

    let body = |s: &str| {
        if s.len() >= 12 {
            s[..s.len() - 4].to_owned()
        } else {
            s.to_owned()
        }
    };
    let mut secrets: Vec<(&str, String)> = vec![
        ("login password", "Wonderland-2026".into()),
        ("code", code.clone()),
        ("code_verifier", VERIFIER.into()),
        ("refresh_token", body(&refresh)),
        ("JSON password", "Json-Secret-Pass-1".into()),
        ("form Password", "Form-Secret-Pass-2".into()),
        ("query password", "Query-Secret-Pass-3".into()),
        ("mfa_token", body("mfa-token-0123456789abcdef")),
        ("otp", "918273".into()),
        ("recovery_code", "RECOVERY-CODE-77".into()),
        ("oob_code", body("oob-code-0123456789")),
        ("binding_code", "465738".into()),
        ("subject_token", body("subject-token-0123456789abcdef")),
        ("client_assertion", body("assertion-0123456789abcdef")),
    ];
    secrets.extend(cookies.iter().map(|c| ("cookie", body(c))));
    for (what, value) in &secrets {
        assert!(
            !auth0_journal.contains(value.as_str()),
            "Auth0 {what} in clear: {value}"
        );
    }
    for (what, value) in [
        ("currentPassword", CAROL_PASSWORD.to_owned()),
        ("newPassword", NEW_PASSWORD.to_owned()),
        ("access_token", body(&token)),
        ("refresh_secret", body(REFRESH_SECRET)),
        ("signature param", body(&refresh_signature)),
        ("Authorization: Signature", body(&header_signature)),
        ("owner secret", body(OWNER_SECRET)),
        ("client_secret", body(WEB_SECRET)),
        ("recovery access token", body(&recovery)),
    ] {
        assert!(
            !janrain_journal.contains(value.as_str()),
            "Janrain {what} in clear: {value}"
        );
    }
}
