//! Exact time-dependent measures of a model with exponential times: the mean time to first
//! outage (MTTFF; the MTTDL of a storage stripe), the reliability over a mission, and the
//! distribution of the downtime in one SLA window with the probability that it breaches the
//! target's budget.
//!
//! Steady-state measures compose block by block; these do not. The time to first outage of a
//! series of independent parts is not built from the parts' own MTTFFs (the first outage of
//! any part ends it, and each part's clock is running meanwhile), nor is a window's downtime:
//! both are functionals of the joint process. So every measure here runs on the joint chain
//! of the block ([`crate::solve::joint::block_chain`]): every unit below it enumerated, except
//! that non-shared identical copies under one gate are counted, with crews, standby switchovers
//! and common cause as in the steady-state solver. (Only the reliability of a series of
//! independent parts factorises, R(T) = Π Rᵢ(T); the tests use that as a check.)
//!
//! - [`first_passage`]: the MTTFF from the chain of the up states, by a renewal argument;
//! - [`occupation`]: uniformization with one rate per side (up, down) for the reliability and
//!   the window downtime, with error bounds on every truncation;
//! - [`chain`] and [`poisson`]: the uniformized chain and Poisson terms.
//!
//! Limits: blocks of at most [`MAX_TRANSIENT_UNITS`] physical units; first-passage chains of
//! up to [`MAX_FIRST_PASSAGE_STATES`] states and window chains of up to
//! [`MAX_TRANSIENT_STATES`] states; the MTTFF up to
//! [`first_passage::MAX_FIRST_PASSAGE_UP_STATES`] up states; windows starting in the steady
//! state up to [`MAX_STEADY_START_STATES`] states (the stationary law is solved by GTH); and
//! at most [`MAX_WINDOW_WORK`] multiply-adds for a window. Past any of them the error points to
//! `nines simulate`.

mod chain;
pub mod first_passage;
mod occupation;
mod poisson;

use crate::model::Model;
use crate::solve::SolveError;
use chain::Uniformized;
use occupation::StepTable;

/// Largest joint chain the time measures explore.
pub const MAX_TRANSIENT_STATES: usize = 100_000;
/// Largest first-passage chain (the up states and the down states they lead to) explored for
/// the time to first outage and the mission: the MTTFF's GTH solve takes at most
/// [`first_passage::MAX_FIRST_PASSAGE_UP_STATES`] up states anyway, and a smaller limit keeps
/// `solve` quick on models whose blocks are past it (it is computed for every block).
pub const MAX_FIRST_PASSAGE_STATES: usize = 10_000;
/// Most physical units below a block whose time measures are computed: the joint chain keeps
/// every unit's state in each of its states, so exploring costs states × units².
pub const MAX_TRANSIENT_UNITS: u64 = 256;
/// Largest chain whose stationary law starts a window (GTH, dense: 4,000 states take 128 MB).
pub const MAX_STEADY_START_STATES: usize = 4000;
/// Largest window computation, in multiply-adds (steps × layers × jump entries): about
/// 10–20 s on one core.
pub const MAX_WINDOW_WORK: f64 = 1e10;
/// Work allowed for following the downtime past the budget, to the quantiles and the mean
/// (about a second): a quantile past it is left out ("beyond reach") rather than making every
/// `solve` of a stiff model wait.
pub const MAX_QUANTILE_WORK: f64 = 1e9;

/// Where an SLA window starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStart {
    /// In the steady state: a calendar month picked at random in a long life.
    Steady,
    /// With every unit new and up, as each `nines simulate` run starts.
    New,
}

/// What to compute besides the MTTFF.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimeSettings {
    /// Mission length T in hours, for the reliability over [0, T] from all up.
    pub mission_hours: Option<f64>,
    /// The SLA window of the system, when one is asked for.
    pub window: Option<WindowSettings>,
}

/// One SLA window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowSettings {
    /// Window length, hours.
    pub hours: f64,
    /// The downtime the target allows in one window, (1 − A_target) · window, hours; `None`
    /// without a target (the distribution is still computed).
    pub budget_hours: Option<f64>,
    /// Where the window starts.
    pub start: WindowStart,
    /// Most multiply-adds the window may take: [`MAX_WINDOW_WORK`] when asked for, less when
    /// `solve` computes a model's own window unasked ([`UNASKED_WINDOW_WORK`]).
    pub work_limit: f64,
}

