//! The MFA steps (`features/auth0/mfa.feature`): the tenant asks every login for a second factor
//! (the otp factor and the `all-applications` policy, and the login application allowed the
//! `mfa-otp` grant, all through the Management API); the client answers a login's
//! `mfa_required` with the `mfa_token` it reported and a one-time code. A client that loses the
//! `mfa_token` of the provider's 403 (reporting a generic failure) has nothing to answer with.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::observations::{response_json, same_secret};
use crate::harness::protocol::OpOutcome;
use crate::harness::world::AuthWorld;

const MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";

#[given("the tenant asks every login for a second factor")]
async fn mfa_on(world: &mut AuthWorld) -> Result<(), String> {
    let login_client = world.auth0().await?.provider.login_client_id.clone();
    let grant_types = json!([
        "authorization_code",
        "refresh_token",
        "password",
        "http://auth0.com/oauth/grant-type/password-realm",
        MFA_OTP
    ]);
    for (method, path, body) in [
        (
            reqwest::Method::PUT,
            "guardian/factors/otp".to_owned(),
            json!({"enabled": true}),
        ),
        (
            reqwest::Method::PUT,
            "guardian/policies".to_owned(),
            json!(["all-applications"]),
        ),
        (
            reqwest::Method::PATCH,
            format!("clients/{login_client}"),
            json!({"grant_types": grant_types}),
        ),
    ] {
        let answer = world.management_write(method.clone(), &path, body).await?;
        if answer.status != 200 {
            return Err(format!(
                "{method} /api/v2/{path} answered the harness {}: {}",
                answer.status, answer.body
            ));
        }
    }
    Ok(())
}

/// The `mfa_token` in the provider error the client reported last, if it kept it.
fn reported_mfa_token(world: &AuthWorld) -> Option<String> {
    world.reports.iter().rev().find_map(|report| match &report.outcome {
        Ok(OpOutcome::ProviderError(error)) => error.body["mfa_token"].as_str().map(str::to_owned),
        _ => None,
    })
}

#[when(expr = "the client answers the second factor with the one-time code {string}")]
async fn answer_second_factor(world: &mut AuthWorld, otp: String) -> Result<(), String> {
    let Some(mfa_token) = reported_mfa_token(world) else {
        return Err(world
            .explain(
                "an mfa_token in the provider error the client reported for the login (its 403 mfa_required)",
                "report the provider's error body whole: mfa_required carries the mfa_token the application \
                 answers the second factor with",
            )
            .await);
    };
    world
        .perform("auth0.verify_mfa_otp", json!({ "mfa_token": mfa_token, "otp": otp }))
        .await
}

#[then("the client reports the mfa_token the provider issued")]
async fn reports_mfa_token(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    let issued = report
        .provider_exchanges()
        .filter(|e| e["response"]["status"] == 403)
        .filter_map(response_json)
        .filter_map(|body: Value| body["mfa_token"].as_str().map(str::to_owned))
        .last();
    let reported = reported_mfa_token(world);
    // The journal masks the token but for its tail (`same_secret`).
    if let (Some(issued), Some(reported)) = (&issued, &reported)
        && same_secret(issued, reported)
    {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the mfa_token of the provider's 403 mfa_required ({}), reported in the error body; the client \
                 reported {}",
                if issued.is_some() {
                    "issued during the login"
                } else {
                    "none was issued during this operation"
                },
                reported.map_or("none".to_owned(), |_| "another one".to_owned())
            ),
            "report the provider's error body whole, mfa_token included, so the application can answer the second \
             factor",
        )
        .await)
}
