//! The regenerative ratio estimators of importance sampling, mergeable exactly.
//!
//! Cycle i (from the regeneration state back to it) gives its likelihood ratio Lᵢ, its
//! downtime Dᵢ, outages Nᵢ and length Tᵢ = τᵢ + Rᵢ (the first sojourn, then the rest). By the
//! renewal-reward theorem U = E[D]/E[T] and f = E[N]/E[T] under the model's law P; under the
//! sampling law Q, E_P[D] = E_Q[L·D], and E_P[τ] = 1/Λ₀ exactly, so each cycle contributes the
//! pair
//!
//! ```text
//! X = L·D  (or L·N)        Y = 1/Λ₀ + L·R
//! U = ΣX/ΣY                Var(U) ≈ (s_X² − 2U·s_XY + U²·s_Y²)/(n·Ȳ²)   (delta method)
//! ```
//!
//! with the interval of [`RatioMoments`]. The denominator comes from the same weighted cycles:
//! its variance is tiny next to the numerator's (Y is dominated by the constant 1/Λ₀, as a
//! cycle's rest lasts hours against 1/Λ₀ of days to years), so separate unbiased cycles
//! would only cost time; measured, the two give the same widths to the printed digits.
//!
//! Diagnostics, all exact and mergeable: the effective sample size of the downtime
//! contributions (ΣX)²/ΣX², the largest single contribution's share of ΣX, and the number of
//! cycles that saw an outage.

use super::cycle::CycleStats;
use crate::simulate::stats::RatioMoments;
use serde::{Deserialize, Serialize};

/// Statistics of one reported block over the cycles.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ImportanceBlockTally {
    /// (L·downtime per instance, Y): the block's unavailability.
    pub unavailability: RatioMoments,
    /// (L·outages per instance, Y): its outage frequency per hour.
    pub frequency: RatioMoments,
}

/// Everything measured over a set of cycles.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ImportanceTally {
    /// Cycles recorded.
    pub cycles: u64,
    /// Events simulated.
    pub events: u64,
    /// Cycles with at least one system outage.
    pub cycles_with_outage: u64,
    /// (L·D, Y): the system's unavailability.
    pub unavailability: RatioMoments,
    /// (L·N, Y): its outage frequency per hour.
    pub frequency: RatioMoments,
    /// (L·D, L·N): the mean outage length, hours.
    pub outage_length: RatioMoments,
    /// The largest single L·D.
    pub largest_contribution: f64,
    /// Per reported block, in the plan's order.
    pub blocks: Vec<ImportanceBlockTally>,
}

impl ImportanceTally {
    /// An empty tally for `blocks` reported blocks.
    pub fn new(blocks: usize) -> Self {
        Self {
            blocks: vec![ImportanceBlockTally::default(); blocks],
            ..Self::default()
        }
    }

    /// Adds one cycle; `instances` is the number of instances of each reported block.
    pub fn record(&mut self, cycle: &CycleStats, instances: &[u64]) {
        let weight = cycle.weight;
        let length = cycle.first_sojourn_hours + weight * cycle.rest_hours;
        let down = weight * cycle.down_hours;
        let outages = weight * cycle.outages as f64;
        self.cycles += 1;
        self.events += cycle.events;
        if cycle.outages > 0 {
            self.cycles_with_outage += 1;
        }
        self.unavailability.push(down, length);
        self.frequency.push(outages, length);
        self.outage_length.push(down, outages);
        self.largest_contribution = self.largest_contribution.max(down);
        for (index, block) in self.blocks.iter_mut().enumerate() {
            let copies = instances[index] as f64;
            block
                .unavailability
                .push(weight * cycle.block_down_hours[index] / copies, length);
            block
                .frequency
                .push(weight * cycle.block_outages[index] as f64 / copies, length);
        }
    }

