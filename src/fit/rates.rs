//! Failure and repair rates from counts and exposure: maximum-likelihood means with exact
//! chi-squared confidence intervals.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A mean time between events with its two-sided confidence interval, hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanTime {
    /// The maximum-likelihood estimate T/n; `None` with no event.
    pub value: Option<f64>,
    /// The lower end of the interval.
    pub low: f64,
    /// The upper end; `None` with no event (the data bound the mean from below only).
    pub high: Option<f64>,
}

/// The mean time between events for `events` events in `exposure_hours` of exposure, with
/// its two-sided interval at `confidence` (0.9 for 90 %), for a time-truncated observation of
/// exponential times.
///
/// # Formula
/// θ̂ = T/n; with α = 1 − c, θ_low = 2T / χ²_{1−α/2}(2n + 2) and θ_high = 2T / χ²_{α/2}(2n)
/// (n ≥ 1), where χ²_p(ν) is the p-quantile of the chi-squared distribution with ν degrees of
/// freedom. With n = 0 only the lower end exists; it is the same formula with 2 degrees of
/// freedom: 2T / χ²_{1−α/2}(2) = T / −ln(α/2).
pub fn mean_time(events: u64, exposure_hours: f64, confidence: f64) -> MeanTime {
    let alpha = 1.0 - confidence;
    let quantile = |p: f64, dof: f64| {
        ChiSquared::new(dof)
            .expect("degrees of freedom are positive")
            .inverse_cdf(p)
    };
    let n = events as f64;
    let low = 2.0 * exposure_hours / quantile(1.0 - alpha / 2.0, 2.0 * n + 2.0);
    if events == 0 {
        return MeanTime {
            value: None,
            low,
            high: None,
        };
    }
    MeanTime {
        value: Some(exposure_hours / n),
        low,
        high: Some(2.0 * exposure_hours / quantile(alpha / 2.0, 2.0 * n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            ((actual - expected) / expected).abs() <= tolerance,
            "actual {actual}, expected {expected}"
        );
    }

    #[test]
    fn chi_squared_interval_matches_tables() {
        // n = 3 failures in T = 1000 h at 90 %: χ²_0.95(8) = 15.507313055865453 and
        // χ²_0.05(6) = 1.6353828943279067 (scipy.stats.chi2.ppf), so the interval is
        // [2000/15.5073, 2000/1.63538] = [128.9715, 1222.9513] h around 333.33 h.
        let mean = mean_time(3, 1000.0, 0.9);
        close(mean.value.unwrap(), 1000.0 / 3.0, 1e-15);
        close(mean.low, 2000.0 / 15.507_313_055_865_453, 1e-9);
        close(mean.high.unwrap(), 2000.0 / 1.635_382_894_327_906_7, 1e-9);
    }

    #[test]
    fn the_interval_covers_the_true_mtbf_at_least_at_its_level() {
        // 4,000 simulated logs: failures of one unit with true MTBF θ = 100 h, observed for
        // T = 500 h (about 5 failures each), time-truncated. The exact interval for a Poisson
        // count is conservative: it covers θ in at least 90 % of logs (measured with seed 7:
        // 3,717 of 4,000 = 92.9 %; the interval lay wholly above θ in 163 logs, below in 120),
        // and each tail holds at most 5 %.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let (theta, period, logs) = (100.0, 500.0, 4000);
        let mut covered = 0;
        let (mut above, mut below) = (0, 0);
        for _ in 0..logs {
            let mut time = 0.0;
            let mut failures = 0;
            loop {
                time += -theta * (1.0 - rng.random::<f64>()).ln();
                if time > period {
                    break;
                }
                failures += 1;
            }
            let interval = mean_time(failures, period, 0.9);
            let high = interval.high.unwrap_or(f64::INFINITY);
            if interval.low > theta {
                below += 1; // the whole interval is above θ
            } else if high < theta {
                above += 1;
            } else {
                covered += 1;
            }
        }
        let coverage = covered as f64 / logs as f64;
        assert!(coverage >= 0.9 - 0.015, "coverage {coverage}");
        assert!(coverage <= 0.97, "coverage {coverage}");
        assert!(below as f64 / logs as f64 <= 0.05 + 0.01, "{below} above θ");
        assert!(above as f64 / logs as f64 <= 0.05 + 0.01, "{above} below θ");
    }

    #[test]
    fn no_event_gives_a_lower_bound_only() {
        // χ²_{0.95}(2) = −2 ln 0.05, so the lower end is T / −ln(0.05) = T / 2.995732.
        let mean = mean_time(0, 8766.0, 0.9);
        assert_eq!(mean.value, None);
        assert_eq!(mean.high, None);
        close(mean.low, 8766.0 / -(0.05f64.ln()), 1e-9);
    }
}
