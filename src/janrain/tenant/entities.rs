//! The Entity API's writes as record operations (facts `janrain-entity.md` §1.3): the
//! attributes a write carries checked against the entity type, applied to the record by the
//! write's mode, then the unique and required constraints before anything is stored.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::records::{Record, capture_time};
use super::schema::{AttributeType, EntityType, SYSTEM_ATTRIBUTES, ValueProblem};
use super::state::JanrainState;
use crate::janrain::wire::entity_error::EntityError;
use crate::janrain::wire::error::JanrainError;

/// How a write treats attributes it is not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Create,
    /// Only the given attributes change; objects merge member by member.
    Update,
    /// Attributes not given become null (facts §1.3 `entity.replace`).
    Replace,
}

/// A new record with `attrs`, `created` and `lastUpdated` at `now`, checked and stored.
pub(in crate::janrain) fn create(
    state: &mut JanrainState,
    attrs: &Map<String, Value>,
    now: OffsetDateTime,
) -> Result<Record, JanrainError> {
    check_attributes(&state.entity_type, attrs, Write::Create)?;
    let stamp = capture_time(now);
    let mut record = state.new_record();
    record.attrs.insert("created".into(), Value::from(stamp.as_str()));
    record.attrs.insert("lastUpdated".into(), Value::from(stamp.as_str()));
    let schema = state.entity_type.clone();
    apply(&mut record, &schema, attrs, Write::Create, None);
    check_constraints(state, &record, None)?;
    state.add_created_record(record.clone());
    Ok(record)
}

/// Writes `attrs` to the record at `index` (an update or a replace, of the sub-path `only` when
/// given), checked, with `lastUpdated` at `now`.
pub(in crate::janrain) fn write(
    state: &mut JanrainState,
    index: usize,
    attrs: &Map<String, Value>,
    mode: Write,
    only: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), JanrainError> {
    let schema = state.entity_type.clone();
    check_attributes(&schema, attrs, mode)?;
    let mut record = state.records[index].clone();
    apply(&mut record, &schema, attrs, mode, only);
    check_constraints(state, &record, Some(index))?;
    record
        .attrs
        .insert("lastUpdated".into(), Value::from(capture_time(now)));
    let uuid = record.uuid.clone();
    state.records[index] = record;
    state.reweigh(&uuid);
    Ok(())
}

/// Clears one attribute of the record at `index` (`path` as sent, `dotted` its dotted form;
/// plural elements are not modelled).
pub(in crate::janrain) fn clear_attribute(
    state: &mut JanrainState,
    index: usize,
    path: &str,
    dotted: &str,
) -> Result<(), JanrainError> {
    if state.entity_type.lookup(dotted).is_none() {
        return Err(EntityError::UnknownAttribute { path: path.to_owned() }.into());
    }
    let top = dotted.split('.').next().unwrap_or_default();
    if SYSTEM_ATTRIBUTES.contains(&top) {
        return Err(EntityError::ReservedAttribute { path: path.to_owned() }.into());
    }
    let mut root = Map::new();
    insert_path(&mut root, &dotted.split('.').collect::<Vec<_>>(), Value::Null);
    let schema = state.entity_type.clone();
    apply(&mut state.records[index], &schema, &root, Write::Update, None);
    let uuid = state.records[index].uuid.clone();
    state.reweigh(&uuid);
    Ok(())
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

/// Sets `value` at the dotted path `parts` of `into`, making the objects on the way.
pub(in crate::janrain) fn insert_path(into: &mut Map<String, Value>, parts: &[&str], value: Value) {
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
