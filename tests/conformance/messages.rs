//! Checks a `--messages` report: every line is an envelope of the Cucumber Messages schema this
//! project follows (`tests/messages/messages.schema.json`, version 34.2.1 with its MIT licence
//! beside it), every id is unique and every reference names something written before it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

/// The envelopes of the report at `path`, or every problem found in it.
pub fn check(root: &Path, path: &Path) -> Result<Vec<Value>, Vec<String>> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/messages/messages.schema.json")).expect("the messages schema"),
    )
    .expect("the messages schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the messages schema compiles");
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{}: {e}", path.display())])?;
    let mut problems = Vec::new();
    let mut envelopes = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let envelope: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("line {}: not JSON: {e}", number + 1));
                continue;
            }
        };
        for error in validator.iter_errors(&envelope) {
            problems.push(format!("line {}: {} at {}", number + 1, error, error.instance_path()));
        }
        envelopes.push(envelope);
    }
    references(&envelopes, &mut problems);
    if problems.is_empty() {
        Ok(envelopes)
    } else {
        Err(problems)
    }
}

/// Ids are unique; pickles name AST nodes, test cases pickles, test steps pickle steps and step
/// definitions, started and finished messages their test case and step, each defined earlier.
fn references(envelopes: &[Value], problems: &mut Vec<String>) {
    let mut seen: HashSet<String> = HashSet::new();
    fn define(seen: &mut HashSet<String>, id: &Value, what: &str, problems: &mut Vec<String>) {
        let id = id.as_str().unwrap_or_default().to_owned();
        if !seen.insert(id.clone()) {
            problems.push(format!("{what} id {id} is used twice"));
        }
    }
    let mut ast: HashSet<String> = HashSet::new();
    let mut pickle_steps: HashSet<String> = HashSet::new();
    let mut pickles: HashSet<String> = HashSet::new();
    let mut definitions: HashSet<String> = HashSet::new();
    let mut cases: HashMap<String, Vec<String>> = HashMap::new();
    let mut started: HashMap<String, String> = HashMap::new();
    let need = |set: &HashSet<String>, id: &Value, what: &str, problems: &mut Vec<String>| {
        if !set.contains(id.as_str().unwrap_or_default()) {
            problems.push(format!("{what} {id} names nothing written before it"));
        }
    };
    for envelope in envelopes {
        if let Some(document) = envelope.get("gherkinDocument") {
            let mut ids = HashSet::new();
            collect_ids(document, &mut ids);
            for id in ids {
                define(&mut seen, &Value::String(id.clone()), "AST node", problems);
                ast.insert(id);
            }
        }
        if let Some(pickle) = envelope.get("pickle") {
            define(&mut seen, &pickle["id"], "pickle", problems);
            pickles.insert(pickle["id"].as_str().unwrap_or_default().to_owned());
            for id in pickle["astNodeIds"].as_array().into_iter().flatten() {
                need(&ast, id, "pickle astNodeId", problems);
            }
            for step in pickle["steps"].as_array().into_iter().flatten() {
                define(&mut seen, &step["id"], "pickle step", problems);
                pickle_steps.insert(step["id"].as_str().unwrap_or_default().to_owned());
                for id in step["astNodeIds"].as_array().into_iter().flatten() {
                    need(&ast, id, "pickle step astNodeId", problems);
                }
            }
        }
        if let Some(definition) = envelope.get("stepDefinition") {
            define(&mut seen, &definition["id"], "step definition", problems);
            definitions.insert(definition["id"].as_str().unwrap_or_default().to_owned());
        }
        if let Some(case) = envelope.get("testCase") {
            define(&mut seen, &case["id"], "test case", problems);
            need(&pickles, &case["pickleId"], "testCase pickleId", problems);
            let mut steps = Vec::new();
            for step in case["testSteps"].as_array().into_iter().flatten() {
                define(&mut seen, &step["id"], "test step", problems);
                need(&pickle_steps, &step["pickleStepId"], "testStep pickleStepId", problems);
                for id in step["stepDefinitionIds"].as_array().into_iter().flatten() {
                    need(&definitions, id, "testStep stepDefinitionId", problems);
                }
                steps.push(step["id"].as_str().unwrap_or_default().to_owned());
            }
            cases.insert(case["id"].as_str().unwrap_or_default().to_owned(), steps);
        }
        if let Some(start) = envelope.get("testCaseStarted") {
            define(&mut seen, &start["id"], "test case start", problems);
            let case = start["testCaseId"].as_str().unwrap_or_default().to_owned();
            if !cases.contains_key(&case) {
                problems.push(format!("testCaseStarted names the unknown test case {case}"));
            }
            started.insert(start["id"].as_str().unwrap_or_default().to_owned(), case);
        }
        for kind in ["testStepStarted", "testStepFinished"] {
            if let Some(step) = envelope.get(kind) {
                let case = started.get(step["testCaseStartedId"].as_str().unwrap_or_default());
                let known = case
                    .and_then(|c| cases.get(c))
                    .is_some_and(|steps| steps.iter().any(|s| step["testStepId"] == *s));
                if !known {
                    problems.push(format!("{kind} names a step of no started test case: {step}"));
                }
            }
        }
    }
}

/// Every `id` in a `gherkinDocument`.
fn collect_ids(value: &Value, out: &mut HashSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "id" {
                    if let Some(id) = v.as_str() {
                        out.insert(id.to_owned());
                    }
                } else {
                    collect_ids(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}