    /// Adds the cycles of `other`.
    pub fn merge(&mut self, other: &ImportanceTally) {
        self.cycles += other.cycles;
        self.events += other.events;
        self.cycles_with_outage += other.cycles_with_outage;
        self.unavailability.merge(&other.unavailability);
        self.frequency.merge(&other.frequency);
        self.outage_length.merge(&other.outage_length);
        self.largest_contribution = self.largest_contribution.max(other.largest_contribution);
        for (mine, theirs) in self.blocks.iter_mut().zip(&other.blocks) {
            mine.unavailability.merge(&theirs.unavailability);
            mine.frequency.merge(&theirs.frequency);
        }
    }

    /// The 95 % relative half-width of U (∞ until it can be computed).
    pub fn relative_half_width(&self) -> f64 {
        match (
            self.unavailability.ratio(),
            self.unavailability.ratio_ci95(),
        ) {
            (Some(u), Some((_, high))) if u > 0.0 => (high - u) / u,
            _ => f64::INFINITY,
        }
    }

    /// U and its delta-method standard error (NaN before two cycles or any time).
    pub fn unavailability_with_error(&self) -> (f64, f64) {
        (
            self.unavailability.ratio().unwrap_or(f64::NAN),
            self.unavailability.ratio_std_error().unwrap_or(f64::NAN),
        )
    }

    /// f (per hour) and its delta-method standard error.
    pub fn frequency_with_error(&self) -> (f64, f64) {
        (
            self.frequency.ratio().unwrap_or(f64::NAN),
            self.frequency.ratio_std_error().unwrap_or(f64::NAN),
        )
    }

    /// Effective sample size of the downtime contributions, (ΣL·D)²/Σ(L·D)²: how many
    /// equally weighted cycles they are worth (0 with no downtime).
    pub fn effective_sample_size(&self) -> f64 {
        let sum = self.unavailability.sum_x();
        let (squares, _, _) = self.unavailability.sums_of_products();
        if squares > 0.0 {
            sum / squares * sum
        } else {
            0.0
        }
    }

    /// The largest single cycle's share of the estimate of U (0 with no downtime).
    pub fn largest_share(&self) -> f64 {
        let sum = self.unavailability.sum_x();
        if sum > 0.0 {
            self.largest_contribution / sum
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(weight: f64, rest: f64, down: f64, outages: u64) -> CycleStats {
        CycleStats {
            weight,
            first_sojourn_hours: 100.0,
            rest_hours: rest,
            down_hours: down,
            outages,
            block_down_hours: vec![down],
            block_outages: vec![outages],
            events: 3,
        }
    }

    #[test]
    fn the_ratio_weights_downtime_and_the_rest_of_the_cycle() {
        // Two cycles: (L = 0.5, R = 2, D = 1, N = 1) and (L = 2, R = 1, D = 0, N = 0).
        // X = 0.5 and 0; Y = 100 + 1 = 101 and 100 + 2 = 102: U = 0.5/203.
        let mut tally = ImportanceTally::new(1);
        tally.record(&cycle(0.5, 2.0, 1.0, 1), &[1]);
        tally.record(&cycle(2.0, 1.0, 0.0, 0), &[1]);
        assert_eq!(tally.unavailability.ratio(), Some(0.5 / 203.0));
        assert_eq!(tally.frequency.ratio(), Some(0.5 / 203.0));
        assert_eq!(tally.outage_length.ratio(), Some(1.0));
        assert_eq!(tally.cycles_with_outage, 1);
        // One contribution: it is all of the estimate, worth one cycle.
        assert_eq!(tally.largest_share(), 1.0);
        assert_eq!(tally.effective_sample_size(), 1.0);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_bits() {
        let cycles: Vec<CycleStats> = (0..20)
            .map(|i| {
                cycle(
                    0.1 * i as f64 + 1e-9,
                    0.3 * i as f64,
                    0.01 * (i % 3) as f64,
                    i % 2,
                )
            })
            .collect();
        let mut whole = ImportanceTally::new(1);
        for c in &cycles {
            whole.record(c, &[1]);
        }
        let (mut a, mut b) = (ImportanceTally::new(1), ImportanceTally::new(1));
        for c in &cycles[..7] {
            a.record(c, &[1]);
        }
        for c in &cycles[7..] {
            b.record(c, &[1]);
        }
        b.merge(&a);
        assert_eq!(b, whole);
    }
}
