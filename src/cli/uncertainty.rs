//! `nines uncertainty`: samples what the model does not know (evidence, expert ranges) and
//! solves every sample exactly. The sampling is in `whatif::uncertainty`, the output in
//! `report::uncertainty`.

use super::whatif::{PlotArgs, write_chart};
use super::{Outcome, effective_target, load_text, overrides_and_target, read_model};
use crate::chart::nines_spread::{NinesSpread, bins_of};
use crate::report::uncertainty::{UncertaintyFormat, UncertaintyResult, exporter};
use crate::solve::nines_of;
use crate::whatif::uncertainty::{DEFAULT_SAMPLES, DEFAULT_SEED, Settings, uncertainty};
use std::io::{self, Write};
use std::path::PathBuf;

/// Options of `nines uncertainty`.
#[derive(Debug, clap::Args)]
pub struct UncertaintyArgs {
    /// Model files (TOML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
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
    /// Samples of the uncertain figures (each solved exactly).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SAMPLES as u64, value_parser = clap::value_parser!(u64).range(2..=10_000_000))]
    samples: u64,
    /// Seed of the Latin hypercube; the same seed gives the same numbers on any threads.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Threads to solve on (default: all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = UncertaintyFormat::Table)]
    format: UncertaintyFormat,
    #[command(flatten)]
    plot: PlotArgs,
}

/// Runs `nines uncertainty`.
pub fn run_uncertainty(args: UncertaintyArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    if let Err(message) = args.plot.check() {
        say!("error: {message}");
        return Ok(Outcome::InputError);
    }
    let (overrides, target_override) =
        match overrides_and_target(&args.set, args.top.as_deref(), args.target.as_deref()) {
            Ok(parsed) => parsed,
            Err(outcome) => return Ok(outcome),
        };
    let settings = Settings {
        samples: args.samples as usize,
        seed: args.seed,
        threads: args.threads,
    };
    let several = args.models.len() > 1;
    let mut outcome = Outcome::Success;
    let mut exporter = exporter(args.format);
    exporter.begin(out)?;
    for path in &args.models {
        let Some((file, text)) = read_model(path) else {
            outcome = Outcome::InputError;
            continue;
        };
        let Some(mut loaded) = load_text(&file, &text, &overrides) else {
            outcome = Outcome::InputError;
            continue;
        };
        loaded.model.target = effective_target(&loaded.model, target_override.as_ref());
        let analysis = match uncertainty(&loaded.model, settings) {
            Ok(analysis) => analysis,
            Err(error) => {
                let diagnostic = crate::diag::Diagnostic::new(
                    crate::diag::Code::SolverLimit,
                    error.to_string(),
                    None,
                );
                loaded.sources.emit_to_stderr(&diagnostic);
                outcome = Outcome::InputError;
                continue;
            }
        };
        if analysis.parameters.is_empty() {
            say!(
                "note: {file}: no component has `evidence` or an `uncertainty` range, so every sample is the same model"
            );
        }
        exporter.write(
            out,
            &UncertaintyResult {
                model: &loaded.model.name,
                file: &file,
                uncertainty: &analysis,
            },
        )?;
        if let Some((path, format)) = args.plot.destination_for(&file, "uncertainty", several) {
            let nines: Vec<f64> = analysis.samples.iter().map(|u| nines_of(*u)).collect();
            let chart = NinesSpread {
                title: format!("{}: nines over {} samples", loaded.model.name, nines.len()),
                bins: bins_of(&nines, 40),
                target: loaded
                    .model
                    .target
                    .as_ref()
                    .map(|t| (nines_of(t.unavailability), t.text.clone())),
            };
            if !write_chart(&chart, &path, format) {
                outcome = Outcome::InputError;
            }
        }
    }
    exporter.end(out)?;
    Ok(outcome)
}
