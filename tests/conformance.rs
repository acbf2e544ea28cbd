//! The shipped suite (`features/`) run as `authmock test` runs it: first with the built-in
//! reference client, which must pass every scenario with none skipped, over http and over TLS
//! (`--tls`); then with the two deliberately broken adapters (the forum one over both transports), which must fail exactly the scenarios that catch their
//! mistakes, with messages that name them; then the harness's own robustness checks with
//! `tests/adapters/misbehaving.py` (a crashed, a silent, an invalid and an inconsistent
//! adapter). The adapter checks are skipped when `python3` is missing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use authmock::harness::{self, ClientSpec, Options, Summary};

fn options(features: PathBuf, client: ClientSpec, fail_on_skipped: bool) -> Options {
    Options {
        client,
        features,
        tags: None,
        junit: None,
        json: None,
        concurrency: None,
        fail_on_skipped,
        tls: false,
    }
}

fn python(script: &Path, args: &str, timeout: Duration) -> ClientSpec {
    ClientSpec::Command {
        command: format!("python3 {} {args}", script.display()),
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

    /// The failed scenarios are exactly `expected`, and each failure message contains its needles.
    fn failed_exactly(&mut self, adapter: &str, summary: &Summary, expected: &[(&str, &[&str])]) {
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
            for needle in *needles {
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
    let started = std::time::Instant::now();
    let summary = harness::run(options(features.clone(), ClientSpec::Builtin, true))
        .await
        .expect("the suite runs");
    eprintln!("conformance suite with the reference client: {:.2?}", started.elapsed());
    if summary.failed {
        eprintln!("failed scenarios: {:#?}", summary.failures);
        std::process::exit(1);
    }
    // `--tls`: the same suite, every tenant on HTTPS with this run's CA.
    let over_tls = harness::run(Options {
        tls: true,
        ..options(features.clone(), ClientSpec::Builtin, true)
    })
    .await
    .expect("the suite runs over TLS");
    if over_tls.failed {
        eprintln!("failed scenarios over TLS: {:#?}", over_tls.failures);
        std::process::exit(1);
    }

    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not found: the adapter checks are skipped");
        return;
    }
    let adapters = root.join("tests/adapters");
    let timeout = Duration::from_secs(10);
    let mut checks = Checks::default();

    // Over TLS the adapter must find the run's CA in SSL_CERT_FILE (which urllib reads), so the
    // same mistakes, and only they, fail.
    const FORM_BODY: &[&str] = &["body is form-encoded", "but Content-Type says application/json"];
    for tls in [false, true] {
        let forum = harness::run(Options {
            tls,
            ..options(
                features.clone(),
                python(&adapters.join("forum_mistakes.py"), "", timeout),
                false,
            )
        })
        .await
        .expect("the suite runs");
        checks.failed_exactly(
            if tls {
                "forum_mistakes.py (tls)"
            } else {
                "forum_mistakes.py"
            },
            &forum,
            &[
                // A form body labelled application/json: every ticket request gets 400.
                (
                    "A cached management token that expired on the provider's clock",
                    FORM_BODY,
                ),
                ("A payload that breaks the ticket schema", FORM_BODY),
                ("A rate-limited request is retried after the window resets", FORM_BODY),
                (
                    "A ticket for a user identified by email and database connection",
                    FORM_BODY,
                ),
                ("A ticket for a user identified by user id", FORM_BODY),
                ("A ticket used after five days no longer works", FORM_BODY),
                ("The management token is reused across operations", FORM_BODY),
                // No bearer token on the user lookup: 401 Missing authentication.
                (
                    "Looking a user up by email",
                    &["Missing authentication", "no Authorization header"],
                ),
                // Both mistakes, seen in the journal.
                (
                    "Requests carry JSON and keep secrets out of URLs",
                    &["Content-Type \"application/json\" and a non-JSON body"],
                ),
            ],
        );
    }

    let per_call = harness::run(options(
        features.clone(),
        python(&adapters.join("token_per_call.py"), "", timeout),
        false,
    ))
    .await
    .expect("the suite runs");
    checks.failed_exactly(
        "token_per_call.py",
        &per_call,
        &[
            (
                "The management token is reused across operations",
                &[
                    "the client fetched 3 token(s) for 3 operation(s)",
                    "cache the management token until shortly before expires_in",
                ],
            ),
            (
                "A rate-limited request is retried after the window resets",
                &[
                    "s after a 429 whose x-ratelimit-reset said wait",
                    "wait until the unix time in x-ratelimit-reset",
                ],
            ),
            // A fresh token per call never meets the expired cached one this scenario expects.
            (
                "A cached management token that expired on the provider's clock",
                &["Expired token received for JSON Web Token validation"],
            ),
        ],
    );

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
    let crash = run_mode("crash", timeout).await;
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

    let silent = run_mode("silent", Duration::from_secs(1)).await;
    let message = one_of_two(&silent).unwrap_or_default();
    checks.check(
        message.contains("the adapter did not answer `auth0.get_management_token` within 1 s"),
        || {
            format!(
                "silent: exactly one token scenario should fail on the timeout: {:#?}",
                silent.failures
            )
        },
    );

    let invalid = run_mode("invalid", timeout).await;
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

    let unsupported = run_mode("unsupported", timeout).await;
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

/// The failure message when exactly one of the two token scenarios failed.
fn one_of_two(summary: &Summary) -> Option<String> {
    match summary.failures.as_slice() {
        [(name, message)] if name.contains("token") => Some(message.clone()),
        _ => None,
    }
}
