//! The conformance harness: runs the Gherkin suite in `features/` against a client
//! implementation, each scenario on a fresh tenant on its own loopback port.
//!
//! `protocol` is adapter protocol v1 (messages and their JSON Schemas, prose in
//! `docs/adapter-protocol.md`); `adapter` starts the client under test (the built-in reference
//! client or a program speaking the protocol); `world` and `steps` are the cucumber side;
//! `operations` declares each operation once (name, When-phrases, result shape, the reference
//! client's call); `parser` skips scenarios that need an operation the client does not
//! implement; `management`
//! is the harness's own Management API application on each scenario's tenant (a scenario's roles,
//! reading users back). The harness reaches the mock only over HTTP. Depends on `server` (to start tenants) and `admin` (the
//! tenant summary type).

pub mod adapter;
pub mod browser;
pub mod junit;
pub mod management;
pub mod messages;
pub mod operations;
pub mod parser;
pub mod protocol;
pub mod steps;
pub mod suite;
pub mod transport;
pub mod world;

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use cucumber::writer::{self, Coloring};
use cucumber::{StatsWriter as _, World as _, WriterExt as _, cli};

pub use adapter::ClientSpec;
use world::AuthWorld;

/// What to run and where to report.
#[derive(Debug, Clone)]
pub struct Options {
    pub client: ClientSpec,
    pub features: PathBuf,
    pub tags: Option<String>,
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    /// Where to write the run as Cucumber Messages (NDJSON; `messages`).
    pub messages: Option<PathBuf>,
    pub concurrency: Option<usize>,
    /// Treat a scenario skipped for an unsupported operation as a failure too. A step with no
    /// definition always fails its scenario.
    pub fail_on_skipped: bool,
    /// Serve every tenant over HTTPS with a CA generated for this run (see `transport`).
    pub tls: bool,
}

/// What the run found.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Whether any scenario or hook failed.
    pub failed: bool,
    /// Names of the failed scenarios tagged `@must`.
    pub failed_must: Vec<String>,
    /// Names of all failed scenarios.
    pub failed_scenarios: Vec<String>,
    /// Each failed scenario with the message of the step that failed it.
    pub failures: Vec<(String, String)>,
    /// Names of the scenarios skipped (an operation the client does not implement).
    pub skipped_scenarios: Vec<String>,
    /// How many `@must` scenarios ran (passed or failed, not skipped).
    pub must_ran: usize,
    pub client_name: String,
}

impl Summary {
    /// Why this run must not count as a pass (the exit code of `authmock test`), or `None`.
    /// `allow_no_must` accepts a run in which no `@must` scenario ran (a first adapter that
    /// implements nothing the suite checks yet); everything else is always a failure.
    pub fn verdict(&self, allow_no_must: bool) -> Option<String> {
        if !self.failed_must.is_empty() {
            return Some(format!(
                "{} failed {} @must scenario(s): {}",
                self.client_name,
                self.failed_must.len(),
                self.failed_must.join("; ")
            ));
        }
        if self.must_ran == 0 && !allow_no_must {
            return Some(format!(
                "no @must scenario ran against {}: declare the operations it implements in its start \
                 answer (or pass --allow-no-must while it implements none the suite checks)",
                self.client_name
            ));
        }
        None
    }
}

/// Runs the suite. Starts the client once up front to learn the operations it implements.
/// Several runs may go at once in one process: each sees only its own client and transport.
pub async fn run(options: Options) -> anyhow::Result<Summary> {
    let tls = if options.tls {
        Some(Arc::new(transport::RunTls::generate()?))
    } else {
        None
    };
    let client = options.client.clone();
    transport::scope(tls, world::scope(client, run_suite(options))).await
}

