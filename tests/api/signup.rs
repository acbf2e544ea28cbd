//! POST /dbconnections/signup (facts `auth0-users.md` §7).

use authmock::auth0::Fixture;
use axum::http::StatusCode;
use serde_json::json;

use crate::assert_wire;
use crate::helpers::{App, CONNECTION, TestApp};

const SIGNUP: &str = "/dbconnections/signup";

#[tokio::test]
async fn signup_answers_the_short_body_and_the_user_can_log_in() {
    let app = TestApp::new();
    let (client_id, _) = app.credentials(App::Web);
    let reply = app
        .post_json(
            SIGNUP,
            None,
            &json!({"client_id": client_id, "connection": CONNECTION, "email": "New.Person@example.com",
                    "password": "Signup-2026", "user_metadata": {"plan": "free"}}),
        )
        .await;
    assert_wire!("signup_success", reply);
    assert_eq!(
        app.login("new.person@example.com", "Signup-2026").await.status,
        StatusCode::OK
    );
    let token = app.token(App::Admin).await;
    let found = app
        .get("/api/v2/users?q=user_metadata.plan%3Afree", Some(&token))
        .await
        .json();
    assert_eq!(found[0]["email"], "new.person@example.com");
    let mails = app
        .get("/__authmock__/outbox?to=new.person@example.com", None)
        .await
        .json();
    assert_eq!(
        mails["messages"].as_array().map(Vec::len),
        Some(1),
        "a verification mail"
    );
}

