//! The caps of an Auth0 tenant's stores that grow with traffic (each store keeps its own: see
//! `core::bounded` for the eviction order). The login stores (transactions,
//! sessions, codes, refresh-token families) keep their caps in `logins.rs`; one-time secrets in
//! `core::onetime`; mail in `core::outbox`. Every cap is listed in `docs/control-api.md`.
//! Depends on `core::bounded` only.

use std::collections::VecDeque;

use crate::core::bounded::Cap;

/// Users created at runtime (`POST /api/v2/users`, signup); fixture users never count or go.
pub const RUNTIME_USERS: usize = 100_000;
/// Refresh tokens of the password grant.
pub const GRANT_REFRESH_TOKENS: usize = 10_000;
/// CSRF tokens of opened hosted reset forms.
pub const FORM_TOKENS: usize = 10_000;
/// Management API jobs.
pub const JOBS: usize = 10_000;
/// Brute-force failure counters, one per (identifier, IP).
pub const FAILURE_COUNTERS: usize = 10_000;
/// Brute-force blocks.
pub const BLOCKS: usize = 10_000;
/// Roles (all created at runtime).
pub const ROLES: usize = 10_000;
/// Role memberships, and direct user permissions, each.
pub const ASSIGNMENTS: usize = 100_000;
/// Applications created at runtime (`POST /api/v2/clients`); seeded ones never count or go.
pub const RUNTIME_CLIENTS: usize = 1_000;
/// APIs created at runtime (`POST /api/v2/resource-servers`); seeded ones never count or go.
pub const RUNTIME_APIS: usize = 1_000;
/// Connections created at runtime (`POST /api/v2/connections`); seeded ones never count or go.
pub const RUNTIME_CONNECTIONS: usize = 1_000;
/// Client grants created at runtime (`POST /api/v2/client-grants`).
pub const RUNTIME_GRANTS: usize = 10_000;
/// Organizations (all created at runtime); one evicted takes its invitations along.
pub const ORGANIZATIONS: usize = 1_000;
/// Members of one organization.
pub const MEMBERS_PER_ORGANIZATION: usize = 10_000;
/// Role assignments in one organization.
pub const MEMBER_ROLES_PER_ORGANIZATION: usize = 20_000;
/// Organization invitations (the expired ones go first).
pub const INVITATIONS: usize = 10_000;

/// The caps of the stores whose seeded entries never count or go (users, applications, APIs,
/// grants), so that are not bounded stores themselves; the others are (`core::bounded`).
#[derive(Debug, Clone)]
pub struct Bounds {
    pub users: Cap,
    /// Ids of the users created at runtime, oldest first.
    pub runtime_users: VecDeque<String>,
    pub clients: Cap,
    pub apis: Cap,
    pub grants: Cap,
    pub connections: Cap,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            users: Cap::new(RUNTIME_USERS),
            runtime_users: VecDeque::new(),
            clients: Cap::new(RUNTIME_CLIENTS),
            apis: Cap::new(RUNTIME_APIS),
            grants: Cap::new(RUNTIME_GRANTS),
            connections: Cap::new(RUNTIME_CONNECTIONS),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::auth0::tenant::lifecycle::add_runtime_user;
    use crate::auth0::tenant::model::RoleKind;
    use crate::auth0::tenant::rbac::add_role;
    use crate::auth0::tenant::seed::Fixture;
    use crate::auth0::tenant::state::TenantState;
    use crate::auth0::tenant::summary::StoresSummary;
    use crate::core::clock::Clock;

    fn state() -> TenantState {
        Fixture::default_auth0()
            .state(&Clock::manual(datetime!(2026-01-01 00:00 UTC)))
            .expect("the default fixture seeds")
    }

    fn runtime_user(state: &TenantState, n: usize) -> crate::auth0::tenant::users::User {
        let mut user = state.users[0].clone();
        user.user_id = format!("auth0|runtime{n}");
        user.email = format!("runtime{n}@example.com");
        user
    }

