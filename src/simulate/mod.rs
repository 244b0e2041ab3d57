//! Monte Carlo simulation of a [`Model`]: what the steady-state averages hide.
//!
//! The model is expanded unit by unit ([`plan`]); each run simulates it from new, event by
//! event ([`engine`]), over `warmup + horizon` hours, and its measurements are added to a
//! mergeable [`tally::Tally`]. Runs are independent replications with their own random
//! streams derived from (seed, run index), spread over threads with `rayon`; because the
//! tally is exact, the result depends only on the seed and the set of runs, not on threads,
//! batches or shards.

pub mod engine;
pub(crate) mod estimate;
pub mod importance;
pub mod plan;
pub mod sample;
pub(crate) mod shard;
pub(crate) mod stats;
pub(crate) mod tally;
pub(crate) mod tree;

use crate::model::Model;
use crate::model::units::format_duration_hours;
use engine::{Engine, RunTimeline};
use plan::Plan;
use rayon::prelude::*;
use std::time::{Duration, Instant};
use tally::Tally;

/// Most events a single run may be expected to take; beyond it the run would not end in
/// reasonable time and the simulation is refused.
pub(crate) const MAX_EVENTS_PER_RUN: f64 = 2e9;

/// Most SLA windows one run may be cut into (each run keeps one downtime per window).
pub(crate) const MAX_WINDOWS_PER_RUN: usize = 1_000_000;

/// Most worker threads a simulation may ask for: far more than any machine has cores, and
/// few enough to start in well under a second.
pub(crate) const MAX_THREADS: usize = 1024;

/// Most runs a simulation may ask for (10¹⁵): more than any machine or cluster finishes, and
/// few enough that run indices, counts and event totals never come near `u64::MAX`.
pub(crate) const MAX_RUNS: u64 = 1_000_000_000_000_000;

/// When to stop simulating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// Exactly this many runs (run indices `0..n`, or the shard's part of them).
    Runs(u64),
    /// Until the 95% half-width of the system unavailability is at most `relative` times
    /// the estimate, or a cap is hit.
    Precision {
        /// Target relative half-width (0.01 for 1%).
        relative: f64,
        /// Cap on runs.
        max_runs: u64,
        /// Cap on wall time.
        max_time: Duration,
    },
}

/// How a simulation samples: plain runs, or importance-sampling cycles ([`importance`]).
///
/// Written to JSON output and shard files as `crude` or `importance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampling {
    /// Independent runs from an all-up start, every event under the model's own law.
    #[default]
    Crude,
    /// Regenerative cycles with biased failures, weighted by their likelihood ratios.
    Importance,
}

impl Sampling {
    /// Whether this is crude sampling (shard files then omit the field, as before it existed).
    pub fn is_crude(&self) -> bool {
        *self == Self::Crude
    }
}

/// Which part of the runs this process simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index of this shard.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// The contiguous run indices of this shard among `runs`.
    pub(crate) fn range(&self, runs: u64) -> std::ops::Range<u64> {
        let bound = |index: u64| (runs as u128 * index as u128 / self.count as u128) as u64;
        bound(self.index)..bound(self.index + 1)
    }
}

/// How to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Length of one run's measured interval, hours.
    pub horizon_hours: f64,
    /// Simulated but not measured stretch before it, hours.
    pub warmup_hours: f64,
    /// SLA window length, hours.
    pub window_hours: f64,
    /// Window downtime above which a window breaches (target U × window), with a target.
    pub breach_hours: Option<f64>,
    /// Seed of every run's random stream.
    pub seed: u64,
    /// When to stop.
    pub stop: Stop,
    /// Worker threads.
    pub threads: usize,
    /// The part of the runs to simulate (with [`Stop::Runs`] only).
    pub shard: Option<Shard>,
}

/// Why the simulation stopped.
///
/// Written to JSON output and shard files by serde as `runs`, `precision`, `max-runs`,
/// `max-time` or `interrupted`: the one place these names are spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// The requested number of runs was done.
    Runs,
    /// The requested precision was reached.
    Precision,
    /// `--max-runs` was reached before the precision.
    MaxRuns,
    /// `--max-time` was reached before the precision.
    MaxTime,
    /// Interrupted; the tally holds the runs completed so far.
    Interrupted,
}

