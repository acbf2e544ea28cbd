//! Delivering an authorization response (or error) to the application's callback in the
//! request's response mode: a 302 with the parameters in the query or the fragment, a
//! self-posting form, or a `web_message` page (facts auth0-login.md §1.1, §1.2, §9).
//!
//! Values are percent-encoded with `%20` for spaces, as observed (facts §1.2), and the client's
//! `state` travels untouched.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::auth0::tenant::applications::origin_of;
use crate::auth0::tenant::logins::ResponseMode;
use crate::auth0::wire::login_text;
use crate::auth0::wire::respond::{encode, found_encoded, html};

/// Where and how to answer.
pub(super) struct Target<'a> {
    pub redirect_uri: &'a str,
    pub mode: ResponseMode,
}

/// The response carrying `params` (in order) to the callback.
pub(super) fn deliver(target: &Target<'_>, params: &[(&str, String)]) -> Response {
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
            found_encoded(&location)
        }
        ResponseMode::FormPost => html(StatusCode::OK, login_text::form_post_page(target.redirect_uri, params)),
        ResponseMode::WebMessage => {
            let response: Map<String, Value> = params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(v.as_str())))
                .collect();
            let origin = origin_of(target.redirect_uri).unwrap_or(target.redirect_uri);
            html(
                StatusCode::OK,
                login_text::web_message_page(origin, &Value::Object(response)),
            )
        }
    }
}
