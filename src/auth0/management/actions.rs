//! Actions (`/api/v2/actions/actions`): the list only. authmock runs no actions, so a tenant has
//! none and the list is the provider's answer for a tenant without actions; creating or reading
//! one is not served (the unknown route's 404). Configuration tools read the list to resolve the
//! action names other resources mention (auth0-deploy-cli reads it before every database
//! connection). Facts: `docs/management-api.md` §6.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::auth0::management::config::{Doc, ok, schema_files};
use crate::auth0::management::extract::{MgmtQuery, Scoped, scopes};

scopes!(ReadActions, "read:actions");

schema_files! {
    ListSchema => "action_list_query.json",
}

/// The page size without `per_page` (doc: "20 by default").
const DEFAULT_PER_PAGE: u64 = 20;

/// `{"actions":[],"total":0,"per_page":…}`: the envelope of every recorded list, with or without
/// paging parameters, and no `page` key (obs: go-auth0 TestActionManager_List,
/// TestApplyActionsListDefaultsWithNilOptions; inf: the same envelope when `page` is sent).
#[tracing::instrument(skip_all)]
pub(super) async fn list(
    _caller: Scoped<ReadActions>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<ListSchema>>,
) -> Response {
    let per_page = query
        .get("per_page")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(DEFAULT_PER_PAGE);
    ok(
        StatusCode::OK,
        &json!({"actions": [], "total": 0, "per_page": per_page}),
    )
}
