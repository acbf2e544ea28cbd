//! How an Entity API call names its record and reads its arguments: the selector (`uuid`, `id`
//! or `key_attribute` + `key_value`, facts `janrain-entity.md` §1.2), `type_name`, the
//! `created` / `lastUpdated` guards, JSON arguments with the documented refusal texts, and
//! dotted attribute paths.

use serde_json::Value;

use crate::janrain::tenant::records::Record;
use crate::janrain::tenant::schema::{AttributeType, EntityType};
use crate::janrain::tenant::state::JanrainState;
use crate::janrain::wire::entity_error::{BAD_JSON, EntityError};
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;

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
pub(super) fn check_type(params: &Params, schema: &EntityType) -> Result<(), JanrainError> {
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
pub(super) fn locate(state: &JanrainState, selector: &Selector) -> Result<usize, JanrainError> {
    state.records.iter().position(|r| selector.matches(r)).ok_or_else(|| {
        EntityError::RecordNotFound {
            hint: format!("no record matches {selector:?}"),
        }
        .into()
    })
}

/// Optional `created` / `lastUpdated` guards (facts §1.2, 330).
pub(super) fn check_guards(record: &Record, params: &Params) -> Result<(), JanrainError> {
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
pub(super) fn json_arg(params: &Params, name: &str) -> Result<Option<Value>, JanrainError> {
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

pub(super) fn not_valid(argument: &str, reason: &str) -> JanrainError {
    EntityError::NotValid {
        argument: argument.to_owned(),
        reason: reason.to_owned(),
        hint: format!("{argument}: {reason}"),
    }
    .into()
}

/// The `attributes` list of `/entity` and `entity.find`: dotted names the schema declares.
pub(super) fn attribute_list(params: &Params, schema: &EntityType) -> Result<Option<Vec<String>>, JanrainError> {
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

/// `/primaryAddress/city` or `primaryAddress.city` → `primaryAddress.city`.
pub(super) fn slash_to_dotted(path: &str) -> String {
    path.trim_start_matches('/').replace('/', ".")
}
