//! The module graph of ARCHITECTURE.md, checked from the source: no cycle
//! between top-level modules, and the "never" rules that a scan can see.
//! `cargo test --test it architecture -- --nocapture` prints the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

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

/// The code of a file without its comments (doc links name modules too).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a piece of code names through `crate::`.
fn uses(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c}`: the first name of each item at depth one.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        found.insert(ident(&group[j..]).to_string());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest).to_string());
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

/// Top-level module (file or folder under src/) -> what its code uses.
fn graph() -> (Graph, BTreeMap<String, String>) {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    let mut text: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let code = code(&file);
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(uses(&code).into_iter().filter(|d| *d != module));
        text.entry(module).or_default().push_str(&code);
    }
    (graph, text)
}

/// A cycle, as the path round it, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(graph, n, &mut Vec::new(), &mut done))
}

#[test]
fn the_scan_sees_grouped_uses_and_finds_a_cycle() {
    let seen = uses("use crate::{plan::{Plan, Status}, clock};\nlet x = crate::text::shorten;");
    assert_eq!(seen, ["clock", "plan", "text"].map(String::from).into());
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&g),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
}

#[test]
fn the_top_level_modules_have_no_cycle() {
    let (graph, _) = graph();
    for (module, deps) in &graph {
        let deps: Vec<_> = deps.iter().map(String::as_str).collect();
        println!("{module} -> {}", deps.join(", "));
    }
    assert!(graph.contains_key("store") && graph.contains_key("jobs"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the modules use each other in a loop: {}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn the_lower_layers_use_only_what_is_below_them() {
    let (graph, _) = graph();
    let domain = ["clock", "text"];
    let allowed: [(&str, &[&str]); 5] = [
        ("clock", &[]),
        ("text", &[]),
        ("plan", &domain),
        ("schedule", &["plan", "clock", "text"]),
        // The store reads and writes the domain's types and its own rows.
        ("store", &["plan", "schedule", "clock", "text"]),
    ];
    for (module, may_use) in allowed {
        let uses = &graph[module];
        let extra: Vec<_> = uses
            .iter()
            .filter(|u| !may_use.contains(&u.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{module} uses {extra:?}; it may use only {may_use:?}"
        );
    }
    // Config is data: the domain's types, never jobs or the store.
    let config = &graph["config"];
    for forbidden in ["jobs", "store", "digest", "import", "discord", "app", "cli"] {
        assert!(!config.contains(forbidden), "config uses {forbidden}");
    }
}

#[test]
fn only_the_adapters_know_discord() {
    let (_, text) = graph();
    for module in [
        "plan", "schedule", "store", "config", "digest", "import", "jobs", "app",
    ] {
        for library in ["serenity", "poise"] {
            assert!(
                !text[module].contains(&format!("{library}::")),
                "{module} uses {library}; the courier and the commands turn its output into Discord calls"
            );
        }
    }
}

#[test]
fn the_test_server_knows_nothing_of_planbot() {
    let crate_dir = root().join("crates/discord-testserver");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("planbot"),
        "its Cargo.toml names planbot"
    );
    let mut files = Vec::new();
    rust_files(&crate_dir.join("src"), &mut files);
    for file in files {
        assert!(
            !code(&file).contains("planbot::"),
            "{} uses planbot",
            file.display()
        );
    }
}

#[test]
fn config_and_store_agree_on_the_default_database() {
    assert_eq!(
        planbot::config::DEFAULT_DB_PATH,
        planbot::store::DEFAULT_DB_PATH
    );
}
