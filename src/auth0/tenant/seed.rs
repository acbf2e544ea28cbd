//! Tenant seeds: the fixture format, the embedded default tenant, and seeded fake users.
//!
//! A fixture is JSON (see `fixtures/auth0-tenant.json`). Everything a run generates (user ids,
//! fake names, ticket secrets) comes from an RNG seeded by the fixture's `seed`, so two runs of
//! the same fixture produce the same tenant. The signing key is loaded from the fixture when it
//! names one (reproducible tokens) or generated at start.
//! Depends on the tenant's records and state, and `core`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use fake::Fake as _;
use fake::faker::name::en::{FirstName, LastName};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth0::tenant::applications::{AppLogin, OrganizationUsage};
use crate::auth0::tenant::bounds;
use crate::auth0::tenant::connections;
use crate::auth0::tenant::model::{
    Api, BruteForce, Client, ClientGrant, Connection, LoginExperience, PasswordRules, TICKET_SECRET_LEN,
};
use crate::auth0::wire::era::WireEra;
use crate::core::bounded::{BoundedList, BoundedMap};

use crate::auth0::tenant::{Reseed, Tenant, TenantAddress};

use crate::auth0::tenant::state::TenantState;

use crate::auth0::tenant::users::{Picture, User};
use crate::core::clock::Clock;
use crate::core::fixture::{self, FixtureError};
use crate::core::keys::{KeyError, SigningKey};
use crate::core::onetime::OneTimeStore;
use crate::core::outbox::Outbox;
use crate::core::password::{PasswordHash, PasswordPolicy, Strength};
use crate::core::provider::SeedFailure;
use crate::core::ratelimit::BucketDefinition;

/// The default Auth0 tenant, embedded so `authmock serve` needs no configuration.
pub const DEFAULT_AUTH0_FIXTURE: &str = include_str!("../../../fixtures/auth0-tenant.json");
const DEFAULT_AUTH0_KEY: &str = crate::core::keys::BUILTIN_KEY;

/// Why a fixture could not become a tenant.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot read fixture {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Parse(#[from] FixtureError),
    #[error("fixture: {0}")]
    Invalid(String),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A tenant seed as written in a fixture file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Only `auth0` for now.
    #[serde(default = "default_provider")]
    pub provider: String,
    pub name: String,
    #[serde(default)]
    pub login: LoginExperience,
    /// Answer in the Management API's shapes of this month (`YYYY-MM`) instead of the newest
    /// (`wire::era`).
    #[serde(default)]
    pub wire_era: WireEra,
    /// Seeds every generated value; omitted means a fixed default, not randomness.
    #[serde(default)]
    pub seed: u64,
    /// `created_at` of seeded users (RFC 3339); defaults to the start time.
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub signing_key: Option<KeySeed>,
    #[serde(default)]
    pub default_directory: Option<String>,
    /// The tenant's "Default Audience" (API Authorization Settings): an `apis` identifier, or
    /// `management` for the Management API. A token or login request without `audience` gets it.
    #[serde(default)]
    pub default_audience: Option<String>,
    /// The tenant's settings as `GET /api/v2/tenants/settings` prints them, all of them (omitted,
    /// a fresh tenant's: `tenant/settings.rs`); `default_audience` and `default_directory` are the
    /// fields above.
    #[serde(default)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub apis: Vec<ApiSeed>,
    pub clients: Vec<ClientSeed>,
    #[serde(default)]
    pub connections: Vec<ConnectionSeed>,
    #[serde(default)]
    pub users: Vec<UserSeed>,
    #[serde(default)]
    pub generated_users: Option<GeneratedUsers>,
    /// Rate-limit buckets set when the tenant is built and again on reset. Absent: Auth0's
    /// documented limits, report-only (`auth0::ratelimit::documented_defaults`); `[]`: nothing
    /// limited and no `x-ratelimit-*` headers. Groups are the provider's
    /// (`auth0::ratelimit::GROUPS`), checked by the listener that serves the fixture.
    #[serde(default)]
    pub rate_limits: Option<Vec<BucketDefinition>>,
    /// M2M token quotas (`auth0::quota`); none when absent.
    #[serde(default)]
    pub client_quotas: Vec<crate::auth0::tenant::quota::QuotaDefinition>,
    /// Failed password logins per identifier and IP before brute-force protection blocks them
    /// (doc: default 10; 0 turns protection off).
    #[serde(default = "default_brute_force_threshold")]
    pub brute_force_threshold: u32,
    /// The tenant flag of the same name: a signup for an existing user is told so
    /// (`user_exists`, `username_exists`) instead of the generic `invalid_signup` (default off).
    #[serde(default)]
    pub enable_public_signup_user_exists_error: bool,
    /// How long one `GET /api/v2/users` search may run before it answers the provider's 503
    /// `The query exceeded the timeout. …` (doc: DOC-search best practices, "Search queries
    /// time out (HTTP status code 503) if they're not completed in two seconds or less"; default
    /// 2000). Wall-clock time, not the tenant clock: it bounds work, not the scenario.
    #[serde(default = "default_search_timeout_ms")]
    pub search_timeout_ms: u64,
    /// Guardian (MFA): `{"factors": ["otp", …], "policies": ["all-applications"]}`; none when
    /// absent (`tenant/guardian.rs`, `docs/mfa.md`).
    #[serde(default)]
    pub guardian: crate::auth0::tenant::guardian::GuardianSeed,
    /// Where the fixture came from, to resolve `pem_file`.
    #[serde(skip)]
    origin: Origin,
}

