//! The user-lifecycle steps (`features/auth0/users.feature`): a backend creating, searching and
//! deleting users, queueing verification mails, assigning roles and lifting brute-force blocks
//! through the Management API. Conditions come from the provider's own mechanisms (a role created
//! as the tenant's administrator would, a lockout produced by real failed logins); Then-steps
//! first find the operation's exchange in the journal, then tie the report to it, then check
//! what the user sees next.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::observations::{get_json, response_json, same_as_sent};
use crate::harness::management;
use crate::harness::protocol::OpOutcome;
use crate::harness::world::AuthWorld;

/// More failed logins than any brute-force threshold a scenario's tenant uses (default 10).
const MAX_FAILED_LOGINS: usize = 50;

/// The role created as the tenant's administrator would: `POST /api/v2/roles`, with the harness's
/// own Management API application.
#[given(expr = "the tenant has a role {string}")]
async fn tenant_has_role(world: &mut AuthWorld, name: String) -> Result<(), String> {
    let answer = world
        .management_post(
            "roles",
            json!({ "name": name, "description": format!("{name} (scenario role)") }),
        )
        .await?;
    if answer.status == 200 {
        return Ok(());
    }
    Err(format!(
        "the tenant refused the role {name:?}: {} {}",
        answer.status, answer.body
    ))
}

/// Wrong passwords at `/oauth/token` through the login application until brute-force protection
/// answers 429 `too_many_attempts`: the provider's own lockout, nothing canned.
#[given(expr = "{string} is locked out by brute-force protection")]
async fn locked_out(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let auth0 = world.auth0().await?;
    let url = format!("{}/oauth/token", auth0.idp.uri());
    let body = json!({
        "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
        "client_id": auth0.provider.login_client_id,
        "client_secret": auth0.provider.login_client_secret,
        "username": email,
        "password": "not-the-password",
        "realm": auth0.provider.connection,
    });
    for _ in 0..MAX_FAILED_LOGINS {
        let answer = world
            .control
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if answer.status().as_u16() == 429 {
            return Ok(());
        }
    }
    Err(format!(
        "brute-force protection never locked {email} out after {MAX_FAILED_LOGINS} failed logins"
    ))
}

#[when(expr = "the client creates the user {string} with password {string}")]
async fn create_user(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    world
        .perform("auth0.create_user", json!({ "email": email, "password": password }))
        .await
}

#[when(expr = "the client creates the user {string} with password {string} and the plan {string}")]
async fn create_user_with_plan(
    world: &mut AuthWorld,
    email: String,
    password: String,
    plan: String,
) -> Result<(), String> {
    world
        .perform(
            "auth0.create_user",
            json!({ "email": email, "password": password, "app_metadata": { "plan": plan } }),
        )
        .await
}

#[when(expr = "the client searches the users with {string}")]
async fn search_users(world: &mut AuthWorld, q: String) -> Result<(), String> {
    world.perform("auth0.search_users", json!({ "q": q })).await
}

#[when(expr = "the client searches the users with {string}, page {int} of {int} users")]
async fn search_page(world: &mut AuthWorld, q: String, page: u64, per_page: u64) -> Result<(), String> {
    world
        .perform(
            "auth0.search_users",
            json!({ "q": q, "page": page, "per_page": per_page }),
        )
        .await
}

#[when(expr = "the client deletes the user {string}")]
async fn delete_user(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    world.perform("auth0.delete_user", json!({ "user_id": user_id })).await
}

#[when(expr = "the client sends {string} a verification email")]
async fn send_verification(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    world
        .perform("auth0.send_verification_email", json!({ "user_id": user_id }))
        .await
}

#[when(expr = "the client gives {string} the role {string}")]
async fn assign_role(world: &mut AuthWorld, email: String, role: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    let role_id = role_id(world, &role).await?;
    world
        .perform("auth0.assign_roles", json!({ "user_id": user_id, "roles": [role_id] }))
        .await
}

#[when(expr = "the client unblocks {string}")]
async fn unblock(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    world.perform("auth0.unblock_user", json!({ "user_id": user_id })).await
}

