//! `GET`/`POST /userinfo`: the profile an access token with `openid` may read (facts
//! auth0-login.md §6).
//!
//! 200 is `application/json; charset=utf-8` with `sub` and the claims the token's scope reveals;
//! a missing, invalid or expired token is 401 with the plain-text body `Unauthorized` and a
//! `WWW-Authenticate: Bearer realm="Users", error="invalid_token", …` challenge (obs).
//!
//! The token is read the three ways of RFC 6750: the `Authorization: Bearer` header (§2.1, the
//! documented one), the `access_token` query parameter (§2.3) and, on a POST, the `access_token`
//! parameter of a form-encoded body (§2.2). The query is what Node strategies on the `oauth`
//! package send (passport-auth0 and Backstage's Auth0 provider call `/userinfo?access_token=…`,
//! and real tenants answer it: thefrontside/simulacrum#218 added it to its Auth0 simulator for
//! that reason). inf: the form body is not shown for Auth0 in any source; OIDC Core §5.3.1 has
//! the userinfo endpoint accept RFC 6750 bearer tokens, and the header wins when several are
//! sent (no capture of Auth0 refusing two methods, so none is refused here). The hint names the
//! place the token was read from.

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::opaque_tokens::is_jwe_shaped;
use crate::auth0::tenant::tokens::profile_claims;
use crate::auth0::wire::body::{MAX_BODY_BYTES, read_capped};
use crate::auth0::wire::error::Auth0Error;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::respond::{json_response, with_hint};
use crate::core::tokens::{self, Claims, TokenRejection};

/// inf: only the expired case's description was captured.
const INVALID_TOKEN: &str = "Invalid token";
/// obs (facts §6).
const EXPIRED_TOKEN: &str = "The token has expired";

/// Where the access token was read from (RFC 6750 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Header,
    Query,
    FormBody,
}

impl Place {
    fn describe(self) -> &'static str {
        match self {
            Self::Header => "the Authorization header",
            Self::Query => "the access_token query parameter (RFC 6750 section 2.3)",
            Self::FormBody => "the access_token parameter of the form body (RFC 6750 section 2.2)",
        }
    }
}

#[tracing::instrument(skip_all)]
pub(super) async fn userinfo(State(tenant): State<Tenant>, req: Request) -> Result<Response, Auth0Error> {
    let (parts, bytes) = read_capped(req, MAX_BODY_BYTES)
        .await
        .map_err(|limit| MgmtError::PayloadTooLarge { limit })?;
    let (place, presented) = presented_token(&parts, &bytes);
    let read_from = match presented {
        Some(_) => format!("access token read from {}", place.describe()),
        None => {
            "no access token in the Authorization header, the access_token query parameter or a form body".to_owned()
        }
    };
    Ok(match profile(&tenant, place, presented.as_deref()) {
        Ok(claims) => with_hint(
            json_response(StatusCode::OK, &claims, "application/json; charset=utf-8"),
            read_from,
        ),
        Err((description, hint)) => unauthorized(description, format!("{hint}; {read_from}")),
    })
}

/// The credential and where it came from: the `Authorization` header's whole value when there is
/// one, else the `access_token` of the query, else (a POST with a form body) the body's. With
/// none of them, the header's absence is what is reported.
fn presented_token(parts: &Parts, body: &[u8]) -> (Place, Option<String>) {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        return (Place::Header, Some(value.to_str().unwrap_or_default().to_owned()));
    }
    let access_token = |encoded: &[u8]| {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
            .ok()?
            .into_iter()
            .find(|(name, _)| name == "access_token")
            .map(|(_, value)| value)
    };
    if let Some(token) = parts.uri.query().and_then(|q| access_token(q.as_bytes())) {
        return (Place::Query, Some(token));
    }
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if parts.method == Method::POST
        && form
        && let Some(token) = access_token(body)
    {
        return (Place::FormBody, Some(token));
    }
    (Place::Header, None)
}

/// The profile for the request's access token, or why not (wire description, hint).
fn profile(tenant: &Tenant, place: Place, presented: Option<&str>) -> Result<Claims, (&'static str, String)> {
    let invalid = INVALID_TOKEN;
    let unusable = |r| (invalid, format!("no usable bearer token: {r:?}"));
    let token = match place {
        Place::Header => {
            if let Ok(credential) = tokens::bearer_credential(presented)
                && is_jwe_shaped(credential)
            {
                return opaque_profile(tenant, credential);
            }
            tokens::bearer_token(presented).map_err(unusable)?
        }
        Place::Query | Place::FormBody => {
            let credential = presented.unwrap_or_default();
            if is_jwe_shaped(credential) {
                return opaque_profile(tenant, credential);
            }
            if credential.split('.').count() != 3 {
                return Err((
                    invalid,
                    "the access token is neither a JWT (three dot-separated segments) nor an opaque token".into(),
                ));
            }
            credential
        }
    };
    let claims = tokens::verify(tenant.key(), token, tenant.clock().unix()).map_err(|r| match r {
        TokenRejection::Expired { expired_secs_ago } => (
            EXPIRED_TOKEN,
            format!("the access token expired {expired_secs_ago} s ago on the tenant clock"),
        ),
        other => (invalid, format!("token refused: {other:?}")),
    })?;
    let userinfo = format!("{}userinfo", tenant.issuer());
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => *aud == userinfo,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(&userinfo)),
        _ => false,
    };
    let scope = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !audience_ok || !scope.split_whitespace().any(|s| s == "openid") {
        return Err((
            invalid,
            format!("the token's audience does not include {userinfo}: log in with scope openid"),
        ));
    }
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
    profile_of(tenant, sub, &scope)
}

/// The profile for an opaque token the tenant issued (`opaque_tokens.rs`): the same answers as
/// for a JWT, expiry on the tenant clock included.
fn opaque_profile(tenant: &Tenant, token: &str) -> Result<Claims, (&'static str, String)> {
    let grant = tenant
        .state()
        .logins()
        .opaque_tokens
        .get(token)
        .cloned()
        .ok_or_else(|| {
            (
                INVALID_TOKEN,
                "an opaque access token this tenant does not hold (never issued here, evicted from \
             stores.opaque_access_tokens, or issued before a reset)"
                    .to_owned(),
            )
        })?;
    let now = tenant.clock().unix();
    if grant.expires_at <= now {
        return Err((
            EXPIRED_TOKEN,
            format!(
                "the opaque access token expired {} s ago on the tenant clock",
                now - grant.expires_at
            ),
        ));
    }
    if !grant.scope.split_whitespace().any(|s| s == "openid") {
        return Err((
            INVALID_TOKEN,
            format!("the token was issued without scope openid (scope {:?})", grant.scope),
        ));
    }
    profile_of(tenant, &grant.user_id, &grant.scope)
}

/// `sub` and the claims `scope` reveals of the user, who must still exist.
fn profile_of(tenant: &Tenant, user_id: &str, scope: &str) -> Result<Claims, (&'static str, String)> {
    let state = tenant.state();
    let user = state
        .user(user_id)
        .ok_or_else(|| (INVALID_TOKEN, format!("the token's user {user_id} no longer exists")))?;
    let mut body = Claims::new();
    body.insert("sub".into(), user.user_id.clone().into());
    body.extend(profile_claims(user, scope));
    Ok(body)
}

fn unauthorized(description: &'static str, hint: String) -> Response {
    let challenge = format!("Bearer realm=\"Users\", error=\"invalid_token\", error_description=\"{description}\"");
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        "Unauthorized",
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    with_hint(response, hint)
}
