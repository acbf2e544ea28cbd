//! APIs (resource servers) and client grants as the Management API keeps them
//! (`/api/v2/resource-servers`, `/api/v2/client-grants`): stored settings, defaults, the fields
//! the token paths read (derived on every change), rendering in the provider's key order, and the
//! cascades. The tenant's own Management API is the system API: rendered, never stored as an
//! [`Api`], its few changeable settings kept in the state.
//!
//! Shapes from the public recordings (facts in `docs/management-api.md` §2–3). Depends on the
//! records and the state.

use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::model::{Api, ClientGrant, MANAGEMENT_API};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::format::in_key_order;

pub use crate::auth0::tenant::model::{DEFAULT_TOKEN_LIFETIME, ManagementApi};
/// The system API's name (obs: TestAccResourceServerAuth0APIManagementImport).
pub const MANAGEMENT_API_NAME: &str = "Auth0 Management API";

/// The order the provider prints a resource server's keys in, the tenant's own system API
/// included. obs: the precedence of every pair of keys agrees with it in the 289 API bodies
/// terraform-provider-auth0 recorded from 2024-09 to 2026-08 (e.g. TestAccResourceServer,
/// TestAccResourceServerOnlineAccess, TestAccClientResourceServer for `client_id`) and in the list
/// of go-auth0 TestResourceServer_ExpressConfiguration (2025-11, for `signing_secret` and
/// `is_system`): the bodies as the tenant sent them. go-auth0's single APIs (create, read,
/// update) are in another order because its recorder re-serialises them through go-auth0's
/// `ResourceServer` struct (management/http_recordings_test.go), which terraform-provider-auth0's
/// recorder does not do for APIs. inf: `client_id` between
/// `signing_secret` and `scopes` (recorded only after `signing_alg` with neither). Keys not
/// listed follow in stored order.
const ORDER: &[&str] = &[
    "id",
    "name",
    "identifier",
    "allow_offline_access",
    "skip_consent_for_verifiable_first_party_clients",
    "allow_online_access",
    "allow_online_access_with_ephemeral_sessions",
    "subject_type_authorization",
    "token_lifetime",
    "token_lifetime_for_web",
    "signing_alg",
    "signing_secret",
    "client_id",
    "scopes",
    "is_system",
    "enforce_policies",
    "token_dialect",
    "token_encryption",
    "consent_policy",
    "authorization_details",
    "proof_of_possession",
    "authorization_policy",
];

/// Who may get tokens for a new API unless the request says (obs: terraform-provider-auth0
/// TestAccClientRefreshToken, 2026-01, and every later create; from the `era` that has it).
fn default_subject_type_authorization() -> Value {
    json!({"client": {"policy": "require_client_grant"}, "user": {"policy": "allow_all"}})
}

/// The order of a grant's keys (obs: TestClientGrantManager_Organizations,
/// TestAccClientGrant): `id, client_id, audience, scope`, then these as set.
const GRANT_ORDER: &[&str] = &[
    "organization_usage",
    "allow_any_organization",
    "is_system",
    "subject_type",
    "authorization_details_types",
    "allow_all_scopes",
];

fn ordered(all: Map<String, Value>, order: &[&str]) -> Map<String, Value> {
    in_key_order(all, order)
}

/// A resource server id: 24 lowercase hex digits (obs: every recorded id).
pub fn new_api_id(rng: &mut impl rand::Rng) -> String {
    use rand::RngExt as _;
    (0..12).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}

/// Ids for what a fixture seeds (its APIs, grants and the system API), drawn from their own RNG
/// so the tenant's main RNG, and every id it draws, stays as it was before they had ids.
pub fn seed_rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ 0x6170_6973)
}

/// A new API's settings: the request's properties over the recorded defaults (obs:
/// TestResourceServer_Create and the `https://mrrt` create of go-auth0's recordings: RS256,
/// no offline access, 86400 s, 7200 s for the web, consent not skipped; from the 2026-01 `era`
/// on, `subject_type_authorization` as well). A create without `name` has none (obs:
/// terraform-provider-auth0 TestAccResourceServer, 2026-02, creates by `identifier` alone).
pub fn new_api_settings(body: Map<String, Value>, era: WireEra) -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert("signing_alg".into(), json!("RS256"));
    settings.insert("allow_offline_access".into(), json!(false));
    settings.insert("token_lifetime".into(), json!(DEFAULT_TOKEN_LIFETIME));
    settings.insert("token_lifetime_for_web".into(), json!(7200));
    settings.insert("skip_consent_for_verifiable_first_party_clients".into(), json!(false));
    if era.api_subject_type_authorization() {
        settings.insert(
            "subject_type_authorization".into(),
            default_subject_type_authorization(),
        );
    }
    for (key, value) in body {
        // A sent `subject_type_authorization` replaces the default whole, in its own order
        // (obs: TestAccClientGrant, 2026-02, sends and reads back `user` before `client`).
        set(&mut settings, key, value);
    }
    settings
}

