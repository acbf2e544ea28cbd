//! Connections as the Management API keeps them (`/api/v2/connections`): the stored document, the
//! defaults a new database connection gets, the fields signup, login, password change and
//! `/authorize?connection=` read (derived from the document on every change, so an update takes
//! effect at once), the rendering in the provider's key order, the enabled applications, and the
//! deletion cascade. Other strategies (social, enterprise, passwordless) are stored and printed
//! as sent, with no login behaviour.
//!
//! Every shape here is from the public recordings of the provider's own clients (facts in
//! `docs/management-api.md` §4; cassettes named there). Depends on the records and the state.

use serde_json::{Map, Value, json};

use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::model::{Client, Connection, PasswordRules};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::format::in_key_order;
use crate::auth0::wire::sealed::seal;
use crate::core::password::{PasswordPolicy, Strength};

/// `con_` and 16 alphanumerics (obs: every recorded id).
const ID_LEN: usize = 16;
/// A provisioning ticket: 8 alphanumerics (obs: most recorded ones; some have 32).
const PROVISIONING_TICKET_LEN: usize = 8;

/// The order the provider prints a connection's keys in (obs: the precedence of the pairs of
/// keys in 1048 recorded connection bodies of both repositories; `realms` and `enabled_clients`
/// come in either order in some months' reads, facts §4.2). Keys not listed (`metadata`,
/// `cross_app_access_*`, …) follow in the order they were stored (obs: after `realms` in
/// terraform-provider-auth0's reads; go-auth0's OIDC create prints
/// `cross_app_access_requesting_app` before `display_name`, declared).
const ORDER: &[&str] = &[
    "id",
    "options",
    "strategy",
    "name",
    "provisioning_ticket_url",
    "is_domain_connection",
    "show_as_button",
    "authentication",
    "connected_accounts",
    "display_name",
    "enabled_clients",
    "realms",
];

/// The database strategy.
pub const DATABASE: &str = "auth0";

/// A new database connection's options before the sent ones (obs: go-auth0 v1
/// TestConnectionManager_Create/It_can_successfully_create_a_Auth0_Connection.yaml and
/// TestConnectionManager_CreateDBConnectionWithDifferentOptions, 2025-10 and 2026-04: `mfa`,
/// `passwordPolicy` "good", `strategy_version` 2, `authentication_methods`, `passkey_options`,
/// `brute_force_protection` true, in that order, sent options between `passwordPolicy` and
/// `strategy_version`).
fn database_options(sent: Map<String, Value>) -> Map<String, Value> {
    let mut options = Map::new();
    options.insert("mfa".into(), json!({"active": true, "return_enroll_settings": true}));
    // obs (…With_PasswordOptions_*): a connection created with `password_options` prints none.
    if !sent.contains_key("password_options") {
        options.insert("passwordPolicy".into(), json!("good"));
    }
    let mut tail = Map::new();
    tail.insert("strategy_version".into(), json!(2));
    tail.insert(
        "authentication_methods".into(),
        json!({"password": {"enabled": true, "api_behavior": "required", "signup_behavior": "allow"},
               "passkey": {"enabled": false}}),
    );
    tail.insert(
        "passkey_options".into(),
        json!({"challenge_ui": "both", "progressive_enrollment_enabled": true, "local_enrollment_enabled": true}),
    );
    tail.insert("brute_force_protection".into(), json!(true));
    for (key, value) in sent {
        if tail.contains_key(&key) {
            tail.insert(key, value);
        } else {
            options.insert(key, value);
        }
    }
    options.extend(tail);
    options
}

/// Enterprise strategies: created with `"show_as_button":false` unless sent (obs: every recorded
/// create of these strategies, 2022-10 to 2026-08).
const ENTERPRISE: &[&str] = &[
    "ad",
    "adfs",
    "google-apps",
    "oidc",
    "okta",
    "pingfederate",
    "samlp",
    "waad",
];
/// Strategies created with `display_name` of the connection's name unless sent (obs: every
/// recorded create of them).
const NAMED: &[&str] = &["oidc", "okta", "waad"];
/// Strategies with a provisioning ticket (obs: `provisioning_ticket_url` in every recorded create
/// of them: `https://<tenant domain>/p/<strategy>/<ticket>`, the ticket 8 or 32 alphanumerics;
/// `waad` and `google-apps` put the tenant's name before `/p/`, inf: one shape here).
const PROVISIONED: &[&str] = &["ad", "adfs", "google-apps", "pingfederate", "samlp", "waad"];

