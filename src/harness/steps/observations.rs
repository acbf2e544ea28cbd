//! Then-steps: what the client reported, and what the provider saw (the journal). A failing
//! step explains itself: what was expected, what the client reported, the journal entries.

use cucumber::then;
use serde_json::Value;

use crate::harness::protocol::OpOutcome;
use crate::harness::world::AuthWorld;

/// Keys whose values are secrets and never belong in a URL.
const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "password",
    "access_token",
    "id_token",
    "refresh_token",
    "secret",
];

#[then("the client receives a password-change ticket link")]
async fn receives_ticket(world: &mut AuthWorld) -> Result<(), String> {
    let prefix = format!("{}/u/reset-password?ticket=", world.idp.uri());
    let report = world.last()?;
    let ok = matches!(&report.outcome, Ok(OpOutcome::Ok(result))
        if result["ticket"].as_str().is_some_and(|t| t.starts_with(&prefix)));
    if ok {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("a ticket link starting with {prefix}, reported as result.ticket"),
            "POST /api/v2/tickets/password-change with a JSON body and a Management API bearer token",
        )
        .await)
}

#[then(expr = "the client reports the provider error {int} {string}")]
async fn reports_error(world: &mut AuthWorld, status: u16, message: String) -> Result<(), String> {
    let report = world.last()?;
    if let Ok(OpOutcome::ProviderError(error)) = &report.outcome {
        let said = error.body["message"]
            .as_str()
            .or_else(|| error.body["error_description"].as_str());
        if error.status == status && said == Some(message.as_str()) {
            return Ok(());
        }
    }
    Err(world
        .explain(
            &format!("the provider error {status} with the message {message:?}, status and message intact"),
            "report the provider's status and JSON body as received, without retrying a 4xx or rewording it",
        )
        .await)
}

#[then("the client reports the rate-limit headers the provider sent")]
async fn reports_rate_limit_headers(world: &mut AuthWorld) -> Result<(), String> {
    let sent = world
        .journal()
        .await?
        .into_iter()
        .rev()
        .find(|e| e["response"]["status"] == 429)
        .map(|e| e["response"]["headers"].clone())
        .unwrap_or_default();
    let names = ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"];
    let report = world.last()?;
    let reported = match &report.outcome {
        Ok(OpOutcome::ProviderError(error)) if error.status == 429 => error.headers.clone().unwrap_or_default(),
        _ => serde_json::Map::new(),
    };
    let missing: Vec<String> = names
        .iter()
        .filter(|name| {
            let expected = header(&sent, name);
            expected.is_empty() || reported.get(**name).and_then(Value::as_str) != Some(expected.as_str())
        })
        .map(|name| format!("{name}: {:?}", header(&sent, name)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the 429 reported with the provider's headers, but these are missing or changed: {}",
                missing.join(", ")
            ),
            "report the x-ratelimit-* headers of the 429 in error.headers, so the caller knows when to come back",
        )
        .await)
}

#[then("the ticket link opens the password form")]
async fn ticket_link_opens(world: &mut AuthWorld) -> Result<(), String> {
    let Some((status, page)) = open_ticket(world).await? else {
        return Err(world
            .explain(
                "a ticket link, reported as result.ticket",
                "POST /api/v2/tickets/password-change with a JSON body and a Management API bearer token",
            )
            .await);
    };
    if status == 200 && page.contains("<form") {
        return Ok(());
    }
    Err(world
        .explain(&format!("the ticket link to open the password form, got {status}"), "")
        .await)
}

#[then("the ticket link has expired")]
async fn ticket_link_expired(world: &mut AuthWorld) -> Result<(), String> {
    let Some((status, page)) = open_ticket(world).await? else {
        return Err(world.explain("a ticket link, reported as result.ticket", "").await);
    };
    if status == 400 && page.contains("Link Expired") {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("the ticket link to show the provider's expired page (400 Link Expired), got {status}"),
            "",
        )
        .await)
}

