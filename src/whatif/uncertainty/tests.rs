//! Posterior sampling against closed forms, the Latin hypercube, ranks and determinism.

use super::*;
use crate::model::load::load_model;
use statrs::distribution::{ChiSquared, Gamma};

/// One component `a` (MTBF 1000 h, MTTR 2 h) in a series system, with `extra` in its table.
fn single(extra: &str, target: &str) -> Model {
    let text = format!(
        "top = \"system\"\n{target}\n[component.a]\nmtbf = \"1000h\"\nmttr = \"2h\"\n{extra}\n\
         [block.system]\nkind = \"series\"\nmembers = [\"a\"]\n"
    );
    match load_model("u.toml", &text, &[]) {
        Ok(loaded) => loaded.model,
        Err(invalid) => panic!("{:#?}", invalid.diagnostics),
    }
}

fn settings(samples: usize) -> Settings {
    Settings {
        samples,
        seed: 3,
        threads: 2,
    }
}

#[test]
fn the_failure_rate_posterior_has_the_gamma_moments() {
    // n = 3 failures in T = 2000 h: λ ~ Gamma(3.5, 2000), mean 1.75e-3, variance 3.5/2000².
    let model = single(
        "[component.a.evidence]\nfailures = 3\nexposure = \"2000h\"",
        "",
    );
    let parameters = parameters(&model);
    assert_eq!(parameters.len(), 1);
    let points = latin_hypercube(&parameters, 20_000, 1);
    let lambdas: Vec<f64> = points
        .iter()
        .map(|u| 1.0 / parameters[0].value(u))
        .collect();
    let mean = lambdas.iter().sum::<f64>() / lambdas.len() as f64;
    let variance = lambdas.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lambdas.len() as f64;
    assert!((mean / 1.75e-3 - 1.0).abs() < 1e-3, "mean {mean}");
    assert!(
        (variance / (3.5 / 4e6) - 1.0).abs() < 1e-2,
        "variance {variance}"
    );
}

#[test]
fn the_odds_of_a_single_unit_follow_the_gamma_cdf() {
    // U = λ/(λ + μ) ≤ t ⇔ λ ≤ μt/(1 − t): P(meets t) is the posterior's CDF there. With
    // μ = 0.5 /h and t = 1e-3 (99.9 %): λ ≤ 5.005e-4, and λ ~ Gamma(2.5, 4000 h).
    let model = single(
        "[component.a.evidence]\nfailures = 2\nexposure = \"4000h\"",
        "[target]\navailability = \"99.9%\"",
    );
    let result = uncertainty(&model, settings(10_000)).unwrap();
    let exact = Gamma::new(2.5, 4000.0)
        .unwrap()
        .cdf(0.5 * 1e-3 / (1.0 - 1e-3));
    let odds = result.target.unwrap();
    // One dimension: the hypercube's strata put the estimate within 1/N of the truth.
    assert!(
        (odds.probability - exact).abs() <= 1e-4 + 1e-12,
        "{} vs {exact}",
        odds.probability
    );
    assert!(odds.interval.0 <= exact && exact <= odds.interval.1);
    assert_eq!(result.drivers[0].parameter, "component.a.mtbf");
    // A longer MTBF lowers U: a strong negative rank correlation.
    assert!(
        result.drivers[0].index < -0.99,
        "{}",
        result.drivers[0].index
    );
}

#[test]
fn a_range_puts_its_ends_at_the_5th_and_95th_percentiles() {
    let model = single("[component.a.uncertainty]\nmttr = [\"1h\", \"9h\"]", "");
    let parameter = &parameters(&model)[0];
    assert_eq!(parameter.figure, Figure::Mttr);
    assert!((parameter.value(&[0.05]) - 1.0).abs() < 1e-9);
    assert!((parameter.value(&[0.95]) - 9.0).abs() < 1e-9);
    assert!((parameter.value(&[0.5]) - 3.0).abs() < 1e-9); // the geometric middle
}

