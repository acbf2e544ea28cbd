//! The Janrain test helper: one Capture app behind its router on a manual clock ([`Capture`]),
//! the seeded credentials, and the calls the Janrain suites make (recovery, native forms,
//! refresh, Entity API with each credential style, control API), in one place.

use authmock::auth0::tenant::TenantAddress;
use authmock::core::clock::Clock;
use authmock::janrain::{JanrainApp, JanrainFixture};
use authmock::server;
use aws_lc_rs::hmac;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use serde_json::Value;

use super::{FORM, JSON, Reply, START};

pub const WEB_ID: &str = "q4rkd7hv2bxm9ts3ne8wfyj6cpa5gl2z";
pub const WEB_SECRET: &str = "m8w2hzk5rq7fb3xd9tnc4vj6yp2gse7a";
pub const MOBILE_ID: &str = "t6ncy3pq8wvz2kd5rh9bmx4sgf7je2la";
pub const MOBILE_SECRET: &str = "b5jx8rq2nw7kt4hz9cvd3mf6ys2pge8u";
pub const OWNER_ID: &str = "h3vz9kx5pd2rm8wq4tb7nc6jys2fea9g";
pub const RECOVER_URL: &str = "http://127.0.0.1:3000/reset-password";
pub const CAROL: &str = "carol@example.com";
pub const CAROL_PASSWORD: &str = "Carol-Password-1";
pub const NEW_PASSWORD: &str = "Brand-New-Secret-7";
pub const FLOW_VERSION: &str = "20260105100000000000";

pub const OWNER_SECRET: &str = "z7pk3wn9dx5qb2hr8ct4vm6jyf2sga4e";
pub const DAVE_UUID: &str = "8e6f2d41-3a7b-4c95-b028-6d1e5f9a2c37";

pub const REFRESH_SECRET: &str = "a0f3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9";

/// One Capture app behind its router, on a manual clock.
pub struct Capture {
    pub app: JanrainApp,
    pub router: Router,
}

impl Capture {
    pub fn new() -> Self {
        Self::with_fixture(JanrainFixture::default_app())
    }

