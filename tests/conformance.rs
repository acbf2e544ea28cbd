//! The shipped suite (`features/`) run as `authmock test` runs it: first with the built-in
//! reference client, which must pass every scenario with none skipped; then with the
//! deliberately broken adapter `tests/adapters/forum_mistakes.py`, which must fail exactly the
//! scenarios that catch its mistakes (skipped when `python3` is missing).

use std::path::{Path, PathBuf};
use std::time::Duration;

use authmock::harness::{self, ClientSpec, Options};

fn options(root: &Path, client: ClientSpec, fail_on_skipped: bool) -> Options {
    Options {
        client,
        features: root.join("features"),
        tags: None,
        junit: None,
        json: None,
        concurrency: None,
        fail_on_skipped,
    }
}

#[tokio::main]
async fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let started = std::time::Instant::now();
    let summary = harness::run(options(&root, ClientSpec::Builtin, true))
        .await
        .expect("the suite runs");
    eprintln!("conformance suite with the reference client: {:.2?}", started.elapsed());
    if summary.failed {
        eprintln!("failed scenarios: {:?}", summary.failed_scenarios);
        std::process::exit(1);
    }

    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not found: the broken-adapter check is skipped");
        return;
    }
    let adapter = root.join("tests/adapters/forum_mistakes.py");
    let client = ClientSpec::Command {
        command: format!("python3 {}", adapter.display()),
        timeout: Duration::from_secs(10),
    };
    let broken = harness::run(options(&root, client, false))
        .await
        .expect("the suite runs");
    let mut failed = broken.failed_scenarios.clone();
    failed.sort();
    let expected = [
        // A form body labelled application/json: every ticket request gets 400.
        "A cached management token that expired on the provider's clock",
        "A payload that breaks the ticket schema",
        "A rate-limited request is retried after the window resets",
        "A ticket for a user identified by email and database connection",
        "A ticket for a user identified by user id",
        "A ticket used after five days no longer works",
        // No bearer token on the user lookup: 401 Missing authentication.
        "Looking a user up by email",
        // Both mistakes, seen in the journal.
        "Requests carry JSON and keep secrets out of URLs",
        "The management token is reused across operations",
    ];
    if failed != expected {
        eprintln!("the broken adapter failed {failed:#?}\nexpected exactly {expected:#?}");
        std::process::exit(1);
    }
    eprintln!("1 passed, 0 failed");
}
