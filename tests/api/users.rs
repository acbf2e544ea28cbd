//! GET/PATCH /api/v2/users/{id} and GET /api/v2/users-by-email (facts §5).

use authmock::auth0::{Fixture, WireEra};
use axum::http::StatusCode;
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{ALICE, App, CONNECTION, TestApp};

const ALICE_PATH: &str = "/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36";

#[tokio::test]
async fn get_user_by_percent_encoded_id() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = app.get(ALICE_PATH, Some(&token)).await;
    assert_wire!("user_get", reply);
    let raw = app.get(&format!("/api/v2/users/{ALICE}"), Some(&token)).await;
    assert_eq!(raw.body, reply.body, "raw and encoded `|` name the same user");
    let some = app
        .get(
            &format!("{ALICE_PATH}?fields=email,user_id&include_fields=true"),
            Some(&token),
        )
        .await;
    assert_eq!(some.json(), json!({"email": "alice@example.com", "user_id": ALICE}));
}

#[tokio::test]
async fn unknown_user_is_404() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = app.get("/api/v2/users/auth0%7Cnobody", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.body,
        r#"{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}"#
    );
}

#[tokio::test]
async fn patch_password_then_prove_it_by_logging_in() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let reply = app
        .patch_json(
            ALICE_PATH,
            &token,
            &json!({"password": "Looking-Glass-2027", "connection": CONNECTION}),
        )
        .await;
    assert_wire!("user_patch_password", reply);
    assert_eq!(
        app.login("alice@example.com", "Looking-Glass-2027").await.status,
        StatusCode::OK
    );
    let old = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(old.status, StatusCode::FORBIDDEN);
    assert_eq!(old.json()["error_description"], "Wrong email or password.");
}

#[tokio::test]
async fn weak_password_is_refused_by_the_connection_policy() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let reply = app
        .patch_json(
            ALICE_PATH,
            &token,
            &json!({"password": "short", "connection": CONNECTION}),
        )
        .await;
    assert_wire!("user_patch_weak_password", reply);
    assert_eq!(
        app.login("alice@example.com", "Wonderland-2026").await.status,
        StatusCode::OK,
        "unchanged"
    );
}

#[tokio::test]
async fn read_only_attributes_sent_back_are_refused_with_the_metadata_note() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let reply = app
        .patch_json(
            ALICE_PATH,
            &token,
            &json!({"logins_count": 3, "user_id": ALICE, "email_verified": true, "created_at": "x"}),
        )
        .await;
    assert_wire!("user_patch_read_only_attributes", reply);
}

#[tokio::test]
async fn conflicting_updates_and_connections_are_refused() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let cases = [
        (
            json!({"password": "Abcdefgh123", "email": "new@example.com"}),
            "Cannot update password and email simultaneously.",
        ),
        (
            json!({"password": "Abcdefgh123", "email_verified": true}),
            "Cannot update password and email_verified simultaneously.",
        ),
        (
            json!({"password": "Abcdefgh123", "connection": "No-Such-Connection"}),
            "Connection does not exist.",
        ),
    ];
    for (body, message) in cases {
        let reply = app.patch_json(ALICE_PATH, &token, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.json()["message"], message, "{body}");
    }
}

#[tokio::test]
async fn patch_needs_an_update_scope() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = app
        .patch_json(ALICE_PATH, &token, &json!({"password": "Abcdefgh123"}))
        .await;
    assert_wire!("user_patch_insufficient_scope", reply);
}

#[tokio::test]
async fn patch_merges_metadata_and_sets_flags() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    app.patch_json(
        ALICE_PATH,
        &token,
        &json!({"user_metadata": {"theme": "dark", "lang": "en"}}),
    )
    .await;
    let reply = app
        .patch_json(
            ALICE_PATH,
            &token,
            &json!({"user_metadata": {"lang": null}, "blocked": true}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["user_metadata"], json!({"theme": "dark"}));
    assert_eq!(reply.json()["blocked"], true);
}

/// Keys a user gets after its creation come after the keys it was created with, in the order they
/// were set, and stay there (obs: terraform-provider-auth0 test/data/recordings/TestAccUser.yaml,
/// interactions 4-20: `...,user_id,username,family_name,given_name,user_metadata`; in the 2026
/// order `user_id` is first and `updated_at` precedes the late keys).
#[tokio::test]
async fn keys_set_after_creation_follow_the_others() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let body = json!({"connection": CONNECTION, "email": "late@example.com", "password": "Late-Keys-2026!"});
    let created = app.post_json("/api/v2/users", Some(&token), &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let path = format!(
        "/api/v2/users/{}",
        created.json()["user_id"].as_str().expect("id").replace('|', "%7C")
    );
    let keys = |reply: &crate::helpers::Reply| -> Vec<String> {
        reply.json().as_object().expect("a user").keys().cloned().collect()
    };
    let named = app
        .patch_json(&path, &token, &json!({"given_name": "Late", "family_name": "Keys"}))
        .await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    let after_names = keys(&named);
    assert!(
        after_names.ends_with(&["family_name".into(), "given_name".into()]),
        "{after_names:?}"
    );
    let with_metadata = app
        .patch_json(&path, &token, &json!({"user_metadata": {"plan": "pro"}}))
        .await;
    let read = app.get(&path, Some(&token)).await;
    for reply in [&with_metadata, &read] {
        let keys = keys(reply);
        let tail = ["updated_at", "family_name", "given_name", "user_metadata"].map(String::from);
        assert!(keys.ends_with(&tail), "{keys:?}");
    }
}

