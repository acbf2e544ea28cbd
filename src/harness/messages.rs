//! The `--messages` report: the run as Cucumber Messages, one JSON envelope per line (NDJSON),
//! the stream the Cucumber ecosystem's report tools read (protocol version [`PROTOCOL_VERSION`]).
//!
//! cucumber's events carry each feature as the runner saw it: outlines already expanded and the
//! steps of unsupported operations marked (`parser`). The messages describe the files as written,
//! so each feature file is parsed again for its source, its `gherkinDocument` and its pickles, and
//! the events are matched to those by line. Everything is collected during the run and written
//! when it finishes, in the order the protocol asks for: meta; per feature its source, document
//! and the pickles that ran; the step definitions; the run start; every test case; then per test
//! case its start, each step's start and result, its end; the run's end.
//!
//! Not reported: hooks (the harness's only hook stops the client after a scenario), attachments
//! and parameter types (the step definitions are regular expressions).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use cucumber::codegen::{StepConstructor, WorldInventory};
use cucumber::event::{self, Cucumber, StepError};
use cucumber::gherkin::{self, GherkinEnv, StepType};
use cucumber::{Event, World, Writer, cli, parser, step, writer};
use serde_json::{Value, json};

/// The version of the Cucumber Messages schema the stream follows.
pub const PROTOCOL_VERSION: &str = "34.2.1";

/// The marker `parser` appends to a step the client cannot run, and what follows it.
const UNSUPPORTED: &str = " [unsupported: the client does not implement ";

/// A step definition, as the report names it: its pattern and where it is written.
#[derive(Debug, Clone)]
pub struct Definition {
    pub pattern: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// Every step definition `W` registers with cucumber's `given`/`when`/`then` attributes.
pub fn definitions<W: WorldInventory>() -> Vec<Definition> {
    fn collect<S, W>(out: &mut Vec<Definition>)
    where
        S: StepConstructor<W> + cucumber::codegen::inventory::Collect + 'static,
    {
        for step in cucumber::codegen::inventory::iter::<S> {
            let (location, regex, _) = step.inner();
            out.push(Definition {
                pattern: regex().as_str().to_owned(),
                path: location.path.to_owned(),
                line: location.line as usize,
                column: location.column as usize,
            });
        }
    }
    let mut out = Vec::new();
    collect::<W::Given, W>(&mut out);
    collect::<W::When, W>(&mut out);
    collect::<W::Then, W>(&mut out);
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    out
}

/// The writer. Each `uri` is the feature file's path relative to the working directory when the
/// features folder is inside it, else relative to the folder holding the features folder (the
/// built-in suite, written to a temporary `features/` folder, reads `features/auth0/login.feature`).
pub struct Messages<Out: io::Write> {
    output: Out,
    /// The features folder (the file's folder when the run was given one file), absolute.
    root: PathBuf,
    definitions: Vec<Definition>,
    /// Whether a scenario skipped for an unsupported operation fails the run (`fail_on_skipped`).
    strict: bool,
    started: Option<SystemTime>,
    /// Feature files in the order their first event came, with the scenarios that ran.
    features: Vec<FeatureRun>,
    parse_errors: Vec<(String, Option<usize>, String)>,
}

struct FeatureRun {
    path: PathBuf,
    scenarios: Vec<ScenarioRun>,
}

/// One scenario as it ran, keyed by the line cucumber gave it (an outline's example: the line
/// cucumber computes for that row).
struct ScenarioRun {
    line: usize,
    started: SystemTime,
    finished: SystemTime,
    steps: Vec<StepRun>,
}

struct StepRun {
    background: bool,
    line: usize,
    started: SystemTime,
    finished: SystemTime,
    status: &'static str,
    message: Option<String>,
    definition: Option<(String, usize, usize)>,
    /// The matched groups: (start, value), group 0 excluded.
    arguments: Vec<(usize, String)>,
}

impl<Out: io::Write> Messages<Out> {
    pub fn new(output: Out, features: PathBuf, definitions: Vec<Definition>, strict: bool) -> Self {
        let features = std::fs::canonicalize(&features).unwrap_or(features);
        let root = match features.is_file() {
            true => features.parent().map(Path::to_path_buf).unwrap_or_default(),
            false => features,
        };
        Self {
            output,
            root,
            definitions,
            strict,
            started: None,
            features: Vec::new(),
            parse_errors: Vec::new(),
        }
    }

