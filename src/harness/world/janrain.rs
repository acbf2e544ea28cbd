//! The Janrain part of a scenario's world: a fresh Capture app (the default one), its summary,
//! and what `janrain.*` operations are sent (the login client, the flow and its forms, the API
//! client). Started by the first step that needs it (`AuthWorld::janrain`), so an Auth0 scenario
//! never starts an app.

use crate::JanrainMock;
use crate::harness::protocol::{JanrainForm, JanrainForms, JanrainProvider};
use crate::harness::transport;
use crate::janrain::{CHANGE_PASSWORD_FORM, FORGOT_PASSWORD_FORM, JanrainFixture, JanrainSummary, SIGN_IN_FORM};

pub struct JanrainPart {
    pub capture: JanrainMock,
    pub summary: JanrainSummary,
    /// What `janrain.*` operations are sent.
    pub provider: JanrainProvider,
}

impl JanrainPart {
    /// Starts the scenario's Capture app on its own loopback port (over the run's TLS, if any)
    /// and reads its summary.
    pub(super) async fn start() -> anyhow::Result<Self> {
        Self::start_with(JanrainFixture::default_app()).await
    }

    /// The same, seeded from `fixture`.
    pub(super) async fn start_with(fixture: JanrainFixture) -> anyhow::Result<Self> {
        let capture = match transport::current() {
            Some(tls) => JanrainMock::start_tls(&fixture, tls.authority()).await?,
            None => JanrainMock::start_with(&fixture).await?,
        };
        let summary = JanrainSummary::of(capture.tenant());
        let provider = janrain_provider_for(&summary, "Web login client").map_err(anyhow::Error::msg)?;
        Ok(Self {
            capture,
            summary,
            provider,
        })
    }

    /// The name of the login client the client under test uses.
    pub fn client_name(&self) -> Result<String, String> {
        self.summary
            .clients
            .iter()
            .find(|c| c.client_id == self.provider.client_id)
            .map(|c| c.name.clone())
            .ok_or_else(|| "the client's login client is not in the Janrain app".into())
    }
}

/// The Janrain connection details for the login client called `name`.
pub fn janrain_provider_for(summary: &JanrainSummary, name: &str) -> Result<JanrainProvider, String> {
    let client = summary
        .clients
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("the Janrain app has no API client named {name:?}"))?;
    let forms = &summary.flow.forms;
    // The Entity API's client: the app's first API client that may write records.
    let api_client = summary
        .clients
        .iter()
        .find(|c| c.features.iter().any(|f| f == "owner" || f == "direct_access"));
    let form = |name: &str| JanrainForm {
        name: name.to_owned(),
        email_field: None,
        password_field: None,
        confirm_field: None,
    };
    Ok(JanrainProvider {
        base_url: summary.base_url.clone(),
        client_id: client.client_id.clone(),
        client_secret: client.client_secret.clone(),
        flow: summary.flow.name.clone(),
        flow_version: summary.flow.version.clone(),
        locale: summary.flow.locale.clone(),
        redirect_uri: client
            .password_recover_url
            .clone()
            .unwrap_or_else(|| format!("{}/", summary.base_url)),
        forms: JanrainForms {
            forgot_password: JanrainForm {
                email_field: Some(forms.forgot_password.email_field.clone()),
                ..form(FORGOT_PASSWORD_FORM)
            },
            change_password: JanrainForm {
                password_field: Some(forms.change_password.password_field.clone()),
                confirm_field: Some(forms.change_password.confirm_field.clone()),
                ..form(CHANGE_PASSWORD_FORM)
            },
            sign_in: JanrainForm {
                email_field: Some(forms.sign_in.email_field.clone()),
                password_field: Some(forms.sign_in.password_field.clone()),
                ..form(SIGN_IN_FORM)
            },
        },
        api_client_id: api_client.map(|c| c.client_id.clone()),
        api_client_secret: api_client.map(|c| c.client_secret.clone()),
    })
}

/// The Janrain app a migration scenario exports (`features/migration/`): the default app, its
/// schema with `password` and `deactivateAccount`, and a user for each parity check (facts
/// `migration.md` §5): Carol verified (bcrypt), Dave unverified, Erin social-only, Frank with a
/// `password-sha-256` hash, Grace deactivated, and Heidi twice, as entered and as a second record
/// whose address differs only in case and a leading space.
pub fn migration_fixture() -> Result<JanrainFixture, String> {
    let mut fixture: serde_json::Value = serde_json::from_str(include_str!("../../../fixtures/janrain-app.json"))
        .map_err(|e| format!("the embedded Janrain fixture: {e}"))?;
    let attributes = fixture["entity_type"]["attributes"]
        .as_array_mut()
        .ok_or("the embedded Janrain fixture has no entity_type.attributes")?;
    attributes.push(serde_json::json!({"name": "password", "type": "password"}));
    attributes.push(serde_json::json!({"name": "deactivateAccount", "type": "dateTime"}));
    let users = fixture["users"]
        .as_array_mut()
        .ok_or("the embedded Janrain fixture has no users")?;
    if let Some(carol) = users.iter_mut().find(|u| u["email"] == "carol@example.com") {
        carol["attributes"] = serde_json::json!({"emailVerified": "2025-05-08 10:06:56 +0000"});
    }
    users.extend(serde_json::from_str::<Vec<serde_json::Value>>(MIGRATION_USERS).map_err(|e| e.to_string())?);
    JanrainFixture::from_value(fixture).map_err(|e| format!("the migration fixture: {e}"))
}

/// The users `migration_fixture` adds. Frank's hash is the hex SHA-256 of `Frank-Password-1`.
const MIGRATION_USERS: &str = r#"[
  {"uuid": "f4a1c3e2-7b5d-4e69-a8c0-2d9b1e6f3a71", "email": "frank@example.com", "password": null,
   "password_hash": {"type": "password-sha-256", "value": "915ff9fd3c07a926ac15a6abf8f4069a41ee865c61e44c25fa62799f272f9caf"},
   "givenName": "Frank", "familyName": "Hash", "displayName": "Frank Hash",
   "attributes": {"emailVerified": "2024-02-01 08:00:00 +0000"}},
  {"uuid": "9c2e5b18-4d7a-4f30-b6e1-8a3c0d5f2e94", "email": "grace@example.com", "password": "Grace-Password-1",
   "givenName": "Grace", "familyName": "Gone", "displayName": "Grace Gone",
   "attributes": {"deactivateAccount": "2025-06-01 09:00:00 +0000"}},
  {"uuid": "2b7d9e41-6c3a-4a85-9f02-5e1b8c7d3a60", "email": "Heidi.Case@Example.com", "password": "Heidi-Password-1",
   "givenName": "Heidi", "familyName": "Case", "displayName": "Heidi Case"},
  {"uuid": "7e3f0a92-1b6c-4d58-8e27-c4a9d2b5f013", "email": " heidi.case@example.com", "password": "Heidi-Old-Password-1",
   "givenName": "Heidi", "familyName": "Case", "displayName": "Heidi Case (old)"}
]"#;
