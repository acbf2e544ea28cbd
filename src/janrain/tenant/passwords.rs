//! A record's `password` attribute: the hash a sign-in checks, and the object an owner client
//! reads back, `{"created", "type", "value"}` (facts `migration.md` §1.2, §1.3).
//!
//! Capture hashes new passwords with bcrypt (`password-bcrypt`, `$2b$10$…` in a 2025 export), so
//! a password, set through the API or a fixture's, is shown as a bcrypt hash of cost 10. It is
//! checked by authmock's fast digest, and the bcrypt hash is made when it is first read, with a
//! salt drawn from the password and its time, so the value is the same whenever it is made (a
//! fixture may seed 100,000 records, and bcrypt costs tens of milliseconds). A fixture may also seed a hash of another type tag as it would have been
//! loaded; the tags authmock can check sign in, the others are shown and never match.
//! Leaf data: depends on `core` only.

use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::core::legacy_hash::{Digest, Encoding, HashError, LegacyHash, Salt, SaltPosition, bcrypt_hash};
use crate::core::password::PasswordHash;

/// The type tag of passwords Capture hashes itself (facts §1.3).
pub const BCRYPT_TAG: &str = "password-bcrypt";
/// bcrypt's cost in Capture's exports (facts §1.3: `$2b$10$`).
const BCRYPT_COST: u32 = 10;

/// A record's password.
#[derive(Debug, Clone, PartialEq)]
pub struct Password {
    /// What a sign-in checks.
    pub hash: PasswordHash,
    /// `password.created`, Capture's time with nine fractional digits (facts §1.2).
    pub created: String,
    /// The type tag (`password-bcrypt`, …).
    pub tag: String,
    /// The value shown, made on first read for a fixture's plain password.
    shown: Arc<OnceLock<String>>,
    /// The plain password, kept to make the shown bcrypt hash from.
    plain: Option<Arc<str>>,
    /// A seeded `salt`, shown beside the value.
    salt: Option<String>,
}

impl Password {
    /// A password set through the API or a fixture's plain password: checked by the fast digest,
    /// shown as a bcrypt hash made on its first read (only an owner client exporting `password`
    /// reads it; a sign-up, a reset or a password change pays no bcrypt, tens of milliseconds of
    /// CPU under the tenant's lock).
    pub fn from_plain(hash: PasswordHash, plain: &str, created: String) -> Self {
        Self {
            hash,
            created,
            tag: BCRYPT_TAG.into(),
            shown: Arc::new(OnceLock::new()),
            plain: Some(plain.into()),
            salt: None,
        }
    }

    /// A fixture's hash of type tag `seed.kind`, as loaded.
    pub fn seeded(seed: &HashSeed, created: String) -> Result<Self, String> {
        let hash = legacy(seed).map_err(|e| format!("password_hash {}: {e}", seed.kind))?;
        let shown = OnceLock::new();
        let _ = shown.set(seed.value.clone());
        Ok(Self {
            hash,
            created,
            tag: seed.kind.clone(),
            shown: Arc::new(shown),
            plain: None,
            salt: seed.salt.clone(),
        })
    }

    /// The value shown (the bcrypt hash of a plain password made now if not yet).
    pub fn value(&self) -> &str {
        self.shown.get_or_init(|| {
            let plain = self.plain.as_deref().unwrap_or_default();
            bcrypt_hash(plain, BCRYPT_COST, salt_for(plain, &self.created))
        })
    }

    /// The attribute as an owner client reads it (facts §1.2 key order, a seeded `salt` last).
    pub fn to_json(&self) -> Value {
        let mut out = json!({"created": self.created, "type": self.tag, "value": self.value()});
        if let (Some(salt), Some(map)) = (&self.salt, out.as_object_mut()) {
            map.insert("salt".into(), Value::from(salt.as_str()));
        }
        out
    }
}

/// A bcrypt salt that does not draw from the app's RNG (seeded runs keep their ids and codes):
/// the first 16 bytes of SHA-256 over the password's creation time and the password.
fn salt_for(plain: &str, created: &str) -> [u8; 16] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, format!("{created}\n{plain}").as_bytes());
    let mut salt = [0; 16];
    salt.copy_from_slice(&digest.as_ref()[..16]);
    salt
}

/// A fixture's `password_hash`: a value of one of Capture's type tags (facts §1.3, `dataload`'s
/// format).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashSeed {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    #[serde(default)]
    pub salt: Option<String>,
}

