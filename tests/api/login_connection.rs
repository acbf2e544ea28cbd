//! `/authorize`'s `connection` and `organization` parameters: a named connection must exist and
//! be enabled for the application, an application may refuse or require organizations; every
//! refusal travels back to the proven callback in the response mode.

use axum::http::StatusCode;
use serde_json::{Value, json};

use authmock::auth0::{DEFAULT_AUTH0_FIXTURE, Fixture};

use crate::helpers::TestApp;
use crate::login::{Browser, SPA, SPA_CALLBACK, WEB, page_wire, spa_query, url_param, urlencode};

macro_rules! assert_page {
    ($name:expr, $reply:expr) => {{
        let wire = page_wire(&$reply);
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, wire);
        })
    }};
}

/// The default tenant, changed by `edit`.
fn tenant(edit: impl FnOnce(&mut Value)) -> TestApp {
    let mut value: Value = serde_json::from_str(DEFAULT_AUTH0_FIXTURE).expect("fixture JSON");
    edit(&mut value);
    TestApp::with_fixture(Fixture::from_value(value).expect("fixture valid"))
}

/// A second database connection, enabled only for the regular web app, with one user.
fn partners(value: &mut Value) {
    value["connections"].as_array_mut().expect("connections").push(json!({
        "id": "con_Partners00000001",
        "name": "Partners",
        "enabled_clients": [WEB],
    }));
    value["users"].as_array_mut().expect("users").push(json!({
        "email": "pat@partner.example",
        "password": "Partner-Pass-2026",
        "connection": "Partners",
    }));
}

fn set_client(value: &mut Value, client_id: &str, field: &str, setting: Value) {
    let clients = value["clients"].as_array_mut().expect("clients");
    let client = clients
        .iter_mut()
        .find(|c| c["client_id"] == client_id)
        .expect("client in the fixture");
    client[field] = setting;
}

fn web_query(extra: &str) -> String {
    format!(
        "response_type=code&client_id={WEB}&redirect_uri={}&scope=openid&state=w3b{extra}",
        urlencode("http://127.0.0.1:3000/callback")
    )
}

/// `/authorize` answered with a redirect to the callback: its location.
async fn refused(app: &TestApp, query: &str) -> (String, crate::helpers::Reply) {
    let mut browser = Browser::new(app);
    let reply = browser.get(&format!("/authorize?{query}")).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", page_wire(&reply));
    (reply.header("location").expect("location").to_owned(), reply)
}

