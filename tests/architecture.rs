//! The import rules of `src/`, checked on the source text (`docs/architecture.md`, "The layer
//! rule"):
//! - no import circle between any two files of `src/`;
//! - in each provider, an API folder imports its own files, the provider's `tenant/` and `wire/`,
//!   and `core`, never another API folder; `tenant/` imports `tenant/`, `wire/` and `core`;
//!   `wire/` imports `wire/` and `core` only.
//!
//! An import is any path a file names that resolves to another file's module: `use` trees
//! (grouped, nested, `self`/`super`/`crate`-relative, or through a child module) and paths
//! written inline (`crate::auth0::tenant::rbac::apply_rbac(…)`). Comments, string literals and
//! each file's trailing `#[cfg(test)] mod tests` are not read: a test may reach anywhere.
//! `mod` declarations are not imports. A path through a re-export counts as an import of the
//! file that re-exports it, which is what makes a `mod.rs` that re-exports its children part of
//! any circle through them.
//!
//! Standard library only, like `tests/links.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A file of `src/` and the module path it defines (`crate::auth0::tenant` for
/// `src/auth0/tenant/mod.rs`).
struct SourceFile {
    path: String,
    module: Vec<String>,
    text: String,
}

fn source_files(root: &Path) -> Vec<SourceFile> {
    let src = root.join("src");
    let mut files = Vec::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("src/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).expect("under src/").to_path_buf();
                files.push(SourceFile {
                    path: format!("src/{}", relative.display()),
                    module: module_of(&relative),
                    text: code_only(&fs::read_to_string(&path).expect("source is UTF-8")),
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// `auth0/tenant/mod.rs` → `[crate, auth0, tenant]`; `lib.rs` and `main.rs` → `[crate]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut module = vec!["crate".to_owned()];
    let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let name = if last { part.trim_end_matches(".rs") } else { part };
        if last && (name == "mod" || (i == 0 && (name == "lib" || name == "main"))) {
            break;
        }
        module.push(name.to_owned());
    }
    module
}

/// The code of a file: comments and the contents of string and char literals blanked, and the
/// trailing test module cut off.
fn code_only(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    // `pub(in crate::x)` names a module without importing it.
    let text = &without_restricted_visibility(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_char(chars.get(i.wrapping_sub(1))) {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let closing: Vec<char> = closing.chars().collect();
            while j < chars.len() && chars[j..].iter().take(closing.len()).ne(closing.iter()) {
                j += 1;
            }
            i = j + closing.len();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '"'), or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `pub(in path)` written as `pub(crate)`.
fn without_restricted_visibility(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("pub(in ") {
        out.push_str(&rest[..at]);
        out.push_str("pub(crate)");
        let close = rest[at..].find(')').map_or(rest.len(), |c| at + c + 1);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn ident_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Every path named by the `use` declarations of `code`, each expanded (`a::{b, c::d}` →
/// `a::b`, `a::c::d`).
fn use_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = find_keyword(rest, "use") {
        let after = &rest[at + 3..];
        let Some(end) = after.find(';') else { break };
        expand(after[..end].trim(), "", &mut paths);
        rest = &after[end..];
    }
    paths
}

/// The next `use` keyword standing as a word.
fn find_keyword(text: &str, keyword: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find(keyword) {
        let at = from + found;
        let before = at.checked_sub(1).map(|i| bytes[i] as char);
        let after = bytes.get(at + keyword.len()).map(|b| *b as char);
        if !ident_char(before.as_ref()) && after.is_some_and(char::is_whitespace) {
            return Some(at);
        }
        from = at + keyword.len();
    }
    None
}

/// The code with its `use` declarations blanked, for the inline scan.
fn without_uses(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = find_keyword(rest, "use") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').map_or(rest.len(), |e| at + e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn expand(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    match tree.find('{') {
        Some(open) if tree.ends_with('}') => {
            let head = tree[..open].trim().trim_end_matches("::");
            let joined = join(prefix, head);
            for part in split_top_level(&tree[open + 1..tree.len() - 1]) {
                expand(part, &joined, out);
            }
        }
        _ => {
            let name = tree.split(" as ").next().unwrap_or(tree).trim();
            let path = if name == "self" {
                prefix.to_owned()
            } else {
                join(prefix, name)
            };
            out.push(path);
        }
    }
}

fn join(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (_, true) => prefix.to_owned(),
        _ => format!("{prefix}::{rest}"),
    }
}

fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in list.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
}

/// Paths written inline in the code: `crate::…`, `super::…`, `self::…`, and `child::…` for a
/// child module of the file's own module.
fn inline_paths(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if ident_char(chars.get(i))
            && !ident_char(chars.get(i.wrapping_sub(1)))
            && chars.get(i.wrapping_sub(1)) != Some(&':')
        {
            let mut j = i;
            let mut path = String::new();
            loop {
                let start = j;
                while ident_char(chars.get(j)) {
                    j += 1;
                }
                path.extend(&chars[start..j]);
                if chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') && ident_char(chars.get(j + 2)) {
                    path.push_str("::");
                    j += 2;
                } else {
                    break;
                }
            }
            if path.contains("::") {
                paths.push(path);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    paths
}

/// The file a path leads into: the longest prefix of its absolute module path that is a file's
/// module. `None` for paths outside the crate.
fn resolve(path: &str, from: &[String], modules: &BTreeMap<Vec<String>, String>) -> Option<String> {
    let mut segments: Vec<String> = Vec::new();
    let mut parts = path.split("::").map(str::trim).filter(|s| !s.is_empty()).peekable();
    match parts.peek().copied() {
        Some("crate") => {}
        Some("self") => {
            segments.extend(from.iter().cloned());
            parts.next();
        }
        Some("super") => {
            segments.extend(from.iter().cloned());
            while parts.peek() == Some(&"super") {
                segments.pop();
                parts.next();
            }
        }
        Some(first) => {
            // A child module of this file's module, else an outside crate or a local item.
            let mut child = from.to_vec();
            child.push(first.to_owned());
            if !modules.contains_key(&child) {
                return None;
            }
            segments.extend(from.iter().cloned());
        }
        None => return None,
    }
    segments.extend(parts.map(str::to_owned));
    (1..=segments.len())
        .rev()
        .find_map(|n| modules.get(&segments[..n]))
        .cloned()
}

/// file → the files it imports.
fn import_graph(files: &[SourceFile]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeMap<Vec<String>, String> = files.iter().map(|f| (f.module.clone(), f.path.clone())).collect();
    files
        .iter()
        .map(|file| {
            let targets = use_paths(&file.text)
                .into_iter()
                .chain(inline_paths(&without_uses(&file.text)))
                .filter_map(|path| resolve(&path, &file.module, &modules))
                .filter(|target| *target != file.path && !(file.module.len() == 1 && target == "src/lib.rs"))
                .collect();
            (file.path.clone(), targets)
        })
        .collect()
}

/// The strongly connected components of more than one file (Tarjan).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, node: &'g str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.graph.get(node).into_iter().flatten() {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.to_owned());
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Each provider's API folders; `tenant/` and `wire/` are the same for both.
const PROVIDERS: &[(&str, &[&str])] = &[
    ("auth0", &["authentication", "management", "login"]),
    ("janrain", &["oauth", "entity"]),
];

/// The folder of `src/<provider>/` a file is in (`None` for the provider's own `mod.rs`, or a file
/// outside every provider).
fn layer(path: &str) -> Option<(&'static str, String)> {
    PROVIDERS.iter().find_map(|(provider, _)| {
        let rest = path.strip_prefix(&format!("src/{provider}/"))?;
        let (folder, _) = rest.split_once('/')?;
        Some((*provider, folder.to_owned()))
    })
}

/// What a file of `layer` may import, besides `src/core/` and its own folder.
fn allowed(provider: &str, folder: &str, target: &str) -> bool {
    if target.starts_with("src/core/") {
        return true;
    }
    let Some((target_provider, target_folder)) = layer(target) else {
        return false;
    };
    if target_provider != provider {
        return false;
    }
    let apis = PROVIDERS
        .iter()
        .find(|(p, _)| *p == provider)
        .map(|(_, apis)| *apis)
        .unwrap_or(&[]);
    match folder {
        "wire" => target_folder == "wire",
        "tenant" => matches!(target_folder.as_str(), "tenant" | "wire"),
        api if apis.contains(&api) => target_folder == api || matches!(target_folder.as_str(), "tenant" | "wire"),
        _ => true,
    }
}

#[test]
fn no_import_circle_between_files() {
    let graph = import_graph(&source_files(&root()));
    let found = circles(&graph);
    let report: Vec<String> = found
        .iter()
        .map(|component| {
            let edges: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    graph[from]
                        .iter()
                        .filter(|to| component.contains(to))
                        .map(move |to| format!("    {from} -> {to}"))
                })
                .collect();
            format!("a circle of {} files:\n{}", component.len(), edges.join("\n"))
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn each_provider_layer_imports_only_what_is_below_it() {
    let graph = import_graph(&source_files(&root()));
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        let Some((provider, folder)) = layer(from) else {
            continue;
        };
        for target in targets {
            if !allowed(provider, &folder, target) {
                wrong.push(format!("{from} ({folder}/) imports {target}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer rule:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_provider_layers_exist() {
    // The rules above hold vacuously for a folder that is not there: make sure they are there.
    for (provider, apis) in PROVIDERS {
        for folder in apis.iter().chain(&["tenant", "wire"]) {
            let dir = root().join("src").join(provider).join(folder);
            assert!(dir.is_dir(), "{} is missing", dir.display());
        }
    }
}

#[test]
fn the_reader_finds_imports_of_every_shape() {
    let code = code_only(
        "use crate::a::{b::C, d::{self, E}};\nuse super::f as g;\n// use crate::z::no;\npub(in crate::v) fn w() {}\n\
         fn x() { let s = \"crate::y::no\"; crate::h::i::j(); tenant::k::L; }\n#[cfg(test)]\nmod tests { use crate::q; }",
    );
    assert_eq!(
        use_paths(&code),
        ["crate::a::b::C", "crate::a::d", "crate::a::d::E", "super::f"]
    );
    assert_eq!(inline_paths(&without_uses(&code)), ["crate::h::i::j", "tenant::k::L"]);
}
