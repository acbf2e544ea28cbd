//! The records a tenant holds: applications, APIs, grants, connections, users, roles, tickets,
//! refresh grants, brute-force blocks and jobs. Plain data: the state (`state.rs`) owns them, and
//! the operations beside it keep their invariants. Imports no other tenant file but the leaf data
//! files it names.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth0::tenant::bounds;
use crate::core::bounded::{BoundedList, BoundedMap};
use crate::core::password::PasswordPolicy;

/// Length of ticket secrets (`ticket=<32 alphanumerics>`).
pub const TICKET_SECRET_LEN: usize = 32;

/// Which hosted login pages the tenant uses; it decides the ticket URL shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginExperience {
    /// New Universal Login: `/u/reset-password?ticket=…#`.
    #[default]
    Universal,
    /// Classic Login: `/lo/reset?ticket=…#`.
    Classic,
}

/// An application (client) registered in the tenant.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    /// `non_interactive` (M2M), `regular_web`, `spa`, `native`.
    pub app_type: String,
    /// Grant types enabled on the application.
    pub grant_types: Vec<String>,
    /// Where the hosted pages send users back to log in (the application's login route).
    pub login_uri: Option<String>,
    /// Callbacks, logout URLs, web origins, token endpoint auth method, refresh-token policy.
    pub login: crate::auth0::tenant::applications::AppLogin,
    /// Whether `/authorize` takes `organization` (`deny`, `allow`, `require`).
    pub organization_usage: crate::auth0::tenant::applications::OrganizationUsage,
    /// ID tokens' lifetime in seconds (`jwt_configuration.lifetime_in_seconds`, 36000 unless set).
    pub id_token_lifetime: i64,
    /// The application as the Management API stores it, in stored order, without `client_id`,
    /// `client_secret` and `signing_keys` (`clients.rs` renders it and derives the fields above
    /// from it, so the two never disagree).
    pub settings: Map<String, Value>,
    /// Seeded from the fixture (never evicted to make room for runtime applications).
    pub seeded: bool,
}

/// An API (resource server) other than the Management API.
#[derive(Debug, Clone)]
pub struct Api {
    /// 24 lowercase hex digits, as the provider's ids are.
    pub id: String,
    pub identifier: String,
    pub name: String,
    pub scopes: Vec<String>,
    /// "Enable RBAC": user tokens carry only the requested scopes the user holds.
    pub rbac: bool,
    /// "Add Permissions in the Access Token": user tokens carry a `permissions` claim.
    pub permissions_in_token: bool,
    /// Access tokens' lifetime in seconds (`token_lifetime`, 86400 unless set).
    pub token_lifetime: i64,
    /// The resource server as the Management API stores it, without `id` (`apis.rs` renders it
    /// and derives the fields above from it).
    pub settings: Map<String, Value>,
    /// Seeded from the fixture (never evicted to make room for runtime APIs).
    pub seeded: bool,
}

/// A role of the tenant's RBAC.
#[derive(Debug, Clone)]
pub struct Role {
    /// `rol_` followed by 16 alphanumerics.
    pub id: String,
    pub name: String,
    pub description: String,
    /// `type`: `tenant`, or `organization` for a role one organization owns (`owner_id`).
    pub kind: RoleKind,
    /// (API identifier, permission name).
    pub permissions: Vec<(String, String)>,
}

/// Whom a role belongs to, printed as its `type` (and `owner_id`). obs (terraform-provider-auth0
/// test/data/recordings/TestAccRoleTypeAndOwnerIDAreCreateOnly.yaml,
/// TestAccRoleOrganizationLevel.yaml, 2026): `"type":"tenant"`, or `"type":"organization"` with
/// the `owner_id` the create sent; neither changes afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleKind {
    Tenant,
    /// inf: authmock keeps no organizations, so the owner is taken as sent (absent if none was).
    Organization {
        owner_id: Option<String>,
    },
}

