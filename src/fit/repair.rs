//! Repair-time distributions fitted by maximum likelihood, with right-censored times (repairs
//! still running at the end of the observation) counted through their survival probability.
//!
//! # Formula
//! For times t_i in hours, δ_i = 1 when the repair was seen to end and 0 when censored:
//! ℓ = Σ δ_i ln f(t_i) + Σ (1 − δ_i) ln S(t_i), AIC = 2p − 2ℓ with p parameters.
//! - exponential (mean m): m̂ = Σ t_i / d, d = Σ δ_i;
//! - log-normal (μ, σ of ln t): without censoring μ̂ = mean of ln t, σ̂² = mean of (ln t − μ̂)²;
//! - Weibull (shape k, scale λ): λ^k = Σ t_i^k / d and k solves
//!   Σ t_i^k ln t_i / Σ t_i^k − 1/k − (1/d) Σ δ_i ln t_i = 0 (increasing in k);
//! - gamma (shape a, scale θ): without censoring θ = t̄/a and a solves
//!   ln a − ψ(a) = ln t̄ − mean(ln t) (decreasing in a).
//!
//! With censoring, the log-normal and gamma likelihoods have no closed form: they are
//! maximised by a simplex search started from the fit to the completed repairs.

use super::simplex::maximise;
use statrs::function::erf::erfc;
use statrs::function::gamma::{digamma, gamma_lr, gamma_ur, ln_gamma};

/// One observed repair time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Hours from failure to repair, or to the end of the observation when censored.
    pub hours: f64,
    /// Whether the repair was still running at the end of the observation.
    pub censored: bool,
}

/// The distributions fitted, named as in the model format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// One parameter: the mean.
    Exponential,
    /// μ and σ of the logarithm of the time.
    LogNormal,
    /// Shape k and scale λ.
    Weibull,
    /// Shape a and scale θ.
    Gamma,
}

impl Family {
    /// The name as written in a model's `repair_dist`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exponential => "exponential",
            Self::LogNormal => "lognormal",
            Self::Weibull => "weibull",
            Self::Gamma => "gamma",
        }
    }
}

/// A fitted distribution: its parameters and how well it fits.
#[derive(Debug, Clone, PartialEq)]
pub struct RepairFit {
    /// The distribution.
    pub family: Family,
    /// Parameter names and values (hours for scales and means).
    pub parameters: Vec<(&'static str, f64)>,
    /// ℓ, the log-likelihood of the repair times in hours.
    pub log_likelihood: f64,
    /// Akaike's information criterion, 2p − 2ℓ.
    pub aic: f64,
    /// The Kolmogorov–Smirnov distance between the fitted CDF and the empirical one
    /// (Kaplan–Meier when some times are censored).
    pub ks: f64,
    /// The fitted mean, hours.
    pub mean_hours: f64,
}

impl RepairFit {
    /// The fitted CDF at `hours`.
    pub fn cdf(&self, hours: f64) -> f64 {
        let value = |name: &str| {
            self.parameters
                .iter()
                .find(|(key, _)| *key == name)
                .map_or(f64::NAN, |(_, value)| *value)
        };
        Shape::of(self.family, value).cdf(hours)
    }

    /// The shape parameter as the model format writes it (`sigma` for log-normal, `shape`
    /// for Weibull and gamma), if the distribution has one.
    pub fn shape_parameter(&self) -> Option<(&'static str, f64)> {
        let key = match self.family {
            Family::Exponential => return None,
            Family::LogNormal => "sigma",
            Family::Weibull | Family::Gamma => "shape",
        };
        self.parameters
            .iter()
            .copied()
            .find(|(name, _)| *name == key)
    }
}

/// A distribution with its parameters, for densities and CDFs.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Exponential { mean: f64 },
    LogNormal { mu: f64, sigma: f64 },
    Weibull { shape: f64, scale: f64 },
    Gamma { shape: f64, scale: f64 },
}

impl Shape {
    fn of(family: Family, value: impl Fn(&str) -> f64) -> Self {
        match family {
            Family::Exponential => Self::Exponential {
                mean: value("mean"),
            },
            Family::LogNormal => Self::LogNormal {
                mu: value("mu"),
                sigma: value("sigma"),
            },
            Family::Weibull => Self::Weibull {
                shape: value("shape"),
                scale: value("scale"),
            },
            Family::Gamma => Self::Gamma {
                shape: value("shape"),
                scale: value("scale"),
            },
        }
    }

    fn ln_density(self, t: f64) -> f64 {
        match self {
            Self::Exponential { mean } => -mean.ln() - t / mean,
            Self::LogNormal { mu, sigma } => {
                let z = (t.ln() - mu) / sigma;
                -t.ln() - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
            }
            Self::Weibull { shape, scale } => {
                let x = t / scale;
                shape.ln() - scale.ln() + (shape - 1.0) * x.ln() - x.powf(shape)
            }
            Self::Gamma { shape, scale } => {
                (shape - 1.0) * t.ln() - t / scale - ln_gamma(shape) - shape * scale.ln()
            }
        }
    }

