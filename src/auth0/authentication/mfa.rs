//! Multi-factor authentication on the Authentication API (facts `auth0-mfa-orgs.md` A1–A7): the
//! `mfa_required` answer of the password and refresh grants, `/mfa/associate`, `/mfa/challenge`,
//! `/mfa/authenticators` and the `mfa-otp`, `mfa-oob` and `mfa-recovery-code` grants. The model
//! (factors, authenticators, tokens, codes, the TOTP check) is `tenant/mfa.rs`; the wire texts
//! `wire/mfa_error.rs`. `docs/mfa.md` lists what is served and what is not.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::auth0::authentication::params::{AuthParams, Params, client_credentials};
use crate::auth0::authentication::token::authenticate_client;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::guardian::Pending;
use crate::auth0::tenant::mfa::{self, Association, Challenge};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::mail;
use crate::auth0::wire::mfa_error::MfaError;
use crate::auth0::wire::oauth_error::OAuthError;
use crate::auth0::wire::respond::json_response;
use crate::core::tokens;

/// `/mfa/*` successes: `application/json; charset=utf-8` (obs: REC-goauth0, facts A3–A5).
const JSON: &str = "application/json; charset=utf-8";

/// Who a `/mfa/*` bearer speaks for.
enum Bearer {
    /// A live `mfa_token` and the token itself.
    MfaToken(String, Pending),
    /// An MFA API access token: its user and scopes.
    Access { user_id: String, scopes: Vec<String> },
}

impl Bearer {
    fn user_id(&self) -> &str {
        match self {
            Bearer::MfaToken(_, pending) => &pending.user_id,
            Bearer::Access { user_id, .. } => user_id,
        }
    }

    fn has_scope(&self, scope: &str) -> bool {
        matches!(self, Bearer::Access { scopes, .. } if scopes.iter().any(|s| s == scope))
    }
}

/// The bearer of a `/mfa/*` call: an `mfa_token` (doc: facts A2) or an MFA API access token.
fn bearer(tenant: &Tenant, state: &TenantState, headers: &HeaderMap) -> Result<Bearer, MfaError> {
    let raw = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let credential = tokens::bearer_credential(raw).map_err(|_| MfaError::InvalidBearer {
        why: "send the mfa_token (or an MFA API access token) as Authorization: Bearer <token>",
    })?;
    let now = tenant.clock().unix();
    if credential.starts_with("Fe26.2*") {
        return mfa::bearer(state, credential, now).map(|p| Bearer::MfaToken(credential.to_owned(), p));
    }
    let claims = tokens::verify(tenant.key(), credential, now).map_err(|_| MfaError::InvalidBearer {
        why: "the bearer is neither a live mfa_token nor a valid, unexpired MFA API access token",
    })?;
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let user_id = claims.get("sub").and_then(Value::as_str);
    match user_id {
        Some(user_id)
            if audiences
                .iter()
                .any(|a| crate::auth0::authentication::mfa_required::is_mfa_audience(tenant, a)) =>
        {
            Ok(Bearer::Access {
                user_id: user_id.to_owned(),
                scopes: claims
                    .get("scope")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
            })
        }
        _ => Err(MfaError::InvalidBearer {
            why: "this access token is not for the MFA API (audience https://<tenant>/mfa/)",
        }),
    }
}

