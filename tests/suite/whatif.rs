//! What-if analysis through the real binary: `nines sweep` (curves, `--find`, simulated
//! points, charts) and `nines sensitivity` (importance measures, tornado chart).

use crate::common;
use common::{json_lines, model_file, nines, path};
use serde_json::Value;
use std::path::Path;

/// Minutes in a year of 365.25 days: 365.25 · 24 · 60.
const MINUTES_PER_YEAR: f64 = 525_960.0;

/// One component (MTBF 1000 h, MTTR 1 h) alone in a series top block, target 99.9 %:
/// U = r / (m + r) = 1/1001 ≈ 9.99e-4, just inside U_target = 1e-3.
const TINY: &str = r#"
name = "Tiny"
[target]
availability = "99.9%"
[component.a]
mtbf = "1000h"
mttr = "1h"
[block.system]
kind = "series"
members = ["a"]
"#;

/// The same model without a target.
const TINY_NO_TARGET: &str = r#"
name = "Tiny"
[component.a]
mtbf = "1000h"
mttr = "1h"
[block.system]
kind = "series"
members = ["a"]
"#;

/// a (A = 0.99, MTTR 2 h) in series with a parallel pair of b (A = 0.9, MTTR 4 h).
const HAND: &str = r#"
name = "Hand"
[component.a]
availability = 0.99
mttr = "2h"
[component.b]
availability = 0.9
mttr = "4h"
[block.pair]
kind = "parallel"
of = "b"
count = 2
[block.system]
kind = "series"
members = ["a", "pair"]
"#;

fn three_tier() -> std::path::PathBuf {
    path("models/three-tier.toml")
}

/// |a − b| ≤ rel · max(|a|, |b|).
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        close(got, want, rel),
        "{what}: got {got}, want {want} (relative tolerance {rel})"
    );
}

fn f(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {value}"))
}

/// Runs `nines ARGS`, requires exit 0, and parses stdout as JSON lines.
fn json_run(args: &[&str]) -> Vec<Value> {
    let output = nines().args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "nines {args:?}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output.stdout)
}

/// Runs `nines sweep MODEL ARGS --format json`.
fn sweep_json(model: &Path, args: &[&str]) -> Vec<Value> {
    let model = model.to_str().unwrap();
    let mut all = vec!["sweep", model];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "-q"]);
    json_run(&all)
}

/// `nines solve MODEL --set SET --format json`: the one result object.
fn solve_with(model: &Path, set: &str) -> Value {
    let lines = json_run(&[
        "solve",
        model.to_str().unwrap(),
        "--set",
        set,
        "--format",
        "json",
    ]);
    assert_eq!(lines.len(), 1);
    lines.into_iter().next().unwrap()
}

/// The swept values of `path` in sweep order.
fn vary_values(points: &[Value], path: &str) -> Vec<f64> {
    points
        .iter()
        .map(|p| {
            p["vary"][path]
                .as_f64()
                .unwrap_or_else(|| panic!("no vary.{path} in {p}"))
        })
        .collect()
}

/// Runs a command that must be rejected: exit 2, nothing on stdout, no panic, every needle
/// in stderr.
fn rejected(args: &[&str], needles: &[&str]) {
    let output = nines().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "nines {args:?}\n{stderr}");
    assert!(
        output.stdout.is_empty(),
        "nines {args:?} half-wrote stdout:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "nines {args:?}: missing `{needle}` in stderr:\n{stderr}"
        );
    }
}

fn parse_svg(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    let document = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{file:?} is not well-formed XML: {e}"));
    assert_eq!(document.root_element().tag_name().name(), "svg", "{file:?}");
    text
}

/// Decodes a whole PNG and returns its size.
fn png_size(file: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(file).unwrap());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{file:?}: {e}"));
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader
        .next_frame(&mut buffer)
        .unwrap_or_else(|e| panic!("{file:?}: {e}"));
    (frame.width, frame.height)
}

// ---------------------------------------------------------------------------------------
// 1. A count sweep against independent `solve` runs.

#[test]
fn count_sweep_table_says_where_the_target_is_met() {
    nines()
        .arg("sweep")
        .arg(three_tier())
        .args(["--vary", "block.web.count=4..10"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "the target 99.99% is met from block.web.count = 5",
        ));
}

