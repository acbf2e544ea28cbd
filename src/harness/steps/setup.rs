//! Given-steps: the tenant, the application the client uses, and the conditions the provider
//! is put in through the control API (faults, rate limits, the clock).

use cucumber::{given, when};
use serde_json::json;

use crate::harness::world::AuthWorld;

#[given("a fresh Auth0 tenant")]
async fn fresh_tenant(world: &mut AuthWorld) -> Result<(), String> {
    world.journal().await.map(|_| ())
}

#[given(expr = "the client uses the {string} application")]
async fn uses_application(world: &mut AuthWorld, name: String) -> Result<(), String> {
    world.auth0_mut().await?.use_application(&name)
}

/// A one-shot fault naming the provider error: the request never reaches the Management API's
/// handlers, and the tenant's own error module renders the answer (as if a proxy had stripped
/// the Authorization header on the way).
#[given("the Management API rejects the next request as unauthenticated")]
async fn next_request_unauthenticated(world: &mut AuthWorld) -> Result<(), String> {
    named_fault(world, "auth0.missing_authentication", Some(1)).await
}

/// A one-shot fault naming the provider error (as if the signing key had been rotated under the
/// token): a correct client's token never fails on its own.
#[given("the Management API rejects the next token as invalid")]
async fn next_token_invalid(world: &mut AuthWorld) -> Result<(), String> {
    named_fault(world, "auth0.invalid_token", Some(1)).await
}

/// A one-shot fault naming the provider error: a correct client always sends JSON, so the mock's
/// own body parser never refuses it.
#[given("the Management API rejects the next payload as malformed JSON")]
async fn next_payload_malformed(world: &mut AuthWorld) -> Result<(), String> {
    named_fault(world, "auth0.invalid_json", Some(1)).await
}

#[given(expr = "the client is configured with the audience {string}")]
async fn configured_audience(world: &mut AuthWorld, audience: String) -> Result<(), String> {
    world.auth0_mut().await?.provider.audience = audience;
    Ok(())
}

#[given("the Management API is unavailable")]
async fn management_unavailable(world: &mut AuthWorld) -> Result<(), String> {
    named_fault(world, "auth0.service_unavailable", None).await
}

/// A bucket of one request per window, set already spent: the client's first Management API
/// request meets a 429 however long it takes to send it (the window starts with it), and one
/// request passes once that window ends (between `secs - 1` and `secs` seconds later: the
/// tenant clock counts whole seconds).
#[given(expr = "the Management API's rate limit is used up for the next {int} seconds")]
async fn management_rate_limited(world: &mut AuthWorld, secs: u32) -> Result<(), String> {
    world
        .control_post(
            "rate-limits",
            json!({"group": "management", "limit": 1, "window_secs": secs, "remaining": 0}),
        )
        .await
        .map(|_| ())
}

/// Every Management API request meets the tenant's 429, whose `x-ratelimit-reset` is the next
/// second on the tenant clock: a client that honours it waits up to a second per retry, one
/// that retries at once is seen retrying before the reset.
#[given("the Management API answers every request with 429 Too Many Requests")]
async fn management_always_429(world: &mut AuthWorld) -> Result<(), String> {
    named_fault(world, "auth0.rate_limited", None).await
}

/// The tenant's fine-grained M2M token quota (facts `auth0.md` §1.3), set on the application
/// the client uses.
#[given(expr = "the tenant allows the application {int} management token(s) per hour")]
async fn token_quota(world: &mut AuthWorld, per_hour: u64) -> Result<(), String> {
    let client_id = world.auth0().await?.provider.client_id.clone();
    world
        .control_post("client-quotas", json!({"client_id": client_id, "per_hour": per_hour}))
        .await
        .map(|_| ())
}

/// A fault rule on the Management API that answers with the provider error `name`, rendered by
/// the tenant; `times` of them, or forever.
async fn named_fault(world: &AuthWorld, name: &str, times: Option<u64>) -> Result<(), String> {
    let mut rule = json!({"path": "/api/v2/*", "error": name});
    if let Some(times) = times {
        rule["times"] = json!(times);
    }
    world.control_post("faults", rule).await.map(|_| ())
}

#[when(expr = "{int} days pass on the provider's clock")]
async fn days_pass(world: &mut AuthWorld, days: i64) -> Result<(), String> {
    world
        .control_post("clock", json!({"advance_secs": days * 86_400}))
        .await
        .map(|_| ())
}

#[when(expr = "{int} minutes pass on the provider's clock")]
async fn minutes_pass(world: &mut AuthWorld, minutes: i64) -> Result<(), String> {
    world
        .control_post("clock", json!({"advance_secs": minutes * 60}))
        .await
        .map(|_| ())
}

#[when("a day passes on the provider's clock")]
async fn a_day_passes(world: &mut AuthWorld) -> Result<(), String> {
    world
        .control_post("clock", json!({"advance_secs": 86_401}))
        .await
        .map(|_| ())
}
