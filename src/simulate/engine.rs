//! One simulation run: the discrete-event loop over an expanded [`Plan`].
//!
//! Every unit has exactly one pending event (its failure, or the end of its repair; none
//! while it waits for a crew), every standby instance at most one (the end of its failover),
//! every block with a leader election or failure pause two (the end of each; [`reconfig`]).
//! The loop takes the earliest event from the [`EventTree`], changes that unit's state and
//! passes the change up to the gates that contain it; a gate passes a change on only when its
//! own state flips, so most events touch one gate. Nothing is allocated per event.

mod reconfig;

use super::plan::{GateRule, MemberRef, NONE, Plan};
use super::stats::{ExactSum, LogHistogram};
use super::tree::EventTree;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The timeline of one run, in hours: where measuring starts, where the run ends, and the SLA
/// windows cut from the measured part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunTimeline {
    /// Start of the measured interval (the warm-up before it is simulated but not counted).
    pub start: f64,
    /// End of the run.
    pub end: f64,
    /// SLA window length.
    pub window: f64,
    /// Whole windows in the measured interval (a partial last window is not counted).
    pub windows: usize,
}

/// Events between two questions to [`Engine::run_unless`]'s `stopping`: a few milliseconds.
pub(crate) const STOP_CHECK_EVENTS: u64 = 1 << 16;

/// Outage lengths a run keeps in [`RunStats::outage_lengths`] before it moves them into
/// [`RunStats::outage_length_overflow`], so that a run's memory does not grow with its length.
pub const OUTAGE_LENGTHS_KEPT: usize = 4096;

/// What one run measured; the buffers are reused from run to run.
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    /// System downtime in the measured interval, hours.
    pub down_hours: f64,
    /// System outages starting in the measured interval.
    pub outages: u64,
    /// Lengths of the system outages that started and ended in the measured interval, hours:
    /// the last ones, at most [`OUTAGE_LENGTHS_KEPT`]; the earlier ones are in
    /// [`RunStats::outage_length_overflow`].
    pub outage_lengths: Vec<f64>,
    /// The outage lengths moved out of [`RunStats::outage_lengths`] when it filled up: their
    /// histogram and exact sum, which merge into a tally as recording each length would.
    pub outage_length_overflow: (LogHistogram, ExactSum),
    /// Whether the system was up for the whole measured interval.
    pub(crate) outage_free: bool,
    /// System downtime in each SLA window, hours.
    pub(crate) window_down_hours: Vec<f64>,
    /// Downtime of each reported block, summed over its instances, hours.
    pub(crate) block_down_hours: Vec<f64>,
    /// Outages of each reported block starting in the measured interval, over its instances.
    pub(crate) block_outages: Vec<u64>,
    /// Unit failures, repair completions and failover completions simulated.
    pub events: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Automatic,
    Manual,
}

/// The random stream of run `run` under `seed`: independent of how runs are split among
/// threads or shards.
pub(crate) fn run_rng(seed: u64, run: u64) -> Xoshiro256PlusPlus {
    // A SplitMix64-style mix of the pair; seed_from_u64 expands it with SplitMix64 again.
    let mut z = seed ^ run.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Xoshiro256PlusPlus::seed_from_u64(z ^ run)
}

/// A reusable simulator for one plan: the state of every unit, gate, crew and standby.
pub struct Engine<'p> {
    plan: &'p Plan,
    timeline: RunTimeline,
    tree: EventTree,
    rng: Xoshiro256PlusPlus,
    now: f64,
    unit_up: Vec<bool>,
    /// Units below standby members: remaining life in active hours at `exposure_since`,
    /// consumed at `exposure_rate` (the product of the dormant factors of the standby
    /// memberships whose member is not active).
    life_left: Vec<f64>,
    exposure_rate: Vec<f64>,
    exposure_since: Vec<f64>,
    tolerance: Vec<u64>,
    down_weight: Vec<u64>,
    gate_down: Vec<bool>,
    gate_down_since: Vec<f64>,
    crew_busy: Vec<u32>,
    crew_head: Vec<u32>,
    crew_waiting: Vec<u32>,
    queue: Vec<u32>,
    active: Vec<u32>,
    phase: Vec<Phase>,
    /// Per election/pause instance: members up, the leading member's position ([`NONE`]
    /// while there is none) and whether a pause runs.
    reconfig_up: Vec<u32>,
    leader: Vec<u32>,
    paused: Vec<bool>,
    stats: RunStats,
}

