//! The Entity API's domain: records as the entity type describes them, how a call addresses
//! one, and find / count / create / update / replace / delete over the app's records.
//!
//! Facts: `shared/providers/janrain-entity.md` §1.2 (addressing), §1.3 (calls and bodies),
//! §1.4 (filter). The handlers (`entity.rs`) read parameters and call one function here; every
//! error is an [`EntityError`] or a [`JanrainError`]. Depends on `app`, `schema`, `filter`.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::app::{JanrainState, Record};
use super::entity_error::{BAD_JSON, EntityError, FILTER_UNKNOWN_ATTRIBUTE};
use super::error::JanrainError;
use super::extract::Params;
use super::filter::{Filter, FilterError};
use super::schema::{AttributeType, EntityType, SYSTEM_ATTRIBUTES, ValueProblem};

/// `created` and `lastUpdated` of the fixture's records when the fixture does not say
/// (inf: a fixed time keeps seeded bodies stable; the flow version's date).
pub const SEED_TIME: &str = "2026-01-05 10:00:00.000000 +0000";

/// The most records one `entity.find` page returns, and the default page size (obs conflict:
/// datalib says "cannot be higher than 10000", ForgeRock sends 50000; authmock clamps to
/// 10000 rather than refusing, so both clients work; the default is NOT FOUND).
pub const MAX_RESULTS: usize = 10_000;

/// The attributes the original record struct holds as fields (the rest live in `attrs`).
const FIELD_ATTRIBUTES: &[&str] = &["id", "uuid", "email", "givenName", "familyName", "displayName"];

/// Capture's time format with microseconds (facts §1.3: `2015-11-15 01:58:01.862312 +0000`).
pub fn capture_time(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6] +0000");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| SEED_TIME.to_owned())
}

/// The stored attributes of a fixture record: its `attributes` checked against the entity
/// type, with `created` / `lastUpdated` defaulting to [`SEED_TIME`].
pub fn seed_attributes(schema: &EntityType, given: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut attrs = Map::new();
    for (name, value) in given {
        if FIELD_ATTRIBUTES.contains(&name.as_str()) {
            return Err(format!("{name} is written as a record field, not under attributes"));
        }
        let def = schema
            .attributes
            .iter()
            .find(|d| &d.name == name)
            .ok_or_else(|| format!("the entity type declares no attribute {name}"))?;
        EntityType::check_value(def, value, &format!("/{name}")).map_err(|p| format!("{p:?}"))?;
        attrs.insert(name.clone(), value.clone());
    }
    for name in ["created", "lastUpdated"] {
        attrs.entry(name).or_insert_with(|| Value::from(SEED_TIME));
    }
    Ok(attrs)
}

impl Record {
    /// A top-level attribute's value (`Null` when unset).
    pub fn attribute(&self, name: &str) -> Value {
        let text = |s: &str| if s.is_empty() { Value::Null } else { Value::from(s) };
        match name {
            "id" => Value::from(self.id),
            "uuid" => Value::from(self.uuid.as_str()),
            "email" => text(&self.email),
            "givenName" => text(&self.given_name),
            "familyName" => text(&self.family_name),
            "displayName" => text(&self.display_name),
            other => self.attrs.get(other).cloned().unwrap_or(Value::Null),
        }
    }

    /// The value at a dotted path (`primaryAddress.city`).
    pub fn at_path(&self, path: &str) -> Value {
        let mut parts = path.split('.');
        let first = self.attribute(parts.next().unwrap_or_default());
        parts
            .try_fold(first, |value, part| value.get(part).cloned())
            .unwrap_or(Value::Null)
    }

    /// Stores a top-level attribute (`Null` clears it).
    fn store(&mut self, name: &str, value: Value) {
        let text = || value.as_str().unwrap_or_default().to_owned();
        match name {
            "id" | "uuid" => {}
            "email" => self.email = text(),
            "givenName" => self.given_name = text(),
            "familyName" => self.family_name = text(),
            "displayName" => self.display_name = text(),
            other => {
                self.attrs.insert(other.to_owned(), value);
            }
        }
    }

    /// The whole record in schema order, objects with every member (facts §1.3: unset values
    /// are `null`).
    pub fn view(&self, schema: &EntityType) -> Map<String, Value> {
        schema
            .attributes
            .iter()
            .map(|def| {
                let value = self.attribute(&def.name);
                (def.name.clone(), shape(def, value))
            })
            .collect()
    }
}

