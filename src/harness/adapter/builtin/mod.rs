//! The reference client: every operation done as a careful integrator would, with reqwest.
//!
//! It caches the Management API token until shortly before it expires (and fetches a fresh one
//! once when the provider answers `Expired token`), sends JSON with
//! `Content-Type: application/json`, names the connection by `connection_id`, percent-encodes
//! user ids in paths, waits for `x-ratelimit-reset` before retrying a 429 (a bounded number of
//! times), never retries another 4xx, and never puts a secret in a URL. On Janrain it posts
//! form-encoded bodies, treats `"stat":"error"` as the error it is (Capture answers most errors
//! with HTTP 200), repeats the forgot-password `redirect_uri` when exchanging the code, and
//! uses the same login client throughout.
//!
//! Which method performs which operation is the operations table's to say (`harness::operations`):
//! `run` (`builtin/dispatch.rs`) only looks the operation up there.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};

use crate::harness::protocol::{Auth0Provider, JanrainProvider, ProviderError};

/// How many times a 429 is retried before it is reported.
const MAX_RETRIES: u32 = 3;
/// The longest the client waits for one rate-limit window to reset.
const MAX_WAIT: Duration = Duration::from_secs(2);
/// A cached token is renewed this long before it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

mod applications;
mod dispatch;
mod entity;
mod login;
mod native;
mod users;

pub struct ReferenceClient {
    http: reqwest::Client,
    token: Option<CachedToken>,
    /// The browser-login transaction and tokens (`auth0.begin_login` and after).
    login: LoginSession,
}

/// What the application remembers between the redirect and the callback, and after.
#[derive(Debug, Default)]
pub struct LoginSession {
    pending: Option<Pending>,
    app: Option<App>,
    refresh_token: Option<String>,
    access_token: Option<String>,
}

#[derive(Debug, Clone)]
struct App {
    client_id: String,
    client_secret: Option<String>,
    redirect_uri: String,
}

#[derive(Debug)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    /// The `acr_values` asked for (a step-up): the ID token must answer it.
    acr_values: Option<String>,
    /// The organization the login was started through, which the ID token must name.
    organization: Option<String>,
}

struct CachedToken {
    key: (String, String, String),
    token: String,
    renew_at: Instant,
}

impl Default for ReferenceClient {
    fn default() -> Self {
        Self::new()
    }
}

impl ReferenceClient {
    pub fn new() -> Self {
        let http = crate::harness::transport::trust(reqwest::Client::builder().timeout(Duration::from_secs(10)))
            .build()
            .expect("a reqwest client with at most one extra root certificate builds");
        Self {
            http,
            token: None,
            login: LoginSession::default(),
        }
    }

    /// `janrain.send_password_recovery_email`: the forgot-password form, with the redirect URI
    /// the code exchange repeats.
    pub(crate) async fn send_password_recovery_email(
        &mut self,
        p: &JanrainProvider,
        args: &Value,
    ) -> Result<Value, Failure> {
        let form = &p.forms.forgot_password;
        let mut params = flow_params(p, &form.name);
        params.push(("redirect_uri".into(), p.redirect_uri.clone()));
        params.push((field(&form.email_field), text(args, "email")));
        self.capture(p, "/oauth/forgot_password_native", &params, false)
            .await
            .map(|_| json!({}))
    }

