//! Browser logins: `/authorize`, the Universal Login page, `/authorize/resume`, the code and
//! refresh exchanges, `/oauth/revoke`, `/userinfo` and logout, with hostile inputs.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{BASE, FORM, OPAQUE_HEADER, Reply, TestApp, claims, opaque_header};

pub const SPA: &str = "pUZ8dm0Tg4yX1kOQRvD7s2bWcNfhJe3L";
pub const WEB: &str = "Zq4cH7uXn2RkW9aLb5TfE1mVyS8dGp6J";
pub const WEB_SECRET: &str = "hT3nB8sXw1QyLk6ZrD0vM5cJ9pGf2UaEo7NiKx4RqWl-CyDs_VbTgSjAhFuOmPe2";
pub const M2M: &str = "UDWBiWXRD_P2xWg1xTy-mVGNABJxmzDC";
pub const SPA_CALLBACK: &str = "http://127.0.0.1:3000/";
pub const WEB_CALLBACK: &str = "http://127.0.0.1:3000/callback";
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Status, the headers a browser acts on, and the body with the random request id masked.
pub(crate) fn page_wire(reply: &Reply) -> String {
    let mut out = format!("HTTP {}\n", reply.status.as_u16());
    for name in [
        "content-type",
        "cache-control",
        "pragma",
        "content-language",
        "content-security-policy",
        "referrer-policy",
        "x-content-type-options",
        "x-frame-options",
        "x-robots-tag",
        "x-xss-protection",
        "location",
        "www-authenticate",
        "x-authmock-hint",
    ] {
        if let Some(value) = reply.header(name) {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    for cookie in reply.headers.get_all("set-cookie") {
        out.push_str(&format!("set-cookie: {}\n", cookie.to_str().unwrap_or("?")));
    }
    out.push('\n');
    let rid = reply.header("x-auth0-requestid").unwrap_or("no-request-id");
    out.push_str(&reply.body.replace(rid, "[request-id]"));
    out
}

macro_rules! assert_page {
    ($name:expr, $reply:expr) => {{
        let wire = page_wire(&$reply);
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, wire);
        })
    }};
}

/// A browser: one cookie jar, requests against the router.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None }
    }

    pub(crate) async fn send(&mut self, method: Method, path: &str, form: Option<&str>) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(cookie) = &self.cookie {
            builder = builder.header("cookie", cookie);
        }
        let body = match form {
            Some(form) => {
                builder = builder.header("content-type", FORM);
                Body::from(form.to_owned())
            }
            None => Body::empty(),
        };
        let reply = self.app.send(builder.body(body).expect("valid request")).await;
        if let Some(set) = reply.header("set-cookie")
            && let Some(pair) = set.split(';').next()
        {
            self.cookie = Some(pair.to_owned());
        }
        reply
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(form).expect("form encodes");
        self.send(Method::POST, path, Some(&body)).await
    }

    /// `/authorize` → the login page's `state`.
    pub(crate) async fn start(&mut self, query: &str) -> String {
        let reply = self.get(&format!("/authorize?{query}")).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{}", page_wire(&reply));
        let location = reply.header("location").expect("location").to_owned();
        location
            .strip_prefix("/u/login?state=")
            .expect("to the login page")
            .to_owned()
    }

    /// Logs in on the page and follows `/authorize/resume`: the reply to the callback.
    pub(crate) async fn log_in(&mut self, ul_state: &str, username: &str, password: &str) -> Reply {
        let reply = self
            .post(
                &format!("/u/login?state={ul_state}"),
                &[
                    ("state", ul_state),
                    ("username", username),
                    ("password", password),
                    ("action", "default"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FOUND, "{}", page_wire(&reply));
        let resume = reply.header("location").expect("location").to_owned();
        self.get(&resume).await
    }

    /// The whole login; returns the callback URL.
    pub(crate) async fn login(&mut self, query: &str) -> String {
        let ul_state = self.start(query).await;
        let reply = self.log_in(&ul_state, "alice@example.com", "Wonderland-2026").await;
        assert_eq!(reply.status, StatusCode::FOUND, "{}", page_wire(&reply));
        reply.header("location").expect("location").to_owned()
    }
}

pub(crate) fn spa_query(extra: &str) -> String {
    format!(
        "response_type=code&client_id={SPA}&redirect_uri={}&scope=openid%20profile%20email%20offline_access\
         &state=st4te&nonce=n0nce&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
        urlencode(SPA_CALLBACK)
    )
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).expect("encodes")[2..].to_owned()
}

/// A query or fragment parameter of a URL.
pub(crate) fn url_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once(['?', '#'])?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

pub(crate) async fn exchange(app: &TestApp, form: &[(&str, &str)]) -> Reply {
    let body = serde_urlencoded::to_string(form).expect("form encodes");
    app.request(Method::POST, "/oauth/token", Some(FORM), None, body).await
}

