//! Multi-factor authentication (facts `auth0-mfa-orgs.md` Part A), the operations: whether MFA
//! applies to a login, the `mfa_token` and `mfa_requirements` of `mfa_required`, association,
//! challenge, the check of a second factor (RFC 6238 on the tenant clock, binding codes, recovery
//! codes) under the user's code bucket, and the authenticator list. The records and their bounded
//! stores are `guardian.rs`: `enrolments` (users, least recently used first, at most
//! [`AUTHENTICATORS_PER_USER`] each), `tokens` and `oob_codes` (spent and expired first).
//! Deleting a user forgets its enrolment, tokens and codes; deleting an application its pending
//! tokens and their codes. Depends on the tenant state, `wire/` and `core`.

use rand::RngExt as _;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

use crate::auth0::tenant::guardian::{
    AUTHENTICATORS_PER_USER, Authenticator, CODE_REFILL_SECS, CodeBucket, Enrolment, Factor, MFA_TOKEN_TTL, Mfa,
    OOB_CODE_TTL, OobCode, OobProof, Pending, PushDecision, REMEMBER_IDLE_TTL, REMEMBER_TTL, Remembered, TOTP_DRIFT,
    TOTP_PERIOD, totp,
};
use crate::auth0::tenant::logins::random_alnum;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::wire::mfa_error::MfaError;

/// Why MFA applies to a login, if it does: the `all-applications` policy with a factor a user
/// can use (otp, sms or email) switched on (inf: the dashboard asks for a factor before a policy),
/// or a token for the MFA API itself asked by a user who has an active authenticator (doc:
/// DOC-mfa-manage). A user with no authenticator and nothing to enrol in is not asked.
pub fn required(state: &TenantState, user_id: &str, mfa_audience: bool) -> Option<String> {
    let mfa = &state.mfa;
    if mfa_audience && mfa.has_active(user_id) {
        return Some("the MFA API (audience https://<tenant>/mfa/) asks an enrolled user for a second factor".into());
    }
    if !mfa.policies.iter().any(|p| p == "all-applications") {
        return None;
    }
    if mfa.has_active(user_id) || !enrollable(mfa).is_empty() {
        return Some(
            "the tenant's MFA policy is all-applications (PUT /api/v2/guardian/policies): answer with the \
             mfa_token at /mfa/associate, /mfa/challenge and the mfa-otp, mfa-oob or mfa-recovery-code grants"
                .into(),
        );
    }
    None
}

/// The `type`s a user may enrol in: otp, push-notification and phone (sms) when on, in the
/// documented `challenge` order (inf: email "can only work with challenge", DOC-mfa-ropg).
fn enrollable(mfa: &Mfa) -> Vec<&'static str> {
    let mut types = Vec::new();
    if mfa.factor_enabled("otp") {
        types.push("otp");
    }
    if mfa.factor_enabled("push-notification") {
        types.push("push-notification");
    }
    if mfa.factor_enabled("sms") {
        types.push("phone");
    }
    types
}

/// Issues the `mfa_token` of a grant that needs a second factor and the `mfa_requirements` to
/// answer with it: `challenge` with the types the user has active, in the documented order, else
/// `enroll` (doc: DOC-mfa-ropg, facts A1).
pub fn begin(state: &mut TenantState, now: i64, mut pending: Pending) -> (String, Map<String, Value>) {
    let mfa = &mut state.mfa;
    let active: Vec<&'static str> = mfa
        .authenticators(&pending.user_id)
        .iter()
        .filter(|a| a.active)
        .map(|a| a.factor.requirement())
        .collect();
    let mut requirements = Map::new();
    if mfa.has_active(&pending.user_id) {
        let order = ["otp", "push-notification", "phone", "recovery-code", "email"];
        let challenge: Vec<Value> = order
            .iter()
            .filter(|t| active.contains(t))
            .map(|t| json!({"type": t}))
            .collect();
        requirements.insert("challenge".into(), challenge.into());
    } else {
        let enroll: Vec<Value> = enrollable(mfa).iter().map(|t| json!({"type": t})).collect();
        requirements.insert("enroll".into(), enroll.into());
    }
    pending.expires_at = now + MFA_TOKEN_TTL;
    let token = iron_seal(&mut state.rng, now, pending.expires_at);
    state.mfa.tokens.insert(
        token.clone(),
        pending,
        |_, p| p.spent || p.expires_at <= now,
        |p| p.expires_at,
    );
    (token, requirements)
}

