//! The Authentication API's errors, in the OAuth envelope (facts `shared/providers/auth0.md`
//! §1.3): `{"error":...,"error_description":...[,"error_uri":...]}` with `application/json` and
//! no charset; `/dbconnections/change_password`'s unknown connection is a bare `{"error":...}`.
//!
//! Each variant says when the provider answers with it and which fact it follows; its wire text
//! ([`OAuthError::wire`]) and its diagnosis ([`OAuthError::hint`], sent in `x-authmock-hint`,
//! never in the body) are the two matches of this file.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth0::wire::hint::rate_limit_hint;
use crate::auth0::wire::login_text::SCRIPT_ERROR;
use crate::auth0::wire::respond::{json_response, with_hint};
use crate::auth0::wire::signup_error::connection_not_enabled_hint;

/// An Authentication API error, exactly as the provider sends it.
#[derive(Debug, Clone)]
pub enum OAuthError {
    // ---- Authentication API: POST /oauth/token (facts §1.3) ----
    /// Unknown client or wrong secret. 401 `access_denied` / `Unauthorized` (obs).
    InvalidClient {
        client_id: Option<String>,
        known_client: bool,
    },
    /// `grant_type` (or another required parameter) missing. 400 `invalid_request` (inf, modelled
    /// on the observed `Missing required parameter: code`).
    MissingParameter { name: &'static str },
    /// Unknown `grant_type`. 400 `unsupported_grant_type` (doc, illustrative OAS example).
    UnsupportedGrantType { grant_type: String },
    /// Grant type not enabled on the application. 403 `unauthorized_client` with `error_uri` (obs).
    GrantTypeNotAllowed { grant_type: String, client_id: String },
    /// A password grant for an application that requires organizations: such applications "are
    /// not compatible with" the Resource Owner Password flow (doc: DOC-org organizations-overview,
    /// facts auth0-mfa-orgs.md B6). inf: the wire error was not found; answered as the grant not
    /// being allowed (403 `unauthorized_client`, the facts' first suggestion).
    GrantNeedsOrganization { grant_type: String, client_id: String },
    /// client_credentials without `audience` and no default audience. 403 `access_denied`.
    /// (inf: wording as reported on the provider's community forum; not in the facts file.)
    NoAudience,
    /// `audience` names no API of the tenant. 403 `access_denied` `Service not found: <aud>` (obs).
    ServiceNotFound {
        audience: String,
        management_audience: String,
    },
    /// No client grant for the API. 403 `access_denied` (obs: ruby-auth0 #610).
    ClientNotAuthorized { audience: String, client_id: String },
    /// Requested scopes beyond the grant. 403 `access_denied` (obs: gist, status inf).
    ScopesNotGranted { missing: Vec<String> },
    /// `client_credentials` with an `organization` its client grant's `organization_usage`
    /// (`deny`, the default) refuses. inf: the refusal texts were not found (facts B6); 403
    /// `access_denied` as the grant's other refusals, in the words of `/authorize`'s refusal.
    OrganizationNotAllowedForGrant { audience: String },
    /// `client_credentials` without `organization` (nor the client's `default_organization`) on
    /// a grant whose `organization_usage` is `require`. inf: 400 `invalid_request` in the words
    /// of `/authorize`'s refusal (facts B6: refusal texts not found).
    OrganizationRequiredForGrant { audience: String },
    /// `client_credentials` naming no organization of the tenant. inf: 400 `invalid_request`, the
    /// text of `/authorize`'s (also inf).
    UnknownOrganization { value: String },
    /// `client_credentials` for an organization the grant is not associated with (neither
    /// `allow_any_organization` nor `/organizations/{id}/client-grants`). inf: 403
    /// `access_denied`, text authmock's own.
    OrganizationNotAssociated { organization: String, audience: String },
    /// Wrong password or unknown user. 403 `invalid_grant` (obs).
    WrongEmailOrPassword { realm: String, known_user: bool },
    /// Blocked user logging in. 401 `unauthorized` `user is blocked` (doc, legacy table).
    UserBlocked,
    /// Password grant for an identifier brute-force protection blocked. 429 `too_many_attempts`
    /// (doc: status and code; obs: the current text).
    TooManyAttempts { identifier: String },
    /// Refresh token of an administratively blocked user. 403 `invalid_grant` `user is blocked`
    /// (obs: facts `auth0.md` §11).
    RefreshUserBlocked,
    /// Plain `password` grant with no default directory. 500 `server_error` (obs).
    NoDefaultConnection,
    /// A custom database's `login` script called back `UnauthorizedError(message)`. 401
    /// `unauthorized` with the script's message (inf: migration facts §7.7, no recording; the
    /// legacy pair of a refused login, as `user is blocked`, and the 2015 template comment
    /// "`callback()` → 401"; the docs give the message to the user).
    ScriptUnauthorized { message: String },
    /// A custom database's `login` script failed (an `Error`, a throw, the time or memory cap). 500
    /// `server_error` (inf: migration facts §7.7, no recording; the 2015 template comment
    /// "`callback(err)` → 500"; the text is the Universal Login copy of a script error,
    /// `custom-script-error-code`, doc), the diagnosis in the hint only.
    ScriptFailed { why: String },
    /// A password or password-realm grant into a connection not enabled for the application. 400
    /// `invalid_request` / `the connection was disabled` (obs: the legacy resource-owner endpoint
    /// `/oauth/ro`, auth0/Lock.swift #259, 2016; inf: that `/oauth/token`'s password grants,
    /// which replaced it, answer the same, no modern body was found).
    ConnectionDisabled { connection: String, client_id: String },
    /// Unknown, used, expired, revoked, reused or foreign refresh token. 403 `invalid_grant`
    /// (obs; a 2026 public-client probe saw 400, facts auth0-login.md §4).
    InvalidRefreshToken { reason: String },
    /// Unknown, used, expired or foreign authorization code. 403 `invalid_grant` (obs: trufflehog
    /// verifier, go-auth0 recordings, facts auth0-login.md §3).
    InvalidAuthorizationCode { reason: String },
    /// Token endpoint body that is neither JSON nor a form it can read. 400 `invalid_request`
    /// (inf: not documented).
    InvalidTokenRequestBody { detail: String },

    // ---- Authentication API: POST /dbconnections/change_password (facts §4) ----
    /// `connection` names no database connection. 400 `{"error":"connection not found"}`
    /// (obs: the Android SDK surfaces the code `connection not found`; the rest of the JSON was
    /// not found, so nothing else is sent).
    DbConnectionNotFound { connection: String, known: Vec<String> },
    /// The M2M token quota is used up. 429 `too_many_requests` / `Client quota exceeded` (doc:
    /// DOC-quota).
    ClientQuotaExceeded { reset_in_secs: i64 },
    /// An Authentication API bucket is empty. 429 `too_many_requests` (doc: DOC-old-errors for
    /// the code; the description is the documented 429 text of DOC-authn, inf).
    AuthenticationRateLimit { reset_in_secs: i64 },
    // ---- Browser logins at the token and revocation endpoints (facts auth0-login.md §3, §4) ----
    /// PKCE failed: wrong or missing `code_verifier`. 403 `invalid_grant` (obs body; the status
    /// for the missing case obs, for the wrong case inf).
    CodeVerifierFailed { detail: String },
    /// `redirect_uri` was sent to `/authorize` but not here. 403 `invalid_grant` (obs string;
    /// status inf: the facts say 4xx).
    RedirectUriRequired,
    /// Refresh token of a deleted user. 403 `invalid_grant` (obs).
    RefreshUserGone,
    /// A refresh request asking for scopes the login did not grant. 403 `invalid_scope`
    /// (inf: the provider's text was not captured).
    ScopeBeyondGrant { extra: Vec<String> },
    /// `/oauth/revoke` with an unknown client or bad credentials. 401 `invalid_client` (doc: old
    /// docs list the code; the description is inf).
    RevokeInvalidClient { client_id: String },
    /// `/oauth/token` from a browser page whose `Origin` the application does not allow (not an
    /// Allowed Web Origin nor a callback's origin). 401 `access_denied` / `Unauthorized`: the body
    /// an SPA saw when its Allowed Web Origins were empty (obs auth0/auth0-spa-js#454, 2020; the
    /// 401 also in auth0/auth0-cli#193, 2021); the tenant log says `Origin <o> is not allowed.`
    /// (obs ministryofjustice/analytics-platform#91, 2019).
    CorsOriginNotAllowed { origin: String, client_id: String },
    /// Multi-factor authentication: `mfa_required`, `/mfa/*` and the MFA grants (`mfa_error.rs`).
    Mfa(crate::auth0::wire::mfa_error::MfaError),
}

/// The OAuth envelope; field order is wire order.
#[derive(Serialize)]
struct OAuthBody<'a> {
    error: &'static str,
    error_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_uri: Option<&'static str>,
}

