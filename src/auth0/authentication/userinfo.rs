//! `GET`/`POST /userinfo`: the profile an access token with `openid` may read (facts
//! auth0-login.md §6).
//!
//! 200 is `application/json; charset=utf-8` with `sub` and the claims the token's scope reveals;
//! a missing, invalid or expired token is 401 with the plain-text body `Unauthorized` and a
//! `WWW-Authenticate: Bearer realm="Users", error="invalid_token", …` challenge (obs).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::opaque_tokens::is_jwe_shaped;
use crate::auth0::tenant::tokens::profile_claims;
use crate::auth0::wire::respond::{json_response, with_hint};
use crate::core::tokens::{self, Claims, TokenRejection};

/// inf: only the expired case's description was captured.
const INVALID_TOKEN: &str = "Invalid token";
/// obs (facts §6).
const EXPIRED_TOKEN: &str = "The token has expired";

#[tracing::instrument(skip_all)]
pub(super) async fn userinfo(State(tenant): State<Tenant>, headers: HeaderMap) -> Response {
    match profile(&tenant, &headers) {
        Ok(claims) => json_response(StatusCode::OK, &claims, "application/json; charset=utf-8"),
        Err((description, hint)) => unauthorized(description, hint),
    }
}

/// The profile for the request's bearer token, or why not (wire description, hint).
fn profile(tenant: &Tenant, headers: &HeaderMap) -> Result<Claims, (&'static str, String)> {
    let header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let invalid = INVALID_TOKEN;
    let unusable = |r| (invalid, format!("no usable bearer token: {r:?}"));
    if let Ok(token) = tokens::bearer_credential(header)
        && is_jwe_shaped(token)
    {
        return opaque_profile(tenant, token);
    }
    let token = tokens::bearer_token(header).map_err(unusable)?;
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
