//! Listeners: one per tenant, bound to loopback unless told otherwise, plus the embedding API.
//!
//! Written once against [`Provider`]: [`app`] is the whole HTTP surface of one tenant (provider
//! routes and the control API), usable without a socket in router tests; [`Mock`] starts a
//! tenant of any provider on a free loopback port for Rust tests; [`Registry`] holds the
//! runtime tenants of a process. Depends on `admin` and `core`; the providers are listed in
//! `server::registry`, the one place outside their folders that names them.

pub(crate) mod exchange;
mod registry;

pub use registry::{ListenerSettings, Registry};

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
use crate::core::provider::{Provider, SeedFailure};

/// Why a tenant could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Seed(SeedFailure),
}

/// The whole HTTP surface of one tenant, served by no process: runtime tenants
/// (`/__authmock__/tenants`) answer 503. Router tests use it; listeners use [`app_in`].
pub fn app<P: Provider>(tenant: P) -> Router {
    with_control(tenant, Runtime::detached(), None)
}

/// The whole HTTP surface of one tenant served by `registry`'s process. Every request to the
/// provider routes passes through the exchange layer (`server::exchange`); control-API
/// requests do not.
pub fn app_in<P: Provider>(tenant: P, registry: &Registry) -> Router {
    let token = registry.settings().admin_token.clone();
    with_control(tenant, registry.runtime(), token)
}

/// The layers every listener has: trace, the exchange layer, the registry handle for runtime
/// tenants, and (outermost) the admin-token check when set.
fn with_control<P: Provider>(tenant: P, runtime: Runtime, admin_token: Option<Arc<str>>) -> Router {
    let router = tenant
        .router()
        .merge(admin::router::<P>())
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn_with_state(tenant.clone(), exchange::record::<P>))
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
        return axum::serve(listener, router).with_graceful_shutdown(shutdown).await;
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
        .serve(router.into_make_service())
        .await
}

/// A TCP listener that drops `_closed` with itself: axum drops the listener the moment a
/// graceful shutdown stops accepting, so the port is closed when the receiver resolves.
struct Closing {
    inner: TcpListener,
    _closed: oneshot::Sender<()>,
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