    /// `janrain.exchange_code`: the mailed code for an access token, with the forgot-password
    /// call's redirect URI.
    pub(crate) async fn exchange_code(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let params = vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), text(args, "code")),
            ("redirect_uri".to_owned(), p.redirect_uri.clone()),
        ];
        self.capture(p, "/oauth/token", &params, true).await.map(|body| {
            json!({
                "access_token": body["access_token"],
                "refresh_token": body["refresh_token"],
                "expires_in": body["expires_in"],
            })
        })
    }

    /// `janrain.update_password`: the change-password form with the exchanged access token.
    pub(crate) async fn update_password(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let form = &p.forms.change_password;
        let mut params = flow_params(p, &form.name);
        params.push(("access_token".into(), text(args, "access_token")));
        params.push((field(&form.password_field), text(args, "new_password")));
        params.push((field(&form.confirm_field), text(args, "new_password_confirm")));
        self.capture(p, "/oauth/update_profile_native", &params, false)
            .await
            .map(|_| json!({}))
    }

    /// `janrain.sign_in`: the sign-in form, for an access token and the user's uuid.
    pub(crate) async fn sign_in(&mut self, p: &JanrainProvider, args: &Value) -> Result<Value, Failure> {
        let form = &p.forms.sign_in;
        let mut params = flow_params(p, &form.name);
        params.push(("redirect_uri".into(), p.redirect_uri.clone()));
        params.push(("response_type".into(), "token".into()));
        params.push((field(&form.email_field), text(args, "email")));
        params.push((field(&form.password_field), text(args, "password")));
        self.capture(p, "/oauth/auth_native_traditional", &params, false)
            .await
            .map(|body| json!({"access_token": body["access_token"], "uuid": body["capture_user"]["uuid"]}))
    }

    /// A Capture call that carries no client at all (`/access/useVerificationCode`).
    async fn capture_unauthenticated(
        &self,
        p: &JanrainProvider,
        path: &str,
        params: &[(String, String)],
    ) -> Result<Value, Failure> {
        let response = self
            .http
            .post(format!("{}{path}", p.base_url))
            .form(params)
            .send()
            .await
            .map_err(|e| Failure::Transport(format!("request failed: {e}")))?;
        let status = response.status().as_u16();
        match read(response).await {
            Ok(body) if body["stat"] == "ok" => Ok(body),
            Ok(body) => Err(Failure::Provider(ProviderError {
                status,
                body,
                headers: None,
            })),
            Err(failure) => Err(failure),
        }
    }

    /// One Capture call: a form-encoded POST (client credentials as HTTP Basic on `/oauth/token`,
    /// the login client's `client_id` in the form elsewhere). Capture answers most errors with
    /// HTTP 200 and `"stat":"error"`, so the body decides, not the status.
    async fn capture(
        &self,
        p: &JanrainProvider,
        path: &str,
        params: &[(String, String)],
        basic: bool,
    ) -> Result<Value, Failure> {
        let mut request = self.http.post(format!("{}{path}", p.base_url));
        let mut form = params.to_vec();
        if basic {
            request = request.basic_auth(&p.client_id, Some(&p.client_secret));
        } else {
            form.insert(0, ("client_id".into(), p.client_id.clone()));
        }
        let response = request
            .form(&form)
            .send()
            .await
            .map_err(|e| Failure::Transport(format!("request failed: {e}")))?;
        let status = response.status().as_u16();
        let body = match read(response).await {
            Ok(body) if body["stat"] == "ok" => return Ok(body),
            Ok(body) => body,
            Err(failure) => return Err(failure),
        };
        Err(Failure::Provider(ProviderError {
            status,
            body,
            headers: None,
        }))
    }

    pub(crate) async fn management_token(&mut self, p: &Auth0Provider) -> Result<String, Failure> {
        let key = (p.base_url.clone(), p.client_id.clone(), p.audience.clone());
        if let Some(cached) = &self.token
            && cached.key == key
            && Instant::now() < cached.renew_at
        {
            return Ok(cached.token.clone());
        }
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": p.client_id,
            "client_secret": p.client_secret,
            "audience": p.audience,
        });
        let answer = self
            .send(|| self.http.post(format!("{}/oauth/token", p.base_url)).json(&body))
            .await?;
        let token = answer["access_token"].as_str().unwrap_or_default().to_owned();
        let lifetime = Duration::from_secs(answer["expires_in"].as_u64().unwrap_or(0));
        self.token = Some(CachedToken {
            key,
            token: token.clone(),
            renew_at: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN),
        });
        Ok(token)
    }

    pub(crate) async fn create_ticket(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let mut body = serde_json::Map::new();
        if let Some(user_id) = args.get("user_id") {
            body.insert("user_id".into(), user_id.clone());
        } else if let Some(email) = args.get("email") {
            body.insert("email".into(), email.clone());
            body.insert("connection_id".into(), json!(p.connection_id));
        }
        for optional in [
            "result_url",
            "ttl_sec",
            "client_id",
            "mark_email_as_verified",
            "includeEmailInRedirect",
        ] {
            if let Some(value) = args.get(optional) {
                body.insert(optional.into(), value.clone());
            }
        }
        let url = format!("{}/api/v2/tickets/password-change", p.base_url);
        self.management(p, token, |http, token| http.post(&url).bearer_auth(token).json(&body))
            .await
    }

    /// A Management API call with the cached token; when the provider says the token expired
    /// (its clock ran past `exp` before the client's did), one fresh token and one more try.
    async fn management(
        &mut self,
        p: &Auth0Provider,
        token: String,
        build: impl Fn(&Client, &str) -> RequestBuilder,
    ) -> Result<Value, Failure> {
        match self.send(|| build(&self.http, &token)).await {
            Err(Failure::Provider(error))
                if error.status == 401
                    && error.body["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("Expired token")) =>
            {
                self.token = None;
                let token = self.management_token(p).await?;
                self.send(|| build(&self.http, &token)).await
            }
            other => other,
        }
    }

    pub(crate) async fn send_reset_email(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let body = json!({
            "client_id": p.login_client_id,
            "email": args["email"],
            "connection": p.connection,
        });
        let url = format!("{}/dbconnections/change_password", p.base_url);
        self.send(|| self.http.post(&url).json(&body)).await
    }

    pub(crate) async fn set_password(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let user_id = args["user_id"].as_str().unwrap_or_default();
        let url = format!(
            "{}/api/v2/users/{}",
            p.base_url,
            utf8_percent_encode(user_id, NON_ALPHANUMERIC)
        );
        let body = json!({ "password": args["password"], "connection": p.connection });
        self.management(p, token, |http, token| {
            http.request(Method::PATCH, &url).bearer_auth(token).json(&body)
        })
        .await
    }

    pub(crate) async fn find_by_email(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let token = self.management_token(p).await?;
        let email = args["email"].as_str().unwrap_or_default().to_owned();
        let url = format!("{}/api/v2/users-by-email", p.base_url);
        let users = self
            .management(p, token, |http, token| {
                http.get(&url).bearer_auth(token).query(&[("email", &email)])
            })
            .await?;
        Ok(json!({ "users": users }))
    }

    pub(crate) async fn login(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        let body = json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
            "client_id": p.login_client_id,
            "client_secret": p.login_client_secret,
            "username": args["email"],
            "password": args["password"],
            "realm": p.connection,
            "scope": "openid",
        });
        let url = format!("{}/oauth/token", p.base_url);
        let tokens = self.send(|| self.http.post(&url).json(&body)).await?;
        Ok(json!({ "logged_in": tokens.get("access_token").is_some() }))
    }

    /// The `mfa-otp` grant for the login application: the `mfa_token` of its `mfa_required`
    /// and the one-time code.
    pub(crate) async fn verify_mfa_otp(&mut self, p: &Auth0Provider, args: &Value) -> Result<Value, Failure> {
        // The application the mfa_token was issued to: the browser login's (a refresh asked), else
        // the password grant's.
        let (client_id, client_secret) = match &self.login.app {
            Some(app) => (app.client_id.clone(), app.client_secret.clone()),
            None => (p.login_client_id.clone(), Some(p.login_client_secret.clone())),
        };
        let mut body = json!({
            "grant_type": "http://auth0.com/oauth/grant-type/mfa-otp",
            "client_id": client_id,
            "mfa_token": args["mfa_token"],
            "otp": args["otp"],
        });
        if let Some(secret) = client_secret {
            body["client_secret"] = json!(secret);
        }
        let url = format!("{}/oauth/token", p.base_url);
        let tokens = self.send(|| self.http.post(&url).json(&body)).await?;
        Ok(json!({ "access_token": tokens["access_token"] }))
    }

    /// Sends the request built by `build`, retrying a 429 after its window resets.
    async fn send(&self, build: impl Fn() -> RequestBuilder) -> Result<Value, Failure> {
        let mut retries = 0;
        loop {
            let response = build()
                .send()
                .await
                .map_err(|e| Failure::Transport(format!("request failed: {e}")))?;
            let status = response.status();
            if status.as_u16() == 429 && retries < MAX_RETRIES {
                retries += 1;
                tokio::time::sleep(wait_for_reset(&response)).await;
                continue;
            }
            return read(response).await;
        }
    }
}

