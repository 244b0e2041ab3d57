//! Hand-derived closed forms against the solver, through the public API on model text.
//! Each expected value is derived in a comment from first principles, independently of the
//! solver's code paths.

use nines::model::load::load_model;
use nines::solve::{Measures, solve};

fn solve_text(text: &str) -> Measures {
    let loaded = match load_model("test.toml", text, &[]) {
        Ok(loaded) => loaded,
        Err(invalid) => panic!("invalid model: {:?}", invalid.diagnostics),
    };
    solve(&loaded.model).expect("solvable").system
}

fn assert_relative(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let error = ((actual - expected) / expected).abs();
    assert!(
        error <= tolerance,
        "{what}: actual {actual:e}, expected {expected:e}, relative error {error:e}"
    );
}

/// λ = 1/MTBF, μ = 1/MTTR; a unit alone has U = λ/(λ+μ), A = μ/(λ+μ), f = λμ/(λ+μ).
fn unit(mtbf: f64, mttr: f64) -> (f64, f64, f64) {
    let (l, m) = (1.0 / mtbf, 1.0 / mttr);
    (l / (l + m), m / (l + m), l * m / (l + m))
}

#[test]
fn series_of_non_identical_units() {
    // Series: A = A1·A2·A3, U = 1 − A; f = Σ fᵢ Π_{j≠i} Aⱼ (a failure of i takes the system
    // down exactly when the others are up).
    let measures = solve_text(
        r#"
        [component.a]
        mtbf = "1000h"
        mttr = "5h"
        [component.b]
        mtbf = "20000h"
        mttr = "2h"
        [component.c]
        mtbf = "300h"
        mttr = "30m"
        [block.system]
        kind = "series"
        members = ["a", "b", "c"]
        "#,
    );
    let (_, a1, f1) = unit(1000.0, 5.0);
    let (_, a2, f2) = unit(20000.0, 2.0);
    let (_, a3, f3) = unit(300.0, 0.5);
    assert_relative(measures.availability, a1 * a2 * a3, 1e-14, "A");
    assert_relative(measures.unavailability, 1.0 - a1 * a2 * a3, 1e-12, "U");
    assert_relative(
        measures.frequency,
        f1 * a2 * a3 + f2 * a1 * a3 + f3 * a1 * a2,
        1e-13,
        "f",
    );
}

#[test]
fn parallel_of_non_identical_units() {
    // Parallel: U = U1·U2; f = f1·U2 + f2·U1 (a failure of one unit brings the pair down
    // exactly when the other is already down).
    let measures = solve_text(
        r#"
        [component.a]
        mtbf = "1000h"
        mttr = "5h"
        [component.b]
        failure_rate = 0.002
        repair_rate = 0.1
        [block.system]
        kind = "parallel"
        members = ["a", "b"]
        "#,
    );
    let (u1, _, f1) = unit(1000.0, 5.0);
    let (u2, _, f2) = unit(500.0, 10.0);
    assert_relative(measures.unavailability, u1 * u2, 1e-14, "U");
    assert_relative(measures.frequency, f1 * u2 + f2 * u1, 1e-14, "f");
}

#[test]
fn three_of_five_identical_units() {
    // k-of-n, k = 3, n = 5: down when 3 or more of 5 are down:
    // U = Σ_{j=3}^{5} C(5,j) uʲ a⁵⁻ʲ. A unit is critical when exactly 2 of the other 4 are down
    // (so exactly 3 are up including it): f = 5 · f₁ · C(4,2) u² a².
    let measures = solve_text(
        r#"
        [component.node]
        mtbf = "2000h"
        mttr = "12h"
        [block.system]
        kind = "k-of-n"
        k = 3
        of = "node"
        count = 5
        "#,
    );
    let (u, a, f1) = unit(2000.0, 12.0);
    let expected_u = 10.0 * u.powi(3) * a * a + 5.0 * u.powi(4) * a + u.powi(5);
    assert_relative(measures.unavailability, expected_u, 1e-13, "U");
    assert_relative(
        measures.frequency,
        5.0 * f1 * 6.0 * u * u * a * a,
        1e-13,
        "f",
    );
}

#[test]
fn quorum_of_five_is_three_of_five() {
    let quorum = solve_text(
        r#"
        [component.node]
        mtbf = "2000h"
        mttr = "12h"
        [block.system]
        kind = "quorum"
        of = "node"
        count = 5
        "#,
    );
    let (u, a, _) = unit(2000.0, 12.0);
    let expected_u = 10.0 * u.powi(3) * a * a + 5.0 * u.powi(4) * a + u.powi(5);
    assert_relative(quorum.unavailability, expected_u, 1e-13, "U");
}

#[test]
fn cold_standby_pair_with_one_crew() {
    // States by number of units down: 0 →λ→ 1 →λ→ 2 (the standby never fails while cold; the
    // failover is instantaneous and always works), repairs 1 →μ→ 0, 2 →μ→ 1 (one crew).
    // Balance: π₁ = (λ/μ)π₀, π₂ = (λ/μ)²π₀, so U = π₂ = λ²/(μ² + λμ + λ²).
    // f = π₁ · λ (the only up→down transition is 1 → 2) = λ²μ/(μ² + λμ + λ²).
    let measures = solve_text(
        r#"
        [component.node]
        mtbf = "1000h"
        mttr = "10h"
        [block.system]
        kind = "standby"
        mode = "cold"
        of = "node"
        count = 2
        repair_crews = 1
        "#,
    );
    let (l, m) = (1e-3, 0.1);
    let denominator = m * m + l * m + l * l;
    assert_relative(measures.unavailability, l * l / denominator, 1e-13, "U");
    assert_relative(measures.frequency, l * l * m / denominator, 1e-13, "f");
}

