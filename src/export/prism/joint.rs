//! Dependent blocks over blocks and shared units, written member by member: a standby of
//! blocks (a region, a node in its zone), crews over blocks, shared units inside standby
//! members, crew and common-cause blocks (docs/model-format.md §7, §8.3, §8.4).
//!
//! This is a second implementation of those rules in PRISM's own terms, not a copy of the
//! solver's explored chain (`src/solve/joint/`):
//!
//! - every unit below such a block is enumerated. A unit outside crew pools is a module `m_uI`
//!   with a Boolean `uI`; a unit of a crew pool has no variable of its own: it is down while
//!   it is in its pool's waiting line, and `uI` is a formula over the line;
//! - a crew pool (the units below a block with `repair_crews`, the innermost such block
//!   winning, shared units excepted) is a module `m_cP` with the waiting line `cP_q1…cP_qN`
//!   in failure order (0 empty, L the pool's L-th unit); the first c positions are under
//!   repair. A pool whose crews are at least its units limits nothing and is not written;
//! - a standby instance is a module `m_sS` with the active member `sS_a` (0 none, K member K)
//!   and the failover phase `sS_p` (0 none, 1 automatic, 2 manual); it is up while it has an
//!   active member (`sS_up`). Member K is up when `sS_mK` holds (its block's structure).
//!
//! A unit's failure and repair are actions (`fI`, `rI`) that every standby module whose
//! members contain the unit joins: PRISM multiplies the rates of synchronised commands, so
//! the unit's command carries the rate and the standby's commands rate 1, and each standby
//! module has one enabled command for every state (the no-change commands included), so the
//! action never blocks. A standby command's guard reads the members' up-states after the
//! event as an expression over the state before it: the member's structure with the unit set
//! down (or up). The rules, with "unit" read as "member" (§8.4):
//!
//! - the active member going down starts a failover if another member is up: covered with
//!   probability c (instantly to the first-listed up member when `failover` is 0), else a
//!   manual one; with no member up the block has no active member;
//! - a member coming back up while none is active takes over at once and ends a running
//!   failover (the first-listed such member); a failover with no member left up is
//!   abandoned; a failover ending makes the first-listed up member active;
//! - a unit below a member that is not the active one (none is during a failover) fails at
//!   d·λ, in the guard `sS_a=K` (λ) or `sS_a!=K` (d·λ; no command when d = 0, cold).
//!
//! With 0 < c < 1 the coverage draw is part of the action: the failure of unit I is one
//! action per combination of draws of the standby instances it can start a failover in
//! (`fI_c`: covered, `fI_m`: manual), at rate λ times their probabilities, so that every
//! transition is determined by its action and its source state. That keeps the outage
//! reward a state reward: for each action, the rate times [the system is up before and down
//! after], where "down after" is the system's structure with the unit and each joining
//! standby instance replaced by their states after the event (an expression over the state
//! before it). Repairs and failovers ending never take a monotone structure down.
//!
//! Nested standby blocks (a standby below a member of another, or a shared standby block
//! referenced there) change state in the same event: the event's after-states are derived
//! innermost first, an outer member's after-state reading the inner standby's after-state,
//! so the outer module joins every action of the units below the inner one; an inner
//! failover ending is an action `eS` the outer ones join (a member can only come up then).
//! A unit below several members that are not active fails at λ times the product of their
//! dormant factors.
//!
//! Not written (refused with [`ExportError::JointBlock`]): a leader election or failure
//! pause inside such a block (the exact solver refuses it too); a standby member after the
//! first that never goes down (the chain would never return to its initial state, whose
//! recurrence the Storm check relies on); a unit that can start failovers with a coverage
//! draw in more than four standby blocks at once (2^k actions per failure).

use super::expr::{Expr, Leaf, render, simplify};
use super::instances::InstanceTree;
use super::{comment, number};
use crate::export::ExportError;
use crate::solve::dependent::StandbyRules;
use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write};

/// Most standby instances with a coverage strictly between 0 and 1 that one unit's failure
/// may start a failover in: each doubles the unit's failure actions.
const MAX_COVERAGE_DRAWS: usize = 4;

/// A standby instance of a joint block: the module `m_sS`.
#[derive(Debug, Clone)]
pub(super) struct Standby {
    /// The model block it copies.
    pub(super) block: usize,
    /// Each member's structure, in listing order.
    pub(super) members: Vec<Expr>,
    /// Its switchover rules.
    pub(super) rules: StandbyRules,
}

