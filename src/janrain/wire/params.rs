//! Reading Capture requests: form-body parameters, client checks, access tokens.
//!
//! `/oauth/*_native` read the `application/x-www-form-urlencoded` body only (facts §1): a query
//! string is never read, and an argument found only there is reported as missing with a hint.
//! `/oauth/token` reads the body and the query (GET with a query, POST form, POST with Basic +
//! query are all seen in real clients, facts §1).

use axum::http::{HeaderMap, Uri, header};
use base64::Engine as _;

use super::app::{CaptureClient, JanrainState};
use super::error::JanrainError;

/// Decoded parameters, first occurrence wins.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
    /// Names that appeared in the query string when only the body is read.
    query_names: Vec<String>,
}

impl Params {
    /// The form body of a `/oauth/*_native` call; the query string only feeds hints.
    pub fn native(uri: &Uri, body: &[u8]) -> Self {
        Self {
            pairs: serde_urlencoded::from_bytes(body).unwrap_or_default(),
            query_names: parse_query(uri).into_iter().map(|(k, _)| k).collect(),
        }
    }

    /// Body then query, for `/oauth/token`.
    pub fn body_and_query(uri: &Uri, body: &[u8]) -> Self {
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        pairs.extend(parse_query(uri));
        Self {
            pairs,
            query_names: Vec::new(),
        }
    }

    /// Every decoded pair, in request order (what a `Signature` signs).
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The value of `name`, if present (possibly empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A required, non-empty argument of a native call (100 `missing_argument` otherwise).
    pub fn require(&self, name: &str) -> Result<&str, JanrainError> {
        match self.get(name) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(JanrainError::MissingArgument {
                name: name.to_owned(),
                in_query: self.query_names.iter().any(|q| q == name),
            }),
        }
    }

    /// A required argument of `/oauth/token` (OAuth-shaped 100).
    pub fn require_token_arg(&self, name: &str) -> Result<&str, JanrainError> {
        match self.get(name) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(JanrainError::TokenMissingArgument { name: name.to_owned() }),
        }
    }
}

fn parse_query(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default()
}

/// The login client a native call names, checked to exist and to hold `login_client`.
pub fn login_client<'s>(state: &'s JanrainState, params: &Params) -> Result<&'s CaptureClient, JanrainError> {
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
pub fn check_flow(state: &JanrainState, params: &Params, form: &str) -> Result<(), JanrainError> {
    let flow = params.require("flow")?;
    if flow != state.flow.name {
        return Err(invalid("flow", flow, &state.flow.name));
    }
    if let Some(version) = params.get("flow_version").filter(|v| !v.is_empty())
        && version != state.flow.version
    {
        return Err(invalid("flow_version", version, &state.flow.version));
    }
    let sent = params.require("form")?;
    if sent != form {
        return Err(invalid("form", sent, form));
    }
    Ok(())
}

fn invalid(name: &str, sent: &str, expected: &str) -> JanrainError {
    JanrainError::invalid_value(name, sent, expected)
}

/// Client credentials of `/oauth/token`: HTTP Basic first, else `client_id`/`client_secret`.
pub fn token_client<'s>(
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

/// The live access token a call carries (param, or `Authorization: OAuth <token>` for `/entity`),
/// with the uuid and client it was issued to.
pub fn access_token(
    state: &JanrainState,
    headers: &HeaderMap,
    params: &Params,
    now: i64,
) -> Result<(String, String), JanrainError> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("OAuth "))
        .map(str::trim);
    let token = match from_header {
        Some(token) => token,
        None => params.require("access_token")?,
    };
    let grant = state.access_tokens.get(token).ok_or(JanrainError::UnknownAccessToken)?;
    if now >= grant.expires_at {
        return Err(JanrainError::AccessTokenExpired {
            secs_ago: now - grant.expires_at,
        });
    }
    Ok((grant.uuid.clone(), grant.client_id.clone()))
}

/// A `/oauth/*_native` request's parameters: the form body only (query names kept to say so).
pub struct NativeParams(pub Params);

/// An API call's parameters (`/oauth/token`, `/entity`…): the form body, then the query.
pub struct ApiParams(pub Params);

impl<S: Send + Sync> axum::extract::FromRequest<S> for NativeParams {
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let uri = req.uri().clone();
        let body = read_body(req, state).await?;
        Ok(Self(Params::native(&uri, &body)))
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for ApiParams {
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let uri = req.uri().clone();
        let body = read_body(req, state).await?;
        Ok(Self(Params::body_and_query(&uri, &body)))
    }
}

async fn read_body<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
) -> Result<axum::body::Bytes, axum::response::Response> {
    use axum::extract::FromRequest as _;
    use axum::response::IntoResponse as _;
    axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|rejection| rejection.into_response())
}
