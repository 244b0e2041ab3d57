//! Time distributions (`failure_dist`, `repair_dist`, `failover_dist`) and the SLA keys of
//! `[target]` (`window`, `max_breach_probability`), through the real binary: valid forms load,
//! every mistake exits 2 with a message that names file:line:column, `--set` reaches them.

use crate::common;
use common::{json_lines, model_file, nines, path, rejects};

/// A model: `target` (a `[target]` table or nothing), a component `web` with `web_lines`,
/// a standby pair of `db` with `system_lines`, both in series under `service`.
fn full(target: &str, web_lines: &str, system_lines: &str) -> String {
    format!(
        "top = \"service\"\n{target}\n[component.web]\nmtbf = \"1000h\"\nmttr = \"2h\"\n{web_lines}\n\n[component.db]\nmtbf = \"4380h\"\nmttr = \"4h\"\n\n[block.system]\nkind = \"standby\"\nof = \"db\"\ncount = 2\nfailover = \"30s\"\n{system_lines}\n\n[block.service]\nkind = \"series\"\nmembers = [\"web\", \"system\"]\n"
    )
}

/// `file:line:column` (1-based, in characters) where `needle` first occurs in `text`, with
/// the line end that follows it in a rendered diagnostic (so `:4` cannot match `:43`).
fn at(file: &str, text: &str, needle: &str) -> String {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"));
    let line = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..start].chars().count() + 1;
    format!("{file}:{line}:{column}\n")
}

/// Rejects a model whose `web` component has `line`, and requires the error to point at
/// `point` (a text that starts where the error is) plus every needle.
fn rejects_web_line(line: &str, point: &str, needles: &[&str]) {
    let text = full("", line, "");
    let location = at("bad.toml", &text, point);
    let mut all = vec![location.as_str()];
    all.extend_from_slice(needles);
    rejects(&text, &all);
}

/// Runs `solve --format json` with overrides; returns the JSON object or panics with stderr.
fn solve_json(text: &str, sets: &[&str]) -> serde_json::Value {
    let (_dir, file) = model_file("m.toml", text);
    let mut command = nines();
    command.args(["solve", "--format", "json"]).arg(&file);
    for set in sets {
        command.args(["--set", set]);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output.stdout).remove(0)
}

/// Runs `solve` with overrides and requires exit 2 and every needle in stderr.
fn override_rejected(text: &str, sets: &[&str], needles: &[&str]) {
    let (_dir, file) = model_file("m.toml", text);
    let mut command = nines();
    command.arg("solve").arg(&file);
    for set in sets {
        command.args(["--set", set]);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{sets:?}:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "missing `{needle}` in:\n{stderr}");
    }
}

#[test]
fn every_distribution_form_loads() {
    let text = full(
        "[target]\navailability = \"99.9%\"\nwindow = \"30d\"\nmax_breach_probability = \"1%\"\n",
        "failure_dist = { dist = \"weibull\", shape = 1.5 }\nrepair_dist = { dist = \"lognormal\", sigma = 0.8 }",
        "failover_dist = { dist = \"gamma\", shape = 2 }",
    );
    let (_dir, file) = model_file("ok.toml", &text);
    nines().arg("validate").arg(&file).assert().success();
    for table in [
        "{ dist = \"exponential\" }",
        "{ dist = \"fixed\" }",
        "{ dist = \"gamma\", shape = 0.5 }",
        "{ dist = \"weibull\", shape = 100 }",
        "{ dist = \"lognormal\", sigma = 10 }",
    ] {
        let text = full(
            "",
            &format!("failure_dist = {table}\nrepair_dist = {table}"),
            &format!("failover_dist = {table}"),
        );
        let (_dir, file) = model_file("ok.toml", &text);
        nines().arg("validate").arg(&file).assert().success();
    }
    let sub_table = full(
        "",
        "[component.web.repair_dist]\ndist = \"weibull\"\nshape = 2",
        "",
    );
    let (_dir, file) = model_file("ok.toml", &sub_table);
    nines().arg("validate").arg(&file).assert().success();
}

#[test]
fn the_exact_solver_uses_only_the_means() {
    let plain = full("", "", "");
    let shaped = full(
        "",
        "failure_dist = { dist = \"weibull\", shape = 2 }\nrepair_dist = { dist = \"fixed\" }",
        "failover_dist = { dist = \"lognormal\", sigma = 1 }",
    );
    let plain = solve_json(&plain, &[]);
    let shaped = solve_json(&shaped, &[]);
    assert_eq!(plain["unavailability"], shaped["unavailability"]);
    assert_eq!(plain["failures_per_year"], shaped["failures_per_year"]);
}

