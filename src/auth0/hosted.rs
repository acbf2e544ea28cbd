//! The hosted password-reset page, the only place a ticket can be redeemed (facts §7).
//!
//! `GET /u/reset-password?ticket=…` (New Universal Login) and `GET /lo/reset?ticket=…` (Classic)
//! render the form; a POST to the same URL checks the per-ticket CSRF token, the confirmation and
//! the connection's password policy, then sets the password and consumes the ticket. Texts are the
//! documented screen texts (facts §7, DOC-text); markup and field names are authmock's own.
//!
//! Statuses (inf: the provider's are not documented): the form 200, a re-rendered form with an
//! error 400, ticket error screens 400, a bad CSRF token 403 on the generic error page.

use std::collections::HashMap;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rand::RngExt as _;
use rand::distr::Alphanumeric;

use super::RequestId;
use super::error::with_hint;
use super::extract::read_capped;
use crate::core::onetime::Redemption;
use crate::core::password::PasswordHash;
use crate::core::tenant::{Tenant, TenantState, Ticket, TicketKind};

pub const UNIVERSAL_RESET_PATH: &str = "/u/reset-password";
pub const CLASSIC_RESET_PATH: &str = "/lo/reset";

/// Form posts are a few hundred bytes; anything bigger is not a browser filling this form.
const MAX_FORM_BYTES: usize = 64 * 1024;

// facts §7 (DOC-text), screen `reset-password`.
const FORM_TITLE: &str = "Change Your Password";
const FORM_DESCRIPTION: &str = "Enter a new password below to change your password.";
const FORM_BUTTON: &str = "Reset password";
const PASSWORD_MISSING: &str = "Enter a new password.";
const CONFIRMATION_MISSING: &str = "New password confirmation is missing";
const PASSWORDS_DIFFER: &str = "Passwords don't match";
const SUCCESS_TITLE: &str = "Password Changed!";
const SUCCESS_DESCRIPTION: &str = "Your password has been changed successfully.";
// facts §7 (DOC-text), screen `reset-password-error`.
const EXPIRED_TITLE: &str = "Link Expired";
const INVALID_TITLE: &str = "Invalid Link";
const EXPIRED_DESCRIPTION: &str =
    "To reset your password, return to the login page and select \"Forgot Your Password\" to send a new email.";
const USED_DESCRIPTION: &str = "This link has already been used. To reset your password, return to the login page \
                                and select \"Forgot Your Password\" to send a new email.";
const GENERIC_DESCRIPTION: &str =
    "Something went wrong. Please return to the login page and select \"Forgot Your Password\" to try again.";
/// inf: the policy screen text; the rules that failed follow it.
const TOO_WEAK: &str = "Password is too weak";
/// inf: what Classic Login appends to `result_url` after a reset (facts §7 documents
/// `success`/`message` and `Access expired.` for failures).
const CLASSIC_SUCCESS_MESSAGE: &str = "You can now login to the application with the new password.";
const CLASSIC_EXPIRED_MESSAGE: &str = "Access expired.";

#[derive(Debug, serde::Deserialize)]
pub struct TicketQuery {
    ticket: Option<String>,
}

/// `GET`: the form for a live ticket, or the error screen that says why not.
#[tracing::instrument(skip_all)]
pub async fn show(State(tenant): State<Tenant>, uri: Uri, Query(query): Query<TicketQuery>) -> Response {
    let secret = query.ticket.unwrap_or_default();
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let ticket = match live_ticket(&state, &secret, now) {
        Ok(ticket) => ticket.clone(),
        Err(refusal) => return refusal.respond(&tenant, uri.path()),
    };
    let state = &mut *state;
    let csrf = state
        .form_tokens
        .entry(secret.clone())
        .or_insert_with(|| {
            (&mut state.rng)
                .sample_iter(Alphanumeric)
                .take(32)
                .map(char::from)
                .collect()
        })
        .clone();
    let email = state.user(&ticket.user_id).map(|u| u.email.clone()).unwrap_or_default();
    let page = form_page(tenant.name(), uri.path(), &secret, &csrf, &email, None);
    with_hint(
        html(StatusCode::OK, page),
        format!("reset form for {email}; the ticket stays valid until the form is submitted"),
    )
}

