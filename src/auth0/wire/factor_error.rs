//! The Management API's errors of a user's factors (facts `auth0-mfa-orgs.md` A9):
//! `/users/{id}/authentication-methods` and `/guardian/enrollments`, each text with its hint.
//! Rendered in the hapi envelope by `mgmt_error.rs`. Imports nothing.

use axum::http::StatusCode;

/// A factor-management refusal.
#[derive(Debug, Clone, PartialEq)]
pub enum FactorError {
    /// 404 `Enrollment not found` / `enrollment_not_found`, no period (obs: go-auth0 v1
    /// TestGuardian/Enrollment/Get.yaml and Delete.yaml).
    EnrollmentNotFound { id: String },
    /// An authentication method id the user does not have. inf: no recording or document has the
    /// text; worded after the recorded [`FactorError::EnrollmentNotFound`].
    MethodNotFound { user_id: String, id: String },
    /// 409 `Authentication method already exists.` (doc: OAS-mgmt; errorCode inf: none quoted).
    MethodExists { what: String },
    /// 403 `You reached the limit of entities of this type for this user.` (doc: OAS-mgmt;
    /// errorCode inf: none quoted).
    TooMany { limit: usize },
}

impl FactorError {
    pub fn status(&self) -> StatusCode {
        match self {
            FactorError::EnrollmentNotFound { .. } | FactorError::MethodNotFound { .. } => StatusCode::NOT_FOUND,
            FactorError::MethodExists { .. } => StatusCode::CONFLICT,
            FactorError::TooMany { .. } => StatusCode::FORBIDDEN,
        }
    }

    pub fn message(&self) -> String {
        match self {
            FactorError::EnrollmentNotFound { .. } => "Enrollment not found",
            // inf: see the variant.
            FactorError::MethodNotFound { .. } => "Authentication method not found",
            FactorError::MethodExists { .. } => "Authentication method already exists.",
            FactorError::TooMany { .. } => "You reached the limit of entities of this type for this user.",
        }
        .into()
    }

    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            FactorError::EnrollmentNotFound { .. } => Some("enrollment_not_found"),
            // inf: after `enrollment_not_found`.
            FactorError::MethodNotFound { .. } => Some("authentication_method_not_found"),
            FactorError::MethodExists { .. } | FactorError::TooMany { .. } => None,
        }
    }

    /// authmock's diagnosis: why this error, and what the client should change.
    pub fn hint(&self) -> String {
        match self {
            FactorError::EnrollmentNotFound { id } => format!(
                "no user of this tenant has an enrollment {id} (GET /api/v2/users/{{id}}/enrollments lists a \
                 user's; ids look like totp|dev_... or sms|dev_...)"
            ),
            FactorError::MethodNotFound { user_id, id } => format!(
                "user {user_id} has no authentication method {id} (GET \
                 /api/v2/users/{{id}}/authentication-methods lists them; a phone is phone|dev_..., its SMS link sms|dev_...)"
            ),
            FactorError::MethodExists { what } => format!("the user already has {what}"),
            FactorError::TooMany { limit } => {
                format!("a user holds at most {limit} authenticators in authmock; delete one first")
            }
        }
    }
}
