//! The bulk user import's wire texts (facts `migration.md` §2): the refusals of
//! `POST /api/v2/jobs/users-imports` in the Management API's Boom envelope, and the per-user
//! entries `GET /api/v2/jobs/{id}/errors` lists (`{"code", "message"[, "path"]}`), with their
//! hints side by side.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::auth0::wire::respond::{json_response, with_hint};

/// The most bytes an import request may carry (doc: OAS 413 text; the docs' "500KB").
pub const IMPORT_LIMIT: usize = 512_000;
/// Import jobs a tenant may have running at once (doc: "a limit of two concurrent import jobs
/// per tenant").
pub const ACTIVE_IMPORTS: usize = 2;
/// The pattern a `connection_id` must match (doc: OAS).
pub const CONNECTION_ID_PATTERN: &str = "^con_[A-Za-z0-9]{16}$";
/// The pattern a `password_hash` must match (obs: SUP-pattern).
pub const BCRYPT_PATTERN: &str = r"^\$2[ab]?\$10+\$[./A-Za-z0-9]{53}$";

/// Why `POST /api/v2/jobs/users-imports` is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRefusal {
    /// Not a multipart body, or one that does not parse. 400 (doc text: OAS; errorCode inf
    /// `invalid_body`).
    BadMultipart { why: String },
    /// No `users` part. 400 (doc text).
    MissingUsers,
    /// An empty `users` part. 400 (doc text).
    EmptyUsers,
    /// No `connection_id` part. 400 (doc text).
    MissingConnectionId,
    /// A `connection_id` that is not `con_` + 16 alphanumerics. 400 (obs 2016: GH
    /// auth0/docs#1327, no value after the pattern and no final period).
    ConnectionIdPattern { given: String },
    /// No connection has that id. 400 (doc text; errorCode inf `inexistent_connection`, a0 §2.3).
    ConnectionNotFound { id: String },
    /// Not a database connection. 400 `operation_not_supported` (obs code 2018; doc text with
    /// its final period, OAS).
    NotDatabase { strategy: String },
    /// A connection enabled for no application. 400 `connection_is_disabled` (obs code 2017;
    /// doc text, OAS).
    ConnectionDisabled { name: String },
    /// Over [`IMPORT_LIMIT`] bytes. 413 (doc text, OAS; errorCode NOT FOUND, none sent).
    TooLarge { bytes: usize },
    /// [`ACTIVE_IMPORTS`] jobs still running. 429 (doc text, whose closing quote the doc lost;
    /// errorCode NOT FOUND, inf `too_many_requests` as the other 429s of the API).
    TooManyJobs,
}

impl ImportRefusal {
    fn wire(&self) -> (StatusCode, String, Option<&'static str>) {
        use ImportRefusal::*;
        let bad = StatusCode::BAD_REQUEST;
        match self {
            BadMultipart { .. } => (
                bad,
                "Payload validation error: 'Invalid multipart payload format'.".into(),
                Some("invalid_body"),
            ),
            MissingUsers => (
                bad,
                "Must provide 'users' file as multipart part.".into(),
                Some("invalid_body"),
            ),
            EmptyUsers => (bad, "Users file must not be empty.".into(), Some("invalid_body")),
            MissingConnectionId => (
                bad,
                "Must provide 'connection_id' as multipart part.".into(),
                Some("invalid_body"),
            ),
            ConnectionIdPattern { .. } => (
                bad,
                format!(
                    "Payload validation error: 'String does not match pattern {CONNECTION_ID_PATTERN}' on property connection_id"
                ),
                Some("invalid_body"),
            ),
            ConnectionNotFound { .. } => (
                bad,
                "The connection does not exist.".into(),
                Some("inexistent_connection"),
            ),
            NotDatabase { .. } => (
                bad,
                "Connection must be a database connection.".into(),
                Some("operation_not_supported"),
            ),
            ConnectionDisabled { .. } => (
                bad,
                "Connection must be enabled.".into(),
                Some("connection_is_disabled"),
            ),
            TooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Payload content length greater than maximum allowed: {IMPORT_LIMIT}."),
                None,
            ),
            TooManyJobs => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "There are {ACTIVE_IMPORTS} active import users jobs, please wait until some of them are finished and try again"
                ),
                Some("too_many_requests"),
            ),
        }
    }

    /// authmock's diagnosis.
    pub fn hint(&self) -> String {
        use ImportRefusal::*;
        match self {
            BadMultipart { why } => format!("send multipart/form-data with a users file part: {why}"),
            MissingUsers => "the body has no part named users (the JSON array of users, as a file)".into(),
            EmptyUsers => "the users part is empty".into(),
            MissingConnectionId => "the body has no part named connection_id".into(),
            ConnectionIdPattern { given } => {
                format!("connection_id {given:?} is not con_ followed by 16 letters or digits")
            }
            ConnectionNotFound { id } => format!("no connection has id {id} (GET /api/v2/connections lists them)"),
            NotDatabase { strategy } => format!("users import only into database connections; this one is {strategy}"),
            ConnectionDisabled { name } => format!("connection {name} is enabled for no application"),
            TooLarge { bytes } => format!("the request has {bytes} bytes; split the users file into smaller ones"),
            TooManyJobs => format!(
                "{ACTIVE_IMPORTS} import jobs of this tenant are still pending: poll GET /api/v2/jobs/{{id}} until one completes"
            ),
        }
    }
}

