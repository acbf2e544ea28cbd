//! POST /api/v2/users, DELETE /api/v2/users/{id}, and what PATCH gained with them
//! (facts `auth0-users.md` §1, §3).

use authmock::auth0::Fixture;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{ALICE, App, CONNECTION, TestApp};

const USERS: &str = "/api/v2/users";

fn chuck() -> Value {
    json!({"connection": CONNECTION, "email": "Chuck@Example.com", "password": "Roundhouse-2026"})
}

/// A tenant whose database connection has every password rule on and requires usernames.
fn strict() -> TestApp {
    let mut fixture = Fixture::default_auth0();
    let connection = &mut fixture.connections[0];
    connection.password_history_size = 3;
    connection.password_dictionary = true;
    connection.password_no_personal_info = true;
    connection.requires_username = true;
    TestApp::with_fixture(fixture)
}

fn path_of(user_id: &str) -> String {
    format!("{USERS}/{}", user_id.replace('|', "%7C"))
}

#[tokio::test]
async fn create_returns_the_observed_user_object_and_the_user_can_log_in() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let reply = app.post_json(USERS, Some(&token), &chuck()).await;
    assert_wire!("user_create", reply);
    let user = reply.json();
    let id = user["user_id"].as_str().expect("user_id");
    assert!(id.starts_with("auth0|") && id.len() == 30, "{id}");
    for absent in [
        "logins_count",
        "last_login",
        "last_ip",
        "blocked",
        "username",
        "user_metadata",
        "app_metadata",
    ] {
        assert!(user.get(absent).is_none(), "{absent} must be absent: {user}");
    }
    let read = app.get(&path_of(id), Some(&token)).await;
    assert_eq!(read.json(), user, "GET answers the same object");
    let login = app.login("chuck@example.com", "Roundhouse-2026").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let after = app.get(&path_of(id), Some(&token)).await.json();
    assert_eq!(after["logins_count"], 1, "{after}");
}

/// obs (go-auth0 v1 test/data/recordings/TestUserManager_List.yaml,
/// TestUserManager_Update.yaml): `"blocked":false` given at creation is answered by the create
/// and kept by every later read (GET, search, PATCH), first of the profile keys, after `user_id`
/// (the 2026 order).
#[tokio::test]
async fn blocked_false_at_creation_stays_on_every_read() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let mut body = chuck();
    body["blocked"] = json!(false);
    let created = app.post_json(USERS, Some(&token), &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created_json = created.json();
    let order: Vec<&str> = created_json
        .as_object()
        .expect("a user")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(order[..3], ["user_id", "blocked", "created_at"], "{}", created.body);
    let id = created.json()["user_id"].as_str().expect("user_id").to_owned();
    let read = app.get(&path_of(&id), Some(&token)).await.json();
    assert_eq!(read["blocked"], false, "{read}");
    let found = app
        .get(
            "/api/v2/users?q=email%3A%22chuck%40example.com%22&search_engine=v3",
            Some(&token),
        )
        .await
        .json();
    assert_eq!(found[0]["blocked"], false, "{found}");
    let patched = app
        .patch_json(&path_of(&id), &token, &json!({"nickname": "Chucky"}))
        .await
        .json();
    assert_eq!(patched["blocked"], false, "{patched}");
    let login = app.login("chuck@example.com", "Roundhouse-2026").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
}

#[tokio::test]
async fn create_with_custom_id_metadata_and_flags() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let reply = app
        .post_json(
            USERS,
            Some(&token),
            &json!({
                "connection": CONNECTION, "email": "dora@example.com", "password": "Explorer-2026",
                "user_id": "testaccuser", "blocked": true, "email_verified": true,
                "given_name": "Dora", "family_name": "Marquez", "name": "Dora M",
                "user_metadata": {"theme": "dark"}, "app_metadata": {"plan": "gold"}
            }),
        )
        .await;
    assert_wire!("user_create_custom_id", reply);
}

#[tokio::test]
async fn existing_email_is_409_and_the_first_user_is_untouched() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let first = app.post_json(USERS, Some(&token), &chuck()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app.post_json(USERS, Some(&token), &chuck()).await;
    assert_wire!("user_create_exists", again);
    let seeded = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "alice@example.com", "password": "Another-2026x"}),
        )
        .await;
    assert_eq!(seeded.status, StatusCode::CONFLICT);
    let same_id = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "new@example.com", "password": "Another-2026x",
                    "user_id": "3b3d13f7d1bb45d8d62f8e36"}),
        )
        .await;
    assert_eq!(same_id.status, StatusCode::CONFLICT, "a taken user_id conflicts too");
}

