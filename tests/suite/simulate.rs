//! `nines simulate`, `nines merge` and `nines check --method simulate` through the real binary,
//! parsing `--format json` (one object per line).
//!
//! Statistical checks use the 99.9 % two-sided normal quantile z = 3.2905: the JSON's
//! `exact.*.sigmas` is (simulated − exact) / standard error over independent runs, so a
//! correct simulator stays within ±z with probability 0.999 per check. Every simulation has
//! a fixed `--seed`, so every test is deterministic; a wrong engine, wrong statistics or a
//! wrong exact value still moves the estimate by many standard errors and fails.
//!
//! Runs start with every unit up; `--warmup 1w` (168 h, several times the longest repair or
//! relaxation time of these models) removes that start-up bias where it could show.

use crate::common;
use common::random_models::random_model;
use common::{example_models, json_lines, model_file, nines, path};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Two-sided 99.9 % quantile of the standard normal distribution: P(|Z| > 3.2905) = 0.001.
const Z999: f64 = 3.2905;

/// Beyond this many standard errors a random-model disagreement is a defect, not chance
/// (two-sided probability 7e-6 per check).
const HARD_SIGMAS: f64 = 4.5;

/// Two-sided 95 % normal quantile: the JSON's `*_ci95` intervals are mean ± t·SE with t of
/// n − 1 degrees of freedom; for the thousands of runs used here t differs from it by < 0.1 %.
const Z95: f64 = 1.959_964;

/// Hours in a year, as in the model format (365.25 days).
const HOURS_PER_YEAR: f64 = 8766.0;

/// Fewest expected outages (over all runs) for which "no outage simulated" is implausible:
/// P(none) = e^{−9} ≈ 1.2e-4.
const FEW_OUTAGES: f64 = 9.0;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Runs `nines ARGS`, requires exit 0, and returns the JSON objects printed and stderr.
fn run_json(args: &[String]) -> (Vec<Value>, String) {
    let output = nines().args(args).output().expect("run nines");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "nines {} failed ({:?}):\n{stderr}",
        args.join(" "),
        output.status.code()
    );
    (json_lines(&output.stdout), stderr)
}

/// `nines simulate MODEL --format json EXTRA…` (with `--threads 2` unless EXTRA sets the
/// threads): its one JSON object and stderr.
fn simulate_output(model: &Path, extra: &[&str]) -> (Value, String) {
    let mut args = vec![
        "simulate".to_string(),
        model.display().to_string(),
        "--format".into(),
        "json".into(),
    ];
    if !extra.contains(&"--threads") {
        args.extend(["--threads".into(), "2".into()]);
    }
    // This file tests crude runs; importance sampling is tests/suite/importance.rs.
    if !extra.contains(&"--sampling") {
        args.extend(["--sampling".into(), "crude".into()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let (mut objects, stderr) = run_json(&args);
    assert_eq!(objects.len(), 1, "one JSON line for {}", args.join(" "));
    (objects.remove(0), stderr)
}

/// `nines simulate MODEL --format json EXTRA…`: its one JSON object.
fn simulate(model: &Path, extra: &[&str]) -> Value {
    simulate_output(model, extra).0
}

/// `nines solve MODEL --format json` with `--set` overrides: its one JSON object.
fn solve(model: &Path, sets: &[&str]) -> Value {
    let mut args = vec![
        "solve".to_string(),
        model.display().to_string(),
        "--format".into(),
        "json".into(),
    ];
    for set in sets {
        args.push("--set".into());
        args.push(set.to_string());
    }
    let (mut objects, _) = run_json(&args);
    objects.remove(0)
}

/// `--set A --set B …` as arguments.
fn set_args<'a>(sets: &[&'a str]) -> Vec<&'a str> {
    sets.iter().flat_map(|set| ["--set", set]).collect()
}

fn number(value: &Value, what: &str) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {value}"))
}

/// Runs × measured hours, in years: multiplies an exact per-year rate into the number of
/// events the whole simulation expects.
fn simulated_years(object: &Value) -> f64 {
    number(&object["runs"], "runs") * number(&object["horizon_hours"], "horizon_hours")
        / HOURS_PER_YEAR
}

/// Checks one `{value, sigmas, agrees}` self-check: |sigmas| ≤ z₉₉.₉, or, when no outage was
/// simulated at all (sigmas null), that the exact solution expects fewer than [`FEW_OUTAGES`]
/// outages over all runs. Returns a description of the problem, if any.
fn sigma_problem(check: &Value, expected_outages: f64, what: &str) -> Option<String> {
    if check.is_null() {
        return Some(format!("{what}: no exact self-check in the JSON"));
    }
    match check["sigmas"].as_f64() {
        Some(sigmas) if sigmas.abs() <= Z999 && check["agrees"] == true => None,
        Some(sigmas) => Some(format!(
            "{what}: simulated value is {sigmas:+.2} standard errors from the exact {} (agrees: {})",
            check["value"], check["agrees"]
        )),
        None if expected_outages < FEW_OUTAGES && check["agrees"] == true => None,
        None => Some(format!(
            "{what}: no outage simulated, but the exact solution expects {expected_outages:.1} (agrees: {})",
            check["agrees"]
        )),
    }
}

/// Checks a block's simulated outages per year against the exact value, which the JSON does
/// not carry: (simulated − exact) / SE with the SE from `failures_per_year_ci95`, within
/// ±z₉₉.₉; or, with no outage simulated (zero width), fewer than [`FEW_OUTAGES`] expected.
fn block_failures_problem(block: &Value, exact: f64, expected_outages: f64) -> Option<String> {
    let simulated = number(&block["failures_per_year"], "block f");
    let standard_error = failures_standard_error(block);
    let name = &block["name"];
    if standard_error > 0.0 {
        let sigmas = (simulated - exact) / standard_error;
        (sigmas.abs() > Z999).then(|| {
            format!("block {name} failures_per_year: {simulated} is {sigmas:+.2} standard errors from the exact {exact}")
        })
    } else {
        (expected_outages >= FEW_OUTAGES).then(|| {
            format!("block {name} failures_per_year: no outage simulated, but the exact solution expects {expected_outages:.1}")
        })
    }
}

