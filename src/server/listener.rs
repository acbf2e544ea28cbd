//! Serving one tenant: binding its port, building its router with the layers every listener has
//! (trace, the exchange layer, the runtime-tenant handle, the admin token), and the background
//! task that serves it until its handle is dropped or stopped. The registry and the embedding
//! API (`mod.rs`) both start listeners through here.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::middleware;
use axum::{Extension, Router};
use axum_server::tls_rustls::RustlsConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::trace::TraceLayer;

use crate::admin;
use crate::admin::tenants::Runtime;
use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::peer::PeerAddr;
use crate::core::provider::{Provider, SeedFailure};
use crate::server::exchange;

/// Why a tenant could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Seed(SeedFailure),
}

/// The layers every listener has: trace, the exchange layer, the registry handle for runtime
/// tenants, and (outermost) the admin-token check when set.
pub(crate) fn app_with<P: Provider>(tenant: P, runtime: Runtime, admin_token: Option<Arc<str>>) -> Router {
    // The exchange layer wraps the provider's routes only: the control API is not the
    // provider's traffic (no faults, no rate limits, no journal entry).
    let provider = tenant
        .router()
        .layer(middleware::from_fn_with_state(tenant.clone(), exchange::record::<P>));
    let router = provider
        .merge(admin::router::<P>())
        .layer(TraceLayer::new_for_http())
        .layer(Extension(runtime));
    let router = match admin_token {
        Some(token) => router.layer(middleware::from_fn_with_state(token, admin::auth::require_token)),
        None => router,
    };
    router.with_state(tenant)
}

/// Binds `addr` and builds the fixture's tenant for the address actually bound (port 0 picks a
/// free port; the tenant's URLs then name the real one). With `tls`, its URLs say `https`.
pub async fn bind<P: Provider>(
    addr: SocketAddr,
    fixture: &P::Fixture,
    clock: Clock,
    tls: bool,
) -> Result<(TcpListener, P), ServeError> {
    let (listener, local) = listen(addr).await?;
    let address = if tls {
        TenantAddress::https(local)
    } else {
        TenantAddress::http(local)
    };
    let tenant = P::build(fixture, address, clock).map_err(ServeError::Seed)?;
    Ok((listener, tenant))
}

/// Binds `addr`; returns the listener and the address to advertise.
pub(crate) async fn listen(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let mut local = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    if local.ip().is_unspecified() {
        // Listening on every interface: advertise loopback, which is always reachable here.
        local.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    Ok((listener, local))
}

/// Serves any listener's router ([`app_in`]), over TLS when `tls` is given; open TLS connections get a
/// second to finish after `shutdown` resolves.
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (closed, _) = oneshot::channel();
    serve_until_closed(listener, router, tls, shutdown, closed).await
}

/// [`serve_router`]; `closed` is dropped as soon as the port stops accepting (over TLS, when
/// the server has stopped).
async fn serve_until_closed(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    closed: oneshot::Sender<()>,
) -> std::io::Result<()> {
    let Some(config) = tls else {
        let listener = Closing {
            inner: listener,
            _closed: closed,
        };
        // Every request learns its connection's peer (`core::peer`): attack protection counts
        // failed logins against the caller's own address.
        return axum::serve(listener, router.into_make_service_with_connect_info::<PeerAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
    };
    let _closed = closed;
    let listener = listener.into_std()?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(1)));
    });
    axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(config))?
        .handle(handle)
        .serve(router.into_make_service_with_connect_info::<PeerAddr>())
        .await
}

/// A TCP listener that drops `_closed` with itself: axum drops the listener the moment a
/// graceful shutdown stops accepting, so the port is closed when the receiver resolves.
struct Closing {
    inner: TcpListener,
    _closed: oneshot::Sender<()>,
}

/// The plain listener's connections record their remote address (`core::peer`).
impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Closing>> for PeerAddr {
    fn connect_info(stream: axum::serve::IncomingStream<'_, Closing>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl axum::serve::Listener for Closing {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    fn accept(&mut self) -> impl std::future::Future<Output = (Self::Io, Self::Addr)> + Send {
        axum::serve::Listener::accept(&mut self.inner)
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// How long [`Background::stop`] waits for the port to close (a TLS server lets open
/// connections finish for up to a second first).
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// A listener served on a background task until this handle is dropped or stopped.
pub(crate) struct Background {
    stop: Option<oneshot::Sender<()>>,
    /// Resolves (with an error) once the port no longer accepts connections.
    closed: Option<oneshot::Receiver<()>>,
}

impl Background {
    pub(crate) fn serve(listener: TcpListener, router: Router, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let (tx, rx) = oneshot::channel::<()>();
        let (closed_tx, closed_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let stopped = async {
                let _ = rx.await;
            };
            if let Err(err) = serve_until_closed(listener, router, tls, stopped, closed_tx).await {
                tracing::error!(%err, "embedded listener stopped");
            }
        });
        Self {
            stop: Some(tx),
            closed: Some(closed_rx),
        }
    }

    /// Stops accepting and resolves once the port is closed (open connections finish on
    /// their own).
    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(closed) = self.closed.take() {
            let _ = tokio::time::timeout(STOP_WAIT, closed).await;
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