#[tokio::test]
async fn a_named_enabled_connection_logs_in_against_that_connection() {
    let app = tenant(partners);
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&web_query("&connection=Partners")).await;
    // alice lives in the default directory, not in Partners: the page refuses her here.
    let reply = browser
        .post(
            &format!("/u/login?state={ul_state}"),
            &[
                ("state", ul_state.as_str()),
                ("username", "alice@example.com"),
                ("password", "Wonderland-2026"),
                ("action", "default"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Wrong email or password"), "{}", reply.body);
    assert!(reply.header("x-authmock-hint").is_some_and(|h| h.contains("Partners")));
    let reply = browser
        .log_in(&ul_state, "pat@partner.example", "Partner-Pass-2026")
        .await;
    let location = reply.header("location").expect("location");
    assert!(
        location.starts_with("http://127.0.0.1:3000/callback?code="),
        "{location}"
    );
    assert_eq!(url_param(location, "state").as_deref(), Some("w3b"));

    // The default directory by name works as well.
    let mut browser = Browser::new(&app);
    let location = browser
        .login(&spa_query("&connection=Username-Password-Authentication"))
        .await;
    assert!(url_param(&location, "code").is_some(), "{location}");
}

#[tokio::test]
async fn an_unknown_connection_goes_back_to_the_callback() {
    let app = TestApp::new();
    let (location, reply) = refused(&app, &spa_query("&connection=No-Such-Connection")).await;
    assert_eq!(
        location,
        format!(
            "{SPA_CALLBACK}?error=invalid_request&error_description=the%20connection%20was%20not%20found&state=st4te"
        )
    );
    assert_page!("authorize_connection_not_found", reply);

    // Implicit requests hear it in the fragment.
    let (location, _) = refused(
        &app,
        &format!(
            "response_type=token&client_id={SPA}&redirect_uri={}&state=s&connection=nope",
            urlencode(SPA_CALLBACK)
        ),
    )
    .await;
    assert!(
        location.starts_with(&format!(
            "{SPA_CALLBACK}#error=invalid_request&error_description=the%20connection"
        )),
        "{location}"
    );
}

#[tokio::test]
async fn a_connection_not_enabled_for_the_application_is_not_found() {
    let app = tenant(partners);
    let (location, reply) = refused(&app, &spa_query("&connection=Partners")).await;
    assert_eq!(url_param(&location, "error").as_deref(), Some("invalid_request"));
    assert_eq!(
        url_param(&location, "error_description").as_deref(),
        Some("the connection was not found")
    );
    let hint = reply.header("x-authmock-hint").expect("hint");
    assert!(hint.contains("not enabled for this application"), "{hint}");
    assert!(hint.contains("[Username-Password-Authentication]"), "{hint}");
    // prompt=none hears the same, not login_required.
    let (location, _) = refused(&app, &spa_query("&connection=Partners&prompt=none")).await;
    assert_eq!(
        url_param(&location, "error_description").as_deref(),
        Some("the connection was not found")
    );
}

#[tokio::test]
async fn an_application_without_enabled_connections_cannot_start_a_login() {
    let app = tenant(|value| {
        value["connections"][0]["enabled_clients"] = json!([WEB]);
    });
    let (location, reply) = refused(&app, &spa_query("")).await;
    assert_eq!(
        location,
        format!(
            "{SPA_CALLBACK}?error=invalid_request&error_description=no%20connections%20enabled%20for%20the%20client\
             &state=st4te"
        )
    );
    assert_page!("authorize_no_connections_enabled", reply);
    // The application it is enabled for still logs in.
    let mut browser = Browser::new(&app);
    browser.start(&web_query("")).await;
}

#[tokio::test]
async fn organizations_are_refused_unless_the_application_takes_them() {
    let app = TestApp::new();
    let (location, reply) = refused(&app, &spa_query("&organization=org_W2t9RJ0aXk5sTq1b")).await;
    assert_eq!(
        location,
        format!(
            "{SPA_CALLBACK}?error=invalid_request&error_description=parameter%20organization%20is%20not%20allowed\
             %20for%20this%20client&state=st4te"
        )
    );
    assert_page!("authorize_organization_not_allowed", reply);
}

#[tokio::test]
async fn an_application_that_requires_organizations() {
    let app = tenant(|value| set_client(value, SPA, "organization_usage", json!("require")));
    let (location, reply) = refused(&app, &spa_query("")).await;
    assert_eq!(
        location,
        format!(
            "{SPA_CALLBACK}?error=invalid_request&error_description=parameter%20organization%20is%20required%20for\
             %20this%20client&state=st4te"
        )
    );
    assert_page!("authorize_organization_required", reply);
    let (location, _) = refused(&app, &spa_query("&organization=acme-corp")).await;
    assert_eq!(
        url_param(&location, "error_description").as_deref(),
        Some("authorization request parameter organization must be an organization id")
    );
    let (location, reply) = refused(&app, &spa_query("&organization=org_W2t9RJ0aXk5sTq1b")).await;
    assert_eq!(url_param(&location, "error").as_deref(), Some("invalid_request"));
    assert!(
        reply
            .header("x-authmock-hint")
            .is_some_and(|h| h.contains("no organization of this tenant"))
    );
}

#[tokio::test]
async fn an_application_that_allows_organizations_logs_in_without_one() {
    let app = tenant(|value| set_client(value, SPA, "organization_usage", json!("allow")));
    let mut browser = Browser::new(&app);
    let location = browser.login(&spa_query("")).await;
    assert!(url_param(&location, "code").is_some(), "{location}");
}

#[tokio::test]
async fn a_bad_organization_usage_in_the_fixture_is_refused() {
    let mut value: Value = serde_json::from_str(DEFAULT_AUTH0_FIXTURE).expect("fixture JSON");
    set_client(&mut value, SPA, "organization_usage", json!("sometimes"));
    assert!(Fixture::from_value(value).is_err());
}

#[tokio::test]
async fn hostile_connection_and_organization_values_are_refused_cleanly() {
    let app = TestApp::new();
    let huge = "c".repeat(16 * 1024);
    for value in [
        "Username-Password-Authentication\r\nSet-Cookie: x=y",
        "username-password-authentication",
        "Username-Password-Authentication ",
        "é<script>alert(1)</script>",
        huge.as_str(),
    ] {
        for name in ["connection", "organization"] {
            let query = spa_query(&format!("&{name}={}", urlencode(value)));
            let (location, reply) = refused(&app, &query).await;
            assert!(
                location.starts_with(&format!("{SPA_CALLBACK}?error=invalid_request&")),
                "{name}={value:.40}: {location:.200}"
            );
            assert_eq!(url_param(&location, "state").as_deref(), Some("st4te"));
            assert!(reply.header("set-cookie").is_none(), "{name}={value:.40}");
            assert!(!location.contains('<') && !location.contains('\n'));
        }
    }
    // Badly encoded or repeated parameters: the first value counts, junk is just unknown.
    let (location, _) = refused(&app, &spa_query("&connection=%ff%fe")).await;
    assert_eq!(url_param(&location, "error").as_deref(), Some("invalid_request"));
    let mut browser = Browser::new(&app);
    browser
        .start(&spa_query(
            "&connection=Username-Password-Authentication&connection=nope",
        ))
        .await;
    // An empty value is no value.
    browser.start(&spa_query("&connection=&organization=")).await;
}

#[tokio::test]
async fn the_tenant_summary_shows_enabled_clients_and_organization_usage() {
    let app = tenant(|value| {
        partners(value);
        set_client(value, SPA, "organization_usage", json!("allow"));
    });
    let summary = app
        .control(axum::http::Method::GET, "/__authmock__/tenant", None)
        .await
        .json();
    let partners = summary["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .find(|c| c["name"] == "Partners")
        .expect("Partners listed");
    assert_eq!(partners["enabled_clients"], json!([WEB]));
    assert!(summary["connections"][0].get("enabled_clients").is_none());
    let spa = summary["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .find(|c| c["client_id"] == SPA)
        .expect("SPA listed");
    assert_eq!(spa["organization_usage"], "allow");
}
