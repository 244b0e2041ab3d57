//! The one aligned-column writer behind every text table: `solve`'s blocks, a simulation's
//! blocks, sweeps, importance and budgets.
//!
//! Each column is as wide as its widest cell (title included, and at least its minimum
//! width), columns are two spaces apart, and trailing spaces are trimmed. Cells are shown
//! through [`one_line`], so a control character cannot break a row.

use crate::format::one_line;
use std::io::{self, Write};

/// How the cells of a column line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// The layout of an aligned table: its indent and each column's alignment and minimum width.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    indent: &'static str,
    align: Vec<Align>,
    min_width: Vec<usize>,
}

impl Columns {
    /// A table whose columns all line up on the left, with no indent.
    pub fn new() -> Self {
        Self::default()
    }

    /// Indents every line by `indent`.
    pub fn indent(mut self, indent: &'static str) -> Self {
        self.indent = indent;
        self
    }

    /// Aligns the first `text_columns` columns on the left and the others on the right:
    /// names first, then numbers.
    pub fn numbers_after(mut self, text_columns: usize, columns: usize) -> Self {
        self.align = (0..columns)
            .map(|column| {
                if column < text_columns {
                    Align::Left
                } else {
                    Align::Right
                }
            })
            .collect();
        self
    }

    /// Sets the alignment of every column, in order (columns past the end line up left).
    pub fn align(mut self, align: Vec<Align>) -> Self {
        self.align = align;
        self
    }

    /// Makes `column` at least `width` characters wide.
    pub fn min_width(mut self, column: usize, width: usize) -> Self {
        if self.min_width.len() <= column {
            self.min_width.resize(column + 1, 0);
        }
        self.min_width[column] = width;
        self
    }

    /// Writes the titles, then each row, one line each.
    pub fn write(
        &self,
        out: &mut dyn Write,
        titles: &[String],
        rows: &[Vec<String>],
    ) -> io::Result<()> {
        let shown =
            |cells: &[String]| -> Vec<String> { cells.iter().map(|c| one_line(c)).collect() };
        let titles = shown(titles);
        let rows: Vec<Vec<String>> = rows.iter().map(|row| shown(row)).collect();
        let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
        for row in &rows {
            if widths.len() < row.len() {
                widths.resize(row.len(), 0);
            }
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for (width, minimum) in widths.iter_mut().zip(&self.min_width) {
            *width = (*width).max(*minimum);
        }
        writeln!(out, "{}", self.line(&titles, &widths))?;
        for row in &rows {
            writeln!(out, "{}", self.line(row, &widths))?;
        }
        Ok(())
    }

    /// One padded line, trailing spaces trimmed.
    fn line(&self, cells: &[String], widths: &[usize]) -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(column, (cell, width))| {
                let padding = " ".repeat(width.saturating_sub(cell.chars().count()));
                match self.align.get(column).copied().unwrap_or(Align::Left) {
                    Align::Left => format!("{cell}{padding}"),
                    Align::Right => format!("{padding}{cell}"),
                }
            })
            .collect();
        format!("{}{}", self.indent, padded.join("  "))
            .trim_end()
            .to_string()
    }
}

/// Titles as owned cells.
pub fn titles(titles: &[&str]) -> Vec<String> {
    titles.iter().map(|title| title.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(columns: &Columns, titles: &[&str], rows: &[&[&str]]) -> String {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .collect();
        let mut out = Vec::new();
        columns
            .write(&mut out, &super::titles(titles), &rows)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn aligned_columns_pad_to_the_widest_cell() {
        let text = written(&Columns::new(), &["a", "bb"], &[&["xyz", "1"]]);
        assert_eq!(text, "a    bb\nxyz  1\n");
    }

    #[test]
    fn numbers_line_up_on_the_right_under_an_indent() {
        let columns = Columns::new().indent("  ").numbers_after(1, 2);
        let text = written(&columns, &["name", "n"], &[&["a", "10"], &["bb", "2"]]);
        assert_eq!(text, "  name   n\n  a     10\n  bb     2\n");
    }

    #[test]
    fn a_minimum_width_holds_when_cells_are_narrower() {
        let columns = Columns::new().align(vec![Align::Right]).min_width(0, 4);
        assert_eq!(written(&columns, &["x"], &[&["1"]]), "   x\n   1\n");
    }
}
