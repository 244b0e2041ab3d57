//! Interval helpers: normal and Student-t quantiles, Wilson and Poisson intervals.
//!
//! They take a two-sided confidence `level` in (0, 1), such as 0.95, and panic outside it: a
//! level is a constant chosen by the program, not user data.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

fn check_level(level: f64) {
    assert!(
        level > 0.0 && level < 1.0,
        "confidence level must be strictly between 0 and 1, got {level}"
    );
}

/// The two-sided standard normal quantile z with P(|Z| ≤ z) = `level`: 1.959964 for 0.95,
/// 2.575829 for 0.99, 3.290527 for 0.999.
///
/// # Formula
///
/// ```text
/// z = −Φ⁻¹((1 − level)/2)
/// ```
///
/// where Φ⁻¹ is the standard normal quantile (statrs), evaluated in the lower tail for accuracy.
///
/// # Panics
///
/// When `level` is not in (0, 1).
pub fn normal_quantile(level: f64) -> f64 {
    check_level(level);
    let standard = Normal::new(0.0, 1.0).expect("the standard normal is valid");
    -standard.inverse_cdf((1.0 - level) / 2.0)
}

/// Degrees of freedom above which [`t_quantile`] uses its asymptotic expansion: statrs inverts
/// the Student-t cdf accurately up to here, but loses digits from about 10⁵ on.
const T_EXPANSION_FROM: u64 = 1000;

/// The two-sided Student-t quantile t with P(|T| ≤ t) = `level` for ν = `degrees_of_freedom`:
/// 12.706 for ν = 1 at 0.95, 2.228 for ν = 10, tending to [`normal_quantile`] as ν grows.
///
/// # Formula
///
/// Up to ν = 1000, the statrs inverse cdf: t = −F⁻¹_ν((1 − level)/2). Above, the
/// Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5) about z = [`normal_quantile`]:
///
/// ```text
/// t ≈ z + g₁/ν + g₂/ν² + g₃/ν³ + g₄/ν⁴
/// g₁ = (z³ + z)/4
/// g₂ = (5z⁵ + 16z³ + 3z)/96
/// g₃ = (3z⁷ + 19z⁵ + 17z³ − 15z)/384
/// g₄ = (79z⁹ + 776z⁷ + 1482z⁵ − 1920z³ − 945z)/92160
/// ```
///
/// whose error at ν > 1000 is below 10⁻¹².
///
/// # Panics
///
/// When `level` is not in (0, 1) or `degrees_of_freedom` is 0.
pub fn t_quantile(level: f64, degrees_of_freedom: u64) -> f64 {
    check_level(level);
    assert!(
        degrees_of_freedom > 0,
        "the t distribution needs at least one degree of freedom"
    );
    if degrees_of_freedom <= T_EXPANSION_FROM {
        let t = StudentsT::new(0.0, 1.0, degrees_of_freedom as f64)
            .expect("positive degrees of freedom are valid");
        return -t.inverse_cdf((1.0 - level) / 2.0);
    }
    let z = normal_quantile(level);
    let nu = degrees_of_freedom as f64;
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / nu) / nu) / nu) / nu
}

