//! Auth0's own control routes, beside the control API every listener has (`admin/`): the M2M
//! token quotas of `tenant/quota.rs` at `/__authmock__/client-quotas`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::quota::QuotaDefinition;
use crate::core::control_error::{AdminError, AdminJson, ErrorBody};

#[derive(Debug, Serialize)]
pub struct QuotaList {
    pub quotas: Vec<QuotaDefinition>,
}

#[utoipa::path(post, path = "/__authmock__/client-quotas", tag = "client-quotas",
    request_body(content = Object, description = "`{client_id?, per_hour?, per_day?}`: the M2M token budget of one application (every application without its own when `client_id` is absent), on the tenant clock"),
    responses((status = 201, description = "Every quota now set", body = Object), (status = 400, description = "Bad input", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn set(
    State(tenant): State<Tenant>,
    AdminJson(definition): AdminJson<QuotaDefinition>,
) -> Result<(StatusCode, Json<QuotaList>), AdminError> {
    let mut state = tenant.state();
    if let Some(client) = &definition.client_id
        && state.client(client).is_none()
    {
        return Err(AdminError::BadRequest(format!(
            "the tenant has no application {client}"
        )));
    }
    state
        .token_quotas_mut()
        .set(definition)
        .map_err(AdminError::BadRequest)?;
    Ok((
        StatusCode::CREATED,
        Json(QuotaList {
            quotas: state.token_quotas().list(),
        }),
    ))
}

#[utoipa::path(get, path = "/__authmock__/client-quotas", tag = "client-quotas",
    responses((status = 200, description = "`{quotas: [{client_id?, per_hour?, per_day?}]}`", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn list(State(tenant): State<Tenant>) -> Json<QuotaList> {
    Json(QuotaList {
        quotas: tenant.state().token_quotas().list(),
    })
}

#[utoipa::path(delete, path = "/__authmock__/client-quotas", tag = "client-quotas",
    responses((status = 204, description = "No M2M token quota anywhere")))]
#[tracing::instrument(skip_all)]
pub async fn clear(State(tenant): State<Tenant>) -> StatusCode {
    tenant.state().token_quotas_mut().clear();
    StatusCode::NO_CONTENT
}

/// The OpenAPI description of the quota control routes, merged into `openapi.json` of Auth0
/// listeners.
#[derive(utoipa::OpenApi)]
#[openapi(paths(set, list, clear))]
pub(crate) struct QuotaApi;
