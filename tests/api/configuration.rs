//! The configuration endpoints of the Management API: `/api/v2/clients`,
//! `/api/v2/resource-servers`, `/api/v2/client-grants`. Each snapshot names the recording its
//! shape was reviewed against (facts: `docs/management-api.md`).

use authmock::auth0::{Fixture, WireEra};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{App, JSON, Reply, TestApp, claims};
use crate::login::{Browser, WEB, WEB_SECRET, exchange, url_param, urlencode};

/// The tenant's signing certificate, which is made at start, shown as `[certificate]`.
fn masked(app: &TestApp, mut reply: Reply) -> Reply {
    let pem = app.tenant.key().certificate_pem().to_owned();
    let escaped = serde_json::to_string(&pem).expect("a string");
    reply.body = reply.body.replace(&escaped[1..escaped.len() - 1], "[certificate]");
    reply
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn explorer(app: &TestApp) -> String {
    app.token(App::Explorer).await
}

async fn client_credentials(app: &TestApp, id: &str, secret: &str, audience: &str) -> Reply {
    app.oauth(
        &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret,
                      "audience": audience}),
    )
    .await
}

/// The whole set-up of a CI pipeline through the Management API alone: an API with RBAC, an M2M
/// application and its grant, a regular web application with a callback; then a
/// client_credentials token with the new scopes and the API's lifetime, and a browser login with
/// the new web application. Deleting the grant, then the application, takes effect at once.
#[tokio::test]
async fn an_api_an_m2m_app_a_grant_and_a_web_app_made_through_the_api_work_at_once() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let api = app
        .post_json(
            "/api/v2/resource-servers",
            Some(&token),
            &json!({"name": "Orders", "identifier": "https://orders.example.com/",
                    "scopes": [{"value": "read:orders", "description": "Read orders"},
                               {"value": "write:orders", "description": "Write orders"}],
                    "token_lifetime": 3600, "enforce_policies": true, "token_dialect": "access_token_authz"}),
        )
        .await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    let m2m = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Orders worker", "app_type": "non_interactive", "grant_types": ["client_credentials"]}),
        )
        .await;
    assert_eq!(m2m.status, StatusCode::CREATED, "{}", m2m.body);
    let (id, secret) = (
        m2m.json()["client_id"].as_str().expect("id").to_owned(),
        m2m.json()["client_secret"].as_str().expect("secret").to_owned(),
    );
    assert_eq!((id.len(), secret.len()), (32, 64));
    let refused = client_credentials(&app, &id, &secret, "https://orders.example.com/").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.json()["error"], "access_denied");

    let grant = app
        .post_json(
            "/api/v2/client-grants",
            Some(&token),
            &json!({"client_id": id, "audience": "https://orders.example.com/", "scope": ["read:orders"]}),
        )
        .await;
    assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.body);
    let issued = client_credentials(&app, &id, &secret, "https://orders.example.com/").await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert_eq!(issued.json()["expires_in"], 3600);
    let access = claims(issued.json()["access_token"].as_str().expect("token"));
    assert_eq!(access["scope"], "read:orders");
    assert_eq!(
        access["exp"].as_i64().expect("exp") - access["iat"].as_i64().expect("iat"),
        3600
    );

    // A scope added to the grant is there on the next token.
    let grant_id = grant.json()["id"].as_str().expect("grant id").to_owned();
    let patched = app
        .patch_json(
            &format!("/api/v2/client-grants/{grant_id}"),
            &token,
            &json!({"scope": ["read:orders", "write:orders"]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let wider = client_credentials(&app, &id, &secret, "https://orders.example.com/").await;
    assert_eq!(
        claims(wider.json()["access_token"].as_str().expect("token"))["scope"],
        "read:orders write:orders"
    );

    // A regular web application with a callback logs alice in at once.
    let web = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Orders web", "app_type": "regular_web", "oidc_conformant": true,
                    "callbacks": ["https://orders.example.com/callback"],
                    "grant_types": ["authorization_code", "refresh_token"],
                    "jwt_configuration": {"lifetime_in_seconds": 600}}),
        )
        .await;
    assert_eq!(web.status, StatusCode::CREATED, "{}", web.body);
    let (web_id, web_secret) = (
        web.json()["client_id"].as_str().expect("id").to_owned(),
        web.json()["client_secret"].as_str().expect("secret").to_owned(),
    );
    let callback = "https://orders.example.com/callback";
    let mut browser = Browser::new(&app);
    let location = browser
        .login(&format!(
            "response_type=code&client_id={web_id}&redirect_uri={}&scope=openid%20profile\
             &audience={}&state=s1",
            urlencode(callback),
            urlencode("https://orders.example.com/")
        ))
        .await;
    assert!(
        location.starts_with("https://orders.example.com/callback?code="),
        "{location}"
    );
    let code = url_param(&location, "code").expect("code");
    let tokens = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &web_id),
            ("client_secret", &web_secret),
            ("code", &code),
            ("redirect_uri", callback),
        ],
    )
    .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let id_token = claims(tokens.json()["id_token"].as_str().expect("id_token"));
    assert_eq!(id_token["aud"], web_id.as_str());
    assert_eq!(
        id_token["exp"].as_i64().expect("exp") - id_token["iat"].as_i64().expect("iat"),
        600,
        "jwt_configuration.lifetime_in_seconds"
    );
    let user_token = claims(tokens.json()["access_token"].as_str().expect("access_token"));
    assert_eq!(
        user_token["permissions"],
        json!([]),
        "RBAC with permissions in the token"
    );

    // Deleting the grant refuses the next token; deleting the application refuses the client.
    let deleted = app.delete(&format!("/api/v2/client-grants/{grant_id}"), &token).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let refused = client_credentials(&app, &id, &secret, "https://orders.example.com/").await;
    assert_eq!(refused.json()["error"], "access_denied", "{}", refused.body);
    let gone = app.delete(&format!("/api/v2/clients/{id}"), &token).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let refused = client_credentials(&app, &id, &secret, "https://orders.example.com/").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(refused.json()["error"], "access_denied");
}

