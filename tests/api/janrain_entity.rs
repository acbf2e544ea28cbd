//! The Entity API, router-level: find / count / create / update / replace / delete / read with
//! each server-side credential style (facts `janrain-entity.md` §1), every error row, and
//! hostile input. Manual clock, so uuids, timestamps and request ids repeat run after run.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::assert_wire;
use crate::helpers::janrain::{
    Auth, CAROL, CAROL_PASSWORD, Capture, DAVE_UUID, OWNER_ID, OWNER_SECRET, WEB_ID, WEB_SECRET,
    assert_capture_error_body, now_date, signature,
};
use crate::helpers::{FORM, Reply, START};

fn assert_error(reply: &Reply, code: u64, error: &str) {
    assert_capture_error_body(reply, code, error);
    assert!(reply.header("x-authmock-hint").is_some(), "an error carries a hint");
}

#[tokio::test]
async fn find_by_email_returns_the_documented_envelope() {
    let capture = Capture::new();
    let found = capture
        .owner(
            "/entity.find",
            &[
                ("type_name", "user"),
                ("filter", "email = 'carol@example.com'"),
                ("attributes", r#"["displayName", "email"]"#),
            ],
        )
        .await;
    assert_eq!(
        found.json(),
        json!({"result_count": 1, "stat": "ok", "results": [{"displayName": "Carol Jones", "email": CAROL}]})
    );
    assert_wire!("janrain_entity_find", found);
}

#[tokio::test]
async fn find_pages_by_id_as_migration_connectors_do() {
    let capture = Capture::new();
    let page = capture
        .owner(
            "/entity.find",
            &[
                ("type_name", "user"),
                ("filter", "id > 1"),
                ("sort_on", r#"["id"]"#),
                ("max_results", "50000"),
                ("attributes", r#"["id"]"#),
            ],
        )
        .await;
    assert_eq!(page.json()["results"], json!([{"id": 2}, {"id": 3}]));
    let newest = capture
        .owner(
            "/entity.find",
            &[("type_name", "user"), ("sort_on", r#"["-id"]"#), ("max_results", "1")],
        )
        .await;
    assert_eq!(newest.json()["results"][0]["id"], 3);
    assert_eq!(newest.json()["result_count"], 1);
    assert_wire!("janrain_entity_find_full_record", newest);
}

#[tokio::test]
async fn count_answers_total_count() {
    let capture = Capture::new();
    let all = capture.owner("/entity.count", &[("type_name", "user")]).await;
    assert_eq!(all.body, r#"{"total_count":3,"stat":"ok"}"#);
    assert_wire!("janrain_entity_count", all);
    let some = capture
        .owner(
            "/entity.count",
            &[("type_name", "user"), ("filter", "givenName != 'Carol'")],
        )
        .await;
    assert_eq!(some.json()["total_count"], 2);
}

#[tokio::test]
async fn create_update_replace_delete_round_trip() {
    let capture = Capture::new();
    let created = capture
        .owner(
            "/entity.create",
            &[
                ("type_name", "user"),
                (
                    "attributes",
                    r#"{"email":"frank@example.com","givenName":"Frank","primaryAddress":{"city":"Oslo"}}"#,
                ),
            ],
        )
        .await;
    let body = created.json();
    assert_eq!(body["id"], 4);
    assert_eq!(body["stat"], "ok");
    assert_wire!("janrain_entity_create", created);
    let uuid = body["uuid"].as_str().expect("uuid").to_owned();

    let updated = capture
        .owner(
            "/entity.update",
            &[
                ("type_name", "user"),
                ("uuid", &uuid),
                (
                    "attributes",
                    r#"{"familyName":"Olsen","primaryAddress":{"country":"NO"}}"#,
                ),
            ],
        )
        .await;
    assert_eq!(updated.body, r#"{"stat":"ok"}"#);
    assert_wire!("janrain_entity_update", updated);
    let read = capture
        .owner("/entity", &[("type_name", "user"), ("uuid", &uuid)])
        .await;
    let record = read.json()["result"].clone();
    assert_eq!(record["givenName"], "Frank", "update keeps what it is not given");
    assert_eq!(
        record["primaryAddress"],
        json!({"company": null, "city": "Oslo", "country": "NO"})
    );
    assert_wire!("janrain_entity_read_created", read);

    let sub_path = capture
        .owner(
            "/entity.update",
            &[
                ("type_name", "user"),
                ("id", "4"),
                ("attribute_name", "/primaryAddress/city"),
                ("value", "\"Bergen\""),
            ],
        )
        .await;
    assert_eq!(sub_path.json()["stat"], "ok", "{}", sub_path.body);
    let city = capture
        .owner(
            "/entity",
            &[
                ("type_name", "user"),
                ("id", "4"),
                ("attribute_name", "/primaryAddress/city"),
            ],
        )
        .await;
    assert_eq!(city.body, r#"{"result":"Bergen","stat":"ok"}"#);

    let replaced = capture
        .owner(
            "/entity.replace",
            &[
                ("type_name", "user"),
                ("uuid", &uuid),
                ("attributes", r#"{"email":"frank@example.com"}"#),
            ],
        )
        .await;
    assert_eq!(replaced.body, r#"{"stat":"ok"}"#);
    let after = capture
        .owner("/entity", &[("type_name", "user"), ("uuid", &uuid)])
        .await
        .json();
    assert_eq!(
        after["result"]["givenName"],
        Value::Null,
        "replace nulls what it is not given"
    );
    assert_eq!(after["result"]["primaryAddress"]["city"], Value::Null);

    let deleted = capture
        .owner("/entity.delete", &[("type_name", "user"), ("uuid", &uuid)])
        .await;
    assert_eq!(deleted.body, r#"{"stat":"ok"}"#);
    let gone = capture
        .owner("/entity", &[("type_name", "user"), ("uuid", &uuid)])
        .await;
    assert_error(&gone, 310, "record_not_found");
    assert_eq!(gone.json()["error_description"], "record not found");
    assert_wire!("janrain_entity_record_not_found", gone);
}

#[tokio::test]
async fn a_record_is_addressed_by_a_json_key_value() {
    let capture = Capture::new();
    let read = capture
        .owner(
            "/entity",
            &[
                ("type_name", "user"),
                ("key_attribute", "email"),
                ("key_value", "\"dave@example.com\""),
                ("attributes", r#"["uuid", "primaryAddress.city"]"#),
            ],
        )
        .await;
    assert_eq!(
        read.json(),
        json!({"result": {"uuid": DAVE_UUID, "primaryAddress": {"city": null}}, "stat": "ok"})
    );
}

#[tokio::test]
async fn the_password_check_answers_the_record_or_350() {
    let capture = Capture::new();
    let by_email = |password: &'static str| {
        vec![
            ("type_name", "user"),
            ("key_attribute", "email"),
            ("key_value", "\"carol@example.com\""),
            ("password_attribute", "password"),
            ("password_value", password),
        ]
    };
    let good = capture.owner("/entity", &by_email(CAROL_PASSWORD)).await;
    assert_eq!(good.json()["result"]["email"], CAROL);
    let bad = capture.owner("/entity", &by_email("not-her-password")).await;
    assert_error(&bad, 350, "invalid_password_value");
    assert_eq!(bad.json()["error_description"], "incorrect password.");
    assert_wire!("janrain_entity_invalid_password", bad);
}

#[tokio::test]
async fn every_credential_style_is_accepted() {
    let capture = Capture::new();
    let date = now_date();
    let pairs = [("type_name", "user")];
    for (label, auth) in [
        ("params", Auth::Params(OWNER_ID, OWNER_SECRET)),
        ("basic", Auth::Basic(OWNER_ID, OWNER_SECRET)),
        (
            "signature",
            Auth::Signed {
                id: OWNER_ID,
                secret: OWNER_SECRET,
                date: &date,
            },
        ),
    ] {
        let reply = capture.call("/entity.count", auth, &pairs).await;
        assert_eq!(reply.json()["total_count"], 3, "{label}: {}", reply.body);
    }
    // Zero parameters: the library's `path\ndate\n` and the doc snippet's `path\ndate\n\n`.
    for text in [format!("/entity.count\n{date}\n"), format!("/entity.count\n{date}\n\n")] {
        let reply = capture
            .send(
                Request::builder()
                    .method(Method::POST)
                    .uri("/entity.count")
                    .header("date", &date)
                    .header(
                        "authorization",
                        format!("Signature {OWNER_ID}:{}", signature(OWNER_SECRET, &text)),
                    )
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        // No type_name: the signature passed and the call itself is refused.
        assert_error(&reply, 100, "missing_argument");
        assert_eq!(reply.json()["argument_name"], "type_name");
    }
}

#[tokio::test]
async fn a_signature_over_json_values_signs_them_as_received() {
    let capture = Capture::new();
    let date = now_date();
    let reply = capture
        .call(
            "/entity.find",
            Auth::Signed {
                id: OWNER_ID,
                secret: OWNER_SECRET,
                date: &date,
            },
            &[
                ("type_name", "user"),
                ("attributes", r#"["displayName", "email"]"#),
                ("filter", "familyName = 'Smith'"),
                ("a1", "sorts before a="),
            ],
        )
        .await;
    assert_eq!(
        reply.json()["results"][0]["displayName"],
        "Dave Smith",
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn bad_credentials_and_signatures_get_402() {
    let capture = Capture::new();
    let date = now_date();
    let old = (START - time::Duration::minutes(6))
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .expect("formats");
    let future = (START + time::Duration::minutes(6))
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .expect("formats");
    let pairs = [("type_name", "user")];
    let cases: Vec<(&str, Auth, &str)> = vec![
        (
            "wrong secret in params",
            Auth::Params(OWNER_ID, "nope"),
            "wrong client_secret",
        ),
        (
            "unknown client in Basic",
            Auth::Basic("nobody", OWNER_SECRET),
            "no API client",
        ),
        (
            "signed with another secret",
            Auth::Signed {
                id: OWNER_ID,
                secret: WEB_SECRET,
                date: &date,
            },
            "does not verify",
        ),
        (
            "a date six minutes old",
            Auth::Signed {
                id: OWNER_ID,
                secret: OWNER_SECRET,
                date: &old,
            },
            "from the app clock",
        ),
        (
            "a date six minutes ahead",
            Auth::Signed {
                id: OWNER_ID,
                secret: OWNER_SECRET,
                date: &future,
            },
            "from the app clock",
        ),
        (
            "a date that is no date",
            Auth::Signed {
                id: OWNER_ID,
                secret: OWNER_SECRET,
                date: "yesterday",
            },
            "is not YYYY-MM-DD",
        ),
    ];
    for (label, auth, hint) in cases {
        let reply = capture.call("/entity.count", auth, &pairs).await;
        assert_error(&reply, 402, "invalid_client_credentials");
        let got = reply.header("x-authmock-hint").unwrap_or_default();
        assert!(got.contains(hint), "{label}: hint {got:?}");
    }
    let reply = capture
        .call("/entity.count", Auth::Params(OWNER_ID, "nope"), &pairs)
        .await;
    assert_wire!("janrain_entity_bad_client_credentials", reply);
}

#[tokio::test]
async fn a_replayed_signature_fails_once_the_clock_moves_past_the_window() {
    let capture = Capture::new();
    let date = now_date();
    let auth = || Auth::Signed {
        id: OWNER_ID,
        secret: OWNER_SECRET,
        date: &date,
    };
    let pairs = [("type_name", "user")];
    assert_eq!(capture.call("/entity.count", auth(), &pairs).await.json()["stat"], "ok");
    capture.app.clock().advance(std::time::Duration::from_secs(301));
    let replayed = capture.call("/entity.count", auth(), &pairs).await;
    assert_error(&replayed, 402, "invalid_client_credentials");
    assert_wire!("janrain_entity_stale_signature", replayed);
}

#[tokio::test]
async fn a_tampered_signed_body_is_refused() {
    let capture = Capture::new();
    let date = now_date();
    let text = format!("/entity.count\n{date}\ntype_name=user\n");
    let reply = capture
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/entity.count")
                .header("content-type", FORM)
                .header("date", &date)
                .header(
                    "authorization",
                    format!("Signature {OWNER_ID}:{}", signature(OWNER_SECRET, &text)),
                )
                .body(Body::from("type_name=user&filter=id%3E0"))
                .expect("request"),
        )
        .await;
    assert_error(&reply, 402, "invalid_client_credentials");
}

#[tokio::test]
async fn login_clients_and_missing_credentials_are_refused() {
    let capture = Capture::new();
    let login = capture
        .call(
            "/entity.create",
            Auth::Params(WEB_ID, WEB_SECRET),
            &[("type_name", "user")],
        )
        .await;
    assert_error(&login, 403, "client_permission_error");
    assert_wire!("janrain_entity_client_permission", login);
    let none = capture
        .call("/entity.count", Auth::None, &[("type_name", "user")])
        .await;
    assert_error(&none, 100, "missing_argument");
    assert_eq!(none.json()["argument_name"], "client_id");
    let scheme = capture
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/entity.count")
                .header("authorization", "Bearer abc")
                .body(Body::from("type_name=user"))
                .expect("request"),
        )
        .await;
    assert_error(&scheme, 402, "invalid_client_credentials");
}

#[tokio::test]
async fn the_signed_in_user_still_reads_entity_by_access_token() {
    let capture = Capture::new();
    let signed_in = capture
        .post_form(
            "/oauth/auth_native_traditional",
            &[
                ("client_id", WEB_ID),
                ("flow", "standard"),
                ("locale", "en-US"),
                ("redirect_uri", "http://127.0.0.1:3000/"),
                ("response_type", "token"),
                ("form", "signInForm"),
                ("signInEmailAddress", CAROL),
                ("currentPassword", CAROL_PASSWORD),
            ],
        )
        .await;
    let token = signed_in.json()["access_token"].as_str().expect("token").to_owned();
    let by_header = capture
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/entity")
                .header("authorization", format!("OAuth {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(by_header.json()["result"]["email"], CAROL);
}

/// One row per documented or chosen error of the record calls.
#[tokio::test]
async fn argument_errors_name_what_is_wrong() {
    let capture = Capture::new();
    // (snapshot, parameters, code, error, path)
    type Row<'a> = (&'a str, Vec<(&'a str, &'a str)>, u64, &'a str, &'a str);
    let rows: Vec<Row> = vec![
        (
            "janrain_entity_missing_type_name",
            vec![],
            100,
            "missing_argument",
            "/entity.count",
        ),
        (
            "janrain_entity_unknown_type",
            vec![("type_name", "widget")],
            222,
            "unknown_entity_type",
            "/entity.count",
        ),
        (
            "janrain_entity_no_selector",
            vec![("type_name", "user")],
            100,
            "missing_argument",
            "/entity",
        ),
        (
            "janrain_entity_duplicate_argument",
            vec![("type_name", "user"), ("id", "1"), ("uuid", DAVE_UUID)],
            201,
            "duplicate_argument",
            "/entity",
        ),
        (
            "janrain_entity_filter_syntax",
            vec![("type_name", "user"), ("filter", "email = ")],
            200,
            "invalid_argument",
            "/entity.find",
        ),
        (
            "janrain_entity_filter_unknown_attribute",
            vec![("type_name", "user"), ("filter", "shoeSize > 40")],
            200,
            "invalid_argument",
            "/entity.count",
        ),
        (
            "janrain_entity_filter_contains",
            vec![("type_name", "user"), ("filter", "email contains 'example'")],
            485,
            "unsupported_filter_operator",
            "/entity.find",
        ),
        (
            "janrain_entity_attributes_not_json",
            vec![("type_name", "user"), ("attributes", "{email: 'x'}")],
            200,
            "invalid_argument",
            "/entity.create",
        ),
        (
            "janrain_entity_wrong_type",
            vec![("type_name", "user"), ("attributes", r#"{"givenName": 7}"#)],
            200,
            "invalid_argument",
            "/entity.create",
        ),
        (
            "janrain_entity_unknown_attribute",
            vec![("type_name", "user"), ("attributes", r#"{"shoeSize": 41}"#)],
            223,
            "unknown_attribute",
            "/entity.create",
        ),
        (
            "janrain_entity_reserved_attribute",
            vec![("type_name", "user"), ("id", "1"), ("attributes", r#"{"uuid": "x"}"#)],
            234,
            "reserved_attribute",
            "/entity.update",
        ),
        (
            "janrain_entity_id_in_new_record",
            vec![("type_name", "user"), ("attributes", r#"{"id": 9}"#)],
            320,
            "id_in_new_record",
            "/entity.create",
        ),
        (
            "janrain_entity_unique_violation",
            vec![
                ("type_name", "user"),
                ("attributes", r#"{"email": "Dave@Example.com"}"#),
            ],
            361,
            "unique_violation",
            "/entity.create",
        ),
        (
            "janrain_entity_timestamp_mismatch",
            vec![
                ("type_name", "user"),
                ("id", "2"),
                ("lastUpdated", "2001-01-01 00:00:00 +0000"),
            ],
            330,
            "timestamp_mismatch",
            "/entity",
        ),
    ];
    for (snapshot, pairs, code, error, path) in rows {
        let reply = capture.owner(path, &pairs).await;
        assert_error(&reply, code, error);
        assert_wire!(snapshot, reply);
    }
    assert_eq!(capture.app.state().records.len(), 3, "no refused write stored anything");
}

#[tokio::test]
async fn documented_error_texts_are_verbatim() {
    let capture = Capture::new();
    let filter = capture
        .owner("/entity.count", &[("type_name", "user"), ("filter", "shoeSize > 40")])
        .await
        .json();
    assert_eq!(
        filter["error_description"],
        "filter was not valid for the following reason: Unknown attribute (null)"
    );
    assert_eq!(filter["argument_name"], "filter");
    let json = capture
        .owner("/entity.create", &[("type_name", "user"), ("attributes", "{")])
        .await
        .json();
    assert_eq!(
        json["error_description"],
        "attributes was not valid for the following reason: the JSON isnot syntactically valid"
    );
    let unique = capture
        .owner(
            "/entity.create",
            &[
                ("type_name", "user"),
                ("attributes", r#"{"email":"carol@example.com"}"#),
            ],
        )
        .await
        .json();
    assert_eq!(unique["error_description"], "Attempted to update a duplicate value");
}

#[tokio::test]
async fn hostile_input_gets_capture_errors_never_a_500() {
    let capture = Capture::new();
    let huge_filter = format!("email = '{}'", "x".repeat(100_000));
    let nested = format!("{}id = 1{}", "(".repeat(2000), ")".repeat(2000));
    let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let long_value = "y".repeat(1_000_000);
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/entity.find", vec![("type_name", "user"), ("filter", &huge_filter)]),
        ("/entity.find", vec![("type_name", "user"), ("filter", &nested)]),
        ("/entity.find", vec![("type_name", "user"), ("filter", "'\u{0}' = id")]),
        ("/entity.find", vec![("type_name", "user"), ("attributes", &deep_json)]),
        ("/entity.find", vec![("type_name", "user"), ("sort_on", r#"[1, 2]"#)]),
        ("/entity.find", vec![("type_name", "user"), ("max_results", "-1")]),
        (
            "/entity.find",
            vec![("type_name", "user"), ("first_result", "99999999999999999999999")],
        ),
        ("/entity", vec![("type_name", "user"), ("id", "not-a-number")]),
        (
            "/entity",
            vec![
                ("type_name", "user"),
                ("key_attribute", "givenName"),
                ("key_value", "\"Carol\""),
            ],
        ),
        ("/entity.create", vec![("type_name", "user"), ("attributes", "[1]")]),
        (
            "/entity.create",
            vec![("type_name", "user"), ("attributes", r#"{"primaryAddress": "Oslo"}"#)],
        ),
        (
            "/entity.create",
            vec![("type_name", "user"), ("attributes", r#"{"birthday": "last week"}"#)],
        ),
        (
            "/entity.update",
            vec![
                ("type_name", "user"),
                ("id", "1"),
                ("attribute_name", "/nope"),
                ("value", "1"),
            ],
        ),
        (
            "/entity.update",
            vec![("type_name", "user"), ("id", "1"), ("attribute_name", "/givenName")],
        ),
        (
            "/entity.delete",
            vec![("type_name", "user"), ("id", "1"), ("attribute_name", "/created")],
        ),
    ];
    for (path, pairs) in cases {
        let reply = capture.owner(path, &pairs).await;
        assert_eq!(reply.status, StatusCode::OK, "{path} {pairs:?}");
        assert_eq!(
            reply.json()["stat"],
            "error",
            "{path}: {}",
            &reply.body[..reply.body.len().min(300)]
        );
    }
    let big = capture
        .owner(
            "/entity.create",
            &[("type_name", "user"), ("attributes", &long_value.repeat(3))],
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(big.json()["stat"], "error");
    assert_eq!(capture.app.state().records.len(), 3, "nothing stored");
    let still = capture.owner("/entity.count", &[("type_name", "user")]).await;
    assert_eq!(still.json()["total_count"], 3);
}