/// What goes on the wire for one Authentication API error.
enum OAuthWire {
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
        uri: Option<&'static str>,
    },
    /// `{"error": ...}` alone.
    Bare { status: StatusCode, error: &'static str },
    /// An MFA answer, which writes itself (`mfa_required` carries more than the envelope).
    Mfa(crate::auth0::wire::mfa_error::MfaError),
}

impl OAuthError {
    fn wire(&self) -> OAuthWire {
        use OAuthError::*;
        let oauth = |status: StatusCode, error: &'static str, description: String| OAuthWire::OAuth {
            status,
            error,
            description,
            uri: None,
        };
        match self {
            InvalidClient { .. } => oauth(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized".into()),
            MissingParameter { name } => oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("Missing required parameter: {name}"),
            ),
            UnsupportedGrantType { .. } => oauth(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Grant type not supported".into(),
            ),
            GrantTypeNotAllowed { grant_type, .. } | GrantNeedsOrganization { grant_type, .. } => OAuthWire::OAuth {
                status: StatusCode::FORBIDDEN,
                error: "unauthorized_client",
                description: format!("Grant type '{grant_type}' not allowed for the client."),
                uri: Some("https://auth0.com/docs/clients/client-grant-types"),
            },
            NoAudience => oauth(
                StatusCode::FORBIDDEN,
                "access_denied",
                "No audience parameter was provided, and no default audience has been configured".into(),
            ),
            ServiceNotFound { audience, .. } => oauth(
                StatusCode::FORBIDDEN,
                "access_denied",
                format!("Service not found: {audience}"),
            ),
            ClientNotAuthorized { audience, .. } => oauth(
                StatusCode::FORBIDDEN,
                "access_denied",
                format!(
                    "Client is not authorized to access \"{audience}\". You need to create a \"client-grant\" \
                     associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants"
                ),
            ),
            ScopesNotGranted { missing } => oauth(
                StatusCode::FORBIDDEN,
                "access_denied",
                format!("Client has not been granted scopes: {}", missing.join(" ")),
            ),
            OrganizationNotAllowedForGrant { .. } => oauth(
                StatusCode::FORBIDDEN,
                "access_denied",
                "parameter organization is not allowed for this client".into(),
            ),
            OrganizationRequiredForGrant { .. } => oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "parameter organization is required for this client".into(),
            ),
            UnknownOrganization { value } => oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("organization not found: {value}"),
            ),
            OrganizationNotAssociated { organization, .. } => oauth(
                StatusCode::FORBIDDEN,
                "access_denied",
                format!("Client is not authorized to access organization {organization}."),
            ),
            WrongEmailOrPassword { .. } => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Wrong email or password.".into(),
            ),
            UserBlocked => oauth(StatusCode::UNAUTHORIZED, "unauthorized", "user is blocked".into()),
            TooManyAttempts { .. } => oauth(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Your account has been blocked after multiple consecutive login attempts. We've sent you a \
                 notification via your preferred contact method with instructions on how to unblock it."
                    .into(),
            ),
            RefreshUserBlocked => oauth(StatusCode::FORBIDDEN, "invalid_grant", "user is blocked".into()),
            ConnectionDisabled { .. } => oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the connection was disabled".into(),
            ),
            NoDefaultConnection => oauth(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Authorization server not configured with default connection.".into(),
            ),
            ScriptUnauthorized { message } => oauth(StatusCode::UNAUTHORIZED, "unauthorized", message.clone()),
            ScriptFailed { .. } => oauth(StatusCode::INTERNAL_SERVER_ERROR, "server_error", SCRIPT_ERROR.into()),
            InvalidRefreshToken { .. } => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Unknown or invalid refresh token.".into(),
            ),
            InvalidAuthorizationCode { .. } => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Invalid authorization code".into(),
            ),
            InvalidTokenRequestBody { .. } => oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Invalid request payload JSON format".into(),
            ),
            DbConnectionNotFound { .. } => OAuthWire::Bare {
                status: StatusCode::BAD_REQUEST,
                error: "connection not found",
            },
            ClientQuotaExceeded { .. } => oauth(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Client quota exceeded".into(),
            ),
            AuthenticationRateLimit { .. } => oauth(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers."
                    .into(),
            ),
            CodeVerifierFailed { .. } => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Failed to verify code verifier".into(),
            ),
            RedirectUriRequired => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "redirect_uri is required if it was included in the authorization request.".into(),
            ),
            RefreshUserGone => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "The refresh_token was generated for a user who doesn't exist anymore.".into(),
            ),
            ScopeBeyondGrant { .. } => oauth(
                StatusCode::FORBIDDEN,
                "invalid_scope",
                "The requested scope is not a subset of the scope granted at login".into(),
            ),
            RevokeInvalidClient { .. } => oauth(StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized".into()),
            CorsOriginNotAllowed { .. } => oauth(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized".into()),
            Mfa(error) => OAuthWire::Mfa(error.clone()),
        }
    }

    /// A rate-limit answer (429 with `x-ratelimit-*` headers when it comes from a bucket).
    pub fn is_rate_limit(&self) -> bool {
        matches!(
            self,
            OAuthError::ClientQuotaExceeded { .. } | OAuthError::AuthenticationRateLimit { .. }
        )
    }

    /// authmock's diagnosis: why this error, and what the client should change.
    pub fn hint(&self) -> String {
        use OAuthError::*;
        match self {
            InvalidClient { client_id: None, .. } => {
                "no client credentials: send client_id and client_secret in the body or as HTTP Basic".into()
            }
            InvalidClient {
                client_id: Some(id),
                known_client: false,
            } => {
                format!("no application has client_id {id}: GET /__authmock__/tenant lists them")
            }
            InvalidClient {
                client_id: Some(id),
                known_client: true,
            } => {
                format!("client_secret is wrong for client {id}")
            }
            MissingParameter { name } => format!("the request has no `{name}`"),
            UnsupportedGrantType { grant_type } => format!(
                "grant_type `{grant_type}` is not one this endpoint knows (client_credentials, password, \
                 http://auth0.com/oauth/grant-type/password-realm, refresh_token, authorization_code)"
            ),
            GrantTypeNotAllowed { grant_type, client_id } => format!(
                "application {client_id} does not have the `{grant_type}` grant enabled: add it to its grant_types in the fixture"
            ),
            GrantNeedsOrganization { grant_type, client_id } => format!(
                "application {client_id} requires organizations (organization_usage require), which the `{grant_type}` \
                 grant cannot carry: log in through /authorize with organization"
            ),
            NoAudience => "client_credentials needs an `audience` (the API identifier)".into(),
            ServiceNotFound {
                audience,
                management_audience,
            } => format!("no API has identifier {audience}; this tenant's Management API is {management_audience}"),
            ClientNotAuthorized { audience, client_id } => {
                format!("client {client_id} has no grant on {audience}: add one under its `grants` in the fixture")
            }
            ScopesNotGranted { missing } => {
                format!("requested scopes [{}] are not in the client's grant", missing.join(" "))
            }
            OrganizationNotAllowedForGrant { audience } => format!(
                "the client grant on {audience} has organization_usage deny (the default): set it to allow or \
                 require (PATCH /api/v2/client-grants/{{id}})"
            ),
            OrganizationRequiredForGrant { audience } => format!(
                "the client grant on {audience} has organization_usage require: send organization, or give the \
                 application a default_organization for client_credentials"
            ),
            UnknownOrganization { value } => format!(
                "no organization of this tenant is {value:?} (a name only with allow_organization_name_in_authentication_api)"
            ),
            OrganizationNotAssociated { organization, audience } => format!(
                "the client grant on {audience} is not associated with {organization}: POST \
                 /api/v2/organizations/{organization}/client-grants {{\"grant_id\":\"<grant id>\"}}, or set allow_any_organization"
            ),
            WrongEmailOrPassword {
                realm,
                known_user: false,
            } => format!("no such user in connection {realm}"),
            WrongEmailOrPassword { known_user: true, .. } => "the password is wrong".into(),
            UserBlocked => "the user is blocked".into(),
            TooManyAttempts { identifier } => format!(
                "brute-force protection blocked {identifier} from this IP: the unblock mail in the outbox, \
                 DELETE /api/v2/user-blocks?identifier=... or a password change lifts it"
            ),
            RefreshUserBlocked => "the refresh token's user is blocked (PATCH blocked:false lifts it)".into(),
            ConnectionDisabled { connection, client_id } => connection_not_enabled_hint(client_id, connection),
            ScriptUnauthorized { .. } => {
                "the connection's login script called back UnauthorizedError: its message is the description".into()
            }
            ScriptFailed { why } => why.clone(),
            NoDefaultConnection => {
                "grant_type=password needs a tenant default directory; send a realm with the password-realm grant"
                    .into()
            }
            InvalidRefreshToken { reason } | InvalidAuthorizationCode { reason } => reason.clone(),
            CodeVerifierFailed { detail } => detail.clone(),
            RedirectUriRequired => {
                "send the same redirect_uri that went to /authorize (the code is bound to it)".into()
            }
            RefreshUserGone => "the refresh token's user was deleted".into(),
            ScopeBeyondGrant { extra } => {
                format!(
                    "a refresh may only narrow the scope; [{}] were not granted at login",
                    extra.join(" ")
                )
            }
            RevokeInvalidClient { client_id } => format!(
                "client {client_id} is unknown or its credentials are wrong (confidential applications send \
                 client_secret)"
            ),
            InvalidTokenRequestBody { detail } => detail.clone(),
            CorsOriginNotAllowed { origin, client_id } => format!(
                "Origin {origin} is not allowed for application {client_id}: add it to the application's \
                 web_origins (a callback's origin is allowed too)"
            ),
            DbConnectionNotFound { connection, known } => format!(
                "`connection` must name a database connection of this tenant; `{connection}` is not one \
                 (database connections: {})",
                known.join(", ")
            ),
            ClientQuotaExceeded { reset_in_secs } => format!(
                "M2M token quota used up: cache tokens until they expire instead of fetching one per call; \
                 retry after {reset_in_secs} s"
            ),
            AuthenticationRateLimit { reset_in_secs } => rate_limit_hint(*reset_in_secs),
            Mfa(error) => error.hint(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let hint = self.hint();
        let response = match self.wire() {
            OAuthWire::OAuth {
                status,
                error,
                description,
                uri,
            } => json_response(
                status,
                &OAuthBody {
                    error,
                    error_description: &description,
                    error_uri: uri,
                },
                // obs (facts `auth0.md` §11): OAuth errors carry no charset parameter.
                "application/json",
            ),
            OAuthWire::Bare { status, error } => json_response(
                status,
                &serde_json::json!({ "error": error }),
                "application/json; charset=utf-8",
            ),
            OAuthWire::Mfa(error) => error.into_response(),
        };
        with_hint(response, hint)
    }
}
