//! The model's unit-level Markov chain in the PRISM language (`ctmc`), for Storm or PRISM.
//!
//! The chain is the one the exact solver solves (`docs/model-format.md` §7, §8), written so that
//! a model checker can rebuild and solve it without `nines`:
//!
//! - every physical unit outside crew and standby blocks is a module `m_uI` with one Boolean
//!   variable `uI` (true: up), failing at λ and repaired at μ; copies are expanded (§7), a shared
//!   unit is one module wherever it is referenced, and a unit that never fails (λ = 0) is the
//!   constant `true`;
//! - a common-cause element (§8.5) is such a unit too, failing at βλ and repaired at μ, in series
//!   with its block, whose members fail at (1 − β)λ;
//! - every block instance with limiting `repair_crews` or of kind `standby` is one module `m_gK`
//!   whose state is the solver's counted state (`src/solve/dependent.rs`): per unit type the
//!   units under repair (`gK_rT`), the waiting line in failure order (`gK_w`, or `gK_w1…` when
//!   the block has several unit types), the active unit's type (`gK_a`) and the failover phase
//!   (`gK_p`). Identical units are counted, not enumerated, exactly as the solver does: the
//!   order in which interchangeable units wait does not change U or f, and enumerating it would
//!   multiply the states by up to n!. The module starts where the solver's chain starts (the
//!   first member active, all up) or, when that state is transient (a standby member that never
//!   fails took over for good), in the recurrent class the solver settles in, so that the
//!   exported chain is irreducible;
//! - every block instance is a formula `bJ` over its members' formulas (series: all, parallel:
//!   any, k-of-n: a count ≥ k); `system_up` is the top block's.
//!
//! Modules never synchronise, so every transition changes one module only. That makes the
//! outage frequency a state reward (see `Builder::rewards` for the derivation), which Storm
//! and PRISM both average over time with `R{"outages"}=? [ S ]`.
//!
//! The header states the number of states: the product of the modules' reachable states, 2 per
//! unit and the explored count of each dependent block.

use super::{ExportError, MAX_STATES, MAX_UNITS};
use crate::model::{BlockKind, Model, NodeRef};
use crate::solve::dependent::StandbyRules;
use std::collections::{HashMap, HashSet};

/// Writes `model`'s Markov chain as a PRISM `ctmc` model.
///
/// The result has the label `"down"` (the system is down), the reward structure `"outages"`
/// whose long-run average is the outage frequency f per hour, and `"down_time"` whose long-run
/// average is the unavailability U.
///
/// # Errors
/// [`ExportError`] when the model has more than [`MAX_UNITS`] physical units or its chain more
/// than [`MAX_STATES`] states.
pub fn prism(model: &Model) -> Result<String, ExportError> {
    let units = physical_units(model);
    if units > MAX_UNITS {
        return Err(ExportError::TooManyUnits {
            units,
            limit: MAX_UNITS,
        });
    }
    let mut builder = Builder {
        model,
        units: Vec::new(),
        groups: Vec::new(),
        gates: Vec::new(),
        shared: HashMap::new(),
        constant_units: Vec::new(),
    };
    let top = builder.node(NodeRef::Block(model.top), "the system");
    let states = builder.count_states(units)?;
    Ok(builder.render(&top, units, states))
}

/// Physical units of the model as the exact solver sees it (saturating): every copy of a
/// component, shared units once, and one common-cause element per copy of a block with β.
fn physical_units(model: &Model) -> u64 {
    fn size(model: &Model, node: NodeRef, memo: &mut HashMap<NodeRef, u64>) -> u64 {
        if let Some(known) = memo.get(&node) {
            return *known;
        }
        let total = match node {
            NodeRef::Component(_) => 1,
            NodeRef::Block(index) => {
                let block = &model.blocks[index];
                let mut total = u64::from(block.common_cause_beta.is_some());
                for member in &block.members {
                    if !model.is_shared(member.node) {
                        let each = size(model, member.node, memo);
                        total = total.saturating_add(each.saturating_mul(member.count));
                    }
                }
                total
            }
        };
        memo.insert(node, total);
        total
    }
    let mut memo = HashMap::new();
    let mut total = size(model, NodeRef::Block(model.top), &mut memo);
    // Shared nodes reachable from the top, once each (the top itself may be shared).
    let reachable = crate::solve::structure::reachable_blocks(model, model.top);
    let mut shared: HashSet<NodeRef> = HashSet::new();
    for (index, block) in model.blocks.iter().enumerate() {
        if !reachable[index] {
            continue;
        }
        for member in &block.members {
            if model.is_shared(member.node) {
                shared.insert(member.node);
            }
        }
    }
    shared.remove(&NodeRef::Block(model.top));
    for node in shared {
        total = total.saturating_add(size(model, node, &mut memo));
    }
    total
}

/// A Boolean structure over units, dependent blocks and block instances.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Const(bool),
    /// Independent unit `uI` is up.
    Unit(usize),
    /// Dependent block instance `gK` is up.
    Group(usize),
    /// Block instance `bJ` is up.
    Gate(usize),
    /// At least k of the items are up (series: k = n, parallel: k = 1).
    AtLeast(u64, Vec<Expr>),
}

/// What can be forced down when deriving a module's criticality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Leaf {
    Unit(usize),
    Group(usize),
}

/// An independent two-state unit.
#[derive(Debug, Clone)]
struct Unit {
    failure_rate: f64,
    repair_rate: f64,
    what: String,
}

/// One type of interchangeable units in a dependent block.
#[derive(Debug, Clone)]
struct UnitType {
    component: usize,
    count: u64,
    /// λ while active (or in a non-standby block), common cause already taken out.
    failure_rate: f64,
    repair_rate: f64,
}

/// A dependent block instance (limiting crews or standby): one module.
#[derive(Debug, Clone)]
struct Group {
    block: usize,
    types: Vec<UnitType>,
    /// Crews actually working at most at once (= units when unlimited).
    crews: u64,
    /// Up units needed (non-standby blocks).
    required_up: u64,
    standby: Option<StandbyRules>,
    /// The module's initial state: the solver's initial state, or the first state of the
    /// recurrent class when that one is transient (set by [`Group::settle`]).
    start: GroupState,
}

/// A block instance: the formula `bJ`.
#[derive(Debug, Clone)]
struct Gate {
    block: usize,
    expr: Expr,
    /// Where it sits, for its comment.
    place: String,
}

/// When a command of a dependent block takes the block from up to down.
#[derive(Debug, Clone, PartialEq)]
enum Down {
    Never,
    Always,
    /// When this condition holds in the source state.
    When(String),
}

/// One guarded command of a dependent block's module.
#[derive(Debug, Clone)]
struct Command {
    guard: Vec<String>,
    rate: String,
    updates: Vec<String>,
    down: Down,
    note: String,
}

