//! What every Authentication API request is read into: its parameters, JSON or form by
//! Content-Type, under the body cap; the client's credentials (`client_secret_post` or
//! `client_secret_basic`); and the token response body, whose JWTs are signed once the grant is
//! decided.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::tokens::AccessToken;
use crate::auth0::wire::body::{MAX_BODY_BYTES, NotJson, json_type, parse_json, read_capped};
use crate::auth0::wire::error::Auth0Error;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::core::tokens::{self, Claims};

/// The token request's parameters, whatever the encoding.
#[derive(Debug, Default)]
pub(super) struct Params(Map<String, Value>);

impl Params {
    /// A non-empty string parameter; `null` (sent by some SDKs for `organization`) is absent.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    pub(super) fn require(&self, name: &'static str) -> Result<&str, OAuthError> {
        self.get(name).ok_or(OAuthError::MissingParameter { name })
    }

    /// A list parameter (`authenticator_types` of `/mfa/associate`): a JSON array's strings, or
    /// one string's whitespace-separated words (a form).
    pub(super) fn strings(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Some(Value::String(text)) => text.split_whitespace().map(str::to_owned).collect(),
            _ => Vec::new(),
        }
    }

    /// A JSON object parameter (`user_metadata` of a signup).
    pub(super) fn object(&self, name: &str) -> Option<&Map<String, Value>> {
        self.0.get(name).and_then(Value::as_object)
    }
}

/// An Authentication API request's headers and parameters (JSON or form, by Content-Type).
pub(super) struct AuthParams(pub(super) HeaderMap, pub(super) Params);

impl<S: Send + Sync> FromRequest<S> for AuthParams {
    type Rejection = Auth0Error;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Auth0Error> {
        let (parts, bytes) = read_capped(req, MAX_BODY_BYTES)
            .await
            .map_err(|limit| MgmtError::PayloadTooLarge { limit })?;
        let params = parse_params(&parts.headers, &bytes)?;
        Ok(Self(parts.headers, params))
    }
}

/// JSON or form by Content-Type; no Content-Type is tried as JSON, then as a form.
pub(super) fn parse_params(headers: &HeaderMap, bytes: &[u8]) -> Result<Params, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let form = |bytes: &[u8]| -> Result<Params, OAuthError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(bytes).map_err(|e| OAuthError::InvalidTokenRequestBody {
                detail: format!("form body could not be decoded: {e}"),
            })?;
        Ok(Params(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
    };
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return form(bytes);
    }
    if content_type.is_empty() && !bytes.trim_ascii_start().starts_with(b"{") {
        return form(bytes);
    }
    match parse_json(bytes) {
        Ok(Value::Object(map)) => Ok(Params(map)),
        Ok(Value::Null) => Ok(Params::default()),
        Ok(other) => Err(OAuthError::InvalidTokenRequestBody {
            detail: format!("the body is a JSON {}, not an object of parameters", json_type(&other)),
        }),
        Err(NotJson { looks_form_encoded }) => Err(OAuthError::InvalidTokenRequestBody {
            detail: if looks_form_encoded {
                "body is form-encoded but Content-Type says application/json: send JSON, or set \
                 Content-Type: application/x-www-form-urlencoded"
                    .into()
            } else {
                "body is not valid JSON".into()
            },
        }),
    }
}

/// client_secret_basic wins over client_secret_post, as OAuth 2.0 servers commonly do.
pub(super) fn client_credentials(headers: &HeaderMap, params: &Params) -> (Option<String>, Option<String>) {
    if let Some((id, secret)) = basic_credentials(headers) {
        return (Some(id), Some(secret));
    }
    (
        params.get("client_id").map(str::to_owned),
        params.get("client_secret").map(str::to_owned),
    )
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((unescape(id), unescape(secret)))
}

/// A token response in wire order whose JWTs are still unsigned claims, so the grant can be
/// decided under the tenant lock and signed after it is released.
#[derive(Default)]
pub(super) struct TokenBody(Vec<(&'static str, Field)>);

enum Field {
    Value(Value),
    Jwt(Claims),
}

impl TokenBody {
    pub(super) fn value(&mut self, name: &'static str, value: impl Into<Value>) {
        self.0.push((name, Field::Value(value.into())));
    }

    pub(super) fn jwt(&mut self, name: &'static str, claims: Claims) {
        self.0.push((name, Field::Jwt(claims)));
    }

    /// `access_token`: a JWT signed with the body, or an opaque token as it is.
    pub(super) fn access_token(&mut self, token: AccessToken) {
        match token {
            AccessToken::Jwt(claims) => self.jwt("access_token", claims),
            AccessToken::Opaque(token) => self.value("access_token", token),
        }
    }

    pub(super) fn sign(self, tenant: &Tenant) -> Value {
        let body: Map<String, Value> = self
            .0
            .into_iter()
            .map(|(name, field)| {
                let value = match field {
                    Field::Value(value) => value,
                    Field::Jwt(claims) => tokens::sign(tenant.key(), &claims).into(),
                };
                (name.to_owned(), value)
            })
            .collect();
        Value::Object(body)
    }
}
