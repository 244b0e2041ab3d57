//! Closed forms for the time measures, each derived in its comment.

use super::*;
use crate::model::load::load_model;

fn load(text: &str) -> Model {
    match load_model("test.toml", text, &[]) {
        Ok(loaded) => loaded.model,
        Err(_) => panic!("invalid test model"),
    }
}

fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        ((actual - expected) / expected).abs() <= tolerance,
        "{what}: {actual} vs {expected}"
    );
}

fn mttff(text: &str) -> f64 {
    let model = load(text);
    first_outage(&model, model.top, None)
        .unwrap()
        .mttff_hours
        .unwrap()
}

#[test]
fn parallel_pair_mttff_is_three_lambda_plus_mu_over_two_lambda_squared() {
    // States by units down: 0 → 1 at 2λ, 1 → 0 at μ, 1 → 2 (down) at λ.
    // m₀ = 1/(2λ) + m₁, m₁ = 1/(λ+μ) + μ/(λ+μ)·m₀ ⇒ m₀ = (3λ + μ)/(2λ²).
    let (lambda, mu) = (1.0 / 1000.0, 1.0 / 10.0);
    let text = "top = \"pair\"\n[component.u]\nmtbf = \"1000h\"\nmttr = \"10h\"\n\
                [block.pair]\nkind = \"parallel\"\nof = \"u\"\ncount = 2\n";
    close(
        mttff(text),
        (3.0 * lambda + mu) / (2.0 * lambda * lambda),
        1e-12,
        "MTTFF",
    );
}

#[test]
fn cold_standby_pair_with_one_crew_mttff() {
    // Cold standby (dormant factor 0), instant failover, one crew. States: both good (the
    // active at λ, the spare at 0) → one good, one in repair: at λ; back at μ; the last one
    // failing (λ) is the outage. m₀ = 1/λ + m₁, m₁ = 1/(λ+μ) + μ/(λ+μ)·m₀
    // ⇒ m₀·λ/(λ+μ) = 1/λ + 1/(λ+μ) - 1/λ·μ/(λ+μ)… solved: m₀ = (2λ + μ)/λ².
    let (lambda, mu) = (1.0 / 500.0, 1.0 / 5.0);
    let text = "top = \"pair\"\n[component.u]\nmtbf = \"500h\"\nmttr = \"5h\"\n\
                [block.pair]\nkind = \"standby\"\nof = \"u\"\ncount = 2\nmode = \"cold\"\nrepair_crews = 1\n";
    close(
        mttff(text),
        (2.0 * lambda + mu) / (lambda * lambda),
        1e-12,
        "MTTFF",
    );
}

/// First passage of a birth–death chain from 0 to `down`: with a_i the rate up from i and
/// b_i the rate down, the mean time τ_i from i to i+1 is 1/a_i + (b_i/a_i)·τ_{i−1}
/// (leave i upward directly, or step down and come back), τ₀ = 1/a₀, and the MTTFF is
/// Σ_{i<down} τ_i.
fn birth_death_mttff(
    up: impl Fn(usize) -> f64,
    down_rate: impl Fn(usize) -> f64,
    down: usize,
) -> f64 {
    let mut tau = 0.0;
    let mut total = 0.0;
    for i in 0..down {
        tau = 1.0 / up(i) + down_rate(i) / up(i) * tau;
        total += tau;
    }
    total
}

#[test]
fn k_of_n_mttff_matches_the_birth_death_chain() {
    // 6-of-9 with one crew (models/erasure-6-3.toml): a_i = (9 − i)λ, b_i = μ (i ≥ 1); data
    // is lost at 4 down: the MTTDL.
    let lambda = 1.1408e-4;
    let mu = 1.0 / 12.0;
    let text = "top = \"stripe\"\n[component.node]\nfailure_rate = 1.1408e-4\nmttr = \"12h\"\n\
                [block.stripe]\nkind = \"k-of-n\"\nk = 6\nof = \"node\"\ncount = 9\nrepair_crews = 1\n";
    let expected = birth_death_mttff(
        |i| (9 - i) as f64 * lambda,
        |i| if i == 0 { 0.0 } else { mu },
        4,
    );
    close(mttff(text), expected, 1e-11, "MTTDL");
    // 2-of-3 with a crew per unit: a_i = (3 − i)λ, b_i = iμ; by hand m₀ = (5λ + μ)/(6λ²).
    let (lambda, mu) = (1.0 / 2000.0, 1.0 / 4.0);
    let text = "top = \"q\"\n[component.node]\nmtbf = \"2000h\"\nmttr = \"4h\"\n\
                [block.q]\nkind = \"k-of-n\"\nk = 2\nof = \"node\"\ncount = 3\n";
    close(
        mttff(text),
        (5.0 * lambda + mu) / (6.0 * lambda * lambda),
        1e-12,
        "2-of-3",
    );
}

