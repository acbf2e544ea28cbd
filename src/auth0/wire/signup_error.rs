//! `/dbconnections/signup`'s refusals, in the signup envelope
//! `{"name",["message",]"code","description",["policy",]"statusCode"}` (facts `auth0-users.md`
//! §7), 400 with `application/json; charset=utf-8`. inf: no signup refusal was recorded; the
//! signup's own 200 has the charset (obs, go-auth0 main
//! test/data/recordings/authentication/TestDatabaseSignUp_*.yaml), and where an Authentication API
//! endpoint's refusals were recorded they share its success's content type (`/bc-authorize` 400s
//! with the charset, TestCIBANegative_Initiate/*.yaml; `/oauth/token` errors without, like its
//! 200s). Each variant names one refusal; its body and its hint are written here.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::auth0::wire::respond::{json_response, with_hint};
use crate::core::password::{PasswordPolicy, Strength};

/// A signup refused.
#[derive(Debug, Clone)]
pub enum SignupError {
    /// A user with this email exists and the tenant's user-exists errors are on (obs:
    /// FS-46278877482, JAVA-FX).
    UserExists,
    /// The username is taken and the tenant's user-exists errors are on (doc DOC-liberr: the
    /// code; inf: the description is the hosted page's text for a taken username, DOC-text, and
    /// the name is the envelope's other 400s'; no body was captured).
    UsernameExists,
    /// A user with this email or username exists; the default answer hides which (obs).
    InvalidSignup,
    /// The password fails the connection's strength policy: the rules, each with `verified`,
    /// and the policy as text (obs: GOAUTH0-ERR for `good`).
    PasswordTooWeak {
        description: Value,
        policy: String,
        weakness: String,
    },
    /// The password is in the connection's dictionary (obs: C-131029).
    PasswordDictionary,
    /// The password contains the user's name or email (obs: name, code; message and
    /// description inf, from the Management API's text).
    PasswordNoUserInfo,
    /// `user_metadata` past the documented signup limits (doc DOC-signup: an object of at most
    /// [`METADATA_PROPS`] properties, names of at most [`METADATA_NAME_CHARS`] characters,
    /// string values of at most [`METADATA_VALUE_CHARS`]). inf: no refusal was recorded; the body
    /// is the generic `invalid_signup` one, the only signup 400 without a field of its own.
    MetadataRefused { problem: String },
    /// The connection is not enabled for the application that signs up. The description is the
    /// Management API's text for the same check, which names signups itself (obs:
    /// terraform-provider-auth0 #854, `POST /api/v2/users`); inf: the envelope's name and code
    /// (the other signup 400s' `BadRequestError`, and the generic `invalid_signup`), no signup
    /// body was found.
    ConnectionNotEnabled { client_id: String, connection: String },
}

/// Signup's `user_metadata` limits (doc DOC-signup).
pub const METADATA_PROPS: usize = 10;
pub const METADATA_NAME_CHARS: usize = 100;
pub const METADATA_VALUE_CHARS: usize = 500;

impl SignupError {
    /// The strength refusal for `password` under `policy`, spelled as the provider spells it.
    pub fn too_weak(policy: &PasswordPolicy, password: &str, weakness: String) -> Self {
        let (description, policy) = policy_rules(policy, password);
        SignupError::PasswordTooWeak {
            description,
            policy,
            weakness,
        }
    }

