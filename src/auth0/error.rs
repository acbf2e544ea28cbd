//! Every Auth0 wire error, formatted in this one place.
//!
//! Two envelopes exist (facts: `shared/providers/auth0.md` §1.3 and §2.1):
//! - the Management API's hapi/Boom envelope
//!   `{"statusCode":...,"error":"<reason phrase>","message":...[,"errorCode":...][,"attributes":...]}`
//!   with `application/json; charset=utf-8`;
//! - the Authentication API's OAuth envelope `{"error":...,"error_description":...[,"error_uri":...]}`.
//!
//! Each variant says when the provider answers with it and which fact it follows. Variants carry
//! only what varies on the wire plus what the diagnosis hint needs; the hint travels in the
//! `x-authmock-hint` response header and in response extensions, never in the body.
//! Depends on `core::tokens` for neutral token reasons.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::core::tokens::TokenRejection;

/// Header carrying authmock's one-line diagnosis of an error response.
pub const HINT_HEADER: &str = "x-authmock-hint";

/// The diagnosis attached to an error response (also stored in response extensions).
#[derive(Debug, Clone)]
pub struct Hint(pub String);

/// One failed schema rule, in neutral terms; [`Auth0Error::PayloadValidation`] renders it with
/// the z-schema message templates the Management API uses (facts §2.4).
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    Type { expected: String, found: String },
    Required { property: String },
    Additional { names: Vec<String>, metadata_note: bool },
    Pattern { pattern: String, value: String },
    TooShort { length: usize, min: u64 },
    TooLong { length: usize, max: u64 },
    Minimum { value: String, min: String },
    Enum { value: String },
    Format { format: String, value: String },
    Other { keyword: String },
}

/// A violation and where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub violation: Violation,
    /// Dotted path and the property's schema description; `None` at the body's root.
    pub property: Option<(String, Option<String>)>,
}

/// A Management API or Authentication API error, exactly as the provider sends it.
#[derive(Debug, Clone)]
pub enum Auth0Error {
    // ---- Management API: authentication ladder (facts §2.2, hapi JWT scheme) ----
    /// No `Authorization` header, or a scheme other than Bearer. 401, no `errorCode`
    /// (obs: community thread 15066).
    MissingAuthentication {
        scheme: Option<String>,
        token_url: String,
        audience: String,
    },
    /// `Bearer` with no token, extra parts, or a token that is not three segments. 400 with
    /// `errorCode: "Bearer"` (obs).
    BadAuthHeaderFormat { detail: &'static str },
    /// Signature, algorithm, key or encoding wrong. 401 `Invalid token` with `attributes` (obs).
    InvalidToken { reason: TokenRejection },
    /// `exp` passed on the tenant clock. 401 (obs).
    ExpiredToken { expired_secs_ago: i64 },
    /// Token verifies but its `aud` is not this Management API. 401 `Bad audience: <aud>`
    /// (obs: the text after the colon is the token's audience).
    BadAudience { token_audience: String, expected: String },
    /// The token has none of the scopes the endpoint accepts. 403 (obs: auth0-cli test).
    InsufficientScope {
        expected: &'static [&'static str],
        granted: Vec<String>,
        client_id: Option<String>,
    },

    // ---- Management API: payload (facts §2.4, hapi subtext + z-schema) ----
    /// Body is not JSON although the content type says so. 400 (obs: community thread 15066).
    InvalidJson { looks_form_encoded: bool },
    /// Content type that is neither JSON nor a form. 415 (inf: subtext).
    UnsupportedMediaType { content_type: String },
    /// Body over the limit. 413 (doc: 1 MB cap; inf: subtext wording, no final period).
    PayloadTooLarge { limit: usize },
    /// Schema failures, joined with ` (also) `. 400 `invalid_body` (obs).
    PayloadValidation { findings: Vec<Finding> },
    /// Query string failures. 400 `invalid_query_string` (inf: same grammar as bodies).
    QueryValidation { findings: Vec<Finding> },

