//! Bulk user imports (facts `migration.md` §2): the jobs of `POST /api/v2/jobs/users-imports`,
//! their users file checked user by user, and the run that creates or upserts the users once
//! the job is due on the tenant clock. Imported hashes are kept as they came
//! ([`crate::core::legacy_hash`]) and replaced by authmock's own digest at the user's first
//! correct login (`brute_force::verify_password`).
//!
//! The store is bounded ([`IMPORT_JOBS`], oldest first) and a job is forgotten 24 hours after it
//! was created (doc: "All job-related data is automatically deleted after 24 hours"); deleting a
//! connection forgets its jobs.

use std::collections::HashSet;

use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

use crate::auth0::tenant::lifecycle::{self, Identity, NewUser};
use crate::auth0::tenant::model::{Connection, ImportJob, ImportJobs, ImportStatus, Summary};
use crate::auth0::tenant::state::TenantState;
use crate::auth0::tenant::users::Picture;
use crate::auth0::wire::import_error::{ACTIVE_IMPORTS, BCRYPT_PATTERN, ImportRefusal, UserProblem};
use crate::core::legacy_hash::{Digest, Encoding, LegacyHash, PasswordEncoding, Salt, SaltPosition};
use crate::core::password::PasswordHash;

/// Import jobs a tenant keeps (each holds its file until it runs, then its errors).
pub const IMPORT_JOBS: usize = 20;
/// How long after its creation a job runs (inf: the recorded user was created 104 ms after
/// its job, REC-job `TestJobManager_ImportUsersWithNilOptions`).
pub const IMPORT_DELAY: Duration = Duration::milliseconds(100);
/// How long a job is kept (doc).
const RETENTION: Duration = Duration::hours(24);

/// The file's top-level properties (doc: DOC-schema, `additionalProperties: false`).
const PROPERTIES: &[&str] = &[
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
    "user_id",
    "username",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "blocked",
    "password_hash",
    "custom_password_hash",
    "app_metadata",
    "user_metadata",
    "mfa_factors",
];

/// What the caller asked for.
pub struct ImportRequest {
    pub connection_id: String,
    pub upsert: bool,
    pub external_id: Option<String>,
    pub file: Vec<u8>,
}

/// Checks the connection and the concurrency limit, and queues the job.
pub fn create(
    state: &mut TenantState,
    request: ImportRequest,
    now: OffsetDateTime,
) -> Result<ImportJob, ImportRefusal> {
    settle(state, now);
    let connection = connection(state, &request.connection_id)?.clone();
    if state
        .imports
        .jobs
        .iter()
        .filter(|j| j.status == ImportStatus::Pending)
        .count()
        >= ACTIVE_IMPORTS
    {
        return Err(ImportRefusal::TooManyJobs);
    }
    let id = job_id(state);
    let job = ImportJob {
        id,
        connection_id: connection.id,
        connection: connection.name,
        created_at: now,
        external_id: request.external_id.filter(|e| !e.is_empty()),
        upsert: request.upsert,
        status: ImportStatus::Pending,
        summary: None,
        errors: Vec::new(),
        file: Some(request.file),
    };
    while state.imports.jobs.len() >= IMPORT_JOBS {
        state.imports.jobs.pop_front();
        state.imports.evicted += 1;
    }
    state.imports.jobs.push_back(job.clone());
    Ok(job)
}

fn connection<'a>(state: &'a TenantState, id: &str) -> Result<&'a Connection, ImportRefusal> {
    let connection = state
        .connection_by_id(id)
        .ok_or_else(|| ImportRefusal::ConnectionNotFound { id: id.to_owned() })?;
    if connection.strategy != "auth0" {
        return Err(ImportRefusal::NotDatabase {
            strategy: connection.strategy.clone(),
        });
    }
    if connection.enabled_clients.as_ref().is_some_and(Vec::is_empty) {
        return Err(ImportRefusal::ConnectionDisabled {
            name: connection.name.clone(),
        });
    }
    Ok(connection)
}

fn job_id(state: &mut TenantState) -> String {
    use rand::RngExt as _;
    const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let id: String = (0..16)
            .map(|_| char::from(ALPHANUMERIC[state.rng.random_range(0..ALPHANUMERIC.len())]))
            .collect();
        let id = format!("job_{id}");
        if state.imports.get(&id).is_none() {
            return id;
        }
    }
}

