//! The harness's own access to a scenario's Auth0 tenant, over HTTP as any backend has it: a
//! Management API application seeded into every scenario's tenant for the harness alone (it may
//! create and read roles, read users, change applications and switch MFA on). The calls the steps make with it (its token, creating
//! a scenario's role, reading a user or a user's roles back) are `steps/management.rs`.
//!
//! The harness's requests carry their own `User-Agent`, so a failure's report of what the
//! provider saw (`AuthWorld::explain`) lists the client's requests only.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

/// The name of the harness's application in every scenario's tenant.
pub const APPLICATION: &str = "Conformance harness (M2M)";

/// The `User-Agent` of the harness's Management API requests.
pub const AGENT: &str = "authmock-harness";

/// The harness's application as a fixture's `clients` entry: client credentials on the
/// Management API with what its steps need, nothing the scenarios' applications lack otherwise.
pub fn application() -> Value {
    json!({
        "name": APPLICATION,
        "client_id": "conformanceHarnessM2MApplication",
        "client_secret": "harness-secret-0b5e1c2d9f7a4e3b8c6d1f0a2e9b7c4d5f3a1e8b6c0d2f9a7e4b1c3d5f8a0e2b6c",
        "app_type": "non_interactive",
        "grant_types": ["client_credentials"],
        "grants": [{"api": "management", "scopes": ["create:roles", "read:roles", "read:users", "update:clients",
            "update:guardian_factors", "create:authentication_methods", "create:organizations",
            "create:organization_members", "create:organization_invitations"]}],
    })
}

/// Whether the journal entry `exchange` is a request the harness made with its application.
pub fn by_harness(exchange: &Value) -> bool {
    exchange["request"]["headers"]["user-agent"] == AGENT
}

/// A Management API answer: status and JSON body (`null` when it has none).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// `id` percent-encoded for a path segment (`auth0|…` ids hold a `|`).
pub fn encoded(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}
