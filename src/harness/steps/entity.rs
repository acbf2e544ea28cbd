//! The server-side Entity API journey: a back-office integration finds, creates, changes and
//! deletes Capture records as the app's API client (Given the client's credentials; When one
//! `janrain.entity_*` operation; Then what it reported, tied to the app's answer to it).
//!
//! The Then-steps that look at the records afterwards read them as another application of the
//! app would, with the owner client's credentials, over raw HTTP.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use crate::harness::protocol::OpOutcome;
use crate::harness::steps::observations::{response_json, same_as_sent};
use crate::harness::world::{AuthWorld, json_of};

/// The entity type of the default app's records (`fixtures/janrain-app.json`, `entity_type`).
const TYPE_NAME: &str = "user";

#[given(expr = "the client uses the {string} API client")]
async fn uses_api_client(world: &mut AuthWorld, name: String) -> Result<(), String> {
    let janrain = world.janrain_mut().await?;
    let client = janrain
        .summary
        .clients
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("the Janrain app has no API client named {name:?}"))?;
    let (id, secret) = (client.client_id.clone(), client.client_secret.clone());
    janrain.provider.api_client_id = Some(id);
    janrain.provider.api_client_secret = Some(secret);
    Ok(())
}

/// The client was configured with a secret the app no longer accepts (a rotated one): the
/// harness hands it the real secret reversed, which the app has never issued.
#[given("the client holds an outdated secret for its API client")]
async fn outdated_secret(world: &mut AuthWorld) -> Result<(), String> {
    let provider = &mut world.janrain_mut().await?.provider;
    let secret = provider
        .api_client_secret
        .as_ref()
        .ok_or("the client has no API client to spoil the secret of")?;
    provider.api_client_secret = Some(secret.chars().rev().collect());
    Ok(())
}

#[when(expr = "the client finds the Janrain records matching {string}")]
async fn find(world: &mut AuthWorld, filter: String) -> Result<(), String> {
    world
        .perform(
            "janrain.entity_find",
            json!({ "type_name": TYPE_NAME, "filter": filter }),
        )
        .await
}

#[when(expr = "the client creates a Janrain record for {string} with the given name {string}")]
async fn create(world: &mut AuthWorld, email: String, given_name: String) -> Result<(), String> {
    world
        .perform(
            "janrain.entity_create",
            json!({ "type_name": TYPE_NAME, "attributes": { "email": email, "givenName": given_name } }),
        )
        .await
}

#[when(expr = "the client changes the given name of the Janrain record of {string} to {string}")]
async fn update(world: &mut AuthWorld, email: String, given_name: String) -> Result<(), String> {
    let uuid = seeded_uuid(world, &email).await?;
    world
        .perform(
            "janrain.entity_update",
            json!({ "type_name": TYPE_NAME, "uuid": uuid, "attributes": { "givenName": given_name } }),
        )
        .await
}

#[when(expr = "the client deletes the Janrain record of {string}")]
async fn delete(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let uuid = seeded_uuid(world, &email).await?;
    world
        .perform("janrain.entity_delete", json!({ "type_name": TYPE_NAME, "uuid": uuid }))
        .await
}

#[then(expr = "the client finds {int} Janrain record(s)")]
async fn finds_records(world: &mut AuthWorld, count: usize) -> Result<(), String> {
    let report = world.last()?;
    let answer = stat_ok_answer(report, "/entity.find");
    if let (Ok(OpOutcome::Ok(result)), Some(sent)) = (&report.outcome, &answer)
        && let Some(reported) = result["results"].as_array()
        && reported.len() == count
        && sent["result_count"] == count
        && same_as_sent(&sent["results"], &result["results"])
    {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "{count} record(s), reported as result.results exactly as the app's entity.find answer listed them"
            ),
            "POST /entity.find with type_name and the filter as given, as an API client; report `results` as received",
        )
        .await)
}

