//! The Janrain side of a migration (facts `migration.md` §1) and the whole path to Auth0: the
//! records an exporter pages through by id with their `password` objects, turned into an Auth0
//! users file (§4.2), imported (§2), and each password user logging in on Auth0 with the
//! password it had on Janrain.

use std::time::Instant;

use authmock::janrain::JanrainFixture;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::janrain::Capture;
use crate::helpers::{App, CONNECTION_ID, TestApp};

/// The embedded Capture fixture with `extra` users added.
fn fixture_with(extra: Vec<Value>) -> JanrainFixture {
    let text = include_str!("../../fixtures/janrain-app.json");
    let mut fixture: Value = serde_json::from_str(text).expect("fixture JSON");
    fixture["users"].as_array_mut().expect("users").extend(extra);
    // An app's schema declares the attribute its exports read (docs/migration.md).
    (fixture["entity_type"]["attributes"].as_array_mut().expect("attributes"))
        .push(json!({"name": "password", "type": "password"}));
    JanrainFixture::from_value(fixture).expect("fixture builds")
}

#[tokio::test]
async fn an_owner_reads_password_objects_and_social_only_records_read_null() {
    let capture = Capture::with_fixture(fixture_with(vec![json!({
        "uuid": "0a0a0a0a-0000-4000-8000-000000000001", "email": "md5user@example.com", "password": null,
        "password_hash": {"type": "password-md5", "value": "2f23fa3579f3f75175793649115c1b25"},
        "givenName": "Md", "familyName": "Five", "displayName": "Md Five"})]));
    let page = capture
        .owner(
            "/entity.find",
            &[
                ("type_name", "user"),
                ("filter", "id>0"),
                ("sort_on", r#"["id"]"#),
                ("attributes", r#"["id", "email", "password"]"#),
            ],
        )
        .await;
    assert_wire!("migration_export_page", page);
    let body = page.json();
    let results = body["results"].as_array().expect("results");
    assert!(
        results.iter().any(|r| r["password"].is_null()),
        "a social-only record: {body}"
    );
    let seeded = results
        .iter()
        .find(|r| r["email"] == "md5user@example.com")
        .expect("seeded");
    assert_eq!(seeded["password"]["type"], "password-md5");
    let count = capture.owner("/entity.count", &[("type_name", "user")]).await;
    assert_eq!(count.json()["total_count"], results.len());
    // The seeded MD5 hash signs in on Janrain too.
    let checked = capture
        .owner(
            "/entity",
            &[
                ("type_name", "user"),
                ("key_attribute", "email"),
                ("key_value", "\"md5user@example.com\""),
                ("password_attribute", "password"),
                ("password_value", "Pass123"),
                ("attributes", r#"["email"]"#),
            ],
        )
        .await;
    assert_eq!(checked.json()["stat"], "ok", "{}", checked.body);
}

/// A record as an Auth0 users-file entry (facts §4.2); `None` for a social-only record.
fn to_auth0(record: &Value) -> Option<Value> {
    let password = record.get("password").filter(|p| !p.is_null())?;
    let value = password["value"].as_str()?;
    let mut user = json!({
        "email": record["email"],
        "email_verified": true,
        "user_id": record["uuid"],
        "given_name": record["givenName"],
        "family_name": record["familyName"],
        "app_metadata": {"janrain_id": record["id"]},
    });
    match password["type"].as_str()? {
        "password-bcrypt" if value.starts_with("$2b$10$") || value.starts_with("$2a$10$") => {
            user["password_hash"] = json!(value);
        }
        "password-bcrypt" => {
            user["custom_password_hash"] = json!({"algorithm": "bcrypt", "hash": {"value": value, "encoding": "utf8"}});
        }
        "password-md5" => {
            user["custom_password_hash"] = json!({"algorithm": "md5", "hash": {"value": value, "encoding": "hex"}})
        }
        "password-sha" => {
            user["custom_password_hash"] = json!({"algorithm": "sha1", "hash": {"value": value, "encoding": "hex"}})
        }
        _ => return None,
    }
    Some(user)
}

#[tokio::test]
async fn users_exported_by_id_paging_and_imported_log_in_on_auth0_with_their_janrain_password() {
    const N: usize = 12;
    let generated: Vec<Value> = (0..N)
        .map(|i| {
            json!({"uuid": format!("{i:08x}-0000-4000-8000-00000000aaaa"), "email": format!("Migrant{i}@Example.com"),
                   "password": format!("Janrain-Secret-{i}"), "givenName": "Mig", "familyName": format!("Rant{i}"),
                   "displayName": format!("Mig Rant{i}")})
        })
        .chain(std::iter::once(json!({
            "uuid": "0a0a0a0a-0000-4000-8000-000000000002", "email": "legacy@example.com", "password": null,
            "password_hash": {"type": "password-sha", "value": "54e8d2e15d3caa89aa3f82c8c0428ad5742f056c"},
            "givenName": "Leg", "familyName": "Acy", "displayName": "Leg Acy"})))
        .collect();
    let capture = Capture::with_fixture(fixture_with(generated));
    let auth0 = TestApp::new();
    let token = auth0.token(App::Admin).await;
    let started = Instant::now();

    // Export: id paging, short page = end (facts §1.1).
    let (mut last, mut records) = (0u64, Vec::new());
    loop {
        let filter = format!("id > {last}");
        let page = capture
            .owner(
                "/entity.find",
                &[
                    ("type_name", "user"),
                    ("max_results", "5"),
                    ("filter", &filter),
                    ("sort_on", r#"["id"]"#),
                ],
            )
            .await
            .json();
        let results = page["results"].as_array().expect("results").clone();
        records.extend(results.iter().cloned());
        if results.len() < 5 {
            break;
        }
        last = results.last().expect("a full page")["id"].as_u64().expect("id");
    }
    let exported = Instant::now();
    let users: Vec<Value> = records.iter().filter_map(to_auth0).collect();

    // Import, then let the job run.
    let boundary = "migrationboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"connection_id\"\r\n\r\n{CONNECTION_ID}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--{boundary}--\r\n",
        Value::Array(users.clone())
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let created = auth0
        .request(
            Method::POST,
            "/api/v2/jobs/users-imports",
            Some(&content_type),
            Some(&format!("Bearer {token}")),
            body,
        )
        .await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    auth0.advance(1);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let job = auth0.get(&format!("/api/v2/jobs/{id}"), Some(&token)).await.json();
    // A fixture user of both providers (the same email) is refused without upsert.
    let errors = auth0
        .get(&format!("/api/v2/jobs/{id}/errors"), Some(&token))
        .await
        .json();
    for entry in errors.as_array().into_iter().flatten() {
        assert_eq!(entry["errors"][0]["code"], "DUPLICATED_USER", "{entry}");
    }
    assert_eq!(job["summary"]["total"], users.len(), "{job}");
    let imported = Instant::now();

    // Every password user logs in on Auth0 with the Janrain password (lower-cased email).
    for i in 0..N {
        let login = auth0
            .login(&format!("migrant{i}@example.com"), &format!("Janrain-Secret-{i}"))
            .await;
        assert_eq!(login.status, StatusCode::OK, "migrant{i}: {}", login.body);
    }
    assert_eq!(
        auth0.login("legacy@example.com", "Pass123").await.status,
        StatusCode::OK
    );
    let logged_in = Instant::now();
    println!(
        "migration of {} records ({} password users): export {:?}, transform+import {:?}, first logins {:?}",
        records.len(),
        users.len(),
        exported - started,
        imported - exported,
        logged_in - imported
    );
}