/// obs: go-auth0 TestClient_Create (2025): 201, the defaults in the recorded order.
#[tokio::test]
async fn a_created_application_has_the_recorded_defaults_in_the_recorded_order() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let reply = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Test Client", "description": "This is just a test client.",
                    "skip_non_verifiable_callback_uri_confirmation_prompt": true}),
        )
        .await;
    assert_wire!("config_client_create", masked(&app, reply));
    // obs: terraform-provider-auth0 TestAccDataClients (2026): an SPA's defaults.
    let spa = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "SPA", "app_type": "spa", "is_first_party": false, "token_endpoint_auth_method": "none"}),
        )
        .await;
    assert_wire!("config_client_create_spa", masked(&app, spa));
}

/// obs: go-auth0 TestClient_List (`{"tenant","client_id"}` for `fields=client_id`) and
/// terraform-provider-auth0 TestAccDataClients (the `page` envelope with `length` and `next`).
#[tokio::test]
async fn lists_select_fields_and_page_as_recorded() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let fields = app
        .get(
            "/api/v2/clients?fields=client_id&include_fields=true&include_totals=true&per_page=2",
            Some(&token),
        )
        .await;
    assert_wire!("config_client_list_fields", fields);
    let paged = app
        .get(
            "/api/v2/clients?include_totals=true&page=2&per_page=2&fields=name",
            Some(&token),
        )
        .await;
    assert_wire!("config_client_list_page", paged);
    let m2m = app
        .get("/api/v2/clients?app_type=non_interactive&fields=name", Some(&token))
        .await;
    assert_eq!(m2m.json().as_array().map(Vec::len), Some(4), "{}", m2m.body);
    // obs: terraform-provider-auth0 asks for the global client before each application change.
    let global = app
        .get(
            "/api/v2/clients?fields=client_id&include_fields=true&include_totals=true&is_global=true&per_page=50",
            Some(&token),
        )
        .await;
    assert_eq!(global.json()["total"], 1, "{}", global.body);
    assert_eq!(global.json()["clients"][0]["tenant"], "authmock-dev");
}

