//! `GET /__authmock__/tenant`: what the listener's tenant was seeded with, as its provider
//! summarises it.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::core::provider::Provider;

/// An answer past this size was built from a large tree (every seeded user: 33 MB of JSON and
/// about 140 MB of tree for 100,000 users), whose freed pages the allocator is asked to give
/// back.
const LARGE_SUMMARY: usize = 1 << 20;

#[utoipa::path(get, path = "/__authmock__/tenant", tag = "tenant",
    responses((status = 200, description = "This listener's seeded credentials and ids: `provider` is `auth0` (applications, APIs, connections, users) or `janrain` (API clients, flow, records)", body = Object)))]
#[tracing::instrument(skip_all)]
pub(crate) async fn show<P: Provider>(State(provider): State<P>) -> Response {
    // The bytes `Json` would send, written here so the tree is gone before the answer leaves.
    let body = serde_json::to_vec(&provider.summary()).unwrap_or_default();
    if body.len() > LARGE_SUMMARY {
        crate::core::memory::give_back();
    }
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