#[test]
fn hot_pair_with_imperfect_coverage() {
    // Hot pair, covered failover instantaneous, uncovered failover manual with mean 1/δ,
    // unlimited repair. States: 0 both up; 1 one down, active up; M manual switchover running
    // (one down); 2 both down.
    // 0→1 at λ(1+c) (standby fails, or active fails and is covered); 0→M at (1−c)λ;
    // 1→0 at μ; 1→2 at λ; M→1 at δ; M→0 at μ (the repaired unit becomes active at once);
    // M→2 at λ (the standby fails, the switchover is abandoned); 2→1 at 2μ.
    // With π₀ = 1: π_M = (1−c)λ/(δ+μ+λ) (balance of M);
    // balance of 0: 2λ = μ(π₁ + π_M), so π₁ = 2λ/μ − π_M;
    // balance of 2: 2μπ₂ = λ(π₁ + π_M) = 2λ²/μ, so π₂ = ρ², ρ = λ/μ.
    // Total = 1 + π₁ + π_M + π₂ = (1+ρ)². U = (π_M + ρ²)/(1+ρ)²,
    // f = ((1−c)λ + λπ₁)/(1+ρ)².
    let measures = solve_text(
        r#"
        [component.node]
        mtbf = "2000h"
        mttr = "8h"
        [block.system]
        kind = "standby"
        mode = "hot"
        of = "node"
        count = 2
        failover = "0s"
        coverage = 0.9
        manual_failover = "30m"
        "#,
    );
    let (l, m, c, d) = (1.0 / 2000.0, 1.0 / 8.0, 0.9, 2.0);
    let rho = l / m;
    let pi_manual = (1.0 - c) * l / (d + m + l);
    let pi_one = 2.0 * rho - pi_manual;
    let total = (1.0 + rho) * (1.0 + rho);
    assert_relative(
        measures.unavailability,
        (pi_manual + rho * rho) / total,
        1e-12,
        "U",
    );
    assert_relative(
        measures.frequency,
        ((1.0 - c) * l + l * pi_one) / total,
        1e-12,
        "f",
    );
}

#[test]
fn beta_factor_common_cause_on_two_of_three() {
    // Each member fails at λ' = (1−β)λ; the common-cause element (rate βλ, repair μ) is in
    // series with the 2-of-3 block. Inner: U_in = 3u²a + u³, f_in = 3·f'·C(2,1)·u·a with
    // u = λ'/(λ'+μ). Element: U_c = βλ/(βλ+μ), f_c = βλμ/(βλ+μ).
    // Series: U = 1 − A_in·A_c, f = f_in·A_c + f_c·A_in.
    let measures = solve_text(
        r#"
        [component.sensor]
        mtbf = "10000h"
        mttr = "8h"
        [block.system]
        kind = "k-of-n"
        k = 2
        of = "sensor"
        count = 3
        common_cause_beta = 0.1
        "#,
    );
    let (l, m, beta) = (1e-4, 0.125, 0.1);
    let lp = (1.0 - beta) * l;
    let (u, a) = (lp / (lp + m), m / (lp + m));
    let f_member = lp * m / (lp + m);
    let u_in = 3.0 * u * u * a + u * u * u;
    let a_in = a * a * a + 3.0 * a * a * u;
    let f_in = 6.0 * f_member * u * a;
    let (u_c, a_c) = (beta * l / (beta * l + m), m / (beta * l + m));
    let f_c = beta * l * m / (beta * l + m);
    assert_relative(measures.unavailability, u_in + u_c - u_in * u_c, 1e-12, "U");
    assert_relative(measures.frequency, f_in * a_c + f_c * a_in, 1e-12, "f");
}

#[test]
fn shared_unit_is_not_counted_twice() {
    // Two servers in parallel, each in series with the same shared switch s:
    // the system is up iff s is up and at least one server is up.
    // U = U_s + A_s·U₁². The switch is critical when at least one server is up, a server when
    // the switch is up and the other server down: f = f_s·(1 − U₁²) + 2·f₁·U₁·A_s.
    let measures = solve_text(
        r#"
        [component.switch]
        mtbf = "50000h"
        mttr = "4h"
        shared = true
        [component.server]
        mtbf = "3000h"
        mttr = "6h"
        [block.leg]
        kind = "series"
        members = ["switch", "server"]
        [block.system]
        kind = "parallel"
        of = "leg"
        count = 2
        "#,
    );
    let (u_s, a_s, f_s) = unit(50000.0, 4.0);
    let (u_1, _, f_1) = unit(3000.0, 6.0);
    assert_relative(measures.unavailability, u_s + a_s * u_1 * u_1, 1e-12, "U");
    assert_relative(
        measures.frequency,
        f_s * (1.0 - u_1 * u_1) + 2.0 * f_1 * u_1 * a_s,
        1e-12,
        "f",
    );
}

#[test]
fn hundred_racks_keep_full_precision_far_below_double_epsilon() {
    // Computed independently in exact rational arithmetic (Python fractions): rack U and f from
    // a switch (50000 h / 4 h) in series with 8-of-10 servers (5000 h / 24 h), then 90-of-100
    // racks by the binomial sum. U = 6.14215615706502079e-31, f·8766 = 1.3770202611311153e-26.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/racks-100.toml"
    ))
    .unwrap();
    let measures = solve_text(&text);
    assert_relative(
        measures.unavailability,
        6.142_156_157_065_021e-31,
        1e-9,
        "U",
    );
    assert_relative(
        measures.failures_per_year(),
        1.377_020_261_131_115_3e-26,
        1e-9,
        "f",
    );
}
