//! `/__authmock__/outbox`: the mail a tenant (or Janrain app) has sent, in the shape of
//! Mailpit's message API.
//!
//! `GET /__authmock__/outbox` lists summaries newest first (`?to=` filters by recipient,
//! `?limit=` caps the page), `GET /__authmock__/outbox/{id}` returns one message with its bodies
//! and links (`latest` names the newest), `DELETE /__authmock__/outbox` empties it.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::core::control_error::ErrorBody;
use crate::core::control_error::{AdminError, AdminQuery};
use crate::core::outbox::Outbox;
use crate::core::provider::Provider;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    to: Option<String>,
    limit: Option<usize>,
}

/// Mailpit's list envelope: `total` held, `count` returned, `messages`.
#[utoipa::path(get, path = "/__authmock__/outbox", tag = "outbox",
    params(
        ("to" = Option<String>, Query, description = "Only mail to this address"),
        ("limit" = Option<usize>, Query, description = "At most this many messages"),
    ),
    responses((status = 200, description = "Mailpit's list envelope: `{total, count, start, evicted, messages}`", body = Object), (status = 400, description = "Bad input", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list<P: Provider>(
    State(provider): State<P>,
    AdminQuery(query): AdminQuery<ListQuery>,
) -> Json<serde_json::Value> {
    Json(provider.with_outbox(|outbox| list_json(outbox, &query)))
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

#[utoipa::path(get, path = "/__authmock__/outbox/{id}", tag = "outbox",
    params(("id" = String, Path, description = "A message id, or `latest`")),
    responses((status = 200, description = "The message with its bodies and links", body = Object), (status = 404, description = "No such message", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get<P: Provider>(State(provider): State<P>, Path(id): Path<String>) -> Response {
    match provider.with_outbox(|outbox| outbox.get(&id).map(|m| Json(m).into_response())) {
        Some(response) => response,
        None => AdminError::NotFound(format!(
            "no message {id} in this outbox: GET /__authmock__/outbox lists them"
        ))
        .into_response(),
    }
}

#[utoipa::path(delete, path = "/__authmock__/outbox", tag = "outbox",
    responses((status = 200, description = "`{deleted: N}`", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn clear<P: Provider>(State(provider): State<P>) -> Json<serde_json::Value> {
    let deleted = provider.with_outbox(Outbox::clear);
    Json(json!({ "deleted": deleted }))
}
