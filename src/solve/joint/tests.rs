//! Tests of the joint chain against closed forms and the counted chains of `solve/dependent/`.

use super::*;
use crate::model::load::load_model;
use crate::solve::dependent::{DependentBlock, MAX_CHAIN_STATES, solve_dependent};

fn loaded(text: &str) -> Model {
    match load_model("m.toml", text, &[]) {
        Ok(loaded) => loaded.model,
        Err(invalid) => panic!("{:#?}", invalid.diagnostics),
    }
}

fn close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        ((actual - expected) / expected).abs() <= tolerance,
        "actual {actual:e}, expected {expected:e}"
    );
}

/// One unit: (U, A, f) = (λ/(λ+μ), μ/(λ+μ), λμ/(λ+μ)).
fn unit(mtbf: f64, mttr: f64) -> (f64, f64, f64) {
    let (lambda, mu) = (1.0 / mtbf, 1.0 / mttr);
    (
        lambda / (lambda + mu),
        mu / (lambda + mu),
        lambda * mu / (lambda + mu),
    )
}

/// A series pair: U = 1 − A₁A₂ = U₁ + U₂ − U₁U₂, A = A₁A₂, f = f₁A₂ + f₂A₁.
fn series(a: (f64, f64, f64), b: (f64, f64, f64)) -> (f64, f64, f64) {
    (a.0 + b.0 - a.0 * b.0, a.1 * b.1, a.2 * b.1 + b.2 * a.1)
}

const TWO_SERIES: &str = r#"
top = "pair"
[component.x]
mtbf = "1000h"
mttr = "5h"
[component.y]
mtbf = "3000h"
mttr = "2h"
[component.z]
mtbf = "500h"
mttr = "8h"
[component.w]
mtbf = "2000h"
mttr = "1h"
[block.a]
kind = "series"
members = ["x", "y"]
[block.b]
kind = "series"
members = ["z", "w"]
[block.pair]
kind = "standby"
members = ["a", "b"]
"#;

#[test]
fn hot_standby_of_series_blocks_with_instant_covered_failover_is_a_parallel_pair() {
    // Derivation: with mode hot (d = 1), no crews, coverage 1 and failover 0, every unit fails
    // at λ and is repaired at μ whatever the roles, so the units are independent. The block
    // is up while its active member is up; when the active member goes down and the other is
    // up, the other takes over in the same instant; when neither is up, the first to come
    // back up becomes active at once. So the block is up exactly when a or b is up, and goes
    // down exactly when the last up member goes down: a parallel pair of a and b,
    // U = U_a·U_b and f = f_a·U_b + f_b·U_a, with a and b series pairs.
    let model = loaded(TWO_SERIES);
    let pair = model.block_index("pair").unwrap();
    let variable = group_variable(&model, &[pair], &[], MAX_JOINT_STATES).unwrap();
    let measures = indicator_measures(&variable, 0);
    let a = series(unit(1000.0, 5.0), unit(3000.0, 2.0));
    let b = series(unit(500.0, 8.0), unit(2000.0, 1.0));
    close(measures.unavailability, a.0 * b.0, 1e-12);
    close(measures.frequency, a.2 * b.0 + b.2 * a.0, 1e-12);
}

#[test]
fn standby_of_components_agrees_with_the_counted_chain() {
    // The same §8.4 rules written twice: per member here, per counted type in
    // solve/dependent/. Warm, timed and imperfect failover, one crew, three members.
    let model = loaded(
        r#"
top = "db"
[component.n]
mtbf = "800h"
mttr = "6h"
[component.m]
mtbf = "300h"
mttr = "3h"
[block.db]
kind = "standby"
members = ["n", "n", "m"]
mode = "warm"
dormant_factor = 0.3
failover = "10m"
coverage = 0.9
manual_failover = "1h"
repair_crews = 1
"#,
    );
    let db = model.block_index("db").unwrap();
    let variable = group_variable(&model, &[db], &[], MAX_JOINT_STATES).unwrap();
    let joint = indicator_measures(&variable, 0);
    let counted = DependentBlock::of_model_block(&model, &model.blocks[db]).unwrap();
    let counted = solve_dependent(&counted).unwrap();
    close(joint.unavailability, counted.unavailability, 1e-11);
    close(joint.frequency, counted.frequency, 1e-11);
    let _ = MAX_CHAIN_STATES;
}

