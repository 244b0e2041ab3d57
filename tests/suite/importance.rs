//! Importance sampling (`nines simulate --sampling importance`) against exact values.

use nines::model::load::load_model;
use nines::simulate::importance::biasing::Scheme;
use nines::simulate::importance::estimator::ImportanceTally;
use nines::simulate::importance::{ImportanceSettings, simulate};
use nines::simulate::{Quiet, Stop, plan};
use nines::solve::solve;

fn model_text(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(file);
    std::fs::read_to_string(path).expect("example model")
}

/// Simulates `text` by importance sampling; returns the tally and the exact (U, f per hour).
fn run(text: &str, scheme: Scheme, seed: u64, stop: Stop) -> (ImportanceTally, (f64, f64)) {
    let model = load_model("m.toml", text, &[]).ok().expect("valid").model;
    let exact = solve(&model).expect("solvable").system;
    let plan = plan::expand(&model).expect("small");
    let settings = ImportanceSettings {
        seed,
        stop,
        threads: 1,
        scheme,
        shard: None,
    };
    let simulation = simulate(&plan, &settings, &Quiet).expect("qualifies");
    (simulation.tally, (exact.unavailability, exact.frequency))
}

#[test]
#[ignore = "exploration: prints the half-widths of each scheme"]
fn explore_schemes() {
    for file in [
        "database-r3.toml",
        "database-r4.toml",
        "database-r5.toml",
        "racks-100.toml",
    ] {
        for scheme in [Scheme::Balanced, Scheme::Distance] {
            let started = std::time::Instant::now();
            let (tally, (u, _)) = run(&model_text(file), scheme, 1, Stop::Runs(20_000));
            let estimate = tally.unavailability.ratio().unwrap_or(0.0);
            eprintln!(
                "{file} {scheme:?}: U {estimate:.4e} exact {u:.4e} rel.hw {:.3} outage cycles {} events {} ess {:.1} largest {:.3} in {:.2?}",
                tally.relative_half_width(),
                tally.cycles_with_outage,
                tally.events,
                tally.effective_sample_size(),
                tally.largest_share(),
                started.elapsed()
            );
        }
    }
}
