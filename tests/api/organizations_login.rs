//! Logging in through an organization (facts `auth0-mfa-orgs.md` B6, B4): `/authorize` with
//! `organization` and `invitation`, the membership check at the end of the login, invitations
//! and auto-membership, the prompts of applications that require an organization, `org_id` /
//! `org_name` and organization roles in the tokens, refresh, the password grant; and what hostile
//! input gets.

use authmock::auth0::Fixture;
use authmock::auth0::tenant::applications::OrganizationUsage;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{App, TestApp, claims};
use crate::login::{
    Browser, SPA, SPA_CALLBACK, WEB, WEB_CALLBACK, exchange, page_wire, spa_code_exchange, spa_query, url_param,
    urlencode,
};

const ALICE: &str = "auth0|3b3d13f7d1bb45d8d62f8e36";
const CONNECTION_ID: &str = "con_FHnCKShgzqSf7tKL";
const API: &str = "https://api.example.com/";
const WEB_APP: &str = "AsTykornV22ULCNYSO7bbOujhSJKy4sJ";

macro_rules! assert_page {
    ($name:expr, $reply:expr) => {{
        let wire = page_wire(&$reply);
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, wire);
        })
    }};
}

/// The default tenant with the single-page app taking organizations (`usage`), a login route
/// for invitations, and RBAC with permissions in the token on the example API.
fn org_app(usage: OrganizationUsage) -> TestApp {
    let mut fixture = Fixture::default_auth0();
    let spa = fixture.clients.iter_mut().find(|c| c.client_id == SPA).expect("spa");
    spa.organization_usage = usage;
    spa.login_uri = Some("https://app.example.com/login".into());
    fixture.apis[0].rbac = true;
    fixture.apis[0].permissions_in_token = true;
    TestApp::with_fixture(fixture)
}

