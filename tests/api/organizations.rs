//! Organizations on the Management API (facts `auth0-mfa-orgs.md` Part B, `auth0-users.md` §9):
//! the recorded bodies, key orders, statuses and error texts, the checkpoint paging, the
//! cascades, and what hostile input gets.

use authmock::auth0::Fixture;
use authmock::auth0::tenant::applications::OrganizationUsage;
use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{App, TestApp};

const ALICE: &str = "auth0|3b3d13f7d1bb45d8d62f8e36";

/// The default tenant, with the web app taking organizations and having a login route.
fn org_app() -> TestApp {
    let mut fixture = Fixture::default_auth0();
    let web = fixture
        .clients
        .iter_mut()
        .find(|c| c.name == "Web app")
        .expect("web app");
    web.organization_usage = OrganizationUsage::Allow;
    web.login_uri = Some("https://app.example.com/login".into());
    TestApp::with_fixture(fixture)
}

async fn create(app: &TestApp, token: &str, body: Value) -> String {
    let reply = app.post_json("/api/v2/organizations", Some(token), &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn organization_lifecycle_answers_the_recorded_bodies() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json(
            "/api/v2/organizations",
            Some(&token),
            &json!({"name": "acme", "display_name": "Acme", "branding": {"logo_url": "https://example.com/logo.gif"}}),
        )
        .await;
    // obs (REC-tf 2026-08): id first, then the 2026 defaults.
    assert_wire!("organization_create", created);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("org_") && id.len() == 20, "{id}");
    let read = app.get(&format!("/api/v2/organizations/{id}"), Some(&token)).await;
    assert_wire!("organization_get", read);
    let by_name = app.get("/api/v2/organizations/name/acme", Some(&token)).await;
    assert_eq!(by_name.body, read.body);
    let patched = app
        .patch_json(
            &format!("/api/v2/organizations/{id}"),
            &token,
            &json!({"metadata": {"tier": "gold"}}),
        )
        .await;
    assert_wire!("organization_update", patched);
    // obs (REC-tf TestAccOrganization): `metadata:{}` removes the key.
    let cleared = app
        .patch_json(&format!("/api/v2/organizations/{id}"), &token, &json!({"metadata": {}}))
        .await;
    assert!(cleared.json().get("metadata").is_none(), "{}", cleared.body);
    let deleted = app.delete(&format!("/api/v2/organizations/{id}"), &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app.get(&format!("/api/v2/organizations/{id}"), Some(&token)).await;
    assert_wire!("organization_not_found", gone);
    let again = app.delete(&format!("/api/v2/organizations/{id}"), &token).await;
    assert_eq!(again.body, gone.body);
    let unknown_name = app.get("/api/v2/organizations/name/nobody", Some(&token)).await;
    assert_eq!(unknown_name.body, gone.body);
}

#[tokio::test]
async fn names_are_unique_and_checked() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    create(&app, &token, json!({"name": "acme"})).await;
    let taken = app
        .post_json("/api/v2/organizations", Some(&token), &json!({"name": "acme"}))
        .await;
    assert_wire!("organization_name_taken", taken);
    let bad = app
        .post_json("/api/v2/organizations", Some(&token), &json!({"name": "Bad_Name"}))
        .await;
    assert_wire!("organization_bad_name", bad);
    let huge = app
        .post_json(
            "/api/v2/organizations",
            Some(&token),
            &json!({"name": "a".repeat(100_000)}),
        )
        .await;
    assert_eq!(huge.status, StatusCode::BAD_REQUEST, "{}", huge.body);
    let metadata: serde_json::Map<String, Value> = (0..26).map(|i| (format!("k{i}"), json!("v"))).collect();
    let too_much = app
        .post_json(
            "/api/v2/organizations",
            Some(&token),
            &json!({"name": "meta", "metadata": metadata}),
        )
        .await;
    assert_eq!(too_much.status, StatusCode::BAD_REQUEST, "{}", too_much.body);
}

#[tokio::test]
async fn lists_page_by_offset_and_by_checkpoint() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    for name in ["one", "two", "three"] {
        create(&app, &token, json!({"name": name})).await;
        app.advance(1);
    }
    let offset = app
        .get("/api/v2/organizations?include_totals=true&per_page=2", Some(&token))
        .await;
    let body = offset.json();
    assert_eq!(
        (body["start"].clone(), body["limit"].clone(), body["total"].clone()),
        (json!(0), json!(2), json!(3))
    );
    let first = app
        .get("/api/v2/organizations?include_totals=true&take=2", Some(&token))
        .await
        .json();
    assert_eq!(first["organizations"].as_array().expect("items").len(), 2);
    let next = first["next"].as_str().expect("next").to_owned();
    let decoded = String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&next)
            .expect("base64url"),
    )
    .expect("text");
    let second_id = first["organizations"][1]["id"].as_str().expect("id");
    assert!(decoded.ends_with(&format!("UTC,{second_id}")), "{decoded}");
    let last = app
        .get(&format!("/api/v2/organizations?take=2&from={next}"), Some(&token))
        .await;
    // obs: the last page has no `next`.
    assert_eq!(last.json()["organizations"][0]["name"], "three");
    assert!(last.json().get("next").is_none());
    let far = app
        .get("/api/v2/organizations?page=10&per_page=100", Some(&token))
        .await;
    assert_wire!("organization_page_too_far", far);
    for bad in ["take=0", "take=101", "from=not-a-checkpoint", "per_page=1000", "name=x"] {
        let reply = app.get(&format!("/api/v2/organizations?{bad}"), Some(&token)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}: {}", reply.body);
    }
}

