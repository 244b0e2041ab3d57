//! Exact steady-state solution of a [`Model`]: availability, unavailability and outage frequency
//! for the system and each block.
//!
//! Independent structure is solved by probability algebra ([`algebra`]), dependent blocks
//! (crews, standby) as Markov chains ([`dependent`], [`ctmc`]), and shared units exactly by
//! a decision diagram over independent variables ([`structure`], [`variable`]).

pub(crate) mod algebra;
pub mod applicability;
pub(crate) mod ctmc;
pub(crate) mod dependent;
pub mod joint;
pub(crate) mod structure;
pub mod transient;
pub(crate) mod variable;

use crate::model::Model;
use crate::model::units::HOURS_PER_YEAR;

/// Steady-state measures of a system or block.
///
/// Unavailability and availability are both computed directly (neither as one minus the
/// other), so each keeps full relative precision however close to 0 it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    /// U, the long-run fraction of time down.
    pub unavailability: f64,
    /// A, the long-run fraction of time up.
    pub availability: f64,
    /// f, outages (up→down transitions) per hour.
    pub frequency: f64,
}

/// The nines of an unavailability, the one definition every output uses.
///
/// # Formula
/// ```text
/// nines = −log₁₀ U   where U is the unavailability; ∞ when U = 0, and 0 (never −0) when U ≥ 1
/// ```
pub(crate) fn nines_of(unavailability: f64) -> f64 {
    if unavailability >= 1.0 {
        0.0
    } else {
        -unavailability.log10()
    }
}

impl Measures {
    /// A node that is never down.
    pub(crate) const ALWAYS_UP: Self = Self {
        unavailability: 0.0,
        availability: 1.0,
        frequency: 0.0,
    };

    /// A node that is never up.
    pub(crate) const ALWAYS_DOWN: Self = Self {
        unavailability: 1.0,
        availability: 0.0,
        frequency: 0.0,
    };

    /// A single repairable unit with exponential times.
    ///
    /// # Formula
    /// U = λ/(λ+μ), A = μ/(λ+μ), f = λμ/(λ+μ), where λ = 1/MTBF and μ = 1/MTTR.
    pub fn two_state(failure_rate: f64, repair_rate: f64) -> Self {
        if failure_rate == 0.0 {
            return Self::ALWAYS_UP;
        }
        // Scale by the larger rate so λ + μ cannot overflow for rates near f64::MAX.
        let scale = failure_rate.max(repair_rate);
        let (lambda, mu) = (failure_rate / scale, repair_rate / scale);
        let total = lambda + mu;
        Self {
            unavailability: lambda / total,
            availability: mu / total,
            frequency: lambda / total * repair_rate,
        }
    }

    /// Measures from separately summed probabilities of down and up states: the smaller of
    /// the two is kept as computed (full relative precision) and the larger is taken as its
    /// complement, so A + U = 1 and neither exceeds 1 through rounding in the sums.
    pub(crate) fn from_sums(unavailability: f64, availability: f64, frequency: f64) -> Self {
        if unavailability <= availability {
            Self {
                unavailability,
                availability: 1.0 - unavailability,
                frequency,
            }
        } else {
            Self {
                unavailability: 1.0 - availability,
                availability,
                frequency,
            }
        }
    }

    /// −log₁₀ U; infinite when U = 0, and 0 (not −0) when the node is always down.
    pub(crate) fn nines(&self) -> f64 {
        nines_of(self.unavailability)
    }

    /// U · 8766 h, in minutes.
    pub(crate) fn downtime_minutes_per_year(&self) -> f64 {
        self.unavailability * HOURS_PER_YEAR * 60.0
    }

    /// f · 8766 h: expected outages per year.
    pub fn failures_per_year(&self) -> f64 {
        self.frequency * HOURS_PER_YEAR
    }

    /// 1/f in hours: mean time from one outage's start to the next; `None` when f = 0.
    pub(crate) fn mtbf_hours(&self) -> Option<f64> {
        (self.frequency > 0.0).then(|| 1.0 / self.frequency)
    }

    /// U/f in hours: mean outage length; `None` when f = 0.
    pub(crate) fn mttr_hours(&self) -> Option<f64> {
        (self.frequency > 0.0).then(|| self.unavailability / self.frequency)
    }
}

/// Measures of one block.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockMeasures {
    /// The block's name.
    pub name: String,
    /// Its steady-state measures (one copy of it, on its own).
    pub measures: Measures,
}

/// The exact solution of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The top block's measures.
    pub system: Measures,
    /// Every block reachable from the top, in file order.
    pub blocks: Vec<BlockMeasures>,
}

/// Why a model could not be solved exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// A dependent block's Markov chain is larger than the solver accepts.
    #[error(
        "block `{block}` needs a Markov chain of more than {states} states, more than the exact solver handles; \
         reduce its distinct unit types or crews, split it into smaller blocks, or estimate it with `nines simulate`"
    )]
    ChainTooLarge {
        /// The block.
        block: String,
        /// States explored before giving up.
        states: usize,
    },
    /// The decision diagram over the shared units would be larger than the solver accepts.
    #[error(
        "the shared units of this model make a decision diagram of more than {nodes} nodes or {variables} variables, \
         more than the exact solver handles; group shared units into shared blocks, unshare those that are not real \
         single points of failure, or estimate it with `nines simulate`"
    )]
    DiagramTooLarge {
        /// The node limit.
        nodes: usize,
        /// The variable limit.
        variables: usize,
    },
}

/// Solves the model: the system and every block reachable from the top.
///
/// # Errors
/// [`SolveError`] when a block's chain or the shared units' decision diagram exceeds the solver.
pub fn solve(model: &Model) -> Result<Solution, SolveError> {
    let mut solver = structure::Solver::new(model);
    let system = solver.solve_block(model.top)?;
    let reachable = crate::model::graph::reachable_blocks(model, model.top);
    let mut blocks = Vec::new();
    for (index, block) in model.blocks.iter().enumerate() {
        if reachable[index] {
            let measures = if index == model.top {
                system
            } else {
                solver.solve_block(index)?
            };
            blocks.push(BlockMeasures {
                name: block.name.clone(),
                measures,
            });
        }
    }
    Ok(Solution { system, blocks })
}
