//! Opaque user access tokens: what a login without an audience yields (facts auth0-login.md §1.1
//! `audience`, §1.2 implicit `token`, §5 lifetimes).
//!
//! The provider's token is a JWE only it can read (`dir`, `A256GCM`), usable at `/userinfo`
//! only. authmock hands out a token of the same shape (the observed protected header, random
//! bytes in the other JWE compact segments) and remembers what `/userinfo` needs for it, within a
//! cap. Depends on `core::bounded`; issued through `tokens::user_access_token`.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;

use crate::core::bounded::{Cap, StoreSummary};

/// The most opaque access tokens a tenant keeps (expired ones go first, then those expiring
/// soonest). inf: a fake's memory bound; the provider's tokens carry their own state.
pub const OPAQUE_TOKENS_CAP: usize = 50_000;
/// The AES-GCM IV: 96 bits, as A256GCM uses (RFC 7518 §5.3).
const IV_BYTES: usize = 12;
/// inf: the provider's ciphertext length was not recorded; sized for an encrypted claim set.
const CIPHERTEXT_BYTES: usize = 192;
/// The AES-GCM authentication tag: 128 bits (RFC 7518 §5.3).
const TAG_BYTES: usize = 16;

/// What `/userinfo` needs to answer for an opaque token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpaqueGrant {
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    /// Unix seconds on the tenant clock.
    pub expires_at: i64,
}

/// The opaque access tokens of one tenant.
#[derive(Debug)]
pub struct OpaqueTokens {
    tokens: HashMap<String, OpaqueGrant>,
    pub cap: Cap,
}

impl Default for OpaqueTokens {
    fn default() -> Self {
        Self {
            tokens: HashMap::new(),
            cap: Cap::new(OPAQUE_TOKENS_CAP),
        }
    }
}

impl OpaqueTokens {
    /// Stores `grant` under a new token for `issuer` and returns the token; when the store is
    /// full, expired tokens go first, then those expiring soonest.
    pub fn issue(&mut self, rng: &mut impl rand::Rng, issuer: &str, grant: OpaqueGrant, now: i64) -> String {
        self.cap
            .make_room(&mut self.tokens, |_, g| now >= g.expires_at, |g| g.expires_at);
        let token = token_value(rng, issuer);
        self.tokens.insert(token.clone(), grant);
        token
    }

    /// What a token was issued for, expired or not.
    pub fn get(&self, token: &str) -> Option<&OpaqueGrant> {
        self.tokens.get(token)
    }

    /// Drops one token: `/userinfo` answers it as unknown from then on.
    pub fn revoke(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    /// Drops every token of a deleted user.
    pub fn forget_user(&mut self, user_id: &str) {
        self.tokens.retain(|_, g| g.user_id != user_id);
    }

    /// Drops every token of a deleted application.
    pub fn forget_client(&mut self, client_id: &str) {
        self.tokens.retain(|_, g| g.client_id != client_id);
    }

    pub fn summary(&self) -> StoreSummary {
        self.cap.summary(self.tokens.len())
    }
}

/// The JWE protected header the provider's opaque tokens carry, in its key order (facts §1.1
/// `audience`, obs): `{"alg":"dir","enc":"A256GCM","iss":"<issuer>"}`.
pub fn protected_header(issuer: &str) -> String {
    let iss = serde_json::Value::from(issuer).to_string();
    format!(r#"{{"alg":"dir","enc":"A256GCM","iss":{iss}}}"#)
}

/// A JWE compact serialization: header, an empty encrypted key (`dir`), IV, ciphertext and tag.
fn token_value(rng: &mut impl rand::Rng, issuer: &str) -> String {
    let mut random = |n: usize| {
        let bytes: Vec<u8> = (0..n).map(|_| rng.random::<u8>()).collect();
        URL_SAFE_NO_PAD.encode(bytes)
    };
    let iv = random(IV_BYTES);
    let ciphertext = random(CIPHERTEXT_BYTES);
    let tag = random(TAG_BYTES);
    let header = URL_SAFE_NO_PAD.encode(protected_header(issuer));
    format!("{header}..{iv}.{ciphertext}.{tag}")
}

/// Whether a bearer token has the JWE compact shape (five segments).
pub fn is_jwe_shaped(token: &str) -> bool {
    token.split('.').count() == 5
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;

    use super::*;

    fn grant(user: &str, expires_at: i64) -> OpaqueGrant {
        OpaqueGrant {
            user_id: user.into(),
            client_id: "c".into(),
            scope: "openid".into(),
            expires_at,
        }
    }

    #[test]
    fn tokens_are_jwe_compact_with_the_observed_header() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut store = OpaqueTokens::default();
        let token = store.issue(&mut rng, "https://t.example/", grant("u", 10), 0);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 5);
        let header = URL_SAFE_NO_PAD.decode(parts[0]).expect("base64url header");
        assert_eq!(
            String::from_utf8(header).expect("utf-8"),
            r#"{"alg":"dir","enc":"A256GCM","iss":"https://t.example/"}"#
        );
        assert_eq!(parts[1], "");
        let sizes: Vec<usize> = parts[2..]
            .iter()
            .map(|p| URL_SAFE_NO_PAD.decode(p).expect("base64url").len())
            .collect();
        assert_eq!(sizes, [IV_BYTES, CIPHERTEXT_BYTES, TAG_BYTES]);
        assert_eq!(store.get(&token), Some(&grant("u", 10)));
        assert!(is_jwe_shaped(&token));
    }

    #[test]
    fn past_the_cap_the_expired_go_first_then_those_expiring_soonest() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut store = OpaqueTokens {
            cap: Cap::new(10),
            ..OpaqueTokens::default()
        };
        let expired = store.issue(&mut rng, "https://t/", grant("u", 5), 0);
        let live: Vec<String> = (0..9)
            .map(|i| store.issue(&mut rng, "https://t/", grant("u", 100 + i), 10))
            .collect();
        let newest = store.issue(&mut rng, "https://t/", grant("u", 500), 10);
        assert!(store.get(&expired).is_none(), "the expired token went first");
        assert!(live.iter().chain([&newest]).all(|t| store.get(t).is_some()));
        assert_eq!(store.summary().evicted, 1);
        store.issue(&mut rng, "https://t/", grant("u", 600), 10);
        assert!(store.get(&live[0]).is_none(), "then the one expiring soonest");
        assert!(store.get(&newest).is_some());
        assert_eq!((store.summary().len, store.summary().evicted), (10, 2));
    }

    #[test]
    fn a_deleted_users_tokens_are_forgotten() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut store = OpaqueTokens::default();
        let gone = store.issue(&mut rng, "https://t/", grant("gone", 5), 0);
        let kept = store.issue(&mut rng, "https://t/", grant("kept", 5), 0);
        store.forget_user("gone");
        assert!(store.get(&gone).is_none());
        assert!(store.get(&kept).is_some());
    }
}
