//! Every relative link in `README.md` and `docs/**/*.md` points at a file (or folder) that exists,
//! and every `#anchor` into a markdown file names one of its headings, slugged as GitHub does.
//! Links inside code (fenced blocks and inline spans) are text, not links, and are not checked;
//! `http(s)://` and `mailto:` links are left to the reader. Every document in `docs/` must also
//! be reachable from the README by following links.
//!
//! Standard library only: a small reader of the markdown this repository writes (inline links,
//! images, reference definitions, ATX headings), not a general markdown parser.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// One link as written: the file it is in, its line, and its target.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Link {
    line: usize,
    target: String,
}

/// The markdown files the check covers: `README.md` and every `.md` under `docs/`, sorted.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut found = vec![root.join("README.md")];
    let mut pending = vec![root.join("docs")];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The lines of `text` outside fenced code blocks, with their 1-based numbers and inline code
/// spans blanked out.
fn prose_lines(text: &str) -> Vec<(usize, String)> {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            (None, None) => lines.push((index + 1, without_code_spans(line))),
            _ => {}
        }
    }
    lines
}

/// `line` with every inline code span (`` `x` ``, ``` ``x`` ```) replaced by nothing.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let after = &rest[start + ticks..];
        match after.find(&"`".repeat(ticks)) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                // An unmatched run of backticks is literal text.
                out.push_str(&rest[start..start + ticks]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every link target in `text`: inline links and images `[text](target "title")`, and
/// reference definitions `[label]: target`.
fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for (line, prose) in prose_lines(text) {
        if let Some(target) = reference_definition(&prose) {
            found.push(Link { line, target });
            continue;
        }
        let mut rest = prose.as_str();
        while let Some(open) = rest.find("](") {
            let after = &rest[open + 2..];
            let Some(close) = closing_paren(after) else { break };
            let target = destination(&after[..close]);
            if !target.is_empty() {
                found.push(Link { line, target });
            }
            rest = &after[close + 1..];
        }
    }
    found
}

/// `[label]: target` at the start of a line.
fn reference_definition(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix('[')?;
    let (label, after) = rest.split_once("]:")?;
    (!label.is_empty() && !label.contains('[')).then(|| destination(after))
}

/// The index of the `)` that closes a link destination, allowing balanced parentheses inside.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The destination of a link body: `<dest>` or the first word, without a title.
fn destination(body: &str) -> String {
    let body = body.trim();
    if let Some(inner) = body.strip_prefix('<') {
        return inner.split('>').next().unwrap_or_default().to_owned();
    }
    body.split_whitespace().next().unwrap_or_default().to_owned()
}

/// The anchor GitHub gives a heading: lower case, punctuation other than `-` and `_` dropped,
/// spaces as `-`. Link targets in the heading count by their text.
fn slug(heading: &str) -> String {
    let text = link_texts(&heading.replace('`', ""));
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// `text` with every `[label](target)` reduced to `label`.
fn link_texts(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("](") {
        let after = &rest[open + 2..];
        let Some(close) = closing_paren(after) else { break };
        out.push_str(&rest[..open]);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.replace('[', "")
}

/// The anchors of a markdown document's ATX headings; a repeated heading gets `-1`, `-2`, ….
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut anchors = BTreeSet::new();
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(m) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
            fence = match fence {
                None => Some(m),
                Some(open) if open == m => None,
                other => other,
            };
            continue;
        }
        if fence.is_some() {
            continue;
        }
        let level = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&level) || !line[level..].starts_with(' ') {
            continue;
        }
        let base = slug(line[level..].trim().trim_end_matches('#'));
        let count = seen.entry(base.clone()).or_insert(0);
        anchors.insert(if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        });
        *count += 1;
    }
    anchors
}

/// `path` with `.` and `..` resolved lexically (the file need not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Minimal percent-decoding for paths (`%20` and friends); invalid sequences stay as written.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_external(target: &str) -> bool {
    target.contains("://") || target.starts_with("mailto:")
}

/// Where a relative link from `doc` leads: the file and the anchor, if any. `/x` is taken from
/// the repository root, as GitHub does.
fn resolve(root: &Path, doc: &Path, target: &str) -> (PathBuf, Option<String>) {
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor.to_owned())),
        None => (target, None),
    };
    let path = percent_decoded(path);
    let file = if path.is_empty() {
        doc.to_path_buf()
    } else if let Some(from_root) = path.strip_prefix('/') {
        root.join(from_root)
    } else {
        doc.parent().unwrap_or(root).join(path)
    };
    (normalize(&file), anchor)
}

