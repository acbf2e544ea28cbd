//! RS256 signing keys and the public JWKS document built from them.
//!
//! A tenant signs with one RSA key identified by a `kid`. The key comes from the fixture (so
//! tokens and the JWKS are reproducible across runs) or is generated at start. The JWKS entry
//! carries `n`/`e` and a self-signed certificate in `x5c` with its SHA-1 thumbprint in `x5t`,
//! the shape identity providers publish and some client libraries read.
//!
//! Signing (tokens and the certificate) goes through one `aws-lc-rs` key pair parsed at load
//! time: parsing the key for every token is kept off the token path. `aws-lc-rs` is the crate's
//! only crypto library (see `core::crypto`). A tenant whose fixture names no key signs with the
//! built-in development key (the default fixture's) under its own `kid`, with no RSA key
//! generation at start: see [`SigningKey::builtin`].
//! Depends on nothing else in the crate (`core::tokens` signs and verifies with these keys).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Header};
use rustls::pki_types::PrivatePkcs8KeyDer;
use rustls::pki_types::pem::PemObject as _;
use serde_json::{Map, Value, json};

/// A verified token's claims, as `core::tokens` reads them.
type Claims = Map<String, Value>;

/// Why a key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing key is not a PKCS#8 RSA private key in PEM form: {0}")]
    Pem(String),
    #[error("could not build the key's certificate: {0}")]
    Certificate(String),
}

/// One RSA key pair with everything derived from it once, at load time.
pub struct SigningKey {
    kid: String,
    /// The parsed private key: RS256 signatures without re-reading the key.
    signer: RsaKeyPair,
    rng: SystemRandom,
    /// The base64url JWT header (`alg`, `kid`, `typ`), the same for every token of this key.
    encoded_header: String,
    decoding: DecodingKey,
    /// The public JWK, fields in the order identity providers publish them.
    jwk: Value,
    /// The self-signed certificate (PEM) whose DER is in `x5c`.
    certificate_pem: String,
    /// Tokens whose signature this key already verified, with their claims: a client reuses
    /// its token for many calls, and the RSA check is the bulk of a Management API request.
    verified: Mutex<HashMap<String, Claims>>,
    /// Signatures made in the last second, by signing input (`header.payload`).
    signed: Mutex<RecentSignatures>,
}

/// RSASSA-PKCS1-v1_5 is deterministic: one key over the same bytes gives the same signature. An
/// access token without a `jti` (every client-credentials token) repeats its bytes for the same
/// client, audience, scope and second, so a token signed again within the second reuses the
/// signature: the same bytes a fresh signing would give, at the cost of a lookup. Bounded in
/// time (entries last one second) and in size.
#[derive(Debug, Default)]
struct RecentSignatures {
    since: Option<Instant>,
    by_input: HashMap<Box<str>, Box<[u8]>>,
}

/// The most signatures a key keeps; past it the memory starts over.
const SIGNED_CAPACITY: usize = 64;

impl RecentSignatures {
    fn get(&mut self, input: &str, now: Instant) -> Option<Box<[u8]>> {
        if self
            .since
            .is_none_or(|since| now.duration_since(since) >= Duration::from_secs(1))
        {
            self.by_input.clear();
            self.since = Some(now);
        }
        self.by_input.get(input).cloned()
    }

    fn keep(&mut self, input: &str, signature: &[u8]) {
        if self.by_input.len() >= SIGNED_CAPACITY {
            self.by_input.clear();
        }
        self.by_input.insert(input.into(), signature.into());
    }
}

/// The development key every build carries (also the default fixture's `auth0-tenant.key.pem`).
pub(crate) const BUILTIN_KEY: &str = include_str!("../../fixtures/auth0-tenant.key.pem");

