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

use super::error::{json_response, with_hint};
use super::tenant::Tenant;
use super::user_tokens::profile_claims;
use crate::core::tokens::{self, Claims, TokenRejection};

#[tracing::instrument(skip_all)]
pub async fn userinfo(State(tenant): State<Tenant>, headers: HeaderMap) -> Response {
    match profile(&tenant, &headers) {
        Ok(claims) => json_response(StatusCode::OK, &claims, "application/json; charset=utf-8"),
        Err((description, hint)) => unauthorized(description, hint),
    }
}

/// The profile for the request's bearer token, or why not (wire description, hint).
fn profile(tenant: &Tenant, headers: &HeaderMap) -> Result<Claims, (&'static str, String)> {
    let header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // inf: only the expired case's description was captured.
    let invalid = "Invalid token";
    let token = tokens::bearer_token(header).map_err(|r| (invalid, format!("no usable bearer token: {r:?}")))?;
    let claims = tokens::verify(tenant.key(), token, tenant.clock().unix()).map_err(|r| match r {
        TokenRejection::Expired { expired_secs_ago } => (
            "The token has expired",
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
    let state = tenant.state();
    let user = state
        .user(sub)
        .ok_or_else(|| (invalid, format!("the token's user {sub} no longer exists")))?;
    let mut body = Claims::new();
    body.insert("sub".into(), user.user_id.clone().into());
    body.extend(profile_claims(user, &scope));
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
