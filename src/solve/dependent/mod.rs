//! Blocks whose members are not independent: limited repair crews and standby redundancy.
//!
//! Such a block is solved as a continuous-time Markov chain over counted states: identical
//! units are interchangeable, so a state records the *types* of failed units in failure order
//! (the first `r` are under repair), and for standby blocks the type of the active unit and the
//! failover phase. A crew block of 50 identical units is a chain of 51 states, not 2⁵⁰.
//! Crew blocks of identical units without standby are birth–death chains with a closed form.

use super::Measures;
use super::ctmc::Chain;
use std::collections::HashMap;

/// Largest chain a block may need; beyond it the solver refuses rather than run for minutes.
pub const MAX_CHAIN_STATES: usize = 3000;

/// One kind of unit in a dependent block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitType {
    /// Number of units of this type.
    pub count: u64,
    /// λ per unit while active (or in a non-standby block), per hour.
    pub failure_rate: f64,
    /// μ per unit under repair, per hour.
    pub repair_rate: f64,
}

/// Standby rules, as in [`crate::model::Standby`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandbyRules {
    /// Standby units fail at `dormant_factor · λ`.
    pub dormant_factor: f64,
    /// Mean automatic failover time, hours (0: instantaneous).
    pub failover_hours: f64,
    /// Probability that the automatic failover works.
    pub coverage: f64,
    /// Mean manual switchover time, hours.
    pub manual_failover_hours: f64,
}

impl From<&crate::model::Standby> for StandbyRules {
    fn from(standby: &crate::model::Standby) -> Self {
        Self {
            dormant_factor: standby.dormant_factor,
            failover_hours: standby.failover_hours,
            coverage: standby.coverage,
            manual_failover_hours: standby.manual_failover_hours,
        }
    }
}

/// A dependent block: its unit types in member order and its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct DependentBlock {
    /// Unit types, in the order of first appearance among the members.
    pub types: Vec<UnitType>,
    /// Up units needed (k); ignored for standby blocks.
    pub required_up: u64,
    /// Crews (`None`: every failed unit is under repair).
    pub crews: Option<u64>,
    /// Standby rules, for standby blocks.
    pub standby: Option<StandbyRules>,
}

/// Why a dependent block could not be solved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTooLarge {
    /// States explored before giving up.
    pub states: usize,
}

/// Solves a dependent block's steady state.
///
/// # Errors
/// [`ChainTooLarge`] when the chain exceeds [`MAX_CHAIN_STATES`].
pub fn solve_dependent(block: &DependentBlock) -> Result<Measures, ChainTooLarge> {
    if block.standby.is_none() && block.types.len() == 1 {
        return Ok(birth_death(&block.types[0], block.required_up, block.crews));
    }
    Ok(build_chain(block)?.measures())
}

/// Identical units, `r` crews, up while at least `k` units are up.
///
/// # Formula
/// With d units down, failures occur at (n − d)λ and repairs at min(d, r)μ, so
/// π_d ∝ Π_{i=1}^{d} (n − i + 1)λ / (min(i, r) μ). U = Σ_{d > n−k} π_d,
/// f = π_{n−k} · kλ (a failure among the k up units when exactly k are up).
pub fn birth_death(unit: &UnitType, required_up: u64, crews: Option<u64>) -> Measures {
    let n = unit.count;
    let crews = crews.unwrap_or(n).max(1);
    if unit.failure_rate == 0.0 || required_up == 0 {
        return Measures::ALWAYS_UP;
    }
    if required_up > n {
        return Measures::ALWAYS_DOWN;
    }
    let (lambda, mu) = (unit.failure_rate, unit.repair_rate);
    let mut ln_weights = Vec::with_capacity(n as usize + 1);
    let mut ln_weight = 0.0;
    ln_weights.push(0.0);
    for down in 1..=n {
        ln_weight += ((n - down + 1) as f64 * lambda).ln() - (down.min(crews) as f64 * mu).ln();
        ln_weights.push(ln_weight);
    }
    let largest = ln_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = ln_weights.iter().map(|w| (w - largest).exp()).collect();
    let total: f64 = weights.iter().sum();
    let boundary = (n - required_up) as usize; // most units down while still up
    let availability: f64 = weights[..=boundary].iter().sum::<f64>() / total;
    let unavailability: f64 = weights[boundary + 1..].iter().sum::<f64>() / total;
    let frequency = weights[boundary] / total * required_up as f64 * lambda;
    Measures::from_sums(unavailability, availability, frequency)
}

/// Failover phase of a standby block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Phase {
    /// No failover running.
    Idle,
    /// Automatic (covered) failover running.
    Automatic,
    /// Manual switchover running after an uncovered failure.
    Manual,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    /// Types of failed units in failure order; the first `crews` are under repair (that prefix
    /// is kept sorted, since its order no longer matters).
    queue: Vec<u8>,
    /// Type of the active unit, for standby blocks.
    active: Option<u8>,
    phase: Phase,
}

struct Builder<'a> {
    block: &'a DependentBlock,
    crews: usize,
    chain: Chain,
    index: HashMap<State, usize>,
    pending: Vec<State>,
}

