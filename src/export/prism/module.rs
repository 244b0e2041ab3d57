//! The PRISM modules: one per independent unit (a Boolean `uI`) and one per dependent block
//! instance (the solver's counted state as integer variables), with their declarations,
//! derived formulas and guarded commands.
//!
//! A dependent block's module holds, per unit type, the units under repair (`gK_rT`); the
//! waiting line in failure order (`gK_w`, or `gK_w1…` with several unit types); the active
//! unit's type (`gK_a`, 0 none, T+1 type T) and the failover phase (`gK_p`, the values of
//! [`Phase`]); with a leader election the leader's type (`gK_l`, 0 none, T+1 type T), with a
//! failure pause whether it runs (`gK_q`, 0 or 1). Its commands are the solver's rules written as guards ([`super::commands`]).

use super::{comment, number};
use crate::solve::dependent::{DependentBlock, Phase, State, initial_state};
use std::fmt::{self, Write};

/// An independent two-state unit: the module `m_uI`.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    /// λ per hour.
    pub(super) failure_rate: f64,
    /// μ per hour.
    pub(super) repair_rate: f64,
    /// What it is and where it sits, for its comment.
    pub(super) what: String,
    /// The crew pool of a joint block that repairs it (`None`: repaired by itself).
    pub(super) pool: Option<usize>,
    /// The standby memberships `(standby, member)` above it: it fails at d·λ while the
    /// member is not the active one.
    pub(super) dormancy: Vec<(usize, usize)>,
}

impl Unit {
    /// Writes the module `m_u{index}`.
    pub(super) fn write_module(&self, index: usize, out: &mut String) -> fmt::Result {
        let i = index;
        writeln!(out, "// u{i}: {}", comment(&self.what))?;
        writeln!(out, "module m_u{i}")?;
        writeln!(out, "  u{i} : bool init true; // up")?;
        writeln!(
            out,
            "  [] u{i} -> {} : (u{i}'=false); // failure",
            number(self.failure_rate)
        )?;
        writeln!(
            out,
            "  [] !u{i} -> {} : (u{i}'=true); // repair",
            number(self.repair_rate)
        )?;
        writeln!(out, "endmodule")?;
        writeln!(out)
    }
}

/// A dependent block instance (limiting crews or standby): the module `m_gK`.
#[derive(Debug, Clone)]
pub(super) struct Group {
    /// The model block it copies.
    pub(super) block: usize,
    /// Its unit types and rules, as the solver sees them.
    pub(super) dependent: DependentBlock,
    /// The component of each unit type, for comments.
    pub(super) components: Vec<usize>,
    /// The module's initial state: the solver's initial state, or the first state of the
    /// recurrent class when that one is transient (set when the states are counted).
    pub(super) start: State,
    /// Whether [`Self::start`] is the solver's initial state.
    pub(super) starts_in_initial_state: bool,
}

/// When a command of a dependent block takes the block from up to down.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Down {
    /// Never (the block stays up, or was down already).
    Never,
    /// Always (from an up state).
    Always,
    /// When this condition holds in the source state.
    When(String),
}

/// One guarded command of a dependent block's module.
#[derive(Debug, Clone)]
pub(super) struct Command {
    /// Conditions on the source state, joined by `&`.
    pub(super) guard: Vec<String>,
    /// The rate expression.
    pub(super) rate: String,
    /// Assignments, joined by `&`.
    pub(super) updates: Vec<String>,
    /// Whether it takes the block down (for the outage reward).
    pub(super) down: Down,
    /// What happens, for its comment.
    pub(super) note: String,
}

