//! A random variable of the structure function: one process, independent of every other
//! variable, whose value decides whether some nodes of the model are up.
//!
//! The exact solver ([`super::structure`]) writes the top block's up-state as a function of
//! such variables and sums probabilities over it. A variable is a single shared unit (two
//! values), an independent module (a subtree with no shared unit, two values), or the joint
//! process of dependent blocks and the shared units inside them (`solve/joint/`, for standby of blocks and shared units inside dependent blocks), with as
//! many values as up/down patterns of the nodes it exposes.

use super::Measures;

/// One independent random variable: its values, their stationary probabilities and the
/// steady-state flows between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// For each value, whether each exposed indicator is up (`up[value][indicator]`). What
    /// indicator `i` stands for is agreed between the builder and the caller.
    pub up: Vec<Vec<bool>>,
    /// The stationary probability of each value, each computed directly (never as one minus
    /// the others), so that a value of probability 1e-15 keeps its digits.
    pub probability: Vec<f64>,
    /// Steady-state flows between distinct values, per hour: `(from, to, Σ π_s q(s, s'))` over
    /// the states s of value `from` and s' of value `to`.
    pub flows: Vec<(usize, usize, f64)>,
}

impl Variable {
    /// A two-valued variable for one node with these measures: value 0 is up, value 1 down.
    ///
    /// # Formula
    /// P(up) = A, P(down) = U; flow up→down = f and, in steady state, down→up = f.
    pub fn two_state(measures: Measures) -> Self {
        Self {
            up: vec![vec![true], vec![false]],
            probability: vec![measures.availability, measures.unavailability],
            flows: vec![(0, 1, measures.frequency), (1, 0, measures.frequency)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_state_carries_the_measures() {
        // λ = 0.01, μ = 0.5: U = λ/(λ+μ) = 0.01/0.51, f = λμ/(λ+μ) = 0.005/0.51.
        let variable = Variable::two_state(Measures::two_state(0.01, 0.5));
        assert_eq!(variable.up, vec![vec![true], vec![false]]);
        assert!((variable.probability[1] - 0.01 / 0.51).abs() < 1e-15);
        assert!((variable.flows[0].2 - 0.005 / 0.51).abs() < 1e-15);
    }
}
