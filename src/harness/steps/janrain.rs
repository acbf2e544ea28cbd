//! The Janrain password-recovery journey: the Capture app and its conditions (Given), what the
//! client is asked to do (When), and what it reported and what the app captured (Then).
//!
//! Some Givens play the part of another application sharing the Capture app (a recovery started
//! through another login client, or with another redirect URI); they speak raw HTTP to the app,
//! as that application would.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use crate::harness::protocol::OpOutcome;
use crate::harness::steps::entity::stat_ok_on;
use crate::harness::steps::observations::{get_json, response_json, same_as_sent};
use crate::harness::world::janrain::janrain_provider_for;
use crate::harness::world::{AuthWorld, json_of};

#[given("a fresh Janrain app")]
async fn fresh_app(world: &mut AuthWorld) -> Result<(), String> {
    let url = format!("{}/__authmock__/tenant", world.janrain().await?.capture.uri());
    let summary = get_json(world, &url).await?;
    if summary["provider"] == "janrain" {
        return Ok(());
    }
    Err(format!("{url} does not describe a Janrain app: {summary}"))
}

#[given(expr = "the client uses the {string} login client")]
async fn uses_login_client(world: &mut AuthWorld, name: String) -> Result<(), String> {
    let janrain = world.janrain_mut().await?;
    janrain.provider = janrain_provider_for(&janrain.summary, &name)?;
    Ok(())
}

#[given(expr = "a recovery email for {string} was requested through the {string} login client")]
async fn recovery_requested_through(world: &mut AuthWorld, email: String, client: String) -> Result<(), String> {
    let other = janrain_provider_for(&world.janrain().await?.summary, &client)?;
    request_recovery(world, &email, &client, &other.redirect_uri).await
}

#[given(expr = "a recovery email for {string} was requested with the redirect URI {string}")]
async fn recovery_requested_with_redirect(
    world: &mut AuthWorld,
    email: String,
    redirect: String,
) -> Result<(), String> {
    let client = world.janrain().await?.client_name()?;
    request_recovery(world, &email, &client, &redirect).await
}

#[given(expr = "{string} recovered access through the {string} login client")]
async fn recovered_through(world: &mut AuthWorld, email: String, client: String) -> Result<(), String> {
    let other = janrain_provider_for(&world.janrain().await?.summary, &client)?;
    request_recovery(world, &email, &client, &other.redirect_uri).await?;
    let link = recovery_link(world, &email)
        .await?
        .ok_or_else(|| format!("no recovery mail to {email} in the outbox"))?;
    let code = code_of(&link).ok_or_else(|| format!("the link {link} carries no code"))?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", other.redirect_uri.as_str()),
        ("client_id", other.client_id.as_str()),
        ("client_secret", other.client_secret.as_str()),
    ];
    let answer = post_form(world, "/oauth/token", &form).await?;
    let token = answer["access_token"]
        .as_str()
        .ok_or_else(|| format!("the {client} could not exchange the code: {answer}"))?;
    world.janrain_token = Some(token.to_owned());
    Ok(())
}

#[when(expr = "the client asks Janrain to send a password recovery email to {string}")]
async fn send_recovery(world: &mut AuthWorld, email: String) -> Result<(), String> {
    world
        .perform("janrain.send_password_recovery_email", json!({ "email": email }))
        .await
}

#[when(expr = "the user opens the recovery link mailed to {string}")]
async fn open_recovery_link(world: &mut AuthWorld, email: String) -> Result<(), String> {
    match recovery_link(world, &email).await? {
        Some(link) => {
            world.recovery_code = Some(code_of(&link).ok_or_else(|| format!("the link {link} carries no code"))?);
            Ok(())
        }
        None => Err(world
            .explain(
                &format!("a recovery mail to {email} with a ?code= link in the Janrain app's outbox"),
                "POST /oauth/forgot_password_native with client_id, flow, flow_version, locale, redirect_uri, \
                 form=forgotPasswordForm and signInEmailAddress, form-encoded",
            )
            .await),
    }
}

#[when("the client exchanges the recovery code for an access token")]
async fn exchange_code(world: &mut AuthWorld) -> Result<(), String> {
    let code = world
        .recovery_code
        .clone()
        .ok_or("no recovery link was opened yet, so there is no code to exchange")?;
    world.perform("janrain.exchange_code", json!({ "code": code })).await?;
    remember_token(world);
    Ok(())
}

#[when(expr = "the client sets the new password {string}")]
async fn update_password(world: &mut AuthWorld, password: String) -> Result<(), String> {
    set_new_password(world, &password, &password).await
}

