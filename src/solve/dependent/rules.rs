//! The rules of a dependent block's chain, written once: which events can happen, when, at
//! what rate and with what effect on the counted state.
//!
//! A dependent block (limited crews, standby, leader election, failure pause) has a small set
//! of events: an idle unit fails, the active unit fails (with a covered, uncovered or
//! impossible failover), a running failover ends, the leader fails, an election ends, a pause
//! ends, a unit is repaired. [`transition_rules`] lists them for a block in a fixed order, and
//! every consumer reads that one list:
//!
//! - the exact solver ([`super::explore`]) applies each rule to concrete states
//!   ([`TransitionRule::fire`]) and so builds the chain it solves;
//! - the PRISM export (`src/export/prism/`) writes each rule as guarded commands over the
//!   module's variables, so that the model checker builds the same chain.
//!
//! The export cannot enumerate the explored transitions one command per transition: its
//! output is symbolic (one command per rule and case, guards over counters), and that text is
//! a stable contract. Hence the shared unit is the rule, not the transition.

use super::chain::{Phase, State};
use super::{DependentBlock, StandbyRules};

/// What follows when the active unit of a standby block fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActiveFailure {
    /// Covered, with an instantaneous failover: the first idle up unit takes over at once.
    InstantTakeover,
    /// A failover starts (automatic when covered, manual when not); the block is down until it
    /// ends.
    FailoverStarts(Phase),
    /// No standby unit is up: the block is down until a repair.
    NoStandbyUp,
}

/// One event of a dependent block's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransitionRule {
    /// An idle up unit of the type fails: a standby unit at dormant_factor·λ, or any up unit of
    /// a block without standby at λ. The last standby unit failing while a failover runs with
    /// no active unit abandons the failover.
    IdleUnitFails {
        /// The failing unit's type.
        unit_type: usize,
    },
    /// The active unit (of a standby block) fails.
    ActiveUnitFails {
        /// The failing unit's type.
        unit_type: usize,
        /// What happens next.
        outcome: ActiveFailure,
    },
    /// The running failover of the phase ends: the first idle up unit (if any) becomes active.
    FailoverEnds {
        /// [`Phase::Automatic`] or [`Phase::Manual`].
        phase: Phase,
    },
    /// The leader (of a block with a leader election) fails: the block has no leader, and an
    /// election runs while at least k units are up.
    LeaderFails {
        /// The leader's type.
        unit_type: usize,
    },
    /// The running election ends (no leader, at least k units up): the first-listed up unit
    /// becomes the leader.
    ElectionEnds,
    /// The running failure pause ends.
    PauseEnds,
    /// A unit of the type under repair is repaired; the first waiting unit takes the free crew,
    /// and with no active unit the repaired one becomes active at once, ending any failover.
    UnitRepaired {
        /// The repaired unit's type.
        unit_type: usize,
    },
}

/// The rules of `block`, in the order in which the solver numbers its states and the export
/// writes its commands: idle failures by type, active failures by type (covered, uncovered, no
/// standby up), failover ends (automatic, manual), leader failures by type, election end,
/// pause end, repairs by type.
///
/// A rule is listed when the block's structure allows it; a rule whose rate is zero is still
/// listed, and each consumer drops it (the solver per transition, the export per command).
pub(crate) fn transition_rules(block: &DependentBlock) -> Vec<TransitionRule> {
    let types = block.types.len();
    let mut rules: Vec<TransitionRule> = (0..types)
        .map(|unit_type| TransitionRule::IdleUnitFails { unit_type })
        .collect();
    if let Some(standby) = block.standby {
        for unit_type in 0..types {
            for outcome in active_failure_outcomes(&standby) {
                rules.push(TransitionRule::ActiveUnitFails { unit_type, outcome });
            }
        }
        for phase in failover_phases(&standby) {
            rules.push(TransitionRule::FailoverEnds { phase });
        }
    }
    if block.election_hours.is_some() {
        rules.extend((0..types).map(|unit_type| TransitionRule::LeaderFails { unit_type }));
        rules.push(TransitionRule::ElectionEnds);
    }
    if block.pause_hours.is_some() {
        rules.push(TransitionRule::PauseEnds);
    }
    rules.extend((0..types).map(|unit_type| TransitionRule::UnitRepaired { unit_type }));
    rules
}

