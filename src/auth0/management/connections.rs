//! Connections (`/api/v2/connections`): list (`strategy`, `name`), get, create (201), update,
//! delete (202 with `deleted_at`), the enabled applications (`/connections/{id}/clients`) and
//! the deletion of a user by email (`DELETE /connections/{id}/users?email=`).
//! The records are the tenant's own, so a change takes effect at once for signup, login,
//! password change and `/authorize?connection=`. Facts: `docs/management-api.md` §4.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::auth0::management::config::{Doc, SchemaFile, Totals, ok, page, path_id, schema_files, select, text};
use crate::auth0::management::extract::{BodySchema, MgmtBody, MgmtQuery, ScopeSet, Scoped};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::connections::{self, Configuration, Refusal, connection_json, enabled_client_ids};
use crate::auth0::tenant::custom_db;
use crate::auth0::tenant::lifecycle;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::mgmt_no_content;

macro_rules! scopes {
    ($name:ident, $($scope:literal),+) => {
        #[doc = concat!("Scopes: ", $($scope, " "),+, "(doc: OAS).")]
        pub(super) struct $name;
        impl ScopeSet for $name {
            const ANY_OF: &'static [&'static str] = &[$($scope),+];
        }
    };
}

scopes!(ReadConnections, "read:connections");
scopes!(CreateConnections, "create:connections");
scopes!(UpdateConnections, "update:connections");
// `PATCH /connections/{id}`: `update:connections_options` alone changes `options` only (doc: OAS,
// the endpoint's scopes and its `options` field: "To update these options, the
// `update:connections_options` scope must be present").
scopes!(UpdateConnection, "update:connections", "update:connections_options");
scopes!(DeleteConnections, "delete:connections");
scopes!(DeleteUsers, "delete:users");

schema_files! {
    CreateSchema => "connection_create.json",
    UpdateSchema => "connection_update.json",
    ListSchema => "connection_list_query.json",
    FieldsSchema => "fields_query.json",
    ClientsSchema => "connection_clients_update.json",
    UserByEmailSchema => "connection_users_delete_query.json",
}

/// One entry of `PATCH /connections/{id}/clients`.
#[derive(Deserialize)]
pub(super) struct ClientChange {
    client_id: String,
    status: bool,
}

/// The body of `PATCH /connections/{id}/clients`: an array, validated against its schema.
#[derive(Deserialize)]
pub(super) struct ClientChanges(Vec<ClientChange>);

impl BodySchema for ClientChanges {
    fn schema() -> &'static Schema {
        ClientsSchema::schema()
    }
}

fn refused(refusal: Refusal, name: &str) -> MgmtError {
    match refusal {
        Refusal::NameTaken => MgmtError::ConnectionExists { name: name.to_owned() },
        Refusal::AttributesWith(key) => MgmtError::ConnectionAttributesWith { key },
        Refusal::CustomizationLocked => MgmtError::CustomizationLocked,
    }
}

