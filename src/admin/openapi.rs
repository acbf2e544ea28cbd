//! `GET /__authmock__/openapi.json`: the control API described as OpenAPI 3.1, generated from
//! the `#[utoipa::path]` attributes on the handlers. The test `tests/api/openapi.rs` checks it
//! against [`super::served_routes`], the table the routers are built from.

use axum::Json;
use utoipa::OpenApi;

use super::tenants::CreateTenant;
use crate::core::control_error::ErrorBody;
use crate::core::provider::Provider;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "authmock control API",
        description = "The `/__authmock__/` routes of every authmock listener (Auth0 tenant or Janrain app), \
                       scoped to that listener. With `serve --admin-token`, every route but `health` needs \
                       `Authorization: Bearer <token>`."
    ),
    paths(
        super::summary::show,
        document,
        super::health::show,
        super::clock::show,
        super::clock::change,
        super::journal::list,
        super::journal::clear,
        super::faults::list,
        super::faults::add,
        super::faults::clear,
        super::faults::remove,
        super::ratelimits::list,
        super::ratelimits::set,
        super::ratelimits::clear,
        super::outbox::list,
        super::outbox::clear,
        super::outbox::get,
        super::reset::reset,
        super::tenants::list,
        super::tenants::create,
        super::tenants::get,
        super::tenants::delete,
    ),
    components(schemas(ErrorBody, CreateTenant)),
    modifiers(&AdminToken)
)]
pub struct ControlApi;

/// Declares the `serve --admin-token` bearer scheme (applied to every operation: a server
/// without a token simply does not ask for it).
struct AdminToken;

impl utoipa::Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The `serve --admin-token` value; required only when the server was started with one",
                    ))
                    .build(),
            ),
        );
        openapi.security = Some(vec![
            SecurityRequirement::new("admin_token", Vec::<String>::new()),
            SecurityRequirement::default(),
        ]);
    }
}

/// The document.
#[utoipa::path(get, path = "/__authmock__/openapi.json", tag = "openapi",
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn document<P: Provider>() -> Json<utoipa::openapi::OpenApi> {
    let mut document = ControlApi::openapi();
    if let Some(own) = P::control_openapi() {
        document.merge(own);
    }
    Json(document)
}
