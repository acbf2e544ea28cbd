//! The state of browser logins in one tenant: login transactions, SSO sessions, authorization
//! codes and refresh-token families, all on the tenant clock.
//!
//! - A **transaction** is one `/authorize` request waiting for the user; its key is the
//!   Universal Login `state` and it is bound to the browser's session cookie, so a form posted
//!   from another browser (login CSRF) or replayed after the flow ended finds nothing.
//! - A **session** is the `auth0` cookie: created at the first `/authorize`, replaced by a new
//!   authenticated one when the login form accepts the user, ended by logout or by its
//!   idle/absolute lifetime.
//! - A **code** is single-use, short-lived and bound to client, redirect URI and PKCE challenge.
//! - A **refresh family** is every refresh token descended from one login; rotation keeps one
//!   live token, and presenting a spent one revokes the whole family (reuse detection).
//!
//! Depends on `core::onetime` and `applications.rs`; read `login/authorize.rs` and
//! `authentication/refresh.rs` next.

use std::collections::HashMap;

use rand::RngExt as _;
use rand::distr::Alphanumeric;

use crate::auth0::tenant::applications::RefreshPolicy;
use crate::core::bounded::Cap;
use crate::core::onetime::OneTimeStore;

/// Authorization codes live 60 s (inf: the provider documents no lifetime; 60 s is the FAPI 2
/// cap it states, facts §1.2).
pub const CODE_TTL: i64 = 60;
/// Codes are 45 characters (facts §1.2, obs; the fake uses alphanumerics only).
pub const CODE_LEN: usize = 45;
/// Sessions end after 3 days idle (facts §2.1, DOC-sess)…
pub const SESSION_IDLE_TTL: i64 = 3 * 86_400;
/// …or 30 days after login, whatever happens (facts §2.1). Both are the tenant's settings
/// `idle_session_lifetime` and `session_lifetime` (`settings.rs`), these their defaults.
pub const SESSION_ABSOLUTE_TTL: i64 = 30 * 86_400;

/// How long a browser session lives, in seconds: idle, and at most after its login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    pub idle: i64,
    pub absolute: i64,
}

impl Default for SessionLifetimes {
    fn default() -> Self {
        Self {
            idle: SESSION_IDLE_TTL,
            absolute: SESSION_ABSOLUTE_TTL,
        }
    }
}

impl SessionLifetimes {
    fn ended(self, session: &Session, now: i64) -> bool {
        now >= session.last_active + self.idle || now >= session.auth_time + self.absolute
    }
}
/// A login transaction is abandoned after an hour (inf: not documented).
pub const TRANSACTION_TTL: i64 = 3_600;
/// The most login transactions a tenant keeps (expired ones go first, then the oldest).
pub const TRANSACTIONS_CAP: usize = 10_000;
/// The most browser sessions a tenant keeps (ended ones go first, then the least recently used).
pub const SESSIONS_CAP: usize = 10_000;
/// The most refresh-token families a tenant keeps (revoked ones first, then the least recently
/// used, with their tokens).
pub const FAMILIES_CAP: usize = 10_000;
/// The most refresh tokens a tenant remembers, spent ones included for reuse detection (tokens of
/// families gone or revoked, and spent ones, go first). Over twice [`FAMILIES_CAP`], so the
/// current and previous token of every family held stay.
pub const REFRESH_TOKENS_CAP: usize = 50_000;

/// What `/authorize` asked for, carried from the request to the code and the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// Whether the client sent `redirect_uri` (then the token request must repeat it).
    pub redirect_uri_sent: bool,
    pub response_type: String,
    pub response_mode: ResponseMode,
    pub scope: String,
    pub audience: Option<String>,
    /// The client's `state`, echoed untouched.
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<Challenge>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The connection `/authorize` named (checked to exist and be enabled for the client).
    pub connection: Option<String>,
    /// The id of the organization the login is for: the one `/authorize` named (by id or name),
    /// or the one the organization prompt chose.
    pub organization: Option<String>,
    /// The invitation ticket `/authorize` carried (checked live and of this organization and
    /// application; accepted when the login finishes).
    pub invitation: Option<String>,
}

/// How the answer travels back to the application (facts §1.1, DOC-oauth).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
    WebMessage,
}

/// A PKCE challenge (RFC 7636).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub value: String,
    /// `S256` or `plain`.
    pub method: String,
}

