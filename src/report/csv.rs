//! CSV output: one row for the system and one per block, with a header, for spreadsheets.

use super::{Exporter, ModelResult, describe_kind};
use crate::solve::Measures;
use std::io::{self, Write};

/// Writes rows of measures.
pub struct CsvExporter;

const HEADER: &str = "model,file,scope,name,kind,availability,unavailability,nines,downtime_minutes_per_year,failures_per_year,mtbf_hours,mttr_hours";

/// Quotes a field when it holds a separator, quote or line break, and defuses text that a
/// spreadsheet would run as a formula.
pub fn field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// A number in scientific notation, or an empty cell when it is not finite.
pub(crate) fn number(value: f64) -> String {
    if value.is_finite() {
        format!("{value:e}")
    } else {
        String::new()
    }
}

fn row(out: &mut dyn Write, prefix: &str, measures: &Measures) -> io::Result<()> {
    writeln!(
        out,
        "{prefix},{},{},{},{},{},{},{}",
        number(measures.availability),
        number(measures.unavailability),
        number(measures.nines()),
        number(measures.downtime_minutes_per_year()),
        number(measures.failures_per_year()),
        measures.mtbf_hours().map_or(String::new(), number),
        measures.mttr_hours().map_or(String::new(), number),
    )
}

impl Exporter<ModelResult<'_>> for CsvExporter {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{HEADER}")
    }

    fn write(&mut self, out: &mut dyn Write, result: &ModelResult<'_>) -> io::Result<()> {
        let model = field(&result.model.name);
        let file = field(result.file);
        let top = &result.model.blocks[result.model.top].name;
        let prefix = format!(
            "{model},{file},system,{},{}",
            field(top),
            field(&describe_kind(result.model, top))
        );
        row(out, &prefix, &result.solution.system)?;
        for block in &result.solution.blocks {
            let prefix = format!(
                "{model},{file},block,{},{}",
                field(&block.name),
                field(&describe_kind(result.model, &block.name))
            );
            row(out, &prefix, &block.measures)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=1+1"), "'=1+1");
    }
}
