//! Request bodies and query strings checked against each endpoint's documented JSON Schema.
//!
//! Each endpoint describes its body as the JSON Schema of the provider's published OpenAPI
//! (`schemas/*.json`); the `jsonschema` crate validates, and this module turns its findings into
//! neutral [`Finding`]s that `wire/error.rs` renders with the z-schema templates the Management API
//! prints (facts §2.4). No per-field checks are hand-written here.
//! Depends on `wire/mgmt_error.rs` for the finding types.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value};

use crate::auth0::wire::body::json_type;
use crate::auth0::wire::mgmt_error::{Finding, Violation};

/// Extension keyword: unknown-property errors on this object carry the provider's
/// "consider storing them in app_metadata or user_metadata" note.
const METADATA_NOTE: &str = "x-authmock-metadata-note";

/// A compiled endpoint schema.
pub(super) struct Schema {
    schema: Value,
    validator: jsonschema::Validator,
    /// `dependentRequired`, checked only once the rest passes: the provider reports an unknown
    /// `connection` alone, not with the missing `connection_id` it implies (facts §3.2).
    dependencies: Option<jsonschema::Validator>,
}

impl Schema {
    /// Compiles a schema shipped with the crate; a broken one is a build defect.
    pub fn compile(text: &str) -> Self {
        let mut schema: Value = serde_json::from_str(text).expect("shipped schemas are valid JSON");
        let dependencies = schema
            .as_object_mut()
            .and_then(|o| o.remove("dependentRequired"))
            .map(|deps| build(&serde_json::json!({ "dependentRequired": deps })));
        let validator = build(&schema);
        Self {
            schema,
            validator,
            dependencies,
        }
    }

    /// Every rule `value` breaks, in the validator's order.
    pub fn check(&self, value: &Value) -> Result<(), Vec<Finding>> {
        let mut findings = self.findings(&self.validator, value);
        if findings.is_empty()
            && let Some(dependencies) = &self.dependencies
        {
            findings = self.findings(dependencies, value);
        }
        if findings.is_empty() { Ok(()) } else { Err(findings) }
    }