impl Challenge {
    /// Whether `verifier` answers this challenge.
    pub fn verifies(&self, verifier: &str) -> bool {
        use base64::Engine as _;
        match self.method.as_str() {
            "S256" => {
                let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref()) == self.value
            }
            _ => verifier == self.value,
        }
    }
}

/// One `/authorize` request waiting for the user to log in.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub request: AuthorizeRequest,
    /// The session cookie the transaction belongs to.
    pub session: String,
    pub created_at: i64,
    /// Set once the login form accepted the user; `/authorize/resume` then finishes.
    pub authenticated: bool,
    /// Multi-factor authentication in this transaction (`login/mfa_page.rs`).
    pub mfa: TransactionMfa,
}

/// Where a transaction stands with a second factor (facts auth0-mfa-orgs.md A8).
#[derive(Debug, Clone, Default)]
pub struct TransactionMfa {
    /// `acr_values` asked for multi-factor (step-up): MFA whatever the policy, and the
    /// remember-browser cookie ignored (doc: DOC-stepup).
    pub requested: bool,
    /// The user who passed the first factor (or whose session steps up) and owes the second.
    pub owed_by: Option<String>,
    /// An OTP enrolment under way: the new authenticator's base32 secret and `otpauth://` URI.
    pub enrolment: Option<(String, String)>,
    /// The session logged in before this transaction (step-up): it stays, not drawn afresh.
    pub step_up: bool,
    /// The second factor passed here: the ID token carries `acr` and `amr`.
    pub passed: bool,
    /// The user ticked `Remember this device for 30 days`.
    pub remember: bool,
}

/// One browser's session with the tenant (the `auth0` cookie).
#[derive(Debug, Clone)]
pub struct Session {
    /// The session id put in ID tokens (`sid`).
    pub sid: String,
    pub user_id: Option<String>,
    pub auth_time: i64,
    pub last_active: i64,
    /// The login of this session passed a second factor (a step-up then asks nothing).
    pub mfa: bool,
}

/// What an authorization code redeems for.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub request: AuthorizeRequest,
    pub user_id: String,
    pub sid: String,
    pub auth_time: i64,
    /// What its redemption issued, for a replay to revoke.
    pub issued: CodeTokens,
    /// The login passed a second factor: the ID token carries `acr` and `amr` (facts A8).
    pub mfa: bool,
}

/// The revocable tokens a code's redemption issued (RFC 6749 §4.1.2: a code presented again
/// SHOULD revoke them). Access tokens with an audience are JWTs nobody holds a record of, so
/// they live out their lifetime; the opaque `/userinfo` token and the refresh family do not.
#[derive(Debug, Clone, Default)]
pub struct CodeTokens {
    pub family: Option<u64>,
    pub opaque_access_token: Option<String>,
}

/// One refresh token's place in its family.
#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub family: u64,
}

/// Every refresh token descended from one login.
#[derive(Debug, Clone)]
pub struct Family {
    pub client_id: String,
    pub user_id: String,
    pub audience: Option<String>,
    pub scope: String,
    pub sid: String,
    pub auth_time: i64,
    /// The organization the login was through: every token of the family names it.
    pub organization: Option<String>,
    /// The login passed a second factor: its refreshes are not asked for one (facts
    /// auth0-mfa-orgs.md A1).
    pub mfa: bool,
    pub policy: RefreshPolicy,
    pub created_at: i64,
    pub last_used: i64,
    /// The one token that may be exchanged now.
    pub current: String,
    /// The token rotated away last, and when (for the leeway).
    pub previous: Option<(String, i64)>,
    /// Revoked by reuse detection, `/oauth/revoke` or logout of the grant.
    pub revoked: Option<Revocation>,
}

/// Who a new family's tokens are for and of which login: the application, the user, the
/// audience and scope granted, the login's session id and time.
pub struct FamilyGrant<'a> {
    pub client_id: &'a str,
    pub policy: RefreshPolicy,
    pub user_id: &'a str,
    pub audience: Option<&'a str>,
    pub scope: &'a str,
    pub sid: String,
    pub auth_time: i64,
}

impl Family {
    /// A family born at `now`, with no token yet ([`Logins::start_family`] issues the first).
    pub fn new(grant: FamilyGrant<'_>, now: i64) -> Self {
        Family {
            client_id: grant.client_id.to_owned(),
            user_id: grant.user_id.to_owned(),
            audience: grant.audience.map(str::to_owned),
            scope: grant.scope.to_owned(),
            sid: grant.sid,
            auth_time: grant.auth_time,
            organization: None,
            mfa: false,
            policy: grant.policy,
            created_at: now,
            last_used: now,
            current: String::new(),
            previous: None,
            revoked: None,
        }
    }
}