impl Builder<'_> {
    fn canonical(&self, mut state: State) -> State {
        let in_repair = state.queue.len().min(self.crews);
        state.queue[..in_repair].sort_unstable();
        state
    }

    fn is_up(&self, state: &State) -> bool {
        match self.block.standby {
            Some(_) => state.active.is_some() && state.phase == Phase::Idle,
            None => {
                let total: u64 = self.block.types.iter().map(|t| t.count).sum();
                total - state.queue.len() as u64 >= self.block.required_up
            }
        }
    }

    fn intern(&mut self, state: State) -> Result<usize, ChainTooLarge> {
        let state = self.canonical(state);
        if let Some(index) = self.index.get(&state) {
            return Ok(*index);
        }
        if self.chain.len() >= MAX_CHAIN_STATES {
            return Err(ChainTooLarge {
                states: self.chain.len(),
            });
        }
        let index = self.chain.add_state(self.is_up(&state));
        self.index.insert(state.clone(), index);
        self.pending.push(state);
        Ok(index)
    }

    /// Units of each type that are up and not active.
    fn idle_up(&self, state: &State) -> Vec<u64> {
        let mut up: Vec<u64> = self.block.types.iter().map(|t| t.count).collect();
        for failed in &state.queue {
            up[*failed as usize] -= 1;
        }
        if let Some(active) = state.active {
            up[active as usize] -= 1;
        }
        up
    }

    fn expand(&mut self, state: State, from: usize) -> Result<(), ChainTooLarge> {
        let idle = self.idle_up(&state);
        let standby = self.block.standby;
        let dormant = standby.map_or(1.0, |rules| rules.dormant_factor);
        let first_idle = |idle: &[u64]| idle.iter().position(|count| *count > 0).map(|t| t as u8);

        // Failures of idle units (standby units, or every up unit of a non-standby block).
        for (unit_type, count) in idle.iter().enumerate() {
            let rate = *count as f64 * self.block.types[unit_type].failure_rate * dormant;
            if rate == 0.0 {
                continue;
            }
            let mut next = state.clone();
            next.queue.push(unit_type as u8);
            if standby.is_some() && state.active.is_none() && state.phase != Phase::Idle {
                let mut remaining = idle.clone();
                remaining[unit_type] -= 1;
                if first_idle(&remaining).is_none() {
                    next.phase = Phase::Idle; // no standby left: the failover is abandoned
                }
            }
            let to = self.intern(next)?;
            self.chain.add_rate(from, to, rate);
        }

        // Failure of the active unit.
        if let (Some(rules), Some(active)) = (standby, state.active) {
            let rate = self.block.types[active as usize].failure_rate;
            let mut next = state.clone();
            next.queue.push(active);
            next.active = None;
            if first_idle(&idle).is_some() {
                let covered_rate = rate * rules.coverage;
                let uncovered_rate = rate * (1.0 - rules.coverage);
                let mut covered = next.clone();
                if rules.failover_hours == 0.0 {
                    covered.active = first_idle(&idle);
                } else {
                    covered.phase = Phase::Automatic;
                }
                if covered_rate > 0.0 {
                    let to = self.intern(covered)?;
                    self.chain.add_rate(from, to, covered_rate);
                }
                let mut uncovered = next;
                uncovered.phase = Phase::Manual;
                if uncovered_rate > 0.0 {
                    let to = self.intern(uncovered)?;
                    self.chain.add_rate(from, to, uncovered_rate);
                }
            } else if rate > 0.0 {
                let to = self.intern(next)?;
                self.chain.add_rate(from, to, rate);
            }
        }

        // Completion of a running failover.
        if let Some(rules) = standby
            && state.phase != Phase::Idle
        {
            let hours = match state.phase {
                Phase::Automatic => rules.failover_hours,
                _ => rules.manual_failover_hours,
            };
            let mut next = state.clone();
            next.phase = Phase::Idle;
            next.active = first_idle(&idle);
            let to = self.intern(next)?;
            self.chain.add_rate(from, to, 1.0 / hours);
        }

        // Repairs: each unit in the repaired prefix of the queue.
        let in_repair = state.queue.len().min(self.crews);
        for position in 0..in_repair {
            let unit_type = state.queue[position];
            if position > 0 && state.queue[position - 1] == unit_type {
                continue; // counted with the first of its type in the sorted prefix
            }
            let same = state.queue[..in_repair]
                .iter()
                .filter(|t| **t == unit_type)
                .count();
            let rate = same as f64 * self.block.types[unit_type as usize].repair_rate;
            let mut next = state.clone();
            next.queue.remove(position);
            if standby.is_some() && next.active.is_none() {
                // No active unit: the repaired unit takes over at once, ending any failover.
                next.active = Some(unit_type);
                next.phase = Phase::Idle;
            }
            let to = self.intern(next)?;
            self.chain.add_rate(from, to, rate);
        }
        Ok(())
    }
}

