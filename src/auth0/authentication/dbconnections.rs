//! `POST /dbconnections/change_password` (facts §4): the Authentication API's "forgot password".
//!
//! No bearer token. Always `200 We've just sent you an email to reset your password.` as
//! `text/html; charset=utf-8`, whether or not the user exists, so nobody can probe for accounts.
//! When the user exists, a fresh ticket (superseding the user's older links, facts §7) is mailed
//! to them through the tenant's outbox. What the wire hides, the `x-authmock-hint` header tells.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth0::wire::oauth_error::OAuthError;

use crate::auth0::authentication::params::{AuthParams, Params};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::custom_db;
use crate::auth0::tenant::model::{Ticket, TicketKind};
use crate::auth0::tenant::tickets::{DEFAULT_TICKET_TTL, store_ticket};
use crate::auth0::wire::respond::with_hint;
use crate::auth0::wire::text::RESET_EMAIL_SENT;

#[tracing::instrument(skip_all)]
pub(super) async fn change_password(
    State(tenant): State<Tenant>,
    AuthParams(_, params): AuthParams,
) -> Result<Response, OAuthError> {
    // Lazy migration (`tenant/custom_db.rs`): a legacy user the `get_user` script finds gets
    // the reset mail as any other; the script runs outside the lock.
    let legacy = match (params.get("email"), params.get("connection")) {
        (Some(email), Some(connection)) => custom_db::migrate_on_reset(&tenant, connection, email).await,
        _ => None,
    };
    let mut hint = request_reset(&tenant, &params)?;
    if let Some(legacy) = legacy {
        hint = format!("{legacy}; {hint}");
    }
    let response = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        RESET_EMAIL_SENT,
    )
        .into_response();
    Ok(with_hint(response, hint))
}

/// Mails a fresh reset link to the active user `email` of the database `connection`, if there
/// is one; returns the hint saying what happened (the wire says the same either way).
fn request_reset(tenant: &Tenant, params: &Params) -> Result<String, OAuthError> {
    // inf (facts §4, §9: exact bodies not found): the token endpoint's missing-parameter error.
    let email = params.require("email")?.trim().to_lowercase();
    let connection = params.require("connection")?;
    let mut state = tenant.state();
    let Some(connection) = state
        .connection_by_name(connection)
        .filter(|c| c.strategy == "auth0")
        .map(|c| c.name.clone())
    else {
        return Err(OAuthError::DbConnectionNotFound {
            connection: connection.to_owned(),
            known: state
                .connections()
                .iter()
                .filter(|c| c.strategy == "auth0")
                .map(|c| c.name.clone())
                .collect(),
        });
    };
    // The client only decides where the user lands after the reset; an unknown one is reported
    // in the hint, not on the wire (no documented error).
    let client_id = params.get("client_id").map(str::to_owned);
    let known_client = client_id.as_deref().is_some_and(|id| state.client(id).is_some());
    let mut notes = Vec::new();
    if let Some(id) = client_id.as_deref().filter(|_| !known_client) {
        notes.push(format!("client_id `{id}` is not an application of this tenant"));
    }
    if params.get("organization").is_some() {
        notes.push("organizations are not modelled: `organization` was ignored".to_owned());
    }
    let user = state
        .user_by_email_in(&email, &connection)
        .filter(|u| !u.is_blocked())
        .cloned();
    let outcome = match user {
        Some(user) => {
            let ticket = Ticket {
                kind: TicketKind::PasswordChange,
                user_id: user.user_id.clone(),
                result_url: None,
                client_id: client_id.filter(|_| known_client),
                organization_id: None,
                mark_email_as_verified: false,
                include_email_in_redirect: false,
            };
            let link = store_ticket(tenant, &mut state, ticket, DEFAULT_TICKET_TTL);
            let draft =
                crate::auth0::wire::mail::password_reset(state.sender_name(tenant.name()), &user.recipient(), &link);
            let now = tenant.clock().now();
            let state = &mut *state;
            let (outbox, rng) = state.outbox_mut();
            let id = outbox.capture(rng, draft, now, &tenant.address().host);
            format!("reset email {id} sent to {email}; earlier reset links of this user no longer work")
        }
        None => format!(
            "no active user with email {email} in connection {connection}: nothing was sent (the provider \
             answers 200 either way)"
        ),
    };
    notes.insert(0, outcome);
    Ok(notes.join("; "))
}
