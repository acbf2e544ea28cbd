//! The real binary on a free loopback port, driven over HTTP: the classic forum story.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> (Server, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["serve", "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the authmock binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("summary line");
    let summary: Value = serde_json::from_str(&line).expect("summary is JSON");
    (server, summary)
}

#[tokio::test]
async fn forum_story_over_real_http() {
    let (_server, summary) = start();
    let base = summary["base_url"].as_str().expect("base_url").to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "binds loopback: {base}");
    let audience = summary["audience"].as_str().expect("audience").to_owned();
    let tickets = format!("{base}/api/v2/tickets/password-change");
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
            let reply: Value = http
                .post(url)
                .json(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret, "audience": audience}))
                .send()
                .await
                .expect("token request")
                .json()
                .await
                .expect("token JSON");
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
