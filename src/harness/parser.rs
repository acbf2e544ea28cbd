//! Reads the feature files with cucumber's own parser, then marks every scenario that needs an
//! operation the client did not declare: its step gets a suffix no step definition matches, so
//! cucumber reports the scenario as skipped (unsupported), not failed.

use std::path::PathBuf;

use cucumber::gherkin;
use cucumber::parser::{self, Parser};
use futures::StreamExt as _;
use futures::stream::BoxStream;

use super::operations;

/// Cucumber's basic parser, plus the unsupported-operation marking.
pub struct SuiteParser {
    /// The operations the client declared in its `start` answer.
    pub operations: Vec<String>,
}

impl Parser<PathBuf> for SuiteParser {
    type Cli = <parser::Basic as Parser<PathBuf>>::Cli;
    type Output = BoxStream<'static, parser::Result<gherkin::Feature>>;

    fn parse(self, input: PathBuf, cli: Self::Cli) -> Self::Output {
        let operations = self.operations;
        parser::Basic::new()
            .parse(input, cli)
            .map(move |feature| {
                feature.map(|mut feature| {
                    mark_feature(&mut feature, &operations);
                    feature
                })
            })
            .boxed()
    }
}

fn mark_feature(feature: &mut gherkin::Feature, operations: &[String]) {
    for scenario in feature.scenarios.iter_mut() {
        mark_scenario(scenario, operations);
    }
    for rule in feature.rules.iter_mut() {
        for scenario in rule.scenarios.iter_mut() {
            mark_scenario(scenario, operations);
        }
    }
}

/// The operation a step needs, if any (its phrases are declared with it, `harness::operations`).
pub fn needed_operation(step: &str) -> Option<&'static str> {
    operations::needed_by(step).map(|operation| operation.name)
}

/// The suffix of a step the client cannot run.
const UNSUPPORTED: &str = " [unsupported: the client does not implement ";

/// Whether the parser marked a step of `scenario` as needing an undeclared operation.
pub fn has_unsupported_step(scenario: &gherkin::Scenario) -> bool {
    scenario.steps.iter().any(|step| step.value.contains(UNSUPPORTED))
}

fn mark_scenario(scenario: &mut gherkin::Scenario, operations: &[String]) {
    for step in scenario.steps.iter_mut() {
        if let Some(op) = needed_operation(&step.value)
            && !operations.iter().any(|o| o == op)
        {
            step.value = format!("{}{UNSUPPORTED}{op}]", step.value);
        }
    }
}
