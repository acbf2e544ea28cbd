//! The real binary on a free loopback port, driven over HTTP: the classic forum story.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// Kills the server when the test ends, however it ends.
pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `authmock serve` on free ports; returns the Auth0 and the Janrain summaries (its two
/// `--json` lines, in that order).
pub(crate) fn start() -> (Server, Value, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["serve", "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the authmock binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut summary = |provider: &str| {
        let line = lines.next().expect("a summary line").expect("read");
        let summary: Value = serde_json::from_str(&line).expect("summary is JSON");
        assert_eq!(summary["provider"], provider);
        summary
    };
    let auth0 = summary("auth0");
    let janrain = summary("janrain");
    (server, auth0, janrain)
}

#[tokio::test]
async fn forum_story_over_real_http() {
    let (_server, summary, _) = start();
    let base = summary["base_url"].as_str().expect("base_url").to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "binds loopback: {base}");
    let audience = summary["audience"].as_str().expect("audience").to_owned();
    let tickets = format!("{base}/api/v2/tickets/password-change");
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    let post_ticket = |bearer: Option<&str>, body: Value| {
        let mut request = http.post(&tickets).json(&body);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        async move { request.send().await.expect("sent") }
    };
    let client = |i: usize| {
        (
            summary["clients"][i]["client_id"].as_str().expect("id").to_owned(),
            summary["clients"][i]["client_secret"]
                .as_str()
                .expect("secret")
                .to_owned(),
        )
    };
    let token = |(id, secret): (String, String)| {
        let http = http.clone();
        let url = format!("{base}/oauth/token");
        let audience = audience.clone();
        async move {
            let body = json!({"grant_type": "client_credentials", "client_id": id,
                              "client_secret": secret, "audience": audience});
            let reply = fetch_json(http.post(url).json(&body)).await;
            reply["access_token"].as_str().expect("access_token").to_owned()
        }
    };

    // 1. No token at all.
    let reply = post_ticket(None, json!({"user_id": "x"})).await;
    assert_eq!(reply.status(), 401);
    assert!(reply.headers().contains_key("x-authmock-hint"));
    assert_eq!(
        reply.text().await.expect("body"),
        r#"{"statusCode":401,"error":"Unauthorized","message":"Missing authentication"}"#
    );

    // 2. A garbage bearer (the client secret pasted as a token).
    let (_, secret) = client(0);
    let reply = post_ticket(Some(&secret), json!({"user_id": "x"})).await;
    assert_eq!(reply.status(), 400);
    assert_eq!(
        reply.json::<Value>().await.expect("json")["message"],
        "Bad HTTP authentication header format"
    );

    // 3. A token from the read-only application.
    let read_only = token(client(1)).await;
    let reply = post_ticket(Some(&read_only), json!({"user_id": "x"})).await;
    assert_eq!(reply.status(), 403);
    assert_eq!(
        reply.json::<Value>().await.expect("json")["message"],
        "Insufficient scope, expected any of: create:user_tickets"
    );

    // 4. A form body under a JSON content type (the PHP classic).
    let full = token(client(0)).await;
    let connection_id = summary["connections"][0]["id"]
        .as_str()
        .expect("connection id")
        .to_owned();
    let reply = http
        .post(&tickets)
        .bearer_auth(&full)
        .header("content-type", "application/json")
        .body(format!("email=alice%40example.com&connection_id={connection_id}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 400);
    assert_eq!(
        reply.text().await.expect("body"),
        r#"{"statusCode":400,"error":"Bad Request","message":"Invalid request payload JSON format"}"#
    );

    // 5. `connection` instead of `connection_id`.
    let reply = post_ticket(
        Some(&full),
        json!({"email": "alice@example.com", "connection": "Username-Password-Authentication"}),
    )
    .await;
    assert_eq!(reply.status(), 400);
    assert_eq!(
        reply.text().await.expect("body"),
        r#"{"statusCode":400,"error":"Bad Request","message":"Payload validation error: 'Additional properties not allowed: connection'.","errorCode":"invalid_body"}"#
    );

    // 6. Done right.
    let reply = post_ticket(
        Some(&full),
        json!({"email": "alice@example.com", "connection_id": connection_id}),
    )
    .await;
    assert_eq!(reply.status(), 201);
    let ticket = reply.json::<Value>().await.expect("json")["ticket"]
        .as_str()
        .expect("ticket")
        .to_owned();
    assert!(
        ticket.starts_with(&format!("{base}/u/reset-password?ticket=")),
        "{ticket}"
    );
    assert!(ticket.ends_with('#'));
}

#[tokio::test]
async fn embedded_tenant_serves_on_a_free_loopback_port_until_dropped() {
    let idp = authmock::Authmock::start().await;
    let uri = idp.uri();
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    let jwks: Value = reqwest::get(format!("{uri}/.well-known/jwks.json"))
        .await
        .expect("served")
        .json()
        .await
        .expect("json");
    assert_eq!(jwks["keys"][0]["kid"], idp.tenant().key().kid());
    drop(idp);
    let mut refused = false;
    for _ in 0..50 {
        if reqwest::get(format!("{uri}/.well-known/jwks.json")).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the listener closes after drop");
}

/// A user's side of the reset journeys, over real HTTP against the running binary.
struct User {
    http: reqwest::Client,
    base: String,
    summary: Value,
}

impl User {
    fn new(summary: Value) -> Self {
        authmock::core::crypto::install();
        Self {
            // A browser follows redirects, but the tests look at where they point.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: summary["base_url"].as_str().expect("base_url").to_owned(),
            summary,
        }
    }

    fn client(&self, name: &str) -> (String, String) {
        let clients = self.summary["clients"].as_array().expect("clients");
        let client = clients
            .iter()
            .find(|c| c["name"].as_str().is_some_and(|n| n.starts_with(name)))
            .expect("client in the summary");
        let field = |f: &str| client[f].as_str().expect("string").to_owned();
        (field("client_id"), field("client_secret"))
    }

    async fn forgot(&self, email: &str) -> reqwest::Response {
        let (client_id, _) = self.client("Web app");
        self.http
            .post(format!("{}/dbconnections/change_password", self.base))
            .json(&json!({"client_id": client_id, "email": email, "connection": "Username-Password-Authentication"}))
            .send()
            .await
            .expect("sent")
    }

    async fn outbox(&self, to: &str) -> Value {
        let url = format!("{}/__authmock__/outbox?to={to}", self.base);
        fetch_json(self.http.get(url)).await
    }

    async fn latest_link(&self, to: &str) -> String {
        let id = self.outbox(to).await["messages"][0]["ID"]
            .as_str()
            .expect("a mail")
            .to_owned();
        let url = format!("{}/__authmock__/outbox/{id}", self.base);
        let message: Value = fetch_json(self.http.get(url)).await;
        message["Links"][0].as_str().expect("link").to_owned()
    }

    /// Opens the link and submits the form found on the page.
    async fn reset(&self, link: &str, password: &str) -> reqwest::Response {
        // What a browser sends: the URL without its fragment.
        let link = link.split('#').next().expect("url");
        let page = self.http.get(link).send().await.expect("sent");
        assert_eq!(page.status(), 200);
        let page = page.text().await.expect("html");
        let attr = |marker: &str| {
            let start = page.find(marker).expect("marker on the page") + marker.len();
            page[start..].split('"').next().expect("quote").replace("&amp;", "&")
        };
        let action = format!("{}{}", self.base, attr("action=\""));
        let csrf = attr("name=\"_csrf\" value=\"");
        self.http
            .post(action)
            .form(&[
                ("_csrf", csrf.as_str()),
                ("password", password),
                ("confirm_password", password),
            ])
            .send()
            .await
            .expect("sent")
    }

    async fn login(&self, email: &str, password: &str) -> u16 {
        let (client_id, client_secret) = self.client("Web app");
        self.http
            .post(format!("{}/oauth/token", self.base))
            .form(&[
                ("grant_type", "http://auth0.com/oauth/grant-type/password-realm"),
                ("client_id", &client_id),
                ("client_secret", &client_secret),
                ("username", email),
                ("password", password),
                ("realm", "Username-Password-Authentication"),
            ])
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16()
    }

    async fn management_ticket(&self, user_id: &str) -> String {
        let (client_id, client_secret) = self.client("Backend");
        let token: Value = fetch_json(
            self.http
                .post(format!("{}/oauth/token", self.base))
                .json(&json!({"grant_type": "client_credentials", "client_id": client_id,
                          "client_secret": client_secret, "audience": self.summary["audience"]})),
        )
        .await;
        let reply: Value = fetch_json(
            self.http
                .post(format!("{}/api/v2/tickets/password-change", self.base))
                .bearer_auth(token["access_token"].as_str().expect("token"))
                .json(&json!({"user_id": user_id})),
        )
        .await;
        reply["ticket"].as_str().expect("ticket").to_owned()
    }
}

#[tokio::test]
async fn management_ticket_journey_over_real_http() {
    let (_server, summary, _) = start();
    let user = User::new(summary);
    let alice = user.summary["users"][0].clone();
    let (email, old) = (
        alice["email"].as_str().expect("email"),
        alice["password"].as_str().expect("pw"),
    );
    let link = user.management_ticket(alice["user_id"].as_str().expect("id")).await;
    let done = user.reset(&link, "Mirror-Maze-2031").await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.expect("html").contains("Password Changed!"));
    assert_eq!(user.login(email, "Mirror-Maze-2031").await, 200);
    assert_eq!(user.login(email, old).await, 403);
    let reuse = user.http.get(link.trim_end_matches('#')).send().await.expect("sent");
    assert_eq!(reuse.status(), 400);
    assert!(
        reuse
            .text()
            .await
            .expect("html")
            .contains("This link has already been used.")
    );
}

#[tokio::test]
async fn forgot_password_journey_over_real_http() {
    let (_server, summary, _) = start();
    let user = User::new(summary);
    let alice = user.summary["users"][0].clone();
    let email = alice["email"].as_str().expect("email");

    let unknown = user.forgot("nobody@example.com").await;
    assert_eq!(unknown.status(), 200);
    let unknown_body = unknown.text().await.expect("text");
    assert_eq!(user.outbox("nobody@example.com").await["count"], 0);

    let first = user.forgot(email).await;
    assert_eq!(first.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(
        first.text().await.expect("text"),
        unknown_body,
        "no account enumeration"
    );
    let stale = user.latest_link(email).await;
    user.forgot(email).await;
    let link = user.latest_link(email).await;
    assert_ne!(stale, link);
    let refused = user.http.get(stale.trim_end_matches('#')).send().await.expect("sent");
    assert_eq!(refused.status(), 400, "only the newest link works");

    let done = user.reset(&link, "Mirror-Maze-2032").await;
    assert_eq!(done.status(), 302, "back to the application's login route");
    assert_eq!(done.headers()["location"], "http://127.0.0.1:3000/login");
    assert_eq!(user.login(email, "Mirror-Maze-2032").await, 200);
}

/// Sends a request and reads its JSON body.
async fn fetch_json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.expect("sent").json().await.expect("a JSON body")
}
