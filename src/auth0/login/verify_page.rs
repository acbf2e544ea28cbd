//! The hosted page a verification link opens (facts `auth0-users.md` §4): it redeems the ticket
//! and marks the email verified, or shows why it cannot; Classic Login reports to `result_url`.

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::model::TicketKind;
use crate::auth0::wire::respond::{html, redirect, with_hint};
use crate::auth0::wire::text::page;
use crate::auth0::wire::text::verify::{
    ALREADY_VERIFIED, ERROR_TITLE, EXPIRED, INVALID, REDIRECT_SUCCESS, USED, VERIFIED, VERIFIED_TITLE,
};
use crate::core::onetime::Redemption;

#[derive(Debug, Deserialize)]
pub(super) struct TicketQuery {
    ticket: Option<String>,
}

/// The hosted page a verification link opens: redeems the ticket and marks the email verified
/// (statuses inf, as for the reset page: 200 on success, 400 on an error screen).
#[tracing::instrument(skip_all)]
pub(super) async fn verify(State(tenant): State<Tenant>, uri: Uri, Query(query): Query<TicketQuery>) -> Response {
    let secret = query.ticket.unwrap_or_default();
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let kind = state.tickets.check(&secret, now).map(|e| e.payload.kind);
    let outcome = match kind {
        Ok(TicketKind::EmailVerification) => state.tickets.redeem(&secret, now).map(|e| e.payload.clone()),
        Ok(_) => Err(Redemption::Unknown),
        Err(reason) => Err(reason),
    };
    let ticket = match outcome {
        Ok(ticket) => ticket,
        Err(reason) => {
            let (text, hint) = match reason {
                Redemption::Expired { .. } => (EXPIRED, "the verification link expired on the tenant clock"),
                Redemption::Used => (USED, "the verification link was already used"),
                _ => (INVALID, "no live verification ticket has this secret"),
            };
            return result_page(&tenant, uri.path(), StatusCode::BAD_REQUEST, ERROR_TITLE, text, hint);
        }
    };
    let Some(user) = state.user_mut(&ticket.user_id) else {
        return result_page(
            &tenant,
            uri.path(),
            StatusCode::BAD_REQUEST,
            ERROR_TITLE,
            INVALID,
            "the user no longer exists",
        );
    };
    let already = user.email_verified;
    user.email_verified = true;
    let email = user.email.clone();
    drop(state);
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
            &tenant,
            uri.path(),
            StatusCode::OK,
            VERIFIED_TITLE,
            ALREADY_VERIFIED,
            "the email was verified before",
        );
    }
    result_page(
        &tenant,
        uri.path(),
        StatusCode::OK,
        VERIFIED_TITLE,
        VERIFIED,
        &format!("{email} is verified"),
    )
}

fn result_page(tenant: &Tenant, _path: &str, status: StatusCode, title: &str, text: &str, hint: &str) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n",
        html_escape::encode_text(title),
        html_escape::encode_text(text)
    );
    with_hint(html(status, page(tenant.name(), &body)), hint.to_owned())
}
