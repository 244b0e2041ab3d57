//! [`RatioMoments`]: a ratio of sums (MTTR = Σ downtime / Σ outages) with a delta-method
//! interval.

use super::exact_sum::{ExactSum, UNIT_EXPONENT};
use super::intervals::t_quantile;
use super::wide_integer::{Wide, scale_by_power_of_two};
use serde::{Deserialize, Serialize};

/// A ratio-of-sums estimator R = ΣX/ΣY over runs, such as MTTR = Σ downtime / Σ outages, with
/// a delta-method confidence interval, mergeable exactly.
///
/// Each run contributes a pair (X, Y); the runs are independent but X and Y within a run are
/// not. Keeps n, ΣX, ΣY, ΣX², ΣY², ΣXY, products added exactly.
///
/// # Formula
///
/// ```text
/// R = ΣX / ΣY = X̄ / Ȳ
/// Var(R) ≈ (s_X² − 2R·s_XY + R²·s_Y²) / (n·Ȳ²)
/// interval  R ± t · √Var(R)                       t = t_quantile(level, n − 1)
/// ```
///
/// Derivation (delta method): R = g(X̄, Ȳ) with g(a, b) = a/b has gradient (1/b, −a/b²), so
/// Var(R) ≈ (Var X̄ − 2R·Cov(X̄, Ȳ) + R²·Var Ȳ) / Ȳ², and Var X̄ = s_X²/n, Cov(X̄, Ȳ) = s_XY/n,
/// Var Ȳ = s_Y²/n. Equivalently the numerator is the sample variance of the residuals
/// dᵢ = Xᵢ − R·Yᵢ, which sum to zero. Multiplying out by (ΣY)²·(n − 1):
///
/// ```text
/// (ΣY)²·Σd² = ΣX²·(ΣY)² − 2·ΣX·ΣY·ΣXY + (ΣX)²·ΣY²  =: T ≥ 0
/// Var(R)    = T · n / ((ΣY)⁴ · (n − 1))
/// ```
///
/// T is computed exactly, so X proportional to Y gives a zero-width interval, not noise.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatioMoments {
    count: u64,
    sum_x: ExactSum,
    sum_y: ExactSum,
    sum_xx: ExactSum,
    sum_yy: ExactSum,
    sum_xy: ExactSum,
}

impl RatioMoments {
    /// No runs.
    pub const fn new() -> Self {
        Self {
            count: 0,
            sum_x: ExactSum::new(),
            sum_y: ExactSum::new(),
            sum_xx: ExactSum::new(),
            sum_yy: ExactSum::new(),
            sum_xy: ExactSum::new(),
        }
    }

    /// Records one run's numerator `x` (downtime) and denominator `y` (outages).
    #[inline]
    pub fn push(&mut self, x: f64, y: f64) {
        self.count += 1;
        self.sum_x.add(x);
        self.sum_y.add(y);
        self.sum_xx.add_product(x, x);
        self.sum_yy.add_product(y, y);
        self.sum_xy.add_product(x, y);
    }

    /// Adds the runs of `other`.
    pub fn merge(&mut self, other: &RatioMoments) {
        self.count += other.count;
        self.sum_x.merge(&other.sum_x);
        self.sum_y.merge(&other.sum_y);
        self.sum_xx.merge(&other.sum_xx);
        self.sum_yy.merge(&other.sum_yy);
        self.sum_xy.merge(&other.sum_xy);
    }

    /// Number of runs n.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// ΣX, correctly rounded.
    pub fn sum_x(&self) -> f64 {
        self.sum_x.value()
    }

    /// ΣY, correctly rounded.
    pub fn sum_y(&self) -> f64 {
        self.sum_y.value()
    }

    /// (ΣX², ΣY², ΣXY), each correctly rounded.
    pub fn sums_of_products(&self) -> (f64, f64, f64) {
        (
            self.sum_xx.value(),
            self.sum_yy.value(),
            self.sum_xy.value(),
        )
    }

    /// The ratio ΣX/ΣY; `None` when ΣY is exactly 0 (no outages at all).
    pub fn ratio(&self) -> Option<f64> {
        (!self.sum_y.is_zero()).then(|| self.sum_x.value() / self.sum_y.value())
    }

    /// The delta-method standard error √Var(R); `None` below two runs or when ΣY = 0.
    ///
    /// NaN when a value or a product of values was infinite or NaN.
    pub fn ratio_std_error(&self) -> Option<f64> {
        if self.count < 2 || self.sum_y.is_zero() {
            return None;
        }
        let n = self.count as f64;
        let sums = [
            &self.sum_x,
            &self.sum_y,
            &self.sum_xx,
            &self.sum_yy,
            &self.sum_xy,
        ];
        if sums.iter().any(|sum| !sum.is_finite()) {
            return Some(f64::NAN);
        }
        let [x, y, xx, yy, xy] = sums.map(Wide::from_sum);
        // T = ΣX²·(ΣY)² − 2·ΣX·ΣY·ΣXY + (ΣX)²·ΣY², in units of 2^(3·UNIT_EXPONENT).
        let t = xx
            .multiply(&y.multiply(&y))
            .subtract(&x.multiply(&y).multiply(&xy).shift_left(1))
            .add(&x.multiply(&x).multiply(&yy));
        let (Some((t_mantissa, t_exponent)), Some((y_mantissa, y_exponent))) =
            (t.normalized(), y.normalized())
        else {
            return Some(0.0);
        };
        if t_mantissa <= 0.0 {
            return Some(0.0);
        }
        // Var = T·n/((ΣY)⁴(n − 1)); T carries 3 units of 2^-1074 and (ΣY)⁴ four.
        let variance = scale_by_power_of_two(
            t_mantissa / y_mantissa.powi(4) * (n / (n - 1.0)),
            t_exponent - 4 * y_exponent - UNIT_EXPONENT,
        );
        Some(variance.sqrt())
    }