/// Stores one sent property as the provider does: `null` removes it (obs: terraform-provider-
/// auth0 TestAccDataSourceResourceServer, 2024-09: after `{"authorization_details":null}`,
/// `{"token_encryption":null}` and `{"proof_of_possession":null}` none of them is printed), and
/// an encryption key's `pem` is kept but never printed (obs: go-auth0 TestResourceServer_Create
/// and terraform-provider-auth0 TestAccResourceServer answer `encryption_key` without it).
fn set(settings: &mut Map<String, Value>, key: String, mut value: Value) {
    if value.is_null() {
        settings.shift_remove(&key);
        return;
    }
    if key == "token_encryption"
        && let Some(encryption_key) = value.get_mut("encryption_key").and_then(Value::as_object_mut)
    {
        encryption_key.shift_remove("pem");
    }
    settings.insert(key, value);
}

/// The API the token paths read, from its settings. `enforce_policies` is "Enable RBAC"; a
/// `token_dialect` ending in `_authz` is "Add Permissions in the Access Token" (doc: token
/// dialects `access_token_authz` and `rfc9068_profile_authz` add the `permissions` claim).
pub fn derive_api(id: String, settings: Map<String, Value>, seeded: bool) -> Api {
    let text = |key: &str| settings.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let scopes = settings
        .get("scopes")
        .and_then(Value::as_array)
        .map(|scopes| {
            scopes
                .iter()
                .filter_map(|s| s.get("value").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Api {
        id,
        identifier: text("identifier"),
        name: text("name"),
        scopes,
        rbac: settings
            .get("enforce_policies")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        permissions_in_token: text("token_dialect").ends_with("_authz"),
        token_lifetime: settings
            .get("token_lifetime")
            .and_then(Value::as_i64)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME),
        settings,
        seeded,
    }
}

/// A resource server as the Management API prints it.
pub fn api_json(api: &Api) -> Map<String, Value> {
    let mut all = api.settings.clone();
    all.insert("id".into(), json!(api.id));
    ordered(all, ORDER)
}

/// Links the API `identifier` to the application created for it (`app_type: resource_server`
/// with `resource_server_identifier`): the API then prints its `client_id` (obs: go-auth0
/// TestClient_CreateLinkedToResourceServer, terraform-provider-auth0 TestAccClientResourceServer).
pub fn link_client(apis: &mut [Api], identifier: &str, client_id: &str) {
    if let Some(api) = apis.iter_mut().find(|a| a.identifier == identifier) {
        api.settings.insert("client_id".into(), json!(client_id));
    }
}

/// Unlinks the APIs of a deleted application (inf: the recordings delete the API right after).
pub fn unlink_client(apis: &mut [Api], client_id: &str) {
    for api in apis {
        if api.settings.get("client_id").and_then(Value::as_str) == Some(client_id) {
            api.settings.shift_remove("client_id");
        }
    }
}

/// The system API's stored settings as seeded: what `PATCH` may change of it.
pub fn management_api_settings() -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert("allow_offline_access".into(), json!(false));
    settings.insert("skip_consent_for_verifiable_first_party_clients".into(), json!(false));
    settings.insert("token_lifetime".into(), json!(DEFAULT_TOKEN_LIFETIME));
    settings.insert("token_lifetime_for_web".into(), json!(7200));
    settings
}

/// The Management API as a resource server (obs: TestAccResourceServerAuth0APIManagementImport,
/// TestResourceServer_ExpressConfiguration's list: RS256, 86400 s, `is_system: true`, every scope
/// with its description). `scopes` are the recorded ones (`wire::management_scopes`).
pub fn management_api_json(state: &TenantState, identifier: &str, scopes: Value) -> Map<String, Value> {
    let mut all = state.management_api.settings.clone();
    all.insert("id".into(), json!(state.management_api.id));
    all.insert("name".into(), json!(MANAGEMENT_API_NAME));
    all.insert("identifier".into(), json!(identifier));
    all.insert("signing_alg".into(), json!("RS256"));
    all.insert("scopes".into(), scopes);
    all.insert("is_system".into(), json!(true));
    ordered(all, ORDER)
}

/// Creates an API; a runtime API past the cap makes the oldest runtime one go, with its grants.
pub fn create_api(state: &mut TenantState, body: Map<String, Value>) -> &Api {
    let id = new_api_id(&mut state.rng);
    let api = derive_api(id, new_api_settings(body, state.era), false);
    let runtime = state.apis.iter().filter(|a| !a.seeded).count();
    if runtime >= state.bounds.apis.capacity()
        && let Some(oldest) = state.apis.iter().find(|a| !a.seeded).map(|a| a.id.clone())
    {
        delete_api(state, &oldest);
        state.bounds.apis.count(1);
    }
    state.apis.push(api);
    state.apis.last().expect("just pushed")
}

/// Applies a validated PATCH body: top-level properties replaced (`null` removes one), and
/// `subject_type_authorization` merged subject by subject into the stored one, in its stored
/// order (obs: terraform-provider-auth0 TestAccResourceServer, 2026-02, sends `user` then
/// `client` and reads back the default's `client` then `user`; inf: a subject not sent keeps
/// its policy).
pub fn update_api(state: &mut TenantState, index: usize, body: Map<String, Value>) -> &Api {
    let old = &state.apis[index];
    let mut settings = old.settings.clone();
    for (key, value) in body {
        match (settings.get_mut(&key), value) {
            (Some(Value::Object(stored)), Value::Object(sent)) if key == "subject_type_authorization" => {
                stored.extend(sent);
            }
            (_, value) => set(&mut settings, key, value),
        }
    }
    state.apis[index] = derive_api(old.id.clone(), settings, old.seeded);
    &state.apis[index]
}

/// Deletes an API with the grants on it; role and user permissions on it stay, as the provider
/// keeps them (inf: the Dashboard warns that deleting an API does not remove its permissions
/// from roles). `false` when no API has that id.
pub fn delete_api(state: &mut TenantState, id: &str) -> bool {
    let Some(index) = state.apis.iter().position(|a| a.id == id) else {
        return false;
    };
    let api = state.apis.remove(index);
    for grant in state.grants.iter().filter(|g| g.audience == api.identifier) {
        state.organizations.forget_grant(&grant.id);
    }
    state.grants.retain(|g| g.audience != api.identifier);
    true
}

/// The index of the API `key` names: its id, or its identifier (obs: terraform-provider-auth0
/// reads resource servers by URL-encoded identifier, e.g. TestAccResourceServerScopes).
pub fn api_index(state: &TenantState, key: &str) -> Option<usize> {
    state.apis.iter().position(|a| a.id == key || a.identifier == key)
}

/// A grant as the Management API prints it; `audience` is the API identifier.
pub fn grant_json(grant: &ClientGrant, management_audience: &str) -> Map<String, Value> {
    let audience = if grant.audience == MANAGEMENT_API {
        management_audience
    } else {
        grant.audience.as_str()
    };
    let mut out = Map::new();
    out.insert("id".into(), json!(grant.id));
    out.insert("client_id".into(), json!(grant.client_id));
    out.insert("audience".into(), json!(audience));
    // obs (TestAccClientGrant): a grant with `allow_all_scopes` prints no `scope`.
    if !grant.all_scopes {
        out.insert("scope".into(), json!(grant.scopes));
    }
    out.extend(ordered(grant.extra.clone(), GRANT_ORDER));
    out
}

/// A new grant id: `cgr_` and 16 alphanumerics (obs).
pub fn new_grant_id(rng: &mut impl rand::Rng) -> String {
    format!("cgr_{}", random_alnum(rng, 16))
}

/// Stores a new grant (the caller checked the client, the API and that the pair is new).
pub fn create_grant(
    state: &mut TenantState,
    client_id: String,
    audience: String,
    scopes: Vec<String>,
    extra: Map<String, Value>,
) -> &ClientGrant {
    let all_scopes = extra.get("allow_all_scopes").and_then(Value::as_bool).unwrap_or(false);
    let grant = ClientGrant {
        id: new_grant_id(&mut state.rng),
        client_id,
        audience,
        scopes,
        all_scopes,
        extra,
        seeded: false,
    };
    let runtime = state.grants.iter().filter(|g| !g.seeded).count();
    if runtime >= state.bounds.grants.capacity()
        && let Some(oldest) = state.grants.iter().position(|g| !g.seeded)
    {
        let evicted = state.grants.remove(oldest);
        state.organizations.forget_grant(&evicted.id);
        state.bounds.grants.count(1);
    }
    state.grants.push(grant);
    state.grants.last().expect("just pushed")
}

/// Applies a PATCH: `scope` replaces the scopes, the other properties replace theirs; `null`
/// clears `organization_usage` (doc: it accepts `null`).
pub fn update_grant(state: &mut TenantState, index: usize, mut body: Map<String, Value>) -> &ClientGrant {
    let grant = &mut state.grants[index];
    if let Some(scope) = body.shift_remove("scope") {
        grant.scopes = scope
            .as_array()
            .map(|s| s.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
    }
    for (key, value) in body {
        if value.is_null() {
            grant.extra.shift_remove(&key);
        } else {
            grant.extra.insert(key, value);
        }
    }
    grant.all_scopes = grant
        .extra
        .get("allow_all_scopes")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    grant
}
