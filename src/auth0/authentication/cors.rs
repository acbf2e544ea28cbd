//! Cross-origin calls from single-page applications: `/oauth/token`, `/userinfo` and
//! `/oauth/revoke` answer a browser on an allowed origin with CORS headers, so an SPA (the
//! `auth0-spa-js` SDK posts JSON with an `Auth0-Client` header, hence a preflight) can redeem
//! codes and refresh tokens from its own page.
//!
//! Which origins: Auth0's dashboard documents "Allowed Origins (CORS)", to which every allowed
//! callback URL's origin belongs by default, and "Allowed Web Origins" for the SPA's silent
//! calls (doc: set-up-cors, auth0-spa-js README). The fixture has `callbacks` and `web_origins`;
//! an origin listed in either, for any application of the tenant, is allowed (inf: a preflight
//! carries no `client_id`, so the check cannot be per application). The header set and the
//! preflight's 204 are authmock's own (inf: no capture of Auth0's CORS headers was found); a
//! disallowed origin gets no CORS headers and the browser blocks the answer, as with any server.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::applications::origin_of;
use crate::auth0::tenant::model::Client;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;

/// The endpoints a browser application calls across origins.
pub(super) const CROSS_ORIGIN_PATHS: [&str; 3] = ["/oauth/token", "/userinfo", "/oauth/revoke"];
/// inf: the methods of the three endpoints.
const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
/// inf: what auth0-spa-js and fetch-based clients send (`Auth0-Client` is the SDK's telemetry).
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Auth0-Client";
/// inf: one day.
const MAX_AGE: &str = "86400";

/// Whether a browser page on `origin` may read the tenant's answers.
fn allowed(tenant: &Tenant, origin: &str) -> bool {
    let state = tenant.state();
    state.clients().iter().any(|client| client_allows(client, origin))
}

/// Whether `client` lets a page on `origin` call the token endpoint: an Allowed Web Origin or
/// the origin of an allowed callback.
pub(super) fn client_allows(client: &Client, origin: &str) -> bool {
    client.login.allows_web_origin(origin)
        || client
            .login
            .callbacks
            .iter()
            .any(|callback| origin_of(callback) == Some(origin))
}

/// `/oauth/token` called by a browser page (an `Origin` header) that `client` does not allow:
/// the provider refuses the request itself (see [`OAuthError::CorsOriginNotAllowed`]), not only
/// the browser's read of the answer. The tenant's own origin (its hosted pages) is always fine.
pub(super) fn check_token_origin(tenant: &Tenant, client: &Client, headers: &HeaderMap) -> Result<(), OAuthError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
    if origin_of(tenant.base_url()) == Some(origin.as_str()) || client_allows(client, &origin) {
        return Ok(());
    }
    Err(OAuthError::CorsOriginNotAllowed {
        origin,
        client_id: client.client_id.clone(),
    })
}

/// The request's `Origin`, when a browser on an allowed origin sent it to a cross-origin path.
fn allowed_origin(tenant: &Tenant, path: &str, headers: &HeaderMap) -> Option<HeaderValue> {
    if !CROSS_ORIGIN_PATHS.contains(&path) {
        return None;
    }
    let origin = headers.get(header::ORIGIN)?;
    allowed(tenant, origin.to_str().ok()?).then(|| origin.clone())
}

/// Answers preflights of the cross-origin paths and adds the CORS headers to their responses.
pub(in crate::auth0) async fn cors(State(tenant): State<Tenant>, req: Request, next: Next) -> Response {
    let origin = allowed_origin(&tenant, req.uri().path(), req.headers());
    let preflight = req.method() == Method::OPTIONS && CROSS_ORIGIN_PATHS.contains(&req.uri().path());
    let asks_method = req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = match (preflight, &origin) {
        // hapi refuses a preflight that does not say which method it wants (obs, auth0.md §2).
        (true, _) if !asks_method => MgmtError::CorsMissingMethod.into_response(),
        (true, Some(_)) => preflight_answer(),
        _ => next.run(req).await,
    };
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// 204 to an allowed preflight, with the methods, headers and max age the provider answers.
fn preflight_answer() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
    response
}
