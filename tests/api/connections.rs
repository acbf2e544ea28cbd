//! `/api/v2/connections`: a database connection made through the Management API is in effect at
//! once for signup, login and deletion (facts: `docs/management-api.md` §4).

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{AUDIENCE, App, TestApp};
use crate::login::{WEB_CALLBACK, urlencode};

fn password_realm(app: &TestApp, realm: &str, username: &str, password: &str) -> serde_json::Value {
    let (client_id, client_secret) = app.credentials(App::Web);
    json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": client_id, "client_secret": client_secret,
        "username": username, "password": password, "realm": realm,
    })
}

/// Enables connection `id` for application `client_id` (`PATCH /connections/{id}/clients`, 204).
async fn enable(app: &TestApp, token: &str, id: &str, client_id: &str) {
    let reply = app
        .request(
            Method::PATCH,
            &format!("/api/v2/connections/{id}/clients"),
            Some("application/json"),
            Some(&format!("Bearer {token}")),
            json!([{"client_id": client_id, "status": true}]).to_string(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
}

/// A database connection created through the API, enabled for the web application with the
/// `/clients` endpoint, signs a user up and logs them in; a stricter password policy set by PATCH
/// refuses the next weak password at once; deleting the connection takes its users along.
#[tokio::test]
async fn a_database_connection_made_through_the_api_signs_up_and_logs_in_at_once() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let (web, _) = app.credentials(App::Web);
    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Customers", "strategy": "auth0",
                    "options": {"passwordPolicy": "low", "brute_force_protection": true}}),
        )
        .await;
    assert_wire!("connections_create", created);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let signup = |email: &str, password: &str| json!({"client_id": web, "connection": "Customers", "email": email, "password": password});

    let authorize = format!(
        "/authorize?client_id={web}&response_type=code&scope=openid&connection=Customers&redirect_uri={}",
        urlencode(WEB_CALLBACK)
    );
    let not_enabled = app.get(&authorize, None).await;
    assert_eq!(not_enabled.status, StatusCode::FOUND);
    let location = not_enabled.header("location").unwrap_or_default().to_owned();
    assert!(
        location.contains("error="),
        "not enabled for the web application yet: {location}"
    );

    enable(&app, &token, &id, &web).await;
    let enabled = app
        .get(&format!("/api/v2/connections/{id}/clients"), Some(&token))
        .await;
    assert_eq!(enabled.json(), json!({"clients": [{"client_id": web}]}));
    let login_page = app.get(&authorize, None).await;
    let location = login_page.header("location").unwrap_or_default().to_owned();
    assert!(!location.contains("error="), "the hosted login opens: {location}");

    let signed_up = app
        .post_json("/dbconnections/signup", None, &signup("ann@example.com", "secret1"))
        .await;
    assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.body);
    let login = app
        .oauth(&password_realm(&app, "Customers", "ann@example.com", "secret1"))
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);

    let stricter = app
        .patch_json(
            &format!("/api/v2/connections/{id}"),
            &token,
            &json!({"options": {"passwordPolicy": "excellent"}}),
        )
        .await;
    assert_eq!(stricter.status, StatusCode::OK, "{}", stricter.body);
    assert_eq!(stricter.json()["options"], json!({"passwordPolicy": "excellent"}));
    let weak = app
        .post_json("/dbconnections/signup", None, &signup("bob@example.com", "secret1"))
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);

    let deleted = app.delete(&format!("/api/v2/connections/{id}"), &token).await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED, "{}", deleted.body);
    assert!(deleted.json()["deleted_at"].as_str().is_some_and(|s| s.ends_with('Z')));
    let gone = app
        .oauth(&password_realm(&app, "Customers", "ann@example.com", "secret1"))
        .await;
    assert_ne!(gone.status, StatusCode::OK, "the connection and its user are gone");
    let admin = app.token(App::Admin).await;
    let users = app
        .get("/api/v2/users-by-email?email=ann%40example.com", Some(&admin))
        .await;
    assert_eq!(users.json(), json!([]), "{}", users.body);
    let again = app.delete(&format!("/api/v2/connections/{id}"), &token).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
    let missing = app.get(&format!("/api/v2/connections/{id}"), Some(&token)).await;
    assert_wire!("connections_get_missing", missing);
}

