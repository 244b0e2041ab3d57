//! `nines budget` through the real binary: downtime budgets, the reverse (`--downtime`), series
//! composites, JSON, and every input error with exit 2. Expected values are derived by hand in
//! the comments, independently of the code.

use crate::common;
use common::{json_lines, nines};
use predicates::prelude::*;

/// Runs `nines budget ARGS --format json` and returns its single JSON object.
fn budget_json(args: &[&str]) -> serde_json::Value {
    let output = nines()
        .arg("budget")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut objects = json_lines(&output.stdout);
    assert_eq!(objects.len(), 1, "exactly one JSON object");
    objects.remove(0)
}

fn number(object: &serde_json::Value, key: &str) -> f64 {
    object[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} in {object}"))
}

fn seconds(object: &serde_json::Value, period: &str) -> f64 {
    object["downtime_seconds"][period]
        .as_f64()
        .unwrap_or_else(|| panic!("downtime_seconds.{period} in {object}"))
}

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs()
}

#[test]
fn budget_of_99_95_percent_per_period() {
    // U = 0.0005 exactly (from the decimal text, not 1 − 0.9995).
    // year    8766 h × 0.0005 = 4.383 h = 15778.8 s
    // quarter 2191.5 h × 0.0005 = 1.09575 h = 3944.7 s
    // month   730.5 h × 0.0005 = 0.36525 h = 1314.9 s
    // week    168 h × 0.0005 = 0.084 h = 302.4 s
    // day     24 h × 0.0005 = 0.012 h = 43.2 s
    for form in ["99.95%", "0.9995"] {
        let object = budget_json(&[form]);
        assert_eq!(number(&object, "unavailability"), 5e-4, "{form}");
        assert_eq!(number(&object, "availability"), 0.9995, "{form}");
        // −log10(5e-4) = 4 − log10 5 = 4 − 0.69897 = 3.30103
        assert!(close(number(&object, "nines"), 3.301_029_995_7, 1e-10));
        for (period, expected) in [
            ("year", 15778.8),
            ("quarter", 3944.7),
            ("month", 1314.9),
            ("week", 302.4),
            ("day", 43.2),
        ] {
            assert!(
                close(seconds(&object, period), expected, 1e-12),
                "{form} {period}: {object}"
            );
        }
        assert!(object["downtime_seconds"].get("window").is_none());
        assert!(object.get("parts").is_none());
    }
}

#[test]
fn budget_table_is_aligned_and_readable() {
    // 4.383 h = 4 h 22.98 m → "4h 23m"; the month 1314.9 s = 21.915 m → "21.9m"; the day 43.2 s.
    let output = nines().args(["budget", "99.95%"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("availability    99.95%  (3.30 nines)"),
        "{text}"
    );
    assert!(text.contains("unavailability  5.000e-4"), "{text}");
    let year = text
        .lines()
        .find(|l| l.trim_start().starts_with("year"))
        .unwrap();
    assert!(
        year.contains("4h 23m") && year.ends_with("15778.8"),
        "{text}"
    );
    let month = text
        .lines()
        .find(|l| l.trim_start().starts_with("month"))
        .unwrap();
    assert!(
        month.contains("21.9m") && month.ends_with("1314.9"),
        "{text}"
    );
    let day = text
        .lines()
        .find(|l| l.trim_start().starts_with("day"))
        .unwrap();
    assert!(day.contains("43.2s") && day.ends_with("43.2"), "{text}");
    // Right-aligned columns: every period row ends at the same column.
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("period"))
        .collect();
    assert_eq!(rows.len(), 6, "{text}");
    let width = rows[0].chars().count();
    assert!(rows.iter().all(|r| r.chars().count() == width), "{text}");
}

#[test]
fn budget_with_a_window() {
    // 99.9% over 30 d: 720 h × 0.001 = 0.72 h = 43.2 min = 2592 s.
    let object = budget_json(&["99.9%", "--window", "30d"]);
    assert!(close(seconds(&object, "window"), 2592.0, 1e-12), "{object}");
    // year 8766 h × 0.001 = 8.766 h = 31557.6 s
    assert!(close(seconds(&object, "year"), 31557.6, 1e-12), "{object}");
    nines()
        .args(["budget", "99.9%", "--window", "30d"])
        .assert()
        .success()
        .stdout(predicate::str::contains("window   30d"))
        .stdout(predicate::str::contains("43.2m"))
        .stdout(predicate::str::contains("2592"));
}

