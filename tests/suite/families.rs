//! Families of units and placement rules, against the brute-force reference and closed forms;
//! family paths in what-if runs against the same change written instance by instance; and
//! `--top`.

use crate::common::{json_lines, model_file, nines, path};
use crate::reference;
use nines::model::load::load_model;
use nines::model::overrides::Override;
use nines::solve::solve;
use nines::whatif::sensitivity::{ItemKind, importances};

/// U and f of `text` with `sets`, exactly.
fn exact(text: &str, sets: &[&str]) -> (f64, f64) {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let model = load_model("m.toml", text, &overrides).ok().unwrap().model;
    let system = solve(&model).unwrap().system;
    (system.unavailability, system.frequency)
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b.abs()
}

const BROKERS: &str = "[component.broker]\ninstances = 5\nmtbf = \"1000h\"\nmttr = \"10h\"\n";

/// Every placement rule, solved by nines and by the reference (which expands families on its
/// own, from the format's description).
#[test]
fn placed_families_agree_with_the_brute_force_reference() {
    let cases = [
        "[block.partition]\nkind = \"k-of-n\"\nk = 2\ninstances = 3\nplace = { family = \"broker\", replicas = 3, rule = \"round-robin\" }\n\
         [block.system]\nkind = \"series\"\nmembers = [\"partition[*]\"]\n",
        "[block.partition]\nkind = \"k-of-n\"\nk = 2\nplace = { family = \"broker\", replicas = 3, rule = \"combinations\" }\n\
         [block.system]\nkind = \"series\"\nmembers = [\"partition[*]\"]\n",
        "[component.disk]\nmtbf = \"3000h\"\nmttr = \"5h\"\n\
         [block.pair]\nkind = \"parallel\"\nmembers = [\"disk\"]\nplace = { family = \"broker\", lists = [[1, 2], [2, 5], [3, 4]] }\n\
         [block.system]\nkind = \"k-of-n\"\nk = 2\nmembers = [\"pair[*]\", \"broker[3]\"]\n",
        "[component.\"broker[4]\"]\nmttr = \"30h\"\n\
         [block.system]\nkind = \"quorum\"\nmembers = [\"broker[*]\"]\n",
    ];
    for case in cases {
        let text = format!("{BROKERS}{case}");
        let (u, f) = exact(&text, &[]);
        let reference = reference::solve_reference(&text, 20_000).unwrap();
        assert!(
            close(u, reference.unavailability, 1e-9) && close(f, reference.failures_per_hour, 1e-9),
            "{case}: nines U {u:e} f {f:e}, reference U {:e} f {:e}",
            reference.unavailability,
            reference.failures_per_hour
        );
    }
}

/// Every 3-broker partition of 5 brokers, each writable while 2 of its 3 are up: any two
/// brokers down share a partition (the pair plus any third broker), and one broker down stops
/// none, so the cluster is up exactly while at least 4 of the 5 brokers are: a 4-of-5 block.
#[test]
fn all_partitions_over_a_family_equal_the_k_of_n_of_its_brokers() {
    let placed = format!(
        "{BROKERS}[block.partition]\nkind = \"k-of-n\"\nk = 2\nplace = {{ family = \"broker\", replicas = 3, rule = \"combinations\" }}\n\
         [block.system]\nkind = \"series\"\nmembers = [\"partition[*]\"]\n"
    );
    let direct =
        format!("{BROKERS}[block.system]\nkind = \"k-of-n\"\nk = 4\nmembers = [\"broker[*]\"]\n");
    let (u, f) = exact(&placed, &[]);
    let (u4, f4) = exact(&direct, &[]);
    assert!(close(u, u4, 1e-12) && close(f, f4, 1e-12), "{u:e} {u4:e}");
    // U(4-of-5) = Σ_{j≥2} C(5, j) q^j (1 − q)^(5−j), q = 10/1010.
    let q: f64 = 10.0 / 1010.0;
    let binomial = [1.0, 5.0, 10.0, 10.0, 5.0, 1.0];
    let expected: f64 = (2..=5)
        .map(|j| binomial[j] * q.powi(j as i32) * (1.0 - q).powi(5 - j as i32))
        .sum();
    assert!(close(u, expected, 1e-12), "{u:e} vs {expected:e}");
}

