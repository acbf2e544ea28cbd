//! Claims of the tokens a browser login yields: the ID token and the user's access token
//! (facts auth0-login.md §5), built under the tenant lock and signed after it.

use serde_json::json;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::opaque_tokens::OpaqueGrant;
use crate::auth0::tenant::organizations::OrgClaims;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::users::User;
use crate::core::tokens::{self, Claims};

/// API access tokens live 86400 s, and so do `/userinfo`-only tokens from the code flow (facts
/// §5 lifetimes).
pub const ACCESS_TOKEN_TTL: i64 = 86_400;
/// A `/userinfo`-only token from the implicit flow lives 7200 s (facts §1.2, §5).
pub const IMPLICIT_USERINFO_TTL: i64 = 7_200;

/// The claims every user access token starts with, in the provider's order: `iss, sub, aud,
/// iat, exp` (facts auth0-login.md §5, auth0.md §1.4). `aud` is `[api, <base>/userinfo]` when
/// `openid` was asked for. Without an audience [`user_access_token`] issues an opaque token and
/// never builds these claims; the `/userinfo` audience alone stays for callers that sign anyway.
pub fn access_token_head(tenant: &Tenant, user_id: &str, audience: Option<&str>, scope: &str, ttl: i64) -> Claims {
    let userinfo = format!("{}userinfo", tenant.issuer());
    let openid = scope.split_whitespace().any(|s| s == "openid");
    let aud = match audience {
        Some(api) if openid => json!([api, userinfo]),
        Some(api) => json!(api),
        None => json!(userinfo),
    };
    let now = tenant.clock().unix();
    let mut claims = Claims::new();
    claims.insert("iss".into(), tenant.issuer().into());
    claims.insert("sub".into(), user_id.into());
    claims.insert("aud".into(), aud);
    claims.insert("iat".into(), now.into());
    claims.insert("exp".into(), (now + ttl).into());
    claims
}

/// A user access token as issued: a JWT for an API (signed after the tenant lock), or the
/// opaque, `/userinfo`-only token a login without an audience yields (facts §1.1 `audience`).
#[derive(Debug)]
pub enum AccessToken {
    Jwt(Claims),
    Opaque(String),
}

impl AccessToken {
    /// The token's wire value.
    pub fn sign(self, tenant: &Tenant) -> String {
        match self {
            Self::Jwt(claims) => tokens::sign(tenant.key(), &claims),
            Self::Opaque(token) => token,
        }
    }
}

/// Every grant that gives a user an access token (authorization code, implicit and hybrid,
/// refresh, password) issues it here: with an audience, the JWT `claims` builds (valid `ttl` s);
/// without one, an opaque token valid `ttl` s on the tenant clock, remembered for `/userinfo`.
pub fn user_access_token(
    tenant: &Tenant,
    state: &mut TenantState,
    audience: Option<&str>,
    holder: Holder<'_>,
    ttl: i64,
    claims: impl FnOnce() -> Claims,
) -> AccessToken {
    if audience.is_some() {
        return AccessToken::Jwt(claims());
    }
    let now = tenant.clock().unix();
    let grant = OpaqueGrant {
        user_id: holder.user_id.to_owned(),
        client_id: holder.client_id.to_owned(),
        scope: holder.scope.to_owned(),
        expires_at: now + ttl,
    };
    let token = state
        .logins
        .opaque_tokens
        .issue(&mut state.rng, &tenant.issuer(), grant, now);
    AccessToken::Opaque(token)
}

/// Whose access token, through which application, for what scope.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
}

/// Who logged in, through which application, for what.
pub struct Grant<'a> {
    pub client_id: &'a str,
    pub user: &'a User,
    pub audience: Option<&'a str>,
    pub scope: &'a str,
    pub sid: &'a str,
    pub auth_time: i64,
    /// `gty` is only sent for password, refresh and client-credentials grants (facts §5).
    pub gty: Option<&'static str>,
    /// The `permissions` claim, for APIs with RBAC and "Add Permissions in the Access Token"
    /// from `roles::apply_rbac`,
    /// which every user-token flow (password, refresh, code, implicit) goes through.
    pub permissions: Option<Vec<String>>,
    /// The application's ID-token lifetime (`Client::id_token_lifetime`).
    pub id_token_ttl: i64,
    /// The organization the login went through (`org_id`, `org_name` claims).
    pub organization: Option<&'a OrgClaims>,
}

