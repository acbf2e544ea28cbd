//! The shipped suite (`features/`) run as `authmock test` runs it: first with the built-in
//! reference client, which must pass every scenario with none skipped, over http and over TLS
//! (`--tls`); then with the deliberately broken adapters (the forum mistakes over both transports,
//! and `broken_auth0.py` / `broken_janrain.py`, one mistake per mode: the mutation test of the
//! suite), each of which must fail exactly the scenarios that catch its mistake, with messages that
//! name it (the modes and what each must fail are the data file `tests/conformance/mutants.json`
//! beside this one; a mode runs the feature files holding those scenarios; the mistake-free mode of
//! each broken adapter runs them all); then the exit codes of the real binary (the forum adapter,
//! the small adapter of docs/test-your-client.md, an unknown operation, a run with nothing to
//! check, an undefined step); then the harness's own robustness checks with
//! `tests/adapters/misbehaving.py` (a crashed, a silent, an invalid and an inconsistent adapter).
//! The JUnit reports of a passing and a failing run are checked against the common JUnit schema
//! (`tests/junit_check.py`). Everything that needs `python3` is skipped when it is missing, except
//! on CI (`CI=true`), where that is a failure.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use authmock::harness::{self, ClientSpec, Options, Summary};
use serde_json::Value;

mod messages;
use cucumber::gherkin;
use futures::StreamExt as _;

fn options(features: PathBuf, client: ClientSpec, fail_on_skipped: bool) -> Options {
    Options {
        client,
        features,
        tags: None,
        junit: None,
        json: None,
        messages: None,
        // Bounded: dozens of adapter processes starting at once on a loaded CI machine miss the
        // start timeout (and the mutants run two suites at a time).
        concurrency: Some(5),
        fail_on_skipped,
        tls: false,
    }
}

/// `--messages` on `tests/messages/shapes.feature` (an outline with tagged examples, a rule, a
/// background, a data table, a doc string, an undefined step): the report follows the schema and
/// says what happened, example by example and step by step.
async fn messages_shapes(root: &Path, reports: &Path) {
    let path = reports.join("shapes.ndjson");
    let summary = harness::run(Options {
        messages: Some(path.clone()),
        ..options(root.join("tests/messages/shapes.feature"), ClientSpec::Builtin, false)
    })
    .await
    .expect("the shapes feature runs");
    let envelopes = messages::check(root, &path).unwrap_or_else(|problems| {
        eprintln!("the --messages report of shapes.feature: {problems:#?}");
        std::process::exit(1);
    });
    let of = |kind: &str| -> Vec<&Value> { envelopes.iter().filter_map(|e| e.get(kind)).collect() };
    let pickles: Vec<(String, Vec<String>)> = of("pickle")
        .iter()
        .map(|p| {
            let tags = p["tags"].as_array().into_iter().flatten();
            (
                p["name"].as_str().unwrap_or_default().to_owned(),
                tags.map(|t| t["name"].as_str().unwrap_or_default().to_owned())
                    .collect(),
            )
        })
        .collect();
    let statuses: Vec<&str> = of("testStepFinished")
        .iter()
        .map(|f| f["testStepResult"]["status"].as_str().unwrap_or_default())
        .collect();
    let expected_pickles: Vec<(String, Vec<String>)> = vec![
        (
            "The provider's clock moves 1 days".into(),
            vec!["@auth0".into(), "@must".into(), "@first".into()],
        ),
        (
            "The provider's clock moves 2 days".into(),
            vec!["@auth0".into(), "@must".into(), "@first".into()],
        ),
        (
            "An undefined step with a table and a doc string".into(),
            vec!["@auth0".into()],
        ),
    ];
    let document = &of("gherkinDocument")[0]["feature"];
    let rule_steps = &document["children"][2]["rule"]["children"][0]["scenario"]["steps"];
    let problems: Vec<String> = [
        (pickles != expected_pickles).then(|| format!("pickles: {pickles:?}")),
        (statuses
            != [
                "PASSED",
                "PASSED",
                "PASSED",
                "PASSED",
                "PASSED",
                "UNDEFINED",
                "SKIPPED",
                "SKIPPED",
            ])
        .then(|| format!("step statuses: {statuses:?}")),
        (!summary.failed).then(|| "the run with an undefined step passed".to_owned()),
        (of("testRunFinished")[0]["success"] != false).then(|| "testRunFinished.success is not false".to_owned()),
        (rule_steps[0]["dataTable"]["rows"][1]["cells"][1]["value"] != "b")
            .then(|| format!("data table: {}", rule_steps[0])),
        (rule_steps[1]["docString"]["content"] != "{\"a\": 1}" || rule_steps[1]["docString"]["mediaType"] != "json")
            .then(|| format!("doc string: {}", rule_steps[1])),
        (of("pickle")[2]["steps"][1]["argument"]["dataTable"]["rows"][0]["cells"][0]["value"] != "name")
            .then(|| format!("pickle table: {}", of("pickle")[2])),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !problems.is_empty() {
        eprintln!("the --messages report of shapes.feature says the wrong things: {problems:#?}");
        std::process::exit(1);
    }
}

/// The interpreter `python3` names, resolved once: `python3` on PATH may be a version manager's
/// shim (pyenv's is a shell script that runs two more), which would cost every one of the
/// thousands of adapter starts below a few hundred milliseconds. `None` when there is none.
static PYTHON: LazyLock<Option<String>> = LazyLock::new(|| {
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (!path.is_empty()).then_some(path)
});

/// The resolved interpreter, or `python3` where none was found (the checks that need it are
/// skipped then, or fail on CI).
fn interpreter() -> &'static str {
    PYTHON.as_deref().unwrap_or("python3")
}

