//! The chain the time measures run on, uniformized with one rate for the up states and
//! another for the down states.
//!
//! A continuous-time chain can be uniformized state by state: in state i, take steps at rate
//! Λᵢ ≥ qᵢ (its total exit rate) and jump to j with probability q(i, j)/Λᵢ, staying with
//! 1 − qᵢ/Λᵢ. Here Λᵢ = Λ_U on every up state and Λ_D on every down state, so the time spent up
//! after m up-steps is a Gamma(m, Λ_U) variable and the time spent down after j down-steps a
//! Gamma(j, Λ_D) variable, independent of the path of the jump chain: what
//! [`super::occupation`] counts. Two rates instead of one keep the number of steps in
//! proportion to each side's own speed: fast failovers (Λ_D of 120/h) do not multiply the
//! steps taken over the long stretches up.

use crate::solve::ctmc::Chain;

/// A chain uniformized with Λ_U on its up states and Λ_D on its down states.
#[derive(Debug, Clone)]
pub(super) struct Uniformized {
    /// Whether the block is up in each state.
    pub(super) up: Vec<bool>,
    /// Jump probabilities per state, self-loop included: (target, probability).
    pub(super) rows: Vec<Vec<(usize, f64)>>,
    /// Λ_U per hour (positive).
    pub(super) rate_up: f64,
    /// Λ_D per hour (positive).
    pub(super) rate_down: f64,
    /// The up states, in order.
    pub(super) up_states: Vec<usize>,
    /// The down states, in order.
    pub(super) down_states: Vec<usize>,
}

impl Uniformized {
    /// Uniformizes `chain` with Λ_U = the largest exit rate of an up state and Λ_D that of a
    /// down state (1/h when a side has no exits: any positive rate is exact then).
    pub(super) fn new(chain: &Chain) -> Self {
        let exit: Vec<f64> = chain
            .transitions
            .iter()
            .map(|row| row.iter().map(|(_, rate)| rate).sum())
            .collect();
        let largest = |up: bool| {
            let rate = (0..chain.len())
                .filter(|state| chain.up[*state] == up)
                .map(|state| exit[state])
                .fold(0.0, f64::max);
            if rate > 0.0 { rate } else { 1.0 }
        };
        let (rate_up, rate_down) = (largest(true), largest(false));
        let rows = (0..chain.len())
            .map(|state| {
                let rate = if chain.up[state] { rate_up } else { rate_down };
                let mut row: Vec<(usize, f64)> = chain.transitions[state]
                    .iter()
                    .map(|(to, q)| (*to, q / rate))
                    .collect();
                let stay = 1.0 - exit[state] / rate;
                if stay > 0.0 {
                    row.push((state, stay));
                }
                row
            })
            .collect();
        Self {
            up: chain.up.clone(),
            rows,
            rate_up,
            rate_down,
            up_states: (0..chain.len()).filter(|s| chain.up[*s]).collect(),
            down_states: (0..chain.len()).filter(|s| !chain.up[*s]).collect(),
        }
    }

    /// Number of states.
    pub(super) fn len(&self) -> usize {
        self.up.len()
    }

    /// Non-zero jump probabilities out of the down states: the work of one down-step.
    pub(super) fn down_entries(&self) -> usize {
        self.down_states.iter().map(|s| self.rows[*s].len()).sum()
    }

    /// Non-zero jump probabilities out of the up states: the work of one up-step.
    pub(super) fn up_entries(&self) -> usize {
        self.up_states.iter().map(|s| self.rows[*s].len()).sum()
    }
}
