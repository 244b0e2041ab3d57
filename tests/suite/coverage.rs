//! Interval coverage: the simulator's 95 % intervals must contain the true value about 95 % of
//! the time. 1,000 independent simulations (seeds 1..=1000) of a model with a closed-form
//! answer; the share of intervals covering the truth must lie between 93 % and 97 %
//! (±2.9 binomial standard errors of a true 95 %: √(0.95·0.05/1000) = 0.69 %).

use nines::model::load::load_model;
use nines::simulate::{Quiet, Settings, Stop, simulate};

/// One unit, MTBF 100 h, MTTR 10 h, alone in a series block: U = 10/110 = 1/11 exactly, and
/// f = λμ/(λ+μ) = (1/100)(1/10)/(11/100) = 1/110 outages per hour.
const MODEL: &str = r#"
[component.a]
mtbf = "100h"
mttr = "10h"
[block.system]
kind = "series"
members = ["a"]
"#;

const REPETITIONS: u64 = 1000;

#[test]
fn ninety_five_percent_intervals_cover_the_truth_about_95_percent_of_the_time() {
    let model = load_model("coverage.toml", MODEL, &[]).ok().unwrap().model;
    let exact_u = 1.0 / 11.0;
    let horizon = 2000.0;
    // Outages per run: f · horizon. Runs start with the unit up, so over the first hours a
    // run sees slightly less downtime than the steady state; a 200 h warm-up (22 time
    // constants 1/(λ+μ) = 9.1 h) removes that bias.
    let exact_outages = horizon / 110.0;
    let mut covered_u = 0;
    let mut covered_f = 0;
    for seed in 1..=REPETITIONS {
        let settings = Settings {
            horizon_hours: horizon,
            warmup_hours: 200.0,
            window_hours: 720.0,
            breach_hours: None,
            seed,
            stop: Stop::Runs(100),
            threads: 1,
            shard: None,
        };
        let tally = simulate(&model, &settings, &Quiet).unwrap().tally;
        let (low, high) = tally.unavailability.ci(0.95).unwrap();
        if low <= exact_u && exact_u <= high {
            covered_u += 1;
        }
        let (low, high) = tally.outages.ci(0.95).unwrap();
        if low <= exact_outages && exact_outages <= high {
            covered_f += 1;
        }
    }
    let share_u = covered_u as f64 / REPETITIONS as f64;
    let share_f = covered_f as f64 / REPETITIONS as f64;
    eprintln!("coverage over {REPETITIONS} simulations: U {share_u:.3}, outages {share_f:.3}");
    assert!(
        (0.93..=0.97).contains(&share_u),
        "U intervals covered the truth {share_u:.3} of the time"
    );
    assert!(
        (0.93..=0.97).contains(&share_f),
        "outage-count intervals covered the truth {share_f:.3} of the time"
    );
}