pub(crate) async fn spa_code_exchange(app: &TestApp, code: &str) -> Reply {
    exchange(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", code),
            ("redirect_uri", SPA_CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

async fn refresh(app: &TestApp, client_id: &str, token: &str) -> Reply {
    exchange(
        app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("refresh_token", token),
        ],
    )
    .await
}

#[tokio::test]
async fn pkce_login_walks_the_observed_redirect_chain_and_yields_tokens() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let reply = browser.get(&format!("/authorize?{}", spa_query(""))).await;
    assert_page!("login_authorize_to_login_page", reply);
    let ul_state = reply.header("location").expect("location")["/u/login?state=".len()..].to_owned();
    assert!(ul_state.starts_with("hKFo2SB"), "UL state shape: {ul_state}");
    let page = browser.get(&format!("/u/login?state={ul_state}")).await;
    assert_page!("login_page", page);
    let wrong = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", &ul_state),
                ("username", "alice@example.com"),
                ("password", "nope"),
                ("action", "default"),
            ],
        )
        .await;
    assert_page!("login_page_wrong_password", wrong);
    let ok = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", &ul_state),
                ("username", "Alice@Example.com"),
                ("password", "Wonderland-2026"),
                ("action", "default"),
            ],
        )
        .await;
    assert_page!("login_page_success", ok);
    let callback = browser.get(ok.header("location").expect("location")).await;
    assert_page!("login_resume_to_callback", callback);
    let location = callback.header("location").expect("location");
    assert!(location.starts_with("http://127.0.0.1:3000/?code="), "{location}");
    assert_eq!(url_param(location, "state").as_deref(), Some("st4te"));
    let code = url_param(location, "code").expect("code");
    assert_eq!(code.len(), 45);

    let tokens = spa_code_exchange(&app, &code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let body = tokens.json();
    let keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "refresh_token",
            "id_token",
            "scope",
            "expires_in",
            "token_type"
        ]
    );
    assert!(body["refresh_token"].as_str().expect("rt").starts_with("v1.M"));
    let id = claims(body["id_token"].as_str().expect("id_token"));
    let id_keys: Vec<&str> = id.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(
        id_keys,
        [
            "given_name",
            "family_name",
            "nickname",
            "name",
            "picture",
            "updated_at",
            "email",
            "email_verified",
            "iss",
            "aud",
            "iat",
            "exp",
            "sub",
            "auth_time",
            "sid",
            "nonce"
        ]
    );
    assert_eq!(id["aud"], SPA);
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(id["iss"], format!("{BASE}/"));
    assert_eq!(
        id["exp"].as_i64().expect("exp") - id["iat"].as_i64().expect("iat"),
        36_000
    );
    // No audience: the access token is opaque, for /userinfo only, 86400 s (facts §1.1, §5).
    let access = body["access_token"].as_str().expect("access_token");
    assert_eq!(opaque_header(access), OPAQUE_HEADER);
    assert_eq!(body["expires_in"], 86_400);

    // The same browser is now logged in: the next /authorize answers straight away.
    let sso = browser.get(&format!("/authorize?{}", spa_query(""))).await;
    assert_eq!(sso.status, StatusCode::FOUND);
    assert!(
        sso.header("location")
            .expect("location")
            .starts_with("http://127.0.0.1:3000/?code=")
    );
    // …unless the application asks for the form.
    for extra in ["&prompt=login", "&max_age=0"] {
        let forced = browser.get(&format!("/authorize?{}", spa_query(extra))).await;
        assert!(
            forced
                .header("location")
                .expect("location")
                .starts_with("/u/login?state="),
            "{extra}"
        );
    }
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site() {
    let app = TestApp::new();
    let reply = Browser::new(&app).get(&format!("/authorize?{}", spa_query(""))).await;
    let cookies: Vec<&str> = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii"))
        .collect();
    assert_eq!(cookies.len(), 2, "auth0 and auth0_compat: {cookies:?}");
    assert!(cookies[0].starts_with("auth0=s%3A") && cookies[0].contains("HttpOnly") && cookies[0].contains("SameSite"));
    assert!(cookies[1].starts_with("auth0_compat=") && cookies[1].contains("HttpOnly"));
}

