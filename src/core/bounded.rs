//! Caps for the per-tenant stores that grow with traffic (sessions, refresh tokens, jobs, users
//! created at runtime, …), so a load test left running cannot take the process's memory.
//!
//! A [`Cap`] sits next to the map or list it bounds. Before one more entry goes in, the owner
//! calls [`Cap::make_room`] (maps) or [`Cap::make_room_front`] (lists kept oldest first): when the
//! store is full, the entries that no longer matter go first (expired, revoked, orphaned), then the
//! oldest, a tenth of the cap at once so a full store is not scanned on every insert. Every entry
//! dropped that way is counted in [`Cap::evicted`], which `GET /__authmock__/tenant` reports under
//! `stores`. Below the cap nothing is dropped, so ordinary test runs never see a difference.
//! The caps of each provider are listed in `docs/control-api.md` ("Bounded stores").
//! Depends on nothing else in the crate.

use std::collections::HashMap;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

/// One bounded store as the control API reports it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoreSummary {
    /// Entries held now.
    pub len: usize,
    /// The most entries the store keeps.
    pub capacity: usize,
    /// Entries dropped to stay within `capacity`.
    pub evicted: u64,
    /// Dead entries (used, superseded, expired) forgotten once they stopped mattering; only the
    /// one-time secret stores report it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub forgotten: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The cap of one store and what it dropped so far.
#[derive(Debug, Clone, Copy)]
pub struct Cap {
    capacity: usize,
    evicted: u64,
}

impl Cap {
    /// A cap of `capacity` entries (at least one).
    pub const fn new(capacity: usize) -> Self {
        Self {
            capacity: if capacity == 0 { 1 } else { capacity },
            evicted: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Counts `n` entries dropped by the owner itself.
    pub fn count(&mut self, n: usize) {
        self.evicted += n as u64;
    }

    /// The report of a store of `len` entries under this cap.
    pub fn summary(&self, len: usize) -> StoreSummary {
        StoreSummary {
            len,
            capacity: self.capacity,
            evicted: self.evicted,
            forgotten: 0,
        }
    }

    /// How many entries go when a store of `len` must take one more.
    fn excess(&self, len: usize) -> usize {
        if len < self.capacity {
            0
        } else {
            (len + 1 - self.capacity).max(self.capacity / 10)
        }
    }

    /// Makes room in `map` for one more entry: when it is full, drops the entries `dead` marks,
    /// then those with the smallest `age` (oldest first). Returns the keys dropped, so the owner
    /// can drop what hangs off them.
    pub fn make_room<K: Clone + Eq + Hash + Ord, V>(
        &mut self,
        map: &mut HashMap<K, V>,
        dead: impl Fn(&K, &V) -> bool,
        age: impl Fn(&V) -> i64,
    ) -> Vec<K> {
        let excess = self.excess(map.len());
        if excess == 0 {
            return Vec::new();
        }
        let mut order: Vec<(bool, i64, K)> = map
            .iter()
            .map(|(key, value)| (!dead(key, value), age(value), key.clone()))
            .collect();
        order.sort_unstable();
        let gone: Vec<K> = order.into_iter().take(excess).map(|(_, _, key)| key).collect();
        for key in &gone {
            map.remove(key);
        }
        self.evicted += gone.len() as u64;
        gone
    }

    /// Makes room in `list` (oldest first) for one more entry: when it is full, drops the oldest
    /// entries `evictable` allows. Returns what it dropped.
    pub fn make_room_front<V>(&mut self, list: &mut Vec<V>, evictable: impl Fn(&V) -> bool) -> Vec<V> {
        let mut excess = self.excess(list.len());
        if excess == 0 {
            return Vec::new();
        }
        let mut kept = Vec::with_capacity(list.len());
        let mut gone = Vec::new();
        for value in list.drain(..) {
            if excess > 0 && evictable(&value) {
                excess -= 1;
                gone.push(value);
            } else {
                kept.push(value);
            }
        }
        *list = kept;
        self.evicted += gone.len() as u64;
        gone
    }
}

/// A list kept oldest first that holds at most its cap, whoever pushes: a push into a full list
/// first drops the oldest entries ([`Cap::make_room_front`]) and hands them back, so the owner
/// can drop what hangs off them. Reading is a slice; changing an entry in place is allowed, adding
/// one goes through [`BoundedList::push`].
#[derive(Debug, Clone)]
pub struct BoundedList<T> {
    items: Vec<T>,
    cap: Cap,
}

impl<T> BoundedList<T> {
    /// An empty list of at most `capacity` entries.
    pub const fn new(capacity: usize) -> Self {
        Self {
            items: Vec::new(),
            cap: Cap::new(capacity),
        }
    }

    /// Adds `item` last, after making room for it; returns the entries that went.
    pub fn push(&mut self, item: T) -> Vec<T> {
        let gone = self.cap.make_room_front(&mut self.items, |_| true);
        self.items.push(item);
        gone
    }

    /// Keeps the entries `keep` says to keep (a deletion, not an eviction: not counted).
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }

    /// Removes the entry at `index`.
    pub fn remove(&mut self, index: usize) -> T {
        self.items.remove(index)
    }

    /// The report of this store.
    pub fn summary(&self) -> StoreSummary {
        self.cap.summary(self.items.len())
    }

    /// Another cap, for tests that fill a store.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.cap = Cap::new(capacity);
    }
}