/// Why a family died.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    ReuseDetected,
    Revoked,
    /// The authorization code it was issued for was presented again.
    CodeReplayed,
}

/// The login state of one tenant.
#[derive(Debug)]
pub struct Logins {
    pub transactions: HashMap<String, Transaction>,
    pub sessions: HashMap<String, Session>,
    pub codes: OneTimeStore<CodeGrant>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub families: HashMap<u64, Family>,
    next_family: u64,
    /// User access tokens issued without an audience (`opaque_tokens.rs`), with their own cap.
    pub opaque_tokens: crate::auth0::tenant::opaque_tokens::OpaqueTokens,
    /// The caps of the four maps above.
    pub caps: LoginCaps,
    /// The tenant's session lifetimes (its settings).
    pub lifetimes: SessionLifetimes,
}

/// The caps of the login stores (codes carry their own, in [`OneTimeStore`]).
#[derive(Debug, Clone)]
pub struct LoginCaps {
    pub transactions: Cap,
    pub sessions: Cap,
    pub families: Cap,
    pub refresh_tokens: Cap,
}

impl Default for LoginCaps {
    fn default() -> Self {
        Self {
            transactions: Cap::new(TRANSACTIONS_CAP),
            sessions: Cap::new(SESSIONS_CAP),
            families: Cap::new(FAMILIES_CAP),
            refresh_tokens: Cap::new(REFRESH_TOKENS_CAP),
        }
    }
}

impl Default for Logins {
    fn default() -> Self {
        Self {
            transactions: HashMap::new(),
            sessions: HashMap::new(),
            codes: OneTimeStore::new(CODE_LEN),
            refresh_tokens: HashMap::new(),
            families: HashMap::new(),
            next_family: 1,
            opaque_tokens: crate::auth0::tenant::opaque_tokens::OpaqueTokens::default(),
            caps: LoginCaps::default(),
            lifetimes: SessionLifetimes::default(),
        }
    }
}

/// `n` random alphanumerics.
pub fn random_alnum(rng: &mut impl rand::Rng, n: usize) -> String {
    rng.sample_iter(Alphanumeric).take(n).map(char::from).collect()
}

impl Logins {
    /// Forgets what a deleted application holds: its transactions, codes, refresh-token families
    /// (with their tokens) and opaque access tokens. Sessions are the user's and stay.
    pub fn forget_client(&mut self, client_id: &str) {
        self.transactions.retain(|_, t| t.request.client_id != client_id);
        self.codes.forget_where(|code| code.request.client_id == client_id);
        self.families.retain(|_, family| family.client_id != client_id);
        let families = &self.families;
        self.refresh_tokens
            .retain(|_, token| families.contains_key(&token.family));
        self.opaque_tokens.forget_client(client_id);
    }

    /// The live session behind a cookie value, touched (idle lifetime renewed) if found.
    pub fn live_session(&mut self, cookie: Option<&str>, now: i64) -> Option<&mut Session> {
        let id = cookie?;
        let lifetimes = self.lifetimes;
        let alive = self.sessions.get(id).is_some_and(|s| !lifetimes.ended(s, now));
        if !alive {
            // An expired authenticated session is forgotten; an anonymous one stays usable.
            if let Some(session) = self.sessions.get_mut(id)
                && session.user_id.is_some()
            {
                session.user_id = None;
            }
        }
        let session = self.sessions.get_mut(id)?;
        session.last_active = now;
        Some(session)
    }

    /// Stores a login transaction under its `state`, within the cap.
    pub fn begin_transaction(&mut self, ul_state: String, transaction: Transaction, now: i64) {
        self.caps.transactions.make_room(
            &mut self.transactions,
            |_, t| now >= t.created_at + TRANSACTION_TTL,
            |t| t.created_at,
        );
        self.transactions.insert(ul_state, transaction);
    }

    /// A new anonymous session; returns its cookie value.
    pub fn open_session(&mut self, rng: &mut impl rand::Rng, now: i64) -> String {
        let lifetimes = self.lifetimes;
        self.caps
            .sessions
            .make_room(&mut self.sessions, |_, s| lifetimes.ended(s, now), |s| s.last_active);
        let id = random_alnum(rng, 32);
        let sid = random_alnum(rng, 32);
        self.sessions.insert(
            id.clone(),
            Session {
                sid,
                user_id: None,
                auth_time: now,
                last_active: now,
                mfa: false,
            },
        );
        id
    }

