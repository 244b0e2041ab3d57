//! Enormous and degenerate models: each gets the right answer in bounded time, or a clear
//! error naming the limit and what to do instead; never a panic, an overflow or a hang.

use crate::common;

use common::{model_file, nines};
use std::time::Duration;

/// Generous: these finish in well under a second on the test profile; a hang fails.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str], text: &str) -> (Option<i32>, String, String) {
    let (_guard, file) = model_file("model.toml", text);
    let output = nines()
        .args(args)
        .arg(&file)
        .timeout(LIMIT)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code(), stdout, stderr)
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.lines().next().expect("a JSON line")).expect("JSON")
}

fn series_of(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "[component.c{i}]\nmtbf = \"100000h\"\nmttr = \"1h\"\n"
        ));
    }
    let members: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
    text.push_str(&format!(
        "[block.system]\nkind = \"series\"\nmembers = [{}]\n",
        members.join(", ")
    ));
    text
}

#[test]
fn a_billion_copies_is_a_clear_limit() {
    let text = "[component.a]\nmtbf = \"1000h\"\nmttr = \"1h\"\n\
                [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 1000000000\n";
    for command in ["solve", "simulate", "sensitivity", "report"] {
        let (code, _, stderr) = run(&[command], text);
        assert_eq!(code, Some(2), "{command}: {stderr}");
        assert!(stderr.contains("10000000 members per block"), "{stderr}");
        assert!(stderr.contains("model.toml:7:"), "{stderr}");
    }
}

#[test]
fn a_million_of_a_million_is_solved_exactly() {
    // k = n = 10⁶ with q = 1/1001 each: U = 1 − (1000/1001)^10⁶ = 1 − e^(−999.0…), which is 1
    // in double precision, and A underflows to 0.
    let text = "[component.a]\nmtbf = \"1000h\"\nmttr = \"1h\"\n\
                [block.system]\nkind = \"k-of-n\"\nk = 1000000\nof = \"a\"\ncount = 1000000\n";
    let (code, stdout, stderr) = run(&["solve", "--format", "json"], text);
    assert_eq!(code, Some(0), "{stderr}");
    let object = json(&stdout);
    assert_eq!(object["unavailability"].as_f64(), Some(1.0));
    assert_eq!(object["nines"].as_f64(), Some(0.0));
    assert!(!stdout.contains("-0.0"), "{stdout}");
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused_without_overflowing_the_stack() {
    let mut text = String::from("[component.a]\nmtbf = \"1000h\"\nmttr = \"1h\"\n");
    for level in 0..10_000 {
        let name = if level == 0 {
            "system".to_string()
        } else {
            format!("b{level}")
        };
        let child = if level == 9_999 {
            "a".to_string()
        } else {
            format!("b{}", level + 1)
        };
        text.push_str(&format!(
            "[block.{name}]\nkind = \"series\"\nmembers = [\"{child}\"]\n"
        ));
    }
    for command in ["solve", "simulate", "diagram"] {
        let (code, _, stderr) = run(&[command], &text);
        assert_eq!(code, Some(2), "{command}: {stderr}");
        assert!(stderr.contains("at most 1000 levels"), "{stderr}");
    }
}

#[test]
fn a_hundred_thousand_components_solve_and_sensitivity_says_why_not() {
    let text = series_of(100_000);
    let (code, stdout, stderr) = run(&["solve", "--format", "json"], &text);
    assert_eq!(code, Some(0), "{stderr}");
    // 100,000 units in series, each q = 1/100001: U = 1 − (100000/100001)^100000
    // = 1 − exp(100000·ln(1 − 1/100001)) = 0.632117… (≈ 1 − e^(−0.999995)).
    let u = json(&stdout)["unavailability"].as_f64().unwrap();
    let expected = -(100_000.0 * (-1.0f64 / 100_001.0).ln_1p()).exp_m1();
    assert!((u - expected).abs() < 1e-9 * expected, "{u} vs {expected}");
    let (code, _, stderr) = run(&["sensitivity"], &text);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("`of` and `count`"), "{stderr}");
}

