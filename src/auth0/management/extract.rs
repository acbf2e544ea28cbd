//! Extractors that reject with the provider's own errors before any handler runs.
//!
//! - [`Scoped<S>`]: the Management API auth ladder, in the provider's order (facts §2.2):
//!   header → bearer format → token (signature, algorithm, key) → expiry on the tenant clock →
//!   audience → scope. Its rejection is an [`MgmtError`], so no axum plain-text rejection ever
//!   reaches a client.
//! - [`MgmtBody<T>`]: reads the body under the 1 MB cap, parses JSON or a form by content type,
//!   validates it against `T`'s documented schema, then deserialises it (facts §2.4).
//! - [`MgmtQuery<T>`]: the same for query strings.
//!
//! Read `wire/mgmt_error.rs` for the wire shapes and `payload.rs` for the schema findings.

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::wire::body::{MAX_BODY_BYTES, parse_json, read_capped};
use crate::auth0::wire::mgmt_error::{Finding, MgmtError, Violation};
use crate::core::tokens::{self, TokenRejection};

/// The caller behind a verified Management API token.
#[derive(Debug, Clone)]
pub(super) struct Principal {
    /// `azp` of the token (the application that obtained it).
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
}

impl Principal {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The scopes an endpoint accepts: any one of them lets the caller in.
pub(super) trait ScopeSet: Send + Sync + 'static {
    const ANY_OF: &'static [&'static str];
}

/// Declares a [`ScopeSet`]: `scopes!(ReadRoles, "read:roles")` is a marker type whose callers
/// need any one of the scopes listed (doc: OAS).
macro_rules! scopes {
    ($name:ident, $($scope:literal),+ $(,)?) => {
        #[doc = concat!("Scopes: ", $($scope, " "),+, "(doc: OAS).")]
        pub(super) struct $name;
        impl $crate::auth0::management::extract::ScopeSet for $name {
            const ANY_OF: &'static [&'static str] = &[$($scope),+];
        }
    };
}
pub(super) use scopes;

/// A caller whose token passed the whole ladder for the scopes of `S`.
pub(super) struct Scoped<S>(pub Principal, pub PhantomData<S>);

impl<S: ScopeSet> FromRequestParts<Tenant> for Scoped<S> {
    type Rejection = MgmtError;

    async fn from_request_parts(parts: &mut Parts, tenant: &Tenant) -> Result<Self, Self::Rejection> {
        let principal = authenticate(parts, tenant)?;
        if !S::ANY_OF.iter().any(|scope| principal.has_scope(scope)) {
            return Err(MgmtError::InsufficientScope {
                expected: S::ANY_OF,
                granted: principal.scopes,
                client_id: principal.client_id,
            });
        }
        Ok(Scoped(principal, PhantomData))
    }
}

/// Header → token → expiry → audience, as the Management API checks them.
fn authenticate(parts: &Parts, tenant: &Tenant) -> Result<Principal, MgmtError> {
    // A header that is not visible ASCII cannot be a bearer token: treat it as malformed.
    let raw = match parts.headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(value.to_str().map_err(|_| MgmtError::BadAuthHeaderFormat {
            detail: "the header value is not ASCII",
        })?),
    };
    let token = tokens::bearer_token(raw).map_err(|reason| match reason {
        TokenRejection::Missing => MgmtError::MissingAuthentication {
            scheme: None,
            token_url: format!("{}/oauth/token", tenant.base_url()),
            audience: tenant.management_audience(),
        },
        TokenRejection::NotBearer { scheme } => MgmtError::MissingAuthentication {
            scheme: Some(scheme),
            token_url: format!("{}/oauth/token", tenant.base_url()),
            audience: tenant.management_audience(),
        },
        TokenRejection::BadHeaderFormat { detail } => MgmtError::BadAuthHeaderFormat { detail },
        other => MgmtError::InvalidToken { reason: other },
    })?;
    let claims = tokens::verify(tenant.key(), token, tenant.clock().unix()).map_err(|reason| match reason {
        TokenRejection::Expired { expired_secs_ago } => MgmtError::ExpiredToken { expired_secs_ago },
        other => MgmtError::InvalidToken { reason: other },
    })?;
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.iter().any(|aud| tenant.is_management_audience(aud)) {
        return Err(MgmtError::BadAudience {
            token_audience: audiences.join(","),
            expected: tenant.management_audience(),
        });
    }
    let scopes = claims
        .get("scope")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let client_id = claims.get("azp").and_then(Value::as_str).map(str::to_owned);
    Ok(Principal { client_id, scopes })
}

