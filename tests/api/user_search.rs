//! GET /api/v2/users with search engine v3 (facts `auth0-users.md` §2).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{ALICE, App, CONNECTION, TestApp};

/// `q` percent-encoded for a query string.
fn q(query: &str) -> String {
    percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn emails(body: &Value) -> Vec<String> {
    body.as_array()
        .expect("a bare array")
        .iter()
        .map(|u| u["email"].as_str().expect("email").to_owned())
        .collect()
}

async fn search(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let reply = app
        .get(&format!("/api/v2/users?search_engine=v3&q={}", q(query)), Some(token))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    emails(&reply.json())
}

#[tokio::test]
async fn the_sdk_call_with_totals_has_the_paged_shape() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let reply = app
        .get(
            "/api/v2/users?include_totals=true&per_page=50&q=email%3A%22alice%40example.com%22&search_engine=v3",
            Some(&token),
        )
        .await;
    assert_wire!("users_search_totals", reply);
}

#[tokio::test]
async fn lucene_subset_finds_the_right_users() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    app.patch_json(
        "/api/v2/users/auth0%7C3c6c6bc7a6b8a2046d02417d",
        &token,
        &json!({"app_metadata": {"plan": "gold", "tags": ["beta", "staff"]}}),
    )
    .await;
    let cases: &[(&str, &[&str])] = &[
        (r#"email:"ALICE@example.com""#, &["alice@example.com"]),
        (
            "email:bob@example.com OR email:carol@example.com",
            &["carol@example.com", "bob@example.com"],
        ),
        (
            "email:*example.com AND NOT email:alice*",
            &["carol@example.com", "bob@example.com"],
        ),
        ("app_metadata.plan:gold", &["bob@example.com"]),
        ("app_metadata.tags:staff", &["bob@example.com"]),
        ("app_metadata.plan:*", &["bob@example.com"]),
        ("blocked:true", &["carol@example.com"]),
        (
            r#"user_id:"auth0|3b3d13f7d1bb45d8d62f8e36" AND email_verified:"true""#,
            &["alice@example.com"],
        ),
        ("user_id:auth0", &[]),
        (
            "(name:\"alice liddell\" OR name:\"bob builder\") AND email.domain:example.com",
            &["bob@example.com", "alice@example.com"],
        ),
        (
            "_exists_:given_name AND email.domain:example.com",
            &["alice@example.com"],
        ),
        ("created_at:[2026 TO *] AND email:caro?*", &["carol@example.com"]),
        ("created_at:{* TO 2026}", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(&search(&app, &token, query).await, expected, "{query}");
    }
    let connection = search(&app, &token, &format!("identities.connection:\"{CONNECTION}\"")).await;
    assert_eq!(connection.len(), 8, "every seeded user");
    assert_eq!(search(&app, &token, "user_id:auth0*").await.len(), 8);
}

/// Exact-field searches are answered from an index from the second search after a change; a
/// created, renamed or deleted user is found (or not) at once all the same.
#[tokio::test]
async fn exact_searches_follow_creates_updates_and_deletes() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let by_email = |email: &str| format!("email:\"{email}\"");
    for _ in 0..2 {
        assert_eq!(
            search(&app, &token, &by_email("alice@example.com")).await,
            ["alice@example.com"]
        );
    }
    let created = app
        .post_json(
            "/api/v2/users",
            Some(&token),
            &json!({"connection": CONNECTION, "email": "Dora@Example.com", "password": "Explorer-2026!",
                    "app_metadata": {"plan": "gold"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["user_id"].as_str().expect("user_id").to_owned();
    let path = format!("/api/v2/users/{}", q(&id));
    for _ in 0..2 {
        assert_eq!(
            search(&app, &token, &by_email("DORA@example.com")).await,
            ["dora@example.com"]
        );
        assert_eq!(
            search(&app, &token, "app_metadata.plan:gold").await,
            ["dora@example.com"]
        );
    }
    let patched = app
        .patch_json(
            &path,
            &token,
            &json!({"email": "explorer@example.com", "app_metadata": {"plan": "team"}}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    for _ in 0..2 {
        assert!(search(&app, &token, &by_email("dora@example.com")).await.is_empty());
        assert_eq!(
            search(&app, &token, &by_email("explorer@example.com")).await,
            ["explorer@example.com"]
        );
        assert!(search(&app, &token, "app_metadata.plan:gold").await.is_empty());
        assert_eq!(
            search(&app, &token, "app_metadata.plan:team").await,
            ["explorer@example.com"]
        );
    }
    assert_eq!(app.delete(&path, &token).await.status, StatusCode::NO_CONTENT);
    for _ in 0..2 {
        assert!(search(&app, &token, &by_email("explorer@example.com")).await.is_empty());
        assert!(search(&app, &token, "app_metadata.plan:team").await.is_empty());
        assert_eq!(
            search(&app, &token, &by_email("alice@example.com")).await,
            ["alice@example.com"]
        );
    }
}

#[tokio::test]
async fn paging_sort_and_fields() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let all = app.get("/api/v2/users", Some(&token)).await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(8));
    let page = app
        .get(
            "/api/v2/users?per_page=3&page=1&include_totals=true&sort=email:1&fields=email,user_id",
            Some(&token),
        )
        .await;
    assert_wire!("users_list_page_sorted_fields", page);
    let past = app.get("/api/v2/users?per_page=5&page=3", Some(&token)).await;
    assert_eq!(past.json(), json!([]), "past the end");
    let zero = app
        .get("/api/v2/users?per_page=0&include_totals=true", Some(&token))
        .await;
    assert_eq!(zero.json()["users"], json!([]));
    assert_eq!(zero.json()["total"], 8);
    let descending = emails(
        &app.get("/api/v2/users?sort=email:-1&fields=email", Some(&token))
            .await
            .json(),
    );
    let mut expected = descending.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(descending, expected, "email descending");
    assert_eq!(descending.len(), 8);
    let unknown_sort = app.get("/api/v2/users?sort=shoe_size:1", Some(&token)).await;
    assert_eq!(unknown_sort.status, StatusCode::OK, "an unknown sort field is no error");
    let excluded = app
        .get(
            &format!(
                "/api/v2/users?q={}&fields=identities,picture&include_fields=false",
                q(&format!("user_id:\"{ALICE}\""))
            ),
            Some(&token),
        )
        .await;
    let user = &excluded.json()[0];
    assert!(user.get("identities").is_none() && user.get("picture").is_none() && user.get("email").is_some());
}

#[tokio::test]
async fn documented_refusals() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let cases = [
        ("users_search_v1", "/api/v2/users?search_engine=v1&q=name:zelda"),
        ("users_search_v2", "/api/v2/users?search_engine=v2"),
        (
            "users_search_connection",
            "/api/v2/users?connection=Username-Password-Authentication",
        ),
        ("users_search_window", "/api/v2/users?per_page=100&page=10"),
        ("users_search_per_page_max", "/api/v2/users?per_page=1000"),
        (
            "users_search_unknown_field",
            "/api/v2/users?search_engine=v3&q=for%3Athe%20horde",
        ),
        (
            "users_search_syntax",
            "/api/v2/users?search_engine=v3&q=email%3A%22open",
        ),
        ("users_search_bad_fields", "/api/v2/users?fields=email,users"),
        ("users_search_bad_sort", "/api/v2/users?sort=email"),
    ];
    for (name, path) in cases {
        let reply = app.get(path, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}: {}", reply.body);
        assert_wire!(name, reply);
    }
    let window_edge = app.get("/api/v2/users?per_page=100&page=9", Some(&token)).await;
    assert_eq!(
        window_edge.status,
        StatusCode::OK,
        "the 1000th record is still reachable"
    );
}

#[tokio::test]
async fn hostile_queries_get_errors_not_crashes() {
    let app = TestApp::new();
    let token = app.token(App::ReadOnly).await;
    let nested = format!("{}email:a{}", "(".repeat(5000), ")".repeat(5000));
    let hostile = [
        nested.as_str(),
        "NOT NOT NOT",
        "email:*a",
        "app_metadata.plan:go*",
        "app_metadata.n:[1 TO 5]",
        "app_metadata..x:1",
        "\u{0000}:\u{ffff}",
        ")(",
        "email:[a TO",
    ];
    for query in hostile {
        let reply = app
            .get(&format!("/api/v2/users?search_engine=v3&q={}", q(query)), Some(&token))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query:.40}: {}", reply.body);
        assert_eq!(reply.json()["errorCode"], "invalid_query_string", "{query:.40}");
    }
    let long = format!("email:{}", "a".repeat(20_000));
    let reply = app.get(&format!("/api/v2/users?q={}", q(&long)), Some(&token)).await;
    assert_eq!(reply.status, StatusCode::OK, "a long term is just a term");
    for huge in [
        "/api/v2/users?page=18446744073709551615&per_page=100",
        "/api/v2/users?page=99999999999999999999999",
        "/api/v2/users?per_page=-1",
        "/api/v2/users?include_totals=maybe",
    ] {
        let reply = app.get(huge, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{huge}: {}", reply.body);
    }
}

#[tokio::test]
async fn read_endpoints_list_their_scopes_in_the_providers_order() {
    let mut fixture = authmock::auth0::Fixture::default_auth0();
    let admin = fixture
        .clients
        .iter_mut()
        .find(|c| c.name.starts_with("User admin"))
        .expect("admin client");
    admin.grants[0].scopes = vec!["delete:users".into()];
    let app = TestApp::with_fixture(fixture);
    let token = app.token(App::Admin).await;
    let list = app.get("/api/v2/users", Some(&token)).await;
    assert_wire!("users_list_insufficient_scope", list);
    let one = app
        .get("/api/v2/users/auth0%7C3b3d13f7d1bb45d8d62f8e36", Some(&token))
        .await;
    assert_wire!("user_get_insufficient_scope", one);
    let none = app.get("/api/v2/users", None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}
