//! `GET /__authmock__/ui`: the console, a page over the control API for people who look at mail
//! and requests rather than read JSON (the inbox, the journal, the tenant, the clock, the fault
//! rules).
//!
//! Three static files embedded in the binary (`console/`): the page, its script and its style.
//! They hold no tenant data: everything the page shows, its script fetches from the control API
//! of the same listener, so the admin token rule is the control API's (see `auth`): the files are
//! served without the token, and with one set the page asks for it and sends it as
//! `Authorization: Bearer` on every call, keeping it in the tab's session storage only. The
//! headers forbid framing and inline script; the page never writes markup from data (text
//! nodes only), and a mail's HTML is shown in a sandboxed frame with no script.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The page.
pub const PAGE: &str = "/__authmock__/ui";
/// Its script.
pub const SCRIPT: &str = "/__authmock__/ui/console.js";
/// Its style.
pub const STYLE: &str = "/__authmock__/ui/console.css";

const HTML: &str = include_str!("console/index.html");
const JS: &str = include_str!("console/console.js");
const CSS: &str = include_str!("console/console.css");

/// Scripts and styles from the listener only; a mail's own inline style may apply inside its
/// sandboxed frame (which inherits this policy) but no script runs anywhere but `console.js`.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Whether `path` is one of the console's files, served without the admin token.
pub(crate) fn is_console_file(path: &str) -> bool {
    [PAGE, SCRIPT, STYLE].contains(&path)
}

/// `GET /__authmock__/ui`.
pub(crate) async fn page() -> Response {
    file("text/html; charset=utf-8", HTML)
}

/// `GET /__authmock__/ui/console.js`.
pub(crate) async fn script() -> Response {
    file("text/javascript; charset=utf-8", JS)
}

/// `GET /__authmock__/ui/console.css`.
pub(crate) async fn style() -> Response {
    file("text/css; charset=utf-8", CSS)
}

fn file(content_type: &'static str, body: &'static str) -> Response {
    let headers: [(HeaderName, HeaderValue); 6] = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (headers, body).into_response()
}
