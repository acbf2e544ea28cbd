//! Runtime tenants: the process-wide registry behind `POST /__authmock__/tenants`.
//!
//! A [`Registry`] is owned by whatever serves listeners (`authmock serve`, an embedded
//! [`crate::Authmock`] or [`crate::JanrainMock`]). Every listener it serves carries a weak
//! handle to it ([`crate::admin::tenants::Runtime`]), so a tenant created through any listener
//! lands in the same registry, and dropping the owner stops every runtime tenant (no cycle keeps
//! them alive). Each runtime tenant gets its own listener on the registry's address (loopback
//! unless `serve --bind` says otherwise), the registry's TLS and journal settings, and is
//! stopped and freed on `DELETE`. Depends on `admin` (summaries, the control API's view of the
//! registry) and `core`; [`PROVIDERS`] lists the providers (the one place outside their folders
//! that names them).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use futures::future::BoxFuture;
use serde_json::{Map, Value};

use super::listener::{self, Background, ServeError};
use crate::admin::error::AdminError;
use crate::admin::tenants::{CreateTenant, Runtime, TenantRuntime};
use crate::core::clock::Clock;
use crate::core::journal;
use crate::core::node::ScriptSettings;
use crate::core::provider::Provider;

/// How the listeners of one process are served; runtime tenants inherit it.
#[derive(Debug, Clone)]
pub struct ListenerSettings {
    /// The address every listener binds (`serve --bind`); loopback by default.
    pub bind: IpAddr,
    /// `serve --tls`: the server configuration of the run's leaf certificate.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// `--journal-limit` and `--journal-secrets`.
    pub journal: journal::Settings,
    /// `serve --admin-token`: every `/__authmock__/` path then needs `Authorization: Bearer`.
    pub admin_token: Option<Arc<str>>,
    /// `serve --allow-scripts` and the script caps: whether customer JavaScript runs.
    pub scripts: ScriptSettings,
}

impl Default for ListenerSettings {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            tls: None,
            journal: journal::Settings::default(),
            admin_token: None,
            scripts: ScriptSettings::default(),
        }
    }
}

/// The runtime tenants of one process. Cloning shares the registry.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    settings: ListenerSettings,
    /// A std mutex: inserts, removals and scans, never held across `.await`.
    entries: Mutex<BTreeMap<u64, Entry>>,
    next_id: AtomicU64,
    /// This registry, weakly: what the routers of the listeners it starts carry.
    me: Weak<Inner>,
}

/// One runtime tenant: its summary and the handle that stops its listener.
struct Entry {
    tenant: Box<dyn Summarized>,
    background: Background,
}

/// A running tenant of any provider, as the registry lists it.
trait Summarized: Send + Sync {
    fn summary(&self) -> Value;
}

impl<P: Provider> Summarized for P {
    fn summary(&self) -> Value {
        Provider::summary(self)
    }
}

fn listed(id: u64, tenant: &dyn Summarized) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), Value::from(id));
    if let Value::Object(fields) = tenant.summary() {
        out.extend(fields);
    }
    Value::Object(out)
}

/// Every provider this build serves, the one place that names them: adding a provider is its
/// folder (implementing [`Provider`]) plus one line here.
const PROVIDERS: &[Kind] = &[
    Kind::of::<crate::auth0::Tenant>(),
    Kind::of::<crate::janrain::JanrainApp>(),
];

/// One provider, as the registry starts its runtime tenants.
struct Kind {
    /// [`Provider::KIND`].
    name: &'static str,
    /// [`Provider::EMBEDDED_NAMES`].
    embedded: &'static [&'static str],
    start: fn(Registry, SocketAddr, Source) -> BoxFuture<'static, Result<Started, AdminError>>,
}

impl Kind {
    const fn of<P: Provider>() -> Self {
        Self {
            name: P::KIND,
            embedded: P::EMBEDDED_NAMES,
            start: start_tenant::<P>,
        }
    }
}

/// A runtime tenant bound and ready to serve.
struct Started {
    tenant: Box<dyn Summarized>,
    listener: tokio::net::TcpListener,
    router: axum::Router,
}

fn start_tenant<P: Provider>(
    registry: Registry,
    addr: SocketAddr,
    source: Source,
) -> BoxFuture<'static, Result<Started, AdminError>> {
    Box::pin(async move {
        let fixture = source.fixture::<P>()?;
        let settings = registry.settings();
        let (listener, tenant) = listener::bind::<P>(addr, &fixture, Clock::system(), settings.tls.is_some())
            .await
            .map_err(serve_error)?;
        tenant.control().journal().configure(settings.journal);
        tenant.control().scripts().configure(settings.scripts.clone());
        let router = listener::app_with(tenant.clone(), registry.runtime(), settings.admin_token.clone());
        Ok(Started {
            tenant: Box::new(tenant),
            listener,
            router,
        })
    })
}

impl Registry {
    pub fn new(settings: ListenerSettings) -> Self {
        Self {
            inner: Arc::new_cyclic(|me| Inner {
                settings,
                entries: Mutex::new(BTreeMap::new()),
                next_id: AtomicU64::new(0),
                me: me.clone(),
            }),
        }
    }

