//! The control API under `/__authmock__/` on each listener, scoped to that tenant or app.
//!
//! Every listener, Auth0 tenant or Janrain app, serves the same control routes
//! ([`control_routes`], generic over [`Controlled`]): `clock`, `journal`, `faults`,
//! `rate-limits`, `outbox`, `reset`, and `tenants` (runtime tenants, through the process's
//! registry). Each provider adds its own `GET /__authmock__/tenant`
//! summary (here for Auth0, in `janrain` for Capture apps). One file per resource; `error` is
//! the control API's own error body. Depends on `core`, and on each provider's list of named
//! errors and rate-limit groups (through the [`Controlled`] impls at the bottom).

pub mod auth;
pub mod clock;
pub mod error;
pub mod faults;
pub mod janrain;
pub mod journal;
pub mod outbox;
pub mod ratelimits;
pub mod reset;
pub mod tenants;

use axum::extract::State;
use axum::http::{Method, Uri};
use axum::routing::{MethodRouter, any, delete, get, post};
use axum::{Json, Router};
use serde::Serialize;

use crate::core::clock::Clock;
use crate::core::control::Control;
use crate::core::outbox::Outbox;
use crate::core::tenant::{MANAGEMENT_API, Tenant};
use crate::janrain::JanrainApp;
use error::AdminError;

/// What the control API needs from a listener's provider state (an Auth0 `Tenant` or a Janrain
/// `JanrainApp`): its control bundle, clock, outbox, a way back to its seed, and the names its
/// fault rules and rate limits may use.
pub trait Controlled: Clone + Send + Sync + 'static {
    /// `auth0` or `janrain`, as summaries and errors name the provider.
    const PROVIDER: &'static str;
    fn control(&self) -> &Control;
    fn clock(&self) -> &Clock;
    /// Runs `f` on the outbox (under the provider's state lock: keep it short).
    fn with_outbox<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R;
    /// Back to the seed; the error text says why the seed no longer builds.
    fn reset(&self) -> Result<(), String>;
    /// Provider errors a fault rule may inject by name (`"error": "auth0.rate_limited"`).
    fn error_names(&self) -> &'static [&'static str];
    /// Endpoint groups a rate-limit bucket may be set on.
    fn rate_limit_groups(&self) -> &'static [&'static str];
}

impl Controlled for Tenant {
    const PROVIDER: &'static str = "auth0";

    fn control(&self) -> &Control {
        Tenant::control(self)
    }

    fn clock(&self) -> &Clock {
        Tenant::clock(self)
    }

    fn with_outbox<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R {
        f(&mut self.state().outbox)
    }

    fn reset(&self) -> Result<(), String> {
        Tenant::reset(self).map_err(|e| e.to_string())
    }

    fn error_names(&self) -> &'static [&'static str] {
        crate::auth0::error::NAMED_ERRORS
    }

    fn rate_limit_groups(&self) -> &'static [&'static str] {
        crate::auth0::ratelimit::GROUPS
    }
}

impl Controlled for JanrainApp {
    const PROVIDER: &'static str = "janrain";

    fn control(&self) -> &Control {
        JanrainApp::control(self)
    }

    fn clock(&self) -> &Clock {
        JanrainApp::clock(self)
    }

    fn with_outbox<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> R {
        f(&mut self.state().outbox)
    }

    fn reset(&self) -> Result<(), String> {
        JanrainApp::reset(self).map_err(|e| e.to_string())
    }

    fn error_names(&self) -> &'static [&'static str] {
        crate::janrain::error::NAMED_ERRORS
    }

    fn rate_limit_groups(&self) -> &'static [&'static str] {
        crate::janrain::ratelimit::GROUPS
    }
}

/// The control API of an Auth0 tenant's listener.
pub fn router() -> Router<Tenant> {
    control_routes::<Tenant>().route("/__authmock__/tenant", control(get(tenant_summary)))
}

/// The routes every listener serves, whatever its provider. Each `(path, route)` pair is
/// registered here once.
pub fn control_routes<P: Controlled>() -> Router<P> {
    Router::new()
        .route(
            "/__authmock__/clock",
            control(get(clock::show::<P>).post(clock::change::<P>)),
        )
        .route(
            "/__authmock__/journal",
            control(get(journal::list::<P>).delete(journal::clear::<P>)),
        )
        .route(
            "/__authmock__/faults",
            control(get(faults::list::<P>).post(faults::add::<P>).delete(faults::clear::<P>)),
        )
        .route("/__authmock__/faults/{id}", control(delete(faults::remove::<P>)))
        .route(
            "/__authmock__/outbox",
            control(get(outbox::list::<P>).delete(outbox::clear::<P>)),
        )
        .route("/__authmock__/outbox/{id}", control(get(outbox::get::<P>)))
        .route("/__authmock__/reset", control(post(reset::reset::<P>)))
        .route(
            "/__authmock__/tenants",
            control(get(tenants::list::<P>).post(tenants::create::<P>)),
        )
        .route(
            "/__authmock__/tenants/{id}",
            control(get(tenants::get::<P>).delete(tenants::delete::<P>)),
        )
        .route(
            "/__authmock__/rate-limits",
            control(
                get(ratelimits::list::<P>)
                    .post(ratelimits::set::<P>)
                    .delete(ratelimits::clear::<P>),
            ),
        )
        .route("/__authmock__/{*rest}", any(unknown_control_path))
}

/// A control route answers other methods with its own 405, never the provider's 404.
pub(crate) fn control<S: Clone + Send + Sync + 'static>(route: MethodRouter<S>) -> MethodRouter<S> {
    route.fallback(|method: Method, uri: Uri| async move {
        AdminError::MethodNotAllowed(format!("{method} is not served on {}", uri.path()))
    })
}

async fn unknown_control_path(uri: Uri) -> AdminError {
    AdminError::NotFound(format!(
        "no control route {}: the control API serves tenant, tenants, clock, journal, faults, outbox, reset and \
         rate-limits under /__authmock__/",
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
