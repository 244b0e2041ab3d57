//! Random durations for the simulator: one [`Sampler`] per (distribution, mean) pair.
//!
//! Every simulated failure, repair and failover draws one duration, so drawing is the hot path
//! of the event loop. [`Sampler::new`] does all the parameter work once (scales, logarithms,
//! the Marsaglia–Tsang constants) and [`Sampler::sample`] is a single cheap `match`.
//!
//! The mean always comes from the model (MTBF, MTTR, failover time), so that the simulation and
//! the exact solver agree on it; the [`TimeDist`] only chooses the shape around that mean.

use crate::model::TimeDist;
use rand::Rng;
use rand_distr::{Distribution, Exp1, Open01, StandardNormal};
use statrs::function::erf::erfc;
use statrs::function::gamma::{gamma_lr, ln_gamma};

/// P(a, x), the regularised lower incomplete gamma function; 1 for x = ∞, 0 for x = 0.
fn lower_gamma_regularized(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x.is_infinite() {
        1.0
    } else {
        gamma_lr(a, x)
    }
}

/// Φ(z), the standard normal CDF, without cancellation in either tail.
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Draws durations with a given distribution shape and mean (hours).
///
/// # Formula
///
/// With m the mean, E ~ Exp(1), Z ~ N(0, 1):
///
/// ```text
/// exponential  m · E                                   (rate 1/m)
/// weibull      s · E^(1/k) = exp(ln s + ln(E)/k)       (shape k, scale s = m / Γ(1 + 1/k))
/// lognormal    exp(μ + σ·Z)                            (μ = ln m − σ²/2)
/// gamma        Marsaglia–Tsang                         (shape k, scale m/k)
/// fixed        m
/// ```
///
/// The Weibull draw is the inverse transform s·(−ln U)^(1/k), with −ln U (an Exp(1) variate)
/// drawn by rand_distr's ziggurat instead of computed: one `ln` fewer per draw and no `powf`
/// (about 1.3× faster than the uniform form and 1.6× faster than `rand_distr::Weibull`; see
/// `benches/sample.rs`).
///
/// When 0 < m < ∞, every draw is finite and strictly positive: draws that would underflow to 0
/// or overflow to ∞ (possible only with extreme shapes, means near the `f64` limits, or the
/// ziggurat's 2⁻⁵³-probability tail cases) are clamped to `[f64::MIN_POSITIVE, f64::MAX]`.
/// A zero-length failure time would make the event loop spin.
///
/// ```
/// use nines::model::TimeDist;
/// use nines::simulate::sample::Sampler;
/// use rand::SeedableRng;
/// use rand_xoshiro::Xoshiro256PlusPlus;
///
/// let repair = Sampler::new(TimeDist::Weibull { shape: 1.5 }, 4.0);
/// let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
/// let hours = repair.sample(&mut rng);
/// assert!(hours > 0.0 && hours.is_finite());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Sampler {
    /// m, hours.
    mean: f64,
    /// What `sample` does, with its precomputed constants.
    kind: Kind,
}

/// The sampling method and its constants; every field is derived once in [`Sampler::new`].
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Returns the mean without touching the RNG: `fixed`, and every shape when m = 0 or ∞.
    Constant,
    /// mean · E (also Weibull and gamma with shape 1, which are the same distribution).
    Exponential,
    /// exp(ln_scale + ln(E) · inv_shape).
    Weibull { inv_shape: f64, ln_scale: f64 },
    /// exp(mu + sigma · Z).
    LogNormal { mu: f64, sigma: f64 },
    /// Marsaglia–Tsang; see [`MarsagliaTsang`].
    Gamma(MarsagliaTsang),
}

