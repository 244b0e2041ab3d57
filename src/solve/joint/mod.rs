//! The joint chain of dependent blocks and the shared units inside them, as one
//! [`Variable`] of the structure solver.
//!
//! A dependent block (standby, `repair_crews`, common cause) whose members are blocks or
//! shared units cannot be solved from its members' measures: a standby of two regions
//! switches over when one region goes down, and a zone shared by a DB member and by the
//! nodes of a service ties them together. [`group_variable`] expands a group of such block
//! instances into physical units ([`net`]), explores their joint Markov chain from the
//! all-up state ([`explore`]) and sums its stationary probabilities and flows by the up/down
//! pattern of the indicators the rest of the model reads: the exposed shared nodes and each
//! instance.
//!
//! Units are enumerated, except that non-shared copies of one component under one series,
//! parallel or k-of-n gate are interchangeable and lumped (one state per number of them down
//! and their queue order), so the chain grows as 2^units otherwise; [`MAX_JOINT_STATES`]
//! bounds it.

mod explore;
mod net;

use super::variable::Variable;
use super::{Measures, SolveError};
use crate::model::{Model, NodeRef};
use std::collections::{BTreeMap, HashMap};

/// Largest joint chain the exact solver builds. Measured (`tests.rs`, `timing`: a warm standby
/// of two series blocks of distinct units, explored twice and solved once by GTH, on a
/// 2-core machine shared with other builds): 1,087 states 0.5 s, 2,143 states 2.5 s, 4,223
/// states 18 s, 8,383 states 112 s. The product chain fills in under elimination (time grows
/// as about n^2.7), so 3,000 states keeps a solve within a few seconds.
pub const MAX_JOINT_STATES: usize = 3000;

/// The joint process of dependent-block `instances` (block indices; a repeated index is a
/// distinct non-shared copy sharing the same shared units) and of the shared units inside
/// them, as a variable whose indicators are `exposed` (shared nodes whose up-state the rest
/// of the model reads) followed by one per instance.
///
/// # Formula
/// π solves πQ = 0 (GTH) on the explored chain; for each pattern v of the indicators,
/// P(v) = Σ_{s: pattern(s) = v} π_s and flow(v, w) = Σ_{pattern(s) = v, pattern(s') = w}
/// π_s q(s, s') for v ≠ w.
///
/// # Errors
/// [`SolveError::ChainTooLarge`] when the chain passes `limit` states.
pub fn group_variable(
    model: &Model,
    instances: &[usize],
    exposed: &[NodeRef],
    limit: usize,
) -> Result<Variable, SolveError> {
    let net = net::expand(model, instances, exposed);
    let explored = explore::explore(&net, limit).map_err(|states| SolveError::ChainTooLarge {
        block: group_name(model, instances),
        states,
    })?;
    let pi = explored.chain.steady_state();
    let mut values: HashMap<Vec<bool>, usize> = HashMap::new();
    let mut up: Vec<Vec<bool>> = Vec::new();
    let value_of: Vec<usize> = explored
        .states
        .iter()
        .map(|state| {
            let nodes = explore::node_states(&net, state);
            let pattern: Vec<bool> = net.roots.iter().map(|root| nodes[*root]).collect();
            *values.entry(pattern.clone()).or_insert_with(|| {
                up.push(pattern);
                up.len() - 1
            })
        })
        .collect();
    let mut probability = vec![0.0; up.len()];
    let mut flows: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (state, transitions) in explored.chain.transitions.iter().enumerate() {
        let from = value_of[state];
        probability[from] += pi[state];
        for (target, rate) in transitions {
            let to = value_of[*target];
            if to != from && pi[state] > 0.0 {
                *flows.entry((from, to)).or_insert(0.0) += pi[state] * rate;
            }
        }
    }
    Ok(Variable {
        up,
        probability,
        flows: flows
            .into_iter()
            .map(|((from, to), flow)| (from, to, flow))
            .collect(),
    })
}

/// How a group of block instances is named in messages: all of them when few, else the first
/// three and how many more (a group of 60 partitions tied by their brokers).
fn group_name(model: &Model, instances: &[usize]) -> String {
    const LISTED: usize = 3;
    let names: Vec<&str> = instances
        .iter()
        .take(LISTED)
        .map(|block| model.blocks[*block].name.as_str())
        .collect();
    match instances.len() {
        n if n > LISTED => format!(
            "{} and {} more tied to them by shared units",
            names.join(" + "),
            n - LISTED
        ),
        _ => names.join(" + "),
    }
}

/// The two-state measures of indicator `indicator` of `variable`: U and A summed directly over
/// the values where it is down or up, f the flow from those where it is up to those where it
/// is down.
pub fn indicator_measures(variable: &Variable, indicator: usize) -> Measures {
    let (mut unavailability, mut availability, mut frequency) = (0.0, 0.0, 0.0);
    for (value, pattern) in variable.up.iter().enumerate() {
        if pattern[indicator] {
            availability += variable.probability[value];
        } else {
            unavailability += variable.probability[value];
        }
    }
    for (from, to, flow) in &variable.flows {
        if variable.up[*from][indicator] && !variable.up[*to][indicator] {
            frequency += flow;
        }
    }
    Measures::from_sums(unavailability, availability, frequency)
}

/// Whether block `block` needs the joint chain: it is dependent (standby, crews, common
/// cause, leader election or failure pause) and some node below it is a block or a shared
/// unit, so its members are not independent copies of components.
pub fn needs_joint(model: &Model, block: usize) -> bool {
    let block = &model.blocks[block];
    let dependent = matches!(block.kind, crate::model::BlockKind::Standby(_))
        || block.repair_crews.is_some()
        || block.common_cause_beta.is_some()
        || block.reconfigures();
    dependent
        && block
            .members
            .iter()
            .any(|member| matches!(member.node, NodeRef::Block(_)) || model.is_shared(member.node))
}

#[cfg(test)]
mod tests;

/// The joint Markov chain of one copy of block `block` and every unit below it, explored from
/// the all-up state (state 0), each state labelled with whether the block is up: the chain
/// the time measures of [`crate::solve::transient`] run on. With `first_passage`, states
/// where the block is down are left absorbing (not expanded): all that the time to first
/// outage and the reliability over a mission need.
///
/// # Errors
/// [`SolveError::ChainTooLarge`] past `limit` states.
pub(crate) fn block_chain(
    model: &Model,
    block: usize,
    limit: usize,
    first_passage: bool,
) -> Result<crate::solve::ctmc::Chain, SolveError> {
    let net = net::expand(model, &[block], &[]);
    let stop = first_passage.then_some(net.roots[0]);
    let explored =
        explore::explore_until(&net, limit, stop).map_err(|states| SolveError::ChainTooLarge {
            block: model.blocks[block].name.clone(),
            states,
        })?;
    let mut chain = explored.chain;
    for (state, label) in explored.states.iter().zip(chain.up.iter_mut()) {
        *label = explore::node_states(&net, state)[net.roots[0]];
    }
    Ok(chain)
}
