//! Command-line flags of `authmock serve` that the control plane adds.

use authmock::cli::{Cli, Command};
use clap::Parser as _;

#[test]
fn journal_flags_default_to_ten_thousand_masked_entries() {
    let Command::Serve(args) = Cli::try_parse_from(["authmock", "serve"]).expect("parses").command else {
        panic!("`serve` parses as the serve command");
    };
    assert_eq!(args.journal_limit, 10_000);
    assert!(!args.journal_secrets);
}

#[test]
fn journal_flags_can_be_set() {
    let cli = Cli::try_parse_from(["authmock", "serve", "--journal-limit", "5", "--journal-secrets"]).expect("parses");
    let Command::Serve(args) = cli.command else {
        panic!("`serve` parses as the serve command");
    };
    assert_eq!(args.journal_limit, 5);
    assert!(args.journal_secrets);
    assert!(
        Cli::try_parse_from(["authmock", "serve", "--journal-limit", "-1"]).is_err(),
        "a negative bound is refused"
    );
}

fn serve_args(extra: &[&str]) -> authmock::cli::ServeArgs {
    let mut argv = vec!["authmock", "serve"];
    argv.extend_from_slice(extra);
    let Command::Serve(args) = Cli::try_parse_from(argv).expect("parses").command else {
        panic!("`serve` parses as the serve command");
    };
    args
}

#[test]
fn bind_defaults_to_loopback_and_needs_a_token_beyond_it() {
    let args = serve_args(&[]);
    assert_eq!(args.bind.to_string(), "127.0.0.1");
    assert_eq!(
        authmock::cli::admin_token(&args).expect("loopback needs no token"),
        None
    );
    let ipv6_loopback = serve_args(&["--bind", "::1"]);
    assert!(authmock::cli::admin_token(&ipv6_loopback).is_ok());

    for extra in [&["--bind", "0.0.0.0"][..], &["--host", "192.168.1.20"][..]] {
        let refused = authmock::cli::admin_token(&serve_args(extra)).expect_err("a token is required");
        assert!(refused.to_string().contains("without --admin-token"), "{refused}");
    }
    let token = authmock::cli::admin_token(&serve_args(&["--bind", "0.0.0.0", "--admin-token", "s3cret"]))
        .expect("a token is enough");
    assert_eq!(token.as_deref(), Some("s3cret"));
    assert!(
        authmock::cli::admin_token(&serve_args(&["--admin-token", " "])).is_err(),
        "empty token"
    );
}

/// Runs `authmock serve` with `args` and returns its stderr; it must fail.
fn serve_failure(args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_authmock"))
        .args(["serve", "--port", "0"])
        .args(args)
        .env_remove("AUTHMOCK_FIXTURE")
        .env_remove("AUTHMOCK_JANRAIN_FIXTURE")
        .output()
        .expect("the authmock binary runs");
    assert!(!output.status.success(), "exit status {:?}", output.status);
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_fixture_names_the_os_error_once() {
    let stderr = serve_failure(&["--fixture", "/nonexistent/authmock-fixture.json"]);
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/authmock-fixture.json"), "{stderr}");
}

#[test]
fn a_bad_fixture_field_is_named_by_its_json_path() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("fixture.json");
    let fixture = serde_json::json!({
        "name": "bad",
        "clients": [
            {"name": "a", "client_id": "a", "client_secret": "s", "app_type": "spa", "grant_types": []},
            {"name": "b", "client_id": "b", "client_secret": "s", "app_type": "spa", "grant_types": "password"}
        ]
    });
    std::fs::write(&path, fixture.to_string()).expect("written");
    let file = path.display().to_string();
    let stderr = serve_failure(&["--fixture", &file]);
    assert!(
        stderr.contains(&format!(
            "{file}: clients[1].grant_types: invalid type: string \"password\", expected a sequence"
        )),
        "{stderr}"
    );
    let stderr = serve_failure(&["--janrain-fixture", &file]);
    assert!(stderr.contains(&format!("{file}: clients[0]")), "{stderr}");
}

#[test]
fn scripts_are_off_by_default_and_need_a_token_beyond_loopback() {
    let off = authmock::cli::script_settings(&serve_args(&[])).expect("loopback");
    assert!(!off.allowed);
    assert_eq!(off.timeout, std::time::Duration::from_secs(20));
    let on = authmock::cli::script_settings(&serve_args(&["--allow-scripts", "--script-timeout-ms", "1500"]))
        .expect("loopback");
    assert!(on.allowed);
    assert_eq!(on.timeout, std::time::Duration::from_millis(1500));
    let banner = authmock::cli::scripts_banner(&on);
    assert!(
        banner.contains("--allow-scripts") && (banner.contains("1500 ms") || banner.contains("no `node`")),
        "{banner}"
    );

    let refused = authmock::cli::script_settings(&serve_args(&["--allow-scripts", "--bind", "0.0.0.0"]))
        .expect_err("scripts beyond loopback need a token");
    assert!(
        refused
            .to_string()
            .contains("refusing --allow-scripts on 0.0.0.0 without --admin-token"),
        "{refused}"
    );
    assert!(
        authmock::cli::script_settings(&serve_args(&[
            "--allow-scripts",
            "--bind",
            "0.0.0.0",
            "--admin-token",
            "t"
        ]))
        .is_ok()
    );
}

#[test]
fn serve_refuses_scripts_beyond_loopback_without_a_token() {
    let stderr = serve_failure(&["--allow-scripts", "--bind", "0.0.0.0"]);
    assert!(
        stderr.contains("refusing --allow-scripts on 0.0.0.0 without --admin-token"),
        "{stderr}"
    );
}
