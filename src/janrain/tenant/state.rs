//! The mutable part of a Capture app ([`JanrainState`]), the caps of its stores that grow with
//! traffic (records created at runtime, access and refresh tokens), and the operations that
//! keep each store within its cap and its references whole (see `core::bounded` for the
//! eviction order). Codes carry their own cap (`core::onetime`, `codes`), mail its own
//! (`core::outbox`). Every cap is listed in `docs/control-api.md`.

use std::collections::HashMap;

use rand::rngs::StdRng;

use super::clients::CaptureClient;
use super::codes::{ACCESS_TOKEN_LIFETIME, CodeGrant, TokenGrant, VerificationCodes, random_token};
use super::flow::Flow;
use super::record_index::IndexCache;
use super::records::Record;
use super::schema::EntityType;
use crate::core::bounded::Cap;
use crate::core::onetime::OneTimeStore;
use crate::core::outbox::Outbox;
use crate::core::shared_list::SharedList;
use crate::janrain::wire::error::JanrainError;

/// Records created at runtime (`entity.create`); the fixture's records never count or go.
pub const RUNTIME_RECORDS: usize = 100_000;
/// What the records created at runtime may weigh together, in bytes (each record: its
/// attributes as JSON, its fields, and [`RECORD_OVERHEAD`]); past it the oldest go first, as past
/// [`RUNTIME_RECORDS`]. inf: Capture documents no such limit; authmock's own bound, so that a
/// client writing large attribute values cannot grow the app without end.
pub const RUNTIME_RECORD_BYTES: usize = 128 * 1024 * 1024;
/// What a record weighs besides its texts (ids, hashes, the map's own keeping).
pub const RECORD_OVERHEAD: usize = 256;
/// Access tokens, and refresh tokens, each (expired ones go first, then the oldest).
pub const TOKENS: usize = 10_000;

/// The caps of a Capture app's growing stores.
#[derive(Debug, Clone)]
pub struct JanrainCaps {
    pub records: Cap,
    /// The runtime records' byte budget ([`RUNTIME_RECORD_BYTES`]).
    pub record_bytes: usize,
    /// Records with an id up to this one come from the fixture.
    pub seeded_records: u64,
    pub access_tokens: Cap,
    pub refresh_tokens: Cap,
}

impl JanrainCaps {
    pub fn new(seeded_records: u64) -> Self {
        Self {
            records: Cap::new(RUNTIME_RECORDS),
            record_bytes: RUNTIME_RECORD_BYTES,
            seeded_records,
            access_tokens: Cap::new(TOKENS),
            refresh_tokens: Cap::new(TOKENS),
        }
    }

    /// Records created at runtime and still held.
    pub fn runtime_records(&self, state_records: &SharedList<Record>) -> usize {
        state_records.iter().filter(|r| r.id > self.seeded_records).count()
    }
}

/// The mutable part of a Capture app.
#[derive(Debug)]
pub struct JanrainState {
    pub clients: Vec<CaptureClient>,
    pub flow: Flow,
    /// Snapshot-cheap: `entity.find` and `entity.count` scan a clone outside the app lock.
    pub records: SharedList<Record>,
    /// The indexes of `records` that `entity.find` and `entity.count` use, built on demand.
    pub record_index: IndexCache,
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
    pub caps: JanrainCaps,
    /// Email verification codes, by code.
    pub verification_codes: VerificationCodes,
    /// How long one `entity.find` / `entity.count` may run (fixture `search_timeout_ms`).
    pub search_timeout: std::time::Duration,
    /// The most records one `entity.find` page holds, and what a larger `max_results` gets
    /// (fixture `max_results`).
    pub find_cap: FindCap,
    /// What each runtime record weighs, by id ([`RUNTIME_RECORD_BYTES`]), and their sum.
    pub record_weights: HashMap<u64, usize>,
    pub record_bytes_held: usize,
}

