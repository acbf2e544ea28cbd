//! Writing records: `entity.create`, `entity.update`, `entity.replace` and `entity.delete`
//! (facts `janrain-entity.md` §1.3): how a call names its record and carries its attributes;
//! checking them against the entity type, applying them and the unique and required
//! constraints are `tenant::entities`.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::args::{Selector, check_guards, check_type, json_arg, locate, not_valid, slash_to_dotted};
use crate::janrain::tenant::entities::{self, Write, insert_path};
use crate::janrain::tenant::records::Record;
use crate::janrain::tenant::schema::EntityType;
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;

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

/// `entity.create` (facts §1.3): `{"id":…,"uuid":…,"stat":"ok"}`.
pub(super) fn create(state: &mut JanrainState, params: &Params, now: OffsetDateTime) -> Result<Value, JanrainError> {
    check_type(params, &state.entity_type)?;
    let (attrs, _) = write_attributes(params, false)?;
    let record = entities::create(state, &attrs, now)?;
    let body = json!({"id": record.id, "uuid": record.uuid, "stat": "ok"});
    Ok(with_record(body, params, &record, &state.entity_type))
}

/// `entity.update` / `entity.replace` (facts §1.3): `{"stat":"ok"}`.
pub(super) fn write(
    state: &mut JanrainState,
    params: &Params,
    mode: Write,
    now: OffsetDateTime,
) -> Result<Value, JanrainError> {
    let index = addressed(state, params)?;
    let (attrs, only) = write_attributes(params, true)?;
    entities::write(state, index, &attrs, mode, only.as_deref(), now)?;
    Ok(with_record(
        json!({"stat": "ok"}),
        params,
        &state.records[index],
        &state.entity_type,
    ))
}

/// `entity.delete` (facts §1.3): the record and every token issued for it, or with
/// `attribute_name` that attribute only.
pub(super) fn delete(state: &mut JanrainState, params: &Params) -> Result<Value, JanrainError> {
    let index = addressed(state, params)?;
    match params.get("attribute_name").filter(|v| !v.is_empty() && *v != "/") {
        Some(path) => entities::clear_attribute(state, index, path, &slash_to_dotted(path))?,
        None => {
            state.remove_record(index);
        }
    }
    Ok(json!({"stat": "ok"}))
}

/// The index of the record an update, replace or delete names: `type_name`, the selector, then
/// the `created` / `lastUpdated` guards.
fn addressed(state: &JanrainState, params: &Params) -> Result<usize, JanrainError> {
    check_type(params, &state.entity_type)?;
    let selector = Selector::from_params(params, &state.entity_type)?;
    let index = locate(state, &selector)?;
    check_guards(&state.records[index], params)?;
    Ok(index)
}

/// `include_record=true`: the body with the record as written (inf: the field name is NOT
/// FOUND, facts §1.3; `/entity`'s `result`).
fn with_record(mut body: Value, params: &Params, record: &Record, schema: &EntityType) -> Value {
    if params.get("include_record") == Some("true") {
        body["result"] = Value::Object(record.view(schema));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::super::find::{Search, read};
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

    fn count(state: &JanrainState, params: &Params) -> Result<Value, JanrainError> {
        Search::count(state, params)?.run()
    }

    fn find(state: &JanrainState, params: &Params) -> Result<Value, JanrainError> {
        Search::find(state, params)?.run()
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
