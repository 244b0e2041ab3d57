//! Importance sampling for rare system outages: regenerative cycles with biased failures.
//!
//! Crude simulation pays 1/U runs for every outage it sees; a system at 30 nines is never
//! seen down. Importance sampling simulates the same model under a changed law in which
//! failures come faster (towards an outage: [`biasing`]), and weighs each cycle by its
//! likelihood ratio so that the estimates stay unbiased ([`cycle`], [`estimator`]). It
//! applies when every failure time is exponential ([`qualify`]); repairs, failovers,
//! elections and pauses keep any distribution. Cycles are independent, seeded by (seed,
//! cycle index), and tallied exactly, so the result is the same bits for any thread count.

pub mod biasing;
pub mod cycle;
pub mod estimator;
pub mod qualify;
pub mod structure;

use super::plan::Plan;
use super::{Observer, Stop, StopReason, threads_for};
use biasing::Scheme;
use cycle::Cycle;
use estimator::ImportanceTally;
use rayon::prelude::*;
use std::time::{Duration, Instant};
use structure::Structure;

/// Fewest cycles with an outage before `--precision` may stop: a relative half-width read
/// from fewer is itself too uncertain to trust.
pub const MIN_OUTAGE_CYCLES: u64 = 30;

/// Fewest cycles before `--precision` may stop.
pub const MIN_CYCLES: u64 = 1000;

/// Why a model cannot be simulated by importance sampling.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportanceError {
    /// A failure time is not exponential.
    #[error(transparent)]
    NotExponential(#[from] qualify::NotExponential),
    /// Nothing can fail.
    #[error("no unit of the model can fail, so the system is never down (U = 0)")]
    NothingFails,
}

/// How cycles are counted and stopped, and how failures are biased.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportanceSettings {
    /// Seed of every cycle's random stream.
    pub seed: u64,
    /// When to stop: [`Stop::Runs`] counts cycles.
    pub stop: Stop,
    /// Worker threads.
    pub threads: usize,
    /// The biasing.
    pub scheme: Scheme,
    /// The part of the cycles to simulate (with [`Stop::Runs`] only).
    pub shard: Option<super::Shard>,
}

/// A finished importance-sampling simulation.
#[derive(Debug, Clone)]
pub struct ImportanceSimulation {
    /// The statistics.
    pub tally: ImportanceTally,
    /// Why it stopped.
    pub stop: StopReason,
    /// Wall time, seconds.
    pub elapsed: Duration,
    /// Threads used.
    pub threads: usize,
}

/// Simulates `plan` by importance sampling.
///
/// # Errors
/// [`ImportanceError`] when the model does not qualify or cannot fail.
pub fn simulate(
    plan: &Plan,
    settings: &ImportanceSettings,
    observer: &dyn Observer,
) -> Result<ImportanceSimulation, ImportanceError> {
    let rates = qualify::failure_rates(plan)?;
    let structure = Structure::of(plan);
    if Cycle::new(plan, &rates, &structure, settings.scheme).regeneration_rate() <= 0.0 {
        return Err(ImportanceError::NothingFails);
    }
    let cycles = match (settings.stop, settings.shard) {
        (Stop::Runs(runs), Some(shard)) => shard.range(runs),
        (Stop::Runs(runs), None) => 0..runs,
        (Stop::Precision { max_runs, .. }, _) => 0..max_runs,
    };
    let threads = threads_for(settings.threads, cycles.end - cycles.start);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool of a positive number of threads");
    let instances: Vec<u64> = plan.reported.iter().map(|r| r.instances).collect();
    let blocks = plan.reported.len();
    let started = Instant::now();
    let mut tally = ImportanceTally::new(blocks);
    let mut done = cycles.start;
    let context = Context {
        plan,
        rates: &rates,
        structure: &structure,
        settings,
        threads,
        instances: &instances,
    };
    let stop = loop {
        if done >= cycles.end {
            break match settings.stop {
                Stop::Runs(_) => StopReason::Runs,
                Stop::Precision { .. } => StopReason::MaxRuns,
            };
        }
        // Checkpoints at cycle counts that depend on the counts alone, so that --precision
        // stops at the same cycle whatever the threads.
        let next = done
            .saturating_add(1000)
            .max(done.saturating_add((done - cycles.start) / 4))
            .min(cycles.end);
        let part = context.run_range(done..next, &pool, observer);
        tally.merge(&part);
        done = next;
        if observer.stopping() {
            break StopReason::Interrupted;
        }
        if let Stop::Precision {
            relative, max_time, ..
        } = settings.stop
        {
            if precision_reached(&tally, relative) {
                break StopReason::Precision;
            }
            if started.elapsed() >= max_time && done < cycles.end {
                break StopReason::MaxTime;
            }
        }
    };
    Ok(ImportanceSimulation {
        tally,
        stop,
        elapsed: started.elapsed(),
        threads,
    })
}

/// The 95 % relative half-width of U is within `relative`, from enough cycles and outages.
pub fn precision_reached(tally: &ImportanceTally, relative: f64) -> bool {
    tally.cycles >= MIN_CYCLES
        && tally.cycles_with_outage >= MIN_OUTAGE_CYCLES
        && tally.relative_half_width() <= relative
}

struct Context<'a> {
    plan: &'a Plan,
    rates: &'a [f64],
    structure: &'a Structure,
    settings: &'a ImportanceSettings,
    threads: usize,
    instances: &'a [u64],
}

impl Context<'_> {
    fn run_range(
        &self,
        cycles: std::ops::Range<u64>,
        pool: &rayon::ThreadPool,
        observer: &dyn Observer,
    ) -> ImportanceTally {
        let blocks = self.plan.reported.len();
        let per_job = ((cycles.end - cycles.start) / (self.threads as u64 * 8)).max(1) as usize;
        let new_cycle = || Cycle::new(self.plan, self.rates, self.structure, self.settings.scheme);
        pool.install(|| {
            let first = cycles.start;
            (0..(cycles.end - cycles.start) as usize)
                .into_par_iter()
                .with_min_len(per_job)
                .map(|offset| first + offset as u64)
                .fold(
                    || (new_cycle(), ImportanceTally::new(blocks)),
                    |(mut engine, mut tally), index| {
                        if observer.stopping() {
                            return (engine, tally);
                        }
                        let Some(stats) =
                            engine.run_unless(self.settings.seed, index, || observer.stopping())
                        else {
                            return (engine, tally);
                        };
                        tally.record(stats, self.instances);
                        observer.runs_done(1);
                        (engine, tally)
                    },
                )
                .map(|(_, tally)| tally)
                .reduce(
                    || ImportanceTally::new(blocks),
                    |mut all, part| {
                        all.merge(&part);
                        all
                    },
                )
        })
    }
}
