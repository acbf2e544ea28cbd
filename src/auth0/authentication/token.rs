//! `POST /oauth/token`: client_credentials, password, password-realm, refresh_token and
//! authorization_code grants, with JSON or form bodies and client_secret_post or HTTP Basic.
//!
//! Success bodies and claims follow facts §1.2/§1.4 (claim order as observed); failures are the
//! §1.3 errors, checked in this order: grant_type present and known → client authentication →
//! grant type enabled on the client → grant-specific checks.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth0::authentication::mfa_required::{self, is_mfa_audience};
use crate::auth0::authentication::params::{AuthParams, Params, TokenBody, client_credentials};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::brute_force::{self, Attempt, Refusal};
use crate::auth0::tenant::custom_db::{self, ScriptRefusal};
use crate::auth0::tenant::guardian::{MFA_TOKEN_TTL, Pending};
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::logins::{Family, FamilyGrant};
use crate::auth0::tenant::mfa::{self, Proof};
use crate::auth0::tenant::model::{Client, MANAGEMENT_API, RefreshGrant};
use crate::auth0::tenant::quota::{self, QuotaDecision};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::tokens::{AccessToken, Holder, access_token_head, profile_claims, user_access_token};
use crate::auth0::tenant::users::User;
use crate::auth0::wire::mfa_error::MfaError;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::auth0::wire::respond::json_response;
use crate::core::peer::Peer;
use crate::core::tokens::Claims;

/// Access tokens for an API live 86400 s (facts §1.4, doc+obs).
pub(super) const ACCESS_TOKEN_TTL: i64 = 86_400;

pub(super) const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
pub(super) const GRANT_PASSWORD: &str = "password";
pub(super) const GRANT_PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
pub(super) const GRANT_REFRESH_TOKEN: &str = "refresh_token";
pub(super) const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
pub(super) const GRANT_MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub(super) const GRANT_MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
pub(super) const GRANT_MFA_RECOVERY_CODE: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

#[tracing::instrument(skip_all)]
pub(super) async fn token(
    State(tenant): State<Tenant>,
    peer: Peer,
    AuthParams(headers, params): AuthParams,
) -> Result<Response, OAuthError> {
    lazy_migration(&tenant, &headers, &params).await?;
    match grant(&tenant, &headers, peer, &params)? {
        Granted::Token(body, quota_header) => {
            // RS256 signing is the expensive part of a token request: it runs without the tenant lock.
            let mut response = token_response(body.sign(&tenant));
            if let Some(header) = quota_header {
                quota::report(response.headers_mut(), &header);
            }
            Ok(response)
        }
        Granted::OverQuota(refusal) => Ok(refusal),
    }
}

/// Lazy migration (`tenant/custom_db.rs`) before a password grant: for an application that
/// authenticates and may use the grant and the realm, a custom database's `login` script runs,
/// outside the lock, for an email the realm has no user for. The grant then checks the
/// credentials as any other; anything else wrong with the request is the grant's to answer.
async fn lazy_migration(tenant: &Tenant, headers: &HeaderMap, params: &Params) -> Result<(), OAuthError> {
    let grant_type = params.get("grant_type").unwrap_or_default();
    if grant_type != GRANT_PASSWORD && grant_type != GRANT_PASSWORD_REALM {
        return Ok(());
    }
    let (Some(username), Some(password)) = (params.get("username"), params.get("password")) else {
        return Ok(());
    };
    let realm = {
        let state = tenant.state();
        let (client_id, client_secret) = client_credentials(headers, params);
        let Ok(client) = authenticate_client(&state, client_id, client_secret, grant_type) else {
            return Ok(());
        };
        let realm = if grant_type == GRANT_PASSWORD_REALM {
            params.get("realm").map(str::to_owned)
        } else {
            state.default_directory().clone()
        };
        let usable = |realm: &String| {
            client.grant_types.iter().any(|g| g == grant_type)
                && state
                    .connection_by_name(realm)
                    .is_some_and(|c| c.enabled_for(&client.client_id))
        };
        match realm.filter(usable) {
            Some(realm) => realm,
            None => return Ok(()),
        }
    };
    match custom_db::migrate_on_login(tenant, &realm, username, password).await {
        Ok(_) => Ok(()),
        Err(ScriptRefusal::Unauthorized(message)) => Err(OAuthError::ScriptUnauthorized { message }),
        Err(ScriptRefusal::Failed(why)) => Err(OAuthError::ScriptFailed { why }),
    }
}

