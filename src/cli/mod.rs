//! The command line: clap types and one function per subcommand.
//!
//! Handlers read model files, hand validated models to the solver and the results to an
//! exporter; they hold no math and no formatting of their own. Results go to stdout,
//! diagnostics to stderr.

use crate::diag::{Diagnostic, Sources};
use crate::model::Model;
use crate::model::load::{Invalid, load_model};
use crate::model::overrides::Override;
use crate::model::units::parse_fraction_text;
use crate::report::check::{CaseOutcome, CheckCase};
use crate::report::check_line::{self, CheckEntry, CheckExporter, CheckFormat, Judged};
use crate::report::{self, Format, ModelResult, Verdict};
use crate::solve::{Solution, solve};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes a line to stderr, ignoring failure: a closed stderr must not turn into a panic.
macro_rules! say {
    ($($argument:tt)*) => {{
        let _ = writeln!(io::stderr(), $($argument)*);
    }};
}

mod budget;
mod export;
mod files;
mod fit;
mod interrupt;
mod pace;
mod review;
mod simulate;
mod uncertainty;
mod whatif;

const EXIT_CODES: &str = "Exit codes:
  0  success (for `check`: every model meets its target)
  1  `check`: at least one model misses its target
  2  bad input: unreadable file, invalid model, bad option, or a model the solver cannot handle
  130  interrupted (Ctrl-C or SIGTERM); a simulation prints the runs completed, marked partial";

