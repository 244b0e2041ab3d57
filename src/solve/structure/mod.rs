//! Evaluation of the block tree, with shared units handled exactly by a decision diagram
//! over independent variables.
//!
//! Without shared units every reference is an independent copy, so each block's measures
//! follow from its members' by the algebra of [`super::algebra`] (and the chains of
//! [`super::dependent`]), and identical copies are evaluated once. A shared unit referenced
//! in several places makes those places dependent. The solver then writes the top's up-state
//! as a function of independent variables ([`variables`]): each such shared unit, and each
//! largest subtree without one (a module, solved by algebra). That function is kept as a
//! reduced, ordered decision diagram ([`diagram`]), whose size follows the structure, not
//! the number of shared units (all 560 three-broker partitions over 16 shared brokers make a
//! diagram of a few dozen nodes), and the measures are summed over it ([`evaluate`]). A few
//! shared units under thousands of copies make a large diagram but few combinations; there
//! the solver conditions on the combinations instead ([`conditioning`]).
//!
//! # Formula
//! With independent variables X₁…X_m, values of probability pᵢ(v) and flows flowᵢ(v→w):
//! U = Σ_{x: top down} Πᵢ pᵢ(xᵢ), A = Σ_{x: top up} Πᵢ pᵢ(xᵢ) (both sums of positive terms),
//! f = Σᵢ Σ_{v→w} flowᵢ(v→w) · P(top up with Xᵢ = v and down with Xᵢ = w).

pub mod conditioning;
pub mod diagram;
pub mod evaluate;
pub mod plan;
pub mod variables;

use super::dependent::{DependentBlock, solve_dependent, unit_types};
use super::joint::{MAX_JOINT_STATES, group_variable, indicator_measures, needs_joint};
use super::{Measures, SolveError, algebra};
use crate::model::{BlockKind, Model, NodeRef};
use plan::Plan;
use std::collections::HashMap;
use variables::Builder;

/// Most nodes a decision diagram may have (about 100 MB) before the solver refuses the model.
pub const MAX_DIAGRAM_NODES: usize = 4_000_000;

/// The node budget of a diagram when conditioning would be cheap instead (see
/// [`CHEAP_CONDITIONING`]).
const SMALL_DIAGRAM_NODES: usize = 200_000;

/// Member references walked in all passes of the conditioning, below which it counts as cheap
/// (well under a second).
const CHEAP_CONDITIONING: u64 = 4_000_000;

/// Most variables (and most members of one k-of-n block seen by the diagram) the solver
/// accepts; it bounds the depth of the diagram's recursive operations.
pub const MAX_VARIABLES: usize = 5_000;

/// Solves blocks of one model, caching the measures of independent modules (their value is
/// the same wherever they appear).
pub struct Solver<'m> {
    model: &'m Model,
    cache: HashMap<NodeRef, Measures>,
    atomic_cache: HashMap<usize, Option<Measures>>,
}

impl<'m> Solver<'m> {
    /// A solver for `model`.
    pub fn new(model: &'m Model) -> Self {
        Self {
            model,
            cache: HashMap::new(),
            atomic_cache: HashMap::new(),
        }
    }

    /// Exact steady-state measures of one copy of block `top`.
    ///
    /// # Errors
    /// [`SolveError`] when a chain or the decision diagram would be too large.
    pub fn solve_block(&mut self, top: usize) -> Result<Measures, SolveError> {
        let plan = Plan::of(self.model, top);
        let top = NodeRef::Block(top);
        if plan.is_module(top) {
            return self.module(top);
        }
        // When conditioning on every combination of the shared units is cheap, a diagram
        // that grows large gives way to it early (a fleet of copies behind one shared unit).
        let cheap = plan.shared.len() <= conditioning::MAX_CONDITIONED
            && (1u64 << plan.shared.len()).saturating_mul(self.conditioned_work(&plan))
                <= CHEAP_CONDITIONING;
        let budget = if cheap {
            SMALL_DIAGRAM_NODES
        } else {
            MAX_DIAGRAM_NODES
        };
        // Conditioning treats every block as independent of the rest given the shared units:
        // wrong for a joint block holding one of them.
        let joint_inside = plan
            .depends
            .iter()
            .any(|node| matches!(node, NodeRef::Block(index) if needs_joint(self.model, *index)));
        // Copies of the dependent blocks counted one by one: past the variable limit the
        // diagram cannot be built, so cheap conditioning goes first (a deep chain of doubled
        // copies behind one shared unit would otherwise be walked before it gives up).
        if cheap && !joint_inside && self.dependent_copies(&plan, top) > MAX_VARIABLES as u64 {
            let NodeRef::Block(index) = top else {
                unreachable!("the top is a block")
            };
            return conditioning::solve(self, &plan, index)?.ok_or(SolveError::DiagramTooLarge {
                nodes: MAX_DIAGRAM_NODES,
                variables: MAX_VARIABLES,
            });
        }
        let mut builder = Builder::new(self, &plan, budget);
        let built = builder.joint_groups(top).and_then(|()| builder.build(top));
        match built {
            Ok(root) => Ok(evaluate::measures(
                &builder.diagram,
                root,
                &builder.variables,
                &builder.increasing,
            )),
            Err(error @ SolveError::DiagramTooLarge { .. }) if !joint_inside => {
                let NodeRef::Block(index) = top else {
                    unreachable!("the top is a block")
                };
                conditioning::solve(self, &plan, index)?.ok_or(error)
            }
            Err(error) => Err(error),
        }
    }