#[test]
fn reverse_gives_the_availability_of_a_downtime() {
    // U = 4 h / 8766 h = 4.563084645e-4; A = 1 − U = 0.9995436915 = 99.954369%;
    // nines = −log10(4.563084645e-4) = 4 − log10(4.563084645) = 4 − 0.6592585 = 3.3407415.
    for args in [
        &["--downtime", "4h", "--window", "1y"][..],
        &["--downtime", "4h"][..],
    ] {
        let object = budget_json(args);
        assert!(close(
            number(&object, "unavailability"),
            4.563_084_645e-4,
            1e-9
        ));
        assert!(close(
            number(&object, "availability"),
            0.999_543_691_5,
            1e-10
        ));
        assert!(
            (number(&object, "nines") - 3.340_74).abs() < 1e-5,
            "{object}"
        );
        // The budgets at that availability: the year holds exactly the 4 h = 14400 s,
        // a quarter 1 h = 3600 s, a day 24 × 4/8766 h = 0.010951 h = 39.425 s.
        assert!(close(seconds(&object, "year"), 14400.0, 1e-12));
        assert!(close(seconds(&object, "quarter"), 3600.0, 1e-12));
        assert!(close(seconds(&object, "day"), 39.425_051, 1e-7));
    }
    // With --window given, its own budget is the downtime itself.
    let object = budget_json(&["--downtime", "4h", "--window", "1y"]);
    assert!(close(seconds(&object, "window"), 14400.0, 1e-12));
    // 43.2 min in 30 d is 99.9%: U = 0.72 h / 720 h = 0.001.
    let object = budget_json(&["--downtime", "43.2m", "--window", "30d"]);
    assert!(close(number(&object, "unavailability"), 1e-3, 1e-12));
    nines()
        .args(["budget", "--downtime", "4h", "--window", "1y"])
        .assert()
        .success()
        // A = 1 − 4/8766 = 99.954369…%, shown rounded down (U rounded up): 99.9543%.
        .stdout(predicate::str::contains("99.9543%  (3.34 nines)"));
}

#[test]
fn zero_downtime_is_full_availability_with_infinite_nines() {
    let object = budget_json(&["--downtime", "0s"]);
    assert_eq!(number(&object, "unavailability"), 0.0);
    assert!(object["nines"].is_null());
}

