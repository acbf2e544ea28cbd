//! A user's factors on the Management API (facts `auth0-mfa-orgs.md` A9):
//! `/users/{id}/authentication-methods` (list, create, replace, delete all; one: read, rename,
//! delete), `/users/{id}/enrollments`, `/guardian/enrollments/{id}` and its ticket, and
//! `/users/{id}/multifactor/actions/invalidate-remember-browser`. The statuses are the recorded
//! ones: create 201, replace 200, deletes 204, ticket 200. The model is `tenant/mfa_methods.rs`:
//! the same authenticators `/mfa/*` and the login pages use.

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth0::management::config::{Doc, SchemaFile, flag, ok, path_id, schema_files};
use crate::auth0::management::extract::{BodySchema, MgmtBody, MgmtQuery, Scoped, scopes};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::mfa_methods::{self as methods, NewKind, NewMethod, decode_totp_secret};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::mgmt_error::{Finding, MgmtError, Violation};
use crate::auth0::wire::respond::mgmt_no_content;

scopes!(ReadMethods, "read:authentication_methods");
scopes!(CreateMethods, "create:authentication_methods");
scopes!(UpdateMethods, "update:authentication_methods");
scopes!(DeleteMethods, "delete:authentication_methods");
scopes!(ReadUsers, "read:users");
scopes!(UpdateUsers, "update:users");
scopes!(ReadEnrollments, "read:guardian_enrollments");
scopes!(DeleteEnrollments, "delete:guardian_enrollments");
scopes!(CreateTickets, "create:guardian_enrollment_tickets");

schema_files! {
    CreateSchema => "authentication_method_create.json",
    ReplaceSchema => "authentication_methods_replace.json",
    UpdateSchema => "authentication_method_update.json",
    ListSchema => "authentication_methods_query.json",
    TicketSchema => "guardian_enrollment_ticket.json",
}

/// The routes, merged into the Management API's.
pub(super) fn routes() -> Router<Tenant> {
    Router::new()
        .route(
            "/api/v2/users/{id}/authentication-methods",
            get(list).post(create).put(replace).delete(delete_all),
        )
        .route(
            "/api/v2/users/{id}/authentication-methods/{method_id}",
            get(read).patch(update).delete(delete_one),
        )
        .route("/api/v2/users/{id}/enrollments", get(user_enrollments))
        .route(
            "/api/v2/users/{id}/multifactor/actions/invalidate-remember-browser",
            post(invalidate_remember_browser),
        )
        .route("/api/v2/guardian/enrollments/ticket", post(create_ticket))
        .route(
            "/api/v2/guardian/enrollments/{id}",
            get(get_enrollment).delete(delete_enrollment),
        )
}

#[derive(Deserialize)]
struct MethodBody {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
    preferred_authentication_method: Option<String>,
    totp_secret: Option<String>,
}

impl BodySchema for MethodBody {
    fn schema() -> &'static Schema {
        CreateSchema::schema()
    }
}

#[derive(Deserialize)]
struct MethodList(Vec<MethodBody>);

impl BodySchema for MethodList {
    fn schema() -> &'static Schema {
        ReplaceSchema::schema()
    }
}

#[derive(Deserialize)]
struct UpdateBody {
    name: Option<String>,
    preferred_authentication_method: Option<String>,
}

impl BodySchema for UpdateBody {
    fn schema() -> &'static Schema {
        UpdateSchema::schema()
    }
}

#[derive(Deserialize)]
struct TicketBody {
    user_id: String,
}

impl BodySchema for TicketBody {
    fn schema() -> &'static Schema {
        TicketSchema::schema()
    }
}

/// A validated body as the model's new method (the schema made the type's address required).
fn new_method(body: MethodBody, at: &str) -> Result<NewMethod, MgmtError> {
    let kind = match body.kind.as_str() {
        "email" => NewKind::Email {
            email: body.email.unwrap_or_default(),
        },
        "phone" => NewKind::Phone {
            phone_number: body.phone_number.unwrap_or_default(),
            preferred: body.preferred_authentication_method,
        },
        _ => {
            let text = body.totp_secret.unwrap_or_default();
            let secret =
                decode_totp_secret(&text)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| MgmtError::PayloadValidation {
                        findings: vec![Finding {
                            violation: Violation::Format {
                                format: "base32".into(),
                                value: text.clone(),
                            },
                            property: Some((format!("{at}totp_secret"), None)),
                        }],
                    })?;
            NewKind::Totp { secret }
        }
    };
    Ok(NewMethod { name: body.name, kind })
}

fn require_user(state: &TenantState, id: &str) -> Result<(), MgmtError> {
    state.user(id).map(|_| ()).ok_or(MgmtError::UserNotFound {
        user_id: Some(id.to_owned()),
        email: None,
    })
}

fn ids(path: Result<Path<(String, String)>, PathRejection>) -> (String, String) {
    path.map(|Path(ids)| ids).unwrap_or_default()
}