/// obs: terraform-provider-auth0 TestAccDataSourceClientNonexistentID,
/// TestAccDataSourceResourceServer, go-auth0 TestClientGrantManager_Delete.
#[tokio::test]
async fn unknown_ids_answer_the_recorded_404s_and_a_gone_grant_deletes_again() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let client = app
        .get("/api/v2/clients/this-client-does-not-exist", Some(&token))
        .await;
    assert_wire!("config_client_not_found", client);
    let api = app
        .get(
            "/api/v2/resource-servers/this-resource-server-does-not-exist",
            Some(&token),
        )
        .await;
    assert_wire!("config_resource_server_not_found", api);
    let grant = app
        .get("/api/v2/client-grants/cgr_RbTA5m85G24ODe5i", Some(&token))
        .await;
    assert_wire!("config_client_grant_not_found", grant);
    let again = app.delete("/api/v2/client-grants/cgr_RbTA5m85G24ODe5i", &token).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
}

/// obs: go-auth0 TestResourceServer_Create (201, defaults) and TestClientGrantManager_Create; the
/// API's key order and its `subject_type_authorization` as terraform-provider-auth0's 2026
/// recordings print them (TestAccResourceServerScopes, TestAccClientGrant_DefaultFor).
#[tokio::test]
async fn an_api_and_a_grant_are_created_as_recorded_and_a_second_grant_conflicts() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let api = app
        .post_json(
            "/api/v2/resource-servers",
            Some(&token),
            &json!({"name": "Test Resource Server", "identifier": "https://api.example.org/",
                    "scopes": [{"value": "create:resource", "description": "Create Resource"}]}),
        )
        .await;
    assert_wire!("config_resource_server_create", api);
    let duplicate = app
        .post_json(
            "/api/v2/resource-servers",
            Some(&token),
            &json!({"identifier": "https://api.example.org/"}),
        )
        .await;
    assert_wire!("config_resource_server_conflict", duplicate);
    let m2m = app.credentials(App::ReadOnly).0;
    let body = json!({"client_id": m2m, "audience": "https://api.example.org/", "scope": ["create:resource"],
                      "subject_type": "client"});
    let grant = app.post_json("/api/v2/client-grants", Some(&token), &body).await;
    assert_wire!("config_client_grant_create", grant);
    let again = app.post_json("/api/v2/client-grants", Some(&token), &body).await;
    assert_wire!("config_client_grant_conflict", again);
    let listed = app
        .get(
            &format!("/api/v2/client-grants?client_id={m2m}&include_totals=true&per_page=50"),
            Some(&token),
        )
        .await;
    assert_eq!(listed.json()["total"], 2, "{}", listed.body);
    let by_audience = app
        .get(
            &format!(
                "/api/v2/client-grants?audience={}",
                urlencode("https://api.example.org/")
            ),
            Some(&token),
        )
        .await;
    assert_eq!(
        by_audience.json().as_array().map(Vec::len),
        Some(1),
        "{}",
        by_audience.body
    );
    // The API is read by its URL-encoded identifier too (obs: terraform-provider-auth0).
    let by_identifier = app
        .get(
            &format!("/api/v2/resource-servers/{}", urlencode("https://api.example.org/")),
            Some(&token),
        )
        .await;
    assert_eq!(by_identifier.status, StatusCode::OK, "{}", by_identifier.body);
    // Deleting the API deletes its grants.
    let id = by_identifier.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        app.delete(&format!("/api/v2/resource-servers/{id}"), &token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let listed = app
        .get(&format!("/api/v2/client-grants?client_id={m2m}"), Some(&token))
        .await;
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1), "{}", listed.body);
}