/// Availability engineering: how available is a system of redundant, repairable parts?
#[derive(Debug, Parser)]
#[command(name = "nines", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Solve models exactly: availability, nines, downtime, outage frequency, MTBF and MTTR.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines solve models/three-tier.toml\n",
        "  nines solve models/*.toml --format json\n",
        "  nines solve models/three-tier.toml --set component.web_node.mttr=10m --set block.web.count=8\n",
        "  nines solve models/etcd-5-nodes.toml --format markdown > etcd.md\n",
        "  nines solve models/kafka-cluster.toml --top controllers\n",
        "  nines solve models/kafka-cluster.toml --set 'component.broker[2].mttr=8h'\n\n",
        "Exit codes:\n  0  solved every model\n  2  bad input or a model the solver cannot handle"
    ))]
    Solve(SolveArgs),
    /// Compare each model with its availability target; exit 1 when any falls short.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines check models/*.toml\n",
        "  nines check models/three-tier.toml --target 99.99%\n",
        "  nines check models/redis-sentinel.toml --set block.redis.coverage=0.9\n",
        "  nines check models/web-pool-sla.toml --method simulate --runs 20000 --seed 1\n",
        "  nines check models/*.toml --format junit > nines-junit.xml     (GitLab, Jenkins, …)\n",
        "  nines check models/*.toml --format github                       (GitHub Actions annotations)\n\n",
        "Exit codes:\n  0  every model meets its target\n  1  at least one model misses its target\n",
        "  2  bad input, or a model with no target and no --target"
    ))]
    Check(CheckArgs),
    /// Check model files for errors without solving them.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines validate models/*.toml\n\n",
        "Exit codes:\n  0  every model is valid\n  2  at least one model has errors (all are reported)"
    ))]
    Validate(ValidateArgs),
    /// Simulate models (Monte Carlo): intervals, outage statistics, SLA-window breach risk.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines simulate models/three-tier.toml --precision 1%\n",
        "  nines simulate models/web-pool-sla.toml --runs 20000 --window 30d --seed 7\n",
        "  nines simulate models/three-tier.toml --set component.db_node.repair_dist.dist=fixed\n",
        "  nines simulate models/racks-100.toml --runs 100000 --seed 1 --shard 3/8 --save part-3.json\n",
        "  nines simulate models/*.toml --format json\n\n",
        "Without --seed a random seed is used and printed on stderr; the same seed gives the same\n",
        "numbers whatever --threads is.\n\n",
        "Exit codes:\n  0  simulated every model\n  2  bad input or a model that cannot be simulated"
    ))]
    Simulate(simulate::SimulateArgs),
    /// Combine shard files saved by `simulate --shard I/K --save FILE` into one result.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines merge part-*.json\n",
        "  nines merge part-*.json --format json > result.json\n\n",
        "The merged result equals, bit for bit, one unsharded run with the same seed and runs.\n\n",
        "Exit codes:\n  0  merged\n  2  unreadable files, shards of different simulations, or missing/duplicate shards"
    ))]
    Merge(simulate::MergeArgs),
    /// Downtime budgets: the downtime an availability allows per year, quarter, month, week,
    /// day and window, or the availability a downtime allows.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines budget 99.95%\n",
        "  nines budget 0.999 --window 30d\n",
        "  nines budget --downtime 4h --window 1y\n",
        "  nines budget 99.9% 99.95% 99.99%        (in series: the product)\n",
        "  nines budget 99.99% --format json\n\n",
        "A year is 365.25 days (8766 h), a quarter a quarter of it, a month a twelfth.\n\n",
        "Exit codes:\n  0  computed\n",
        "  2  bad input: an availability outside 0% < A ≤ 100%, a bad duration, a downtime longer\n",
        "     than its window, or both availabilities and --downtime"
    ))]
    Budget(budget::BudgetArgs),
    /// Sweep parameters (what-if curves), or find the value at which the target is just met.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines sweep models/three-tier.toml --vary block.web.count=4..10 --plot\n",
        "  nines sweep models/three-tier.toml --vary component.db_node.mttr=30m..48h --log --plot db-mttr.svg\n",
        "  nines sweep models/three-tier.toml --vary component.web_node.mttr=10m..8h --vary block.web.count=5,6,8\n",
        "  nines sweep models/kafka-cluster.toml --find component.broker.mttr   (all brokers)\n",
        "  nines sweep models/redis-sentinel.toml --vary block.redis.coverage=0.9..1 --method simulate --runs 2000 --seed 1\n",
        "  nines sweep models/three-tier.toml --find component.db_node.mttr --target 99.99%\n",
        "  nines sweep models/etcd-5-nodes.toml --vary block.etcd.count=3,5,7 --format json\n\n",
        "PATH is the path --set takes. Durations are swept in hours, percentages as fractions; in\n",
        "JSON and CSV, `vary` values are hours for durations and fractions for percentages.\n\n",
        "Exit codes:\n  0  swept (whether or not the target is met)\n",
        "  2  bad input: a bad --vary or --find, an invalid model at some point, no target for --find"
    ))]
    Sweep(whatif::SweepArgs),
    /// What to fix first: importance measures and the downtime saved by better MTBF or MTTR.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines sensitivity models/three-tier.toml\n",
        "  nines sensitivity models/three-tier.toml --plot          (tornado chart in output/)\n",
        "  nines sensitivity models/*.toml --format json\n\n",
        "For every component and block: Birnbaum importance U(item down) − U(item up), criticality\n",
        "(U − U(item up))/U, risk achievement worth U(item down)/U, risk reduction worth U/U(item up),\n",
        "and the change in system downtime per year when the item's MTBF doubles or its MTTR halves.\n",
        "Figures are for one copy of each item (the first in the file's order; a shared item is one\n",
        "unit); rows are sorted by the larger saving.\n\n",
        "Exit codes:\n  0  computed\n  2  bad input or a model the exact solver cannot handle"
    ))]
    Sensitivity(whatif::SensitivityArgs),
    /// Write a design-review report per model: Markdown and a self-contained HTML page with charts.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines report models/three-tier.toml -o output/three-tier\n",
        "  nines report models/*.toml -o output/reports --runs 20000 --seed 1\n",
        "  nines report models/web-pool-sla.toml --png\n\n",
        "Each model gives MODEL.md and MODEL.html in the directory, with its charts beside them\n",
        "(embedded in the HTML). Files are replaced atomically.\n\n",
        "Exit codes:\n  0  every report written\n  2  bad input, a model that cannot be solved, or a file that cannot be written"
    ))]
    Report(review::ReportArgs),
    /// Draw a model's topology as a graph: Graphviz DOT, Mermaid, or SVG.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines diagram models/three-tier.toml | dot -Tsvg > three-tier.svg\n",
        "  nines diagram models/three-tier.toml --format mermaid\n",
        "  nines diagram models/three-tier.toml --format svg > three-tier-topology.svg\n\n",
        "Exit codes:\n  0  drawn\n  2  bad input"
    ))]
    Diagram(review::DiagramArgs),
    /// Write a model's Markov chain for a model checker: PRISM language, for Storm or PRISM.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines export models/redis-sentinel.toml > redis.prism\n",
        "  nines export models/three-tier.toml -o three-tier.prism\n",
        "  nines export models/keepalived-vip.toml --set block.vip.coverage=0.9 -o vip.prism\n",
        "  storm --prism redis.prism --prismcompat --prop 'S=? [\"down\"]; R{\"outages\"}=? [S]'\n\n",
        "The label \"down\" marks down states: S=? [\"down\"] is U. The reward \"outages\" has the\n",
        "outage frequency f per hour as its long-run average; \"down_time\" has U. Models are limited\n",
        "to 64 physical units and 1,000,000 states.\n\n",
        "Exit codes:\n  0  exported every model\n  2  bad input, a model too large to export, or a file that cannot be written"
    ))]
    Export(export::ExportArgs),
    /// MTBF and MTTR with confidence intervals, and repair-time fits, from an incident log.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines fit incidents.csv\n",
        "  nines fit incidents.csv --from 2025-01-01 --to 2026-01-01 --confidence 95%\n",
        "  nines fit incidents.csv --format toml >> model.toml\n",
        "  nines fit incidents.csv --format json\n",
        "  nines fit incidents.csv --plot -o charts\n\n",
        "The log is a CSV with a header: component, start, end (empty while still open) and\n",
        "optionally units (identical units observed). Times are RFC 3339 or YYYY-MM-DD HH:MM[:SS]\n",
        "(UTC). A failure is an incident that starts in the period; MTBF = unit-hours up / failures\n",
        "with the exact chi-squared interval; repairs still open at --to are censored.\n\n",
        "Exit codes:\n  0  fitted\n  2  bad input: an unreadable log, a row problem (with its line), a bad option"
    ))]
    Fit(fit::FitArgs),
    /// How sure the answer is: sample what the model does not know and solve every sample.
    #[command(after_help = concat!(
        "Examples:\n",
        "  nines uncertainty models/three-tier.toml\n",
        "  nines uncertainty model.toml --samples 20000 --seed 7 --format json\n",
        "  nines uncertainty model.toml --plot          (histogram of nines in output/)\n\n",
        "Uncertain figures come from `[component.NAME.evidence]` (failures in an exposure: a gamma\n",
        "posterior of the failure rate; repair times: a log-normal posterior of the MTTR) and\n",
        "`[component.NAME.uncertainty]` (90% ranges: log-normal). Samples are a Latin hypercube;\n",
        "each is solved exactly. The same seed gives the same numbers on any --threads.\n\n",
        "Exit codes:\n  0  computed\n  2  bad input or a model the exact solver cannot handle"
    ))]
    Uncertainty(uncertainty::UncertaintyArgs),
}

