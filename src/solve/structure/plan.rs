//! Which nodes below a top block are shared between several places, and which subtrees
//! depend on them.

use crate::model::graph::topological_order;
use crate::model::{Model, NodeRef};
use std::collections::{HashMap, HashSet};

/// The shared nodes of one top block and the subtrees that contain them.
pub struct Plan {
    /// Shared nodes referenced more than once within one copy of the top: one physical unit
    /// (or block) seen from several places.
    pub shared: HashSet<NodeRef>,
    /// Nodes with such a shared node in their subtree, or such a node themselves; every other
    /// node is an independent module, solved by algebra wherever it appears.
    pub depends: HashSet<NodeRef>,
}

impl Plan {
    /// The plan of block `top` of `model`.
    pub fn of(model: &Model, top: usize) -> Self {
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
            for member in &model.blocks[*block].members {
                *references.entry(member.node).or_insert(0.0) += instances * member.count as f64;
            }
        }
        let shared: HashSet<NodeRef> = references
            .iter()
            .filter(|(node, count)| model.is_shared(**node) && **count >= 2.0)
            .map(|(node, _)| *node)
            .collect();
        let mut depends = shared.clone();
        for block in order.iter().rev() {
            let below = model.blocks[*block]
                .members
                .iter()
                .any(|member| depends.contains(&member.node));
            if below {
                depends.insert(NodeRef::Block(*block));
            }
        }
        Self { shared, depends }
    }

    /// Whether `node` is an independent module (nothing below it is shared elsewhere).
    pub fn is_module(&self, node: NodeRef) -> bool {
        !self.depends.contains(&node)
    }
}
