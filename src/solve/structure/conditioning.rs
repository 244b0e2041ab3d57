//! The fallback for few shared units among very many copies: conditioning on every up/down
//! combination of the shared units.
//!
//! A k-of-n block of thousands of copies of a block that holds a shared unit (a fleet of
//! racks behind one shared core switch) is a large decision diagram (the diagram counts the
//! copies one by one) but only two combinations of the one shared unit. When the diagram
//! refuses such a model and it has at most [`MAX_CONDITIONED`] shared units, the solver
//! evaluates the tree once per combination instead (2^m passes of the algebra).
//!
//! # Formula
//! With shared units s₁…s_m (ordered so that a unit's shared descendants come first),
//! x an assignment of up/down states and wᵢ(x) = P(sᵢ in state xᵢ | the states of its
//! shared descendants):
//! U = Σₓ Πᵢ wᵢ(x) · U(top | x), A likewise.
//! The frequency is Σ over independent units a of f_a · ∂U/∂U_a (the Birnbaum importance).
//! Units outside every shared subtree contribute Σₓ Π wᵢ · f(top | x); the units inside
//! shared unit sᵢ enter only through wᵢ, contributing
//! Σₓ Π_{j≠i} wⱼ(x) · fᵢ(x) · (±U(top | x)), with + when sᵢ is down in x and − when up.

use super::Solver;
use super::plan::Plan;
use crate::model::graph::topological_order;
use crate::model::{BlockKind, NodeRef};
use crate::solve::{Measures, SolveError, algebra};
use std::collections::HashMap;

/// Most shared units the fallback conditions on (2^m passes over the tree).
pub const MAX_CONDITIONED: usize = 20;

/// The conditioning order of one top block.
struct Order<'p> {
    plan: &'p Plan,
    /// Shared nodes, descendants before ancestors.
    conditioned: Vec<NodeRef>,
    /// Position in `conditioned`, per node.
    position: HashMap<NodeRef, usize>,
}

/// Measures of block `top` by conditioning on its shared units; `None` when it has more than
/// [`MAX_CONDITIONED`].
///
/// # Errors
/// [`SolveError`] when a dependent block's chain is too large.
pub fn solve(solver: &mut Solver, plan: &Plan, top: usize) -> Result<Option<Measures>, SolveError> {
    if plan.shared.len() > MAX_CONDITIONED {
        return Ok(None);
    }
    let model = solver.model;
    let mut conditioned: Vec<NodeRef> = plan
        .shared
        .iter()
        .filter(|node| matches!(node, NodeRef::Component(_)))
        .copied()
        .collect();
    conditioned.sort();
    conditioned.extend(
        topological_order(model, top)
            .iter()
            .rev()
            .map(|block| NodeRef::Block(*block))
            .filter(|node| plan.shared.contains(node)),
    );
    let position = conditioned
        .iter()
        .enumerate()
        .map(|(i, node)| (*node, i))
        .collect();
    let order = Order {
        plan,
        conditioned,
        position,
    };
    let mut totals = Totals::default();
    let mut assignment = vec![None; order.conditioned.len()];
    let mut weights = Vec::with_capacity(order.conditioned.len());
    let top = NodeRef::Block(top);
    enumerate(
        solver,
        top,
        &order,
        &mut assignment,
        &mut weights,
        &mut totals,
    )?;
    Ok(Some(Measures::from_sums(
        totals.unavailability,
        totals.availability,
        totals.frequency.max(0.0),
    )))
}

fn enumerate(
    solver: &mut Solver,
    top: NodeRef,
    order: &Order,
    assignment: &mut Vec<Option<bool>>,
    weights: &mut Vec<Branch>,
    totals: &mut Totals,
) -> Result<(), SolveError> {
    let level = weights.len();
    if level == order.conditioned.len() {
        let result = evaluate(solver, top, order, assignment, &mut HashMap::new())?;
        totals.add(weights, &result);
        return Ok(());
    }
    let node = order.conditioned[level];
    let measures = evaluate(solver, node, order, assignment, &mut HashMap::new())?;
    for down in [true, false] {
        let weight = if down {
            measures.unavailability
        } else {
            measures.availability
        };
        assignment[level] = Some(down);
        weights.push(Branch {
            weight,
            frequency: measures.frequency,
            down,
        });
        enumerate(solver, top, order, assignment, weights, totals)?;
        weights.pop();
    }
    assignment[level] = None;
    Ok(())
}

/// Measures of `node` given the fixed states in `assignment` (None: not fixed).
fn evaluate(
    solver: &mut Solver,
    node: NodeRef,
    order: &Order,
    assignment: &[Option<bool>],
    memo: &mut HashMap<NodeRef, Measures>,
) -> Result<Measures, SolveError> {
    if let Some(position) = order.position.get(&node)
        && let Some(Some(down)) = assignment.get(*position)
    {
        return Ok(if *down {
            Measures::ALWAYS_DOWN
        } else {
            Measures::ALWAYS_UP
        });
    }
    if order.plan.is_module(node) {
        return solver.module(node);
    }
    if let Some(cached) = memo.get(&node) {
        return Ok(*cached);
    }
    let measures = match node {
        NodeRef::Component(_) => solver.module(node)?,
        NodeRef::Block(index) => {
            let block = &solver.model.blocks[index];
            let mut groups = Vec::with_capacity(block.members.len());
            for member in &block.members {
                let child = evaluate(solver, member.node, order, assignment, memo)?;
                groups.push((child, member.count));
            }
            match block.kind {
                BlockKind::Series => algebra::series(&groups),
                BlockKind::Parallel => algebra::parallel(&groups),
                BlockKind::KOfN { k } => algebra::k_of_n(&groups, k),
                BlockKind::Standby(_) => return solver.module(node),
            }
        }
    };
    memo.insert(node, measures);
    Ok(measures)
}

/// One level of the conditioning: the probability of the chosen state and the conditioned
/// unit's own frequency.
struct Branch {
    weight: f64,
    frequency: f64,
    down: bool,
}

#[derive(Default)]
struct Totals {
    unavailability: f64,
    availability: f64,
    frequency: f64,
}

impl Totals {
    fn add(&mut self, branches: &[Branch], top: &Measures) {
        let count = branches.len();
        // prefix[i] = Π_{j<i} w_j; suffix[i] = Π_{j≥i} w_j.
        let mut prefix = vec![1.0; count + 1];
        for (i, branch) in branches.iter().enumerate() {
            prefix[i + 1] = prefix[i] * branch.weight;
        }
        let mut suffix = vec![1.0; count + 1];
        for i in (0..count).rev() {
            suffix[i] = suffix[i + 1] * branches[i].weight;
        }
        let weight = prefix[count];
        self.unavailability += weight * top.unavailability;
        self.availability += weight * top.availability;
        self.frequency += weight * top.frequency;
        for (i, branch) in branches.iter().enumerate() {
            let others = prefix[i] * suffix[i + 1];
            let sign = if branch.down { 1.0 } else { -1.0 };
            self.frequency += sign * others * branch.frequency * top.unavailability;
        }
    }
}