/// A Fe26.2 ("hapi iron") seal as the provider's tokens look (obs: facts A1 `mfa_token`):
/// `Fe26.2*SERVER_<10 digits>*<64 hex>*<22 b64url>*<b64url>*<expiry ms>*<64 hex>*<43 b64url>`.
/// Opaque to clients: nothing is sealed in it, the tenant looks it up.
fn iron_seal(rng: &mut StdRng, now: i64, expires_at: i64) -> String {
    let hex =
        |rng: &mut StdRng, n: usize| -> String { (0..n).map(|_| format!("{:x}", rng.random_range(0..16u8))).collect() };
    let b64 = |rng: &mut StdRng, n: usize| -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..n)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!(
        "Fe26.2*SERVER_{now:010}*{}*{}*{}*{}*{}*{}",
        hex(rng, 64),
        b64(rng, 22),
        // inf: the recorded ciphertext is ~1,700 chars; a shorter one keeps the store small.
        b64(rng, 342),
        expires_at * 1000,
        hex(rng, 64),
        b64(rng, 43),
    )
}

/// A pending `mfa_token` presented to an MFA grant or `/mfa/challenge` by `client_id`: unknown,
/// spent and another application's are `Malformed mfa_token`, past its life `mfa_token is
/// expired` (facts A5, A6).
pub fn pending(state: &TenantState, token: &str, client_id: &str, now: i64) -> Result<Pending, MfaError> {
    let found = state.mfa.tokens.get(token).ok_or(MfaError::MalformedToken {
        why: "this mfa_token was never issued by this tenant (an access token or id_token is not one)",
    })?;
    if found.spent {
        return Err(MfaError::MalformedToken {
            why: "this mfa_token was already exchanged for tokens: an mfa_token answers one MFA grant",
        });
    }
    if found.client_id != client_id {
        return Err(MfaError::MalformedToken {
            why: "this mfa_token was issued to another application",
        });
    }
    if found.expires_at <= now {
        return Err(MfaError::ExpiredToken);
    }
    Ok(found.clone())
}

/// The pending `mfa_token` sent as a bearer to `/mfa/associate` or `/mfa/authenticators`.
pub fn bearer(state: &TenantState, token: &str, now: i64) -> Result<Pending, MfaError> {
    match state.mfa.tokens.get(token) {
        Some(p) if !p.spent && p.expires_at > now => Ok(p.clone()),
        Some(p) if p.spent => Err(MfaError::InvalidBearer {
            why: "this mfa_token was already exchanged for tokens",
        }),
        Some(_) => Err(MfaError::InvalidBearer {
            why: "this mfa_token is expired (600 s): log in again",
        }),
        None => Err(MfaError::InvalidBearer {
            why: "the bearer is neither a live mfa_token nor an MFA API access token",
        }),
    }
}

/// Spends an `mfa_token` once its grant answered tokens (inf: the facts say nothing of reuse; one
/// MFA grant per token), with its codes.
pub fn spend(state: &mut TenantState, token: &str) {
    if let Some(p) = state.mfa.tokens.get_mut(token) {
        p.spent = true;
    }
    state.mfa.oob_codes.retain(|_, c| c.mfa_token != token);
}

/// What `/mfa/associate` asks for.
#[derive(Debug, Clone)]
pub enum Association {
    Otp,
    Sms {
        phone: String,
    },
    Voice {
        phone: String,
    },
    Email {
        email: String,
    },
    /// Guardian push (`oob_channels:["auth0"]`), enrolled through the Guardian app.
    Push,
}

