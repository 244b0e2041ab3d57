//! Poisson probabilities, tails and truncation points for uniformization.
//!
//! Probabilities are built outward from the mode by the ratios p(k+1)/p(k) = a/(k+1), the
//! mode's own term from ln p(m) = −a + m·ln a − ln m!, so no term is formed as a difference.
//! Upper tails are summed from the far end down, so P(X ≥ m) = 1e-30 keeps its digits.

/// Point probabilities p(k) = e^(−a) a^k / k! for k = 0..=last.
///
/// # Formula
/// p(k) = e^(−a) a^k / k!, where a is the mean; p(0) = 1 when a = 0.
pub(super) fn pmf(mean: f64, last: usize) -> Vec<f64> {
    let mut p = vec![0.0; last + 1];
    if mean <= 0.0 {
        p[0] = 1.0;
        return p;
    }
    let mode = mean.floor() as usize;
    let length = last.max(mode) + 1;
    let mut full = vec![0.0; length];
    let ln_mode =
        -mean + mode as f64 * mean.ln() - statrs::function::gamma::ln_gamma(mode as f64 + 1.0);
    full[mode] = ln_mode.exp();
    for k in mode..length - 1 {
        full[k + 1] = full[k] * mean / (k + 1) as f64;
    }
    for k in (1..=mode).rev() {
        full[k - 1] = full[k] * k as f64 / mean;
    }
    p.copy_from_slice(&full[..=last]);
    p
}

/// The smallest K with P(X > K) ≤ `epsilon`, for X ~ Poisson(`mean`).
///
/// # Formula
/// For K + 2 > a, P(X > K) ≤ p(K+1) / (1 − a/(K+2)) (a geometric bound on the ratios
/// p(k+1)/p(k) = a/(k+1)); K is the first point past the mode where that bound is ≤ ε.
pub(super) fn right_point(mean: f64, epsilon: f64) -> usize {
    if mean <= 0.0 {
        return 0;
    }
    let mode = mean.floor() as usize;
    let ln_mode =
        -mean + mode as f64 * mean.ln() - statrs::function::gamma::ln_gamma(mode as f64 + 1.0);
    let mut term = ln_mode.exp(); // p(k) for k = mode
    let mut k = mode;
    loop {
        let next = term * mean / (k + 1) as f64; // p(k+1)
        let ratio = mean / (k + 2) as f64;
        if ratio < 1.0 && next / (1.0 - ratio) <= epsilon {
            return k;
        }
        term = next;
        k += 1;
    }
}

/// Upper tails P(X ≥ m) for m = 0..=last, X ~ Poisson(`mean`).
///
/// # Formula
/// P(X ≥ m) = Σ_{k ≥ m} p(k), summed from K = max(last, right point for 1e-40) down, the rest
/// beyond K (below 1e-40) dropped.
pub(super) fn upper_tails(mean: f64, last: usize) -> Vec<f64> {
    let end = last.max(right_point(mean, 1e-40)) + 1;
    let p = pmf(mean, end);
    let mut tails = vec![0.0; end + 1];
    let mut sum = 0.0;
    for k in (0..=end).rev() {
        sum += p[k];
        tails[k] = sum;
    }
    tails.truncate(last + 1);
    tails[0] = 1.0; // exactly, where the sum above is one to rounding
    tails
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_probabilities_match_statrs() {
        use statrs::distribution::{Discrete, Poisson};
        for mean in [0.3, 7.5, 250.0, 86_400.0] {
            let reference = Poisson::new(mean).unwrap();
            let p = pmf(mean, (mean * 1.2) as usize + 10);
            for k in [
                0,
                1,
                (mean / 2.0) as usize,
                mean as usize,
                (mean * 1.1) as usize,
            ] {
                let expected = reference.pmf(k as u64);
                if expected > 1e-300 {
                    assert!(
                        ((p[k] - expected) / expected).abs() < 1e-8,
                        "a = {mean}, k = {k}: {} vs {expected}",
                        p[k]
                    );
                }
            }
        }
    }

    #[test]
    fn far_tails_keep_their_digits() {
        // P(X ≥ 20) for a = 1: e^-1 Σ_{k≥20} 1/k!, from 1/20! = 4.1103176233121648e-19
        // (20! = 2432902008176640000) and 1/(k+1)! = (1/k!)/(k+1), twenty terms.
        let mut term = 4.110317623312165e-19;
        let mut series = 0.0;
        for k in 20..40 {
            series += term;
            term /= (k + 1) as f64;
        }
        let series = series * (-1.0f64).exp();
        let tails = upper_tails(1.0, 25);
        assert!(
            ((tails[20] - series) / series).abs() < 1e-9,
            "{} vs {series}",
            tails[20]
        );
        assert_eq!(tails[0], 1.0);
        // P(X ≥ 1) = 1 − e^-a.
        assert!((tails[1] - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn right_point_bounds_the_tail() {
        for mean in [0.5, 10.0, 3000.0] {
            let k = right_point(mean, 1e-20);
            let tails = upper_tails(mean, k + 1);
            assert!(
                tails[k + 1] <= 1e-20,
                "a = {mean}: P(X > {k}) = {}",
                tails[k + 1]
            );
            assert!(
                tails[k] > 1e-21 || k <= mean as usize,
                "a = {mean}: K = {k} is not tight"
            );
        }
    }
}
