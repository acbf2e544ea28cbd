//! The per-scenario world: the provider the scenario drives, on its own loopback port, the
//! client under test started for this scenario, and what the client reported.
//!
//! Cucumber builds a new `AuthWorld` for every scenario and runs scenarios concurrently, so
//! nothing here is shared between scenarios except the read-only client spec. Each provider's
//! part (`auth0.rs`: a tenant, its summary, the harness's Management API token; `janrain.rs`: a
//! Capture app, its summary, the login client and forms) starts with the first step that needs
//! it: a scenario starts the one provider it uses.

pub mod auth0;
pub mod janrain;
pub mod migration;

use std::fmt;

use serde_json::Value;
use tokio::sync::OnceCell;

use self::auth0::Auth0Part;
use self::janrain::JanrainPart;
use crate::harness::adapter::{Client, ClientSpec};
use crate::harness::browser::LoginScenario;
use crate::harness::management;
use crate::harness::protocol::{MigrationProvider, OpOutcome, Provider};
use crate::harness::transport;

tokio::task_local! {
    /// The client the run being polled drives (see `transport::CURRENT` for why task-local).
    static CLIENT_SPEC: ClientSpec;
}

/// Runs `future` with `spec` as its run's client.
pub(crate) async fn scope<F: Future>(spec: ClientSpec, future: F) -> F::Output {
    CLIENT_SPEC.scope(spec, future).await
}

/// The client of the run this is called from; outside a run, an error (never a silent switch
/// to the reference client, which would pass a run of a client nobody tested).
fn client_spec() -> Result<ClientSpec, String> {
    CLIENT_SPEC
        .try_with(Clone::clone)
        .map_err(|_| "the harness lost track of the client under test (outside its run)".to_owned())
}

#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct AuthWorld {
    /// The Auth0 tenant, once a step needed it (`auth0()`).
    auth0: OnceCell<Auth0Part>,
    /// The Janrain Capture app, once a step needed it (`janrain()`).
    janrain: OnceCell<JanrainPart>,
    /// The recovery code the user found in the mail, once they opened it.
    pub recovery_code: Option<String>,
    /// The Janrain access token the client reported last (exchange or sign-in).
    pub janrain_token: Option<String>,
    /// The verification code the user found in the mail, once they opened it.
    pub verification_code: Option<String>,
    /// The refresh secret the client posted with its registration (`janrain.register`).
    pub refresh_secret: Option<String>,
    /// The client under test, started by the scenario's first operation (see `perform`).
    pub client: Option<Client>,
    /// The client's start failure, reported by the first step that needs the client.
    pub client_error: Option<String>,
    /// What the client reported for each operation, in order.
    pub reports: Vec<Report>,
    pub control: reqwest::Client,
    /// The browser, application and callbacks of a login scenario.
    pub login: LoginScenario,
    /// The connection a migration scenario imports into, the import's report and the user's
    /// last login (`steps/migration.rs`).
    pub migration: migration::MigrationScenario,
}

/// One operation, what the client reported for it, and what the provider journaled while the
/// client performed it.
#[derive(Debug, Clone)]
pub struct Report {
    pub op: String,
    pub outcome: Result<OpOutcome, String>,
    /// The exchanges of the operation's provider (the tenant for `auth0.*`, the Capture app for
    /// `janrain.*`) recorded between the `run` and its answer, oldest first.
    pub exchanges: Vec<Value>,
}

impl Report {
    /// The operation's exchanges on a provider path (control routes excluded).
    pub fn provider_exchanges(&self) -> impl Iterator<Item = &Value> {
        self.exchanges.iter().filter(|e| {
            !e["request"]["path"]
                .as_str()
                .unwrap_or_default()
                .starts_with("/__authmock__")
        })
    }
}

impl fmt::Debug for AuthWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthWorld")
            .field("tenant", &self.auth0.get().map(|a| &a.summary.base_url))
            .field("app", &self.janrain.get().map(|j| &j.summary.base_url))
            .field("reports", &self.reports)
            .finish_non_exhaustive()
    }
}

impl AuthWorld {
    async fn new() -> anyhow::Result<Self> {
        Ok(Self {
            auth0: OnceCell::new(),
            janrain: OnceCell::new(),
            recovery_code: None,
            janrain_token: None,
            verification_code: None,
            refresh_secret: None,
            client: None,
            client_error: None,
            reports: Vec::new(),
            control: transport::trust(reqwest::Client::builder()).build()?,
            login: Default::default(),
            migration: Default::default(),
        })
    }

