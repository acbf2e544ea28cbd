//! The control API under `/__authmock__/` on each listener, scoped to that tenant or app.
//!
//! Every listener, Auth0 tenant or Janrain app, serves the same control routes ([`table`],
//! generic over [`Controlled`]): `clock`, `journal`, `faults`, `rate-limits`, `outbox`,
//! `reset`, `tenants` (runtime tenants, through the process's registry) and `openapi.json`.
//! Each provider adds its own `GET /__authmock__/tenant` summary (here for Auth0, in `janrain`
//! for Capture apps). The routers are built from the table only, so [`served_routes`] is what
//! is served. One file per resource; `error` is the control API's own error body, `auth` the
//! admin token. Depends on `core`, and on each provider's list of named errors and rate-limit
//! groups (through the [`Controlled`] impls below).

pub mod auth;
pub mod clock;
pub mod error;
pub mod faults;
pub mod janrain;
pub mod journal;
pub mod openapi;
pub mod outbox;
pub mod ratelimits;
pub mod reset;
pub mod tenants;

use axum::extract::State;
use axum::handler::Handler;
use axum::http::{Method, Uri};
use axum::routing::{MethodFilter, MethodRouter, any, on};
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
    into_router(auth0_table())
}

/// The Auth0 listener's control routes: the shared table plus the M2M token quotas.
fn auth0_table() -> Vec<ControlRoute<Tenant>> {
    use crate::auth0::quota;
    let mut routes = table::<Tenant>(route(Method::GET, "/__authmock__/tenant", tenant_summary));
    routes.extend([
        route(Method::GET, "/__authmock__/client-quotas", quota::list),
        route(Method::POST, "/__authmock__/client-quotas", quota::set),
        route(Method::DELETE, "/__authmock__/client-quotas", quota::clear),
    ]);
    routes
}

/// One control route: the method and path it is registered under, and its handler. The
/// routers are built from these tables and nothing else, so [`served_routes`] is exactly what
/// the listeners serve (the OpenAPI test walks it).
pub struct ControlRoute<S> {
    pub method: Method,
    pub path: &'static str,
    handler: MethodRouter<S>,
}

fn route<S, H, T>(method: Method, path: &'static str, handler: H) -> ControlRoute<S>
where
    H: Handler<T, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("control routes use standard methods");
    ControlRoute {
        method,
        path,
        handler: on(filter, handler),
    }
}

/// Every control route of a listener of provider `P`: the shared ones, then `summary` (the
/// provider's own `GET /__authmock__/tenant`).
pub fn table<P: Controlled>(summary: ControlRoute<P>) -> Vec<ControlRoute<P>> {
    vec![
        summary,
        route(Method::GET, "/__authmock__/openapi.json", openapi::document),
        route(Method::GET, "/__authmock__/clock", clock::show::<P>),
        route(Method::POST, "/__authmock__/clock", clock::change::<P>),
        route(Method::GET, "/__authmock__/journal", journal::list::<P>),
        route(Method::DELETE, "/__authmock__/journal", journal::clear::<P>),
        route(Method::GET, "/__authmock__/faults", faults::list::<P>),
        route(Method::POST, "/__authmock__/faults", faults::add::<P>),
        route(Method::DELETE, "/__authmock__/faults", faults::clear::<P>),
        route(Method::DELETE, "/__authmock__/faults/{id}", faults::remove::<P>),
        route(Method::GET, "/__authmock__/rate-limits", ratelimits::list::<P>),
        route(Method::POST, "/__authmock__/rate-limits", ratelimits::set::<P>),
        route(Method::DELETE, "/__authmock__/rate-limits", ratelimits::clear::<P>),
        route(Method::GET, "/__authmock__/outbox", outbox::list::<P>),
        route(Method::DELETE, "/__authmock__/outbox", outbox::clear::<P>),
        route(Method::GET, "/__authmock__/outbox/{id}", outbox::get::<P>),
        route(Method::POST, "/__authmock__/reset", reset::reset::<P>),
        route(Method::GET, "/__authmock__/tenants", tenants::list::<P>),
        route(Method::POST, "/__authmock__/tenants", tenants::create::<P>),
        route(Method::GET, "/__authmock__/tenants/{id}", tenants::get::<P>),
        route(Method::DELETE, "/__authmock__/tenants/{id}", tenants::delete::<P>),
    ]
}

/// Registers `table`: one axum route per path (its methods merged, other methods a 405), then
/// the JSON 404 for every other control path.
pub fn into_router<S: Clone + Send + Sync + 'static>(table: Vec<ControlRoute<S>>) -> Router<S> {
    let mut by_path: Vec<(&'static str, MethodRouter<S>)> = Vec::new();
    for entry in table {
        match by_path.iter_mut().find(|(path, _)| *path == entry.path) {
            Some((_, methods)) => *methods = std::mem::take(methods).merge(entry.handler),
            None => by_path.push((entry.path, entry.handler)),
        }
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(path, control(methods))
        })
        .route("/__authmock__/{*rest}", any(unknown_control_path))
}

/// `(method, path)` of every control route a listener serves, Auth0 tenants and Janrain apps
/// alike (the same table, with each provider's own summary route).
pub fn served_routes() -> Vec<(Method, &'static str)> {
    let auth0 = auth0_table();
    let capture = janrain::table();
    let mut served: Vec<(Method, &'static str)> = Vec::new();
    for entry in auth0
        .iter()
        .map(|r| (r.method.clone(), r.path))
        .chain(capture.iter().map(|r| (r.method.clone(), r.path)))
    {
        if !served.contains(&entry) {
            served.push(entry);
        }
    }
    served
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

#[utoipa::path(get, path = "/__authmock__/tenant", tag = "tenant",
    responses((status = 200, description = "This listener's seeded credentials and ids: `provider` is `auth0` (applications, APIs, connections, users) or `janrain` (API clients, flow, records)", body = Object)))]
#[tracing::instrument(skip_all)]
async fn tenant_summary(State(tenant): State<Tenant>) -> Json<TenantSummary> {
    Json(TenantSummary::of(&tenant))
}
