//! Walks over a model's block tree: what is reachable, in which order, how deep, how large.
//!
//! The loader, the solvers, the simulator, the what-if tools and the exports all ask these
//! questions; they are answered here, once, next to the [`Model`] they walk. Every walk is
//! iterative or memoised, so models nested [`super::load::MAX_NESTING`] deep cannot exhaust
//! the stack.

use super::{Block, Model, NodeRef};
use std::collections::{HashMap, HashSet};

/// Blocks reachable from `top` (inclusive), indexed like [`Model::blocks`].
pub fn reachable_blocks(model: &Model, top: usize) -> Vec<bool> {
    let mut seen = vec![false; model.blocks.len()];
    let mut stack = vec![top];
    seen[top] = true;
    while let Some(block) = stack.pop() {
        for member in &model.blocks[block].members {
            if let NodeRef::Block(child) = member.node
                && !seen[child]
            {
                seen[child] = true;
                stack.push(child);
            }
        }
    }
    seen
}

/// Blocks reachable from `top`, parents before children.
pub fn topological_order(model: &Model, top: usize) -> Vec<usize> {
    let mut postorder = Vec::new();
    let mut visited = vec![false; model.blocks.len()];
    let mut stack: Vec<(usize, usize)> = vec![(top, 0)];
    visited[top] = true;
    while let Some((block, next)) = stack.last_mut() {
        let members = &model.blocks[*block].members;
        if *next < members.len() {
            let member = members[*next].node;
            *next += 1;
            if let NodeRef::Block(child) = member
                && !visited[child]
            {
                visited[child] = true;
                stack.push((child, 0));
            }
        } else {
            postorder.push(*block);
            stack.pop();
        }
    }
    postorder.reverse();
    postorder
}

/// How many physical copies of each node one copy of block `top` holds: a non-shared member
/// referenced `count` times in `n` copies of its block is `n · count` copies, a shared node
/// (and everything under it counted once) at most one.
///
/// # Formula
/// copies(top) = 1; copies(m) = Σ over blocks b holding m: c(b) · count(b, m), where
/// c(b) = min(copies(b), 1) when b is shared, else copies(b); finally min(copies, 1) for a
/// shared m. Counts saturate at `u64::MAX`.
pub fn physical_copies(model: &Model, top: usize) -> HashMap<NodeRef, u64> {
    let mut copies = HashMap::new();
    copies.insert(NodeRef::Block(top), 1u64);
    for block in topological_order(model, top) {
        let node = NodeRef::Block(block);
        let mut instances = copies.get(&node).copied().unwrap_or(0);
        if model.blocks[block].shared {
            instances = instances.min(1);
        }
        copies.insert(node, instances);
        for member in &model.blocks[block].members {
            let entry = copies.entry(member.node).or_insert(0u64);
            *entry = entry.saturating_add(instances.saturating_mul(member.count));
        }
    }
    for (node, count) in copies.iter_mut() {
        if model.is_shared(*node) {
            *count = (*count).min(1);
        }
    }
    copies
}

/// Deepest nesting of blocks below the top (the top alone is 1), without recursion.
///
/// The model must be free of cycles (the loader checks that first).
pub fn nesting_depth(model: &Model) -> usize {
    let mut depth = vec![0usize; model.blocks.len()];
    let mut stack: Vec<(usize, usize)> = vec![(model.top, 0)];
    while let Some((block, next)) = stack.last_mut() {
        let block = *block;
        let members = &model.blocks[block].members;
        if *next < members.len() {
            let member = members[*next].node;
            *next += 1;
            if let NodeRef::Block(child) = member
                && depth[child] == 0
            {
                stack.push((child, 0));
            }
        } else {
            let deepest_child = members
                .iter()
                .filter_map(|m| match m.node {
                    NodeRef::Block(child) => Some(depth[child]),
                    NodeRef::Component(_) => None,
                })
                .max()
                .unwrap_or(0);
            depth[block] = deepest_child + 1;
            stack.pop();
        }
    }
    depth[model.top]
}

