//! Issuing and verifying RS256 JWTs, and reading a bearer header, with neutral outcomes.
//!
//! Nothing here knows a provider's wording: failures come back as [`TokenRejection`] reasons,
//! and each provider turns a reason into its own wire error (`auth0::error`). Expiry is checked
//! against the tenant [`Clock`](super::clock::Clock), never the wall clock.
//! Depends on `core::keys`.

use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::keys::SigningKey;

/// Claims in issue order: serde_json keeps insertion order, so the payload matches the
/// provider's claim order byte for byte.
pub type Claims = Map<String, Value>;

/// Why a bearer header or token was refused, in provider-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRejection {
    /// No `Authorization` header at all.
    Missing,
    /// Two parts, but the scheme is not `Bearer` (e.g. `Basic …`).
    NotBearer { scheme: String },
    /// Not `Bearer <token>` (one part, three parts), or the token is not three dot-separated segments.
    BadHeaderFormat { detail: &'static str },
    /// Three segments, but the header or payload is not base64url JSON.
    Malformed,
    /// The header names an algorithm other than RS256 (`none`, `HS256`, …).
    WrongAlgorithm { alg: String },
    /// The `kid` is not one of this tenant's keys.
    UnknownKey { kid: Option<String> },
    /// RS256, right key id, but the signature does not verify.
    BadSignature,
    /// `exp` lies in the past on the tenant clock.
    Expired { expired_secs_ago: i64 },
}

/// Signs `claims` with `key` (RS256, `typ: JWT`, `kid` set): the same bytes
/// `jsonwebtoken::encode` gives, with the key parsed once and the header encoded once per key.
pub fn sign(key: &SigningKey, claims: &Claims) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    // Serialising a JSON map cannot fail.
    let payload = serde_json::to_vec(claims).expect("claims are a JSON object");
    let mut token = String::with_capacity(key.encoded_header().len() + payload.len() * 4 / 3 + 350);
    token.push_str(key.encoded_header());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let signature = key.sign_jwt_input(&token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
    token
}

/// Splits a raw `Authorization` header value into its token the way the hapi JWT scheme does:
/// whitespace runs separate parts, exactly two parts, scheme `bearer` in any case, and a token
/// of three dot-separated segments.
pub fn bearer_token(header: Option<&str>) -> Result<&str, TokenRejection> {
    let token = bearer_credential(header)?;
    if token.split('.').count() != 3 {
        return Err(TokenRejection::BadHeaderFormat {
            detail: "the token is not a JWT (three dot-separated segments)",
        });
    }
    Ok(token)
}

/// [`bearer_token`] without the JWT shape check: the credential of a `Bearer <token>` header,
/// for endpoints that also take opaque tokens.
pub fn bearer_credential(header: Option<&str>) -> Result<&str, TokenRejection> {
    let Some(value) = header else {
        return Err(TokenRejection::Missing);
    };
    let parts = split_on_whitespace_runs(value);
    if parts.len() != 2 {
        return Err(TokenRejection::BadHeaderFormat {
            detail: "expected exactly two parts: `Bearer <token>`",
        });
    }
    if !parts[0].eq_ignore_ascii_case("bearer") {
        return Err(TokenRejection::NotBearer {
            scheme: parts[0].to_owned(),
        });
    }
    Ok(parts[1])
}

/// Like JavaScript's `s.split(/\s+/)`: leading or trailing whitespace yields an empty part.
fn split_on_whitespace_runs(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                parts.push(&s[start..i]);
                in_space = true;
            }
        } else if in_space {
            start = i;
            in_space = false;
        }
    }
    parts.push(if in_space { "" } else { &s[start..] });
    parts
}

/// Verifies signature and algorithm, then `exp` against `now` (unix seconds). Audience and
/// scopes are the caller's business: the order of those checks is provider-specific.
pub fn verify(key: &SigningKey, token: &str, now: i64) -> Result<Claims, TokenRejection> {
    let claims = match key.verified_claims(token) {
        Some(claims) => claims,
        None => {
            let claims = verify_signature(key, token)?;
            key.remember_verified(token, &claims);
            claims
        }
    };
    if let Some(exp) = claims.get("exp").and_then(Value::as_i64)
        && exp <= now
    {
        return Err(TokenRejection::Expired {
            expired_secs_ago: now - exp,
        });
    }
    Ok(claims)
}

