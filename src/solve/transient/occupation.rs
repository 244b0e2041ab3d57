//! The distribution of the time spent down in [0, T] (the occupation time of the down states),
//! and the reliability over a mission, by uniformization with two rates
//! ([`super::chain::Uniformized`]).
//!
//! # Formula
//! Take the jump chain of the uniformized process. Up-steps last Exp(Λ_U), down-steps
//! Exp(Λ_D), all independent of the path. Let M_j be the number of up-steps taken before the
//! j-th down-step, and U_j ~ Gamma(M_j, Λ_U) the time spent up by then. The down-time reaches
//! x during down-step number J_x = N(x) + 1, where N(x) ~ Poisson(Λ_D·x) counts the
//! down-steps completed by down-time x (independent of the path). So the downtime D(T) in
//! [0, T] exceeds x exactly when that moment, x + U_{J_x}, comes before T:
//! ```text
//! P(D(T) > x) = Σ_{j ≥ 1} P(N(x) = j−1) · P(U_j < T − x)
//! P(U_j < s)  = Σ_{m ≥ 0} P(M_j = m) · P(Poisson(Λ_U·s) ≥ m)
//! ```
//! P(M_j = m) comes from one pass over the jump chain with a counter of down-steps (the
//! "layer"): a table of layers × steps numbers, after which every x costs only sums.
//! The reliability over [0, T] from a start up is P(D(T) = 0) = Σ_n P(Poisson(Λ_U·T) = n) ·
//! P(the first n+1 positions of the path are up), and its complement, the unreliability,
//! P(U_1 < T), is summed directly: both are sums of non-negative terms.
//!
//! # Error bounds
//! Two truncations, both bounded and both only ever removing non-negative terms (so the
//! computed probability is a lower bound, at most the bound below the truth):
//! - steps: the pass stops after `steps` up-steps; the terms dropped are at most
//!   P(Poisson(Λ_U·T) > steps), made ≤ 1e-30 by the choice of `steps`;
//! - layers: down-steps past `layers` are not followed; the terms dropped are at most
//!   P(Poisson(Λ_D·x) ≥ layers), reported by [`StepTable::exceedance`] with the value.
//!
//! The work is steps × layers × (the non-zero jump probabilities of the down states) plus
//! steps × layers × (those of the up states): steps ≈ Λ_U·T, layers ≈ Λ_D·x. What bounds the
//! time on stiff models is Λ_D·x: a failover of 30 s makes Λ_D ≥ 120/h, so a downtime of x = 6 h
//! needs about 800 layers, a budget of 4.3 minutes about 40.

use super::chain::Uniformized;
use super::poisson;

/// Truncation of the Poisson tails of the up-steps: P(Poisson(Λ_U·T) > steps) ≤ this.
const STEP_TAIL: f64 = 1e-30;
/// Truncation of the Poisson tails of the down-steps when choosing the layers for a given x.
pub(super) const LAYER_TAIL: f64 = 1e-25;

/// P(M_j = m) for j = 1..=layers and m = 0..=steps, from one pass over the jump chain.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StepTable {
    /// `first[j-1][m]` = P(M_j = m): the j-th down-step comes after exactly m up-steps.
    first: Vec<Vec<f64>>,
    /// `up_first_layer[m]` = P(the first m+1 positions of the path are up).
    up_first_layer: Vec<f64>,
    /// Λ_U and Λ_D, per hour.
    rate_up: f64,
    rate_down: f64,
    /// The window (or mission) length T, hours.
    hours: f64,
}

/// How many up-steps cover T: P(Poisson(Λ_U·T) > steps) ≤ 1e-30.
pub(super) fn steps_for(chain: &Uniformized, hours: f64) -> usize {
    poisson::right_point(chain.rate_up * hours, STEP_TAIL) + 1
}

/// How many layers cover downtimes up to `x` hours: P(Poisson(Λ_D·x) ≥ layers) ≤ 1e-25.
pub(super) fn layers_for(chain: &Uniformized, x: f64) -> usize {
    poisson::right_point(chain.rate_down * x, LAYER_TAIL) + 1
}

