//! The listener of a Janrain Capture app, and [`JanrainMock`] to embed one in a Rust test.
//!
//! Requests pass the same exchange layer as an Auth0 tenant's (faults → rate limit → provider
//! → journal → log line; `server::exchange`).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use super::ServeError;
use crate::core::clock::Clock;
use crate::core::tenant::TenantAddress;
use crate::janrain::{JanrainApp, JanrainFixture};
use crate::{admin, janrain};

/// The whole HTTP surface of one Capture app (provider routes and its control routes).
pub fn janrain_app(app: JanrainApp) -> Router {
    janrain::router()
        .merge(admin::janrain::router())
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn_with_state(
            app.clone(),
            super::exchange::record::<JanrainApp>,
        ))
        .with_state(app)
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

/// Serves `app` on `listener` (over TLS with `tls`) until `shutdown` resolves.
pub async fn serve_janrain(
    listener: TcpListener,
    app: JanrainApp,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    super::serve_router(listener, janrain_app(app), tls, shutdown).await
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
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let (listener, app) = bind_janrain(addr, fixture, Clock::system(), false).await?;
        let served = super::Background::serve(listener, janrain_app(app.clone()), None);
        Ok(Self { app, _served: served })
    }

    /// Starts an app from `fixture` serving HTTPS with a leaf of `authority`; its URLs say
    /// `https://127.0.0.1:<port>`.
    pub async fn start_tls(fixture: &JanrainFixture, authority: &crate::tls::Authority) -> Result<Self, ServeError> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let (listener, app) = bind_janrain(addr, fixture, Clock::system(), true).await?;
        let served = super::Background::serve(listener, janrain_app(app.clone()), Some(authority.server_config()));
        Ok(Self { app, _served: served })
    }

    /// The app's base URL, `http://127.0.0.1:<port>` (`https` with TLS).
    pub fn uri(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// The running app (its clock, state and outbox).
    pub fn app(&self) -> &JanrainApp {
        &self.app
    }
}