async fn run_suite(options: Options) -> anyhow::Result<Summary> {
    let probe = adapter::Client::start(&options.client)
        .await
        .map_err(|e| anyhow::anyhow!("the client could not start: {e}"))?;
    let operations = probe.operations();
    let known = protocol::operations();
    let unknown: Vec<&String> = operations.iter().filter(|op| !known.contains(op)).collect();
    if !unknown.is_empty() {
        probe.stop().await;
        anyhow::bail!(
            "the client declares operation(s) protocol v1 does not know: {}; the known operations are: {}",
            unknown
                .iter()
                .map(|op| format!("`{op}`"))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        );
    }
    let client_name = match &probe {
        adapter::Client::Builtin(_) => "authmock reference client".to_owned(),
        adapter::Client::Stdio(a) => format!("{} {}", a.hello.name, a.hello.version),
    };
    probe.stop().await;

    let tags: Option<TagOperation> = match &options.tags {
        Some(tags) => Some(
            tags.parse()
                .map_err(|e| anyhow::anyhow!("--tags {tags:?} is not a tag expression: {e}"))?,
        ),
        None => None,
    };

    // Created now, so a path that cannot be written fails before the run; filled after it.
    if let Some(path) = &options.junit {
        File::create(path)?;
    }
    let junit = junit::Collected::default();
    let json: Box<dyn io::Write> = match &options.json {
        Some(path) => Box::new(File::create(path)?),
        None => Box::new(io::sink()),
    };
    let messages: Box<dyn io::Write> = match &options.messages {
        Some(path) => Box::new(io::BufWriter::new(File::create(path)?)),
        None => Box::new(io::sink()),
    };

    let finished = Arc::new(Mutex::new(Vec::<Finished>::new()));
    let recorded = finished.clone();
    let strict = options.fail_on_skipped;
    let writer = AuthWorld::cucumber::<PathBuf>()
        .with_parser(parser::SuiteParser { operations })
        .max_concurrent_scenarios(options.concurrency)
        .after(move |feature, _rule, scenario, finished, world| {
            use cucumber::event::{ScenarioFinished, StepError};
            let outcome = match finished {
                ScenarioFinished::StepFailed(_, _, StepError::Panic(payload))
                | ScenarioFinished::BeforeHookFailed(payload) => {
                    Outcome::Failed(messages::panic_message(payload.as_ref()))
                }
                ScenarioFinished::StepFailed(_, _, other) => Outcome::Failed(other.to_string()),
                ScenarioFinished::StepSkipped if parser::has_unsupported_step(scenario) => {
                    if strict {
                        Outcome::Failed("the client does not implement an operation this scenario needs".into())
                    } else {
                        Outcome::Skipped
                    }
                }
                ScenarioFinished::StepSkipped => Outcome::Failed(format!(
                    "a step has no definition: {}",
                    scenario
                        .steps
                        .iter()
                        .map(|s| format!("{}{}", s.keyword, s.value))
                        .collect::<Vec<_>>()
                        .join(" / ")
                )),
                ScenarioFinished::StepPassed => Outcome::Passed,
            };
            if let Ok(mut list) = recorded.lock() {
                list.push(Finished {
                    scenario: scenario.name.clone(),
                    must: feature.tags.iter().chain(&scenario.tags).any(|t| t == "must"),
                    outcome,
                });
            }
            let client = world.map(|w| w.client.take());
            Box::pin(async move {
                if let Some(Some(client)) = client {
                    client.stop().await;
                }
            })
        })
        .with_writer(
            writer::Basic::raw(io::stdout(), Coloring::Auto, 0)
                .summarized()
                .tee::<AuthWorld, _>(writer::JUnit::for_tee(junit.clone(), 0))
                .tee::<AuthWorld, _>(writer::Json::for_tee(json))
                .tee::<AuthWorld, _>(
                    messages::Messages::new(
                        messages,
                        options.features.clone(),
                        messages::definitions::<AuthWorld>(),
                        strict,
                    )
                    .discard_stats_writes()
                    .discard_arbitrary_writes(),
                )
                .normalized(),
        )
        // A skipped step is a failure unless the parser marked it unsupported: a step with no
        // definition (a typo in a feature file) must never let a run pass.
        .fail_on_skipped_with(move |_, _, scenario| strict || !parser::has_unsupported_step(scenario))
        // The harness owns the command line: cucumber must not parse the process arguments.
        .with_cli(cli::Opts::<_, _, _, cli::Empty>::default())
        .filter_run(options.features.clone(), move |feature, rule, scenario| {
            tags.as_ref().is_none_or(|expr| {
                expr.eval(
                    feature
                        .tags
                        .iter()
                        .chain(rule.iter().flat_map(|r| &r.tags))
                        .chain(&scenario.tags),
                )
            })
        })
        .await;

    if let Some(path) = &options.junit {
        junit.write_to(path)?;
    }
    let finished = finished.lock().map(|l| l.clone()).unwrap_or_default();
    let failed: Vec<&Finished> = finished.iter().filter(|f| f.failure().is_some()).collect();
    Ok(Summary {
        failed: writer.execution_has_failed(),
        must_ran: finished
            .iter()
            .filter(|f| f.must && !matches!(f.outcome, Outcome::Skipped))
            .count(),
        failed_must: failed.iter().filter(|f| f.must).map(|f| f.scenario.clone()).collect(),
        failed_scenarios: failed.iter().map(|f| f.scenario.clone()).collect(),
        failures: failed
            .iter()
            .map(|f| (f.scenario.clone(), f.failure().unwrap_or_default().to_owned()))
            .collect(),
        skipped_scenarios: finished
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Skipped))
            .map(|f| f.scenario.clone())
            .collect(),
        client_name,
    })
}

/// How one scenario ended.
#[derive(Debug, Clone)]
struct Finished {
    scenario: String,
    must: bool,
    outcome: Outcome,
}

#[derive(Debug, Clone)]
enum Outcome {
    Passed,
    /// Skipped for an operation the client does not implement.
    Skipped,
    /// The failing step's message.
    Failed(String),
}

impl Finished {
    fn failure(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Failed(message) => Some(message),
            _ => None,
        }
    }
}