/// What `record` weighs against [`RUNTIME_RECORD_BYTES`].
fn weight(record: &Record) -> usize {
    let fields = [
        &record.uuid,
        &record.email,
        &record.given_name,
        &record.family_name,
        &record.display_name,
    ];
    let attributes = serde_json::to_vec(&record.attrs).map_or(0, |json| json.len());
    RECORD_OVERHEAD + fields.iter().map(|f| f.len()).sum::<usize>() + attributes
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
        self.records.find_mut(|r| r.uuid == uuid)
    }

    pub fn record(&self, uuid: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.uuid == uuid)
    }

    /// `len` lowercase alphanumerics, the shape of the documented tokens and request ids.
    pub fn random_token(&mut self, len: usize) -> String {
        random_token(&mut self.rng, len)
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
        self.room_for_tokens(now);
        self.access_tokens.insert(access.clone(), grant.clone());
        self.refresh_tokens.insert(refresh.clone(), grant);
        (access, refresh)
    }

    /// The live access token `token`: the uuid and client it was issued to.
    pub(in crate::janrain) fn signed_in(&self, token: &str, now: i64) -> Result<(String, String), JanrainError> {
        let grant = self.access_tokens.get(token).ok_or(JanrainError::UnknownAccessToken)?;
        if now >= grant.expires_at {
            return Err(JanrainError::AccessTokenExpired {
                secs_ago: now - grant.expires_at,
            });
        }
        Ok((grant.uuid.clone(), grant.client_id.clone()))
    }

    /// Takes a refresh token of `client_id` (they are single use): the grant it held.
    pub(in crate::janrain) fn take_refresh_token(
        &mut self,
        refresh: &str,
        client_id: &str,
    ) -> Result<TokenGrant, JanrainError> {
        let grant = match self.refresh_tokens.get(refresh) {
            Some(grant) if grant.client_id == client_id => grant.clone(),
            Some(grant) => {
                return Err(JanrainError::InvalidRefreshToken {
                    hint: format!("the refresh token belongs to client {}", grant.client_id),
                });
            }
            None => {
                return Err(JanrainError::InvalidRefreshToken {
                    hint: "unknown or already used refresh token (they are single use)".into(),
                });
            }
        };
        self.refresh_tokens.remove(refresh);
        Ok(grant)
    }

    /// A record about to be created: the next id and a random version-4 uuid from the app's
    /// seeded RNG, every other field empty. [`Self::add_created_record`] stores it.
    pub(in crate::janrain) fn new_record(&mut self) -> Record {
        Record {
            id: self.next_id,
            uuid: self.new_uuid(),
            email: String::new(),
            password: None,
            fixture_password: None,
            given_name: String::new(),
            family_name: String::new(),
            display_name: String::new(),
            social_provider: None,
            attrs: serde_json::Map::new(),
        }
    }

    /// A random version-4 uuid from the app's seeded RNG.
    fn new_uuid(&mut self) -> String {
        const HEX: &[u8] = b"0123456789abcdef";
        let hex = self.random_token(32);
        let mut digits: Vec<u8> = hex.bytes().map(|c| HEX[usize::from(c) % 16]).collect();
        digits[12] = b'4';
        digits[16] = HEX[8 + usize::from(digits[16]) % 4];
        let s = String::from_utf8(digits).unwrap_or_default();
        format!(
            "{}-{}-{}-{}-{}",
            &s[0..8],
            &s[8..12],
            &s[12..16],
            &s[16..20],
            &s[20..32]
        )
    }

    /// Stores a record made by [`Self::new_record`]: its id is taken, and it is held within the
    /// runtime records' cap.
    pub(in crate::janrain) fn add_created_record(&mut self, record: Record) {
        self.next_id += 1;
        self.add_runtime_record(record);
    }

    /// Adds a record created at runtime; when the runtime records are at their cap in number or
    /// in bytes, the oldest of them go first, with their tokens (as `entity.delete` does).
    pub(in crate::janrain) fn add_runtime_record(&mut self, record: Record) {
        let runtime = self.caps.runtime_records(&self.records);
        let cap = self.caps.records.capacity();
        if runtime >= cap {
            let mut excess = (runtime + 1 - cap).max(cap / 10);
            self.evict_oldest_runtime(None, |_, _| {
                let go = excess > 0;
                excess = excess.saturating_sub(1);
                go
            });
        }
        let uuid = record.uuid.clone();
        self.records.push(record);
        self.reweigh(&uuid);
    }

    /// Weighs runtime record `uuid` again after a write; when the runtime records then weigh more
    /// than their budget, the oldest others go first.
    pub(in crate::janrain) fn reweigh(&mut self, uuid: &str) {
        let Some(record) = self.record(uuid).filter(|r| r.id > self.caps.seeded_records) else {
            return;
        };
        let keep = record.id;
        let now = weight(record);
        let before = self.record_weights.insert(keep, now).unwrap_or(0);
        self.record_bytes_held = self.record_bytes_held - before + now;
        let budget = self.caps.record_bytes;
        if self.record_bytes_held > budget {
            let mut total = self.record_bytes_held;
            self.evict_oldest_runtime(Some(keep), |r, weights| {
                let go = total > budget;
                total -= weights.get(&r.id).copied().unwrap_or(0);
                go
            });
        }
    }

    /// Drops runtime records but `keep`, oldest first (records are kept in creation order), as
    /// long as `go` (given the record and the weights) says the next one goes, with their tokens
    /// and weights, counted as evictions.
    fn evict_oldest_runtime(&mut self, keep: Option<u64>, mut go: impl FnMut(&Record, &HashMap<u64, usize>) -> bool) {
        let seeded = self.caps.seeded_records;
        let mut going = true;
        let mut gone = Vec::new();
        let weights = &self.record_weights;
        self.records.retain(|r| {
            if !going || r.id <= seeded || Some(r.id) == keep {
                return true;
            }
            going = go(r, weights);
            if going {
                gone.push((r.id, r.uuid.clone()));
            }
            !going
        });
        self.caps.records.count(gone.len());
        for (id, _) in &gone {
            self.record_bytes_held -= self.record_weights.remove(id).unwrap_or(0);
        }
        let gone: Vec<String> = gone.into_iter().map(|(_, uuid)| uuid).collect();
        self.access_tokens.retain(|_, g| !gone.contains(&g.uuid));
        self.refresh_tokens.retain(|_, g| !gone.contains(&g.uuid));
    }

    /// Removes the record at `index` and every token issued for it.
    pub(in crate::janrain) fn remove_record(&mut self, index: usize) -> Record {
        let record = self.records.remove(index);
        self.record_bytes_held -= self.record_weights.remove(&record.id).unwrap_or(0);
        self.access_tokens.retain(|_, g| g.uuid != record.uuid);
        self.refresh_tokens.retain(|_, g| g.uuid != record.uuid);
        record
    }

    /// Room for one more access token and one more refresh token.
    fn room_for_tokens(&mut self, now: i64) {
        self.caps
            .access_tokens
            .make_room(&mut self.access_tokens, |_, g| now >= g.expires_at, |g| g.expires_at);
        self.caps
            .refresh_tokens
            .make_room(&mut self.refresh_tokens, |_, _| false, |g| g.expires_at);
    }
}

/// `entity.find`'s page cap and its behaviour above it. The sources disagree (facts
/// `migration.md` §1.1 and §7 q1: 1000, 10000, ForgeRock sends 50000) and a silent clamp
/// truncates exports that stop at the first short page, so both are configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindCap {
    /// The most records a page holds; also the page size when `max_results` is absent.
    pub cap: usize,
    /// What `max_results` above the cap gets.
    #[serde(default)]
    pub over_cap: OverCap,
}

impl Default for FindCap {
    fn default() -> Self {
        Self {
            cap: 10_000,
            over_cap: OverCap::Clamp,
        }
    }
}

/// What `entity.find` does with a `max_results` above the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverCap {
    /// A page of `cap` records, no error (a short page to a client that asked for more).
    #[default]
    Clamp,
    /// `invalid_argument` on `max_results` (inf: the wording of Capture's refusal is NOT FOUND).
    Error,
}
