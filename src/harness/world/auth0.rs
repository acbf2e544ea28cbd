//! The Auth0 part of a scenario's world: a fresh tenant (the default one, plus the harness's own
//! Management API application), its summary, what `auth0.*` operations are sent, and the
//! harness's Management API token once fetched, and the applications and grants the client
//! created through the Management API. Started by the first step that needs it
//! (`AuthWorld::auth0`), so a Janrain scenario never starts a tenant.

use std::collections::HashMap;

use tokio::sync::OnceCell;

use crate::Authmock;
use crate::auth0::{Fixture, TenantSummary};
use crate::harness::management;
use crate::harness::protocol::Auth0Provider;
use crate::harness::transport;

pub struct Auth0Part {
    pub idp: Authmock,
    pub summary: TenantSummary,
    /// What `auth0.*` operations are sent.
    pub provider: Auth0Provider,
    /// The Management API token of the harness's own application (`management`), fetched by
    /// the first step that needs it (`steps/management.rs`).
    pub harness_token: OnceCell<String>,
    /// The applications the client created (`auth0.create_client`), by name: the credentials
    /// it reported, which the harness then asks `/oauth/token` with.
    pub created_applications: HashMap<String, Credentials>,
    /// The grants the client created (`auth0.create_client_grant`), by application name and
    /// audience: the grant id it reported.
    pub created_grants: HashMap<(String, String), String>,
    /// The organizations the client created (`auth0.create_organization`), or the harness did,
    /// by name: the id the provider answered.
    pub created_organizations: HashMap<String, String>,
    /// The link of the last invitation the harness sent (`invitation_url`).
    pub invitation_url: Option<String>,
}

/// An application's client credentials, as the client under test reported them.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl Auth0Part {
    /// Starts the scenario's tenant on its own loopback port (over the run's TLS, if any) and
    /// reads its summary.
    pub(super) async fn start() -> anyhow::Result<Self> {
        // The default tenant, plus the application the harness's own steps use (`management`).
        let mut fixture = Fixture::default_auth0();
        fixture.clients.push(serde_json::from_value(management::application())?);
        let idp = match transport::current() {
            Some(tls) => Authmock::start_tls(&fixture, tls.authority()).await?,
            None => Authmock::start_with(&fixture).await?,
        };
        let summary = TenantSummary::of(idp.tenant());
        let provider = provider_for(&summary, "Backend service (M2M)").map_err(anyhow::Error::msg)?;
        Ok(Self {
            idp,
            summary,
            provider,
            harness_token: OnceCell::new(),
            created_applications: HashMap::new(),
            created_grants: HashMap::new(),
            created_organizations: HashMap::new(),
            invitation_url: None,
        })
    }

    /// Points the client at the application called `name`.
    pub fn use_application(&mut self, name: &str) -> Result<(), String> {
        let chosen = provider_for(&self.summary, name)?;
        self.provider.client_id = chosen.client_id;
        self.provider.client_secret = chosen.client_secret;
        Ok(())
    }

    pub fn user_id(&self, email: &str) -> Result<String, String> {
        self.summary
            .users
            .iter()
            .find(|u| u.email == email)
            .map(|u| u.user_id.clone())
            .ok_or_else(|| format!("the tenant has no user {email}"))
    }
}

fn provider_for(summary: &TenantSummary, application: &str) -> Result<Auth0Provider, String> {
    let app = summary
        .clients
        .iter()
        .find(|c| c.name == application)
        .ok_or_else(|| format!("the tenant has no application named {application:?}"))?;
    let login = summary
        .clients
        .iter()
        .find(|c| c.app_type == "regular_web")
        .ok_or("the tenant has no regular web application")?;
    let connection = summary
        .connections
        .first()
        .ok_or("the tenant has no database connection")?;
    Ok(Auth0Provider {
        base_url: summary.base_url.clone(),
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
        audience: summary.audience.clone(),
        connection_id: connection.id.clone(),
        connection: connection.name.clone(),
        login_client_id: login.client_id.clone(),
        login_client_secret: login.client_secret.clone(),
    })
}