impl Grant<'_> {
    pub fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split_whitespace().any(|s| s == wanted)
    }

    /// The user's access token, through [`user_access_token`].
    pub fn issue_access_token(&self, tenant: &Tenant, state: &mut TenantState, ttl: i64) -> AccessToken {
        let holder = Holder {
            user_id: &self.user.user_id,
            client_id: self.client_id,
            scope: self.scope,
        };
        user_access_token(tenant, state, self.audience, holder, ttl, || {
            self.access_token(tenant, ttl)
        })
    }

    /// [`access_token_head`], then `[gty,] azp, scope[, permissions]` (facts §5; auth0-users.md §6
    /// obs: `permissions` follows `scope`).
    fn access_token(&self, tenant: &Tenant, ttl: i64) -> Claims {
        let mut claims = access_token_head(tenant, &self.user.user_id, self.audience, self.scope, ttl);
        if let Some(gty) = self.gty {
            claims.insert("gty".into(), gty.into());
        }
        claims.insert("azp".into(), self.client_id.into());
        claims.insert("scope".into(), self.scope.into());
        // doc (DOC-org using-tokens): `org_id` between `scope` and `permissions` (facts §D).
        self.organization_claims(&mut claims);
        if let Some(permissions) = &self.permissions {
            claims.insert("permissions".into(), permissions.clone().into());
        }
        claims
    }

    /// Profile and email claims by scope, then `iss, aud, iat, exp, sub, auth_time, sid[, nonce]`
    /// (facts §5).
    pub fn id_token(&self, tenant: &Tenant, nonce: Option<&str>) -> Claims {
        let mut claims = profile_claims(self.user, self.scope);
        let now = tenant.clock().unix();
        claims.insert("iss".into(), tenant.issuer().into());
        claims.insert("aud".into(), self.client_id.into());
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), (now + self.id_token_ttl).into());
        claims.insert("sub".into(), self.user.user_id.clone().into());
        // doc (DOC-org using-tokens): `org_id` follows `sub` in the sample ID token, which shows
        // neither `auth_time` nor `sid` (inf: they follow it).
        self.organization_claims(&mut claims);
        claims.insert("auth_time".into(), self.auth_time.into());
        claims.insert("sid".into(), self.sid.into());
        if let Some(nonce) = nonce {
            claims.insert("nonce".into(), nonce.into());
        }
        claims
    }
}

/// The `acr` of a login that passed a second factor, and the value of `acr_values` that asks for
/// one (doc: facts A8, DOC-stepup; the segment is `policies`).
pub const MFA_ACR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/// An ID token of a browser login that passed a second factor: `acr` and `amr: ["mfa"]` right
/// after `exp` (doc/obs: facts A8). Tokens of silent logins, refreshes and the MFA grants carry
/// neither (doc: DOC-stepup).
pub fn with_mfa(claims: Claims) -> Claims {
    let mut out = Claims::new();
    for (name, value) in claims {
        let exp = name == "exp";
        out.insert(name, value);
        if exp {
            out.insert("acr".into(), MFA_ACR.into());
            out.insert("amr".into(), json!(["mfa"]));
        }
    }
    out
}

impl Grant<'_> {
    /// `org_id`, then `org_name` where the tenant accepts names (doc: DOC-org using-tokens; inf:
    /// `org_name` right after `org_id`, as in the documented M2M token).
    fn organization_claims(&self, claims: &mut Claims) {
        if let Some(org) = self.organization {
            claims.insert("org_id".into(), org.id.clone().into());
            if let Some(name) = &org.name {
                claims.insert("org_name".into(), name.clone().into());
            }
        }
    }
}

/// The user's profile claims a scope reveals, in the observed order (facts §5, §6).
pub fn profile_claims(user: &User, scope: &str) -> Claims {
    let has = |wanted: &str| scope.split_whitespace().any(|s| s == wanted);
    let mut claims = Claims::new();
    if has("profile") {
        if let Some(given) = &user.given_name {
            claims.insert("given_name".into(), given.clone().into());
        }
        if let Some(family) = &user.family_name {
            claims.insert("family_name".into(), family.clone().into());
        }
        claims.insert("nickname".into(), user.nickname.clone().into());
        claims.insert("name".into(), user.name.clone().into());
        claims.insert("picture".into(), user.picture.to_string().into());
        claims.insert(
            "updated_at".into(),
            crate::auth0::wire::format::timestamp(user.updated_at).into(),
        );
    }
    if has("email") {
        claims.insert("email".into(), user.email.clone().into());
        claims.insert("email_verified".into(), user.email_verified.into());
    }
    claims
}
