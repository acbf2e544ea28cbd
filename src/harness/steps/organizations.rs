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

/// The id of the tenant's connection `name`.
async fn connection_id(world: &mut AuthWorld, name: &str) -> Result<String, String> {
    world
        .auth0()
        .await?
        .summary
        .connections
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.id.clone())
        .ok_or_else(|| format!("the tenant has no connection named {name:?}"))
}

#[when(expr = "the client creates the organization {string} with the connection {string}")]
async fn create_organization(world: &mut AuthWorld, name: String, connection: String) -> Result<(), String> {
    let connection_id = connection_id(world, &connection).await?;
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

// Logging in through an organization as the application does it (`features/auth0/login.feature`):
// the harness, as the tenant's administrator, sets the organization up; the client starts the
// login with `auth0.begin_organization_login` (its SDK's own `organization` and `invitation`
// parameters), the harness signs the user in, and the client completes the login and reports
// the ID token's `org_id`.

/// The harness creates the organization `name` with the connection enabled (no automatic
/// membership) and lets the login application take organizations (`organization_usage: allow`).
#[given(expr = "the provider has the organization {string} with the connection {string}")]
async fn provider_organization(world: &mut AuthWorld, name: String, connection: String) -> Result<(), String> {
    let app = super::login::app(world)?;
    let connection_id = connection_id(world, &connection).await?;
    let client = format!("clients/{}", encoded(&app.client_id));
    let login_route = format!("{}/login", origin(&app.redirect_uri));
    let body = json!({ "organization_usage": "allow", "initiate_login_uri": login_route });
    expect(
        world.management_patch(&client, body).await?,
        200,
        "PATCH /api/v2/clients/{id}",
    )?;
    let body = json!({
        "name": name,
        "enabled_connections": [{ "connection_id": connection_id, "assign_membership_on_login": false }],
    });
    let answer = expect(
        world.management_post("organizations", body).await?,
        201,
        "POST /api/v2/organizations",
    )?;
    let id = answer["id"]
        .as_str()
        .ok_or("POST /api/v2/organizations answered no id")?
        .to_owned();
    world.auth0_mut().await?.created_organizations.insert(name, id);
    Ok(())
}

/// The harness makes `email` a member of the organization `name`.
#[given(expr = "{string} belongs to the organization {string}")]
async fn belongs_to(world: &mut AuthWorld, email: String, name: String) -> Result<(), String> {
    let user_id = world.auth0().await?.user_id(&email)?;
    let org_id = organization_id(world, &name).await?;
    let path = format!("organizations/{}/members", encoded(&org_id));
    let answer = world.management_post(&path, json!({ "members": [user_id] })).await?;
    expect(answer, 204, "POST /api/v2/organizations/{id}/members").map(|_| ())
}

/// The harness invites `email` to the organization `name` through the login application, and
/// keeps the link the provider would mail (`invitation_url`).
#[given(expr = "{string} is invited to the organization {string}")]
async fn invited(world: &mut AuthWorld, email: String, name: String) -> Result<(), String> {
    let app = super::login::app(world)?;
    let org_id = organization_id(world, &name).await?;
    let path = format!("organizations/{}/invitations", encoded(&org_id));
    let body = json!({
        "inviter": { "name": "The administrator" },
        "invitee": { "email": email },
        "client_id": app.client_id,
    });
    let answer = expect(
        world.management_post(&path, body).await?,
        201,
        "POST /api/v2/organizations/{id}/invitations",
    )?;
    let url = answer["invitation_url"]
        .as_str()
        .ok_or("the invitation has no invitation_url")?;
    world.auth0_mut().await?.invitation_url = Some(url.to_owned());
    Ok(())
}

/// The client starts a login through the organization `name` (`auth0.begin_organization_login`),
/// the harness signs `email` in, and the client completes the login.
#[when(expr = "the user signs in through the organization {string} as {string} with password {string}")]
async fn signs_in_through(world: &mut AuthWorld, name: String, email: String, password: String) -> Result<(), String> {
    let org_id = organization_id(world, &name).await?;
    organization_login(world, json!({ "organization": org_id }), &email, &password).await
}

/// The user opens the invitation link, which lands on the application's login route with
/// `invitation`, `organization` and `organization_name`; the application starts the login with
/// the first two (facts B6: `organization_name` is not forwarded), the harness signs `email` in,
/// and the client completes the login.
#[when(expr = "the user accepts the invitation to {string} and signs in as {string} with password {string}")]
async fn accepts_invitation(
    world: &mut AuthWorld,
    name: String,
    email: String,
    password: String,
) -> Result<(), String> {
    let link = world
        .auth0()
        .await?
        .invitation_url
        .clone()
        .ok_or_else(|| format!("nobody was invited to {name:?}"))?;
    let (Some(invitation), Some(organization)) = (url_param(&link, "invitation"), url_param(&link, "organization"))
    else {
        return Err(format!("the invitation link {link} lacks invitation or organization"));
    };
    let args = json!({ "organization": organization, "invitation": invitation });
    organization_login(world, args, &email, &password).await
}

async fn organization_login(world: &mut AuthWorld, extra: Value, email: &str, password: &str) -> Result<(), String> {
    use super::login::{begin, complete, walk};
    let redirect_uri = super::login::app(world)?.redirect_uri;
    let url = begin(world, "auth0.begin_organization_login", &redirect_uri, extra).await?;
    let landing = walk(world, &url, Some((email, password))).await?;
    let Landing::Away(callback) = landing else {
        return Err(format!("the login did not come back to the application: {landing:?}"));
    };
    complete(world, &callback).await
}

/// The client accepted the login of `email`, reporting the ID token's `org_id` of the
/// organization `name`, after starting it at `/authorize` with `organization=<org_id>` and
/// redeeming the code with its PKCE verifier.
#[then(expr = "the client accepts the login of {string} in the organization {string}")]
async fn accepts_in_organization(world: &mut AuthWorld, email: String, name: String) -> Result<(), String> {
    use super::login::{body_text, redeemed_codes, report_result, seen};
    let user_id = world.user_id(&email).await?;
    let org_id = organization_id(world, &name).await?;
    let result = report_result(world).unwrap_or(Value::Null);
    let accepted = result["accepted"] == true && result["sub"] == user_id.as_str();
    let named = result["org_id"] == org_id.as_str();
    let asked = seen(world, "GET", "/authorize").await?.iter().any(|e| {
        e["request"]["query"]
            .as_str()
            .is_some_and(|q| url_param(&format!("?{q}"), "organization").as_deref() == Some(org_id.as_str()))
    });
    let with_pkce = redeemed_codes(world)
        .await?
        .iter()
        .any(|e| body_text(e).contains("code_verifier"));
    if accepted && named && asked && with_pkce {
        return Ok(());
    }
    Err(world
        .explain(
            &format!(
                "GET /authorize with organization={org_id}, a code redemption with a code_verifier (200), and \
                 result.accepted true with sub {user_id} and org_id {org_id}"
            ),
            "pass the organization id to your SDK's login (auth0-spa-js authorizationParams.organization, an \
             extra authorization parameter elsewhere), and report the ID token's org_id claim",
        )
        .await)
}

/// The origin (`scheme://host[:port]`) of `url`.
fn origin(url: &str) -> &str {
    let host = url.find("://").map_or(0, |i| i + 3);
    url[host..].find('/').map_or(url, |end| &url[..host + end])
}

/// The body of a Management API answer of `status`, else an error naming `what`.
fn expect(answer: crate::harness::management::Answer, status: u16, what: &str) -> Result<Value, String> {
    if answer.status == status {
        return Ok(answer.body);
    }
    Err(format!(
        "{what} answered the harness {}: {}",
        answer.status, answer.body
    ))
}
