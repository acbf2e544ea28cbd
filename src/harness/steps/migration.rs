//! A Janrain → Auth0 migration's parity checks (facts `migration.md` §5), as provider-observable
//! facts. The client is the team's migration (`migration.*`): it sets up a custom database
//! connection that migrates the users it does not import at their first login, and imports the
//! others in bulk. The harness then plays the users (a password-realm login with the tenant's
//! login application, as Universal Login's form would check the password) and reads both
//! providers back: the Auth0 users with its own Management API application, the import jobs the
//! tenant journaled while the client ran, and the Capture app's own count, records and journal.

use std::time::Duration;

use cucumber::{given, then, when};
use serde_json::{Value, json};

use crate::core::node::ScriptSettings;
use crate::harness::management::encoded;
use crate::harness::protocol::OpOutcome;
use crate::harness::steps::observations::response_json;
use crate::harness::world::janrain::migration_fixture;
use crate::harness::world::migration::Login;
use crate::harness::world::{AuthWorld, json_of};

/// The tenant's application a migration runs with (`create:connections`, `create:users`,
/// `read:users`).
const MIGRATION_APPLICATION: &str = "API Explorer Application";

#[given("a Janrain app holding the users to migrate")]
async fn janrain_app_to_migrate(world: &mut AuthWorld) -> Result<(), String> {
    world.janrain_from(migration_fixture()?).await?;
    // A migration creates a connection and users, and reads them: the tenant's application with
    // those scopes, as a team's migration would be given.
    world.auth0_mut().await?.use_application(MIGRATION_APPLICATION)?;
    // The connection's login script is JavaScript run by the tenant (docs/migration.md): the
    // operator's opt-in, given by the harness for its own tenants.
    let auth0 = world.auth0().await?;
    let scripts = auth0.idp.tenant().control().scripts();
    scripts.configure(ScriptSettings {
        allowed: true,
        timeout: Duration::from_secs(20),
        heap_mb: 64,
    });
    scripts.available().map_err(|e| {
        format!("the migration scenarios run the connection's login script in Node.js (20 or later on PATH): {e:?}")
    })
}

#[when(expr = "the client sets up the migration connection {string}")]
async fn set_up_connection(world: &mut AuthWorld, name: String) -> Result<(), String> {
    world.migration.connection = Some(name.clone());
    world
        .perform("migration.create_connection", json!({ "name": name }))
        .await?;
    succeeded(world, "the connection created (POST /api/v2/connections answered 201)").await?;
    Ok(())
}

#[when(expr = "the client imports the Janrain users into {string}")]
async fn import_users(world: &mut AuthWorld, connection: String) -> Result<(), String> {
    world
        .perform("migration.import_users", json!({ "connection": connection }))
        .await?;
    let result = succeeded(
        world,
        "every Janrain user exported, the users files imported, the jobs finished",
    )
    .await?;
    let report = world.last()?;
    world.migration.provider_jobs = report
        .provider_exchanges()
        .filter(|e| e["request"]["method"] == "POST" && e["request"]["path"] == "/api/v2/jobs/users-imports")
        .filter(|e| e["response"]["status"] == 202)
        .filter_map(|e| response_json(e)?["id"].as_str().map(str::to_owned))
        .collect();
    world.migration.imported = Some(result);
    Ok(())
}

/// The result the client reported for its last operation, or why there is none.
async fn succeeded(world: &AuthWorld, expected: &str) -> Result<Value, String> {
    match &world.last()?.outcome {
        Ok(OpOutcome::Ok(result)) => Ok(result.clone()),
        _ => Err(world.explain(expected, "").await),
    }
}

#[when(expr = "{string} logs in on Auth0 with {string}")]
async fn logs_in(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    let realm = world
        .migration
        .connection
        .clone()
        .ok_or("no migration connection was set up in this scenario")?;
    let before = world.newest_journal_id(true).await;
    let auth0 = world.auth0().await?;
    let body = json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": auth0.provider.login_client_id,
        "client_secret": auth0.provider.login_client_secret,
        "username": email,
        "password": password,
        "realm": realm,
        "scope": "openid",
    });
    let response = world
        .control
        .post(format!("{}/oauth/token", auth0.idp.uri()))
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("the login request failed: {e}"))?;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    let janrain_calls = world
        .janrain_journal()
        .await?
        .into_iter()
        .filter(|e| e["id"].as_u64() > before)
        .filter_map(|e| e["request"]["path"].as_str().map(str::to_owned))
        .filter(|path| !path.starts_with("/__authmock__"))
        .collect();
    world.migration.login = Some(Login {
        email,
        status,
        body,
        janrain_calls,
    });
    Ok(())
}