#[test]
fn series_reliability_is_the_product_of_exponentials() {
    // A series of independent units is up over [0, T] only when none fails:
    // R(T) = Π e^(−λᵢT) = e^(−Σλᵢ·T); the unreliability is −expm1(−Σλᵢ·T).
    let text = "top = \"s\"\n[component.a]\nmtbf = \"1000h\"\nmttr = \"1h\"\n\
                [component.b]\nmtbf = \"250h\"\nmttr = \"3h\"\n\
                [block.s]\nkind = \"series\"\nmembers = [\"a\", \"b\"]\n";
    let model = load(text);
    for hours in [1.0, 100.0, 8766.0] {
        let mission = first_outage(&model, model.top, Some(hours))
            .unwrap()
            .mission
            .unwrap();
        let rate = 1.0 / 1000.0 + 1.0 / 250.0;
        close(mission.reliability, (-rate * hours).exp(), 1e-12, "R");
        close(
            mission.unreliability,
            -(-rate * hours).exp_m1(),
            1e-12,
            "1 − R",
        );
    }
    // A tiny rate: the unreliability keeps its digits (1 − R would be 0 or noise).
    let text = "top = \"s\"\n[component.a]\nfailure_rate = 1e-16\nmttr = \"1h\"\n\
                [block.s]\nkind = \"series\"\nmembers = [\"a\"]\n";
    let tiny = load(text);
    let mission = first_outage(&tiny, tiny.top, Some(100.0))
        .unwrap()
        .mission
        .unwrap();
    close(mission.unreliability, -(-1e-14f64).exp_m1(), 1e-12, "tiny");
}

/// P(Poisson(a) ≥ n), by statrs (an implementation independent of `poisson.rs`).
fn poisson_at_least(a: f64, n: u64) -> f64 {
    use statrs::distribution::{DiscreteCDF, Poisson};
    if n == 0 {
        return 1.0;
    }
    if a == 0.0 {
        return 0.0;
    }
    Poisson::new(a).unwrap().sf(n - 1)
}

fn poisson_pmf(a: f64, n: u64) -> f64 {
    use statrs::distribution::{Discrete, Poisson};
    if a == 0.0 {
        return if n == 0 { 1.0 } else { 0.0 };
    }
    Poisson::new(a).unwrap().pmf(n)
}

#[test]
fn one_unit_downtime_follows_takacs() {
    // Takács: one unit, up periods Exp(λ), down periods Exp(μ). Started up, its downtime in
    // [0, T] passes x during the (n+1)-th down period, n ~ Poisson(μx) down periods finished
    // by downtime x, after n+1 up periods, Gamma(n+1, λ) long; so
    //   P(D(T) > x) = Σₙ P(Poisson(μx) = n) · P(Poisson(λ(T−x)) ≥ n+1).
    // Started in the steady state it is down with probability λ/(λ+μ), and then only n up
    // periods come before the (n+1)-th down period: P(Poisson(λ(T−x)) ≥ n).
    let (lambda, mu, hours) = (1.0 / 100.0, 1.0 / 2.0, 720.0);
    let text = "top = \"s\"\n[component.a]\nmtbf = \"100h\"\nmttr = \"2h\"\n\
                [block.s]\nkind = \"series\"\nmembers = [\"a\"]\n";
    let model = load(text);
    for start in [WindowStart::New, WindowStart::Steady] {
        let settings = WindowSettings {
            hours,
            budget_hours: Some(10.0),
            start,
            work_limit: super::MAX_WINDOW_WORK,
        };
        let window = window(&model, model.top, settings).unwrap();
        for x in [0.5, 5.0, 10.0, 20.0, 40.0] {
            let u = lambda / (lambda + mu);
            let expected: f64 = (0..400)
                .map(|n| {
                    let up_first = poisson_at_least(lambda * (hours - x), n + 1);
                    let down_first = poisson_at_least(lambda * (hours - x), n);
                    let mix = match start {
                        WindowStart::New => up_first,
                        WindowStart::Steady => (1.0 - u) * up_first + u * down_first,
                    };
                    poisson_pmf(mu * x, n) * mix
                })
                .sum();
            let (actual, bound) = window.exceedance_at(x);
            assert!(bound < 1e-20);
            close(actual, expected, 1e-9, &format!("{start:?} P(D > {x})"));
        }
        if start == WindowStart::Steady {
            close(
                window.downtime_hours.mean.unwrap(),
                lambda / (lambda + mu) * hours,
                1e-12,
                "mean",
            );
        }
    }
}

#[test]
fn the_mean_from_new_integrates_the_transient_unavailability() {
    // One unit started up: P(down at t) = λ/(λ+μ)(1 − e^−(λ+μ)t), so
    // E[D(T)] = λ/(λ+μ)·(T − (1 − e^−(λ+μ)T)/(λ+μ)).
    let (lambda, mu, hours) = (1.0 / 100.0, 1.0 / 2.0, 720.0);
    let text = "top = \"s\"\n[component.a]\nmtbf = \"100h\"\nmttr = \"2h\"\n\
                [block.s]\nkind = \"series\"\nmembers = [\"a\"]\n";
    let model = load(text);
    let settings = WindowSettings {
        hours,
        budget_hours: None,
        start: WindowStart::New,
        work_limit: super::MAX_WINDOW_WORK,
    };
    let window = window(&model, model.top, settings).unwrap();
    let s = lambda + mu;
    let expected = lambda / s * (hours + (-s * hours).exp_m1() / s);
    close(window.downtime_hours.mean.unwrap(), expected, 1e-7, "mean");
}
