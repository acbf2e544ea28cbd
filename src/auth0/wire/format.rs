//! Values printed as the provider prints them.

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
}