    pub fn settings(&self) -> &ListenerSettings {
        &self.inner.settings
    }

    /// The handle a listener's router carries.
    pub fn runtime(&self) -> Runtime {
        let registry: Arc<dyn TenantRuntime> = self.inner.clone();
        Runtime::new(&registry)
    }

    /// How many runtime tenants are running.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new(ListenerSettings::default())
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("tenants", &self.len()).finish()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Entry>> {
        // Inserts and removals only: a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn registry(&self) -> Option<Registry> {
        self.me.upgrade().map(|inner| Registry { inner })
    }

    async fn start(&self, request: CreateTenant) -> Result<Value, AdminError> {
        let registry = self
            .registry()
            .ok_or_else(|| AdminError::Unavailable("the process is shutting down".into()))?;
        let addr = SocketAddr::new(self.settings.bind, request.port.unwrap_or(0));
        let source = Source::of(&request)?;
        let kind = PROVIDERS.iter().find(|k| k.name == request.provider).ok_or_else(|| {
            let names: Vec<String> = PROVIDERS.iter().map(|k| format!("{:?}", k.name)).collect();
            AdminError::BadRequest(format!(
                "`provider` is {} (got {:?})",
                names.join(" or "),
                request.provider
            ))
        })?;
        let started = (kind.start)(registry, addr, source).await?;
        let background = Background::serve(started.listener, started.router, self.settings.tls.clone());
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let summary = listed(id, started.tenant.as_ref());
        self.lock().insert(
            id,
            Entry {
                tenant: started.tenant,
                background,
            },
        );
        Ok(summary)
    }
}

impl TenantRuntime for Inner {
    fn create(&self, request: CreateTenant) -> BoxFuture<'static, Result<Value, AdminError>> {
        let me = self.me.clone();
        Box::pin(async move {
            match me.upgrade() {
                Some(inner) => inner.start(request).await,
                None => Err(AdminError::Unavailable("the process is shutting down".into())),
            }
        })
    }

    fn list(&self) -> Vec<Value> {
        self.lock()
            .iter()
            .map(|(id, entry)| listed(*id, entry.tenant.as_ref()))
            .collect()
    }

    fn get(&self, id: u64) -> Option<Value> {
        self.lock().get(&id).map(|entry| listed(id, entry.tenant.as_ref()))
    }

    fn delete(&self, id: u64) -> BoxFuture<'static, bool> {
        let removed = self.lock().remove(&id);
        Box::pin(async move {
            match removed {
                Some(entry) => {
                    entry.background.stop().await;
                    true
                }
                None => false,
            }
        })
    }
}

/// Where a runtime tenant's fixture comes from.
enum Source {
    /// `default`, or an embedded fixture's name (without `.json`).
    Embedded(String),
    File(String),
    Inline(Value),
}

impl Source {
    fn of(request: &CreateTenant) -> Result<Self, AdminError> {
        match (&request.fixture, &request.seed) {
            (Some(_), Some(_)) => Err(AdminError::BadRequest(
                "send `fixture` (a name or a path) or `seed` (inline JSON), not both".into(),
            )),
            (None, Some(seed)) if seed.is_object() => Ok(Self::Inline(seed.clone())),
            (None, Some(_)) => Err(AdminError::BadRequest(
                "`seed` must be a JSON object (a fixture)".into(),
            )),
            (Some(name), None) => {
                let bare = name.strip_suffix(".json").unwrap_or(name);
                let embedded = name == "default" || PROVIDERS.iter().any(|k| k.embedded.contains(&bare));
                Ok(if embedded {
                    Self::Embedded(bare.to_owned())
                } else {
                    Self::File(name.clone())
                })
            }
            (None, None) => Ok(Self::Embedded("default".into())),
        }
    }

    fn fixture<P: Provider>(self) -> Result<P::Fixture, AdminError> {
        match self {
            Self::Embedded(name) if name == "default" || P::EMBEDDED_NAMES.contains(&name.as_str()) => {
                Ok(P::default_fixture())
            }
            Self::Embedded(name) => Err(embedded_mismatch(&name, P::KIND, P::EMBEDDED_NAMES[0])),
            Self::File(path) => P::load_fixture(Path::new(&path)).map_err(|e| seed_error(&path, e)),
            Self::Inline(seed) => P::parse_fixture(seed).map_err(|e| seed_error("seed", e)),
        }
    }
}

fn embedded_mismatch(name: &str, provider: &str, own: &str) -> AdminError {
    AdminError::BadRequest(format!(
        "the embedded fixture {name:?} is not a {provider} fixture; use \"default\" or {own:?}"
    ))
}

/// `what` (the file or `seed`) and why; errors that already name it are not prefixed twice.
fn seed_error(what: &str, error: impl std::fmt::Display) -> AdminError {
    let text = error.to_string();
    if text.starts_with(&format!("{what}: ")) {
        AdminError::BadRequest(text)
    } else {
        AdminError::BadRequest(format!("{what}: {text}"))
    }
}

fn serve_error(error: ServeError) -> AdminError {
    match error {
        ServeError::Bind { .. } => AdminError::Conflict(error.to_string()),
        other => AdminError::BadRequest(other.to_string()),
    }
}