/// What a grant answers: a token body (unsigned) with the quota header to report, or the
/// quota's 429.
enum Granted {
    Token(TokenBody, Option<String>),
    OverQuota(Response),
}

/// Checks the client and the grant, then answers the grant type's token body (unsigned).
fn grant(tenant: &Tenant, headers: &HeaderMap, peer: Peer, params: &Params) -> Result<Granted, OAuthError> {
    let grant_type = params.require("grant_type")?.to_owned();
    if ![
        GRANT_CLIENT_CREDENTIALS,
        GRANT_PASSWORD,
        GRANT_PASSWORD_REALM,
        GRANT_REFRESH_TOKEN,
        GRANT_AUTHORIZATION_CODE,
        GRANT_MFA_OTP,
        GRANT_MFA_OOB,
        GRANT_MFA_RECOVERY_CODE,
    ]
    .contains(&grant_type.as_str())
    {
        return Err(OAuthError::UnsupportedGrantType { grant_type });
    }
    let (client_id, client_secret) = client_credentials(headers, params);
    // Checked against the client's secret below: a request that gets past it authenticated.
    let presented_secret = client_secret.is_some();
    let mut state = tenant.state();
    let client = authenticate_client(&state, client_id, client_secret, &grant_type)?.clone();
    crate::auth0::authentication::cors::check_token_origin(tenant, &client, headers)?;
    if !client.grant_types.contains(&grant_type) {
        return Err(OAuthError::GrantTypeNotAllowed {
            grant_type,
            client_id: client.client_id,
        });
    }
    match grant_type.as_str() {
        GRANT_CLIENT_CREDENTIALS => {
            let body = client_credentials_grant(tenant, &state, &client, params)?;
            // facts §1.3: the M2M token quota counts issued tokens on the tenant clock.
            Ok(
                match state.token_quotas_mut().take(&client.client_id, tenant.clock().unix()) {
                    QuotaDecision::Unlimited => Granted::Token(body, None),
                    QuotaDecision::Issued { header } => Granted::Token(body, Some(header)),
                    QuotaDecision::Exceeded {
                        quota,
                        reset,
                        retry_after,
                        header,
                    } => Granted::OverQuota(quota::refusal(quota, reset, retry_after, &header)),
                },
            )
        }
        GRANT_PASSWORD | GRANT_PASSWORD_REALM => {
            if client.organization_usage == crate::auth0::tenant::applications::OrganizationUsage::Require {
                return Err(OAuthError::GrantNeedsOrganization {
                    grant_type,
                    client_id: client.client_id,
                });
            }
            let ip = brute_force::token_endpoint_ip(headers, peer, &client, presented_secret);
            password_grant(tenant, &mut state, &client, params, &grant_type, &ip).map(|b| Granted::Token(b, None))
        }
        GRANT_REFRESH_TOKEN if crate::auth0::authentication::refresh::is_family_token(params) => {
            crate::auth0::authentication::refresh::exchange(tenant, &mut state, &client, params)
                .map(|b| Granted::Token(b, None))
        }
        GRANT_REFRESH_TOKEN => refresh_grant(tenant, &mut state, &client, params).map(|b| Granted::Token(b, None)),
        GRANT_MFA_OTP | GRANT_MFA_OOB | GRANT_MFA_RECOVERY_CODE => {
            mfa_grant(tenant, &mut state, &client, params, &grant_type).map(|b| Granted::Token(b, None))
        }
        _ => crate::auth0::authentication::code_grant::exchange(tenant, &mut state, &client, params)
            .map(|b| Granted::Token(b, None)),
    }
}

pub(super) fn authenticate_client<'s>(
    state: &'s TenantState,
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: &str,
) -> Result<&'s Client, OAuthError> {
    let Some(client_id) = client_id else {
        return Err(OAuthError::InvalidClient {
            client_id: None,
            known_client: false,
        });
    };
    let Some(client) = state.client(&client_id) else {
        return Err(OAuthError::InvalidClient {
            client_id: Some(client_id),
            known_client: false,
        });
    };
    // Public applications (SPA, native) log users in without a secret; confidential ones and
    // every client_credentials call must present theirs.
    let public = matches!(client.app_type.as_str(), "spa" | "native");
    let secret_ok = match client_secret {
        Some(secret) => secret == client.client_secret,
        None => public && grant_type != GRANT_CLIENT_CREDENTIALS,
    };
    if !secret_ok {
        return Err(OAuthError::InvalidClient {
            client_id: Some(client_id),
            known_client: true,
        });
    }
    Ok(client)
}