impl IntoResponse for ImportRefusal {
    fn into_response(self) -> Response {
        let (status, message, code) = self.wire();
        let mut body = Map::new();
        body.insert("statusCode".into(), json!(status.as_u16()));
        body.insert("error".into(), json!(status.canonical_reason().unwrap_or_default()));
        body.insert("message".into(), json!(message));
        if let Some(code) = code {
            body.insert("errorCode".into(), json!(code));
        }
        with_hint(
            json_response(status, &Value::Object(body), "application/json; charset=utf-8"),
            self.hint(),
        )
    }
}

/// Why one user of the file was not imported: an entry of `/errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserProblem {
    /// The same email twice in the file (obs, paraphrased: C-102951).
    DuplicateInFile { field: &'static str },
    /// A user with that email exists and `upsert` is false (obs: REC-job ReadErrors; "exist"
    /// as sent).
    Exists,
    /// `email` missing (inf: the doc lists `OBJECT_REQUIRED`; the z-schema template).
    Required { property: &'static str, path: &'static str },
    /// A value not of its format (obs: C-102951 for the email; the internal path).
    Format {
        format: &'static str,
        value: String,
        path: &'static str,
    },
    /// A wrong JSON type (inf: the z-schema template, a0 §2.4).
    Type {
        expected: &'static str,
        found: &'static str,
        path: String,
    },
    /// A string not matching its pattern (obs: SUP-pattern for `passwordHash`).
    Pattern { pattern: &'static str, path: &'static str },
    /// A property the schema does not have (inf: z-schema's template; the code inf).
    Additional { names: Vec<String> },
    /// A value outside its enum (inf: z-schema's template, the doc's `ENUM_MISMATCH`).
    Enum { value: String, path: String },
    /// `password_hash` and `custom_password_hash` together (inf: the doc's `CONFLICT`).
    BothHashes,
    /// A `custom_password_hash` authmock cannot check, or one that does not parse (inf: text).
    UnsupportedHash { why: String },
}

impl UserProblem {
    /// The `{"code", "message"[, "path"]}` entry.
    pub fn to_json(&self) -> Value {
        use UserProblem::*;
        let (code, message, path): (&str, String, Option<String>) = match self {
            DuplicateInFile { field } => (
                "DUPLICATED_USER",
                format!("A user with this {field} was already provided."),
                None,
            ),
            Exists => (
                "DUPLICATED_USER",
                "The user already exist and upsert parameter is false".into(),
                None,
            ),
            Required { property, path } => (
                "OBJECT_REQUIRED",
                format!("Error in {path} property - Missing required property: {property}"),
                Some((*path).into()),
            ),
            Format { format, value, path } => (
                "INVALID_FORMAT",
                format!("Error in {path} property - Object didn't pass validation for format {format}: {value}"),
                Some((*path).into()),
            ),
            Type { expected, found, path } => (
                "INVALID_TYPE",
                format!("Error in {path} property - Expected type {expected} but found type {found}"),
                Some(path.clone()),
            ),
            Pattern { pattern, path } => (
                "PATTERN",
                format!("Error in {path} property - String does not match pattern {pattern}"),
                Some((*path).into()),
            ),
            Additional { names } => (
                "OBJECT_ADDITIONAL_PROPERTIES",
                format!("Additional properties not allowed: {}", names.join(",")),
                None,
            ),
            Enum { value, path } => (
                "ENUM_MISMATCH",
                format!("Error in {path} property - No enum match for: {value}"),
                Some(path.clone()),
            ),
            BothHashes => (
                "CONFLICT",
                "Error in passwordHash property - passwordHash and customPasswordHash cannot be used together".into(),
                Some("passwordHash".into()),
            ),
            UnsupportedHash { why } => (
                "INVALID_FORMAT",
                format!("Error in customPasswordHash property - {why}"),
                Some("customPasswordHash".into()),
            ),
        };
        let mut out = Map::new();
        out.insert("code".into(), json!(code));
        out.insert("message".into(), json!(message));
        if let Some(path) = path {
            out.insert("path".into(), json!(path));
        }
        Value::Object(out)
    }
}
