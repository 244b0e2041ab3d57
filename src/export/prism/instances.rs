//! The instances of a model that become PRISM modules and formulas: independent units, dependent
//! block instances and block instances, built like `src/simulate/plan.rs` but keeping the
//! structure as formulas.
//!
//! A dependent block whose members are blocks or shared units (a standby of regions, crews
//! over blocks, a shared unit inside a crew or common-cause block), and every block below
//! it, is built member by member instead ([`super::joint`]): its units are enumerated, each
//! carrying what it inherits from the blocks above it (§8.3, §8.4 of `docs/model-format.md`):
//! the crew pool that repairs it (the innermost block with `repair_crews`) and the standby
//! membership that makes it dormant. A shared unit, and every unit of a shared block, inherits
//! nothing: its own process depends on nothing else.

use super::expr::{Expr, Leaf};
use super::joint::{Nesting, Pool, Standby};
use super::module::{Group, Unit};
use crate::export::{ExportError, MAX_STATES};
use crate::model::{BlockKind, Model, NodeRef};
use crate::solve::dependent::{DependentBlock, StandbyRules, explore, unit_types};
use std::collections::{HashMap, HashSet};

/// A block instance: the formula `bJ`.
#[derive(Debug, Clone)]
pub(super) struct Gate {
    /// The model block it copies.
    pub(super) block: usize,
    /// When it is up.
    pub(super) expr: Expr,
    /// Where it sits, for its comment.
    pub(super) place: String,
}

/// What a unit below a joint block inherits from the blocks above it.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    /// The crew pool that repairs it (the innermost enclosing block with `repair_crews`).
    pool: Option<usize>,
    /// The standby memberships `(standby, member)` above it: it is dormant while such a
    /// member is not the active one.
    dormancy: Vec<(usize, usize)>,
}

/// Every instance of a model reachable from its top: the modules (units, dependent blocks,
/// crew pools, standby instances) and the formulas (block instances), numbered in the order
/// they are written.
pub(super) struct InstanceTree<'m> {
    /// The model.
    pub(super) model: &'m Model,
    /// Units: modules `m_uI`, or for a unit of a crew pool the formula `uI` over the pool's
    /// waiting line.
    pub(super) units: Vec<Unit>,
    /// Dependent block instances of components: modules `m_gK`.
    pub(super) groups: Vec<Group>,
    /// Crew pools of joint blocks: modules `m_cP`.
    pub(super) pools: Vec<Pool>,
    /// Standby instances of joint blocks: modules `m_sS`.
    pub(super) standbys: Vec<Standby>,
    /// Block instances: formulas `bJ`, children before parents (the top last).
    pub(super) gates: Vec<Gate>,
    /// The standby instances whose members' up-state each unit's events can change.
    pub(super) affects: Vec<Vec<usize>>,
    /// How the standby instances sit below each other's members.
    pub(super) nesting: Nesting,
    /// The one instance of each shared node built so far.
    shared: HashMap<NodeRef, Expr>,
    /// Blocks built member by member: joint blocks and every block below one.
    joint: Vec<bool>,
    /// Units that never fail (λ = 0), for the header.
    pub(super) constant_units: Vec<String>,
    /// The first construct the export cannot write, found while building.
    refusal: Option<ExportError>,
}

impl<'m> InstanceTree<'m> {
    /// The instances below the top block of `model`, and the structure of the top.
    ///
    /// # Errors
    /// [`ExportError::JointBlock`] for a construct the export does not write (a standby below
    /// a member of another joint standby, an election or pause inside or over a joint block).
    pub(super) fn of_model(model: &'m Model) -> Result<(Self, Expr), ExportError> {
        let reachable = crate::model::graph::reachable_blocks(model, model.top);
        let mut joint = vec![false; model.blocks.len()];
        let mut stack: Vec<usize> = (0..model.blocks.len())
            .filter(|b| reachable[*b] && crate::solve::joint::needs_joint(model, *b))
            .collect();
        while let Some(block) = stack.pop() {
            if std::mem::replace(&mut joint[block], true) {
                continue;
            }
            for member in &model.blocks[block].members {
                if let NodeRef::Block(inner) = member.node {
                    stack.push(inner);
                }
            }
        }
        let mut tree = Self {
            model,
            units: Vec::new(),
            groups: Vec::new(),
            pools: Vec::new(),
            standbys: Vec::new(),
            gates: Vec::new(),
            affects: Vec::new(),
            nesting: Nesting::default(),
            shared: HashMap::new(),
            joint,
            constant_units: Vec::new(),
            refusal: None,
        };
        let top = tree.node(NodeRef::Block(model.top), "the system", &Context::default());
        if let Some(refusal) = tree.refusal.take() {
            return Err(refusal);
        }
        tree.settle_joint()?;
        Ok((tree, top))
    }

