//! `nines simulate`, `nines merge` and `nines check --method simulate`.

use super::{LoadedModel, ModelArgs, Outcome, load, parse_overrides};
use crate::diag::Diagnostic;
use crate::format::{availability_percent, one_line};
use crate::model::Target;
use crate::model::TimeDist;
use crate::model::load::DEFAULT_WINDOW_HOURS;
use crate::model::units::{format_duration_hours, parse_duration_hours, parse_fraction_text};
use crate::report::check::{CaseOutcome, CheckCase};
use crate::report::check_line::{self, CheckEntry, CheckExporter, Judged};
use crate::report::run_notes::run_notes;
use crate::report::simulation;
use crate::report::{Format, describe_kind};
use crate::simulate::estimate::{self, Estimates, SimulatedVerdict};
use crate::simulate::importance::biasing::Scheme;
use crate::simulate::importance::estimator::ImportanceTally;
use crate::simulate::importance::{self, ImportanceSettings};
use crate::simulate::shard::{self, ExactMeasures, Record, RecordBlock};
use crate::simulate::tally::Tally;
use crate::simulate::{self as sim, Sampling, Settings, Shard, Stop};
use crate::solve::{applicability, solve};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Runs when neither `--runs` nor `--precision` is given.
const DEFAULT_RUNS: u64 = 10_000;

/// Expected events above which a simulation is announced as long.
const LONG_SIMULATION_EVENTS: f64 = 3e9;

/// Simulation options shared by `simulate` and `check --method simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimOptions {
    /// Number of runs (independent replications), 2 to 10^15 [default: 10000 unless
    /// --precision is given].
    #[arg(long, value_name = "N", conflicts_with = "precision")]
    runs: Option<u64>,
    /// Run until the 95% interval of the unavailability is within this relative half-width,
    /// e.g. 1% or 0.01.
    #[arg(long, value_name = "PERCENT")]
    precision: Option<String>,
    /// With --precision: stop after this many runs at most.
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    max_runs: u64,
    /// With --precision: stop after this much wall time at most, e.g. 30s or 5m.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    max_time: String,
    /// Length of one run (the measured interval), e.g. 1y, 90d.
    #[arg(long, value_name = "DURATION", default_value = "1y")]
    horizon: String,
    /// Simulated time discarded at the start of each run, e.g. 1w.
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    warmup: String,
    /// SLA window for breach probabilities [default: the model's [target] window, else 30d].
    #[arg(long, value_name = "DURATION")]
    window: Option<String>,
    /// Seed of the random streams [default: random, printed on stderr].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads, at most 1024 and never more than the runs [default: all cores].
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// No progress bar and no notes on stderr (errors and warnings are still printed).
    #[arg(long, short)]
    quiet: bool,
    /// How to sample: `importance` (regenerative cycles with biased failures, for rare
    /// outages; needs exponential failure times), `crude` (independent runs), or `auto`:
    /// importance when the model qualifies and crude runs would see too few outages.
    #[arg(long, value_enum, default_value_t = SamplingChoice::Auto)]
    sampling: SamplingChoice,
}

/// The `--sampling` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplingChoice {
    /// Importance sampling when the model qualifies and crude runs would see too few
    /// outages (from the exact outage frequency), else crude.
    Auto,
    /// Independent runs, every event as the model says.
    Crude,
    /// Regenerative cycles with biased failures.
    Importance,
}

/// Under `--sampling auto` with `--runs N`: importance sampling when crude runs would expect
/// fewer system outages than this (their intervals would rest on a handful of outages).
const AUTO_FEWEST_OUTAGES: f64 = 100.0;

/// Under `--sampling auto` with `--precision`: importance sampling when crude runs would need
/// more runs than this to reach the precision.
const AUTO_MOST_RUNS: f64 = 1e6;

/// Under `--sampling auto`: importance sampling only for outages rarer than this many per
/// run; with more, crude runs are cheap and give the distributions importance sampling
/// cannot (more runs, not another method, is then the answer).
const AUTO_RARE_PER_RUN: f64 = 0.01;