impl StopReason {
    /// Whether the simulation ended as asked (the runs done, or the precision reached),
    /// rather than at a cap or an interruption.
    pub(crate) fn ended_as_asked(self) -> bool {
        matches!(self, Self::Runs | Self::Precision)
    }

    /// Whether a cap (`--max-runs` or `--max-time`) ended the simulation before the
    /// requested precision.
    pub(crate) fn hit_a_cap(self) -> bool {
        matches!(self, Self::MaxRuns | Self::MaxTime)
    }
}

/// A finished simulation.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The statistics.
    pub tally: Tally,
    /// Why it stopped.
    pub stop: StopReason,
    /// Wall time of the simulation itself.
    pub(crate) elapsed: Duration,
    /// Threads used.
    pub threads: usize,
    /// Names of the reported blocks, in tally order, with their instance counts.
    pub(crate) blocks: Vec<(String, u64)>,
}

/// Why a model cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    /// The expansion is too large.
    #[error(
        "the model expands to {} units and block instances, more than the simulator's limit of {limit}; simulate a representative slice (fewer copies)",
        if *nodes == u64::MAX { "more than 1.8e19".to_string() } else { nodes.to_string() }
    )]
    TooLarge {
        /// Units and instances (saturating).
        nodes: u64,
        /// The limit.
        limit: u64,
    },
    /// The run is cut into too many SLA windows.
    #[error(
        "a run of {} holds {} SLA windows of {}, more than {limit}; use a longer --window or a shorter --horizon",
        format_duration_hours(*horizon_hours),
        readable_count(*windows),
        format_duration_hours(*window_hours)
    )]
    TooManyWindows {
        /// Windows per run (not rounded down, so that it cannot saturate).
        windows: f64,
        /// The SLA window.
        window_hours: f64,
        /// The measured interval.
        horizon_hours: f64,
        /// The limit.
        limit: usize,
    },
    /// A run would never finish.
    #[error(
        "one run of {} would take about {events:.1e} events (units fail or are repaired far more often than the run is long); {}",
        run_length(*warmup_hours, *horizon_hours),
        if warmup_hours > horizon_hours {
            "shorten --warmup or check the rates"
        } else {
            "shorten --horizon or check the rates"
        }
    )]
    TooManyEvents {
        /// Expected events per run.
        events: f64,
        /// The warm-up of each run.
        warmup_hours: f64,
        /// The measured interval.
        horizon_hours: f64,
    },
}

/// A count for a message: in full up to a million, else as `2.6e11`.
fn readable_count(count: f64) -> String {
    if count < 1e6 {
        format!("{count:.0}")
    } else {
        format!("{count:.1e}")
    }
}

/// The length of a run for a message: `1y`, or `10y (1y warm-up + 9y measured)`.
fn run_length(warmup_hours: f64, horizon_hours: f64) -> String {
    let total = format_duration_hours(warmup_hours + horizon_hours);
    if warmup_hours > 0.0 {
        format!(
            "{total} ({} warm-up + {} measured)",
            format_duration_hours(warmup_hours),
            format_duration_hours(horizon_hours)
        )
    } else {
        total
    }
}

/// Watches a simulation: told of completed runs and of the estimate at each checkpoint.
pub trait Observer: Sync {
    /// Before the first run: the expected unit events per run (from the units' mean cycle
    /// times), so that long simulations can be announced.
    fn starting(&self, _expected_events_per_run: f64) {}
    /// Runs completed since the last call (from any thread).
    fn runs_done(&self, _runs: u64) {}
    /// The tally so far, at a checkpoint; return false to stop (as interrupted).
    fn checkpoint(&self, _tally: &Tally, _elapsed: Duration) -> bool {
        true
    }
    /// Whether to stop now (Ctrl-C): asked before each run and every
    /// [`engine::STOP_CHECK_EVENTS`] events within one, so that the runs not yet started are
    /// skipped, the runs in progress are abandoned, and the simulation ends, as interrupted,
    /// with the runs completed.
    fn stopping(&self) -> bool {
        false
    }
}

