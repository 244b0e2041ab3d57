//! Evaluation of the block tree, with shared units handled exactly by conditioning.
//!
//! Without shared units every reference is an independent copy, so each block's measures follow
//! from its members' by the algebra of [`super::algebra`], and identical copies are evaluated
//! once. A shared unit referenced in several places makes those places dependent; the solver
//! then conditions on the state (up or down) of every such unit, evaluates the tree for each
//! combination with those units fixed, and weighs the results by their probabilities.
//!
//! # Formula
//! With conditioned units s₁…s_m (ordered so that a unit's conditioned descendants come first),
//! x an assignment of up/down states and wᵢ(x) = P(sᵢ in state xᵢ | the states of its
//! conditioned descendants):
//! U = Σₓ Πᵢ wᵢ(x) · U(top | x).
//! The frequency is Σ over independent units a of f_a · ∂U/∂U_a (the Birnbaum importance).
//! Units outside every conditioned subtree contribute Σₓ Π wᵢ · f(top | x); the units inside
//! conditioned unit sᵢ enter only through wᵢ, contributing
//! Σₓ Π_{j≠i} wⱼ(x) · fᵢ(x) · (±U(top | x)), with + when sᵢ is down in x and − when up.

use super::dependent::{DependentBlock, solve_dependent, unit_types};
use super::joint::{MAX_JOINT_STATES, group_variable, indicator_measures, needs_joint};
use super::{Measures, SolveError, algebra};
use crate::model::graph::topological_order;
use crate::model::{BlockKind, Model, NodeRef};
use std::collections::HashMap;

/// Most shared units referenced in several places that exact conditioning accepts (2^m
/// evaluations of the tree).
pub const MAX_CONDITIONED: usize = 20;

/// Solves blocks of one model, caching the measures of nodes that do not depend on any
/// conditioned unit (their value is the same wherever they appear).
pub struct Solver<'m> {
    model: &'m Model,
    cache: HashMap<NodeRef, Measures>,
    atomic_cache: HashMap<usize, Option<Measures>>,
}

/// The conditioning plan for one top block.
struct Plan {
    /// Conditioned nodes, descendants before ancestors.
    conditioned: Vec<NodeRef>,
    /// Position in `conditioned`, per node.
    position: HashMap<NodeRef, usize>,
    /// Nodes with a conditioned node in their subtree (or conditioned themselves).
    depends: HashMap<NodeRef, bool>,
    /// A shared node inside a joint-chain block that is also used outside it (or by two
    /// copies of it), which this solver cannot combine.
    refused: Option<SolveError>,
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
    /// [`SolveError`] when a chain or the conditioning would be too large.
    pub fn solve_block(&mut self, top: usize) -> Result<Measures, SolveError> {
        let plan = self.plan(top);
        if let Some(error) = plan.refused.clone() {
            return Err(error);
        }
        let top = NodeRef::Block(top);
        if plan.conditioned.is_empty() {
            return self.evaluate(top, &plan, &[], &mut HashMap::new());
        }
        if plan.conditioned.len() > MAX_CONDITIONED {
            let names: Vec<&str> = plan
                .conditioned
                .iter()
                .map(|node| self.model.node_name(*node))
                .collect();
            return Err(SolveError::TooManySharedUnits {
                count: names.len(),
                names: names.join(", "),
                limit: MAX_CONDITIONED,
            });
        }
        let mut totals = Totals::default();
        let mut assignment = vec![None; plan.conditioned.len()];
        let mut weights = Vec::with_capacity(plan.conditioned.len());
        self.enumerate(top, &plan, &mut assignment, &mut weights, &mut totals)?;
        // The weighted sums can each pass 1 by rounding; from_sums keeps the smaller.
        Ok(Measures::from_sums(
            totals.unavailability,
            totals.availability,
            totals.frequency.max(0.0),
        ))
    }

    /// Which shared nodes are referenced more than once below `top`, in dependency order.
    fn plan(&self, top: usize) -> Plan {
        let model = self.model;
        let order = topological_order(model, top);
        // References per node within one copy of `top` (saturating: only ≥ 2 matters).
        let mut references: HashMap<NodeRef, f64> = HashMap::new();
        references.insert(NodeRef::Block(top), 1.0);
        for block in &order {
            let node = NodeRef::Block(*block);
            let referenced = references.get(&node).copied().unwrap_or(0.0);
            let instances = if model.blocks[*block].shared {
                referenced.min(1.0)
            } else {
                referenced
            };
            if needs_joint(model, *block) {
                // Solved as one joint chain: what is inside is not conditioned on.
                continue;
            }
            for member in &model.blocks[*block].members {
                *references.entry(member.node).or_insert(0.0) += instances * member.count as f64;
            }
        }
        let refused = self.shared_inside_joint(&order, &references);
        let is_conditioned = |node: &NodeRef| {
            model.is_shared(*node) && references.get(node).is_some_and(|r| *r >= 2.0)
        };
        // Components first (leaves), then blocks children-first.
        let mut conditioned: Vec<NodeRef> = references
            .keys()
            .filter(|node| matches!(node, NodeRef::Component(_)) && is_conditioned(node))
            .copied()
            .collect();
        conditioned.sort();
        conditioned.extend(
            order
                .iter()
                .rev()
                .map(|block| NodeRef::Block(*block))
                .filter(is_conditioned),
        );
        let position = conditioned
            .iter()
            .enumerate()
            .map(|(i, node)| (*node, i))
            .collect();
        let mut depends: HashMap<NodeRef, bool> = HashMap::new();
        for node in &conditioned {
            depends.insert(*node, true);
        }
        for block in order.iter().rev() {
            let node = NodeRef::Block(*block);
            let below = model.blocks[*block]
                .members
                .iter()
                .any(|member| depends.get(&member.node).copied().unwrap_or(false));
            if below {
                depends.insert(node, true);
            }
        }
        Plan {
            conditioned,
            position,
            depends,
            refused,
        }
    }

