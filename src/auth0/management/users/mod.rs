//! `GET /api/v2/users/{id}`, `PATCH /api/v2/users/{id}` and `GET /api/v2/users-by-email`
//! (facts §5.1, §5.2): the "own the flow" endpoints an application uses to set a password itself.

pub(super) mod lifecycle;
mod query;
pub(super) mod search;

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::auth0::management::extract::{BodySchema, MgmtBody, MgmtQuery, Principal, ScopeSet, Scoped};
use crate::auth0::management::payload::Schema;
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::password_rules;
use crate::auth0::tenant::users::User;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::format::timestamp;
use crate::auth0::wire::mgmt_error::{Finding, METADATA_LIMIT, MgmtError, Violation};
use crate::auth0::wire::respond::json_response;
use crate::core::password::PasswordHash;

/// Scopes of `GET /users/{id}`, in the order the provider lists them in its insufficient-scope
/// message (obs: facts `auth0.md` §11, two captures four years apart).
pub(super) struct ReadUser;
impl ScopeSet for ReadUser {
    const ANY_OF: &'static [&'static str] = &["read:users", "read:current_user", "read:user_idp_tokens"];
}

/// Scopes of `PATCH /users/{id}` (facts §5.1).
pub(super) struct UpdateUser;
impl ScopeSet for UpdateUser {
    const ANY_OF: &'static [&'static str] = &[
        "update:users",
        "update:users_app_metadata",
        "update:current_user_metadata",
    ];
}

/// Scope of `GET /users-by-email` (facts §5.2).
pub(super) struct ReadUsers;
impl ScopeSet for ReadUsers {
    const ANY_OF: &'static [&'static str] = &["read:users"];
}

/// Earlier passwords kept per user: the provider's largest history setting (doc: 24).
const PASSWORD_HISTORY_KEPT: usize = 24;

/// Only `update:users` may change more than metadata (facts §5.1: "password needs update:users").
const UPDATE_USERS: &[&str] = &["update:users"];

/// `fields` / `include_fields` of the read endpoints.
#[derive(Debug, Deserialize)]
pub(super) struct FieldsQuery {
    fields: Option<String>,
    include_fields: Option<bool>,
}

/// `email` + field selection of `GET /users-by-email`.
#[derive(Debug, Deserialize)]
pub(super) struct ByEmailQuery {
    email: String,
    fields: Option<String>,
    include_fields: Option<bool>,
}

/// The documented PATCH body (`UpdateUserRequestContent`); `null` means "not sent" here.
#[derive(Debug, Deserialize)]
pub(super) struct UpdateUserRequest {
    blocked: Option<bool>,
    email_verified: Option<bool>,
    email: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
    picture: Option<String>,
    user_metadata: Option<Map<String, Value>>,
    app_metadata: Option<Map<String, Value>>,
    password: Option<String>,
    connection: Option<String>,
    username: Option<String>,
    phone_number: Option<String>,
    phone_verified: Option<bool>,
    verify_email: Option<bool>,
    verify_phone_number: Option<bool>,
    client_id: Option<String>,
}

static UPDATE_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::compile(include_str!("../schemas/user_update.json")));
static GET_QUERY_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("../schemas/user_get_query.json")));
static BY_EMAIL_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("../schemas/users_by_email_query.json")));

impl BodySchema for UpdateUserRequest {
    fn schema() -> &'static Schema {
        &UPDATE_SCHEMA
    }
}
impl BodySchema for FieldsQuery {
    fn schema() -> &'static Schema {
        &GET_QUERY_SCHEMA
    }
}
impl BodySchema for ByEmailQuery {
    fn schema() -> &'static Schema {
        &BY_EMAIL_SCHEMA
    }
}

/// An unusable `{id}` segment (not UTF-8 after decoding) names no user.
fn user_id(path: Result<Path<String>, PathRejection>) -> Result<String, MgmtError> {
    path.map(|Path(id)| id).map_err(|_| MgmtError::UserNotFound {
        user_id: Some("<undecodable>".into()),
        email: None,
    })
}

