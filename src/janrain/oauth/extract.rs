//! What every native call checks before its form: the login client it names, the flow and form
//! it posts, the client credentials of `/oauth/token`, the signed-in user of an access token,
//! and the flow's answer to an email that is empty or not an address.
//!
//! Parameters come decoded by `wire::params` (`NativeParams`: the form body only; `ApiParams`:
//! the body, then the query, facts `janrain.md` §1).

use axum::http::{HeaderMap, header};
use base64::Engine as _;

use crate::janrain::tenant::clients::CaptureClient;
use crate::janrain::tenant::flow::Flow;
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;

/// The login client a native call names, checked to exist and to hold `login_client`.
pub(super) fn login_client<'s>(state: &'s JanrainState, params: &Params) -> Result<&'s CaptureClient, JanrainError> {
    let client_id = params.require("client_id")?;
    let client = state
        .client(client_id)
        .ok_or_else(|| JanrainError::InvalidClientCredentials {
            client_id: client_id.to_owned(),
        })?;
    if !client.is_login_client() {
        return Err(JanrainError::ClientPermission {
            client_id: client_id.to_owned(),
        });
    }
    Ok(client)
}

/// `flow`, `flow_version` (optional), `locale` (optional) and `form` must name the app's flow
/// and the expected form.
pub(super) fn check_flow(state: &JanrainState, params: &Params, form: &str) -> Result<(), JanrainError> {
    let flow = params.require("flow")?;
    if flow != state.flow.name {
        return Err(JanrainError::invalid_value("flow", flow, &state.flow.name));
    }
    if let Some(version) = params.get("flow_version").filter(|v| !v.is_empty())
        && version != state.flow.version
    {
        return Err(JanrainError::invalid_value(
            "flow_version",
            version,
            &state.flow.version,
        ));
    }
    let sent = params.require("form")?;
    if sent != form {
        return Err(JanrainError::invalid_value("form", sent, form));
    }
    Ok(())
}

/// The signed-in user's uuid, after the client, flow and token checks every profile form
/// shares: the token must be the calling client's.
pub(super) fn signed_in(
    state: &JanrainState,
    headers: &HeaderMap,
    params: &Params,
    form: &str,
    now: i64,
) -> Result<String, JanrainError> {
    let client_id = login_client(state, params)?.client_id.clone();
    check_flow(state, params, form)?;
    let (uuid, token_client) = state.signed_in(params.access_token(headers)?, now)?;
    if token_client != client_id {
        return Err(JanrainError::TokenClientMismatch { token_client });
    }
    Ok(uuid)
}

/// Client credentials of `/oauth/token`: HTTP Basic first, else `client_id`/`client_secret`.
pub(super) fn token_client<'s>(
    state: &'s JanrainState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<&'s CaptureClient, JanrainError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| pair.split_once(':').map(|(id, s)| (id.to_owned(), s.to_owned())));
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => (
            params.require_token_arg("client_id")?.to_owned(),
            params.require_token_arg("client_secret")?.to_owned(),
        ),
    };
    match state.client(&id) {
        Some(client) if client.client_secret == secret => Ok(client),
        Some(_) => Err(JanrainError::TokenBadClient {
            hint: format!("wrong client_secret for client {id}"),
        }),
        None => Err(JanrainError::TokenBadClient {
            hint: format!("no API client {id} in this app"),
        }),
    }
}

/// The form's email field, trimmed; 390 on that field when it is empty or not an address.
pub(super) fn form_email(flow: &Flow, field: &str, params: &Params) -> Result<String, JanrainError> {
    let email = params.get(field).unwrap_or_default().trim();
    match email_problem(flow, field, email) {
        Some(message) => Err(JanrainError::InvalidFormFields {
            fields: vec![(field.to_owned(), vec![message])],
        }),
        None => Ok(email.to_owned()),
    }
}

/// The flow's message when `email` is empty or not an address, `None` when it is fine.
pub(super) fn email_problem(flow: &Flow, field: &str, email: &str) -> Option<String> {
    if email.is_empty() {
        return Some(flow.message(field, "required"));
    }
    let well_formed = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'));
    (!well_formed).then(|| flow.message(field, "format"))
}