#[test]
fn count_sweep_points_equal_independent_solves() {
    let model = three_tier();
    let points = sweep_json(&model, &["--vary", "block.web.count=4..10"]);
    // A whole-number key takes every value from 4 to 10: 7 points.
    assert_eq!(
        vary_values(&points, "block.web.count"),
        [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    );
    let mut meeting = Vec::new();
    for (n, point) in (4..=10).zip(&points) {
        let solved = solve_with(&model, &format!("block.web.count={n}"));
        for key in [
            "availability",
            "unavailability",
            "failures_per_year",
            "nines",
            "downtime_minutes_per_year",
        ] {
            assert_close(
                f(point, key),
                f(&solved, key),
                1e-12,
                &format!("count {n}: {key}"),
            );
        }
        // Target 99.99 %: met exactly when U ≤ 1e-4.
        let meets = f(&solved, "unavailability") <= 1e-4;
        assert_eq!(point["meets_target"], Value::Bool(meets), "count {n}");
        assert_eq!(point["target"], "99.99%");
        if meets {
            meeting.push(n);
        }
    }
    // The sentence of the table: 4 of 4 web nodes misses (U ≈ 9.4e-4), every count from 5 on
    // meets, so "met from 5" is right.
    assert_eq!(meeting, [5, 6, 7, 8, 9, 10]);
}

// ---------------------------------------------------------------------------------------
// 2. JSON fields, grids, spacing, CSV.

#[test]
fn json_points_carry_every_field_and_durations_in_hours() {
    let points = sweep_json(
        &three_tier(),
        &["--vary", "component.db_node.mttr=1h..4h", "--steps", "3"],
    );
    // 3 intervals between 1 h and 4 h: 1, 2, 3, 4 hours.
    let values = vary_values(&points, "component.db_node.mttr");
    for (got, want) in values.iter().zip([1.0, 2.0, 3.0, 4.0]) {
        assert_close(*got, want, 1e-12, "mttr in hours");
    }
    assert_eq!(values.len(), 4);
    for point in &points {
        assert_eq!(point["vary"].as_object().unwrap().len(), 1, "{point}");
        let a = f(point, "availability");
        let u = f(point, "unavailability");
        assert!(0.0 < u && u < 1e-3, "{point}");
        assert_close(a + u, 1.0, 1e-12, "A + U");
        // nines = −log10 U; downtime = U · 525960 min.
        assert_close(f(point, "nines"), -u.log10(), 1e-9, "nines");
        assert_close(
            f(point, "downtime_minutes_per_year"),
            u * MINUTES_PER_YEAR,
            1e-9,
            "downtime",
        );
        assert!(f(point, "failures_per_year") > 0.0);
        assert!(point["meets_target"].is_boolean(), "{point}");
    }
    // A longer database repair can only lower the availability.
    for pair in points.windows(2) {
        assert!(f(&pair[0], "unavailability") < f(&pair[1], "unavailability"));
    }
}

#[test]
fn percentages_are_swept_as_fractions() {
    let points = sweep_json(&three_tier(), &["--vary", "block.db.coverage=90%,99%"]);
    assert_eq!(vary_values(&points, "block.db.coverage"), [0.9, 0.99]);
    // Better failover coverage means less downtime.
    assert!(f(&points[0], "unavailability") > f(&points[1], "unavailability"));
}

#[test]
fn model_without_target_gives_null_meets_target() {
    let (_dir, file) = model_file("tiny.toml", TINY_NO_TARGET);
    let points = sweep_json(&file, &["--vary", "component.a.mttr=1h,2h"]);
    assert_eq!(points.len(), 2);
    for (point, r) in points.iter().zip([1.0, 2.0]) {
        assert!(point["meets_target"].is_null(), "{point}");
        assert!(point["target"].is_null(), "{point}");
        // U = r / (1000 + r).
        assert_close(f(point, "unavailability"), r / (1000.0 + r), 1e-12, "U");
    }
}

#[test]
fn two_varies_make_a_grid_with_the_first_varying_fastest() {
    let points = sweep_json(
        &three_tier(),
        &[
            "--vary",
            "component.db_node.mttr=1h,8h",
            "--vary",
            "block.web.count=5,6,7",
        ],
    );
    assert_eq!(points.len(), 2 * 3);
    let mttr = vary_values(&points, "component.db_node.mttr");
    let count = vary_values(&points, "block.web.count");
    assert_eq!(mttr, [1.0, 8.0, 1.0, 8.0, 1.0, 8.0]);
    assert_eq!(count, [5.0, 5.0, 6.0, 6.0, 7.0, 7.0]);
    // Each grid point is the model with both values set.
    let model = three_tier();
    let solved = json_run(&[
        "solve",
        model.to_str().unwrap(),
        "--set",
        "component.db_node.mttr=8h",
        "--set",
        "block.web.count=6",
        "--format",
        "json",
    ]);
    assert_close(
        f(&points[3], "unavailability"),
        f(&solved[0], "unavailability"),
        1e-12,
        "grid point (8h, 6)",
    );
}

#[test]
fn log_spacing_is_geometric() {
    let points = sweep_json(
        &three_tier(),
        &[
            "--vary",
            "component.db_node.mttr=1h..16h",
            "--steps",
            "4",
            "--log",
        ],
    );
    // Ratio (16/1)^(1/4) = 2 per step.
    let values = vary_values(&points, "component.db_node.mttr");
    assert_eq!(values.len(), 5);
    for (got, want) in values.iter().zip([1.0, 2.0, 4.0, 8.0, 16.0]) {
        assert_close(*got, want, 1e-12, "log spacing");
    }
}

/// Splits one CSV line into cells, honouring double quotes (`""` inside quotes is a quote).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut characters = line.chars().peekable();
    while let Some(c) = characters.next() {
        match (quoted, c) {
            (true, '"') if characters.peek() == Some(&'"') => {
                characters.next();
                cells.last_mut().unwrap().push('"');
            }
            (_, '"') => quoted = !quoted,
            (false, ',') => cells.push(String::new()),
            (_, c) => cells.last_mut().unwrap().push(c),
        }
    }
    assert!(!quoted, "unbalanced quotes in {line}");
    cells
}

