//! Email verification through the Management API (facts `auth0-users.md` §4, `auth0.md` §3.2):
//! `POST /tickets/email-verification`, the verification-email job and its `GET /jobs/{id}`. The
//! ticket and the mail are the tenant's (`tenant/verification.rs`); the page the link opens is
//! Universal Login's (`login/verify_page.rs`).

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth0::management::extract::{BodySchema, MgmtBody, ScopeSet, Scoped};
use crate::auth0::management::imports::ReadJobs;
use crate::auth0::management::payload::Schema;
use crate::auth0::management::tickets::CreateUserTickets;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::model::Job;
use crate::auth0::tenant::tickets::DEFAULT_TICKET_TTL;
use crate::auth0::tenant::verification::{self, VerificationRequest};
use crate::auth0::wire::format::timestamp;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::json_response;

/// Scope of `POST /jobs/verification-email` (doc: OAS).
pub(super) struct UpdateUsers;
impl ScopeSet for UpdateUsers {
    const ANY_OF: &'static [&'static str] = &["update:users"];
}

/// `VerifyEmailTicketRequestContent`.
#[derive(Debug, Deserialize)]
pub(super) struct VerificationTicketRequest {
    user_id: String,
    result_url: Option<String>,
    client_id: Option<String>,
    organization_id: Option<String>,
    ttl_sec: Option<i64>,
    #[serde(rename = "includeEmailInRedirect", default)]
    include_email_in_redirect: bool,
    #[allow(dead_code)]
    identity: Option<Value>,
}

/// `PostVerificationEmailRequestContent`.
#[derive(Debug, Deserialize)]
pub(super) struct VerificationJobRequest {
    user_id: String,
    client_id: Option<String>,
    organization_id: Option<String>,
    #[allow(dead_code)]
    identity: Option<Value>,
}

static TICKET_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("schemas/ticket_email_verification.json")));
static JOB_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("schemas/job_verification_email.json")));

impl BodySchema for VerificationTicketRequest {
    fn schema() -> &'static Schema {
        &TICKET_SCHEMA
    }
}
impl BodySchema for VerificationJobRequest {
    fn schema() -> &'static Schema {
        &JOB_SCHEMA
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn create_ticket(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateUserTickets>,
    MgmtBody(request): MgmtBody<VerificationTicketRequest>,
) -> Result<Response, MgmtError> {
    let ttl = request.ttl_sec.filter(|t| *t > 0).unwrap_or(DEFAULT_TICKET_TTL);
    let url = verification::issue(&tenant, &mut tenant.state(), request.into(), ttl)?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({ "ticket": url }),
        "application/json; charset=utf-8",
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn create_job(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateUsers>,
    MgmtBody(request): MgmtBody<VerificationJobRequest>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let job = verification::send_verification_email(
        &tenant,
        &mut state,
        &request.user_id,
        request.client_id,
        request.organization_id,
    )?;
    // obs (REC-goauth0 `TestJobManager_VerifyEmail`): the answer says pending; the mail is
    // already in the outbox, so a later GET says completed.
    Ok(json_response(
        StatusCode::CREATED,
        &job_json(&job, "pending"),
        "application/json; charset=utf-8",
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn get_job(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadJobs>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    if let Some(import) = super::imports::read_job(&tenant, &id) {
        return Ok(import);
    }
    let state = tenant.state();
    let job = state
        .jobs()
        .iter()
        .find(|j| j.id == id)
        .ok_or(MgmtError::JobNotFound { id: id.clone() })?;
    Ok(json_response(
        StatusCode::OK,
        &job_json(job, "completed"),
        "application/json; charset=utf-8",
    ))
}

/// `{"type","status","created_at","id"}` in the observed order.
fn job_json(job: &Job, status: &str) -> Value {
    json!({
        "type": job.kind,
        "status": status,
        "created_at": timestamp(job.created_at),
        "id": job.id,
    })
}

impl From<VerificationTicketRequest> for VerificationRequest {
    fn from(request: VerificationTicketRequest) -> Self {
        VerificationRequest {
            user_id: request.user_id,
            result_url: request.result_url,
            client_id: request.client_id,
            organization_id: request.organization_id,
            include_email_in_redirect: request.include_email_in_redirect,
        }
    }
}
