//! How failures are biased: the sampling rates of the up units in each state.
//!
//! Two schemes, neither tuned by the user:
//!
//! - **Balanced failure biasing** (Shahabuddin 1994), the baseline: while a repair or timer
//!   runs, the failures together get a probability [`FAILURE_PROBABILITY`] of coming before
//!   the next scheduled event, shared equally among the up units.
//! - **Distance-based failure biasing** (the default): the same total, but a share
//!   [`CRITICAL_SHARE`] goes to the *critical* units, those whose failure shortens the
//!   distance to a system outage (the fewest further unit failures that bring the system
//!   down, computed from the block structure in the present state), the rest to the others;
//!   within each group in proportion to the units' own rates. This is the structural
//!   approximation of zero-variance importance sampling: the zero-variance measure moves
//!   towards the outage along the most likely paths, which are the shortest ones when
//!   failures are rare (L'Ecuyer and Tuffin; Reijsbergen et al. 2018 rank paths by the same
//!   distance).
//!
//! The total: with `w` hours to the next scheduled event (a repair end, failover, election
//! or pause, whatever its distribution), the failures get the total rate Λ′ with
//! 1 − e^{−Λ′·w} = p, that is Λ′ = −ln(1 − p)/w, unless the units' own total Λ is already
//! larger (then Λ′ = Λ). The scheduled event's time is already drawn and independent of the
//! failure clocks, so a rate chosen from it is a valid (predictable) change of measure; with
//! exponential repairs it is the classic "failure before repair with probability p". In the
//! regeneration state nothing is scheduled and only the choice of the first unit is biased.
//!
//! Distance d(x), with a down unit or gate at 0 and an up unit at 1 (∞ when it never fails):
//!
//! ```text
//! k-of-n, series, parallel (down when the down weight exceeds t):
//!     m = t + 1 − (down weight) more weight must go down; d = the sum of the distances of
//!     the members taken by increasing distance until their weight reaches m
//! standby, instantaneous and always covered: the sum over its up members (all must go)
//! standby otherwise: the distance of its active member (its loss starts an outage)
//! election or pause block: 1 (a leader's loss or any failure takes it down)
//! k-of-n with neither: up − k + 1
//! ```
//!
//! A member is critical when its gate is and its distance is at most the largest taken
//! (ties included), or it is the active member, the leader, or (pauses, plain quorums) any
//! up unit; a unit is critical when some critical gate marks it.

use super::cycle::Cycle;
use super::structure::Child;
use crate::simulate::plan::{GateRule, MemberRef, NONE};

/// Probability that a failure comes before the next scheduled event while a repair or timer
/// runs (both schemes). Chosen by measurement (docs/simulation.md §12).
pub const FAILURE_PROBABILITY: f64 = 0.5;

/// Share of the biased failure rate given to the critical units (distance-based scheme).
pub const CRITICAL_SHARE: f64 = 0.9;

/// "Never": a distance no sum of real distances reaches.
const FAR: u32 = u32::MAX / 4;

/// How failures are biased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Not at all (crude simulation of cycles; for tests).
    None,
    /// Balanced failure biasing.
    Balanced,
    /// Distance-based failure biasing.
    Distance,
}

