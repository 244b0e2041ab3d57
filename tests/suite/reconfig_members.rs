//! Leader elections and failure pauses whose members are blocks or shared units (issue 13 §2,
//! docs/model-format.md §8.8): a Kafka partition's in-sync replicas are brokers of a shared
//! family, a Raft group's members are nodes in shared zones. The exact solver builds the
//! joint chain of such a block and the shared units inside it; here it is checked against the
//! brute-force product chain of `tests/suite/reference/` (which shares no code with `src/`),
//! against the counted chain of the same block with private members, and against simulation.

use crate::common::{json_lines, model_file, nines};
use crate::reference::solve_reference;
use nines::model::load::load_model;
use nines::solve::{Measures, solve};

/// Two-sided 99.9 % quantile of the standard normal distribution.
const Z999: f64 = 3.2905;

fn relative(actual: f64, expected: f64) -> f64 {
    ((actual - expected) / expected).abs()
}

fn solved(name: &str, text: &str) -> Measures {
    let model = match load_model(name, text, &[]) {
        Ok(loaded) => loaded.model,
        Err(invalid) => panic!(
            "{name}: {}\n{text}",
            invalid
                .diagnostics
                .iter()
                .map(|d| invalid.sources.render(d))
                .collect::<String>()
        ),
    };
    solve(&model)
        .unwrap_or_else(|error| panic!("{name}: {error}\n{text}"))
        .system
}

/// nines and the reference agree to 1e-9 in U and f.
fn agrees(name: &str, text: &str) {
    let measures = solved(name, text);
    let reference = solve_reference(text, 50_000).expect("reference solves");
    assert!(
        relative(measures.unavailability, reference.unavailability) < 1e-9
            && relative(measures.frequency, reference.failures_per_hour) < 1e-9,
        "{name}: U {:e} vs {:e}, f {:e} vs {:e}\n{text}",
        measures.unavailability,
        reference.unavailability,
        measures.frequency,
        reference.failures_per_hour
    );
}

