//! Every example model small enough to expand is solved again by the brute-force reference
//! (the full product chain of every unit) and must agree to 1e-9 in U and f.

use crate::reference;

use nines::model::load::load_model;
use nines::solve::solve;

#[test]
fn example_models_agree_with_the_brute_force_reference() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut checked = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if crate::common::awaits_exposed_nodes(&path) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let model = load_model(&name, &text, &[])
            .ok()
            .expect("valid example")
            .model;
        let solution = solve(&model).expect("solvable example");
        let Ok(reference) = reference::solve_reference(&text, 8_000) else {
            eprintln!("{name}: too large for the brute-force reference");
            continue;
        };
        let u_error = (solution.system.unavailability - reference.unavailability).abs()
            / reference.unavailability;
        let f_error = (solution.system.frequency - reference.failures_per_hour).abs()
            / reference.failures_per_hour;
        assert!(
            u_error < 1e-9 && f_error < 1e-9,
            "{name}: U error {u_error:e}, f error {f_error:e}"
        );
        eprintln!("{name}: agrees ({} states)", reference.states);
        checked.push(name);
    }
    assert!(
        checked.len() >= 5,
        "only {checked:?} were small enough to cross-check"
    );
}
