//! The explored chain of a dependent block: its counted states, numbered breadth-first from
//! the initial state, and its transitions, generated from the block's [`TransitionRule`]s.
//!
//! The exact solver solves this chain; the PRISM export reads its states (their number, the
//! recurrent class and the state the module starts in) from the same exploration.

use super::rules::{TransitionRule, transition_rules};
use super::{ChainTooLarge, DependentBlock};
use crate::solve::ctmc::Chain;
use std::collections::HashMap;

/// Failover phase of a standby block; the numbers are the values of the PRISM variable `gK_p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum Phase {
    /// No failover running.
    Idle = 0,
    /// Automatic (covered) failover running.
    Automatic = 1,
    /// Manual switchover running after an uncovered failure.
    Manual = 2,
}

/// A counted state of a dependent block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct State {
    /// Types of failed units in failure order; the first `crews` are under repair (that prefix
    /// is kept sorted, since its order no longer matters).
    pub(crate) queue: Vec<u8>,
    /// Type of the active unit, for standby blocks; type of the leader for blocks with a
    /// leader election (`None` while there is no leader).
    pub(crate) active: Option<u8>,
    /// The failover phase (always [`Phase::Idle`] without standby).
    pub(crate) phase: Phase,
    /// Whether a failure pause runs (always false without `failure_pause`).
    pub(crate) paused: bool,
}

impl State {
    /// The failed units under repair, counted per type (`types` types, `crews` crews at work).
    pub(crate) fn in_repair(&self, types: usize, crews: usize) -> Vec<u64> {
        let mut counts = vec![0; types];
        for unit_type in &self.queue[..self.queue.len().min(crews)] {
            counts[*unit_type as usize] += 1;
        }
        counts
    }

    /// The failed units waiting for a crew, by type, first in line first.
    pub(crate) fn waiting(&self, crews: usize) -> &[u8] {
        &self.queue[self.queue.len().min(crews)..]
    }
}

/// A dependent block's chain: the reachable states and the transitions between them.
#[derive(Debug, Clone)]
pub struct ExploredChain {
    /// The states, numbered as in [`Self::chain`]; state 0 is the initial state (all up, the
    /// first member active or leader, no pause).
    pub(crate) states: Vec<State>,
    /// Transitions with their rates per hour, and whether the block is up in each state.
    pub(crate) chain: Chain,
}

/// Explores the chain of `block` from its initial state, breadth-first.
///
/// # Errors
/// [`ChainTooLarge`] when a state beyond the first `limit` is reached.
pub fn explore(block: &DependentBlock, limit: usize) -> Result<ExploredChain, ChainTooLarge> {
    let crews = block.working_crews();
    let mut explorer = ChainExplorer {
        block,
        rules: transition_rules(block),
        crews,
        limit,
        chain: Chain::default(),
        index: HashMap::new(),
        states: Vec::new(),
    };
    let initial = initial_state(block);
    explorer.intern(initial)?;
    let mut cursor = 0;
    while cursor < explorer.states.len() {
        explorer.expand(cursor)?;
        cursor += 1;
    }
    Ok(ExploredChain {
        states: explorer.states,
        chain: explorer.chain,
    })
}

/// The state a block starts in: all up, the first member active (standby) or leader (leader
/// election), no failover and no pause.
pub(crate) fn initial_state(block: &DependentBlock) -> State {
    let has_leader = block.standby.is_some() || block.election_hours.is_some();
    State {
        queue: Vec::new(),
        active: has_leader.then_some(0),
        phase: Phase::Idle,
        paused: false,
    }
}

/// Whether `block` is up in `state`: a standby block when it has an active unit and no
/// failover runs; another block when at least k units are up, it has a leader (with a leader
/// election) and no pause runs.
pub(crate) fn is_up(block: &DependentBlock, state: &State) -> bool {
    match block.standby {
        Some(_) => state.active.is_some() && state.phase == Phase::Idle,
        None => {
            let enough = block.total_units() - state.queue.len() as u64 >= block.required_up;
            let led = block.election_hours.is_none() || state.active.is_some();
            enough && led && !state.paused
        }
    }
}

/// The exploration under way: the chain so far, the states found and their numbers.
struct ChainExplorer<'a> {
    block: &'a DependentBlock,
    rules: Vec<TransitionRule>,
    crews: usize,
    limit: usize,
    chain: Chain,
    index: HashMap<State, usize>,
    states: Vec<State>,
}

impl ChainExplorer<'_> {
    fn canonical(&self, mut state: State) -> State {
        let in_repair = state.queue.len().min(self.crews);
        state.queue[..in_repair].sort_unstable();
        state
    }

    /// The number of `state`, adding it when it is new.
    fn intern(&mut self, state: State) -> Result<usize, ChainTooLarge> {
        let state = self.canonical(state);
        if let Some(index) = self.index.get(&state) {
            return Ok(*index);
        }
        if self.chain.len() >= self.limit {
            return Err(ChainTooLarge {
                states: self.chain.len(),
            });
        }
        let index = self.chain.add_state(is_up(self.block, &state));
        self.index.insert(state.clone(), index);
        self.states.push(state);
        Ok(index)
    }

    /// Units of each type that are up and neither active nor leader.
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

    /// Adds the transitions out of state `from`, every rule in turn.
    fn expand(&mut self, from: usize) -> Result<(), ChainTooLarge> {
        let state = self.states[from].clone();
        let idle = self.idle_up(&state);
        for position in 0..self.rules.len() {
            let rule = self.rules[position];
            if let Some((next, rate)) = rule.fire(self.block, &state, &idle, self.crews) {
                let to = self.intern(next)?;
                self.chain.add_rate(from, to, rate);
            }
        }
        Ok(())
    }
}
