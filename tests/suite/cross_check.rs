//! Random small models solved two ways: by the hierarchical solver (algebra, counted chains,
//! conditioning on shared units) and by the brute-force reference (the full product-state
//! Markov chain of every unit, `tests/suite/reference/`). They must agree to 1e-9 relative in the
//! unavailability U and in the outage frequency f.
//!
//! Models mix every block kind, shared components and shared blocks referenced in several
//! places, FIFO repair crews over different unit types, standby with failover and coverage,
//! common cause, leader elections and failure pauses, and nesting.

use crate::common;
use crate::reference;

use common::random_models::random_model;
use nines::model::load::load_model;
use nines::solve::solve;
use proptest::prelude::*;
use reference::solve_reference;

/// Largest product chain the reference builds per case; larger cases are skipped (rare).
const REFERENCE_STATES: usize = 2_500;

fn relative(actual: f64, expected: f64) -> f64 {
    if expected == 0.0 {
        actual.abs()
    } else {
        ((actual - expected) / expected).abs()
    }
}

fn cross_check(seed: u64) -> Result<(), TestCaseError> {
    let text = random_model(seed);
    let loaded = match load_model("random.toml", &text, &[]) {
        Ok(loaded) => loaded,
        Err(invalid) => {
            let messages: Vec<String> = invalid
                .diagnostics
                .iter()
                .map(|d| invalid.sources.render(d))
                .collect();
            return Err(TestCaseError::fail(format!(
                "generated an invalid model:\n{text}\n{}",
                messages.join("")
            )));
        }
    };
    let solution = solve(&loaded.model).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    let reference = match solve_reference(&text, REFERENCE_STATES) {
        Ok(reference) => reference,
        Err(message) if message.contains("states") => return Ok(()), // too large to brute-force
        Err(message) => {
            return Err(TestCaseError::fail(format!(
                "reference failed: {message}\n{text}"
            )));
        }
    };
    let u_error = relative(solution.system.unavailability, reference.unavailability);
    let f_error = relative(solution.system.frequency, reference.failures_per_hour);
    prop_assert!(
        u_error < 1e-9 && f_error < 1e-9,
        "model:\n{text}\nU: nines {:e}, reference {:e} ({u_error:e})\nf: nines {:e}, reference {:e} ({f_error:e}); {} states",
        solution.system.unavailability,
        reference.unavailability,
        solution.system.frequency,
        reference.failures_per_hour,
        reference.states
    );
    Ok(())
}

/// 1,000 cases from a fixed seed, so CI is deterministic; `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` explore further by hand.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 1000;
    }
    if matches!(config.rng_seed, proptest::test_runner::RngSeed::Random) {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(20_261_123);
    }
    config.failure_persistence = None;
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn hierarchical_solver_agrees_with_brute_force_markov(seed in any::<u64>()) {
        cross_check(seed)?;
    }
}

#[test]
fn generator_covers_every_feature() {
    // Guard against a generator that silently stops producing the hard cases.
    let texts: Vec<String> = (0..300).map(random_model).collect();
    let all = texts.join("\n");
    for feature in [
        "repair_crews",
        "kind = \"standby\"",
        "mode = \"warm\"",
        "coverage",
        "common_cause_beta",
        "shared = true",
        "kind = \"quorum\"",
        "kind = \"k-of-n\"",
        "leader_election",
        "failure_pause",
        "instances = 2",
    ] {
        assert!(all.contains(feature), "no generated model uses {feature}");
    }
    let shared_blocks = texts
        .iter()
        .filter(|t| t.contains("[block.b1]\nshared = true") || t.contains("\nshared = true\nkind"))
        .count();
    assert!(shared_blocks > 0, "no shared blocks generated");
    let family_references = texts
        .iter()
        .filter(|t| t.contains("[1]\"") || t.contains("[2]\""))
        .count();
    assert!(
        family_references > 10,
        "{family_references} models reference a family instance"
    );
}
