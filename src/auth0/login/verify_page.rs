//! The hosted page a verification link opens (facts `auth0-users.md` §4): it redeems the ticket
//! and marks the email verified, or shows why it cannot; Classic Login reports to `result_url`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::verification::{self, NotVerified, Verified};
use crate::auth0::wire::respond::{html, redirect, with_hint};
use crate::auth0::wire::text::page;
use crate::auth0::wire::text::verify::{
    ALREADY_VERIFIED, ERROR_TITLE, EXPIRED, INVALID, REDIRECT_SUCCESS, USED, VERIFIED, VERIFIED_TITLE,
};
use crate::core::onetime::{Redemption, evicted_hint};

#[derive(Debug, Deserialize)]
pub(super) struct TicketQuery {
    ticket: Option<String>,
}

/// The hosted page a verification link opens: redeems the ticket and marks the email verified
/// (statuses inf, as for the reset page: 200 on success, 400 on an error screen).
#[tracing::instrument(skip_all)]
pub(super) async fn verify(State(tenant): State<Tenant>, Query(query): Query<TicketQuery>) -> Response {
    let now = tenant.clock().unix();
    let redeemed = verification::redeem(&mut tenant.state(), &query.ticket.unwrap_or_default(), now);
    match redeemed {
        Ok(verified) => verified_page(&tenant, verified),
        Err(reason) => refused_page(&tenant, reason),
    }
}

/// Classic Login reports to `result_url` (facts §4); Universal Login shows the result screen.
fn verified_page(tenant: &Tenant, Verified { email, already, ticket }: Verified) -> Response {
    if let Some(url) = &ticket.result_url {
        let mut params = vec![("supportSignUp", "true"), ("supportForgotPassword", "true")];
        if ticket.include_email_in_redirect {
            params.push(("email", &email));
        }
        params.extend([("message", REDIRECT_SUCCESS), ("success", "true"), ("code", "success")]);
        return with_hint(redirect(url, &params), format!("{email} is verified"));
    }
    if already {
        return result_page(
            tenant,
            StatusCode::OK,
            VERIFIED_TITLE,
            ALREADY_VERIFIED,
            "the email was verified before",
        );
    }
    let hint = format!("{email} is verified");
    result_page(tenant, StatusCode::OK, VERIFIED_TITLE, VERIFIED, &hint)
}

/// The error screen for a link that verified nothing.
fn refused_page(tenant: &Tenant, reason: NotVerified) -> Response {
    let (text, hint) = match reason {
        NotVerified::Link(Redemption::Expired { .. }) => {
            (EXPIRED, "the verification link expired on the tenant clock".into())
        }
        NotVerified::Link(Redemption::Used) => (USED, "the verification link was already used".into()),
        // The wire is the unknown ticket's: only the hint knows the store dropped it.
        NotVerified::Link(Redemption::Evicted { capacity }) => (INVALID, evicted_hint("ticket", "tenant", capacity)),
        NotVerified::Link(_) => (INVALID, "no live verification ticket has this secret".into()),
        NotVerified::UserGone => (INVALID, "the user no longer exists".into()),
    };
    result_page(tenant, StatusCode::BAD_REQUEST, ERROR_TITLE, text, &hint)
}

fn result_page(tenant: &Tenant, status: StatusCode, title: &str, text: &str, hint: &str) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n",
        html_escape::encode_text(title),
        html_escape::encode_text(text)
    );
    with_hint(html(status, page(tenant.name(), &body)), hint.to_owned())
}
