//! The notes printed after a simulation: whether it agrees with the exact solution, why it
//! stopped, and whether its runs are long enough and its outages many enough to trust.

use crate::format::format_duration_hours;
use crate::report::simulation::stop_text;
use crate::simulate::estimate::{Agreement, Estimates, FEW_OUTAGES, SLOW_REPAIR_RATIO};
use crate::simulate::importance::estimator::ImportanceTally;
use crate::simulate::shard::Record;

/// The notes on a finished simulation, one line each, for stderr: the self-check against the
/// exact solution, how it stopped, and whether its runs or outages are too few to trust.
pub fn run_notes(record: &Record, quiet: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let estimates = Estimates::of(record);
    if record.exact_applies && estimates.disagreement() {
        let describe = |check: Option<Agreement>| match check {
            Some(Agreement {
                sigmas: Some(sigmas),
                ..
            }) => format!("{sigmas:+.1} standard errors"),
            Some(check) if check.nothing_seen => "no outage simulated".into(),
            _ => "the same value in every run".into(),
        };
        lines.push(format!(
            "warning: {}: the simulation disagrees with the exact solution (unavailability {}, outage frequency {}); runs start with every unit new, so slow repairs bias short runs: retry with --warmup (e.g. ten times the longest MTTR) and more --runs; if they still disagree, check the model or report a bug in nines",
            record.file,
            describe(estimates.exact_unavailability),
            describe(estimates.exact_failures)
        ));
    }
    if quiet {
        return lines;
    }
    if record.stopped.hit_a_cap() {
        lines.push(format!(
            "note: {}: stopped {} after {} {}; rerun with --runs {} --seed {} to reproduce these numbers",
            record.file,
            stop_text(record.stopped),
            record.completed(),
            if record.importance.is_some() { "cycles" } else { "runs" },
            record.completed(),
            record.seed
        ));
    }
    if let Some(importance) = &record.importance {
        lines.extend(importance_notes(record, importance));
        return lines;
    }
    // Each run starts with everything up; a repair as long as the run never reaches the
    // long-run mix of up and down that `nines solve` describes.
    let run_hours = record.warmup_hours + record.horizon_hours;
    if record.longest_repair_hours * SLOW_REPAIR_RATIO > run_hours {
        lines.push(format!(
            "note: {}: a mean repair or switchover time of {} is long next to each run ({} from an all-up start): the estimates describe those first hours, not the long run; give --warmup {} or more, or rely on `nines solve`",
            record.file,
            format_duration_hours(record.longest_repair_hours),
            format_duration_hours(run_hours),
            format_duration_hours(record.longest_repair_hours * SLOW_REPAIR_RATIO)
        ));
    }
    let outages = record.tally.outages.sum();
    if outages < FEW_OUTAGES {
        lines.push(format!(
            "note: {}: only {} system outages were simulated; the intervals are rough: run more (--runs) or rely on `nines solve`",
            record.file,
            outages.round()
        ));
    }
    lines
}

/// Fewest cycles with an outage for an importance-sampling interval to be trusted.
const FEW_OUTAGE_CYCLES: u64 = 30;

/// The largest single cycle's share of U above which the interval is not to be believed.
const DOMINANT_SHARE: f64 = 0.2;

/// The notes on an importance-sampling simulation: too few cycles reached an outage, or a few
/// huge weights dominate the estimate (then the variance estimate itself is unreliable and
/// the interval can be confidently wrong).
fn importance_notes(record: &Record, tally: &ImportanceTally) -> Vec<String> {
    let mut lines = Vec::new();
    if tally.cycles_with_outage < FEW_OUTAGE_CYCLES {
        lines.push(format!(
            "note: {}: only {} of {} importance-sampling cycles reached a system outage; the intervals are rough: run more (--runs or --precision)",
            record.file, tally.cycles_with_outage, tally.cycles
        ));
    } else if tally.largest_share() > DOMINANT_SHARE {
        lines.push(format!(
            "warning: {}: one cycle carries {:.0}% of the estimate of U (effective sample size {:.1}): the interval is not to be believed; run more cycles",
            record.file,
            tally.largest_share() * 100.0,
            tally.effective_sample_size()
        ));
    }
    lines
}
