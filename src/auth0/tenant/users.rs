//! The tenant's users ([`User`]), and the exact-value index user search narrows its scan with.
//!
//! [`Users`] reads like a list of [`User`] (it derefs to a [`SharedList`]) but hands out mutable access only
//! through its own methods, and each of them drops the index: the index can never describe users
//! that have changed since it was built. An index is per search field and built on demand by
//! user search (`management/users/search.rs`, which knows the fields): a sorted list of `(hash of the value, position)`, so
//! a lookup is a binary search and 100,000 users cost about 0.8 MB per indexed field. A hash
//! collision only adds a candidate; search checks every candidate against the whole query, so
//! the index narrows the scan and never decides a match. A trailing-wildcard search
//! (`email:user12*`) uses a field's values sorted ([`Sorted`]: one string, 12 bytes a value),
//! where the values starting with the text are one run.
//!
//! An index is built on the second search after a change, not the first: a tenant that changes
//! between every two searches keeps answering by scan, which costs less than a build.
//!
//! [`Users::snapshot`] costs two reference counts (a [`SharedList`] and the index cache's `Arc`):
//! user search takes one under the tenant lock and matches outside it. A change gives the live
//! list a fresh cache, so a snapshot keeps the index that describes its own users.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use crate::core::shared_list::SharedList;

use md5::Digest as _;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth0::wire::mail::Recipient;
use crate::core::password::PasswordHash;

/// A user's `picture`. Most users carry the Gravatar URL of the email they were created with: it
/// is kept as the email's MD5 and the initials (32 bytes in the `User` instead of a 130-byte
/// string beside it, 14 MB per 100,000 users) and written out when shown. Any other URL is kept
/// as given. A URL reads back as it came whichever form holds it ([`Picture::from`] keeps the
/// short form only for a URL it renders to the same text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picture {
    Gravatar {
        /// `secure.gravatar.com` (imported users) rather than `s.gravatar.com`.
        secure: bool,
        md5: [u8; 16],
        /// Up to two lowercase ASCII letters, zero-padded.
        initials: [u8; 2],
    },
    Url(String),
}

/// The two hosts, `secure: false` first (obs: facts `auth0-users.md` §1.2; an imported user's
/// picture is on secure.gravatar.com, obs: REC-job users-by-email).
const GRAVATAR_HOSTS: [&str; 2] = ["https://s.gravatar.com/avatar/", "https://secure.gravatar.com/avatar/"];
/// Between the hash and the initials: the size, the rating and the initials fallback.
const GRAVATAR_FALLBACK: &str = "?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F";

impl Picture {
    /// The Gravatar URL with the initials fallback database users get: the MD5 of the email, as
    /// Gravatar hashes it, and the nickname's first two ASCII letters, lowercased.
    pub fn gravatar(email: &str, nickname: &str, secure: bool) -> Self {
        let mut initials = [0; 2];
        let letters = nickname.bytes().filter(u8::is_ascii_alphabetic);
        for (slot, letter) in initials.iter_mut().zip(letters) {
            *slot = letter.to_ascii_lowercase();
        }
        Self::Gravatar {
            secure,
            md5: md5::Md5::digest(email.as_bytes()).into(),
            initials,
        }
    }

    /// The URL as the API shows it.
    pub fn url(&self) -> Cow<'_, str> {
        match self {
            Self::Url(url) => Cow::Borrowed(url),
            gravatar => Cow::Owned(gravatar.to_string()),
        }
    }

    /// The short form of `url` when it is a Gravatar URL as [`Picture::gravatar`] writes them.
    fn parse_gravatar(url: &str) -> Option<Self> {
        let (secure, rest) = [false, true]
            .into_iter()
            .zip(GRAVATAR_HOSTS)
            .find_map(|(secure, host)| Some((secure, url.strip_prefix(host)?)))?;
        let (hex, rest) = rest.split_at_checked(32)?;
        let letters = rest.strip_prefix(GRAVATAR_FALLBACK)?.strip_suffix(".png")?;
        if letters.len() > 2 || !letters.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        let md5: [u8; 16] = data_encoding::HEXLOWER.decode(hex.as_bytes()).ok()?.try_into().ok()?;
        let mut initials = [0; 2];
        initials[..letters.len()].copy_from_slice(letters.as_bytes());
        Some(Self::Gravatar { secure, md5, initials })
    }
}