    // ---- Management API: resources ----
    /// Route or method not served. 404 without `errorCode` (obs: go-auth0 recordings).
    NotFound { method: String, path: String },
    /// 404 `The user does not exist.` / `inexistent_user` (obs).
    UserNotFound {
        user_id: Option<String>,
        email: Option<String>,
    },
    /// Ticket names a connection id the tenant lacks. 400 (doc: OAS x-description-4).
    TicketConnectionNotFound { connection_id: String },
    /// Ticket names an unknown `client_id`. 400 (doc: OAS x-description-7).
    TicketClientNotFound { client_id: String },
    /// Ticket names an unknown `organization_id` (organizations are not modelled, so every one
    /// is unknown). 400 (doc: OAS x-description-8).
    TicketOrganizationNotFound { organization_id: String },
    /// The ticket's user has no email. 400 (doc: OAS x-description-1).
    UserHasNoEmail,
    /// `identity` does not name one of the user's identities. 400 (doc: OAS x-description-6).
    IdentityNotFound,
    /// `identity.connection_id` is not a connection. 400 (doc: OAS x-description-5).
    IdentityConnectionNotFound,
    /// Two ticket fields that exclude each other (`user_id`+`email`, `result_url`+`client_id`...).
    /// The provider's exact text was not found (facts §3.2, §9); the message states the
    /// documented rule in the payload-validation grammar. 400 `invalid_body` (inf).
    TicketFieldConflict { first: &'static str, second: &'static str },
    /// Neither `user_id` nor `email`+`connection_id`. Text not found; inf, as above.
    TicketMissingUser,
    /// PATCH with password + email etc. 400 (doc: OAS PATCH /users x-descriptions 4-8).
    CannotUpdateTogether { first: &'static str, second: &'static str },
    /// PATCH names a connection that does not exist. 400 (doc).
    ConnectionDoesNotExist { connection: String },
    /// PATCH of a password on a non-database connection. 400 (doc).
    ConnectionNotSupported { connection: String },
    /// Password fails the connection's policy. 400 (obs: auth0-java #283; `errorCode` not seen,
    /// so none is sent).
    PasswordTooWeak { rules: String },

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
    /// Wrong password or unknown user. 403 `invalid_grant` (obs).
    WrongEmailOrPassword { realm: String, known_user: bool },
    /// Blocked user logging in. 401 `unauthorized` `user is blocked` (doc, legacy table).
    UserBlocked,
    /// Plain `password` grant with no default directory. 500 `server_error` (obs).
    NoDefaultConnection,
    /// Unknown, used or foreign refresh token. 403 `invalid_grant` (obs).
    InvalidRefreshToken,
    /// Unknown or used authorization code. 403 `invalid_grant` (obs: trufflehog verifier, go-auth0
    /// recordings). authmock serves no `/authorize` yet, so every code is unknown.
    InvalidAuthorizationCode,
    /// Token endpoint body that is neither JSON nor a form it can read. 400 `invalid_request`
    /// (inf: not documented).
    InvalidTokenRequestBody { detail: String },

    // ---- Authentication API: POST /dbconnections/change_password (facts §4) ----
    /// `connection` names no database connection. 400 `{"error":"connection not found"}`
    /// (obs: the Android SDK surfaces the code `connection not found`; the rest of the JSON was
    /// not found, so nothing else is sent).
    DbConnectionNotFound { connection: String, known: Vec<String> },
    // ---- Rate limits (facts §6); the `x-ratelimit-*` headers are added by the caller ----
    /// A Management API bucket is empty. 429 `Global limit has been reached` /
    /// `too_many_requests` (obs: auth0-java `rate_limit_error.json`, auth0-reset-tenant #31).
    GlobalRateLimit { reset_in_secs: i64 },
    /// The per-second `users_write` bucket is empty. 429 (obs: Maptio #516; the `errorCode` is
    /// inf, taken from the global bucket's body).
    UsersWriteRateLimit { reset_in_secs: i64 },
    /// The M2M token quota is used up. 429 `too_many_requests` / `Client quota exceeded` (doc:
    /// DOC-quota).
    ClientQuotaExceeded { reset_in_secs: i64 },
    /// An Authentication API bucket is empty. 429 `too_many_requests` (doc: DOC-old-errors for
    /// the code; the description is the documented 429 text of DOC-authn, inf).
    AuthenticationRateLimit { reset_in_secs: i64 },