#[tokio::test]
async fn codes_redeem_once_within_their_lifetime_and_only_for_their_client() {
    let app = TestApp::new();
    let location = Browser::new(&app).login(&spa_query("")).await;
    let code = url_param(&location, "code").expect("code");
    assert_eq!(spa_code_exchange(&app, &code).await.status, StatusCode::OK);
    let reused = spa_code_exchange(&app, &code).await;
    assert_page!("login_code_reused", reused);

    let location = Browser::new(&app).login(&spa_query("")).await;
    let code = url_param(&location, "code").expect("code");
    app.tenant.clock().advance(std::time::Duration::from_secs(61));
    let expired = spa_code_exchange(&app, &code).await;
    assert_eq!(expired.status, StatusCode::FORBIDDEN);
    assert!(expired.header("x-authmock-hint").expect("hint").contains("expired"));

    let location = Browser::new(&app).login(&spa_query("")).await;
    let code = url_param(&location, "code").expect("code");
    let other = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", WEB),
            ("client_secret", WEB_SECRET),
            ("code", &code),
            ("redirect_uri", SPA_CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(other.body.contains("Invalid authorization code"));
    // The owner can still use it: a foreign client's attempt does not spend it.
    assert_eq!(spa_code_exchange(&app, &code).await.status, StatusCode::OK);
}

#[tokio::test]
async fn pkce_is_never_skipped() {
    let app = TestApp::new();
    // No verifier, wrong verifier, and the downgrade: a confidential client's secret instead of
    // the verifier its code was issued with.
    let web_query = format!(
        "response_type=code&client_id={WEB}&redirect_uri={}&scope=openid&state=s&code_challenge={CHALLENGE}\
         &code_challenge_method=S256",
        urlencode(WEB_CALLBACK)
    );
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);
    let cases: [Case; 3] = [
        (
            "no verifier",
            spa_query(""),
            vec![("client_id", SPA), ("redirect_uri", SPA_CALLBACK)],
        ),
        (
            "wrong verifier",
            spa_query(""),
            vec![
                ("client_id", SPA),
                ("redirect_uri", SPA_CALLBACK),
                ("code_verifier", CHALLENGE),
            ],
        ),
        (
            "secret instead of verifier",
            web_query,
            vec![
                ("client_id", WEB),
                ("client_secret", WEB_SECRET),
                ("redirect_uri", WEB_CALLBACK),
            ],
        ),
    ];
    for (name, query, extra) in cases {
        let location = Browser::new(&app).login(&query).await;
        let code = url_param(&location, "code").expect("code");
        let mut form = vec![("grant_type", "authorization_code"), ("code", code.as_str())];
        form.extend(extra);
        let reply = exchange(&app, &form).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}");
        assert_eq!(
            reply.body, r#"{"error":"invalid_grant","error_description":"Failed to verify code verifier"}"#,
            "{name}"
        );
        if name == "no verifier" {
            assert_page!("login_code_without_verifier", reply);
        }
    }
    // A public client that skipped PKCE at /authorize cannot redeem without a secret either.
    let location = Browser::new(&app)
        .login(&format!(
            "response_type=code&client_id={SPA}&redirect_uri={}&scope=openid",
            urlencode(SPA_CALLBACK)
        ))
        .await;
    let code = url_param(&location, "code").expect("code");
    let reply = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", &code),
            ("redirect_uri", SPA_CALLBACK),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn plain_pkce_and_redirect_uri_binding() {
    let app = TestApp::new();
    let query = format!(
        "response_type=code&client_id={WEB}&redirect_uri={}&scope=openid&code_challenge=plain-verifier-0123456789-0123456789-0123",
        urlencode(WEB_CALLBACK)
    );
    let code = url_param(&Browser::new(&app).login(&query).await, "code").expect("code");
    let missing = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", WEB),
            ("client_secret", WEB_SECRET),
            ("code", &code),
        ],
    )
    .await;
    assert_page!("login_code_redirect_uri_required", missing);
    let code = url_param(&Browser::new(&app).login(&query).await, "code").expect("code");
    let ok = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", WEB),
            ("client_secret", WEB_SECRET),
            ("code", &code),
            ("redirect_uri", WEB_CALLBACK),
            ("code_verifier", "plain-verifier-0123456789-0123456789-0123"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(
        ok.json().get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = TestApp::new();
    let code = url_param(&Browser::new(&app).login(&spa_query("")).await, "code").expect("code");
    let first = spa_code_exchange(&app, &code).await.json()["refresh_token"]
        .as_str()
        .expect("rt")
        .to_owned();
    let rotated = refresh(&app, SPA, &first).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let body = rotated.json();
    let keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "id_token",
            "token_type",
            "scope",
            "refresh_token"
        ]
    );
    let second = body["refresh_token"].as_str().expect("rt").to_owned();
    assert_ne!(first, second);
    assert_eq!(opaque_header(body["access_token"].as_str().expect("at")), OPAQUE_HEADER);
    // The spent token comes back: reuse. The whole family dies, the live token too.
    let reused = refresh(&app, SPA, &first).await;
    assert_page!("login_refresh_reuse_detected", reused);
    let after = refresh(&app, SPA, &second).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
    assert!(after.header("x-authmock-hint").expect("hint").contains("revoked"));
}

#[tokio::test]
async fn refresh_tokens_expire_on_the_tenant_clock_and_narrow_scope() {
    let app = TestApp::new();
    let code = url_param(&Browser::new(&app).login(&spa_query("")).await, "code").expect("code");
    let token = spa_code_exchange(&app, &code).await.json()["refresh_token"]
        .as_str()
        .expect("rt")
        .to_owned();
    let wider = exchange(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", SPA),
            ("refresh_token", &token),
            ("scope", "openid admin"),
        ],
    )
    .await;
    assert_page!("login_refresh_scope_beyond_grant", wider);
    let narrower = exchange(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", SPA),
            ("refresh_token", &token),
            ("scope", "openid"),
        ],
    )
    .await;
    assert_eq!(narrower.status, StatusCode::OK, "{}", narrower.body);
    assert_eq!(narrower.json()["scope"], "openid");
    let token = narrower.json()["refresh_token"].as_str().expect("rt").to_owned();
    // The SPA's idle lifetime is 15 days in the fixture.
    app.tenant.clock().advance(std::time::Duration::from_secs(16 * 86_400));
    let idle = refresh(&app, SPA, &token).await;
    assert_eq!(idle.status, StatusCode::FORBIDDEN);
    assert!(idle.header("x-authmock-hint").expect("hint").contains("idle"));
}