/// The string argument `key` of a run, empty when absent.
fn text(args: &Value, key: &str) -> String {
    args[key].as_str().unwrap_or_default().to_owned()
}

/// A form field name from the run's provider details, empty when absent.
fn field(name: &Option<String>) -> String {
    name.clone().unwrap_or_default()
}

/// The login client and flow fields every `/oauth/*_native` form starts with.
fn flow_params(p: &JanrainProvider, form: &str) -> Vec<(String, String)> {
    vec![
        ("flow".into(), p.flow.clone()),
        ("flow_version".into(), p.flow_version.clone()),
        ("locale".into(), p.locale.clone()),
        ("form".into(), form.to_owned()),
    ]
}

pub(crate) enum Failure {
    Provider(ProviderError),
    Transport(String),
}

/// How long until the rate-limit window named by `x-ratelimit-reset` (unix seconds) resets.
fn wait_for_reset(response: &Response) -> Duration {
    let reset = response
        .headers()
        .get("x-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    match reset {
        Some(reset) => Duration::from_secs(reset).saturating_sub(now).min(MAX_WAIT),
        None => Duration::from_secs(1),
    }
}

async fn read(response: Response) -> Result<Value, Failure> {
    let status = response.status();
    let headers: serde_json::Map<String, Value> = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ratelimit-") || name.as_str() == "retry-after")
        .filter_map(|(name, value)| Some((name.to_string(), json!(value.to_str().ok()?))))
        .collect();
    let text = response
        .text()
        .await
        .map_err(|e| Failure::Transport(format!("reading the body: {e}")))?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if status.is_success() {
        Ok(body)
    } else {
        Err(Failure::Provider(ProviderError {
            status: status.as_u16(),
            body,
            headers: (!headers.is_empty()).then_some(headers),
        }))
    }
}