/// Runs the jobs that are due at `now` and forgets those past retention. Every reader of jobs
/// or of the users they make calls it first.
pub fn settle(state: &mut TenantState, now: OffsetDateTime) {
    state.imports.jobs.retain(|j| now - j.created_at < RETENTION);
    let due: Vec<String> = (state.imports.jobs.iter())
        .filter(|j| j.status == ImportStatus::Pending && now - j.created_at >= IMPORT_DELAY)
        .map(|j| j.id.clone())
        .collect();
    for id in due {
        run(state, &id, now);
    }
}

/// Whether job `id` still waits to run.
pub fn is_pending(state: &TenantState, id: &str) -> bool {
    state.imports.get(id).is_some_and(|j| j.status == ImportStatus::Pending)
}

fn run(state: &mut TenantState, id: &str, now: OffsetDateTime) {
    let Some(job) = state.imports.jobs.iter_mut().find(|j| j.id == id) else {
        return;
    };
    let file = job.file.take().unwrap_or_default();
    let (connection, upsert) = (job.connection.clone(), job.upsert);
    let parsed = match serde_json::from_slice::<Value>(&file) {
        Ok(Value::Array(users)) => Some(users),
        _ => None,
    };
    let conn = state.connection_by_name(&connection).cloned();
    let (Some(users), Some(conn)) = (parsed, conn) else {
        if let Some(job) = state.imports.jobs.iter_mut().find(|j| j.id == id) {
            job.status = ImportStatus::Failed;
        }
        return;
    };
    let mut summary = Summary {
        total: users.len(),
        ..Summary::default()
    };
    let mut errors = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // The connection's users by email and every user id, looked up once per job instead of a
    // scan of the tenant's users per line of the file (100,000 lines: minutes otherwise).
    let mut known = Known {
        emails: state
            .users
            .iter()
            .filter(|u| u.connection == conn.name)
            .map(|u| (u.email.clone(), u.user_id.clone()))
            .collect(),
        ids: state.users.iter().map(|u| u.user_id.clone()).collect(),
    };
    for user in users {
        match import_one(state, &conn, &user, upsert, &mut seen, &mut known, now) {
            Ok(Outcome::Inserted) => summary.inserted += 1,
            Ok(Outcome::Updated) => summary.updated += 1,
            Err(problems) => {
                summary.failed += 1;
                errors.push(json!({
                    "user": redacted(&user),
                    "errors": problems.iter().map(UserProblem::to_json).collect::<Vec<_>>(),
                }));
            }
        }
    }
    if let Some(job) = state.imports.jobs.iter_mut().find(|j| j.id == id) {
        job.status = ImportStatus::Completed;
        job.summary = Some(summary);
        job.errors = errors;
    }
}

enum Outcome {
    Inserted,
    Updated,
}

/// The users a job's lines are checked against, kept up to date as it inserts.
struct Known {
    /// The connection's users: email to user id.
    emails: std::collections::HashMap<String, String>,
    /// Every user id of the tenant.
    ids: HashSet<String>,
}

