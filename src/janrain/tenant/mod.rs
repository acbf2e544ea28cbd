//! A Janrain "Capture app": clients, the flow and its forms, user records, recovery codes,
//! tokens and mail, behind its own lock.
//!
//! [`JanrainApp`] is a cheap handle (`Arc`) shared by every request of one listener. Immutable
//! parts (name, address, clock, seed) live outside the lock; the mutable [`JanrainState`] sits
//! behind a std `Mutex`, because every critical section is a short in-memory lookup or update and
//! is never held across `.await`. Seeded from `fixtures/janrain-app.json` (embedded), so ids,
//! codes and tokens repeat run after run. Depends on `core::{clock, onetime, outbox, password}`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::RngExt as _;
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

pub use super::error::ConfiguredError;
use super::schema::EntityType;
use crate::core::address::TenantAddress;
use crate::core::clock::Clock;
use crate::core::control::Control;
use crate::core::fixture::FixtureError;
use crate::core::onetime::OneTimeStore;
use crate::core::outbox::Outbox;
use crate::core::password::PasswordHash;
use crate::core::ratelimit::BucketDefinition;

/// The embedded default Capture app.
const DEFAULT_FIXTURE: &str = include_str!("../../../fixtures/janrain-app.json");

/// Access tokens live one hour (facts `janrain.md` §5 "Token lifetimes").
pub const ACCESS_TOKEN_LIFETIME: i64 = 3600;
/// Length of recovery codes; the real length is not documented, doc examples of codes and
/// tokens are 16 to 20 characters.
pub const CODE_LEN: usize = 16;

/// Why a Capture app could not be built from its fixture.
#[derive(Debug, thiserror::Error)]
pub enum JanrainSeedError {
    #[error("cannot read the Janrain fixture {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(transparent)]
    Parse(#[from] FixtureError),
    #[error("the Janrain fixture is not consistent: {0}")]
    Invalid(String),
}

/// A Capture app seed as written in a fixture file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JanrainFixture {
    pub name: String,
    /// Seeds the RNG behind codes, tokens and request ids.
    pub seed: u64,
    pub clients: Vec<CaptureClient>,
    pub flow: Flow,
    pub users: Vec<RecordSeed>,
    /// Rate-limit buckets (groups of `janrain::ratelimit::GROUPS`) set when the app is built
    /// and again on reset; none (nothing limited) when absent.
    #[serde(default)]
    pub rate_limits: Vec<BucketDefinition>,
    /// The records' entity type and its attributes; the built-in `user` type when absent.
    #[serde(default = "EntityType::default_user")]
    pub entity_type: EntityType,
}

/// An API client of the app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureClient {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// API client features; `login_client` may call `/oauth/*_native`.
    pub features: Vec<String>,
    /// Where recovery mail links point; overrides the request's `redirect_uri`.
    pub password_recover_url: Option<String>,
    /// Seconds a recovery code stays valid (the provider's default is not documented).
    pub recover_code_lifetime: i64,
    /// Where verification mail links point (`janrain-entity.md` §3.1), `?verification_code=…`
    /// appended; without it the client cannot send verification mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email_url: Option<String>,
}

impl CaptureClient {
    pub fn is_login_client(&self) -> bool {
        self.features.iter().any(|f| f == "login_client")
    }
}

/// The flow the app's forms belong to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub name: String,
    pub version: String,
    pub locale: String,
    /// What forgot-password answers for a social-only account ("depends on your flow
    /// configuration", facts §4; 540 `triggered_error` as observed).
    pub social_only_error: ConfiguredError,
    pub forms: Forms,
    /// Validation messages, keyed `<field>_<rule>`.
    pub messages: BTreeMap<String, String>,
}

impl Flow {
    /// The configured message for `field`'s `rule`, or a plain fallback naming both.
    pub fn message(&self, field: &str, rule: &str) -> String {
        self.messages
            .get(&format!("{field}_{rule}"))
            .cloned()
            .unwrap_or_else(|| super::error::unconfigured_message(field, rule))
    }
}

/// The forms of the recovery flow, registration, verification and the signed-in profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Forms {
    #[serde(rename = "forgotPasswordForm")]
    pub forgot_password: ForgotPasswordForm,
    #[serde(rename = "changePasswordFormNoAuth")]
    pub change_password: ChangePasswordForm,
    #[serde(rename = "signInForm")]
    pub sign_in: SignInForm,
    #[serde(rename = "registrationForm", default)]
    pub registration: super::native_forms::RegistrationForm,
    #[serde(rename = "resendVerificationForm", default)]
    pub resend_verification: super::native_forms::ResendVerificationForm,
    #[serde(rename = "editProfileForm", default)]
    pub edit_profile: super::native_forms::EditProfileForm,
    #[serde(rename = "changePasswordForm", default)]
    pub signed_in_password: super::native_forms::SignedInPasswordForm,
}