    // ---- Outages (fault rules only) ----
    /// The Management API is down. 503 in the hapi envelope (inf: no capture of a real outage
    /// was found; Boom's `serverUnavailable()` without a message repeats the reason phrase).
    ServiceUnavailable,
}

/// Provider errors a fault rule can name (`"error": "auth0.rate_limited"`).
pub const NAMED_ERRORS: &[&str] = &[
    "auth0.rate_limited",
    "auth0.users_write_rate_limited",
    "auth0.client_quota_exceeded",
    "auth0.authentication_rate_limited",
    "auth0.missing_authentication",
    "auth0.invalid_token",
    "auth0.invalid_json",
    "auth0.service_unavailable",
];

/// Reason phrases as hapi's Boom prints them (Node's `http.STATUS_CODES`).
fn reason_phrase(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => status.canonical_reason().unwrap_or("Unknown"),
    }
}

/// The Management API envelope; field order is wire order.
#[derive(Serialize)]
struct MgmtBody<'a> {
    #[serde(rename = "statusCode")]
    status_code: u16,
    error: &'static str,
    message: &'a str,
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<Attributes<'a>>,
}

#[derive(Serialize)]
struct Attributes<'a> {
    error: &'a str,
}

/// The OAuth envelope; field order is wire order.
#[derive(Serialize)]
struct OAuthBody<'a> {
    error: &'static str,
    error_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_uri: Option<&'static str>,
}

/// What goes on the wire for one error.
enum Wire {
    Mgmt {
        status: StatusCode,
        message: String,
        error_code: Option<&'static str>,
        /// hapi JWT errors echo the message in `attributes.error` and `WWW-Authenticate`.
        token_error: bool,
    },
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
        uri: Option<&'static str>,
    },
    /// `{"error": ...}` alone.
    Bare { status: StatusCode, error: &'static str },
}

impl Violation {
    /// The z-schema message template, filled in.
    fn text(&self) -> String {
        match self {
            Violation::Type { expected, found } => format!("Expected type {expected} but found type {found}"),
            Violation::Required { property } => format!("Missing required property: {property}"),
            Violation::Additional { names, metadata_note } => {
                let mut text = format!("Additional properties not allowed: {}", names.join(","));
                if *metadata_note {
                    // obs: auth0-java #58/#549, PATCH /api/v2/users with read-only attributes.
                    text.push_str(
                        " (consider storing them in app_metadata or user_metadata. See \"Users Metadata\" in \
                         https://auth0.com/docs/api/v2/changes for more details)",
                    );
                }
                text
            }
            Violation::Pattern { pattern, value } => format!("String does not match pattern {pattern}: {value}"),
            Violation::TooShort { length, min } => format!("String is too short ({length} chars), minimum {min}"),
            Violation::TooLong { length, max } => format!("String is too long ({length} chars), maximum {max}"),
            Violation::Minimum { value, min } => format!("Value {value} is less than minimum {min}"),
            Violation::Enum { value } => format!("No enum match for: {value}"),
            Violation::Format { format, value } => {
                format!("Object didn't pass validation for format {format}: {value}")
            }
            Violation::Other { keyword } => format!("Failed rule: {keyword}"),
        }
    }
}

/// `<prefix> '<inner>'[ on property p (description)].`, several joined with ` (also) `.
fn validation_message(prefix: &str, findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let mut text = format!("{prefix} '{}'", f.violation.text());
            if let Some((path, description)) = &f.property {
                text.push_str(" on property ");
                text.push_str(path);
                if let Some(description) = description {
                    text.push_str(&format!(" ({})", description.trim_end_matches('.')));
                }
            }
            text.push('.');
            text
        })
        .collect::<Vec<_>>()
        .join(" (also) ")
}

