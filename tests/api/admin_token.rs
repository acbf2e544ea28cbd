//! `serve --bind` and `--admin-token` on the real binary: no control API beyond loopback
//! without a token, and with one every `/__authmock__/` path wants it.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::blackbox::Server;
use crate::helpers::Reply;

const TOKEN: &str = "correct-horse-battery-staple";

#[test]
fn serve_refuses_to_bind_beyond_loopback_without_a_token() {
    let output = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["serve", "--bind", "0.0.0.0", "--port", "0", "--json"])
        .env_remove("AUTHMOCK_ADMIN_TOKEN")
        .env_remove("AUTHMOCK_BIND")
        .output()
        .expect("the authmock binary runs");
    assert!(!output.status.success(), "exit status {:?}", output.status);
    assert!(output.stdout.is_empty(), "nothing served, no summary printed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to serve the control API on 0.0.0.0 without --admin-token"),
        "{stderr}"
    );
}

async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a body");
    Reply { status, headers, body }
}

#[tokio::test]
async fn with_a_token_every_control_path_needs_it_and_provider_paths_do_not() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args([
            "serve",
            "--bind",
            "0.0.0.0",
            "--port",
            "0",
            "--json",
            "--admin-token",
            TOKEN,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the authmock binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let _server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let auth0: Value = serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("JSON");
    let janrain: Value = serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("JSON");
    authmock::core::crypto::install();
    let http = reqwest::Client::new();

    for base in [&auth0["base_url"], &janrain["base_url"]] {
        let base = base.as_str().expect("base_url");
        for path in ["/__authmock__/tenant", "/__authmock__/journal", "/__authmock__/nothing"] {
            let anonymous = reply(http.get(format!("{base}{path}")).send().await.expect("sent")).await;
            assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{base}{path}");
            assert_eq!(anonymous.json()["error"], "unauthorized", "{base}{path}");
            let wrong = http
                .get(format!("{base}{path}"))
                .bearer_auth("guess")
                .send()
                .await
                .expect("sent");
            assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{base}{path}");
        }
        let allowed = http
            .get(format!("{base}/__authmock__/tenant"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("sent");
        assert_eq!(allowed.status(), StatusCode::OK, "{base}");
    }
    let base = auth0["base_url"].as_str().expect("base_url");
    let anonymous = reply(
        http.get(format!("{base}/__authmock__/journal"))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_wire!("control_admin_token_missing", anonymous);
    let provider = http
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(provider.status(), StatusCode::OK, "provider paths need no admin token");

    // A runtime tenant inherits the token.
    let created = http
        .post(format!("{base}/__authmock__/tenants"))
        .bearer_auth(TOKEN)
        .json(&json!({"provider": "auth0"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let runtime: Value = created.json().await.expect("JSON");
    let runtime_base = runtime["base_url"].as_str().expect("base_url");
    let anonymous = http
        .get(format!("{runtime_base}/__authmock__/tenant"))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let allowed = http
        .get(format!("{runtime_base}/__authmock__/tenant"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(allowed.status(), StatusCode::OK);
}
