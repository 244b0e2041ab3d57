//! Published exact values from the rare-event literature, solved by `nines solve` from the
//! example models in `models/`.
//!
//! The "database" availability benchmark (Goyal et al. 1992, IEEE Trans. Computers 41(1);
//! the benchmark of the DFTRES and FIG rare-event tools): exact unavailability 4.661e-9
//! (r = 3), 7.654e-12 (r = 4), 1.691e-14 (r = 5), as published to four digits. The test
//! also derives the value to full precision by hand: every group has its own repairer, so
//! groups are independent birth–death chains.

use nines::model::load::load_model;
use nines::solve::solve;

/// Unavailability of `n` identical units with failure rate λ, one repairer of rate μ, down
/// when at least `down_at` units are down.
///
/// # Derivation
/// With d units down, failures occur at (n − d)λ and repairs at μ (one repairer), so
/// π_d ∝ Π_{i=1..d} (n − i + 1)λ/μ; U = Σ_{d ≥ down_at} π_d / Σ_d π_d.
fn birth_death_unavailability(n: u32, down_at: u32, lambda: f64, mu: f64) -> f64 {
    let mut weights = vec![1.0];
    for d in 1..=n {
        let previous = weights[d as usize - 1];
        weights.push(previous * f64::from(n - d + 1) * lambda / mu);
    }
    let total: f64 = weights.iter().sum();
    weights[down_at as usize..].iter().sum::<f64>() / total
}

/// The system is the series of 6 clusters, 2 controller types and 2 processor types:
/// U = 1 − Π(1 − U_g) = −expm1(Σ ln(1 − U_g)), computed without cancellation.
fn database_unavailability(r: u32) -> f64 {
    let (disk, unit, repair) = (1.0 / 6000.0, 1.0 / 2000.0, 1.0);
    let cluster = birth_death_unavailability(r + 2, r, disk, repair);
    let group = birth_death_unavailability(r, r, unit, repair);
    let log_up = 6.0 * (-cluster).ln_1p() + 4.0 * (-group).ln_1p();
    -log_up.exp_m1()
}

#[test]
fn database_benchmark_matches_the_published_exact_values() {
    for (r, published) in [(3, 4.661e-9_f64), (4, 7.654e-12), (5, 1.691e-14)] {
        let file = format!("database-r{r}.toml");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models")
            .join(&file);
        let text = std::fs::read_to_string(path).expect("example model");
        let model = load_model(&file, &text, &[]).ok().expect("valid").model;
        let u = solve(&model).expect("solvable").system.unavailability;
        // Four published digits: within half a unit of the last one, 0.5 · 10^(e − 3) for
        // a value of decimal exponent e.
        let half_unit = 0.5 * 10f64.powf(published.log10().floor() - 3.0);
        assert!(
            (u - published).abs() <= half_unit,
            "r = {r}: {u:e} against the published {published:e}"
        );
        let derived = database_unavailability(r);
        assert!(
            ((u - derived) / derived).abs() < 1e-12,
            "r = {r}: {u:e} against the derived {derived:e}"
        );
    }
}
