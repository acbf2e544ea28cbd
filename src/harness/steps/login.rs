//! Browser-login steps: the adapter plays the application (`auth0.begin_login`,
//! `auth0.complete_login`, `auth0.refresh_tokens`, `auth0.get_userinfo`, `auth0.logout`), the
//! harness plays the user in [`Browser`] and injects what an attacker would (a tampered
//! `state`, another `nonce`, a replayed callback or refresh token), or revokes the client's
//! refresh token at the provider. Every Then-step checks the client's report and the journal
//! entry it speaks of.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use crate::harness::browser::{Browser, Landing, LoginApp, field, url_param, with_param};
use crate::harness::protocol::OpOutcome;
use crate::harness::world::AuthWorld;

/// The scope every login step asks for: an ID token, the profile, and a refresh token.
const SCOPE: &str = "openid profile email offline_access";

#[given(expr = "the client logs users in through the {string} application")]
async fn login_application(world: &mut AuthWorld, name: String) -> Result<(), String> {
    let app = world
        .auth0()
        .await?
        .summary
        .clients
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("the tenant has no application named {name:?}"))?;
    let redirect_uri = app
        .callbacks
        .first()
        .cloned()
        .ok_or_else(|| format!("{name} has no callback URL"))?;
    world.login.app = Some(LoginApp {
        client_id: app.client_id.clone(),
        client_secret: (app.token_endpoint_auth_method != "none").then(|| app.client_secret.clone()),
        redirect_uri,
    });
    Ok(())
}

pub(super) fn app(world: &AuthWorld) -> Result<LoginApp, String> {
    world.login.app.clone().ok_or_else(|| {
        "no login application: add `Given the client logs users in through the \"…\" application`".into()
    })
}

/// Asks the client for the URL it would send the browser to (`op`: `auth0.begin_login`, or
/// `auth0.begin_step_up`).
pub(super) async fn begin(world: &mut AuthWorld, op: &str, redirect_uri: &str, extra: Value) -> Result<String, String> {
    let app = app(world)?;
    let mut args = json!({"client_id": app.client_id, "redirect_uri": redirect_uri, "scope": SCOPE});
    if let Some(secret) = &app.client_secret {
        args["client_secret"] = json!(secret);
    }
    if let (Some(args), Some(extra)) = (args.as_object_mut(), extra.as_object()) {
        args.extend(extra.clone());
    }
    world.perform(op, args).await?;
    match &world.last()?.outcome {
        Ok(OpOutcome::Ok(result)) => field(result, "url").ok_or_else(|| format!("{op} reported no `url`")),
        _ => Err("the client could not start a login".into()),
    }
}

/// The browser opens the client's URL, and fills the form if the provider shows it.
pub(super) async fn walk(
    world: &mut AuthWorld,
    url: &str,
    credentials: Option<(&str, &str)>,
) -> Result<Landing, String> {
    let expected = format!("{}/authorize?", world.auth0().await?.idp.uri());
    if !url.starts_with(&expected) {
        return Err(format!(
            "the client's login URL should start with {expected}, it is {url}"
        ));
    }
    if world.login.browser.is_none() {
        world.login.browser = Some(Browser::new(&world.auth0().await?.idp.uri())?);
    }
    let browser = world.login.browser.as_mut().ok_or("no browser")?;
    let mut landing = browser.open(url).await?;
    if let (Landing::Page(200, page), Some((user, password))) = (&landing, credentials)
        && page.contains("name=\"password\"")
    {
        landing = browser.fill_login(&page.clone(), user, password).await?;
    }
    world.login.landing = Some(landing.clone());
    if let Landing::Away(callback) = &landing {
        world.login.callback = Some(callback.clone());
    }
    Ok(landing)
}

/// Hands the callback to the client.
pub(super) async fn complete(world: &mut AuthWorld, callback: &str) -> Result<(), String> {
    world
        .perform("auth0.complete_login", json!({ "callback_url": callback }))
        .await?;
    if let Ok(OpOutcome::Ok(result)) = &world.last()?.outcome
        && world.login.first_refresh_token.is_none()
    {
        world.login.first_refresh_token = field(result, "refresh_token");
    }
    Ok(())
}