/// The command line that runs `script` with `args`. The test adapters use only the standard
/// library, so the interpreter starts without `site` (`-S`).
fn python_command(script: &Path, args: &str) -> String {
    format!("{} -S {} {args}", interpreter(), script.display())
}

fn python(script: &Path, args: &str, timeout: Duration) -> ClientSpec {
    ClientSpec::Command {
        command: python_command(script, args),
        timeout,
    }
}

/// Collects what went wrong, so one run reports every broken expectation.
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }

    /// The JUnit report at `path` follows the common JUnit schema (`tests/junit_check.py`).
    fn junit_valid(&mut self, root: &Path, path: &Path) {
        let output = std::process::Command::new(interpreter())
            .arg(root.join("tests/junit_check.py"))
            .arg(path)
            .output()
            .expect("python3 runs");
        self.check(output.status.success(), || {
            format!(
                "the JUnit report {} does not follow the JUnit schema:\n{}{}",
                path.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
    }

    /// The failed scenarios are exactly `expected`, and each failure message contains its needles.
    fn failed_exactly<'a, N: AsRef<[&'a str]>>(&mut self, adapter: &str, summary: &Summary, expected: &[(&str, N)]) {
        let mut failed = summary.failed_scenarios.clone();
        failed.sort();
        let mut names: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
        names.sort();
        self.check(failed == names, || {
            format!("{adapter} failed {failed:#?}\nexpected exactly {names:#?}")
        });
        for (scenario, needles) in expected {
            let message = summary
                .failures
                .iter()
                .find(|(name, _)| name == scenario)
                .map(|(_, m)| m.as_str())
                .unwrap_or_default();
            for needle in needles.as_ref() {
                self.check(message.contains(needle), || {
                    format!("{adapter}: the failure of {scenario:?} should say {needle:?}, it says:\n{message}")
                });
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let features = root.join("features");
    let reports = tempfile::tempdir().expect("a temporary directory");
    let reference_junit = reports.path().join("reference.xml");
    let reference_messages = reports.path().join("reference.ndjson");
    messages_shapes(&root, reports.path()).await;
    let started = std::time::Instant::now();
    // The migration scenarios (`features/migration/`) need a team's migration, which the
    // reference client does not declare: the example migration passes them below, as the
    // `none` mode of `broken_migration.py`.
    let reference_run = || Options {
        tags: Some("not @migration".to_owned()),
        ..options(features.clone(), ClientSpec::Builtin, true)
    };
    let summary = harness::run(Options {
        junit: Some(reference_junit.clone()),
        messages: Some(reference_messages.clone()),
        ..reference_run()
    })
    .await
    .expect("the suite runs");
    eprintln!("conformance suite with the reference client: {:.2?}", started.elapsed());
    if summary.failed {
        eprintln!("failed scenarios: {:#?}", summary.failures);
        std::process::exit(1);
    }
    let reference = messages::check(&root, &reference_messages).unwrap_or_else(|problems| {
        eprintln!("the reference run's --messages report: {problems:#?}");
        std::process::exit(1);
    });
    let finished = reference.last().and_then(|e| e.get("testRunFinished"));
    if finished.and_then(|f| f["success"].as_bool()) != Some(true) {
        eprintln!("the reference run's --messages report does not end in a successful testRunFinished");
        std::process::exit(1);
    }
    // `--tls`: the same suite, every tenant on HTTPS with this run's CA.
    let over_tls = harness::run(Options {
        tls: true,
        ..reference_run()
    })
    .await
    .expect("the suite runs over TLS");
    if over_tls.failed {
        eprintln!("failed scenarios over TLS: {:#?}", over_tls.failures);
        std::process::exit(1);
    }

    if PYTHON.is_none() {
        // CI has Python: there a missing interpreter is a failure, never a silent skip.
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            eprintln!("python3 not found on CI: the broken-adapter and exit-code checks cannot run");
            std::process::exit(1);
        }
        eprintln!("python3 not found: the adapter checks are skipped (they are required on CI)");
        return;
    }
    let adapters = root.join("tests/adapters");
    let timeout = Duration::from_secs(20);
    let mut checks = Checks::default();
    checks.junit_valid(&root, &reference_junit);

    let forum_client = python(&adapters.join("forum_mistakes.py"), "", timeout);
    const FORM_BODY: &[&str] = &["the client reported", "400"];
    let forum_expected: &[(&str, &[&str])] = &[
        // A form body labelled application/json: every ticket request gets 400.
        (
            "A cached management token that expired on the provider's clock",
            FORM_BODY,
        ),
        ("A payload that breaks the ticket schema", FORM_BODY),
        // The bucket is spent before the body is read: it reports the 429 and never retries.
        (
            "A rate-limited request is retried after the window resets",
            &[
                "expected a 429 followed by a successful retry",
                "wait until the unix time in x-ratelimit-reset",
            ],
        ),
        (
            "A ticket for a user identified by email and database connection",
            FORM_BODY,
        ),
        ("A ticket for a user identified by user id", FORM_BODY),
        (
            "A ticket used after five days no longer works",
            &["a ticket link, reported as result.ticket"],
        ),
        // A token per call meets the tenant's M2M token quota on the second ticket.
        (
            "The management token is reused across operations",
            &["3 POST /api/v2/tickets/password-change request(s), saw 1"],
        ),
        // No bearer token on the user lookup: 401 Missing authentication.
        (
            "Looking a user up by email",
            &["Missing authentication", "no Authorization header"],
        ),
        (
            "Requests carry JSON and keep secrets out of URLs",
            &["Content-Type \"application/json\" and a form-encoded body"],
        ),
    ];
    // Over TLS the adapter must find the run's CA in SSL_CERT_FILE (which urllib reads), so the
    // same mistakes, and only they, fail.
    let forum_junit = reports.path().join("forum.xml");
    for tls in [false, true] {
        let forum = harness::run(Options {
            tls,
            junit: (!tls).then(|| forum_junit.clone()),
            ..options(features.clone(), forum_client.clone(), false)
        })
        .await
        .expect("the suite runs");
        checks.failed_exactly(&format!("forum_mistakes.py (tls: {tls})"), &forum, forum_expected);
    }
    // A report with failures and skipped scenarios follows the schema too.
    checks.junit_valid(&root, &forum_junit);

    // The mutation test: one mistake per mode, each failing exactly these scenarios (the matrix
    // of step kinds they kill is docs/writing-scenarios.md). Two runs at a time: a run spends
    // part of its time waiting on adapter processes, and each run has its own client.
    let mutants = mutants(&root);
    let files = scenario_files(&features);
    let summaries: Vec<_> = futures::stream::iter(&mutants)
        .map(|mutant| {
            let expected = borrowed(&mutant.expected);
            let run = harness::run(options(
                features_holding(
                    &features,
                    &files,
                    &expected,
                    reports.path(),
                    &format!("{}-{}", mutant.script, mutant.mode),
                ),
                python(&adapters.join(&mutant.script), &mutant.mode, timeout),
                false,
            ));
            async move { (mutant, expected, run.await.expect("the suite runs")) }
        })
        .buffered(2)
        .collect()
        .await;
    for (mutant, expected, summary) in summaries {
        checks.failed_exactly(&format!("{} {}", mutant.script, mutant.mode), &summary, &expected);
    }

    exit_codes(&root, &mut checks);

    let robustness = root.join("tests/features/robustness");
    let marker = |mode: &str| {
        let path = std::env::temp_dir().join(format!("authmock-{mode}-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    };
    let misbehaving = adapters.join("misbehaving.py");
    let run_mode = |mode: &'static str, timeout: Duration| {
        let marker = marker(mode);
        let client = python(&misbehaving, &format!("{mode} {}", marker.display()), timeout);
        let features = robustness.clone();
        async move {
            let summary = harness::run(options(features, client, false))
                .await
                .expect("the suite runs");
            let _ = std::fs::remove_file(&marker);
            summary
        }
    };

    // A crash fails its own scenario, names the operation and shows the stderr; the next
    // scenario gets a new adapter process and passes.
    let crash = run_mode("crash", Duration::from_secs(10)).await;
    let crashed = one_of_two(&crash);
    checks.check(crashed.is_some(), || {
        format!("crash: exactly one token scenario should fail: {:#?}", crash.failures)
    });
    let message = crashed.unwrap_or_default();
    for needle in [
        "the client failed `auth0.get_management_token`",
        "the adapter exited while the harness waited for `auth0.get_management_token`",
        "adapter stderr:\nmisbehaving adapter: KeyError 'ticket'",
    ] {
        checks.check(message.contains(needle), || {
            format!("crash: {needle:?} missing in:\n{message}")
        });
    }
    // An operation the adapter did not list: skipped, not failed.
    checks.check(crash.skipped_scenarios == ["A ticket"], || {
        format!(
            "crash: only \"A ticket\" should be skipped: {:?}",
            crash.skipped_scenarios
        )
    });

    let silent = run_mode("silent", Duration::from_secs(3)).await;
    let message = one_of_two(&silent).unwrap_or_default();
    checks.check(
        message.contains("the adapter did not answer `auth0.get_management_token` within 3 s"),
        || {
            format!(
                "silent: exactly one token scenario should fail on the timeout: {:#?}",
                silent.failures
            )
        },
    );

    let invalid = run_mode("invalid", Duration::from_secs(10)).await;
    checks.check(invalid.failures.len() == 2, || {
        format!("invalid: both token scenarios should fail: {:#?}", invalid.failures)
    });
    for (_, message) in &invalid.failures {
        for needle in [
            "does not follow protocol v1 (docs/schemas/run-response.json)",
            "at /error: \"status\" is a required property",
        ] {
            checks.check(message.contains(needle), || {
                format!("invalid: {needle:?} missing in:\n{message}")
            });
        }
    }

    let unsupported = run_mode("unsupported", Duration::from_secs(10)).await;
    checks.check(
        unsupported.failed_scenarios == ["A ticket"]
            && unsupported.failures[0]
                .1
                .contains("listed this operation in its start answer but answered unsupported"),
        || {
            format!(
                "unsupported: only \"A ticket\" should fail, saying why: {:#?}",
                unsupported.failures
            )
        },
    );

    if !checks.0.is_empty() {
        eprintln!("{}", checks.0.join("\n\n"));
        std::process::exit(1);
    }
    eprintln!("1 passed, 0 failed");
}

/// One mode of a broken adapter (`tests/conformance/mutants.json`): the scenarios it must fail,
/// exactly, each with the texts its failure message must contain, in the file's order.
struct Mutant {
    script: String,
    mode: String,
    expected: Vec<(String, Vec<String>)>,
}

/// The mutation test's table, `tests/conformance/mutants.json`: for each broken adapter script,
/// its modes in order. Anything but that shape fails the test here.
fn mutants(root: &Path) -> Vec<Mutant> {
    let path = root.join("tests/conformance/mutants.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} reads: {e}", path.display()));
    let table: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} parses: {e}", path.display()));
    let strings = |value: &serde_json::Value, what: &str| -> Vec<String> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("{what}: a list of strings"))
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{what}: a list of strings"))
                    .to_owned()
            })
            .collect()
    };
    let object = |value: &serde_json::Value, what: &str| -> serde_json::Map<String, serde_json::Value> {
        value
            .as_object()
            .cloned()
            .unwrap_or_else(|| panic!("{what}: an object"))
    };
    let mut found = Vec::new();
    for (script, modes) in table.iter().filter(|(key, _)| !key.starts_with('$')) {
        for (mode, expected) in object(modes, script) {
            let what = format!("{script} {mode}");
            let expected = object(&expected, &what)
                .iter()
                .map(|(scenario, needles)| (scenario.clone(), strings(needles, &format!("{what}: {scenario}"))))
                .collect();
            found.push(Mutant {
                script: script.clone(),
                mode,
                expected,
            });
        }
    }
    found
}

