//! Email verification, as the tenant keeps it: a verification ticket (single-use, on the tenant
//! clock, under its own subject `verify:<user_id>` so a verification link does not supersede a
//! reset link), the mail in the outbox, and the job that records it. Used by the Management
//! API's ticket and job endpoints, by user creation, and by signup.

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::model::{Job, LoginExperience, Ticket, TicketKind};
use crate::auth0::tenant::organizations;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tickets::DEFAULT_TICKET_TTL;
use crate::auth0::wire::mail;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::paths::{CLASSIC_VERIFY_PATH, UNIVERSAL_VERIFY_PATH};
use crate::core::onetime::Redemption;

/// A verification ticket asked for: whose, where Classic Login reports the result, for which
/// application and organization.
#[derive(Debug, Default)]
pub(crate) struct VerificationRequest {
    pub(crate) user_id: String,
    pub(crate) result_url: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) organization_id: Option<String>,
    pub(crate) include_email_in_redirect: bool,
}

/// Issues a verification ticket living `ttl` seconds and returns its hosted-page URL.
pub(crate) fn issue(
    tenant: &Tenant,
    state: &mut TenantState,
    request: VerificationRequest,
    ttl: i64,
) -> Result<String, MgmtError> {
    let VerificationRequest {
        user_id,
        result_url,
        client_id,
        organization_id,
        include_email_in_redirect,
    } = request;
    if let Some(client_id) = &client_id
        && state.client(client_id).is_none()
    {
        return Err(MgmtError::TicketClientNotFound {
            client_id: client_id.clone(),
        });
    }
    if let Some(organization_id) = &organization_id {
        organizations::check_ticket_organization(state, organization_id)?;
    }
    if state.user(&user_id).is_none() {
        return Err(MgmtError::UserNotFound {
            user_id: Some(user_id),
            email: None,
        });
    }
    if let Some(organization_id) = &organization_id {
        organizations::check_ticket_member(state, organization_id, &user_id)?;
    }
    let ticket = Ticket {
        kind: TicketKind::EmailVerification,
        user_id: user_id.clone(),
        result_url,
        client_id,
        organization_id,
        mark_email_as_verified: true,
        include_email_in_redirect,
    };
    let now = tenant.clock().unix();
    let secret = state
        .tickets
        .issue(&mut state.rng, &subject(&user_id), ticket, now, ttl);
    let path = match state.login {
        LoginExperience::Universal => UNIVERSAL_VERIFY_PATH,
        LoginExperience::Classic => CLASSIC_VERIFY_PATH,
    };
    Ok(format!("{}{path}?ticket={secret}#", tenant.base_url()))
}

/// The ticket subject of a user's verification links.
pub fn subject(user_id: &str) -> String {
    format!("verify:{user_id}")
}

/// Mails `user_id` a verification link and records the job (also what `POST /users` does for an
/// unverified user).
pub fn send_verification_email(
    tenant: &Tenant,
    state: &mut TenantState,
    user_id: &str,
    client_id: Option<String>,
    organization_id: Option<String>,
) -> Result<Job, MgmtError> {
    let request = VerificationRequest {
        user_id: user_id.to_owned(),
        client_id,
        organization_id,
        ..VerificationRequest::default()
    };
    let link = issue(tenant, state, request, DEFAULT_TICKET_TTL)?;
    let user = state.user(user_id).cloned().ok_or(MgmtError::UserNotFound {
        user_id: Some(user_id.to_owned()),
        email: None,
    })?;
    let draft = mail::email_verification(state.sender_name(tenant.name()), &user.recipient(), &link);
    let now = tenant.clock().now();
    state.outbox.capture(&mut state.rng, draft, now, &tenant.address().host);
    let id = random_alnum(&mut state.rng, 16);
    let job = Job {
        id: format!("job_{id}"),
        kind: "verification_email".into(),
        created_at: now,
    };
    state.jobs.push(job.clone());
    Ok(job)
}

/// What redeeming a verification link did: the user's email, whether it was verified before,
/// and the ticket (its `result_url` and whether the redirect carries the email).
pub(crate) struct Verified {
    pub(crate) email: String,
    pub(crate) already: bool,
    pub(crate) ticket: Ticket,
}

/// Why a verification link verified nothing.
pub(crate) enum NotVerified {
    /// The ticket is unknown, used, expired, or not a verification ticket.
    Link(Redemption),
    /// The ticket's user was deleted.
    UserGone,
}

/// Redeems the verification ticket `secret` (once, on the tenant clock) and marks its user's
/// email verified.
pub(crate) fn redeem(state: &mut TenantState, secret: &str, now: i64) -> Result<Verified, NotVerified> {
    let ticket = match state.tickets.check(secret, now).map(|e| e.payload.kind) {
        Ok(TicketKind::EmailVerification) => state.tickets.redeem(secret, now).map(|e| e.payload.clone()),
        Ok(_) => Err(Redemption::Unknown),
        Err(reason) => Err(reason),
    }
    .map_err(NotVerified::Link)?;
    let user = state.user_mut(&ticket.user_id).ok_or(NotVerified::UserGone)?;
    let already = user.email_verified;
    user.email_verified = true;
    Ok(Verified {
        email: user.email.clone(),
        already,
        ticket,
    })
}
