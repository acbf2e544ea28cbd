//! The page a brute-force notification's link opens: it lifts the user's blocks (facts
//! `auth0-users.md` §5.2).

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

use crate::auth0::tenant::model::TicketKind;
use crate::auth0::tenant::{Tenant, brute_force};
use crate::auth0::wire::respond::{html, with_hint};
use crate::auth0::wire::text::page;
use crate::auth0::wire::text::unblock::{LINK_EXPIRED, LINK_USED, UNBLOCK_TITLE, UNBLOCKED};
use crate::core::onetime::Redemption;

#[derive(Debug, Deserialize)]
pub(super) struct TicketQuery {
    ticket: Option<String>,
}

/// The page the unblock link opens: lifts the user's brute-force blocks (statuses inf, as for
/// the other hosted pages).
#[tracing::instrument(skip_all)]
pub(super) async fn unblock_page(
    State(tenant): State<Tenant>,
    _uri: Uri,
    Query(query): Query<TicketQuery>,
) -> Response {
    let secret = query.ticket.unwrap_or_default();
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let redeemed = match state.tickets.check(&secret, now).map(|e| e.payload.kind) {
        Ok(TicketKind::Unblock) => state.tickets.redeem(&secret, now).map(|e| e.payload.user_id.clone()),
        Ok(_) => Err(Redemption::Unknown),
        Err(reason) => Err(reason),
    };
    let (status, text) = match redeemed {
        Ok(user_id) => {
            if let Some(email) = state.user(&user_id).map(|u| u.email.clone()) {
                brute_force::unblock_identifier(&mut state, &email);
            }
            (StatusCode::OK, UNBLOCKED)
        }
        Err(Redemption::Used) => (StatusCode::BAD_REQUEST, LINK_USED),
        Err(_) => (StatusCode::BAD_REQUEST, LINK_EXPIRED),
    };
    let body = format!("<h1>{UNBLOCK_TITLE}</h1>\n<p>{}</p>\n", html_escape::encode_text(text));
    with_hint(html(status, page(tenant.name(), &body)), text.to_owned())
}
