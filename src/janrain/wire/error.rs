//! Every Janrain (Capture) wire error, formatted in this one place.
//!
//! Two shapes exist (facts: `shared/providers/janrain.md` §2):
//! - the Capture envelope, HTTP 200 on `/oauth/*_native` and `/entity`:
//!   `{"stat":"error","code":N,"error":"…",[extras,]"error_description":"…","request_id":"…"}`;
//! - the OAuth shape on `/oauth/token`, HTTP 400 (401 for client credentials):
//!   `{"code":N,"error":"invalid_request","sub_error":"…","argument_name":"…","error_description":"…","stat":"error"}`.
//!
//! Both carry `Content-Type: application/json` and `Cache-Control: no-store` (facts §1). Where
//! the facts say NOT FOUND, the variant's `///` names the closest documented code chosen, so a
//! correction is a one-line change here. The diagnosis travels in `x-authmock-hint`, never in
//! the body. Shares nothing with `auth0::error`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use serde::Deserialize;

use super::entity_error::EntityError;
use super::respond::{json_response, with_hint};
use crate::core::journal::{ProviderErrorMark, Unrouted};

/// Field-keyed (or form-keyed) validation messages, in form order.
pub type InvalidFields = Vec<(String, Vec<String>)>;

/// A Capture API error, exactly as the provider sends it.
#[derive(Debug, Clone)]
pub enum JanrainError {
    /// A required argument is absent from the form body: 100 `missing_argument` with
    /// `argument_name` and the documented "missing required argument: X" text (facts §2, [S3]).
    /// Parameters sent in the query string of `/oauth/*_native` are not read ("they cannot be
    /// passed as URL parameters", facts §1); the exact error is NOT FOUND, so such a request
    /// gets this error for the first argument the body lacks (`in_query` feeds the hint).
    MissingArgument { name: String, in_query: bool },
    /// 200 `invalid_argument` with `argument_name` (facts §3). Also the NOT-FOUND choice for an
    /// unknown `flow`, `flow_version`, `form` or `locale` (facts §4 "Wrong/unknown form, flow":
    /// candidates 226 or 200; 200 names the argument, which a client can act on).
    InvalidArgument {
        name: String,
        description: String,
        hint: String,
    },
    /// Unknown `client_id` on `/oauth/*_native`: NOT FOUND (facts §4); closest documented code
    /// is 402 `invalid_client_credentials` (facts §3), HTTP 200 like every native error.
    InvalidClientCredentials { client_id: String },
    /// A client without the `login_client` feature on `/oauth/*_native`: NOT FOUND (facts §4);
    /// closest documented code is 403 `client_permission_error` (facts §3).
    ClientPermission { client_id: String },
    /// `/oauth/update_profile_native` or `/entity` with a `client_id` other than the one that
    /// obtained the token: forbidden by the docs, error NOT FOUND (facts §6); chosen: 200
    /// `invalid_argument` naming `client_id`, the generic documented code for a bad argument.
    TokenClientMismatch { token_client: String },
    /// Forgot password for an email no record uses: 212 `no_such_account`, `invalid_fields`
    /// keyed by the form name (facts §4). The `error_description` text is NOT FOUND; the flow's
    /// form message is repeated there.
    NoSuchAccount { form: String, message: String },
    /// Forgot password for a social-only record: the flow-configured error (540
    /// `triggered_error` by default, facts §4 observed). Its text comes from the fixture.
    SocialOnly(ConfiguredError),
    /// A submitted form failed validation: 390 `invalid_form_fields` with `invalid_fields`
    /// (facts §2, §6). The `error_description` text is NOT FOUND; see [`INVALID_FORM_FIELDS`].
    InvalidFormFields { fields: InvalidFields },
    /// Sign-in with a wrong email/password pair: 210 `invalid_credentials` (facts §3, §7),
    /// `invalid_fields` keyed by the form (I). Text is the flow's message.
    InvalidCredentials {
        form: String,
        message: String,
        hint: String,
    },
    /// An access token this app never issued: the logged body, verbatim (facts §2 [S30]).
    UnknownAccessToken,
    /// An access token past its 3600 s: 414 `access_token_expired` (facts §3, §6). The text is
    /// "access_token expired" as a realistic test double has it (`janrain.md` §10, obs low).
    AccessTokenExpired { secs_ago: i64 },
    /// Unknown route: NOT FOUND; chosen HTTP 404 with 200 `invalid_argument`, the envelope every
    /// Capture client parses.
    NotFound { method: String, path: String },