    fn refuse(&mut self, block: usize, reason: &str) {
        if self.refusal.is_none() {
            self.refusal = Some(ExportError::JointBlock {
                block: self.model.blocks[block].name.clone(),
                reason: reason.to_string(),
            });
        }
    }

    /// The structure of one reference to `node`: a new copy in `context`, or the shared one
    /// (built once, outside any context).
    fn node(&mut self, node: NodeRef, place: &str, context: &Context) -> Expr {
        if self.model.is_shared(node) {
            if let Some(expr) = self.shared.get(&node) {
                return expr.clone();
            }
            let place = "shared: one physical unit wherever it is referenced".to_string();
            let expr = self.build(node, &place, &Context::default());
            self.shared.insert(node, expr.clone());
            return expr;
        }
        self.build(node, place, context)
    }

    fn build(&mut self, node: NodeRef, place: &str, context: &Context) -> Expr {
        match node {
            NodeRef::Component(index) => {
                let component = &self.model.components[index];
                self.unit(
                    component.failure_rate,
                    component.repair_rate,
                    format!("component `{}`, {place}", component.name),
                    context,
                )
            }
            NodeRef::Block(index) if self.joint[index] => self.joint_block(index, place, context),
            NodeRef::Block(index) => self.block(index, place),
        }
    }

    fn unit(
        &mut self,
        failure_rate: f64,
        repair_rate: f64,
        what: String,
        context: &Context,
    ) -> Expr {
        if failure_rate == 0.0 {
            self.constant_units.push(what);
            return Expr::Const(true);
        }
        let index = self.units.len();
        if let Some(pool) = context.pool {
            self.pools[pool].units.push(index);
        }
        self.units.push(Unit {
            failure_rate,
            repair_rate,
            what,
            pool: context.pool,
            dormancy: context.dormancy.clone(),
        });
        Expr::Unit(index)
    }

    /// One instance of block `index`; its gate is numbered after its children's.
    fn block(&mut self, index: usize, place: &str) -> Expr {
        let model = self.model;
        let block = &model.blocks[index];
        if block.reconfigures()
            && block.members.iter().any(|member| {
                matches!(member.node, NodeRef::Block(_)) || model.is_shared(member.node)
            })
        {
            self.refuse(
                index,
                "has a leader election or failure pause over blocks or shared units",
            );
        }
        let inner = match DependentBlock::of_model_block(model, block) {
            Some(dependent) => {
                // Unit types exactly as the solver forms them: one module of counted states.
                let components = unit_types(model, block)
                    .into_iter()
                    .map(|(component, _)| component)
                    .collect();
                self.groups.push(Group::new(index, dependent, components));
                Expr::Group(self.groups.len() - 1)
            }
            None => Expr::AtLeast(block.required_up(), self.member_items(index)),
        };
        let expr = match block.common_cause_beta {
            Some(beta) => {
                let NodeRef::Component(component_index) = block.members[0].node else {
                    unreachable!("the loader requires common-cause members to be components")
                };
                let component = &model.components[component_index];
                let element = self.unit(
                    beta * component.failure_rate,
                    component.repair_rate,
                    format!("common-cause element of block `{}` ({place})", block.name),
                    &Context::default(),
                );
                Expr::AtLeast(2, vec![inner, element])
            }
            None => inner,
        };
        self.push_gate(index, expr, place)
    }

    fn push_gate(&mut self, block: usize, expr: Expr, place: &str) -> Expr {
        self.gates.push(Gate {
            block,
            expr,
            place: place.to_string(),
        });
        Expr::Gate(self.gates.len() - 1)
    }

