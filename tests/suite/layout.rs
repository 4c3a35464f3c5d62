//! The source tree's shape (`layout/...`): data flows one way between modules, and no file or
//! function under `src/` grows past what a reader holds in mind (700 and 150 lines).
//!
//! The import graph is read from the source itself: every `crate::a::b` and `super::b` path
//! outside `#[cfg(test)]` code and `*_test.rs` files. Two graphs must be acyclic: the top-level
//! modules (`codec`, `harness`, `provider`, ...), and within each of them the sibling
//! submodules (`provider::actions`, `provider::notify`, ...; a submodule's use of its parent's
//! own items is the parent's shared vocabulary, not an edge).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use libtest_mimic::{Failed, Trial};

use crate::common::*;

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test("layout/no-import-circle-between-modules", no_import_circle),
        Trial::test("layout/no-source-file-over-700-lines-no-fn-over-150", within_size),
    ]
}

/// `src/**/*.rs`, sorted.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

/// The module path of a source file: `src/provider/actions.rs` → `[provider, actions]`.
fn module_of(path: &Path) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rel = path.strip_prefix(&src).unwrap_or(path).with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The identifiers a path continues with after `at`: `a::b` gives `[[a, b]]`, `{a::X, b}` gives
/// `[[a, X], [b]]` (two segments are all the graphs need).
fn continuations(text: &str, at: usize) -> Vec<Vec<String>> {
    let rest = &text[at..];
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let path = |s: &str| -> Vec<String> {
        let first = ident(s);
        let after = &s[first.len()..];
        let mut out = vec![first];
        if let Some(more) = after.strip_prefix("::") {
            let second = ident(more);
            if !second.is_empty() {
                out.push(second);
            }
        }
        out
    };
    match rest.strip_prefix('{') {
        Some(group) => {
            let (mut depth, mut end) = (0usize, group.len());
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            // Items at the group's top level only: `{a::{X, Y}, b}` gives a and b.
            let (mut items, mut depth, mut start) = (Vec::new(), 0usize, 0usize);
            let body = &group[..end];
            for (i, c) in body.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&body[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            items.push(&body[start..]);
            items
                .into_iter()
                .map(|i| path(i.trim()))
                .filter(|p| !p[0].is_empty())
                .collect()
        }
        None => vec![path(rest)],
    }
}

/// The code of a file that is not test code.
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// Every module a module's code names: (from, to) pairs of full module paths (prefixes of what
/// the paths name; the graphs cut them to their level).
fn edges() -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for file in sources() {
        if file.to_string_lossy().ends_with("_test.rs") {
            continue;
        }
        let me = module_of(&file);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let code = non_test_code(&text);
        for (token, base) in [
            ("crate::", Vec::new()),
            ("super::", me[..me.len().saturating_sub(1)].to_vec()),
        ] {
            let mut from = 0;
            while let Some(i) = code[from..].find(token) {
                let at = from + i + token.len();
                from = at;
                // `$crate::` in a macro is `crate::`; `super::super::` climbs once more.
                let mut base = base.clone();
                let mut at = at;
                while token == "super::" && code[at..].starts_with("super::") {
                    base.pop();
                    at += "super::".len();
                }
                for tail in continuations(code, at) {
                    let mut to = base.clone();
                    to.extend(tail);
                    out.push((me.clone(), to));
                }
            }
        }
    }
    out
}

/// The circles of a directed graph (its strongly connected components of more than one node).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two nodes are in one circle when each reaches the other.
    let reach = |start: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start.clone()];
        while let Some(n) = todo.pop() {
            for m in graph.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    todo.push(m.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|k| (k, reach(k))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (n, r) in &reaches {
        let mut circle: Vec<String> = r
            .iter()
            .filter(|m| reaches.get(m).is_some_and(|back| back.contains(*n)))
            .cloned()
            .collect();
        if circle.len() > 1 && !out.iter().any(|c| c.contains(n)) {
            circle.sort();
            out.push(circle);
        }
    }
    out
}

fn no_import_circle() -> Result<(), Failed> {
    let modules: BTreeSet<Vec<String>> = sources().iter().map(|p| module_of(p)).collect();
    let is_module = |m: &[String]| modules.contains(m);
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut siblings: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges() {
        let (Some(a), Some(b)) = (from.first(), to.first()) else {
            continue;
        };
        if !is_module(&to[..1]) {
            continue;
        }
        if a != b {
            top.entry(a.clone()).or_default().insert(b.clone());
        } else if let (Some(x), Some(y)) = (from.get(1), to.get(1))
            && x != y
            && is_module(&to[..2])
        {
            siblings
                .entry(format!("{a}::{x}"))
                .or_default()
                .insert(format!("{a}::{y}"));
        }
    }
    let found: Vec<Vec<String>> = circles(&top).into_iter().chain(circles(&siblings)).collect();
    ensure(
        found.is_empty(),
        format!("modules that import each other (each reaches the others): {found:?}"),
    )
}

/// The longest a source file and a function may be.
const MAX_FILE_LINES: usize = 700;
const MAX_FN_LINES: usize = 150;

/// Functions and files over the limits: a function runs from its `fn` line to the first line
/// that is its indentation and `}` (rustfmt's layout).
fn within_size() -> Result<(), Failed> {
    let mut over = Vec::new();
    for file in sources() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        let name = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&file)
            .display()
            .to_string();
        if lines.len() > MAX_FILE_LINES {
            over.push(format!("{name}: {} lines", lines.len()));
        }
        for (i, line) in lines.iter().enumerate() {
            let code = line.trim_start();
            let indent = &line[..line.len() - code.len()];
            let head = ["pub(crate) ", "pub(super) ", "pub ", "const ", "async ", "unsafe "]
                .iter()
                .fold(code, |c, p| c.strip_prefix(p).unwrap_or(c));
            let head = ["const ", "async ", "unsafe "]
                .iter()
                .fold(head, |c, p| c.strip_prefix(p).unwrap_or(c));
            if !head.starts_with("fn ") || line.trim_end().ends_with(';') {
                continue;
            }
            let close = format!("{indent}}}");
            if let Some(len) = lines[i + 1..].iter().position(|l| *l == close).map(|j| j + 2)
                && len > MAX_FN_LINES
            {
                let fn_name: String = head[3..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                over.push(format!("{name}:{} fn {fn_name}: {len} lines", i + 1));
            }
        }
    }
    ensure(
        over.is_empty(),
        format!("over {MAX_FILE_LINES} lines a file or {MAX_FN_LINES} a function: {over:#?}"),
    )
}
