//! Email verification (facts `auth0-users.md` §4, `auth0.md` §3.2): the ticket endpoint, the
//! verification-email job with its `GET /jobs/{id}`, the mail in the outbox, and the hosted page
//! its link opens, which marks the email verified. Tickets expire on the tenant clock and are
//! single-use like password-change tickets, but are stored under their own subject
//! (`verify:<user_id>`) so a verification link does not supersede a reset link.

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use rand::RngExt as _;
use rand::distr::Alphanumeric;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{Auth0Error, json_response, with_hint};
use super::error::{html, redirect};
use super::extract::{BodySchema, MgmtBody, ScopeSet, Scoped};
use super::payload::Schema;
use super::text::page;
use super::tickets::{CreateUserTickets, DEFAULT_TICKET_TTL};
use super::users::timestamp;
use crate::auth0::tenant::{Job, LoginExperience, Tenant, TenantState, Ticket, TicketKind};
use crate::core::onetime::Redemption;

/// New Universal Login's verification page (obs: REC-goauth0 `TestTicketManager_VerifyEmail`).
pub const UNIVERSAL_VERIFY_PATH: &str = "/u/email-verification";
/// Classic Login's (doc: the OAS example's `/lo/verify_email`).
pub const CLASSIC_VERIFY_PATH: &str = "/lo/verify_email";

// facts §4 (DOC-text), screen `email-verification-result`.
const VERIFIED_TITLE: &str = "Email Verified";
const ERROR_TITLE: &str = "Error";
const VERIFIED: &str = "Your email address was successfully verified.";
const ALREADY_VERIFIED: &str = "This account is already verified.";
const INVALID: &str = "User account does not exist or the verification code is invalid.";
const EXPIRED: &str = "This ticket was expired.";
const USED: &str = "This ticket was already used.";
/// obs (classic redirect, facts §4): what `result_url` receives on success.
const REDIRECT_SUCCESS: &str = "Your email was verified. You can continue using the application.";

/// Scope of `POST /jobs/verification-email` (doc: OAS).
pub struct UpdateUsers;
impl ScopeSet for UpdateUsers {
    const ANY_OF: &'static [&'static str] = &["update:users"];
}

/// Scopes of `GET /jobs/{id}` (doc: OAS; order inf).
pub struct ReadJobs;
impl ScopeSet for ReadJobs {
    const ANY_OF: &'static [&'static str] = &["create:users", "read:users"];
}

/// `VerifyEmailTicketRequestContent`.
#[derive(Debug, Deserialize)]
pub struct VerificationTicketRequest {
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
pub struct VerificationJobRequest {
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
pub async fn create_ticket(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateUserTickets>,
    MgmtBody(request): MgmtBody<VerificationTicketRequest>,
) -> Result<Response, Auth0Error> {
    let mut state = tenant.state();
    let ttl = request.ttl_sec.filter(|t| *t > 0).unwrap_or(DEFAULT_TICKET_TTL);
    let url = issue(
        &tenant,
        &mut state,
        request.user_id,
        request.result_url,
        request.client_id,
        request.organization_id,
        request.include_email_in_redirect,
        ttl,
    )?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({ "ticket": url }),
        "application/json; charset=utf-8",
    ))
}

