//! The exact time measures (`solve --mission`, `--window`, the `first outage` column, and
//! `check` on `max_breach_probability`) against an independent brute-force computation, the
//! simulator, and the example models.

use crate::common::{json_lines, model_file, nines, path};
use nines::model::load::load_model;
use nines::solve::transient::{WindowSettings, WindowStart, window};

/// 2-of-3 with one repair crew: the chain by number of units down, i = 0..3, fails at
/// (3 − i)λ and is repaired at μ (one crew); down from i = 2.
const TWO_OF_THREE: &str = "name = \"q\"\ntop = \"q\"\n[target]\navailability = \"99.9%\"\n\
    [component.node]\nmtbf = \"200h\"\nmttr = \"10h\"\n\
    [block.q]\nkind = \"k-of-n\"\nk = 2\nof = \"node\"\ncount = 3\nrepair_crews = 1\n";

/// P(Poisson(a) = n) for n = 0..=last, by the plain recursion from e^(−a) (a ≤ 700 here).
fn poisson(a: f64, last: usize) -> Vec<f64> {
    let mut p = vec![(-a).exp()];
    for n in 1..=last {
        let previous = p[n - 1];
        p.push(previous * a / n as f64);
    }
    p
}

/// P(Binomial(n, u) ≤ k) by summing the terms, each from ln C(n, j) by a running sum of logs.
fn binomial_at_most(n: usize, u: f64, k: usize) -> f64 {
    if u == 0.0 {
        return 1.0;
    }
    let mut ln_choose = 0.0;
    let mut total = 0.0;
    for j in 0..=k.min(n) {
        if j > 0 {
            ln_choose += ((n - j + 1) as f64).ln() - (j as f64).ln();
        }
        total += (ln_choose + j as f64 * u.ln() + (n - j) as f64 * (-u).ln_1p()).exp();
    }
    total
}

/// The brute-force reference (de Souza e Silva and Gail): uniformize the whole chain with one
/// rate Λ; given n jumps in [0, T], the n + 1 sojourns are the spacings of n uniform points,
/// so with k of the visited states X₀…Xₙ down the downtime is T·Beta(k, n + 1 − k), and
/// P(D > x | n, k) = P(Binomial(n, x/T) ≤ k − 1). K is counted along the jump chain.
// Written with indices, as the formula reads.
#[allow(clippy::needless_range_loop)]
fn reference_exceedance(
    rates: &[Vec<(usize, f64)>],
    down: &[bool],
    start: &[f64],
    hours: f64,
    x: f64,
) -> f64 {
    let states = rates.len();
    let lambda = rates
        .iter()
        .map(|row| row.iter().map(|(_, r)| r).sum::<f64>())
        .fold(0.0, f64::max);
    let last = (lambda * hours + 12.0 * (lambda * hours).sqrt() + 30.0) as usize;
    let weights = poisson(lambda * hours, last);
    // f[s][k] = P(X_n = s, k of X₀…Xₙ down).
    let mut f = vec![vec![0.0; last + 3]; states];
    for s in 0..states {
        f[s][usize::from(down[s])] = start[s];
    }
    let mut total = 0.0;
    for (n, weight) in weights.iter().enumerate() {
        for k in 1..=n + 1 {
            let p: f64 = (0..states).map(|s| f[s][k]).sum();
            if p == 0.0 {
                continue;
            }
            let given = if k == n + 1 {
                1.0
            } else {
                binomial_at_most(n, x / hours, k - 1)
            };
            total += weight * p * given;
        }
        let mut next = vec![vec![0.0; last + 3]; states];
        for s in 0..states {
            let exit: f64 = rates[s].iter().map(|(_, r)| r).sum();
            for k in 0..=n + 1 {
                let p = f[s][k];
                if p == 0.0 {
                    continue;
                }
                let stay = 1.0 - exit / lambda;
                next[s][k + usize::from(down[s])] += p * stay;
                for (to, rate) in &rates[s] {
                    next[*to][k + usize::from(down[*to])] += p * rate / lambda;
                }
            }
        }
        f = next;
    }
    total
}

#[test]
fn window_downtime_matches_brute_force_uniformization_from_both_starts() {
    let model = load_model("q.toml", TWO_OF_THREE, &[])
        .ok()
        .expect("valid model")
        .model;
    let (lambda, mu) = (1.0 / 200.0, 1.0 / 10.0);
    // The hand-written chain of TWO_OF_THREE.
    let rates = vec![
        vec![(1, 3.0 * lambda)],
        vec![(2, 2.0 * lambda), (0, mu)],
        vec![(3, lambda), (1, mu)],
        vec![(2, mu)],
    ];
    let down = [false, false, true, true];
    // Stationary law of the birth–death chain: π_{i+1}/π_i = (3 − i)λ/μ.
    let mut pi = vec![1.0];
    for i in 0..3 {
        let next = pi[i] * (3 - i) as f64 * lambda / mu;
        pi.push(next);
    }
    let sum: f64 = pi.iter().sum();
    pi.iter_mut().for_each(|p| *p /= sum);
    let hours = 720.0;
    for (start, initial) in [
        (WindowStart::New, vec![1.0, 0.0, 0.0, 0.0]),
        (WindowStart::Steady, pi.clone()),
    ] {
        let settings = WindowSettings {
            hours,
            budget_hours: Some(0.72),
            start,
            work_limit: nines::solve::transient::MAX_WINDOW_WORK,
        };
        let exact = window(&model, model.top, settings).expect("window");
        for x in [0.0, 0.72, 5.0, 20.0, 60.0] {
            let expected = reference_exceedance(&rates, &down, &initial, hours, x);
            let (actual, bound) = exact.exceedance_at(x);
            assert!(bound < 1e-20, "bound {bound}");
            assert!(
                ((actual - expected) / expected).abs() < 1e-8,
                "{start:?}, x = {x}: {actual} vs reference {expected}"
            );
        }
        let breach = exact.breach_probability.expect("a target");
        let expected = reference_exceedance(&rates, &down, &initial, hours, 0.72);
        assert!(((breach - expected) / expected).abs() < 1e-8);
    }
}

