//! The OpenID Connect discovery document (`/.well-known/openid-configuration`, also served at
//! `/.well-known/oauth-authorization-server`).

use serde_json::{Value, json};

/// The document of the tenant whose issuer is `issuer`.
pub(crate) fn openid_configuration(issuer: &str) -> Value {
    // Key order of a live tenant (facts auth0-login.md §8, DISC-2026), keeping only what this
    // tenant serves: no device flow, MFA API, dynamic registration, CIBA, global revocation or
    // DPoP, so their keys are left out rather than advertise URLs that answer 404.
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}oauth/token"),
        "userinfo_endpoint": format!("{issuer}userinfo"),
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "revocation_endpoint": format!("{issuer}oauth/revoke"),
        "scopes_supported": [
            "openid", "profile", "offline_access", "name", "given_name", "family_name", "nickname",
            "email", "email_verified", "picture", "created_at", "identities", "phone", "address"
        ],
        "response_types_supported": [
            "code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token"
        ],
        "code_challenge_methods_supported": ["S256", "plain"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
        "claims_supported": [
            "aud", "auth_time", "created_at", "email", "email_verified", "exp", "family_name", "given_name",
            "iat", "identities", "iss", "name", "nickname", "phone_number", "picture", "sub"
        ],
        "request_uri_parameter_supported": false,
        "request_parameter_supported": false,
        "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
        "end_session_endpoint": format!("{issuer}oidc/logout")
    })
}
