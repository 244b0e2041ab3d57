//! [`Moments`]: mean, between-run variance and a Student-t confidence interval.

use super::exact_sum::{ExactSum, UNIT_EXPONENT};
use super::intervals::t_quantile;
use super::wide_integer::{centered_cross_product, scale_by_power_of_two};
use serde::{Deserialize, Serialize};

/// Mean, variance and confidence interval of one observation per run, mergeable exactly.
///
/// Keeps n, Σx and Σx² (each product x·x added exactly, see [`ExactSum::add_product`]). The
/// variance is read from n·Σx² − (Σx)², computed exactly in big-integer arithmetic and
/// rounded once, so it keeps full precision even when the mean dwarfs the spread.
///
/// # Formula
///
/// ```text
/// mean      x̄ = Σx / n
/// variance  s² = (n·Σx² − (Σx)²) / (n(n − 1))      (unbiased, between runs; ≥ 0)
/// interval  x̄ ± t · s/√n                          t = t_quantile(level, n − 1)
/// ```
///
/// where n is the number of runs and t the two-sided Student-t quantile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    count: u64,
    sum: ExactSum,
    sum_of_squares: ExactSum,
}

impl Moments {
    /// No observations.
    pub const fn new() -> Self {
        Self {
            count: 0,
            sum: ExactSum::new(),
            sum_of_squares: ExactSum::new(),
        }
    }

