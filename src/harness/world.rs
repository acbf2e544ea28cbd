//! The per-scenario world: a fresh tenant on its own loopback port, the client under test
//! started for this scenario, and what the client reported.
//!
//! Cucumber builds a new `AuthWorld` for every scenario and runs scenarios concurrently, so
//! nothing here is shared between scenarios except the read-only client spec.

use std::fmt;

use serde_json::Value;

use super::adapter::{Client, ClientSpec};
use super::protocol::{Auth0Provider, JanrainForm, JanrainForms, JanrainProvider, OpOutcome, Provider};
use crate::auth0::Fixture;
use crate::auth0::TenantSummary;
use crate::janrain::JanrainFixture;
use crate::janrain::JanrainSummary;
use crate::janrain::{CHANGE_PASSWORD_FORM, FORGOT_PASSWORD_FORM, SIGN_IN_FORM};
use crate::{Authmock, JanrainMock};

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
    pub idp: Authmock,
    pub summary: TenantSummary,
    /// What `auth0.*` operations are sent.
    pub provider: Auth0Provider,
    /// A fresh Janrain Capture app, for the `janrain.*` operations.
    pub capture: JanrainMock,
    pub capture_summary: JanrainSummary,
    /// What `janrain.*` operations are sent.
    pub janrain: JanrainProvider,
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
    /// The Management API token of the harness's own application (`management`), once fetched.
    pub harness_token: Option<String>,
    /// The browser, application and callbacks of a login scenario.
    pub login: super::browser::LoginScenario,
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
            .field("tenant", &self.summary.base_url)
            .field("reports", &self.reports)
            .finish_non_exhaustive()
    }
}

impl AuthWorld {
    async fn new() -> anyhow::Result<Self> {
        let tls = super::transport::current();
        // The default tenant, plus the application the harness's own steps use (`management`).
        let mut fixture = Fixture::default_auth0();
        fixture
            .clients
            .push(serde_json::from_value(super::management::application())?);
        let idp = match &tls {
            Some(tls) => Authmock::start_tls(&fixture, tls.authority()).await?,
            None => Authmock::start_with(&fixture).await?,
        };
        let summary = TenantSummary::of(idp.tenant());
        let provider = provider_for(&summary, "Backend service (M2M)").map_err(anyhow::Error::msg)?;
        let capture = match &tls {
            Some(tls) => JanrainMock::start_tls(&JanrainFixture::default_app(), tls.authority()).await?,
            None => JanrainMock::start().await,
        };
        let capture_summary = JanrainSummary::of(capture.tenant());
        let janrain = janrain_provider_for(&capture_summary, "Web login client").map_err(anyhow::Error::msg)?;
        Ok(Self {
            idp,
            summary,
            provider,
            capture,
            capture_summary,
            janrain,
            recovery_code: None,
            janrain_token: None,
            verification_code: None,
            refresh_secret: None,
            client: None,
            client_error: None,
            reports: Vec::new(),
            control: super::transport::trust(reqwest::Client::builder()).build()?,
            harness_token: None,
            login: Default::default(),
        })
    }

    /// Points the client at the application called `name`.
    pub fn use_application(&mut self, name: &str) -> Result<(), String> {
        let chosen = provider_for(&self.summary, name)?;
        self.provider.client_id = chosen.client_id;
        self.provider.client_secret = chosen.client_secret;
        Ok(())
    }

    pub fn user_id(&self, email: &str) -> Result<String, String> {
        self.summary
            .users
            .iter()
            .find(|u| u.email == email)
            .map(|u| u.user_id.clone())
            .ok_or_else(|| format!("the tenant has no user {email}"))
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
        let provider = if op.starts_with("janrain.") {
            Provider::Janrain(Box::new(self.janrain.clone()))
        } else {
            Provider::Auth0(self.provider.clone())
        };
        let janrain = op.starts_with("janrain.");
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
        let url = format!("{}/__authmock__/{path}", self.idp.uri());
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
    async fn newest_journal_id(&self, janrain: bool) -> Option<u64> {
        let entries = if janrain {
            self.janrain_journal().await
        } else {
            self.journal().await
        };
        entries.ok()?.iter().filter_map(|e| e["id"].as_u64()).max()
    }

    /// The journal, oldest exchange first.
    pub async fn journal(&self) -> Result<Vec<Value>, String> {
        self.journal_of(&self.idp.uri()).await
    }

    /// The Janrain app's journal, oldest exchange first.
    pub async fn janrain_journal(&self) -> Result<Vec<Value>, String> {
        self.journal_of(&self.capture.uri()).await
    }

    async fn journal_of(&self, base: &str) -> Result<Vec<Value>, String> {
        let url = format!("{base}/__authmock__/journal");
        let page: Value = self
            .control
            .get(&url)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let mut entries = page["entries"].as_array().cloned().unwrap_or_default();
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
                .filter(|e| !super::management::by_harness(e))
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

/// The Janrain connection details for the login client called `name`.
pub fn janrain_provider_for(summary: &JanrainSummary, name: &str) -> Result<JanrainProvider, String> {
    let client = summary
        .clients
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("the Janrain app has no API client named {name:?}"))?;
    let forms = &summary.flow.forms;
    // The Entity API's client: the app's first API client that may write records.
    let api_client = summary
        .clients
        .iter()
        .find(|c| c.features.iter().any(|f| f == "owner" || f == "direct_access"));
    let form = |name: &str| JanrainForm {
        name: name.to_owned(),
        email_field: None,
        password_field: None,
        confirm_field: None,
    };
    Ok(JanrainProvider {
        base_url: summary.base_url.clone(),
        client_id: client.client_id.clone(),
        client_secret: client.client_secret.clone(),
        flow: summary.flow.name.clone(),
        flow_version: summary.flow.version.clone(),
        locale: summary.flow.locale.clone(),
        redirect_uri: client
            .password_recover_url
            .clone()
            .unwrap_or_else(|| format!("{}/", summary.base_url)),
        forms: JanrainForms {
            forgot_password: JanrainForm {
                email_field: Some(forms.forgot_password.email_field.clone()),
                ..form(FORGOT_PASSWORD_FORM)
            },
            change_password: JanrainForm {
                password_field: Some(forms.change_password.password_field.clone()),
                confirm_field: Some(forms.change_password.confirm_field.clone()),
                ..form(CHANGE_PASSWORD_FORM)
            },
            sign_in: JanrainForm {
                email_field: Some(forms.sign_in.email_field.clone()),
                password_field: Some(forms.sign_in.password_field.clone()),
                ..form(SIGN_IN_FORM)
            },
        },
        api_client_id: api_client.map(|c| c.client_id.clone()),
        api_client_secret: api_client.map(|c| c.client_secret.clone()),
    })
}

fn provider_for(summary: &TenantSummary, application: &str) -> Result<Auth0Provider, String> {
    let app = summary
        .clients
        .iter()
        .find(|c| c.name == application)
        .ok_or_else(|| format!("the tenant has no application named {application:?}"))?;
    let login = summary
        .clients
        .iter()
        .find(|c| c.app_type == "regular_web")
        .ok_or("the tenant has no regular web application")?;
    let connection = summary
        .connections
        .first()
        .ok_or("the tenant has no database connection")?;
    Ok(Auth0Provider {
        base_url: summary.base_url.clone(),
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
        audience: summary.audience.clone(),
        connection_id: connection.id.clone(),
        connection: connection.name.clone(),
        login_client_id: login.client_id.clone(),
        login_client_secret: login.client_secret.clone(),
    })
}