impl From<String> for Picture {
    fn from(url: String) -> Self {
        Self::parse_gravatar(&url).unwrap_or(Self::Url(url))
    }
}

impl fmt::Display for Picture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(url) => f.write_str(url),
            Self::Gravatar { secure, md5, initials } => {
                f.write_str(GRAVATAR_HOSTS[usize::from(*secure)])?;
                f.write_str(&data_encoding::HEXLOWER.encode(md5))?;
                f.write_str(GRAVATAR_FALLBACK)?;
                for &letter in initials.iter().take_while(|&&b| b != 0) {
                    f.write_char(char::from(letter))?;
                }
                f.write_str(".png")
            }
        }
    }
}

/// A user of a database connection.
#[derive(Debug, Clone)]
pub struct User {
    /// `auth0|<24 hex>`.
    pub user_id: String,
    pub email: String,
    pub email_verified: bool,
    pub connection: String,
    pub password: Option<PasswordHash>,
    /// The password the fixture gave, shown by `GET /__authmock__/tenant` so tests can log in;
    /// forgotten as soon as the password changes.
    pub fixture_password: Option<String>,
    pub name: String,
    pub nickname: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Only for connections that require a username; absent until set.
    pub username: Option<String>,
    pub picture: Picture,
    /// The admin block, absent until a create, a PATCH or the fixture sets it; once set the key
    /// stays, `false` too. obs (go-auth0 v1 test/data/recordings/TestUserManager_Create.yaml,
    /// TestUserManager_List.yaml, TestUserManager_Update.yaml): a user created with
    /// `"blocked":false` reads back `"blocked":false` from POST, PATCH and search alike, a user
    /// created without it has no `blocked` key (terraform-provider-auth0
    /// test/data/recordings/TestAccUser.yaml, every GET). inf: a PATCH to `false` after `true`
    /// keeps `"blocked":false` by the same rule (no recording unblocks a user).
    pub blocked: Option<bool>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_password_reset: Option<OffsetDateTime>,
    pub last_login: Option<OffsetDateTime>,
    pub logins_count: u64,
    pub user_metadata: Map<String, Value>,
    pub app_metadata: Map<String, Value>,
    /// Earlier passwords, newest first, for the connection's password history rule.
    pub password_history: Vec<PasswordHash>,
    /// A PATCH that sent `user_metadata` (even `{}`) makes the key appear, empty or not, while
    /// an empty `app_metadata` always disappears (facts `auth0-users.md` §3, obs).
    pub user_metadata_set: bool,
    /// Profile keys first set by an update after the user was created, in the order they were
    /// set: the provider lists them after the keys the user was created with (obs:
    /// terraform-provider-auth0 test/data/recordings/TestAccUser.yaml, interactions 4-20).
    pub late_keys: Vec<&'static str>,
}

impl User {
    /// Whether an admin block stops this user's logins.
    pub fn is_blocked(&self) -> bool {
        self.blocked == Some(true)
    }

    /// The id inside the provider: the part of `user_id` after `provider|`.
    pub fn identity_id(&self) -> &str {
        self.user_id.split_once('|').map_or(&self.user_id, |(_, id)| id)
    }

    /// Whom a mail to this user goes to.
    pub(crate) fn recipient(&self) -> Recipient<'_> {
        Recipient {
            name: &self.name,
            email: &self.email,
        }
    }

    /// The provider part of `user_id` (`auth0`).
    pub fn provider(&self) -> &str {
        self.user_id.split_once('|').map_or("auth0", |(p, _)| p)
    }
}

/// The users of a tenant, in creation order.
#[derive(Debug, Default)]
pub struct Users {
    list: SharedList<User>,
    cache: Arc<Mutex<Cache>>,
}

#[derive(Debug, Default)]
struct Cache {
    /// A search ran since the users last changed.
    searched: bool,
    /// Field name → its index over `list` as it is now.
    fields: HashMap<String, Arc<Postings>>,
    /// Field name → its values in order, for prefix lookups.
    sorted: HashMap<String, Arc<Sorted>>,
}

/// One field's index: `(hash, position)` pairs sorted, one pair per indexed value.
#[derive(Debug)]
pub struct Postings(Vec<(u32, u32)>);

