//! Guardian (multi-factor authentication) configuration: the factors and the MFA policies
//! (facts `auth0-mfa-orgs.md` A9). Switching a factor on and the `all-applications` policy makes
//! the password and refresh grants answer `mfa_required` (`tenant/mfa.rs`, `docs/mfa.md`).

use axum::extract::rejection::PathRejection;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth0::management::config::{SchemaFile, ok, path_id, schema_files};
use crate::auth0::management::extract::{BodySchema, MgmtBody, Scoped, scopes};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::wire::mgmt_error::MgmtError;

scopes!(ReadFactors, "read:guardian_factors");
scopes!(UpdateFactors, "update:guardian_factors");

schema_files! {
    FactorSchema => "guardian_factor_update.json",
    PoliciesSchema => "guardian_policies_update.json",
}

#[derive(Deserialize)]
pub(super) struct FactorBody {
    enabled: bool,
}

impl BodySchema for FactorBody {
    fn schema() -> &'static Schema {
        FactorSchema::schema()
    }
}

#[derive(Deserialize)]
pub(super) struct PoliciesBody(Vec<String>);

impl BodySchema for PoliciesBody {
    fn schema() -> &'static Schema {
        PoliciesSchema::schema()
    }
}

/// `GET /api/v2/guardian/factors`: every factor in the provider's fixed order, `trial_expired`
/// always `false` (obs: REC-goauth0 TestGuardian/MultiFactor).
#[tracing::instrument(skip_all)]
pub(super) async fn list_factors(State(tenant): State<Tenant>, _caller: Scoped<ReadFactors>) -> Response {
    let state = tenant.state();
    let factors: Vec<Value> = state
        .mfa()
        .factors()
        .map(|(name, enabled)| json!({"name": name, "enabled": enabled, "trial_expired": false}))
        .collect();
    ok(StatusCode::OK, &factors)
}

/// `PUT /api/v2/guardian/factors/{name}` `{"enabled":…}` → 200 `{"enabled":…}` (obs: same). An
/// unknown name is the router's 404 (inf: the provider's path validation text was not captured).
#[tracing::instrument(skip_all)]
pub(super) async fn set_factor(
    State(tenant): State<Tenant>,
    OriginalUri(uri): OriginalUri,
    _caller: Scoped<UpdateFactors>,
    name: Result<Path<String>, PathRejection>,
    MgmtBody(body): MgmtBody<FactorBody>,
) -> Result<Response, MgmtError> {
    let name = path_id(name);
    if !tenant.state().mfa_mut().set_factor(&name, body.enabled) {
        return Err(MgmtError::NotFound {
            method: "PUT".into(),
            path: uri.path().to_owned(),
        });
    }
    Ok(ok(StatusCode::OK, &json!({"enabled": body.enabled})))
}

/// `GET /api/v2/guardian/policies`: `[]` or `["all-applications"]` (obs: same).
#[tracing::instrument(skip_all)]
pub(super) async fn get_policies(State(tenant): State<Tenant>, _caller: Scoped<ReadFactors>) -> Response {
    ok(StatusCode::OK, &tenant.state().mfa().policies())
}

/// `PUT /api/v2/guardian/policies`: replaces the list and echoes it (obs: same).
#[tracing::instrument(skip_all)]
pub(super) async fn set_policies(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateFactors>,
    MgmtBody(PoliciesBody(policies)): MgmtBody<PoliciesBody>,
) -> Response {
    tenant.state().mfa_mut().set_policies(policies.clone());
    ok(StatusCode::OK, &policies)
}
