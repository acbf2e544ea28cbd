//! Then-steps: what the client reported, and what the provider saw (the journal). A failing
//! step explains itself: what was expected, what the client reported, the journal entries.

use cucumber::then;
use serde_json::Value;

use crate::harness::protocol::OpOutcome;
use crate::harness::world::{AuthWorld, json_of};

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
    let prefix = format!("{}/u/reset-password?ticket=", world.auth0().await?.idp.uri());
    let report = world.last()?;
    let reported = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => result["ticket"].as_str().filter(|t| t.starts_with(&prefix)),
        _ => None,
    };
    let advice = "POST /api/v2/tickets/password-change with a JSON body and a Management API bearer token, and \
                  report the `ticket` of the provider's answer";
    let Some(reported) = reported.map(str::to_owned) else {
        return Err(world
            .explain(
                &format!("a ticket link starting with {prefix}, reported as result.ticket"),
                advice,
            )
            .await);
    };
    let created = report
        .provider_exchanges()
        .filter(|e| e["request"]["path"] == TICKETS_PATH && e["response"]["status"] == 201)
        .filter_map(response_json)
        .filter_map(|body| body["ticket"].as_str().map(str::to_owned))
        .last();
    if !created
        .as_deref()
        .is_some_and(|created| same_secret(created, &reported))
    {
        return Err(world
            .explain(
                &format!(
                    "the ticket the provider created during this operation, but it created {}",
                    created.map_or("none".to_owned(), |t| format!("{t} and the client reported {reported}"))
                ),
                advice,
            )
            .await);
    }
    match redeem_ticket(&reported).await {
        Ok(()) => Ok(()),
        Err(why) => Err(world
            .explain(
                &format!("the reported ticket to redeem on the hosted page, but {why}"),
                "",
            )
            .await),
    }
}

#[then(expr = "the client reports the provider error {int} {string}")]
async fn reports_error(world: &mut AuthWorld, status: u16, message: String) -> Result<(), String> {
    let expected = format!("the provider error {status} with the message {message:?}, status and body intact");
    let advice = "report the provider's status and JSON body as received, without retrying a 4xx or rewording it";
    let report = world.last()?;
    let Ok(OpOutcome::ProviderError(error)) = &report.outcome else {
        return Err(world.explain(&expected, advice).await);
    };
    let Some(sent) = report.provider_exchanges().last() else {
        return Err(world
            .explain(
                &format!("{expected}; the provider saw no request during this operation, so the error is not its"),
                advice,
            )
            .await);
    };
    let sent_status = sent["response"]["status"].as_u64().unwrap_or_default();
    let sent_body = response_json(sent).unwrap_or_default();
    if sent_status != u64::from(error.status) || !same_as_sent(&sent_body, &error.body) {
        return Err(world
            .explain(
                &format!(
                    "{expected}: the operation's last answer was {sent_status} {sent_body}, the client reported \
                     {} {}",
                    error.status, error.body
                ),
                advice,
            )
            .await);
    }
    let said = error.body["message"]
        .as_str()
        .or_else(|| error.body["error_description"].as_str());
    if error.status == status && said == Some(message.as_str()) {
        return Ok(());
    }
    Err(world.explain(&expected, advice).await)
}

