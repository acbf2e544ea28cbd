//! Every error a fault rule can name (`Provider::ERROR_NAMES` of both providers) answers with the
//! provider's own wire body, pinned per name: a name added without a wire form here fails.

use authmock::auth0::Tenant;
use authmock::core::provider::Provider;
use authmock::janrain::JanrainApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::janrain::{CAROL, Capture, RECOVER_URL, WEB_ID, WEB_SECRET};
use crate::helpers::{App, JSON, TestApp};

fn fault_request(rule: &Value) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri("/__authmock__/faults")
        .header("content-type", JSON)
        .body(Body::from(rule.to_string()))
        .expect("request")
}

/// The Auth0 names, each on the endpoint it belongs to: the token endpoint's own errors there,
/// the Management API's on a Management API call.
#[tokio::test]
async fn every_named_auth0_fault_answers_the_provider_body() {
    let token_endpoint = ["auth0.client_quota_exceeded", "auth0.authentication_rate_limited"];
    for name in <Tenant as Provider>::ERROR_NAMES {
        let app = TestApp::new();
        let token = app.token(App::Backend).await;
        let on_token = token_endpoint.contains(name);
        let path = if on_token { "/oauth/token" } else { "/api/v2/*" };
        let added = app
            .send(fault_request(&json!({"path": path, "error": name, "times": 1})))
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{name}: {}", added.body);
        let reply = if on_token {
            let (client_id, client_secret) = app.credentials(App::Backend);
            app.oauth(&json!({"grant_type": "client_credentials", "client_id": client_id,
                              "client_secret": client_secret, "audience": crate::helpers::AUDIENCE}))
                .await
        } else {
            app.get("/api/v2/users-by-email?email=alice%40example.com", Some(&token))
                .await
        };
        assert!(reply.status.as_u16() >= 400, "{name}: {}", reply.status);
        let snapshot = format!("fault_{}", name.replace('.', "_"));
        assert_wire!(snapshot.as_str(), reply);
    }
}

/// `janrain.api_limit_error` in both of Capture's shapes: the `/oauth/*_native` envelope (HTTP
/// 200, `code` 510) and the OAuth token endpoint's (HTTP 400, `sub_error`).
#[tokio::test]
async fn every_named_janrain_fault_answers_in_the_shape_of_the_route() {
    for name in <JanrainApp as Provider>::ERROR_NAMES {
        let capture = Capture::new();
        let added = capture
            .send(fault_request(&json!({"path": "/oauth/*", "error": name, "times": 2})))
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{name}: {}", added.body);
        let native = capture.forgot(WEB_ID, CAROL).await;
        let token = capture.exchange(WEB_ID, WEB_SECRET, "whatever", RECOVER_URL).await;
        let stem = name.replace('.', "_");
        assert_wire!(format!("fault_{stem}_native").as_str(), native);
        assert_wire!(format!("fault_{stem}_token").as_str(), token);
        assert!(
            capture.app.state().outbox.is_empty(),
            "{name}: the fault answered, not the provider"
        );
    }
}
