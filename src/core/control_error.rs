//! Errors of the control API: `{"error": "<kind>", "message": "<what to fix>"}`, never a panic
//! and never axum's plain-text rejections. These are authmock's own, not a provider's.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A control-API request that cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The request is malformed or asks for something impossible. 400.
    #[error("{0}")]
    BadRequest(String),
    /// The thing named does not exist. 404.
    #[error("{0}")]
    NotFound(String),
    /// The path exists but not with this method. 405.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The control API needs `Authorization: Bearer <admin token>` (`serve --admin-token`). 401.
    #[error("{0}")]
    Unauthorized(String),
    /// The request collides with what exists (e.g. a port already in use). 409.
    #[error("{0}")]
    Conflict(String),
    /// This listener cannot do it (e.g. runtime tenants on a router served by no process). 503.
    #[error("{0}")]
    Unavailable(String),
    /// The tenant could not do it (e.g. its seed no longer builds). 500.
    #[error("{0}")]
    Internal(String),
}

/// The body of every control-API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `bad_request`, `not_found`, `method_not_allowed`, `unauthorized`, `conflict`,
    /// `unavailable` or `internal`.
    pub error: &'static str,
    /// What to fix.
    pub message: String,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, kind, message) = match &self {
            AdminError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m),
            AdminError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            AdminError::MethodNotAllowed(m) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", m),
            AdminError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m),
            AdminError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m),
            AdminError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m),
            AdminError::Internal(m) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", m),
        };
        let body = ErrorBody {
            error: kind,
            message: message.clone(),
        };
        (status, Json(body)).into_response()
    }
}

impl From<JsonRejection> for AdminError {
    fn from(rejection: JsonRejection) -> Self {
        AdminError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for AdminError {
    fn from(rejection: QueryRejection) -> Self {
        AdminError::BadRequest(rejection.body_text())
    }
}

/// A JSON object body deserialised into `T`; anything else is an [`AdminError`] (400 with a
/// JSON body). Unlike `axum::Json`, a JSON array is refused even when `T` is a struct (serde
/// would otherwise read `[1]` as a struct's fields in order).
#[derive(Debug)]
pub struct AdminJson<T>(pub T);

impl<T, S> FromRequest<S> for AdminJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AdminError> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(AdminError::BadRequest("the body must be a JSON object".into()));
        }
        serde_path_to_error::deserialize(value)
            .map(AdminJson)
            .map_err(|e| AdminError::BadRequest(format!("Failed to deserialize the JSON body: {e}")))
    }
}

/// `axum::extract::Query` whose rejection is an [`AdminError`].
#[derive(Debug)]
pub struct AdminQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for AdminQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, AdminError> {
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}