/// Work allowed for a window `solve` computes without being asked (the model's own
/// `[target] window`): about a tenth of a second in a release build, so that `solve` stays
/// quick; `--window` allows up to [`MAX_WINDOW_WORK`].
pub const UNASKED_WINDOW_WORK: f64 = 2e8;

/// Why a time measure could not be computed exactly.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransientError {
    /// The joint chain could not be built (too large).
    #[error("{0}")]
    Chain(SolveError),
    /// Too many physical units below the block.
    #[error(
        "block `{block}` holds {units} physical units, more than the exact time measures handle ({limit}); \
         estimate them with `nines simulate`"
    )]
    TooManyUnits {
        /// The block.
        block: String,
        /// Its physical units.
        units: u64,
        /// The limit.
        limit: u64,
    },
    /// Too many up states for the MTTFF's GTH solve.
    #[error(
        "block `{block}` has {states} states before its first outage, more than the exact time to first outage \
         handles ({limit}); estimate it with `nines simulate`"
    )]
    TooManyUpStates {
        /// The block.
        block: String,
        /// Its up states.
        states: usize,
        /// The limit.
        limit: usize,
    },
    /// The chain is too large to start a window in its steady state.
    #[error(
        "the joint chain has {states} states, more than a window starting in the steady state handles ({limit}); \
         use `--window-start new`, or estimate it with `nines simulate`"
    )]
    SteadyStartTooLarge {
        /// The chain's states.
        states: usize,
        /// The limit.
        limit: usize,
    },
    /// The window computation would take too long.
    #[error(
        "the exact window distribution needs about {work:.1e} operations ({states} states, {steps} up-steps, {layers} down-steps), \
         more than the limit {limit:.0e}: the model is too stiff (fast failovers beside long windows); estimate it with `nines simulate`"
    )]
    TooMuchWork {
        /// Multiply-adds needed.
        work: f64,
        /// States.
        states: usize,
        /// Up-steps.
        steps: usize,
        /// Down-steps.
        layers: usize,
        /// The limit.
        limit: f64,
    },
}

/// The reliability over a mission from all up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mission {
    /// T, hours.
    pub hours: f64,
    /// R(T) = P(no outage in [0, T]), summed directly.
    pub reliability: f64,
    /// 1 − R(T) = P(an outage in [0, T]), summed directly (not as 1 − R, so 1e-12 keeps its
    /// digits).
    pub unreliability: f64,
}

impl Mission {
    /// Nines of durability, −log₁₀ of the unreliability (∞ when it is 0).
    pub fn nines(&self) -> f64 {
        crate::solve::nines_of(self.unreliability)
    }
}

/// First-outage figures of one block (or the system).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstOutage {
    /// Mean time from all up to the first outage, hours; `None` when it never goes down.
    pub mttff_hours: Option<f64>,
    /// The reliability over the mission, when one was asked for.
    pub mission: Option<Mission>,
}

/// Downtime in one window: quantiles and mean, hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DowntimeQuantiles {
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// 99.9th percentile.
    pub p99_9: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
}

/// The exact SLA-window figures of the system.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The settings it was computed for.
    pub settings: WindowSettings,
    /// P(downtime in one window > budget); `None` without a target.
    pub breach_probability: Option<f64>,
    /// Bound on the truncation error of `breach_probability` (absolute; the value is a lower
    /// bound, at most this below the truth).
    pub breach_error_bound: Option<f64>,
    /// Downtime quantiles and mean, hours (`None` where the computation could not reach them).
    pub downtime_hours: DowntimeQuantiles,
    /// States of the joint chain.
    pub states: usize,
    /// Points (x hours, P(downtime > x)) for a chart, from 0 to past the budget and p99.
    pub exceedance: Vec<(f64, f64)>,
    table: StepTable,
}

impl Window {
    /// P(downtime in the window > x hours) and its truncation bound.
    pub fn exceedance_at(&self, x: f64) -> (f64, f64) {
        self.table.exceedance(x)
    }
}

