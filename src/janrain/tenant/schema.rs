//! The entity type a Capture app stores its records as (`user`), declared in the fixture:
//! attribute names, types and constraints, and the checks a value must pass to be stored.
//!
//! ```text
//! "entity_type": {"name": "user", "attributes": [
//!   {"name": "email", "type": "string", "unique": true},
//!   {"name": "primaryAddress", "type": "object", "attributes": [{"name": "city", "type": "string"}]}]}
//! ```
//!
//! Facts: `shared/providers/janrain-entity.md` §1.3 (`id`, `uuid`, `created`, `lastUpdated` are
//! system-set; time formats). Plural attributes are not modelled yet. Depends on nothing else in
//! the provider.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The attributes every record has, set by the app (facts §1.3 `entity.create`).
pub const SYSTEM_ATTRIBUTES: &[&str] = &["id", "uuid", "created", "lastUpdated"];

/// An entity type: its name and its attributes in schema (and output) order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityType {
    pub name: String,
    pub attributes: Vec<AttributeDef>,
}

/// One attribute of an entity type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// No two records may hold the same non-null value (361 `unique_violation`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// A record must hold a non-null value (362 `missing_required_attribute`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The members of an `object` attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDef>,
}

/// Capture's attribute types (the subset authmock models).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttributeType {
    /// The record's integer id (system).
    Id,
    /// The record's uuid (system).
    Uuid,
    String,
    Boolean,
    Integer,
    Decimal,
    /// `2015-11-15` (inf: the facts show dateTime only; dates as their first ten characters).
    Date,
    /// `2015-11-15 01:58:01.862312 +0000` or `2015-11-15 01:58:01 +0000` (facts §1.3).
    DateTime,
    /// Any JSON value, stored as given.
    Json,
    /// A nested object of member attributes (`primaryAddress.city`).
    Object,
    /// The record's password, read as `{"created", "type", "value"}` (facts `migration.md`
    /// §1.2); written only through the flows.
    Password,
}

impl AttributeType {
    /// The word used in "… was not a valid <type>." (inf: the pattern of the observed
    /// "/basicIpAddress was not a valid ip address.", `janrain.md` §2 [S29]).
    pub fn noun(self) -> &'static str {
        match self {
            Self::Id | Self::Integer => "integer",
            Self::Uuid => "uuid",
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Decimal => "decimal",
            Self::Date => "date",
            Self::DateTime => "dateTime",
            Self::Json => "json",
            Self::Object => "object",
            Self::Password => "password",
        }
    }
}

/// Why a value cannot be stored in an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueProblem {
    /// The attribute (slash path, e.g. `/primaryAddress/zip`) does not exist.
    Unknown(String),
    /// The value is not of the attribute's type (slash path, type noun).
    WrongType(String, &'static str),
}

impl EntityType {
    /// The default `user` type: the attributes the seeded records have had since the first
    /// fixture, plus the documented system ones (facts §1.3).
    pub fn default_user() -> Self {
        let attr = |name: &str, kind| AttributeDef {
            name: name.into(),
            kind,
            unique: false,
            required: false,
            attributes: Vec::new(),
        };
        let mut email = attr("email", AttributeType::String);
        email.unique = true;
        Self {
            name: "user".into(),
            attributes: vec![
                attr("id", AttributeType::Id),
                attr("uuid", AttributeType::Uuid),
                attr("created", AttributeType::DateTime),
                attr("lastUpdated", AttributeType::DateTime),
                email,
                attr("givenName", AttributeType::String),
                attr("familyName", AttributeType::String),
                attr("displayName", AttributeType::String),
                attr("password", AttributeType::Password),
            ],
        }
    }

    /// The definition at a dotted path (`primaryAddress.city`), if the schema has one.
    pub fn lookup(&self, path: &str) -> Option<&AttributeDef> {
        let mut defs = &self.attributes;
        let mut found = None;
        for part in path.split('.') {
            let def = defs.iter().find(|d| d.name == part)?;
            defs = &def.attributes;
            found = Some(def);
        }
        found
    }

    /// Checks the fixture's schema: the system attributes come first with their types, names
    /// are unique, and only objects have members.
    pub fn validate(&self) -> Result<(), String> {
        for (i, name) in SYSTEM_ATTRIBUTES.iter().enumerate() {
            let want = match *name {
                "id" => AttributeType::Id,
                "uuid" => AttributeType::Uuid,
                _ => AttributeType::DateTime,
            };
            match self.attributes.get(i) {
                Some(def) if def.name == *name && def.kind == want => {}
                _ => {
                    return Err(format!(
                        "entity type {} must start with id, uuid, created, lastUpdated (id, uuid, dateTime, dateTime)",
                        self.name
                    ));
                }
            }
        }
        check_defs(&self.attributes, "")
    }

