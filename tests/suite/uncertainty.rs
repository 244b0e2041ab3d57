//! `nines uncertainty` and `nines check --confidence` through the real binary. Expected values
//! are derived in the comments (closed forms of the posterior), independently of the code.

use crate::common;
use common::{json_lines, model_file, nines};
use statrs::distribution::{ContinuousCDF, Gamma};

/// One component `a` (point figures MTBF 1000 h, MTTR 2 h) with evidence of 2 failures in
/// 4000 h, target 99.9 %.
const SINGLE: &str = "top = \"system\"\n[target]\navailability = \"99.9%\"\n\
    [component.a]\nmtbf = \"1000h\"\nmttr = \"2h\"\n\
    [component.a.evidence]\nfailures = 2\nexposure = \"4000h\"\n\
    [block.system]\nkind = \"series\"\nmembers = [\"a\"]\n";

fn run(text: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let (_dir, file) = model_file("u.toml", text);
    let output = nines().args(args).arg(&file).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_odds_of_a_single_unit_match_the_gamma_posterior() {
    // λ ~ Gamma(2 + ½, 4000 h) (Jeffreys). U = λ/(λ + μ) ≤ 1e-3 with μ = 0.5 /h ⇔
    // λ ≤ 0.5 · 1e-3 / 0.999: P = the gamma CDF there.
    let (code, stdout, stderr) = run(
        SINGLE,
        &["uncertainty", "--format", "json", "--samples", "4000"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let object = &json_lines(stdout.as_bytes())[0];
    let exact = Gamma::new(2.5, 4000.0).unwrap().cdf(0.5e-3 / 0.999);
    let probability = object["probability_target_met"].as_f64().unwrap();
    // One uncertain dimension: the Latin hypercube is within 1/N of the truth.
    assert!(
        (probability - exact).abs() <= 1.0 / 4000.0,
        "{probability} vs {exact}"
    );
    let interval = &object["probability_target_met_ci95"];
    assert!(interval[0].as_f64().unwrap() <= exact && exact <= interval[1].as_f64().unwrap());
    for key in ["unavailability", "nines", "downtime_minutes_per_year"] {
        for part in ["mean", "p5", "p50", "p95"] {
            assert!(object[key][part].is_f64(), "{key}.{part} in {object}");
        }
    }
    assert_eq!(object["drivers"][0]["parameter"], "component.a.mtbf");
}

#[test]
fn the_same_seed_gives_the_same_numbers_on_any_threads() {
    let (_dir, file) = model_file("u.toml", SINGLE);
    let json = |args: &[&str]| {
        let output = nines()
            .arg("uncertainty")
            .arg(&file)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let one = json(&["--format", "json", "--threads", "1", "--seed", "5"]);
    let two = json(&["--format", "json", "--threads", "2", "--seed", "5"]);
    assert_eq!(one, two);
    assert_ne!(one, json(&["--format", "json", "--seed", "6"]));
}

#[test]
fn check_with_confidence_passes_on_the_lower_end_of_the_odds() {
    // P = Gamma(2.5, 4000).cdf(5.005e-4) ≈ 0.45 (the posterior's mean λ, 6.25e-4, is above the
    // 5.005e-4 the target allows): a 25 % confidence passes, 90 % fails.
    let exact = Gamma::new(2.5, 4000.0).unwrap().cdf(0.5e-3 / 0.999);
    assert!(exact > 0.4 && exact < 0.5, "{exact}");
    let (code, stdout, _) = run(SINGLE, &["check", "--confidence", "90%"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.starts_with("FAIL") && stdout.contains("falls short of the confidence 90%"));
    let (code, stdout, _) = run(SINGLE, &["check", "--confidence", "25%"]);
    assert_eq!(code, Some(0), "{stdout}");
    // Without --confidence, check judges the point figures as before: U = 2/1002 > 1e-3.
    let (code, _, _) = run(SINGLE, &["check"]);
    assert_eq!(code, Some(1));
    let (code, _, stderr) = run(
        SINGLE,
        &["check", "--confidence", "90%", "--method", "simulate"],
    );
    assert_eq!(code, Some(2));
    assert!(stderr.contains("drop --method simulate"), "{stderr}");
    let (code, _, stderr) = run(SINGLE, &["check", "--confidence", "1.5"]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn ranges_are_checked_with_their_location() {
    let bad = SINGLE.replace(
        "[component.a.evidence]\nfailures = 2\nexposure = \"4000h\"\n",
        "[component.a.uncertainty]\nmtbf = [\"8000h\", \"2000h\"]\n",
    );
    let (code, _, stderr) = run(&bad, &["validate"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("from low to high") && stderr.contains("u.toml:8:8"),
        "{stderr}"
    );
    let both = SINGLE.replace(
        "[block.system]",
        "[component.a.uncertainty]\nmtbf = [\"500h\", \"2000h\"]\n[block.system]",
    );
    let (code, _, stderr) = run(&both, &["validate"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("conflicting-keys"), "{stderr}");
}

#[test]
fn the_report_has_an_uncertainty_section_and_chart() {
    let (dir, file) = model_file("u.toml", SINGLE);
    let out = dir.path().join("r");
    nines()
        .arg("report")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let markdown = std::fs::read_to_string(out.join("u.md")).unwrap();
    assert!(
        markdown.contains("## Uncertainty") && markdown.contains("## Evidence"),
        "{markdown}"
    );
    assert!(out.join("u-uncertainty.svg").exists());
}
