//! Values printed as the provider prints them.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `2026-01-05T09:00:00.000Z`: milliseconds and a `Z`, as the provider prints dates.
pub fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let truncated = at.replace_nanosecond(at.millisecond() as u32 * 1_000_000).unwrap_or(at);
    let text = truncated.format(&Rfc3339).unwrap_or_default();
    // Rfc3339 prints fractional seconds only when non-zero; always print three digits.
    match text.split_once('.') {
        Some((head, _)) => format!("{head}.{:03}Z", at.millisecond()),
        None => format!("{}.000Z", text.trim_end_matches('Z')),
    }
}

/// `all` with the keys `order` names first, in that order, then the others in the order they
/// were stored: how the provider prints its configuration objects.
pub fn in_key_order(mut all: Map<String, Value>, order: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for key in order {
        if let Some(value) = all.shift_remove(*key) {
            out.insert((*key).to_owned(), value);
        }
    }
    out.extend(all);
    out
}

/// A phone number as `/mfa/authenticators` names it: every character but the last four as `X`
/// (obs: `XXXXXXXXXXX5044` for `+44207183875044`, facts A3).
pub fn mask_phone(phone: &str) -> String {
    let count = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < count { 'X' } else { c })
        .collect()
}

/// An email as `/mfa/authenticators` names it: the local part as `****`, the first four
/// characters of the domain kept and the rest as `*` (obs: `****@exam*******` for an
/// `example.com` address, facts A3).
pub fn mask_email(email: &str) -> String {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    let kept: String = domain.chars().take(4).collect();
    let hidden = domain.chars().count().saturating_sub(4);
    format!("****@{kept}{}", "*".repeat(hidden))
}

/// An email as the Management API's authentication methods print it: the first four characters
/// of the local part kept when it is longer than four, then `****`, and the domain as
/// [`mask_email`] hides it (obs: `chuck334@example.com` → `chuc****@exam*******`,
/// `foo@example.com` → `****@exam*******`, facts A9; inf: the cut-off at four).
pub fn mask_method_email(email: &str) -> String {
    let local = email.rsplit_once('@').map_or(email, |(l, _)| l);
    let kept: String = if local.chars().count() > 4 {
        local.chars().take(4).collect()
    } else {
        String::new()
    };
    format!("{kept}{}", mask_email(email))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_always_carry_milliseconds() {
        assert_eq!(timestamp(datetime!(2026-01-05 09:00 UTC)), "2026-01-05T09:00:00.000Z");
        assert_eq!(
            timestamp(datetime!(2026-01-05 09:00:01.25 UTC)),
            "2026-01-05T09:00:01.250Z"
        );
        assert_eq!(
            timestamp(datetime!(2026-01-05 10:00 +01:00)),
            "2026-01-05T09:00:00.000Z"
        );
    }

    #[test]
    fn method_emails_are_masked_as_recorded() {
        assert_eq!(mask_method_email("chuck334@example.com"), "chuc****@exam*******");
        assert_eq!(mask_method_email("foo@example.com"), "****@exam*******");
    }
}