/// A crew pool of a joint block: the module `m_cP`.
#[derive(Debug, Clone)]
pub(super) struct Pool {
    /// The block with `repair_crews`.
    pub(super) block: usize,
    /// Its crews.
    pub(super) crews: u64,
    /// The units it repairs (indices into the instance tree's units).
    pub(super) units: Vec<usize>,
}

impl Pool {
    /// Orders the waiting line can hold: Σ_{k=0}^{N} N!/(N − k)! (k units down, in failure
    /// order), saturating.
    pub(super) fn line_orders(&self) -> u128 {
        let n = self.units.len() as u128;
        let (mut total, mut term) = (1u128, 1u128);
        for k in 0..n {
            term = term.saturating_mul(n - k);
            total = total.saturating_add(term);
        }
        total
    }
}

/// One failure action of a unit: its label, the factor on λ (the probabilities of the
/// coverage draws) and, per standby instance it joins, whether the failover is covered.
struct Branch {
    label: String,
    factor: f64,
    covered: HashMap<usize, bool>,
}

/// How standby instances sit below each other's members.
#[derive(Debug, Clone, Default)]
pub(super) struct Nesting {
    /// Standby instances, each after every one below its members.
    order: Vec<usize>,
    /// For each standby instance, the ones whose members it is below (transitively): its
    /// failover ending is an action `eS` they join.
    outer: Vec<Vec<usize>>,
}

/// An event that can change standby members' up-states.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Event {
    /// Unit I fails.
    Fails(usize),
    /// Unit I is repaired.
    Repaired(usize),
    /// Standby S's failover ends (it becomes up when a member is up).
    FailoverEnds(usize),
}

/// The standby instances an event reaches, innermost first, with their members' up-states
/// after it; and each one's own up-state after it.
type AfterEvent = (Vec<(usize, Vec<String>)>, HashMap<usize, String>);

/// One guarded command, its updates and its comment.
type Line = (String, String, String);

/// `!(text)`, folding the constants.
fn not(text: &str) -> String {
    match text {
        "true" => "false".into(),
        "false" => "true".into(),
        _ => format!("!({text})"),
    }
}

/// Guards joined by `&`, folding the constants (`false` when one part is).
fn and(parts: &[String]) -> String {
    if parts.iter().any(|part| part == "false") {
        return "false".into();
    }
    let kept: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|part| *part != "true")
        .collect();
    match kept.is_empty() {
        true => "true".into(),
        false => kept.join(" & "),
    }
}

/// `(a | b | …)`, folding the constants.
fn any_of(parts: &[String]) -> String {
    if parts.iter().any(|part| part == "true") {
        return "true".into();
    }
    let kept: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|part| *part != "false")
        .collect();
    match kept.len() {
        0 => "false".into(),
        1 => kept[0].to_string(),
        _ => format!("({})", kept.join(" | ")),
    }
}

/// Leaves of `expr`, through gates.
fn expr_leaves(expr: &Expr, leaves: &[HashSet<Leaf>], into: &mut HashSet<Leaf>) {
    match expr {
        Expr::Unit(i) => {
            into.insert(Leaf::Unit(*i));
        }
        Expr::Group(k) => {
            into.insert(Leaf::Group(*k));
        }
        Expr::Standby(s) => {
            into.insert(Leaf::Standby(*s));
        }
        Expr::Gate(j) => into.extend(leaves[*j].iter().copied()),
        Expr::AtLeast(_, items) => {
            for item in items {
                expr_leaves(item, leaves, into);
            }
        }
        Expr::Const(_) | Expr::Raw(_) => {}
    }
}

