//! The `--junit` report. cucumber's JUnit writer prints durations with nanosecond fractions
//! (`time="6.873737539"`), which the common JUnit schema (Jenkins' junit-10.xsd: at most three
//! decimals) rejects, and CI report readers with it. The writer's output is therefore collected
//! in memory and written with every `time` rounded down to milliseconds.

use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// An `io::Write` that keeps everything written to it, shared with whoever reads it afterwards.
#[derive(Debug, Clone, Default)]
pub struct Collected(Arc<Mutex<Vec<u8>>>);

impl io::Write for Collected {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("the report buffer was poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Collected {
    /// Writes what was collected to `path`, with `time` attributes in milliseconds.
    pub fn write_to(&self, path: &Path) -> io::Result<()> {
        let bytes = self
            .0
            .lock()
            .map_err(|_| io::Error::other("the report buffer was poisoned"))?;
        std::fs::write(path, millisecond_times(&String::from_utf8_lossy(&bytes)))
    }
}

/// `time="6.873737539"` → `time="6.873"` in tags; every other byte, CDATA included, is kept.
pub fn millisecond_times(xml: &str) -> String {
    const CDATA_START: &str = "<![CDATA[";
    const CDATA_END: &str = "]]>";
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find(CDATA_START) {
        out.push_str(&round_times(&rest[..start]));
        let end = rest[start..]
            .find(CDATA_END)
            .map_or(rest.len(), |e| start + e + CDATA_END.len());
        out.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    out.push_str(&round_times(rest));
    out
}

fn round_times(markup: &str) -> String {
    const ATTRIBUTE: &str = " time=\"";
    let mut out = String::with_capacity(markup.len());
    let mut rest = markup;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let value_start = at + ATTRIBUTE.len();
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        match value.split_once('.') {
            Some((whole, fraction)) if fraction.bytes().all(|b| b.is_ascii_digit()) => {
                out.push_str(whole);
                out.push('.');
                out.push_str(&fraction[..fraction.len().min(3)]);
            }
            _ => out.push_str(value),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_keep_at_most_three_decimals_and_nothing_else_changes() {
        let xml = r#"<testsuite name="a" time="10.250413552" timestamp="2026-11-23T15:43:07.727277384Z"><testcase name="b" time="0.75"><system-out><![CDATA[ time="1.23456" ]]></system-out></testcase><testcase name="c" time="3"/></testsuite>"#;
        assert_eq!(
            millisecond_times(xml),
            r#"<testsuite name="a" time="10.250" timestamp="2026-11-23T15:43:07.727277384Z"><testcase name="b" time="0.75"><system-out><![CDATA[ time="1.23456" ]]></system-out></testcase><testcase name="c" time="3"/></testsuite>"#
        );
    }
}
