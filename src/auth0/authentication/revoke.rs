//! `POST /oauth/revoke`: ends a browser login's refresh-token family, or one refresh token of
//! the password grant (facts auth0-login.md §4.1; `tenant/state.rs` `revoke_refresh_token`).
//!
//! JSON or form; `client_id` and `token` required; confidential clients authenticate. A token
//! that is unknown, already revoked or another client's is still answered 200 (doc), with the
//! empty body and JSON content type of the recording.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth0::wire::error::Auth0Error;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;

use crate::auth0::authentication::params::{client_credentials, parse_params};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::state::Revoked;
use crate::auth0::wire::body::{MAX_BODY_BYTES, read_capped};
use crate::auth0::wire::respond::with_hint;

#[tracing::instrument(skip_all)]
pub(super) async fn revoke(State(tenant): State<Tenant>, req: Request) -> Result<Response, Auth0Error> {
    let (parts, bytes) = read_capped(req, MAX_BODY_BYTES)
        .await
        .map_err(|limit| MgmtError::PayloadTooLarge { limit })?;
    let params = parse_params(&parts.headers, &bytes)?;
    let (client_id, secret) = client_credentials(&parts.headers, &params);
    let client_id = client_id.ok_or(OAuthError::MissingParameter { name: "client_id" })?;
    let token = params.require("token")?.to_owned();
    let revoked = revoke_token(&tenant, &client_id, secret.as_deref(), &token)?;
    Ok(revoked_response(revoked))
}

/// 200 with an empty `application/json` body, whether anything was revoked or not (RFC 7009 §2.2).
fn revoked_response(revoked: Option<Revoked>) -> Response {
    let response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        "",
    )
        .into_response();
    let hint = match revoked {
        Some(Revoked::Family) => "the refresh token's family is revoked",
        Some(Revoked::PasswordGrant) => "the password grant's refresh token is revoked",
        None => {
            "nothing revoked: the token is unknown, already revoked or another application's (answered 200 all the same)"
        }
    };
    with_hint(response, hint.into())
}

/// Authenticates the client, then revokes; `Ok(None)` when there was nothing of its to revoke.
fn revoke_token(
    tenant: &Tenant,
    client_id: &str,
    secret: Option<&str>,
    token: &str,
) -> Result<Option<Revoked>, Auth0Error> {
    let mut state = tenant.state();
    let client = state.client(client_id).ok_or_else(|| OAuthError::RevokeInvalidClient {
        client_id: client_id.to_owned(),
    })?;
    let authenticated = match secret {
        Some(secret) => secret == client.client_secret,
        None => client.login.is_public(),
    };
    if !authenticated {
        return Err(OAuthError::RevokeInvalidClient {
            client_id: client_id.to_owned(),
        }
        .into());
    }
    Ok(state.revoke_refresh_token(token, client_id))
}
