//! The Management API auth ladder (facts §2.2), checked before any handler runs.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rustls::pki_types::PrivatePkcs1KeyDer;
use rustls::pki_types::pem::PemObject as _;
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{ALICE, AUDIENCE, App, BASE, JSON, START, TICKETS, TestApp, claims};

fn ticket_body() -> String {
    json!({ "user_id": ALICE }).to_string()
}

async fn with_authorization(app: &TestApp, authorization: Option<&str>) -> crate::helpers::Reply {
    app.request(Method::POST, TICKETS, Some(JSON), authorization, ticket_body())
        .await
}

fn foreign_token(kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let claims = json!({"iss": format!("{BASE}/"), "aud": AUDIENCE, "exp": START.unix_timestamp() + 60, "scope": "create:user_tickets"});
    // The JWT library reads an RSA key as PKCS#1: the same key as test-key.pem.
    let pem = PrivatePkcs1KeyDer::from_pem_slice(include_bytes!("../data/test-key.pkcs1.pem")).expect("test key");
    let key = EncodingKey::from_rsa_der(pem.secret_pkcs1_der());
    jsonwebtoken::encode(&header, &claims, &key).expect("signs")
}

#[tokio::test]
async fn no_authorization_header_is_401_missing_authentication() {
    let app = TestApp::new();
    let reply = with_authorization(&app, None).await;
    assert_wire!("mgmt_missing_authentication", reply);
    assert_eq!(
        reply.body,
        r#"{"statusCode":401,"error":"Unauthorized","message":"Missing authentication"}"#
    );
}

#[tokio::test]
async fn other_schemes_count_as_missing_authentication() {
    let app = TestApp::new();
    let reply = with_authorization(&app, Some("Basic dXNlcjpwYXNz")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["message"], "Missing authentication");
}

#[tokio::test]
async fn malformed_bearer_headers_are_400_bad_header_format() {
    let app = TestApp::new();
    let (_, secret) = app.credentials(App::Backend);
    let bearer_secret = format!("Bearer {secret}");
    let cases = [
        ("bearer with no token", "Bearer"),
        ("opaque token", "Bearer 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"),
        ("client secret as token", bearer_secret.as_str()),
        ("extra part", "Bearer a.b.c d"),
        ("token without scheme", "eyJhbGciOiJSUzI1NiJ9.e30.sig"),
    ];
    for (case, header) in cases {
        let reply = with_authorization(&app, Some(header)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(
            reply.body,
            r#"{"statusCode":400,"error":"Bad Request","message":"Bad HTTP authentication header format","errorCode":"Bearer"}"#,
            "{case}"
        );
        assert!(
            reply.header("www-authenticate").is_none(),
            "{case}: no challenge on 400"
        );
    }
    assert_wire!(
        "mgmt_bad_authentication_header_format",
        with_authorization(&app, Some("Bearer")).await
    );
}

#[tokio::test]
async fn tokens_that_do_not_verify_are_401_invalid_token() {
    let app = TestApp::new();
    let ours = app.token(App::Backend).await;
    let kid = app.tenant.key().kid().to_owned();
    let (head, rest) = ours.split_once('.').expect("jwt");
    let (payload, _) = rest.split_once('.').expect("jwt");
    let none_head = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let public_pem = app.tenant.key().certificate_pem().to_owned();
    let hs256 = jsonwebtoken::encode(
        &Header {
            kid: Some(kid.clone()),
            ..Header::new(Algorithm::HS256)
        },
        &claims(&ours),
        &EncodingKey::from_secret(public_pem.as_bytes()),
    )
    .expect("hmac signs");
    let cases = [
        ("garbage segments", "abc.def.ghi".to_owned()),
        ("signed by another key, same kid", foreign_token(&kid)),
        ("signed by another tenant", foreign_token("another-tenant-kid")),
        ("alg none", format!("{none_head}.{payload}.")),
        ("HS256 keyed with the public certificate", hs256),
        (
            "payload swapped under our signature",
            format!(
                "{head}.{}.{}",
                URL_SAFE_NO_PAD.encode(b"{\"scope\":\"x\"}"),
                ours.rsplit('.').next().expect("sig")
            ),
        ),
    ];
    for (case, token) in cases {
        let reply = with_authorization(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(
            reply.body,
            r#"{"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}}"#,
            "{case}"
        );
        assert_eq!(
            reply.header("www-authenticate"),
            Some(r#"Bearer error="Invalid token""#),
            "{case}"
        );
    }
    assert_wire!(
        "mgmt_invalid_token",
        with_authorization(&app, Some(&format!("Bearer {}", foreign_token(&kid)))).await
    );
}

#[tokio::test]
async fn token_expires_after_86400_seconds_on_the_tenant_clock() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    app.advance(86_399);
    let reply = with_authorization(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    app.advance(7_201);
    let reply = with_authorization(&app, Some(&format!("Bearer {token}"))).await;
    assert_wire!("mgmt_expired_token", reply);
}

#[tokio::test]
async fn token_for_another_api_is_401_bad_audience() {
    let app = TestApp::new();
    let token = app.token_for(App::Backend, "https://api.example.com/").await;
    let reply = with_authorization(&app, Some(&format!("Bearer {token}"))).await;
    assert_wire!("mgmt_bad_audience", reply);
}

#[tokio::test]
async fn expiry_is_checked_before_audience() {
    let app = TestApp::new();
    let token = app.token_for(App::Backend, "https://api.example.com/").await;
    app.advance(90_000);
    let reply = with_authorization(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(
        reply.json()["message"],
        "Expired token received for JSON Web Token validation"
    );
}

#[tokio::test]
async fn token_without_the_scope_is_403_insufficient_scope() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = with_authorization(&app, Some(&format!("Bearer {token}"))).await;
    assert_wire!("mgmt_insufficient_scope", reply);
}

#[tokio::test]
async fn auth_is_checked_before_the_body() {
    let app = TestApp::new();
    let reply = app
        .request(Method::POST, TICKETS, Some(JSON), None, "this is not json")
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let token = app.token(App::ReadOnly).await;
    let reply = app
        .request(
            Method::POST,
            TICKETS,
            Some(JSON),
            Some(&format!("Bearer {token}")),
            "this is not json",
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}
