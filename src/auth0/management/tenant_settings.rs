//! The tenant's settings (`/api/v2/tenants/settings`): read and update. A change of
//! `default_audience` or `default_directory` takes effect on the next token or login request.
//! Facts: `docs/management-api.md` §4.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::auth0::management::config::{Doc, ok, schema_files, select};
use crate::auth0::management::extract::{MgmtBody, MgmtQuery, ScopeSet, Scoped};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::settings::{self, Printed};

/// Scopes: read:tenant_settings (doc: OAS).
pub(super) struct ReadSettings;
impl ScopeSet for ReadSettings {
    const ANY_OF: &'static [&'static str] = &["read:tenant_settings"];
}

/// Scopes: update:tenant_settings (doc: OAS).
pub(super) struct UpdateSettings;
impl ScopeSet for UpdateSettings {
    const ANY_OF: &'static [&'static str] = &["update:tenant_settings"];
}

schema_files! {
    UpdateSchema => "tenant_settings_update.json",
    FieldsSchema => "fields_query.json",
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadSettings>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<FieldsSchema>>,
) -> Response {
    let state = tenant.state();
    let body = settings::render(&state, tenant.default_audience(&state), Printed::Read);
    ok(StatusCode::OK, &select(body, &query))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateSettings>,
    MgmtBody(Doc(body, _)): MgmtBody<Doc<UpdateSchema>>,
) -> Response {
    let mut state = tenant.state();
    settings::update(&mut state, body);
    let body = settings::render(&state, tenant.default_audience(&state), Printed::Update);
    ok(StatusCode::OK, &body)
}
