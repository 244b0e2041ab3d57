//! Self-tests of the brute-force reference solver (tests/suite/reference/mod.rs): it must reproduce
//! the published conformance values and a few closed forms.

use crate::reference;

use reference::solve_reference;

const HOURS_PER_YEAR: f64 = 8766.0;
const MAX_STATES: usize = 200_000;

fn rel_err(got: f64, want: f64) -> f64 {
    if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    }
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    let e = rel_err(got, want);
    assert!(
        e <= tol,
        "{what}: got {got:e}, want {want:e} (relative error {e:e} > {tol:e})"
    );
}

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance")
}

#[test]
fn conformance_models_match_expected() {
    let dir = fixture_dir();
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = expected.as_object().unwrap();
    assert_eq!(expected.len(), 6, "six conformance models");
    for (name, want) in expected {
        let model = std::fs::read_to_string(dir.join(format!("{name}.toml")))
            .unwrap_or_else(|e| panic!("{name}.toml: {e}"));
        let num = |key: &str| -> f64 {
            want[key]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {key} is not a string"))
                .parse()
                .unwrap()
        };
        let r = solve_reference(&model, MAX_STATES).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_close(
            &format!("{name} unavailability"),
            r.unavailability,
            num("unavailability"),
            1e-9,
        );
        assert_close(
            &format!("{name} failures_per_year"),
            r.failures_per_hour * HOURS_PER_YEAR,
            num("failures_per_year"),
            1e-9,
        );
    }
}

fn solve(model: &str) -> reference::RefResult {
    solve_reference(model, MAX_STATES).unwrap()
}

/// Single unit: two states, up -λ-> down -μ-> up. Balance: π_up λ = π_down μ, so
/// U = π_down = λ/(λ+μ), and f = π_up λ = λμ/(λ+μ).
#[test]
fn single_unit_closed_form() {
    let r = solve(
        r#"
        [component.a]
        mtbf = "1000h"
        mttr = "5h"
        [block.system]
        kind = "series"
        members = ["a"]
        "#,
    );
    let (l, m) = (1.0 / 1000.0, 1.0 / 5.0);
    assert_eq!(r.states, 2);
    assert_close("U", r.unavailability, l / (l + m), 1e-12);
    assert_close("f", r.failures_per_hour, l * m / (l + m), 1e-12);
}

/// Series of two different independent units (unlimited repair): the units are independent
/// two-state chains, P(unit i up) = μi/(λi+μi). The system is up iff both are up:
/// P(up) = μ1 μ2 / ((λ1+μ1)(λ2+μ2)), so U = (λ1 μ2 + μ1 λ2 + λ1 λ2)/((λ1+μ1)(λ2+μ2)),
/// and from the single up state either failure takes the system down: f = P(up) (λ1 + λ2).
#[test]
fn series_of_two_closed_form() {
    let r = solve(
        r#"
        top = "svc"
        [component.a]
        failure_rate = 0.002
        repair_rate = 0.25
        [component.b]
        mtbf = "1y"
        mttr = "1h30m"
        [block.svc]
        kind = "series"
        members = ["a", "b"]
        "#,
    );
    let (l1, m1) = (0.002, 0.25);
    let (l2, m2) = (1.0 / 8766.0, 1.0 / 1.5);
    let d = (l1 + m1) * (l2 + m2);
    assert_eq!(r.states, 4);
    assert_close(
        "U",
        r.unavailability,
        (l1 * m2 + m1 * l2 + l1 * l2) / d,
        1e-12,
    );
    assert_close("f", r.failures_per_hour, m1 * m2 / d * (l1 + l2), 1e-12);
}

