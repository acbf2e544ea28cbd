//! JWKS, discovery, the control API summary and unknown routes.

use axum::http::{Method, StatusCode};

use crate::assert_wire;
use crate::helpers::{App, BASE, TestApp};

#[tokio::test]
async fn jwks_publishes_the_signing_key_and_verifies_issued_tokens() {
    let app = TestApp::new();
    let jwks = app.get("/.well-known/jwks.json", None).await;
    assert_eq!(jwks.status, StatusCode::OK);
    let jwks = jwks.json();
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["kid"], app.tenant.key().kid());
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["use"], "sig");
    let token = app.token(App::Backend).await;
    let key =
        jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str().expect("n"), jwk["e"].as_str().expect("e"))
            .expect("jwk is a usable RSA key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.set_audience(&["https://127.0.0.1:4010/api/v2/"]);
    validation.set_issuer(&[format!("{BASE}/")]);
    jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).expect("a third party verifies our token");
}

#[tokio::test]
async fn discovery_is_consistent_with_the_issuer_and_jwks() {
    let app = TestApp::new();
    let reply = app.get("/.well-known/openid-configuration", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert_eq!(doc["issuer"], format!("{BASE}/"));
    assert_eq!(doc["jwks_uri"], format!("{BASE}/.well-known/jwks.json"));
    assert_eq!(doc["token_endpoint"], format!("{BASE}/oauth/token"));
}

#[tokio::test]
async fn tenant_summary_lists_credentials_ids_and_users() {
    let app = TestApp::new();
    let summary = app.get("/__authmock__/tenant", None).await.json();
    assert_eq!(summary["base_url"], BASE);
    assert_eq!(summary["audience"], "https://127.0.0.1:4010/api/v2/");
    assert_eq!(summary["connections"][0]["id"], "con_FHnCKShgzqSf7tKL");
    assert_eq!(summary["users"][0]["email"], "alice@example.com");
    assert_eq!(summary["users"][0]["password"], "Wonderland-2026");
    assert_eq!(
        summary["clients"][0]["grants"][0]["scopes"],
        serde_json::json!(["create:user_tickets", "read:users", "update:users"])
    );
    assert_eq!(summary["users"].as_array().expect("users").len(), 8);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_management_404() {
    let app = TestApp::new();
    let reply = app.get("/api/v2/nope", None).await;
    assert_wire!("mgmt_unknown_route", reply);
    let reply = app
        .request(Method::DELETE, "/api/v2/tickets/password-change", None, None, "")
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.body,
        r#"{"statusCode":404,"error":"Not Found","message":"Not Found"}"#
    );
}

/// The legacy `/pem` (facts §1.4, obs): the signing certificate, the same one `x5c` carries,
/// served without rate-limit headers (it is not one of the limited endpoints).
#[tokio::test]
async fn pem_serves_the_certificate_the_jwks_publishes() {
    use base64::Engine as _;
    let app = TestApp::new();
    let reply = app.get("/pem", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/x-pem-file"));
    assert_eq!(reply.header("x-ratelimit-limit"), None);
    let body = reply.body.trim_end();
    let inner = body
        .strip_prefix("-----BEGIN CERTIFICATE-----")
        .and_then(|rest| rest.strip_suffix("-----END CERTIFICATE-----"))
        .unwrap_or_else(|| panic!("one PEM certificate: {body}"));
    let base64: String = inner.split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(&base64)
        .expect("the PEM body is base64");
    let jwks = app.get("/.well-known/jwks.json", None).await.json();
    assert_eq!(jwks["keys"][0]["x5c"][0], base64, "the certificate of the JWKS key");
    assert!(der.len() > 500, "a whole certificate, {} bytes", der.len());
    let head = app
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri("/pem")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(
        head.status,
        StatusCode::NOT_FOUND,
        "GET only: other methods get the 404 of unknown routes"
    );
}
