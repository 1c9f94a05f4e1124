//! The layering the code relies on, checked from the source: data flows
//! `http` → `actors` → `db`, and no two files under `src/actors/` import
//! each other, directly or round a circle. Imports are read from `use`
//! declarations and from `crate::…`/`super::…` paths in code; a name a
//! `mod.rs` re-exports counts as an import of the file that defines it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Source files by module path (`actors::ws_session::handlers`).
type Sources = BTreeMap<String, String>;

fn read_tree(root: &Path, dir: &Path, out: &mut Sources) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts
                .last()
                .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
            {
                parts.pop();
            }
            let source = std::fs::read_to_string(&path).unwrap();
            out.insert(parts.join("::"), source);
        }
    }
}

fn crate_sources() -> Sources {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Sources::new();
    read_tree(&src, &src, &mut out);
    out
}

/// The code of a file without comments, string contents and unit tests.
fn code(source: &str) -> String {
    let source = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
                out.push_str("\"\"");
            }
            c => out.push(c),
        }
    }
    out
}

/// `a::{b, c::{d, e as f}, self}` → `a::b`, `a::c::d`, `a::c::e`, `a`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree.replace(" ::", "::").replace(":: ", "::");
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or_default().trim();
        return vec![path.trim_end_matches("::*").to_owned()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').expect("balanced braces")];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand)
        .map(|p| match p.as_str() {
            "self" => prefix.to_owned(),
            _ => format!("{prefix}::{p}"),
        })
        .collect()
}

/// A file's imports: (path as written, whether it is a `pub use`).
fn imports(code: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    // `use` declarations, blanked out of `rest` once read.
    let mut rest = String::with_capacity(code.len());
    let mut from = 0;
    while let Some(at) = code[from..].find("use ").map(|i| from + i) {
        let before = &code[..at];
        let line_start = before.rfind(['\n', ';', '{', '}']).map_or(0, |i| i + 1);
        let head = before[line_start..].trim();
        let end = code[at..].find(';').map_or(code.len(), |i| at + i);
        if head.is_empty() || head.starts_with("pub") {
            for path in expand(&code[at + 4..end]) {
                out.push((path, head.starts_with("pub")));
            }
            rest.push_str(&code[from..line_start]);
            from = end;
        } else {
            rest.push_str(&code[from..at + 4]);
            from = at + 4;
        }
    }
    rest.push_str(&code[from..]);
    // Paths written out in code, e.g. `crate::actors::hub::Connect { .. }`.
    let bytes = rest.as_bytes();
    let in_path = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b':';
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = rest[from..].find(start).map(|i| from + i) {
            let mut end = i;
            while end < bytes.len() && in_path(bytes[end]) {
                end += 1;
            }
            if i == 0 || !in_path(bytes[i - 1]) {
                out.push((rest[i..end].trim_end_matches(':').to_owned(), false));
            }
            from = end.max(i + 1);
        }
    }
    out
}

/// Child modules a file declares (`mod x;`, `pub mod x;`).
fn declared_modules(code: &str) -> BTreeSet<String> {
    code.split(';')
        .filter_map(|stmt| {
            let words: Vec<&str> = stmt.split_whitespace().collect();
            match words.as_slice() {
                [.., "mod", name] if !name.contains('{') => Some(name.to_string()),
                _ => None,
            }
        })
        .collect()
}

struct Crate {
    modules: BTreeSet<String>,
    /// Per module: name → absolute path it re-exports.
    reexports: HashMap<String, HashMap<String, String>>,
    /// Per module: absolute paths it imports (excluding its own facade re-exports).
    uses: HashMap<String, Vec<String>>,
}

/// `path` as written in `module`, made absolute (`a::b::c`), if it names
/// something in this crate.
fn absolute(module: &str, children: &BTreeSet<String>, path: &str) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    match segments.first().copied() {
        Some("crate") => {
            segments.remove(0);
            base.clear();
        }
        Some("self") => {
            segments.remove(0);
        }
        Some("super") => {
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop();
            }
        }
        Some(first) if children.contains(first) => {}
        _ => return None,
    }
    base.extend(segments);
    Some(base.join("::"))
}

