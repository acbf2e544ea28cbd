//! `GET /__authmock__/openapi.json`: the control API described as OpenAPI 3.1, generated from
//! the `#[utoipa::path]` attributes on the handlers. The test `tests/api/openapi.rs` checks it
//! against [`super::served_routes`], the table the routers are built from.

use axum::Json;
use utoipa::OpenApi;

use super::error::ErrorBody;
use super::tenants::CreateTenant;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "authmock control API",
        description = "The `/__authmock__/` routes of every authmock listener (Auth0 tenant or Janrain app), \
                       scoped to that listener. With `serve --admin-token`, every route needs \
                       `Authorization: Bearer <token>`."
    ),
    paths(
        super::tenant_summary,
        document,
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
    components(schemas(ErrorBody, CreateTenant))
)]
pub struct ControlApi;

/// The document.
#[utoipa::path(get, path = "/__authmock__/openapi.json", tag = "openapi",
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ControlApi::openapi())
}
