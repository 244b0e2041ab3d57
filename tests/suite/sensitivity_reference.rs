//! `nines sensitivity --format json` checked against the brute-force reference
//! (`tests/suite/reference/`, the full product chain of every physical unit, which parses the TOML
//! itself and shares no code with `src/`).
//!
//! Only models of independent units are used (no repair crews, no standby; shared components,
//! shared blocks and common cause are in), and only component items are checked. For such a
//! model the reference finds, for the first physical copy of each component (depth first from
//! the top, members in the order written, as `nines` picks it):
//!
//! - U₁ and U₀, the system's unavailability conditioned on that unit being down or up, from
//!   one stationary distribution of the product chain (exact, as the units are independent);
//! - U with that unit's failure rate halved, and with its repair rate doubled, each by
//!   solving the whole chain again.
//!
//! From these come the expected Birnbaum U₁ − U₀, criticality (U − U₀)/U, RAW U₁/U, RRW U/U₀
//! (null when U₀ = 0) and the downtime changes (U' − U)·8766·60 minutes. They must agree with
//! the binary's output to 1e-9 relative; near zero, to 1e-12 absolute in probability units,
//! scaled by the size of the probabilities the figure is a difference of (so a model with
//! U ≈ 1e-8 is not waved through by an absolute floor).
//!
//! Random models come from a fixed seed, so CI is deterministic; `PROPTEST_CASES` and
//! `PROPTEST_RNG_SEED` explore further by hand, as in `tests/suite/cross_check.rs`:
//!
//! ```text
//! PROPTEST_CASES=3000 cargo test --test suite sensitivity_reference:: -- --nocapture
//! ```

use crate::common;
use crate::reference;

use common::random_models::random_model;
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestRunner};
use reference::importance::{UnitImportance, component_importances};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Largest product chain the reference builds per model (9 independent units = 512 states).
const REFERENCE_STATES: usize = 512;

/// Minutes in the year of 8766 hours that `nines` uses.
const MINUTES_PER_YEAR: f64 = 8766.0 * 60.0;

const RELATIVE: f64 = 1e-9;
const ABSOLUTE: f64 = 1e-12;

// ---------------------------------------------------------------------------------------------
// Expected figures and the comparison.

/// The figures `nines sensitivity` prints for one item, from five unavailabilities.
#[derive(Debug, Clone, Copy)]
struct Expected {
    /// U, U₁, U₀, U with MTBF doubled, U with MTTR halved.
    u: f64,
    u1: f64,
    u0: f64,
    u_mtbf_x2: f64,
    u_mttr_half: f64,
}

impl Expected {
    fn from_reference(unit: &UnitImportance) -> Self {
        Expected {
            u: unit.unavailability,
            u1: unit.down,
            u0: unit.up,
            u_mtbf_x2: unit.mtbf_x2,
            u_mttr_half: unit.mttr_half,
        }
    }