/// Names are unique, the recorded option conflicts are refused, and lists filter by strategy
/// and name.
#[tokio::test]
async fn conflicts_and_list_filters_answer_as_recorded() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let body = json!({"name": "Partners", "strategy": "auth0"});
    let first = app.post_json("/api/v2/connections", Some(&token), &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = app.post_json("/api/v2/connections", Some(&token), &body).await;
    assert_wire!("connections_create_conflict", second);
    let both = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Both", "strategy": "auth0",
                    "options": {"requires_username": true, "attributes": {"email": {}}}}),
        )
        .await;
    assert_wire!("connections_create_attributes_and_username", both);
    let social = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "gh", "strategy": "github", "options": {"scope": []}}),
        )
        .await;
    assert_eq!(social.status, StatusCode::CREATED, "{}", social.body);
    let listed = app
        .get("/api/v2/connections?strategy=github&include_totals=true", Some(&token))
        .await;
    assert_eq!(listed.json()["total"], 1);
    assert_eq!(listed.json()["connections"][0]["name"], "gh");
    let by_name = app.get("/api/v2/connections?name=Partners", Some(&token)).await;
    assert_eq!(by_name.json().as_array().map(Vec::len), Some(1));
}

/// Hostile: an application creates a user in a connection not enabled for it. obs text
/// (terraform-provider-auth0 #854): 400 `Connection must be enabled for this client to perform
/// single user creation and signup operations (client_id: … - connection: …)`; once enabled, the
/// same create succeeds.
#[tokio::test]
async fn a_user_is_created_only_by_an_application_the_connection_is_enabled_for() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let (explorer, _) = app.credentials(App::Explorer);
    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Partners", "strategy": "auth0", "options": {"passwordPolicy": "low"}}),
        )
        .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let user = json!({"connection": "Partners", "email": "partner@example.com", "password": "Partner-2026!"});
    let refused = app.post_json("/api/v2/users", Some(&token), &user).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_wire!("users_create_connection_not_enabled", refused);
    assert_eq!(
        refused.json()["message"],
        format!(
            "Connection must be enabled for this client to perform single user creation and signup operations \
             (client_id: {explorer} - connection: Partners)"
        )
    );
    enable(&app, &token, &id, &explorer).await;
    let accepted = app.post_json("/api/v2/users", Some(&token), &user).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
}

/// Hostile: an application signs a user up, or logs one in with the password-realm or password
/// grant, in a connection not enabled for it. The signup answers the Management API's text for
/// the same check, which names signups (obs terraform-provider-auth0 #854; inf envelope); the
/// grants answer 400 `invalid_request` `the connection was disabled` (obs on the legacy
/// `/oauth/ro`, auth0/Lock.swift #259; inf for `/oauth/token`). The user exists and the password
/// is right, so only the connection refuses; once enabled, all three succeed.
#[tokio::test]
async fn signups_and_password_grants_need_the_connection_enabled_for_the_application() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let (explorer, _) = app.credentials(App::Explorer);
    let (web, web_secret) = app.credentials(App::Web);
    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Partners", "strategy": "auth0", "options": {"passwordPolicy": "low"}}),
        )
        .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    enable(&app, &token, &id, &explorer).await;
    let user = json!({"connection": "Partners", "email": "partner@example.com", "password": "Partner-2026!"});
    let made = app.post_json("/api/v2/users", Some(&token), &user).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let settings = app
        .patch_json(
            "/api/v2/tenants/settings",
            &token,
            &json!({"default_directory": "Partners"}),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);

    let signup = json!({"client_id": web, "connection": "Partners", "email": "new@example.com", "password": "secret1"});
    let refused = app.post_json("/dbconnections/signup", None, &signup).await;
    assert_wire!("signup_connection_not_enabled", refused);
    let realm = app
        .oauth(&password_realm(
            &app,
            "Partners",
            "partner@example.com",
            "Partner-2026!",
        ))
        .await;
    assert_wire!("password_realm_connection_not_enabled", realm);
    let password = json!({"grant_type": "password", "client_id": web, "client_secret": web_secret,
                          "username": "partner@example.com", "password": "Partner-2026!"});
    let plain = app.oauth(&password).await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST, "{}", plain.body);
    assert_eq!(plain.body, realm.body, "the default directory is checked as a realm is");

    enable(&app, &token, &id, &web).await;
    let signed_up = app.post_json("/dbconnections/signup", None, &signup).await;
    assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.body);
    let realm = app
        .oauth(&password_realm(
            &app,
            "Partners",
            "partner@example.com",
            "Partner-2026!",
        ))
        .await;
    assert_eq!(realm.status, StatusCode::OK, "{}", realm.body);
    let plain = app.oauth(&password).await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
}