/// `POST`: check, set the password, consume the ticket, then the success screen or a redirect.
#[tracing::instrument(skip_all)]
pub async fn submit(State(tenant): State<Tenant>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or(RequestId(String::new()));
    let secret = Query::<TicketQuery>::try_from_uri(req.uri())
        .ok()
        .and_then(|q| q.0.ticket)
        .unwrap_or_default();
    let Ok((_, bytes)) = read_capped(req, MAX_FORM_BYTES).await else {
        return generic_error(
            &tenant,
            &request_id,
            StatusCode::PAYLOAD_TOO_LARGE,
            "the form body is too large",
        );
    };
    let Ok(form) = serde_urlencoded::from_bytes::<HashMap<String, String>>(&bytes) else {
        return generic_error(
            &tenant,
            &request_id,
            StatusCode::BAD_REQUEST,
            "the form body is not url-encoded",
        );
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let now = tenant.clock();
    let mut state = tenant.state();
    let ticket = match live_ticket(&state, &secret, now.unix()) {
        Ok(ticket) => ticket.clone(),
        Err(refusal) => return refusal.respond(&tenant, &path),
    };
    let csrf = state.form_tokens.get(&secret).cloned();
    if csrf.is_none() || csrf.as_deref() != Some(field("_csrf")) {
        return generic_error(
            &tenant,
            &request_id,
            StatusCode::FORBIDDEN,
            "invalid or missing CSRF token: load the form with GET first and post its hidden `_csrf` field back",
        );
    }
    let csrf = csrf.unwrap_or_default();
    let Some(user) = state.user(&ticket.user_id).cloned() else {
        return generic_error(
            &tenant,
            &request_id,
            StatusCode::BAD_REQUEST,
            "the ticket's user no longer exists",
        );
    };
    let policy = state
        .connection_by_name(&user.connection)
        .map(|c| c.password_policy)
        .unwrap_or_default();
    let password = field("password");
    let confirmation = field("confirm_password");
    let problem = if password.is_empty() {
        Some(PASSWORD_MISSING.to_owned())
    } else if confirmation.is_empty() {
        Some(CONFIRMATION_MISSING.to_owned())
    } else if password != confirmation {
        Some(PASSWORDS_DIFFER.to_owned())
    } else {
        policy
            .check(password)
            .err()
            .map(|weakness| format!("{TOO_WEAK}: {weakness}"))
    };
    if let Some(problem) = problem {
        let page = form_page(tenant.name(), &path, &secret, &csrf, &user.email, Some(&problem));
        return with_hint(
            html(StatusCode::BAD_REQUEST, page),
            format!("{problem}; the ticket was not used and the form can be submitted again"),
        );
    }
    // Checked above under the same lock, so redeeming cannot fail here.
    if let Err(reason) = state.tickets.redeem(&secret, now.unix()) {
        return Refusal::Ticket(reason, None).respond(&tenant, &path);
    }
    state.form_tokens.remove(&secret);
    let hash = PasswordHash::new(&mut state.rng, password);
    let at = now.now();
    let login_uri = ticket
        .client_id
        .as_deref()
        .and_then(|id| state.client(id))
        .and_then(|c| c.login_uri.clone());
    if let Some(user) = state.user_mut(&ticket.user_id) {
        user.password = Some(hash);
        user.fixture_password = None;
        user.last_password_reset = Some(at);
        user.updated_at = at;
        if ticket.mark_email_as_verified {
            user.email_verified = true;
        }
    }
    drop(state);
    let hint = format!("password of {} changed; the ticket is now used", user.email);
    if let Some(result_url) = &ticket.result_url {
        let mut params = vec![("success", "true"), ("message", CLASSIC_SUCCESS_MESSAGE)];
        if ticket.include_email_in_redirect {
            params.push(("email", &user.email));
        }
        return with_hint(redirect(result_url, &params), hint);
    }
    if let Some(login_uri) = login_uri {
        return with_hint(found(&login_uri), hint);
    }
    let body = format!("<h1>{SUCCESS_TITLE}</h1>\n<p>{SUCCESS_DESCRIPTION}</p>\n",);
    with_hint(html(StatusCode::OK, page(tenant.name(), &body)), hint)
}

/// Why the page cannot offer the form.
enum Refusal {
    /// The ticket cannot be redeemed; with the Classic `result_url` to report to, if any.
    Ticket(Redemption, Option<String>),
    /// The ticket is for another screen (email verification).
    WrongKind,
}

fn live_ticket<'s>(state: &'s TenantState, secret: &str, now: i64) -> Result<&'s Ticket, Refusal> {
    match state.tickets.check(secret, now) {
        Ok(entry) if entry.payload.kind == TicketKind::PasswordChange => Ok(&entry.payload),
        Ok(_) => Err(Refusal::WrongKind),
        Err(reason) => {
            let result_url = state
                .tickets
                .peek(secret)
                .and_then(|entry| entry.payload.result_url.clone());
            Err(Refusal::Ticket(reason, result_url))
        }
    }
}

