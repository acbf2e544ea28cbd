//! Every provider this build serves. Adding a provider is a folder implementing
//! [`crate::core::provider::Provider`] plus one line here; `server` starts runtime tenants of
//! any provider listed.

use crate::server::registry::Kind;

/// The providers `POST /__authmock__/tenants` can start, by [`Provider::KIND`](crate::core::provider::Provider::KIND).
pub(crate) const PROVIDERS: &[Kind] = &[
    Kind::of::<crate::auth0::Tenant>(),
    Kind::of::<crate::janrain::JanrainApp>(),
];