    // ---- /oauth/token: the OAuth shape, HTTP 400 (facts §2, §5) ----
    /// `grant_type` other than `authorization_code`/`refresh_token`: the documented body verbatim.
    InvalidGrantType { value: String },
    /// A required token argument is absent: 100 with `sub_error` `missing_argument` (I, by the
    /// documented OAuth shape, facts §5).
    TokenMissingArgument { name: String },
    /// Unknown client or wrong secret on `/oauth/token`: 402 `invalid_client_credentials`, HTTP
    /// 401 (facts §2 [S16], inferred); the OAuth `error` value is NOT FOUND, so the one documented
    /// value `invalid_request` carries the Capture name in `sub_error`.
    TokenBadClient { hint: String },
    /// A recovery code past the client's `recover_code_lifetime`: 415
    /// `authorization_code_expired` (facts §3); OAuth `error` NOT FOUND → `invalid_request`.
    CodeExpired { secs_ago: i64 },
    /// A code already exchanged, never issued, superseded, or issued to another client: NOT
    /// FOUND (facts §5); chosen 200 `invalid_argument` on `code`, one answer for all so the
    /// body does not reveal that a code exists.
    InvalidCode { hint: String },
    /// `redirect_uri` differs from the forgot-password call's: 420 `redirect_uri_mismatch`
    /// with `expected_value`/`supplied_value` (facts §3, §5).
    RedirectUriMismatch { expected: String, supplied: String },
    /// A refresh token unknown, used, or of another client: NOT FOUND; chosen 200
    /// `invalid_argument` on `refresh_token`.
    InvalidRefreshToken { hint: String },

    // ---- either shape, by path ----
    /// An empty rate-limit bucket (or the fault `janrain.api_limit_error`): 510
    /// `api_limit_error`, "too many simultaneous API calls" (facts §3, O). The rate-limit body
    /// is NOT FOUND (facts §4 "Rate limiting"): inf the Capture envelope at HTTP 200 on every
    /// route but `/oauth/token`, where inf the OAuth shape at HTTP 400 with the Capture name in
    /// `sub_error`; the `error_description` is the logged text (§10). No
    /// `x-ratelimit-*` headers: none are documented for Capture, so the hint names the reset.
    ApiLimit {
        /// `/oauth/token` answers in the OAuth shape.
        oauth: bool,
        /// The empty bucket's group and the seconds until it refills on the app clock; `None`
        /// for an injected fault.
        bucket: Option<(&'static str, i64)>,
    },
    /// A flow-configured answer other than the social-only one (an email already verified on
    /// `verify_email_native`: 540 `triggered_error`, `janrain-entity.md` §3.1), rendered as the
    /// audited 540 (generic description, the flow's text in `message`).
    Configured { error: ConfiguredError, hint: String },
    /// `/access/useVerificationCode` with a code never issued, already used or superseded: the
    /// documented body verbatim, in its documented key order (`janrain-entity.md` §3.1, E22).
    VerificationCodeUnknown { hint: String },
    /// A verification code past its lifetime: 416 `verification_code_expired` (facts §3, O).
    /// inf: the text mirrors 415's documented "authorization code has expired", and it names
    /// the argument as the unknown-code body does.
    VerificationCodeExpired { secs_ago: i64 },
    /// An Entity API error (`/entity*` and its server-side authentication); see
    /// [`EntityError`].
    Entity(EntityError),
}

impl From<EntityError> for JanrainError {
    fn from(err: EntityError) -> Self {
        Self::Entity(err)
    }
}

/// Errors a fault rule may inject by name on a Capture app (`"error": "janrain.api_limit_error"`).
pub const NAMED_ERRORS: &[&str] = &["janrain.api_limit_error"];

/// The `error_description` of 510, as logged from a real app (facts `janrain.md` §10, obs
/// medium; "the text may differ per endpoint").
pub const API_LIMIT: &str = "too many registration attempts";

/// The `error_description` of 390 (NOT FOUND in the facts; chosen text, one place).
pub const INVALID_FORM_FIELDS: &str = "some form fields are invalid";

/// The Capture envelope, in wire order.
#[derive(Serialize)]
struct CaptureBody<'a> {
    stat: &'static str,
    code: u16,
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    argument_name: Option<&'a str>,
    error_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    invalid_fields: Option<serde_json::Map<String, serde_json::Value>>,
    request_id: &'a str,
    /// The flow's user-facing text (540; `janrain.md` §10).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// The OAuth shape of `/oauth/token`, in the documented order (facts §2).
#[derive(Serialize)]
struct OAuthBody<'a> {
    code: u16,
    error: &'static str,
    sub_error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    argument_name: Option<&'a str>,
    error_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplied_value: Option<&'a str>,
    stat: &'static str,
}