    /// Checks an attribute value against its definition (`path` is the slash path for errors).
    pub fn check_value(def: &AttributeDef, value: &Value, path: &str) -> Result<(), ValueProblem> {
        if value.is_null() {
            return Ok(());
        }
        let ok = match def.kind {
            AttributeType::Id | AttributeType::Integer => value.is_i64() || value.is_u64(),
            AttributeType::Uuid | AttributeType::String => value.is_string(),
            AttributeType::Boolean => value.is_boolean(),
            AttributeType::Decimal => value.is_number(),
            AttributeType::Date => value.as_str().is_some_and(is_date),
            AttributeType::DateTime => value.as_str().is_some_and(is_date_time),
            AttributeType::Json => true,
            AttributeType::Password => false,
            AttributeType::Object => {
                let Some(members) = value.as_object() else {
                    return Err(ValueProblem::WrongType(path.to_owned(), def.kind.noun()));
                };
                for (name, member) in members {
                    let sub = format!("{path}/{name}");
                    let Some(member_def) = def.attributes.iter().find(|d| &d.name == name) else {
                        return Err(ValueProblem::Unknown(sub));
                    };
                    Self::check_value(member_def, member, &sub)?;
                }
                true
            }
        };
        if ok {
            Ok(())
        } else {
            Err(ValueProblem::WrongType(path.to_owned(), def.kind.noun()))
        }
    }
}

fn check_defs(defs: &[AttributeDef], prefix: &str) -> Result<(), String> {
    for (i, def) in defs.iter().enumerate() {
        let full = format!("{prefix}{}", def.name);
        if def.name.is_empty() || !def.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("attribute name {full:?} must be letters, digits or _"));
        }
        if defs[..i].iter().any(|d| d.name == def.name) {
            return Err(format!("attribute {full} is declared twice"));
        }
        if (def.kind == AttributeType::Object) == def.attributes.is_empty() {
            return Err(format!(
                "attribute {full}: only an object has (and needs) member attributes"
            ));
        }
        check_defs(&def.attributes, &format!("{full}."))?;
    }
    Ok(())
}

/// `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff][ +0000]`, the Capture shapes (facts §1.3).
pub fn is_date_time(s: &str) -> bool {
    let (date, rest) = s.split_at(s.len().min(10));
    if !is_date(date) || !rest.starts_with(' ') {
        return false;
    }
    let rest = &rest[1..];
    let (clock, rest) = rest.split_at(rest.len().min(8));
    let c = clock.as_bytes();
    let clock_ok = c.len() == 8
        && c.iter().enumerate().all(|(i, ch)| match i {
            2 | 5 => *ch == b':',
            _ => ch.is_ascii_digit(),
        });
    if !clock_ok {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(frac) => {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 6 {
                return false;
            }
            &frac[digits..]
        }
        None => rest,
    };
    match rest.strip_prefix(' ') {
        None => rest.is_empty(),
        Some(zone) => {
            let z = zone.as_bytes();
            z.len() == 5 && (z[0] == b'+' || z[0] == b'-') && z[1..].iter().all(u8::is_ascii_digit)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn capture_date_times_parse_and_others_do_not() {
        for ok in [
            "2015-11-15 01:58:01.862312 +0000",
            "2015-11-15 01:58:01 +0000",
            "2015-11-15 01:58:01",
        ] {
            assert!(is_date_time(ok), "{ok} is a Capture dateTime");
        }
        for bad in [
            "2015-11-15",
            "2015-11-15T01:58:01Z",
            "2015-11-15 01:58",
            "2015-11-15 01:58:01.",
            "x",
        ] {
            assert!(!is_date_time(bad), "{bad} is not a Capture dateTime");
        }
        assert!(is_date("2001-02-03"));
        assert!(!is_date("2001-2-03"));
    }

    #[test]
    fn values_are_checked_against_their_types_and_members() {
        let mut schema = EntityType::default_user();
        schema.attributes.push(AttributeDef {
            name: "primaryAddress".into(),
            kind: AttributeType::Object,
            unique: false,
            required: false,
            attributes: vec![AttributeDef {
                name: "city".into(),
                kind: AttributeType::String,
                unique: false,
                required: false,
                attributes: vec![],
            }],
        });
        schema.validate().expect("valid schema");
        let address = schema.lookup("primaryAddress").expect("declared");
        assert_eq!(
            EntityType::check_value(address, &json!({"city": "Oslo"}), "/primaryAddress"),
            Ok(())
        );
        assert_eq!(
            EntityType::check_value(address, &json!({"zip": "1"}), "/primaryAddress"),
            Err(ValueProblem::Unknown("/primaryAddress/zip".into()))
        );
        assert_eq!(
            EntityType::check_value(address, &json!({"city": 3}), "/primaryAddress"),
            Err(ValueProblem::WrongType("/primaryAddress/city".into(), "string"))
        );
        assert!(schema.lookup("primaryAddress.city").is_some());
        assert!(schema.lookup("primaryAddress.zip").is_none());
    }

    #[test]
    fn a_schema_without_the_system_attributes_first_is_refused() {
        let mut schema = EntityType::default_user();
        schema.attributes.swap(0, 4);
        assert!(schema.validate().is_err());
    }
}
