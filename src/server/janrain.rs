//! The listener of a Janrain Capture app, and [`JanrainMock`] to embed one in a Rust test.
//!
//! Requests pass the trace layer only: the journal/faults/rate-limit layer (`exchange`) is tied
//! to the Auth0 `Tenant` and does not serve Capture apps yet.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
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
        .with_state(app)
}

/// Binds `addr` and builds the fixture's app for the address actually bound.
pub async fn bind_janrain(
    addr: SocketAddr,
    fixture: &JanrainFixture,
    clock: Clock,
) -> Result<(TcpListener, JanrainApp), ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let mut local = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    if local.ip().is_unspecified() {
        local.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let app = fixture.build(TenantAddress::http(local), clock)?;
    Ok((listener, app))
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve_janrain(
    listener: TcpListener,
    app: JanrainApp,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, janrain_app(app))
        .with_graceful_shutdown(shutdown)
        .await
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
    shutdown: Option<oneshot::Sender<()>>,
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
        let (listener, app) = bind_janrain(addr, fixture, Clock::system()).await?;
        let (tx, rx) = oneshot::channel::<()>();
        let served = app.clone();
        tokio::spawn(async move {
            let stopped = async {
                let _ = rx.await;
            };
            if let Err(err) = serve_janrain(listener, served, stopped).await {
                tracing::error!(%err, "embedded Janrain app stopped");
            }
        });
        Ok(Self {
            app,
            shutdown: Some(tx),
        })
    }

    /// The app's base URL, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        self.app.base_url().to_owned()
    }

    /// The running app (its clock, state and outbox).
    pub fn app(&self) -> &JanrainApp {
        &self.app
    }
}

impl Drop for JanrainMock {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
