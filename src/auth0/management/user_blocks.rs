//! The `user-blocks` endpoints (facts `auth0-users.md` §5): the brute-force blocks of an
//! identifier or a user, and lifting them. Brute-force protection itself is the tenant's
//! (`tenant/brute_force.rs`).

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::auth0::management::extract::{BodySchema, MgmtQuery, ScopeSet, Scoped};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::model::LoginBlock;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::users::User;
use crate::auth0::tenant::{Tenant, brute_force};
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::{json_response, mgmt_no_content};

/// Scope of `GET /user-blocks…` (doc: OAS).
pub(super) struct ReadBlocks;
impl ScopeSet for ReadBlocks {
    const ANY_OF: &'static [&'static str] = &["read:users"];
}

/// Scope of `DELETE /user-blocks…` (doc: OAS).
pub(super) struct DeleteBlocks;
impl ScopeSet for DeleteBlocks {
    const ANY_OF: &'static [&'static str] = &["update:users"];
}

/// `identifier` (and the documented flag) of the by-identifier endpoints.
#[derive(Debug, Deserialize)]
pub(super) struct IdentifierQuery {
    identifier: String,
    #[allow(dead_code)]
    consider_brute_force_enablement: Option<bool>,
}

/// The documented flag of the by-id endpoints.
#[derive(Debug, Deserialize)]
pub(super) struct BlocksQuery {
    #[allow(dead_code)]
    consider_brute_force_enablement: Option<bool>,
}

static IDENTIFIER_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("schemas/user_blocks_identifier_query.json")));
static BLOCKS_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("schemas/user_blocks_query.json")));

impl BodySchema for IdentifierQuery {
    fn schema() -> &'static Schema {
        &IDENTIFIER_SCHEMA
    }
}
impl BodySchema for BlocksQuery {
    fn schema() -> &'static Schema {
        &BLOCKS_SCHEMA
    }
}

/// `{"blocked_for":[{"identifier","ip","connection"}]}` (doc: OAS entry shape).
fn blocked_for<'a>(blocks: impl Iterator<Item = &'a LoginBlock>) -> serde_json::Value {
    let entries: Vec<_> = blocks
        .map(|b| json!({"identifier": b.identifier, "ip": b.ip, "connection": b.connection}))
        .collect();
    json!({ "blocked_for": entries })
}

fn user_by_path(state: &TenantState, path: Result<Path<String>, PathRejection>) -> Result<User, MgmtError> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    // inf: the by-id endpoints answer the user resource's 404.
    state.user(&id).cloned().ok_or(MgmtError::UserNotFound {
        user_id: Some(id),
        email: None,
    })
}

#[tracing::instrument(skip_all)]
pub(super) async fn get_by_identifier(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadBlocks>,
    MgmtQuery(query): MgmtQuery<IdentifierQuery>,
) -> Response {
    let identifier = query.identifier.to_lowercase();
    let state = tenant.state();
    let body = blocked_for(state.brute_force().blocks.iter().filter(|b| b.identifier == identifier));
    json_response(StatusCode::OK, &body, "application/json; charset=utf-8")
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete_by_identifier(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteBlocks>,
    MgmtQuery(query): MgmtQuery<IdentifierQuery>,
) -> Response {
    brute_force::unblock_identifier(&mut tenant.state(), &query.identifier);
    mgmt_no_content()
}

#[tracing::instrument(skip_all)]
pub(super) async fn get_by_id(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadBlocks>,
    MgmtQuery(_query): MgmtQuery<BlocksQuery>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let user = user_by_path(&state, path)?;
    let body = blocked_for(state.brute_force().blocks.iter().filter(|b| b.user_id == user.user_id));
    Ok(json_response(StatusCode::OK, &body, "application/json; charset=utf-8"))
}

#[tracing::instrument(skip_all)]
pub(super) async fn delete_by_id(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteBlocks>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let user = user_by_path(&state, path)?;
    brute_force::unblock_identifier(&mut state, &user.email);
    Ok(mgmt_no_content())
}
