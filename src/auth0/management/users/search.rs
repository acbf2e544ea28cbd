//! `GET /api/v2/users`: list and search users with search engine v3 (facts `auth0-users.md` §2).
//!
//! The handler extracts and calls [`search`]; `q` is parsed by `query`, then compiled here
//! against the user index's fields ([`Compiled`]), which is where unknown fields and the
//! documented restrictions (short leading wildcards, wildcards and ranges on metadata) are
//! refused. Matching checks the users an exact-value index names when the query's exact terms
//! allow it (`tenant/users.rs`), and scans the tenant's users otherwise.
//!
//! A search runs on a snapshot of the users taken under the tenant lock ([`Users::snapshot`]),
//! on the blocking pool, with the lock released: a slow search holds up no other request of the
//! tenant. It runs within the tenant's time budget (fixture `search_timeout_ms`, 2 s by default
//! as Auth0 documents), charged per term tested ([`Budget`]); past it, the provider's 503.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::LazyLock;
use std::time::Duration;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth0::management::extract::{BodySchema, MgmtQuery, ScopeSet, Scoped};
use crate::auth0::management::payload::Schema;
use crate::auth0::management::users::query::{self, Bound, Query, Wildcard, literal_prefix_len};
use crate::auth0::management::users::{FIELDS_DESCRIPTION, check_fields, ok_json, select_fields, user_json};
use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::users::User;
use crate::auth0::tenant::users::Users;
use crate::auth0::wire::era::WireEra;
use crate::auth0::wire::format::timestamp;
use crate::auth0::wire::mgmt_error::{MgmtError, SearchProblem};
use crate::core::budget::{Budget, Spent};

/// Scopes of `GET /users` (doc: OAS; order inf, the read endpoints' first two).
pub(in crate::auth0::management) struct ListUsers;
impl ScopeSet for ListUsers {
    const ANY_OF: &'static [&'static str] = &["read:users", "read:user_idp_tokens"];
}

/// Results a search may page through (obs: the `invalid_paging` message).
pub(in crate::auth0::management) const RESULT_WINDOW: u64 = 1000;
/// `per_page` when absent (doc: OAS).
pub(in crate::auth0::management) const DEFAULT_PER_PAGE: u64 = 50;
/// Literal characters a leading wildcard needs (doc: DOC-search).
const LEADING_WILDCARD_MIN: usize = 3;

/// The documented query parameters.
#[derive(Debug, Default, Deserialize)]
pub(in crate::auth0::management) struct ListUsersQuery {
    page: Option<u64>,
    per_page: Option<u64>,
    include_totals: Option<bool>,
    sort: Option<String>,
    connection: Option<String>,
    fields: Option<String>,
    include_fields: Option<bool>,
    q: Option<String>,
    search_engine: Option<String>,
    #[allow(dead_code)]
    primary_order: Option<bool>,
}

static LIST_SCHEMA: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile(include_str!("../schemas/user_list_query.json")));

impl BodySchema for ListUsersQuery {
    fn schema() -> &'static Schema {
        &LIST_SCHEMA
    }
}

#[tracing::instrument(skip_all)]
pub(in crate::auth0::management) async fn list(
    State(tenant): State<Tenant>,
    _caller: Scoped<ListUsers>,
    MgmtQuery(query): MgmtQuery<ListUsersQuery>,
) -> Result<Response, MgmtError> {
    let (users, timeout, era) = {
        let state = tenant.state();
        (state.users().snapshot(), state.search_timeout(), state.era())
    };
    let answer = tokio::task::spawn_blocking(move || search(&users, &query, timeout, era))
        .await
        .unwrap_or_else(|failed| std::panic::resume_unwind(failed.into_panic()))?;
    Ok(ok_json(&answer))
}

