//! Regression tests from fuzzing (`tests/fuzz/run.sh`, `fuzz/`): each finding as an input
//! literal with the graceful outcome expected, and every seed of the fuzz corpus sent down
//! the same path the fuzzer drives (`fuzz/src/lib.rs`, compiled in here unchanged).
//!
//! A finding that still needs a fix in `src/` is `#[ignore]`d with the reason; run them with
//! `cargo test --test suite fuzz_regressions:: -- --ignored`.

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod pipeline;

use nines::model::load::load_model;
use nines::simulate::{self, Quiet, Settings, Stop};
use pipeline::{Outcome, Simulated};
use std::path::PathBuf;

/// Seeds larger than this are skipped (the fuzzer's inputs are at most about 15 KB).
const MAX_SEED_BYTES: u64 = 64 * 1024;

fn corpus(target: &str) -> Vec<PathBuf> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|file| {
            std::fs::metadata(file).is_ok_and(|meta| meta.is_file() && meta.len() <= MAX_SEED_BYTES)
        })
        .collect();
    files.sort();
    files
}

fn invalid_codes(outcome: &Outcome) -> Vec<&'static str> {
    match outcome {
        Outcome::Invalid { codes, .. } => codes.clone(),
        other => panic!("expected the model to be rejected, got {other:?}"),
    }
}

#[test]
fn every_model_seed_goes_down_the_whole_path() {
    let files = corpus("model");
    assert!(files.len() > 100, "only {} seeds", files.len());
    let (mut invalid, mut solved, mut simulated) = (0, 0, 0);
    for file in &files {
        let bytes = std::fs::read(file).expect("readable seed");
        let outcome = std::panic::catch_unwind(|| pipeline::run_bytes(&bytes))
            .unwrap_or_else(|_| panic!("{} panicked (see above)", file.display()));
        match outcome {
            Some(Outcome::Invalid { .. }) => invalid += 1,
            Some(Outcome::Solved { simulation, .. }) => {
                solved += 1;
                simulated += usize::from(matches!(simulation, Simulated::Ran { .. }));
            }
            Some(Outcome::SolverLimit(_)) | None => {}
        }
    }
    // The seeds hold the examples and the tests' error cases: both kinds must be there.
    assert!(invalid >= 50, "{invalid} rejected seeds");
    assert!(solved >= 50, "{solved} solved seeds");
    assert!(simulated >= 50, "{simulated} simulated seeds");
}

#[test]
fn every_example_model_is_solved_and_simulated_by_the_harness() {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    for entry in std::fs::read_dir(folder).expect("models/") {
        let file = entry.expect("directory entry").path();
        if crate::common::awaits_exposed_nodes(&file) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("UTF-8 model");
        match pipeline::run(&text, &[]) {
            Outcome::Solved { .. } => {}
            other => panic!("{}: {other:?}", file.display()),
        }
    }
}

#[test]
fn every_override_seed_goes_down_the_whole_path() {
    let models = [
        include_str!("../../models/three-tier.toml"),
        include_str!("../../models/etcd-3-nodes.toml"),
    ];
    let files = corpus("overrides");
    assert!(!files.is_empty());
    for file in &files {
        let bytes = std::fs::read(file).expect("readable seed");
        let outcome = std::panic::catch_unwind(|| pipeline::run_override_bytes(&bytes, &models));
        assert!(outcome.is_ok(), "{} panicked (see above)", file.display());
    }
}

#[test]
fn non_utf8_input_is_skipped() {
    assert_eq!(pipeline::run_bytes(b"name = \"\xff\""), None);
}

// ---- Finding 1: `toml-syntax` spans can end past the text. ----

/// An unclosed table header at the end of a line: toml_span's "expected a right bracket, found
/// a newline" error spans 13..22 in this 14-byte text (its end is the start plus the length of
/// the words "a newline", not of the token).
const UNCLOSED_HEADER: &str = "[block.system\n";

#[test]
fn an_unclosed_header_is_rejected_gracefully() {
    let outcome = pipeline::run(UNCLOSED_HEADER, &[]);
    assert_eq!(invalid_codes(&outcome), ["toml-syntax"]);
    let Outcome::Invalid { rendered, .. } = outcome else {
        unreachable!()
    };
    assert!(rendered.contains("fuzz.toml:1:14"), "{rendered}");
    assert!(rendered.contains("expected a right bracket"), "{rendered}");
}

#[test]
fn syntax_error_spans_stay_inside_the_text() {
    for text in [UNCLOSED_HEADER, "[block.system", "[component.a]\nmtbf = "] {
        let Err(invalid) = load_model("m.toml", text, &[]) else {
            panic!("{text:?} loaded");
        };
        for diagnostic in &invalid.diagnostics {
            let span = diagnostic.span.expect("a syntax error has a span");
            assert!(
                span.start <= span.end && span.end <= text.len() && text.is_char_boundary(span.end),
                "{text:?}: {} span {}..{} in a text of {} bytes",
                diagnostic.code,
                span.start,
                span.end,
                text.len()
            );
        }
    }
}