#[derive(Debug, clap::Args)]
struct ModelArgs {
    /// Model files (TOML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
    /// Override a model value for a what-if run, e.g. component.db.mttr=2h (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Solve this block as the system instead of the model's top, e.g. --top web (the same as
    /// --set top=web).
    #[arg(long, value_name = "BLOCK")]
    top: Option<String>,
}

#[derive(Debug, clap::Args)]
struct SolveArgs {
    #[command(flatten)]
    input: ModelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    time: TimeArgs,
}

/// The options of the exact time measures (`solve`).
#[derive(Debug, clap::Args)]
struct TimeArgs {
    /// Reliability over a mission from all up, e.g. 1y: P(an outage within it), computed
    /// directly, and its nines of durability (for a storage stripe, the annual probability of
    /// data loss).
    #[arg(long, value_name = "DURATION")]
    mission: Option<String>,
    /// SLA window for the exact breach probability and downtime distribution, e.g. 30d
    /// [default: the model's `[target] window`; none without one].
    #[arg(long, value_name = "DURATION")]
    window: Option<String>,
    /// Where a window starts: in the steady state (a window picked at random in a long life),
    /// or new (every unit new and up, as each `nines simulate` run starts).
    #[arg(long, value_enum, default_value_t = WindowStartArg::Steady)]
    window_start: WindowStartArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum WindowStartArg {
    /// In the steady state.
    Steady,
    /// Every unit new and up.
    New,
}

/// The time options checked: mission and window hours.
struct TimeOptions {
    mission_hours: Option<f64>,
    window_hours: Option<f64>,
    start: crate::solve::transient::WindowStart,
}

impl TimeOptions {
    /// No mission, the model's own window from the steady state: what `nines report` shows.
    fn model_window() -> Self {
        Self {
            mission_hours: None,
            window_hours: None,
            start: crate::solve::transient::WindowStart::Steady,
        }
    }

