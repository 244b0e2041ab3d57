//! Estimators of a simulation: point estimates with 95% intervals, the interval widening for
//! few outages, the self-check against the exact solution and the verdict against a target.
//!
//! Every statistic a simulation report shows is computed here, once, from a [`Record`];
//! `report/` only formats what it is given.

use crate::model::units::HOURS_PER_YEAR;
use crate::simulate::importance::estimator::ImportanceTally;
use crate::simulate::shard::{ExactMeasures, Record};
use crate::simulate::stats::{Moments, RatioMoments, poisson_interval};
use crate::simulate::tally::Tally;

/// A run shorter than this many times the longest mean repair or switchover time is
/// dominated by its all-up start (each run starts with everything up, and a repair as long as
/// the run never reaches the long-run mix of up and down that `nines solve` describes).
pub const SLOW_REPAIR_RATIO: f64 = 10.0;

/// Two-sided level of every displayed interval.
pub const LEVEL: f64 = 0.95;

/// Beyond this many standard errors the simulation and the exact value disagree.
pub const DISAGREEMENT_SIGMAS: f64 = 4.0;

/// Below this many simulated system outages, the between-run intervals of U and f are
/// widened to bounds that hold with few or no outages (see [`Estimates::of`]).
pub const FEW_OUTAGES: f64 = 30.0;

/// Fewest runs for the self-check to warn of a disagreement (see [`Estimates::disagreement`]).
pub const MIN_RUNS_TO_WARN: u64 = 1000;

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Estimate {
    /// The mean of per-run values and its t-interval, both multiplied by `scale` (e.g. from
    /// per run to per year); the lower end is never below 0.
    pub fn scaled(moments: &Moments, scale: f64) -> Self {
        let mean = moments.mean().unwrap_or(0.0);
        let (low, high) = moments.ci(LEVEL).unwrap_or((mean, mean));
        Self {
            value: mean * scale,
            low: (low * scale).max(0.0),
            high: high * scale,
        }
    }

    /// An estimate of a fraction of time (an unavailability): value and interval inside
    /// [0, 1]. Down time summed over many short intervals can pass the run's length by a
    /// rounding error (U = 1.0000000000000004 for a block down all the time), and the
    /// t-interval of a mean near 1 can reach past it.
    pub fn fraction(moments: &Moments) -> Self {
        let estimate = Self::scaled(moments, 1.0);
        Self {
            value: estimate.value.clamp(0.0, 1.0),
            low: estimate.low.clamp(0.0, 1.0),
            high: estimate.high.clamp(0.0, 1.0),
        }
    }
}

/// How far a simulated value lies from the exact one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agreement {
    /// The exact value.
    pub exact: f64,
    /// (simulated − exact) / standard error; None when the runs did not vary at all.
    pub sigmas: Option<f64>,
    /// Whether they agree within [`DISAGREEMENT_SIGMAS`] (or, with no variation, whether
    /// seeing no outage was plausible).
    pub agrees: bool,
    /// Whether the runs saw nothing at all (a mean of 0 with no variation).
    pub nothing_seen: bool,
}

/// Compares a per-run mean with the exact per-run value; `expected_outages` is the number
/// of outages the exact solution expects over all runs.
fn agreement(moments: &Moments, exact_per_run: f64, expected_outages: f64) -> Agreement {
    let mean = moments.mean().unwrap_or(0.0);
    let standard_error = moments.std_error().unwrap_or(0.0);
    if standard_error > 0.0 {
        let sigmas = (mean - exact_per_run) / standard_error;
        return Agreement {
            exact: exact_per_run,
            sigmas: Some(sigmas),
            agrees: sigmas.abs() <= DISAGREEMENT_SIGMAS,
            nothing_seen: false,
        };
    }
    if mean == 0.0 {
        // No outage in any run: plausible when the exact solution expects few outages over
        // all runs, P(none) = e^{−m} ≥ 1e-4 for m ≤ 9.2.
        return Agreement {
            exact: exact_per_run,
            sigmas: None,
            agrees: expected_outages <= 9.2 || exact_per_run == 0.0,
            nothing_seen: true,
        };
    }
    // Every run gave the same non-zero value (e.g. a system down all the time): no spread to
    // measure against, so only a match to rounding agrees.
    Agreement {
        exact: exact_per_run,
        sigmas: None,
        agrees: (mean - exact_per_run).abs() <= 1e-9 * mean.abs().max(exact_per_run.abs()),
        nothing_seen: false,
    }
}

/// The estimates of one block: its unavailability, outages per year and self-check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockEstimates {
    /// Unavailability.
    pub unavailability: Estimate,
    /// Outages per year.
    pub failures_per_year: Estimate,
    /// Self-check of U against the exact solution, when solved.
    pub exact_unavailability: Option<Agreement>,
}