/// A dependent block's state in the explicit exploration that counts states: units under
/// repair per type, the waiting line (types), the active type + 1 (0: none), the phase.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GroupState {
    repair: Vec<u64>,
    waiting: Vec<u8>,
    active: u8,
    phase: u8,
}

const IDLE: u8 = 0;
const AUTOMATIC: u8 = 1;
const MANUAL: u8 = 2;

impl Group {
    fn total(&self) -> u64 {
        self.types.iter().map(|t| t.count).sum()
    }

    /// Waiting positions: units beyond the crews.
    fn waiting_slots(&self) -> u64 {
        self.total() - self.crews
    }

    fn dormant(&self) -> f64 {
        self.standby.map_or(1.0, |rules| rules.dormant_factor)
    }

    fn initial(&self) -> GroupState {
        GroupState {
            repair: vec![0; self.types.len()],
            waiting: Vec::new(),
            active: u8::from(self.standby.is_some()),
            phase: IDLE,
        }
    }

    fn idle(&self, state: &GroupState) -> Vec<u64> {
        self.types
            .iter()
            .enumerate()
            .map(|(t, unit)| {
                let waiting = state.waiting.iter().filter(|w| **w as usize == t).count() as u64;
                let active = u64::from(state.active as usize == t + 1);
                unit.count - state.repair[t] - waiting - active
            })
            .collect()
    }

    #[cfg(test)]
    fn is_up(&self, state: &GroupState) -> bool {
        match self.standby {
            Some(_) => state.active > 0 && state.phase == IDLE,
            None => {
                let failed = state.repair.iter().sum::<u64>() + state.waiting.len() as u64;
                self.total() - failed >= self.required_up
            }
        }
    }

    fn push(&self, state: &mut GroupState, unit_type: usize) {
        if state.repair.iter().sum::<u64>() < self.crews {
            state.repair[unit_type] += 1;
        } else {
            state.waiting.push(unit_type as u8);
        }
    }

    /// Transitions out of `state` with their rates: the rules of `src/solve/dependent.rs` on
    /// this representation (the PRISM commands below are the same rules written as guards).
    fn successors(&self, state: &GroupState) -> Vec<(GroupState, f64)> {
        let mut next_states = Vec::new();
        let idle = self.idle(state);
        let idle_total: u64 = idle.iter().sum();
        let first_idle = |idle: &[u64]| {
            idle.iter()
                .position(|count| *count > 0)
                .map_or(0, |t| t as u8 + 1)
        };
        let dormant = self.dormant();
        for (t, count) in idle.iter().enumerate() {
            let rate = *count as f64 * self.types[t].failure_rate * dormant;
            if rate == 0.0 {
                continue;
            }
            let mut next = state.clone();
            self.push(&mut next, t);
            if self.standby.is_some() && state.active == 0 && state.phase != IDLE && idle_total == 1
            {
                next.phase = IDLE;
            }
            next_states.push((next, rate));
        }
        if let (Some(rules), true) = (self.standby, state.active > 0) {
            let t = state.active as usize - 1;
            let rate = self.types[t].failure_rate;
            let mut next = state.clone();
            self.push(&mut next, t);
            next.active = 0;
            if idle_total > 0 {
                let covered = rate * rules.coverage;
                let uncovered = rate * (1.0 - rules.coverage);
                if covered > 0.0 {
                    let mut target = next.clone();
                    if rules.failover_hours == 0.0 {
                        target.active = first_idle(&idle);
                    } else {
                        target.phase = AUTOMATIC;
                    }
                    next_states.push((target, covered));
                }
                if uncovered > 0.0 {
                    let mut target = next;
                    target.phase = MANUAL;
                    next_states.push((target, uncovered));
                }
            } else if rate > 0.0 {
                next_states.push((next, rate));
            }
        }
        if let (Some(rules), true) = (self.standby, state.phase != IDLE) {
            let hours = if state.phase == AUTOMATIC {
                rules.failover_hours
            } else {
                rules.manual_failover_hours
            };
            let mut next = state.clone();
            next.phase = IDLE;
            next.active = first_idle(&idle);
            next_states.push((next, 1.0 / hours));
        }
        for t in 0..self.types.len() {
            if state.repair[t] == 0 {
                continue;
            }
            let rate = state.repair[t] as f64 * self.types[t].repair_rate;
            let mut next = state.clone();
            next.repair[t] -= 1;
            if !next.waiting.is_empty() {
                let head = next.waiting.remove(0);
                next.repair[head as usize] += 1;
            }
            if self.standby.is_some() && next.active == 0 {
                next.active = t as u8 + 1;
                next.phase = IDLE;
            }
            next_states.push((next, rate));
        }
        next_states
    }

    /// The states reachable from the solver's initial state (the first member active, all
    /// up), numbered in breadth-first order as the solver numbers them, with their successors;
    /// `None` beyond `limit` states.
    fn explore(&self, limit: u64) -> Option<(Vec<GroupState>, Vec<Vec<usize>>)> {
        let mut index: HashMap<GroupState, usize> = HashMap::new();
        let mut states = vec![self.initial()];
        index.insert(self.initial(), 0);
        let mut successors = Vec::new();
        let mut cursor = 0;
        while cursor < states.len() {
            let mut targets = Vec::new();
            for (next, _) in self.successors(&states[cursor]) {
                let target = match index.get(&next) {
                    Some(target) => *target,
                    None => {
                        if states.len() as u64 >= limit {
                            return None;
                        }
                        index.insert(next.clone(), states.len());
                        states.push(next);
                        states.len() - 1
                    }
                };
                targets.push(target);
            }
            successors.push(targets);
            cursor += 1;
        }
        Some((states, successors))
    }

    /// The recurrent class the chain settles in, found as the solver finds it
    /// (`src/solve/ctmc.rs`): from state 0, move to the first state that cannot come back until
    /// every state ahead can. Usually the initial state is recurrent; it is not when a standby
    /// member that never fails takes over for good.
    fn recurrent_class(successors: &[Vec<usize>]) -> Vec<usize> {
        let count = successors.len();
        let mut predecessors = vec![Vec::new(); count];
        for (from, targets) in successors.iter().enumerate() {
            for to in targets {
                predecessors[*to].push(from);
            }
        }
        let reach = |start: usize, edges: &[Vec<usize>]| {
            let mut seen = vec![false; count];
            let mut stack = vec![start];
            seen[start] = true;
            while let Some(state) = stack.pop() {
                for next in &edges[state] {
                    if !seen[*next] {
                        seen[*next] = true;
                        stack.push(*next);
                    }
                }
            }
            seen
        };
        let mut current = 0;
        loop {
            let forward = reach(current, successors);
            let backward = reach(current, &predecessors);
            match (0..count).find(|state| forward[*state] && !backward[*state]) {
                Some(state) => current = state,
                None => return (0..count).filter(|state| forward[*state]).collect(),
            }
        }
    }

