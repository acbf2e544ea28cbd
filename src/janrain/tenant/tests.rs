//! The caps of a seeded app's growing stores.

use super::codes::TokenGrant;
use super::seed::JanrainFixture;
use crate::core::bounded::Cap;

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
        state.add_runtime_record(record);
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

/// Records written large past the byte budget evict the oldest runtime records but the one
/// written, with their tokens; the fixture's records never go.
#[test]
fn runtime_records_past_the_byte_budget_evict_the_oldest_others() {
    let mut state = JanrainFixture::default_app().state().expect("the default app seeds");
    state.caps.record_bytes = 3 * 1024;
    let seeded = state.records.len();
    for n in 0..3 {
        let mut record = state.new_record();
        record.uuid = format!("runtime-{n}");
        record.email = format!("runtime{n}@example.com");
        state.add_created_record(record);
    }
    state.issue_tokens("runtime-0", "c", 0);
    assert_eq!(state.records.len(), seeded + 3, "three small records fit");
    let index = state
        .records
        .iter()
        .position(|r| r.uuid == "runtime-2")
        .expect("runtime-2");
    let big: serde_json::Map<String, serde_json::Value> =
        [("gender".to_owned(), serde_json::Value::from("x".repeat(2_500)))]
            .into_iter()
            .collect();
    super::entities::write(
        &mut state,
        index,
        &big,
        super::entities::Write::Update,
        None,
        time::OffsetDateTime::UNIX_EPOCH,
    )
    .expect("a string attribute of the default schema");
    let uuids: Vec<&str> = state.records.iter().map(|r| r.uuid.as_str()).collect();
    assert!(
        !uuids.contains(&"runtime-0") && !uuids.contains(&"runtime-1"),
        "{uuids:?}"
    );
    assert!(uuids.contains(&"runtime-2"), "the record written stays");
    assert_eq!(state.records.len(), seeded + 1);
    assert_eq!(state.caps.records.evicted(), 2);
    assert!(state.access_tokens.values().all(|g| g.uuid != "runtime-0"));
    let held: usize = state.record_weights.values().sum();
    assert_eq!(held, state.record_bytes_held);
    assert!(held <= 3 * 1024, "{:?}", state.record_weights);
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

/// `generated_users`: the fixture's people after its own users, with unique lower-case emails,
/// every n-th social-only (no password) or unverified, the same people for the same seed, one
/// bcrypt hash shared by all (made once), and a count above the cap refused.
#[test]
fn a_generated_population_follows_its_ratios_and_its_seed() {
    let fixture = |count: usize| {
        let mut value: serde_json::Value =
            serde_json::from_str(include_str!("../../../fixtures/janrain-app.json")).expect("the embedded fixture");
        value["generated_users"] = serde_json::json!({
            "count": count, "password": "Rehearsal-2027!", "social_only_every": 10, "unverified_every": 4,
        });
        JanrainFixture::from_value(value)
    };
    let seeded = JanrainFixture::default_app().state().expect("seeds").records.len();
    let state = fixture(1_000)
        .expect("a generated population seeds")
        .state()
        .expect("seeds");
    let generated: Vec<_> = state.records.iter().skip(seeded).collect();
    assert_eq!(generated.len(), 1_000);
    let emails: std::collections::HashSet<_> = state.records.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(emails.len(), state.records.len(), "unique emails");
    assert!(generated.iter().all(|r| r.email == r.email.to_lowercase()));
    assert_eq!(
        generated.iter().filter(|r| r.password.is_none()).count(),
        100,
        "every 10th social-only"
    );
    assert!(
        generated
            .iter()
            .filter(|r| r.password.is_none())
            .all(|r| r.social_provider.as_deref() == Some("google"))
    );
    let unverified = generated
        .iter()
        .filter(|r| r.attrs.get("emailVerified") == Some(&serde_json::Value::Null));
    assert_eq!(unverified.count(), 250, "every 4th unverified");
    assert!(
        generated
            .iter()
            .filter(|r| r.password.is_some())
            .all(|r| r.password_matches("Rehearsal-2027!"))
    );

    let again = fixture(1_000).expect("seeds").state().expect("seeds");
    let first: Vec<_> = state.records.iter().map(|r| (&r.uuid, &r.email)).collect();
    let second: Vec<_> = again.records.iter().map(|r| (&r.uuid, &r.email)).collect();
    assert_eq!(first, second, "the same seed, the same people");

    let with_password: Vec<_> = generated.iter().filter_map(|r| r.password.as_ref()).collect();
    assert_eq!(
        with_password[0].value(),
        with_password[899].value(),
        "one shared bcrypt hash"
    );
    assert!(with_password[0].value().starts_with("$2b$10$"));

    assert!(fixture(super::seed::MAX_GENERATED + 1).is_err(), "above the cap");
}

/// A reset starts from the records the app was built with (not from the fixture's users): it
/// must give what building the app again gives, records and the draws of the RNG alike.
#[test]
fn a_reset_app_is_the_app_as_built() {
    let fixture = JanrainFixture::default_app();
    assert!(
        fixture.users.iter().any(|u| u.password.is_some()),
        "seeding draws salts"
    );
    let clock = crate::core::clock::Clock::manual(time::macros::datetime!(2026-01-01 00:00 UTC));
    let address = crate::core::address::TenantAddress::http("127.0.0.1:4011".parse().expect("literal address"));
    let app = fixture.build(address, clock).expect("the default app builds");
    let mut built = fixture.state().expect("the default app seeds");
    {
        let mut state = app.state();
        let record = state.new_record();
        state.add_created_record(record);
        let uuid = state.records[0].uuid.clone();
        state.record_mut(&uuid).expect("seeded").email = "changed@example.com".into();
        state.random_token(40);
    }
    app.reset().expect("resets");
    let mut state = app.state();
    let view = |s: &super::state::JanrainState| -> Vec<String> {
        s.records
            .iter()
            .map(|r| format!("{} {} {} {:?}", r.id, r.uuid, r.email, r.attrs))
            .collect()
    };
    assert_eq!(view(&state), view(&built));
    assert_eq!(state.next_id, built.next_id);
    let (a, b) = (&state.records[0], &built.records[0]);
    let password = fixture.users[0]
        .password
        .as_deref()
        .expect("the first user has a password");
    assert!(a.password_matches(password) && b.password_matches(password));
    assert_eq!(a.password, b.password, "the same salt");
    assert_eq!(state.random_token(40), built.random_token(40), "the RNG drew the same");
}