    fn ln_survival(self, t: f64) -> f64 {
        match self {
            Self::Exponential { mean } => -t / mean,
            Self::LogNormal { mu, sigma } => {
                (0.5 * erfc((t.ln() - mu) / (sigma * std::f64::consts::SQRT_2))).ln()
            }
            Self::Weibull { shape, scale } => -(t / scale).powf(shape),
            Self::Gamma { shape, scale } => gamma_ur(shape, t / scale).ln(),
        }
    }

    fn cdf(self, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        match self {
            Self::Exponential { mean } => -(-t / mean).exp_m1(),
            Self::LogNormal { mu, sigma } => {
                0.5 * erfc(-(t.ln() - mu) / (sigma * std::f64::consts::SQRT_2))
            }
            Self::Weibull { shape, scale } => -(-(t / scale).powf(shape)).exp_m1(),
            Self::Gamma { shape, scale } => gamma_lr(shape, t / scale),
        }
    }

    fn log_likelihood(self, data: &[Observation]) -> f64 {
        if let Self::Gamma { shape, scale } = self {
            // ln Γ(a) + a ln θ once, not per observation.
            let constant = ln_gamma(shape) + shape * scale.ln();
            return data
                .iter()
                .map(|o| {
                    if o.censored {
                        self.ln_survival(o.hours)
                    } else {
                        (shape - 1.0) * o.hours.ln() - o.hours / scale - constant
                    }
                })
                .sum();
        }
        data.iter()
            .map(|o| {
                if o.censored {
                    self.ln_survival(o.hours)
                } else {
                    self.ln_density(o.hours)
                }
            })
            .sum()
    }

    fn mean(self) -> f64 {
        match self {
            Self::Exponential { mean } => mean,
            Self::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Self::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Self::Gamma { shape, scale } => shape * scale,
        }
    }

    fn parameters(self) -> Vec<(&'static str, f64)> {
        match self {
            Self::Exponential { mean } => vec![("mean", mean)],
            Self::LogNormal { mu, sigma } => vec![("mu", mu), ("sigma", sigma)],
            Self::Weibull { shape, scale } | Self::Gamma { shape, scale } => {
                vec![("shape", shape), ("scale", scale)]
            }
        }
    }

    fn family(self) -> Family {
        match self {
            Self::Exponential { .. } => Family::Exponential,
            Self::LogNormal { .. } => Family::LogNormal,
            Self::Weibull { .. } => Family::Weibull,
            Self::Gamma { .. } => Family::Gamma,
        }
    }
}

/// Fits the four distributions to `data`. The exponential needs one completed repair; the
/// two-parameter distributions need two distinct completed repair times. Fits are in the
/// order exponential, log-normal, Weibull, gamma.
pub fn fit_repairs(data: &[Observation]) -> Vec<RepairFit> {
    let completed: Vec<f64> = data
        .iter()
        .filter(|o| !o.censored)
        .map(|o| o.hours)
        .collect();
    if completed.is_empty() || data.iter().any(|o| !(o.hours > 0.0 && o.hours.is_finite())) {
        return Vec::new();
    }
    let total: f64 = data.iter().map(|o| o.hours).sum();
    let mut shapes = vec![Shape::Exponential {
        mean: total / completed.len() as f64,
    }];
    let distinct = completed.iter().any(|t| *t != completed[0]);
    if distinct {
        shapes.push(log_normal(data, &completed));
        shapes.extend(weibull(data, &completed));
        shapes.extend(gamma(data, &completed));
    }
    let empirical = empirical_cdf(data);
    shapes
        .into_iter()
        .filter_map(|shape| {
            let log_likelihood = shape.log_likelihood(data);
            let parameters = shape.parameters();
            let finite = log_likelihood.is_finite() && parameters.iter().all(|p| p.1.is_finite());
            finite.then(|| RepairFit {
                family: shape.family(),
                aic: 2.0 * parameters.len() as f64 - 2.0 * log_likelihood,
                ks: ks_distance(&empirical, |t| shape.cdf(t)),
                mean_hours: shape.mean(),
                parameters,
                log_likelihood,
            })
        })
        .collect()
}

/// Log-normal: closed form on the completed repairs, then the censored likelihood maximised
/// over (μ, ln σ) when some are censored.
fn log_normal(data: &[Observation], completed: &[f64]) -> Shape {
    let n = completed.len() as f64;
    let mu = completed.iter().map(|t| t.ln()).sum::<f64>() / n;
    let sigma = (completed.iter().map(|t| (t.ln() - mu).powi(2)).sum::<f64>() / n).sqrt();
    if completed.len() == data.len() {
        return Shape::LogNormal { mu, sigma };
    }
    let [mu, ln_sigma] = maximise(
        |[mu, ln_sigma]| {
            Shape::LogNormal {
                mu,
                sigma: ln_sigma.exp(),
            }
            .log_likelihood(data)
        },
        [mu, sigma.ln()],
        [sigma.max(0.1), 0.3],
    );
    Shape::LogNormal {
        mu,
        sigma: ln_sigma.exp(),
    }
}