impl Auth0Error {
    fn wire(&self) -> Wire {
        use Auth0Error::*;
        let mgmt = |status: StatusCode, message: String, error_code: Option<&'static str>| Wire::Mgmt {
            status,
            message,
            error_code,
            token_error: false,
        };
        let oauth = |status: StatusCode, error: &'static str, description: String| Wire::OAuth {
            status,
            error,
            description,
            uri: None,
        };
        match self {
            MissingAuthentication { .. } => mgmt(StatusCode::UNAUTHORIZED, "Missing authentication".into(), None),
            BadAuthHeaderFormat { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "Bad HTTP authentication header format".into(),
                Some("Bearer"),
            ),
            InvalidToken { .. } => Wire::Mgmt {
                status: StatusCode::UNAUTHORIZED,
                message: "Invalid token".into(),
                error_code: None,
                token_error: true,
            },
            ExpiredToken { .. } => Wire::Mgmt {
                status: StatusCode::UNAUTHORIZED,
                message: "Expired token received for JSON Web Token validation".into(),
                error_code: None,
                token_error: true,
            },
            BadAudience { token_audience, .. } => mgmt(
                StatusCode::UNAUTHORIZED,
                format!("Bad audience: {token_audience}"),
                None,
            ),
            // facts §2.2: hapi joins the accepted scopes with a comma and no space.
            InsufficientScope { expected, .. } => mgmt(
                StatusCode::FORBIDDEN,
                format!("Insufficient scope, expected any of: {}", expected.join(",")),
                Some("insufficient_scope"),
            ),
            InvalidJson { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "Invalid request payload JSON format".into(),
                None,
            ),
            UnsupportedMediaType { .. } => mgmt(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type".into(),
                None,
            ),
            PayloadTooLarge { limit } => mgmt(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Payload content length greater than maximum allowed: {limit}"),
                None,
            ),
            PayloadValidation { findings } => mgmt(
                StatusCode::BAD_REQUEST,
                validation_message("Payload validation error:", findings),
                Some("invalid_body"),
            ),
            QueryValidation { findings } => mgmt(
                StatusCode::BAD_REQUEST,
                validation_message("Query validation error:", findings),
                Some("invalid_query_string"),
            ),
            NotFound { .. } => mgmt(StatusCode::NOT_FOUND, "Not Found".into(), None),
            UserNotFound { .. } => mgmt(
                StatusCode::NOT_FOUND,
                "The user does not exist.".into(),
                Some("inexistent_user"),
            ),
            TicketConnectionNotFound { connection_id } => mgmt(
                StatusCode::BAD_REQUEST,
                format!("The connection with id {connection_id} does not exist."),
                Some("inexistent_connection"),
            ),
            TicketClientNotFound { .. } => mgmt(StatusCode::BAD_REQUEST, "The client does not exist".into(), None),
            TicketOrganizationNotFound { .. } => {
                mgmt(StatusCode::BAD_REQUEST, "The organization does not exist".into(), None)
            }
            UserHasNoEmail => mgmt(
                StatusCode::BAD_REQUEST,
                "The user does not have an email address.".into(),
                None,
            ),
            IdentityNotFound => mgmt(
                StatusCode::BAD_REQUEST,
                "The user exists, but does not contain the given identity.".into(),
                None,
            ),
            IdentityConnectionNotFound => mgmt(
                StatusCode::BAD_REQUEST,
                "Identity connection does not exist.".into(),
                None,
            ),
            TicketFieldConflict { first, second } => mgmt(
                StatusCode::BAD_REQUEST,
                format!("Payload validation error: '{first} cannot be specified when using {second}'."),
                Some("invalid_body"),
            ),
            TicketMissingUser => mgmt(
                StatusCode::BAD_REQUEST,
                "Payload validation error: 'Missing required property: user_id'.".into(),
                Some("invalid_body"),
            ),
            CannotUpdateTogether { first, second } => mgmt(
                StatusCode::BAD_REQUEST,
                format!("Cannot update {first} and {second} simultaneously."),
                None,
            ),
            ConnectionDoesNotExist { .. } => mgmt(StatusCode::BAD_REQUEST, "Connection does not exist.".into(), None),
            ConnectionNotSupported { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "Connection is not supported for this operation.".into(),
                None,
            ),
            PasswordTooWeak { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "PasswordStrengthError: Password is too weak".into(),
                None,
            ),

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
            GrantTypeNotAllowed { grant_type, .. } => Wire::OAuth {
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
            WrongEmailOrPassword { .. } => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Wrong email or password.".into(),
            ),
            UserBlocked => oauth(StatusCode::UNAUTHORIZED, "unauthorized", "user is blocked".into()),
            NoDefaultConnection => oauth(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Authorization server not configured with default connection.".into(),
            ),
            InvalidRefreshToken => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Unknown or invalid refresh token.".into(),
            ),
            InvalidAuthorizationCode => oauth(
                StatusCode::FORBIDDEN,
                "invalid_grant",
                "Invalid authorization code".into(),
            ),
            InvalidTokenRequestBody { .. } => oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Invalid request payload JSON format".into(),
            ),
            DbConnectionNotFound { .. } => Wire::Bare {
                status: StatusCode::BAD_REQUEST,
                error: "connection not found",
            },
            GlobalRateLimit { .. } => mgmt(
                StatusCode::TOO_MANY_REQUESTS,
                "Global limit has been reached".into(),
                Some("too_many_requests"),
            ),
            UsersWriteRateLimit { .. } => mgmt(
                StatusCode::TOO_MANY_REQUESTS,
                "Global per second users_write group limit has been reached".into(),
                Some("too_many_requests"),
            ),
            ClientQuotaExceeded { .. } => oauth(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Client quota exceeded".into(),
            ),
            ServiceUnavailable => mgmt(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable".into(), None),
            AuthenticationRateLimit { .. } => oauth(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers."
                    .into(),
            ),
        }
    }

    /// The error a fault rule names (see [`NAMED_ERRORS`]); `reset_in_secs` is when the
    /// pretend bucket refills.
    pub fn named(name: &str, reset_in_secs: i64) -> Option<Self> {
        match name {
            "auth0.rate_limited" => Some(Auth0Error::GlobalRateLimit { reset_in_secs }),
            "auth0.users_write_rate_limited" => Some(Auth0Error::UsersWriteRateLimit { reset_in_secs }),
            "auth0.client_quota_exceeded" => Some(Auth0Error::ClientQuotaExceeded { reset_in_secs }),
            "auth0.authentication_rate_limited" => Some(Auth0Error::AuthenticationRateLimit { reset_in_secs }),
            // As if the request had reached the provider without its Authorization header (a
            // proxy that strips it): the auth ladder's first rung.
            "auth0.missing_authentication" => Some(Auth0Error::MissingAuthentication {
                scheme: None,
                token_url: "/oauth/token".into(),
                audience: "the Management API's identifier".into(),
            }),
            // As if the token's signature had not verified (a key rotated under the client).
            "auth0.invalid_token" => Some(Auth0Error::InvalidToken {
                reason: TokenRejection::BadSignature,
            }),
            "auth0.invalid_json" => Some(Auth0Error::InvalidJson {
                looks_form_encoded: false,
            }),
            "auth0.service_unavailable" => Some(Auth0Error::ServiceUnavailable),
            _ => None,
        }
    }

    /// authmock's diagnosis: why this error, and what the client should change.
    pub fn hint(&self) -> String {
        use Auth0Error::*;
        match self {
            MissingAuthentication {
                scheme: None,
                token_url,
                audience,
            } => format!(
                "no Authorization header: get a token with POST {token_url} (grant_type=client_credentials, \
                 audience {audience}) and send it as `Authorization: Bearer <token>`"
            ),
            MissingAuthentication {
                scheme: Some(scheme), ..
            } => format!(
                "Authorization scheme is `{scheme}`; the Management API only takes `Authorization: Bearer <access token>`"
            ),
            BadAuthHeaderFormat { detail } => format!(
                "Authorization header is not `Bearer <JWT>`: {detail}; send the access_token from /oauth/token, not \
                 the client secret or an opaque token"
            ),
            InvalidToken { reason } => match reason {
                TokenRejection::Malformed => "token is not a decodable JWT".into(),
                TokenRejection::WrongAlgorithm { alg } => {
                    format!("token is signed with `{alg}`; only RS256 tokens from this tenant are accepted")
                }
                TokenRejection::UnknownKey { kid } => format!(
                    "token kid {kid:?} is not this tenant's signing key: was it issued by another tenant or server?"
                ),
                TokenRejection::BadSignature => {
                    "token signature does not verify with this tenant's key (issued elsewhere, or altered)".into()
                }
                other => format!("token refused: {other:?}"),
            },
            ExpiredToken { expired_secs_ago } => format!(
                "token expired {} ago on the tenant clock: fetch a new one (cache it only until exp)",
                human_duration(*expired_secs_ago)
            ),
            BadAudience {
                token_audience,
                expected,
            } => format!(
                "token was issued for audience {token_audience} but this API is {expected}: request the token with \
                 audience={expected}"
            ),
            InsufficientScope {
                expected,
                granted,
                client_id,
            } => format!(
                "token scopes [{}] lack {}; grant it to client {} in the fixture",
                granted.join(" "),
                expected.join(" or "),
                client_id.as_deref().unwrap_or("<unknown>")
            ),
            InvalidJson {
                looks_form_encoded: true,
            } => "body is form-encoded (`a=b&c=d`) but Content-Type says application/json: send JSON, or set \
                 Content-Type: application/x-www-form-urlencoded"
                .into(),
            InvalidJson {
                looks_form_encoded: false,
            } => "body is not valid JSON (the Content-Type is JSON, or missing, which counts as JSON)".into(),
            UnsupportedMediaType { content_type } => format!(
                "Content-Type `{content_type}` is not accepted: use application/json or application/x-www-form-urlencoded"
            ),
            PayloadTooLarge { limit } => format!("body is larger than the {limit}-byte limit"),
            PayloadValidation { findings } | QueryValidation { findings } => {
                findings.iter().map(finding_hint).collect::<Vec<_>>().join("; ")
            }
            NotFound { method, path } => format!("no Management API route for {method} {path}"),
            UserNotFound { user_id: Some(id), .. } => {
                format!("no user with user_id {id} (ids look like auth0|...; URL-encode the | as %7C)")
            }
            UserNotFound { email, .. } => format!(
                "no user with email {} in that connection (emails match case-sensitively)",
                email.as_deref().unwrap_or("?")
            ),
            TicketConnectionNotFound { connection_id } => {
                format!("no connection has id {connection_id}: GET /__authmock__/tenant lists the connection ids")
            }
            TicketClientNotFound { client_id } => format!("no application has client_id {client_id}"),
            TicketOrganizationNotFound { organization_id } => {
                format!("organization {organization_id} does not exist (authmock models no organizations yet)")
            }
            UserHasNoEmail => "the user has no email address to send a reset link to".into(),
            IdentityNotFound => "the user has no identity with that user_id and provider".into(),
            IdentityConnectionNotFound => "identity.connection_id names no connection".into(),
            TicketFieldConflict { first, second } => {
                format!("`{first}` and `{second}` exclude each other: send one of them")
            }
            TicketMissingUser => {
                "name the user: send `user_id`, or `email` together with `connection_id` (con_...)".into()
            }
            CannotUpdateTogether { first, second } => {
                format!("update {first} and {second} in two separate requests")
            }
            ConnectionDoesNotExist { connection } => format!("no connection is named `{connection}`"),
            ConnectionNotSupported { connection } => {
                format!("connection `{connection}` is not the user's database connection")
            }
            PasswordTooWeak { rules } => format!("the connection's password policy requires {rules}"),
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
            WrongEmailOrPassword {
                realm,
                known_user: false,
            } => format!("no such user in connection {realm}"),
            WrongEmailOrPassword { known_user: true, .. } => "the password is wrong".into(),
            UserBlocked => "the user is blocked".into(),
            NoDefaultConnection => {
                "grant_type=password needs a tenant default directory; send a realm with the password-realm grant"
                    .into()
            }
            InvalidRefreshToken => "refresh token unknown, revoked or issued to another client".into(),
            InvalidAuthorizationCode => {
                "authorization code unknown or already used (authmock does not serve /authorize yet)".into()
            }
            InvalidTokenRequestBody { detail } => detail.clone(),
            DbConnectionNotFound { connection, known } => format!(
                "`connection` must name a database connection of this tenant; `{connection}` is not one \
                 (database connections: {})",
                known.join(", ")
            ),
            GlobalRateLimit { reset_in_secs }
            | UsersWriteRateLimit { reset_in_secs }
            | AuthenticationRateLimit { reset_in_secs } => format!(
                "rate limit reached: no requests left in this window; retry after x-ratelimit-reset (in {reset_in_secs} s \
                 on the tenant clock)"
            ),
            ClientQuotaExceeded { reset_in_secs } => format!(
                "M2M token quota used up: cache tokens until they expire instead of fetching one per call; \
                 retry after {reset_in_secs} s"
            ),
            ServiceUnavailable => "503 injected by a fault rule: the provider is down; report it or retry later".into(),
        }
    }
}

