//! The browser-login pages' copy and markup: the hosted error page, the Universal Login form,
//! and the `form_post` and `web_message` response pages.
//!
//! Texts are the provider's documented screen texts (facts auth0-login.md §1.3 ERRPAGE, §2
//! DOC-text); the markup keeps the observed field names, ids and classes (`state`, `username`,
//! `password`, `action=default`, `error-element-password`, `ulp-input-error-message`); the rest
//! of the markup is authmock's own (inf).

use axum::http::{HeaderValue, header};
use axum::response::Response;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::auth0::wire::login_error::PageError;
use crate::auth0::wire::respond::{encode, html, with_hint};

// facts §2 (DOC-text), screen `login`.
pub const LOGIN_TITLE: &str = "Welcome";
pub const WRONG_CREDENTIALS: &str = "Wrong email or password";
pub const PASSWORD_REQUIRED: &str = "Password is required";
/// `user-blocked`: the identifier is blocked by brute-force protection (shown under the password
/// like the other errors of the form, with the form's 400; inf: the element and status of this
/// text were not captured).
pub const USER_BLOCKED: &str = "Your account has been blocked after multiple consecutive login attempts.";
/// `custom-script-error-code`: a custom database's script raised an error (doc: DOC-ultext,
/// migration facts §3.2), shown like the form's other errors (inf: element and status).
pub const SCRIPT_ERROR: &str = "Something went wrong, please try again later.";
/// inf: the identifier field's "required" text mirrors `no-password`.
pub const EMAIL_REQUIRED: &str = "Email is required";
pub(super) const CONTINUE: &str = "Continue";
// facts §1.3 (ERRPAGE).
const OOPS: &str = "Oops!, something went wrong";
/// facts §1.3 (ERRPAGE): the error page's cache policy.
const ERROR_CACHE_CONTROL: &str =
    "private, no-store, no-cache, must-revalidate, post-check=0, pre-check=0, no-transform";
/// facts §9: the title of the `web_message` page.
const WEB_MESSAGE_TITLE: &str = "Authorization Response";

/// The headers of every New Universal Login page, as a 2024 capture of a rendered `/u/login`
/// shows them (obs: community.auth0.com/t/auth0-new-universal-login-missing-some-security-headers/
/// 134557, 2024-05-13; Auth0 documents the framing pair as always set on New Universal Login,
/// docs "Clickjacking Protection for Universal Login"). Left out: that capture's
/// `strict-transport-security` (it would pin a loopback host to https in the browser for a year),
/// and its CDN, date, etag and rate-limit headers.
const UNIVERSAL_LOGIN_HEADERS: [(&str, &str); 9] = [
    ("cache-control", "no-store, max-age=0, no-transform"),
    ("content-language", "en"),
    ("content-security-policy", "frame-ancestors 'none'"),
    ("pragma", "no-cache"),
    ("referrer-policy", "same-origin"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "deny"),
    ("x-robots-tag", "noindex, nofollow"),
    ("x-xss-protection", "1; mode=block"),
];

/// Marks the hosted error page, which keeps its own headers: the same capture shows the error
/// page a `/u/login` without its cookies renders with neither the framing pair nor
/// `referrer-policy` (facts §1.3 ERRPAGE: `x-content-type-options: nosniff` and its cache policy).
#[derive(Debug, Clone, Copy)]
pub struct HostedErrorPage;