/// `expected` as `Checks::failed_exactly` and `features_holding` take it.
fn borrowed(expected: &[(String, Vec<String>)]) -> Vec<(&str, Vec<&str>)> {
    expected
        .iter()
        .map(|(scenario, needles)| (scenario.as_str(), needles.iter().map(String::as_str).collect()))
        .collect()
}

/// `authmock test` itself, the real binary: the exit code CI acts on.
fn exit_codes(root: &Path, checks: &mut Checks) {
    let binary = env!("CARGO_BIN_EXE_authmock");
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let run = |args: &[&str]| {
        let output = std::process::Command::new(binary)
            .arg("test")
            .args([
                "--features",
                &root.join("features").to_string_lossy(),
                "--concurrency",
                "4",
            ])
            .args(["--op-timeout", "20"])
            .args(args)
            .output()
            .expect("authmock runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.code(), text)
    };
    let tail = |text: &str| text.lines().rev().take(5).collect::<Vec<_>>().join("\n");

    // The forum mistakes fail @must scenarios: non-zero.
    let forum = python_command(&root.join("tests/adapters/forum_mistakes.py"), "");
    let (code, text) = run(&["--client", &forum]);
    checks.check(
        code == Some(1) && text.contains("failed") && text.contains("@must scenario(s)"),
        || {
            format!(
                "the forum adapter must exit 1 naming the failed @must scenarios, got {code:?}:\n{}",
                tail(&text)
            )
        },
    );

    // The README's small adapter does what the README says: exit 0, three @should failures.
    let readme = std::fs::read_to_string(root.join("docs/test-your-client.md")).expect("docs/test-your-client.md");
    let small = readme
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/test-your-client.md shows the small adapter");
    let small_path = scratch.path().join("my_adapter.py");
    std::fs::write(&small_path, small).expect("writing the README adapter");
    let json = scratch.path().join("readme.json");
    let (code, text) = run(&[
        "--client",
        &python_command(&small_path, ""),
        "--json",
        &json.to_string_lossy(),
    ]);
    checks.check(code == Some(0), || {
        format!("the README adapter must exit 0, got {code:?}:\n{}", tail(&text))
    });
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_default()).unwrap_or_default();
    let mut failed: Vec<String> = report
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|feature| feature["elements"].as_array().cloned().unwrap_or_default())
        .filter(|e| {
            e["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["result"]["status"] == "failed")
        })
        .filter_map(|e| e["name"].as_str().map(str::to_owned))
        .collect();
    failed.sort();
    checks.check(
        failed
            == [
                "A cached management token that expired on the provider's clock",
                "A rate-limit error is reported with its headers",
                "A rate-limited request is retried after the window resets",
            ],
        || format!("the README adapter must fail exactly the three @should scenarios it names, failed {failed:#?}"),
    );

    // An operation protocol v1 does not know: non-zero, listing the known ones.
    let adapter = |operations: &str| {
        let path = scratch.path().join(format!("declares-{}.py", operations.len()));
        std::fs::write(
            &path,
            format!(
                "import json, sys\nfor line in sys.stdin:\n    m = json.loads(line)\n    if m['cmd'] != 'start': break\n    \
                 print(json.dumps({{'ok': True, 'name': 'x', 'version': '1', 'operations': {operations}}}), flush=True)\n"
            ),
        )
        .expect("writing an adapter");
        python_command(&path, "")
    };
    let (code, text) = run(&["--client", &adapter("['auth0.create_ticket']")]);
    checks.check(
        code == Some(1)
            && text.contains("`auth0.create_ticket`")
            && text.contains("auth0.create_password_change_ticket, "),
        || {
            format!(
                "an unknown operation must exit 1 and list the known ones, got {code:?}:\n{}",
                tail(&text)
            )
        },
    );

    // Nothing ran: non-zero by default, 0 with --allow-no-must.
    let nothing = adapter("[]");
    let (code, text) = run(&["--client", &nothing]);
    checks.check(code == Some(1) && text.contains("no @must scenario ran"), || {
        format!(
            "a run in which no @must scenario ran must exit 1, got {code:?}:\n{}",
            tail(&text)
        )
    });
    let (code, text) = run(&["--client", &nothing, "--allow-no-must"]);
    checks.check(code == Some(0), || {
        format!(
            "--allow-no-must must accept a run with nothing to check, got {code:?}:\n{}",
            tail(&text)
        )
    });

    // A step with no definition fails its scenario and the run.
    let typo = scratch.path().join("typo");
    std::fs::create_dir_all(&typo).expect("a features folder");
    std::fs::write(
        typo.join("typo.feature"),
        "Feature: A typo\n\n  @must\n  Scenario: A step nobody defined\n    Given a fresh Auth0 tenant\n    \
         When the client creates a password-change ticket for \"alice@example.com\"\n    \
         Then the client recieves a password-change ticket link\n",
    )
    .expect("a feature file");
    let output = std::process::Command::new(binary)
        .args(["test", "--features", &typo.to_string_lossy()])
        .output()
        .expect("authmock runs");
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    checks.check(
        output.status.code() == Some(1) && text.contains("A step nobody defined"),
        || {
            format!(
                "an undefined step must fail the run, got {:?}:\n{}",
                output.status.code(),
                tail(&text)
            )
        },
    );
}

