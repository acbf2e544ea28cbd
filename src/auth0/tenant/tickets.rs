//! Password-change tickets as the tenant keeps them: the default lifetime, and storing one for
//! its user (superseding the user's older ones) with the hosted-page URL that redeems it (facts
//! §3). Used by `POST /api/v2/tickets/password-change` and `/dbconnections/change_password`;
//! verification and unblock tickets are issued by `verification.rs` and `brute_force.rs`.

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::model::{LoginExperience, Ticket};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::paths::{CLASSIC_RESET_PATH, UNIVERSAL_RESET_PATH};

/// "If unspecified or set to 0, this value defaults to 432000 seconds (5 days)." (facts §3.1)
pub const DEFAULT_TICKET_TTL: i64 = 432_000;

/// Stores a password-change ticket for its user (superseding the user's older ones) and returns
/// the hosted-page URL that redeems it.
pub(crate) fn store_ticket(tenant: &Tenant, state: &mut TenantState, ticket: Ticket, ttl: i64) -> String {
    let now = tenant.clock().unix();
    let user_id = ticket.user_id.clone();
    let secret = state.tickets.issue(&mut state.rng, &user_id, ticket, now, ttl);
    // facts §3.2: the URL ends with `#`; Classic tenants use `/lo/reset`.
    let path = match state.login {
        LoginExperience::Universal => UNIVERSAL_RESET_PATH,
        LoginExperience::Classic => CLASSIC_RESET_PATH,
    };
    format!("{}{path}?ticket={secret}#", tenant.base_url())
}