    /// How many copies of dependent nodes (those with a shared unit below) one copy of `node`
    /// holds, each shared node counted once; saturating.
    ///
    /// # Formula
    /// c(n) = 1 + Σ over dependent members m of count(m) · c(m) (a shared m: c(m) once).
    fn dependent_copies(&self, plan: &Plan, node: NodeRef) -> u64 {
        fn walk(
            model: &Model,
            plan: &Plan,
            node: NodeRef,
            memo: &mut HashMap<NodeRef, u64>,
        ) -> u64 {
            if let Some(known) = memo.get(&node) {
                return *known;
            }
            let NodeRef::Block(index) = node else {
                return 1;
            };
            let mut total = 1u64;
            for member in &model.blocks[index].members {
                if plan.is_module(member.node) {
                    continue;
                }
                let each = walk(model, plan, member.node, memo);
                let times = if model.is_shared(member.node) {
                    1
                } else {
                    member.count
                };
                total = total.saturating_add(each.saturating_mul(times));
            }
            memo.insert(node, total);
            total
        }
        walk(self.model, plan, node, &mut HashMap::new())
    }

    /// Member references walked by one pass of the conditioning over the tree.
    fn conditioned_work(&self, plan: &Plan) -> u64 {
        plan.depends
            .iter()
            .map(|node| match node {
                NodeRef::Block(index) => self.model.blocks[*index].members.len() as u64 + 1,
                NodeRef::Component(_) => 1,
            })
            .sum()
    }

    /// Measures of a node with no shared unit referenced twice below it, by algebra.
    ///
    /// # Errors
    /// [`SolveError`] when a dependent block's chain is too large.
    pub fn module(&mut self, node: NodeRef) -> Result<Measures, SolveError> {
        if let Some(cached) = self.cache.get(&node) {
            return Ok(*cached);
        }
        let measures = match node {
            NodeRef::Component(index) => {
                let component = &self.model.components[index];
                Measures::two_state(component.failure_rate, component.repair_rate)
            }
            NodeRef::Block(index) => match self.atomic_block(index)? {
                Some(measures) => measures,
                None => {
                    let block = &self.model.blocks[index];
                    let mut groups = Vec::with_capacity(block.members.len());
                    for member in &block.members {
                        groups.push((self.module(member.node)?, member.count));
                    }
                    match block.kind {
                        BlockKind::Series => algebra::series(&groups),
                        BlockKind::Parallel => algebra::parallel(&groups),
                        BlockKind::KOfN { k } => algebra::k_of_n(&groups, k),
                        BlockKind::Standby(_) => unreachable!("standby blocks are atomic"),
                    }
                }
            },
        };
        self.cache.insert(node, measures);
        Ok(measures)
    }

    /// Measures of a block whose members are components in a dependent arrangement (crews,
    /// standby) or with common-cause failures; `None` for a plain structure block.
    fn atomic_block(&mut self, index: usize) -> Result<Option<Measures>, SolveError> {
        if let Some(cached) = self.atomic_cache.get(&index) {
            return Ok(*cached);
        }
        let measures = self.solve_atomic_block(index)?;
        self.atomic_cache.insert(index, measures);
        Ok(measures)
    }

    fn solve_atomic_block(&self, index: usize) -> Result<Option<Measures>, SolveError> {
        let block = &self.model.blocks[index];
        if needs_joint(self.model, index) {
            // A standby of blocks, or shared units inside a dependent block, none of them seen
            // elsewhere: the joint chain of the block and everything inside it, read as one
            // up/down indicator.
            let variable = group_variable(self.model, &[index], &[], MAX_JOINT_STATES)?;
            return Ok(Some(indicator_measures(&variable, 0)));
        }
        let dependent = DependentBlock::of_model_block(self.model, block);
        if dependent.is_none() && block.common_cause_beta.is_none() {
            return Ok(None);
        }
        let types = unit_types(self.model, block);
        let inner = match dependent {
            // Independent members with reduced rates: plain algebra.
            None => {
                let groups: Vec<_> = types
                    .iter()
                    .map(|(_, unit)| {
                        (
                            Measures::two_state(unit.failure_rate, unit.repair_rate),
                            unit.count,
                        )
                    })
                    .collect();
                algebra::k_of_n(&groups, block.required_up())
            }
            Some(dependent) => {
                solve_dependent(&dependent).map_err(|error| SolveError::ChainTooLarge {
                    block: block.name.clone(),
                    states: error.states,
                })?
            }
        };
        let Some(beta) = block.common_cause_beta else {
            return Ok(Some(inner));
        };
        // The common-cause element: rate βλ, its own repair at μ, in series with the block.
        let component = &self.model.components[types[0].0];
        let element = Measures::two_state(beta * component.failure_rate, component.repair_rate);
        Ok(Some(algebra::series(&[(inner, 1), (element, 1)])))
    }
}