#[tokio::test]
async fn non_rotating_refresh_tokens_are_reusable_and_revocable() {
    let app = TestApp::new();
    let query = format!(
        "response_type=code&client_id={WEB}&redirect_uri={}&scope=openid%20offline_access",
        urlencode(WEB_CALLBACK)
    );
    let code = url_param(&Browser::new(&app).login(&query).await, "code").expect("code");
    let tokens = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", WEB),
            ("client_secret", WEB_SECRET),
            ("code", &code),
            ("redirect_uri", WEB_CALLBACK),
        ],
    )
    .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let token = tokens.json()["refresh_token"].as_str().expect("rt").to_owned();
    for _ in 0..2 {
        let reply = exchange(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", WEB),
                ("client_secret", WEB_SECRET),
                ("refresh_token", &token),
            ],
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(
            reply.json().get("refresh_token").is_none(),
            "non-rotating: no new token"
        );
    }
    let bad_client = app
        .request(
            Method::POST,
            "/oauth/revoke",
            Some(FORM),
            None,
            format!("client_id={WEB}&client_secret=nope&token={token}"),
        )
        .await;
    assert_page!("login_revoke_invalid_client", bad_client);
    let revoked = app
        .request(
            Method::POST,
            "/oauth/revoke",
            Some("application/json"),
            None,
            json!({"client_id": WEB, "client_secret": WEB_SECRET, "token": token}).to_string(),
        )
        .await;
    assert_page!("login_revoke_ok", revoked);
    let after = exchange(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", WEB),
            ("client_secret", WEB_SECRET),
            ("refresh_token", &token),
        ],
    )
    .await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn prompt_none_answers_login_required_through_the_response_mode() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let reply = browser.get(&format!("/authorize?{}", spa_query("&prompt=none"))).await;
    assert_page!("login_prompt_none_login_required", reply);
    let silent = browser
        .get(&format!(
            "/authorize?{}",
            spa_query("&prompt=none&response_mode=web_message")
                .replace(&urlencode(SPA_CALLBACK), "http%3A%2F%2F127.0.0.1%3A3000")
        ))
        .await;
    assert_page!("login_web_message_login_required", silent);
    browser.login(&spa_query("")).await;
    let silent = browser
        .get(&format!(
            "/authorize?{}",
            spa_query("&prompt=none&response_mode=web_message")
                .replace(&urlencode(SPA_CALLBACK), "http%3A%2F%2F127.0.0.1%3A3000")
        ))
        .await;
    assert_eq!(silent.status, StatusCode::OK);
    assert!(
        silent
            .body
            .contains(r#""type":"authorization_response","response":{"code":""#),
        "{}",
        silent.body
    );
    assert!(silent.body.contains(r#"var targetOrigin = "http://127.0.0.1:3000";"#));
}

#[tokio::test]
async fn form_post_fragment_and_implicit_modes() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    browser.login(&spa_query("")).await;
    let form_post = browser
        .get(&format!("/authorize?{}", spa_query("&response_mode=form_post")))
        .await;
    assert_eq!(form_post.status, StatusCode::OK);
    assert!(
        form_post
            .body
            .contains(r#"<form method="post" action="http://127.0.0.1:3000/">"#)
    );
    assert!(
        form_post
            .body
            .contains(r#"<input type="hidden" name="state" value="st4te">"#)
    );
    let implicit = browser
        .get(&format!(
            "/authorize?response_type=token%20id_token&client_id={SPA}&redirect_uri={}&scope=openid&nonce=n&state=s",
            urlencode(SPA_CALLBACK)
        ))
        .await;
    let location = implicit.header("location").expect("location");
    assert!(
        location.starts_with("http://127.0.0.1:3000/#access_token="),
        "{location}"
    );
    assert_eq!(url_param(location, "expires_in").as_deref(), Some("7200"));
    assert_eq!(
        opaque_header(&url_param(location, "access_token").expect("access_token")),
        OPAQUE_HEADER
    );
    assert_eq!(url_param(location, "token_type").as_deref(), Some("Bearer"));
    assert_eq!(
        claims(&url_param(location, "id_token").expect("id_token"))["nonce"],
        "n"
    );
}

#[tokio::test]
async fn authorize_errors_render_the_page_until_the_callback_is_proven() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let cb = urlencode(SPA_CALLBACK);
    let cases = [
        ("login_error_missing_response_type", format!("client_id={SPA}")),
        (
            "login_error_unknown_client",
            "response_type=code&client_id=nobody".to_owned(),
        ),
        (
            "login_error_callback_mismatch",
            format!("response_type=code&client_id={SPA}&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fother&state=s"),
        ),
        (
            "login_error_grant_not_allowed",
            format!(
                "response_type=token&client_id={WEB}&redirect_uri={}&state=s",
                urlencode(WEB_CALLBACK)
            ),
        ),
        (
            "login_error_service_not_found",
            format!(
                "response_type=code&client_id={SPA}&redirect_uri={cb}&state=s&audience=https%3A%2F%2Fnope.example%2F"
            ),
        ),
        (
            "login_error_unsupported_response_type",
            format!("response_type=magic&client_id={SPA}&redirect_uri={cb}&state=s"),
        ),
    ];
    for (name, query) in cases {
        let reply = browser.get(&format!("/authorize?{query}")).await;
        assert!(
            reply.header("x-authmock-hint").is_some(),
            "{name}: every login error has a hint"
        );
        assert_page!(name, reply);
    }
    let m2m = browser
        .get(&format!(
            "/authorize?response_type=code&client_id={M2M}&redirect_uri={cb}"
        ))
        .await;
    assert_eq!(
        m2m.status,
        StatusCode::BAD_REQUEST,
        "a machine-to-machine app has no callbacks"
    );
}

#[tokio::test]
async fn blocked_users_end_at_the_callback_with_unauthorized() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let reply = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", &ul_state),
                ("username", "carol@example.com"),
                ("password", "Blocked-2026"),
                ("action", "default"),
            ],
        )
        .await;
    assert_page!("login_blocked_user", reply);
}

