//! What the password and refresh grants need of multi-factor authentication: whether an audience
//! is the MFA API, and the `403 mfa_required` answer with a fresh `mfa_token` (facts
//! `auth0-mfa-orgs.md` A1, A2). `/mfa/*` is `mfa.rs`; the MFA grants are `token.rs`'s.

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::guardian::Pending;
use crate::auth0::tenant::mfa;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::mfa_error::MfaError;
use crate::auth0::wire::oauth_error::OAuthError;

/// The MFA API's audience ([`Tenant::is_mfa_audience`]).
pub(super) fn is_mfa_audience(tenant: &Tenant, audience: &str) -> bool {
    tenant.is_mfa_audience(audience)
}

/// The `403 mfa_required` of a grant MFA applies to, with a fresh `mfa_token`.
pub(super) fn answer(tenant: &Tenant, state: &mut TenantState, pending: Pending, why: String) -> OAuthError {
    let (mfa_token, requirements) = mfa::begin(state, tenant.clock().unix(), pending);
    OAuthError::Mfa(MfaError::Required {
        mfa_token,
        requirements,
        why,
    })
}