#[then("the client reports the new Janrain record")]
async fn reports_new_record(world: &mut AuthWorld) -> Result<(), String> {
    let report = world.last()?;
    let answer = stat_ok_answer(report, "/entity.create");
    if let (Ok(OpOutcome::Ok(result)), Some(sent)) = (&report.outcome, &answer)
        && sent["uuid"].is_string()
        && result["uuid"] == sent["uuid"]
        && (result.get("id").is_none_or(Value::is_null) || result["id"] == sent["id"])
    {
        return Ok(());
    }
    Err(world
        .explain(
            "the uuid (and id) the app's entity.create answer assigned, reported as result.uuid",
            "POST /entity.create with type_name and the attributes as JSON; the app assigns uuid and id",
        )
        .await)
}

#[then(expr = "the Janrain record of {string} has the given name {string}")]
async fn record_has_given_name(world: &mut AuthWorld, email: String, given_name: String) -> Result<(), String> {
    let report = world.last()?;
    let changed = matches!(report.outcome, Ok(OpOutcome::Ok(_))) && stat_ok_answer(report, "/entity.update").is_some();
    let records = records_with_email(world, &email).await?;
    if changed && records.len() == 1 && records[0]["givenName"] == given_name.as_str() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "a successful entity.update, after which the one record of {email} has givenName {given_name:?} \
                 (the app now holds: {})",
                Value::Array(records)
            ),
            "POST /entity.update with uuid and `attributes` holding only what changes (entity.replace clears the rest)",
        )
        .await)
}

#[then(expr = "the Janrain app has no record for {string}")]
async fn no_record(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let report = world.last()?;
    let deleted = matches!(report.outcome, Ok(OpOutcome::Ok(_))) && stat_ok_answer(report, "/entity.delete").is_some();
    let records = records_with_email(world, &email).await?;
    if deleted && records.is_empty() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "a successful entity.delete, after which the app holds no record of {email} (it holds: {})",
                Value::Array(records)
            ),
            "POST /entity.delete with type_name and the record's uuid",
        )
        .await)
}

/// The operation's last Capture answer, when it came from `path` with `"stat":"ok"`.
pub(super) fn stat_ok_answer(report: &crate::harness::world::Report, path: &str) -> Option<Value> {
    let last = report.provider_exchanges().last()?;
    let body = response_json(last)?;
    (last["request"]["path"] == path && last["response"]["status"] == 200 && body["stat"] == "ok").then_some(body)
}

/// Whether the provider answered `"stat":"ok"` on one of `paths` while the report's operation ran.
pub(super) fn stat_ok_on(report: &crate::harness::world::Report, paths: &[&str]) -> bool {
    report.provider_exchanges().any(|e| {
        paths.iter().any(|path| e["request"]["path"] == *path)
            && response_json(e).is_some_and(|body| body["stat"] == "ok")
    })
}

/// The uuid of a record the app was seeded with.
async fn seeded_uuid(world: &AuthWorld, email: &str) -> Result<String, String> {
    world
        .janrain()
        .await?
        .summary
        .users
        .iter()
        .find(|u| u.email == email)
        .map(|u| u.uuid.clone())
        .ok_or_else(|| format!("the Janrain app was not seeded with a record of {email}"))
}

/// The app's records with `email`, read as the owner client.
pub(super) async fn records_with_email(world: &AuthWorld, email: &str) -> Result<Vec<Value>, String> {
    let janrain = world.janrain().await?;
    let owner = janrain
        .summary
        .clients
        .iter()
        .find(|c| c.features.iter().any(|f| f == "owner"))
        .ok_or("the Janrain app has no owner client to read its records with")?;
    let filter = format!("email = '{email}'");
    let answer = json_of(
        world
            .control
            .post(format!("{}/entity.find", janrain.capture.uri()))
            .basic_auth(&owner.client_id, Some(&owner.client_secret))
            .form(&[("type_name", TYPE_NAME), ("filter", filter.as_str())]),
    )
    .await?;
    match answer["results"].as_array() {
        Some(results) if answer["stat"] == "ok" => Ok(results.clone()),
        _ => Err(format!(
            "the app refused the harness's own entity.find for {email}: {answer}"
        )),
    }
}