#[tokio::test]
async fn members_roles_and_their_cascades() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    let org = create(&app, &token, json!({"name": "acme"})).await;
    let members = format!("/api/v2/organizations/{org}/members");
    let unknown = app
        .post_json(&members, Some(&token), &json!({"members": ["auth0|nobody"]}))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
    let added = app
        .post_json(&members, Some(&token), &json!({"members": [ALICE]}))
        .await;
    assert_eq!(added.status, StatusCode::NO_CONTENT);
    let role = app
        .post_json(
            "/api/v2/roles",
            Some(&token),
            &json!({"name": "admin", "description": "Admins"}),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("role")
        .to_owned();
    let roles = format!(
        "/api/v2/organizations/{org}/members/{}/roles",
        ALICE.replace('|', "%7C")
    );
    let assigned = app.post_json(&roles, Some(&token), &json!({"roles": [role]})).await;
    assert_eq!(assigned.status, StatusCode::NO_CONTENT);
    let listed = app
        .get(&format!("{roles}?include_totals=true&per_page=50"), Some(&token))
        .await;
    assert_wire!("organization_member_roles", listed);
    let with_roles = app
        .get(
            &format!("{members}?fields=user_id,roles&include_totals=true"),
            Some(&token),
        )
        .await;
    assert_wire!("organization_members_with_roles", with_roles);
    let checkpoint = app.get(&format!("{members}?take=1"), Some(&token)).await.json();
    // obs (REC-tf 2026-08, the newest era): a lone short page has no `next`.
    assert_eq!(checkpoint["members"][0]["user_id"], ALICE);
    assert!(checkpoint.get("next").is_none(), "{checkpoint}");
    // Deleting the role takes it from the member; deleting the user takes the membership.
    app.delete(&format!("/api/v2/roles/{role}"), &token).await;
    let listed = app.get(&format!("{roles}?include_totals=true"), Some(&token)).await;
    assert_eq!(listed.json()["total"], 0);
    let deleted = app
        .delete("/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36", &token)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let left = app.get(&format!("{members}?include_totals=true"), Some(&token)).await;
    assert_eq!(left.json()["total"], 0, "{}", left.body);
}

#[tokio::test]
async fn enabled_connections_as_recorded() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    let org = create(&app, &token, json!({"name": "acme"})).await;
    let path = format!("/api/v2/organizations/{org}/enabled_connections");
    let added = app
        .post_json(
            &path,
            Some(&token),
            &json!({"connection_id": "con_FHnCKShgzqSf7tKL", "assign_membership_on_login": true, "is_signup_enabled": true}),
        )
        .await;
    assert_wire!("organization_connection_add", added);
    let refused = app
        .patch_json(
            &format!("{path}/con_FHnCKShgzqSf7tKL"),
            &token,
            &json!({"assign_membership_on_login": false, "is_signup_enabled": true}),
        )
        .await;
    assert_wire!("organization_connection_signup_refused", refused);
    let listed = app
        .get(&format!("{path}?include_totals=true&per_page=50"), Some(&token))
        .await;
    // obs: `limit` is the number of items.
    assert_eq!(listed.json()["limit"], 1);
    // Deleting the connection disables it for the organization.
    app.delete("/api/v2/connections/con_FHnCKShgzqSf7tKL", &token).await;
    let gone = app.get(&format!("{path}/con_FHnCKShgzqSf7tKL"), Some(&token)).await;
    assert_wire!("organization_connection_not_found", gone);
}

#[tokio::test]
async fn invitations_link_to_the_login_route_and_expire() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    let org = create(&app, &token, json!({"name": "acme"})).await;
    let path = format!("/api/v2/organizations/{org}/invitations");
    let (web, _) = app.credentials(App::Web);
    let (spa, _) = app.credentials(App::Backend);
    let invite = |client: &str| json!({"inviter": {"name": "Ada"}, "invitee": {"email": "bob@example.com"}, "client_id": client, "ttl_sec": 60});
    let created = app.post_json(&path, Some(&token), &invite(&web)).await;
    assert_wire!("organization_invitation_create", created);
    let body = created.json();
    let ticket = body["ticket_id"].as_str().expect("ticket");
    assert_eq!(
        body["invitation_url"],
        format!("https://app.example.com/login?invitation={ticket}&organization={org}&organization_name=acme")
    );
    // An application that does not take organizations is refused.
    let denied = app.post_json(&path, Some(&token), &invite(&spa)).await;
    assert_eq!(denied.status, StatusCode::BAD_REQUEST, "{}", denied.body);
    let id = body["id"].as_str().expect("id").to_owned();
    let one = app.get(&format!("{path}/{id}"), Some(&token)).await;
    assert_eq!(one.json(), body);
    let listed = app
        .get(&format!("{path}?include_totals=true"), Some(&token))
        .await
        .json();
    // obs: no `total`, `limit` the count.
    assert_eq!(listed["limit"], 1);
    assert!(listed.get("total").is_none());
    // Expiry on the tenant clock.
    app.advance(61);
    let expired = app.get(&format!("{path}/{id}"), Some(&token)).await;
    assert_wire!("organization_invitation_not_found", expired);
    // Deleting the application takes its invitations.
    let again = app.post_json(&path, Some(&token), &invite(&web)).await.json();
    app.delete(&format!("/api/v2/clients/{web}"), &token).await;
    let after = app
        .get(&format!("{path}/{}", again["id"].as_str().expect("id")), Some(&token))
        .await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn organizations_need_their_scopes() {
    let app = org_app();
    let token = app.token(App::Backend).await;
    let reply = app.get("/api/v2/organizations", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains("read:organizations"), "{}", reply.body);
}
