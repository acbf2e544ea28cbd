//! Brute-force protection and the `user-blocks` endpoints (facts `auth0-users.md` §5).
//!
//! Failed password logins of an existing user are counted per identifier and IP (the
//! `auth0-forwarded-for` header when a backend sends one, else the caller; inf: authmock's
//! loopback callers all count as 127.0.0.1 otherwise). At the fixture's threshold (default 10)
//! the identifier is blocked from that IP: that attempt and every later one answer 429
//! `too_many_attempts`, and the user gets a mail whose link lifts the block. A success resets
//! the count. `DELETE /api/v2/user-blocks…`, the link and a password change lift blocks; none
//! of them touches the administrative `blocked` flag.

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::json;

use super::error::html;
use super::error::{Auth0Error, json_response, with_hint};
use super::extract::{BodySchema, MgmtQuery, ScopeSet, Scoped};
use super::payload::Schema;
use super::text::page;
use super::tickets::DEFAULT_TICKET_TTL;
use crate::auth0::tenant::{LoginBlock, Tenant, TenantState, Ticket, TicketKind, User};
use crate::core::outbox::{Address, Draft};

/// The page an unblock link opens (inf: the path is not documented).
pub const UNBLOCK_PATH: &str = "/u/unblock";
/// The IP counted when a request names none (inf).
const LOCAL_IP: &str = "127.0.0.1";
// facts §5.2 (DOC-text, DOC-old-tpl).
const UNBLOCK_TITLE: &str = "Unblock My Account";
const UNBLOCKED: &str = "Your account has been unblocked.";
const LINK_USED: &str = "This URL can be used only once";
const LINK_EXPIRED: &str = "Access expired.";

/// Scope of `GET /user-blocks…` (doc: OAS).
pub struct ReadBlocks;
impl ScopeSet for ReadBlocks {
    const ANY_OF: &'static [&'static str] = &["read:users"];
}

/// Scope of `DELETE /user-blocks…` (doc: OAS).
pub struct DeleteBlocks;
impl ScopeSet for DeleteBlocks {
    const ANY_OF: &'static [&'static str] = &["update:users"];
}

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
pub fn check(state: &TenantState, identifier: &str, ip: &str) -> Result<(), Auth0Error> {
    if state
        .brute_force
        .blocks
        .iter()
        .any(|b| b.identifier == identifier && b.ip == ip)
    {
        return Err(Auth0Error::TooManyAttempts {
            identifier: identifier.to_owned(),
        });
    }
    Ok(())
}