/// The user as `/errors` echoes it: hash values redacted (doc: `"value": "*****"`; inf: the
/// same for `password_hash`).
fn redacted(user: &Value) -> Value {
    let mut user = user.clone();
    if let Some(obj) = user.as_object_mut() {
        if obj.get("password_hash").is_some_and(Value::is_string) {
            obj.insert("password_hash".into(), json!("*****"));
        }
        if let Some(hash) = obj
            .get_mut("custom_password_hash")
            .and_then(|c| c.get_mut("hash"))
            .and_then(Value::as_object_mut)
            && hash.contains_key("value")
        {
            hash.insert("value".into(), json!("*****"));
        }
    }
    user
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks one user of the file and creates or upserts it.
fn import_one(
    state: &mut TenantState,
    connection: &Connection,
    user: &Value,
    upsert: bool,
    seen: &mut HashSet<String>,
    known: &mut Known,
    now: OffsetDateTime,
) -> Result<Outcome, Vec<UserProblem>> {
    let Some(obj) = user.as_object() else {
        return Err(vec![UserProblem::Type {
            expected: "object",
            found: type_name(user),
            path: "#".into(),
        }]);
    };
    let checked = check(obj, connection)?;
    let email = checked.email.to_lowercase();
    if !seen.insert(email.clone()) {
        return Err(vec![UserProblem::DuplicateInFile { field: "email" }]);
    }
    if let Some(existing) = known.emails.get(&email).cloned() {
        if !upsert {
            return Err(vec![UserProblem::Exists]);
        }
        let Some(stored) = state.user_mut(&existing) else {
            return Err(vec![UserProblem::Exists]);
        };
        // doc: the upsertable fields; metadata replaced, not merged.
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
        stored.email_verified = obj.get("email_verified").and_then(Value::as_bool).unwrap_or(false);
        if let Some(v) = text("given_name") {
            stored.given_name = Some(v);
        }
        if let Some(v) = text("family_name") {
            stored.family_name = Some(v);
        }
        if let Some(v) = text("name") {
            stored.name = v;
        }
        if let Some(v) = text("nickname") {
            stored.nickname = v;
        }
        if let Some(v) = text("picture") {
            stored.picture = v.into();
        }
        if let Some(m) = obj.get("app_metadata").and_then(Value::as_object) {
            stored.app_metadata = m.clone();
        }
        if let Some(m) = obj.get("user_metadata").and_then(Value::as_object) {
            stored.user_metadata = m.clone();
        }
        if let Some(hash) = checked.custom {
            stored.password = Some(hash);
        }
        stored.updated_at = now;
        return Ok(Outcome::Updated);
    }
    let user_id = match obj.get("user_id").and_then(Value::as_str) {
        // doc: the id in the file gets the strategy prefix.
        Some(id) => format!("auth0|{id}"),
        None => lifecycle::fresh_user_id_among(state, &known.ids),
    };
    if known.ids.contains(&user_id) {
        return Err(vec![UserProblem::DuplicateInFile { field: "user_id" }]);
    }
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    let nickname = text("nickname").unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let name = text("name").unwrap_or_else(|| email.clone());
    let who = Identity {
        user_id: user_id.clone(),
        email: email.clone(),
        connection: connection.name.clone(),
        name,
        nickname: nickname.clone(),
    };
    let rest = NewUser {
        connection: connection.name.clone(),
        email_verified: Some(obj.get("email_verified").and_then(Value::as_bool).unwrap_or(false)),
        given_name: text("given_name"),
        family_name: text("family_name"),
        username: text("username"),
        blocked: obj.get("blocked").and_then(Value::as_bool),
        // obs: an imported user's picture is on secure.gravatar.com.
        picture: Some(text("picture").unwrap_or_else(|| import_picture(&email))),
        app_metadata: obj.get("app_metadata").and_then(Value::as_object).cloned(),
        user_metadata: obj.get("user_metadata").and_then(Value::as_object).cloned(),
        ..NewUser::default()
    };
    lifecycle::admit(state, who, None, rest, now);
    known.ids.insert(user_id.clone());
    known.emails.insert(email.clone(), user_id.clone());
    let hash = match checked.hash {
        Some(hash) => hash,
        // obs (SUP-nohash): a user imported without a hash gets a random one.
        None => {
            use rand::RngExt as _;
            let random = format!("{:032x}", state.rng.random::<u128>());
            PasswordHash::new(&mut state.rng, &random)
        }
    };
    // The user `admit` just added is the last one.
    if let Some(stored) = state.users.last_mut().filter(|u| u.user_id == user_id) {
        stored.password = Some(hash);
    }
    Ok(Outcome::Inserted)
}

/// The gravatar URL of an imported user (obs: REC-job users-by-email, md5 of the email,
/// `secure.gravatar.com`, the `au.png` default of the recorded user's initials).
fn import_picture(email: &str) -> String {
    let nickname = email.split('@').next().unwrap_or_default();
    Picture::gravatar(email, nickname, true).to_string()
}

struct Checked {
    email: String,
    /// The hash to store on insert (`password_hash` or `custom_password_hash`).
    hash: Option<PasswordHash>,
    /// `custom_password_hash` only: what an upsert may replace.
    custom: Option<PasswordHash>,
}

/// The per-user schema checks of the file (doc: DOC-schema; internal paths obs for the email
/// and `passwordHash`, inf for the rest).
fn check(obj: &Map<String, Value>, connection: &Connection) -> Result<Checked, Vec<UserProblem>> {
    let extra: Vec<String> = obj
        .keys()
        .filter(|k| !PROPERTIES.contains(&k.as_str()))
        .cloned()
        .collect();
    if !extra.is_empty() {
        return Err(vec![UserProblem::Additional { names: extra }]);
    }
    let email = match obj.get("email") {
        None => {
            return Err(vec![UserProblem::Required {
                property: "email",
                path: "identities[0].profileData",
            }]);
        }
        Some(Value::String(email)) => email.clone(),
        Some(other) => {
            return Err(vec![UserProblem::Type {
                expected: "string",
                found: type_name(other),
                path: "identities[0].profileData.email".into(),
            }]);
        }
    };
    if !looks_like_email(&email) {
        return Err(vec![UserProblem::Format {
            format: "email",
            value: email,
            path: "identities[0].profileData.email",
        }]);
    }
    for (key, expected) in [
        ("email_verified", "boolean"),
        ("blocked", "boolean"),
        ("app_metadata", "object"),
        ("user_metadata", "object"),
        ("given_name", "string"),
        ("family_name", "string"),
        ("name", "string"),
        ("nickname", "string"),
        ("picture", "string"),
        ("user_id", "string"),
        ("username", "string"),
        ("password_hash", "string"),
        ("custom_password_hash", "object"),
    ] {
        if let Some(value) = obj.get(key)
            && type_name(value) != expected
        {
            return Err(vec![UserProblem::Type {
                expected,
                found: type_name(value),
                path: key.into(),
            }]);
        }
    }
    if connection.requires_username && !obj.contains_key("username") {
        return Err(vec![UserProblem::Required {
            property: "username",
            path: "identities[0].profileData",
        }]);
    }
    let password_hash = obj.get("password_hash").and_then(Value::as_str);
    let custom = obj.get("custom_password_hash");
    if password_hash.is_some() && custom.is_some() {
        return Err(vec![UserProblem::BothHashes]);
    }
    let hash = match password_hash {
        Some(hash) => {
            if !matches_bcrypt_pattern(hash) {
                return Err(vec![UserProblem::Pattern {
                    pattern: BCRYPT_PATTERN,
                    path: "passwordHash",
                }]);
            }
            let legacy = LegacyHash::bcrypt(hash, None).map_err(|e| vec![UserProblem::UnsupportedHash { why: e.0 }])?;
            Some(PasswordHash::legacy(legacy))
        }
        None => None,
    };
    let custom = match custom {
        Some(spec) => Some(PasswordHash::legacy(custom_hash(spec).map_err(|p| vec![p])?)),
        None => None,
    };
    Ok(Checked {
        email,
        hash: hash.or_else(|| custom.clone()),
        custom,
    })
}

/// inf: z-schema's email format, approximated: one `@`, a dot in the domain, no spaces.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// `^\$2[ab]?\$10+\$[./A-Za-z0-9]{53}$` by hand (no regex crate in the build).
fn matches_bcrypt_pattern(hash: &str) -> bool {
    let Some(rest) = hash.strip_prefix("$2") else {
        return false;
    };
    let rest = rest
        .strip_prefix('a')
        .or_else(|| rest.strip_prefix('b'))
        .unwrap_or(rest);
    let Some(rest) = rest.strip_prefix("$1") else {
        return false;
    };
    let zeros = rest.chars().take_while(|c| *c == '0').count();
    if zeros == 0 {
        return false;
    }
    let Some(tail) = rest[zeros..].strip_prefix('$') else {
        return false;
    };
    tail.len() == 53
        && tail
            .bytes()
            .all(|b| b == b'.' || b == b'/' || b.is_ascii_alphanumeric())
}

/// The algorithms of `custom_password_hash` (doc: DOC-schema); all are checked.
const ALGORITHMS: &[&str] = &[
    "argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256", "sha512", "pbkdf2", "scrypt",
];

/// A `custom_password_hash` object as a [`LegacyHash`] (doc: DOC-schema's per-algorithm rules).
fn custom_hash(spec: &Value) -> Result<LegacyHash, UserProblem> {
    let bad = |why: String| UserProblem::UnsupportedHash { why };
    let algorithm = spec
        .get("algorithm")
        .and_then(Value::as_str)
        .ok_or(UserProblem::Required {
            property: "algorithm",
            path: "customPasswordHash",
        })?;
    if !ALGORITHMS.contains(&algorithm) {
        return Err(UserProblem::Enum {
            value: algorithm.to_owned(),
            path: "customPasswordHash.algorithm".into(),
        });
    }
    let hash = spec
        .get("hash")
        .and_then(Value::as_object)
        .ok_or(UserProblem::Required {
            property: "hash",
            path: "customPasswordHash",
        })?;
    let value = hash.get("value").and_then(Value::as_str).ok_or(UserProblem::Required {
        property: "value",
        path: "customPasswordHash.hash",
    })?;
    let encoding_name = hash.get("encoding").and_then(Value::as_str);
    let encoding = match encoding_name {
        None => None,
        Some(name) => Some(Encoding::parse(name).ok_or_else(|| UserProblem::Enum {
            value: name.to_owned(),
            path: "customPasswordHash.hash.encoding".into(),
        })?),
    };
    let salt = match spec.get("salt") {
        None => None,
        Some(salt) => {
            let bytes_text = salt.get("value").and_then(Value::as_str).ok_or(UserProblem::Required {
                property: "value",
                path: "customPasswordHash.salt",
            })?;
            let salt_encoding = match salt.get("encoding").and_then(Value::as_str) {
                None => Encoding::Utf8,
                Some(name) => Encoding::parse(name).ok_or_else(|| UserProblem::Enum {
                    value: name.to_owned(),
                    path: "customPasswordHash.salt.encoding".into(),
                })?,
            };
            let position = match salt.get("position").and_then(Value::as_str) {
                None | Some("prefix") => SaltPosition::Prefix,
                Some("suffix") => SaltPosition::Suffix,
                Some(other) => {
                    return Err(UserProblem::Enum {
                        value: other.to_owned(),
                        path: "customPasswordHash.salt.position".into(),
                    });
                }
            };
            Some(Salt {
                bytes: salt_encoding.decode(bytes_text).map_err(|e| bad(e.0))?,
                position,
            })
        }
    };
    let password_encoding = match spec
        .get("password")
        .and_then(|p| p.get("encoding"))
        .and_then(Value::as_str)
    {
        None => PasswordEncoding::Utf8,
        Some(name) => PasswordEncoding::parse(name).ok_or_else(|| UserProblem::Enum {
            value: name.to_owned(),
            path: "customPasswordHash.password.encoding".into(),
        })?,
    };
    let utf8_only = |e: Option<Encoding>| match e {
        None | Some(Encoding::Utf8) => Ok(()),
        Some(_) => Err(bad(format!("{algorithm} hashes are utf8 encoded"))),
    };
    let binary = |e: Option<Encoding>| match e {
        Some(e @ (Encoding::Hex | Encoding::Base64)) => e.decode(value).map_err(|err| bad(err.0)),
        _ => Err(bad(format!("{algorithm} hashes are hex or base64 encoded"))),
    };
    let no_salt = |what: &str| match &salt {
        None => Ok(()),
        Some(_) => Err(bad(format!("{what} hashes carry their salt in the value"))),
    };
    let hash = match algorithm {
        "bcrypt" => {
            utf8_only(encoding)?;
            LegacyHash::bcrypt(value, salt.clone()).map_err(|e| bad(e.0))?
        }
        "argon2" => {
            utf8_only(encoding)?;
            no_salt("argon2")?;
            LegacyHash::argon2(value).map_err(|e| bad(e.0))?
        }
        "pbkdf2" => {
            utf8_only(encoding)?;
            no_salt("pbkdf2")?;
            LegacyHash::pbkdf2_phc(value).map_err(|e| bad(e.0))?
        }
        "ldap" => {
            utf8_only(encoding)?;
            LegacyHash::ldap(value).map_err(|e| bad(e.0))?
        }
        "md4" | "md5" | "sha1" | "sha256" | "sha512" => {
            let digest = Digest::parse(algorithm).ok_or_else(|| bad(format!("unknown digest {algorithm}")))?;
            LegacyHash::digest(digest, binary(encoding)?, salt.clone()).map_err(|e| bad(e.0))?
        }
        "hmac" => {
            let digest_name = hash
                .get("digest")
                .and_then(Value::as_str)
                .ok_or(UserProblem::Required {
                    property: "digest",
                    path: "customPasswordHash.hash",
                })?;
            let digest =
                Digest::parse(digest_name).ok_or_else(|| bad(format!("unsupported hmac digest {digest_name}")))?;
            let key = hash.get("key").ok_or(UserProblem::Required {
                property: "key",
                path: "customPasswordHash.hash",
            })?;
            let key_value = key.get("value").and_then(Value::as_str).unwrap_or_default();
            let key_encoding = key
                .get("encoding")
                .and_then(Value::as_str)
                .and_then(Encoding::parse)
                .unwrap_or(Encoding::Utf8);
            let key = key_encoding.decode(key_value).map_err(|e| bad(e.0))?;
            LegacyHash::hmac(digest, &key, binary(encoding)?).map_err(|e| bad(e.0))?
        }
        "scrypt" => {
            let number = |k: &str, default: Option<u64>| {
                spec.get(k)
                    .or_else(|| hash.get(k))
                    .and_then(Value::as_u64)
                    .or(default)
                    .ok_or(UserProblem::Required {
                        property: "keylen",
                        path: "customPasswordHash",
                    })
            };
            let _keylen = number("keylen", None)?;
            let cost = number("cost", Some(16_384))?;
            let block = number("blockSize", Some(8))?;
            let parallel = number("parallelization", Some(1))?;
            let salt_bytes = salt.as_ref().map(|s| s.bytes.clone()).unwrap_or_default();
            LegacyHash::scrypt(
                salt_bytes,
                cost,
                u32::try_from(block).unwrap_or(8),
                u32::try_from(parallel).unwrap_or(1),
                binary(encoding)?,
            )
            .map_err(|e| bad(e.0))?
        }
        other => return Err(bad(format!("unsupported algorithm {other}"))),
    };
    Ok(hash.with_password_encoding(password_encoding))
}

/// `GET /jobs/{id}` and the 202: `{"type","status","connection_id"[,"summary"],"connection",
/// "created_at","id"}` (obs: REC-job; `external_id` placement inf, only when given).
pub fn job_json(job: &ImportJob) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!("users_import"));
    out.insert("status".into(), json!(job.status.as_str()));
    out.insert("connection_id".into(), json!(job.connection_id));
    if let Some(external_id) = &job.external_id {
        out.insert("external_id".into(), json!(external_id));
    }
    if let Some(s) = job.summary {
        out.insert(
            "summary".into(),
            json!({"failed": s.failed, "updated": s.updated, "inserted": s.inserted, "total": s.total}),
        );
    }
    out.insert("connection".into(), json!(job.connection));
    out.insert(
        "created_at".into(),
        json!(crate::auth0::wire::format::timestamp(job.created_at)),
    );
    out.insert("id".into(), json!(job.id));
    Value::Object(out)
}