/// One field's values in their order, for prefix lookups (`email:user12*`): the values side by
/// side in one string, and `(start, end, position)` per value, sorted by value. 100,000 emails
/// cost about 3 MB.
#[derive(Debug)]
pub struct Sorted {
    text: String,
    entries: Vec<(u32, u32, u32)>,
}

/// Users built as `Arc`s from the start (a seed of 100,000 users is not held twice).
impl From<Vec<Arc<User>>> for Users {
    fn from(list: Vec<Arc<User>>) -> Self {
        Users {
            list: list.into(),
            cache: Arc::default(),
        }
    }
}

impl Deref for Users {
    type Target = SharedList<User>;

    fn deref(&self) -> &SharedList<User> {
        &self.list
    }
}

impl Users {
    /// The users as they are now, with their indexes, for a search to read without the tenant
    /// lock; later changes do not reach it.
    pub fn snapshot(&self) -> Users {
        Users {
            list: self.list.clone(),
            cache: Arc::clone(&self.cache),
        }
    }

    pub fn push(&mut self, user: User) {
        self.changed();
        self.list.push(user);
    }

    pub fn retain(&mut self, keep: impl FnMut(&User) -> bool) {
        self.changed();
        self.list.retain(keep);
    }

    /// The first user `pick` chooses, to change.
    pub fn find_mut(&mut self, pick: impl FnMut(&User) -> bool) -> Option<&mut User> {
        self.changed();
        self.list.find_mut(pick)
    }

    /// The user added last, to change (a bulk import sets the password of the one it added).
    pub fn last_mut(&mut self) -> Option<&mut User> {
        self.changed();
        let last = self.list.iter().len().checked_sub(1)?;
        self.list.get_mut(last)
    }

    /// A fresh, cold cache: a snapshot taken before keeps the old one, true of its users.
    fn changed(&mut self) {
        self.cache = Arc::default();
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a search may use indexes now: true from the second search after a change.
    pub fn index_warm(&self) -> bool {
        std::mem::replace(&mut self.cache().searched, true)
    }

    /// The index of the field named `field`, built with `values` (which calls its sink with
    /// each indexed value of a user, already in the form lookups use) if there is none yet.
    pub fn postings(&self, field: &str, values: impl Fn(&User, &mut dyn FnMut(&str))) -> Arc<Postings> {
        if let Some(postings) = self.cache().fields.get(field) {
            return Arc::clone(postings);
        }
        let mut entries = Vec::with_capacity(self.list.len());
        for (position, user) in self.list.iter().enumerate() {
            let position = u32::try_from(position).expect("fewer than 2^32 users");
            values(user, &mut |value| entries.push((hash(value), position)));
        }
        entries.sort_unstable();
        let postings = Arc::new(Postings(entries));
        self.cache().fields.insert(field.to_owned(), Arc::clone(&postings));
        postings
    }
}

impl Users {
    /// The sorted values of the field named `field`, built with `values` (as for
    /// [`Users::postings`]) if there are none yet.
    pub fn sorted(&self, field: &str, values: impl Fn(&User, &mut dyn FnMut(&str))) -> Arc<Sorted> {
        if let Some(sorted) = self.cache().sorted.get(field) {
            return Arc::clone(sorted);
        }
        let mut text = String::new();
        let mut entries = Vec::with_capacity(self.list.len());
        for (position, user) in self.list.iter().enumerate() {
            let position = u32::try_from(position).expect("fewer than 2^32 users");
            values(user, &mut |value| {
                let start = text.len();
                text.push_str(value);
                let at = |offset: usize| u32::try_from(offset).expect("values under 4 GB");
                entries.push((at(start), at(text.len()), position));
            });
        }
        entries.sort_unstable_by(|a, b| {
            let value = |(start, end, _): &(u32, u32, u32)| &text[*start as usize..*end as usize];
            value(a).cmp(value(b)).then(a.2.cmp(&b.2))
        });
        text.shrink_to_fit();
        let sorted = Arc::new(Sorted { text, entries });
        self.cache().sorted.insert(field.to_owned(), Arc::clone(&sorted));
        sorted
    }
}

impl Sorted {
    /// Positions of the users with a value that starts with `prefix`.
    pub fn with_prefix<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = usize> + 's {
        let value = |(start, end, _): &(u32, u32, u32)| &self.text[*start as usize..*end as usize];
        let first = self.entries.partition_point(|entry| value(entry) < prefix);
        self.entries[first..]
            .iter()
            .take_while(move |entry| value(entry).starts_with(prefix))
            .map(|(_, _, position)| *position as usize)
    }
}