/// An API as terraform-provider-auth0 recorded it through its life (TestAccResourceServer,
/// 2026-02): created by its identifier alone (no `name`, the default `subject_type_authorization`),
/// a PATCH of the optional features (the encryption key's `pem` never printed, the subjects
/// merged into the stored ones in their stored order), then each feature cleared with `null`
/// (TestAccDataSourceResourceServer, 2024-09: none of them printed after).
#[tokio::test]
async fn an_api_prints_its_properties_as_the_recorded_tenant_does() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let created = app
        .post_json(
            "/api/v2/resource-servers",
            Some(&token),
            &json!({"identifier": "https://uat.api.example.com/TestAccResourceServer"}),
        )
        .await;
    assert_wire!("config_resource_server_create_by_identifier", created);
    let id = created.json()["id"].as_str().expect("an id").to_owned();
    let path = format!("/api/v2/resource-servers/{id}");
    let patched = app
        .patch_json(
            &path,
            &token,
            &json!({"name": "Acceptance Test - TestAccResourceServer", "enforce_policies": false,
                    "consent_policy": "transactional-authorization-with-mfa",
                    "authorization_details": [{"type": "payment"}, {"type": "not-payment"}],
                    "token_encryption": {"format": "compact-nested-jwe", "encryption_key": {"name": "encryptkey",
                        "alg": "RSA-OAEP-256", "kid": "my-key-id",
                        "pem": "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"}},
                    "proof_of_possession": {"mechanism": "mtls", "required": true},
                    "subject_type_authorization": {"user": {"policy": "deny_all"}, "client": {"policy": "deny_all"}}}),
        )
        .await;
    assert_wire!("config_resource_server_patch_features", patched);
    for cleared in ["authorization_details", "token_encryption", "proof_of_possession"] {
        let reply = app.patch_json(&path, &token, &json!({ cleared: null })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(reply.json().get(cleared).is_none(), "{cleared}: {}", reply.body);
    }
    let read = app.get(&path, Some(&token)).await;
    assert_wire!("config_resource_server_features_cleared", read);
}

/// An application made for an API (`app_type: resource_server`) links it: the API prints the
/// application's `client_id` (obs: go-auth0 TestClient_CreateLinkedToResourceServer,
/// terraform-provider-auth0 TestAccClientResourceServer) until the application goes. A tenant of
/// the 2025-09 era gives a new API no `subject_type_authorization` (obs: the same go-auth0
/// recording, 2025-09).
#[tokio::test]
async fn an_api_names_the_application_made_for_it_and_older_eras_add_no_subjects() {
    let mut fixture = Fixture::default_auth0();
    fixture.wire_era = WireEra::try_from("2025-09".to_owned()).expect("a month");
    let app = TestApp::with_fixture(fixture);
    let token = explorer(&app).await;
    let identifier = "https://api.example.org/";
    let api = app
        .post_json(
            "/api/v2/resource-servers",
            Some(&token),
            &json!({"name": "Linked", "identifier": identifier}),
        )
        .await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    assert!(api.json().get("subject_type_authorization").is_none(), "{}", api.body);
    let id = api.json()["id"].as_str().expect("an id").to_owned();
    let client = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Linked client", "app_type": "resource_server", "resource_server_identifier": identifier}),
        )
        .await;
    assert_eq!(client.status, StatusCode::CREATED, "{}", client.body);
    let client_id = client.json()["client_id"].as_str().expect("a client_id").to_owned();
    let path = format!("/api/v2/resource-servers/{id}");
    let read = app.get(&path, Some(&token)).await;
    let printed: Vec<String> = read.json().as_object().expect("an API").keys().cloned().collect();
    assert_eq!(
        printed,
        [
            "id",
            "name",
            "identifier",
            "allow_offline_access",
            "skip_consent_for_verifiable_first_party_clients",
            "token_lifetime",
            "token_lifetime_for_web",
            "signing_alg",
            "client_id"
        ],
        "{}",
        read.body
    );
    assert_eq!(read.json()["client_id"], client_id.as_str());
    let gone = app.delete(&format!("/api/v2/clients/{client_id}"), &token).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let read = app.get(&path, Some(&token)).await;
    assert!(read.json().get("client_id").is_none(), "{}", read.body);
}