#[tokio::test]
async fn userinfo_answers_by_scope_and_refuses_bad_tokens() {
    let app = TestApp::new();
    let code = url_param(&Browser::new(&app).login(&spa_query("")).await, "code").expect("code");
    let access = spa_code_exchange(&app, &code).await.json()["access_token"]
        .as_str()
        .expect("at")
        .to_owned();
    let reply = app.get("/userinfo", Some(&access)).await;
    assert_page!("login_userinfo", reply);
    let bad = app.get("/userinfo", Some("a.b.c")).await;
    assert_page!("login_userinfo_invalid_token", bad);
    app.tenant.clock().advance(std::time::Duration::from_secs(2 * 86_400));
    let expired = app.get("/userinfo", Some(&access)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(
        expired
            .header("www-authenticate")
            .expect("challenge")
            .contains("The token has expired")
    );
}

/// RFC 6750's other two places for the token: the `access_token` query parameter (Node
/// strategies on the `oauth` package) and a form-encoded POST body; the hint names the place.
#[tokio::test]
async fn userinfo_reads_the_token_from_the_query_or_a_form_body() {
    let app = TestApp::new();
    let code = url_param(&Browser::new(&app).login(&spa_query("")).await, "code").expect("code");
    let access = spa_code_exchange(&app, &code).await.json()["access_token"]
        .as_str()
        .expect("at")
        .to_owned();
    let by_header = app.get("/userinfo", Some(&access)).await;
    let by_query = app.get(&format!("/userinfo?access_token={access}"), None).await;
    assert_page!("login_userinfo_query", by_query);
    let by_form = app
        .request(
            Method::POST,
            "/userinfo",
            Some(FORM),
            None,
            format!("access_token={access}"),
        )
        .await;
    assert_eq!(by_form.status, StatusCode::OK, "{}", by_form.body);
    assert_eq!(by_form.body, by_header.body);
    assert!(by_form.header("x-authmock-hint").expect("hint").contains("form body"));
    // The header wins over the query; a bad query token is the usual 401.
    let both = app.get("/userinfo?access_token=a.b.c", Some(&access)).await;
    assert_eq!(both.status, StatusCode::OK);
    let bad = app.get("/userinfo?access_token=a.b.c", None).await;
    assert_page!("login_userinfo_query_invalid_token", bad);
    // A GET's body is not read, as RFC 6750 §2.2 allows the body only where the method has one.
    let get_body = app
        .request(
            Method::GET,
            "/userinfo",
            Some(FORM),
            None,
            format!("access_token={access}"),
        )
        .await;
    assert_eq!(get_body.status, StatusCode::UNAUTHORIZED);
    // The journal masks the token wherever it was sent.
    let journal = app.journal("?path=/userinfo").await.to_string();
    assert!(
        !journal.contains(&access[..access.len() - 4]),
        "token in clear: {journal}"
    );
}

/// Hostile bodies on `/userinfo`'s form path: one past the 1 MB cap answers the provider's 413
/// without reading it whole, and a body that is not url-encoded is a request without a token.
#[tokio::test]
async fn userinfo_refuses_an_oversized_body_and_reads_no_token_from_a_garbled_one() {
    let app = TestApp::new();
    let huge = format!("access_token={}", "a".repeat(1_048_577));
    let oversized = app.request(Method::POST, "/userinfo", Some(FORM), None, huge).await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", oversized.body);
    let garbled = app
        .request(
            Method::POST,
            "/userinfo",
            Some(FORM),
            None,
            vec![0xff, b'=', 0xfe, b'&', b'%'],
        )
        .await;
    assert_eq!(garbled.status, StatusCode::UNAUTHORIZED, "{}", garbled.body);
    assert!(garbled.header("www-authenticate").is_some());
}

#[tokio::test]
async fn logout_checks_return_to_and_ends_the_session() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    browser.login(&spa_query("")).await;
    let bad = browser
        .get(&format!(
            "/v2/logout?client_id={SPA}&returnTo=https%3A%2F%2Fevil.example%2F"
        ))
        .await;
    assert_page!("login_logout_return_to_not_allowed", bad);
    let ok = browser
        .get(&format!(
            "/v2/logout?client_id={SPA}&returnTo=http%3A%2F%2F127.0.0.1%3A3000%2F%3Fbye%3D1"
        ))
        .await;
    assert_page!("login_logout_ok", ok);
    // The cookie is gone, and so is the session behind it.
    let silent = browser.get(&format!("/authorize?{}", spa_query("&prompt=none"))).await;
    assert!(
        silent
            .header("location")
            .expect("location")
            .contains("error=login_required")
    );
    let mut again = Browser::new(&app);
    let cookie = {
        again.login(&spa_query("")).await;
        again.cookie.clone()
    };
    let oidc = again
        .get(&format!(
            "/oidc/logout?client_id={SPA}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2F&state=x%20y"
        ))
        .await;
    assert_eq!(oidc.header("location"), Some("http://127.0.0.1:3000/?state=x%20y"));
    again.cookie = cookie;
    let silent = again.get(&format!("/authorize?{}", spa_query("&prompt=none"))).await;
    assert!(
        silent
            .header("location")
            .expect("location")
            .contains("error=login_required"),
        "old cookie is dead"
    );
}

