//! `POST /dbconnections/signup` (facts `auth0-users.md` §7): public sign-up into a database
//! connection, with its own error envelope and the password policy spelled out as rules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::auth0::wire::error::Auth0Error;
use crate::auth0::wire::mgmt_error::MgmtError;
use crate::auth0::wire::oauth_error::OAuthError;

use crate::auth0::authentication::params::{AuthParams, Params};
use crate::auth0::tenant::lifecycle::{self, Identity, NewUser};
use crate::auth0::tenant::{Tenant, verification};
use crate::auth0::wire::mgmt_error::PasswordRule;
use crate::auth0::wire::respond::json_response;
use crate::auth0::wire::signup_error::{METADATA_NAME_CHARS, METADATA_PROPS, METADATA_VALUE_CHARS, SignupError};
use crate::core::password::{PasswordPolicy, Strength};

/// Strength is checked first with its own error; the other rules run with no strength rule.
const ANY_PASSWORD: PasswordPolicy = PasswordPolicy {
    strength: Strength::None,
    min_length: None,
};

#[tracing::instrument(skip_all)]
pub(super) async fn signup(
    State(tenant): State<Tenant>,
    AuthParams(_, params): AuthParams,
) -> Result<Response, Auth0Error> {
    let body = sign_up(&tenant, &params)?;
    // obs (go-auth0 main test/data/recordings/authentication/TestDatabaseSignUp_*.yaml, all seven):
    // the signup answers `application/json; charset=utf-8`, unlike `/oauth/token`.
    Ok(json_response(StatusCode::OK, &body, "application/json; charset=utf-8"))
}