/// Arguments of `nines simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    input: ModelArgs,
    #[command(flatten)]
    options: SimOptions,
    /// Simulate only shard I of K (1-based): its contiguous share of the run indices.
    #[arg(long, value_name = "I/K", requires_all = ["runs", "save", "seed"])]
    shard: Option<String>,
    /// Save the mergeable statistics to FILE (JSON) for `nines merge`.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `nines merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard files saved by `nines simulate --shard I/K --save FILE`.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Simulation options checked and converted, before a model supplies its window and target.
pub struct CheckedSimOptions {
    stop: Stop,
    horizon_hours: f64,
    warmup_hours: f64,
    window_hours: Option<f64>,
    seed: u64,
    threads: usize,
    quiet: bool,
    sampling: SamplingChoice,
}

impl CheckedSimOptions {
    /// The same options with crude sampling, for a command whose output needs runs (the
    /// report's outage and SLA-window distributions).
    pub fn crude(mut self) -> Self {
        self.sampling = SamplingChoice::Crude;
        self
    }
}

fn bad_option(option: &str, message: impl std::fmt::Display) -> Outcome {
    say!("error: {option}: {message}");
    Outcome::InputError
}

fn positive_duration(option: &str, text: &str) -> Result<f64, Outcome> {
    match parse_duration_hours(text) {
        Ok(hours) if hours > 0.0 && hours.is_finite() => Ok(hours),
        Ok(_) => Err(bad_option(option, "must be longer than 0")),
        Err(message) => Err(bad_option(option, message)),
    }
}

/// Checks the simulation options; prints the seed when it is chosen at random.
pub fn parse_options(options: &SimOptions) -> Result<CheckedSimOptions, Outcome> {
    parse(options, true)
}

/// Checks the simulation options of a command that then solves exactly: errors are reported,
/// but no seed is announced, since no simulation will use it.
pub fn check_options(options: &SimOptions) -> Result<(), Outcome> {
    parse(options, false).map(|_| ())
}

fn parse(options: &SimOptions, announce_seed: bool) -> Result<CheckedSimOptions, Outcome> {
    let horizon_hours = positive_duration("--horizon", &options.horizon)?;
    let warmup_hours = match parse_duration_hours(&options.warmup) {
        Ok(hours) if hours.is_finite() => hours,
        Ok(_) => return Err(bad_option("--warmup", "must be finite")),
        Err(message) => return Err(bad_option("--warmup", message)),
    };
    let window_hours = match &options.window {
        Some(text) => Some(positive_duration("--window", text)?),
        None => None,
    };
    let stop = match &options.precision {
        Some(text) => {
            let relative = parse_fraction_text(text)
                .map_err(|message| bad_option("--precision", message))?
                .value;
            if !(relative > 0.0 && relative < 1.0) {
                return Err(bad_option(
                    "--precision",
                    "must be between 0 and 100%, e.g. 1%",
                ));
            }
            check_runs("--max-runs", options.max_runs)?;
            let max_time = positive_duration("--max-time", &options.max_time)?;
            Stop::Precision {
                relative,
                max_runs: options.max_runs,
                max_time: Duration::from_secs_f64((max_time * 3600.0).min(1e9)),
            }
        }
        None => match options.runs {
            Some(runs) => {
                check_runs("--runs", runs)?;
                Stop::Runs(runs)
            }
            None => Stop::Runs(DEFAULT_RUNS),
        },
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = match options.threads {
        Some(0) => return Err(bad_option("--threads", "must be at least 1")),
        Some(threads) if threads > sim::MAX_THREADS => {
            return Err(bad_option(
                "--threads",
                format!(
                    "at most {}, got {threads} (this machine has {cores} cores)",
                    sim::MAX_THREADS
                ),
            ));
        }
        Some(threads) => threads,
        None => cores.min(sim::MAX_THREADS),
    };
    let seed = match options.seed {
        Some(seed) => seed,
        None => {
            let seed = rand::random::<u64>() >> 11; // short enough to retype
            if announce_seed && !options.quiet {
                say!("note: seed {seed} (pass --seed {seed} to reproduce)");
            }
            seed
        }
    };
    Ok(CheckedSimOptions {
        stop,
        horizon_hours,
        warmup_hours,
        window_hours,
        seed,
        threads,
        quiet: options.quiet,
        sampling: options.sampling,
    })
}

/// Refuses run counts that give no interval (below 2) or never finish (above
/// [`sim::MAX_RUNS`]).
fn check_runs(option: &str, runs: u64) -> Result<(), Outcome> {
    if runs < 2 {
        return Err(bad_option(
            option,
            format!(
                "must be at least 2, got {runs}: confidence intervals measure the spread between runs (with --shard, every shard needs at least 1 run too)"
            ),
        ));
    }
    if runs > sim::MAX_RUNS {
        return Err(bad_option(
            option,
            format!(
                "at most 1e15 (more than any machine finishes), got {runs}; split the work with --shard or ask for --precision"
            ),
        ));
    }
    Ok(())
}

/// Refuses a split into more shards than runs: some shards would hold no runs.
fn check_shard(shard: Shard, runs: u64) -> Result<(), Outcome> {
    if shard.count > runs {
        return Err(bad_option(
            "--shard",
            format!(
                "{} shards of {runs} runs would leave shards with no runs; use at most {runs} shards or more --runs",
                shard.count
            ),
        ));
    }
    Ok(())
}

fn parse_shard(text: &str) -> Result<Shard, Outcome> {
    let parsed = text.split_once('/').and_then(|(index, count)| {
        Some((
            index.trim().parse::<u64>().ok()?,
            count.trim().parse::<u64>().ok()?,
        ))
    });
    match parsed {
        Some((_, count)) if count > shard::MAX_SHARDS => Err(bad_option(
            "--shard",
            format!(
                "at most {} shards, got {count}; use fewer, larger shards",
                shard::MAX_SHARDS
            ),
        )),
        Some((index, count)) if count >= 1 && (1..=count).contains(&index) => Ok(Shard {
            index: index - 1,
            count,
        }),
        _ => Err(bad_option(
            "--shard",
            format!("expected I/K with 1 ≤ I ≤ K, e.g. 3/8, got '{text}'"),
        )),
    }
}

/// Progress on stderr: a bar after the first second, when stderr is a terminal.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    done: AtomicU64,
    shown: AtomicBool,
    enabled: bool,
    quiet: bool,
    runs: u64,
    precision: Option<f64>,
}

