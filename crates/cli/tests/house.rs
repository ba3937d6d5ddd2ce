//! The house's shape: no import circle between the files of a crate. A file that uses another
//! (by `use crate::…`, `use super::…` or a path in its code) must not be used back by it,
//! directly or round a longer loop; a folder's `mod.rs` and the files inside it may use each
//! other (what they share lives in the `mod.rs`). Unit tests at the foot of a file are left
//! out: they may reach anywhere. And every `impl Store` block with public async methods carries
//! `#[tutti_boxed::boxed]`, so the web and the binary do not compile the store's queries again
//! (decision 0101).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

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

/// The module a file is: `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`, `lib.rs` the root.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path in `text` that starts with `crate` or `super`, as its segments, with `use`
/// groups (`use crate::a::{b, c::d}`) spread into one path each.
fn paths(text: &str) -> Vec<(bool, Vec<String>)> {
    let mut found = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let starts_word = i == 0 || !is_ident_char(bytes[i - 1]);
        let head = if rest.starts_with("crate::") {
            Some((true, 7))
        } else if rest.starts_with("super::") {
            Some((false, 7))
        } else {
            None
        };
        let Some((from_crate, skip)) = head.filter(|_| starts_word) else {
            i += 1;
            continue;
        };
        let mut j = i + skip;
        let mut prefix = Vec::new();
        let mut segment = String::new();
        loop {
            match bytes.get(j) {
                Some(&c) if is_ident_char(c) => segment.push(c),
                Some(':') if bytes.get(j + 1) == Some(&':') => {
                    prefix.push(std::mem::take(&mut segment));
                    j += 1;
                }
                Some('{') => {
                    // A use group: each name in it (to the matching brace) after the prefix.
                    let mut depth = 0;
                    let mut inner = String::new();
                    for &c in &bytes[j..] {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        inner.push(c);
                        if depth == 0 {
                            break;
                        }
                    }
                    for item in inner.split(|c: char| !(is_ident_char(c) || c == ':')) {
                        let item: Vec<String> = item.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
                        if !item.is_empty() {
                            found.push((from_crate, [prefix.clone(), item].concat()));
                        }
                    }
                    j += inner.len();
                    break;
                }
                _ => {
                    if !segment.is_empty() {
                        prefix.push(segment.clone());
                    }
                    found.push((from_crate, prefix.clone()));
                    break;
                }
            }
            j += 1;
        }
        i = j.max(i + 1);
    }
    found
}

/// The modules each module of the crate at `src` uses.
fn uses(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<Module, PathBuf> = files.iter().map(|f| (module_of(src, f), f.clone())).collect();
    let known: BTreeSet<&Module> = modules.keys().collect();
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let mut text = std::fs::read_to_string(file).unwrap();
        if let Some(at) = text.find("#[cfg(test)]\nmod tests") {
            text.truncate(at);
        }
        let mut used = BTreeSet::new();
        for (from_crate, segments) in paths(&text) {
            // `super` in a file is its parent module (in a mod.rs, the folder's parent).
            let mut at: Module = if from_crate {
                Vec::new()
            } else {
                module[..module.len().saturating_sub(1)].to_vec()
            };
            for s in segments {
                if s == "super" {
                    at.pop();
                    continue;
                }
                let mut next = at.clone();
                next.push(s);
                if known.contains(&next) {
                    at = next;
                } else {
                    break;
                }
            }
            let related = at.starts_with(module) || module.starts_with(&at);
            if !related && known.contains(&at) {
                used.insert(at);
            }
        }
        graph.insert(module.clone(), used);
    }
    graph
}

/// A loop in the graph, if there is one: the modules round it.
fn a_circle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    // 0 unseen, 1 on the path being walked, 2 done.
    let mut state: BTreeMap<&Module, u8> = BTreeMap::new();
    fn walk<'a>(
        m: &'a Module,
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        state: &mut BTreeMap<&'a Module, u8>,
        path: &mut Vec<&'a Module>,
    ) -> Option<Vec<Module>> {
        state.insert(m, 1);
        path.push(m);
        for next in &graph[m] {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|p| *p == next).unwrap();
                    return Some(path[from..].iter().map(|m| (*m).clone()).collect());
                }
                0 => {
                    if let Some(circle) = walk(next, graph, state, path) {
                        return Some(circle);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(m, 2);
        None
    }
    for m in graph.keys() {
        if state.get(m).copied().unwrap_or(0) == 0
            && let Some(circle) = walk(m, graph, &mut state, &mut Vec::new())
        {
            return Some(circle);
        }
    }
    None
}

#[test]
fn no_import_circle_between_the_files_of_a_crate() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut circles = Vec::new();
    let mut read = 0;
    for entry in std::fs::read_dir(crates).unwrap() {
        let src = entry.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        let graph = uses(&src);
        read += graph.len();
        if let Some(circle) = a_circle(&graph) {
            let names: Vec<String> = circle.iter().map(|m| m.join("::")).collect();
            circles.push(format!("{}: {}", src.display(), names.join(" → ")));
        }
    }
    assert!(read > 100, "the crates' files were read ({read})");
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let dir = std::env::temp_dir().join(format!("tutti-house-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a; mod b;").unwrap();
    std::fs::write(src.join("a/mod.rs"), "mod c;\nuse c::X;").unwrap();
    std::fs::write(src.join("a/c.rs"), "use crate::b::Y;\nuse super::Z;").unwrap();
    std::fs::write(
        src.join("b.rs"),
        "pub fn f() { crate::a::c::g(); }\n#[cfg(test)]\nmod tests { use crate::a::W; }",
    )
    .unwrap();
    let graph = uses(&src);
    // a::c and its folder's mod.rs use each other freely; a::c uses b and b uses a::c.
    let circle = a_circle(&graph).expect("b and a::c use each other");
    assert_eq!(circle.len(), 2, "{circle:?}");
    std::fs::write(
        src.join("b.rs"),
        "pub fn f() {}\n#[cfg(test)]\nmod tests { use crate::a::c::W; }",
    )
    .unwrap();
    assert_eq!(a_circle(&uses(&src)), None, "a test module may reach anywhere");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `impl Store` blocks (at the top of a file) that have a `pub async fn` but lack the
/// attribute that boxes their futures, as `file:line`.
fn unboxed_store_blocks(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut open: Option<usize> = None;
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("impl Store") || line.starts_with("impl crate::Store") {
                open = Some(i);
            } else if line.starts_with('}') {
                open = None;
            } else if let Some(start) = open
                && line.starts_with("    pub async fn ")
            {
                if start == 0 || lines[start - 1].trim() != "#[tutti_boxed::boxed]" {
                    missing.push(format!("{}:{}", file.display(), start + 1));
                }
                open = None;
            }
        }
    }
    missing
}

#[test]
fn every_store_block_with_public_async_methods_boxes_their_futures() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("store/src");
    let missing = unboxed_store_blocks(&src);
    assert!(
        missing.is_empty(),
        "impl Store blocks without #[tutti_boxed::boxed]:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_store_block_without_the_attribute_is_found() {
    let dir = std::env::temp_dir().join(format!("tutti-house-boxed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a.rs"),
        "#[tutti_boxed::boxed]\nimpl Store {\n    pub async fn a(&self) {}\n}\n\nimpl Store {\n    fn b(&self) {}\n    pub async fn c(&self) {}\n}\n\nimpl Store {\n    pub fn d(&self) {}\n}\n",
    )
    .unwrap();
    let missing = unboxed_store_blocks(&dir);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].ends_with("a.rs:6"), "{missing:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