/// The value and the half-width of a 99.9 % interval from a simulated 95 % interval.
fn wide_interval(value: &serde_json::Value, interval: &serde_json::Value) -> (f64, f64) {
    let low = interval[0].as_f64().unwrap();
    let high = interval[1].as_f64().unwrap();
    (value.as_f64().unwrap(), (high - low) / 2.0 * 3.2905 / 1.96)
}

#[test]
fn simulation_agrees_with_the_exact_window_and_mission() {
    let (_dir, file) = model_file("q.toml", TWO_OF_THREE);
    let exact = nines()
        .args([
            "solve",
            "--window",
            "30d",
            "--window-start",
            "new",
            "--mission",
            "30d",
        ])
        .args(["--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        exact.status.success(),
        "{}",
        String::from_utf8_lossy(&exact.stderr)
    );
    let exact = &json_lines(&exact.stdout)[0];
    // Each run is a new system over one 30-day window: the window starts new, and P(no outage
    // in the run) is the reliability over a 30-day mission.
    let simulated = nines()
        .args([
            "simulate",
            "--runs",
            "20000",
            "--seed",
            "7",
            "--horizon",
            "30d",
            "--window",
            "30d",
        ])
        .args(["--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        simulated.status.success(),
        "{}",
        String::from_utf8_lossy(&simulated.stderr)
    );
    let simulated = &json_lines(&simulated.stdout)[0];
    let (breach, half) = wide_interval(
        &simulated["breach_probability"],
        &simulated["breach_probability_ci95"],
    );
    let exact_breach = exact["breach_probability"].as_f64().unwrap();
    assert!(
        (breach - exact_breach).abs() <= half,
        "simulated breach {breach} ± {half} vs exact {exact_breach}"
    );
    let (free, half) = wide_interval(
        &simulated["outage_free_probability"],
        &simulated["outage_free_probability_ci95"],
    );
    let reliability = exact["reliability"].as_f64().unwrap();
    assert!(
        (free - reliability).abs() <= half,
        "simulated P(no outage) {free} ± {half} vs exact R {reliability}"
    );
    // The exact breach is in the range the simulation can see at all.
    assert!(exact_breach > 0.01 && exact_breach < 0.99, "{exact_breach}");
}

#[test]
fn erasure_stripe_prints_its_annual_data_loss_probability_and_mttdl() {
    let output = nines()
        .args(["solve", "--mission", "1y", "--format", "json"])
        .arg(path("models/erasure-6-3.toml"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let result = &json_lines(&output.stdout)[0];
    // MTTDL of 6-of-9 with one crew (a birth–death chain, τ_i = 1/a_i + (b_i/a_i)·τ_{i−1},
    // a_i = (9 − i)λ, b_i = μ for i ≥ 1, data lost at 4 down).
    let (lambda, mu) = (1.1408e-4, 1.0 / 12.0);
    let mut tau = 0.0;
    let mut mttdl = 0.0;
    for i in 0..4 {
        let up = (9 - i) as f64 * lambda;
        let back = if i == 0 { 0.0 } else { mu };
        tau = 1.0 / up + back / up * tau;
        mttdl += tau;
    }
    let actual = result["mttff_hours"].as_f64().unwrap();
    assert!(
        ((actual - mttdl) / mttdl).abs() < 1e-10,
        "{actual} vs {mttdl}"
    );
    // The loss over a year is rare: about T/MTTDL, and summed directly, with its digits.
    let loss = result["unreliability"].as_f64().unwrap();
    assert!((loss / (8766.0 / mttdl) - 1.0).abs() < 0.01, "{loss}");
    assert_eq!(result["mission_hours"].as_f64(), Some(8766.0));
    assert!((result["durability_nines"].as_f64().unwrap() + loss.log10()).abs() < 1e-12);
    let table = nines()
        .args(["solve", "--mission", "1y"])
        .arg(path("models/erasure-6-3.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("first outage"), "{text}");
    assert!(
        text.contains("mission         365d: P(outage) 7.569e-6"),
        "{text}"
    );
}

#[test]
fn a_monthly_sla_model_prints_the_exact_breach_probability() {
    let output = nines()
        .arg("solve")
        .arg(path("models/web-pool-sla.toml"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("SLA window      30d: P(breach) "), "{text}");
    assert!(text.contains("window downtime p50 0"), "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("exponential times with the same means"),
        "{stderr}"
    );
}

#[test]
fn check_judges_the_breach_probability_exactly() {
    let (_dir, file) = model_file(
        "q.toml",
        &TWO_OF_THREE.replace(
            "availability = \"99.9%\"",
            "availability = \"98%\"\nwindow = \"30d\"\nmax_breach_probability = \"1%\"",
        ),
    );
    let output = nines().arg("check").arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // U ≈ 0.0136 meets 98 %, but a 30-day window breaches its 14.4 h budget far more often
    // than 1 % of the time.
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("meets target 98%; P(a 30d window breaches) = "),
        "{stdout}"
    );
    assert!(stdout.contains("is above the limit 1%"), "{stdout}");
}

#[test]
fn bad_time_options_exit_2() {
    for (option, value) in [("--mission", "soon"), ("--window", "0h")] {
        let output = nines()
            .args(["solve", option, value])
            .arg(path("models/erasure-6-3.toml"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(option), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