/// Constants of the Marsaglia–Tsang gamma sampler (ACM TOMS 26(3), 2000).
///
/// # Formula
///
/// For shape a ≥ 1: d = a − 1/3, c = 1/√(9d). Repeat: Z ~ N(0, 1), v = (1 + cZ)³ (retry if
/// ≤ 0), U ~ U(0, 1); accept d·v when U < 1 − 0.0331·Z⁴ (the squeeze, ~98 % of draws) or
/// ln U < Z²/2 + d·(1 − v + ln v). For shape k < 1 the sampler runs with a = k + 1 and the
/// result is multiplied by U′^(1/k) = exp(−E/k), E ~ Exp(1) (Gamma(k) = Gamma(k + 1)·U′^(1/k)).
///
/// This is the algorithm of `rand_distr::Gamma`, constants included; the one difference is
/// that boost, which `rand_distr` computes with `powf` on a uniform. Written out here because
/// it measured about twice as fast as `rand_distr::Gamma` (k = 0.5 and k = 2, see
/// `benches/sample.rs`). The tests check the draws against `rand_distr::Gamma` and against the
/// exact CDF.
#[derive(Debug, Clone, Copy)]
struct MarsagliaTsang {
    /// d = a − 1/3.
    d: f64,
    /// c = 1/√(9d).
    c: f64,
    /// d · scale, the factor applied to the accepted v.
    d_scale: f64,
    /// −1/k when k < 1 (the boost exponent), else 0 (no boost).
    neg_inv_shape: f64,
}

impl MarsagliaTsang {
    /// Constants for shape k and scale θ (mean kθ).
    fn new(shape: f64, scale: f64) -> MarsagliaTsang {
        let (a, neg_inv_shape) = if shape < 1.0 {
            (shape + 1.0, -1.0 / shape)
        } else {
            (shape, 0.0)
        };
        let d = a - 1.0 / 3.0;
        MarsagliaTsang {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            d_scale: d * scale,
            neg_inv_shape,
        }
    }

    /// The shape k the constants were made for.
    fn shape(&self) -> f64 {
        if self.neg_inv_shape < 0.0 {
            -1.0 / self.neg_inv_shape
        } else {
            self.d + 1.0 / 3.0
        }
    }

    /// One gamma variate (before clamping).
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let v = loop {
            let z: f64 = StandardNormal.sample(rng);
            let cube_root = 1.0 + self.c * z;
            if cube_root <= 0.0 {
                continue;
            }
            let v = cube_root * cube_root * cube_root;
            let u: f64 = Open01.sample(rng);
            let z2 = z * z;
            if u < 1.0 - 0.0331 * z2 * z2 || u.ln() < 0.5 * z2 + self.d * (1.0 - v + v.ln()) {
                break v;
            }
        };
        if self.neg_inv_shape < 0.0 {
            let e: f64 = Exp1.sample(rng);
            v * self.d_scale * (e * self.neg_inv_shape).exp()
        } else {
            v * self.d_scale
        }
    }
}

impl Sampler {
    /// A sampler of `dist`-shaped durations with mean `mean` hours.
    ///
    /// `mean` ≥ 0 and may be `f64::INFINITY` (the event never happens: [`Sampler::sample`]
    /// returns ∞) or 0 (the event is instantaneous: `sample` returns 0). Neither case, nor
    /// [`TimeDist::Fixed`], touches the RNG. Weibull and gamma with shape 1 are sampled as the
    /// exponential they equal.
    ///
    /// # Formula
    ///
    /// Weibull scale s = m / Γ(1 + 1/k), computed as ln s = ln m − ln Γ(1 + 1/k) so that small
    /// shapes do not overflow Γ; lognormal μ = ln m − σ²/2; gamma scale θ = m / k.
    ///
    /// # Panics
    ///
    /// If `mean` is negative or NaN, or a shape or σ is not finite and positive. The model
    /// loader rejects such values, so a panic here is a bug in the caller.
    pub fn new(dist: TimeDist, mean: f64) -> Sampler {
        assert!(mean >= 0.0, "mean duration must be ≥ 0 hours, got {mean}");
        let check_parameter = |name: &str, value: f64| {
            assert!(
                value.is_finite() && value > 0.0,
                "{name} must be finite and > 0, got {value}"
            );
        };
        let kind = match dist {
            TimeDist::Fixed => Kind::Constant,
            TimeDist::Exponential => Kind::Exponential,
            TimeDist::Weibull { shape } => {
                check_parameter("Weibull shape", shape);
                if shape == 1.0 {
                    Kind::Exponential
                } else {
                    Kind::Weibull {
                        inv_shape: 1.0 / shape,
                        ln_scale: mean.ln() - ln_gamma(1.0 + 1.0 / shape),
                    }
                }
            }
            TimeDist::LogNormal { sigma } => {
                check_parameter("log-normal sigma", sigma);
                Kind::LogNormal {
                    mu: mean.ln() - 0.5 * sigma * sigma,
                    sigma,
                }
            }
            TimeDist::Gamma { shape } => {
                check_parameter("gamma shape", shape);
                if shape == 1.0 {
                    Kind::Exponential
                } else {
                    Kind::Gamma(MarsagliaTsang::new(shape, mean / shape))
                }
            }
        };
        // Never and always-instantly need no randomness (and their constants above are ±∞).
        let kind = if mean == 0.0 || mean == f64::INFINITY {
            Kind::Constant
        } else {
            kind
        };
        Sampler { mean, kind }
    }

