//! `nines export --format prism` through the binary: the structure of the PRISM text, comments
//! that a hostile model cannot break out of, the size limit, files and several models.
//! Storm itself checks the numbers in `tests/prism/run.sh`.

use crate::common;
use common::random_models::random_model;
use common::{example_models, model_file, nines, path};

const PAIR: &str = r#"
name = "Pair"
top = "pair"
[component.server]
mtbf = "1000h"
mttr = "10h"
[block.pair]
kind = "parallel"
of = "server"
count = 2
"#;

fn export(file: &std::path::Path) -> (Option<i32>, String, String) {
    let output = nines().arg("export").arg(file).output().unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_pair_becomes_two_unit_modules_with_the_down_label_and_both_rewards() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    let (code, out, stderr) = export(&file);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(out.contains("\nctmc\n"), "{out}");
    for needle in [
        "module m_u0\n",
        "module m_u1\n",
        "  u0 : bool init true;",
        "  [] u0 -> 0.001 : (u0'=false);",
        "  [] !u0 -> 0.1 : (u0'=true);",
        "formula b0 = (u0 | u1);",
        "formula system_up = b0;",
        "label \"down\" = !system_up;",
        "rewards \"outages\"\n",
        "  system_up & crit_u0 : 0.001;",
        "rewards \"down_time\"\n  !system_up : 1;\nendrewards",
        "physical units: 2; modules: 2; states: 4",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert_eq!(out.matches("\nendmodule\n").count(), 2, "{out}");
    // Model names appear in comments only.
    for line in out.lines().filter(|line| line.contains("server")) {
        assert!(line.trim_start().starts_with("//"), "{line}");
    }
}

#[test]
fn crew_and_standby_blocks_become_one_module_with_a_queue_and_a_failover_phase() {
    let (code, out, stderr) = export(&path("tests/fixtures/conformance/coverage95.toml"));
    assert_eq!(code, Some(0), "{stderr}");
    for needle in [
        "module m_g0\n",
        "g0_r0 : [0..1] init 0;",
        "g0_w : [0..1] init 0;",
        "g0_a : [0..1] init 1;",
        "g0_p : [0..2] init 0;",
        "formula g0_up = g0_a>0 & g0_p=0;",
        "states: 5",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn a_hostile_model_name_cannot_break_out_of_its_comment() {
    let text = r#"
name = "x\nmodule evil\r\u2028label \"down\" = true;\u0085rewards \"outages\" true : 1e9; endrewards"
description = "more\n// ctmc\nformula system_up = true;"
[component.a]
mtbf = "100h"
mttr = "1h"
[block.system]
kind = "series"
members = ["a"]
"#;
    let (_dir, file) = model_file("hostile.toml", text);
    let (code, out, stderr) = export(&file);
    assert_eq!(code, Some(0), "{stderr}");
    for line in out.lines() {
        if line.contains("evil") || line.contains("1e9") {
            assert!(
                line.starts_with("// "),
                "model text escaped a comment: {line:?}"
            );
        }
    }
    assert_eq!(out.matches("label \"down\"").count(), 2, "{out}");
    assert_eq!(out.matches("\nlabel \"down\"").count(), 1, "{out}");
    assert_eq!(out.matches("\nrewards \"outages\"").count(), 1, "{out}");
    assert_eq!(out.matches("\nformula system_up").count(), 1, "{out}");
    assert!(
        !out.contains('\r') && !out.contains('\u{2028}') && !out.contains('\u{85}'),
        "{out:?}"
    );
}

#[test]
fn a_model_too_large_to_expand_exits_2_naming_the_file_and_the_alternatives() {
    let text = r#"
[component.a]
mtbf = "100h"
mttr = "1h"
[block.system]
kind = "k-of-n"
k = 20
of = "a"
count = 24
"#;
    let (_dir, file) = model_file("big-pool.toml", text);
    let (code, out, stderr) = export(&file);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(out.is_empty(), "{out}");
    for needle in [
        "big-pool.toml",
        "24 physical units",
        "16,777,216 states",
        "1,000,000",
        "nines solve",
        "nines simulate",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn models_beyond_the_unit_limit_are_refused_before_they_are_expanded() {
    let (code, out, stderr) = export(&path("models/racks-100.toml"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(out.is_empty(), "{out}");
    assert!(stderr.contains("racks-100.toml"), "{stderr}");
    assert!(stderr.contains("1,100 physical units"), "{stderr}");
}

#[test]
fn every_example_model_is_exported_or_refused_for_its_size() {
    for model in example_models() {
        let (code, out, stderr) = export(&model);
        let name = model.display().to_string();
        // Too many physical units for an explicit chain: refused with a clear size message.
        let too_large = [
            "racks-100.toml",
            "database-r3.toml",
            "database-r4.toml",
            "database-r5.toml",
        ];
        // object-store-10-4 (30 units, 2^30 states) too.
        if name.ends_with("object-store-10-4.toml") {
            assert_eq!(code, Some(2), "{name}: {stderr}");
            assert!(stderr.contains("export-limit"), "{name}: {stderr}");
            continue;
        }
        if too_large.iter().any(|file| name.ends_with(file)) {
            assert_eq!(code, Some(2), "{name}: {stderr}");
            assert!(stderr.contains("physical units"), "{name}: {stderr}");
            continue;
        }
        assert_eq!(code, Some(0), "{name}: {stderr}");
        // Models with joint blocks (a standby of regions, zones shared with a failover
        // database) state a bound.
        let states: u64 = out
            .lines()
            .find_map(|line| line.split("states: ").nth(1))
            .expect("state count in the header")
            .trim_start_matches("at most ")
            .parse()
            .unwrap();
        assert!((1..=1_000_000).contains(&states), "{name}: {states}");
        assert!(out.contains("label \"down\" = !system_up;"), "{name}");
    }
}

#[test]
fn output_goes_to_a_file_with_o_and_several_models_are_separated() {
    let (dir, pair) = model_file("pair.toml", PAIR);
    let target = dir.path().join("out/models.prism");
    let output = nines()
        .arg("export")
        .arg(&pair)
        .arg(path("tests/fixtures/conformance/ccf_2of3.toml"))
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written.matches("\nctmc\n").count(), 2, "{written}");
    assert_eq!(written.matches("\n// ---- next model ----\n").count(), 1);
    assert!(written.contains("`Pair`") && written.contains("`2-of-3 with common cause`"));
    // Nothing but the file is left in its directory.
    assert_eq!(
        std::fs::read_dir(target.parent().unwrap()).unwrap().count(),
        1
    );
}

#[test]
fn set_overrides_change_the_exported_rates() {
    let (_dir, file) = model_file("pair.toml", PAIR);
    let output = nines()
        .args([
            "export",
            "--format",
            "prism",
            "--set",
            "component.server.mtbf=500h",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(out.contains("[] u0 -> 0.002 : (u0'=false);"), "{out}");
}

#[test]
fn invalid_models_and_unwritable_files_exit_2() {
    let (_dir, bad) = model_file("bad.toml", "[component.a]\nmtbf = 4\n");
    let output = nines().arg("export").arg(&bad).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());

    let (dir, pair) = model_file("pair.toml", PAIR);
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let output = nines()
        .arg("export")
        .arg(&pair)
        .arg("-o")
        .arg(blocker.join("out.prism"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("out.prism") || stderr.contains("file"),
        "{stderr}"
    );
}

/// Writes the random models of `tests/suite/common/random_models.rs` (every block kind, FIFO crews
/// over different unit types, standby with failover and coverage, common cause, shared
/// blocks) into the folder named by `NINES_RANDOM_MODELS`, for `tests/prism/run.sh`:
///
/// ```text
/// NINES_RANDOM_MODELS=target/prism-random cargo test --test suite export:: -- --ignored
/// tests/prism/run.sh target/debug/nines target/prism-random/*.toml
/// ```
#[test]
#[ignore = "writes model files for the Storm cross-check (tests/prism/run.sh)"]
fn write_random_models_for_storm() {
    let Some(folder) = std::env::var_os("NINES_RANDOM_MODELS") else {
        panic!("set NINES_RANDOM_MODELS to the folder to write the models into");
    };
    let folder = std::path::PathBuf::from(folder);
    std::fs::create_dir_all(&folder).unwrap();
    for seed in 0..300u64 {
        let file = folder.join(format!("random-{seed:03}.toml"));
        std::fs::write(file, random_model(seed)).unwrap();
    }
}

#[test]
fn a_standby_of_regions_becomes_unit_modules_joined_by_a_standby_module() {
    let (code, out, stderr) = export(&path("models/active-passive-regions.toml"));
    assert_eq!(code, Some(0), "{stderr}");
    for needle in [
        "module m_s0\n",
        "  s0_a : [0..2] init 1; // active member: 0 none, K member K",
        "  s0_p : [0..2] init 0; // failover: 0 none, 1 automatic, 2 manual",
        "formula s0_up = s0_a>0;",
        "formula s0_m1 = ",
        "formula s0_m2 = ",
        // The region network of the first region fails: covered (95 %) or not.
        // (hot: the same rate whichever region is active).
        "[f1_c] u1 -> ",
        "[f1_m] u1 -> ",
        "[r1] !u1 -> ",
        "// physical units: 13; modules: 14; states: at most ",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn a_standby_member_that_never_fails_after_the_first_is_refused_with_exit_2() {
    let text = r#"
[component.net]
mtbf = "5000h"
mttr = "3h"
[component.solid]
failure_rate = 0
mttr = "1h"
[block.region]
kind = "series"
members = ["net", "net"]
[block.vault]
kind = "series"
members = ["solid"]
[block.system]
kind = "standby"
members = ["region", "vault"]
mode = "hot"
failover = "1m"
"#;
    let (_dir, file) = model_file("vault.toml", text);
    let (code, out, stderr) = export(&file);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(out.is_empty(), "{out}");
    assert!(stderr.contains("export-limit"), "{stderr}");
    assert!(stderr.contains("block `system`"), "{stderr}");
    assert!(stderr.contains("never goes down"), "{stderr}");
    assert!(stderr.contains("vault.toml"), "{stderr}");
}
