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
