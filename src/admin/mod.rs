//! The control API under `/__authmock__/` on each listener, scoped to that tenant.
//!
//! Every listener, whatever its provider, serves the same control routes ([`table`], generic
//! over [`Provider`]): `tenant`, `clock`, `journal`, `faults`, `rate-limits`, `outbox`, `reset`,
//! `tenants` (runtime tenants, through the process's registry) and `openapi.json`. The routers
//! are built from the table only, so [`served_routes`] is what is served. One file per
//! resource; `error` is the control API's own error body, `auth` the admin token. Depends on
//! `core` only: what differs between providers comes through the trait. The console
//! (`console`, `GET /__authmock__/ui`) is a page over these routes, served beside them.

pub(crate) mod auth;
pub(crate) mod clock;
pub(crate) mod console;
pub(crate) mod faults;
pub(crate) mod health;
pub(crate) mod journal;
pub(crate) mod openapi;
pub(crate) mod outbox;
pub(crate) mod ratelimits;
pub(crate) mod reset;
pub(crate) mod summary;
pub(crate) mod tenants;

use axum::Router;
use axum::http::{Method, Uri};
use axum::routing::{MethodRouter, any, get};

pub(crate) use crate::core::control_error as error;
use crate::core::provider::{ControlRoute, Provider, control_route as route};
use error::AdminError;

/// The control API of a listener of provider `P`.
pub fn router<P: Provider>() -> Router<P> {
    into_router(table::<P>()).merge(console_router())
}

/// The console's page and files (`console`), beside the control routes and outside their table:
/// they are not part of the JSON API `openapi.json` describes.
fn console_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(console::PAGE, control(get(console::page)))
        .route(console::SCRIPT, control(get(console::script)))
        .route(console::STYLE, control(get(console::style)))
}

/// Every control route of a listener of provider `P`.
pub fn table<P: Provider>() -> Vec<ControlRoute<P>> {
    let mut shared = vec![
        route(Method::GET, "/__authmock__/tenant", summary::show::<P>),
        route(Method::GET, "/__authmock__/openapi.json", openapi::document::<P>),
        route(Method::GET, health::PATH, health::show::<P>),
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
    ];
    shared.extend(P::control_routes());
    shared
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

/// `(method, path)` of every control route a listener serves: one table for every provider.
pub fn served_routes<P: Provider>() -> Vec<(Method, &'static str)> {
    table::<P>().iter().map(|r| (r.method.clone(), r.path)).collect()
}

/// A control route answers other methods with its own 405, never the provider's 404.
pub(crate) fn control<S: Clone + Send + Sync + 'static>(route: MethodRouter<S>) -> MethodRouter<S> {
    route.fallback(|method: Method, uri: Uri| async move {
        AdminError::MethodNotAllowed(format!("{method} is not served on {}", uri.path()))
    })
}

async fn unknown_control_path(uri: Uri) -> AdminError {
    AdminError::NotFound(format!(
        "no control route {}: the control API serves health, tenant, tenants, clock, journal, faults, outbox, reset and \
         rate-limits under /__authmock__/",
        uri.path()
    ))
}