#[test]
fn composite_is_the_series_product_of_its_parts() {
    // A = 0.999 × 0.9995 × 0.9999:
    //   0.999 × 0.9995 = 0.9985005
    //   0.9985005 × 0.9999 = 0.9985005 − 0.00009985005 = 0.99840064995
    // U = 1 − A = 0.00159935005; by inclusion–exclusion with U = 1e-3, 5e-4, 1e-4:
    //   ΣUᵢ − ΣUᵢUⱼ + ΠUᵢ = 1.6e-3 − (5e-7 + 1e-7 + 5e-8) + 5e-11 = 0.00159935005 ✓
    // nines = −log10(0.00159935005) = 2.796056
    // year 8766 h × 0.00159935005 = 14.01990254 h = 50471.649 s
    let object = budget_json(&["99.9%", "99.95%", "99.99%"]);
    assert!(close(
        number(&object, "availability"),
        0.998_400_649_95,
        1e-14
    ));
    assert!(close(
        number(&object, "unavailability"),
        0.001_599_350_05,
        1e-12
    ));
    assert!((number(&object, "nines") - 2.796_056).abs() < 1e-6);
    assert!(close(seconds(&object, "year"), 50_471.649_137_88, 1e-11));
    let parts: Vec<f64> = object["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| p.as_f64().unwrap())
        .collect();
    assert_eq!(parts, [0.999, 0.9995, 0.9999]);
    nines()
        .args(["budget", "99.9%", "99.95%", "99.99%"])
        .assert()
        .success()
        .stdout(predicate::str::contains("part 1          99.9%"))
        .stdout(predicate::str::contains("part 3          99.99%"))
        .stdout(predicate::str::contains(
            "availability    99.84%  (2.80 nines)",
        ))
        .stdout(predicate::str::contains("14h 1m"));
}

#[test]
fn composite_of_tiny_unavailabilities_keeps_its_digits() {
    // U = 1 − (1 − 1e-12)(1 − 2e-12) = 3e-12 − 2e-24. 1 − ΠAᵢ in doubles would be off by up
    // to an ulp of 1 (1.1e-16), a relative error near 4e-5; the 1e-12 tolerance needs more.
    let object = budget_json(&["99.9999999999%", "99.9999999998%"]);
    assert!(
        close(number(&object, "unavailability"), 3e-12, 1e-12),
        "{object}"
    );
}

#[test]
fn full_availability_has_zero_budgets_and_null_nines() {
    for form in ["100%", "1"] {
        let object = budget_json(&[form, "--window", "30d"]);
        assert_eq!(number(&object, "unavailability"), 0.0);
        assert_eq!(number(&object, "availability"), 1.0);
        assert!(object["nines"].is_null());
        for period in ["year", "quarter", "month", "week", "day", "window"] {
            assert_eq!(seconds(&object, period), 0.0, "{period}");
        }
    }
    nines()
        .args(["budget", "100%"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(∞ nines)"));
}

#[test]
fn bad_availabilities_exit_2_naming_the_value() {
    for (value, message) in [
        ("0%", "`0%` must be above 0"),
        ("0", "`0` must be above 0"),
        ("101%", "`101%` is outside"),
        ("1.5", "`1.5` is outside"),
        ("-0.1", "`-0.1` is outside"),
        ("abc", "`abc` is not a fraction or percentage"),
    ] {
        nines()
            .args(["budget", value])
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(message));
    }
    // One bad part spoils a composite.
    nines()
        .args(["budget", "99.9%", "abc"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`abc`"));
}

#[test]
fn bad_downtimes_and_windows_exit_2_naming_the_option() {
    for (args, message) in [
        (
            &["--downtime", "2y", "--window", "1y"][..],
            "--downtime `2y` is longer than --window `1y`",
        ),
        (&["--downtime", "25h", "--window", "1d"][..], "longer than"),
        (&["--downtime", "4x"][..], "--downtime unknown unit `x`"),
        (
            &["--downtime", "4"][..],
            "--downtime duration `4` has no unit",
        ),
        (
            &["99.9%", "--window", "soon"][..],
            "--window `soon` is not a duration",
        ),
        (&["99.9%", "--window", "0d"][..], "--window `0d` is zero"),
        (
            &["99.9%", "--downtime", "4h"][..],
            "either availabilities or --downtime, not both",
        ),
        (&[][..], "give an availability"),
    ] {
        nines()
            .arg("budget")
            .args(args)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn budget_help_has_examples_and_exit_codes() {
    nines()
        .args(["budget", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains(
            "nines budget --downtime 4h --window 1y",
        ))
        .stdout(predicate::str::contains("Exit codes:"));
}

#[test]
fn an_availability_of_zero_nines_never_shows_negative_zero() {
    // 40 parts of 1e-10: the product 1e-400 underflows to 0 and U rounds to 1, so
    // −log10 U = −0 in floating point; shown as 0.
    let parts = vec!["1e-10"; 40];
    let downtime_of_a_year = ["--downtime", "1y"];
    for args in [&parts[..], &downtime_of_a_year[..]] {
        let json = nines()
            .arg("budget")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(json.status.success());
        let text = String::from_utf8(json.stdout).unwrap();
        assert!(!text.contains("-0"), "{text}");
        let object: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(number(&object, "nines"), 0.0, "{object}");
        assert_eq!(number(&object, "unavailability"), 1.0, "{object}");
        let table = nines().arg("budget").args(args).output().unwrap();
        assert!(table.status.success());
        let text = String::from_utf8(table.stdout).unwrap();
        assert!(!text.contains("-0"), "{text}");
        assert!(text.contains("availability    0%  (0.00 nines)"), "{text}");
    }
    // The underflow is said, with the size of the product.
    nines()
        .arg("budget")
        .args(&parts)
        .assert()
        .success()
        .stderr(predicate::str::contains("about 1e-400"));
}

#[test]
fn a_tiny_availability_is_accepted_and_one_that_rounds_to_zero_is_named() {
    // 1e-17 is above 0; U = 1 − 1e-17 rounds to 1, so the budget is the whole period.
    let object = budget_json(&["1e-17"]);
    assert_eq!(number(&object, "availability"), 1e-17);
    assert_eq!(number(&object, "unavailability"), 1.0);
    assert_eq!(number(&object, "nines"), 0.0);
    assert_eq!(seconds(&object, "day"), 86400.0);
    nines()
        .args(["budget", "1e-400"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "`1e-400` is too small: it rounds to 0",
        ));
}
