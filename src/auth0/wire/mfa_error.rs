//! Multi-factor authentication on the Authentication API (facts `auth0-mfa-orgs.md` Part A): the
//! `403 mfa_required` answer of the password and refresh grants, and the errors of `/mfa/*` and
//! the three MFA grants. They travel inside `OAuthError::Mfa`, so a handler answers one type;
//! each variant's wire text and hint sit side by side as in `oauth_error.rs`. Every body is the
//! OAuth envelope with `application/json` and no charset (inf: as the other `/oauth/token`
//! errors, facts A1 "Headers").

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::auth0::wire::respond::{json_response, with_hint};

/// `error_description` of `mfa_required` (doc: DOC-mfa-ropg).
pub const MFA_REQUIRED_DESCRIPTION: &str = "Multifactor authentication required";

/// An MFA error, exactly as the provider sends it.
#[derive(Debug, Clone)]
pub enum MfaError {
    /// A password or refresh grant for a user MFA applies to. 403 `mfa_required` with the
    /// `mfa_token`, then `mfa_requirements` (`challenge` or `enroll`) last (doc: DOC-mfa-ropg;
    /// obs: GOAUTH0-ERR2, facts A1).
    Required {
        mfa_token: String,
        requirements: Map<String, Value>,
        why: String,
    },
    /// An `mfa_token` the tenant never issued, already spent, or issued to another application.
    /// 403 `invalid_grant` `Malformed mfa_token` (obs: C-64112; status inf, facts §D: 403 like the
    /// other `invalid_grant`).
    MalformedToken { why: &'static str },
    /// An `mfa_token` past its 600 s. 401 `expired_token` `mfa_token is expired` (obs: the SDKs'
    /// string checks; status inf from their fixtures, facts A6, §D).
    ExpiredToken,
    /// `/mfa/associate` or `/mfa/authenticators` with a bearer that is no live `mfa_token` nor an
    /// MFA API token. 401 `invalid_grant` (inf: Auth0.NET fixture, facts A2).
    InvalidBearer { why: &'static str },
    /// `/mfa/associate` with the `mfa_token` of a user who has an active authenticator. 403
    /// `access_denied` `User is already enrolled.` (doc wording; inf: Auth0.NET fixture, facts A2).
    AlreadyEnrolled,
    /// `/mfa/associate` with a bad request. 400 `invalid_request` (inf: texts not found; worded as
    /// the provider's `Missing required parameter: …`).
    BadAssociation { description: String, why: String },
    /// `/mfa/challenge` for a user enrolled in none of the requested types. 400
    /// `unsupported_challenge_type` (doc: DOC-mfa-api for the code; status and description inf,
    /// facts A5).
    UnsupportedChallengeType { why: String },
    /// `mfa-otp` with a wrong, stale or reused code. 403 `invalid_grant` `Invalid otp_code.` (obs:
    /// SDK-ANDROID, SDK-SWIFT; status inf, facts A6).
    InvalidOtp,
    /// `mfa-oob` with a wrong binding code. 403 `invalid_grant` `Invalid binding_code.` (obs:
    /// SDK-ANDROID PR#664; status inf).
    InvalidBindingCode,
    /// `mfa-oob` with an unknown, spent or expired `oob_code`, or one of another `mfa_token`. 403
    /// `invalid_grant` (inf: no text found; worded as the other MFA grant errors).
    InvalidOobCode,
    /// `mfa-oob` with a push `oob_code` nobody has answered yet. 400 `authorization_pending`
    /// (obs: REC-goauth0 2023-12, facts A6; the 2018 docs' "200 OK" is wrong, §D).
    AuthorizationPending,
    /// `mfa-oob` with a push `oob_code` the user rejected. 400 `access_denied` `MFA Authorization
    /// rejected.` (obs: REC-goauth0 2023-12; the docs and SDKs say `invalid_grant`, facts §D).
    PushRejected,
    /// `mfa-recovery-code` with a wrong code. 403 `invalid_grant` `Invalid recovery_code.` (inf:
    /// the facts suggest it, A6; only the code `invalid_grant` is documented).
    InvalidRecoveryCode,
    /// Ten failed codes: the bucket refills one per six minutes (doc: DOC-mfa-ropg, SUP-otp). 429
    /// `too_many_attempts` (inf: facts A6 suggest it; the description is the Universal Login text
    /// `Too many failed codes. Wait for some minutes before retrying.`, DOC-text).
    TooManyCodes { retry_in_secs: i64 },
    /// `DELETE /mfa/authenticators/{id}` of an id the user does not have. 404 (doc: DOC-mfa-api
    /// "Authenticator not found."; the error code inf).
    AuthenticatorNotFound,
    /// `DELETE /mfa/authenticators/{id}` with a token lacking `remove:authenticators`, or with an
    /// `mfa_token`. 403 `access_denied` (inf: the docs give only the scope, DOC-mfa-manage).
    InsufficientScope { needed: &'static str },
}

impl MfaError {
    /// Status, `error` and `error_description`.
    fn wire(&self) -> (StatusCode, &'static str, String) {
        use MfaError::*;
        let grant = |text: &str| (StatusCode::FORBIDDEN, "invalid_grant", text.to_owned());
        match self {
            Required { .. } => (StatusCode::FORBIDDEN, "mfa_required", MFA_REQUIRED_DESCRIPTION.into()),
            MalformedToken { .. } => grant("Malformed mfa_token"),
            ExpiredToken => (StatusCode::UNAUTHORIZED, "expired_token", "mfa_token is expired".into()),
            InvalidBearer { .. } => (
                StatusCode::UNAUTHORIZED,
                "invalid_grant",
                "The mfa_token provided is invalid. Try getting a new token.".into(),
            ),
            AlreadyEnrolled => (
                StatusCode::FORBIDDEN,
                "access_denied",
                "User is already enrolled.".into(),
            ),
            BadAssociation { description, .. } => (StatusCode::BAD_REQUEST, "invalid_request", description.clone()),
            UnsupportedChallengeType { .. } => (
                StatusCode::BAD_REQUEST,
                "unsupported_challenge_type",
                // inf: no description found (facts A5, E).
                "User is not enrolled with any of the requested challenge types.".into(),
            ),
            InvalidOtp => grant("Invalid otp_code."),
            InvalidBindingCode => grant("Invalid binding_code."),
            // inf: no text found (facts E).
            InvalidOobCode => grant("Invalid oob_code."),
            InvalidRecoveryCode => grant("Invalid recovery_code."),
            AuthorizationPending => (
                StatusCode::BAD_REQUEST,
                "authorization_pending",
                "Authorization pending: please repeat the request in a few seconds.".into(),
            ),
            PushRejected => (
                StatusCode::BAD_REQUEST,
                "access_denied",
                "MFA Authorization rejected.".into(),
            ),
            TooManyCodes { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Too many failed codes. Wait for some minutes before retrying.".into(),
            ),
            // inf: the docs table gives the status and text only.
            AuthenticatorNotFound => (StatusCode::NOT_FOUND, "not_found", "Authenticator not found.".into()),
            // inf: not captured.
            InsufficientScope { .. } => (StatusCode::FORBIDDEN, "access_denied", "Insufficient scope".into()),
        }
    }

    /// authmock's diagnosis.
    pub fn hint(&self) -> String {
        use MfaError::*;
        match self {
            Required { why, .. } => why.clone(),
            MalformedToken { why } | InvalidBearer { why } => (*why).to_owned(),
            ExpiredToken => "the mfa_token lives 600 s on the tenant clock: log in again for a new one".into(),
            AlreadyEnrolled => "the user has an active authenticator: /mfa/associate with the mfa_token only \
                                enrols a first one (an MFA API token with scope enroll adds more)"
                .into(),
            BadAssociation { why, .. } | UnsupportedChallengeType { why } => why.clone(),
            InvalidOtp => "the code is not the authenticator's TOTP for this 30 s step or the ones either side, \
                           or was used already (GET /__authmock__/mfa/totp?user_id=… gives the current one)"
                .into(),
            InvalidBindingCode => "binding_code is not the code sent with this oob_code (see the outbox)".into(),
            InvalidOobCode => "oob_code is unknown, expired (5 min), spent, or was issued for another mfa_token".into(),
            AuthorizationPending => "the push notification of this oob_code is not answered yet: POST \
                                     /__authmock__/mfa/push {\"oob_code\":\"<oob_code>\",\"decision\":\"approve\"} answers it \
                                     as the Guardian app would"
                .into(),
            PushRejected => "the push notification of this oob_code was rejected (POST /__authmock__/mfa/push); \
                             challenge again for a new one"
                .into(),
            InvalidRecoveryCode => "recovery_code is not the user's current recovery code (each use rotates it)".into(),
            TooManyCodes { retry_in_secs } => format!(
                "ten codes failed for this user: one more attempt is allowed every 6 minutes (next in {retry_in_secs} s)"
            ),
            AuthenticatorNotFound => {
                "the user has no authenticator of that id (GET /mfa/authenticators lists them)".into()
            }
            InsufficientScope { needed } => {
                format!("this call needs an MFA API access token (audience https://<tenant>/mfa/) with scope {needed}")
            }
        }
    }
}

impl IntoResponse for MfaError {
    fn into_response(self) -> Response {
        let hint = self.hint();
        let (status, error, description) = self.wire();
        let body = match self {
            MfaError::Required {
                mfa_token,
                requirements,
                ..
            } => json!({
                "error": error,
                "error_description": description,
                "mfa_token": mfa_token,
                "mfa_requirements": requirements,
            }),
            _ => json!({ "error": error, "error_description": description }),
        };
        with_hint(json_response(status, &body, "application/json"), hint)
    }
}
