//! The joint chain of an expanded group ([`Net`]): its states, reached breadth-first from the
//! all-up state, and the transitions between them.
//!
//! A state holds every unit's up/down state, each crew pool's queue (first failed first; the
//! first `crews` under repair) and each standby instance's active member and failover phase.
//! The standby rules of §8.4 are read with "unit" as "member": after every event, each standby
//! instance (innermost first) compares its members' states before and after and
//! [`settle`]s: its active member going down starts a failover (or an instant takeover),
//! a member coming up while it has no active member becomes active at once, and a failover
//! with no member up left is abandoned.

use super::net::{Net, Node};
use crate::solve::ctmc::Chain;
use crate::solve::dependent::Phase;
use std::collections::HashMap;

/// A state of the joint chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct State {
    /// Whether each unit is up.
    pub(super) up: Vec<bool>,
    /// Failed units of each pool in failure order; the prefix under repair is kept sorted.
    pub(super) queues: Vec<Vec<u32>>,
    /// The active member of each standby instance.
    pub(super) active: Vec<Option<u32>>,
    /// The failover phase of each standby instance.
    pub(super) phase: Vec<Phase>,
    /// The leading member of each election-and-pause instance (`None` without a leader, and
    /// always without an election).
    pub(super) leader: Vec<Option<u32>>,
    /// Whether a failure pause runs in each election-and-pause instance.
    pub(super) paused: Vec<bool>,
}

/// The explored chain: states numbered as in `chain`, state 0 all up.
pub(super) struct Explored {
    pub(super) states: Vec<State>,
    pub(super) chain: Chain,
}

/// Explores the chain of `net` from the all-up state (every standby's first member active).
///
/// # Errors
/// The number of states reached when more than `limit` would be needed.
pub(super) fn explore(net: &Net, limit: usize) -> Result<Explored, usize> {
    explore_until(net, limit, None)
}

/// Explores as [`explore`] does, but leaves unexpanded (absorbing) every state in which node
/// `stop` is down: the first-passage chain of the time measures, which never looks past the
/// first outage.
///
/// # Errors
/// The number of states reached when more than `limit` would be needed.
pub(super) fn explore_until(
    net: &Net,
    limit: usize,
    stop: Option<usize>,
) -> Result<Explored, usize> {
    let initial = State {
        up: vec![true; net.units.len()],
        queues: vec![Vec::new(); net.pools.len()],
        active: vec![Some(0); net.standbys.len()],
        phase: vec![Phase::Idle; net.standbys.len()],
        leader: net
            .reconfigs
            .iter()
            .map(|reconfig| reconfig.election_hours.map(|_| 0))
            .collect(),
        paused: vec![false; net.reconfigs.len()],
    };
    let mut explorer = Explorer {
        net,
        limit,
        chain: Chain::default(),
        index: HashMap::new(),
        states: Vec::new(),
        dependent_order: net
            .nodes
            .iter()
            .filter_map(|node| match node {
                Node::Standby(standby) => Some(Dependent::Standby(*standby)),
                Node::Reconfig(reconfig) => Some(Dependent::Reconfig(*reconfig)),
                _ => None,
            })
            .collect(),
    };
    explorer.intern(initial)?;
    let mut cursor = 0;
    while cursor < explorer.states.len() {
        let absorbing = stop.is_some_and(|node| !node_states(net, &explorer.states[cursor])[node]);
        if !absorbing {
            explorer.expand(cursor)?;
        }
        cursor += 1;
    }
    Ok(Explored {
        states: explorer.states,
        chain: explorer.chain,
    })
}

/// Whether each node of `net` is up in `state`.
pub(super) fn node_states(net: &Net, state: &State) -> Vec<bool> {
    net.node_states(
        &state.up,
        |standby| state.active[standby].is_some() && state.phase[standby] == Phase::Idle,
        |reconfig| {
            let led = net.reconfigs[reconfig].election_hours.is_none()
                || state.leader[reconfig].is_some();
            led && !state.paused[reconfig]
        },
    )
}

/// A block instance whose own state the rules settle after every event.
#[derive(Debug, Clone, Copy)]
enum Dependent {
    Standby(usize),
    Reconfig(usize),
}

struct Explorer<'n> {
    net: &'n Net,
    limit: usize,
    chain: Chain,
    index: HashMap<State, usize>,
    states: Vec<State>,
    /// Standby and election-and-pause instances, innermost first (in node order).
    dependent_order: Vec<Dependent>,
}

