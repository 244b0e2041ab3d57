//! Standby of blocks and shared units inside dependent blocks (issue 13 §1): `nines` against
//! the brute-force product chain of `reference/` on small models that use every new
//! construct, to 1e-9 in U and f.

use crate::reference;

use nines::model::load::load_model;
use nines::solve::solve;

fn agrees(name: &str, text: &str) {
    let model = match load_model("m.toml", text, &[]) {
        Ok(loaded) => loaded.model,
        Err(invalid) => {
            let messages: Vec<String> = invalid
                .diagnostics
                .iter()
                .map(|d| invalid.sources.render(d))
                .collect();
            panic!("{name}: {}", messages.join(""))
        }
    };
    let solution = solve(&model).unwrap_or_else(|e| panic!("{name}: {e}"));
    let reference =
        reference::solve_reference(text, 20_000).unwrap_or_else(|e| panic!("{name}: {e}"));
    let u_error = (solution.system.unavailability - reference.unavailability).abs()
        / reference.unavailability;
    let f_error = (solution.system.frequency - reference.failures_per_hour).abs()
        / reference.failures_per_hour;
    assert!(
        u_error < 1e-9 && f_error < 1e-9,
        "{name}: U nines {:e} reference {:e}; f nines {:e} reference {:e}",
        solution.system.unavailability,
        reference.unavailability,
        solution.system.frequency,
        reference.failures_per_hour
    );
}

/// Active/passive regions: a warm standby of two region blocks with a timed, imperfect
/// failover.
pub const REGIONS: &str = r#"
top = "service"
[component.lb]
mtbf = "8000h"
mttr = "2h"
[component.app]
mtbf = "1500h"
mttr = "1h"
[component.db]
mtbf = "3000h"
mttr = "6h"
[component.dns]
mtbf = "50000h"
mttr = "1h"
[block.region]
kind = "series"
members = ["lb", "app", "db"]
[block.regions]
kind = "standby"
members = ["region", "region"]
mode = "warm"
dormant_factor = 0.3
failover = "20m"
coverage = 0.95
manual_failover = "2h"
[block.service]
kind = "series"
members = ["dns", "regions"]
"#;

#[test]
fn active_passive_regions_agree_with_the_reference() {
    agrees("regions", REGIONS);
}

#[test]
fn cold_standby_of_blocks_with_one_crew_agrees_with_the_reference() {
    agrees(
        "cold crews",
        r#"
top = "pair"
[component.a]
mtbf = "400h"
mttr = "10h"
[component.b]
mtbf = "900h"
mttr = "4h"
[block.side]
kind = "parallel"
members = ["a", "b"]
[block.pair]
kind = "standby"
members = ["side", "b"]
mode = "cold"
failover = "5m"
repair_crews = 1
"#,
    );
}

pub const ZONES: &str = r#"
top = "db"
[component.zone_a]
mtbf = "4000h"
mttr = "3h"
shared = true
[component.zone_b]
mtbf = "5000h"
mttr = "2h"
shared = true
[component.node]
mtbf = "700h"
mttr = "5h"
[block.member_a]
kind = "series"
members = ["zone_a", "node"]
[block.member_b]
kind = "series"
members = ["zone_b", "node"]
[block.db]
kind = "standby"
members = ["member_a", "member_b"]
mode = "warm"
dormant_factor = 0.5
failover = "1m"
coverage = 0.9
manual_failover = "30m"
repair_crews = 1
"#;

#[test]
fn members_in_shared_zones_agree_with_the_reference() {
    // Each DB member is the series of its zone (shared, used only here) and its node; the
    // zone is never dormant and is repaired by itself, not by the block's crew.
    agrees("zones", ZONES);
}

