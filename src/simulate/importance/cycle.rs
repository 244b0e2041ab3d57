//! One regenerative cycle under importance sampling: the event loop with biased failures.
//!
//! A cycle starts in the regeneration state (every unit up, no repair, failover, election or
//! pause running, every standby block led by its first member and every elected block by
//! its first unit: the state a crude run starts in) and ends when it returns there. Failure
//! times are exponential (see [`super::qualify`]), so failures are not scheduled: in each
//! state the up units fail as competing Poisson processes whose rates are changed by the
//! biasing ([`super::biasing`]) while the scheduled events (repair ends, failovers,
//! elections, pauses) keep their own distributions and sit in an [`EventTree`]. The
//! likelihood ratio of the cycle's path is kept as it goes:
//!
//! ```text
//! sojourn of dt with true total rate Λ and biased total Λ':  L ← L · exp(−(Λ − Λ′)·dt)
//! failure of unit i (true rate λᵢ, biased λ′ᵢ):              L ← L · λᵢ / λ′ᵢ
//! ```
//!
//! (the density of "no failure for dt, then unit i fails" is λᵢ·e^{−Λ·dt} under the model
//! and λ′ᵢ·e^{−Λ′·dt} under the biased measure; a scheduled event ends a sojourn with
//! probability e^{−Λ·dt} against e^{−Λ′·dt}). The first failure from the regeneration state
//! is chosen without drawing its time: the sojourn there is Exp(Λ₀) whatever happens after,
//! so the cycle's length counts its mean 1/Λ₀ (a conditional expectation; less variance).
//! Biasing stops at the cycle's first system outage: the rest of the cycle is simulated under
//! the model's own law, so that the outage's length and the return to all-up are unbiased.
//!
//! The rules for crews, standby blocks, elections and pauses are those of the crude engine
//! (`simulate/engine.rs`, §8 of docs/model-format.md), restated for this loop.

use super::biasing::{FIRST_CRITICAL_SHARE, Scheme, failure_probability};
use super::structure::Structure;
use crate::simulate::engine::run_rng;
use crate::simulate::plan::{GateRule, MemberRef, NONE, Plan};
use crate::simulate::sample::Sampler;
use crate::simulate::tree::EventTree;
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Events between two questions to `stopping` within one cycle.
const STOP_CHECK_EVENTS: u64 = 1 << 16;

/// What one cycle measured, weighted by nothing: the caller multiplies by `weight`.
#[derive(Debug, Clone, Default)]
pub struct CycleStats {
    /// The likelihood ratio of the cycle's path (model density over sampling density).
    pub weight: f64,
    /// Mean length of the first sojourn in the regeneration state, 1/Λ₀, hours.
    pub first_sojourn_hours: f64,
    /// Hours from the first failure to the return to the regeneration state.
    pub rest_hours: f64,
    /// System downtime in the cycle, hours.
    pub down_hours: f64,
    /// System outages in the cycle.
    pub outages: u64,
    /// Downtime of each reported block, summed over its instances, hours.
    pub block_down_hours: Vec<f64>,
    /// Outages of each reported block, over its instances.
    pub block_outages: Vec<u64>,
    /// Failures, repair ends and timer ends simulated.
    pub events: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Automatic,
    Manual,
}