impl<T> std::ops::Deref for BoundedList<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> std::ops::DerefMut for BoundedList<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items
    }
}

/// A map that holds at most its cap, whoever inserts: inserting a new key into a full map first
/// drops the entries the caller's `dead` marks, then those with the smallest `age`
/// ([`Cap::make_room`]). Reading is the map's; changing it goes through the methods here.
#[derive(Debug, Clone)]
pub struct BoundedMap<K, V> {
    map: HashMap<K, V>,
    cap: Cap,
}

impl<K: Clone + Eq + Hash + Ord, V> BoundedMap<K, V> {
    /// An empty map of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            cap: Cap::new(capacity),
        }
    }

    /// Inserts `value` under `key`; a new key first makes room. Returns the keys that went.
    pub fn insert(&mut self, key: K, value: V, dead: impl Fn(&K, &V) -> bool, age: impl Fn(&V) -> i64) -> Vec<K> {
        let gone = if self.map.contains_key(&key) {
            Vec::new()
        } else {
            self.cap.make_room(&mut self.map, dead, age)
        };
        self.map.insert(key, value);
        gone
    }

    /// The value under `key`, inserted as `default()` (after making room) when absent.
    pub fn get_or_insert(
        &mut self,
        key: K,
        default: impl FnOnce() -> V,
        dead: impl Fn(&K, &V) -> bool,
        age: impl Fn(&V) -> i64,
    ) -> &mut V {
        if !self.map.contains_key(&key) {
            self.cap.make_room(&mut self.map, dead, age);
        }
        self.map.entry(key).or_insert_with(default)
    }

    pub fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.map.get_mut(key)
    }

    pub fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.map.remove(key)
    }

    /// Keeps the entries `keep` says to keep (a deletion, not an eviction: not counted).
    pub fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        self.map.retain(keep);
    }

    /// The report of this store.
    pub fn summary(&self) -> StoreSummary {
        self.cap.summary(self.map.len())
    }

    /// Another cap, for tests that fill a store.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.cap = Cap::new(capacity);
    }
}

impl<K, V> std::ops::Deref for BoundedMap<K, V> {
    type Target = HashMap<K, V>;

    fn deref(&self) -> &HashMap<K, V> {
        &self.map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_drops_the_dead_first_then_the_oldest_and_counts_them() {
        let mut cap = Cap::new(10);
        let mut map: HashMap<u32, (bool, i64)> = (0..10).map(|i| (i, (i == 7, i64::from(i)))).collect();
        let gone = cap.make_room(&mut map, |_, v| v.0, |v| v.1);
        // One tenth of 10 is 1: the dead entry goes, every live one stays.
        assert_eq!(gone, vec![7]);
        assert_eq!(cap.evicted(), 1);
        map.insert(7, (false, 100));
        let gone = cap.make_room(&mut map, |_, v| v.0, |v| v.1);
        assert_eq!(gone, vec![0], "then the oldest");
        assert_eq!(cap.evicted(), 2);
        assert_eq!(map.len(), 9);
    }

    #[test]
    fn below_the_cap_nothing_goes() {
        let mut cap = Cap::new(10);
        let mut map: HashMap<u32, i64> = (0..9).map(|i| (i, 0)).collect();
        assert!(cap.make_room(&mut map, |_, _| true, |v| *v).is_empty());
        let mut list: Vec<u32> = (0..9).collect();
        assert!(cap.make_room_front(&mut list, |_| true).is_empty());
        assert_eq!((map.len(), list.len(), cap.evicted()), (9, 9, 0));
    }

    #[test]
    fn a_full_list_drops_its_oldest_evictable_entries_only() {
        let mut cap = Cap::new(100);
        let mut list: Vec<u32> = (0..100).collect();
        // Entries below 5 are pinned (seeded): the ten oldest others go.
        let gone = cap.make_room_front(&mut list, |v| *v >= 5);
        assert_eq!(gone, (5..15).collect::<Vec<_>>());
        assert_eq!(list.len(), 90);
        assert_eq!(&list[..6], &[0, 1, 2, 3, 4, 15]);
        assert_eq!(cap.evicted(), 10);
    }

    #[test]
    fn a_bounded_list_makes_room_on_push_and_hands_back_what_went() {
        let mut list = BoundedList::new(10);
        for i in 0..10 {
            assert!(list.push(i).is_empty());
        }
        assert_eq!(list.push(10), vec![0]);
        assert_eq!(list.len(), 10);
        assert_eq!(list[9], 10);
        list.retain(|v| *v != 5);
        let report = list.summary();
        assert_eq!((report.len, report.capacity, report.evicted), (9, 10, 1));
    }

    #[test]
    fn a_bounded_map_makes_room_for_new_keys_only() {
        let mut map = BoundedMap::new(10);
        for i in 0..10u32 {
            map.insert(i, i64::from(i), |_, _| false, |v| *v);
        }
        assert!(
            map.insert(3, 30, |_, _| false, |v| *v).is_empty(),
            "an existing key takes no room"
        );
        assert_eq!(
            map.insert(10, 100, |_, _| false, |v| *v),
            vec![0],
            "the smallest age goes"
        );
        *map.get_or_insert(11, || 0, |k, _| *k == 3, |v| *v) += 1;
        assert!(!map.contains_key(&3), "the dead go first");
        assert_eq!(map[&11], 1);
        assert_eq!(map.summary().evicted, 2);
    }
}
