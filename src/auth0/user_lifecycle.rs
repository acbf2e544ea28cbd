//! `POST /api/v2/users` and `DELETE /api/v2/users/{id}` (facts `auth0-users.md` §1, §3): users
//! come into a database connection and leave the tenant entirely.

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::error::{Auth0Error, Finding, Violation, json_response};
use super::extract::{BodySchema, MgmtBody, ScopeSet, Scoped};
use super::password_rules;
use super::payload::Schema;
use super::users::user_json;
use crate::auth0::seed::picture_url;
use crate::auth0::tenant::{Tenant, TenantState, User};
use crate::core::password::PasswordHash;

/// Scope of `POST /users` (doc: OAS).
pub struct CreateUsers;
impl ScopeSet for CreateUsers {
    const ANY_OF: &'static [&'static str] = &["create:users"];
}

/// Scope of `DELETE /users/{id}` (doc: OAS).
pub struct DeleteUsers;
impl ScopeSet for DeleteUsers {
    const ANY_OF: &'static [&'static str] = &["delete:users"];
}

/// Connection strategies that create users without a password (doc: OAS, passwordless).
const PASSWORDLESS: &[&str] = &["email", "sms"];

/// The documented `POST /users` body (`CreateUserRequestContent`).
#[derive(Debug, Deserialize)]
pub struct CreateUserRequest {
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

static CREATE_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("schemas/user_create.json")));

impl BodySchema for CreateUserRequest {
    fn schema() -> &'static Schema {
        &CREATE_SCHEMA
    }
}

#[tracing::instrument(skip_all)]
pub async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateUsers>,
    MgmtBody(request): MgmtBody<CreateUserRequest>,
) -> Result<Response, Auth0Error> {
    let now = tenant.clock().now();
    let mut state = tenant.state();
    // doc (OAS): a verification email follows when the email is not verified; `verify_email`
    // overrides that either way.
    let verify = request.verify_email.unwrap_or(request.email_verified != Some(true));
    let user = create_user(&mut state, request, now)?;
    if verify {
        super::email_verification::send_verification_email(&tenant, &mut state, &user.user_id, None, None)?;
    }
    Ok(json_response(
        StatusCode::CREATED,
        &user_json(&user),
        "application/json; charset=utf-8",
    ))
}

#[tracing::instrument(skip_all)]
pub async fn delete(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteUsers>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    // obs: a second DELETE of the same id is also 204, so an unknown (or undecodable) id is too.
    if let Ok(Path(id)) = path {
        delete_user(&mut tenant.state(), &id);
    }
    StatusCode::NO_CONTENT.into_response()
}

fn missing(property: &str) -> Auth0Error {
    Auth0Error::PayloadValidation {
        findings: vec![Finding {
            violation: Violation::Required {
                property: property.to_owned(),
            },
            property: None,
        }],
    }
}

/// Creates a user in a database (or passwordless) connection; the checks run in the order
/// connection → required fields → username → existing user → password policy (inf: the
/// provider's order is not documented).
pub fn create_user(
    state: &mut TenantState,
    request: CreateUserRequest,
    now: OffsetDateTime,
) -> Result<User, Auth0Error> {
    let connection = state
        .connection_by_name(&request.connection)
        .ok_or_else(|| Auth0Error::InexistentConnection {
            connection: request.connection.clone(),
        })?
        .clone();
    let database = connection.strategy == "auth0";
    if !database && !PASSWORDLESS.contains(&connection.strategy.as_str()) {
        return Err(Auth0Error::ConnectionCannotCreateUsers {
            connection: connection.name,
        });
    }
    // obs: a database connection without `email` answers the schema's missing-property error;
    // inf: the same for `password`.
    let email = request
        .email
        .as_deref()
        .map(str::to_lowercase)
        .ok_or_else(|| missing("email"))?;
    if database && request.password.is_none() {
        return Err(missing("password"));
    }
    if let Some(username) = &request.username {
        if !connection.requires_username {
            return Err(Auth0Error::UsernameNotAllowed {
                connection: connection.name,
            });
        }
        if state
            .users
            .iter()
            .any(|u| u.connection == connection.name && u.username.as_deref() == Some(username.as_str()))
        {
            return Err(Auth0Error::UsernameInUse {
                username: username.clone(),
            });
        }
    }
    let user_id = match &request.user_id {
        // obs: a custom id becomes `auth0|<id>` (REC-tf `TestAccUser`).
        Some(id) => format!("auth0|{id}"),
        None => loop {
            let candidate = format!("auth0|{}", random_hex(&mut state.rng, 12));
            if state.user(&candidate).is_none() {
                break candidate;
            }
        },
    };
    if state.user_by_email_in(&email, &connection.name).is_some() || state.user(&user_id).is_some() {
        return Err(Auth0Error::UserAlreadyExists { email });
    }
    let nickname = request
        .nickname
        .clone()
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let name = request.name.clone().unwrap_or_else(|| email.clone());
    let password = match &request.password {
        Some(password) if database => {
            let owner = password_rules::Owner {
                email: &email,
                name: Some(&name),
                username: request.username.as_deref(),
                nickname: Some(&nickname),
            };
            password_rules::check(
                &connection.password_policy,
                &connection.password_rules,
                password,
                &owner,
                &[],
            )?;
            Some(PasswordHash::new(&mut state.rng, password))
        }
        _ => None,
    };
    // `phone_number` and `phone_verified` are accepted and not modelled: users here live in
    // database connections keyed by email.
    let _ = (&request.phone_number, request.phone_verified);
    let user = User {
        picture: request
            .picture
            .clone()
            .unwrap_or_else(|| picture_url(&email, email.split('@').next().unwrap_or_default())),
        user_id,
        email,
        email_verified: request.email_verified.unwrap_or(false),
        connection: connection.name.clone(),
        password,
        fixture_password: None,
        name,
        nickname,
        given_name: request.given_name,
        family_name: request.family_name,
        username: request.username,
        blocked: request.blocked.unwrap_or(false),
        created_at: now,
        updated_at: now,
        last_password_reset: None,
        last_login: None,
        logins_count: 0,
        // facts §1.2: empty metadata stays absent at creation.
        user_metadata: request.user_metadata.unwrap_or_default(),
        app_metadata: request.app_metadata.unwrap_or_default(),
        user_metadata_set: false,
        password_history: Vec::new(),
    };
    super::bounds::add_runtime_user(state, user.clone());
    Ok(user)
}

/// Removes a user and everything that points at it: pending tickets and refresh tokens. A
/// missing user is not an error (the provider answers 204 either way).
pub fn delete_user(state: &mut TenantState, user_id: &str) -> bool {
    let before = state.users.len();
    state.users.retain(|u| u.user_id != user_id);
    super::bounds::forget_runtime_user(state, user_id);
    state.tickets.forget_subject(user_id);
    state
        .tickets
        .forget_subject(&super::email_verification::subject(user_id));
    state.tickets.forget_subject(&format!("unblock:{user_id}"));
    state.brute_force.blocks.retain(|b| b.user_id != user_id);
    state.rbac.members.retain(|(u, _)| u != user_id);
    state.rbac.user_permissions.retain(|(u, ..)| u != user_id);
    state.refresh_tokens.retain(|_, grant| grant.user_id != user_id);
    state.logins.opaque_tokens.forget_user(user_id);
    state.users.len() != before
}

fn random_hex(rng: &mut impl rand::Rng, bytes: usize) -> String {
    use rand::RngExt as _;
    (0..bytes).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}
