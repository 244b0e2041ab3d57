//! The simulator's limits: absurd options are refused with the limit, runs near the top of the
//! run indices finish, long runs keep bounded memory and stop when asked, and hand-edited
//! shard files are refused naming the field.

use crate::common;

use common::{nines, path};
use nines::model::load::load_model;
use nines::simulate::engine::{Engine, OUTAGE_LENGTHS_KEPT, RunTimeline};
use nines::simulate::{self, Quiet, Settings, Shard, Stop, StopReason, plan};
use std::time::Duration;

/// One unit, MTBF 1 h, MTTR 1 h, alone in a series block: an outage every 2 hours.
const FLAPPING: &str = r#"
[component.a]
mtbf = "1h"
mttr = "1h"
[block.system]
kind = "series"
members = ["a"]
"#;

/// [`FLAPPING`], loaded.
fn flapping() -> nines::model::Model {
    load_model("flapping.toml", FLAPPING, &[])
        .ok()
        .unwrap()
        .model
}

fn redis() -> String {
    path("models/redis-sentinel.toml").display().to_string()
}

/// `nines simulate redis-sentinel ARGS`: (exit code, stdout, stderr).
fn simulate_redis(args: &[&str]) -> (Option<i32>, String, String) {
    let output = nines()
        .args(["simulate", &redis(), "-q"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts exit 2, nothing on stdout, and exactly `message` on stderr.
fn refused(args: &[&str], message: &str) {
    let (code, stdout, stderr) = simulate_redis(args);
    assert_eq!(code, Some(2), "{args:?}: {stderr}");
    assert_eq!(stdout, "", "{args:?} printed a result");
    assert_eq!(stderr, format!("{message}\n"), "{args:?}");
}

#[test]
fn more_than_1024_threads_are_refused_with_the_limit() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in ["1025", "100000", "18446744073709551615"] {
        refused(
            &["--runs", "100", "--seed", "1", "--threads", threads],
            &format!(
                "error: --threads: at most 1024, got {threads} (this machine has {cores} cores)"
            ),
        );
    }
}

#[test]
fn no_more_threads_start_than_there_are_runs_and_the_results_stay_the_same() {
    let run = |threads: &str| {
        let (code, stdout, stderr) = simulate_redis(&[
            "--runs",
            "3",
            "--seed",
            "5",
            "--threads",
            threads,
            "--format",
            "json",
        ]);
        assert_eq!(code, Some(0), "{stderr}");
        let mut object: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        let used = object["threads"].as_u64().unwrap();
        for key in ["elapsed_seconds", "threads", "events_per_second"] {
            object.as_object_mut().unwrap().remove(key);
        }
        (used, object)
    };
    let (used, many) = run("1024");
    assert_eq!(used, 3, "3 runs on 1024 threads");
    let (used, one) = run("1");
    assert_eq!(used, 1);
    assert_eq!(many, one, "--threads 1024 and --threads 1 differ");
}

#[test]
fn fewer_than_two_runs_are_refused() {
    for runs in ["0", "1"] {
        refused(
            &["--runs", runs, "--seed", "1"],
            &format!(
                "error: --runs: must be at least 2, got {runs}: confidence intervals measure the spread between runs (with --shard, every shard needs at least 1 run too)"
            ),
        );
    }
    refused(
        &["--precision", "5%", "--max-runs", "1", "--seed", "1"],
        "error: --max-runs: must be at least 2, got 1: confidence intervals measure the spread between runs (with --shard, every shard needs at least 1 run too)",
    );
}

#[test]
fn more_than_1e15_runs_are_refused() {
    refused(
        &["--runs", "1000000000000001", "--seed", "1"],
        "error: --runs: at most 1e15 (more than any machine finishes), got 1000000000000001; split the work with --shard or ask for --precision",
    );
}

#[test]
fn a_split_into_more_shards_than_runs_is_refused_and_nothing_saved() {
    let folder = tempfile::tempdir().unwrap();
    let save = folder.path().join("part.json");
    let save_text = save.display().to_string();
    refused(
        &[
            "--runs", "10", "--seed", "1", "--shard", "1/20", "--save", &save_text,
        ],
        "error: --shard: 20 shards of 10 runs would leave shards with no runs; use at most 10 shards or more --runs",
    );
    refused(
        &[
            "--runs",
            "10",
            "--seed",
            "1",
            "--shard",
            "1/18446744073709551615",
            "--save",
            &save_text,
        ],
        "error: --shard: at most 1048576 shards, got 18446744073709551615; use fewer, larger shards",
    );
    assert!(!save.exists(), "a refused shard was saved");
    // As many shards as runs is fine: one run each.
    let (code, _, stderr) = simulate_redis(&[
        "--runs", "10", "--seed", "1", "--shard", "10/10", "--save", &save_text,
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&save).unwrap()).unwrap();
    assert_eq!(saved["tally"]["runs"], 1);
}

/// The last shard of u64::MAX − 1 runs holds one run, index u64::MAX − 2: the checkpoint
/// arithmetic once overflowed there and looped for ever without simulating anything.
#[test]
fn a_shard_at_the_top_of_the_run_indices_finishes() {
    let model = flapping();
    let runs = u64::MAX - 1;
    let settings = Settings {
        horizon_hours: 10.0,
        warmup_hours: 0.0,
        window_hours: 720.0,
        breach_hours: None,
        seed: 1,
        stop: Stop::Runs(runs),
        threads: 4,
        shard: Some(Shard {
            index: runs - 1,
            count: runs,
        }),
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(simulate::simulate(&model, &settings, &Quiet));
    });
    let simulation = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("the shard finishes within 10 s")
        .expect("simulated");
    assert_eq!(simulation.tally.runs, 1);
    assert_eq!(simulation.stop, StopReason::Runs);
    assert_eq!(simulation.threads, 1, "one run needs one thread");
}

/// A 40,000 h run of a unit that fails every 2 hours has about 20,000 outages: the run keeps
/// at most [`OUTAGE_LENGTHS_KEPT`] lengths and moves the rest into a fixed-size histogram,
/// losing none.
#[test]
fn a_long_run_keeps_bounded_outage_lengths_and_loses_none() {
    let plan = plan::expand(&flapping()).ok().unwrap();
    let span = RunTimeline {
        start: 0.0,
        end: 40_000.0,
        window: 720.0,
        windows: 55,
    };
    let mut engine = Engine::new(&plan, span);
    let stats = engine.run(7, 0);
    assert!(stats.outages > 15_000, "{} outages", stats.outages);
    assert!(stats.outage_lengths.len() <= OUTAGE_LENGTHS_KEPT);
    let recorded = stats.outage_lengths.len() as u64 + stats.outage_length_overflow.0.count();
    // Every outage started in the interval; the last may still be going on at the end.
    assert!(
        recorded == stats.outages || recorded + 1 == stats.outages,
        "{recorded} lengths of {} outages",
        stats.outages
    );
}

/// Asked to stop, a run gives up within 65,536 events, and the engine still simulates the next
/// run exactly as a fresh one would.
#[test]
fn a_run_asked_to_stop_is_abandoned_and_the_engine_stays_usable() {
    let plan = plan::expand(&flapping()).ok().unwrap();
    let span = RunTimeline {
        start: 0.0,
        end: 1e6,
        window: 720.0,
        windows: 1388,
    };
    let mut engine = Engine::new(&plan, span);
    let asked = std::cell::Cell::new(0u32);
    let stopped = engine.run_unless(3, 9, || {
        asked.set(asked.get() + 1);
        true
    });
    assert!(stopped.is_none(), "a run asked to stop returned statistics");
    assert_eq!(asked.get(), 1, "asked once, at the 65,536th event");
    let (events, down_hours) = {
        let stats = engine.run(3, 9);
        (stats.events, stats.down_hours)
    };
    let mut fresh = Engine::new(&plan, span);
    let stats = fresh.run(3, 9);
    assert_eq!((events, down_hours), (stats.events, stats.down_hours));
    assert!(events > 400_000, "{events} events");
}

/// SIGTERM during two runs of 5 × 10⁷ years each (many seconds apiece): the runs in progress
/// are abandoned at once, and with no complete run there is nothing to print.
#[cfg(unix)]
#[test]
fn sigterm_ends_a_long_run_at_once_and_prints_nothing_without_two_complete_runs() {
    use std::process::{Command, Stdio};
    use std::time::Instant;
    let child = Command::new(assert_cmd::cargo::cargo_bin("nines"))
        .args(["simulate", &redis(), "-q", "--seed", "1", "--runs", "2"])
        .args(["--horizon", "5e7y", "--window", "5e7y"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let signal = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let sent = Instant::now();
    let output = child.wait_with_output().unwrap();
    let waited = sent.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(waited < Duration::from_secs(2), "took {waited:?} to stop");
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert!(
        stderr.contains(&format!(
            "note: {}: interrupted after 0 complete runs; at least 2 are needed for results, so nothing is printed",
            redis()
        )),
        "{stderr}"
    );
}

#[test]
fn absurd_spans_are_refused_with_readable_numbers() {
    let file = redis();
    let limit = |args: &[&str], message: &str| {
        refused(
            args,
            &format!("error[simulation-limit]: {message}\n = in {file}\n"),
        );
    };
    limit(
        &["--runs", "10", "--seed", "1", "--window", "1e-300s"],
        "a run of 365d holds 3.2e307 SLA windows of 1.00e-300s, more than 1000000; use a longer --window or a shorter --horizon",
    );
    limit(
        &["--runs", "10", "--seed", "1", "--horizon", "1e300h"],
        "a run of 1.14e296y holds 1.4e297 SLA windows of 30d, more than 1000000; use a longer --window or a shorter --horizon",
    );
    limit(
        &["--runs", "10", "--seed", "1", "--warmup", "1e10y"],
        "one run of 1.00e10y (1.00e10y warm-up + 365d measured) would take about 1.2e11 events (units fail or are repaired far more often than the run is long); shorten --warmup or check the rates",
    );
}

/// Saves a whole simulation of redis-sentinel (20 runs, one shard) and returns its JSON.
fn saved_shard(folder: &std::path::Path) -> serde_json::Value {
    let save = folder.join("whole.json");
    let (code, _, stderr) = simulate_redis(&[
        "--runs",
        "20",
        "--seed",
        "1",
        "--shard",
        "1/1",
        "--save",
        &save.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&std::fs::read_to_string(save).unwrap()).unwrap()
}

#[test]
fn merge_refuses_hand_edited_numbers_naming_the_file_and_the_field() {
    let folder = tempfile::tempdir().unwrap();
    let original = saved_shard(folder.path());
    let merged = nines()
        .arg("merge")
        .arg(folder.path().join("whole.json"))
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0), "the untouched file merges");
    type Edit = fn(&mut serde_json::Value);
    let cases: [(Edit, &str); 7] = [
        (
            |d| d["tally"]["unavailability"]["sum"] = "-1p0".into(),
            "tally.unavailability.sum is -1, but it must lie between 0 and 20",
        ),
        (
            |d| d["tally"]["unavailability"]["sum"] = "inf".into(),
            "tally.unavailability.sum is inf, but it must lie between 0 and 20",
        ),
        (
            |d| d["tally"]["unavailability"]["count"] = 1.into(),
            "tally.unavailability.count is 1, but it must be 20",
        ),
        (
            |d| d["tally"]["unavailability"]["sum_of_squares"] = "-1p10".into(),
            "tally.unavailability.sum_of_squares is -1024, but it must lie between 0 and 20",
        ),
        (
            |d| d["exact"]["unavailability"] = (-3.0).into(),
            "exact.unavailability is -3, but it is a probability (0 to 1)",
        ),
        (
            |d| d["elapsed_seconds"] = (-1.0).into(),
            "elapsed_seconds is -1, but a wall time is finite and not negative",
        ),
        (
            |d| d["tally"]["outage_free_runs"] = 21.into(),
            "tally.outage_free_runs is 21, more than 20",
        ),
    ];
    for (edit, problem) in cases {
        let mut document = original.clone();
        edit(&mut document);
        let file = folder.path().join("edited.json");
        std::fs::write(&file, document.to_string()).unwrap();
        let output = nines().arg("merge").arg(&file).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{problem}: {stderr}");
        assert!(output.stdout.is_empty(), "{problem}: printed a result");
        assert_eq!(
            stderr,
            format!(
                "error: {}: not a valid nines shard file: {problem}\n",
                file.display()
            )
        );
    }
}

/// The simulation options are checked even when the exact solver answers, so a mistake in a
/// CI command line (`--runs 0`) is caught the first time, not when someone switches methods.
#[test]
fn simulation_options_are_checked_with_the_exact_method_too() {
    for command in [
        vec!["check", "--runs", "0"],
        vec!["check", "--threads", "0"],
        vec!["check", "--horizon", "0s"],
        vec!["sweep", "--vary", "block.db.count=2,3", "--runs", "0"],
    ] {
        let output = nines()
            .args(&command)
            .arg(path("models/three-tier.toml"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(stderr.contains(command[command.len() - 2]), "{stderr}");
        assert!(output.stdout.is_empty(), "{command:?}");
    }
}

/// A repair far longer than the run: every run starts all up and never reaches the long-run
/// state, so the estimates cannot be the long-run availability, and a note says so (the
/// example model as written, with 4 h repairs in 1-year runs, gets none).
#[test]
fn runs_short_next_to_a_repair_say_so() {
    let run = |extra: &[&str]| {
        let output = nines()
            .args(["simulate", "--runs", "20", "--seed", "1"])
            .args(extra)
            .arg(path("models/three-tier.toml"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let stderr = run(&["--set", "component.db_node.mttr=100y"]);
    assert!(
        stderr.contains("a mean repair or switchover time of 100y is long next to each run (365d from an all-up start)"),
        "{stderr}"
    );
    assert!(stderr.contains("--warmup 1000y"), "{stderr}");
    assert!(!run(&[]).contains("long next to each run"));
}

/// With the exact method nothing is simulated, so no random seed is announced: a passing
/// `nines check` in CI leaves stderr empty.
#[test]
fn the_exact_method_announces_no_seed() {
    for command in [
        vec!["check"],
        vec![
            "sweep",
            "--vary",
            "component.db_node.mttr=1h..2h",
            "--steps",
            "1",
        ],
    ] {
        let output = nines()
            .args(&command)
            .arg(path("models/three-tier.toml"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{command:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("seed"), "{command:?}: {stderr}");
    }
    let output = nines()
        .arg("check")
        .arg(path("models/three-tier.toml"))
        .output()
        .unwrap();
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