impl Progress {
    fn new(stop: Stop, shard: Option<Shard>, quiet: bool) -> Self {
        let (length, precision) = match stop {
            Stop::Runs(runs) => {
                let range = shard.map_or(0..runs, |shard| shard.range(runs));
                (range.end - range.start, None)
            }
            Stop::Precision {
                relative, max_runs, ..
            } => (max_runs, Some(relative)),
        };
        let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {pos}/{len} runs [{elapsed_precise}, ~{eta} left] {msg}",
        ) {
            bar.set_style(style);
        }
        Self {
            bar,
            started: Instant::now(),
            done: AtomicU64::new(0),
            shown: AtomicBool::new(false),
            enabled: !quiet && io::stderr().is_terminal(),
            quiet,
            runs: length,
            precision,
        }
    }

    fn finish(&self) {
        if self.shown.load(Ordering::Relaxed) {
            self.bar.finish_and_clear();
        }
    }
}

impl sim::Observer for Progress {
    fn starting(&self, expected_events_per_run: f64) {
        let total = expected_events_per_run * self.runs as f64;
        // With --precision, --max-time bounds the wall time instead.
        if !self.quiet && self.precision.is_none() && total > LONG_SIMULATION_EVENTS {
            say!(
                "note: about {total:.1e} unit events to simulate; this may take minutes (fewer --runs or a shorter --horizon are quicker)"
            );
        }
    }

    fn runs_done(&self, runs: u64) {
        let done = self.done.fetch_add(runs, Ordering::Relaxed) + runs;
        if !self.enabled || !done.is_multiple_of(64) {
            return;
        }
        if !self.shown.load(Ordering::Relaxed) && self.started.elapsed() > Duration::from_secs(1) {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done);
    }

    fn stopping(&self) -> bool {
        super::interrupt::requested()
    }

