//! The bulk user import (facts `migration.md` §2): `POST /api/v2/jobs/users-imports`, the job
//! on the tenant clock, `GET /api/v2/jobs/{id}` and `/errors`, and the first login of an
//! imported user.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::{App, CONNECTION_ID, TestApp};

const IMPORTS: &str = "/api/v2/jobs/users-imports";
const BOUNDARY: &str = "authmockboundary";
/// facts §2.4: the doc's bcrypt vector, the hash of `hello`.
const HELLO: &str = "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K";

/// A multipart body with the parts in go-auth0's order (facts §2.1), the file last.
fn multipart(connection_id: &str, upsert: bool, users: &str) -> String {
    let part = |name: &str, value: &str| {
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    };
    format!(
        "{}{}{}{}--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n{users}\r\n--{BOUNDARY}--\r\n",
        part("connection_id", connection_id),
        part("upsert", if upsert { "true" } else { "false" }),
        part("external_id", ""),
        part("send_completion_email", "false"),
    )
}

async fn import(app: &TestApp, token: &str, body: String) -> crate::helpers::Reply {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    app.request(
        Method::POST,
        IMPORTS,
        Some(&content_type),
        Some(&format!("Bearer {token}")),
        body,
    )
    .await
}

async fn start(app: &TestApp, token: &str, users: &Value, upsert: bool) -> String {
    let reply = import(app, token, multipart(CONNECTION_ID, upsert, &users.to_string())).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_job_is_pending_until_due_on_the_tenant_clock_then_completed_and_its_users_log_in() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let users = json!([
        {"email": "auzironian@example.com", "email_verified": true},
        {"email": "Hello.User@example.com", "email_verified": true, "password_hash": HELLO},
    ]);
    let created = import(&app, &token, multipart(CONNECTION_ID, true, &users.to_string())).await;
    assert_wire!("import_job_created", created);
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let job = format!("/api/v2/jobs/{id}");
    assert_eq!(app.get(&job, Some(&token)).await.json()["status"], "pending");
    let by_email = "/api/v2/users-by-email?email=auzironian%40example.com";
    assert_eq!(app.get(by_email, Some(&token)).await.json(), json!([]));
    assert_eq!(
        app.login("hello.user@example.com", "hello").await.status,
        StatusCode::FORBIDDEN
    );

    app.advance(1);
    let done = app.get(&job, Some(&token)).await;
    assert_wire!("import_job_completed", done);
    let errors = app.get(&format!("{job}/errors"), Some(&token)).await;
    assert_eq!(errors.status, StatusCode::NO_CONTENT);
    let imported = app.get(by_email, Some(&token)).await.json();
    assert_eq!(imported[0]["email_verified"], true);
    assert!(
        imported[0]["picture"]
            .as_str()
            .is_some_and(|p| p.starts_with("https://secure.gravatar.com/avatar/1eafdbc62a30a384b6d9a04e1cc21500")),
        "{imported}"
    );

    // The imported bcrypt hash checks the password, then authmock's own digest replaces it.
    assert_eq!(
        app.login("hello.user@example.com", "hellO").await.status,
        StatusCode::FORBIDDEN
    );
    for _ in 0..2 {
        let login = app.login("hello.user@example.com", "hello").await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    }
}

#[tokio::test]
async fn per_user_problems_are_listed_by_errors_and_do_not_fail_the_job() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let first = start(
        &app,
        &token,
        &json!([{"email": "chuck630@example.com", "email_verified": true}]),
        false,
    )
    .await;
    app.advance(1);
    assert_eq!(
        app.get(&format!("/api/v2/jobs/{first}"), Some(&token)).await.json()["status"],
        "completed"
    );
    let users = json!([
        {"email": "chuck630@example.com", "email_verified": true},
        {"email": "akshay144@"},
        {"email": "old@example.com", "password_hash": "$2a$04$ogMILkiHiSvtpZpoJmVg7OotiEOpl7rQIhSwafBEpPKRVLm/SNQdu"},
        {"email": "crypt@example.com", "custom_password_hash": {"algorithm": "ldap", "hash": {"value": "{CRYPT}abcdefgh"}}},
        {"email": "whirl@example.com", "custom_password_hash": {"algorithm": "whirlpool", "hash": {"value": "00"}}},
        {"email": "extra@example.com", "created_at": "2020-01-01"},
        {"email": "twice@example.com"},
        {"email": "TWICE@example.com"},
        {"email": "md5@example.com", "custom_password_hash": {"algorithm": "md5",
            "hash": {"value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"}, "salt": {"value": "salt"}}},
    ]);
    let second = start(&app, &token, &users, false).await;
    app.advance(1);
    assert_wire!(
        "import_job_with_failures",
        app.get(&format!("/api/v2/jobs/{second}"), Some(&token)).await
    );
    assert_wire!(
        "import_job_errors",
        app.get(&format!("/api/v2/jobs/{second}/errors"), Some(&token)).await
    );
    let md5 = app.login("md5@example.com", "password").await;
    assert_eq!(md5.status, StatusCode::OK, "{}", md5.body);
}

