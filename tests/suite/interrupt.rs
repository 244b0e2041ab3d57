//! Nothing lost: Ctrl-C and SIGTERM stop cleanly, files are replaced whole or not at all, and
//! a write that cannot happen (no such directory, a full disk) says so and leaves the old
//! file in place.
#![cfg(unix)]

use crate::common;

use common::{nines, path};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("nines")
}

/// Starts `nines ARGS`, sends `signal` after `delay`, and returns (exit code, stdout, stderr).
fn interrupted(args: &[&str], signal: &str, delay: Duration) -> (Option<i32>, String, String) {
    let child = Command::new(binary())
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?} to stop",
        started.elapsed()
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    )
}

fn temporary_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect()
}

#[test]
fn ctrl_c_during_a_simulation_prints_the_runs_completed_marked_partial() {
    let racks = path("tests/fixtures/racks-100.toml");
    let (code, stdout, stderr) = interrupted(
        &[
            "simulate",
            racks.to_str().unwrap(),
            "--runs",
            "100000000",
            "--sampling",
            "crude",
            "--seed",
            "1",
            "--format",
            "json",
        ],
        "-INT",
        Duration::from_millis(1500),
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let object: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(object["partial"], true, "{stdout}");
    assert_eq!(object["stopped"], "interrupted");
    let runs = object["runs"].as_u64().unwrap();
    assert!(runs > 0 && runs < 100_000_000, "{runs}");
}

#[test]
fn sigterm_during_a_simulated_check_judges_nothing() {
    let racks = path("tests/fixtures/racks-100.toml");
    let (code, stdout, stderr) = interrupted(
        &[
            "check",
            racks.to_str().unwrap(),
            "--method",
            "simulate",
            "--target",
            "99%",
            "--runs",
            "100000000",
            "--seed",
            "1",
        ],
        "-TERM",
        Duration::from_millis(1500),
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(!stdout.contains("PASS"), "{stdout}");
    assert!(stderr.contains("not judged on partial results"), "{stderr}");
}

#[test]
fn an_interrupted_report_leaves_the_previous_files_whole() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("three-tier.md");
    std::fs::write(&old, "the previous report\n").unwrap();
    let model = path("models/three-tier.toml");
    let (code, _, stderr) = interrupted(
        &[
            "report",
            model.to_str().unwrap(),
            "-o",
            dir.path().to_str().unwrap(),
            "--runs",
            "1000000000",
            "--seed",
            "1",
        ],
        "-TERM",
        Duration::from_millis(1500),
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&old).unwrap(),
        "the previous report\n"
    );
    assert!(temporary_files(dir.path()).is_empty());
}

#[test]
fn a_second_signal_stops_at_once() {
    let racks = path("tests/fixtures/racks-100.toml");
    let child = Command::new(binary())
        .args(["simulate", racks.to_str().unwrap(), "--runs", "100000000"])
        .args(["--seed", "1", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let pid = child.id().to_string();
    for _ in 0..2 {
        Command::new("kill").args(["-INT", &pid]).status().unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
}

#[test]
fn an_unwritable_destination_says_so_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where a directory should be: nothing can be created below it.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, "x").unwrap();
    let output = nines()
        .arg("report")
        .arg(path("models/three-tier.toml"))
        .arg("-o")
        .arg(blocker.join("reports"))
        .args(["--no-simulation"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not-a-directory"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
    let chart = nines()
        .args(["sweep", "--vary", "block.web.count=4..6", "--plot"])
        .arg(blocker.join("chart.svg"))
        .arg(path("models/three-tier.toml"))
        .output()
        .unwrap();
    assert_eq!(chart.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&chart.stderr).contains("chart.svg"));
}

/// A full disk: a 64 KiB tmpfs (needs root and mount rights; skipped, saying so, without).
#[test]
fn a_full_disk_leaves_the_previous_file_and_no_temporary_one() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(dir.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root and mount rights)");
        return;
    }
    let old = dir.path().join("three-tier.html");
    std::fs::write(&old, "previous page").unwrap();
    let output = nines()
        .arg("report")
        .arg(path("models/three-tier.toml"))
        .arg("-o")
        .arg(dir.path())
        .args(["--no-simulation"])
        .output()
        .unwrap();
    let leftovers = temporary_files(dir.path());
    let previous = std::fs::read_to_string(&old).unwrap();
    let _ = Command::new("umount").arg(dir.path()).status();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains("unchanged"), "{stderr}");
    assert_eq!(previous, "previous page");
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