pub const NESTED: &str = r#"
top = "regions"
[component.web]
mtbf = "2000h"
mttr = "2h"
[component.db]
mtbf = "1000h"
mttr = "8h"
[block.dbs]
kind = "standby"
members = ["db", "db"]
mode = "warm"
dormant_factor = 0.5
failover = "2m"
[block.region]
kind = "series"
members = ["web", "dbs"]
[block.regions]
kind = "standby"
members = ["region", "region"]
mode = "warm"
dormant_factor = 0.2
failover = "15m"
coverage = 0.98
manual_failover = "1h"
"#;

#[test]
fn a_region_pair_of_regions_with_their_own_db_standby_agrees_with_the_reference() {
    // Nested dependent blocks: each region holds a primary/replica standby of components;
    // units of the passive region are dormant twice over (outer and inner factors).
    agrees("nested", NESTED);
}

#[test]
fn shared_units_in_crew_and_standby_blocks_agree_with_the_reference() {
    // A crew block with a shared member (repaired by itself, outside the queue) and a
    // standby whose second member is a shared component (never dormant).
    agrees(
        "shared members",
        r#"
top = "system"
[component.s]
mtbf = "600h"
mttr = "12h"
shared = true
[component.n]
mtbf = "300h"
mttr = "9h"
[block.pool]
kind = "k-of-n"
k = 2
members = ["s", "n", "n"]
repair_crews = 1
[block.sb]
kind = "standby"
members = ["n", "s"]
mode = "cold"
[block.system]
kind = "series"
members = ["pool"]
[block.other]
kind = "series"
members = ["sb"]
"#,
    );
    agrees(
        "shared standby member",
        r#"
top = "sb"
[component.s]
mtbf = "600h"
mttr = "12h"
shared = true
[component.n]
mtbf = "300h"
mttr = "9h"
[block.sb]
kind = "standby"
members = ["n", "s"]
mode = "warm"
dormant_factor = 0.1
failover = "10m"
"#,
    );
}

#[test]
fn a_shared_unit_inside_and_outside_a_joint_block_is_one_process_with_it() {
    let text = r#"
top = "system"
[component.zone]
mtbf = "4000h"
mttr = "3h"
shared = true
[component.node]
mtbf = "700h"
mttr = "5h"
[block.member]
kind = "series"
members = ["zone", "node"]
[block.db]
kind = "standby"
members = ["member", "node"]
[block.system]
kind = "series"
members = ["db", "zone"]
"#;
    // The zone is under the DB's first member and in series with the system: the joint
    // chain of the DB and the zone is one variable of the diagram, which the system reads
    // twice. The brute-force product chain agrees to 1e-9.
    let model = load_model("m.toml", text, &[]).ok().unwrap().model;
    let solved = solve(&model).unwrap().system;
    let reference = reference::solve_reference(text, 100_000).unwrap();
    let u_error =
        (solved.unavailability - reference.unavailability).abs() / reference.unavailability;
    let f_error =
        (solved.frequency - reference.failures_per_hour).abs() / reference.failures_per_hour;
    assert!(
        u_error < 1e-9 && f_error < 1e-9,
        "U {u_error:e}, f {f_error:e}"
    );
}

/// Two-sided 99.9 % quantile of the standard normal distribution.
const Z999: f64 = 3.2905;