    /// The scenario's Auth0 tenant, started by the first step that needs it.
    pub async fn auth0(&self) -> Result<&Auth0Part, String> {
        self.auth0
            .get_or_try_init(Auth0Part::start)
            .await
            .map_err(|e| format!("the scenario's Auth0 tenant could not start: {e:#}"))
    }

    /// The scenario's Auth0 tenant, to change what the client is configured with.
    pub async fn auth0_mut(&mut self) -> Result<&mut Auth0Part, String> {
        self.auth0().await?;
        self.auth0
            .get_mut()
            .ok_or_else(|| "the scenario's Auth0 tenant is not running".into())
    }

    /// The scenario's Janrain Capture app, started by the first step that needs it.
    pub async fn janrain(&self) -> Result<&JanrainPart, String> {
        self.janrain
            .get_or_try_init(JanrainPart::start)
            .await
            .map_err(|e| format!("the scenario's Janrain app could not start: {e:#}"))
    }

    /// The scenario's Janrain Capture app seeded from `fixture`: the first Janrain step of the
    /// scenario must be the one that asks.
    pub async fn janrain_from(&self, fixture: crate::janrain::JanrainFixture) -> Result<&JanrainPart, String> {
        if self.janrain.initialized() {
            return Err("the scenario's Janrain app was started before its users were given".into());
        }
        self.janrain
            .get_or_try_init(|| JanrainPart::start_with(fixture))
            .await
            .map_err(|e| format!("the scenario's Janrain app could not start: {e:#}"))
    }

    /// The scenario's Janrain Capture app, to change what the client is configured with.
    pub async fn janrain_mut(&mut self) -> Result<&mut JanrainPart, String> {
        self.janrain().await?;
        self.janrain
            .get_mut()
            .ok_or_else(|| "the scenario's Janrain app is not running".into())
    }

    /// The id of the tenant's user with `email`.
    pub async fn user_id(&self, email: &str) -> Result<String, String> {
        self.auth0().await?.user_id(email)
    }

    /// Asks the client to perform `op` and keeps what it reported.
    pub async fn perform(&mut self, op: &str, args: Value) -> Result<(), String> {
        // The client starts with the scenario's first operation, not with the world: a scenario
        // skipped for an operation the client lacks runs its background steps and stops there,
        // and must not cost a client process (an SDK's start is most of a scenario's CPU time).
        if self.client.is_none() && self.client_error.is_none() {
            let started = match client_spec() {
                Ok(spec) => Client::start(&spec).await,
                Err(error) => Err(error),
            };
            match started {
                Ok(client) => self.client = Some(client),
                Err(error) => self.client_error = Some(error),
            }
        }
        if self.client.is_none() {
            return Err(self
                .client_error
                .clone()
                .unwrap_or_else(|| "the client is not running".into()));
        }
        let janrain = op.starts_with("janrain.");
        let provider = if janrain {
            Provider::Janrain(Box::new(self.janrain().await?.provider.clone()))
        } else if op.starts_with("migration.") {
            // A migration's exchanges below are the tenant's (its import jobs); the steps read
            // the Capture app's journal themselves.
            Provider::Migration(Box::new(MigrationProvider {
                auth0: self.auth0().await?.provider.clone(),
                janrain: self.janrain().await?.provider.clone(),
            }))
        } else {
            Provider::Auth0(self.auth0().await?.provider.clone())
        };
        let before = self.newest_journal_id(janrain).await;
        let Some(client) = self.client.as_mut() else {
            return Err("the client is not running".into());
        };
        let outcome = client.run(op, &provider, &args).await;
        let declared = client.operations().iter().any(|o| o == op);
        let crashed = match &outcome {
            Err(error) => Some(error.clone()),
            Ok(OpOutcome::Unsupported) if declared => Some(
                "the adapter listed this operation in its start answer but answered unsupported: list only the \
                 operations it implements, so scenarios that need the others are skipped"
                    .to_owned(),
            ),
            _ => None,
        };
        let exchanges = match if janrain {
            self.janrain_journal().await
        } else {
            self.journal().await
        } {
            Ok(entries) => entries
                .into_iter()
                .filter(|e| e["id"].as_u64().is_some_and(|id| Some(id) > before))
                .collect(),
            Err(_) => Vec::new(),
        };
        self.reports.push(Report {
            op: op.to_owned(),
            outcome,
            exchanges,
        });
        if let Some(error) = crashed {
            // A crashed or silent adapter is restarted for the next scenario, not this one.
            return Err(format!("the client failed `{op}`: {error}"));
        }
        Ok(())
    }