    /// One instance of block `index` built member by member (a joint block or a block below
    /// one), in `context`: a block with `repair_crews` opens a crew pool for the units below
    /// it, a standby block a standby instance whose members' units are dormant while their
    /// member is not the active one, a common-cause block an element in series (§8.5) whose
    /// non-shared members fail at (1 − β)λ.
    fn joint_block(&mut self, index: usize, place: &str, context: &Context) -> Expr {
        let model = self.model;
        let block = &model.blocks[index];
        if block.reconfigures() {
            self.refuse(
                index,
                "has a leader election or failure pause over blocks or shared units, or inside a dependent block of them",
            );
        }
        let inside = format!("in block `{}`", block.name);
        let mut inner = context.clone();
        if let Some(crews) = block.repair_crews {
            self.pools.push(Pool {
                block: index,
                crews,
                units: Vec::new(),
            });
            inner.pool = Some(self.pools.len() - 1);
        }
        let references: Vec<NodeRef> = block
            .members
            .iter()
            .flat_map(|member| std::iter::repeat_n(member.node, member.count as usize))
            .collect();
        let structure = match &block.kind {
            BlockKind::Standby(rules) => {
                let standby = self.standbys.len();
                self.standbys.push(Standby {
                    block: index,
                    members: Vec::new(),
                    rules: StandbyRules::from(rules),
                });
                let mut members = Vec::new();
                for (position, node) in references.into_iter().enumerate() {
                    let mut own = inner.clone();
                    own.dormancy.push((standby, position));
                    members.push(self.node(node, &inside, &own));
                }
                self.standbys[standby].members = members;
                Expr::Standby(standby)
            }
            _ => {
                let beta = block.common_cause_beta.unwrap_or(0.0);
                let mut items = Vec::new();
                for node in references {
                    match node {
                        NodeRef::Component(component) if beta > 0.0 && !model.is_shared(node) => {
                            let component = &model.components[component];
                            items.push(self.unit(
                                component.failure_rate * (1.0 - beta),
                                component.repair_rate,
                                format!(
                                    "component `{}` at (1 - beta) lambda, {inside}",
                                    component.name
                                ),
                                &inner,
                            ));
                        }
                        _ => items.push(self.node(node, &inside, &inner)),
                    }
                }
                Expr::AtLeast(block.required_up(), items)
            }
        };
        let expr = match block.common_cause_beta {
            Some(beta) if beta > 0.0 => {
                let NodeRef::Component(component) = block.members[0].node else {
                    unreachable!("the loader requires common-cause members to be components")
                };
                let component = &model.components[component];
                let element = self.unit(
                    beta * component.failure_rate,
                    component.repair_rate,
                    format!("common-cause element of block `{}` ({place})", block.name),
                    &Context::default(),
                );
                Expr::AtLeast(2, vec![structure, element])
            }
            _ => structure,
        };
        self.push_gate(index, expr, place)
    }

    /// The items of an independent block `index`: one per member copy.
    fn member_items(&mut self, index: usize) -> Vec<Expr> {
        let model = self.model;
        let block = &model.blocks[index];
        let beta = block.common_cause_beta.unwrap_or(0.0);
        let inside = format!("in block `{}`", block.name);
        let mut items = Vec::new();
        for member in &block.members {
            if block.common_cause_beta.is_some() {
                // Members are copies of one non-shared component, at (1 − β)λ.
                let NodeRef::Component(component_index) = member.node else {
                    unreachable!("the loader requires common-cause members to be components")
                };
                let component = &model.components[component_index];
                for _ in 0..member.count {
                    let unit = self.unit(
                        component.failure_rate * (1.0 - beta),
                        component.repair_rate,
                        format!(
                            "component `{}` at (1 - beta) lambda, {inside}",
                            component.name
                        ),
                        &Context::default(),
                    );
                    items.push(unit);
                }
            } else if model.is_shared(member.node) {
                let child = self.node(member.node, &inside, &Context::default());
                for _ in 0..member.count {
                    items.push(child.clone());
                }
            } else {
                for _ in 0..member.count {
                    items.push(self.node(member.node, &inside, &Context::default()));
                }
            }
        }
        items
    }