    fn checkpoint(&self, tally: &Tally, _elapsed: Duration) -> bool {
        if !self.enabled {
            return true;
        }
        let estimate = tally.unavailability.mean().unwrap_or(0.0);
        let half = tally.unavailability.half_width95().unwrap_or(0.0);
        self.bar.set_message(format!(
            "availability {} ± {:.2e}",
            availability_percent(estimate),
            half
        ));
        if let Some(relative) = self.precision
            && estimate > 0.0
            && half > 0.0
        {
            self.bar
                .set_length(estimate::runs_needed(tally.runs, estimate, half, relative));
        }
        true
    }
}

/// Simulates one loaded model into a record; errors are reported on stderr.
pub(super) fn simulate_loaded(
    loaded: &LoadedModel,
    target: Option<&Target>,
    options: &CheckedSimOptions,
    shard: Option<Shard>,
) -> Option<Record> {
    let model = &loaded.model;
    let window_hours = options
        .window_hours
        .or_else(|| target.and_then(|t| t.window_hours))
        .unwrap_or(DEFAULT_WINDOW_HOURS);
    let settings = Settings {
        horizon_hours: options.horizon_hours,
        warmup_hours: options.warmup_hours,
        window_hours,
        breach_hours: target.map(|t| t.unavailability * window_hours),
        seed: options.seed,
        stop: options.stop,
        threads: options.threads,
        shard,
    };
    let exact = solve(model).ok();
    let sampling = choose_sampling(loaded, options, &settings, exact.as_ref())?;
    if sampling == Sampling::Crude && sim::windows_per_run(&settings) == 0 && !options.quiet {
        say!(
            "note: {}: the horizon is shorter than the {} SLA window, so no window is measured; lengthen --horizon",
            loaded.file,
            format_duration_hours(window_hours)
        );
    }
    let progress = Progress::new(options.stop, shard, options.quiet);
    let result = super::interrupt::graceful(|| match sampling {
        Sampling::Crude => sim::simulate(model, &settings, &progress)
            .map(|simulation| (simulation, None))
            .map_err(|error| error.to_string()),
        Sampling::Importance => simulate_importance(model, &settings, &progress),
    });
    progress.finish();
    let (simulation, importance) = match result {
        Ok(simulation) => simulation,
        Err(error) => {
            let diagnostic = Diagnostic::new(crate::diag::Code::SimulationLimit, error, None);
            loaded.sources.emit_to_stderr(&diagnostic);
            return None;
        }
    };
    let blocks: Vec<RecordBlock> = simulation
        .blocks
        .iter()
        .map(|(name, instances)| RecordBlock {
            name: name.clone(),
            kind: describe_kind(model, name),
            instances: *instances,
        })
        .collect();
    let exact_blocks = exact.as_ref().map(|solution| {
        blocks
            .iter()
            .map(|block| {
                let measures = solution
                    .blocks
                    .iter()
                    .find(|b| b.name == block.name)
                    .map_or(solution.system, |b| b.measures);
                ExactMeasures {
                    unavailability: measures.unavailability,
                    frequency: measures.frequency,
                }
            })
            .collect()
    });
    let runs = match options.stop {
        Stop::Runs(runs) => runs,
        Stop::Precision { .. } => importance
            .as_ref()
            .map_or(simulation.tally.runs, |tally| tally.cycles),
    };
    Some(Record {
        format: shard::SHARD_FORMAT.into(),
        model: model.name.clone(),
        file: loaded.file.clone(),
        model_hash: shard::fingerprint(model),
        seed: options.seed,
        runs,
        shard_index: shard.map_or(0, |s| s.index),
        shard_count: shard.map_or(1, |s| s.count),
        horizon_hours: settings.horizon_hours,
        warmup_hours: settings.warmup_hours,
        window_hours,
        breach_hours: settings.breach_hours,
        target: target.map(|t| t.text.clone()),
        target_unavailability: target.map(|t| t.unavailability),
        max_breach_probability: target.and_then(|t| t.max_breach_probability),
        blocks,
        exact: exact.as_ref().map(|solution| ExactMeasures {
            unavailability: solution.system.unavailability,
            frequency: solution.system.frequency,
        }),
        exact_blocks,
        exact_applies: applicability::exact_solver_applies(model),
        longest_repair_hours: applicability::longest_mean_repair_hours(model),
        stopped: simulation.stop,
        elapsed_seconds: simulation.elapsed.as_secs_f64(),
        threads: simulation.threads,
        tally: simulation.tally,
        sampling,
        importance,
    })
}

