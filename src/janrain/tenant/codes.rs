//! What the app hands out and later takes back: recovery codes (`core::onetime`), access and
//! refresh tokens, and email verification codes, with the random text they are made of.
//!
//! Leaf data: the stores and their own rules; the state (`state.rs`) holds one of each.

use std::collections::HashMap;

use rand::RngExt as _;
use rand::rngs::StdRng;

use crate::janrain::wire::error::JanrainError;

/// Access tokens live one hour (facts `janrain.md` §5 "Token lifetimes").
pub const ACCESS_TOKEN_LIFETIME: i64 = 3600;
/// Length of recovery codes; the real length is not documented, doc examples of codes and
/// tokens are 16 to 20 characters.
pub const CODE_LEN: usize = 16;
/// Length of a verification code (the doc examples, `janrain-entity.md` §3.1).
pub const VERIFICATION_CODE_LEN: usize = 32;
/// The most verification codes kept; the oldest go first (records created at runtime are
/// capped too).
pub const MAX_CODES: usize = 10_000;
/// The longest `refresh_secret` kept (the SDKs make 40 hex characters).
const MAX_SECRET_LEN: usize = 256;

/// `len` lowercase alphanumerics, the shape of the documented tokens and request ids.
pub(in crate::janrain) fn random_token(rng: &mut StdRng, len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

/// What a recovery code grants when exchanged.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub uuid: String,
    pub client_id: String,
    /// The `redirect_uri` the forgot-password call carried (the exchange must repeat it).
    pub redirect_uri: String,
}

/// A live access or refresh token.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub uuid: String,
    pub client_id: String,
    pub expires_at: i64,
    /// The `refresh_secret` a mobile client posted when it signed in (access tokens only):
    /// the key of `/oauth/refresh_access_token`'s signature.
    pub refresh_secret: Option<String>,
}

/// Keeps the `refresh_secret` a sign-in posted with the access token it issued; an oversized
/// one is refused (with `access` unknown, this only checks).
pub(in crate::janrain) fn keep_refresh_secret(
    access_tokens: &mut HashMap<String, TokenGrant>,
    access: &str,
    secret: Option<&str>,
) -> Result<(), JanrainError> {
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    if secret.len() > MAX_SECRET_LEN {
        return Err(JanrainError::InvalidArgument {
            name: "refresh_secret".into(),
            description: "refresh_secret is too long".into(), // inf: NOT FOUND
            hint: format!("at most {MAX_SECRET_LEN} bytes (the SDKs send 40 hex characters)"),
        });
    }
    if let Some(grant) = access_tokens.get_mut(access) {
        grant.refresh_secret = Some(secret.to_owned());
    }
    Ok(())
}

/// What one verification code verifies.
#[derive(Debug, Clone)]
pub struct VerificationGrant {
    pub uuid: String,
    /// The address the code was mailed to: a code verifies that address only.
    pub email: String,
    pub issued_at: i64,
    pub expires_at: i64,
    /// Why the code no longer works, once it does not (feeds the hint only).
    pub spent: Option<&'static str>,
}

/// Every verification code of an app.
#[derive(Debug, Default)]
pub struct VerificationCodes {
    codes: HashMap<String, VerificationGrant>,
}

impl VerificationCodes {
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub(in crate::janrain) fn get(&self, code: &str) -> Option<&VerificationGrant> {
        self.codes.get(code)
    }

    /// Marks `code` used (a code works once).
    pub(in crate::janrain) fn spend(&mut self, code: &str) {
        if let Some(spent) = self.codes.get_mut(code) {
            spent.spent = Some("this verification code was used already; codes are single use");
        }
    }

    /// A fresh code for `uuid`'s `email`; it supersedes the record's older codes, and the
    /// oldest tenth goes when the store is full.
    pub(in crate::janrain) fn issue(
        &mut self,
        rng: &mut StdRng,
        uuid: &str,
        email: &str,
        now: i64,
        lifetime: i64,
    ) -> String {
        let codes = &mut self.codes;
        for grant in codes.values_mut() {
            if grant.uuid == uuid && grant.spent.is_none() {
                grant.spent = Some("a newer verification code was mailed for this record");
            }
        }
        if codes.len() >= MAX_CODES {
            let mut order: Vec<(bool, i64, String)> = codes
                .iter()
                .map(|(code, g)| (g.spent.is_none() && g.expires_at > now, g.issued_at, code.clone()))
                .collect();
            order.sort_unstable();
            for (_, _, code) in order.into_iter().take(MAX_CODES / 10) {
                codes.remove(&code);
            }
        }
        let code = loop {
            let candidate = random_token(rng, VERIFICATION_CODE_LEN);
            if !codes.contains_key(&candidate) {
                break candidate;
            }
        };
        codes.insert(
            code.clone(),
            VerificationGrant {
                uuid: uuid.to_owned(),
                email: email.to_owned(),
                issued_at: now,
                expires_at: now + lifetime,
                spent: None,
            },
        );
        code
    }
}
