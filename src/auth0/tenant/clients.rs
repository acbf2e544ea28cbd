//! Applications as the Management API keeps them (`/api/v2/clients`): the stored settings
//! document, the defaults a new application gets per `app_type`, the fields the login and token
//! paths read (derived from the document on every change, so an update takes effect at once), the
//! rendering in the provider's key order, and the deletion cascade.
//!
//! Every shape here is from the public recordings of the provider's own clients (facts in
//! `docs/management-api.md` §1; cassettes named there). Depends on the records and the state.

use rand::RngExt as _;
use serde_json::{Map, Value, json};

use crate::auth0::tenant::applications::{AppLogin, OrganizationUsage, RefreshTokenSettings};
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::model::Client;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::format::in_key_order;

/// `client_id`: 32 alphanumerics (obs: every recorded id).
pub const CLIENT_ID_LEN: usize = 32;
/// `client_secret`: 64 characters of `[A-Za-z0-9_-]` (inf: the recordings redact secrets; the
/// length and alphabet are those of the secrets the Dashboard shows and the seeds use).
pub const CLIENT_SECRET_LEN: usize = 64;
/// ID tokens live 36000 s unless `jwt_configuration.lifetime_in_seconds` says otherwise (obs:
/// every recorded create answers `"lifetime_in_seconds":36000`).
pub const DEFAULT_ID_TOKEN_LIFETIME: i64 = 36_000;

/// The order the provider prints an application's keys in (obs: the precedence of every pair of
/// keys in 1468 recorded client bodies of both repositories agrees with it; facts §1.3). Both
/// recorders re-serialise an application through go-auth0's `Client` struct, so this is that
/// struct's order as much as the tenant's (inf: no unprocessed application body was recorded).
/// Keys not listed follow in the order they were first stored.
const ORDER: &[&str] = &[
    "tenant",
    "global",
    "name",
    "description",
    "client_id",
    "client_secret",
    "app_type",
    "logo_uri",
    "is_first_party",
    "is_token_endpoint_ip_header_trusted",
    "oidc_conformant",
    "callbacks",
    "allowed_origins",
    "web_origins",
    "client_aliases",
    "allowed_clients",
    "allowed_logout_urls",
    "jwt_configuration",
    "signing_keys",
    "sso",
    "encryption_key",
    "sso_disabled",
    "cross_origin_auth",
    "cross_origin_authentication",
    "grant_types",
    "cross_origin_loc",
    "custom_login_page_on",
    "addons",
    "token_endpoint_auth_method",
    "custom_login_page",
    "form_template",
    "client_metadata",
    "initiate_login_uri",
    "mobile",
    "native_social_login",
    "refresh_token",
    "organization_usage",
    "organization_require_behavior",
    "client_authentication_methods",
    "require_pushed_authorization_requests",
    "async_approval_notification_channels",
    "signed_request_object",
    "compliance_level",
    "require_proof_of_possession",
    "skip_non_verifiable_callback_uri_confirmation_prompt",
    "default_organization",
    "oidc_backchannel_logout",
    "oidc_logout",
    "token_exchange",
    "resource_server_identifier",
    "express_configuration",
    "my_organization_configuration",
    "organization_discovery_methods",
    "session_transfer",
    "token_vault_privileged_access",
    "fedcm_login",
    "identity_assertion_authorization_grant",
    "token_quota",
    "third_party_security_mode",
    "redirection_policy",
];

/// Public applications: they log users in without a secret (`token_endpoint_auth_method: none`).
fn is_public(app_type: Option<&str>) -> bool {
    matches!(app_type, Some("spa" | "native"))
}

/// The grant types a new application gets when the request names none. obs: SPAs and native
/// applications `["authorization_code","implicit","refresh_token"]` (TestAccDataClients,
/// TestAccClientSessionTransfer), every other type and none at all the same plus
/// `client_credentials` (TestClient_Create, TestAccClientCanSetDefaultAuthMethodOnCreate).
fn default_grant_types(app_type: Option<&str>) -> Value {
    if is_public(app_type) {
        json!(["authorization_code", "implicit", "refresh_token"])
    } else {
        json!(["authorization_code", "implicit", "refresh_token", "client_credentials"])
    }
}

