//! The Management API's errors, in hapi's Boom envelope (facts `shared/providers/auth0.md`
//! §2.1): `{"statusCode":...,"error":"<reason phrase>","message":...[,"errorCode":...][,"attributes":...]}`
//! with `application/json; charset=utf-8`, and `WWW-Authenticate` on the Bearer scheme's 401s.
//!
//! Each variant says when the provider answers with it and which fact it follows; its wire text
//! ([`MgmtError::wire`]) and its diagnosis ([`MgmtError::hint`], sent in `x-authmock-hint`, never
//! in the body) are the two matches of this file. Variants carry only what varies on the wire
//! plus what the hint needs.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth0::wire::body::NotJson;
use crate::auth0::wire::hint::{human_duration, rate_limit_hint};
use crate::auth0::wire::respond::{json_response, with_hint};
use crate::auth0::wire::signup_error::{connection_not_enabled, connection_not_enabled_hint};
use crate::core::node::Unavailable;
use crate::core::tokens::TokenRejection;

/// The most bytes a user's `user_metadata` and `app_metadata` weigh together, as JSON (see
/// [`MgmtError::MetadataTooLarge`]).
pub const METADATA_LIMIT: usize = 100 * 1024;

/// One failed schema rule, in neutral terms; [`MgmtError::PayloadValidation`] renders it with
/// the z-schema message templates the Management API uses (facts §2.4).
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    Type {
        expected: String,
        found: String,
    },
    Required {
        property: String,
    },
    Additional {
        names: Vec<String>,
        metadata_note: bool,
    },
    Pattern {
        pattern: String,
        value: String,
    },
    TooShort {
        length: usize,
        min: u64,
    },
    TooLong {
        length: usize,
        max: u64,
    },
    Minimum {
        value: String,
        min: String,
    },
    Maximum {
        value: String,
        max: String,
    },
    /// `fields` naming something that is not a field (obs: JAVA-FX `APIException.java`, facts
    /// `auth0.md` §11): the allowed names, comma-joined.
    FieldsList {
        value: String,
        allowed: &'static [&'static str],
    },
    Enum {
        value: String,
    },
    Format {
        format: String,
        value: String,
    },
    Other {
        keyword: String,
    },
}

/// A violation and where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub violation: Violation,
    /// Dotted path and the property's schema description; `None` at the body's root.
    pub property: Option<(String, Option<String>)>,
}

/// A body that is not JSON is hapi's `Invalid request payload JSON format`.
impl From<NotJson> for MgmtError {
    fn from(NotJson { looks_form_encoded }: NotJson) -> Self {
        MgmtError::InvalidJson { looks_form_encoded }
    }
}

/// A Management API error, exactly as the provider sends it.
#[derive(Debug, Clone)]
pub enum MgmtError {
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

    /// An organization error (`organizations.rs` has its texts and hints).
    Organization(crate::auth0::wire::organizations::OrgError),
    /// A factor-management error (`factor_error.rs` has its texts and hints).
    Factor(crate::auth0::wire::factor_error::FactorError),

    // ---- Management API: resources ----
    /// Route or method not served. 404 without `errorCode` (obs: go-auth0 recordings).
    NotFound { method: String, path: String },
    /// An `OPTIONS` without `Access-Control-Request-Method`: hapi's CORS refusal, 404
    /// `CORS error: Missing Access-Control-Request-Method header` (obs, auth0.md §2 fixture).
    CorsMissingMethod,
    /// 404 `The user does not exist.` / `inexistent_user` (obs).
    UserNotFound {
        user_id: Option<String>,
        email: Option<String>,
    },
    /// Ticket names a connection id the tenant lacks. 400 (doc: OAS x-description-4).
    TicketConnectionNotFound { connection_id: String },
    /// Ticket names an unknown `client_id`. 400 (doc: OAS x-description-7).
    TicketClientNotFound { client_id: String },
    /// Ticket names an `organization_id` the tenant does not have. 400 (doc: OAS
    /// x-description-8).
    TicketOrganizationNotFound { organization_id: String },
    /// Ticket names an organization its user is not a member of. 400 (doc: OAS, facts auth0.md
    /// §3.2; no errorCode, as its documented siblings).
    TicketUserNotMember { user_id: String, organization_id: String },
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

