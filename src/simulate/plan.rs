//! The model expanded unit by unit for simulation.
//!
//! The exact solver works on block *types*; the simulator needs every physical unit and every
//! block *instance*: each reference to a non-shared node is a copy with its own units (§7 of
//! `docs/model-format.md`), a shared node is built once and linked from every place that
//! references it. Units and block instances ("gates") are numbered densely so the event loop
//! works on flat arrays.

use super::sample::Sampler;
use crate::model::{BlockKind, Model, NodeRef};
use std::collections::HashMap;

/// Largest number of units plus block instances a simulation may expand to.
pub(crate) const MAX_SIM_NODES: u64 = 2_000_000;

/// Marks "none" in the `u32` index fields below.
pub(crate) const NONE: u32 = u32::MAX;

/// One physical unit: a copy of a component, a shared component, or a common-cause element.
#[derive(Debug, Clone)]
pub(crate) struct UnitSpec {
    /// Draws the time to failure, counted in active hours.
    pub(crate) life: Sampler,
    /// Draws the repair time.
    pub(crate) repair: Sampler,
    /// The crew pool (index into [`Plan::crews`]) that repairs this unit, or [`NONE`]: the
    /// innermost block with `repair_crews` above it, unless it is shared.
    pub(crate) crew: u32,
    /// The standby memberships `(standby, member position)` above it through non-shared
    /// nodes: it consumes its life at the product of the dormant factors of those whose member
    /// is not active (empty: always at rate 1, and its life is drawn directly).
    pub(crate) dormancy: Vec<(u32, u32)>,
    /// The standby instances it is a direct member of, `(standby, member position)`.
    pub(crate) member_of: Vec<(u32, u32)>,
    /// The block instances with a leader election or failure pause it is a direct member of,
    /// `(instance in [`Plan::reconfigs`], member position)`.
    pub(crate) reconfig_of: Vec<(u32, u32)>,
}

/// How a gate decides whether it is up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum GateRule {
    /// Down when the weight of down members exceeds this (series 0, parallel n − 1, k-of-n n − k).
    Tolerates(u64),
    /// Decided by the standby instance with this index.
    Standby(u32),
    /// Decided by the election and pause instance with this index.
    Reconfig(u32),
}

/// One block instance.
#[derive(Debug, Clone)]
pub(crate) struct GateSpec {
    /// When it is down.
    pub(crate) rule: GateRule,
    /// The model block it is an instance of, for per-block statistics ([`NONE`] for the inner
    /// part of a block with common cause, whose wrapper carries the block's statistics).
    pub(crate) block: u32,
    /// The standby instances it is a direct member of, `(standby, member position)`.
    pub(crate) member_of: Vec<(u32, u32)>,
    /// The election-and-pause instances it is a direct member of, `(instance, position)`.
    pub(crate) reconfig_of: Vec<(u32, u32)>,
}

/// A member of a standby or election-and-pause instance: a unit or a block instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRef {
    /// Up when the unit is up.
    Unit(u32),
    /// Up when the gate is up.
    Gate(u32),
}

/// A standby block instance (§8.4, with "unit" read as "member").
#[derive(Debug, Clone)]
pub(crate) struct StandbySpec {
    /// Its members in listing order.
    pub(crate) members: Vec<MemberRef>,
    /// The non-shared units below each member, whose life consumption rate changes when that
    /// member becomes or stops being the active one.
    pub(crate) member_units: Vec<Vec<u32>>,
    /// The gate whose state this instance decides.
    pub(crate) gate: u32,
    /// Standby units consume their life at this rate (hot 1, warm d, cold 0).
    pub(crate) dormant_factor: f64,
    /// Probability that the automatic failover works.
    pub(crate) coverage: f64,
    /// Whether a covered failover is instantaneous.
    pub(crate) instant: bool,
    /// Draws the automatic switchover time.
    pub(crate) automatic: Sampler,
    /// Draws the manual switchover time.
    pub(crate) manual: Sampler,
}

/// A block instance with a leader election or a failure pause (§8.8 of
/// docs/model-format.md). Its members tell it when they go down or come back up; they are not
/// linked to its gate, whose state it decides.
#[derive(Debug, Clone)]
pub(crate) struct ReconfigSpec {
    /// Its members in listing order.
    pub(crate) members: Vec<MemberRef>,
    /// Up units needed (k).
    pub(crate) required_up: u32,
    /// The gate whose state this instance decides.
    pub(crate) gate: u32,
    /// Draws the election time, when the block elects a leader.
    pub(crate) election: Option<Sampler>,
    /// Draws the pause after a failure, when the block pauses.
    pub(crate) pause: Option<Sampler>,
}

