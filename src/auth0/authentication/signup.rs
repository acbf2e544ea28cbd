//! `POST /dbconnections/signup` (facts `auth0-users.md` §7): public sign-up into a database
//! connection, with its own error envelope and the password policy spelled out as rules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::auth0::wire::error::Auth0Error;

use crate::auth0::authentication::params::{AuthParams, Params};
use crate::auth0::tenant::lifecycle::{self, Identity, NewUser};
use crate::auth0::tenant::{Tenant, verification};
use crate::auth0::wire::respond::json_response;
use crate::core::password::{PasswordPolicy, Strength};

/// Strength is checked first with its own error; the other rules run with no strength rule.
const ANY_PASSWORD: PasswordPolicy = PasswordPolicy {
    strength: Strength::None,
    min_length: None,
};

#[tracing::instrument(skip_all)]
pub async fn signup(State(tenant): State<Tenant>, AuthParams(_, params): AuthParams) -> Result<Response, Auth0Error> {
    let body = sign_up(&tenant, &params)?;
    Ok(json_response(StatusCode::OK, &body, "application/json"))
}

/// Creates the database user a signup asks for and mails its verification link; answers the
/// signup body `{_id, email[, username], email_verified}`.
fn sign_up(tenant: &Tenant, params: &Params) -> Result<Value, Auth0Error> {
    let connection = params.require("connection")?.to_owned();
    let password = params.require("password")?.to_owned();
    // inf: the token endpoint's missing-parameter answer for a database signup without email.
    let email = params.require("email")?.trim().to_lowercase();
    let username = params.get("username").map(str::to_owned);
    let now = tenant.clock().now();
    let mut state = tenant.state();
    let Some(connection) = state
        .connection_by_name(&connection)
        .filter(|c| c.strategy == "auth0")
        .cloned()
    else {
        // inf (facts §10: the signup body for an unknown connection was not found): the
        // change-password endpoint's answer.
        return Err(Auth0Error::DbConnectionNotFound {
            known: state.connections.iter().map(|c| c.name.clone()).collect(),
            connection,
        });
    };
    let exists = state.user_by_email_in(&email, &connection.name).is_some();
    let username_taken = username.as_deref().is_some_and(|name| {
        state
            .users
            .iter()
            .any(|u| u.connection == connection.name && u.username.as_deref() == Some(name))
    });
    if state.signup_user_exists_error && exists {
        // obs (FS-46278877482, JAVA-FX): the tenant flag names the existing user.
        return Err(signup_error(
            &[
                ("name", "BadRequestError".into()),
                ("code", "user_exists".into()),
                ("description", "The user already exists.".into()),
            ],
            "a user with this email exists in the connection (the tenant's user-exists errors are on)",
        ));
    }
    if state.signup_user_exists_error && username_taken {
        // doc (DOC-liberr): the code. inf: the description is the hosted page's text for a taken
        // username (DOC-text) and the name is the envelope's other 400s'; no body was captured.
        return Err(signup_error(
            &[
                ("name", "BadRequestError".into()),
                ("code", "username_exists".into()),
                ("description", "The username provided is in use already.".into()),
            ],
            "the username is taken in the connection (the tenant's user-exists errors are on)",
        ));
    }
    if exists || username_taken {
        // obs: the default answer hides which account exists.
        return Err(signup_error(
            &[
                ("name", "BadRequestError".into()),
                ("code", "invalid_signup".into()),
                ("description", "Invalid sign up".into()),
            ],
            "a user with this email (or username) exists; the provider answers this generic text unless the \
             tenant turns on user-exists errors",
        ));
    }
    let name = params.get("name").map_or_else(|| email.clone(), str::to_owned);
    let local = email.split('@').next().unwrap_or_default().to_owned();
    let nickname = params.get("nickname").map_or_else(|| local.clone(), str::to_owned);
    if let Err(weakness) = connection.password_policy.check(&password) {
        let (description, policy) = policy_rules(&connection.password_policy, &password);
        let mut body = Map::new();
        body.insert("name".into(), "PasswordStrengthError".into());
        body.insert("message".into(), "Password is too weak".into());
        body.insert("code".into(), "invalid_password".into());
        body.insert("description".into(), description);
        body.insert("policy".into(), policy.into());
        return Err(Auth0Error::Signup {
            body,
            hint: format!("the connection's password policy requires {weakness}"),
        });
    }
    let owner = crate::auth0::tenant::password_rules::Owner {
        email: &email,
        name: Some(&name),
        username: username.as_deref(),
        nickname: Some(&nickname),
    };
    if let Err(Auth0Error::PasswordRule { rule }) =
        crate::auth0::tenant::password_rules::check(&ANY_PASSWORD, &connection.password_rules, &password, &owner, &[])
    {
        use crate::auth0::wire::error::PasswordRule;
        let (error_name, message, description) = match rule {
            // obs: C-131029.
            PasswordRule::Dictionary => (
                "PasswordDictionaryError",
                "Password is too common",
                "Password is not allowed, it might be too common.",
            ),
            // obs (name, code); message and description inf, from the Management API's text.
            _ => (
                "PasswordNoUserInfoError",
                "Password contains user information",
                "Password contains user information",
            ),
        };
        return Err(signup_error(
            &[
                ("name", error_name.into()),
                ("message", message.into()),
                ("code", "invalid_password".into()),
                ("description", description.into()),
            ],
            "the connection's password rules refuse this password",
        ));
    }
    let who = Identity {
        user_id: lifecycle::fresh_user_id(&mut state),
        email,
        connection: connection.name.clone(),
        name,
        nickname,
    };
    let rest = NewUser {
        connection: connection.name,
        username,
        given_name: params.get("given_name").map(str::to_owned),
        family_name: params.get("family_name").map(str::to_owned),
        picture: params.get("picture").map(str::to_owned),
        user_metadata: params.object("user_metadata").cloned(),
        ..NewUser::default()
    };
    let user = lifecycle::admit(&mut state, who, Some(&password), rest, now);
    let mut body = Map::new();
    body.insert("_id".into(), user.identity_id().into());
    body.insert("email".into(), user.email.clone().into());
    if let Some(username) = &user.username {
        body.insert("username".into(), username.clone().into());
    }
    body.insert("email_verified".into(), false.into());
    // Signing up sends the verification mail, as creating an unverified user does.
    verification::send_verification_email(tenant, &mut state, &user.user_id, None, None)?;
    Ok(Value::Object(body))
}

fn signup_error(fields: &[(&str, Value)], hint: &str) -> Auth0Error {
    Auth0Error::Signup {
        body: fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        hint: hint.to_owned(),
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