/// A reusable simulator of cycles for one plan.
pub struct Cycle<'p> {
    pub(super) plan: &'p Plan,
    /// Failure rate of each unit while active.
    pub(super) rates: &'p [f64],
    pub(super) structure: &'p Structure,
    scheme: Scheme,
    tree: EventTree,
    rng: Xoshiro256PlusPlus,
    now: f64,
    pub(super) unit_up: Vec<bool>,
    /// Factor on each unit's rate from its dormant standby memberships.
    pub(super) exposure: Vec<f64>,
    tolerance: Vec<u64>,
    pub(super) down_weight: Vec<u64>,
    pub(super) gate_down: Vec<bool>,
    gate_down_since: Vec<f64>,
    crew_busy: Vec<u32>,
    crew_head: Vec<u32>,
    crew_waiting: Vec<u32>,
    queue: Vec<u32>,
    pub(super) active: Vec<u32>,
    phase: Vec<Phase>,
    down_units: usize,
    /// Whether failures are still biased (until the first system outage).
    biasing: bool,
    /// Own failure rate of each unit in the present state (0 when down; scratch).
    pub(super) own: Vec<f64>,
    /// 1/mean of each scheduled event's distribution while it runs, else 0.
    slot_rate: Vec<f64>,
    /// Distance to a system outage of each gate and its selection threshold (scratch).
    pub(super) distance: Vec<u32>,
    pub(super) threshold: Vec<u32>,
    pub(super) critical_gate: Vec<bool>,
    pub(super) critical_unit: Vec<bool>,
    pub(super) scratch: Vec<(u32, u32)>,
    stats: CycleStats,
}

impl<'p> Cycle<'p> {
    /// A simulator of cycles of `plan` whose units fail at `rates`, biased by `scheme`.
    pub fn new(plan: &'p Plan, rates: &'p [f64], structure: &'p Structure, scheme: Scheme) -> Self {
        let units = plan.units.len();
        let gates = plan.gates.len();
        let tolerance = plan
            .gates
            .iter()
            .map(|gate| match gate.rule {
                GateRule::Tolerates(tolerance) => tolerance,
                GateRule::Standby(_) | GateRule::Reconfig(_) => u64::MAX,
            })
            .collect();
        Self {
            plan,
            rates,
            structure,
            scheme,
            tree: EventTree::new(units + plan.standbys.len() + 2 * plan.reconfigs.len()),
            rng: run_rng(0, 0),
            now: 0.0,
            unit_up: vec![true; units],
            exposure: vec![1.0; units],
            tolerance,
            down_weight: vec![0; gates],
            gate_down: vec![false; gates],
            gate_down_since: vec![0.0; gates],
            crew_busy: vec![0; plan.crews.len()],
            crew_head: vec![0; plan.crews.len()],
            crew_waiting: vec![0; plan.crews.len()],
            queue: vec![0; plan.queue_storage()],
            active: vec![0; plan.standbys.len()],
            phase: vec![Phase::Idle; plan.standbys.len()],
            down_units: 0,
            biasing: true,
            own: vec![0.0; units],
            slot_rate: vec![0.0; units + plan.standbys.len() + 2 * plan.reconfigs.len()],
            distance: vec![0; gates],
            threshold: vec![0; gates],
            critical_gate: vec![false; gates],
            critical_unit: vec![false; units],
            scratch: Vec::new(),
            stats: CycleStats {
                block_down_hours: vec![0.0; plan.reported.len()],
                block_outages: vec![0; plan.reported.len()],
                ..CycleStats::default()
            },
        }
    }

    /// The total failure rate in the regeneration state, Λ₀ (0: the system never changes).
    pub fn regeneration_rate(&mut self) -> f64 {
        self.reset(0, 0);
        self.own_rates()
    }

    /// Simulates cycle `cycle` of `seed`; None when `stopping` said so part-way.
    pub fn run_unless(
        &mut self,
        seed: u64,
        cycle: u64,
        stopping: impl Fn() -> bool,
    ) -> Option<&CycleStats> {
        self.reset(seed, cycle);
        self.first_failure();
        loop {
            if self.regenerated() {
                break;
            }
            if self.stats.events % STOP_CHECK_EVENTS == STOP_CHECK_EVENTS - 1 && stopping() {
                return None;
            }
            self.stats.events += 1;
            self.step();
        }
        self.stats.rest_hours = self.now;
        Some(&self.stats)
    }

