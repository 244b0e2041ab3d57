//! Many shared units, solved exactly by the decision diagram of `solve/structure/`.
//!
//! - the 560 three-broker partitions over 16 shared brokers (each 2-of-3, all in series)
//!   against the equivalent 15-of-16 block: the series is up exactly when at most one broker
//!   is down, since any two down brokers share a partition;
//! - 60 partitions placed round-robin over 20 brokers against a brute-force sum over all 2²⁰
//!   broker states (written here, sharing no code with the solver);
//! - random models with up to 7 shared units, shared blocks and nesting against the
//!   brute-force Markov reference of `tests/suite/reference/`;
//! - 100 shared racks under an erasure-coded store, which must solve.

use crate::reference::solve_reference;
use nines::model::load::load_model;
use nines::solve::{Measures, solve};

fn solve_text(text: &str) -> Measures {
    let model = load_model("many.toml", text, &[])
        .ok()
        .expect("valid")
        .model;
    solve(&model).expect("solves").system
}

fn relative(actual: f64, expected: f64) -> f64 {
    ((actual - expected) / expected).abs()
}

fn brokers(count: usize, mtbf: &str, mttr: &str) -> String {
    (0..count)
        .map(|i| format!("[component.b{i}]\nmtbf = \"{mtbf}\"\nmttr = \"{mttr}\"\nshared = true\n"))
        .collect()
}

/// A model: `count` shared brokers, one 2-of-3 block per partition, all partitions in series.
fn partitions_model(count: usize, partitions: &[[usize; 3]]) -> String {
    let mut text = format!(
        "name = \"cluster\"\ntop = \"cluster\"\n{}",
        brokers(count, "2000h", "6h")
    );
    let mut names = Vec::new();
    for (index, members) in partitions.iter().enumerate() {
        let list: Vec<String> = members.iter().map(|b| format!("\"b{b}\"")).collect();
        text.push_str(&format!(
            "[block.p{index}]\nkind = \"k-of-n\"\nk = 2\nmembers = [{}]\n",
            list.join(", ")
        ));
        names.push(format!("\"p{index}\""));
    }
    text.push_str(&format!(
        "[block.cluster]\nkind = \"series\"\nmembers = [{}]\n",
        names.join(", ")
    ));
    text
}

/// Every 3-subset of 0..n.
fn all_triples(n: usize) -> Vec<[usize; 3]> {
    let mut triples = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            for c in b + 1..n {
                triples.push([a, b, c]);
            }
        }
    }
    triples
}

#[test]
fn all_560_partitions_over_16_brokers_equal_a_15_of_16_block() {
    let triples = all_triples(16);
    assert_eq!(triples.len(), 560);
    let cluster = solve_text(&partitions_model(16, &triples));
    let block = solve_text(
        "[component.b]\nmtbf = \"2000h\"\nmttr = \"6h\"\n\
         [block.system]\nkind = \"k-of-n\"\nk = 15\nof = \"b\"\ncount = 16\n",
    );
    assert!(
        relative(cluster.unavailability, block.unavailability) < 1e-9,
        "U {:e} vs {:e}",
        cluster.unavailability,
        block.unavailability
    );
    assert!(
        relative(cluster.frequency, block.frequency) < 1e-9,
        "f {:e} vs {:e}",
        cluster.frequency,
        block.frequency
    );
    assert!(relative(cluster.availability, block.availability) < 1e-12);
}

/// U and f of independent two-state units under a structure function, by summing over every
/// state: U = Σ_{x down} π(x), f = Σ_{x up} π(x) Σ_{i up in x, x with i down is down} λᵢ.
fn brute_force(units: usize, u: f64, lambda: f64, up: impl Fn(u32) -> bool) -> (f64, f64) {
    let (mut unavailability, mut frequency) = (0.0, 0.0);
    for state in 0u32..1 << units {
        // Bit i set: unit i is down.
        let down = state.count_ones() as i32;
        let probability = u.powi(down) * (1.0 - u).powi(units as i32 - down);
        if !up(state) {
            unavailability += probability;
            continue;
        }
        for unit in 0..units {
            if state & (1 << unit) == 0 && !up(state | 1 << unit) {
                frequency += probability * lambda;
            }
        }
    }
    (unavailability, frequency)
}

