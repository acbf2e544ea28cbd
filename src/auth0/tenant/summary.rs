//! What `authmock serve` prints and `GET /__authmock__/tenant` answers for an Auth0 tenant: its
//! seeded credentials and ids, so a test or a person can start without reading fixtures.

use serde::{Deserialize, Serialize};

use crate::auth0::tenant::Tenant;
use crate::auth0::tenant::applications::OrganizationUsage;
use crate::auth0::tenant::model::MANAGEMENT_API;
use crate::core::provider::control_banner;

/// What `authmock serve` prints and `GET /__authmock__/tenant` returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantSummary {
    pub provider: String,
    pub name: String,
    pub base_url: String,
    pub issuer: String,
    pub audience: String,
    /// The tenant's default audience (fixture `default_audience`), resolved; absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_audience: Option<String>,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub login: String,
    pub clients: Vec<ClientSummary>,
    pub apis: Vec<ApiSummary>,
    pub connections: Vec<ConnectionSummary>,
    pub users: Vec<UserSummary>,
    /// The bounded stores of this tenant: how full each is and what it dropped.
    #[serde(default)]
    pub stores: StoresSummary,
}

/// `stores` of the tenant summary (caps: `docs/control-api.md`, "Bounded stores").
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StoresSummary {
    /// Password-change, verification and unblock tickets (used, superseded and expired ones
    /// included).
    pub tickets: StoreSummary,
    /// Captured mail.
    pub outbox: StoreSummary,
    /// Login transactions waiting for the user.
    pub login_transactions: StoreSummary,
    /// Browser sessions (the `auth0` cookie).
    pub sessions: StoreSummary,
    /// Authorization codes.
    pub authorization_codes: StoreSummary,
    /// Refresh-token families of browser logins.
    pub refresh_token_families: StoreSummary,
    /// Refresh tokens of browser logins, spent ones included.
    pub refresh_tokens: StoreSummary,
    /// User access tokens issued without an audience (opaque, `/userinfo` only).
    pub opaque_access_tokens: StoreSummary,
    /// Refresh tokens of the password grant.
    pub password_grant_refresh_tokens: StoreSummary,
    /// CSRF tokens of opened hosted forms.
    pub form_tokens: StoreSummary,
    /// Management API jobs.
    pub jobs: StoreSummary,
    /// Brute-force failure counters.
    pub brute_force_counters: StoreSummary,
    /// Brute-force blocks.
    pub brute_force_blocks: StoreSummary,
    /// Users created at runtime (fixture users are not counted).
    pub runtime_users: StoreSummary,
    /// Roles.
    pub roles: StoreSummary,
    /// Role memberships.
    pub role_members: StoreSummary,
    /// Permissions given directly to users.
    pub user_permissions: StoreSummary,
    /// Applications created at runtime (seeded ones are not counted).
    pub runtime_clients: StoreSummary,
    /// APIs created at runtime (seeded ones are not counted).
    pub runtime_apis: StoreSummary,
    /// Client grants created at runtime (seeded ones are not counted).
    pub runtime_grants: StoreSummary,
    /// Users with MFA authenticators.
    pub mfa_enrolments: StoreSummary,
    /// Pending `mfa_token`s of grants that asked for a second factor.
    pub mfa_tokens: StoreSummary,
    /// Out-of-band codes of SMS and email authenticators.
    pub mfa_oob_codes: StoreSummary,
}

pub use crate::core::bounded::StoreSummary;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSummary {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub app_type: String,
    pub grant_types: Vec<String>,
    /// Scopes granted per API identifier (the Management API under its real audience).
    pub grants: Vec<GrantSummary>,
    /// Allowed Callback URLs for browser logins (`redirect_uri` must equal one).
    #[serde(default)]
    pub callbacks: Vec<String>,
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    #[serde(default)]
    pub web_origins: Vec<String>,
    /// `none` for public applications (SPA, native): they log in with PKCE, without a secret.
    #[serde(default)]
    pub token_endpoint_auth_method: String,
    /// "Trust Token Endpoint IP Header"; shown only when on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_token_endpoint_ip_header_trusted: bool,
    /// Whether `/authorize` takes `organization`; shown only when not the default `deny`.
    #[serde(default, skip_serializing_if = "is_deny")]
    pub organization_usage: OrganizationUsage,
}