/// An observer that watches nothing.
pub struct Quiet;
impl Observer for Quiet {}

/// Expected events per run: two per failure–repair cycle of each unit.
///
/// Cycles per run of H hours: the fewer of H / (E[min(life, H)] + E[min(repair, H)]) (lives
/// and repairs cut off at the run's length) and the odds P(life ≤ H)/P(life > H) (how many
/// lives come before one outlasts the run). For exponential times this is H/(MTBF + MTTR)
/// when both are short and H/MTBF when the MTBF is long; for heavy tails it counts the many
/// short times a run actually sees (a log-normal life with σ = 10 and mean 1,000 h makes
/// about 10⁶ events in 100 h, where the means alone say 0.2).
pub fn expected_events(plan: &Plan, hours: f64) -> f64 {
    plan.units
        .iter()
        .map(|unit| {
            let cycle = unit.life.truncated_mean(hours) + unit.repair.truncated_mean(hours);
            let cycles = (hours / cycle).min(unit.life.odds_within(hours));
            2.0 * cycles
        })
        .sum()
}

/// Expands the model and checks that it can be simulated in bounded time.
///
/// # Errors
/// [`SimulateError`] when the model is too large or a run would not finish.
pub fn prepare(model: &Model, settings: &Settings) -> Result<Plan, SimulateError> {
    let plan = plan::expand(model).map_err(|error| SimulateError::TooLarge {
        nodes: error.nodes,
        limit: plan::MAX_SIM_NODES,
    })?;
    if windows_per_run(settings) > MAX_WINDOWS_PER_RUN {
        return Err(SimulateError::TooManyWindows {
            windows: settings.horizon_hours / settings.window_hours,
            window_hours: settings.window_hours,
            horizon_hours: settings.horizon_hours,
            limit: MAX_WINDOWS_PER_RUN,
        });
    }
    let hours = settings.warmup_hours + settings.horizon_hours;
    let events = expected_events(&plan, hours);
    if events > MAX_EVENTS_PER_RUN {
        return Err(SimulateError::TooManyEvents {
            events,
            warmup_hours: settings.warmup_hours,
            horizon_hours: settings.horizon_hours,
        });
    }
    Ok(plan)
}

/// Whole SLA windows in one run's measured interval.
pub(crate) fn windows_per_run(settings: &Settings) -> usize {
    whole_windows(settings.horizon_hours, settings.window_hours)
}

/// Whole windows of `window_hours` in `horizon_hours` (saturating at `usize::MAX`).
pub(crate) fn whole_windows(horizon_hours: f64, window_hours: f64) -> usize {
    if window_hours > 0.0 {
        let windows = (horizon_hours / window_hours * (1.0 + 1e-12)).floor();
        windows.min(usize::MAX as f64) as usize
    } else {
        0
    }
}

/// The 95% relative half-width goal is met, on a tally with enough outages to trust it.
pub(crate) fn precision_reached(tally: &Tally, relative: f64) -> bool {
    let estimate = tally.unavailability.mean().unwrap_or(0.0);
    let half_width = tally.unavailability.half_width95().unwrap_or(f64::INFINITY);
    tally.runs >= 100
        && estimate > 0.0
        && tally.outages.sum() >= 30.0
        && half_width <= relative * estimate
}

