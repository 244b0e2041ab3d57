//! The block structure seen from the top, for the biasing: each gate's members and an order
//! in which every gate comes after all the gates below it.
//!
//! The plan links children to parents (what the event loop needs); the distance to a system
//! outage ([`super::biasing`]) is computed from the members up, and the failures that shorten
//! it are found from the top down, so both directions are laid out here once per plan.

use crate::simulate::plan::{GateRule, MemberRef, Plan};

/// A member of a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    /// A unit.
    Unit(u32),
    /// A gate.
    Gate(u32),
}

/// The gates' members and a bottom-up order of the gates.
#[derive(Debug, Clone)]
pub struct Structure {
    /// `children[child_start[g]..child_start[g + 1]]`: the members of gate g with the weight
    /// of each (how many references; 1 for standby and election members).
    pub(super) child_start: Vec<u32>,
    /// See `child_start`.
    pub(super) children: Vec<(Child, u32)>,
    /// Every gate reachable from the top, members before the gates that contain them.
    pub(super) bottom_up: Vec<u32>,
}

impl Structure {
    /// Lays out the structure of `plan`.
    pub fn of(plan: &Plan) -> Self {
        let gates = plan.gates.len();
        let mut lists: Vec<Vec<(Child, u32)>> = vec![Vec::new(); gates];
        for (gate, spec) in plan.gates.iter().enumerate() {
            if let GateRule::Standby(standby) = spec.rule {
                for member in &plan.standbys[standby as usize].members {
                    let child = match *member {
                        MemberRef::Unit(unit) => Child::Unit(unit),
                        MemberRef::Gate(inner) => Child::Gate(inner),
                    };
                    lists[gate].push((child, 1));
                }
            }
        }
        for unit in 0..plan.units.len() {
            let range =
                plan.unit_parent_start[unit] as usize..plan.unit_parent_start[unit + 1] as usize;
            for &(gate, weight) in &plan.unit_parents[range] {
                lists[gate as usize].push((Child::Unit(unit as u32), weight));
            }
        }
        for child in 0..gates {
            let range =
                plan.gate_parent_start[child] as usize..plan.gate_parent_start[child + 1] as usize;
            for &(gate, weight) in &plan.gate_parents[range] {
                lists[gate as usize].push((Child::Gate(child as u32), weight));
            }
        }
        let mut child_start = Vec::with_capacity(gates + 1);
        let mut children = Vec::new();
        child_start.push(0);
        for list in &lists {
            children.extend_from_slice(list);
            child_start.push(children.len() as u32);
        }
        // Depth-first post-order from the top, without recursion (structures can be deep).
        let mut bottom_up = Vec::new();
        let mut visited = vec![false; gates];
        let mut stack = vec![(plan.top, false)];
        while let Some((gate, expanded)) = stack.pop() {
            if expanded {
                bottom_up.push(gate);
                continue;
            }
            if visited[gate as usize] {
                continue;
            }
            visited[gate as usize] = true;
            stack.push((gate, true));
            for &(child, _) in &lists[gate as usize] {
                if let Child::Gate(inner) = child
                    && !visited[inner as usize]
                {
                    stack.push((inner, false));
                }
            }
        }
        Self {
            child_start,
            children,
            bottom_up,
        }
    }

    /// The members of `gate` with their weights.
    pub(super) fn children_of(&self, gate: usize) -> &[(Child, u32)] {
        &self.children[self.child_start[gate] as usize..self.child_start[gate + 1] as usize]
    }
}
