//! Diagnosis texts both envelopes use.

/// A duration as a hint prints it (`90 s`, `12 min`, `3 h`, `2 days`).
pub(crate) fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// The hint of every rate-limit refusal, whichever envelope carries it.
pub(crate) fn rate_limit_hint(reset_in_secs: i64) -> String {
    format!(
        "rate limit reached: no requests left in this window; retry after x-ratelimit-reset (in {reset_in_secs} s \
         on the tenant clock)"
    )
}
