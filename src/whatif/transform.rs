//! Model transformations behind the importance measures: an item made perfect (never down)
//! or failed (always down), and an item's failure or repair rates scaled.
//!
//! The transformations apply to every reference of the node they are given. To change one
//! physical copy of an item, [`single_out`] first gives that copy a node of its own.

use crate::model::graph::topological_order;
use crate::model::{BlockKind, Member, Model, NodeRef};
use std::collections::HashMap;

/// The model with an item forced into one state, or the system's resulting state when the
/// forcing alone decides it.
#[derive(Debug, Clone)]
pub enum Forced {
    /// A model to solve, in which the item is up or down throughout.
    Model(Box<Model>),
    /// The system is up (`false`) or down (`true`) whatever the other units do.
    Constant {
        /// Whether the system is down.
        down: bool,
    },
}

/// `model` with one physical copy of `item` split off as a node of its own, and that node.
///
/// The copy is the first one met in the model's order (depth first from the top, members in
/// the order written): every block on the way to it is copied once, so that the new node is
/// referenced exactly once in the whole system, and its reference is appended after its
/// siblings (a standby block keeps its first-listed unit; a common-cause block keeps its
/// original component first). A shared item is one physical unit already and is returned
/// as it is. `None` when `item` is not reachable from the top, or is the top.
pub fn single_out(model: &Model, item: NodeRef) -> Option<(Model, NodeRef)> {
    if item == NodeRef::Block(model.top) {
        return None;
    }
    let path = path_to(model, item)?;
    if model.is_shared(item) {
        return Some((model.clone(), item));
    }
    let mut model = model.clone();
    let mut current = model.top;
    for (position, node) in path {
        if model.is_shared(node) {
            // One physical unit: edit it in place.
            let NodeRef::Block(index) = node else {
                unreachable!("only blocks lie on the way to an item");
            };
            current = index;
            continue;
        }
        let copy = match node {
            NodeRef::Component(index) => {
                let clone = model.components[index].clone();
                model.components.push(clone);
                NodeRef::Component(model.components.len() - 1)
            }
            NodeRef::Block(index) => {
                let clone = model.blocks[index].clone();
                model.blocks.push(clone);
                NodeRef::Block(model.blocks.len() - 1)
            }
        };
        let members = &mut model.blocks[current].members;
        members[position].count -= 1;
        if members[position].count == 0 {
            members.remove(position);
        }
        members.push(Member {
            node: copy,
            count: 1,
        });
        if node == item {
            return Some((model, copy));
        }
        let NodeRef::Block(index) = copy else {
            unreachable!("only blocks lie on the way to an item");
        };
        current = index;
    }
    None
}

