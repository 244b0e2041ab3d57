//! The availability model: components with failure and repair rates, grouped into blocks.
//!
//! A [`Model`] is what the solvers consume: every name resolved, every figure converted to a
//! rate per hour, every rule of `docs/model-format.md` already checked. It is built from TOML by
//! [`load::load_model`], which reports every problem it finds as a [`crate::diag::Diagnostic`].

pub(crate) mod graph;
pub mod load;
pub mod overrides;
pub(crate) mod units;

use crate::diag::Span;

/// A resolved, validated availability model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Display name (the `name` key, or the file stem).
    pub(crate) name: String,
    /// Free text about the model (`description`), shown in reports.
    pub(crate) description: Option<String>,
    /// Components in file order.
    pub components: Vec<Component>,
    /// Blocks in file order.
    pub blocks: Vec<Block>,
    /// The root block: the system.
    pub top: usize,
    /// The availability target for `nines check`, when the model states one.
    pub target: Option<Target>,
    /// Families (`instances = N`) in file order, components first: what `--set
    /// component.NAME.KEY`, `--find` and `sensitivity` treat as one item.
    pub families: Vec<Family>,
}

/// A family of physical units declared with `instances = N`: `NAME[1]` … `NAME[N]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The family's name (`broker`).
    pub name: String,
    /// Its instances in order: all components or all blocks, each shared.
    pub instances: Vec<NodeRef>,
}

/// A repairable unit type: one physical unit per reference unless shared.
#[derive(Debug, Clone)]
pub struct Component {
    /// Name as written after `[component.`.
    pub name: String,
    /// λ, failures per hour (1/MTBF).
    pub failure_rate: f64,
    /// μ, repairs per hour (1/MTTR).
    pub(crate) repair_rate: f64,
    /// One physical unit wherever referenced.
    pub shared: bool,
    /// Shape of the time to failure (mean 1/λ); used by simulation.
    pub failure_dist: TimeDist,
    /// Shape of the repair time (mean 1/μ); used by simulation.
    pub repair_dist: TimeDist,
    /// Where the component's table header is.
    pub(crate) span: Option<Span>,
    /// The observations its figures rest on (`[component.NAME.evidence]`), if recorded.
    pub(crate) evidence: Option<Evidence>,
    /// Expert ranges of its figures (`[component.NAME.uncertainty]`), if given.
    pub(crate) ranges: Option<Ranges>,
}

/// 90 % ranges of a component's figures, from expert judgement: each figure is log-normal
/// with its 5th and 95th percentiles at the ends of its range.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Ranges {
    /// MTBF, hours (low, high).
    pub(crate) mtbf: Option<(f64, f64)>,
    /// MTTR, hours (low, high).
    pub(crate) mttr: Option<(f64, f64)>,
}

/// 90 % ranges of a block's probabilities, from expert judgement
/// (`[block.NAME.uncertainty]`): each is a beta distribution with its 5th and 95th
/// percentiles at the ends of its range.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct BlockRanges {
    /// Coverage of a standby block's automatic failover (low, high).
    pub(crate) coverage: Option<(f64, f64)>,
    /// β of the beta-factor common-cause model (low, high).
    pub(crate) common_cause_beta: Option<(f64, f64)>,
}

/// The prior of a failure rate known from evidence: what is believed before the failures
/// were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Prior {
    /// Jeffreys' prior, p(λ) ∝ λ^(−½): posterior Gamma(n + ½, T).
    #[default]
    Jeffreys,
    /// The uniform prior, p(λ) ∝ 1: posterior Gamma(n + 1, T).
    Uniform,
}

/// Observed history of a component, from `[component.NAME.evidence]` (written by
/// `nines fit --format toml`). The component's `mtbf` and `mttr` stay the figures the solvers
/// use; the evidence says how well they are known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evidence {
    /// Failures observed.
    pub(crate) failures: u64,
    /// Unit-hours observed up.
    pub(crate) exposure_hours: f64,
    /// Observed repair times, hours.
    pub(crate) repair_hours: Vec<f64>,
    /// The prior of the failure rate (`prior`, Jeffreys unless written).
    pub(crate) prior: Prior,
}

/// What makes a block up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BlockKind {
    /// All members up.
    Series,
    /// At least one member up.
    Parallel,
    /// At least `k` members up (quorum is stored as this with k = ⌊n/2⌋ + 1).
    KOfN {
        /// Members needed.
        k: u64,
    },
    /// One active unit, the others waiting; failover on the active unit's failure.
    Standby(Standby),
}

/// The switchover rules of a standby block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Standby {
    /// Standby units fail at `dormant_factor · λ` (hot 1, cold 0).
    pub(crate) dormant_factor: f64,
    /// Mean automatic failover time, hours (0 = instantaneous).
    pub(crate) failover_hours: f64,
    /// Probability the automatic failover works.
    pub(crate) coverage: f64,
    /// Mean manual switchover time after an uncovered failure, hours.
    pub(crate) manual_failover_hours: f64,
    /// Shape of both switchover times (automatic and manual); used by simulation.
    pub(crate) failover_dist: TimeDist,
}

/// A reconfiguration of a redundant block that takes time: a leader election or the pause
/// after a member failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reconfiguration {
    /// Mean duration, hours (> 0).
    pub hours: f64,
    /// Shape of the duration (mean `hours`); used by simulation.
    pub dist: TimeDist,
}

