//! Custom database connections: lazy (automatic) migration through the customer's own `login`
//! script (facts `migration.md` §3).
//!
//! A database connection with `options.enabledDatabaseCustomization` and `options.import_mode`
//! on and a `customScripts.login` source migrates its users one login at a time: a password
//! login (Universal Login, the password and password-realm grants) for an email the connection
//! has no user for first runs the script ([`migrate_on_login`]); a profile it calls back with
//! becomes the user `auth0|<user_id>` with the lower-cased email and the typed password hashed
//! the project's way, and from then on the tenant's own store answers, so the script is never
//! called again for that user (doc: DOC-cdb, DOC-auto). Without `import_mode` the connection is a
//! legacy store ("Use my own database"): the script answers every login and the store keeps no
//! password of its own. The login then goes on through the shared
//! `brute_force::verify_password` as any other. The script runs in Node.js through
//! `core::node` with the host program `custom_db_host.js`; only when the operator opted in.

use serde_json::{Map, Value};

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::janrain_login::Delegate;
use crate::auth0::tenant::lifecycle::{self, Identity, NewUser};
use crate::core::node::Unavailable;
use crate::core::password::PasswordHash;

/// The host program a script runs in (embedded; `node -e`).
const HOST: &str = include_str!("custom_db_host.js");

/// Whether a connection's options make logins run customer JavaScript: customization on and a
/// `login` script given.
pub fn runs_scripts(options: &Map<String, Value>) -> bool {
    options.get("enabledDatabaseCustomization") == Some(&Value::Bool(true)) && login_script(options).is_some()
}

fn login_script(options: &Map<String, Value>) -> Option<&str> {
    options
        .get("customScripts")
        .and_then(|s| s.get("login"))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// Whether scripts can run on this tenant: opted in, `node` found.
pub fn scripts_available(tenant: &Tenant) -> Result<(), Unavailable> {
    tenant.control().scripts().available()
}

/// Why a login script's answer ends the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptRefusal {
    /// `callback(new UnauthorizedError(message))`: the message is for the user (doc: DOC-cdb,
    /// SUP-ulerr).
    Unauthorized(String),
    /// Anything else that went wrong: an `Error` (the store is unreachable), a throw, the time
    /// or memory cap, a profile without `user_id`. The text is the diagnosis, for the journal's
    /// hint and the log, never for the user.
    Failed(String),
}

/// What a login did before the store is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LazyLogin {
    /// No script ran: not a migrating connection, or the user is in the store already.
    NotRun,
    /// The script answered no user (`WrongUsernameOrPasswordError` or `callback(null)`), with its
    /// message: the store's wrong-credentials answer follows.
    NoUser(String),
    /// The script answered a profile and the user was created with this id.
    Migrated(String),
}

/// Which of a connection's scripts runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `login(email, password, callback)`.
    Login,
    /// `getUser(email, callback)` (template name `getByEmail`).
    GetUser,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::GetUser => "get_user",
        }
    }
}

/// A connection's script to run, its `configuration`, and whether the connection is a legacy
/// store (`import_mode` off: the script answers every login, nothing is migrated).
struct ToRun {
    script: String,
    configuration: Value,
    legacy: bool,
}

/// The source and `configuration` of `connection`'s `kind` script, when it is a migrating custom
/// database (`import_mode` on) that has no migrated user `email`, or, for `login`, a custom
/// database without `import_mode` (doc, DOC-cdb / OAS: "Use my own database", credentials always
/// validated against the legacy store), whatever the store holds. A user created by a password
/// reset before any login (no password yet: [`migrate_on_reset`]) is not migrated yet: its login
/// still runs the script.
fn migrating_script(tenant: &Tenant, connection: &str, email: &str, kind: Kind) -> Option<ToRun> {
    let state = tenant.state();
    let found = state.connection_by_name(connection)?;
    let empty = Map::new();
    let options = found
        .settings
        .get("options")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let legacy = options.get("import_mode") != Some(&Value::Bool(true));
    let migrated = !legacy
        && state
            .user_by_email_in(email, connection)
            .is_some_and(|u| kind == Kind::GetUser || u.password.is_some());
    if found.strategy != crate::auth0::tenant::connections::DATABASE
        || (legacy && kind == Kind::GetUser)
        || !runs_scripts(options)
        || email.is_empty()
        || migrated
    {
        return None;
    }
    let script = options
        .get("customScripts")
        .and_then(|s| s.get(kind.name()))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())?
        .to_owned();
    let configuration = options
        .get("configuration")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    Some(ToRun {
        script,
        configuration,
        legacy,
    })
}