/// An organization `name` with the database connection enabled (auto-membership as given).
async fn organization(app: &TestApp, name: &str, assign_membership_on_login: bool) -> String {
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json("/api/v2/organizations", Some(&token), &json!({"name": name}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let enabled = app
        .post_json(
            &format!("/api/v2/organizations/{id}/enabled_connections"),
            Some(&token),
            &json!({"connection_id": CONNECTION_ID, "assign_membership_on_login": assign_membership_on_login}),
        )
        .await;
    assert_eq!(enabled.status, StatusCode::CREATED, "{}", enabled.body);
    id
}

async fn add_member(app: &TestApp, org: &str, user_id: &str) {
    let token = app.token(App::Explorer).await;
    let reply = app
        .post_json(
            &format!("/api/v2/organizations/{org}/members"),
            Some(&token),
            &json!({"members": [user_id]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
}

async fn members(app: &TestApp, org: &str) -> Vec<String> {
    let token = app.token(App::Explorer).await;
    let reply = app
        .get(&format!("/api/v2/organizations/{org}/members"), Some(&token))
        .await;
    // Without paging parameters the list is a bare array.
    reply
        .json()
        .as_array()
        .cloned()
        .expect("members")
        .iter()
        .map(|m| m["user_id"].as_str().expect("user_id").to_owned())
        .collect()
}

/// A role with `permissions` on the example API; its id.
async fn role(app: &TestApp, name: &str, permissions: &[&str]) -> String {
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json("/api/v2/roles", Some(&token), &json!({"name": name}))
        .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let list: Vec<Value> = permissions
        .iter()
        .map(|p| json!({"resource_server_identifier": API, "permission_name": p}))
        .collect();
    let added = app
        .post_json(
            &format!("/api/v2/roles/{id}/permissions"),
            Some(&token),
            &json!({"permissions": list}),
        )
        .await;
    assert!(added.status.is_success(), "{}", added.body);
    id
}

async fn patch(app: &TestApp, path: &str, body: Value) {
    let token = app.token(App::Explorer).await;
    let reply = app.patch_json(path, &token, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn invite(app: &TestApp, org: &str, email: &str, extra: Value) -> Value {
    let token = app.token(App::Explorer).await;
    let mut body = json!({"inviter": {"name": "Admin"}, "invitee": {"email": email}, "client_id": SPA});
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    let reply = app
        .post_json(&format!("/api/v2/organizations/{org}/invitations"), Some(&token), &body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

/// `/authorize` refused straight to the callback: the location, and the reply.
async fn refused(app: &TestApp, query: &str) -> (String, crate::helpers::Reply) {
    let mut browser = Browser::new(app);
    let reply = browser.get(&format!("/authorize?{query}")).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", page_wire(&reply));
    (reply.header("location").expect("location").to_owned(), reply)
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().expect("object").keys().map(String::as_str).collect()
}

#[tokio::test]
async fn a_member_logs_in_and_every_token_names_the_organization() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    add_member(&app, &org, ALICE).await;
    let mut browser = Browser::new(&app);
    let location = browser
        .login(&spa_query(&format!("&organization={org}&audience={}", urlencode(API))))
        .await;
    let code = url_param(&location, "code").expect("code");
    let tokens = spa_code_exchange(&app, &code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let body = tokens.json();
    let id = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["org_id"], org.as_str());
    assert!(id.get("org_name").is_none(), "names only with the tenant flag");
    // doc (DOC-org using-tokens): `org_id` right after `sub`.
    let id_keys = keys(&id);
    let sub = id_keys.iter().position(|k| *k == "sub").expect("sub");
    assert_eq!(id_keys[sub + 1], "org_id", "{id_keys:?}");
    let access = claims(body["access_token"].as_str().expect("access_token"));
    assert_eq!(
        keys(&access),
        [
            "iss",
            "sub",
            "aud",
            "iat",
            "exp",
            "azp",
            "scope",
            "org_id",
            "permissions"
        ]
    );
    assert_eq!(access["org_id"], org.as_str());
    // A refresh stays in the organization.
    let refreshed = exchange(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", SPA),
            ("refresh_token", body["refresh_token"].as_str().expect("refresh_token")),
        ],
    )
    .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    let again = refreshed.json();
    assert_eq!(
        claims(again["access_token"].as_str().expect("at"))["org_id"],
        org.as_str()
    );
    assert_eq!(claims(again["id_token"].as_str().expect("id"))["org_id"], org.as_str());
    // The SSO session answers a second login through the organization at once, still naming it.
    let reply = browser
        .get(&format!(
            "/authorize?{}",
            spa_query(&format!("&organization={org}&response_type=id_token")).replace("response_type=code&", "")
        ))
        .await;
    let location = reply.header("location").expect("location");
    let id_token = url_param(location, "id_token").expect("implicit id_token");
    assert_eq!(claims(&id_token)["org_id"], org.as_str());
}

#[tokio::test]
async fn a_login_without_the_organization_carries_no_org_claims() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    add_member(&app, &org, ALICE).await;
    let mut browser = Browser::new(&app);
    let location = browser.login(&spa_query("")).await;
    let tokens = spa_code_exchange(&app, &url_param(&location, "code").expect("code")).await;
    let id = claims(tokens.json()["id_token"].as_str().expect("id_token"));
    assert!(id.get("org_id").is_none(), "{id}");
}

#[tokio::test]
async fn a_non_member_is_refused_at_the_callback_after_logging_in() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query(&format!("&organization={org}"))).await;
    let reply = browser.log_in(&ul_state, "alice@example.com", "Wonderland-2026").await;
    let location = reply.header("location").expect("location").to_owned();
    // obs (ORG-DENY): access_denied, `user <id> is not part of the <org_id> organization`.
    assert_eq!(
        location,
        format!(
            "{SPA_CALLBACK}?error=access_denied&error_description=user%20auth0%7C3b3d13f7d1bb45d8d62f8e36%20is%20not\
             %20part%20of%20the%20{org}%20organization&state=st4te"
        )
    );
    assert_page!("org_login_not_a_member", reply);
    assert!(members(&app, &org).await.is_empty());
}

#[tokio::test]
async fn a_connection_with_auto_membership_makes_the_user_a_member() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", true).await;
    let mut browser = Browser::new(&app);
    let location = browser.login(&spa_query(&format!("&organization={org}"))).await;
    assert!(url_param(&location, "code").is_some(), "{location}");
    assert_eq!(members(&app, &org).await, [ALICE]);
}

#[tokio::test]
async fn a_member_whose_connection_is_not_enabled_for_the_organization_is_refused() {
    let app = org_app(OrganizationUsage::Allow);
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json("/api/v2/organizations", Some(&token), &json!({"name": "bare"}))
        .await;
    let org = created.json()["id"].as_str().expect("id").to_owned();
    add_member(&app, &org, ALICE).await;
    let mut browser = Browser::new(&app);
    let location = browser.login(&spa_query(&format!("&organization={org}"))).await;
    assert_eq!(url_param(&location, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        url_param(&location, "error_description").as_deref(),
        Some("the connection is not enabled for the organization")
    );
}

#[tokio::test]
async fn organization_names_need_the_tenant_flag_and_then_name_the_organization_in_tokens() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    add_member(&app, &org, ALICE).await;
    let (location, _) = refused(&app, &spa_query("&organization=acme")).await;
    assert_eq!(
        url_param(&location, "error_description").as_deref(),
        Some("authorization request parameter organization must be an organization id")
    );
    patch(
        &app,
        "/api/v2/tenants/settings",
        json!({"allow_organization_name_in_authentication_api": true}),
    )
    .await;
    let (location, _) = refused(&app, &spa_query("&organization=nobody")).await;
    assert_eq!(url_param(&location, "error").as_deref(), Some("invalid_request"));
    let mut browser = Browser::new(&app);
    // Names are lower-case; the request's case does not matter (obs SDK-SPAJS lower-cases too).
    let location = browser
        .login(&spa_query(&format!("&organization=ACME&audience={}", urlencode(API))))
        .await;
    let tokens = spa_code_exchange(&app, &url_param(&location, "code").expect("code")).await;
    let body = tokens.json();
    let id = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(
        (id["org_id"].as_str(), id["org_name"].as_str()),
        (Some(org.as_str()), Some("acme"))
    );
    let access = claims(body["access_token"].as_str().expect("access_token"));
    assert_eq!(
        keys(&access),
        [
            "iss",
            "sub",
            "aud",
            "iat",
            "exp",
            "azp",
            "scope",
            "org_id",
            "org_name",
            "permissions"
        ]
    );
}

#[tokio::test]
async fn organization_roles_grant_the_permissions_of_a_login_through_it() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    add_member(&app, &org, ALICE).await;
    let reader = role(&app, "reader", &["read:messages"]).await;
    let writer = role(&app, "writer", &["write:messages"]).await;
    let token = app.token(App::Explorer).await;
    // `writer` at the tenant level, `reader` in the organization.
    let tenant_role = app
        .post_json(
            &format!("/api/v2/users/{}/roles", urlencode(ALICE)),
            Some(&token),
            &json!({"roles": [writer]}),
        )
        .await;
    assert!(tenant_role.status.is_success(), "{}", tenant_role.body);
    let org_role = app
        .post_json(
            &format!("/api/v2/organizations/{org}/members/{}/roles", urlencode(ALICE)),
            Some(&token),
            &json!({"roles": [reader]}),
        )
        .await;
    assert_eq!(org_role.status, StatusCode::NO_CONTENT, "{}", org_role.body);
    let scope = "&scope=openid%20read:messages%20write:messages";
    let login = |query: String| {
        let app = &app;
        async move {
            let mut browser = Browser::new(app);
            let location = browser.login(&query).await;
            let tokens = spa_code_exchange(app, &url_param(&location, "code").expect("code")).await;
            claims(tokens.json()["access_token"].as_str().expect("access_token"))
        }
    };
    let base = spa_query(&format!("&audience={}", urlencode(API)))
        .replace("scope=openid%20profile%20email%20offline_access", &scope[1..]);
    let through_org = login(format!("{base}&organization={org}")).await;
    assert_eq!(through_org["permissions"], json!(["read:messages"]));
    assert_eq!(through_org["scope"], "openid read:messages");
    let alone = login(base).await;
    assert_eq!(alone["permissions"], json!(["write:messages"]));
}

#[tokio::test]
async fn an_invitation_makes_the_invitee_a_member_with_its_roles_once() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let reader = role(&app, "reader", &["read:messages"]).await;
    let invitation = invite(&app, &org, "Alice@Example.com", json!({"roles": [reader]})).await;
    let ticket = invitation["ticket_id"].as_str().expect("ticket").to_owned();
    let link = invitation["invitation_url"].as_str().expect("url");
    assert!(
        link.contains(&format!("invitation={ticket}&organization={org}")),
        "{link}"
    );
    let query = spa_query(&format!("&invitation={ticket}&organization={org}"));
    let mut browser = Browser::new(&app);
    let location = browser.login(&query).await;
    assert!(url_param(&location, "code").is_some(), "{location}");
    assert_eq!(members(&app, &org).await, [ALICE]);
    let token = app.token(App::Explorer).await;
    let roles = app
        .get(
            &format!("/api/v2/organizations/{org}/members/{}/roles", urlencode(ALICE)),
            Some(&token),
        )
        .await;
    assert_eq!(roles.json()[0]["id"], reader.as_str(), "{}", roles.body);
    // Spent: gone from the Management API, and refused at /authorize.
    let gone = app
        .get(
            &format!(
                "/api/v2/organizations/{org}/invitations/{}",
                invitation["id"].as_str().expect("id")
            ),
            Some(&token),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let (location, reply) = refused(&app, &query).await;
    assert_eq!(
        location,
        format!(
            "{SPA_CALLBACK}?error=invalid_request&error_description=invitation%20not%20found%20or%20expired\
             &state=st4te"
        )
    );
    assert_page!("org_login_invitation_spent", reply);
}

#[tokio::test]
async fn an_invitation_for_another_email_is_not_accepted_and_stays() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let invitation = invite(&app, &org, "mallory@example.com", json!({})).await;
    let ticket = invitation["ticket_id"].as_str().expect("ticket");
    let mut browser = Browser::new(&app);
    let location = browser
        .login(&spa_query(&format!("&invitation={ticket}&organization={org}")))
        .await;
    assert_eq!(
        url_param(&location, "error").as_deref(),
        Some("access_denied"),
        "{location}"
    );
    assert!(members(&app, &org).await.is_empty());
    let token = app.token(App::Explorer).await;
    let still = app
        .get(
            &format!(
                "/api/v2/organizations/{org}/invitations/{}",
                invitation["id"].as_str().expect("id")
            ),
            Some(&token),
        )
        .await;
    assert_eq!(still.status, StatusCode::OK);
}

#[tokio::test]
async fn an_invitation_is_bound_to_its_organization_application_and_lifetime() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let other = organization(&app, "other", false).await;
    let invitation = invite(&app, &org, "alice@example.com", json!({"ttl_sec": 60})).await;
    let ticket = invitation["ticket_id"].as_str().expect("ticket");
    for query in [
        // Another organization, none at all, an unknown ticket.
        spa_query(&format!("&invitation={ticket}&organization={other}")),
        spa_query(&format!("&invitation={ticket}")),
        spa_query(&format!("&invitation=x{ticket}&organization={org}")),
    ] {
        let (location, _) = refused(&app, &query).await;
        assert_eq!(
            url_param(&location, "error").as_deref(),
            Some("invalid_request"),
            "{query}"
        );
    }
    // Another application (the regular web app, which takes organizations too).
    patch(
        &app,
        &format!("/api/v2/clients/{WEB}"),
        json!({"organization_usage": "allow"}),
    )
    .await;
    let mut browser = Browser::new(&app);
    let web = browser
        .get(&format!(
            "/authorize?response_type=code&client_id={WEB}&redirect_uri={}&invitation={ticket}&organization={org}\
             &state=s",
            urlencode(WEB_CALLBACK)
        ))
        .await;
    let location = web.header("location").unwrap_or_default();
    assert_eq!(
        url_param(location, "error").as_deref(),
        Some("invalid_request"),
        "{location}"
    );
    // Expiry on the tenant clock.
    app.advance(61);
    let (location, _) = refused(&app, &spa_query(&format!("&invitation={ticket}&organization={org}"))).await;
    assert_eq!(
        url_param(&location, "error_description").as_deref(),
        Some("invitation not found or expired")
    );
}