impl Explorer<'_> {
    fn intern(&mut self, mut state: State) -> Result<usize, usize> {
        for class in &self.net.symmetric {
            relabel(class, self.net.units[class[0]].pool, &mut state);
        }
        for (pool, queue) in state.queues.iter_mut().enumerate() {
            let in_repair = queue.len().min(self.net.pools[pool]);
            queue[..in_repair].sort_unstable();
        }
        if let Some(index) = self.index.get(&state) {
            return Ok(*index);
        }
        if self.states.len() >= self.limit {
            return Err(self.states.len());
        }
        let index = self.chain.add_state(true);
        self.index.insert(state.clone(), index);
        self.states.push(state);
        Ok(index)
    }

    /// The rate at which up unit `unit` fails in `state`.
    ///
    /// # Formula
    /// λ · Π d_b over the standby memberships (b, m) of the unit whose member m is not the
    /// active one of b (d_b the dormant factor of b).
    fn failure_rate(&self, state: &State, unit: usize) -> f64 {
        let spec = &self.net.units[unit];
        spec.dormancy
            .iter()
            .fold(spec.failure_rate, |rate, (standby, member)| {
                if state.active[*standby] == Some(*member as u32) {
                    rate
                } else {
                    rate * self.net.standbys[*standby].rules.dormant_factor
                }
            })
    }

    fn expand(&mut self, from: usize) -> Result<(), usize> {
        let state = self.states[from].clone();
        let before = node_states(self.net, &state);
        let mut moves: Vec<(State, f64)> = Vec::new();
        for unit in 0..self.net.units.len() {
            let pool = self.net.units[unit].pool;
            let mut next = state.clone();
            let rate = if state.up[unit] {
                next.up[unit] = false;
                if let Some(pool) = pool {
                    next.queues[pool].push(unit as u32);
                }
                self.failure_rate(&state, unit)
            } else {
                if let Some(pool) = pool {
                    let queue = &next.queues[pool];
                    let position = queue.iter().position(|u| *u as usize == unit);
                    if position.is_none_or(|p| p >= self.net.pools[pool]) {
                        continue;
                    }
                    next.queues[pool].retain(|u| *u as usize != unit);
                }
                next.up[unit] = true;
                self.net.units[unit].repair_rate
            };
            if rate > 0.0 {
                moves.push((next, rate));
            }
        }
        for (standby, spec) in self.net.standbys.iter().enumerate() {
            let hours = match state.phase[standby] {
                Phase::Idle => continue,
                Phase::Automatic => spec.rules.failover_hours,
                Phase::Manual => spec.rules.manual_failover_hours,
            };
            let mut next = state.clone();
            next.phase[standby] = Phase::Idle;
            next.active[standby] = spec
                .members
                .iter()
                .position(|member| before[*member])
                .map(|m| m as u32);
            moves.push((next, 1.0 / hours));
        }
        for (reconfig, spec) in self.net.reconfigs.iter().enumerate() {
            let members_up = || spec.members.iter().filter(|m| before[**m]).count();
            if let Some(hours) = spec.election_hours
                && state.leader[reconfig].is_none()
                && members_up() >= spec.need
            {
                // The election ends: the first-listed up member leads.
                let mut next = state.clone();
                next.leader[reconfig] = spec
                    .members
                    .iter()
                    .position(|member| before[*member])
                    .map(|m| m as u32);
                moves.push((next, 1.0 / hours));
            }
            if let Some(hours) = spec.pause_hours
                && state.paused[reconfig]
            {
                let mut next = state.clone();
                next.paused[reconfig] = false;
                moves.push((next, 1.0 / hours));
            }
        }
        for (next, rate) in moves {
            for (settled, weight) in self.settle(next, &before) {
                let to = self.intern(settled)?;
                self.chain.add_rate(from, to, rate * weight);
            }
        }
        Ok(())
    }

    /// Applies the standby rules (§8.4) and the election and pause rules (§8.8) of every
    /// instance, innermost first, after an event that led from a state whose nodes were
    /// `before` to `state`; the outcomes with their probabilities (a failover is covered with
    /// probability c).
    fn settle(&self, state: State, before: &[bool]) -> Vec<(State, f64)> {
        let mut branches = vec![(state, 1.0)];
        for &dependent in &self.dependent_order {
            let mut next = Vec::with_capacity(branches.len());
            for (mut state, weight) in branches {
                let after = node_states(self.net, &state);
                match dependent {
                    Dependent::Standby(standby) => {
                        for (settled, w) in settle(self.net, standby, state, before, &after) {
                            next.push((settled, weight * w));
                        }
                    }
                    Dependent::Reconfig(reconfig) => {
                        settle_reconfig(self.net, reconfig, &mut state, before, &after);
                        next.push((state, weight));
                    }
                }
            }
            branches = next;
        }
        branches
    }
}

