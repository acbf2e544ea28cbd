//! The Janrain Capture app's own control route: `GET /__authmock__/tenant` (the app described
//! with `"provider":"janrain"`). Every other control route (clock, journal, faults,
//! rate-limits, outbox, reset, tenants, openapi.json) is the shared [`super::table`].

use axum::extract::State;
use axum::http::Method;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::ControlRoute;
use crate::janrain::app::{CaptureClient, Flow, JanrainApp};

/// The control API of a Capture app's listener.
pub fn router() -> Router<JanrainApp> {
    super::into_router(table())
}

/// Every control route of a Capture app's listener.
pub fn table() -> Vec<ControlRoute<JanrainApp>> {
    super::table(super::route(Method::GET, "/__authmock__/tenant", summary))
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
