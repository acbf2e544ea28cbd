//! The tenant's settings as `/api/v2/tenants/settings` keeps them: a stored document (the
//! printed settings: a fresh tenant's, or the fixture's), rendered in the provider's key order. Two of them are the
//! tenant's own configuration and take effect at once: `default_audience` (read by the token and
//! login paths through `Tenant::default_audience`) and `default_directory` (the connection of the
//! plain `password` grant); they live in the state's fields of those names, not in the document.
//!
//! Shapes from the public recordings (facts in `docs/management-api.md` §4). Depends on the state.

use serde_json::{Map, Value, json};

use crate::auth0::tenant::logins::SessionLifetimes;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::format::in_key_order;

/// The order the provider prints the stored settings' keys in. obs: every pair of these keys comes
/// in this order in the 205 settings bodies of go-auth0 (TestTenantManager*, 2025-11 to 2026-07)
/// and terraform-provider-auth0 (TestAccTenant*, TestAccDataSourceTenant, TestAccPages, …, 2026),
/// up to `sandbox_versions_available` (what a read prints after it is not stored). A key not
/// listed goes last, in the order it was set (inf: none is recorded).
const ORDER: &[&str] = &[
    "allowed_logout_urls",
    "acr_values_supported",
    "change_password",
    "default_audience",
    "default_directory",
    "default_redirection_uri",
    "default_token_quota",
    "enabled_locales",
    "error_page",
    "flags",
    "friendly_name",
    "guardian_mfa_page",
    "idle_session_lifetime",
    "ephemeral_session_lifetime",
    "idle_ephemeral_session_lifetime",
    "picture_url",
    "sandbox_version",
    "session_lifetime",
    "support_email",
    "support_url",
    "sessions",
    "oidc_logout",
    "allow_organization_name_in_authentication_api",
    "customize_mfa_in_postlogin_action",
    "pushed_authorization_requests_supported",
    "mtls",
    "skip_non_verifiable_callback_uri_confirmation_prompt",
    "universal_login",
    "resource_parameter_profile",
    "phone_consolidated_experience",
    "client_id_metadata_document_supported",
    "country_codes",
    "dynamic_client_registration_security_mode",
    "session_cookie",
];

/// The properties sent in minutes and kept in hours under the name without `_in_minutes` (obs:
/// TestTenantManager, `"idle_ephemeral_session_lifetime_in_minutes":15` printed as
/// `"idle_ephemeral_session_lifetime":0.25`).
const IN_MINUTES: &str = "_in_minutes";

/// A fresh tenant's settings (obs: the first read of go-auth0
/// TestTenantManager_CIMDAndResourceParameterProfile, 2026, the newest tenant recorded, but for
/// the session lifetimes, which are the documented defaults where that tenant had changed them;
/// `resource_parameter_profile` and `client_id_metadata_document_supported` left out: the tenant
/// printed them only after the test had set them).
pub(crate) fn defaults() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "change_password": {"enabled": false},
        "enabled_locales": ["en"],
        "flags": {
            "allow_changing_enable_sso": false,
            "disable_impersonation": true,
            "enable_sso": true,
            "universal_login": true,
            "revoke_refresh_token_grant": false,
            "disable_clickjack_protection_headers": false
        },
        "guardian_mfa_page": {"enabled": false},
        // doc (facts auth0-login.md §2.1, DOC-sess): 3 days idle, 30 days at most.
        "idle_session_lifetime": 72,
        "ephemeral_session_lifetime": 1,
        "idle_ephemeral_session_lifetime": 1,
        "sandbox_version": "22",
        "session_lifetime": 720,
        "oidc_logout": {"rp_logout_end_session_endpoint_discovery": true},
        "phone_consolidated_experience": true
    }) else {
        unreachable!("an object literal")
    };
    map
}

/// The sandbox versions a read lists after the stored settings (obs:
/// TestTenantManager_CIMDAndResourceParameterProfile, 2026), followed by the era's defaults of
/// settings not stored (`WireEra::settings_read_defaults`). Printed by `GET` only, never in a
/// `PATCH` answer (obs: every recorded `PATCH`).
const SANDBOX_VERSIONS: &[&str] = &["22", "18"];

impl TenantState {
    /// The name the tenant's mail is sent under: its `friendly_name` once set, else `tenant_name`
    /// (inf: the built-in email provider's templates sign with the tenant's friendly name; the
    /// recordings show no mail).
    pub fn sender_name<'a>(&'a self, tenant_name: &'a str) -> &'a str {
        self.settings
            .get("friendly_name")
            .and_then(Value::as_str)
            .filter(|name| !name.is_empty())
            .unwrap_or(tenant_name)
    }
}

/// Applies one validated `PATCH` body: `null` removes a setting (obs:
/// TestTenantManager_NullableFields `{"acr_values_supported":null,"mtls":null,...}`), `flags`
/// merge flag by flag (obs: TestAccTenant_Main keeps the flags it did not send), the rest
/// replace. `default_audience` and `default_directory` change the tenant's own; an empty one
/// unsets it and is printed empty (obs: TestAccDataSourceTenant `"default_audience":""`). The
/// session lifetimes apply to the tenant's browser sessions at once, live ones included.
pub(crate) fn update(state: &mut TenantState, body: Map<String, Value>) {
    apply(state, body);
    state.logins.lifetimes = session_lifetimes(&state.settings);
}