#[test]
fn csv_has_a_header_and_one_row_per_point() {
    let model = three_tier();
    let output = nines()
        .arg("sweep")
        .arg(&model)
        .args(["--vary", "block.web.count=4..6", "--format", "csv", "-q"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 3, "{text}");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[0], "model");
    assert_eq!(header[1], "block.web.count");
    let a_col = header.iter().position(|h| *h == "availability").unwrap();
    let u_col = header.iter().position(|h| *h == "unavailability").unwrap();
    assert!(header.contains(&"meets_target"), "{}", lines[0]);
    let points = sweep_json(&model, &["--vary", "block.web.count=4..6"]);
    for (row, point) in lines[1..].iter().zip(&points) {
        // The model name is quoted (it contains a comma).
        let cells = csv_cells(row);
        assert_eq!(cells[0], "Three-tier web (N+2 web, shared ToR switch)");
        assert_eq!(cells.len(), header.len(), "{row}");
        assert_eq!(
            cells[1].parse::<f64>().unwrap(),
            f(&point["vary"], "block.web.count")
        );
        assert_close(
            cells[a_col].parse().unwrap(),
            f(point, "availability"),
            1e-15,
            "A",
        );
        assert_close(
            cells[u_col].parse().unwrap(),
            f(point, "unavailability"),
            1e-15,
            "U",
        );
    }
}

// ---------------------------------------------------------------------------------------
// 3. Bad input.

#[test]
fn malformed_vary_is_rejected() {
    let model = three_tier();
    let model = model.to_str().unwrap();
    rejected(
        &["sweep", model, "--vary", "nonsense"],
        &["nonsense", "PATH=FROM..TO"],
    );
    rejected(
        &["sweep", model, "--vary", "component.db_node.mttr=1h..90%"],
        &["1h..90%", "unit"],
    );
}

