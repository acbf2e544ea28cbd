//! Password hashes made elsewhere (an export of another identity store), kept as they came and
//! checked by their own algorithm: bcrypt, argon2 and scrypt by their crates, PBKDF2, HMAC and
//! the SHA digests by `aws-lc-rs`, MD4 and MD5 by theirs; LDAP's RFC 2307 strings are unwrapped here
//! into those. A provider's import format (Auth0's `custom_password_hash`, Capture's `password`
//! type tags) is read by that provider's tenant, which builds a [`LegacyHash`] with the
//! constructors below. Depends on nothing else in the crate.

use std::num::NonZeroU32;

use aws_lc_rs::{digest, hmac, pbkdf2};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// Why a hash could not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HashError(pub String);

fn bad(why: impl Into<String>) -> HashError {
    HashError(why.into())
}

/// The most work one imported hash may ask of a login, so that a hostile file cannot stall a
/// tenant or exhaust the process's memory at a user's first login (inf: the provider's own limits
/// are not documented; these sit above the costs migration guides use: bcrypt 10–12, PBKDF2
/// 600,000 iterations, scrypt N = 2^17 with r = 8, argon2 64 MiB).
pub mod limits {
    /// bcrypt's cost (2^14 rounds: about a second).
    pub const BCRYPT_COST: u32 = 14;
    /// PBKDF2's iterations.
    pub const PBKDF2_ITERATIONS: u32 = 2_000_000;
    /// The memory scrypt and argon2 may take for one check, in bytes.
    pub const MEMORY_BYTES: u64 = 256 << 20;
    /// scrypt's parallelization and argon2's passes and lanes.
    pub const PASSES: u32 = 16;
}

/// How the bytes of a hash, salt or key are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Hex,
    /// Standard or URL-safe alphabet, padded or not.
    Base64,
    Utf8,
}

impl Encoding {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "hex" => Some(Self::Hex),
            "base64" => Some(Self::Base64),
            "utf8" => Some(Self::Utf8),
            _ => None,
        }
    }

    /// The bytes `text` writes in this encoding.
    pub fn decode(self, text: &str) -> Result<Vec<u8>, HashError> {
        match self {
            Self::Utf8 => Ok(text.as_bytes().to_vec()),
            Self::Hex => hex(text),
            Self::Base64 => base64_any(text),
        }
    }
}

fn hex(text: &str) -> Result<Vec<u8>, HashError> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("not a hex string"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|_| bad("not a hex string")))
        .collect()
}

fn base64_any(text: &str) -> Result<Vec<u8>, HashError> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or_else(|| bad("not a base64 string"))
}

/// How the typed password becomes bytes before hashing (Node's `Buffer` encodings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordEncoding {
    #[default]
    Utf8,
    /// `latin1`, `binary` and `ascii`: one byte per character, its low eight bits.
    Latin1,
    /// `utf16le` and `ucs2`.
    Utf16Le,
}

impl PasswordEncoding {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "utf8" => Some(Self::Utf8),
            "ascii" | "latin1" | "binary" => Some(Self::Latin1),
            "utf16le" | "ucs2" => Some(Self::Utf16Le),
            _ => None,
        }
    }

    fn bytes(self, password: &str) -> Vec<u8> {
        match self {
            Self::Utf8 => password.as_bytes().to_vec(),
            Self::Latin1 => password.chars().map(|c| (u32::from(c) & 0xff) as u8).collect(),
            Self::Utf16Le => password.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        }
    }
}

