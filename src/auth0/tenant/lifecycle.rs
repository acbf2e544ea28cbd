//! A user's life in the tenant: created (checked against its connection and the password
//! policy), added within the runtime cap (the oldest runtime users go first, with their
//! cascade), and deleted with everything that points at it.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth0::tenant::password_rules;
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::users::{Picture, User};
use crate::auth0::tenant::verification;
use crate::auth0::wire::mgmt_error::{Finding, MgmtError, Violation};
use crate::core::password::PasswordHash;

/// Connection strategies that create users without a password (doc: OAS, passwordless).
const PASSWORDLESS: &[&str] = &["email", "sms"];

/// A user to create, as `POST /api/v2/users` describes it (`CreateUserRequestContent` without
/// `verify_email`, which is the caller's business).
#[derive(Debug, Default)]
pub(crate) struct NewUser {
    pub(crate) connection: String,
    pub(crate) email: Option<String>,
    pub(crate) phone_number: Option<String>,
    pub(crate) user_metadata: Option<Map<String, Value>>,
    pub(crate) app_metadata: Option<Map<String, Value>>,
    pub(crate) blocked: Option<bool>,
    pub(crate) email_verified: Option<bool>,
    pub(crate) phone_verified: Option<bool>,
    pub(crate) given_name: Option<String>,
    pub(crate) family_name: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) nickname: Option<String>,
    pub(crate) picture: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) username: Option<String>,
}

fn missing(property: &str) -> MgmtError {
    MgmtError::PayloadValidation {
        findings: vec![Finding {
            violation: Violation::Required {
                property: property.to_owned(),
            },
            property: None,
        }],
    }
}

/// Creates a user in a database (or passwordless) connection; the checks run in the order
/// connection → required fields → username → existing user → password policy (inf: the
/// provider's order is not documented).
pub(crate) fn create_user(state: &mut TenantState, request: NewUser, now: OffsetDateTime) -> Result<User, MgmtError> {
    let connection = state
        .connection_by_name(&request.connection)
        .ok_or_else(|| MgmtError::InexistentConnection {
            connection: request.connection.clone(),
        })?
        .clone();
    let database = connection.strategy == "auth0";
    if !database && !PASSWORDLESS.contains(&connection.strategy.as_str()) {
        return Err(MgmtError::ConnectionCannotCreateUsers {
            connection: connection.name,
        });
    }
    // obs: a database connection without `email` answers the schema's missing-property error;
    // inf: the same for `password`.
    let email = request
        .email
        .as_deref()
        .map(str::to_lowercase)
        .ok_or_else(|| missing("email"))?;
    if database && request.password.is_none() {
        return Err(missing("password"));
    }
    if let Some(username) = &request.username {
        if !connection.requires_username {
            return Err(MgmtError::UsernameNotAllowed {
                connection: connection.name,
            });
        }
        if state
            .users
            .iter()
            .any(|u| u.connection == connection.name && u.username.as_deref() == Some(username.as_str()))
        {
            return Err(MgmtError::UsernameInUse {
                username: username.clone(),
            });
        }
    }
    let user_id = match &request.user_id {
        // obs: a custom id becomes `auth0|<id>` (REC-tf `TestAccUser`).
        Some(id) => format!("auth0|{id}"),
        None => fresh_user_id(state),
    };
    if state.user_by_email_in(&email, &connection.name).is_some() || state.user(&user_id).is_some() {
        return Err(MgmtError::UserAlreadyExists { email });
    }
    let nickname = request
        .nickname
        .clone()
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let name = request.name.clone().unwrap_or_else(|| email.clone());
    let password = match request.password.clone() {
        Some(password) if database => {
            let owner = password_rules::Owner {
                email: &email,
                name: Some(&name),
                username: request.username.as_deref(),
                nickname: Some(&nickname),
            };
            password_rules::check(
                &connection.password_policy,
                &connection.password_rules,
                &password,
                &owner,
                &[],
            )?;
            Some(password)
        }
        _ => None,
    };
    // `phone_number` and `phone_verified` are accepted and not modelled: users here live in
    // database connections keyed by email.
    let _ = (&request.phone_number, request.phone_verified);
    let who = Identity {
        user_id,
        email,
        connection: connection.name,
        name,
        nickname,
    };
    Ok(admit(state, who, password.as_deref(), request, now))
}

/// Who a user that passed its endpoint's checks is: its id, its email as stored, its connection
/// and its display names (defaults resolved).
pub(crate) struct Identity {
    pub(crate) user_id: String,
    pub(crate) email: String,
    pub(crate) connection: String,
    pub(crate) name: String,
    pub(crate) nickname: String,
}

/// A fresh `auth0|<24 hex>` id no user has.
pub(crate) fn fresh_user_id(state: &mut TenantState) -> String {
    loop {
        let candidate = format!("auth0|{}", random_hex(&mut state.rng, 12));
        if state.user(&candidate).is_none() {
            return candidate;
        }
    }
}

/// [`fresh_user_id`] checked against a set of the tenant's user ids (a bulk import's).
pub(crate) fn fresh_user_id_among(state: &mut TenantState, ids: &std::collections::HashSet<String>) -> String {
    loop {
        let candidate = format!("auth0|{}", random_hex(&mut state.rng, 12));
        if !ids.contains(&candidate) {
            return candidate;
        }
    }
}

