//! Blocks whose members are not independent: limited repair crews, standby redundancy, leader
//! elections and failure pauses.
//!
//! Such a block is solved as a continuous-time Markov chain over counted states: identical
//! units are interchangeable, so a state records the *types* of failed units in failure order
//! (the first `r` are under repair), for standby blocks the type of the active unit and the
//! failover phase, for blocks with a leader election the leader's type (none while electing)
//! and for blocks with a failure pause whether it is paused. A crew block of 50 identical units is a chain of 51 states, not 2⁵⁰.
//! Crew blocks of identical units without standby are birth–death chains with a closed form.

mod chain;
mod rules;

pub use chain::explore;
pub(crate) use chain::{Phase, State, initial_state};
pub(crate) use rules::{ActiveFailure, TransitionRule, transition_rules};

use super::Measures;
use crate::model::{Block, BlockKind, Model, NodeRef};

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
    /// Mean leader election time, hours, for a block with `leader_election` (§8.8).
    pub election_hours: Option<f64>,
    /// Mean pause after a member failure, hours, for a block with `failure_pause` (§8.8).
    pub pause_hours: Option<f64>,
}

impl DependentBlock {
    /// The dependent block that `block` of `model` forms, or `None` when its members are
    /// independent (no limiting crews, no standby, no leader election or failure pause).
    pub fn of_model_block(model: &Model, block: &Block) -> Option<Self> {
        let standby = match &block.kind {
            BlockKind::Standby(rules) => Some(StandbyRules::from(rules)),
            _ => None,
        };
        let crews = block.limiting_crews();
        if standby.is_none() && crews.is_none() && !block.reconfigures() {
            return None;
        }
        Some(Self {
            types: unit_types(model, block)
                .into_iter()
                .map(|(_, unit)| unit)
                .collect(),
            required_up: block.required_up(),
            crews,
            standby,
            election_hours: block.leader_election.map(|election| election.hours),
            pause_hours: block.failure_pause.map(|pause| pause.hours),
        })
    }

    /// Units in the block.
    pub fn total_units(&self) -> u64 {
        self.types.iter().map(|t| t.count).sum()
    }

    /// Crews at work at most at once: the crews, or every unit when unlimited or more.
    pub fn working_crews(&self) -> usize {
        let total = self.total_units();
        self.crews.unwrap_or(total).min(total) as usize
    }

    /// The factor on λ of a unit that is up but not active: the dormant factor of a standby
    /// block, 1 elsewhere (every up unit runs).
    pub fn dormant_factor(&self) -> f64 {
        self.standby.map_or(1.0, |rules| rules.dormant_factor)
    }
}

