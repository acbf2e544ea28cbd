//! Client grants (`/api/v2/client-grants`): list (filters `audience`, `client_id`), get, create
//! (201; 409 for a second grant of one application on one API), update, delete (204, also for a
//! grant that is gone). A grant is what `client_credentials` checks, so a change takes effect at
//! the token endpoint at once. Facts: `docs/management-api.md` §3.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use crate::auth0::management::config::{Doc, Totals, flag, ok, page, path_id, schema_files, text};
use crate::auth0::management::extract::{MgmtBody, MgmtQuery, Scoped, scopes};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::apis::{self, grant_json};
use crate::auth0::tenant::model::MANAGEMENT_API;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::mgmt_no_content;

scopes!(ReadGrants, "read:client_grants");
scopes!(CreateGrants, "create:client_grants");
scopes!(UpdateGrants, "update:client_grants");
scopes!(DeleteGrants, "delete:client_grants");

schema_files! {
    CreateSchema => "client_grant_create.json",
    UpdateSchema => "client_grant_update.json",
    ListSchema => "client_grant_list_query.json",
}

#[tracing::instrument(skip_all)]
pub(super) async fn list(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadGrants>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<ListSchema>>,
) -> Response {
    let state = tenant.state();
    let management = tenant.management_audience();
    let audience = text(&query, "audience").map(|a| {
        if tenant.is_management_audience(a) {
            MANAGEMENT_API.to_owned()
        } else {
            a.to_owned()
        }
    });
    let client_id = text(&query, "client_id");
    let subject_type = text(&query, "subject_type");
    let any_organization = flag(&query, "allow_any_organization");
    let items = state
        .grants()
        .iter()
        .filter(|g| audience.as_deref().is_none_or(|a| g.audience == a))
        .filter(|g| client_id.is_none_or(|c| g.client_id == c))
        .filter(|g| subject_type.is_none_or(|s| g.extra.get("subject_type").and_then(Value::as_str) == Some(s)))
        .filter(|g| {
            any_organization.is_none_or(|wanted| {
                g.extra
                    .get("allow_any_organization")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    == wanted
            })
        })
        .map(|g| Value::Object(grant_json(g, &management)))
        .collect();
    ok(StatusCode::OK, &page("client_grants", items, &query, Totals::Classic))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadGrants>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let state = tenant.state();
    let grant = state
        .grants()
        .iter()
        .find(|g| g.id == id)
        .ok_or(MgmtError::GrantNotFound { id })?;
    Ok(ok(StatusCode::OK, &grant_json(grant, &tenant.management_audience())))
}

#[tracing::instrument(skip_all)]
pub(super) async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateGrants>,
    MgmtBody(Doc(mut body, _)): MgmtBody<Doc<CreateSchema>>,
) -> Result<Response, MgmtError> {
    let take = |body: &mut serde_json::Map<String, Value>, key: &str| match body.shift_remove(key) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    let client_id = take(&mut body, "client_id");
    let audience = take(&mut body, "audience");
    let scopes: Vec<String> = body
        .shift_remove("scope")
        .and_then(|s| s.as_array().cloned())
        .map(|s| s.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let mut state = tenant.state();
    if state.client(&client_id).is_none() {
        return Err(MgmtError::ClientNotFound { id: client_id });
    }
    let api = if tenant.is_management_audience(&audience) {
        MANAGEMENT_API.to_owned()
    } else if state.apis().iter().any(|a| a.identifier == audience) {
        audience.clone()
    } else {
        return Err(MgmtError::ResourceServerNotFound { id: audience });
    };
    if state.grant(&client_id, &api).is_some() {
        return Err(MgmtError::GrantExists { client_id, audience });
    }
    let grant = apis::create_grant(&mut state, client_id, api, scopes, body);
    // obs (TestClientGrantManager_Create): 201.
    Ok(ok(
        StatusCode::CREATED,
        &grant_json(grant, &tenant.management_audience()),
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateGrants>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<UpdateSchema>>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let mut state = tenant.state();
    let index = state
        .grants()
        .iter()
        .position(|g| g.id == id)
        .ok_or(MgmtError::GrantNotFound { id })?;
    let grant = apis::update_grant(&mut state, index, body);
    // obs (TestClientGrantManager_Update): 200 with the grant.
    Ok(ok(StatusCode::OK, &grant_json(grant, &tenant.management_audience())))
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteGrants>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = path_id(path);
    tenant.state().delete_grant(&id);
    // obs (TestClientGrantManager_Delete #5): 204, even for a grant already deleted.
    mgmt_no_content()
}