#[tokio::test]
async fn an_organization_of_another_tenant_is_unknown_here() {
    let elsewhere = org_app(OrganizationUsage::Allow);
    let foreign = organization(&elsewhere, "acme", true).await;
    let app = org_app(OrganizationUsage::Allow);
    let (location, reply) = refused(&app, &spa_query(&format!("&organization={foreign}"))).await;
    assert_eq!(url_param(&location, "error").as_deref(), Some("invalid_request"));
    assert_eq!(
        url_param(&location, "error_description"),
        Some(format!("organization not found: {foreign}"))
    );
    assert!(reply.header("set-cookie").is_none());
}

#[tokio::test]
async fn organization_parameters_never_redirect_anywhere_but_an_allowed_callback() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let mut browser = Browser::new(&app);
    // A foreign redirect_uri is the error page, whatever the organization parameters say.
    for extra in [
        format!("&organization={org}"),
        format!("&organization={org}&invitation=nope"),
        "&organization=https%3A%2F%2Fevil.example%2F".to_owned(),
    ] {
        let query = spa_query(&extra).replace(&urlencode(SPA_CALLBACK), &urlencode("https://evil.example/cb"));
        let reply = browser.get(&format!("/authorize?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{extra}");
        assert!(reply.header("location").is_none());
    }
    // Values that try to smuggle a redirect stay data in the registered callback's query.
    let hostile = "org_x&redirect_uri=https://evil.example/\r\nLocation: https://evil.example/";
    let invitation_huge = "i".repeat(16 * 1024);
    for extra in [
        format!("&organization={}", urlencode(hostile)),
        format!("&organization={org}&invitation={}", urlencode(hostile)),
        format!("&organization={org}&invitation={invitation_huge}"),
    ] {
        let (location, _) = refused(&app, &spa_query(&extra)).await;
        assert!(
            location.starts_with(&format!("{SPA_CALLBACK}?error=invalid_request&")),
            "{location:.200}"
        );
        assert!(!location.contains('\n') && !location.contains("\r"));
        assert_eq!(url_param(&location, "state").as_deref(), Some("st4te"));
    }
}

