//! `/__authmock__/tenants`: Auth0 tenants and Janrain apps created and dropped at runtime, each
//! on its own loopback port.
//!
//! ```text
//! POST   /__authmock__/tenants       {"provider":"auth0"|"janrain", "fixture":"<embedded name or file path>"}
//!                                    or {"provider":…, "seed":{inline fixture}}, optional "port"
//!                                    → 201 {"id":N, …the new listener's GET /__authmock__/tenant…}
//! GET    /__authmock__/tenants       → {"tenants":[…the same, one per runtime tenant…]}
//! GET    /__authmock__/tenants/{id}  → the same for one, or 404
//! DELETE /__authmock__/tenants/{id}  → 204 once its listener stopped accepting, or 404
//! ```
//! The tenants live in a registry owned by the process that serves them (`authmock serve`, or
//! an embedded `Authmock`/`JanrainMock`), reached from every listener it started; this module
//! only speaks HTTP to it through [`TenantRuntime`], which `server` implements. Depends on
//! `admin::error`.

use std::sync::{Arc, Weak};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::core::control_error::ErrorBody;
use crate::core::control_error::{AdminError, AdminJson};
use crate::core::provider::Provider;

/// What `POST /__authmock__/tenants` accepts.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    /// `auth0` or `janrain`.
    pub provider: String,
    /// An embedded fixture (`default`, `auth0-tenant`, `janrain-app`) or a fixture file's path.
    #[serde(default)]
    pub fixture: Option<String>,
    /// An inline fixture, the same JSON a fixture file holds.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub seed: Option<Value>,
    /// A fixed port; a free one when absent.
    #[serde(default)]
    pub port: Option<u16>,
}

/// The registry of runtime tenants, as the control API sees it. Answers are the listener's
/// summary (`GET /__authmock__/tenant`) with the registry `id` first.
pub trait TenantRuntime: Send + Sync + 'static {
    fn create(&self, request: CreateTenant) -> BoxFuture<'static, Result<Value, AdminError>>;
    fn list(&self) -> Vec<Value>;
    fn get(&self, id: u64) -> Option<Value>;
    /// Stops the listener (it refuses connections once this resolves) and forgets the tenant;
    /// `false` when there is no such id.
    fn delete(&self, id: u64) -> BoxFuture<'static, bool>;
}

/// The handle every listener's router carries: weak, so a listener never keeps alive the
/// registry that owns it (the owner dropping stops every runtime tenant).
#[derive(Clone, Default)]
pub struct Runtime(Option<Weak<dyn TenantRuntime>>);

impl Runtime {
    pub fn new(registry: &Arc<dyn TenantRuntime>) -> Self {
        Self(Some(Arc::downgrade(registry)))
    }

    /// A router that no process serves (router tests): runtime tenants answer 503.
    pub fn detached() -> Self {
        Self(None)
    }

    fn registry(&self) -> Result<Arc<dyn TenantRuntime>, AdminError> {
        self.0.as_ref().and_then(Weak::upgrade).ok_or_else(|| {
            AdminError::Unavailable(
                "runtime tenants need a listener started by `authmock serve` or an embedded Authmock".into(),
            )
        })
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Runtime"
        } else {
            "Runtime(detached)"
        })
    }
}

fn unknown(id: &str) -> AdminError {
    AdminError::NotFound(format!(
        "no runtime tenant with id {id:?}: GET /__authmock__/tenants lists them"
    ))
}

#[utoipa::path(post, path = "/__authmock__/tenants", tag = "tenants",
    request_body(content = CreateTenant, description = "A tenant from an embedded fixture (`default`, `auth0-tenant`, `janrain-app`), a fixture file, or an inline `seed`"),
    responses(
        (status = 201, description = "The new listener's `GET /__authmock__/tenant` summary with its registry `id`", body = Object),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 409, description = "The port is in use", body = ErrorBody),
        (status = 503, description = "No process serves this router", body = ErrorBody),
    ))]
#[tracing::instrument(skip_all)]
pub async fn create<P: Provider>(
    State(_): State<P>,
    Extension(runtime): Extension<Runtime>,
    AdminJson(request): AdminJson<CreateTenant>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let registry = runtime.registry()?;
    let summary = registry.create(request).await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

#[utoipa::path(get, path = "/__authmock__/tenants", tag = "tenants",
    responses((status = 200, description = "`{tenants: [...]}`: each runtime tenant's summary with its `id`", body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn list<P: Provider>(
    State(_): State<P>,
    Extension(runtime): Extension<Runtime>,
) -> Result<Json<Value>, AdminError> {
    Ok(Json(json!({ "tenants": runtime.registry()?.list() })))
}

#[utoipa::path(get, path = "/__authmock__/tenants/{id}", tag = "tenants",
    params(("id" = u64, Path, description = "The runtime tenant's id")),
    responses((status = 200, description = "Its summary with its `id`", body = Object), (status = 404, description = "No such runtime tenant", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get<P: Provider>(
    State(_): State<P>,
    Extension(runtime): Extension<Runtime>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    let registry = runtime.registry()?;
    let found = id.parse::<u64>().ok().and_then(|n| registry.get(n));
    found.map(Json).ok_or_else(|| unknown(&id))
}

#[utoipa::path(delete, path = "/__authmock__/tenants/{id}", tag = "tenants",
    params(("id" = u64, Path, description = "The runtime tenant's id")),
    responses((status = 204, description = "Stopped (its port refuses connections) and forgotten"), (status = 404, description = "No such runtime tenant", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete<P: Provider>(
    State(_): State<P>,
    Extension(runtime): Extension<Runtime>,
    Path(id): Path<String>,
) -> Result<StatusCode, AdminError> {
    let registry = runtime.registry()?;
    let Ok(number) = id.parse::<u64>() else {
        return Err(unknown(&id));
    };
    if registry.delete(number).await {
        crate::core::memory::give_back();
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(unknown(&id))
    }
}