#[tracing::instrument(skip_all)]
pub async fn create_job(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateUsers>,
    MgmtBody(request): MgmtBody<VerificationJobRequest>,
) -> Result<Response, Auth0Error> {
    let mut state = tenant.state();
    let job = send_verification_email(
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
pub async fn get_job(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadJobs>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, Auth0Error> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    let state = tenant.state();
    let job = state
        .jobs
        .iter()
        .find(|j| j.id == id)
        .ok_or(Auth0Error::JobNotFound { id: id.clone() })?;
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

/// Issues a verification ticket for `user_id` and returns its hosted-page URL.
#[allow(clippy::too_many_arguments)]
fn issue(
    tenant: &Tenant,
    state: &mut TenantState,
    user_id: String,
    result_url: Option<String>,
    client_id: Option<String>,
    organization_id: Option<String>,
    include_email_in_redirect: bool,
    ttl: i64,
) -> Result<String, Auth0Error> {
    if let Some(client_id) = &client_id
        && state.client(client_id).is_none()
    {
        return Err(Auth0Error::TicketClientNotFound {
            client_id: client_id.clone(),
        });
    }
    if let Some(organization_id) = organization_id {
        return Err(Auth0Error::TicketOrganizationNotFound { organization_id });
    }
    if state.user(&user_id).is_none() {
        return Err(Auth0Error::UserNotFound {
            user_id: Some(user_id),
            email: None,
        });
    }
    let ticket = Ticket {
        kind: TicketKind::EmailVerification,
        user_id: user_id.clone(),
        result_url,
        client_id,
        organization_id: None,
        mark_email_as_verified: true,
        include_email_in_redirect,
    };
    let now = tenant.clock().unix();
    let secret = state
        .tickets
        .issue(&mut state.rng, &subject(&user_id), ticket, now, ttl);
    let path = match state.login {
        LoginExperience::Universal => UNIVERSAL_VERIFY_PATH,
        LoginExperience::Classic => CLASSIC_VERIFY_PATH,
    };
    Ok(format!("{}{path}?ticket={secret}#", tenant.base_url()))
}

/// The ticket subject of a user's verification links.
pub fn subject(user_id: &str) -> String {
    format!("verify:{user_id}")
}

/// Mails `user_id` a verification link and records the job (also what `POST /users` does for an
/// unverified user).
pub fn send_verification_email(
    tenant: &Tenant,
    state: &mut TenantState,
    user_id: &str,
    client_id: Option<String>,
    organization_id: Option<String>,
) -> Result<Job, Auth0Error> {
    let link = issue(
        tenant,
        state,
        user_id.to_owned(),
        None,
        client_id,
        organization_id,
        false,
        DEFAULT_TICKET_TTL,
    )?;
    let user = state.user(user_id).cloned().ok_or(Auth0Error::UserNotFound {
        user_id: Some(user_id.to_owned()),
        email: None,
    })?;
    let draft = super::mail::email_verification(tenant.name(), &user, &link);
    let now = tenant.clock().now();
    state.outbox.capture(&mut state.rng, draft, now, &tenant.address().host);
    let id: String = (&mut state.rng)
        .sample_iter(Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    let job = Job {
        id: format!("job_{id}"),
        kind: "verification_email".into(),
        created_at: now,
    };
    super::bounds::room_for_job(state);
    state.jobs.push(job.clone());
    Ok(job)
}

#[derive(Debug, Deserialize)]
pub struct TicketQuery {
    ticket: Option<String>,
}

/// The hosted page a verification link opens: redeems the ticket and marks the email verified
/// (statuses inf, as for the reset page: 200 on success, 400 on an error screen).
#[tracing::instrument(skip_all)]
pub async fn verify(State(tenant): State<Tenant>, uri: Uri, Query(query): Query<TicketQuery>) -> Response {
    let secret = query.ticket.unwrap_or_default();
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let kind = state.tickets.check(&secret, now).map(|e| e.payload.kind);
    let outcome = match kind {
        Ok(TicketKind::EmailVerification) => state.tickets.redeem(&secret, now).map(|e| e.payload.clone()),
        Ok(_) => Err(Redemption::Unknown),
        Err(reason) => Err(reason),
    };
    let ticket = match outcome {
        Ok(ticket) => ticket,
        Err(reason) => {
            let (text, hint) = match reason {
                Redemption::Expired { .. } => (EXPIRED, "the verification link expired on the tenant clock"),
                Redemption::Used => (USED, "the verification link was already used"),
                _ => (INVALID, "no live verification ticket has this secret"),
            };
            return result_page(&tenant, uri.path(), StatusCode::BAD_REQUEST, ERROR_TITLE, text, hint);
        }
    };
    let Some(user) = state.user_mut(&ticket.user_id) else {
        return result_page(
            &tenant,
            uri.path(),
            StatusCode::BAD_REQUEST,
            ERROR_TITLE,
            INVALID,
            "the user no longer exists",
        );
    };
    let already = user.email_verified;
    user.email_verified = true;
    let email = user.email.clone();
    drop(state);
    if let Some(url) = &ticket.result_url {
        let mut params = vec![("supportSignUp", "true"), ("supportForgotPassword", "true")];
        if ticket.include_email_in_redirect {
            params.push(("email", &email));
        }
        params.extend([("message", REDIRECT_SUCCESS), ("success", "true"), ("code", "success")]);
        return with_hint(redirect(url, &params), format!("{email} is verified"));
    }
    if already {
        return result_page(
            &tenant,
            uri.path(),
            StatusCode::OK,
            VERIFIED_TITLE,
            ALREADY_VERIFIED,
            "the email was verified before",
        );
    }
    result_page(
        &tenant,
        uri.path(),
        StatusCode::OK,
        VERIFIED_TITLE,
        VERIFIED,
        &format!("{email} is verified"),
    )
}

fn result_page(tenant: &Tenant, _path: &str, status: StatusCode, title: &str, text: &str, hint: &str) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n",
        html_escape::encode_text(title),
        html_escape::encode_text(text)
    );
    with_hint(html(status, page(tenant.name(), &body)), hint.to_owned())
}
