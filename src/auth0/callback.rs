//! Delivering an authorization response (or error) to the application's callback in the
//! request's response mode: a 302 with the parameters in the query or the fragment, a
//! self-posting form, or a `web_message` page (facts auth0-login.md §1.1, §1.2, §9).
//!
//! Values are percent-encoded with `%20` for spaces, as observed (facts §1.2), and the client's
//! `state` travels untouched.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::application::origin_of;
use super::login_text;
use super::logins::ResponseMode;

/// Everything but unreserved characters is escaped (RFC 3986 §2.3).
const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes one query value.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, VALUE).to_string()
}

/// Where and how to answer.
pub struct Target<'a> {
    pub redirect_uri: &'a str,
    pub mode: ResponseMode,
}

/// The response carrying `params` (in order) to the callback.
pub fn deliver(target: &Target<'_>, params: &[(&str, String)]) -> Response {
    match target.mode {
        ResponseMode::Query | ResponseMode::Fragment => {
            let pairs = params
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let location = if target.mode == ResponseMode::Fragment {
                format!("{}#{pairs}", target.redirect_uri)
            } else {
                let separator = if target.redirect_uri.contains('?') { '&' } else { '?' };
                format!("{}{separator}{pairs}", target.redirect_uri)
            };
            found(&location)
        }
        ResponseMode::FormPost => {
            login_text::html(StatusCode::OK, login_text::form_post_page(target.redirect_uri, params))
        }
        ResponseMode::WebMessage => {
            let response: Map<String, Value> = params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(v.as_str())))
                .collect();
            let origin = origin_of(target.redirect_uri).unwrap_or(target.redirect_uri);
            login_text::html(
                StatusCode::OK,
                login_text::web_message_page(origin, &Value::Object(response)),
            )
        }
    }
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
pub fn found(location: &str) -> Response {
    let safe = utf8_percent_encode(location, UNSAFE_IN_URL).to_string();
    match HeaderValue::from_str(&safe) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "redirect target is not a valid URL").into_response(),
    }
}