#[tokio::test]
async fn upsert_replaces_metadata_of_the_user_with_that_email() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    start(
        &app,
        &token,
        &json!([{"email": "u@example.com", "user_metadata": {"a": 1, "b": 2}}]),
        false,
    )
    .await;
    app.advance(1);
    let id = start(
        &app,
        &token,
        &json!([{"email": "U@example.com", "user_metadata": {"c": 3}}]),
        true,
    )
    .await;
    app.advance(1);
    let job = app.get(&format!("/api/v2/jobs/{id}"), Some(&token)).await.json();
    assert_eq!(
        job["summary"],
        json!({"failed": 0, "updated": 1, "inserted": 0, "total": 1})
    );
    let user = app
        .get("/api/v2/users-by-email?email=u%40example.com", Some(&token))
        .await
        .json();
    assert_eq!(user[0]["user_metadata"], json!({"c": 3}));
}

#[tokio::test]
async fn hostile_imports_get_the_documented_refusals() {
    let app = TestApp::new();
    let token = app.token(App::Admin).await;
    let big = format!("[{}]", vec![r#"{"email":"a@example.com"}"#; 20_000].join(","));
    assert_wire!(
        "import_too_large",
        import(&app, &token, multipart(CONNECTION_ID, false, &big)).await
    );
    assert_wire!(
        "import_bad_connection_id",
        import(&app, &token, multipart("con_short", false, "[]")).await
    );
    let unknown = import(&app, &token, multipart("con_AAAAAAAAAAAAAAAA", false, "[]")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["message"], "The connection does not exist.");
    let no_file = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"connection_id\"\r\n\r\n{CONNECTION_ID}\r\n--{BOUNDARY}--\r\n"
    );
    assert_eq!(
        import(&app, &token, no_file).await.json()["message"],
        "Must provide 'users' file as multipart part."
    );
    let json_body = app
        .post_json(IMPORTS, Some(&token), &json!({"connection_id": CONNECTION_ID}))
        .await;
    assert_eq!(json_body.status, StatusCode::BAD_REQUEST, "{}", json_body.body);

    // A file that is not a JSON array fails its job, which has no per-user errors.
    let broken = start(&app, &token, &json!({"not": "an array"}), false).await;
    let second = start(&app, &token, &json!([{"email": "x@example.com"}]), false).await;
    assert_wire!(
        "import_third_active_job",
        import(&app, &token, multipart(CONNECTION_ID, false, "[]")).await
    );
    app.advance(1);
    let failed = app.get(&format!("/api/v2/jobs/{broken}"), Some(&token)).await;
    assert_eq!(failed.json()["status"], "failed");
    let errors = app.get(&format!("/api/v2/jobs/{broken}/errors"), Some(&token)).await;
    assert_eq!(errors.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v2/jobs/{second}"), Some(&token)).await.json()["status"],
        "completed"
    );

    // Another tenant does not see the job; deleting the connection forgets it.
    let other = TestApp::with_fixture(authmock::auth0::Fixture::default_auth0());
    let other_token = other.token(App::Admin).await;
    let foreign = other
        .get(&format!("/api/v2/jobs/{second}/errors"), Some(&other_token))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let explorer = app.token(App::Explorer).await;
    let deleted = app
        .delete(&format!("/api/v2/connections/{CONNECTION_ID}"), &explorer)
        .await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED, "{}", deleted.body);
    let gone = app.get(&format!("/api/v2/jobs/{second}"), Some(&token)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