    #[test]
    fn runtime_users_past_the_cap_evict_the_oldest_runtime_user_only() {
        let mut state = state();
        state.bounds.users = Cap::new(3);
        let seeded: Vec<String> = state.users.iter().map(|u| u.user_id.clone()).collect();
        for n in 0..3 {
            let user = runtime_user(&state, n);
            add_runtime_user(&mut state, user);
        }
        state.rbac.members.push(("auth0|runtime0".into(), "rol_x".into()));
        state.rbac.members.push(("auth0|runtime1".into(), "rol_x".into()));
        let user = runtime_user(&state, 3);
        add_runtime_user(&mut state, user);
        let ids: Vec<&str> = state.users.iter().map(|u| u.user_id.as_str()).collect();
        assert!(!ids.contains(&"auth0|runtime0"), "the oldest runtime user went");
        for id in seeded
            .iter()
            .map(String::as_str)
            .chain(["auth0|runtime1", "auth0|runtime2", "auth0|runtime3"])
        {
            assert!(ids.contains(&id), "{id} stays");
        }
        assert_eq!(
            &state.rbac.members[..],
            &[("auth0|runtime1".to_owned(), "rol_x".to_owned())]
        );
        assert_eq!(state.bounds.users.evicted(), 1);
        assert_eq!(state.bounds.runtime_users.len(), 3);
    }

    #[test]
    fn a_deleted_runtime_user_frees_its_place() {
        let mut state = state();
        state.bounds.users = Cap::new(2);
        for n in 0..2 {
            let user = runtime_user(&state, n);
            add_runtime_user(&mut state, user);
        }
        assert!(crate::auth0::tenant::lifecycle::delete_user(
            &mut state,
            "auth0|runtime0"
        ));
        let user = runtime_user(&state, 2);
        add_runtime_user(&mut state, user);
        assert!(state.user("auth0|runtime1").is_some());
        assert_eq!(state.bounds.users.evicted(), 0);
    }

    #[test]
    fn jobs_blocks_counters_and_roles_stay_within_their_caps_and_count_evictions() {
        let mut state = state();
        state.jobs.set_capacity(10);
        state.brute_force.failures.set_capacity(10);
        state.rbac.roles.set_capacity(10);
        let created_at = state.users[0].created_at;
        for i in 0..25 {
            state.jobs.push(crate::auth0::tenant::model::Job {
                id: format!("job_{i}"),
                kind: "verification_email".into(),
                created_at,
            });
            let key = (format!("id{i}"), "ip".to_owned());
            state
                .brute_force
                .failures
                .insert(key, i, |_, _| false, |n| i64::from(*n));
            let role = add_role(&mut state, format!("r{i}"), None, RoleKind::Tenant).expect("a new name");
            let id = role["id"].as_str().expect("an id").to_owned();
            state.rbac.members.push(("u".into(), id));
        }
        assert_eq!(state.jobs.len(), 10);
        assert_eq!(state.jobs[9].id, "job_24", "the newest job stays");
        assert_eq!(state.brute_force.failures.len(), 10);
        assert!(
            state.brute_force.failures.contains_key(&("id24".into(), "ip".into())),
            "the counter with the most failures stays"
        );
        assert_eq!(state.rbac.roles.len(), 10);
        // Members of evicted roles went with them; the others stayed.
        assert!(
            state
                .rbac
                .members
                .iter()
                .all(|(_, role)| state.rbac.roles.iter().any(|r| r.id == *role))
        );
        let newest = &state.rbac.roles[9].id;
        assert!(state.rbac.members.iter().any(|(_, role)| role == newest));
        let summary = StoresSummary::of(&state);
        assert_eq!(
            (summary.jobs.len, summary.jobs.capacity, summary.jobs.evicted),
            (10, 10, 15)
        );
        assert_eq!(summary.brute_force_counters.evicted, 15);
        assert_eq!(summary.roles.evicted, 15);
        assert_eq!(summary.runtime_users.evicted, 0);
        assert_eq!(summary.tickets.evicted, 0);
    }
}