    /// The first failure from the regeneration state: which unit, with its likelihood ratio;
    /// its time is not drawn (the cycle's length counts the sojourn's mean 1/Λ₀).
    fn first_failure(&mut self) {
        let total = self.own_rates();
        debug_assert!(total > 0.0, "the caller checks that something can fail");
        self.stats.first_sojourn_hours = 1.0 / total;
        let critical = match self.scheme {
            Scheme::None => {
                self.critical_unit.fill(false);
                0.0
            }
            scheme => self.mark(scheme),
        };
        let others = self.rate_sum(false);
        let unit = if critical > 0.0 && others > 0.0 {
            let share = critical / (critical + others);
            let sampled = share.max(FIRST_CRITICAL_SHARE);
            if self.rng.random::<f64>() < sampled {
                self.stats.weight = share / sampled;
                self.choose(true, critical)
            } else {
                self.stats.weight = (1.0 - share) / (1.0 - sampled);
                self.choose(false, others)
            }
        } else if critical > 0.0 {
            self.choose(true, critical)
        } else {
            self.choose(false, others)
        };
        self.stats.events = 1;
        self.unit_failed(unit);
    }

    /// One event: a failure or the earliest scheduled event, under the biased law.
    ///
    /// The critical units' failures (see [`super::biasing`]) form one clock of rate Λc; under
    /// the sampling law it rings before the next scheduled event (in w hours) with
    /// probability p, at a time of density g on [0, w] (distribution G, see the code); the
    /// other units fail at their own rates Λn. The likelihood ratio of the outcome:
    ///
    /// ```text
    /// critical failure at t < w:        Λc·e^{−Λc·t} / (p·g(t))
    /// anything else at t (t < w or w):  e^{−Λc·t} / S(t),  S(t) = 1 − p·G(t)
    /// ```
    ///
    /// (the model's density of the outcome over the sampling law's: the other clocks are the
    /// same under both and cancel; the unit within the critical group is drawn in proportion
    /// to its own rate, as the model does, except under balanced biasing).
    fn step(&mut self) {
        let (slot, next) = self.tree.earliest();
        let window = next - self.now;
        self.own_rates();
        let biased =
            self.biasing && self.scheme != Scheme::None && next.is_finite() && window > 0.0;
        let critical = if biased {
            self.mark(self.scheme)
        } else {
            self.critical_unit.fill(false);
            0.0
        };
        let others = self.rate_sum(false);
        // The critical clock: rings before the window with probability p, at w·(1 − r),
        // r = U^{1/(m+1)}, density g(t) = (m + 1)·r^m / w: early in the window when m, the
        // further failures the outage still needs after this one, is large (they too must
        // come before the repairs end).
        let (mut clock, mut p, mut ratio, mut power) = (f64::INFINITY, 0.0, 1.0, 1.0);
        if critical > 0.0 {
            let scheduled_rate: f64 = self.slot_rate.iter().sum();
            p = failure_probability(window * scheduled_rate);
            power = self.further_failures(self.scheme) + 1.0;
            if self.rng.random::<f64>() < p {
                let u: f64 = self.rng.random();
                ratio = u.powf(1.0 / power);
                clock = window * (1.0 - ratio);
            }
        }
        let other_clock = if others > 0.0 {
            let e: f64 = Exp1.sample(&mut self.rng);
            e / others
        } else {
            f64::INFINITY
        };
        if clock < window && clock <= other_clock {
            let density = power * ratio.powf(power - 1.0) / window;
            self.stats.weight *= critical * (-critical * clock).exp() / (p * density);
            let unit = self.choose(true, critical);
            self.now += clock;
            self.unit_failed(unit);
            return;
        }
        let elapsed = other_clock.min(window);
        if critical > 0.0 {
            let survival = if elapsed < window {
                1.0 - p * (1.0 - (1.0 - elapsed / window).powf(power))
            } else {
                1.0 - p
            };
            self.stats.weight *= (-critical * elapsed).exp() / survival;
        }
        if other_clock < window {
            let unit = self.choose(false, others);
            self.now += other_clock;
            self.unit_failed(unit);
            return;
        }
        assert!(
            next.is_finite(),
            "a state other than all-up always has a repair or timer pending or a unit that can fail"
        );
        self.now = self.now.max(next);
        let units = self.plan.units.len();
        let timers = units + self.plan.standbys.len();
        if slot < units {
            self.repair_done(slot);
        } else if slot < timers {
            self.failover_done(slot - units);
        } else {
            unreachable!("qualify refuses elections and pauses, the only other timers");
        }
    }

