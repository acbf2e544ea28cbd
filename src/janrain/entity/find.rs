//! Reading records: `/entity` server-side (one record, projected, or one attribute's value,
//! with an optional password check), `entity.find` (filter, sort, page, project) and
//! `entity.count` (facts `janrain-entity.md` §1.2, §1.3; the filter language is `filter`).
//!
//! `entity.find` and `entity.count` are a [`Search`]: its arguments are checked under the app
//! lock, then it runs on a snapshot of the records with the lock released, within its budget
//! (the app's `search_timeout_ms`, lowered by the call's `timeout`); past it, code 504.

use std::ops::Range;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::args::{Selector, attribute_list, check_guards, check_type, json_arg, locate, not_valid, slash_to_dotted};
use super::filter::{Filter, FilterError};
use super::plan::{self, Offer, Positions};
use crate::core::budget::{Budget, Spent};
use crate::core::shared_list::SharedList;
use crate::janrain::tenant::entities::insert_path;
use crate::janrain::tenant::record_index::IndexCache;
use crate::janrain::tenant::records::{Record, sort_records};
use crate::janrain::tenant::schema::EntityType;
use crate::janrain::tenant::state::{FindCap, JanrainState, OverCap};
use crate::janrain::wire::entity_error::{EntityError, FILTER_UNKNOWN_ATTRIBUTE};
use crate::janrain::wire::error::JanrainError;
use crate::janrain::wire::params::Params;

/// Only the named (dotted) attributes of a record view, nested as in the record.
fn project(record: &Record, schema: &EntityType, names: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    for name in names {
        let parts: Vec<&str> = name.split('.').collect();
        let value = record
            .view_of(schema, parts[0])
            .and_then(|top| parts[1..].iter().try_fold(&top, |v, p| v.get(*p)).cloned())
            .unwrap_or(Value::Null);
        insert_path(&mut out, &parts, value);
    }
    out
}

/// `/entity` server-side: the record, projected, or one attribute's value; with a password
/// check when asked (facts §1.2, §1.3).
pub(super) fn read(state: &JanrainState, params: &Params) -> Result<Value, JanrainError> {
    let schema = &state.entity_type;
    check_type(params, schema)?;
    let selector = Selector::from_params(params, schema)?;
    let names = attribute_list(params, schema)?;
    let record = &state.records[locate(state, &selector)?];
    check_guards(record, params)?;
    check_password(record, params)?;
    if let Some(path) = params.get("attribute_name").filter(|v| !v.is_empty() && *v != "/") {
        return attribute_value(record, schema, path);
    }
    let result = match names {
        Some(names) => project(record, schema, &names),
        None => record.view(schema),
    };
    Ok(json!({"result": result, "stat": "ok"}))
}

/// `password_attribute=password` + `password_value`: the record's password must match.
fn check_password(record: &Record, params: &Params) -> Result<(), JanrainError> {
    let Some(attribute) = params.get("password_attribute").filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    if attribute != "password" {
        return Err(EntityError::UnknownAttribute {
            path: attribute.to_owned(),
        }
        .into());
    }
    if !record.password_matches(params.require("password_value")?) {
        return Err(EntityError::InvalidPassword.into());
    }
    Ok(())
}

/// `attribute_name`: the value at that path of the record's view.
fn attribute_value(record: &Record, schema: &EntityType, path: &str) -> Result<Value, JanrainError> {
    let dotted = slash_to_dotted(path);
    if schema.lookup(&dotted).is_none() {
        return Err(EntityError::UnknownAttribute { path: path.to_owned() }.into());
    }
    let value = Value::Object(record.view(schema));
    let at = dotted
        .split('.')
        .try_fold(&value, |v, p| v.get(p))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(json!({"result": at, "stat": "ok"}))
}

/// The parsed `filter`, refused with the documented texts (facts §1.4).
fn filter_arg(params: &Params, schema: &EntityType) -> Result<Option<Filter>, JanrainError> {
    let Some(text) = params.get("filter").filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    Filter::parse(text, schema).map(Some).map_err(|err| match err {
        FilterError::Contains => EntityError::FilterContains.into(),
        FilterError::UnknownAttribute(path) => EntityError::NotValid {
            argument: "filter".into(),
            reason: FILTER_UNKNOWN_ATTRIBUTE.into(),
            hint: format!("the entity type declares no attribute {path}"),
        }
        .into(),
        // inf: the documented reason text is known only for unknown attributes.
        FilterError::Syntax(why) => EntityError::NotValid {
            argument: "filter".into(),
            reason: format!("syntax error: {why}"),
            hint: format!("the filter does not parse: {why}"),
        }
        .into(),
    })
}