    /// Authenticates the browser behind session `old` as `user_id` and returns the session's new
    /// id: the id (and `sid`) are drawn afresh at every login, so a cookie planted before it
    /// never becomes the user's session (session fixation, OWASP); the browser's pending
    /// transactions move to the new id, and `old` names no session any more.
    pub fn authenticate_session(&mut self, rng: &mut impl rand::Rng, old: &str, user_id: &str, now: i64) -> String {
        self.sessions.remove(old);
        let id = random_alnum(rng, 32);
        let sid = random_alnum(rng, 32);
        self.sessions.insert(
            id.clone(),
            Session {
                sid,
                user_id: Some(user_id.to_owned()),
                auth_time: now,
                last_active: now,
                mfa: false,
            },
        );
        for transaction in self.transactions.values_mut().filter(|t| t.session == old) {
            transaction.session.clone_from(&id);
        }
        id
    }

    /// Notes what the redemption of `code` issued.
    pub fn record_code_tokens(&mut self, code: &str, issued: CodeTokens) {
        if let Some(grant) = self.codes.payload_mut(code) {
            grant.issued = issued;
        }
    }

    /// A spent code presented again: revokes the refresh family and the opaque access token its
    /// first redemption issued (RFC 6749 §4.1.2). Answers whether anything was revoked.
    pub fn revoke_code_tokens(&mut self, code: &str) -> bool {
        let Some(grant) = self.codes.payload_mut(code) else {
            return false;
        };
        let issued = std::mem::take(&mut grant.issued);
        if let Some(token) = &issued.opaque_access_token {
            self.opaque_tokens.revoke(token);
        }
        let family = issued.family.and_then(|id| self.families.get_mut(&id));
        if let Some(family) = family {
            family.revoked.get_or_insert(Revocation::CodeReplayed);
        }
        issued.family.is_some() || issued.opaque_access_token.is_some()
    }

    /// Starts a refresh family and returns its first token.
    pub fn start_family(&mut self, rng: &mut impl rand::Rng, mut family: Family) -> String {
        let gone = self
            .caps
            .families
            .make_room(&mut self.families, |_, f| f.revoked.is_some(), |f| f.last_used);
        if !gone.is_empty() {
            self.refresh_tokens.retain(|_, t| !gone.contains(&t.family));
        }
        self.room_for_refresh_token();
        let id = self.next_family;
        self.next_family += 1;
        let token = refresh_token_value(rng);
        family.current = token.clone();
        self.refresh_tokens.insert(token.clone(), RefreshToken { family: id });
        self.families.insert(id, family);
        token
    }

    /// Gives a family a new current token (rotation).
    pub fn rotate(&mut self, rng: &mut impl rand::Rng, family_id: u64, now: i64) -> Option<String> {
        let token = refresh_token_value(rng);
        self.room_for_refresh_token();
        let family = self.families.get_mut(&family_id)?;
        let old = std::mem::replace(&mut family.current, token.clone());
        family.previous = Some((old, now));
        self.refresh_tokens
            .insert(token.clone(), RefreshToken { family: family_id });
        Some(token)
    }

    /// Room for one more refresh token: tokens of families gone or revoked and spent tokens
    /// first, then those of the oldest families (a forgotten spent token no longer revokes its
    /// family). The cap is over twice the families' cap, so live tokens never go.
    fn room_for_refresh_token(&mut self) {
        let families = &self.families;
        self.caps.refresh_tokens.make_room(
            &mut self.refresh_tokens,
            |token, t| {
                families.get(&t.family).is_none_or(|f| {
                    f.revoked.is_some() || (f.current != *token && f.previous.as_ref().is_none_or(|(p, _)| p != token))
                })
            },
            |t| t.family as i64,
        );
    }

    /// Ends every session and family of a browser session (logout).
    pub fn end_session(&mut self, cookie: &str) -> Option<Session> {
        self.transactions.retain(|_, t| t.session != cookie);
        self.sessions.remove(cookie)
    }
}