#[tokio::test]
async fn the_pre_login_prompt_asks_for_the_organization_name() {
    let app = org_app(OrganizationUsage::Require);
    let org = organization(&app, "acme", false).await;
    add_member(&app, &org, ALICE).await;
    patch(
        &app,
        &format!("/api/v2/clients/{SPA}"),
        json!({"organization_require_behavior": "pre_login_prompt"}),
    )
    .await;
    let mut browser = Browser::new(&app);
    let reply = browser.get(&format!("/authorize?{}", spa_query(""))).await;
    let location = reply.header("location").expect("location").to_owned();
    let ul_state = location
        .strip_prefix("/u/organization?state=")
        .expect("the prompt")
        .to_owned();
    let page = browser.get(&location).await;
    assert_page!("org_login_prompt", page);
    let wrong = browser
        .post(
            &location,
            &[
                ("state", &ul_state),
                ("organizationName", "nope"),
                ("action", "default"),
            ],
        )
        .await;
    assert_page!("org_login_prompt_invalid", wrong);
    let right = browser
        .post(
            &location,
            &[
                ("state", &ul_state),
                ("organizationName", "Acme"),
                ("action", "default"),
            ],
        )
        .await;
    assert_eq!(
        right.header("location"),
        Some(format!("/u/login?state={ul_state}").as_str())
    );
    let callback = browser.log_in(&ul_state, "alice@example.com", "Wonderland-2026").await;
    let location = callback.header("location").expect("location");
    let tokens = spa_code_exchange(&app, &url_param(location, "code").expect("code")).await;
    assert_eq!(
        claims(tokens.json()["id_token"].as_str().expect("id"))["org_id"],
        org.as_str()
    );
    // Without a prompt behaviour the request is refused as before.
    patch(
        &app,
        &format!("/api/v2/clients/{SPA}"),
        json!({"organization_require_behavior": "no_prompt"}),
    )
    .await;
    let (location, _) = refused(&app, &spa_query("")).await;
    assert_eq!(
        url_param(&location, "error_description").as_deref(),
        Some("parameter organization is required for this client")
    );
}