/// The most a call's `timeout` may ask for, in seconds (facts §1.3: "up to 60 seconds").
const MAX_TIMEOUT_SECS: usize = 60;

/// An `entity.find` or `entity.count`, its arguments checked, with the records it reads.
pub(super) struct Search {
    schema: EntityType,
    records: SharedList<Record>,
    /// The app's indexes of the records (`entity::plan` decides what they answer).
    index: IndexCache,
    filter: Option<Filter>,
    budget: Duration,
    /// `entity.find`'s page; `None` for `entity.count`.
    page: Option<Page>,
}

struct Page {
    names: Option<Vec<String>>,
    sort: Vec<(String, bool)>,
    max: usize,
    first: usize,
    show_total: bool,
}

impl Search {
    /// `entity.find`: filter, sort, page, project (facts §1.3).
    pub(super) fn find(state: &JanrainState, params: &Params) -> Result<Self, JanrainError> {
        let mut search = Self::count(state, params)?;
        let schema = &state.entity_type;
        search.page = Some(Page {
            names: attribute_list(params, schema)?,
            sort: sort_keys(params, schema)?,
            max: page_size(params, state.find_cap)?,
            first: positive(params, "first_result", 1)?,
            show_total: params.get("show_total_count") == Some("true"),
        });
        Ok(search)
    }

    /// `entity.count` (facts §1.3).
    pub(super) fn count(state: &JanrainState, params: &Params) -> Result<Self, JanrainError> {
        let schema = &state.entity_type;
        check_type(params, schema)?;
        let filter = filter_arg(params, schema)?;
        let timeout = positive(params, "timeout", MAX_TIMEOUT_SECS)?.min(MAX_TIMEOUT_SECS);
        Ok(Self {
            schema: schema.clone(),
            records: state.records.clone(),
            index: state.record_index.clone(),
            filter,
            budget: state.search_timeout.min(Duration::from_secs(timeout as u64)),
            page: None,
        })
    }

    /// The answer, or the timeout error once the budget is spent.
    pub(super) fn run(&self) -> Result<Value, JanrainError> {
        let mut budget = Budget::new(self.budget);
        let timed_out = |Spent| {
            JanrainError::from(EntityError::QueryTimeout {
                budget_ms: u64::try_from(self.budget.as_millis()).unwrap_or(u64::MAX),
            })
        };
        let matches = self.matching(&mut budget).map_err(timed_out)?;
        let total = match &matches {
            Matches::Run(run) => run.len(),
            Matches::Found(found, _) => found.len(),
        };
        let Some(page) = &self.page else {
            budget.check().map_err(timed_out)?;
            return Ok(json!({"total_count": total, "stat": "ok"}));
        };
        // Sorting would read every record found; in id order already, an id sort is done.
        let by_id = page
            .sort
            .first()
            .is_none_or(|(path, descending)| path == "id" && !descending);
        let mut skip = page.first - 1;
        let (mut found, in_id_order) = match matches {
            // The page of an id range in id order: only its own records are read.
            Matches::Run(run) if by_id => {
                let start = run.start.saturating_add(skip).min(run.end);
                let end = start.saturating_add(page.max).min(run.end);
                skip = 0;
                ((start..end).map(|p| &self.records[p]).collect(), true)
            }
            Matches::Run(run) => (run.map(|p| &self.records[p]).collect(), true),
            Matches::Found(found, in_id_order) => (found, in_id_order),
        };
        if !(in_id_order && by_id) {
            sort_records(&mut found, &page.sort);
        }
        budget.check().map_err(timed_out)?;
        let schema = &self.schema;
        let results: Vec<Value> = (found.into_iter().skip(skip).take(page.max))
            .map(|r| {
                Value::Object(
                    page.names
                        .as_ref()
                        .map_or_else(|| r.view(schema), |n| project(r, schema, n)),
                )
            })
            .collect();
        Ok(find_body(results, page.show_total.then_some(total)))
    }

