//! No import circle between the files of one folder, nor between the top-level modules
//! (domain folders) of a crate: a new domain copies a shape whose dependencies point one way.
//! A source scan of `crate::…`, `super::…` and `self::…` paths in domain/, infra/ and api/.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `auth::sessions` for src/auth/sessions.rs, `auth` for src/auth/mod.rs, `` for lib.rs.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    if parts.first().is_some_and(|p| p == "bin") {
        parts.clear();
    }
    parts
}

/// Code without comments and string literals (good enough for path scanning).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut in_str, mut line_comment, mut block) = (false, false, 0);
    while let Some(c) = chars.next() {
        if line_comment {
            if c == '\n' {
                line_comment = false;
                out.push('\n');
            }
        } else if block > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                block -= 1;
            }
        } else if in_str {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            line_comment = true;
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            block += 1;
        } else if c == '"' {
            in_str = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// Every path that starts with `crate::`, `super::` or `self::`, with `{a, b::c}` groups
/// expanded, as absolute segment lists.
fn referenced_paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start).map(|i| i + from) {
            from = i + start.len();
            if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b':') {
                continue;
            }
            let mut base: Vec<String> = match start {
                "crate::" => Vec::new(),
                "self::" => here.to_vec(),
                _ => here[..here.len().saturating_sub(1)].to_vec(),
            };
            let mut rest = &code[from..];
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            expand(rest, base, &mut out);
        }
    }
    out
}

fn expand(rest: &str, mut base: Vec<String>, out: &mut Vec<Vec<String>>) {
    let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let after = &rest[ident.len()..];
    if !ident.is_empty() {
        base.push(ident);
        if let Some(next) = after.strip_prefix("::") {
            return expand(next, base, out);
        }
        out.push(base);
        return;
    }
    if let Some(group) = rest.strip_prefix('{') {
        let (mut depth, mut item_start) = (0, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    expand(group[item_start..i].trim(), base.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(group[item_start..i].trim(), base.clone(), out);
                    item_start = i + 1;
                }
                _ => {}
            }
        }
    }
}

/// The longest known module that is a prefix of `path`.
fn resolve(modules: &BTreeSet<Vec<String>>, path: &[String]) -> Option<Vec<String>> {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p))
}

fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(n: &str, g: &Graph, state: &mut BTreeMap<String, u8>, stack: &mut Vec<String>) -> Option<Vec<String>> {
        state.insert(n.to_owned(), 1);
        stack.push(n.to_owned());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap();
                    let mut c = stack[at..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0
            && let Some(c) = visit(n, graph, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

/// (sibling-file graph per folder, top-level module graph) of one crate.
fn graphs(src: &Path) -> (BTreeMap<String, Graph>, Graph) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let (mut folders, mut top): (BTreeMap<String, Graph>, Graph) = Default::default();
    for file in &files {
        let here = module_of(src, file);
        let text = code_only(&std::fs::read_to_string(file).unwrap());
        for path in referenced_paths(&text, &here) {
            let Some(target) = resolve(&modules, &path) else { continue };
            if target == here || target.is_empty() || here.is_empty() {
                continue;
            }
            if here[0] != target[0] {
                top.entry(here[0].clone()).or_default().insert(target[0].clone());
            }
            // Siblings: same parent folder, neither is the folder's mod.rs.
            if here.len() == target.len() && here[..here.len() - 1] == target[..target.len() - 1] {
                let folder = here[..here.len() - 1].join("::");
                folders
                    .entry(folder)
                    .or_default()
                    .entry(here.last().unwrap().clone())
                    .or_default()
                    .insert(target.last().unwrap().clone());
            }
        }
    }
    (folders, top)
}

#[test]
fn no_module_cycles_in_any_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut problems = Vec::new();
    for krate in ["domain", "infra", "api"] {
        let (folders, top) = graphs(&root.join(krate).join("src"));
        for (folder, graph) in &folders {
            if let Some(c) = cycle(graph) {
                problems.push(format!("{krate}/src/{folder}: files import each other: {}", c.join(" → ")));
            }
        }
        if let Some(c) = cycle(&top) {
            problems.push(format!("{krate}: top-level modules import each other: {}", c.join(" → ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scanner_sees_grouped_and_relative_paths_and_finds_cycles() {
    let here = vec!["auth".to_owned(), "mfa".to_owned()];
    let paths = referenced_paths("use crate::{db::ex, audit::{self, Change}}; use super::store::users; x", &here);
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    for want in ["db::ex", "audit::self", "audit::Change", "auth::store::users"] {
        assert!(joined.contains(&want.to_owned()), "{want} in {joined:?}");
    }
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    assert_eq!(cycle(&g), Some(vec!["a".into(), "b".into(), "a".into()]));
    g.get_mut("b").unwrap().clear();
    assert_eq!(cycle(&g), None);
}

/// Rules take `now` from a `Clock`: only `domain/src/clock.rs` may read the wall clock.
#[test]
fn the_domain_reads_no_wall_clock() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("clock.rs")) {
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        // Unit tests at the bottom of a file may build instants however they like.
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        for needle in ["Utc::now", "Local::now", "SystemTime::now", "Instant::now"] {
            if code.contains(needle) {
                found.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "wall clock in domain/: {found:?}");
}
