//! A group of dependent-block instances expanded into physical units: the flat network the
//! joint chain runs on.
//!
//! Every non-shared reference is a copy with its own units; a shared node is built once and
//! linked from every place that references it (§7 of `docs/model-format.md`). Besides the
//! structure, the expansion records for every unit the context that changes its process:
//! which crew pool repairs it (the innermost enclosing block with `repair_crews`, §8.3) and
//! which standby memberships make it dormant (§8.4). A shared unit, or any unit inside a
//! shared block, gets neither from outside its shared node: its own process depends on
//! nothing else.

use crate::model::{BlockKind, Model, NodeRef};
use crate::solve::dependent::StandbyRules;
use std::collections::HashMap;

/// One physical unit.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    /// λ while running at full rate, per hour.
    pub(super) failure_rate: f64,
    /// μ, per hour.
    pub(super) repair_rate: f64,
    /// The crew pool that repairs it (`None`: repaired at once, by itself).
    pub(super) pool: Option<usize>,
    /// The standby memberships it belongs to, `(standby, member)`: it runs at the product of
    /// the dormant factors of those whose member is not the active one.
    pub(super) dormancy: Vec<(usize, usize)>,
}

/// A node of the expanded structure; nodes are numbered children first.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// Up when the unit is up.
    Unit(usize),
    /// Up when at least `need` of the children (repeats count) are up.
    Gate {
        /// Children up needed.
        need: usize,
        /// Child nodes, one entry per reference.
        children: Vec<usize>,
    },
    /// Up when the standby instance has an active member and no failover runs.
    Standby(usize),
    /// Up when at least `need` members of the election-and-pause instance are up, it has a
    /// leader (with an election) and no pause runs (§8.8).
    Reconfig(usize),
}

/// One standby block instance.
#[derive(Debug, Clone)]
pub(super) struct StandbyNet {
    /// The member nodes, in listing order.
    pub(super) members: Vec<usize>,
    /// Its switchover rules.
    pub(super) rules: StandbyRules,
}

/// One block instance with a leader election or a failure pause (§8.8).
#[derive(Debug, Clone)]
pub(super) struct ReconfigNet {
    /// The member nodes, in listing order.
    pub(super) members: Vec<usize>,
    /// Members up needed (k).
    pub(super) need: usize,
    /// Mean election time, hours, when the block elects a leader.
    pub(super) election_hours: Option<f64>,
    /// Mean pause after a failure, hours, when the block pauses.
    pub(super) pause_hours: Option<f64>,
}

/// The expanded group.
#[derive(Debug, Clone, Default)]
pub(super) struct Net {
    pub(super) units: Vec<Unit>,
    pub(super) nodes: Vec<Node>,
    pub(super) standbys: Vec<StandbyNet>,
    pub(super) reconfigs: Vec<ReconfigNet>,
    /// Crews of each pool.
    pub(super) pools: Vec<usize>,
    /// The node of each indicator: exposed shared nodes, then instances.
    pub(super) roots: Vec<usize>,
    /// Classes of interchangeable units: non-shared copies of one component under one
    /// series, parallel or k-of-n gate (same rates, crews and dormancy, and the gate only
    /// counts them), listed in increasing order. Exploration keeps one state per class
    /// pattern (the chain is lumped by symmetry, which is exact).
    pub(super) symmetric: Vec<Vec<usize>>,
}

/// What a non-shared unit inherits from the blocks above it.
#[derive(Debug, Clone, Default)]
struct Context {
    pool: Option<usize>,
    dormancy: Vec<(usize, usize)>,
    /// Factor on λ from an enclosing common-cause block (1 − β).
    rate_factor: f64,
}

/// Expands `exposed` shared nodes and one copy of each block in `instances`, sharing every
/// shared node among them.
pub(super) fn expand(model: &Model, instances: &[usize], exposed: &[NodeRef]) -> Net {
    let mut builder = Builder {
        model,
        net: Net::default(),
        shared: HashMap::new(),
    };
    let fresh = Context {
        rate_factor: 1.0,
        ..Context::default()
    };
    let mut roots = Vec::new();
    for node in exposed {
        roots.push(builder.node(*node, &fresh));
    }
    for block in instances {
        roots.push(builder.build(NodeRef::Block(*block), &fresh));
    }
    builder.net.roots = roots;
    builder.net
}

struct Builder<'m> {
    model: &'m Model,
    net: Net,
    shared: HashMap<NodeRef, usize>,
}