    /// Two-sided delta-method confidence interval (lo, hi) for the ratio at `level`.
    ///
    /// `None` below two runs or when ΣY = 0. Like [`Moments::ci`](super::Moments::ci) it uses the Student-t
    /// quantile with n − 1 degrees of freedom, slightly wider than the normal one for few runs.
    ///
    /// # Panics
    ///
    /// When `level` is not in (0, 1).
    pub fn ratio_ci(&self, level: f64) -> Option<(f64, f64)> {
        let standard_error = self.ratio_std_error()?;
        let half_width = t_quantile(level, self.count - 1) * standard_error;
        let ratio = self.ratio()?;
        Some((ratio - half_width, ratio + half_width))
    }

    /// The 95 % delta-method confidence interval for the ratio.
    pub fn ratio_ci95(&self) -> Option<(f64, f64)> {
        self.ratio_ci(0.95)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::stats::test_support::*;

    #[test]
    fn ratio_of_a_worked_example() {
        // X = [2, 4, 6, 9], Y = [1, 2, 3, 4]: R = 21/10 = 2.1.
        // s_X² = 26.75/3, s_Y² = 5/3, s_XY = 11.5/3, so
        // s_X² − 2R·s_XY + R²·s_Y² = (26.75 − 48.3 + 22.05)/3 = 0.5/3 = 1/6
        // (equally, residuals X − 2.1·Y = [−0.1, −0.2, −0.3, 0.6] have Σd² = 0.5).
        // Var(R) = (1/6)/(n·Ȳ²) = (1/6)/(4·6.25) = 1/150; t(0.975; 3) = 3.182446305284, so the
        // half-width is 3.182446305284·√(1/150) = 0.259845652725.
        let mut ratio = RatioMoments::new();
        for (x, y) in [(2.0, 1.0), (4.0, 2.0), (6.0, 3.0), (9.0, 4.0)] {
            ratio.push(x, y);
        }
        assert_eq!(ratio.count(), 4);
        assert_eq!(ratio.sum_x(), 21.0);
        assert_eq!(ratio.sum_y(), 10.0);
        assert_eq!(ratio.ratio(), Some(2.1));
        assert_close(
            ratio.ratio_std_error().unwrap(),
            (1.0f64 / 150.0).sqrt(),
            1e-14,
            "standard error",
        );
        let (low, high) = ratio.ratio_ci95().unwrap();
        assert_close(
            high - 2.1,
            0.259_845_652_725_022_3,
            1e-12,
            "upper half-width",
        );
        assert_close(
            2.1 - low,
            0.259_845_652_725_022_3,
            1e-12,
            "lower half-width",
        );
    }

    #[test]
    fn proportional_ratio_has_a_zero_width_interval() {
        // X = 0.1·Y exactly in every run (0.1 is not a binary fraction, so products round):
        // the residuals are exactly zero only because T is computed exactly.
        let mut ratio = RatioMoments::new();
        for y in 1..=50 {
            let y = f64::from(y);
            ratio.push(y * 0.1, y);
        }
        let r = ratio.ratio().unwrap();
        assert_close(r, 0.1, 1e-15, "ratio");
        let se = ratio.ratio_std_error().unwrap();
        assert!(se < 1e-17, "standard error {se}");
    }

    #[test]
    fn ratio_is_undefined_without_outages() {
        let mut ratio = RatioMoments::new();
        ratio.push(0.0, 0.0);
        ratio.push(0.0, 0.0);
        assert_eq!(ratio.ratio(), None);
        assert_eq!(ratio.ratio_ci95(), None);
        ratio.push(3.0, 1.0);
        assert_eq!(ratio.ratio(), Some(3.0));
        let mut single = RatioMoments::new();
        single.push(3.0, 1.0);
        assert_eq!(single.ratio_ci95(), None);
    }

    #[test]
    fn merged_ratio_moments_equal_sequential_ones() {
        let mut rng = SplitMix(5);
        let mut sequential = RatioMoments::new();
        let mut parts = [RatioMoments::new(), RatioMoments::new()];
        for index in 0..500 {
            let outages = rng.below(4) as f64;
            let downtime = (0..outages as usize)
                .map(|_| rng.exponential(2.0))
                .sum::<f64>();
            sequential.push(downtime, outages);
            parts[index % 2].push(downtime, outages);
        }
        let [mut merged, other] = parts;
        merged.merge(&other);
        assert_eq!(merged, sequential);
        let back: RatioMoments =
            serde_json::from_str(&serde_json::to_string(&merged).unwrap()).unwrap();
        assert_eq!(back, sequential);
    }

    #[test]
    fn delta_method_interval_covers_the_true_ratio() {
        // Runs with 0..=3 outages, each lasting Exp(mean 2): the true MTTR is 2. With 200 runs
        // the 95 % delta-method interval should cover it about 95 % of the time; 2,000
        // experiments give a standard error of 0.5 %.
        let mut rng = SplitMix(17);
        let experiments = 2000;
        let covered = (0..experiments)
            .filter(|_| {
                let mut ratio = RatioMoments::new();
                for _ in 0..200 {
                    let outages = rng.below(4);
                    let downtime = (0..outages).map(|_| rng.exponential(2.0)).sum::<f64>();
                    ratio.push(downtime, outages as f64);
                }
                let (low, high) = ratio.ratio_ci95().unwrap();
                low <= 2.0 && 2.0 <= high
            })
            .count();
        let coverage = covered as f64 / experiments as f64;
        assert!((0.93..=0.965).contains(&coverage), "coverage {coverage}");
    }
}