impl StepTable {
    /// One pass over the jump chain of `chain` from the distribution `start`, following
    /// `layers` down-steps and `steps` up-steps, for a horizon of `hours`.
    pub(super) fn new(
        chain: &Uniformized,
        start: &[f64],
        layers: usize,
        steps: usize,
        hours: f64,
    ) -> Self {
        let n = chain.len();
        let mut current = vec![vec![0.0; n]; layers];
        let mut next = vec![vec![0.0; n]; layers];
        current[0].copy_from_slice(start);
        let mut first = vec![vec![0.0; steps + 1]; layers];
        let mut up_first_layer = vec![0.0; steps + 1];
        // The highest layer that may hold mass: the layers above hold nothing yet.
        let mut reached = 0;
        for m in 0..=steps {
            let mut j = 0;
            while j <= reached {
                let (below, above) = current.split_at_mut(j + 1);
                let layer = &below[j];
                let mut down_mass = 0.0;
                for &state in &chain.down_states {
                    let p = layer[state];
                    if p == 0.0 {
                        continue;
                    }
                    down_mass += p;
                    if let Some(target) = above.first_mut() {
                        for (to, w) in &chain.rows[state] {
                            target[*to] += p * w;
                        }
                    }
                }
                first[j][m] = down_mass;
                if down_mass > 0.0 && j + 1 < layers {
                    reached = reached.max(j + 1);
                }
                let mut up_mass = 0.0;
                for &state in &chain.up_states {
                    let p = layer[state];
                    if p == 0.0 {
                        continue;
                    }
                    up_mass += p;
                    if m < steps {
                        for (to, w) in &chain.rows[state] {
                            next[j][*to] += p * w;
                        }
                    }
                }
                if j == 0 {
                    up_first_layer[m] = up_mass;
                }
                j += 1;
            }
            std::mem::swap(&mut current, &mut next);
            for layer in next.iter_mut().take(reached + 1) {
                layer.iter_mut().for_each(|p| *p = 0.0);
            }
        }
        Self {
            first,
            up_first_layer,
            rate_up: chain.rate_up,
            rate_down: chain.rate_down,
            hours,
        }
    }

    /// Layers followed.
    pub(super) fn layers(&self) -> usize {
        self.first.len()
    }

    /// P(U_j < s) for j = 1..=layers: the j-th down-step starts within up-time s.
    fn up_time_below(&self, s: f64) -> Vec<f64> {
        let steps = self.first[0].len() - 1;
        let tails = poisson::upper_tails(self.rate_up * s.max(0.0), steps);
        self.first
            .iter()
            .map(|row| row.iter().zip(&tails).map(|(p, t)| p * t).sum())
            .collect()
    }

    /// P(D(T) > x), and the bound on the terms the layers leave out, P(Poisson(Λ_D·x) ≥ layers).
    pub(super) fn exceedance(&self, x: f64) -> (f64, f64) {
        if x >= self.hours {
            return (0.0, 0.0);
        }
        let below = self.up_time_below(self.hours - x);
        let layers = self.layers();
        let weights = poisson::pmf(self.rate_down * x, layers);
        let value = below.iter().zip(&weights).map(|(p, w)| p * w).sum();
        let omitted = poisson::upper_tails(self.rate_down * x, layers)[layers];
        (value, omitted)
    }

    /// The unreliability P(D(T) > 0) = P(U_1 < T), summed directly.
    pub(super) fn unreliability(&self) -> f64 {
        self.up_time_below(self.hours)[0]
    }

    /// The reliability P(D(T) = 0) = Σ_n P(Poisson(Λ_U·T) = n) · P(first n+1 positions up),
    /// summed directly.
    pub(super) fn reliability(&self) -> f64 {
        let steps = self.up_first_layer.len() - 1;
        let weights = poisson::pmf(self.rate_up * self.hours, steps);
        self.up_first_layer
            .iter()
            .zip(&weights)
            .map(|(p, w)| p * w)
            .sum()
    }

    /// The largest downtime x this table covers to the layer tail 1e-25: P(Poisson(Λ_D·x) ≥
    /// layers) ≤ 1e-25 for every x up to it.
    pub(super) fn covered_downtime(&self) -> f64 {
        let layers = self.layers();
        // Bisection on x (the tail grows with x).
        let (mut low, mut high) = (0.0, self.hours);
        if poisson::upper_tails(self.rate_down * high, layers)[layers] <= LAYER_TAIL {
            return high;
        }
        for _ in 0..100 {
            let middle = 0.5 * (low + high);
            if poisson::upper_tails(self.rate_down * middle, layers)[layers] <= LAYER_TAIL {
                low = middle;
            } else {
                high = middle;
            }
        }
        low
    }
}