/// Opens the ticket link the client reported last, as the user's browser would; `None` when
/// the client reported no ticket link.
async fn open_ticket(world: &AuthWorld) -> Result<Option<(u16, String)>, String> {
    let Some(link) = world.reports.iter().rev().find_map(|r| match &r.outcome {
        Ok(OpOutcome::Ok(result)) => result["ticket"].as_str().map(str::to_owned),
        _ => None,
    }) else {
        return Ok(None);
    };
    let response = world.control.get(&link).send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    Ok(Some((status, response.text().await.map_err(|e| e.to_string())?)))
}

#[then("the client reports success")]
async fn reports_success(world: &mut AuthWorld) -> Result<(), String> {
    if matches!(world.last()?.outcome, Ok(OpOutcome::Ok(_))) {
        return Ok(());
    }
    Err(world.explain("the operation to succeed", "").await)
}

#[then("the login succeeds")]
async fn login_succeeds(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    if matches!(&report.outcome, Ok(OpOutcome::Ok(result)) if result["logged_in"] != Value::Bool(false)) {
        return Ok(());
    }
    Err(world.explain("the login with the new password to succeed", "").await)
}

#[then(expr = "the client finds {int} user(s)")]
async fn finds_users(world: &mut AuthWorld, count: usize) -> Result<(), String> {
    let report = world.last()?;
    let found = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => result["users"].as_array().map(Vec::len),
        _ => None,
    };
    if found == Some(count) {
        return Ok(());
    }
    Err(world.explain(&format!("{count} user(s) in result.users"), "").await)
}

#[then(expr = "a reset link for {string} is in the outbox")]
async fn reset_link_in_outbox(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let base = world.idp.uri();
    let list: Value = get_json(world, &format!("{base}/__authmock__/outbox?to={email}")).await?;
    let id = list["messages"][0]["ID"].as_str().map(str::to_owned);
    if let Some(id) = id {
        let message: Value = get_json(world, &format!("{base}/__authmock__/outbox/{id}")).await?;
        let links = message["Links"].as_array().cloned().unwrap_or_default();
        if links.iter().any(|l| l.as_str().is_some_and(|l| l.contains("ticket="))) {
            return Ok(());
        }
    }
    Err(world
        .explain(
            &format!("a mail to {email} with a reset link in the tenant's outbox"),
            "POST /dbconnections/change_password with client_id, email and connection (the name) as JSON",
        )
        .await)
}

#[then(expr = "the provider received {int} token request(s)")]
async fn token_requests(world: &mut AuthWorld, count: usize) -> Result<(), String> {
    let seen = matching(world, "POST", "/oauth/token").await?.len();
    if seen == count {
        return Ok(());
    }
    let operations = world.reports.len();
    Err(world
        .explain(
            &format!("{count} token request(s), but the client fetched {seen} token(s) for {operations} operation(s)"),
            "cache the management token until shortly before expires_in and reuse it for every call",
        )
        .await)
}

#[then(expr = "the provider received {int} ticket request(s)")]
async fn ticket_requests(world: &mut AuthWorld, count: usize) -> Result<(), String> {
    count_requests(world, "POST", "/api/v2/tickets/password-change", count, "").await
}

#[then(expr = "the provider received at most {int} ticket request(s)")]
async fn at_most_ticket_requests(world: &mut AuthWorld, most: usize) -> Result<(), String> {
    let seen = matching(world, "POST", "/api/v2/tickets/password-change").await?.len();
    if seen <= most {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("at most {most} ticket requests, saw {seen}"),
            "retry a 429 a bounded number of times, then report it",
        )
        .await)
}

