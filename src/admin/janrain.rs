//! The control API of a Janrain Capture app's listener: `tenant`, `clock`, `outbox`.
//!
//! Same paths and bodies as a tenant's (`GET /__authmock__/tenant` describes the app with
//! `"provider":"janrain"`). Journal, faults, rate limits and reset are not served here yet: the
//! exchange layer is tied to the Auth0 `Tenant`.

use axum::extract::{Path, Query, State};
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::clock::{ClockChange, ClockView, apply};
use super::error::{AdminError, AdminJson};
use super::outbox::{ListQuery, list_json};
use crate::janrain::app::{CaptureClient, Flow, JanrainApp};

pub fn router() -> Router<JanrainApp> {
    Router::new()
        .route("/__authmock__/tenant", control(get(summary)))
        .route("/__authmock__/clock", control(get(clock_show).post(clock_change)))
        .route("/__authmock__/outbox", control(get(outbox_list).delete(outbox_clear)))
        .route("/__authmock__/outbox/{id}", control(get(outbox_get)))
        .route("/__authmock__/{*rest}", any(unknown_control_path))
}

fn control(route: MethodRouter<JanrainApp>) -> MethodRouter<JanrainApp> {
    route.fallback(|method: Method, uri: Uri| async move {
        AdminError::MethodNotAllowed(format!("{method} is not served on {}", uri.path()))
    })
}

async fn unknown_control_path(uri: Uri) -> AdminError {
    AdminError::NotFound(format!(
        "no control route {}: a Janrain app's control API serves tenant, clock and outbox under /__authmock__/",
        uri.path()
    ))
}

/// What `authmock serve` prints and `GET /__authmock__/tenant` returns for a Capture app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JanrainSummary {
    pub provider: String,
    pub name: String,
    pub base_url: String,
    pub token_endpoint: String,
    pub clients: Vec<CaptureClient>,
    pub flow: Flow,
    pub users: Vec<RecordSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordSummary {
    pub uuid: String,
    pub email: String,
    /// The fixture's password until it changes; absent for social-only records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social_provider: Option<String>,
}

impl JanrainSummary {
    pub fn of(app: &JanrainApp) -> Self {
        let state = app.state();
        Self {
            provider: "janrain".into(),
            name: app.name().to_owned(),
            base_url: app.base_url().to_owned(),
            token_endpoint: format!("{}/oauth/token", app.base_url()),
            clients: state.clients.clone(),
            flow: state.flow.clone(),
            users: state
                .records
                .iter()
                .map(|r| RecordSummary {
                    uuid: r.uuid.clone(),
                    email: r.email.clone(),
                    password: r.fixture_password.clone(),
                    social_provider: r.social_provider.clone(),
                })
                .collect(),
        }
    }
}

#[tracing::instrument(skip_all)]
async fn summary(State(app): State<JanrainApp>) -> Json<JanrainSummary> {
    Json(JanrainSummary::of(&app))
}

#[tracing::instrument(skip_all)]
async fn clock_show(State(app): State<JanrainApp>) -> Json<ClockView> {
    Json(ClockView::of(app.clock()))
}

#[tracing::instrument(skip_all)]
async fn clock_change(
    State(app): State<JanrainApp>,
    AdminJson(change): AdminJson<ClockChange>,
) -> Result<Json<ClockView>, AdminError> {
    apply(app.clock(), change).map(Json)
}

#[tracing::instrument(skip_all)]
async fn outbox_list(State(app): State<JanrainApp>, Query(query): Query<ListQuery>) -> Response {
    Json(list_json(&app.state().outbox, &query)).into_response()
}

#[tracing::instrument(skip_all)]
async fn outbox_get(State(app): State<JanrainApp>, Path(id): Path<String>) -> Response {
    match app.state().outbox.get(&id) {
        Some(message) => Json(message).into_response(),
        None => AdminError::NotFound(format!("no message {id} in this app's outbox")).into_response(),
    }
}

#[tracing::instrument(skip_all)]
async fn outbox_clear(State(app): State<JanrainApp>) -> Json<serde_json::Value> {
    let deleted = app.state().outbox.clear();
    Json(json!({ "deleted": deleted }))
}