/// What a new connection's document depends on besides the request.
pub struct NewConnection<'a> {
    pub era: WireEra,
    /// The tenant's base URL, for `provisioning_ticket_url`.
    pub base_url: &'a str,
    /// The provisioning ticket, for the strategies that print one.
    pub ticket: String,
}

/// A new connection's stored document (without `id` and `enabled_clients`): the request over the
/// recorded defaults. Database connections get the default options; other strategies keep the
/// options as sent (inf: the provider adds per-strategy defaults the recordings show only in part).
pub fn new_settings(mut body: Map<String, Value>, new: &NewConnection<'_>) -> Map<String, Value> {
    let strategy = body
        .get("strategy")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let sent_options = match body.shift_remove("options") {
        Some(Value::Object(options)) => options,
        _ => Map::new(),
    };
    let mut settings = Map::new();
    let options = if strategy == DATABASE {
        database_options(sent_options)
    } else {
        sent_options
    };
    settings.insert("options".into(), Value::Object(options));
    settings.insert("strategy".into(), json!(strategy));
    settings.insert("name".into(), json!(name));
    if PROVISIONED.contains(&strategy.as_str()) {
        let url = format!("{}/p/{strategy}/{}", new.base_url, new.ticket);
        settings.insert("provisioning_ticket_url".into(), json!(url));
    }
    // obs: every recorded create answers `is_domain_connection` false unless sent, and `realms`
    // of the connection's name.
    settings.insert("is_domain_connection".into(), json!(false));
    if ENTERPRISE.contains(&strategy.as_str()) {
        settings.insert("show_as_button".into(), json!(false));
    }
    if NAMED.contains(&strategy.as_str()) {
        settings.insert("display_name".into(), json!(name));
    }
    if new.era.connection_purposes() {
        settings.insert("authentication".into(), json!({"active": true}));
        settings.insert("connected_accounts".into(), json!({"active": false}));
    }
    settings.insert("realms".into(), json!([name]));
    for (key, value) in body {
        if !value.is_null() {
            settings.insert(key, value);
        }
    }
    settings
}

/// Lays a PATCH body over a stored document: each property is replaced, `options` whole (doc:
/// "Update a connection": "the entire options object will be overridden"); `null` removes one.
pub fn patch_settings(settings: &mut Map<String, Value>, body: Map<String, Value>) {
    for (key, value) in body {
        if value.is_null() {
            settings.shift_remove(&key);
        } else {
            settings.insert(key, value);
        }
    }
}

fn option_flag(options: &Map<String, Value>, key: &str) -> bool {
    match options.get(key) {
        Some(Value::Bool(on)) => *on,
        // `password_dictionary` and `password_no_personal_info` are `{"enable": bool, …}`.
        Some(Value::Object(object)) => object.get("enable").and_then(Value::as_bool).unwrap_or(false),
        _ => false,
    }
}