/// The refresh-token settings a new application gets. obs: an SPA's rotate and expire
/// (TestAccDataClients), every other type's do neither (TestClient_Create); lifetimes 2592000 and
/// idle 1296000 as go-auth0's tenant answers (terraform-provider-auth0's tenant answers 31557600
/// and 2592000 for non-rotating ones: a tenant setting, inf).
fn default_refresh_token(app_type: Option<&str>) -> Value {
    if app_type == Some("spa") {
        json!({"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 0,
               "token_lifetime": 2_592_000, "infinite_token_lifetime": false,
               "infinite_idle_token_lifetime": false, "idle_token_lifetime": 1_296_000})
    } else {
        json!({"rotation_type": "non-rotating", "expiration_type": "non-expiring", "leeway": 0,
               "token_lifetime": 2_592_000, "infinite_token_lifetime": true,
               "infinite_idle_token_lifetime": true, "idle_token_lifetime": 1_296_000})
    }
}

/// A new application's settings: the request's properties over the recorded defaults (facts
/// §1.2), the cross-origin flag under its `era`'s name.
pub fn new_settings(body: Map<String, Value>, era: WireEra) -> Map<String, Value> {
    let app_type = body.get("app_type").and_then(Value::as_str).map(str::to_owned);
    let app_type = app_type.as_deref();
    let first_party = body.get("is_first_party").and_then(Value::as_bool).unwrap_or(true);
    let mut settings = Map::new();
    settings.insert("is_first_party".into(), json!(true));
    settings.insert("is_token_endpoint_ip_header_trusted".into(), json!(false));
    // obs: SPAs are created OIDC-conformant (TestAccDataClients), others not (TestClient_Create).
    settings.insert("oidc_conformant".into(), json!(app_type == Some("spa")));
    // obs: a sent `jwt_configuration` keeps only `secret_encoded` of the default
    // (TestAccClientAuthenticationMethodsSignedRequestObject: `{"secret_encoded":false,"alg":"RS256"}`).
    let jwt = match body.get("jwt_configuration") {
        Some(Value::Object(sent)) => {
            let mut jwt = Map::new();
            jwt.insert("secret_encoded".into(), json!(false));
            jwt.extend(sent.clone());
            Value::Object(jwt)
        }
        _ => json!({"secret_encoded": false, "lifetime_in_seconds": DEFAULT_ID_TOKEN_LIFETIME}),
    };
    settings.insert("jwt_configuration".into(), jwt);
    settings.insert("sso_disabled".into(), json!(false));
    if let Some(key) = era.client_cross_origin_key() {
        settings.insert(key.into(), json!(false));
    }
    settings.insert("grant_types".into(), default_grant_types(app_type));
    settings.insert("custom_login_page_on".into(), json!(true));
    // inf: a sent `refresh_token` is laid over the default key by key.
    let mut refresh = default_refresh_token(app_type);
    if let (Some(Value::Object(sent)), Some(object)) = (body.get("refresh_token"), refresh.as_object_mut()) {
        object.extend(sent.clone());
    }
    settings.insert("refresh_token".into(), refresh);
    let mut sent = Map::new();
    for (key, value) in body {
        if key == "jwt_configuration" || key == "refresh_token" {
            continue;
        }
        sent.insert(key, value);
    }
    patch_settings(&mut settings, sent);
    // obs (TestAccDataClients, 2026): a third-party application is created with
    // `"third_party_security_mode":"permissive"`.
    if !first_party && !settings.contains_key("third_party_security_mode") {
        settings.insert("third_party_security_mode".into(), json!("permissive"));
    }
    settings
}