fn fields_json(fields: &[(String, Vec<String>)]) -> serde_json::Map<String, serde_json::Value> {
    fields
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::from(v.clone())))
        .collect()
}

/// A flow-configured error answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredError {
    pub code: u16,
    pub error: String,
    pub error_description: String,
    /// The flow's user-facing text, sent as `message` (facts `janrain.md` §10, the audit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A Capture error not yet rendered: its body needs a `request_id` from the app's seeded RNG,
/// drawn by the app's router layer (`crate::janrain`'s `finish_errors`) once the handler has returned, so
/// ids come in the same order run after run.
#[derive(Debug, Clone)]
pub(in crate::janrain) struct Unrendered(pub(in crate::janrain) JanrainError);

impl IntoResponse for JanrainError {
    fn into_response(self) -> Response {
        let mut response = Response::default();
        response.extensions_mut().insert(Unrendered(self));
        response
    }
}

impl JanrainError {
    /// `invalid_argument` for a flow parameter that is not this app's (`flow`, `flow_version`,
    /// `form`).
    pub(in crate::janrain) fn invalid_value(name: &str, sent: &str, expected: &str) -> Self {
        Self::InvalidArgument {
            name: name.to_owned(),
            description: format!("invalid {name}: {sent}"),
            hint: format!("this app's {name} is {expected:?}, got {sent:?}"),
        }
    }

    /// inf: a login client with no `password_recover_url` (the real app refuses to mail a link
    /// without one; its text is not recorded).
    pub(in crate::janrain) fn no_recover_url(client_id: &str) -> Self {
        Self::InvalidArgument {
            name: "client_id".into(),
            description: "client has no password_recover_url".into(),
            hint: format!("set password_recover_url on client {client_id} in the fixture"),
        }
    }

    /// inf: a login client with no `verify_email_url` asked to mail a verification link (the
    /// real app's text is not recorded), as [`Self::no_recover_url`].
    pub(in crate::janrain) fn no_verify_url(client_id: &str) -> Self {
        Self::InvalidArgument {
            name: "client_id".into(),
            description: "client has no verify_email_url".into(),
            hint: format!("set verify_email_url on client {client_id} in the fixture"),
        }
    }

    /// `/oauth/refresh_access_token` with a `signature` that does not verify (facts
    /// `janrain-entity.md` §2: the error is NOT FOUND; inf: 200 `invalid_argument` naming
    /// `signature`, the generic documented code for a bad argument).
    pub(in crate::janrain) fn refresh_signature(hint: String) -> Self {
        Self::InvalidArgument {
            name: "signature".into(),
            description: "signature does not match".into(),
            hint,
        }
    }

    /// `/oauth/refresh_access_token` with a `date` that is not `YYYY-MM-DD HH:MM:SS` or is too
    /// far from the app clock (inf, as [`Self::refresh_signature`]).
    pub(in crate::janrain) fn refresh_date(hint: String) -> Self {
        Self::InvalidArgument {
            name: "date".into(),
            description: "date is invalid or expired".into(),
            hint,
        }
    }

    /// `/oauth/refresh_access_token` for a token whose sign-in posted no `refresh_secret`
    /// (inf, as [`Self::refresh_signature`]).
    pub(in crate::janrain) fn no_refresh_secret() -> Self {
        Self::InvalidArgument {
            name: "access_token".into(),
            description: "access_token has no refresh secret".into(),
            hint: "post refresh_secret when signing in (auth_native_traditional) to refresh its token later".into(),
        }
    }

    /// The error a fault rule names (see [`NAMED_ERRORS`]), in the shape of `path`.
    pub(in crate::janrain) fn named(name: &str, path: &str) -> Option<Self> {
        match name {
            "janrain.api_limit_error" => Some(Self::ApiLimit {
                oauth: path == "/oauth/token",
                bucket: None,
            }),
            _ => None,
        }
    }

