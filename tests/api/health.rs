//! `GET /__authmock__/health`, `serve --ready-file` and `authmock healthcheck` on the real
//! binary, started from a directory outside the checkout (nothing is read from the working
//! directory: fixtures and keys are built in).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::Value;

use crate::assert_wire;
use crate::blackbox::Server;
use crate::helpers::Reply;

const TOKEN: &str = "health-test-token";

/// Waits for `path` to exist; the server writes it in one step.
fn wait_for(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} was not written within 20 s", path.display());
}

fn healthcheck(url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["healthcheck", "--url", url, "--timeout", "5"])
        .env_remove("AUTHMOCK_HEALTH_URL")
        .output()
        .expect("the authmock binary runs")
}

#[tokio::test]
async fn every_listener_is_healthy_once_the_ready_file_appears_and_needs_no_admin_token() {
    let cwd = tempfile::tempdir().expect("a temporary directory");
    let ready = cwd.path().join("ready.json");
    let child = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["serve", "--port", "0", "--admin-token", TOKEN, "--ready-file"])
        .arg(&ready)
        .current_dir(cwd.path())
        .env_remove("AUTHMOCK_BIND")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the authmock binary starts");
    let mut server = Server(child);
    let text = wait_for(&ready);
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is a JSON summary"))
        .collect();
    assert_eq!(lines.len(), 2, "one line per listener: {text}");
    assert_eq!(lines[0]["provider"], "auth0");
    assert_eq!(lines[1]["provider"], "janrain");
    assert!(
        !cwd.path().join("ready.json.partial").exists(),
        "the file is renamed into place"
    );

    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    for summary in &lines {
        let base = summary["base_url"].as_str().expect("base_url");
        // No retry: the file promises the ports accept connections.
        let health = http
            .get(format!("{base}/__authmock__/health"))
            .send()
            .await
            .expect("the listener accepts a connection");
        let status = health.status();
        let body: Value = health.json().await.expect("JSON");
        assert_eq!(status, StatusCode::OK, "{base}");
        assert_eq!(body["status"], "ok");
        assert_eq!(body["provider"], summary["provider"]);
        let other = http
            .get(format!("{base}/__authmock__/journal"))
            .send()
            .await
            .expect("sent");
        assert_eq!(
            other.status(),
            StatusCode::UNAUTHORIZED,
            "the token still guards the rest"
        );
        let wrong_method = http
            .post(format!("{base}/__authmock__/health"))
            .send()
            .await
            .expect("sent");
        assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);

        let ok = healthcheck(base);
        assert!(
            ok.status.success(),
            "healthcheck {base}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
    let base = lines[0]["base_url"].as_str().expect("base_url");
    let response = http
        .get(format!("{base}/__authmock__/health"))
        .send()
        .await
        .expect("sent");
    let reply = Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("a body"),
    };
    assert_wire!("control_health", reply);

    // Stopped, the server takes its ready file with it when it can (SIGKILL here: it cannot),
    // and the health check fails with status 1.
    let _ = server.0.kill();
    let _ = server.0.wait();
    let down = healthcheck(base);
    assert_eq!(down.status.code(), Some(1), "a dead listener is unhealthy");
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("/__authmock__/health"),
        "says what it asked: {}",
        String::from_utf8_lossy(&down.stderr)
    );
}

#[test]
fn a_ready_file_that_cannot_be_written_stops_serve_with_the_reason() {
    let output = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args([
            "serve",
            "--port",
            "0",
            "--ready-file",
            "/nonexistent-authmock-dir/ready.json",
        ])
        .env_remove("AUTHMOCK_BIND")
        .env_remove("AUTHMOCK_ADMIN_TOKEN")
        .stdout(Stdio::null())
        .output()
        .expect("the authmock binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent-authmock-dir/ready.json"), "{stderr}");
}

#[test]
fn healthcheck_of_something_that_is_not_a_url_fails_cleanly() {
    let output = healthcheck("not a url");
    assert_eq!(output.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}