/// `--vary component.broker.mttr` moves every broker: each point equals a solve with the same
/// MTTR set on each instance by its own path.
#[test]
fn a_family_sweep_equals_setting_every_instance() {
    let kafka = path("models/kafka-cluster.toml");
    let sweep = nines()
        .arg("sweep")
        .arg(&kafka)
        .args([
            "--vary",
            "component.broker.mttr=2h,4h,8h",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        sweep.status.success(),
        "{}",
        String::from_utf8_lossy(&sweep.stderr)
    );
    // One JSON line per point, then a summary sentence.
    let points: Vec<serde_json::Value> = String::from_utf8_lossy(&sweep.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    assert_eq!(points.len(), 3);
    for (point, hours) in points.iter().zip(["2h", "4h", "8h"]) {
        let mut solve = nines();
        solve.arg("solve").arg(&kafka).args(["--format", "json"]);
        for i in 1..=5 {
            solve
                .arg("--set")
                .arg(format!("component.broker[{i}].mttr={hours}"));
        }
        let solved = solve.output().unwrap();
        assert!(solved.status.success());
        let by_instance = json_lines(&solved.stdout)[0]["unavailability"]
            .as_f64()
            .unwrap();
        let by_family = point["unavailability"].as_f64().unwrap();
        assert!(
            close(by_family, by_instance, 1e-12),
            "{hours}: {by_family:e} vs {by_instance:e}"
        );
    }
    // And the 4 h point is the model as written.
    let text = std::fs::read_to_string(&kafka).unwrap();
    let (u, _) = exact(&text, &[]);
    assert!(close(
        points[1]["unavailability"].as_f64().unwrap(),
        u,
        1e-12
    ));
}

/// `sweep --find component.broker.mttr` answers for the whole family: just below the boundary
/// every broker's MTTR meets the target, just above it misses.
#[test]
fn find_on_the_kafka_family_gives_the_boundary_for_every_broker() {
    let kafka = path("models/kafka-cluster.toml");
    let output = nines()
        .arg("sweep")
        .arg(&kafka)
        .args(["--find", "component.broker.mttr", "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found = &json_lines(&output.stdout)[0];
    let text = serde_json::to_string(found).unwrap();
    let value = found["boundary"]
        .as_f64()
        .unwrap_or_else(|| panic!("no boundary in {text}"));
    let model = std::fs::read_to_string(&kafka).unwrap();
    let target = 1e-5;
    let below = exact(
        &model,
        &[&format!("component.broker.mttr={}h", value * 0.999)],
    )
    .0;
    let above = exact(
        &model,
        &[&format!("component.broker.mttr={}h", value * 1.001)],
    )
    .0;
    assert!(
        below <= target && above > target,
        "{value}: {below:e} {above:e}"
    );
    // Close to the closed form U ≈ C(5, 2)·q² + 3·q_c² with q = r/(4380 + r), q_c = 1/4381.
    let controllers = 3.0 / 4381f64.powi(2);
    let q = ((target - controllers) / 10.0).sqrt();
    let approx = 4380.0 * q / (1.0 - q);
    assert!(close(value, approx, 0.02), "{value} vs ≈{approx}");
}

/// The family item of `sensitivity` is the same transforms applied to every instance by
/// hand: I_B = U(every broker down) − U(every broker perfect), and the downtime saved when
/// every broker's MTTR halves.
#[test]
fn the_family_importance_is_every_instance_transformed_together() {
    let text = format!(
        "{BROKERS}[component.lb]\nmtbf = \"5000h\"\nmttr = \"1h\"\n\
         [block.partition]\nkind = \"k-of-n\"\nk = 2\ninstances = 5\nplace = {{ family = \"broker\", replicas = 3, rule = \"round-robin\" }}\n\
         [block.system]\nkind = \"series\"\nmembers = [\"lb\", \"partition[*]\"]\n"
    );
    let model = load_model("m.toml", &text, &[]).ok().unwrap().model;
    let items = importances(&model).unwrap().items;
    let family = items
        .iter()
        .find(|i| i.kind == ItemKind::Family && i.name == "broker")
        .unwrap();
    assert_eq!(family.instances, Some(5));
    let (u, _) = exact(&text, &[]);
    // Every broker down: the system is down (U₁ = 1); every broker perfect: only lb fails,
    // U₀ = 1/5001.
    let u0 = 1.0 / 5001.0;
    assert!(
        close(family.birnbaum, 1.0 - u0, 1e-12),
        "{}",
        family.birnbaum
    );
    assert!(close(family.criticality.unwrap(), (u - u0) / u, 1e-9));
    let halved = exact(&text, &["component.broker.mttr=5h"]).0;
    let minutes = (halved - u) * 8766.0 * 60.0;
    assert!(close(
        family.downtime_change_mttr_half_minutes,
        minutes,
        1e-9
    ));
    let doubled = exact(&text, &["component.broker.mtbf=2000h"]).0;
    assert!(close(
        family.downtime_change_mtbf_x2_minutes,
        (doubled - u) * 8766.0 * 60.0,
        1e-9
    ));
    // The per-instance items are still there.
    assert!(
        items
            .iter()
            .any(|i| i.name == "broker[3]" && i.kind == ItemKind::Component)
    );
    // JSON marks the family item.
    let (_dir, file) = model_file("m.toml", &text);
    let output = nines()
        .arg("sensitivity")
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json = &json_lines(&output.stdout)[0];
    let item = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "broker")
        .unwrap();
    assert_eq!(item["kind"], "family");
    assert_eq!(item["instances"], 5);
}

/// `--top BLOCK` solves one block as the system, on every command that loads a model, and
/// `--set top=NAME` does the same.
#[test]
fn top_picks_the_block_to_solve_on_every_command() {
    let kafka = path("models/kafka-cluster.toml");
    let solved = nines()
        .arg("solve")
        .arg(&kafka)
        .args(["--top", "partition[2]", "--format", "json"])
        .output()
        .unwrap();
    assert!(solved.status.success());
    let json = &json_lines(&solved.stdout)[0];
    let blocks = json["blocks"].as_object().unwrap();
    assert_eq!(blocks.keys().collect::<Vec<_>>(), ["partition[2]"]);
    // 2-of-3 brokers: U = 3q²(1 − q) + q³ with q = 4/4384.
    let q: f64 = 4.0 / 4384.0;
    let expected = 3.0 * q * q * (1.0 - q) + q.powi(3);
    let u = json["unavailability"].as_f64().unwrap();
    assert!(close(u, expected, 1e-9), "{u:e} vs {expected:e}");
    let set = nines()
        .arg("solve")
        .arg(&kafka)
        .args(["--set", "top=partition[2]", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        json_lines(&set.stdout)[0]["unavailability"],
        json["unavailability"]
    );
    let out_dir = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 7] = [
        &["check"],
        &["simulate", "--runs", "20", "--seed", "1"],
        &["sweep", "--vary", "component.broker.mttr=2h,4h"],
        &["sensitivity"],
        &["diagram"],
        &["export"],
        &[
            "report",
            "--no-simulation",
            "-o",
            out_dir.path().to_str().unwrap(),
        ],
    ];
    for command in commands {
        let output = nines()
            .args(&command[..1])
            .arg(&kafka)
            .args(&command[1..])
            .args(["--top", "controllers"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{command:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        if command[0] != "report" {
            assert!(
                !stdout.contains("partition[1]"),
                "{command:?} reports an unreachable block:\n{stdout}"
            );
        }
    }
}

#[test]
fn an_unknown_top_lists_the_blocks_and_exits_2() {
    let kafka = path("models/kafka-cluster.toml");
    for args in [["--top", "partition"], ["--set", "top=controler"]] {
        let output = nines()
            .arg("solve")
            .arg(&kafka)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("blocks: partition[1..60], partitions, controllers, cluster"),
            "{stderr}"
        );
    }
}