/// Which API an audience names, as the key grants are stored under.
fn resolve_audience(tenant: &Tenant, state: &TenantState, audience: &str) -> Result<String, OAuthError> {
    if tenant.is_management_audience(audience) {
        Ok(MANAGEMENT_API.to_owned())
    } else if state.apis().iter().any(|api| api.identifier == audience) {
        Ok(audience.to_owned())
    } else {
        Err(OAuthError::ServiceNotFound {
            audience: audience.to_owned(),
            management_audience: tenant.management_audience(),
        })
    }
}

fn client_credentials_grant(
    tenant: &Tenant,
    state: &TenantState,
    client: &Client,
    params: &Params,
) -> Result<TokenBody, OAuthError> {
    let audience = tenant
        .requested_audience(state, params.get("audience"))
        .ok_or(OAuthError::NoAudience)?;
    let audience = audience.as_str();
    let api = resolve_audience(tenant, state, audience)?;
    let granted = state
        .granted_scopes(&client.client_id, &api)
        .ok_or_else(|| OAuthError::ClientNotAuthorized {
            audience: audience.to_owned(),
            client_id: client.client_id.clone(),
        })?;
    let scopes: Vec<String> = match params.get("scope") {
        Some(requested) => {
            let requested: Vec<String> = requested.split_whitespace().map(str::to_owned).collect();
            let missing: Vec<String> = requested.iter().filter(|s| !granted.contains(s)).cloned().collect();
            if !missing.is_empty() {
                return Err(OAuthError::ScopesNotGranted { missing });
            }
            requested
        }
        None => granted.to_vec(),
    };
    let scope = scopes.join(" ");
    let organization = match state.grant(&client.client_id, &api) {
        Some(grant) => crate::auth0::tenant::organizations::client_credentials_organization(
            state,
            client,
            grant,
            audience,
            params.get("organization"),
        )?,
        None => None,
    };
    // The API's `token_lifetime` (obs: go-auth0 TestResourceServer_Create); the Management API's
    // is 86400 s unless a PATCH changed it.
    let ttl = if api == MANAGEMENT_API {
        state.management_api().token_lifetime()
    } else {
        state
            .apis()
            .iter()
            .find(|a| a.identifier == api)
            .map_or(ACCESS_TOKEN_TTL, |a| a.token_lifetime)
    };
    let now = tenant.clock().unix();
    let mut claims = Claims::new();
    claims.insert("iss".into(), tenant.issuer().into());
    claims.insert("sub".into(), format!("{}@clients", client.client_id).into());
    claims.insert("aud".into(), audience.into());
    claims.insert("iat".into(), now.into());
    claims.insert("exp".into(), (now + ttl).into());
    if !scope.is_empty() {
        claims.insert("scope".into(), scope.clone().into());
    }
    // doc (DOC-org using-tokens, M2M sample): `org_id`, `org_name` between `scope` and `gty`.
    if let Some(org) = organization {
        claims.insert("org_id".into(), org.id.into());
        if let Some(name) = org.name {
            claims.insert("org_name".into(), name.into());
        }
    }
    claims.insert("gty".into(), "client-credentials".into());
    claims.insert("azp".into(), client.client_id.clone().into());
    let mut body = TokenBody::default();
    body.jwt("access_token", claims);
    if !scope.is_empty() {
        body.value("scope", scope);
    }
    body.value("expires_in", ttl);
    body.value("token_type", "Bearer");
    Ok(body)
}

