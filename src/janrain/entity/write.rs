//! Writing records: `entity.create`, `entity.update`, `entity.replace` and `entity.delete`
//! (facts `janrain-entity.md` §1.3): the attributes a write carries, checked against the entity
//! type, applied to the record, then the unique and required constraints.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::args::{Selector, check_guards, check_type, insert_path, json_arg, locate, not_valid, slash_to_dotted};
use crate::janrain::tenant::records::{Record, capture_time};
use crate::janrain::tenant::schema::{AttributeType, EntityType, SYSTEM_ATTRIBUTES, ValueProblem};
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::wire::entity_error::EntityError;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;

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

/// `entity.create` (facts §1.3): `{"id":…,"uuid":…,"stat":"ok"}`.
pub(super) fn create(state: &mut JanrainState, params: &Params, now: OffsetDateTime) -> Result<Value, JanrainError> {
    check_type(params, &state.entity_type)?;
    let (attrs, _) = write_attributes(params, false)?;
    check_attributes(&state.entity_type, &attrs, Write::Create)?;
    let stamp = capture_time(now);
    let mut record = state.new_record();
    record.attrs.insert("created".into(), Value::from(stamp.as_str()));
    record.attrs.insert("lastUpdated".into(), Value::from(stamp.as_str()));
    let schema = state.entity_type.clone();
    apply(&mut record, &schema, &attrs, Write::Create, None);
    check_constraints(state, &record, None)?;
    let mut body = json!({"id": record.id, "uuid": record.uuid, "stat": "ok"});
    if params.get("include_record") == Some("true") {
        // inf: the field name is NOT FOUND (facts §1.3); `/entity`'s `result`.
        body["result"] = Value::Object(record.view(&schema));
    }
    state.add_created_record(record);
    Ok(body)
}

/// `entity.update` / `entity.replace` (facts §1.3): `{"stat":"ok"}`.
pub(super) fn write(
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
pub(super) fn delete(state: &mut JanrainState, params: &Params) -> Result<Value, JanrainError> {
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
    state.remove_record(index);
    Ok(json!({"stat": "ok"}))
}

#[cfg(test)]
mod tests {
    use super::super::find::{count, find, read};
    use super::*;
    use crate::janrain::tenant::seed::JanrainFixture;
    use crate::janrain::wire::entity_error::EntityError;

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
