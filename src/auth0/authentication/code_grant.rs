//! `grant_type=authorization_code` at `/oauth/token` (facts auth0-login.md §3).
//!
//! Checks, in order: the code exists, is live (single use, 60 s on the tenant clock) and was
//! issued to this client → `redirect_uri` repeated if it was sent to `/authorize`, and equal →
//! PKCE: a code issued with a challenge redeems only with its verifier, and a public client
//! (auth method `none`) never redeems without one. Any attempt on a live code spends it (inf:
//! what RFC 6749 §4.1.2 asks of a server, so a stolen code cannot be retried with guesses). A
//! spent code presented again also revokes the refresh family and the opaque access token its
//! first redemption issued (RFC 6749 §4.1.2 "SHOULD revoke (when possible)"; JWT access tokens
//! are not recorded anywhere and cannot be revoked); the answer stays the spent code's.

use crate::auth0::authentication::params::{Params, TokenBody};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::logins::{CodeTokens, Family, FamilyGrant};
use crate::auth0::tenant::model::Client;
use crate::auth0::tenant::rbac::apply_rbac_in;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tokens::{ACCESS_TOKEN_TTL, AccessToken, Grant};
use crate::auth0::wire::oauth_error::OAuthError;
use crate::core::onetime::{Redemption, evicted_hint};

/// Redeems a code for tokens.
pub(super) fn exchange(
    tenant: &Tenant,
    state: &mut TenantState,
    client: &Client,
    params: &Params,
) -> Result<TokenBody, OAuthError> {
    let code = params.require("code")?;
    let now = tenant.clock().unix();
    let refused = |reason: String| OAuthError::InvalidAuthorizationCode {
        reason: format!("authorization code refused: {reason}"),
    };
    let issued_to = state
        .logins()
        .codes
        .peek(code)
        .map(|e| e.payload.request.client_id.clone());
    if issued_to.as_deref().is_some_and(|id| id != client.client_id) {
        return Err(refused(format!(
            "the code was issued to another application ({})",
            issued_to.unwrap_or_default()
        )));
    }
    let grant = match state.logins_mut().0.codes.redeem(code, now) {
        Ok(entry) => entry.payload.clone(),
        Err(Redemption::Expired { secs_ago }) => {
            return Err(refused(format!(
                "the code expired {secs_ago} s ago on the tenant clock (codes live {} s)",
                crate::auth0::tenant::logins::CODE_TTL
            )));
        }
        Err(Redemption::Used | Redemption::Superseded) => {
            // RFC 6749 §4.1.2: a replayed code revokes what its first use issued; the answer
            // stays the refusal of a spent code.
            let revoked = state.logins_mut().0.revoke_code_tokens(code);
            return Err(refused(if revoked {
                "the code was already redeemed: a code works once, and presenting it again revoked what its \
                 first use issued (the refresh token family, an opaque access token); a JWT access token cannot be \
                 revoked and lives out its lifetime"
                    .into()
            } else {
                "the code was already redeemed: a code works once".into()
            }));
        }
        Err(Redemption::Evicted { capacity }) => {
            return Err(refused(format!(
                "{}; redeem codes as soon as they arrive",
                evicted_hint("authorization code", "tenant", capacity)
            )));
        }
        Err(Redemption::Unknown) => return Err(refused("no such code was issued by this tenant".into())),
    };
    let request = &grant.request;
    match params.get("redirect_uri") {
        None if request.redirect_uri_sent => return Err(OAuthError::RedirectUriRequired),
        Some(sent) if sent != request.redirect_uri => {
            return Err(refused(format!(
                "redirect_uri {sent:?} differs from the {:?} sent to /authorize",
                request.redirect_uri
            )));
        }
        _ => {}
    }
    match (&request.code_challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if challenge.verifies(verifier) => {}
        (Some(challenge), verifier) => {
            return Err(OAuthError::CodeVerifierFailed {
                detail: match verifier {
                    None => "the code was issued with a code_challenge; send its code_verifier".into(),
                    Some(_) => format!("code_verifier does not match the {} code_challenge", challenge.method),
                },
            });
        }
        (None, _) if client.login.is_public() && params.get("client_secret").is_none() => {
            // inf: the provider's text for a public client redeeming without PKCE was not captured.
            return Err(OAuthError::CodeVerifierFailed {
                detail: "a public application must use PKCE: send code_challenge to /authorize and \
                         code_verifier here"
                    .into(),
            });
        }
        (None, _) => {}
    }
    let user = state
        .user(&grant.user_id)
        .cloned()
        .ok_or_else(|| refused("the code's user no longer exists".into()))?;
    let organization = request.organization.as_deref();
    let (scope, permissions) = apply_rbac_in(
        state,
        &user.user_id,
        organization,
        request.audience.as_deref(),
        &request.scope,
    );
    let org_claims = organization.and_then(|org| state.organization_claims(org));
    let tokens = Grant {
        client_id: &client.client_id,
        user: &user,
        audience: request.audience.as_deref(),
        scope: &scope,
        sid: &grant.sid,
        auth_time: grant.auth_time,
        gty: None,
        permissions,
        id_token_ttl: client.id_token_lifetime,
        organization: org_claims.as_ref(),
    };
    // facts §3: access_token, refresh_token, id_token, scope, expires_in, token_type.
    let mut body = TokenBody::default();
    let mut issued = CodeTokens::default();
    let access_token = tokens.issue_access_token(tenant, state, ACCESS_TOKEN_TTL);
    if let AccessToken::Opaque(token) = &access_token {
        issued.opaque_access_token = Some(token.clone());
    }
    body.access_token(access_token);
    if tokens.has_scope("offline_access") && client.grant_types.iter().any(|g| g == "refresh_token") {
        let mut family = Family::new(
            FamilyGrant {
                client_id: &client.client_id,
                policy: client.login.refresh,
                user_id: &user.user_id,
                audience: request.audience.as_deref(),
                scope: &request.scope,
                sid: grant.sid.clone(),
                auth_time: grant.auth_time,
            },
            now,
        );
        // The family's tokens stay in the organization (facts B6).
        family.organization = request.organization.clone();
        family.mfa = grant.mfa;
        let (logins, rng) = state.logins_mut();
        let token = logins.start_family(rng, family);
        issued.family = logins.refresh_tokens.get(&token).map(|t| t.family);
        body.value("refresh_token", token);
    }
    state.logins_mut().0.record_code_tokens(code, issued);
    if tokens.has_scope("openid") {
        let claims = tokens.id_token(tenant, request.nonce.as_deref());
        let claims = if grant.mfa {
            crate::auth0::tenant::tokens::with_mfa(claims)
        } else {
            claims
        };
        body.jwt("id_token", claims);
    }
    body.value("scope", scope.clone());
    body.value("expires_in", ACCESS_TOKEN_TTL);
    body.value("token_type", "Bearer");
    Ok(body)
}
