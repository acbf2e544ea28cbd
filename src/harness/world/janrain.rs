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
        let capture = match transport::current() {
            Some(tls) => JanrainMock::start_tls(&JanrainFixture::default_app(), tls.authority()).await?,
            None => JanrainMock::start().await,
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