#[test]
fn sixty_partitions_round_robin_over_20_brokers_match_brute_force() {
    // Partition i on brokers i, i+1, i+2 (mod 20), three times round the ring.
    let partitions: Vec<[usize; 3]> = (0..60)
        .map(|i| [i % 20, (i + 1) % 20, (i + 2) % 20])
        .collect();
    let cluster = solve_text(&partitions_model(20, &partitions));
    let (lambda, mu) = (1.0 / 2000.0, 1.0 / 6.0);
    let u = lambda / (lambda + mu);
    let (unavailability, frequency) = brute_force(20, u, lambda, |down| {
        partitions
            .iter()
            .all(|p| p.iter().filter(|b| down & (1 << **b) != 0).count() <= 1)
    });
    assert!(relative(cluster.unavailability, unavailability) < 1e-9);
    assert!(relative(cluster.frequency, frequency) < 1e-9);
}

/// An erasure-coded store over 100 shared racks on a ring: each stripe is 10-of-14 over 14
/// consecutive racks, a stripe starting every 7 racks; every stripe must be readable. Each
/// rack is a shared series of its top-of-rack switch and power feed.
pub fn erasure_coded_store() -> String {
    let mut text = String::from("name = \"object store\"\ntop = \"store\"\n");
    text.push_str(
        "[component.tor]\nmtbf = \"100000h\"\nmttr = \"4h\"\n\
         [component.power]\nmtbf = \"50000h\"\nmttr = \"2h\"\n",
    );
    for rack in 0..100 {
        text.push_str(&format!(
            "[block.rack{rack}]\nkind = \"series\"\nmembers = [\"tor\", \"power\"]\nshared = true\n"
        ));
    }
    let mut stripes = Vec::new();
    for start in (0..100).step_by(7) {
        let racks: Vec<String> = (0..14)
            .map(|i| format!("\"rack{}\"", (start + i) % 100))
            .collect();
        text.push_str(&format!(
            "[block.stripe{start}]\nkind = \"k-of-n\"\nk = 10\nmembers = [{}]\n",
            racks.join(", ")
        ));
        stripes.push(format!("\"stripe{start}\""));
    }
    text.push_str(&format!(
        "[block.store]\nkind = \"series\"\nmembers = [{}]\n",
        stripes.join(", ")
    ));
    text
}

#[test]
fn an_erasure_coded_store_over_100_shared_racks_solves() {
    let store = solve_text(&erasure_coded_store());
    // Five racks down among one stripe's 14 is the smallest outage: U is about
    // (number of stripes) · C(14, 5) · u⁵ with u the rack's unavailability, within a factor
    // of a few (overlaps between stripes).
    let rack = Measures::two_state(1.0 / 100000.0 + 1.0 / 50000.0, 1.0 / 3.0);
    let estimate = 15.0 * 2002.0 * rack.unavailability.powi(5);
    assert!(
        store.unavailability > estimate / 4.0 && store.unavailability < estimate * 4.0,
        "U {:e}, estimate {estimate:e}",
        store.unavailability
    );
    assert!(store.frequency > 0.0);
}

/// A small random model with 3 to 7 shared components, shared blocks and nesting.
fn random_shared_model(seed: u64) -> String {
    let mut state = seed;
    let mut next = move |n: u64| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    };
    let shared = 3 + next(5) as usize;
    let mut text = String::from("name = \"random\"\ntop = \"top\"\n");
    for i in 0..shared {
        let mtbf = 50 + next(3000);
        let mttr = 1 + next(40);
        text.push_str(&format!(
            "[component.s{i}]\nmtbf = \"{mtbf}h\"\nmttr = \"{mttr}h\"\nshared = true\n"
        ));
    }
    text.push_str("[component.p]\nmtbf = \"700h\"\nmttr = \"9h\"\n");
    // Blocks b0…b3 over shared units (and a private unit now and then); b1 is shared.
    let kinds = ["series", "parallel", "k-of-n"];
    let mut blocks = Vec::new();
    for b in 0..4 {
        let size = 2 + next(3) as usize;
        let mut members: Vec<String> = (0..size)
            .map(|_| format!("\"s{}\"", next(shared as u64)))
            .collect();
        if next(3) == 0 {
            members.push("\"p\"".into());
        }
        if b >= 2 && next(2) == 0 {
            members.push(format!("\"b{}\"", next(b as u64)));
        }
        let kind = kinds[next(3) as usize];
        let k = if kind == "k-of-n" {
            format!("k = {}\n", 1 + next(members.len() as u64))
        } else {
            String::new()
        };
        let shared_line = if b == 1 { "shared = true\n" } else { "" };
        text.push_str(&format!(
            "[block.b{b}]\nkind = \"{kind}\"\n{k}{shared_line}members = [{}]\n",
            members.join(", ")
        ));
        blocks.push(format!("\"b{b}\""));
    }
    let kind = kinds[next(3) as usize];
    let k = if kind == "k-of-n" { "k = 2\n" } else { "" };
    blocks.push("\"b1\"".into());
    text.push_str(&format!(
        "[block.top]\nkind = \"{kind}\"\n{k}members = [{}]\n",
        blocks.join(", ")
    ));
    text
}

