//! Which connection and organization a browser login uses: the `connection` and
//! `organization` parameters of `/authorize` (facts auth0-login.md §1.1, §1.3).
//!
//! A connection is enabled for the applications its `enabled_clients` lists (the Management
//! API's connection field; absent in the fixture: every application, inf: keeps fixtures written
//! before the field existed working). An application's `organization_usage` (`deny`, `allow`,
//! `require`: the Management API's client field, doc) says whether `organization` may or must be
//! sent; an application that requires one may prompt for it instead (`org_prompt`).
//! Depends on the tenant state only; `authorize.rs` calls [`check`].

use crate::auth0::tenant::applications::OrganizationUsage;
use time::OffsetDateTime;

use crate::auth0::tenant::logins::AuthorizeRequest;
use crate::auth0::tenant::model::{Client, Connection};
use crate::auth0::tenant::organizations::admit_at_login;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::login_error::CallbackError;
use crate::auth0::wire::organization_pages::{ORGANIZATION_PATH, ORGANIZATION_PICKER_PATH};

/// How an application that requires organizations asks for one when `/authorize` names none
/// (its `organization_require_behavior`, doc: DOC-org define-organization-behavior).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OrgPrompt {
    /// `no_prompt` (the default): the request is refused.
    None,
    /// `pre_login_prompt`: the user names the organization before logging in (`/u/organization`).
    PreLogin,
    /// `post_login_prompt`: the user picks one of their organizations after logging in
    /// (`/u/organization-picker`).
    PostLogin,
}

/// The application's prompt for an organization.
pub(super) fn org_prompt(client: &Client) -> OrgPrompt {
    match client
        .settings
        .get("organization_require_behavior")
        .and_then(|v| v.as_str())
    {
        Some("pre_login_prompt") => OrgPrompt::PreLogin,
        Some("post_login_prompt") => OrgPrompt::PostLogin,
        _ => OrgPrompt::None,
    }
}

/// What `/authorize` chose: the connection the login page authenticates against, when one was
/// named, and the organization's id, when one was named.
pub(super) struct Chosen {
    pub connection: Option<String>,
    pub organization: Option<String>,
}

/// Checks `connection` and `organization` for an application whose callback is proven; the
/// error travels back to the callback (facts §1.3 rule, DOC-errpage). An organization is named by
/// its id, or by its name where the tenant allows names (`named_in_login`).
pub(super) fn check(
    state: &TenantState,
    client: &Client,
    connection: Option<&str>,
    organization: Option<&str>,
) -> Result<Chosen, CallbackError> {
    let client_id = client.client_id.as_str();
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
    let names = state.organization_names_in_login();
    let organization = match (client.organization_usage, organization) {
        (OrganizationUsage::Require, None) if org_prompt(client) == OrgPrompt::None => {
            return Err(CallbackError::OrganizationRequired);
        }
        (_, None) => None,
        (OrganizationUsage::Deny, Some(_)) => return Err(CallbackError::OrganizationNotAllowed),
        (_, Some(org)) if !org.starts_with("org_") && !names => {
            return Err(CallbackError::OrganizationNotAnId { value: org.to_owned() });
        }
        (_, Some(org)) => match state.organizations().named_in_login(org, names) {
            Some(found) => Some(found.id.clone()),
            None => return Err(CallbackError::OrganizationNotFound { value: org.to_owned() }),
        },
    };
    Ok(Chosen {
        connection: chosen,
        organization,
    })
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

/// The prompt an application asks when the request names no organization: only an application
/// that requires organizations and prompts (`no_prompt` was refused at `/authorize`).
fn prompt_for(state: &TenantState, request: &AuthorizeRequest) -> OrgPrompt {
    match state.client(&request.client_id) {
        Some(client) if request.organization.is_none() && client.organization_usage == OrganizationUsage::Require => {
            org_prompt(client)
        }
        _ => OrgPrompt::None,
    }
}

/// Whether `/authorize` sends the browser to the organization prompt instead of the login form:
/// a `pre_login_prompt` application that got no organization (facts B6 `/u/organization`).
pub(super) fn prompt_before_login(state: &TenantState, request: &AuthorizeRequest) -> bool {
    prompt_for(state, request) == OrgPrompt::PreLogin
}

/// How a login ends for its organization.
pub(super) enum Settled {
    /// Answer the callback for this request.
    Go,
    /// Refused at the callback.
    Refused(CallbackError),
    /// The logged-in user is asked for the organization first, at this prompt's path.
    Prompt(&'static str),
}

/// The end of a login for `user_id` (facts B6): through an organization, the user must be let in
/// (`admit_at_login` keeps the rules: membership, invitation, auto-membership); without one where
/// the application requires one, the prompt now (the picker after a login; the name prompt when
/// an SSO session skipped the login form).
pub(super) fn settle(
    state: &mut TenantState,
    request: &AuthorizeRequest,
    user_id: &str,
    now: OffsetDateTime,
) -> Settled {
    if let Some(org) = &request.organization {
        let admitted = admit_at_login(
            state,
            org,
            user_id,
            &request.client_id,
            request.invitation.as_deref(),
            now,
        );
        return match admitted {
            Ok(()) => Settled::Go,
            Err(error) => Settled::Refused(error),
        };
    }
    match prompt_for(state, request) {
        OrgPrompt::None => Settled::Go,
        OrgPrompt::PreLogin => Settled::Prompt(ORGANIZATION_PATH),
        OrgPrompt::PostLogin => Settled::Prompt(ORGANIZATION_PICKER_PATH),
    }
}
