//! The bulk user import (facts `migration.md` §2): `POST /jobs/users-imports` (multipart, parsed
//! by axum's `Multipart`), the job's `GET /jobs/{id}` and `GET /jobs/{id}/errors`. The jobs, the
//! users file and the run are the tenant's (`tenant/imports.rs`); a job runs when it is due on
//! the tenant clock, checked by every reader here and by a task that wakes after the delay.

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth0::management::extract::{ScopeSet, Scoped};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::imports::{self, IMPORT_DELAY, ImportRequest};
use crate::auth0::tenant::model::ImportStatus;
use crate::auth0::wire::import_error::{CONNECTION_ID_PATTERN, IMPORT_LIMIT, ImportRefusal};
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::json_response;

/// Scope of `POST /jobs/users-imports` (doc: OAS).
pub(super) struct CreateUsers;
impl ScopeSet for CreateUsers {
    const ANY_OF: &'static [&'static str] = &["create:users"];
}

/// Scopes of `GET /jobs/{id}` (doc: OAS; order inf).
pub(super) struct ReadJobs;
impl ScopeSet for ReadJobs {
    const ANY_OF: &'static [&'static str] = &["create:users", "read:users"];
}

/// How long the task that runs a job keeps waiting for a clock that a test holds still.
const WAKE_FOR: std::time::Duration = std::time::Duration::from_secs(60);

#[tracing::instrument(skip_all)]
pub(super) async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateUsers>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ImportRefusal> {
    // inf: the 413 text speaks of the payload, so the whole body counts (facts §2.1, §7 q6).
    if body.len() > IMPORT_LIMIT {
        return Err(ImportRefusal::TooLarge { bytes: body.len() });
    }
    let request = read_parts(&headers, body).await?;
    let now = tenant.clock().now();
    let job = imports::create(&mut tenant.state(), request, now)?;
    wake_after_delay(&tenant, &job.id);
    Ok(json_response(
        StatusCode::ACCEPTED,
        &imports::job_json(&job),
        "application/json; charset=utf-8",
    ))
}

/// The parts, in any order and with any part headers (facts §2.1: clients differ).
async fn read_parts(headers: &HeaderMap, body: Bytes) -> Result<ImportRequest, ImportRefusal> {
    let mut request = Request::new(Body::from(body));
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        request.headers_mut().insert(header::CONTENT_TYPE, content_type.clone());
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| ImportRefusal::BadMultipart { why: e.body_text() })?;
    let (mut connection_id, mut upsert, mut external_id, mut file) = (None, false, None, None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(ImportRefusal::BadMultipart { why: e.body_text() }),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ImportRefusal::BadMultipart { why: e.body_text() })?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "users" => file = Some(bytes.to_vec()),
            "connection_id" => connection_id = Some(text()),
            // obs: booleans come as the strings true / false.
            "upsert" => upsert = text() == "true",
            "external_id" => external_id = Some(text()),
            // `send_completion_email`: no completion mail is modelled; `additionalProperties`.
            _ => {}
        }
    }
    let file = file.ok_or(ImportRefusal::MissingUsers)?;
    if file.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportRefusal::EmptyUsers);
    }
    let connection_id = connection_id.ok_or(ImportRefusal::MissingConnectionId)?;
    if !is_connection_id(&connection_id) {
        return Err(ImportRefusal::ConnectionIdPattern { given: connection_id });
    }
    Ok(ImportRequest {
        connection_id,
        upsert,
        external_id,
        file,
    })
}

/// [`CONNECTION_ID_PATTERN`] by hand.
fn is_connection_id(id: &str) -> bool {
    debug_assert_eq!(CONNECTION_ID_PATTERN, "^con_[A-Za-z0-9]{16}$");
    id.strip_prefix("con_")
        .is_some_and(|rest| rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Runs the job once it is due, so its users appear without anyone polling it (obs: go-auth0
/// reads the user two seconds later without reading the job). A clock held still by a test
/// runs it when a reader looks after the clock moved.
fn wake_after_delay(tenant: &Tenant, id: &str) {
    let (tenant, id) = (tenant.clone(), id.to_owned());
    let step = std::time::Duration::from_millis(u64::try_from(IMPORT_DELAY.whole_milliseconds()).unwrap_or(100));
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        while started.elapsed() < WAKE_FOR {
            tokio::time::sleep(step).await;
            let now = tenant.clock().now();
            let mut state = tenant.state();
            imports::settle(&mut state, now);
            if !imports::is_pending(&state, &id) {
                break;
            }
        }
    });
}

/// `GET /jobs/{id}` for an import job; `None` when `id` is not one.
pub(super) fn read_job(tenant: &Tenant, id: &str) -> Option<Response> {
    let now = tenant.clock().now();
    let mut state = tenant.state();
    imports::settle(&mut state, now);
    let job = state.imports().get(id)?;
    Some(json_response(
        StatusCode::OK,
        &imports::job_json(job),
        "application/json; charset=utf-8",
    ))
}

#[tracing::instrument(skip_all)]
pub(super) async fn errors(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadJobs>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    let now = tenant.clock().now();
    let mut state = tenant.state();
    imports::settle(&mut state, now);
    let job = state
        .imports()
        .get(&id)
        .ok_or(MgmtError::JobNotFound { id: id.clone() })?;
    // doc: 204 when there are no errors (a pending or failed job too, obs GH auth0.net#590).
    if job.status != ImportStatus::Completed || job.errors.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    // obs: `application/json` without a charset, unlike the API's other answers.
    Ok(json_response(
        StatusCode::OK,
        &serde_json::Value::Array(job.errors.clone()),
        "application/json",
    ))
}
