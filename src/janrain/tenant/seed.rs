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
use super::ratelimit::GROUPS;
use super::records::{Record, seed_attributes};
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
        }
    }

    /// The records the fixture seeds.
    pub(super) fn records(&self) -> Result<Seeded, JanrainSeedError> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut hashes = 0;
        let mut records = Vec::with_capacity(self.users.len());
        // A set, not a scan: a fixture may seed 100,000 records (bench).
        let mut emails = std::collections::HashSet::new();
        for (i, seed) in self.users.iter().enumerate() {
            if !emails.insert(seed.email.to_ascii_lowercase()) {
                return Err(JanrainSeedError::Invalid(format!("two users use {}", seed.email)));
            }
            // Each record in its `Arc` at once: collecting a `Vec<Record>` into `Arc`s reuses
            // its buffer, 300 bytes a record kept for an 8-byte pointer.
            records.push(Arc::new(Record {
                id: i as u64 + 1,
                uuid: seed.uuid.clone(),
                email: seed.email.clone(),
                password: seed.password.as_deref().map(|p| {
                    hashes += 1;
                    PasswordHash::new(&mut rng, p)
                }),
                fixture_password: seed.password.clone(),
                given_name: seed.given_name.clone(),
                family_name: seed.family_name.clone(),
                display_name: seed.display_name.clone(),
                social_provider: seed.social_provider.clone(),
                attrs: seed_attributes(&self.entity_type, &seed.attributes)
                    .map_err(|e| JanrainSeedError::Invalid(format!("user {}: {e}", seed.uuid)))?,
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