    /// Explores the chain and starts the module in its recurrent class: returns the number of
    /// recurrent states (what Storm builds from the module's initial state), or `None` when
    /// the exploration passes `limit` states.
    fn settle(&mut self, limit: u64) -> Option<u64> {
        let (states, successors) = self.explore(limit)?;
        let recurrent = Self::recurrent_class(&successors);
        self.start = states[recurrent[0]].clone();
        Some(recurrent.len() as u64)
    }

    /// The module's commands, with names prefixed `p` (`g0`).
    fn commands(&self, p: &str) -> Vec<Command> {
        let types = self.types.len();
        let total = self.total();
        let slots = self.waiting_slots();
        let crews = self.crews;
        let r = |t: usize| format!("{p}_r{t}");
        let w = |j: u64| format!("{p}_w{j}");
        let i = |t: usize| format!("{p}_i{t}");
        let a = format!("{p}_a");
        let ph = format!("{p}_p");
        let set = |var: &str, value: String| format!("({var}'={value})");

        // Appending a failed unit of type t to the queue: into a free crew, else the line.
        let push = |t: usize| -> Vec<(Vec<String>, Vec<String>)> {
            let into_crew = set(&r(t), format!("{}+1", r(t)));
            if slots == 0 {
                return vec![(Vec::new(), vec![into_crew])];
            }
            let mut variants = vec![(vec![format!("{p}_busy<{crews}")], vec![into_crew])];
            if types == 1 {
                variants.push((
                    vec![format!("{p}_busy={crews}")],
                    vec![set(&format!("{p}_w"), format!("{p}_w+1"))],
                ));
            } else {
                for j in 1..=slots {
                    variants.push((
                        vec![format!("{p}_busy={crews}"), format!("{p}_nw={}", j - 1)],
                        vec![set(&w(j), (t + 1).to_string())],
                    ));
                }
            }
            variants
        };
        // The first type with an idle unit (the standby unit that takes over), per type.
        let first_idle = |s: usize| -> Vec<String> {
            let mut guard: Vec<String> = (0..s).map(|u| format!("{}=0", i(u))).collect();
            guard.push(format!("{}>0", i(s)));
            guard
        };
        let join = |mut left: Vec<String>, right: &[String]| {
            left.extend_from_slice(right);
            left
        };

        let mut commands = Vec::new();
        let dormant = self.dormant();
        let non_standby_down = match self.standby {
            Some(_) => Down::Never,
            None => Down::When(format!("{p}_nf={}", total - self.required_up)),
        };

        // Failures of idle units: standby units at the dormant rate, or every up unit of a
        // crew block. The last standby unit failing during a failover abandons it.
        for (t, unit) in self.types.iter().enumerate() {
            let rate = unit.failure_rate * dormant;
            if rate == 0.0 {
                continue;
            }
            let what = if self.standby.is_some() {
                "a standby unit"
            } else {
                "a unit"
            };
            let abandon = vec![format!("{a}=0"), format!("{ph}>0"), format!("{p}_idle=1")];
            for (guard, updates) in push(t) {
                let guard = join(vec![format!("{}>0", i(t))], &guard);
                if self.standby.is_some() {
                    commands.push(Command {
                        guard: join(guard.clone(), &[format!("!({})", abandon.join(" & "))]),
                        rate: format!("{}*{}", i(t), number(rate)),
                        updates: updates.clone(),
                        down: Down::Never,
                        note: format!("{what} of type {t} fails"),
                    });
                    commands.push(Command {
                        guard: join(guard, &abandon),
                        rate: format!("{}*{}", i(t), number(rate)),
                        updates: join(updates, &[set(&ph, "0".into())]),
                        down: Down::Never,
                        note: format!(
                            "the last standby unit (type {t}) fails: the failover is abandoned"
                        ),
                    });
                } else {
                    commands.push(Command {
                        guard,
                        rate: format!("{}*{}", i(t), number(rate)),
                        updates,
                        down: non_standby_down.clone(),
                        note: format!("{what} of type {t} fails"),
                    });
                }
            }
        }

        // Failure of the active unit.
        if let Some(rules) = self.standby {
            for (t, unit) in self.types.iter().enumerate() {
                let rate = unit.failure_rate;
                if rate == 0.0 {
                    continue;
                }
                let is_active = format!("{a}={}", t + 1);
                let covered = rate * rules.coverage;
                let uncovered = rate * (1.0 - rules.coverage);
                for (push_guard, push_updates) in push(t) {
                    let base = join(vec![is_active.clone()], &push_guard);
                    if covered > 0.0 {
                        if rules.failover_hours == 0.0 {
                            for s in 0..types {
                                commands.push(Command {
                                    guard: join(base.clone(), &first_idle(s)),
                                    rate: number(covered),
                                    updates: join(
                                        push_updates.clone(),
                                        &[set(&a, (s + 1).to_string())],
                                    ),
                                    down: Down::Never,
                                    note: format!(
                                        "the active unit (type {t}) fails; instantaneous failover to type {s}"
                                    ),
                                });
                            }
                        } else {
                            commands.push(Command {
                                guard: join(base.clone(), &[format!("{p}_idle>0")]),
                                rate: number(covered),
                                updates: join(
                                    push_updates.clone(),
                                    &[set(&a, "0".into()), set(&ph, AUTOMATIC.to_string())],
                                ),
                                down: Down::Always,
                                note: format!(
                                    "the active unit (type {t}) fails; automatic failover starts (coverage)"
                                ),
                            });
                        }
                    }
                    if uncovered > 0.0 {
                        commands.push(Command {
                            guard: join(base.clone(), &[format!("{p}_idle>0")]),
                            rate: number(uncovered),
                            updates: join(
                                push_updates.clone(),
                                &[set(&a, "0".into()), set(&ph, MANUAL.to_string())],
                            ),
                            down: Down::Always,
                            note: format!(
                                "the active unit (type {t}) fails; not covered: manual failover starts"
                            ),
                        });
                    }
                    commands.push(Command {
                        guard: join(base, &[format!("{p}_idle=0")]),
                        rate: number(rate),
                        updates: join(push_updates, &[set(&a, "0".into())]),
                        down: Down::Always,
                        note: format!("the active unit (type {t}) fails; no standby unit is up"),
                    });
                }
            }

            // End of a running failover: the first standby unit that is up becomes active.
            let mut phases = Vec::new();
            if rules.coverage > 0.0 && rules.failover_hours > 0.0 {
                phases.push((AUTOMATIC, rules.failover_hours, "automatic"));
            }
            if rules.coverage < 1.0 {
                phases.push((MANUAL, rules.manual_failover_hours, "manual"));
            }
            for (phase, hours, name) in phases {
                let rate = number(1.0 / hours);
                for s in 0..types {
                    commands.push(Command {
                        guard: join(vec![format!("{ph}={phase}")], &first_idle(s)),
                        rate: rate.clone(),
                        updates: vec![set(&ph, "0".into()), set(&a, (s + 1).to_string())],
                        down: Down::Never,
                        note: format!("the {name} failover ends: type {s} becomes active"),
                    });
                }
                commands.push(Command {
                    guard: vec![format!("{ph}={phase}"), format!("{p}_idle=0")],
                    rate,
                    updates: vec![set(&ph, "0".into())],
                    down: Down::Never,
                    note: format!("the {name} failover ends with no standby unit up"),
                });
            }
        }

        // Repairs: each unit under repair; the head of the waiting line takes the free crew.
        for (t, unit) in self.types.iter().enumerate() {
            let rate = format!("{}*{}", r(t), number(unit.repair_rate));
            let out = set(&r(t), format!("{}-1", r(t)));
            let mut variants: Vec<(Vec<String>, Vec<String>, String)> = Vec::new();
            if slots == 0 {
                variants.push((Vec::new(), vec![out], String::new()));
            } else if types == 1 {
                variants.push((vec![format!("{p}_w=0")], vec![out], String::new()));
                variants.push((
                    vec![format!("{p}_w>0")],
                    vec![set(&format!("{p}_w"), format!("{p}_w-1"))],
                    "; the first waiting unit's repair starts".into(),
                ));
            } else {
                variants.push((
                    vec![format!("{}=0", w(1))],
                    vec![out.clone()],
                    String::new(),
                ));
                let shift: Vec<String> = (1..=slots)
                    .map(|j| {
                        if j < slots {
                            set(&w(j), w(j + 1))
                        } else {
                            set(&w(j), "0".into())
                        }
                    })
                    .collect();
                for s in 0..types {
                    let mut updates = Vec::new();
                    if s != t {
                        updates.push(out.clone());
                        updates.push(set(&r(s), format!("{}+1", r(s))));
                    }
                    updates.extend(shift.iter().cloned());
                    variants.push((
                        vec![format!("{}={}", w(1), s + 1)],
                        updates,
                        format!("; the first waiting unit (type {s}) starts its repair"),
                    ));
                }
            }
            for (guard, updates, tail) in variants {
                let guard = join(vec![format!("{}>0", r(t))], &guard);
                if self.standby.is_some() {
                    commands.push(Command {
                        guard: join(guard.clone(), &[format!("{a}>0")]),
                        rate: rate.clone(),
                        updates: updates.clone(),
                        down: Down::Never,
                        note: format!("a unit of type {t} is repaired{tail}"),
                    });
                    commands.push(Command {
                        guard: join(guard, &[format!("{a}=0")]),
                        rate: rate.clone(),
                        updates: join(
                            updates,
                            &[set(&a, (t + 1).to_string()), set(&ph, "0".into())],
                        ),
                        down: Down::Never,
                        note: format!(
                            "a unit of type {t} is repaired and becomes active at once{tail}"
                        ),
                    });
                } else {
                    commands.push(Command {
                        guard,
                        rate: rate.clone(),
                        updates,
                        down: Down::Never,
                        note: format!("a unit of type {t} is repaired{tail}"),
                    });
                }
            }
        }
        commands
    }