/// Lays a PATCH body over stored settings: top-level properties are replaced (`null` removes
/// one, and so does an empty `initiate_login_uri`), and the objects
/// `jwt_configuration`, `refresh_token` and `client_metadata` are merged key by key (inf: the
/// recordings' PATCHes always send those objects whole, so merging and replacing read the same).
///
/// `oidc_backchannel_logout` is the older name of `oidc_logout`'s back-channel URLs: the tenant
/// prints it beside a sent `oidc_logout` with its `backchannel_logout_urls`, and clearing it
/// clears `oidc_logout` (obs: go-auth0 TestClient_CreateWithOIDCLogout and
/// terraform-provider-auth0 TestAccClientOIDCLogout, 2026-01; inf: clearing `oidc_logout` clears
/// both as well). obs (TestAccClientConfig): after `"initiate_login_uri":""` none is printed.
pub fn patch_settings(settings: &mut Map<String, Value>, body: Map<String, Value>) {
    for (key, value) in body {
        let value = match (key.as_str(), value) {
            ("initiate_login_uri", Value::String(uri)) if uri.is_empty() => Value::Null,
            (_, value) => value,
        };
        if matches!(key.as_str(), "oidc_logout" | "oidc_backchannel_logout") {
            match value.get("backchannel_logout_urls") {
                Some(urls) if key == "oidc_logout" => {
                    let alias = json!({ "backchannel_logout_urls": urls });
                    settings.insert("oidc_backchannel_logout".into(), alias);
                }
                _ if value.is_null() => {
                    settings.shift_remove("oidc_logout");
                    settings.shift_remove("oidc_backchannel_logout");
                }
                _ => {}
            }
        }
        match (settings.get_mut(&key), value) {
            (Some(Value::Object(stored)), Value::Object(sent))
                if matches!(key.as_str(), "jwt_configuration" | "refresh_token" | "client_metadata") =>
            {
                for (k, v) in sent {
                    if key == "client_metadata" && v.is_null() {
                        stored.remove(&k);
                    } else {
                        stored.insert(k, v);
                    }
                }
            }
            (_, Value::Null) => {
                settings.shift_remove(&key);
            }
            (_, value) => {
                settings.insert(key, value);
            }
        }
    }
}

/// Whether laying `body` over `stored` (an application's settings, none for a create) leaves
/// `is_token_endpoint_ip_header_trusted` true on an application whose stored
/// `token_endpoint_auth_method` is not a secret's, which the provider refuses (obs:
/// terraform-provider-auth0 #620 for a create without a method, #1731 for an application that
/// never wrote one; the seed refuses a public one the same way). Only a body naming either
/// property is checked (inf: a PATCH of other properties leaves an older state alone).
pub fn trusts_ip_header_without_secret(stored: Option<&Map<String, Value>>, body: &Map<String, Value>) -> bool {
    const FLAG: &str = "is_token_endpoint_ip_header_trusted";
    const METHOD: &str = "token_endpoint_auth_method";
    if !body.contains_key(FLAG) && !body.contains_key(METHOD) {
        return false;
    }
    let current = |key: &str| body.get(key).or_else(|| stored.and_then(|s| s.get(key)));
    current(FLAG).and_then(Value::as_bool).unwrap_or(false)
        && !matches!(
            current(METHOD).and_then(Value::as_str),
            Some("client_secret_post" | "client_secret_basic")
        )
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The application the login and token paths read, from its settings.
pub fn derive(client_id: String, client_secret: String, settings: Map<String, Value>, seeded: bool) -> Client {
    let text = |key: &str| settings.get(key).and_then(Value::as_str).map(str::to_owned);
    let app_type = text("app_type").unwrap_or_default();
    let refresh = settings.get("refresh_token").and_then(Value::as_object).map(|r| {
        let int = |key: &str| r.get(key).and_then(Value::as_i64);
        RefreshTokenSettings {
            rotation_type: r.get("rotation_type").and_then(Value::as_str).map(str::to_owned),
            leeway: int("leeway").unwrap_or(0),
            token_lifetime: int("token_lifetime"),
            idle_token_lifetime: int("idle_token_lifetime"),
        }
    });
    let login = AppLogin::resolve(
        &app_type,
        &strings(settings.get("callbacks")),
        &strings(settings.get("allowed_logout_urls")),
        &strings(settings.get("web_origins")),
        text("token_endpoint_auth_method").as_deref(),
        settings
            .get("is_token_endpoint_ip_header_trusted")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        refresh.as_ref(),
    );
    let organization_usage = settings
        .get("organization_usage")
        .cloned()
        .and_then(|v| serde_json::from_value::<OrganizationUsage>(v).ok())
        .unwrap_or_default();
    let id_token_lifetime = settings
        .get("jwt_configuration")
        .and_then(|j| j.get("lifetime_in_seconds"))
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_ID_TOKEN_LIFETIME);
    Client {
        client_id,
        client_secret,
        name: text("name").unwrap_or_default(),
        grant_types: strings(settings.get("grant_types")),
        login_uri: text("initiate_login_uri"),
        app_type,
        login,
        organization_usage,
        id_token_lifetime,
        settings,
        seeded,
    }
}