    fn feature_mut(&mut self, path: &Path) -> &mut FeatureRun {
        let index = match self.features.iter().position(|f| f.path == path) {
            Some(index) => index,
            None => {
                self.features.push(FeatureRun {
                    path: path.to_owned(),
                    scenarios: Vec::new(),
                });
                self.features.len() - 1
            }
        };
        &mut self.features[index]
    }

    fn scenario<W>(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        ev: event::Scenario<W>,
        at: SystemTime,
    ) {
        let Some(path) = feature.path.as_deref() else { return };
        let line = scenario.position.line;
        let runs = &mut self.feature_mut(path).scenarios;
        match ev {
            event::Scenario::Started => runs.push(ScenarioRun {
                line,
                started: at,
                finished: at,
                steps: Vec::new(),
            }),
            event::Scenario::Background(step, ev) => record_step(runs, line, true, &step, ev, at),
            event::Scenario::Step(step, ev) => record_step(runs, line, false, &step, ev, at),
            event::Scenario::Finished => {
                if let Some(run) = runs.iter_mut().rev().find(|r| r.line == line) {
                    run.finished = at;
                }
            }
            event::Scenario::Hook(..) | event::Scenario::Log(_) => {}
        }
    }

    fn uri(&self, path: &Path) -> String {
        let cwd = std::env::current_dir().ok().and_then(|c| std::fs::canonicalize(c).ok());
        let base = cwd
            .filter(|c| self.root.starts_with(c))
            .or_else(|| self.root.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        path.strip_prefix(&base)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// The whole stream, in protocol order.
    fn envelopes(&self, finished: SystemTime) -> Vec<Value> {
        let mut ids = Ids::default();
        let mut out = vec![json!({ "meta": meta() })];
        for (uri, line, message) in &self.parse_errors {
            let mut source = json!({ "uri": uri });
            if let Some(line) = line {
                source["location"] = json!({ "line": line });
            }
            out.push(json!({ "parseError": { "source": source, "message": message } }));
        }

        let definition_ids: HashMap<(String, usize, usize), String> = self
            .definitions
            .iter()
            .map(|d| ((d.path.clone(), d.line, d.column), ids.next()))
            .collect();

        // Documents and pickles first, then what ran.
        let mut cases = Vec::new();
        for feature in &self.features {
            let uri = self.uri(&feature.path);
            let Ok(data) = std::fs::read_to_string(&feature.path) else {
                continue;
            };
            out.push(json!({ "source": {
                "uri": uri,
                "data": data,
                "mediaType": "text/x.cucumber.gherkin+plain",
            }}));
            let Ok(ast) = gherkin::Feature::parse(&data, GherkinEnv::default()) else {
                continue;
            };
            let document = Document::build(&uri, &data, &ast, &mut ids);
            out.push(json!({ "gherkinDocument": document.json }));
            for pickle in document.pickles {
                if let Some(run) = feature.scenarios.iter().find(|r| r.line == pickle.key) {
                    let id = ids.next();
                    out.push(json!({ "pickle": pickle.json(&id) }));
                    cases.push((id, pickle, run));
                }
            }
        }
        for d in &self.definitions {
            out.push(json!({ "stepDefinition": {
                "id": definition_ids[&(d.path.clone(), d.line, d.column)],
                "pattern": { "source": d.pattern, "type": "REGULAR_EXPRESSION" },
                "sourceReference": { "uri": d.path, "location": { "line": d.line, "column": d.column } },
            }}));
        }
        let run_id = ids.next();
        out.push(json!({ "testRunStarted": {
            "timestamp": timestamp(self.started.unwrap_or(finished)),
            "id": run_id,
        }}));

        // Each test step: its id, the pickle step, and the step's run if it ran.
        let mut success = true;
        let mut executions = Vec::new();
        for (pickle_id, pickle, run) in &cases {
            let case_id = ids.next();
            let mut steps = Vec::new();
            let mut test_steps = Vec::new();
            for step in &pickle.steps {
                let step_id = ids.next();
                let ran = run
                    .steps
                    .iter()
                    .find(|s| s.background == step.background && s.line == step.line);
                let definition = ran
                    .and_then(|s| s.definition.as_ref())
                    .and_then(|d| definition_ids.get(d));
                let mut test_step = json!({ "id": step_id, "pickleStepId": step.id });
                match (definition, ran) {
                    (Some(definition), Some(ran)) => {
                        test_step["stepDefinitionIds"] = json!([definition]);
                        test_step["stepMatchArgumentsLists"] = json!([{ "stepMatchArguments": ran
                            .arguments
                            .iter()
                            .map(|(start, value)| json!({ "group": { "start": start, "value": value, "children": [] } }))
                            .collect::<Vec<_>>() }]);
                    }
                    _ => {
                        test_step["stepDefinitionIds"] = json!([]);
                        test_step["stepMatchArgumentsLists"] = json!([]);
                    }
                }
                test_steps.push(test_step);
                steps.push((step_id, ran));
            }
            out.push(json!({ "testCase": {
                "id": case_id,
                "pickleId": pickle_id,
                "testSteps": test_steps,
                "testRunStartedId": run_id,
            }}));
            executions.push((case_id, *run, steps));
        }
        for (case_id, run, steps) in executions {
            let started_id = ids.next();
            out.push(json!({ "testCaseStarted": {
                "attempt": 0,
                "id": started_id,
                "testCaseId": case_id,
                "timestamp": timestamp(run.started),
            }}));
            // A step that did not run (after a failure) is reported skipped at the case's end.
            for (step_id, ran) in steps {
                let (started, finished, status, message) = match ran {
                    Some(s) => (s.started, s.finished, s.status, s.message.clone()),
                    None => (run.finished, run.finished, "SKIPPED", None),
                };
                if matches!(status, "FAILED" | "UNDEFINED" | "AMBIGUOUS")
                    || (self.strict && status == "SKIPPED" && ran.is_some())
                {
                    success = false;
                }
                out.push(json!({ "testStepStarted": {
                    "testCaseStartedId": started_id,
                    "testStepId": step_id,
                    "timestamp": timestamp(started),
                }}));
                let mut result = json!({
                    "duration": duration(started, finished),
                    "status": status,
                });
                if let Some(message) = message {
                    result["message"] = json!(message);
                }
                out.push(json!({ "testStepFinished": {
                    "testCaseStartedId": started_id,
                    "testStepId": step_id,
                    "testStepResult": result,
                    "timestamp": timestamp(finished),
                }}));
            }
            out.push(json!({ "testCaseFinished": {
                "testCaseStartedId": started_id,
                "timestamp": timestamp(run.finished),
                "willBeRetried": false,
            }}));
        }
        if !self.parse_errors.is_empty() {
            success = false;
        }
        out.push(json!({ "testRunFinished": {
            "success": success,
            "timestamp": timestamp(finished),
            "testRunStartedId": run_id,
        }}));
        out
    }

    fn write_all(&mut self, finished: SystemTime) -> io::Result<()> {
        for envelope in self.envelopes(finished) {
            serde_json::to_writer(&mut self.output, &envelope)?;
            self.output.write_all(b"\n")?;
        }
        self.output.flush()
    }
}

fn record_step<W>(
    runs: &mut [ScenarioRun],
    line: usize,
    background: bool,
    step: &gherkin::Step,
    ev: event::Step<W>,
    at: SystemTime,
) {
    let Some(run) = runs.iter_mut().rev().find(|r| r.line == line) else {
        return;
    };
    if let event::Step::Started = ev {
        run.steps.push(StepRun {
            background,
            line: step.position.line,
            started: at,
            finished: at,
            status: "UNKNOWN",
            message: None,
            definition: None,
            arguments: Vec::new(),
        });
        return;
    }
    let Some(ran) = run
        .steps
        .iter_mut()
        .rev()
        .find(|s| s.background == background && s.line == step.position.line)
    else {
        return;
    };
    ran.finished = at;
    let location = |l: &step::Location| (l.path.to_owned(), l.line as usize, l.column as usize);
    match ev {
        event::Step::Started => {}
        event::Step::Passed(captures, definition) => {
            ran.status = "PASSED";
            ran.definition = definition.as_ref().map(location);
            ran.arguments = (1..captures.len())
                .filter_map(|i| captures.get(i))
                .filter_map(|(start, end)| Some((start, step.value.get(start..end)?.to_owned())))
                .collect();
        }
        event::Step::Skipped => match step.value.split_once(UNSUPPORTED) {
            Some((_, operation)) => {
                ran.status = "SKIPPED";
                ran.message = Some(format!(
                    "the client does not implement {}",
                    operation.trim_end_matches(']')
                ));
            }
            None => {
                ran.status = "UNDEFINED";
                ran.message = Some("no step definition matches this step".into());
            }
        },
        event::Step::Failed(_, definition, _, error) => {
            ran.definition = definition.as_ref().map(location);
            let (status, message) = match &error {
                StepError::NotFound => ("UNDEFINED", error.to_string()),
                StepError::AmbiguousMatch(_) => ("AMBIGUOUS", error.to_string()),
                StepError::Panic(payload) => ("FAILED", panic_message(payload.as_ref())),
            };
            ran.status = status;
            ran.message = Some(message);
        }
    }
}

impl<W: World, Out: io::Write> Writer<W> for Messages<Out> {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _: &Self::Cli) {
        let event = match event {
            Ok(event) => event,
            Err(parser::Error::Parsing(error)) => {
                let (uri, line) = match error.as_ref() {
                    gherkin::ParseFileError::Reading { path, .. } => (self.uri(path), None),
                    gherkin::ParseFileError::Parsing { path, .. } => (self.uri(path), None),
                };
                self.parse_errors.push((uri, line, error.to_string()));
                return;
            }
            Err(parser::Error::ExampleExpansion(error)) => {
                let uri = error.path.as_deref().map(|p| self.uri(p)).unwrap_or_default();
                self.parse_errors.push((uri, Some(error.pos.line), error.to_string()));
                return;
            }
        };
        let (value, meta) = event.split();
        match value {
            Cucumber::Started => self.started = Some(meta.at),
            Cucumber::Feature(feature, event::Feature::Scenario(scenario, ev)) => {
                self.scenario(&feature, &scenario, ev.event, meta.at);
            }
            Cucumber::Feature(feature, event::Feature::Rule(_, event::Rule::Scenario(scenario, ev))) => {
                self.scenario(&feature, &scenario, ev.event, meta.at);
            }
            Cucumber::Finished => {
                if let Err(error) = self.write_all(meta.at) {
                    tracing::error!(%error, "the --messages report could not be written");
                }
            }
            _ => {}
        }
    }
}

impl<Out: io::Write> writer::NonTransforming for Messages<Out> {}

/// Ids unique within one stream: counting up, as the Gherkin reference parsers do.
#[derive(Default)]
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> String {
        let id = self.0.to_string();
        self.0 += 1;
        id
    }
}

fn meta() -> Value {
    let mut meta = json!({
        "protocolVersion": PROTOCOL_VERSION,
        "implementation": { "name": "authmock", "version": env!("CARGO_PKG_VERSION") },
        "runtime": { "name": "rust" },
        "os": { "name": std::env::consts::OS },
        "cpu": { "name": std::env::consts::ARCH },
    });
    // The CI service, where the usual variables name one.
    if std::env::var_os("GITHUB_ACTIONS").is_some() {
        meta["ci"] = json!({ "name": "GitHub Actions" });
    } else if std::env::var_os("GITLAB_CI").is_some() {
        meta["ci"] = json!({ "name": "GitLab CI" });
    }
    meta
}

fn timestamp(at: SystemTime) -> Value {
    let since = at.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    json!({ "seconds": since.as_secs(), "nanos": since.subsec_nanos() })
}

fn duration(from: SystemTime, to: SystemTime) -> Value {
    let took = to.duration_since(from).unwrap_or_default();
    json!({ "seconds": took.as_secs(), "nanos": took.subsec_nanos() })
}

/// A feature file's `gherkinDocument` and its pickles.
struct Document {
    json: Value,
    pickles: Vec<Pickle>,
}

/// A pickle before it gets its id (only the pickles that ran are written).
struct Pickle {
    /// The line cucumber gives the scenario (for an example row: the Examples line + row + 2).
    key: usize,
    uri: String,
    name: String,
    language: String,
    location: Value,
    steps: Vec<PickleStep>,
    tags: Vec<(String, String)>,
    ast_node_ids: Vec<String>,
}

struct PickleStep {
    id: String,
    background: bool,
    line: usize,
    json: Value,
}

impl Pickle {
    fn json(&self, id: &str) -> Value {
        json!({
            "id": id,
            "uri": self.uri,
            "location": self.location,
            "name": self.name,
            "language": self.language,
            "steps": self.steps.iter().map(|s| s.json.clone()).collect::<Vec<_>>(),
            "tags": self.tags.iter().map(|(name, id)| json!({ "name": name, "astNodeId": id })).collect::<Vec<_>>(),
            "astNodeIds": self.ast_node_ids,
        })
    }
}

/// An AST step with its id, for the pickles.
#[derive(Clone)]
struct AstStep<'a> {
    step: &'a gherkin::Step,
    id: String,
    background: bool,
}