/// Every problem of a simulated object's self-checks against the exact solution `solved`
/// (`nines solve --format json` of the same model and overrides): the system's U and f when
/// `system`, and the U and f of each block for which `block_checked(name, expected outages)`
/// holds. Also requires the `exact` values in the simulation's JSON to be the solver's.
fn exact_problems(
    object: &Value,
    solved: &Value,
    system: bool,
    block_checked: &dyn Fn(&str, f64) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    let years = simulated_years(object);
    let exact = &object["exact"];
    assert!(exact.is_object(), "no `exact` in {object}");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
    for key in ["unavailability", "failures_per_year"] {
        let carried = number(&exact[key]["value"], key);
        let solved_value = number(&solved[key], key);
        assert!(
            close(carried, solved_value),
            "exact.{key}.value {carried:e} is not `nines solve`'s {solved_value:e}"
        );
    }
    if system {
        // Outages the exact solution expects over all runs: f per year × simulated years.
        let expected = number(&solved["failures_per_year"], "f") * years;
        for key in ["unavailability", "failures_per_year"] {
            problems.extend(sigma_problem(
                &exact[key],
                expected,
                &format!("system {key}"),
            ));
        }
    }
    let blocks = object["blocks"].as_array().expect("blocks array");
    assert!(!blocks.is_empty(), "no blocks in {object}");
    for block in blocks {
        let name = block["name"].as_str().expect("block name");
        let exact_block = &solved["blocks"][name];
        let instances = number(&block["instances"], "instances");
        let expected = number(&exact_block["failures_per_year"], "block f") * instances * years;
        let carried = number(&block["exact_unavailability"]["value"], "block exact U");
        assert!(
            close(carried, number(&exact_block["unavailability"], "block U")),
            "block {name}: exact value {carried:e} is not `nines solve`'s {}",
            exact_block["unavailability"]
        );
        if block_checked(name, expected) {
            problems.extend(sigma_problem(
                &block["exact_unavailability"],
                expected,
                &format!("block {name} unavailability"),
            ));
            let exact_failures = number(&exact_block["failures_per_year"], "block f");
            problems.extend(block_failures_problem(block, exact_failures, expected));
        }
    }
    problems
}

/// Standard error of the simulated unavailability, from its 95 % interval (mean ± t·SE).
fn unavailability_standard_error(object: &Value) -> f64 {
    let low = number(&object["unavailability_ci95"][0], "U low");
    let high = number(&object["unavailability_ci95"][1], "U high");
    (high - low) / 2.0 / Z95
}

/// The same for outages per year (of the system or of a block object).
fn failures_standard_error(object: &Value) -> f64 {
    let low = number(&object["failures_per_year_ci95"][0], "f low");
    let high = number(&object["failures_per_year_ci95"][1], "f high");
    (high - low) / 2.0 / Z95
}

