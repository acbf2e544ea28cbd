//! The records of multi-factor authentication (facts `auth0-mfa-orgs.md` Part A): Guardian's
//! factors and policies, the users' authenticators, pending `mfa_token`s and out-of-band codes,
//! each in a bounded store, and the RFC 6238 code of a TOTP secret. The operations over them are
//! `mfa.rs`. Records never import the state.

use aws_lc_rs::hmac;
use serde::Deserialize;

use crate::core::bounded::{BoundedMap, StoreSummary};

/// An `mfa_token` lives 600 s (inf: not documented; the MFA API's own tokens live 600 s, facts A1).
pub const MFA_TOKEN_TTL: i64 = 600;
/// An `oob_code` (and its binding code) lives 5 minutes (inf: "within the next 5 minutes", A4).
pub const OOB_CODE_TTL: i64 = 300;
/// Users with MFA state.
pub const ENROLMENTS: usize = 100_000;
/// Authenticators one user may hold; past it the oldest unconfirmed one goes (inf: the MFA API's
/// limit was not found).
pub const AUTHENTICATORS_PER_USER: usize = 20;
/// Pending `mfa_token`s.
pub const MFA_TOKENS: usize = 10_000;
/// Pending out-of-band codes.
pub const OOB_CODES: usize = 10_000;
/// The most remembered browsers a tenant keeps (lapsed ones first, then the least recently used).
pub const REMEMBERED_BROWSERS: usize = 10_000;
/// A remembered browser skips MFA for 30 days (doc: facts A8, DOC-stepup customize-mfa)…
pub const REMEMBER_TTL: i64 = 30 * 86_400;
/// …and lapses after 7 days unused (doc: same).
pub const REMEMBER_IDLE_TTL: i64 = 7 * 86_400;
/// Failed codes a user may make before the bucket is empty; one comes back every
/// [`CODE_REFILL_SECS`] (doc: DOC-mfa-ropg, SUP-otp).
pub const CODE_BUCKET: u32 = 10;
pub const CODE_REFILL_SECS: i64 = 360;
/// RFC 6238 as the provider's URI names it: SHA1, 6 digits, 30 s (obs: facts A7).
pub const TOTP_PERIOD: i64 = 30;
pub const TOTP_DIGITS: u32 = 6;
/// Steps accepted either side of now (inf: the drift is not documented, facts A7, E).
pub const TOTP_DRIFT: i64 = 1;

/// Guardian factors in the order `GET /api/v2/guardian/factors` lists them (obs: REC-goauth0
/// TestGuardian/MultiFactor).
pub const FACTORS: &[&str] = &[
    "sms",
    "push-notification",
    "otp",
    "email",
    "duo",
    "webauthn-roaming",
    "webauthn-platform",
    "recovery-code",
];
/// The policies `PUT /api/v2/guardian/policies` takes (doc: OAS-mgmt; obs `all-applications`).
pub const POLICIES: &[&str] = &["all-applications", "confidence-score"];

/// The fixture's `guardian`: the factors switched on and the MFA policies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardianSeed {
    /// Factor names of [`FACTORS`] that are enabled.
    #[serde(default)]
    pub factors: Vec<String>,
    /// `all-applications` asks every login for a second factor; `confidence-score` (adaptive MFA)
    /// is stored and never challenges (every login looks trusted to authmock).
    #[serde(default)]
    pub policies: Vec<String>,
}

/// The tenant's MFA configuration and stores.
#[derive(Debug)]
pub struct Mfa {
    pub(in crate::auth0::tenant) factors: Vec<&'static str>,
    pub(in crate::auth0::tenant) policies: Vec<String>,
    pub(in crate::auth0::tenant) enrolments: BoundedMap<String, Enrolment>,
    pub(in crate::auth0::tenant) tokens: BoundedMap<String, Pending>,
    pub(in crate::auth0::tenant) oob_codes: BoundedMap<String, OobCode>,
    /// Browsers that ticked `Remember this device for 30 days`, by `auth0-mf` cookie value.
    pub(in crate::auth0::tenant) remembered: BoundedMap<String, Remembered>,
}

/// One remembered browser (the `auth0-mf` cookie, facts A8): whose, and when it lapses.
#[derive(Debug, Clone)]
pub(in crate::auth0::tenant) struct Remembered {
    pub(in crate::auth0::tenant) user_id: String,
    pub(in crate::auth0::tenant) created_at: i64,
    pub(in crate::auth0::tenant) last_used: i64,
}

/// One user's authenticators and code bucket.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub authenticators: Vec<Authenticator>,
    pub(in crate::auth0::tenant) bucket: CodeBucket,
    /// Last use on the tenant clock (unix s), for eviction.
    pub(in crate::auth0::tenant) touched: i64,
}