/// Simulates by importance sampling, in the shape of a crude simulation (whose tally stays
/// empty) plus the cycles' tally.
fn simulate_importance(
    model: &crate::model::Model,
    settings: &Settings,
    progress: &Progress,
) -> Result<(sim::Simulation, Option<ImportanceTally>), String> {
    let plan = sim::plan::expand(model).map_err(|error| {
        sim::SimulateError::TooLarge {
            nodes: error.nodes,
            limit: sim::plan::MAX_SIM_NODES,
        }
        .to_string()
    })?;
    let importance_settings = ImportanceSettings {
        seed: settings.seed,
        stop: settings.stop,
        threads: settings.threads,
        scheme: Scheme::Distance,
        shard: settings.shard,
    };
    let simulation = importance::simulate(&plan, &importance_settings, progress)
        .map_err(|error| error.to_string())?;
    let blocks = plan
        .reported
        .iter()
        .map(|reported| {
            (
                model.blocks[reported.block].name.clone(),
                reported.instances,
            )
        })
        .collect();
    Ok((
        sim::Simulation {
            tally: Tally::new(plan.reported.len()),
            stop: simulation.stop,
            elapsed: simulation.elapsed,
            threads: simulation.threads,
            blocks,
        },
        Some(simulation.tally),
    ))
}

/// Why importance sampling cannot simulate `model` (None when it can, or when the model is
/// too large to expand: the simulation then says so), with the component to point at.
fn importance_obstacle(model: &crate::model::Model) -> Option<(String, Option<crate::diag::Span>)> {
    let plan = sim::plan::expand(model).ok()?;
    let error = importance::qualify::failure_rates(&plan).err()?;
    let component = model.components.iter().find(|component| {
        component.failure_rate > 0.0
            && !matches!(
                component.failure_dist,
                TimeDist::Exponential
                    | TimeDist::Weibull { shape: 1.0 }
                    | TimeDist::Gamma { shape: 1.0 }
            )
    });
    match (&error, component) {
        (importance::qualify::NotExponential::Failures { .. }, Some(component)) => Some((
            format!(
                "--sampling importance needs exponential failure times, but component `{}` has a non-exponential failure_dist; use --sampling crude (or auto)",
                component.name
            ),
            component.span,
        )),
        _ => Some((format!("--sampling importance: {error}"), None)),
    }
}

/// Decides how to sample (see [`SamplingChoice`]); None after reporting why importance
/// sampling was asked for and cannot be used.
///
/// Under `auto`, importance sampling is chosen when every failure time is exponential, the
/// exact solver gives the outage frequency f, and crude runs would see too few outages:
/// outages are rare (f·horizon < [`AUTO_RARE_PER_RUN`] per run), and
/// with `--runs N`, f·horizon·N < [`AUTO_FEWEST_OUTAGES`]; with `--precision r`, the runs
/// crude sampling needs for about (1.96/r)² outages (the count a relative half-width r
/// needs when outage lengths vary about as much as their mean), (1.96/r)²/(f·horizon), exceed
/// [`AUTO_MOST_RUNS`]. Without an exact f (a model beyond the solver), crude.
fn choose_sampling(
    loaded: &LoadedModel,
    options: &CheckedSimOptions,
    settings: &Settings,
    exact: Option<&crate::solve::Solution>,
) -> Option<Sampling> {
    let model = &loaded.model;
    if options.sampling == SamplingChoice::Crude {
        return Some(Sampling::Crude);
    }
    let offending = importance_obstacle(model);
    match options.sampling {
        SamplingChoice::Crude => Some(Sampling::Crude),
        SamplingChoice::Importance => match offending {
            None => Some(Sampling::Importance),
            Some((message, span)) => {
                let diagnostic = Diagnostic::new(crate::diag::Code::SimulationLimit, message, span);
                loaded.sources.emit_to_stderr(&diagnostic);
                None
            }
        },
        SamplingChoice::Auto => {
            let Some(frequency) = exact.map(|solution| solution.system.frequency) else {
                return Some(Sampling::Crude);
            };
            if offending.is_some() {
                return Some(Sampling::Crude);
            }
            let per_run = frequency * settings.horizon_hours;
            let (rare, reason) = match options.stop {
                Stop::Runs(runs) => {
                    let expected = per_run * runs as f64;
                    (
                        expected < AUTO_FEWEST_OUTAGES,
                        format!(
                            "{runs} crude runs would expect {} system outages",
                            crate::format::significant(expected, 2)
                        ),
                    )
                }
                Stop::Precision { relative, .. } => {
                    let needed = (1.96 / relative).powi(2) / per_run;
                    (
                        needed > AUTO_MOST_RUNS,
                        format!("crude runs would need about {needed:.1e} runs for that precision"),
                    )
                }
            };
            if !rare || per_run >= AUTO_RARE_PER_RUN {
                return Some(Sampling::Crude);
            }
            if !options.quiet {
                say!(
                    "note: {}: importance sampling ({reason}; --sampling crude to override)",
                    loaded.file
                );
            }
            Some(Sampling::Importance)
        }
    }
}