/// A pool of repair crews serving one block instance's units, first failed first repaired.
#[derive(Debug, Clone)]
pub(crate) struct CrewSpec {
    /// Crews: at most this many of its units are under repair at once.
    pub(crate) crews: u32,
    /// Offset of this pool's waiting line in the shared queue storage.
    pub(crate) queue_start: u32,
    /// Capacity of the waiting line (the number of units it serves).
    pub(crate) queue_len: u32,
}

/// A model block whose statistics the simulation reports.
#[derive(Debug, Clone)]
pub(crate) struct ReportedBlock {
    /// Index into the model's blocks.
    pub(crate) block: usize,
    /// Number of instances (copies) in the expanded model.
    pub(crate) instances: u64,
}

/// The expanded model.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every unit.
    pub(crate) units: Vec<UnitSpec>,
    /// Every gate.
    pub(crate) gates: Vec<GateSpec>,
    /// `unit_parents[unit_parent_start[u]..unit_parent_start[u + 1]]`: (gate, weight) links.
    pub(crate) unit_parent_start: Vec<u32>,
    /// Links from units to the gates that contain them, with how many references each is.
    pub(crate) unit_parents: Vec<(u32, u32)>,
    /// The one (gate, weight) link of a unit that has exactly one parent (almost every unit;
    /// the event loop's fast path), else ([`NONE`], 0).
    pub(crate) unit_single_parent: Vec<(u32, u32)>,
    /// The same for gates.
    pub(crate) gate_parent_start: Vec<u32>,
    /// Links from gates to the gates that contain them.
    pub(crate) gate_parents: Vec<(u32, u32)>,
    /// Standby block instances.
    pub(crate) standbys: Vec<StandbySpec>,
    /// Block instances with a leader election or failure pause.
    pub(crate) reconfigs: Vec<ReconfigSpec>,
    /// Crew pools.
    pub(crate) crews: Vec<CrewSpec>,
    /// The system's gate.
    pub(crate) top: u32,
    /// Model blocks reported, in model order, with their instance counts.
    pub(crate) reported: Vec<ReportedBlock>,
    /// For each model block, its index in `reported` ([`NONE`] when not reachable).
    pub(crate) report_index: Vec<u32>,
}

/// Why a model cannot be expanded for simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    /// Units and block instances the model would expand to (saturating).
    pub(crate) nodes: u64,
}

/// Expands `model` from its top block.
///
/// # Errors
/// [`TooLarge`] when the expansion exceeds [`MAX_SIM_NODES`].
pub fn expand(model: &Model) -> Result<Plan, TooLarge> {
    let nodes =
        crate::model::graph::expanded_count(model, |_| 2, crate::model::graph::SharedNodes::Every);
    if nodes > MAX_SIM_NODES {
        return Err(TooLarge { nodes });
    }
    let mut builder = PartialPlan {
        model,
        units: Vec::new(),
        gates: Vec::new(),
        unit_links: Vec::new(),
        gate_links: Vec::new(),
        standbys: Vec::new(),
        reconfigs: Vec::new(),
        crews: Vec::new(),
        shared: HashMap::new(),
        instances: vec![0; model.blocks.len()],
    };
    let top = match builder.node(NodeRef::Block(model.top), &Context::fresh()) {
        Instance::Gate(gate) => gate,
        Instance::Unit(_) => unreachable!("top is always a block"),
    };
    builder.finish_crews_and_standbys();
    let mut reported = Vec::new();
    let mut report_index = vec![NONE; model.blocks.len()];
    for (block, instances) in builder.instances.iter().enumerate() {
        if *instances > 0 {
            report_index[block] = reported.len() as u32;
            reported.push(ReportedBlock {
                block,
                instances: *instances,
            });
        }
    }
    let (unit_parent_start, unit_parents) = compress(builder.units.len(), &builder.unit_links);
    let (gate_parent_start, gate_parents) = compress(builder.gates.len(), &builder.gate_links);
    let unit_single_parent = unit_parent_start
        .windows(2)
        .map(|range| {
            if range[1] - range[0] == 1 {
                unit_parents[range[0] as usize]
            } else {
                (NONE, 0)
            }
        })
        .collect();
    Ok(Plan {
        unit_single_parent,
        units: builder.units,
        gates: builder.gates,
        unit_parent_start,
        unit_parents,
        gate_parent_start,
        gate_parents,
        standbys: builder.standbys,
        reconfigs: builder.reconfigs,
        crews: builder.crews,
        top,
        reported,
        report_index,
    })
}

/// Turns (child, parent, weight) links into per-child ranges.
fn compress(children: usize, links: &[(u32, u32, u32)]) -> (Vec<u32>, Vec<(u32, u32)>) {
    let mut start = vec![0u32; children + 1];
    for (child, _, _) in links {
        start[*child as usize + 1] += 1;
    }
    for index in 0..children {
        start[index + 1] += start[index];
    }
    let mut fill = start.clone();
    let mut parents = vec![(0, 0); links.len()];
    for (child, parent, weight) in links {
        let slot = &mut fill[*child as usize];
        parents[*slot as usize] = (*parent, *weight);
        *slot += 1;
    }
    (start, parents)
}