impl Command {
    /// `[] guard -> rate : updates; // note`.
    pub(super) fn render(&self) -> String {
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

impl Group {
    /// A module for block `block` whose chain starts in the solver's initial state.
    pub(super) fn new(block: usize, dependent: DependentBlock, components: Vec<usize>) -> Self {
        let start = initial_state(&dependent);
        Self {
            block,
            dependent,
            components,
            start,
            starts_in_initial_state: true,
        }
    }

    /// Units in the block.
    pub(super) fn total(&self) -> u64 {
        self.dependent.total_units()
    }

    /// Crews at work at most at once (= units when unlimited).
    pub(super) fn crews(&self) -> u64 {
        self.dependent.working_crews() as u64
    }

    /// Waiting positions: units beyond the crews.
    pub(super) fn waiting_slots(&self) -> u64 {
        self.total() - self.crews()
    }

    /// Variable declarations (with the start state as initial values) and derived formulas of
    /// the module `p`.
    pub(super) fn declarations(&self, p: &str) -> (Vec<String>, Vec<String>) {
        (self.variables(p), self.formulas(p))
    }

    fn variables(&self, p: &str) -> Vec<String> {
        let types = self.dependent.types.len();
        let slots = self.waiting_slots();
        let crews = self.dependent.working_crews();
        let in_repair = self.start.in_repair(types, crews);
        let waiting = self.start.waiting(crews);
        let mut variables = Vec::new();
        for (t, unit) in self.dependent.types.iter().enumerate() {
            variables.push(format!(
                "{p}_r{t} : [0..{}] init {}; // units of type {t} under repair",
                unit.count.min(self.crews()),
                in_repair[t]
            ));
        }
        if slots > 0 {
            if types == 1 {
                variables.push(format!(
                    "{p}_w : [0..{slots}] init {}; // failed units waiting for a crew",
                    waiting.len()
                ));
            } else {
                for j in 1..=slots {
                    let init = waiting.get(j as usize - 1).map_or(0, |t| u64::from(*t) + 1);
                    variables.push(format!(
                        "{p}_w{j} : [0..{types}] init {init}; // waiting line, position {j}: 0 empty, T+1 a unit of type T"
                    ));
                }
            }
        }
        if self.dependent.standby.is_some() {
            let active = self.start.active.map_or(0, |t| t + 1);
            variables.push(format!(
                "{p}_a : [0..{types}] init {active}; // active unit: 0 none, T+1 a unit of type T"
            ));
            variables.push(format!(
                "{p}_p : [0..{}] init {}; // failover: {} none, {} automatic, {} manual",
                Phase::Manual as u8,
                self.start.phase as u8,
                Phase::Idle as u8,
                Phase::Automatic as u8,
                Phase::Manual as u8
            ));
        }
        if self.dependent.election_hours.is_some() {
            let leader = self.start.active.map_or(0, |t| t + 1);
            variables.push(format!(
                "{p}_l : [0..{types}] init {leader}; // leader: 0 none (electing while enough are up), T+1 a unit of type T"
            ));
        }
        if self.dependent.pause_hours.is_some() {
            variables.push(format!(
                "{p}_q : [0..1] init {}; // failure pause running",
                u8::from(self.start.paused)
            ));
        }
        variables
    }

    fn formulas(&self, p: &str) -> Vec<String> {
        let types = self.dependent.types.len();
        let slots = self.waiting_slots();
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
        for (t, unit) in self.dependent.types.iter().enumerate() {
            let active = if self.dependent.standby.is_some() {
                format!("-({p}_a={}?1:0)", t + 1)
            } else if self.dependent.election_hours.is_some() {
                format!("-({p}_l={}?1:0)", t + 1)
            } else {
                String::new()
            };
            formulas.push(format!(
                "formula {p}_i{t} = {}-({p}_r{t}{}){active}; // idle up units of type {t}",
                unit.count,
                waiting_of(t)
            ));
        }
        if self.dependent.standby.is_some() {
            let idle: Vec<String> = (0..types).map(|t| format!("{p}_i{t}")).collect();
            formulas.push(format!("formula {p}_idle = {};", idle.join("+")));
            formulas.push(format!("formula {p}_up = {p}_a>0 & {p}_p=0;"));
        } else {
            let leader = match self.dependent.election_hours {
                Some(_) => format!(" & {p}_l>0"),
                None => String::new(),
            };
            let pause = match self.dependent.pause_hours {
                Some(_) => format!(" & {p}_q=0"),
                None => String::new(),
            };
            formulas.push(format!(
                "formula {p}_up = {p}_nf<={}{leader}{pause};",
                self.total() - self.dependent.required_up
            ));
        }
        formulas
    }
}