/// The unit types of a model block whose members are components, each with the component it
/// copies, in order of first appearance; common cause scales every member's failure rate by
/// 1 − β.
///
/// In a standby block the listing order decides which standby unit takes over, and in a block
/// with a leader election which unit leads, so each run of consecutive identical members stays
/// a type of its own (`["a", "b", "a"]` has three); elsewhere units of one component are
/// interchangeable and merge.
pub fn unit_types(model: &Model, block: &Block) -> Vec<(usize, UnitType)> {
    let is_standby = matches!(block.kind, BlockKind::Standby(_)) || block.leader_election.is_some();
    let beta = block.common_cause_beta.unwrap_or(0.0);
    let mut types: Vec<(usize, UnitType)> = Vec::new();
    for member in &block.members {
        let NodeRef::Component(component_index) = member.node else {
            unreachable!("validation allows only components in dependent blocks")
        };
        let component = &model.components[component_index];
        let existing = if is_standby {
            types.last_mut().filter(|(i, _)| *i == component_index)
        } else {
            types.iter_mut().find(|(i, _)| *i == component_index)
        };
        match existing {
            Some((_, unit)) => unit.count += member.count,
            None => types.push((
                component_index,
                UnitType {
                    count: member.count,
                    failure_rate: component.failure_rate * (1.0 - beta),
                    repair_rate: component.repair_rate,
                },
            )),
        }
    }
    types
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
    let reconfigures = block.election_hours.is_some() || block.pause_hours.is_some();
    if block.standby.is_none() && !reconfigures && block.types.len() == 1 {
        return Ok(birth_death(&block.types[0], block.required_up, block.crews));
    }
    Ok(explore(block, MAX_CHAIN_STATES)?.chain.measures())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::ctmc::Chain;

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
            election_hours: None,
            pause_hours: None,
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
            election_hours: None,
            pause_hours: None,
        };
        let chain = explore(&split, MAX_CHAIN_STATES).unwrap().chain.measures();
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
            election_hours: None,
            pause_hours: None,
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

    /// A 2-of-3 block of identical units (λ, μ, unlimited repair) with reconfigurations.
    fn two_of_three(lambda: f64, mu: f64, election: Option<f64>, pause: Option<f64>) -> Measures {
        let block = DependentBlock {
            types: vec![unit(3, lambda, mu)],
            required_up: 2,
            crews: None,
            standby: None,
            election_hours: election,
            pause_hours: pause,
        };
        solve_dependent(&block).unwrap()
    }

    #[test]
    fn two_of_three_with_elections_matches_hand_written_chain() {
        // States (units down, leader L or none E); up: (0,L), (1,L). An election runs in (d,E)
        // while at least 2 are up; with fewer than 2 up there is no leader.
        // (0,L): an idle unit fails 2λ → (1,L); the leader fails λ → (1,E).
        // (0,E): 3λ → (1,E); election ends 1/e → (0,L).
        // (1,L): 2λ (idle or leader) → (2); repair μ → (0,L).
        // (1,E): 2λ → (2); election ends 1/e → (1,L); repair μ → (0,E).
        // (2):   λ → (3); 2μ → (1,E) (two up again, no leader: an election starts).
        // (3):   3μ → (2).
        let (lambda, mu, e) = (0.002, 0.25, 0.01);
        let result = two_of_three(lambda, mu, Some(e), None);
        let mut chain = Chain::default();
        let s0l = chain.add_state(true);
        let s0e = chain.add_state(false);
        let s1l = chain.add_state(true);
        let s1e = chain.add_state(false);
        let s2 = chain.add_state(false);
        let s3 = chain.add_state(false);
        chain.add_rate(s0l, s1l, 2.0 * lambda);
        chain.add_rate(s0l, s1e, lambda);
        chain.add_rate(s0e, s1e, 3.0 * lambda);
        chain.add_rate(s0e, s0l, 1.0 / e);
        chain.add_rate(s1l, s2, 2.0 * lambda);
        chain.add_rate(s1l, s0l, mu);
        chain.add_rate(s1e, s2, 2.0 * lambda);
        chain.add_rate(s1e, s1l, 1.0 / e);
        chain.add_rate(s1e, s0e, mu);
        chain.add_rate(s2, s3, lambda);
        chain.add_rate(s2, s1e, 2.0 * mu);
        chain.add_rate(s3, s2, 3.0 * mu);
        let expected = chain.measures();
        close(result.unavailability, expected.unavailability, 1e-12);
        close(result.frequency, expected.frequency, 1e-12);
        // The election adds about (3λ·π₀)·e of downtime to the plain 2-of-3 block.
        let plain = birth_death(&unit(3, lambda, mu), 2, None);
        assert!(result.unavailability > plain.unavailability);
    }

    #[test]
    fn two_of_three_with_failure_pause_matches_hand_written_chain() {
        // States (units down, paused P or not N); up: (0,N), (1,N).
        // (0,N): 3λ → (1,P) (two stay up: a pause starts).
        // (0,P): 3λ → (1,P) (the pause goes on); pause ends 1/p → (0,N).
        // (1,N): 2λ → (2,N) (one left: no pause); μ → (0,N).
        // (1,P): 2λ → (2,N) (fewer than 2 up: the pause ends); 1/p → (1,N); μ → (0,P)
        //        (a repair does not end a pause).
        // (2,N): λ → (3,N); 2μ → (1,N).  (3,N): 3μ → (2,N).
        let (lambda, mu, p) = (0.002, 0.25, 0.05);
        let result = two_of_three(lambda, mu, None, Some(p));
        let mut chain = Chain::default();
        let s0n = chain.add_state(true);
        let s0p = chain.add_state(false);
        let s1n = chain.add_state(true);
        let s1p = chain.add_state(false);
        let s2 = chain.add_state(false);
        let s3 = chain.add_state(false);
        chain.add_rate(s0n, s1p, 3.0 * lambda);
        chain.add_rate(s0p, s1p, 3.0 * lambda);
        chain.add_rate(s0p, s0n, 1.0 / p);
        chain.add_rate(s1n, s2, 2.0 * lambda);
        chain.add_rate(s1n, s0n, mu);
        chain.add_rate(s1p, s2, 2.0 * lambda);
        chain.add_rate(s1p, s1n, 1.0 / p);
        chain.add_rate(s1p, s0p, mu);
        chain.add_rate(s2, s3, lambda);
        chain.add_rate(s2, s1n, 2.0 * mu);
        chain.add_rate(s3, s2, 3.0 * mu);
        let expected = chain.measures();
        close(result.unavailability, expected.unavailability, 1e-12);
        close(result.frequency, expected.frequency, 1e-12);
    }

    #[test]
    fn very_short_reconfigurations_tend_to_the_plain_block() {
        // With elections and pauses a thousand times shorter than anything else, the block is
        // the plain 2-of-3 block plus a vanishing extra downtime.
        let (lambda, mu) = (0.001, 0.2);
        let plain = birth_death(&unit(3, lambda, mu), 2, None);
        let quick = two_of_three(lambda, mu, Some(1e-9), Some(1e-9));
        close(quick.unavailability, plain.unavailability, 1e-5);
    }

    #[test]
    fn oversized_chains_are_refused() {
        let block = DependentBlock {
            types: vec![unit(5000, 0.01, 0.1)],
            required_up: 1,
            crews: Some(1),
            standby: Some(INSTANT),
            election_hours: None,
            pause_hours: None,
        };
        assert!(solve_dependent(&block).is_err());
    }
}