/// Roles and direct permissions, and who holds them.
#[derive(Debug, Clone)]
pub struct Rbac {
    /// All created at runtime; a role evicted takes its memberships along (`rbac.rs`).
    pub roles: BoundedList<Role>,
    /// (user_id, role id).
    pub members: BoundedList<(String, String)>,
    /// (user_id, API identifier, permission name).
    pub user_permissions: BoundedList<(String, String, String)>,
}

impl Default for Rbac {
    fn default() -> Self {
        Self {
            roles: BoundedList::new(bounds::ROLES),
            members: BoundedList::new(bounds::ASSIGNMENTS),
            user_permissions: BoundedList::new(bounds::ASSIGNMENTS),
        }
    }
}

/// Scopes a client was granted on an API (`audience` is the API identifier).
#[derive(Debug, Clone)]
pub struct ClientGrant {
    /// `cgr_` followed by 16 alphanumerics.
    pub id: String,
    pub client_id: String,
    /// An API identifier, or [`MANAGEMENT_API`] for this tenant's Management API.
    pub audience: String,
    pub scopes: Vec<String>,
    /// `allow_all_scopes`: every scope the API declares is granted.
    pub all_scopes: bool,
    /// The other properties as sent (`subject_type`, `organization_usage`, …), rendered after
    /// `scope`.
    pub extra: Map<String, Value>,
    /// Seeded from the fixture.
    pub seeded: bool,
}

/// Access tokens for an API live 86400 s unless its `token_lifetime` says otherwise (obs:
/// TestResourceServer_Create answers the default for a create that sent none).
pub const DEFAULT_TOKEN_LIFETIME: i64 = 86_400;

/// The system API: its id and the settings `PATCH` changed.
#[derive(Debug, Clone)]
pub struct ManagementApi {
    pub id: String,
    pub settings: Map<String, Value>,
}

impl ManagementApi {
    /// Its access tokens' lifetime.
    pub fn token_lifetime(&self) -> i64 {
        self.settings
            .get("token_lifetime")
            .and_then(Value::as_i64)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME)
    }
}

/// Marker audience for grants on the tenant's own Management API (its URL depends on the port).
pub const MANAGEMENT_API: &str = "management";

/// A connection: a database (`strategy: auth0`), whose fields below the login paths read, or
/// another strategy, stored and printed only.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `con_` followed by 16 alphanumerics.
    pub id: String,
    pub name: String,
    pub strategy: String,
    pub password_policy: PasswordPolicy,
    /// The connection's "requires username" setting: only then may users carry a `username`.
    pub requires_username: bool,
    /// Password rules beyond strength.
    pub password_rules: PasswordRules,
    /// The applications the connection is enabled for; `None`: all of them.
    pub enabled_clients: Option<Vec<String>>,
    /// The connection as the Management API stores it, without `id` and `enabled_clients`
    /// (`connections.rs` renders it and derives the fields above from it).
    pub settings: Map<String, Value>,
    /// Seeded from the fixture (never evicted to make room for runtime connections).
    pub seeded: bool,
}

impl Connection {
    /// Drops a deleted application from the enabled list.
    pub fn forget_client(&mut self, client_id: &str) {
        if let Some(enabled) = &mut self.enabled_clients {
            enabled.retain(|c| c != client_id);
        }
    }

    /// Whether the connection is enabled for `client_id`.
    pub fn enabled_for(&self, client_id: &str) -> bool {
        self.enabled_clients
            .as_ref()
            .is_none_or(|clients| clients.iter().any(|c| c == client_id))
    }

    /// Whether the tenant's brute-force protection guards this connection's password logins: its
    /// `options.brute_force_protection` (doc: the Management API's "Indicates whether to enable
    /// brute force protection, which will limit the number of signups and failed logins from a
    /// suspicious IP address"); true when unset, as a created database connection prints it (obs).
    pub fn brute_force_protected(&self) -> bool {
        self.settings
            .get("options")
            .and_then(|options| options.get("brute_force_protection"))
            .and_then(Value::as_bool)
            .unwrap_or(true)
    }
}