/// A plain digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Md4,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    fn of(self, input: &[u8]) -> Vec<u8> {
        use md4::Digest as _;
        match self {
            Self::Md4 => md4::Md4::digest(input).to_vec(),
            Self::Md5 => md5::Md5::digest(input).to_vec(),
            Self::Sha1 => digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, input)
                .as_ref()
                .to_vec(),
            Self::Sha256 => digest::digest(&digest::SHA256, input).as_ref().to_vec(),
            Self::Sha384 => digest::digest(&digest::SHA384, input).as_ref().to_vec(),
            Self::Sha512 => digest::digest(&digest::SHA512, input).as_ref().to_vec(),
        }
    }

    /// The digest a name (`sha256`, `sha-256`, `SHA256`) stands for.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace('-', "").as_str() {
            "md4" => Some(Self::Md4),
            "md5" => Some(Self::Md5),
            "sha1" | "sha" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self {
            Self::Md4 | Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

/// Where a salt goes around the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaltPosition {
    #[default]
    Prefix,
    Suffix,
}

/// A salt and its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salt {
    pub bytes: Vec<u8>,
    pub position: SaltPosition,
}

impl Salt {
    fn around(salt: Option<&Self>, password: Vec<u8>) -> Vec<u8> {
        match salt {
            None => password,
            Some(Self {
                bytes,
                position: SaltPosition::Prefix,
            }) => [bytes.as_slice(), &password].concat(),
            Some(Self {
                bytes,
                position: SaltPosition::Suffix,
            }) => [password.as_slice(), bytes].concat(),
        }
    }
}

#[derive(Clone)]
enum Kind {
    /// `$2a$`, `$2b$`, `$2y$` (checked by the `bcrypt` crate).
    Bcrypt { hash: String, salt: Option<Salt> },
    /// A PHC string (`$argon2id$v=19$m=…`).
    Argon2 { phc: String },
    Pbkdf2 {
        algorithm: pbkdf2::Algorithm,
        iterations: NonZeroU32,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    Digest {
        digest: Digest,
        hash: Vec<u8>,
        salt: Option<Salt>,
    },
    Hmac {
        algorithm: hmac::Algorithm,
        key: Vec<u8>,
        hash: Vec<u8>,
    },
    Scrypt {
        salt: Vec<u8>,
        log_n: u8,
        r: u32,
        p: u32,
        hash: Vec<u8>,
    },
    /// The password itself, encoded (Capture's `password-base64`).
    Plain(Vec<u8>),
    /// A hash whose layout is not known: kept, never matched.
    Unverifiable,
}

/// A password hash made elsewhere, checked by its own algorithm.
#[derive(Clone)]
pub struct LegacyHash {
    kind: Kind,
    password: PasswordEncoding,
}

impl std::fmt::Debug for LegacyHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LegacyHash(..)")
    }
}

impl LegacyHash {
    fn new(kind: Kind) -> Self {
        Self {
            kind,
            password: PasswordEncoding::Utf8,
        }
    }

    /// The same hash, the password read in `encoding` first.
    pub fn with_password_encoding(mut self, encoding: PasswordEncoding) -> Self {
        self.password = encoding;
        self
    }