    pub fn with_fixture(fixture: JanrainFixture) -> Self {
        let address = TenantAddress::http("127.0.0.1:4011".parse().expect("literal address"));
        let app = fixture.build(address, Clock::manual(START)).expect("fixture builds");
        Self {
            router: server::app(app.clone()),
            app,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        crate::helpers::send_to(&self.router, request).await
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(pairs).expect("encodes");
        self.send(
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header("content-type", FORM)
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    pub async fn forgot(&self, client_id: &str, email: &str) -> Reply {
        self.post_form(
            "/oauth/forgot_password_native",
            &[
                ("client_id", client_id),
                ("flow", "standard"),
                ("flow_version", FLOW_VERSION),
                ("locale", "en-US"),
                ("redirect_uri", RECOVER_URL),
                ("response_type", "code"),
                ("form", "forgotPasswordForm"),
                ("signInEmailAddress", email),
            ],
        )
        .await
    }

    /// The code in the newest mail's link.
    pub fn mailed_code(&self) -> String {
        let state = self.app.state();
        let message = state.outbox.get("latest").expect("a mail was sent");
        let link = message.links.first().expect("the mail has a link");
        link.split_once("code=").expect("link carries code=").1.to_owned()
    }

    pub async fn exchange(&self, client_id: &str, secret: &str, code: &str, redirect_uri: &str) -> Reply {
        self.post_form(
            "/oauth/token",
            &[
                ("client_id", client_id),
                ("client_secret", secret),
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ],
        )
        .await
    }

    pub async fn update(&self, client_id: &str, token: &str, new: &str, confirm: &str) -> Reply {
        self.post_form(
            "/oauth/update_profile_native",
            &[
                ("client_id", client_id),
                ("flow", "standard"),
                ("flow_version", FLOW_VERSION),
                ("locale", "en-US"),
                ("access_token", token),
                ("form", "changePasswordFormNoAuth"),
                ("newPassword", new),
                ("newPasswordConfirm", confirm),
            ],
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        self.post_form(
            "/oauth/auth_native_traditional",
            &[
                ("client_id", WEB_ID),
                ("flow", "standard"),
                ("flow_version", FLOW_VERSION),
                ("locale", "en-US"),
                ("redirect_uri", RECOVER_URL),
                ("response_type", "token"),
                ("form", "signInForm"),
                ("signInEmailAddress", email),
                ("currentPassword", password),
            ],
        )
        .await
    }

    /// Forgot password for Carol via the web client and exchange the code: an access token.
    pub async fn recovery_token(&self) -> String {
        assert_eq!(self.forgot(WEB_ID, CAROL).await.json()["stat"], "ok");
        let code = self.mailed_code();
        let reply = self.exchange(WEB_ID, WEB_SECRET, &code, RECOVER_URL).await;
        reply.json()["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Moves the app clock `secs` seconds on.
    pub fn advance(&self, secs: u64) {
        self.app.clock().advance(std::time::Duration::from_secs(secs));
    }

    pub async fn token(&self, code: &str) -> Reply {
        self.exchange(WEB_ID, WEB_SECRET, code, RECOVER_URL).await
    }

    pub async fn control(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let builder = Request::builder().method(method).uri(path);
        let request = match body {
            Some(body) => builder.header("content-type", JSON).body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.expect("request")).await
    }

    pub async fn journal(&self, query: &str) -> Value {
        let reply = self
            .control(Method::GET, &format!("/__authmock__/journal{query}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "journal: {}", reply.body);
        reply.json()
    }

    pub async fn call(&self, path: &str, auth: Auth<'_>, pairs: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("content-type", FORM);
        match auth {
            Auth::Params(id, secret) => {
                all.push(("client_id", id));
                all.push(("client_secret", secret));
            }
            Auth::Basic(id, secret) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
                request = request.header("authorization", format!("Basic {b64}"));
            }
            Auth::Signed { id, secret, date } => {
                let mut lines: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                lines.sort();
                let mut text = format!("{path}\n{date}\n");
                if !lines.is_empty() {
                    text.push_str(&(lines.join("\n") + "\n"));
                }
                request = request
                    .header("date", date)
                    .header("authorization", format!("Signature {id}:{}", signature(secret, &text)));
            }
            Auth::None => {}
        }
        let body = serde_urlencoded::to_string(&all).expect("encodes");
        self.send(request.body(Body::from(body)).expect("request")).await
    }

    pub async fn owner(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        self.call(path, Auth::Basic(OWNER_ID, OWNER_SECRET), pairs).await
    }

    pub async fn native(&self, path: &str, client_id: &str, pairs: &[(&'static str, String)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("client_id", client_id)];
        all.extend(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        self.post_form(path, &all).await
    }

    pub async fn register(&self, client_id: &str, pairs: &[(&'static str, String)]) -> Reply {
        self.native("/oauth/register_native_traditional", client_id, pairs)
            .await
    }

    pub async fn resend(&self, client_id: &str, email: &str) -> Reply {
        let mut pairs = flow("resendVerificationForm");
        pairs.push(("signInEmailAddress", email.to_owned()));
        self.native("/oauth/verify_email_native", client_id, &pairs).await
    }

    pub async fn use_code(&self, code: &str) -> Reply {
        self.post_form("/access/useVerificationCode", &[("verification_code", code)])
            .await
    }

    /// The `verification_code` of the newest mail's link.
    pub fn verification_code(&self) -> String {
        let state = self.app.state();
        let message = state.outbox.get("latest").expect("a mail was sent");
        let link = message.links.first().expect("the mail has a link");
        link.split_once("verification_code=")
            .expect("link carries verification_code=")
            .1
            .to_owned()
    }

    pub fn mails(&self) -> usize {
        self.app.state().outbox.len()
    }

    pub fn attribute(&self, email: &str, name: &str) -> Value {
        self.app.state().record_by_email(email).expect("record").attribute(name)
    }

    pub async fn token_for(&self, client_id: &str, email: &str, password: &str) -> String {
        let mut pairs = flow("signInForm");
        pairs.push(("signInEmailAddress", email.to_owned()));
        pairs.push(("currentPassword", password.to_owned()));
        let reply = self.native("/oauth/auth_native_traditional", client_id, &pairs).await;
        reply.json()["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in failed: {}", reply.wire()))
            .to_owned()
    }

    pub async fn profile(
        &self,
        client_id: &str,
        token: &str,
        form: &'static str,
        fields: &[(&'static str, &str)],
    ) -> Reply {
        let mut pairs = flow(form);
        pairs.retain(|(k, _)| *k != "redirect_uri" && *k != "response_type");
        pairs.push(("access_token", token.to_owned()));
        pairs.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
        self.native("/oauth/update_profile_native", client_id, &pairs).await
    }

    /// Carol signs in through `client_id`, posting `refresh_secret` when given.
    pub async fn mobile_sign_in(&self, client_id: &str, refresh_secret: Option<&str>) -> String {
        let pairs = sign_in_form(client_id, refresh_secret);
        let reply = self.post_form("/oauth/auth_native_traditional", &pairs).await;
        reply.json()["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in failed: {}", reply.wire()))
            .to_owned()
    }

    pub async fn refresh(&self, client_id: &str, token: &str, date: &str, signature: &str) -> Reply {
        self.post_form(
            "/oauth/refresh_access_token",
            &[
                ("client_id", client_id),
                ("flow", "standard"),
                ("flow_version", FLOW_VERSION),
                ("locale", "en-US"),
                ("access_token", token),
                ("date", date),
                ("signature", signature),
            ],
        )
        .await
    }

    /// A refresh by the mobile client, signed over `date` with the secret it signed in with.
    pub async fn refresh_signed(&self, token: &str, date: &str) -> Reply {
        self.refresh(MOBILE_ID, token, date, &sign(REFRESH_SECRET, date, token))
            .await
    }

    pub async fn entity_with(&self, token: &str) -> Value {
        self.post_form("/entity", &[("access_token", token)]).await.json()
    }
}

/// A Capture error: HTTP 200 with `stat` `error`, the code, the error and a request id.
pub fn assert_capture_error_body(reply: &Reply, code: u64, error: &str) {
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "Capture errors are HTTP 200: {}",
        reply.body
    );
    let body = reply.json();
    assert_eq!(body["stat"], "error", "{}", reply.body);
    assert_eq!(body["code"], code, "{}", reply.body);
    assert_eq!(body["error"], error, "{}", reply.body);
    assert_eq!(body["request_id"].as_str().map(str::len), Some(16), "{}", reply.body);
}

/// A Capture error with its headers.
pub fn assert_capture_error(reply: &Reply, code: u64, error: &str) {
    assert_capture_error_body(reply, code, error);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

/// How a test authenticates.
pub enum Auth<'a> {
    /// `client_id` + `client_secret` in the body.
    Params(&'a str, &'a str),
    Basic(&'a str, &'a str),
    /// `Authorization: Signature` with `Date`, computed here independently of the mock.
    Signed {
        id: &'a str,
        secret: &'a str,
        date: &'a str,
    },
    None,
}

/// The manual clock's time as a `Date` header (`START`).
pub fn now_date() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    START.format(&format).expect("formats")
}

pub fn signature(secret: &str, text: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, text.as_bytes()).as_ref())
}

pub fn flow(form: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("flow", "standard".into()),
        ("flow_version", FLOW_VERSION.into()),
        ("locale", "en-US".into()),
        ("redirect_uri", "http://127.0.0.1:3000/app".into()),
        ("response_type", "token".into()),
        ("form", form.into()),
    ]
}

pub fn sign(secret: &str, date: &str, token: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    let text = format!("refresh_access_token\n{date}\n{token}\n");
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, text.as_bytes()).as_ref())
}

/// Carol's `signInForm` post through `client_id`, with `refresh_secret` when given.
pub fn sign_in_form<'a>(client_id: &'a str, refresh_secret: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("client_id", client_id),
        ("flow", "standard"),
        ("flow_version", FLOW_VERSION),
        ("locale", "en-US"),
        ("redirect_uri", "http://127.0.0.1:3001/app"),
        ("response_type", "token"),
        ("form", "signInForm"),
        ("signInEmailAddress", CAROL),
        ("currentPassword", CAROL_PASSWORD),
    ];
    if let Some(secret) = refresh_secret {
        pairs.push(("refresh_secret", secret));
    }
    pairs
}