    fn enumerate(
        &mut self,
        top: NodeRef,
        plan: &Plan,
        assignment: &mut Vec<Option<bool>>,
        weights: &mut Vec<Branch>,
        totals: &mut Totals,
    ) -> Result<(), SolveError> {
        let level = weights.len();
        if level == plan.conditioned.len() {
            let result = self.evaluate(top, plan, assignment, &mut HashMap::new())?;
            totals.add(weights, &result);
            return Ok(());
        }
        let node = plan.conditioned[level];
        let measures = self.evaluate(node, plan, assignment, &mut HashMap::new())?;
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
            self.enumerate(top, plan, assignment, weights, totals)?;
            weights.pop();
        }
        assignment[level] = None;
        Ok(())
    }

    /// Measures of `node` given the fixed states in `assignment` (None: not fixed).
    fn evaluate(
        &mut self,
        node: NodeRef,
        plan: &Plan,
        assignment: &[Option<bool>],
        memo: &mut HashMap<NodeRef, Measures>,
    ) -> Result<Measures, SolveError> {
        if let Some(position) = plan.position.get(&node)
            && let Some(Some(down)) = assignment.get(*position)
        {
            return Ok(if *down {
                Measures::ALWAYS_DOWN
            } else {
                Measures::ALWAYS_UP
            });
        }
        let depends = plan.depends.get(&node).copied().unwrap_or(false);
        if !depends && let Some(cached) = self.cache.get(&node) {
            return Ok(*cached);
        }
        if let Some(cached) = memo.get(&node) {
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
                        let child = self.evaluate(member.node, plan, assignment, memo)?;
                        groups.push((child, member.count));
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
        if depends {
            memo.insert(node, measures);
        } else {
            self.cache.insert(node, measures);
        }
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

    /// The first shared node inside a block solved as a joint chain that is also used outside
    /// every joint chain, or by two copies of one: the chain would have to expose its state to
    /// the conditioning, which this solver cannot combine (until the structure solver consumes
    /// multi-valued [`crate::solve::variable::Variable`]s).
    fn shared_inside_joint(
        &self,
        order: &[usize],
        references: &HashMap<NodeRef, f64>,
    ) -> Option<SolveError> {
        let model = self.model;
        let mut inside: HashMap<NodeRef, (f64, usize)> = HashMap::new();
        for block in order {
            let copies = references
                .get(&NodeRef::Block(*block))
                .copied()
                .unwrap_or(0.0);
            if copies == 0.0 || !needs_joint(model, *block) {
                continue;
            }
            let mut stack: Vec<NodeRef> = model.blocks[*block]
                .members
                .iter()
                .map(|m| m.node)
                .collect();
            let mut seen = std::collections::HashSet::new();
            while let Some(node) = stack.pop() {
                if !seen.insert(node) {
                    continue;
                }
                if model.is_shared(node) {
                    let entry = inside.entry(node).or_insert((0.0, *block));
                    entry.0 += copies;
                }
                if let NodeRef::Block(inner) = node {
                    stack.extend(model.blocks[inner].members.iter().map(|m| m.node));
                }
            }
        }
        let mut found: Vec<(NodeRef, usize)> = inside
            .into_iter()
            .filter(|(node, (copies, _))| {
                copies + references.get(node).copied().unwrap_or(0.0) >= 2.0
            })
            .map(|(node, (_, block))| (node, block))
            .collect();
        found.sort();
        found
            .first()
            .map(|(node, block)| SolveError::SharedInsideJoint {
                block: model.blocks[*block].name.clone(),
                shared: model.node_name(*node).to_string(),
            })
    }

    fn solve_atomic_block(&self, index: usize) -> Result<Option<Measures>, SolveError> {
        let block = &self.model.blocks[index];
        if needs_joint(self.model, index) {
            // Standby of blocks, or shared units inside a dependent block: the joint chain of
            // the block and everything inside it, read as one up/down indicator.
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