/// `PATCH /connections/{id}` with `update:connections_options` alone (doc: OAS, the endpoint's
/// scopes and its `options` field) changes the options; any other field needs
/// `update:connections` (inf: refused as the scope check refuses).
#[tokio::test]
async fn the_options_scope_alone_changes_only_the_options() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Partners", "strategy": "auth0", "options": {"passwordPolicy": "low"}}),
        )
        .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let editor = app
        .post_json(
            "/api/v2/clients",
            Some(&token),
            &json!({"name": "Options editor", "app_type": "non_interactive", "grant_types": ["client_credentials"]}),
        )
        .await
        .json();
    let grant = app
        .post_json(
            "/api/v2/client-grants",
            Some(&token),
            &json!({"client_id": editor["client_id"], "audience": AUDIENCE, "scope": ["update:connections_options"]}),
        )
        .await;
    assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.body);
    let issued = app
        .oauth(
            &json!({"grant_type": "client_credentials", "client_id": editor["client_id"],
                       "client_secret": editor["client_secret"], "audience": AUDIENCE}),
        )
        .await;
    let options_only = issued.json()["access_token"].as_str().expect("token").to_owned();

    let changed = app
        .patch_json(
            &format!("/api/v2/connections/{id}"),
            &options_only,
            &json!({"options": {"passwordPolicy": "excellent"}}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.json()["options"], json!({"passwordPolicy": "excellent"}));
    let beyond = app
        .patch_json(
            &format!("/api/v2/connections/{id}"),
            &options_only,
            &json!({"options": {"passwordPolicy": "low"}, "display_name": "Partners"}),
        )
        .await;
    assert_wire!("connections_update_options_scope_only", beyond);
    let kept = app.get(&format!("/api/v2/connections/{id}"), Some(&token)).await;
    assert_eq!(
        kept.json()["options"],
        json!({"passwordPolicy": "excellent"}),
        "refused whole"
    );
}