fn password_grant(
    tenant: &Tenant,
    state: &mut TenantState,
    client: &Client,
    params: &Params,
    grant_type: &str,
    ip: &str,
) -> Result<TokenBody, OAuthError> {
    let username = params.require("username")?.to_lowercase();
    let password = params.require("password")?;
    let realm = if grant_type == GRANT_PASSWORD_REALM {
        params.require("realm")?.to_owned()
    } else {
        state
            .default_directory()
            .clone()
            .ok_or(OAuthError::NoDefaultConnection)?
    };
    // The realm (or the default directory) must be enabled for the application, as at the
    // browser login and the Management API's user creation; an unknown realm is left to the
    // credentials check (no user matches it).
    if state
        .connection_by_name(&realm)
        .is_some_and(|c| !c.enabled_for(&client.client_id))
    {
        return Err(OAuthError::ConnectionDisabled {
            connection: realm,
            client_id: client.client_id.clone(),
        });
    }
    let audience = tenant.requested_audience(state, params.get("audience"));
    let audience = audience.as_deref();
    let mfa_audience = audience.is_some_and(|a| is_mfa_audience(tenant, a));
    if let Some(audience) = audience
        && !mfa_audience
    {
        resolve_audience(tenant, state, audience)?;
    }
    let scope = params.get("scope").unwrap_or_default().to_owned();
    let now = tenant.clock().now();
    let attempt = Attempt {
        identifier: &username,
        password,
        ip,
    };
    let user = brute_force::verify_password(tenant, state, &attempt, |u| u.connection == realm).map_err(|refusal| {
        match refusal {
            Refusal::Blocked => OAuthError::TooManyAttempts {
                identifier: username.clone(),
            },
            Refusal::UnknownUser | Refusal::WrongPassword => OAuthError::WrongEmailOrPassword {
                realm: realm.clone(),
                known_user: refusal == Refusal::WrongPassword,
            },
        }
    })?;
    if user.is_blocked() {
        return Err(OAuthError::UserBlocked);
    }
    if let Some(why) = mfa::required(state, &user.user_id, mfa_audience) {
        let pending = Pending::new(&client.client_id, &user.user_id, audience, &scope, "password");
        return Err(mfa_required::answer(tenant, state, pending, why));
    }
    let user = {
        let user = state.user_mut(&user.user_id).ok_or(OAuthError::WrongEmailOrPassword {
            realm,
            known_user: false,
        })?;
        user.logins_count += 1;
        user.last_login = Some(now);
        user.clone()
    };
    let issued = issue_user_tokens(tenant, state, client, &user, audience, &scope, "password", false);
    let mut body = TokenBody::default();
    body.access_token(issued.access_token);
    if let Some(id_token) = issued.id_token {
        body.jwt("id_token", id_token);
    }
    if let Some(refresh) = issued.refresh_token {
        body.value("refresh_token", refresh);
    }
    body.value("scope", issued.scope);
    body.value("expires_in", issued.expires_in);
    body.value("token_type", "Bearer");
    Ok(body)
}

/// What a user grant issues, before wire order: the password grant and the MFA grants answer
/// the same token set in their own orders.
pub(super) struct IssuedTokens {
    pub(super) access_token: AccessToken,
    pub(super) id_token: Option<Claims>,
    pub(super) refresh_token: Option<String>,
    pub(super) scope: String,
    pub(super) expires_in: i64,
}

/// The tokens of a password grant or of the MFA grant that completes one: access token, ID token
/// with `openid`, refresh token with `offline_access` (`mfa`: the login passed a second factor,
/// so its refresh token is not asked again). Tokens for the MFA API live 600 s (doc:
/// DOC-mfa-manage).
#[allow(clippy::too_many_arguments)]
pub(super) fn issue_user_tokens(
    tenant: &Tenant,
    state: &mut TenantState,
    client: &Client,
    user: &User,
    audience: Option<&str>,
    scope: &str,
    gty: &'static str,
    mfa: bool,
) -> IssuedTokens {
    let mfa_audience = audience.is_some_and(|a| is_mfa_audience(tenant, a));
    let (scope, permissions) = if mfa_audience {
        (scope.to_owned(), None)
    } else {
        crate::auth0::tenant::rbac::apply_rbac(state, &user.user_id, audience, scope)
    };
    let ttl = if mfa_audience { MFA_TOKEN_TTL } else { ACCESS_TOKEN_TTL };
    let grant = UserGrant {
        client,
        user,
        audience,
        scope: &scope,
        gty,
        permissions,
        ttl,
    };
    let access_token = grant.issue_access_token(tenant, state);
    let id_token = grant.has_scope("openid").then(|| grant.id_token(tenant, state.rng()));
    let mut refresh_token = None;
    if grant.has_scope("offline_access") && client.grant_types.iter().any(|g| g == GRANT_REFRESH_TOKEN) {
        let refresh = if client.login.refresh.rotating {
            // obs (go-auth0 main test/data/recordings/authentication/TestRefreshToken/Should_return_tokens.yaml,
            // Should_return_tokens_with_reduced_scopes.yaml): the refresh of a password-grant
            // token answers a new `refresh_token`, so an application with rotation on rotates
            // these tokens as it does a browser login's: one family, reuse detection, lifetimes.
            let unix = tenant.clock().unix();
            let grant = FamilyGrant {
                client_id: &client.client_id,
                policy: client.login.refresh,
                user_id: &user.user_id,
                audience,
                scope: &scope,
                sid: random_alnum(state.rng(), 32),
                auth_time: unix,
            };
            let mut family = Family::new(grant, unix);
            family.mfa = mfa;
            let (logins, rng) = state.logins_mut();
            logins.start_family(rng, family)
        } else {
            let refresh = random_alnum(state.rng(), 48);
            let grant = RefreshGrant {
                client_id: client.client_id.clone(),
                user_id: user.user_id.clone(),
                audience: audience.map(str::to_owned),
                scope: scope.clone(),
                mfa,
            };
            state.keep_refresh_grant(refresh.clone(), grant);
            refresh
        };
        refresh_token = Some(refresh);
    }
    IssuedTokens {
        access_token,
        id_token,
        refresh_token,
        scope,
        expires_in: ttl,
    }
}