    /// authmock's one-line diagnosis.
    pub(in crate::janrain) fn hint(&self) -> String {
        match self {
            Self::ApiLimit {
                bucket: Some((group, secs)),
                ..
            } => format!(
                "rate limited: the `{group}` bucket is empty and refills in {secs} s on the app clock \
                 (GET /__authmock__/rate-limits); Capture sends no rate-limit headers, so back off and retry"
            ),
            Self::ApiLimit { bucket: None, .. } => {
                "510 api_limit_error injected; a client should back off and retry".into()
            }
            Self::MissingArgument { name, in_query: true } => format!(
                "`{name}` was sent in the query string; Capture reads /oauth/*_native arguments from the \
                 application/x-www-form-urlencoded body only"
            ),
            Self::MissingArgument { name, .. } => format!("the form body has no `{name}`"),
            Self::InvalidArgument { hint, .. } => hint.clone(),
            Self::InvalidClientCredentials { client_id } => format!("no API client {client_id} in this app"),
            Self::ClientPermission { client_id } => {
                format!("client {client_id} lacks the login_client feature that /oauth/*_native calls require")
            }
            Self::TokenClientMismatch { token_client } => {
                format!("the access token was issued to client {token_client}; send that same login client's client_id")
            }
            Self::NoSuchAccount { .. } => "no record uses this email address".into(),
            Self::SocialOnly(_) => "the record signs in with a social provider only and has no password".into(),
            Self::InvalidFormFields { fields } => {
                let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                format!("form validation failed on {}", keys.join(", "))
            }
            Self::InvalidCredentials { hint, .. } => hint.clone(),
            Self::UnknownAccessToken => "this app never issued that access token".into(),
            Self::AccessTokenExpired { secs_ago } => {
                format!("the access token expired {secs_ago} s ago on the app clock (tokens live 3600 s)")
            }
            Self::NotFound { method, path } => format!("the Capture mock serves no {method} {path}"),
            Self::InvalidGrantType { value } => {
                format!("grant_type {value:?} is not authorization_code or refresh_token")
            }
            Self::TokenMissingArgument { name } => format!("/oauth/token needs `{name}`"),
            Self::TokenBadClient { hint } | Self::InvalidCode { hint } | Self::InvalidRefreshToken { hint } => {
                hint.clone()
            }
            Self::CodeExpired { secs_ago } => {
                format!("the code expired {secs_ago} s ago on the app clock (the client's recover_code_lifetime)")
            }
            Self::Entity(err) => err.hint(),
            Self::Configured { hint, .. } | Self::VerificationCodeUnknown { hint } => hint.clone(),
            Self::VerificationCodeExpired { secs_ago } => format!(
                "the verification code expired {secs_ago} s ago on the app clock (resendVerificationForm's code_lifetime)"
            ),
            Self::RedirectUriMismatch { expected, supplied } => {
                format!("redirect_uri must repeat the forgot-password call's {expected:?}, got {supplied:?}")
            }
        }
    }

