//! Untrusted text from model files in every output: CSV cells cannot become formulas or
//! break rows, Markdown tables keep their columns, terminal lines cannot be forged, and no
//! model text decides where a file is written. (HTML, SVG, DOT and Mermaid: tests/suite/report.rs;
//! JUnit and GitHub annotations: tests/suite/ci_formats.rs.)

use crate::common;

use common::{model_file, nines};

/// A model whose name tries every trick: a formula, a quote, a comma, a pipe, a newline.
const HOSTILE: &str = r#"
name = "=HYPERLINK(\"http://x\",\"y\") | a,b\n+1"
[target]
availability = "99%"
[component.a]
mtbf = "1000h"
mttr = "1h"
[block.system]
kind = "parallel"
of = "a"
count = 2
"#;

/// Splits one CSV line into fields (RFC 4180 quotes).
fn fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut current)),
            (c, _) => current.push(c),
        }
    }
    fields.push(current);
    fields
}

/// Parses CSV text into rows, honouring quoted line breaks.
fn rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(line);
        if pending.matches('"').count().is_multiple_of(2) {
            rows.push(fields(&pending));
            pending.clear();
        }
    }
    rows
}

fn stdout(args: &[&str]) -> String {
    let (_guard, file) = model_file("hostile.toml", HOSTILE);
    let output = nines().args(args).arg(&file).output().unwrap();
    assert!(
        output.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn csv_cells_are_quoted_and_defused() {
    for args in [
        &["solve", "--format", "csv"][..],
        &[
            "sweep",
            "--vary",
            "block.system.count=2,3",
            "--format",
            "csv",
        ][..],
        &["sensitivity", "--format", "csv"][..],
        &[
            "simulate", "--runs", "50", "--seed", "1", "-q", "--format", "csv",
        ][..],
    ] {
        let text = stdout(args);
        let table = rows(&text);
        let width = table[0].len();
        assert!(table.len() >= 2, "{args:?}: {text}");
        for row in &table {
            assert_eq!(
                row.len(),
                width,
                "{args:?}: a row lost its columns: {row:?}"
            );
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']) || cell.parse::<f64>().is_ok(),
                    "{args:?}: a cell a spreadsheet would run: {cell:?}"
                );
            }
        }
        let names: Vec<&String> = table.iter().skip(1).map(|row| &row[0]).collect();
        assert!(
            names.iter().all(|name| name.starts_with("'=HYPERLINK")),
            "{args:?}: {names:?}"
        );
    }
}

#[test]
fn markdown_tables_keep_their_columns() {
    let text = stdout(&["solve", "--format", "markdown"]);
    // Each table (a run of lines starting with `|`): every row has as many unescaped `|`
    // as its header.
    let mut tables: Vec<Vec<&str>> = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with('|') {
            if !in_table {
                tables.push(Vec::new());
            }
            tables.last_mut().unwrap().push(line);
            in_table = true;
        } else {
            in_table = false;
        }
    }
    assert_eq!(tables.len(), 2, "{text}");
    let pipes = |line: &str| line.replace("\\|", "").matches('|').count();
    for table in &tables {
        let header = pipes(table[0]);
        for line in table {
            assert_eq!(pipes(line), header, "{line}");
        }
    }
    let heading = text.lines().find(|line| line.starts_with("## ")).unwrap();
    assert!(heading.contains("\\|"), "{heading}");
    assert!(
        !text.contains("\n+1"),
        "a newline in the name started a new line: {text}"
    );
}

#[test]
fn terminal_lines_cannot_be_forged() {
    let text = stdout(&["check"]);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("\\n+1"), "{text}");
}

#[test]
fn no_model_text_decides_where_files_go() {
    // The report is named after the model FILE, never its `name`, and stays in -o.
    let dir = tempfile::tempdir().unwrap();
    let evil = HOSTILE.replace(
        "name = \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\") | a,b\\n+1\"",
        "name = \"../../escaped\"",
    );
    let (_guard, file) = model_file("plain.toml", &evil);
    let output = nines()
        .arg("report")
        .arg(&file)
        .arg("-o")
        .arg(dir.path())
        .arg("--no-simulation")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        written.iter().all(|name| name.starts_with("plain")),
        "{written:?}"
    );
    assert!(!dir.path().join("../../escaped.md").exists());
    assert!(!dir.path().parent().unwrap().join("escaped.md").exists());
}
