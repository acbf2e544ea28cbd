//! Every wire error of the browser-login surface, in one place (facts auth0-login.md §1.3, §1.4,
//! §2, §7).
//!
//! Two kinds exist, and the provider's rule decides between them (facts §1.3, DOC-errpage): while
//! the request has not yet proven a callback URL the application allows, errors render the
//! hosted error page ([`PageError`]); once it has, they travel back to the callback as `error`,
//! `error_description` and `state` in the request's response mode ([`CallbackError`]).
//! Each variant says where its text comes from; `inf` marks text the facts do not give.

use axum::http::StatusCode;

/// An error shown on the hosted error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// No `response_type`: checked before anything else (facts §1.3, obs FS-56747386142).
    MissingResponseType,
    /// No `client_id` (inf: the same wording as the observed `response_type` case).
    MissingClientId,
    /// 400 `invalid_request: Unknown client: <id>` (facts §1.3, obs).
    UnknownClient { client_id: String },
    /// 400 `unauthorized_client: Callback URL mismatch. …` (facts §1.3, obs PROBE-BM).
    CallbackMismatch { redirect_uri: String, allowed: Vec<String> },
    /// 403 `unauthorized_client: Grant type '<g>' not allowed for the client.` (facts §1.3, obs).
    GrantNotAllowed { grant: &'static str, client_id: String },
    /// 400: the Universal Login transaction is unknown, finished, or belongs to another browser
    /// (facts §1.3, obs ERRPAGE).
    SessionNotFound { why: &'static str },
    /// `response_mode=web_message` from an origin that is not an Allowed Web Origin: 400 at
    /// `/authorize` (obs auth0/auth0-spa-js#209, 2019: "the request failed because my redirect_uri
    /// origin is not registered"); nothing is posted back, so the SDK only times out (facts §9).
    /// The description is the tenant log's wording (obs fragment `does not have a registered
    /// origin`, foretold-app/foretold#1171; the sentence around it and the code are inf).
    WebOriginNotAllowed {
        redirect_uri: String,
        origin: String,
        allowed: Vec<String>,
    },
    /// `/v2/logout` or `/oidc/logout` with a URL outside Allowed Logout URLs. 400 (facts §7, obs).
    LogoutUrlNotAllowed {
        param: &'static str,
        url: String,
        client_id: String,
        allowed: Vec<String>,
    },
    /// A login form body that is too large or not url-encoded (inf: not a browser's form).
    BadForm { detail: &'static str },
    /// `/oidc/logout` with an `id_token_hint` this tenant did not sign, or for another client
    /// (inf: the provider's text was not captured).
    InvalidIdTokenHint { why: String },
}

/// The page's texts and status.
pub struct PageText {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
    /// Extra lines above the details (the callback-mismatch page has three).
    pub lines: Vec<&'static str>,
}

// facts §1.3, obs (PROBE-BM, auth0-samples/auth0-nodejs-webapp-sample#80).
const MISMATCH_LINES: [&str; 3] = [
    "Callback URL mismatch.",
    "The provided redirect_uri is not in the list of allowed callback URLs.",
    "Please go to the Application Settings page and make sure you are sending a valid callback url from your \
     application.",
];
// facts §1.3, obs ERRPAGE.
const SESSION_NOT_FOUND: &str = "You may have pressed the back button, refreshed during login, opened too many \
                                 login dialogs, or there is some issue with cookies, since we couldn't find your \
                                 session. Try logging in again from the application and if the problem persists \
                                 please contact the administrator.";

impl PageError {
    pub fn text(&self) -> PageText {
        let page = |status, code, description: String| PageText {
            status,
            code,
            description,
            lines: Vec::new(),
        };
        match self {
            PageError::MissingResponseType => page(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing required parameter: response_type".into(),
            ),
            PageError::MissingClientId => page(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing required parameter: client_id".into(),
            ),
            PageError::UnknownClient { client_id } => page(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("Unknown client: {client_id}"),
            ),
            PageError::CallbackMismatch { redirect_uri, .. } => PageText {
                status: StatusCode::BAD_REQUEST,
                code: "unauthorized_client",
                description: format!(
                    "Callback URL mismatch. {redirect_uri} is not in the list of allowed callback URLs"
                ),
                lines: MISMATCH_LINES.to_vec(),
            },
            PageError::GrantNotAllowed { grant, .. } => page(
                StatusCode::FORBIDDEN,
                "unauthorized_client",
                format!("Grant type '{grant}' not allowed for the client."),
            ),
            PageError::SessionNotFound { .. } => {
                page(StatusCode::BAD_REQUEST, "invalid_request", SESSION_NOT_FOUND.into())
            }
            // inf: the code and the sentence around the observed fragment (see the variant).
            PageError::WebOriginNotAllowed { redirect_uri, .. } => page(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                format!("The specified redirect_uri '{redirect_uri}' does not have a registered origin."),
            ),
            PageError::LogoutUrlNotAllowed {
                param, url, client_id, ..
            } => page(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!(
                    "The \"{param}\" querystring parameter \"{url}\" is not defined as a valid URL in \"Allowed \
                     Logout URLs\". To add a new URL, please do it here: \
                     https://manage.auth0.com/#/applications/{client_id}/settings"
                ),
            ),
            PageError::BadForm { detail } => page(StatusCode::BAD_REQUEST, "invalid_request", (*detail).into()),
            PageError::InvalidIdTokenHint { .. } => page(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Invalid id_token_hint".into(),
            ),
        }
    }

    /// authmock's diagnosis for the `x-authmock-hint` header.
    pub fn hint(&self) -> String {
        match self {
            PageError::MissingResponseType => "/authorize needs response_type (code for the code flow)".into(),
            PageError::MissingClientId => "/authorize needs client_id".into(),
            PageError::UnknownClient { client_id } => {
                format!("no application has client_id {client_id}: GET /__authmock__/tenant lists them")
            }
            PageError::CallbackMismatch { redirect_uri, allowed } => format!(
                "redirect_uri {redirect_uri:?} is not an allowed callback (exact match: scheme, port, path and \
                 trailing slash count); this application allows [{}]",
                allowed.join(", ")
            ),
            PageError::GrantNotAllowed { grant, client_id } => format!(
                "application {client_id} lacks the `{grant}` grant for this response_type: add it to its \
                 grant_types in the fixture"
            ),
            PageError::SessionNotFound { why } => format!("login transaction refused: {why}"),
            PageError::WebOriginNotAllowed { origin, allowed, .. } => format!(
                "response_mode=web_message needs the redirect origin {origin} in the application's web_origins \
                 [{}]",
                allowed.join(", ")
            ),
            PageError::LogoutUrlNotAllowed { url, allowed, .. } => format!(
                "{url:?} is not an allowed logout URL (query and fragment are ignored); allowed: [{}]",
                allowed.join(", ")
            ),
            PageError::BadForm { detail } => (*detail).into(),
            PageError::InvalidIdTokenHint { why } => format!("id_token_hint refused: {why}"),
        }
    }
}

/// An error sent back to the application's callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// inf: the code RFC 6749 §4.1.2.1 names; the provider's description was not captured.
    UnsupportedResponseType { value: String },
    /// inf: RFC 6749 code; description authmock's own.
    UnsupportedResponseMode { value: String },
    /// inf: RFC 7636 §4.4.1 code; description authmock's own.
    UnsupportedChallengeMethod { value: String },
    /// `access_denied` / `Service not found: <aud>` (facts §1.3, obs).
    ServiceNotFound { audience: String },
    /// `login_required` / `Login required` (facts §1.4, doc).
    LoginRequired { why: &'static str },
    /// `login_required` / `Multifactor authentication required`: `prompt=none` on a session that
    /// must step up to MFA first (facts auth0-login.md §1.4, obs: SDK constant).
    MfaRequired,
    /// `unauthorized` / `user is blocked` after credentials (facts §1.3, §2, doc+obs).
    UserBlocked { email: String },
    /// inf: `invalid_request` for a `max_age` that is not a number of seconds.
    InvalidMaxAge { value: String },
    /// `invalid_request` / `the connection was not found`: `connection` names no connection, or
    /// one not enabled for the application (obs auth0/auth0.js#822, 2018, fragment of an implicit
    /// callback; the maintainer's reading there: "you don't have that connection enabled for your
    /// client").
    ConnectionNotFound {
        name: String,
        exists: bool,
        enabled: Vec<String>,
    },
    /// `invalid_request` / `no connections enabled for the client` (obs
    /// auth0-samples/auth0-vue-samples#185, 2022, query callback).
    NoConnectionsEnabled,
    /// `invalid_request` / `parameter organization is required for this client`: the application
    /// requires organizations and none was sent. Text obs (facts §1.3, FS-56113521147); it reaches
    /// the callback (obs danestves/remix-auth-auth0#75 `/callback?error=invalid_request&…`,
    /// auth0-samples/auth0-nodejs-webapp-sample#117 raised by the client's callback handler),
    /// as the provider's rule says once the callback is proven; facts §1.3's "error page" column
    /// disagrees and is not followed.
    OrganizationRequired,
    /// `invalid_request` / `parameter organization is not allowed for this client`: the
    /// application's organization usage is `deny` (obs: quoted in a client's code comment found by
    /// code search; medium confidence).
    OrganizationNotAllowed,
    /// `invalid_request` / `authorization request parameter organization must be an organization
    /// id`: a name where the tenant does not accept organization names (obs auth0/auth0-react#590,
    /// 2023).
    OrganizationNotAnId { value: String },
    /// No organization of the tenant has this id (or name, where names are accepted). inf: code
    /// `invalid_request` (auth0-server-python's documented error table, SDK-SRVPY PR#114, lists
    /// invalid organizations under it); the description was not captured.
    OrganizationNotFound { value: String },
    /// `access_denied` / `user <user_id> is not part of the <org_id> organization`: the user
    /// logged in but is no member, and no invitation or auto-membership made them one (obs
    /// ORG-DENY, facts auth0-mfa-orgs.md B6: a callback `error=access_denied`).
    NotAMember { user_id: String, organization: String },
    /// The user's connection is not enabled for the organization. `access_denied` (obs: the
    /// class, SDK-SRVPY PR#114); inf: the description was not captured.
    OrganizationConnectionNotEnabled { organization: String, connection: String },
    /// An `invitation` that is not live, or not for this organization and application.
    /// `invalid_request` (obs: the class "expired or invalid invitation", SDK-SRVPY PR#114); inf:
    /// the description was not captured.
    InvitationInvalid { why: &'static str },
}

impl CallbackError {
    pub fn error(&self) -> &'static str {
        match self {
            CallbackError::UnsupportedResponseType { .. } => "unsupported_response_type",
            CallbackError::UnsupportedResponseMode { .. }
            | CallbackError::UnsupportedChallengeMethod { .. }
            | CallbackError::InvalidMaxAge { .. }
            | CallbackError::ConnectionNotFound { .. }
            | CallbackError::NoConnectionsEnabled
            | CallbackError::OrganizationRequired
            | CallbackError::OrganizationNotAllowed
            | CallbackError::OrganizationNotAnId { .. }
            | CallbackError::OrganizationNotFound { .. }
            | CallbackError::InvitationInvalid { .. } => "invalid_request",
            CallbackError::ServiceNotFound { .. }
            | CallbackError::NotAMember { .. }
            | CallbackError::OrganizationConnectionNotEnabled { .. } => "access_denied",
            CallbackError::LoginRequired { .. } | CallbackError::MfaRequired => "login_required",
            CallbackError::UserBlocked { .. } => "unauthorized",
        }
    }

    pub fn description(&self) -> String {
        match self {
            CallbackError::UnsupportedResponseType { value } => format!("Unsupported response type: {value}"),
            CallbackError::UnsupportedResponseMode { value } => format!("Unsupported response mode: {value}"),
            CallbackError::UnsupportedChallengeMethod { value } => {
                format!("Unsupported code_challenge_method: {value}")
            }
            CallbackError::ServiceNotFound { audience } => format!("Service not found: {audience}"),
            CallbackError::LoginRequired { .. } => "Login required".into(),
            CallbackError::MfaRequired => "Multifactor authentication required".into(),
            CallbackError::UserBlocked { .. } => "user is blocked".into(),
            CallbackError::InvalidMaxAge { value } => format!("Invalid max_age: {value}"),
            CallbackError::ConnectionNotFound { .. } => "the connection was not found".into(),
            CallbackError::NoConnectionsEnabled => "no connections enabled for the client".into(),
            CallbackError::OrganizationRequired => "parameter organization is required for this client".into(),
            CallbackError::OrganizationNotAllowed => "parameter organization is not allowed for this client".into(),
            CallbackError::OrganizationNotAnId { .. } => {
                "authorization request parameter organization must be an organization id".into()
            }
            // inf: see the variant.
            CallbackError::OrganizationNotFound { value } => format!("organization not found: {value}"),
            CallbackError::NotAMember { user_id, organization } => {
                format!("user {user_id} is not part of the {organization} organization")
            }
            // inf: see the variant.
            CallbackError::OrganizationConnectionNotEnabled { .. } => {
                "the connection is not enabled for the organization".into()
            }
            // inf: see the variant.
            CallbackError::InvitationInvalid { .. } => "invitation not found or expired".into(),
        }
    }

    pub fn hint(&self) -> String {
        match self {
            CallbackError::UnsupportedResponseType { value } => format!(
                "response_type {value:?} is not one of code, token, id_token, id_token token, code token, \
                 code id_token, code token id_token"
            ),
            CallbackError::UnsupportedResponseMode { value } => {
                format!("response_mode {value:?} is not query, fragment, form_post or web_message")
            }
            CallbackError::UnsupportedChallengeMethod { value } => {
                format!("code_challenge_method {value:?}: use S256 (plain is accepted too)")
            }
            CallbackError::ServiceNotFound { audience } => {
                format!("no API has identifier {audience}: GET /__authmock__/tenant lists the APIs")
            }
            CallbackError::LoginRequired { why } => format!("prompt=none cannot log in silently: {why}"),
            CallbackError::MfaRequired => "prompt=none cannot log in silently: acr_values asks for multi-factor and \
                                           this session did not pass a second factor (log in without prompt=none)"
                .into(),
            CallbackError::UserBlocked { email } => format!("{email} is blocked (blocked: true in the fixture)"),
            CallbackError::InvalidMaxAge { value } => format!("max_age {value:?} is not a number of seconds"),
            CallbackError::ConnectionNotFound { name, exists, enabled } => format!(
                "connection {name:?} {}; connections enabled for this application: [{}] (a connection's \
                 enabled_clients in the fixture)",
                if *exists {
                    "exists but is not enabled for this application"
                } else {
                    "does not exist"
                },
                enabled.join(", ")
            ),
            CallbackError::NoConnectionsEnabled => {
                "no connection lists this application in its enabled_clients: enable one in the fixture".into()
            }
            CallbackError::OrganizationRequired => {
                "the application's organization_usage is require: send organization=org_<id>".into()
            }
            CallbackError::OrganizationNotAllowed => {
                "the application's organization_usage is deny (the default): drop organization, or set \
                 organization_usage to allow in the fixture"
                    .into()
            }
            CallbackError::OrganizationNotAnId { value } => {
                format!("organization {value:?} is a name: send the organization id (org_<id>)")
            }
            CallbackError::OrganizationNotFound { value } => format!(
                "no organization of this tenant is {value:?}: GET /api/v2/organizations lists them (a name is \
                 accepted only with the tenant flag allow_organization_name_in_authentication_api)"
            ),
            CallbackError::NotAMember { user_id, organization } => format!(
                "{user_id} is no member of {organization}: add them (POST /api/v2/organizations/{organization}/members), \
                 invite them, or enable their connection with assign_membership_on_login"
            ),
            CallbackError::OrganizationConnectionNotEnabled {
                organization,
                connection,
            } => format!(
                "connection {connection:?} is not enabled for {organization}: POST \
                 /api/v2/organizations/{organization}/enabled_connections"
            ),
            CallbackError::InvitationInvalid { why } => format!("invitation refused: {why}"),
        }
    }
}