    /// The response, with `request_id` (drawn from the app's seeded RNG by the caller).
    pub(in crate::janrain) fn render(self, request_id: &str) -> Response {
        let hint = self.hint();
        let capture = |code: u16, error: &str, argument_name: Option<&str>, description: &str, fields| {
            let body = CaptureBody {
                stat: "error",
                code,
                error,
                argument_name,
                error_description: description,
                invalid_fields: fields,
                request_id,
                message: None,
            };
            (StatusCode::OK, body_json(&body))
        };
        let oauth = |status: StatusCode, code: u16, sub_error: &str, argument_name: Option<&str>, description: &str| {
            let body = OAuthBody {
                code,
                error: "invalid_request",
                sub_error,
                argument_name,
                error_description: description,
                expected_value: None,
                supplied_value: None,
                stat: "error",
            };
            (status, body_json(&body))
        };
        let (status, body) = match &self {
            Self::Entity(err) => (err.status(), err.body(request_id)),
            Self::MissingArgument { name, .. } => capture(
                100,
                "missing_argument",
                Some(name.as_str()),
                &format!("missing required argument: {name}"),
                None,
            ),
            Self::InvalidArgument { name, description, .. } => {
                capture(200, "invalid_argument", Some(name.as_str()), description.as_str(), None)
            }
            Self::InvalidClientCredentials { .. } => {
                capture(402, "invalid_client_credentials", None, "client_id is invalid", None)
            }
            Self::ClientPermission { .. } => capture(
                403,
                "client_permission_error",
                None,
                "the client does not have the required feature: login_client",
                None,
            ),
            Self::TokenClientMismatch { .. } => capture(
                200,
                "invalid_argument",
                Some("client_id"),
                "client_id does not match the client that obtained the access token",
                None,
            ),
            Self::NoSuchAccount { form, message } => capture(
                212,
                "no_such_account",
                None,
                message.as_str(),
                Some(fields_json(&[(form.clone(), vec![message.clone()])])),
            ),
            Self::SocialOnly(configured) | Self::Configured { error: configured, .. } => {
                // The audit's body: generic description, the flow's text in `message` (§10).
                let body = CaptureBody {
                    stat: "error",
                    code: configured.code,
                    error: configured.error.as_str(),
                    argument_name: None,
                    error_description: configured.error_description.as_str(),
                    invalid_fields: None,
                    request_id,
                    message: configured.message.as_deref(),
                };
                (StatusCode::OK, body_json(&body))
            }
            Self::InvalidFormFields { fields } => capture(
                390,
                "invalid_form_fields",
                None,
                INVALID_FORM_FIELDS,
                Some(fields_json(fields)),
            ),
            Self::InvalidCredentials { form, message, .. } => capture(
                210,
                "invalid_credentials",
                None,
                message.as_str(),
                Some(fields_json(&[(form.clone(), vec![message.clone()])])),
            ),
            Self::UnknownAccessToken => {
                // Verbatim order of the logged body (facts §2 [S30]).
                #[derive(Serialize)]
                struct Logged<'a> {
                    request_id: &'a str,
                    code: u16,
                    error_description: &'static str,
                    error: &'static str,
                    stat: &'static str,
                }
                let body = Logged {
                    request_id,
                    code: 200,
                    error_description: "unknown access token",
                    error: "invalid_argument",
                    stat: "error",
                };
                (StatusCode::OK, body_json(&body))
            }
            Self::VerificationCodeUnknown { .. } => {
                // Verbatim order of the documented body (janrain-entity.md §3.1, E22).
                #[derive(Serialize)]
                struct Documented<'a> {
                    argument_name: &'static str,
                    request_id: &'a str,
                    code: u16,
                    error_description: &'static str,
                    error: &'static str,
                    stat: &'static str,
                }
                let body = Documented {
                    argument_name: "verification_code",
                    request_id,
                    code: 200,
                    error_description: "verification code not recognized",
                    error: "invalid_argument",
                    stat: "error",
                };
                (StatusCode::OK, body_json(&body))
            }
            Self::VerificationCodeExpired { .. } => capture(
                416,
                "verification_code_expired",
                Some("verification_code"),
                "verification code has expired",
                None,
            ),
            Self::AccessTokenExpired { .. } => capture(414, "access_token_expired", None, "access_token expired", None),
            Self::NotFound { path, .. } => {
                let (_, body) = capture(
                    200,
                    "invalid_argument",
                    None,
                    &format!("unknown API call: {path}"),
                    None,
                );
                (StatusCode::NOT_FOUND, body)
            }
            Self::InvalidGrantType { value } => oauth(
                StatusCode::BAD_REQUEST,
                200,
                "invalid_argument",
                Some("grant_type"),
                &format!("invalid grant_type: {value}"),
            ),
            Self::TokenMissingArgument { name } => oauth(
                StatusCode::BAD_REQUEST,
                100,
                "missing_argument",
                Some(name.as_str()),
                &format!("missing required argument: {name}"),
            ),
            Self::TokenBadClient { .. } => oauth(
                StatusCode::UNAUTHORIZED,
                402,
                "invalid_client_credentials",
                None,
                "invalid client credentials",
            ),
            Self::CodeExpired { .. } => oauth(
                StatusCode::BAD_REQUEST,
                415,
                "authorization_code_expired",
                Some("code"),
                "authorization code has expired",
            ),
            Self::InvalidCode { .. } => oauth(
                StatusCode::BAD_REQUEST,
                200,
                "invalid_argument",
                Some("code"),
                "invalid code",
            ),
            Self::InvalidRefreshToken { .. } => oauth(
                StatusCode::BAD_REQUEST,
                200,
                "invalid_argument",
                Some("refresh_token"),
                "invalid refresh_token",
            ),
            Self::ApiLimit { oauth: true, .. } => {
                oauth(StatusCode::BAD_REQUEST, 510, "api_limit_error", None, API_LIMIT)
            }
            Self::ApiLimit { oauth: false, .. } => capture(510, "api_limit_error", None, API_LIMIT, None),
            Self::RedirectUriMismatch { expected, supplied } => {
                let body = OAuthBody {
                    code: 420,
                    error: "invalid_request",
                    sub_error: "redirect_uri_mismatch",
                    argument_name: Some("redirect_uri"),
                    error_description: "redirect_uri does not match expected value",
                    expected_value: Some(expected.as_str()),
                    supplied_value: Some(supplied.as_str()),
                    stat: "error",
                };
                (StatusCode::BAD_REQUEST, body_json(&body))
            }
        };
        let mut response = with_hint(json_response(status, body), &hint);
        // Capture errors mostly travel as HTTP 200: tell the journal this is an error answer.
        response.extensions_mut().insert(ProviderErrorMark);
        if matches!(self, Self::NotFound { .. }) {
            response.extensions_mut().insert(Unrouted);
        }
        response
    }
}

fn body_json(body: &impl Serialize) -> String {
    serde_json::to_string(body).unwrap_or_else(|_| String::from("{\"stat\":\"error\"}"))
}
