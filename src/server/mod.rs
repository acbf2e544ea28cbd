//! Listeners: one per tenant, bound to loopback unless told otherwise, plus the embedding API.
//!
//! Written once against [`Provider`]: [`app`] is the whole HTTP surface of one tenant (provider
//! routes and the control API), usable without a socket in router tests; [`Mock`] starts a
//! tenant of any provider on a free loopback port for Rust tests; [`Registry`] holds the
//! runtime tenants of a process. Depends on `admin` and `core`; the providers are listed in
//! `server::registry`, the one place outside their folders that names them.

pub(crate) mod exchange;
mod listener;
mod registry;

pub(crate) use listener::Background;
pub use listener::{ServeError, bind, serve_router};
pub use registry::{ListenerSettings, Registry};

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;

use crate::admin::tenants::Runtime;
use crate::core::clock::Clock;
use crate::core::provider::Provider;

/// The whole HTTP surface of one tenant, served by no process: runtime tenants
/// (`/__authmock__/tenants`) answer 503. Router tests use it; listeners use [`app_in`].
pub fn app<P: Provider>(tenant: P) -> Router {
    listener::app_with(tenant, Runtime::detached(), None)
}

/// The whole HTTP surface of one tenant served by `registry`'s process. Every request to the
/// provider routes passes through the exchange layer (`server::exchange`); control-API
/// requests do not.
pub fn app_in<P: Provider>(tenant: P, registry: &Registry) -> Router {
    let token = registry.settings().admin_token.clone();
    listener::app_with(tenant, registry.runtime(), token)
}

/// A tenant of provider `P` running in the background of a Rust test, on a free loopback
/// port (`authmock::Authmock` for Auth0, `authmock::JanrainMock` for Janrain).
///
/// ```no_run
/// # async fn demo() {
/// let idp = authmock::Authmock::start().await;
/// let token_url = format!("{}/oauth/token", idp.uri());
/// # }
/// ```
pub struct Mock<P: Provider> {
    tenant: P,
    /// Owns the runtime tenants created through this listener; dropped, it stops them.
    registry: Registry,
    _served: Background,
}

impl<P: Provider> Mock<P> {
    /// Starts the provider's embedded default tenant.
    pub async fn start() -> Self {
        Self::start_with(&P::default_fixture())
            .await
            .expect("the default fixture serves on a free loopback port")
    }

    /// Starts a tenant from `fixture`.
    pub async fn start_with(fixture: &P::Fixture) -> Result<Self, ServeError> {
        Self::serve(fixture, None).await
    }

    /// Starts a tenant from `fixture` serving HTTPS with a leaf of `authority`; its URLs (issuer,
    /// audience, ticket links) say `https://127.0.0.1:<port>`.
    pub async fn start_tls(fixture: &P::Fixture, authority: &crate::tls::Authority) -> Result<Self, ServeError> {
        Self::serve(fixture, Some(authority.server_config())).await
    }

    async fn serve(fixture: &P::Fixture, tls: Option<Arc<rustls::ServerConfig>>) -> Result<Self, ServeError> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let (listener, tenant) = bind::<P>(addr, fixture, Clock::system(), tls.is_some()).await?;
        // Runtime tenants created through this listener serve the same transport.
        let registry = Registry::new(ListenerSettings {
            tls: tls.clone(),
            ..ListenerSettings::default()
        });
        let served = Background::serve(listener, app_in(tenant.clone(), &registry), tls);
        Ok(Self {
            tenant,
            registry,
            _served: served,
        })
    }

    /// The tenant's base URL, `http://127.0.0.1:<port>` (`https` with TLS).
    pub fn uri(&self) -> String {
        self.tenant.base_url().to_owned()
    }

    /// The running tenant (its clock, state and outbox).
    pub fn tenant(&self) -> &P {
        &self.tenant
    }

    /// The runtime tenants created through `POST /__authmock__/tenants` on this listener.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}