#[derive(Debug, Clone)]
pub struct Authenticator {
    /// `<kind>|dev_<16 alnum>` (obs: facts A3).
    pub id: String,
    pub factor: Factor,
    /// Confirmed by an MFA grant (doc: facts A3 `active`), or made confirmed by the Management
    /// API (obs: facts A9 `"confirmed":true` right after the POST).
    pub active: bool,
    /// The label the Management API gives it (`name`, facts A9); none for an enrolment.
    pub name: Option<String>,
    /// When it was made, and when it last passed a check (unix s, tenant clock).
    pub created_at: i64,
    pub last_auth: Option<i64>,
    /// A phone's `preferred_authentication_method` (`sms`, `voice`), facts A9.
    pub preferred_method: Option<String>,
}

impl Authenticator {
    pub(in crate::auth0::tenant) fn new(id: String, factor: Factor, active: bool, now: i64) -> Self {
        Self {
            id,
            factor,
            active,
            name: None,
            created_at: now,
            last_auth: None,
            preferred_method: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Factor {
    Otp {
        secret: Vec<u8>,
        last_step: Option<i64>,
    },
    Sms {
        phone: String,
    },
    /// The same phone factor with the code read out by a call (`oob_channels:["voice"]`, facts A4).
    Voice {
        phone: String,
    },
    Email {
        email: String,
    },
    /// Guardian push (`oob_channels:["auth0"]`, facts A4): no address; each `oob_code` waits
    /// for a decision (the Guardian app's, here `POST /__authmock__/mfa/push`).
    Push,
    RecoveryCode {
        code: String,
    },
}

impl Factor {
    pub(in crate::auth0::tenant) fn kind(&self) -> &'static str {
        match self {
            Factor::Otp { .. } => "totp",
            Factor::Sms { .. } => "sms",
            Factor::Voice { .. } => "voice",
            Factor::Email { .. } => "email",
            Factor::Push => "push",
            Factor::RecoveryCode { .. } => "recovery-code",
        }
    }

    /// The `type` of `mfa_requirements` and `/mfa/authenticators` (doc/obs: facts A1, A3).
    pub(in crate::auth0::tenant) fn requirement(&self) -> &'static str {
        match self {
            Factor::Otp { .. } => "otp",
            Factor::Sms { .. } | Factor::Voice { .. } => "phone",
            Factor::Email { .. } => "email",
            // inf: the facts give `push-notification` for the requirement (A1), not for the list.
            Factor::Push => "push-notification",
            Factor::RecoveryCode { .. } => "recovery-code",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(in crate::auth0::tenant) struct CodeBucket {
    pub(in crate::auth0::tenant) left: u32,
    /// When `left` was last topped up (unix s).
    pub(in crate::auth0::tenant) since: i64,
}

impl CodeBucket {
    pub(in crate::auth0::tenant) fn full(now: i64) -> Self {
        Self {
            left: CODE_BUCKET,
            since: now,
        }
    }

    pub(in crate::auth0::tenant) fn refill(&mut self, now: i64) {
        let gained = ((now - self.since) / CODE_REFILL_SECS).max(0);
        if gained > 0 {
            self.left = (self.left + gained as u32).min(CODE_BUCKET);
            self.since += gained * CODE_REFILL_SECS;
        }
        if self.left == CODE_BUCKET {
            self.since = now;
        }
    }
}

/// What a pending `mfa_token` stands for: the grant that asked for MFA, answered once a second
/// factor passes.
#[derive(Debug, Clone)]
pub struct Pending {
    pub client_id: String,
    pub user_id: String,
    pub audience: Option<String>,
    pub scope: String,
    /// `gty` of the grant that asked (`password`, `refresh_token`).
    pub gty: &'static str,
    pub expires_at: i64,
    pub(in crate::auth0::tenant) spent: bool,
}

impl Pending {
    pub fn new(client_id: &str, user_id: &str, audience: Option<&str>, scope: &str, gty: &'static str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            audience: audience.map(str::to_owned),
            scope: scope.to_owned(),
            gty,
            expires_at: 0,
            spent: false,
        }
    }
}

#[derive(Debug, Clone)]
pub(in crate::auth0::tenant) struct OobCode {
    pub(in crate::auth0::tenant) mfa_token: String,
    pub(in crate::auth0::tenant) user_id: String,
    pub(in crate::auth0::tenant) authenticator_id: String,
    /// What proves the code: a binding code sent by SMS or email, or a push decision.
    pub(in crate::auth0::tenant) proof: OobProof,
    pub(in crate::auth0::tenant) expires_at: i64,
    pub(in crate::auth0::tenant) spent: bool,
}

/// The proof an `oob_code` waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::auth0::tenant) enum OobProof {
    /// The six digits sent with it (`binding_method:"prompt"`).
    Binding(String),
    /// A push notification: undecided, approved or rejected.
    Push(PushDecision),
}

/// A push notification's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushDecision {
    Pending,
    Approved,
    Rejected,
}

impl Mfa {
    pub fn seeded(seed: &GuardianSeed) -> Result<Self, String> {
        let mut mfa = Self {
            factors: Vec::new(),
            policies: Vec::new(),
            enrolments: BoundedMap::new(ENROLMENTS),
            tokens: BoundedMap::new(MFA_TOKENS),
            oob_codes: BoundedMap::new(OOB_CODES),
            remembered: BoundedMap::new(REMEMBERED_BROWSERS),
        };
        for name in &seed.factors {
            if !mfa.set_factor(name, true) {
                return Err(format!(
                    "guardian.factors: `{name}` is not one of {}",
                    FACTORS.join(", ")
                ));
            }
        }
        if let Some(bad) = seed.policies.iter().find(|p| !POLICIES.contains(&p.as_str())) {
            return Err(format!(
                "guardian.policies: `{bad}` is not one of {}",
                POLICIES.join(", ")
            ));
        }
        mfa.policies = seed.policies.clone();
        Ok(mfa)
    }

