//! POST /oauth/token: grants, encodings, client authentication and every documented error.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{
    ALICE, AUDIENCE, App, BASE, CONNECTION, FORM, OPAQUE_HEADER, START, TestApp, claims, jwt_header, opaque_header,
};

fn cc(app: &TestApp, which: App, audience: &str) -> Value {
    let (client_id, client_secret) = app.credentials(which);
    json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret, "audience": audience})
}

#[tokio::test]
async fn client_credentials_returns_the_documented_body_and_claims() {
    let app = TestApp::new();
    let reply = app.oauth(&cc(&app, App::Backend, AUDIENCE)).await;
    assert_wire!("oauth_client_credentials_success", reply);
    let body = reply.json();
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["access_token", "scope", "expires_in", "token_type"]);
    assert_eq!(body["expires_in"], 86400);
    assert!(
        body.get("id_token").is_none(),
        "never an id_token for client_credentials"
    );

    let token = body["access_token"].as_str().expect("token");
    let header = jwt_header(token);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "Ae2mvVK_Lmq5ElpjKM29C");
    let (client_id, _) = app.credentials(App::Backend);
    let claims = claims(token);
    let names: Vec<&String> = claims.as_object().expect("object").keys().collect();
    assert_eq!(names, ["iss", "sub", "aud", "iat", "exp", "scope", "gty", "azp"]);
    assert_eq!(claims["iss"], format!("{BASE}/"));
    assert_eq!(claims["sub"], format!("{client_id}@clients"));
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["iat"], START.unix_timestamp());
    assert_eq!(claims["exp"], START.unix_timestamp() + 86400);
    assert_eq!(claims["scope"], "create:user_tickets read:users update:users");
    assert_eq!(claims["gty"], "client-credentials");
    assert_eq!(claims["azp"], client_id);
}