/// Weibull: the profile equation in k solved by bisection on ln k (exact with censoring).
fn weibull(data: &[Observation], completed: &[f64]) -> Option<Shape> {
    let d = completed.len() as f64;
    // Times scaled by the largest, so t^k cannot overflow; the equation is scale-free.
    let largest = data.iter().map(|o| o.hours).fold(0.0, f64::max);
    let scaled: Vec<f64> = data.iter().map(|o| o.hours / largest).collect();
    let mean_log_completed = completed.iter().map(|t| (t / largest).ln()).sum::<f64>() / d;
    let equation = |k: f64| {
        let (mut weighted, mut total) = (0.0, 0.0);
        for t in &scaled {
            let power = t.powf(k);
            weighted += power * t.ln();
            total += power;
        }
        weighted / total - 1.0 / k - mean_log_completed
    };
    let k = bisect_increasing(equation, 1e-3, 1e3)?;
    let sum: f64 = scaled.iter().map(|t| t.powf(k)).sum();
    Some(Shape::Weibull {
        shape: k,
        scale: largest * (sum / d).powf(1.0 / k),
    })
}

/// Gamma: the profile equation in a by bisection without censoring; with censoring, the
/// likelihood maximised over (ln a, ln θ) from there.
fn gamma(data: &[Observation], completed: &[f64]) -> Option<Shape> {
    let n = completed.len() as f64;
    let mean = completed.iter().sum::<f64>() / n;
    let mean_log = completed.iter().map(|t| t.ln()).sum::<f64>() / n;
    let target = mean.ln() - mean_log; // > 0 by Jensen when the times differ
    let shape = bisect_increasing(|a: f64| target - (a.ln() - digamma(a)), 1e-4, 1e7)?;
    let uncensored = Shape::Gamma {
        shape,
        scale: mean / shape,
    };
    if completed.len() == data.len() {
        return Some(uncensored);
    }
    let [ln_shape, ln_scale] = maximise(
        |[ln_shape, ln_scale]| {
            Shape::Gamma {
                shape: ln_shape.exp(),
                scale: ln_scale.exp(),
            }
            .log_likelihood(data)
        },
        [shape.ln(), (mean / shape).ln()],
        [0.3, 0.3],
    );
    Some(Shape::Gamma {
        shape: ln_shape.exp(),
        scale: ln_scale.exp(),
    })
}

/// The root of an increasing function between `low` and `high` (searched on a log scale);
/// `None` when it has no sign change there.
fn bisect_increasing(f: impl Fn(f64) -> f64, low: f64, high: f64) -> Option<f64> {
    let (mut low, mut high) = (low.ln(), high.ln());
    if !(f(low.exp()) < 0.0 && f(high.exp()) > 0.0) {
        return None;
    }
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle == low || middle == high {
            break;
        }
        if f(middle.exp()) < 0.0 {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some((0.5 * (low + high)).exp())
}

/// The empirical CDF as (time, value just before, value at) for each distinct completed time,
/// by Kaplan–Meier (the plain step function when nothing is censored), and the largest time.
pub fn empirical_cdf(data: &[Observation]) -> Vec<(f64, f64, f64)> {
    let mut sorted = data.to_vec();
    // Completed before censored at equal times: a repair censored at t was running at t.
    sorted.sort_by(|a, b| {
        a.hours
            .total_cmp(&b.hours)
            .then(a.censored.cmp(&b.censored))
    });
    let mut at_risk = sorted.len() as f64;
    let mut survival = 1.0;
    let mut steps = Vec::new();
    let mut index = 0;
    while index < sorted.len() {
        let time = sorted[index].hours;
        let (mut ended, mut leaving) = (0.0, 0.0);
        while index < sorted.len() && sorted[index].hours == time {
            if !sorted[index].censored {
                ended += 1.0;
            }
            leaving += 1.0;
            index += 1;
        }
        if ended > 0.0 {
            let before = 1.0 - survival;
            survival *= 1.0 - ended / at_risk;
            steps.push((time, before, 1.0 - survival));
        }
        at_risk -= leaving;
    }
    steps
}

/// sup |F̂(t) − F(t)| over the jumps of the empirical CDF, both sides of each jump.
fn ks_distance(empirical: &[(f64, f64, f64)], cdf: impl Fn(f64) -> f64) -> f64 {
    empirical
        .iter()
        .map(|(time, before, at)| {
            let model = cdf(*time);
            (model - before).abs().max((model - at).abs())
        })
        .fold(0.0, f64::max)
}

/// The fit with the smallest AIC.
pub fn best(fits: &[RepairFit]) -> Option<&RepairFit> {
    fits.iter().min_by(|a, b| a.aic.total_cmp(&b.aic))
}

#[cfg(test)]
mod tests;