fn is_deny(usage: &OrganizationUsage) -> bool {
    *usage == OrganizationUsage::Deny
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantSummary {
    pub audience: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiSummary {
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectionSummary {
    pub id: String,
    pub name: String,
    pub strategy: String,
    pub password_policy: crate::core::password::PasswordPolicy,
    /// The applications the connection is enabled for; absent: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_clients: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserSummary {
    pub user_id: String,
    pub email: String,
    pub connection: String,
    pub email_verified: bool,
    pub blocked: bool,
    /// The fixture's password, until it is changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl TenantSummary {
    pub fn of(tenant: &Tenant) -> Self {
        let state = tenant.state();
        let audience = tenant.management_audience();
        let issuer = tenant.issuer();
        Self {
            provider: "auth0".into(),
            name: tenant.name().to_owned(),
            base_url: tenant.base_url().to_owned(),
            token_endpoint: format!("{issuer}oauth/token"),
            jwks_uri: format!("{issuer}.well-known/jwks.json"),
            issuer,
            login: format!("{:?}", state.login).to_lowercase(),
            default_audience: tenant.default_audience(&state),
            clients: state
                .clients
                .iter()
                .map(|c| ClientSummary {
                    name: c.name.clone(),
                    client_id: c.client_id.clone(),
                    client_secret: c.client_secret.clone(),
                    app_type: c.app_type.clone(),
                    grant_types: c.grant_types.clone(),
                    grants: state
                        .grants
                        .iter()
                        .filter(|g| g.client_id == c.client_id)
                        .map(|g| GrantSummary {
                            audience: if g.audience == MANAGEMENT_API {
                                audience.clone()
                            } else {
                                g.audience.clone()
                            },
                            scopes: g.scopes.clone(),
                        })
                        .collect(),
                    callbacks: c.login.callbacks.clone(),
                    allowed_logout_urls: c.login.allowed_logout_urls.clone(),
                    web_origins: c.login.web_origins.clone(),
                    token_endpoint_auth_method: c.login.token_endpoint_auth_method.clone(),
                    is_token_endpoint_ip_header_trusted: c.login.ip_header_trusted,
                    organization_usage: c.organization_usage,
                })
                .collect(),
            apis: state
                .apis
                .iter()
                .map(|a| ApiSummary {
                    identifier: a.identifier.clone(),
                    name: a.name.clone(),
                    scopes: a.scopes.clone(),
                })
                .collect(),
            connections: state
                .connections
                .iter()
                .map(|c| ConnectionSummary {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    strategy: c.strategy.clone(),
                    password_policy: c.password_policy,
                    enabled_clients: c.enabled_clients.clone(),
                })
                .collect(),
            users: state
                .users
                .iter()
                .map(|u| UserSummary {
                    user_id: u.user_id.clone(),
                    email: u.email.clone(),
                    connection: u.connection.clone(),
                    email_verified: u.email_verified,
                    blocked: u.is_blocked(),
                    password: u.fixture_password.clone(),
                })
                .collect(),
            stores: StoresSummary::of(&state),
            audience,
        }
    }
}

impl StoresSummary {
    pub(crate) fn of(state: &crate::auth0::tenant::state::TenantState) -> Self {
        let logins = &state.logins;
        let bounds = &state.bounds;
        let [mfa_enrolments, mfa_tokens, mfa_oob_codes] = state.mfa().summaries();
        Self {
            tickets: state.tickets.summary(),
            outbox: StoreSummary {
                len: state.outbox.len(),
                capacity: crate::core::outbox::OUTBOX_LIMIT,
                evicted: state.outbox.evicted(),
                forgotten: 0,
            },
            login_transactions: logins.caps.transactions.summary(logins.transactions.len()),
            sessions: logins.caps.sessions.summary(logins.sessions.len()),
            authorization_codes: logins.codes.summary(),
            refresh_token_families: logins.caps.families.summary(logins.families.len()),
            refresh_tokens: logins.caps.refresh_tokens.summary(logins.refresh_tokens.len()),
            opaque_access_tokens: logins.opaque_tokens.summary(),
            password_grant_refresh_tokens: state.refresh_tokens.summary(),
            form_tokens: state.form_tokens.summary(),
            jobs: state.jobs.summary(),
            brute_force_counters: state.brute_force.failures.summary(),
            brute_force_blocks: state.brute_force.blocks.summary(),
            runtime_users: bounds.users.summary(bounds.runtime_users.len()),
            roles: state.rbac.roles.summary(),
            role_members: state.rbac.members.summary(),
            user_permissions: state.rbac.user_permissions.summary(),
            runtime_clients: bounds
                .clients
                .summary(state.clients.iter().filter(|c| !c.seeded).count()),
            runtime_apis: bounds.apis.summary(state.apis.iter().filter(|a| !a.seeded).count()),
            runtime_grants: bounds.grants.summary(state.grants.iter().filter(|g| !g.seeded).count()),
            mfa_enrolments: mfa_enrolments.clone(),
            mfa_tokens: mfa_tokens.clone(),
            mfa_oob_codes: mfa_oob_codes.clone(),
        }
    }
}

impl TenantSummary {
    /// The human-readable start-up banner (`authmock serve`).
    pub fn banner(&self) -> String {
        let summary = self;
        let mut out = String::new();
        out.push_str(&format!("authmock: Auth0 tenant `{}` listening\n", summary.name));
        out.push_str(&format!("  base URL              {}\n", summary.base_url));
        out.push_str(&format!("  token endpoint        {}\n", summary.token_endpoint));
        out.push_str(&format!("  Management API        {}\n", summary.audience));
        out.push_str(&format!("  JWKS                  {}\n", summary.jwks_uri));
        out.push_str(&control_banner(&summary.base_url));
        out.push_str("  applications\n");
        for client in &summary.clients {
            out.push_str(&format!("    {} ({})\n", client.name, client.app_type));
            out.push_str(&format!("      client_id      {}\n", client.client_id));
            out.push_str(&format!("      client_secret  {}\n", client.client_secret));
            out.push_str(&format!("      grant types    {}\n", client.grant_types.join(" ")));
            for grant in &client.grants {
                out.push_str(&format!(
                    "      scopes on {}  {}\n",
                    grant.audience,
                    grant.scopes.join(" ")
                ));
            }
        }
        out.push_str("  connections\n");
        for connection in &summary.connections {
            out.push_str(&format!("    {}  {}\n", connection.id, connection.name));
        }
        out.push_str("  users\n");
        for user in &summary.users {
            out.push_str(&format!(
                "    {:<34} {}  password {}{}\n",
                user.email,
                user.user_id,
                user.password.as_deref().unwrap_or("-"),
                if user.blocked { "  (blocked)" } else { "" }
            ));
        }
        out
    }
}