#[test]
fn random_models_with_many_shared_units_match_the_reference() {
    let mut compared = 0;
    for seed in 0..150 {
        let text = random_shared_model(seed);
        let model = match load_model("random.toml", &text, &[]) {
            Ok(loaded) => loaded.model,
            Err(_) => panic!("invalid model:\n{text}"),
        };
        let solution = solve(&model).expect("solves").system;
        let reference = match solve_reference(&text, 5_000) {
            Ok(reference) => reference,
            Err(message) if message.contains("states") => continue,
            Err(message) => panic!("reference failed: {message}\n{text}"),
        };
        compared += 1;
        let u = relative(solution.unavailability, reference.unavailability);
        let f = if reference.failures_per_hour == 0.0 {
            solution.frequency
        } else {
            relative(solution.frequency, reference.failures_per_hour)
        };
        assert!(
            u < 1e-9 && f < 1e-9,
            "{text}\nU {:e} vs {:e}, f {:e} vs {:e}",
            solution.unavailability,
            reference.unavailability,
            solution.frequency,
            reference.failures_per_hour
        );
    }
    assert!(compared >= 100, "only {compared} compared");
}

#[test]
fn a_fleet_of_copies_behind_one_shared_switch_equals_the_switch_in_series() {
    // 1,500 of 3,000 racks, each a series of its own server and the one shared core switch:
    // up exactly when the switch is up and 1,500 servers are up. The diagram would count the
    // 3,000 copies one by one; the solver conditions on the switch instead.
    let components = "[component.core]\nmtbf = \"80000h\"\nmttr = \"4h\"\nshared = true\n\
                      [component.server]\nmtbf = \"3000h\"\nmttr = \"12h\"\n";
    let fleet = solve_text(&format!(
        "{components}[block.rack]\nkind = \"series\"\nmembers = [\"core\", \"server\"]\n\
         [block.system]\nkind = \"k-of-n\"\nk = 1500\nof = \"rack\"\ncount = 3000\n"
    ));
    let series = solve_text(&format!(
        "{components}[block.servers]\nkind = \"k-of-n\"\nk = 1500\nof = \"server\"\ncount = 3000\n\
         [block.system]\nkind = \"series\"\nmembers = [\"core\", \"servers\"]\n"
    ));
    assert!(relative(fleet.unavailability, series.unavailability) < 1e-9);
    assert!(relative(fleet.frequency, series.frequency) < 1e-9);
}

#[test]
fn thousands_of_shared_units_on_one_path_do_not_exhaust_the_stack() {
    // Every shared unit in a series and in a parallel, the two in series: up exactly when all
    // are up. 4,000 units on one path of the diagram. Closed form of the series:
    // A = Π aᵢ, f = Σ fᵢ · A / aᵢ.
    let units = 4000;
    let mut text = String::from("top = \"system\"\n");
    let mut names = Vec::new();
    let (mut ln_a, mut rates) = (0.0f64, Vec::new());
    for i in 0..units {
        let mttr = 1 + i % 50;
        text.push_str(&format!(
            "[component.s{i}]\nmtbf = \"1000000h\"\nmttr = \"{mttr}h\"\nshared = true\n"
        ));
        names.push(format!("\"s{i}\""));
        let unit = Measures::two_state(1e-6, 1.0 / mttr as f64);
        ln_a += unit.availability.ln();
        rates.push(unit);
    }
    let list = names.join(", ");
    text.push_str(&format!(
        "[block.all]\nkind = \"series\"\nmembers = [{list}]\n\
         [block.any]\nkind = \"parallel\"\nmembers = [{list}]\n\
         [block.system]\nkind = \"series\"\nmembers = [\"all\", \"any\"]\n"
    ));
    let system = solve_text(&text);
    let availability = ln_a.exp();
    let frequency: f64 = rates
        .iter()
        .map(|unit| unit.frequency * availability / unit.availability)
        .sum();
    assert!(relative(system.unavailability, -ln_a.exp_m1()) < 1e-9);
    assert!(relative(system.frequency, frequency) < 1e-9);
}
