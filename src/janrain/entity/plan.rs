//! Which records an `entity.find` or `entity.count` tests: all of them, or the ones an index
//! offers for one of its filter's comparisons (`tenant::record_index`).
//!
//! A filter that is one comparison, or comparisons joined by `and`, on `id` (a number, quoted
//! or not) or on `email`, `created` or `lastUpdated` (a quoted string) with `=`, `<`, `<=`, `>`
//! or `>=`, is answered from the index of the attribute whose comparisons leave the fewest
//! records. Every record that passes the filter passes those comparisons, so the records
//! offered hold every match; they are offered in the records' order, so the answer is the scan's.
//! When the filter is nothing but those comparisons, the offer is the answer and nothing is
//! tested; otherwise each record offered is tested against the whole filter.

use std::ops::{Bound, Range};

use super::filter::{Filter, Literal, Op};
use crate::core::shared_list::SharedList;
use crate::janrain::tenant::record_index::{RecordIndex, TEXT_ATTRIBUTES};
use crate::janrain::tenant::records::Record;

/// The records to test, by position in ascending order.
pub(super) struct Offer {
    pub positions: Positions,
    /// Every record offered passes the filter.
    pub exact: bool,
}

/// Positions in ascending order: a run of them (an id range, 99,000 positions of an exporter's
/// `id > N` kept as two numbers), or a list.
pub(super) enum Positions {
    Run(Range<usize>),
    Listed(Vec<usize>),
}

impl Positions {
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (run, listed) = match self {
            Self::Run(run) => (Some(run.clone()), None),
            Self::Listed(list) => (None, Some(list.iter().copied())),
        };
        run.into_iter().flatten().chain(listed.into_iter().flatten())
    }
}

/// One comparison the index can answer: on `id` (bounds as numbers) or on a text attribute.
enum Narrowing<'f> {
    Id(Bound<f64>, Bound<f64>),
    Text(&'static str, Bound<&'f str>, Bound<&'f str>),
}

/// The bounds `op literal` puts on a value.
fn bounds<V: Copy>(op: Op, value: V) -> Option<(Bound<V>, Bound<V>)> {
    Some(match op {
        Op::Eq => (Bound::Included(value), Bound::Included(value)),
        Op::Gt => (Bound::Excluded(value), Bound::Unbounded),
        Op::Ge => (Bound::Included(value), Bound::Unbounded),
        Op::Lt => (Bound::Unbounded, Bound::Excluded(value)),
        Op::Le => (Bound::Unbounded, Bound::Included(value)),
        Op::Ne => return None,
    })
}

/// What an index can do for one part of an `and` (how `filter::compare` compares it).
fn narrowing(part: &Filter) -> Option<Narrowing<'_>> {
    let Filter::Compare { path, op, literal } = part else {
        return None;
    };
    if path == "id" {
        let number = match literal {
            Literal::Number(n) => *n,
            // "Integers work with or without quotes" (facts §1.4).
            Literal::Text(t) => t.trim().parse::<f64>().ok()?,
            Literal::Bool(_) | Literal::Null => return None,
        };
        let (low, high) = bounds(*op, number)?;
        return Some(Narrowing::Id(low, high));
    }
    let name = TEXT_ATTRIBUTES.iter().find(|name| *name == path)?;
    let Literal::Text(text) = literal else {
        return None;
    };
    let (low, high) = bounds(*op, text.as_str())?;
    Some(Narrowing::Text(name, low, high))
}

/// The records `filter` can match according to `index`; `None` when it cannot tell (scan).
pub(super) fn offer(filter: &Filter, index: &RecordIndex, records: &SharedList<Record>) -> Option<Offer> {
    let parts: Vec<&Filter> = match filter {
        Filter::And(parts) => parts.iter().collect(),
        other => vec![other],
    };
    let narrowings: Vec<Option<Narrowing>> = parts.iter().map(|part| narrowing(part)).collect();
    // Per attribute, the positions its comparisons leave (ranges intersect).
    let mut ids: Option<Range<usize>> = None;
    let mut texts: Vec<(&'static str, Range<usize>)> = Vec::new();
    for narrowing in narrowings.iter().flatten() {
        match narrowing {
            Narrowing::Id(low, high) => {
                let range = index.ids(records, *low, *high)?;
                ids = Some(intersect(ids, range));
            }
            Narrowing::Text(name, low, high) => {
                let range = index.texts(records, name, *low, *high)?;
                match texts.iter_mut().find(|(n, _)| n == name) {
                    Some((_, kept)) => *kept = intersect(Some(kept.clone()), range),
                    None => texts.push((name, range)),
                }
            }
        }
    }
    let all_narrow = narrowings.iter().all(Option::is_some);
    let by_id = ids.map(|range| (range.len(), None, range));
    let by_text = texts
        .into_iter()
        .map(|(name, range)| (range.len() + index.text_others(name).len(), Some(name), range));
    let (_, name, range) = by_id.into_iter().chain(by_text).min_by_key(|(size, _, _)| *size)?;
    let Some(name) = name else {
        let exact = all_narrow && narrowings.iter().flatten().all(|n| matches!(n, Narrowing::Id(..)));
        return Some(Offer {
            positions: Positions::Run(range),
            exact,
        });
    };
    let others = index.text_others(name);
    let mut positions: Vec<usize> = (index.text_positions(name)[range].iter())
        .chain(others)
        .map(|p| *p as usize)
        .collect();
    positions.sort_unstable();
    let only_this = narrowings
        .iter()
        .flatten()
        .all(|n| matches!(n, Narrowing::Text(n, ..) if *n == name));
    Some(Offer {
        positions: Positions::Listed(positions),
        exact: all_narrow && only_this && others.is_empty(),
    })
}

fn intersect(kept: Option<Range<usize>>, range: Range<usize>) -> Range<usize> {
    match kept {
        None => range,
        Some(kept) => {
            let start = kept.start.max(range.start);
            start..kept.end.min(range.end).max(start)
        }
    }
}
