//! Registration, email verification, token refresh and the signed-in profile forms of a
//! Janrain app (facts `janrain-entity.md` §2, §3): a new user registers through the client, the
//! harness opens the mailed verification link as the user would, the client confirms the code,
//! refreshes its token with the refresh secret it registered with, and edits the profile.
//!
//! The Then-steps tie what the client reported to what the app answered that operation, and
//! read the records afterwards as the owner client would, over raw HTTP.

use cucumber::{then, when};
use serde_json::{Value, json};

use crate::harness::protocol::OpOutcome;
use crate::harness::steps::entity::{records_with_email, stat_ok_answer, stat_ok_on};
use crate::harness::world::{AuthWorld, json_of};

/// The refresh secret the harness hands the client to register with: 40 lowercase hex
/// characters, the shape the mobile SDKs make (facts §2).
const REFRESH_SECRET: &str = "a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1";

#[when("the client holds another refresh secret than the one it registered with")]
async fn another_refresh_secret(world: &mut AuthWorld) -> Result<(), String> {
    let secret = world
        .refresh_secret
        .as_ref()
        .ok_or("the client has not registered with a refresh secret yet")?;
    world.refresh_secret = Some(secret.chars().rev().collect());
    Ok(())
}

#[when(expr = "the client registers a Janrain account for {string} with password {string} as {string}")]
async fn register(world: &mut AuthWorld, email: String, password: String, display_name: String) -> Result<(), String> {
    register_with(world, &email, &password, &password, &display_name).await
}

#[when(expr = "the client registers a Janrain account for {string} with password {string} confirmed as {string}")]
async fn register_confirmed(
    world: &mut AuthWorld,
    email: String,
    password: String,
    confirm: String,
) -> Result<(), String> {
    register_with(world, &email, &password, &confirm, "New User").await
}

async fn register_with(
    world: &mut AuthWorld,
    email: &str,
    password: &str,
    confirm: &str,
    display_name: &str,
) -> Result<(), String> {
    world.refresh_secret = Some(REFRESH_SECRET.to_owned());
    world
        .perform(
            "janrain.register",
            json!({
                "email": email, "password": password, "password_confirm": confirm,
                "display_name": display_name, "refresh_secret": REFRESH_SECRET,
            }),
        )
        .await?;
    keep_reported_token(world);
    Ok(())
}

#[when(expr = "the user opens the verification link mailed to {string}")]
async fn open_verification_link(world: &mut AuthWorld, email: String) -> Result<(), String> {
    match verification_code(world, &email).await? {
        Some(code) => {
            world.verification_code = Some(code);
            Ok(())
        }
        None => Err(world
            .explain(
                &format!("a verification mail to {email} with a ?verification_code= link in the Janrain app's outbox"),
                "POST /oauth/register_native_traditional or /oauth/verify_email_native, form-encoded",
            )
            .await),
    }
}

#[when(expr = "the client asks Janrain to resend the verification link to {string}")]
async fn resend(world: &mut AuthWorld, email: String) -> Result<(), String> {
    world
        .perform("janrain.resend_verification_email", json!({ "email": email }))
        .await
}

#[when("the client confirms the email address with the mailed code")]
async fn confirm_email(world: &mut AuthWorld) -> Result<(), String> {
    let code = world
        .verification_code
        .clone()
        .ok_or("no verification link was opened yet, so there is no code to confirm")?;
    world
        .perform("janrain.verify_email", json!({ "verification_code": code }))
        .await
}

#[when("the client refreshes its Janrain access token")]
async fn refresh(world: &mut AuthWorld) -> Result<(), String> {
    let token = world
        .janrain_token
        .clone()
        .ok_or("the client has no Janrain access token to refresh yet")?;
    let secret = world
        .refresh_secret
        .clone()
        .ok_or("the client has not registered with a refresh secret yet")?;
    world
        .perform(
            "janrain.refresh_access_token",
            json!({ "access_token": token, "refresh_secret": secret }),
        )
        .await?;
    keep_reported_token(world);
    Ok(())
}

#[when(expr = "the client edits the Janrain profile setting the display name to {string}")]
async fn edit_display_name(world: &mut AuthWorld, name: String) -> Result<(), String> {
    edit_profile(world, "displayName", &name).await
}

#[when(expr = "the client edits the Janrain profile setting the email address to {string}")]
async fn edit_email(world: &mut AuthWorld, email: String) -> Result<(), String> {
    edit_profile(world, "emailAddress", &email).await
}

async fn edit_profile(world: &mut AuthWorld, field: &str, value: &str) -> Result<(), String> {
    let token = world
        .janrain_token
        .clone()
        .ok_or("the client has no Janrain access token yet (register or sign in first)")?;
    world
        .perform(
            "janrain.update_profile",
            json!({ "access_token": token, "fields": { field: value } }),
        )
        .await
}

#[when(expr = "the client changes the Janrain password from {string} to {string}")]
async fn change_password(world: &mut AuthWorld, current: String, new: String) -> Result<(), String> {
    let token = world
        .janrain_token
        .clone()
        .ok_or("the client has no Janrain access token yet (register or sign in first)")?;
    world
        .perform(
            "janrain.change_password",
            json!({
                "access_token": token, "current_password": current,
                "new_password": new, "new_password_confirm": new,
            }),
        )
        .await
}

