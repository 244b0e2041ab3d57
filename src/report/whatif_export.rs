//! Exporters of the what-if commands: a sweep, a `--find` boundary and an importance list,
//! each as aligned text, CSV or JSON.
//!
//! The command line gathers a result ([`SweepResult`], [`FindResult`], [`ImportanceResult`])
//! and hands it to the exporter of its `--format`; the cells and objects come from
//! [`super::whatif`].

use super::Exporter;
use super::csv::field;
use super::whatif as output;
use crate::format::{downtime, one_line};
use crate::report::sentences::boundary_text;
use crate::solve::Measures;
use crate::whatif::find::Found;
use crate::whatif::sensitivity::Importance;
use crate::whatif::sweep::Point;
use crate::whatif::vary::AxisUnit;
use crate::whatif::vary::Vary;
use serde_json::{Value, json};
use std::io::{self, Write};

/// Output formats of `sweep` and `sensitivity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhatIfFormat {
    /// Aligned text for people.
    Table,
    /// Comma-separated values with a header.
    Csv,
    /// One JSON object per line.
    Json,
}

/// Writes a line to stderr, ignoring failure: where JSON and CSV put their sentences, so
/// that stdout stays machine-readable.
fn note(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

/// A finished sweep: every point and the sentences that say where the target is met.
pub struct SweepResult<'a> {
    /// The model's name.
    pub model: &'a str,
    /// The model file, as given.
    pub file: &'a str,
    /// What was varied.
    pub varies: &'a [Vary],
    /// The points, in grid order.
    pub points: &'a [Point],
    /// "met from block.web.count = 5" and the like.
    pub sentences: &'a [String],
}

/// The exporter of a sweep for `format`.
pub fn sweep_exporter(format: WhatIfFormat) -> Box<dyn for<'a> Exporter<SweepResult<'a>>> {
    match format {
        WhatIfFormat::Table => Box::new(SweepTable),
        WhatIfFormat::Csv => Box::new(SweepCsv),
        WhatIfFormat::Json => Box::new(SweepJson),
    }
}

/// A heading, the aligned table, then the sentences.
struct SweepTable;

impl Exporter<SweepResult<'_>> for SweepTable {
    fn write(&mut self, out: &mut dyn Write, sweep: &SweepResult<'_>) -> io::Result<()> {
        writeln!(out, "{}  [{}]", one_line(sweep.model), one_line(sweep.file))?;
        output::write_sweep_table(out, sweep.varies, sweep.points)?;
        if !sweep.sentences.is_empty() {
            writeln!(out)?;
        }
        for sentence in sweep.sentences {
            writeln!(out, "{}", one_line(sentence))?;
        }
        Ok(())
    }
}

/// A header and one row per point; the sentences on stderr.
struct SweepCsv;

impl Exporter<SweepResult<'_>> for SweepCsv {
    fn write(&mut self, out: &mut dyn Write, sweep: &SweepResult<'_>) -> io::Result<()> {
        let simulated = sweep.points.iter().any(|p| p.interval.is_some());
        writeln!(out, "{}", output::sweep_csv_header(sweep.varies, simulated))?;
        for point in sweep.points {
            writeln!(out, "{}", output::sweep_csv_row(sweep.model, point))?;
        }
        sweep.sentences.iter().for_each(|sentence| note(sentence));
        Ok(())
    }
}

/// One object per point per line; the sentences on stderr.
struct SweepJson;

impl Exporter<SweepResult<'_>> for SweepJson {
    fn write(&mut self, out: &mut dyn Write, sweep: &SweepResult<'_>) -> io::Result<()> {
        for point in sweep.points {
            let object = output::sweep_point_json(sweep.model, sweep.file, sweep.varies, point);
            serde_json::to_writer(&mut *out, &object)?;
            writeln!(out)?;
        }
        sweep.sentences.iter().for_each(|sentence| note(sentence));
        Ok(())
    }
}

/// The result of `sweep --find`: where the target is just met.
pub struct FindResult<'a> {
    /// The model's name.
    pub model: &'a str,
    /// The model file, as given.
    pub file: &'a str,
    /// The parameter searched, as `--set` takes it.
    pub path: &'a str,
    /// The target, as written.
    pub target: &'a str,
    /// What the search found.
    pub found: Found,
    /// The unit the parameter is read in.
    pub unit: AxisUnit,
    /// The parameter's present value.
    pub current: f64,
    /// Whether the present value meets the target.
    pub current_meets: bool,
    /// The range searched.
    pub range: (f64, f64),
}

impl FindResult<'_> {
    /// The boundary as a number, and on which side of it the target holds (JSON and CSV).
    fn holds(&self) -> (Option<f64>, &'static str) {
        match self.found {
            Found::Boundary { value, holds_below } => (
                Some(value),
                if holds_below { "at_most" } else { "at_least" },
            ),
            Found::AlwaysMet => (None, "everywhere"),
            Found::NeverMet => (None, "nowhere"),
        }
    }

    /// "the target 99.99% holds while component.db.mttr ≤ 4h".
    fn sentence(&self) -> String {
        let (path, target, unit) = (self.path, self.target, self.unit);
        let (low, high) = self.range;
        match self.found {
            Found::Boundary { value, holds_below } => format!(
                "the target {target} holds while {path} {} {}",
                if holds_below { "≤" } else { "≥" },
                boundary_text(value, holds_below, unit)
            ),
            Found::AlwaysMet => format!(
                "the target {target} holds for every {path} from {} to {}",
                unit.label(low),
                unit.label(high)
            ),
            Found::NeverMet => format!(
                "the target {target} is missed for every {path} from {} to {}",
                unit.label(low),
                unit.label(high)
            ),
        }
    }
}