fn apply(state: &mut TenantState, body: Map<String, Value>) {
    for (key, value) in body {
        match key.as_str() {
            "default_audience" | "default_directory" => {
                let text = value.as_str().unwrap_or_default().to_owned();
                let slot = if key == "default_audience" {
                    &mut state.default_audience
                } else {
                    &mut state.default_directory
                };
                *slot = (!text.is_empty()).then(|| text.clone());
                state.settings.insert(key, Value::String(text));
            }
            "flags" => {
                let flags = state
                    .settings
                    .entry("flags")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let (Value::Object(stored), Value::Object(sent)) = (flags, value) {
                    stored.extend(sent);
                }
            }
            // obs: TestAccTenant_DefaultRedirectionURI, `"default_redirection_uri":""` removes it.
            "default_redirection_uri" if value.is_null() || value == "" => {
                state.settings.shift_remove(&key);
            }
            _ if value.is_null() => {
                state.settings.shift_remove(&key);
            }

            _ => {
                let (key, value) = match key.strip_suffix(IN_MINUTES) {
                    Some(hours_key) => (hours_key.to_owned(), in_hours(&value)),
                    None => (key, value),
                };
                state.settings.insert(key, value);
            }
        }
    }
}

/// The session lifetimes the settings give (hours, fractions allowed), the defaults where unset.
pub(crate) fn session_lifetimes(settings: &Map<String, Value>) -> SessionLifetimes {
    let seconds = |key: &str, default: i64| {
        settings
            .get(key)
            .and_then(Value::as_f64)
            // The schema bounds a lifetime to 8760 hours, so this cannot overflow.
            .map_or(default, |hours| (hours * 3600.0).round() as i64)
    };
    let defaults = SessionLifetimes::default();
    SessionLifetimes {
        idle: seconds("idle_session_lifetime", defaults.idle),
        absolute: seconds("session_lifetime", defaults.absolute),
    }
}

fn in_hours(minutes: &Value) -> Value {
    let minutes = minutes.as_i64().unwrap_or_default();
    if minutes % 60 == 0 {
        return json!(minutes / 60);
    }
    #[allow(clippy::cast_precision_loss, reason = "the schema bounds minutes to a year")]
    let hours = minutes as f64 / 60.0;
    serde_json::Number::from_f64(hours).map_or(Value::Null, Value::Number)
}

/// Which answer the settings are printed in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    Read,
    Update,
}

/// The settings as printed: the ordered keys first, the rest in the order they were set, the
/// resolved default audience for one named `management` in the fixture.
pub(crate) fn render(state: &TenantState, default_audience: Option<String>, printed: Printed) -> Map<String, Value> {
    let mut stored = state.settings.clone();
    if let Some(audience) = default_audience {
        stored.insert("default_audience".into(), Value::String(audience));
    }
    if let Some(directory) = &state.default_directory {
        stored.insert("default_directory".into(), Value::String(directory.clone()));
    }
    let mut out = in_key_order(stored, ORDER);
    if printed == Printed::Update
        && let Some(Value::Object(flags)) = out.get_mut("flags")
    {
        *flags = with_update_flags(std::mem::take(flags));
    }
    if printed == Printed::Read {
        out.insert("sandbox_versions_available".into(), json!(SANDBOX_VERSIONS));
        for (key, value) in state.era.settings_read_defaults() {
            if !out.contains_key(key) {
                out.insert(key.to_owned(), value);
            }
        }
    }
    out
}

/// The flags a `PATCH` answer prints and a read does not, each `true`, each before the first flag
/// whose name sorts after its own. obs: all 58 recorded `PATCH` answers with flags, go-auth0 and
/// terraform-provider-auth0 alike, and none of the reads.
const UPDATE_FLAGS: &[&str] = &[
    "cannot_change_enforce_client_authentication_on_passwordless_start",
    "enforce_client_authentication_on_passwordless_start",
];

fn with_update_flags(flags: Map<String, Value>) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = flags.into_iter().collect();
    for flag in UPDATE_FLAGS {
        if entries.iter().any(|(name, _)| name == flag) {
            continue;
        }
        let at = entries
            .iter()
            .position(|(name, _)| name.as_str() > *flag)
            .unwrap_or(entries.len());
        entries.insert(at, ((*flag).to_owned(), Value::Bool(true)));
    }
    entries.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_answer_prints_the_two_passwordless_flags_in_place() {
        let Value::Object(flags) = json!({"allow_changing_enable_sso": false, "disable_impersonation": true,
            "enable_sso": true, "new_universal_login_experience_enabled": true})
        else {
            unreachable!()
        };
        let names: Vec<String> = with_update_flags(flags).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                "allow_changing_enable_sso",
                "cannot_change_enforce_client_authentication_on_passwordless_start",
                "disable_impersonation",
                "enable_sso",
                "enforce_client_authentication_on_passwordless_start",
                "new_universal_login_experience_enabled"
            ]
        );
    }

    #[test]
    fn minutes_are_kept_in_hours() {
        assert_eq!(in_hours(&json!(15)), json!(0.25));
        assert_eq!(in_hours(&json!(120)), json!(2));
    }
}