/// The answer of `GET /users` for `params` over `users`: a bare array, or the paged object with
/// totals, in the shapes of `era`; past `timeout`, the provider's 503.
pub(in crate::auth0::management) fn search(
    users: &Users,
    params: &ListUsersQuery,
    timeout: Duration,
    era: WireEra,
) -> Result<Value, MgmtError> {
    let mut budget = Budget::new(timeout);
    match params.search_engine.as_deref() {
        Some("v1") => return Err(MgmtError::SearchEngineNotAllowed { engine: "v1" }),
        Some("v2") => return Err(MgmtError::SearchEngineNotAllowed { engine: "v2" }),
        _ => {}
    }
    // obs: `connection` is v1's filter; any use of it is refused like v1 itself.
    if params.connection.is_some() {
        return Err(MgmtError::SearchEngineNotAllowed { engine: "v1" });
    }
    check_fields(params.fields.as_deref(), FIELDS_DESCRIPTION)?;
    let page = params.page.unwrap_or(0);
    let per_page = params.per_page.unwrap_or(DEFAULT_PER_PAGE);
    let reach = page.checked_add(1).and_then(|p| p.checked_mul(per_page));
    if reach.is_none_or(|reach| reach > RESULT_WINDOW) {
        return Err(MgmtError::InvalidPaging);
    }
    let timed_out = |Spent| MgmtError::SearchTimeout {
        budget_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
    };
    let filter = compile_q(params.q.as_deref().unwrap_or_default())?;
    let mut hits = matching(users, filter.as_ref(), true, &mut budget).map_err(timed_out)?;
    budget.check().map_err(timed_out)?;
    if let Some((field, descending)) = params.sort.as_deref().and_then(sort_key) {
        hits.sort_by(|a, b| {
            let order = compare_field(a, b, &field);
            if descending { order.reverse() } else { order }
        });
    }
    let total = hits.len();
    let start = (page * per_page) as usize;
    let users: Vec<Value> = hits
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .map(|u| select_fields(user_json(u, era), params.fields.as_deref(), params.include_fields))
        .collect();
    if params.include_totals == Some(true) {
        Ok(json!({
            "start": start,
            "limit": per_page,
            "length": users.len(),
            "users": users,
            "total": total,
        }))
    } else {
        Ok(Value::Array(users))
    }
}

/// The users `filter` matches, newest first (obs: the default order, and the one an unknown sort
/// field falls back to); users are stored in creation order. With `use_index`, a query whose
/// exact terms an index can answer only checks the users the index names; the answer is the
/// same as the scan's. Each user tested is charged the query's weight to `budget`.
fn matching<'a>(
    users: &'a Users,
    filter: Option<&Compiled>,
    use_index: bool,
    budget: &mut Budget,
) -> Result<Vec<&'a User>, Spent> {
    let Some(filter) = filter else {
        return Ok(users.iter().rev().collect());
    };
    let weight = filter.weight();
    let mut test = |u: &User| budget.charge(weight).map(|()| filter.matches(u));
    let candidates = if use_index && users.index_warm() {
        filter.0.candidates(users)
    } else {
        None
    };
    match candidates {
        Some(mut positions) => {
            positions.sort_unstable_by(|a, b| b.cmp(a));
            positions.dedup();
            let mut hits = Vec::new();
            for position in positions {
                let user = &users[position];
                if test(user)? {
                    hits.push(user);
                }
            }
            Ok(hits)
        }
        None => {
            let mut hits = Vec::new();
            for user in users.iter().rev() {
                if test(user)? {
                    hits.push(user);
                }
            }
            Ok(hits)
        }
    }
}

/// Parses and compiles `q`; a blank query is no filter.
fn compile_q(q: &str) -> Result<Option<Compiled>, MgmtError> {
    let parsed = query::parse(q).map_err(|e| MgmtError::SearchQuery {
        problem: SearchProblem::Syntax {
            reason: e.reason,
            at: e.at,
        },
    })?;
    parsed.map(|q| Compiled::new(&q)).transpose()
}

/// `field:1` / `field:-1` (the schema checked the shape); `None` for fields that do not sort.
fn sort_key(sort: &str) -> Option<(Field, bool)> {
    let (name, order) = sort.rsplit_once(':')?;
    let field = Field::resolve(name).ok()?;
    if matches!(field, Field::Metadata { .. } | Field::Identities(_)) {
        return None;
    }
    Some((field, order == "-1"))
}

