//! Which connection and organization a browser login uses: the `connection` and
//! `organization` parameters of `/authorize` (facts auth0-login.md §1.1, §1.3).
//!
//! A connection is enabled for the applications its `enabled_clients` lists (the Management
//! API's connection field; absent in the fixture: every application, inf: keeps fixtures written
//! before the field existed working). An application's `organization_usage` (`deny`, `allow`,
//! `require`: the Management API's client field, doc) says whether `organization` may or must be
//! sent. authmock seeds no organizations, so a login can never name one that exists; what it
//! answers instead is listed on [`CallbackError`]'s organization variants.
//! Depends on the tenant state only; `authorize.rs` calls [`check`].

use crate::auth0::tenant::applications::OrganizationUsage;
use crate::auth0::tenant::model::Connection;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::login_error::CallbackError;

/// Checks `connection` and `organization` for an application whose callback is proven; the
/// error travels back to the callback (facts §1.3 rule, DOC-errpage). Returns the connection the
/// login page authenticates against, when one was named.
pub(super) fn check(
    state: &TenantState,
    client_id: &str,
    usage: OrganizationUsage,
    connection: Option<&str>,
    organization: Option<&str>,
) -> Result<Option<String>, CallbackError> {
    let enabled: Vec<&Connection> = state
        .connections()
        .iter()
        .filter(|c| c.enabled_for(client_id))
        .collect();
    let chosen = match connection {
        Some(name) => match enabled.iter().find(|c| c.name == name) {
            Some(found) => Some(found.name.clone()),
            None => {
                let exists = state.connection_by_name(name).is_some();
                return Err(CallbackError::ConnectionNotFound {
                    name: name.to_owned(),
                    exists,
                    enabled: enabled.iter().map(|c| c.name.clone()).collect(),
                });
            }
        },
        // A tenant without any connection is a fixture that never logs anyone in through the
        // page; only refuse when connections exist and none is this application's.
        None if !state.connections().is_empty() && enabled.is_empty() => {
            return Err(CallbackError::NoConnectionsEnabled);
        }
        None => None,
    };
    match (usage, organization) {
        (OrganizationUsage::Require, None) => Err(CallbackError::OrganizationRequired),
        (_, None) => Ok(chosen),
        (OrganizationUsage::Deny, Some(_)) => Err(CallbackError::OrganizationNotAllowed),
        (_, Some(org)) if !org.starts_with("org_") => Err(CallbackError::OrganizationNotAnId { value: org.to_owned() }),
        (_, Some(org)) => Err(CallbackError::OrganizationNotFound { value: org.to_owned() }),
    }
}

/// The connection the login page checks the password against: the one `/authorize` named, else
/// the tenant's Default Directory when this application may use it, else the application's first
/// enabled database connection (inf: Auth0 shows every enabled connection; authmock's page has a
/// single form). Empty when the tenant has no connections (then any user matches).
pub(super) fn for_login(state: &TenantState, client_id: &str, requested: Option<&str>) -> String {
    if let Some(name) = requested {
        return name.to_owned();
    }
    let usable = |name: &str| state.connection_by_name(name).is_some_and(|c| c.enabled_for(client_id));
    match &state.default_directory() {
        Some(name) if usable(name) => name.clone(),
        _ => state
            .connections()
            .iter()
            .find(|c| c.enabled_for(client_id) && c.strategy == "auth0")
            .map(|c| c.name.clone())
            .or_else(|| state.default_directory().clone())
            .unwrap_or_default(),
    }
}