impl Postings {
    /// Positions of the users with a value whose hash is `value`'s (a superset of the users
    /// holding `value`).
    pub fn candidates(&self, value: &str) -> impl Iterator<Item = usize> + '_ {
        let key = hash(value);
        let start = self.0.partition_point(|(h, _)| *h < key);
        self.0[start..]
            .iter()
            .take_while(move |(h, _)| *h == key)
            .map(|(_, position)| *position as usize)
    }
}

/// 32 bits of a value's hash: a collision only adds a candidate, and 8 bytes a value instead of
/// 16 (with the position's padding) halve an index.
fn hash(value: &str) -> u32 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gravatar_picture_is_the_observed_url_and_any_url_reads_back_as_it_came() {
        let chuck = Picture::gravatar("chuck@example.com", "chuck", false);
        assert_eq!(
            chuck.to_string(),
            "https://s.gravatar.com/avatar/0b79e7da7bc7877560620cf8f2cc93ae?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fch.png"
        );
        assert_eq!(Picture::from(chuck.to_string()), chuck, "a gravatar URL is kept short");
        assert!(matches!(
            Picture::gravatar("1@x", "1.2", true),
            Picture::Gravatar { initials: [0, 0], .. }
        ));
        let hash = "0b79e7da7bc7877560620cf8f2cc93ae";
        let fallback = "?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F";
        for url in [
            format!("https://secure.gravatar.com/avatar/{hash}{fallback}au.png"),
            format!("https://s.gravatar.com/avatar/{hash}{fallback}.png"),
            format!("https://s.gravatar.com/avatar/{}{fallback}ch.png", hash.to_uppercase()),
            format!("https://s.gravatar.com/avatar/{hash}{fallback}CH.png"),
            format!("https://s.gravatar.com/avatar/{hash}{fallback}chu.png"),
            format!("https://s.gravatar.com/avatar/{hash}{fallback}ch.png?x"),
            format!("https://s.gravatar.com/avatar/{}{fallback}ch.png", &hash[..31]),
            format!("https://s.gravatar.com/avatar/{}é{fallback}ch.png", &hash[..30]),
            format!("https://s.gravatar.com/avatar/{hash}{fallback}é.png"),
            "https://s.gravatar.com/avatar/".to_owned(),
            "https://example.com/me.png".to_owned(),
            String::new(),
        ] {
            let picture = Picture::from(url.clone());
            assert_eq!(picture.to_string(), url);
            assert_eq!(picture.url(), url);
        }
    }

    #[test]
    fn postings_find_every_position_of_a_value_and_change_drops_them() {
        let mut users = Users::default();
        let seeded = crate::auth0::tenant::seed::Fixture::default_auth0()
            .state(&crate::core::clock::Clock::manual(
                time::macros::datetime!(2026-01-01 00:00 UTC),
            ))
            .expect("the default fixture seeds");
        let template = || seeded.users[0].clone();
        for email in ["a@x", "b@x", "a@x"] {
            let mut user = template();
            user.email = email.into();
            users.push(user);
        }
        assert!(!users.index_warm(), "the first search after a change scans");
        assert!(users.index_warm());
        let by_email = |u: &User, sink: &mut dyn FnMut(&str)| sink(&u.email);
        let postings = users.postings("email", by_email);
        let mut found: Vec<usize> = postings.candidates("a@x").collect();
        found.sort_unstable();
        assert_eq!(found, [0, 2]);
        assert_eq!(postings.candidates("c@x").count(), 0);
        users.find_mut(|u| u.email == "b@x").expect("b").email = "a@x".into();
        assert!(!users.index_warm(), "a change makes the next search scan again");
        let mut found: Vec<usize> = users.postings("email", by_email).candidates("a@x").collect();
        found.sort_unstable();
        assert_eq!(found, [0, 1, 2], "rebuilt, not the stale index");
    }
}