/// The Wilson score interval (lo, hi) for a proportion, at two-sided `level`: good even for
/// 0 or all successes, where the normal ("Wald") interval collapses to a point.
///
/// # Formula
///
/// ```text
/// p̂ = s/n,  z = normal_quantile(level)
/// centre = (p̂ + z²/(2n)) / (1 + z²/n)
/// half   = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²))
/// (lo, hi) = (centre − half, centre + half)
/// ```
///
/// where s is `successes` and n is `trials`. With s = 0, lo = 0 and hi = z²/(n + z²). Without
/// trials it is (0, 1).
///
/// # Panics
///
/// When `level` is not in (0, 1) or `successes > trials`.
pub fn wilson(successes: u64, trials: u64, level: f64) -> (f64, f64) {
    check_level(level);
    assert!(
        successes <= trials,
        "wilson: {successes} successes out of {trials} trials"
    );
    if trials == 0 {
        return (0.0, 1.0);
    }
    let z = normal_quantile(level);
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2_over_n = z * z / n;
    let centre = (p + z2_over_n / 2.0) / (1.0 + z2_over_n);
    let half = z / (1.0 + z2_over_n) * (p * (1.0 - p) / n + z2_over_n / (4.0 * n)).sqrt();
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// The exact (Garwood) two-sided interval (lo, hi) for a Poisson rate at `level`, given
/// `count` events over `exposure` (in any time unit; the rate is per that unit).
///
/// # Formula
///
/// ```text
/// lo = χ²((1 − level)/2; 2k) / (2T)          (0 when k = 0)
/// hi = χ²((1 + level)/2; 2k + 2) / (2T)
/// ```
///
/// where k is `count`, T is `exposure` and χ²(p; ν) the chi-square quantile (statrs; for
/// ν = 2 the closed form −2·ln(1 − p)). With k = 0 at 95 %, hi = −ln(0.025)/T = 3.689/T.
///
/// # Panics
///
/// When `level` is not in (0, 1) or `exposure` is not positive and finite.
pub fn poisson_interval(count: u64, exposure: f64, level: f64) -> (f64, f64) {
    check_level(level);
    assert!(
        exposure > 0.0 && exposure.is_finite(),
        "poisson interval: exposure must be positive, got {exposure}"
    );
    let tail = (1.0 - level) / 2.0;
    let chi_squared = |p: f64, degrees_of_freedom: f64| {
        ChiSquared::new(degrees_of_freedom)
            .expect("positive degrees of freedom are valid")
            .inverse_cdf(p)
    };
    let low = if count == 0 {
        0.0
    } else {
        chi_squared(tail, 2.0 * count as f64) / (2.0 * exposure)
    };
    let high = if count == 0 {
        // χ²(1 − tail; 2) = −2·ln(tail), so hi = −ln(tail)/T.
        -tail.ln() / exposure
    } else {
        chi_squared(1.0 - tail, 2.0 * count as f64 + 2.0) / (2.0 * exposure)
    };
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::stats::test_support::*;

    #[test]
    fn normal_quantiles_match_tables() {
        // Φ⁻¹(0.975), Φ⁻¹(0.995), Φ⁻¹(0.9995) to 16 digits (mpmath).
        assert_close(normal_quantile(0.95), 1.959_963_984_540_054, 1e-15, "95 %");
        assert_close(normal_quantile(0.99), 2.575_829_303_548_901, 1e-15, "99 %");
        assert_close(
            normal_quantile(0.999),
            3.290_526_731_491_895,
            1e-14,
            "99.9 %",
        );
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Two-sided 95 % and 99.9 % Student-t quantiles (mpmath, 16 digits).
        let table = [
            (1, 12.706_204_736_174_705, 636.619_248_768_719_6),
            (2, 4.302_652_729_749_464, 31.599_054_576_443_62),
            (3, 3.182_446_305_283_709_6, 12.923_978_636_687_483),
            (10, 2.228_138_851_986_275, 4.586_893_858_702_636),
            (30, 2.042_272_456_301_238, 3.645_958_635_042_022),
            (100, 1.983_971_518_523_552_3, 3.390_491_311_164_23),
            (1000, 1.962_339_080_826_408_5, 3.300_282_648_423_913),
            // Above 1000 degrees of freedom, the Cornish–Fisher expansion.
            (1001, 1.962_336_705_280_88, 3.300_272_876_066_009),
            (5000, 1.960_438_551_706_508, 3.292_473_723_370_851),
            (1_000_000, 1.959_966_356_814_107, 3.290_536_461_248_691),
        ];
        for (degrees, t95, t999) in table {
            assert_close(
                t_quantile(0.95, degrees),
                t95,
                1e-11,
                &format!("t 95 % ν = {degrees}"),
            );
            assert_close(
                t_quantile(0.999, degrees),
                t999,
                1e-11,
                &format!("t 99.9 % ν = {degrees}"),
            );
        }
        assert_close(
            t_quantile(0.95, u64::MAX),
            normal_quantile(0.95),
            1e-15,
            "ν → ∞",
        );
    }

    #[test]
    fn wilson_intervals_match_hand_calculations() {
        // 0/100 at 95 %: lo = 0, hi = z²/(n + z²) = 3.841459/103.841459 = 0.036993498207.
        let (low, high) = wilson(0, 100, 0.95);
        assert_eq!(low, 0.0);
        assert_close(high, 0.036_993_498_206_985_68, 1e-13, "0/100 upper");
        // 100/100 mirrors it.
        let (low, high) = wilson(100, 100, 0.95);
        assert_close(low, 1.0 - 0.036_993_498_206_985_68, 1e-14, "100/100 lower");
        assert_eq!(high, 1.0);
        // 50/100: centre 0.5, half = z/(1 + z²/100)·√(0.0025 + z²/40000) = 0.0961684696340.
        let (low, high) = wilson(50, 100, 0.95);
        assert_close(low, 0.403_831_530_365_995_6, 1e-13, "50/100 lower");
        assert_close(high, 0.596_168_469_634_004_4, 1e-13, "50/100 upper");
        // 3/1000 at 99.9 % (mpmath).
        let (low, high) = wilson(3, 1000, 0.999);
        assert_close(low, 0.000_553_221_274_018_205_2, 1e-11, "3/1000 lower");
        assert_close(high, 0.016_094_094_978_357_975, 1e-12, "3/1000 upper");
        assert_eq!(wilson(0, 0, 0.95), (0.0, 1.0));
    }

    #[test]
    fn poisson_intervals_match_chi_square_tables() {
        // No events in T = 1 at 95 %: hi = −ln(0.025) = 3.688879454114.
        assert_eq!(poisson_interval(0, 1.0, 0.95).0, 0.0);
        assert_close(
            poisson_interval(0, 1.0, 0.95).1,
            3.688_879_454_113_936,
            1e-15,
            "k = 0",
        );
        // One-sided 95 % (two-sided 90 %): −ln(0.05) = 2.995732, the rule of three.
        assert_close(
            poisson_interval(0, 2.0, 0.90).1,
            2.995_732_273_553_991 / 2.0,
            1e-15,
            "rule of three",
        );
        // k = 2, T = 10: lo = χ²(0.025; 4)/20 = 0.484418557088/20, hi = χ²(0.975; 6)/20 =
        // 14.449375335448/20 (mpmath).
        let (low, high) = poisson_interval(2, 10.0, 0.95);
        assert_close(low, 0.024_220_927_854_396_49, 1e-9, "k = 2 lower");
        assert_close(high, 0.722_468_766_772_396, 1e-9, "k = 2 upper");
        // k = 7, T = 3 at 99.9 %: χ²(0.0005; 14)/6 and χ²(0.9995; 16)/6 (mpmath).
        let (low, high) = poisson_interval(7, 3.0, 0.999);
        assert_close(low, 0.449_454_662_539_483_8, 1e-9, "k = 7 lower");
        assert_close(high, 6.884_678_952_856_219, 1e-9, "k = 7 upper");
    }

    #[test]
    #[should_panic(expected = "confidence level")]
    fn rejects_a_level_of_one() {
        normal_quantile(1.0);
    }
}