#[then("the client reports the rate-limit headers the provider sent")]
async fn reports_rate_limit_headers(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    let sent = report
        .provider_exchanges()
        .last()
        .filter(|e| e["response"]["status"] == 429)
        .map(|e| e["response"]["headers"].clone());
    let Some(sent) = sent else {
        return Err(world
            .explain("a 429 as this operation's last answer from the provider", "")
            .await);
    };
    let names = ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"];
    if let Some(bad) = names.iter().find(|name| header(&sent, name).parse::<i64>().is_err()) {
        return Err(world
            .explain(
                &format!(
                    "the provider's 429 to carry a whole-number {bad}, but it sent {:?}",
                    header(&sent, bad)
                ),
                "",
            )
            .await);
    }
    let reported = match &report.outcome {
        Ok(OpOutcome::ProviderError(error)) if error.status == 429 => error.headers.clone().unwrap_or_default(),
        _ => serde_json::Map::new(),
    };
    let missing: Vec<String> = names
        .iter()
        .filter(|name| reported.get(**name).and_then(Value::as_str) != Some(header(&sent, name).as_str()))
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
/// the client reported no ticket link the provider created.
async fn open_ticket(world: &AuthWorld) -> Result<Option<(u16, String)>, String> {
    let Some(link) = created_ticket(world) else {
        return Ok(None);
    };
    let response = world.control.get(&link).send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    Ok(Some((status, response.text().await.map_err(|e| e.to_string())?)))
}

#[then("the client reports success")]
async fn reports_success(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    if matches!(report.outcome, Ok(OpOutcome::Ok(_))) && last_answer_succeeded(report) {
        return Ok(());
    }
    Err(world
        .explain(
            "the operation to succeed, reported after a successful answer from the provider",
            "",
        )
        .await)
}

#[then("the login succeeds")]
async fn login_succeeds(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    let token_granted = report
        .provider_exchanges()
        .last()
        .is_some_and(|e| e["request"]["path"] == "/oauth/token" && e["response"]["status"] == 200);
    if matches!(&report.outcome, Ok(OpOutcome::Ok(result)) if result["logged_in"] != Value::Bool(false))
        && token_granted
    {
        return Ok(());
    }
    Err(world
        .explain(
            "the login with the new password to succeed: a 200 from POST /oauth/token, reported as success",
            "",
        )
        .await)
}

#[then(expr = "the client finds {int} user(s)")]
async fn finds_users(world: &mut AuthWorld, count: usize) -> Result<(), String> {
    let report = world.last()?;
    let found = match &report.outcome {
        Ok(OpOutcome::Ok(result)) => result["users"].as_array().map(Vec::len),
        _ => None,
    };
    let sent = report
        .provider_exchanges()
        .last()
        .filter(|e| e["response"]["status"] == 200)
        .and_then(response_json)
        .and_then(|body| body.as_array().map(Vec::len));
    if found == Some(count) && sent == Some(count) {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "{count} user(s) in result.users, as the provider's answer to this operation listed them (it \
                 listed {})",
                sent.map_or("none".to_owned(), |n| n.to_string())
            ),
            "",
        )
        .await)
}

#[then(expr = "a reset link for {string} is in the outbox")]
async fn reset_link_in_outbox(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let base = world.auth0().await?.idp.uri();
    let asked = world
        .last()?
        .provider_exchanges()
        .any(|e| e["request"]["path"] == "/dbconnections/change_password" && e["response"]["status"] == 200);
    let list: Value = if asked {
        get_json(world, &format!("{base}/__authmock__/outbox?to={email}")).await?
    } else {
        Value::Null
    };
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
    count_requests(world, "POST", TICKETS_PATH, count, "").await
}

#[then(expr = "the provider received at most {int} ticket request(s)")]
async fn at_most_ticket_requests(world: &mut AuthWorld, most: usize) -> Result<(), String> {
    let seen = matching(world, "POST", TICKETS_PATH).await?.len();
    if (1..=most).contains(&seen) {
        return Ok(());
    }
    Err(world
        .explain(
            &format!("between 1 and {most} ticket requests, saw {seen}"),
            "retry a 429 a bounded number of times, then report it",
        )
        .await)
}

