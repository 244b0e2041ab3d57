//! Markdown output: a heading, the system summary and a block table per model, for design docs.

use super::table::{BLOCK_TITLES, block_cells, summary_lines};
use super::{Exporter, ModelResult, describe_kind};
use std::io::{self, Write};

/// Writes a Markdown section per model.
pub struct MarkdownExporter;

/// Escapes text for a Markdown table cell or heading: a `|` or markup cannot break the table.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                escaped.push('\\');
                escaped.push(character);
            }
            '\n' | '\r' => escaped.push(' '),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Escapes a sentence for Markdown but leaves its `code spans` as they are (Markdown shows
/// a backslash inside a code span literally). Text inside a span must not contain a backtick;
/// names never do.
pub fn escape_prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An unmatched backtick: escape everything.
        return escape(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                format!("`{part}`")
            } else {
                escape(part)
            }
        })
        .collect()
}

/// Text as a Markdown code span that shows it as it is, for a file path: the fence is one
/// backtick longer than the longest run of backticks in the text, a space pads text that
/// starts or ends with a backtick or a space (Markdown strips one on each side), and control
/// characters (a newline) become visible escapes such as `\n`, so the span stays on its line.
pub fn code_span(text: &str) -> String {
    let text = crate::format::one_line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']);
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{text}{space}{fence}")
}

fn row(cells: &[String]) -> String {
    let escaped: Vec<String> = cells.iter().map(|cell| escape(cell)).collect();
    format!("| {} |", escaped.join(" | "))
}

impl Exporter<ModelResult<'_>> for MarkdownExporter {
    fn write(&mut self, out: &mut dyn Write, result: &ModelResult<'_>) -> io::Result<()> {
        writeln!(out, "## {}\n", escape(&result.model.name))?;
        writeln!(out, "Model file: {}\n", code_span(result.file))?;
        writeln!(out, "| measure | value |\n|---|---|")?;
        for (label, value) in summary_lines(result) {
            writeln!(out, "{}", row(&[label.to_string(), value]))?;
        }
        writeln!(out)?;
        let titles: Vec<String> = BLOCK_TITLES.iter().map(|t| t.to_string()).collect();
        writeln!(out, "{}", row(&titles))?;
        writeln!(out, "|{}", "---|".repeat(BLOCK_TITLES.len()))?;
        for block in &result.solution.blocks {
            let cells = block_cells(
                &block.name,
                &describe_kind(result.model, &block.name),
                &block.measures,
            );
            writeln!(out, "{}", row(&cells))?;
        }
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn pipes_cannot_break_a_table() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("line\nbreak"), "line break");
    }

    #[test]
    fn code_spans_keep_their_text() {
        use super::escape_prose;
        assert_eq!(
            escape_prose("fix `tor_switch` <now>"),
            "fix `tor_switch` \\<now\\>"
        );
        assert_eq!(escape_prose("a ` b_c"), "a \\` b\\_c");
    }

    #[test]
    fn code_spans_show_backticks_and_newlines_faithfully() {
        use super::code_span;
        assert_eq!(code_span("models/a.toml"), "`models/a.toml`");
        assert_eq!(code_span("a`b.toml"), "``a`b.toml``");
        assert_eq!(code_span("a``b`"), "``` a``b` ```");
        assert_eq!(code_span(" x "), "`  x  `");
        assert_eq!(code_span("a\nb.toml"), "`a\\nb.toml`");
    }
}
