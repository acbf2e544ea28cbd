//! Listeners: one per tenant, bound to loopback unless told otherwise, plus the embedding API.
//!
//! `app(tenant)` is the whole HTTP surface of one tenant (provider routes and the control API),
//! usable without a socket in router tests. `Authmock` starts a tenant on a free loopback port
//! for Rust tests. Depends on `auth0`, `admin`, `core`.

pub mod exchange;
mod janrain;

pub use janrain::{JanrainMock, bind_janrain, janrain_app, serve_janrain};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum_server::tls_rustls::RustlsConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::trace::TraceLayer;

use crate::core::clock::Clock;
use crate::core::seed::{Fixture, SeedError};
use crate::core::tenant::{Tenant, TenantAddress};
use crate::{admin, auth0};

/// Why a tenant could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error(transparent)]
    JanrainSeed(#[from] crate::janrain::app::JanrainSeedError),
}

/// The whole HTTP surface of one tenant. Every request to the provider routes passes through
/// the fault rules and into the journal (`server::exchange`); control-API requests do not.
pub fn app(tenant: Tenant) -> Router {
    auth0::router()
        .merge(admin::router())
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn_with_state(
            tenant.clone(),
            exchange::record::<Tenant>,
        ))
        .with_state(tenant)
}

/// Binds `addr` and builds the fixture's tenant for the address actually bound (port 0 picks a
/// free port; the tenant's URLs then name the real one).
pub async fn bind(addr: SocketAddr, fixture: &Fixture, clock: Clock) -> Result<(TcpListener, Tenant), ServeError> {
    check_rate_limits(fixture)?;
    let (listener, local) = listen(addr).await?;
    let tenant = fixture.build(TenantAddress::http(local), clock)?;
    Ok((listener, tenant))
}

/// [`bind`] for a listener that will serve TLS ([`serve_tls`]): the tenant's URLs say `https`.
pub async fn bind_tls(addr: SocketAddr, fixture: &Fixture, clock: Clock) -> Result<(TcpListener, Tenant), ServeError> {
    check_rate_limits(fixture)?;
    let (listener, local) = listen(addr).await?;
    let tenant = fixture.build(TenantAddress::https(local), clock)?;
    Ok((listener, tenant))
}

/// The fixture's `rate_limits` name Auth0 groups and valid buckets (core cannot tell).
pub(crate) fn check_rate_limits(fixture: &Fixture) -> Result<(), ServeError> {
    crate::core::ratelimit::RateLimits::default()
        .seed(&fixture.rate_limits, 0, |g| auth0::ratelimit::GROUPS.contains(&g))
        .map_err(|e| {
            ServeError::Seed(SeedError::Invalid(format!(
                "{e} (groups: {})",
                auth0::ratelimit::GROUPS.join(", ")
            )))
        })
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

/// Serves `tenant` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    tenant: Tenant,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, app(tenant), None, shutdown).await
}

/// Serves `tenant` over TLS with `config` (see [`crate::tls::Authority`]) until `shutdown`
/// resolves.
pub async fn serve_tls(
    listener: TcpListener,
    tenant: Tenant,
    config: Arc<rustls::ServerConfig>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, app(tenant), Some(config), shutdown).await
}

/// Serves any listener's router, over TLS when `tls` is given; open TLS connections get a
/// second to finish after `shutdown` resolves.
pub(crate) async fn serve_router(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Some(config) = tls else {
        return axum::serve(listener, router).with_graceful_shutdown(shutdown).await;
    };
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

/// An authmock tenant running in the background of a Rust test, on a free loopback port.
///
/// ```no_run
/// # async fn demo() {
/// let idp = authmock::Authmock::start().await;
/// let token_url = format!("{}/oauth/token", idp.uri());
/// # }
/// ```
pub struct Authmock {
    tenant: Tenant,
    _served: Background,
}

impl Authmock {
    /// Starts the embedded default Auth0 tenant.
    pub async fn start() -> Self {
        Self::start_with(&Fixture::default_auth0())
            .await
            .expect("the default fixture serves on a free loopback port")
    }

    /// Starts a tenant from `fixture`.
    pub async fn start_with(fixture: &Fixture) -> Result<Self, ServeError> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let (listener, tenant) = bind(addr, fixture, Clock::system()).await?;
        let served = Background::serve(listener, app(tenant.clone()), None);
        Ok(Self {
            tenant,
            _served: served,
        })
    }

    /// Starts a tenant from `fixture` serving HTTPS with a leaf of `authority`; its URLs (issuer,
    /// audience, ticket links) say `https://127.0.0.1:<port>`.
    pub async fn start_tls(fixture: &Fixture, authority: &crate::tls::Authority) -> Result<Self, ServeError> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let (listener, tenant) = bind_tls(addr, fixture, Clock::system()).await?;
        let served = Background::serve(listener, app(tenant.clone()), Some(authority.server_config()));
        Ok(Self {
            tenant,
            _served: served,
        })
    }

    /// The tenant's base URL, `http://127.0.0.1:<port>` (`https` with TLS).
    pub fn uri(&self) -> String {
        self.tenant.base_url().to_owned()
    }

    /// The running tenant (its clock, state and key).
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }
}

/// A listener served on a background task until this handle is dropped.
pub(crate) struct Background(Option<oneshot::Sender<()>>);

impl Background {
    pub(crate) fn serve(listener: TcpListener, router: Router, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let stopped = async {
                let _ = rx.await;
            };
            if let Err(err) = serve_router(listener, router, tls, stopped).await {
                tracing::error!(%err, "embedded listener stopped");
            }
        });
        Self(Some(tx))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}
