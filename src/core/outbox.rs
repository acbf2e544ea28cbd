//! The outbox: every email a tenant "sends", captured instead of delivered.
//!
//! Providers compose mail in their own words (`auth0::mail`); the outbox stores it with the
//! time on the tenant clock and the links found in its text, so a test can follow a reset link
//! exactly as a user would. The JSON the control API serves is modelled on Mailpit's message API
//! (`ID`, `From`, `To`, `Subject`, `Created`, `Snippet`, `Text`, `HTML`), plus `Links`.
//! Bounded: the oldest message goes once [`OUTBOX_LIMIT`] are held. Depends on nothing else.

use std::collections::VecDeque;

use rand::RngExt as _;
use rand::distr::Alphanumeric;
use serde::Serialize;
use time::OffsetDateTime;

/// Messages kept per tenant; a test suite that sends more has stopped reading them.
pub const OUTBOX_LIMIT: usize = 1_000;

/// A name and an address, as Mailpit writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    pub name: String,
    pub address: String,
}

impl Address {
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            address: address.into(),
        }
    }
}

/// A message a provider wants sent.
#[derive(Debug, Clone)]
pub struct Draft {
    pub from: Address,
    pub to: Address,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What the mail is for (`password-reset`, …), as Mailpit tags.
    pub tags: Vec<String>,
}

/// A captured message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Message {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "MessageID")]
    pub message_id: String,
    pub from: Address,
    pub to: Vec<Address>,
    pub subject: String,
    /// On the tenant clock.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub tags: Vec<String>,
    pub text: String,
    #[serde(rename = "HTML")]
    pub html: String,
    /// Every http(s) URL in the text body, in order of appearance.
    pub links: Vec<String>,
}

/// The list entry: everything but the bodies, with a snippet as Mailpit gives.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Summary<'m> {
    #[serde(rename = "ID")]
    pub id: &'m str,
    #[serde(rename = "MessageID")]
    pub message_id: &'m str,
    pub from: &'m Address,
    pub to: &'m [Address],
    pub subject: &'m str,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub tags: &'m [String],
    pub size: usize,
    pub snippet: String,
    pub links: &'m [String],
}

impl Message {
    pub fn summary(&self) -> Summary<'_> {
        Summary {
            id: &self.id,
            message_id: &self.message_id,
            from: &self.from,
            to: &self.to,
            subject: &self.subject,
            created: self.created,
            tags: &self.tags,
            size: self.text.len() + self.html.len(),
            snippet: snippet(&self.text),
            links: &self.links,
        }
    }

    pub fn is_to(&self, address: &str) -> bool {
        self.to.iter().any(|to| to.address.eq_ignore_ascii_case(address))
    }
}

/// One tenant's captured mail, newest last internally, served newest first.
#[derive(Debug, Default)]
pub struct Outbox {
    messages: VecDeque<Message>,
    /// Messages dropped because the outbox was full.
    evicted: u64,
}

impl Outbox {
    /// Captures `draft` at `now`; returns the stored message's id.
    pub fn capture(&mut self, rng: &mut impl rand::Rng, draft: Draft, now: OffsetDateTime, host: &str) -> String {
        let id: String = rng.sample_iter(Alphanumeric).take(22).map(char::from).collect();
        let links = find_links(&draft.text);
        if self.messages.len() == OUTBOX_LIMIT {
            self.messages.pop_front();
            self.evicted += 1;
        }
        self.messages.push_back(Message {
            message_id: format!("{id}@{}", host.split(':').next().unwrap_or(host)),
            id: id.clone(),
            from: draft.from,
            to: vec![draft.to],
            subject: draft.subject,
            created: now,
            tags: draft.tags,
            text: draft.text,
            html: draft.html,
            links,
        });
        id
    }

    /// Newest first, optionally only those sent to `to`.
    pub fn newest_first<'a>(&'a self, to: Option<&'a str>) -> impl Iterator<Item = &'a Message> + 'a {
        self.messages
            .iter()
            .rev()
            .filter(move |m| to.is_none_or(|address| m.is_to(address)))
    }

    /// A message by id; `latest` names the newest, as in Mailpit.
    pub fn get(&self, id: &str) -> Option<&Message> {
        if id == "latest" {
            return self.messages.back();
        }
        self.messages.iter().find(|m| m.id == id)
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Forgets every message; returns how many there were.
    pub fn clear(&mut self) -> usize {
        let count = self.messages.len();
        self.messages.clear();
        count
    }
}

/// The http(s) URLs in a plain-text body.
fn find_links(text: &str) -> Vec<String> {
    linkify::LinkFinder::new()
        .kinds(&[linkify::LinkKind::Url])
        .links(text)
        .map(|link| link.as_str().to_owned())
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
        .collect()
}

/// The first 250 characters of the text with whitespace runs collapsed (Mailpit's snippet).
fn snippet(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(250).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use time::macros::datetime;

    fn draft(to: &str, text: &str) -> Draft {
        Draft {
            from: Address::new("Tenant", "no-reply@example.net"),
            to: Address::new("", to),
            subject: "Reset your password".into(),
            text: text.into(),
            html: format!("<p>{text}</p>"),
            tags: vec!["password-reset".into()],
        }
    }

    #[test]
    fn links_keep_query_and_trailing_hash() {
        let text = "Follow http://127.0.0.1:4010/u/reset-password?ticket=abc# to reset.\nOr https://x.test/a?b=c&d=e.";
        assert_eq!(
            find_links(text),
            [
                "http://127.0.0.1:4010/u/reset-password?ticket=abc#",
                "https://x.test/a?b=c&d=e"
            ]
        );
    }

    #[test]
    fn newest_first_filters_by_recipient_case_insensitively() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut outbox = Outbox::default();
        let at = datetime!(2026-01-05 10:00 UTC);
        let first = outbox.capture(&mut rng, draft("alice@example.com", "one"), at, "127.0.0.1:4010");
        let second = outbox.capture(&mut rng, draft("bob@example.com", "two"), at, "127.0.0.1:4010");
        let third = outbox.capture(&mut rng, draft("alice@example.com", "three"), at, "127.0.0.1:4010");
        let ids: Vec<&str> = outbox.newest_first(None).map(|m| m.id.as_str()).collect();
        assert_eq!(ids, [&third, &second, &first]);
        let alice: Vec<&str> = outbox
            .newest_first(Some("ALICE@example.com"))
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(alice, [&third, &first]);
        assert_eq!(outbox.get("latest").map(|m| &m.id), Some(&third));
        assert_eq!(
            outbox.get(&first).map(|m| m.message_id.clone()),
            Some(format!("{first}@127.0.0.1"))
        );
    }

    #[test]
    fn the_bound_evicts_the_oldest_and_counts_it() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut outbox = Outbox::default();
        let at = datetime!(2026-01-05 10:00 UTC);
        let first = outbox.capture(&mut rng, draft("a@example.com", "0"), at, "h");
        for i in 1..=OUTBOX_LIMIT {
            outbox.capture(&mut rng, draft("a@example.com", &i.to_string()), at, "h");
        }
        assert_eq!(outbox.len(), OUTBOX_LIMIT);
        assert_eq!(outbox.evicted(), 1);
        assert!(outbox.get(&first).is_none());
        assert_eq!(outbox.clear(), OUTBOX_LIMIT);
        assert!(outbox.is_empty());
    }
}
