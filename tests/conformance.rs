//! The shipped suite (`features/`) run as `authmock test` runs it: first with the built-in
//! reference client, which must pass every scenario with none skipped, over http and over TLS
//! (`--tls`); then with the deliberately broken adapter `tests/adapters/forum_mistakes.py`,
//! over both transports, which must fail exactly the scenarios that catch its mistakes (skipped
//! when `python3` is missing).

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
        tls: false,
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
    // `--tls`: the same suite, every tenant on HTTPS with this run's CA.
    let over_tls = harness::run(Options {
        tls: true,
        ..options(&root, ClientSpec::Builtin, true)
    })
    .await
    .expect("the suite runs over TLS");
    if over_tls.failed {
        eprintln!("failed scenarios over TLS: {:?}", over_tls.failed_scenarios);
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
    let expected = [
        // A form body labelled application/json: every ticket request gets 400.
        "A cached management token that expired on the provider's clock",
        "A rate-limited request is retried after the window resets",
        "A ticket for a user identified by email and database connection",
        "A ticket for a user identified by user id",
        // No bearer token on the user lookup: 401 Missing authentication.
        "Looking a user up by email",
        // Both mistakes, seen in the journal.
        "Requests carry JSON and keep secrets out of URLs",
        "The management token is reused across operations",
    ];
    // Over TLS the adapter must find the run's CA in SSL_CERT_FILE (which urllib reads), so the
    // same mistakes, and only they, fail.
    for tls in [false, true] {
        let broken = harness::run(Options {
            tls,
            ..options(&root, client.clone(), false)
        })
        .await
        .expect("the suite runs");
        let mut failed = broken.failed_scenarios.clone();
        failed.sort();
        if failed != expected {
            eprintln!("the broken adapter (tls: {tls}) failed {failed:#?}\nexpected exactly {expected:#?}");
            std::process::exit(1);
        }
    }
    eprintln!("1 passed, 0 failed");
}