/// An application's back-channel logout under both its names: the tenant prints the older
/// `oidc_backchannel_logout` beside a sent `oidc_logout`, and clearing it clears both (obs:
/// terraform-provider-auth0 TestAccClientOIDCLogout, 2026-01); an empty `initiate_login_uri`
/// clears it (obs: TestAccClientConfig).
#[tokio::test]
async fn back_channel_logout_answers_under_both_names_and_empty_login_uris_clear() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let created = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Logout", "app_type": "spa", "token_endpoint_auth_method": "none",
                    "initiate_login_uri": "https://example.com/login",
                    "oidc_logout": {"backchannel_logout_urls": ["https://auth0.test/all/logout"],
                                    "backchannel_logout_initiators": {"mode": "all"},
                                    "backchannel_logout_session_metadata": {"include": true}}}),
        )
        .await;
    let created = masked(&app, created);
    let id = created.json()["client_id"].as_str().expect("a client_id").to_owned();
    let secret = created.json()["client_secret"].as_str().unwrap_or_default().to_owned();
    let mut created = created;
    created.body = created
        .body
        .replace(&id, "[client_id]")
        .replace(&secret, "[client_secret]");
    assert_wire!("config_client_create_oidc_logout", created);
    let path = format!("/api/v2/clients/{id}");
    let cleared = app
        .patch_json(
            &path,
            &token,
            &json!({"oidc_backchannel_logout": null, "initiate_login_uri": ""}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    for gone in ["oidc_backchannel_logout", "oidc_logout", "initiate_login_uri"] {
        assert!(cleared.json().get(gone).is_none(), "{gone}: {}", cleared.body);
    }
}

/// A new application's cross-origin flag under its era's name: `cross_origin_auth` until 2023-01
/// (go-auth0 TestBlacklist), none from 2023-04 to 2024-09 (TestClient_CreateCredential,
/// terraform-provider-auth0 TestAccAllowUpdatingTheClientSecret), `cross_origin_authentication`
/// since 2025-01 (TestClient_CreateWithTokenExchange).
#[tokio::test]
async fn a_new_applications_cross_origin_flag_is_named_as_in_its_era() {
    for (era, expected) in [
        ("2023-01", Some("cross_origin_auth")),
        ("2024-09", None),
        ("2025-01", Some("cross_origin_authentication")),
    ] {
        let mut fixture = Fixture::default_auth0();
        fixture.wire_era = WireEra::try_from(era.to_owned()).expect("a month");
        let app = TestApp::with_fixture(fixture);
        let token = explorer(&app).await;
        let created = app
            .post_json("/api/v2/clients", Some(&token), &json!({"name": "Era"}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let body = created.json();
        let names: Vec<&str> = ["cross_origin_auth", "cross_origin_authentication"]
            .into_iter()
            .filter(|k| body.get(*k).is_some())
            .collect();
        assert_eq!(
            names,
            expected.into_iter().collect::<Vec<_>>(),
            "{era}: {}",
            created.body
        );
    }
}

/// Trusting `auth0-forwarded-for` needs an application that authenticates with its secret: a
/// public application, or one that names no method, is refused with the provider's 400 (obs:
/// terraform-provider-auth0 #620 on create, #1731 on a PATCH); one created with
/// `client_secret_post` keeps the flag (obs: TestAccClientCanSetDefaultAuthMethodOnCreate), and
/// cannot then turn public while it holds it.
#[tokio::test]
async fn a_public_application_cannot_trust_the_forwarded_ip_header() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let spa = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Public", "app_type": "spa", "token_endpoint_auth_method": "none",
                    "is_token_endpoint_ip_header_trusted": true}),
        )
        .await;
    assert_wire!("config_client_ip_header_trusted_public", spa);
    let unnamed = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "No method", "app_type": "non_interactive", "is_token_endpoint_ip_header_trusted": true}),
        )
        .await;
    assert_eq!(unnamed.status, StatusCode::BAD_REQUEST, "{}", unnamed.body);
    assert_eq!(unnamed.body, spa.body);
    let trusted = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Behind a proxy", "token_endpoint_auth_method": "client_secret_post",
                    "is_token_endpoint_ip_header_trusted": true}),
        )
        .await;
    assert_eq!(trusted.status, StatusCode::CREATED, "{}", trusted.body);
    assert_eq!(trusted.json()["is_token_endpoint_ip_header_trusted"], true);
    let id = trusted.json()["client_id"].as_str().expect("a client_id").to_owned();
    let path = format!("/api/v2/clients/{id}");
    let public = app
        .patch_json(&path, &token, &json!({"token_endpoint_auth_method": "none"}))
        .await;
    assert_eq!(public.status, StatusCode::BAD_REQUEST, "{}", public.body);
    assert_eq!(public.body, spa.body);
    let read = app.get(&path, Some(&token)).await;
    assert_eq!(
        read.json()["token_endpoint_auth_method"],
        "client_secret_post",
        "unchanged"
    );
    let untrusted = app
        .patch_json(
            &path,
            &token,
            &json!({"token_endpoint_auth_method": "none", "is_token_endpoint_ip_header_trusted": false}),
        )
        .await;
    assert_eq!(untrusted.status, StatusCode::OK, "{}", untrusted.body);
}

