//! Reading Capture requests: form-body parameters, the query, and the access token a call
//! carries.
//!
//! `/oauth/*_native` read the `application/x-www-form-urlencoded` body only (facts §1): a query
//! string is never read, and an argument found only there is reported as missing with a hint.
//! `/oauth/token` reads the body and the query (GET with a query, POST form, POST with Basic +
//! query are all seen in real clients, facts §1).

use axum::http::{HeaderMap, Uri, header};

use super::error::JanrainError;

/// Decoded parameters, first occurrence wins.
#[derive(Debug, Default, Clone)]
pub(in crate::janrain) struct Params {
    pairs: Vec<(String, String)>,
    /// Names that appeared in the query string when only the body is read.
    query_names: Vec<String>,
}

impl Params {
    /// The form body of a `/oauth/*_native` call; the query string only feeds hints.
    pub(in crate::janrain) fn native(uri: &Uri, body: &[u8]) -> Self {
        Self {
            pairs: serde_urlencoded::from_bytes(body).unwrap_or_default(),
            query_names: parse_query(uri).into_iter().map(|(k, _)| k).collect(),
        }
    }

    /// Body then query, for `/oauth/token`.
    pub(in crate::janrain) fn body_and_query(uri: &Uri, body: &[u8]) -> Self {
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        pairs.extend(parse_query(uri));
        Self {
            pairs,
            query_names: Vec::new(),
        }
    }

    /// Every decoded pair, in request order (what a `Signature` signs).
    pub(in crate::janrain) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The value of `name`, if present (possibly empty).
    pub(in crate::janrain) fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A required, non-empty argument of a native call (100 `missing_argument` otherwise).
    pub(in crate::janrain) fn require(&self, name: &str) -> Result<&str, JanrainError> {
        match self.get(name) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(JanrainError::MissingArgument {
                name: name.to_owned(),
                in_query: self.query_names.iter().any(|q| q == name),
            }),
        }
    }

    /// The access token a call carries: `Authorization: OAuth <token>` (for `/entity`), else the
    /// `access_token` argument.
    pub(in crate::janrain) fn access_token<'p>(&'p self, headers: &'p HeaderMap) -> Result<&'p str, JanrainError> {
        let from_header = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("OAuth "))
            .map(str::trim);
        match from_header {
            Some(token) => Ok(token),
            None => self.require("access_token"),
        }
    }

    /// A required argument of `/oauth/token` (OAuth-shaped 100).
    pub(in crate::janrain) fn require_token_arg(&self, name: &str) -> Result<&str, JanrainError> {
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

/// A `/oauth/*_native` request's parameters: the form body only (query names kept to say so).
pub(in crate::janrain) struct NativeParams(pub(in crate::janrain) Params);

/// An API call's parameters (`/oauth/token`, `/entity`…): the form body, then the query.
pub(in crate::janrain) struct ApiParams(pub(in crate::janrain) Params);

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
