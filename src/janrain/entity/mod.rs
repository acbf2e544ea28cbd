//! The Entity API: `/entity`, `/entity.find`, `/entity.count`, `/entity.create`,
//! `/entity.update`, `/entity.replace`, `/entity.delete`.
//!
//! ```text
//! POST /entity.find   type_name=user&filter=email='a@b.c'&attributes=["email"]   (Basic | Signature | client_id+secret)
//! → 200 {"result_count":1,"stat":"ok","results":[{"email":"a@b.c"}]}
//! POST /entity.create type_name=user&attributes={"email":"a@b.c"}  → 200 {"id":4,"uuid":"…","stat":"ok"}
//! ```
//!
//! Each handler authenticates the client (`server_auth`), then calls one function of
//! `records`. `/entity` with an access token (`access_token` or `Authorization: OAuth`) reads
//! the signed-in user, as before (`profile::entity`). Parameters come from the form body or the
//! query string (facts `janrain-entity.md` §1.1: both are documented).

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use time::OffsetDateTime;

use super::app::{JanrainApp, JanrainState};
use super::entity_error::EntityError;
use super::error::{JanrainError, ok};
use super::extract::Params;
use super::records::{self, Write};
use super::server_auth::{self, Access};

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
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return JanrainError::from(EntityError::BodyTooLarge {
                hint: rejection.body_text(),
            })
            .into_response();
        }
    };
    let params = Params::body_and_query(uri, &body);
    let now = app.clock().now();
    let result = {
        let mut state = app.state();
        server_auth::client(&state, headers, &params, uri.path(), now.unix_timestamp(), access)
            .map(|_| ())
            .and_then(|()| op(&mut state, &params, now))
    };
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
pub async fn read(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    if let Ok(bytes) = &body
        && carries_token(&headers, &Params::body_and_query(&uri, bytes))
    {
        let params = super::extract::ApiParams(Params::body_and_query(&uri, bytes));
        return super::profile::entity(State(app), headers, params)
            .await
            .into_response();
    }
    serve(&app, &headers, &uri, body, Access::Read, |s, p, _| records::read(s, p))
}

#[tracing::instrument(skip_all)]
pub async fn find(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Read, |s, p, _| records::find(s, p))
}

#[tracing::instrument(skip_all)]
pub async fn count(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Read, |s, p, _| records::count(s, p))
}

#[tracing::instrument(skip_all)]
pub async fn create(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, records::create)
}

#[tracing::instrument(skip_all)]
pub async fn update(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, |s, p, now| {
        records::write(s, p, Write::Update, now)
    })
}

#[tracing::instrument(skip_all)]
pub async fn replace(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, |s, p, now| {
        records::write(s, p, Write::Replace, now)
    })
}

#[tracing::instrument(skip_all)]
pub async fn delete(State(app): State<JanrainApp>, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    serve(&app, &headers, &uri, body, Access::Write, |s, p, _| {
        records::delete(s, p)
    })
}