    /// A bcrypt string (`$2a$`, `$2b$`, `$2y$`, any cost), with an optional salt added to the
    /// password first.
    pub fn bcrypt(hash: &str, salt: Option<Salt>) -> Result<Self, HashError> {
        let prefix_ok = ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p));
        let Some(parts) = hash
            .parse::<bcrypt::HashParts>()
            .ok()
            .filter(|_| prefix_ok && hash.len() == 60)
        else {
            return Err(bad("not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)"));
        };
        if parts.get_cost() > limits::BCRYPT_COST {
            return Err(bad(format!(
                "a bcrypt cost above {} is not accepted",
                limits::BCRYPT_COST
            )));
        }
        Ok(Self::new(Kind::Bcrypt {
            hash: hash.to_owned(),
            salt,
        }))
    }

    /// An argon2 PHC string.
    pub fn argon2(phc: &str) -> Result<Self, HashError> {
        let parsed = argon2::PasswordHash::new(phc).map_err(|e| bad(format!("not an argon2 PHC string: {e}")))?;
        if !phc.starts_with("$argon2") {
            return Err(bad("not an argon2 PHC string"));
        }
        let params = argon2::Params::try_from(&parsed).map_err(|e| bad(format!("invalid argon2 parameters: {e}")))?;
        if u64::from(params.m_cost()) * 1024 > limits::MEMORY_BYTES
            || params.t_cost() > limits::PASSES
            || params.p_cost() > limits::PASSES
        {
            return Err(bad(format!(
                "argon2 parameters above {} MiB of memory or {} passes or lanes are not accepted",
                limits::MEMORY_BYTES >> 20,
                limits::PASSES
            )));
        }
        Ok(Self::new(Kind::Argon2 { phc: phc.to_owned() }))
    }

    /// A PBKDF2 PHC string: `$pbkdf2-<digest>$i=<iterations>,l=<length>$<salt>$<hash>`, salt
    /// and hash in unpadded base64 (`.` for `+` accepted).
    pub fn pbkdf2_phc(phc: &str) -> Result<Self, HashError> {
        let parts: Vec<&str> = phc.split('$').collect();
        let [empty, id, params, salt, hash] = parts.as_slice() else {
            return Err(bad("not a PBKDF2 PHC string ($pbkdf2-<digest>$i=…,l=…$<salt>$<hash>)"));
        };
        if !empty.is_empty() {
            return Err(bad("a PHC string starts with $"));
        }
        let digest = match *id {
            "pbkdf2" | "pbkdf2-sha1" => Digest::Sha1,
            "pbkdf2-sha256" => Digest::Sha256,
            "pbkdf2-sha384" => Digest::Sha384,
            "pbkdf2-sha512" => Digest::Sha512,
            other => return Err(bad(format!("unsupported PBKDF2 digest {other}"))),
        };
        let mut iterations = 100_000;
        for pair in params.split(',') {
            match pair.split_once('=') {
                Some(("i", n)) => iterations = n.parse().map_err(|_| bad("i is not a number"))?,
                Some(("l", _)) => {}
                _ => return Err(bad(format!("unknown PBKDF2 parameter {pair}"))),
            }
        }
        let b64 = |s: &str| base64_any(&s.replace('.', "+"));
        Self::pbkdf2(digest, iterations, b64(salt)?, b64(hash)?)
    }

    /// PBKDF2-HMAC with `digest` (SHA-1, -256, -384, -512).
    pub fn pbkdf2(digest: Digest, iterations: u32, salt: Vec<u8>, hash: Vec<u8>) -> Result<Self, HashError> {
        let algorithm = match digest {
            Digest::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
            Digest::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
            Digest::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
            Digest::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
            Digest::Md4 | Digest::Md5 => return Err(bad("PBKDF2 with MD4 or MD5 is not supported")),
        };
        let iterations = NonZeroU32::new(iterations).ok_or_else(|| bad("iterations must be positive"))?;
        if iterations.get() > limits::PBKDF2_ITERATIONS {
            return Err(bad(format!(
                "more than {} PBKDF2 iterations are not accepted",
                limits::PBKDF2_ITERATIONS
            )));
        }
        if hash.is_empty() {
            return Err(bad("empty hash"));
        }
        Ok(Self::new(Kind::Pbkdf2 {
            algorithm,
            iterations,
            salt,
            hash,
        }))
    }

    /// `digest(salt + password)` or `digest(password + salt)`.
    pub fn digest(digest: Digest, hash: Vec<u8>, salt: Option<Salt>) -> Result<Self, HashError> {
        if hash.len() != digest.len() {
            return Err(bad(format!(
                "a {digest:?} hash has {} bytes, not {}",
                digest.len(),
                hash.len()
            )));
        }
        Ok(Self::new(Kind::Digest { digest, hash, salt }))
    }

    /// `HMAC-<digest>(key, password)` (SHA-1, -256, -384, -512).
    pub fn hmac(digest: Digest, key: &[u8], hash: Vec<u8>) -> Result<Self, HashError> {
        let algorithm = match digest {
            Digest::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Digest::Sha256 => hmac::HMAC_SHA256,
            Digest::Sha384 => hmac::HMAC_SHA384,
            Digest::Sha512 => hmac::HMAC_SHA512,
            Digest::Md4 | Digest::Md5 => return Err(bad("HMAC with MD4 or MD5 is not supported")),
        };
        Ok(Self::new(Kind::Hmac {
            algorithm,
            key: key.to_vec(),
            hash,
        }))
    }

    /// scrypt with cost `n` (a power of two), block size `r`, parallelization `p`.
    pub fn scrypt(salt: Vec<u8>, n: u64, r: u32, p: u32, hash: Vec<u8>) -> Result<Self, HashError> {
        if !n.is_power_of_two() || n < 2 {
            return Err(bad("the scrypt cost must be a power of two"));
        }
        let log_n = n.trailing_zeros() as u8;
        scrypt::Params::new(log_n, r, p).map_err(|_| bad("invalid scrypt parameters"))?;
        // scrypt takes 128 · N · r bytes of memory.
        let memory = 128u128 * u128::from(n) * u128::from(r);
        if memory > u128::from(limits::MEMORY_BYTES) || p > limits::PASSES {
            return Err(bad(format!(
                "scrypt parameters above {} MiB of memory or {} lanes are not accepted",
                limits::MEMORY_BYTES >> 20,
                limits::PASSES
            )));
        }
        if hash.is_empty() {
            return Err(bad("empty hash"));
        }
        Ok(Self::new(Kind::Scrypt {
            salt,
            log_n,
            r,
            p,
            hash,
        }))
    }

    /// An RFC 2307 string: `{MD5}`, `{SMD5}`, `{SHA}`, `{SSHA}`, `{SHA256}`, `{SSHA256}`,
    /// `{SHA384}`, `{SSHA384}`, `{SHA512}`, `{SSHA512}` then base64 (the salt after the digest).
    /// `{CRYPT}` is refused.
    pub fn ldap(text: &str) -> Result<Self, HashError> {
        let (scheme, rest) = text
            .strip_prefix('{')
            .and_then(|t| t.split_once('}'))
            .ok_or_else(|| bad("not an RFC 2307 string ({SCHEME}base64)"))?;
        let scheme = scheme.to_ascii_uppercase();
        let (salted, digest) = match scheme.as_str() {
            "MD5" => (false, Digest::Md5),
            "SMD5" => (true, Digest::Md5),
            "SHA" | "SHA1" => (false, Digest::Sha1),
            "SSHA" | "SSHA1" => (true, Digest::Sha1),
            "SHA256" => (false, Digest::Sha256),
            "SSHA256" => (true, Digest::Sha256),
            "SHA384" => (false, Digest::Sha384),
            "SSHA384" => (true, Digest::Sha384),
            "SHA512" => (false, Digest::Sha512),
            "SSHA512" => (true, Digest::Sha512),
            _ => return Err(bad(format!("unsupported RFC 2307 scheme {{{scheme}}}"))),
        };
        let bytes = base64_any(rest)?;
        if bytes.len() < digest.len() || (!salted && bytes.len() != digest.len()) {
            return Err(bad(format!("a {{{scheme}}} value has the wrong length")));
        }
        let (hash, salt) = bytes.split_at(digest.len());
        let salt = salted.then(|| Salt {
            bytes: salt.to_vec(),
            position: SaltPosition::Suffix,
        });
        Self::digest(digest, hash.to_vec(), salt)
    }

    /// The password itself, as bytes.
    pub fn plain(bytes: Vec<u8>) -> Self {
        Self::new(Kind::Plain(bytes))
    }

    /// A hash kept as it came whose layout is not known: no password matches it.
    pub fn unverifiable() -> Self {
        Self::new(Kind::Unverifiable)
    }

    /// Whether `password` is the one this hash was made from.
    pub fn verify(&self, password: &str) -> bool {
        let bytes = self.password.bytes(password);
        match &self.kind {
            Kind::Bcrypt { hash, salt } => bcrypt::verify(Salt::around(salt.as_ref(), bytes), hash).unwrap_or(false),
            Kind::Argon2 { phc } => argon2::PasswordHash::new(phc).is_ok_and(|parsed| {
                use argon2::PasswordVerifier as _;
                argon2::Argon2::default().verify_password(&bytes, &parsed).is_ok()
            }),
            Kind::Pbkdf2 {
                algorithm,
                iterations,
                salt,
                hash,
            } => pbkdf2::verify(*algorithm, *iterations, salt, &bytes, hash).is_ok(),
            Kind::Digest { digest, hash, salt } => digest.of(&Salt::around(salt.as_ref(), bytes)) == *hash,
            Kind::Hmac { algorithm, key, hash } => hmac::verify(&hmac::Key::new(*algorithm, key), &bytes, hash).is_ok(),
            Kind::Scrypt {
                salt,
                log_n,
                r,
                p,
                hash,
            } => {
                let Ok(params) = scrypt::Params::new(*log_n, *r, *p) else {
                    return false;
                };
                let mut out = vec![0; hash.len()];
                scrypt::scrypt(&bytes, salt, &params, &mut out).is_ok() && out == *hash
            }
            Kind::Plain(plain) => bytes == *plain,
            Kind::Unverifiable => false,
        }
    }
}

