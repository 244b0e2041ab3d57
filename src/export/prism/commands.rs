//! A dependent block's rules written as PRISM guarded commands.
//!
//! The rules come from the solver ([`transition_rules`]): the same list, in the same order,
//! that generates the chain `nines solve` solves. Each rule becomes one or more commands over
//! the module's counters, because PRISM has no "first idle unit" or "append to the queue":
//!
//! - appending a failed unit to the queue is one case per place it lands (a free crew, or
//!   position j of the waiting line), guarded by the crews busy and the line's length;
//! - "the first idle unit takes over" is one case per type s, guarded by no idle unit of a
//!   type before s and one of type s;
//! - a repair is one case per first waiting unit (none, or a unit of type s, whose repair
//!   starts), and with standby one case with an active unit and one without (the repaired unit
//!   takes over);
//! - an idle failure of a standby block is one case where the failover goes on and one where
//!   the last standby unit fails during it and the failover is abandoned.
//!
//! The rates are the rules' own ([`TransitionRule::rate_per_unit`]), times the counter of
//! idle units or units under repair where the rule applies to each unit.

use super::module::{Command, Down, Group};
use super::number;
use crate::solve::dependent::{ActiveFailure, Phase, TransitionRule, transition_rules};

/// Guards and updates of one case of a command.
pub(super) type Case = (Vec<String>, Vec<String>);

/// The names of a dependent block module's variables and formulas (prefix `gK`).
pub(super) struct Names<'a> {
    prefix: &'a str,
}

impl Names<'_> {
    /// Units of type t under repair.
    pub(super) fn in_repair(&self, t: usize) -> String {
        format!("{}_r{t}", self.prefix)
    }

    /// Position j of the waiting line (several unit types).
    pub(super) fn waiting_at(&self, j: u64) -> String {
        format!("{}_w{j}", self.prefix)
    }

    /// The length of the waiting line (one unit type).
    pub(super) fn waiting(&self) -> String {
        format!("{}_w", self.prefix)
    }

    /// Idle up units of type t.
    pub(super) fn idle(&self, t: usize) -> String {
        format!("{}_i{t}", self.prefix)
    }

    /// The active unit's type + 1.
    pub(super) fn active(&self) -> String {
        format!("{}_a", self.prefix)
    }

    /// The failover phase.
    pub(super) fn phase(&self) -> String {
        format!("{}_p", self.prefix)
    }

    /// A formula of the module (`busy`, `nw`, `idle`, …).
    pub(super) fn formula(&self, name: &str) -> String {
        format!("{}_{name}", self.prefix)
    }
}

/// `(var'=value)`.
pub(super) fn assign(var: &str, value: impl ToString) -> String {
    format!("({var}'={})", value.to_string())
}

/// `left` followed by `right`.
pub(super) fn joined(mut left: Vec<String>, right: &[String]) -> Vec<String> {
    left.extend_from_slice(right);
    left
}

impl Group {
    /// The module's commands, with names prefixed `prefix` (`g0`): every rule of the block in
    /// the solver's order.
    pub(super) fn commands(&self, prefix: &str) -> Vec<Command> {
        let names = Names { prefix };
        let rules = transition_rules(&self.dependent);
        let mut commands = Vec::new();
        let mut position = 0;
        while position < rules.len() {
            let rule = rules[position];
            position += 1;
            match rule {
                TransitionRule::IdleUnitFails { unit_type } => {
                    self.idle_failure(&names, rule, unit_type, &mut commands);
                }
                TransitionRule::ActiveUnitFails { unit_type, .. } => {
                    // The outcomes of one type share the queue cases: take them together.
                    let mut of_type = vec![rule];
                    while let Some(next @ TransitionRule::ActiveUnitFails { unit_type: t, .. }) =
                        rules.get(position).copied()
                    {
                        if t != unit_type {
                            break;
                        }
                        of_type.push(next);
                        position += 1;
                    }
                    self.active_failure(&names, unit_type, &of_type, &mut commands);
                }
                TransitionRule::FailoverEnds { phase } => {
                    self.failover_end(&names, rule, phase, &mut commands);
                }
                TransitionRule::LeaderFails { unit_type } => {
                    self.leader_failure(&names, rule, unit_type, &mut commands);
                }
                TransitionRule::ElectionEnds => self.election_end(&names, rule, &mut commands),
                TransitionRule::PauseEnds => self.pause_end(&names, rule, &mut commands),
                TransitionRule::UnitRepaired { unit_type } => {
                    self.repair(&names, rule, unit_type, &mut commands);
                }
            }
        }
        commands
    }

