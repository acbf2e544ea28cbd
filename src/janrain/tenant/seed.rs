//! The fixture a Capture app is seeded from (`fixtures/janrain-app.json`, embedded as the
//! default): its format, the checks serde cannot make, and the state it seeds. The same seed
//! gives the same ids, codes and tokens run after run.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde::Deserialize;

use super::clients::CaptureClient;
use super::codes::CODE_LEN;
use super::flow::Flow;
use super::passwords::{HashSeed, Password};
use super::ratelimit::GROUPS;
use super::records::{Record, nano_time, seed_attributes};
use super::schema::EntityType;
use super::state::{JanrainCaps, JanrainState};
use crate::core::fixture::FixtureError;
use crate::core::onetime::OneTimeStore;
use crate::core::outbox::Outbox;
use crate::core::password::PasswordHash;
use crate::core::ratelimit::BucketDefinition;
use crate::core::shared_list::SharedList;

/// The embedded default Capture app.
const DEFAULT_FIXTURE: &str = include_str!("../../../fixtures/janrain-app.json");

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
    /// How long one `entity.find` / `entity.count` may run before it answers the 504 timeout
    /// error; a call's `timeout` (seconds) can only lower it. Default 10000 (inf: Capture's own
    /// default is NOT FOUND; janrain-python-datalib's default `timeout` is 10 s, facts E2).
    #[serde(default = "default_search_timeout_ms")]
    pub search_timeout_ms: u64,
    /// `entity.find`'s page cap: `{"cap": 10000, "over_cap": "clamp"}` (default) or
    /// `"over_cap": "error"`.
    #[serde(default)]
    pub max_results: super::state::FindCap,
    /// A population of fake people made from `seed`, after `users` (`GeneratedRecords`).
    #[serde(default)]
    pub generated_users: Option<GeneratedRecords>,
}

/// `generated_users`: `count` fake people (names from the `fake` crate, seeded), for a migration
/// rehearsal or a benchmark at scale. Every one has `password` (shown by the control API, hashed
/// `password-bcrypt` on first read, as the fixture's own users), but every `social_only_every`-th
/// signs in only through a social provider (no password, `social_provider` google), and every
/// `unverified_every`-th has `emailVerified` null (the others were verified when created, where
/// the entity type has `emailVerified`). 0 turns either off. Emails are
/// `<given>.<family>[.<n>]@example.org`, lower case and unique.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedRecords {
    pub count: usize,
    pub password: String,
    #[serde(default)]
    pub social_only_every: usize,
    #[serde(default)]
    pub unverified_every: usize,
}

/// The most people `generated_users` makes: a migration rehearsal at ten times the scale the
/// benchmarks measure (100,000).
pub const MAX_GENERATED: usize = 1_000_000;

impl GeneratedRecords {
    /// The generated people as fixture users, the `n`-th numbered from `first` in uuid order.
    fn seeds(
        &self,
        rng: &mut StdRng,
        schema: &EntityType,
        taken: &std::collections::HashSet<String>,
    ) -> Vec<RecordSeed> {
        use fake::Fake as _;
        use fake::faker::name::en::{FirstName, LastName};
        use rand::RngExt as _;

        let verified_attribute = schema.lookup("emailVerified").is_some();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(self.count);
        for n in 1..=self.count {
            let given: String = FirstName().fake_with_rng(rng);
            let family: String = LastName().fake_with_rng(rng);
            let slug = |s: &str| {
                s.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_lowercase()
            };
            let mut email = format!("{}.{}@example.org", slug(&given), slug(&family));
            if taken.contains(&email) || !seen.insert(email.clone()) {
                email = format!("{}.{}.{n}@example.org", slug(&given), slug(&family));
                seen.insert(email.clone());
            }
            let social = self.social_only_every > 0 && n % self.social_only_every == 0;
            let unverified = self.unverified_every > 0 && n % self.unverified_every == 0;
            let uuid_bytes: [u8; 16] = rng.random();
            let mut attributes = serde_json::Map::new();
            if verified_attribute {
                let verified = (!unverified).then_some(super::records::SEED_TIME);
                attributes.insert("emailVerified".into(), serde_json::json!(verified));
            }
            out.push(RecordSeed {
                uuid: uuid_text(uuid_bytes),
                email,
                password: (!social).then(|| self.password.clone()),
                password_hash: None,
                display_name: format!("{given} {family}"),
                given_name: given,
                family_name: family,
                social_provider: social.then(|| "google".to_owned()),
                attributes,
            });
        }
        out
    }
}