#[tokio::test]
async fn form_body_and_http_basic_are_accepted_like_json() {
    let app = TestApp::new();
    let (client_id, client_secret) = app.credentials(App::Backend);
    let json_token = app.oauth(&cc(&app, App::Backend, AUDIENCE)).await.json()["access_token"].clone();

    let form = format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}&audience={}",
        "https%3A%2F%2F127.0.0.1%3A4010%2Fapi%2Fv2%2F"
    );
    let reply = app.request(Method::POST, "/oauth/token", Some(FORM), None, form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json()["access_token"],
        json_token,
        "same claims, same clock, same key"
    );

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}"));
    let reply = app
        .request(
            Method::POST,
            "/oauth/token",
            Some(FORM),
            Some(&format!("Basic {basic}")),
            "grant_type=client_credentials&audience=https%3A%2F%2F127.0.0.1%3A4010%2Fapi%2Fv2%2F",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn organization_null_from_the_python_sdk_is_tolerated() {
    let app = TestApp::new();
    let mut body = cc(&app, App::Backend, AUDIENCE);
    body["organization"] = Value::Null;
    let reply = app.oauth(&body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn the_management_audience_is_matched_as_the_tenant_does() {
    let app = TestApp::new();
    // What hosting on a loopback port forces on clients is accepted…
    for audience in [
        "https://127.0.0.1:4010/api/v2/",
        "http://127.0.0.1:4010/api/v2/",
        "https://localhost:4010/api/v2/",
    ] {
        let reply = app.oauth(&cc(&app, App::Backend, audience)).await;
        assert_eq!(reply.status, StatusCode::OK, "{audience}: {}", reply.body);
        assert_eq!(
            claims(reply.json()["access_token"].as_str().expect("token"))["aud"],
            audience
        );
    }
    // …and what the real tenant refuses is refused: its identifier ends with a slash.
    for audience in ["https://127.0.0.1:4010/api/v2", "https://127.0.0.2:4010/api/v2/"] {
        let reply = app.oauth(&cc(&app, App::Backend, audience)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{audience}: {}", reply.body);
        assert_eq!(
            reply.json()["error_description"],
            format!("Service not found: {audience}"),
            "{audience}"
        );
    }
}

#[tokio::test]
async fn requested_scopes_narrow_the_token() {
    let app = TestApp::new();
    let mut body = cc(&app, App::Backend, AUDIENCE);
    body["scope"] = json!("read:users");
    let reply = app.oauth(&body).await;
    assert_eq!(reply.json()["scope"], "read:users");
}

#[tokio::test]
async fn bad_client_credentials_get_401_access_denied() {
    let app = TestApp::new();
    let mut body = cc(&app, App::Backend, AUDIENCE);
    body["client_secret"] = json!("wrong");
    let reply = app.oauth(&body).await;
    assert_wire!("oauth_wrong_client_secret", reply);

    body["client_id"] = json!("no-such-client");
    let reply = app.oauth(&body).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.body,
        r#"{"error":"access_denied","error_description":"Unauthorized"}"#
    );

    let reply = app
        .oauth(&json!({"grant_type": "client_credentials", "audience": AUDIENCE}))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_and_unknown_grant_types_get_400() {
    let app = TestApp::new();
    let mut body = cc(&app, App::Backend, AUDIENCE);
    body.as_object_mut().expect("object").remove("grant_type");
    assert_wire!("oauth_missing_grant_type", app.oauth(&body).await);
    body["grant_type"] = json!("urn:example:magic");
    assert_wire!("oauth_unsupported_grant_type", app.oauth(&body).await);
}

#[tokio::test]
async fn grant_type_not_enabled_on_the_application_gets_403_unauthorized_client() {
    let app = TestApp::new();
    let reply = app.oauth(&cc(&app, App::Web, AUDIENCE)).await;
    assert_wire!("oauth_grant_type_not_allowed", reply);
}

#[tokio::test]
async fn audience_errors_follow_the_facts() {
    let app = TestApp::new();
    let mut body = cc(&app, App::Backend, AUDIENCE);
    body.as_object_mut().expect("object").remove("audience");
    assert_wire!("oauth_no_audience", app.oauth(&body).await);

    assert_wire!(
        "oauth_service_not_found",
        app.oauth(&cc(&app, App::Backend, "https://nope.example.com/")).await
    );
    assert_wire!(
        "oauth_client_not_authorized",
        app.oauth(&cc(&app, App::ReadOnly, "https://api.example.com/")).await
    );
    let mut body = cc(&app, App::ReadOnly, AUDIENCE);
    body["scope"] = json!("read:users create:user_tickets delete:users");
    assert_wire!("oauth_scopes_not_granted", app.oauth(&body).await);
}

fn realm_login(app: &TestApp, username: &str, password: &str, scope: &str) -> Value {
    let (client_id, client_secret) = app.credentials(App::Web);
    json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": client_id, "client_secret": client_secret,
        "username": username, "password": password, "realm": CONNECTION, "scope": scope,
    })
}

#[tokio::test]
async fn password_realm_login_returns_user_tokens() {
    let app = TestApp::new();
    let reply = app
        .oauth(&realm_login(
            &app,
            "Alice@Example.com",
            "Wonderland-2026",
            "openid profile email",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["access_token", "id_token", "scope", "expires_in", "token_type"]);
    // No audience: opaque, for /userinfo only (facts auth0.md §1.2, password grant).
    let access = body["access_token"].as_str().expect("access token");
    assert_eq!(opaque_header(access), OPAQUE_HEADER);
    assert_eq!(body["expires_in"], 86_400);
    assert_eq!(app.get("/userinfo", Some(access)).await.json()["sub"], ALICE);
    let mut with_api = realm_login(&app, "alice@example.com", "Wonderland-2026", "openid");
    with_api["audience"] = json!(AUDIENCE);
    let reply = app.oauth(&with_api).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let access = claims(reply.json()["access_token"].as_str().expect("access token"));
    assert_eq!(access["sub"], ALICE);
    assert_eq!(access["gty"], "password");
    let id = claims(body["id_token"].as_str().expect("id token"));
    let (client_id, _) = app.credentials(App::Web);
    assert_eq!(id["aud"], client_id);
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["exp"], START.unix_timestamp() + 36000);
    assert_eq!(app.tenant.state().user(ALICE).expect("alice").logins_count, 2);
}

#[tokio::test]
async fn wrong_password_unknown_user_and_blocked_user_are_refused() {
    let app = TestApp::new();
    let wrong = app
        .oauth(&realm_login(&app, "alice@example.com", "nope", "openid"))
        .await;
    assert_wire!("oauth_wrong_email_or_password", wrong);
    let unknown = app
        .oauth(&realm_login(&app, "nobody@example.com", "nope", "openid"))
        .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(unknown.json()["error_description"], "Wrong email or password.");
    let blocked = app
        .oauth(&realm_login(&app, "carol@example.com", "Blocked-2026", "openid"))
        .await;
    assert_wire!("oauth_user_blocked", blocked);
}

#[tokio::test]
async fn plain_password_grant_uses_the_default_directory() {
    let app = TestApp::new();
    let mut body = realm_login(&app, "alice@example.com", "Wonderland-2026", "openid");
    body["grant_type"] = json!("password");
    body.as_object_mut().expect("object").remove("realm");
    assert_eq!(app.oauth(&body).await.status, StatusCode::OK);

    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.default_directory = None;
    let app = TestApp::with_fixture(fixture);
    assert_wire!("oauth_no_default_connection", app.oauth(&body).await);
}

#[tokio::test]
async fn refresh_tokens_are_issued_with_offline_access_and_redeemed_by_their_client_only() {
    let app = TestApp::new();
    let login = app
        .oauth(&realm_login(
            &app,
            "alice@example.com",
            "Wonderland-2026",
            "openid offline_access",
        ))
        .await
        .json();
    let refresh = login["refresh_token"]
        .as_str()
        .expect("refresh token issued")
        .to_owned();
    let (client_id, client_secret) = app.credentials(App::Web);
    let reply = app
        .oauth(&json!({"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret, "refresh_token": refresh}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let access = reply.json()["access_token"].as_str().expect("token").to_owned();
    assert_eq!(opaque_header(&access), OPAQUE_HEADER);
    assert_eq!(app.get("/userinfo", Some(&access)).await.json()["sub"], ALICE);

    let reply = app
        .oauth(&json!({"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret, "refresh_token": "bogus"}))
        .await;
    assert_wire!("oauth_invalid_refresh_token", reply);
}

/// `/oauth/revoke` covers the password grant's refresh tokens too: revoked, one is refused as
/// unknown, while the user's other tokens keep working (only that token is revoked by default).
#[tokio::test]
async fn revoking_a_password_grant_refresh_token_ends_it() {
    let app = TestApp::new();
    let (client_id, client_secret) = app.credentials(App::Web);
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let login = app
            .oauth(&realm_login(
                &app,
                "alice@example.com",
                "Wonderland-2026",
                "openid offline_access",
            ))
            .await
            .json();
        tokens.push(
            login["refresh_token"]
                .as_str()
                .expect("refresh token issued")
                .to_owned(),
        );
    }
    let refresh = |token: &str| json!({"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret, "refresh_token": token});
    // Another application's revoke is answered 200 and changes nothing.
    let (other_id, other_secret) = app.credentials(App::Backend);
    let foreign = app
        .post_json(
            "/oauth/revoke",
            None,
            &json!({"client_id": other_id, "client_secret": other_secret, "token": tokens[0]}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::OK);
    assert!(
        foreign
            .header("x-authmock-hint")
            .expect("hint")
            .starts_with("nothing revoked")
    );
    assert_eq!(app.oauth(&refresh(&tokens[0])).await.status, StatusCode::OK);

    let revoked = app
        .post_json(
            "/oauth/revoke",
            None,
            &json!({"client_id": client_id, "client_secret": client_secret, "token": tokens[0]}),
        )
        .await;
    assert_wire!("oauth_revoke_password_grant_refresh_token", revoked);
    let after = app.oauth(&refresh(&tokens[0])).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
    assert_eq!(
        after.json(),
        json!({"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."})
    );
    assert_eq!(app.oauth(&refresh(&tokens[1])).await.status, StatusCode::OK);
}

#[tokio::test]
async fn authorization_codes_are_unknown_without_authorize() {
    let app = TestApp::new();
    let (client_id, client_secret) = app.credentials(App::Web);
    let reply = app
        .oauth(&json!({"grant_type": "authorization_code", "client_id": client_id, "client_secret": client_secret, "code": "abc"}))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.body,
        r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#
    );
    let reply = app
        .oauth(&json!({"grant_type": "authorization_code", "client_id": client_id, "client_secret": client_secret}))
        .await;
    assert_eq!(
        reply.body,
        r#"{"error":"invalid_request","error_description":"Missing required parameter: code"}"#
    );
}

#[tokio::test]
async fn form_body_sent_as_json_to_the_token_endpoint_is_explained() {
    let app = TestApp::new();
    let reply = app
        .request(
            Method::POST,
            "/oauth/token",
            Some("application/json"),
            None,
            "grant_type=client_credentials&client_id=x",
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.header("x-authmock-hint").expect("hint").contains("form-encoded"),
        "{:?}",
        reply.headers
    );
}

/// obs (go-auth0 main test/data/recordings/authentication/TestRefreshToken/Should_return_tokens.yaml,
/// Should_return_tokens_with_reduced_scopes.yaml): with rotation on, refreshing a password-grant
/// refresh token answers a new one, after `scope`; the spent token is then refused.
#[tokio::test]
async fn password_grant_refresh_tokens_rotate_when_the_application_rotates() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    let web = fixture
        .clients
        .iter_mut()
        .find(|c| c.name == "Web app")
        .expect("the Web app");
    web.refresh_token = Some(
        serde_json::from_value(json!({"rotation_type": "rotating", "leeway": 0})).expect("refresh token settings"),
    );
    let app = TestApp::with_fixture(fixture);
    let login = app
        .oauth(&realm_login(
            &app,
            "alice@example.com",
            "Wonderland-2026",
            "openid profile email offline_access",
        ))
        .await
        .json();
    let first = login["refresh_token"].as_str().expect("refresh token").to_owned();
    let (client_id, client_secret) = app.credentials(App::Web);
    let refresh = |token: String| {
        let body = json!({"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret, "refresh_token": token});
        let app = &app;
        async move { app.oauth(&body).await }
    };
    let rotated = refresh(first.clone()).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let body = rotated.json();
    let keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "id_token",
            "token_type",
            "scope",
            "refresh_token"
        ]
    );
    assert_eq!(body["scope"], "openid profile email offline_access");
    let second = body["refresh_token"].as_str().expect("a new refresh token").to_owned();
    assert_ne!(second, first);
    assert_eq!(
        refresh(first).await.status,
        StatusCode::FORBIDDEN,
        "the spent token is reuse"
    );
}