impl Document {
    fn build(uri: &str, data: &str, feature: &gherkin::Feature, ids: &mut Ids) -> Self {
        let source = Source::new(data);
        let language = source.language();
        let mut pickles = Vec::new();
        let mut children = Vec::new();

        let (background, feature_background) = match &feature.background {
            Some(b) => {
                let (json, steps) = source.background(b, ids);
                (Some(json), steps)
            }
            None => (None, Vec::new()),
        };
        if let Some(background) = background {
            children.push(json!({ "background": background }));
        }
        let feature_tags = tag_ids(&feature.tags, ids);
        for scenario in &feature.scenarios {
            let json = source.scenario(
                uri,
                &language,
                scenario,
                &feature_background,
                &feature_tags,
                ids,
                &mut pickles,
            );
            children.push(json!({ "scenario": json }));
        }
        for rule in &feature.rules {
            let rule_tags = tag_ids(&rule.tags, ids);
            let mut rule_children = Vec::new();
            let mut backgrounds = feature_background.clone();
            if let Some(b) = &rule.background {
                let (json, steps) = source.background(b, ids);
                rule_children.push(json!({ "background": json }));
                backgrounds.extend(steps);
            }
            let inherited: Vec<(String, String)> = feature_tags.iter().chain(&rule_tags).cloned().collect();
            for scenario in &rule.scenarios {
                let json = source.scenario(uri, &language, scenario, &backgrounds, &inherited, ids, &mut pickles);
                rule_children.push(json!({ "scenario": json }));
            }
            children.push(json!({ "rule": {
                "location": source.location(rule.position.line),
                "tags": tags_json(&source, &rule_tags, rule.position.line),
                "keyword": rule.keyword,
                "name": rule.name,
                "description": rule.description.clone().unwrap_or_default(),
                "children": rule_children,
                "id": ids.next(),
            }}));
        }
        let json = json!({
            "uri": uri,
            "feature": {
                "location": source.location(feature.position.line),
                "tags": tags_json(&source, &feature_tags, feature.position.line),
                "language": language,
                "keyword": feature.keyword,
                "name": feature.name,
                "description": feature.description.clone().unwrap_or_default(),
                "children": children,
            },
            "comments": source.comments(),
        });
        Document { json, pickles }
    }
}