/// Which shared nodes [`expanded_count`] adds once each, on top of the tree below the top.
///
/// A shared node is one physical unit wherever it is referenced, so the walk below the top
/// skips every reference to one; the shared nodes are then counted once each. Consumers
/// differ in which of them they build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedNodes {
    /// Shared members of the blocks reachable from the top, once each, the top itself
    /// excluded: the units the exact solver (and the PRISM export) actually holds.
    ReachableMembers,
    /// Every shared component and block of the model, reachable or not (the top included
    /// when it is shared): what the simulator builds before it prunes.
    Every,
}

/// The size of the model expanded into physical copies, saturating at `u64::MAX`.
///
/// Every reference to a non-shared node is a copy: a component copy counts 1, a block copy
/// counts `block_weight(block)` plus its members' copies (times their counts). References to
/// shared nodes count 0 there; the shared nodes chosen by `shared` are then added once each,
/// with their own expanded size.
///
/// # Formula
/// size(component) = 1; size(block) = w(block) + Σ over non-shared members m of
/// count(m) · size(m); total = size(top) + Σ over the chosen shared nodes s of size(s),
/// where w is `block_weight`.
///
/// The PRISM export counts physical units with
/// `expanded_count(model, |block| u64::from(block.common_cause_beta.is_some()), SharedNodes::ReachableMembers)`
/// (one common-cause element per block copy with β); the simulator counts units plus gates
/// with `expanded_count(model, |_| 2, SharedNodes::Every)` (a gate and room for a
/// common-cause element per block copy).
pub fn expanded_count(
    model: &Model,
    block_weight: impl Fn(&Block) -> u64,
    shared: SharedNodes,
) -> u64 {
    let mut walker = SizeWalker {
        model,
        block_weight,
        memo: HashMap::new(),
    };
    let mut total = walker.size(NodeRef::Block(model.top));
    for node in shared_nodes(model, shared) {
        total = total.saturating_add(walker.size(node));
    }
    total
}

/// The shared nodes `shared` selects, in no particular order (saturating sums commute).
fn shared_nodes(model: &Model, shared: SharedNodes) -> Vec<NodeRef> {
    match shared {
        SharedNodes::ReachableMembers => {
            let reachable = reachable_blocks(model, model.top);
            let mut found: HashSet<NodeRef> = HashSet::new();
            for (block, _) in model.blocks.iter().zip(&reachable).filter(|(_, r)| **r) {
                for member in &block.members {
                    if model.is_shared(member.node) {
                        found.insert(member.node);
                    }
                }
            }
            found.remove(&NodeRef::Block(model.top));
            found.into_iter().collect()
        }
        SharedNodes::Every => {
            let components = (0..model.components.len()).map(NodeRef::Component);
            let blocks = (0..model.blocks.len()).map(NodeRef::Block);
            components
                .chain(blocks)
                .filter(|node| model.is_shared(*node))
                .collect()
        }
    }
}

/// Memoised expanded sizes of nodes, for [`expanded_count`].
struct SizeWalker<'m, W> {
    model: &'m Model,
    block_weight: W,
    memo: HashMap<NodeRef, u64>,
}

impl<W: Fn(&Block) -> u64> SizeWalker<'_, W> {
    /// The expanded size of one copy of `node`, shared members excluded.
    fn size(&mut self, node: NodeRef) -> u64 {
        if let Some(known) = self.memo.get(&node) {
            return *known;
        }
        let total = match node {
            NodeRef::Component(_) => 1,
            NodeRef::Block(index) => {
                let model = self.model;
                let block = &model.blocks[index];
                let mut total = (self.block_weight)(block);
                for member in &block.members {
                    if !model.is_shared(member.node) {
                        let each = self.size(member.node);
                        total = total.saturating_add(each.saturating_mul(member.count));
                    }
                }
                total
            }
        };
        self.memo.insert(node, total);
        total
    }
}

#[cfg(test)]
mod tests;