/// A fresh bcrypt hash of `password` (`$2b$`, cost `cost`) with the given salt: the value a
/// store that hashes with bcrypt would hold.
pub fn bcrypt_hash(password: &str, cost: u32, salt: [u8; 16]) -> String {
    bcrypt::hash_with_salt(password, cost, salt)
        .map(|parts| parts.format_for_version(bcrypt::Version::TwoB))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hostile work factors are refused when the hash comes in, never run at a login: a bcrypt
    /// cost of 15, 3,000,000 PBKDF2 iterations, scrypt taking 1 GiB, argon2 taking 1 GiB.
    #[test]
    fn work_factors_past_the_limits_are_refused() {
        let cost_10 = "$2b$10$fGr0/0QnnDkv9VG0BtyaiOj9Fb5rNQTXkrCcidzQqR061kc6e5VBu";
        assert!(LegacyHash::bcrypt(cost_10, None).is_ok());
        assert!(LegacyHash::bcrypt(&cost_10.replace("$10$", "$15$"), None).is_err());
        assert!(LegacyHash::pbkdf2(Digest::Sha256, 2_000_000, vec![1], vec![1]).is_ok());
        assert!(LegacyHash::pbkdf2(Digest::Sha256, 3_000_000, vec![1], vec![1]).is_err());
        assert!(LegacyHash::scrypt(vec![1], 1 << 17, 8, 1, vec![1]).is_ok(), "128 MiB");
        assert!(LegacyHash::scrypt(vec![1], 1 << 20, 8, 1, vec![1]).is_err(), "1 GiB");
        assert!(
            LegacyHash::scrypt(vec![1], 1 << 10, 8, 64, vec![1]).is_err(),
            "64 lanes"
        );
        let phc = |m: u32| format!("$argon2id$v=19$m={m},t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG");
        assert!(LegacyHash::argon2(&phc(65_536)).is_ok(), "64 MiB");
        assert!(LegacyHash::argon2(&phc(1_048_576)).is_err(), "1 GiB");
    }

    fn h(text: &str) -> Vec<u8> {
        hex(text).expect("hex")
    }

    // The vectors below are the ones `shared/providers/migration.md` §1.3 and §2.4 verified.
    #[test]
    fn bcrypt_vectors_of_both_providers_verify() {
        let doc = LegacyHash::bcrypt("$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K", None).unwrap();
        assert!(doc.verify("hello"));
        assert!(!doc.verify("hellO"));
        let aic = LegacyHash::bcrypt("$2b$10$fGr0/0QnnDkv9VG0BtyaiOj9Fb5rNQTXkrCcidzQqR061kc6e5VBu", None).unwrap();
        assert!(aic.verify("p@ssw0rd3xamp!e"));
        assert!(LegacyHash::bcrypt("$2x$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K", None).is_err());
        assert!(LegacyHash::bcrypt("$2b$10$short", None).is_err());
    }

    #[test]
    fn digests_with_and_without_salt_verify() {
        let md5 = LegacyHash::digest(Digest::Md5, h("2f23fa3579f3f75175793649115c1b25"), None).unwrap();
        assert!(md5.verify("Pass123"));
        let sha1 = LegacyHash::digest(Digest::Sha1, h("54e8d2e15d3caa89aa3f82c8c0428ad5742f056c"), None).unwrap();
        assert!(sha1.verify("Pass123") && !sha1.verify("Pass124"));
        let salted = Salt {
            bytes: b"salt".to_vec(),
            position: SaltPosition::Prefix,
        };
        let md5s = LegacyHash::digest(Digest::Md5, h("67A1E09BB1F83F5007DC119C14D663AA"), Some(salted)).unwrap();
        assert!(md5s.verify("password"));
        assert!(LegacyHash::digest(Digest::Sha256, h("00"), None).is_err());
    }

    #[test]
    fn hmac_and_scrypt_doc_vectors_verify() {
        let mac = LegacyHash::hmac(
            Digest::Sha1,
            &h("736868"),
            base64_any("cg7f42jH39/2EaAU4wNd4s2lKIk=").unwrap(),
        )
        .unwrap();
        assert!(mac.verify("test") && !mac.verify("tesT"));
        // The doc's scrypt value is quoted elided in the facts: a hash made here instead.
        let mut out = [0u8; 32];
        scrypt::scrypt(b"password", b"abc123", &scrypt::Params::new(4, 8, 1).unwrap(), &mut out).unwrap();
        let sc = LegacyHash::scrypt(b"abc123".to_vec(), 16, 8, 1, out.to_vec()).unwrap();
        assert!(sc.verify("password") && !sc.verify("Password"));
        assert!(LegacyHash::scrypt(Vec::new(), 1000, 8, 1, out.to_vec()).is_err());
    }

    #[test]
    fn ldap_pbkdf2_argon2_and_plain_verify_what_they_were_made_from() {
        let sha = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, b"secretSALT");
        let ssha = format!("{{SSHA}}{}", STANDARD.encode([sha.as_ref(), b"SALT"].concat()));
        assert!(LegacyHash::ldap(&ssha).unwrap().verify("secret"));
        assert!(LegacyHash::ldap("{CRYPT}abcdefgh").is_err());

        let mut out = [0u8; 32];
        let salt = b"NaCl-salt";
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(1000).unwrap(),
            salt,
            b"pw",
            &mut out,
        );
        let phc = format!(
            "$pbkdf2-sha256$i=1000,l=32${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(out)
        );
        let p = LegacyHash::pbkdf2_phc(&phc).unwrap();
        assert!(p.verify("pw") && !p.verify("pW"));

        use argon2::PasswordHasher as _;
        let params = argon2::Params::new(64, 1, 1, None).unwrap();
        let a2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = argon2::password_hash::phc::Salt::from_b64("c29tZXNhbHQ").unwrap();
        let phc = a2.hash_password_with_salt(b"pw", salt.as_ref()).unwrap().to_string();
        assert!(LegacyHash::argon2(&phc).unwrap().verify("pw"));
        assert!(LegacyHash::argon2("$argon2id$nonsense").is_err());

        assert!(LegacyHash::plain(b"Pass123".to_vec()).verify("Pass123"));
        let utf16 = LegacyHash::plain(vec![b'a', 0]).with_password_encoding(PasswordEncoding::Utf16Le);
        assert!(utf16.verify("a"));
    }

    #[test]
    fn a_fresh_bcrypt_hash_verifies() {
        let hash = bcrypt_hash("p@ss", 4, [7; 16]);
        assert!(hash.starts_with("$2b$04$"));
        assert!(LegacyHash::bcrypt(&hash, None).unwrap().verify("p@ss"));
    }
}