/// The tags a sign-in can check, and how (facts §1.3, §4.2; the encodings of the SHA-2 tags are
/// NOT FOUND, inf: hex like `password-sha`'s sample).
fn legacy(seed: &HashSeed) -> Result<PasswordHash, HashError> {
    let value = seed.value.as_str();
    // inf: the sample of the salted MD5 tags is 32 hex characters although the names say
    // base64 (facts §1.3), so either is read.
    let hex_or_base64 = |v: &str| Encoding::Hex.decode(v).or_else(|_| Encoding::Base64.decode(v));
    let salted = |position| {
        seed.salt.as_ref().map(|s| Salt {
            bytes: s.as_bytes().to_vec(),
            position,
        })
    };
    let hash = match seed.kind.as_str() {
        BCRYPT_TAG => LegacyHash::bcrypt(value, None)?,
        "password-md5" => LegacyHash::digest(Digest::Md5, Encoding::Hex.decode(value)?, None)?,
        "password-sha" => LegacyHash::digest(Digest::Sha1, Encoding::Hex.decode(value)?, None)?,
        "password-sha-256" => LegacyHash::digest(Digest::Sha256, Encoding::Hex.decode(value)?, None)?,
        "password-sha-512" => LegacyHash::digest(Digest::Sha512, Encoding::Hex.decode(value)?, None)?,
        "password-md5-salted-left-base64" => {
            LegacyHash::digest(Digest::Md5, hex_or_base64(value)?, salted(SaltPosition::Prefix))?
        }
        "password-md5-salted-right-base64" => {
            LegacyHash::digest(Digest::Md5, hex_or_base64(value)?, salted(SaltPosition::Suffix))?
        }
        "password-base64" => LegacyHash::plain(Encoding::Base64.decode(value)?),
        // Documented tags whose value layout is NOT FOUND (facts §1.3, §7 q10): shown as
        // seeded, never matched.
        "password-crypt-sha256"
        | "password-crypt-sha512"
        | "password-crypt-des"
        | "password-crypt-md5"
        | "password-pbkdf2-sha1"
        | "password-pbkdf2-sha256"
        | "password-pbkdf2-sha512"
        | "password-phpass-sha512-truncated-55"
        | "password-phpass-55"
        | "password-netforum" => LegacyHash::unverifiable(),
        other => return Err(HashError(format!("unknown password type {other}"))),
    };
    Ok(PasswordHash::legacy(hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(kind: &str, value: &str, salt: Option<&str>) -> HashSeed {
        HashSeed {
            kind: kind.into(),
            value: value.into(),
            salt: salt.map(Into::into),
        }
    }

    const CREATED: &str = "2025-05-08 09:35:22.555420794 +0000";

    #[test]
    fn seeded_tags_check_the_loader_samples_and_show_as_loaded() {
        // facts §1.3: the AIC export's bcrypt value, and dataload's samples of `Pass123`.
        let cases = [
            (
                BCRYPT_TAG,
                "$2b$10$fGr0/0QnnDkv9VG0BtyaiOj9Fb5rNQTXkrCcidzQqR061kc6e5VBu",
                "p@ssw0rd3xamp!e",
            ),
            ("password-md5", "2f23fa3579f3f75175793649115c1b25", "Pass123"),
            ("password-sha", "54e8d2e15d3caa89aa3f82c8c0428ad5742f056c", "Pass123"),
            ("password-base64", "UGFzczEyMw==", "Pass123"),
        ];
        for (kind, value, plain) in cases {
            let password = Password::seeded(&seed(kind, value, None), CREATED.into()).unwrap();
            assert!(password.hash.matches(plain), "{kind}");
            assert!(!password.hash.matches("wrong"), "{kind}");
            assert_eq!(
                password.to_json(),
                json!({"created": CREATED, "type": kind, "value": value})
            );
        }
        let netforum = Password::seeded(&seed("password-netforum", "opaque", None), CREATED.into()).unwrap();
        assert!(!netforum.hash.matches("opaque"));
        assert!(Password::seeded(&seed("password-rot13", "x", None), CREATED.into()).is_err());
        assert!(Password::seeded(&seed("password-md5", "not hex", None), CREATED.into()).is_err());
    }

    #[test]
    fn a_fixture_password_is_shown_as_a_bcrypt_hash_of_cost_10_that_checks() {
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1);
        let fast = PasswordHash::new(&mut rng, "Secret-123");
        let password = Password::from_plain(fast, "Secret-123", CREATED.into());
        let value = password.value().to_owned();
        assert!(value.starts_with("$2b$10$") && value.len() == 60, "{value}");
        assert_eq!(password.clone().value(), value, "made once, the same after");
        assert!(LegacyHash::bcrypt(&value, None).unwrap().verify("Secret-123"));
    }
}
