//! When-steps: each asks the client under test to perform one operation of the protocol.

use cucumber::when;
use serde_json::json;

use crate::harness::world::AuthWorld;

#[when("the client fetches a management token")]
async fn fetch_token(world: &mut AuthWorld) -> Result<(), String> {
    world.perform("auth0.get_management_token", json!({})).await
}

#[when(expr = "the client creates a password-change ticket for {string}")]
async fn ticket_by_user_id(world: &mut AuthWorld, email: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    world
        .perform("auth0.create_password_change_ticket", json!({ "user_id": user_id }))
        .await
}

#[when(expr = "the client creates a password-change ticket for {string} by email")]
async fn ticket_by_email(world: &mut AuthWorld, email: String) -> Result<(), String> {
    world
        .perform("auth0.create_password_change_ticket", json!({ "email": email }))
        .await
}

#[when(expr = "the client creates a password-change ticket for {string} valid for {int} seconds")]
async fn ticket_with_ttl(world: &mut AuthWorld, email: String, ttl: i64) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    world
        .perform(
            "auth0.create_password_change_ticket",
            json!({ "user_id": user_id, "ttl_sec": ttl }),
        )
        .await
}

#[when(expr = "the client creates {int} password-change tickets for {string}")]
async fn many_tickets(world: &mut AuthWorld, count: u32, email: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    for _ in 0..count {
        world
            .perform("auth0.create_password_change_ticket", json!({ "user_id": user_id }))
            .await?;
    }
    Ok(())
}

#[when(expr = "the client asks for a password reset email for {string}")]
async fn reset_email(world: &mut AuthWorld, email: String) -> Result<(), String> {
    world
        .perform("auth0.send_password_reset_email", json!({ "email": email }))
        .await
}

#[when(expr = "the client sets the password of {string} to {string}")]
async fn set_password(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    let user_id = world.user_id(&email).await?;
    world
        .perform(
            "auth0.set_user_password",
            json!({ "user_id": user_id, "password": password }),
        )
        .await
}

#[when(expr = "the client sets the password of the unknown user {string} to {string}")]
async fn set_password_unknown(world: &mut AuthWorld, user_id: String, password: String) -> Result<(), String> {
    world
        .perform(
            "auth0.set_user_password",
            json!({ "user_id": user_id, "password": password }),
        )
        .await
}

#[when(expr = "the client logs in as {string} with password {string}")]
async fn login(world: &mut AuthWorld, email: String, password: String) -> Result<(), String> {
    world
        .perform(
            "auth0.login_with_password",
            json!({ "email": email, "password": password }),
        )
        .await
}

#[when(expr = "the client looks up the users with email {string}")]
async fn find_users(world: &mut AuthWorld, email: String) -> Result<(), String> {
    world
        .perform("auth0.find_users_by_email", json!({ "email": email }))
        .await
}