/// An object attribute with all its members (null when unset), other values as stored.
fn shape(def: &super::schema::AttributeDef, value: Value) -> Value {
    if def.kind != AttributeType::Object {
        return value;
    }
    let stored = value.as_object();
    Value::Object(
        def.attributes
            .iter()
            .map(|member| {
                let v = stored.and_then(|o| o.get(&member.name)).cloned().unwrap_or(Value::Null);
                (member.name.clone(), shape(member, v))
            })
            .collect(),
    )
}

/// How a call names its record (facts §1.2).
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    Uuid(String),
    Id(u64),
    /// `key_attribute` + `key_value` (a JSON literal).
    Key {
        attribute: String,
        value: Value,
    },
}

impl Selector {
    /// Exactly one of `uuid`, `id`, `key_attribute`+`key_value`.
    pub fn from_params(params: &Params, schema: &EntityType) -> Result<Self, JanrainError> {
        let given = |name: &str| params.get(name).filter(|v| !v.is_empty());
        let named: Vec<&str> = ["id", "uuid", "key_attribute"]
            .into_iter()
            .filter(|n| given(n).is_some())
            .collect();
        if named.len() > 1 {
            return Err(EntityError::DuplicateArgument {
                names: named.join(", "),
            }
            .into());
        }
        if let Some(uuid) = given("uuid") {
            return Ok(Self::Uuid(uuid.to_owned()));
        }
        if let Some(id) = given("id") {
            return id
                .trim()
                .parse()
                .map(Self::Id)
                .map_err(|_| invalid_arg("id", "id must be an integer"));
        }
        if let Some(attribute) = given("key_attribute") {
            let def = schema.attributes.iter().find(|d| d.name == attribute).ok_or_else(|| {
                EntityError::UnknownAttribute {
                    path: attribute.to_owned(),
                }
            })?;
            if !def.unique && def.kind != AttributeType::Id && def.kind != AttributeType::Uuid {
                return Err(invalid_arg(
                    "key_attribute",
                    &format!("{attribute} is not a unique attribute; only unique attributes address a record"),
                ));
            }
            let raw = params.require("key_value")?;
            let value: Value = serde_json::from_str(raw).map_err(|_| EntityError::NotValid {
                argument: "key_value".into(),
                reason: BAD_JSON.into(),
                hint: "key_value is a JSON literal: wrap strings in double quotes, e.g. \"a@b.c\"".into(),
            })?;
            return Ok(Self::Key {
                attribute: attribute.to_owned(),
                value,
            });
        }
        // The documented older form names `uuid` (jr §2 [S3]).
        Err(JanrainError::MissingArgument {
            name: "uuid".into(),
            in_query: false,
        })
    }

