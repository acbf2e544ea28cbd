//! Given-steps: the tenant, the application the client uses, and the conditions the provider
//! is put in through the control API (faults, rate limits, the clock).

use cucumber::{given, when};
use serde_json::json;

use crate::harness::world::{AuthWorld, rate_limited_body};

#[given("a fresh Auth0 tenant")]
async fn fresh_tenant(world: &mut AuthWorld) -> Result<(), String> {
    world.journal().await.map(|_| ())
}

#[given(expr = "the client uses the {string} application")]
async fn uses_application(world: &mut AuthWorld, name: String) -> Result<(), String> {
    world.use_application(&name)
}

#[given("the Management API rejects the next request as unauthenticated")]
async fn next_request_unauthenticated(world: &mut AuthWorld) -> Result<(), String> {
    let body = json!({"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"});
    world
        .control_post(
            "faults",
            json!({"path": "/api/v2/*", "times": 1,
                "respond": {"status": 401, "headers": {"www-authenticate": "Bearer"}, "body": body}}),
        )
        .await
        .map(|_| ())
}

/// The body and header Auth0 answers a token that fails validation with (facts `auth0.md` §2.2,
/// observed), as a one-shot fault: a correct client's token never fails on its own.
#[given("the Management API rejects the next token as invalid")]
async fn next_token_invalid(world: &mut AuthWorld) -> Result<(), String> {
    let body = json!({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token",
        "attributes": {"error": "Invalid token"}});
    world
        .control_post(
            "faults",
            json!({"path": "/api/v2/*", "times": 1,
                "respond": {"status": 401, "headers": {"www-authenticate": "Bearer error=\"Invalid token\""},
                "body": body}}),
        )
        .await
        .map(|_| ())
}

/// The answer Auth0 gives a body that is not JSON (facts `auth0.md` §2.4, observed), as a
/// one-shot fault: a correct client always sends JSON.
#[given("the Management API rejects the next payload as malformed JSON")]
async fn next_payload_malformed(world: &mut AuthWorld) -> Result<(), String> {
    let body = json!({"statusCode": 400, "error": "Bad Request", "message": "Invalid request payload JSON format"});
    world
        .control_post(
            "faults",
            json!({"path": "/api/v2/*", "times": 1, "respond": {"status": 400, "body": body}}),
        )
        .await
        .map(|_| ())
}

#[given(expr = "the client is configured with the audience {string}")]
async fn configured_audience(world: &mut AuthWorld, audience: String) -> Result<(), String> {
    world.provider.audience = audience;
    Ok(())
}

#[given(expr = "the Management API is failing with {int} {string}")]
async fn management_failing(world: &mut AuthWorld, status: u16, error: String) -> Result<(), String> {
    let body = json!({"statusCode": status, "error": error, "message": error});
    world
        .control_post(
            "faults",
            json!({"path": "/api/v2/*", "respond": {"status": status, "body": body}}),
        )
        .await
        .map(|_| ())
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

#[given("the Management API answers every request with 429 Too Many Requests")]
async fn management_always_429(world: &mut AuthWorld) -> Result<(), String> {
    // The window resets at once, so a careful client's bounded retries cost no time.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let headers =
        json!({"x-ratelimit-limit": "50", "x-ratelimit-remaining": "0", "x-ratelimit-reset": now.to_string()});
    world
        .control_post(
            "faults",
            json!({"path": "/api/v2/*", "respond": {"status": 429, "headers": headers, "body": rate_limited_body()}}),
        )
        .await
        .map(|_| ())
}

#[when(expr = "{int} days pass on the provider's clock")]
async fn days_pass(world: &mut AuthWorld, days: i64) -> Result<(), String> {
    world
        .control_post("clock", json!({"advance_secs": days * 86_400}))
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