#[test]
fn exposed_shared_zone_with_a_hot_instant_standby_factorises() {
    // db = standby of [series(zone, a), b] with the zone shared and exposed. Hot, instant,
    // covered: the block is up exactly when (zone and a) or b is up, and zone, a, b are
    // independent units. So P(zone down, db down) = U_z·U_b, P(zone up, db down) =
    // A_z·U_a·U_b, P(zone down, db up) = U_z·A_b, and the zone's own flow is f_z.
    let model = loaded(
        r#"
top = "db"
[component.zone]
mtbf = "5000h"
mttr = "4h"
shared = true
[component.a]
mtbf = "700h"
mttr = "3h"
[component.b]
mtbf = "900h"
mttr = "6h"
[block.member_a]
kind = "series"
members = ["zone", "a"]
[block.db]
kind = "standby"
members = ["member_a", "b"]
"#,
    );
    let db = model.block_index("db").unwrap();
    let zone = NodeRef::Component(0);
    let variable = group_variable(&model, &[db], &[zone], MAX_JOINT_STATES).unwrap();
    let (z, a, b) = (unit(5000.0, 4.0), unit(700.0, 3.0), unit(900.0, 6.0));
    let probability = |zone_up: bool, db_up: bool| {
        let value = variable
            .up
            .iter()
            .position(|pattern| pattern == &vec![zone_up, db_up])
            .unwrap();
        variable.probability[value]
    };
    close(probability(false, false), z.0 * b.0, 1e-12);
    close(probability(true, false), z.1 * a.0 * b.0, 1e-12);
    close(probability(false, true), z.0 * b.1, 1e-12);
    let zone_alone = indicator_measures(&variable, 0);
    close(zone_alone.unavailability, z.0, 1e-12);
    close(zone_alone.frequency, z.2, 1e-12);
}

#[test]
fn a_chain_past_the_limit_is_refused_with_the_block_named() {
    let model = loaded(TWO_SERIES);
    let pair = model.block_index("pair").unwrap();
    let error = group_variable(&model, &[pair, pair], &[], 10).unwrap_err();
    assert!(error.to_string().contains("pair + pair"), "{error}");
    assert!(error.to_string().contains("nines simulate"), "{error}");
}

/// Times the joint solve on growing chains (`cargo test --lib joint::tests::timing --
/// --ignored --nocapture`); the figures behind [`MAX_JOINT_STATES`].
#[test]
#[ignore]
fn timing() {
    for (a, b) in [(5, 5), (5, 6), (6, 6), (6, 7)] {
        let mut text = String::from("top = \"pair\"\n");
        let mut members = |prefix: &str, count: usize| {
            let names: Vec<String> = (0..count).map(|i| format!("\"{prefix}{i}\"")).collect();
            for i in 0..count {
                text.push_str(&format!(
                    "[component.{prefix}{i}]\nmtbf = \"{}h\"\nmttr = \"{}h\"\n",
                    1000 + 100 * i,
                    2 + i
                ));
            }
            text.push_str(&format!(
                "[block.{prefix}]\nkind = \"series\"\nmembers = [{}]\n",
                names.join(", ")
            ));
        };
        members("a", a);
        members("b", b);
        text.push_str("[block.pair]\nkind = \"standby\"\nmembers = [\"a\", \"b\"]\nmode = \"warm\"\ndormant_factor = 0.5\nfailover = \"5m\"\n");
        let model = loaded(&text);
        let pair = model.block_index("pair").unwrap();
        let start = std::time::Instant::now();
        let net = net::expand(&model, &[pair], &[]);
        let states = explore::explore(&net, 1_000_000).unwrap().states.len();
        let variable = group_variable(&model, &[pair], &[], 1_000_000).unwrap();
        println!(
            "{states} states: {:.2} s (U {:e})",
            start.elapsed().as_secs_f64(),
            indicator_measures(&variable, 0).unavailability
        );
    }
}

#[test]
fn repeated_instances_without_shared_units_are_independent_copies() {
    // Two copies of the standby pair share nothing, so the joint chain is the product of two
    // independent copies: P(both down) = U², and each indicator alone has the single copy's
    // U and f.
    let model = loaded(TWO_SERIES);
    let pair = model.block_index("pair").unwrap();
    let single = indicator_measures(
        &group_variable(&model, &[pair], &[], MAX_JOINT_STATES).unwrap(),
        0,
    );
    let both = group_variable(&model, &[pair, pair], &[], MAX_JOINT_STATES).unwrap();
    for indicator in 0..2 {
        let alone = indicator_measures(&both, indicator);
        close(alone.unavailability, single.unavailability, 1e-12);
        close(alone.frequency, single.frequency, 1e-12);
    }
    let both_down = both
        .up
        .iter()
        .position(|pattern| pattern == &vec![false, false])
        .unwrap();
    close(
        both.probability[both_down],
        single.unavailability * single.unavailability,
        1e-12,
    );
}