/// What the login paths read of a database connection's options: `passwordPolicy` (absent or
/// `null`: none, inf), `password_complexity_options.min_length`, `password_history`,
/// `password_dictionary`, `password_no_personal_info` and `requires_username` (doc: "Update a
/// connection", the options of the `auth0` strategy), and the newer `password_options`
/// (`history`, `dictionary`, `profile_data`, `complexity.min_length`; obs: go-auth0
/// TestConnectionManager_CreateDBConnectionWithDifferentOptions).
fn password_settings(options: &Map<String, Value>) -> (PasswordPolicy, PasswordRules) {
    let strength = options
        .get("passwordPolicy")
        .cloned()
        .and_then(|v| serde_json::from_value::<Strength>(v).ok())
        .unwrap_or(Strength::None);
    let newer = options.get("password_options").and_then(Value::as_object);
    let active = |key: &str| {
        newer
            .and_then(|p| p.get(key))
            .and_then(|o| o.get("active"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let min_length = options
        .get("password_complexity_options")
        .and_then(|o| o.get("min_length"))
        .or_else(|| {
            newer
                .and_then(|p| p.get("complexity"))
                .and_then(|c| c.get("min_length"))
        })
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok());
    let history = options
        .get("password_history")
        .filter(|h| h.get("enable") == Some(&json!(true)));
    let history_size = history
        .and_then(|h| h.get("size"))
        .or_else(|| {
            newer
                .and_then(|p| p.get("history"))
                .filter(|_| active("history"))
                .and_then(|h| h.get("size"))
        })
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    (
        PasswordPolicy { strength, min_length },
        PasswordRules {
            history_size,
            dictionary: option_flag(options, "password_dictionary") || active("dictionary"),
            no_personal_info: option_flag(options, "password_no_personal_info") || active("profile_data"),
        },
    )
}

/// The connection the login paths read, from its document.
pub fn derive(
    id: String,
    settings: Map<String, Value>,
    enabled_clients: Option<Vec<String>>,
    seeded: bool,
) -> Connection {
    let text = |key: &str| settings.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let empty = Map::new();
    let options = settings.get("options").and_then(Value::as_object).unwrap_or(&empty);
    let (password_policy, password_rules) = password_settings(options);
    Connection {
        id,
        name: text("name"),
        strategy: text("strategy"),
        password_policy,
        requires_username: option_flag(options, "requires_username"),
        password_rules,
        enabled_clients,
        settings,
        seeded,
    }
}

/// The document a seeded connection prints: its fixture settings as options (inf: a seed names
/// only what authmock models), a database connection's over the defaults a new one gets (obs:
/// connections that existed before a recorded test print them: go-auth0's default
/// `Username-Password-Authentication`, TestJobManager_*, `mfa` and `strategy_version` 2;
/// terraform-provider-auth0 TestAccConnectionClientsImport, 2026-04, also
/// `authentication_methods` and `passkey_options`). No connection purposes: that connection, read
/// in their era, has none (obs).
pub fn seed_settings(
    name: &str,
    strategy: &str,
    policy: PasswordPolicy,
    rules: PasswordRules,
    requires_username: bool,
) -> Map<String, Value> {
    let mut options = Map::new();
    if strategy == DATABASE {
        options.insert("passwordPolicy".into(), json!(policy.strength));
        if let Some(min_length) = policy.min_length {
            options.insert(
                "password_complexity_options".into(),
                json!({ "min_length": min_length }),
            );
        }
        if rules.history_size > 0 {
            options.insert(
                "password_history".into(),
                json!({"enable": true, "size": rules.history_size}),
            );
        }
        options.insert("password_dictionary".into(), json!({"enable": rules.dictionary}));
        options.insert(
            "password_no_personal_info".into(),
            json!({"enable": rules.no_personal_info}),
        );
        options.insert("requires_username".into(), json!(requires_username));
        options = database_options(options);
    }
    let mut settings = Map::new();
    settings.insert("options".into(), Value::Object(options));
    settings.insert("strategy".into(), json!(strategy));
    settings.insert("name".into(), json!(name));
    settings.insert("is_domain_connection".into(), json!(false));
    settings.insert("realms".into(), json!([name]));
    settings
}

/// The applications a connection is enabled for, in the tenant's order of applications (a
/// connection enabled for all of them, as a seed may be, lists all; inf).
pub fn enabled_client_ids(connection: &Connection, clients: &[Client]) -> Vec<String> {
    clients
        .iter()
        .filter(|c| connection.enabled_for(&c.client_id))
        .map(|c| c.client_id.clone())
        .collect()
}

/// How `options.configuration` is printed: as sent in the answer of the create or update that
/// sent it, sealed on every read (`wire::sealed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Configuration {
    AsSent,
    Sealed,
}

/// The connection as the Management API prints it, in the provider's order.
pub fn connection_json(
    connection: &Connection,
    clients: &[Client],
    configuration: Configuration,
) -> Map<String, Value> {
    let mut all = connection.settings.clone();
    if configuration == Configuration::Sealed
        && let Some(Value::Object(values)) = all
            .get_mut("options")
            .and_then(Value::as_object_mut)
            .and_then(|options| options.get_mut("configuration"))
    {
        for (key, value) in values.iter_mut() {
            if let Value::String(text) = value {
                *text = seal(&connection.id, key, text);
            }
        }
    }
    all.insert("id".into(), json!(connection.id));
    all.insert("enabled_clients".into(), json!(enabled_client_ids(connection, clients)));
    in_key_order(all, ORDER)
}

/// Why a create or update is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Another connection has that name.
    NameTaken,
    /// `options.attributes` beside `options.requires_username` or `options.validation`: the
    /// conflicting key.
    AttributesWith(&'static str),
    /// A PATCH that turns `options.enabledDatabaseCustomization` on or off while the connection
    /// holds users.
    CustomizationLocked,
}

/// Whether `settings` use a legacy store (`options.enabledDatabaseCustomization`, off when absent).
fn customized(settings: &Map<String, Value>) -> bool {
    settings
        .get("options")
        .and_then(|o| o.get("enabledDatabaseCustomization"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The recorded refusals of a database connection's options (obs: go-auth0
/// TestConnectionManager_CreateDBConnectionWithDifferentOptions, 2026-04).
fn check_options(settings: &Map<String, Value>) -> Result<(), Refusal> {
    let Some(options) = settings.get("options").and_then(Value::as_object) else {
        return Ok(());
    };
    if options.get("attributes").is_some_and(Value::is_object) {
        // obs (terraform-provider-auth0 TestAccConnectionOptionsAttrSetValidationNegative): a
        // `requires_username` of false beside `attributes` is no conflict.
        if options.get("requires_username") == Some(&Value::Bool(true)) {
            return Err(Refusal::AttributesWith("requires_username"));
        }
        if options.contains_key("validation") {
            return Err(Refusal::AttributesWith("validation"));
        }
    }
    Ok(())
}

/// Creates a connection from a validated POST body; `make_room` (the caller passes
/// `lifecycle::make_room_for_connection`) keeps the runtime connections under their cap once the
/// body is known to be accepted.
pub fn create_connection<'s>(
    state: &'s mut TenantState,
    mut body: Map<String, Value>,
    base_url: &str,
    make_room: impl FnOnce(&mut TenantState),
) -> Result<&'s Connection, Refusal> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if state.connections.iter().any(|c| c.name == name) {
        return Err(Refusal::NameTaken);
    }
    let enabled = body
        .shift_remove("enabled_clients")
        .map(|v| strings(&v))
        .unwrap_or_default();
    let new = NewConnection {
        era: state.era,
        base_url,
        ticket: random_alnum(&mut state.rng, PROVISIONING_TICKET_LEN),
    };
    let settings = new_settings(body, &new);
    check_options(&settings)?;
    // Only a create that will succeed makes room: a refused one evicts nothing.
    make_room(state);
    let id = format!("con_{}", random_alnum(&mut state.rng, ID_LEN));
    state.connections.push(derive(id, settings, Some(enabled), false));
    Ok(state.connections.last().expect("just pushed"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Applies a validated PATCH body to the connection at `index` (`enabled_clients` replaces the
/// list, doc).
pub fn update_connection(
    state: &mut TenantState,
    index: usize,
    mut body: Map<String, Value>,
) -> Result<&Connection, Refusal> {
    let old = &state.connections[index];
    let enabled = match body.shift_remove("enabled_clients") {
        Some(list) => Some(strings(&list)),
        None => old.enabled_clients.clone(),
    };
    let mut settings = old.settings.clone();
    patch_settings(&mut settings, body);
    check_options(&settings)?;
    // doc (Management API OAS, connections PATCH): the setting is locked once the connection
    // holds users.
    if customized(&settings) != customized(&old.settings) && state.users.iter().any(|u| u.connection == old.name) {
        return Err(Refusal::CustomizationLocked);
    }
    let updated = derive(old.id.clone(), settings, enabled, old.seeded);
    state.connections[index] = updated;
    Ok(&state.connections[index])
}

/// Enables (`true`) or disables applications for the connection at `index` (`PATCH
/// /connections/{id}/clients`). A connection enabled for every application (a seed's) first
/// becomes enabled for each of them by name.
pub fn set_enabled_clients(state: &mut TenantState, index: usize, changes: &[(String, bool)]) {
    let mut enabled = enabled_client_ids(&state.connections[index], &state.clients);
    for (client_id, on) in changes {
        enabled.retain(|c| c != client_id);
        if *on {
            enabled.push(client_id.clone());
        }
    }
    state.connections[index].enabled_clients = Some(enabled);
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use crate::auth0::tenant::lifecycle::make_room_for_connection;
    use crate::auth0::tenant::seed::Fixture;
    use crate::core::bounded::Cap;
    use crate::core::clock::Clock;

    fn create(state: &mut TenantState, name: &str) -> Result<String, Refusal> {
        let body = json!({"name": name, "strategy": "auth0"});
        let body = body.as_object().expect("an object").clone();
        create_connection(state, body, "http://127.0.0.1:4010", make_room_for_connection).map(|c| c.id.clone())
    }

    /// A create refused for its name makes no room: the oldest runtime connection stays.
    #[test]
    fn a_refused_create_evicts_nothing_and_an_accepted_one_the_oldest() {
        let mut state = Fixture::default_auth0()
            .state(&Clock::manual(datetime!(2026-01-01 00:00 UTC)))
            .expect("the default fixture seeds");
        state.bounds.connections = Cap::new(1);
        let first = create(&mut state, "first").expect("room for one");
        assert!(matches!(create(&mut state, "first"), Err(Refusal::NameTaken)));
        assert!(
            state.connections.iter().any(|c| c.id == first),
            "the refused create evicted nothing"
        );
        create(&mut state, "second").expect("the oldest makes room");
        assert!(state.connections.iter().all(|c| c.id != first));
        assert_eq!(state.bounds.connections.evicted(), 1);
    }
}
