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
/// One `$defs` entry per operation: the shape of its `result`.
pub const OPERATION_RESULTS_SCHEMA: &str = include_str!("../../docs/schemas/operation-results.json");

/// The connection details sent in a `run`: an Auth0 tenant for `auth0.*` operations, a Janrain
/// Capture app for `janrain.*` operations, both for `migration.*` operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Provider {
    Auth0(Auth0Provider),
    Janrain(Box<JanrainProvider>),
    Migration(Box<MigrationProvider>),
}

/// Both ends of a migration: the Janrain app it exports from, the Auth0 tenant it imports into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationProvider {
    pub auth0: Auth0Provider,
    pub janrain: JanrainProvider,
}

/// The connection details of the Auth0 tenant a scenario runs against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auth0Provider {
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

/// The connection details of the Janrain Capture app a scenario runs against: the login client
/// and the flow whose forms the password-recovery journey submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JanrainProvider {
    pub base_url: String,
    /// A login client (an API client with the `login_client` feature).
    pub client_id: String,
    /// Its secret, sent to `/oauth/token` only.
    pub client_secret: String,
    pub flow: String,
    pub flow_version: String,
    pub locale: String,
    /// Sent to `/oauth/forgot_password_native`; `/oauth/token` must repeat it.
    pub redirect_uri: String,
    pub forms: JanrainForms,
    /// A server-side API client (feature `owner` or `direct_access`) for the Entity API
    /// (`janrain.entity_*`): its id and secret, sent as HTTP Basic, a `Signature`, or form fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_client_secret: Option<String>,
}

/// The flow's forms and the names of their fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JanrainForms {
    pub forgot_password: JanrainForm,
    pub change_password: JanrainForm,
    pub sign_in: JanrainForm,
}

/// One form: its name and the fields the journey fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JanrainForm {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_field: Option<String>,
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
/// The result schema of each operation, from `operation-results.json`.
static RESULTS: LazyLock<Vec<(String, jsonschema::Validator)>> = LazyLock::new(|| {
    let all: Value = serde_json::from_str(OPERATION_RESULTS_SCHEMA).expect("shipped protocol schemas are JSON");
    all["$defs"]
        .as_object()
        .map(|defs| {
            defs.iter()
                .map(|(op, schema)| {
                    let validator = jsonschema::validator_for(schema).expect("shipped protocol schemas compile");
                    (op.clone(), validator)
                })
                .collect()
        })
        .unwrap_or_default()
});

/// The operations protocol v1 defines.
pub fn operations() -> Vec<String> {
    RESULTS.iter().map(|(op, _)| op.clone()).collect()
}

/// Where the shape of `op`'s result is declared: its `$defs` entry in `operation-results.json`.
pub fn result_schema(op: &str) -> String {
    format!("docs/schemas/operation-results.json#/$defs/{op}")
}

/// Checks the `result` an adapter reported for `op` against the operation's shape.
pub fn check_result(op: &str, result: &Value) -> Result<(), String> {
    let Some((_, validator)) = RESULTS.iter().find(|(name, _)| name == op) else {
        return Ok(());
    };
    let findings: Vec<String> = validator
        .iter_errors(result)
        .map(|error| {
            let path = error.instance_path().to_string();
            format!("at /result{path}: {error}")
        })
        .collect();
    if findings.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the adapter's result for `{op}` does not have the operation's shape ({}):\n  {}",
            result_schema(op),
            findings.join("\n  ")
        ))
    }
}

pub static STOP_REQUEST: LazyLock<Schema> = LazyLock::new(|| Schema::compile("stop-request", STOP_REQUEST_SCHEMA));

/// Parses and validates the adapter's answer to `start`.
pub fn parse_hello(line: &str) -> Result<Hello, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("the adapter's start answer is not JSON ({e}): {line}"))?;
    START_RESPONSE.check(&value)?;
    serde_json::from_value(value).map_err(|e| format!("the adapter's start answer: {e}"))
}

