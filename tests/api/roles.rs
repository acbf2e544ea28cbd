//! Roles, permissions and RBAC access tokens (facts `auth0-users.md` §6).

use authmock::auth0::Fixture;
use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{App, CONNECTION, TestApp, claims};

const API: &str = "https://api.example.com/";
const ALICE_ROLES: &str = "/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36/roles";
const ALICE_PERMISSIONS: &str = "/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36/permissions";

/// The default tenant with RBAC and permissions-in-token on the example API, and an admin
/// client that may manage roles.
fn rbac_app() -> TestApp {
    let mut fixture = Fixture::default_auth0();
    fixture.apis[0].rbac = true;
    fixture.apis[0].permissions_in_token = true;
    let admin = fixture
        .clients
        .iter_mut()
        .find(|c| c.name.starts_with("User admin"))
        .expect("admin client");
    admin.grants[0]
        .scopes
        .extend(["read:roles", "create:roles", "update:roles", "delete:roles"].map(String::from));
    TestApp::with_fixture(fixture)
}

async fn user_token(app: &TestApp, scope: &str) -> serde_json::Value {
    let (client_id, client_secret) = app.credentials(App::Web);
    let reply = app
        .oauth(&json!({
            "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
            "client_id": client_id, "client_secret": client_secret,
            "username": "alice@example.com", "password": "Wonderland-2026", "realm": CONNECTION,
            "audience": API, "scope": scope,
        }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

#[tokio::test]
async fn role_lifecycle_with_the_observed_statuses() {
    let app = rbac_app();
    let token = app.token(App::Admin).await;
    let created = app
        .post_json(
            "/api/v2/roles",
            Some(&token),
            &json!({"name": "editor", "description": "Edits"}),
        )
        .await;
    assert_wire!("role_create", created);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("rol_") && id.len() == 20, "{id}");
    // obs (terraform-provider-auth0 test/data/recordings/TestAccRole.yaml, 2026): a role created
    // without a description answers no `description` key, and reads back `"description":""`.
    let bare = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": "viewer"}))
        .await;
    let bare_id = bare.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        bare.body,
        format!(r#"{{"id":"{bare_id}","name":"viewer","type":"tenant"}}"#)
    );
    let read = app.get(&format!("/api/v2/roles/{bare_id}"), Some(&token)).await;
    assert_eq!(
        read.body,
        format!(r#"{{"id":"{bare_id}","name":"viewer","description":"","type":"tenant"}}"#)
    );
    let duplicate = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": "editor"}))
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let listed = app
        .get("/api/v2/roles?include_totals=true&name_filter=EDIT", Some(&token))
        .await;
    assert_eq!(listed.json()["total"], 1);
    assert_eq!(listed.json()["roles"][0]["name"], "editor");
    let renamed = app
        .request(
            Method::PATCH,
            &format!("/api/v2/roles/{id}"),
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            json!({"description": "Edits things"}).to_string(),
        )
        .await;
    assert_eq!(
        renamed.body,
        format!(r#"{{"id":"{id}","name":"editor","description":"Edits things","type":"tenant"}}"#)
    );
    let permission = json!({"permissions": [{"resource_server_identifier": API, "permission_name": "write:messages"}]});
    let added = app
        .post_json(&format!("/api/v2/roles/{id}/permissions"), Some(&token), &permission)
        .await;
    assert_eq!((added.status, added.body.as_str()), (StatusCode::CREATED, "{}"));
    let perms = app
        .get(
            &format!("/api/v2/roles/{id}/permissions?include_totals=true"),
            Some(&token),
        )
        .await;
    assert_wire!("role_permissions", perms);
    let deleted = app.delete(&format!("/api/v2/roles/{id}"), &token).await;
    assert_eq!((deleted.status, deleted.body.as_str()), (StatusCode::OK, "{}"));
    let gone = app.get(&format!("/api/v2/roles/{id}"), Some(&token)).await;
    assert_wire!("role_not_found", gone);
}

#[tokio::test]
async fn user_roles_and_permissions_reach_the_access_token() {
    let app = rbac_app();
    let token = app.token(App::Admin).await;
    let before = user_token(&app, "openid read:messages write:messages").await;
    let access = claims(before["access_token"].as_str().expect("access token"));
    assert_eq!(access["permissions"], json!([]));
    assert_eq!(access["scope"], "openid", "RBAC keeps only the scopes the user holds");
    let role = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": "writer"}))
        .await
        .json();
    let role_id = role["id"].as_str().expect("id").to_owned();
    app.post_json(
        &format!("/api/v2/roles/{role_id}/permissions"),
        Some(&token),
        &json!({"permissions": [{"resource_server_identifier": API, "permission_name": "write:messages"}]}),
    )
    .await;
    let assigned = app
        .post_json(ALICE_ROLES, Some(&token), &json!({"roles": [role_id]}))
        .await;
    assert_eq!((assigned.status, assigned.body.as_str()), (StatusCode::NO_CONTENT, ""));
    let direct = app
        .post_json(
            ALICE_PERMISSIONS,
            Some(&token),
            &json!({"permissions": [{"resource_server_identifier": API, "permission_name": "read:messages"}]}),
        )
        .await;
    assert_eq!(direct.status, StatusCode::CREATED);
    let roles = app
        .get(&format!("{ALICE_ROLES}?include_totals=true"), Some(&token))
        .await;
    assert_eq!(roles.json()["roles"][0]["name"], "writer");
    let permissions = app
        .get(&format!("{ALICE_PERMISSIONS}?include_totals=true"), Some(&token))
        .await;
    assert_wire!("user_permissions", permissions);
    let after = user_token(&app, "openid read:messages write:messages").await;
    let access = claims(after["access_token"].as_str().expect("access token"));
    assert_eq!(access["permissions"], json!(["read:messages", "write:messages"]));
    assert_eq!(access["scope"], "openid read:messages write:messages");
    let keys: Vec<&String> = access.as_object().expect("claims").keys().collect();
    let at = |k: &str| keys.iter().position(|x| *x == k).expect(k);
    assert_eq!(at("permissions"), at("scope") + 1, "permissions follows scope");
    let removed = app
        .request(
            Method::DELETE,
            ALICE_ROLES,
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            json!({"roles": [role_id]}).to_string(),
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let last = user_token(&app, "openid read:messages write:messages").await;
    assert_eq!(
        claims(last["access_token"].as_str().expect("at"))["permissions"],
        json!(["read:messages"])
    );
}

#[tokio::test]
async fn refusals() {
    let app = rbac_app();
    let token = app.token(App::Admin).await;
    let unknown_role = app
        .post_json(ALICE_ROLES, Some(&token), &json!({"roles": ["rol_nope"]}))
        .await;
    assert_eq!(unknown_role.status, StatusCode::NOT_FOUND);
    let empty = app.post_json(ALICE_ROLES, Some(&token), &json!({"roles": []})).await;
    assert_eq!(empty.json()["errorCode"], "invalid_body");
    let nobody = app.get("/api/v2/users/auth0%7Cnobody/roles", Some(&token)).await;
    assert_eq!(nobody.json()["errorCode"], "inexistent_user");
    let backend = app.token(App::Backend).await;
    let refused = app
        .post_json("/api/v2/roles", Some(&backend), &json!({"name": "x"}))
        .await;
    assert_wire!("role_create_insufficient_scope", refused);
    let plain = TestApp::new();
    let user = {
        let (client_id, client_secret) = plain.credentials(App::Web);
        plain
            .oauth(&json!({
                "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
                "client_id": client_id, "client_secret": client_secret,
                "username": "alice@example.com", "password": "Wonderland-2026", "realm": CONNECTION,
                "audience": API, "scope": "read:messages",
            }))
            .await
            .json()
    };
    let access = claims(user["access_token"].as_str().expect("at"));
    assert!(access.get("permissions").is_none(), "no RBAC, no claim: {access}");
    assert_eq!(access["scope"], "read:messages");
}

/// The default seed has a new tenant's API Explorer Application: a machine-to-machine
/// application granted every Management API scope authmock serves, listed in the tenant summary,
/// whose token can create a role.
#[tokio::test]
async fn the_explorer_application_can_create_a_role() {
    let app = TestApp::new();
    let summary = app.get("/__authmock__/tenant", None).await.json();
    let explorer = summary["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .find(|c| c["name"] == "API Explorer Application")
        .expect("the explorer is seeded")
        .clone();
    assert_eq!(explorer["app_type"], "non_interactive", "{explorer}");
    let token = app.token(App::Explorer).await;
    let scopes = claims(&token)["scope"].as_str().expect("scope").to_owned();
    for scope in [
        "create:roles",
        "read:roles",
        "create:role_members",
        "delete:users",
        "create:user_tickets",
    ] {
        assert!(scopes.split(' ').any(|s| s == scope), "{scope} missing from {scopes}");
    }
    let created = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": "explorer-made"}))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.json()["name"], "explorer-made");
    let listed = app.get("/api/v2/roles", Some(&token)).await;
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
}

/// obs (go-auth0 v1 test/data/recordings/TestUserManager_Roles.yaml,
/// TestUserManager_Permissions.yaml, TestRoleManager_Permissions.yaml): every 204 of the RBAC
/// endpoints carries `Content-Type: application/json; charset=utf-8` and no body.
#[tokio::test]
async fn every_rbac_204_carries_the_json_content_type() {
    let app = rbac_app();
    let token = app.token(App::Admin).await;
    let role = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": "writer"}))
        .await
        .json();
    let role_id = role["id"].as_str().expect("id").to_owned();
    let role_permissions = format!("/api/v2/roles/{role_id}/permissions");
    let permissions =
        json!({"permissions": [{"resource_server_identifier": API, "permission_name": "write:messages"}]});
    app.post_json(&role_permissions, Some(&token), &permissions).await;
    app.post_json(ALICE_PERMISSIONS, Some(&token), &permissions).await;
    let assigned = app
        .post_json(ALICE_ROLES, Some(&token), &json!({"roles": [role_id]}))
        .await;
    assert_wire!("user_roles_assign", assigned);
    let delete = |path: String, body: serde_json::Value| {
        let app = &app;
        let auth = format!("Bearer {token}");
        async move {
            app.request(
                Method::DELETE,
                &path,
                Some("application/json"),
                Some(&auth),
                body.to_string(),
            )
            .await
        }
    };
    for (path, body) in [
        (ALICE_ROLES.to_owned(), json!({"roles": [role_id]})),
        (ALICE_PERMISSIONS.to_owned(), permissions.clone()),
        (role_permissions.clone(), permissions.clone()),
    ] {
        let reply = delete(path.clone(), body).await;
        assert_eq!(
            (reply.status, reply.header("content-type"), reply.body.as_str()),
            (StatusCode::NO_CONTENT, Some("application/json; charset=utf-8"), ""),
            "DELETE {path}"
        );
    }
}

/// obs (terraform-provider-auth0 test/data/recordings/TestAccRoleTypeAndOwnerIDAreCreateOnly.yaml,
/// TestAccRoleOrganizationLevel.yaml, 2026): role create bodies may carry `type` and `owner_id`,
/// and the role answers them back, `owner_id` after `type`; a PATCH body may not carry them.
#[tokio::test]
async fn role_create_takes_type_and_owner_id() {
    let app = rbac_app();
    let token = app.token(App::Admin).await;
    let tenant = app
        .post_json(
            "/api/v2/roles",
            Some(&token),
            &json!({"name": "architect", "type": "tenant"}),
        )
        .await;
    assert_eq!(tenant.status, StatusCode::OK, "{}", tenant.body);
    assert_eq!(tenant.json()["type"], "tenant");
    let owned = app
        .post_json(
            "/api/v2/roles",
            Some(&token),
            &json!({"name": "operator", "description": "Operates", "type": "organization", "owner_id": "org_9LIhThtTjpUtNUWU"}),
        )
        .await;
    let id = owned.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        owned.body,
        format!(
            r#"{{"id":"{id}","name":"operator","description":"Operates","type":"organization","owner_id":"org_9LIhThtTjpUtNUWU"}}"#
        )
    );
    let listed = app
        .get("/api/v2/roles?include_totals=true&name_filter=operator", Some(&token))
        .await;
    assert_eq!(listed.json()["roles"][0], owned.json());
    let moved = app
        .request(
            Method::PATCH,
            &format!("/api/v2/roles/{id}"),
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            json!({"type": "tenant"}).to_string(),
        )
        .await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST, "{}", moved.body);
}

/// A permission naming an API the tenant does not have is refused with the provider's 404 on
/// roles and users alike, and nothing is granted; the Management API is an API of the tenant.
#[tokio::test]
async fn a_permission_for_an_api_that_does_not_exist_is_a_404() {
    let app = rbac_app();
    let token = app.token(App::Admin).await;
    let role = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": "editor"}))
        .await;
    let role_id = role.json()["id"].as_str().expect("id").to_owned();
    let role_permissions = format!("/api/v2/roles/{role_id}/permissions");
    let nope = json!({"permissions": [
        {"resource_server_identifier": API, "permission_name": "read:messages"},
        {"resource_server_identifier": "https://nope", "permission_name": "read:x"},
    ]});
    let refused = app.post_json(&role_permissions, Some(&token), &nope).await;
    assert_wire!("role_permissions_unknown_api", refused);
    let listed = app.get(&role_permissions, Some(&token)).await;
    assert_eq!(listed.json(), json!([]), "nothing granted");

    let refused = app.post_json(ALICE_PERMISSIONS, Some(&token), &nope).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        refused.body,
        r#"{"statusCode":404,"error":"Not Found","message":"The resource server does not exist: 'https://nope'"}"#
    );
    let listed = app.get(ALICE_PERMISSIONS, Some(&token)).await;
    assert_eq!(listed.json(), json!([]), "nothing granted");

    let management = json!({"permissions": [
        {"resource_server_identifier": "https://127.0.0.1:4010/api/v2/", "permission_name": "read:users"},
    ]});
    let granted = app.post_json(&role_permissions, Some(&token), &management).await;
    assert_eq!((granted.status, granted.body.as_str()), (StatusCode::CREATED, "{}"));
}