    // ---- Management API: user lifecycle (facts `auth0-users.md` §1-§3) ----
    /// `POST /users` for an email (or custom `user_id`) the connection already has. 409
    /// `auth0_idp_error` (obs).
    UserAlreadyExists { email: String },
    /// `POST /users` with a username another user of the connection holds. 400 (obs text; no
    /// errorCode was seen, so none is sent).
    UsernameInUse { username: String },
    /// `POST /users` naming no connection of the tenant. 400 `inexistent_connection` (obs).
    InexistentConnection { connection: String },
    /// `POST /users` on a connection that is neither database nor passwordless. 400 (doc text;
    /// errorCode not documented, none sent).
    ConnectionCannotCreateUsers { connection: String },
    /// `POST /users` by an application the connection is not enabled for. 400 (obs text:
    /// terraform-provider-auth0 #854, `400 Bad Request: Connection must be enabled for this client
    /// to perform single user creation and signup operations (client_id: … - connection: …)`; no
    /// errorCode inf: the report quotes none).
    ConnectionNotEnabledForClient { client_id: String, connection: String },
    /// `username` on a connection without `requires_username`. 400 (doc text; no errorCode).
    UsernameNotAllowed { connection: String },
    /// A password the connection's history, dictionary or personal-information rule refuses.
    /// 400 `<Name>: <text>` without errorCode (obs texts; errorCode absence inf, as for
    /// `PasswordStrengthError`).
    PasswordRule { rule: PasswordRule },
    /// `PATCH` to an email another user of the connection has. 400 (obs text; no errorCode seen).
    NewEmailExists { email: String },
    /// `search_engine=v1` or `v2` (or v1's `connection` parameter). 400 `operation_not_supported`
    /// (obs for v1; the v2 text is doc and its errorCode inf).
    SearchEngineNotAllowed { engine: &'static str },
    /// `page`/`per_page` reaching past the first 1000 results. 400 `invalid_paging` (obs text;
    /// the exact trigger is inf: (page+1)×per_page > 1000).
    InvalidPaging,
    /// A create or update that would leave a user's `user_metadata` and `app_metadata` weighing
    /// more than [`METADATA_LIMIT`] bytes (serialised JSON). doc: profiles are capped at 10 KB
    /// plus an extended allowance "about 10 times the limit" (DOC migrate-oversized-user-profiles);
    /// inf: the cap is that allowance, 10 × 10 KiB, counted on the metadata, and the status, text
    /// and errorCode (no refusal was recorded) follow the payload errors' envelope.
    MetadataTooLarge { bytes: usize },
    /// `GET /jobs/{id}` for an unknown job. 404 `Job not found.` (doc text; body shape and the
    /// absence of an errorCode inf).
    JobNotFound { id: String },
    /// Unknown role. 404 `The role does not exist.` without errorCode (obs).
    RoleNotFound { id: String },
    /// A role name in use. 409 `The role already exists.` (doc text; body and the absence of an
    /// errorCode inf).
    RoleExists { name: String },
    /// Unknown application. 404 `The client does not exist` / `inexistent_client` (obs:
    /// terraform-provider-auth0 TestAccDataSourceClientNonexistentID). Also a grant's unknown
    /// `client_id` (inf: no recording).
    ClientNotFound { id: String },
    /// Unknown connection (`/api/v2/connections/{id}`). 404 `The connection does not exist` /
    /// `inexistent_connection` (obs: go-auth0 v1 TestConnectionManager_Delete.yaml,
    /// terraform-provider-auth0 TestAccDataSourceConnection.yaml).
    ConnectionNotFound { id: String },
    /// A connection name in use. 409 `A connection with the same name already exists` /
    /// `connection_conflict` (obs: auth0-deploy-cli #221 and auth0-github-deploy #57 quote the body).
    ConnectionExists { name: String },
    /// `options.attributes` beside `options.requires_username` or `options.validation`. 400
    /// `Cannot set both options.attributes and options.<key>` / `invalid_body` (obs: go-auth0 v1
    /// TestConnectionManager_CreateDBConnectionWithDifferentOptions, 2026-04).
    ConnectionAttributesWith { key: &'static str },
    /// A database connection whose `login` script would run (`enabledDatabaseCustomization` on,
    /// `customScripts.login` given) on a server that cannot run scripts: not opted in
    /// (`--allow-scripts`) or no `node`. 400 `invalid_body` with authmock's own message (inf:
    /// the provider always runs scripts; refusing beats storing a connection whose logins would
    /// all fail).
    ScriptsUnavailable { missing: Unavailable },
    /// `options.authmock_janrain_login` (authmock's own setting) that could not sign anyone in:
    /// 400 `invalid_body` with what is wrong (inf: the setting is authmock's, so is the text).
    DelegateInvalid { why: String },
    /// A PATCH turning `options.enabledDatabaseCustomization` on or off on a connection that holds
    /// users. 400 `This database contains users. You cannot change
    /// "options.enabledDatabaseCustomization" setting.` (doc: Management API OAS, connections
    /// PATCH); `errorCode` `invalid_body` (inf: the OAS gives the message only; the connections'
    /// other body refusals carry it).
    CustomizationLocked,
    /// Unknown API. 404 `The resource server does not exist` / `inexistent_resource_server`
    /// (obs: terraform-provider-auth0 TestAccDataSourceResourceServer). Also a grant's unknown
    /// `audience` (inf: no recording).
    ResourceServerNotFound { id: String },
    /// Unknown grant. 404 `The grant does not exist.` / `inexistent_client_grant` (obs: go-auth0
    /// TestClientGrantManager_Delete).
    GrantNotFound { id: String },
    /// An API identifier in use. 409 (inf: no recording; the text and code are those another
    /// Auth0 fake answers, in the hapi envelope the provider uses for its conflicts).
    ResourceServerExists { identifier: String },
    /// A second grant for one application and API. 409 (inf: no recording; text and code as
    /// another Auth0 fake answers them).
    GrantExists { client_id: String, audience: String },
    /// Deleting the Management API (`is_system`). 400 (inf: no recording; the API refuses to
    /// change system resource servers, terraform-provider-auth0 #374).
    SystemResourceServer,
    /// A permission naming an API the tenant does not have (`POST /roles/{id}/permissions`,
    /// `POST /users/{id}/permissions`). 404 `The resource server does not exist: '<identifier>'`
    /// (obs text: auth0-cli #348 `404 Not Found: The resource server does not exist: ''`, and
    /// auth0.net #444 for role permissions; no errorCode inf: neither report shows one, and the
    /// role 404 of the same API family has none).
    PermissionApiNotFound { identifier: String },
    /// `is_token_endpoint_ip_header_trusted: true` on an application whose stored
    /// `token_endpoint_auth_method` is not `client_secret_post` or `client_secret_basic` (a public
    /// one, or one that never named its method). 400. obs: terraform-provider-auth0 #620 (a
    /// create without a method) and #1731 (a PATCH of an application whose method was never
    /// written), quoted as `400 Bad Request: The flag ... 'client_secret_post' or 'client_`; inf:
    /// the end of the text after `'client_` (`secret_basic')`) and no errorCode (none was quoted).
    IpHeaderTrustedWithoutSecret,
    /// A `q` the search engine refuses. 400 `invalid_query_string`. Only the fragment
    /// `filter can not be used with unknown field` was seen for users (obs, FS-37845006662); the
    /// prefix is the logs endpoint's observed `The search query string has an error:` (inf).
    SearchQuery { problem: SearchProblem },
    /// A user search that ran past the tenant's budget (fixture `search_timeout_ms`). 503 `The
    /// query exceeded the timeout. Please try refining your search criteria. See
    /// https://auth0.com/docs/best-practices/search-best-practices.` (doc/obs text: facts
    /// `auth0-users.md` §2 "Misc"; the 503 and the two seconds: DOC-search best practices; the
    /// absence of an errorCode inf: no capture of the body shows one).
    SearchTimeout { budget_ms: u64 },
    // ---- Rate limits (facts §6); the `x-ratelimit-*` headers are added by the caller ----
    /// A Management API bucket is empty. 429 `Global limit has been reached` /
    /// `too_many_requests` (obs: auth0-java `rate_limit_error.json`, auth0-reset-tenant #31).
    GlobalRateLimit { reset_in_secs: i64 },
    /// The per-second `users_write` bucket is empty. 429 (obs: Maptio #516; the `errorCode` is
    /// inf, taken from the global bucket's body).
    UsersWriteRateLimit { reset_in_secs: i64 },

    // ---- Outages (fault rules only) ----
    /// The Management API is down. 503 in the hapi envelope (inf: no capture of a real outage
    /// was found; Boom's `serverUnavailable()` without a message repeats the reason phrase).
    ServiceUnavailable,
}

/// A password rule beyond strength (facts `auth0-users.md` §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRule {
    /// Among the connection's last N passwords.
    History,
    /// In the password dictionary.
    Dictionary,
    /// Contains the user's name or email.
    NoUserInfo,
}

/// What is wrong with a search query.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchProblem {
    /// The query does not parse: the parser's reason and position.
    Syntax { reason: String, at: usize },
    /// A field the user index does not have.
    UnknownField { field: String },
    /// A leading wildcard with fewer than three literal characters after it, or a wildcard or
    /// range on metadata (both refused by the documented search rules).
    Unsupported { what: String },
}

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