/// The outcomes an active failure can have under `standby`, in order: covered, uncovered, no
/// standby up.
fn active_failure_outcomes(standby: &StandbyRules) -> Vec<ActiveFailure> {
    let mut outcomes = Vec::with_capacity(3);
    if standby.coverage > 0.0 {
        outcomes.push(if standby.failover_hours == 0.0 {
            ActiveFailure::InstantTakeover
        } else {
            ActiveFailure::FailoverStarts(Phase::Automatic)
        });
    }
    if standby.coverage < 1.0 {
        outcomes.push(ActiveFailure::FailoverStarts(Phase::Manual));
    }
    outcomes.push(ActiveFailure::NoStandbyUp);
    outcomes
}

/// The failover phases that can occur under `standby`: automatic when some failures are
/// covered and the failover takes time, manual when some are not covered.
fn failover_phases(standby: &StandbyRules) -> Vec<Phase> {
    let mut phases = Vec::with_capacity(2);
    if standby.coverage > 0.0 && standby.failover_hours > 0.0 {
        phases.push(Phase::Automatic);
    }
    if standby.coverage < 1.0 {
        phases.push(Phase::Manual);
    }
    phases
}

impl TransitionRule {
    /// The rule's rate per unit it applies to, per hour: idle failures and repairs happen at
    /// this rate times the idle units (or units under repair) of their type, the other rules
    /// once.
    ///
    /// # Formula
    /// idle failure d·λ_t (d = dormant factor, 1 without standby); active failure c·λ_t
    /// covered, (1 − c)·λ_t uncovered, λ_t with no standby up; failover end 1/h (h the mean
    /// automatic or manual failover time); leader failure λ_t; election end 1/e, pause end
    /// 1/p (e, p the mean election and pause times); repair μ_t.
    pub(crate) fn rate_per_unit(&self, block: &DependentBlock) -> f64 {
        match *self {
            Self::IdleUnitFails { unit_type } => {
                block.types[unit_type].failure_rate * block.dormant_factor()
            }
            Self::ActiveUnitFails { unit_type, outcome } => {
                let rate = block.types[unit_type].failure_rate;
                let coverage = block.standby.map_or(1.0, |rules| rules.coverage);
                match outcome {
                    ActiveFailure::InstantTakeover
                    | ActiveFailure::FailoverStarts(Phase::Automatic) => rate * coverage,
                    ActiveFailure::FailoverStarts(_) => rate * (1.0 - coverage),
                    ActiveFailure::NoStandbyUp => rate,
                }
            }
            Self::FailoverEnds { phase } => 1.0 / failover_hours(block, phase),
            Self::LeaderFails { unit_type } => block.types[unit_type].failure_rate,
            Self::ElectionEnds => 1.0 / block.election_hours.expect("only with an election"),
            Self::PauseEnds => 1.0 / block.pause_hours.expect("only with a pause"),
            Self::UnitRepaired { unit_type } => block.types[unit_type].repair_rate,
        }
    }

