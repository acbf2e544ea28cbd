//! Universal Login and the hosted pages: `/authorize` and its login page, the callbacks in every
//! response mode, logout, and the pages behind mailed links (password reset, email
//! verification, unblock). Answers HTML, redirects and callbacks. Imports `tenant/`, `wire/`
//! and `core`; never another API folder.

mod authorize;
mod callback;
mod connection;
mod login_page;
mod logout;
mod mfa_gate;
mod mfa_page;
mod organization_page;
mod reset;
mod reset_page;
mod session;
mod unblock_page;
mod verify_page;

use axum::response::Response;
use axum::routing::get;
use axum::{Router, middleware};

use crate::auth0::tenant::Tenant;
use crate::auth0::wire::{login_text, organization_pages, paths};

/// The login surface's routes.
pub(super) fn routes() -> Router<Tenant> {
    // The New Universal Login pages (`/u/…`) all carry the provider's page headers, set here
    // once (framing refused: `x-frame-options`, `frame-ancestors`). Classic Login's pages and the
    // response pages of `/authorize` are not Universal Login pages: `web_message` must stay
    // frameable.
    let universal = Router::new()
        .route("/u/login", get(login_page::show).post(login_page::submit))
        .route(
            crate::auth0::wire::mfa_text::CHALLENGE_PATH,
            get(mfa_page::show).post(mfa_page::submit),
        )
        .route(
            crate::auth0::wire::mfa_text::ENROLMENT_PATH,
            get(mfa_page::show).post(mfa_page::submit),
        )
        .route(
            paths::UNIVERSAL_RESET_PATH,
            get(reset_page::show).post(reset_page::submit),
        )
        .route(paths::UNIVERSAL_VERIFY_PATH, get(verify_page::verify))
        .route(paths::UNBLOCK_PATH, get(unblock_page::unblock_page))
        .route(
            organization_pages::ORGANIZATION_PATH,
            get(organization_page::show_prompt).post(organization_page::submit_prompt),
        )
        .route(
            organization_pages::ORGANIZATION_PICKER_PATH,
            get(organization_page::show_picker).post(organization_page::submit_picker),
        )
        .layer(middleware::map_response(universal_login_page));
    Router::new()
        .route("/authorize", get(authorize::authorize))
        .route("/authorize/resume", get(login_page::resume))
        .route("/v2/logout", get(logout::v2_logout))
        .route("/oidc/logout", get(logout::oidc_logout).post(logout::oidc_logout))
        .route(
            paths::CLASSIC_RESET_PATH,
            get(reset_page::show).post(reset_page::submit),
        )
        .route(paths::CLASSIC_VERIFY_PATH, get(verify_page::verify))
        .merge(universal)
}

async fn universal_login_page(mut response: Response) -> Response {
    login_text::universal_login_headers(&mut response);
    response
}
