//! The organization steps (`features/auth0/configuration.feature`): a backend sets up an
//! organization through the Management API (creates it with a connection, makes a user a
//! member), and the harness, as the user, signs in through it itself: a non-member is refused at
//! the callback with the provider's `access_denied`, and a member's ID token names the
//! organization (the harness redeems the code with the application's own credentials).

use base64::Engine as _;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::configuration::{application_id, created, ended, harness_login, reported, token_request};
use crate::harness::browser::{Landing, url_param};
use crate::harness::management::encoded;
use crate::harness::world::AuthWorld;

/// The harness, as the tenant's administrator, lets the application `name` take organizations
/// (`organization_usage: allow`), as the dashboard's "Types of users" setting does.
#[given(expr = "the application {string} takes organizations")]
async fn takes_organizations(world: &mut AuthWorld, name: String) -> Result<(), String> {
    let id = application_id(world, &name).await?;
    let body = json!({ "organization_usage": "allow" });
    let answer = world
        .management_patch(&format!("clients/{}", encoded(&id)), body)
        .await?;
    if answer.status == 200 {
        return Ok(());
    }
    Err(format!(
        "PATCH /api/v2/clients/{id} answered the harness {}: {}",
        answer.status, answer.body
    ))
}

#[when(expr = "the client creates the organization {string} with the connection {string}")]
async fn create_organization(world: &mut AuthWorld, name: String, connection: String) -> Result<(), String> {
    let connection_id = world
        .auth0()
        .await?
        .summary
        .connections
        .iter()
        .find(|c| c.name == connection)
        .map(|c| c.id.clone())
        .ok_or_else(|| format!("the tenant has no connection named {connection:?}"))?;
    let args = json!({
        "name": name,
        "enabled_connections": [{ "connection_id": connection_id, "assign_membership_on_login": false }],
    });
    world.perform("auth0.create_organization", args).await?;
    if let Some(id) = reported(world).and_then(|r| r["id"].as_str().map(str::to_owned)) {
        world.auth0_mut().await?.created_organizations.insert(name, id);
    }
    Ok(())
}

/// The 201 of `POST /api/v2/organizations` during the operation, and the same `id` reported.
#[then("the client receives the organization the provider created")]
async fn receives_organization(world: &mut AuthWorld) -> Result<(), String> {
    created(world, "/api/v2/organizations", "id").await
}

#[when(expr = "the client makes {string} a member of the organization {string}")]
async fn add_member(world: &mut AuthWorld, email: String, name: String) -> Result<(), String> {
    let user_id = world.auth0().await?.user_id(&email)?;
    let organization_id = organization_id(world, &name).await?;
    let args = json!({ "organization_id": organization_id, "members": [user_id] });
    world.perform("auth0.add_organization_members", args).await
}

/// The harness signs `email` in through the application `name` with `organization`, and the
/// provider refuses the login at the callback (facts auth0-mfa-orgs.md B6, obs): `access_denied`,
/// `user <user_id> is not part of the <org_id> organization`.
#[then(
    expr = "{string} signing in with password {string} through {string} with the organization {string} is refused as not part of it"
)]
async fn refused_as_non_member(
    world: &mut AuthWorld,
    email: String,
    password: String,
    name: String,
    organization: String,
) -> Result<(), String> {
    let org_id = organization_id(world, &organization).await?;
    let user_id = world.auth0().await?.user_id(&email)?;
    let landing = login_through(world, &name, &org_id, &email, &password).await?;
    let wanted = format!("user {user_id} is not part of the {org_id} organization");
    if let Landing::Away(location) = &landing
        && url_param(location, "error").as_deref() == Some("access_denied")
        && url_param(location, "error_description").as_deref() == Some(wanted.as_str())
    {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the login through {org_id} to end at the callback with access_denied {wanted:?}, it ended {}",
                ended(&landing)
            ),
            "create the organization with the connection enabled, assign_membership_on_login off (on, every user of \
             the connection becomes a member at login), and no members; report its id as the provider answered it",
        )
        .await)
}

/// The harness signs `email` in through the application `name` with `organization`, redeems the
/// code with the application's credentials, and the ID token's `org_id` is the organization's.
#[then(
    expr = "{string} signing in with password {string} through {string} with the organization {string} gets an ID token naming it"
)]
async fn member_token(
    world: &mut AuthWorld,
    email: String,
    password: String,
    name: String,
    organization: String,
) -> Result<(), String> {
    let org_id = organization_id(world, &organization).await?;
    let landing = login_through(world, &name, &org_id, &email, &password).await?;
    let code = match &landing {
        Landing::Away(location) => url_param(location, "code"),
        Landing::Page(..) => None,
    };
    let claims = match code {
        Some(code) => id_token_claims(world, &name, &code).await?,
        None => Value::Null,
    };
    if claims["org_id"] == org_id.as_str() {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "the login through {org_id} to come back with a code whose ID token has org_id {org_id}, it ended {} \
                 (ID token claims: {claims})",
                ended(&landing)
            ),
            "POST /api/v2/organizations/{id}/members with {\"members\": [<user id>]} (the user's id, not the email)",
        )
        .await)
}

/// The id the client reported for the organization `name`.
async fn organization_id(world: &AuthWorld, name: &str) -> Result<String, String> {
    world
        .auth0()
        .await?
        .created_organizations
        .get(name)
        .cloned()
        .ok_or_else(|| format!("the client reported no id for the organization {name:?}"))
}

/// The login of `email` through the application `name` (to its first callback) with
/// `organization`.
async fn login_through(
    world: &AuthWorld,
    name: &str,
    org_id: &str,
    email: &str,
    password: &str,
) -> Result<Landing, String> {
    let callback = app(world, name).await?.callbacks.first().cloned().unwrap_or_default();
    harness_login(
        world,
        name,
        &callback,
        Some((email, password)),
        &[("organization", org_id)],
    )
    .await
}

async fn app(world: &AuthWorld, name: &str) -> Result<crate::auth0::tenant::summary::ClientSummary, String> {
    world
        .auth0()
        .await?
        .summary
        .clients
        .iter()
        .find(|c| c.name == name)
        .cloned()
        .ok_or_else(|| format!("the tenant has no application named {name:?}"))
}

/// The claims of the ID token `/oauth/token` answers for `code`, redeemed with the application's
/// own credentials and its first callback (`null` when it answers none).
async fn id_token_claims(world: &AuthWorld, name: &str, code: &str) -> Result<Value, String> {
    let app = app(world, name).await?;
    let answer = token_request(
        world,
        json!({
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code": code,
            "redirect_uri": app.callbacks.first(),
        }),
    )
    .await?
    .body;
    let payload = answer["id_token"].as_str().and_then(|t| t.split('.').nth(1));
    Ok(payload
        .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null))
}