/// obs: TestAccResourceServerAuth0APIManagementImport and auth0-deploy-cli #1484 (a system API
/// refuses `name`).
#[tokio::test]
async fn the_management_api_is_the_system_api_read_only_but_for_its_lifetimes() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let list = app
        .get(
            "/api/v2/resource-servers?include_totals=true&fields=name,identifier,is_system",
            Some(&token),
        )
        .await;
    assert_wire!("config_resource_server_list", list);
    let system = app
        .get(
            &format!(
                "/api/v2/resource-servers/{}",
                urlencode("https://127.0.0.1:4010/api/v2/")
            ),
            Some(&token),
        )
        .await;
    assert_eq!(system.json()["is_system"], true);
    assert_eq!(system.json()["scopes"].as_array().map(Vec::len), Some(232));
    let id = system.json()["id"].as_str().expect("id").to_owned();
    let renamed = app
        .patch_json(
            &format!("/api/v2/resource-servers/{id}"),
            &token,
            &json!({"name": "Mine now"}),
        )
        .await;
    assert_wire!("config_resource_server_system_rename", renamed);
    let deleted = app.delete(&format!("/api/v2/resource-servers/{id}"), &token).await;
    assert_eq!(deleted.status, StatusCode::BAD_REQUEST, "{}", deleted.body);
    let shorter = app
        .patch_json(
            &format!("/api/v2/resource-servers/{id}"),
            &token,
            &json!({"token_lifetime": 600}),
        )
        .await;
    assert_eq!(shorter.status, StatusCode::OK, "{}", shorter.body);
    let fresh = app.token(App::Admin).await;
    let access = claims(&fresh);
    assert_eq!(
        access["exp"].as_i64().expect("exp") - access["iat"].as_i64().expect("iat"),
        600
    );
}

