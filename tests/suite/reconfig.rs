//! Leader elections and failure pauses (docs/model-format.md §8.8) end to end: the exact
//! solver against the brute-force reference (`tests/suite/reference/`, which shares no code
//! with `src/`), `--set` on the new keys, simulation within 99.9 % bounds of the exact answer
//! (exponential times) and with other distributions, the PRISM export's variables, and the
//! diagnostics for misplaced or bad keys with their line and column.
//!
//! The Storm model checker checks the exported chains of `tests/fixtures/reconfig/*.toml` and
//! of the example models in `.ci/run` (`tests/prism/run.sh`).

use crate::common;
use crate::reference::solve_reference;
use common::{json_lines, model_file, nines, path, rejects};
use nines::model::load::load_model;
use nines::solve::solve;
use serde_json::Value;

/// Two-sided 99.9 % quantile of the standard normal distribution.
const Z999: f64 = 3.2905;

fn relative(actual: f64, expected: f64) -> f64 {
    ((actual - expected) / expected).abs()
}

/// Solves `text` with nines and with the reference; they must agree to 1e-9 in U and f.
fn agrees_with_reference(name: &str, text: &str) {
    let model = match load_model(name, text, &[]) {
        Ok(loaded) => loaded.model,
        Err(invalid) => panic!(
            "{name}: {}",
            invalid
                .diagnostics
                .iter()
                .map(|d| invalid.sources.render(d))
                .collect::<String>()
        ),
    };
    let solution = solve(&model).expect("solves");
    let reference = solve_reference(text, 200_000).expect("reference solves");
    let (u, f) = (solution.system.unavailability, solution.system.frequency);
    assert!(
        relative(u, reference.unavailability) < 1e-9
            && relative(f, reference.failures_per_hour) < 1e-9,
        "{name}: U nines {u:e} reference {:e}; f nines {f:e} reference {:e}",
        reference.unavailability,
        reference.failures_per_hour
    );
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(path(&format!("tests/fixtures/reconfig/{name}.toml"))).unwrap()
}

#[test]
fn fixtures_agree_with_the_brute_force_reference() {
    for name in [
        "quorum3_election",
        "kofn_pause_crew",
        "mixed_election_pause",
        "mixed_crews",
        "common_cause_election",
    ] {
        agrees_with_reference(name, &fixture(name));
    }
}

#[test]
fn small_models_agree_with_the_brute_force_reference() {
    let cases = [
        // Parallel pair (k = 1) with elections: the survivor of a leader failure is elected.
        r#"
[component.a]
mtbf = "100h"
mttr = "5h"
[block.system]
kind = "parallel"
of = "a"
count = 2
leader_election = "1h"
"#,
        // Both reconfigurations and limited crews on a 3-of-5.
        r#"
[component.a]
mtbf = "300h"
mttr = "10h"
[block.system]
kind = "k-of-n"
k = 3
of = "a"
count = 5
repair_crews = 2
leader_election = "15m"
failure_pause = "40m"
"#,
        // Different members in a quorum: the first-listed up member leads.
        r#"
[component.a]
mtbf = "200h"
mttr = "3h"
[component.b]
mtbf = "50h"
mttr = "9h"
[block.system]
kind = "quorum"
members = ["b", "a", "b", "a", "a"]
repair_crews = 3
leader_election = "2h"
"#,
        // Common cause: the element stays in series with the block, whose members fail at
        // (1 − β)λ and elect and pause as without it.
        r#"
[component.a]
mtbf = "150h"
mttr = "4h"
[block.system]
kind = "quorum"
of = "a"
count = 3
common_cause_beta = 0.05
leader_election = "20m"
failure_pause = "10m"
"#,
        // A pause-only parallel block: any failure that leaves one up pauses it.
        r#"
[component.a]
mtbf = "80h"
mttr = "6h"
[block.system]
kind = "parallel"
members = ["a", "a", "a"]
failure_pause = "30m"
"#,
    ];
    for (index, text) in cases.iter().enumerate() {
        agrees_with_reference(&format!("case {index}"), text);
    }
}

