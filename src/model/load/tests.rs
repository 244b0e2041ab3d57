//! Tests of the loader: distributions, targets and overrides.

use super::dist::dist_suggestion;
use super::limits::MAX_WINDOW_HOURS;
use super::*;
use crate::model::{BlockKind, TimeDist};

const HEAD: &str = "[component.a]\nmtbf = \"1000h\"\nmttr = \"2h\"\n";
const SYSTEM: &str = "[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n";

fn load(text: &str, sets: &[&str]) -> Result<Model, Vec<Diagnostic>> {
    let overrides: Vec<Override> = sets
        .iter()
        .map(|set| Override::parse(set).expect("well-formed override"))
        .collect();
    load_model("m.toml", text, &overrides)
        .map(|loaded| loaded.model)
        .map_err(|invalid| invalid.diagnostics)
}

fn component_with(lines: &str) -> String {
    format!("{HEAD}{lines}\n{SYSTEM}")
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn distributions_default_to_exponential() {
    let model = load(&component_with(""), &[]).unwrap();
    assert_eq!(model.components[0].failure_dist, TimeDist::Exponential);
    assert_eq!(model.components[0].repair_dist, TimeDist::Exponential);
    assert_eq!(model.target, None);
}

#[test]
fn each_distribution_decodes_to_its_time_dist() {
    let cases = [
        ("{ dist = \"exponential\" }", TimeDist::Exponential),
        ("{ dist = \"fixed\" }", TimeDist::Fixed),
        (
            "{ dist = \"weibull\", shape = 1.5 }",
            TimeDist::Weibull { shape: 1.5 },
        ),
        (
            "{ dist = \"lognormal\", sigma = 0.8 }",
            TimeDist::LogNormal { sigma: 0.8 },
        ),
        // An integer is a number.
        (
            "{ dist = \"gamma\", shape = 2 }",
            TimeDist::Gamma { shape: 2.0 },
        ),
        // The bounds themselves are allowed.
        (
            "{ dist = \"weibull\", shape = 0.05 }",
            TimeDist::Weibull { shape: 0.05 },
        ),
        (
            "{ dist = \"weibull\", shape = 100 }",
            TimeDist::Weibull { shape: 100.0 },
        ),
        (
            "{ dist = \"gamma\", shape = 0.01 }",
            TimeDist::Gamma { shape: 0.01 },
        ),
        (
            "{ dist = \"gamma\", shape = 1e6 }",
            TimeDist::Gamma { shape: 1e6 },
        ),
        (
            "{ dist = \"lognormal\", sigma = 10 }",
            TimeDist::LogNormal { sigma: 10.0 },
        ),
    ];
    for (table, expected) in cases {
        let model = load(
            &component_with(&format!("failure_dist = {table}\nrepair_dist = {table}")),
            &[],
        )
        .unwrap_or_else(|d| panic!("{table}: {d:?}"));
        assert_eq!(model.components[0].failure_dist, expected, "{table}");
        assert_eq!(model.components[0].repair_dist, expected, "{table}");
    }
}

#[test]
fn a_distribution_may_be_written_as_a_sub_table() {
    let text = format!("{HEAD}[component.a.repair_dist]\ndist = \"weibull\"\nshape = 3\n{SYSTEM}");
    let model = load(&text, &[]).unwrap();
    assert_eq!(
        model.components[0].repair_dist,
        TimeDist::Weibull { shape: 3.0 }
    );
}

#[test]
fn standby_blocks_take_a_failover_dist() {
    let text = format!(
        "{HEAD}[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\nfailover = \"30s\"\nfailover_dist = {{ dist = \"lognormal\", sigma = 0.5 }}\n"
    );
    let model = load(&text, &[]).unwrap();
    let BlockKind::Standby(standby) = &model.blocks[0].kind else {
        panic!("a standby block");
    };
    assert_eq!(standby.failover_dist, TimeDist::LogNormal { sigma: 0.5 });
    assert_eq!(standby.failover_hours, 30.0 / 3600.0);
}

#[test]
fn failover_dist_is_rejected_outside_standby_blocks() {
    let text = format!(
        "{HEAD}[block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\nfailover_dist = {{ dist = \"fixed\" }}\n"
    );
    assert_eq!(codes(&load(&text, &[]).unwrap_err()), ["unexpected-key"]);
    let on_component = component_with("failover_dist = { dist = \"fixed\" }");
    assert_eq!(
        codes(&load(&on_component, &[]).unwrap_err()),
        ["unexpected-key"]
    );
}

#[test]
fn every_problem_in_a_distribution_table_is_reported() {
    let diagnostics = load(
        &component_with(
            "failure_dist = { dist = \"weibull\", sigma = 1, scale = 2 }\nrepair_dist = { dist = \"weibul\" }",
        ),
        &[],
    )
    .unwrap_err();
    assert_eq!(
        codes(&diagnostics),
        ["missing-key", "unexpected-key", "unknown-key", "bad-value"],
        "{diagnostics:#?}"
    );
    assert!(diagnostics[2].notes[0].contains("the mean always comes from mtbf"));
    assert_eq!(diagnostics[3].label, "did you mean `weibull`?");
}

#[test]
fn out_of_range_parameters_are_rejected() {
    for table in [
        "{ dist = \"weibull\", shape = 0 }",
        "{ dist = \"weibull\", shape = 0.049 }",
        "{ dist = \"weibull\", shape = 100.5 }",
        "{ dist = \"gamma\", shape = 0.009 }",
        "{ dist = \"gamma\", shape = 2e6 }",
        "{ dist = \"lognormal\", sigma = -1 }",
        "{ dist = \"lognormal\", sigma = 10.5 }",
        "{ dist = \"lognormal\", sigma = inf }",
        "{ dist = \"gamma\", shape = nan }",
    ] {
        let diagnostics =
            load(&component_with(&format!("repair_dist = {table}")), &[]).unwrap_err();
        assert_eq!(codes(&diagnostics), ["bad-value"], "{table}");
    }
}

#[test]
fn misspelt_distribution_names_get_suggestions() {
    assert_eq!(dist_suggestion("log-normal"), Some("lognormal"));
    assert_eq!(dist_suggestion("log_normal"), Some("lognormal"));
    assert_eq!(dist_suggestion("Weibull"), Some("weibull"));
    assert_eq!(dist_suggestion("weibul"), Some("weibull"));
    assert_eq!(dist_suggestion("deterministic"), Some("fixed"));
    assert_eq!(dist_suggestion("exp"), Some("exponential"));
    assert_eq!(dist_suggestion("zzz"), None);
}

#[test]
fn target_window_and_breach_probability_are_kept() {
    let text = component_with(
        "[target]\navailability = \"99.9%\"\nwindow = \"30d\"\nmax_breach_probability = \"1%\"",
    );
    let target = load(&text, &[]).unwrap().target.unwrap();
    assert_eq!(target.window_hours, Some(720.0));
    assert_eq!(target.max_breach_probability, Some(0.01));
    assert_eq!(target.unavailability, 1e-3);

    let text = component_with("[target]\nnines = 4\nmax_breach_probability = 0.05");
    let target = load(&text, &[]).unwrap().target.unwrap();
    assert_eq!(target.window_hours, None);
    assert_eq!(target.max_breach_probability, Some(0.05));

    let overridden = load(
        &text,
        &["target.window=1y", "target.max_breach_probability=0"],
    )
    .unwrap()
    .target
    .unwrap();
    assert_eq!(overridden.window_hours, Some(8766.0));
    assert_eq!(overridden.max_breach_probability, Some(0.0));
}

#[test]
fn a_window_alone_is_not_a_target() {
    let diagnostics = load(&component_with("[target]\nwindow = \"30d\""), &[]).unwrap_err();
    assert_eq!(codes(&diagnostics), ["missing-key"]);
    assert!(diagnostics[0].notes[0].contains("qualify a target"));
}

#[test]
fn windows_must_be_positive_and_at_most_ten_years() {
    for window in ["\"0s\"", "\"10.5y\"", "30", "\"-1d\""] {
        let text = component_with(&format!("[target]\nnines = 3\nwindow = {window}"));
        assert!(load(&text, &[]).is_err(), "{window}");
    }
    let text = component_with("[target]\nnines = 3\nwindow = \"10y\"");
    assert_eq!(
        load(&text, &[]).unwrap().target.unwrap().window_hours,
        Some(MAX_WINDOW_HOURS)
    );
}

#[test]
fn overrides_create_replace_and_edit_distribution_tables() {
    let plain = component_with("");
    let created = load(&plain, &["component.a.repair_dist.dist=fixed"]).unwrap();
    assert_eq!(created.components[0].repair_dist, TimeDist::Fixed);

    let weibull = component_with("repair_dist = { dist = \"weibull\", shape = 1.5 }");
    let edited = load(&weibull, &["component.a.repair_dist.shape=3"]).unwrap();
    assert_eq!(
        edited.components[0].repair_dist,
        TimeDist::Weibull { shape: 3.0 }
    );
    let replaced = load(
        &weibull,
        &["component.a.repair_dist={ dist = \"lognormal\", sigma = 0.5 }"],
    )
    .unwrap();
    assert_eq!(
        replaced.components[0].repair_dist,
        TimeDist::LogNormal { sigma: 0.5 }
    );
    let failover = format!(
        "{HEAD}[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\nfailover = \"1m\"\n"
    );
    let standby = load(&failover, &["block.system.failover_dist.dist=fixed"]).unwrap();
    let BlockKind::Standby(standby) = &standby.blocks[0].kind else {
        panic!("a standby block");
    };
    assert_eq!(standby.failover_dist, TimeDist::Fixed);

    // Changing `dist` alone keeps the file's `shape`, which fixed does not take.
    let diagnostics = load(&weibull, &["component.a.repair_dist.dist=fixed"]).unwrap_err();
    assert_eq!(codes(&diagnostics), ["unexpected-key"]);
    assert_eq!(diagnostics[0].span.unwrap().origin, Origin::File);
    assert!(
        diagnostics[0].notes[0].contains("--set component.a.repair_dist='{ dist = \"fixed\" }'"),
        "{diagnostics:#?}"
    );
}

#[test]
fn evidence_is_read_and_checked() {
    let with = |evidence: &str| format!("{HEAD}\n[component.a.evidence]\n{evidence}\n{SYSTEM}");
    let model = load(
        &with("failures = 3\nexposure = \"2y\"\nrepairs = [\"4h\", \"30m\"]"),
        &[],
    )
    .unwrap();
    let evidence = model.components[0].evidence.as_ref().unwrap();
    // 2 years of 8766 h.
    assert_eq!(
        (evidence.failures, evidence.exposure_hours),
        (3, 2.0 * 8766.0)
    );
    assert_eq!(evidence.repair_hours, vec![4.0, 0.5]);
    // The figures the solver uses are still mtbf and mttr.
    assert_eq!(model.components[0].failure_rate, 1.0 / 1000.0);

    let diagnostics = load(&with("failures = -1\nexposure = \"2y\""), &[]).unwrap_err();
    assert_eq!(codes(&diagnostics), ["bad-value"]);
    let diagnostics = load(&with("failures = 3"), &[]).unwrap_err();
    assert_eq!(codes(&diagnostics), ["missing-key"]);
    let diagnostics = load(
        &with("failures = 3\nexposure = \"2y\"\nrepairs = \"4h\"\nseen = 1"),
        &[],
    )
    .unwrap_err();
    assert_eq!(codes(&diagnostics), ["wrong-type", "unknown-key"]);
}