#[test]
fn extreme_rates_keep_their_digits() {
    // λ = 1e-300/h, μ = 1/h: U = λ/(λ+μ) = 1e-300 to the last bit, nines 300.
    let tiny = "[component.a]\nfailure_rate = 1e-300\nmttr = \"1h\"\n\
                [block.system]\nkind = \"series\"\nmembers = [\"a\"]\n";
    let (code, stdout, stderr) = run(&["solve", "--format", "json"], tiny);
    assert_eq!(code, Some(0), "{stderr}");
    let object = json(&stdout);
    assert_eq!(object["unavailability"].as_f64(), Some(1e-300));
    assert_eq!(object["nines"].as_f64(), Some(300.0));
    // λ = 1e300/h: A = μ/(λ+μ) = 1e-300, U = 1 − 1e-300 = 1; nines 0, never −0.
    let huge = tiny.replace("1e-300", "1e300");
    for args in [
        &["solve", "--format", "json"][..],
        &[
            "simulate", "--runs", "20", "--seed", "1", "-q", "--format", "json",
        ][..],
    ] {
        let (code, stdout, stderr) = run(args, &huge);
        assert_eq!(code, Some(0), "{stderr}");
        let object = json(&stdout);
        assert_eq!(object["unavailability"].as_f64(), Some(1.0), "{stdout}");
        assert!(!stdout.contains("\"nines\":-0.0"), "{stdout}");
    }
}

#[test]
fn repairs_far_longer_than_failures() {
    // MTBF 1 h, MTTR 100 y = 876,600 h: q = 876600/876601 per unit; three in parallel:
    // U = q³, A = 1 − q³ = 3.4223…e-6 (≈ 3/876601).
    let text = "[component.a]\nmtbf = \"1h\"\nmttr = \"100y\"\n\
                [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 3\n";
    let (code, stdout, stderr) = run(&["solve", "--format", "json"], text);
    assert_eq!(code, Some(0), "{stderr}");
    let a = json(&stdout)["availability"].as_f64().unwrap();
    // With p = 1/876601 = A of one unit: 1 − (1 − p)³ = 3p − 3p² + p³, without cancellation.
    let p: f64 = 1.0 / 876_601.0;
    let expected = 3.0 * p - 3.0 * p * p + p * p * p;
    assert!((a - expected).abs() < 1e-9 * expected, "{a} vs {expected}");
}

#[test]
fn a_unit_that_never_fails_gives_zero_and_infinite_nines() {
    let text = "[target]\navailability = \"99.99%\"\n\
                [component.a]\nfailure_rate = 0\nmttr = \"1h\"\n\
                [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\n";
    let (code, stdout, stderr) = run(&["solve", "--format", "json"], text);
    assert_eq!(code, Some(0), "{stderr}");
    let object = json(&stdout);
    assert_eq!(object["unavailability"].as_f64(), Some(0.0));
    assert!(object["nines"].is_null(), "{stdout}");
    assert!(object["mtbf_hours"].is_null(), "{stdout}");
    let (code, stdout, _) = run(&["solve"], text);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("(∞ nines)"), "{stdout}");
    assert!(!stdout.contains("NaN"), "{stdout}");
    let (code, stdout, stderr) = run(&["sensitivity", "--format", "json"], text);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stdout.contains("NaN"), "{stdout}");
    let (code, _, stderr) = run(&["check"], text);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_sweep_of_millions_of_points_is_refused_up_front() {
    let text = "[component.a]\nmtbf = \"1000h\"\nmttr = \"1h\"\n\
                [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\n";
    let (code, stdout, stderr) = run(
        &[
            "sweep",
            "--vary",
            "component.a.mttr=1h..10h",
            "--vary",
            "component.a.mtbf=100h..1000h",
            "--steps",
            "2000",
        ],
        text,
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("2001 × 2001 = 4004001 points; at most 100000"),
        "{stderr}"
    );
    assert!(stderr.contains("fewer --steps"), "{stderr}");
}