/// The Management API takes JSON only; `/oauth/token` and `/dbconnections/change_password` take
/// JSON or a form (the provider documents both, and the official SDKs post their token requests
/// as forms). Either way a body must be what its Content-Type says.
#[then("every request body was what its Content-Type said, and JSON for the Management API")]
async fn bodies_match_content_type(world: &mut AuthWorld) -> Result<(), String> {
    let mut wrong = Vec::new();
    let mut management_bodies = 0;
    for entry in world.journal().await? {
        let body = entry["request"]["body"].as_str().unwrap_or_default();
        if body.is_empty() {
            continue;
        }
        if entry["request"]["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("/api/v2/"))
        {
            management_bodies += 1;
        }
        let path = entry["request"]["path"].as_str().unwrap_or("?");
        let content_type = header(&entry["request"]["headers"], "content-type");
        let is_json = serde_json::from_str::<Value>(body).is_ok();
        let is_form = !is_json && serde_urlencoded::from_str::<Vec<(String, String)>>(body).is_ok();
        let fits = if content_type.starts_with("application/json") {
            is_json
        } else {
            content_type.starts_with("application/x-www-form-urlencoded") && is_form && !path.starts_with("/api/v2/")
        };
        if !fits {
            wrong.push(format!(
                "{} {path} with Content-Type {content_type:?} and a {} body",
                entry["request"]["method"].as_str().unwrap_or("?"),
                if is_json {
                    "JSON"
                } else if is_form {
                    "form-encoded"
                } else {
                    "non-JSON"
                }
            ));
        }
    }
    if wrong.is_empty() && management_bodies > 0 {
        return Ok(());
    }
    if wrong.is_empty() {
        return Err(world
            .explain(
                "at least one Management API request with a body, but the provider saw none",
                "",
            )
            .await);
    }
    Err(world
        .explain(
            &format!(
                "bodies that are what their Content-Type says, JSON (application/json) for the Management API, but \
                 saw {}",
                wrong.join("; ")
            ),
            "serialise Management API bodies as JSON and say so in Content-Type; never label a form body as JSON",
        )
        .await)
}

#[then("no secret appeared in a query string")]
async fn no_secret_in_query(world: &mut AuthWorld) -> Result<(), String> {
    let mut leaks = Vec::new();
    let entries = world.journal().await?;
    if entries.is_empty() {
        return Err(world.explain("requests to check, but the provider saw none", "").await);
    }
    for entry in entries {
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
    let advice = "on 429, wait until the unix time in x-ratelimit-reset, then retry a bounded number of times";
    let entries = world.journal().await?;
    let retries = match early_retries(&entries) {
        Ok(retries) => retries,
        Err(problem) => return Err(world.explain(&problem, advice).await),
    };
    if !retries.early.is_empty() {
        return Err(world.explain(&retries.early.join("; "), advice).await);
    }
    let Some(retry) = retries.succeeded else {
        return Err(world
            .explain(
                "expected a 429 followed by a successful retry no earlier than its reset",
                advice,
            )
            .await);
    };
    let created = response_json(retry).and_then(|b| b["ticket"].as_str().map(str::to_owned));
    let reported = match &world.last()?.outcome {
        Ok(OpOutcome::Ok(result)) => result["ticket"].as_str().map(str::to_owned),
        _ => None,
    };
    if let (Some(created), Some(reported)) = (&created, &reported)
        && same_secret(created, reported)
    {
        return Ok(());
    }
    Err(world
        .explain(
            "the successful retry's ticket reported as the operation's result",
            advice,
        )
        .await)
}

#[then("the client did not retry before x-ratelimit-reset")]
async fn no_early_retry(world: &mut AuthWorld) -> Result<(), String> {
    let advice = "on 429, wait until the unix time in x-ratelimit-reset before retrying (or report the 429)";
    let entries = world.journal().await?;
    match early_retries(&entries) {
        Ok(retries) if retries.early.is_empty() => Ok(()),
        Ok(retries) => Err(world.explain(&retries.early.join("; "), advice).await),
        Err(problem) => Err(world.explain(&problem, advice).await),
    }
}

/// What followed the 429s of a journal.
struct Retries<'a> {
    /// Each retry sent before the reset of the 429 it followed.
    early: Vec<String>,
    /// The first successful retry (sent no earlier than the reset).
    succeeded: Option<&'a Value>,
}

/// Checks every 429 in `entries`: its `x-ratelimit-reset` must be a whole number, and the next
/// request to the same path must come no earlier than it. Fails when there is no 429.
fn early_retries(entries: &[Value]) -> Result<Retries<'_>, String> {
    let mut retries = Retries {
        early: Vec::new(),
        succeeded: None,
    };
    let mut limited = 0;
    for (i, entry) in entries.iter().enumerate() {
        if entry["response"]["status"] != 429 {
            continue;
        }
        limited += 1;
        let sent = header(&entry["response"]["headers"], "x-ratelimit-reset");
        let reset: i64 = sent.parse().map_err(|_| {
            format!("a 429 whose x-ratelimit-reset is a unix time in whole seconds, but it was {sent:?}")
        })?;
        let limited_at = tenant_time(entry)?;
        let Some(next) = entries[i + 1..]
            .iter()
            .find(|e| e["request"]["path"] == entry["request"]["path"])
        else {
            continue;
        };
        let retried_at = tenant_time(next)?;
        if retried_at < reset as f64 {
            retries.early.push(format!(
                "retried {:.1} s after a 429 whose x-ratelimit-reset said wait {:.0} s",
                retried_at - limited_at,
                (reset as f64 - limited_at).ceil()
            ));
        } else if retries.succeeded.is_none()
            && next["response"]["status"]
                .as_u64()
                .is_some_and(|s| (200..300).contains(&s))
        {
            retries.succeeded = Some(next);
        }
    }
    if limited == 0 {
        return Err("a 429 from the provider, but it answered none".into());
    }
    Ok(retries)
}

