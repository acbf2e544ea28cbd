//! The control API under `/__authmock__/` on each tenant's listener, scoped to that tenant.
//!
//! `GET /__authmock__/tenant`: the seeded credentials and ids, so a test or a person can
//! start without reading fixtures. Then one file per resource: `clock`, `journal`, `faults`,
//! `outbox`, `reset`, `ratelimits`; `error` is the control API's own error body. Depends on `core`, and on
//! `auth0::error` for the provider error names a fault rule may use.

pub mod clock;
pub mod error;
pub mod faults;
pub mod janrain;
pub mod journal;
pub mod outbox;
pub mod ratelimits;
pub mod reset;

use axum::extract::State;
use axum::http::{Method, Uri};
use axum::routing::{MethodRouter, any, delete, get, post};
use axum::{Json, Router};
use serde::Serialize;

use crate::core::tenant::{MANAGEMENT_API, Tenant};
use error::AdminError;

pub fn router() -> Router<Tenant> {
    Router::new()
        .route("/__authmock__/tenant", control(get(tenant_summary)))
        .route("/__authmock__/clock", control(get(clock::show).post(clock::change)))
        .route(
            "/__authmock__/journal",
            control(get(journal::list).delete(journal::clear)),
        )
        .route(
            "/__authmock__/faults",
            control(get(faults::list).post(faults::add).delete(faults::clear)),
        )
        .route("/__authmock__/faults/{id}", control(delete(faults::remove)))
        .route("/__authmock__/outbox", control(get(outbox::list).delete(outbox::clear)))
        .route("/__authmock__/outbox/{id}", control(get(outbox::get)))
        .route("/__authmock__/reset", control(post(reset::reset)))
        .route(
            "/__authmock__/rate-limits",
            control(get(ratelimits::list).post(ratelimits::set).delete(ratelimits::clear)),
        )
        .route("/__authmock__/{*rest}", any(unknown_control_path))
}

/// A control route answers other methods with its own 405, never the provider's 404.
fn control(route: MethodRouter<Tenant>) -> MethodRouter<Tenant> {
    route.fallback(|method: Method, uri: Uri| async move {
        AdminError::MethodNotAllowed(format!("{method} is not served on {}", uri.path()))
    })
}

async fn unknown_control_path(uri: Uri) -> AdminError {
    AdminError::NotFound(format!(
        "no control route {}: the control API serves tenant, clock, journal, faults, outbox, reset and rate-limits \
         under /__authmock__/",
        uri.path()
    ))
}

/// What `authmock serve` prints and `GET /__authmock__/tenant` returns.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TenantSummary {
    pub provider: String,
    pub name: String,
    pub base_url: String,
    pub issuer: String,
    pub audience: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub login: String,
    pub clients: Vec<ClientSummary>,
    pub apis: Vec<ApiSummary>,
    pub connections: Vec<ConnectionSummary>,
    pub users: Vec<UserSummary>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ClientSummary {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub app_type: String,
    pub grant_types: Vec<String>,
    /// Scopes granted per API identifier (the Management API under its real audience).
    pub grants: Vec<GrantSummary>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct GrantSummary {
    pub audience: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ApiSummary {
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ConnectionSummary {
    pub id: String,
    pub name: String,
    pub strategy: String,
    pub password_policy: crate::core::password::PasswordPolicy,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct UserSummary {
    pub user_id: String,
    pub email: String,
    pub connection: String,
    pub email_verified: bool,
    pub blocked: bool,
    /// The fixture's password, until it is changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl TenantSummary {
    pub fn of(tenant: &Tenant) -> Self {
        let state = tenant.state();
        let audience = tenant.management_audience();
        let issuer = tenant.issuer();
        Self {
            provider: "auth0".into(),
            name: tenant.name().to_owned(),
            base_url: tenant.base_url().to_owned(),
            token_endpoint: format!("{issuer}oauth/token"),
            jwks_uri: format!("{issuer}.well-known/jwks.json"),
            issuer,
            login: format!("{:?}", state.login).to_lowercase(),
            clients: state
                .clients
                .iter()
                .map(|c| ClientSummary {
                    name: c.name.clone(),
                    client_id: c.client_id.clone(),
                    client_secret: c.client_secret.clone(),
                    app_type: c.app_type.clone(),
                    grant_types: c.grant_types.clone(),
                    grants: state
                        .grants
                        .iter()
                        .filter(|g| g.client_id == c.client_id)
                        .map(|g| GrantSummary {
                            audience: if g.audience == MANAGEMENT_API {
                                audience.clone()
                            } else {
                                g.audience.clone()
                            },
                            scopes: g.scopes.clone(),
                        })
                        .collect(),
                })
                .collect(),
            apis: state
                .apis
                .iter()
                .map(|a| ApiSummary {
                    identifier: a.identifier.clone(),
                    name: a.name.clone(),
                    scopes: a.scopes.clone(),
                })
                .collect(),
            connections: state
                .connections
                .iter()
                .map(|c| ConnectionSummary {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    strategy: c.strategy.clone(),
                    password_policy: c.password_policy,
                })
                .collect(),
            users: state
                .users
                .iter()
                .map(|u| UserSummary {
                    user_id: u.user_id.clone(),
                    email: u.email.clone(),
                    connection: u.connection.clone(),
                    email_verified: u.email_verified,
                    blocked: u.blocked,
                    password: u.fixture_password.clone(),
                })
                .collect(),
            audience,
        }
    }
}

#[tracing::instrument(skip_all)]
async fn tenant_summary(State(tenant): State<Tenant>) -> Json<TenantSummary> {
    Json(TenantSummary::of(&tenant))
}