fn compare_field(a: &User, b: &User, field: &Field) -> Ordering {
    match field {
        Field::LoginsCount => a.logins_count.cmp(&b.logins_count),
        Field::CreatedAt => a.created_at.cmp(&b.created_at),
        Field::UpdatedAt => a.updated_at.cmp(&b.updated_at),
        Field::LastLogin => a.last_login.cmp(&b.last_login),
        other => {
            let first = |u: &User| {
                let mut value = None;
                other.each_value(u, &mut |v| {
                    value = Some(v.to_lowercase());
                    true
                });
                value
            };
            first(a).cmp(&first(b))
        }
    }
}

/// A field of the user index.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    UserId,
    Email,
    EmailDomain,
    EmailVerified,
    Name,
    Nickname,
    GivenName,
    FamilyName,
    Username,
    Picture,
    PhoneNumber,
    PhoneVerified,
    Blocked,
    CreatedAt,
    UpdatedAt,
    LastLogin,
    LastIp,
    LastPasswordReset,
    LoginsCount,
    /// `identities.<name>`.
    Identities(Identity),
    Metadata {
        app: bool,
        path: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Identity {
    Connection,
    Provider,
    UserId,
    IsSocial,
}

/// Fields searched by a term without a field name (inf: the normalised profile's text fields;
/// DOC-search says only that metadata is not among them).
const DEFAULT_FIELDS: &[Field] = &[
    Field::Email,
    Field::Name,
    Field::Nickname,
    Field::GivenName,
    Field::FamilyName,
    Field::Username,
    Field::UserId,
];

impl Field {
    fn resolve(name: &str) -> Result<Field, SearchProblem> {
        let field = match name {
            "user_id" => Field::UserId,
            "email" => Field::Email,
            "email.domain" => Field::EmailDomain,
            "email_verified" => Field::EmailVerified,
            "name" => Field::Name,
            "nickname" => Field::Nickname,
            "given_name" => Field::GivenName,
            "family_name" => Field::FamilyName,
            "username" => Field::Username,
            "picture" => Field::Picture,
            "phone_number" => Field::PhoneNumber,
            "phone_verified" => Field::PhoneVerified,
            "blocked" => Field::Blocked,
            "created_at" => Field::CreatedAt,
            "updated_at" => Field::UpdatedAt,
            "last_login" => Field::LastLogin,
            "last_ip" => Field::LastIp,
            "last_password_reset" => Field::LastPasswordReset,
            "logins_count" => Field::LoginsCount,
            "identities.connection" => Field::Identities(Identity::Connection),
            "identities.provider" => Field::Identities(Identity::Provider),
            "identities.user_id" => Field::Identities(Identity::UserId),
            "identities.isSocial" => Field::Identities(Identity::IsSocial),
            other => {
                let metadata = other
                    .strip_prefix("app_metadata.")
                    .map(|rest| (true, rest))
                    .or_else(|| other.strip_prefix("user_metadata.").map(|rest| (false, rest)));
                match metadata {
                    Some((app, rest)) => Field::Metadata {
                        app,
                        path: rest.split('.').map(str::to_owned).collect(),
                    },
                    None => {
                        return Err(SearchProblem::UnknownField {
                            field: other.to_owned(),
                        });
                    }
                }
            }
        };
        Ok(field)
    }

    /// Case-insensitive fields (doc: DOC-search).
    fn folds_case(&self) -> bool {
        matches!(
            self,
            Field::Email | Field::EmailDomain | Field::Name | Field::GivenName | Field::FamilyName | Field::Nickname
        )
    }

    fn is_date(&self) -> bool {
        matches!(
            self,
            Field::CreatedAt | Field::UpdatedAt | Field::LastLogin | Field::LastPasswordReset
        )
    }

    /// Calls `f` with each indexed value of the field until it returns true; returns whether it
    /// did. Absent, empty and null values are not indexed (doc: DOC-search).
    fn each_value(&self, user: &User, f: &mut dyn FnMut(&str) -> bool) -> bool {
        let text = |value: Option<&str>, f: &mut dyn FnMut(&str) -> bool| value.is_some_and(|v| !v.is_empty() && f(v));
        match self {
            Field::UserId => f(&user.user_id),
            Field::Email => text(Some(&user.email), f),
            Field::EmailDomain => text(user.email.rsplit_once('@').map(|(_, d)| d), f),
            Field::EmailVerified => f(if user.email_verified { "true" } else { "false" }),
            Field::Name => text(Some(&user.name), f),
            Field::Nickname => text(Some(&user.nickname), f),
            Field::GivenName => text(user.given_name.as_deref(), f),
            Field::FamilyName => text(user.family_name.as_deref(), f),
            Field::Username => text(user.username.as_deref(), f),
            Field::Picture => text(Some(&user.picture.url()), f),
            Field::PhoneNumber | Field::PhoneVerified | Field::LastIp => false,
            // Only administrative blocks are indexed, and only when set (doc: DOC-search).
            Field::Blocked => user.is_blocked() && f("true"),
            Field::CreatedAt => f(&timestamp(user.created_at)),
            Field::UpdatedAt => f(&timestamp(user.updated_at)),
            Field::LastLogin => user.last_login.is_some_and(|at| f(&timestamp(at))),
            Field::LastPasswordReset => user.last_password_reset.is_some_and(|at| f(&timestamp(at))),
            Field::LoginsCount => user.logins_count > 0 && f(&user.logins_count.to_string()),
            Field::Identities(which) => match which {
                Identity::Connection => f(&user.connection),
                Identity::Provider => f(user.provider()),
                Identity::UserId => f(user.identity_id()),
                Identity::IsSocial => f("false"),
            },
            Field::Metadata { app, path } => {
                let root = if *app { &user.app_metadata } else { &user.user_metadata };
                let mut node = Some(root);
                let (last, parents) = path.split_last().expect("a metadata path has a segment");
                for segment in parents {
                    node = node.and_then(|n| n.get(segment)).and_then(Value::as_object);
                }
                node.and_then(|n| n.get(last)).is_some_and(|value| each_leaf(value, f))
            }
        }
    }
}

/// Arrays are flattened; objects, nulls and empty strings are not indexed.
fn each_leaf(value: &Value, f: &mut dyn FnMut(&str) -> bool) -> bool {
    match value {
        Value::String(s) => !s.is_empty() && f(s),
        Value::Bool(b) => f(if *b { "true" } else { "false" }),
        Value::Number(n) => f(&n.to_string()),
        Value::Array(items) => items.iter().any(|item| each_leaf(item, f)),
        Value::Object(_) | Value::Null => false,
    }
}

/// A query bound to the index: fields resolved, needles folded.
#[derive(Debug)]
pub(in crate::auth0::management) struct Compiled(Node);

#[derive(Debug)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    Exists(Field),
    Match { fields: Vec<Field>, test: Test },
}