/// Every number a simulation report shows, computed once.
#[derive(Debug, Clone)]
pub struct Estimates {
    /// System unavailability.
    pub unavailability: Estimate,
    /// Outages per year.
    pub failures_per_year: Estimate,
    /// Mean outage length (total downtime / outages), hours.
    pub mttr_hours: Option<Estimate>,
    /// Window-breach probability.
    pub breach: Option<Estimate>,
    /// P(no downtime in a run). Crude runs only: under importance sampling there are no
    /// runs of a fixed length, it is not estimated, holds NaN and is never shown.
    pub outage_free: Estimate,
    /// Self-check of U against the exact solution.
    pub exact_unavailability: Option<Agreement>,
    /// Self-check of the outage frequency (per run).
    pub exact_failures: Option<Agreement>,
    /// Per block, in the record's order.
    pub blocks: Vec<BlockEstimates>,
    /// Runs behind the estimates.
    pub runs: u64,
}

impl Estimates {
    /// Computes the estimates of a record.
    pub fn of(record: &Record) -> Self {
        if let Some(importance) = &record.importance {
            return importance_estimates(record, importance);
        }
        let tally = &record.tally;
        let per_year = HOURS_PER_YEAR / record.horizon_hours;
        let mttr_hours = mttr_estimate(tally);
        let (exact_unavailability, exact_failures) = system_checks(record);
        let mut unavailability = Estimate::fraction(&tally.unavailability);
        let mut failures_per_year = Estimate::scaled(&tally.outages, per_year);
        widen_for_few_outages(
            record,
            mttr_hours,
            &mut unavailability,
            &mut failures_per_year,
        );
        let (free, (free_low, free_high)) = tally.outage_free(LEVEL);
        Self {
            unavailability,
            failures_per_year,
            mttr_hours,
            breach: breach_estimate(record),
            outage_free: Estimate {
                value: free,
                low: free_low,
                high: free_high,
            },
            exact_unavailability,
            exact_failures,
            blocks: block_estimates(record),
            runs: tally.runs,
        }
    }

    /// Whether the self-check found a disagreement worth a warning. Below
    /// [`MIN_RUNS_TO_WARN`] runs it never warns: downtime per run is heavy-tailed (rare long
    /// outages), and a few hundred runs can put a correct simulation 5–25 "standard errors"
    /// away, since the sample variance misses the tail it has not seen.
    pub fn disagreement(&self) -> bool {
        self.runs >= MIN_RUNS_TO_WARN
            && [self.exact_unavailability, self.exact_failures]
                .iter()
                .flatten()
                .any(|check| !check.agrees)
    }
}

/// A ratio-of-sums estimate times `scale`, with its delta-method interval (the lower end
/// never below 0); with no variation at all, a zero-width interval.
fn ratio_estimate(moments: &RatioMoments, scale: f64) -> Estimate {
    let value = moments.ratio().unwrap_or(0.0);
    let (low, high) = moments.ratio_ci(LEVEL).unwrap_or((value, value));
    Estimate {
        value: value * scale,
        low: (low * scale).max(0.0),
        high: high * scale,
    }
}

/// Compares a ratio estimate with the exact value, in standard errors.
fn ratio_agreement(moments: &RatioMoments, exact: f64) -> Agreement {
    let value = moments.ratio().unwrap_or(0.0);
    match moments.ratio_std_error().filter(|error| *error > 0.0) {
        Some(error) => {
            let sigmas = (value - exact) / error;
            Agreement {
                exact,
                sigmas: Some(sigmas),
                agrees: sigmas.abs() <= DISAGREEMENT_SIGMAS,
                nothing_seen: false,
            }
        }
        None => Agreement {
            exact,
            sigmas: None,
            agrees: true,
            nothing_seen: value == 0.0,
        },
    }
}

