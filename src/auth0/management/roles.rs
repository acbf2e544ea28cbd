//! Roles and permissions (facts `auth0-users.md` §6): `/api/v2/roles` CRUD,
//! `/roles/{id}/permissions`, `/users/{id}/roles`, `/users/{id}/permissions`, and the
//! `permissions` claim of user access tokens for APIs with RBAC and "Add Permissions in the
//! Access Token". The statuses are the provider's odd ones, as observed: role POST 200, role
//! DELETE 200 `{}`, permissions POST 201 `{}`, user roles POST 204.

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth0::wire::mgmt_error::MgmtError;

use crate::auth0::management::extract::{BodySchema, MgmtBody, MgmtQuery, Scoped, scopes};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::model::{Role, RoleKind};
use crate::auth0::tenant::rbac::{self, add_role, role_json};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::respond::{json_response, mgmt_no_content};

scopes!(ReadRoles, "read:roles");
scopes!(CreateRoles, "create:roles");
scopes!(UpdateRoles, "update:roles");
scopes!(DeleteRoles, "delete:roles");
scopes!(ReadUserRoles, "read:users", "read:roles", "read:role_members");
scopes!(AssignRoles, "update:users", "create:role_members");
scopes!(RemoveRoles, "update:users", "delete:role_members");
scopes!(ReadUserPermissions, "read:users");
scopes!(UpdateUserPermissions, "update:users");

/// `{"name","description"}` of role POST/PATCH, and POST's `type`/`owner_id` (the schemas say
/// which body may carry which).
#[derive(Debug, Deserialize)]
pub(super) struct RoleRequest {
    name: Option<String>,
    description: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    owner_id: Option<String>,
}

impl RoleRequest {
    /// Whom the new role belongs to: the tenant unless the body says `organization`.
    fn kind(&self) -> RoleKind {
        match self.kind.as_deref() {
            Some("organization") => RoleKind::Organization {
                owner_id: self.owner_id.clone(),
            },
            _ => RoleKind::Tenant,
        }
    }
}

/// `{"permissions":[{"resource_server_identifier","permission_name"}]}`.
#[derive(Debug, Deserialize)]
pub(super) struct PermissionsRequest {
    permissions: Vec<PermissionRef>,
}

#[derive(Debug, Deserialize)]
struct PermissionRef {
    resource_server_identifier: String,
    permission_name: String,
}

impl PermissionsRequest {
    /// The permissions as (API identifier, permission name).
    fn pairs(&self) -> Vec<(String, String)> {
        self.permissions
            .iter()
            .map(|p| (p.resource_server_identifier.clone(), p.permission_name.clone()))
            .collect()
    }
}

/// `{"roles":["rol_…"]}`.
#[derive(Debug, Deserialize)]
pub(super) struct RolesRequest {
    roles: Vec<String>,
}

/// `page`, `per_page`, `include_totals`, `name_filter` of the list endpoints.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    page: Option<u64>,
    per_page: Option<u64>,
    include_totals: Option<bool>,
    name_filter: Option<String>,
}

static ROLE_CREATE: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("schemas/role_create.json")));
static ROLE_UPDATE: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("schemas/role_update.json")));
static PERMISSIONS: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("schemas/permissions.json")));
static ROLES: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("schemas/user_roles.json")));
static LIST: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("schemas/list_query.json")));

/// Role POST and PATCH share a struct; POST's schema requires `name`.
pub(super) struct NewRole(RoleRequest);
impl<'de> Deserialize<'de> for NewRole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RoleRequest::deserialize(d).map(NewRole)
    }
}
impl BodySchema for NewRole {
    fn schema() -> &'static Schema {
        &ROLE_CREATE
    }
}
impl BodySchema for RoleRequest {
    fn schema() -> &'static Schema {
        &ROLE_UPDATE
    }
}
impl BodySchema for PermissionsRequest {
    fn schema() -> &'static Schema {
        &PERMISSIONS
    }
}
impl BodySchema for RolesRequest {
    fn schema() -> &'static Schema {
        &ROLES
    }
}
impl BodySchema for ListQuery {
    fn schema() -> &'static Schema {
        &LIST
    }
}