impl Builder<'_> {
    /// The node for one reference: the shared one (built once, outside any context), or a
    /// new copy in `context`.
    fn node(&mut self, node: NodeRef, context: &Context) -> usize {
        if !self.model.is_shared(node) {
            return self.build(node, context);
        }
        if let Some(built) = self.shared.get(&node) {
            return *built;
        }
        let fresh = Context {
            rate_factor: 1.0,
            ..Context::default()
        };
        let built = self.build(node, &fresh);
        self.shared.insert(node, built);
        built
    }

    fn push(&mut self, node: Node) -> usize {
        self.net.nodes.push(node);
        self.net.nodes.len() - 1
    }

    fn unit(&mut self, failure_rate: f64, repair_rate: f64, context: &Context) -> usize {
        self.net.units.push(Unit {
            failure_rate,
            repair_rate,
            pool: context.pool,
            dormancy: context.dormancy.clone(),
        });
        let unit = self.net.units.len() - 1;
        self.push(Node::Unit(unit))
    }

    fn build(&mut self, node: NodeRef, context: &Context) -> usize {
        let index = match node {
            NodeRef::Component(index) => {
                let component = &self.model.components[index];
                let rate = component.failure_rate * context.rate_factor;
                return self.unit(rate, component.repair_rate, context);
            }
            NodeRef::Block(index) => index,
        };
        let model = self.model;
        let block = &model.blocks[index];
        let mut inner = context.clone();
        inner.rate_factor = 1.0;
        if let Some(crews) = block.repair_crews {
            self.net.pools.push(crews as usize);
            inner.pool = Some(self.net.pools.len() - 1);
        }
        let beta = block.common_cause_beta.unwrap_or(0.0);
        if beta > 0.0 {
            inner.rate_factor = 1.0 - beta;
        }
        let references = || {
            block
                .members
                .iter()
                .flat_map(|member| std::iter::repeat_n(member.node, member.count as usize))
        };
        let structure = match &block.kind {
            BlockKind::Standby(rules) => {
                let standby = self.net.standbys.len();
                self.net.standbys.push(StandbyNet {
                    members: Vec::new(),
                    rules: StandbyRules::from(rules),
                });
                let mut members = Vec::new();
                for (position, member) in references().enumerate() {
                    let mut own = inner.clone();
                    own.dormancy.push((standby, position));
                    members.push(self.node(member, &own));
                }
                self.net.standbys[standby].members = members;
                self.push(Node::Standby(standby))
            }
            // Elections and pauses: members are told apart (the first-listed up one leads),
            // so their units are not lumped.
            _ if block.reconfigures() => {
                let members = references()
                    .map(|member| self.node(member, &inner))
                    .collect();
                self.net.reconfigs.push(ReconfigNet {
                    members,
                    need: block.required_up() as usize,
                    election_hours: block.leader_election.map(|election| election.hours),
                    pause_hours: block.failure_pause.map(|pause| pause.hours),
                });
                self.push(Node::Reconfig(self.net.reconfigs.len() - 1))
            }
            kind => {
                let mut children = Vec::new();
                let mut classes: Vec<(usize, Vec<usize>)> = Vec::new();
                for member in references() {
                    let child = self.node(member, &inner);
                    children.push(child);
                    if let (NodeRef::Component(component), false) =
                        (member, model.is_shared(member))
                    {
                        let Node::Unit(unit) = self.net.nodes[child] else {
                            unreachable!("a component is built as a unit")
                        };
                        match classes.iter_mut().find(|(c, _)| *c == component) {
                            Some((_, units)) => units.push(unit),
                            None => classes.push((component, vec![unit])),
                        }
                    }
                }
                self.net.symmetric.extend(
                    classes
                        .into_iter()
                        .map(|(_, units)| units)
                        .filter(|units| units.len() > 1),
                );
                let need = match kind {
                    BlockKind::Series => children.len(),
                    BlockKind::Parallel => 1,
                    BlockKind::KOfN { k } => *k as usize,
                    BlockKind::Standby(_) => unreachable!("handled above"),
                };
                self.push(Node::Gate { need, children })
            }
        };
        if beta == 0.0 {
            return structure;
        }
        // Common cause (§8.5): an element at βλ with the component's own repair, outside any
        // crews and never dormant, in series with the block.
        let NodeRef::Component(component) = block.members[0].node else {
            unreachable!("the loader requires common-cause members to be components")
        };
        let component = &model.components[component];
        let own = Context {
            rate_factor: 1.0,
            ..Context::default()
        };
        let element = self.unit(beta * component.failure_rate, component.repair_rate, &own);
        self.push(Node::Gate {
            need: 2,
            children: vec![structure, element],
        })
    }
}

impl Net {
    /// Whether each node is up, given the units' states, whether each standby is up (an active
    /// member, no failover running) and whether each election-and-pause instance lets its
    /// block be up (a leader when it elects one, no pause running); nodes are numbered
    /// children first, so one pass in order settles them all.
    pub(super) fn node_states(
        &self,
        unit_up: &[bool],
        standby_up: impl Fn(usize) -> bool,
        reconfig_settled: impl Fn(usize) -> bool,
    ) -> Vec<bool> {
        let mut up = vec![false; self.nodes.len()];
        for (index, node) in self.nodes.iter().enumerate() {
            up[index] = match node {
                Node::Unit(unit) => unit_up[*unit],
                Node::Gate { need, children } => {
                    children.iter().filter(|child| up[**child]).count() >= *need
                }
                Node::Standby(standby) => standby_up(*standby),
                Node::Reconfig(reconfig) => {
                    let spec = &self.reconfigs[*reconfig];
                    spec.members.iter().filter(|member| up[**member]).count() >= spec.need
                        && reconfig_settled(*reconfig)
                }
            };
        }
        up
    }
}
