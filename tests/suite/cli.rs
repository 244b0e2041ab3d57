//! The real binary on real files: every subcommand, output format, exit code and error message.

use crate::common;
use common::{example_models, json_lines, model_file, nines, path, rejects};
use predicates::prelude::*;

const PAIR: &str = r#"
name = "Pair"
[target]
availability = "99.99%"
[component.node]
mtbf = "1000h"
mttr = "2h"
[block.system]
kind = "parallel"
of = "node"
count = 2
"#;

#[test]
fn solve_prints_a_table_with_system_and_blocks() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    nines()
        .arg("solve")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("Pair"))
        .stdout(predicate::str::contains("availability"))
        .stdout(predicate::str::contains("parallel ×2"))
        .stdout(predicate::str::contains("target"));
}

#[test]
fn solve_json_is_one_object_per_model_with_the_contract_fields() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    let conformance = path("tests/fixtures/conformance/ccf_2of3.toml");
    let output = nines()
        .args(["solve", "--format", "json"])
        .arg(&file)
        .arg(&conformance)
        .output()
        .unwrap();
    assert!(output.status.success());
    let objects = json_lines(&output.stdout);
    assert_eq!(objects.len(), 2);
    for key in [
        "model",
        "file",
        "method",
        "availability",
        "unavailability",
        "nines",
        "downtime_minutes_per_year",
        "failures_per_year",
        "mtbf_hours",
        "mttr_hours",
        "blocks",
    ] {
        assert!(objects[0].get(key).is_some(), "missing {key}");
    }
    assert_eq!(objects[0]["method"], "analytic");
    assert_eq!(objects[0]["model"], "Pair");
    // Pair of units with U₁ = 2/1002: U = U₁², f = 2·f₁·U₁ with f₁ = λμ/(λ+μ).
    let u1 = 2.0 / 1002.0;
    let f1 = (1.0 / 1000.0) * 0.5 / (1.0 / 1000.0 + 0.5);
    let u = objects[0]["unavailability"].as_f64().unwrap();
    assert!((u - u1 * u1).abs() / (u1 * u1) < 1e-12);
    let per_year = objects[0]["failures_per_year"].as_f64().unwrap();
    assert!((per_year - 2.0 * f1 * u1 * 8766.0).abs() / per_year < 1e-12);
    let nines_value = objects[0]["nines"].as_f64().unwrap();
    assert!((nines_value + u.log10()).abs() < 1e-12);
    let mttr = objects[0]["mttr_hours"].as_f64().unwrap();
    assert!(
        (mttr - 1.0).abs() < 1e-9,
        "two 2 h repairs racing end after 1 h on average: {mttr}"
    );
    assert!(objects[0]["blocks"]["system"]["unavailability"].is_number());
    assert_eq!(objects[1]["blocks"]["system"]["kind"], "2-of-3, CCF");
}

#[test]
fn a_unit_that_never_fails_has_infinite_nines_reported_as_null() {
    let (_dir, file) = model_file(
        "never.toml",
        "[component.a]\nfailure_rate = 0\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n",
    );
    let output = nines()
        .args(["solve", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let object = &json_lines(&output.stdout)[0];
    assert_eq!(object["unavailability"], 0.0);
    assert!(object["nines"].is_null());
    assert!(object["mtbf_hours"].is_null());
    nines()
        .arg("solve")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("∞"));
}

#[test]
fn solve_csv_has_a_header_and_a_row_per_system_and_block() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    let output = nines()
        .args(["solve", "--format", "csv"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("model,file,scope,name,kind,availability,unavailability"));
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains(",system,system,"));
}

#[test]
fn solve_markdown_has_a_heading_and_tables() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    nines()
        .args(["solve", "--format", "markdown"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("## Pair"))
        .stdout(predicate::str::contains("| block | structure |"));
}

