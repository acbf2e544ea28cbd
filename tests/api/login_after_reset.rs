//! The reset journey ends at a working login: a password changed on the hosted reset page is the
//! one the Universal Login page accepts, and the page's "back to the application" redirect (the
//! application's login route) leads, through `/authorize`, to a login that yields a code.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ALICE, App, FORM, TICKETS, TestApp};
use crate::login::{Browser, page_wire, url_param, urlencode};

const NEW_PASSWORD: &str = "Through-the-Glass-7";

/// `name="<field>" value="…"` of a page.
fn field_value(page: &str, field: &str) -> String {
    let marker = format!("name=\"{field}\" value=\"");
    let start = page.find(&marker).expect("field in page") + marker.len();
    page[start..].split('"').next().expect("closing quote").to_owned()
}

#[tokio::test]
async fn a_reset_password_logs_in_on_the_universal_login_page() {
    let app = TestApp::new();
    let (web_app, _) = app.credentials(App::Web);
    let token = app.token(App::Backend).await;
    let reply = app
        .post_json(TICKETS, Some(&token), &json!({"user_id": ALICE, "client_id": web_app}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let link = reply.json()["ticket"].as_str().expect("ticket").to_owned();
    let path = link
        .strip_prefix("http://127.0.0.1:4010")
        .expect("a tenant link")
        .trim_end_matches('#')
        .to_owned();
    let form = app.get(&path, None).await;
    let csrf = field_value(&form.body, "_csrf");
    let body = serde_urlencoded::to_string([
        ("_csrf", csrf.as_str()),
        ("password", NEW_PASSWORD),
        ("confirm_password", NEW_PASSWORD),
    ])
    .expect("form encodes");
    let done = app.request(Method::POST, &path, Some(FORM), None, body).await;
    // Back to the application's login route, which starts a login at /authorize.
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    assert_eq!(done.header("location"), Some("http://127.0.0.1:3000/login"));

    let query = format!(
        "response_type=code&client_id={web_app}&redirect_uri={}&scope=openid%20email&state=back",
        urlencode("http://127.0.0.1:3000/callback")
    );
    let mut browser = Browser::new(&app);
    let ul_state = browser.start(&query).await;
    let old = browser
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
    assert_eq!(old.status, StatusCode::BAD_REQUEST, "the old password is gone");
    let reply = browser.log_in(&ul_state, "alice@example.com", NEW_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", page_wire(&reply));
    let location = reply.header("location").expect("location");
    assert!(
        location.starts_with("http://127.0.0.1:3000/callback?code="),
        "{location}"
    );
    assert_eq!(url_param(location, "state").as_deref(), Some("back"));
}