/// Every broken relative link in the documents under `root`, as `file:line: target: why`.
fn broken_links(root: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    for doc in documents(root) {
        let Ok(text) = fs::read_to_string(&doc) else {
            broken.push(format!("{}: cannot be read", doc.display()));
            continue;
        };
        let shown = doc.strip_prefix(root).unwrap_or(&doc).display().to_string();
        for link in links(&text) {
            if is_external(&link.target) {
                continue;
            }
            let (file, anchor) = resolve(root, &doc, &link.target);
            let why = if !file.exists() {
                Some(format!(
                    "{} does not exist",
                    file.strip_prefix(root).unwrap_or(&file).display()
                ))
            } else {
                match anchor {
                    Some(anchor) if file.extension().is_some_and(|e| e == "md") => {
                        let headings = anchors(&fs::read_to_string(&file).unwrap_or_default());
                        (!headings.contains(&percent_decoded(&anchor)))
                            .then(|| format!("no heading with anchor #{anchor}; there are {headings:?}"))
                    }
                    _ => None,
                }
            };
            if let Some(why) = why {
                broken.push(format!("{shown}:{}: {}: {why}", link.line, link.target));
            }
        }
    }
    broken
}

/// The markdown documents under `docs/` that no chain of links from the README reaches.
fn unreachable_documents(root: &Path) -> Vec<String> {
    let mut reached = BTreeSet::new();
    let mut pending = vec![normalize(&root.join("README.md"))];
    while let Some(doc) = pending.pop() {
        if !reached.insert(doc.clone()) {
            continue;
        }
        let text = fs::read_to_string(&doc).unwrap_or_default();
        for link in links(&text) {
            if is_external(&link.target) {
                continue;
            }
            let (file, _) = resolve(root, &doc, &link.target);
            if file.extension().is_some_and(|e| e == "md") && file.is_file() {
                pending.push(file);
            }
        }
    }
    documents(root)
        .into_iter()
        .map(|doc| normalize(&doc))
        .filter(|doc| !reached.contains(doc))
        .map(|doc| doc.strip_prefix(root).unwrap_or(&doc).display().to_string())
        .collect()
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let broken = broken_links(&repository());
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_document_in_docs_is_reachable_from_the_readme() {
    let unreachable = unreachable_documents(&repository());
    assert!(
        unreachable.is_empty(),
        "not linked from the README, directly or through another document: {unreachable:?}"
    );
}

#[test]
fn the_check_covers_the_readme_and_nested_docs() {
    let root = repository();
    let docs: Vec<_> = documents(&root)
        .into_iter()
        .map(|d| d.strip_prefix(&root).unwrap().to_owned())
        .collect();
    assert!(docs.contains(&PathBuf::from("README.md")), "{docs:?}");
    assert!(docs.contains(&PathBuf::from("docs/architecture.md")), "{docs:?}");
    // The README links into docs/: the check reads real links, not nothing.
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(links(&readme).iter().any(|l| l.target == "docs/architecture.md"));
}

#[test]
fn broken_files_and_anchors_are_reported_with_their_line() {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("docs/nested")).unwrap();
    fs::write(
        root.path().join("README.md"),
        "# Title\n\
         [ok](docs/guide.md) and [ok anchor](docs/guide.md#set-up-twice-1) and ![img](docs/nested/)\n\
         [missing](docs/nope.md)\n\
         [bad anchor](docs/guide.md#no-such-heading)\n\
         [self](#title) [self broken](#nowhere) [web](https://example.com/x.md)\n\
         `[in code](docs/nope.md)`\n\
         ```sh\n[in a fence](docs/nope.md)\n```\n\
         [ref]: docs/also-missing.md\n",
    )
    .unwrap();
    fs::write(
        root.path().join("docs/guide.md"),
        "# Guide\n## Set up (twice)\n## Set up (twice)\n[up](../README.md#title) [gone](../src/none.rs)\n",
    )
    .unwrap();
    fs::write(root.path().join("docs/nested/lost.md"), "# Lost\n").unwrap();

    let broken = broken_links(root.path());
    let short: Vec<String> = broken
        .iter()
        .map(|b| b.split(": ").take(2).collect::<Vec<_>>().join(": "))
        .collect();
    assert_eq!(
        short,
        [
            "README.md:3: docs/nope.md",
            "README.md:4: docs/guide.md#no-such-heading",
            "README.md:5: #nowhere",
            "README.md:10: docs/also-missing.md",
            "docs/guide.md:4: ../src/none.rs",
        ],
        "{broken:#?}"
    );
    assert_eq!(unreachable_documents(root.path()), ["docs/nested/lost.md"]);
}

#[test]
fn headings_get_the_anchors_github_gives_them() {
    let cases = [
        ("Test your own client", "test-your-own-client"),
        (
            "Janrain (Akamai Identity Cloud Capture): password recovery, with curl",
            "janrain-akamai-identity-cloud-capture-password-recovery-with-curl",
        ),
        ("`start`", "start"),
        ("Over TLS (`authmock test --tls`)", "over-tls-authmock-test---tls"),
        (
            "The [control API](docs/control-api.md) and snake_case",
            "the-control-api-and-snake_case",
        ),
    ];
    for (heading, anchor) in cases {
        assert_eq!(slug(heading), anchor, "{heading}");
    }
    let doc = "# A\n```\n# not a heading\n```\n## A\n#also not\n";
    assert_eq!(anchors(doc), BTreeSet::from(["a".to_owned(), "a-1".to_owned()]));
}
