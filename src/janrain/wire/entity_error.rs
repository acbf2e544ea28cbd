//! The Entity API's own wire errors (`/entity*`, server-side authentication), formatted here
//! and carried by [`super::error::JanrainError::Entity`].
//!
//! Every body is the Capture envelope at HTTP 200 (facts `janrain.md` §2; `janrain-entity.md`
//! §1.5 "HTTP status of Entity API errors (200 inferred)"), in the field order of
//! [`super::error`]: `stat`, `code`, `error`, the code's extra fields, `error_description`,
//! `request_id`. Texts marked `inf` are authmock's where the facts are silent; the rest are
//! verbatim from the facts.

use serde::Serialize;

/// An Entity API error.
#[derive(Debug, Clone, PartialEq)]
pub enum EntityError {
    /// `id` and `uuid` (or a key attribute) together: 201 `duplicate_argument` (facts
    /// `janrain-entity.md` §1.2). Text inf.
    DuplicateArgument { names: String },
    /// `type_name` names no entity type: 222 `unknown_entity_type` with `type_name` (jr §3).
    /// Text inf.
    UnknownEntityType { type_name: String },
    /// An attribute the entity type does not declare: 223 `unknown_attribute` with
    /// `attribute_name` (jr §3). Text inf.
    UnknownAttribute { path: String },
    /// A write to a system attribute (`uuid`, `created`, `lastUpdated`; `id` on update): 234
    /// `reserved_attribute` with `attribute_name` (jr §3; facts §1.3 "system-set"). Text inf.
    ReservedAttribute { path: String },
    /// `entity.create` with an `id`: 320 `id_in_new_record` (jr §3). Text inf.
    IdInNewRecord,
    /// No record for the selector: 310 `record_not_found`, "record not found" (facts §1.5, obs
    /// weak).
    RecordNotFound { hint: String },
    /// A `created` / `lastUpdated` guard that differs: 330 `timestamp_mismatch` with
    /// `attribute_name`, `actual_value`, `supplied_value` (jr §2, §3). Text inf.
    TimestampMismatch {
        attribute: String,
        actual: String,
        supplied: String,
    },
    /// `/entity` password check failed: 350 `invalid_password_value`, "incorrect password."
    /// (facts §1.2, the doc example).
    InvalidPassword,
    /// A value another record holds in a unique attribute: 361 `unique_violation`, "Attempted
    /// to update a duplicate value" (facts §1.3, the bulkCreate item).
    UniqueViolation { path: String },
    /// A required attribute left null: 362 `missing_required_attribute` with `attribute_name`
    /// (jr §3). Text inf.
    MissingRequiredAttribute { path: String },
    /// 200 `invalid_argument` "<argument> was not valid for the following reason: <reason>"
    /// (facts §1.4, §1.5: the documented filter and attributes bodies). `reason` is verbatim
    /// for bad JSON ("the JSON isnot syntactically valid") and unknown filter attributes
    /// ("Unknown attribute (null)"); other reasons are inf.
    NotValid {
        argument: String,
        reason: String,
        hint: String,
    },
    /// A value of the wrong type: 200 `invalid_argument` with `argument_name` = the slash path
    /// and "<path> was not a valid <type>." (the pattern of the observed
    /// "/basicIpAddress was not a valid ip address.", jr §2 [S29]).
    WrongType { path: String, noun: &'static str },
    /// The removed `contains` filter operator: 485 (facts §1.4: "a 485 error"). The error name
    /// and text are NOT FOUND: inf `unsupported_filter_operator`, "the contains operator is no
    /// longer supported".
    FilterContains,
    /// Server-side credentials missing, unknown, wrong, or a `Signature` that does not verify
    /// or is dated outside the window: 402 `invalid_client_credentials` (jr §3; facts §1.1 "the
    /// bad-signature error is NOT FOUND (402, inf)"). Text inf.
    BadClientCredentials { hint: String },
    /// A client without the feature the call needs: 403 `client_permission_error` (facts §1.3
    /// "API client permissions"). Text NOT FOUND; inf.
    ClientPermission { client_id: String, needs: &'static str },
    /// An `entity.find` / `entity.count` that ran past its budget (the app's
    /// `search_timeout_ms`, narrowed by the call's `timeout`): code 504, which clients read as
    /// "query timed out" and retry with a longer `timeout` (facts §1.5, obs: janrain-python-datalib
    /// `app.py`). The error name and text are NOT FOUND: inf `query_timeout`, "the query timed out".
    QueryTimeout { budget_ms: u64 },
    /// A body over the size limit. Capture's answer is a gateway page (facts §1.5: datalib
    /// reads HTTP 403/502/504 as "request was too large"); inf: HTTP 413 with the envelope, 200
    /// `invalid_argument`, "request body is too large", so a client still parses it.
    BodyTooLarge { hint: String },
}

/// The envelope with every extra field an Entity error may carry, in wire order.
#[derive(Serialize)]
struct Body<'a> {
    stat: &'static str,
    code: u16,
    error: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    argument_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    type_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attribute_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual_value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplied_value: Option<&'a str>,
    error_description: &'a str,
    request_id: &'a str,
}

/// The reason for a syntactically broken JSON argument, verbatim (facts §1.5, "isnot" as
/// printed).
pub const BAD_JSON: &str = "the JSON isnot syntactically valid";
/// The reason for a filter naming an unknown attribute, verbatim (facts §1.4).
pub const FILTER_UNKNOWN_ATTRIBUTE: &str = "Unknown attribute (null)";

impl EntityError {
    /// authmock's one-line diagnosis (the `x-authmock-hint` header).
    pub(in crate::janrain) fn hint(&self) -> String {
        match self {
            Self::DuplicateArgument { names } => format!("give exactly one record selector, not {names}"),
            Self::UnknownEntityType { type_name } => format!("this app has no entity type {type_name:?}"),
            Self::UnknownAttribute { path } => {
                format!("the entity type declares no attribute {path} (the fixture's entity_type lists them)")
            }
            Self::ReservedAttribute { path } => format!("{path} is set by Capture and cannot be written"),
            Self::IdInNewRecord => "entity.create assigns the id itself; drop `id` from attributes".into(),
            Self::RecordNotFound { hint }
            | Self::NotValid { hint, .. }
            | Self::BadClientCredentials { hint }
            | Self::BodyTooLarge { hint } => hint.clone(),
            Self::TimestampMismatch { attribute, .. } => {
                format!("the record's {attribute} changed since the client read it")
            }
            Self::InvalidPassword => "the password does not match the record's".into(),
            Self::UniqueViolation { path } => format!("another record already holds this {path}"),
            Self::MissingRequiredAttribute { path } => format!("{path} is required by the entity type"),
            Self::WrongType { path, noun } => format!("{path} must be a {noun}"),
            Self::FilterContains => "`contains` was removed from the filter grammar; use = on a full value".into(),
            Self::ClientPermission { client_id, needs } => {
                format!("client {client_id} lacks the feature this call needs ({needs})")
            }
            Self::QueryTimeout { budget_ms } => format!(
                "the filter ran past the budget of {budget_ms} ms (the app's search_timeout_ms, or the call's \
                 `timeout` in seconds if lower): fewer or simpler terms, or page with `id > <last id>`"
            ),
        }
    }

