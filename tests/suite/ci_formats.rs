//! `nines check --format junit|github`, and several model files of which some are broken:
//! every model is reported, the exit code is the worst outcome.

use crate::common;

use common::{model_file, nines, path};

const PASSING: &str = r#"
name = "pair"
[target]
availability = "99.9%"
[component.a]
mtbf = "1000h"
mttr = "10h"
[block.system]
kind = "parallel"
of = "a"
count = 2
"#;

// One unit: U = 10/1010 ≈ 0.0099 > 1e-3, so the 99.9 % target is missed.
const FAILING: &str = r#"
name = "single"
[target]
availability = "99.9%"
[component.a]
mtbf = "1000h"
mttr = "10h"
[block.system]
kind = "series"
members = ["a"]
"#;

// `kind = "paralel"` on line 8 is a typo.
const BROKEN: &str = r#"
name = "broken"
[target]
availability = "99.9%"
[component.a]
mtbf = "1000h"
mttr = "10h"
[block.system]
kind = "paralel"
of = "a"
count = 2
"#;

fn three_models() -> (Vec<tempfile::TempDir>, Vec<std::path::PathBuf>) {
    let mut guards = Vec::new();
    let mut files = Vec::new();
    for (name, text) in [
        ("pass.toml", PASSING),
        ("broken.toml", BROKEN),
        ("fail.toml", FAILING),
    ] {
        let (guard, file) = model_file(name, text);
        guards.push(guard);
        files.push(file);
    }
    (guards, files)
}

#[test]
fn junit_has_one_case_per_model_and_the_worst_exit_code() {
    let (_guards, files) = three_models();
    let output = nines()
        .args(["check", "--format", "junit"])
        .args(&files)
        .output()
        .unwrap();
    // A broken model (2) outranks a missed target (1).
    assert_eq!(output.status.code(), Some(2));
    let xml = String::from_utf8(output.stdout).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let suite = document
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("3"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("1"));
    let cases: Vec<roxmltree::Node> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    // In file order: pass, broken (error, at the typo's line), fail (failure, at [target]).
    assert!(cases[0].children().all(|c| !c.has_tag_name("failure")));
    assert_eq!(
        cases[0].attribute("name"),
        Some("pair: availability ≥ 99.9%")
    );
    let error = cases[1]
        .children()
        .find(|c| c.has_tag_name("error"))
        .unwrap();
    assert!(error.attribute("message").unwrap().contains("paralel"));
    assert_eq!(cases[1].attribute("line"), Some("9"));
    let failure = cases[2]
        .children()
        .find(|c| c.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("misses target 99.9%")
    );
    // `availability = "99.9%"` is line 4 of the file (the text starts with a newline).
    assert_eq!(cases[2].attribute("line"), Some("4"));
    // The broken model's diagnostic still reaches stderr with file, line and column.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.toml:9:"), "{stderr}");
}

#[test]
fn github_annotations_point_at_the_target_line() {
    let (_guards, files) = three_models();
    let output = nines()
        .args(["check", "--format", "github"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("::notice file="), "{stdout}");
    assert!(lines[1].starts_with("::error file="), "{stdout}");
    assert!(lines[1].contains(",line=9,col="), "{stdout}");
    assert!(lines[2].starts_with("::error file="), "{stdout}");
    assert!(lines[2].contains(",line=4,col="), "{stdout}");
    // `%` in the message is escaped as %25 by the workflow-command rules.
    assert!(lines[2].contains("target 99.9%25"), "{stdout}");
}

#[test]
fn model_names_cannot_forge_annotations_or_xml() {
    let hostile = PASSING.replace(
        "name = \"pair\"",
        "name = \"x</testcase><script>alert(1)</script>\\n::error file=evil::forged, 100%\"",
    );
    let (_guard, file) = model_file("hostile.toml", &hostile);
    let github = nines()
        .args(["check", "--format", "github"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(github.status.code(), Some(0));
    let stdout = String::from_utf8(github.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.contains("%0A%3A%3Aerror file=evil%3A%3Aforged%2C 100%25"),
        "{stdout}"
    );
    let junit = nines()
        .args(["check", "--format", "junit"])
        .arg(&file)
        .output()
        .unwrap();
    let xml = String::from_utf8(junit.stdout).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    assert!(document.descendants().all(|n| !n.has_tag_name("script")));
    let case = document
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert!(
        case.attribute("name")
            .unwrap()
            .starts_with("x</testcase><script>")
    );
}

#[test]
fn every_model_is_reported_when_one_is_unreadable() {
    let output = nines()
        .arg("check")
        .arg(path("models/three-tier.toml"))
        .arg("no/such/model.toml")
        .arg(path("models/etcd-3-nodes.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Both readable models get their line (etcd-3 misses its own 99.999 % target).
    assert!(
        stdout.lines().any(|l| l.starts_with("PASS  Three-tier")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL  etcd, 3 members")),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no/such/model.toml"), "{stderr}");
}

#[test]
fn simulated_checks_report_in_junit_too() {
    let output = nines()
        .args(["check", "--format", "junit", "--method", "simulate"])
        .args(["--runs", "300", "--seed", "1", "-q"])
        .arg(path("models/web-pool-sla.toml"))
        .output()
        .unwrap();
    let xml = String::from_utf8(output.stdout).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let case = document
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    // The model sets max_breach_probability, so the case names both goals.
    assert!(
        case.attribute("name")
            .unwrap()
            .contains("P(window breach) ≤ 1%"),
        "{xml}"
    );
    let failed = case.children().any(|c| c.has_tag_name("failure"));
    assert_eq!(failed, output.status.code() == Some(1), "{xml}");
}