fn last_login(world: &AuthWorld) -> Result<&Login, String> {
    world
        .migration
        .login
        .as_ref()
        .ok_or_else(|| "nobody logged in yet in this scenario".into())
}

#[then("the login succeeds without a call to Janrain")]
async fn login_without_janrain(world: &mut AuthWorld) -> Result<(), String> {
    let login = last_login(world)?;
    if login.status == 200 && login.body["access_token"].is_string() && login.janrain_calls.is_empty() {
        return Ok(());
    }
    Err(format!(
        "expected {}'s login to succeed from Auth0's own store, with no request to Janrain\n\
         the tenant answered {} {}\nJanrain received meanwhile: {:?}\n\
         what to change: {}",
        login.email,
        login.status,
        login.body,
        login.janrain_calls,
        if login.janrain_calls.is_empty() {
            "import the password hash under the algorithm of its Janrain type tag (facts §4.2)"
        } else {
            "keep import_mode on, so a migrated user's later logins are the store's (facts §3.1)"
        }
    ))
}

#[then("the login succeeds after the connection asked Janrain")]
async fn login_through_janrain(world: &mut AuthWorld) -> Result<(), String> {
    let login = last_login(world)?;
    if login.status == 200 && login.body["access_token"].is_string() && !login.janrain_calls.is_empty() {
        return Ok(());
    }
    Err(format!(
        "expected {}'s first login to be checked by Janrain and succeed\nthe tenant answered {} {}\n\
         Janrain received meanwhile: {:?}",
        login.email, login.status, login.body, login.janrain_calls
    ))
}

#[then(expr = "the login is refused with {string}")]
async fn login_refused(world: &mut AuthWorld, description: String) -> Result<(), String> {
    let login = last_login(world)?;
    if login.status == 403 && login.body["error_description"] == description.as_str() {
        return Ok(());
    }
    Err(format!(
        "expected {}'s login to be refused with {description:?}\nthe tenant answered {} {}\n\
         Janrain received meanwhile: {:?}\nwhat to change: a login script answers a password Janrain \
         refused (HTTP 200 with \"stat\":\"error\") with WrongUsernameOrPasswordError",
        login.email, login.status, login.body, login.janrain_calls
    ))
}

/// The connection's users with `email` (`GET /api/v2/users-by-email`, which matches any case).
async fn users_in(world: &mut AuthWorld, email: &str) -> Result<Vec<Value>, String> {
    let connection = world
        .migration
        .connection
        .clone()
        .ok_or("no migration connection was set up in this scenario")?;
    let answer = world
        .management_get(&format!("users-by-email?email={}", encoded(email)))
        .await?;
    if answer.status != 200 {
        return Err(format!(
            "GET /api/v2/users-by-email answered the harness {}: {}",
            answer.status, answer.body
        ));
    }
    Ok(answer
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| u["identities"][0]["connection"] == connection.as_str())
        .cloned()
        .collect())
}

async fn one_user(world: &mut AuthWorld, email: &str) -> Result<Value, String> {
    let mut found = users_in(world, email).await?;
    match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(format!(
            "expected one Auth0 user {email} in the migration connection, found {n}: {}",
            Value::Array(found)
        )),
    }
}

#[then(expr = "the Auth0 user {string} has email_verified {word}")]
async fn email_verified(world: &mut AuthWorld, email: String, verified: String) -> Result<(), String> {
    let user = one_user(world, &email).await?;
    let expected = verified == "true";
    if user["email_verified"] == expected {
        return Ok(());
    }
    Err(format!(
        "expected the Auth0 user {email} to have email_verified {expected} (Janrain's emailVerified is {}), it has {}\n\
         what to change: email_verified = emailVerified != null, in the users file and the login script's profile",
        if expected { "a date" } else { "null" },
        user["email_verified"]
    ))
}