impl Crate {
    fn new(sources: &Sources) -> Crate {
        let modules: BTreeSet<String> = sources.keys().cloned().collect();
        let mut reexports = HashMap::new();
        let mut uses = HashMap::new();
        for (module, source) in sources {
            let code = code(source);
            let children = declared_modules(&code);
            let mut names = HashMap::new();
            let mut paths = Vec::new();
            for (path, public) in imports(&code) {
                let Some(abs) = absolute(module, &children, &path) else {
                    continue;
                };
                let facade = public && abs.starts_with(&format!("{module}::"));
                if public {
                    let name = abs.rsplit("::").next().unwrap_or_default().to_owned();
                    names.insert(name, abs.clone());
                }
                if !facade {
                    paths.push(abs);
                }
            }
            reexports.insert(module.clone(), names);
            uses.insert(module.clone(), paths);
        }
        Crate {
            modules,
            reexports,
            uses,
        }
    }

    /// The module (file) that defines what `path` names.
    fn defining_module(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split("::").collect();
        for len in (1..=segments.len()).rev() {
            let module = segments[..len].join("::");
            if !self.modules.contains(&module) {
                continue;
            }
            if let Some(name) = segments.get(len) {
                if let Some(target) = self.reexports.get(&module).and_then(|r| r.get(*name)) {
                    let mut rest = vec![target.clone()];
                    rest.extend(segments[len + 1..].iter().map(|s| s.to_string()));
                    let followed = rest.join("::");
                    if followed != path {
                        return self.defining_module(&followed);
                    }
                }
            }
            return Some(module);
        }
        None
    }

    /// Import edges between the modules under `prefix`.
    fn edges(&self, prefix: &str) -> BTreeMap<String, BTreeSet<String>> {
        let inside = |m: &str| m == prefix || m.starts_with(&format!("{prefix}::"));
        let mut graph = BTreeMap::new();
        for module in self.modules.iter().filter(|m| inside(m)) {
            let targets = graph.entry(module.clone()).or_insert_with(BTreeSet::new);
            for path in &self.uses[module] {
                if let Some(target) = self.defining_module(path) {
                    if target != *module && inside(&target) {
                        targets.insert(target);
                    }
                }
            }
        }
        graph
    }
}

/// A circle in the graph, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut HashMap<String, bool>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(true) => {
                let from = stack.iter().position(|n| n == node).expect("on the stack");
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            Some(false) => return None,
            None => {}
        }
        state.insert(node.to_owned(), true);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(node.to_owned(), false);
        None
    }
    let mut state = HashMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut state, &mut Vec::new()))
}

#[test]
fn no_two_actor_files_import_each_other_even_round_a_circle() {
    let krate = Crate::new(&crate_sources());
    let graph = krate.edges("actors");
    assert!(graph.len() > 20, "the actor files were found: {graph:?}");
    assert!(
        graph["actors::room"].contains("actors::history"),
        "edges are seen: {graph:#?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle among src/actors: {}", cycle.join(" → "));
    }
}

#[test]
fn http_never_touches_db_and_db_never_reaches_up() {
    let krate = Crate::new(&crate_sources());
    for (module, paths) in &krate.uses {
        let layer = module.split("::").next().unwrap_or_default();
        let forbidden: &[&str] = match layer {
            "http" => &["db"],
            "db" => &["actors", "http"],
            "protocol" | "domain" => &["actors", "http", "db"],
            _ => &[],
        };
        for path in paths {
            let top = path.split("::").next().unwrap_or_default();
            assert!(
                !forbidden.contains(&top),
                "{module} imports {path}: {layer} must not depend on {top}"
            );
        }
    }
}

/// The checker itself: it sees a circle through a re-export and a path
/// written in code, and none in a chain.
#[test]
fn the_checker_finds_a_circle_it_is_shown() {
    let sources: Sources = [
        (
            "actors",
            "pub mod a;\npub mod b;\npub mod c;\npub use c::Thing;\n",
        ),
        ("actors::a", "use super::b::B;\n"),
        (
            "actors::b",
            "use crate::actors::{Thing, c};\nfn f() { c::g(); }\n",
        ),
        (
            "actors::c",
            "pub struct Thing;\n// use super::a::A;\nfn g() { let _ = \"super::a\"; }\n",
        ),
    ]
    .into_iter()
    .map(|(m, s)| (m.to_owned(), s.to_owned()))
    .collect();
    let graph = Crate::new(&sources).edges("actors");
    assert_eq!(graph["actors::b"], BTreeSet::from(["actors::c".to_owned()]));
    assert_eq!(
        find_cycle(&graph),
        None,
        "comments and strings are not imports"
    );

    let mut circle = sources.clone();
    circle.insert(
        "actors::c".into(),
        "fn g() { super::a::A::new(); }\npub struct Thing;\n".into(),
    );
    let cycle = find_cycle(&Crate::new(&circle).edges("actors")).expect("a circle");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4, "{cycle:?}");
}
