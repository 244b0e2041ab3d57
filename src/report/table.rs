//! Aligned text for people: a summary of the system, then one row per block.

use super::columns::{Columns, titles};
use super::{Exporter, ModelResult, describe_kind};
use crate::format::{
    availability_percent, downtime, hours, nines, one_line, scientific, significant,
};
use crate::solve::Measures;
use std::io::{self, Write};

/// Writes a summary and a block table per model, separated by a blank line.
#[derive(Default)]
pub struct TableExporter {
    models_written: usize,
}

/// The cells of one block row, shared with the Markdown exporter.
pub fn block_cells(name: &str, kind: &str, measures: &Measures) -> Vec<String> {
    vec![
        name.to_string(),
        kind.to_string(),
        availability_percent(measures.unavailability),
        scientific(measures.unavailability),
        nines(measures.nines()),
        downtime(measures.downtime_minutes_per_year()),
        significant(measures.failures_per_year(), 3),
        hours(measures.mtbf_hours()),
        hours(measures.mttr_hours()),
    ]
}

/// Column titles matching [`block_cells`].
pub const BLOCK_TITLES: [&str; 9] = [
    "block",
    "structure",
    "availability",
    "unavailability",
    "nines",
    "downtime/yr",
    "outages/yr",
    "MTBF",
    "MTTR",
];

/// Lines of the system summary, as (label, value) pairs.
pub fn summary_lines(result: &ModelResult<'_>) -> Vec<(&'static str, String)> {
    let system = &result.solution.system;
    let mut lines = vec![
        (
            "availability",
            format!(
                "{}  ({} nines)",
                availability_percent(system.unavailability),
                nines(system.nines())
            ),
        ),
        ("unavailability", scientific(system.unavailability)),
        (
            "downtime",
            format!("{} per year", downtime(system.downtime_minutes_per_year())),
        ),
        (
            "outages",
            format!(
                "{} per year  (MTBF {}, mean outage {})",
                significant(system.failures_per_year(), 3),
                hours(system.mtbf_hours()),
                hours(system.mttr_hours())
            ),
        ),
    ];
    if let Some(verdict) = &result.verdict {
        lines.push((
            "target",
            format!(
                "{} (U ≤ {}): {}",
                verdict.target.text,
                scientific(verdict.target.unavailability),
                if verdict.met { "met" } else { "MISSED" }
            ),
        ));
    }
    lines
}

impl Exporter<ModelResult<'_>> for TableExporter {
    fn write(&mut self, out: &mut dyn Write, result: &ModelResult<'_>) -> io::Result<()> {
        if self.models_written > 0 {
            writeln!(out)?;
        }
        self.models_written += 1;
        writeln!(
            out,
            "{}  ({})",
            one_line(&result.model.name),
            one_line(result.file)
        )?;
        for (label, value) in summary_lines(result) {
            writeln!(out, "  {label:<15} {value}")?;
        }
        writeln!(out)?;
        let rows: Vec<Vec<String>> = result
            .solution
            .blocks
            .iter()
            .map(|block| {
                block_cells(
                    &block.name,
                    &describe_kind(result.model, &block.name),
                    &block.measures,
                )
            })
            .collect();
        Columns::new()
            .indent("  ")
            .numbers_after(2, BLOCK_TITLES.len())
            .write(out, &titles(&BLOCK_TITLES), &rows)
    }
}