fn refresh_grant(
    tenant: &Tenant,
    state: &mut TenantState,
    client: &Client,
    params: &Params,
) -> Result<TokenBody, OAuthError> {
    let presented = params.require("refresh_token")?;
    let grant = state
        .refresh_tokens()
        .get(presented)
        .filter(|g| g.client_id == client.client_id)
        .cloned()
        .ok_or_else(|| OAuthError::InvalidRefreshToken {
            reason: "refresh token unknown, revoked or issued to another client".into(),
        })?;
    let user = state
        .user(&grant.user_id)
        .cloned()
        .ok_or_else(|| OAuthError::InvalidRefreshToken {
            reason: "refresh token unknown, revoked or issued to another client".into(),
        })?;
    if user.is_blocked() {
        return Err(OAuthError::RefreshUserBlocked);
    }
    let scope = params.get("scope").unwrap_or(&grant.scope).to_owned();
    // doc (DOC-mfa-ropg, facts A1): a refresh token obtained without a second factor answers
    // `mfa_required` once MFA applies to its user.
    if !grant.mfa
        && let Some(why) = mfa::required(state, &user.user_id, false)
    {
        let pending = Pending::new(
            &client.client_id,
            &user.user_id,
            grant.audience.as_deref(),
            &scope,
            "refresh_token",
        );
        return Err(mfa_required::answer(tenant, state, pending, why));
    }
    let (scope, permissions) =
        crate::auth0::tenant::rbac::apply_rbac(state, &user.user_id, grant.audience.as_deref(), &scope);
    let user_grant = UserGrant {
        client,
        user: &user,
        audience: grant.audience.as_deref(),
        scope: &scope,
        gty: "refresh_token",
        permissions,
        ttl: ACCESS_TOKEN_TTL,
    };
    // obs (go-auth0 recording): access_token, expires_in, id_token, token_type, scope.
    let mut body = TokenBody::default();
    body.access_token(user_grant.issue_access_token(tenant, state));
    body.value("expires_in", ACCESS_TOKEN_TTL);
    if user_grant.has_scope("openid") {
        body.jwt("id_token", user_grant.id_token(tenant, &mut rand::rng()));
    }
    body.value("token_type", "Bearer");
    body.value("scope", scope);
    Ok(body)
}

