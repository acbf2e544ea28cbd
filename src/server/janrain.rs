//! The listener of a Janrain Capture app, and [`JanrainMock`] to embed one in a Rust test.
//!
//! Requests pass the same exchange layer as an Auth0 tenant's (faults → rate limit → provider
//! → journal → log line; `server::exchange`).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use super::{ListenerSettings, Registry, ServeError};
use crate::admin::tenants::Runtime;
use crate::core::clock::Clock;
use crate::core::tenant::TenantAddress;
use crate::janrain::{JanrainApp, JanrainFixture};
use crate::{admin, janrain};

/// The whole HTTP surface of one Capture app (provider routes and its control routes), served
/// by no process: runtime tenants answer 503. Router tests use it; listeners use
/// [`janrain_app_in`].
pub fn janrain_app(app: JanrainApp) -> Router {
    super::with_control(
        janrain::router().merge(admin::janrain::router()),
        app,
        Runtime::detached(),
        None,
    )
}

/// The whole HTTP surface of one Capture app served by `registry`'s process.
pub fn janrain_app_in(app: JanrainApp, registry: &Registry) -> Router {
    let token = registry.settings().admin_token.clone();
    super::with_control(
        janrain::router().merge(admin::janrain::router()),
        app,
        registry.runtime(),
        token,
    )
}

/// Binds `addr` and builds the fixture's app for the address actually bound; `tls` makes its
/// URLs (the emailed recovery links excepted, which are the client's) say `https`.
pub async fn bind_janrain(
    addr: SocketAddr,
    fixture: &JanrainFixture,
    clock: Clock,
    tls: bool,
) -> Result<(TcpListener, JanrainApp), ServeError> {
    let (listener, local) = super::listen(addr).await?;
    let address = if tls {
        TenantAddress::https(local)
    } else {
        TenantAddress::http(local)
    };
    let app = fixture.build(address, clock)?;
    Ok((listener, app))
}

/// A Janrain Capture app running in the background of a Rust test, on a free loopback port.
///
/// ```no_run
/// # async fn demo() {
/// let capture = authmock::JanrainMock::start().await;
/// let forgot = format!("{}/oauth/forgot_password_native", capture.uri());
/// # }
/// ```
pub struct JanrainMock {
    app: JanrainApp,
    /// Owns the runtime tenants created through this listener; dropped, it stops them.
    registry: Registry,
    _served: super::Background,
}

impl JanrainMock {
    /// Starts the embedded default Capture app.
    pub async fn start() -> Self {
        Self::start_with(&JanrainFixture::default_app())
            .await
            .expect("the default Janrain fixture serves on a free loopback port")
    }

    /// Starts an app from `fixture`.
    pub async fn start_with(fixture: &JanrainFixture) -> Result<Self, ServeError> {
        Self::serve(fixture, None).await
    }

    /// Starts an app from `fixture` serving HTTPS with a leaf of `authority`; its URLs say
    /// `https://127.0.0.1:<port>`.
    pub async fn start_tls(fixture: &JanrainFixture, authority: &crate::tls::Authority) -> Result<Self, ServeError> {
        Self::serve(fixture, Some(authority.server_config())).await
    }

    async fn serve(fixture: &JanrainFixture, tls: Option<Arc<rustls::ServerConfig>>) -> Result<Self, ServeError> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let (listener, app) = bind_janrain(addr, fixture, Clock::system(), tls.is_some()).await?;
        // Runtime tenants created through this listener serve the same transport.
        let registry = Registry::new(ListenerSettings {
            tls: tls.clone(),
            ..ListenerSettings::default()
        });
        let served = super::Background::serve(listener, janrain_app_in(app.clone(), &registry), tls);
        Ok(Self {
            app,
            registry,
            _served: served,
        })
    }

    /// The app's base URL, `http://127.0.0.1:<port>` (`https` with TLS).
    pub fn uri(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// The running app (its clock, state and outbox).
    pub fn app(&self) -> &JanrainApp {
        &self.app
    }

    /// The runtime tenants created through `POST /__authmock__/tenants` on this listener.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}
