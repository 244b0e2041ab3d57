//! A reduced, ordered multi-valued decision diagram: nodes, the unique table and the
//! operations the structure solver needs (and, or, at least k of n).
//!
//! A node tests one variable and has one child per value of it; the terminals are
//! [`FALSE`] (down) and [`TRUE`] (up). Variables are ordered by their index: a child always
//! tests a later variable than its parent, or is a terminal. Nodes are unique (one node per
//! variable and children) and a node whose children are all the same is never made, so two
//! equal functions are the same node. Children are always made before their parents, so
//! node indices are a topological order (children first).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hash for the small integer keys of the tables (the multiply-rotate hash of rustc's
/// `FxHasher`); the keys are node indices, not attacker-chosen.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }
    fn write_u8(&mut self, value: u8) {
        self.write_u64(u64::from(value));
    }
    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Hash maps keyed by node indices.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A node of the diagram, by index.
pub type NodeId = u32;

/// The terminal "down".
pub const FALSE: NodeId = 0;
/// The terminal "up".
pub const TRUE: NodeId = 1;

/// The variable index of the terminals: after every variable.
const TERMINAL: u32 = u32::MAX;

/// A node's variable and where its children start in [`Diagram::children`].
#[derive(Debug, Clone, Copy)]
struct Node {
    variable: u32,
    first: u32,
}

/// The binary operations of [`Diagram::apply`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
}

/// Why a diagram could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    /// The node limit that was reached.
    pub limit: usize,
}

/// A multi-valued decision diagram over variables of given arities.
#[derive(Debug)]
pub struct Diagram {
    /// Values of each variable.
    arity: Vec<u32>,
    nodes: Vec<Node>,
    children: Vec<NodeId>,
    /// (variable, children…) → node, for variables of more than two values.
    unique: FastMap<Box<[u32]>, NodeId>,
    /// (variable, child for value 0, child for value 1) → node.
    binary: FastMap<(u32, NodeId, NodeId), NodeId>,
    memo: FastMap<(Op, NodeId, NodeId), NodeId>,
    limit: usize,
}

impl Diagram {
    /// An empty diagram (terminals only) that refuses to grow past `limit` nodes.
    pub fn new(limit: usize) -> Self {
        Self {
            arity: Vec::new(),
            nodes: vec![
                Node {
                    variable: TERMINAL,
                    first: 0,
                },
                Node {
                    variable: TERMINAL,
                    first: 0,
                },
            ],
            children: Vec::new(),
            unique: FastMap::default(),
            binary: FastMap::default(),
            memo: FastMap::default(),
            limit,
        }
    }

    /// Adds a variable with `values` values after every existing one; returns its index.
    pub fn add_variable(&mut self, values: usize) -> u32 {
        self.arity.push(values as u32);
        (self.arity.len() - 1) as u32
    }

    /// Number of variables.
    pub fn variable_count(&self) -> usize {
        self.arity.len()
    }

    /// Number of nodes made so far, terminals included.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Whether `node` is a terminal.
    pub fn is_terminal(&self, node: NodeId) -> bool {
        node <= TRUE
    }

    /// The variable `node` tests ([`u32::MAX`] for a terminal).
    pub fn variable(&self, node: NodeId) -> u32 {
        self.nodes[node as usize].variable
    }

    /// The children of an inner node, one per value of its variable.
    pub fn children(&self, node: NodeId) -> &[NodeId] {
        let Node { variable, first } = self.nodes[node as usize];
        if variable == TERMINAL {
            return &[];
        }
        let first = first as usize;
        &self.children[first..first + self.arity[variable as usize] as usize]
    }

    /// The child of `node` for value `value` of `variable`: `node` itself when it does not
    /// test `variable` (it tests a later one, or is a terminal).
    fn cofactor(&self, node: NodeId, variable: u32, value: usize) -> NodeId {
        if self.variable(node) == variable {
            self.children(node)[value]
        } else {
            node
        }
    }