/// An origin without its trailing slash is the same URL as with it: `http://127.0.0.1:3000` is
/// accepted where `http://127.0.0.1:3000/` is allowed, and the browser goes to the latter
/// (a real tenant answered `Location: http://localhost:3000/` for `http://localhost:3000`).
#[tokio::test]
async fn logout_return_to_without_the_origins_trailing_slash_is_allowed() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    browser.login(&spa_query("")).await;
    let v2 = browser
        .get(&format!(
            "/v2/logout?client_id={SPA}&returnTo=http%3A%2F%2F127.0.0.1%3A3000"
        ))
        .await;
    assert_page!("login_logout_return_to_without_slash", v2);
    // Without client_id, the tenant's list is read the same way.
    let tenant_list = browser
        .get("/v2/logout?returnTo=http%3A%2F%2F127.0.0.1%3A3000%3Fbye%3D1")
        .await;
    assert_eq!(tenant_list.header("location"), Some("http://127.0.0.1:3000/?bye=1"));
    browser.login(&spa_query("")).await;
    let oidc = browser
        .get(&format!(
            "/oidc/logout?client_id={SPA}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000&state=s1"
        ))
        .await;
    assert_eq!(oidc.status, StatusCode::FOUND, "{}", page_wire(&oidc));
    assert_eq!(oidc.header("location"), Some("http://127.0.0.1:3000/?state=s1"));
    // A path is still a path: a slash added to one is another URL.
    let other_path = browser
        .get(&format!(
            "/v2/logout?client_id={SPA}&returnTo=http%3A%2F%2F127.0.0.1%3A3000%2F%2F"
        ))
        .await;
    assert_eq!(other_path.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn redirect_uri_and_return_to_are_matched_exactly() {
    let app = TestApp::new();
    let hostile = [
        "http://127.0.0.1:3000/callback/",
        "http://127.0.0.1:3000/callback/../evil",
        "http://127.0.0.1:3000/callback?next=https://evil.example",
        "http://127.0.0.1:3000/callback#x",
        "http://127.0.0.1:3000@evil.example/callback",
        "http://127.0.0.1:3000.evil.example/callback",
        "HTTP://127.0.0.1:3000/callback",
        "http://127.0.0.1:3000/callback\u{0}",
        "http://127.0.0.1:3000/callback\r\nSet-Cookie: x=y",
        "//evil.example/callback",
        "javascript:alert(1)//http://127.0.0.1:3000/callback",
        "http://127.0.0.1:3000/%63allback",
    ];
    for uri in hostile {
        let query = format!(
            "response_type=code&client_id={WEB}&redirect_uri={}&state=s",
            urlencode(uri)
        );
        let reply = app.get(&format!("/authorize?{query}"), None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri:?}");
        assert!(reply.header("location").is_none(), "{uri:?} must not redirect");
        assert!(!reply.body.contains("<script"), "{uri:?} is escaped");
        assert!(reply.header("set-cookie").is_none(), "{uri:?} injects no header");
    }
    // Badly encoded input is only ever a mismatch.
    for raw in ["redirect_uri=%E0%A4%A", "redirect_uri=%ff%fe", "redirect_uri=%%%"] {
        let reply = app
            .get(&format!("/authorize?response_type=code&client_id={WEB}&{raw}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{raw}");
    }
    for return_to in [
        "https://127.0.0.1:3000/",
        "http://127.0.0.1:3000.evil.example/",
        "http://127.0.0.1:3000/x",
        "//evil.example",
    ] {
        let reply = app
            .get(
                &format!("/v2/logout?client_id={SPA}&returnTo={}", urlencode(return_to)),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{return_to}");
    }
    // An allowed returnTo with a hostile query still cannot break the header.
    let reply = app
        .get(
            &format!(
                "/v2/logout?client_id={SPA}&returnTo={}",
                urlencode("http://127.0.0.1:3000/?a=\r\nb")
            ),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.header("location"), Some("http://127.0.0.1:3000/?a=%0D%0Ab"));
}

#[tokio::test]
async fn huge_and_odd_state_is_echoed_untouched() {
    let app = TestApp::new();
    let state: String = "aé &=#?/+%".chars().cycle().take(16 * 1024).collect();
    let query = spa_query("").replace("state=st4te", &format!("state={}", urlencode(&state)));
    let location = Browser::new(&app).login(&query).await;
    assert_eq!(url_param(&location, "state").as_deref(), Some(state.as_str()));
}

#[tokio::test]
async fn login_form_refuses_csrf_and_replays() {
    let app = TestApp::new();
    let mut victim = Browser::new(&app);
    let ul_state = victim.start(&spa_query("")).await;
    let form = [
        ("state", ul_state.as_str()),
        ("username", "alice@example.com"),
        ("password", "Wonderland-2026"),
        ("action", "default"),
    ];
    // Posted from another browser (no cookie, or its own): the transaction is not theirs.
    let mut attacker = Browser::new(&app);
    let foreign = attacker.post(&format!("/u/login?state={ul_state}"), &form).await;
    assert_page!("login_page_session_not_found", foreign);
    attacker.start(&spa_query("")).await;
    let other_cookie = attacker.post(&format!("/u/login?state={ul_state}"), &form).await;
    assert_eq!(other_cookie.status, StatusCode::BAD_REQUEST);
    // The victim's own post works once; replaying the post or the resume fails.
    let ok = victim.post(&format!("/u/login?state={ul_state}"), &form).await;
    assert_eq!(ok.status, StatusCode::FOUND);
    let replay = victim.post(&format!("/u/login?state={ul_state}"), &form).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    let resume = ok.header("location").expect("location").to_owned();
    assert_eq!(victim.get(&resume).await.status, StatusCode::FOUND);
    assert_eq!(victim.get(&resume).await.status, StatusCode::BAD_REQUEST);
    // Junk bodies are answered, never a 500.
    for body in ["%%%", "state=%ff", &"a".repeat(70 * 1024)] {
        let reply = victim
            .send(Method::POST, &format!("/u/login?state={ul_state}"), Some(body))
            .await;
        assert!(reply.status.is_client_error(), "{}", reply.status);
    }
}

#[tokio::test]
async fn discovery_lists_only_urls_that_are_served() {
    let app = TestApp::new();
    let doc = app.get("/.well-known/openid-configuration", None).await.json();
    let mut walked = 0;
    for (key, value) in doc.as_object().expect("object") {
        let Some(url) = value.as_str().filter(|v| v.starts_with("http") && key != "issuer") else {
            continue;
        };
        let path = url.strip_prefix(BASE).expect("same host");
        let method = if key == "token_endpoint" || key == "revocation_endpoint" {
            Method::POST
        } else {
            Method::GET
        };
        let reply = app.request(method.clone(), path, Some(FORM), None, "").await;
        assert_ne!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{key}: {method} {path} is advertised but not served"
        );
        walked += 1;
    }
    assert_eq!(
        walked, 6,
        "authorize, token, userinfo, jwks, revoke, end_session … {doc}"
    );
}

#[tokio::test]
async fn tenant_summary_lists_each_applications_callbacks() {
    let app = TestApp::new();
    let summary = app.get("/__authmock__/tenant", None).await.json();
    let spa = summary["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .find(|c| c["client_id"] == SPA)
        .expect("the SPA")
        .clone();
    assert_eq!(spa["callbacks"][0], SPA_CALLBACK);
    assert_eq!(spa["token_endpoint_auth_method"], "none");
    assert_eq!(
        spa["web_origins"],
        json!(["http://127.0.0.1:3000", "http://localhost:3000"])
    );
}

#[tokio::test]
async fn the_journal_shows_each_browser_step() {
    let app = TestApp::new();
    Browser::new(&app).login(&spa_query("")).await;
    let journal = app.journal("").await;
    let entries: Vec<Value> = journal["entries"].as_array().cloned().unwrap_or_default();
    let paths: Vec<String> = entries
        .iter()
        .filter_map(|e| e["request"]["path"].as_str().map(str::to_owned))
        .collect();
    for step in ["/authorize", "/u/login", "/authorize/resume"] {
        assert!(paths.iter().any(|p| p == step), "journal lacks {step}: {paths:?}");
    }
}

/// With RBAC and "Add Permissions in the Access Token" on the API, the browser-login flows (code,
/// rotating refresh, implicit) put the same `permissions` claim after `scope` as the password
/// grant does, and keep only the API scopes the user holds (facts auth0-users.md §6).
#[tokio::test]
async fn browser_login_tokens_carry_rbac_permissions() {
    const API: &str = "https://api.example.com/";
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.apis[0].rbac = true;
    fixture.apis[0].permissions_in_token = true;
    let app = TestApp::with_fixture(fixture);
    let admin = app.token(crate::helpers::App::Admin).await;
    let granted = app
        .post_json(
            "/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36/permissions",
            Some(&admin),
            &json!({"permissions": [{"resource_server_identifier": API, "permission_name": "read:messages"}]}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let query = format!(
        "response_type=code&client_id={SPA}&redirect_uri={}&scope={}&audience={}&state=st4te\
         &code_challenge={CHALLENGE}&code_challenge_method=S256",
        urlencode(SPA_CALLBACK),
        urlencode("openid offline_access read:messages write:messages"),
        urlencode(API)
    );
    let mut browser = Browser::new(&app);
    let code = url_param(&browser.login(&query).await, "code").expect("code");
    let tokens = spa_code_exchange(&app, &code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let body = tokens.json();
    assert_eq!(body["scope"], "openid offline_access read:messages");
    let access = claims(body["access_token"].as_str().expect("access_token"));
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_json_snapshot!("login_code_grant_rbac_access_token", access);
    });

    let rotated = refresh(&app, SPA, body["refresh_token"].as_str().expect("rt")).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let access = claims(rotated.json()["access_token"].as_str().expect("at"));
    assert_eq!(access["permissions"], json!(["read:messages"]));
    assert_eq!(access["scope"], "openid offline_access read:messages");
    assert_eq!(access["gty"], "refresh_token");

    let implicit = browser
        .get(&format!(
            "/authorize?response_type=token&client_id={SPA}&redirect_uri={}&scope=openid%20write:messages\
             &audience={}&state=s",
            urlencode(SPA_CALLBACK),
            urlencode(API)
        ))
        .await;
    let location = implicit.header("location").expect("location");
    let access = claims(&url_param(location, "access_token").expect("access_token"));
    assert_eq!(access["permissions"], json!(["read:messages"]), "{location}");
    assert_eq!(access["scope"], "openid");
    assert_eq!(url_param(location, "scope").as_deref(), Some("openid"));
}

#[tokio::test]
async fn a_cookie_planted_before_login_never_becomes_the_victims_session() {
    let app = TestApp::new();
    let mut attacker = Browser::new(&app);
    attacker.start(&spa_query("")).await;
    let planted = attacker.cookie.clone().expect("the anonymous auth0 cookie");
    let mut victim = Browser {
        app: &app,
        cookie: Some(planted.clone()),
    };
    let ul_state = victim.start(&spa_query("")).await;
    let posted = victim
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", ul_state.as_str()),
                ("username", "alice@example.com"),
                ("password", "Wonderland-2026"),
                ("action", "default"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", page_wire(&posted));
    let cookies: Vec<&str> = posted
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii"))
        .collect();
    let fresh = victim.cookie.clone().expect("a new session cookie");
    assert_ne!(fresh, planted, "authentication issues a new session id");
    let id = fresh.trim_start_matches("auth0=");
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies[0].starts_with(&format!("auth0={id};")), "{cookies:?}");
    assert!(cookies[1].starts_with(&format!("auth0_compat={id};")), "{cookies:?}");
    let resumed = victim.get(posted.header("location").expect("resume")).await;
    assert!(url_param(resumed.header("location").expect("callback"), "code").is_some());

    let silent = format!("/authorize?{}", spa_query("&prompt=none"));
    let replayed = attacker.get(&silent).await;
    let callback = replayed.header("location").expect("callback");
    assert_eq!(
        url_param(callback, "error").as_deref(),
        Some("login_required"),
        "the planted cookie yields no code: {callback}"
    );
    let compat_only = app
        .send(
            Request::builder()
                .uri(&silent)
                .header("cookie", planted.replace("auth0=", "auth0_compat="))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let callback = compat_only.header("location").expect("callback");
    assert_eq!(
        url_param(callback, "error").as_deref(),
        Some("login_required"),
        "{callback}"
    );
    let victim_silent = victim.get(&silent).await;
    let callback = victim_silent.header("location").expect("callback");
    assert!(
        url_param(callback, "code").is_some(),
        "the victim's own session works: {callback}"
    );
}

#[tokio::test]
async fn a_replayed_code_revokes_the_tokens_of_its_first_use() {
    let app = TestApp::new();
    let code = url_param(&Browser::new(&app).login(&spa_query("")).await, "code").expect("code");
    let first = spa_code_exchange(&app, &code).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let body = first.json();
    let refresh_token = body["refresh_token"].as_str().expect("rt").to_owned();
    let access = body["access_token"].as_str().expect("at").to_owned();
    assert_eq!(
        opaque_header(&access),
        OPAQUE_HEADER,
        "without an audience: an opaque token"
    );
    assert_eq!(app.get("/userinfo", Some(&access)).await.status, StatusCode::OK);

    let replayed = spa_code_exchange(&app, &code).await;
    assert_eq!(replayed.status, StatusCode::FORBIDDEN);
    assert_eq!(
        replayed.body, r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#,
        "the replay is answered as any spent code"
    );
    let refreshed = refresh(&app, SPA, &refresh_token).await;
    assert_eq!(refreshed.status, StatusCode::FORBIDDEN, "{}", refreshed.body);
    assert!(
        refreshed
            .header("x-authmock-hint")
            .expect("hint")
            .contains("authorization code it came from was presented again")
    );
    assert_eq!(
        app.get("/userinfo", Some(&access)).await.status,
        StatusCode::UNAUTHORIZED,
        "the opaque access token of the first use is revoked too"
    );
    let again = spa_code_exchange(&app, &code).await;
    assert_eq!(again.body, replayed.body, "a third presentation answers the same");
}

/// The headers of a rendered New Universal Login page (a 2024 capture of `/u/login`).
const UNIVERSAL_LOGIN_HEADERS: [(&str, &str); 9] = [
    ("cache-control", "no-store, max-age=0, no-transform"),
    ("content-language", "en"),
    ("content-security-policy", "frame-ancestors 'none'"),
    ("pragma", "no-cache"),
    ("referrer-policy", "same-origin"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "deny"),
    ("x-robots-tag", "noindex, nofollow"),
    ("x-xss-protection", "1; mode=block"),
];

fn carries_universal_login_headers(reply: &Reply) -> bool {
    UNIVERSAL_LOGIN_HEADERS
        .iter()
        .all(|(name, value)| reply.header(name) == Some(value))
}

#[tokio::test]
async fn every_universal_login_page_refuses_framing() {
    let app = TestApp::new();
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let form = browser.get(&format!("/u/login?state={ul_state}")).await;
    let wrong = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", ul_state.as_str()),
                ("username", "alice@example.com"),
                ("password", "nope"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let reset = app.get("/u/reset-password?ticket=nope", None).await;
    let verify = app.get("/u/email-verification?ticket=nope", None).await;
    let unblock = app.get("/u/unblock?ticket=nope", None).await;
    for (page, reply) in [
        ("login form", &form),
        ("login form with its error", &wrong),
        ("reset", &reset),
        ("verification", &verify),
        ("unblock", &unblock),
    ] {
        assert!(carries_universal_login_headers(reply), "{page}: {}", page_wire(reply));
    }
    // The hosted error page keeps the headers the capture shows for it.
    let error_page = Browser::new(&app).get(&format!("/u/login?state={ul_state}")).await;
    assert_eq!(error_page.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(error_page.header("x-frame-options"), None);
    // web_message answers inside the application's iframe: never framing-protected.
    let mut logged_in = Browser::new(&app);
    logged_in.login(&spa_query("")).await;
    let silent = logged_in
        .get(&format!(
            "/authorize?{}",
            spa_query("&prompt=none&response_mode=web_message")
                .replace(&urlencode(SPA_CALLBACK), "http%3A%2F%2F127.0.0.1%3A3000")
        ))
        .await;
    assert_eq!(silent.status, StatusCode::OK);
    assert_eq!(silent.header("x-frame-options"), None);
    assert_eq!(silent.header("content-security-policy"), None);
}
