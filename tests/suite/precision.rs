//! Numerical precision at tiny unavailabilities: at least 9 significant digits against values
//! computed independently in exact rational arithmetic (Python `fractions`, Gaussian
//! elimination on the chain; the script is reproduced in each comment).

use crate::common;

use common::{model_file, nines};

fn solve(text: &str) -> serde_json::Value {
    let (_guard, file) = model_file("tiny.toml", text);
    let output = nines()
        .args(["solve", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn assert_digits(got: f64, exact: f64, what: &str) {
    let relative = ((got - exact) / exact).abs();
    assert!(
        relative < 1e-9,
        "{what}: {got:e} vs exact {exact:e} (relative error {relative:e})"
    );
}

/// A parallel pair of different units with one FIFO repair crew: a Markov chain solved by
/// GTH. λa = 5e-9/h, μa = 1/4 h, λb = 1e-8/h, μb = 1/10 h. States: both up (0), a in repair
/// (1), b in repair (2), a in repair with b waiting (3), b in repair with a waiting (4);
/// 0→1 λa, 0→2 λb, 1→0 μa, 1→3 λb, 2→0 μb, 2→4 λa, 3→2 μa, 4→1 μb. Down: 3 and 4.
/// Exact: U = π3 + π4 = 5.79999920200008173999220900076e-15,
///        f = π1·λb + π2·λa = 6.99999913000007909999332500060e-16 per hour.
#[test]
fn crew_chain_keeps_nine_digits_at_six_times_ten_to_the_minus_fifteen() {
    let object = solve(
        r#"
        [component.a]
        failure_rate = 5e-9
        mttr = "4h"
        [component.b]
        failure_rate = 1e-8
        mttr = "10h"
        [block.system]
        kind = "parallel"
        members = ["a", "b"]
        repair_crews = 1
        "#,
    );
    assert_digits(
        object["unavailability"].as_f64().unwrap(),
        5.799_999_202_000_082e-15,
        "U",
    );
    assert_digits(
        object["failures_per_year"].as_f64().unwrap() / 8766.0,
        6.999_999_130_000_079e-16,
        "f",
    );
    // A = 1 − U exactly representable to the last bit: it must not print as more than 1.
    assert!(object["availability"].as_f64().unwrap() <= 1.0);
}

/// 2-of-3 of three different independent units, q_i = λ_i/(λ_i + μ_i) with (λ, μ) =
/// (1e-9, 1/10), (2e-9, 1/5), (3e-9, 1/2):
/// U = q1q2 + q1q3 + q2q3 − 2q1q2q3 = 2.19999994880000084719998791680e-16 exactly; a solver
/// computing 1 − P(at least 2 up) would print 0 or 2.2e-16 ± 1.1e-16.
#[test]
fn k_of_n_keeps_nine_digits_at_two_times_ten_to_the_minus_sixteen() {
    let object = solve(
        r#"
        [component.a]
        failure_rate = 1e-9
        mttr = "10h"
        [component.b]
        failure_rate = 2e-9
        mttr = "5h"
        [component.c]
        failure_rate = 3e-9
        mttr = "2h"
        [block.system]
        kind = "k-of-n"
        k = 2
        members = ["a", "b", "c"]
        "#,
    );
    assert_digits(
        object["unavailability"].as_f64().unwrap(),
        2.199_999_948_800_000_8e-16,
        "U",
    );
}
