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

#[test]
fn the_uniform_prior_adds_one_to_the_gamma_shape() {
    // λ ~ Gamma(2 + 1, 4000 h) under the uniform prior; the same threshold as above.
    let uniform = SINGLE.replace(
        "exposure = \"4000h\"\n",
        "exposure = \"4000h\"\nprior = \"uniform\"\n",
    );
    let (code, stdout, stderr) = run(
        &uniform,
        &["uncertainty", "--format", "json", "--samples", "4000"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let probability = json_lines(stdout.as_bytes())[0]["probability_target_met"]
        .as_f64()
        .unwrap();
    let exact = Gamma::new(3.0, 4000.0).unwrap().cdf(0.5e-3 / 0.999);
    let jeffreys = Gamma::new(2.5, 4000.0).unwrap().cdf(0.5e-3 / 0.999);
    assert!(
        (probability - exact).abs() <= 1.0 / 4000.0 && (exact - jeffreys).abs() > 0.05,
        "{probability} vs {exact} (Jeffreys {jeffreys})"
    );
    let bad = SINGLE.replace(
        "exposure = \"4000h\"\n",
        "exposure = \"4000h\"\nprior = \"flat\"\n",
    );
    let (code, _, stderr) = run(&bad, &["validate"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("jeffreys, uniform") && stderr.contains("u.toml:10:10"),
        "{stderr}"
    );
}

/// The unavailability of `text` with `key` set to `value`, from `nines solve --set`.
fn unavailability_with(text: &str, key: &str, value: f64) -> f64 {
    let (code, stdout, stderr) = run(
        text,
        &[
            "solve",
            "--format",
            "json",
            "--set",
            &format!("{key}={value}"),
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    json_lines(stdout.as_bytes())[0]["unavailability"]
        .as_f64()
        .unwrap()
}

/// P(target met) of `text` with the target at U(key = threshold), 4000 samples.
fn odds_at(text: &str, key: &str, threshold: f64) -> f64 {
    let u = unavailability_with(text, key, threshold);
    let target = format!("{:.15}%", (1.0 - u) * 100.0);
    let (code, stdout, stderr) = run(
        text,
        &[
            "uncertainty",
            "--format",
            "json",
            "--samples",
            "4000",
            "--target",
            &target,
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let object = &json_lines(stdout.as_bytes())[0];
    assert_eq!(object["drivers"][0]["parameter"], key, "{object}");
    object["probability_target_met"].as_f64().unwrap()
}

#[test]
fn a_coverage_range_is_a_beta_and_its_odds_match_the_closed_form() {
    // The range [√0.05, √0.95] is Beta(2, 1) exactly (CDF c²). U falls as the coverage c
    // grows, so U ≤ U(0.6) ⇔ c ≥ 0.6, whose probability is 1 − 0.6² = 0.64.
    let text = "top = \"system\"\n[component.a]\nmtbf = \"1000h\"\nmttr = \"10h\"\n\
        [block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\nfailover = \"0s\"\n\
        coverage = 0.9\nmanual_failover = \"2h\"\n\
        [block.system.uncertainty]\ncoverage = [0.22360679774997896, 0.9746794344808963]\n";
    let probability = odds_at(text, "block.system.coverage", 0.6);
    assert!((probability - 0.64).abs() <= 2.0 / 4000.0, "{probability}");
}

#[test]
fn a_common_cause_range_is_a_beta_and_its_odds_match_the_closed_form() {
    // The range [1 − 0.95^⅓, 1 − 0.05^⅓] is Beta(1, 3) exactly (CDF 1 − (1 − β)³). U grows
    // with β, so U ≤ U(0.2) ⇔ β ≤ 0.2, whose probability is 1 − 0.8³ = 0.488.
    let text = format!(
        "top = \"system\"\n[component.a]\nmtbf = \"1000h\"\nmttr = \"10h\"\n\
        [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\ncommon_cause_beta = 0.1\n\
        [block.system.uncertainty]\ncommon_cause_beta = [{}, {}]\n",
        1.0 - 0.95f64.cbrt(),
        1.0 - 0.05f64.cbrt()
    );
    let probability = odds_at(&text, "block.system.common_cause_beta", 0.2);
    assert!((probability - 0.488).abs() <= 2.0 / 4000.0, "{probability}");
}

#[test]
fn block_ranges_are_checked_with_their_location() {
    let base = "top = \"system\"\n[component.a]\nmtbf = \"1000h\"\nmttr = \"10h\"\n\
        [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\n[block.system.uncertainty]\n";
    for (line, expected) in [
        (
            "coverage = [0.9, 0.99]\n",
            ["only a standby block has", "u.toml:10:1"],
        ),
        (
            "common_cause_beta = [0.01, 0.1]\n",
            ["has no `common_cause_beta`", "u.toml:10:1"],
        ),
    ] {
        let (code, _, stderr) = run(&format!("{base}{line}"), &["validate"]);
        assert_eq!(code, Some(2));
        assert!(expected.iter().all(|e| stderr.contains(e)), "{stderr}");
    }
    let standby = base.replace("kind = \"parallel\"", "kind = \"standby\"");
    let (code, _, stderr) = run(&format!("{standby}coverage = [0.99, 0.9]\n"), &["validate"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("0 < low < high < 1") && stderr.contains("u.toml:10:12"),
        "{stderr}"
    );
}