    /// Variable declarations and derived formulas of the module `p`.
    fn declarations(&self, p: &str) -> (Vec<String>, Vec<String>) {
        let types = self.types.len();
        let slots = self.waiting_slots();
        let mut variables = Vec::new();
        let start = &self.start;
        for (t, unit) in self.types.iter().enumerate() {
            variables.push(format!(
                "{p}_r{t} : [0..{}] init {}; // units of type {t} under repair",
                unit.count.min(self.crews),
                start.repair[t]
            ));
        }
        if slots > 0 {
            if types == 1 {
                variables.push(format!(
                    "{p}_w : [0..{slots}] init {}; // failed units waiting for a crew",
                    start.waiting.len()
                ));
            } else {
                for j in 1..=slots {
                    let init = start
                        .waiting
                        .get(j as usize - 1)
                        .map_or(0, |t| u64::from(*t) + 1);
                    variables.push(format!(
                        "{p}_w{j} : [0..{types}] init {init}; // waiting line, position {j}: 0 empty, T+1 a unit of type T"
                    ));
                }
            }
        }
        if self.standby.is_some() {
            variables.push(format!(
                "{p}_a : [0..{types}] init {}; // active unit: 0 none, T+1 a unit of type T",
                start.active
            ));
            variables.push(format!(
                "{p}_p : [0..2] init {}; // failover: 0 none, 1 automatic, 2 manual",
                start.phase
            ));
        }

        let mut formulas = Vec::new();
        let busy: Vec<String> = (0..types).map(|t| format!("{p}_r{t}")).collect();
        formulas.push(format!("formula {p}_busy = {};", busy.join("+")));
        let waiting_of = |t: usize| -> String {
            if slots == 0 {
                String::new()
            } else if types == 1 {
                format!("+{p}_w")
            } else {
                (1..=slots)
                    .map(|j| format!("+({p}_w{j}={}?1:0)", t + 1))
                    .collect()
            }
        };
        if slots > 0 {
            let count = if types == 1 {
                format!("{p}_w")
            } else {
                (1..=slots)
                    .map(|j| format!("({p}_w{j}>0?1:0)"))
                    .collect::<Vec<_>>()
                    .join("+")
            };
            formulas.push(format!("formula {p}_nw = {count};"));
        }
        let waiting_total = if slots > 0 {
            format!("+{p}_nw")
        } else {
            String::new()
        };
        formulas.push(format!("formula {p}_nf = {p}_busy{waiting_total};"));
        for (t, unit) in self.types.iter().enumerate() {
            let active = if self.standby.is_some() {
                format!("-({p}_a={}?1:0)", t + 1)
            } else {
                String::new()
            };
            formulas.push(format!(
                "formula {p}_i{t} = {}-({p}_r{t}{}){active}; // idle up units of type {t}",
                unit.count,
                waiting_of(t)
            ));
        }
        if self.standby.is_some() {
            let idle: Vec<String> = (0..types).map(|t| format!("{p}_i{t}")).collect();
            formulas.push(format!("formula {p}_idle = {};", idle.join("+")));
            formulas.push(format!("formula {p}_up = {p}_a>0 & {p}_p=0;"));
        } else {
            formulas.push(format!(
                "formula {p}_up = {p}_nf<={};",
                self.total() - self.required_up
            ));
        }
        (variables, formulas)
    }
}

/// Builds the instances of a model, like `src/simulate/plan.rs` but keeping the structure as
/// formulas.
struct Builder<'m> {
    model: &'m Model,
    units: Vec<Unit>,
    groups: Vec<Group>,
    gates: Vec<Gate>,
    shared: HashMap<NodeRef, Expr>,
    /// Units that never fail (λ = 0), for the header.
    constant_units: Vec<String>,
}