/// Simulates `model`.
///
/// # Errors
/// [`SimulateError`] when the model cannot be simulated.
pub fn simulate(
    model: &Model,
    settings: &Settings,
    observer: &dyn Observer,
) -> Result<Simulation, SimulateError> {
    let plan = prepare(model, settings)?;
    let events_per_run = expected_events(&plan, settings.warmup_hours + settings.horizon_hours);
    observer.starting(events_per_run);
    // The first checkpoint comes after about 2e7 expected events (at most 100 runs), so that
    // --max-time and the progress bar react within a second or so even for slow runs. It
    // depends only on the model, never on threads or timing.
    let first_step = ((2e7 / events_per_run.max(1.0)) as u64).clamp(2, 100);
    let timeline = RunTimeline {
        start: settings.warmup_hours,
        end: settings.warmup_hours + settings.horizon_hours,
        window: settings.window_hours,
        windows: windows_per_run(settings),
    };
    let runs = match (settings.stop, settings.shard) {
        (Stop::Runs(runs), Some(shard)) => shard.range(runs),
        (Stop::Runs(runs), None) => 0..runs,
        (Stop::Precision { max_runs, .. }, _) => 0..max_runs,
    };
    // Never more threads than runs to do: each run is seeded by its index alone, so the
    // thread count changes nothing but the speed, and idle threads only cost their start.
    let threads = threads_for(settings.threads, runs.end - runs.start);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool of a positive number of threads");
    let instances: Vec<u64> = plan.reported.iter().map(|r| r.instances).collect();
    let started = Instant::now();
    let mut tally = Tally::new(plan.reported.len());
    let mut done = runs.start;
    let stop = loop {
        if done >= runs.end {
            break match settings.stop {
                Stop::Runs(_) => StopReason::Runs,
                Stop::Precision { .. } => StopReason::MaxRuns,
            };
        }
        // Checkpoints at run counts that depend on nothing but the run counts, so that
        // `--precision` stops at the same run whatever the threads.
        // Saturating: a shard at the top of the u64 run indices must still reach its end.
        let next = done
            .saturating_add(first_step)
            .max(done.saturating_add((done - runs.start) / 4))
            .min(runs.end);
        let context = Context {
            plan: &plan,
            timeline,
            settings,
            threads,
            instances: &instances,
        };
        let part = context.run_range(done..next, &pool, observer);
        tally.merge(&part);
        done = next;
        if !observer.checkpoint(&tally, started.elapsed()) || observer.stopping() {
            break StopReason::Interrupted;
        }
        if let Stop::Precision {
            relative, max_time, ..
        } = settings.stop
        {
            if precision_reached(&tally, relative) {
                break StopReason::Precision;
            }
            if started.elapsed() >= max_time && done < runs.end {
                break StopReason::MaxTime;
            }
        }
    };
    Ok(Simulation {
        tally,
        stop,
        elapsed: started.elapsed(),
        threads,
        blocks: plan
            .reported
            .iter()
            .map(|reported| {
                (
                    model.blocks[reported.block].name.clone(),
                    reported.instances,
                )
            })
            .collect(),
    })
}

/// The worker threads for `runs` runs when `requested` were asked for: at least 1, at most
/// [`MAX_THREADS`], and never more than the runs.
pub(crate) fn threads_for(requested: usize, runs: u64) -> usize {
    let runs = usize::try_from(runs).unwrap_or(usize::MAX);
    requested.clamp(1, MAX_THREADS).min(runs).max(1)
}

struct Context<'a> {
    plan: &'a Plan,
    timeline: RunTimeline,
    settings: &'a Settings,
    threads: usize,
    instances: &'a [u64],
}

impl Context<'_> {
    fn run_range(
        &self,
        runs: std::ops::Range<u64>,
        pool: &rayon::ThreadPool,
        observer: &dyn Observer,
    ) -> Tally {
        let blocks = self.plan.reported.len();
        let threads = self.threads as u64;
        let per_job = ((runs.end - runs.start) / (threads * 8)).max(1) as usize;
        pool.install(|| {
            let first = runs.start;
            (0..(runs.end - runs.start) as usize)
                .into_par_iter()
                .with_min_len(per_job)
                .map(|offset| first + offset as u64)
                .fold(
                    || (Engine::new(self.plan, self.timeline), Tally::new(blocks)),
                    |(mut engine, mut tally), run| {
                        if observer.stopping() {
                            return (engine, tally);
                        }
                        // A run stopped part-way is discarded: only whole runs are counted.
                        let Some(stats) =
                            engine.run_unless(self.settings.seed, run, || observer.stopping())
                        else {
                            return (engine, tally);
                        };
                        tally.record(
                            stats,
                            self.settings.horizon_hours,
                            self.instances,
                            self.settings.breach_hours,
                        );
                        observer.runs_done(1);
                        (engine, tally)
                    },
                )
                .map(|(_, tally)| tally)
                .reduce(
                    || Tally::new(blocks),
                    |mut all, part| {
                        all.merge(&part);
                        all
                    },
                )
        })
    }
}