#[then("the client receives the new Janrain account's access token")]
async fn receives_account_token(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    let answer = stat_ok_answer(report, "/oauth/register_native_traditional");
    if let (Ok(OpOutcome::Ok(result)), Some(sent)) = (&report.outcome, &answer)
        && result["access_token"].is_string()
        && sent["access_token"].is_string()
        && (result.get("uuid").is_none_or(Value::is_null) || result["uuid"] == sent["capture_user"]["uuid"])
    {
        return Ok(());
    }
    Err(world
        .explain(
            "the access token of the new account, reported as result.access_token (and its uuid as \
             result.uuid, the one Capture assigned)",
            "POST /oauth/register_native_traditional with form=registrationForm and its fields, form-encoded",
        )
        .await)
}

#[then(expr = "a verification link for {string} is in the Janrain outbox")]
async fn verification_link_in_outbox(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let report = world.last()?;
    let asked = matches!(report.outcome, Ok(OpOutcome::Ok(_)))
        && stat_ok_on(
            report,
            &["/oauth/verify_email_native", "/oauth/register_native_traditional"],
        );
    if asked && verification_code(world, &email).await?.is_some() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("a successful call, and a verification mail to {email} with a ?verification_code= link"),
            "POST /oauth/verify_email_native with form=resendVerificationForm and signInEmailAddress, form-encoded",
        )
        .await)
}

#[then(expr = "the email address of {string} is verified")]
async fn email_verified(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let report = world.last()?;
    let answer = stat_ok_answer(report, "/access/useVerificationCode");
    let reported = match (&report.outcome, &answer) {
        (Ok(OpOutcome::Ok(result)), Some(sent)) => sent["uuid"].is_string() && result["uuid"] == sent["uuid"],
        _ => false,
    };
    let records = records_with_email(world, &email).await?;
    if reported && records.len() == 1 && records[0]["emailVerified"].is_string() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the uuid the app's useVerificationCode answer named, reported as result.uuid, and the record of \
                 {email} verified (the app now holds: {})",
                Value::Array(records)
            ),
            "POST /access/useVerificationCode with the verification_code from the link",
        )
        .await)
}

#[then("the client receives a refreshed Janrain access token")]
async fn receives_refreshed_token(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    let answer = stat_ok_answer(report, "/oauth/refresh_access_token");
    if let (Ok(OpOutcome::Ok(result)), Some(sent)) = (&report.outcome, &answer)
        && result["access_token"].is_string()
        && sent["access_token"].is_string()
    {
        return Ok(());
    }
    Err(world
        .explain(
            "a new access token from /oauth/refresh_access_token, reported as result.access_token",
            "POST /oauth/refresh_access_token with client_id, access_token, date (YYYY-MM-DD HH:MM:SS UTC) and \
             signature = base64(HMAC-SHA1(refresh_secret, \"refresh_access_token\\n\" + date + \"\\n\" + access_token + \"\\n\"))",
        )
        .await)
}

#[then(expr = "the Janrain record of {string} has the display name {string}")]
async fn has_display_name(world: &mut AuthWorld, email: String, name: String) -> Result<(), String> {
    let report = world.last()?;
    let changed = matches!(report.outcome, Ok(OpOutcome::Ok(_)))
        && stat_ok_answer(report, "/oauth/update_profile_native").is_some();
    let records = records_with_email(world, &email).await?;
    if changed && records.len() == 1 && records[0]["displayName"] == name.as_str() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "a successful update_profile_native, after which the record of {email} has displayName {name:?} \
                 (the app now holds: {})",
                Value::Array(records)
            ),
            "POST /oauth/update_profile_native with form=editProfileForm, the access token and the fields to change",
        )
        .await)
}

/// The `verification_code` of the newest verification link mailed to `email`, if any.
async fn verification_code(world: &AuthWorld, email: &str) -> Result<Option<String>, String> {
    let base = world.janrain().await?.capture.uri();
    let get = |url: String| json_of(world.control.get(url));
    let list = get(format!("{base}/__authmock__/outbox?to={email}")).await?;
    for summary in list["messages"].as_array().into_iter().flatten() {
        let Some(id) = summary["ID"].as_str() else { continue };
        let message = get(format!("{base}/__authmock__/outbox/{id}")).await?;
        let code = message["Links"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find_map(|link| {
                let query = link.split_once('?')?.1;
                serde_urlencoded::from_str::<Vec<(String, String)>>(query)
                    .ok()?
                    .into_iter()
                    .find(|(k, _)| k == "verification_code")
                    .map(|(_, v)| v)
            });
        if code.is_some() {
            return Ok(code);
        }
    }
    Ok(None)
}

/// Keeps the access token the client reported for its last operation, if it succeeded with one:
/// the next refresh or profile step uses it.
fn keep_reported_token(world: &mut AuthWorld) {
    if let Some(report) = world.reports.last()
        && let Ok(OpOutcome::Ok(result)) = &report.outcome
        && let Some(token) = result["access_token"].as_str()
    {
        world.janrain_token = Some(token.to_owned());
    }
}