#[test]
fn invalid_point_is_rejected_with_the_model_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let charts = dir.path().join("charts");
    let model = three_tier();
    let model = model.to_str().unwrap();
    // count = 0 is out of range before anything is solved.
    rejected(
        &[
            "sweep",
            model,
            "--vary",
            "block.web.count=0..3",
            "--format",
            "json",
        ],
        &["count", "three-tier.toml", "block.web.count = 0"],
    );
    // 6 and 5 solve, 3 is fewer members than k = 4: still nothing on stdout, and no chart.
    rejected(
        &[
            "sweep",
            model,
            "--vary",
            "block.web.count=6..3",
            "--format",
            "json",
            "--plot",
            "-o",
            charts.to_str().unwrap(),
        ],
        &["three-tier.toml", "block.web.count = 3"],
    );
    assert!(!charts.exists(), "a chart was written for a failed sweep");
}

#[test]
fn three_varies_are_rejected() {
    let model = three_tier();
    rejected(
        &[
            "sweep",
            model.to_str().unwrap(),
            "--vary",
            "block.web.count=5,6",
            "--vary",
            "component.db_node.mttr=1h,2h",
            "--vary",
            "component.web_node.mttr=1h,2h",
        ],
        &["--vary", "twice"],
    );
}

#[test]
fn find_on_a_whole_number_suggests_a_sweep() {
    let model = three_tier();
    rejected(
        &[
            "sweep",
            model.to_str().unwrap(),
            "--find",
            "block.web.count",
        ],
        &["--vary block.web.count"],
    );
}

// ---------------------------------------------------------------------------------------
// 4. --find.

#[test]
fn find_mttr_boundary_is_exact() {
    let (_dir, file) = model_file("tiny.toml", TINY);
    let lines = sweep_json(&file, &["--find", "component.a.mttr"]);
    assert_eq!(lines.len(), 1);
    let found = &lines[0];
    // U = r/(1000 + r) ≤ 1e-3 ⇔ r ≤ 1000·0.001/0.999 = 1000/999 h.
    assert_close(
        f(found, "boundary"),
        1000.0 * 0.001 / 0.999,
        1e-9,
        "mttr boundary",
    );
    assert_eq!(found["holds"], "at_most");
    assert_eq!(found["find"], "component.a.mttr");
    assert_close(f(found, "current"), 1.0, 1e-12, "current mttr");
    // 1 h < 1000/999 h.
    assert_eq!(found["current_meets"], true);
}

#[test]
fn find_mtbf_boundary_is_exact() {
    let (_dir, file) = model_file("tiny.toml", TINY);
    let lines = sweep_json(&file, &["--find", "component.a.mtbf"]);
    let found = &lines[0];
    // U = 1/(m + 1) ≤ 1e-3 ⇔ m ≥ 999 h.
    assert_close(f(found, "boundary"), 999.0, 1e-9, "mtbf boundary");
    assert_eq!(found["holds"], "at_least");
    assert_close(f(found, "current"), 1000.0, 1e-12, "current mtbf");
}

#[test]
fn find_table_says_while_it_holds() {
    let (_dir, file) = model_file("tiny.toml", TINY);
    nines()
        .arg("sweep")
        .arg(&file)
        .args(["--find", "component.a.mttr"])
        .assert()
        .success()
        .stdout(predicates::str::contains("holds while component.a.mttr ≤ "));
}

#[test]
fn find_without_target_is_rejected() {
    let (_dir, file) = model_file("tiny.toml", TINY_NO_TARGET);
    rejected(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--find",
            "component.a.mttr",
        ],
        &["target"],
    );
}

// ---------------------------------------------------------------------------------------
// 5. Simulated points.

#[test]
fn simulated_sweep_intervals_cover_the_exact_value() {
    let model = three_tier();
    let args = [
        "--vary",
        "component.db_node.mttr=1h,8h",
        "--method",
        "simulate",
        "--runs",
        "2000",
        "--seed",
        "1",
    ];
    let points = sweep_json(&model, &args);
    assert_eq!(points.len(), 2);
    for (point, mttr) in points.iter().zip(["1h", "8h"]) {
        let u = f(point, "unavailability");
        let interval = point["unavailability_interval"]
            .as_array()
            .unwrap_or_else(|| panic!("no interval in {point}"));
        let (low, high) = (interval[0].as_f64().unwrap(), interval[1].as_f64().unwrap());
        assert!(low <= u && u <= high && low < high, "{point}");
        // With seed 1 and 2000 runs, the 95% intervals (about ±25%) contain the exact U
        // (checked: 2.81e-5 in [1.90e-5, 3.23e-5] and 2.90e-5 in [2.02e-5, 3.39e-5]).
        let exact = f(
            &solve_with(&model, &format!("component.db_node.mttr={mttr}")),
            "unavailability",
        );
        assert!(
            low <= exact && exact <= high,
            "mttr {mttr}: exact {exact} outside [{low}, {high}]"
        );
        // It is a simulation: not the exact figure itself.
        assert_ne!(u, exact);
    }
    // The same seed gives the same figures.
    assert_eq!(points, sweep_json(&model, &args));
}