    /// The unique node testing `variable` with these children.
    ///
    /// # Errors
    /// [`TooLarge`] when the diagram would pass its node limit.
    pub fn make(&mut self, variable: u32, children: &[NodeId]) -> Result<NodeId, TooLarge> {
        debug_assert_eq!(children.len(), self.arity[variable as usize] as usize);
        if children.iter().all(|child| *child == children[0]) {
            return Ok(children[0]);
        }
        // Two-valued nodes (nearly all) are keyed without an allocation.
        if let [low, high] = children {
            if let Some(node) = self.binary.get(&(variable, *low, *high)) {
                return Ok(*node);
            }
            let node = self.push(variable, children)?;
            self.binary.insert((variable, *low, *high), node);
            return Ok(node);
        }
        let mut key = Vec::with_capacity(children.len() + 1);
        key.push(variable);
        key.extend_from_slice(children);
        if let Some(node) = self.unique.get(key.as_slice()) {
            return Ok(*node);
        }
        let node = self.push(variable, children)?;
        self.unique.insert(key.into_boxed_slice(), node);
        Ok(node)
    }

    fn push(&mut self, variable: u32, children: &[NodeId]) -> Result<NodeId, TooLarge> {
        if self.nodes.len() >= self.limit {
            return Err(TooLarge { limit: self.limit });
        }
        let node = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            variable,
            first: self.children.len() as u32,
        });
        self.children.extend_from_slice(children);
        Ok(node)
    }

    /// The function "`variable` takes a value whose entry in `up` is true".
    ///
    /// # Errors
    /// [`TooLarge`] as for [`Self::make`].
    pub fn indicator(&mut self, variable: u32, up: &[bool]) -> Result<NodeId, TooLarge> {
        let children: Vec<NodeId> = up.iter().map(|up| if *up { TRUE } else { FALSE }).collect();
        self.make(variable, &children)
    }

    /// Both up.
    ///
    /// # Errors
    /// [`TooLarge`] as for [`Self::make`].
    pub fn and(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, TooLarge> {
        self.apply(Op::And, a, b)
    }

    /// At least one up.
    ///
    /// # Errors
    /// [`TooLarge`] as for [`Self::make`].
    pub fn or(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, TooLarge> {
        self.apply(Op::Or, a, b)
    }

    /// All of `members` up (up when there are none).
    ///
    /// # Errors
    /// [`TooLarge`] as for [`Self::make`].
    pub fn all(&mut self, members: &[NodeId]) -> Result<NodeId, TooLarge> {
        // From the last member: members built later test later variables, so each step
        // only walks the new member, not the whole conjunction so far.
        members
            .iter()
            .rev()
            .try_fold(TRUE, |acc, member| self.and(*member, acc))
    }

    /// At least one of `members` up (down when there are none).
    ///
    /// # Errors
    /// [`TooLarge`] as for [`Self::make`].
    pub fn any(&mut self, members: &[NodeId]) -> Result<NodeId, TooLarge> {
        members
            .iter()
            .rev()
            .try_fold(FALSE, |acc, member| self.or(*member, acc))
    }

    /// At least `k` of `members` up (a member listed twice counts twice).
    ///
    /// # Formula
    /// With Tᵢ(j) = "at least j of members i… up": T_n(0) = up, T_n(j > 0) = down and
    /// Tᵢ(j) = mᵢ·Tᵢ₊₁(j − 1) + ¬mᵢ·Tᵢ₊₁(j) = mᵢ·Tᵢ₊₁(j − 1) + Tᵢ₊₁(j), the last form because
    /// Tᵢ₊₁(j) implies Tᵢ₊₁(j − 1). Only j with k − i ≤ j ≤ min(k, n − i) are needed.
    ///
    /// # Errors
    /// [`TooLarge`] as for [`Self::make`].
    pub fn at_least(&mut self, members: &[NodeId], k: usize) -> Result<NodeId, TooLarge> {
        let n = members.len();
        if k == 0 {
            return Ok(TRUE);
        }
        if k > n {
            return Ok(FALSE);
        }
        // next[j] = T_{i+1}(j) for j in 0..=k.
        let mut next: Vec<NodeId> = (0..=k).map(|j| if j == 0 { TRUE } else { FALSE }).collect();
        for i in (0..n).rev() {
            let low = k.saturating_sub(i);
            let mut current = next.clone();
            for j in low.max(1)..=k.min(n - i) {
                let with = self.and(members[i], next[j - 1])?;
                current[j] = self.or(with, next[j])?;
            }
            next = current;
        }
        Ok(next[k])
    }

    fn apply(&mut self, op: Op, a: NodeId, b: NodeId) -> Result<NodeId, TooLarge> {
        let (absorbing, neutral) = match op {
            Op::And => (FALSE, TRUE),
            Op::Or => (TRUE, FALSE),
        };
        if a == absorbing || b == absorbing {
            return Ok(absorbing);
        }
        if a == neutral || a == b {
            return Ok(b);
        }
        if b == neutral {
            return Ok(a);
        }
        let key = (op, a.min(b), a.max(b));
        if let Some(node) = self.memo.get(&key) {
            return Ok(*node);
        }
        let variable = self.variable(a).min(self.variable(b));
        let values = self.arity[variable as usize] as usize;
        let node = if values == 2 {
            let low = self.apply(
                op,
                self.cofactor(a, variable, 0),
                self.cofactor(b, variable, 0),
            )?;
            let high = self.apply(
                op,
                self.cofactor(a, variable, 1),
                self.cofactor(b, variable, 1),
            )?;
            self.make(variable, &[low, high])?
        } else {
            let mut children = Vec::with_capacity(values);
            for value in 0..values {
                let left = self.cofactor(a, variable, value);
                let right = self.cofactor(b, variable, value);
                children.push(self.apply(op, left, right)?);
            }
            self.make(variable, &children)?
        };
        self.memo.insert(key, node);
        Ok(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates the function of `node` at one assignment of values.
    fn eval(diagram: &Diagram, mut node: NodeId, values: &[usize]) -> bool {
        while !diagram.is_terminal(node) {
            node = diagram.children(node)[values[diagram.variable(node) as usize]];
        }
        node == TRUE
    }

    fn binary(count: usize) -> (Diagram, Vec<NodeId>) {
        let mut diagram = Diagram::new(1000);
        let leaves = (0..count)
            .map(|_| {
                let variable = diagram.add_variable(2);
                diagram.indicator(variable, &[true, false]).unwrap()
            })
            .collect();
        (diagram, leaves)
    }

    #[test]
    fn at_least_matches_counting_on_every_assignment() {
        for n in 1..=5 {
            for k in 0..=n + 1 {
                let (mut diagram, leaves) = binary(n);
                let node = diagram.at_least(&leaves, k).unwrap();
                for mask in 0..1usize << n {
                    // Value 0 is up, 1 down.
                    let values: Vec<usize> = (0..n).map(|i| (mask >> i) & 1).collect();
                    let up = values.iter().filter(|v| **v == 0).count();
                    assert_eq!(eval(&diagram, node, &values), up >= k, "n {n} k {k} {mask}");
                }
            }
        }
    }

    #[test]
    fn equal_functions_are_one_node() {
        let (mut diagram, leaves) = binary(3);
        // (a ∧ b) ∨ (a ∧ c) = a ∧ (b ∨ c).
        let ab = diagram.and(leaves[0], leaves[1]).unwrap();
        let ac = diagram.and(leaves[0], leaves[2]).unwrap();
        let left = diagram.or(ab, ac).unwrap();
        let bc = diagram.or(leaves[1], leaves[2]).unwrap();
        let right = diagram.and(leaves[0], bc).unwrap();
        assert_eq!(left, right);
        // A shared leaf used twice in a 2-of-3 is the same as itself: 2-of-[a, a, b] = a.
        let twice = diagram
            .at_least(&[leaves[0], leaves[0], leaves[1]], 2)
            .unwrap();
        assert_eq!(twice, leaves[0]);
    }

    #[test]
    fn multi_valued_indicators_combine() {
        let mut diagram = Diagram::new(1000);
        let x = diagram.add_variable(3);
        let a = diagram.indicator(x, &[true, true, false]).unwrap();
        let b = diagram.indicator(x, &[true, false, true]).unwrap();
        let both = diagram.and(a, b).unwrap();
        assert_eq!(diagram.children(both), &[TRUE, FALSE, FALSE]);
        let either = diagram.or(a, b).unwrap();
        assert_eq!(either, TRUE);
    }

    #[test]
    fn the_node_limit_is_an_error() {
        let mut diagram = Diagram::new(4);
        let x = diagram.add_variable(2);
        let y = diagram.add_variable(2);
        let a = diagram.indicator(x, &[true, false]).unwrap();
        let b = diagram.indicator(y, &[true, false]).unwrap();
        assert_eq!(diagram.and(a, b), Err(TooLarge { limit: 4 }));
    }
}
