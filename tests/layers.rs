//! The crate's modules import one way, down a fixed order of layers:
//! `main -> app -> lib -> error -> journal -> export -> exec -> plan -> {ast, graph} -> temporal`,
//! with leaves (`span`, `limits`, `atomic`, `lock`) below everything. This test reads the
//! sources, collects every `crate::module` a module names outside comments and test code,
//! and fails on an import that runs sideways or upward, naming the file and line.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module with its layer: a module may import only modules of a lower layer.
/// `crate` stands for the crate root's own items (`crate::Database`, `crate::Error`).
const LAYERS: &[(&str, u32)] = &[
    ("span", 0),
    ("limits", 0),
    ("atomic", 0),
    ("lock", 0),
    ("temporal", 1),
    ("graph", 2),
    ("ast", 2),
    ("result", 3),
    ("parser", 3),
    ("ast_print", 3),
    ("plan", 3),
    ("load", 3),
    ("picture", 4),
    ("citations", 4),
    ("domain", 4),
    ("exec", 4),
    ("export", 5),
    ("journal", 5),
    ("error", 6),
    ("crate", 7),
    ("app", 8),
    ("server", 8),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

/// The top-level module a source file belongs to (`src/exec/expr.rs` -> `exec`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(line number, imported module)` for every `crate::name` outside comments and before
/// the file's `#[cfg(test)]` module.
fn imports(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if let Some(rest) = after.strip_prefix('{') {
                let group = rest.split('}').next().unwrap_or("");
                for item in group.split(',') {
                    let item = item.trim();
                    let head = item.split("::").next().unwrap_or("").trim();
                    if !head.is_empty() {
                        found.push((number + 1, root_or_module(head)));
                    }
                }
            } else if !name.is_empty() {
                found.push((number + 1, root_or_module(&name)));
            }
            rest = &after[name.len().max(1).min(after.len())..];
        }
    }
    found
}

/// A capitalised name (`Database`) is an item of the crate root.
fn root_or_module(name: &str) -> String {
    if name.starts_with(|c: char| c.is_uppercase()) || name == "self" {
        "crate".to_string()
    } else {
        name.to_string()
    }
}

#[test]
fn modules_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "main" || module == "lib" || module == "counting_alloc" {
            continue;
        }
        let Some(own) = layer(&module) else {
            wrong.insert(
                format!("{}", file.display()),
                format!("module `{module}` has no layer in tests/layers.rs"),
            );
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for (line, target) in imports(&text) {
            if target == module {
                continue;
            }
            match layer(&target) {
                Some(l) if l < own => {}
                Some(_) => {
                    wrong.insert(
                        format!("{}:{line}", file.display()),
                        format!("`{module}` imports `{target}`, which is not below it"),
                    );
                }
                None => {
                    wrong.insert(
                        format!("{}:{line}", file.display()),
                        format!("`{module}` imports `{target}`, which has no layer"),
                    );
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that do not run down the layers:\n{}",
        wrong
            .iter()
            .map(|(at, what)| format!("  {at}: {what}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_import_scanner_sees_groups_and_root_items() {
    let found = imports(
        "use crate::{graph::Graph, Database};\nlet x = crate::exec::run(); // crate::app\n#[cfg(test)]\nuse crate::app;",
    );
    let names: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(names, ["graph", "crate", "exec"]);
}

#[test]
fn no_source_file_is_longer_than_800_lines_before_its_tests() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let text = fs::read_to_string(file).unwrap();
            let lines = text
                .lines()
                .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
                .count();
            (lines > 800).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over 800 lines:\n{}",
        long.join("\n")
    );
}

/// `(first line, length)` of each function: from its `fn` line to the closing brace at the
/// same indentation (rustfmt's layout).
fn function_lengths(text: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let signature = trimmed
            .trim_start_matches("pub ")
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("const ")
            .trim_start_matches("unsafe ");
        let Some(rest) = signature.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            out.push((i + 1, name, end + 2));
        }
    }
    out
}

/// Functions allowed past the limit, with why: a table is easier to read whole.
const LONG_TABLES: &[(&str, &str)] = &[
    // One arm per grammar rule and no `_ =>` arm, on purpose: a new rule cannot be added
    // without a name for it in messages (STYLE.md, Errors).
    ("parser/mod.rs", "describe"),
];

#[test]
fn no_function_is_longer_than_150_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut long = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (line, name, length) in function_lengths(&text) {
            let table = LONG_TABLES
                .iter()
                .any(|(path, function)| file.ends_with(path) && name == *function);
            if length > 150 && !table {
                long.push(format!(
                    "{}:{line}: `{name}` has {length} lines",
                    file.display()
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 150 lines:\n{}",
        long.join("\n")
    );
}