fn finding_hint(finding: &Finding) -> String {
    match (&finding.violation, &finding.property) {
        (Violation::Additional { names, .. }, _) if names.iter().any(|n| n == "connection") => {
            "`connection` is not a field of this endpoint; did you mean `connection_id` (con_...)? \
             GET /__authmock__/tenant lists the connection ids"
                .into()
        }
        (Violation::Additional { names, .. }, _) => format!("unknown fields: {}", names.join(", ")),
        (Violation::Required { property }, None) if property == "connection_id" => {
            "`email` needs `connection_id` (con_...) to say which connection the user is in; \
             GET /__authmock__/tenant lists the connection ids"
                .into()
        }
        (violation, Some((path, _))) => format!("{path}: {}", violation.text()),
        (violation, None) => violation.text(),
    }
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

impl IntoResponse for Auth0Error {
    fn into_response(self) -> Response {
        let hint = self.hint();
        let self_kind = if matches!(self, Auth0Error::MissingAuthentication { .. }) {
            Challenge::Bare
        } else {
            Challenge::None
        };
        let response = match self.wire() {
            Wire::Mgmt {
                status,
                message,
                error_code,
                token_error,
            } => {
                let body = MgmtBody {
                    status_code: status.as_u16(),
                    error: reason_phrase(status),
                    message: &message,
                    error_code,
                    attributes: token_error.then_some(Attributes { error: &message }),
                };
                let mut response = json_response(status, &body, "application/json; charset=utf-8");
                // inf (facts §2.2): Boom sets WWW-Authenticate on the Bearer scheme's 401s (missing
                // authentication and token errors); `Bad audience` was seen without one.
                let challenge = match (&self_kind, token_error) {
                    (_, true) => Some(format!("Bearer error=\"{message}\"")),
                    (Challenge::Bare, false) => Some("Bearer".to_owned()),
                    (Challenge::None, false) => None,
                };
                if let Some(value) = challenge.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
                }
                response
            }
            Wire::OAuth {
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
                "application/json; charset=utf-8",
            ),
            Wire::Bare { status, error } => json_response(
                status,
                &serde_json::json!({ "error": error }),
                "application/json; charset=utf-8",
            ),
        };
        with_hint(response, hint)
    }
}