    /// Writes each unit's own failure rate (0 when down) to `own` and returns their sum.
    fn own_rates(&mut self) -> f64 {
        let mut total = 0.0;
        for unit in 0..self.unit_up.len() {
            let rate = if self.unit_up[unit] {
                self.rates[unit] * self.exposure[unit]
            } else {
                0.0
            };
            self.own[unit] = rate;
            total += rate;
        }
        total
    }

    /// The summed own rates of the critical units (`critical`) or of the others.
    pub(super) fn rate_sum(&self, critical: bool) -> f64 {
        self.own
            .iter()
            .zip(&self.critical_unit)
            .filter(|(_, mark)| **mark == critical)
            .map(|(rate, _)| rate)
            .sum()
    }

    /// Draws the failing unit among the critical units (or the others), whose own rates sum
    /// to `sum`: in proportion to their own rates, or uniformly under balanced biasing (then
    /// the likelihood ratio takes the factor own rate / (sum / count)).
    fn choose(&mut self, critical: bool, sum: f64) -> usize {
        let uniform = critical && self.scheme == Scheme::Balanced;
        let count = if uniform {
            self.own
                .iter()
                .zip(&self.critical_unit)
                .filter(|(rate, mark)| **mark && **rate > 0.0)
                .count()
        } else {
            0
        };
        let mut target = self.rng.random::<f64>() * if uniform { count as f64 } else { sum };
        let mut last = None;
        for unit in 0..self.own.len() {
            let rate = self.own[unit];
            if self.critical_unit[unit] != critical || rate <= 0.0 {
                continue;
            }
            let mass = if uniform { 1.0 } else { rate };
            last = Some(unit);
            if target < mass {
                break;
            }
            target -= mass;
        }
        let unit = last.expect("a failure is drawn only from a group that can fail");
        if uniform {
            self.stats.weight *= self.own[unit] * count as f64 / sum;
        }
        unit
    }

    /// Every unit up with its initial roles and the cycle's measures cleared.
    fn reset(&mut self, seed: u64, cycle: u64) {
        self.rng = run_rng(seed, cycle);
        self.now = 0.0;
        self.unit_up.fill(true);
        self.down_weight.fill(0);
        self.gate_down.fill(false);
        self.crew_busy.fill(0);
        self.crew_head.fill(0);
        self.crew_waiting.fill(0);
        self.active.fill(0);
        self.phase.fill(Phase::Idle);
        self.down_units = 0;
        self.biasing = true;
        self.tree.reset_all(|_| f64::INFINITY);
        self.slot_rate.fill(0.0);
        for unit in 0..self.plan.units.len() {
            self.exposure[unit] = exposure_rate_of(self.plan, &self.active, unit);
        }
        let stats = &mut self.stats;
        stats.weight = 1.0;
        stats.down_hours = 0.0;
        stats.outages = 0;
        stats.block_down_hours.fill(0.0);
        stats.block_outages.fill(0);
        stats.events = 0;
    }

    /// Back in the regeneration state: all up, nothing running, initial roles.
    fn regenerated(&self) -> bool {
        self.down_units == 0
            && self.tree.earliest().1 == f64::INFINITY
            && self.active.iter().all(|active| *active == 0)
    }

