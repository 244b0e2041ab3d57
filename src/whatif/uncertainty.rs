//! What we don't know, carried to the answer: the figures known only from a few incidents
//! (`evidence`) or from expert ranges (`uncertainty`) are sampled, each sample of the model is
//! solved exactly, and the spread of the system's unavailability says how sure the answer is.
//!
//! # Formula
//! - Evidence of n failures in exposure T: λ has the gamma posterior of Jeffreys' prior,
//!   λ ~ Gamma(shape n + ½, rate T) (mean (n + ½)/T), or of the uniform prior
//!   (`prior = "uniform"`), Gamma(n + 1, T).
//! - Evidence of repair times t₁…t_m (m ≥ 2): log-normal repair times with the standard
//!   noninformative prior p(μ, σ²) ∝ 1/σ², whose posterior is σ² ~ (m − 1)s² / χ²(m − 1) and
//!   μ | σ² ~ N(ȳ, σ²/m), with ȳ and s² the mean and variance of ln tᵢ; the MTTR is the
//!   log-normal mean exp(μ + σ²/2).
//! - A 90 % range [a, b] of a figure: log-normal with its 5th and 95th percentiles at a and b,
//!   ln X ~ N((ln a + ln b)/2, ((ln b − ln a)/(2 · 1.644854))²).
//! - A 90 % range [a, b] of a probability (a block's coverage or common-cause β): the beta
//!   distribution with its 5th and 95th percentiles at a and b ([`beta_from_range`]).
//!
//! Samples are a Latin hypercube over every uncertain dimension (one stratum per sample and
//! dimension, strata in a random order), so that 10,000 samples cover each figure's whole
//! range evenly. A figure's value applies to every copy of its component: the rate is unknown,
//! not random from copy to copy.

use crate::model::{BlockKind, Model, Prior};
use crate::simulate::stats::wilson;
use crate::solve::SolveError;
use crate::solve::structure::Solver;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use statrs::distribution::{Beta, ChiSquared, ContinuousCDF, Gamma, Normal};

/// Which figure a parameter is: of a component (MTBF, MTTR) or of a block (coverage, β).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Mean time between failures of a component.
    Mtbf,
    /// Mean time to repair of a component.
    Mttr,
    /// Coverage of a standby block's automatic failover.
    Coverage,
    /// β of a block's common-cause model.
    CommonCauseBeta,
}

/// The distribution a parameter is drawn from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Law {
    /// λ ~ Gamma(shape, rate); the figure is MTBF = 1/λ.
    FailureRate { shape: f64, rate: f64 },
    /// The log-normal repair-time posterior: m repair times, mean ȳ and sum of squares of
    /// their logarithms; the figure is the MTTR.
    RepairMean {
        count: f64,
        mean_log: f64,
        squares: f64,
    },
    /// The figure is log-normal: ln X ~ N(mu, sigma²).
    LogNormal { mu: f64, sigma: f64 },
    /// The figure is a probability ~ Beta(alpha, beta).
    Beta { alpha: f64, beta: f64 },
}

/// One uncertain figure of one component or block.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its name, `component.NAME.mtbf` or `block.NAME.coverage` (the path `--set` takes).
    pub name: String,
    /// The component (an index into [`Model::components`]) for MTBF and MTTR, the block (an
    /// index into [`Model::blocks`]) for coverage and β.
    pub owner: usize,
    /// The figure.
    pub figure: Figure,
    law: Law,
}

/// The 95th percentile of the standard normal distribution, for 90 % ranges.
const Z_95: f64 = 1.644_853_626_951_472_2;

impl Parameter {
    /// How many uniform numbers a draw uses.
    fn dimensions(&self) -> usize {
        match self.law {
            Law::RepairMean { .. } => 2,
            _ => 1,
        }
    }

