//! Adapter protocol v1: the messages the harness and a client adapter exchange, one JSON
//! object per line, and the JSON Schemas that every adapter message is validated against.
//!
//! The prose is `docs/adapter-protocol.md`; the schemas are `docs/schemas/*.json`, embedded
//! here so the binary validates with exactly the files the documentation shows.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol version the harness speaks.
pub const VERSION: u32 = 1;

pub const START_REQUEST_SCHEMA: &str = include_str!("../../docs/schemas/start-request.json");
pub const START_RESPONSE_SCHEMA: &str = include_str!("../../docs/schemas/start-response.json");
pub const RUN_REQUEST_SCHEMA: &str = include_str!("../../docs/schemas/run-request.json");
pub const RUN_RESPONSE_SCHEMA: &str = include_str!("../../docs/schemas/run-response.json");
pub const STOP_REQUEST_SCHEMA: &str = include_str!("../../docs/schemas/stop-request.json");

/// The connection details of the tenant a scenario runs against, as sent in every `run`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub base_url: String,
    /// The machine-to-machine application used for the Management API.
    pub client_id: String,
    pub client_secret: String,
    /// The Management API audience, `<base_url with https>/api/v2/`.
    pub audience: String,
    /// The database connection's id (`con_…`) and name.
    pub connection_id: String,
    pub connection: String,
    /// The regular web application used for logins and "forgot password".
    pub login_client_id: String,
    pub login_client_secret: String,
}

/// What the adapter answers to `start`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub name: String,
    pub version: String,
    pub operations: Vec<String>,
}

/// The provider error a client saw, as it saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderError {
    pub status: u16,
    pub body: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, Value>>,
}

/// The outcome of one `run`.
#[derive(Debug, Clone, PartialEq)]
pub enum OpOutcome {
    Ok(Value),
    ProviderError(ProviderError),
    Unsupported,
}

/// One message's schema, compiled once.
pub struct Schema {
    name: &'static str,
    validator: jsonschema::Validator,
}

impl Schema {
    fn compile(name: &'static str, text: &str) -> Self {
        let schema: Value = serde_json::from_str(text).expect("shipped protocol schemas are JSON");
        let validator = jsonschema::validator_for(&schema).expect("shipped protocol schemas compile");
        Self { name, validator }
    }

    /// Checks `message` and, when it does not conform, says where and why, one line per finding.
    pub fn check(&self, message: &Value) -> Result<(), String> {
        let findings: Vec<String> = self
            .validator
            .iter_errors(message)
            .map(|error| {
                let path = error.instance_path().to_string();
                let at = if path.is_empty() { "/".to_owned() } else { path };
                format!("at {at}: {error}")
            })
            .collect();
        if findings.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the adapter's {} message does not follow protocol v1 (docs/schemas/{}.json):\n  {}",
                self.name.replace('-', " "),
                self.name,
                findings.join("\n  ")
            ))
        }
    }
}

pub static START_RESPONSE: LazyLock<Schema> =
    LazyLock::new(|| Schema::compile("start-response", START_RESPONSE_SCHEMA));
pub static RUN_RESPONSE: LazyLock<Schema> = LazyLock::new(|| Schema::compile("run-response", RUN_RESPONSE_SCHEMA));
pub static RUN_REQUEST: LazyLock<Schema> = LazyLock::new(|| Schema::compile("run-request", RUN_REQUEST_SCHEMA));
pub static START_REQUEST: LazyLock<Schema> = LazyLock::new(|| Schema::compile("start-request", START_REQUEST_SCHEMA));
pub static STOP_REQUEST: LazyLock<Schema> = LazyLock::new(|| Schema::compile("stop-request", STOP_REQUEST_SCHEMA));

/// Parses and validates the adapter's answer to `start`.
pub fn parse_hello(line: &str) -> Result<Hello, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("the adapter's start answer is not JSON ({e}): {line}"))?;
    START_RESPONSE.check(&value)?;
    serde_json::from_value(value).map_err(|e| format!("the adapter's start answer: {e}"))
}

/// Parses and validates the adapter's answer to `run` number `seq`.
pub fn parse_run_answer(line: &str, seq: u64) -> Result<OpOutcome, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("the adapter's run answer is not JSON ({e}): {line}"))?;
    RUN_RESPONSE.check(&value)?;
    let got = value.get("seq").and_then(Value::as_u64).unwrap_or_default();
    if got != seq {
        return Err(format!(
            "the adapter answered seq {got} to run seq {seq}: answer each run in order, echoing its seq"
        ));
    }
    if value.get("ok") == Some(&Value::Bool(true)) {
        return Ok(OpOutcome::Ok(value.get("result").cloned().unwrap_or(Value::Null)));
    }
    if value.get("unsupported").is_some() {
        return Ok(OpOutcome::Unsupported);
    }
    let error = value.get("error").cloned().unwrap_or(Value::Null);
    serde_json::from_value(error)
        .map(OpOutcome::ProviderError)
        .map_err(|e| format!("the adapter's error answer: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_harness_own_messages_follow_the_schemas() {
        START_REQUEST.check(&json!({"cmd": "start", "protocol": 1})).unwrap();
        STOP_REQUEST.check(&json!({"cmd": "stop"})).unwrap();
        RUN_REQUEST
            .check(
                &json!({"cmd": "run", "seq": 1, "op": "auth0.get_management_token", "args": {},
                "provider": {"base_url": "http://127.0.0.1:1", "client_id": "a", "client_secret": "b",
                "audience": "c", "connection_id": "d", "connection": "e"}}),
            )
            .unwrap();
    }

    #[test]
    fn a_hello_without_operations_names_the_missing_field() {
        let err = parse_hello(r#"{"ok":true,"name":"php-app","version":"1"}"#).unwrap_err();
        assert!(err.contains("\"operations\" is a required property"), "{err}");
    }

    #[test]
    fn an_error_answer_without_status_points_at_the_error_object() {
        let err = parse_run_answer(r#"{"seq":3,"ok":false,"error":{"body":{}}}"#, 3).unwrap_err();
        assert!(err.contains("at /error"), "{err}");
        assert!(err.contains("\"status\" is a required property"), "{err}");
    }

    #[test]
    fn answers_are_matched_to_their_run_by_seq() {
        let err = parse_run_answer(r#"{"seq":2,"ok":true,"result":{}}"#, 3).unwrap_err();
        assert!(err.contains("seq 2 to run seq 3"), "{err}");
        let ok = parse_run_answer(
            r#"{"seq":3,"ok":false,"error":{"status":401,"body":{"message":"x"}}}"#,
            3,
        )
        .unwrap();
        assert!(matches!(
            ok,
            OpOutcome::ProviderError(ProviderError { status: 401, .. })
        ));
        assert_eq!(
            parse_run_answer(r#"{"seq":3,"ok":false,"unsupported":true}"#, 3).unwrap(),
            OpOutcome::Unsupported
        );
    }
}