#[test]
fn the_sla_example_model_loads_and_meets_its_target() {
    let example = path("models/web-pool-sla.toml");
    nines().arg("validate").arg(&example).assert().success();
    nines().arg("check").arg(&example).assert().success();
}

#[test]
fn unknown_distribution_names_are_rejected_with_a_suggestion() {
    rejects_web_line(
        "repair_dist = { dist = \"weibul\", shape = 2 }",
        "weibul\"",
        &["unknown distribution `weibul`", "did you mean `weibull`?"],
    );
    for written in ["log-normal", "log_normal", "LogNormal"] {
        rejects_web_line(
            &format!("repair_dist = {{ dist = \"{written}\", sigma = 1 }}"),
            &format!("{written}\""),
            &[
                &format!("unknown distribution `{written}`"),
                "did you mean `lognormal`?",
            ],
        );
    }
    rejects_web_line(
        "repair_dist = { dist = \"normal\", sigma = 1 }",
        "normal\"",
        &["distributions: exponential, weibull, lognormal, gamma, fixed"],
    );
    rejects_web_line(
        "repair_dist = { dist = 3 }",
        "3 }",
        &["`repair_dist.dist` must be a string"],
    );
}

#[test]
fn a_missing_dist_or_parameter_is_rejected() {
    rejects_web_line(
        "failure_dist = { shape = 2 }",
        "{ shape",
        &["`failure_dist` of [component.web] needs `dist`"],
    );
    rejects_web_line(
        "repair_dist = { dist = \"weibull\" }",
        "weibull\"",
        &["needs `shape`", "add e.g. shape = 1.5"],
    );
    rejects_web_line(
        "repair_dist = { dist = \"gamma\" }",
        "gamma\"",
        &["needs `shape`"],
    );
    rejects_web_line(
        "repair_dist = { dist = \"lognormal\" }",
        "lognormal\"",
        &["needs `sigma`", "add e.g. sigma = 0.8"],
    );
}

#[test]
fn parameters_must_be_finite_and_in_range() {
    let cases: &[(&str, &str, &str)] = &[
        ("weibull", "shape = 0", "must be greater than 0"),
        ("weibull", "shape = -1.5", "must be greater than 0"),
        (
            "weibull",
            "shape = 0.04",
            "too small for weibull (allowed 0.05 to 100)",
        ),
        (
            "weibull",
            "shape = 101",
            "too large for weibull (allowed 0.05 to 100)",
        ),
        (
            "gamma",
            "shape = 0.005",
            "too small for gamma (allowed 0.01 to 1e6)",
        ),
        ("gamma", "shape = 2e6", "too large for gamma"),
        ("lognormal", "sigma = 0", "must be greater than 0"),
        ("lognormal", "sigma = 10.5", "too large for lognormal"),
        ("lognormal", "sigma = inf", "must be a finite number"),
        ("gamma", "shape = nan", "must be a finite number"),
        (
            "weibull",
            "shape = \"1.5\"",
            "`repair_dist.shape` must be a number",
        ),
    ];
    for (dist, parameter, message) in cases {
        let value = parameter.split(" = ").nth(1).unwrap();
        rejects_web_line(
            &format!("repair_dist = {{ dist = \"{dist}\", {parameter} }}"),
            // A string's span starts after its opening quote.
            &format!("{} }}", value.trim_start_matches('"')),
            &[message],
        );
    }
    // The messages say why extreme shapes are refused.
    rejects_web_line(
        "repair_dist = { dist = \"weibull\", shape = 0.01 }",
        "0.01 }",
        &["numerically meaningless"],
    );
    rejects_web_line(
        "repair_dist = { dist = \"weibull\", shape = 500 }",
        "500 }",
        &["write dist = \"fixed\""],
    );
}

#[test]
fn a_parameter_of_another_distribution_is_rejected() {
    rejects_web_line(
        "repair_dist = { dist = \"weibull\", shape = 2, sigma = 1 }",
        "sigma = 1",
        &[
            "`sigma` does not apply to dist = \"weibull\"",
            "weibull takes `shape`, not `sigma`",
        ],
    );
    rejects_web_line(
        "repair_dist = { dist = \"fixed\", shape = 2 }",
        "shape = 2",
        &[
            "`shape` does not apply to dist = \"fixed\"",
            "fixed takes no parameters",
        ],
    );
    rejects_web_line(
        "failure_dist = { dist = \"lognormal\", sigma = 1, shape = 2 }",
        "shape = 2",
        &["lognormal takes `sigma`, not `shape`"],
    );
    rejects_web_line(
        "failure_dist = { dist = \"exponential\", sigma = 1 }",
        "sigma = 1",
        &["exponential takes no parameters"],
    );
}