/// The 201 of `POST /api/v2/users` during the operation, the same user reported, and that user
/// really in the tenant afterwards.
#[then("the client receives the user the provider created")]
async fn receives_created_user(world: &mut AuthWorld) -> Result<(), String> {
    let advice = "POST /api/v2/users with a JSON body naming the database connection by `connection`, and report \
                  the provider's answer";
    let report = world.last()?;
    let created = report
        .provider_exchanges()
        .filter(|e| e["request"]["method"] == "POST" && e["request"]["path"] == "/api/v2/users")
        .filter(|e| e["response"]["status"] == 201)
        .filter_map(response_json)
        .last();
    let Some(created) = created else {
        return Err(world
            .explain("a 201 from POST /api/v2/users during this operation", advice)
            .await);
    };
    let reported = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => result.clone(),
        _ => Value::Null,
    };
    // The user as an SDK's model gives it back: the same user_id and email are what count.
    if reported["user_id"] != created["user_id"] || reported["email"] != created["email"] {
        return Err(world
            .explain(
                &format!(
                    "the user the provider created ({} {}) reported with its user_id and email",
                    created["user_id"], created["email"]
                ),
                advice,
            )
            .await);
    }
    let user_id = created["user_id"].as_str().unwrap_or_default();
    if world.management_user(user_id).await?.is_none() {
        return Err(world
            .explain(&format!("the created user {user_id} to exist in the tenant"), "")
            .await);
    }
    Ok(())
}

/// The operation's `GET /api/v2/users` answered 200 with `count` users, and the client reported
/// those users (and, when it reports one, the same total).
#[then(expr = "the search finds {int} user(s)")]
async fn search_finds(world: &mut AuthWorld, count: usize) -> Result<(), String> {
    let report = world.last()?;
    let sent = report
        .provider_exchanges()
        .filter(|e| e["request"]["method"] == "GET" && e["request"]["path"] == "/api/v2/users")
        .last()
        .filter(|e| e["response"]["status"] == 200)
        .and_then(response_json);
    let sent_users = sent
        .as_ref()
        .and_then(|b| b.as_array().or_else(|| b["users"].as_array()));
    let (reported_users, reported_total) = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => (result["users"].as_array(), result.get("total").and_then(Value::as_f64)),
        _ => (None, None),
    };
    let total_ok = match (reported_total, sent.as_ref().and_then(|b| b["total"].as_f64())) {
        (Some(reported), Some(sent)) => reported == sent,
        _ => true,
    };
    // The users as an SDK's models give them back: the same user ids in the same order count.
    let ids = |users: &Vec<Value>| users.iter().map(|u| u["user_id"].clone()).collect::<Vec<_>>();
    if let (Some(sent_users), Some(reported_users)) = (sent_users, reported_users)
        && sent_users.len() == count
        && ids(sent_users) == ids(reported_users)
        && total_ok
    {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "{count} user(s) in result.users, as the provider's answer to this operation's GET /api/v2/users \
                 listed them (it listed {})",
                sent_users.map_or("none".to_owned(), |u| u.len().to_string())
            ),
            "GET /api/v2/users with q and search_engine=v3, and report the users of the provider's answer",
        )
        .await)
}