    /// The figure (hours for MTBF and MTTR, a probability otherwise) at the uniform numbers
    /// `u` (each in (0, 1)).
    fn value(&self, u: &[f64]) -> f64 {
        let normal = Normal::standard();
        match self.law {
            Law::FailureRate { shape, rate } => {
                let gamma = Gamma::new(shape, rate).expect("a positive shape and rate");
                1.0 / gamma.inverse_cdf(u[0])
            }
            Law::RepairMean {
                count,
                mean_log,
                squares,
            } => {
                let chi = ChiSquared::new(count - 1.0).expect("at least two repairs");
                let variance = squares / chi.inverse_cdf(u[0]);
                let mu = mean_log + (variance / count).sqrt() * normal.inverse_cdf(u[1]);
                (mu + variance / 2.0).exp()
            }
            Law::LogNormal { mu, sigma } => (mu + sigma * normal.inverse_cdf(u[0])).exp(),
            Law::Beta { alpha, beta } => Beta::new(alpha, beta)
                .expect("positive shapes")
                .inverse_cdf(u[0]),
        }
    }

    /// Sets the figure to `value` in `model`.
    fn apply(&self, model: &mut Model, value: f64) {
        match self.figure {
            Figure::Mtbf => model.components[self.owner].failure_rate = 1.0 / value,
            Figure::Mttr => model.components[self.owner].repair_rate = 1.0 / value,
            Figure::Coverage => {
                if let BlockKind::Standby(rules) = &mut model.blocks[self.owner].kind {
                    rules.coverage = value;
                }
            }
            Figure::CommonCauseBeta => model.blocks[self.owner].common_cause_beta = Some(value),
        }
    }
}

/// The beta distribution (α, β) whose 5th and 95th percentiles are `low` and `high`
/// (0 < low < high < 1): an expert's 90 % range of a probability.
///
/// # Method
/// With mean m = α/(α+β) and concentration κ = α + β, the 5th percentile grows with m at
/// fixed κ, and once m(κ) is chosen so that it equals `low`, the 95th percentile falls from 1
/// towards `low` as κ grows. Two nested bisections (m on (0, 1), ln κ on [ln 10⁻³, ln 10⁸])
/// find the pair, to about 1e-12 in each percentile.
pub(crate) fn beta_from_range(low: f64, high: f64) -> (f64, f64) {
    let quantile = |m: f64, kappa: f64, p: f64| {
        Beta::new(m * kappa, (1.0 - m) * kappa)
            .expect("positive shapes")
            .inverse_cdf(p)
    };
    let mean_for = |kappa: f64| {
        let (mut a, mut b) = (1e-12, 1.0 - 1e-12);
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if quantile(m, kappa, 0.05) < low {
                a = m;
            } else {
                b = m;
            }
            if b - a < 1e-15 {
                break;
            }
        }
        0.5 * (a + b)
    };
    let (mut a, mut b) = (1e-3f64.ln(), 1e8f64.ln());
    for _ in 0..200 {
        let mid = 0.5 * (a + b);
        let kappa = mid.exp();
        if quantile(mean_for(kappa), kappa, 0.95) > high {
            a = mid;
        } else {
            b = mid;
        }
        if b - a < 1e-13 {
            break;
        }
    }
    let kappa = (0.5 * (a + b)).exp();
    let m = mean_for(kappa);
    (m * kappa, (1.0 - m) * kappa)
}

