//! The helpers that write Auth0 responses: JSON and HTML bodies, redirects, the diagnosis hint,
//! the rate-limit headers, and the request id hosted pages print.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

pub use crate::core::provider::HINT_HEADER;

/// The id of the request being handled, as sent back in `X-Auth0-RequestId` (hosted error
/// pages print it as their tracking id).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Attaches a diagnosis to any response (errors, and successes that hide something, such as a
/// reset request for an unknown email): the `x-authmock-hint` header and the [`Hint`] extension.
pub(crate) fn with_hint(mut response: Response, hint: String) -> Response {
    if let Ok(value) = HeaderValue::from_str(&sanitize_header(&hint)) {
        response.headers_mut().insert(HINT_HEADER, value);
    }
    response
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

/// The Management API's `204 No Content`: no body, yet the JSON content type every answer of
/// that API carries. obs (go-auth0 v1 test/data/recordings/TestUserManager_Delete.yaml,
/// TestUserManager_Roles.yaml, TestUserManager_Permissions.yaml, TestRoleManager_Permissions.yaml,
/// TestUserManager_Unblock.yaml, TestUserManager_UnblockByIdentifier.yaml; terraform-provider-auth0
/// test/data/recordings/TestAccUserRoles.yaml, TestAccUserPermissions.yaml,
/// TestAccRolePermissions.yaml): every
/// recorded 204 of `DELETE /users/{id}`, `POST`/`DELETE /users/{id}/roles`,
/// `DELETE /users/{id}/permissions`, `DELETE /roles/{id}/permissions` and both `user-blocks`
/// DELETEs has `Content-Type: application/json; charset=utf-8` and a content length of 0.
pub(crate) fn mgmt_no_content() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
    )
        .into_response()
}

/// Header values must be visible ASCII: replace anything else.
fn sanitize_header(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
        .collect()
}

/// An HTML page, never cached.
pub(crate) fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        page,
    )
        .into_response()
}

/// A 302 to `url` with `params` appended to its query.
pub(crate) fn redirect(url: &str, params: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut location = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        location.push('#');
        location.push_str(fragment);
    }
    found(&location)
}

/// `302 Found`, what a browser follows with a GET after a form post.
pub(crate) fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "redirect target is not a valid header value").into_response(),
    }
}

/// Everything but unreserved characters is escaped (RFC 3986 §2.3).
const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes one query value.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, VALUE).to_string()
}

/// What a URL may not carry raw in a `Location` header: controls, space, quotes, angle
/// brackets (non-ASCII is always escaped).
const UNSAFE_IN_URL: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`');

/// `302 Found` to `location`, with anything a header cannot carry percent-encoded (a `returnTo`
/// is allow-listed without its query, so its query may hold anything).
pub fn found_encoded(location: &str) -> Response {
    let safe = utf8_percent_encode(location, UNSAFE_IN_URL).to_string();
    match HeaderValue::from_str(&safe) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "redirect target is not a valid URL").into_response(),
    }
}
