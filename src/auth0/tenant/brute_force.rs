//! Brute-force protection of password logins (facts `auth0-users.md` §5); the Management
//! API's `user-blocks` endpoints read and lift what it records.
//!
//! Every password login goes through [`verify_password`]: the password and password-realm
//! grants at `/oauth/token` and the Universal Login form. Failed logins of an existing user are
//! counted per identifier and IP; at the fixture's threshold (default 10) the identifier is
//! blocked from that IP: that attempt and every later one are refused (the grants answer 429
//! `too_many_attempts`, the login page its `user-blocked` text), and the user gets a mail whose
//! link lifts the block. A right password resets the count. A database connection whose
//! `options.brute_force_protection` is false is not guarded: its failures are not counted and
//! its users are not refused as blocked. `DELETE /api/v2/user-blocks…`, the
//! link and a password change lift blocks; none of them touches the administrative `blocked`
//! flag.
//!
//! The IP is the caller's own address ([`Peer`]), except at the token endpoint for an
//! application that authenticated (client secret) and has "Trust Token Endpoint IP Header" on
//! (`is_token_endpoint_ip_header_trusted`): then its `auth0-forwarded-for` header names the user's
//! IP (doc: Auth0's "Avoid Common Issues with Resource Owner Password Flow and Attack
//! Protection"). From anyone else the header is ignored, so rotating it blocks all the same.

use axum::http::HeaderMap;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::model::{Client, Connection, LoginBlock, Ticket, TicketKind};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tickets::DEFAULT_TICKET_TTL;
use crate::auth0::tenant::users::User;
use crate::auth0::wire::mail;
use crate::auth0::wire::paths::UNBLOCK_PATH;
use crate::core::onetime::Redemption;
use crate::core::peer::Peer;

/// The IP counted when a request came on no socket (a router driven in-process; inf: every
/// such caller stands for a loopback one).
const LOCAL_IP: &str = "127.0.0.1";

/// The header a trusted backend names its user's IP in (doc).
pub const FORWARDED_FOR: &str = "auth0-forwarded-for";

/// The IP a login attempt is counted against when no trusted header speaks for the user: the
/// caller's own address.
pub fn caller_ip(peer: Peer) -> String {
    peer.0.map_or_else(|| LOCAL_IP.to_owned(), |ip| ip.to_string())
}

/// The IP a password grant is counted against: the first address of `auth0-forwarded-for`
/// when `client` trusts the header and authenticated this request (`authenticated`: it
/// presented its secret), else the caller's own.
pub fn token_endpoint_ip(headers: &HeaderMap, peer: Peer, client: &Client, authenticated: bool) -> String {
    let trusted = authenticated && client.login.ip_header_trusted && !client.login.is_public();
    headers
        .get(FORWARDED_FOR)
        .filter(|_| trusted)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').next().unwrap_or_default().trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| caller_ip(peer))
}

/// Why a password login was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The identifier is blocked from this IP (already, or by this very failure).
    Blocked,
    /// No user has this identifier (never counted: nobody is blocked for it).
    UnknownUser,
    /// The user exists and the password is wrong (counted).
    WrongPassword,
}

/// One password login attempt: who it claims to be, with what, from where.
pub struct Attempt<'a> {
    /// The identifier (email), lowercase.
    pub identifier: &'a str,
    pub password: &'a str,
    pub ip: &'a str,
}

/// The attack-protection check every password login shares: refuses an identifier blocked from
/// the attempt's IP, checks the password of the user `in_connection` picks, counts a wrong one
/// (blocking at the threshold) and resets the count on a right one. Returns the user.
pub fn verify_password(
    tenant: &Tenant,
    state: &mut TenantState,
    attempt: &Attempt<'_>,
    in_connection: impl Fn(&User) -> bool,
) -> Result<User, Refusal> {
    let user = state
        .users()
        .iter()
        .find(|u| u.email == attempt.identifier && in_connection(u))
        .cloned();
    // A connection with `brute_force_protection` off neither counts its failures nor honours
    // blocks (inf: a block recorded while it was on waits until it is on again).
    let protected = user.as_ref().is_none_or(|u| {
        state
            .connection_by_name(&u.connection)
            .is_none_or(Connection::brute_force_protected)
    });
    if protected && is_blocked(state, attempt.identifier, attempt.ip) {
        return Err(Refusal::Blocked);
    }
    let user = user.ok_or(Refusal::UnknownUser)?;
    if !user
        .password
        .as_ref()
        .is_some_and(|hash| hash.matches(attempt.password))
    {
        return Err(if protected && record_failure(tenant, state, &user, attempt.ip) {
            Refusal::Blocked
        } else {
            Refusal::WrongPassword
        });
    }
    record_success(state, attempt.identifier, attempt.ip);
    // An imported hash is replaced at the first correct login (obs, C-106101: "re-hash the
    // password using bcrypt, then delete the old imported hash"); authmock's own digest stands
    // in for bcrypt as for every stored password.
    if user.password.as_ref().is_some_and(|h| h.as_legacy().is_some()) {
        let fresh = crate::core::password::PasswordHash::new(state.rng(), attempt.password);
        if let Some(stored) = state.user_mut(&user.user_id) {
            stored.password = Some(fresh);
        }
    }
    Ok(user)
}

/// Whether `identifier` is blocked from `ip`.
fn is_blocked(state: &TenantState, identifier: &str, ip: &str) -> bool {
    state
        .brute_force
        .blocks
        .iter()
        .any(|b| b.identifier == identifier && b.ip == ip)
}

/// Counts a wrong password of `user`; at the threshold, blocks and mails the unblock link and
/// answers true (this attempt is refused as blocked).
fn record_failure(tenant: &Tenant, state: &mut TenantState, user: &User, ip: &str) -> bool {
    let threshold = state.brute_force.threshold;
    if threshold == 0 {
        return false;
    }
    let count = state.brute_force.failures.get_or_insert(
        (user.email.clone(), ip.to_owned()),
        || 0,
        |_, _| false,
        |n| i64::from(*n),
    );
    *count += 1;
    if *count < threshold {
        return false;
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
    let draft = mail::unblock(state.sender_name(tenant.name()), &user.recipient(), ip, &link);
    state
        .outbox
        .capture(&mut state.rng, draft, now.now(), &tenant.address().host);
    true
}

/// A successful login starts the count again.
fn record_success(state: &mut TenantState, identifier: &str, ip: &str) {
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
