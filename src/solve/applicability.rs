//! When the exact solver's answer is exact, and how slowly the model repairs.
//!
//! The solver assumes exponential times wherever units depend on each other (crews, standby);
//! elsewhere the steady state depends on the means only. These questions are asked on the
//! solve path (to warn that a result is an exponential approximation) and by the simulator's
//! self-check, so they live with the solver whose assumptions they describe.

use crate::model::{BlockKind, Model, NodeRef};

/// Whether the exact solver's exponential assumption holds wherever it matters: every
/// unit of a crew, standby, election or pause block has exponential times, and so does every
/// failover that takes time, every leader election and every failure pause. Elsewhere the steady state depends on the means only.
pub fn exact_solver_applies(model: &Model) -> bool {
    model.blocks.iter().all(|block| {
        let standby = match &block.kind {
            BlockKind::Standby(rules) => Some(rules),
            _ => None,
        };
        if let Some(rules) = standby
            && !rules.failover_dist.is_exponential()
            && (rules.failover_hours > 0.0 || rules.coverage < 1.0)
        {
            return false;
        }
        let reconfigurations = [block.leader_election, block.failure_pause];
        if reconfigurations
            .iter()
            .flatten()
            .any(|reconfiguration| !reconfiguration.dist.is_exponential())
        {
            return false;
        }
        let crews_over_blocks = block.repair_crews.is_some()
            && block
                .members
                .iter()
                .any(|member| matches!(member.node, NodeRef::Block(_)));
        let dependent = block.limiting_crews().is_some()
            || standby.is_some()
            || crews_over_blocks
            || block.reconfigures();
        !dependent || units_below_are_exponential(model, block)
    })
}

/// Whether every component below `block` (through blocks, however deep: the units inside a
/// standby member block or under crews wait and race too) has exponential times.
fn units_below_are_exponential(model: &Model, block: &crate::model::Block) -> bool {
    let mut stack: Vec<NodeRef> = block.members.iter().map(|member| member.node).collect();
    while let Some(node) = stack.pop() {
        match node {
            NodeRef::Component(index) => {
                let component = &model.components[index];
                if !component.failure_dist.is_exponential()
                    || !component.repair_dist.is_exponential()
                {
                    return false;
                }
            }
            NodeRef::Block(inner) => {
                stack.extend(model.blocks[inner].members.iter().map(|member| member.node));
            }
        }
    }
    true
}

/// The longest mean repair, switchover, election or pause time of any unit or block, hours: a
/// conservative stand-in for the system's mean outage length when too few outages were
/// simulated to measure it.
pub fn longest_mean_repair_hours(model: &Model) -> f64 {
    let repairs = model.components.iter().map(|c| 1.0 / c.repair_rate);
    let switchovers = model.blocks.iter().filter_map(|block| match &block.kind {
        BlockKind::Standby(rules) => Some(rules.failover_hours.max(rules.manual_failover_hours)),
        _ => None,
    });
    let reconfigurations = model.blocks.iter().flat_map(|block| {
        [block.leader_election, block.failure_pause]
            .into_iter()
            .flatten()
            .map(|reconfiguration| reconfiguration.hours)
    });
    repairs
        .chain(switchovers)
        .chain(reconfigurations)
        .fold(0.0, f64::max)
}
