//! `GET /v2/logout` and `GET`/`POST /oidc/logout`: end the browser's session and go back to an
//! allowed URL (facts auth0-login.md §7).
//!
//! `/v2/logout`: `returnTo` must match one of the application's Allowed Logout URLs (query and
//! fragment ignored); with `client_id` and no `returnTo` the first allowed URL is used. Without
//! `client_id` the provider checks the tenant's own list, which authmock models as the union of
//! every application's list (inf). `/oidc/logout`: `post_logout_redirect_uri` matched exactly,
//! `client_id` or the `id_token_hint`'s audience names the application, `state` is echoed.
//!
//! Both compare URLs as URLs: an origin without its trailing slash is its root path
//! (`http://127.0.0.1:3000` matches an allowed `http://127.0.0.1:3000/`), and the browser is sent
//! to the URL so written, slash included (obs for `/oidc/logout`, facts §7 PROBE-BM; inf for
//! `/v2/logout`, which parses the same list).

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use crate::auth0::login::authorize::{param, query_params, request_id};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::applications::with_root_path;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::body::read_capped;
use crate::auth0::wire::login_error::PageError;
use crate::auth0::wire::respond::encode;
use crate::auth0::wire::respond::found_encoded as found;
use crate::auth0::wire::respond::{html, with_hint};
use crate::auth0::{login::session, wire::login_text};
use crate::core::tokens;

/// Where the browser goes after logout, or the page saying why not.
enum Exit {
    Redirect(String),
    /// inf: the provider's body for a logout with nowhere to go was not captured.
    Done,
}

#[tracing::instrument(skip_all)]
pub(super) async fn v2_logout(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let params = query_params(req.uri().query());
    let cookie = session::from_headers(req.headers());
    let exit = {
        let state = tenant.state();
        v2_exit(&state, param(&params, "client_id"), param(&params, "returnTo"))
    };
    end(&tenant, &rid, cookie.as_deref(), exit)
}

fn v2_exit(state: &TenantState, client_id: Option<&str>, return_to: Option<&str>) -> Result<Exit, PageError> {
    let Some(client_id) = client_id else {
        let Some(return_to) = return_to else {
            return Ok(Exit::Done);
        };
        let allowed: Vec<String> = state
            .clients()
            .iter()
            .flat_map(|c| c.login.allowed_logout_urls.iter().cloned())
            .collect();
        if state.clients().iter().any(|c| c.login.allows_logout(return_to)) {
            return Ok(Exit::Redirect(with_root_path(return_to).into_owned()));
        }
        return Err(PageError::LogoutUrlNotAllowed {
            param: "returnTo",
            url: return_to.to_owned(),
            client_id: String::new(),
            allowed,
        });
    };
    let client = state.client(client_id).ok_or_else(|| PageError::UnknownClient {
        client_id: client_id.to_owned(),
    })?;
    match return_to {
        None => Ok(client
            .login
            .allowed_logout_urls
            .first()
            .map_or(Exit::Done, |url| Exit::Redirect(url.clone()))),
        Some(url) if client.login.allows_logout(url) => Ok(Exit::Redirect(with_root_path(url).into_owned())),
        Some(url) => Err(PageError::LogoutUrlNotAllowed {
            param: "returnTo",
            url: url.to_owned(),
            client_id: client_id.to_owned(),
            allowed: client.login.allowed_logout_urls.clone(),
        }),
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn oidc_logout(State(tenant): State<Tenant>, req: Request) -> Response {
    let rid = request_id(&req);
    let cookie = session::from_headers(req.headers());
    let params = match logout_params(req).await {
        Ok(params) => params,
        Err(error) => return login_text::error_page(tenant.name(), &rid, &error),
    };
    let exit = oidc_exit(&tenant, &params);
    end(&tenant, &rid, cookie.as_deref(), exit)
}

/// The query's parameters, then a POSTed form's.
async fn logout_params(req: Request) -> Result<Vec<(String, String)>, PageError> {
    let mut params = query_params(req.uri().query());
    if req.method() == axum::http::Method::POST {
        let Ok((_, bytes)) = read_capped(req, 64 * 1024).await else {
            return Err(PageError::BadForm {
                detail: "the logout form body is too large",
            });
        };
        params.extend(serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default());
    }
    Ok(params)
}

fn oidc_exit(tenant: &Tenant, params: &[(String, String)]) -> Result<Exit, PageError> {
    let client_id = param(params, "client_id");
    let hint = param(params, "id_token_hint");
    let redirect = param(params, "post_logout_redirect_uri");
    let client_state = param(params, "state");
    let hinted = match hint {
        None => None,
        Some(token) => {
            // An expired hint is still a hint (OpenID RP-Initiated Logout §2): expiry is not checked.
            let claims = tokens::verify(tenant.key(), token, i64::MIN)
                .map_err(|r| PageError::InvalidIdTokenHint { why: format!("{r:?}") })?;
            Some(claims.get("aud").and_then(Value::as_str).unwrap_or_default().to_owned())
        }
    };
    if let (Some(id), Some(aud)) = (client_id, hinted.as_deref())
        && id != aud
    {
        return Err(PageError::InvalidIdTokenHint {
            why: format!("client_id {id} is not the hint's audience {aud}"),
        });
    }
    let Some(redirect) = redirect else {
        return Ok(Exit::Done);
    };
    let client_id = client_id.map(str::to_owned).or(hinted).unwrap_or_default();
    let state = tenant.state();
    let client = state.client(&client_id).ok_or_else(|| PageError::UnknownClient {
        client_id: client_id.clone(),
    })?;
    // Exact match, query string included (facts §7).
    if !client.login.allows_post_logout_redirect(redirect) {
        return Err(PageError::LogoutUrlNotAllowed {
            param: "post_logout_redirect_uri",
            url: redirect.to_owned(),
            client_id,
            allowed: client.login.allowed_logout_urls.clone(),
        });
    }
    let mut target = with_root_path(redirect).into_owned();
    if let Some(client_state) = client_state {
        target.push(if target.contains('?') { '&' } else { '?' });
        target.push_str("state=");
        target.push_str(&encode(client_state));
    }
    Ok(Exit::Redirect(target))
}

/// Ends the session behind the cookie, then redirects (or shows the error page, session kept).
fn end(tenant: &Tenant, rid: &str, cookie: Option<&str>, exit: Result<Exit, PageError>) -> Response {
    let exit = match exit {
        Ok(exit) => exit,
        Err(error) => return login_text::error_page(tenant.name(), rid, &error),
    };
    let ended = cookie
        .and_then(|id| tenant.state().logins_mut().0.end_session(id))
        .is_some();
    let hint = if ended {
        "session ended"
    } else {
        "no session cookie came with the request; nothing to end"
    };
    let mut response = match exit {
        Exit::Redirect(url) => with_hint(found(&url), format!("{hint}; back to the application")),
        Exit::Done => with_hint(
            html(StatusCode::OK, "OK".into()),
            format!("{hint}; no returnTo, so the provider's own page"),
        ),
    };
    session::clear(response.headers_mut());
    response
}