#[test]
fn unknown_keys_in_a_distribution_are_rejected_with_suggestions() {
    rejects_web_line(
        "repair_dist = { dist = \"weibull\", shap = 2 }",
        "shap = 2",
        &[
            "unknown key `shap` in `repair_dist` of [component.web]",
            "did you mean `shape`?",
        ],
    );
    rejects_web_line(
        "repair_dist = { dist = \"weibull\", shape = 2, mean = \"3h\" }",
        "mean =",
        &[
            "unknown key `mean`",
            "the mean always comes from mttr (or repair_rate)",
        ],
    );
    rejects_web_line(
        "failure_dist = { dist = \"gamma\", shape = 2, scale = 100 }",
        "scale =",
        &["the mean always comes from mtbf"],
    );
}

#[test]
fn a_value_that_is_not_a_table_shows_the_table_to_write() {
    rejects_web_line(
        "repair_dist = \"weibull\"",
        "weibull\"",
        &[
            "`repair_dist` must be a table naming a distribution",
            "found a string",
            "write e.g. repair_dist = { dist = \"weibull\", shape = 1.5 }",
        ],
    );
    rejects_web_line(
        "failure_dist = \"fixed\"",
        "fixed\"",
        &["write e.g. failure_dist = { dist = \"fixed\" }"],
    );
    rejects_web_line("repair_dist = 1.5", "1.5", &["found a number", "{ dist = "]);
}

#[test]
fn distribution_keys_are_checked_where_they_belong() {
    // failover_dist is for standby blocks only.
    let text = format!(
        "{}\n[block.pair]\nkind = \"parallel\"\nof = \"web\"\ncount = 2\nfailover_dist = {{ dist = \"fixed\" }}\n",
        full("", "", "")
    );
    rejects(
        &text,
        &[
            &at("bad.toml", &text, "{ dist = \"fixed\" }\n"),
            "`failover_dist` only applies to kind = \"standby\" (this block is parallel)",
        ],
    );
    rejects_web_line(
        "failover_dist = { dist = \"fixed\" }",
        "failover_dist",
        &["`failover_dist` belongs to a standby block, not to [component.web]"],
    );
    let text = full("", "", "repair_dist = { dist = \"fixed\" }");
    rejects(
        &text,
        &[
            &at("bad.toml", &text, "repair_dist"),
            "`repair_dist` belongs to a component, not to [block.system]",
        ],
    );
    // Errors in failover_dist are reported with those of the other standby keys.
    let text = full(
        "",
        "",
        "coverage = 0.9\nfailover_dist = { dist = \"lognormal\", sigma = 20 }",
    );
    let stderr = rejects(
        &text,
        &[
            &at("bad.toml", &text, "20 }"),
            "`failover_dist.sigma` = 20 is too large",
            "coverage < 1 but no `manual_failover`",
        ],
    );
    assert!(stderr.contains("2 problems found"), "{stderr}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = full(
        "[target]\nnines = 4\nwindow = \"0s\"\n",
        "failure_dist = { dist = \"weibul\", shape = 2 }\nrepair_dist = { dist = \"fixed\", sigma = 1 }",
        "failover_dist = \"lognormal\"",
    );
    let stderr = rejects(
        &text,
        &[
            &at("bad.toml", &text, "0s\""),
            &at("bad.toml", &text, "weibul\""),
            &at("bad.toml", &text, "sigma = 1"),
            &at("bad.toml", &text, "lognormal\"\n"),
        ],
    );
    assert!(stderr.contains("4 problems found"), "{stderr}");
}

