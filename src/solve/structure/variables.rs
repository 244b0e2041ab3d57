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
use crate::solve::joint::{MAX_JOINT_STATES, group_variable, needs_joint};
use crate::solve::variable::Variable;
use crate::solve::{Measures, SolveError, algebra};
use std::collections::{BTreeSet, HashMap, VecDeque};

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
    /// For each joint block (a standby of blocks, a dependent block holding shared units)
    /// that holds a shared node seen elsewhere: the diagrams of its copies, in the order the
    /// walk meets them (see [`Builder::joint_groups`]).
    joint: HashMap<usize, VecDeque<NodeId>>,
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
            joint: HashMap::new(),
        }
    }

    /// Makes the joint variables of `top`'s tree before anything else is built.
    ///
    /// A joint block whose inside holds a shared node seen elsewhere (the zone of a database
    /// failover that the workers use too) is not independent of that node: the block and the
    /// shared nodes inside it are one process. Joint blocks that share such nodes are grouped
    /// (union–find over the shared nodes), and each group becomes one multi-valued variable
    /// (`solve::joint::group_variable`) whose indicators are the shared nodes inside it and
    /// each copy of its blocks. Wherever the walk then meets one of those shared nodes or
    /// copies, it uses that indicator, so every place reads the same process.
    ///
    /// # Errors
    /// [`SolveError`] when a group's chain or the diagram exceeds its limits.
    pub fn joint_groups(&mut self, top: NodeRef) -> Result<(), SolveError> {
        let model = self.solver.model;
        let any_joint = self
            .plan
            .depends
            .iter()
            .any(|node| matches!(node, NodeRef::Block(index) if needs_joint(model, *index)));
        if !any_joint {
            return Ok(());
        }
        // Copies of joint blocks in the order build() meets them, with the shared nodes
        // inside each. The walk visits every copy, as build() would: past the variable limit
        // the diagram could not be built anyway.
        let mut copies: Vec<(usize, BTreeSet<NodeRef>)> = Vec::new();
        let mut visited = std::collections::HashSet::new();
        let mut stack = vec![top];
        let mut visits = 0usize;
        while let Some(node) = stack.pop() {
            visits += 1;
            if visits > 100 * MAX_VARIABLES {
                return Err(self.too_large());
            }
            if self.plan.is_module(node) || (model.is_shared(node) && !visited.insert(node)) {
                continue;
            }
            let NodeRef::Block(index) = node else {
                continue;
            };
            let block = &model.blocks[index];
            if needs_joint(model, index) {
                copies.push((index, self.shared_inside(index)));
                continue;
            }
            // Members in reverse so that the stack pops them in listing order, as build().
            let merge = matches!(block.kind, BlockKind::Series | BlockKind::Parallel);
            for member in block.members.iter().rev() {
                let times = if merge && model.is_shared(member.node) {
                    1
                } else {
                    member.count
                };
                for _ in 0..times {
                    stack.push(member.node);
                }
            }
        }
        // Union–find: copies sharing a shared node are one group.
        let mut parent: Vec<usize> = (0..copies.len()).collect();
        fn find(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let mut owner: HashMap<NodeRef, usize> = HashMap::new();
        for (copy, (_, inside)) in copies.iter().enumerate() {
            for node in inside {
                match owner.get(node) {
                    Some(&other) => {
                        let (a, b) = (find(&mut parent, copy), find(&mut parent, other));
                        parent[a] = b;
                    }
                    None => {
                        owner.insert(*node, copy);
                    }
                }
            }
        }
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for copy in 0..copies.len() {
            let root = find(&mut parent, copy);
            match groups.iter_mut().find(|(r, _)| *r == root) {
                Some((_, members)) => members.push(copy),
                None => groups.push((root, vec![copy])),
            }
        }
        for (_, members) in groups {
            let instances: Vec<usize> = members.iter().map(|copy| copies[*copy].0).collect();
            let exposed: Vec<NodeRef> = members
                .iter()
                .flat_map(|copy| copies[*copy].1.iter().copied())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let variable = group_variable(model, &instances, &exposed, MAX_JOINT_STATES)?;
            if self.variables.len() >= MAX_VARIABLES {
                return Err(self.too_large());
            }
            let index = self.diagram.add_variable(variable.up.len());
            let indicator = |builder: &mut Self, position: usize| {
                let mask: Vec<bool> = variable.up.iter().map(|v| v[position]).collect();
                builder
                    .diagram
                    .indicator(index, &mask)
                    .map_err(|_| builder.too_large())
            };
            for (position, node) in exposed.iter().enumerate() {
                let built = indicator(self, position)?;
                self.shared.insert(*node, built);
            }
            for (offset, block) in instances.iter().enumerate() {
                let built = indicator(self, exposed.len() + offset)?;
                self.joint.entry(*block).or_default().push_back(built);
            }
            self.variables.push(variable);
            // Many-valued: evaluation walks both branches of every transition.
            self.increasing.push(false);
        }
        Ok(())
    }

    /// The shared nodes seen from several places (the plan's) below joint block `index`.
    fn shared_inside(&self, index: usize) -> BTreeSet<NodeRef> {
        let model = self.solver.model;
        let mut inside = BTreeSet::new();
        let mut stack: Vec<NodeRef> = model.blocks[index].members.iter().map(|m| m.node).collect();
        let mut seen = std::collections::HashSet::new();
        while let Some(node) = stack.pop() {
            if !seen.insert(node) {
                continue;
            }
            if self.plan.shared.contains(&node) {
                inside.insert(node);
            }
            if let NodeRef::Block(inner) = node {
                stack.extend(model.blocks[inner].members.iter().map(|m| m.node));
            }
        }
        inside
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
                if needs_joint(model, index) {
                    // A copy of a joint block: its indicator in its group's variable.
                    let next = self.joint.get_mut(&index).and_then(VecDeque::pop_front);
                    next.expect("joint_groups made one indicator per copy the walk meets")
                } else if !below {
                    // A shared block with nothing shared inside: one variable.
                    let measures = self.solver.module(node)?;
                    self.module_variable(measures)?
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
