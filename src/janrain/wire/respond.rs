//! Capture's success responses and the diagnosis header: `application/json` with `no-store`
//! (facts `janrain.md` §1), and `x-authmock-hint` on any answer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use crate::core::provider::HINT_HEADER;

/// A JSON response with Capture's headers (facts §1: `application/json`, `no-store`).
pub(in crate::janrain) fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A success body `{…,"stat":"ok"}` with Capture's headers.
pub(in crate::janrain) fn ok(body: serde_json::Value) -> Response {
    json_response(StatusCode::OK, body.to_string())
}

/// Attaches authmock's diagnosis in `x-authmock-hint` (printable ASCII only).
pub(in crate::janrain) fn with_hint(mut response: Response, hint: &str) -> Response {
    let clean: String = hint
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&clean) {
        response.headers_mut().insert(HINT_HEADER, value);
    }
    response
}