/// How the harness meddles with a login, as an attacker would.
enum Meddling {
    None,
    TamperState,
    OtherNonce,
}

async fn sign_in(world: &mut AuthWorld, email: &str, password: &str, meddling: Meddling) -> Result<(), String> {
    let redirect_uri = app(world)?.redirect_uri;
    let mut url = begin(world, "auth0.begin_login", &redirect_uri, json!({})).await?;
    if let Meddling::OtherNonce = meddling {
        url = with_param(&url, "nonce", "a-nonce-the-client-never-sent");
    }
    let landing = walk(world, &url, Some((email, password))).await?;
    let Landing::Away(mut callback) = landing else {
        return Err(format!("the login did not come back to the application: {landing:?}"));
    };
    if let Meddling::TamperState = meddling {
        callback = with_param(&callback, "state", "tampered-by-an-attacker");
    }
    complete(world, &callback).await
}

#[when(expr = "the user signs in on the login page as {string} with password {string}")]
async fn signs_in(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    sign_in(world, &email, &password, Meddling::None).await
}

#[when(
    expr = "the user signs in on the login page as {string} with password {string} and an attacker tampers with the callback's state"
)]
async fn signs_in_tampered(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    sign_in(world, &email, &password, Meddling::TamperState).await
}

#[when(
    expr = "the user signs in on the login page as {string} with password {string} after an attacker swapped the nonce"
)]
async fn signs_in_other_nonce(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    sign_in(world, &email, &password, Meddling::OtherNonce).await
}

#[when("the same callback is handed to the client again")]
async fn callback_again(world: &mut AuthWorld) -> Result<(), String> {
    let callback = world.login.callback.clone().ok_or("no callback yet")?;
    complete(world, &callback).await
}

#[when(expr = "the client starts a login with the callback {string}")]
async fn starts_with_callback(world: &mut AuthWorld, redirect_uri: String) -> Result<(), String> {
    let url = begin(world, "auth0.begin_login", &redirect_uri, json!({})).await?;
    walk(world, &url, None).await.map(|_| ())
}

#[when("the client starts a silent login and the browser has no session")]
async fn silent_login(world: &mut AuthWorld) -> Result<(), String> {
    let redirect_uri = app(world)?.redirect_uri;
    let url = begin(world, "auth0.begin_login", &redirect_uri, json!({"prompt": "none"})).await?;
    world.login.browser = None;
    match walk(world, &url, None).await? {
        Landing::Away(callback) => complete(world, &callback).await,
        other => Err(format!(
            "the silent login did not come back to the application: {other:?}"
        )),
    }
}

#[when("the client refreshes its tokens")]
async fn refreshes(world: &mut AuthWorld) -> Result<(), String> {
    world.perform("auth0.refresh_tokens", json!({})).await
}

#[when("the client reads the user's profile")]
async fn reads_profile(world: &mut AuthWorld) -> Result<(), String> {
    world.perform("auth0.get_userinfo", json!({})).await
}

#[when("an attacker replays the first refresh token")]
async fn replays_refresh_token(world: &mut AuthWorld) -> Result<(), String> {
    post_first_refresh_token(
        world,
        "/oauth/token",
        "refresh_token",
        &[("grant_type", "refresh_token")],
    )
    .await?;
    Ok(())
}