/// Sets the Universal Login page headers on an HTML page (not on redirects, not on the hosted
/// error page).
pub fn universal_login_headers(response: &mut Response) {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || response.extensions().get::<HostedErrorPage>().is_some() {
        return;
    }
    let headers = response.headers_mut();
    for (name, value) in UNIVERSAL_LOGIN_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// The hosted error page (ERRPAGE): tenant name as title, the subtitle, `<strong>code</strong>:
/// description`, the tracking id (the request id), and the footer links.
pub fn error_page(tenant_name: &str, tracking_id: &str, error: &PageError) -> Response {
    let page = error.text();
    let lines: String = page.lines.iter().map(|l| format!("<p>{}</p>\n", text(l))).collect();
    let body = format!(
        "<h3 class=\"error-subtitle\">{OOPS}</h3>\n{lines}<div class=\"error-details\">\n\
         <p><strong>{code}</strong>: {description}</p>\n<p class=\"tracking\">TRACKING ID: {tracking}</p>\n</div>\n\
         <footer><span>TECHNICAL DETAILS</span> <span>SUPPORT</span></footer>\n",
        code = page.code,
        description = text(&page.description),
        tracking = text(tracking_id),
    );
    let mut response = html(page.status, frame(tenant_name, &body));
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(ERROR_CACHE_CONTROL));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    response.extensions_mut().insert(HostedErrorPage);
    with_hint(response, error.hint())
}

/// The login form (identifier and password on one page), with an error under the password.
pub fn login_page(tenant_name: &str, client_name: &str, state: &str, username: &str, error: Option<&str>) -> String {
    let action = format!("/u/login?state={}", encode(state));
    let error = error
        .map(|e| {
            format!(
                "<span id=\"error-element-password\" class=\"ulp-input-error-message\" role=\"alert\">{}</span>\n",
                text(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{LOGIN_TITLE}</h1>\n<p>Log in to {tenant} to continue to {client}.</p>\n\
         <form method=\"POST\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\n\
         <label for=\"username\">Email address</label>\n\
         <input id=\"username\" name=\"username\" type=\"text\" value=\"{username}\" autocomplete=\"username\">\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">\n{error}\
         <button type=\"submit\" name=\"action\" value=\"default\" data-action-button-primary=\"true\">{CONTINUE}</button>\n\
         </form>\n",
        tenant = text(tenant_name),
        client = text(client_name),
        action = attr(&action),
        state = attr(state),
        username = attr(username),
    );
    frame(tenant_name, &body)
}

/// `response_mode=form_post`: a form that posts itself to the callback (facts §1.2; markup inf).
pub fn form_post_page(redirect_uri: &str, params: &[(&str, String)]) -> String {
    let inputs: String = params
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                attr(name),
                attr(value)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html>\n<head><title>Submit This Form</title></head>\n\
         <body onload=\"javascript:document.forms[0].submit()\">\n\
         <form method=\"post\" action=\"{action}\">\n{inputs}\
         <noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n</body>\n</html>\n",
        action = attr(redirect_uri),
    )
}

/// `response_mode=web_message`: posts `{type: "authorization_response", response}` to the
/// opener or parent at the redirect origin (facts §9; markup inf).
pub fn web_message_page(target_origin: &str, response: &serde_json::Value) -> String {
    // JSON inside a script: `<` escaped so no value can close the script element.
    let escape = |s: String| s.replace('<', "\\u003c");
    let origin = escape(serde_json::Value::from(target_origin).to_string());
    let message = escape(serde_json::json!({"type": "authorization_response", "response": response}).to_string());
    format!(
        "<!DOCTYPE html>\n<html>\n<head><title>{WEB_MESSAGE_TITLE}</title></head>\n<body>\n<script \
         type=\"text/javascript\">\n(function(window, document) {{\n  var targetOrigin = {origin};\n  \
         var authorizationResponse = {message};\n  var target = window.opener || window.parent;\n  \
         target.postMessage(authorizationResponse, targetOrigin);\n}})(this, this.document);\n</script>\n\
         </body>\n</html>\n"
    )
}

/// The page frame: the tenant name as title (facts §1.3, ERRPAGE).
pub(crate) fn frame(tenant_name: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:24rem;margin:4rem auto}}label,input,button{{display:block;\
         width:100%;margin:.4rem 0}}.ulp-input-error-message{{color:#b00020}}</style>\n</head>\n<body>\n<main>\n\
         {body}</main>\n</body>\n</html>\n",
        title = text(tenant_name),
    )
}