/// The three MFA grants at `/oauth/token`: the `mfa_token` of this application, then the second
/// factor under the user's code bucket, then the token set the original grant would have
/// answered, in the recorded order `access_token, expires_in, scope, token_type` (obs:
/// REC-goauth0 TestMFAVerifyWith*; `id_token` and `refresh_token` after `access_token`, inf), the
/// rotated `recovery_code` last (obs).
fn mfa_grant(
    tenant: &Tenant,
    state: &mut TenantState,
    client: &Client,
    params: &Params,
    grant_type: &str,
) -> Result<TokenBody, OAuthError> {
    let token = params.require("mfa_token")?;
    let proof = match grant_type {
        GRANT_MFA_OTP => Proof::Otp(params.require("otp")?),
        GRANT_MFA_OOB => Proof::Oob {
            oob_code: params.require("oob_code")?,
            binding_code: params.get("binding_code"),
        },
        _ => Proof::RecoveryCode(params.require("recovery_code")?),
    };
    let now = tenant.clock().unix();
    let pending = mfa::pending(state, token, &client.client_id, now).map_err(OAuthError::Mfa)?;
    let rotated = mfa::verify(state, token, &pending, proof, now).map_err(OAuthError::Mfa)?;
    mfa::spend(state, token);
    let at = tenant.clock().now();
    let user = state
        .user_mut(&pending.user_id)
        .map(|user| {
            user.logins_count += 1;
            user.last_login = Some(at);
            user.clone()
        })
        .ok_or(OAuthError::Mfa(MfaError::MalformedToken {
            why: "the mfa_token's user was deleted",
        }))?;
    let issued = issue_user_tokens(
        tenant,
        state,
        client,
        &user,
        pending.audience.as_deref(),
        &pending.scope,
        pending.gty,
        true,
    );
    let mut body = TokenBody::default();
    body.access_token(issued.access_token);
    if let Some(id_token) = issued.id_token {
        body.jwt("id_token", id_token);
    }
    if let Some(refresh) = issued.refresh_token {
        body.value("refresh_token", refresh);
    }
    body.value("expires_in", issued.expires_in);
    body.value("scope", issued.scope);
    body.value("token_type", "Bearer");
    if let Some(code) = rotated {
        body.value("recovery_code", code);
    }
    Ok(body)
}

/// Tokens issued to a user through an application.
struct UserGrant<'a> {
    client: &'a Client,
    user: &'a User,
    audience: Option<&'a str>,
    scope: &'a str,
    gty: &'static str,
    /// The `permissions` claim, for APIs with RBAC and "Add Permissions in the Access Token".
    permissions: Option<Vec<String>>,
    /// The access token's life in seconds.
    ttl: i64,
}

impl UserGrant<'_> {
    fn has_scope(&self, wanted: &str) -> bool {
        self.scope.split_whitespace().any(|s| s == wanted)
    }

    /// The user's access token, through `tenant::tokens::user_access_token`: opaque without an
    /// audience (facts auth0.md §1.2, password grant: "Without `audience` … opaque"), 86400 s
    /// either way (inf: the provider documents the 7200 s exception for the implicit flow only).
    fn issue_access_token(&self, tenant: &Tenant, state: &mut TenantState) -> AccessToken {
        let holder = Holder {
            user_id: &self.user.user_id,
            client_id: &self.client.client_id,
            scope: self.scope,
        };
        user_access_token(tenant, state, self.audience, holder, self.ttl, || {
            self.access_token(tenant)
        })
    }

    /// facts §1.4: `access_token_head`, then `scope`, `permissions` (RBAC), `gty`, `azp`.
    fn access_token(&self, tenant: &Tenant) -> Claims {
        let mut claims = access_token_head(tenant, &self.user.user_id, self.audience, self.scope, self.ttl);
        claims.insert("scope".into(), self.scope.into());
        // facts §6 (obs): `permissions` follows `scope`.
        if let Some(permissions) = &self.permissions {
            claims.insert("permissions".into(), permissions.clone().into());
        }
        claims.insert("gty".into(), self.gty.into());
        claims.insert("azp".into(), self.client.client_id.clone().into());
        claims
    }

    /// facts §1.4: profile claims first, then `iss, aud, iat, exp, sub, sid`.
    fn id_token(&self, tenant: &Tenant, rng: &mut impl rand::Rng) -> Claims {
        let user = self.user;
        let mut claims = profile_claims(user, self.scope);
        let now = tenant.clock().unix();
        claims.insert("iss".into(), tenant.issuer().into());
        claims.insert("aud".into(), self.client.client_id.clone().into());
        claims.insert("iat".into(), now.into());
        // The application's `jwt_configuration.lifetime_in_seconds` (36000 s unless set).
        claims.insert("exp".into(), (now + self.client.id_token_lifetime).into());
        claims.insert("sub".into(), user.user_id.clone().into());
        let sid = random_alnum(rng, 32);
        claims.insert("sid".into(), sid.into());
        claims
    }
}

/// facts §1.2: `application/json` without charset, `Cache-Control: no-store`, `Pragma: no-cache`.
fn token_response(body: Value) -> Response {
    let mut response = json_response(StatusCode::OK, &body, "application/json");
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response.into_response()
}
