//! Random standby-of-blocks models (issue 13 §1) against the brute-force reference: member
//! blocks of private components, shared zones and inner standby pairs, under random rules and
//! crews.

use crate::reference;

use nines::model::load::load_model;
use nines::solve::solve;

/// A random standby of blocks: 2–3 members, each a component, a shared zone, or a block of
/// 1–3 references (private components, shared zones, an inner standby pair), under random
/// rules and crews, below a top that may add an independent unit. Small enough for the
/// reference; from a seed, so a failure can be replayed.
fn random_standby_model(seed: u64) -> String {
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
        ("c2", 1500, 9, false),
        ("z0", 2000, 3, true),
        ("z1", 3000, 6, true),
    ] {
        text.push_str(&format!(
            "[component.{name}]\nmtbf = \"{mtbf}h\"\nmttr = \"{mttr}h\"\nshared = {shared}\n"
        ));
    }
    let mut units = 0;
    let reference = |next: &mut dyn FnMut(u64) -> u64, units: &mut usize| match next(5) {
        0 => "z0".to_string(),
        1 => "z1".to_string(),
        r => {
            *units += 1;
            format!("c{}", r - 2)
        }
    };
    let members = 2 + next(2) as usize;
    let mut names = Vec::new();
    for m in 0..members {
        if next(4) == 0 || units > 4 {
            names.push(reference(&mut next, &mut units));
            continue;
        }
        let name = format!("m{m}");
        let count = 1 + next(3) as usize;
        let mut inner = Vec::new();
        for i in 0..count {
            if next(6) == 0 && units < 3 {
                let pair = format!("{name}_pair{i}");
                text.push_str(&format!(
                    "[block.{pair}]\nkind = \"standby\"\nmembers = [\"c0\", \"c1\"]\nmode = \"warm\"\ndormant_factor = 0.3\nfailover = \"6m\"\n"
                ));
                units += 2;
                inner.push(pair);
            } else {
                inner.push(reference(&mut next, &mut units));
            }
        }
        let kind = match (next(3), inner.len()) {
            (0, _) | (_, 1) => "kind = \"series\"\n".to_string(),
            (1, _) => "kind = \"parallel\"\n".to_string(),
            (_, n) => format!("kind = \"k-of-n\"\nk = {}\n", n - 1),
        };
        let quoted: Vec<String> = inner.iter().map(|n| format!("\"{n}\"")).collect();
        text.push_str(&format!(
            "[block.{name}]\n{kind}members = [{}]\n",
            quoted.join(", ")
        ));
        names.push(name);
    }
    let mode = match next(3) {
        0 => "mode = \"hot\"\n".to_string(),
        1 => "mode = \"cold\"\n".to_string(),
        _ => "mode = \"warm\"\ndormant_factor = 0.25\n".to_string(),
    };
    let failover = if next(2) == 0 { "0s" } else { "10m" };
    let coverage = if next(2) == 0 {
        String::new()
    } else {
        "coverage = 0.8\nmanual_failover = \"1h\"\n".to_string()
    };
    let crews = if next(3) == 0 {
        "repair_crews = 1\n"
    } else {
        ""
    };
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    text.push_str(&format!(
        "[block.sb]\nkind = \"standby\"\nmembers = [{}]\n{mode}failover = \"{failover}\"\n{coverage}{crews}",
        quoted.join(", ")
    ));
    let top = if next(2) == 0 {
        "[\"sb\"]"
    } else {
        "[\"sb\", \"c2\"]"
    };
    text.push_str(&format!(
        "[block.top]\nkind = \"series\"\nmembers = {top}\n"
    ));
    text
}

#[test]
fn random_standby_of_blocks_models_agree_with_the_reference() {
    // 150 seeds: every construct of §8.4 with block and shared members, nested standby and
    // crews over blocks; nines' joint chain and the reference's product chain to 1e-9.
    let mut compared = 0;
    for seed in 0..150 {
        let text = random_standby_model(seed);
        let model = match load_model("m.toml", &text, &[]) {
            Ok(loaded) => loaded.model,
            Err(invalid) => {
                let messages: Vec<String> = invalid
                    .diagnostics
                    .iter()
                    .map(|d| invalid.sources.render(d))
                    .collect();
                panic!("seed {seed}: {}\n{text}", messages.join(""))
            }
        };
        let solution = match solve(&model) {
            Ok(solution) => solution,
            Err(error) if error.to_string().contains("states") => continue,
            Err(error) => panic!("seed {seed}: {error}\n{text}"),
        };
        let Ok(reference) = reference::solve_reference(&text, 5_000) else {
            continue;
        };
        let u_error = (solution.system.unavailability - reference.unavailability).abs()
            / reference.unavailability;
        let f_error = (solution.system.frequency - reference.failures_per_hour).abs()
            / reference.failures_per_hour;
        assert!(
            u_error < 1e-9 && f_error < 1e-9,
            "seed {seed}: U error {u_error:e}, f error {f_error:e}\n{text}"
        );
        compared += 1;
    }
    eprintln!("{compared} random models compared");
    assert!(compared >= 120, "only {compared} compared");
}