    pub fn last(&self) -> Result<&Report, String> {
        self.reports
            .last()
            .ok_or_else(|| "the client has not been asked to do anything yet".into())
    }

    /// `POST`s `body` to a control route of this scenario's tenant.
    pub async fn control_post(&self, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}/__authmock__/{path}", self.auth0().await?.idp.uri());
        let response = self
            .control
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(format!("{url} answered {status}: {value}"))
        }
    }

    /// The id of the newest exchange in the tenant's (or the Capture app's) journal.
    pub(crate) async fn newest_journal_id(&self, janrain: bool) -> Option<u64> {
        let entries = if janrain {
            self.janrain_journal().await
        } else {
            self.journal().await
        };
        entries.ok()?.iter().filter_map(|e| e["id"].as_u64()).max()
    }

    /// The journal, oldest exchange first.
    pub async fn journal(&self) -> Result<Vec<Value>, String> {
        self.journal_of(&self.auth0().await?.idp.uri()).await
    }

    /// The Janrain app's journal, oldest exchange first.
    pub async fn janrain_journal(&self) -> Result<Vec<Value>, String> {
        self.journal_of(&self.janrain().await?.capture.uri()).await
    }

    /// Every entry the journal holds, page by page (a page is 100 entries unless `limit` says).
    async fn journal_of(&self, base: &str) -> Result<Vec<Value>, String> {
        let mut entries: Vec<Value> = Vec::new();
        loop {
            let before = entries
                .last()
                .and_then(|e| e["id"].as_u64())
                .map(|id| format!("?before={id}"))
                .unwrap_or_default();
            let url = format!("{base}/__authmock__/journal{before}");
            let page = json_of(self.control.get(&url)).await?;
            let batch = page["entries"].as_array().cloned().unwrap_or_default();
            let matched = page["matched"].as_u64().unwrap_or(0);
            let done = batch.is_empty() || entries.len() + batch.len() >= usize::try_from(matched).unwrap_or(0);
            entries.extend(batch);
            if done {
                break;
            }
        }
        entries.reverse();
        Ok(entries)
    }

    /// A verification report: what was expected, what the client reported, what the provider saw
    /// (the harness's own Management API requests left out).
    pub async fn explain(&self, expected: &str, advice: &str) -> String {
        let mut out = format!("expected: {expected}\n");
        match self.reports.last() {
            Some(report) => out.push_str(&format!(
                "the client reported for `{}`: {}\n",
                report.op,
                describe(&report.outcome)
            )),
            None => out.push_str("the client reported nothing\n"),
        }
        out.push_str("the provider saw:\n");
        let janrain = self.reports.last().is_some_and(|r| r.op.starts_with("janrain."));
        let journal = if janrain {
            self.janrain_journal().await
        } else {
            self.journal().await
        };
        let journal = journal.map(|entries| {
            entries
                .into_iter()
                .filter(|e| !management::by_harness(e))
                .collect::<Vec<_>>()
        });
        match journal {
            Ok(entries) if entries.is_empty() => out.push_str("  no request at all\n"),
            Ok(entries) => {
                for e in entries {
                    out.push_str(&format!(
                        "  {} {} -> {}{}\n",
                        e["request"]["method"].as_str().unwrap_or("?"),
                        e["request"]["path"].as_str().unwrap_or("?"),
                        e["response"]["status"],
                        e["hint"].as_str().map(|h| format!("  hint: {h}")).unwrap_or_default()
                    ));
                }
            }
            Err(error) => out.push_str(&format!("  (journal unavailable: {error})\n")),
        }
        if !advice.is_empty() {
            out.push_str(&format!("what to change: {advice}\n"));
        }
        out
    }
}

/// One line describing what the client reported.
pub fn describe(outcome: &Result<OpOutcome, String>) -> String {
    match outcome {
        Ok(OpOutcome::Ok(result)) => format!("success {result}"),
        Ok(OpOutcome::ProviderError(e)) => format!("provider error {} {}", e.status, e.body),
        Ok(OpOutcome::Unsupported) => "unsupported".into(),
        Err(e) => format!("client failure: {e}"),
    }
}

/// Sends one of the harness's own requests and reads its answer as JSON (transport failures and
/// bodies that are not JSON as their text).
pub(crate) async fn json_of(request: reqwest::RequestBuilder) -> Result<Value, String> {
    request
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())
}