#[tokio::test]
async fn the_post_login_prompt_offers_the_users_organizations() {
    let app = org_app(OrganizationUsage::Require);
    let org = organization(&app, "acme", false).await;
    let stranger = organization(&app, "stranger", false).await;
    add_member(&app, &org, ALICE).await;
    patch(
        &app,
        &format!("/api/v2/clients/{SPA}"),
        json!({"organization_require_behavior": "post_login_prompt"}),
    )
    .await;
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&spa_query("")).await;
    let picker = browser.log_in(&ul_state, "alice@example.com", "Wonderland-2026").await;
    let location = picker.header("location").expect("location").to_owned();
    let state = location
        .strip_prefix("/u/organization-picker?state=")
        .expect("the picker")
        .to_owned();
    let page = browser.get(&location).await;
    assert!(page.body.contains(&format!("value=\"{org}\"")), "{}", page.body);
    assert!(!page.body.contains(&stranger));
    assert_page!("org_login_picker", page);
    // An organization the picker does not offer is not taken.
    let other = browser
        .post(&location, &[("state", &state), ("organization", &stranger)])
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    let chosen = browser
        .post(&location, &[("state", &state), ("organization", &org)])
        .await;
    let resume = chosen.header("location").expect("location").to_owned();
    assert!(resume.starts_with("/authorize/resume?state="), "{resume}");
    let callback = browser.get(&resume).await;
    let code = url_param(callback.header("location").expect("location"), "code").expect("code");
    let tokens = spa_code_exchange(&app, &code).await;
    assert_eq!(
        claims(tokens.json()["id_token"].as_str().expect("id"))["org_id"],
        org.as_str()
    );
    // A picker state belongs to the browser that logged in.
    let mut thief = Browser::new(&app);
    let stolen = thief
        .post(&location, &[("state", &state), ("organization", &org)])
        .await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_password_grant_is_refused_for_an_application_that_requires_organizations() {
    let mut fixture = Fixture::default_auth0();
    let web = fixture
        .clients
        .iter_mut()
        .find(|c| c.client_id == WEB_APP)
        .expect("web app");
    web.organization_usage = OrganizationUsage::Require;
    let app = TestApp::with_fixture(fixture);
    let (client_id, client_secret) = app.credentials(App::Web);
    let reply = app
        .oauth(&json!({
            "grant_type": "password", "client_id": client_id, "client_secret": client_secret,
            "username": "alice@example.com", "password": "Wonderland-2026",
        }))
        .await;
    assert_wire!("org_login_password_grant_refused", reply);
}