#[tokio::test]
async fn duplicate_weak_and_common_passwords_get_the_signup_envelope() {
    let mut fixture = Fixture::default_auth0();
    fixture.connections[0].password_policy = serde_json::from_str("\"good\"").expect("a strength level");
    fixture.connections[0].password_dictionary = true;
    let app = TestApp::with_fixture(fixture);
    let body = |email: &str, password: &str| json!({"connection": CONNECTION, "email": email, "password": password});
    let duplicate = app
        .post_json(SIGNUP, None, &body("alice@example.com", "Signup-2026"))
        .await;
    assert_wire!("signup_user_exists", duplicate);
    let weak = app
        .post_json(SIGNUP, None, &body("weak@example.com", "abcdefgh!"))
        .await;
    assert_wire!("signup_password_weak", weak);
    let common = app
        .post_json(SIGNUP, None, &body("common@example.com", "Password123"))
        .await;
    assert_wire!("signup_password_common", common);
    let unknown = app
        .post_json(
            SIGNUP,
            None,
            &json!({"connection": "Nope", "email": "x@example.com", "password": "Signup-2026"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let missing = app
        .post_json(
            SIGNUP,
            None,
            &json!({"connection": CONNECTION, "email": "x@example.com"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let garbage = app
        .request(
            axum::http::Method::POST,
            SIGNUP,
            Some("application/json"),
            None,
            "{nope",
        )
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    let token = app.token(App::Admin).await;
    let users = app
        .get("/api/v2/users?q=email.domain%3Aexample.com", Some(&token))
        .await
        .json();
    assert_eq!(
        users.as_array().map(Vec::len),
        Some(3),
        "no refused signup created a user"
    );
}

#[tokio::test]
async fn the_user_exists_flag_names_the_existing_user() {
    let mut fixture = Fixture::default_auth0();
    fixture.enable_public_signup_user_exists_error = true;
    fixture.connections[0].requires_username = true;
    let app = TestApp::with_fixture(fixture);
    let body = |email: &str, username: &str| json!({"connection": CONNECTION, "email": email, "username": username, "password": "Signup-2026"});
    let first = app.post_json(SIGNUP, None, &body("dora@example.com", "dora")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let email_again = app.post_json(SIGNUP, None, &body("Dora@Example.com", "explorer")).await;
    assert_wire!("signup_user_exists_flag", email_again);
    let username_again = app.post_json(SIGNUP, None, &body("boots@example.com", "dora")).await;
    assert_wire!("signup_username_exists_flag", username_again);
    let token = app.token(App::Admin).await;
    let users = app
        .get("/api/v2/users?q=email%3Aboots%40example.com", Some(&token))
        .await
        .json();
    assert_eq!(users, json!([]), "a refused signup created no user");
}

/// obs (go-auth0 main test/data/recordings/authentication/TestDatabaseSignUp_WithUsernameIdentifier.yaml,
/// _WithPhoneNumberIdentifier.yaml, _WithUsernameAndPhoneNumberIdentifiers.yaml,
/// _WithUsernameEmailAndPhoneNumberIdentifiers.yaml): a username or a phone number alone signs
/// up, and the answer carries exactly the identifiers given, in the recorded order.
#[tokio::test]
async fn a_username_or_a_phone_number_alone_signs_up() {
    let app = TestApp::new();
    let (client_id, _) = app.credentials(App::Web);
    let cases = [
        (json!({"username": "mytestaccount"}), vec!["_id", "username"]),
        (
            json!({"phone_number": "+12345678900"}),
            vec!["_id", "phone_number", "phone_verified"],
        ),
        (
            json!({"phone_number": "+12345678901", "username": "othertestaccount"}),
            vec!["_id", "username", "phone_number", "phone_verified"],
        ),
        (
            json!({"email": "mytestaccount@example.com", "phone_number": "+12345678902", "username": "thirdtestaccount"}),
            vec![
                "_id",
                "email",
                "username",
                "email_verified",
                "phone_number",
                "phone_verified",
            ],
        ),
    ];
    for (identifiers, keys) in cases {
        let mut body = json!({"client_id": client_id, "connection": CONNECTION, "password": "Signup-2026"});
        body.as_object_mut()
            .expect("object")
            .extend(identifiers.as_object().expect("object").clone());
        let reply = app.post_json(SIGNUP, None, &body).await;
        assert_eq!(reply.status, StatusCode::OK, "{identifiers}: {}", reply.body);
        assert_eq!(reply.header("content-type"), Some("application/json; charset=utf-8"));
        let answer = reply.json();
        let answered: Vec<&str> = answer.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(answered, keys, "{identifiers}: {}", reply.body);
        for (key, value) in identifiers.as_object().expect("object") {
            assert_eq!(&answer[key], value, "{}", reply.body);
        }
        if answer.get("phone_verified").is_some() {
            assert_eq!(answer["phone_verified"], false);
        }
    }
}

/// Hostile: `user_metadata` past the documented signup limits (ten properties, names of 100
/// characters, string values of 500) is refused and no user is made.
#[tokio::test]
async fn signup_metadata_past_the_documented_limits_is_refused() {
    let app = TestApp::new();
    let (client_id, _) = app.credentials(App::Web);
    let eleven: serde_json::Map<String, serde_json::Value> = (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    let long_name = "n".repeat(101);
    for (n, metadata) in [
        json!(eleven),
        json!({ long_name: "v" }),
        json!({"bio": "x".repeat(501)}),
        json!({"age": 42}),
    ]
    .into_iter()
    .enumerate()
    {
        let email = format!("meta{n}@example.com");
        let reply = app
            .post_json(
                SIGNUP,
                None,
                &json!({"client_id": client_id, "connection": CONNECTION, "email": email,
                        "password": "Signup-2026", "user_metadata": metadata}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.wire());
        assert_eq!(reply.json()["code"], "invalid_signup");
        if n == 2 {
            assert_wire!("signup_metadata_too_long", reply);
        }
        assert_ne!(
            app.login(&email, "Signup-2026").await.status,
            StatusCode::OK,
            "no user made"
        );
    }
    let ten: serde_json::Map<String, serde_json::Value> =
        (0..10).map(|i| (format!("k{i}"), json!("v".repeat(500)))).collect();
    let reply = app
        .post_json(
            SIGNUP,
            None,
            &json!({"client_id": client_id, "connection": CONNECTION, "email": "edge@example.com",
                    "password": "Signup-2026", "user_metadata": ten}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the limits themselves pass: {}",
        reply.wire()
    );
}
