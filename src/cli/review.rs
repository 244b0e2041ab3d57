//! `nines report` (design-review reports) and `nines diagram` (topology graphs).

use super::LoadedModel;
use super::files::{safe_stem, write_atomically};
use super::simulate::{SimOptions, parse_options, simulate_loaded};
use super::{
    Outcome, TimeOptions, effective_target, load, overrides_and_target, parse_overrides,
    solve_loaded, solve_time_loaded,
};
use crate::chart::ImageFormat;
use crate::diag::Diagnostic;
use crate::report::document::Document;
use crate::report::review::{ChartFile, Review, review};
use crate::report::sentences::{SECTIONS_LEFT_OUT, left_out_note, not_computed_note};
use crate::report::{ModelResult, Verdict};
use crate::whatif::rates::{ImprovementSweep, improvement_sweep};
use crate::whatif::sensitivity::{Importance, importances};
use clap::ValueEnum;
use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Arguments of `nines report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Model files (TOML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
    /// Directory to write the reports into (created when missing).
    #[arg(
        short = 'o',
        long = "output-dir",
        value_name = "DIR",
        default_value = "output"
    )]
    output_dir: PathBuf,
    /// Override a model value, e.g. component.db.mttr=2h (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Solve this block as the system instead of the model's top, e.g. --top web (the same as
    /// --set top=web).
    #[arg(long, value_name = "BLOCK")]
    top: Option<String>,
    /// Target availability, overriding the models' own, e.g. 99.99%.
    #[arg(long, value_name = "AVAILABILITY")]
    target: Option<String>,
    /// Write the charts beside the Markdown as PNG instead of SVG (the HTML page always
    /// embeds SVG).
    #[arg(long)]
    png: bool,
    /// Leave the simulation out (exact results, importance and sweep only).
    #[arg(long)]
    no_simulation: bool,
    #[command(flatten)]
    simulation: SimOptions,
}

/// Graph formats of `nines diagram`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// Mermaid flowchart (renders on GitHub and GitLab).
    Mermaid,
    /// A standalone SVG tree.
    Svg,
}

/// Arguments of `nines diagram`.
#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    /// Model files (TOML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
    /// Override a model value, e.g. block.web.count=8 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Solve this block as the system instead of the model's top, e.g. --top web (the same as
    /// --set top=web).
    #[arg(long, value_name = "BLOCK")]
    top: Option<String>,
    /// Graph format.
    #[arg(long, value_enum, default_value_t = DiagramFormat::Dot)]
    format: DiagramFormat,
}

/// `nines diagram`.
pub fn run_diagram(args: DiagramArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let overrides = match parse_overrides(&args.set, args.top.as_deref()) {
        Ok(overrides) => overrides,
        Err(outcome) => return Ok(outcome),
    };
    let mut outcome = Outcome::Success;
    for path in &args.models {
        let Some(loaded) = load(path, &overrides) else {
            outcome = Outcome::InputError;
            continue;
        };
        let text = match args.format {
            DiagramFormat::Dot => crate::report::diagram::dot(&loaded.model),
            DiagramFormat::Mermaid => crate::report::diagram::mermaid(&loaded.model),
            DiagramFormat::Svg => crate::report::topology::topology_svg(&loaded.model),
        };
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(outcome)
}

/// `nines report`.
pub fn run_report(args: ReportArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let (overrides, target_override) =
        match overrides_and_target(&args.set, args.top.as_deref(), args.target.as_deref()) {
            Ok(parsed) => parsed,
            Err(outcome) => return Ok(outcome),
        };
    let options = if args.no_simulation {
        None
    } else {
        match parse_options(&args.simulation) {
            // The report's charts are distributions over runs: always crude runs.
            Ok(parsed) => Some(parsed.crude()),
            Err(outcome) => return Ok(outcome),
        }
    };
    let format = if args.png {
        ImageFormat::Png
    } else {
        ImageFormat::Svg
    };
    let mut outcome = Outcome::Success;
    let mut stems = HashSet::new();
    for path in &args.models {
        let Some(mut loaded) = load(path, &overrides) else {
            outcome = Outcome::InputError;
            continue;
        };
        loaded.model.target = effective_target(&loaded.model, target_override.as_ref());
        let Some(solution) = solve_loaded(&loaded) else {
            outcome = Outcome::InputError;
            continue;
        };
        let record = match &options {
            Some(options) => {
                let target = loaded.model.target.clone();
                match simulate_loaded(&loaded, target.as_ref(), options, None) {
                    Some(record) if super::simulate::interrupted(&record) => {
                        say!("error: {}: interrupted; no report written", loaded.file);
                        return Ok(Outcome::Interrupted);
                    }
                    Some(record) => Some(record),
                    None => {
                        outcome = Outcome::InputError;
                        continue;
                    }
                }
            }
            None => None,
        };
        let (sweep, items, analysis_notes) = analyse(&loaded);
        let verdict = loaded
            .model
            .target
            .clone()
            .map(|target| Verdict::new(&solution.system, target));
        // The spread over the uncertain figures, when the model has any.
        let uncertain = if crate::whatif::uncertainty::parameters(&loaded.model).is_empty() {
            None
        } else {
            let settings = crate::whatif::uncertainty::Settings::default();
            match crate::whatif::uncertainty::uncertainty(&loaded.model, settings) {
                Ok(analysis) => Some(analysis),
                Err(error) => {
                    say!(
                        "warning: {}: the uncertainty section is left out: {error}",
                        loaded.file
                    );
                    None
                }
            }
        };
        // The first outage and, with a `[target] window`, the exact breach probability.
        let (time, _) = solve_time_loaded(&loaded, &TimeOptions::model_window());
        let inputs = Review {
            result: ModelResult {
                model: &loaded.model,
                file: &loaded.file,
                solution: &solution,
                verdict,
                time: Some(&time),
            },
            record: record.as_ref(),
            importances: &items,
            importance_notes: &analysis_notes,
            sweep,
            uncertainty: uncertain.as_ref(),
        };
        let stem = unique_stem(&mut stems, &loaded.file);
        let (document, charts) = match review(&inputs, &stem, format) {
            Ok(laid_out) => laid_out,
            Err(error) => {
                say!("error: {}: {error}", loaded.file);
                outcome = Outcome::InputError;
                continue;
            }
        };
        let Some((markdown, page)) = write_report(&args.output_dir, &stem, &document, &charts)
        else {
            outcome = Outcome::InputError;
            continue;
        };
        writeln!(out, "{}", markdown.display())?;
        writeln!(out, "{}", page.display())?;
    }
    Ok(outcome)
}

/// Importance of every item and the sweep of the figure that matters most, with notes on
/// what is left out (also said on stderr); when the model exceeds the exact solver, neither.
fn analyse(loaded: &LoadedModel) -> (Option<ImprovementSweep>, Vec<Importance>, Vec<String>) {
    let mut notes = Vec::new();
    let analysed = importances(&loaded.model).and_then(|rated| {
        for (item, error) in &rated.skipped {
            notes.push(left_out_note(item, error));
        }
        Ok((improvement_sweep(&loaded.model, &rated.items)?, rated.items))
    });
    let (sweep, items) = match analysed {
        Ok(analysed) => analysed,
        Err(error) => {
            let diagnostic =
                Diagnostic::new(crate::diag::Code::SolverLimit, error.to_string(), None)
                    .with_note(SECTIONS_LEFT_OUT);
            loaded.sources.emit_to_stderr(&diagnostic);
            notes.push(not_computed_note(&error));
            (None, Vec::new())
        }
    };
    for note in &notes {
        say!("warning: {}: {note}", loaded.file);
    }
    (sweep, items, notes)
}

/// The file stem for a model's report, made unique among `taken` with `-2`, `-3`, ….
fn unique_stem(taken: &mut HashSet<String>, file: &str) -> String {
    let mut stem = safe_stem(file);
    let mut suffix = 2;
    while !taken.insert(stem.clone()) {
        stem = format!("{}-{suffix}", safe_stem(file));
        suffix += 1;
    }
    stem
}

/// Writes the charts, `STEM.md` and `STEM.html` into `directory`, each atomically, and
/// returns the two documents' paths; `None` (after saying why) when a file cannot be written.
fn write_report(
    directory: &Path,
    stem: &str,
    document: &Document,
    charts: &[ChartFile],
) -> Option<(PathBuf, PathBuf)> {
    let mut written = charts
        .iter()
        .map(|chart| (directory.join(&chart.name), chart.bytes.clone()))
        .collect::<Vec<_>>();
    let markdown = directory.join(format!("{stem}.md"));
    let page = directory.join(format!("{stem}.html"));
    written.push((markdown.clone(), document.to_markdown().into_bytes()));
    written.push((page.clone(), document.to_html().into_bytes()));
    for (file, bytes) in &written {
        if let Err(message) = write_atomically(file, bytes) {
            say!("error: {message}");
            return None;
        }
    }
    Some((markdown, page))
}