/// `GET …/authentication-methods`: `{"authenticators":[…],"total","start","limit"}` with
/// totals, `total` left out when there is none (obs: facts A9); the bare array without (inf).
#[tracing::instrument(skip_all)]
async fn list(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadMethods>,
    path: Result<Path<String>, PathRejection>,
    MgmtQuery(Doc(query, _)): MgmtQuery<Doc<ListSchema>>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    let all = methods::methods(&state, &user_id);
    let per_page = query.get("per_page").and_then(Value::as_u64).unwrap_or(50);
    let start = query
        .get("page")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .saturating_mul(per_page);
    let total = all.len();
    let items: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(per_page as usize)
        .collect();
    if flag(&query, "include_totals") != Some(true) {
        return Ok(ok(StatusCode::OK, &items));
    }
    let mut body = Map::new();
    body.insert("authenticators".into(), items.into());
    if total > 0 {
        body.insert("total".into(), total.into());
    }
    body.insert("start".into(), start.into());
    body.insert("limit".into(), per_page.into());
    Ok(ok(StatusCode::OK, &body))
}

/// `POST …/authentication-methods` → 201 `type,name,created_at,<address>,id` (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn create(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateMethods>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(body): MgmtBody<MethodBody>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    let new = new_method(body, "")?;
    let created = methods::create_method(&mut state, &user_id, new, now)?;
    Ok(ok(StatusCode::CREATED, &created))
}

/// `PUT …/authentication-methods` → 200, the new methods in request order (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn replace(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateMethods>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(MethodList(list)): MgmtBody<MethodList>,
) -> Result<Response, MgmtError> {
    let now = tenant.clock().unix();
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    let list = list
        .into_iter()
        .enumerate()
        .map(|(i, body)| new_method(body, &format!("[{i}].")))
        .collect::<Result<Vec<_>, _>>()?;
    let replaced = methods::replace_methods(&mut state, &user_id, list, now)?;
    Ok(ok(StatusCode::OK, &replaced))
}

/// `DELETE …/authentication-methods` → 204 (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn delete_all(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteMethods>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    methods::delete_methods(&mut state, &user_id);
    Ok(mgmt_no_content())
}

/// `GET …/authentication-methods/{method_id}` (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn read(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadMethods>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let (user_id, id) = ids(path);
    require_user(&state, &user_id)?;
    Ok(ok(StatusCode::OK, &methods::method(&state, &user_id, &id)?))
}

/// `PATCH …/authentication-methods/{method_id}` → 200 in the POST order (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn update(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateMethods>,
    path: Result<Path<(String, String)>, PathRejection>,
    MgmtBody(body): MgmtBody<UpdateBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let (user_id, id) = ids(path);
    require_user(&state, &user_id)?;
    let updated = methods::update_method(
        &mut state,
        &user_id,
        &id,
        body.name,
        body.preferred_authentication_method,
    )?;
    Ok(ok(StatusCode::OK, &updated))
}

/// `DELETE …/authentication-methods/{method_id}` → 204 (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn delete_one(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteMethods>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let (user_id, id) = ids(path);
    require_user(&state, &user_id)?;
    methods::delete_method(&mut state, &user_id, &id)?;
    Ok(mgmt_no_content())
}

/// `GET /users/{id}/enrollments`: the bare array (obs: `[]`, facts A9); scope `read:users` (doc).
#[tracing::instrument(skip_all)]
async fn user_enrollments(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadUsers>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    Ok(ok(StatusCode::OK, &methods::enrollments(&state, &user_id)))
}

/// `POST /users/{id}/multifactor/actions/invalidate-remember-browser`, no body → 204 (obs:
/// facts A9); scope `update:users` (doc).
#[tracing::instrument(skip_all)]
async fn invalidate_remember_browser(
    State(tenant): State<Tenant>,
    _caller: Scoped<UpdateUsers>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    let user_id = path_id(path);
    require_user(&state, &user_id)?;
    methods::invalidate_remembered(&mut state, &user_id);
    Ok(mgmt_no_content())
}

/// `GET /guardian/enrollments/{id}`; unknown: 404 `Enrollment not found` (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn get_enrollment(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadEnrollments>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let state = tenant.state();
    Ok(ok(StatusCode::OK, &methods::enrollment(&state, &path_id(path))?))
}

/// `DELETE /guardian/enrollments/{id}` → 204 (doc), unknown 404 (obs: facts A9).
#[tracing::instrument(skip_all)]
async fn delete_enrollment(
    State(tenant): State<Tenant>,
    _caller: Scoped<DeleteEnrollments>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    methods::delete_enrollment(&mut state, &path_id(path))?;
    Ok(mgmt_no_content())
}

/// `POST /guardian/enrollments/ticket` → 200 `{"ticket_id","ticket_url"}` with
/// `ticket_url` `https://<tenant>/mfa/enrollment?ticket=<id>` (obs: facts A9, 2025-08). An unknown
/// `user_id` is the user 404 (inf). The ticket's page is not served.
#[tracing::instrument(skip_all)]
async fn create_ticket(
    State(tenant): State<Tenant>,
    _caller: Scoped<CreateTickets>,
    MgmtBody(body): MgmtBody<TicketBody>,
) -> Result<Response, MgmtError> {
    let mut state = tenant.state();
    require_user(&state, &body.user_id)?;
    let ticket_id = methods::enrollment_ticket(&mut state);
    let ticket_url = format!("{}/mfa/enrollment?ticket={ticket_id}", tenant.base_url());
    Ok(ok(
        StatusCode::OK,
        &json!({"ticket_id": ticket_id, "ticket_url": ticket_url}),
    ))
}
