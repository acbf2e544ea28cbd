//! Password policies of database connections, and how stored passwords are kept.
//!
//! The policy levels follow the identity provider's published strength levels (none, low, fair,
//! good, excellent) with an optional minimum-length override. Passwords are stored as salted
//! SHA-256 digests: a fake must not keep plaintext in memory dumps or journals, but it also must
//! not spend 100 ms of bcrypt per login in a test suite.
//! Depends on nothing else in the crate.

use aws_lc_rs::digest::{Context, SHA256};
use serde::{Deserialize, Serialize};

use crate::core::legacy_hash::LegacyHash;

/// Strength level of a connection's password policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// At least one character.
    None,
    /// At least 6 characters.
    Low,
    /// At least 8 characters with lower case, upper case and digits.
    #[default]
    Fair,
    /// At least 8 characters with three of: lower, upper, digits, special.
    Good,
    /// At least 10 characters, three of the four classes, no character three times in a row.
    Excellent,
}

/// A connection's password policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub strength: Strength,
    /// Overrides the level's minimum length when set.
    pub min_length: Option<usize>,
}

/// What a rejected password lacked (for hints; the wire text is the provider's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weakness {
    pub rules: Vec<String>,
}

impl std::fmt::Display for Weakness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rules.join("; "))
    }
}

impl PasswordPolicy {
    fn base_min_length(&self) -> usize {
        match self.strength {
            Strength::None => 1,
            Strength::Low => 6,
            Strength::Fair | Strength::Good => 8,
            Strength::Excellent => 10,
        }
    }

    /// The minimum length in characters that applies.
    pub fn min_length(&self) -> usize {
        self.min_length.unwrap_or_else(|| self.base_min_length())
    }

    /// Checks `password` against the policy.
    pub fn check(&self, password: &str) -> Result<(), Weakness> {
        let mut rules = Vec::new();
        let len = password.chars().count();
        if len < self.min_length() {
            rules.push(format!("at least {} characters (got {len})", self.min_length()));
        }
        let lower = password.chars().any(|c| c.is_lowercase());
        let upper = password.chars().any(|c| c.is_uppercase());
        let digit = password.chars().any(|c| c.is_ascii_digit());
        let special = password.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace());
        match self.strength {
            Strength::None | Strength::Low => {}
            Strength::Fair => {
                if !(lower && upper && digit) {
                    rules.push("lower case, upper case and digits".to_owned());
                }
            }
            Strength::Good | Strength::Excellent => {
                let classes = [lower, upper, digit, special].iter().filter(|&&b| b).count();
                if classes < 3 {
                    rules.push("at least 3 of: lower case, upper case, digits, special characters".to_owned());
                }
            }
        }
        if self.strength == Strength::Excellent && has_triple(password) {
            rules.push("no more than 2 identical characters in a row".to_owned());
        }
        if rules.is_empty() {
            Ok(())
        } else {
            Err(Weakness { rules })
        }
    }
}

fn has_triple(password: &str) -> bool {
    let chars: Vec<char> = password.chars().collect();
    chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2])
}

/// A stored password: a salted SHA-256 digest (authmock's own), or a hash made elsewhere and
/// imported as it came ([`LegacyHash`]), checked by its own algorithm until the owner's next
/// correct login replaces it with a digest of the first kind.
#[derive(Clone)]
pub struct PasswordHash(Stored);

/// The same stored hash: the same salt and digest, or the same imported hash.
impl PartialEq for PasswordHash {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Stored::Salted { salt, digest }, Stored::Salted { salt: s, digest: d }) => salt == s && digest == d,
            (Stored::Legacy(a), Stored::Legacy(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[derive(Clone)]
enum Stored {
    Salted { salt: [u8; 16], digest: [u8; 32] },
    Legacy(std::sync::Arc<LegacyHash>),
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl PasswordHash {
    pub fn new(rng: &mut impl rand::Rng, password: &str) -> Self {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        Self(Stored::Salted {
            salt,
            digest: digest(&salt, password),
        })
    }

    /// An imported hash, kept as it came.
    pub fn legacy(hash: LegacyHash) -> Self {
        Self(Stored::Legacy(std::sync::Arc::new(hash)))
    }

    /// The imported hash, if this is one.
    pub fn as_legacy(&self) -> Option<&LegacyHash> {
        match &self.0 {
            Stored::Legacy(hash) => Some(hash),
            Stored::Salted { .. } => None,
        }
    }

    pub fn matches(&self, password: &str) -> bool {
        match &self.0 {
            Stored::Salted { salt, digest: stored } => digest(salt, password) == *stored,
            Stored::Legacy(hash) => hash.verify(password),
        }
    }
}

fn digest(salt: &[u8; 16], password: &str) -> [u8; 32] {
    let mut hasher = Context::new(&SHA256);
    hasher.update(salt);
    hasher.update(password.as_bytes());
    let mut out = [0; 32];
    out.copy_from_slice(hasher.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn policy(strength: Strength) -> PasswordPolicy {
        PasswordPolicy {
            strength,
            min_length: None,
        }
    }

    #[test]
    fn levels_accept_and_refuse_as_published() {
        let cases = [
            (Strength::None, "a", true),
            (Strength::None, "", false),
            (Strength::Low, "abcdef", true),
            (Strength::Low, "abcde", false),
            (Strength::Fair, "Abcdefg1", true),
            (Strength::Fair, "abcdefg1", false),
            (Strength::Fair, "Abcdef1", false),
            (Strength::Good, "abcdefg1!", true),
            (Strength::Good, "abcdefgh1", false),
            (Strength::Excellent, "Abcdefgh1!", true),
            (Strength::Excellent, "Abbbcdefg1", false),
            (Strength::Excellent, "Abcdefg1!", false),
        ];
        for (strength, password, ok) in cases {
            assert_eq!(
                policy(strength).check(password).is_ok(),
                ok,
                "{strength:?} {password:?}"
            );
        }
    }

    #[test]
    fn min_length_overrides_the_level() {
        let p = PasswordPolicy {
            strength: Strength::Low,
            min_length: Some(12),
        };
        assert!(p.check("abcdefghijk").is_err());
        assert!(p.check("abcdefghijkl").is_ok());
    }

    #[test]
    fn hash_matches_only_its_password() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let hash = PasswordHash::new(&mut rng, "Secret-123");
        assert!(hash.matches("Secret-123"));
        assert!(!hash.matches("secret-123"));
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
    }
}