/// A request body type with its documented schema.
pub(super) trait BodySchema: DeserializeOwned + Send {
    fn schema() -> &'static Schema;
}

/// A validated Management API body.
pub(super) struct MgmtBody<T>(pub T);

/// How the Content-Type header asks the body to be read.
enum BodyKind {
    Json,
    Form,
}

fn body_kind(parts_ct: Option<&str>) -> Result<BodyKind, String> {
    // inf (facts §2.4, subtext): no Content-Type means JSON.
    let Some(content_type) = parts_ct else {
        return Ok(BodyKind::Json);
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_json = essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"));
    if is_json {
        Ok(BodyKind::Json)
    } else if essence == "application/x-www-form-urlencoded" {
        Ok(BodyKind::Form)
    } else {
        Err(content_type.to_owned())
    }
}

impl<T: BodySchema> FromRequest<Tenant> for MgmtBody<T> {
    type Rejection = MgmtError;

    async fn from_request(req: Request, _tenant: &Tenant) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let kind = body_kind(content_type.as_deref())
            .map_err(|content_type| MgmtError::UnsupportedMediaType { content_type })?;
        let (_, bytes) = read_capped(req, MAX_BODY_BYTES)
            .await
            .map_err(|limit| MgmtError::PayloadTooLarge { limit })?;
        let schema = T::schema();
        let value = match kind {
            BodyKind::Json => parse_json(&bytes)?,
            BodyKind::Form => {
                let pairs: Vec<(String, String)> =
                    serde_urlencoded::from_bytes(&bytes).map_err(|_| MgmtError::InvalidJson {
                        looks_form_encoded: false,
                    })?;
                schema.coerce_form(pairs)
            }
        };
        schema
            .check(&value)
            .map_err(|findings| MgmtError::PayloadValidation { findings })?;
        deserialize(value).map(MgmtBody)
    }
}

/// After validation a body always deserialises; if a schema and its struct ever drift apart, the
/// client still gets a 400 that names the problem rather than a 500.
fn deserialize<T: DeserializeOwned>(value: Value) -> Result<T, MgmtError> {
    serde_json::from_value(value).map_err(|err| MgmtError::PayloadValidation {
        findings: vec![Finding {
            violation: Violation::Other {
                keyword: err.to_string(),
            },
            property: None,
        }],
    })
}

/// A validated Management API query string.
pub(super) struct MgmtQuery<T>(pub T);

impl<T: BodySchema> FromRequestParts<Tenant> for MgmtQuery<T> {
    type Rejection = MgmtError;

    async fn from_request_parts(parts: &mut Parts, _tenant: &Tenant) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let schema = T::schema();
        let value = schema.coerce_form(pairs);
        schema
            .check(&value)
            .map_err(|findings| MgmtError::QueryValidation { findings })?;
        deserialize(value).map(MgmtQuery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_pick_the_parser() {
        assert!(matches!(body_kind(None), Ok(BodyKind::Json)));
        assert!(matches!(
            body_kind(Some("application/json; charset=utf-8")),
            Ok(BodyKind::Json)
        ));
        assert!(matches!(body_kind(Some("Application/JSON")), Ok(BodyKind::Json)));
        assert!(matches!(
            body_kind(Some("application/merge-patch+json")),
            Ok(BodyKind::Json)
        ));
        assert!(matches!(
            body_kind(Some("application/x-www-form-urlencoded")),
            Ok(BodyKind::Form)
        ));
        assert!(body_kind(Some("text/plain")).is_err());
        assert!(body_kind(Some("multipart/form-data; boundary=x")).is_err());
    }

    #[test]
    fn invalid_utf8_inside_a_string_is_replaced_not_refused() {
        let value = parse_json(b"{\"a\":\"\xff\"}").expect("parses with U+FFFD");
        assert_eq!(value["a"], "\u{fffd}");
        assert!(parse_json(b"{\xff}").is_err());
    }
}
