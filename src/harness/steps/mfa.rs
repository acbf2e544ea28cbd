//! The MFA steps (`features/auth0/mfa.feature`): the tenant asks every login for a second factor
//! (the otp factor and the `all-applications` policy, and the login application allowed the
//! `mfa-otp` grant, all through the Management API); the client answers a login's or a
//! refresh's `mfa_required` with the `mfa_token` it reported and a one-time code. A client that
//! loses the `mfa_token` of the provider's 403 (reporting a generic failure) has nothing to
//! answer with. Step-up: the client asks `/authorize` for a second factor (`acr_values`), the
//! harness as the user types the code its authenticator shows (the control API's
//! `/__authmock__/mfa/totp`) on the provider's page, and the client reports the ID token's
//! `acr` and `amr`.

use cucumber::{given, then, when};
use rand::RngExt as _;
use serde_json::{Value, json};

use super::login::{app, begin, complete, report_result, seen, walk};
use super::observations::{response_json, same_secret};
use crate::harness::browser::{Landing, without_param};
use crate::harness::protocol::OpOutcome;
use crate::harness::world::{AuthWorld, json_of};

const MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
/// The `acr_values` that asks for a second factor, and the ID token's `acr` after one (facts
/// auth0-mfa-orgs.md A8: the path segment is `policies`).
const MULTI_FACTOR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

#[given("the tenant asks every login for a second factor")]
async fn mfa_on(world: &mut AuthWorld) -> Result<(), String> {
    ask_for_second_factor(world).await
}

#[when("the tenant starts asking every login for a second factor")]
async fn mfa_on_now(world: &mut AuthWorld) -> Result<(), String> {
    ask_for_second_factor(world).await
}

/// The otp factor and the `all-applications` policy on, and the `mfa-otp` grant for the
/// scenario's login application (the one its browser logins use, else the provider's
/// `login_client_id`).
async fn ask_for_second_factor(world: &mut AuthWorld) -> Result<(), String> {
    let auth0 = world.auth0().await?;
    let (login_client, mut grant_types) = match &world.login.app {
        Some(app) => {
            let listed = auth0
                .summary
                .clients
                .iter()
                .find(|c| c.client_id == app.client_id)
                .map(|c| c.grant_types.clone())
                .unwrap_or_default();
            (app.client_id.clone(), listed)
        }
        None => (
            auth0.provider.login_client_id.clone(),
            [
                "authorization_code",
                "refresh_token",
                "password",
                "http://auth0.com/oauth/grant-type/password-realm",
            ]
            .map(str::to_owned)
            .to_vec(),
        ),
    };
    grant_types.push(MFA_OTP.to_owned());
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
            json!({ "grant_types": grant_types }),
        ),
    ] {
        management(world, method, &path, body).await?;
    }
    Ok(())
}

/// A Management API write by the harness that must succeed.
async fn management(world: &mut AuthWorld, method: reqwest::Method, path: &str, body: Value) -> Result<(), String> {
    let answer = world.management_write(method.clone(), path, body).await?;
    if !(200..300).contains(&answer.status) {
        return Err(format!(
            "{method} /api/v2/{path} answered the harness {}: {}",
            answer.status, answer.body
        ));
    }
    Ok(())
}

/// The user enrolled an authenticator app: the otp factor on and a confirmed TOTP authentication
/// method with a fresh secret, as an administrator imports one (no policy: a plain login asks
/// nothing).
#[given(expr = "{string} has a one-time password authenticator")]
async fn has_authenticator(world: &mut AuthWorld, email: String) -> Result<(), String> {
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let user_id = world.user_id(&email).await?;
    let secret: String = (0..32)
        .map(|_| char::from(BASE32[rand::rng().random_range(0..BASE32.len())]))
        .collect();
    management(
        world,
        reqwest::Method::PUT,
        "guardian/factors/otp",
        json!({"enabled": true}),
    )
    .await?;
    management(
        world,
        reqwest::Method::POST,
        &format!(
            "users/{}/authentication-methods",
            crate::harness::management::encoded(&user_id)
        ),
        json!({"type": "totp", "name": "Authenticator app", "totp_secret": secret}),
    )
    .await
}

