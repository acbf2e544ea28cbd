//! The Entity API: `/entity`, `/entity.find`, `/entity.count`, `/entity.create`,
//! `/entity.update`, `/entity.replace`, `/entity.delete`.
//!
//! ```text
//! POST /entity.find   type_name=user&filter=email='a@b.c'&attributes=["email"]   (Basic | Signature | client_id+secret)
//! → 200 {"result_count":1,"stat":"ok","results":[{"email":"a@b.c"}]}
//! POST /entity.create type_name=user&attributes={"email":"a@b.c"}  → 200 {"id":4,"uuid":"…","stat":"ok"}
//! ```
//!
//! Each handler authenticates the client (`auth`), then calls one function of `find` (read,
//! find, count; the filter language in `filter`) or `write` (create, update, replace, delete),
//! both over `args` (how a call names its record and reads its JSON arguments). `/entity` with
//! an access token (`access_token` or `Authorization: OAuth`) reads the signed-in user
//! (`signed_in`). Parameters come from the form body or the query string (facts
//! `janrain-entity.md` §1.1: both are documented). Imports `tenant`, `wire` and `core`; never
//! the OAuth API.

mod args;
mod auth;
mod filter;
mod find;
mod plan;
mod signed_in;
mod write;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;
use time::OffsetDateTime;

use self::auth::Access;
use self::find::Search;
use crate::janrain::tenant::JanrainApp;
use crate::janrain::tenant::entities::Write;
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::wire::entity_error::EntityError;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;
use crate::janrain::wire::respond::ok;

/// The routes of the Entity API.
pub(super) fn routes() -> Router<JanrainApp> {
    Router::new()
        .route("/entity", post(read).get(read))
        .route("/entity.find", post(find).get(find))
        .route("/entity.count", post(count).get(count))
        .route("/entity.create", post(create))
        .route("/entity.update", post(update))
        .route("/entity.replace", post(replace))
        .route("/entity.delete", post(delete))
}

/// The request body; one over axum's limit (2 MB) gets a Capture error, not a plain-text 413.
type Body = Result<Bytes, BytesRejection>;

/// Authenticates the call for `access`, then runs `op` under the app lock.
fn serve(
    app: &JanrainApp,
    headers: &HeaderMap,
    uri: &Uri,
    body: Body,
    access: Access,
    op: impl FnOnce(&mut JanrainState, &Params, OffsetDateTime) -> Result<Value, JanrainError>,
) -> Response {
    respond(locked(app, headers, uri, body, access, op))
}

/// Authenticates the call for `access` and runs `op`, under the app lock.
fn locked<T>(
    app: &JanrainApp,
    headers: &HeaderMap,
    uri: &Uri,
    body: Body,
    access: Access,
    op: impl FnOnce(&mut JanrainState, &Params, OffsetDateTime) -> Result<T, JanrainError>,
) -> Result<T, JanrainError> {
    let body = body.map_err(|rejection| EntityError::BodyTooLarge {
        hint: rejection.body_text(),
    })?;
    let params = Params::body_and_query(uri, &body);
    let now = app.clock().now();
    let mut state = app.state();
    auth::client(&state, headers, &params, uri.path(), now.unix_timestamp(), access)?;
    op(&mut state, &params, now)
}

/// `entity.find` / `entity.count`: checked under the app lock, run on the blocking pool on a
/// snapshot of the records with the lock released, so a slow filter holds up no other call.
async fn search(
    app: &JanrainApp,
    headers: &HeaderMap,
    uri: &Uri,
    body: Body,
    prepare: fn(&JanrainState, &Params) -> Result<Search, JanrainError>,
) -> Response {
    let search = match locked(app, headers, uri, body, Access::Read, |s, p, _| prepare(s, p)) {
        Ok(search) => search,
        Err(err) => return err.into_response(),
    };
    let answer = tokio::task::spawn_blocking(move || search.run())
        .await
        .unwrap_or_else(|failed| std::panic::resume_unwind(failed.into_panic()));
    respond(answer)
}

fn respond(result: Result<Value, JanrainError>) -> Response {
    match result {
        Ok(body) => ok(body),
        Err(err) => err.into_response(),
    }
}

/// Whether `/entity` carries a user's access token rather than client credentials.
fn carries_token(headers: &HeaderMap, params: &Params) -> bool {
    match headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(value) => value.starts_with("OAuth "),
        None => params.get("access_token").is_some() && params.get("client_secret").is_none(),
    }
}

#[tracing::instrument(skip_all)]
async fn read(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    if let Ok(bytes) = &body
        && carries_token(&headers, &Params::body_and_query(&uri, bytes))
    {
        let params = Params::body_and_query(&uri, bytes);
        return signed_in::entity(&app, &headers, &params).into_response();
    }
    serve(&app, &headers, &uri, body, Access::Read, |s, p, _| find::read(s, p))
}

#[tracing::instrument(skip_all)]
async fn find(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    search(&app, &headers, &uri, body, Search::find).await
}

#[tracing::instrument(skip_all)]
async fn count(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    search(&app, &headers, &uri, body, Search::count).await
}

#[tracing::instrument(skip_all)]
async fn create(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, write::create)
}

#[tracing::instrument(skip_all)]
async fn update(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, |s, p, now| {
        write::write(s, p, Write::Update, now)
    })
}

#[tracing::instrument(skip_all)]
async fn replace(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, |s, p, now| {
        write::write(s, p, Write::Replace, now)
    })
}

#[tracing::instrument(skip_all)]
async fn delete(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, |s, p, _| write::delete(s, p))
}