/// A fresh client secret.
pub fn new_secret(rng: &mut impl rand::Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..CLIENT_SECRET_LEN)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The application as the Management API prints it: its settings with `client_id`, the secret
/// (only for a caller that may read it) and `signing_keys`, in the provider's order.
/// `signing_keys` holds the tenant's certificate (inf: the recordings redact it to
/// `[{"cert":"[REDACTED]"}]`, so only the `cert` key is known).
pub fn client_json(client: &Client, certificate_pem: &str, with_secret: bool) -> Map<String, Value> {
    let mut all = client.settings.clone();
    all.insert("client_id".into(), json!(client.client_id));
    // obs (terraform-provider-auth0 TestAccClientAuthenticationMethodsPrivateKeyJWT): an
    // application authenticating with `client_authentication_methods` (and no
    // `token_endpoint_auth_method`) is printed without a secret.
    let credentials_only = all.get("client_authentication_methods").is_some_and(Value::is_object)
        && !all.contains_key("token_endpoint_auth_method");
    if with_secret && !credentials_only {
        all.insert("client_secret".into(), json!(client.client_secret));
    }
    all.insert("signing_keys".into(), json!([{ "cert": certificate_pem }]));
    ordered(all)
}

fn ordered(all: Map<String, Value>) -> Map<String, Value> {
    in_key_order(all, ORDER)
}

/// Creates an application from a validated POST body; a runtime application past the cap makes
/// the oldest runtime one go, with its cascade.
pub fn create_client(state: &mut TenantState, body: Map<String, Value>) -> &Client {
    let client_id = random_alnum(&mut state.rng, CLIENT_ID_LEN);
    let secret = new_secret(&mut state.rng);
    let client = derive(client_id, secret, new_settings(body, state.era), false);
    let runtime = state.clients.iter().filter(|c| !c.seeded).count();
    if runtime >= state.bounds.clients.capacity()
        && let Some(oldest) = state.clients.iter().find(|c| !c.seeded).map(|c| c.client_id.clone())
    {
        delete_client(state, &oldest);
        state.bounds.clients.count(1);
    }
    if client.app_type == "resource_server"
        && let Some(identifier) = client
            .settings
            .get("resource_server_identifier")
            .and_then(Value::as_str)
    {
        crate::auth0::tenant::apis::link_client(&mut state.apis, identifier, &client.client_id);
    }
    state.clients.push(client);
    state.clients.last().expect("just pushed")
}

/// Applies a validated PATCH body to the application at `index`.
/// A `client_secret` in the body sets the secret (doc: UpdateClientRequestContent).
pub fn update_client(state: &mut TenantState, index: usize, mut body: Map<String, Value>) -> &Client {
    let old = &state.clients[index];
    let secret = match body.shift_remove("client_secret") {
        Some(Value::String(secret)) => secret,
        _ => old.client_secret.clone(),
    };
    let mut settings = old.settings.clone();
    patch_settings(&mut settings, body);
    let updated = derive(old.client_id.clone(), secret, settings, old.seeded);
    state.clients[index] = updated;
    &state.clients[index]
}