/// `POST /mfa/associate`: `authenticator_types` `["otp"]`, or `["oob"]` with `oob_channels`
/// `["sms"]` + `phone_number`, `["email"]` + `email` or `["auth0"]` (push) (doc: DOC-mfa-api,
/// facts A4).
#[tracing::instrument(skip_all)]
pub(super) async fn associate(
    State(tenant): State<Tenant>,
    AuthParams(headers, params): AuthParams,
) -> Result<Response, OAuthError> {
    let mut state = tenant.state();
    let bearer = bearer(&tenant, &state, &headers).map_err(OAuthError::Mfa)?;
    let (token, pending) = match bearer {
        Bearer::MfaToken(token, pending) => (token, pending),
        Bearer::Access { .. } => {
            return Err(OAuthError::Mfa(MfaError::InsufficientScope { needed: "enroll" }));
        }
    };
    let association = association(&params).map_err(OAuthError::Mfa)?;
    let user = state
        .user(&pending.user_id)
        .cloned()
        .ok_or(OAuthError::Mfa(MfaError::InvalidBearer {
            why: "the mfa_token's user was deleted",
        }))?;
    let issuer = state.sender_name(tenant.name()).to_owned();
    let account = if user.email.is_empty() {
        user.user_id.clone()
    } else {
        user.email.clone()
    };
    let now = tenant.clock().unix();
    // inf: the real base_url is the tenant's Guardian host (`https://<tenant>.guardian.<region>.auth0.com`,
    // facts A4); authmock has no Guardian service, so it names itself.
    let guardian_url = tenant.base_url().to_owned();
    let associated = mfa::associate(
        &mut state,
        &token,
        &pending,
        association,
        &issuer,
        &account,
        &guardian_url,
        now,
    )
    .map_err(OAuthError::Mfa)?;
    let mut body = Map::new();
    if let Some((secret, uri)) = associated.otp {
        body.insert("authenticator_type".into(), "otp".into());
        body.insert("secret".into(), secret.into());
        body.insert("barcode_uri".into(), uri.into());
        if let Some(code) = associated.recovery_code {
            body.insert("recovery_codes".into(), json!([code]));
        }
    } else if let (Some((channel, oob_code)), Some(uri)) = (&associated.oob, associated.push_uri) {
        // obs: REC-goauth0 `…_OOB_(Auth0_channel)`; doc: `recovery_codes` after `barcode_uri` (facts A4).
        body.insert("authenticator_type".into(), "oob".into());
        body.insert("barcode_uri".into(), uri.into());
        if let Some(code) = associated.recovery_code {
            body.insert("recovery_codes".into(), json!([code]));
        }
        body.insert("oob_channel".into(), (*channel).into());
        body.insert("oob_code".into(), oob_code.clone().into());
    } else if let Some((channel, oob_code)) = associated.oob {
        body.insert("authenticator_type".into(), "oob".into());
        body.insert("binding_method".into(), "prompt".into());
        if let Some(code) = associated.recovery_code {
            body.insert("recovery_codes".into(), json!([code]));
        }
        body.insert("oob_channel".into(), channel.into());
        body.insert("oob_code".into(), oob_code.into());
        if let Some((to, binding)) = associated.delivery {
            deliver(&tenant, &mut state, &to, &binding, channel);
        }
    }
    Ok(json_response(StatusCode::OK, &body, JSON))
}

/// Reads what `/mfa/associate` asks for.
fn association(params: &Params) -> Result<Association, MfaError> {
    let types = params.strings("authenticator_types");
    let bad = |description: &str, why: &str| MfaError::BadAssociation {
        description: description.into(),
        why: why.into(),
    };
    match types.first().map(String::as_str) {
        None => Err(bad(
            "Missing required parameter: authenticator_types",
            "send authenticator_types [\"otp\"] or [\"oob\"]",
        )),
        Some("otp") => Ok(Association::Otp),
        Some("oob") => match params.strings("oob_channels").first().map(String::as_str) {
            Some(channel @ ("sms" | "voice")) => {
                let phone = params.get("phone_number").filter(|p| is_e164(p)).ok_or_else(|| {
                    bad(
                        "Invalid phone_number",
                        &format!("{channel} needs phone_number in E.164 (+ and 7 to 15 digits)"),
                    )
                })?;
                let phone = phone.to_owned();
                Ok(if channel == "sms" {
                    Association::Sms { phone }
                } else {
                    Association::Voice { phone }
                })
            }
            Some("email") => {
                let email = params
                    .get("email")
                    .filter(|e| e.len() <= 320 && e.contains('@'))
                    .ok_or_else(|| bad("Invalid email", "email needs the address to send codes to"))?;
                Ok(Association::Email { email: email.into() })
            }
            Some("auth0") => Ok(Association::Push),
            Some(other) => Err(bad(
                &format!("Unsupported oob_channel: {other}"),
                "oob_channels is [\"sms\"], [\"voice\"], [\"email\"] or [\"auth0\"] (push)",
            )),
            None => Err(bad(
                "Missing required parameter: oob_channels",
                "oob needs oob_channels [\"sms\"], [\"voice\"], [\"email\"] or [\"auth0\"]",
            )),
        },
        Some(other) => Err(bad(
            &format!("Unsupported authenticator_type: {other}"),
            "authenticator_types is [\"otp\"] or [\"oob\"]",
        )),
    }
}

