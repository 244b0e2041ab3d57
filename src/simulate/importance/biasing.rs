//! How failures are biased: the sampling rates of the up units in each state.
//!
//! Two schemes, neither tuned by the user:
//!
//! Failures are split into *critical* units, whose clock is biased, and the others, which
//! keep their own rates. While a repair or timer runs (the next one w hours away), the
//! critical failures ring before it with probability p(x) ([`failure_probability`]), a
//! function of x = w·Σ 1/meanⱼ over the running scheduled events (their "repair rate"), at a
//! time drawn from their own law on [0, w]. The scheduled event's time is already drawn and
//! independent of the failure clocks, so this is a valid (predictable) change of measure,
//! whatever the repair distributions; with exponential repairs and p = 1/2 it is the classic
//! "failure before repair with probability p".
//!
//! - **Balanced failure biasing** (Shahabuddin 1994), the baseline: every up unit is
//!   critical, and the failing one is drawn uniformly.
//! - **Distance-based failure biasing** (the default): the critical units are those whose
//!   failure shortens the distance to a system outage (the fewest further unit failures that
//!   bring the system down, computed from the block structure in the present state), drawn
//!   in proportion to their own rates; the others fail as the model says. This is the
//!   structural approximation of zero-variance importance sampling: the zero-variance measure
//!   moves towards the outage along the most likely paths, which are the shortest ones when
//!   failures are rare, and leaves the failures that do not bring it closer alone (L'Ecuyer
//!   and Tuffin; Reijsbergen et al. 2018 rank paths by the same distance).
//!
//! From the regeneration state nothing is scheduled; only the first unit's draw is biased,
//! towards the critical ones (at least [`FIRST_CRITICAL_SHARE`]).
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

/// α in the probability p(x) = αx/(1 + αx) that the critical failures ring before the next
/// scheduled event, x being the time to it in units of the scheduled events' mean
/// (w·Σ 1/meanⱼ). Chosen by measurement (docs/simulation.md).
pub const FAILURE_ODDS: f64 = 5.0;

/// The most p may be: the paths that reach a repair first keep some probability.
pub const MOST_FAILURE_PROBABILITY: f64 = 0.95;

/// Least probability of drawing a critical unit for the first failure from the
/// regeneration state.
pub const FIRST_CRITICAL_SHARE: f64 = 0.5;

/// Cap on m in [`Cycle::further_failures`].
pub const MOST_FURTHER_FAILURES: u32 = 16;

/// "Never": a distance no sum of real distances reaches.
const FAR: u32 = u32::MAX / 4;

/// The probability p(x) = αx/(1 + αx), at most [`MOST_FAILURE_PROBABILITY`], that the
/// critical failures ring before the next scheduled event, `x` hours × Σ 1/mean away.
///
/// # Derivation
/// With the critical clock of rate Λc and the scheduled event at w, the model gives it
/// P = 1 − e^{−Λc·w} ≈ Λc·w; a path through it is weighted P/p. A constant p makes the
/// weight proportional to w, which varies as much as the repair times do (exponential repairs:
/// E[w²]/E[w]² = 2 per step, 4 with the time factor of a plain rate change). With
/// p = αx/(1 + αx) the weight is Λc·(1 + αx)/(α·Σ1/mean): nearly constant where w is short,
/// and the second moment per step relative to the squared probability is 2 + 1/α, against
/// 4 for p = 1/2; a large α makes the repair-first paths (weight (1 + αx)) heavy, so α is
/// moderate.
pub fn failure_probability(x: f64) -> f64 {
    if x.is_finite() {
        (FAILURE_ODDS * x / (1.0 + FAILURE_ODDS * x)).min(MOST_FAILURE_PROBABILITY)
    } else {
        MOST_FAILURE_PROBABILITY
    }
}

/// How failures are biased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Not at all (crude simulation of cycles; for tests).
    None,
    /// Balanced failure biasing: every up unit is critical, drawn uniformly.
    Balanced,
    /// Distance-based failure biasing.
    Distance,
}

impl Cycle<'_> {
    /// Marks the critical units of the present state for `scheme` and returns the sum of
    /// their own rates (`own` must hold them).
    pub(super) fn mark(&mut self, scheme: Scheme) -> f64 {
        match scheme {
            Scheme::None => self.critical_unit.fill(false),
            Scheme::Balanced => {
                for (mark, rate) in self.critical_unit.iter_mut().zip(&self.own) {
                    *mark = *rate > 0.0;
                }
            }
            Scheme::Distance => self.mark_critical(),
        }
        self.rate_sum(true)
    }

    /// m, the further unit failures a system outage needs after the next critical one (the
    /// distance less one; 0 under balanced biasing, at most [`MOST_FURTHER_FAILURES`]); valid
    /// after [`Cycle::mark`].
    pub(super) fn further_failures(&self, scheme: Scheme) -> f64 {
        match scheme {
            Scheme::Distance => {
                let distance = self.distance[self.plan.top as usize];
                f64::from(distance.saturating_sub(1).min(MOST_FURTHER_FAILURES))
            }
            Scheme::None | Scheme::Balanced => 0.0,
        }
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
                        // By distance, the heavier member first among equals (a shared unit
                        // referenced twice takes two places at once).
                        scratch.sort_unstable_by_key(|(distance, weight)| {
                            (*distance, std::cmp::Reverse(*weight))
                        });
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
                    GateRule::Reconfig(_) => {
                        unreachable!("qualify refuses elections and pauses")
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
                            self.mark_child(child);
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
                                self.mark_child(child);
                            }
                        }
                    } else {
                        let active = self.active[standby as usize];
                        if active != NONE {
                            self.mark_child(Self::member_child(spec.members[active as usize]));
                        }
                    }
                }
                GateRule::Reconfig(_) => unreachable!("qualify refuses elections and pauses"),
            }
        }
    }

    fn mark_child(&mut self, child: Child) {
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