/// Parallel of two different independent units: down iff both down, U = U1 U2 with
/// Ui = λi/(λi+μi). The system fails when unit 1 fails while unit 2 is down (rate
/// P(1 up, 2 down) λ1 = f1 U2, fi = λi μi/(λi+μi)) or vice versa: f = f1 U2 + f2 U1.
#[test]
fn parallel_of_two_closed_form() {
    let r = solve(
        r#"
        [component.a]
        mtbf = "2000h"
        mttr = "10h"
        [component.b]
        availability = "99.9%"
        mttr = "4h"
        [block.system]
        kind = "parallel"
        members = ["a", "b"]
        "#,
    );
    let (l1, m1) = (1.0 / 2000.0, 1.0 / 10.0);
    // availability 0.999 with mttr 4 h: mtbf = 4 * 0.999 / 0.001 h.
    let (l2, m2) = (0.001 / (4.0 * 0.999), 1.0 / 4.0);
    let u1 = l1 / (l1 + m1);
    let u2 = l2 / (l2 + m2);
    let f1 = l1 * m1 / (l1 + m1);
    let f2 = l2 * m2 / (l2 + m2);
    assert_close("U", r.unavailability, u1 * u2, 1e-12);
    assert_close("f", r.failures_per_hour, f1 * u2 + f2 * u1, 1e-12);
}

/// 2-unit cold standby, one crew, instantaneous perfect failover. Only the active unit can
/// fail (the standby has rate 0), and a failover is instantaneous, so the chain is the
/// birth-death chain on the number of failed units 0 -λ-> 1 -λ-> 2, with repair μ back (one
/// crew: 2 -μ-> 1 -μ-> 0). π1 = π0 λ/μ, π2 = π0 λ²/μ², hence
/// U = π2 = λ²/(μ² + λμ + λ²), and f = π1 λ = λ² μ/(μ² + λμ + λ²).
#[test]
fn cold_standby_pair_closed_form() {
    let r = solve(
        r#"
        [component.n]
        mtbf = "500h"
        mttr = "20h"
        [block.system]
        kind = "standby"
        mode = "cold"
        of = "n"
        count = 2
        repair_crews = 1
        "#,
    );
    let (l, m) = (1.0 / 500.0, 1.0 / 20.0);
    let d = m * m + l * m + l * l;
    assert_close("U", r.unavailability, l * l / d, 1e-12);
    assert_close("f", r.failures_per_hour, l * l * m / d, 1e-12);
}

/// 2-of-3 of identical independent units (unlimited repair): with q = λ/(λ+μ), a = μ/(λ+μ),
/// U = P(at least 2 down) = 3 q² a + q³, and the system fails from "exactly 2 up"
/// (probability 3 a² q) at rate 2λ: f = 6 a² q λ.
#[test]
fn two_of_three_closed_form() {
    let r = solve(
        r#"
        [component.s]
        mtbf = "1000h"
        mttr = "50h"
        [block.system]
        kind = "k-of-n"
        k = 2
        of = "s"
        count = 3
        "#,
    );
    let (l, m) = (1.0 / 1000.0, 1.0 / 50.0);
    let q = l / (l + m);
    let a = m / (l + m);
    assert_eq!(r.states, 8);
    assert_close("U", r.unavailability, 3.0 * q * q * a + q * q * q, 1e-12);
    assert_close("f", r.failures_per_hour, 6.0 * a * a * q * l, 1e-12);
}

/// 2-of-10 of identical independent units: 1024 states, large enough to go through the
/// sparse elimination phase before the dense one. Binomial: with q = λ/(λ+μ), a = μ/(λ+μ),
/// U = P(at most 1 up) = q^10 + 10 a q^9, f = P(exactly 2 up) · 2λ = 45 a² q^8 · 2λ.
#[test]
fn two_of_ten_binomial() {
    let r = solve(
        r#"
        [component.s]
        mtbf = "300h"
        mttr = "2h"
        [block.system]
        kind = "k-of-n"
        k = 2
        of = "s"
        count = 10
        "#,
    );
    let (l, m) = (1.0 / 300.0, 1.0 / 2.0);
    let q: f64 = l / (l + m);
    let a = m / (l + m);
    assert_eq!(r.states, 1024);
    assert_close(
        "U",
        r.unavailability,
        q.powi(10) + 10.0 * a * q.powi(9),
        1e-11,
    );
    assert_close(
        "f",
        r.failures_per_hour,
        90.0 * a * a * q.powi(8) * l,
        1e-11,
    );
}