/// The tags of an element, each with its id (names as written, with `@`).
fn tag_ids(names: &[String], ids: &mut Ids) -> Vec<(String, String)> {
    names.iter().map(|n| (format!("@{n}"), ids.next())).collect()
}

fn tags_json(source: &Source<'_>, tags: &[(String, String)], line: usize) -> Vec<Value> {
    let located = source.tag_positions(line);
    tags.iter()
        .map(|(name, id)| {
            let (line, column) = located
                .iter()
                .find(|(n, _, _)| n == name)
                .map_or((line, 1), |(_, l, c)| (*l, *c));
            json!({ "location": { "line": line, "column": column }, "name": name, "id": id })
        })
        .collect()
}

/// The text of a feature file, for what the parsed tree leaves out (columns, comments, tags'
/// places, doc string delimiters).
struct Source<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Source<'a> {
    fn new(data: &'a str) -> Self {
        Self {
            lines: data.lines().collect(),
        }
    }

    fn line(&self, line: usize) -> &'a str {
        self.lines.get(line.wrapping_sub(1)).copied().unwrap_or("")
    }

    fn location(&self, line: usize) -> Value {
        let text = self.line(line);
        let column = text.len() - text.trim_start().len() + 1;
        json!({ "line": line, "column": column })
    }

    fn language(&self) -> String {
        self.lines
            .iter()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            .find_map(|l| {
                let comment = l.trim_start().trim_start_matches('#').trim();
                comment.strip_prefix("language:").map(|lang| lang.trim().to_owned())
            })
            .unwrap_or_else(|| "en".to_owned())
    }

    fn comments(&self) -> Vec<Value> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with('#'))
            .map(|(i, l)| json!({ "location": { "line": i + 1, "column": 1 }, "text": l }))
            .collect()
    }

    /// The tags on the lines above `line`, with their places.
    fn tag_positions(&self, line: usize) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        let mut at = line.saturating_sub(1);
        while at >= 1 {
            let text = self.line(at);
            let trimmed = text.trim_start();
            if trimmed.starts_with('@') {
                let mut offset = 0;
                for word in text.split(' ') {
                    if word.starts_with('@') {
                        out.push((word.to_owned(), at, offset + 1));
                    }
                    offset += word.len() + 1;
                }
            } else if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                break;
            }
            at -= 1;
        }
        out
    }

    fn step(&self, step: &gherkin::Step, id: &str, ids: &mut Ids) -> Value {
        let trimmed = step.keyword.trim();
        let keyword_type = match (trimmed, step.ty) {
            ("And" | "But", _) => "Conjunction",
            ("*", _) => "Unknown",
            (_, StepType::Given) => "Context",
            (_, StepType::When) => "Action",
            (_, StepType::Then) => "Outcome",
        };
        let mut json = json!({
            "location": self.location(step.position.line),
            "keyword": step.keyword,
            "keywordType": keyword_type,
            "text": step.value,
            "id": id,
        });
        if step.docstring.is_some() {
            let (line, delimiter, media, content) = self.doc_string(step.position.line);
            let mut doc = json!({
                "location": self.location(line),
                "content": content,
                "delimiter": delimiter,
            });
            if !media.is_empty() {
                doc["mediaType"] = json!(media);
            }
            json["docString"] = doc;
        }
        if let Some(table) = &step.table {
            json["dataTable"] = json!({
                "location": self.location(table.position.line),
                "rows": self.rows(table, ids).into_iter().map(|(row, _)| row).collect::<Vec<_>>(),
            });
        }
        json
    }

    /// The doc string that follows the step at `line`, as written: the line it opens on, its
    /// delimiter, its media type and its content (each line without the opening delimiter's
    /// indentation, an escaped delimiter unescaped).
    fn doc_string(&self, line: usize) -> (usize, &'static str, String, String) {
        for at in line + 1..=self.lines.len() {
            let text = self.line(at);
            let indent = text.len() - text.trim_start().len();
            for delimiter in ["\"\"\"", "```"] {
                let Some(media) = text.trim().strip_prefix(delimiter) else {
                    continue;
                };
                let escaped = delimiter.chars().flat_map(|c| ['\\', c]).collect::<String>();
                let content: Vec<String> = (at + 1..=self.lines.len())
                    .map(|l| self.line(l))
                    .take_while(|l| l.trim() != delimiter)
                    .map(|l| {
                        let spaces = l.len() - l.trim_start_matches(' ').len();
                        l[spaces.min(indent)..].replace(&escaped, delimiter)
                    })
                    .collect();
                return (at, delimiter, media.trim().to_owned(), content.join("\n"));
            }
        }
        (line + 1, "\"\"\"", String::new(), String::new())
    }

    /// A table's rows with ids: each row on its own line from the table's first, the cells placed
    /// where they are written.
    fn rows(&self, table: &gherkin::Table, ids: &mut Ids) -> Vec<(Value, String)> {
        let mut line = table.position.line;
        let mut out = Vec::new();
        for row in &table.rows {
            while line <= self.lines.len() && !self.line(line).trim_start().starts_with('|') {
                line += 1;
            }
            let text = self.line(line);
            let mut columns = Vec::new();
            let mut offset = 0;
            for (i, part) in text.split('|').enumerate() {
                if i > 0 {
                    columns.push(offset + part.len() - part.trim_start().len() + 1);
                }
                offset += part.len() + 1;
            }
            let id = ids.next();
            let cells: Vec<Value> = row
                .iter()
                .enumerate()
                .map(|(i, value)| {
                    json!({
                        "location": { "line": line, "column": columns.get(i).copied().unwrap_or(1) },
                        "value": value,
                    })
                })
                .collect();
            out.push((json!({ "location": { "line": line, "column": columns.first().map_or(1, |c| c.saturating_sub(2).max(1)) }, "cells": cells, "id": id }), id));
            line += 1;
        }
        out
    }

    fn background<'s>(&self, background: &'s gherkin::Background, ids: &mut Ids) -> (Value, Vec<AstStep<'s>>) {
        let steps: Vec<AstStep<'s>> = background
            .steps
            .iter()
            .map(|step| AstStep {
                step,
                id: ids.next(),
                background: true,
            })
            .collect();
        let json = json!({
            "location": self.location(background.position.line),
            "keyword": background.keyword,
            "name": background.name,
            "description": background.description.clone().unwrap_or_default(),
            "steps": steps.iter().map(|s| self.step(s.step, &s.id, ids)).collect::<Vec<_>>(),
            "id": ids.next(),
        });
        (json, steps)
    }

    #[allow(clippy::too_many_arguments)]
    fn scenario(
        &self,
        uri: &str,
        language: &str,
        scenario: &gherkin::Scenario,
        backgrounds: &[AstStep<'_>],
        inherited: &[(String, String)],
        ids: &mut Ids,
        pickles: &mut Vec<Pickle>,
    ) -> Value {
        let tags = tag_ids(&scenario.tags, ids);
        let steps: Vec<AstStep<'_>> = scenario
            .steps
            .iter()
            .map(|step| AstStep {
                step,
                id: ids.next(),
                background: false,
            })
            .collect();
        let steps_json: Vec<Value> = steps.iter().map(|s| self.step(s.step, &s.id, ids)).collect();
        let mut examples_json = Vec::new();
        // (the key cucumber gives the row, the row's id, its location, its values by header, tags)
        let mut rows = Vec::new();
        for examples in &scenario.examples {
            let examples_tags = tag_ids(&examples.tags, ids);
            let (header, body) = match &examples.table {
                Some(table) => {
                    let mut all = self.rows(table, ids);
                    let header = (!all.is_empty()).then(|| all.remove(0));
                    (header, all)
                }
                None => (None, Vec::new()),
            };
            let names: Vec<String> = examples
                .table
                .as_ref()
                .and_then(|t| t.rows.first().cloned())
                .unwrap_or_default();
            for (index, (row, id)) in body.iter().enumerate() {
                let values = examples
                    .table
                    .as_ref()
                    .and_then(|t| t.rows.get(index + 1).cloned())
                    .unwrap_or_default();
                rows.push((
                    examples.position.line + index + 2,
                    id.clone(),
                    row["location"].clone(),
                    names.iter().cloned().zip(values).collect::<Vec<_>>(),
                    examples_tags.clone(),
                ));
            }
            let mut json = json!({
                "location": self.location(examples.position.line),
                "tags": tags_json(self, &examples_tags, examples.position.line),
                "keyword": examples.keyword,
                "name": examples.name.clone().unwrap_or_default(),
                "description": examples.description.clone().unwrap_or_default(),
                "tableBody": body.iter().map(|(row, _)| row.clone()).collect::<Vec<_>>(),
                "id": ids.next(),
            });
            if let Some((header, _)) = header {
                json["tableHeader"] = header;
            }
            examples_json.push(json);
        }
        let id = ids.next();

        let pickle = |key: usize,
                      location: Value,
                      values: &[(String, String)],
                      row: Option<&str>,
                      extra: &[(String, String)],
                      ids: &mut Ids| {
            let fill = |text: &str| {
                values.iter().fold(text.to_owned(), |t, (name, value)| {
                    t.replace(&format!("<{name}>"), value)
                })
            };
            let steps = backgrounds
                .iter()
                .chain(&steps)
                .map(|s| {
                    let mut ast = vec![s.id.clone()];
                    if let (Some(row), false) = (row, s.background) {
                        ast.push(row.to_owned());
                    }
                    let ty = match s.step.ty {
                        StepType::Given => "Context",
                        StepType::When => "Action",
                        StepType::Then => "Outcome",
                    };
                    let step_id = ids.next();
                    let mut json = json!({
                        "astNodeIds": ast,
                        "id": step_id,
                        "type": ty,
                        "text": if s.background { s.step.value.clone() } else { fill(&s.step.value) },
                    });
                    if s.step.docstring.is_some() {
                        let (_, _, media, content) = self.doc_string(s.step.position.line);
                        let mut doc = json!({ "content": fill(&content) });
                        if !media.is_empty() {
                            doc["mediaType"] = json!(media);
                        }
                        json["argument"] = json!({ "docString": doc });
                    } else if let Some(table) = &s.step.table {
                        json["argument"] = json!({ "dataTable": { "rows": table.rows.iter().map(|r| json!({
                            "cells": r.iter().map(|c| json!({ "value": fill(c) })).collect::<Vec<_>>(),
                        })).collect::<Vec<_>>() }});
                    }
                    PickleStep {
                        id: step_id,
                        background: s.background,
                        line: s.step.position.line,
                        json,
                    }
                })
                .collect();
            let mut ast_node_ids = vec![id.clone()];
            ast_node_ids.extend(row.map(str::to_owned));
            Pickle {
                key,
                uri: uri.to_owned(),
                name: fill(&scenario.name),
                language: language.to_owned(),
                location,
                steps,
                tags: inherited.iter().chain(&tags).chain(extra).cloned().collect(),
                ast_node_ids,
            }
        };
        if scenario.examples.is_empty() {
            let p = pickle(
                scenario.position.line,
                self.location(scenario.position.line),
                &[],
                None,
                &[],
                ids,
            );
            pickles.push(p);
        } else {
            for (key, row_id, location, values, extra) in &rows {
                let p = pickle(*key, location.clone(), values, Some(row_id), extra, ids);
                pickles.push(p);
            }
        }

        json!({
            "location": self.location(scenario.position.line),
            "tags": tags_json(self, &tags, scenario.position.line),
            "keyword": scenario.keyword,
            "name": scenario.name,
            "description": scenario.description.clone().unwrap_or_default(),
            "steps": steps_json,
            "examples": examples_json,
            "id": id,
        })
    }
}

/// The text of a step's panic (a step returning `Err` panics with the error's text).
pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a step panicked with a non-text payload".into())
}