#[tokio::test]
async fn create_errors_have_the_providers_texts() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let unknown = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": "Nope", "email": "x@example.com", "password": "Abcdefgh123"}),
        )
        .await;
    assert_wire!("user_create_unknown_connection", unknown);
    let weak = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "x@example.com", "password": "weak"}),
        )
        .await;
    assert_wire!("user_create_weak_password", weak);
    let no_email = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "password": "Abcdefgh123"}),
        )
        .await;
    assert_wire!("user_create_missing_email", no_email);
    let bad_email = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "not-an-email", "password": "Abcdefgh123"}),
        )
        .await;
    assert_wire!("user_create_bad_email", bad_email);
    let username = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "x@example.com", "password": "Abcdefgh123", "username": "x"}),
        )
        .await;
    assert_eq!(username.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        username.json()["message"],
        "Cannot set username for connection without requires_username."
    );
    let no_password = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "x@example.com"}),
        )
        .await;
    assert_eq!(
        no_password.json()["message"],
        "Payload validation error: 'Missing required property: password'."
    );
    let extra = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "logins_count": 3}),
        )
        .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST);
    assert_eq!(extra.json()["errorCode"], "invalid_body");
    assert_eq!(
        app.get("/api/v2/users?q=email:x%40example.com", Some(&token))
            .await
            .json(),
        json!([]),
        "no refused request created a user"
    );
}

