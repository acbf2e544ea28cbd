//! Bounded stores as the control API reports them: every growing store of a tenant is listed under
//! `stores` with its cap, and what runtime traffic adds shows up there (the eviction itself is
//! tested against each store in the unit tests of `core::bounded`, `auth0::bounds`,
//! `auth0::logins`, `janrain::tenant` and `core::onetime`).

use serde_json::json;

use crate::helpers::{App, CONNECTION, TestApp};

const STORES: &[(&str, u64)] = &[
    ("tickets", 10_000),
    ("outbox", 1_000),
    ("login_transactions", 10_000),
    ("sessions", 10_000),
    ("authorization_codes", 10_000),
    ("refresh_token_families", 10_000),
    ("refresh_tokens", 50_000),
    ("opaque_access_tokens", 50_000),
    ("password_grant_refresh_tokens", 10_000),
    ("form_tokens", 10_000),
    ("jobs", 10_000),
    ("brute_force_counters", 10_000),
    ("brute_force_blocks", 10_000),
    ("runtime_users", 100_000),
    ("roles", 10_000),
    ("role_members", 100_000),
    ("user_permissions", 100_000),
    ("runtime_clients", 1_000),
    ("runtime_apis", 1_000),
    ("runtime_grants", 10_000),
    ("mfa_enrolments", 100_000),
    ("mfa_tokens", 10_000),
    ("mfa_oob_codes", 10_000),
];

#[tokio::test]
async fn every_growing_store_is_reported_with_its_documented_cap() {
    let app = TestApp::new();
    let summary = app.get("/__authmock__/tenant", None).await.json();
    let stores = summary["stores"].as_object().expect("stores");
    assert_eq!(stores.len(), STORES.len(), "{stores:?}");
    for (name, cap) in STORES {
        let store = &stores[*name];
        assert_eq!(store["capacity"], *cap, "{name}: {store}");
        assert_eq!(store["evicted"], 0, "{name}: {store}");
    }
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/control-api.md")).expect("docs");
    for (name, _) in STORES {
        assert!(docs.contains(&format!("`{name}`")), "docs/control-api.md lists {name}");
    }
}

#[tokio::test]
async fn runtime_users_count_against_their_cap_and_fixture_users_do_not() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let created = app
        .post_json(
            "/api/v2/users",
            Some(&token),
            &json!({"connection": CONNECTION, "email": "dora@example.com", "password": "Roundhouse-2026"}),
        )
        .await
        .json();
    let runtime = |summary: serde_json::Value| summary["stores"]["runtime_users"]["len"].clone();
    assert_eq!(runtime(app.get("/__authmock__/tenant", None).await.json()), 1);
    let id = created["user_id"].as_str().expect("user_id").replace('|', "%7C");
    app.delete(&format!("/api/v2/users/{id}"), &token).await;
    assert_eq!(runtime(app.get("/__authmock__/tenant", None).await.json()), 0);
}