/// The seeded database connection prints the defaults of a created database connection around
/// the seed's options, as connections that existed before a recorded test do, and no connection
/// purposes (obs: terraform-provider-auth0 TestAccConnectionClientsImport, 2026-04). So an export
/// of the seeded tenant by auth0-deploy-cli, imported into a fresh tenant, exports again the same
/// options (`adapters/deploy-cli`).
#[tokio::test]
async fn the_seeded_database_connection_has_the_option_defaults_of_a_created_one() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let seeded = app.get("/api/v2/connections/con_FHnCKShgzqSf7tKL", Some(&token)).await;
    assert_wire!("connections_seeded", seeded);
    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Customers", "strategy": "auth0", "options": {"passwordPolicy": "fair"}}),
        )
        .await;
    let (seeded, created) = (seeded.json(), created.json());
    let options = |v: &serde_json::Value| -> Vec<String> {
        v["options"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    for option in options(&created) {
        assert!(
            seeded["options"].get(&option).is_some(),
            "the seeded connection prints `{option}` too: {seeded}"
        );
    }
    assert!(
        seeded.get("authentication").is_none() && seeded.get("connected_accounts").is_none(),
        "no purposes: {seeded}"
    );
}

/// A custom database connection's `options.configuration` (its scripts' settings and secrets):
/// the create's and update's answers echo the values, every read seals them, the same value to
/// the same blob until it changes, and the journal never holds them in clear (obs:
/// terraform-provider-auth0 TestAccConnectionConfiguration).
#[tokio::test]
async fn configuration_values_are_sealed_on_read_and_kept_out_of_the_journal() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let body = json!({"name": "legacy-db", "strategy": "auth0", "options": {
        "enabledDatabaseCustomization": true,
        "configuration": {"bar": "zzz-secret", "foo": "xxx-secret"},
    }});
    let created = app.post_json("/api/v2/connections", Some(&token), &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let echoed = &created.json()["options"]["configuration"];
    assert_eq!(echoed, &json!({"bar": "zzz-secret", "foo": "xxx-secret"}));
    let id = created.json()["id"].as_str().expect("id").to_owned();

    let first = read_configuration(&app, &token, &id).await;
    let (bar, foo) = (first["bar"].as_str().expect("bar"), first["foo"].as_str().expect("foo"));
    assert!(!bar.contains("zzz") && bar.starts_with("CkIKI"), "{bar}");
    assert_eq!(bar[..40], foo[..40], "one key part per connection");
    assert_eq!(
        read_configuration(&app, &token, &id).await,
        first,
        "a value seals the same each read"
    );
    let listed = app.get("/api/v2/connections?name=legacy-db", Some(&token)).await;
    assert_eq!(listed.json()[0]["options"]["configuration"], first);

    let patch = json!({"options": {"enabledDatabaseCustomization": true,
        "configuration": {"bar": "yyy-secret", "foo": "xxx-secret"}}});
    let updated = app
        .patch_json(&format!("/api/v2/connections/{id}"), &token, &patch)
        .await;
    assert_eq!(updated.json()["options"]["configuration"]["bar"], "yyy-secret");
    let second = read_configuration(&app, &token, &id).await;
    assert_ne!(second["bar"], first["bar"]);
    assert_eq!(second["foo"], first["foo"]);

    let journal = app.journal("").await.to_string();
    assert!(
        !journal.contains("zzz-secret") && !journal.contains("yyy-secret") && !journal.contains("xxx-secret"),
        "the journal holds a configuration value in clear"
    );
}

/// `DELETE /api/v2/connections/{id}/users?email=`: the connection's user with that email is gone
/// (204, doc), a second call answers the same, a missing `email` is the query's validation error,
/// an unknown connection the connection 404, and the scope is `delete:users`.
#[tokio::test]
async fn a_connection_user_is_deleted_by_email() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let connection = "/api/v2/connections/con_FHnCKShgzqSf7tKL";
    let user = json!({"connection": "Username-Password-Authentication", "email": "gone@example.com", "password": "Gone-2026!pass"});
    let made = app.post_json("/api/v2/users", Some(&token), &user).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let user_id = made.json()["user_id"].as_str().expect("user_id").to_owned();

    let deleted = app
        .delete(&format!("{connection}/users?email=gone%40example.com"), &token)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let lookup = app.get(&format!("/api/v2/users/{user_id}"), Some(&token)).await;
    assert_eq!(lookup.status, StatusCode::NOT_FOUND, "{}", lookup.body);
    let again = app
        .delete(&format!("{connection}/users?email=gone@example.com"), &token)
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);

    let no_email = app.delete(&format!("{connection}/users"), &token).await;
    assert_eq!(no_email.status, StatusCode::BAD_REQUEST, "{}", no_email.body);
    let unknown = app
        .delete("/api/v2/connections/con_unknown000000000/users?email=a@b.c", &token)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    let reporting = app.token(App::ReadOnly).await;
    let refused = app.delete(&format!("{connection}/users?email=a@b.c"), &reporting).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

/// `GET /api/v2/connections/{id}`'s `options.configuration`.
async fn read_configuration(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    let reply = app.get(&format!("/api/v2/connections/{id}"), Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["options"]["configuration"].clone()
}

/// A connection that holds users keeps its `enabledDatabaseCustomization` setting: turning it on
/// or off is the documented 400, while an empty connection changes freely and a PATCH that keeps
/// the setting passes.
#[tokio::test]
async fn the_custom_database_setting_is_locked_once_the_connection_holds_users() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let customize = |on: bool| json!({"options": {"enabledDatabaseCustomization": on}});
    let seeded = "/api/v2/connections/con_FHnCKShgzqSf7tKL";
    let locked = app.patch_json(seeded, &token, &customize(true)).await;
    assert_wire!("connections_customization_locked", locked);

    let created = app
        .post_json(
            "/api/v2/connections",
            Some(&token),
            &json!({"name": "Legacy", "strategy": "auth0"}),
        )
        .await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v2/connections/{id}");
    for on in [true, false] {
        let empty = app.patch_json(&path, &token, &customize(on)).await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    }
    let (explorer, _) = app.credentials(App::Explorer);
    enable(&app, &token, &id, &explorer).await;
    let user = json!({"connection": "Legacy", "email": "kept@example.com", "password": "Kept-2026!pass"});
    let made = app.post_json("/api/v2/users", Some(&token), &user).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let on = app.patch_json(&path, &token, &customize(true)).await;
    assert_eq!(on.status, StatusCode::BAD_REQUEST, "{}", on.body);
    let kept = app.patch_json(&path, &token, &customize(false)).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
}