/// Counts a wrong password of `user`; at the threshold, blocks and mails the unblock link and
/// returns the 429 for this attempt.
pub fn record_failure(tenant: &Tenant, state: &mut TenantState, user: &User, ip: &str) -> Option<Auth0Error> {
    let threshold = state.brute_force.threshold;
    if threshold == 0 {
        return None;
    }
    if !state
        .brute_force
        .failures
        .contains_key(&(user.email.clone(), ip.to_owned()))
    {
        super::bounds::room_for_failure_counter(state);
    }
    let count = state
        .brute_force
        .failures
        .entry((user.email.clone(), ip.to_owned()))
        .or_insert(0);
    *count += 1;
    if *count < threshold {
        return None;
    }
    state.brute_force.failures.remove(&(user.email.clone(), ip.to_owned()));
    super::bounds::room_for_block(state);
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
    let draft = unblock_mail(tenant.name(), user, ip, &link);
    state
        .outbox
        .capture(&mut state.rng, draft, now.now(), &tenant.address().host);
    Some(Auth0Error::TooManyAttempts {
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

/// The notification mail (texts authmock's own; the template variables are the documented ones).
fn unblock_mail(tenant_name: &str, user: &User, ip: &str, link: &str) -> Draft {
    let text = format!(
        "Hello {name},\n\nYour {tenant_name} account ({email}) was blocked after multiple consecutive login \
         attempts from {ip}.\nUnblock it here:\n\n{link}\n",
        name = user.name,
        email = user.email,
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>Hello {name},</p>\n<p>Your {tenant} account ({email}) was blocked after \
         multiple consecutive login attempts from {ip}.</p>\n<p><a href=\"{href}\">{UNBLOCK_TITLE}</a></p>\n\
         </body></html>\n",
        name = html_escape::encode_text(&user.name),
        tenant = html_escape::encode_text(tenant_name),
        email = html_escape::encode_text(&user.email),
        ip = html_escape::encode_text(ip),
        href = html_escape::encode_double_quoted_attribute(link),
    );
    Draft {
        from: Address::new(tenant_name, super::mail::DEFAULT_SENDER),
        to: Address::new(user.name.clone(), user.email.clone()),
        subject: "Your account has been blocked".into(),
        text,
        html,
        tags: vec!["unblock".into()],
    }
}

#[derive(Debug, Deserialize)]
pub struct TicketQuery {
    ticket: Option<String>,
}

/// The page the unblock link opens: lifts the user's brute-force blocks (statuses inf, as for
/// the other hosted pages).
#[tracing::instrument(skip_all)]
pub async fn unblock_page(State(tenant): State<Tenant>, _uri: Uri, Query(query): Query<TicketQuery>) -> Response {
    let secret = query.ticket.unwrap_or_default();
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let redeemed = match state.tickets.check(&secret, now).map(|e| e.payload.kind) {
        Ok(TicketKind::Unblock) => state.tickets.redeem(&secret, now).map(|e| e.payload.user_id.clone()),
        Ok(_) => Err(crate::core::onetime::Redemption::Unknown),
        Err(reason) => Err(reason),
    };
    let (status, text) = match redeemed {
        Ok(user_id) => {
            if let Some(email) = state.user(&user_id).map(|u| u.email.clone()) {
                unblock_identifier(&mut state, &email);
            }
            (StatusCode::OK, UNBLOCKED)
        }
        Err(crate::core::onetime::Redemption::Used) => (StatusCode::BAD_REQUEST, LINK_USED),
        Err(_) => (StatusCode::BAD_REQUEST, LINK_EXPIRED),
    };
    let body = format!("<h1>{UNBLOCK_TITLE}</h1>\n<p>{}</p>\n", html_escape::encode_text(text));
    with_hint(html(status, page(tenant.name(), &body)), text.to_owned())
}

/// `identifier` (and the documented flag) of the by-identifier endpoints.
#[derive(Debug, Deserialize)]
pub struct IdentifierQuery {
    identifier: String,
    #[allow(dead_code)]
    consider_brute_force_enablement: Option<bool>,
}

/// The documented flag of the by-id endpoints.
#[derive(Debug, Deserialize)]
pub struct BlocksQuery {
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

fn user_by_path(state: &TenantState, path: Result<Path<String>, PathRejection>) -> Result<User, Auth0Error> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    // inf: the by-id endpoints answer the user resource's 404.
    state.user(&id).cloned().ok_or(Auth0Error::UserNotFound {
        user_id: Some(id),
        email: None,
    })
}

#[tracing::instrument(skip_all)]
pub async fn get_by_identifier(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadBlocks>,
    MgmtQuery(query): MgmtQuery<IdentifierQuery>,
) -> Response {
    let identifier = query.identifier.to_lowercase();
    let state = tenant.state();
    let body = blocked_for(state.brute_force.blocks.iter().filter(|b| b.identifier == identifier));
    json_response(StatusCode::OK, &body, "application/json; charset=utf-8")
}

#[tracing::instrument(skip_all)]
pub async fn delete_by_identifier(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteBlocks>,
    MgmtQuery(query): MgmtQuery<IdentifierQuery>,
) -> Response {
    unblock_identifier(&mut tenant.state(), &query.identifier);
    StatusCode::NO_CONTENT.into_response()
}

#[tracing::instrument(skip_all)]
pub async fn get_by_id(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadBlocks>,
    MgmtQuery(_query): MgmtQuery<BlocksQuery>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, Auth0Error> {
    let state = tenant.state();
    let user = user_by_path(&state, path)?;
    let body = blocked_for(state.brute_force.blocks.iter().filter(|b| b.user_id == user.user_id));
    Ok(json_response(StatusCode::OK, &body, "application/json; charset=utf-8"))
}

#[tracing::instrument(skip_all)]
pub async fn delete_by_id(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteBlocks>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, Auth0Error> {
    let mut state = tenant.state();
    let user = user_by_path(&state, path)?;
    unblock_identifier(&mut state, &user.email);
    Ok(StatusCode::NO_CONTENT.into_response())
}