    fn matches(&self, record: &Record) -> bool {
        match self {
            Self::Uuid(uuid) => &record.uuid == uuid,
            Self::Id(id) => record.id == *id,
            Self::Key { attribute, value } => {
                let held = record.attribute(attribute);
                match (attribute.as_str(), &held, value) {
                    ("email", Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
                    _ => !held.is_null() && &held == value,
                }
            }
        }
    }
}

fn invalid_arg(name: &str, why: &str) -> JanrainError {
    JanrainError::InvalidArgument {
        name: name.to_owned(),
        description: format!("{name} was not valid for the following reason: {why}"),
        hint: why.to_owned(),
    }
}

/// `type_name` must name the app's entity type.
pub fn check_type(params: &Params, schema: &EntityType) -> Result<(), JanrainError> {
    let type_name = params.require("type_name")?;
    if type_name != schema.name {
        return Err(EntityError::UnknownEntityType {
            type_name: type_name.to_owned(),
        }
        .into());
    }
    Ok(())
}

/// The index of the record a selector names.
pub fn locate(state: &JanrainState, selector: &Selector) -> Result<usize, JanrainError> {
    state.records.iter().position(|r| selector.matches(r)).ok_or_else(|| {
        EntityError::RecordNotFound {
            hint: format!("no record matches {selector:?}"),
        }
        .into()
    })
}

/// Optional `created` / `lastUpdated` guards (facts §1.2, 330).
pub fn check_guards(record: &Record, params: &Params) -> Result<(), JanrainError> {
    for name in ["created", "lastUpdated"] {
        if let Some(supplied) = params.get(name).filter(|v| !v.is_empty()) {
            let actual = record.attribute(name);
            let actual = actual.as_str().unwrap_or_default();
            if actual != supplied {
                return Err(EntityError::TimestampMismatch {
                    attribute: name.to_owned(),
                    actual: actual.to_owned(),
                    supplied: supplied.to_owned(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// A JSON argument, refused with the documented "isnot syntactically valid" text.
fn json_arg(params: &Params, name: &str) -> Result<Option<Value>, JanrainError> {
    match params.get(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => serde_json::from_str(raw).map(Some).map_err(|e| {
            EntityError::NotValid {
                argument: name.to_owned(),
                reason: BAD_JSON.into(),
                hint: format!("{name} is not JSON: {e}"),
            }
            .into()
        }),
    }
}

fn not_valid(argument: &str, reason: &str) -> JanrainError {
    EntityError::NotValid {
        argument: argument.to_owned(),
        reason: reason.to_owned(),
        hint: format!("{argument}: {reason}"),
    }
    .into()
}

/// The `attributes` list of `/entity` and `entity.find`: dotted names the schema declares.
fn attribute_list(params: &Params, schema: &EntityType) -> Result<Option<Vec<String>>, JanrainError> {
    let Some(value) = json_arg(params, "attributes")? else {
        return Ok(None);
    };
    let Some(items) = value.as_array() else {
        return Err(not_valid("attributes", "expected a JSON array of attribute names"));
    };
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let Some(name) = item.as_str() else {
            return Err(not_valid("attributes", "expected a JSON array of attribute names"));
        };
        if schema.lookup(name).is_none() {
            return Err(EntityError::UnknownAttribute { path: name.to_owned() }.into());
        }
        names.push(name.to_owned());
    }
    Ok(Some(names))
}

/// Only the named (dotted) attributes of a record view, nested as in the record.
fn project(record: &Record, schema: &EntityType, names: &[String]) -> Map<String, Value> {
    let full = record.view(schema);
    let mut out = Map::new();
    for name in names {
        let parts: Vec<&str> = name.split('.').collect();
        let value = parts
            .iter()
            .try_fold(&Value::Object(full.clone()), |v, p| v.get(*p))
            .cloned()
            .unwrap_or(Value::Null);
        insert_path(&mut out, &parts, value);
    }
    out
}

fn insert_path(into: &mut Map<String, Value>, parts: &[&str], value: Value) {
    match parts {
        [] => {}
        [last] => {
            into.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let slot = into
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert_path(inner, rest, value);
            }
        }
    }
}

/// `/entity` server-side: the record, projected, or one attribute's value; with a password
/// check when asked (facts §1.2, §1.3).
pub fn read(state: &JanrainState, params: &Params) -> Result<Value, JanrainError> {
    let schema = &state.entity_type;
    check_type(params, schema)?;
    let selector = Selector::from_params(params, schema)?;
    let names = attribute_list(params, schema)?;
    let record = &state.records[locate(state, &selector)?];
    check_guards(record, params)?;
    if let Some(attribute) = params.get("password_attribute").filter(|v| !v.is_empty()) {
        if attribute != "password" {
            return Err(EntityError::UnknownAttribute {
                path: attribute.to_owned(),
            }
            .into());
        }
        let plain = params.require("password_value")?;
        if !record.password.as_ref().is_some_and(|h| h.matches(plain)) {
            return Err(EntityError::InvalidPassword.into());
        }
    }
    if let Some(path) = params.get("attribute_name").filter(|v| !v.is_empty() && *v != "/") {
        let dotted = slash_to_dotted(path);
        if schema.lookup(&dotted).is_none() {
            return Err(EntityError::UnknownAttribute { path: path.to_owned() }.into());
        }
        let value = Value::Object(record.view(schema));
        let at = dotted
            .split('.')
            .try_fold(&value, |v, p| v.get(p))
            .cloned()
            .unwrap_or(Value::Null);
        return Ok(json!({"result": at, "stat": "ok"}));
    }
    let result = match names {
        Some(names) => project(record, schema, &names),
        None => record.view(schema),
    };
    Ok(json!({"result": result, "stat": "ok"}))
}

/// `/primaryAddress/city` or `primaryAddress.city` → `primaryAddress.city`.
fn slash_to_dotted(path: &str) -> String {
    path.trim_start_matches('/').replace('/', ".")
}

/// The parsed `filter`, refused with the documented texts (facts §1.4).
fn filter_arg(params: &Params, schema: &EntityType) -> Result<Option<Filter>, JanrainError> {
    let Some(text) = params.get("filter").filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    Filter::parse(text, schema).map(Some).map_err(|err| match err {
        FilterError::Contains => EntityError::FilterContains.into(),
        FilterError::UnknownAttribute(path) => EntityError::NotValid {
            argument: "filter".into(),
            reason: FILTER_UNKNOWN_ATTRIBUTE.into(),
            hint: format!("the entity type declares no attribute {path}"),
        }
        .into(),
        // inf: the documented reason text is known only for unknown attributes.
        FilterError::Syntax(why) => EntityError::NotValid {
            argument: "filter".into(),
            reason: format!("syntax error: {why}"),
            hint: format!("the filter does not parse: {why}"),
        }
        .into(),
    })
}

fn matching<'s>(state: &'s JanrainState, filter: Option<&Filter>) -> Vec<&'s Record> {
    let schema = &state.entity_type;
    state
        .records
        .iter()
        .filter(|r| filter.is_none_or(|f| f.matches(schema, &|path: &str| r.at_path(path))))
        .collect()
}

fn positive(params: &Params, name: &str, default: usize) -> Result<usize, JanrainError> {
    match params.get(name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(not_valid(name, "expected a positive integer")),
        },
    }
}

/// `entity.find`: filter, sort, page, project (facts §1.3).
pub fn find(state: &JanrainState, params: &Params) -> Result<Value, JanrainError> {
    let schema = &state.entity_type;
    check_type(params, schema)?;
    let filter = filter_arg(params, schema)?;
    let names = attribute_list(params, schema)?;
    let sort = sort_keys(params, schema)?;
    let max = positive(params, "max_results", MAX_RESULTS)?.min(MAX_RESULTS);
    let first = positive(params, "first_result", 1)?;
    let show_total = params.get("show_total_count") == Some("true");
    let mut found = matching(state, filter.as_ref());
    let total = found.len();
    found.sort_by(|a, b| {
        sort.iter()
            .map(|(path, descending)| {
                let ord = order_values(&a.at_path(path), &b.at_path(path));
                if *descending { ord.reverse() } else { ord }
            })
            .find(|o| *o != Ordering::Equal)
            .unwrap_or_else(|| a.id.cmp(&b.id))
    });
    let results: Vec<Value> = found
        .into_iter()
        .skip(first - 1)
        .take(max)
        .map(|r| {
            Value::Object(match &names {
                Some(names) => project(r, schema, names),
                None => r.view(schema),
            })
        })
        .collect();
    let mut body = Map::new();
    body.insert("result_count".into(), Value::from(results.len()));
    if show_total {
        // inf: the field name is NOT FOUND (facts §1.3); entity.count's `total_count`.
        body.insert("total_count".into(), Value::from(total));
    }
    body.insert("stat".into(), Value::from("ok"));
    body.insert("results".into(), Value::Array(results));
    Ok(Value::Object(body))
}

/// `sort_on`: a JSON array of names, `-` first for descending (facts §1.3).
fn sort_keys(params: &Params, schema: &EntityType) -> Result<Vec<(String, bool)>, JanrainError> {
    let Some(value) = json_arg(params, "sort_on")? else {
        return Ok(Vec::new());
    };
    let items = value
        .as_array()
        .ok_or_else(|| not_valid("sort_on", "expected a JSON array of attribute names"))?;
    items
        .iter()
        .map(|item| {
            let raw = item
                .as_str()
                .ok_or_else(|| not_valid("sort_on", "expected a JSON array of attribute names"))?;
            let (name, descending) = match raw.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (raw, false),
            };
            if schema.lookup(name).is_none() {
                return Err(EntityError::UnknownAttribute { path: name.to_owned() }.into());
            }
            Ok((name.to_owned(), descending))
        })
        .collect()
}

/// Ascending order of stored values: numbers by value, strings by text, nulls last (inf).
fn order_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// `entity.count` (facts §1.3).
pub fn count(state: &JanrainState, params: &Params) -> Result<Value, JanrainError> {
    let schema = &state.entity_type;
    check_type(params, schema)?;
    let filter = filter_arg(params, schema)?;
    let total = matching(state, filter.as_ref()).len();
    Ok(json!({"total_count": total, "stat": "ok"}))
}

/// How a write treats attributes it is not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Create,
    /// Only the given attributes change; objects merge member by member.
    Update,
    /// Attributes not given become null (facts §1.3 `entity.replace`).
    Replace,
}

/// The attributes a write carries: `attributes` (a root object) or `attribute_name` + `value`
/// (a sub-path, facts §1.3), as a root object.
fn write_attributes(params: &Params, allow_path: bool) -> Result<(Map<String, Value>, Option<String>), JanrainError> {
    let path = params
        .get("attribute_name")
        .filter(|v| allow_path && !v.is_empty())
        .map(slash_to_dotted);
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        let value = json_arg(params, "value")?.ok_or(JanrainError::MissingArgument {
            name: "value".into(),
            in_query: false,
        })?;
        let parts: Vec<&str> = path.split('.').collect();
        let mut root = Map::new();
        insert_path(&mut root, &parts, value);
        return Ok((root, Some(path)));
    }
    let name = if allow_path && params.get("value").is_some() && params.get("attributes").is_none() {
        "value"
    } else {
        "attributes"
    };
    let value = json_arg(params, name)?.ok_or(JanrainError::MissingArgument {
        name: name.into(),
        in_query: false,
    })?;
    match value {
        Value::Object(map) => Ok((map, None)),
        _ => Err(not_valid(name, "expected a JSON object")),
    }
}

