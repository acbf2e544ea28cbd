//! `/api/v2/tenants/settings`: the settings as the recordings print them, and the two that take
//! effect at once (`default_audience`, `default_directory`). Each snapshot names the recording its
//! shape was reviewed against (facts: `docs/management-api.md` §4).

use axum::http::StatusCode;
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{App, TestApp, claims};
use crate::login::{Browser, spa_query};

const SETTINGS: &str = "/api/v2/tenants/settings";

/// A fresh tenant's settings in the provider's key order, `sandbox_versions_available` last
/// (obs: go-auth0 TestTenantManager_CIMDAndResourceParameterProfile, the first read; the seed's
/// default directory printed where TestAccTenant_Main prints it).
#[tokio::test]
async fn a_fresh_tenant_prints_its_settings() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    assert_wire!("tenant_settings_get", app.get(SETTINGS, Some(&token)).await);
}

/// A PATCH answers the whole settings without `sandbox_versions_available`; minutes are kept in
/// hours, `null` removes, flags merge (obs: TestTenantManager, TestTenantManager_NullableFields,
/// TestAccTenant_Main); `fields` selects.
#[tokio::test]
async fn a_patch_changes_what_it_names_and_answers_the_whole_settings() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let patched = app
        .patch_json(
            SETTINGS,
            &token,
            &json!({"friendly_name": "My Example Tenant", "support_email": "support@example.com",
                    "support_url": "https://support.example.com", "allowed_logout_urls": ["https://app.com/logout"],
                    "session_lifetime": 1080, "idle_session_lifetime": 720,
                    "idle_ephemeral_session_lifetime_in_minutes": 15, "acr_values_supported": ["foo", "bar"],
                    "flags": {"enable_public_signup_user_exists_error": true},
                    "country_codes": {"list": ["US", "GB"], "mode": "allow"}}),
        )
        .await;
    assert_wire!("tenant_settings_patch", patched);
    let cleared = app
        .patch_json(
            SETTINGS,
            &token,
            &json!({"acr_values_supported": null, "country_codes": null}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert!(cleared.json().get("acr_values_supported").is_none());
    assert_eq!(cleared.json()["flags"]["enable_public_signup_user_exists_error"], true);
    let some = app
        .get(
            &format!("{SETTINGS}?fields=friendly_name,session_lifetime&include_fields=true"),
            Some(&token),
        )
        .await;
    assert_eq!(
        some.body,
        r#"{"friendly_name":"My Example Tenant","session_lifetime":1080}"#
    );
}

/// Bad bodies get the provider's payload-validation 400, never a 500: an unknown property, wrong
/// types, a huge lifetime, a huge name; and a token without the scopes gets 403.
#[tokio::test]
async fn hostile_bodies_are_refused_with_the_payload_validation_error() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let unknown = app.patch_json(SETTINGS, &token, &json!({"tenant_name": "x"})).await;
    assert_wire!("tenant_settings_unknown_property", unknown);
    let types = app
        .patch_json(
            SETTINGS,
            &token,
            &json!({"session_lifetime": "long", "flags": {"enable_sso": "yes"}, "enabled_locales": "en"}),
        )
        .await;
    assert_wire!("tenant_settings_bad_types", types);
    let huge = app
        .patch_json(
            SETTINGS,
            &token,
            &json!({"session_lifetime": 1e300, "friendly_name": "x".repeat(100_000)}),
        )
        .await;
    assert_wire!("tenant_settings_huge_values", huge);
    let unknown_flag = app
        .patch_json(SETTINGS, &token, &json!({"flags": {"enable_everything": true}}))
        .await;
    assert_wire!("tenant_settings_unknown_flag", unknown_flag);
    let not_object = app.patch_json(SETTINGS, &token, &json!(["friendly_name"])).await;
    assert_eq!(not_object.status, StatusCode::BAD_REQUEST, "{}", not_object.body);
    let after = app.get(SETTINGS, Some(&token)).await;
    assert_eq!(after.json()["session_lifetime"], 720, "nothing refused was kept");

    let read_only = app.token(App::ReadOnly).await;
    let refused = app.get(SETTINGS, Some(&read_only)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

/// A default audience set through the Management API is the audience of the next token asked
/// without one; cleared again, the same request is refused as before (facts auth0.md §1.2).
#[tokio::test]
async fn a_patched_default_audience_is_used_by_the_next_token_without_audience() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let before = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    let opaque = before.json()["access_token"].as_str().expect("token").to_owned();
    assert_eq!(opaque.split('.').count(), 5, "no audience: an opaque (encrypted) token");

    let patched = app
        .patch_json(
            SETTINGS,
            &token,
            &json!({"default_audience": "https://api.example.com/"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["default_audience"], "https://api.example.com/");
    let after = app.login("alice@example.com", "Wonderland-2026").await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    let access = claims(after.json()["access_token"].as_str().expect("token"));
    assert_eq!(access["aud"][0], "https://api.example.com/", "{access}");

    let cleared = app.patch_json(SETTINGS, &token, &json!({"default_audience": ""})).await;
    assert_eq!(
        cleared.json()["default_audience"],
        "",
        "printed empty (obs: TestAccDataSourceTenant)"
    );
    let again = app.login("alice@example.com", "Wonderland-2026").await;
    let again = again.json()["access_token"].as_str().expect("token").to_owned();
    assert_eq!(again.split('.').count(), 5, "the default audience is gone");
}

/// The session lifetimes are the tenant's browser sessions' own: after a PATCH of
/// `idle_session_lifetime` to one hour, a session left alone for two hours no longer logs in
/// silently; with the default three days, it does.
#[tokio::test]
async fn a_patched_idle_session_lifetime_ends_an_idle_browser_session() {
    let silent_login = |location: Option<&str>| location.is_some_and(|l| l.contains("code="));
    for (idle_hours, survives) in [(None, true), (Some(1), false)] {
        let app = TestApp::new();
        if let Some(hours) = idle_hours {
            let token = app.token(App::Explorer).await;
            let patched = app
                .patch_json(SETTINGS, &token, &json!({"idle_session_lifetime": hours}))
                .await;
            assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        }
        let mut browser = Browser::new(&app);
        browser.login(&spa_query("")).await;
        app.tenant.clock().advance(std::time::Duration::from_secs(2 * 3_600));
        let silent = browser.get(&format!("/authorize?{}", spa_query("&prompt=none"))).await;
        assert_eq!(
            silent_login(silent.header("location")),
            survives,
            "idle lifetime {idle_hours:?} h: {:?}",
            silent.header("location")
        );
    }
}

/// The sender's name of the newest reset mail, asked for Alice.
async fn reset_mail_sender(app: &TestApp) -> String {
    let (client_id, _) = app.credentials(App::Web);
    let asked = app
        .post_json(
            "/dbconnections/change_password",
            None,
            &json!({"client_id": client_id, "email": "alice@example.com",
                    "connection": "Username-Password-Authentication"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let list = app.get("/__authmock__/outbox?limit=1", None).await.json();
    let id = list["messages"][0]["ID"].as_str().expect("a mail").to_owned();
    let message = app.get(&format!("/__authmock__/outbox/{id}"), None).await.json();
    message["From"]["Name"].as_str().expect("a sender").to_owned()
}

/// The tenant's mail is sent under its `friendly_name` once one is set (inf), under the tenant's
/// name before.
#[tokio::test]
async fn a_patched_friendly_name_signs_the_tenants_mail() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    assert_eq!(reset_mail_sender(&app).await, "authmock-dev");
    let patched = app
        .patch_json(SETTINGS, &token, &json!({"friendly_name": "Wonderland Inc."}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(reset_mail_sender(&app).await, "Wonderland Inc.");
}
