//! The hosted password-reset page, the only place a ticket can be redeemed (facts §7).
//!
//! `GET /u/reset-password?ticket=…` (New Universal Login) and `GET /lo/reset?ticket=…` (Classic)
//! render the form; a POST to the same URL changes the password (`reset::redeem`). Texts are the
//! documented screen texts (facts §7, DOC-text, in `wire/text.rs`); markup and field names are
//! authmock's own.
//!
//! Statuses (inf: the provider's are not documented): the form 200, a re-rendered form with an
//! error 400, ticket error screens 400, a bad CSRF token 403 on the generic error page.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

use crate::auth0::login::reset::{self, Done};
use crate::auth0::tenant::Tenant;
use crate::auth0::wire::body::read_capped;
use crate::auth0::wire::reset_error::{PageContext, ResetError};
use crate::auth0::wire::respond::RequestId;
use crate::auth0::wire::respond::{found, html, redirect, with_hint};
use crate::auth0::wire::text;

/// Form posts are a few hundred bytes; anything bigger is not a browser filling this form.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// `GET`: the form for a live ticket, or the error screen that says why not.
#[tracing::instrument(skip_all)]
pub(super) async fn show(State(tenant): State<Tenant>, Page(page): Page) -> Response {
    match reset::open(&tenant, &page.secret) {
        Ok(form) => form_response(&page, &form),
        Err(error) => error.render(&page),
    }
}

fn form_response(page: &PageContext, form: &reset::Form) -> Response {
    let html_page = text::form_page(
        &page.tenant_name,
        &page.path,
        &page.secret,
        &form.csrf,
        &form.email,
        None,
    );
    with_hint(
        html(StatusCode::OK, html_page),
        format!(
            "reset form for {}; the ticket stays valid until the form is submitted",
            form.email
        ),
    )
}

/// `POST`: check, set the password, consume the ticket, then the success screen or a redirect.
#[tracing::instrument(skip_all)]
pub(super) async fn submit(State(tenant): State<Tenant>, Submission(page, form): Submission) -> Response {
    match reset::redeem(&tenant, &page.secret, &form) {
        Ok((done, hint)) => with_hint(done_response(done, &page), hint),
        Err(error) => error.render(&page),
    }
}

fn done_response(done: Done, page: &PageContext) -> Response {
    match done {
        Done::ResultUrl { url, email } => {
            let mut params = vec![("success", "true"), ("message", text::CLASSIC_SUCCESS_MESSAGE)];
            if let Some(email) = &email {
                params.push(("email", email));
            }
            redirect(&url, &params)
        }
        Done::Login(login_uri) => found(&login_uri),
        Done::Page => html(StatusCode::OK, text::page(&page.tenant_name, &text::success_body())),
    }
}

#[derive(Debug, serde::Deserialize)]
struct TicketQuery {
    ticket: Option<String>,
}

/// A request to the reset page: what its pages are rendered for.
pub(super) struct Page(PageContext);

impl FromRequestParts<Tenant> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, tenant: &Tenant) -> Result<Self, Self::Rejection> {
        let secret = Query::<TicketQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.ticket)
            .unwrap_or_default();
        Ok(Page(PageContext {
            tenant_name: tenant.name().to_owned(),
            path: parts.uri.path().to_owned(),
            secret,
            request_id: parts
                .extensions
                .get::<RequestId>()
                .map(|id| id.0.clone())
                .unwrap_or_default(),
        }))
    }
}

/// A post of the reset form: its page and its url-encoded fields; a body too large or not
/// url-encoded gets the generic error page.
pub(super) struct Submission(PageContext, HashMap<String, String>);

impl FromRequest<Tenant> for Submission {
    type Rejection = Response;

    async fn from_request(req: Request, tenant: &Tenant) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(Page(page)) = Page::from_request_parts(&mut parts, tenant).await;
        let generic = |status, detail: &str| ResetError::Generic {
            status,
            detail: detail.to_owned(),
        };
        let Ok((_, bytes)) = read_capped(Request::from_parts(parts, body), MAX_FORM_BYTES).await else {
            return Err(generic(StatusCode::PAYLOAD_TOO_LARGE, "the form body is too large").render(&page));
        };
        match serde_urlencoded::from_bytes::<HashMap<String, String>>(&bytes) {
            Ok(form) => Ok(Submission(page, form)),
            Err(_) => Err(generic(StatusCode::BAD_REQUEST, "the form body is not url-encoded").render(&page)),
        }
    }
}