    /// The mean duration m, hours.
    pub(crate) fn mean(&self) -> f64 {
        self.mean
    }

    /// The rate 1/m when draws are exponential (0 for a duration that never ends), else
    /// None: importance sampling changes exponential failure rates and needs them.
    pub(crate) fn exponential_rate(&self) -> Option<f64> {
        match self.kind {
            Kind::Exponential => Some(1.0 / self.mean),
            Kind::Constant if self.mean == f64::INFINITY => Some(0.0),
            _ => None,
        }
    }

    /// Draws one duration, hours: finite and > 0 whenever 0 < mean < ∞.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let draw = match self.kind {
            Kind::Constant => return self.mean,
            Kind::Exponential => {
                let e: f64 = Exp1.sample(rng);
                self.mean * e
            }
            Kind::Weibull {
                inv_shape,
                ln_scale,
            } => {
                let e: f64 = Exp1.sample(rng);
                (ln_scale + e.ln() * inv_shape).exp()
            }
            Kind::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Kind::Gamma(gamma) => gamma.sample(rng),
        };
        // Underflow to 0 or overflow to ∞ only at extreme parameters (see the type's docs);
        // two compares keep the event loop safe from zero-length and infinite events.
        draw.clamp(f64::MIN_POSITIVE, f64::MAX)
    }

    /// E[min(X, limit)]: the mean of a duration cut off at `limit` hours. A run of `limit`
    /// hours holds about limit / E[min(X, limit)] renewals, which for heavy-tailed shapes (a
    /// log-normal with σ = 10 has its median 22 orders of magnitude below its mean) is far
    /// more than limit / m.
    ///
    /// # Formula
    ///
    /// E[min(X, L)] = ∫₀ᴸ P(X > x) dx: exponential −m·expm1(−L/m); Weibull m·P(1/k, (L/s)ᵏ);
    /// log-normal m·Φ((ln L − μ − σ²)/σ) + L·(1 − Φ((ln L − μ)/σ)); gamma
    /// m·P(k + 1, L/θ) + L·(1 − P(k, L/θ)); fixed min(m, L). P is the regularised lower
    /// incomplete gamma function and Φ the standard normal CDF.
    pub(crate) fn truncated_mean(&self, limit: f64) -> f64 {
        let m = self.mean;
        if m == 0.0 || limit <= 0.0 {
            return 0.0;
        }
        if m.is_infinite() {
            return limit;
        }
        let value = match self.kind {
            Kind::Constant => m.min(limit),
            Kind::Exponential => -m * (-limit / m).exp_m1(),
            Kind::Weibull {
                inv_shape,
                ln_scale,
            } => {
                let z = ((limit.ln() - ln_scale) / inv_shape).exp();
                m * lower_gamma_regularized(inv_shape, z)
            }
            Kind::LogNormal { mu, sigma } => {
                let ln_limit = limit.ln();
                m * normal_cdf((ln_limit - mu - sigma * sigma) / sigma)
                    + limit * normal_cdf(-(ln_limit - mu) / sigma)
            }
            Kind::Gamma(gamma) => {
                let shape = gamma.shape();
                let x = limit / (m / shape);
                m * lower_gamma_regularized(shape + 1.0, x)
                    + limit * (1.0 - lower_gamma_regularized(shape, x))
            }
        };
        // Rounding can only make it slightly off; it is at most min(m, L) and positive.
        value.clamp(f64::MIN_POSITIVE, m.min(limit))
    }

    /// P(X ≤ L) / P(X > L): about how many draws come before the first one longer than
    /// `limit` when most are far shorter (for an exponential, expm1(L/m), ≈ L/m when m ≫ L).
    /// +∞ when every draw is at most `limit`.
    pub(crate) fn odds_within(&self, limit: f64) -> f64 {
        let m = self.mean;
        if m == 0.0 {
            return f64::INFINITY;
        }
        if m.is_infinite() || limit <= 0.0 {
            return 0.0;
        }
        match self.kind {
            Kind::Constant => {
                if m <= limit {
                    f64::INFINITY
                } else {
                    0.0
                }
            }
            Kind::Exponential => (limit / m).exp_m1(),
            Kind::Weibull {
                inv_shape,
                ln_scale,
            } => ((limit.ln() - ln_scale) / inv_shape).exp().exp_m1(),
            Kind::LogNormal { mu, sigma } => {
                let z = (limit.ln() - mu) / sigma;
                normal_cdf(z) / normal_cdf(-z)
            }
            Kind::Gamma(gamma) => {
                let shape = gamma.shape();
                let p = lower_gamma_regularized(shape, limit / (m / shape));
                p / (1.0 - p)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use statrs::distribution::{ContinuousCDF, Gamma as GammaCdf, LogNormal as LogNormalCdf};
    use statrs::function::gamma::gamma;

    /// Draws per sample-mean test.
    const MEAN_DRAWS: usize = 200_000;
    /// Draws per Kolmogorov–Smirnov sample.
    const KS_DRAWS: usize = 100_000;
    /// Asymptotic Kolmogorov critical value at α = 0.001: P(K > 1.9495) = 0.001, where
    /// K = D·√n (one sample) or D·√(nm/(n+m)) (two samples). c(α) = √(−ln(α/2)/2).
    const KS_CRITICAL: f64 = 1.95;

    fn rng(seed: u64) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(seed)
    }

    fn draw(sampler: &Sampler, count: usize, seed: u64) -> Vec<f64> {
        let mut rng = rng(seed);
        (0..count).map(|_| sampler.sample(&mut rng)).collect()
    }

    fn draw_from<D: Distribution<f64>>(dist: &D, count: usize, seed: u64) -> Vec<f64> {
        let mut rng = rng(seed);
        (0..count).map(|_| dist.sample(&mut rng)).collect()
    }

    /// (x̄ − m) / (sd/√n): the sample mean's distance from `mean` in standard errors.
    fn mean_z_score(sampler: &Sampler, mean: f64, sd: f64, seed: u64) -> f64 {
        let draws = draw(sampler, MEAN_DRAWS, seed);
        let sample_mean = draws.iter().sum::<f64>() / MEAN_DRAWS as f64;
        (sample_mean - mean) / (sd / (MEAN_DRAWS as f64).sqrt())
    }

    /// One-sample KS statistic scaled to D·√n.
    fn ks_one_sample(mut draws: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        draws.sort_by(f64::total_cmp);
        let n = draws.len() as f64;
        let d = draws
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = cdf(x);
                (((i + 1) as f64 / n) - f).max(f - i as f64 / n)
            })
            .fold(0.0, f64::max);
        d * n.sqrt()
    }

    /// Two-sample KS statistic scaled to D·√(nm/(n+m)).
    fn ks_two_sample(mut a: Vec<f64>, mut b: Vec<f64>) -> f64 {
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let (n, m) = (a.len() as f64, b.len() as f64);
        let (mut i, mut j, mut d) = (0, 0, 0.0_f64);
        while i < a.len() && j < b.len() {
            // Step past every copy of the smaller value in both samples, then compare the
            // empirical CDFs just after it.
            let x = a[i].min(b[j]);
            while i < a.len() && a[i] <= x {
                i += 1;
            }
            while j < b.len() && b[j] <= x {
                j += 1;
            }
            d = d.max((i as f64 / n - j as f64 / m).abs());
        }
        d * (n * m / (n + m)).sqrt()
    }

    /// Standard deviation of each shape with mean m (the variance formulas are derived where
    /// [`sample_means_are_within_five_standard_errors`] uses them).
    fn standard_deviation(dist: TimeDist, m: f64) -> f64 {
        let variance = match dist {
            // Exp(rate 1/m): variance 1/rate² = m².
            TimeDist::Exponential => m * m,
            // Weibull(k, s): E[X^r] = s^r Γ(1 + r/k), so Var = s²(Γ(1 + 2/k) − Γ(1 + 1/k)²)
            // with s = m/Γ(1 + 1/k).
            TimeDist::Weibull { shape } => {
                let g1 = gamma(1.0 + 1.0 / shape);
                let scale = m / g1;
                scale * scale * (gamma(1.0 + 2.0 / shape) - g1 * g1)
            }
            // LogNormal(μ, σ): E[X] = e^(μ+σ²/2) = m, E[X²] = e^(2μ+2σ²) = m² e^(σ²),
            // so Var = (e^(σ²) − 1) m².
            TimeDist::LogNormal { sigma } => (sigma * sigma).exp_m1() * m * m,
            // Gamma(k, θ = m/k): Var = kθ² = m²/k.
            TimeDist::Gamma { shape } => m * m / shape,
            // Always m.
            TimeDist::Fixed => 0.0,
        };
        variance.sqrt()
    }

    /// Every shape in the tests, at parameters from heavy-tailed to concentrated.
    fn shapes() -> Vec<TimeDist> {
        let mut shapes = vec![TimeDist::Exponential, TimeDist::Fixed];
        for shape in [0.3, 0.7, 1.0, 1.5, 5.0] {
            shapes.push(TimeDist::Weibull { shape });
            shapes.push(TimeDist::Gamma { shape });
        }
        for sigma in [0.1, 0.5, 1.0, 1.5] {
            shapes.push(TimeDist::LogNormal { sigma });
        }
        shapes
    }

    /// This is also the test that catches a wrong parametrisation: a Weibull sampler with scale
    /// m instead of m/Γ(1 + 1/k) has mean m·Γ(1 + 1/k) (0.90·m at k = 1.5, 9.3·m at k = 0.3),
    /// hundreds of standard errors away; see [`mean_test_detects_weibull_scale_equal_to_mean`].
    /// Likewise μ = ln m for the log-normal (mean m·e^(σ²/2)) or scale m for the gamma (mean
    /// k·m). σ = 3 is left to the KS and edge tests: its sample mean is dominated by rare huge
    /// draws.
    #[test]
    fn sample_means_are_within_five_standard_errors() {
        for (index, dist) in shapes().into_iter().enumerate() {
            for mean in [2.5, 8760.0] {
                let sampler = Sampler::new(dist, mean);
                let sd = standard_deviation(dist, mean);
                if sd == 0.0 {
                    let draws = draw(&sampler, 1000, index as u64);
                    assert!(draws.iter().all(|&x| x == mean), "{dist:?} m={mean}");
                    continue;
                }
                let z = mean_z_score(&sampler, mean, sd, 1000 + index as u64);
                assert!(
                    z.abs() < 5.0,
                    "{dist:?} m={mean}: sample mean {z:.2} SE off"
                );
            }
        }
    }

    #[test]
    fn mean_test_detects_weibull_scale_equal_to_mean() {
        // A sampler with scale = m is ours with mean m·Γ(1 + 1/k).
        for shape in [0.3, 1.5, 5.0] {
            let dist = TimeDist::Weibull { shape };
            let wrong = Sampler::new(dist, gamma(1.0 + 1.0 / shape));
            let z = mean_z_score(&wrong, 1.0, standard_deviation(dist, 1.0), 1);
            assert!(z.abs() > 20.0, "k={shape}: only {z:.1} SE off");
        }
    }

    #[test]
    fn exponential_matches_exact_cdf() {
        let m: f64 = 3.0;
        let draws = draw(&Sampler::new(TimeDist::Exponential, m), KS_DRAWS, 11);
        let k = ks_one_sample(draws, |x| -(-x / m).exp_m1());
        assert!(k < KS_CRITICAL, "D·√n = {k:.3}");
    }

    #[test]
    fn weibull_matches_exact_cdf() {
        let m: f64 = 3.0;
        for (case, shape) in [0.3, 0.7, 1.5, 5.0].into_iter().enumerate() {
            // Scale from Γ directly, not from the sampler's ln Γ: an independent path.
            let scale = m / gamma(1.0 + 1.0 / shape);
            let draws = draw(
                &Sampler::new(TimeDist::Weibull { shape }, m),
                KS_DRAWS,
                120 + case as u64,
            );
            let k = ks_one_sample(draws, |x| -(-(x / scale).powf(shape)).exp_m1());
            assert!(k < KS_CRITICAL, "k={shape}: D·√n = {k:.3}");
        }
    }

    #[test]
    fn weibull_matches_rand_distr_reference() {
        let m: f64 = 3.0;
        for (case, shape) in [0.3, 0.7, 1.5, 5.0].into_iter().enumerate() {
            let scale = m / gamma(1.0 + 1.0 / shape);
            let ours = draw(
                &Sampler::new(TimeDist::Weibull { shape }, m),
                KS_DRAWS,
                130 + case as u64,
            );
            let reference = rand_distr::Weibull::new(scale, shape).unwrap();
            let theirs = draw_from(&reference, KS_DRAWS, 140 + case as u64);
            let k = ks_two_sample(ours, theirs);
            assert!(k < KS_CRITICAL, "k={shape}: D·√(nm/(n+m)) = {k:.3}");
        }
    }

    #[test]
    fn ks_test_detects_weibull_scale_equal_to_mean() {
        let (m, shape) = (3.0, 1.5);
        let scale = m / gamma(1.0 + 1.0 / shape);
        // Draws with scale m, tested against the right CDF.
        let wrong = Sampler::new(TimeDist::Weibull { shape }, m * gamma(1.0 + 1.0 / shape));
        let draws = draw(&wrong, KS_DRAWS, 15);
        let k = ks_one_sample(draws, |x| -(-(x / scale).powf(shape)).exp_m1());
        assert!(k > 5.0 * KS_CRITICAL, "D·√n = {k:.3}");
    }

    #[test]
    fn lognormal_matches_exact_cdf() {
        let m: f64 = 3.0;
        for (case, sigma) in [0.1, 1.0, 3.0].into_iter().enumerate() {
            let mu = m.ln() - sigma * sigma / 2.0;
            let exact = LogNormalCdf::new(mu, sigma).unwrap();
            let draws = draw(
                &Sampler::new(TimeDist::LogNormal { sigma }, m),
                KS_DRAWS,
                210 + case as u64,
            );
            let k = ks_one_sample(draws, |x| exact.cdf(x));
            assert!(k < KS_CRITICAL, "σ={sigma}: D·√n = {k:.3}");
        }
    }

    #[test]
    fn lognormal_matches_rand_distr_reference() {
        let m: f64 = 3.0;
        for (case, sigma) in [0.1, 1.0, 3.0].into_iter().enumerate() {
            let mu = m.ln() - sigma * sigma / 2.0;
            let ours = draw(
                &Sampler::new(TimeDist::LogNormal { sigma }, m),
                KS_DRAWS,
                220 + case as u64,
            );
            let reference = rand_distr::LogNormal::new(mu, sigma).unwrap();
            let theirs = draw_from(&reference, KS_DRAWS, 230 + case as u64);
            let k = ks_two_sample(ours, theirs);
            assert!(k < KS_CRITICAL, "σ={sigma}: D·√(nm/(n+m)) = {k:.3}");
        }
    }

    #[test]
    fn gamma_matches_exact_cdf() {
        let m: f64 = 3.0;
        // 0.3 and 0.7 take the k < 1 boost; 1.5 and 5 the plain Marsaglia–Tsang loop.
        for (case, shape) in [0.3, 0.7, 1.5, 5.0].into_iter().enumerate() {
            let exact = GammaCdf::new(shape, shape / m).unwrap(); // (shape, rate)
            let draws = draw(
                &Sampler::new(TimeDist::Gamma { shape }, m),
                KS_DRAWS,
                310 + case as u64,
            );
            let k = ks_one_sample(draws, |x| exact.cdf(x));
            assert!(k < KS_CRITICAL, "k={shape}: D·√n = {k:.3}");
        }
    }

    #[test]
    fn gamma_matches_rand_distr_reference() {
        let m: f64 = 3.0;
        for (case, shape) in [0.3, 0.7, 1.5, 5.0].into_iter().enumerate() {
            let ours = draw(
                &Sampler::new(TimeDist::Gamma { shape }, m),
                KS_DRAWS,
                320 + case as u64,
            );
            let reference = rand_distr::Gamma::new(shape, m / shape).unwrap(); // (shape, scale)
            let theirs = draw_from(&reference, KS_DRAWS, 330 + case as u64);
            let k = ks_two_sample(ours, theirs);
            assert!(k < KS_CRITICAL, "k={shape}: D·√(nm/(n+m)) = {k:.3}");
        }
    }

    #[test]
    fn shape_one_weibull_and_gamma_draw_the_exponential_sequence() {
        let exponential = draw(&Sampler::new(TimeDist::Exponential, 5.0), 1000, 41);
        let weibull = draw(
            &Sampler::new(TimeDist::Weibull { shape: 1.0 }, 5.0),
            1000,
            41,
        );
        let gamma = draw(&Sampler::new(TimeDist::Gamma { shape: 1.0 }, 5.0), 1000, 41);
        assert_eq!(weibull, exponential);
        assert_eq!(gamma, exponential);
    }

    /// The RNG's next output after `sampler` drew `draws` times, and the draws.
    fn draws_and_next_word(sampler: &Sampler, draws: usize) -> (Vec<f64>, u64) {
        let mut rng = rng(51);
        let values = (0..draws).map(|_| sampler.sample(&mut rng)).collect();
        (values, rng.next_u64())
    }

    #[test]
    fn zero_and_infinite_means_are_constant_and_leave_the_rng_alone() {
        let untouched = rng(51).next_u64();
        for dist in shapes() {
            for mean in [0.0, f64::INFINITY] {
                let sampler = Sampler::new(dist, mean);
                let (values, next) = draws_and_next_word(&sampler, 100);
                assert!(values.iter().all(|&x| x == mean), "{dist:?} m={mean}");
                assert_eq!(next, untouched, "{dist:?} m={mean} used the RNG");
                assert_eq!(sampler.mean, mean);
            }
        }
    }

    #[test]
    fn fixed_returns_the_mean_and_leaves_the_rng_alone() {
        let untouched = rng(51).next_u64();
        for mean in [1e-6, 0.5, 1e9] {
            let (values, next) = draws_and_next_word(&Sampler::new(TimeDist::Fixed, mean), 100);
            assert!(values.iter().all(|&x| x == mean));
            assert_eq!(next, untouched);
        }
    }

    #[test]
    fn samples_are_positive_and_finite_at_edge_parameters() {
        let dists = [
            TimeDist::Exponential,
            TimeDist::Weibull { shape: 0.3 },
            TimeDist::Weibull { shape: 5.0 },
            TimeDist::LogNormal { sigma: 0.1 },
            TimeDist::LogNormal { sigma: 3.0 },
            TimeDist::Gamma { shape: 0.3 },
            TimeDist::Gamma { shape: 5.0 },
            TimeDist::Fixed,
        ];
        for (index, dist) in dists.into_iter().enumerate() {
            for mean in [1e-6, 1e9] {
                let sampler = Sampler::new(dist, mean);
                assert_eq!(sampler.mean, mean);
                let draws = draw(&sampler, MEAN_DRAWS, 60 + index as u64);
                let bad = draws.iter().find(|x| !(x.is_finite() && **x > 0.0));
                assert!(bad.is_none(), "{dist:?} m={mean}: drew {bad:?}");
            }
        }
    }

    #[test]
    fn extreme_parameters_are_clamped_to_positive_finite() {
        // Here the exact distributions put real mass below f64::MIN_POSITIVE or above
        // f64::MAX (Gamma(0.01) < 1e-308 with probability ≈ 8e-4); the clamp keeps the draws
        // usable as event times.
        let dists = [
            TimeDist::Exponential,
            TimeDist::Weibull { shape: 0.02 },
            TimeDist::LogNormal { sigma: 30.0 },
            TimeDist::Gamma { shape: 0.01 },
        ];
        for dist in dists {
            for mean in [1e-300, 1e300] {
                let draws = draw(&Sampler::new(dist, mean), 20_000, 70);
                let bad = draws.iter().find(|x| !(x.is_finite() && **x > 0.0));
                assert!(bad.is_none(), "{dist:?} m={mean}: drew {bad:?}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "mean duration must be ≥ 0 hours")]
    fn rejects_negative_mean() {
        Sampler::new(TimeDist::Exponential, -1.0);
    }

    #[test]
    #[should_panic(expected = "mean duration must be ≥ 0 hours")]
    fn rejects_nan_mean() {
        Sampler::new(TimeDist::Fixed, f64::NAN);
    }

    #[test]
    #[should_panic(expected = "Weibull shape must be finite and > 0")]
    fn rejects_zero_weibull_shape() {
        Sampler::new(TimeDist::Weibull { shape: 0.0 }, 1.0);
    }

    #[test]
    #[should_panic(expected = "log-normal sigma must be finite and > 0")]
    fn rejects_negative_sigma() {
        Sampler::new(TimeDist::LogNormal { sigma: -0.5 }, 1.0);
    }

    #[test]
    #[should_panic(expected = "gamma shape must be finite and > 0")]
    fn rejects_infinite_gamma_shape() {
        Sampler::new(
            TimeDist::Gamma {
                shape: f64::INFINITY,
            },
            1.0,
        );
    }

    #[test]
    #[should_panic(expected = "Weibull shape must be finite and > 0")]
    fn rejects_bad_shape_even_when_mean_is_zero() {
        Sampler::new(TimeDist::Weibull { shape: f64::NAN }, 0.0);
    }

    /// ∫₀ᴸ (1 − F(x)) dx by Simpson's rule on 20,000 intervals: an independent E[min(X, L)].
    fn integrated_survival(cdf: impl Fn(f64) -> f64, limit: f64) -> f64 {
        let n = 20_000;
        let h = limit / n as f64;
        let survival = |x: f64| 1.0 - cdf(x);
        let mut sum = survival(0.0) + survival(limit);
        for i in 1..n {
            let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
            sum += weight * survival(i as f64 * h);
        }
        sum * h / 3.0
    }

    #[test]
    fn truncated_means_and_odds_match_their_definitions() {
        // Exponential, m = 10, L = 5: −10·expm1(−0.5) = 3.9346934…, odds expm1(0.5) = 0.6487…
        let exponential = Sampler::new(TimeDist::Exponential, 10.0);
        assert!((exponential.truncated_mean(5.0) - 3.934_693_402_873_666).abs() < 1e-12);
        assert!((exponential.odds_within(5.0) - 0.648_721_270_700_128_1).abs() < 1e-12);
        // Fixed m = 3: min(3, L); odds 0 below 3, ∞ from 3.
        let fixed = Sampler::new(TimeDist::Fixed, 3.0);
        assert_eq!(fixed.truncated_mean(2.0), 2.0);
        assert_eq!(fixed.truncated_mean(5.0), 3.0);
        assert_eq!(fixed.odds_within(2.0), 0.0);
        assert_eq!(fixed.odds_within(5.0), f64::INFINITY);
        // Log-normal σ = 0.8, m = 10, L = 12 against the integrated survival function of
        // statrs's CDF (μ = ln 10 − 0.32).
        let lognormal = Sampler::new(TimeDist::LogNormal { sigma: 0.8 }, 10.0);
        let cdf = LogNormalCdf::new(10f64.ln() - 0.32, 0.8).unwrap();
        let expected = integrated_survival(|x| cdf.cdf(x), 12.0);
        assert!((lognormal.truncated_mean(12.0) - expected).abs() < 1e-9 * expected);
        let odds = cdf.cdf(12.0) / (1.0 - cdf.cdf(12.0));
        assert!((lognormal.odds_within(12.0) - odds).abs() < 1e-12 * odds);
        // Gamma k = 2.5, m = 10 (θ = 4), L = 7.
        let gamma_sampler = Sampler::new(TimeDist::Gamma { shape: 2.5 }, 10.0);
        let cdf = GammaCdf::new(2.5, 0.25).unwrap();
        let expected = integrated_survival(|x| cdf.cdf(x), 7.0);
        assert!((gamma_sampler.truncated_mean(7.0) - expected).abs() < 1e-9 * expected);
        // Weibull k = 1.5, m = 10: scale s = 10/Γ(1 + 1/1.5); F(x) = 1 − exp(−(x/s)^1.5).
        let weibull = Sampler::new(TimeDist::Weibull { shape: 1.5 }, 10.0);
        let scale = 10.0 / gamma(1.0 + 1.0 / 1.5);
        let cdf = |x: f64| 1.0 - (-(x / scale).powf(1.5)).exp();
        let expected = integrated_survival(cdf, 9.0);
        assert!((weibull.truncated_mean(9.0) - expected).abs() < 1e-9 * expected);
        // A heavy tail: log-normal σ = 10, m = 1000, L = 100. Its median is 1000·e^−50,
        // so a 100 h run sees about a million lives: the odds are 1/Φc(z) − 1 with
        // z = (ln 100 − ln 1000 + 50)/10 = 4.7697…
        let heavy = Sampler::new(TimeDist::LogNormal { sigma: 10.0 }, 1000.0);
        assert!(
            heavy.odds_within(100.0) > 5e5,
            "{}",
            heavy.odds_within(100.0)
        );
    }

    #[test]
    fn sampler_stays_small() {
        // Copied into every component's event state; the largest variant is the gamma's four
        // constants.
        assert!(std::mem::size_of::<Sampler>() <= 48);
    }
}