#[derive(Debug)]
enum Test {
    Equals(String),
    /// Compiled once per query, not once per user tested.
    Wildcard(Wildcard),
    Range {
        lower: Bound,
        upper: Bound,
    },
}

impl Compiled {
    pub fn new(query: &Query) -> Result<Self, MgmtError> {
        compile(query)
            .map(Compiled)
            .map_err(|problem| MgmtError::SearchQuery { problem })
    }

    pub fn matches(&self, user: &User) -> bool {
        self.0.matches(user)
    }

    /// What testing one user costs, in budget units: one per field a term looks at.
    fn weight(&self) -> u64 {
        self.0.weight()
    }
}

fn compile(query: &Query) -> Result<Node, SearchProblem> {
    Ok(match query {
        Query::Or(parts) => Node::Or(parts.iter().map(compile).collect::<Result<_, _>>()?),
        Query::And(parts) => Node::And(parts.iter().map(compile).collect::<Result<_, _>>()?),
        Query::Not(inner) => Node::Not(Box::new(compile(inner)?)),
        Query::Exists(name) => Node::Exists(Field::resolve(name)?),
        Query::Term { field, value } => {
            let fields = match field {
                Some(name) => vec![Field::resolve(name)?],
                None => DEFAULT_FIELDS.to_vec(),
            };
            let metadata = fields.iter().any(|f| matches!(f, Field::Metadata { .. }));
            let test = match value {
                query::Value::Exact(text) | query::Value::Phrase(text) => Test::Equals(text.clone()),
                query::Value::Wildcard(pattern) if pattern == "*" => {
                    // `field:*`: the field has a value (the one wildcard metadata allows).
                    return Ok(match fields.as_slice() {
                        [one] => Node::Exists(one.clone()),
                        _ => Node::Or(fields.into_iter().map(Node::Exists).collect()),
                    });
                }
                query::Value::Wildcard(pattern) => {
                    if metadata {
                        return Err(SearchProblem::Unsupported {
                            what: "wildcards cannot be used on metadata fields".into(),
                        });
                    }
                    let literals = pattern.chars().filter(|c| !matches!(c, '*' | '?' | '\\')).count();
                    if literal_prefix_len(pattern) == 0 && literals < LEADING_WILDCARD_MIN {
                        return Err(SearchProblem::Unsupported {
                            what: format!(
                                "a leading wildcard needs at least {LEADING_WILDCARD_MIN} other characters: {pattern}"
                            ),
                        });
                    }
                    Test::Wildcard(Wildcard::new(pattern))
                }
                query::Value::Range { lower, upper } => {
                    if metadata {
                        return Err(SearchProblem::Unsupported {
                            what: "ranges cannot be used on metadata fields".into(),
                        });
                    }
                    Test::Range {
                        lower: lower.clone(),
                        upper: upper.clone(),
                    }
                }
            };
            Node::Match { fields, test }
        }
    })
}

