//! Every operation of adapter protocol v1, declared once: its name, the When-step phrases that
//! need it, where its result's shape is, and what the reference client does for it. One file
//! per provider (`auth0`, `janrain`, and `migration` for both at once), each a table in the order the reference client lists its
//! operations in its start answer.
//!
//! The reference client (`adapter::builtin`) dispatches through these tables, and the suite's
//! parser (`harness::parser`) reads the phrases from them to skip the scenarios that need an
//! operation the client did not declare. The result shapes themselves are the `$defs` of
//! `docs/schemas/operation-results.json` (`protocol::check_result`), which a test below keeps in
//! step with the tables.

#[macro_use]
mod declare;
pub mod auth0;
pub mod janrain;
pub mod migration;

pub use declare::Operation;
pub(crate) use declare::Reference;

#[cfg(test)]
use super::protocol;

/// Every operation, Auth0's, Janrain's then the migration's, in table order.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    auth0::OPERATIONS
        .iter()
        .chain(janrain::OPERATIONS)
        .chain(migration::OPERATIONS)
}

/// The operation called `name`.
pub fn find(name: &str) -> Option<&'static Operation> {
    all().find(|operation| operation.name == name)
}

/// The operation a step needs, if any: the first in table order with a phrase the step contains.
pub fn needed_by(step: &str) -> Option<&'static Operation> {
    all().find(|operation| operation.phrases.iter().any(|phrase| step.contains(phrase)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_hold_each_operation_of_the_protocol_once() {
        let mut declared: Vec<&str> = all().map(|o| o.name).collect();
        declared.sort_unstable();
        let before = declared.len();
        declared.dedup();
        assert_eq!(before, declared.len(), "an operation is declared twice");
        let mut protocol = protocol::operations();
        protocol.sort();
        assert_eq!(
            declared, protocol,
            "the tables and docs/schemas/operation-results.json disagree"
        );
    }

    #[test]
    fn every_operation_has_a_phrase_and_no_phrase_holds_another_operations() {
        for operation in all() {
            assert!(!operation.phrases.is_empty(), "{} has no When-phrase", operation.name);
            for phrase in operation.phrases {
                assert_eq!(needed_by(phrase).map(|o| o.name), Some(operation.name), "{phrase:?}");
                for other in all().filter(|o| o.name != operation.name) {
                    for theirs in other.phrases {
                        assert!(
                            !phrase.contains(theirs),
                            "{phrase:?} ({}) contains {theirs:?} ({})",
                            operation.name,
                            other.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn each_step_of_the_shipped_suite_needs_at_most_one_operation() {
        let features = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("features");
        let mut pending = vec![features];
        let mut steps = 0;
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("features/ lists").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "feature") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("a feature file reads");
                for line in text.lines() {
                    let needs: Vec<&str> = all()
                        .filter(|o| o.phrases.iter().any(|p| line.contains(p)))
                        .map(|o| o.name)
                        .collect();
                    assert!(needs.len() <= 1, "{}: {line:?} needs {needs:?}", path.display());
                    steps += usize::from(!needs.is_empty());
                }
            }
        }
        assert!(steps > 0, "no step of features/ needs an operation");
    }

    #[test]
    fn result_schemas_are_the_operations_defs() {
        let create_user = find("auth0.create_user").expect("declared");
        assert_eq!(
            create_user.result_schema(),
            "docs/schemas/operation-results.json#/$defs/auth0.create_user"
        );
    }
}