/// Makes the user and adds it within the runtime cap: the one place a user comes into the
/// tenant at runtime. `POST /api/v2/users` ([`create_user`]) and `/dbconnections/signup` call it
/// after their own checks, which differ as the two endpoints do.
pub(crate) fn admit(
    state: &mut TenantState,
    who: Identity,
    password: Option<&str>,
    rest: NewUser,
    now: OffsetDateTime,
) -> User {
    let user = User {
        picture: rest.picture.map_or_else(
            || Picture::gravatar(&who.email, who.email.split('@').next().unwrap_or_default(), false),
            Picture::from,
        ),
        password: password.map(|password| PasswordHash::new(&mut state.rng, password)),
        user_id: who.user_id,
        email: who.email,
        email_verified: rest.email_verified.unwrap_or(false),
        connection: who.connection,
        fixture_password: None,
        name: who.name,
        nickname: who.nickname,
        given_name: rest.given_name,
        family_name: rest.family_name,
        username: rest.username,
        blocked: rest.blocked,
        created_at: now,
        updated_at: now,
        last_password_reset: None,
        last_login: None,
        logins_count: 0,
        // facts §1.2: empty metadata stays absent at creation.
        user_metadata: rest.user_metadata.unwrap_or_default(),
        app_metadata: rest.app_metadata.unwrap_or_default(),
        user_metadata_set: false,
        late_keys: Vec::new(),
        password_history: Vec::new(),
    };
    add_runtime_user(state, user.clone());
    user
}

/// Removes a user and everything that points at it. A missing user is not an error (the
/// provider answers 204 either way).
///
/// Every store of the state is named here, so a store added to [`TenantState`] does not compile
/// until this cascade says what it does when a user goes: forget the user, or why not.
pub(crate) fn delete_user(state: &mut TenantState, user_id: &str) -> bool {
    let TenantState {
        users,
        bounds,
        tickets,
        brute_force,
        rbac,
        refresh_tokens,
        logins,
        mfa,
        organizations,
        // Configuration, which names no user.
        login: _,
        era: _,
        default_directory: _,
        default_audience: _,
        settings: _,
        clients: _,
        apis: _,
        management_api: _,
        grants: _,
        connections: _,
        signup_user_exists_error: _,
        search_timeout: _,
        token_quotas: _,
        rng: _,
        // Mail already sent stays sent; a job records only its kind and time.
        outbox: _,
        jobs: _,
        // Jobs name their connection, not the users they made.
        imports: _,
        // Keyed by ticket: a form token whose ticket is forgotten goes first when room is made.
        form_tokens: _,
    } = state;
    let before = users.len();
    users.retain(|u| u.user_id != user_id);
    bounds.runtime_users.retain(|id| id != user_id);
    tickets.forget_subject(user_id);
    tickets.forget_subject(&verification::subject(user_id));
    tickets.forget_subject(&format!("unblock:{user_id}"));
    // Failure counters are per identifier and IP, as the provider counts them; a new user with
    // the same email inherits none of the blocks, which name the user.
    brute_force.blocks.retain(|b| b.user_id != user_id);
    rbac.members.retain(|(u, _)| u != user_id);
    rbac.user_permissions.retain(|(u, ..)| u != user_id);
    organizations.forget_user(user_id);
    refresh_tokens.retain(|_, grant| grant.user_id != user_id);
    // Browser sessions, codes and refresh families stay: redeeming them answers the provider's
    // own error for a user who is gone (`OAuthError::RefreshUserGone`, obs).
    logins.opaque_tokens.forget_user(user_id);
    mfa.forget_user(user_id);
    users.len() != before
}

fn random_hex(rng: &mut impl rand::Rng, bytes: usize) -> String {
    use rand::RngExt as _;
    (0..bytes).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}

/// Adds a user created at runtime; when the runtime users are at their cap, the oldest of them
/// are deleted first, with everything that points at them (as `DELETE /api/v2/users/{id}` does).
pub(crate) fn add_runtime_user(state: &mut TenantState, user: User) {
    // One at a time: deleting a user scans the stores that point at it.
    while state.bounds.runtime_users.len() >= state.bounds.users.capacity() {
        let Some(id) = state.bounds.runtime_users.pop_front() else {
            break;
        };
        delete_user(state, &id);
        state.bounds.users.count(1);
    }
    state.bounds.runtime_users.push_back(user.user_id.clone());
    state.users.push(user);
}

/// Past the cap of runtime connections, deletes the oldest with its users before a new one is made.
pub(crate) fn make_room_for_connection(state: &mut TenantState) {
    let runtime = state.connections.iter().filter(|c| !c.seeded).count();
    if runtime >= state.bounds.connections.capacity()
        && let Some(oldest) = state.connections.iter().find(|c| !c.seeded).map(|c| c.id.clone())
    {
        delete_connection(state, &oldest);
        state.bounds.connections.count(1);
    }
}

/// Deletes a connection and its users (as the provider does: a connection's users live in it;
/// doc: the Management API explorer's "Delete a connection": "Deletes a connection and all its
/// users"). `false` when no connection has that id.
pub(crate) fn delete_connection(state: &mut TenantState, id: &str) -> bool {
    let Some(index) = state.connections.iter().position(|c| c.id == id) else {
        return false;
    };
    let connection = state.connections.remove(index);
    state.organizations.forget_connection(&connection.id);
    state.imports.forget_connection(&connection.id);
    let users: Vec<String> = state
        .users
        .iter()
        .filter(|u| u.connection == connection.name)
        .map(|u| u.user_id.clone())
        .collect();
    for user_id in users {
        delete_user(state, &user_id);
    }
    if state.default_directory.as_deref() == Some(connection.name.as_str()) {
        // inf: the tenant's Default Directory setting no longer names a connection.
        state.default_directory = None;
    }
    true
}
