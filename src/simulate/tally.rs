//! Mergeable statistics over simulated runs.
//!
//! A [`Tally`] holds only integer counts and exact sums ([`super::stats`]), so tallies of
//! any subsets of runs merge into the same bits whatever the order: the result does not
//! depend on the number of threads, and shards merged later equal one unsharded run.

use super::engine::RunStats;
use super::stats::{CountHistogram, ExactSum, LogHistogram, Moments, RatioMoments, wilson};
use serde::{Deserialize, Serialize};

/// Statistics of one reported block over all runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BlockTally {
    /// Per run: the block's downtime fraction, averaged over its instances.
    pub unavailability: Moments,
    /// Per run: outages per instance.
    pub outages: Moments,
}

/// Everything measured over a set of runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Tally {
    /// Runs recorded.
    pub runs: u64,
    /// Unit failure, repair and failover events simulated.
    pub events: u64,
    /// Per run: the system's downtime fraction of the measured interval.
    pub unavailability: Moments,
    /// Per run: system outages starting in the measured interval.
    pub outages: Moments,
    /// Per run (downtime hours, outages): their ratio of sums is the mean outage length.
    pub downtime_per_outage: RatioMoments,
    /// Distribution of outages per run.
    pub outage_counts: CountHistogram,
    /// Lengths of outages that started and ended in the measured interval, hours.
    pub outage_lengths: LogHistogram,
    /// Sum of those lengths, hours.
    pub outage_length_total: ExactSum,
    /// Runs with no system downtime at all in the measured interval.
    pub outage_free_runs: u64,
    /// Downtime of every SLA window, hours.
    pub window_downtime: LogHistogram,
    /// SLA windows recorded.
    pub windows: u64,
    /// Windows whose availability was below the target.
    pub breached_windows: u64,
    /// Per run: the fraction of its windows breached.
    pub breach_fraction: Moments,
    /// Per reported block, in the plan's order.
    pub blocks: Vec<BlockTally>,
}

impl Tally {
    /// An empty tally for `blocks` reported blocks.
    pub fn new(blocks: usize) -> Self {
        Self {
            blocks: vec![BlockTally::default(); blocks],
            ..Self::default()
        }
    }

    /// Adds one run. `measured_hours` is the measured interval, `instances` the number of
    /// instances of each reported block, and `breach_hours` the window downtime above which a
    /// window misses the target (none without a target).
    pub fn record(
        &mut self,
        run: &RunStats,
        measured_hours: f64,
        instances: &[u64],
        breach_hours: Option<f64>,
    ) {
        self.runs += 1;
        self.events += run.events;
        self.unavailability.push(run.down_hours / measured_hours);
        self.outages.push(run.outages as f64);
        self.downtime_per_outage
            .push(run.down_hours, run.outages as f64);
        self.outage_counts.record(run.outages);
        for length in &run.outage_lengths {
            self.outage_lengths.record(*length);
            self.outage_length_total.add(*length);
        }
        let (earlier, earlier_total) = &run.outage_length_overflow;
        if earlier.count() > 0 {
            self.outage_lengths.merge(earlier);
            self.outage_length_total.merge(earlier_total);
        }
        if run.outage_free {
            self.outage_free_runs += 1;
        }
        if !run.window_down_hours.is_empty() {
            let mut breached = 0u64;
            for down in &run.window_down_hours {
                self.window_downtime.record(*down);
                if breach_hours.is_some_and(|limit| *down > limit) {
                    breached += 1;
                }
            }
            self.windows += run.window_down_hours.len() as u64;
            self.breached_windows += breached;
            self.breach_fraction
                .push(breached as f64 / run.window_down_hours.len() as f64);
        }
        for (index, block) in self.blocks.iter_mut().enumerate() {
            let copies = instances[index] as f64;
            block
                .unavailability
                .push(run.block_down_hours[index] / (copies * measured_hours));
            block.outages.push(run.block_outages[index] as f64 / copies);
        }
    }

    /// Adds another tally's runs.
    pub fn merge(&mut self, other: &Tally) {
        self.runs += other.runs;
        self.events += other.events;
        self.unavailability.merge(&other.unavailability);
        self.outages.merge(&other.outages);
        self.downtime_per_outage.merge(&other.downtime_per_outage);
        self.outage_counts.merge(&other.outage_counts);
        self.outage_lengths.merge(&other.outage_lengths);
        self.outage_length_total.merge(&other.outage_length_total);
        self.outage_free_runs += other.outage_free_runs;
        self.window_downtime.merge(&other.window_downtime);
        self.windows += other.windows;
        self.breached_windows += other.breached_windows;
        self.breach_fraction.merge(&other.breach_fraction);
        if self.blocks.len() < other.blocks.len() {
            self.blocks
                .resize(other.blocks.len(), BlockTally::default());
        }
        for (mine, theirs) in self.blocks.iter_mut().zip(&other.blocks) {
            mine.unavailability.merge(&theirs.unavailability);
            mine.outages.merge(&theirs.outages);
        }
    }

    /// P(a window breaches) with an interval at `level`: the between-run interval (windows
    /// of one run may be correlated), widened to the Wilson interval over windows so that
    /// it stays honest when breaches are rare or absent.
    pub fn breach_probability(&self, level: f64) -> Option<(f64, (f64, f64))> {
        if self.windows == 0 {
            return None;
        }
        let estimate = self.breached_windows as f64 / self.windows as f64;
        let (wilson_low, wilson_high) = wilson(self.breached_windows, self.windows, level);
        let (run_low, run_high) = self
            .breach_fraction
            .ci(level)
            .unwrap_or((estimate, estimate));
        let low = wilson_low.min(run_low).max(0.0);
        let high = wilson_high.max(run_high).min(1.0);
        Some((estimate, (low, high)))
    }

    /// P(no downtime in a run) with its Wilson interval at `level`.
    pub fn outage_free(&self, level: f64) -> (f64, (f64, f64)) {
        let estimate = self.outage_free_runs as f64 / self.runs.max(1) as f64;
        (estimate, wilson(self.outage_free_runs, self.runs, level))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run whose outage lengths were partly moved into the overflow histogram and sum
    /// tallies bit for bit as if it had kept them all.
    #[test]
    fn moved_outage_lengths_tally_as_if_kept() {
        let mut lengths: Vec<f64> = (1..=9_000).map(|i| f64::from(i) * 3.7e-4).collect();
        lengths.extend([0.0, 1e-12, 2e13, 5e-3]);
        let kept = RunStats {
            down_hours: lengths.iter().sum(),
            outages: lengths.len() as u64,
            outage_lengths: lengths.clone(),
            events: 2 * lengths.len() as u64,
            ..RunStats::default()
        };
        let mut moved = kept.clone();
        let (histogram, sum) = &mut moved.outage_length_overflow;
        for &length in &lengths[..6_000] {
            histogram.record(length);
            sum.add(length);
        }
        moved.outage_lengths = lengths[6_000..].to_vec();
        let (mut all, mut split) = (Tally::new(0), Tally::new(0));
        all.record(&kept, 1e5, &[], None);
        split.record(&moved, 1e5, &[], None);
        assert_eq!(all, split);
        assert_eq!(split.outage_lengths.count(), lengths.len() as u64);
    }
}
