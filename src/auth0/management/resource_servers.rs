//! APIs (`/api/v2/resource-servers`): list, get (by id or URL-encoded identifier), create (201),
//! update, delete (204). The tenant's Management API is listed first as the system API; it can be
//! read and its token lifetime changed, not renamed or deleted. Facts: `docs/management-api.md` §2.

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::auth0::management::config::{Doc, Totals, ok, page, path_id, schema_files, select, text};
use crate::auth0::management::extract::{MgmtBody, MgmtQuery, Scoped, scopes};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::apis::{self, api_json, management_api_json};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::mgmt_no_content;

scopes!(ReadApis, "read:resource_servers");
scopes!(CreateApis, "create:resource_servers");
scopes!(UpdateApis, "update:resource_servers");
scopes!(DeleteApis, "delete:resource_servers");

schema_files! {
    CreateSchema => "resource_server_create.json",
    UpdateSchema => "resource_server_update.json",
    ListSchema => "resource_server_list_query.json",
    FieldsSchema => "fields_query.json",
}

/// What `PATCH` may change of the system API.
static SYSTEM_UPDATE: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("schemas/resource_server_system_update.json")));

/// The Management API's scopes with their descriptions, as the provider lists them (obs: go-auth0
/// TestResourceServer_ExpressConfiguration, 2025: 232 scopes).
static MANAGEMENT_SCOPES: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../wire/management_scopes.json")).expect("the shipped scope list is JSON")
});

/// Which resource server a path names.
enum Target {
    System,
    Api(usize),
}

fn target(tenant: &Tenant, state: &TenantState, key: &str) -> Result<Target, MgmtError> {
    if key == state.management_api().id || tenant.is_management_audience(key) {
        return Ok(Target::System);
    }
    apis::api_index(state, key)
        .map(Target::Api)
        .ok_or_else(|| MgmtError::ResourceServerNotFound { id: key.to_owned() })
}

fn system_json(tenant: &Tenant, state: &TenantState) -> Map<String, Value> {
    management_api_json(state, &tenant.management_audience(), MANAGEMENT_SCOPES.clone())
}

#[tracing::instrument(skip_all)]
pub(super) async fn list(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadApis>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<ListSchema>>,
) -> Response {
    let state = tenant.state();
    let identifiers: Option<Vec<&str>> = text(&query, "identifiers").map(|i| i.split(',').collect());
    let wanted = |identifier: &str| identifiers.as_ref().is_none_or(|ids| ids.contains(&identifier));
    let mut items = Vec::new();
    let management = tenant.management_audience();
    if wanted(&management) {
        items.push(Value::Object(select(system_json(&tenant, &state), &query)));
    }
    items.extend(
        state
            .apis()
            .iter()
            .filter(|api| wanted(&api.identifier))
            .map(|api| Value::Object(select(api_json(api), &query))),
    );
    ok(
        StatusCode::OK,
        &page("resource_servers", items, &query, Totals::Classic),
    )
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadApis>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<FieldsSchema>>,
) -> Result<Response, MgmtError> {
    let key = path_id(path);
    let state = tenant.state();
    let body = match target(&tenant, &state, &key)? {
        Target::System => system_json(&tenant, &state),
        Target::Api(index) => api_json(&state.apis()[index]),
    };
    Ok(ok(StatusCode::OK, &select(body, &query)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateApis>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<CreateSchema>>,
) -> Result<Response, MgmtError> {
    let identifier = text(&body, "identifier").unwrap_or_default().to_owned();
    let mut state = tenant.state();
    if tenant.is_management_audience(&identifier) || apis::api_index(&state, &identifier).is_some() {
        return Err(MgmtError::ResourceServerExists { identifier });
    }
    let api = apis::create_api(&mut state, body);
    // obs (TestResourceServer_Create): 201.
    Ok(ok(StatusCode::CREATED, &api_json(api)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateApis>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<UpdateSchema>>,
) -> Result<Response, MgmtError> {
    let key = path_id(path);
    let mut state = tenant.state();
    match target(&tenant, &state, &key)? {
        Target::System => {
            // Its schema is the update schema's narrower part, so this only adds findings.
            SYSTEM_UPDATE
                .check(&Value::Object(body.clone()))
                .map_err(|findings| MgmtError::PayloadValidation { findings })?;
            state.management_api_mut().settings.extend(body);
            Ok(ok(StatusCode::OK, &system_json(&tenant, &state)))
        }
        Target::Api(index) => {
            let api = apis::update_api(&mut state, index, body);
            Ok(ok(StatusCode::OK, &api_json(api)))
        }
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteApis>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let key = path_id(path);
    let mut state = tenant.state();
    match target(&tenant, &state, &key)? {
        Target::System => Err(MgmtError::SystemResourceServer),
        Target::Api(index) => {
            let id = state.apis()[index].id.clone();
            apis::delete_api(&mut state, &id);
            // obs (TestResourceServer_Delete): 204.
            Ok(mgmt_no_content())
        }
    }
}