/// A version-4 UUID's text from 16 random bytes.
fn uuid_text(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn default_search_timeout_ms() -> u64 {
    10_000
}

/// A user record as the fixture writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSeed {
    pub uuid: String,
    pub email: String,
    /// `null` for a social-only account.
    pub password: Option<String>,
    /// A hash of one of Capture's type tags instead of `password` (`{"type", "value", "salt"}`).
    #[serde(default)]
    pub password_hash: Option<HashSeed>,
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
    pub(super) fn parse(text: &str, origin: &str) -> Result<Self, JanrainSeedError> {
        let fixture: Self = crate::core::fixture::parse(text, origin)?;
        fixture.check()?;
        Ok(fixture)
    }

    /// What serde cannot check: unique emails, valid rate-limit groups.
    fn check(&self) -> Result<(), JanrainSeedError> {
        let fixture = self;
        fixture.state()?;
        crate::core::ratelimit::RateLimits::default()
            .seed(&fixture.rate_limits, 0, |g| GROUPS.contains(&g))
            .map_err(|e| JanrainSeedError::Invalid(format!("{e} (groups: {})", GROUPS.join(", "))))?;
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
        Ok(self.state_with(&self.records()?))
    }

    /// The fixture without its users: what a reset needs besides the [`Seeded`] records.
    pub(super) fn without_users(&self) -> Self {
        Self {
            name: self.name.clone(),
            seed: self.seed,
            clients: self.clients.clone(),
            flow: self.flow.clone(),
            users: Vec::new(),
            rate_limits: self.rate_limits.clone(),
            entity_type: self.entity_type.clone(),
            search_timeout_ms: self.search_timeout_ms,
            max_results: self.max_results,
            // The generated people are among the seeded records a reset starts from.
            generated_users: None,
        }
    }

    /// The records the fixture seeds.
    pub(super) fn records(&self) -> Result<Seeded, JanrainSeedError> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut hashes = 0;
        let mut records = Vec::with_capacity(self.users.len());
        // A set, not a scan: a fixture may seed 100,000 records (bench).
        let mut emails = std::collections::HashSet::new();
        let generated = match &self.generated_users {
            Some(g) if g.count > MAX_GENERATED => {
                return Err(JanrainSeedError::Invalid(format!(
                    "generated_users.count {} is above {MAX_GENERATED}",
                    g.count
                )));
            }
            Some(g) => {
                let taken = self.users.iter().map(|u| u.email.to_ascii_lowercase()).collect();
                g.seeds(
                    &mut StdRng::seed_from_u64(self.seed ^ 0x6a72_7065_6f70),
                    &self.entity_type,
                    &taken,
                )
            }
            None => Vec::new(),
        };
        let mut generated_password: Option<Password> = None;
        for (i, seed) in self.users.iter().chain(&generated).enumerate() {
            if !emails.insert(seed.email.to_ascii_lowercase()) {
                return Err(JanrainSeedError::Invalid(format!("two users use {}", seed.email)));
            }
            let attrs = seed_attributes(&self.entity_type, &seed.attributes)
                .map_err(|e| JanrainSeedError::Invalid(format!("user {}: {e}", seed.uuid)))?;
            let created = nano_time(attrs.get("created").and_then(|v| v.as_str()).unwrap_or_default());
            let password = match (&seed.password, &seed.password_hash) {
                (Some(_), Some(_)) => {
                    return Err(JanrainSeedError::Invalid(format!(
                        "user {}: give password or password_hash, not both",
                        seed.uuid
                    )));
                }
                // The generated people share one password, one creation time and so one bcrypt
                // hash shown (`salt_for`): made once, on first read, for all of them.
                (Some(plain), None) if i >= self.users.len() => Some(
                    generated_password
                        .get_or_insert_with(|| {
                            hashes += 1;
                            Password::from_plain(PasswordHash::new(&mut rng, plain), plain, created)
                        })
                        .clone(),
                ),
                (Some(plain), None) => {
                    hashes += 1;
                    Some(Password::from_plain(PasswordHash::new(&mut rng, plain), plain, created))
                }
                (None, Some(hash)) => Some(
                    Password::seeded(hash, created)
                        .map_err(|e| JanrainSeedError::Invalid(format!("user {}: {e}", seed.uuid)))?,
                ),
                (None, None) => None,
            };
            // Each record in its `Arc` at once: collecting a `Vec<Record>` into `Arc`s reuses
            // its buffer, 300 bytes a record kept for an 8-byte pointer.
            records.push(Arc::new(Record {
                id: i as u64 + 1,
                uuid: seed.uuid.clone(),
                email: seed.email.clone(),
                password,
                fixture_password: seed.password.clone(),
                given_name: seed.given_name.clone(),
                family_name: seed.family_name.clone(),
                display_name: seed.display_name.clone(),
                social_provider: seed.social_provider.clone(),
                attrs,
            }));
        }
        self.entity_type.validate().map_err(JanrainSeedError::Invalid)?;
        Ok(Seeded {
            records: records.into(),
            seed: self.seed,
            hashes,
        })
    }

    /// The app's state with `seeded`'s records (shared with it until they change): the state
    /// [`JanrainFixture::records`] was made from seeds.
    pub(super) fn state_with(&self, seeded: &Seeded) -> JanrainState {
        let next_id = seeded.records.len() as u64 + 1;
        JanrainState {
            clients: self.clients.clone(),
            flow: self.flow.clone(),
            records: seeded.records.clone(),
            record_index: Default::default(),
            codes: OneTimeStore::new(CODE_LEN),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            outbox: Outbox::default(),
            rng: seeded.rng(),
            entity_type: self.entity_type.clone(),
            next_id,
            caps: JanrainCaps::new(next_id - 1),
            verification_codes: Default::default(),
            search_timeout: std::time::Duration::from_millis(self.search_timeout_ms),
            find_cap: self.max_results,
            record_weights: HashMap::new(),
            record_bytes_held: 0,
        }
    }
}

/// The records a fixture seeds, and its RNG as seeding them left it: a reset starts from them
/// instead of the fixture's users, so the app keeps its seeded records once, not a second time
/// as fixture users (100,000 records: 75 MB less).
#[derive(Debug)]
pub(super) struct Seeded {
    records: SharedList<Record>,
    /// The fixture's `seed`, and how many password hashes seeding the records drew salts for.
    seed: u64,
    hashes: usize,
}

impl Seeded {
    /// The RNG as seeding the records left it: the same draws again (`StdRng` has no clone).
    fn rng(&self) -> StdRng {
        let mut rng = StdRng::seed_from_u64(self.seed);
        for _ in 0..self.hashes {
            PasswordHash::new(&mut rng, "");
        }
        rng
    }
}
