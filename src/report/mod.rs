//! Outputs: one exporter per subject and format behind one trait, [`Exporter`].
//!
//! This module holds the solved-model subject; `simulation`, `whatif`, `budget` and
//! `check_line` hold the others. Exporters format a result and never recompute it. JSON is the stable contract for
//! machines (one object per model per line); table is for people; CSV and Markdown are for
//! spreadsheets and documents.

pub(crate) mod budget;
pub(crate) mod check;
pub(crate) mod check_line;
pub(crate) mod columns;
pub(crate) mod csv;
pub(crate) mod diagram;
pub(crate) mod document;
pub(crate) mod escape;
pub(crate) mod fit;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod review;
pub(crate) mod run_notes;
pub(crate) mod sentences;
pub(crate) mod simulation;
pub(crate) mod table;
pub(crate) mod topology;
pub(crate) mod uncertainty;
pub(crate) mod whatif;
pub(crate) mod whatif_export;

use crate::model::{BlockKind, Model, Target};
use crate::solve::{Measures, Solution};
use std::io::{self, Write};

/// One model's solution, with what is needed to present it.
pub struct ModelResult<'a> {
    /// The model as solved (after overrides).
    pub model: &'a Model,
    /// The file it came from, as given on the command line.
    pub file: &'a str,
    /// The exact solution.
    pub solution: &'a Solution,
    /// The target compared against, when there is one.
    pub verdict: Option<Verdict>,
    /// The exact time measures (first outage, mission, window), when computed.
    pub time: Option<&'a crate::solve::transient::TimeSolution>,
}

/// The outcome of comparing a model's unavailability with its target.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The target used (the model's or `--target`).
    pub(crate) target: Target,
    /// Whether U ≤ the target's unavailability.
    pub(crate) met: bool,
}

impl Verdict {
    /// Compares `measures` with `target`.
    pub fn new(measures: &Measures, target: Target) -> Self {
        let met = measures.unavailability <= target.unavailability;
        Self { target, met }
    }
}

/// The output formats of `solve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// One JSON object per model per line.
    Json,
    /// One row per system and block.
    Csv,
    /// A Markdown table per model.
    Markdown,
}

/// Writes the results of one subject (solved models, simulations, sweeps, importance,
/// budgets, checks) in one format.
///
/// Every subject has one exporter per format and a factory from its format enum, so adding a
/// format is one exporter per subject, and the command line never matches on a format.
pub(crate) trait Exporter<Subject: ?Sized> {
    /// Called once before the first result (a CSV header).
    fn begin(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// Writes one result.
    fn write(&mut self, out: &mut dyn Write, result: &Subject) -> io::Result<()>;
    /// Called once after the last result (a report that needs every result, as JUnit does).
    fn end(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// The exporter of solved models in one format.
pub struct SolveExporter(Box<dyn for<'a> Exporter<ModelResult<'a>>>);

impl SolveExporter {
    /// Called once before the first model.
    pub fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.0.begin(out)
    }
    /// Writes one model.
    pub fn model(&mut self, out: &mut dyn Write, result: &ModelResult<'_>) -> io::Result<()> {
        self.0.write(out, result)
    }
    /// Called once after the last model.
    pub(crate) fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.0.end(out)
    }
}

/// The exporter of solved models for `format`.
pub fn exporter(format: Format) -> SolveExporter {
    SolveExporter(match format {
        Format::Table => Box::new(table::TableExporter::default()),
        Format::Json => Box::new(json::JsonExporter),
        Format::Csv => Box::new(csv::CsvExporter),
        Format::Markdown => Box::new(markdown::MarkdownExporter),
    })
}

/// A short description of a block's structure, e.g. `4-of-6, 1 crew, election` or
/// `standby ×2`.
pub(crate) fn describe_kind(model: &Model, block_name: &str) -> String {
    let Some(index) = model.block_index(block_name) else {
        return String::new();
    };
    let block = &model.blocks[index];
    let n = block.member_count();
    let mut text = match &block.kind {
        BlockKind::Series => format!("series ×{n}"),
        BlockKind::Parallel => format!("parallel ×{n}"),
        BlockKind::KOfN { k } => format!("{k}-of-{n}"),
        BlockKind::Standby(_) => format!("standby ×{n}"),
    };
    if let Some(crews) = block.repair_crews {
        text.push_str(&format!(
            ", {crews} crew{}",
            if crews == 1 { "" } else { "s" }
        ));
    }
    if block.common_cause_beta.is_some() {
        text.push_str(", CCF");
    }
    if block.leader_election.is_some() {
        text.push_str(", election");
    }
    if block.failure_pause.is_some() {
        text.push_str(", pause");
    }
    if block.shared {
        text.push_str(", shared");
    }
    text
}
