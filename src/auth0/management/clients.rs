//! Applications (`/api/v2/clients`): list, get, create (201), update, delete (204) and
//! `rotate-secret`. The records are the tenant's own, so a change takes effect at once for
//! `/authorize`, `/oauth/token` and logout. Facts: `docs/management-api.md` §1.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::auth0::management::config::{Doc, Totals, flag, ok, page, path_id, schema_files, select, text};
use crate::auth0::management::extract::{MgmtBody, MgmtQuery, Principal, Scoped, scopes};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::clients::{self, client_json};
use crate::auth0::tenant::model::Client;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::mgmt_no_content;

scopes!(
    ReadClients,
    "read:clients",
    "read:client_keys",
    "read:client_credentials",
    "read:client_summary"
);
scopes!(
    ReadClient,
    "read:clients",
    "read:client_keys",
    "read:client_credentials"
);
scopes!(CreateClients, "create:clients");
scopes!(
    UpdateClients,
    "update:clients",
    "update:client_keys",
    "update:client_credentials",
    "update:client_token_vault_privileged_access"
);
scopes!(DeleteClients, "delete:clients");
scopes!(RotateSecret, "update:client_keys");

schema_files! {
    CreateSchema => "client_create.json",
    UpdateSchema => "client_update.json",
    ListSchema => "client_list_query.json",
    FieldsSchema => "fields_query.json",
}

/// `client_secret` is printed only to a caller with `read:client_keys` (doc: "Get clients":
/// `client_secret` needs `read:client_keys`), and on create and rotation.
fn sees_secret(caller: &Principal) -> bool {
    caller.has_scope("read:client_keys")
}

fn render(tenant: &Tenant, client: &Client, with_secret: bool) -> Map<String, Value> {
    client_json(client, tenant.key().certificate_pem(), with_secret)
}

/// A selection names the tenant first (obs: go-auth0 TestClient_List and the `is_global`
/// lists of terraform-provider-auth0: `{"tenant":"<name>","client_id":…}` for
/// `fields=client_id`).
fn selected(tenant: &Tenant, object: Map<String, Value>, query: &Map<String, Value>) -> Map<String, Value> {
    if text(query, "fields").is_none_or(|f| f.trim().is_empty()) {
        return object;
    }
    let mut out = Map::new();
    if flag(query, "include_fields") != Some(false) {
        out.insert("tenant".into(), json!(tenant.name()));
    }
    out.extend(select(object, query));
    out
}

/// The tenant's global client, "All Applications" (obs: terraform-provider-auth0 reads it with
/// `is_global=true` before every application change; its id here is the tenant's first seeded
/// application's reversed, inf: it only has to be stable).
fn global_client(tenant: &Tenant, clients: &[Client]) -> Map<String, Value> {
    let id: String = clients
        .first()
        .map(|c| c.client_id.chars().rev().collect())
        .unwrap_or_default();
    // obs (TestAccClientConfig's PATCH answer of the global client): its keys.
    let mut out = Map::new();
    out.insert("name".into(), json!("All Applications"));
    out.insert("client_id".into(), json!(id));
    out.insert("is_first_party".into(), json!(true));
    out.insert("is_token_endpoint_ip_header_trusted".into(), json!(false));
    out.insert("oidc_conformant".into(), json!(false));
    out.insert("callbacks".into(), json!([]));
    out.insert("jwt_configuration".into(), json!({}));
    out.insert(
        "signing_keys".into(),
        json!([{ "cert": tenant.key().certificate_pem() }]),
    );
    out.insert("sso".into(), json!(false));
    out.insert("sso_disabled".into(), json!(false));
    out.insert("custom_login_page_on".into(), json!(false));
    out
}

#[tracing::instrument(skip_all)]
pub(super) async fn list(
    State(tenant): State<Tenant>,
    Scoped(caller, _): Scoped<ReadClients>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<ListSchema>>,
) -> Response {
    let state = tenant.state();
    let with_secret = sees_secret(&caller);
    let items: Vec<Value> = if flag(&query, "is_global") == Some(true) {
        vec![Value::Object(selected(
            &tenant,
            global_client(&tenant, state.clients()),
            &query,
        ))]
    } else {
        let app_types: Option<Vec<&str>> = text(&query, "app_type").map(|t| t.split(',').map(str::trim).collect());
        let first_party = flag(&query, "is_first_party");
        state
            .clients()
            .iter()
            .filter(|c| {
                app_types
                    .as_ref()
                    .is_none_or(|types| types.contains(&c.app_type.as_str()))
            })
            .filter(|c| {
                first_party.is_none_or(|wanted| {
                    c.settings
                        .get("is_first_party")
                        .and_then(Value::as_bool)
                        .unwrap_or(true)
                        == wanted
                })
            })
            .map(|c| Value::Object(selected(&tenant, render(&tenant, c, with_secret), &query)))
            .collect()
    };
    ok(StatusCode::OK, &page("clients", items, &query, Totals::WithNext))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    Scoped(caller, _): Scoped<ReadClient>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<FieldsSchema>>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let state = tenant.state();
    let client = state.client(&id).ok_or(MgmtError::ClientNotFound { id })?;
    let full = render(&tenant, client, sees_secret(&caller));
    // obs (terraform-provider-auth0, e.g. TestAccClientConfig): one application read with
    // `fields` answers the fields and `signing_keys`, without `tenant`.
    let signing_keys = full.get("signing_keys").cloned();
    let mut body = select(full, &query);
    if let Some(keys) = signing_keys {
        body.entry("signing_keys").or_insert(keys);
    }
    Ok(ok(StatusCode::OK, &body))
}

#[tracing::instrument(skip_all)]
pub(super) async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateClients>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<CreateSchema>>,
) -> Result<Response, MgmtError> {
    if clients::trusts_ip_header_without_secret(None, &body) {
        return Err(MgmtError::IpHeaderTrustedWithoutSecret);
    }
    let mut state = tenant.state();
    let client = clients::create_client(&mut state, body);
    // obs (TestClient_Create): 201 with the secret.
    Ok(ok(StatusCode::CREATED, &render(&tenant, client, true)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateClients>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<UpdateSchema>>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let mut state = tenant.state();
    let index = state.client_index(&id).ok_or(MgmtError::ClientNotFound { id })?;
    if clients::trusts_ip_header_without_secret(Some(&state.clients()[index].settings), &body) {
        return Err(MgmtError::IpHeaderTrustedWithoutSecret);
    }
    let client = clients::update_client(&mut state, index, body);
    // obs: the recorded PATCH answers carry the secret (inf: whatever the caller's scopes).
    Ok(ok(StatusCode::OK, &render(&tenant, client, true)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteClients>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let mut state = tenant.state();
    if !clients::delete_client(&mut state, &id) {
        // inf: an unknown application answers as GET does (grants, by contrast, answer 204).
        return Err(MgmtError::ClientNotFound { id });
    }
    // obs (TestClient_Delete): 204, empty.
    Ok(mgmt_no_content())
}

#[tracing::instrument(skip_all)]
pub(super) async fn rotate_secret(
    State(tenant): State<Tenant>,
    _caller: Scoped<RotateSecret>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let id = path_id(path);
    let mut state = tenant.state();
    let index = state.client_index(&id).ok_or(MgmtError::ClientNotFound { id })?;
    let client = clients::rotate_secret(&mut state, index);
    // obs (go-auth0 TestClient_RotateSecret): 200 with the whole application.
    Ok(ok(StatusCode::OK, &render(&tenant, client, true)))
}