    /// The HTTP status: 200 like every Capture error, 413 for an oversized body.
    pub(in crate::janrain) fn status(&self) -> axum::http::StatusCode {
        match self {
            Self::BodyTooLarge { .. } => axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            _ => axum::http::StatusCode::OK,
        }
    }

    /// The body, with `request_id`.
    pub(in crate::janrain) fn body(&self, request_id: &str) -> String {
        let description: String;
        let mut body = Body {
            stat: "error",
            code: 0,
            error: "",
            argument_name: None,
            type_name: None,
            attribute_name: None,
            actual_value: None,
            supplied_value: None,
            error_description: "",
            request_id,
        };
        match self {
            Self::DuplicateArgument { names } => {
                (body.code, body.error) = (201, "duplicate_argument");
                description = format!("only one of these arguments may be given: {names}");
            }
            Self::UnknownEntityType { type_name } => {
                (body.code, body.error) = (222, "unknown_entity_type");
                body.type_name = Some(type_name);
                description = format!("unknown entity type: {type_name}");
            }
            Self::UnknownAttribute { path } => {
                (body.code, body.error) = (223, "unknown_attribute");
                body.attribute_name = Some(path);
                description = format!("unknown attribute: {path}");
            }
            Self::ReservedAttribute { path } => {
                (body.code, body.error) = (234, "reserved_attribute");
                body.attribute_name = Some(path);
                description = format!("attribute is reserved: {path}");
            }
            Self::IdInNewRecord => {
                (body.code, body.error) = (320, "id_in_new_record");
                description = "a new record cannot be given an id".into();
            }
            Self::RecordNotFound { .. } => {
                (body.code, body.error) = (310, "record_not_found");
                description = "record not found".into();
            }
            Self::TimestampMismatch {
                attribute,
                actual,
                supplied,
            } => {
                (body.code, body.error) = (330, "timestamp_mismatch");
                body.attribute_name = Some(attribute);
                body.actual_value = Some(actual);
                body.supplied_value = Some(supplied);
                description = format!("{attribute} does not match the record");
            }
            Self::InvalidPassword => {
                (body.code, body.error) = (350, "invalid_password_value");
                description = "incorrect password.".into();
            }
            Self::UniqueViolation { .. } => {
                (body.code, body.error) = (361, "unique_violation");
                description = "Attempted to update a duplicate value".into();
            }
            Self::MissingRequiredAttribute { path } => {
                (body.code, body.error) = (362, "missing_required_attribute");
                body.attribute_name = Some(path);
                description = format!("missing required attribute: {path}");
            }
            Self::NotValid { argument, reason, .. } => {
                (body.code, body.error) = (200, "invalid_argument");
                body.argument_name = Some(argument);
                description = format!("{argument} was not valid for the following reason: {reason}");
            }
            Self::WrongType { path, noun } => {
                (body.code, body.error) = (200, "invalid_argument");
                body.argument_name = Some(path);
                description = format!("{path} was not a valid {noun}.");
            }
            Self::FilterContains => {
                (body.code, body.error) = (485, "unsupported_filter_operator");
                description = "the contains operator is no longer supported".into();
            }
            Self::BadClientCredentials { .. } => {
                (body.code, body.error) = (402, "invalid_client_credentials");
                description = "invalid client credentials".into();
            }
            Self::ClientPermission { needs, .. } => {
                (body.code, body.error) = (403, "client_permission_error");
                description = format!("the client does not have the required feature: {needs}");
            }
            Self::BodyTooLarge { .. } => {
                (body.code, body.error) = (200, "invalid_argument");
                description = "request body is too large".into();
            }
            Self::QueryTimeout { .. } => {
                (body.code, body.error) = (504, "query_timeout");
                description = "the query timed out".into();
            }
        }
        body.error_description = &description;
        serde_json::to_string(&body).unwrap_or_else(|_| String::from("{\"stat\":\"error\"}"))
    }
}