impl<'p> Engine<'p> {
    /// A simulator for `plan` over `timeline`.
    pub fn new(plan: &'p Plan, timeline: RunTimeline) -> Self {
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
            timeline,
            tree: EventTree::new(units + plan.standbys.len() + 2 * plan.reconfigs.len()),
            rng: run_rng(0, 0),
            now: 0.0,
            unit_up: vec![true; units],
            life_left: vec![0.0; units],
            exposure_rate: vec![1.0; units],
            exposure_since: vec![0.0; units],
            tolerance,
            down_weight: vec![0; gates],
            gate_down: vec![false; gates],
            gate_down_since: vec![0.0; gates],
            crew_busy: vec![0; plan.crews.len()],
            crew_head: vec![0; plan.crews.len()],
            crew_waiting: vec![0; plan.crews.len()],
            queue: vec![0; plan.queue_storage()],
            active: vec![NONE; plan.standbys.len()],
            phase: vec![Phase::Idle; plan.standbys.len()],
            reconfig_up: vec![0; plan.reconfigs.len()],
            leader: vec![NONE; plan.reconfigs.len()],
            paused: vec![false; plan.reconfigs.len()],
            stats: RunStats {
                window_down_hours: vec![0.0; timeline.windows],
                block_down_hours: vec![0.0; plan.reported.len()],
                block_outages: vec![0; plan.reported.len()],
                ..RunStats::default()
            },
        }
    }

    /// Simulates run `run` of `seed` from a new, all-up system and returns what it measured.
    pub fn run(&mut self, seed: u64, run: u64) -> &RunStats {
        self.run_unless(seed, run, || false)
            .expect("a run that is never stopped ends")
    }

    /// Like [`Engine::run`], but asks `stopping` every [`STOP_CHECK_EVENTS`] events and
    /// abandons the run (`None`) when it answers true, so that a long run does not hold up
    /// Ctrl-C.
    pub fn run_unless(
        &mut self,
        seed: u64,
        run: u64,
        stopping: impl Fn() -> bool,
    ) -> Option<&RunStats> {
        self.reset(seed, run);
        let end = self.timeline.end;
        let units = self.plan.units.len();
        let timers = units + self.plan.standbys.len();
        loop {
            let (slot, time) = self.tree.earliest();
            if time >= end {
                break;
            }
            if self.stats.events % STOP_CHECK_EVENTS == STOP_CHECK_EVENTS - 1 && stopping() {
                return None;
            }
            // Keys round the lowest bits of times: never let the clock step back.
            self.now = self.now.max(time);
            self.stats.events += 1;
            if slot < units {
                if self.unit_up[slot] {
                    self.unit_failed(slot);
                } else {
                    self.repair_done(slot);
                }
            } else if slot < timers {
                self.failover_done(slot - units);
            } else {
                self.reconfig_timer_done(slot - timers);
            }
        }
        self.now = end;
        self.close();
        Some(&self.stats)
    }

    fn reset(&mut self, seed: u64, run: u64) {
        self.rng = run_rng(seed, run);
        self.now = 0.0;
        self.unit_up.fill(true);
        self.down_weight.fill(0);
        self.gate_down.fill(false);
        self.crew_busy.fill(0);
        self.crew_head.fill(0);
        self.crew_waiting.fill(0);
        self.phase.fill(Phase::Idle);
        let stats = &mut self.stats;
        stats.down_hours = 0.0;
        stats.outages = 0;
        stats.outage_lengths.clear();
        if stats.outage_length_overflow.0.count() > 0 {
            stats.outage_length_overflow = (LogHistogram::new(), ExactSum::new());
        }
        stats.outage_free = true;
        stats.window_down_hours.fill(0.0);
        stats.block_down_hours.fill(0.0);
        stats.block_outages.fill(0);
        stats.events = 0;
        self.active.fill(0);
        self.reset_reconfigs();
        let plan = self.plan;
        let units = plan.units.len();
        let rng = &mut self.rng;
        let (life_left, rate, since) = (
            &mut self.life_left,
            &mut self.exposure_rate,
            &mut self.exposure_since,
        );
        let active = &self.active;
        self.tree.reset_all(|slot| {
            if slot >= units {
                return f64::INFINITY; // no failover, election or pause running
            }
            let unit = &plan.units[slot];
            let life = unit.life.sample(rng);
            if unit.dormancy.is_empty() {
                return life;
            }
            let role_rate = exposure_rate_of(plan, active, slot);
            life_left[slot] = life;
            rate[slot] = role_rate;
            since[slot] = 0.0;
            expiry(0.0, life, role_rate)
        });
    }

    /// A unit fails: its repair starts (or it queues for a crew) and its parents are told.
    fn unit_failed(&mut self, unit: usize) {
        self.unit_up[unit] = false;
        let spec = &self.plan.units[unit];
        let repair_starts = spec.crew == NONE || self.take_crew(spec.crew as usize, unit);
        let next = if repair_starts {
            self.now + spec.repair.sample(&mut self.rng)
        } else {
            f64::INFINITY
        };
        self.tree.set(unit, next);
        self.unit_parents_change(unit, true);
        for index in 0..spec.reconfig_of.len() {
            let (reconfig, position) = self.plan.units[unit].reconfig_of[index];
            self.reconfig_member_failed(reconfig as usize, position);
        }
        for index in 0..spec.member_of.len() {
            let (standby, position) = self.plan.units[unit].member_of[index];
            self.member_changed(standby as usize, position, true);
        }
    }

    /// A repair ends: the unit is new again; its crew moves on to the next in line.
    fn repair_done(&mut self, unit: usize) {
        self.unit_up[unit] = true;
        let spec = &self.plan.units[unit];
        if spec.crew != NONE {
            self.release_crew(spec.crew as usize);
        }
        if spec.dormancy.is_empty() {
            let next = self.now + spec.life.sample(&mut self.rng);
            self.tree.set(unit, next);
        } else {
            let rate = exposure_rate_of(self.plan, &self.active, unit);
            self.new_life(unit, rate);
        }
        self.unit_parents_change(unit, false);
        for index in 0..spec.reconfig_of.len() {
            let (reconfig, _) = self.plan.units[unit].reconfig_of[index];
            self.reconfig_member_repaired(reconfig as usize);
        }
        for index in 0..spec.member_of.len() {
            let (standby, position) = self.plan.units[unit].member_of[index];
            self.member_changed(standby as usize, position, false);
        }
    }

    /// A failed unit asks its pool for a crew: true when one is free, else it waits in line.
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

    /// A crew finished: it takes the first waiting unit, if any.
    fn release_crew(&mut self, pool: usize) {
        if self.crew_waiting[pool] == 0 {
            self.crew_busy[pool] -= 1;
            return;
        }
        let spec = &self.plan.crews[pool];
        let waiting = self.queue[(spec.queue_start + self.crew_head[pool]) as usize] as usize;
        self.crew_head[pool] = (self.crew_head[pool] + 1) % spec.queue_len;
        self.crew_waiting[pool] -= 1;
        let next = self.now + self.plan.units[waiting].repair.sample(&mut self.rng);
        self.tree.set(waiting, next);
    }

    #[inline]
    fn unit_parents_change(&mut self, unit: usize, down: bool) {
        let plan = self.plan;
        let (gate, weight) = plan.unit_single_parent[unit];
        if gate != NONE {
            self.gate_weight_change(gate as usize, weight as u64, down);
            return;
        }
        let range =
            plan.unit_parent_start[unit] as usize..plan.unit_parent_start[unit + 1] as usize;
        for &(gate, weight) in &plan.unit_parents[range] {
            self.gate_weight_change(gate as usize, weight as u64, down);
        }
    }

    #[inline]
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

    /// A gate flips: record it and pass the change to its parents.
    fn set_gate(&mut self, gate: usize, down: bool) {
        self.gate_down[gate] = down;
        self.record_gate(gate, down);
        let plan = self.plan;
        let range =
            plan.gate_parent_start[gate] as usize..plan.gate_parent_start[gate + 1] as usize;
        for &(parent, weight) in &plan.gate_parents[range] {
            self.gate_weight_change(parent as usize, weight as u64, down);
        }
        for &(reconfig, position) in &plan.gates[gate].reconfig_of {
            if down {
                self.reconfig_member_failed(reconfig as usize, position);
            } else {
                self.reconfig_member_repaired(reconfig as usize);
            }
        }
        for &(standby, position) in &plan.gates[gate].member_of {
            self.member_changed(standby as usize, position, down);
        }
    }

    fn record_gate(&mut self, gate: usize, down: bool) {
        let (now, start, end) = (self.now, self.timeline.start, self.timeline.end);
        if down {
            self.gate_down_since[gate] = now;
        }
        let since = self.gate_down_since[gate];
        let block = self.plan.gates[gate].block;
        if block != NONE {
            let reported = self.plan.report_index[block as usize] as usize;
            if down {
                if now >= start {
                    self.stats.block_outages[reported] += 1;
                }
            } else {
                self.stats.block_down_hours[reported] += overlap(since, now, start, end);
            }
        }
        if gate == self.plan.top as usize {
            if down {
                if now >= start {
                    self.stats.outages += 1;
                    self.stats.outage_free = false;
                }
            } else {
                if since >= start {
                    self.keep_outage_length(now - since);
                }
                self.system_down(since, now);
            }
        }
    }

    /// Keeps one outage length, moving the kept ones into the overflow histogram when full.
    fn keep_outage_length(&mut self, hours: f64) {
        let stats = &mut self.stats;
        if stats.outage_lengths.len() == OUTAGE_LENGTHS_KEPT {
            let (histogram, sum) = &mut stats.outage_length_overflow;
            for &length in &stats.outage_lengths {
                histogram.record(length);
                sum.add(length);
            }
            stats.outage_lengths.clear();
        }
        stats.outage_lengths.push(hours);
    }

    /// Adds the system outage [from, to] to the run's downtime and to its windows.
    fn system_down(&mut self, from: f64, to: f64) {
        let timeline = self.timeline;
        let hours = overlap(from, to, timeline.start, timeline.end);
        if hours <= 0.0 {
            return;
        }
        self.stats.down_hours += hours;
        self.stats.outage_free = false;
        if timeline.windows == 0 {
            return;
        }
        let windows_end = timeline.start + timeline.windows as f64 * timeline.window;
        let (from, to) = (from.max(timeline.start), to.min(windows_end));
        if to <= from {
            return;
        }
        let first =
            (((from - timeline.start) / timeline.window) as usize).min(timeline.windows - 1);
        for window in first..timeline.windows {
            let window_start = timeline.start + window as f64 * timeline.window;
            if window_start >= to {
                break;
            }
            let hours = overlap(from, to, window_start, window_start + timeline.window);
            self.stats.window_down_hours[window] += hours;
        }
    }

    /// End of run: outages still in progress count up to the end.
    fn close(&mut self) {
        let (start, end) = (self.timeline.start, self.timeline.end);
        for gate in 0..self.plan.gates.len() {
            if !self.gate_down[gate] {
                continue;
            }
            let since = self.gate_down_since[gate];
            let block = self.plan.gates[gate].block;
            if block != NONE {
                let reported = self.plan.report_index[block as usize] as usize;
                self.stats.block_down_hours[reported] += overlap(since, end, start, end);
            }
            if gate == self.plan.top as usize {
                self.system_down(since, end);
            }
        }
    }

    // ---- standby blocks (§8.4 of docs/model-format.md) ----

    /// Whether member `position` of standby instance `standby` is up.
    fn member_up(&self, standby: usize, position: usize) -> bool {
        match self.plan.standbys[standby].members[position] {
            MemberRef::Unit(unit) => self.unit_up[unit as usize],
            MemberRef::Gate(gate) => !self.gate_down[gate as usize],
        }
    }

    /// The first-listed member that is up and not active.
    fn first_up_standby(&self, standby: usize) -> Option<u32> {
        let active = self.active[standby];
        (0..self.plan.standbys[standby].members.len() as u32)
            .find(|position| *position != active && self.member_up(standby, *position as usize))
    }

    /// Changes a dormancy-tracked unit's life consumption rate from now on and reschedules it.
    fn set_exposure(&mut self, unit: usize, rate: f64) {
        let used = (self.now - self.exposure_since[unit]) * self.exposure_rate[unit];
        self.life_left[unit] = (self.life_left[unit] - used).max(0.0);
        self.exposure_since[unit] = self.now;
        self.exposure_rate[unit] = rate;
        self.tree
            .set(unit, expiry(self.now, self.life_left[unit], rate));
    }

    /// A dormancy-tracked unit starts a new life (after repair) at the given rate.
    fn new_life(&mut self, unit: usize, rate: f64) {
        let life = self.plan.units[unit].life.sample(&mut self.rng);
        self.life_left[unit] = life;
        self.exposure_since[unit] = self.now;
        self.exposure_rate[unit] = rate;
        self.tree.set(unit, expiry(self.now, life, rate));
    }

    /// Makes `position` (or none, [`NONE`]) the active member and re-rates the up units below
    /// the members that start or stop being active.
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
                if self.unit_up[unit] {
                    let rate = exposure_rate_of(plan, &self.active, unit);
                    self.set_exposure(unit, rate);
                }
            }
        }
    }

    /// A member of a standby instance went down or came up (§8.4 with "unit" read as
    /// "member").
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
                    let ends = self.now + sampler.sample(&mut self.rng);
                    self.tree.set(timer, ends);
                }
            }
        } else if down {
            if self.phase[standby] != Phase::Idle && self.first_up_standby(standby).is_none() {
                // The last member up failed during a failover: it is abandoned.
                self.phase[standby] = Phase::Idle;
                self.tree.set(timer, f64::INFINITY);
            }
        } else if self.active[standby] == NONE {
            // A member came back up with none active: it takes over at once, ending any
            // failover.
            self.phase[standby] = Phase::Idle;
            self.tree.set(timer, f64::INFINITY);
            self.set_active(standby, position);
        }
        self.update_standby_gate(standby);
    }

    fn failover_done(&mut self, standby: usize) {
        self.phase[standby] = Phase::Idle;
        self.tree
            .set(self.plan.units.len() + standby, f64::INFINITY);
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

/// The rate at which `unit` consumes its life given the active members: the product of the
/// dormant factors of its standby memberships whose member is not active.
///
/// # Formula
/// rate = Π_{(b, m) ∈ dormancy(unit), active(b) ≠ m} d_b (1 with no such membership).
fn exposure_rate_of(plan: &Plan, active: &[u32], unit: usize) -> f64 {
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

/// When a life of `life` active hours runs out if consumed at `rate` from `now`.
fn expiry(now: f64, life: f64, rate: f64) -> f64 {
    if rate > 0.0 {
        now + life / rate
    } else {
        f64::INFINITY
    }
}

/// Length of [a, b] ∩ [lo, hi].
fn overlap(a: f64, b: f64, lo: f64, hi: f64) -> f64 {
    (b.min(hi) - a.max(lo)).max(0.0)
}