/// The estimates of an importance-sampling simulation (see `simulate/importance/estimator.rs`):
/// U, f and the mean outage length as ratios over the weighted cycles. Until a cycle has seen
/// an outage nothing bounds U from above, so its interval is then [0, 1] and f's [0, ∞).
fn importance_estimates(record: &Record, tally: &ImportanceTally) -> Estimates {
    let seen = tally.cycles_with_outage > 0;
    let mut unavailability = ratio_estimate(&tally.unavailability, 1.0);
    unavailability.value = unavailability.value.clamp(0.0, 1.0);
    unavailability.high = if seen {
        unavailability.high.min(1.0)
    } else {
        1.0
    };
    let mut failures_per_year = ratio_estimate(&tally.frequency, HOURS_PER_YEAR);
    if !seen {
        failures_per_year.high = f64::INFINITY;
    }
    let mttr_hours = tally
        .outage_length
        .ratio()
        .map(|_| ratio_estimate(&tally.outage_length, 1.0));
    let exact = record.exact.filter(|_| tally.cycles > 1);
    let blocks = tally
        .blocks
        .iter()
        .enumerate()
        .map(|(index, block)| BlockEstimates {
            unavailability: {
                let mut u = ratio_estimate(&block.unavailability, 1.0);
                u.value = u.value.clamp(0.0, 1.0);
                u.high = u.high.min(1.0);
                u
            },
            failures_per_year: ratio_estimate(&block.frequency, HOURS_PER_YEAR),
            exact_unavailability: record
                .exact_blocks
                .as_ref()
                .filter(|_| tally.cycles > 1)
                .and_then(|all| all.get(index))
                .map(|exact| ratio_agreement(&block.unavailability, exact.unavailability)),
        })
        .collect();
    let not_estimated = Estimate {
        value: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
    };
    Estimates {
        unavailability,
        failures_per_year,
        mttr_hours,
        breach: None,
        outage_free: not_estimated,
        exact_unavailability: exact
            .map(|exact| ratio_agreement(&tally.unavailability, exact.unavailability)),
        exact_failures: exact.map(|exact| {
            let mut check = ratio_agreement(&tally.frequency, exact.frequency);
            check.exact *= record.horizon_hours;
            check
        }),
        blocks,
        runs: tally.cycles,
    }
}

/// The mean outage length (total downtime / outages) with its ratio interval.
fn mttr_estimate(tally: &Tally) -> Option<Estimate> {
    tally.downtime_per_outage.ratio().map(|value| {
        let (low, high) = tally
            .downtime_per_outage
            .ratio_ci(LEVEL)
            .unwrap_or((value, value));
        Estimate {
            value,
            low: low.max(0.0),
            high,
        }
    })
}

/// The window-breach probability, when the record has a breach threshold.
fn breach_estimate(record: &Record) -> Option<Estimate> {
    record.breach_hours?;
    record
        .tally
        .breach_probability(LEVEL)
        .map(|(value, (low, high))| Estimate { value, low, high })
}

/// Total simulated hours (runs × horizon), when finite and above 0.
fn exposure_hours(record: &Record) -> Option<f64> {
    let exposure = record.tally.runs as f64 * record.horizon_hours;
    (exposure > 0.0 && exposure.is_finite()).then_some(exposure)
}

/// The self-checks of the system's U and outage frequency against the exact solution.
///
/// With few outages the standard errors mean little (a handful of long outages can put a
/// correct simulation many "standard errors" away): the self-check then only asks whether
/// the outage count is plausible, by the exact Poisson interval at 99.99% (about ±3.9σ).
fn system_checks(record: &Record) -> (Option<Agreement>, Option<Agreement>) {
    let tally = &record.tally;
    let runs = tally.runs as f64;
    let exact = record.exact.filter(|_| tally.runs > 1);
    let outages = tally.outages.sum();
    let count_plausible = |frequency: f64| {
        if outages >= FEW_OUTAGES {
            return None;
        }
        let exposure = exposure_hours(record)?;
        let (low, high) = poisson_interval(outages as u64, exposure, 0.9999);
        Some(frequency >= low && frequency <= high)
    };
    let judged = |mut check: Agreement, exact: ExactMeasures| {
        if let Some(plausible) = count_plausible(exact.frequency) {
            check.agrees = plausible;
        }
        check
    };
    let unavailability = exact.map(|exact| {
        let expected = exact.frequency * record.horizon_hours * runs;
        judged(
            agreement(&tally.unavailability, exact.unavailability, expected),
            exact,
        )
    });
    let failures = exact.map(|exact| {
        let per_run = exact.frequency * record.horizon_hours;
        judged(agreement(&tally.outages, per_run, per_run * runs), exact)
    });
    (unavailability, failures)
}

/// Each block's U, outages per year and self-check of U.
fn block_estimates(record: &Record) -> Vec<BlockEstimates> {
    let tally = &record.tally;
    let per_year = HOURS_PER_YEAR / record.horizon_hours;
    let runs = tally.runs as f64;
    tally
        .blocks
        .iter()
        .enumerate()
        .map(|(index, block)| {
            let exact_unavailability = record
                .exact_blocks
                .as_ref()
                .filter(|_| tally.runs > 1)
                .and_then(|all| all.get(index))
                .map(|exact| {
                    let copies = record.blocks[index].instances as f64;
                    let expected = exact.frequency * record.horizon_hours * runs * copies;
                    agreement(&block.unavailability, exact.unavailability, expected)
                });
            BlockEstimates {
                unavailability: Estimate::fraction(&block.unavailability),
                failures_per_year: Estimate::scaled(&block.outages, per_year),
                exact_unavailability,
            }
        })
        .collect()
}

