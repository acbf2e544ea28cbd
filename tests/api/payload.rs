//! Body handling shared by every Management API endpoint (facts §2.4), on the ticket endpoint.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{ALICE, App, CONNECTION_ID, FORM, JSON, TICKETS, TestApp};

async fn post(app: &TestApp, content_type: Option<&str>, body: impl Into<axum::body::Body>) -> crate::helpers::Reply {
    let token = app.token(App::Backend).await;
    app.request(
        Method::POST,
        TICKETS,
        content_type,
        Some(&format!("Bearer {token}")),
        body,
    )
    .await
}

#[tokio::test]
async fn form_body_under_a_json_content_type_is_invalid_json() {
    let app = TestApp::new();
    let reply = post(
        &app,
        Some(JSON),
        "email=alice%40example.com&connection_id=con_FHnCKShgzqSf7tKL",
    )
    .await;
    assert_wire!("mgmt_form_body_as_json", reply);
}

#[tokio::test]
async fn form_body_under_a_form_content_type_is_accepted_and_typed() {
    let app = TestApp::new();
    let reply = post(
        &app,
        Some(FORM),
        format!("email=alice%40example.com&connection_id={CONNECTION_ID}&ttl_sec=60&mark_email_as_verified=true"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[tokio::test]
async fn missing_content_type_means_json() {
    let app = TestApp::new();
    let reply = post(&app, None, json!({"user_id": ALICE}).to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[tokio::test]
async fn other_content_types_get_415() {
    let app = TestApp::new();
    let reply = post(&app, Some("text/plain"), json!({"user_id": ALICE}).to_string()).await;
    assert_wire!("mgmt_unsupported_media_type", reply);
}

#[tokio::test]
async fn bodies_over_one_megabyte_get_413() {
    let app = TestApp::new();
    let big = format!("{{\"user_id\":\"{}\"}}", "a".repeat(1_048_577));
    let reply = post(&app, Some(JSON), big).await;
    assert_wire!("mgmt_payload_too_large", reply);
}

#[tokio::test]
async fn non_object_json_fails_the_schema_at_the_root() {
    let app = TestApp::new();
    let reply = post(&app, Some(JSON), "[1,2]").await;
    assert_wire!("mgmt_body_is_an_array", reply);
    let reply = post(&app, Some(JSON), "").await;
    assert_eq!(
        reply.json()["message"],
        "Payload validation error: 'Expected type object but found type null'."
    );
}

#[tokio::test]
async fn connection_instead_of_connection_id_is_an_additional_property() {
    let app = TestApp::new();
    let reply = post(
        &app,
        Some(JSON),
        json!({"email": "alice@example.com", "connection": "Username-Password-Authentication"}).to_string(),
    )
    .await;
    assert_wire!("mgmt_connection_instead_of_connection_id", reply);
}

#[tokio::test]
async fn email_without_connection_id_is_a_missing_property() {
    let app = TestApp::new();
    let reply = post(&app, Some(JSON), json!({"email": "alice@example.com"}).to_string()).await;
    assert_wire!("mgmt_email_without_connection_id", reply);
}

#[tokio::test]
async fn property_errors_name_the_property_and_its_description() {
    let app = TestApp::new();
    let reply = post(
        &app,
        Some(JSON),
        json!({"user_id": ALICE, "ttl_sec": "soon"}).to_string(),
    )
    .await;
    assert_wire!("mgmt_ttl_sec_wrong_type", reply);
    let reply = post(&app, Some(JSON), json!({"user_id": ALICE, "ttl_sec": -1}).to_string()).await;
    assert_eq!(
        reply.json()["message"],
        "Payload validation error: 'Value -1 is less than minimum 0' on property ttl_sec (Number of seconds for which \
         the ticket is valid before expiration. If unspecified or set to 0, this value defaults to 432000 seconds (5 days))."
    );
}

#[tokio::test]
async fn several_failures_are_joined_with_also() {
    let app = TestApp::new();
    let reply = post(
        &app,
        Some(JSON),
        json!({"email": "not-an-email", "connection_id": "con_short", "mark_email_as_verified": "yes"}).to_string(),
    )
    .await;
    assert_wire!("mgmt_several_validation_errors", reply);
    assert_eq!(
        reply.json()["message"]
            .as_str()
            .expect("message")
            .matches(" (also) ")
            .count(),
        2
    );
}