fn build_chain(block: &DependentBlock) -> Result<Chain, ChainTooLarge> {
    let total: u64 = block.types.iter().map(|t| t.count).sum();
    let crews = block.crews.unwrap_or(total).min(total) as usize;
    let mut builder = Builder {
        block,
        crews,
        chain: Chain::default(),
        index: HashMap::new(),
        pending: Vec::new(),
    };
    let initial = State {
        queue: Vec::new(),
        active: block.standby.map(|_| 0),
        phase: Phase::Idle,
    };
    builder.intern(initial)?;
    let mut cursor = 0;
    while cursor < builder.pending.len() {
        let state = builder.pending[cursor].clone();
        builder.expand(state, cursor)?;
        cursor += 1;
    }
    Ok(builder.chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            ((actual - expected) / expected).abs() <= tolerance,
            "actual {actual:e}, expected {expected:e}"
        );
    }

    fn unit(count: u64, failure_rate: f64, repair_rate: f64) -> UnitType {
        UnitType {
            count,
            failure_rate,
            repair_rate,
        }
    }

    const INSTANT: StandbyRules = StandbyRules {
        dormant_factor: 0.0,
        failover_hours: 0.0,
        coverage: 1.0,
        manual_failover_hours: 0.0,
    };

    #[test]
    fn cold_standby_pair_with_one_crew_matches_closed_form() {
        // States by units down: 0 →(λ) 1 →(λ) 2, repairs at μ (one crew); standby never fails.
        // π ∝ (1, λ/μ, λ²/μ²) so U = λ²/(μ² + λμ + λ²), f = π₁ λ.
        let (lambda, mu) = (0.01, 0.5);
        let block = DependentBlock {
            types: vec![unit(2, lambda, mu)],
            required_up: 1,
            crews: Some(1),
            standby: Some(INSTANT),
        };
        let result = solve_dependent(&block).unwrap();
        let denominator = mu * mu + lambda * mu + lambda * lambda;
        close(result.unavailability, lambda * lambda / denominator, 1e-13);
        close(result.frequency, lambda * mu / denominator * lambda, 1e-13);
    }

    #[test]
    fn birth_death_closed_form_agrees_with_general_chain() {
        // Same block solved two ways: the closed form and the generic state builder (a k-of-n
        // block with two types of identical parameters explores the counted chain).
        let single = birth_death(&unit(6, 0.002, 0.05), 4, Some(2));
        let split = DependentBlock {
            types: vec![unit(3, 0.002, 0.05), unit(3, 0.002, 0.05)],
            required_up: 4,
            crews: Some(2),
            standby: None,
        };
        let chain = build_chain(&split).unwrap().measures();
        close(single.unavailability, chain.unavailability, 1e-12);
        close(single.frequency, chain.frequency, 1e-12);
    }

    #[test]
    fn imperfect_coverage_hot_pair_matches_hand_derived_chain() {
        // Hot pair, instantaneous covered failover, manual switchover of mean m otherwise,
        // unlimited repair. States: 2 up (U0, up); 1 down with active (U1, up); manual
        // switchover with 1 down (M, down); both down (D, down).
        // U0 → U1 at 2λc (the standby failing, λ, plus a covered active failure, λc)
        //   … precisely: standby fails λ → U1; active fails: covered λc → U1, uncovered λ(1−c) → M.
        // U1 → U0 at μ; U1 → D at λ. M → U1 at 1/m; M → D at λ; M → U0 at μ (repaired unit
        // becomes active). D → U1 at 2μ.
        let (lambda, mu, c, m) = (0.001, 0.25, 0.9, 0.5);
        let block = DependentBlock {
            types: vec![unit(2, lambda, mu)],
            required_up: 1,
            crews: None,
            standby: Some(StandbyRules {
                dormant_factor: 1.0,
                failover_hours: 0.0,
                coverage: c,
                manual_failover_hours: m,
            }),
        };
        let result = solve_dependent(&block).unwrap();
        // Solve the 4-state chain independently by a generic chain with those rates.
        let mut chain = Chain::default();
        let (u0, u1, manual, down) = (
            chain.add_state(true),
            chain.add_state(true),
            chain.add_state(false),
            chain.add_state(false),
        );
        chain.add_rate(u0, u1, lambda + lambda * c);
        chain.add_rate(u0, manual, lambda * (1.0 - c));
        chain.add_rate(u1, u0, mu);
        chain.add_rate(u1, down, lambda);
        chain.add_rate(manual, u1, 1.0 / m);
        chain.add_rate(manual, down, lambda);
        chain.add_rate(manual, u0, mu);
        chain.add_rate(down, u1, 2.0 * mu);
        let expected = chain.measures();
        close(result.unavailability, expected.unavailability, 1e-12);
        close(result.frequency, expected.frequency, 1e-12);
    }

    #[test]
    fn oversized_chains_are_refused() {
        let block = DependentBlock {
            types: vec![unit(5000, 0.01, 0.1)],
            required_up: 1,
            crews: Some(1),
            standby: Some(INSTANT),
        };
        assert!(solve_dependent(&block).is_err());
    }
}