    /// Every factor with whether it is on, in the listing order.
    pub fn factors(&self) -> impl Iterator<Item = (&'static str, bool)> + '_ {
        FACTORS.iter().map(|name| (*name, self.factors.contains(name)))
    }

    pub fn factor_enabled(&self, name: &str) -> bool {
        self.factors.contains(&name)
    }

    /// Switches a factor; `false` when no factor has that name.
    pub fn set_factor(&mut self, name: &str, enabled: bool) -> bool {
        let Some(known) = FACTORS.iter().find(|f| **f == name) else {
            return false;
        };
        self.factors.retain(|f| f != known);
        if enabled {
            self.factors.push(known);
        }
        true
    }

    pub fn policies(&self) -> &[String] {
        &self.policies
    }

    pub fn set_policies(&mut self, policies: Vec<String>) {
        self.policies = policies;
    }

    /// The user's authenticators, in enrolment order.
    pub fn authenticators(&self, user_id: &str) -> &[Authenticator] {
        self.enrolments
            .get(user_id)
            .map_or(&[], |e| e.authenticators.as_slice())
    }

    pub(in crate::auth0::tenant) fn has_active(&self, user_id: &str) -> bool {
        self.authenticators(user_id)
            .iter()
            .any(|a| a.active && !matches!(a.factor, Factor::RecoveryCode { .. }))
    }

    /// Forgets the browsers remembered for `user_id` (`invalidate-remember-browser`, facts A9).
    pub fn forget_remembered(&mut self, user_id: &str) {
        self.remembered.retain(|_, r| r.user_id != user_id);
    }

    /// Forgets a deleted user's authenticators, tokens and codes.
    pub fn forget_user(&mut self, user_id: &str) {
        self.enrolments.remove(user_id);
        self.tokens.retain(|_, p| p.user_id != user_id);
        self.oob_codes.retain(|_, c| c.user_id != user_id);
        self.remembered.retain(|_, r| r.user_id != user_id);
    }

    /// Forgets a deleted application's pending tokens and their codes.
    pub fn forget_client(&mut self, client_id: &str) {
        self.tokens.retain(|_, p| p.client_id != client_id);
        let tokens = &self.tokens;
        self.oob_codes.retain(|_, c| tokens.contains_key(&c.mfa_token));
    }

    pub fn summaries(&self) -> [StoreSummary; 3] {
        [
            self.enrolments.summary(),
            self.tokens.summary(),
            self.oob_codes.summary(),
        ]
    }
}

/// The RFC 6238 code of `secret` at time step `step` (RFC 4226 dynamic truncation of
/// HMAC-SHA1; HMAC from `aws-lc-rs`).
pub fn totp(secret: &[u8], step: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let mac = tag.as_ref();
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(TOTP_DIGITS),
        width = TOTP_DIGITS as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA1 rows (the 8-digit values' last six digits).
    #[test]
    fn totp_matches_the_rfc_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp(secret, time / TOTP_PERIOD), code, "time {time}");
        }
    }

    #[test]
    fn the_bucket_refills_one_code_per_six_minutes() {
        let mut bucket = CodeBucket { left: 0, since: 1_000 };
        bucket.refill(1_000 + CODE_REFILL_SECS - 1);
        assert_eq!(bucket.left, 0);
        bucket.refill(1_000 + CODE_REFILL_SECS);
        assert_eq!(bucket.left, 1);
        bucket.refill(1_000 + 100 * CODE_REFILL_SECS);
        assert_eq!(bucket.left, CODE_BUCKET);
    }
}