#[tokio::test]
async fn users_by_email_is_case_sensitive() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = app
        .get("/api/v2/users-by-email?email=alice%40example.com", Some(&token))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(reply.json()[0]["user_id"], ALICE);
    let reply = app
        .get("/api/v2/users-by-email?email=Alice%40example.com", Some(&token))
        .await;
    assert_eq!(reply.body, "[]");
}

#[tokio::test]
async fn users_by_email_requires_the_email_parameter() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = app.get("/api/v2/users-by-email", Some(&token)).await;
    assert_wire!("users_by_email_missing_email", reply);
}

#[tokio::test]
async fn users_by_email_refuses_a_malformed_email_and_unknown_fields() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let malformed = app.get("/api/v2/users-by-email?email=not-an-email", Some(&token)).await;
    assert_wire!("users_by_email_malformed", malformed);
    let fields = app
        .get(
            "/api/v2/users-by-email?email=alice%40example.com&fields=email,shoe_size",
            Some(&token),
        )
        .await;
    assert_eq!(fields.status, StatusCode::BAD_REQUEST);
    assert_eq!(fields.json()["errorCode"], "invalid_query_string");
    let user = app.get(&format!("{ALICE_PATH}?fields=password"), Some(&token)).await;
    assert_eq!(
        user.status,
        StatusCode::BAD_REQUEST,
        "GET /users/{{id}} validates fields too"
    );
}

/// A tenant of an older `wire_era` answers in that month's shapes: `user_id` after `updated_at`
/// (go-auth0 v1 TestUserManager_Create.yaml, 2023), and roles without `type`, a create without a
/// description answering `"description":null` (terraform-provider-auth0
/// TestAccOrganizationMemberRole.yaml, 2026-04).
#[tokio::test]
async fn an_older_wire_era_answers_in_its_shapes() {
    let mut fixture = Fixture::default_auth0();
    fixture.wire_era = WireEra::try_from("2026-04".to_owned()).expect("a month");
    let app = TestApp::with_fixture(fixture);
    let token = app.token(App::Explorer).await;
    let body = json!({"connection": CONNECTION, "email": "era@example.com", "password": "Era-Shapes-2026!"});
    let created = app.post_json("/api/v2/users", Some(&token), &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let keys: Vec<String> = created.json().as_object().expect("a user").keys().cloned().collect();
    assert_eq!(keys.first().map(String::as_str), Some("user_id"), "{keys:?}");

    let mut fixture = Fixture::default_auth0();
    fixture.wire_era = WireEra::try_from("2025-09".to_owned()).expect("a month");
    let app = TestApp::with_fixture(fixture);
    let token = app.token(App::Explorer).await;
    let created = app.post_json("/api/v2/users", Some(&token), &body).await;
    let keys: Vec<String> = created.json().as_object().expect("a user").keys().cloned().collect();
    assert_eq!(keys[..2], ["created_at", "email"], "{keys:?}");
    assert_eq!(
        keys.iter().position(|k| k == "user_id"),
        keys.iter().position(|k| k == "updated_at").map(|i| i + 1)
    );
    let role = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": "reader"}))
        .await;
    assert_eq!(role.status, StatusCode::OK, "{}", role.body);
    let id = role.json()["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        role.body,
        format!(r#"{{"id":"{id}","name":"reader","description":null}}"#)
    );
    let read = app.get(&format!("/api/v2/roles/{id}"), Some(&token)).await;
    assert_eq!(
        read.body,
        format!(r#"{{"id":"{id}","name":"reader","description":""}}"#)
    );
}

/// Hostile: metadata past the profile limit (100 KiB of `user_metadata` and `app_metadata`
/// together) is refused on create and on update, where the merge is what counts; the user keeps
/// what it had.
#[tokio::test]
async fn metadata_past_the_profile_limit_is_refused_on_create_and_update() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let big = "x".repeat(60 * 1024);
    let reply = app
        .post_json(
            "/api/v2/users",
            Some(&token),
            &json!({"connection": CONNECTION, "email": "big@example.com", "password": "Big-Meta-2026!",
                    "user_metadata": {"a": big}, "app_metadata": {"b": big}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.wire());
    assert_wire!("users_metadata_too_large", reply);

    let created = app
        .post_json(
            "/api/v2/users",
            Some(&token),
            &json!({"connection": CONNECTION, "email": "big@example.com", "password": "Big-Meta-2026!",
                    "user_metadata": {"a": big}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.wire());
    let path = format!(
        "/api/v2/users/{}",
        created.json()["user_id"].as_str().expect("id").replace('|', "%7C")
    );
    let more = app
        .patch_json(&path, &token, &json!({"user_metadata": {"b": big}}))
        .await;
    assert_eq!(more.status, StatusCode::BAD_REQUEST, "merged: {}", more.wire());
    assert_eq!(more.json()["errorCode"], "invalid_body");
    let replaced = app
        .patch_json(&path, &token, &json!({"user_metadata": {"a": null, "b": big}}))
        .await;
    assert_eq!(
        replaced.status,
        StatusCode::OK,
        "replacing stays within: {}",
        replaced.wire()
    );
    let user = app.get(&path, Some(&token)).await.json();
    assert!(user["user_metadata"].get("a").is_none() && user["user_metadata"]["b"] == big.as_str());
}