impl Node {
    /// Positions of a superset of the users this node matches, when indexes can say: exact
    /// terms, ASCII text with a trailing `*`, and AND / OR over them. `None` means "scan".
    fn candidates(&self, users: &Users) -> Option<Vec<usize>> {
        match self {
            Node::Match {
                fields,
                test: Test::Equals(needle),
            } => {
                let mut positions = Vec::new();
                for field in fields {
                    let fold = field.folds_case();
                    let postings = users.postings(&format!("{field:?}"), |user, sink| {
                        field.each_value(user, &mut |value| {
                            sink(&index_form(value, fold));
                            false
                        });
                    });
                    positions.extend(postings.candidates(&index_form(needle, fold)));
                }
                Some(positions)
            }
            // `field:text*` (ASCII text): the values that start with it, character by
            // character as the pattern compares them.
            Node::Match {
                fields,
                test: Test::Wildcard(pattern),
            } => {
                let prefix = pattern.ascii_prefix()?;
                let mut positions = Vec::new();
                for field in fields {
                    let fold = field.folds_case();
                    let sorted = users.sorted(&format!("{field:?}"), |user, sink| {
                        field.each_value(user, &mut |value| {
                            sink(&Wildcard::normalized(value, fold));
                            false
                        });
                    });
                    positions.extend(sorted.with_prefix(&Wildcard::normalized(prefix, fold)));
                }
                Some(positions)
            }
            Node::And(parts) => parts
                .iter()
                .filter_map(|part| part.candidates(users))
                .min_by_key(Vec::len),
            Node::Or(parts) => {
                let mut positions = Vec::new();
                for part in parts {
                    positions.extend(part.candidates(users)?);
                }
                Some(positions)
            }
            Node::Not(_) | Node::Exists(_) | Node::Match { .. } => None,
        }
    }

    fn weight(&self) -> u64 {
        match self {
            Node::Or(parts) | Node::And(parts) => parts.iter().map(Node::weight).sum(),
            Node::Not(inner) => inner.weight(),
            Node::Exists(_) => 1,
            Node::Match { fields, .. } => fields.len() as u64,
        }
    }

    fn matches(&self, user: &User) -> bool {
        match self {
            Node::Or(parts) => parts.iter().any(|p| p.matches(user)),
            Node::And(parts) => parts.iter().all(|p| p.matches(user)),
            Node::Not(inner) => !inner.matches(user),
            Node::Exists(field) => field.each_value(user, &mut |_| true),
            Node::Match { fields, test } => fields.iter().any(|field| {
                let fold = field.folds_case();
                field.each_value(user, &mut |value| test.accepts(field, value, fold))
            }),
        }
    }
}

impl Test {
    fn accepts(&self, field: &Field, value: &str, fold: bool) -> bool {
        match self {
            Test::Equals(needle) if fold => value.eq_ignore_ascii_case(needle) || fold_eq(value, needle),
            Test::Equals(needle) => value == needle,
            Test::Wildcard(pattern) => pattern.matches(value, fold),
            Test::Range { lower, upper } => {
                in_range(field, value, lower, Ordering::is_ge, Ordering::is_gt)
                    && in_range(field, value, upper, Ordering::is_le, Ordering::is_lt)
            }
        }
    }
}

