//! `nines fit`: MTBF and MTTR with confidence intervals, and repair-time fits, from an
//! incident log. The statistics are in `fit`, the output in `report::fit`.

use super::Outcome;
use super::files::{INCIDENT_LOG_LIMIT, read_text, safe_stem, write_atomically};
use crate::chart::repair_fit::RepairFitChart;
use crate::chart::{ImageFormat, render};
use crate::diag::Sources;
use crate::fit::incidents::{parse_log, parse_time};
use crate::fit::{LogFit, fit_log, period_of};
use crate::model::units::parse_fraction_text;
use crate::report::fit::{FitFormat, exporter};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Options of `nines fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// The incident log: a CSV with a header and columns `component`, `start`, `end` (empty
    /// while still open) and optionally `units`.
    #[arg(value_name = "INCIDENTS.csv")]
    log: PathBuf,
    /// Start of the observation (RFC 3339 date-time or a date); default: the first start.
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// End of the observation; incidents still open then are censored repairs; default: the
    /// last time in the log.
    #[arg(long, value_name = "TIME")]
    to: Option<String>,
    /// Two-sided confidence of the intervals, e.g. 90% or 0.95.
    #[arg(long, value_name = "LEVEL", default_value = "90%")]
    confidence: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FitFormat::Table)]
    format: FitFormat,
    /// Draw each component's repair times with the fitted CDFs, into DIR/LOG-fit-COMPONENT.svg.
    #[arg(long)]
    plot: bool,
    /// Draw the charts as PNG instead of SVG.
    #[arg(long)]
    png: bool,
    /// Directory for the charts.
    #[arg(
        short = 'o',
        long = "output-dir",
        value_name = "DIR",
        default_value = "output"
    )]
    output_dir: PathBuf,
}

/// Runs `nines fit`.
pub fn run_fit(args: FitArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let Some(fit) = evidence(&args) else {
        return Ok(Outcome::InputError);
    };
    if args.plot && !plot(&args, &fit) {
        return Ok(Outcome::InputError);
    }
    let mut exporter = exporter(args.format);
    exporter.begin(out)?;
    exporter.write(out, &fit)?;
    exporter.end(out)?;
    Ok(Outcome::Success)
}

/// Reads the log and the options into the evidence of every component; `None` after saying
/// what is wrong.
fn evidence(args: &FitArgs) -> Option<LogFit> {
    let file = args.log.display().to_string();
    let confidence = match parse_fraction_text(&args.confidence) {
        Ok(fraction) if fraction.value > 0.0 && fraction.value < 1.0 => fraction.value,
        _ => {
            say!(
                "error: --confidence `{}` must be a level between 0% and 100%, e.g. 90%",
                args.confidence
            );
            return None;
        }
    };
    let bound = |flag: &str, text: &Option<String>| match text {
        Some(text) => parse_time(text, true)
            .map(Some)
            .map_err(|message| say!("error: --{flag} {message}")),
        None => Ok(None),
    };
    let (from, to) = (bound("from", &args.from).ok()?, bound("to", &args.to).ok()?);
    let text = match read_text(&args.log, &INCIDENT_LOG_LIMIT) {
        Ok(text) => text,
        Err(reason) => {
            say!("error: could not read incident log '{file}': {reason}");
            return None;
        }
    };
    let log = match parse_log(&text) {
        Ok(log) => log,
        Err(problems) => {
            let sources = Sources::new(&file, &text, "");
            for problem in &problems {
                sources.emit_to_stderr(problem);
            }
            let count = problems.len();
            say!(
                "error: {file}: {count} problem{} found",
                if count == 1 { "" } else { "s" }
            );
            return None;
        }
    };
    let period = match period_of(&log, from, to) {
        Ok(period) => period,
        Err(message) => {
            say!("error: {file}: {message}");
            return None;
        }
    };
    Some(LogFit {
        components: fit_log(&log, period, confidence),
        file,
        period,
        confidence,
        confidence_text: args.confidence.trim().to_string(),
    })
}

/// Writes one chart per component; `false` after saying what could not be written.
fn plot(args: &FitArgs, fit: &LogFit) -> bool {
    let format = if args.png {
        ImageFormat::Png
    } else {
        ImageFormat::Svg
    };
    let stem = safe_stem(&fit.file);
    for component in &fit.components {
        let chart = RepairFitChart::of(component);
        let name = format!(
            "{stem}-fit-{}.{}",
            safe_stem(&format!("{}.x", component.name)),
            format.extension()
        );
        let path = Path::new(&args.output_dir).join(name);
        let written = render(&chart, format)
            .map_err(|error| error.to_string())
            .and_then(|bytes| write_atomically(&path, &bytes));
        match written {
            Ok(()) => say!("note: wrote {}", path.display()),
            Err(message) => {
                say!("error: {message}");
                return false;
            }
        }
    }
    true
}