/// Prints the notes on a finished simulation (see [`run_notes`]) on stderr.
fn notes(record: &Record, quiet: bool) {
    for line in run_notes(record, quiet) {
        say!("{line}");
    }
}

/// Writes a record as one line of JSON (ending in a newline, so that `--save /dev/stdout`
/// keeps it apart from the results) to a temporary file beside `path`, then renames it into
/// place.
fn save(path: &Path, record: &Record) -> Result<(), String> {
    let mut text = serde_json::to_string(record).map_err(|error| error.to_string())?;
    text.push('\n');
    super::files::write_atomically(path, text.as_bytes())
}

/// `nines simulate`.
pub fn run_simulate(args: SimulateArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let overrides = match parse_overrides(&args.input.set, args.input.top.as_deref()) {
        Ok(overrides) => overrides,
        Err(outcome) => return Ok(outcome),
    };
    let shard = match args.shard.as_deref().map(parse_shard).transpose() {
        Ok(shard) => shard,
        Err(outcome) => return Ok(outcome),
    };
    if args.save.is_some() && args.input.models.len() > 1 {
        say!("error: --save takes one model at a time");
        return Ok(Outcome::InputError);
    }
    if shard.is_some() && (args.options.runs.is_none() || args.options.precision.is_some()) {
        say!(
            "error: --shard needs a fixed --runs N (not --precision), so that shards split the same runs"
        );
        return Ok(Outcome::InputError);
    }
    let options = match parse_options(&args.options) {
        Ok(options) => options,
        Err(outcome) => return Ok(outcome),
    };
    if let (Some(shard), Stop::Runs(runs)) = (shard, options.stop)
        && let Err(outcome) = check_shard(shard, runs)
    {
        return Ok(outcome);
    }
    let mut outcome = Outcome::Success;
    let mut exporter = simulation::exporter(args.format);
    exporter.begin(out)?;
    for path in &args.input.models {
        let Some(loaded) = load(path, &overrides) else {
            outcome = Outcome::InputError;
            continue;
        };
        let target = loaded.model.target.clone();
        let Some(record) = simulate_loaded(&loaded, target.as_ref(), &options, shard) else {
            outcome = Outcome::InputError;
            continue;
        };
        if interrupted(&record) && record.tally.runs < 2 {
            // One run or none gives no interval: there is nothing honest to print.
            say!(
                "note: {}: interrupted after {} complete {}; at least 2 are needed for results, so nothing is printed",
                record.file,
                record.tally.runs,
                if record.tally.runs == 1 {
                    "run"
                } else {
                    "runs"
                }
            );
            return Ok(Outcome::Interrupted);
        }
        notes(&record, options.quiet);
        if interrupted(&record) {
            // The runs completed so far, marked partial; nothing saved, no further models.
            if args.save.is_some() {
                say!("note: not saved: a partial shard could not be merged");
            }
            exporter.write(out, &record)?;
            exporter.end(out)?;
            return Ok(Outcome::Interrupted);
        }
        if let Some(path) = &args.save {
            if let Err(error) = save(path, &record) {
                say!("error: could not save '{}': {error}", path.display());
                outcome = Outcome::InputError;
                continue;
            }
            if !options.quiet {
                say!("note: saved to '{}'", path.display());
            }
        }
        exporter.write(out, &record)?;
    }
    exporter.end(out)?;
    Ok(outcome)
}