const JSON: &str = "application/json; charset=utf-8";

fn ok(status: StatusCode, body: &Value) -> Response {
    json_response(status, body, JSON)
}

fn path_id(path: Result<Path<String>, PathRejection>) -> String {
    path.map(|Path(id)| id).unwrap_or_default()
}

fn role_index(state: &TenantState, id: &str) -> Result<usize, MgmtError> {
    state
        .rbac()
        .roles
        .iter()
        .position(|r| r.id == id)
        .ok_or(MgmtError::RoleNotFound { id: id.to_owned() })
}

fn require_user(state: &TenantState, id: &str) -> Result<(), MgmtError> {
    state.user(id).map(|_| ()).ok_or(MgmtError::UserNotFound {
        user_id: Some(id.to_owned()),
        email: None,
    })
}

/// A page of `items` in the list shape `{"<key>":[…],"start","limit","total"}` when totals are
/// asked for, else the bare array.
fn page(key: &str, items: Vec<Value>, query: &ListQuery) -> Value {
    let per_page = query.per_page.unwrap_or(50).min(100);
    let start = query.page.unwrap_or(0).saturating_mul(per_page);
    let total = items.len();
    let slice: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(per_page as usize)
        .collect();
    if query.include_totals == Some(true) {
        json!({ key: slice, "start": start, "limit": per_page, "total": total })
    } else {
        Value::Array(slice)
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateRoles>,
    MgmtBody(NewRole(request)): MgmtBody<NewRole>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let kind = request.kind();
    let body = add_role(&mut state, request.name.unwrap_or_default(), request.description, kind)?;
    // obs: 200, not 201.
    Ok(ok(StatusCode::OK, &body))
}

#[tracing::instrument(skip_all)]
pub(super) async fn list(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadRoles>,
    MgmtQuery(query): MgmtQuery<ListQuery>,
) -> Response {
    let state = tenant.state();
    let filter = query.name_filter.as_deref().map(str::to_lowercase);
    let items = state
        .rbac()
        .roles
        .iter()
        .filter(|r| filter.as_deref().is_none_or(|f| r.name.to_lowercase().contains(f)))
        .map(|r| role_json(r, state.era()))
        .collect();
    ok(StatusCode::OK, &page("roles", items, &query))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadRoles>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let index = role_index(&state, &path_id(path))?;
    Ok(ok(StatusCode::OK, &role_json(&state.rbac().roles[index], state.era())))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateRoles>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<RoleRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let index = role_index(&state, &path_id(path))?;
    let era = state.era();
    let role = rbac::update_role(&mut state, index, request.name, request.description)?;
    Ok(ok(StatusCode::OK, &role_json(role, era)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteRoles>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let id = path_id(path);
    let index = role_index(&state, &id)?;
    rbac::delete_role(&mut state, index);
    // obs: 200 `{}`.
    Ok(ok(StatusCode::OK, &json!({})))
}

#[tracing::instrument(skip_all)]
pub(super) async fn add_role_permissions(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateRoles>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<PermissionsRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let index = role_index(&state, &path_id(path))?;
    let permissions = request.pairs();
    rbac::require_apis(&tenant, &state, &permissions)?;
    state.rbac_mut().grant_role(index, permissions);
    Ok(ok(StatusCode::CREATED, &json!({})))
}

#[tracing::instrument(skip_all)]
pub(super) async fn remove_role_permissions(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateRoles>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<PermissionsRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let index = role_index(&state, &path_id(path))?;
    state.rbac_mut().revoke_role(index, &request.pairs());
    Ok(mgmt_no_content())
}

/// A permission as the lists print it (`description` inf: fixture APIs carry no permission
/// descriptions, so it is empty).
fn permission_json(state: &TenantState, api: &str, name: &str) -> Value {
    let api_name = state
        .apis()
        .iter()
        .find(|a| a.identifier == api)
        .map_or(api, |a| a.name.as_str());
    json!({
        "permission_name": name,
        "description": "",
        "resource_server_name": api_name,
        "resource_server_identifier": api,
    })
}

#[tracing::instrument(skip_all)]
pub(super) async fn role_permissions(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadRoles>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(query): MgmtQuery<ListQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let index = role_index(&state, &path_id(path))?;
    let items = state.rbac().roles[index]
        .permissions
        .iter()
        .map(|(api, name)| permission_json(&state, api, name))
        .collect();
    Ok(ok(StatusCode::OK, &page("permissions", items, &query)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn user_roles(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadUserRoles>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(query): MgmtQuery<ListQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    let mut roles: Vec<&Role> = state.rbac().roles_of(&user_id).collect();
    // obs: sorted by name.
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    let items = roles.into_iter().map(|r| role_json(r, state.era())).collect();
    Ok(ok(StatusCode::OK, &page("roles", items, &query)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn assign_roles(
    State(tenant): State<Tenant>,
    _caller: Scoped<AssignRoles>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<RolesRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    for role in &request.roles {
        role_index(&state, role)?;
    }
    state.rbac_mut().assign(&user_id, request.roles);
    Ok(mgmt_no_content())
}

#[tracing::instrument(skip_all)]
pub(super) async fn remove_roles(
    State(tenant): State<Tenant>,
    _caller: Scoped<RemoveRoles>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<RolesRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    state.rbac_mut().unassign(&user_id, &request.roles);
    Ok(mgmt_no_content())
}

#[tracing::instrument(skip_all)]
pub(super) async fn add_user_permissions(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateUserPermissions>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<PermissionsRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    let permissions = request.pairs();
    rbac::require_apis(&tenant, &state, &permissions)?;
    state.rbac_mut().grant_user(&user_id, permissions);
    Ok(ok(StatusCode::CREATED, &json!({})))
}

#[tracing::instrument(skip_all)]
pub(super) async fn remove_user_permissions(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateUserPermissions>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<PermissionsRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    state.rbac_mut().revoke_user(&user_id, &request.pairs());
    Ok(mgmt_no_content())
}

#[tracing::instrument(skip_all)]
pub(super) async fn user_permissions(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadUserPermissions>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(query): MgmtQuery<ListQuery>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    let items = user_permission_items(&state, &user_id);
    Ok(ok(StatusCode::OK, &page("permissions", items, &query)))
}

/// A user's permissions as `GET /users/{id}/permissions` lists them: direct and through roles,
/// each with its sources, sorted by name.
fn user_permission_items(state: &TenantState, user_id: &str) -> Vec<Value> {
    let mut entries: Vec<(String, String, Value)> = Vec::new();
    let mut add =
        |api: &str, name: &str, source: Value| match entries.iter_mut().find(|(a, n, _)| a == api && n == name) {
            Some((_, _, sources)) => sources.as_array_mut().expect("sources is an array").push(source),
            None => entries.push((api.to_owned(), name.to_owned(), json!([source]))),
        };
    for (_, api, name) in state.rbac().user_permissions.iter().filter(|(u, ..)| u == user_id) {
        add(
            api,
            name,
            json!({"source_id": "", "source_name": "", "source_type": "DIRECT"}),
        );
    }
    for role in state.rbac().roles_of(user_id) {
        for (api, name) in &role.permissions {
            // inf: role-derived entries name their role.
            add(
                api,
                name,
                json!({"source_id": role.id, "source_name": role.name, "source_type": "ROLE"}),
            );
        }
    }
    // obs: sorted by name.
    entries.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    entries
        .into_iter()
        .map(|(api, name, sources)| {
            let mut item = permission_json(state, &api, &name);
            item["sources"] = sources;
            item
        })
        .collect()
}