/// The 201 job of `POST /api/v2/jobs/verification-email` during the operation, reported with
/// its id; the mail in the outbox; and its link, opened as the user would, verifies the email.
#[then(expr = "{string} verifies the email with the link the provider mailed")]
async fn verifies_by_mail(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let advice = "POST /api/v2/jobs/verification-email with {\"user_id\"} as JSON, and report the job";
    let report = world.last()?;
    let job = report
        .provider_exchanges()
        .filter(|e| e["request"]["path"] == "/api/v2/jobs/verification-email" && e["response"]["status"] == 201)
        .filter_map(response_json)
        .last();
    let reported = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => result["id"].clone(),
        _ => Value::Null,
    };
    let Some(job) = job.filter(|job| job["id"] == reported) else {
        return Err(world
            .explain(
                "the verification job the provider created during this operation, reported with its id",
                advice,
            )
            .await);
    };
    let base = world.auth0().await?.idp.uri();
    let list = get_json(world, &format!("{base}/__authmock__/outbox?to={email}")).await?;
    let id = list["messages"][0]["ID"].as_str().map(str::to_owned);
    let mut link = None;
    if let Some(id) = id {
        let message = get_json(world, &format!("{base}/__authmock__/outbox/{id}")).await?;
        link = message["Links"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|l| l.contains("ticket="))
            .map(str::to_owned);
    }
    let Some(link) = link else {
        return Err(world
            .explain(
                &format!("a mail to {email} with a verification link after job {}", job["id"]),
                advice,
            )
            .await);
    };
    let opened = world.control.get(&link).send().await.map_err(|e| e.to_string())?;
    let status = opened.status().as_u16();
    let user_id = world.user_id(&email).await?;
    let verified = world
        .management_user(&user_id)
        .await?
        .is_some_and(|u| u["email_verified"] == true);
    if status == 200 && verified {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the mailed link to verify {email}, but it answered {status} and the email is verified: {verified}"
            ),
            "",
        )
        .await)
}

/// The operation's `POST /api/v2/users/{id}/roles` answered 204, and the tenant now lists the
/// role among the user's.
#[then(expr = "{string} has the role {string}")]
async fn has_role(world: &mut AuthWorld, email: String, role: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    let role_id = role_id(world, &role).await?;
    let assigned = world.last()?.provider_exchanges().any(|e| {
        let path = e["request"]["path"].as_str().unwrap_or_default();
        e["request"]["method"] == "POST"
            && path.starts_with("/api/v2/users/")
            && path.ends_with("/roles")
            && e["response"]["status"] == 204
    });
    let roles = world
        .management_get(&format!("users/{}/roles", management::encoded(&user_id)))
        .await?;
    let member = roles.status == 200 && listed(&roles.body, "roles").iter().any(|r| r["id"] == role_id.as_str());
    if assigned && member {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("a 204 from POST /api/v2/users/{{id}}/roles during this operation, and {email} holding {role}"),
            "POST /api/v2/users/{id}/roles with {\"roles\":[<role ids>]} as JSON, the user id percent-encoded",
        )
        .await)
}

/// The id of the tenant's role called `name`, as `GET /api/v2/roles?name_filter=` lists it.
async fn role_id(world: &mut AuthWorld, name: &str) -> Result<String, String> {
    let path = format!("roles?name_filter={}", management::encoded(name));
    let answer = world.management_get(&path).await?;
    if answer.status != 200 {
        return Err(format!(
            "GET /api/v2/{path} answered the harness {}: {}",
            answer.status, answer.body
        ));
    }
    listed(&answer.body, "roles")
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["id"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("the tenant has no role {name:?}"))
}

/// The items of a Management API list: the bare array, or `key` of its paged form.
fn listed(body: &Value, key: &str) -> Vec<Value> {
    body.as_array()
        .or_else(|| body[key].as_array())
        .cloned()
        .unwrap_or_default()
}

/// A users file of bcrypt hashes (`$2b$10$`, as Capture exports them) of `password`, one entry a
/// user, imported into the scenario's database connection without upsert.
#[when(expr = "the client imports a users file holding {string} and {string} with the password {string}")]
async fn import_users(world: &mut AuthWorld, first: String, second: String, password: String) -> Result<(), String> {
    let connection_id = world.auth0().await?.provider.connection_id.clone();
    let hash = bcrypt::hash(&password, 10).map_err(|e| e.to_string())?;
    let users: Vec<Value> = [first, second]
        .iter()
        .map(|email| json!({ "email": email, "email_verified": true, "password_hash": hash }))
        .collect();
    world
        .perform(
            "auth0.import_users",
            json!({ "connection_id": connection_id, "users": users, "upsert": false }),
        )
        .await
}