impl Cycle<'_> {
    /// Writes the sampling rates to `biased` (which holds the units' own rates, summing to
    /// `total`) and returns their sum; `window` is the time to the next scheduled event.
    pub(super) fn bias(&mut self, scheme: Scheme, total: f64, window: f64) -> f64 {
        if total <= 0.0 {
            return total;
        }
        let sampled_total = if window.is_finite() && window > 0.0 {
            total.max(-(-FAILURE_PROBABILITY).ln_1p() / window)
        } else {
            total
        };
        match scheme {
            Scheme::None => {
                for rate in &mut self.biased {
                    *rate *= sampled_total / total;
                }
            }
            Scheme::Balanced => {
                let units = self.biased.iter().filter(|rate| **rate > 0.0).count();
                let each = sampled_total / units as f64;
                for rate in &mut self.biased {
                    if *rate > 0.0 {
                        *rate = each;
                    }
                }
            }
            Scheme::Distance => {
                self.mark_critical();
                let mut critical = 0.0;
                for (unit, rate) in self.biased.iter().enumerate() {
                    if self.critical_unit[unit] {
                        critical += rate;
                    }
                }
                let others = total - critical;
                let (critical_factor, other_factor) = if critical > 0.0 && others > 0.0 {
                    (
                        CRITICAL_SHARE * sampled_total / critical,
                        (1.0 - CRITICAL_SHARE) * sampled_total / others,
                    )
                } else {
                    (sampled_total / total, sampled_total / total)
                };
                for (unit, rate) in self.biased.iter_mut().enumerate() {
                    *rate *= if self.critical_unit[unit] {
                        critical_factor
                    } else {
                        other_factor
                    };
                }
            }
        }
        sampled_total
    }

    fn unit_distance(&self, unit: usize) -> u32 {
        if !self.unit_up[unit] {
            0
        } else if self.rates[unit] > 0.0 {
            1
        } else {
            FAR
        }
    }

    fn child_distance(&self, child: Child) -> u32 {
        match child {
            Child::Unit(unit) => self.unit_distance(unit as usize),
            Child::Gate(gate) => self.distance[gate as usize],
        }
    }

    fn member_child(member: MemberRef) -> Child {
        match member {
            MemberRef::Unit(unit) => Child::Unit(unit),
            MemberRef::Gate(gate) => Child::Gate(gate),
        }
    }

    /// Computes every gate's distance, then marks the critical gates and units.
    pub(super) fn mark_critical(&mut self) {
        let structure = self.structure;
        let plan = self.plan;
        for &gate in &structure.bottom_up {
            let gate = gate as usize;
            let (distance, threshold) = if self.gate_down[gate] {
                (0, 0)
            } else {
                match plan.gates[gate].rule {
                    GateRule::Tolerates(tolerance) => {
                        let needed = tolerance + 1 - self.down_weight[gate];
                        let mut scratch = std::mem::take(&mut self.scratch);
                        scratch.clear();
                        for &(child, weight) in structure.children_of(gate) {
                            let distance = self.child_distance(child);
                            if distance > 0 && distance < FAR {
                                scratch.push((distance, weight));
                            }
                        }
                        scratch.sort_unstable();
                        let (mut sum, mut weight, mut last) = (0u32, 0u64, FAR);
                        for &(distance, w) in &scratch {
                            if weight >= needed {
                                break;
                            }
                            sum = sum.saturating_add(distance).min(FAR);
                            weight += w as u64;
                            last = distance;
                        }
                        self.scratch = scratch;
                        if weight >= needed {
                            (sum, last)
                        } else {
                            (FAR, 0)
                        }
                    }
                    GateRule::Standby(standby) => {
                        let spec = &plan.standbys[standby as usize];
                        if spec.instant && spec.coverage >= 1.0 {
                            let sum = spec
                                .members
                                .iter()
                                .map(|member| self.child_distance(Self::member_child(*member)))
                                .filter(|distance| *distance < FAR)
                                .fold(0u32, |sum, distance| sum.saturating_add(distance));
                            (sum.clamp(1, FAR), FAR - 1)
                        } else {
                            let active = self.active[standby as usize];
                            let distance = if active == NONE {
                                0
                            } else {
                                self.child_distance(Self::member_child(
                                    spec.members[active as usize],
                                ))
                            };
                            (distance, 0)
                        }
                    }
                    GateRule::Reconfig(index) => {
                        let spec = &plan.reconfigs[index as usize];
                        if spec.election.is_some() || spec.pause.is_some() {
                            (1, 0)
                        } else {
                            (self.reconfig_up[index as usize] + 1 - spec.required_up, 0)
                        }
                    }
                }
            };
            self.distance[gate] = distance;
            self.threshold[gate] = threshold;
        }
        self.critical_gate.fill(false);
        self.critical_unit.fill(false);
        let top = plan.top as usize;
        self.critical_gate[top] = self.distance[top] > 0 && self.distance[top] < FAR;
        for &gate in structure.bottom_up.iter().rev() {
            let gate = gate as usize;
            if !self.critical_gate[gate] {
                continue;
            }
            match plan.gates[gate].rule {
                GateRule::Tolerates(_) => {
                    let threshold = self.threshold[gate];
                    for &(child, _) in structure.children_of(gate) {
                        let distance = self.child_distance(child);
                        if distance > 0 && distance <= threshold {
                            self.mark(child);
                        }
                    }
                }
                GateRule::Standby(standby) => {
                    let spec = &plan.standbys[standby as usize];
                    if spec.instant && spec.coverage >= 1.0 {
                        for member in &spec.members {
                            let child = Self::member_child(*member);
                            let distance = self.child_distance(child);
                            if distance > 0 && distance < FAR {
                                self.mark(child);
                            }
                        }
                    } else {
                        let active = self.active[standby as usize];
                        if active != NONE {
                            self.mark(Self::member_child(spec.members[active as usize]));
                        }
                    }
                }
                GateRule::Reconfig(index) => {
                    let index = index as usize;
                    let spec = &plan.reconfigs[index];
                    let all = spec.pause.is_some()
                        || self.reconfig_up[index] + 1 - spec.required_up == 1
                        || spec.election.is_none();
                    for unit in spec.first_unit..spec.first_unit + spec.units {
                        let unit = unit as usize;
                        if self.unit_up[unit]
                            && self.rates[unit] > 0.0
                            && (all || self.leader[index] == unit as u32)
                        {
                            self.critical_unit[unit] = true;
                        }
                    }
                }
            }
        }
    }

    fn mark(&mut self, child: Child) {
        match child {
            Child::Unit(unit) => {
                if self.unit_up[unit as usize] {
                    self.critical_unit[unit as usize] = true;
                }
            }
            Child::Gate(gate) => self.critical_gate[gate as usize] = true,
        }
    }
}