#[when(expr = "the client sets the new password {string} confirmed as {string}")]
async fn update_password_confirmed(world: &mut AuthWorld, password: String, confirm: String) -> Result<(), String> {
    set_new_password(world, &password, &confirm).await
}

#[when(expr = "the client signs in to Janrain as {string} with password {string}")]
async fn sign_in(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    world
        .perform("janrain.sign_in", json!({ "email": email, "password": password }))
        .await?;
    remember_token(world);
    Ok(())
}

#[when(expr = "{int} minutes pass on the Janrain app's clock")]
async fn minutes_pass(world: &mut AuthWorld, minutes: i64) -> Result<(), String> {
    let url = format!("{}/__authmock__/clock", world.janrain().await?.capture.uri());
    let response = world
        .control
        .post(&url)
        .json(&json!({ "advance_secs": minutes * 60 }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        return Ok(());
    }
    Err(format!("{url} answered {}", response.status()))
}

#[then(expr = "a recovery link for {string} is in the Janrain outbox")]
async fn recovery_link_in_outbox(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let asked = stat_ok_on(world.last()?, &["/oauth/forgot_password_native"]);
    if asked && recovery_link(world, &email).await?.is_some() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("a recovery mail to {email} with a ?code= link in the Janrain app's outbox"),
            "POST /oauth/forgot_password_native, form-encoded, with the form's email field",
        )
        .await)
}

#[then("the client receives a Janrain access token")]
async fn receives_token(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    if matches!(&report.outcome, Ok(OpOutcome::Ok(result)) if result["access_token"].is_string())
        && granted_token(report, "/oauth/token")
    {
        return Ok(());
    }
    Err(world
        .explain(
            "an access token, reported as result.access_token",
            "POST /oauth/token with grant_type=authorization_code, the code, the forgot-password call's \
             redirect_uri, and the same login client's credentials",
        )
        .await)
}

#[then("the Janrain sign-in succeeds")]
async fn sign_in_succeeds(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    if matches!(&report.outcome, Ok(OpOutcome::Ok(result)) if result["access_token"].is_string())
        && granted_token(report, "/oauth/auth_native_traditional")
    {
        return Ok(());
    }
    Err(world
        .explain("the sign-in with the new password to succeed with an access token", "")
        .await)
}

#[then(expr = "the client reports the Janrain error {int} {string} saying {string}")]
async fn reports_janrain_error(world: &mut AuthWorld, code: u16, name: String, message: String) -> Result<(), String> {
    // What the app answered this operation last: the report must be that body, as sent.
    let report = world.last()?;
    let sent = report.provider_exchanges().last().map(|e| {
        (
            e["response"]["status"].as_u64().unwrap_or_default(),
            response_json(e).unwrap_or_default(),
        )
    });
    if let Ok(OpOutcome::ProviderError(error)) = &report.outcome
        && janrain_error_matches(&error.body, code, &name, &message)
    {
        match sent {
            Some((status, body)) if status == u64::from(error.status) && same_as_sent(&body, &error.body) => {
                return Ok(());
            }
            Some((status, body)) => {
                return Err(world
                    .explain(
                        &format!("the error exactly as the app sent it to this operation: {status} {body}"),
                        "report the status and body as received; do not rebuild or reword them",
                    )
                    .await);
            }
            None => {
                return Err(world
                    .explain(
                        "the error the app answered this operation with, but the app saw no request from it",
                        "report the status and body as received; do not make errors up",
                    )
                    .await);
            }
        }
    }
    Err(world
        .explain(
            &format!(
                "the Janrain error {code} {name:?} saying {message:?}, the body as received \
                 (`code`, `error` or `sub_error`, and the message in `error_description` or `invalid_fields`)"
            ),
            "Capture answers most errors with HTTP 200 and \"stat\":\"error\": treat that body as the error \
             and report it, status and body untouched",
        )
        .await)
}