    /// Appending a failed unit of type t to the queue: into a free crew, else the line.
    pub(super) fn push_cases(&self, names: &Names, t: usize) -> Vec<Case> {
        let slots = self.waiting_slots();
        let crews = self.crews();
        let busy = names.formula("busy");
        let into_crew = assign(&names.in_repair(t), format!("{}+1", names.in_repair(t)));
        if slots == 0 {
            return vec![(Vec::new(), vec![into_crew])];
        }
        let mut cases = vec![(vec![format!("{busy}<{crews}")], vec![into_crew])];
        if self.dependent.types.len() == 1 {
            cases.push((
                vec![format!("{busy}={crews}")],
                vec![assign(&names.waiting(), format!("{}+1", names.waiting()))],
            ));
        } else {
            for j in 1..=slots {
                cases.push((
                    vec![
                        format!("{busy}={crews}"),
                        format!("{}={}", names.formula("nw"), j - 1),
                    ],
                    vec![assign(&names.waiting_at(j), t + 1)],
                ));
            }
        }
        cases
    }

    /// The guard that type s has the first idle unit (the standby unit that takes over).
    pub(super) fn first_idle_guard(names: &Names, s: usize) -> Vec<String> {
        let mut guard: Vec<String> = (0..s).map(|u| format!("{}=0", names.idle(u))).collect();
        guard.push(format!("{}>0", names.idle(s)));
        guard
    }

    /// [`TransitionRule::IdleUnitFails`]: a standby unit at the dormant rate, or any up unit
    /// of a crew block. The last standby unit failing during a failover abandons it.
    fn idle_failure(
        &self,
        names: &Names,
        rule: TransitionRule,
        t: usize,
        commands: &mut Vec<Command>,
    ) {
        let rate = rule.rate_per_unit(&self.dependent);
        if rate == 0.0 {
            return;
        }
        let rate = format!("{}*{}", names.idle(t), number(rate));
        let standby = self.dependent.standby.is_some();
        let what = if standby { "a standby unit" } else { "a unit" };
        let phase = names.phase();
        let abandon = vec![
            format!("{}=0", names.active()),
            format!("{phase}>{}", Phase::Idle as u8),
            format!("{}=1", names.formula("idle")),
        ];
        let down = match standby {
            true => Down::Never,
            false => Down::When(format!(
                "{}={}",
                names.formula("nf"),
                self.total() - self.dependent.required_up
            )),
        };
        for (guard, updates) in self.push_cases(names, t) {
            let guard = joined(vec![format!("{}>0", names.idle(t))], &guard);
            if !standby && self.reconfigures() {
                let note = format!("{what} of type {t} fails");
                commands.extend(self.reconfiguring_failure(names, (guard, updates), &rate, &note));
                continue;
            }
            if !standby {
                commands.push(Command {
                    guard,
                    rate: rate.clone(),
                    updates,
                    down: down.clone(),
                    note: format!("{what} of type {t} fails"),
                });
                continue;
            }
            commands.push(Command {
                guard: joined(guard.clone(), &[format!("!({})", abandon.join(" & "))]),
                rate: rate.clone(),
                updates: updates.clone(),
                down: Down::Never,
                note: format!("{what} of type {t} fails"),
            });
            commands.push(Command {
                guard: joined(guard, &abandon),
                rate: rate.clone(),
                updates: joined(updates, &[assign(&phase, Phase::Idle as u8)]),
                down: Down::Never,
                note: format!("the last standby unit (type {t}) fails: the failover is abandoned"),
            });
        }
    }

