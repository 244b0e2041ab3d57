//! Steady state of a finite continuous-time Markov chain by the GTH algorithm.
//!
//! GTH (Grassmann–Taksar–Heyman) state reduction uses only additions, multiplications and
//! divisions of non-negative numbers, so probabilities as small as 1e-300 come out with full
//! relative precision, where Gaussian elimination on πQ = 0 would lose them in cancellation.
//!
//! # Formula
//! Solve πQ = 0 with Σπ = 1. Eliminating states N−1, …, 1 in turn, with S = Σ_{j<k} q(k, j):
//! q(i, j) += q(i, k) · q(k, j) / S for i, j < k. Then π₀ = 1 and
//! π_k = Σ_{i<k} π_i q(i, k) / S_k, normalised at the end.

use super::Measures;

/// A chain under construction: states, their up/down label and transition rates.
#[derive(Debug, Default, Clone)]
pub struct Chain {
    /// Outgoing transitions per state: (target, rate per hour).
    pub transitions: Vec<Vec<(usize, f64)>>,
    /// Whether the block is up in each state.
    pub up: Vec<bool>,
}

impl Chain {
    /// Adds a state and returns its index.
    pub fn add_state(&mut self, up: bool) -> usize {
        self.transitions.push(Vec::new());
        self.up.push(up);
        self.up.len() - 1
    }

    /// Adds `rate` to the transition `from → to` (self-loops and zero rates are dropped).
    pub fn add_rate(&mut self, from: usize, to: usize, rate: f64) {
        if from != to && rate > 0.0 {
            self.transitions[from].push((to, rate));
        }
    }

    /// Number of states.
    pub fn len(&self) -> usize {
        self.up.len()
    }

    /// Steady-state availability, unavailability and up→down frequency of the chain, started
    /// in state 0 (only the recurrent class it reaches counts).
    pub fn measures(&self) -> Measures {
        let pi = self.steady_state();
        let mut unavailability = 0.0;
        let mut availability = 0.0;
        let mut frequency = 0.0;
        for (state, probability) in pi.iter().enumerate() {
            if self.up[state] {
                availability += probability;
                let down_rate: f64 = self.transitions[state]
                    .iter()
                    .filter(|(to, _)| !self.up[*to])
                    .map(|(_, rate)| rate)
                    .sum();
                frequency += probability * down_rate;
            } else {
                unavailability += probability;
            }
        }
        // Both sums keep full relative precision; from_sums makes them add up to 1.
        Measures::from_sums(unavailability, availability, frequency)
    }

    /// Steady-state probabilities (zero outside the recurrent class reached from state 0).
    pub fn steady_state(&self) -> Vec<f64> {
        let class = self.recurrent_class();
        let mut index_of = vec![usize::MAX; self.len()];
        for (position, state) in class.iter().enumerate() {
            index_of[*state] = position;
        }
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); class.len()];
        for (position, state) in class.iter().enumerate() {
            for (to, rate) in &self.transitions[*state] {
                let target = index_of[*to];
                if target != usize::MAX && target != position {
                    rows[position].push((target, *rate));
                }
            }
        }
        let reduced = gth(rows);
        let mut pi = vec![0.0; self.len()];
        for (position, state) in class.iter().enumerate() {
            pi[*state] = reduced[position];
        }
        pi
    }

    /// States reachable from `start` along transitions (or against them when `reverse`).
    fn reach(&self, start: usize, reverse: Option<&[Vec<usize>]>) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(state) = stack.pop() {
            let mut visit = |next: usize| {
                if !seen[next] {
                    seen[next] = true;
                    stack.push(next);
                }
            };
            match reverse {
                Some(predecessors) => predecessors[state].iter().for_each(|p| visit(*p)),
                None => self.transitions[state]
                    .iter()
                    .for_each(|(to, _)| visit(*to)),
            }
        }
        seen
    }

    /// The bottom strongly connected class reached from state 0: the states that recur, in
    /// increasing order. Usually it holds state 0; it does not when, say, a standby member that
    /// never fails takes over for good. The PRISM export starts a module at its first state.
    pub(crate) fn recurrent_class(&self) -> Vec<usize> {
        let mut predecessors = vec![Vec::new(); self.len()];
        for (from, transitions) in self.transitions.iter().enumerate() {
            for (to, _) in transitions {
                predecessors[*to].push(from);
            }
        }
        // A state whose forward set can all come back to it is recurrent; otherwise move to a
        // state that cannot come back, whose forward set is strictly smaller.
        let mut current = 0;
        loop {
            let forward = self.reach(current, None);
            let backward = self.reach(current, Some(&predecessors));
            match (0..self.len()).find(|state| forward[*state] && !backward[*state]) {
                Some(state) => current = state,
                None => return (0..self.len()).filter(|state| forward[*state]).collect(),
            }
        }
    }
}

