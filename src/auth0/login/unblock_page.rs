//! The page a brute-force notification's link opens: it lifts the user's blocks (facts
//! `auth0-users.md` §5.2).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::auth0::tenant::{Tenant, brute_force};
use crate::auth0::wire::respond::{html, with_hint};
use crate::auth0::wire::text::page;
use crate::auth0::wire::text::unblock::{LINK_EXPIRED, LINK_USED, UNBLOCK_TITLE, UNBLOCKED};
use crate::core::onetime::{Redemption, evicted_hint};

#[derive(Debug, Deserialize)]
pub(super) struct TicketQuery {
    ticket: Option<String>,
}

/// The page the unblock link opens: lifts the user's brute-force blocks (statuses inf, as for
/// the other hosted pages).
#[tracing::instrument(skip_all)]
pub(super) async fn unblock_page(State(tenant): State<Tenant>, Query(query): Query<TicketQuery>) -> Response {
    let now = tenant.clock().unix();
    let redeemed = brute_force::redeem_unblock(&mut tenant.state(), &query.ticket.unwrap_or_default(), now);
    let (status, text, hint) = match redeemed {
        Ok(()) => (StatusCode::OK, UNBLOCKED, UNBLOCKED.to_owned()),
        Err(Redemption::Used) => (StatusCode::BAD_REQUEST, LINK_USED, LINK_USED.to_owned()),
        // The wire is the expired link's: only the hint knows the store dropped it.
        Err(Redemption::Evicted { capacity }) => (
            StatusCode::BAD_REQUEST,
            LINK_EXPIRED,
            evicted_hint("ticket", "tenant", capacity),
        ),
        Err(_) => (StatusCode::BAD_REQUEST, LINK_EXPIRED, LINK_EXPIRED.to_owned()),
    };
    let body = format!("<h1>{UNBLOCK_TITLE}</h1>\n<p>{}</p>\n", html_escape::encode_text(text));
    with_hint(html(status, page(tenant.name(), &body)), hint)
}