/// The mapping of facts `migration.md` §4.2 read back from both providers: the Auth0 user's
/// `given_name` and `family_name` are the Capture record's `givenName` and `familyName`, and its
/// `app_metadata` keeps the record's `id` (under a key of the migration's choosing).
#[then(expr = "the Auth0 user {string} carries the Janrain record's names and id as mapped")]
async fn names_as_mapped(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let filter = format!("email = '{email}'");
    let found = capture(world, "/entity.find", &[("type_name", "user"), ("filter", &filter)]).await?;
    let record = found["results"]
        .get(0)
        .cloned()
        .ok_or_else(|| format!("Janrain holds no record {email}"))?;
    let user = one_user(world, &email).await?;
    let names = [("givenName", "given_name"), ("familyName", "family_name")];
    let wrong: Vec<String> = names
        .iter()
        .filter(|(janrain, auth0)| user[*auth0] != record[*janrain])
        .map(|(janrain, auth0)| format!("{auth0} {} (Janrain's {janrain} {})", user[*auth0], record[*janrain]))
        .collect();
    let id_kept = user["app_metadata"].as_object().is_some_and(|m| {
        m.values()
            .any(|v| *v == record["id"] || v.as_str() == Some(&record["id"].to_string()))
    });
    if wrong.is_empty() && id_kept {
        return Ok(());
    }
    let mut problems = wrong;
    if !id_kept {
        problems.push(format!(
            "app_metadata {} without the Janrain id {}",
            user["app_metadata"], record["id"]
        ));
    }
    Err(format!(
        "expected the Auth0 user {email} to carry the Janrain record's names and id as mapped: {}\n\
         what to change: given_name = givenName, family_name = familyName and the record's id in app_metadata, \
         in the users file and the login script's profile",
        problems.join("; ")
    ))
}

#[then(expr = "the Auth0 user {string} is blocked")]
async fn blocked(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user = one_user(world, &email).await?;
    if user["blocked"] == true {
        return Ok(());
    }
    Err(format!(
        "expected the Auth0 user {email}, deactivated on Janrain (deactivateAccount set), to be blocked: {user}\n\
         what to change: blocked: true in the users file (it can only be set at the first import)"
    ))
}

#[then(expr = "the migration connection has no user {string}")]
async fn no_user(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let found = users_in(world, &email).await?;
    if found.is_empty() {
        return Ok(());
    }
    Err(format!(
        "expected no Auth0 user {email} (social-only on Janrain: no password to import), found {}\n\
         what to change: leave records with \"password\": null out of the users files; they sign in \
         through their social connection again",
        Value::Array(found)
    ))
}

#[then(expr = "the migration connection has exactly one user {string}")]
async fn exactly_one(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user = one_user(world, &email).await?;
    if user["email"] == email.as_str() {
        return Ok(());
    }
    Err(format!("expected the Auth0 user's email to be {email}: {user}"))
}

fn skipped(world: &AuthWorld) -> Result<Vec<Value>, String> {
    let imported = world
        .migration
        .imported
        .as_ref()
        .ok_or("the client has not imported the Janrain users in this scenario")?;
    Ok(imported["skipped"].as_array().cloned().unwrap_or_default())
}

#[then(expr = "the client reported {string} as skipped")]
async fn reported_skipped(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let skipped = skipped(world)?;
    let normalized = |e: &Value| e["email"].as_str().map(|e| e.trim().to_lowercase());
    if skipped.iter().any(|s| normalized(s).as_deref() == Some(email.as_str())) {
        return Ok(());
    }
    Err(format!(
        "expected the client to report {email} as skipped, with why; it reported {}",
        Value::Array(skipped)
    ))
}

/// Each import job the tenant created during the import, as `GET /api/v2/jobs/{id}` answers it.
async fn jobs(world: &mut AuthWorld) -> Result<Vec<Value>, String> {
    let ids = world.migration.provider_jobs.clone();
    if ids.is_empty() {
        return Err(world
            .explain(
                "at least one import job (202 from POST /api/v2/jobs/users-imports) during the import",
                "",
            )
            .await);
    }
    let mut jobs = Vec::new();
    for id in ids {
        let answer = world.management_get(&format!("jobs/{}", encoded(&id))).await?;
        if answer.status != 200 {
            return Err(format!(
                "GET /api/v2/jobs/{id} answered the harness {}: {}",
                answer.status, answer.body
            ));
        }
        jobs.push(answer.body);
    }
    Ok(jobs)
}