    /// The records the filter keeps, in order; each record tested is charged the filter's
    /// weight, each record an index lists as a match one unit (a run of matches costs nothing
    /// until its records are read).
    fn matching(&self, budget: &mut Budget) -> Result<Matches<'_>, Spent> {
        let Some(filter) = &self.filter else {
            return Ok(Matches::Found(self.records.iter().collect(), false));
        };
        let weight = filter.weight();
        let test = |record: &Record| filter.matches(&self.schema, &|path: &str| record.at_path(path));
        let index = self.index.for_search(&self.records);
        let in_id_order = index.as_ref().is_some_and(|index| index.id_ordered());
        let offer = index.and_then(|index| plan::offer(filter, &index, &self.records));
        let mut found = Vec::new();
        let in_id_order = in_id_order && offer.is_some();
        match offer {
            // Only an id range is a run, and the index found it in id order.
            Some(Offer {
                positions: Positions::Run(run),
                exact: true,
            }) => return Ok(Matches::Run(run)),
            Some(offer) if offer.exact => {
                for position in offer.positions.iter() {
                    budget.charge(1)?;
                    found.push(&self.records[position]);
                }
            }
            Some(offer) => {
                for position in offer.positions.iter() {
                    budget.charge(weight)?;
                    if test(&self.records[position]) {
                        found.push(&self.records[position]);
                    }
                }
            }
            None => {
                for record in self.records.iter() {
                    budget.charge(weight)?;
                    if test(record) {
                        found.push(record);
                    }
                }
            }
        }
        Ok(Matches::Found(found, in_id_order))
    }
}

/// What a filter keeps.
enum Matches<'r> {
    /// These positions of the records, every one a match, in id order (an id range).
    Run(Range<usize>),
    /// The records found, in the records' order, and whether that order is known to be id
    /// order (an index found them so).
    Found(Vec<&'r Record>, bool),
}

/// `max_results` within the app's cap (the cap when absent: Capture's default is NOT FOUND).
fn page_size(params: &Params, cap: FindCap) -> Result<usize, JanrainError> {
    let asked = positive(params, "max_results", cap.cap)?;
    if asked > cap.cap && cap.over_cap == OverCap::Error {
        // inf: the wording of Capture's refusal is NOT FOUND (facts `migration.md` §7 q1).
        return Err(not_valid("max_results", &format!("must be at most {}", cap.cap)));
    }
    Ok(asked.min(cap.cap))
}

fn positive(params: &Params, name: &str, default: usize) -> Result<usize, JanrainError> {
    match params.get(name).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(not_valid(name, "expected a positive integer")),
        },
    }
}

/// `entity.find`'s body; `total_count` only when asked (inf: the field name is NOT FOUND,
/// facts §1.3; `entity.count`'s).
fn find_body(results: Vec<Value>, total: Option<usize>) -> Value {
    let mut body = Map::new();
    body.insert("result_count".into(), Value::from(results.len()));
    if let Some(total) = total {
        body.insert("total_count".into(), Value::from(total));
    }
    body.insert("stat".into(), Value::from("ok"));
    body.insert("results".into(), Value::Array(results));
    Value::Object(body)
}