fn is_e164(phone: &str) -> bool {
    phone
        .strip_prefix('+')
        .is_some_and(|digits| (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Sends a binding code: every channel lands in the outbox (an SMS or a call addressed to the
/// number, tagged `mfa-sms` / `mfa-voice`).
fn deliver(tenant: &Tenant, state: &mut TenantState, to: &str, code: &str, channel: &str) {
    let draft = mail::mfa_code(state.sender_name(tenant.name()), to, code, channel);
    let now = tenant.clock().now();
    let (outbox, rng) = state.outbox_mut();
    outbox.capture(rng, draft, now, &tenant.address().host);
}

/// `POST /mfa/challenge`: `{"challenge_type":"otp"}`, or an `oob_code` whose binding code goes
/// to the outbox, `binding_method` after it (obs: REC-goauth0; fixture order, facts A5, §D).
#[tracing::instrument(skip_all)]
pub(super) async fn challenge(
    State(tenant): State<Tenant>,
    AuthParams(headers, params): AuthParams,
) -> Result<Response, OAuthError> {
    let (client_id, client_secret) = client_credentials(&headers, &params);
    let mut state = tenant.state();
    let client = authenticate_client(&state, client_id, client_secret, "mfa-challenge")?.clone();
    let token = params.require("mfa_token")?;
    let now = tenant.clock().unix();
    let pending = mfa::pending(&state, token, &client.client_id, now).map_err(OAuthError::Mfa)?;
    let types: Vec<&str> = params
        .get("challenge_type")
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let chosen = mfa::challenge(&mut state, token, &pending, &types, params.get("authenticator_id"), now)
        .map_err(OAuthError::Mfa)?;
    let body = match chosen {
        Challenge::Otp => json!({"challenge_type": "otp"}),
        Challenge::Oob {
            oob_code,
            to,
            channel,
            binding,
        } => {
            deliver(&tenant, &mut state, &to, &binding, channel);
            json!({"challenge_type": "oob", "oob_code": oob_code, "binding_method": "prompt"})
        }
        // obs: REC-goauth0, DOC-mfa-ropg: no binding_method for a push (facts A5).
        Challenge::Push { oob_code } => json!({"challenge_type": "oob", "oob_code": oob_code}),
    };
    Ok(json_response(StatusCode::OK, &body, JSON))
}

/// `GET /mfa/authenticators` with the `mfa_token` or a token with `read:authenticators` (doc:
/// facts A2, A3).
#[tracing::instrument(skip_all)]
pub(super) async fn list(State(tenant): State<Tenant>, headers: HeaderMap) -> Result<Response, OAuthError> {
    let state = tenant.state();
    let bearer = bearer(&tenant, &state, &headers).map_err(OAuthError::Mfa)?;
    if matches!(bearer, Bearer::Access { .. }) && !bearer.has_scope("read:authenticators") {
        return Err(OAuthError::Mfa(MfaError::InsufficientScope {
            needed: "read:authenticators",
        }));
    }
    let items = mfa::render_authenticators(&state, bearer.user_id());
    Ok(json_response(StatusCode::OK, &items, JSON))
}

/// `DELETE /mfa/authenticators/{id}` with a token with `remove:authenticators`: 204, empty body,
/// `Content-Type: application/json` (obs: REC-goauth0 TestMFADeleteAuthenticator).
#[tracing::instrument(skip_all)]
pub(super) async fn delete(
    State(tenant): State<Tenant>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, OAuthError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let mut state = tenant.state();
    let bearer = bearer(&tenant, &state, &headers).map_err(OAuthError::Mfa)?;
    if !bearer.has_scope("remove:authenticators") {
        return Err(OAuthError::Mfa(MfaError::InsufficientScope {
            needed: "remove:authenticators",
        }));
    }
    let user_id = bearer.user_id().to_owned();
    if !mfa::delete_authenticator(&mut state, &user_id, &id) {
        return Err(OAuthError::Mfa(MfaError::AuthenticatorNotFound));
    }
    Ok((StatusCode::NO_CONTENT, [(header::CONTENT_TYPE, "application/json")]).into_response())
}