// ---- Finding 2: the simulator's event estimate ignores the shape of the distributions. ----

/// A valid model (σ = 10 is the largest log-normal σ allowed): its median time to failure is
/// e^(−σ²/2) ≈ 2·10⁻²² of the 1000 h mean, so a unit fails and is repaired millions of times
/// in a run that `simulate::expected_events` (means only) expects to hold 0.2 events.
const LOGNORMAL_SIGMA_10: &str = "\
[component.a]
mtbf = \"1000h\"
mttr = \"2h\"
failure_dist = { dist = \"lognormal\", sigma = 10 }
repair_dist = { dist = \"lognormal\", sigma = 10 }
[block.system]
kind = \"series\"
members = [\"a\"]
";

#[test]
fn a_heavy_tailed_model_is_solved_and_its_simulation_skipped_by_the_harness() {
    match pipeline::run(LOGNORMAL_SIGMA_10, &[]) {
        Outcome::Solved { simulation, .. } => assert_eq!(simulation, Simulated::Skipped),
        other => panic!("{other:?}"),
    }
}

#[test]
fn expected_events_bound_heavy_tailed_runs() {
    let model = load_model("m.toml", LOGNORMAL_SIGMA_10, &[])
        .unwrap_or_else(|_| panic!("a valid model"))
        .model;
    let settings = Settings {
        horizon_hours: 100.0,
        warmup_hours: 0.0,
        window_hours: 0.0,
        breach_hours: None,
        seed: 1,
        stop: Stop::Runs(1),
        threads: 1,
        shard: None,
    };
    let plan = simulate::prepare(&model, &settings).expect("within the simulator's limits");
    let expected = simulate::expected_events(&plan, 100.0);
    let actual = simulate::simulate(&model, &settings, &Quiet)
        .expect("simulated")
        .tally
        .events as f64;
    assert!(
        actual <= 100.0 * expected.max(10.0),
        "expected about {expected:.2} events per run, simulated {actual}"
    );
}

// ---- Finding 3: diagnostics of a long line render that line once per problem. ----

/// `count` references to an undefined `b` on one line: one `unknown-reference` diagnostic
/// per reference, each rendering the whole line.
fn unknown_references(count: usize) -> String {
    let members = vec!["\"b\""; count].join(", ");
    format!(
        "[component.a]\nmtbf = \"1y\"\nmttr = \"1h\"\n[block.system]\nkind = \"parallel\"\nmembers = [{members}]\n"
    )
}

#[test]
fn many_unknown_references_are_rejected_gracefully() {
    // One diagnostic for the name, saying how many more references there are.
    let outcome = pipeline::run(&unknown_references(3000), &[]);
    let codes = invalid_codes(&outcome);
    assert_eq!(codes, ["unknown-reference"]);
    let Err(invalid) = load_model("m.toml", &unknown_references(3000), &[]) else {
        panic!("an invalid model loaded");
    };
    assert!(
        invalid.diagnostics[0]
            .notes
            .iter()
            .any(|note| note == "referenced 2999 more times; only the first is shown"),
        "{:?}",
        invalid.diagnostics[0].notes
    );
}

#[test]
fn diagnostics_output_stays_proportional_to_the_model() {
    let text = unknown_references(3000);
    let Err(invalid) = load_model("m.toml", &text, &[]) else {
        panic!("an invalid model loaded");
    };
    let output: usize = invalid
        .diagnostics
        .iter()
        .map(|diagnostic| invalid.sources.render(diagnostic).len())
        .sum();
    assert!(
        output <= 100 * text.len(),
        "{} diagnostics render to {output} bytes for a {}-byte model",
        invalid.diagnostics.len(),
        text.len()
    );
}

// ---- Finding 4: NaN availability from standby blocks whose all-up state is rare. ----

/// Hot-standby units (λ = 0.1/h each, μ = 1/h, one crew): U is e^−10 ≈ 4.54·10⁻⁵ for any
/// count from about 100 on, and the solver gets it right up to 292 units; at 293 it returns
/// U = 0 (silently wrong), from 294 on NaN (`nines solve` prints "availability 100% (NaN
/// nines)", JSON `null`; `nines check --target 99%` says it misses).
fn standby_with_one_crew(count: u64) -> String {
    format!(
        "[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = {count}\nrepair_crews = 1\n"
    )
}

fn solved_unavailability(text: &str) -> f64 {
    let model = load_model("m.toml", text, &[])
        .unwrap_or_else(|_| panic!("a valid model"))
        .model;
    nines::solve::solve(&model)
        .expect("within the solver's limits")
        .system
        .unavailability
}

#[test]
fn a_standby_block_of_292_units_with_one_crew_is_solved() {
    let exact = (-10f64).exp();
    let unavailability = solved_unavailability(&standby_with_one_crew(292));
    assert!(
        ((unavailability - exact) / exact).abs() < 1e-6,
        "U = {unavailability}"
    );
}

#[test]
fn standby_blocks_of_293_and_294_units_with_one_crew_are_solved() {
    let exact = (-10f64).exp();
    for count in [293, 294] {
        let unavailability = solved_unavailability(&standby_with_one_crew(count));
        assert!(
            ((unavailability - exact) / exact).abs() < 1e-6,
            "{count} units: U = {unavailability}"
        );
    }
    match pipeline::run(&standby_with_one_crew(294), &[]) {
        Outcome::Solved { system, .. } => assert!(system.unavailability.is_finite()),
        other => panic!("{other:?}"),
    }
}

/// `count` hot-standby units with MTTR = 100 MTBF and unlimited repair: independent units, so
/// U = (λ/(λ + μ))^count = (100/101)^count. Solved for 150 units; NaN from 200 (the fuzzer's
/// input was a cold standby of 6 units with MTTR ≈ 2·10¹¹¹ h).
fn standby_with_slow_repair(count: u64) -> String {
    format!(
        "[component.a]\nmtbf = \"10h\"\nmttr = \"1000h\"\n[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = {count}\n"
    )
}

#[test]
fn a_standby_block_of_150_slowly_repaired_units_is_solved() {
    let exact = (100f64 / 101.0).powi(150);
    let unavailability = solved_unavailability(&standby_with_slow_repair(150));
    assert!(
        ((unavailability - exact) / exact).abs() < 1e-9,
        "U = {unavailability}"
    );
}

#[test]
fn a_standby_block_of_200_slowly_repaired_units_is_solved() {
    let exact = (100f64 / 101.0).powi(200);
    let unavailability = solved_unavailability(&standby_with_slow_repair(200));
    assert!(
        ((unavailability - exact) / exact).abs() < 1e-9,
        "U = {unavailability}"
    );
    let two = "[component.a]\nmtbf = \"1h\"\nmttr = \"1e200h\"\n[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\n";
    let unavailability = solved_unavailability(two);
    assert!(
        (0.0..=1.0).contains(&unavailability),
        "U = {unavailability}"
    );
}

/// Fuzz finding (the 90-minute run): a hot standby of 1,250 units with one crew summed its
/// up-state probabilities to A = 1.0000000000000002. U and A now come from `from_sums`,
/// which keeps the smaller and takes the larger as its complement.
#[test]
fn availability_never_exceeds_one() {
    let text = "[component.a]\nmtbf = \"37h\"\nmttr = \"1h\"\n\
                [block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 1250\nrepair_crews = 1\n";
    let model = load_model("m.toml", text, &[])
        .unwrap_or_else(|_| panic!("a valid model"))
        .model;
    let system = nines::solve::solve(&model).expect("solved").system;
    assert!(system.availability <= 1.0, "A = {}", system.availability);
    assert!(system.unavailability > 0.0 && system.unavailability < 1e-15);
    assert_eq!(system.availability + system.unavailability, 1.0);
}

/// Fuzz finding (a CI run): conditioning on a shared unit summed U to 1.0000000000000002 for a
/// quorum of two k-of-n blocks sharing a unit, one member with an MTTR of 6.6e126 h. The
/// conditioned totals now go through `from_sums` too.
#[test]
fn conditioned_unavailability_never_exceeds_one() {
    let text = include_str!("../../fuzz/corpus/model/shared-unit-conditioning-rounding.toml");
    let model = load_model("m.toml", text, &[])
        .unwrap_or_else(|_| panic!("a valid model"))
        .model;
    let system = nines::solve::solve(&model).expect("solved").system;
    assert!(
        system.unavailability <= 1.0,
        "U = {}",
        system.unavailability
    );
    assert!(system.availability >= 0.0);
}

/// Fuzz finding (the last run of the session): `failure_rate = -0.0` passed the `≥ 0` check
/// and became an MTBF of −∞, which the simulator's sampler rejected with a panic. The loader
/// now stores +0 (a unit that never fails).
#[test]
fn negative_zero_failure_rate_is_a_unit_that_never_fails() {
    let text = include_str!("../../fuzz/corpus/model/negative-zero-failure-rate.toml");
    let model = load_model("m.toml", text, &[])
        .unwrap_or_else(|_| panic!("a valid model"))
        .model;
    assert!(model.components[0].failure_rate.is_sign_positive());
    assert_eq!(
        nines::solve::solve(&model)
            .expect("solved")
            .system
            .unavailability,
        0.0
    );
    assert!(matches!(pipeline::run(text, &[]), Outcome::Solved { .. }));
}