/// Every leaf where two JSON values differ, as (path, left, right); a missing key is null.
fn differences(left: &Value, right: &Value) -> Vec<(String, Value, Value)> {
    fn walk(left: &Value, right: &Value, at: String, found: &mut Vec<(String, Value, Value)>) {
        match (left, right) {
            (Value::Object(a), Value::Object(b)) => {
                for key in a.keys().chain(b.keys().filter(|key| !a.contains_key(*key))) {
                    let (x, y) = (a.get(key), b.get(key));
                    let null = Value::Null;
                    let (x, y) = (x.unwrap_or(&null), y.unwrap_or(&null));
                    walk(x, y, format!("{at}.{key}"), found);
                }
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
                for (index, (x, y)) in a.iter().zip(b).enumerate() {
                    walk(x, y, format!("{at}[{index}]"), found);
                }
            }
            (a, b) if a != b => found.push((at, a.clone(), b.clone())),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(left, right, String::new(), &mut found);
    found
}

/// Requires two JSON values to be equal, listing where they differ otherwise.
fn assert_same(left: &Value, right: &Value, context: &str) {
    let found: Vec<String> = differences(left, right)
        .iter()
        .map(|(at, a, b)| format!("  {at}: {a} vs {b}"))
        .collect();
    assert!(found.is_empty(), "{context}:\n{}", found.join("\n"));
}

/// A JSON object without the fields that depend on the machine and thread count.
fn without_timing(object: &Value) -> Value {
    let mut object = object.clone();
    let map = object.as_object_mut().expect("a JSON object");
    for key in ["elapsed_seconds", "threads", "events_per_second"] {
        assert!(map.remove(key).is_some(), "no `{key}` in the JSON");
    }
    object
}

fn model_name(model: &Path) -> String {
    model.file_name().unwrap().to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------------------------
// 1. Example models against the exact solution
// ---------------------------------------------------------------------------------------------

/// Blocks whose exact value is still exact in a model whose `exact.applies` is false:
/// web-pool-sla's `lbs` is a parallel pair without crews, so its availability does not depend
/// on the fixed repair time's shape (§8.7); `web_pool` (one crew, Weibull/log-normal times),
/// `db` (standby, gamma repairs) and the system get only the exponential approximation.
const EXACT_BLOCKS_OF_APPROXIMATE_MODELS: &[(&str, &[&str])] = &[("web-pool-sla.toml", &["lbs"])];

/// `nines simulate` arguments per example model: 20,000 one-year runs after a week of warm-up
/// (each well under a second); racks-100 expands to 1,100 units, so 2,000 runs.
fn example_arguments(model: &Path) -> Vec<&'static str> {
    let runs = if model_name(model) == "racks-100.toml" {
        "2000"
    } else {
        "20000"
    };
    // Crude runs: this test pins what crude simulation sees (and does not see) in them;
    // tests/suite/importance.rs checks the rare ones by importance sampling.
    vec![
        "--runs",
        runs,
        "--seed",
        "11",
        "--warmup",
        "1w",
        "--sampling",
        "crude",
    ]
}

#[test]
fn every_example_model_agrees_with_the_exact_solution_within_99_9_percent() {
    let models = example_models();
    assert!(models.len() >= 10, "examples missing: {models:?}");
    let mut problems = Vec::new();
    let mut without_outages = Vec::new();
    for model in &models {
        let name = model_name(model);
        let object = simulate(model, &example_arguments(model));
        let solved = solve(model, &[]);
        let found = if object["exact"]["applies"] == true {
            exact_problems(&object, &solved, true, &|_, _| true)
        } else {
            let (_, exact_blocks) = EXACT_BLOCKS_OF_APPROXIMATE_MODELS
                .iter()
                .find(|(file, _)| *file == name)
                .unwrap_or_else(|| {
                    panic!("{name}: exact.applies is false; list its exactly solved blocks")
                });
            exact_problems(&object, &solved, false, &|block, _| {
                exact_blocks.contains(&block)
            })
        };
        if object["exact"]["unavailability"]["sigmas"].is_null() {
            without_outages.push(name.clone());
        }
        for problem in found {
            problems.push(format!("{name}: {problem}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // racks-100 (U ≈ 6.1e-31, f ≈ 1.4e-26 a year) and erasure-6-3 (U ≈ 1.1e-8, f ≈ 7.7e-6 a
    // year: 20,000 years expect 0.15 outages) simulate no outage at all: their system check
    // is only the plausibility of none, so degraded variants follow. The database benchmark
    // (Goyal et al. 1992) at r = 4 and 5 (f ≈ 7e-8 and 1.5e-10 a year) sees none either; at
    // r = 3 (f ≈ 4.1e-5 a year, 0.8 expected in 20,000 years) it may see one or two.
    without_outages.retain(|name| name != "database-r3.toml");
    without_outages.sort();
    assert_eq!(
        without_outages,
        [
            "database-r4.toml",
            "database-r5.toml",
            "erasure-6-3.toml",
            "racks-100.toml"
        ]
    );
}

/// Variants of the examples whose system check above is weak, degraded or made exponential
/// with `--set` so that the 99.9 % comparison with the exact solution is meaningful.
struct Variant {
    file: &'static str,
    sets: &'static [&'static str],
    arguments: &'static [&'static str],
    /// Fewest system outages the exact solution must expect over all runs.
    least_outages: f64,
}

const VARIANTS: &[Variant] = &[
    // Servers fail every 300 h (24 h repairs, U ≈ 0.074 each) and switches every 1000 h: a
    // rack (switch + 8-of-10 servers) is down with U ≈ 0.037, the fleet (90 of 100 racks)
    // with U ≈ 1.1e-3, about 9.8 outages a year. 2,000 runs of 30 days expect
    // 9.8 × 2000 × 720 / 8766 ≈ 1,600 outages. Runs are short, so the week of warm-up
    // (7 server repair times) matters here.
    Variant {
        file: "racks-100.toml",
        sets: &[
            "component.server.mtbf=300h",
            "component.tor_switch.mtbf=1000h",
        ],
        arguments: &[
            "--runs",
            "2000",
            "--horizon",
            "30d",
            "--warmup",
            "1w",
            "--seed",
            "12",
        ],
        least_outages: 1000.0,
    },
    // Nodes failing every 333 h (rate 3e-3) with 12 h rebuilds, one at a time: the stripe
    // (6 of 9) is down with U ≈ 4.2e-3, about 2.6 outages a year, ≈ 51,000 in 20,000 years.
    Variant {
        file: "erasure-6-3.toml",
        sets: &["component.storage_node.failure_rate=3e-3"],
        arguments: &["--runs", "20000", "--warmup", "1w", "--seed", "13"],
        least_outages: 10_000.0,
    },
    // Every time exponential: the exact solution applies to the whole model, including the
    // crew block and the standby block (about 2 outages a year, ≈ 40,000 in all).
    Variant {
        file: "web-pool-sla.toml",
        sets: &[
            "component.lb.repair_dist={dist=\"exponential\"}",
            "component.web_node.failure_dist={dist=\"exponential\"}",
            "component.web_node.repair_dist={dist=\"exponential\"}",
            "component.db_node.repair_dist={dist=\"exponential\"}",
            "block.db.failover_dist={dist=\"exponential\"}",
        ],
        arguments: &["--runs", "20000", "--warmup", "1w", "--seed", "14"],
        least_outages: 10_000.0,
    },
];

#[test]
fn degraded_and_exponential_variants_of_the_examples_agree_with_the_exact_solution() {
    let mut problems = Vec::new();
    for variant in VARIANTS {
        let model = path(&format!("models/{}", variant.file));
        let mut arguments = set_args(variant.sets);
        arguments.extend_from_slice(variant.arguments);
        let object = simulate(&model, &arguments);
        let solved = solve(&model, variant.sets);
        assert_eq!(
            object["exact"]["applies"], true,
            "{}: the exact solution should apply",
            variant.file
        );
        let expected = number(&solved["failures_per_year"], "f") * simulated_years(&object);
        assert!(
            expected >= variant.least_outages,
            "{}: only {expected:.0} outages expected; the variant no longer tests much",
            variant.file
        );
        for problem in exact_problems(&object, &solved, true, &|_, _| true) {
            problems.push(format!("{} {:?}: {problem}", variant.file, variant.sets));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// 2. Random models against the exact solution
// ---------------------------------------------------------------------------------------------

/// Random models checked in CI; generator seeds are tried from 0 until this many qualify.
/// `NINES_RANDOM_MODELS=N` checks N by hand (see docs/testing.md).
const RANDOM_MODELS: usize = 30;

fn random_models_wanted() -> usize {
    std::env::var("NINES_RANDOM_MODELS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(RANDOM_MODELS)
}

/// One-year runs per random model.
const RANDOM_RUNS: u64 = 4000;

/// Skip rule: a random model is simulated only when the exact solver solves it, and checked
/// only when the exact solution expects at least this many system outages over all runs
/// (fewer make the normal approximation of the interval rough and the check weak).
const RANDOM_LEAST_OUTAGES: f64 = 200.0;

/// The longest `mtbf = "…h"` written in a generated model, hours.
fn longest_mtbf_hours(text: &str) -> f64 {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("mtbf = \""))
        .filter_map(|rest| rest.strip_suffix("h\""))
        .filter_map(|hours| hours.parse::<f64>().ok())
        .fold(0.0, f64::max)
}

#[test]
fn random_models_agree_with_the_exact_solution_within_99_9_percent() {
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    let mut soft = Vec::new();
    let mut checks = 0usize;
    let mut skipped = 0;
    let wanted = random_models_wanted();
    for seed in 0..(wanted as u64 * 7).max(200) {
        if checked.len() == wanted {
            break;
        }
        let text = random_model(seed);
        let (_dir, file) = model_file("random.toml", &text);
        let solved = nines()
            .args(["solve", "--format", "json"])
            .arg(&file)
            .output()
            .unwrap();
        if !solved.status.success() {
            skipped += 1; // beyond the exact solver
            continue;
        }
        let solved = json_lines(&solved.stdout).remove(0);
        // One-year runs after a warm-up. Repairs take at most 40 h on average and a crew works
        // through at most 3 of them in a row, so two weeks settle everything but standby
        // blocks: every run starts with the first-listed member active, and which member is
        // active settles only as units fail, over a few of the longest MTBFs (a first member
        // with MTBF 176 h before one of 2,007 h biased a 2-week warm-up by +14 standard
        // errors). Those get five times the longest MTBF in the model.
        let runs = RANDOM_RUNS.to_string();
        let seed_text = seed.to_string();
        let warmup = if text.contains("kind = \"standby\"") {
            format!("{}h", 5.0 * longest_mtbf_hours(&text))
        } else {
            "2w".to_string()
        };
        let arguments = [
            "--runs", &runs, "--warmup", &warmup, "--seed", &seed_text, "--quiet",
        ];
        let years = RANDOM_RUNS as f64;
        if number(&solved["failures_per_year"], "f") * years < RANDOM_LEAST_OUTAGES {
            skipped += 1;
            continue;
        }
        let object = simulate(&file, &arguments);
        assert_eq!(
            object["exact"]["applies"], true,
            "exponential times only:\n{text}"
        );
        // Blocks are checked too where the exact solution expects enough of their outages.
        let blocks_checked = std::cell::Cell::new(0usize);
        let found = exact_problems(&object, &solved, true, &|_, expected| {
            let checked = expected >= RANDOM_LEAST_OUTAGES;
            blocks_checked.set(blocks_checked.get() + usize::from(checked));
            checked
        });
        // U and f of the system and of each checked block.
        checks += 2 + 2 * blocks_checked.get();
        for problem in found {
            let sigmas = problem
                .split(" standard errors")
                .next()
                .and_then(|head| head.rsplit(' ').next())
                .and_then(|number| number.parse::<f64>().ok());
            let message = format!("generator seed {seed}: {problem}\n{text}");
            // A self-check that says "disagrees", a missing outage, or beyond 4.5 standard
            // errors (two-sided probability 7e-6) is a defect; between z₉₉.₉ and 4.5 it may
            // be chance, and is counted.
            match sigmas {
                Some(z) if z.abs() <= HARD_SIGMAS && !problem.contains("agrees: false") => {
                    soft.push(message)
                }
                _ => problems.push(message),
            }
        }
        checked.push(text);
    }

    assert_eq!(
        checked.len(),
        wanted,
        "too few random models qualify ({skipped} skipped)"
    );
    eprintln!(
        "{} random models simulated and checked ({skipped} skipped)",
        checked.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // Each check has a 0.1 % chance of landing outside z₉₉.₉ by chance: allow the expected
    // count plus three binomial standard deviations.
    let expected = 0.001 * checks as f64;
    let allowed = (expected + 3.0 * expected.sqrt()).floor() as usize;
    eprintln!(
        "{checks} checks, {} outside the 99.9% interval (at most {allowed} allowed), none beyond {HARD_SIGMAS} standard errors",
        soft.len()
    );
    assert!(soft.len() <= allowed, "{}", soft.join("\n\n"));
    // The checked models still exercise every feature of the generator.
    let all = checked.join("\n");
    for feature in [
        "repair_crews",
        "kind = \"standby\"",
        "mode = \"warm\"",
        "mode = \"cold\"",
        "coverage",
        "common_cause_beta",
        "shared = true",
        "kind = \"quorum\"",
        "kind = \"k-of-n\"",
        "kind = \"parallel\"",
    ] {
        assert!(all.contains(feature), "no checked model uses {feature}");
    }
    let timed_failover = all
        .lines()
        .any(|line| line.starts_with("failover = ") && line != "failover = \"0s\"");
    assert!(
        timed_failover,
        "no checked model has a failover that takes time"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Non-exponential times against known results
// ---------------------------------------------------------------------------------------------

/// One unit with MTBF 100 h and MTTR 10 h, alone in a series block; shapes come with `--set`.
const ONE_UNIT: &str = r#"
name = "one unit"
top = "system"

[component.unit]
mtbf = "100h"
mttr = "10h"

[block.system]
kind = "series"
members = ["unit"]
"#;

/// (simulated − expected) / standard error of the simulated unavailability.
fn unavailability_sigmas(object: &Value, expected: f64) -> f64 {
    (number(&object["unavailability"], "U") - expected) / unavailability_standard_error(object)
}

/// (simulated − expected) / standard error of the simulated outages per year.
fn failures_sigmas(object: &Value, expected_per_year: f64) -> f64 {
    (number(&object["failures_per_year"], "f") - expected_per_year)
        / failures_standard_error(object)
}

#[test]
fn one_unit_availability_depends_on_the_means_only() {
    // A unit alternating up times of mean 100 h and down times of mean 10 h is down a
    // fraction 10/110 = 0.090909 of the long run and has one outage per cycle, 1/110 an hour
    // (8766/110 = 79.69 a year), whatever the two distributions (renewal-reward theorem). The
    // exact solution is exact here (`applies`), and 4,000 one-year runs (≈ 319,000 outages)
    // must match it within 99.9 %.
    let (_dir, file) = model_file("unit.toml", ONE_UNIT);
    let u_exact = 10.0 / 110.0;
    let f_exact = HOURS_PER_YEAR / 110.0;
    let shapes = [
        (r#"{dist="exponential"}"#, r#"{dist="fixed"}"#),
        (r#"{dist="lognormal", sigma=1}"#, r#"{dist="fixed"}"#),
        (r#"{dist="weibull", shape=2.5}"#, r#"{dist="fixed"}"#),
        (
            r#"{dist="weibull", shape=0.7}"#,
            r#"{dist="lognormal", sigma=1.2}"#,
        ),
        (r#"{dist="gamma", shape=4}"#, r#"{dist="gamma", shape=0.5}"#),
    ];
    for (index, (failure, repair)) in shapes.iter().enumerate() {
        let failure = format!("component.unit.failure_dist={failure}");
        let repair = format!("component.unit.repair_dist={repair}");
        let seed = (30 + index).to_string();
        let object = simulate(
            &file,
            &[
                "--set", &failure, "--set", &repair, "--runs", "4000", "--warmup", "1w", "--seed",
                &seed,
            ],
        );
        let label = format!("{failure}, {repair}");
        assert_eq!(object["exact"]["applies"], true, "{label}");
        let exact = &object["exact"];
        assert!((number(&exact["unavailability"]["value"], "U") - u_exact).abs() < 1e-15);
        assert!((number(&exact["failures_per_year"]["value"], "f") - f_exact).abs() < 1e-9);
        let problems: Vec<String> = ["unavailability", "failures_per_year"]
            .iter()
            .filter_map(|key| sigma_problem(&exact[*key], f_exact * 4000.0, key))
            .collect();
        assert!(problems.is_empty(), "{label}: {problems:?}");
    }
}

#[test]
fn fixed_repairs_change_outage_lengths_and_window_downtime_but_not_availability() {
    // The same unit (MTBF 100 h, MTTR 10 h) with exponential and with fixed repairs, 4,000
    // one-year runs, one-day windows, the same seed.
    let (_dir, file) = model_file("unit.toml", ONE_UNIT);
    let run = |repair: &str| {
        let set = format!("component.unit.repair_dist={{dist=\"{repair}\"}}");
        simulate(
            &file,
            &[
                "--set", &set, "--runs", "4000", "--warmup", "1w", "--window", "1d", "--seed", "40",
            ],
        )
    };
    let exponential = run("exponential");
    let fixed = run("fixed");
    for object in [&exponential, &fixed] {
        // Same availability (insensitivity, see above).
        assert!(unavailability_sigmas(object, 10.0 / 110.0).abs() <= Z999);
        assert_eq!(object["window_hours"], 24.0);
    }
    let outages = |object: &Value, key: &str| number(&object["outage_hours"][key], key);

    // Fixed repairs: every outage lasts exactly 10 h (up to rounding of the clock). Quantiles
    // are geometric bin midpoints within ±0.58 % of the order statistic, clamped to the
    // recorded extremes; the maximum and the mean are exact.
    for key in ["p50", "p90", "p99", "max"] {
        let value = outages(&fixed, key);
        assert!((value - 10.0).abs() <= 0.006 * 10.0, "fixed {key} {value}");
    }
    assert!((outages(&fixed, "mean") - 10.0).abs() < 1e-9);
    assert!(outages(&fixed, "count") > 300_000.0); // ≈ 79.7 × 4000 = 319,000

    // Exponential repairs: outage = repair time ~ Exp(mean 10 h), whose q-quantile is
    // −10·ln(1 − q): p50 = 6.93 h, p90 = 23.03 h, p99 = 10·ln 100 = 46.05 h. With ≈ 319,000
    // outages the sample p99 has a standard error of √(0.01·0.99/319000) / (0.1·0.01) ≈ 0.18 h
    // (0.4 %); 3 % covers it and the bins.
    for (key, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
        let expected = -10.0 * f64::ln(1.0 - q);
        let value = outages(&exponential, key);
        assert!(
            (value - expected).abs() <= 0.03 * expected,
            "exponential {key} {value}, expected {expected}"
        );
    }
    assert!((outages(&exponential, "mean") - 10.0).abs() <= 0.1); // SE ≈ 10/√319000 ≈ 0.018
    assert!(outages(&exponential, "max") > 100.0); // P(one of 319,000 > 100 h) = 1 − (1 − e^−10)^319000 ≈ 1

    // One-day windows. Exponential: a day is down from start to end when the unit is down at
    // its start (probability 1/11) and the remaining repair, again Exp(mean 10 h), exceeds
    // 24 h (e^−2.4 = 0.091): ≥ 0.82 % of days, so p99.9 is the whole day, 1440 min; more than
    // 20 h down needs only e^−2: ≥ 1/11 · 0.135 = 1.2 % of days, so p99 > 1200 min.
    let window = |object: &Value, key: &str| number(&object["window_downtime_minutes"][key], key);
    assert!((window(&exponential, "p999") - 1440.0).abs() <= 0.006 * 1440.0);
    assert!((window(&exponential, "max") - 1440.0).abs() < 1e-6);
    assert!(window(&exponential, "p99") > 1200.0);
    // Fixed: two outages give at most 20 h, so a day with more meets three, i.e. holds two
    // whole up times adding to less than 4 h: P(Exp + Exp < 4 h) = 1 − e^−0.04·1.04 = 7.8e-4
    // per outage, and a day meets (24 + 10)/110 = 0.31 outages on average: < 0.03 % of days,
    // so p99 ≤ 1200 min. A whole day down would need up times of length 0: max < 1440 min.
    assert!(window(&fixed, "p99") < 1200.0);
    assert!(window(&fixed, "max") < 1440.0 - 1e-6);
}

/// Two units (MTBF 100 h, MTTR 10 h, fixed repairs) in parallel; `crews` adds a line.
fn fixed_repair_pair(crews: &str) -> String {
    format!(
        "name = \"pair, fixed repairs\"\ntop = \"pair\"\n\n[component.node]\nmtbf = \"100h\"\nmttr = \"10h\"\nrepair_dist = {{ dist = \"fixed\" }}\n\n[block.pair]\nkind = \"parallel\"\nof = \"node\"\ncount = 2\n{crews}"
    )
}

#[test]
fn parallel_pair_with_fixed_repairs_is_the_product_of_its_units() {
    // λ = 0.01 /h, r = 10 h, unlimited repairs: the units are independent alternating renewal
    // processes, each down U₁ = λr/(1 + λr) = 1/11 of the time whatever the repair shape, so
    // U = U₁² = 1/121 = 8.2645e-3. An outage starts when one unit fails (rate 1/(1/λ + r) =
    // 1/110 an hour each) while the other is down (probability U₁, independent):
    // f = 2·U₁/(1/λ + r) = 2/1210 an hour = 14.489 a year.
    let (_dir, file) = model_file("pair.toml", &fixed_repair_pair(""));
    let (lambda, r) = (0.01, 10.0);
    let u1 = lambda * r / (1.0 + lambda * r);
    let u = u1 * u1;
    let f = 2.0 * u1 / (1.0 / lambda + r) * HOURS_PER_YEAR;
    let object = simulate(
        &file,
        &["--runs", "10000", "--warmup", "1w", "--seed", "50"],
    );
    assert_eq!(object["exact"]["applies"], true);
    let exact = &object["exact"];
    assert!((number(&exact["unavailability"]["value"], "U") - u).abs() <= 1e-12 * u);
    assert!((number(&exact["failures_per_year"]["value"], "f") - f).abs() <= 1e-9 * f);
    let sigmas = (
        unavailability_sigmas(&object, u),
        failures_sigmas(&object, f),
    );
    assert!(
        sigmas.0.abs() <= Z999 && sigmas.1.abs() <= Z999,
        "U {} (expected {u:e}), f {} (expected {f}): {sigmas:?} standard errors",
        object["unavailability"],
        object["failures_per_year"]
    );
}

#[test]
fn one_crew_pair_with_fixed_repairs_matches_the_regenerative_formula() {
    // Two units, failures Exp(λ) while up, one crew, repairs of fixed length r.
    //
    // Every repair starts with exactly one unit up: either the pair was whole and one failed,
    // or a repair just ended while the other unit waited, and the repaired unit is up again
    // with a fresh exponential life. So repair periods are i.i.d.: the up unit survives the
    // period (length r) with probability p = e^−λr, and the pair is whole again for an
    // Exp(2λ) time; otherwise it failed at T < r, the system is down from T to r, and the
    // waiting unit's repair starts at once (the repaired one is up).
    //
    // Cycle (regeneration on entering "both up"): Exp(2λ) up, then N repair periods, N
    // geometric with mean 1/p. Downtime per period E[(r − T)⁺] = ∫₀ʳ (1 − e^−λt) dt =
    // r − (1 − p)/λ; by Wald, per cycle (r − (1 − p)/λ)/p; cycle length 1/(2λ) + r/p; each
    // of the N − 1 failed periods is one outage, ending at its period's end. So
    //   U = (r − (1 − p)/λ)/p ÷ (1/(2λ) + r/p) = (2λr − 2(1 − p)) / (p + 2λr),
    //   f = ((1 − p)/p) ÷ (1/(2λ) + r/p)       = 2λ(1 − p) / (p + 2λr).
    // λ = 0.01 /h, r = 10 h: p = 0.904837, U = 8.7568e-3, f = 1.7226e-3 /h = 15.100 a year,
    // mean outage U/f = 5.08 h.
    //
    // Exponential repairs (mean r, μ = 1/r) with one crew: a birth–death chain with rates
    // 2λ, λ down and μ, μ up: U = 2λ²/(μ² + 2λμ + 2λ²) = 2e-4/0.0122 = 1.6393e-2, nearly twice
    // as much, f = 2λ²μ/(μ² + 2λμ + 2λ²) = 14.37 a year. That is the solver's exponential
    // approximation (`applies` false), which the simulation must clearly reject.
    let (_dir, file) = model_file("pair.toml", &fixed_repair_pair("repair_crews = 1\n"));
    let (lambda, r) = (0.01_f64, 10.0_f64);
    let p = (-lambda * r).exp();
    let u_fixed = (2.0 * lambda * r - 2.0 * (1.0 - p)) / (p + 2.0 * lambda * r);
    let f_fixed = 2.0 * lambda * (1.0 - p) / (p + 2.0 * lambda * r) * HOURS_PER_YEAR;
    let mu = 1.0 / r;
    let denominator = mu * mu + 2.0 * lambda * mu + 2.0 * lambda * lambda;
    let u_exponential = 2.0 * lambda * lambda / denominator;
    let f_exponential = 2.0 * lambda * lambda * mu / denominator * HOURS_PER_YEAR;
    assert!((u_fixed - 8.7568e-3).abs() < 1e-7 && (f_fixed - 15.100).abs() < 1e-3);

    let object = simulate(
        &file,
        &["--runs", "10000", "--warmup", "1w", "--seed", "51"],
    );
    let exact = &object["exact"];
    assert_eq!(exact["applies"], false, "one crew with fixed repairs");
    let carried = number(&exact["unavailability"]["value"], "U");
    assert!((carried - u_exponential).abs() <= 1e-12 * u_exponential);
    let carried = number(&exact["failures_per_year"]["value"], "f");
    assert!((carried - f_exponential).abs() <= 1e-9 * f_exponential);

    let fixed = (
        unavailability_sigmas(&object, u_fixed),
        failures_sigmas(&object, f_fixed),
    );
    assert!(
        fixed.0.abs() <= Z999 && fixed.1.abs() <= Z999,
        "U {} (fixed-repair formula {u_fixed:e}), f {} (formula {f_fixed}): {fixed:?} standard errors",
        object["unavailability"],
        object["failures_per_year"]
    );
    let mttr = number(&object["mttr_hours"], "mttr");
    assert!(
        (mttr - u_fixed / f_fixed * HOURS_PER_YEAR).abs() < 0.05 * 5.08,
        "{mttr}"
    );
    // 10,000 runs (≈ 151,000 outages) give U to ±2.7e-5 and f to ±0.041 a year (1 SE): U
    // lies ≈ 280 standard errors below the exponential value, f ≈ 17 above it. Require 20
    // and 5.
    let exponential = (
        unavailability_sigmas(&object, u_exponential),
        failures_sigmas(&object, f_exponential),
    );
    assert!(
        exponential.0 < -20.0 && exponential.1 > 5.0,
        "{exponential:?}"
    );
    let reported = number(&exact["unavailability"]["sigmas"], "sigmas");
    assert!((reported - exponential.0).abs() <= 0.01 * exponential.0.abs());
    assert_eq!(exact["unavailability"]["agrees"], false);
}

// ---------------------------------------------------------------------------------------------
// 4. Reproducibility
// ---------------------------------------------------------------------------------------------

#[test]
fn the_same_seed_gives_the_same_results_whatever_the_threads() {
    // web-pool-sla has every feature that draws random numbers (non-exponential times, a crew
    // queue, a standby block with coverage and failover times) and a target, so breach
    // statistics too. 3,000 runs are done in several checkpoints, split among the threads.
    let model = path("models/web-pool-sla.toml");
    let run = |seed: &str, threads: &str| {
        let object = simulate(
            &model,
            &["--runs", "3000", "--seed", seed, "--threads", threads],
        );
        assert_eq!(object["threads"], threads.parse::<u64>().unwrap());
        object
    };
    let one = run("21", "1");
    assert_eq!(one["blocks"].as_array().unwrap().len(), 4);
    assert!(number(&one["failures_per_year"], "f") > 0.0);
    for threads in ["2", "3"] {
        assert_same(
            &without_timing(&one),
            &without_timing(&run("21", threads)),
            &format!("--threads 1 and --threads {threads} differ"),
        );
    }
    // The comparison can fail: another seed gives other numbers.
    assert!(differences(&without_timing(&one), &without_timing(&run("22", "2"))).len() > 10);

    // --precision checks its goal at run counts that do not depend on the threads, so it
    // stops after the same runs with the same numbers.
    let model = path("models/three-tier.toml");
    let precise = |threads: &str| {
        simulate(
            &model,
            &["--precision", "5%", "--seed", "23", "--threads", threads],
        )
    };
    let one = precise("1");
    assert_eq!(one["stopped"], "precision");
    assert_same(
        &without_timing(&one),
        &without_timing(&precise("2")),
        "--precision with 1 and 2 threads differs",
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Stopping at a precision
// ---------------------------------------------------------------------------------------------

#[test]
fn precision_stops_once_the_interval_is_narrow_enough() {
    // three-tier: U ≈ 2.8e-5, mostly from the shared switch (one failure in 17 years, 4 h),
    // so a one-year run's downtime varies a lot (coefficient of variation ≈ 6) and a 2 %
    // half-width needs about (1.96 · 6 / 0.02)² ≈ 350,000 runs.
    let object = simulate(
        &path("models/three-tier.toml"),
        &["--precision", "2%", "--seed", "3"],
    );
    assert_eq!(object["stopped"], "precision");
    let u = number(&object["unavailability"], "U");
    let low = number(&object["unavailability_ci95"][0], "low");
    let high = number(&object["unavailability_ci95"][1], "high");
    let half_width = (high - low) / 2.0;
    assert!(half_width <= 0.02 * u, "{half_width:e} > 2 % of {u:e}");
    // The goal is checked every 25 % more runs, so the run before the last check still had a
    // half-width above 2 %: now about 2 %/√1.25 = 1.8 % or more.
    assert!(
        half_width >= 0.015 * u,
        "ran far beyond the goal: {half_width:e}"
    );
    let runs = number(&object["runs"], "runs");
    assert!((100_000.0..2_000_000.0).contains(&runs), "{runs} runs");
    // And the estimates agree with the exact solution within 99.9 %.
    assert!(number(&object["exact"]["unavailability"]["sigmas"], "s").abs() <= Z999);
    assert!(number(&object["exact"]["failures_per_year"]["sigmas"], "s").abs() <= Z999);
}

#[test]
fn precision_caps_stop_with_a_note_and_the_numbers_reproduce() {
    let model = path("models/three-tier.toml");
    let (object, stderr) = simulate_output(
        &model,
        &["--precision", "0.1%", "--max-runs", "500", "--seed", "4"],
    );
    assert_eq!(object["stopped"], "max-runs");
    assert_eq!(object["runs"], 500);
    assert!(
        stderr.contains("stopped at --max-runs before reaching --precision after 500 runs"),
        "{stderr}"
    );
    assert!(stderr.contains("--runs 500 --seed 4"), "{stderr}");
    // As the note says, --runs 500 with the same seed gives the same numbers.
    let mut again = without_timing(&simulate(&model, &["--runs", "500", "--seed", "4"]));
    assert_eq!(again["stopped"], "runs");
    again["stopped"] = "max-runs".into();
    assert_same(&without_timing(&object), &again, "--runs 500 differs");

    // A 0.01 % half-width would need about 10,000² times more runs than 2 % (≈ 10¹³): the
    // wall-time cap of 0.3 s stops it first, after however many runs that allowed; the note
    // names them, and they reproduce too.
    let (object, stderr) = simulate_output(
        &model,
        &["--precision", "0.01%", "--max-time", "0.3s", "--seed", "5"],
    );
    assert_eq!(object["stopped"], "max-time");
    let runs = object["runs"].as_u64().expect("runs");
    assert!((100..10_000_000).contains(&runs), "{runs} runs");
    assert!(
        stderr.contains(&format!(
            "stopped at --max-time before reaching --precision after {runs} runs"
        )),
        "{stderr}"
    );
    let runs = runs.to_string();
    assert!(
        stderr.contains(&format!("--runs {runs} --seed 5")),
        "{stderr}"
    );
    let mut again = without_timing(&simulate(&model, &["--runs", &runs, "--seed", "5"]));
    again["stopped"] = "max-time".into();
    assert_same(
        &without_timing(&object),
        &again,
        "--runs after --max-time differs",
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Shards and merge
// ---------------------------------------------------------------------------------------------

/// Simulates shard `shard` ("I/K") of `runs` runs into `file`; returns the shard's JSON.
fn simulate_shard(
    model: &Path,
    runs: &str,
    seed: &str,
    shard: &str,
    file: &Path,
    sets: &[&str],
) -> Value {
    let file = file.display().to_string();
    let mut arguments = vec![
        "--runs", runs, "--seed", seed, "--shard", shard, "--save", &file,
    ];
    arguments.extend(set_args(sets));
    let object = simulate(model, &arguments);
    assert!(Path::new(&file).is_file(), "{file} not saved");
    object
}

fn merge(files: &[&PathBuf]) -> std::process::Output {
    nines()
        .args(["merge", "--format", "json"])
        .args(files)
        .output()
        .expect("run nines merge")
}

/// `model` simulated whole (3,000 runs) and as shards 1/3, 2/3, 3/3 saved to files and
/// merged in the order c, a, b: both JSON objects without their timing fields.
fn whole_and_merged(model: &Path, seed: &str) -> (Value, Value) {
    let whole = simulate(model, &["--runs", "3000", "--seed", seed]);
    let folder = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = ["a.json", "b.json", "c.json"]
        .iter()
        .map(|name| folder.path().join(name))
        .collect();
    for (index, file) in files.iter().enumerate() {
        let shard = format!("{}/3", index + 1);
        let part = simulate_shard(model, "3000", seed, &shard, file, &[]);
        // Run indices [(I−1)·3000/3, I·3000/3): 1,000 each.
        assert_eq!(part["runs"], 1000, "shard {shard}");
        assert_eq!(part["seed"], seed.parse::<u64>().unwrap());
    }
    let output = merge(&[&files[2], &files[0], &files[1]]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let merged = json_lines(&output.stdout).remove(0);
    assert_eq!(merged["runs"], 3000);
    assert_eq!(merged["stopped"], "runs");
    (without_timing(&whole), without_timing(&merged))
}

#[test]
fn merged_shards_equal_one_unsharded_simulation_bit_for_bit() {
    // web-pool-sla (crews, standby, every distribution, a target) and three-tier (a shared
    // unit): the merge must equal the unsharded simulation in every field but the timing
    // ones, exact values and their sigmas included. Shard files carry plain floats (exact
    // values, histogram extremes), so this needs serde_json's correctly rounded parsing
    // (`float_roundtrip`): its default parser reads 2.0802752204116604e-07, web-pool-sla's
    // exact U of `lbs`, as 2.0802752204116607e-07.
    for (model, seed) in [("web-pool-sla.toml", "9"), ("three-tier.toml", "10")] {
        let (whole, merged) = whole_and_merged(&path(&format!("models/{model}")), seed);
        assert_same(&whole, &merged, &format!("{model}: unsharded vs merged"));
    }
}

#[test]
fn merge_refuses_missing_duplicated_and_foreign_shards() {
    let model = path("models/web-pool-sla.toml");
    let folder = tempfile::tempdir().unwrap();
    let file = |name: &str| folder.path().join(name);
    let (a, b, c) = (file("a.json"), file("b.json"), file("c.json"));
    simulate_shard(&model, "300", "9", "1/3", &a, &[]);
    simulate_shard(&model, "300", "9", "2/3", &b, &[]);
    simulate_shard(&model, "300", "9", "3/3", &c, &[]);
    let a_again = file("a-again.json");
    std::fs::copy(&a, &a_again).unwrap();
    let b_other_seed = file("b-seed-10.json");
    simulate_shard(&model, "300", "10", "2/3", &b_other_seed, &[]);
    let c_other_model = file("c-longer-repairs.json");
    simulate_shard(
        &model,
        "300",
        "9",
        "3/3",
        &c_other_model,
        &["component.db_node.mttr=5h"],
    );
    assert!(merge(&[&a, &b, &c]).status.success());
    let not_a_shard = path("models/web-pool-sla.toml");
    let cases: [(&[&PathBuf], &[&str]); 5] = [
        (&[&a, &c], &["missing shards: 2/3"]),
        (
            &[&a, &b, &c, &a_again],
            &["shard 1/3 given 2 times", "a-again.json"],
        ),
        (&[&a, &b_other_seed, &c], &["differ in seed", "9 vs 10"]),
        (
            &[&a, &b, &c_other_model],
            &["differ in model", "c-longer-repairs.json"],
        ),
        (&[&a, &b, &not_a_shard], &["not a nines shard file"]),
    ];
    for (files, needles) in cases {
        let output = merge(files);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{files:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{files:?} printed a result");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{files:?}: no `{needle}` in {stderr}"
            );
        }
    }
}

/// Found by review: a hand-edited shard whose block list no longer matches its statistics
/// made `merge` panic (index out of bounds); it must be refused with exit 2. So must one with
/// a horizon of 0 or a breach limit differing from the other shards.
#[test]
fn merge_refuses_edited_shards_without_panicking() {
    let model = path("models/web-pool-sla.toml");
    let folder = tempfile::tempdir().unwrap();
    let a = folder.path().join("a.json");
    let b = folder.path().join("b.json");
    simulate_shard(&model, "200", "4", "1/2", &a, &[]);
    simulate_shard(&model, "200", "4", "2/2", &b, &[]);
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    let edits: [(&str, Value, &str); 3] = [
        ("blocks", Value::Array(Vec::new()), "blocks"),
        ("horizon_hours", Value::from(0.0), "horizon"),
        (
            "max_breach_probability",
            Value::from(0.9),
            "differ in breach limit",
        ),
    ];
    for (key, value, needle) in edits {
        let mut edited = original.clone();
        edited[key] = value;
        let file = folder.path().join(format!("edited-{key}.json"));
        std::fs::write(&file, edited.to_string()).unwrap();
        let output = merge(&[&a, &file]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{key}: {stderr}");
        assert!(!stderr.contains("panicked"), "{key}: {stderr}");
        assert!(stderr.contains(needle), "{key}: no `{needle}` in {stderr}");
    }
}

/// Found by review: with a horizon shorter than the SLA window no window is measured, and
/// `check --method simulate` used to pass a model whose `max_breach_probability` it could
/// not check. It must be an input error instead.
#[test]
fn check_by_simulation_refuses_a_breach_limit_it_cannot_check() {
    let output = nines()
        .args([
            "check", "--method", "simulate", "--runs", "200", "--seed", "1",
        ])
        .args(["--horizon", "1d", "-q"])
        .arg(path("models/web-pool-sla.toml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("max_breach_probability cannot be checked"),
        "{stderr}"
    );
}

/// Found by review: a system that goes down exactly once in every run (MTBF 1 s, repairs of
/// 10,000 h, so the first outage lasts the whole year) has no spread between runs; the
/// self-check must not call that "no outage simulated" nor agree with the exact frequency
/// (about 2e-14 a year in the steady state, versus 1 per run simulated from new).
#[test]
fn self_check_with_identical_runs_does_not_claim_no_outage() {
    let text = r#"
[component.node]
mtbf = "1s"
mttr = "10000h"
[block.system]
kind = "k-of-n"
k = 3
of = "node"
count = 5
"#;
    let (_dir, file) = model_file("down.toml", text);
    let (object, stderr) = simulate_output(&file, &["--runs", "1000", "--seed", "1"]);
    let check = &object["exact"]["failures_per_year"];
    assert_eq!(check["agrees"], Value::Bool(false), "{object}");
    assert!(!stderr.contains("no outage simulated"), "{stderr}");
    assert!(stderr.contains("the same value in every run"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// 7. check --method simulate
// ---------------------------------------------------------------------------------------------

#[test]
fn check_by_simulation_judges_the_availability_and_the_breach_probability() {
    // web-pool-sla: target 99.99 % (U ≤ 1e-4, 4.32 min per 30-day window), at most 1 % of
    // windows breaching. Exponential approximation U ≈ 6.1e-6, far within. A window breaches
    // with one outage over 4.32 min; those come from uncovered DB failovers (2 a year × 1 %,
    // 20 min: 0.020 a year), a second web node failing during a repair (16 failures a year ×
    // 3 nodes × ≈ 1 h / 2190 h: 0.022), the DB failing with its replica down (2 × 4/4380:
    // 0.002) and both LBs down (2 · (1/8770 h) · 4/8770 · 8766 h: 0.001): ≈ 0.045 a year,
    // 0.0037 per 30 days, so P(breach) ≈ 0.37 %, within the 1 % limit.
    let model = path("models/web-pool-sla.toml");
    let check = |extra: &[&str]| {
        let mut command = nines();
        command
            .args([
                "check", "--method", "simulate", "--runs", "20000", "--seed", "5",
            ])
            .args(["--threads", "2"])
            .arg(&model)
            .args(extra);
        command.output().expect("run nines check")
    };
    let json = |extra: &[&str]| {
        let mut arguments = vec!["--format", "json"];
        arguments.extend_from_slice(extra);
        let output = check(&arguments);
        (output.status.code(), json_lines(&output.stdout).remove(0))
    };

    let output = check(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("PASS"), "{stdout}");
    let (code, object) = json(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(object["method"], "simulate");
    assert_eq!(object["target"]["met"], true);
    assert_eq!(object["target"]["availability_met"], true);
    assert_eq!(object["target"]["breach_met"], true);
    let breach = number(&object["breach_probability"], "breach");
    assert!(
        (0.0025..0.005).contains(&breach),
        "breach probability {breach}"
    );
    assert!(number(&object["breach_probability_ci95"][1], "high") <= 0.01);

    // No window may breach: the interval's upper end is above 0 even with no breach seen.
    let zero = ["--set", "target.max_breach_probability=0"];
    let output = check(&zero);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("FAIL") && stdout.contains("above the limit"),
        "{stdout}"
    );
    let (code, object) = json(&zero);
    assert_eq!(code, Some(1));
    assert_eq!(object["target"]["met"], false);
    assert_eq!(object["target"]["availability_met"], true);
    assert_eq!(object["target"]["breach_met"], false);

    // 99.9999 % (U ≤ 1e-6) is far above the model's ≈ 99.9993 %.
    let strict = ["--target", "99.9999%"];
    let output = check(&strict);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("FAIL") && stdout.contains("misses target 99.9999%"),
        "{stdout}"
    );
    let (code, object) = json(&strict);
    assert_eq!(code, Some(1));
    assert_eq!(object["target"]["met"], false);
    assert_eq!(object["target"]["availability_met"], false);
}

// ---------------------------------------------------------------------------------------------
// 8. Bad options
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_simulation_options_exit_2_with_a_message_naming_the_option() {
    let model = path("models/three-tier.toml");
    let folder = tempfile::tempdir().unwrap();
    let save = folder.path().join("part.json").display().to_string();
    let cases: [(&[&str], &[&str]); 6] = [
        (&["--runs", "0"], &["--runs", "at least 1"]),
        (
            &["--precision", "0%"],
            &["--precision", "between 0 and 100%"],
        ),
        (&["--horizon", "0s"], &["--horizon", "longer than 0"]),
        (
            &[
                "--runs", "300", "--seed", "1", "--shard", "4/3", "--save", &save,
            ],
            &["--shard", "1 ≤ I ≤ K", "'4/3'"],
        ),
        (
            &["--runs", "300", "--seed", "1", "--shard", "1/3"],
            &["required", "--save"],
        ),
        (&["--threads", "0"], &["--threads", "at least 1"]),
    ];
    for (arguments, needles) in cases {
        let output = nines()
            .arg("simulate")
            .arg(&model)
            .args(arguments)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{arguments:?} printed a result");
        assert!(!stderr.contains("panicked"), "{stderr}");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{arguments:?}: no `{needle}` in {stderr}"
            );
        }
    }
    assert!(!Path::new(&save).exists(), "a refused shard was saved");
}

/// CSV: the header, then the system and one row per block (web-pool-sla has 4 blocks), each
/// with 14 fields; Markdown: a table with the same rows. A model name starting with `=` must
/// not become a spreadsheet formula.
#[test]
fn csv_and_markdown_list_the_system_and_every_block() {
    let text = std::fs::read_to_string(path("models/web-pool-sla.toml"))
        .unwrap()
        .replacen("name = ", "name = \"=cmd|x\" # ", 1);
    let (_dir, file) = model_file("formula.toml", &text);
    let csv = nines()
        .args([
            "simulate", "--runs", "300", "--seed", "1", "-q", "--format", "csv",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(csv.status.success());
    let csv = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 4, "{csv}");
    assert!(lines[0].starts_with("model,file,item,kind,availability"));
    assert!(lines[1].contains(",system,system,"), "{csv}");
    assert!(!lines[1].starts_with('='), "formula not defused: {csv}");
    let markdown = nines()
        .args([
            "simulate", "--runs", "300", "--seed", "1", "-q", "--format", "markdown",
        ])
        .arg(path("models/web-pool-sla.toml"))
        .output()
        .unwrap();
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    let rows = markdown
        .lines()
        .filter(|line| line.starts_with("| "))
        .count();
    assert_eq!(rows, 1 + 1 + 4, "{markdown}");
}
