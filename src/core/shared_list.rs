//! A list whose snapshot costs two reference counts: [`SharedList`] keeps its items behind
//! `Arc`s in an `Arc`ed vector, so [`Clone`] copies nothing, and every change is copy-on-write
//! (the vector is copied only while a snapshot still holds it, one item only while a snapshot
//! holds that item). A store searched outside its tenant lock (users, Capture records) hands the
//! search a clone taken under the lock and lets go of the lock at once; writes made meanwhile
//! are not seen by that search, as if it had run first. [`SharedList::version`] names what a
//! list holds: an index built over a snapshot describes every list of the same version.
//! Depends on nothing else in the crate.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Versions are unique in the process: two lists with the same version hold the same items.
static NEXT_VERSION: AtomicU64 = AtomicU64::new(1);

fn fresh_version() -> u64 {
    NEXT_VERSION.fetch_add(1, Ordering::Relaxed)
}

/// A list of `T`, cheap to snapshot, changed only through its own methods.
#[derive(Debug)]
pub struct SharedList<T> {
    items: Arc<Vec<Arc<T>>>,
    version: u64,
}

impl<T> Clone for SharedList<T> {
    fn clone(&self) -> Self {
        Self {
            items: Arc::clone(&self.items),
            version: self.version,
        }
    }
}

impl<T> Default for SharedList<T> {
    fn default() -> Self {
        Self::from(Vec::<Arc<T>>::new())
    }
}

impl<T> From<Vec<T>> for SharedList<T> {
    fn from(items: Vec<T>) -> Self {
        Self::from(items.into_iter().map(Arc::new).collect::<Vec<_>>())
    }
}

/// The items as `Arc`s (to keep one beyond the list); [`SharedList::iter`] and indexing read
/// them plain.
impl<T> From<Vec<Arc<T>>> for SharedList<T> {
    fn from(items: Vec<Arc<T>>) -> Self {
        Self {
            items: Arc::new(items),
            version: fresh_version(),
        }
    }
}

impl<T> Deref for SharedList<T> {
    type Target = [Arc<T>];

    fn deref(&self) -> &[Arc<T>] {
        &self.items
    }
}

impl<T> std::ops::Index<usize> for SharedList<T> {
    type Output = T;

    fn index(&self, position: usize) -> &T {
        &self.items[position]
    }
}

/// Copy-on-write: the item is copied first if a snapshot holds it.
impl<T: Clone> std::ops::IndexMut<usize> for SharedList<T> {
    fn index_mut(&mut self, position: usize) -> &mut T {
        Arc::make_mut(&mut self.items_mut()[position])
    }
}

impl<T> SharedList<T> {
    /// The items in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter().map(|item| &**item)
    }

    /// What the list holds: a new number after every change (an unchanged list and its
    /// snapshots share theirs).
    pub fn version(&self) -> u64 {
        self.version
    }
}

impl<T: Clone> SharedList<T> {
    /// Every change goes through here (or [`SharedList::clear`]), and so gets a new version.
    fn items_mut(&mut self) -> &mut Vec<Arc<T>> {
        self.version = fresh_version();
        Arc::make_mut(&mut self.items)
    }

    pub fn push(&mut self, item: T) {
        self.items_mut().push(Arc::new(item));
    }

    /// Keeps the items `keep` chooses; it sees each item once, in order. Nothing is copied when
    /// it keeps them all.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let kept: Vec<bool> = self.items.iter().map(|item| keep(item)).collect();
        if kept.iter().all(|k| *k) {
            return;
        }
        let mut kept = kept.into_iter();
        self.items_mut().retain(|_| kept.next().unwrap_or(true));
    }

    /// The item at `index`, to change.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.items_mut().get_mut(index).map(Arc::make_mut)
    }

    /// The first item `pick` chooses, to change (only that item is copied if shared).
    pub fn find_mut(&mut self, mut pick: impl FnMut(&T) -> bool) -> Option<&mut T> {
        let index = self.items.iter().position(|item| pick(item))?;
        self.get_mut(index)
    }

    pub fn clear(&mut self) {
        self.version = fresh_version();
        self.items = Arc::default();
    }

    /// Takes the item at `index` out of the list.
    pub fn remove(&mut self, index: usize) -> T {
        let item = self.items_mut().remove(index);
        Arc::unwrap_or_clone(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_keeps_what_it_saw_while_the_list_changes() {
        let mut list = SharedList::from(vec![1, 2, 3]);
        let snapshot = list.clone();
        list.push(4);
        *list.find_mut(|n| *n == 2).expect("two") = 20;
        let mut seen = Vec::new();
        list.retain(|n| {
            seen.push(*n);
            *n != 3
        });
        assert_eq!(seen, [1, 20, 3, 4], "each item is offered once");
        list[0] = 10;
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), [10, 20, 4]);
        assert_eq!(snapshot.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(list[1], 20);
    }

    #[test]
    fn every_change_gives_a_new_version_and_a_snapshot_keeps_its_own() {
        let mut list = SharedList::from(vec![1, 2, 3]);
        let snapshot = list.clone();
        assert_eq!(snapshot.version(), list.version());
        let mut seen = vec![list.version()];
        list.push(4);
        seen.push(list.version());
        list[0] = 10;
        seen.push(list.version());
        let _ = list.find_mut(|n| *n == 2);
        seen.push(list.version());
        list.retain(|n| *n != 3);
        seen.push(list.version());
        let _ = list.remove(0);
        seen.push(list.version());
        list.clear();
        seen.push(list.version());
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{seen:?}");
        assert_eq!(snapshot.version(), seen[0], "the snapshot did not change");
        assert_ne!(SharedList::from(vec![1]).version(), SharedList::from(vec![1]).version());
    }

    #[test]
    fn unchanged_items_stay_shared_with_the_snapshot() {
        let mut list = SharedList::from(vec![String::from("a"), String::from("b")]);
        let snapshot = list.clone();
        list[1] = "B".into();
        assert_eq!(list.remove(1), "B");
        list.push("B".into());
        assert!(std::ptr::eq(&list[0], &snapshot[0]), "only the changed item is copied");
        assert!(!std::ptr::eq(&list[1], &snapshot[1]));
    }
}