/// Time measures of the system and every block reachable from the top.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSolution {
    /// The top block.
    pub system: Result<FirstOutage, TransientError>,
    /// Every block reachable from the top, in file order (as [`crate::solve::Solution`]).
    pub blocks: Vec<(String, Result<FirstOutage, TransientError>)>,
    /// The system's window, when one was asked for.
    pub window: Option<Result<Window, TransientError>>,
}

/// Time measures of the model: the first outage (and mission) of the system and every
/// block, and the system's window.
pub fn solve_time(model: &Model, settings: &TimeSettings) -> TimeSolution {
    let reachable = crate::model::graph::reachable_blocks(model, model.top);
    let mut blocks = Vec::new();
    let mut system = None;
    for (index, block) in model.blocks.iter().enumerate() {
        if reachable[index] {
            let result = first_outage(model, index, settings.mission_hours);
            if index == model.top {
                system = Some(result.clone());
            }
            blocks.push((block.name.clone(), result));
        }
    }
    let system = system.unwrap_or_else(|| first_outage(model, model.top, settings.mission_hours));
    let window = settings
        .window
        .map(|window| self::window(model, model.top, window));
    TimeSolution {
        system,
        blocks,
        window,
    }
}

/// The MTTFF of block `block` from all up, and its reliability over `mission_hours`.
///
/// # Errors
/// [`TransientError`] when the chain passes a limit.
pub fn first_outage(
    model: &Model,
    block: usize,
    mission_hours: Option<f64>,
) -> Result<FirstOutage, TransientError> {
    check_units(model, block)?;
    let chain = crate::solve::joint::block_chain(model, block, MAX_FIRST_PASSAGE_STATES, true)
        .map_err(TransientError::Chain)?;
    let up_states = chain.up.iter().filter(|up| **up).count();
    if up_states > first_passage::MAX_FIRST_PASSAGE_UP_STATES {
        return Err(TransientError::TooManyUpStates {
            block: model.blocks[block].name.clone(),
            states: up_states,
            limit: first_passage::MAX_FIRST_PASSAGE_UP_STATES,
        });
    }
    let mttff_hours = first_passage::mean_time_to_first_outage(&chain);
    let mission = mission_hours.map(|hours| {
        let uniformized = Uniformized::new(&chain);
        let mut start = vec![0.0; chain.len()];
        start[0] = 1.0;
        let steps = occupation::steps_for(&uniformized, hours);
        let table = StepTable::new(&uniformized, &start, 1, steps, hours);
        Mission {
            hours,
            reliability: table.reliability(),
            unreliability: table.unreliability(),
        }
    });
    Ok(FirstOutage {
        mttff_hours,
        mission,
    })
}

/// The window figures of block `block`.
///
/// # Errors
/// [`TransientError`] when the chain or the computation passes a limit.
pub fn window(
    model: &Model,
    block: usize,
    settings: WindowSettings,
) -> Result<Window, TransientError> {
    let (uniformized, start) = window_chain(model, block, settings)?;
    window_of(&uniformized, &start, settings)
}

/// Only the breach probability of block `block`'s window and its error bound (no quantiles:
/// one pass over the chain), for `nines check` and `sweep`; `None` without a budget.
///
/// # Errors
/// [`TransientError`] when the chain or the computation passes a limit.
pub fn breach_probability(
    model: &Model,
    block: usize,
    settings: WindowSettings,
) -> Result<Option<(f64, f64)>, TransientError> {
    let Some(budget) = settings.budget_hours else {
        return Ok(None);
    };
    let (chain, start) = window_chain(model, block, settings)?;
    let budget = budget.min(settings.hours);
    let steps = occupation::steps_for(&chain, settings.hours);
    let layers = occupation::layers_for(&chain, budget).max(8);
    check_work(&chain, steps, layers, settings.work_limit)?;
    let table = StepTable::new(&chain, &start, layers, steps, settings.hours);
    let (value, bound) = table.exceedance(budget);
    Ok(Some((value, bound + step_bound())))
}