/// The shape of a random duration. Its mean always comes from the model (MTBF, MTTR,
/// failover), so that the exact solver and the simulation share their means.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum TimeDist {
    /// Memoryless; what the exact solver assumes.
    #[default]
    Exponential,
    /// Weibull with this shape k (k > 1: wear-out, k < 1: infant mortality).
    Weibull {
        /// k > 0.
        shape: f64,
    },
    /// Log-normal with this σ of the underlying normal.
    LogNormal {
        /// σ > 0.
        sigma: f64,
    },
    /// Gamma with this shape k (k = 1 is exponential).
    Gamma {
        /// k > 0.
        shape: f64,
    },
    /// Always exactly the mean.
    Fixed,
}

impl TimeDist {
    /// Whether this is the exponential distribution the exact solver assumes.
    pub(crate) fn is_exponential(&self) -> bool {
        matches!(self, Self::Exponential)
            || matches!(self, Self::Gamma { shape } if *shape == 1.0)
            || matches!(self, Self::Weibull { shape } if *shape == 1.0)
    }
}

/// A reference from a block to one of its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeRef {
    /// Index into [`Model::components`].
    Component(usize),
    /// Index into [`Model::blocks`].
    Block(usize),
}

/// `count` references to the same node (copies, or the same unit when it is shared).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    /// What is referenced.
    pub node: NodeRef,
    /// How many references.
    pub count: u64,
}

/// A group of members with a rule saying when it is up.
#[derive(Debug, Clone)]
pub struct Block {
    /// Name as written after `[block.`.
    pub(crate) name: String,
    /// The up rule.
    pub(crate) kind: BlockKind,
    /// Members in the order written; repeated references are merged into counts.
    pub members: Vec<Member>,
    /// At most this many failed members are repaired at once (`None`: unlimited).
    pub(crate) repair_crews: Option<u64>,
    /// One physical block wherever referenced.
    pub shared: bool,
    /// β of the beta-factor common-cause model.
    pub(crate) common_cause_beta: Option<f64>,
    /// `leader_election`: the block needs a leader, re-elected in this time after losing it
    /// (quorum, k-of-n and parallel blocks; docs/model-format.md §8.8).
    pub(crate) leader_election: Option<Reconfiguration>,
    /// `failure_pause`: a member failure that leaves the block up takes it down for this time
    /// (quorum, k-of-n and parallel blocks; docs/model-format.md §8.8).
    pub(crate) failure_pause: Option<Reconfiguration>,
    /// Expert ranges of its coverage and common-cause β (`[block.NAME.uncertainty]`).
    pub(crate) ranges: Option<BlockRanges>,
    /// Where the block's table header is.
    pub(crate) span: Option<Span>,
}

impl Block {
    /// Total number of member references, n.
    pub(crate) fn member_count(&self) -> u64 {
        self.members
            .iter()
            .fold(0u64, |total, member| total.saturating_add(member.count))
    }

    /// The number of up members the block needs (n for series, 1 for parallel and standby).
    pub(crate) fn required_up(&self) -> u64 {
        match self.kind {
            BlockKind::Series => self.member_count(),
            BlockKind::Parallel | BlockKind::Standby(_) => 1,
            BlockKind::KOfN { k } => k,
        }
    }

    /// Whether the block has a leader election or a failure pause, which make its members
    /// dependent (solved as a chain).
    pub fn reconfigures(&self) -> bool {
        self.leader_election.is_some() || self.failure_pause.is_some()
    }

    /// Crews that actually limit repair: `None` when there are at least as many as members.
    pub(crate) fn limiting_crews(&self) -> Option<u64> {
        self.repair_crews
            .filter(|crews| *crews < self.member_count())
    }
}

/// An availability goal, kept as the unavailability it allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Largest acceptable steady-state unavailability.
    pub unavailability: f64,
    /// The goal as the user wrote it, for messages ("99.95%").
    pub(crate) text: String,
    /// Where the target is written in the model, when it comes from the file.
    pub(crate) span: Option<Span>,
    /// SLA window length in hours (`window`), for simulated breach probabilities.
    pub(crate) window_hours: Option<f64>,
    /// Largest acceptable probability that a window misses the target
    /// (`max_breach_probability`), checked by `nines check --method simulate`.
    pub(crate) max_breach_probability: Option<f64>,
}

impl Model {
    /// The name of the node a reference points to.
    pub(crate) fn node_name(&self, node: NodeRef) -> &str {
        match node {
            NodeRef::Component(index) => &self.components[index].name,
            NodeRef::Block(index) => &self.blocks[index].name,
        }
    }

    /// Whether the referenced node is one physical unit wherever it is used.
    pub fn is_shared(&self, node: NodeRef) -> bool {
        match node {
            NodeRef::Component(index) => self.components[index].shared,
            NodeRef::Block(index) => self.blocks[index].shared,
        }
    }

    /// The units a what-if path's NAME stands for (`component.NAME.KEY`, `block.NAME.KEY`):
    /// the component or block of that name, or every instance of the family of that name (a
    /// path naming a family moves all of its instances; `NAME[2]` names one). Empty when
    /// nothing of that kind has the name. `block` picks blocks rather than components.
    pub fn named(&self, block: bool, name: &str) -> Vec<NodeRef> {
        let own = if block {
            self.block_index(name).map(NodeRef::Block)
        } else {
            self.components
                .iter()
                .position(|component| component.name == name)
                .map(NodeRef::Component)
        };
        if let Some(node) = own {
            return vec![node];
        }
        self.families
            .iter()
            .find(|family| {
                family.name == name
                    && family
                        .instances
                        .first()
                        .is_some_and(|node| matches!(node, NodeRef::Block(_)) == block)
            })
            .map(|family| family.instances.clone())
            .unwrap_or_default()
    }

    /// Finds a block by name.
    pub fn block_index(&self, name: &str) -> Option<usize> {
        self.blocks.iter().position(|block| block.name == name)
    }
}