    /// States of the product chain: 2 per unit times each dependent block's recurrent states
    /// (what Storm builds from the initial state); starts each dependent block in its
    /// recurrent class. With joint blocks the count is a bound (`false`): the units of a crew
    /// pool count by the orders of its waiting line, a standby instance by its m + 3 values of
    /// (active member, failover phase), and not every combination is reachable.
    pub(super) fn count_states(&mut self, units: u64) -> Result<(u128, bool), ExportError> {
        let too_many = |states| ExportError::TooManyStates {
            units,
            states,
            limit: MAX_STATES,
        };
        let exact = self.pools.iter().all(|pool| pool.units.is_empty()) && self.standbys.is_empty();
        let limit = u128::from(MAX_STATES);
        let bound = |product: u128| ExportError::JointTooLarge {
            units,
            states: product,
            limit: MAX_STATES,
        };
        let mut product: u128 = 1;
        let multiply = |product: &mut u128, factor: u128| -> bool {
            *product = product.saturating_mul(factor);
            *product <= limit
        };
        for unit in &self.units {
            if unit.pool.is_none() && !multiply(&mut product, 2) {
                if !exact {
                    return Err(bound(product));
                }
                let full = 1u128.checked_shl(self.units.len() as u32);
                return Err(too_many(full.filter(|_| self.groups.is_empty())));
            }
        }
        for pool in &self.pools {
            if !multiply(&mut product, pool.line_orders()) {
                return Err(bound(product));
            }
        }
        for standby in &self.standbys {
            if !multiply(&mut product, standby.members.len() as u128 + 3) {
                return Err(bound(product));
            }
        }
        for group in &mut self.groups {
            let room = limit / product;
            let Ok(explored) = explore(&group.dependent, room as usize) else {
                return Err(match exact {
                    true => too_many(None),
                    false => bound(limit + 1),
                });
            };
            let recurrent = explored.chain.recurrent_class();
            group.start = explored.states[recurrent[0]].clone();
            group.starts_in_initial_state = recurrent[0] == 0;
            product *= recurrent.len() as u128;
        }
        Ok((product, exact))
    }

    /// The leaves (units and dependent blocks) below each gate.
    pub(super) fn gate_leaves(&self) -> Vec<HashSet<Leaf>> {
        let mut leaves: Vec<HashSet<Leaf>> = Vec::with_capacity(self.gates.len());
        fn collect(expr: &Expr, leaves: &[HashSet<Leaf>], into: &mut HashSet<Leaf>) {
            match expr {
                Expr::Const(_) => {}
                Expr::Unit(i) => {
                    into.insert(Leaf::Unit(*i));
                }
                Expr::Group(k) => {
                    into.insert(Leaf::Group(*k));
                }
                Expr::Standby(s) => {
                    into.insert(Leaf::Standby(*s));
                }
                Expr::Raw(_) => {}
                Expr::Gate(j) => into.extend(leaves[*j].iter().copied()),
                Expr::AtLeast(_, items) => {
                    for item in items {
                        collect(item, leaves, into);
                    }
                }
            }
        }
        for gate in &self.gates {
            let mut set = HashSet::new();
            collect(&gate.expr, &leaves, &mut set);
            leaves.push(set);
        }
        leaves
    }

    /// `expr` with `leaf` forced down: gates that contain it are expanded inline.
    pub(super) fn force_down(&self, expr: &Expr, leaf: Leaf, leaves: &[HashSet<Leaf>]) -> Expr {
        match expr {
            Expr::Unit(i) if leaf == Leaf::Unit(*i) => Expr::Const(false),
            Expr::Group(k) if leaf == Leaf::Group(*k) => Expr::Const(false),
            Expr::Gate(j) if leaves[*j].contains(&leaf) => {
                self.force_down(&self.gates[*j].expr, leaf, leaves)
            }
            Expr::AtLeast(k, items) => Expr::AtLeast(
                *k,
                items
                    .iter()
                    .map(|item| self.force_down(item, leaf, leaves))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}