/// Header, algorithm, key id and signature: what depends on the token's bytes alone, so a
/// success can be remembered per token (expiry is checked on every call).
fn verify_signature(key: &SigningKey, token: &str) -> Result<Claims, TokenRejection> {
    let header = jsonwebtoken::decode_header(token).map_err(|err| match err.kind() {
        // An `alg` value the library does not know (e.g. "none") fails header parsing.
        jsonwebtoken::errors::ErrorKind::Json(_) => algorithm_of(token)
            .map(|alg| TokenRejection::WrongAlgorithm { alg })
            .unwrap_or(TokenRejection::Malformed),
        _ => TokenRejection::Malformed,
    })?;
    if header.alg != Algorithm::RS256 {
        return Err(TokenRejection::WrongAlgorithm {
            alg: format!("{:?}", header.alg),
        });
    }
    if header.kid.as_deref() != Some(key.kid()) {
        return Err(TokenRejection::UnknownKey { kid: header.kid });
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Claims>(token, key.decoding(), &validation).map_err(|err| match err.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenRejection::BadSignature,
        _ => TokenRejection::Malformed,
    })?;
    Ok(data.claims)
}

/// Reads `alg` from a token header the JWT library refused to parse.
fn algorithm_of(token: &str) -> Option<String> {
    use base64::Engine as _;
    let head = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value.get("alg")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::Header;
    use rustls::pki_types::PrivatePkcs1KeyDer;
    use rustls::pki_types::pem::PemObject as _;
    use serde_json::json;

    fn key(kid: &str, pem: &str) -> SigningKey {
        SigningKey::from_pem(kid, pem, "unit").expect("test key loads")
    }

    fn test_key() -> SigningKey {
        key("k1", include_str!("../../tests/data/test-key.pem"))
    }

    fn claims(exp: i64) -> Claims {
        json!({"iss": "https://t/", "sub": "c@clients", "exp": exp})
            .as_object()
            .expect("literal object")
            .clone()
    }

    #[test]
    fn signed_token_verifies_and_keeps_claim_order() {
        let key = test_key();
        let token = sign(&key, &claims(2_000));
        let verified = verify(&key, &token, 1_000).expect("fresh token verifies");
        let names: Vec<&String> = verified.keys().collect();
        assert_eq!(names, ["iss", "sub", "exp"]);
    }

    /// A token signed again within the second reuses the first signature: the same bytes as a
    /// fresh signature, and only for the same input.
    #[test]
    fn a_reused_signature_is_the_fresh_one_and_only_for_the_same_bytes() {
        let key = test_key();
        let first = sign(&key, &claims(2_000));
        let again = sign(&key, &claims(2_000));
        assert_eq!(first, again);
        let (input, signature) = again.rsplit_once('.').expect("three segments");
        let fresh = key.sign_rs256(input.as_bytes());
        assert_eq!(signature, URL_SAFE_NO_PAD.encode(fresh));
        let other = sign(&key, &claims(2_001));
        assert_ne!(other.rsplit_once('.').map(|(_, s)| s), Some(signature));
        verify(&key, &other, 1_000).expect("the other token verifies");
    }

    #[test]
    fn tokens_are_byte_for_byte_what_the_jwt_library_signs() {
        let key = test_key();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid().to_owned());
        // The JWT library reads an RSA key as PKCS#1: the same key as test-key.pem.
        let pem = include_str!("../../tests/data/test-key.pkcs1.pem");
        let der = PrivatePkcs1KeyDer::from_pem_slice(pem.as_bytes()).expect("test key");
        let library = jsonwebtoken::EncodingKey::from_rsa_der(der.secret_pkcs1_der());
        let claims = claims(2_000);
        let expected = jsonwebtoken::encode(&header, &claims, &library).expect("library signs");
        assert_eq!(sign(&key, &claims), expected);
    }

    /// RS256 is deterministic: this token was computed outside authmock (`openssl dgst -sha256
    /// -sign tests/data/test-key.pem` over the header and payload below), so it pins the bytes
    /// whatever crypto library signs them.
    #[test]
    fn tokens_are_byte_for_byte_an_independent_rs256_signature() {
        const EXPECTED: &str = concat!(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.",
            "eyJpc3MiOiJodHRwczovL3QvIiwic3ViIjoiY0BjbGllbnRzIiwiZXhwIjoyMDAwfQ.",
            "L9gGd1YEDJjs5hpwlGEEm5xFvD0cZNZZTaj_yhPt9Qr2fQLdfx00NEJlZ5BHHXmxz-DIYCXjnYkAUgILT3sF-IRMeLKhwAqh",
            "OwZH97SHx6P-x41mOQHGVi39eJlo0P1hft0KgmLWMYNbCz7svk3B33TLic7KUM9Gd9Iiu32U-0oxrzMBecATDWl3J7VDEYvZ",
            "Sw70LhiayjIBSiazYzrFQA8JLEWjcaWFnOVhgIaMEokUOVKqruOarx6TjJNlpUbFYVr39Wk9H9krZBK8mip3chVoHyVd5sES",
            "4hr_id-GFtqtgogTExgig7Cbr3Dwv_3igYVgdoGyjR-UHiZ1d4uJ6w",
        );
        assert_eq!(sign(&test_key(), &claims(2_000)), EXPECTED);
    }

    #[test]
    fn token_expires_exactly_at_exp_on_the_given_clock() {
        let key = test_key();
        let token = sign(&key, &claims(2_000));
        assert!(verify(&key, &token, 1_999).is_ok());
        assert_eq!(
            verify(&key, &token, 2_000),
            Err(TokenRejection::Expired { expired_secs_ago: 0 })
        );
        assert_eq!(
            verify(&key, &token, 9_200),
            Err(TokenRejection::Expired {
                expired_secs_ago: 7_200
            })
        );
    }

    #[test]
    fn a_remembered_token_still_expires_on_the_given_clock() {
        let key = test_key();
        let token = sign(&key, &claims(2_000));
        assert!(verify(&key, &token, 1_000).is_ok());
        assert!(key.verified_claims(&token).is_some(), "the first check is remembered");
        assert_eq!(
            verify(&key, &token, 2_001),
            Err(TokenRejection::Expired { expired_secs_ago: 1 })
        );
    }

    #[test]
    fn a_tampered_token_is_never_taken_from_memory() {
        let key = test_key();
        let token = sign(&key, &claims(2_000));
        assert!(verify(&key, &token, 1_000).is_ok());
        let later = sign(&key, &claims(9_000));
        let (signed, signature) = token.rsplit_once('.').expect("three segments");
        let (_, later_payload) = later
            .rsplit_once('.')
            .map(|(m, _)| m.split_once('.').expect("header"))
            .expect("three segments");
        let forged = format!(
            "{}.{later_payload}.{signature}",
            signed.split_once('.').expect("header").0
        );
        assert_eq!(verify(&key, &forged, 1_000), Err(TokenRejection::BadSignature));
    }

    #[test]
    fn token_from_another_key_with_same_kid_has_a_bad_signature() {
        let ours = test_key();
        let theirs = key("k1", include_str!("../../fixtures/auth0-tenant.key.pem"));
        let token = sign(&theirs, &claims(2_000));
        assert_eq!(verify(&ours, &token, 1_000), Err(TokenRejection::BadSignature));
    }

    #[test]
    fn alg_none_and_hs256_are_refused() {
        let key = test_key();
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
        let none = format!("{}.{body}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#));
        assert_eq!(
            verify(&key, &none, 0),
            Err(TokenRejection::WrongAlgorithm { alg: "none".into() })
        );
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(2_000),
            &jsonwebtoken::EncodingKey::from_secret(key.certificate_pem().as_bytes()),
        )
        .expect("hmac signs");
        assert!(matches!(
            verify(&key, &hs, 0),
            Err(TokenRejection::WrongAlgorithm { .. })
        ));
    }

    #[test]
    fn garbage_in_three_segments_is_malformed() {
        assert_eq!(verify(&test_key(), "a.b.c", 0), Err(TokenRejection::Malformed));
    }

    #[test]
    fn bearer_header_is_split_like_the_hapi_scheme() {
        let cases: &[(Option<&str>, Result<&str, &str>)] = &[
            (None, Err("missing")),
            (Some("Bearer a.b.c"), Ok("a.b.c")),
            (Some("bearer   a.b.c"), Ok("a.b.c")),
            (Some("Basic dXNlcjpwYXNz"), Err("not bearer")),
            (Some("Bearer"), Err("format")),
            (Some("Bearer "), Err("format")),
            (Some("Bearer a.b.c extra"), Err("format")),
            (Some(" Bearer a.b.c"), Err("format")),
            (Some("Bearer opaque-token-without-dots"), Err("format")),
            (Some("a.b.c"), Err("format")),
        ];
        for (header, expected) in cases {
            let got = bearer_token(*header).map_err(|r| match r {
                TokenRejection::Missing => "missing",
                TokenRejection::NotBearer { .. } => "not bearer",
                TokenRejection::BadHeaderFormat { .. } => "format",
                _ => "other",
            });
            assert_eq!(&got, expected, "header {header:?}");
        }
    }
}