    /// The transition this rule makes from `state`, with its rate; `None` when the rule does
    /// not apply there or its rate is zero. `idle` holds the idle up units per type in `state`
    /// and `crews` the crews at work (see [`DependentBlock::working_crews`]).
    pub(crate) fn fire(
        &self,
        block: &DependentBlock,
        state: &State,
        idle: &[u64],
        crews: usize,
    ) -> Option<(State, f64)> {
        let (next, rate) = match *self {
            Self::IdleUnitFails { unit_type } => {
                if idle[unit_type] == 0 {
                    return None;
                }
                // (n·λ)·d, the order of the original solver, so its results stay bit for bit.
                let rate = idle[unit_type] as f64
                    * block.types[unit_type].failure_rate
                    * block.dormant_factor();
                (idle_unit_fails(block, state, idle, unit_type), rate)
            }
            Self::ActiveUnitFails { unit_type, outcome } => {
                if state.active != Some(unit_type as u8) {
                    return None;
                }
                let any_idle = idle.iter().any(|count| *count > 0);
                if any_idle == (outcome == ActiveFailure::NoStandbyUp) {
                    return None;
                }
                let mut next = state.clone();
                next.queue.push(unit_type as u8);
                next.active = None;
                match outcome {
                    ActiveFailure::InstantTakeover => next.active = first_idle(idle),
                    ActiveFailure::FailoverStarts(phase) => next.phase = phase,
                    ActiveFailure::NoStandbyUp => {}
                }
                (next, self.rate_per_unit(block))
            }
            Self::FailoverEnds { phase } => {
                if state.phase != phase {
                    return None;
                }
                let mut next = state.clone();
                next.phase = Phase::Idle;
                next.active = first_idle(idle);
                (next, self.rate_per_unit(block))
            }
            Self::LeaderFails { unit_type } => {
                if block.standby.is_some() || state.active != Some(unit_type as u8) {
                    return None;
                }
                let mut next = state.clone();
                next.queue.push(unit_type as u8);
                next.active = None;
                after_failure(block, &mut next);
                (next, self.rate_per_unit(block))
            }
            Self::ElectionEnds => {
                let up = block.total_units() - state.queue.len() as u64;
                if state.active.is_some() || up < block.required_up {
                    return None;
                }
                let mut next = state.clone();
                next.active = first_idle(idle);
                (next, self.rate_per_unit(block))
            }
            Self::PauseEnds => {
                if !state.paused {
                    return None;
                }
                let mut next = state.clone();
                next.paused = false;
                (next, self.rate_per_unit(block))
            }
            Self::UnitRepaired { unit_type } => {
                let in_repair = state.queue.len().min(crews);
                let repaired = &state.queue[..in_repair];
                let same = repaired
                    .iter()
                    .filter(|t| **t as usize == unit_type)
                    .count();
                let position = repaired.iter().position(|t| *t as usize == unit_type)?;
                let mut next = state.clone();
                next.queue.remove(position);
                if block.standby.is_some() && next.active.is_none() {
                    // No active unit: the repaired unit takes over at once, ending any failover.
                    next.active = Some(unit_type as u8);
                    next.phase = Phase::Idle;
                }
                (next, same as f64 * block.types[unit_type].repair_rate)
            }
        };
        (rate > 0.0).then_some((next, rate))
    }
}

/// Mean duration of the failover `phase`, in hours.
fn failover_hours(block: &DependentBlock, phase: Phase) -> f64 {
    let rules = block.standby.expect("only standby blocks have failovers");
    match phase {
        Phase::Automatic => rules.failover_hours,
        _ => rules.manual_failover_hours,
    }
}

/// An idle unit of `unit_type` fails: it joins the queue, and the last standby unit failing
/// while a failover runs with no active unit abandons the failover.
fn idle_unit_fails(block: &DependentBlock, state: &State, idle: &[u64], unit_type: usize) -> State {
    let mut next = state.clone();
    next.queue.push(unit_type as u8);
    let failover_running = state.active.is_none() && state.phase != Phase::Idle;
    if block.standby.is_some() && failover_running {
        let idle_left: u64 = idle.iter().sum::<u64>() - 1;
        if idle_left == 0 {
            next.phase = Phase::Idle; // no standby left: the failover is abandoned
        }
    }
    if block.standby.is_none() {
        after_failure(block, &mut next);
    }
    next
}

/// What a member failure does to the leader and the pause of a block without standby, `next`
/// holding the failed unit already: with fewer than k units up the leader is lost and a pause
/// ends; with at least k up a failure pause starts (or goes on). Elsewhere nothing changes.
fn after_failure(block: &DependentBlock, next: &mut State) {
    let up = block.total_units() - next.queue.len() as u64;
    let enough = up >= block.required_up;
    if block.election_hours.is_some() && !enough {
        next.active = None;
    }
    if block.pause_hours.is_some() {
        next.paused = enough;
    }
}

/// The first type with an idle up unit: the standby unit that takes over.
fn first_idle(idle: &[u64]) -> Option<u8> {
    idle.iter()
        .position(|count| *count > 0)
        .map(|unit_type| unit_type as u8)
}
