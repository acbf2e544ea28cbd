//! `POST /api/v2/tickets/password-change` (facts §3): validate, find the user, store a
//! single-use ticket on the tenant clock, answer 201 with the hosted-page URL.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::auth0::wire::mgmt_error::MgmtError;

use crate::auth0::management::extract::{BodySchema, MgmtBody, ScopeSet, Scoped};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::model::{Ticket, TicketKind};
use crate::auth0::tenant::organizations as orgs;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tickets::{DEFAULT_TICKET_TTL, store_ticket};
use crate::auth0::wire::respond::json_response;

/// Scope of both ticket endpoints (facts §3.1, doc).
pub(super) struct CreateUserTickets;
impl ScopeSet for CreateUserTickets {
    const ANY_OF: &'static [&'static str] = &["create:user_tickets"];
}

/// The documented request body (`ChangePasswordTicketRequestContent`).
#[derive(Debug, Deserialize)]
pub(super) struct PasswordChangeTicketRequest {
    result_url: Option<String>,
    user_id: Option<String>,
    client_id: Option<String>,
    organization_id: Option<String>,
    connection_id: Option<String>,
    email: Option<String>,
    ttl_sec: Option<i64>,
    #[serde(default)]
    mark_email_as_verified: bool,
    #[serde(rename = "includeEmailInRedirect", default)]
    include_email_in_redirect: bool,
    identity: Option<IdentityRef>,
}

#[derive(Debug, Deserialize)]
struct IdentityRef {
    user_id: String,
    provider: String,
    connection_id: Option<String>,
}

static TICKET_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("schemas/ticket_password_change.json")));

impl BodySchema for PasswordChangeTicketRequest {
    fn schema() -> &'static Schema {
        &TICKET_SCHEMA
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn create_password_change(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateUserTickets>,
    MgmtBody(request): MgmtBody<PasswordChangeTicketRequest>,
) -> Result<Response, MgmtError> {
    let ticket = issue_password_change(&tenant, request)?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({ "ticket": ticket }),
        "application/json; charset=utf-8",
    )
    .into_response())
}

/// Applies the ticket rules and stores the ticket; returns its URL.
fn issue_password_change(tenant: &Tenant, request: PasswordChangeTicketRequest) -> Result<String, MgmtError> {
    check_exclusive_fields(&request)?;
    let mut state = tenant.state();
    if let Some(client_id) = &request.client_id
        && state.client(client_id).is_none()
    {
        return Err(MgmtError::TicketClientNotFound {
            client_id: client_id.clone(),
        });
    }
    if let Some(organization_id) = &request.organization_id {
        orgs::check_ticket_organization(&state, organization_id)?;
    }
    let user_id = find_user(&state, &request)?;
    if let Some(organization_id) = &request.organization_id {
        orgs::check_ticket_member(&state, organization_id, &user_id)?;
    }
    let ttl = match request.ttl_sec {
        Some(ttl) if ttl > 0 => ttl,
        _ => DEFAULT_TICKET_TTL,
    };
    let ticket = Ticket {
        kind: TicketKind::PasswordChange,
        user_id: user_id.clone(),
        result_url: request.result_url,
        client_id: request.client_id,
        organization_id: request.organization_id,
        mark_email_as_verified: request.mark_email_as_verified,
        include_email_in_redirect: request.include_email_in_redirect,
    };
    Ok(store_ticket(tenant, &mut state, ticket, ttl))
}

/// The documented exclusions: `user_id` vs `email`/`connection_id`, and `result_url` vs
/// `client_id`/`organization_id` (facts §3.1).
fn check_exclusive_fields(request: &PasswordChangeTicketRequest) -> Result<(), MgmtError> {
    let conflict = |first, second| Err(MgmtError::TicketFieldConflict { first, second });
    if request.user_id.is_some() {
        if request.email.is_some() {
            return conflict("email", "user_id");
        }
        if request.connection_id.is_some() {
            return conflict("connection_id", "user_id");
        }
    }
    if request.result_url.is_some() {
        if request.client_id.is_some() {
            return conflict("result_url", "client_id");
        }
        if request.organization_id.is_some() {
            return conflict("result_url", "organization_id");
        }
    }
    Ok(())
}

/// Resolves the ticket's user from `user_id` (+ `identity`) or `email` + `connection_id`.
fn find_user(state: &TenantState, request: &PasswordChangeTicketRequest) -> Result<String, MgmtError> {
    let user = match (&request.user_id, &request.email, &request.connection_id) {
        (Some(user_id), _, _) => state.user(user_id).ok_or_else(|| MgmtError::UserNotFound {
            user_id: Some(user_id.clone()),
            email: None,
        })?,
        (None, Some(email), Some(connection_id)) => {
            let connection =
                state
                    .connection_by_id(connection_id)
                    .ok_or_else(|| MgmtError::TicketConnectionNotFound {
                        connection_id: connection_id.clone(),
                    })?;
            state
                .user_by_email_in(email, &connection.name)
                .ok_or_else(|| MgmtError::UserNotFound {
                    user_id: None,
                    email: Some(email.clone()),
                })?
        }
        _ => return Err(MgmtError::TicketMissingUser),
    };
    if let Some(identity) = &request.identity {
        if let Some(connection_id) = &identity.connection_id {
            let connection = state
                .connection_by_id(connection_id)
                .ok_or(MgmtError::IdentityConnectionNotFound)?;
            if connection.name != user.connection {
                return Err(MgmtError::IdentityNotFound);
            }
        }
        if identity.provider != user.provider() || identity.user_id != user.identity_id() {
            return Err(MgmtError::IdentityNotFound);
        }
    }
    if user.email.is_empty() {
        return Err(MgmtError::UserHasNoEmail);
    }
    Ok(user.user_id.clone())
}
