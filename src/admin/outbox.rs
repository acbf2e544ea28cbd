//! `/__authmock__/outbox`: the mail a tenant has sent, in the shape of Mailpit's message API.
//!
//! `GET /__authmock__/outbox` lists summaries newest first (`?to=` filters by recipient,
//! `?limit=` caps the page), `GET /__authmock__/outbox/{id}` returns one message with its bodies
//! and links (`latest` names the newest), `DELETE /__authmock__/outbox` empties it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::core::outbox::Outbox;
use crate::core::tenant::Tenant;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    to: Option<String>,
    limit: Option<usize>,
}

/// Mailpit's list envelope: `total` held, `count` returned, `messages`.
#[tracing::instrument(skip_all)]
pub async fn list(State(tenant): State<Tenant>, Query(query): Query<ListQuery>) -> Response {
    Json(list_json(&tenant.state().outbox, &query)).into_response()
}

/// The list envelope for any outbox (a tenant's or a Janrain app's).
pub fn list_json(outbox: &Outbox, query: &ListQuery) -> serde_json::Value {
    let matching: Vec<_> = outbox
        .newest_first(query.to.as_deref())
        .take(query.limit.unwrap_or(usize::MAX))
        .map(|m| m.summary())
        .collect();
    json!({
        "total": outbox.len(),
        "count": matching.len(),
        "start": 0,
        "evicted": outbox.evicted(),
        "messages": matching,
    })
}

#[tracing::instrument(skip_all)]
pub async fn get(State(tenant): State<Tenant>, Path(id): Path<String>) -> Response {
    let state = tenant.state();
    match state.outbox.get(&id) {
        Some(message) => Json(message).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no message {id} in this tenant's outbox") })),
        )
            .into_response(),
    }
}

#[tracing::instrument(skip_all)]
pub async fn clear(State(tenant): State<Tenant>) -> Json<serde_json::Value> {
    let deleted = tenant.state().outbox.clear();
    Json(json!({ "deleted": deleted }))
}