/// The code the user's authenticator shows now (the control API computes it on the tenant
/// clock, as the app would from its secret).
async fn code_shown(world: &mut AuthWorld, email: &str) -> Result<String, String> {
    let user_id = world.user_id(email).await?;
    let url = format!(
        "{}/__authmock__/mfa/totp?user_id={}",
        world.auth0().await?.idp.uri(),
        crate::harness::management::encoded(&user_id)
    );
    let answer = json_of(world.control.get(&url)).await?;
    answer["code"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{url} answered no code: {answer}"))
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

#[when(expr = "the client answers the second factor with the code of {string}'s authenticator")]
async fn answer_with_authenticator(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let otp = code_shown(world, &email).await?;
    answer_second_factor(world, otp).await
}

#[then("the client receives the tokens of the second factor")]
async fn receives_mfa_tokens(world: &mut AuthWorld) -> Result<(), String> {
    let reported = report_result(world).and_then(|r| r["access_token"].as_str().map(str::to_owned));
    let granted = world.last()?.provider_exchanges().any(|e| {
        e["request"]["path"] == "/oauth/token"
            && e["response"]["status"] == 200
            && e["request"]["body"].to_string().contains("mfa-otp")
    });
    if reported.is_some() && granted {
        return Ok(());
    }
    Err(world
        .explain(
            "result.access_token from a successful mfa-otp grant (200 at POST /oauth/token)",
            "answer mfa_required with grant_type http://auth0.com/oauth/grant-type/mfa-otp, the mfa_token and the \
             code, as the application the token was issued to",
        )
        .await)
}

#[when(expr = "the client asks for a second factor and {string} enters the code of their authenticator")]
async fn steps_up(world: &mut AuthWorld, email: String) -> Result<(), String> {
    step_up(world, &email, false).await
}

/// The attacker holds the browser: the `acr_values` go before the provider sees the URL, so the
/// signed-in session comes straight back with a code and no second factor.
#[when(
    expr = "the client asks for a second factor and an attacker strips acr_values before {string}'s browser opens it"
)]
async fn steps_up_stripped(world: &mut AuthWorld, email: String) -> Result<(), String> {
    step_up(world, &email, true).await
}

async fn step_up(world: &mut AuthWorld, email: &str, strip: bool) -> Result<(), String> {
    let redirect_uri = app(world)?.redirect_uri;
    let mut url = begin(
        world,
        "auth0.begin_step_up",
        &redirect_uri,
        json!({ "acr_values": MULTI_FACTOR }),
    )
    .await?;
    if strip {
        url = without_param(&url, "acr_values");
    }
    // The browser keeps the session of the first login: the provider asks it for the code only.
    let landing = match walk(world, &url, None).await? {
        Landing::Page(200, page) if page.contains("name=\"code\"") => {
            let code = code_shown(world, email).await?;
            let browser = world.login.browser.as_mut().ok_or("no browser")?;
            browser.fill_code(&page, &code).await?
        }
        other => other,
    };
    world.login.landing = Some(landing.clone());
    let Landing::Away(callback) = landing else {
        return Err(format!("the step-up did not come back to the application: {landing:?}"));
    };
    world.login.callback = Some(callback.clone());
    complete(world, &callback).await
}

#[then(expr = "the client accepts the login of {string} with a second factor")]
async fn accepts_stepped_up(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    let accepted = report_result(world).is_some_and(|r| {
        r["accepted"] == Value::Bool(true)
            && r["sub"] == user_id.as_str()
            && r["acr"] == MULTI_FACTOR
            && r["amr"].as_array().is_some_and(|amr| amr.iter().any(|m| m == "mfa"))
    });
    let challenged = seen(world, "POST", "/u/mfa-otp-challenge")
        .await?
        .iter()
        .any(|e| e["response"]["status"] == 302);
    if accepted && challenged {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "result.accepted true with sub {user_id}, result.acr {MULTI_FACTOR:?} and result.amr [\"mfa\"] from \
                 the ID token, after the user passed the code on /u/mfa-otp-challenge"
            ),
            "send the browser to /authorize with acr_values=http://schemas.openid.net/pape/policies/2007/06/multi-factor, \
             and report the ID token's acr and amr (an application asking for a second factor checks them)",
        )
        .await)
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