/// The exporter of a `--find` result for `format`.
pub fn find_exporter(format: WhatIfFormat) -> Box<dyn for<'a> Exporter<FindResult<'a>>> {
    match format {
        WhatIfFormat::Table => Box::new(FindTable),
        WhatIfFormat::Csv => Box::new(FindCsv),
        WhatIfFormat::Json => Box::new(FindJson),
    }
}

/// One sentence: the boundary and how the present value fares.
struct FindTable;

impl Exporter<FindResult<'_>> for FindTable {
    fn write(&mut self, out: &mut dyn Write, found: &FindResult<'_>) -> io::Result<()> {
        let now = format!(
            "now {}: {}",
            found.unit.label(found.current),
            if found.current_meets {
                "meets"
            } else {
                "misses"
            }
        );
        writeln!(
            out,
            "{}: {} ({now})",
            one_line(found.model),
            one_line(&found.sentence())
        )
    }
}

/// A header and one row.
struct FindCsv;

impl Exporter<FindResult<'_>> for FindCsv {
    fn write(&mut self, out: &mut dyn Write, found: &FindResult<'_>) -> io::Result<()> {
        writeln!(
            out,
            "model,find,target,boundary,holds,current,current_meets"
        )?;
        let (boundary, holds) = found.holds();
        let boundary = boundary.map_or(String::new(), |value| format!("{value}"));
        writeln!(
            out,
            "{},{},{},{boundary},{holds},{},{}",
            field(found.model),
            field(found.path),
            field(found.target),
            found.current,
            found.current_meets
        )
    }
}

/// One JSON object.
struct FindJson;

impl Exporter<FindResult<'_>> for FindJson {
    fn write(&mut self, out: &mut dyn Write, found: &FindResult<'_>) -> io::Result<()> {
        let (boundary, holds) = found.holds();
        let boundary_text = match found.found {
            Found::Boundary { value, holds_below } => {
                json!(boundary_text(value, holds_below, found.unit))
            }
            _ => Value::Null,
        };
        let object = json!({
            "model": found.model,
            "file": found.file,
            "find": found.path,
            "target": found.target,
            "boundary": boundary.map_or(Value::Null, |value| json!(value)),
            "boundary_text": boundary_text,
            "holds": holds,
            "current": found.current,
            "current_meets": found.current_meets,
            "range": [found.range.0, found.range.1],
        });
        serde_json::to_writer(&mut *out, &object)?;
        writeln!(out)
    }
}

/// One model's importance list, sorted by the larger saving.
pub struct ImportanceResult<'a> {
    /// The model's name.
    pub model: &'a str,
    /// The model file, as given.
    pub file: &'a str,
    /// The system's exact measures.
    pub system: &'a Measures,
    /// The items, in the order shown.
    pub items: &'a [Importance],
}

/// The exporter of importance lists for `format`.
pub fn importance_exporter(
    format: WhatIfFormat,
) -> Box<dyn for<'a> Exporter<ImportanceResult<'a>>> {
    match format {
        WhatIfFormat::Table => Box::new(ImportanceTable { models_written: 0 }),
        WhatIfFormat::Csv => Box::new(ImportanceCsv),
        WhatIfFormat::Json => Box::new(ImportanceJson),
    }
}

/// Per model: a heading, the table and what to fix first; a note on stderr at the end.
struct ImportanceTable {
    models_written: usize,
}

impl Exporter<ImportanceResult<'_>> for ImportanceTable {
    fn write(&mut self, out: &mut dyn Write, result: &ImportanceResult<'_>) -> io::Result<()> {
        if self.models_written > 0 {
            writeln!(out)?;
        }
        self.models_written += 1;
        writeln!(
            out,
            "{}: downtime {} per year  [{}]",
            one_line(result.model),
            downtime(result.system.downtime_minutes_per_year()),
            one_line(result.file)
        )?;
        output::write_importance_table(out, result.items)?;
        if let Some(best) = result
            .items
            .first()
            .filter(|item| item.best_saving_minutes() > 0.0)
        {
            writeln!(out, "\n{}", one_line(&output::fix_first_sentence(best)))?;
        }
        Ok(())
    }

    fn end(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        if self.models_written > 0 {
            note(
                "note: figures are for one copy of each item (one of its `copies`; a shared item is one unit); a block's MTBF and MTTR changes apply to every unit in that copy",
            );
        }
        Ok(())
    }
}

/// One header, then a row per item of every model.
struct ImportanceCsv;

impl Exporter<ImportanceResult<'_>> for ImportanceCsv {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", output::IMPORTANCE_CSV_HEADER)
    }

    fn write(&mut self, out: &mut dyn Write, result: &ImportanceResult<'_>) -> io::Result<()> {
        for item in result.items {
            writeln!(out, "{}", output::importance_csv_row(result.model, item))?;
        }
        Ok(())
    }
}

/// One JSON object per model per line.
struct ImportanceJson;

impl Exporter<ImportanceResult<'_>> for ImportanceJson {
    fn write(&mut self, out: &mut dyn Write, result: &ImportanceResult<'_>) -> io::Result<()> {
        let object =
            output::importance_json(result.model, result.file, result.system, result.items);
        serde_json::to_writer(&mut *out, &object)?;
        writeln!(out)
    }
}