/// Parses and validates the adapter's answer to `run` number `seq`, which asked for `op`.
pub fn parse_run_answer(line: &str, seq: u64, op: &str) -> Result<OpOutcome, String> {
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
        let result = value.get("result").cloned().unwrap_or(Value::Null);
        check_result(op, &result)?;
        return Ok(OpOutcome::Ok(result));
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
    fn a_janrain_run_carries_the_capture_app_and_is_checked_against_its_shape() {
        let provider = json!({"base_url": "http://127.0.0.1:1", "client_id": "a", "client_secret": "b",
            "flow": "standard", "flow_version": "1", "locale": "en-US", "redirect_uri": "http://x/",
            "forms": {"forgot_password": {"name": "forgotPasswordForm", "email_field": "signInEmailAddress"},
                "change_password": {"name": "changePasswordFormNoAuth", "password_field": "newPassword",
                    "confirm_field": "newPasswordConfirm"},
                "sign_in": {"name": "signInForm", "email_field": "signInEmailAddress",
                    "password_field": "currentPassword"}}});
        let typed: Provider = serde_json::from_value(provider.clone()).unwrap();
        assert!(matches!(typed, Provider::Janrain(_)));
        assert_eq!(serde_json::to_value(&typed).unwrap(), provider);
        RUN_REQUEST
            .check(
                &json!({"cmd": "run", "seq": 1, "op": "janrain.exchange_code", "provider": provider,
                "args": {"code": "abc"}}),
            )
            .unwrap();
        let err = RUN_REQUEST
            .check(
                &json!({"cmd": "run", "seq": 1, "op": "janrain.update_password", "provider": provider,
                "args": {"access_token": "t", "new_password": "p"}}),
            )
            .unwrap_err();
        assert!(err.contains("\"new_password_confirm\" is a required property"), "{err}");
    }

    #[test]
    fn a_result_without_the_operation_field_names_it() {
        let err = parse_run_answer(
            r#"{"seq":1,"ok":true,"result":{"token":"x"}}"#,
            1,
            "janrain.exchange_code",
        )
        .unwrap_err();
        assert!(err.contains("result for `janrain.exchange_code`"), "{err}");
        assert!(err.contains("\"access_token\" is a required property"), "{err}");
        assert!(parse_run_answer(r#"{"seq":1,"ok":true,"result":null}"#, 1, "janrain.update_password").is_ok());
        assert_eq!(operations().len(), 43);
    }

    #[test]
    fn the_configuration_operations_need_the_credentials_and_an_array_of_scopes() {
        let err = parse_run_answer(
            r#"{"seq":1,"ok":true,"result":{"client_id":"x"}}"#,
            1,
            "auth0.create_client",
        )
        .unwrap_err();
        assert!(err.contains("\"client_secret\" is a required property"), "{err}");
        let provider = json!({"base_url": "http://127.0.0.1:1", "client_id": "c", "client_secret": "s",
            "audience": "http://127.0.0.1:1/api/v2/", "connection_id": "con_1", "connection": "db"});
        let err = RUN_REQUEST
            .check(
                &json!({"cmd": "run", "seq": 1, "op": "auth0.create_client_grant", "provider": provider,
                "args": {"client_id": "c", "audience": "https://api.example.com/", "scope": "read:messages"}}),
            )
            .unwrap_err();
        assert!(err.contains("is not of type \"array\""), "{err}");
    }

    #[test]
    fn a_hello_without_operations_names_the_missing_field() {
        let err = parse_hello(r#"{"ok":true,"name":"php-app","version":"1"}"#).unwrap_err();
        assert!(err.contains("\"operations\" is a required property"), "{err}");
    }

    #[test]
    fn an_error_answer_without_status_points_at_the_error_object() {
        let err = parse_run_answer(
            r#"{"seq":3,"ok":false,"error":{"body":{}}}"#,
            3,
            "auth0.set_user_password",
        )
        .unwrap_err();
        assert!(err.contains("at /error"), "{err}");
        assert!(err.contains("\"status\" is a required property"), "{err}");
    }

    #[test]
    fn answers_are_matched_to_their_run_by_seq() {
        let err = parse_run_answer(r#"{"seq":2,"ok":true,"result":{}}"#, 3, "auth0.set_user_password").unwrap_err();
        assert!(err.contains("seq 2 to run seq 3"), "{err}");
        let ok = parse_run_answer(
            r#"{"seq":3,"ok":false,"error":{"status":401,"body":{"message":"x"}}}"#,
            3,
            "auth0.set_user_password",
        )
        .unwrap();
        assert!(matches!(
            ok,
            OpOutcome::ProviderError(ProviderError { status: 401, .. })
        ));
        assert_eq!(
            parse_run_answer(r#"{"seq":3,"ok":false,"unsupported":true}"#, 3, "janrain.sign_in").unwrap(),
            OpOutcome::Unsupported
        );
    }
}
