//! The configuration steps (`features/auth0/configuration.feature`): a backend registering an
//! application and granting it an API's scopes, or taking the grant back, or changing an
//! application's callbacks, through the Management API. The client reports the new application's
//! credentials and the grant's id; the harness then asks `/oauth/token` itself with those
//! credentials, as the new application would, or walks the browser login itself, so a step passes
//! only on what the provider really did.

use cucumber::gherkin::Step;
use cucumber::{then, when};
use serde_json::{Value, json};

use super::observations::response_json;
use crate::harness::browser::{Browser, Landing, url_param};
use crate::harness::management::{AGENT, Answer};
use crate::harness::protocol::OpOutcome;
use crate::harness::world::AuthWorld;
use crate::harness::world::auth0::Credentials;

/// The result the client reported for its last operation, if it succeeded.
pub(super) fn reported(world: &AuthWorld) -> Option<Value> {
    match &world.reports.last()?.outcome {
        Ok(OpOutcome::Ok(result)) => Some(result.clone()),
        _ => None,
    }
}

#[when(expr = "the client creates the machine-to-machine application {string}")]
async fn create_application(world: &mut AuthWorld, name: String) -> Result<(), String> {
    let args = json!({ "name": name, "app_type": "non_interactive", "grant_types": ["client_credentials"] });
    world.perform("auth0.create_client", args).await?;
    if let Some(result) = reported(world)
        && let (Some(client_id), Some(client_secret)) = (result["client_id"].as_str(), result["client_secret"].as_str())
    {
        let credentials = Credentials {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
        };
        world.auth0_mut().await?.created_applications.insert(name, credentials);
    }
    Ok(())
}

#[when(expr = "the client grants the application {string} the scope(s) {string} of {string}")]
async fn grant(world: &mut AuthWorld, name: String, scopes: String, audience: String) -> Result<(), String> {
    let client_id = credentials(world, &name).await?.client_id;
    let scope: Vec<&str> = scopes.split_whitespace().collect();
    let args = json!({ "client_id": client_id, "audience": audience, "scope": scope });
    world.perform("auth0.create_client_grant", args).await?;
    if let Some(id) = reported(world).and_then(|r| r["id"].as_str().map(str::to_owned)) {
        world.auth0_mut().await?.created_grants.insert((name, audience), id);
    }
    Ok(())
}

#[when(expr = "the client deletes the grant of {string} on {string}")]
async fn delete_grant(world: &mut AuthWorld, name: String, audience: String) -> Result<(), String> {
    let id = world
        .auth0()
        .await?
        .created_grants
        .get(&(name.clone(), audience.clone()))
        .cloned()
        .ok_or_else(|| format!("the client reported no grant of {name:?} on {audience:?}"))?;
    world.perform("auth0.delete_client_grant", json!({ "id": id })).await
}

/// The callbacks of the tenant's application `name` replaced by `callbacks` (space-separated).
#[when(expr = "the client changes the callbacks of {string} to {string}")]
async fn change_callbacks(world: &mut AuthWorld, name: String, callbacks: String) -> Result<(), String> {
    let client_id = application_id(world, &name).await?;
    let callbacks: Vec<&str> = callbacks.split_whitespace().collect();
    let args = json!({ "client_id": client_id, "callbacks": callbacks });
    world.perform("auth0.update_client", args).await
}

/// The 200 of `PATCH /api/v2/clients/{id}` during the operation, and the same callbacks reported.
#[then("the client receives the application as the provider updated it")]
async fn receives_update(world: &mut AuthWorld) -> Result<(), String> {
    let advice = "PATCH /api/v2/clients/{id} with `callbacks` as a JSON array, and report the callbacks of the \
                  provider's answer";
    answered_as_reported(world, ("PATCH", "/api/v2/clients/{id}", 200), "callbacks", advice).await
}