impl Refusal {
    fn respond(self, tenant: &Tenant, path: &str) -> Response {
        let (title, description, hint) = match &self {
            Refusal::Ticket(Redemption::Expired { secs_ago }, result_url) => {
                // facts §7: Classic Login reports failures to `result_url`.
                if let Some(url) = result_url.as_deref().filter(|_| path == CLASSIC_RESET_PATH) {
                    let params = [("success", "false"), ("message", CLASSIC_EXPIRED_MESSAGE)];
                    return with_hint(
                        redirect(url, &params),
                        format!("the ticket expired {secs_ago} s ago on the tenant clock"),
                    );
                }
                (
                    EXPIRED_TITLE,
                    EXPIRED_DESCRIPTION,
                    format!(
                        "the ticket expired {secs_ago} s ago on the tenant clock: request a new one \
                         (tickets live ttl_sec, 432000 s by default)"
                    ),
                )
            }
            Refusal::Ticket(Redemption::Used, _) => (
                INVALID_TITLE,
                USED_DESCRIPTION,
                "the ticket was already used: a ticket works once".to_owned(),
            ),
            Refusal::Ticket(Redemption::Superseded, _) => (
                INVALID_TITLE,
                GENERIC_DESCRIPTION,
                "a newer ticket was issued for this user: only the most recent reset link works".to_owned(),
            ),
            Refusal::Ticket(Redemption::Unknown, _) => (
                INVALID_TITLE,
                GENERIC_DESCRIPTION,
                "no such ticket on this tenant: copy the whole `ticket` value from the link (everything \
                 before `#`)"
                    .to_owned(),
            ),
            Refusal::WrongKind => (
                INVALID_TITLE,
                GENERIC_DESCRIPTION,
                "this ticket is not a password-change ticket".to_owned(),
            ),
        };
        let body = format!(
            "<h1>{title}</h1>\n<p class=\"error\">{}</p>\n",
            html_escape::encode_text(description)
        );
        with_hint(html(StatusCode::BAD_REQUEST, page(tenant.name(), &body)), hint)
    }
}

/// facts §7: the generic hosted error page (`Oops!, something went wrong`, the error, and a
/// tracking id). The tracking id is the request id the router's middleware adds.
fn generic_error(tenant: &Tenant, request_id: &RequestId, status: StatusCode, detail: &str) -> Response {
    let tracking = &request_id.0;
    let body = format!(
        "<h1>Oops!, something went wrong</h1>\n<p><strong>invalid_request</strong>: {}</p>\n\
         <p class=\"tracking\">TRACKING ID: {tracking}</p>\n",
        html_escape::encode_text(detail)
    );
    with_hint(html(status, page(tenant.name(), &body)), detail.to_owned())
}

/// The form, with an error line when a submission was refused.
fn form_page(tenant_name: &str, path: &str, secret: &str, csrf: &str, email: &str, error: Option<&str>) -> String {
    let action = format!("{path}?ticket={}", percent_encoding::utf8_percent_encode(secret, QUERY));
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\">{}</p>\n",
                html_escape::encode_text(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{FORM_TITLE}</h1>\n<p>{FORM_DESCRIPTION}</p>\n<p class=\"account\">{email}</p>\n{error}\
         <form method=\"post\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">\n\
         <label for=\"password\">New password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\">\n\
         <label for=\"confirm_password\">Re-enter new password</label>\n\
         <input id=\"confirm_password\" name=\"confirm_password\" type=\"password\" autocomplete=\"new-password\">\n\
         <button type=\"submit\" name=\"action\" value=\"reset-password\">{FORM_BUTTON}</button>\n\
         </form>\n",
        email = html_escape::encode_text(email),
        action = html_escape::encode_double_quoted_attribute(&action),
        csrf = html_escape::encode_double_quoted_attribute(csrf),
    );
    page(tenant_name, &body)
}

/// The page frame: the tenant name as title (facts §7, generic error page).
pub(crate) fn page(tenant_name: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:24rem;margin:4rem auto}}label,input,button{{display:block;\
         width:100%;margin:.4rem 0}}.error{{color:#b00020}}</style>\n</head>\n<body>\n<main>\n{body}</main>\n\
         </body>\n</html>\n",
        title = html_escape::encode_text(tenant_name),
    )
}

pub(crate) fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        page,
    )
        .into_response()
}

/// A 302 to `url` with `params` appended to its query.
pub(crate) fn redirect(url: &str, params: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut location = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        location.push('#');
        location.push_str(fragment);
    }
    found(&location)
}

/// `302 Found`, what a browser follows with a GET after a form post.
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "redirect target is not a valid header value").into_response(),
    }
}

/// Characters escaped in a query value.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
