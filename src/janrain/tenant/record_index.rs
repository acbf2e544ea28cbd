//! The indexes `entity.find` and `entity.count` narrow their scan with: the attributes data
//! exporters page and filter by (`id`, `email`, `created`, `lastUpdated`).
//!
//! `id` needs no index: records are kept in creation order, which is id order (checked when an
//! index is built, so a list that is not falls back to the scan). Each text attribute gets the
//! positions of the records holding a string, sorted by that string: a comparison with a
//! quoted literal is a binary search, and 100,000 records cost 400 KB per attribute. Records
//! holding another kind of value (only a fixture could write one) are listed apart and always
//! tested; records with none (`null`) never match a comparison.
//!
//! An index describes one [`SharedList::version`] of the records: it is built on the second
//! search of a version (the first one scans, so an app written between every two searches
//! never pays for a build), kept in an [`IndexCache`] shared by the app and its searches'
//! snapshots, and used only by a search over that same version. Nothing here decides a match:
//! the search tests its whole filter against what an index offers, unless the index gave
//! exactly the records that pass.
//! Leaf data: depends on `records` and `core::shared_list` only.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::{Bound, Range};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::records::Record;
use crate::core::shared_list::SharedList;

/// The text attributes indexed, besides `id` (the exporters' filters).
pub const TEXT_ATTRIBUTES: &[&str] = &["email", "created", "lastUpdated"];

/// The app's index, shared with the snapshots its searches run on.
#[derive(Debug, Clone, Default)]
pub struct IndexCache(Arc<Mutex<Cached>>);

#[derive(Debug, Default)]
struct Cached {
    /// The version a search last ran on.
    searched: Option<u64>,
    index: Option<Arc<RecordIndex>>,
}

/// The indexes over one version of the records.
#[derive(Debug)]
pub struct RecordIndex {
    version: u64,
    /// Records are in ascending id order (creation order).
    id_ordered: bool,
    text: HashMap<&'static str, TextIndex>,
}

#[derive(Debug, Default)]
struct TextIndex {
    /// Positions of the records whose value is a string, by that string.
    sorted: Vec<u32>,
    /// Positions of the records whose value is neither a string nor null, in order.
    others: Vec<u32>,
}

/// A record's value of an indexed text attribute, as `entity.find` compares it: the fields
/// read `null` when empty.
fn text_of<'r>(record: &'r Record, name: &str) -> Option<Result<&'r str, ()>> {
    let field = |s: &'r str| (!s.is_empty()).then_some(Ok(s));
    match name {
        "email" => field(&record.email),
        other => match record.attrs.get(other) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(Ok(s)),
            Some(_) => Some(Err(())),
        },
    }
}

impl IndexCache {
    /// The index of `records`' version, if a search may use one: built on the second search
    /// of a version, `None` on the first.
    pub fn for_search(&self, records: &SharedList<Record>) -> Option<Arc<RecordIndex>> {
        let version = records.version();
        let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = cached.index.as_ref().filter(|i| i.version == version) {
            return Some(Arc::clone(index));
        }
        if cached.searched.replace(version) != Some(version) {
            return None;
        }
        drop(cached);
        // Built outside the lock: another search of the same version may build it too.
        let index = Arc::new(RecordIndex::build(records));
        let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cached.index = Some(Arc::clone(&index));
        Some(index)
    }
}

impl RecordIndex {
    fn build(records: &SharedList<Record>) -> Self {
        let id_ordered = records.windows(2).all(|pair| pair[0].id < pair[1].id);
        let text = TEXT_ATTRIBUTES
            .iter()
            .map(|&name| {
                let mut others = Vec::new();
                let mut values = Vec::with_capacity(records.len());
                for (position, record) in records.iter().enumerate() {
                    let position = u32::try_from(position).expect("fewer than 2^32 records");
                    match text_of(record, name) {
                        Some(Ok(value)) => values.push((value, position)),
                        Some(Err(())) => others.push(position),
                        None => {}
                    }
                }
                values.sort_unstable();
                let sorted = values.into_iter().map(|(_, position)| position).collect();
                (name, TextIndex { sorted, others })
            })
            .collect();
        Self {
            version: records.version(),
            id_ordered,
            text,
        }
    }

    /// Whether the records are in ascending id order (creation order, as they are kept).
    pub fn id_ordered(&self) -> bool {
        self.id_ordered
    }

    /// The positions whose id lies between `low` and `high` (compared as `f64`, as
    /// `entity.find` compares ids), when the records are in id order.
    pub fn ids(&self, records: &SharedList<Record>, low: Bound<f64>, high: Bound<f64>) -> Option<Range<usize>> {
        if !self.id_ordered || records.version() != self.version {
            return None;
        }
        let id = |r: &Arc<Record>| r.id as f64;
        Some(between(records, low, high, |r, v| id(r).partial_cmp(v)))
    }

    /// Where the string values of `name` between `low` and `high` lie in
    /// [`RecordIndex::text_positions`]`(name)`.
    pub fn texts(
        &self,
        records: &SharedList<Record>,
        name: &str,
        low: Bound<&str>,
        high: Bound<&str>,
    ) -> Option<Range<usize>> {
        let index = self.text.get(name).filter(|_| records.version() == self.version)?;
        Some(between(&index.sorted, low, high, |p, v| {
            Some(text_at(records, name, *p).cmp(*v))
        }))
    }

    /// The positions of the records holding a string value of `name`, by that value.
    pub fn text_positions(&self, name: &str) -> &[u32] {
        self.text.get(name).map_or(&[], |index| &index.sorted)
    }

    /// The positions of the records whose value of `name` is neither a string nor null.
    pub fn text_others(&self, name: &str) -> &[u32] {
        self.text.get(name).map_or(&[], |index| &index.others)
    }
}

/// The range of `sorted` (ascending by `order`) between `low` and `high`; an item that does
/// not compare (`None`) counts as below every bound, so the range holds all that match.
fn between<T, V>(
    sorted: &[T],
    low: Bound<V>,
    high: Bound<V>,
    order: impl Fn(&T, &V) -> Option<Ordering>,
) -> Range<usize> {
    let below = |item: &T, v: &V| !matches!(order(item, v), Some(Ordering::Greater | Ordering::Equal));
    let at_most = |item: &T, v: &V| !matches!(order(item, v), Some(Ordering::Greater));
    let start = match &low {
        Bound::Unbounded => 0,
        Bound::Included(v) => sorted.partition_point(|item| below(item, v)),
        Bound::Excluded(v) => sorted.partition_point(|item| at_most(item, v)),
    };
    let end = match &high {
        Bound::Unbounded => sorted.len(),
        Bound::Included(v) => sorted.partition_point(|item| at_most(item, v)),
        Bound::Excluded(v) => sorted.partition_point(|item| below(item, v)),
    };
    start..end.max(start)
}

/// The string value at `position` (every sorted position holds one).
fn text_at<'r>(records: &'r SharedList<Record>, name: &str, position: u32) -> &'r str {
    match text_of(&records[position as usize], name) {
        Some(Ok(s)) => s,
        _ => "",
    }
}