/// 2-of-6 of identical units with one FIFO crew: the full chain has one state per ordered
/// queue of failed units (sum_k 6!/(6-k)! = 1957 states); for identical units it lumps to the
/// birth-death chain on i = number down, i -> i+1 at (6-i)λ, i -> i-1 at μ, so
/// π_i ∝ prod_{j<i} (6-j)λ/μ. Down iff i >= 5; f = π_4 · 2λ.
#[test]
fn fifo_crew_identical_units_birth_death() {
    let r = solve(
        r#"
        [component.s]
        mtbf = "100h"
        mttr = "5h"
        [block.system]
        kind = "k-of-n"
        k = 2
        of = "s"
        count = 6
        repair_crews = 1
        "#,
    );
    let (l, m) = (1.0 / 100.0, 1.0 / 5.0);
    let mut w = vec![1.0f64];
    for j in 0..6 {
        let next = w[j] * (6 - j) as f64 * l / m;
        w.push(next);
    }
    let z: f64 = w.iter().sum();
    assert_eq!(r.states, 1957);
    assert_close("U", r.unavailability, (w[5] + w[6]) / z, 1e-11);
    assert_close("f", r.failures_per_hour, w[4] / z * 2.0 * l, 1e-11);
}

/// Hot standby of 3 with instantaneous perfect failover and unlimited repair behaves like a
/// parallel of 3 independent units (every unit fails at λ whatever its role; the block is up
/// while any unit is up): U = q³, f = 3 a q² λ.
#[test]
fn hot_standby_instant_failover_is_parallel() {
    let r = solve(
        r#"
        [component.n]
        mtbf = "800h"
        mttr = "12h"
        [block.system]
        kind = "standby"
        of = "n"
        count = 3
        "#,
    );
    let (l, m) = (1.0 / 800.0, 1.0 / 12.0);
    let q: f64 = l / (l + m);
    let a = m / (l + m);
    assert_close("U", r.unavailability, q.powi(3), 1e-12);
    assert_close("f", r.failures_per_hour, 3.0 * a * q * q * l, 1e-12);
}

/// A shared component referenced twice is one unit: parallel of it with itself = the unit.
#[test]
fn shared_component_is_one_unit() {
    let r = solve(
        r#"
        [component.a]
        mtbf = "100h"
        mttr = "1h"
        shared = true
        [block.system]
        kind = "parallel"
        of = "a"
        count = 2
        "#,
    );
    let (l, m) = (0.01, 1.0);
    assert_eq!(r.states, 2);
    assert_close("U", r.unavailability, l / (l + m), 1e-12);
    assert_close("f", r.failures_per_hour, l * m / (l + m), 1e-12);
}

/// Tiny probabilities stay accurate (GTH has no subtractions): parallel of 4 units with
/// U_i = 1e-6 gives U = 1e-24 (to within the rounding of λ/(λ+μ)).
#[test]
fn tiny_probabilities_are_accurate() {
    let r = solve(
        r#"
        [component.a]
        failure_rate = 1e-6
        repair_rate = 0.999999
        [block.system]
        kind = "parallel"
        of = "a"
        count = 4
        "#,
    );
    let u: f64 = 1e-6;
    assert_eq!(r.states, 16);
    assert_close("U", r.unavailability, u.powi(4), 1e-12);
}

#[test]
fn errors_are_reported() {
    // Too many states.
    let big = r#"
        [component.a]
        mtbf = "100h"
        mttr = "1h"
        [block.system]
        kind = "parallel"
        of = "a"
        count = 10
    "#;
    assert!(solve_reference(big, 100).is_err());
    assert_eq!(solve_reference(big, 2000).unwrap().states, 1024);
    // Unknown kind, unknown member, missing manual failover, cycle.
    for bad in [
        "[component.a]\nmtbf=\"1h\"\nmttr=\"1h\"\n[block.system]\nkind=\"foo\"\nmembers=[\"a\"]",
        "[component.a]\nmtbf=\"1h\"\nmttr=\"1h\"\n[block.system]\nkind=\"series\"\nmembers=[\"b\"]",
        "[component.a]\nmtbf=\"1h\"\nmttr=\"1h\"\n[block.system]\nkind=\"standby\"\nof=\"a\"\ncount=2\ncoverage=0.9",
        "[block.system]\nkind=\"series\"\nmembers=[\"system\"]",
        "this is not toml = = =",
    ] {
        assert!(solve_reference(bad, 1000).is_err(), "{bad}");
    }
}