/// A value as an index holds it and a lookup asks for it: lower-cased on case-insensitive
/// fields, where `Test::Equals` is equality of the lower-cased texts.
fn index_form(value: &str, fold: bool) -> Cow<'_, str> {
    if fold && value.chars().any(|c| !c.is_ascii() || c.is_ascii_uppercase()) {
        Cow::Owned(value.to_lowercase())
    } else {
        Cow::Borrowed(value)
    }
}

/// Unicode case-insensitive equality; two ASCII strings were already compared by
/// `eq_ignore_ascii_case`, so only non-ASCII text pays for lowercasing (a search scans every
/// user, and this runs for each one that does not match).
fn fold_eq(a: &str, b: &str) -> bool {
    !(a.is_ascii() && b.is_ascii()) && a.to_lowercase() == b.to_lowercase()
}

/// One side of a range. Numbers compare as numbers; dates compare on the bound's precision
/// (`[2020 TO 2021]` covers all of 2021, as date rounding does); everything else as text.
fn in_range(
    field: &Field,
    value: &str,
    bound: &Bound,
    inclusive: fn(Ordering) -> bool,
    exclusive: fn(Ordering) -> bool,
) -> bool {
    let (limit, accept) = match bound {
        Bound::Open => return true,
        Bound::Inclusive(limit) => (limit, inclusive),
        Bound::Exclusive(limit) => (limit, exclusive),
    };
    let order = match (value.parse::<f64>(), limit.parse::<f64>()) {
        (Ok(v), Ok(l)) if !field.is_date() => v.partial_cmp(&l).unwrap_or(Ordering::Equal),
        _ if field.is_date() => {
            let prefix: Cow<str> = value.chars().take(limit.chars().count()).collect::<String>().into();
            prefix.as_ref().cmp(limit.as_str())
        }
        _ => value.cmp(limit.as_str()),
    };
    accept(order)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use crate::auth0::tenant::seed::Fixture;
    use crate::core::clock::Clock;

    const PLANS: [&str; 4] = ["free", "team", "business", "enterprise"];

    fn users(count: usize) -> Users {
        let seeded = Fixture::default_auth0()
            .state(&Clock::manual(datetime!(2026-01-01 00:00 UTC)))
            .expect("the default fixture seeds");
        let mut users = Users::default();
        for i in 0..count {
            users.push(user(&seeded.users()[0], i));
        }
        users
    }

    fn user(template: &User, i: usize) -> User {
        let mut user = template.clone();
        user.user_id = format!("auth0|{i:024x}");
        user.email = match i % 3 {
            0 => format!("user{i}@example.com"),
            1 => format!("User{i}@Example.COM"),
            _ => format!("Émile{i}@exämple.com"),
        };
        user.name = format!("Name {}", i % 10);
        user.app_metadata = json!({
            "plan": PLANS[i % 4],
            "n": i % 7,
            "tags": [format!("t{}", i % 3), "all"],
            "org": {"id": format!("o{}", i % 5)},
        })
        .as_object()
        .cloned()
        .expect("an object");
        user
    }

    const QUERIES: &[&str] = &[
        r#"email:"user3@example.com""#,
        r#"email:"USER4@example.com""#,
        "email:user4@example.com",
        r#"email:"émile5@EXÄMPLE.com""#,
        r#"email:"nobody@example.com""#,
        "app_metadata.plan:team",
        r#"app_metadata.plan:"Team""#,
        "app_metadata.n:3",
        "app_metadata.tags:t1",
        "app_metadata.tags:all",
        "app_metadata.org.id:o2",
        "app_metadata.plan:free AND app_metadata.n:4",
        "app_metadata.plan:free OR email:user7@example.com",
        "app_metadata.plan:free AND NOT app_metadata.tags:t0",
        "app_metadata.plan:free OR email:user1*",
        "NOT app_metadata.plan:free",
        r#""name 3""#,
        "email:user1*",
        r#"user_id:"auth0|00000000000000000000000a""#,
        "email.domain:example.com AND app_metadata.plan:business",
        "app_metadata.plan:gold",
        "email:renamed@example.com",
        "email:USER1*",
        "email:émile*",
        "email:ixy*",
        "email:us?r1*",
        "name:Name*",
        "name:nAME*",
        r#"user_id:auth0|00000000000000000000001*"#,
        "email:user1* AND app_metadata.plan:team",
        "email:user1* OR email:ren*",
        "email:zzz*",
    ];

    fn ids(users: &Users, query: &str, use_index: bool) -> Vec<String> {
        let filter = compile_q(query).expect(query);
        matching(
            users,
            filter.as_ref(),
            use_index,
            &mut Budget::new(Duration::from_secs(3_600)),
        )
        .expect("within an hour")
        .into_iter()
        .map(|u| u.user_id.clone())
        .collect()
    }

    /// Every query answers the same through the indexes as by scan, and at least one user.
    fn agree(users: &Users) {
        users.index_warm();
        assert!(users.index_warm(), "indexes in use");
        for query in QUERIES {
            let scanned = ids(users, query, false);
            assert_eq!(ids(users, query, true), scanned, "{query}");
        }
    }

    #[test]
    fn indexed_and_scanned_answers_agree_through_creates_updates_and_deletes() {
        let mut users = users(120);
        // Lower-cased, `İ` is two characters; the wildcard compares its first, `i`.
        let mut dotted = user(&users[0].clone(), 122);
        dotted.email = "İXY@example.com".into();
        users.push(dotted);
        assert_eq!(ids(&users, "email:ixy*", false).len(), 1);
        let exact = compile_q(r#"email:"user3@example.com""#).unwrap().unwrap();
        users.index_warm();
        assert_eq!(
            exact.0.candidates(&users).map(|c| c.len()),
            Some(1),
            "an exact email is answered by the index"
        );
        agree(&users);
        assert_eq!(ids(&users, "app_metadata.plan:team", true).len(), 30);

        let template = users[0].clone();
        users.push(user(&template, 500));
        users.push(user(&template, 501));
        agree(&users);
        assert_eq!(ids(&users, r#"email:"user501@example.com""#, true).len(), 1);

        let patched = users.find_mut(|u| u.email == "user3@example.com").expect("user 3");
        patched.email = "renamed@example.com".into();
        patched.app_metadata.insert("plan".into(), json!("gold"));
        agree(&users);
        assert!(ids(&users, r#"email:"user3@example.com""#, true).is_empty());
        assert_eq!(ids(&users, "app_metadata.plan:gold", true).len(), 1);

        users.retain(|u| !u.email.ends_with("9@example.com"));
        agree(&users);
        assert!(ids(&users, "email:user9@example.com", true).is_empty());
        assert_eq!(ids(&users, "email:user12@example.com", true).len(), 1);
    }

    #[test]
    fn a_search_past_its_budget_answers_the_timeout_error() {
        let users = users(50);
        let params = ListUsersQuery {
            q: Some("email:user1* OR name:Nam*e*".into()),
            ..ListUsersQuery::default()
        };
        assert!(search(&users, &params, Duration::from_secs(3_600), WireEra::NEWEST).is_ok());
        let refused = search(&users, &params, Duration::ZERO, WireEra::NEWEST).expect_err("no budget");
        assert!(
            matches!(refused, MgmtError::SearchTimeout { budget_ms: 0 }),
            "{refused:?}"
        );
    }

    #[test]
    fn only_exact_terms_ascii_prefixes_and_their_combinations_use_indexes() {
        let users = users(10);
        let indexed = |query: &str| compile_q(query).unwrap().unwrap().0.candidates(&users).is_some();
        assert!(indexed("email:a@b.c AND email:x?y*"));
        assert!(indexed("email:a@b.c OR app_metadata.plan:team"));
        assert!(indexed("email:a@b.c OR email:x*"));
        assert!(!indexed("email:a@b.c OR email:x?y*"));
        assert!(!indexed("email:émile*"));
        assert!(!indexed("email:*example.com"));
        assert!(!indexed("NOT email:a@b.c"));
        assert!(!indexed("_exists_:email"));
        assert!(!indexed("created_at:[2020 TO *]"));
    }
}