/// What goes on the wire for one Management API error.
struct Boom {
    status: StatusCode,
    message: String,
    error_code: Option<&'static str>,
    /// hapi JWT errors echo the message in `attributes.error` and `WWW-Authenticate`.
    token_error: bool,
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
            Violation::Maximum { value, max } => format!("Value {value} is greater than maximum {max}"),
            Violation::FieldsList { value, allowed } => format!(
                "String '{value}' does not match pattern. Must be a comma separated list of the following values: {}",
                allowed.join(",")
            ),
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

impl MgmtError {
    fn wire(&self) -> Boom {
        use MgmtError::*;
        let mgmt = |status: StatusCode, message: String, error_code: Option<&'static str>| Boom {
            status,
            message,
            error_code,
            token_error: false,
        };
        match self {
            MissingAuthentication { .. } => mgmt(StatusCode::UNAUTHORIZED, "Missing authentication".into(), None),
            BadAuthHeaderFormat { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "Bad HTTP authentication header format".into(),
                Some("Bearer"),
            ),
            InvalidToken { .. } => Boom {
                status: StatusCode::UNAUTHORIZED,
                message: "Invalid token".into(),
                error_code: None,
                token_error: true,
            },
            ExpiredToken { .. } => Boom {
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
            CorsMissingMethod => mgmt(
                StatusCode::NOT_FOUND,
                "CORS error: Missing Access-Control-Request-Method header".into(),
                None,
            ),
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
            TicketUserNotMember {
                user_id,
                organization_id,
            } => mgmt(
                StatusCode::BAD_REQUEST,
                format!("The user with id {user_id} is not a member of organization with id {organization_id}."),
                None,
            ),
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
            UserAlreadyExists { .. } => mgmt(
                StatusCode::CONFLICT,
                "The user already exists.".into(),
                Some("auth0_idp_error"),
            ),
            UsernameInUse { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "The username provided is in use already.".into(),
                None,
            ),
            InexistentConnection { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "The connection does not exist.".into(),
                Some("inexistent_connection"),
            ),
            ConnectionNotEnabledForClient { client_id, connection } => mgmt(
                StatusCode::BAD_REQUEST,
                connection_not_enabled(client_id, connection),
                None,
            ),
            ConnectionCannotCreateUsers { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "Connection does not support user creation through the API. It must either be a database or \
                 passwordless connection."
                    .into(),
                None,
            ),
            UsernameNotAllowed { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "Cannot set username for connection without requires_username.".into(),
                None,
            ),
            PasswordRule { rule } => mgmt(
                StatusCode::BAD_REQUEST,
                match rule {
                    self::PasswordRule::History => "PasswordHistoryError: Password has previously been used",
                    self::PasswordRule::Dictionary => "PasswordDictionaryError: Password is too common",
                    self::PasswordRule::NoUserInfo => "PasswordNoUserInfoError: Password contains user information",
                }
                .into(),
                None,
            ),
            NewEmailExists { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                "The specified new email already exists".into(),
                None,
            ),
            SearchEngineNotAllowed { engine } => mgmt(
                StatusCode::BAD_REQUEST,
                if *engine == "v1" {
                    "You are not allowed to use search_engine=v1.".into()
                } else {
                    format!("You are not allowed to use search_engine={engine}. Use search_engine=v3 instead.")
                },
                Some("operation_not_supported"),
            ),
            JobNotFound { .. } => mgmt(StatusCode::NOT_FOUND, "Job not found.".into(), None),
            RoleNotFound { .. } => mgmt(StatusCode::NOT_FOUND, "The role does not exist.".into(), None),
            RoleExists { .. } => mgmt(StatusCode::CONFLICT, "The role already exists.".into(), None),
            ClientNotFound { .. } => mgmt(
                StatusCode::NOT_FOUND,
                "The client does not exist".into(),
                Some("inexistent_client"),
            ),
            ConnectionNotFound { .. } => mgmt(
                StatusCode::NOT_FOUND,
                "The connection does not exist".into(),
                Some("inexistent_connection"),
            ),
            ConnectionExists { .. } => mgmt(
                StatusCode::CONFLICT,
                "A connection with the same name already exists".into(),
                Some("connection_conflict"),
            ),
            ConnectionAttributesWith { key } => mgmt(
                StatusCode::BAD_REQUEST,
                format!("Cannot set both options.attributes and options.{key}"),
                Some("invalid_body"),
            ),
            CustomizationLocked => mgmt(
                StatusCode::BAD_REQUEST,
                "This database contains users. You cannot change \"options.enabledDatabaseCustomization\" setting."
                    .into(),
                Some("invalid_body"),
            ),
            // inf: authmock's own text (see the variant).
            DelegateInvalid { why } => mgmt(StatusCode::BAD_REQUEST, why.clone(), Some("invalid_body")),
            // inf: authmock's own text (see the variant).
            ScriptsUnavailable { missing } => mgmt(
                StatusCode::BAD_REQUEST,
                match missing {
                    Unavailable::NotAllowed => {
                        "Custom database scripts are disabled on this authmock server: start it \
                                                with --allow-scripts (or AUTHMOCK_ALLOW_SCRIPTS=1) to run \
                                                options.customScripts"
                            .into()
                    }
                    Unavailable::NoNode => "Custom database scripts need Node.js: no `node` (version 20 or later) \
                                            was found on the PATH of this authmock server"
                        .into(),
                },
                Some("invalid_body"),
            ),
            ResourceServerNotFound { .. } => mgmt(
                StatusCode::NOT_FOUND,
                "The resource server does not exist".into(),
                Some("inexistent_resource_server"),
            ),
            GrantNotFound { .. } => mgmt(
                StatusCode::NOT_FOUND,
                "The grant does not exist.".into(),
                Some("inexistent_client_grant"),
            ),
            ResourceServerExists { .. } => mgmt(
                StatusCode::CONFLICT,
                "A resource server with the same identifier already exists".into(),
                Some("resource_server_conflict"),
            ),
            GrantExists { .. } => mgmt(
                StatusCode::CONFLICT,
                "Client grant already exists".into(),
                Some("client_grant_conflict"),
            ),
            SystemResourceServer => mgmt(
                StatusCode::BAD_REQUEST,
                "System resource servers cannot be deleted".into(),
                Some("operation_not_supported"),
            ),
            MetadataTooLarge { .. } => mgmt(
                StatusCode::BAD_REQUEST,
                // inf: see the variant.
                format!("Payload validation error: 'User profile exceeds the maximum size of {METADATA_LIMIT} bytes'."),
                Some("invalid_body"),
            ),
            PermissionApiNotFound { identifier } => mgmt(
                StatusCode::NOT_FOUND,
                format!("The resource server does not exist: '{identifier}'"),
                None,
            ),
            IpHeaderTrustedWithoutSecret => mgmt(
                StatusCode::BAD_REQUEST,
                "The flag is_token_endpoint_ip_header_trusted can only be set true on clients that require \
                 authentication (i.e. token_endpoint_auth_method is set to 'client_secret_post' or \
                 'client_secret_basic')"
                    .into(),
                None,
            ),
            InvalidPaging => mgmt(
                StatusCode::BAD_REQUEST,
                "You can only page through the first 1000 records. See \
                 https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation"
                    .into(),
                Some("invalid_paging"),
            ),
            SearchQuery { problem } => mgmt(
                StatusCode::BAD_REQUEST,
                match problem {
                    SearchProblem::UnknownField { field } => format!(
                        "The search query string has an error: filter can not be used with unknown field \"{field}\""
                    ),
                    SearchProblem::Syntax { reason, at } => {
                        format!("The search query string has an error: {reason} at character {at}")
                    }
                    SearchProblem::Unsupported { what } => format!("The search query string has an error: {what}"),
                },
                Some("invalid_query_string"),
            ),
            SearchTimeout { .. } => mgmt(
                StatusCode::SERVICE_UNAVAILABLE,
                "The query exceeded the timeout. Please try refining your search criteria. See \
                 https://auth0.com/docs/best-practices/search-best-practices."
                    .into(),
                None,
            ),
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
            ServiceUnavailable => mgmt(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable".into(), None),
            Organization(error) => mgmt(error.status(), error.message(), error.error_code()),
            Factor(error) => mgmt(error.status(), error.message(), error.error_code()),
        }
    }

    /// A rate-limit answer (429 with `x-ratelimit-*` headers when it comes from a bucket).
    pub fn is_rate_limit(&self) -> bool {
        matches!(
            self,
            MgmtError::GlobalRateLimit { .. } | MgmtError::UsersWriteRateLimit { .. }
        )
    }

    /// authmock's diagnosis: why this error, and what the client should change.
    pub fn hint(&self) -> String {
        use MgmtError::*;
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
            CorsMissingMethod => {
                "a CORS preflight names the method it asks for in Access-Control-Request-Method".into()
            }
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
                format!("this tenant has no organization {organization_id} (GET /api/v2/organizations lists them)")
            }
            TicketUserNotMember {
                user_id,
                organization_id,
            } => format!(
                "{user_id} is not a member of {organization_id}: POST /api/v2/organizations/{organization_id}/members first"
            ),
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
            UserAlreadyExists { email } => {
                format!("{email} already has a user in this connection: GET /api/v2/users-by-email finds it")
            }
            UsernameInUse { username } => format!("another user of this connection has the username {username}"),
            InexistentConnection { connection } => {
                format!("no connection is named `{connection}`: GET /__authmock__/tenant lists them")
            }
            ConnectionNotEnabledForClient { client_id, connection } => connection_not_enabled_hint(client_id, connection),
            ConnectionCannotCreateUsers { connection } => {
                format!("`{connection}` is not a database connection; users are created in database connections")
            }
            UsernameNotAllowed { connection } => format!(
                "`{connection}` does not require usernames: drop `username`, or set requires_username on the \
                 connection in the fixture"
            ),
            PasswordRule { rule } => match rule {
                self::PasswordRule::History => "the connection's password history holds this password".into(),
                self::PasswordRule::Dictionary => "the password is in the connection's password dictionary".into(),
                self::PasswordRule::NoUserInfo => "the password contains the user's name or email".into(),
            },
            NewEmailExists { email } => format!("another user of this connection already has {email}"),
            SearchEngineNotAllowed { engine } => format!(
                "search_engine={engine} is retired (so is v1's `connection` parameter): send search_engine=v3 and \
                 filter with q=identities.connection:\"...\""
            ),
            JobNotFound { id } => format!("no job has id {id} (ids look like job_ + 16 alphanumerics)"),
            RoleNotFound { id } => format!("no role has id {id} (GET /api/v2/roles lists them)"),
            RoleExists { name } => format!("a role named {name} exists already"),
            ClientNotFound { id } => format!("no application has client_id {id} (GET /api/v2/clients lists them)"),
            ConnectionNotFound { id } => format!("no connection has id {id} (GET /api/v2/connections lists them)"),
            ConnectionExists { name } => format!("a connection named {name} exists already; names are unique in a tenant"),
            ConnectionAttributesWith { key } => format!(
                "options.attributes configures the identifiers itself: drop options.{key} or options.attributes"
            ),
            CustomizationLocked => "the connection holds users: delete them first (DELETE /api/v2/users/{id}, or \
                                    DELETE /api/v2/connections/{id}/users?email=), or keep the setting"
                .into(),
            DelegateInvalid { .. } => "options.authmock_janrain_login names the Janrain app logins are delegated to: \
                                       url (loopback), client_id and flow_version (docs/migration.md)"
                .into(),
            ScriptsUnavailable { .. } => "a login script is customer code: authmock runs it in Node.js only when \
                                          the operator opts in (docs/migration.md, lazy migration); without it, \
                                          send enabledDatabaseCustomization false or no customScripts.login"
                .into(),
            ResourceServerNotFound { id } => format!(
                "no API has id or identifier {id} (GET /api/v2/resource-servers lists them; an identifier goes URL-encoded in the path)"
            ),
            GrantNotFound { id } => format!("no client grant has id {id} (GET /api/v2/client-grants lists them)"),
            ResourceServerExists { identifier } => format!("an API with identifier {identifier} exists already"),
            GrantExists { client_id, audience } => format!(
                "{client_id} already has a grant on {audience}: PATCH /api/v2/client-grants/{{id}} changes its scopes"
            ),
            SystemResourceServer => {
                "the Management API is the tenant's system API: it can be read and its token lifetime changed, never deleted"
                    .into()
            }
            MetadataTooLarge { bytes } => format!(
                "user_metadata and app_metadata would weigh {bytes} bytes together; a user's metadata holds at most \
                 {METADATA_LIMIT} (Auth0's 10 KB profile limit with its tenfold allowance): keep bulk data elsewhere"
            ),
            PermissionApiNotFound { identifier } => format!(
                "no API has the identifier {identifier:?}: a permission names its API by `identifier` (the audience, \
                 e.g. https://api.example.com/), not by its id or name; GET /__authmock__/tenant lists the APIs"
            ),
            IpHeaderTrustedWithoutSecret => {
                "trusting auth0-forwarded-for needs an application that authenticates with its secret: send \
                 token_endpoint_auth_method client_secret_post or client_secret_basic with the flag"
                    .into()
            }
            InvalidPaging => {
                "(page+1)*per_page must stay within the first 1000 results: narrow the query with q instead".into()
            }
            SearchQuery { problem } => match problem {
                SearchProblem::UnknownField { field } => format!(
                    "`{field}` is not a searchable user field (metadata goes through app_metadata.x / user_metadata.x; \
                     the connection is identities.connection)"
                ),
                SearchProblem::Syntax { reason, at } => format!("q does not parse: {reason} at character {at}"),
                SearchProblem::Unsupported { what } => what.clone(),
            },
            SearchTimeout { budget_ms } => format!(
                "the search ran past the tenant's search budget of {budget_ms} ms (fixture search_timeout_ms; Auth0 \
                 gives up after 2 s): fewer terms, exact values instead of inner or leading wildcards, or an exact \
                 email/user_id term the index can answer"
            ),
            ServiceUnavailable => "503 injected by a fault rule: the provider is down; report it or retry later".into(),
            Organization(error) => error.hint(),
            Factor(error) => error.hint(),
            GlobalRateLimit { reset_in_secs } | UsersWriteRateLimit { reset_in_secs } => {
                rate_limit_hint(*reset_in_secs)
            }
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

impl IntoResponse for MgmtError {
    fn into_response(self) -> Response {
        let hint = self.hint();
        let self_kind = if matches!(self, MgmtError::MissingAuthentication { .. }) {
            Challenge::Bare
        } else {
            Challenge::None
        };
        let Boom {
            status,
            message,
            error_code,
            token_error,
        } = self.wire();
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
        with_hint(response, hint)
    }
}

impl From<crate::auth0::wire::factor_error::FactorError> for MgmtError {
    fn from(error: crate::auth0::wire::factor_error::FactorError) -> Self {
        MgmtError::Factor(error)
    }
}

impl From<crate::auth0::wire::organizations::OrgError> for MgmtError {
    fn from(error: crate::auth0::wire::organizations::OrgError) -> Self {
        MgmtError::Organization(error)
    }
}

/// Whether a non-token 401 carries a bare `WWW-Authenticate: Bearer` challenge.
enum Challenge {
    Bare,
    None,
}