/// Why a connection's `options` hold a Janrain delegation ([`janrain_login`]) that cannot work,
/// when they do: checked when the connection is created or patched, so no login meets it.
pub fn delegate_problem(options: &Map<String, Value>) -> Option<String> {
    Delegate::from_options(options)?.err()
}

/// The Janrain app a migrating database connection without a login script delegates its logins
/// to ([`janrain_login`]), when it has no user `email` with a password yet.
fn delegate(tenant: &Tenant, connection: &str, email: &str) -> Option<Result<Delegate, String>> {
    let state = tenant.state();
    let found = state.connection_by_name(connection)?;
    let options = found.settings.get("options").and_then(Value::as_object)?;
    let migrated = state
        .user_by_email_in(email, connection)
        .is_some_and(|u| u.password.is_some());
    if found.strategy != crate::auth0::tenant::connections::DATABASE
        || options.get("import_mode") != Some(&Value::Bool(true))
        || email.is_empty()
        || migrated
    {
        return None;
    }
    Delegate::from_options(options)
}

/// Runs a script in Node (no lock held) and reads its answer.
async fn run(
    tenant: &Tenant,
    kind: Kind,
    script: String,
    args: Value,
    configuration: Value,
) -> Result<Result<Map<String, Value>, String>, ScriptRefusal> {
    let call = serde_json::json!({
        "function": kind.name(),
        "script": script,
        "args": args,
        "configuration": configuration,
    });
    let answer = tenant.control().scripts().run(HOST, &call).await.map_err(|failure| {
        ScriptRefusal::Failed(format!(
            "the {} script of this connection gave no answer: {failure}",
            kind.name()
        ))
    })?;
    outcome(kind, &answer)
}

/// Runs the `login` script of `connection` for an email it has no user for (lazy migration),
/// and creates the user from the profile it calls back with. Holds no lock while the script
/// runs.
pub async fn migrate_on_login(
    tenant: &Tenant,
    connection: &str,
    email: &str,
    password: &str,
) -> Result<LazyLogin, ScriptRefusal> {
    let email = email.trim().to_lowercase();
    if password.is_empty() {
        return Ok(LazyLogin::NotRun);
    }
    let Some(ToRun {
        script,
        configuration,
        legacy,
    }) = migrating_script(tenant, connection, &email, Kind::Login)
    else {
        return match delegate(tenant, connection, &email) {
            Some(Ok(delegate)) => match delegate
                .sign_in(&email, password)
                .await
                .map_err(ScriptRefusal::Failed)?
            {
                Ok(profile) => admit(tenant, connection, &email, Some(password), &profile).map(LazyLogin::Migrated),
                Err(message) => Ok(LazyLogin::NoUser(message)),
            },
            Some(Err(why)) => Err(ScriptRefusal::Failed(why)),
            None => Ok(LazyLogin::NotRun),
        };
    };
    let args = serde_json::json!([email, password]);
    let answer = run(tenant, Kind::Login, script, args, configuration).await;
    if legacy {
        // The store keeps the profile, never a password of its own: the login that follows
        // checks the password the script just accepted, or none.
        forget_password(tenant, connection, &email);
    }
    let profile = match answer? {
        Ok(profile) => profile,
        Err(message) => return Ok(LazyLogin::NoUser(message)),
    };
    admit(tenant, connection, &email, Some(password), &profile).map(LazyLogin::Migrated)
}

/// Drops the stored password of `email` in a legacy-store connection, so the store never answers
/// a login the script did not accept.
fn forget_password(tenant: &Tenant, connection: &str, email: &str) {
    let mut state = tenant.state();
    if let Some(id) = state.user_by_email_in(email, connection).map(|u| u.user_id.clone())
        && let Some(user) = state.user_mut(&id)
    {
        user.password = None;
    }
}

/// A "forgot password" request for an email a migrating connection has no user for runs its
/// `get_user` script (doc: DOC-auto, "on change password"); a profile it finds becomes the user,
/// without a password until the reset sets one (obs, SUP-reset 2025: "Auth0 creates a temporary
/// identity profile … not fully migrated until they log in with the new password"; the older
/// docs create it at the reset, facts §3.2, conflict). Until then its logins still run `login`.
/// Answers what happened, for the hint; a script failure sends nothing (inf: the endpoint
/// answers 200 either way).
pub async fn migrate_on_reset(tenant: &Tenant, connection: &str, email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let ToRun {
        script, configuration, ..
    } = migrating_script(tenant, connection, &email, Kind::GetUser)?;
    let args = serde_json::json!([email]);
    Some(match run(tenant, Kind::GetUser, script, args, configuration).await {
        Ok(Ok(profile)) => match admit(tenant, connection, &email, None, &profile) {
            Ok(user_id) => format!("the get_user script found {email}: {user_id} waits for its new password"),
            Err(ScriptRefusal::Failed(why) | ScriptRefusal::Unauthorized(why)) => why,
        },
        Ok(Err(_)) => format!("the get_user script found no {email}"),
        Err(ScriptRefusal::Failed(why) | ScriptRefusal::Unauthorized(why)) => why,
    })
}

