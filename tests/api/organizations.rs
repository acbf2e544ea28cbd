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

/// The id of `app`'s client grant on the Management API.
async fn management_grant(app: &TestApp, token: &str, which: App) -> String {
    let (client_id, _) = app.credentials(which);
    let reply = app
        .get(&format!("/api/v2/client-grants?client_id={client_id}"), Some(token))
        .await;
    reply.json()[0]["id"].as_str().expect("grant id").to_owned()
}

#[tokio::test]
async fn organization_client_grants_as_recorded() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    let org = create(&app, &token, json!({"name": "acme"})).await;
    let grant = management_grant(&app, &token, App::Backend).await;
    let settings = json!({"organization_usage": "allow", "allow_any_organization": true});
    let patched = app
        .patch_json(&format!("/api/v2/client-grants/{grant}"), &token, &settings)
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let path = format!("/api/v2/organizations/{org}/client-grants");
    // obs (go-auth0 v1 `_ClientGrants`, 2023; `_ClientGrantsWithOrg`, 2026): 201, `grant_id`
    // first, the 2026 tenant adding the grant's organization settings.
    let associated = app.post_json(&path, Some(&token), &json!({"grant_id": grant})).await;
    assert_wire!("org_client_grant_associate", associated);
    // doc (OAS-mgmt): a second association is a 409.
    let again = app.post_json(&path, Some(&token), &json!({"grant_id": grant})).await;
    assert_wire!("org_client_grant_already_added", again);
    // obs: `{"client_grants":[…],"start":0,"limit":50,"total":1}`, each as /client-grants prints it.
    let listed = app
        .get(&format!("{path}?include_totals=true&per_page=50"), Some(&token))
        .await;
    assert_wire!("org_client_grants_list", listed);
    let direct = app.get(&format!("/api/v2/client-grants/{grant}"), Some(&token)).await;
    assert_eq!(listed.json()["client_grants"][0], direct.json());
    let filtered = app
        .get(
            &format!("{path}?include_totals=true&grant_ids=cgr_0000000000000000"),
            Some(&token),
        )
        .await;
    assert_eq!(
        filtered.json(),
        json!({"client_grants": [], "start": 0, "limit": 50, "total": 0})
    );
    let by_grant = app
        .get(
            &format!("/api/v2/client-grants/{grant}/organizations?include_totals=true"),
            Some(&token),
        )
        .await;
    assert_wire!("client_grant_organizations", by_grant);
    // obs (go-auth0 v1 `_ClientGrantsWithOrg`): 204, then the list is empty; the grant stays.
    let removed = app.delete(&format!("{path}/{grant}"), &token).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let empty = app.get(&format!("{path}?include_totals=true"), Some(&token)).await;
    assert_eq!(
        empty.json(),
        json!({"client_grants": [], "start": 0, "limit": 50, "total": 0})
    );
    let kept = app.get(&format!("/api/v2/client-grants/{grant}"), Some(&token)).await;
    assert_eq!(kept.status, StatusCode::OK);
}

#[tokio::test]
async fn organization_client_grants_go_with_their_grant_and_their_organization() {
    let app = org_app();
    let token = app.token(App::Explorer).await;
    let acme = create(&app, &token, json!({"name": "acme"})).await;
    let globex = create(&app, &token, json!({"name": "globex"})).await;
    let backend = management_grant(&app, &token, App::Backend).await;
    let admin = management_grant(&app, &token, App::Admin).await;
    for (org, grant) in [(&acme, &backend), (&globex, &backend), (&acme, &admin)] {
        let reply = app
            .post_json(
                &format!("/api/v2/organizations/{org}/client-grants"),
                Some(&token),
                &json!({"grant_id": grant}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let organizations_of = |grant: String| {
        let app = &app;
        let token = &token;
        async move {
            let reply = app
                .get(&format!("/api/v2/client-grants/{grant}/organizations"), Some(token))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply
                .json()
                .as_array()
                .expect("array")
                .iter()
                .map(|o| o["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(organizations_of(backend.clone()).await, [json!(acme), json!(globex)]);
    // Deleting the organization drops its associations.
    let deleted = app.delete(&format!("/api/v2/organizations/{globex}"), &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(organizations_of(backend.clone()).await, [json!(acme)]);
    // Deleting the grant takes it from every organization.
    let deleted = app.delete(&format!("/api/v2/client-grants/{backend}"), &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let left = app
        .get(&format!("/api/v2/organizations/{acme}/client-grants"), Some(&token))
        .await;
    let ids: Vec<Value> = left
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|g| g["id"].clone())
        .collect();
    assert_eq!(ids, [json!(admin)]);
    let gone = app
        .get(&format!("/api/v2/client-grants/{backend}/organizations"), Some(&token))
        .await;
    assert_wire!("client_grant_organizations_unknown_grant", gone);
}

#[tokio::test]
async fn organization_client_grants_refuse_hostile_input() {
    // A grant of another tenant is unknown here.
    let elsewhere = org_app();
    let foreign_token = elsewhere.token(App::Explorer).await;
    let (web_client, _) = elsewhere.credentials(App::Web);
    let foreign = elsewhere
        .post_json(
            "/api/v2/client-grants",
            Some(&foreign_token),
            &json!({"client_id": web_client, "audience": format!("{}/api/v2/", crate::helpers::BASE), "scope": []}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::CREATED, "{}", foreign.body);
    let foreign = foreign.json()["id"].as_str().expect("id").to_owned();
    let app = org_app();
    let token = app.token(App::Explorer).await;
    let org = create(&app, &token, json!({"name": "acme"})).await;
    let path = format!("/api/v2/organizations/{org}/client-grants");
    let unknown = app.post_json(&path, Some(&token), &json!({"grant_id": foreign})).await;
    assert_wire!("org_client_grant_unknown", unknown);
    let removed = app.delete(&format!("{path}/{foreign}"), &token).await;
    assert_eq!(removed.body, unknown.body);
    // An organization this tenant does not have: the recorded 404.
    let grant = management_grant(&app, &token, App::Backend).await;
    let no_org = app
        .post_json(
            "/api/v2/organizations/org_0000000000000000/client-grants",
            Some(&token),
            &json!({"grant_id": grant}),
        )
        .await;
    assert_eq!(no_org.status, StatusCode::NOT_FOUND);
    assert!(
        no_org.body.contains("No organization found by that id or name"),
        "{}",
        no_org.body
    );
    // The body's schema: `grant_id` alone, a string.
    for body in [
        json!({}),
        json!({"grant_id": 7}),
        json!({"grant_id": grant, "scope": []}),
    ] {
        let reply = app.post_json(&path, Some(&token), &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
        assert!(reply.body.contains("\"errorCode\":\"invalid_body\""), "{}", reply.body);
    }
    // A huge or unknown query parameter is the query validation error, never a 500.
    let huge = "cgr_x,".repeat(2000);
    for query in [
        format!("grant_ids={huge}"),
        "page=1001".into(),
        "per_page=0".into(),
        "sort=name:1".into(),
    ] {
        let reply = app.get(&format!("{path}?{query}"), Some(&token)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}: {}", reply.body);
        assert!(reply.body.contains("Query validation error"), "{}", reply.body);
    }
    // The scopes: the backend application holds none of them.
    let backend = app.token(App::Backend).await;
    let reply = app.get(&path, Some(&backend)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains("read:organization_client_grants"), "{}", reply.body);
}