    /// Checks `--mission` and `--window`; errors go to stderr.
    fn from_args(args: &TimeArgs) -> Result<Self, Outcome> {
        let duration = |option: &str, text: &Option<String>| -> Result<Option<f64>, Outcome> {
            let Some(text) = text else { return Ok(None) };
            match crate::model::units::parse_duration_hours(text) {
                Ok(hours) if hours > 0.0 && hours.is_finite() => Ok(Some(hours)),
                Ok(_) => {
                    say!("error: {option} `{text}` must be longer than 0");
                    Err(Outcome::InputError)
                }
                Err(message) => {
                    say!("error: {option} `{text}`: {message}");
                    Err(Outcome::InputError)
                }
            }
        };
        Ok(Self {
            mission_hours: duration("--mission", &args.mission)?,
            window_hours: duration("--window", &args.window)?,
            start: match args.window_start {
                WindowStartArg::Steady => crate::solve::transient::WindowStart::Steady,
                WindowStartArg::New => crate::solve::transient::WindowStart::New,
            },
        })
    }

    /// The settings for one model: its window comes from `--window` or `[target] window`.
    fn settings(&self, model: &Model) -> crate::solve::transient::TimeSettings {
        let window_hours = self
            .window_hours
            .or_else(|| model.target.as_ref().and_then(|t| t.window_hours));
        crate::solve::transient::TimeSettings {
            mission_hours: self.mission_hours,
            window: window_hours.map(|hours| crate::solve::transient::WindowSettings {
                hours,
                budget_hours: model.target.as_ref().map(|t| t.unavailability * hours),
                start: self.start,
                // The model's own window, computed unasked, must not slow `solve` down.
                work_limit: match self.window_hours {
                    Some(_) => crate::solve::transient::MAX_WINDOW_WORK,
                    None => crate::solve::transient::UNASKED_WINDOW_WORK,
                },
            }),
        }
    }
}

/// The time measures of a loaded model; what could not be computed is said on stderr. An
/// explicitly asked window (`--window`) or mission that fails for the system is an error.
fn solve_time_loaded(
    loaded: &LoadedModel,
    options: &TimeOptions,
) -> (crate::solve::transient::TimeSolution, bool) {
    let settings = options.settings(&loaded.model);
    let watch = pace::SlowSolve::watch(&loaded.file);
    let time = crate::solve::transient::solve_time(&loaded.model, &settings);
    drop(watch);
    let asked = settings.window.is_some() || settings.mission_hours.is_some();
    if asked && !crate::solve::transient::all_times_exponential(&loaded.model) {
        say!(
            "note: {}: the model has non-exponential times; the exact time measures (first outage, mission, window) are those of exponential times with the same means; `nines simulate` models the distributions",
            loaded.file
        );
    }
    let mut failed = false;
    if let Err(error) = &time.system {
        say!("note: {}: first outage not computed: {error}", loaded.file);
        failed |= options.mission_hours.is_some();
    }
    if let Some(Err(error)) = &time.window {
        say!("note: {}: window not computed: {error}", loaded.file);
        failed |= options.window_hours.is_some();
    }
    (time, failed)
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    input: ModelArgs,
    /// Target availability for every model, overriding the models' own, e.g. 99.99% or 0.9999.
    #[arg(long, value_name = "AVAILABILITY")]
    target: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    format: CheckFormat,
    /// How to judge: the exact steady state, or a simulation (then the upper end of the 95%
    /// interval of the unavailability must be within the target, and the upper end of the
    /// window-breach probability's within `[target] max_breach_probability` when set).
    #[arg(long, value_enum, default_value_t = Method::Analytic)]
    method: Method,
    /// Pass only when the model meets its target with this confidence, e.g. 90%: the lower end
    /// of the 95% interval of P(U ≤ target), over the model's uncertain figures (evidence and
    /// ranges, as `nines uncertainty` samples them), must reach it. Exact method only.
    #[arg(long, value_name = "LEVEL")]
    confidence: Option<String>,
    #[command(flatten)]
    simulation: simulate::SimOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Method {
    /// Exact steady-state solution.
    Analytic,
    /// Monte Carlo simulation.
    Simulate,
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Model files (TOML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
}

/// How a run ended; converted into the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything worked (and every target was met).
    Success = 0,
    /// `check` found a model below its target.
    TargetMissed = 1,
    /// Bad input of any kind.
    InputError = 2,
    /// Ctrl-C or SIGTERM (128 + SIGINT); partial results, marked so, may have been printed.
    Interrupted = 130,
}

/// Runs the command line and returns the exit code.
pub fn main() -> ExitCode {
    interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let mut stdout = ClosablePipe {
        inner: io::stdout().lock(),
        closed: false,
    };
    let outcome = match run(cli, &mut stdout) {
        Ok(outcome) => outcome,
        Err(error) => {
            say!("error: could not write output: {error}");
            Outcome::InputError
        }
    };
    let _ = stdout.flush();
    ExitCode::from(outcome as u8)
}

/// Stdout that treats a closed pipe (`nines solve … | head`) as the reader having seen
/// enough: later writes are dropped quietly, and the run still finishes, so `check` keeps its
/// exit code (1 for a missed target, 2 for bad input) instead of reporting success.
struct ClosablePipe<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> Write for ClosablePipe<W> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buffer.len());
        }
        match self.inner.write(buffer) {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buffer.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// Runs a parsed command, writing results to `out`.
///
/// # Errors
/// Only when writing to `out` fails.
pub fn run(cli: Cli, out: &mut dyn Write) -> io::Result<Outcome> {
    match cli.command {
        Command::Solve(args) => run_solve(args, out),
        Command::Check(args) => run_check(args, out),
        Command::Validate(args) => run_validate(args, out),
        Command::Simulate(args) => simulate::run_simulate(args, out),
        Command::Merge(args) => simulate::run_merge(args, out),
        Command::Budget(args) => budget::run_budget(args, out),
        Command::Uncertainty(args) => uncertainty::run_uncertainty(args, out),
        Command::Fit(args) => fit::run_fit(args, out),
        Command::Sweep(args) => whatif::run_sweep(args, out),
        Command::Sensitivity(args) => whatif::run_sensitivity(args, out),
        Command::Report(args) => review::run_report(args, out),
        Command::Diagram(args) => review::run_diagram(args, out),
        Command::Export(args) => export::run_export(args, out),
    }
}

/// A model file read and validated, or the reason it could not be.
struct LoadedModel {
    file: String,
    model: Model,
    sources: Sources,
}

/// The `--set` overrides, then `--top BLOCK` as the override `top = "BLOCK"` (so that it wins
/// over a `--set top=…`).
fn parse_overrides(set: &[String], top: Option<&str>) -> Result<Vec<Override>, Outcome> {
    let mut overrides = Vec::new();
    for text in set {
        match Override::parse(text) {
            Ok(item) => overrides.push(item),
            Err(message) => {
                say!("error: --set {message}");
                return Err(Outcome::InputError);
            }
        }
    }
    overrides.extend(top.map(Override::top));
    Ok(overrides)
}

/// Reads and validates one model; diagnostics go to stderr.
fn load(path: &Path, overrides: &[Override]) -> Option<LoadedModel> {
    load_reporting(path, overrides).ok()
}

/// Why a model could not be loaded, for CI annotations: the first problem's message and its
/// line and column.
type Problem = (String, Option<(usize, usize)>);

/// Like [`load`], returning the first problem when the model cannot be loaded (all of them
/// still go to stderr).
fn load_reporting(path: &Path, overrides: &[Override]) -> Result<LoadedModel, Problem> {
    let file = path.display().to_string();
    let Some((file, text)) = read_model(path) else {
        return Err((format!("could not read model '{file}'"), None));
    };
    load_text_reporting(&file, &text, overrides)
}

/// Like [`load_text`], returning the first problem when the model is invalid.
fn load_text_reporting(
    file: &str,
    text: &str,
    overrides: &[Override],
) -> Result<LoadedModel, Problem> {
    match load_model(file, text, overrides) {
        Ok(loaded) => Ok(LoadedModel {
            file: file.to_string(),
            model: loaded.model,
            sources: loaded.sources,
        }),
        Err(Invalid {
            diagnostics,
            sources,
        }) => {
            for diagnostic in &diagnostics {
                sources.emit_to_stderr(diagnostic);
            }
            let count = diagnostics.len();
            say!(
                "error: {file}: {count} problem{} found",
                if count == 1 { "" } else { "s" }
            );
            let first = diagnostics.first().map_or_else(
                || (format!("{file}: invalid model"), None),
                |diagnostic| {
                    (
                        diagnostic.message.clone(),
                        diagnostic.span.and_then(|span| sources.line_column(span)),
                    )
                },
            );
            Err(first)
        }
    }
}

/// Reads a model file as UTF-8 text of at most [`files::MODEL_FILE_LIMIT`]: (the name to show,
/// the text); errors go to stderr.
fn read_model(path: &Path) -> Option<(String, String)> {
    let file = path.display().to_string();
    match files::read_text(path, &files::MODEL_FILE_LIMIT) {
        Ok(text) => Some((file, text)),
        Err(reason) => {
            say!("error: could not read model '{file}': {reason}");
            None
        }
    }
}

/// Validates a model's text with overrides; diagnostics go to stderr.
fn load_text(file: &str, text: &str, overrides: &[Override]) -> Option<LoadedModel> {
    load_text_reporting(file, text, overrides).ok()
}

/// Solves a loaded model; a solver limit is reported like a model error.
fn solve_loaded(loaded: &LoadedModel) -> Option<Solution> {
    if !crate::solve::applicability::exact_solver_applies(&loaded.model) {
        say!(
            "note: {}: crew or standby blocks have non-exponential times; the exact solver uses only their means there (an exponential approximation); `nines simulate` models the distributions",
            loaded.file
        );
    }
    let watch = pace::SlowSolve::watch(&loaded.file);
    let solved = solve(&loaded.model);
    drop(watch);
    match solved {
        Ok(solution) => Some(solution),
        Err(error) => {
            let diagnostic =
                Diagnostic::new(crate::diag::Code::SolverLimit, error.to_string(), None);
            loaded.sources.emit_to_stderr(&diagnostic);
            None
        }
    }
}

fn run_solve(args: SolveArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let overrides = match parse_overrides(&args.input.set, args.input.top.as_deref()) {
        Ok(overrides) => overrides,
        Err(outcome) => return Ok(outcome),
    };
    let time_options = match TimeOptions::from_args(&args.time) {
        Ok(options) => options,
        Err(outcome) => return Ok(outcome),
    };
    let mut outcome = Outcome::Success;
    let mut exporter = report::exporter(args.format);
    exporter.begin(out)?;
    for path in &args.input.models {
        let Some(loaded) = load(path, &overrides) else {
            outcome = Outcome::InputError;
            continue;
        };
        let Some(solution) = solve_loaded(&loaded) else {
            outcome = Outcome::InputError;
            continue;
        };
        let (time, failed) = solve_time_loaded(&loaded, &time_options);
        if failed {
            outcome = Outcome::InputError;
        }
        let verdict = loaded
            .model
            .target
            .clone()
            .map(|target| Verdict::new(&solution.system, target));
        let result = ModelResult {
            model: &loaded.model,
            file: &loaded.file,
            solution: &solution,
            verdict,
            time: Some(&time),
        };
        exporter.model(out, &result)?;
    }
    exporter.end(out)?;
    Ok(outcome)
}

/// The options of `check` resolved once for every model.
struct CheckSettings {
    overrides: Vec<Override>,
    target_override: Option<crate::model::Target>,
    /// Set with `--method simulate`.
    simulation: Option<simulate::CheckedSimOptions>,
    /// `--confidence`: the level and its text.
    confidence: Option<(f64, String)>,
}

impl CheckSettings {
    /// Checks the options of `check`; errors go to stderr.
    fn from_args(args: &CheckArgs) -> Result<Self, Outcome> {
        let overrides = parse_overrides(&args.input.set, args.input.top.as_deref())?;
        let target_override = parse_target(args.target.as_deref())?;
        // The simulation options are checked with either method, so a typo never passes
        // unseen.
        let simulation = match args.method {
            Method::Simulate => Some(simulate::parse_options(&args.simulation)?),
            Method::Analytic => {
                simulate::check_options(&args.simulation)?;
                None
            }
        };
        let confidence = match &args.confidence {
            None => None,
            Some(_) if simulation.is_some() => {
                say!(
                    "error: --confidence judges the exact solution over the model's uncertain figures; drop --method simulate"
                );
                return Err(Outcome::InputError);
            }
            Some(text) => match parse_fraction_text(text) {
                Ok(level) if level.value > 0.0 && level.value < 1.0 => {
                    Some((level.value, text.trim().to_string()))
                }
                _ => {
                    say!(
                        "error: --confidence `{text}` must be a level between 0% and 100%, e.g. 90%"
                    );
                    return Err(Outcome::InputError);
                }
            },
        };
        Ok(Self {
            overrides,
            target_override,
            simulation,
            confidence,
        })
    }
}

fn run_check(args: CheckArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let settings = match CheckSettings::from_args(&args) {
        Ok(settings) => settings,
        Err(outcome) => return Ok(outcome),
    };
    let colour = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut exporter = check_line::exporter(args.format, colour);
    exporter.begin(out)?;
    let mut outcome = Outcome::Success;
    for path in &args.input.models {
        outcome = outcome.max(check_model(path, &settings, &mut *exporter, out)?);
    }
    exporter.end(out)?;
    Ok(outcome)
}

/// Checks one model against its target with `--confidence`: over its uncertain figures, the
/// lower end of the interval of P(U ≤ target) must reach the level.
fn check_with_confidence(
    loaded: &LoadedModel,
    target: crate::model::Target,
    confidence: (f64, &str),
    location: Option<(usize, usize)>,
    exporter: &mut CheckExporter,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let mut model = loaded.model.clone();
    model.target = Some(target);
    let settings = crate::whatif::uncertainty::Settings::default();
    let analysis = match crate::whatif::uncertainty::uncertainty(&model, settings) {
        Ok(analysis) => analysis,
        Err(error) => {
            let problem = (format!("{}: {error}", loaded.file), None);
            let case = error_case(Path::new(&loaded.file), Some(&model.name), problem);
            return write_error(exporter, out, case);
        }
    };
    let Some(odds) = analysis.target.clone() else {
        unreachable!("the target was set above");
    };
    let result = crate::report::uncertainty::UncertaintyResult {
        model: &model.name,
        file: &loaded.file,
        uncertainty: &analysis,
    };
    let mut case = check_line::uncertain_case(&result, &odds, confidence);
    case.location = location;
    let met = case.outcome == crate::report::check::CaseOutcome::Passed;
    exporter.write(
        out,
        &CheckEntry {
            case,
            judged: Judged::Uncertain(result),
        },
    )?;
    Ok(if met {
        Outcome::Success
    } else {
        Outcome::TargetMissed
    })
}

/// Checks one model against its target and hands the result to `exporter`.
fn check_model(
    path: &Path,
    settings: &CheckSettings,
    exporter: &mut CheckExporter,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let loaded = match load_reporting(path, &settings.overrides) {
        Ok(loaded) => loaded,
        Err(problem) => return write_error(exporter, out, error_case(path, None, problem)),
    };
    let Some(target) = effective_target(&loaded.model, settings.target_override.as_ref()) else {
        let message = format!(
            "{} has no [target]; add one or pass --target 99.9%",
            loaded.file
        );
        let diagnostic = Diagnostic::new(crate::diag::Code::MissingTarget, message.clone(), None)
            .with_note("e.g. [target]\n      availability = \"99.95%\"");
        loaded.sources.emit_to_stderr(&diagnostic);
        let case = error_case(path, Some(&loaded.model.name), (message, None));
        return write_error(exporter, out, case);
    };
    let location = target
        .span
        .or_else(|| loaded.model.target.as_ref().and_then(|t| t.span))
        .and_then(|span| loaded.sources.line_column(span));
    if let Some(options) = &settings.simulation {
        return simulate::check_simulated(&loaded, &target, options, location, exporter, out);
    }
    let Some(solution) = solve_loaded(&loaded) else {
        let problem = (
            format!("{}: the exact solver cannot handle this model", loaded.file),
            None,
        );
        let case = error_case(path, Some(&loaded.model.name), problem);
        return write_error(exporter, out, case);
    };
    if let Some((level, text)) = &settings.confidence {
        return check_with_confidence(&loaded, target, (*level, text), location, exporter, out);
    }
    let breach = exact_breach(&loaded, &target);
    let verdict = Verdict::new(&solution.system, target);
    let result = ModelResult {
        model: &loaded.model,
        file: &loaded.file,
        solution: &solution,
        verdict: Some(verdict.clone()),
        time: None,
    };
    let mut case = check_line::exact_case(&result, &verdict, breach);
    case.location = location;
    let judged = Judged::Exact(result);
    exporter.write(out, &CheckEntry { case, judged })?;
    Ok(if verdict.met && breach.is_none_or(|b| b.within()) {
        Outcome::Success
    } else {
        Outcome::TargetMissed
    })
}

/// The exact window-breach probability against `max_breach_probability`, when the target
/// sets one: windows of `[target] window` (30 days by default) from the steady state. When
/// the window is beyond the exact computation, a note says so and only the availability is
/// judged (as before there was an exact breach probability); `--method simulate` judges it.
fn exact_breach(
    loaded: &LoadedModel,
    target: &crate::model::Target,
) -> Option<check_line::ExactBreach> {
    let limit = target.max_breach_probability?;
    let window_hours = target
        .window_hours
        .unwrap_or(crate::model::load::DEFAULT_WINDOW_HOURS);
    let settings = crate::solve::transient::WindowSettings {
        hours: window_hours,
        budget_hours: Some(target.unavailability * window_hours),
        start: crate::solve::transient::WindowStart::Steady,
        work_limit: crate::solve::transient::MAX_WINDOW_WORK,
    };
    let model = &loaded.model;
    match crate::solve::transient::breach_probability(model, model.top, settings) {
        Ok(breach) => breach.map(|(probability, _)| check_line::ExactBreach {
            probability,
            limit,
            window_hours,
        }),
        Err(error) => {
            say!(
                "note: {}: max_breach_probability not judged exactly ({error}); `--method simulate` judges it",
                loaded.file
            );
            None
        }
    }
}

/// Hands a check that could not run to `exporter`; its outcome is bad input.
fn write_error(
    exporter: &mut CheckExporter,
    out: &mut dyn Write,
    case: CheckCase,
) -> io::Result<Outcome> {
    let judged = Judged::Nothing;
    exporter.write(out, &CheckEntry { case, judged })?;
    Ok(Outcome::InputError)
}

/// A check that could not run: a model that could not be read, validated or solved.
fn error_case(path: &Path, model: Option<&str>, problem: Problem) -> CheckCase {
    let file = path.display().to_string();
    let model = model.map(str::to_string).unwrap_or_else(|| {
        path.file_stem()
            .map_or_else(|| file.clone(), |stem| stem.to_string_lossy().into_owned())
    });
    CheckCase {
        model,
        file,
        check: "model".into(),
        outcome: CaseOutcome::Error,
        message: problem.0,
        location: problem.1,
    }
}

/// `--set`/`--top` and `--target` of a command that takes both, checked; errors go to stderr.
fn overrides_and_target(
    set: &[String],
    top: Option<&str>,
    target: Option<&str>,
) -> Result<(Vec<Override>, Option<crate::model::Target>), Outcome> {
    Ok((parse_overrides(set, top)?, parse_target(target)?))
}

/// Parses `--target`; errors go to stderr.
fn parse_target(text: Option<&str>) -> Result<Option<crate::model::Target>, Outcome> {
    let Some(text) = text else {
        return Ok(None);
    };
    match parse_fraction_text(text) {
        Ok(fraction) => Ok(Some(crate::model::Target {
            unavailability: fraction.complement,
            text: text.to_string(),
            span: None,
            window_hours: None,
            max_breach_probability: None,
        })),
        Err(message) => {
            say!("error: --target {message}");
            Err(Outcome::InputError)
        }
    }
}

/// The target to judge `model` by: `--target` replaces the availability goal, while the
/// model's SLA window and breach limit still apply; else the model's own target.
fn effective_target(
    model: &Model,
    target_override: Option<&crate::model::Target>,
) -> Option<crate::model::Target> {
    let model_target = model.target.clone();
    match target_override {
        Some(target) => {
            let mut target = target.clone();
            if let Some(model_target) = &model_target {
                target.window_hours = model_target.window_hours;
                target.max_breach_probability = model_target.max_breach_probability;
            }
            Some(target)
        }
        None => model_target,
    }
}

fn run_validate(args: ValidateArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let mut outcome = Outcome::Success;
    for path in &args.models {
        match load(path, &[]) {
            Some(loaded) => writeln!(
                out,
                "ok  {}  ({}, {}, top `{}`)",
                loaded.file,
                plural(loaded.model.components.len(), "component"),
                plural(loaded.model.blocks.len(), "block"),
                loaded.model.blocks[loaded.model.top].name
            )?,
            None => outcome = Outcome::InputError,
        }
    }
    Ok(outcome)
}

/// `1 block`, `2 blocks`.
fn plural(count: usize, noun: &str) -> String {
    format!("{count} {noun}{}", if count == 1 { "" } else { "s" })
}