fn default_brute_force_threshold() -> u32 {
    10
}

fn default_search_timeout_ms() -> u64 {
    2_000
}

fn default_provider() -> String {
    "auth0".to_owned()
}

#[derive(Debug, Clone, Default)]
enum Origin {
    #[default]
    Embedded,
    File(PathBuf),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySeed {
    pub kid: String,
    /// The PKCS#8 PEM inline…
    #[serde(default)]
    pub pem: Option<String>,
    /// …or in a file next to the fixture.
    #[serde(default)]
    pub pem_file: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSeed {
    pub identifier: String,
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The API's "Enable RBAC" setting.
    #[serde(default)]
    pub rbac: bool,
    /// The API's "Add Permissions in the Access Token" setting.
    #[serde(default)]
    pub permissions_in_token: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSeed {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub app_type: String,
    pub grant_types: Vec<String>,
    #[serde(default)]
    pub grants: Vec<GrantSeed>,
    #[serde(default)]
    pub login_uri: Option<String>,
    /// Allowed Callback URLs (browser logins).
    #[serde(default)]
    pub callbacks: Vec<String>,
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    #[serde(default)]
    pub web_origins: Vec<String>,
    /// `none`, `client_secret_post` or `client_secret_basic`; `none` for SPA/native by default.
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    /// "Trust Token Endpoint IP Header": the password grants of this application may name the
    /// user's IP in `auth0-forwarded-for` (only with the client secret; refused on a public
    /// application, as the Management API refuses it).
    #[serde(default)]
    pub is_token_endpoint_ip_header_trusted: bool,
    #[serde(default)]
    pub refresh_token: Option<crate::auth0::tenant::applications::RefreshTokenSettings>,
    /// `deny` (default), `allow` or `require`: whether `/authorize` takes `organization`.
    #[serde(default)]
    pub organization_usage: crate::auth0::tenant::applications::OrganizationUsage,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSeed {
    /// An API identifier, or `management` for the tenant's Management API.
    pub api: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSeed {
    pub id: String,
    pub name: String,
    #[serde(default = "default_strategy")]
    pub strategy: String,
    #[serde(default)]
    pub password_policy: Strength,
    #[serde(default)]
    pub min_length: Option<usize>,
    #[serde(default)]
    pub requires_username: bool,
    /// Previous passwords a new one may not repeat (0 or absent: off).
    #[serde(default)]
    pub password_history_size: usize,
    #[serde(default)]
    pub password_dictionary: bool,
    #[serde(default)]
    pub password_no_personal_info: bool,
    /// The client ids the connection is enabled for (Management API `enabled_clients`); absent:
    /// every application.
    #[serde(default)]
    pub enabled_clients: Option<Vec<String>>,
}

fn default_strategy() -> String {
    "auth0".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    #[serde(default)]
    pub user_id: Option<String>,
    pub email: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub blocked: bool,
    pub connection: String,
    /// Seeded `app_metadata` (an object; absent means none).
    #[serde(default)]
    pub app_metadata: Map<String, Value>,
    /// Seeded `user_metadata` (an object; absent means none).
    #[serde(default)]
    pub user_metadata: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedUsers {
    pub count: usize,
    pub password: String,
    pub connection: String,
}

impl Reseed for Fixture {
    fn state(&self, clock: &Clock) -> Result<TenantState, SeedFailure> {
        Ok(Fixture::state(self, clock)?)
    }

    fn rate_limits(&self) -> Vec<BucketDefinition> {
        self.buckets()
    }
}

impl Fixture {
    /// The buckets this fixture sets: its `rate_limits`, or the documented defaults.
    pub fn buckets(&self) -> Vec<BucketDefinition> {
        self.rate_limits
            .clone()
            .unwrap_or_else(crate::auth0::tenant::ratelimit::documented_defaults)
    }

    /// The embedded default Auth0 tenant.
    pub fn default_auth0() -> Self {
        fixture::parse(DEFAULT_AUTH0_FIXTURE, "auth0-tenant.json")
            .expect("the embedded fixture is valid JSON for Fixture")
    }

    /// Parses fixture text (a `pem_file` then resolves against the current directory).
    /// An inline fixture (a runtime tenant's `seed`).
    pub fn from_value(value: serde_json::Value) -> Result<Self, SeedError> {
        Ok(fixture::from_value(value, "seed")?)
    }

    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        let mut fixture: Fixture = fixture::parse(text, "fixture")?;
        fixture.origin = Origin::File(PathBuf::from("."));
        Ok(fixture)
    }

    /// Reads a fixture file.
    pub fn load(path: &Path) -> Result<Self, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut fixture: Fixture = fixture::parse(&text, &path.display().to_string())?;
        fixture.origin = Origin::File(path.parent().map(Path::to_owned).unwrap_or_default());
        Ok(fixture)
    }

    fn key_pem(&self, seed: &KeySeed) -> Result<String, SeedError> {
        match (&seed.pem, &seed.pem_file, &self.origin) {
            (Some(pem), None, _) => Ok(pem.clone()),
            (None, Some(file), Origin::Embedded) if file == "auth0-tenant.key.pem" => Ok(DEFAULT_AUTH0_KEY.to_owned()),
            (None, Some(file), Origin::File(dir)) => {
                let path = dir.join(file);
                std::fs::read_to_string(&path).map_err(|source| SeedError::Read { path, source })
            }
            _ => Err(SeedError::Invalid(
                "signing_key needs exactly one of `pem` or `pem_file`".to_owned(),
            )),
        }
    }

    /// Builds the tenant for a listener bound at `address`.
    pub fn build(&self, address: TenantAddress, clock: Clock) -> Result<Tenant, SeedError> {
        if self.provider != "auth0" {
            return Err(SeedError::Invalid(format!("unknown provider `{}`", self.provider)));
        }
        let key = match &self.signing_key {
            Some(seed) => SigningKey::from_pem(&seed.kid, &self.key_pem(seed)?, &self.name)?,
            None => SigningKey::builtin(&generated_kid(self.seed), &self.name)?,
        };
        let (created_at, mut rng, connections) = self.start(&clock)?;
        let (users, draws) = self.fixture_users(&mut rng, created_at, &connections)?;
        let state = self.finish(users.clone(), rng, created_at, connections)?;
        // The fixture's users are kept as built, not as written (shared with the state).
        let mut fixture = self.clone();
        fixture.users = Vec::new();
        let reseeder = Reseeder {
            fixture,
            seeded: Mutex::new(SeededUsers {
                users,
                draws,
                created_at,
            }),
        };
        Ok(Tenant::new(
            self.name.clone(),
            address,
            key,
            clock,
            state,
            Arc::new(reseeder),
        ))
    }

    /// The tenant's mutable state as seeded (also what a reset goes back to).
    pub fn state(&self, clock: &Clock) -> Result<TenantState, SeedError> {
        let (created_at, mut rng, connections) = self.start(clock)?;
        let (users, _) = self.fixture_users(&mut rng, created_at, &connections)?;
        self.finish(users, rng, created_at, connections)
    }

    /// What seeding starts from: the users' `created_at`, the RNG, the connections.
    fn start(&self, clock: &Clock) -> Result<(OffsetDateTime, StdRng, Vec<Connection>), SeedError> {
        let created_at = match &self.created_at {
            Some(text) => OffsetDateTime::parse(text, &Rfc3339)
                .map_err(|e| SeedError::Invalid(format!("created_at `{text}`: {e}")))?,
            None => clock.now(),
        };
        Ok((created_at, StdRng::seed_from_u64(self.seed), self.connections()?))
    }

    /// The fixture's `users`, and what each drew from the RNG.
    fn fixture_users(
        &self,
        rng: &mut StdRng,
        created_at: OffsetDateTime,
        connections: &[Connection],
    ) -> Result<(Vec<Arc<User>>, Vec<Draws>), SeedError> {
        let mut users = Vec::with_capacity(self.users.len());
        let mut draws = Vec::with_capacity(self.users.len());
        for seed in &self.users {
            users.push(Arc::new(self.user(rng, seed, created_at, connections)?));
            draws.push(Draws::of(seed));
        }
        Ok((users, draws))
    }

    /// The state with the fixture's `users` already made (`users`, `rng` as they left it): the
    /// generated users, then everything else.
    fn finish(
        &self,
        mut users: Vec<Arc<User>>,
        mut rng: StdRng,
        created_at: OffsetDateTime,
        connections: Vec<Connection>,
    ) -> Result<TenantState, SeedError> {
        if let Some(generated) = &self.generated_users {
            for seed in generated_seeds(&mut rng, generated) {
                users.push(Arc::new(self.user(&mut rng, &seed, created_at, &connections)?));
            }
        }
        if let Some(audience) = &self.default_audience
            && audience != "management"
            && !self.apis.iter().any(|api| &api.identifier == audience)
        {
            return Err(SeedError::Invalid(format!(
                "default_audience `{audience}` is neither an `apis` identifier nor `management`"
            )));
        }
        let clients: Vec<Client> = self.clients.iter().map(client).collect();
        if let Some(public) = clients
            .iter()
            .find(|c| c.login.ip_header_trusted && c.login.is_public())
        {
            // doc: "This setting will not be available for non-authenticated applications."
            return Err(SeedError::Invalid(format!(
                "client `{}`: is_token_endpoint_ip_header_trusted needs an application that authenticates \
                 (token_endpoint_auth_method client_secret_post or client_secret_basic), not `none`",
                public.name
            )));
        }
        let mut ids = crate::auth0::tenant::apis::seed_rng(self.seed);
        let mut state = TenantState {
            login: self.login,
            era: self.wire_era,
            default_directory: self.default_directory.clone(),
            default_audience: self.default_audience.clone(),
            settings: if self.settings.is_empty() {
                crate::auth0::tenant::settings::defaults()
            } else {
                self.settings.clone()
            },
            clients,
            apis: self.apis.iter().map(|a| api(&mut ids, a, self.wire_era)).collect(),
            grants: self
                .clients
                .iter()
                .flat_map(|c| c.grants.iter().map(move |g| (c, g)))
                .map(|(c, g)| ClientGrant {
                    id: crate::auth0::tenant::apis::new_grant_id(&mut ids),
                    client_id: c.client_id.clone(),
                    audience: g.api.clone(),
                    scopes: g.scopes.clone(),
                    all_scopes: false,
                    extra: Map::new(),
                    seeded: true,
                })
                .collect(),
            management_api: crate::auth0::tenant::apis::ManagementApi {
                id: crate::auth0::tenant::apis::new_api_id(&mut ids),
                settings: crate::auth0::tenant::apis::management_api_settings(),
            },
            connections,
            users: users.into(),
            tickets: OneTimeStore::new(TICKET_SECRET_LEN),
            refresh_tokens: BoundedMap::new(bounds::GRANT_REFRESH_TOKENS),
            outbox: Outbox::default(),
            form_tokens: BoundedMap::new(bounds::FORM_TOKENS),
            bounds: Default::default(),
            jobs: BoundedList::new(bounds::JOBS),
            imports: Default::default(),
            rbac: Default::default(),
            organizations: Default::default(),
            brute_force: BruteForce::new(self.brute_force_threshold),
            signup_user_exists_error: self.enable_public_signup_user_exists_error,
            search_timeout: std::time::Duration::from_millis(self.search_timeout_ms),
            logins: Default::default(),
            rng,
            token_quotas: crate::auth0::tenant::quota::TokenQuotas::seeded(&self.client_quotas)
                .map_err(SeedError::Invalid)?,
            mfa: crate::auth0::tenant::guardian::Mfa::seeded(&self.guardian).map_err(SeedError::Invalid)?,
        };
        state.logins.lifetimes = crate::auth0::tenant::settings::session_lifetimes(&state.settings);
        Ok(state)
    }

    fn connections(&self) -> Result<Vec<Connection>, SeedError> {
        self.connections
            .iter()
            .map(|c| {
                let valid = c.id.len() == 20
                    && c.id.starts_with("con_")
                    && c.id[4..].chars().all(|ch| ch.is_ascii_alphanumeric());
                if !valid {
                    return Err(SeedError::Invalid(format!(
                        "connection id `{}` must match ^con_[A-Za-z0-9]{{16}}$",
                        c.id
                    )));
                }
                let policy = PasswordPolicy {
                    strength: c.password_policy,
                    min_length: c.min_length,
                };
                let rules = PasswordRules {
                    history_size: c.password_history_size,
                    dictionary: c.password_dictionary,
                    no_personal_info: c.password_no_personal_info,
                };
                let settings = connections::seed_settings(&c.name, &c.strategy, policy, rules, c.requires_username);
                let mut connection = connections::derive(c.id.clone(), settings, c.enabled_clients.clone(), true);
                // The seed's fields as given (a non-database seed keeps its policy for users made
                // through the control API).
                connection.password_policy = policy;
                connection.password_rules = rules;
                connection.requires_username = c.requires_username;
                Ok(connection)
            })
            .collect()
    }

    fn user(
        &self,
        rng: &mut StdRng,
        seed: &UserSeed,
        created_at: OffsetDateTime,
        connections: &[Connection],
    ) -> Result<User, SeedError> {
        if !connections.iter().any(|c| c.name == seed.connection) {
            return Err(SeedError::Invalid(format!(
                "user {} names unknown connection `{}`",
                seed.email, seed.connection
            )));
        }
        let (user_id, password) = draw(rng, seed.user_id.as_deref(), seed.password.as_deref());
        let email = seed.email.to_lowercase();
        let nickname = email.split('@').next().unwrap_or_default().to_owned();
        Ok(User {
            user_id,
            name: seed.name.clone().unwrap_or_else(|| email.clone()),
            picture: Picture::gravatar(&email, &nickname, false),
            nickname,
            email,
            email_verified: seed.email_verified,
            connection: seed.connection.clone(),
            password,
            fixture_password: seed.password.clone(),
            given_name: seed.given_name.clone(),
            family_name: seed.family_name.clone(),
            username: None,
            // inf: the fixture cannot tell `false` from absent, so only a seeded block shows.
            blocked: seed.blocked.then_some(true),
            created_at,
            updated_at: created_at,
            last_password_reset: None,
            last_login: None,
            logins_count: 0,
            user_metadata: seed.user_metadata.clone().unwrap_or_default(),
            app_metadata: seed.app_metadata.clone(),
            user_metadata_set: seed.user_metadata.is_some(),
            late_keys: Vec::new(),
            password_history: Vec::new(),
        })
    }
}

/// What seeding one user draws from the RNG, in this order: an id when the fixture gives none
/// (`auth0|` and 24 hex digits), a salt when it gives a password.
fn draw(rng: &mut StdRng, user_id: Option<&str>, password: Option<&str>) -> (String, Option<PasswordHash>) {
    let user_id = match user_id {
        Some(id) => id.to_owned(),
        None => format!("auth0|{}", random_hex(rng, 12)),
    };
    (user_id, password.map(|p| PasswordHash::new(rng, p)))
}

/// Which draws seeding a fixture user made ([`draw`]): a reset makes them again, without the user.
#[derive(Debug, Clone, Copy)]
struct Draws {
    id: bool,
    salt: bool,
}

impl Draws {
    fn of(seed: &UserSeed) -> Self {
        Self {
            id: seed.user_id.is_none(),
            salt: seed.password.is_some(),
        }
    }
}

/// What a tenant built from a fixture goes back to on reset: the fixture without its `users`,
/// and those users as they were built (shared with the state until they change), so a tenant
/// of 100,000 fixture users holds them once, not a second time as fixture entries (80 MB).
/// A reset gives what rebuilding from the whole fixture gives: the same draws from the RNG,
/// and the same users, stamped with the `created_at` the fixture gives or the reset time.
#[derive(Debug)]
struct Reseeder {
    fixture: Fixture,
    seeded: Mutex<SeededUsers>,
}

#[derive(Debug)]
struct SeededUsers {
    users: Vec<Arc<User>>,
    draws: Vec<Draws>,
    /// When `users` say they were created (and last updated).
    created_at: OffsetDateTime,
}

impl Reseed for Reseeder {
    fn state(&self, clock: &Clock) -> Result<TenantState, SeedFailure> {
        let (created_at, mut rng, connections) = self.fixture.start(clock)?;
        let users = {
            let mut seeded = self.seeded.lock().unwrap_or_else(PoisonError::into_inner);
            for draws in &seeded.draws {
                draw(&mut rng, (!draws.id).then_some(""), draws.salt.then_some(""));
            }
            if seeded.created_at != created_at {
                seeded.users = (seeded.users.iter())
                    .map(|user| {
                        let mut user = User::clone(user);
                        user.created_at = created_at;
                        user.updated_at = created_at;
                        Arc::new(user)
                    })
                    .collect();
                seeded.created_at = created_at;
            }
            seeded.users.clone()
        };
        Ok(self.fixture.finish(users, rng, created_at, connections)?)
    }

    fn rate_limits(&self) -> Vec<BucketDefinition> {
        self.fixture.buckets()
    }
}

/// A seeded application: its settings as the Management API renders a configured one (the
/// fixture's fields under their Management API names), from which the login fields are derived
/// as for any application.
fn client(seed: &ClientSeed) -> Client {
    let login = AppLogin::resolve(
        &seed.app_type,
        &seed.callbacks,
        &seed.allowed_logout_urls,
        &seed.web_origins,
        seed.token_endpoint_auth_method.as_deref(),
        seed.is_token_endpoint_ip_header_trusted,
        seed.refresh_token.as_ref(),
    );
    let refresh = login.refresh;
    let mut settings = Map::new();
    settings.insert("name".into(), json!(seed.name));
    settings.insert("app_type".into(), json!(seed.app_type));
    settings.insert("is_first_party".into(), json!(true));
    settings.insert(
        "is_token_endpoint_ip_header_trusted".into(),
        json!(seed.is_token_endpoint_ip_header_trusted),
    );
    // inf: seeded applications are modern ones, created OIDC-conformant.
    settings.insert("oidc_conformant".into(), json!(true));
    for (key, urls) in [
        ("callbacks", &seed.callbacks),
        ("allowed_logout_urls", &seed.allowed_logout_urls),
        ("web_origins", &seed.web_origins),
    ] {
        if !urls.is_empty() {
            settings.insert(key.into(), json!(urls));
        }
    }
    settings.insert(
        "jwt_configuration".into(),
        json!({"secret_encoded": false, "lifetime_in_seconds": crate::auth0::tenant::clients::DEFAULT_ID_TOKEN_LIFETIME}),
    );
    settings.insert("sso_disabled".into(), json!(false));
    settings.insert("cross_origin_authentication".into(), json!(false));
    settings.insert("grant_types".into(), json!(seed.grant_types));
    settings.insert("custom_login_page_on".into(), json!(true));
    if let Some(uri) = &seed.login_uri {
        settings.insert("initiate_login_uri".into(), json!(uri));
    }
    settings.insert(
        "token_endpoint_auth_method".into(),
        json!(login.token_endpoint_auth_method),
    );
    settings.insert(
        "refresh_token".into(),
        json!({
            "rotation_type": if refresh.rotating { "rotating" } else { "non-rotating" },
            "expiration_type": if refresh.rotating { "expiring" } else { "non-expiring" },
            "leeway": refresh.leeway,
            "token_lifetime": refresh.token_lifetime,
            "infinite_token_lifetime": !refresh.rotating,
            "infinite_idle_token_lifetime": !refresh.rotating,
            "idle_token_lifetime": refresh.idle_token_lifetime,
        }),
    );
    if seed.organization_usage != OrganizationUsage::Deny {
        settings.insert("organization_usage".into(), json!(seed.organization_usage));
    }
    crate::auth0::tenant::clients::derive(seed.client_id.clone(), seed.client_secret.clone(), settings, true)
}

/// A seeded API, with an id from the seeds' own RNG.
fn api(ids: &mut StdRng, seed: &ApiSeed, era: WireEra) -> Api {
    let scopes: Vec<Value> = seed
        .scopes
        .iter()
        // inf: fixture scopes carry no description; the provider requires one, so it is the
        // scope itself.
        .map(|s| json!({"value": s, "description": s}))
        .collect();
    let mut settings = Map::new();
    settings.insert("name".into(), json!(seed.name));
    settings.insert("identifier".into(), json!(seed.identifier));
    settings.insert("scopes".into(), json!(scopes));
    settings.extend(crate::auth0::tenant::apis::new_api_settings(Map::new(), era));
    settings.insert("enforce_policies".into(), json!(seed.rbac));
    settings.insert(
        "token_dialect".into(),
        json!(if seed.permissions_in_token {
            "access_token_authz"
        } else {
            "access_token"
        }),
    );
    crate::auth0::tenant::apis::derive_api(crate::auth0::tenant::apis::new_api_id(ids), settings, true)
}

/// Fake people from the seeded RNG: the same fixture yields the same names every run.
fn generated_seeds(rng: &mut StdRng, generated: &GeneratedUsers) -> Vec<UserSeed> {
    let mut seen = std::collections::HashSet::new();
    let mut seeds = Vec::with_capacity(generated.count);
    while seeds.len() < generated.count {
        let first: String = FirstName().fake_with_rng(rng);
        let last: String = LastName().fake_with_rng(rng);
        let mut email = format!("{}.{}@example.org", slug(&first), slug(&last));
        if !seen.insert(email.clone()) {
            email = format!("{}.{}{}@example.org", slug(&first), slug(&last), seeds.len());
            seen.insert(email.clone());
        }
        seeds.push(UserSeed {
            user_id: None,
            email,
            password: Some(generated.password.clone()),
            email_verified: rng.random_bool(0.5),
            name: Some(format!("{first} {last}")),
            given_name: Some(first),
            family_name: Some(last),
            blocked: false,
            connection: generated.connection.clone(),
            app_metadata: Map::new(),
            user_metadata: None,
        });
    }
    seeds
}

fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn random_hex(rng: &mut StdRng, bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}

fn generated_kid(seed: u64) -> String {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x6b6964);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..21)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build() -> Tenant {
        Fixture::default_auth0()
            .build(
                TenantAddress::http("127.0.0.1:4010".parse().expect("literal address")),
                Clock::system(),
            )
            .expect("default fixture builds")
    }

    /// A reset starts from the users the tenant was built with (not from the fixture's
    /// entries): it must give what seeding again gives, users, stamps and the RNG's draws alike,
    /// on a clock that a reset takes back to the same instant and on one it does not.
    #[test]
    fn a_reset_tenant_is_the_tenant_as_seeded() {
        let mut fixture = Fixture::default_auth0();
        fixture.created_at = None;
        for user in &mut fixture.users[1..] {
            user.user_id = None;
        }
        assert!(fixture.users.iter().all(|u| u.password.is_some()) && fixture.generated_users.is_some());
        let view = |s: &TenantState| -> Vec<String> {
            (s.users.iter())
                .map(|u| {
                    let times = (u.created_at, u.updated_at);
                    format!("{} {} {} {} {times:?}", u.user_id, u.email, u.name, u.picture)
                })
                .collect()
        };
        for clock in [
            Clock::manual(time::macros::datetime!(2026-01-01 00:00 UTC)),
            Clock::system(),
        ] {
            let address = TenantAddress::http("127.0.0.1:4010".parse().expect("literal address"));
            let tenant = fixture.build(address, clock.clone()).expect("builds");
            for _ in 0..2 {
                {
                    let mut state = tenant.state();
                    state.users.find_mut(|_| true).expect("a user").email = "changed@example.com".into();
                    state.rng().random::<u64>();
                }
                clock.advance(std::time::Duration::from_secs(60));
                tenant.reset().expect("resets");
                let mut state = tenant.state();
                let stamped = state.users[0].created_at;
                let mut seeded = fixture.state(&Clock::manual(stamped)).expect("seeds");
                assert_eq!(view(&state), view(&seeded));
                let passwords = |s: &TenantState| s.users.iter().map(|u| u.password.clone()).collect::<Vec<_>>();
                assert_eq!(passwords(&state), passwords(&seeded), "the same salts");
                assert_eq!(state.rng().random::<u64>(), seeded.rng().random::<u64>());
            }
        }
    }

    #[test]
    fn default_fixture_is_identical_run_after_run() {
        let (a, b) = (build(), build());
        let emails = |t: &Tenant| {
            t.state()
                .users
                .iter()
                .map(|u| (u.user_id.clone(), u.email.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(emails(&a), emails(&b));
        assert_eq!(a.state().users.len(), 8, "3 named + 5 generated users");
    }

    #[test]
    fn default_fixture_has_the_clients_the_forum_story_needs() {
        let tenant = build();
        let state = tenant.state();
        let scopes = |cid: &str| state.granted_scopes(cid, crate::auth0::tenant::model::MANAGEMENT_API);
        let full = state
            .clients
            .iter()
            .find(|c| c.name.contains("Backend"))
            .expect("backend client");
        assert_eq!(
            scopes(&full.client_id),
            Some(vec![
                "create:user_tickets".into(),
                "read:users".into(),
                "update:users".into()
            ])
        );
        let read_only = state
            .clients
            .iter()
            .find(|c| c.name.contains("Read-only"))
            .expect("read-only client");
        assert_eq!(scopes(&read_only.client_id), Some(vec!["read:users".into()]));
        assert!(state.connections[0].id.starts_with("con_"));
    }

    #[test]
    fn bad_connection_id_in_a_fixture_is_refused() {
        let mut fixture = Fixture::default_auth0();
        fixture.connections[0].id = "con_short".into();
        let err = fixture
            .build(
                TenantAddress::http("127.0.0.1:1".parse().expect("literal")),
                Clock::system(),
            )
            .expect_err("bad id refused");
        assert!(err.to_string().contains("con_short"), "{err}");
    }
}