#[test]
fn a_slow_search_says_so_within_seconds() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // 20,000 components in series: each --find step re-reads and solves the model, about half
    // a second on the test profile, and a search takes over a hundred steps.
    let mut text = series_of(20_000);
    text.push_str("[target]\navailability = \"50%\"\n");
    let (_guard, file) = model_file("model.toml", &text);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("nines"))
        .args(["sweep", "--find", "component.c7.mttr"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let note = receiver.recv_timeout(LIMIT);
    let _ = child.kill();
    let _ = child.wait();
    let note = note.expect("a note on stderr before the search ends");
    assert!(note.starts_with("note: about 116 solves of "), "{note}");
    assert!(note.contains(" in all; "), "{note}");
    assert!(note.contains("--vary"), "{note}");
}

#[test]
fn huge_rates_in_a_standby_chain_give_numbers_not_nan() {
    // A hot standby pair whose units fail 1e100 to 1e300 times an hour against a 4 h repair:
    // the chain's state ratios pass f64's range. Far beyond every other rate, A falls as 1/λ
    // (both units are down all but ~1/λ of the time), so A·λ is the same constant for every λ;
    // it used to come out NaN from 1e160 on.
    let model = |lambda: &str| {
        format!(
            "[component.a]\nfailure_rate = {lambda}\nmttr = \"4h\"\n\
             [block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\nmode = \"hot\"\n\
             failover = \"30s\"\ncoverage = 0.99\nmanual_failover = \"20m\"\n"
        )
    };
    let mut products = Vec::new();
    for lambda in ["1e100", "1e160", "1e200", "1e300"] {
        let (code, stdout, stderr) = run(&["solve", "--format", "json"], &model(lambda));
        assert_eq!(code, Some(0), "{stderr}");
        let object = json(&stdout);
        assert_eq!(object["unavailability"].as_f64(), Some(1.0), "{stdout}");
        let a = object["availability"].as_f64().expect("a number, not null");
        products.push(a * lambda.parse::<f64>().unwrap());
    }
    for product in &products {
        assert!((product / products[0] - 1.0).abs() < 1e-9, "{products:?}");
    }
    // Past 1e300 per hour (or under 3.6e-297 s) the loader says so, at the figure.
    let (code, _, stderr) = run(&["solve"], &model("1.7e308"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("more than the 1e300 per hour"), "{stderr}");
    assert!(stderr.contains("model.toml:2:16"), "{stderr}");
    let (code, _, stderr) = run(
        &["solve"],
        &model("1").replace("failover = \"30s\"", "failover = \"1e-320s\""),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("shorter than 3.6e-297 s"), "{stderr}");
    assert!(
        stderr.contains("write \"0s\" for an instant one"),
        "{stderr}"
    );
}

#[test]
fn rates_whose_products_underflow_stay_small_in_memory() {
    // The 6-of-9 erasure stripe with one rebuild crew and an MTBF of 1e250 h: U ≈ C(9,4)·
    // (12/1e250)^4 ≈ 1e-997 underflows to 0. Sensitivity conditions a fragment, which makes a
    // chain of distinct units whose GTH fill-in products underflow to 0 as well; an entry
    // that stayed 0 was listed again at every elimination, until the lists took gigabytes.
    let text = std::fs::read_to_string(common::path("models/erasure-6-3.toml")).unwrap();
    let text = text.replace("failure_rate = 1.1408e-4", "mtbf = \"1e250h\"");
    let (code, stdout, stderr) = run(&["sensitivity", "--format", "json"], &text);
    assert_eq!(code, Some(0), "{stderr}");
    let object = json(&stdout);
    assert_eq!(object["unavailability"].as_f64(), Some(0.0), "{stdout}");
    let item = &object["items"][0];
    assert_eq!(item["name"], "storage_node", "{stdout}");
    assert_eq!(item["birnbaum"].as_f64(), Some(0.0), "{stdout}");
}