/// What `/mfa/associate` answers, before wire order is applied.
#[derive(Debug, Clone)]
pub struct Associated {
    /// base32 secret and `otpauth://` URI (OTP).
    pub otp: Option<(String, String)>,
    /// `oob_channel` and `oob_code` (SMS, email, push).
    pub oob: Option<(&'static str, String)>,
    /// Push: the `otpauth://totp/…?enrollment_tx_id=…&base_url=…` the Guardian app scans.
    pub push_uri: Option<String>,
    /// The recovery code, on the user's first association only.
    pub recovery_code: Option<String>,
    /// Where the binding code goes, and the code (SMS, email).
    pub delivery: Option<(String, String)>,
}

/// `/mfa/associate` with the `mfa_token`: a new, unconfirmed authenticator (doc: only while the
/// user has no active one, facts A2), and on the user's first association a recovery code when
/// that factor is on (obs/doc: facts A4). `guardian_url` is the push enrolment's `base_url`.
#[allow(clippy::too_many_arguments)]
pub fn associate(
    state: &mut TenantState,
    token: &str,
    pending: &Pending,
    association: Association,
    issuer: &str,
    account: &str,
    guardian_url: &str,
    now: i64,
) -> Result<Associated, MfaError> {
    if state.mfa.has_active(&pending.user_id) {
        return Err(MfaError::AlreadyEnrolled);
    }
    let factor_name = match &association {
        Association::Otp => "otp",
        // inf: voice is the sms factor's other message type (Guardian's phone `message_types`).
        Association::Sms { .. } | Association::Voice { .. } => "sms",
        Association::Email { .. } => "email",
        Association::Push => "push-notification",
    };
    if !state.mfa.factor_enabled(factor_name) {
        return Err(MfaError::BadAssociation {
            // inf: not captured.
            description: format!("The {factor_name} factor is not enabled."),
            why: format!("PUT /api/v2/guardian/factors/{factor_name} {{\"enabled\":true}} first"),
        });
    }
    let recovery_enabled = state.mfa.factor_enabled("recovery-code");
    let TenantState { mfa, rng, .. } = state;
    let dev = format!("dev_{}", random_alnum(rng, 16));
    let mut answer = Associated {
        otp: None,
        oob: None,
        push_uri: None,
        recovery_code: None,
        delivery: None,
    };
    let factor = match association {
        Association::Otp => {
            let secret: Vec<u8> = (0..20).map(|_| rng.random::<u8>()).collect();
            let encoded = data_encoding::BASE32_NOPAD.encode(&secret);
            answer.otp = Some((encoded.clone(), otpauth_uri(issuer, account, &encoded)));
            Factor::Otp {
                secret,
                last_step: None,
            }
        }
        Association::Sms { phone } => Factor::Sms { phone },
        Association::Voice { phone } => Factor::Voice { phone },
        Association::Email { email } => Factor::Email { email },
        Association::Push => {
            answer.push_uri = Some(push_enrolment_uri(
                issuer,
                account,
                &random_alnum(rng, 32),
                guardian_url,
            ));
            Factor::Push
        }
    };
    let id = format!("{}|{dev}", factor.kind());
    let enrolment = enrolment(mfa, &pending.user_id, now);
    if recovery_enabled
        && !enrolment
            .authenticators
            .iter()
            .any(|a| matches!(a.factor, Factor::RecoveryCode { .. }))
    {
        let code = recovery_code(rng);
        enrolment.authenticators.push(Authenticator::new(
            format!("recovery-code|dev_{}", random_alnum(rng, 16)),
            Factor::RecoveryCode { code: code.clone() },
            false,
            now,
        ));
        answer.recovery_code = Some(code);
    }
    if enrolment.authenticators.len() >= AUTHENTICATORS_PER_USER
        && let Some(oldest) = enrolment
            .authenticators
            .iter()
            .position(|a| !a.active && !matches!(a.factor, Factor::RecoveryCode { .. }))
    {
        enrolment.authenticators.remove(oldest);
    }
    let to = match &factor {
        Factor::Sms { phone } => Some((Some(phone.clone()), "sms")),
        Factor::Voice { phone } => Some((Some(phone.clone()), "voice")),
        Factor::Email { email } => Some((Some(email.clone()), "email")),
        Factor::Push => Some((None, "auth0")),
        _ => None,
    };
    enrolment
        .authenticators
        .push(Authenticator::new(id.clone(), factor, false, now));
    if let Some((address, channel)) = to {
        let (oob_code, binding) = issue_oob(state, token, &pending.user_id, &id, address.is_some(), now);
        answer.oob = Some((channel, oob_code));
        answer.delivery = address.zip(binding);
    }
    Ok(answer)
}

/// The push enrolment's "barcode": the TOTP label, then `enrollment_tx_id=<32 alnum>` and the
/// percent-encoded Guardian `base_url` (obs: REC-goauth0 `…_OOB_(Auth0_channel)`, facts A7).
fn push_enrolment_uri(issuer: &str, account: &str, transaction: &str, guardian_url: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    const URL_PART: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_');
    let base = utf8_percent_encode(guardian_url, URL_PART);
    format!(
        "otpauth://totp/{}:{}?enrollment_tx_id={transaction}&base_url={base}",
        encode_label(issuer),
        encode_label(account)
    )
}

/// A TOTP label part, percent-encoded (`%20`, `%40`) as recorded (obs: facts A7).
fn encode_label(text: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    const UNRESERVED: &percent_encoding::AsciiSet =
        &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`, the
/// issuer and account percent-encoded (`%20`, `%40`) (obs: facts A7).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let issuer = encode_label(issuer);
    let account = encode_label(account);
    format!("otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30")
}

/// 24 characters of `[A-Z0-9]` (obs: facts A4 `recovery_codes`).
pub(in crate::auth0::tenant) fn recovery_code(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..24)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The user's enrolment, made (and room made) when it is the first.
pub(in crate::auth0::tenant) fn enrolment<'m>(mfa: &'m mut Mfa, user_id: &str, now: i64) -> &'m mut Enrolment {
    let enrolment = mfa.enrolments.get_or_insert(
        user_id.to_owned(),
        || Enrolment {
            authenticators: Vec::new(),
            bucket: CodeBucket::full(now),
            touched: now,
        },
        |_, e| e.authenticators.is_empty(),
        |e| e.touched,
    );
    enrolment.touched = now;
    enrolment
}

/// An `oob_code` for `authenticator_id` and, when `bound` (SMS, email), its six-digit binding
/// code; otherwise (push) it waits for a decision.
fn issue_oob(
    state: &mut TenantState,
    token: &str,
    user_id: &str,
    authenticator_id: &str,
    bound: bool,
    now: i64,
) -> (String, Option<String>) {
    let oob_code = iron_seal(&mut state.rng, now, now + OOB_CODE_TTL);
    let binding = bound.then(|| format!("{:06}", state.rng.random_range(0..1_000_000u32)));
    state.mfa.oob_codes.insert(
        oob_code.clone(),
        OobCode {
            mfa_token: token.to_owned(),
            user_id: user_id.to_owned(),
            authenticator_id: authenticator_id.to_owned(),
            proof: match &binding {
                Some(code) => OobProof::Binding(code.clone()),
                None => OobProof::Push(PushDecision::Pending),
            },
            expires_at: now + OOB_CODE_TTL,
            spent: false,
        },
        |_, c| c.spent || c.expires_at <= now,
        |c| c.expires_at,
    );
    (oob_code, binding)
}

/// What `/mfa/challenge` answers.
#[derive(Debug, Clone)]
pub enum Challenge {
    Otp,
    /// `oob_code`, and where the binding code goes with the code.
    Oob {
        oob_code: String,
        to: String,
        channel: &'static str,
        binding: String,
    },
    /// A push notification's `oob_code` (no binding code).
    Push {
        oob_code: String,
    },
}

/// `/mfa/challenge`: the user's active authenticator named by `authenticator_id`, else the first
/// whose `authenticator_type` is one of `types` (all when empty) (doc: DOC-mfa-api, facts A5).
pub fn challenge(
    state: &mut TenantState,
    token: &str,
    pending: &Pending,
    types: &[&str],
    authenticator_id: Option<&str>,
    now: i64,
) -> Result<Challenge, MfaError> {
    let wanted = |a: &Authenticator| {
        let kind = match a.factor {
            Factor::Otp { .. } => "otp",
            Factor::Sms { .. } | Factor::Voice { .. } | Factor::Email { .. } | Factor::Push => "oob",
            Factor::RecoveryCode { .. } => return false,
        };
        a.active && (types.is_empty() || types.contains(&kind)) && authenticator_id.is_none_or(|id| id == a.id)
    };
    let Some(chosen) = state
        .mfa
        .authenticators(&pending.user_id)
        .iter()
        .find(|a| wanted(a))
        .cloned()
    else {
        return Err(MfaError::UnsupportedChallengeType {
            why: match authenticator_id {
                Some(id) => format!("the user has no active authenticator {id} of the requested challenge_type"),
                None => "the user has no active authenticator of the requested challenge_type: enrol one with \
                         /mfa/associate and confirm it with an MFA grant"
                    .into(),
            },
        });
    };
    let (to, channel) = match chosen.factor {
        Factor::Otp { .. } | Factor::RecoveryCode { .. } => return Ok(Challenge::Otp),
        Factor::Sms { phone } => (phone, "sms"),
        Factor::Voice { phone } => (phone, "voice"),
        Factor::Email { email } => (email, "email"),
        Factor::Push => {
            let (oob_code, _) = issue_oob(state, token, &pending.user_id, &chosen.id, false, now);
            return Ok(Challenge::Push { oob_code });
        }
    };
    let (oob_code, binding) = issue_oob(state, token, &pending.user_id, &chosen.id, true, now);
    Ok(Challenge::Oob {
        oob_code,
        to,
        channel,
        binding: binding.unwrap_or_default(),
    })
}

/// The second factor an MFA grant presents.
#[derive(Debug, Clone, Copy)]
pub enum Proof<'a> {
    Otp(&'a str),
    Oob {
        oob_code: &'a str,
        binding_code: Option<&'a str>,
    },
    RecoveryCode(&'a str),
}

/// Checks a second factor for the `mfa_token`'s user under the brute-force bucket (ten failures,
/// one back every six minutes); a pass confirms the authenticator (and the recovery code of the
/// first enrolment). Answers the new recovery code when one was used (obs: it rotates, facts A6).
pub fn verify(
    state: &mut TenantState,
    token: &str,
    pending: &Pending,
    proof: Proof<'_>,
    now: i64,
) -> Result<Option<String>, MfaError> {
    let TenantState { mfa, rng, .. } = state;
    let oob = match proof {
        Proof::Oob { oob_code, .. } => {
            let code = mfa
                .oob_codes
                .get(oob_code)
                .filter(|c| !c.spent && c.expires_at > now && c.mfa_token == token)
                .cloned()
                .ok_or(MfaError::InvalidOobCode)?;
            // A push answers from its decision, outside the code bucket: polling is no guess.
            match code.proof {
                OobProof::Push(PushDecision::Pending) => return Err(MfaError::AuthorizationPending),
                OobProof::Push(PushDecision::Rejected) => return Err(MfaError::PushRejected),
                _ => Some(code),
            }
        }
        _ => None,
    };
    let enrolment = enrolment(mfa, &pending.user_id, now);
    enrolment.bucket.refill(now);
    if enrolment.bucket.left == 0 {
        return Err(MfaError::TooManyCodes {
            retry_in_secs: enrolment.bucket.since + CODE_REFILL_SECS - now,
        });
    }
    let step = now.div_euclid(TOTP_PERIOD);
    let (matched, failure, rotated) = match proof {
        Proof::Otp(code) => {
            let found = enrolment.authenticators.iter_mut().find_map(|a| match &mut a.factor {
                Factor::Otp { secret, last_step } => {
                    let hit = (step - TOTP_DRIFT..=step + TOTP_DRIFT)
                        .find(|s| last_step.is_none_or(|last| *s > last) && totp(secret, *s) == code)?;
                    *last_step = Some(hit);
                    Some(a.id.clone())
                }
                _ => None,
            });
            (found, MfaError::InvalidOtp, None)
        }
        Proof::Oob { binding_code, .. } => {
            let code = oob.as_ref().expect("read above");
            let ok = match &code.proof {
                OobProof::Binding(expected) => binding_code.is_some_and(|b| b == expected),
                // Approved (pending and rejected answered above); a binding code sent along is ignored (inf).
                OobProof::Push(_) => true,
            };
            (
                ok.then(|| code.authenticator_id.clone()),
                MfaError::InvalidBindingCode,
                None,
            )
        }
        Proof::RecoveryCode(presented) => {
            let fresh = recovery_code(rng);
            let found = enrolment.authenticators.iter_mut().find_map(|a| match &mut a.factor {
                Factor::RecoveryCode { code } if a.active && code == presented => {
                    *code = fresh.clone();
                    Some(a.id.clone())
                }
                _ => None,
            });
            (found, MfaError::InvalidRecoveryCode, Some(fresh))
        }
    };
    let Some(id) = matched else {
        enrolment.bucket.left -= 1;
        return Err(failure);
    };
    for authenticator in &mut enrolment.authenticators {
        if authenticator.id == id || matches!(authenticator.factor, Factor::RecoveryCode { .. }) {
            authenticator.active = true;
        }
        if authenticator.id == id {
            authenticator.last_auth = Some(now);
        }
    }
    if let Proof::Oob { oob_code, .. } = proof
        && let Some(stored) = mfa.oob_codes.get_mut(oob_code)
    {
        stored.spent = true;
    }
    Ok(rotated)
}

/// Decides a push notification as the Guardian app would (the control API's
/// `POST /__authmock__/mfa/push`): the `oob_code` named, else the user's newest undecided one.
/// Answers the user and authenticator, or why nothing was decided.
pub fn decide_push(
    state: &mut TenantState,
    oob_code: Option<&str>,
    user_id: Option<&str>,
    decision: PushDecision,
    now: i64,
) -> Result<(String, String), PushRefusal> {
    let live = |c: &OobCode| matches!(c.proof, OobProof::Push(_)) && !c.spent && c.expires_at > now;
    let undecided = |c: &OobCode| live(c) && c.proof == OobProof::Push(PushDecision::Pending);
    let codes = &state.mfa.oob_codes;
    let key = match (oob_code, user_id) {
        (Some(oob_code), _) => {
            let code = codes
                .get(oob_code)
                .filter(|c| live(c) && user_id.is_none_or(|u| u == c.user_id))
                .ok_or(PushRefusal::Unknown)?;
            if !undecided(code) {
                return Err(PushRefusal::Decided);
            }
            oob_code.to_owned()
        }
        (None, Some(user_id)) => {
            let mine: Vec<(&String, &OobCode)> = codes
                .iter()
                .filter(|(_, c)| c.user_id == user_id && undecided(c))
                .collect();
            let newest = mine
                .iter()
                .map(|(_, c)| c.expires_at)
                .max()
                .ok_or(PushRefusal::Unknown)?;
            let mut at_newest = mine.iter().filter(|(_, c)| c.expires_at == newest);
            let key = at_newest
                .next()
                .map(|(k, _)| (*k).clone())
                .ok_or(PushRefusal::Unknown)?;
            // Two issued in the same second on the tenant clock: which is newer is unknowable.
            if at_newest.next().is_some() {
                return Err(PushRefusal::Ambiguous);
            }
            key
        }
        (None, None) => return Err(PushRefusal::Unknown),
    };
    let code = state.mfa.oob_codes.get_mut(&key).ok_or(PushRefusal::Unknown)?;
    code.proof = OobProof::Push(decision);
    Ok((code.user_id.clone(), code.authenticator_id.clone()))
}

/// Why a push could not be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushRefusal {
    /// No live push `oob_code` of that value (or of that user).
    Unknown,
    /// Approved or rejected already.
    Decided,
    /// By user: several undecided pushes issued in the same second; the `oob_code` must be named.
    Ambiguous,
}

/// The current code of the user's TOTP authenticator (`authenticator_id`, else the newest), for
/// the control API: the code, the authenticator and the seconds it stays current.
pub fn current_totp(
    state: &TenantState,
    user_id: &str,
    authenticator_id: Option<&str>,
    now: i64,
) -> Option<(String, String, i64)> {
    state
        .mfa
        .authenticators(user_id)
        .iter()
        .rev()
        .filter(|a| authenticator_id.is_none_or(|id| id == a.id))
        .find_map(|a| match &a.factor {
            Factor::Otp { secret, .. } => {
                let step = now.div_euclid(TOTP_PERIOD);
                Some((a.id.clone(), totp(secret, step), (step + 1) * TOTP_PERIOD - now))
            }
            _ => None,
        })
}

/// `GET /mfa/authenticators`: `id, authenticator_type, active[, oob_channel, name], type`, `type`
/// last (obs: REC-goauth0 2024-09 for the first keys; Swift fixture for `type` last, facts §D).
pub fn render_authenticators(state: &TenantState, user_id: &str) -> Vec<Value> {
    state
        .mfa
        .authenticators(user_id)
        .iter()
        .map(|a| {
            let mut item = Map::new();
            item.insert("id".into(), a.id.clone().into());
            let authenticator_type = match a.factor {
                Factor::Otp { .. } => "otp",
                Factor::Sms { .. } | Factor::Voice { .. } | Factor::Email { .. } | Factor::Push => "oob",
                Factor::RecoveryCode { .. } => "recovery-code",
            };
            item.insert("authenticator_type".into(), authenticator_type.into());
            item.insert("active".into(), a.active.into());
            match &a.factor {
                Factor::Sms { phone } | Factor::Voice { phone } => {
                    item.insert("oob_channel".into(), a.factor.kind().into());
                    item.insert("name".into(), crate::auth0::wire::format::mask_phone(phone).into());
                }
                Factor::Email { email } => {
                    item.insert("oob_channel".into(), "email".into());
                    item.insert("name".into(), crate::auth0::wire::format::mask_email(email).into());
                }
                // obs: REC-goauth0 2024-09 `push|dev_…` has no `name` until a device enrols.
                Factor::Push => {
                    item.insert("oob_channel".into(), "auth0".into());
                }
                _ => {}
            }
            item.insert("type".into(), a.factor.requirement().into());
            Value::Object(item)
        })
        .collect()
}

/// `DELETE /mfa/authenticators/{id}`: `false` when the user has none of that id.
pub fn delete_authenticator(state: &mut TenantState, user_id: &str, id: &str) -> bool {
    let Some(enrolment) = state.mfa.enrolments.get_mut(user_id) else {
        return false;
    };
    let before = enrolment.authenticators.len();
    enrolment.authenticators.retain(|a| a.id != id);
    let removed = enrolment.authenticators.len() != before;
    if removed {
        state.mfa.oob_codes.retain(|_, c| c.authenticator_id != id);
    }
    removed
}

/// What Universal Login asks of a user who owes a second factor (facts A8).
#[derive(Debug, Clone)]
pub enum PageStep {
    /// The OTP challenge (`/u/mfa-otp-challenge`): the user has an active OTP authenticator.
    Challenge,
    /// OTP enrolment: a new, unconfirmed authenticator, its base32 secret and `otpauth://` URI.
    Enrol { secret: String, uri: String },
    /// Nothing the pages serve: the user's only authenticators are SMS or email, or otp is off.
    NotServed,
}

/// Whether a browser login owes a second factor: `acr_values` asked for it (doc: DOC-stepup,
/// "treat the value as require MFA"), or the tenant's policy applies ([`required`]) and the
/// browser is not remembered. A remembered browser is ignored by a step-up and by a login for
/// the MFA API (doc: facts A8).
pub fn login_owes(state: &TenantState, user_id: &str, requested: bool, mfa_audience: bool, remembered: bool) -> bool {
    if requested {
        return true;
    }
    required(state, user_id, mfa_audience).is_some() && (mfa_audience || !remembered)
}

/// The page a user who owes a second factor gets: the challenge with an active OTP
/// authenticator, else (no active authenticator, otp on) a new OTP enrolment like
/// `/mfa/associate`'s, recovery code included when that factor is on.
pub fn page_step(
    state: &mut TenantState,
    client_id: &str,
    user_id: &str,
    issuer: &str,
    account: &str,
    now: i64,
) -> PageStep {
    let active_otp = state
        .mfa
        .authenticators(user_id)
        .iter()
        .any(|a| a.active && matches!(a.factor, Factor::Otp { .. }));
    if active_otp {
        return PageStep::Challenge;
    }
    if state.mfa.has_active(user_id) || !state.mfa.factor_enabled("otp") {
        return PageStep::NotServed;
    }
    let pending = Pending::new(client_id, user_id, None, "", "authorization_code");
    match associate(state, "", &pending, Association::Otp, issuer, account, "", now) {
        Ok(Associated {
            otp: Some((secret, uri)),
            ..
        }) => PageStep::Enrol { secret, uri },
        _ => PageStep::NotServed,
    }
}

/// The code typed into an MFA page, checked as the `mfa-otp` grant checks it: the same user
/// bucket (ten failures, one back every six minutes), a code used once refused after, and the
/// first pass confirming the authenticator.
pub fn verify_page_otp(
    state: &mut TenantState,
    client_id: &str,
    user_id: &str,
    code: &str,
    now: i64,
) -> Result<(), MfaError> {
    let pending = Pending::new(client_id, user_id, None, "", "authorization_code");
    verify(state, "", &pending, Proof::Otp(code), now).map(|_| ())
}

/// Remembers this browser for `user_id` (`Remember this device for 30 days`); answers the
/// `auth0-mf` cookie value (inf: its format is not documented; 32 alphanumerics like `auth0`'s).
pub fn remember_browser(state: &mut TenantState, user_id: &str, now: i64) -> String {
    let value = random_alnum(&mut state.rng, 32);
    state.mfa.remembered.insert(
        value.clone(),
        Remembered {
            user_id: user_id.to_owned(),
            created_at: now,
            last_used: now,
        },
        |_, r| remembered_lapsed(r, now),
        |r| r.last_used,
    );
    value
}

/// Whether the `auth0-mf` cookie `value` remembers this browser for `user_id` (30 days, lapsing
/// after 7 unused, doc: facts A8); a use renews the idle time.
pub fn browser_remembered(state: &mut TenantState, value: Option<&str>, user_id: &str, now: i64) -> bool {
    let Some(remembered) = value.and_then(|v| state.mfa.remembered.get_mut(v)) else {
        return false;
    };
    if remembered.user_id != user_id || remembered_lapsed(remembered, now) {
        return false;
    }
    remembered.last_used = now;
    true
}

fn remembered_lapsed(r: &Remembered, now: i64) -> bool {
    now >= r.created_at + REMEMBER_TTL || now >= r.last_used + REMEMBER_IDLE_TTL
}

/// The Guardian configuration, for the Management API.
impl TenantState {
    pub fn mfa(&self) -> &Mfa {
        &self.mfa
    }

    pub fn mfa_mut(&mut self) -> &mut Mfa {
        &mut self.mfa
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_otpauth_uri_is_the_recorded_one() {
        assert_eq!(
            otpauth_uri("My Test Tenant", "user@example.com", "HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF"),
            "otpauth://totp/My%20Test%20Tenant:user%40example.com?secret=HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF\
             &issuer=My%20Test%20Tenant&algorithm=SHA1&digits=6&period=30"
        );
    }
}