impl Builder<'_> {
    /// The structure of one reference to `node`: a new copy, or the shared one.
    fn node(&mut self, node: NodeRef, place: &str) -> Expr {
        if self.model.is_shared(node) {
            if let Some(expr) = self.shared.get(&node) {
                return expr.clone();
            }
            let place = "shared: one physical unit wherever it is referenced".to_string();
            let expr = self.build(node, &place);
            self.shared.insert(node, expr.clone());
            return expr;
        }
        self.build(node, place)
    }

    fn build(&mut self, node: NodeRef, place: &str) -> Expr {
        match node {
            NodeRef::Component(index) => {
                let component = &self.model.components[index];
                self.unit(
                    component.failure_rate,
                    component.repair_rate,
                    format!("component `{}`, {place}", component.name),
                )
            }
            NodeRef::Block(index) => self.block(index, place),
        }
    }

    fn unit(&mut self, failure_rate: f64, repair_rate: f64, what: String) -> Expr {
        if failure_rate == 0.0 {
            self.constant_units.push(what);
            return Expr::Const(true);
        }
        self.units.push(Unit {
            failure_rate,
            repair_rate,
            what,
        });
        Expr::Unit(self.units.len() - 1)
    }

    /// One instance of block `index`; its gate is numbered after its children's.
    fn block(&mut self, index: usize, place: &str) -> Expr {
        let model = self.model;
        let block = &model.blocks[index];
        let beta = block.common_cause_beta.unwrap_or(0.0);
        let standby = match &block.kind {
            BlockKind::Standby(rules) => Some(StandbyRules::from(rules)),
            _ => None,
        };
        let crews = block.limiting_crews();
        let inside = format!("in block `{}`", block.name);
        let inner = if standby.is_some() || crews.is_some() {
            // Unit types exactly as the solver forms them (src/solve/structure.rs): runs of
            // consecutive identical members in a standby block (the listing order decides who
            // takes over), one type per component elsewhere.
            let mut types: Vec<UnitType> = Vec::new();
            for member in &block.members {
                let NodeRef::Component(component_index) = member.node else {
                    unreachable!("validation allows only components in dependent blocks")
                };
                let component = &model.components[component_index];
                let existing = if standby.is_some() {
                    types.last_mut().filter(|t| t.component == component_index)
                } else {
                    types.iter_mut().find(|t| t.component == component_index)
                };
                match existing {
                    Some(unit) => unit.count += member.count,
                    None => types.push(UnitType {
                        component: component_index,
                        count: member.count,
                        failure_rate: component.failure_rate * (1.0 - beta),
                        repair_rate: component.repair_rate,
                    }),
                }
            }
            let total: u64 = types.iter().map(|t| t.count).sum();
            let mut group = Group {
                block: index,
                types,
                crews: crews.unwrap_or(total).min(total),
                required_up: block.required_up(),
                standby,
                start: GroupState {
                    repair: Vec::new(),
                    waiting: Vec::new(),
                    active: 0,
                    phase: IDLE,
                },
            };
            group.start = group.initial();
            self.groups.push(group);
            Expr::Group(self.groups.len() - 1)
        } else {
            let mut items = Vec::new();
            for member in &block.members {
                if block.common_cause_beta.is_some() {
                    // Members are copies of one non-shared component, at (1 − β)λ.
                    let NodeRef::Component(component_index) = member.node else {
                        unreachable!("the loader requires common-cause members to be components")
                    };
                    let component = &model.components[component_index];
                    for _ in 0..member.count {
                        let unit = self.unit(
                            component.failure_rate * (1.0 - beta),
                            component.repair_rate,
                            format!(
                                "component `{}` at (1 - beta) lambda, {inside}",
                                component.name
                            ),
                        );
                        items.push(unit);
                    }
                } else if model.is_shared(member.node) {
                    let child = self.node(member.node, &inside);
                    for _ in 0..member.count {
                        items.push(child.clone());
                    }
                } else {
                    for _ in 0..member.count {
                        items.push(self.node(member.node, &inside));
                    }
                }
            }
            Expr::AtLeast(block.required_up(), items)
        };
        let expr = match block.common_cause_beta {
            Some(beta) => {
                let NodeRef::Component(component_index) = block.members[0].node else {
                    unreachable!("the loader requires common-cause members to be components")
                };
                let component = &model.components[component_index];
                let element = self.unit(
                    beta * component.failure_rate,
                    component.repair_rate,
                    format!("common-cause element of block `{}` ({place})", block.name),
                );
                Expr::AtLeast(2, vec![inner, element])
            }
            None => inner,
        };
        self.gates.push(Gate {
            block: index,
            expr,
            place: place.to_string(),
        });
        Expr::Gate(self.gates.len() - 1)
    }

    /// States of the product chain: 2 per unit times each dependent block's reachable states.
    fn count_states(&mut self, units: u64) -> Result<u128, ExportError> {
        let too_many = |states| ExportError::TooManyStates {
            units,
            states,
            limit: MAX_STATES,
        };
        let mut product: u128 = 1;
        for _ in &self.units {
            product *= 2;
            if product > u128::from(MAX_STATES) {
                let full = 1u128.checked_shl(self.units.len() as u32);
                return Err(too_many(full.filter(|_| self.groups.is_empty())));
            }
        }
        for group in &mut self.groups {
            let limit = u128::from(MAX_STATES) / product;
            match group.settle(limit as u64) {
                Some(states) => product *= u128::from(states),
                None => return Err(too_many(None)),
            }
        }
        Ok(product)
    }

    /// The leaves (units and dependent blocks) below each gate.
    fn gate_leaves(&self) -> Vec<HashSet<Leaf>> {
        let mut leaves: Vec<HashSet<Leaf>> = Vec::with_capacity(self.gates.len());
        fn collect(expr: &Expr, leaves: &[HashSet<Leaf>], into: &mut HashSet<Leaf>) {
            match expr {
                Expr::Const(_) => {}
                Expr::Unit(i) => {
                    into.insert(Leaf::Unit(*i));
                }
                Expr::Group(k) => {
                    into.insert(Leaf::Group(*k));
                }
                Expr::Gate(j) => into.extend(leaves[*j].iter().copied()),
                Expr::AtLeast(_, items) => {
                    for item in items {
                        collect(item, leaves, into);
                    }
                }
            }
        }
        for gate in &self.gates {
            let mut set = HashSet::new();
            collect(&gate.expr, &leaves, &mut set);
            leaves.push(set);
        }
        leaves
    }

    /// `expr` with `leaf` forced down: gates that contain it are expanded inline.
    fn force_down(&self, expr: &Expr, leaf: Leaf, leaves: &[HashSet<Leaf>]) -> Expr {
        match expr {
            Expr::Unit(i) if leaf == Leaf::Unit(*i) => Expr::Const(false),
            Expr::Group(k) if leaf == Leaf::Group(*k) => Expr::Const(false),
            Expr::Gate(j) if leaves[*j].contains(&leaf) => {
                self.force_down(&self.gates[*j].expr, leaf, leaves)
            }
            Expr::AtLeast(k, items) => Expr::AtLeast(
                *k,
                items
                    .iter()
                    .map(|item| self.force_down(item, leaf, leaves))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The outage reward: items whose sum, in each state, is the rate of leaving it for a down
    /// state.
    ///
    /// # Formula
    /// f = Σ_{s up} π_s Σ_{s′ down} q(s, s′) (§9), so f is the long-run average of the state
    /// reward ρ(s) = [s up] · Σ_{s′ down} q(s, s′). Modules never synchronise: each transition
    /// changes the variables of one module M only. The structure is monotone (series, parallel
    /// and k-of-n only get worse when a member goes down), so from an up state a transition of
    /// M reaches a down state exactly when it takes M's own up-state from true to false and M
    /// is critical: crit_M = ¬ system_up[M := down], the structure with M forced down. Hence
    /// ρ(s) = Σ_M [system_up ∧ crit_M](s) · d_M(s), where d_M(s) is the total rate of M's
    /// transitions that take M from up to down: λ for an independent unit or common-cause
    /// element, and for a dependent block the rates of the commands marked as going down
    /// (the active unit failing, unless an instantaneous failover covers it; a unit failing
    /// when exactly n − k are failed).
    fn rewards(&self, leaves: &[HashSet<Leaf>]) -> (Vec<String>, Vec<String>) {
        let top = Expr::Gate(self.gates.len() - 1);
        let mut formulas = Vec::new();
        let mut items = Vec::new();
        for (i, unit) in self.units.iter().enumerate() {
            let forced = simplify(self.force_down(&top, Leaf::Unit(i), leaves));
            formulas.push(format!("formula crit_u{i} = !({});", render(&forced)));
            items.push(format!(
                "system_up & crit_u{i} : {}; // u{i} fails",
                number(unit.failure_rate)
            ));
        }
        for (k, group) in self.groups.iter().enumerate() {
            let forced = simplify(self.force_down(&top, Leaf::Group(k), leaves));
            formulas.push(format!("formula crit_g{k} = !({});", render(&forced)));
            for command in group.commands(&format!("g{k}")) {
                let mut guard = vec!["system_up".to_string(), format!("crit_g{k}")];
                guard.extend(command.guard.iter().cloned());
                match &command.down {
                    Down::Never => continue,
                    Down::Always => {}
                    Down::When(condition) => guard.push(condition.clone()),
                }
                items.push(format!(
                    "{} : {}; // g{k}: {}",
                    guard.join(" & "),
                    command.rate,
                    comment(&command.note)
                ));
            }
        }
        (formulas, items)
    }

    fn render(&self, top: &Expr, units: u64, states: u128) -> String {
        let model = self.model;
        let mut out = String::new();
        let line = |out: &mut String, text: &str| {
            out.push_str(text);
            out.push('\n');
        };
        line(
            &mut out,
            &format!(
                "// PRISM model of `{}`, written by nines {} (`nines export --format prism`).",
                comment(&model.name),
                env!("CARGO_PKG_VERSION")
            ),
        );
        line(
            &mut out,
            "// The unit-level Markov chain the exact solver solves (docs/model-format.md); rates per hour.",
        );
        line(
            &mut out,
            &format!(
                "// physical units: {units}; modules: {}; states: {states}",
                self.units.len() + self.groups.len()
            ),
        );
        line(
            &mut out,
            "// U = S=? [ \"down\" ] (or R{\"down_time\"}=? [ S ]); f per hour = R{\"outages\"}=? [ S ].",
        );
        line(
            &mut out,
            "// Storm: storm --prism FILE --prismcompat --prop 'S=? [\"down\"]; R{\"outages\"}=? [ S ]' (--exact: rational arithmetic)",
        );
        for what in &self.constant_units {
            line(
                &mut out,
                &format!("// never fails (always up, no module): {}", comment(what)),
            );
        }
        line(&mut out, "");
        line(&mut out, "ctmc");
        line(&mut out, "");

        for (i, unit) in self.units.iter().enumerate() {
            line(&mut out, &format!("// u{i}: {}", comment(&unit.what)));
            line(&mut out, &format!("module m_u{i}"));
            line(&mut out, &format!("  u{i} : bool init true; // up"));
            line(
                &mut out,
                &format!(
                    "  [] u{i} -> {} : (u{i}'=false); // failure",
                    number(unit.failure_rate)
                ),
            );
            line(
                &mut out,
                &format!(
                    "  [] !u{i} -> {} : (u{i}'=true); // repair",
                    number(unit.repair_rate)
                ),
            );
            line(&mut out, "endmodule");
            line(&mut out, "");
        }

        if self.units.is_empty() && self.groups.is_empty() {
            // PRISM needs a module; nothing fails, so the chain is one state.
            line(
                &mut out,
                "// Nothing in the model can fail: the chain has one state.",
            );
            line(&mut out, "module m_none");
            line(&mut out, "  none : bool init true;");
            line(&mut out, "endmodule");
            line(&mut out, "");
        }

        for (k, group) in self.groups.iter().enumerate() {
            let p = format!("g{k}");
            let block = &model.blocks[group.block];
            let kind = match (&block.kind, group.standby) {
                (_, Some(_)) => "standby".to_string(),
                (BlockKind::Series, _) => "series".to_string(),
                (BlockKind::Parallel, _) => "parallel".to_string(),
                (BlockKind::KOfN { k }, _) => format!("{k}-of-{}", group.total()),
                (BlockKind::Standby(_), None) => unreachable!("standby blocks have rules"),
            };
            let place = self
                .gates
                .iter()
                .find(|gate| gate.expr_contains_group(k))
                .map_or(String::new(), |gate| gate.place.clone());
            let repair = if group.crews < group.total() {
                format!(
                    "{} repair crew{}, first failed first repaired",
                    group.crews,
                    if group.crews == 1 { "" } else { "s" }
                )
            } else {
                "unlimited repair".to_string()
            };
            line(
                &mut out,
                &format!(
                    "// {p}: block `{}` ({kind}, {} units, {repair}), {}",
                    comment(&block.name),
                    group.total(),
                    comment(&place)
                ),
            );
            for (t, unit) in group.types.iter().enumerate() {
                line(
                    &mut out,
                    &format!(
                        "//   type {t}: {} x component `{}`, lambda {}, mu {}",
                        unit.count,
                        comment(&model.components[unit.component].name),
                        number(unit.failure_rate),
                        number(unit.repair_rate)
                    ),
                );
            }
            if let Some(rules) = group.standby {
                line(
                    &mut out,
                    &format!(
                        "//   standby: dormant factor {}, failover {} h, coverage {}, manual failover {} h",
                        number(rules.dormant_factor),
                        number(rules.failover_hours),
                        number(rules.coverage),
                        number(rules.manual_failover_hours)
                    ),
                );
            }
            if group.start != group.initial() {
                line(
                    &mut out,
                    "//   starts in its recurrent class: from the solver's initial state (first member active, all up) the chain never returns",
                );
            }
            let (variables, formulas) = group.declarations(&p);
            for formula in formulas {
                line(&mut out, &formula);
            }
            line(&mut out, &format!("module m_{p}"));
            for variable in variables {
                line(&mut out, &format!("  {variable}"));
            }
            for command in group.commands(&p) {
                line(&mut out, &format!("  {}", command.render()));
            }
            line(&mut out, "endmodule");
            line(&mut out, "");
        }

        line(
            &mut out,
            "// Block instances: bJ holds while instance J is up (series: all, parallel: any, k-of-n: at least k).",
        );
        for (j, gate) in self.gates.iter().enumerate() {
            let block = &model.blocks[gate.block];
            line(
                &mut out,
                &format!(
                    "// b{j}: block `{}`, {}",
                    comment(&block.name),
                    comment(&gate.place)
                ),
            );
            line(
                &mut out,
                &format!("formula b{j} = {};", render(&simplify(gate.expr.clone()))),
            );
        }
        line(
            &mut out,
            &format!("formula system_up = {};", render(&simplify(top.clone()))),
        );
        line(&mut out, "");
        line(&mut out, "label \"down\" = !system_up;");
        line(&mut out, "label \"up\" = system_up;");
        line(&mut out, "");

        let leaves = self.gate_leaves();
        let (formulas, items) = self.rewards(&leaves);
        line(
            &mut out,
            "// crit_X: the system is down when X is forced down (X is critical).",
        );
        for formula in formulas {
            line(&mut out, &formula);
        }
        line(&mut out, "");
        line(
            &mut out,
            "// Outage frequency f: in an up state, the total rate of transitions into down states.",
        );
        line(
            &mut out,
            "// A transition of module X leads to a down state when it takes X from up to down and X is critical.",
        );
        line(&mut out, "rewards \"outages\"");
        if items.is_empty() {
            line(&mut out, "  false : 0; // nothing can take the system down");
        }
        for item in items {
            line(&mut out, &format!("  {item}"));
        }
        line(&mut out, "endrewards");
        line(&mut out, "");
        line(&mut out, "// Unavailability U: 1 per hour spent down.");
        line(&mut out, "rewards \"down_time\"");
        line(&mut out, "  !system_up : 1;");
        line(&mut out, "endrewards");
        out
    }
}

impl Gate {
    fn expr_contains_group(&self, group: usize) -> bool {
        fn contains(expr: &Expr, group: usize) -> bool {
            match expr {
                Expr::Group(k) => *k == group,
                Expr::AtLeast(_, items) => items.iter().any(|item| contains(item, group)),
                _ => false,
            }
        }
        contains(&self.expr, group)
    }
}

impl Command {
    fn render(&self) -> String {
        let guard = if self.guard.is_empty() {
            "true".to_string()
        } else {
            self.guard.join(" & ")
        };
        let updates = if self.updates.is_empty() {
            "true".to_string()
        } else {
            self.updates.join("&")
        };
        format!(
            "[] {guard} -> {} : {updates}; // {}",
            self.rate,
            comment(&self.note)
        )
    }
}

/// Folds constants: a down member of a series, an up member of a parallel, and so on.
fn simplify(expr: Expr) -> Expr {
    let Expr::AtLeast(k, items) = expr else {
        return expr;
    };
    let mut needed = k;
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        match simplify(item) {
            Expr::Const(true) => needed = needed.saturating_sub(1),
            Expr::Const(false) => {}
            other => kept.push(other),
        }
    }
    if needed == 0 {
        Expr::Const(true)
    } else if needed > kept.len() as u64 {
        Expr::Const(false)
    } else if kept.len() == 1 {
        kept.pop().expect("one item")
    } else {
        Expr::AtLeast(needed, kept)
    }
}

/// PRISM text of a (simplified) structure.
fn render(expr: &Expr) -> String {
    match expr {
        Expr::Const(value) => value.to_string(),
        Expr::Unit(i) => format!("u{i}"),
        Expr::Group(k) => format!("g{k}_up"),
        Expr::Gate(j) => format!("b{j}"),
        Expr::AtLeast(k, items) => {
            let parts: Vec<String> = items.iter().map(render).collect();
            if *k as usize == items.len() {
                format!("({})", parts.join(" & "))
            } else if *k == 1 {
                format!("({})", parts.join(" | "))
            } else {
                let counts: Vec<String> = parts.iter().map(|p| format!("({p}?1:0)")).collect();
                format!("({}>={k})", counts.join("+"))
            }
        }
    }
}

/// A number PRISM and Storm both read back to the same double: the shortest round-trip form,
/// with a decimal point before any exponent (`1.0e-7`).
fn number(value: f64) -> String {
    let text = format!("{value:?}");
    match text.find('e') {
        Some(position) if !text[..position].contains('.') => {
            format!("{}.0{}", &text[..position], &text[position..])
        }
        _ => text,
    }
}

/// Text that is safe inside a `//` comment: no line breaks or other control characters can
/// end the comment early and smuggle in model text.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_model;
    use crate::solve::ctmc::Chain;

    fn model(text: &str) -> Model {
        match load_model("test.toml", text, &[]) {
            Ok(loaded) => loaded.model,
            Err(_) => panic!("invalid test model:\n{text}"),
        }
    }

    fn conformance(name: &str) -> Model {
        let path = format!(
            "{}/tests/fixtures/conformance/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        model(&std::fs::read_to_string(path).expect("conformance model"))
    }

    /// A dependent block's explored chain solved by GTH: the same rules the PRISM commands
    /// encode, compared with the solver's own chain.
    fn group_measures(group: &Group) -> crate::solve::Measures {
        let mut chain = Chain::default();
        let mut index: HashMap<GroupState, usize> = HashMap::new();
        let mut states = vec![group.initial()];
        index.insert(
            group.initial(),
            chain.add_state(group.is_up(&group.initial())),
        );
        let mut cursor = 0;
        while cursor < states.len() {
            let state = states[cursor].clone();
            for (next, rate) in group.successors(&state) {
                let to = match index.get(&next) {
                    Some(to) => *to,
                    None => {
                        let to = chain.add_state(group.is_up(&next));
                        index.insert(next.clone(), to);
                        states.push(next);
                        to
                    }
                };
                chain.add_rate(cursor, to, rate);
            }
            cursor += 1;
        }
        chain.measures()
    }

    fn builder(model: &Model) -> Builder<'_> {
        let mut builder = Builder {
            model,
            units: Vec::new(),
            groups: Vec::new(),
            gates: Vec::new(),
            shared: HashMap::new(),
            constant_units: Vec::new(),
        };
        builder.node(NodeRef::Block(model.top), "the system");
        builder
    }

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            ((actual - expected) / expected).abs() <= tolerance,
            "actual {actual:e}, expected {expected:e}"
        );
    }

    #[test]
    fn dependent_blocks_explore_the_solvers_chain() {
        for name in [
            "coverage95",
            "failover30s",
            "parallel_crew_fifo",
            "warm_standby3",
        ] {
            let model = conformance(name);
            let built = builder(&model);
            assert_eq!(built.groups.len(), 1, "{name}");
            let ours = group_measures(&built.groups[0]);
            let solver = crate::solve::solve(&model).unwrap().system;
            close(ours.unavailability, solver.unavailability, 1e-12);
            close(ours.frequency, solver.frequency, 1e-12);
        }
    }

    #[test]
    fn mixed_standby_and_crew_lines_match_the_solver() {
        // Three types in a standby block with one crew: the waiting line holds types in order.
        let text = r#"
            [component.a]
            mtbf = "100h"
            mttr = "10h"
            [component.b]
            mtbf = "50h"
            mttr = "20h"
            [block.system]
            kind = "standby"
            members = ["a", "b", "a", "b"]
            mode = "warm"
            dormant_factor = 0.3
            failover = "1h"
            coverage = 0.8
            manual_failover = "3h"
            repair_crews = 1
        "#;
        let model = model(text);
        let built = builder(&model);
        assert_eq!(built.groups[0].types.len(), 4);
        let ours = group_measures(&built.groups[0]);
        let solver = crate::solve::solve(&model).unwrap().system;
        close(ours.unavailability, solver.unavailability, 1e-11);
        close(ours.frequency, solver.frequency, 1e-11);
    }

    #[test]
    fn the_pair_of_the_worked_example_has_four_states_and_both_rewards() {
        let text = r#"
            name = "Pair"
            top = "pair"
            [component.server]
            mtbf = "1000h"
            mttr = "10h"
            [block.pair]
            kind = "parallel"
            of = "server"
            count = 2
        "#;
        let out = prism(&model(text)).unwrap();
        assert!(out.contains("\nctmc\n"), "{out}");
        assert!(out.contains("module m_u0"), "{out}");
        assert!(out.contains("module m_u1"), "{out}");
        assert!(out.contains("[] u0 -> 0.001 : (u0'=false);"), "{out}");
        assert!(out.contains("[] !u1 -> 0.1 : (u1'=true);"), "{out}");
        assert!(out.contains("formula b0 = (u0 | u1);"), "{out}");
        assert!(out.contains("formula crit_u0 = !(u1);"), "{out}");
        assert!(out.contains("label \"down\" = !system_up;"), "{out}");
        assert!(out.contains("rewards \"outages\""), "{out}");
        assert!(out.contains("system_up & crit_u0 : 0.001;"), "{out}");
        assert!(out.contains("rewards \"down_time\""), "{out}");
        assert!(out.contains("states: 4"), "{out}");
    }

    #[test]
    fn shared_units_are_one_module_and_copies_are_many() {
        let model = conformance("shared_block");
        let built = builder(&model);
        // grid + ups once, one server per rack copy.
        assert_eq!(built.units.len(), 4);
        // power once, two racks, the system.
        assert_eq!(built.gates.len(), 4);
        assert_eq!(physical_units(&model), 4);
    }

    #[test]
    fn common_cause_is_an_element_in_series() {
        let model = conformance("ccf_2of3");
        let out = prism(&model).unwrap();
        // Three members at (1 − β)λ and the element at βλ, all repaired at μ = 1/8.
        assert_eq!(out.matches("module m_u").count(), 4, "{out}");
        assert!(out.contains("-> 0.125 :"), "{out}");
        assert!(
            out.contains("formula b0 = (((u0?1:0)+(u1?1:0)+(u2?1:0)>=2) & u3);"),
            "{out}"
        );
    }

    #[test]
    fn units_that_never_fail_are_constants() {
        let text = r#"
            [component.a]
            failure_rate = 0
            mttr = "1h"
            [component.b]
            mtbf = "100h"
            mttr = "1h"
            [block.system]
            kind = "series"
            members = ["a", "b"]
        "#;
        let out = prism(&model(text)).unwrap();
        assert!(out.contains("formula b0 = u0;"), "{out}");
        assert!(out.contains("never fails"), "{out}");
        assert_eq!(out.matches("\nmodule ").count(), 1, "{out}");
    }

    #[test]
    fn comments_cannot_be_broken_out_of() {
        let text = "name = \"x\\nmodule evil\\r\\u2028label \\\"down\\\" = true;\"\n[component.a]\nmtbf = \"100h\"\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n";
        let out = prism(&model(text)).unwrap();
        for line in out.lines() {
            assert!(
                !line.starts_with("module evil") && !line.starts_with("label \"down\" = true"),
                "{out}"
            );
        }
        assert_eq!(out.matches("label \"down\"").count(), 2, "{out}");
    }

    #[test]
    fn numbers_read_back_exactly() {
        for value in [0.001, 1.0, 1e-7, 1.1408e-4, 1.0 / 3.0, 2.5e20, 123456.0] {
            let text = number(value);
            assert!(!text.contains('e') || text[..text.find('e').unwrap()].contains('.'));
            assert_eq!(text.parse::<f64>().unwrap(), value, "{text}");
        }
        assert_eq!(number(1e-7), "1.0e-7");
    }

    #[test]
    fn too_many_units_and_states_are_refused() {
        let model = model(
            r#"
            [component.a]
            mtbf = "100h"
            mttr = "1h"
            [block.system]
            kind = "parallel"
            of = "a"
            count = 21
        "#,
        );
        match prism(&model) {
            Err(ExportError::TooManyStates {
                units: 21,
                states: Some(states),
                ..
            }) => assert_eq!(states, 1 << 21),
            other => panic!("{other:?}"),
        }
        let mut large = model.clone();
        large.blocks[0].members[0].count = 10_000_000;
        assert!(matches!(
            prism(&large),
            Err(ExportError::TooManyUnits {
                units: 10_000_000,
                ..
            })
        ));
    }

    #[test]
    fn large_crew_blocks_of_identical_units_stay_small() {
        let model = model(
            r#"
            [component.a]
            mtbf = "100h"
            mttr = "1h"
            [block.system]
            kind = "k-of-n"
            k = 50
            of = "a"
            count = 60
            repair_crews = 2
        "#,
        );
        let out = prism(&model).unwrap();
        assert!(out.contains("states: 61"), "{out}");
    }
}
