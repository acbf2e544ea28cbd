//! Auth0's own control routes, beside the control API every listener has (`admin/`): the M2M
//! token quotas of `tenant/quota.rs` at `/__authmock__/client-quotas`, and the current TOTP code
//! of a user's authenticator at `/__authmock__/mfa/totp` and the answer to a push notification
//! at `/__authmock__/mfa/push` (test conveniences the real tenant lacks, where the Guardian app
//! answers: `docs/mfa.md`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::quota::QuotaDefinition;
use crate::core::control_error::{AdminError, AdminJson, AdminQuery, ErrorBody};

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotpQuery {
    pub user_id: String,
    #[serde(default)]
    pub authenticator_id: Option<String>,
}

/// The code an authenticator app would show now.
#[derive(Debug, Serialize)]
pub struct TotpCode {
    pub user_id: String,
    pub authenticator_id: String,
    pub code: String,
    /// Seconds the code stays the current one (30 s steps on the tenant clock).
    pub valid_for: i64,
}

#[utoipa::path(get, path = "/__authmock__/mfa/totp", tag = "mfa",
    params(("user_id" = String, Query, description = "The user"), ("authenticator_id" = Option<String>, Query, description = "One of its TOTP authenticators (`totp|dev_…`); the newest when absent")),
    responses((status = 200, description = "`{user_id, authenticator_id, code, valid_for}`: the RFC 6238 code of this 30 s step on the tenant clock (a test convenience the real tenant lacks)", body = Object), (status = 404, description = "No such user or TOTP authenticator", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn totp(
    State(tenant): State<Tenant>,
    AdminQuery(query): AdminQuery<TotpQuery>,
) -> Result<Json<TotpCode>, AdminError> {
    let state = tenant.state();
    let now = tenant.clock().unix();
    let (authenticator_id, code, valid_for) = crate::auth0::tenant::mfa::current_totp(
        &state,
        &query.user_id,
        query.authenticator_id.as_deref(),
        now,
    )
    .ok_or_else(|| {
        AdminError::NotFound(format!(
            "user {} has no TOTP authenticator{} (POST /mfa/associate with authenticator_types [\"otp\"] makes one)",
            query.user_id,
            query
                .authenticator_id
                .as_deref()
                .map(|id| format!(" {id}"))
                .unwrap_or_default()
        ))
    })?;
    Ok(Json(TotpCode {
        user_id: query.user_id,
        authenticator_id,
        code,
        valid_for,
    }))
}

/// What the Guardian app's user does with a push notification.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PushAnswer {
    Approve,
    Reject,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The `oob_code` of `/mfa/associate` or `/mfa/challenge`.
    #[serde(default)]
    pub oob_code: Option<String>,
    /// The user whose newest undecided push to answer (when no `oob_code`).
    #[serde(default)]
    pub user_id: Option<String>,
    pub decision: PushAnswer,
}

#[derive(Debug, Serialize)]
pub struct PushDecided {
    pub user_id: String,
    pub authenticator_id: String,
    pub decision: PushAnswer,
}

#[utoipa::path(post, path = "/__authmock__/mfa/push", tag = "mfa",
    request_body(content = Object, description = "`{oob_code?, user_id?, decision: \"approve\"|\"reject\"}`: answers a push notification as the Guardian app would, the `oob_code` named or the user's newest undecided one"),
    responses((status = 200, description = "`{user_id, authenticator_id, decision}`; the `mfa-oob` grant polling that `oob_code` now answers tokens or `MFA Authorization rejected.` (a test convenience the real tenant lacks)", body = Object),
        (status = 400, description = "Neither `oob_code` nor `user_id`, or a decision other than approve/reject", body = ErrorBody),
        (status = 404, description = "No live push `oob_code` of that value or user", body = ErrorBody),
        (status = 409, description = "That push was answered already, or (by `user_id`) several were issued in the same second", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn push(
    State(tenant): State<Tenant>,
    AdminJson(request): AdminJson<PushRequest>,
) -> Result<Json<PushDecided>, AdminError> {
    use crate::auth0::tenant::guardian::PushDecision;
    use crate::auth0::tenant::mfa::{PushRefusal, decide_push};
    if request.oob_code.is_none() && request.user_id.is_none() {
        return Err(AdminError::BadRequest(
            "name the push: oob_code (from /mfa/associate or /mfa/challenge) or user_id".into(),
        ));
    }
    let decision = match request.decision {
        PushAnswer::Approve => PushDecision::Approved,
        PushAnswer::Reject => PushDecision::Rejected,
    };
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let (user_id, authenticator_id) = decide_push(
        &mut state,
        request.oob_code.as_deref(),
        request.user_id.as_deref(),
        decision,
        now,
    )
    .map_err(|refusal| match refusal {
        PushRefusal::Unknown => AdminError::NotFound(match &request.user_id {
            Some(user) if request.oob_code.is_none() => format!("user {user} has no undecided push notification"),
            _ => "no live push oob_code of that value (unknown, expired after 5 minutes, spent, \
                  not a push, or another user's)"
                .into(),
        }),
        PushRefusal::Decided => AdminError::Conflict("that push notification was answered already".into()),
        PushRefusal::Ambiguous => AdminError::Conflict(
            "the user has several undecided push notifications issued in the same second: name the oob_code".into(),
        ),
    })?;
    Ok(Json(PushDecided {
        user_id,
        authenticator_id,
        decision: request.decision,
    }))
}

/// The OpenAPI description of Auth0's own control routes, merged into `openapi.json` of Auth0
/// listeners.
#[derive(utoipa::OpenApi)]
#[openapi(paths(set, list, clear, totp, push))]
pub(crate) struct QuotaApi;
