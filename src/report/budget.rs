//! Output of `nines budget`: a title, summary lines and a table of periods for people, or one
//! JSON object.

use super::Exporter;
use super::columns::{Columns, titles};
use crate::format::{availability_percent, downtime, nines, one_line, scientific};
use crate::whatif::budget::{Budget, Source};
use serde_json::{Map, Value};
use std::io::{self, Write};

/// The output formats of `budget`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BudgetFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object.
    Json,
}

/// The exporter of a budget for `format`.
pub fn exporter(format: BudgetFormat) -> Box<dyn Exporter<Budget>> {
    match format {
        BudgetFormat::Table => Box::new(BudgetTable),
        BudgetFormat::Json => Box::new(BudgetJson),
    }
}

/// Writes a title, summary lines like `solve`'s, and one aligned row per period.
struct BudgetTable;

/// Writes one JSON object per budget.
struct BudgetJson;

impl Exporter<Budget> for BudgetJson {
    fn write(&mut self, out: &mut dyn Write, budget: &Budget) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &json_object(budget))?;
        writeln!(out)
    }
}

/// The JSON object: availability, unavailability, nines, downtime_seconds and, for a series,
/// parts.
fn json_object(budget: &Budget) -> Value {
    let mut downtime = Map::new();
    for (name, _, hours) in budget.periods() {
        downtime.insert(name, budget.downtime_seconds(hours).into());
    }
    let mut object = Map::new();
    object.insert("availability".into(), budget.availability.into());
    object.insert("unavailability".into(), budget.unavailability.into());
    object.insert(
        "nines".into(),
        budget.nines().map_or(Value::Null, Value::from),
    );
    object.insert("downtime_seconds".into(), downtime.into());
    if let Source::Series(parts) = &budget.source {
        let values: Vec<Value> = parts
            .iter()
            .map(|part| Value::from(part.availability))
            .collect();
        object.insert("parts".into(), values.into());
    }
    object.into()
}

impl Exporter<Budget> for BudgetTable {
    fn write(&mut self, out: &mut dyn Write, budget: &Budget) -> io::Result<()> {
        writeln!(out, "{}", title(&budget.source))?;
        for (label, value) in summary_lines(budget) {
            writeln!(out, "  {label:<15} {value}")?;
        }
        writeln!(out)?;
        let rows: Vec<Vec<String>> = budget
            .periods()
            .into_iter()
            .map(|(name, length, hours)| {
                let seconds = budget.downtime_seconds(hours);
                vec![
                    name,
                    length,
                    downtime(seconds / 60.0),
                    seconds_text(seconds),
                ]
            })
            .collect();
        Columns::new().indent("  ").numbers_after(2, 4).write(
            out,
            &titles(&["period", "length", "downtime", "seconds"]),
            &rows,
        )
    }
}

/// `Downtime budget at 99.95%`, `… of 3 in series`, `… of 4h per 1y`.
fn title(source: &Source) -> String {
    match source {
        Source::Single(text) => format!("Downtime budget at {}", one_line(text.trim())),
        Source::Series(parts) => format!("Downtime budget of {} in series", parts.len()),
        Source::Downtime(downtime, window) => format!(
            "Downtime budget of {} per {}",
            one_line(downtime.trim()),
            one_line(window.trim())
        ),
    }
}

/// The parts of a series, then availability and unavailability, as (label, value).
fn summary_lines(budget: &Budget) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = Vec::new();
    if let Source::Series(parts) = &budget.source {
        for (index, part) in parts.iter().enumerate() {
            lines.push((
                format!("part {}", index + 1),
                format!(
                    "{}  (U {})",
                    one_line(part.text.trim()),
                    scientific(part.unavailability)
                ),
            ));
        }
    }
    let nines_text = nines(budget.nines().unwrap_or(f64::INFINITY));
    lines.push((
        "availability".into(),
        format!(
            "{}  ({nines_text} nines)",
            availability_percent(budget.unavailability)
        ),
    ));
    lines.push(("unavailability".into(), scientific(budget.unavailability)));
    lines
}

/// Seconds with up to 6 significant digits and no trailing zeros.
fn seconds_text(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0".into();
    }
    let magnitude = seconds.abs().log10().floor() as i32;
    if !(-3..=9).contains(&magnitude) {
        let text = format!("{seconds:.5e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let decimals = (5 - magnitude).max(0) as usize;
    crate::format::trim_trailing_zeros(format!("{seconds:.decimals$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_drop_trailing_zeros() {
        assert_eq!(seconds_text(15778.8), "15778.8");
        assert_eq!(seconds_text(43.2), "43.2");
        assert_eq!(seconds_text(2592.0), "2592");
        assert_eq!(seconds_text(0.0), "0");
        assert_eq!(seconds_text(8.64e-7), "8.64e-7");
    }

    #[test]
    fn an_always_down_budget_prints_zero_nines() {
        let budget = Budget::single("0%".into(), (0.0, 1.0), None);
        let mut out = Vec::new();
        BudgetTable.write(&mut out, &budget).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("(0.00 nines)"), "{text}");
        assert!(!text.contains("-0"), "{text}");
        let json = json_object(&budget).to_string();
        assert!(json.contains("\"nines\":0.0"), "{json}");
    }
}