/// [`TransientError::TooManyUnits`] past [`MAX_TRANSIENT_UNITS`] physical units.
fn check_units(model: &Model, block: usize) -> Result<(), TransientError> {
    let units = crate::model::graph::physical_copies(model, block)
        .iter()
        .filter(|(node, _)| matches!(node, crate::model::NodeRef::Component(_)))
        .fold(0u64, |total, (_, copies)| total.saturating_add(*copies));
    if units > MAX_TRANSIENT_UNITS {
        return Err(TransientError::TooManyUnits {
            block: model.blocks[block].name.clone(),
            units,
            limit: MAX_TRANSIENT_UNITS,
        });
    }
    Ok(())
}

/// Multiply-adds of one pass over `chain` with `steps` up-steps and `layers` down-steps.
fn work(chain: &Uniformized, steps: usize, layers: usize) -> f64 {
    steps as f64 * layers as f64 * (chain.down_entries() + chain.up_entries()) as f64
}

/// [`TransientError::TooMuchWork`] past [`MAX_WINDOW_WORK`].
fn check_work(
    chain: &Uniformized,
    steps: usize,
    layers: usize,
    limit: f64,
) -> Result<(), TransientError> {
    let work = work(chain, steps, layers);
    if work > limit {
        return Err(TransientError::TooMuchWork {
            work,
            states: chain.len(),
            steps,
            layers,
            limit,
        });
    }
    Ok(())
}

/// The uniformized chain of block `block` and the start of its windows.
fn window_chain(
    model: &Model,
    block: usize,
    settings: WindowSettings,
) -> Result<(Uniformized, Vec<f64>), TransientError> {
    check_units(model, block)?;
    let chain = crate::solve::joint::block_chain(model, block, MAX_TRANSIENT_STATES, false)
        .map_err(TransientError::Chain)?;
    let start = match settings.start {
        WindowStart::New => {
            let mut start = vec![0.0; chain.len()];
            start[0] = 1.0;
            start
        }
        WindowStart::Steady => {
            if chain.len() > MAX_STEADY_START_STATES {
                return Err(TransientError::SteadyStartTooLarge {
                    states: chain.len(),
                    limit: MAX_STEADY_START_STATES,
                });
            }
            chain.steady_state()
        }
    };
    Ok((Uniformized::new(&chain), start))
}

/// The window figures of a uniformized chain from `start`.
fn window_of(
    chain: &Uniformized,
    start: &[f64],
    settings: WindowSettings,
) -> Result<Window, TransientError> {
    let hours = settings.hours;
    let steps = occupation::steps_for(chain, hours);
    let work = |layers: usize| work(chain, steps, layers);
    let budget = settings.budget_hours.map(|b| b.min(hours));
    let mut layers = occupation::layers_for(chain, budget.unwrap_or(0.0)).max(8);
    check_work(chain, steps, layers, settings.work_limit)?;
    let quantile_limit = MAX_QUANTILE_WORK.min(settings.work_limit);
    let mut table = StepTable::new(chain, start, layers, steps, hours);
    let (breach_probability, breach_error_bound) = match budget {
        Some(budget) => {
            let (value, bound) = table.exceedance(budget);
            (Some(value), Some(bound + step_bound()))
        }
        None => (None, None),
    };
    // Quantiles: grow the layers (doubling) until the table covers the 99.9th percentile, as
    // far as the work limit allows.
    let mut covered = table.covered_downtime();
    while table.exceedance(covered).0 > 1e-3 && covered < hours {
        let more = layers * 2;
        if work(more) > quantile_limit {
            break;
        }
        layers = more;
        table = StepTable::new(chain, start, layers, steps, hours);
        covered = table.covered_downtime();
    }
    if settings.start == WindowStart::New {
        // The mean integrates P(D > x) over [0, T]: grow the table until what lies past it
        // cannot matter.
        while (hours - covered) * table.exceedance(covered).0 > 1e-12 * hours {
            let more = layers * 2;
            if work(more) > quantile_limit {
                break;
            }
            layers = more;
            table = StepTable::new(chain, start, layers, steps, hours);
            covered = table.covered_downtime();
        }
    }
    let quantile = |p: f64| -> Option<f64> {
        let q = 1.0 - p;
        if table.exceedance(0.0).0 <= q {
            return Some(0.0);
        }
        if table.exceedance(covered).0 > q {
            return None;
        }
        let (mut low, mut high) = (0.0, covered);
        for _ in 0..60 {
            let middle = 0.5 * (low + high);
            if table.exceedance(middle).0 > q {
                low = middle;
            } else {
                high = middle;
            }
            if high - low <= 1e-7 * high {
                break;
            }
        }
        Some(high)
    };
    let mean = match settings.start {
        // In the steady state every instant is down with probability U: E[D(T)] = U·T.
        WindowStart::Steady => {
            let u: f64 = chain.down_states.iter().map(|state| start[*state]).sum();
            Some(u * hours)
        }
        WindowStart::New => mean_by_integration(&table, covered, hours),
    };
    let downtime_hours = DowntimeQuantiles {
        p50: quantile(0.5),
        p90: quantile(0.9),
        p99: quantile(0.99),
        p99_9: quantile(0.999),
        mean,
    };
    let chart_end = [budget, downtime_hours.p99, downtime_hours.p99_9]
        .into_iter()
        .flatten()
        .fold(0.0, f64::max)
        .max(1.0 / 60.0)
        * 1.5;
    let chart_end = chart_end.min(covered);
    let exceedance = (0..=100)
        .map(|i| {
            let x = chart_end * i as f64 / 100.0;
            (x, table.exceedance(x).0)
        })
        .collect();
    Ok(Window {
        settings,
        breach_probability,
        breach_error_bound,
        downtime_hours,
        states: chain.len(),
        exceedance,
        table,
    })
}