    fn unit_failed(&mut self, unit: usize) {
        self.unit_up[unit] = false;
        self.down_units += 1;
        let spec = &self.plan.units[unit];
        let repair_starts = spec.crew == NONE || self.take_crew(spec.crew as usize, unit);
        if repair_starts {
            self.schedule(unit, spec.repair);
        }
        self.unit_parents_change(unit, true);
        for index in 0..spec.member_of.len() {
            let (standby, position) = self.plan.units[unit].member_of[index];
            self.member_changed(standby as usize, position, true);
        }
    }

    fn repair_done(&mut self, unit: usize) {
        self.unit_up[unit] = true;
        self.down_units -= 1;
        self.cancel(unit);
        let spec = &self.plan.units[unit];
        if spec.crew != NONE {
            self.release_crew(spec.crew as usize);
        }
        if !spec.dormancy.is_empty() {
            self.exposure[unit] = exposure_rate_of(self.plan, &self.active, unit);
        }
        self.unit_parents_change(unit, false);
        for index in 0..spec.member_of.len() {
            let (standby, position) = self.plan.units[unit].member_of[index];
            self.member_changed(standby as usize, position, false);
        }
    }

    /// Starts the scheduled event of `slot`, drawn from `sampler`, and records its rate
    /// 1/mean for the biasing.
    fn schedule(&mut self, slot: usize, sampler: Sampler) {
        let ends = self.now + sampler.sample(&mut self.rng);
        self.tree.set(slot, ends);
        self.slot_rate[slot] = 1.0 / sampler.mean();
    }

    /// Stops the scheduled event of `slot`.
    fn cancel(&mut self, slot: usize) {
        self.tree.set(slot, f64::INFINITY);
        self.slot_rate[slot] = 0.0;
    }

    fn take_crew(&mut self, pool: usize, unit: usize) -> bool {
        let spec = &self.plan.crews[pool];
        if self.crew_busy[pool] < spec.crews {
            self.crew_busy[pool] += 1;
            return true;
        }
        let position = (self.crew_head[pool] + self.crew_waiting[pool]) % spec.queue_len;
        self.queue[(spec.queue_start + position) as usize] = unit as u32;
        self.crew_waiting[pool] += 1;
        false
    }

    fn release_crew(&mut self, pool: usize) {
        if self.crew_waiting[pool] == 0 {
            self.crew_busy[pool] -= 1;
            return;
        }
        let spec = &self.plan.crews[pool];
        let waiting = self.queue[(spec.queue_start + self.crew_head[pool]) as usize] as usize;
        self.crew_head[pool] = (self.crew_head[pool] + 1) % spec.queue_len;
        self.crew_waiting[pool] -= 1;
        self.schedule(waiting, self.plan.units[waiting].repair);
    }

    fn unit_parents_change(&mut self, unit: usize, down: bool) {
        let plan = self.plan;
        let range =
            plan.unit_parent_start[unit] as usize..plan.unit_parent_start[unit + 1] as usize;
        for &(gate, weight) in &plan.unit_parents[range] {
            self.gate_weight_change(gate as usize, weight as u64, down);
        }
    }

    fn gate_weight_change(&mut self, gate: usize, weight: u64, down: bool) {
        if down {
            self.down_weight[gate] += weight;
        } else {
            self.down_weight[gate] -= weight;
        }
        let now_down = self.down_weight[gate] > self.tolerance[gate];
        if now_down != self.gate_down[gate] {
            self.set_gate(gate, now_down);
        }
    }

    fn set_gate(&mut self, gate: usize, down: bool) {
        self.gate_down[gate] = down;
        self.record_gate(gate, down);
        let plan = self.plan;
        let range =
            plan.gate_parent_start[gate] as usize..plan.gate_parent_start[gate + 1] as usize;
        for &(parent, weight) in &plan.gate_parents[range] {
            self.gate_weight_change(parent as usize, weight as u64, down);
        }
        for &(standby, position) in &plan.gates[gate].member_of {
            self.member_changed(standby as usize, position, down);
        }
    }

