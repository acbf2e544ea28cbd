//! A user record (an entity of the app's type): its fields and other attributes, how it reads
//! and stores an attribute and its password, the views `/entity` and sign-in show, the order
//! `entity.find` sorts records in, and the stored attributes of a fixture record. Capture's
//! time stamps (`capture_time`) are written here.
//!
//! Facts: `shared/providers/janrain-entity.md` §1.3 (unset values are `null`, the time format).
//! Leaf data: depends on `schema` and `core::password` only.

use std::cmp::Ordering;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::macros::format_description;

use super::passwords::Password;
use super::schema::{AttributeDef, AttributeType, EntityType};

/// `created` and `lastUpdated` of the fixture's records when the fixture does not say
/// (inf: a fixed time keeps seeded bodies stable; the flow version's date).
pub const SEED_TIME: &str = "2026-01-05 10:00:00.000000 +0000";

/// The attributes the original record struct holds as fields (the rest live in `attrs`).
const FIELD_ATTRIBUTES: &[&str] = &[
    "id",
    "uuid",
    "email",
    "givenName",
    "familyName",
    "displayName",
    "password",
];

/// A user record (an entity of type `user`).
#[derive(Debug, Clone)]
pub struct Record {
    pub id: u64,
    pub uuid: String,
    pub email: String,
    /// `None` for a social-only record (facts `migration.md` §1.2: `"password": null`).
    pub password: Option<Password>,
    /// The fixture's password, shown by the control API until it changes.
    pub fixture_password: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub social_provider: Option<String>,
    /// Every other attribute of the entity type (`created`, `lastUpdated`, …), by name.
    pub attrs: serde_json::Map<String, serde_json::Value>,
}

/// Capture's time format with microseconds (facts §1.3: `2015-11-15 01:58:01.862312 +0000`).
pub(in crate::janrain) fn capture_time(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6] +0000");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| SEED_TIME.to_owned())
}

/// Capture's time with nine fractional digits, as `password.created` is written (facts
/// `migration.md` §1.2: `2025-05-08 09:35:22.555420794 +0000`), from a stamp of
/// [`capture_time`] (the extra digits are zeros: authmock keeps microseconds).
pub(in crate::janrain) fn nano_time(stamp: &str) -> String {
    match stamp.split_once(" +0000") {
        Some((head, "")) if head.rsplit_once('.').is_some_and(|(_, f)| f.len() == 6) => format!("{head}000 +0000"),
        _ => stamp.to_owned(),
    }
}

/// The stored attributes of a fixture record: its `attributes` checked against the entity
/// type, with `created` / `lastUpdated` defaulting to [`SEED_TIME`].
pub(in crate::janrain) fn seed_attributes(
    schema: &EntityType,
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, String> {
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
    /// The record as `/entity` and sign-in return it (`capture_user`).
    pub(in crate::janrain) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "uuid": self.uuid,
            "email": self.email,
            "givenName": self.given_name,
            "familyName": self.family_name,
            "displayName": self.display_name,
        })
    }

    /// Whether `plain` is the record's password (a social-only record has none).
    pub(in crate::janrain) fn password_matches(&self, plain: &str) -> bool {
        self.password.as_ref().is_some_and(|p| p.hash.matches(plain))
    }

    /// Sets the password: the fixture's stops being shown.
    pub(in crate::janrain) fn set_password(&mut self, password: Password) {
        self.password = Some(password);
        self.fixture_password = None;
    }

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
            "password" => self.password.as_ref().map_or(Value::Null, Password::to_json),
            other => self.attrs.get(other).cloned().unwrap_or(Value::Null),
        }
    }

    /// The value at a dotted path (`primaryAddress.city`).
    pub(in crate::janrain) fn at_path(&self, path: &str) -> Value {
        let mut parts = path.split('.');
        let first = self.attribute(parts.next().unwrap_or_default());
        parts
            .try_fold(first, |value, part| value.get(part).cloned())
            .unwrap_or(Value::Null)
    }

    /// Stores a top-level attribute (`Null` clears it).
    pub(in crate::janrain) fn store(&mut self, name: &str, value: Value) {
        let text = || value.as_str().unwrap_or_default().to_owned();
        match name {
            // inf: a password is set through the flows, never as a stored value.
            "id" | "uuid" | "password" => {}
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
    pub(in crate::janrain) fn view(&self, schema: &EntityType) -> Map<String, Value> {
        self.view_only(schema, |_| true)
    }

    /// The top-level attributes `keep` names, as [`Self::view`] shows them (a projection reads
    /// no attribute it drops: a fixture password's bcrypt hash is made only when shown).
    pub(in crate::janrain) fn view_only(&self, schema: &EntityType, keep: impl Fn(&str) -> bool) -> Map<String, Value> {
        schema
            .attributes
            .iter()
            .filter(|def| keep(&def.name))
            .map(|def| {
                let value = self.attribute(&def.name);
                (def.name.clone(), shape(def, value))
            })
            .collect()
    }

    /// One top-level attribute of [`Record::view`] (`None` when the schema has no `name`),
    /// without making the rest.
    pub(in crate::janrain) fn view_of(&self, schema: &EntityType, name: &str) -> Option<Value> {
        // The last definition of a name, as the view's map keeps it.
        let def = schema.attributes.iter().rev().find(|def| def.name == name)?;
        Some(shape(def, self.attribute(&def.name)))
    }
}

/// Sorts records by `keys` (dotted paths, each `true` for descending), then by id.
pub(in crate::janrain) fn sort_records(records: &mut [&Record], keys: &[(String, bool)]) {
    // Ids are unique: sorted by id first, nothing after counts (an exporter's `["id"]` page).
    match keys.first() {
        None => return records.sort_by_key(|r| r.id),
        Some((path, descending)) if path == "id" => {
            return if *descending {
                records.sort_by_key(|r| std::cmp::Reverse(r.id))
            } else {
                records.sort_by_key(|r| r.id)
            };
        }
        Some(_) => {}
    }
    records.sort_by(|a, b| {
        keys.iter()
            .map(|(path, descending)| {
                let ord = order_values(&a.at_path(path), &b.at_path(path));
                if *descending { ord.reverse() } else { ord }
            })
            .find(|o| *o != Ordering::Equal)
            .unwrap_or_else(|| a.id.cmp(&b.id))
    });
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

/// An object attribute with all its members (null when unset), other values as stored.
fn shape(def: &AttributeDef, value: Value) -> Value {
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
