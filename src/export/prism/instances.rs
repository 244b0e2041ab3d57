//! The instances of a model that become PRISM modules and formulas: independent units, dependent
//! block instances and block instances, built like `src/simulate/plan.rs` but keeping the
//! structure as formulas.

use super::expr::{Expr, Leaf};
use super::module::{Group, Unit};
use crate::export::{ExportError, MAX_STATES};
use crate::model::{Model, NodeRef};
use crate::solve::dependent::{DependentBlock, explore, unit_types};
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

/// Every instance of a model reachable from its top: the modules (units, dependent blocks) and
/// the formulas (block instances), numbered in the order they are written.
pub(super) struct InstanceTree<'m> {
    /// The model.
    pub(super) model: &'m Model,
    /// Independent two-state units: modules `m_uI`.
    pub(super) units: Vec<Unit>,
    /// Dependent block instances: modules `m_gK`.
    pub(super) groups: Vec<Group>,
    /// Block instances: formulas `bJ`, children before parents (the top last).
    pub(super) gates: Vec<Gate>,
    /// The one instance of each shared node built so far.
    shared: HashMap<NodeRef, Expr>,
    /// Units that never fail (λ = 0), for the header.
    pub(super) constant_units: Vec<String>,
}

impl<'m> InstanceTree<'m> {
    /// The instances below the top block of `model`, and the structure of the top.
    pub(super) fn of_model(model: &'m Model) -> (Self, Expr) {
        let mut tree = Self {
            model,
            units: Vec::new(),
            groups: Vec::new(),
            gates: Vec::new(),
            shared: HashMap::new(),
            constant_units: Vec::new(),
        };
        let top = tree.node(NodeRef::Block(model.top), "the system");
        (tree, top)
    }

    /// The structure of one reference to `node`: a new copy, or the shared one.
    fn node(&mut self, node: NodeRef, place: &str) -> Expr {
        if self.model.is_shared(node) {
            if let Some(expr) = self.shared.get(&node) {
                return expr.clone();
            }
            let place = "shared: one physical unit wherever it is referenced".to_string();
            let expr = self.build(node, &place);
            self.shared.insert(node, expr.clone());
            return expr;
        }
        self.build(node, place)
    }

    fn build(&mut self, node: NodeRef, place: &str) -> Expr {
        match node {
            NodeRef::Component(index) => {
                let component = &self.model.components[index];
                self.unit(
                    component.failure_rate,
                    component.repair_rate,
                    format!("component `{}`, {place}", component.name),
                )
            }
            NodeRef::Block(index) => self.block(index, place),
        }
    }

    fn unit(&mut self, failure_rate: f64, repair_rate: f64, what: String) -> Expr {
        if failure_rate == 0.0 {
            self.constant_units.push(what);
            return Expr::Const(true);
        }
        self.units.push(Unit {
            failure_rate,
            repair_rate,
            what,
        });
        Expr::Unit(self.units.len() - 1)
    }

    /// One instance of block `index`; its gate is numbered after its children's.
    fn block(&mut self, index: usize, place: &str) -> Expr {
        let model = self.model;
        let block = &model.blocks[index];
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
                );
                Expr::AtLeast(2, vec![inner, element])
            }
            None => inner,
        };
        self.gates.push(Gate {
            block: index,
            expr,
            place: place.to_string(),
        });
        Expr::Gate(self.gates.len() - 1)
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
                    );
                    items.push(unit);
                }
            } else if model.is_shared(member.node) {
                let child = self.node(member.node, &inside);
                for _ in 0..member.count {
                    items.push(child.clone());
                }
            } else {
                for _ in 0..member.count {
                    items.push(self.node(member.node, &inside));
                }
            }
        }
        items
    }

    /// States of the product chain: 2 per unit times each dependent block's recurrent states
    /// (what Storm builds from the initial state); starts each dependent block in its
    /// recurrent class.
    pub(super) fn count_states(&mut self, units: u64) -> Result<u128, ExportError> {
        let too_many = |states| ExportError::TooManyStates {
            units,
            states,
            limit: MAX_STATES,
        };
        let mut product: u128 = 1;
        for _ in &self.units {
            product *= 2;
            if product > u128::from(MAX_STATES) {
                let full = 1u128.checked_shl(self.units.len() as u32);
                return Err(too_many(full.filter(|_| self.groups.is_empty())));
            }
        }
        for group in &mut self.groups {
            let limit = u128::from(MAX_STATES) / product;
            let Ok(explored) = explore(&group.dependent, limit as usize) else {
                return Err(too_many(None));
            };
            let recurrent = explored.chain.recurrent_class();
            group.start = explored.states[recurrent[0]].clone();
            group.starts_in_initial_state = recurrent[0] == 0;
            product *= recurrent.len() as u128;
        }
        Ok(product)
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
