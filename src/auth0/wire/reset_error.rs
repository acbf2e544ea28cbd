//! The hosted reset page's error screens (facts §7; statuses are inf: the provider's are not
//! documented): the page the provider shows, a Classic Login report to `result_url`, or the form
//! again with the problem shown.

use axum::http::StatusCode;
use axum::response::Response;

use crate::auth0::wire::paths::CLASSIC_RESET_PATH;
use crate::auth0::wire::respond::{html, redirect, with_hint};
use crate::auth0::wire::text;
use crate::core::onetime::{Redemption, evicted_hint};

/// Why the hosted reset page cannot do what was asked, rendered as the page the provider shows
/// (facts §7; statuses are inf: the provider's are not documented).
#[derive(Debug)]
pub(crate) enum ResetError {
    /// The ticket cannot be redeemed; with the Classic `result_url` to report to, if any.
    Ticket(Redemption, Option<String>),
    /// The ticket is for another screen (email verification).
    WrongKind,
    /// The generic error page (a bad CSRF token, an unreadable form…).
    Generic { status: StatusCode, detail: String },
    /// The form again with the problem shown; the ticket stays usable.
    Retry {
        problem: String,
        email: String,
        csrf: String,
    },
}

/// What a hosted page is rendered for: the tenant's name (the page title), the path and ticket
/// of the request, and its request id (the generic page's tracking id).
pub(crate) struct PageContext {
    pub(crate) tenant_name: String,
    pub(crate) path: String,
    pub(crate) secret: String,
    pub(crate) request_id: String,
}

impl ResetError {
    pub(crate) fn render(self, page: &PageContext) -> Response {
        let (title, description, hint) = match self {
            ResetError::Generic { status, detail } => {
                let body = text::generic_error_body(&detail, &page.request_id);
                return with_hint(html(status, text::page(&page.tenant_name, &body)), detail);
            }
            ResetError::Retry { problem, email, csrf } => {
                let form = text::form_page(
                    &page.tenant_name,
                    &page.path,
                    &page.secret,
                    &csrf,
                    &email,
                    Some(&problem),
                );
                return with_hint(
                    html(StatusCode::BAD_REQUEST, form),
                    format!("{problem}; the ticket was not used and the form can be submitted again"),
                );
            }
            ResetError::Ticket(Redemption::Expired { secs_ago }, result_url) => {
                // facts §7: Classic Login reports failures to `result_url`.
                if let Some(url) = result_url.filter(|_| page.path == CLASSIC_RESET_PATH) {
                    let params = [("success", "false"), ("message", text::CLASSIC_EXPIRED_MESSAGE)];
                    return with_hint(
                        redirect(&url, &params),
                        format!("the ticket expired {secs_ago} s ago on the tenant clock"),
                    );
                }
                (
                    text::EXPIRED_TITLE,
                    text::EXPIRED_DESCRIPTION,
                    format!(
                        "the ticket expired {secs_ago} s ago on the tenant clock: request a new one \
                         (tickets live ttl_sec, 432000 s by default)"
                    ),
                )
            }
            ResetError::Ticket(Redemption::Used, _) => (
                text::INVALID_TITLE,
                text::USED_DESCRIPTION,
                "the ticket was already used: a ticket works once".to_owned(),
            ),
            ResetError::Ticket(Redemption::Superseded, _) => (
                text::INVALID_TITLE,
                text::GENERIC_DESCRIPTION,
                "a newer ticket was issued for this user: only the most recent reset link works".to_owned(),
            ),
            // The wire is the unknown ticket's: only the hint knows the store dropped it.
            ResetError::Ticket(Redemption::Evicted { capacity }, _) => (
                text::INVALID_TITLE,
                text::GENERIC_DESCRIPTION,
                format!(
                    "{} (GET /__authmock__/tenant counts evictions under `stores`); request a new one",
                    evicted_hint("ticket", "tenant", capacity)
                ),
            ),
            ResetError::Ticket(Redemption::Unknown, _) => (
                text::INVALID_TITLE,
                text::GENERIC_DESCRIPTION,
                "no such ticket on this tenant: copy the whole `ticket` value from the link (everything \
                 before `#`)"
                    .to_owned(),
            ),
            ResetError::WrongKind => (
                text::INVALID_TITLE,
                text::GENERIC_DESCRIPTION,
                "this ticket is not a password-change ticket".to_owned(),
            ),
        };
        let body = text::screen_body(title, description);
        with_hint(
            html(StatusCode::BAD_REQUEST, text::page(&page.tenant_name, &body)),
            hint,
        )
    }
}
