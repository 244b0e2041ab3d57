//! Aligned text for people: a summary of the system, then one row per block.

use super::columns::{Columns, titles};
use super::{Exporter, ModelResult, describe_kind};
use crate::format::{
    availability_percent, downtime, format_duration_hours, hours, nines, one_line, scientific,
    significant,
};
use crate::solve::Measures;
use crate::solve::transient::{FirstOutage, TimeSolution, WindowStart};
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
    if let Some(time) = result.time {
        lines.extend(time_lines(time));
    }
    lines
}

/// A probability for people: a percentage with 4 significant digits down to 0.1 %, below
/// that scientific notation (so 1.234e-12 keeps its digits).
pub fn probability(value: f64) -> String {
    if value == 0.0 {
        "0".into()
    } else if value >= 1e-3 {
        format!("{}%", significant(value * 100.0, 4))
    } else {
        scientific(value)
    }
}

/// The summary lines of the exact time measures: first outage, mission, SLA window.
pub fn time_lines(time: &TimeSolution) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    if let Ok(first) = &time.system {
        lines.push((
            "first outage",
            format!("{} mean from all up (MTTFF)", first_outage_cell(first)),
        ));
        if let Some(mission) = &first.mission {
            lines.push((
                "mission",
                format!(
                    "{}: P(outage) {}, reliability {}  ({} nines of durability)",
                    format_duration_hours(mission.hours),
                    probability(mission.unreliability),
                    // R as A is printed: from its complement, with the digits that show
                    // where it ends (never 100 % for an R below 1).
                    availability_percent(mission.unreliability),
                    nines(mission.nines())
                ),
            ));
        }
    }
    if let Some(Ok(window)) = &time.window {
        let settings = &window.settings;
        let start = match settings.start {
            WindowStart::Steady => "from the steady state",
            WindowStart::New => "from all up",
        };
        match (window.breach_probability, settings.budget_hours) {
            (Some(breach), Some(budget)) => lines.push((
                "SLA window",
                format!(
                    "{}: P(breach) {}  (downtime > {} budget, windows {start})",
                    format_duration_hours(settings.hours),
                    probability(breach),
                    downtime(budget * 60.0)
                ),
            )),
            _ => lines.push((
                "SLA window",
                format!(
                    "{}: no target, no breach  (windows {start})",
                    format_duration_hours(settings.hours)
                ),
            )),
        }
        let q = &window.downtime_hours;
        let cell = |value: Option<f64>| match value {
            Some(h) => downtime(h * 60.0),
            None => "beyond reach".into(),
        };
        lines.push((
            "window downtime",
            format!(
                "p50 {}, p90 {}, p99 {}, p99.9 {}, mean {}",
                cell(q.p50),
                cell(q.p90),
                cell(q.p99),
                cell(q.p99_9),
                cell(q.mean)
            ),
        ));
    }
    lines
}

/// The MTTFF as a duration ("never" when the block never goes down).
fn first_outage_cell(first: &FirstOutage) -> String {
    match first.mttff_hours {
        Some(hours) => format_duration_hours(hours),
        None => "never".into(),
    }
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
                let mut cells = block_cells(
                    &block.name,
                    &describe_kind(result.model, &block.name),
                    &block.measures,
                );
                if let Some(time) = result.time {
                    let first = time.blocks.iter().find(|(name, _)| *name == block.name);
                    cells.push(match first {
                        Some((_, Ok(first))) => first_outage_cell(first),
                        _ => "–".into(),
                    });
                }
                cells
            })
            .collect();
        let mut header: Vec<&str> = BLOCK_TITLES.to_vec();
        if result.time.is_some() {
            header.push("first outage");
        }
        Columns::new()
            .indent("  ")
            .numbers_after(2, header.len())
            .write(out, &titles(&header), &rows)
    }
}