#[then("every Janrain call was form-encoded with no secret in its URL")]
async fn form_encoded(world: &mut AuthWorld) -> Result<(), String> {
    let mut wrong = Vec::new();
    let entries = world.janrain_journal().await?;
    if !entries.iter().any(|e| {
        !e["request"]["path"]
            .as_str()
            .unwrap_or("/__authmock__")
            .starts_with("/__authmock__")
    }) {
        return Err(world.explain("Capture calls to check, but the app saw none", "").await);
    }
    for entry in entries {
        let request = &entry["request"];
        let path = request["path"].as_str().unwrap_or("?");
        if path.starts_with("/__authmock__") {
            continue;
        }
        let content_type = match &request["headers"]["content-type"] {
            Value::String(s) => s.clone(),
            _ => String::new(),
        };
        if request["method"] == "POST" && !content_type.starts_with("application/x-www-form-urlencoded") {
            wrong.push(format!("POST {path} with Content-Type {content_type:?}"));
        }
        let query = request["query"].as_str().unwrap_or_default();
        for key in [
            "client_secret",
            "access_token",
            "code",
            "refresh_token",
            "newPassword",
            "currentPassword",
        ] {
            if query.split('&').any(|pair| pair.split('=').next() == Some(key)) {
                wrong.push(format!("{key} in the URL of {path}"));
            }
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "form-encoded POSTs with secrets in the body, but saw {}",
                wrong.join("; ")
            ),
            "send every Capture argument in an application/x-www-form-urlencoded body; URLs end up in logs",
        )
        .await)
}

/// Whether the operation's last Capture answer came from `path` with `"stat":"ok"` and an
/// access token (the journal masks its value).
fn granted_token(report: &crate::harness::world::Report, path: &str) -> bool {
    report.provider_exchanges().last().is_some_and(|e| {
        e["request"]["path"] == path
            && response_json(e).is_some_and(|body| body["stat"] == "ok" && body["access_token"].is_string())
    })
}

/// Whether a reported Capture error body is the expected one, as Capture sent it.
fn janrain_error_matches(body: &Value, code: u16, name: &str, message: &str) -> bool {
    let said = |v: &Value| v.as_str() == Some(message);
    let in_fields = body["invalid_fields"].as_object().is_some_and(|fields| {
        fields
            .values()
            .flat_map(|v| v.as_array().into_iter().flatten())
            .any(said)
    });
    body["stat"] == "error"
        && body["code"] == code
        && (body["error"] == name || body["sub_error"] == name)
        && (said(&body["error_description"]) || in_fields)
}

async fn set_new_password(world: &mut AuthWorld, password: &str, confirm: &str) -> Result<(), String> {
    let token = world
        .janrain_token
        .clone()
        .ok_or("the client has no Janrain access token yet (exchange the recovery code first)")?;
    world
        .perform(
            "janrain.update_password",
            json!({ "access_token": token, "new_password": password, "new_password_confirm": confirm }),
        )
        .await
}

/// Keeps the access token the client just reported, for the next operation.
fn remember_token(world: &mut AuthWorld) {
    if let Some(report) = world.reports.last()
        && let Ok(OpOutcome::Ok(result)) = &report.outcome
        && let Some(token) = result["access_token"].as_str()
    {
        world.janrain_token = Some(token.to_owned());
    }
}

/// Starts a recovery as another application sharing the Capture app would.
async fn request_recovery(world: &AuthWorld, email: &str, client: &str, redirect_uri: &str) -> Result<(), String> {
    let p = janrain_provider_for(&world.janrain().await?.summary, client)?;
    let email_field = p.forms.forgot_password.email_field.clone().unwrap_or_default();
    let form = [
        ("client_id", p.client_id.as_str()),
        ("flow", p.flow.as_str()),
        ("flow_version", p.flow_version.as_str()),
        ("locale", p.locale.as_str()),
        ("form", p.forms.forgot_password.name.as_str()),
        ("redirect_uri", redirect_uri),
        (email_field.as_str(), email),
    ];
    let answer = post_form(world, "/oauth/forgot_password_native", &form).await?;
    if answer["stat"] == "ok" {
        return Ok(());
    }
    Err(format!(
        "the Janrain app refused the recovery request for {email}: {answer}"
    ))
}

async fn post_form(world: &AuthWorld, path: &str, form: &[(&str, &str)]) -> Result<Value, String> {
    json_of(
        world
            .control
            .post(format!("{}{path}", world.janrain().await?.capture.uri()))
            .form(form),
    )
    .await
}

/// The newest recovery link mailed to `email`, if any.
async fn recovery_link(world: &AuthWorld, email: &str) -> Result<Option<String>, String> {
    let base = world.janrain().await?.capture.uri();
    let list = get_json(world, &format!("{base}/__authmock__/outbox?to={email}")).await?;
    let Some(id) = list["messages"][0]["ID"].as_str() else {
        return Ok(None);
    };
    let message = get_json(world, &format!("{base}/__authmock__/outbox/{id}")).await?;
    Ok(message["Links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|link| code_of(link).is_some())
        .map(str::to_owned))
}

/// The `code` query parameter of a recovery link.
fn code_of(link: &str) -> Option<String> {
    let query = link.split_once('?')?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
}