/// `nines simulate` agrees with the exact solution within 99.9 % bounds in U and f.
fn simulation_agrees(name: &str, text: &str, runs: &str) {
    let (_dir, file) = model_file("m.toml", text);
    let output = nines()
        .args([
            "simulate", "--format", "json", "--runs", runs, "--seed", "11",
        ])
        .args(["--warmup", "1w", "--threads", "2"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let object = &json_lines(&output.stdout)[0];
    assert_eq!(object["exact"]["applies"], true, "{name}");
    for key in ["unavailability", "failures_per_year"] {
        let sigmas = object["exact"][key]["sigmas"].as_f64().expect("sigmas");
        assert!(sigmas.abs() <= Z999, "{name}: {key} is {sigmas:+.2} σ off");
    }
}

/// Three brokers of a shared family, used by two partitions (RF 2 of 3 and RF 3): each
/// partition needs 2 in-sync replicas, elects a leader and pauses writes while its in-sync
/// set shrinks. The brokers tie the partitions together.
const PARTITIONS: &str = r#"
top = "cluster"
[component.broker]
instances = 3
mtbf = "900h"
mttr = "6h"
[block.p1]
kind = "k-of-n"
k = 1
members = ["broker[1]", "broker[2]"]
leader_election = "30m"
failure_pause = "20m"
[block.p2]
kind = "k-of-n"
k = 2
members = ["broker[2]", "broker[3]", "broker[1]"]
leader_election = "15m"
failure_pause = "1h"
[block.cluster]
kind = "series"
members = ["p1", "p2"]
"#;

/// A Raft group of three nodes in three shared zones, one zone also under the API tier.
const ZONED_RAFT: &str = r#"
top = "system"
[component.zone]
instances = 3
mtbf = "3000h"
mttr = "4h"
[component.node]
mtbf = "800h"
mttr = "3h"
[component.api]
mtbf = "500h"
mttr = "1h"
[block.n1]
kind = "series"
members = ["zone[1]", "node"]
[block.n2]
kind = "series"
members = ["zone[2]", "node"]
[block.n3]
kind = "series"
members = ["zone[3]", "node"]
[block.raft]
kind = "quorum"
members = ["n1", "n2", "n3"]
leader_election = "1h"
failure_pause = "30m"
repair_crews = 1
[block.apis]
kind = "parallel"
members = ["api", "zone[1]"]
[block.system]
kind = "series"
members = ["raft", "apis"]
"#;

#[test]
fn partitions_over_a_broker_family_agree_with_the_reference() {
    agrees("partitions", PARTITIONS);
}

#[test]
fn a_raft_group_over_zoned_nodes_with_one_crew_agrees_with_the_reference() {
    agrees("zoned raft", ZONED_RAFT);
}

#[test]
fn shared_members_used_nowhere_else_equal_private_members() {
    // A quorum of three shared units that nothing else reads is the same process as a quorum
    // of three private copies: the joint chain (members told apart) and the counted chain of
    // §8.6 (identical members counted) must give the same U and f. (Without crews: a shared
    // unit is repaired by itself, never queued for a block's crews, §8.3.)
    let private = r#"
top = "q"
[component.node]
mtbf = "500h"
mttr = "7h"
[block.q]
kind = "quorum"
of = "node"
count = 3
leader_election = "20m"
failure_pause = "10m"
"#;
    let shared = r#"
top = "q"
[component.node]
instances = 3
mtbf = "500h"
mttr = "7h"
[block.q]
kind = "quorum"
members = ["node[*]"]
leader_election = "20m"
failure_pause = "10m"
"#;
    let (a, b) = (solved("private", private), solved("shared", shared));
    assert!(
        relative(b.unavailability, a.unavailability) < 1e-12
            && relative(b.frequency, a.frequency) < 1e-12,
        "private {a:?}, shared {b:?}"
    );
}

#[test]
fn members_going_down_together_count_as_one_failure() {
    // Both members of a 1-of-2 with a pause sit in one shared zone, beside a third member
    // outside it: the zone's failure takes two members down at once and leaves one up, so it
    // starts one pause (docs §8.8). Checked against the reference, which reads the rule
    // independently.
    let text = r#"
top = "g"
[component.zone]
mtbf = "1000h"
mttr = "2h"
shared = true
[component.node]
mtbf = "600h"
mttr = "5h"
[block.a]
kind = "series"
members = ["zone", "node"]
[block.g]
kind = "k-of-n"
k = 1
members = ["a", "a", "node"]
leader_election = "40m"
failure_pause = "25m"
"#;
    agrees("zone under two members", text);
}

#[test]
fn shared_and_block_members_are_simulated_within_99_9_percent() {
    simulation_agrees("partitions", PARTITIONS, "20000");
    simulation_agrees("zoned raft", ZONED_RAFT, "20000");
}

/// A random election-and-pause block over 2–4 references (private components, shared zones,
/// small zoned blocks), sometimes with crews, inside a top that may read a zone elsewhere or
/// put the block in a standby; from a seed, so a failure can be replayed.
fn random_model(seed: u64) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut text = String::from("top = \"top\"\n");
    for (name, mtbf, mttr, shared) in [
        ("c0", 300, 5, false),
        ("c1", 800, 2, false),
        ("z0", 2000, 3, true),
        ("z1", 3000, 6, true),
    ] {
        text.push_str(&format!(
            "[component.{name}]\nmtbf = \"{mtbf}h\"\nmttr = \"{mttr}h\"\nshared = {shared}\n"
        ));
    }
    text.push_str("[block.s0]\nkind = \"series\"\nmembers = [\"z0\", \"c0\"]\n");
    text.push_str("[block.s1]\nkind = \"parallel\"\nmembers = [\"z1\", \"c1\"]\n");
    let n = 2 + next(3) as usize;
    let members: Vec<String> = (0..n)
        .map(|_| ["c0", "c1", "z0", "z1", "s0", "s1"][next(6) as usize].to_string())
        .map(|name| format!("\"{name}\""))
        .collect();
    let kind = match next(3) {
        0 => "kind = \"parallel\"\n".to_string(),
        1 => "kind = \"quorum\"\n".to_string(),
        _ => format!("kind = \"k-of-n\"\nk = {}\n", 1 + next(n as u64)),
    };
    let reconfig = match next(3) {
        0 => "leader_election = \"2h\"\n",
        1 => "failure_pause = \"90m\"\n",
        _ => "leader_election = \"30m\"\nfailure_pause = \"3h\"\n",
    };
    let crews = if next(3) == 0 {
        "repair_crews = 1\n"
    } else {
        ""
    };
    text.push_str(&format!(
        "[block.g]\n{kind}members = [{}]\n{reconfig}{crews}",
        members.join(", ")
    ));
    let top = match next(3) {
        0 => "kind = \"series\"\nmembers = [\"g\"]\n",
        1 => "kind = \"series\"\nmembers = [\"g\", \"z0\"]\n",
        _ => "kind = \"standby\"\nmembers = [\"g\", \"c1\"]\nfailover = \"10m\"\n",
    };
    text.push_str(&format!("[block.top]\n{top}"));
    text
}

#[test]
fn random_election_and_pause_blocks_over_shared_and_block_members_agree_with_the_reference() {
    // 200 seeds; nines' joint chain and the reference's product chain to 1e-9.
    let mut compared = 0;
    for seed in 0..200 {
        let text = random_model(seed);
        let measures = solved(&format!("seed {seed}"), &text);
        let Ok(reference) = solve_reference(&text, 20_000) else {
            continue;
        };
        assert!(
            relative(measures.unavailability, reference.unavailability) < 1e-9
                && relative(measures.frequency, reference.failures_per_hour) < 1e-9,
            "seed {seed}: U {:e} vs {:e}, f {:e} vs {:e}\n{text}",
            measures.unavailability,
            reference.unavailability,
            measures.frequency,
            reference.failures_per_hour
        );
        compared += 1;
    }
    assert!(compared >= 190, "only {compared} models compared");
}

#[test]
fn too_many_partitions_tied_by_their_brokers_are_refused_briefly_with_a_pointer_to_simulate() {
    // The Kafka example with write stalls on its 60 partitions (the lines its comment gives):
    // every partition shares brokers with the others, so they form one joint chain far past
    // the limit. The message names three of them and counts the rest; simulation runs it.
    let example =
        std::fs::read_to_string(crate::common::path("models/kafka-cluster.toml")).expect("example");
    let placement = "place = { family = \"broker\", replicas = 3, rule = \"round-robin\" }\n";
    assert!(example.contains(placement));
    let text = example.replace(
        placement,
        &format!(
            "{placement}failure_pause = \"30s\"\npause_dist = {{ dist = \"fixed\" }}\nleader_election = \"5s\"\n"
        ),
    );
    let (_dir, file) = model_file("kafka.toml", &text);
    let output = nines().arg("solve").arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "partition[1] + partition[2] + partition[3] and 57 more tied to them by shared units"
        ) && stderr.contains("nines simulate")
            && !stderr.contains("partition[4]"),
        "{stderr}"
    );
    let output = nines()
        .args([
            "simulate", "--runs", "200", "--seed", "1", "--format", "json",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let object = &json_lines(&output.stdout)[0];
    let outages = object["failures_per_year"].as_f64().unwrap();
    // Each of the ~2 broker failures a year × 5 brokers stalls writes: about 12 a year
    // (the comment's 20,000-run figure), far above the 2 without stalls.
    assert!((9.0..15.0).contains(&outages), "{outages}");
}

#[test]
fn first_outage_of_election_and_pause_blocks_matches_closed_forms() {
    // A 1-of-2 with elections, from all up: the leader (member 1) stays the leader until it
    // fails (the other's failure and repair change nothing up to then), and its failure is
    // the first outage: MTTFF = 1/λ = 500 h. With a failure pause instead, the first failure
    // of either member (2λ) pauses the block: MTTFF = 1/(2λ) = 250 h. Both members are shared
    // units here, so the joint rules answer.
    for (key, expected) in [("leader_election", 500.0), ("failure_pause", 250.0)] {
        let text = format!(
            "top = \"g\"\n[component.node]\ninstances = 2\nmtbf = \"500h\"\nmttr = \"5h\"\n\
             [block.g]\nkind = \"parallel\"\nmembers = [\"node[*]\"]\n{key} = \"10m\"\n"
        );
        let (_dir, file) = model_file("m.toml", &text);
        let output = nines()
            .args(["solve", "--format", "json"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mttff = json_lines(&output.stdout)[0]["mttff_hours"]
            .as_f64()
            .unwrap();
        assert!(
            relative(mttff, expected) < 1e-9,
            "{key}: {mttff} vs {expected}"
        );
    }
}