/// Checks a write's attributes against the schema (unknown, reserved, types).
fn check_attributes(schema: &EntityType, attrs: &Map<String, Value>, mode: Write) -> Result<(), JanrainError> {
    for (name, value) in attrs {
        if SYSTEM_ATTRIBUTES.contains(&name.as_str()) {
            return Err(if name == "id" && mode == Write::Create {
                EntityError::IdInNewRecord
            } else {
                EntityError::ReservedAttribute {
                    path: format!("/{name}"),
                }
            }
            .into());
        }
        let def = schema
            .attributes
            .iter()
            .find(|d| &d.name == name)
            .ok_or_else(|| EntityError::UnknownAttribute {
                path: format!("/{name}"),
            })?;
        EntityType::check_value(def, value, &format!("/{name}")).map_err(|problem| match problem {
            ValueProblem::Unknown(path) => JanrainError::from(EntityError::UnknownAttribute { path }),
            ValueProblem::WrongType(path, noun) => EntityError::WrongType { path, noun }.into(),
        })?;
    }
    Ok(())
}

/// Applies checked attributes to a record.
fn apply(record: &mut Record, schema: &EntityType, attrs: &Map<String, Value>, mode: Write, only: Option<&str>) {
    let top_only = only.map(|p| p.split('.').next().unwrap_or_default().to_owned());
    for def in &schema.attributes {
        if SYSTEM_ATTRIBUTES.contains(&def.name.as_str()) {
            continue;
        }
        match attrs.get(&def.name) {
            Some(new) => {
                let merged = match (mode, def.kind, record.attribute(&def.name), new) {
                    (Write::Update, AttributeType::Object, Value::Object(mut old), Value::Object(given)) => {
                        for (k, v) in given {
                            old.insert(k.clone(), v.clone());
                        }
                        Value::Object(old)
                    }
                    _ => new.clone(),
                };
                record.store(&def.name, merged);
            }
            None if mode == Write::Replace && top_only.as_deref().is_none_or(|t| t == def.name) => {
                record.store(&def.name, Value::Null);
            }
            None => {}
        }
    }
}