#[tokio::test]
async fn password_policy_family_on_create_and_patch() {
    let app = strict();
    let token = app.token(App::Admin).await;
    let cases = [
        ("Password123", "PasswordDictionaryError: Password is too common"),
        (
            "Eve-Online-2026",
            "PasswordNoUserInfoError: Password contains user information",
        ),
    ];
    for (password, message) in cases {
        let reply = app
            .post_json(
                USERS,
                Some(&token),
                &json!({"connection": CONNECTION, "email": "eve@example.com", "password": password, "username": "eve"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{password}");
        assert_eq!(
            reply.body,
            json!({"statusCode": 400, "error": "Bad Request", "message": message}).to_string()
        );
    }
    let created = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "eve@example.com", "password": "Violet-Harbor-71", "username": "eve"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["username"], "eve");
    let path = path_of(created.json()["user_id"].as_str().expect("id"));
    let changed = app
        .patch_json(
            &path,
            &token,
            &json!({"password": "Copper-Meadow-52", "connection": CONNECTION}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let reused = app
        .patch_json(
            &path,
            &token,
            &json!({"password": "Violet-Harbor-71", "connection": CONNECTION}),
        )
        .await;
    assert_wire!("user_patch_password_history", reused);
    let taken = app
        .post_json(
            USERS,
            Some(&token),
            &json!({"connection": CONNECTION, "email": "eve2@example.com", "password": "Violet-Harbor-71", "username": "eve"}),
        )
        .await;
    assert_wire!("user_create_username_in_use", taken);
}

#[tokio::test]
async fn create_and_delete_need_their_scopes() {
    let app = TestApp::new();
    let token = app.token(App::Backend).await;
    let create = app.post_json(USERS, Some(&token), &chuck()).await;
    assert_wire!("user_create_insufficient_scope", create);
    let delete = app.delete(&path_of(ALICE), &token).await;
    assert_wire!("user_delete_insufficient_scope", delete);
    let read_only = app.token(App::ReadOnly).await;
    let list = app.get(USERS, Some(&read_only)).await;
    assert_eq!(list.status, StatusCode::OK, "read:users lists users");
}

#[tokio::test]
async fn delete_is_204_twice_and_the_user_is_gone_everywhere() {
    let app = TestApp::new();
    let admin = app.token(App::Admin).await;
    let login = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(login.status, StatusCode::OK);
    let ticket = app
        .post_json(
            "/api/v2/tickets/password-change",
            Some(&admin),
            &json!({"user_id": ALICE}),
        )
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.body);
    let first = app.delete(&path_of(ALICE), &admin).await;
    assert_wire!("user_delete", first);
    let second = app.delete(&path_of(ALICE), &admin).await;
    assert_eq!(second.status, StatusCode::NO_CONTENT, "a second DELETE is 204 too");
    assert!(second.body.is_empty());
    let read = app.get(&path_of(ALICE), Some(&admin)).await;
    assert_eq!(read.json()["errorCode"], "inexistent_user");
    let by_email = app
        .get("/api/v2/users-by-email?email=alice%40example.com", Some(&admin))
        .await;
    assert_eq!(by_email.json(), json!([]));
    let search = app.get("/api/v2/users?q=email:alice%40example.com", Some(&admin)).await;
    assert_eq!(search.json(), json!([]));
    let relogin = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(relogin.status, StatusCode::FORBIDDEN);
    assert_eq!(relogin.json()["error_description"], "Wrong email or password.");
    let link = ticket.json()["ticket"].as_str().expect("ticket").to_owned();
    let path = link.trim_start_matches("http://127.0.0.1:4010").trim_end_matches('#');
    let page = app.get(path, None).await;
    assert_ne!(
        page.status,
        StatusCode::OK,
        "the deleted user's ticket is gone: {}",
        page.body
    );
}

#[tokio::test]
async fn patch_metadata_merge_blocked_and_conflicts() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let path = path_of(ALICE);
    app.patch_json(
        &path,
        &token,
        &json!({"app_metadata": {"facts": ["a"], "plan": {"tier": 1, "seats": 3}}}),
    )
    .await;
    let merged = app
        .patch_json(
            &path,
            &token,
            &json!({"app_metadata": {"foo": "bar", "plan": {"tier": 2}}}),
        )
        .await;
    assert_eq!(
        merged.json()["app_metadata"],
        json!({"facts": ["a"], "plan": {"tier": 2}, "foo": "bar"}),
        "first-level merge; nested objects are replaced"
    );
    let emptied = app
        .patch_json(
            &path,
            &token,
            &json!({"user_metadata": {}, "app_metadata": {"facts": null, "plan": null, "foo": null}}),
        )
        .await;
    assert_wire!("user_patch_empty_metadata", emptied);
    // obs (terraform-provider-auth0 test/data/recordings/TestAccUser.yaml, interactions 12-17):
    // `{}` empties metadata that holds keys, on the PATCH's answer and on later reads.
    let filled = app
        .patch_json(
            &path,
            &token,
            &json!({"user_metadata": {"baz": null, "foo": "bars"}, "app_metadata": {"baz": null, "foo": "bars"}}),
        )
        .await
        .json();
    assert_eq!(
        (&filled["user_metadata"], &filled["app_metadata"]),
        (&json!({"foo": "bars"}), &json!({"foo": "bars"}))
    );
    let cleared = app
        .patch_json(&path, &token, &json!({"user_metadata": {}, "app_metadata": {}}))
        .await;
    assert!(cleared.body.ends_with(r#","user_metadata":{}}"#), "{}", cleared.body);
    let read = app.get(&path, Some(&token)).await.json();
    assert_eq!(read["user_metadata"], json!({}), "{read}");
    assert!(read.get("app_metadata").is_none(), "{read}");
    let blocked = app.patch_json(&path, &token, &json!({"blocked": true})).await;
    assert_eq!(blocked.json()["blocked"], true);
    let refused = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(refused.json()["error_description"], "user is blocked");
    let unblocked = app.patch_json(&path, &token, &json!({"blocked": false})).await;
    // inf: once set, the key stays, as it does for a user created with `"blocked":false`.
    assert_eq!(unblocked.json()["blocked"], false, "{}", unblocked.body);
    let taken = app
        .patch_json(
            &path,
            &token,
            &json!({"email": "bob@example.com", "connection": CONNECTION}),
        )
        .await;
    assert_wire!("user_patch_email_exists", taken);
    let together = app
        .patch_json(&path, &token, &json!({"username": "al", "password": "Abcdefgh123"}))
        .await;
    assert_eq!(
        together.json()["message"],
        "Cannot update username and password simultaneously."
    );
}

#[tokio::test]
async fn hostile_bodies_are_refused_not_crashed() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let auth = format!("Bearer {token}");
    let bodies: [&str; 6] = [
        "{",
        "[]",
        "null",
        r#"{"connection": 5}"#,
        r#"{"connection": "Username-Password-Authentication", "email": "a@b.co", "password": "Abcdefgh123", "user_id": "has space"}"#,
        r#"{"connection": "Username-Password-Authentication", "email": "a@b.co", "password": "Abcdefgh123", "user_metadata": []}"#,
    ];
    for body in bodies {
        let reply = app
            .request(
                Method::POST,
                USERS,
                Some("application/json"),
                Some(&auth),
                body.to_owned(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
    }
    let huge = json!({"connection": CONNECTION, "email": "a@b.co", "password": "x".repeat(2_000_000)});
    let reply = app.post_json(USERS, Some(&token), &huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    let long_id =
        json!({"connection": CONNECTION, "email": "a@b.co", "password": "Abcdefgh123", "user_id": "a".repeat(256)});
    assert_eq!(
        app.post_json(USERS, Some(&token), &long_id).await.status,
        StatusCode::BAD_REQUEST
    );
}