// ---------------------------------------------------------------------------------------
// 6. Charts.

#[test]
fn plot_writes_svg_and_png_files() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("sweep.svg");
    let png_file = dir.path().join("sweep.png");
    for file in [&svg, &png_file] {
        nines()
            .arg("sweep")
            .arg(three_tier())
            .args(["--vary", "block.web.count=4..10", "-q", "--plot"])
            .arg(file)
            .assert()
            .success();
    }
    parse_svg(&svg);
    assert_eq!(png_size(&png_file), (960, 600));
}

#[test]
fn plot_without_a_file_names_the_chart_after_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("charts");
    nines()
        .arg("sweep")
        .arg(three_tier())
        .args(["--vary", "block.web.count=4..10", "-q", "--plot", "-o"])
        .arg(&out)
        .assert()
        .success();
    parse_svg(&out.join("three-tier-sweep-count.svg"));
    // --png: the same name as PNG.
    nines()
        .arg("sweep")
        .arg(three_tier())
        .args([
            "--vary",
            "block.web.count=4..10",
            "-q",
            "--png",
            "--plot",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        png_size(&out.join("three-tier-sweep-count.png")),
        (960, 600)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["three-tier-sweep-count.png", "three-tier-sweep-count.svg"]
    );
}

/// The pixel points of the data line: the one polyline stroked in the series colour with
/// `n` points.
fn data_line(svg: &str, n: usize) -> Vec<(f64, f64)> {
    let document = roxmltree::Document::parse(svg).unwrap();
    let lines: Vec<Vec<(f64, f64)>> = document
        .descendants()
        .filter(|node| node.has_tag_name("polyline"))
        .filter(|node| node.attribute("stroke") == Some("#0072B2"))
        .map(|node| {
            node.attribute("points")
                .unwrap()
                .split_whitespace()
                .map(|pair| {
                    let (x, y) = pair.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect::<Vec<_>>()
        })
        .filter(|points| points.len() == n)
        .collect();
    assert_eq!(lines.len(), 1, "one data polyline of {n} points expected");
    lines.into_iter().next().unwrap()
}

/// Fits p = a + b·v through the first and last points and returns the largest residual.
/// Pixel coordinates are whole numbers (the SVG backend truncates them), so each carries an
/// error in [0, 1) or (−½, ½]: the endpoint fit leaves residuals below 1 px, while a wrong
/// mapping (a point in the wrong place, a log axis for a linear one) is off by many pixels.
fn affine_residual(values: &[f64], pixels: &[f64]) -> (f64, f64) {
    let n = values.len() - 1;
    let slope = (pixels[n] - pixels[0]) / (values[n] - values[0]);
    let offset = pixels[0] - slope * values[0];
    let worst = values
        .iter()
        .zip(pixels)
        .map(|(v, p)| (offset + slope * v - p).abs())
        .fold(0.0, f64::max);
    (slope, worst)
}

fn check_sweep_chart(args: &[&str], log: bool) {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart.svg");
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--plot", chart.to_str().unwrap()]);
    let points = sweep_json(&three_tier(), &all);
    let svg = parse_svg(&chart);
    let line = data_line(&svg, points.len());
    let x: Vec<f64> = vary_values(&points, "component.db_node.mttr")
        .into_iter()
        .map(|h| if log { h.ln() } else { h })
        .collect();
    let nines: Vec<f64> = points.iter().map(|p| f(p, "nines")).collect();
    let px: Vec<f64> = line.iter().map(|p| p.0).collect();
    let py: Vec<f64> = line.iter().map(|p| p.1).collect();
    let (b, x_error) = affine_residual(&x, &px);
    let (d, y_error) = affine_residual(&nines, &py);
    // Larger x to the right; more nines higher up (SVG y grows downwards).
    assert!(b > 0.0 && d < 0.0, "slopes {b}, {d}");
    assert!(
        x_error < 1.0,
        "x pixels are not affine in the swept value: {x_error} px"
    );
    assert!(
        y_error < 1.0,
        "y pixels are not affine in nines: {y_error} px"
    );
    // The curve spans a good part of the plot, so the check is not on a flat line.
    assert!(px[px.len() - 1] - px[0] > 500.0 && py[py.len() - 1] - py[0] > 100.0);
}

#[test]
fn sweep_chart_plots_the_json_values_on_a_linear_axis() {
    check_sweep_chart(
        &["--vary", "component.db_node.mttr=1h..48h", "--steps", "8"],
        false,
    );
}

#[test]
fn sweep_chart_plots_the_json_values_on_a_log_axis() {
    check_sweep_chart(
        &[
            "--vary",
            "component.db_node.mttr=30m..48h",
            "--steps",
            "8",
            "--log",
        ],
        true,
    );
}

// ---------------------------------------------------------------------------------------
// 7. Sensitivity.

const IMPORTANCE_FIELDS: [&str; 6] = [
    "birnbaum",
    "criticality",
    "raw",
    "rrw",
    "downtime_change_mtbf_x2_minutes",
    "downtime_change_mttr_half_minutes",
];

fn sensitivity(file: &Path) -> Value {
    let lines = json_run(&["sensitivity", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(lines.len(), 1);
    lines.into_iter().next().unwrap()
}

fn saving(item: &Value) -> f64 {
    (-f(item, "downtime_change_mtbf_x2_minutes")).max(-f(item, "downtime_change_mttr_half_minutes"))
}

#[test]
fn sensitivity_json_lists_every_item_sorted_by_saving() {
    let result = sensitivity(&three_tier());
    let u = f(&result, "unavailability");
    let items = result["items"].as_array().unwrap();
    let mut names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    names.sort();
    // Every component and every block below the top block `service`.
    assert_eq!(
        names,
        [
            "app",
            "app_node",
            "data_tier",
            "db",
            "db_node",
            "lb_host",
            "lbs",
            "tor_switch",
            "web",
            "web_node",
            "web_tier"
        ]
    );
    for item in items {
        let kind = item["kind"].as_str().unwrap();
        let components = ["lb_host", "tor_switch", "web_node", "app_node", "db_node"];
        let expected_kind = if components.contains(&item["name"].as_str().unwrap()) {
            "component"
        } else {
            "block"
        };
        assert_eq!(kind, expected_kind, "{item}");
        for field in IMPORTANCE_FIELDS {
            assert!(item[field].is_number(), "{field} in {item}");
        }
        // The measures are one pair U(down), U(up) seen four ways:
        // RAW·U = U(down), U/RRW = U(up), Birnbaum = their difference, criticality = 1 − 1/RRW.
        let u_down = f(item, "raw") * u;
        let u_up = u / f(item, "rrw");
        assert_close(f(item, "birnbaum"), u_down - u_up, 1e-9, "birnbaum");
        assert_close(
            f(item, "criticality"),
            1.0 - 1.0 / f(item, "rrw"),
            1e-9,
            "criticality",
        );
        // Improving an item never adds downtime.
        assert!(saving(item) >= 0.0, "{item}");
    }
    for pair in items.windows(2) {
        assert!(
            saving(&pair[0]) >= saving(&pair[1]),
            "{} before {}",
            pair[0]["name"],
            pair[1]["name"]
        );
    }
    // The shared switch is the single point of failure: most of the downtime is its.
    let switch = items.iter().find(|i| i["name"] == "tor_switch").unwrap();
    assert!(f(switch, "criticality") > 0.9, "{switch}");
}

#[test]
fn sensitivity_figures_match_a_hand_calculation() {
    let (_dir, file) = model_file("hand.toml", HAND);
    let result = sensitivity(&file);
    // U = 1 − 0.99·(1 − 0.1²) = 1 − 0.99·0.99 = 0.0199.
    let u = 0.0199;
    assert_close(f(&result, "unavailability"), u, 1e-12, "U");
    let items = result["items"].as_array().unwrap();
    let item = |name: &str| items.iter().find(|i| i["name"] == name).unwrap().clone();

    // a: U(a down) = 1, U(a up) = 1 − 0.99 = 0.01.
    let a = item("a");
    assert_eq!(a["kind"], "component");
    assert_close(f(&a, "birnbaum"), 1.0 - 0.01, 1e-12, "a birnbaum");
    assert_close(f(&a, "criticality"), (u - 0.01) / u, 1e-12, "a criticality");
    assert_close(f(&a, "raw"), 1.0 / u, 1e-12, "a raw");
    assert_close(f(&a, "rrw"), u / 0.01, 1e-12, "a rrw");
    // MTBF of a = 2·0.99/0.01 = 198 h; doubled: U_a = 2/398, and halving the MTTR gives
    // 1/199, the same; U' = 1 − (1 − 1/199)·0.99, a change of (U' − U)·525960 min.
    let changed = (1.0 - (1.0 - 1.0 / 199.0) * 0.99 - u) * MINUTES_PER_YEAR;
    assert_close(
        f(&a, "downtime_change_mtbf_x2_minutes"),
        changed,
        1e-9,
        "a mtbf",
    );
    assert_close(
        f(&a, "downtime_change_mttr_half_minutes"),
        changed,
        1e-9,
        "a mttr",
    );

    // b, one of the two copies: U(b down) = 1 − 0.99·0.9 = 0.109, U(b up) = 0.01.
    let b = item("b");
    assert_eq!(b["kind"], "component");
    assert_close(f(&b, "birnbaum"), 0.99 * 0.1, 1e-12, "b birnbaum");
    assert_close(f(&b, "raw"), (1.0 - 0.99 * 0.9) / u, 1e-12, "b raw");
    assert_close(f(&b, "rrw"), u / 0.01, 1e-12, "b rrw");
    assert_close(f(&b, "criticality"), (u - 0.01) / u, 1e-12, "b criticality");
    // MTBF of b = 4·0.9/0.1 = 36 h; one copy with 72 h: U_b = 4/76, the pair 0.1·4/76.
    let changed = (1.0 - 0.99 * (1.0 - 0.1 * 4.0 / 76.0) - u) * MINUTES_PER_YEAR;
    assert_close(
        f(&b, "downtime_change_mtbf_x2_minutes"),
        changed,
        1e-9,
        "b mtbf",
    );

    // The pair block: U(pair down) = 1, U(pair up) = 0.01; its MTBF change doubles both b.
    let pair = item("pair");
    assert_eq!(pair["kind"], "block");
    assert_close(f(&pair, "birnbaum"), 0.99, 1e-12, "pair birnbaum");
    let changed = (1.0 - 0.99 * (1.0 - (4.0f64 / 76.0).powi(2)) - u) * MINUTES_PER_YEAR;
    assert_close(
        f(&pair, "downtime_change_mtbf_x2_minutes"),
        changed,
        1e-9,
        "pair mtbf",
    );

    // Savings: pair 3765 min > a 2590 min > b 2466 min.
    let order: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(order, ["pair", "a", "b"]);
}

#[test]
fn sensitivity_table_says_what_to_fix_first() {
    nines()
        .arg("sensitivity")
        .arg(three_tier())
        .assert()
        .success()
        .stdout(predicates::str::contains("fix first"))
        .stdout(predicates::str::contains("tor_switch"));
}

#[test]
fn sensitivity_plot_writes_a_tornado_chart() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("tornado.svg");
    nines()
        .arg("sensitivity")
        .arg(three_tier())
        .arg("--plot")
        .arg(&chart)
        .assert()
        .success();
    let svg = parse_svg(&chart);
    let document = roxmltree::Document::parse(&svg).unwrap();
    let text: String = document
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    for name in ["tor_switch", "data_tier", "db_node"] {
        assert!(text.contains(name), "tornado has no bar label {name}");
    }
    // Named after the model without a file.
    let out = dir.path().join("charts");
    nines()
        .arg("sensitivity")
        .arg(three_tier())
        .args(["--plot", "-o"])
        .arg(&out)
        .assert()
        .success();
    parse_svg(&out.join("three-tier-tornado.svg"));
}