    /// The body, in wire order, without `statusCode`.
    fn body(&self) -> Map<String, Value> {
        let fields: Vec<(&str, Value)> = match self {
            SignupError::UserExists => vec![
                ("name", "BadRequestError".into()),
                ("code", "user_exists".into()),
                ("description", "The user already exists.".into()),
            ],
            SignupError::UsernameExists => vec![
                ("name", "BadRequestError".into()),
                ("code", "username_exists".into()),
                ("description", "The username provided is in use already.".into()),
            ],
            SignupError::InvalidSignup | SignupError::MetadataRefused { .. } => vec![
                ("name", "BadRequestError".into()),
                ("code", "invalid_signup".into()),
                ("description", "Invalid sign up".into()),
            ],
            SignupError::ConnectionNotEnabled { client_id, connection } => vec![
                ("name", "BadRequestError".into()),
                ("code", "invalid_signup".into()),
                ("description", connection_not_enabled(client_id, connection).into()),
            ],
            SignupError::PasswordTooWeak {
                description, policy, ..
            } => vec![
                ("name", "PasswordStrengthError".into()),
                ("message", "Password is too weak".into()),
                ("code", "invalid_password".into()),
                ("description", description.clone()),
                ("policy", policy.clone().into()),
            ],
            SignupError::PasswordDictionary => vec![
                ("name", "PasswordDictionaryError".into()),
                ("message", "Password is too common".into()),
                ("code", "invalid_password".into()),
                ("description", "Password is not allowed, it might be too common.".into()),
            ],
            SignupError::PasswordNoUserInfo => vec![
                ("name", "PasswordNoUserInfoError".into()),
                ("message", "Password contains user information".into()),
                ("code", "invalid_password".into()),
                ("description", "Password contains user information".into()),
            ],
        };
        fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// authmock's diagnosis: why this error, and what the client should change.
    pub fn hint(&self) -> String {
        match self {
            SignupError::UserExists => {
                "a user with this email exists in the connection (the tenant's user-exists errors are on)".into()
            }
            SignupError::UsernameExists => {
                "the username is taken in the connection (the tenant's user-exists errors are on)".into()
            }
            SignupError::InvalidSignup => "a user with this email (or username) exists; the provider answers this \
                                           generic text unless the tenant turns on user-exists errors"
                .into(),
            SignupError::PasswordTooWeak { weakness, .. } => {
                format!("the connection's password policy requires {weakness}")
            }
            SignupError::PasswordDictionary | SignupError::PasswordNoUserInfo => {
                "the connection's password rules refuse this password".into()
            }
            SignupError::ConnectionNotEnabled { client_id, connection } => {
                connection_not_enabled_hint(client_id, connection)
            }
            SignupError::MetadataRefused { problem } => format!(
                "signup's user_metadata takes at most {METADATA_PROPS} properties, names of at most \
                 {METADATA_NAME_CHARS} characters and string values of at most {METADATA_VALUE_CHARS}: {problem}"
            ),
        }
    }
}

/// The refusal of a user creation or signup by an application `connection` is not enabled for,
/// shared by `POST /api/v2/users` and `POST /dbconnections/signup` (obs text:
/// terraform-provider-auth0 #854).
pub fn connection_not_enabled(client_id: &str, connection: &str) -> String {
    format!(
        "Connection must be enabled for this client to perform single user creation and signup operations \
         (client_id: {client_id} - connection: {connection})"
    )
}

/// The hint of every refusal of a connection not enabled for the application that asked.
pub fn connection_not_enabled_hint(client_id: &str, connection: &str) -> String {
    format!(
        "`{connection}` is not enabled for the application {client_id} that asked: add it to the connection's \
         enabled clients (PATCH /api/v2/connections/{{id}}/clients)"
    )
}

impl IntoResponse for SignupError {
    fn into_response(self) -> Response {
        let hint = self.hint();
        let mut body = self.body();
        body.insert("statusCode".into(), StatusCode::BAD_REQUEST.as_u16().into());
        with_hint(
            json_response(StatusCode::BAD_REQUEST, &body, "application/json; charset=utf-8"),
            hint,
        )
    }
}

/// The policy as the signup error spells it: `description.rules` with per-rule `verified`
/// flags and the `policy` text (obs: GOAUTH0-ERR for `good`; the other levels' rule sets are
/// inf, built from the same rule codes).
fn policy_rules(policy: &PasswordPolicy, password: &str) -> (Value, String) {
    let length = password.chars().count();
    let min = policy.min_length();
    let lower = password.chars().any(char::is_lowercase);
    let upper = password.chars().any(char::is_uppercase);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let special = password.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    let item = |message: &str, code: &str, ok: bool| json!({"message": message, "code": code, "verified": ok});
    let classes = [
        item("lower case letters (a-z)", "lowerCase", lower),
        item("upper case letters (A-Z)", "upperCase", upper),
        item("numbers (i.e. 0-9)", "numbers", digit),
        item("special characters (e.g. !@#$%^&*)", "specialCharacters", special),
    ];
    let mut rules = vec![json!({
        "message": "At least %d characters in length", "format": [min], "code": "lengthAtLeast", "verified": length >= min
    })];
    let mut text = vec![format!("* At least {min} characters in length")];
    let class_lines = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|i| format!(" * {}", i["message"].as_str().unwrap_or_default()))
            .collect()
    };
    match policy.strength {
        Strength::None | Strength::Low => {}
        Strength::Fair => {
            let items = &classes[..3];
            let ok = items.iter().all(|i| i["verified"] == true);
            rules.push(json!({"message": "Should contain:", "code": "shouldContain", "items": items, "verified": ok}));
            text.push("* Should contain:".into());
            text.extend(class_lines(items));
        }
        Strength::Good | Strength::Excellent => {
            let count = classes.iter().filter(|i| i["verified"] == true).count();
            rules.push(json!({
                "message": "Contain at least %d of the following %d types of characters:",
                "code": "containsAtLeast", "format": [3, 4], "items": classes, "verified": count >= 3
            }));
            text.push("* Contain at least 3 of the following 4 types of characters:".into());
            text.extend(class_lines(&classes));
            if policy.strength == Strength::Excellent {
                let chars: Vec<char> = password.chars().collect();
                let ok = !chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
                rules.push(json!({
                    "message": "No more than %d identical characters in a row (e.g., \"%s\" not allowed)",
                    "code": "identicalChars", "format": [2, "aaa"], "verified": ok
                }));
                text.push("* No more than 2 identical characters in a row (e.g., \"aaa\" not allowed)".into());
            }
        }
    }
    let all = rules.iter().all(|r| r["verified"] == true);
    (json!({"rules": rules, "verified": all}), text.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_good_policy_reads_as_the_observed_error() {
        let policy = PasswordPolicy {
            strength: Strength::Good,
            min_length: None,
        };
        let (description, text) = policy_rules(&policy, "abcdefgh!");
        assert_eq!(
            description.to_string(),
            r#"{"rules":[{"message":"At least %d characters in length","format":[8],"code":"lengthAtLeast","verified":true},{"message":"Contain at least %d of the following %d types of characters:","code":"containsAtLeast","format":[3,4],"items":[{"message":"lower case letters (a-z)","code":"lowerCase","verified":true},{"message":"upper case letters (A-Z)","code":"upperCase","verified":false},{"message":"numbers (i.e. 0-9)","code":"numbers","verified":false},{"message":"special characters (e.g. !@#$%^&*)","code":"specialCharacters","verified":true}],"verified":false}],"verified":false}"#
        );
        assert_eq!(
            text,
            "* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !@#$%^&*)"
        );
    }
}