/// The most verified tokens a key remembers; past it the memory starts over.
const VERIFIED_CAPACITY: usize = 256;

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads a PKCS#8 PEM private key. `subject` names the certificate (the tenant name).
    pub fn from_pem(kid: &str, pem: &str, subject: &str) -> Result<Self, KeyError> {
        let pkcs8 = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| KeyError::Pem(e.to_string()))?;
        let signer = RsaKeyPair::from_pkcs8(pkcs8.secret_pkcs8_der()).map_err(|e| KeyError::Pem(e.to_string()))?;
        let public = PublicKeyComponents::<Vec<u8>>::from(signer.public_key());
        // Big-endian without leading zeros, as JWKs carry them.
        let n = URL_SAFE_NO_PAD.encode(&public.n);
        let e = URL_SAFE_NO_PAD.encode(&public.e);
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|e| KeyError::Pem(e.to_string()))?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        // A header of strings always serialises.
        let encoded_header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("a JWT header is JSON"));
        let rng = SystemRandom::new();

        let key_pair = CertificateSigner {
            pair: &signer,
            rng: &rng,
        };
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| KeyError::Certificate(e.to_string()))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(rcgen::DnType::CommonName, subject);
        let cert = params
            .self_signed(&key_pair)
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        let der = cert.der();
        let x5t = URL_SAFE_NO_PAD.encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, der));
        let jwk = json!({
            "alg": "RS256",
            "kty": "RSA",
            "use": "sig",
            "x5c": [STANDARD.encode(der)],
            "n": n,
            "e": e,
            "kid": kid,
            "x5t": x5t,
        });
        Ok(Self {
            kid: kid.to_owned(),
            signer,
            rng,
            encoded_header,
            decoding,
            jwk,
            certificate_pem: cert.pem(),
            verified: Mutex::new(HashMap::new()),
            signed: Mutex::new(RecentSignatures::default()),
        })
    }

    /// The built-in development key (the default fixture's, published with authmock) under
    /// `kid`: what a tenant whose fixture names no key signs with. Tenants without a key of
    /// their own share its modulus; their `kid`s differ, so a token is still refused by a
    /// tenant it was not issued by (unknown key). A fixture that needs a key of its own names
    /// one in `signing_key`.
    pub fn builtin(kid: &str, subject: &str) -> Result<Self, KeyError> {
        Self::from_pem(kid, BUILTIN_KEY, subject)
    }

    /// The key id put in every token header and in the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The base64url JWT header every token of this key carries.
    pub(crate) fn encoded_header(&self) -> &str {
        &self.encoded_header
    }

    /// RS256 over a JWT's signing input (`header.payload`), reusing the signature of the same
    /// input made within the last second ([`RecentSignatures`]).
    pub(crate) fn sign_jwt_input(&self, input: &str) -> Box<[u8]> {
        let now = Instant::now();
        // Entries are inserted whole: a poisoned map is still consistent.
        let lock = || self.signed.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(signature) = lock().get(input, now) {
            return signature;
        }
        let signature: Box<[u8]> = self.sign_rs256(input.as_bytes()).into();
        lock().keep(input, &signature);
        signature
    }

    /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over `message`.
    pub(crate) fn sign_rs256(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.signer.public_modulus_len()];
        // Fails only on a wrong buffer length or a broken OS random source.
        self.signer
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .expect("an RSA key signs any message");
        signature
    }

    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The claims of `token` if this key verified its signature before.
    pub(crate) fn verified_claims(&self, token: &str) -> Option<Claims> {
        self.verified_lock().get(token).cloned()
    }

    /// Remembers that `token` carries a valid signature of this key.
    pub(crate) fn remember_verified(&self, token: &str, claims: &Claims) {
        let mut verified = self.verified_lock();
        if verified.len() >= VERIFIED_CAPACITY {
            verified.clear();
        }
        verified.insert(token.to_owned(), claims.clone());
    }

    fn verified_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Claims>> {
        // Entries are inserted whole: a poisoned map is still consistent.
        self.verified.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The public key as one JWK.
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// `{"keys":[…]}` for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk] })
    }

    /// The signing certificate in PEM form.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }
}

/// Lets `rcgen` self-sign the JWKS certificate with the key pair the tokens use.
struct CertificateSigner<'k> {
    pair: &'k RsaKeyPair,
    rng: &'k SystemRandom,
}

impl rcgen::PublicKeyData for CertificateSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

impl rcgen::SigningKey for CertificateSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, self.rng, msg, &mut signature)
            .map_err(|_| rcgen::Error::RemoteKeyError)?;
        Ok(signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../../tests/data/test-key.pem");

    #[test]
    fn jwk_exposes_modulus_exponent_and_certificate() {
        let key = SigningKey::from_pem("kid-1", PEM, "unit").expect("test key loads");
        let jwk = key.jwk();
        assert_eq!(jwk["kid"], "kid-1");
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(jwk["alg"], "RS256");
        let n = URL_SAFE_NO_PAD
            .decode(jwk["n"].as_str().expect("n is a string"))
            .expect("n is base64url");
        assert_eq!(n.len(), 256, "a 2048-bit modulus");
        let der = STANDARD
            .decode(jwk["x5c"][0].as_str().expect("x5c holds a string"))
            .expect("x5c is base64");
        assert_eq!(
            jwk["x5t"],
            URL_SAFE_NO_PAD.encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, &der))
        );
        let keys: Vec<&str> = jwk
            .as_object()
            .expect("jwk is an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["alg", "kty", "use", "x5c", "n", "e", "kid", "x5t"]);
    }

    #[test]
    fn garbage_pem_is_an_error_not_a_panic() {
        assert!(matches!(
            SigningKey::from_pem("k", "not a key", "x"),
            Err(KeyError::Pem(_))
        ));
    }
}
