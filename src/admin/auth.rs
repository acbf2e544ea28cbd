//! The admin token (`serve --admin-token`): with one set, every `/__authmock__/` path but
//! `health` needs `Authorization: Bearer <token>`, and anything else gets a 401 in the control
//! API's error shape. Provider paths are never affected; neither is `GET /__authmock__/health`,
//! which container health checks and probes call without credentials and which tells nothing,
//! nor the console's three static files (`console`), which hold no tenant data: the page asks
//! for the token and its calls to the control API send it.
//! `serve` refuses to bind beyond loopback without a token (see `cli`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::core::control_error::AdminError;

/// Prefix of every control-API path.
pub const CONTROL_PREFIX: &str = "/__authmock__";

/// Whether `path` is a control-API path.
pub(crate) fn is_control_path(path: &str) -> bool {
    path == CONTROL_PREFIX || path.starts_with("/__authmock__/")
}

/// The middleware: control paths need the token, other paths (and the health route and the
/// console's files) pass.
pub async fn require_token(State(token): State<Arc<str>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !is_control_path(path) || path == super::health::PATH || super::console::is_console_file(path) {
        return next.run(req).await;
    }
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let refusal = match presented {
        Some(candidate) if same(candidate.trim().as_bytes(), token.as_bytes()) => return next.run(req).await,
        Some(_) => "the admin token is wrong: send `Authorization: Bearer <the --admin-token value>`",
        None => "the control API needs `Authorization: Bearer <token>` (this server runs with --admin-token)",
    };
    let mut response = AdminError::Unauthorized(refusal.into()).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"authmock\""),
    );
    response
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cret", b"s3creT"));
        assert!(!same(b"s3cre", b"s3cret"));
        assert!(is_control_path("/__authmock__"));
        assert!(is_control_path("/__authmock__/journal"));
        assert!(!is_control_path("/__authmock__x"));
        assert!(!is_control_path("/oauth/token"));
    }
}