/// Relabels the interchangeable units of `class` (served by crew pool `pool`) into their
/// canonical order: the up units first, then the down ones in the order they joined the queue
/// (by index without crews). Equivalent states (a permutation of the class apart) get one
/// label.
fn relabel(class: &[usize], pool: Option<usize>, state: &mut State) {
    let down: Vec<usize> = match pool {
        Some(pool) => state.queues[pool]
            .iter()
            .map(|unit| *unit as usize)
            .filter(|unit| class.contains(unit))
            .collect(),
        None => class
            .iter()
            .copied()
            .filter(|unit| !state.up[*unit])
            .collect(),
    };
    let first_down = class.len() - down.len();
    for (position, unit) in class.iter().enumerate() {
        state.up[*unit] = position < first_down;
    }
    if let Some(pool) = pool {
        let mut next = 0;
        for unit in state.queues[pool].iter_mut() {
            if class.contains(&(*unit as usize)) {
                *unit = class[first_down + next] as u32;
                next += 1;
            }
        }
    }
}

/// The §8.4 rules for one standby instance, with "unit" read as "member".
fn settle(
    net: &Net,
    standby: usize,
    mut state: State,
    before: &[bool],
    after: &[bool],
) -> Vec<(State, f64)> {
    let spec = &net.standbys[standby];
    let was = |m: usize| before[spec.members[m]];
    let is = |m: usize| after[spec.members[m]];
    let members = spec.members.len();
    let first_up = (0..members).find(|m| is(*m));
    match state.active[standby] {
        Some(active) if !is(active as usize) => {
            // The active member went down: a failover if another member is up.
            state.active[standby] = None;
            state.phase[standby] = Phase::Idle;
            let Some(first) = first_up else {
                return vec![(state, 1.0)];
            };
            let rules = spec.rules;
            let mut outcomes = Vec::with_capacity(2);
            if rules.coverage > 0.0 {
                let mut covered = state.clone();
                if rules.failover_hours == 0.0 {
                    covered.active[standby] = Some(first as u32);
                } else {
                    covered.phase[standby] = Phase::Automatic;
                }
                outcomes.push((covered, rules.coverage));
            }
            if rules.coverage < 1.0 {
                state.phase[standby] = Phase::Manual;
                outcomes.push((state, 1.0 - rules.coverage));
            }
            outcomes
        }
        Some(_) => vec![(state, 1.0)],
        None => {
            if let Some(risen) = (0..members).find(|m| is(*m) && !was(*m)) {
                // A member came back up with none active: it takes over at once.
                state.active[standby] = Some(risen as u32);
                state.phase[standby] = Phase::Idle;
            } else if state.phase[standby] != Phase::Idle && first_up.is_none() {
                state.phase[standby] = Phase::Idle; // no member left to fail over to
            }
            vec![(state, 1.0)]
        }
    }
}

/// The §8.8 rules for one election-and-pause instance after an event in which its members
/// went from `before` to `after`: members going down lose the leader when it is among them,
/// and lose it too when fewer than k stay up; they start (or continue) a pause when at least
/// k stay up and end it otherwise. Repairs change neither (an election simply runs while
/// there is no leader and at least k are up). Several members going down at once (a shared
/// zone under two of them) are read as one failure that leaves the final count up.
fn settle_reconfig(net: &Net, reconfig: usize, state: &mut State, before: &[bool], after: &[bool]) {
    let spec = &net.reconfigs[reconfig];
    let fell: Vec<usize> = (0..spec.members.len())
        .filter(|m| before[spec.members[*m]] && !after[spec.members[*m]])
        .collect();
    if fell.is_empty() {
        return;
    }
    let enough = spec.members.iter().filter(|m| after[**m]).count() >= spec.need;
    if let Some(leader) = state.leader[reconfig]
        && (!enough || fell.contains(&(leader as usize)))
    {
        state.leader[reconfig] = None;
    }
    if spec.pause_hours.is_some() {
        state.paused[reconfig] = enough;
    }
}
