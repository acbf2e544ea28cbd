//! `authmock serve --fixture`, `--janrain-fixture` and `--journal-*` take effect: the real binary
//! on free loopback ports, seeded from files of our own, driven over HTTP.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::blackbox::Server;

/// The embedded fixtures with another name each (and, for Auth0, no rate limits), written next
/// to a copy of the key file the Auth0 fixture names.
fn fixtures(dir: &std::path::Path) -> (String, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut auth0: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("auth0-tenant.json")).expect("read")).expect("JSON");
    auth0["name"] = json!("flag-tenant");
    auth0["rate_limits"] = json!([]);
    std::fs::copy(root.join("auth0-tenant.key.pem"), dir.join("auth0-tenant.key.pem")).expect("key copied");
    let mut janrain: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("janrain-app.json")).expect("read")).expect("JSON");
    janrain["name"] = json!("flag-capture");
    let auth0_path = dir.join("tenant.json");
    let janrain_path = dir.join("capture.json");
    std::fs::write(&auth0_path, auth0.to_string()).expect("written");
    std::fs::write(&janrain_path, janrain.to_string()).expect("written");
    (auth0_path.display().to_string(), janrain_path.display().to_string())
}

#[tokio::test]
async fn fixture_and_journal_flags_take_effect() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (auth0_file, janrain_file) = fixtures(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args([
            "serve",
            "--port",
            "0",
            "--json",
            "--journal-limit",
            "2",
            "--journal-secrets",
        ])
        .args(["--fixture", &auth0_file, "--janrain-fixture", &janrain_file])
        .env_remove("AUTHMOCK_FIXTURE")
        .env_remove("AUTHMOCK_JANRAIN_FIXTURE")
        .env_remove("AUTHMOCK_JOURNAL_LIMIT")
        .env_remove("AUTHMOCK_JOURNAL_SECRETS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the authmock binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let _server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut next =
        || -> Value { serde_json::from_str(&lines.next().expect("a summary line").expect("read")).expect("JSON") };
    let (auth0, janrain) = (next(), next());
    assert_eq!(
        (&auth0["provider"], &auth0["name"]),
        (&json!("auth0"), &json!("flag-tenant"))
    );
    assert_eq!(
        (&janrain["provider"], &janrain["name"]),
        (&json!("janrain"), &json!("flag-capture"))
    );

    let base = auth0["base_url"].as_str().expect("base_url");
    let client = &auth0["clients"][0];
    let secret = client["client_secret"].as_str().expect("secret");
    authmock::core::crypto::install();
    let http = reqwest::Client::new();
    for _ in 0..3 {
        let reply = http
            .post(format!("{base}/oauth/token"))
            .json(
                &json!({"grant_type": "client_credentials", "client_id": client["client_id"],
                          "client_secret": secret, "audience": auth0["audience"]}),
            )
            .send()
            .await
            .expect("the tenant answers");
        assert!(
            reply.headers().get("x-ratelimit-limit").is_none(),
            "the fixture's `rate_limits: []` turned the headers off"
        );
    }
    let journal: Value = http
        .get(format!("{base}/__authmock__/journal"))
        .send()
        .await
        .expect("journal")
        .json()
        .await
        .expect("JSON");
    let entries = journal["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "--journal-limit 2: {journal}");
    assert!(
        journal.to_string().contains(secret),
        "--journal-secrets keeps the client secret in clear"
    );
}
