//! `nines fit` through the real binary: the bundled incident log in every format, the TOML
//! pasted into a model that then solves and reports its evidence, the charts, and every input
//! error located with exit 2. Expected values are derived by hand in the comments.

use crate::common;
use common::{json_lines, model_file, nines, path};

/// A log of one component with three incidents over a 10-day period (2026-01-01 to the last
/// end, 2026-01-11 00:00 = 240 h), 2 units: exposure 2 · 240 − (4 + 1 + 9) = 466 unit-hours.
const LOG: &str = "component,start,end,units\n\
    db,2026-01-02 00:00,2026-01-02 04:00,2\n\
    db,2026-01-05 00:00,2026-01-05 01:00,2\n\
    db,2026-01-10 15:00,2026-01-11 00:00,2\n";

fn fit_json(log: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let (_dir, file) = model_file("incidents.csv", log);
    let output = nines()
        .arg("fit")
        .arg(&file)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output.stdout)
}

#[test]
fn json_gives_mtbf_and_mttr_with_chi_squared_intervals() {
    let objects = fit_json(LOG, &["--from", "2026-01-01"]);
    assert_eq!(objects.len(), 1);
    let db = &objects[0];
    assert_eq!(db["failures"], 3);
    assert_eq!(db["exposure_hours"], 466.0);
    // MTBF = 466/3 h; 90 %: [2·466/χ²_0.95(8), 2·466/χ²_0.05(6)] with χ²_0.95(8) = 15.50731306
    // and χ²_0.05(6) = 1.63538289 (scipy.stats.chi2.ppf).
    let close = |value: &serde_json::Value, expected: f64| {
        let value = value.as_f64().unwrap();
        assert!(
            ((value - expected) / expected).abs() < 1e-8,
            "{value} vs {expected}"
        );
    };
    close(&db["mtbf_hours"], 466.0 / 3.0);
    close(
        &db["mtbf_hours_interval"][0],
        932.0 / 15.507_313_055_865_453,
    );
    close(
        &db["mtbf_hours_interval"][1],
        932.0 / 1.635_382_894_327_906_7,
    );
    // MTTR = 14/3 h with the same interval on 14 repair-hours.
    close(&db["mttr_hours"], 14.0 / 3.0);
    close(&db["mttr_hours_interval"][0], 28.0 / 15.507_313_055_865_453);
    let fits = db["repair_fits"].as_array().unwrap();
    let names: Vec<&str> = fits
        .iter()
        .map(|f| f["distribution"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["exponential", "lognormal", "weibull", "gamma"]);
    for fit in fits {
        for key in ["parameters", "log_likelihood", "aic", "ks"] {
            assert!(fit.get(key).is_some(), "{key} in {fit}");
        }
    }
    // The best is the lowest AIC.
    let lowest = fits
        .iter()
        .min_by(|a, b| {
            a["aic"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["aic"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(db["best"], lowest["distribution"]);
}

#[test]
fn an_open_incident_is_a_censored_repair_and_no_failure_gives_a_lower_bound() {
    // The third incident is still open at --to 2026-01-11: its repair (9 h so far) is
    // censored, so MTTR = (4 + 1 + 9) / 2 completed = 7 h.
    let open = LOG.replace("2026-01-11 00:00,2", ",2");
    let objects = fit_json(&open, &["--from", "2026-01-01", "--to", "2026-01-11"]);
    assert_eq!(objects[0]["mttr_hours"], 7.0);
    assert_eq!(objects[0]["failures"], 3);
    // A component whose only incident starts before --from has no failure in the period: no
    // MTBF estimate, only a lower bound (upper end null).
    let objects = fit_json(LOG, &["--from", "2026-01-06"]);
    assert_eq!(objects[0]["failures"], 1);
    let before = fit_json(
        "component,start,end\nweb,2025-12-31 00:00,2025-12-31 01:00\nweb,2026-01-03 00:00,2026-01-03 01:00\n",
        &["--from", "2026-01-04", "--to", "2026-01-05"],
    );
    assert_eq!(before[0]["failures"], 0);
    assert!(before[0]["mtbf_hours"].is_null());
    assert!(before[0]["mtbf_hours_interval"][1].is_null());
}

#[test]
fn the_toml_pastes_into_a_model_that_solves_and_reports_its_evidence() {
    let log = path("examples/incidents.csv");
    let output = nines()
        .args([
            "fit",
            "--from",
            "2025-01-01",
            "--to",
            "2026-01-01",
            "--format",
            "toml",
        ])
        .arg(&log)
        .output()
        .unwrap();
    assert!(output.status.success());
    let fragment = String::from_utf8(output.stdout).unwrap();
    assert!(
        fragment.contains("[component.db_node.evidence]"),
        "{fragment}"
    );
    let model = format!(
        "top = \"system\"\n[block.system]\nkind = \"series\"\nmembers = [\"web\", \"db\"]\n\
         [block.web]\nkind = \"k-of-n\"\nk = 4\nof = \"web_node\"\ncount = 6\n\
         [block.db]\nkind = \"parallel\"\nof = \"db_node\"\ncount = 2\n{fragment}"
    );
    let (dir, file) = model_file("fitted.toml", &model);
    nines().arg("solve").arg(&file).assert().success();
    let reports = dir.path().join("reports");
    nines()
        .arg("report")
        .arg(&file)
        .arg("-o")
        .arg(&reports)
        .assert()
        .success();
    let markdown = std::fs::read_to_string(reports.join("fitted.md")).unwrap();
    assert!(markdown.contains("## Evidence"), "{markdown}");
    assert!(markdown.contains("| db\\_node |"), "{markdown}");
}

#[test]
fn the_table_and_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let output = nines()
        .arg("fit")
        .arg(path("examples/incidents.csv"))
        .args(["--plot", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "MTBF 90%",
        "best repair fit",
        "web_node",
        "db_node",
        "lognormal",
    ] {
        assert!(table.contains(needle), "{needle} in\n{table}");
    }
    let svg = std::fs::read_to_string(dir.path().join("incidents-fit-db_node.svg")).unwrap();
    assert!(svg.contains("observed") && svg.contains("weibull"));
}

/// Runs `fit` on `log`; requires exit 2 and every needle in stderr.
fn refused(log: &str, args: &[&str], needles: &[&str]) {
    let (_dir, file) = model_file("incidents.csv", log);
    let output = nines().arg("fit").arg(&file).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "missing `{needle}` in:\n{stderr}");
    }
}

#[test]
fn bad_logs_are_refused_with_their_line_and_column() {
    refused(
        "component,begin,end\ndb,2026-01-01 00:00,2026-01-01 01:00\n",
        &[],
        &["error[bad-csv]", "no column `start`", "incidents.csv:1:1"],
    );
    refused(
        "component,start,end\ndb,2026-01-01 05:00,2026-01-01 01:00\n",
        &[],
        &[
            "error[bad-incident]",
            "before its start",
            "incidents.csv:2:21",
        ],
    );
    refused(
        "component,start,end\ndb,01/02/2026,2026-01-01 01:00\n",
        &[],
        &[
            "error[bad-date]",
            "`01/02/2026` is not a date-time",
            "incidents.csv:2:4",
        ],
    );
    refused(
        "component,start,end\n\
         db,2026-01-01 00:00,2026-01-01 05:00\n\
         db,2026-01-01 01:00,2026-01-01 02:00\n",
        &[],
        &["2 incidents of `db` are open at once", "incidents.csv:3:1"],
    );
    refused(LOG, &["--confidence", "120%"], &["--confidence `120%`"]);
    refused(
        LOG,
        &["--from", "soon"],
        &["--from `soon` is not a date-time"],
    );
    refused(
        LOG,
        &["--from", "2027-01-01"],
        &["observation period is empty"],
    );
    refused("", &[], &["empty"]);
}

#[test]
fn fit_help_has_examples_and_exit_codes() {
    let output = nines().args(["fit", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        help.contains("Examples:") && help.contains("Exit codes:"),
        "{help}"
    );
}