/// The secret rotates at once; a PATCH of the callbacks takes effect at the next `/authorize`.
#[tokio::test]
async fn a_rotated_secret_and_patched_callbacks_take_effect_at_once() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let rotated = app
        .request(
            Method::POST,
            &format!("/api/v2/clients/{WEB}/rotate-secret"),
            None,
            Some(&bearer(&token)),
            String::new(),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let secret = rotated.json()["client_secret"].as_str().expect("secret").to_owned();
    assert_ne!(secret, WEB_SECRET);
    let old = app
        .oauth(
            &json!({"grant_type": "authorization_code", "client_id": WEB, "client_secret": WEB_SECRET,
                       "code": "x", "redirect_uri": "http://127.0.0.1:3000/callback"}),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "{}", old.body);

    let patched = app
        .patch_json(
            &format!("/api/v2/clients/{WEB}"),
            &token,
            &json!({"callbacks": ["https://new.example.com/cb"]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["callbacks"], json!(["https://new.example.com/cb"]));
    let mut browser = Browser::new(&app);
    let location = browser
        .login(&format!(
            "response_type=code&client_id={WEB}&redirect_uri={}&scope=openid&state=s",
            urlencode("https://new.example.com/cb")
        ))
        .await;
    assert!(location.starts_with("https://new.example.com/cb?code="), "{location}");
    let old_callback = browser
        .get(&format!(
            "/authorize?response_type=code&client_id={WEB}&redirect_uri={}&scope=openid&state=s",
            urlencode("http://127.0.0.1:3000/callback")
        ))
        .await;
    assert_eq!(old_callback.status, StatusCode::BAD_REQUEST, "{}", old_callback.body);
}

/// Hostile bodies get the Management API's own errors: an unknown property, JSON that does not
/// parse, a body past the cap, and a client_id of another tenant.
#[tokio::test]
async fn hostile_bodies_and_foreign_ids_get_the_providers_errors() {
    let app = TestApp::new();
    let token = explorer(&app).await;
    let unknown = app
        .post_json("/api/v2/clients", Some(&token), &json!({"name": "x", "colour": "blue"}))
        .await;
    assert_wire!("config_client_unknown_property", unknown);
    let nameless = app
        .post_json("/api/v2/clients", Some(&token), &json!({"app_type": "spa"}))
        .await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST, "{}", nameless.body);
    assert_eq!(
        nameless.json()["message"],
        "Payload validation error: 'Missing required property: name'."
    );
    let garbled = app
        .request(
            Method::POST,
            "/api/v2/clients",
            Some(JSON),
            Some(&bearer(&token)),
            "{\"name\": ".to_owned(),
        )
        .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST, "{}", garbled.body);
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(1_100_000));
    let too_big = app
        .request(Method::POST, "/api/v2/clients", Some(JSON), Some(&bearer(&token)), huge)
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_big.body);
    let bad_grant = app
        .post_json(
            "/api/v2/client-grants",
            Some(&token),
            &json!({"client_id": WEB, "audience": "https://127.0.0.1:4010/api/v2/", "scope": "read:users"}),
        )
        .await;
    assert_eq!(bad_grant.status, StatusCode::BAD_REQUEST, "{}", bad_grant.body);

    // An application of another tenant (another seed) is unknown here.
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    fixture.seed += 1;
    let other = TestApp::with_fixture(fixture);
    let other_token = explorer(&other).await;
    let made = other
        .post_json("/api/v2/clients", Some(&other_token), &json!({"name": "elsewhere"}))
        .await;
    let foreign = made.json()["client_id"].as_str().expect("id").to_owned();
    let read = app.get(&format!("/api/v2/clients/{foreign}"), Some(&token)).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND, "{}", read.body);
    let patch = app
        .patch_json(&format!("/api/v2/clients/{foreign}"), &token, &json!({"name": "mine"}))
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND, "{}", patch.body);
    let delete = app.delete(&format!("/api/v2/clients/{foreign}"), &token).await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND, "{}", delete.body);
    let grant = app
        .post_json(
            "/api/v2/client-grants",
            Some(&token),
            &json!({"client_id": foreign, "audience": "https://127.0.0.1:4010/api/v2/"}),
        )
        .await;
    assert_eq!(grant.status, StatusCode::NOT_FOUND, "{}", grant.body);
    assert_eq!(grant.json()["errorCode"], "inexistent_client");
}

/// Every endpoint checks its scope as the other Management API endpoints do.
#[tokio::test]
async fn each_endpoint_wants_its_scope() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = app.get("/api/v2/clients", Some(&token)).await;
    assert_wire!("config_client_list_insufficient_scope", reply);
    for (method, path) in [
        (Method::POST, "/api/v2/clients"),
        (Method::GET, "/api/v2/resource-servers"),
        (Method::POST, "/api/v2/resource-servers"),
        (Method::GET, "/api/v2/client-grants"),
        (Method::POST, "/api/v2/client-grants"),
        (Method::DELETE, "/api/v2/client-grants/cgr_x"),
        (Method::POST, "/api/v2/clients/x/rotate-secret"),
    ] {
        let reply = app
            .request(method.clone(), path, Some(JSON), Some(&bearer(&token)), "{}".to_owned())
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}: {}", reply.body);
    }
    let explorer_list = app
        .get("/api/v2/clients?fields=client_secret", Some(&explorer(&app).await))
        .await;
    let first: &Value = &explorer_list.json()[0];
    assert!(first.get("client_secret").is_some(), "read:client_keys shows secrets");
}