    /// [`TransitionRule::ActiveUnitFails`], every outcome for the active type t, per queue case.
    fn active_failure(
        &self,
        names: &Names,
        t: usize,
        rules: &[TransitionRule],
        commands: &mut Vec<Command>,
    ) {
        let possible: Vec<(ActiveFailure, f64)> = rules
            .iter()
            .filter_map(|rule| match rule {
                TransitionRule::ActiveUnitFails { outcome, .. } => {
                    Some((*outcome, rule.rate_per_unit(&self.dependent)))
                }
                _ => None,
            })
            .filter(|(_, rate)| *rate > 0.0)
            .collect();
        for (push_guard, push_updates) in self.push_cases(names, t) {
            let base = joined(vec![format!("{}={}", names.active(), t + 1)], &push_guard);
            for (outcome, rate) in &possible {
                let case = (base.clone(), push_updates.clone());
                commands.extend(self.active_failure_outcome(names, t, *outcome, *rate, case));
            }
        }
    }

    /// The commands of one outcome of the active unit (type t) failing, in one queue case.
    fn active_failure_outcome(
        &self,
        names: &Names,
        t: usize,
        outcome: ActiveFailure,
        rate: f64,
        (base, updates): Case,
    ) -> Vec<Command> {
        let (active, phase, idle) = (names.active(), names.phase(), names.formula("idle"));
        let stopped = |phase_set: Option<Phase>| {
            let mut extra = vec![assign(&active, 0)];
            extra.extend(phase_set.map(|next| assign(&phase, next as u8)));
            joined(updates.clone(), &extra)
        };
        match outcome {
            ActiveFailure::InstantTakeover => (0..self.dependent.types.len())
                .map(|s| Command {
                    guard: joined(base.clone(), &Self::first_idle_guard(names, s)),
                    rate: number(rate),
                    updates: joined(updates.clone(), &[assign(&active, s + 1)]),
                    down: Down::Never,
                    note: format!(
                        "the active unit (type {t}) fails; instantaneous failover to type {s}"
                    ),
                })
                .collect(),
            ActiveFailure::FailoverStarts(next) => {
                let note = if next == Phase::Automatic {
                    format!(
                        "the active unit (type {t}) fails; automatic failover starts (coverage)"
                    )
                } else {
                    format!("the active unit (type {t}) fails; not covered: manual failover starts")
                };
                vec![Command {
                    guard: joined(base, &[format!("{idle}>0")]),
                    rate: number(rate),
                    updates: stopped(Some(next)),
                    down: Down::Always,
                    note,
                }]
            }
            ActiveFailure::NoStandbyUp => vec![Command {
                guard: joined(base, &[format!("{idle}=0")]),
                rate: number(rate),
                updates: stopped(None),
                down: Down::Always,
                note: format!("the active unit (type {t}) fails; no standby unit is up"),
            }],
        }
    }

    /// [`TransitionRule::FailoverEnds`]: the first standby unit that is up becomes active.
    fn failover_end(
        &self,
        names: &Names,
        rule: TransitionRule,
        phase: Phase,
        commands: &mut Vec<Command>,
    ) {
        let rate = number(rule.rate_per_unit(&self.dependent));
        let name = if phase == Phase::Automatic {
            "automatic"
        } else {
            "manual"
        };
        let (phase_variable, active) = (names.phase(), names.active());
        let running = format!("{phase_variable}={}", phase as u8);
        let ended = assign(&phase_variable, Phase::Idle as u8);
        for s in 0..self.dependent.types.len() {
            commands.push(Command {
                guard: joined(vec![running.clone()], &Self::first_idle_guard(names, s)),
                rate: rate.clone(),
                updates: vec![ended.clone(), assign(&active, s + 1)],
                down: Down::Never,
                note: format!("the {name} failover ends: type {s} becomes active"),
            });
        }
        commands.push(Command {
            guard: vec![running, format!("{}=0", names.formula("idle"))],
            rate,
            updates: vec![ended],
            down: Down::Never,
            note: format!("the {name} failover ends with no standby unit up"),
        });
    }