/// The job of the operation's `POST /api/v2/jobs/users-imports` (202), read back finished by
/// `GET /api/v2/jobs/{id}`, and the client's report of it: the same id, status and summary.
fn finished_import_job(report: &crate::harness::world::Report) -> Option<(Value, Value)> {
    let created = report
        .provider_exchanges()
        .filter(|e| e["request"]["method"] == "POST" && e["request"]["path"] == "/api/v2/jobs/users-imports")
        .filter(|e| e["response"]["status"] == 202)
        .filter_map(response_json)
        .last()?;
    let path = format!("/api/v2/jobs/{}", created["id"].as_str()?);
    let finished = report
        .provider_exchanges()
        .filter(|e| e["request"]["method"] == "GET" && decoded(&e["request"]["path"]) == path)
        .filter(|e| e["response"]["status"] == 200)
        .filter_map(response_json)
        .filter(|job| job["status"] != "pending")
        .last()?;
    let reported = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => result.clone(),
        _ => return None,
    };
    Some((finished, reported))
}

/// A journal path with its percent-escapes decoded (clients encode the `_` of a job id or not).
fn decoded(path: &Value) -> String {
    percent_encoding::percent_decode_str(path.as_str().unwrap_or_default())
        .decode_utf8_lossy()
        .into_owned()
}

#[then(expr = "the import job finishes with {int} user(s) inserted and {int} failed")]
async fn import_job_finishes(world: &mut AuthWorld, inserted: u64, failed: u64) -> Result<(), String> {
    let advice = "POST /api/v2/jobs/users-imports (multipart: users as a JSON file, connection_id, upsert), \
                  GET /api/v2/jobs/{id} until the job is no longer pending, and report the finished job";
    let report = world.last()?;
    let Some((job, reported)) = finished_import_job(report) else {
        return Err(world
            .explain(
                "a 202 from POST /api/v2/jobs/users-imports, then a 200 from GET /api/v2/jobs/{id} with the job \
                 finished, and the operation reported as success",
                advice,
            )
            .await);
    };
    let same = ["id", "status", "summary"].iter().all(|k| reported[*k] == job[*k]);
    if same && job["summary"]["inserted"] == inserted && job["summary"]["failed"] == failed {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the finished job ({} {} {}) reported with its id, status and summary, {inserted} inserted and \
                 {failed} failed (reported: {} {} {})",
                job["id"], job["status"], job["summary"], reported["id"], reported["status"], reported["summary"]
            ),
            advice,
        )
        .await)
}

/// The operation's `GET /api/v2/jobs/{id}/errors` answered 200 with an entry for `email` holding
/// `code`, and the client reported the same entries.
#[then(expr = "the job's errors report {string} as {string}")]
async fn import_job_errors(world: &mut AuthWorld, email: String, code: String) -> Result<(), String> {
    let advice = "after the job finished, GET /api/v2/jobs/{id}/errors and report its entries as `errors`";
    let report = world.last()?;
    let sent = report
        .provider_exchanges()
        .filter(|e| e["request"]["method"] == "GET")
        .filter(|e| {
            let path = decoded(&e["request"]["path"]);
            path.starts_with("/api/v2/jobs/job_") && path.ends_with("/errors")
        })
        .filter(|e| e["response"]["status"] == 200)
        .filter_map(response_json)
        .last();
    let reported = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => result["errors"].clone(),
        _ => Value::Null,
    };
    let entries = |errors: &Value| -> Vec<(Value, Vec<Value>)> {
        errors
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|entry| {
                        let codes = entry["errors"]
                            .as_array()
                            .map(|e| e.iter().map(|e| e["code"].clone()).collect());
                        (entry["user"]["email"].clone(), codes.unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let holds = |list: &[(Value, Vec<Value>)]| {
        list.iter()
            .any(|(e, codes)| *e == email && codes.contains(&json!(code)))
    };
    // The journal masks the entries' `code`s (a secret-looking key): the sent entries match the
    // reported ones whole, and the reported codes say which error it was.
    if sent.as_ref().is_some_and(|sent| same_as_sent(sent, &reported)) && holds(&entries(&reported)) {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "a 200 from GET /api/v2/jobs/{{id}}/errors naming {email} with {code}, its entries reported as \
                 `errors` (reported: {reported})"
            ),
            advice,
        )
        .await)
}