#[tracing::instrument(skip_all)]
pub(super) async fn get(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadUser>,
    MgmtQuery(query): MgmtQuery<FieldsQuery>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, MgmtError> {
    let id = user_id(path)?;
    check_fields(query.fields.as_deref(), FIELDS_DESCRIPTION)?;
    let state = tenant.state();
    let user = state.user(&id).ok_or(MgmtError::UserNotFound {
        user_id: Some(id),
        email: None,
    })?;
    let body = select_fields(
        user_json(user, state.era()),
        query.fields.as_deref(),
        query.include_fields,
    );
    Ok(ok_json(&body))
}

#[tracing::instrument(skip_all)]
pub(super) async fn by_email(
    State(tenant): State<Tenant>,
    _caller: Scoped<ReadUsers>,
    MgmtQuery(query): MgmtQuery<ByEmailQuery>,
) -> Result<Response, MgmtError> {
    check_fields(query.fields.as_deref(), FIELDS_DESCRIPTION)?;
    let state = tenant.state();
    let users: Vec<Value> = state
        .users()
        .iter()
        .filter(|u| u.email == query.email)
        .map(|u| select_fields(user_json(u, state.era()), query.fields.as_deref(), query.include_fields))
        .collect();
    Ok(ok_json(&Value::Array(users)))
}

#[tracing::instrument(skip_all)]
pub(super) async fn update(
    State(tenant): State<Tenant>,
    Scoped(caller, _): Scoped<UpdateUser>,
    path: Result<Path<String>, PathRejection>,
    MgmtBody(request): MgmtBody<UpdateUserRequest>,
) -> Result<Response, MgmtError> {
    let id = user_id(path)?;
    let user = update_user(&tenant, &caller, &id, request)?;
    Ok(ok_json(&user))
}

/// Applies an update to the user `id`: scope for more than metadata, documented
/// combinations, connection and password policy; answers the updated user object.
fn update_user(tenant: &Tenant, caller: &Principal, id: &str, request: UpdateUserRequest) -> Result<Value, MgmtError> {
    if !caller.has_scope("update:users") && request.touches_more_than_metadata() {
        return Err(MgmtError::InsufficientScope {
            expected: UPDATE_USERS,
            granted: caller.scopes.clone(),
            client_id: caller.client_id.clone(),
        });
    }
    request.check_combinations()?;
    let now = tenant.clock().now();
    let mut state = tenant.state();
    let state = &mut *state;
    let user = state
        .users()
        .iter()
        .find(|u| u.user_id == id)
        .ok_or(MgmtError::UserNotFound {
            user_id: Some(id.to_owned()),
            email: None,
        })?;
    if let Some(connection) = &request.connection {
        if state.connection_by_name(connection).is_none() {
            return Err(MgmtError::ConnectionDoesNotExist {
                connection: connection.clone(),
            });
        }
        if *connection != user.connection {
            return Err(MgmtError::ConnectionNotSupported {
                connection: connection.clone(),
            });
        }
    }
    if let Some(email) = &request.email {
        let email = email.to_lowercase();
        if state
            .users()
            .iter()
            .any(|u| u.user_id != id && u.connection == user.connection && u.email == email)
        {
            return Err(MgmtError::NewEmailExists { email });
        }
    }
    if let Some(username) = &request.username {
        let connection = state.connection_by_name(&user.connection);
        if !connection.is_some_and(|c| c.requires_username) {
            return Err(MgmtError::UsernameNotAllowed {
                connection: user.connection.clone(),
            });
        }
        if state.users().iter().any(|u| {
            u.user_id != id && u.connection == user.connection && u.username.as_deref() == Some(username.as_str())
        }) {
            return Err(MgmtError::UsernameInUse {
                username: username.clone(),
            });
        }
    }
    let (policy, rules) = state
        .connection_by_name(&user.connection)
        .map(|c| (c.password_policy, c.password_rules))
        .unwrap_or_default();
    let password = match &request.password {
        Some(password) => {
            let owner = password_rules::Owner {
                email: &user.email,
                name: Some(&user.name),
                username: user.username.as_deref(),
                nickname: Some(&user.nickname),
            };
            let history: Vec<&PasswordHash> = user.password.iter().chain(&user.password_history).collect();
            password_rules::check(&policy, &rules, password, &owner, &history)?;
            Some(PasswordHash::new(state.rng(), password))
        }
        None => None,
    };
    let era = state.era();
    let user = state.user_mut(id).ok_or(MgmtError::UserNotFound {
        user_id: Some(id.to_owned()),
        email: None,
    })?;
    if request.user_metadata.is_some() || request.app_metadata.is_some() {
        let merged = |current: &Map<String, Value>, patch: &Option<Map<String, Value>>| {
            let mut merged = current.clone();
            merge_metadata(&mut merged, patch.clone());
            merged
        };
        check_metadata_weight(
            &merged(&user.user_metadata, &request.user_metadata),
            &merged(&user.app_metadata, &request.app_metadata),
        )?;
    }
    let password_changed = password.is_some();
    request.apply(user, password, now);
    let body = user_json(user, era);
    if password_changed {
        // doc (DOC-bfp): a password change lifts brute-force blocks.
        let email = user.email.clone();
        crate::auth0::tenant::brute_force::unblock_identifier(state, &email);
    }
    Ok(body)
}

impl UpdateUserRequest {
    fn touches_more_than_metadata(&self) -> bool {
        self.blocked.is_some()
            || self.email_verified.is_some()
            || self.email.is_some()
            || self.given_name.is_some()
            || self.family_name.is_some()
            || self.name.is_some()
            || self.nickname.is_some()
            || self.picture.is_some()
            || self.password.is_some()
            || self.username.is_some()
            || self.phone_number.is_some()
            || self.phone_verified.is_some()
            || self.verify_email.is_some()
            || self.verify_phone_number.is_some()
            || self.client_id.is_some()
    }

    /// The documented "Cannot update X and Y simultaneously." pairs, in documented order.
    fn check_combinations(&self) -> Result<(), MgmtError> {
        let pairs: [(&'static str, bool, &'static str, bool); 5] = [
            ("password", self.password.is_some(), "email", self.email.is_some()),
            (
                "password",
                self.password.is_some(),
                "email_verified",
                self.email_verified.is_some(),
            ),
            ("username", self.username.is_some(), "email", self.email.is_some()),
            (
                "username",
                self.username.is_some(),
                "email_verified",
                self.email_verified.is_some(),
            ),
            ("username", self.username.is_some(), "password", self.password.is_some()),
        ];
        match pairs.into_iter().find(|(_, a, _, b)| *a && *b) {
            Some((first, _, second, _)) => Err(MgmtError::CannotUpdateTogether { first, second }),
            None => Ok(()),
        }
    }

    fn apply(self, user: &mut User, password: Option<PasswordHash>, now: OffsetDateTime) {
        if let Some(hash) = password {
            if let Some(previous) = user.password.replace(hash) {
                user.password_history.insert(0, previous);
                user.password_history.truncate(PASSWORD_HISTORY_KEPT);
            }
            user.fixture_password = None;
            user.last_password_reset = Some(now);
        }
        if let Some(email) = self.email {
            user.email = email.to_lowercase();
            user.email_verified = false;
        }
        if let Some(verified) = self.email_verified {
            user.email_verified = verified;
        }
        if self.blocked.is_some() {
            user.blocked = self.blocked;
        }
        if let Some(name) = self.name {
            user.name = name;
        }
        if let Some(nickname) = self.nickname {
            user.nickname = nickname;
        }
        if let Some(picture) = self.picture {
            user.picture = picture.into();
        }
        // Keys the user did not have yet join the end of its body, in this order (obs: the
        // recording's PATCH of family_name and given_name lists family_name first).
        let added = [
            ("family_name", user.family_name.is_none() && self.family_name.is_some()),
            ("given_name", user.given_name.is_none() && self.given_name.is_some()),
            (
                "user_metadata",
                !user.user_metadata_set && user.user_metadata.is_empty() && self.user_metadata.is_some(),
            ),
        ];
        user.late_keys
            .extend(added.into_iter().filter(|(_, new)| *new).map(|(key, _)| key));
        if self.given_name.is_some() {
            user.given_name = self.given_name;
        }
        if self.family_name.is_some() {
            user.family_name = self.family_name;
        }
        if self.username.is_some() {
            user.username = self.username;
        }
        if self.user_metadata.is_some() {
            user.user_metadata_set = true;
        }
        merge_metadata(&mut user.user_metadata, self.user_metadata);
        merge_metadata(&mut user.app_metadata, self.app_metadata);
        user.updated_at = now;
    }
}

/// Refuses metadata weighing more than [`METADATA_LIMIT`] bytes together, as JSON.
pub(super) fn check_metadata_weight(user: &Map<String, Value>, app: &Map<String, Value>) -> Result<(), MgmtError> {
    let weight = |map: &Map<String, Value>| serde_json::to_vec(map).map_or(usize::MAX, |bytes| bytes.len());
    let bytes = weight(user).saturating_add(weight(app));
    if bytes > METADATA_LIMIT {
        return Err(MgmtError::MetadataTooLarge { bytes });
    }
    Ok(())
}

/// Metadata is merged one level deep; a `null` value removes its key (documented merge rule).
/// An empty object empties it: obs (terraform-provider-auth0 test/data/recordings/TestAccUser.yaml,
/// interaction 16): `{"user_metadata":{},"app_metadata":{}}` on a user holding
/// `{"foo":"bars"}` in both answers `"user_metadata":{}` and no `app_metadata`, and so do the
/// reads after it. The recording outranks the documented merge, under which `{}` changes nothing.
fn merge_metadata(target: &mut Map<String, Value>, patch: Option<Map<String, Value>>) {
    if patch.as_ref().is_some_and(Map::is_empty) {
        target.clear();
    }
    for (key, value) in patch.into_iter().flatten() {
        if value.is_null() {
            target.remove(&key);
        } else {
            target.insert(key, value);
        }
    }
}

pub(super) fn ok_json(body: &Value) -> Response {
    json_response(StatusCode::OK, body, "application/json; charset=utf-8")
}

/// A user as the Management API returns it. Key order as observed (facts `auth0-users.md`
/// §1.2): `user_id` first (the 2026 recordings; in an older `era`, after `updated_at`), then the
/// profile keys alphabetically, then the profile keys first set by a later update, in the
/// order they were set (`User::late_keys`), then `last_password_reset` and the login fields, then
/// `app_metadata` last. Fields a user never had are absent, not null: `blocked`, `username`,
/// empty metadata, and `last_login`/`logins_count` until the first login (facts `auth0.md` §11).
pub(super) fn user_json(user: &User, era: WireEra) -> Value {
    let mut body = Map::new();
    let early = |key: &str| !user.late_keys.contains(&key);
    if era.user_id_first() {
        // inf: where `blocked` goes in the 2026 order; no 2026 recording sets it. "Rest as
        // before" puts it first after `user_id`.
        body.insert("user_id".into(), user.user_id.clone().into());
    }
    if let Some(blocked) = user.blocked {
        body.insert("blocked".into(), blocked.into());
    }
    body.insert("created_at".into(), timestamp(user.created_at).into());
    body.insert("email".into(), user.email.clone().into());
    body.insert("email_verified".into(), user.email_verified.into());
    let mut late = Map::new();
    if let Some(family) = &user.family_name {
        let keys = if early("family_name") { &mut body } else { &mut late };
        keys.insert("family_name".into(), family.clone().into());
    }
    if let Some(given) = &user.given_name {
        let keys = if early("given_name") { &mut body } else { &mut late };
        keys.insert("given_name".into(), given.clone().into());
    }
    body.insert(
        "identities".into(),
        json!([{
            "connection": user.connection,
            "user_id": user.identity_id(),
            "provider": user.provider(),
            "isSocial": false
        }]),
    );
    body.insert("name".into(), user.name.clone().into());
    body.insert("nickname".into(), user.nickname.clone().into());
    body.insert("picture".into(), user.picture.to_string().into());
    body.insert("updated_at".into(), timestamp(user.updated_at).into());
    if !era.user_id_first() {
        body.insert("user_id".into(), user.user_id.clone().into());
    }
    if user.user_metadata_set || !user.user_metadata.is_empty() {
        let keys = if early("user_metadata") { &mut body } else { &mut late };
        keys.insert("user_metadata".into(), Value::Object(user.user_metadata.clone()));
    }
    if let Some(username) = &user.username {
        body.insert("username".into(), username.clone().into());
    }
    // inf: where the login fields go after keys added late; the recordings have no such user.
    for key in &user.late_keys {
        if let Some((key, value)) = late.remove_entry(*key) {
            body.insert(key, value);
        }
    }
    if let Some(reset) = user.last_password_reset {
        body.insert("last_password_reset".into(), timestamp(reset).into());
    }
    if let Some(login) = user.last_login {
        body.insert("last_login".into(), timestamp(login).into());
    }
    if user.logins_count > 0 {
        body.insert("logins_count".into(), user.logins_count.into());
    }
    if !user.app_metadata.is_empty() {
        body.insert("app_metadata".into(), Value::Object(user.app_metadata.clone()));
    }
    Value::Object(body)
}

/// The names `fields` may list (doc: OAS pattern of `GET /users/{id}`, in its order).
pub(super) const USER_FIELDS: &[&str] = &[
    "phone_number",
    "email",
    "email_verified",
    "picture",
    "username",
    "user_id",
    "name",
    "nickname",
    "created_at",
    "identities",
    "app_metadata",
    "user_metadata",
    "last_ip",
    "last_login",
    "logins_count",
    "updated_at",
    "blocked",
    "family_name",
    "given_name",
];

/// The documented description of the `fields` parameter of the user read endpoints.
pub(super) const FIELDS_DESCRIPTION: &str = "Comma-separated list of fields to include or exclude (based on value provided \
                                      for include_fields) in the result. Leave empty to retrieve all fields.";

/// `fields` must list known user fields (facts `auth0.md` §11: the provider's pattern check).
pub(super) fn check_fields(fields: Option<&str>, description: &str) -> Result<(), MgmtError> {
    let Some(fields) = fields.filter(|f| !f.is_empty()) else {
        return Ok(());
    };
    if fields.split(',').all(|name| USER_FIELDS.contains(&name)) {
        return Ok(());
    }
    Err(MgmtError::QueryValidation {
        findings: vec![Finding {
            violation: Violation::FieldsList {
                value: fields.to_owned(),
                allowed: USER_FIELDS,
            },
            property: Some(("fields".into(), Some(description.to_owned()))),
        }],
    })
}

/// `fields=a,b` keeps (or, with `include_fields=false`, drops) the named top-level fields.
pub(super) fn select_fields(user: Value, fields: Option<&str>, include: Option<bool>) -> Value {
    let Some(fields) = fields.filter(|f| !f.is_empty()) else {
        return user;
    };
    let names: Vec<&str> = fields.split(',').map(str::trim).collect();
    let include = include.unwrap_or(true);
    match user {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| names.contains(&k.as_str()) == include)
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_selection_includes_or_excludes() {
        let user = json!({"a": 1, "b": 2, "c": 3});
        assert_eq!(select_fields(user.clone(), Some("a,c"), None), json!({"a": 1, "c": 3}));
        assert_eq!(
            select_fields(user.clone(), Some("a"), Some(false)),
            json!({"b": 2, "c": 3})
        );
        assert_eq!(select_fields(user.clone(), Some(""), None), user);
    }
}