/// The id of the backend M2M application's client grant on the Management API.
async fn backend_grant(app: &TestApp) -> String {
    let token = app.token(App::Explorer).await;
    let (client_id, _) = app.credentials(App::Backend);
    let reply = app
        .get(&format!("/api/v2/client-grants?client_id={client_id}"), Some(&token))
        .await;
    let grants = reply.json();
    let list = grants.as_array().cloned().unwrap_or_default();
    list[0]["id"].as_str().expect("grant id").to_owned()
}

/// Sets the client grant's `organization_usage`.
async fn grant_usage(app: &TestApp, grant: &str, usage: &str) {
    patch(
        app,
        &format!("/api/v2/client-grants/{grant}"),
        json!({"organization_usage": usage}),
    )
    .await;
}

async fn client_credentials(app: &TestApp, organization: Value) -> crate::helpers::Reply {
    let (client_id, client_secret) = app.credentials(App::Backend);
    let mut body = json!({
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
        "audience": format!("{}/api/v2/", crate::helpers::BASE),
    });
    // `Value::Null` is sent as `"organization": null`, as auth0-python always does.
    body["organization"] = organization;
    app.oauth(&body).await
}

#[tokio::test]
async fn client_credentials_with_an_organization_follows_the_client_grant() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let grant = backend_grant(&app).await;
    // `organization_usage` absent is `deny`.
    let denied = client_credentials(&app, json!(org)).await;
    assert_wire!("org_m2m_not_allowed", denied);
    // auth0-python sends `"organization": null`: no organization.
    let null = client_credentials(&app, Value::Null).await;
    assert_eq!(null.status, StatusCode::OK, "{}", null.body);
    grant_usage(&app, &grant, "allow").await;
    let unassociated = client_credentials(&app, json!(org)).await;
    assert_eq!(unassociated.status, StatusCode::FORBIDDEN, "{}", unassociated.body);
    patch(
        &app,
        &format!("/api/v2/client-grants/{grant}"),
        json!({"allow_any_organization": true}),
    )
    .await;
    let unknown = client_credentials(&app, json!("org_0000000000000000")).await;
    assert_wire!("org_m2m_unknown_organization", unknown);
    let ok = client_credentials(&app, json!(org)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let token = claims(ok.json()["access_token"].as_str().expect("access_token"));
    assert_eq!(
        keys(&token),
        ["iss", "sub", "aud", "iat", "exp", "scope", "org_id", "gty", "azp"]
    );
    assert_eq!(token["org_id"], org.as_str());
    // With the name flag: a name is accepted and `org_name` follows `org_id` (doc sample).
    patch(
        &app,
        "/api/v2/tenants/settings",
        json!({"allow_organization_name_in_authentication_api": true}),
    )
    .await;
    let named = client_credentials(&app, json!("acme")).await;
    let token = claims(named.json()["access_token"].as_str().expect("access_token"));
    assert_eq!(
        keys(&token),
        [
            "iss", "sub", "aud", "iat", "exp", "scope", "org_id", "org_name", "gty", "azp"
        ]
    );
    assert_eq!(token["org_name"], "acme");
    // `require`: none sent is refused, unless the application has a default organization.
    grant_usage(&app, &grant, "require").await;
    let required = client_credentials(&app, Value::Null).await;
    assert_wire!("org_m2m_required", required);
    let (backend, _) = app.credentials(App::Backend);
    patch(
        &app,
        &format!("/api/v2/clients/{backend}"),
        json!({"default_organization": {"flows": ["client_credentials"], "organization_id": org}}),
    )
    .await;
    let defaulted = client_credentials(&app, json!(null)).await;
    assert_eq!(defaulted.status, StatusCode::OK, "{}", defaulted.body);
    let token = claims(defaulted.json()["access_token"].as_str().expect("access_token"));
    assert_eq!(token["org_id"], org.as_str());
}