/// The bound on the step truncation (P(Poisson(Λ_U·T) > steps) ≤ 1e-30).
fn step_bound() -> f64 {
    1e-30
}

/// E[D(T)] = ∫₀ᵀ P(D(T) > x) dx by adaptive Simpson over [0, covered]; the rest is at most
/// (T − covered)·P(D(T) > covered); `None` when that could matter (above 1e-9 of the mean).
fn mean_by_integration(table: &StepTable, covered: f64, hours: f64) -> Option<f64> {
    let f = |x: f64| table.exceedance(x).0;
    /// Adaptive Simpson on [a, b] with f at a, the middle and b, and the whole-panel estimate.
    fn simpson(
        f: &dyn Fn(f64) -> f64,
        (a, b): (f64, f64),
        (fa, fm, fb): (f64, f64, f64),
        whole: f64,
        tolerance: f64,
        depth: u32,
    ) -> f64 {
        let m = 0.5 * (a + b);
        let (flm, frm) = (f(0.5 * (a + m)), f(0.5 * (m + b)));
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        if depth == 0 || (left + right - whole).abs() <= 15.0 * tolerance {
            return left + right + (left + right - whole) / 15.0;
        }
        simpson(f, (a, m), (fa, flm, fm), left, tolerance / 2.0, depth - 1)
            + simpson(f, (m, b), (fm, frm, fb), right, tolerance / 2.0, depth - 1)
    }
    // Just above 0: P(D > x) is continuous on (0, T] but jumps at 0 (the atom P(D = 0)).
    let a = covered * 1e-12;
    let (fa, fm, fb) = (f(a), f(0.5 * (a + covered)), f(covered));
    let whole = (covered - a) / 6.0 * (fa + 4.0 * fm + fb);
    let tolerance = (whole.abs() * 1e-9).max(1e-300);
    let integral = simpson(&f, (a, covered), (fa, fm, fb), whole, tolerance, 40) + a * fa;
    let rest = (hours - covered) * fb;
    (rest <= 1e-9 * integral).then_some(integral)
}

#[cfg(test)]
mod tests;

/// Whether every time in the model is exponential. Unlike the steady state (which depends on
/// means only, outside crew and standby blocks), every time measure here depends on the
/// distributions: with other distributions they are the figures of the exponential model with
/// the same means.
pub fn all_times_exponential(model: &Model) -> bool {
    let components = model
        .components
        .iter()
        .all(|c| c.failure_dist.is_exponential() && c.repair_dist.is_exponential());
    let blocks = model.blocks.iter().all(|block| match &block.kind {
        crate::model::BlockKind::Standby(rules) => {
            rules.failover_dist.is_exponential()
                || (rules.failover_hours == 0.0 && rules.coverage >= 1.0)
        }
        _ => true,
    });
    components && blocks
}
