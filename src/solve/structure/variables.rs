//! From the model to the decision diagram: which parts of the tree are independent variables
//! and how the blocks above them combine.
//!
//! A shared node referenced in several places (see [`super::plan::Plan`]) is a variable when
//! nothing below it is shared elsewhere, and otherwise a sub-diagram built once and reused
//! wherever it is referenced (it is one physical unit or block). A subtree with no such node
//! is an independent module: one two-valued variable whose measures come from the algebra
//! and the dependent chains ([`super::Solver::module`]); every non-shared copy of it is a
//! variable of its own with the same measures. In a series or parallel block all the module
//! members are first merged into one module, so they cost one variable. Variables are
//! numbered in the order the depth-first walk of the top's tree first meets them, which keeps
//! the variables of one region of the tree together in the diagram order.

use super::diagram::{Diagram, NodeId, TooLarge};
use super::plan::Plan;
use super::{MAX_DIAGRAM_NODES, MAX_VARIABLES, Solver};
use crate::model::{Block, BlockKind, NodeRef};
use crate::solve::dependent::DependentBlock;
use crate::solve::variable::Variable;
use crate::solve::{Measures, SolveError, algebra};
use std::collections::HashMap;

/// Builds the diagram of one top block.
pub struct Builder<'s, 'm> {
    solver: &'s mut Solver<'m>,
    plan: &'s Plan,
    /// The diagram under construction.
    pub diagram: Diagram,
    /// The diagram's variables, by index.
    pub variables: Vec<Variable>,
    /// Per variable: two-valued and the top can only go up when it comes up (see
    /// [`super::evaluate::measures`]); every variable made here is.
    pub increasing: Vec<bool>,
    /// Diagrams of shared nodes already built.
    shared: HashMap<NodeRef, NodeId>,
}

impl<'s, 'm> Builder<'s, 'm> {
    /// A builder for the top block that `plan` was made for.
    /// The diagram may have at most `nodes` nodes.
    pub fn new(solver: &'s mut Solver<'m>, plan: &'s Plan, nodes: usize) -> Self {
        Self {
            solver,
            plan,
            diagram: Diagram::new(nodes),
            variables: Vec::new(),
            increasing: Vec::new(),
            shared: HashMap::new(),
        }
    }

    /// The diagram of "`node` is up".
    ///
    /// # Errors
    /// [`SolveError`] when a chain, the diagram or its variables exceed their limits.
    pub fn build(&mut self, node: NodeRef) -> Result<NodeId, SolveError> {
        let model = self.solver.model;
        let shared = model.is_shared(node);
        if shared && let Some(built) = self.shared.get(&node) {
            return Ok(*built);
        }
        let built = match node {
            NodeRef::Block(index) if !self.plan.is_module(node) => {
                let block = &model.blocks[index];
                let below = block
                    .members
                    .iter()
                    .any(|member| !self.plan.is_module(member.node));
                if !below {
                    // A shared block with nothing shared inside: one variable.
                    let measures = self.solver.module(node)?;
                    self.module_variable(measures)?
                } else if is_dependent(self.solver, block) {
                    return Err(joint_group(block));
                } else {
                    self.combine(block)?
                }
            }
            _ => {
                let measures = self.solver.module(node)?;
                self.module_variable(measures)?
            }
        };
        if shared {
            self.shared.insert(node, built);
        }
        Ok(built)
    }

    /// A block with shared nodes below it, from its members' diagrams.
    fn combine(&mut self, block: &Block) -> Result<NodeId, SolveError> {
        let merge = matches!(block.kind, BlockKind::Series | BlockKind::Parallel);
        let mut parts = Vec::new();
        if merge {
            let mut modules = Vec::new();
            for member in &block.members {
                if self.plan.is_module(member.node) {
                    modules.push((self.solver.module(member.node)?, member.count));
                }
            }
            if !modules.is_empty() {
                let merged = match block.kind {
                    BlockKind::Series => algebra::series(&modules),
                    _ => algebra::parallel(&modules),
                };
                parts.push(self.module_variable(merged)?);
            }
        }
        let model = self.solver.model;
        for member in &block.members {
            if merge && self.plan.is_module(member.node) {
                continue;
            }
            // One physical node counts once in a series or parallel block, and as often as
            // it is listed in a k-of-n.
            let copies = if merge && model.is_shared(member.node) {
                1
            } else {
                member.count
            };
            for _ in 0..copies {
                parts.push(self.build(member.node)?);
                if parts.len() > MAX_VARIABLES {
                    return Err(self.too_large());
                }
            }
        }
        let diagram = &mut self.diagram;
        let combined = match block.kind {
            BlockKind::Series => diagram.all(&parts),
            BlockKind::Parallel => diagram.any(&parts),
            BlockKind::KOfN { k } => diagram.at_least(&parts, k as usize),
            BlockKind::Standby(_) => unreachable!("standby blocks are dependent"),
        };
        combined.map_err(|_: TooLarge| self.too_large())
    }

    /// A new two-valued variable with these measures; its diagram (up on value 0).
    fn module_variable(&mut self, measures: Measures) -> Result<NodeId, SolveError> {
        if self.variables.len() >= MAX_VARIABLES {
            return Err(self.too_large());
        }
        let index = self.diagram.add_variable(2);
        self.variables.push(Variable::two_state(measures));
        self.increasing.push(true);
        self.diagram
            .indicator(index, &[true, false])
            .map_err(|_| self.too_large())
    }

    fn too_large(&self) -> SolveError {
        SolveError::DiagramTooLarge {
            nodes: MAX_DIAGRAM_NODES,
            variables: MAX_VARIABLES,
        }
    }
}

/// Whether `block` is solved as one dependent chain (crews, standby, common cause).
fn is_dependent(solver: &Solver, block: &Block) -> bool {
    let components_only = block
        .members
        .iter()
        .all(|member| matches!(member.node, NodeRef::Component(_)));
    block.common_cause_beta.is_some()
        || (components_only && DependentBlock::of_model_block(solver.model, block).is_some())
}

/// The joint variable of a dependent block that contains shared units also referenced
/// elsewhere: where the joint-group builder (`solve/joint/`) plugs in. Model validation
/// refuses such models today, so reaching this is an error, not a wrong number.
fn joint_group(block: &Block) -> SolveError {
    SolveError::SharedInDependentBlock {
        block: block.name.clone(),
    }
}
