//! `GET /__authmock__/journal` and `DELETE /__authmock__/journal`: what the tenant was asked
//! and what it answered, newest first.
//!
//! Filters (query string, all optional): `method` (`POST`), `path` (a prefix: `/api/v2/`),
//! `status` (`401` or a class, `4xx`), `since` (RFC 3339, wall clock, inclusive), `limit`
//! (entries returned, `core::journal::DEFAULT_PAGE` when absent; `total`, `matched` and
//! `evicted` still count everything), `before` (an id: only older entries, to page on from the
//! last id of a page). See `core::journal` for the entry format, the bounds and the secret
//! masking. Clearing gives the freed memory back to the system (`core::memory`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::core::control_error::ErrorBody;
use crate::core::control_error::{AdminError, AdminQuery};
use crate::core::journal::{Filter, Page, StatusFilter};
use crate::core::provider::Provider;

/// The query string, as text, so each bad value gets its own message.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalQuery {
    method: Option<String>,
    path: Option<String>,
    status: Option<String>,
    since: Option<String>,
    limit: Option<String>,
    before: Option<String>,
}

impl TryFrom<JournalQuery> for Filter {
    type Error = AdminError;

    fn try_from(query: JournalQuery) -> Result<Self, AdminError> {
        let bad = |text: String| AdminError::BadRequest(text);
        let status = match query.status {
            Some(text) => Some(StatusFilter::parse(&text).ok_or_else(|| {
                bad(format!(
                    "`status` is a code such as 401 or a class such as 4xx (got {text:?})"
                ))
            })?),
            None => None,
        };
        let since = match query.since {
            Some(text) => Some(OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
                bad(format!(
                    "`since` must be an RFC 3339 instant such as 2026-01-05T10:00:00Z (got {text:?}: {e})"
                ))
            })?),
            None => None,
        };
        let whole = |name: &str, text: Option<String>| -> Result<Option<u64>, AdminError> {
            text.map(|text| {
                text.parse::<u64>()
                    .map_err(|_| bad(format!("`{name}` must be a whole number (got {text:?})")))
            })
            .transpose()
        };
        let limit = whole("limit", query.limit)?.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let before = whole("before", query.before)?;
        Ok(Filter {
            method: query.method,
            path: query.path,
            status,
            since,
            before,
            limit,
        })
    }
}

#[utoipa::path(get, path = "/__authmock__/journal", tag = "journal",
    params(
        ("method" = Option<String>, Query, description = "Only this method"),
        ("path" = Option<String>, Query, description = "Only paths starting with this"),
        ("status" = Option<String>, Query, description = "A status (401) or a class (4xx)"),
        ("since" = Option<String>, Query, description = "RFC 3339, wall clock, inclusive"),
        ("limit" = Option<usize>, Query, description = "At most this many entries (100 when absent)"),
        ("before" = Option<u64>, Query, description = "Only entries with a smaller id: the last id of a page gives the next"),
    ),
    responses((status = 200, description = "`{total, matched, evicted, limit, bytes, byte_limit, entries}`, newest first; `matched` counts every match, so a page shorter than `matched` has more after it", body = Object), (status = 400, description = "Bad input", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list<P: Provider>(
    State(provider): State<P>,
    AdminQuery(query): AdminQuery<JournalQuery>,
) -> Result<Json<Page>, AdminError> {
    let filter = Filter::try_from(query)?;
    Ok(Json(provider.control().journal().page(&filter)))
}

#[utoipa::path(delete, path = "/__authmock__/journal", tag = "journal",
    responses((status = 204, description = "Every exchange forgotten")))]
#[tracing::instrument(skip_all)]
pub async fn clear<P: Provider>(State(provider): State<P>) -> StatusCode {
    provider.control().journal().clear();
    crate::core::memory::give_back();
    StatusCode::NO_CONTENT
}