    /// Compares the JSON item of the binary with these figures; Err lists every mismatch.
    fn check(&self, item: &Value) -> Result<(), String> {
        let mut errors = Vec::new();
        let number = |key: &str| item.get(key).and_then(Value::as_f64);
        let mut compare = |key: &str, expected: Option<f64>, floor: f64| {
            let got = number(key);
            let ok = match (got, expected) {
                (Some(got), Some(expected)) => {
                    (got - expected).abs() <= RELATIVE * expected.abs() + floor
                }
                (None, None) => true,
                _ => false,
            };
            if !ok {
                let error = match (got, expected) {
                    (Some(g), Some(e)) if e != 0.0 => format!(" (relative {:e})", (g - e) / e),
                    (Some(g), Some(e)) => format!(" (absolute {:e})", g - e),
                    _ => String::new(),
                };
                errors.push(format!(
                    "  {key}: nines {got:?}, reference {expected:?}{error}"
                ));
            }
        };
        let Expected {
            u,
            u1,
            u0,
            u_mtbf_x2,
            u_mttr_half,
        } = *self;
        compare("birnbaum", Some(u1 - u0), ABSOLUTE * u1.max(u0));
        compare("criticality", (u > 0.0).then(|| (u - u0) / u), ABSOLUTE);
        compare("raw", (u > 0.0).then(|| u1 / u), ABSOLUTE);
        compare("rrw", (u0 > 0.0).then(|| u / u0), ABSOLUTE);
        compare(
            "downtime_change_mtbf_x2_minutes",
            Some((u_mtbf_x2 - u) * MINUTES_PER_YEAR),
            ABSOLUTE * u.max(u_mtbf_x2) * MINUTES_PER_YEAR,
        );
        compare(
            "downtime_change_mttr_half_minutes",
            Some((u_mttr_half - u) * MINUTES_PER_YEAR),
            ABSOLUTE * u.max(u_mttr_half) * MINUTES_PER_YEAR,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }
}

/// `nines sensitivity MODEL --format json`: the one JSON object it prints.
fn sensitivity_json(text: &str) -> Result<Value, String> {
    let (_folder, file) = common::model_file("model.toml", text);
    let output = common::nines()
        .args(["sensitivity", "--format", "json"])
        .arg(&file)
        .output()
        .map_err(|e| format!("cannot run nines: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "nines sensitivity failed ({:?}):\n{}{}",
            output.status.code(),
            stdout,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut lines = stdout.lines();
    let object = lines.next().ok_or("no output")?;
    if lines.next().is_some() {
        return Err(format!("more than one line:\n{stdout}"));
    }
    serde_json::from_str(object).map_err(|e| format!("bad JSON ({e}): {object}"))
}

/// The component items of a sensitivity object, by name.
fn component_items(object: &Value) -> BTreeMap<String, Value> {
    object["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| item["kind"] == "component")
        .map(|item| {
            (
                item["name"].as_str().expect("name").to_string(),
                item.clone(),
            )
        })
        .collect()
}

enum Outcome {
    /// Compared this many component items.
    Checked(usize),
    /// Outside the reference's reach (dependent units, or too many states).
    Skipped,
}

/// Runs the binary and the reference on `text`; Err describes the first disagreement.
fn check_model(text: &str) -> Result<Outcome, String> {
    let reference = match component_importances(text, REFERENCE_STATES) {
        Ok(reference) => reference,
        Err(message) if message.contains("states") || message.contains("independent") => {
            return Ok(Outcome::Skipped);
        }
        Err(message) => return Err(format!("reference failed: {message}\n{text}")),
    };
    let object = sensitivity_json(text).map_err(|e| format!("{e}\nmodel:\n{text}"))?;
    let items = component_items(&object);
    let names: Vec<&String> = items.keys().collect();
    let mut expected_names: Vec<&String> = reference.iter().map(|r| &r.component).collect();
    expected_names.sort();
    if names != expected_names {
        return Err(format!(
            "components: nines {names:?}, reference {expected_names:?}\nmodel:\n{text}"
        ));
    }
    let u = reference.first().map_or(f64::NAN, |r| r.unavailability);
    let got_u = object["unavailability"].as_f64().unwrap_or(f64::NAN);
    if (got_u - u).abs() > RELATIVE * u {
        return Err(format!(
            "U: nines {got_u:e}, reference {u:e}\nmodel:\n{text}"
        ));
    }
    for unit in &reference {
        let item = &items[&unit.component];
        let copies = item["copies"].as_u64();
        let mut problems = Vec::new();
        if copies != Some(unit.units_of_component as u64) {
            problems.push(format!(
                "  copies: nines {copies:?}, reference {}",
                unit.units_of_component
            ));
        }
        if let Err(errors) = Expected::from_reference(unit).check(item) {
            problems.push(errors);
        }
        if !problems.is_empty() {
            return Err(format!(
                "component {} (reference unit {} of {} states): \n{}\nreference: U = {:e}, \
                 U1 = {:e}, U0 = {:e}, U(MTBF x2) = {:e}, U(MTTR / 2) = {:e}\nnines: {item}\n\
                 model:\n{text}",
                unit.component,
                unit.unit,
                unit.states,
                problems.join("\n"),
                unit.unavailability,
                unit.down,
                unit.up,
                unit.mtbf_x2,
                unit.mttr_half,
            ));
        }
    }
    Ok(Outcome::Checked(reference.len()))
}

// ---------------------------------------------------------------------------------------------
// Random models of independent units.

/// SplitMix64, as in `tests/suite/common/random_models.rs`.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    /// Log-uniform in [low, high], rounded to 4 significant digits so the TOML is exact.
    fn log_uniform(&mut self, low: f64, high: f64) -> f64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let value = (low.ln() + u * (high.ln() - low.ln())).exp();
        format!("{value:.4e}").parse().unwrap()
    }
}

/// A random model of independent units: components given by MTBF, failure rate or
/// availability (some shared); blocks of every structure kind written as member lists with
/// repeats or as `of` + `count`, over components and earlier blocks (so a component's copies
/// sit in different positions, and non-shared blocks are copied); some blocks shared; some
/// common-cause blocks. The top references every block nothing else does.
fn independent_model(seed: u64) -> String {
    let mut random = Random(seed);
    let mut text = String::from("top = \"top\"\n");
    let components = 2 + random.below(3);
    let mut private = Vec::new();
    let mut names = Vec::new();
    for index in 0..components {
        let name = format!("c{index}");
        let shared = index >= 1 && random.chance(0.3);
        let mttr = random.log_uniform(0.5, 40.0);
        let rates = match random.below(6) {
            0 => format!(
                "failure_rate = {}\nrepair_rate = {}\n",
                random.log_uniform(1e-4, 2e-2),
                random.log_uniform(0.02, 2.0)
            ),
            1 => format!(
                "availability = \"{}%\"\nmttr = \"{mttr}h\"\n",
                100.0 - random.log_uniform(0.01, 5.0)
            ),
            _ => format!(
                "mtbf = \"{}h\"\nmttr = \"{mttr}h\"\n",
                random.log_uniform(20.0, 5000.0)
            ),
        };
        text.push_str(&format!(
            "[component.{name}]\n{rates}{}",
            if shared { "shared = true\n" } else { "" }
        ));
        if !shared {
            private.push(name.clone());
        }
        names.push(name);
    }
    let kind = |random: &mut Random, n: usize| match random.below(10) {
        0..=2 => "kind = \"series\"\n".to_string(),
        3..=5 => "kind = \"parallel\"\n".to_string(),
        6..=8 => format!("kind = \"k-of-n\"\nk = {}\n", 1 + random.below(n)),
        _ => "kind = \"quorum\"\n".to_string(),
    };
    let blocks = 1 + random.below(3);
    let mut referenced = vec![false; blocks];
    for index in 0..blocks {
        let name = format!("b{index}");
        let shared = random.chance(0.2);
        let pick = |random: &mut Random, referenced: &mut Vec<bool>| {
            if index > 0 && random.chance(0.35) {
                let child = random.below(index);
                referenced[child] = true;
                format!("b{child}")
            } else {
                names[random.below(names.len())].clone()
            }
        };
        let body = if !private.is_empty() && random.chance(0.2) {
            let count = 2 + random.below(2);
            format!(
                "{}of = \"{}\"\ncount = {count}\ncommon_cause_beta = {}\n",
                kind(&mut random, count),
                private[random.below(private.len())],
                random.log_uniform(0.01, 0.3)
            )
        } else if random.chance(0.25) {
            let count = 2 + random.below(2);
            let of = pick(&mut random, &mut referenced);
            format!(
                "{}of = \"{of}\"\ncount = {count}\n",
                kind(&mut random, count)
            )
        } else {
            let n = 2 + random.below(3);
            let members: Vec<String> = (0..n)
                .map(|_| format!("\"{}\"", pick(&mut random, &mut referenced)))
                .collect();
            format!(
                "{}members = [{}]\n",
                kind(&mut random, n),
                members.join(", ")
            )
        };
        text.push_str(&format!(
            "[block.{name}]\n{}{body}",
            if shared { "shared = true\n" } else { "" }
        ));
    }
    let mut members: Vec<String> = (0..blocks)
        .filter(|&b| !referenced[b])
        .map(|b| format!("b{b}"))
        .collect();
    while members.len() < 2 || random.chance(0.3) {
        if random.chance(0.5) {
            members.push(names[random.below(names.len())].clone());
        } else {
            members.push(format!("b{}", random.below(blocks)));
        }
    }
    // Written order matters for the first copy: shuffle.
    for i in (1..members.len()).rev() {
        members.swap(i, random.below(i + 1));
    }
    let quoted: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    text.push_str(&format!(
        "[block.top]\n{}members = [{}]\n",
        kind(&mut random, members.len()),
        quoted.join(", ")
    ));
    text
}

/// A model from `independent_model` small enough for the reference: later variants of the
/// seed until one fits (the first nearly always does).
fn small_independent_model(seed: u64) -> String {
    (0u64..)
        .map(|attempt| independent_model(seed ^ attempt.wrapping_mul(0xA076_1D64_78BD_642F)))
        .find(|text| {
            !matches!(component_importances(text, REFERENCE_STATES), Err(m) if m.contains("states"))
        })
        .expect("some variant fits")
}

/// A model from the cross-check's generator (`tests/suite/common/random_models.rs`) without repair
/// crews or standby: later variants of the seed until one has none and is small enough.
fn independent_cross_check_model(seed: u64) -> String {
    (0u64..)
        .map(|attempt| random_model(seed ^ attempt.wrapping_mul(0xE703_7ED1_A0B4_28DB)))
        .find(|text| component_importances(text, REFERENCE_STATES).is_ok())
        .expect("some variant has independent units")
}

/// `cases` cases from a fixed seed unless `PROPTEST_CASES` / `PROPTEST_RNG_SEED` say
/// otherwise. No shrinking: a smaller seed is an unrelated model, not a smaller one.
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(20_260_517);
    }
    config.failure_persistence = None;
    config.max_shrink_iters = 0;
    config
}