/// Each scenario of the suite under `features`, by name, with its feature file (relative).
fn scenario_files(features: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for provider in std::fs::read_dir(features).expect("features/ lists") {
        let provider = provider.expect("features/ lists").path();
        for file in std::fs::read_dir(&provider).into_iter().flatten().flatten() {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "feature") {
                continue;
            }
            let feature = gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default())
                .unwrap_or_else(|e| panic!("{} parses: {e}", path.display()));
            let relative = path.strip_prefix(features).expect("under features/").to_path_buf();
            let in_rules = feature.rules.iter().flat_map(|rule| &rule.scenarios);
            for scenario in feature.scenarios.iter().chain(in_rules) {
                found.push((scenario.name.clone(), relative.clone()));
                // An outline's scenarios are named with each example row's values.
                for examples in &scenario.examples {
                    let Some(table) = &examples.table else { continue };
                    let Some((header, rows)) = table.rows.split_first() else {
                        continue;
                    };
                    for row in rows {
                        let name = header
                            .iter()
                            .zip(row)
                            .fold(scenario.name.clone(), |name, (key, value)| {
                                name.replace(&format!("<{key}>"), value)
                            });
                        found.push((name, relative.clone()));
                    }
                }
            }
        }
    }
    found
}

/// A features folder (under `scratch`) with the feature files that hold the `expected`
/// scenarios; the whole suite when nothing is expected to fail (a mistake-free mode). Whether a
/// mistake also disturbs unrelated feature files says nothing about the suite catching it, and
/// leaving them out is most of the mutation test's time saved. A scenario name no file holds
/// fails the test here.
fn features_holding(
    features: &Path,
    files: &[(String, PathBuf)],
    expected: &[(&str, Vec<&str>)],
    scratch: &Path,
    name: &str,
) -> PathBuf {
    if expected.is_empty() {
        return features.to_path_buf();
    }
    let folder = scratch.join(name);
    for (scenario, _) in expected {
        let (_, relative) = files
            .iter()
            .find(|(n, _)| n == scenario)
            .unwrap_or_else(|| panic!("no feature file holds the scenario {scenario:?}"));
        let target = folder.join(relative);
        std::fs::create_dir_all(target.parent().expect("in a provider folder")).expect("a scratch folder");
        std::fs::copy(features.join(relative), &target).expect("a feature file copies");
    }
    folder
}

/// The failure message when exactly one of the two token scenarios failed.
fn one_of_two(summary: &Summary) -> Option<String> {
    match summary.failures.as_slice() {
        [(name, message)] if name.contains("token") => Some(message.clone()),
        _ => None,
    }
}
