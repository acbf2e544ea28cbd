//! `POST /api/v2/users` and `DELETE /api/v2/users/{id}` (facts `auth0-users.md` §1, §3): users
//! come into a database connection and leave the tenant entirely.

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth0::management::extract::{BodySchema, MgmtBody, ScopeSet, Scoped};
use crate::auth0::management::payload::Schema;
use crate::auth0::management::users::user_json;
use crate::auth0::tenant::lifecycle::{self, NewUser};
use crate::auth0::tenant::{Tenant, verification};
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::{json_response, mgmt_no_content};

/// Scope of `POST /users` (doc: OAS).
pub(in crate::auth0::management) struct CreateUsers;
impl ScopeSet for CreateUsers {
    const ANY_OF: &'static [&'static str] = &["create:users"];
}

/// Scope of `DELETE /users/{id}` (doc: OAS).
pub(in crate::auth0::management) struct DeleteUsers;
impl ScopeSet for DeleteUsers {
    const ANY_OF: &'static [&'static str] = &["delete:users"];
}

/// The documented `POST /users` body (`CreateUserRequestContent`).
#[derive(Debug, Deserialize)]
pub(in crate::auth0::management) struct CreateUserRequest {
    connection: String,
    email: Option<String>,
    phone_number: Option<String>,
    user_metadata: Option<Map<String, Value>>,
    app_metadata: Option<Map<String, Value>>,
    blocked: Option<bool>,
    email_verified: Option<bool>,
    phone_verified: Option<bool>,
    given_name: Option<String>,
    family_name: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
    picture: Option<String>,
    user_id: Option<String>,
    password: Option<String>,
    verify_email: Option<bool>,
    username: Option<String>,
}

static CREATE_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("../schemas/user_create.json")));

impl BodySchema for CreateUserRequest {
    fn schema() -> &'static Schema {
        &CREATE_SCHEMA
    }
}

#[tracing::instrument(skip_all)]
pub(in crate::auth0::management) async fn create(
    State(tenant): State<Tenant>,
    Scoped(caller, _): Scoped<CreateUsers>,
    MgmtBody(request): MgmtBody<CreateUserRequest>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().now();
    let mut state = tenant.state();
    if let (Some(client_id), Some(connection)) = (&caller.client_id, state.connection_by_name(&request.connection))
        && !connection.enabled_for(client_id)
    {
        return Err(MgmtError::ConnectionNotEnabledForClient {
            client_id: client_id.clone(),
            connection: connection.name.clone(),
        });
    }
    // doc (OAS): a verification email follows when the email is not verified; `verify_email`
    // overrides that either way.
    let verify = request.verify_email.unwrap_or(request.email_verified != Some(true));
    let empty = Map::new();
    super::check_metadata_weight(
        request.user_metadata.as_ref().unwrap_or(&empty),
        request.app_metadata.as_ref().unwrap_or(&empty),
    )?;
    let user = lifecycle::create_user(&mut state, request.into(), now)?;
    if verify {
        verification::send_verification_email(&tenant, &mut state, &user.user_id, None, None)?;
    }
    Ok(json_response(
        StatusCode::CREATED,
        &user_json(&user, state.era()),
        "application/json; charset=utf-8",
    ))
}

#[tracing::instrument(skip_all)]
pub(in crate::auth0::management) async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteUsers>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    // obs: a second DELETE of the same id is also 204, so an unknown (or undecodable) id is too.
    if let Ok(Path(id)) = path {
        lifecycle::delete_user(&mut tenant.state(), &id);
    }
    mgmt_no_content()
}

impl From<CreateUserRequest> for NewUser {
    fn from(request: CreateUserRequest) -> Self {
        NewUser {
            connection: request.connection,
            email: request.email,
            phone_number: request.phone_number,
            user_metadata: request.user_metadata,
            app_metadata: request.app_metadata,
            blocked: request.blocked,
            email_verified: request.email_verified,
            phone_verified: request.phone_verified,
            given_name: request.given_name,
            family_name: request.family_name,
            name: request.name,
            nickname: request.nickname,
            picture: request.picture,
            user_id: request.user_id,
            password: request.password,
            username: request.username,
        }
    }
}
