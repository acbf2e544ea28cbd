//! `GET /__authmock__/clock` and `POST /__authmock__/clock`: read and move the tenant clock.
//!
//! ```text
//! POST /__authmock__/clock {"advance_secs": 3600}            one hour later
//! POST /__authmock__/clock {"set": "2026-02-01T00:00:00Z"}   frozen at that instant
//! POST /__authmock__/clock {"mode": "system"}                follow the wall clock again
//! POST /__authmock__/clock {"mode": "manual"}                freeze where it is now
//! ```
//! Each answers with the clock as `GET` shows it. Tokens, tickets and codes expire on this clock.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

use crate::core::clock::{Clock, ClockMode};
use crate::core::control_error::ErrorBody;
use crate::core::control_error::{AdminError, AdminJson};
use crate::core::provider::Provider;

/// The clock may not leave this range: timestamps must stay printable and positive.
const EARLIEST: OffsetDateTime = datetime!(1970-01-01 00:00 UTC);
const LATEST: OffsetDateTime = datetime!(9000-01-01 00:00 UTC);

/// What `GET /__authmock__/clock` returns.
#[derive(Debug, Serialize)]
pub struct ClockView {
    /// RFC 3339, UTC.
    pub now: String,
    /// Seconds since the Unix epoch (JWT `iat`/`exp` units).
    pub unix: i64,
    pub mode: ClockMode,
}

impl ClockView {
    pub fn of(clock: &Clock) -> Self {
        let now = clock.now();
        Self {
            now: now.format(&Rfc3339).unwrap_or_else(|_| now.to_string()),
            unix: now.unix_timestamp(),
            mode: clock.mode(),
        }
    }
}

/// One change; exactly one field must be present.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockChange {
    #[serde(default)]
    advance_secs: Option<i64>,
    #[serde(default)]
    set: Option<String>,
    #[serde(default)]
    mode: Option<String>,
}

#[utoipa::path(get, path = "/__authmock__/clock", tag = "clock",
    responses((status = 200, description = "The clock: `now` (RFC 3339), `unix`, `mode` (system or manual)", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn show<P: Provider>(State(provider): State<P>) -> Json<ClockView> {
    Json(ClockView::of(provider.clock()))
}

#[utoipa::path(post, path = "/__authmock__/clock", tag = "clock",
    request_body(content = Object, description = "Exactly one of `{\"advance_secs\": N}`, `{\"set\": \"<RFC 3339>\"}`, `{\"mode\": \"system\"|\"manual\"}`"),
    responses((status = 200, description = "The clock after the change", body = Object), (status = 400, description = "Bad input", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn change<P: Provider>(
    State(provider): State<P>,
    AdminJson(change): AdminJson<ClockChange>,
) -> Result<Json<ClockView>, AdminError> {
    apply(provider.clock(), change).map(Json)
}

/// Applies one change to any clock (a tenant's or a Janrain app's).
pub fn apply(clock: &Clock, change: ClockChange) -> Result<ClockView, AdminError> {
    match change {
        ClockChange {
            advance_secs: Some(secs),
            set: None,
            mode: None,
        } => {
            let secs = u64::try_from(secs).map_err(|_| {
                AdminError::BadRequest(format!(
                    "`advance_secs` must not be negative (got {secs}); use `set` to go back in time"
                ))
            })?;
            let target = i64::try_from(secs)
                .ok()
                .and_then(|s| clock.now().checked_add(time::Duration::seconds(s)));
            if target.is_none_or(|t| t >= LATEST) {
                return Err(AdminError::BadRequest(format!(
                    "advancing {secs} s would take the clock past {LATEST}"
                )));
            }
            clock.advance(Duration::from_secs(secs));
        }
        ClockChange {
            advance_secs: None,
            set: Some(text),
            mode: None,
        } => {
            let at = OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
                AdminError::BadRequest(format!(
                    "`set` must be an RFC 3339 instant such as 2026-01-05T10:00:00Z (got {text:?}: {e})"
                ))
            })?;
            if !(EARLIEST..LATEST).contains(&at) {
                return Err(AdminError::BadRequest(format!(
                    "`set` must be between {EARLIEST} and {LATEST} (got {text})"
                )));
            }
            clock.set(at.to_offset(time::UtcOffset::UTC));
        }
        ClockChange {
            advance_secs: None,
            set: None,
            mode: Some(mode),
        } => match mode.as_str() {
            "system" => clock.follow_system(),
            "manual" => clock.freeze(),
            other => {
                return Err(AdminError::BadRequest(format!(
                    "`mode` is \"system\" or \"manual\" (got {other:?})"
                )));
            }
        },
        _ => {
            return Err(AdminError::BadRequest(
                "send exactly one of `advance_secs`, `set` or `mode`".into(),
            ));
        }
    }
    Ok(ClockView::of(clock))
}