/// Whether a simulation was stopped by Ctrl-C or SIGTERM.
pub(super) fn interrupted(record: &Record) -> bool {
    record.stopped == sim::StopReason::Interrupted
}

/// `nines merge`.
pub fn run_merge(args: MergeArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let mut files = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let text = match super::files::read_text(path, &super::files::SHARD_FILE_LIMIT) {
            Ok(text) => text,
            Err(reason) => {
                say!("error: could not read '{name}': {reason}");
                return Ok(Outcome::InputError);
            }
        };
        match serde_json::from_str::<Record>(&text) {
            Ok(record) if record.format == shard::SHARD_FORMAT => {
                if let Err(problem) = record.validate() {
                    say!("error: {name}: not a valid nines shard file: {problem}");
                    return Ok(Outcome::InputError);
                }
                files.push((name, record));
            }
            Ok(record) => {
                say!(
                    "error: {name}: unknown shard format '{}' (expected '{}')",
                    one_line(&record.format),
                    shard::SHARD_FORMAT
                );
                return Ok(Outcome::InputError);
            }
            Err(error) => {
                say!(
                    "error: {name}:{}:{}: not a nines shard file: {error}",
                    error.line(),
                    error.column()
                );
                return Ok(Outcome::InputError);
            }
        }
    }
    match shard::merge(&files) {
        Ok(record) => {
            notes(&record, false);
            let mut exporter = simulation::exporter(args.format);
            exporter.begin(out)?;
            exporter.write(out, &record)?;
            exporter.end(out)?;
            Ok(Outcome::Success)
        }
        Err(error) => {
            say!("error: {error}");
            Ok(Outcome::InputError)
        }
    }
}

/// `nines check --method simulate` for one model: hands its result, or why it could not be
/// judged, to `exporter` (every case at `location`, the target's line); returns its outcome.
pub fn check_simulated(
    loaded: &LoadedModel,
    target: &Target,
    options: &CheckedSimOptions,
    location: Option<(usize, usize)>,
    exporter: &mut CheckExporter,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let mut write_error = |out: &mut dyn Write, message: String| {
        let case = CheckCase {
            model: loaded.model.name.clone(),
            file: loaded.file.clone(),
            check: "model".into(),
            outcome: CaseOutcome::Error,
            message,
            location,
        };
        let judged = Judged::Nothing;
        exporter.write(out, &CheckEntry { case, judged })?;
        Ok(Outcome::InputError)
    };
    let Some(record) = simulate_loaded(loaded, Some(target), options, None) else {
        return write_error(
            out,
            format!("{}: the model cannot be simulated", loaded.file),
        );
    };
    notes(&record, options.quiet);
    if interrupted(&record) {
        say!(
            "error: {}: interrupted after {} runs; not judged on partial results",
            record.file,
            record.tally.runs
        );
        return Ok(Outcome::Interrupted);
    }
    if record.max_breach_probability.is_some() && record.tally.windows == 0 {
        let message = format!(
            "{}: max_breach_probability cannot be checked: the {} horizon holds no whole {} window; lengthen --horizon",
            record.file,
            simulation::span_label(record.horizon_hours),
            simulation::span_label(record.window_hours)
        );
        say!("error: {message}");
        return write_error(out, message);
    }
    let estimates = Estimates::of(&record);
    let Some(verdict) = SimulatedVerdict::of(&record, &estimates) else {
        return write_error(out, format!("{}: no target to check", loaded.file));
    };
    let mut case = check_line::simulated_case(&record, target, &estimates, &verdict);
    case.location = location;
    let judged = Judged::Simulated(&record);
    exporter.write(out, &CheckEntry { case, judged })?;
    Ok(if verdict.met() {
        Outcome::Success
    } else {
        Outcome::TargetMissed
    })
}