/// The first way from the top to `item`: (member position, node) per step.
fn path_to(model: &Model, item: NodeRef) -> Option<Vec<(usize, NodeRef)>> {
    fn search(
        model: &Model,
        block: usize,
        item: NodeRef,
        path: &mut Vec<(usize, NodeRef)>,
        dead_ends: &mut Vec<bool>,
    ) -> bool {
        for (position, member) in model.blocks[block].members.iter().enumerate() {
            path.push((position, member.node));
            if member.node == item {
                return true;
            }
            if let NodeRef::Block(child) = member.node
                && !dead_ends[child]
            {
                if search(model, child, item, path, dead_ends) {
                    return true;
                }
                dead_ends[child] = true;
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    let mut dead_ends = vec![false; model.blocks.len()];
    search(model, model.top, item, &mut path, &mut dead_ends).then_some(path)
}

/// `model` with `item` (every reference) never down (`up`) or always down (`!up`).
///
/// A perfect item has failure rate 0 in every unit it holds (a shared unit inside it is one
/// unit, so it never fails anywhere), and stays in its block and any Markov chain around it.
/// A failed item is removed from every block that references it, and the
/// block's rule is rewritten for the members left: k-of-n needs k − (members forced up) of
/// the others, a series block with a member down is down, a parallel or standby block with
/// a member up is up, and so on up to the top. A failed member so removed holds no repair
/// crew and takes no part in failovers: it is out of service.
#[cfg(test)]
pub fn forced(model: &Model, item: NodeRef, up: bool) -> Forced {
    forced_all(model, &[item], up)
}

/// `forced` for several items at once, all up or all down: every instance of a family.
pub fn forced_all(model: &Model, items: &[NodeRef], up: bool) -> Forced {
    if up {
        return Forced::Model(Box::new(rescaled_all(model, items, 0.0, 1.0)));
    }
    let mut model = model.clone();
    let mut state: HashMap<NodeRef, bool> = items.iter().map(|item| (*item, up)).collect();
    for block_index in topological_order(&model, model.top).into_iter().rev() {
        let node = NodeRef::Block(block_index);
        if items.contains(&node) {
            continue;
        }
        let block = &mut model.blocks[block_index];
        let (mut ups, mut downs) = (0u64, 0u64);
        let mut kept = Vec::new();
        for member in &block.members {
            match state.get(&member.node) {
                Some(true) => ups += member.count,
                Some(false) => downs += member.count,
                None => kept.push(*member),
            }
        }
        if ups == 0 && downs == 0 {
            continue;
        }
        let needed = block.required_up().saturating_sub(ups);
        let left = block.member_count() - ups - downs;
        if needed == 0 {
            state.insert(node, true);
            continue;
        }
        if left < needed {
            state.insert(node, false);
            continue;
        }
        if let BlockKind::KOfN { k } = &mut block.kind {
            *k = needed;
        }
        block.members = kept;
    }
    match state.get(&NodeRef::Block(model.top)) {
        Some(up) => Forced::Constant { down: !up },
        None => Forced::Model(Box::new(model)),
    }
}

/// `model` with the failure rates of `item` multiplied by `failure_factor` and its repair
/// rates by `repair_factor`: for a block, those of every unit below it.
///
/// The units below a block are changed only there: a non-shared component or block that is
/// also used elsewhere is copied for the block, so the rest of the system keeps the original.
/// Shared units below it are one physical unit, changed everywhere.
#[cfg(test)]
pub fn rescaled(model: &Model, item: NodeRef, failure_factor: f64, repair_factor: f64) -> Model {
    rescaled_all(model, &[item], failure_factor, repair_factor)
}

/// `rescaled` for several items at once: every instance of a family. A unit below two of
/// them (a broker under two partitions) is scaled once.
pub fn rescaled_all(
    model: &Model,
    items: &[NodeRef],
    failure_factor: f64,
    repair_factor: f64,
) -> Model {
    let mut model = model.clone();
    let mut rescaler = Rescaler {
        failure_factor,
        repair_factor,
        copies: HashMap::new(),
    };
    for item in items {
        if rescaler.copies.contains_key(item) {
            continue;
        }
        match *item {
            NodeRef::Component(index) => rescaler.scale_component(&mut model, index),
            NodeRef::Block(index) => rescaler.remap_members(&mut model, index),
        }
        rescaler.copies.insert(*item, *item);
    }
    model
}

struct Rescaler {
    failure_factor: f64,
    repair_factor: f64,
    /// Original node → the node to use below the item.
    copies: HashMap<NodeRef, NodeRef>,
}

impl Rescaler {
    fn scale_component(&self, model: &mut Model, index: usize) {
        let component = &mut model.components[index];
        component.failure_rate *= self.failure_factor;
        component.repair_rate *= self.repair_factor;
    }

    fn remap_members(&mut self, model: &mut Model, block: usize) {
        let mut members = model.blocks[block].members.clone();
        for member in &mut members {
            member.node = self.copy_of(model, member.node);
        }
        model.blocks[block].members = members;
    }

    fn copy_of(&mut self, model: &mut Model, node: NodeRef) -> NodeRef {
        if let Some(copy) = self.copies.get(&node) {
            return *copy;
        }
        let copy = match node {
            NodeRef::Component(index) if model.components[index].shared => {
                self.scale_component(model, index);
                node
            }
            NodeRef::Component(index) => {
                let clone = model.components[index].clone();
                model.components.push(clone);
                let new = model.components.len() - 1;
                self.scale_component(model, new);
                NodeRef::Component(new)
            }
            NodeRef::Block(index) if model.blocks[index].shared => {
                self.remap_members(model, index);
                node
            }
            NodeRef::Block(index) => {
                let clone = model.blocks[index].clone();
                model.blocks.push(clone);
                let new = model.blocks.len() - 1;
                self.remap_members(model, new);
                NodeRef::Block(new)
            }
        };
        self.copies.insert(node, copy);
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_model;
    use crate::solve::solve;

    fn model(text: &str) -> Model {
        match load_model("t.toml", text, &[]) {
            Ok(loaded) => loaded.model,
            Err(_) => panic!("invalid test model"),
        }
    }

    fn unavailability(forced: Forced) -> f64 {
        match forced {
            Forced::Model(model) => solve(&model).unwrap().system.unavailability,
            Forced::Constant { down } => f64::from(u8::from(down)),
        }
    }

    const TWO_OF_THREE: &str = r#"
        top = "system"
        [component.a]
        availability = 0.9
        mttr = "1h"
        [component.b]
        availability = 0.8
        mttr = "1h"
        [block.votes]
        kind = "k-of-n"
        k = 2
        of = "b"
        count = 3
        [block.system]
        kind = "series"
        members = ["a", "votes"]
    "#;

    #[test]
    fn forcing_follows_the_block_rules() {
        let model = model(TWO_OF_THREE);
        let b = NodeRef::Component(1);
        // All three b down: 2-of-3 down, so the system is down.
        assert!(matches!(
            forced(&model, b, false),
            Forced::Constant { down: true }
        ));
        // b perfect: the system is a alone, U = 0.1.
        assert!((unavailability(forced(&model, b, true)) - 0.1).abs() < 1e-12);
        // Block `votes` perfect: U = 0.1; failed: U = 1.
        let votes = NodeRef::Block(0);
        assert!((unavailability(forced(&model, votes, true)) - 0.1).abs() < 1e-12);
        assert!(matches!(
            forced(&model, votes, false),
            Forced::Constant { down: true }
        ));
        // a failed: down; a perfect: U = U(2-of-3 of q = 0.2) = 3q²(1−q) + q³ = 0.104.
        let a = NodeRef::Component(0);
        assert!(matches!(
            forced(&model, a, false),
            Forced::Constant { down: true }
        ));
        assert!((unavailability(forced(&model, a, true)) - 0.104).abs() < 1e-12);
    }

    #[test]
    fn a_member_forced_up_lowers_k() {
        // 2-of-3 over x, y, z; x perfect leaves 1-of-2 over y, z: U = q_y q_z.
        let model = model(
            r#"
            top = "system"
            [component.x]
            availability = 0.5
            mttr = "1h"
            [component.y]
            availability = 0.9
            mttr = "1h"
            [component.z]
            availability = 0.7
            mttr = "1h"
            [block.system]
            kind = "k-of-n"
            k = 2
            members = ["x", "y", "z"]
        "#,
        );
        let up = unavailability(forced(&model, NodeRef::Component(0), true));
        assert!((up - 0.1 * 0.3).abs() < 1e-12, "{up}");
        // x failed leaves 2-of-2: U = 1 − 0.9·0.7 = 0.37.
        let down = unavailability(forced(&model, NodeRef::Component(0), false));
        assert!((down - 0.37).abs() < 1e-12, "{down}");
    }

    #[test]
    fn one_copy_is_split_off_through_copied_blocks() {
        // system = series of 2 × pair, pair = parallel of 3 × b. One b: system =
        // series(pair, pair'), pair' = parallel(b ×2, b'). With b' always down:
        // U = 1 − (1 − q³)(1 − q²) for q = 0.2.
        let model = model(
            r#"
            top = "system"
            [component.b]
            availability = 0.8
            mttr = "1h"
            [block.pair]
            kind = "parallel"
            of = "b"
            count = 3
            [block.system]
            kind = "series"
            of = "pair"
            count = 2
        "#,
        );
        let (split, copy) = single_out(&model, NodeRef::Component(0)).unwrap();
        assert_eq!(copy, NodeRef::Component(1));
        // Splitting alone changes nothing.
        let before = solve(&model).unwrap().system.unavailability;
        let after = solve(&split).unwrap().system.unavailability;
        assert!((before - after).abs() < 1e-15);
        let q: f64 = 0.2;
        let down = unavailability(forced(&split, copy, false));
        let expected = 1.0 - (1.0 - q.powi(3)) * (1.0 - q.powi(2));
        assert!((down - expected).abs() < 1e-12, "{down} vs {expected}");
        // One copy of `pair` down: the system is down.
        let (split, copy) = single_out(&model, NodeRef::Block(0)).unwrap();
        assert!(matches!(
            forced(&split, copy, false),
            Forced::Constant { down: true }
        ));
    }

    #[test]
    fn rescaling_a_block_leaves_other_uses_of_its_units_alone() {
        // `b` is used inside `votes` and on its own in the series: doubling MTBF inside
        // `votes` only must change the 2-of-3 term and keep the lone b as it was.
        let text = TWO_OF_THREE.replace(
            r#"members = ["a", "votes"]"#,
            r#"members = ["a", "votes", "b"]"#,
        );
        let model = model(&text);
        let scaled = rescaled(&model, NodeRef::Block(0), 0.5, 1.0);
        // b has A = 0.8, MTTR 1 h: λ = 0.25/h, μ = 1/h. Halving λ: q = 0.125/1.125 = 1/9.
        let q: f64 = 1.0 / 9.0;
        let votes = 3.0 * q * q * (1.0 - q) + q.powi(3);
        let expected = 1.0 - 0.9 * (1.0 - votes) * 0.8;
        let got = solve(&scaled).unwrap().system.unavailability;
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }
}
