//! A search that cannot freeze its tenant: a pathological Auth0 `q` or Janrain `filter` runs on
//! a snapshot outside the tenant lock, within the tenant's time budget, and answers the
//! provider's own timeout error when the budget runs out (Auth0: 503, facts `auth0-users.md` §2
//! "Misc" and DOC-search best practices; Janrain: code 504, facts `janrain-entity.md` §1.5).

use std::sync::Arc;
use std::time::Duration;

use authmock::auth0::Fixture;
use authmock::auth0::tenant::seed::UserSeed;
use authmock::janrain::JanrainFixture;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::assert_wire;
use crate::helpers::janrain::{CAROL, Capture};
use crate::helpers::{App, CONNECTION, TestApp};

/// Users a hostile search scans.
const USERS: usize = 20_000;

/// The default tenant with [`USERS`] more users (no passwords: nothing to hash), whose names
/// start like the hostile pattern so every term walks the value, and a search budget of
/// `timeout_ms`.
fn crowded_app(timeout_ms: u64) -> TestApp {
    let mut fixture = Fixture::default_auth0();
    fixture.search_timeout_ms = timeout_ms;
    fixture.users.extend((0..USERS).map(|i| UserSeed {
        user_id: Some(format!("{i:024x}")),
        email: format!("crowd{i}@example.com"),
        password: None,
        email_verified: false,
        name: Some(format!("abcxxyyzz1{i}")),
        given_name: None,
        family_name: None,
        blocked: false,
        connection: CONNECTION.into(),
        app_metadata: serde_json::Map::new(),
        user_metadata: None,
    }));
    TestApp::with_fixture(fixture)
}

/// About 60 KB of `q` once URL-encoded: inner-wildcard terms side by side (OR).
fn hostile_query() -> String {
    let q = vec!["name:abc*x*y*z17"; 2_222].join(" ");
    let encoded: String = percent_encoding::utf8_percent_encode(&q, percent_encoding::NON_ALPHANUMERIC).to_string();
    assert!((59_000..61_000).contains(&encoded.len()), "{} bytes", encoded.len());
    format!("/api/v2/users?search_engine=v3&q={encoded}")
}

/// The hostile search answers the provider's 503, and a JWKS request sent while it runs is
/// answered before it. The JWKS request is a browser's (an `Origin` header: the CORS layer reads
/// the tenant's applications under the tenant lock) and runs on the runtime's one worker, as a
/// server's connection task would: the search must hold neither the lock nor the worker.
/// Ordering only, no time thresholds: the budget (1 s) is far beyond what the JWKS answer needs,
/// and far below what the scan needs (44 million terms tested, about a minute for a debug build).
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_pathological_search_answers_503_and_the_tenant_keeps_answering_meanwhile() {
    let app = Arc::new(crowded_app(1_000));
    let token = app.token(App::Admin).await;
    let search = tokio::spawn({
        let app = Arc::clone(&app);
        async move { app.get(&hostile_query(), Some(&token)).await }
    });
    // Let the search start (it takes the tenant lock first, if anything does).
    tokio::time::sleep(Duration::from_millis(100)).await;
    let jwks = tokio::spawn({
        let app = Arc::clone(&app);
        async move {
            let request = Request::get("/.well-known/jwks.json")
                .header("origin", "http://localhost:3000")
                .body(Body::empty())
                .expect("request");
            app.send(request).await
        }
    })
    .await
    .expect("the JWKS task");
    assert_eq!(jwks.status, StatusCode::OK);
    assert!(
        !search.is_finished(),
        "the JWKS request was answered while the search still ran"
    );
    let searched = search.await.expect("the search task");
    assert_wire!("user_search_timeout", searched);
}

/// The default Capture app with [`USERS`] more records (no passwords) and a search budget of
/// `timeout_ms`.
fn crowded_capture(timeout_ms: u64) -> Capture {
    let mut fixture: serde_json::Value =
        serde_json::from_str(include_str!("../../fixtures/janrain-app.json")).expect("the fixture is JSON");
    let users = fixture["users"].as_array_mut().expect("users");
    users.extend((0..USERS).map(|i| {
        json!({
            "uuid": format!("{i:08x}-0000-4000-8000-{i:012x}"), "email": format!("crowd{i}@example.com"),
            "password": null, "givenName": format!("G{i}"), "familyName": "Crowd", "displayName": format!("C {i}"),
        })
    }));
    fixture["search_timeout_ms"] = json!(timeout_ms);
    Capture::with_fixture(JanrainFixture::from_value(fixture).expect("the fixture builds"))
}

/// Nearly the longest filter authmock parses (8 KB): equality terms on a nested attribute, none
/// of which matches (about 3 s of scanning for a debug build, six times the budget below).
fn hostile_filter() -> String {
    let filter = vec!["primaryAddress.city = 'abcxyz17'"; 215].join(" or ");
    assert!((7_000..8_192).contains(&filter.len()), "{} bytes", filter.len());
    filter
}

/// Janrain's `entity.find` with a filter too costly for its budget answers code 504, and a call
/// sent while it runs that takes the app lock (`/entity` by email) is answered before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_pathological_entity_find_answers_504_and_the_app_keeps_answering_meanwhile() {
    let capture = Arc::new(crowded_capture(500));
    let find = tokio::spawn({
        let capture = Arc::clone(&capture);
        async move {
            let filter = hostile_filter();
            capture
                .owner("/entity.find", &[("type_name", "user"), ("filter", &filter)])
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let read = capture
        .owner(
            "/entity",
            &[
                ("type_name", "user"),
                ("key_attribute", "email"),
                ("key_value", &format!("\"{CAROL}\"")),
            ],
        )
        .await;
    assert_eq!(read.json()["stat"], "ok", "{}", read.body);
    assert!(!find.is_finished(), "the read was answered while entity.find still ran");
    let found = find.await.expect("the find task");
    assert_wire!("janrain_entity_find_timeout", found);
}
