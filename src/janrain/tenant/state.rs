//! The caps of a Capture app's stores that grow with traffic (records created at runtime, access
//! and refresh tokens), and the calls that keep each within its cap (see `core::bounded` for the
//! eviction order). Codes carry their own cap (`core::onetime`), mail its own (`core::outbox`).
//! Every cap is listed in `docs/control-api.md`.
//! Depends on `core::bounded` and the app state.

use super::app::{JanrainState, Record};
use crate::core::bounded::Cap;

/// Records created at runtime (`entity.create`); the fixture's records never count or go.
pub const RUNTIME_RECORDS: usize = 100_000;
/// Access tokens, and refresh tokens, each (expired ones go first, then the oldest).
pub const TOKENS: usize = 10_000;

/// The caps of a Capture app's growing stores.
#[derive(Debug, Clone)]
pub struct JanrainCaps {
    pub records: Cap,
    /// Records with an id up to this one come from the fixture.
    pub seeded_records: u64,
    pub access_tokens: Cap,
    pub refresh_tokens: Cap,
}

impl JanrainCaps {
    pub fn new(seeded_records: u64) -> Self {
        Self {
            records: Cap::new(RUNTIME_RECORDS),
            seeded_records,
            access_tokens: Cap::new(TOKENS),
            refresh_tokens: Cap::new(TOKENS),
        }
    }

    /// Records created at runtime and still held.
    pub fn runtime_records(&self, state_records: &[Record]) -> usize {
        state_records.iter().filter(|r| r.id > self.seeded_records).count()
    }
}

/// Adds a record created at runtime; when the runtime records are at their cap, the oldest of
/// them go first, with their tokens (as `entity.delete` does).
pub fn add_runtime_record(state: &mut JanrainState, record: Record) {
    let seeded = state.caps.seeded_records;
    let runtime = state.caps.runtime_records(&state.records);
    let cap = state.caps.records.capacity();
    if runtime >= cap {
        // Records are kept in creation order, so the oldest runtime ones come first.
        let mut excess = (runtime + 1 - cap).max(cap / 10);
        let mut gone = Vec::new();
        state.records.retain(|r| {
            if excess > 0 && r.id > seeded {
                excess -= 1;
                gone.push(r.uuid.clone());
                false
            } else {
                true
            }
        });
        state.caps.records.count(gone.len());
        state.access_tokens.retain(|_, g| !gone.contains(&g.uuid));
        state.refresh_tokens.retain(|_, g| !gone.contains(&g.uuid));
    }
    state.records.push(record);
}

/// Room for one more access token and one more refresh token.
pub fn room_for_tokens(state: &mut JanrainState, now: i64) {
    state
        .caps
        .access_tokens
        .make_room(&mut state.access_tokens, |_, g| now >= g.expires_at, |g| g.expires_at);
    state
        .caps
        .refresh_tokens
        .make_room(&mut state.refresh_tokens, |_, _| false, |g| g.expires_at);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::janrain::app::{JanrainFixture, TokenGrant};

    #[test]
    fn runtime_records_past_the_cap_evict_the_oldest_runtime_record_and_its_tokens_only() {
        let mut state = JanrainFixture::default_app().state().expect("the default app seeds");
        state.caps.records = Cap::new(2);
        let seeded: Vec<String> = state.records.iter().map(|r| r.uuid.clone()).collect();
        assert!(!seeded.is_empty());
        for n in 0..3 {
            let mut record = state.records[0].clone();
            record.id = state.next_id;
            state.next_id += 1;
            record.uuid = format!("runtime-{n}");
            record.email = format!("runtime{n}@example.com");
            if n == 0 {
                let (access, _) = state.issue_tokens("runtime-0", "c", 0);
                assert!(state.access_tokens.contains_key(&access));
            }
            add_runtime_record(&mut state, record);
        }
        let uuids: Vec<&str> = state.records.iter().map(|r| r.uuid.as_str()).collect();
        assert!(!uuids.contains(&"runtime-0"));
        for uuid in seeded.iter().map(String::as_str).chain(["runtime-1", "runtime-2"]) {
            assert!(uuids.contains(&uuid), "{uuid} stays");
        }
        assert!(state.access_tokens.values().all(|g| g.uuid != "runtime-0"));
        assert_eq!(state.caps.records.evicted(), 1);
        assert_eq!(state.caps.runtime_records(&state.records), 2);
    }

    #[test]
    fn tokens_past_the_cap_drop_the_expired_first() {
        let mut state = JanrainFixture::default_app().state().expect("the default app seeds");
        state.caps.access_tokens = Cap::new(10);
        state.access_tokens.insert(
            "expired".into(),
            TokenGrant {
                uuid: "u".into(),
                client_id: "c".into(),
                expires_at: -1,
                refresh_secret: None,
            },
        );
        let mut live = Vec::new();
        for _ in 0..9 {
            live.push(state.issue_tokens("u", "c", 0).0);
        }
        state.issue_tokens("u", "c", 0);
        assert!(!state.access_tokens.contains_key("expired"));
        assert!(live.iter().all(|t| state.access_tokens.contains_key(t)));
        assert_eq!(state.caps.access_tokens.evicted(), 1);
        assert_eq!(state.access_tokens.len(), 10);
    }
}