#[test]
fn set_overrides_change_the_answer() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    let output = nines()
        .args([
            "solve",
            "--format",
            "json",
            "--set",
            "component.node.mttr=4h",
            "--set",
            "block.system.count=3",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Three units with MTTR 4 h: U = (4/1004)³.
    let u = json_lines(&output.stdout)[0]["unavailability"]
        .as_f64()
        .unwrap();
    let expected = (4.0f64 / 1004.0).powi(3);
    assert!(
        (u - expected).abs() / expected < 1e-12,
        "{u:e} vs {expected:e}"
    );
}

#[test]
fn set_replaces_alternative_keys() {
    // The model gives mtbf; overriding failure_rate replaces it instead of conflicting.
    let (_dir, file) = model_file("pair.toml", PAIR);
    nines()
        .args(["solve", "--set", "component.node.failure_rate=0.01"])
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn set_can_change_the_kind_of_target() {
    // The model states `availability`; `target.nines` replaces it.
    let (_dir, file) = model_file("pair.toml", PAIR);
    nines()
        .args(["check", "--set", "target.nines=7"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("7 nines"));
}

#[test]
fn bad_overrides_are_reported_with_their_text() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    nines()
        .args(["solve", "--set", "component.nod.mttr=4h"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `node`"))
        .stderr(predicate::str::contains("--set:1:"));
    nines()
        .args(["solve", "--set", "component.node.mttr"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PATH=VALUE"));
    nines()
        .args(["solve", "--set", "component.node.mttr=fast"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a duration"));
}

#[test]
fn check_passes_with_exit_0_and_fails_with_exit_1() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    nines()
        .arg("check")
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("PASS"));
    nines()
        .args(["check", "--target", "99.9999%"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("FAIL"))
        .stdout(predicate::str::contains("misses target 99.9999%"));
}

#[test]
fn check_reports_every_model_and_exits_with_the_worst_outcome() {
    let (_dir, good) = model_file("pair.toml", PAIR);
    let (_dir2, strict) = model_file("strict.toml", &PAIR.replace("99.99%", "99.99999%"));
    let output = nines()
        .arg("check")
        .arg(&good)
        .arg(&strict)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 2);
    let (_dir3, broken) = model_file("broken.toml", "[block.system\n");
    nines()
        .arg("check")
        .arg(&good)
        .arg(&broken)
        .arg(&strict)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("PASS").and(predicate::str::contains("FAIL")));
}

#[test]
fn check_without_any_target_is_an_error_not_a_pass() {
    let (_dir, file) = model_file(
        "pair.toml",
        &PAIR.replace("[target]\navailability = \"99.99%\"\n", ""),
    );
    nines()
        .arg("check")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no [target]"));
}

#[test]
fn check_json_carries_the_verdict() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    let output = nines()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let object = &json_lines(&output.stdout)[0];
    assert_eq!(object["target"]["met"], true);
    assert_eq!(object["target"]["unavailability"].as_f64().unwrap(), 1e-4);
}

#[test]
fn targets_accept_every_documented_form() {
    for target in [
        "availability = 0.9999",
        "nines = 4",
        "max_downtime_per_year = \"52m 35.76s\"",
    ] {
        let text = PAIR.replace("availability = \"99.99%\"", target);
        let (_dir, file) = model_file("pair.toml", &text);
        nines().arg("check").arg(&file).assert().code(0);
    }
}

#[test]
fn validate_accepts_good_models_and_reports_all_problems() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    nines()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok"));
}

const BLOCK: &str = "[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n";

#[test]
fn toml_syntax_errors_name_file_line_and_column() {
    rejects(
        "[component.a]\nmtbf = \"10h\nmttr = \"1h\"\n",
        &["bad.toml:2:", "invalid TOML"],
    );
}

#[test]
fn unknown_keys_suggest_the_right_one() {
    rejects(
        &format!("[component.a]\nmtbff = \"10h\"\nmttr = \"1h\"\n{BLOCK}"),
        &["unknown key `mtbff`", "did you mean `mtbf`", "bad.toml:2:1"],
    );
    rejects(
        "colour = 1\n[component.a]\nmtbf = \"1h\"\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n",
        &["unknown key `colour`"],
    );
    rejects(
        "[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n[block.system]\nkind = \"seris\"\nmembers = [\"a\"]\n",
        &["did you mean `series`"],
    );
}

#[test]
fn missing_and_dangling_references_are_reported() {
    rejects(
        "[component.web]\nmtbf = \"10h\"\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"web\", \"wbe\"]\n",
        &[
            "`wbe` is not defined",
            "did you mean `web`",
            "bad.toml:6:20",
        ],
    );
    rejects(
        "[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n[block.main]\nkind = \"series\"\nmembers = [\"a\"]\n",
        &["no top block", "main"],
    );
    rejects(
        &format!("top = \"sytem\"\n[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n{BLOCK}"),
        &["top = \"sytem\" is not a block", "did you mean `system`"],
    );
    rejects("[component.a]\nmttr = \"1h\"\n", &["needs mtbf"]);
    rejects("# only a comment\n", &["defines no blocks"]);
    rejects(
        &format!("[component.a]\navailability = 1e-320\nmttr = \"1h\"\n{BLOCK}"),
        &["failure rate it implies overflows", "bad.toml:2:16"],
    );
}

#[test]
fn cycles_are_reported_with_their_path() {
    rejects(
        "[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"x\"]\n[block.x]\nkind = \"parallel\"\nmembers = [\"a\", \"y\"]\n[block.y]\nkind = \"series\"\nmembers = [\"x\"]\n",
        &["cycle", "x → y → x"],
    );
}

#[test]
fn out_of_range_values_are_rejected() {
    let component = "[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n";
    rejects(
        &format!("{component}[block.system]\nkind = \"k-of-n\"\nk = 4\nof = \"a\"\ncount = 3\n"),
        &["k = 4 is more than"],
    );
    rejects(
        &format!("{component}[block.system]\nkind = \"k-of-n\"\nk = 0\nof = \"a\"\ncount = 3\n"),
        &["`k` = 0 is too small"],
    );
    rejects(
        &format!("{component}[block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 0\n"),
        &["`count` = 0 is too small"],
    );
    rejects(
        &format!("{component}[block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = -2\n"),
        &["`count` = -2"],
    );
    rejects(
        &format!("[component.a]\nmtbf = \"-10h\"\nmttr = \"1h\"\n{BLOCK}"),
        &["negative"],
    );
    rejects(
        &format!("[component.a]\nmtbf = \"0h\"\nmttr = \"1h\"\n{BLOCK}"),
        &["longer than zero"],
    );
    rejects(
        &format!("[component.a]\nfailure_rate = nan\nmttr = \"1h\"\n{BLOCK}"),
        &["finite"],
    );
    rejects(
        &format!("[component.a]\nfailure_rate = -1.0\nmttr = \"1h\"\n{BLOCK}"),
        &["`failure_rate` must be ≥ 0"],
    );
    rejects(
        &format!("[component.a]\nmtbf = \"10h\"\nrepair_rate = 0\n{BLOCK}"),
        &["`repair_rate` must be greater than 0"],
    );
    rejects(
        &format!("[component.a]\nmtbf = 1000\nmttr = \"1h\"\n{BLOCK}"),
        &["write it with a unit", "\"1000h\""],
    );
    rejects(
        &format!("[component.a]\nmtbf = nan\nmttr = \"1h\"\n{BLOCK}"),
        &["write it like \"4h\""],
    );
    rejects(
        &format!("[component.a]\nmtbf = \"1h\"\nmttr = \"1h\"\n{BLOCK}[target]\nnines = 1e308\n"),
        &["`target.nines` = 1e308 is more than 300", "bad.toml:8:9"],
    );
    rejects(
        &format!("[component.a]\nmtbf = \"1h\"\nmttr = \"1h\"\n{BLOCK}[target]\nnines = 301\n"),
        &["`target.nines` = 301 is more than 300: at most 300"],
    );
    rejects(
        &format!(
            "{component}[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\ncoverage = 1.5\nmanual_failover = \"1h\"\n"
        ),
        &["`coverage`", "outside 0..1"],
    );
    rejects(
        &format!(
            "{component}[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\ncoverage = 0.9\n"
        ),
        &["no `manual_failover`"],
    );
    rejects(
        &format!(
            "{component}[block.system]\nkind = \"standby\"\nmode = \"warm\"\nof = \"a\"\ncount = 2\n"
        ),
        &["no `dormant_factor`"],
    );
    rejects(
        &format!(
            "{component}[block.system]\nkind = \"k-of-n\"\nk = 2\nof = \"a\"\ncount = 3\ncommon_cause_beta = 1.2\n"
        ),
        &["common_cause_beta"],
    );
    rejects(
        &format!(
            "{component}[block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\nfailover = \"1m\"\n"
        ),
        &["only applies to kind = \"standby\""],
    );
}

#[test]
fn crews_over_blocks_and_shared_members_in_crews_are_accepted_and_common_cause_still_needs_copies()
{
    // Crews over blocks repair the non-shared units below them, and a shared member is
    // repaired by itself (docs/model-format.md §8.3); common cause still needs copies of one
    // non-shared component.
    let components = "[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n[component.s]\nmtbf = \"10h\"\nmttr = \"1h\"\nshared = true\n";
    for text in [
        format!(
            "{components}[block.inner]\nkind = \"series\"\nmembers = [\"a\"]\n[block.system]\nkind = \"parallel\"\nof = \"inner\"\ncount = 2\nrepair_crews = 1\n"
        ),
        format!(
            "{components}[block.system]\nkind = \"parallel\"\nmembers = [\"a\", \"s\"]\nrepair_crews = 1\n"
        ),
    ] {
        let (_dir, file) = model_file("ok.toml", &text);
        let output = nines().arg("solve").arg(&file).output().unwrap();
        assert!(
            output.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    rejects(
        &format!(
            "{components}[block.system]\nkind = \"k-of-n\"\nk = 1\nmembers = [\"a\", \"s\"]\ncommon_cause_beta = 0.1\n"
        ),
        &["copies of one component"],
    );
}

#[test]
fn too_large_models_get_a_clear_error() {
    let component = "[component.a]\nmtbf = \"10h\"\nmttr = \"1h\"\n";
    rejects(
        &format!(
            "{component}[block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 1000000000\n"
        ),
        &["more than nines solves"],
    );
    // A 1,499-of-1,500 over two alternating kinds of member.
    let mixed: Vec<&str> = ["\"a\"", "\"b\""]
        .iter()
        .copied()
        .cycle()
        .take(1500)
        .collect();
    rejects(
        &format!(
            "{component}[component.b]\nmtbf = \"20h\"\nmttr = \"1h\"\n[block.system]\nkind = \"k-of-n\"\nk = 1499\nmembers = [{}]\n",
            mixed.join(", ")
        ),
        &["mixed k-of-n blocks of at most 1000 members"],
    );
    // 2,000 levels of nesting: refused before any recursion could exhaust the stack.
    let mut deep = String::from(component);
    deep.push_str("[block.system]\nkind = \"series\"\nmembers = [\"b0\"]\n");
    for level in 0..2000 {
        let next = if level < 1999 {
            format!("b{}", level + 1)
        } else {
            "a".into()
        };
        deep.push_str(&format!(
            "[block.b{level}]\nkind = \"parallel\"\nmembers = [\"{next}\", \"a\"]\n"
        ));
    }
    rejects(&deep, &["nested 2001 levels deep", "at most 1000"]);
    // A standby block of 5000 units with one crew needs a chain beyond the exact solver.
    let (_dir, file) = model_file(
        "big.toml",
        &format!(
            "{component}[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 5000\nrepair_crews = 1\n"
        ),
    );
    nines()
        .arg("solve")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Markov chain of more than"))
        .stderr(predicate::str::contains("big.toml"));
}

#[test]
fn every_problem_in_a_file_is_reported_at_once() {
    let (_dir, file) = model_file(
        "bad.toml",
        "[component.a]\nmtbff = \"10h\"\nmttr = \"2x\"\n[block.system]\nkind = \"series\"\nmembers = [\"b\"]\n",
    );
    let output = nines().arg("validate").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("mtbff") && stderr.contains("2x") && stderr.contains("`b` is not defined"),
        "{stderr}"
    );
}

#[test]
fn unreadable_files_are_input_errors() {
    nines()
        .args(["solve", "no-such-model.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "could not read model 'no-such-model.toml'",
        ));
}

#[test]
fn one_bad_file_does_not_hide_the_others() {
    let (_dir, good) = model_file("pair.toml", PAIR);
    let output = nines()
        .args(["solve", "--format", "json", "missing.toml"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json_lines(&output.stdout).len(), 1);
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for subcommand in ["solve", "check", "validate"] {
        nines()
            .args([subcommand, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"))
            .stdout(predicate::str::contains("Exit codes:"));
    }
    nines()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
    nines().arg("frobnicate").assert().code(2);
}

#[test]
fn every_example_model_solves_and_checks() {
    let models = example_models();
    assert!(models.len() >= 8, "need at least 8 example models");
    let output = nines()
        .args(["solve", "--format", "json"])
        .args(&models)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let objects = json_lines(&output.stdout);
    assert_eq!(objects.len(), models.len());
    for object in &objects {
        let u = object["unavailability"].as_f64().unwrap();
        assert!(u > 0.0 && u < 0.01, "{}: U = {u}", object["model"]);
        assert!(
            object["target"].is_object(),
            "{} has a target",
            object["model"]
        );
    }
    let check = nines().arg("check").args(&models).output().unwrap();
    assert!(
        matches!(check.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    nines().arg("validate").args(&models).assert().success();
}

#[test]
fn check_keeps_its_exit_code_when_stdout_is_closed() {
    // `nines check … | head -0`: whether the write meets a closed pipe or lands in its buffer,
    // a missed target must still exit 1, never 0.
    let (_dir, file) = model_file("strict.toml", &PAIR.replace("99.99%", "99.99999%"));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("nines"))
        .arg("check")
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}