/// When the provider handled a journal entry, in unix seconds on the tenant clock.
fn tenant_time(entry: &Value) -> Result<f64, String> {
    entry["tenant_time"]
        .as_str()
        .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .map(|t| t.unix_timestamp_nanos() as f64 / 1e9)
        .ok_or_else(|| format!("a journal entry without a tenant time: {entry}"))
}

/// The Management API path of password-change tickets.
const TICKETS_PATH: &str = "/api/v2/tickets/password-change";

/// The newest ticket link the client reported that the provider created during the same
/// operation.
fn created_ticket(world: &AuthWorld) -> Option<String> {
    world.reports.iter().rev().find_map(|r| {
        let Ok(OpOutcome::Ok(result)) = &r.outcome else {
            return None;
        };
        let reported = result["ticket"].as_str()?;
        r.provider_exchanges()
            .filter(|e| e["request"]["path"] == TICKETS_PATH && e["response"]["status"] == 201)
            .filter_map(response_json)
            .any(|body| {
                body["ticket"]
                    .as_str()
                    .is_some_and(|created| same_secret(created, reported))
            })
            .then(|| reported.to_owned())
    })
}

/// Whether the operation's last answer from the provider was a success (2xx, and for Capture
/// `"stat":"ok"`).
pub(crate) fn last_answer_succeeded(report: &crate::harness::world::Report) -> bool {
    report.provider_exchanges().last().is_some_and(|e| {
        let ok_status = e["response"]["status"]
            .as_u64()
            .is_some_and(|s| (200..300).contains(&s));
        let stat = response_json(e).map(|b| b["stat"].clone()).unwrap_or(Value::Null);
        ok_status && (stat.is_null() || stat == "ok")
    })
}

/// A journal entry's response body as JSON, if it is JSON.
pub(crate) fn response_json(entry: &Value) -> Option<Value> {
    serde_json::from_str(entry["response"]["body"].as_str()?).ok()
}

/// Whether `reported` is the body the journal recorded as `sent`. The journal masks values under
/// secret-looking keys (`"access_token":"****…"`), so a masked value matches anything.
pub(crate) fn same_as_sent(sent: &Value, reported: &Value) -> bool {
    match (sent, reported) {
        (Value::String(masked), _) if masked.starts_with("****") => true,
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same_as_sent(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same_as_sent(v, w)),
        _ => sent == reported,
    }
}

/// Whether `reported` is the secret the journal recorded as `journaled`: the journal masks a
/// ticket link as `****` plus its last four characters, so a masked value matches a report with
/// that tail (the reported link must then redeem on the hosted page, which only the real one
/// does).
pub(crate) fn same_secret(journaled: &str, reported: &str) -> bool {
    match journaled.strip_prefix("****") {
        Some(tail) => reported.ends_with(tail),
        None => journaled == reported,
    }
}

/// Fills in and posts the hosted reset form of `link`, as the user would; `Err` says what went
/// wrong.
async fn redeem_ticket(link: &str) -> Result<(), String> {
    let url = link.split('#').next().unwrap_or(link);
    let browser =
        crate::harness::transport::trust(reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()))
            .build()
            .map_err(|e| e.to_string())?;
    let page = browser.get(url).send().await.map_err(|e| e.to_string())?;
    let status = page.status().as_u16();
    let page = page.text().await.map_err(|e| e.to_string())?;
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("the link answered {status} without the password form"))?;
    let password = "Redeemed-Ticket-2027";
    let form = [("_csrf", csrf), ("password", password), ("confirm_password", password)];
    let answer = browser.post(url).form(&form).send().await.map_err(|e| e.to_string())?;
    let status = answer.status();
    let again = browser.get(url).send().await.map_err(|e| e.to_string())?;
    let used = again.text().await.map_err(|e| e.to_string())?.contains("Invalid Link");
    if (status.is_success() || status.is_redirection()) && used {
        return Ok(());
    }
    Err(format!(
        "posting its form answered {status} and the link is {}",
        if used { "used" } else { "still live" }
    ))
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

pub(crate) async fn get_json(world: &AuthWorld, url: &str) -> Result<Value, String> {
    json_of(world.control.get(url)).await
}

/// A header value from a journal header map (a string, or several joined).
fn header(headers: &Value, name: &str) -> String {
    match &headers[name] {
        Value::String(s) => s.clone(),
        Value::Array(values) => values.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}