#[test]
fn target_window_and_breach_probability_are_validated() {
    let target = |lines: &str| full(&format!("[target]\n{lines}\n"), "", "");
    let valid = target("availability = \"99%\"\nwindow = \"1y\"\nmax_breach_probability = 0.05");
    let (_dir, file) = model_file("ok.toml", &valid);
    nines().arg("validate").arg(&file).assert().success();
    nines().arg("check").arg(&file).assert().success();

    let cases: &[(&str, &str, &str)] = &[
        (
            "window = \"0s\"",
            "0s\"",
            "`target.window` = \"0s\" must be longer than zero",
        ),
        (
            "window = \"11y\"",
            "11y\"",
            "`target.window` = \"11y\" is longer than 10 years",
        ),
        (
            "window = 30",
            "30",
            "`target.window` must be a duration string",
        ),
        ("window = \"30 days\"", "30 days\"", "unknown unit `days`"),
        (
            "max_breach_probability = 1.5",
            "1.5",
            "`target.max_breach_probability`: 1.5 is outside 0..1",
        ),
        (
            "max_breach_probability = \"150%\"",
            "150%\"",
            "`target.max_breach_probability`: `150%` is outside 0..1",
        ),
        (
            "max_breach_probability = \"often\"",
            "often\"",
            "a probability that one window misses the target",
        ),
        ("windw = \"30d\"", "windw", "did you mean `window`?"),
    ];
    for (line, point, message) in cases {
        let text = target(&format!("nines = 4\n{line}"));
        rejects(&text, &[&at("bad.toml", &text, point), message]);
    }
}

#[test]
fn window_and_breach_probability_are_not_a_target_by_themselves() {
    let text = full(
        "[target]\nwindow = \"30d\"\nmax_breach_probability = \"1%\"\n",
        "",
        "",
    );
    rejects(
        &text,
        &[
            &at("bad.toml", &text, "target]"),
            "[target] needs one of availability, nines or max_downtime_per_year",
            "they are not one",
        ],
    );
}

#[test]
fn overrides_set_distributions_and_sla_keys() {
    let plain = full("[target]\nnines = 3\n", "", "");
    let expected = solve_json(&plain, &[]);
    for set in [
        "component.web.repair_dist.dist=fixed",
        "component.web.repair_dist={ dist = \"weibull\", shape = 2 }",
        "component.web.failure_dist={ dist = \"lognormal\", sigma = 0.5 }",
        "block.system.failover_dist.dist=exponential",
        "target.window=7d",
        "target.max_breach_probability=1%",
        "target.max_breach_probability=0.001",
    ] {
        let object = solve_json(&plain, &[set]);
        assert_eq!(
            object["unavailability"], expected["unavailability"],
            "{set}"
        );
    }
    // A whole table replaces the file's table; a dotted path edits one key of it.
    let weibull = full(
        "",
        "repair_dist = { dist = \"weibull\", shape = 1.5 }",
        "failover_dist = { dist = \"lognormal\", sigma = 0.8 }",
    );
    solve_json(
        &weibull,
        &[
            "component.web.repair_dist={ dist = \"fixed\" }",
            "block.system.failover_dist={ dist = \"gamma\", shape = 3 }",
        ],
    );
    solve_json(&weibull, &["component.web.repair_dist.shape=3"]);
    solve_json(&weibull, &["block.system.failover_dist.sigma=2"]);
}

#[test]
fn overriding_dist_alone_explains_the_parameter_left_behind() {
    let weibull = full("", "repair_dist = { dist = \"weibull\", shape = 1.5 }", "");
    override_rejected(
        &weibull,
        &["component.web.repair_dist.dist=fixed"],
        &[
            &at("m.toml", &weibull, "shape = 1.5"),
            "`shape` does not apply to dist = \"fixed\"",
            "--set changed only `dist`; to replace the whole table write --set component.web.repair_dist='{ dist = \"fixed\" }'",
        ],
    );
    override_rejected(
        &weibull,
        &["component.web.repair_dist.dist=lognormal"],
        &[
            "lognormal takes `sigma`, not `shape`",
            "needs `sigma`",
            "--set:1:",
        ],
    );
}

#[test]
fn bad_overrides_point_at_the_override() {
    let plain = full("[target]\nnines = 3\n", "", "");
    let cases: &[(&str, &str)] = &[
        (
            "component.web.repair_dist.dist=weibul",
            "did you mean `weibull`?",
        ),
        ("component.web.repair_dist.shape=2", "needs `dist`"),
        (
            "component.web.repair_dist=weibull",
            "must be a table naming a distribution",
        ),
        (
            "component.web.repair_dst.dist=fixed",
            "did you mean `repair_dist`?",
        ),
        (
            "component.web.repair_dist.mean=2h",
            "the mean always comes from mttr",
        ),
        ("block.system.failover_dist.dist=gamma", "needs `shape`"),
        ("target.window=0s", "must be longer than zero"),
        ("target.window=20y", "longer than 10 years"),
        ("target.max_breach_probability=2", "outside 0..1"),
        ("target.windw=7d", "did you mean `window`?"),
    ];
    for (set, message) in cases {
        override_rejected(&plain, &[set], &["--set:1:", message]);
    }
}
