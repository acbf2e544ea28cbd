//! `grant_type=refresh_token` for tokens from browser logins: rotation, reuse detection and
//! lifetimes on the tenant clock (facts auth0-login.md §4), and `mfa_required` for a login that
//! passed no second factor once MFA applies (auth0-mfa-orgs.md A1).
//!
//! A rotating family keeps exactly one live token; exchanging it returns a new one. The token
//! rotated away last still works inside the client's `leeway`. Presenting any other spent token
//! is reuse: the whole family is revoked and every token of it answers the generic
//! `Unknown or invalid refresh token.` from then on. Rotating families expire `token_lifetime`
//! after the login (never extended) or `idle_token_lifetime` after their last use.

use crate::auth0::authentication::mfa_required;
use crate::auth0::authentication::params::{Params, TokenBody};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::guardian::Pending;
use crate::auth0::tenant::logins::{Family, Revocation};
use crate::auth0::tenant::mfa;
use crate::auth0::tenant::model::Client;
use crate::auth0::tenant::rbac::apply_rbac_in;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tokens::{ACCESS_TOKEN_TTL, Grant};
use crate::auth0::wire::oauth_error::OAuthError;

/// Whether `token` has the shape of the refresh tokens this module issues (`v1.M…`).
pub(super) fn is_family_token(params: &Params) -> bool {
    params.get("refresh_token").is_some_and(|t| t.starts_with("v1."))
}

pub(super) fn exchange(
    tenant: &Tenant,
    state: &mut TenantState,
    client: &Client,
    params: &Params,
) -> Result<TokenBody, OAuthError> {
    let presented = params.require("refresh_token")?.to_owned();
    let now = tenant.clock().unix();
    let refused = |reason: String| OAuthError::InvalidRefreshToken {
        reason: format!("refresh token refused: {reason}"),
    };
    let family_id = state
        .logins()
        .refresh_tokens
        .get(&presented)
        .map(|t| t.family)
        .ok_or_else(|| refused("no such refresh token was issued by this tenant".into()))?;
    let family = state
        .logins_mut()
        .0
        .families
        .get_mut(&family_id)
        .ok_or_else(|| refused("the token's family is gone".into()))?;
    if family.client_id != client.client_id {
        return Err(refused(format!(
            "the token was issued to another application ({})",
            family.client_id
        )));
    }
    match family.revoked {
        Some(Revocation::ReuseDetected) => {
            return Err(refused(
                "the token's family was revoked after a spent token was reused".into(),
            ));
        }
        Some(Revocation::Revoked) => return Err(refused("the token was revoked".into())),
        Some(Revocation::CodeReplayed) => {
            return Err(refused(
                "the token's family was revoked when the authorization code it came from was presented again".into(),
            ));
        }
        None => {}
    }
    let policy = family.policy;
    if policy.rotating {
        if now >= family.created_at + policy.token_lifetime {
            return Err(refused(format!(
                "the family reached its absolute lifetime ({} s) on the tenant clock",
                policy.token_lifetime
            )));
        }
        if now >= family.last_used + policy.idle_token_lifetime {
            return Err(refused(format!(
                "the token was idle longer than idle_token_lifetime ({} s)",
                policy.idle_token_lifetime
            )));
        }
        let in_leeway = matches!(&family.previous, Some((prev, at)) if *prev == presented && now < at + policy.leeway);
        if presented != family.current && !in_leeway {
            family.revoked = Some(Revocation::ReuseDetected);
            return Err(refused(
                "reuse detected: this token was already exchanged, so its whole family is now revoked".into(),
            ));
        }
    }
    let family: Family = family.clone();
    let user = match state.user(&family.user_id) {
        Some(user) => user.clone(),
        None => return Err(OAuthError::RefreshUserGone),
    };
    if user.is_blocked() {
        return Err(OAuthError::RefreshUserBlocked);
    }
    let scope = match params.get("scope") {
        None => family.scope.clone(),
        Some(requested) => {
            let granted: Vec<&str> = family.scope.split_whitespace().collect();
            let extra: Vec<String> = requested
                .split_whitespace()
                .filter(|s| !granted.contains(s))
                .map(str::to_owned)
                .collect();
            if !extra.is_empty() {
                return Err(OAuthError::ScopeBeyondGrant { extra });
            }
            requested.to_owned()
        }
    };
    // doc (DOC-mfa-ropg, facts A1: `refresh_token` is among the grants that answer it): a
    // family whose login passed no second factor answers `mfa_required` once MFA applies to its
    // user, as the refresh tokens of the password grant do (`token.rs`); the token stays live.
    if !family.mfa
        && let Some(why) = mfa::required(state, &user.user_id, false)
    {
        let pending = Pending::new(
            &client.client_id,
            &user.user_id,
            family.audience.as_deref(),
            &scope,
            "refresh_token",
        );
        return Err(mfa_required::answer(tenant, state, pending, why));
    }
    // A family of a login through an organization stays in it: its tokens name it and its
    // member roles grant the permissions (facts B6).
    let organization = family.organization.as_deref();
    let (scope, permissions) = apply_rbac_in(state, &user.user_id, organization, family.audience.as_deref(), &scope);
    let org_claims = organization.and_then(|org| state.organization_claims(org));
    let grant = Grant {
        client_id: &client.client_id,
        user: &user,
        audience: family.audience.as_deref(),
        scope: &scope,
        sid: &family.sid,
        auth_time: family.auth_time,
        gty: Some("refresh_token"),
        permissions,
        id_token_ttl: client.id_token_lifetime,
        organization: org_claims.as_ref(),
    };
    // obs (go-auth0 recording): access_token, expires_in, [id_token,] token_type, scope,
    // refresh_token (the last only when rotating).
    let mut body = TokenBody::default();
    body.access_token(grant.issue_access_token(tenant, state, ACCESS_TOKEN_TTL));
    body.value("expires_in", ACCESS_TOKEN_TTL);
    if grant.has_scope("openid") {
        body.jwt("id_token", grant.id_token(tenant, None));
    }
    body.value("token_type", "Bearer");
    body.value("scope", scope);
    if let Some(f) = state.logins_mut().0.families.get_mut(&family_id) {
        f.last_used = now;
    }
    if policy.rotating
        && let (logins, rng) = state.logins_mut()
        && let Some(token) = logins.rotate(rng, family_id, now)
    {
        body.value("refresh_token", token);
    }
    Ok(body)
}