/// The harness, as the user, signs in on the login page of the application `name` with the
/// callback `callback`, and the provider sends the browser back to it with a code.
#[then(expr = "{string} signing in with password {string} through {string} comes back to {string} with a code")]
async fn login_comes_back(
    world: &mut AuthWorld,
    email: String,
    password: String,
    name: String,
    callback: String,
) -> Result<(), String> {
    let landing = harness_login(world, &name, &callback, Some((&email, &password)), &[]).await?;
    if let Landing::Away(location) = &landing
        && location.split('?').next() == Some(callback.as_str())
        && url_param(location, "code").is_some()
    {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the login with the callback {callback} to come back to it with a code, it ended {}",
                ended(&landing)
            ),
            "PATCH the application's `callbacks` with the new callback URL",
        )
        .await)
}

/// The harness opens the login of the application `name` with the callback `callback`, and the
/// provider answers its 400 `Callback URL mismatch.` page.
#[then(expr = "a login through {string} with the callback {string} is refused with the callback mismatch page")]
async fn login_refused(world: &mut AuthWorld, name: String, callback: String) -> Result<(), String> {
    let landing = harness_login(world, &name, &callback, None, &[]).await?;
    if matches!(&landing, Landing::Page(400, page) if page.contains("Callback URL mismatch.")) {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the provider's 400 `Callback URL mismatch.` page for the callback {callback}, it ended {}",
                ended(&landing)
            ),
            "a PATCH replaces `callbacks` whole: send the list the application should have, without the old callback",
        )
        .await)
}

/// Where a walk ended, as a failure prints it: a redirect's URL, or a page's status (its HTML is
/// in the journal).
pub(super) fn ended(landing: &Landing) -> String {
    match landing {
        Landing::Away(url) => format!("redirected to {url}"),
        Landing::Page(status, _) => format!("on a {status} page of the provider"),
    }
}

/// The tenant's application `name`, by its id.
pub(super) async fn application_id(world: &AuthWorld, name: &str) -> Result<String, String> {
    world
        .auth0()
        .await?
        .summary
        .clients
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.client_id.clone())
        .ok_or_else(|| format!("the tenant has no application named {name:?}"))
}

/// A browser of the harness's own opens `/authorize` for the application `name` with `callback`
/// (the authorization code flow) and the `extra` parameters and, given `credentials`, fills the
/// login form: where it ended.
pub(super) async fn harness_login(
    world: &AuthWorld,
    name: &str,
    callback: &str,
    credentials: Option<(&str, &str)>,
    extra: &[(&str, &str)],
) -> Result<Landing, String> {
    let client_id = application_id(world, name).await?;
    let base = world.auth0().await?.idp.uri();
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", callback),
        ("scope", "openid"),
        ("state", "configuration-scenario"),
    ];
    params.extend_from_slice(extra);
    let query = serde_urlencoded::to_string(params).map_err(|e| e.to_string())?;
    let mut browser = Browser::new(&base)?;
    let landing = browser.open(&format!("{base}/authorize?{query}")).await?;
    match (&landing, credentials) {
        (Landing::Page(200, page), Some((user, password))) if page.contains("name=\"password\"") => {
            browser.fill_login(&page.clone(), user, password).await
        }
        _ => Ok(landing),
    }
}

/// The 201 of `POST /api/v2/clients` during the operation, and the same `client_id` reported
/// (the secret is proven by the token the harness then gets with it).
#[then("the client receives the new application's credentials")]
async fn receives_credentials(world: &mut AuthWorld) -> Result<(), String> {
    created(world, "/api/v2/clients", "client_id").await
}

/// The 201 of `POST /api/v2/client-grants` during the operation, and the same `id` reported.
#[then("the client receives the grant the provider created")]
async fn receives_grant(world: &mut AuthWorld) -> Result<(), String> {
    created(world, "/api/v2/client-grants", "id").await
}

/// The application `name` gets a client-credentials token for `audience` with the credentials
/// the client reported, and its `scope` is `scopes` (in any order).
#[then(expr = "{string} gets a token for {string} with the scope(s) {string}")]
async fn gets_token(world: &mut AuthWorld, name: String, audience: String, scopes: String) -> Result<(), String> {
    let answer = token_for(world, &name, &audience).await?;
    let mut granted: Vec<&str> = answer.body["scope"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let mut wanted: Vec<&str> = scopes.split_whitespace().collect();
    granted.sort_unstable();
    wanted.sort_unstable();
    if answer.status == 200 && answer.body["access_token"].is_string() && granted == wanted {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "a token for {audience} with the scopes {scopes:?} for {name:?}, but /oauth/token answered {} {}",
                answer.status,
                masked(&answer.body)
            ),
            "create the application with the client_credentials grant type and report its client_id and \
             client_secret as the provider answered them; grant it the scenario's scopes (`scope`, an array) on the \
             API named by `audience`",
        )
        .await)
}