#[then("every request body was JSON sent as application/json")]
async fn bodies_are_json(world: &mut AuthWorld) -> Result<(), String> {
    let mut wrong = Vec::new();
    for entry in world.journal().await? {
        let body = entry["request"]["body"].as_str().unwrap_or_default();
        if body.is_empty() {
            continue;
        }
        let content_type = header(&entry["request"]["headers"], "content-type");
        let is_json = serde_json::from_str::<Value>(body).is_ok();
        if !content_type.starts_with("application/json") || !is_json {
            wrong.push(format!(
                "{} {} with Content-Type {content_type:?} and a {} body",
                entry["request"]["method"].as_str().unwrap_or("?"),
                entry["request"]["path"].as_str().unwrap_or("?"),
                if is_json { "JSON" } else { "non-JSON" }
            ));
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "JSON bodies with Content-Type: application/json, but saw {}",
                wrong.join("; ")
            ),
            "serialise the body as JSON and say so in Content-Type",
        )
        .await)
}

#[then("no secret appeared in a query string")]
async fn no_secret_in_query(world: &mut AuthWorld) -> Result<(), String> {
    let mut leaks = Vec::new();
    for entry in world.journal().await? {
        let query = entry["request"]["query"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        for key in SECRET_KEYS {
            if query.split('&').any(|pair| pair.split('=').next() == Some(key)) {
                leaks.push(format!(
                    "{key} in {}?{query}",
                    entry["request"]["path"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    if leaks.is_empty() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("no secret in a URL, but saw {}", leaks.join("; ")),
            "send secrets in the body or the Authorization header; URLs end up in logs",
        )
        .await)
}

#[then("the client waited for the rate limit to reset before retrying")]
async fn waited_for_reset(world: &mut AuthWorld) -> Result<(), String> {
    let entries = world.journal().await?;
    let mut early = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if entry["response"]["status"] != 429 {
            continue;
        }
        let reset: f64 = header(&entry["response"]["headers"], "x-ratelimit-reset")
            .parse()
            .unwrap_or(0.0);
        let limited_at = tenant_time(entry);
        if let Some(next) = entries[i + 1..]
            .iter()
            .find(|e| e["request"]["path"] == entry["request"]["path"])
        {
            let retried_at = tenant_time(next);
            if retried_at < reset {
                early.push(format!(
                    "retried {:.1} s after a 429 whose x-ratelimit-reset said wait {:.0} s",
                    retried_at - limited_at,
                    (reset - limited_at).ceil()
                ));
            }
        }
    }
    let retried = entries.iter().any(|e| e["response"]["status"] == 429);
    if early.is_empty() && retried && !matches!(world.last()?.outcome, Ok(OpOutcome::ProviderError(_))) {
        return Ok(());
    }
    let what = if early.is_empty() {
        "expected a 429 followed by a successful retry".to_owned()
    } else {
        early.join("; ")
    };
    Err(world
        .explain(
            &what,
            "on 429, wait until the unix time in x-ratelimit-reset, then retry a bounded number of times",
        )
        .await)
}

/// When the provider handled a journal entry, in unix seconds on the tenant clock.
fn tenant_time(entry: &Value) -> f64 {
    entry["tenant_time"]
        .as_str()
        .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .map(|t| t.unix_timestamp_nanos() as f64 / 1e9)
        .unwrap_or(0.0)
}

async fn count_requests(world: &AuthWorld, method: &str, path: &str, count: usize, advice: &str) -> Result<(), String> {
    let seen = matching(world, method, path).await?.len();
    if seen == count {
        return Ok(());
    }
    let described = world.reports.len();
    Err(world
        .explain(
            &format!("{count} {method} {path} request(s), saw {seen} (after {described} operations)"),
            advice,
        )
        .await)
}

async fn matching(world: &AuthWorld, method: &str, path: &str) -> Result<Vec<Value>, String> {
    Ok(world
        .journal()
        .await?
        .into_iter()
        .filter(|e| e["request"]["method"] == method && e["request"]["path"] == path)
        .collect())
}

async fn get_json(world: &AuthWorld, url: &str) -> Result<Value, String> {
    world
        .control
        .get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())
}

/// A header value from a journal header map (a string, or several joined).
fn header(headers: &Value, name: &str) -> String {
    match &headers[name] {
        Value::String(s) => s.clone(),
        Value::Array(values) => values.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}