/// Attaches a diagnosis to any response (errors, and successes that hide something, such as a
/// reset request for an unknown email): the `x-authmock-hint` header and the [`Hint`] extension.
pub(crate) fn with_hint(mut response: Response, hint: String) -> Response {
    if let Ok(value) = HeaderValue::from_str(&sanitize_header(&hint)) {
        response.headers_mut().insert(HINT_HEADER, value);
    }
    response.extensions_mut().insert(Hint(hint));
    response
}

/// Whether a non-token 401 carries a bare `WWW-Authenticate: Bearer` challenge.
enum Challenge {
    Bare,
    None,
}

/// Adds the rate-limit headers Auth0 sends on rate-limited endpoints, on success and on 429
/// (facts §6): bucket size, tokens left, and when tokens are next added (UNIX epoch seconds).
pub fn set_rate_limit_headers(headers: &mut axum::http::HeaderMap, limit: u64, remaining: u64, reset_unix: i64) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(reset_unix));
}

/// Serialises `body` with the given content type.
pub(crate) fn json_response(status: StatusCode, body: &impl Serialize, content_type: &'static str) -> Response {
    let bytes = serde_json::to_vec(body).expect("wire bodies are plain structs and JSON values");
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response()
}

/// Header values must be visible ASCII: replace anything else.
fn sanitize_header(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
        .collect()
}