impl InstanceTree<'_> {
    /// Whether unit `i` is written member by member (in a crew pool, below a standby member,
    /// or able to change a standby member's state); the others are independent modules.
    pub(super) fn is_joint_unit(&self, i: usize) -> bool {
        let unit = &self.units[i];
        unit.pool.is_some() || !unit.dormancy.is_empty() || !self.affects[i].is_empty()
    }

    /// After building: drops the crew pools that limit nothing, finds the standby instances
    /// each unit's events reach, and refuses what the export does not write.
    pub(super) fn settle_joint(&mut self) -> Result<(), ExportError> {
        for pool in &mut self.pools {
            if pool.units.len() as u64 <= pool.crews {
                for unit in pool.units.drain(..) {
                    self.units[unit].pool = None;
                }
            }
        }
        let mut affects: Vec<Vec<usize>> = vec![Vec::new(); self.units.len()];
        let leaves = self.gate_leaves();
        let model = self.model;
        let refuse = |block: usize, reason: &str| ExportError::JointBlock {
            block: model.blocks[block].name.clone(),
            reason: reason.to_string(),
        };
        let count = self.standbys.len();
        let mut inner: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (s, standby) in self.standbys.iter().enumerate() {
            for member in &standby.members {
                let mut below = HashSet::new();
                expr_leaves(member, &leaves, &mut below);
                for leaf in below {
                    match leaf {
                        Leaf::Unit(unit) => {
                            if !affects[unit].contains(&s) {
                                affects[unit].push(s);
                            }
                        }
                        Leaf::Standby(nested) => {
                            if !inner[s].contains(&nested) {
                                inner[s].push(nested);
                            }
                        }
                        Leaf::Group(_) => {
                            return Err(refuse(
                                standby.block,
                                "has a counted dependent block below one of its members",
                            ));
                        }
                    }
                }
            }
            let always_up = |m: &Expr| simplify(self.inline(m)) == Expr::Const(true);
            if !always_up(&standby.members[0]) && standby.members[1..].iter().any(always_up) {
                return Err(refuse(
                    standby.block,
                    "has a member after the first that never goes down (the chain would never return to its first member)",
                ));
            }
        }
        // Innermost first: a standby after every standby below its members.
        let mut order = Vec::with_capacity(count);
        let mut placed = vec![false; count];
        while order.len() < count {
            let before = order.len();
            for s in 0..count {
                if !placed[s] && inner[s].iter().all(|n| placed[*n]) {
                    placed[s] = true;
                    order.push(s);
                }
            }
            assert!(order.len() > before, "block structures are acyclic");
        }
        // The standby instances an event below standby n reaches: n's, and every standby
        // with n below its members, transitively.
        let mut outer: Vec<Vec<usize>> = vec![Vec::new(); count];
        for &s in order.iter().rev() {
            for &n in &inner[s] {
                let mut reach = vec![s];
                reach.extend(outer[s].iter().copied());
                for r in reach {
                    if !outer[n].contains(&r) {
                        outer[n].push(r);
                    }
                }
            }
        }
        for joined in &mut affects {
            let direct = joined.clone();
            for s in direct {
                for r in &outer[s] {
                    if !joined.contains(r) {
                        joined.push(*r);
                    }
                }
            }
            joined.sort_unstable();
        }
        self.affects = affects;
        self.nesting = Nesting { order, outer };
        for joined in &self.affects {
            let draws = joined.iter().filter(|s| self.draws_coverage(**s)).count();
            if draws > MAX_COVERAGE_DRAWS {
                let s = joined[0];
                return Err(refuse(
                    self.standbys[s].block,
                    "shares a unit with more than four other standby blocks whose coverage is below 1",
                ));
            }
        }
        Ok(())
    }

    /// `expr` with every gate expanded (to find members that are constant).
    fn inline(&self, expr: &Expr) -> Expr {
        match expr {
            Expr::Gate(j) => self.inline(&self.gates[*j].expr),
            Expr::AtLeast(k, items) => {
                Expr::AtLeast(*k, items.iter().map(|item| self.inline(item)).collect())
            }
            other => other.clone(),
        }
    }

    /// Whether a failover of standby `s` is covered with a probability strictly between 0
    /// and 1 (a draw that is part of the failure action).
    fn draws_coverage(&self, s: usize) -> bool {
        let c = self.standbys[s].rules.coverage;
        c > 0.0 && c < 1.0
    }

    /// The failure actions of unit `unit`: one per combination of coverage draws of the
    /// standby instances it joins (unlabelled when it joins none).
    fn branches(&self, unit: usize) -> Vec<Branch> {
        let affects = &self.affects[unit];
        let drawn: Vec<usize> = affects
            .iter()
            .copied()
            .filter(|s| self.draws_coverage(*s))
            .collect();
        (0..1usize << drawn.len())
            .map(|bits| {
                let mut covered = HashMap::new();
                let mut factor = 1.0;
                let mut label = match affects.is_empty() {
                    true => String::new(),
                    false => format!("f{unit}"),
                };
                for &s in affects {
                    covered.insert(s, self.standbys[s].rules.coverage >= 1.0);
                }
                for (position, &s) in drawn.iter().enumerate() {
                    let is_covered = bits & (1 << position) == 0;
                    let c = self.standbys[s].rules.coverage;
                    covered.insert(s, is_covered);
                    factor *= if is_covered { c } else { 1.0 - c };
                    label.push_str(if is_covered { "_c" } else { "_m" });
                }
                Branch {
                    label,
                    factor,
                    covered,
                }
            })
            .collect()
    }

    /// The repair action of unit `unit` (unlabelled when it joins no standby instance).
    fn repair_label(&self, unit: usize) -> String {
        match self.affects[unit].is_empty() {
            true => String::new(),
            false => format!("r{unit}"),
        }
    }

    /// The cases of unit `unit`'s failure rate: per standby membership, its member active
    /// (λ) or not (d·λ; dropped when d = 0), as guards and factors on λ.
    ///
    /// # Formula
    /// λ · Π d_S over the memberships (S, K) with `sS_a != K` (§8.4: a unit of a member that
    /// is not the active one fails at d·λ; during a failover none is active).
    fn dormancy_cases(&self, unit: usize) -> Vec<(Vec<String>, f64)> {
        let mut cases = vec![(Vec::new(), 1.0)];
        for &(s, member) in &self.units[unit].dormancy {
            let d = self.standbys[s].rules.dormant_factor;
            let mut next = Vec::new();
            for (guard, factor) in cases {
                if d == 1.0 {
                    // Hot: the same rate, active or not.
                    next.push((guard, factor));
                    continue;
                }
                let mut active = guard.clone();
                active.push(format!("s{s}_a={}", member + 1));
                next.push((active, factor));
                if d > 0.0 {
                    let mut dormant = guard;
                    dormant.push(format!("s{s}_a!={}", member + 1));
                    next.push((dormant, factor * d));
                }
            }
            cases = next;
        }
        cases
    }

    /// `expr` after unit `unit` went down (`up` false) or up, with the standby instances in
    /// `standbys` replaced by their state after the event: gates that contain either are
    /// expanded inline.
    fn substitute(
        &self,
        expr: &Expr,
        leaves: &[HashSet<Leaf>],
        unit: Option<(usize, bool)>,
        standbys: &HashMap<usize, String>,
    ) -> Expr {
        match expr {
            Expr::Unit(i) if unit.is_some_and(|(u, _)| u == *i) => {
                Expr::Const(unit.is_some_and(|(_, up)| up))
            }
            Expr::Standby(s) => match standbys.get(s) {
                Some(text) => Expr::Raw(text.clone()),
                None => expr.clone(),
            },
            Expr::Gate(j)
                if unit.is_some_and(|(u, _)| leaves[*j].contains(&Leaf::Unit(u)))
                    || standbys
                        .keys()
                        .any(|s| leaves[*j].contains(&Leaf::Standby(*s))) =>
            {
                self.substitute(&self.gates[*j].expr, leaves, unit, standbys)
            }
            Expr::AtLeast(k, items) => Expr::AtLeast(
                *k,
                items
                    .iter()
                    .map(|item| self.substitute(item, leaves, unit, standbys))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The standby instances `event` reaches, innermost first, each with its members'
    /// up-states after the event and its own up-state after it: expressions over the state
    /// before the event. `covered` holds the coverage draws of a failure.
    fn after_event(
        &self,
        event: Event,
        covered: &HashMap<usize, bool>,
        leaves: &[HashSet<Leaf>],
    ) -> AfterEvent {
        let mut known: HashMap<usize, String> = HashMap::new();
        let (unit, reached) = match event {
            Event::Fails(unit) => (Some((unit, false)), &self.affects[unit]),
            Event::Repaired(unit) => (Some((unit, true)), &self.affects[unit]),
            Event::FailoverEnds(s) => {
                let members = self.standbys[s].members.len();
                let any: Vec<String> = (1..=members).map(|k| format!("s{s}_m{k}")).collect();
                known.insert(s, any_of(&any));
                (None, &self.nesting.outer[s])
            }
        };
        let mut changed = Vec::new();
        for &s in &self.nesting.order {
            if !reached.contains(&s) {
                continue;
            }
            let after: Vec<String> = self.standbys[s]
                .members
                .iter()
                .map(|member| render(&simplify(self.substitute(member, leaves, unit, &known))))
                .collect();
            let up = match event {
                Event::Fails(_) => self.up_after_failure(s, &after, covered[&s]),
                _ => self.up_after_rise(s, &after),
            };
            known.insert(s, up);
            changed.push((s, after));
        }
        (changed, known)
    }

    /// Standby `s`'s commands for a failure below its members, the failover covered or not;
    /// `after` holds whether each member is up after it.
    fn standby_failure(&self, s: usize, after: &[String], covered: bool) -> Vec<Line> {
        let any = any_of(after);
        let (a, p) = (format!("s{s}_a"), format!("s{s}_p"));
        let instant = covered && self.standbys[s].rules.failover_hours == 0.0;
        let mut lines = Vec::new();
        for (j, post) in after.iter().enumerate() {
            let active = format!("{a}={}", j + 1);
            lines.push((
                and(&[active.clone(), post.clone()]),
                "true".into(),
                format!("member {} is active and stays up", j + 1),
            ));
            let lost = [active.clone(), not(post)];
            lines.push((
                and(&[lost.to_vec(), vec![not(&any)]].concat()),
                format!("({a}'=0)&({p}'=0)"),
                format!("the active member {} goes down; no member is up", j + 1),
            ));
            if instant {
                for (k, other) in after.iter().enumerate() {
                    if k == j {
                        continue;
                    }
                    let mut guard = lost.to_vec();
                    guard.extend((0..k).filter(|l| *l != j).map(|l| not(&after[l])));
                    guard.push(other.clone());
                    lines.push((
                        and(&guard),
                        format!("({a}'={})&({p}'=0)", k + 1),
                        format!(
                            "the active member {} goes down; instantaneous failover to member {}",
                            j + 1,
                            k + 1
                        ),
                    ));
                }
            } else {
                let (phase, what) = match covered {
                    true => (1, "automatic failover starts (covered)"),
                    false => (2, "not covered: manual failover starts"),
                };
                lines.push((
                    and(&[lost.to_vec(), vec![any.clone()]].concat()),
                    format!("({a}'=0)&({p}'={phase})"),
                    format!("the active member {} goes down; {what}", j + 1),
                ));
            }
        }
        let abandoned = and(&[format!("{p}>0"), not(&any)]);
        lines.push((
            format!("{a}=0 & {abandoned}"),
            format!("({p}'=0)"),
            "no active member and no member left up: the failover is abandoned".into(),
        ));
        lines.push((
            format!("{a}=0 & !({abandoned})"),
            "true".into(),
            "no active member; nothing changes".into(),
        ));
        lines
    }

    /// Whether member K of standby `s` rose in an event (up after it, `after[K]`, and down
    /// before).
    fn risen(s: usize, after: &[String]) -> Vec<String> {
        after
            .iter()
            .enumerate()
            .map(|(k, post)| format!("({post} & !s{s}_m{})", k + 1))
            .collect()
    }

    /// Standby `s`'s commands for a repair below its members or a failover ending below
    /// them: members can only come up.
    fn standby_rise(&self, s: usize, after: &[String]) -> Vec<Line> {
        let any = any_of(after);
        let (a, p) = (format!("s{s}_a"), format!("s{s}_p"));
        let risen = Self::risen(s, after);
        let mut lines = vec![(
            format!("{a}>0"),
            "true".into(),
            "a member is active; nothing changes".into(),
        )];
        for k in 0..risen.len() {
            let mut guard = vec![format!("{a}=0")];
            guard.extend((0..k).map(|l| not(&risen[l])));
            guard.push(risen[k].clone());
            lines.push((
                and(&guard),
                format!("({a}'={})&({p}'=0)", k + 1),
                format!(
                    "member {} comes back up with none active: it takes over at once",
                    k + 1
                ),
            ));
        }
        let none_risen: Vec<String> = risen.iter().map(|r| not(r)).collect();
        let abandoned = and(&[format!("{p}>0"), not(&any)]);
        let mut guard = vec![format!("{a}=0")];
        guard.extend(none_risen.iter().cloned());
        lines.push((
            and(&[guard.clone(), vec![abandoned.clone()]].concat()),
            format!("({p}'=0)"),
            "no member left up: the failover is abandoned".into(),
        ));
        guard.push(format!("!({abandoned})"));
        lines.push((
            and(&guard),
            "true".into(),
            "no member takes over; nothing changes".into(),
        ));
        lines
    }

    /// Whether standby `s` is up after a failure below its members (covered or not).
    fn up_after_failure(&self, s: usize, after: &[String], covered: bool) -> String {
        if covered && self.standbys[s].rules.failover_hours == 0.0 {
            return and(&[format!("s{s}_a>0"), any_of(after)]);
        }
        let parts: Vec<String> = after
            .iter()
            .enumerate()
            .map(|(j, post)| and(&[format!("s{s}_a={}", j + 1), post.clone()]))
            .filter(|part| part != "false")
            .map(|part| format!("({part})"))
            .collect();
        any_of(&parts)
    }

    /// Whether standby `s` is up after a repair or a failover ending below its members: it
    /// was, or a member rose while none was active.
    fn up_after_rise(&self, s: usize, after: &[String]) -> String {
        let mut parts = vec![format!("s{s}_a>0")];
        parts.extend(Self::risen(s, after));
        parts.join(" | ")
    }

    /// The formulas of the joint modules that block formulas read: each standby instance's
    /// up-state, each pool's line length and the up-state of its units.
    pub(super) fn joint_formulas(&self) -> Vec<String> {
        let mut formulas = Vec::new();
        for s in 0..self.standbys.len() {
            formulas.push(format!(
                "formula s{s}_up = s{s}_a>0; // an active member (none during a failover)"
            ));
        }
        for (c, pool) in self.pools.iter().enumerate() {
            if pool.units.is_empty() {
                continue;
            }
            let n = pool.units.len();
            let length: Vec<String> = (1..=n).map(|j| format!("(c{c}_q{j}>0?1:0)")).collect();
            formulas.push(format!(
                "formula c{c}_n = {}; // failed units of pool c{c}",
                length.join("+")
            ));
            for (local, unit) in pool.units.iter().enumerate() {
                let places: Vec<String> = (1..=n)
                    .map(|j| format!("c{c}_q{j}={}", local + 1))
                    .collect();
                formulas.push(format!(
                    "formula u{unit} = !({}); // up: not in pool c{c}'s line",
                    places.join(" | ")
                ));
            }
        }
        formulas
    }

    /// The member formulas `sS_mK` (they read block formulas, so come after them).
    pub(super) fn member_formulas(&self) -> Vec<String> {
        let mut formulas = Vec::new();
        for (s, standby) in self.standbys.iter().enumerate() {
            for (k, member) in standby.members.iter().enumerate() {
                formulas.push(format!(
                    "formula s{s}_m{} = {};",
                    k + 1,
                    render(&simplify(member.clone()))
                ));
            }
        }
        formulas
    }

    /// The failure commands of unit `unit` (rates, guards besides its own up-state) and the
    /// comment of each, as (label, guard parts, rate).
    fn failure_cases(&self, unit: usize) -> Vec<(String, Vec<String>, f64)> {
        let mut cases = Vec::new();
        let lambda = self.units[unit].failure_rate;
        for branch in self.branches(unit) {
            for (guard, factor) in self.dormancy_cases(unit) {
                cases.push((branch.label.clone(), guard, lambda * factor * branch.factor));
            }
        }
        cases
    }

    /// Writes the module of joint unit `unit` outside crew pools.
    fn write_joint_unit(&self, out: &mut String, unit: usize) -> fmt::Result {
        let u = &self.units[unit];
        writeln!(out, "// u{unit}: {}", comment(&u.what))?;
        writeln!(out, "module m_u{unit}")?;
        writeln!(out, "  u{unit} : bool init true; // up")?;
        for (label, guard, rate) in self.failure_cases(unit) {
            let mut parts = vec![format!("u{unit}")];
            parts.extend(guard);
            writeln!(
                out,
                "  [{label}] {} -> {} : (u{unit}'=false); // failure",
                and(&parts),
                number(rate)
            )?;
        }
        writeln!(
            out,
            "  [{}] !u{unit} -> {} : (u{unit}'=true); // repair",
            self.repair_label(unit),
            number(u.repair_rate)
        )?;
        writeln!(out, "endmodule")?;
        writeln!(out)
    }

    /// Writes crew pool `c`'s module.
    fn write_pool(&self, out: &mut String, c: usize) -> fmt::Result {
        let pool = &self.pools[c];
        let n = pool.units.len();
        let block = &self.model.blocks[pool.block];
        writeln!(
            out,
            "// c{c}: the repair crews of block `{}`: {} crew{} for {n} units, first failed first repaired",
            comment(&block.name),
            pool.crews,
            if pool.crews == 1 { "" } else { "s" }
        )?;
        for (local, unit) in pool.units.iter().enumerate() {
            writeln!(
                out,
                "//   {}: u{unit}, {}",
                local + 1,
                comment(&self.units[*unit].what)
            )?;
        }
        writeln!(out, "module m_c{c}")?;
        for j in 1..=n {
            writeln!(
                out,
                "  c{c}_q{j} : [0..{n}] init 0; // line position {j}{}: 0 empty, L the pool's unit L",
                if (j as u64) <= pool.crews {
                    " (under repair)"
                } else {
                    " (waiting)"
                }
            )?;
        }
        for (local, &unit) in pool.units.iter().enumerate() {
            let l = local + 1;
            for (label, guard, rate) in self.failure_cases(unit) {
                for length in 0..n {
                    let mut parts = vec![format!("u{unit}"), format!("c{c}_n={length}")];
                    parts.extend(guard.iter().cloned());
                    writeln!(
                        out,
                        "  [{label}] {} -> {} : (c{c}_q{}'={l}); // u{unit} fails and joins the line",
                        and(&parts),
                        number(rate),
                        length + 1
                    )?;
                }
            }
            let repair = self.repair_label(unit);
            let rate = number(self.units[unit].repair_rate);
            for j in 1..=(pool.crews as usize).min(n) {
                let shift: Vec<String> = (j..=n)
                    .map(|i| match i < n {
                        true => format!("(c{c}_q{i}'=c{c}_q{})", i + 1),
                        false => format!("(c{c}_q{i}'=0)"),
                    })
                    .collect();
                writeln!(
                    out,
                    "  [{repair}] c{c}_q{j}={l} -> {rate} : {}; // u{unit} is repaired; the line moves up",
                    shift.join("&")
                )?;
            }
        }
        writeln!(out, "endmodule")?;
        writeln!(out)
    }

    /// Writes standby instance `s`'s module.
    fn write_standby(&self, out: &mut String, s: usize, leaves: &[HashSet<Leaf>]) -> fmt::Result {
        let standby = &self.standbys[s];
        let rules = standby.rules;
        let m = standby.members.len();
        let block = &self.model.blocks[standby.block];
        let place = self
            .gates
            .iter()
            .find(|gate| gate.expr == Expr::Standby(s))
            .map_or(String::new(), |gate| gate.place.clone());
        writeln!(
            out,
            "// s{s}: standby block `{}` of {m} members (sS_mK: member K is up), {}",
            comment(&block.name),
            comment(&place)
        )?;
        writeln!(
            out,
            "//   dormant factor {}, failover {} h, coverage {}, manual failover {} h",
            number(rules.dormant_factor),
            number(rules.failover_hours),
            number(rules.coverage),
            number(rules.manual_failover_hours)
        )?;
        writeln!(out, "module m_s{s}")?;
        writeln!(
            out,
            "  s{s}_a : [0..{m}] init 1; // active member: 0 none, K member K"
        )?;
        writeln!(
            out,
            "  s{s}_p : [0..2] init 0; // failover: 0 none, 1 automatic, 2 manual"
        )?;
        let write = |out: &mut String, label: &str, lines: Vec<Line>| -> fmt::Result {
            // A guard that folds to false is a command that can never fire.
            for (guard, updates, note) in lines.into_iter().filter(|line| line.0 != "false") {
                writeln!(out, "  [{label}] {guard} -> 1 : {updates}; // {note}")?;
            }
            Ok(())
        };
        for unit in 0..self.units.len() {
            if !self.affects[unit].contains(&s) {
                continue;
            }
            for branch in self.branches(unit) {
                let (changed, _) = self.after_event(Event::Fails(unit), &branch.covered, leaves);
                let after = &changed.iter().find(|(t, _)| *t == s).expect("reached").1;
                writeln!(out, "  // u{unit} fails")?;
                write(
                    out,
                    &branch.label,
                    self.standby_failure(s, after, branch.covered[&s]),
                )?;
            }
            let none = HashMap::new();
            let (changed, _) = self.after_event(Event::Repaired(unit), &none, leaves);
            let after = &changed.iter().find(|(t, _)| *t == s).expect("reached").1;
            writeln!(out, "  // u{unit} is repaired")?;
            write(out, &self.repair_label(unit), self.standby_rise(s, after))?;
        }
        for nested in 0..self.standbys.len() {
            if !self.nesting.outer[nested].contains(&s) {
                continue;
            }
            let none = HashMap::new();
            let (changed, _) = self.after_event(Event::FailoverEnds(nested), &none, leaves);
            let after = &changed.iter().find(|(t, _)| *t == s).expect("reached").1;
            writeln!(out, "  // the failover of s{nested} ends")?;
            write(out, &format!("e{nested}"), self.standby_rise(s, after))?;
        }
        let own = match self.nesting.outer[s].is_empty() {
            true => String::new(),
            false => format!("e{s}"),
        };
        for (phase, hours, name) in [
            (1, rules.failover_hours, "automatic"),
            (2, rules.manual_failover_hours, "manual"),
        ] {
            if hours <= 0.0 || (phase == 1 && rules.coverage <= 0.0) {
                continue;
            }
            if phase == 2 && rules.coverage >= 1.0 {
                continue;
            }
            let rate = number(1.0 / hours);
            for k in 0..m {
                let mut guard = vec![format!("s{s}_p={phase}")];
                guard.extend((0..k).map(|l| format!("!s{s}_m{}", l + 1)));
                guard.push(format!("s{s}_m{}", k + 1));
                writeln!(
                    out,
                    "  [{own}] {} -> {rate} : (s{s}_a'={})&(s{s}_p'=0); // the {name} failover ends: member {} becomes active",
                    and(&guard),
                    k + 1,
                    k + 1
                )?;
            }
            let none: Vec<String> = (1..=m).map(|k| format!("!s{s}_m{k}")).collect();
            writeln!(
                out,
                "  [{own}] s{s}_p={phase} & {} -> {rate} : (s{s}_p'=0); // the {name} failover ends with no member up",
                and(&none)
            )?;
        }
        writeln!(out, "endmodule")?;
        writeln!(out)
    }

    /// Writes the joint modules: units outside pools, pools, standby instances.
    pub(super) fn write_joint_modules(&self, out: &mut String) -> fmt::Result {
        let leaves = self.gate_leaves();
        for unit in 0..self.units.len() {
            if self.is_joint_unit(unit) && self.units[unit].pool.is_none() {
                self.write_joint_unit(out, unit)?;
            }
        }
        for c in 0..self.pools.len() {
            if !self.pools[c].units.is_empty() {
                self.write_pool(out, c)?;
            }
        }
        for s in 0..self.standbys.len() {
            self.write_standby(out, s, &leaves)?;
        }
        Ok(())
    }

    /// Modules the joint part writes.
    pub(super) fn joint_modules(&self) -> usize {
        let units = (0..self.units.len())
            .filter(|u| self.is_joint_unit(*u) && self.units[*u].pool.is_none())
            .count();
        let pools = self.pools.iter().filter(|p| !p.units.is_empty()).count();
        units + pools + self.standbys.len()
    }

    /// The outage reward items of joint units: for each failure action and dormancy case,
    /// its rate in the up states where the system is down after it.
    ///
    /// # Formula
    /// ρ(s) = [s up] Σ_e q_e(s) [e leads to a down state] (see `InstanceTree::rewards`). A
    /// failure action of unit I from s changes I (down) and the standby instances it joins;
    /// their states after it are expressions over s (`after_event`, innermost first), so "down
    /// after" is the top structure with those substituted. Repairs and failovers ending only
    /// bring things up, and the structure is monotone, so they never lead to a down state.
    pub(super) fn joint_reward_items(&self, leaves: &[HashSet<Leaf>]) -> Vec<String> {
        let top = Expr::Gate(self.gates.len() - 1);
        let mut items = Vec::new();
        for unit in 0..self.units.len() {
            if !self.is_joint_unit(unit) {
                continue;
            }
            let lambda = self.units[unit].failure_rate;
            for branch in self.branches(unit) {
                let (_, standbys) = self.after_event(Event::Fails(unit), &branch.covered, leaves);
                let after = simplify(self.substitute(&top, leaves, Some((unit, false)), &standbys));
                if after == Expr::Const(true) {
                    continue;
                }
                let down_after = not(&render(&after));
                for (guard, factor) in self.dormancy_cases(unit) {
                    let mut parts = vec!["system_up".to_string(), format!("u{unit}")];
                    parts.extend(guard);
                    parts.push(down_after.clone());
                    items.push(format!(
                        "{} : {}; // u{unit} fails{}",
                        and(&parts),
                        number(lambda * factor * branch.factor),
                        if branch.label.contains('_') {
                            format!(" ({})", branch.label)
                        } else {
                            String::new()
                        }
                    ));
                }
            }
        }
        items
    }
}