/// Creates the database user a signup asks for and mails its verification link; answers the
/// signup body `{_id[, email][, username][, email_verified][, phone_number, phone_verified]}`.
///
/// An email, a username or a phone number identifies the user; any one of them is enough.
/// obs (go-auth0 main test/data/recordings/authentication/TestDatabaseSignUp_WithUsernameIdentifier.yaml,
/// _WithPhoneNumberIdentifier.yaml, _WithUsernameAndPhoneNumberIdentifiers.yaml,
/// _WithUsernameEmailAndPhoneNumberIdentifiers.yaml): a username alone answers
/// `{"_id","username"}`, a phone number alone `{"_id","phone_number","phone_verified":false}`,
/// all three `{"_id","email","username","email_verified":false,"phone_number","phone_verified":false}`.
fn sign_up(tenant: &Tenant, params: &Params) -> Result<Value, Auth0Error> {
    let connection = params.require("connection")?.to_owned();
    let password = params.require("password")?.to_owned();
    let username = params.get("username").map(str::to_owned);
    let phone_number = params.get("phone_number").map(str::to_owned);
    // inf: with no identifier at all, the token endpoint's missing-parameter answer names `email`.
    let email = match (params.get("email"), &username, &phone_number) {
        (Some(email), _, _) => Some(email.trim().to_lowercase()),
        (None, None, None) => return Err(OAuthError::MissingParameter { name: "email" }.into()),
        (None, _, _) => None,
    };
    if let Some(metadata) = params.object("user_metadata") {
        check_signup_metadata(metadata)?;
    }
    let now = tenant.clock().now();
    let mut state = tenant.state();
    let Some(connection) = state
        .connection_by_name(&connection)
        .filter(|c| c.strategy == "auth0")
        .cloned()
    else {
        // inf (facts §10: the signup body for an unknown connection was not found): the
        // change-password endpoint's answer.
        return Err(OAuthError::DbConnectionNotFound {
            known: state.connections().iter().map(|c| c.name.clone()).collect(),
            connection,
        }
        .into());
    };
    // The connection must be enabled for the application that signs up, as for the Management
    // API's user creation (whose refusal names signups). inf: a signup without `client_id` (the
    // tenant's global client) or with an unknown one is not refused for it.
    if let Some(client_id) = params.get("client_id")
        && state.client(client_id).is_some()
        && !connection.enabled_for(client_id)
    {
        return Err(SignupError::ConnectionNotEnabled {
            client_id: client_id.to_owned(),
            connection: connection.name,
        }
        .into());
    }
    let exists = email
        .as_deref()
        .is_some_and(|email| state.user_by_email_in(email, &connection.name).is_some());
    let username_taken = username.as_deref().is_some_and(|name| {
        state
            .users()
            .iter()
            .any(|u| u.connection == connection.name && u.username.as_deref() == Some(name))
    });
    if state.signup_user_exists_error() && exists {
        // obs (FS-46278877482, JAVA-FX): the tenant flag names the existing user.
        return Err(SignupError::UserExists.into());
    }
    if state.signup_user_exists_error() && username_taken {
        // doc (DOC-liberr): the code. inf: the description is the hosted page's text for a taken
        // username (DOC-text) and the name is the envelope's other 400s'; no body was captured.
        return Err(SignupError::UsernameExists.into());
    }
    if exists || username_taken {
        // obs: the default answer hides which account exists.
        return Err(SignupError::InvalidSignup.into());
    }
    // inf: without an email, the user's name falls back to the username, then the phone number
    // (no email-less user's profile was recorded).
    let handle = email
        .clone()
        .or_else(|| username.clone())
        .or_else(|| phone_number.clone())
        .unwrap_or_default();
    let name = params.get("name").map_or_else(|| handle.clone(), str::to_owned);
    let local = handle.split('@').next().unwrap_or_default().to_owned();
    let nickname = params.get("nickname").map_or_else(|| local.clone(), str::to_owned);
    if let Err(weakness) = connection.password_policy.check(&password) {
        return Err(SignupError::too_weak(&connection.password_policy, &password, weakness.to_string()).into());
    }
    let owner = crate::auth0::tenant::password_rules::Owner {
        email: email.as_deref().unwrap_or_default(),
        name: Some(&name),
        username: username.as_deref(),
        nickname: Some(&nickname),
    };
    if let Err(MgmtError::PasswordRule { rule }) =
        crate::auth0::tenant::password_rules::check(&ANY_PASSWORD, &connection.password_rules, &password, &owner, &[])
    {
        return Err(match rule {
            PasswordRule::Dictionary => SignupError::PasswordDictionary,
            _ => SignupError::PasswordNoUserInfo,
        }
        .into());
    }
    let who = Identity {
        user_id: lifecycle::fresh_user_id(&mut state),
        // inf: the user record always has an email; an email-less signup keeps it empty, which no
        // lookup by email matches (every login identifier is non-empty).
        email: email.clone().unwrap_or_default(),
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
    if email.is_some() {
        body.insert("email".into(), user.email.clone().into());
    }
    if let Some(username) = &user.username {
        body.insert("username".into(), username.clone().into());
    }
    if email.is_some() {
        body.insert("email_verified".into(), false.into());
        // Signing up sends the verification mail, as creating an unverified user does.
        verification::send_verification_email(tenant, &mut state, &user.user_id, None, None)?;
    }
    // inf: the user record keeps no phone number (the Management API's users carry none here);
    // the answer echoes the one signed up with, unverified.
    if let Some(phone_number) = phone_number {
        body.insert("phone_number".into(), phone_number.into());
        body.insert("phone_verified".into(), false.into());
    }
    Ok(Value::Object(body))
}

/// Signup's documented `user_metadata` limits: at most ten properties, names of at most 100
/// characters, values strings of at most 500.
fn check_signup_metadata(metadata: &Map<String, Value>) -> Result<(), SignupError> {
    let refuse = |problem: String| Err(SignupError::MetadataRefused { problem });
    if metadata.len() > METADATA_PROPS {
        return refuse(format!("it has {} properties", metadata.len()));
    }
    for (name, value) in metadata {
        if name.chars().count() > METADATA_NAME_CHARS {
            return refuse(format!(
                "the name {:?}… is longer",
                name.chars().take(20).collect::<String>()
            ));
        }
        match value {
            Value::String(text) if text.chars().count() > METADATA_VALUE_CHARS => {
                return refuse(format!("the value of {name:?} has {} characters", text.chars().count()));
            }
            Value::String(_) => {}
            _ => return refuse(format!("the value of {name:?} is not a string")),
        }
    }
    Ok(())
}