#[then("no import job reported a failed user")]
async fn no_failed_user(world: &mut AuthWorld) -> Result<(), String> {
    let jobs = jobs(world).await?;
    let failed: Vec<&Value> = jobs
        .iter()
        .filter(|j| j["status"] != "completed" || j["summary"]["failed"] != 0)
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    for job in &failed {
        let id = job["id"].as_str().unwrap_or_default().to_owned();
        let answer = world.management_get(&format!("jobs/{}/errors", encoded(&id))).await?;
        errors.push(answer.body);
    }
    Err(format!(
        "expected every import job completed with no failed user; these were not: {}\ntheir errors: {}\n\
         what to change: one user per email (trimmed, lower-cased, duplicates left out and reported \
         skipped), and no user the connection holds already (migrated at a login meanwhile)",
        Value::Array(failed.into_iter().cloned().collect()),
        Value::Array(errors)
    ))
}

/// A Capture Entity API call of the harness, with the app's API client.
async fn capture(world: &AuthWorld, path: &str, form: &[(&str, &str)]) -> Result<Value, String> {
    let janrain = world.janrain().await?;
    let (Some(id), Some(secret)) = (&janrain.provider.api_client_id, &janrain.provider.api_client_secret) else {
        return Err("the Janrain app has no API client".into());
    };
    let answer = json_of(
        world
            .control
            .post(format!("{}{path}", janrain.capture.uri()))
            .basic_auth(id, Some(secret))
            .header(reqwest::header::USER_AGENT, crate::harness::management::AGENT)
            .form(form),
    )
    .await?;
    if answer["stat"] == "ok" {
        Ok(answer)
    } else {
        Err(format!("{path} answered the harness {answer}"))
    }
}

#[then(expr = "every Janrain user with a password has an Auth0 user in the migration connection")]
async fn complete(world: &mut AuthWorld) -> Result<(), String> {
    let found = capture(
        world,
        "/entity.find",
        &[
            ("type_name", "user"),
            ("filter", "id > 0"),
            ("sort_on", r#"["id"]"#),
            ("attributes", r#"["email", "password"]"#),
            ("max_results", "1000"),
        ],
    )
    .await?;
    let mut emails: Vec<String> = found["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| !r["password"].is_null())
        .filter_map(|r| r["email"].as_str().map(|e| e.trim().to_lowercase()))
        .collect();
    emails.sort();
    emails.dedup();
    let mut missing = Vec::new();
    for email in &emails {
        if users_in(world, email).await?.is_empty() {
            missing.push(email.clone());
        }
    }
    if !emails.is_empty() && missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "expected an Auth0 user for each of the {} Janrain users with a password; missing: {missing:?}",
        emails.len()
    ))
}

#[then("the Janrain count equals the users the import jobs inserted or updated plus those the client skipped")]
async fn counts(world: &mut AuthWorld) -> Result<(), String> {
    let count = capture(world, "/entity.count", &[("type_name", "user")]).await?["total_count"]
        .as_u64()
        .ok_or("entity.count answered no total_count")?;
    let skipped = skipped(world)?;
    let mut reported: Vec<String> = world
        .migration
        .imported
        .as_ref()
        .and_then(|r| r["jobs"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|j| j.as_str().map(str::to_owned))
        .collect();
    reported.sort();
    let mut created = world.migration.provider_jobs.clone();
    created.sort();
    let jobs = jobs(world).await?;
    let sum = |key: &str| -> u64 { jobs.iter().filter_map(|j| j["summary"][key].as_u64()).sum() };
    let (inserted, updated) = (sum("inserted"), sum("updated"));
    let total = inserted + updated + skipped.len() as u64;
    if reported == created && total == count {
        return Ok(());
    }
    Err(format!(
        "expected Janrain's entity.count ({count}) = inserted ({inserted}) + updated ({updated}) + skipped as \
         reported ({}), with the jobs the client reported ({reported:?}) those the tenant created ({created:?})\n\
         skipped: {}",
        skipped.len(),
        Value::Array(skipped.clone())
    ))
}