/// The script's answer: a profile, no user (with the message for the log), or a refusal.
fn outcome(kind: Kind, answer: &Value) -> Result<Result<Map<String, Value>, String>, ScriptRefusal> {
    if let Some(error) = answer.get("error") {
        let name = error.get("name").and_then(Value::as_str).unwrap_or("Error");
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        return match name {
            "WrongUsernameOrPasswordError" => Ok(Err(message)),
            "UnauthorizedError" => Err(ScriptRefusal::Unauthorized(message)),
            _ => Err(ScriptRefusal::Failed(format!(
                "the {} script called back with {name}: {message}",
                kind.name()
            ))),
        };
    }
    match answer.get("profile") {
        Some(Value::Object(profile)) => Ok(Ok(profile.clone())),
        // `callback(null)` / `callback(null, null)`: no such user (doc: the no-op scripts of
        // migration facts §3.1).
        _ => Ok(Err(format!("the {} script called back with no profile", kind.name()))),
    }
}

/// Creates the migrated user from the script's profile (doc: `user_id` mandatory, stored
/// `auth0|<user_id>`; the password the user typed, none on the reset path; the email
/// lower-cased). A user the script raced (another login of the same email migrated first) is
/// left as it is.
fn admit(
    tenant: &Tenant,
    connection: &str,
    email: &str,
    password: Option<&str>,
    profile: &Map<String, Value>,
) -> Result<String, ScriptRefusal> {
    let id = match profile.get("user_id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => {
            return Err(ScriptRefusal::Failed(
                "the script's profile has no user_id (mandatory: it becomes auth0|<user_id>)".into(),
            ));
        }
    };
    let text = |k: &str| profile.get(k).and_then(Value::as_str).map(str::to_owned);
    let email = text("email").map_or_else(|| email.to_owned(), |e| e.trim().to_lowercase());
    let user_id = format!("auth0|{}", id.strip_prefix("auth0|").unwrap_or(&id));
    let now = tenant.clock().now();
    let mut state = tenant.state();
    if let Some(existing) = state.user_by_email_in(&email, connection).map(|u| u.user_id.clone()) {
        // A user a reset created waits for a password: the login's completes it.
        if let Some(password) = password {
            let fresh = PasswordHash::new(state.rng(), password);
            if let Some(user) = state.user_mut(&existing).filter(|u| u.password.is_none()) {
                user.password = Some(fresh);
            }
        }
        return Ok(existing);
    }
    if state.user(&user_id).is_some() {
        // doc (DOC-auto): DUPLICATED_USER, "The user already exists".
        return Err(ScriptRefusal::Failed(format!(
            "the script answered user_id {id}, but {user_id} exists already with another email (DELETE \
             /api/v2/users/{user_id} removes it)"
        )));
    }
    let nickname = text("nickname").unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let who = Identity {
        user_id: user_id.clone(),
        email: email.clone(),
        connection: connection.to_owned(),
        name: text("name").unwrap_or_else(|| email.clone()),
        nickname,
    };
    // Older docs send app metadata as `metadata` (migration facts §3.2, conflict): both are read.
    let app_metadata = profile
        .get("app_metadata")
        .or_else(|| profile.get("metadata"))
        .and_then(Value::as_object)
        .cloned();
    let rest = NewUser {
        connection: connection.to_owned(),
        email_verified: Some(profile.get("email_verified").and_then(Value::as_bool).unwrap_or(false)),
        given_name: text("given_name"),
        family_name: text("family_name"),
        username: text("username"),
        picture: text("picture"),
        app_metadata,
        user_metadata: profile.get("user_metadata").and_then(Value::as_object).cloned(),
        ..NewUser::default()
    };
    lifecycle::admit(&mut state, who, password, rest, now);
    tracing::info!(
        user_id,
        connection,
        "lazy migration: the login script's user is now in the store"
    );
    Ok(user_id)
}