/// `v1.M` followed by 86 base64url characters (facts §4, obs).
fn refresh_token_value(rng: &mut impl rand::Rng) -> String {
    use base64::Engine as _;
    let bytes: [u8; 64] = rng.random();
    let mut token = String::from("v1.M");
    token.push_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)[..86]);
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_and_plain_challenges_verify() {
        // RFC 7636 appendix B.
        let s256 = Challenge {
            value: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            method: "S256".into(),
        };
        assert!(s256.verifies("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!s256.verifies("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        let plain = Challenge {
            value: "abc".into(),
            method: "plain".into(),
        };
        assert!(plain.verifies("abc"));
        assert!(!plain.verifies("abd"));
    }

    #[test]
    fn refresh_tokens_have_the_observed_shape() {
        use rand::SeedableRng as _;
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let token = refresh_token_value(&mut rng);
        assert!(token.starts_with("v1.M"));
        assert_eq!(token.len(), 90);
    }

    #[test]
    fn sessions_expire_idle_and_absolute() {
        use rand::SeedableRng as _;
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut logins = Logins::default();
        let id = logins.open_session(&mut rng, 0);
        if let Some(s) = logins.sessions.get_mut(&id) {
            s.user_id = Some("u".into());
        }
        assert!(
            logins
                .live_session(Some(&id), SESSION_IDLE_TTL - 1)
                .is_some_and(|s| s.user_id.is_some())
        );
        let idle = 2 * SESSION_IDLE_TTL + 1;
        assert!(
            logins
                .live_session(Some(&id), idle)
                .is_some_and(|s| s.user_id.is_none())
        );
    }
}

#[cfg(test)]
mod cap_tests {
    use rand::SeedableRng as _;

    use super::*;

    fn family(last_used: i64) -> Family {
        Family {
            client_id: "c".into(),
            user_id: "u".into(),
            audience: None,
            scope: "openid offline_access".into(),
            sid: "s".into(),
            auth_time: 0,
            organization: None,
            mfa: false,
            policy: RefreshPolicy::default(),
            created_at: 0,
            last_used,
            current: String::new(),
            previous: None,
            revoked: None,
        }
    }

    #[test]
    fn sessions_past_the_cap_drop_the_ended_then_the_least_recently_used() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut logins = Logins::default();
        logins.caps.sessions = Cap::new(10);
        let ended = logins.open_session(&mut rng, 0);
        let ids: Vec<String> = (0..9)
            .map(|i| logins.open_session(&mut rng, SESSION_IDLE_TTL + i))
            .collect();
        let newest = logins.open_session(&mut rng, SESSION_IDLE_TTL + 100);
        assert!(
            !logins.sessions.contains_key(&ended),
            "the idle-expired session went first"
        );
        assert!(ids.iter().chain([&newest]).all(|id| logins.sessions.contains_key(id)));
        assert_eq!(logins.caps.sessions.evicted(), 1);
        logins.open_session(&mut rng, SESSION_IDLE_TTL + 200);
        assert!(!logins.sessions.contains_key(&ids[0]), "then the least recently used");
        assert_eq!(logins.caps.sessions.evicted(), 2);
    }

    #[test]
    fn families_past_the_cap_drop_the_revoked_first_with_their_tokens() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut logins = Logins::default();
        logins.caps.families = Cap::new(10);
        let revoked = logins.start_family(&mut rng, family(0));
        let revoked_id = logins.refresh_tokens[&revoked].family;
        if let Some(f) = logins.families.get_mut(&revoked_id) {
            f.revoked = Some(Revocation::ReuseDetected);
        }
        let live: Vec<String> = (1..10).map(|i| logins.start_family(&mut rng, family(i))).collect();
        logins.start_family(&mut rng, family(100));
        assert!(!logins.families.contains_key(&revoked_id));
        assert!(!logins.refresh_tokens.contains_key(&revoked));
        assert!(live.iter().all(|t| logins.refresh_tokens.contains_key(t)));
        assert_eq!(logins.families.len(), 10);
        assert_eq!(logins.caps.families.evicted(), 1);
    }

    #[test]
    fn spent_refresh_tokens_are_remembered_up_to_their_cap() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut logins = Logins::default();
        logins.caps.refresh_tokens = Cap::new(20);
        let first = logins.start_family(&mut rng, family(0));
        let id = logins.refresh_tokens[&first].family;
        let mut current = first.clone();
        for now in 1..50 {
            current = logins.rotate(&mut rng, id, now).expect("the family lives");
        }
        assert!(logins.refresh_tokens.len() <= 20);
        assert!(logins.refresh_tokens.contains_key(&current), "the current token stays");
        assert_eq!(
            logins.caps.refresh_tokens.evicted() as usize,
            50 - logins.refresh_tokens.len()
        );
    }
}