/// The uncertain figures of `model`, in component order: MTBF then MTTR of each.
pub fn parameters(model: &Model) -> Vec<Parameter> {
    let mut parameters = Vec::new();
    for (index, component) in model.components.iter().enumerate() {
        let ranges = component.ranges.unwrap_or_default();
        let range_law = |(low, high): (f64, f64)| Law::LogNormal {
            mu: (low.ln() + high.ln()) / 2.0,
            sigma: (high.ln() - low.ln()) / (2.0 * Z_95),
        };
        let mtbf = match (&component.evidence, ranges.mtbf) {
            (Some(evidence), _) => Some(Law::FailureRate {
                shape: evidence.failures as f64
                    + match evidence.prior {
                        Prior::Jeffreys => 0.5,
                        Prior::Uniform => 1.0,
                    },
                rate: evidence.exposure_hours,
            }),
            (None, Some(range)) => Some(range_law(range)),
            (None, None) => None,
        };
        let repairs = component
            .evidence
            .as_ref()
            .map(|evidence| evidence.repair_hours.as_slice())
            .unwrap_or_default();
        let mttr = if repairs.len() >= 2 {
            let count = repairs.len() as f64;
            let mean_log = repairs.iter().map(|t| t.ln()).sum::<f64>() / count;
            let squares = repairs.iter().map(|t| (t.ln() - mean_log).powi(2)).sum();
            (squares > 0.0).then_some(Law::RepairMean {
                count,
                mean_log,
                squares,
            })
        } else {
            ranges.mttr.map(range_law)
        };
        for (figure, law, key) in [(Figure::Mtbf, mtbf, "mtbf"), (Figure::Mttr, mttr, "mttr")] {
            if let Some(law) = law {
                parameters.push(Parameter {
                    name: format!("component.{}.{key}", component.name),
                    owner: index,
                    figure,
                    law,
                });
            }
        }
    }
    for (index, block) in model.blocks.iter().enumerate() {
        let ranges = block.ranges.unwrap_or_default();
        for (figure, range, key) in [
            (Figure::Coverage, ranges.coverage, "coverage"),
            (
                Figure::CommonCauseBeta,
                ranges.common_cause_beta,
                "common_cause_beta",
            ),
        ] {
            if let Some((low, high)) = range {
                let (alpha, beta) = beta_from_range(low, high);
                parameters.push(Parameter {
                    name: format!("block.{}.{key}", block.name),
                    owner: index,
                    figure,
                    law: Law::Beta { alpha, beta },
                });
            }
        }
    }
    parameters
}

/// How to sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Samples of the model.
    pub samples: usize,
    /// Seed of the Latin hypercube; the same seed gives the same numbers on any threads.
    pub seed: u64,
    /// Threads to solve on (0: all cores).
    pub threads: usize,
}

/// Samples taken unless asked otherwise (`check --confidence` and `report` always take them).
pub const DEFAULT_SAMPLES: usize = 10_000;

/// The seed used unless asked otherwise: the analysis is reproducible by default.
pub const DEFAULT_SEED: u64 = 1;

impl Default for Settings {
    /// [`DEFAULT_SAMPLES`] samples from [`DEFAULT_SEED`] on every core.
    fn default() -> Self {
        Self {
            samples: DEFAULT_SAMPLES,
            seed: DEFAULT_SEED,
            threads: 0,
        }
    }
}

/// Mean and percentiles of a sampled quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The mean.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// How strongly one parameter drives the spread of the unavailability.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The parameter's name.
    pub parameter: String,
    /// Spearman's rank correlation between the parameter and U, in [−1, 1].
    pub index: f64,
}

/// The probability that the target is met, with its 95 % interval.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOdds {
    /// The target as written.
    pub text: String,
    /// The share of samples with U at or below the target's.
    pub probability: f64,
    /// Its 95 % Wilson interval.
    pub interval: (f64, f64),
}

/// The result of an uncertainty analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    /// The uncertain figures, in order.
    pub parameters: Vec<Parameter>,
    /// U over the samples.
    pub unavailability: Summary,
    /// The nines over the samples (the percentiles of −log₁₀ U).
    pub nines: Summary,
    /// Downtime per year, minutes.
    pub downtime_minutes: Summary,
    /// The odds of meeting the target, when the model has one.
    pub target: Option<TargetOdds>,
    /// The parameters by the strength of their rank correlation with U, strongest first.
    pub drivers: Vec<Driver>,
    /// Every sample's U, in sample order (for charts).
    pub samples: Vec<f64>,
    /// The settings used.
    pub settings: Settings,
}