/// `sort_on`: a JSON array of names, `-` first for descending (facts §1.3).
fn sort_keys(params: &Params, schema: &EntityType) -> Result<Vec<(String, bool)>, JanrainError> {
    let Some(value) = json_arg(params, "sort_on")? else {
        return Ok(Vec::new());
    };
    let items = value
        .as_array()
        .ok_or_else(|| not_valid("sort_on", "expected a JSON array of attribute names"))?;
    items
        .iter()
        .map(|item| {
            let raw = item
                .as_str()
                .ok_or_else(|| not_valid("sort_on", "expected a JSON array of attribute names"))?;
            let (name, descending) = match raw.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (raw, false),
            };
            if schema.lookup(name).is_none() {
                return Err(EntityError::UnknownAttribute { path: name.to_owned() }.into());
            }
            Ok((name.to_owned(), descending))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::janrain::tenant::seed::JanrainFixture;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let body = serde_urlencoded::to_string(pairs).expect("encodes");
        Params::body_and_query(&"/entity.find".parse().expect("uri"), body.as_bytes())
    }

    /// 300 records for the index to answer about: emails, `created` values with repeats, a few
    /// empty emails, unset and non-string `created` values.
    fn indexed_state() -> JanrainState {
        let mut state = JanrainFixture::default_app().state().expect("fixture builds");
        let template = state.records[0].clone();
        for n in 0..300_u64 {
            let mut record = template.clone();
            record.id = state.next_id;
            state.next_id += 1;
            record.uuid = format!("uuid-{n}");
            record.email = if n % 50 == 7 {
                String::new()
            } else {
                format!("u{n}@example.com")
            };
            let created = match n % 40 {
                3 => Value::Null,
                5 => Value::from(20_150_101),
                _ => Value::from(format!("20{:02}-0{}-01 10:00:00.000000 +0000", 10 + n % 7, 1 + n % 9)),
            };
            record.attrs.insert("created".into(), created);
            state.records.push(record);
        }
        state
    }

    const FILTERS: &[&str] = &[
        "id > 10",
        "id >= '10'",
        "id < 5",
        "id <= 3",
        "id = 7",
        "id = '7.0'",
        "id > 'abc'",
        "id > 10 and id < 20",
        "id > 20 and id < 10",
        "id > 100 and email = 'u120@example.com'",
        "email = 'u12@example.com'",
        "email = 'nobody@example.com'",
        "email = ''",
        "email > 'u2' and email <= 'u3'",
        "email != 'u1@example.com'",
        "created > '2015' and created < '2016'",
        "created >= '2012-03-01 10:00:00.000000 +0000' and created <= '2013'",
        "created = '2011-02-01 10:00:00.000000 +0000'",
        "created > '2014' and lastUpdated > '2000'",
        "created > 20150000",
        "created = '20150101'",
        "created is null",
        "not created > '2015'",
        "created > '2015' or id = 3",
        "id > 5 and (email = 'u7@example.com' or email = 'u8@example.com')",
        "lastUpdated < '2030' and id >= 290",
        "email = 'u12@example.com' and created < '2000'",
    ];

    /// The first search of a version scans, the second builds the indexes, the third uses them:
    /// all three answer alike, for every filter, page and order (each filter starts from a
    /// fresh cache, so the first answer is the scan's).
    #[test]
    fn indexed_searches_answer_what_the_scan_answers() {
        let mut state = indexed_state();
        for round in 0..2 {
            for filter in FILTERS {
                // Pages inside, across and past the end of what a filter keeps.
                let pages = [("7", "2"), ("1000", "1"), ("3", "295"), ("2", "400")];
                let sorts = [
                    None,
                    Some(r#"["id"]"#),
                    Some(r#"["-id"]"#),
                    Some(r#"["created","-email"]"#),
                ];
                for ((max, first), sort) in pages.into_iter().flat_map(|page| sorts.map(|sort| (page, sort))) {
                    let mut pairs = vec![
                        ("type_name", "user"),
                        ("filter", *filter),
                        ("show_total_count", "true"),
                        ("max_results", max),
                        ("first_result", first),
                    ];
                    pairs.extend(sort.map(|s| ("sort_on", s)));
                    let call = params(&pairs);
                    // A fresh cache: the first search scans.
                    state.record_index = IndexCache::default();
                    let answers: Vec<Value> = (0..3)
                        .map(|_| Search::find(&state, &call).expect("checks").run().expect("answers"))
                        .collect();
                    assert_eq!(
                        answers[0], answers[1],
                        "round {round}: {filter} sorted {sort:?}, page {max} from {first}"
                    );
                    assert_eq!(
                        answers[0], answers[2],
                        "round {round}: {filter} sorted {sort:?}, page {max} from {first}"
                    );
                    let count = params(&[("type_name", "user"), ("filter", *filter)]);
                    state.record_index = IndexCache::default();
                    let counts: Vec<Value> = (0..2)
                        .map(|_| Search::count(&state, &count).expect("checks").run().expect("answers"))
                        .collect();
                    assert_eq!(counts[0], counts[1], "{filter}");
                    assert_eq!(counts[0]["total_count"], answers[0]["total_count"], "{filter}");
                }
            }
            // A change makes the indexes stale: the next searches scan, then index, the new records.
            let uuid = state.records[12].uuid.clone();
            let record = state.record_mut(&uuid).expect("seeded");
            record.email = "u120@example.com".into();
            record
                .attrs
                .insert("created".into(), Value::from("2015-06-01 10:00:00.000000 +0000"));
            state.records.retain(|r| r.id % 11 != 0);
        }
    }

    #[test]
    fn the_index_offers_only_what_the_comparisons_leave() {
        let state = indexed_state();
        let index = state.record_index.clone();
        assert!(index.for_search(&state.records).is_none(), "the first search scans");
        let index = index.for_search(&state.records).expect("the second builds");
        let offer = |text: &str| {
            let filter = Filter::parse(text, &state.entity_type).expect(text);
            plan::offer(&filter, &index, &state.records).map(|o| (o.positions.iter().count(), o.exact))
        };
        assert_eq!(offer("email = 'u12@example.com'"), Some((1, true)));
        assert_eq!(offer("id > 300"), Some((state.records.len() - 300, true)));
        assert_eq!(offer("id > 100 and id <= 110"), Some((10, true)));
        assert_eq!(offer("id > 100 and email = 'u120@example.com'"), Some((1, false)));
        // Eight records hold a number, always offered and tested.
        let created = offer("created > '2015' and created < '2016'").expect("indexed");
        assert!(!created.1 && created.0 < 100, "{created:?}");
        assert_eq!(offer("email != 'u1@example.com'"), None);
        assert_eq!(offer("created > '2015' or id = 3"), None);
        let mut out_of_order = state.records.clone();
        let mut first = out_of_order[0].clone();
        first.id = 10_000;
        out_of_order[0] = first;
        let reordered = state.record_index.clone();
        assert!(reordered.for_search(&out_of_order).is_none());
        let reordered = reordered.for_search(&out_of_order).expect("built");
        let filter = Filter::parse("id > 5", &state.entity_type).expect("parses");
        assert!(
            plan::offer(&filter, &reordered, &out_of_order).is_none(),
            "ids out of order: scan"
        );
    }

    #[test]
    fn a_search_past_its_budget_answers_the_timeout_and_timeout_only_lowers_the_budget() {
        let mut state = JanrainFixture::default_app().state().expect("fixture builds");
        let call = params(&[("type_name", "user"), ("filter", "id > 0")]);
        assert_eq!(
            Search::count(&state, &call).expect("checks").budget,
            state.search_timeout
        );
        let asks_less = params(&[("type_name", "user"), ("timeout", "1")]);
        assert_eq!(
            Search::count(&state, &asks_less).expect("checks").budget,
            Duration::from_secs(1)
        );
        let asks_more = params(&[("type_name", "user"), ("timeout", "3600")]);
        assert_eq!(
            Search::find(&state, &asks_more).expect("checks").budget,
            state.search_timeout
        );
        let garbled = params(&[("type_name", "user"), ("timeout", "soon")]);
        assert!(Search::count(&state, &garbled).is_err());

        state.search_timeout = Duration::ZERO;
        for search in [Search::find(&state, &call), Search::count(&state, &call)] {
            let refused = search.expect("checks").run().expect_err("no budget");
            assert!(
                matches!(
                    refused,
                    JanrainError::Entity(EntityError::QueryTimeout { budget_ms: 0 })
                ),
                "{refused:?}"
            );
        }
    }
}

#[cfg(test)]
mod export_tests {
    use super::*;
    use crate::janrain::tenant::seed::JanrainFixture;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let body = serde_urlencoded::to_string(pairs).expect("encodes");
        Params::body_and_query(&"/entity.find".parse().expect("uri"), body.as_bytes())
    }

    fn ids(body: &Value) -> Vec<u64> {
        body["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["id"].as_u64().expect("id"))
            .collect()
    }

    /// facts `migration.md` §1.1: both exporters page by `id > last` sorted on id and stop at
    /// the first short page.
    #[test]
    fn id_paging_as_both_exporters_send_it_reads_every_record_once() {
        let state = JanrainFixture::default_app().state().expect("fixture builds");
        let total = state.records.len() as u64;
        for spaced in [false, true] {
            let mut last = 0;
            let mut seen: Vec<u64> = Vec::new();
            loop {
                let filter = if spaced {
                    format!("id > {last}")
                } else {
                    format!("id>{last}")
                };
                let call = params(&[
                    ("type_name", "user"),
                    ("max_results", "2"),
                    ("filter", &filter),
                    ("sort_on", "[\"id\"]"),
                    ("attributes", "[\"id\", \"uuid\", \"email\"]"),
                ]);
                let page = ids(&Search::find(&state, &call).expect("checks").run().expect("runs"));
                seen.extend(&page);
                if page.len() < 2 {
                    break;
                }
                last = *page.last().expect("a full page");
            }
            assert_eq!(seen, (1..=total).collect::<Vec<_>>(), "spaced {spaced}");
        }
    }

    #[test]
    fn max_results_above_the_cap_is_clamped_or_refused_as_configured() {
        let mut state = JanrainFixture::default_app().state().expect("fixture builds");
        state.find_cap = FindCap {
            cap: 1,
            over_cap: OverCap::Clamp,
        };
        let call = params(&[
            ("type_name", "user"),
            ("max_results", "50000"),
            ("attributes", "[\"id\"]"),
        ]);
        let page = Search::find(&state, &call).expect("clamped").run().expect("runs");
        assert_eq!(page["result_count"], 1);
        state.find_cap.over_cap = OverCap::Error;
        assert!(Search::find(&state, &call).is_err());
        let at_cap = params(&[("type_name", "user"), ("max_results", "1")]);
        assert!(Search::find(&state, &at_cap).is_ok());
    }
}