    /// Records the observation of one run.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum.add(x);
        self.sum_of_squares.add_product(x, x);
    }

    /// Adds the observations of `other`.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum.merge(&other.sum);
        self.sum_of_squares.merge(&other.sum_of_squares);
    }

    /// Number of observations n.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Σx, correctly rounded.
    pub fn sum(&self) -> f64 {
        self.sum.value()
    }

    /// Σx², correctly rounded.
    pub fn sum_of_squares(&self) -> f64 {
        self.sum_of_squares.value()
    }

    /// The mean Σx/n; `None` without observations.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum.value() / self.count as f64)
    }

    /// The unbiased sample variance s² between runs; `None` below two observations.
    ///
    /// Accurate to a few ulps. With infinite or NaN observations, or squares beyond
    /// `f64::MAX`, it follows the textbook formula in `f64` and is infinite or NaN.
    pub fn variance(&self) -> Option<f64> {
        if self.count < 2 {
            return None;
        }
        let n = self.count as f64;
        if !self.sum.is_finite() || !self.sum_of_squares.is_finite() {
            let sum = self.sum.value();
            return Some((self.sum_of_squares.value() - sum * sum / n) / (n - 1.0));
        }
        let numerator =
            centered_cross_product(self.count, &self.sum, &self.sum, &self.sum_of_squares);
        Some(match numerator.normalized() {
            Some((mantissa, exponent)) if mantissa > 0.0 => {
                scale_by_power_of_two(mantissa / (n * (n - 1.0)), exponent + 2 * UNIT_EXPONENT)
            }
            // Zero, or a rounding error of underflowed squares.
            _ => 0.0,
        })
    }

    /// The standard error of the mean s/√n; `None` below two observations.
    pub fn std_error(&self) -> Option<f64> {
        self.variance()
            .map(|variance| (variance / self.count as f64).sqrt())
    }

    /// Half-width t·s/√n of the two-sided confidence interval for the mean at `level`.
    ///
    /// `None` below two observations.
    ///
    /// # Panics
    ///
    /// When `level` is not in (0, 1).
    pub fn half_width(&self, level: f64) -> Option<f64> {
        let standard_error = self.std_error()?;
        Some(t_quantile(level, self.count - 1) * standard_error)
    }

    /// Half-width of the 95 % confidence interval for the mean.
    pub fn half_width95(&self) -> Option<f64> {
        self.half_width(0.95)
    }

    /// Two-sided confidence interval (lo, hi) for the mean at `level`, using the Student-t
    /// quantile with n − 1 degrees of freedom (see [`t_quantile`]).
    ///
    /// `None` below two observations. It assumes the run means are roughly normal, which
    /// holds for many runs or observations that are themselves averages.
    ///
    /// # Panics
    ///
    /// When `level` is not in (0, 1).
    pub fn ci(&self, level: f64) -> Option<(f64, f64)> {
        let half_width = self.half_width(level)?;
        let mean = self.mean()?;
        Some((mean - half_width, mean + half_width))
    }

    /// The 95 % confidence interval for the mean.
    pub fn ci95(&self) -> Option<(f64, f64)> {
        self.ci(0.95)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::stats::test_support::*;

    #[test]
    fn moments_of_one_to_four() {
        let mut moments = Moments::new();
        for x in [1.0, 2.0, 3.0, 4.0] {
            moments.push(x);
        }
        // Mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, so s² = 5/3.
        assert_eq!(moments.count(), 4);
        assert_eq!(moments.sum(), 10.0);
        assert_eq!(moments.mean(), Some(2.5));
        assert_close(moments.variance().unwrap(), 5.0 / 3.0, 1e-15, "variance");
        // t(0.975; 3) = 3.182446305284 (tables), s/√n = √(5/3)/2 = 0.645497224368, so the
        // half-width is 2.054260256761 and the interval (0.445739743239, 4.554260256761).
        assert_close(
            moments.half_width95().unwrap(),
            2.054_260_256_760_522,
            1e-12,
            "half-width",
        );
        let (low, high) = moments.ci95().unwrap();
        assert_close(low, 0.445_739_743_239_478, 1e-11, "low");
        assert_close(high, 4.554_260_256_760_522, 1e-12, "high");
        // At 99.9 %, t(0.9995; 3) = 12.923978636687 (tables).
        assert_close(
            moments.half_width(0.999).unwrap(),
            12.923_978_636_687_483 * 0.645_497_224_367_902_8,
            1e-10,
            "99.9 %",
        );
    }

    #[test]
    fn moments_need_enough_observations() {
        let mut moments = Moments::new();
        assert_eq!(moments.mean(), None);
        assert_eq!(moments.variance(), None);
        moments.push(7.0);
        assert_eq!(moments.mean(), Some(7.0));
        assert_eq!(moments.variance(), None);
        assert_eq!(moments.ci95(), None);
        moments.push(7.0);
        assert_eq!(moments.variance(), Some(0.0));
        assert_eq!(moments.ci95(), Some((7.0, 7.0)));
    }

    #[test]
    fn variance_keeps_precision_when_the_mean_dwarfs_the_spread() {
        // xᵢ = 10⁹ + i·2^-20 for i = 1..4, all exact doubles (the ulp of 10⁹ is 2^-23). The
        // spread is that of 1..4 scaled by 2^-20, so s² = (5/3)·2^-40. The textbook formula
        // in f64 loses all of it: Σx² ≈ 4·10¹⁸ has an ulp of 512.
        let mut moments = Moments::new();
        for i in 1..=4 {
            moments.push(1e9 + f64::from(i) * power_of_two(-20));
        }
        assert_close(
            moments.variance().unwrap(),
            5.0 / 3.0 * power_of_two(-40),
            1e-14,
            "variance",
        );
        // Tiny and huge scales both survive the exact numerator.
        for scale in [1e-150, 1e-100, 1e120, 1e150] {
            let mut moments = Moments::new();
            for i in 1..=4 {
                moments.push(f64::from(i) * scale);
            }
            assert_close(
                moments.variance().unwrap(),
                5.0 / 3.0 * scale * scale,
                1e-13,
                "scaled",
            );
        }
    }

    #[test]
    fn merged_moments_equal_sequential_ones() {
        let mut rng = SplitMix(3);
        let values: Vec<f64> = (0..1000).map(|_| rng.exponential(4.0)).collect();
        let mut sequential = Moments::new();
        values.iter().for_each(|&x| sequential.push(x));
        let mut parts = [Moments::new(), Moments::new(), Moments::new()];
        for (index, &x) in values.iter().enumerate() {
            parts[index % 3].push(x);
        }
        let mut merged = Moments::new();
        for part in parts.iter().rev() {
            merged.merge(part);
        }
        assert_eq!(merged, sequential);
        let json = serde_json::to_string(&merged).unwrap();
        let back: Moments = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sequential);
        assert_eq!(back.ci95(), sequential.ci95());
    }

    #[test]
    fn t_interval_covers_the_mean_at_its_level_for_few_runs() {
        // 10,000 samples of 5 standard normals: the 95 % t interval should cover 0 in 95 % of
        // them (±0.22 % standard error). A normal-quantile interval would cover only ≈ 87.8 %.
        let mut rng = SplitMix(11);
        let experiments = 10_000;
        let covered = (0..experiments)
            .filter(|_| {
                let mut moments = Moments::new();
                (0..5).for_each(|_| moments.push(rng.normal()));
                let (low, high) = moments.ci95().unwrap();
                low <= 0.0 && 0.0 <= high
            })
            .count();
        let coverage = covered as f64 / experiments as f64;
        assert!((0.94..=0.96).contains(&coverage), "coverage {coverage}");
    }
}