    /// The cases of a repair of type t: who takes the free crew (no one, or the first waiting
    /// unit), as guards, updates and the tail of the comment.
    fn repair_cases(&self, names: &Names, t: usize) -> Vec<(Vec<String>, Vec<String>, String)> {
        let slots = self.waiting_slots();
        let types = self.dependent.types.len();
        let out = assign(&names.in_repair(t), format!("{}-1", names.in_repair(t)));
        let mut cases: Vec<(Vec<String>, Vec<String>, String)> = Vec::new();
        if slots == 0 {
            cases.push((Vec::new(), vec![out], String::new()));
        } else if types == 1 {
            let waiting = names.waiting();
            cases.push((vec![format!("{waiting}=0")], vec![out], String::new()));
            cases.push((
                vec![format!("{waiting}>0")],
                vec![assign(&waiting, format!("{waiting}-1"))],
                "; the first waiting unit's repair starts".into(),
            ));
        } else {
            let first = names.waiting_at(1);
            cases.push((vec![format!("{first}=0")], vec![out.clone()], String::new()));
            let shift: Vec<String> = (1..=slots)
                .map(|j| match j < slots {
                    true => assign(&names.waiting_at(j), names.waiting_at(j + 1)),
                    false => assign(&names.waiting_at(j), 0),
                })
                .collect();
            for s in 0..types {
                let mut updates = Vec::new();
                if s != t {
                    updates.push(out.clone());
                    updates.push(assign(
                        &names.in_repair(s),
                        format!("{}+1", names.in_repair(s)),
                    ));
                }
                updates.extend(shift.iter().cloned());
                cases.push((
                    vec![format!("{first}={}", s + 1)],
                    updates,
                    format!("; the first waiting unit (type {s}) starts its repair"),
                ));
            }
        }
        cases
    }

    /// [`TransitionRule::UnitRepaired`]: each unit under repair; the head of the waiting line
    /// takes the free crew; with standby and no active unit, the repaired unit takes over.
    fn repair(&self, names: &Names, rule: TransitionRule, t: usize, commands: &mut Vec<Command>) {
        let rate = format!(
            "{}*{}",
            names.in_repair(t),
            number(rule.rate_per_unit(&self.dependent))
        );
        let active = names.active();
        for (guard, updates, tail) in self.repair_cases(names, t) {
            let guard = joined(vec![format!("{}>0", names.in_repair(t))], &guard);
            if self.dependent.standby.is_none() {
                commands.push(Command {
                    guard,
                    rate: rate.clone(),
                    updates,
                    down: Down::Never,
                    note: format!("a unit of type {t} is repaired{tail}"),
                });
                continue;
            }
            commands.push(Command {
                guard: joined(guard.clone(), &[format!("{active}>0")]),
                rate: rate.clone(),
                updates: updates.clone(),
                down: Down::Never,
                note: format!("a unit of type {t} is repaired{tail}"),
            });
            commands.push(Command {
                guard: joined(guard, &[format!("{active}=0")]),
                rate: rate.clone(),
                updates: joined(
                    updates,
                    &[
                        assign(&active, t + 1),
                        assign(&names.phase(), Phase::Idle as u8),
                    ],
                ),
                down: Down::Never,
                note: format!("a unit of type {t} is repaired and becomes active at once{tail}"),
            });
        }
    }
}