/// `nines simulate` of `text` agrees with the exact solution within 99.9 % bounds in U and f
/// (the JSON's `exact` self-check: (simulated − exact) / standard error).
fn simulation_agrees(name: &str, text: &str, runs: &str) {
    let (_dir, file) = crate::common::model_file("m.toml", text);
    let output = crate::common::nines()
        .args([
            "simulate", "--format", "json", "--runs", runs, "--seed", "5",
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
    let object = &crate::common::json_lines(&output.stdout)[0];
    assert_eq!(object["exact"]["applies"], true, "{name}");
    for key in ["unavailability", "failures_per_year"] {
        let sigmas = object["exact"][key]["sigmas"].as_f64().expect("sigmas");
        assert!(sigmas.abs() <= Z999, "{name}: {key} is {sigmas:+.2} σ off");
    }
}

#[test]
fn simulated_regions_and_zoned_members_agree_with_the_exact_solution() {
    simulation_agrees("regions", REGIONS, "20000");
    simulation_agrees("zones", ZONES, "20000");
    simulation_agrees("nested", NESTED, "20000");
}

/// A Kubernetes service over three shared zones whose Postgres primary/standby fails over
/// between two of them: the zones are inside the DB's joint chain and also take down nodes.
pub const ZONED_SERVICE: &str = r#"
top = "system"
[component.zone_a]
mtbf = "4000h"
mttr = "3h"
shared = true
[component.zone_b]
mtbf = "5000h"
mttr = "2h"
shared = true
[component.zone_c]
mtbf = "4500h"
mttr = "4h"
shared = true
[component.node]
mtbf = "700h"
mttr = "5h"
[component.pg]
mtbf = "1500h"
mttr = "6h"
[block.pg_a]
kind = "series"
members = ["zone_a", "pg"]
[block.pg_b]
kind = "series"
members = ["zone_b", "pg"]
[block.db]
kind = "standby"
members = ["pg_a", "pg_b"]
mode = "warm"
dormant_factor = 0.5
failover = "1m"
coverage = 0.9
manual_failover = "30m"
[block.node_a]
kind = "series"
members = ["zone_a", "node"]
[block.node_b]
kind = "series"
members = ["zone_b", "node"]
[block.node_c]
kind = "series"
members = ["zone_c", "node"]
[block.nodes]
kind = "k-of-n"
k = 2
members = ["node_a", "node_b", "node_c"]
[block.system]
kind = "series"
members = ["nodes", "db"]
"#;

#[test]
fn the_joint_variable_with_exposed_zones_conditions_the_rest_to_the_reference_values() {
    // The DB's joint chain exposes zone_a and zone_b; the rest (three node units and
    // zone_c) is independent of it, so with V the variable's value and R the rest's state:
    //   U = Σ_v Σ_r P(v) P(r) [system down in (v, r)],
    //   f = Σ_v Σ_r P(v) P(r) [up in (v, r)] Σ_{r → r'} q(r, r') [down in (v, r')]
    //     + Σ_{v → w} flow(v, w) Σ_r P(r) [up in (v, r)] [down in (w, r)],
    // where R changes one unit at a time (fail at λ, repair at μ) and V by its flows. The
    // brute-force reference solves the whole model's product chain.
    use nines::model::NodeRef;
    use nines::solve::joint::{MAX_JOINT_STATES, group_variable};
    let model = load_model("m.toml", ZONED_SERVICE, &[]).ok().unwrap().model;
    let component = |name: &str| {
        NodeRef::Component(
            model
                .components
                .iter()
                .position(|c| c.name == name)
                .unwrap(),
        )
    };
    let db = model.block_index("db").unwrap();
    let exposed = [component("zone_a"), component("zone_b")];
    let variable = group_variable(&model, &[db], &exposed, MAX_JOINT_STATES).unwrap();
    let total: f64 = variable.probability.iter().sum();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
    // The rest: node_a, node_b, node_c (bits 0..2) and zone_c (bit 3), (λ, μ) per hour.
    let rest = [
        (1.0 / 700.0, 1.0 / 5.0),
        (1.0 / 700.0, 1.0 / 5.0),
        (1.0 / 700.0, 1.0 / 5.0),
        (1.0 / 4500.0, 1.0 / 4.0),
    ];
    let up_bit = |r: u32, i: usize| r & (1 << i) != 0;
    let probability_of = |r: u32| -> f64 {
        (0..4)
            .map(|i| {
                let (lambda, mu) = rest[i];
                (if up_bit(r, i) { mu } else { lambda }) / (lambda + mu)
            })
            .product()
    };
    let system_up = |v: &[bool], r: u32| {
        let (zone_a, zone_b, db) = (v[0], v[1], v[2]);
        let nodes = [
            zone_a && up_bit(r, 0),
            zone_b && up_bit(r, 1),
            up_bit(r, 3) && up_bit(r, 2),
        ];
        db && nodes.iter().filter(|up| **up).count() >= 2
    };
    let (mut unavailability, mut frequency) = (0.0, 0.0);
    for (value, pattern) in variable.up.iter().enumerate() {
        let weight = variable.probability[value];
        for r in 0..16u32 {
            let p = weight * probability_of(r);
            if !system_up(pattern, r) {
                unavailability += p;
                continue;
            }
            for (i, (lambda, mu)) in rest.iter().enumerate() {
                let next = r ^ (1 << i);
                let rate = if up_bit(r, i) { *lambda } else { *mu };
                if !system_up(pattern, next) {
                    frequency += p * rate;
                }
            }
        }
    }
    for (from, to, flow) in &variable.flows {
        for r in 0..16u32 {
            if system_up(&variable.up[*from], r) && !system_up(&variable.up[*to], r) {
                frequency += flow * probability_of(r);
            }
        }
    }
    let reference = reference::solve_reference(ZONED_SERVICE, 100_000).unwrap();
    let u_error = (unavailability - reference.unavailability).abs() / reference.unavailability;
    let f_error = (frequency - reference.failures_per_hour).abs() / reference.failures_per_hour;
    assert!(
        u_error < 1e-9 && f_error < 1e-9,
        "U {unavailability:e} vs {:e}; f {frequency:e} vs {:e}",
        reference.unavailability,
        reference.failures_per_hour
    );
}

#[test]
fn the_zoned_service_is_simulated_within_99_9_percent_of_the_reference() {
    // Its zones are inside the DB's joint chain and used by the nodes too: the exact solver
    // reads the chain's exposed zones and agrees with the brute-force reference to 1e-9, and
    // the simulation is checked against the reference: |simulated − reference| ≤ z₉₉.₉ · SE,
    // with SE from the 95 % interval.
    let model = load_model("m.toml", ZONED_SERVICE, &[]).ok().unwrap().model;
    let solved = solve(&model).unwrap().system;
    let exact = reference::solve_reference(ZONED_SERVICE, 100_000).unwrap();
    assert!((solved.unavailability - exact.unavailability).abs() <= 1e-9 * exact.unavailability);
    assert!((solved.frequency - exact.failures_per_hour).abs() <= 1e-9 * exact.failures_per_hour);
    let (_dir, file) = crate::common::model_file("m.toml", ZONED_SERVICE);
    let output = crate::common::nines()
        .args([
            "simulate", "--format", "json", "--runs", "20000", "--seed", "7",
        ])
        .args(["--warmup", "1w", "--threads", "2"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let object = &crate::common::json_lines(&output.stdout)[0];
    let reference = reference::solve_reference(ZONED_SERVICE, 100_000).unwrap();
    let per_year = 8766.0;
    for (key, exact) in [
        ("unavailability", reference.unavailability),
        ("failures_per_year", reference.failures_per_hour * per_year),
    ] {
        let simulated = object[key].as_f64().unwrap();
        let low = object[format!("{key}_ci95")][0].as_f64().unwrap();
        let high = object[format!("{key}_ci95")][1].as_f64().unwrap();
        let standard_error = (high - low) / 2.0 / 1.959_964;
        let sigmas = (simulated - exact) / standard_error;
        assert!(
            sigmas.abs() <= Z999,
            "{key}: {simulated:e} vs {exact:e}: {sigmas:+.2} σ"
        );
    }
}

#[test]
fn the_kubernetes_example_solves_exactly_and_simulates() {
    let model = crate::common::path("models/k8s-three-zones.toml");
    let output = crate::common::nines()
        .args(["solve"])
        .arg(&model)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let output = crate::common::nines()
        .args(["simulate", "--runs", "500", "--seed", "2"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn one_shared_switch_under_both_members_is_solved_inside_the_joint_chain() {
    // The switch is referenced twice, but only inside the standby block: the joint chain
    // holds it once and nothing else conditions on it.
    agrees(
        "one switch",
        r#"
top = "system"
[component.switch]
mtbf = "20000h"
mttr = "4h"
shared = true
[component.host]
mtbf = "900h"
mttr = "3h"
[component.edge]
mtbf = "40000h"
mttr = "1h"
[block.server]
kind = "series"
members = ["switch", "host"]
[block.pair]
kind = "standby"
members = ["server", "server"]
mode = "warm"
dormant_factor = 0.4
failover = "2m"
[block.system]
kind = "series"
members = ["edge", "pair"]
"#,
    );
}

#[test]
fn regions_with_non_exponential_times_are_simulated_and_marked_approximate() {
    // Weibull wear-out inside the member blocks and log-normal switchovers: the simulator runs
    // them (cumulative exposure below a passive member), and the exact answer is flagged as
    // the exponential approximation, since the units inside a standby member race.
    let text = REGIONS
        .replace(
            "[component.app]\nmtbf = \"1500h\"\nmttr = \"1h\"\n",
            "[component.app]\nmtbf = \"1500h\"\nmttr = \"1h\"\nfailure_dist = { dist = \"weibull\", shape = 2.0 }\nrepair_dist = { dist = \"lognormal\", sigma = 1.0 }\n",
        )
        .replace(
            "manual_failover = \"2h\"\n",
            "manual_failover = \"2h\"\nfailover_dist = { dist = \"lognormal\", sigma = 0.5 }\n",
        );
    assert!(text.contains("weibull") && text.contains("sigma = 0.5"));
    let model = load_model("m.toml", &text, &[]).ok().unwrap().model;
    assert!(!nines::solve::applicability::exact_solver_applies(&model));
    let (_dir, file) = crate::common::model_file("m.toml", &text);
    let output = crate::common::nines()
        .args([
            "simulate", "--format", "json", "--runs", "300", "--seed", "3",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let object = &crate::common::json_lines(&output.stdout)[0];
    assert_eq!(object["exact"]["applies"], false, "{object}");
}

#[test]
fn two_joint_blocks_sharing_a_zone_with_the_rest_are_one_group() {
    // db (standby of two zoned members) and cache (a standby whose first member is the same
    // zone in series with a host, in two copies) both hold zone_a, which the workers use too:
    // the three joint copies and zone_a make one joint group, one variable of the diagram.
    agrees(
        "grouped",
        r#"
top = "system"
[component.zone_a]
mtbf = "3000h"
mttr = "2h"
shared = true
[component.zone_b]
mtbf = "3500h"
mttr = "3h"
shared = true
[component.node]
mtbf = "800h"
mttr = "4h"
[component.spare]
mtbf = "1200h"
mttr = "6h"
[block.in_a]
kind = "series"
members = ["zone_a", "node"]
[block.in_b]
kind = "series"
members = ["zone_b", "node"]
[block.db]
kind = "standby"
members = ["in_a", "in_b"]
failover = "5m"
[block.cache]
kind = "standby"
members = ["in_a", "spare"]
[block.workers]
kind = "parallel"
members = ["zone_a", "zone_b"]
[block.system]
kind = "series"
members = ["db", "cache", "cache", "workers"]
"#,
    );
}

#[test]
fn an_election_inside_a_joint_chain_agrees_with_the_reference() {
    let text = r#"
top = "system"
[component.zone]
mtbf = "4000h"
mttr = "3h"
shared = true
[component.node]
mtbf = "700h"
mttr = "5h"
[block.quorum]
kind = "quorum"
of = "node"
count = 3
leader_election = "10s"
[block.member]
kind = "series"
members = ["zone", "quorum"]
[block.system]
kind = "standby"
members = ["member", "node"]
"#;
    // The quorum's elections are settled inside the standby's joint chain, innermost first.
    agrees("election inside a standby member", text);
    simulation_agrees("election inside a standby member", text, "20000");
}