    fn record_gate(&mut self, gate: usize, down: bool) {
        let now = self.now;
        if down {
            self.gate_down_since[gate] = now;
        }
        let since = self.gate_down_since[gate];
        let block = self.plan.gates[gate].block;
        if block != NONE {
            let reported = self.plan.report_index[block as usize] as usize;
            if down {
                self.stats.block_outages[reported] += 1;
            } else {
                self.stats.block_down_hours[reported] += now - since;
            }
        }
        if gate == self.plan.top as usize {
            if down {
                self.stats.outages += 1;
                self.biasing = false;
            } else {
                self.stats.down_hours += now - since;
            }
        }
    }

    // ---- standby blocks (§8.4 of docs/model-format.md), as in the crude engine ----

    fn member_up(&self, standby: usize, position: usize) -> bool {
        match self.plan.standbys[standby].members[position] {
            MemberRef::Unit(unit) => self.unit_up[unit as usize],
            MemberRef::Gate(gate) => !self.gate_down[gate as usize],
        }
    }

    fn first_up_standby(&self, standby: usize) -> Option<u32> {
        let active = self.active[standby];
        (0..self.plan.standbys[standby].members.len() as u32)
            .find(|position| *position != active && self.member_up(standby, *position as usize))
    }

    fn set_active(&mut self, standby: usize, position: u32) {
        let previous = std::mem::replace(&mut self.active[standby], position);
        if previous == position {
            return;
        }
        let plan = self.plan;
        for member in [previous, position] {
            if member == NONE {
                continue;
            }
            for &unit in &plan.standbys[standby].member_units[member as usize] {
                let unit = unit as usize;
                self.exposure[unit] = exposure_rate_of(plan, &self.active, unit);
            }
        }
    }

    fn member_changed(&mut self, standby: usize, position: u32, down: bool) {
        let timer = self.plan.units.len() + standby;
        if down && self.active[standby] == position {
            self.set_active(standby, NONE);
            if let Some(next) = self.first_up_standby(standby) {
                let spec = &self.plan.standbys[standby];
                let covered = spec.coverage >= 1.0
                    || (spec.coverage > 0.0 && self.rng.random::<f64>() < spec.coverage);
                if covered && spec.instant {
                    self.set_active(standby, next);
                } else {
                    let (phase, sampler) = if covered {
                        (Phase::Automatic, spec.automatic)
                    } else {
                        (Phase::Manual, spec.manual)
                    };
                    self.phase[standby] = phase;
                    self.schedule(timer, sampler);
                }
            }
        } else if down {
            if self.phase[standby] != Phase::Idle && self.first_up_standby(standby).is_none() {
                self.phase[standby] = Phase::Idle;
                self.cancel(timer);
            }
        } else if self.active[standby] == NONE {
            self.phase[standby] = Phase::Idle;
            self.cancel(timer);
            self.set_active(standby, position);
        }
        self.update_standby_gate(standby);
    }

    fn failover_done(&mut self, standby: usize) {
        self.phase[standby] = Phase::Idle;
        self.cancel(self.plan.units.len() + standby);
        if let Some(next) = self.first_up_standby(standby) {
            self.set_active(standby, next);
        }
        self.update_standby_gate(standby);
    }

    fn update_standby_gate(&mut self, standby: usize) {
        let gate = self.plan.standbys[standby].gate as usize;
        let down = self.active[standby] == NONE || self.phase[standby] != Phase::Idle;
        if down != self.gate_down[gate] {
            self.set_gate(gate, down);
        }
    }
}

/// The factor on `unit`'s failure rate from its standby memberships: the product of the
/// dormant factors of those whose member is not active (1 with none).
pub(super) fn exposure_rate_of(plan: &Plan, active: &[u32], unit: usize) -> f64 {
    plan.units[unit]
        .dormancy
        .iter()
        .fold(1.0, |rate, (standby, position)| {
            if active[*standby as usize] == *position {
                rate
            } else {
                rate * plan.standbys[*standby as usize].dormant_factor
            }
        })
}