    fn findings(&self, validator: &jsonschema::Validator, value: &Value) -> Vec<Finding> {
        validator
            .iter_errors(value)
            .map(|error| {
                let segments: Vec<String> = error
                    .instance_path()
                    .iter()
                    .map(|segment| segment.to_string())
                    .collect();
                let node = self.node_at(&segments);
                let violation = violation(error.kind(), error.instance(), node);
                let property = (!segments.is_empty()).then(|| {
                    let description = node
                        .and_then(|n| n.get("description"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    (segments.join("."), description)
                });
                Finding { violation, property }
            })
            .collect()
    }

    /// The schema node describing the instance at `segments` (through `properties`/`items`).
    fn node_at(&self, segments: &[String]) -> Option<&Value> {
        segments.iter().try_fold(&self.schema, |node, segment| {
            node.get("properties")
                .and_then(|p| p.get(segment))
                .or_else(|| node.get("items"))
        })
    }

    /// Form values arrive as strings: turn those whose property is typed integer, number or
    /// boolean into JSON values, so a form body validates like its JSON twin. (inf: the facts
    /// record that form bodies are accepted; typing of their values is unverified.)
    pub fn coerce_form(&self, pairs: Vec<(String, String)>) -> Value {
        let mut object = Map::new();
        for (name, text) in pairs {
            let declared = self
                .schema
                .get("properties")
                .and_then(|p| p.get(&name))
                .and_then(|p| p.get("type"))
                .and_then(Value::as_str);
            let value = match declared {
                Some("integer") => text.parse::<i64>().map(Value::from).ok(),
                Some("number") => text
                    .parse::<f64>()
                    .ok()
                    .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
                Some("boolean") => match text.as_str() {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    _ => None,
                },
                _ => None,
            }
            .unwrap_or(Value::String(text));
            object.insert(name, value);
        }
        Value::Object(object)
    }
}

fn build(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .with_format("url", is_absolute_url)
        .with_format("strict-uri", is_absolute_url)
        .with_format("user-id", |s: &str| !s.is_empty())
        .with_format("client-id", |s: &str| !s.is_empty())
        .with_format("organization-id", |s: &str| !s.is_empty())
        // inf: the first-character rule (facts auth0-mfa-orgs.md B1: lower-case letters, digits,
        // `_` and `-`).
        .with_format("organization-name", |s: &str| {
            s.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        })
        .with_format("checkpoint", |s: &str| {
            crate::auth0::wire::organizations::checkpoint_parts(s).is_some()
        })
        .build(schema)
        .expect("shipped schemas compile")
}

fn is_absolute_url(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && !rest.is_empty()
                && !rest.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// A JSON value as z-schema prints it inside messages: strings bare, the rest as JSON.
fn printed(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn violation(kind: &ValidationErrorKind, instance: &Value, node: Option<&Value>) -> Violation {
    match kind {
        ValidationErrorKind::Type { kind } => Violation::Type {
            expected: match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(","),
            },
            found: json_type(instance).to_owned(),
        },
        ValidationErrorKind::Required { property } => Violation::Required {
            property: printed(property),
        },
        ValidationErrorKind::AdditionalProperties { unexpected } => Violation::Additional {
            names: unexpected.clone(),
            metadata_note: node
                .and_then(|n| n.get(METADATA_NOTE))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        },
        ValidationErrorKind::Pattern { pattern } => Violation::Pattern {
            pattern: pattern.clone(),
            value: printed(instance),
        },
        ValidationErrorKind::MinLength { limit } => Violation::TooShort {
            length: instance.as_str().map_or(0, |s| s.encode_utf16().count()),
            min: *limit,
        },
        ValidationErrorKind::MaxLength { limit } => Violation::TooLong {
            length: instance.as_str().map_or(0, |s| s.encode_utf16().count()),
            max: *limit,
        },
        ValidationErrorKind::Minimum { limit } => Violation::Minimum {
            value: printed(instance),
            min: printed(limit),
        },
        ValidationErrorKind::Maximum { limit } => Violation::Maximum {
            value: printed(instance),
            max: printed(limit),
        },
        ValidationErrorKind::Enum { .. } => Violation::Enum {
            value: printed(instance),
        },
        ValidationErrorKind::Format { format } => Violation::Format {
            format: format.clone(),
            value: printed(instance),
        },
        other => Violation::Other {
            keyword: other.keyword().to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::compile(
            r#"{
              "type": "object", "additionalProperties": false,
              "properties": {
                "ttl_sec": {"type": "integer", "minimum": 0, "description": "Seconds."},
                "connection_id": {"type": "string", "pattern": "^con_[A-Za-z0-9]{16}$", "description": "ID of the connection."},
                "email": {"type": "string", "format": "email"},
                "flag": {"type": "boolean"},
                "identity": {"type": "object", "additionalProperties": false, "required": ["user_id"],
                             "description": "The identity.", "properties": {"user_id": {"type": "string"}}}
              }
            }"#,
        )
    }

    fn findings(value: Value) -> Vec<Finding> {
        schema().check(&value).expect_err("value is invalid")
    }

    #[test]
    fn root_type_error_has_no_property() {
        assert_eq!(
            findings(json!([1])),
            vec![Finding {
                violation: Violation::Type {
                    expected: "object".into(),
                    found: "array".into()
                },
                property: None
            }]
        );
    }

    #[test]
    fn nested_errors_name_the_dotted_path_and_description() {
        let got = findings(json!({"identity": {}}));
        assert_eq!(
            got,
            vec![Finding {
                violation: Violation::Required {
                    property: "user_id".into()
                },
                property: Some(("identity".into(), Some("The identity.".into())))
            }]
        );
        let got = findings(json!({"identity": {"user_id": 5}}));
        assert_eq!(got[0].property, Some(("identity.user_id".into(), None)));
    }

    #[test]
    fn several_rules_are_all_reported() {
        let got = findings(json!({"ttl_sec": -1, "connection_id": "con_x", "email": "nope", "extra": 1}));
        let kinds: Vec<&Violation> = got.iter().map(|f| &f.violation).collect();
        assert!(
            kinds.contains(&&Violation::Minimum {
                value: "-1".into(),
                min: "0".into()
            }),
            "{got:?}"
        );
        assert!(
            kinds.contains(&&Violation::Pattern {
                pattern: "^con_[A-Za-z0-9]{16}$".into(),
                value: "con_x".into()
            }),
            "{got:?}"
        );
        assert!(
            kinds.contains(&&Violation::Format {
                format: "email".into(),
                value: "nope".into()
            }),
            "{got:?}"
        );
        assert!(
            kinds.contains(&&Violation::Additional {
                names: vec!["extra".into()],
                metadata_note: false
            }),
            "{got:?}"
        );
    }

    #[test]
    fn form_values_are_typed_by_the_schema() {
        let value = schema().coerce_form(vec![
            ("ttl_sec".into(), "3600".into()),
            ("flag".into(), "true".into()),
            ("email".into(), "a@b.co".into()),
            ("ttl_sec2".into(), "7".into()),
        ]);
        assert_eq!(
            value,
            json!({"ttl_sec": 3600, "flag": true, "email": "a@b.co", "ttl_sec2": "7"})
        );
        let bad = schema().coerce_form(vec![("ttl_sec".into(), "soon".into())]);
        assert_eq!(bad, json!({"ttl_sec": "soon"}));
    }
}