pub const FORGOT_PASSWORD_FORM: &str = "forgotPasswordForm";
pub const CHANGE_PASSWORD_FORM: &str = "changePasswordFormNoAuth";
pub const SIGN_IN_FORM: &str = "signInForm";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordForm {
    pub email_field: String,
    /// Form-level message when no account uses the email.
    pub no_such_account: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordForm {
    pub password_field: String,
    pub confirm_field: String,
    pub min_length: usize,
    pub max_length: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInForm {
    pub email_field: String,
    pub password_field: String,
    /// Form-level message for a wrong email/password pair.
    pub invalid_credentials: String,
}

/// A user record as the fixture writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSeed {
    pub uuid: String,
    pub email: String,
    /// `null` for a social-only account.
    pub password: Option<String>,
    #[serde(rename = "givenName")]
    pub given_name: String,
    #[serde(rename = "familyName")]
    pub family_name: String,
    #[serde(rename = "displayName")]
    pub display_name: String,
    #[serde(default)]
    pub social_provider: Option<String>,
    /// Values of the entity type's other attributes (`created` defaults to the seed time).
    #[serde(default)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A user record (an entity of type `user`).
#[derive(Debug, Clone)]
pub struct Record {
    pub id: u64,
    pub uuid: String,
    pub email: String,
    pub password: Option<PasswordHash>,
    /// The fixture's password, shown by the control API until it changes.
    pub fixture_password: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub social_provider: Option<String>,
    /// Every other attribute of the entity type (`created`, `lastUpdated`, …), by name.
    pub attrs: serde_json::Map<String, serde_json::Value>,
}

impl Record {
    /// The record as `/entity` and sign-in return it (`capture_user`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "uuid": self.uuid,
            "email": self.email,
            "givenName": self.given_name,
            "familyName": self.family_name,
            "displayName": self.display_name,
        })
    }
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

/// The mutable part of a Capture app.
#[derive(Debug)]
pub struct JanrainState {
    pub clients: Vec<CaptureClient>,
    pub flow: Flow,
    pub records: Vec<Record>,
    pub codes: OneTimeStore<CodeGrant>,
    pub access_tokens: HashMap<String, TokenGrant>,
    pub refresh_tokens: HashMap<String, TokenGrant>,
    pub outbox: Outbox,
    pub rng: StdRng,
    /// The records' entity type (from the fixture).
    pub entity_type: EntityType,
    /// The id the next created record gets.
    pub next_id: u64,
    /// The caps of the records created at runtime and of the tokens, and what they evicted.
    pub caps: super::bounds::JanrainCaps,
    /// Email verification codes, by code.
    pub verification_codes: super::verify_email::VerificationCodes,
}

impl JanrainState {
    pub fn client(&self, client_id: &str) -> Option<&CaptureClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// Email match is case-insensitive, as sign-in identifiers are.
    pub fn record_by_email(&self, email: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.email.eq_ignore_ascii_case(email))
    }

    pub fn record_mut(&mut self, uuid: &str) -> Option<&mut Record> {
        self.records.iter_mut().find(|r| r.uuid == uuid)
    }

    pub fn record(&self, uuid: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.uuid == uuid)
    }

    /// `len` lowercase alphanumerics, the shape of the documented tokens and request ids.
    pub fn random_token(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(CHARS[self.rng.random_range(0..CHARS.len())]))
            .collect()
    }

    /// Issues an access token (3600 s) and a refresh token for `uuid` via `client_id`.
    pub fn issue_tokens(&mut self, uuid: &str, client_id: &str, now: i64) -> (String, String) {
        let access = self.random_token(16);
        let refresh = self.random_token(20);
        let grant = TokenGrant {
            uuid: uuid.to_owned(),
            client_id: client_id.to_owned(),
            expires_at: now + ACCESS_TOKEN_LIFETIME,
            refresh_secret: None,
        };
        super::bounds::room_for_tokens(self, now);
        self.access_tokens.insert(access.clone(), grant.clone());
        self.refresh_tokens.insert(refresh.clone(), grant);
        (access, refresh)
    }
}

impl JanrainFixture {
    pub fn default_app() -> Self {
        Self::parse(DEFAULT_FIXTURE, "janrain-app.json").expect("the embedded Janrain fixture is valid")
    }

    pub fn from_json(text: &str) -> Result<Self, JanrainSeedError> {
        Self::parse(text, "fixture")
    }

    /// An inline fixture (a runtime tenant's `seed`).
    pub fn from_value(value: serde_json::Value) -> Result<Self, JanrainSeedError> {
        let fixture: Self = crate::core::fixture::from_value(value, "seed")?;
        fixture.check()?;
        Ok(fixture)
    }

