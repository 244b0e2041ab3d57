//! Leader elections and failure pauses in the event loop (§8.8 of docs/model-format.md).
//!
//! An instance counts its up members (units or block instances, shared or not) and knows its
//! leading member and whether a pause runs; it has two timers after the standby ones, the end
//! of its election (slot 2i) and of its pause (slot 2i + 1). The block is down while fewer
//! than k members are up, while it has no leader (with an election) and while a pause runs.
//! Members that go down at the same instant (a shared zone under two of them) are told one
//! after the other, which ends as the joint chain's reading of them as one failure.
//!
//! With any distribution: an election starts when the leader is lost with at least k up, or
//! when the up count returns to k with no leader, and is abandoned when fewer than k stay up;
//! a pause starts at a failure that leaves at least k up when none runs, a failure during it
//! leaves its end unchanged (it goes on), a failure that leaves fewer than k up ends it, and a
//! repair does not.

use super::{Engine, NONE};
use crate::simulate::plan::MemberRef;

impl Engine<'_> {
    /// Every instance all up, led by its first member, not paused; no timer running (the
    /// timers were reset with the others).
    pub(super) fn reset_reconfigs(&mut self) {
        for (index, spec) in self.plan.reconfigs.iter().enumerate() {
            self.reconfig_up[index] = spec.members.len() as u32;
            self.leader[index] = match spec.election {
                Some(_) => 0,
                None => NONE,
            };
            self.paused[index] = false;
        }
    }

    /// The event-tree slot of instance `index`'s election timer (+1: its pause timer).
    fn election_slot(&self, index: usize) -> usize {
        self.plan.units.len() + self.plan.standbys.len() + 2 * index
    }

    /// Member `member` of instance `index` went down.
    pub(super) fn reconfig_member_failed(&mut self, index: usize, member: u32) {
        let spec = &self.plan.reconfigs[index];
        let (election, pause) = (spec.election, spec.pause);
        self.reconfig_up[index] -= 1;
        let enough = self.reconfig_up[index] >= spec.required_up;
        let slot = self.election_slot(index);
        if let Some(sampler) = election {
            if self.leader[index] == member {
                self.leader[index] = NONE;
                if enough {
                    let ends = self.now + sampler.sample(&mut self.rng);
                    self.tree.set(slot, ends);
                }
            } else if !enough {
                // Too few up: the leader is lost and a running election abandoned.
                self.leader[index] = NONE;
                self.tree.set(slot, f64::INFINITY);
            }
        }
        if let Some(sampler) = pause {
            if !enough {
                self.paused[index] = false;
                self.tree.set(slot + 1, f64::INFINITY);
            } else if !self.paused[index] {
                self.paused[index] = true;
                let ends = self.now + sampler.sample(&mut self.rng);
                self.tree.set(slot + 1, ends);
            }
        }
        self.update_reconfig_gate(index);
    }

    /// A member of instance `index` came back up: at k up again without a leader, an election
    /// starts.
    pub(super) fn reconfig_member_repaired(&mut self, index: usize) {
        let spec = &self.plan.reconfigs[index];
        self.reconfig_up[index] += 1;
        if let Some(sampler) = spec.election
            && self.leader[index] == NONE
            && self.reconfig_up[index] == spec.required_up
        {
            let ends = self.now + sampler.sample(&mut self.rng);
            let slot = self.election_slot(index);
            self.tree.set(slot, ends);
        }
        self.update_reconfig_gate(index);
    }

    /// Timer `timer` (2i: election, 2i + 1: pause of instance i) ran out.
    pub(super) fn reconfig_timer_done(&mut self, timer: usize) {
        let index = timer / 2;
        let slot = self.election_slot(index) + timer % 2;
        self.tree.set(slot, f64::INFINITY);
        if timer.is_multiple_of(2) {
            // The first-listed up member leads.
            let spec = &self.plan.reconfigs[index];
            self.leader[index] = spec
                .members
                .iter()
                .position(|member| match *member {
                    MemberRef::Unit(unit) => self.unit_up[unit as usize],
                    MemberRef::Gate(gate) => !self.gate_down[gate as usize],
                })
                .map_or(NONE, |position| position as u32);
        } else {
            self.paused[index] = false;
        }
        self.update_reconfig_gate(index);
    }

    fn update_reconfig_gate(&mut self, index: usize) {
        let spec = &self.plan.reconfigs[index];
        let gate = spec.gate as usize;
        let down = self.reconfig_up[index] < spec.required_up
            || (spec.election.is_some() && self.leader[index] == NONE)
            || self.paused[index];
        if down != self.gate_down[gate] {
            self.set_gate(gate, down);
        }
    }
}
