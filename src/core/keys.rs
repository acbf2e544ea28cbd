//! RS256 signing keys and the public JWKS document built from them.
//!
//! A tenant signs with one RSA key identified by a `kid`. The key comes from the fixture (so
//! tokens and the JWKS are reproducible across runs) or is generated at start. The JWKS entry
//! carries `n`/`e` and a self-signed certificate in `x5c` with its SHA-1 thumbprint in `x5t`,
//! the shape identity providers publish and some client libraries read.
//! Depends on nothing else in the crate.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

/// Why a key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing key is not a PKCS#8 RSA private key in PEM form: {0}")]
    Pem(String),
    #[error("could not generate an RSA key: {0}")]
    Generate(String),
    #[error("could not build the key's certificate: {0}")]
    Certificate(String),
}

/// One RSA key pair with everything derived from it once, at load time.
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The public JWK, fields in the order identity providers publish them.
    jwk: Value,
    /// The self-signed certificate (PEM) whose DER is in `x5c`.
    certificate_pem: String,
}

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
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Pem(e.to_string()))?;
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| KeyError::Pem(e.to_string()))?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|e| KeyError::Pem(e.to_string()))?;

        let key_pair = rcgen::KeyPair::from_pem(pem).map_err(|e| KeyError::Certificate(e.to_string()))?;
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| KeyError::Certificate(e.to_string()))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(rcgen::DnType::CommonName, subject);
        let cert = params
            .self_signed(&key_pair)
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        let der = cert.der();
        let x5t = URL_SAFE_NO_PAD.encode(Sha1::digest(der));
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
            encoding,
            decoding,
            jwk,
            certificate_pem: cert.pem(),
        })
    }

    /// Generates a fresh 2048-bit key (slow in debug builds; fixtures usually carry one).
    pub fn generate(kid: &str, subject: &str) -> Result<Self, KeyError> {
        let mut rng = rsa::rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| KeyError::Generate(e.to_string()))?;
        let pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        Self::from_pem(kid, &pem, subject)
    }

    /// The key id put in every token header and in the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub(crate) fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
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
        assert_eq!(jwk["x5t"], URL_SAFE_NO_PAD.encode(Sha1::digest(&der)));
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