#[tokio::test]
async fn with_an_sso_session_the_prompt_follows_authorize_and_skipping_the_picker_is_refused() {
    let app = org_app(OrganizationUsage::Require);
    let org = organization(&app, "acme", false).await;
    add_member(&app, &org, ALICE).await;
    // A session from a login through the organization.
    let mut browser = Browser::new(&app);
    browser.login(&spa_query(&format!("&organization={org}"))).await;
    patch(
        &app,
        &format!("/api/v2/clients/{SPA}"),
        json!({"organization_require_behavior": "pre_login_prompt"}),
    )
    .await;
    // The user is known: the name prompt comes at once and then /authorize/resume, no form.
    let reply = browser.get(&format!("/authorize?{}", spa_query(""))).await;
    let prompt = reply.header("location").expect("location").to_owned();
    let state = prompt
        .strip_prefix("/u/organization?state=")
        .expect("the prompt")
        .to_owned();
    let chosen = browser
        .post(
            &prompt,
            &[("state", &state), ("organizationName", "acme"), ("action", "default")],
        )
        .await;
    let resume = chosen.header("location").expect("location").to_owned();
    assert!(resume.starts_with("/authorize/resume?state="), "{resume}");
    let callback = browser.get(&resume).await;
    assert!(url_param(callback.header("location").expect("location"), "code").is_some());
    // The prompt is spent with its transaction.
    let again = browser
        .post(
            &prompt,
            &[("state", &state), ("organizationName", "acme"), ("action", "default")],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    // post_login_prompt: skipping the picker ends at the callback.
    patch(
        &app,
        &format!("/api/v2/clients/{SPA}"),
        json!({"organization_require_behavior": "post_login_prompt"}),
    )
    .await;
    let reply = browser.get(&format!("/authorize?{}", spa_query(""))).await;
    let picker = reply.header("location").expect("location").to_owned();
    let state = picker
        .strip_prefix("/u/organization-picker?state=")
        .expect("the picker")
        .to_owned();
    let skipped = browser
        .post(&picker, &[("state", &state), ("organizationSkipped", "true")])
        .await;
    assert_eq!(
        url_param(skipped.header("location").expect("location"), "error_description").as_deref(),
        Some("parameter organization is required for this client")
    );
}

#[tokio::test]
async fn an_invitation_to_another_connection_is_not_accepted() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let token = app.token(App::Explorer).await;
    let other = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "partners", "strategy": "auth0"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    let other_id = other.json()["id"].as_str().expect("id").to_owned();
    let invitation = invite(&app, &org, "alice@example.com", json!({"connection_id": other_id})).await;
    let ticket = invitation["ticket_id"].as_str().expect("ticket");
    let mut browser = Browser::new(&app);
    let location = browser
        .login(&spa_query(&format!("&invitation={ticket}&organization={org}")))
        .await;
    assert_eq!(
        url_param(&location, "error").as_deref(),
        Some("access_denied"),
        "{location}"
    );
    assert!(members(&app, &org).await.is_empty());
}

/// An association (`POST /organizations/{id}/client-grants`) lets a grant that allows
/// organizations reach that one without `allow_any_organization` (doc: DOC-org
/// organizations-for-m2m), and ending it refuses the next token.
#[tokio::test]
async fn client_credentials_reach_an_organization_the_grant_is_associated_with() {
    let app = org_app(OrganizationUsage::Allow);
    let org = organization(&app, "acme", false).await;
    let grant = backend_grant(&app).await;
    grant_usage(&app, &grant, "allow").await;
    let unassociated = client_credentials(&app, json!(org)).await;
    assert_wire!("org_m2m_not_associated", unassociated);
    let token = app.token(App::Explorer).await;
    let path = format!("/api/v2/organizations/{org}/client-grants");
    let reply = app.post_json(&path, Some(&token), &json!({"grant_id": grant})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let ok = client_credentials(&app, json!(org)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let access = claims(ok.json()["access_token"].as_str().expect("access_token"));
    assert_eq!(access["org_id"], json!(org));
    let reply = app.delete(&format!("{path}/{grant}"), &token).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    let after = client_credentials(&app, json!(org)).await;
    assert_eq!(after.body, unassociated.body);
}