    /// Parses fixture text; `origin` (the file, or `seed`) names it in errors.
    fn parse(text: &str, origin: &str) -> Result<Self, JanrainSeedError> {
        let fixture: Self = crate::core::fixture::parse(text, origin)?;
        fixture.check()?;
        Ok(fixture)
    }

    /// What serde cannot check: unique emails, valid rate-limit groups.
    fn check(&self) -> Result<(), JanrainSeedError> {
        let fixture = self;
        fixture.state()?;
        crate::core::ratelimit::RateLimits::default()
            .seed(&fixture.rate_limits, 0, |g| super::ratelimit::GROUPS.contains(&g))
            .map_err(|e| JanrainSeedError::Invalid(format!("{e} (groups: {})", super::ratelimit::GROUPS.join(", "))))?;
        Ok(())
    }

    pub fn load(path: &Path) -> Result<Self, JanrainSeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| JanrainSeedError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The app's state as seeded.
    pub fn state(&self) -> Result<JanrainState, JanrainSeedError> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut records = Vec::new();
        // A set, not a scan: a fixture may seed 100,000 records (bench).
        let mut emails = std::collections::HashSet::new();
        for (i, seed) in self.users.iter().enumerate() {
            if !emails.insert(seed.email.to_ascii_lowercase()) {
                return Err(JanrainSeedError::Invalid(format!("two users use {}", seed.email)));
            }
            records.push(Record {
                id: i as u64 + 1,
                uuid: seed.uuid.clone(),
                email: seed.email.clone(),
                password: seed.password.as_deref().map(|p| PasswordHash::new(&mut rng, p)),
                fixture_password: seed.password.clone(),
                given_name: seed.given_name.clone(),
                family_name: seed.family_name.clone(),
                display_name: seed.display_name.clone(),
                social_provider: seed.social_provider.clone(),
                attrs: super::records::seed_attributes(&self.entity_type, &seed.attributes)
                    .map_err(|e| JanrainSeedError::Invalid(format!("user {}: {e}", seed.uuid)))?,
            });
        }
        self.entity_type.validate().map_err(JanrainSeedError::Invalid)?;
        let next_id = records.len() as u64 + 1;
        Ok(JanrainState {
            clients: self.clients.clone(),
            flow: self.flow.clone(),
            records,
            codes: OneTimeStore::new(CODE_LEN),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            outbox: Outbox::default(),
            rng,
            entity_type: self.entity_type.clone(),
            next_id,
            caps: super::bounds::JanrainCaps::new(next_id - 1),
            verification_codes: Default::default(),
        })
    }

    pub fn build(&self, address: TenantAddress, clock: Clock) -> Result<JanrainApp, JanrainSeedError> {
        let app = JanrainApp {
            inner: Arc::new(Inner {
                name: self.name.clone(),
                address,
                clock,
                state: Mutex::new(self.state()?),
                seed: self.clone(),
                control: Control::default(),
            }),
        };
        app.seed_rate_limits()?;
        Ok(app)
    }
}

/// A cheap, cloneable handle to one Capture app.
#[derive(Clone, Debug)]
pub struct JanrainApp {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    address: TenantAddress,
    clock: Clock,
    /// A std mutex: critical sections are short lookups/updates, never held across `.await`.
    state: Mutex<JanrainState>,
    /// The fixture the app was built from: [`JanrainApp::reset`] rebuilds the state from it.
    seed: JanrainFixture,
    /// Journal, fault rules and rate limits (their own locks, apart from `state`).
    control: Control,
}

impl JanrainApp {
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// `http://127.0.0.1:4011` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.address.base_url
    }

    pub fn address(&self) -> &TenantAddress {
        &self.inner.address
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Locks the app's state. Keep the guard short-lived and never across `.await`.
    pub fn state(&self) -> MutexGuard<'_, JanrainState> {
        // Every update is a single assignment or insert, so a poisoned lock holds valid state.
        self.inner.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The app's control bundle (journal, fault rules, rate limits).
    pub fn control(&self) -> &Control {
        &self.inner.control
    }

    /// Puts the app back as it was seeded: the clock, then records, codes, tokens and outbox,
    /// then the journal, fault rules and rate limits (the fixture's come back full). Journal
    /// settings stay.
    pub fn reset(&self) -> Result<(), JanrainSeedError> {
        self.inner.clock.reset();
        let fresh = self.inner.seed.state()?;
        *self.state() = fresh;
        self.inner.control.clear();
        self.seed_rate_limits()
    }

    /// The fixture's buckets, full, windows starting now on the app clock.
    fn seed_rate_limits(&self) -> Result<(), JanrainSeedError> {
        let now = self.inner.clock.unix();
        self.inner
            .control
            .rate_limits()
            .seed(&self.inner.seed.rate_limits, now, |g| {
                super::ratelimit::GROUPS.contains(&g)
            })
            .map_err(JanrainSeedError::Invalid)
    }
}