/// GTH on rows of rates (no diagonal); returns π.
///
/// The matrix is stored densely but every row and column keeps a list of its non-zero
/// entries, so eliminating a state costs (its predecessors × its successors): small for the
/// banded chains of counted units, and no worse than dense GTH when fill-in is heavy. The lists
/// grow in a fixed order, so the summation order, and every bit of the result, is the same from
/// run to run.
fn gth(rows: Vec<Vec<(usize, f64)>>) -> Vec<f64> {
    let size = rows.len();
    if size == 1 {
        return vec![1.0];
    }
    let mut matrix = vec![0.0; size * size];
    // Whether an entry is in the lists: kept apart from its value, which can underflow to 0
    // (rates of 1e-250 multiplied on elimination) and must not then be listed again and again.
    let mut listed = vec![false; size * size];
    let mut row_entries: Vec<Vec<usize>> = vec![Vec::new(); size];
    let mut column_entries: Vec<Vec<usize>> = vec![Vec::new(); size];
    for (from, row) in rows.iter().enumerate() {
        for (to, rate) in row {
            if !std::mem::replace(&mut listed[from * size + to], true) {
                row_entries[from].push(*to);
                column_entries[*to].push(from);
            }
            matrix[from * size + to] += rate;
        }
    }
    let mut totals = vec![0.0; size];
    // The entries q(i, k), i < k, at the moment k is eliminated: what π_k is rebuilt from.
    let mut inflows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); size];
    for k in (1..size).rev() {
        let targets: Vec<(usize, f64)> = row_entries[k]
            .iter()
            .filter(|j| **j < k)
            .map(|j| (*j, matrix[k * size + j]))
            .collect();
        let total: f64 = targets.iter().map(|(_, rate)| rate).sum();
        totals[k] = total;
        let sources = std::mem::take(&mut column_entries[k]);
        for i in sources.into_iter().filter(|i| *i < k) {
            let into_k = matrix[i * size + k];
            inflows[k].push((i, into_k));
            for (j, rate) in &targets {
                if *j == i {
                    continue;
                }
                if !std::mem::replace(&mut listed[i * size + j], true) {
                    row_entries[i].push(*j);
                    column_entries[*j].push(i);
                }
                let entry = &mut matrix[i * size + j];
                // rate / total ≤ 1 (total sums the targets), so the product never overflows;
                // (into_k / total) · rate would, for rates of 1e160 beside rates of 1.
                *entry += into_k * (rate / total);
            }
        }
    }
    // Back-substitution from π₀ = 1. The ratios πₖ/π₀ can pass f64's range (a long standby
    // chain whose all-up state is e^-1000 as likely as its busiest one, or rates of 1e200
    // beside rates of 1): whenever one would exceed RESCALE, everything so far is divided by
    // it. Probabilities that then underflow are below 1e-250 of the largest and cannot matter.
    const RESCALE: f64 = 1e250;
    let mut pi = vec![0.0; size];
    pi[0] = 1.0;
    for k in 1..size {
        let inflow: f64 = inflows[k].iter().map(|(i, rate)| pi[*i] * rate).sum();
        let quick = inflow / totals[k];
        if quick.is_finite() {
            pi[k] = quick;
            if quick > RESCALE {
                for p in &mut pi[..=k] {
                    *p /= quick;
                }
            }
            continue;
        }
        // πₖ itself, or a product on the way, overflowed: work in logarithms, with the
        // probabilities and rates scaled to at most 1 so that the sum stays in range.
        let largest_pi = inflows[k].iter().map(|(i, _)| pi[*i]).fold(0.0, f64::max);
        let largest_rate = inflows[k].iter().map(|(_, rate)| *rate).fold(0.0, f64::max);
        let scaled: f64 = inflows[k]
            .iter()
            .map(|(i, rate)| (pi[*i] / largest_pi) * (rate / largest_rate))
            .sum();
        let log_pi = largest_pi.ln() + scaled.ln() + largest_rate.ln() - totals[k].ln();
        if log_pi <= RESCALE.ln() {
            pi[k] = log_pi.exp();
        } else {
            // Divide everything by πₖ: πₖ becomes 1 and the rest shrink (or underflow to 0).
            for p in &mut pi[..k] {
                *p = (p.ln() - log_pi).exp();
            }
            pi[k] = 1.0;
        }
    }
    let sum: f64 = pi.iter().sum();
    pi.iter_mut().for_each(|p| *p /= sum);
    pi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_state_unit_matches_closed_form() {
        // U = λ/(λ+μ), f = λμ/(λ+μ).
        let mut chain = Chain::default();
        let up = chain.add_state(true);
        let down = chain.add_state(false);
        chain.add_rate(up, down, 0.001);
        chain.add_rate(down, up, 0.25);
        let result = chain.measures();
        assert!((result.unavailability - 0.001 / 0.251).abs() < 1e-17);
        assert!((result.frequency - 0.001 * 0.25 / 0.251).abs() < 1e-17);
    }

    #[test]
    fn tiny_probabilities_keep_relative_precision() {
        // Birth–death chain 0 → 1 → 2 with λ = 1e-100, μ = 1: π₂/π₀ = λ²/(μ·μ) (one crew
        // per step here), so π₂ ≈ 1e-200 exactly representable in relative terms.
        let mut chain = Chain::default();
        let states: Vec<usize> = (0..3).map(|i| chain.add_state(i < 2)).collect();
        chain.add_rate(states[0], states[1], 1e-100);
        chain.add_rate(states[1], states[2], 1e-100);
        chain.add_rate(states[1], states[0], 1.0);
        chain.add_rate(states[2], states[1], 1.0);
        let pi = chain.steady_state();
        assert!(((pi[2] - 1e-200) / 1e-200).abs() < 1e-12, "{}", pi[2]);
    }

    #[test]
    fn huge_rates_beside_small_ones_give_no_nan() {
        // Birth–death chain 0 ⇄ 1 ⇄ 2 (0, 1 up; 2 down) with λ = 1e200 up the chain and
        // μ = 0.25 down it: π₁/π₀ = π₂/π₁ = λ/μ = 4e200, so π₂/π₀ = 1.6e401, past f64, and
        // λ·π₁ overflows on the way. Normalised: A = π₀ + π₁ = (1 + r)/(1 + r + r²) with
        // r = 4e200, i.e. A = 1/r · (1 + 1/r)/(1 + 1/r + 1/r²) = 2.5e-201 to double precision;
        // U = 1 − A = 1; f = λ·π₁ = λ·r/(1 + r + r²) = λ/r = μ = 0.25 to double precision.
        for lambda in [1e160, 1e200, 1e300] {
            let mut chain = Chain::default();
            let states: Vec<usize> = (0..3).map(|i| chain.add_state(i < 2)).collect();
            chain.add_rate(states[0], states[1], lambda);
            chain.add_rate(states[1], states[2], lambda);
            chain.add_rate(states[1], states[0], 0.25);
            chain.add_rate(states[2], states[1], 0.25);
            let result = chain.measures();
            let r = lambda / 0.25;
            let expected_a = 1.0 / r;
            assert!(
                ((result.availability - expected_a) / expected_a).abs() < 1e-12,
                "λ = {lambda}: A = {}",
                result.availability
            );
            assert_eq!(result.unavailability, 1.0);
            assert!(
                (result.frequency - 0.25).abs() < 1e-12,
                "λ = {lambda}: f = {}",
                result.frequency
            );
        }
    }

    #[test]
    fn ratios_beyond_the_double_range_are_rescaled() {
        // Two states with λ = 1, μ = 1e-300: π₁/π₀ = 1e300, past the rescaling threshold;
        // π₀ = 1e-300/(1 + 1e-300) = 1e-300 and π₁ = 1.
        let mut chain = Chain::default();
        chain.add_state(true);
        chain.add_state(false);
        chain.add_rate(0, 1, 1.0);
        chain.add_rate(1, 0, 1e-300);
        let pi = chain.steady_state();
        assert!(pi.iter().all(|p| p.is_finite()), "{pi:?}");
        assert_eq!(pi[1], 1.0);
        assert!((pi[0] - 1e-300).abs() < 1e-312, "{}", pi[0]);
        // A birth–death chain of 400 states with ratio 10 per step: π_k ∝ 10^k, far past
        // 1e308 at the top; π_top = 0.9 (1 − 1/10 of a geometric tail), π_top−1 = 0.09.
        let mut chain = Chain::default();
        for _ in 0..400 {
            chain.add_state(true);
        }
        for k in 0..399 {
            chain.add_rate(k, k + 1, 10.0);
            chain.add_rate(k + 1, k, 1.0);
        }
        let pi = chain.steady_state();
        assert!((pi[399] - 0.9).abs() < 1e-12, "{}", pi[399]);
        assert!((pi[398] - 0.09).abs() < 1e-12, "{}", pi[398]);
    }

    #[test]
    fn transient_states_get_zero_probability() {
        // State 0 leaks into the cycle {1, 2} and is never re-entered.
        let mut chain = Chain::default();
        for up in [true, true, false] {
            chain.add_state(up);
        }
        chain.add_rate(0, 1, 1.0);
        chain.add_rate(1, 2, 1.0);
        chain.add_rate(2, 1, 3.0);
        let pi = chain.steady_state();
        assert_eq!(pi[0], 0.0);
        assert!((pi[1] - 0.75).abs() < 1e-15);
    }
}