#[derive(Debug, Clone, Copy)]
enum Instance {
    Unit(u32),
    Gate(u32),
}

/// What a non-shared unit inherits from the blocks above it.
#[derive(Debug, Clone)]
struct Context {
    crew: u32,
    dormancy: Vec<(u32, u32)>,
    /// Factor on λ from an enclosing common-cause block (1 − β).
    rate_factor: f64,
}

impl Context {
    /// The context of a shared node or the top: no crews, never dormant.
    fn fresh() -> Self {
        Self {
            crew: NONE,
            dormancy: Vec::new(),
            rate_factor: 1.0,
        }
    }
}

/// The units, gates, links, standby instances and crew pools of a plan while the model is
/// being expanded into it.
struct PartialPlan<'m> {
    model: &'m Model,
    units: Vec<UnitSpec>,
    gates: Vec<GateSpec>,
    /// (unit, gate, weight)
    unit_links: Vec<(u32, u32, u32)>,
    /// (gate, parent gate, weight)
    gate_links: Vec<(u32, u32, u32)>,
    standbys: Vec<StandbySpec>,
    reconfigs: Vec<ReconfigSpec>,
    crews: Vec<CrewSpec>,
    shared: HashMap<NodeRef, Instance>,
    instances: Vec<u64>,
}