/// Posts the refresh token the client reported at login to `path` as the login application
/// (its client id, and its secret when it has one), under `field`, after `extra`.
async fn post_first_refresh_token(
    world: &mut AuthWorld,
    path: &str,
    field: &'static str,
    extra: &[(&'static str, &str)],
) -> Result<reqwest::Response, String> {
    let app = app(world)?;
    let token = world
        .login
        .first_refresh_token
        .clone()
        .ok_or("the client reported no refresh token")?;
    let mut form: Vec<(&str, String)> = extra.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    form.extend([("client_id", app.client_id), (field, token)]);
    if let Some(secret) = app.client_secret {
        form.push(("client_secret", secret));
    }
    let url = format!("{}{path}", world.auth0().await?.idp.uri());
    world
        .control
        .post(&url)
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())
}

/// Revokes the refresh token the client reported at login, as the application's own
/// `POST /oauth/revoke` would (another of its sessions logging out, say): the provider's
/// mechanism, not the harness's, ends it.
#[when("the refresh token the client holds is revoked at the provider")]
async fn revokes_refresh_token(world: &mut AuthWorld) -> Result<(), String> {
    let response = post_first_refresh_token(world, "/oauth/revoke", "token", &[]).await?;
    // `/oauth/revoke` answers 200 whether or not it revoked anything; its hint says which.
    let hint = response
        .headers()
        .get(crate::core::provider::HINT_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if response.status().is_success() && hint.contains("is revoked") {
        return Ok(());
    }
    Err(format!(
        "the provider did not revoke the refresh token the client reported at login ({}: {hint})",
        response.status()
    ))
}

#[when(expr = "the user logs out back to {string}")]
async fn logs_out(world: &mut AuthWorld, return_to: String) -> Result<(), String> {
    world.perform("auth0.logout", json!({ "return_to": return_to })).await?;
    let url = match &world.last()?.outcome {
        Ok(OpOutcome::Ok(result)) => field(result, "url").ok_or("logout reported no `url`")?,
        _ => return Err("the client could not log out".into()),
    };
    let browser = world.login.browser.as_mut().ok_or("the user never logged in")?;
    let landing = browser.open(&url).await?;
    world.login.landing = Some(landing);
    Ok(())
}

/// Journal entries for `method path`, oldest first.
pub(super) async fn seen(world: &AuthWorld, method: &str, path: &str) -> Result<Vec<Value>, String> {
    Ok(world
        .journal()
        .await?
        .into_iter()
        .filter(|e| e["request"]["method"] == method && e["request"]["path"] == path)
        .collect())
}

/// Successful code redemptions the provider answered.
pub(super) async fn redeemed_codes(world: &AuthWorld) -> Result<Vec<Value>, String> {
    Ok(seen(world, "POST", "/oauth/token")
        .await?
        .into_iter()
        .filter(|e| e["response"]["status"] == 200 && body_text(e).contains("authorization_code"))
        .collect())
}

pub(super) fn body_text(entry: &Value) -> String {
    match &entry["request"]["body"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn report_result(world: &AuthWorld) -> Option<Value> {
    match &world.reports.last()?.outcome {
        Ok(OpOutcome::Ok(result)) => Some(result.clone()),
        _ => None,
    }
}

#[then(expr = "the client accepts the login of {string}")]
async fn accepts_login(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    let accepted =
        report_result(world).is_some_and(|r| r["accepted"] == Value::Bool(true) && r["sub"] == user_id.as_str());
    let with_pkce = redeemed_codes(world)
        .await?
        .iter()
        .any(|e| body_text(e).contains("code_verifier"));
    if accepted && with_pkce {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("result.accepted true with sub {user_id}, after a code redemption with a code_verifier (200)"),
            "redeem the code at POST /oauth/token with grant_type=authorization_code, the same redirect_uri and \
             the PKCE code_verifier",
        )
        .await)
}

#[then("the client rejects the login")]
async fn rejects_login(world: &mut AuthWorld) -> Result<(), String> {
    let rejected = match &world.last()?.outcome {
        Ok(OpOutcome::Ok(result)) => result["accepted"] == Value::Bool(false),
        Ok(OpOutcome::ProviderError(_)) => true,
        _ => false,
    };
    let started = !seen(world, "GET", "/authorize").await?.is_empty();
    if rejected && started {
        return Ok(());
    }
    Err(world
        .explain(
            "result.accepted false (or the provider's error) for a login the provider saw start at /authorize",
            "compare the callback's state with the one you sent, and the ID token's nonce with yours, before \
             trusting the login",
        )
        .await)
}

#[then(expr = "the provider redeemed {int} authorization code(s)")]
async fn codes_redeemed(world: &mut AuthWorld, count: usize) -> Result<(), String> {
    let redeemed = redeemed_codes(world).await?.len();
    if redeemed == count {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("{count} successful code redemption(s) at POST /oauth/token, saw {redeemed}"),
            "check the callback's state before redeeming its code; redeem each code once",
        )
        .await)
}

#[then("the provider shows the callback mismatch page")]
async fn mismatch_page(world: &mut AuthWorld) -> Result<(), String> {
    let page_ok =
        matches!(&world.login.landing, Some(Landing::Page(400, page)) if page.contains("Callback URL mismatch."));
    let refused = seen(world, "GET", "/authorize")
        .await?
        .iter()
        .any(|e| e["response"]["status"] == 400);
    if page_ok && refused {
        return Ok(());
    }
    Err(world
        .explain("the provider's 400 `Callback URL mismatch.` page for the login URL", "")
        .await)
}

#[then("the client received a rotated refresh token")]
async fn rotated(world: &mut AuthWorld) -> Result<(), String> {
    let first = world.login.first_refresh_token.clone();
    let now = report_result(world).and_then(|r| field(&r, "refresh_token"));
    let exchanged = seen(world, "POST", "/oauth/token")
        .await?
        .iter()
        .any(|e| e["response"]["status"] == 200 && body_text(e).contains("refresh_token"));
    if exchanged && now.is_some() && now != first {
        return Ok(());
    }
    Err(world
        .explain(
            "a successful refresh_token exchange whose result.refresh_token differs from the first one",
            "keep the refresh token each exchange returns: rotation spends the old one",
        )
        .await)
}

#[then(expr = "the client is told {string}")]
async fn told(world: &mut AuthWorld, error: String) -> Result<(), String> {
    let reported =
        report_result(world).is_some_and(|r| r["accepted"] == Value::Bool(false) && r["reason"] == error.as_str());
    let sent = seen(world, "GET", "/authorize").await?.iter().any(|e| {
        e["response"]["status"] == 302
            && e["response"]["headers"]["location"]
                .as_str()
                .and_then(|l| url_param(l, "error"))
                .as_deref()
                == Some(error.as_str())
    });
    if reported && sent {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("result.accepted false with result.reason {error:?}, the error the provider sent to the callback"),
            "surface the callback's `error` parameter instead of treating the callback as a success",
        )
        .await)
}

#[then(expr = "the browser lands on {string}")]
async fn lands_on(world: &mut AuthWorld, url: String) -> Result<(), String> {
    // RP-initiated logout echoes the `state` the client sent (OpenID Connect RP-Initiated Logout
    // §3), so the landing may carry exactly that one parameter more.
    let sent_state = report_result(world)
        .and_then(|r| field(&r, "url"))
        .and_then(|logout| url_param(&logout, "state"));
    let with_state = sent_state.map(|state| {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!(
            "{url}{separator}{}",
            serde_urlencoded::to_string([("state", state)]).unwrap_or_default()
        )
    });
    let landed =
        matches!(&world.login.landing, Some(Landing::Away(at)) if *at == url || Some(at) == with_state.as_ref());
    // Either of the provider's logouts: `/v2/logout?returnTo=…` or the RP-initiated
    // `/oidc/logout?post_logout_redirect_uri=…` that OpenID Connect clients find in discovery.
    let mut logouts = seen(world, "GET", "/v2/logout").await?;
    logouts.extend(seen(world, "GET", "/oidc/logout").await?);
    let logged_out = logouts.iter().any(|e| e["response"]["status"] == 302);
    if landed && logged_out {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("a 302 from /v2/logout or /oidc/logout to {url}"),
            "send the browser to /v2/logout with client_id and a returnTo (or to /oidc/logout with a \
             post_logout_redirect_uri) from the application's Allowed Logout URLs",
        )
        .await)
}

#[then(expr = "the client reads the email {string}")]
async fn reads_email(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let reported = report_result(world).is_some_and(|r| r["email"] == email.as_str());
    let asked = seen(world, "GET", "/userinfo")
        .await?
        .iter()
        .chain(seen(world, "POST", "/userinfo").await?.iter())
        .any(|e| e["response"]["status"] == 200);
    if reported && asked {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("result.email {email:?} from a successful /userinfo call"),
            "call /userinfo with the access token as a Bearer token",
        )
        .await)
}