#[test]
fn the_repair_posterior_is_the_log_normal_mean_of_its_draw() {
    // Repairs 1 h, 2 h, 4 h: logs 0, ln 2, 2 ln 2; ȳ = ln 2, Σ(y − ȳ)² = 2 ln²2.
    // At u = (0.5, 0.5): σ² = 2 ln²2 / χ²_{0.5}(2) and μ = ȳ, so MTTR = exp(ln 2 + σ²/2).
    let model = single(
        "[component.a.evidence]\nfailures = 3\nexposure = \"3000h\"\nrepairs = [\"1h\", \"2h\", \"4h\"]",
        "",
    );
    let parameters = parameters(&model);
    assert_eq!(parameters.len(), 2);
    let ln2 = 2f64.ln();
    let variance = 2.0 * ln2 * ln2 / ChiSquared::new(2.0).unwrap().inverse_cdf(0.5);
    let expected = (ln2 + variance / 2.0).exp();
    assert!((parameters[1].value(&[0.5, 0.5]) - expected).abs() < 1e-12 * expected);
}

#[test]
fn the_hypercube_has_one_point_per_stratum_in_every_dimension() {
    let model = single(
        "[component.a.uncertainty]\nmtbf = [\"500h\", \"2000h\"]\nmttr = [\"1h\", \"3h\"]",
        "",
    );
    let points = latin_hypercube(&parameters(&model), 50, 9);
    for dimension in 0..2 {
        let mut strata: Vec<usize> = points
            .iter()
            .map(|p| (p[dimension] * 50.0) as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..50).collect::<Vec<_>>());
    }
}

#[test]
fn the_same_seed_gives_the_same_samples_on_any_threads() {
    let model = single(
        "[component.a.uncertainty]\nmtbf = [\"500h\", \"2000h\"]",
        "",
    );
    let one = uncertainty(
        &model,
        Settings {
            threads: 1,
            ..settings(500)
        },
    )
    .unwrap();
    let two = uncertainty(
        &model,
        Settings {
            threads: 2,
            ..settings(500)
        },
    )
    .unwrap();
    assert_eq!(one.samples, two.samples);
}

#[test]
fn ranks_share_ties_and_spearman_sees_monotone_relations() {
    assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    let x = [1.0, 2.0, 3.0, 4.0];
    assert!((spearman(&x, &[1.0, 8.0, 27.0, 64.0]) - 1.0).abs() < 1e-15);
    assert!((spearman(&x, &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-15);
    assert_eq!(spearman(&x, &[5.0; 4]), 0.0);
    // Type-7 quantiles of 1..=5: p5 = 1.2, p50 = 3, p95 = 4.8.
    let summary = summary(&[5.0, 1.0, 4.0, 2.0, 3.0]);
    assert!(
        (summary.p5 - 1.2).abs() < 1e-12 && summary.p50 == 3.0 && (summary.p95 - 4.8).abs() < 1e-12
    );
}

#[test]
fn a_beta_from_a_range_puts_its_percentiles_at_the_ends_closed_forms() {
    // Closed forms: Beta(1, 1) is uniform, percentiles 0.05 and 0.95; Beta(2, 1) has CDF x²,
    // so Q(p) = √p: [√0.05, √0.95]; Beta(1, 3) has CDF 1 − (1 − x)³, so
    // Q(p) = 1 − (1 − p)^(1/3): [1 − 0.95^(1/3), 1 − 0.05^(1/3)].
    let cases = [
        ((0.05, 0.95), (1.0, 1.0)),
        ((0.05f64.sqrt(), 0.95f64.sqrt()), (2.0, 1.0)),
        ((1.0 - 0.95f64.cbrt(), 1.0 - 0.05f64.cbrt()), (1.0, 3.0)),
    ];
    for ((low, high), (alpha, beta)) in cases {
        let (a, b) = super::beta_from_range(low, high);
        assert!(
            (a - alpha).abs() < 1e-6 * alpha && (b - beta).abs() < 1e-6 * beta,
            "[{low}, {high}]: ({a}, {b}) instead of ({alpha}, {beta})"
        );
    }
    // A narrow range of a coverage: the percentiles land on the ends.
    let (a, b) = super::beta_from_range(0.9, 0.99);
    let fitted = statrs::distribution::Beta::new(a, b).unwrap();
    use statrs::distribution::ContinuousCDF;
    assert!((fitted.inverse_cdf(0.05) - 0.9).abs() < 1e-9);
    assert!((fitted.inverse_cdf(0.95) - 0.99).abs() < 1e-9);
}
