//! `/api/v2/actions/actions`: authmock runs no actions, so the list is the provider's answer for a
//! tenant without any, which configuration tools read before they write other resources
//! (auth0-deploy-cli before every database connection; facts: `docs/management-api.md` §6).

use axum::http::{Method, StatusCode};

use crate::assert_wire;
use crate::helpers::{App, JSON, TestApp};

/// The list in the recorded envelope (go-auth0 TestActionManager_List), the documented default
/// page size, the paging bounds of the schema, the scope, and no action to create.
#[tokio::test]
async fn the_actions_list_is_the_empty_page_of_a_tenant_without_actions() {
    let app = TestApp::new();
    let token = app.token(App::Explorer).await;
    let paged = app
        .get("/api/v2/actions/actions?page=0&per_page=100", Some(&token))
        .await;
    assert_wire!("actions_list", paged);
    let default = app.get("/api/v2/actions/actions", Some(&token)).await;
    assert_eq!(default.body, r#"{"actions":[],"total":0,"per_page":20}"#);
    let too_many = app.get("/api/v2/actions/actions?per_page=101", Some(&token)).await;
    assert_wire!("actions_list_per_page_too_large", too_many);

    let read_only = app.token(App::ReadOnly).await;
    let refused = app.get("/api/v2/actions/actions", Some(&read_only)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("read:actions"), "{}", refused.body);

    let create = app
        .request(
            Method::POST,
            "/api/v2/actions/actions",
            Some(JSON),
            Some(&format!("Bearer {token}")),
            r#"{"name":"a","supported_triggers":[{"id":"post-login","version":"v3"}],"code":""}"#.to_owned(),
        )
        .await;
    assert_eq!(create.status, StatusCode::NOT_FOUND, "no action can be made");
    assert_eq!(
        create.body,
        r#"{"statusCode":404,"error":"Not Found","message":"Not Found"}"#
    );
}