/// Runs `check_model` on `cases` models from `generate`; returns (models checked, component
/// items checked, models skipped).
fn run_random(cases: u32, generate: fn(u64) -> String) -> (usize, usize, usize) {
    let checked = AtomicUsize::new(0);
    let items = AtomicUsize::new(0);
    let skipped = AtomicUsize::new(0);
    let mut runner = TestRunner::new(config(cases));
    let result = runner.run(&any::<u64>(), |seed| {
        let text = generate(seed);
        match check_model(&text) {
            Ok(Outcome::Checked(n)) => {
                checked.fetch_add(1, Ordering::Relaxed);
                items.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
            Ok(Outcome::Skipped) => {
                skipped.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(message) => Err(TestCaseError::fail(format!("seed {seed}: {message}"))),
        }
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    (
        checked.into_inner(),
        items.into_inner(),
        skipped.into_inner(),
    )
}

#[test]
fn sensitivity_agrees_with_reference_on_random_independent_models() {
    let (checked, items, skipped) = run_random(150, small_independent_model);
    eprintln!("{checked} models ({items} component items) agree; {skipped} skipped");
    assert_eq!(
        skipped, 0,
        "the generator makes only independent, small models"
    );
}

#[test]
fn sensitivity_agrees_with_reference_on_cross_check_models() {
    // The cross-check's generator, keeping the models without crews or standby.
    let (checked, items, skipped) = run_random(100, independent_cross_check_model);
    eprintln!("{checked} models ({items} component items) agree; {skipped} skipped");
    assert_eq!(skipped, 0);
}

#[test]
fn independent_generator_covers_every_feature() {
    // Guard against a generator that silently stops producing the interesting cases.
    let all: String = (0..300)
        .map(independent_model)
        .collect::<Vec<_>>()
        .join("\n");
    for feature in [
        "shared = true\nkind",
        "shared = true\n[",
        "common_cause_beta",
        "kind = \"quorum\"",
        "kind = \"k-of-n\"",
        "of = \"b",
        "of = \"c",
        "failure_rate",
        "availability",
    ] {
        assert!(all.contains(feature), "no generated model uses {feature:?}");
    }
}

#[test]
fn example_models_of_independent_units_agree_with_reference() {
    let mut checked = Vec::new();
    for path in common::example_models() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match check_model(&text) {
            Ok(Outcome::Checked(items)) => checked.push(format!("{name} ({items} components)")),
            Ok(Outcome::Skipped) => {}
            Err(message) => panic!("{name}: {message}"),
        }
    }
    eprintln!("examples checked: {checked:?}");
}

// ---------------------------------------------------------------------------------------------
// Hand-derived cases: the formulas, the reference and the binary must all agree.

/// Checks component `name` of `text` against hand-derived unavailabilities, both in the
/// reference and in the binary's output, and the number of copies.
fn check_hand(text: &str, name: &str, copies: u64, expected: Expected) {
    let reference = component_importances(text, REFERENCE_STATES).expect("reference");
    let unit = reference
        .iter()
        .find(|r| r.component == name)
        .expect("component in reference");
    for (what, got, want) in [
        ("U", unit.unavailability, expected.u),
        ("U1", unit.down, expected.u1),
        ("U0", unit.up, expected.u0),
        ("U(MTBF x2)", unit.mtbf_x2, expected.u_mtbf_x2),
        ("U(MTTR / 2)", unit.mttr_half, expected.u_mttr_half),
    ] {
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1e-3),
            "{name}: reference {what} = {got:e}, by hand {want:e}"
        );
    }
    let object = sensitivity_json(text).expect("nines sensitivity");
    let items = component_items(&object);
    let item = &items[name];
    assert_eq!(item["copies"].as_u64(), Some(copies), "{name}: {item}");
    if let Err(errors) = expected.check(item) {
        panic!("{name}: nines disagrees with the hand derivation:\n{errors}\n{item}");
    }
}

/// U of a system that is linear in one unit's unavailability q: q·U₁ + (1 − q)·U₀.
fn linear(q: f64, u1: f64, u0: f64) -> f64 {
    q * u1 + (1.0 - q) * u0
}

/// A unit with availability A and MTTR m has λ = (1 − A)/(A·m), μ = 1/m. Halving λ or
/// doubling μ both give q' = λ/(λ + 2μ) = (1 − A)/(1 − A + 2A) = (1 − A)/(1 + A).
fn improved(q: f64) -> f64 {
    q / (2.0 - q)
}

#[test]
fn two_of_three_identical_units() {
    // Three copies of b (q = 0.1) in 2-of-3. U = 3q²p + q³ = 0.028.
    // One copy down: the other two must both be up, U₁ = 1 − p² = 0.19.
    // One copy up: one of the other two suffices, U₀ = q² = 0.01.
    // Birnbaum = U₁ − U₀ = 2pq = 0.18: the probability that exactly one of the other two is
    // up, i.e. that this copy decides.
    let text = r#"
        top = "votes"
        [component.b]
        availability = 0.9
        mttr = "1h"
        [block.votes]
        kind = "k-of-n"
        k = 2
        of = "b"
        count = 3
    "#;
    let (q, p): (f64, f64) = (0.1, 0.9);
    let (u, u1, u0) = (3.0 * q * q * p + q * q * q, 1.0 - p * p, q * q);
    assert!((u1 - u0 - 2.0 * p * q).abs() < 1e-15);
    // MTBF×2 or MTTR÷2 of the one copy: its q becomes 1/19, U = q'·U₁ + (1 − q')·U₀.
    let better = linear(improved(q), u1, u0);
    assert!((improved(q) - 1.0 / 19.0).abs() < 1e-15);
    check_hand(
        text,
        "b",
        3,
        Expected {
            u,
            u1,
            u0,
            u_mtbf_x2: better,
            u_mttr_half: better,
        },
    );
}

#[test]
fn the_first_copy_depth_first_is_the_one_measured() {
    // `a` (q_a = 0.1) twice: inside `pair` = parallel(a, b) (q_b = 0.2) and in series with it.
    let (qa, qb) = (0.1, 0.2);
    let (pa, pb) = (1.0 - qa, 1.0 - qb);
    let model = |system_members: &str| {
        format!(
            r#"
            top = "system"
            [component.a]
            availability = 0.9
            mttr = "1h"
            [component.b]
            availability = 0.8
            mttr = "2h"
            [block.pair]
            kind = "parallel"
            members = ["a", "b"]
            [block.system]
            kind = "series"
            members = {system_members}
            "#
        )
    };
    // U = 1 − p_a(1 − q_a q_b) = 0.118 whichever copy is measured.
    let u = 1.0 - pa * (1.0 - qa * qb);
    // system = series(pair, a): the first copy is the one in `pair`. Down: the system needs
    // b and the other a, U₁ = 1 − p_a p_b = 0.28. Up: `pair` is up, U₀ = q_a = 0.1.
    // Birnbaum = p_a q_b = 0.18 (this copy decides when the other a is up and b down).
    let (u1, u0) = (1.0 - pa * pb, qa);
    let better = linear(improved(qa), u1, u0);
    let inner = Expected {
        u,
        u1,
        u0,
        u_mtbf_x2: better,
        u_mttr_half: better,
    };
    check_hand(&model(r#"["pair", "a"]"#), "a", 2, inner);
    // system = series(a, pair): the first copy is the one in series. Down: U₁ = 1. Up: the
    // system is down when `pair` is, U₀ = q_a q_b = 0.02. Birnbaum = 0.98.
    let (u1, u0) = (1.0, qa * qb);
    let better = linear(improved(qa), u1, u0);
    let outer = Expected {
        u,
        u1,
        u0,
        u_mtbf_x2: better,
        u_mttr_half: better,
    };
    check_hand(&model(r#"["a", "pair"]"#), "a", 2, outer);
    // b, once in either order: U₁ = 1 − p_a² = 0.19 (both a needed), U₀ = q_a = 0.1.
    let (u1, u0) = (1.0 - pa * pa, qa);
    let better = linear(improved(qb), u1, u0);
    let b = Expected {
        u,
        u1,
        u0,
        u_mtbf_x2: better,
        u_mttr_half: better,
    };
    check_hand(&model(r#"["pair", "a"]"#), "b", 1, b);
    check_hand(&model(r#"["a", "pair"]"#), "b", 1, b);
}

#[test]
fn a_shared_unit_and_a_copied_block() {
    // Two legs in parallel, each leg = series(p, x), with p shared (one physical unit,
    // q_p = 0.01) and x copied (q_x = 0.1). U = q_p + p_p q_x² = 0.0199.
    let text = r#"
        top = "system"
        [component.p]
        availability = 0.99
        mttr = "4h"
        shared = true
        [component.x]
        availability = 0.9
        mttr = "1h"
        [block.leg]
        kind = "series"
        members = ["p", "x"]
        [block.system]
        kind = "parallel"
        of = "leg"
        count = 2
    "#;
    let (qp, qx) = (0.01, 0.1);
    let (pp, px) = (1.0 - qp, 1.0 - qx);
    let u = qp + pp * qx * qx;
    // p: down takes both legs down, U₁ = 1; up leaves the two x in parallel, U₀ = q_x².
    let (u1, u0) = (1.0, qx * qx);
    let better = linear(improved(qp), u1, u0);
    check_hand(
        text,
        "p",
        1,
        Expected {
            u,
            u1,
            u0,
            u_mtbf_x2: better,
            u_mttr_half: better,
        },
    );
    // The first x: down leaves the other leg, U₁ = 1 − p_p p_x = 0.109; up, its leg is up
    // with p, U₀ = q_p. Birnbaum = p_p q_x = 0.099.
    let (u1, u0) = (1.0 - pp * px, qp);
    let better = linear(improved(qx), u1, u0);
    check_hand(
        text,
        "x",
        2,
        Expected {
            u,
            u1,
            u0,
            u_mtbf_x2: better,
            u_mttr_half: better,
        },
    );
}

#[test]
fn one_unit_of_a_parallel_pair_has_no_risk_reduction_limit() {
    // parallel(a, b): with a up the system cannot fail, U₀ = 0, so RRW is null (infinite)
    // and criticality is 1. U = q_a q_b, U₁ = q_b, RAW = 1/q_a.
    let text = r#"
        top = "system"
        [component.a]
        availability = 0.9
        mttr = "1h"
        [component.b]
        availability = 0.8
        mttr = "2h"
        [block.system]
        kind = "parallel"
        members = ["a", "b"]
    "#;
    let (qa, qb) = (0.1, 0.2);
    let better = linear(improved(qa), qb, 0.0);
    check_hand(
        text,
        "a",
        1,
        Expected {
            u: qa * qb,
            u1: qb,
            u0: 0.0,
            u_mtbf_x2: better,
            u_mttr_half: better,
        },
    );
    let item = &component_items(&sensitivity_json(text).unwrap())["a"];
    assert!(item["rrw"].is_null(), "{item}");
    assert!((item["criticality"].as_f64().unwrap() - 1.0).abs() < 1e-12);
}

#[test]
fn common_cause_one_copy_keeps_the_common_element() {
    // parallel of 2 × c with β = 0.1; c has λ = 1/9 per hour (A = 0.9, MTTR 1 h), μ = 1.
    // Each copy fails on its own at (1 − β)λ = 0.1, q_i = 0.1/1.1 = 1/11; the common-cause
    // element, in series, at βλ = 1/90, q_cc = 1/91. U = q_cc + (1 − q_cc) q_i².
    // The figures are for one copy's own failures: the common element stays as it is.
    // Down: U₁ = q_cc + (1 − q_cc) q_i. Up: U₀ = q_cc. Birnbaum = (1 − q_cc) q_i.
    let text = r#"
        top = "pair"
        [component.c]
        availability = 0.9
        mttr = "1h"
        [block.pair]
        kind = "parallel"
        of = "c"
        count = 2
        common_cause_beta = 0.1
    "#;
    let (qi, qcc) = (1.0 / 11.0, 1.0 / 91.0);
    let u = qcc + (1.0 - qcc) * qi * qi;
    let (u1, u0) = (qcc + (1.0 - qcc) * qi, qcc);
    // That copy's own rate halved (0.05) or its repair doubled: q_i' = 0.05/1.05 = 1/21.
    let better = linear(1.0 / 21.0, u1, u0);
    check_hand(
        text,
        "c",
        2,
        Expected {
            u,
            u1,
            u0,
            u_mtbf_x2: better,
            u_mttr_half: better,
        },
    );
}