/// A database connection's password options besides strength (the Dashboard's "Password
/// History", "Password Dictionary" and "Personal Data" switches).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PasswordRules {
    /// How many previous passwords a new one may not repeat (0: off).
    pub history_size: usize,
    /// Refuse passwords from the common-password dictionary.
    pub dictionary: bool,
    /// Refuse passwords containing the user's name, username or email local part.
    pub no_personal_info: bool,
}

/// Why a ticket was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    PasswordChange,
    EmailVerification,
    /// The link of a brute-force notification mail.
    Unblock,
}

/// What a ticket grants when it is redeemed on the hosted page.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub kind: TicketKind,
    pub user_id: String,
    pub result_url: Option<String>,
    pub client_id: Option<String>,
    pub organization_id: Option<String>,
    pub mark_email_as_verified: bool,
    pub include_email_in_redirect: bool,
}

/// What a refresh token stands for.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_id: String,
    pub audience: Option<String>,
    pub scope: String,
    /// The login passed a second factor (an MFA grant issued it): MFA does not ask again.
    pub mfa: bool,
}

/// A brute-force block: an identifier refused from one IP (facts `auth0-users.md` §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginBlock {
    pub identifier: String,
    pub ip: String,
    pub connection: String,
    pub user_id: String,
}

/// Brute-force protection of password logins.
#[derive(Debug, Clone)]
pub struct BruteForce {
    /// Consecutive failures that block an identifier from an IP; 0 turns protection off.
    pub threshold: u32,
    /// (identifier, ip) → consecutive failures; when full, the counters with the fewest go.
    pub failures: BoundedMap<(String, String), u32>,
    pub blocks: BoundedList<LoginBlock>,
}

impl BruteForce {
    /// No failures and no blocks yet.
    pub fn new(threshold: u32) -> Self {
        Self {
            threshold,
            failures: BoundedMap::new(bounds::FAILURE_COUNTERS),
            blocks: BoundedList::new(bounds::BLOCKS),
        }
    }
}

/// A background job of the Management API (only `verification_email` is modelled).
#[derive(Debug, Clone)]
pub struct Job {
    /// `job_` followed by 16 alphanumerics.
    pub id: String,
    pub kind: String,
    pub created_at: OffsetDateTime,
}

// ---- Bulk user imports (operations in `imports.rs`) ----

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    Pending,
    Completed,
    /// The file is not a JSON array of objects (inf: "Jobs fail if there is an error").
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }
}

/// `summary` of a completed job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub failed: usize,
    pub updated: usize,
    pub inserted: usize,
    pub total: usize,
}

/// One import job.
#[derive(Debug, Clone)]
pub struct ImportJob {
    pub id: String,
    pub connection_id: String,
    pub connection: String,
    pub created_at: time::OffsetDateTime,
    pub external_id: Option<String>,
    pub upsert: bool,
    pub status: ImportStatus,
    pub summary: Option<Summary>,
    /// `/errors`: each failed user as the file had it (hashes redacted) with its problems.
    pub errors: Vec<serde_json::Value>,
    /// The file, until the job runs.
    pub(in crate::auth0::tenant) file: Option<Vec<u8>>,
}

/// A tenant's import jobs, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ImportJobs {
    pub(in crate::auth0::tenant) jobs: std::collections::VecDeque<ImportJob>,
    pub(in crate::auth0::tenant) evicted: u64,
}

impl ImportJobs {
    pub fn get(&self, id: &str) -> Option<&ImportJob> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// Forgets the jobs of a deleted connection.
    pub fn forget_connection(&mut self, connection_id: &str) {
        self.jobs.retain(|j| j.connection_id != connection_id);
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Jobs dropped to keep within [`IMPORT_JOBS`].
    pub fn evicted(&self) -> u64 {
        self.evicted
    }
}