/// The application `name` is refused a token for `audience` with the status, `error` and
/// `error_description` (the step's doc string) the step names.
#[then(expr = "{string} is refused a token for {string} with {int} {word}:")]
async fn refused_token(
    world: &mut AuthWorld,
    step: &Step,
    name: String,
    audience: String,
    status: u16,
    error: String,
) -> Result<(), String> {
    let description = step.docstring.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let answer = token_for(world, &name, &audience).await?;
    if answer.status == status && answer.body["error"] == error && answer.body["error_description"] == description {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "/oauth/token to refuse {name:?} a token for {audience} with {status} {error} {description:?}, but \
                 it answered {} {}",
                answer.status,
                masked(&answer.body)
            ),
            "DELETE /api/v2/client-grants/{id} with the id of the grant the provider created",
        )
        .await)
}

/// A token answer as a failure may print it: the access token masked.
fn masked(body: &Value) -> Value {
    let mut shown = body.clone();
    if let Some(token) = shown.get_mut("access_token") {
        *token = json!("****");
    }
    shown
}

/// The credentials the client reported for the application `name`.
async fn credentials(world: &AuthWorld, name: &str) -> Result<Credentials, String> {
    world
        .auth0()
        .await?
        .created_applications
        .get(name)
        .cloned()
        .ok_or_else(|| format!("the client reported no credentials for the application {name:?}"))
}

/// `POST /oauth/token` for `audience` with the client-credentials grant of the application
/// `name`, as that application would ask (the harness's `User-Agent`, so it is not the client's).
async fn token_for(world: &AuthWorld, name: &str, audience: &str) -> Result<Answer, String> {
    let app = credentials(world, name).await?;
    token_request(
        world,
        json!({
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "audience": audience,
        }),
    )
    .await
}

/// `POST /oauth/token` of the scenario's tenant with `body` as JSON, as an application would ask
/// it (the harness's `User-Agent`, so it is not the client's).
pub(super) async fn token_request(world: &AuthWorld, body: Value) -> Result<Answer, String> {
    let url = format!("{}/oauth/token", world.auth0().await?.idp.uri());
    let response = world
        .control
        .post(&url)
        .header(reqwest::header::USER_AGENT, AGENT)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok(Answer { status, body })
}

/// A 201 from `POST <path>` during the last operation, and its `key` reported as the provider
/// answered it.
pub(super) async fn created(world: &AuthWorld, path: &str, key: &str) -> Result<(), String> {
    let advice = format!("POST {path} with a JSON body, and report the {key} of the provider's answer");
    answered_as_reported(world, ("POST", path, 201), key, &advice).await
}

/// The last `status` answer to `method path` during the last operation (`{id}` in `path` stands
/// for one path segment), and its `key` reported as the provider answered it.
async fn answered_as_reported(
    world: &AuthWorld,
    (method, path, status): (&str, &str, u16),
    key: &str,
    advice: &str,
) -> Result<(), String> {
    let matches = |sent: &str| match path.split_once("{id}") {
        Some((prefix, _)) => sent
            .strip_prefix(prefix)
            .is_some_and(|id| !id.is_empty() && !id.contains('/')),
        None => sent == path,
    };
    let report = world.last()?;
    let answered = report
        .provider_exchanges()
        .filter(|e| e["request"]["method"] == method && e["request"]["path"].as_str().is_some_and(matches))
        .filter(|e| e["response"]["status"] == status)
        .filter_map(response_json)
        .last();
    let reported = reported(world).map(|r| r[key].clone()).unwrap_or(Value::Null);
    if let Some(answered) = &answered
        && !answered[key].is_null()
        && answered[key] == reported
    {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "a {status} from {method} {path} during this operation, its {key} reported (the provider answered \
                 {}, the client reported {reported})",
                answered.map_or(format!("no {status}"), |a| a[key].to_string())
            ),
            advice,
        )
        .await)
}