/// A new secret for the application at `index`; the old one stops working at once (doc:
/// "Rotate a client secret": the previous secret is no longer valid).
pub fn rotate_secret(state: &mut TenantState, index: usize) -> &Client {
    let secret = new_secret(&mut state.rng);
    state.clients[index].client_secret = secret;
    &state.clients[index]
}

/// Deletes an application and everything that names it: its grants, the refresh tokens and
/// opaque access tokens it was issued, its browser-login families, codes and transactions, and
/// its M2M quota. Browser sessions stay: they are the user's single sign-on with the tenant, not
/// the application's. `false` when no application has that id.
pub fn delete_client(state: &mut TenantState, client_id: &str) -> bool {
    let TenantState {
        clients,
        grants,
        refresh_tokens,
        logins,
        token_quotas,
        mfa,
        // Configuration and records that name no application by id; a ticket's `client_id`
        // only picks the page's link back and a missing client falls back to the tenant's.
        login: _,
        era: _,
        search_timeout: _,
        default_directory: _,
        default_audience: _,
        settings: _,
        apis,
        management_api: _,
        connections,
        users: _,
        tickets: _,
        outbox: _,
        jobs: _,
        imports: _,
        brute_force: _,
        signup_user_exists_error: _,
        rbac: _,
        form_tokens: _,
        rng: _,
        bounds: _,
        organizations,
    } = state;
    // Its invitations name it in their link.
    organizations.forget_client(client_id);
    let before = clients.len();
    clients.retain(|c| c.client_id != client_id);
    if clients.len() == before {
        return false;
    }
    for grant in grants.iter().filter(|g| g.client_id == client_id) {
        organizations.forget_grant(&grant.id);
    }
    grants.retain(|g| g.client_id != client_id);
    crate::auth0::tenant::apis::unlink_client(apis, client_id);
    refresh_tokens.retain(|_, grant| grant.client_id != client_id);
    logins.forget_client(client_id);
    token_quotas.forget(client_id);
    mfa.forget_client(client_id);
    for connection in connections.iter_mut() {
        connection.forget_client(client_id);
    }
    true
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::auth0::tenant::seed::Fixture;
    use crate::core::bounded::Cap;
    use crate::core::clock::Clock;

    fn state() -> TenantState {
        Fixture::default_auth0()
            .state(&Clock::manual(datetime!(2026-01-01 00:00 UTC)))
            .expect("the default fixture seeds")
    }

    fn named(name: &str) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        body
    }

    #[test]
    fn runtime_applications_past_the_cap_evict_the_oldest_with_its_grants_and_seeds_stay() {
        let mut state = state();
        let seeded = state.clients.len();
        state.bounds.clients = Cap::new(2);
        let first = create_client(&mut state, named("a")).client_id.clone();
        state.grants.push(crate::auth0::tenant::model::ClientGrant {
            id: "cgr_x".into(),
            client_id: first.clone(),
            audience: "management".into(),
            scopes: vec![],
            all_scopes: false,
            extra: Map::new(),
            seeded: false,
        });
        create_client(&mut state, named("b"));
        create_client(&mut state, named("c"));
        assert_eq!(state.clients.len(), seeded + 2);
        assert!(state.client(&first).is_none(), "the oldest runtime application went");
        assert!(state.grants.iter().all(|g| g.client_id != first), "with its grant");
        assert_eq!(state.bounds.clients.evicted(), 1);
    }

    #[test]
    fn seeded_applications_render_their_fixture_settings_and_derive_the_same_login() {
        let state = state();
        let spa = state
            .clients
            .iter()
            .find(|c| c.app_type == "spa")
            .expect("a seeded SPA");
        assert!(spa.login.refresh.rotating);
        assert_eq!(spa.login.token_endpoint_auth_method, "none");
        let rendered = client_json(spa, "PEM", false);
        assert_eq!(rendered["refresh_token"]["idle_token_lifetime"], 1_296_000);
        assert!(rendered.get("client_secret").is_none());
        let keys: Vec<&str> = rendered.keys().map(String::as_str).collect();
        assert_eq!(&keys[..3], ["name", "client_id", "app_type"]);
    }
}
