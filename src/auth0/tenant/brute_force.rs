//! Brute-force protection of password logins (facts `auth0-users.md` §5); the Management
//! API's `user-blocks` endpoints read and lift what it records.
//!
//! Failed password logins of an existing user are counted per identifier and IP (the
//! `auth0-forwarded-for` header when a backend sends one, else the caller; inf: authmock's
//! loopback callers all count as 127.0.0.1 otherwise). At the fixture's threshold (default 10)
//! the identifier is blocked from that IP: that attempt and every later one answer 429
//! `too_many_attempts`, and the user gets a mail whose link lifts the block. A success resets
//! the count. `DELETE /api/v2/user-blocks…`, the link and a password change lift blocks; none
//! of them touches the administrative `blocked` flag.

use axum::http::HeaderMap;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::model::{LoginBlock, Ticket, TicketKind};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tickets::DEFAULT_TICKET_TTL;
use crate::auth0::tenant::users::User;
use crate::auth0::wire::mail;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::auth0::wire::paths::UNBLOCK_PATH;
use crate::core::onetime::Redemption;

/// The IP counted when a request names none (inf).
const LOCAL_IP: &str = "127.0.0.1";

/// The IP a password grant is counted against.
pub fn client_ip(headers: &HeaderMap) -> String {
    headers
        .get("auth0-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').next().unwrap_or_default().trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| LOCAL_IP.to_owned())
}

/// Refuses a login attempt for an identifier blocked from `ip`.
pub fn check(state: &TenantState, identifier: &str, ip: &str) -> Result<(), OAuthError> {
    if state
        .brute_force
        .blocks
        .iter()
        .any(|b| b.identifier == identifier && b.ip == ip)
    {
        return Err(OAuthError::TooManyAttempts {
            identifier: identifier.to_owned(),
        });
    }
    Ok(())
}

/// Counts a wrong password of `user`; at the threshold, blocks and mails the unblock link and
/// returns the 429 for this attempt.
pub fn record_failure(tenant: &Tenant, state: &mut TenantState, user: &User, ip: &str) -> Option<OAuthError> {
    let threshold = state.brute_force.threshold;
    if threshold == 0 {
        return None;
    }
    let count = state.brute_force.failures.get_or_insert(
        (user.email.clone(), ip.to_owned()),
        || 0,
        |_, _| false,
        |n| i64::from(*n),
    );
    *count += 1;
    if *count < threshold {
        return None;
    }
    state.brute_force.failures.remove(&(user.email.clone(), ip.to_owned()));
    state.brute_force.blocks.push(LoginBlock {
        identifier: user.email.clone(),
        ip: ip.to_owned(),
        connection: user.connection.clone(),
        user_id: user.user_id.clone(),
    });
    let ticket = Ticket {
        kind: TicketKind::Unblock,
        user_id: user.user_id.clone(),
        result_url: None,
        client_id: None,
        organization_id: None,
        mark_email_as_verified: false,
        include_email_in_redirect: false,
    };
    let now = tenant.clock();
    let secret = state.tickets.issue(
        &mut state.rng,
        &format!("unblock:{}", user.user_id),
        ticket,
        now.unix(),
        DEFAULT_TICKET_TTL,
    );
    let link = format!("{}{UNBLOCK_PATH}?ticket={secret}#", tenant.base_url());
    let draft = mail::unblock(tenant.name(), &user.recipient(), ip, &link);
    state
        .outbox
        .capture(&mut state.rng, draft, now.now(), &tenant.address().host);
    Some(OAuthError::TooManyAttempts {
        identifier: user.email.clone(),
    })
}

/// A successful login starts the count again.
pub fn record_success(state: &mut TenantState, identifier: &str, ip: &str) {
    state
        .brute_force
        .failures
        .remove(&(identifier.to_owned(), ip.to_owned()));
}

/// Lifts every brute-force block of `identifier` (all IPs).
pub fn unblock_identifier(state: &mut TenantState, identifier: &str) {
    let identifier = identifier.to_lowercase();
    state.brute_force.blocks.retain(|b| b.identifier != identifier);
    state.brute_force.failures.retain(|(id, _), _| *id != identifier);
}

/// Redeems the unblock link `secret` (once, on the tenant clock) and lifts every block of its
/// user's email.
pub(crate) fn redeem_unblock(state: &mut TenantState, secret: &str, now: i64) -> Result<(), Redemption> {
    let user_id = match state.tickets.check(secret, now).map(|e| e.payload.kind) {
        Ok(TicketKind::Unblock) => state.tickets.redeem(secret, now).map(|e| e.payload.user_id.clone())?,
        Ok(_) => return Err(Redemption::Unknown),
        Err(reason) => return Err(reason),
    };
    if let Some(email) = state.user(&user_id).map(|u| u.email.clone()) {
        unblock_identifier(state, &email);
    }
    Ok(())
}