impl PartialPlan<'_> {
    /// The instance for one reference to `node`: the shared one (built once, outside any
    /// context: a shared unit's process depends on nothing else), or a new copy in `context`.
    fn node(&mut self, node: NodeRef, context: &Context) -> Instance {
        if self.model.is_shared(node) {
            if let Some(instance) = self.shared.get(&node) {
                return *instance;
            }
            let instance = self.build(node, &Context::fresh());
            self.shared.insert(node, instance);
            return instance;
        }
        self.build(node, context)
    }

    fn build(&mut self, node: NodeRef, context: &Context) -> Instance {
        match node {
            NodeRef::Component(index) => {
                let component = &self.model.components[index];
                Instance::Unit(self.unit(UnitSpec {
                    life: Sampler::new(
                        component.failure_dist,
                        1.0 / (component.failure_rate * context.rate_factor),
                    ),
                    repair: Sampler::new(component.repair_dist, 1.0 / component.repair_rate),
                    crew: context.crew,
                    dormancy: context.dormancy.clone(),
                    member_of: Vec::new(),
                    reconfig_of: Vec::new(),
                }))
            }
            NodeRef::Block(index) => Instance::Gate(self.block(index, context)),
        }
    }

    fn unit(&mut self, spec: UnitSpec) -> u32 {
        self.units.push(spec);
        (self.units.len() - 1) as u32
    }

    fn gate(&mut self, rule: GateRule, block: u32) -> u32 {
        self.gates.push(GateSpec {
            rule,
            block,
            member_of: Vec::new(),
            reconfig_of: Vec::new(),
        });
        (self.gates.len() - 1) as u32
    }

    fn link(&mut self, child: Instance, parent: u32, weight: u64) {
        let weight = u32::try_from(weight).expect("member counts are bounded by MAX_SIM_NODES");
        match child {
            Instance::Unit(unit) => self.unit_links.push((unit, parent, weight)),
            Instance::Gate(gate) => self.gate_links.push((gate, parent, weight)),
        }
    }

    /// Builds one instance of block `index` and returns the gate that stands for it.
    fn block(&mut self, index: usize, context: &Context) -> u32 {
        let model = self.model;
        let block = &model.blocks[index];
        self.instances[index] += 1;
        let n = block.member_count();
        let beta = block.common_cause_beta.unwrap_or(0.0);
        let reconfig_index = match block.reconfigures() {
            true => self.reconfigs.len() as u32,
            false => NONE,
        };
        let mut inner = Context {
            rate_factor: 1.0 - beta,
            ..context.clone()
        };
        if let Some(crews) = block.repair_crews {
            // The queue's storage is laid out once every unit is known.
            inner.crew = self.crews.len() as u32;
            self.crews.push(CrewSpec {
                crews: crews as u32,
                queue_start: 0,
                queue_len: 0,
            });
        }
        let reports_here = if beta > 0.0 { NONE } else { index as u32 };
        let gate = match &block.kind {
            // Elections and pauses: every member (a unit or a block instance, shared or not)
            // tells the instance when it changes.
            _ if reconfig_index != NONE => {
                let gate = self.gate(GateRule::Reconfig(reconfig_index), reports_here);
                let mut members = Vec::new();
                for member in &block.members {
                    for _ in 0..member.count {
                        let link = (reconfig_index, members.len() as u32);
                        members.push(match self.node(member.node, &inner) {
                            Instance::Unit(unit) => {
                                self.units[unit as usize].reconfig_of.push(link);
                                MemberRef::Unit(unit)
                            }
                            Instance::Gate(child) => {
                                self.gates[child as usize].reconfig_of.push(link);
                                MemberRef::Gate(child)
                            }
                        });
                    }
                }
                self.reconfigs.push(ReconfigSpec {
                    members,
                    required_up: block.required_up() as u32,
                    gate,
                    election: block
                        .leader_election
                        .map(|election| Sampler::new(election.dist, election.hours)),
                    pause: block
                        .failure_pause
                        .map(|pause| Sampler::new(pause.dist, pause.hours)),
                });
                gate
            }
            BlockKind::Standby(rules) => {
                let standby = self.standbys.len() as u32;
                let gate = self.gate(GateRule::Standby(standby), reports_here);
                self.standbys.push(StandbySpec {
                    members: Vec::new(),
                    member_units: Vec::new(),
                    gate,
                    dormant_factor: rules.dormant_factor,
                    coverage: rules.coverage,
                    instant: rules.failover_hours == 0.0,
                    automatic: Sampler::new(rules.failover_dist, rules.failover_hours),
                    manual: Sampler::new(rules.failover_dist, rules.manual_failover_hours),
                });
                let mut members = Vec::new();
                for member in &block.members {
                    for _ in 0..member.count {
                        let position = members.len() as u32;
                        let mut own = inner.clone();
                        own.dormancy.push((standby, position));
                        let member_ref = match self.node(member.node, &own) {
                            Instance::Unit(unit) => {
                                self.units[unit as usize]
                                    .member_of
                                    .push((standby, position));
                                MemberRef::Unit(unit)
                            }
                            Instance::Gate(child) => {
                                self.gates[child as usize]
                                    .member_of
                                    .push((standby, position));
                                MemberRef::Gate(child)
                            }
                        };
                        members.push(member_ref);
                    }
                }
                self.standbys[standby as usize].members = members;
                gate
            }
            kind => {
                let tolerance = match kind {
                    BlockKind::Series => 0,
                    BlockKind::Parallel => n - 1,
                    BlockKind::KOfN { k } => n - k,
                    BlockKind::Standby(_) => unreachable!("handled above"),
                };
                let gate = self.gate(GateRule::Tolerates(tolerance), reports_here);
                for member in &block.members {
                    if model.is_shared(member.node) {
                        let child = self.node(member.node, &inner);
                        self.link(child, gate, member.count);
                    } else {
                        for _ in 0..member.count {
                            let child = self.node(member.node, &inner);
                            self.link(child, gate, 1);
                        }
                    }
                }
                gate
            }
        };
        if beta == 0.0 {
            return gate;
        }
        // Common cause: the block is a series of its own structure and one element that fails
        // at βλ and is repaired with the component's MTTR, outside any crews and never
        // dormant (§8.5).
        let NodeRef::Component(component_index) = block.members[0].node else {
            unreachable!("the loader requires common-cause members to be components")
        };
        let component = &model.components[component_index];
        let wrapper = self.gate(GateRule::Tolerates(0), index as u32);
        let element = self.unit(UnitSpec {
            life: Sampler::new(
                component.failure_dist,
                1.0 / (component.failure_rate * beta),
            ),
            repair: Sampler::new(component.repair_dist, 1.0 / component.repair_rate),
            crew: NONE,
            dormancy: Vec::new(),
            member_of: Vec::new(),
            reconfig_of: Vec::new(),
        });
        self.link(Instance::Unit(element), wrapper, 1);
        self.link(Instance::Gate(gate), wrapper, 1);
        wrapper
    }

    /// Lays out the crews' waiting lines (one slot per unit served) and lists the units below
    /// each standby member, once every unit is known.
    fn finish_crews_and_standbys(&mut self) {
        let mut served = vec![0u32; self.crews.len()];
        for unit in &self.units {
            if unit.crew != NONE {
                served[unit.crew as usize] += 1;
            }
        }
        let mut start = 0;
        for (pool, count) in self.crews.iter_mut().zip(served) {
            pool.queue_start = start;
            pool.queue_len = count.max(1);
            start += pool.queue_len;
        }
        for standby in &mut self.standbys {
            standby.member_units = vec![Vec::new(); standby.members.len()];
        }
        for (index, unit) in self.units.iter().enumerate() {
            for (standby, position) in &unit.dormancy {
                self.standbys[*standby as usize].member_units[*position as usize]
                    .push(index as u32);
            }
        }
    }
}

impl Plan {
    /// Total waiting-line storage the crew pools need.
    pub(crate) fn queue_storage(&self) -> usize {
        self.crews
            .last()
            .map_or(0, |pool| (pool.queue_start + pool.queue_len) as usize)
    }
}