/// Unique and required attributes of a record about to be stored.
fn check_constraints(state: &JanrainState, record: &Record, index: Option<usize>) -> Result<(), JanrainError> {
    for def in &state.entity_type.attributes {
        if SYSTEM_ATTRIBUTES.contains(&def.name.as_str()) {
            continue;
        }
        let value = record.attribute(&def.name);
        if value.is_null() {
            if def.required {
                return Err(EntityError::MissingRequiredAttribute {
                    path: format!("/{}", def.name),
                }
                .into());
            }
            continue;
        }
        if def.unique {
            let clash = state.records.iter().enumerate().any(|(i, other)| {
                Some(i) != index
                    && match (&value, other.attribute(&def.name)) {
                        (Value::String(a), Value::String(b)) if def.name == "email" => a.eq_ignore_ascii_case(&b),
                        (a, b) => *a == b,
                    }
            });
            if clash {
                return Err(EntityError::UniqueViolation {
                    path: format!("/{}", def.name),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// A random version-4 uuid from the app's seeded RNG.
pub(crate) fn new_uuid(state: &mut JanrainState) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    let hex = state.random_token(32);
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

/// `entity.create` (facts §1.3): `{"id":…,"uuid":…,"stat":"ok"}`.
pub fn create(state: &mut JanrainState, params: &Params, now: OffsetDateTime) -> Result<Value, JanrainError> {
    check_type(params, &state.entity_type)?;
    let (attrs, _) = write_attributes(params, false)?;
    check_attributes(&state.entity_type, &attrs, Write::Create)?;
    let stamp = capture_time(now);
    let mut record = Record {
        id: state.next_id,
        uuid: new_uuid(state),
        email: String::new(),
        password: None,
        fixture_password: None,
        given_name: String::new(),
        family_name: String::new(),
        display_name: String::new(),
        social_provider: None,
        attrs: Map::new(),
    };
    record.attrs.insert("created".into(), Value::from(stamp.as_str()));
    record.attrs.insert("lastUpdated".into(), Value::from(stamp.as_str()));
    let schema = state.entity_type.clone();
    apply(&mut record, &schema, &attrs, Write::Create, None);
    check_constraints(state, &record, None)?;
    state.next_id += 1;
    let mut body = json!({"id": record.id, "uuid": record.uuid, "stat": "ok"});
    if params.get("include_record") == Some("true") {
        // inf: the field name is NOT FOUND (facts §1.3); `/entity`'s `result`.
        body["result"] = Value::Object(record.view(&schema));
    }
    super::bounds::add_runtime_record(state, record);
    Ok(body)
}

/// `entity.update` / `entity.replace` (facts §1.3): `{"stat":"ok"}`.
pub fn write(
    state: &mut JanrainState,
    params: &Params,
    mode: Write,
    now: OffsetDateTime,
) -> Result<Value, JanrainError> {
    let schema = state.entity_type.clone();
    check_type(params, &schema)?;
    let selector = Selector::from_params(params, &schema)?;
    let index = locate(state, &selector)?;
    check_guards(&state.records[index], params)?;
    let (attrs, only) = write_attributes(params, true)?;
    check_attributes(&schema, &attrs, mode)?;
    let mut record = state.records[index].clone();
    apply(&mut record, &schema, &attrs, mode, only.as_deref());
    check_constraints(state, &record, Some(index))?;
    record
        .attrs
        .insert("lastUpdated".into(), Value::from(capture_time(now)));
    let include = params.get("include_record") == Some("true");
    let view = include.then(|| record.view(&schema));
    state.records[index] = record;
    let mut body = json!({"stat": "ok"});
    if let Some(view) = view {
        body["result"] = Value::Object(view);
    }
    Ok(body)
}

/// `entity.delete` (facts §1.3): the record and every token issued for it.
pub fn delete(state: &mut JanrainState, params: &Params) -> Result<Value, JanrainError> {
    check_type(params, &state.entity_type)?;
    let selector = Selector::from_params(params, &state.entity_type)?;
    let index = locate(state, &selector)?;
    check_guards(&state.records[index], params)?;
    if let Some(path) = params.get("attribute_name").filter(|v| !v.is_empty() && *v != "/") {
        // Deleting one attribute clears it (plural elements are not modelled).
        let dotted = slash_to_dotted(path);
        if state.entity_type.lookup(&dotted).is_none() {
            return Err(EntityError::UnknownAttribute { path: path.to_owned() }.into());
        }
        let top = dotted.split('.').next().unwrap_or_default().to_owned();
        if SYSTEM_ATTRIBUTES.contains(&top.as_str()) {
            return Err(EntityError::ReservedAttribute { path: path.to_owned() }.into());
        }
        let mut root = Map::new();
        insert_path(&mut root, &dotted.split('.').collect::<Vec<_>>(), Value::Null);
        let schema = state.entity_type.clone();
        let record = &mut state.records[index];
        apply(record, &schema, &root, Write::Update, None);
        return Ok(json!({"stat": "ok"}));
    }
    let record = state.records.remove(index);
    state.access_tokens.retain(|_, g| g.uuid != record.uuid);
    state.refresh_tokens.retain(|_, g| g.uuid != record.uuid);
    Ok(json!({"stat": "ok"}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::janrain::JanrainFixture;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let body = serde_urlencoded::to_string(pairs).expect("encodes");
        Params::body_and_query(&"/entity".parse().expect("uri"), body.as_bytes())
    }

    fn state() -> JanrainState {
        JanrainFixture::default_app().state().expect("fixture builds")
    }

    #[test]
    fn created_records_are_found_counted_updated_and_deleted() {
        let mut state = state();
        let now = OffsetDateTime::UNIX_EPOCH;
        let made = create(
            &mut state,
            &params(&[
                ("type_name", "user"),
                ("attributes", r#"{"email":"zed@example.com","givenName":"Zed"}"#),
            ]),
            now,
        )
        .expect("created");
        assert_eq!(made["id"], 4);
        let filter = params(&[("type_name", "user"), ("filter", "givenName = 'Zed'")]);
        assert_eq!(count(&state, &filter).expect("counts")["total_count"], 1);
        let uuid = made["uuid"].as_str().expect("uuid").to_owned();
        assert_eq!(uuid.len(), 36);
        write(
            &mut state,
            &params(&[
                ("type_name", "user"),
                ("uuid", &uuid),
                ("attributes", r#"{"givenName":"Zoe"}"#),
            ]),
            Write::Update,
            now,
        )
        .expect("updated");
        assert_eq!(count(&state, &filter).expect("counts")["total_count"], 0);
        let found = find(
            &state,
            &params(&[("type_name", "user"), ("filter", "givenName = 'Zoe'")]),
        )
        .expect("finds");
        assert_eq!(found["results"][0]["email"], "zed@example.com");
        write(
            &mut state,
            &params(&[
                ("type_name", "user"),
                ("uuid", &uuid),
                ("attributes", r#"{"email":"zed@example.com"}"#),
            ]),
            Write::Replace,
            now,
        )
        .expect("replaced");
        let read_back = read(&state, &params(&[("type_name", "user"), ("uuid", &uuid)])).expect("reads");
        assert_eq!(
            read_back["result"]["givenName"],
            Value::Null,
            "replace clears what it is not given"
        );
        delete(&mut state, &params(&[("type_name", "user"), ("uuid", &uuid)])).expect("deleted");
        assert!(read(&state, &params(&[("type_name", "user"), ("uuid", &uuid)])).is_err());
    }

    #[test]
    fn unique_email_is_enforced_case_insensitively() {
        let mut state = state();
        let err = create(
            &mut state,
            &params(&[
                ("type_name", "user"),
                ("attributes", r#"{"email":"CAROL@example.com"}"#),
            ]),
            OffsetDateTime::UNIX_EPOCH,
        )
        .expect_err("duplicate");
        assert!(matches!(err, JanrainError::Entity(EntityError::UniqueViolation { .. })));
        assert_eq!(state.records.len(), 3, "nothing stored");
    }

    #[test]
    fn find_sorts_pages_and_projects() {
        let state = state();
        let page = find(
            &state,
            &params(&[
                ("type_name", "user"),
                ("sort_on", r#"["-id"]"#),
                ("max_results", "1"),
                ("first_result", "2"),
                ("attributes", r#"["email"]"#),
                ("show_total_count", "true"),
            ]),
        )
        .expect("finds");
        assert_eq!(
            page,
            json!({"result_count": 1, "total_count": 3, "stat": "ok", "results": [{"email": "dave@example.com"}]})
        );
    }

    #[test]
    fn key_value_is_a_json_literal() {
        let state = state();
        let found = read(
            &state,
            &params(&[
                ("type_name", "user"),
                ("key_attribute", "email"),
                ("key_value", "\"dave@example.com\""),
            ]),
        )
        .expect("reads");
        assert_eq!(found["result"]["id"], 2);
        let bare = read(
            &state,
            &params(&[
                ("type_name", "user"),
                ("key_attribute", "email"),
                ("key_value", "dave@example.com"),
            ]),
        );
        assert!(matches!(bare, Err(JanrainError::Entity(EntityError::NotValid { .. }))));
    }
}
