//! What `authmock serve` prints and `GET /__authmock__/tenant` answers for a Capture app (the
//! app described with `"provider":"janrain"`).

use serde::{Deserialize, Serialize};

use super::JanrainApp;
use super::clients::CaptureClient;
use super::flow::Flow;
use crate::core::bounded::StoreSummary;
use crate::core::provider::control_banner;

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
    /// The bounded stores of this app: how full each is and what it dropped (caps:
    /// `docs/control-api.md`, "Bounded stores").
    #[serde(default)]
    pub stores: JanrainStores,
}

/// `stores` of the Capture app summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct JanrainStores {
    /// Records created at runtime (fixture records are not counted).
    pub runtime_records: StoreSummary,
    /// Recovery codes (used and expired ones included).
    pub codes: StoreSummary,
    pub access_tokens: StoreSummary,
    pub refresh_tokens: StoreSummary,
    /// Captured mail.
    pub outbox: StoreSummary,
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
            stores: JanrainStores {
                runtime_records: state.caps.records.summary(state.caps.runtime_records(&state.records)),
                codes: state.codes.summary(),
                access_tokens: state.caps.access_tokens.summary(state.access_tokens.len()),
                refresh_tokens: state.caps.refresh_tokens.summary(state.refresh_tokens.len()),
                outbox: StoreSummary {
                    len: state.outbox.len(),
                    capacity: crate::core::outbox::OUTBOX_LIMIT,
                    evicted: state.outbox.evicted(),
                    forgotten: 0,
                },
            },
        }
    }
}

impl JanrainSummary {
    /// The start-up banner of the Janrain Capture app.
    pub fn banner(&self) -> String {
        let summary = self;
        let mut out = String::new();
        out.push_str(&format!("authmock: Janrain Capture app `{}` listening\n", summary.name));
        out.push_str(&format!("  base URL              {}\n", summary.base_url));
        out.push_str(&format!("  token endpoint        {}\n", summary.token_endpoint));
        out.push_str(&format!(
            "  flow                  {} version {} ({})\n",
            summary.flow.name, summary.flow.version, summary.flow.locale
        ));
        out.push_str(&control_banner(&summary.base_url));
        out.push_str("  API clients\n");
        for client in &summary.clients {
            out.push_str(&format!("    {} ({})\n", client.name, client.features.join(" ")));
            out.push_str(&format!("      client_id      {}\n", client.client_id));
            out.push_str(&format!("      client_secret  {}\n", client.client_secret));
            if let Some(url) = &client.password_recover_url {
                out.push_str(&format!(
                    "      recover URL    {url} (codes live {} s)\n",
                    client.recover_code_lifetime
                ));
            }
        }
        out.push_str("  users\n");
        for user in &summary.users {
            out.push_str(&format!(
                "    {:<34} {}  password {}{}\n",
                user.email,
                user.uuid,
                user.password.as_deref().unwrap_or("-"),
                user.social_provider
                    .as_deref()
                    .map(|p| format!("  (social only: {p})"))
                    .unwrap_or_default()
            ));
        }
        out
    }
}
