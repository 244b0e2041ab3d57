//! The module graph of `src/` is a DAG of layers, and the README's Design section names every
//! source file.
//!
//! The layers, lowest first (a module may use its own layer's internals and any lower layer,
//! never a higher one; modules of one rank do not use each other unless listed below):
//!
//! | rank | modules | role |
//! |---|---|---|
//! | 0 | `diag`, `format` | leaves: diagnostics with spans; number and duration formatting |
//! | 1 | `model` | TOML → validated `Model`; graph walks over it |
//! | 2 | `solve`, `simulate`, `fit` | exact solver; Monte Carlo with its estimators; incident-log evidence |
//! | 3 | `whatif` | sweeps, boundaries, importance, budgets: built on the solvers |
//! | 4 | `chart`, `export` | plotters charts; PRISM export |
//! | 5 | `report` | text, JSON, CSV, Markdown, HTML; embeds charts |
//! | 6 | `cli` | the command line |
//!
//! The test reads the `crate::` and `super::` paths of every file, resolves each to the
//! top-level module it names and fails on any edge that goes up or sideways.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Rank of each top-level module of `src/` (see the table above).
const LAYERS: &[(&str, u32)] = &[
    ("diag", 0),
    ("format", 0),
    ("model", 1),
    ("solve", 2),
    ("simulate", 2),
    ("fit", 2),
    ("whatif", 3),
    ("chart", 4),
    ("export", 4),
    ("report", 5),
    ("cli", 6),
];

fn source_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.push(path);
        }
    }
}

/// The module path of a source file, e.g. `src/model/load/mod.rs` → `["model", "load"]`.
fn module_path(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(source_root()).expect("file under src/");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib" || last == "main")
    {
        parts.pop();
    }
    parts
}

/// The code of a line, without its `//` comment and string literals.
fn code_of(line: &str) -> String {
    let mut code = String::new();
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '/' if !in_string && chars.peek() == Some(&'/') => break,
            _ if !in_string => code.push(c),
            _ => {}
        }
    }
    code
}

/// The top-level modules a file's paths name (`crate::x`, `crate::{x, y}`, `super::…::x`).
fn named_modules(file: &Path, text: &str) -> BTreeSet<String> {
    let here = module_path(file);
    let mut named = BTreeSet::new();
    let code: String = text.lines().map(code_of).collect::<Vec<_>>().join("\n");
    let identifier = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        // `$crate::` in macros and identifiers ending in `crate` are not paths from the root.
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = code[at + "crate::".len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // One level of grouping: `crate::{model::Model, solve}`.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        named.insert(identifier(item.trim()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            named.insert(identifier(item.trim()));
        } else {
            named.insert(identifier(rest));
        }
    }
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        let mut ups = 0;
        while let Some(after) = rest.strip_prefix("super::") {
            ups += 1;
            rest = after;
        }
        // `super` inside an inline `mod tests` of a file refers to the file's own module.
        if ups <= here.len().saturating_sub(1) || here.is_empty() {
            continue;
        }
        named.insert(identifier(rest.trim_start()));
    }
    named
        .retain(|name| !name.is_empty() && Some(name.as_str()) != here.first().map(String::as_str));
    named
}

fn rank(module: &str) -> Option<u32> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, rank)| *rank)
}

#[test]
fn every_top_level_module_has_a_layer() {
    let mut files = Vec::new();
    rust_files(&source_root(), &mut files);
    let mut unlisted = BTreeSet::new();
    for file in &files {
        let path = module_path(file);
        if let Some(top) = path.first()
            && rank(top).is_none()
        {
            unlisted.insert(top.clone());
        }
    }
    assert!(
        unlisted.is_empty(),
        "top-level modules without a layer in LAYERS: {unlisted:?}"
    );
}

#[test]
fn no_module_uses_a_higher_or_sibling_layer() {
    let mut files = Vec::new();
    rust_files(&source_root(), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let path = module_path(file);
        let Some(top) = path.first() else { continue };
        let Some(own) = rank(top) else { continue };
        let text = fs::read_to_string(file).expect("source is UTF-8");
        for used in named_modules(file, &text) {
            let Some(used_rank) = rank(&used) else {
                continue;
            };
            if used_rank >= own {
                violations.push(format!(
                    "{} (layer {own}, `{top}`) uses `{used}` (layer {used_rank})",
                    file.strip_prefix(source_root()).unwrap().display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "the module graph must go down the layers only:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_an_upward_path() {
    // A test that cannot fail is a defect: the reader must catch each form of path.
    let file = source_root().join("solve").join("algebra.rs");
    let text = "use crate::report::format;\nuse crate::{model::Model, whatif};\nfn f() { super::super::cli::main(); }\n// crate::chart in a comment\nlet s = \"crate::export\";";
    let named = named_modules(&file, text);
    let expected: BTreeSet<String> = ["report", "model", "whatif", "cli"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(named, expected);
}

#[test]
fn the_readme_design_section_names_every_source_file() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let design = readme
        .split("\n## Design")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has a Design section");
    let mut files = Vec::new();
    rust_files(&source_root(), &mut files);
    let mut missing = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(source_root()).unwrap();
        let name = relative.file_name().unwrap().to_string_lossy().to_string();
        let stem = name.trim_end_matches(".rs");
        // A folder's mod.rs is named by its folder; every other file by its own name.
        let shown = if stem == "mod" {
            format!(
                "{}/",
                relative
                    .parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
            )
        } else {
            stem.to_string()
        };
        if !design.contains(&shown) {
            missing.push(relative.display().to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "README's Design section does not mention: {missing:?}"
    );
}