/// Samples the uncertain figures of `model` and solves each sample.
///
/// # Errors
/// [`SolveError`] when a sample cannot be solved exactly.
pub fn uncertainty(model: &Model, settings: Settings) -> Result<Uncertainty, SolveError> {
    let parameters = parameters(model);
    let points = latin_hypercube(&parameters, settings.samples, settings.seed);
    let solve_one = |point: &Vec<f64>| -> Result<(Vec<f64>, f64), SolveError> {
        let mut sample = model.clone();
        let mut values = Vec::with_capacity(parameters.len());
        let mut offset = 0;
        for parameter in &parameters {
            let value = parameter.value(&point[offset..offset + parameter.dimensions()]);
            offset += parameter.dimensions();
            parameter.apply(&mut sample, value);
            values.push(value);
        }
        let u = Solver::new(&sample).solve_block(sample.top)?.unavailability;
        Ok((values, u))
    };
    let solved: Result<Vec<(Vec<f64>, f64)>, SolveError> = match rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
    {
        Ok(pool) => pool.install(|| points.par_iter().map(solve_one).collect()),
        Err(_) => points.iter().map(solve_one).collect(),
    };
    let solved = solved?;
    let samples: Vec<f64> = solved.iter().map(|(_, u)| *u).collect();
    let mut drivers: Vec<Driver> = parameters
        .iter()
        .enumerate()
        .map(|(index, parameter)| {
            let values: Vec<f64> = solved.iter().map(|(v, _)| v[index]).collect();
            Driver {
                parameter: parameter.name.clone(),
                index: spearman(&values, &samples),
            }
        })
        .collect();
    drivers.sort_by(|a, b| b.index.abs().total_cmp(&a.index.abs()));
    let target = model.target.as_ref().map(|target| {
        let met = samples
            .iter()
            .filter(|u| **u <= target.unavailability)
            .count() as u64;
        TargetOdds {
            text: target.text.clone(),
            probability: met as f64 / samples.len().max(1) as f64,
            interval: wilson(met, samples.len() as u64, 0.95),
        }
    });
    let nines: Vec<f64> = samples.iter().map(|u| crate::solve::nines_of(*u)).collect();
    let minutes: Vec<f64> = samples
        .iter()
        .map(|u| u * crate::format::HOURS_PER_YEAR * 60.0)
        .collect();
    Ok(Uncertainty {
        unavailability: summary(&samples),
        nines: summary(&nines),
        downtime_minutes: summary(&minutes),
        target,
        drivers,
        samples,
        parameters,
        settings,
    })
}

/// `samples` points of a Latin hypercube over every dimension of `parameters`: in each
/// dimension, sample i falls in stratum π(i) of `samples` equal strata, at a uniform place in
/// it, with π a random permutation. Generated in one sequence from `seed`.
fn latin_hypercube(parameters: &[Parameter], samples: usize, seed: u64) -> Vec<Vec<f64>> {
    let dimensions: usize = parameters.iter().map(Parameter::dimensions).sum();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut points = vec![Vec::with_capacity(dimensions); samples];
    for _ in 0..dimensions {
        let mut strata: Vec<usize> = (0..samples).collect();
        // Fisher–Yates.
        for i in (1..samples).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        for (point, stratum) in points.iter_mut().zip(strata) {
            // In (0, 1): never exactly 0 or 1, where inverse CDFs are infinite.
            let offset: f64 = rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12);
            point.push((stratum as f64 + offset) / samples as f64);
        }
    }
    points
}

/// Mean and percentiles (linear interpolation between order statistics, type 7).
fn summary(values: &[f64]) -> Summary {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let quantile = |p: f64| {
        if sorted.is_empty() {
            return f64::NAN;
        }
        let position = p * (sorted.len() - 1) as f64;
        let (low, high) = (position.floor() as usize, position.ceil() as usize);
        let fraction = position - low as f64;
        if fraction == 0.0 {
            sorted[low]
        } else {
            sorted[low] + fraction * (sorted[high] - sorted[low])
        }
    };
    Summary {
        mean: values.iter().sum::<f64>() / values.len().max(1) as f64,
        p5: quantile(0.05),
        p50: quantile(0.5),
        p95: quantile(0.95),
    }
}

/// Spearman's rank correlation: Pearson's correlation of the ranks (ties share their mean
/// rank); 0 when either side is constant.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// 1-based ranks, ties given the mean of the ranks they span.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && values[order[end + 1]] == values[order[start]] {
            end += 1;
        }
        let rank = (start + end) as f64 / 2.0 + 1.0;
        for index in &order[start..=end] {
            ranks[*index] = rank;
        }
        start = end + 1;
    }
    ranks
}

#[cfg(test)]
mod tests;