/// Refuses options that would run a `login` script on a server that cannot run scripts, and a
/// Janrain delegation that could not sign anyone in (a PATCH replaces `options` whole, so the
/// body's options are the connection's).
fn check_scripts(tenant: &Tenant, body: &serde_json::Map<String, Value>) -> Result<(), MgmtError> {
    let runs = body
        .get("options")
        .and_then(Value::as_object)
        .is_some_and(custom_db::runs_scripts);
    if runs {
        custom_db::scripts_available(tenant).map_err(|missing| MgmtError::ScriptsUnavailable { missing })?;
    }
    if let Some(why) = body
        .get("options")
        .and_then(Value::as_object)
        .and_then(custom_db::delegate_problem)
    {
        return Err(MgmtError::DelegateInvalid { why });
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
pub(super) async fn list(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadConnections>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<ListSchema>>,
) -> Response {
    let state = tenant.state();
    let strategies: Option<Vec<&str>> = text(&query, "strategy").map(|s| s.split(',').map(str::trim).collect());
    let name = text(&query, "name");
    let items: Vec<Value> = state
        .connections()
        .iter()
        .filter(|c| strategies.as_ref().is_none_or(|s| s.contains(&c.strategy.as_str())))
        .filter(|c| name.is_none_or(|n| c.name == n))
        .map(|c| {
            Value::Object(select(
                connection_json(c, state.clients(), Configuration::Sealed),
                &query,
            ))
        })
        .collect();
    // obs (terraform-provider-auth0 TestAccDataSourceConnection, 2026-01): a list asked with `take`
    // (checkpoint paging) answers `{"connections":[…]}` without totals, whatever `include_totals`.
    if let Some(take) = query.get("take").and_then(Value::as_u64) {
        let taken: Vec<Value> = items
            .into_iter()
            .take(usize::try_from(take).unwrap_or(usize::MAX))
            .collect();
        return ok(StatusCode::OK, &json!({ "connections": taken }));
    }
    ok(StatusCode::OK, &page("connections", items, &query, Totals::Classic))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadConnections>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<FieldsSchema>>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let state = tenant.state();
    let connection = state
        .connection_by_id(&id)
        .ok_or(MgmtError::ConnectionNotFound { id })?;
    Ok(ok(
        StatusCode::OK,
        &select(
            connection_json(connection, state.clients(), Configuration::Sealed),
            &query,
        ),
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateConnections>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<CreateSchema>>,
) -> Result<Response, MgmtError> {
    let name = text(&body, "name").unwrap_or_default().to_owned();
    check_scripts(&tenant, &body)?;
    let mut state = tenant.state();
    let connection =
        connections::create_connection(&mut state, body, tenant.base_url(), lifecycle::make_room_for_connection)
            .map_err(|r| refused(r, &name))?;
    let connection = connection.clone();
    let body = connection_json(&connection, state.clients(), Configuration::AsSent);
    // obs (go-auth0 TestConnectionManager_Create): 201 with the whole connection.
    Ok(ok(StatusCode::CREATED, &body))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    Scoped(caller, _): Scoped<UpdateConnection>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<UpdateSchema>>,
) -> Result<Response, MgmtError> {
    // inf: a caller holding only `update:connections_options` that sends more than `options` is
    // refused as the scope check refuses, naming the scope the other fields need.
    if !caller.has_scope("update:connections") && body.keys().any(|key| key != "options") {
        return Err(MgmtError::InsufficientScope {
            expected: UpdateConnections::ANY_OF,
            granted: caller.scopes,
            client_id: caller.client_id,
        });
    }
    let id = path_id(path);
    check_scripts(&tenant, &body)?;
    let mut state = tenant.state();
    let index = state
        .connection_index(&id)
        .ok_or(MgmtError::ConnectionNotFound { id })?;
    let name = state.connections()[index].name.clone();
    let connection = connections::update_connection(&mut state, index, body).map_err(|r| refused(r, &name))?;
    let connection = connection.clone();
    let body = connection_json(&connection, state.clients(), Configuration::AsSent);
    Ok(ok(StatusCode::OK, &body))
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteConnections>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = path_id(path);
    let now = tenant.clock().now();
    let mut state = tenant.state();
    if !lifecycle::delete_connection(&mut state, &id) {
        // obs (go-auth0 TestConnectionManager_Delete): a second delete answers 204, empty.
        return mgmt_no_content();
    }
    // obs (same): 202 `{"deleted_at":"2024-10-14T11:52:57.635Z"}`, milliseconds and `Z`.
    let millis = now
        .replace_nanosecond(now.millisecond() as u32 * 1_000_000)
        .unwrap_or(now);
    let stamp = millis.format(&Rfc3339).unwrap_or_default();
    ok(StatusCode::ACCEPTED, &json!({ "deleted_at": stamp }))
}

#[tracing::instrument(skip_all)]
pub(super) async fn enabled_clients(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadConnections>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let state = tenant.state();
    let connection = state
        .connection_by_id(&id)
        .ok_or(MgmtError::ConnectionNotFound { id })?;
    let clients: Vec<Value> = enabled_client_ids(connection, state.clients())
        .into_iter()
        .map(|client_id| json!({ "client_id": client_id }))
        .collect();
    // obs (go-auth0 TestConnectionManager_EnabledClients, terraform-provider-auth0
    // TestAccConnectionClients): `{"clients":[{"client_id":…}]}`.
    Ok(ok(StatusCode::OK, &json!({ "clients": clients })))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update_enabled_clients(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateConnections>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(ClientChanges(changes)): MgmtBody<ClientChanges>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let mut state = tenant.state();
    let index = state
        .connection_index(&id)
        .ok_or(MgmtError::ConnectionNotFound { id })?;
    let changes: Vec<(String, bool)> = changes.into_iter().map(|c| (c.client_id, c.status)).collect();
    connections::set_enabled_clients(&mut state, index, &changes);
    // obs (same): 204, empty.
    Ok(mgmt_no_content())
}

/// `DELETE /connections/{id}/users?email=`: deletes the connection's user with that email, as
/// `DELETE /users/{id}` does (doc: "Deletes a specified connection user by its email …
/// Currently, only Database Connections are supported"; 204 "The user no longer exists.").
/// inf: an email no user of the connection has, or a connection of another strategy, answers
/// the same 204, since afterwards no such user exists either; no refusal text was found.
#[tracing::instrument(skip_all)]
pub(super) async fn delete_user_by_email(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteUsers>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<UserByEmailSchema>>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let email = text(&query, "email").unwrap_or_default().to_owned();
    let mut state = tenant.state();
    let connection = state
        .connection_by_id(&id)
        .ok_or(MgmtError::ConnectionNotFound { id })?;
    let user_id = state
        .user_by_email_in(&email, &connection.name)
        .map(|user| user.user_id.clone());
    if let Some(user_id) = user_id {
        lifecycle::delete_user(&mut state, &user_id);
    }
    Ok(mgmt_no_content())
}
