//! TLS: a tenant served over HTTPS with a leaf of the run's own CA; a client that trusts only
//! that CA completes the Management API round trip, one that does not is refused.

use authmock::auth0::Fixture;
use authmock::tls::Authority;
use serde_json::{Value, json};

fn client_trusting(authority: Option<&Authority>) -> reqwest::Client {
    authmock::core::crypto::install();
    let mut builder = reqwest::Client::builder().tls_built_in_root_certs(false);
    if let Some(authority) = authority {
        let ca = reqwest::Certificate::from_pem(authority.ca_pem().as_bytes()).expect("CA PEM");
        builder = builder.add_root_certificate(ca);
    }
    builder.build().expect("client")
}

#[tokio::test]
async fn https_round_trip_trusting_only_the_generated_ca() {
    let authority = Authority::generate().expect("certificates");
    let idp = authmock::Authmock::start_tls(&Fixture::default_auth0(), &authority)
        .await
        .expect("serves");
    let base = idp.uri();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let http = client_trusting(Some(&authority));

    let discovery: Value = http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .expect("TLS handshake with the generated CA")
        .json()
        .await
        .expect("json");
    assert_eq!(discovery["issuer"], format!("{base}/"));

    let summary: Value = http
        .get(format!("{base}/__authmock__/tenant"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let backend = &summary["clients"][0];
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .json(
            &json!({"grant_type": "client_credentials", "client_id": backend["client_id"],
                      "client_secret": backend["client_secret"], "audience": summary["audience"]}),
        )
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let ticket = http
        .post(format!("{base}/api/v2/tickets/password-change"))
        .bearer_auth(token["access_token"].as_str().expect("token"))
        .json(&json!({"user_id": summary["users"][0]["user_id"]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(ticket.status(), 201);
    let url = ticket.json::<Value>().await.expect("json")["ticket"]
        .as_str()
        .expect("url")
        .to_owned();
    assert!(url.starts_with(&format!("{base}/u/reset-password?ticket=")), "{url}");

    let stranger = client_trusting(None);
    let refused = stranger.get(format!("{base}/.well-known/jwks.json")).send().await;
    assert!(
        refused.is_err(),
        "a client without the CA must not complete the handshake"
    );
}

/// `serve --tls` from the real binary: the summary names https URLs, the CA lands where
/// `--ca-file` says, and a client trusting that file gets the JWKS.
#[tokio::test]
async fn serve_tls_writes_the_ca_and_serves_https() {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = dir.path().join("ca.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["serve", "--port", "0", "--json", "--tls", "--ca-file"])
        .arg(&ca_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("summary");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut banner = String::new();
    while !banner.contains("CURL_CA_BUNDLE") {
        let read = stderr.read_line(&mut banner).expect("trust instructions");
        assert!(read > 0, "stderr closed before the trust instructions: {banner}");
    }
    let summary: Value = serde_json::from_str(&line).expect("JSON summary");
    let base = summary["base_url"].as_str().expect("base_url").to_owned();
    let pem = std::fs::read(&ca_file).expect("the CA was written");
    authmock::core::crypto::install();
    let http = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"))
        .build()
        .expect("client");
    let status = http
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .map(|r| r.status().as_u16());
    let _ = child.kill();
    let _ = child.wait();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    assert_eq!(
        summary["audience"],
        format!("https://{}/api/v2/", &base["https://".len()..])
    );
    assert!(
        banner.contains(&format!("export NODE_EXTRA_CA_CERTS={}", ca_file.display())),
        "{banner}"
    );
    assert_eq!(status.expect("TLS handshake"), 200);
}