/// Widens the intervals of U and f when fewer than [`FEW_OUTAGES`] outages were simulated.
///
/// With few outages the normal approximation fails (with none, the interval is [0, 0]). The
/// outage rate gets the exact Poisson (Garwood) interval, and U's upper end becomes that
/// rate's upper end times a mean outage length: the largest of the one observed, the exact
/// solver's U/f and the model's longest mean repair or switchover time. Conservative, so
/// `check --method simulate` cannot pass a model merely because no outage happened to be
/// simulated.
fn widen_for_few_outages(
    record: &Record,
    mttr_hours: Option<Estimate>,
    unavailability: &mut Estimate,
    failures_per_year: &mut Estimate,
) {
    let outages = record.tally.outages.sum();
    let Some(exposure) = exposure_hours(record).filter(|_| outages < FEW_OUTAGES) else {
        return;
    };
    let (rate_low, rate_high) = poisson_interval(outages as u64, exposure, LEVEL);
    failures_per_year.low = failures_per_year.low.min(rate_low * HOURS_PER_YEAR);
    failures_per_year.high = failures_per_year.high.max(rate_high * HOURS_PER_YEAR);
    let exact_mttr = record
        .exact
        .filter(|exact| exact.frequency > 0.0)
        .map_or(0.0, |exact| exact.unavailability / exact.frequency);
    let outage_hours = mttr_hours
        .map_or(0.0, |m| m.value)
        .max(exact_mttr)
        .max(record.longest_repair_hours);
    unavailability.high = unavailability.high.max((rate_high * outage_hours).min(1.0));
}

/// The outcome of `nines check --method simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulatedVerdict {
    /// The upper end of U's 95% interval is within the target.
    pub availability_met: bool,
    /// The upper end of the breach probability's interval is within
    /// `max_breach_probability` (None when the model sets no such limit).
    pub breach_met: Option<bool>,
}

impl SimulatedVerdict {
    /// Judges a record against its target; None without a target.
    pub fn of(record: &Record, estimates: &Estimates) -> Option<Self> {
        let target = record.target_unavailability?;
        let breach_met = match (record.max_breach_probability, estimates.breach) {
            (Some(limit), Some(breach)) => Some(breach.high <= limit),
            _ => None,
        };
        Some(Self {
            availability_met: estimates.unavailability.high <= target,
            breach_met,
        })
    }

    /// Both parts met.
    pub fn met(&self) -> bool {
        self.availability_met && self.breach_met != Some(false)
    }
}

/// The runs a `--precision` simulation still needs in all, for its progress bar.
///
/// # Formula
/// ```text
/// n' = n · (h / (r · U))²   where n is the runs so far, h the present half-width of U's
///                           interval, r the relative precision asked for and U the estimate
/// ```
/// The half-width shrinks as 1/√n; never fewer than the runs already done.
pub fn runs_needed(runs: u64, estimate: f64, half_width: f64, relative: f64) -> u64 {
    let needed = runs as f64 * (half_width / (relative * estimate)).powi(2);
    (needed as u64).max(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_of_time_stay_inside_zero_and_one() {
        // A block down for the whole of three runs, its down time summed with a rounding
        // error: the mean is 1 + 4.4e-16, and with any spread the t-interval passes 1.
        let mut moments = Moments::default();
        for x in [1.0 + 4.4e-16, 1.0, 0.999_9] {
            moments.push(x);
        }
        let plain = Estimate::scaled(&moments, 1.0);
        assert!(plain.high > 1.0, "{plain:?}");
        let fraction = Estimate::fraction(&moments);
        assert_eq!(fraction.high, 1.0);
        assert!(fraction.value <= 1.0 && fraction.low >= 0.0, "{fraction:?}");
        let mut over = Moments::default();
        over.push(1.0 + 4.4e-16);
        over.push(1.0 + 4.4e-16);
        assert_eq!(Estimate::fraction(&over).value, 1.0);
    }

    #[test]
    fn runs_needed_grow_with_the_square_of_the_precision_gap() {
        // Half-width 2% of U asked down to 1%: four times the runs.
        assert!((3999..=4001).contains(&runs_needed(1000, 1e-4, 2e-6, 0.01)));
        // Already precise enough: no fewer than done.
        assert_eq!(runs_needed(1000, 1e-4, 1e-7, 0.01), 1000);
    }
}