impl TenantState {
    /// The tenant's import jobs.
    pub fn imports(&self) -> &ImportJobs {
        &self.imports
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bcrypt_pattern_takes_cost_10_only() {
        assert!(matches_bcrypt_pattern(
            "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"
        ));
        assert!(matches_bcrypt_pattern(
            "$2$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"
        ));
        assert!(!matches_bcrypt_pattern(
            "$2a$04$ogMILkiHiSvtpZpoJmVg7OotiEOpl7rQIhSwafBEpPKRVLm/SNQdu"
        ));
        assert!(!matches_bcrypt_pattern(
            "$2y$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"
        ));
        assert!(!matches_bcrypt_pattern("$2b$10$short"));
    }

    #[test]
    fn custom_hashes_of_the_documented_algorithms_are_taken_or_refused_by_name() {
        let md5 = json!({"algorithm": "md5", "hash": {"value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"},
                         "salt": {"value": "salt", "position": "prefix"}});
        assert!(custom_hash(&md5).expect("md5").verify("password"));
        let hmac = json!({"algorithm": "hmac", "hash": {"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64",
                          "digest": "sha1", "key": {"value": "736868", "encoding": "hex"}}});
        assert!(custom_hash(&hmac).expect("hmac").verify("test"));
        let crypt = json!({"algorithm": "ldap", "hash": {"value": "{CRYPT}abcdefgh"}});
        assert!(matches!(custom_hash(&crypt), Err(UserProblem::UnsupportedHash { .. })));
        let unknown = json!({"algorithm": "whirlpool", "hash": {"value": "00"}});
        assert!(matches!(custom_hash(&unknown), Err(UserProblem::Enum { .. })));
        let md5_utf8 = json!({"algorithm": "md5", "hash": {"value": "x", "encoding": "utf8"}});
        assert!(custom_hash(&md5_utf8).is_err());
    }
}