/// `nines solve FILE --format json` with `--set` overrides: its one JSON object.
fn solve_json(file: &std::path::Path, sets: &[&str]) -> Value {
    let mut command = nines();
    command.arg("solve").arg(file).args(["--format", "json"]);
    for set in sets {
        command.args(["--set", set]);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output.stdout).remove(0)
}

#[test]
fn set_changes_the_election_and_pause_like_the_file_does() {
    let (_dir, file) = model_file("q.toml", &fixture("quorum3_election"));
    let edited = fixture("quorum3_election").replace(
        "leader_election = \"30s\"",
        "leader_election = \"20s\"\nfailure_pause = \"1m\"",
    );
    let (_dir2, edited_file) = model_file("q2.toml", &edited);
    let by_set = solve_json(
        &file,
        &[
            "block.system.leader_election=20s",
            "block.system.failure_pause=1m",
        ],
    );
    let by_file = solve_json(&edited_file, &[]);
    for key in ["unavailability", "failures_per_year"] {
        assert_eq!(by_set[key], by_file[key], "{key}");
    }
    let original = solve_json(&file, &[]);
    assert!(by_set["unavailability"].as_f64() > original["unavailability"].as_f64());
}

#[test]
fn find_searches_the_election_time() {
    // The longest mean election that keeps 99.997 %: between the plain quorum's and 30 s.
    let file = path("tests/fixtures/reconfig/quorum3_election.toml");
    let output = nines()
        .args(["sweep"])
        .arg(&file)
        .args([
            "--find",
            "block.system.leader_election",
            "--target",
            "99.997%",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("leader_election"), "{text}");
}

/// `nines simulate FILE --format json ARGS`: its one JSON object.
fn simulate_json(file: &std::path::Path, args: &[&str]) -> Value {
    let output = nines()
        .arg("simulate")
        .arg(file)
        .args(["--format", "json", "--threads", "2"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output.stdout).remove(0)
}

#[test]
fn simulation_agrees_with_the_exact_solution_within_99_9_percent() {
    for name in [
        "quorum3_election",
        "kofn_pause_crew",
        "mixed_election_pause",
        "mixed_crews",
        "common_cause_election",
    ] {
        let file = path(&format!("tests/fixtures/reconfig/{name}.toml"));
        let object = simulate_json(
            &file,
            &[
                "--runs",
                "400",
                "--horizon",
                "20y",
                "--warmup",
                "1w",
                "--seed",
                "13",
            ],
        );
        assert_eq!(object["exact"]["applies"], true, "{name}");
        for key in ["unavailability", "failures_per_year"] {
            let sigmas = object["exact"][key]["sigmas"]
                .as_f64()
                .unwrap_or_else(|| panic!("{name}: no sigmas for {key}: {object}"));
            assert!(
                sigmas.abs() <= Z999,
                "{name} {key}: {sigmas} standard errors from the exact value"
            );
        }
    }
}

#[test]
fn fixed_elections_simulate_and_the_exact_solver_is_flagged_as_an_approximation() {
    // The steady state depends on the shape of the election time: with fixed elections the
    // exact solver's answer is an approximation, which the simulation says.
    let text = fixture("quorum3_election").replace(
        "leader_election = \"30s\"",
        "leader_election = \"30s\"\nelection_dist = { dist = \"fixed\" }\nfailure_pause = \"1m\"\npause_dist = { dist = \"weibull\", shape = 2.0 }",
    );
    let (_dir, file) = model_file("fixed.toml", &text);
    let object = simulate_json(&file, &["--runs", "50", "--horizon", "5y", "--seed", "3"]);
    assert_eq!(object["exact"]["applies"], false, "{object}");
    let u = object["unavailability"].as_f64().unwrap();
    assert!(u > 0.0 && u < 1e-3, "{u}");
}

#[test]
fn prism_export_has_the_leader_and_pause_variables() {
    let file = path("tests/fixtures/reconfig/mixed_election_pause.toml");
    let output = nines().arg("export").arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for needle in [
        "_l : [0..3] init 1; // leader",
        "_q : [0..1] init 0; // failure pause",
        "the election ends",
        "the failure pause ends",
        "the leader (type 0) fails",
    ] {
        assert!(text.contains(needle), "no `{needle}` in:\n{text}");
    }
}

#[test]
fn misplaced_or_bad_keys_are_reported_with_their_position() {
    let base = "[component.a]\nmtbf = \"100h\"\nmttr = \"1h\"\n";
    rejects(
        &format!(
            "{base}[block.system]\nkind = \"series\"\nmembers = [\"a\", \"a\"]\nleader_election = \"10s\"\n"
        ),
        &[
            "unexpected-key",
            "`leader_election` only applies to kinds parallel, k-of-n and quorum (this block is series)",
            "bad.toml:7:20",
        ],
    );
    rejects(
        &format!(
            "{base}[block.system]\nkind = \"standby\"\nmembers = [\"a\", \"a\"]\nfailure_pause = \"10s\"\n"
        ),
        &["`failure_pause` only applies", "bad.toml:7:18"],
    );
    rejects(
        &format!(
            "{base}[block.system]\nkind = \"quorum\"\nof = \"a\"\ncount = 3\nleader_election = \"10 parsecs\"\n"
        ),
        &["bad-duration", "`leader_election`", "bad.toml:8:20"],
    );
    rejects(
        &format!(
            "{base}[block.system]\nkind = \"quorum\"\nof = \"a\"\ncount = 3\nfailure_pause = \"0s\"\n"
        ),
        &[
            "`failure_pause` = \"0s\" must be longer than zero",
            "bad.toml:8:18",
        ],
    );
    rejects(
        &format!(
            "{base}[block.system]\nkind = \"quorum\"\nof = \"a\"\ncount = 3\nelection_dist = {{ dist = \"fixed\" }}\n"
        ),
        &[
            "gives `election_dist` without `leader_election`",
            "bad.toml:8:17",
        ],
    );
}

#[test]
fn sensitivity_of_a_member_matches_the_reference_with_that_member_changed() {
    // One copy of `member` in the 2-of-3 with elections: always down, the block is a 2-of-2
    // of the others with elections (RAW = U₁/U); its MTBF doubled, that copy listed last
    // (the transform appends the copy it splits off after its siblings).
    let text = fixture("quorum3_election");
    let u = solve_reference(&text, 10_000).unwrap().unavailability;
    let down = text.replace(
        "kind = \"quorum\"\nof = \"member\"\ncount = 3",
        "kind = \"k-of-n\"\nk = 2\nof = \"member\"\ncount = 2",
    );
    let u1 = solve_reference(&down, 10_000).unwrap().unavailability;
    let better = text.replace(
        "kind = \"quorum\"\nof = \"member\"\ncount = 3",
        "kind = \"quorum\"\nmembers = [\"member\", \"member\", \"better\"]",
    ) + "[component.better]\nmtbf = \"4000h\"\nmttr = \"6h\"\n";
    let u_better = solve_reference(&better, 10_000).unwrap().unavailability;
    let output = nines()
        .arg("sensitivity")
        .arg(path("tests/fixtures/reconfig/quorum3_election.toml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let object = json_lines(&output.stdout).remove(0);
    let item = &object["items"][0];
    assert_eq!(item["name"], "member");
    let raw = item["raw"].as_f64().unwrap();
    assert!(relative(raw, u1 / u) < 1e-9, "RAW {raw} vs {}", u1 / u);
    let minutes = item["downtime_change_mtbf_x2_minutes"].as_f64().unwrap();
    let expected = (u_better - u) * 8766.0 * 60.0;
    assert!(
        relative(minutes, expected) < 1e-7,
        "{minutes} vs {expected}"
    );
}
