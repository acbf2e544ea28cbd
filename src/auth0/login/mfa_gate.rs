//! Whether a browser login owes a second factor, and which MFA page serves it (facts
//! auth0-mfa-orgs.md A8): read by `/authorize` (step-up), the login form (after the password) and
//! `/authorize/resume`; the pages themselves are `mfa_page.rs`.

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::logins::Transaction;
use crate::auth0::tenant::mfa::{self, PageStep};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tokens::MFA_ACR;
use crate::auth0::tenant::users::User;
use crate::auth0::wire::mfa_text::{CHALLENGE_PATH, ENROLMENT_PATH};
use crate::auth0::wire::respond::encode;

/// Whether `/authorize`'s `acr_values` asks for multi-factor (doc: DOC-stepup).
pub(super) fn asks_mfa(acr_values: Option<&str>) -> bool {
    acr_values.is_some_and(|v| v.split(' ').any(|value| value == MFA_ACR))
}

/// The MFA page for a user who owes a second factor, made ready: `Some(None)` the challenge,
/// `Some(Some((secret, uri)))` a new OTP enrolment, `None` nothing the pages serve (the login
/// goes on without a second factor; inf: SMS and email are not served on these pages).
pub(super) fn prepare(
    tenant: &Tenant,
    state: &mut TenantState,
    client_id: &str,
    user_id: &str,
) -> Option<Option<(String, String)>> {
    let user = state.user(user_id)?;
    let account = if user.email.is_empty() {
        user.user_id.clone()
    } else {
        user.email.clone()
    };
    let issuer = state.sender_name(tenant.name()).to_owned();
    match mfa::page_step(state, client_id, user_id, &issuer, &account, tenant.clock().unix()) {
        PageStep::Challenge => Some(None),
        PageStep::Enrol { secret, uri } => Some(Some((secret, uri))),
        PageStep::NotServed => None,
    }
}

/// `/u/mfa-otp-enrollment-qr?state=S` or `/u/mfa-otp-challenge?state=S`, relative (obs: A8).
pub(super) fn page_location(enrol: bool, ul_state: &str) -> String {
    let path = if enrol { ENROLMENT_PATH } else { CHALLENGE_PATH };
    format!("{path}?state={}", encode(ul_state))
}

/// The MFA page of a transaction that owes a second factor.
pub(super) fn location(transaction: &Transaction, ul_state: &str) -> String {
    page_location(transaction.mfa.enrolment.is_some(), ul_state)
}

/// After the password: whether the login owes a second factor, and if so the transaction
/// records who owes it and which page serves it. `remembered` is the `auth0-mf` cookie.
pub(super) fn owe(
    tenant: &Tenant,
    state: &mut TenantState,
    ul_state: &str,
    transaction: &Transaction,
    user: &User,
    remembered: Option<&str>,
) -> bool {
    let now = tenant.clock().unix();
    let requested = transaction.mfa.requested;
    let mfa_audience = transaction
        .request
        .audience
        .as_deref()
        .is_some_and(|a| tenant.is_mfa_audience(a));
    let remembered = !requested && mfa::browser_remembered(state, remembered, &user.user_id, now);
    if !mfa::login_owes(state, &user.user_id, requested, mfa_audience, remembered) {
        return false;
    }
    let Some(enrolment) = prepare(tenant, state, &transaction.request.client_id, &user.user_id) else {
        return false;
    };
    let Some(t) = state.logins_mut().0.transactions.get_mut(ul_state) else {
        return false;
    };
    t.mfa.owed_by = Some(user.user_id.clone());
    t.mfa.enrolment = enrolment;
    true
}
