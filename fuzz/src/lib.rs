//! The whole path from bytes to results, as the fuzz targets drive it: parse and validate a
//! model (with `--set` overrides), render its diagnostics, solve, format the solution in
//! every output format, and simulate a few short runs.
//!
//! Errors are fine; panics are not. Besides "does not panic", [`run`] asserts a few
//! invariants a well-behaved path keeps: a rejected model has at least one diagnostic, every
//! diagnostic span lies inside its source on character boundaries, solved measures are in
//! [0, 1] (never NaN), JSON output parses, and a simulation the guards admit is not refused.
//! The four findings so far (spans past the text, heavy-tailed event estimates, quadratic
//! diagnostics, GTH overflow) are fixed; each has a regression test in
//! `tests/suite/fuzz_regressions.rs`. At most [`MAX_RENDERED`] diagnostics are rendered per input,
//! to keep each input fast.
//!
//! This file is also compiled into `tests/suite/fuzz_regressions.rs` (with `#[path]`), so regression
//! tests run exactly what the fuzzer ran. It uses only `nines` and `serde_json`.

use nines::diag::{Diagnostic, Origin, Sources, Span};
use nines::model::load::{Invalid, Loaded, load_model};
use nines::model::overrides::{Override, overrides_text};
use nines::model::{Model, NodeRef};
use nines::report::{self, Format, ModelResult, Verdict};
use nines::simulate::{self, Quiet, Settings, Stop};
use nines::solve::{self, Measures};
use std::collections::HashMap;

/// The file name every fuzzed model is loaded as.
pub const FILE_NAME: &str = "fuzz.toml";

/// Simulate only models that expand to at most this many units and block instances.
pub const MAX_SIM_NODES: u64 = 2_000;

/// Simulate only models expected to take at most this many events per run.
pub const MAX_SIM_EVENTS_PER_RUN: f64 = 20_000.0;

/// Runs per simulation.
pub const SIM_RUNS: u64 = 2;

/// Measured hours per run.
pub const SIM_HORIZON_HOURS: f64 = 100.0;

/// SLA window of the simulation, hours (four windows per run).
pub const SIM_WINDOW_HOURS: f64 = 25.0;

/// Diagnostics rendered per input (all are checked): rendering is the slow part of an
/// invalid input, and the first ones exercise it.
pub const MAX_RENDERED: usize = 32;

/// What became of one input.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Rejected by validation: the diagnostics' codes and their rendered text.
    Invalid {
        /// Diagnostic ids, in order.
        codes: Vec<&'static str>,
        /// The first [`MAX_RENDERED`] diagnostics rendered as the CLI shows them (no colour).
        rendered: String,
    },
    /// Valid, but beyond the exact solver: the rendered `solver-limit` diagnostic.
    SolverLimit(String),
    /// Solved.
    Solved {
        /// The system's measures.
        system: Measures,
        /// What the short simulation did.
        simulation: Simulated,
    },
}

/// What the short simulation did.
#[derive(Debug, Clone, PartialEq)]
pub enum Simulated {
    /// Not attempted: the model is too large or too busy for a fuzz iteration.
    Skipped,
    /// Attempted and refused by the simulator, with its message.
    Refused(String),
    /// Ran: the simulated system unavailability (mean over the runs).
    Ran {
        /// Mean of the per-run downtime fractions.
        unavailability: f64,
    },
}

/// The model target: bytes that are UTF-8 go down the whole path.
pub fn run_bytes(data: &[u8]) -> Option<Outcome> {
    let text = std::str::from_utf8(data).ok()?;
    Some(run(text, &[]))
}

/// The overrides target: the first line is a model index into `models`, every further line a
/// `--set` text; lines that `Override::parse` rejects are dropped (after rendering the error).
///
/// Returns `None` when the input is not UTF-8.
pub fn run_override_bytes(data: &[u8], models: &[&str]) -> Option<Outcome> {
    let text = std::str::from_utf8(data).ok()?;
    let mut lines = text.split('\n');
    let choice = lines.next().unwrap_or_default();
    let model = models[choice.bytes().map(usize::from).sum::<usize>() % models.len()];
    let mut overrides = Vec::new();
    for line in lines {
        match Override::parse(line) {
            Ok(item) => overrides.push(item),
            Err(message) => assert!(!message.is_empty(), "empty override error for {line:?}"),
        }
    }
    Some(run(model, &overrides))
}

/// Loads, validates, renders, solves, formats and simulates one model text.
///
/// # Panics
/// When the library panics, or when one of the invariants in the module docs fails.
pub fn run(text: &str, overrides: &[Override]) -> Outcome {
    let override_text = overrides_text(overrides);
    match load_model(FILE_NAME, text, overrides) {
        Err(Invalid {
            diagnostics,
            sources,
        }) => {
            assert!(
                !diagnostics.is_empty(),
                "a rejected model has no diagnostic"
            );
            let mut rendered = String::new();
            for (index, diagnostic) in diagnostics.iter().enumerate() {
                check_span(diagnostic, text, &override_text, &sources);
                if index >= MAX_RENDERED {
                    continue;
                }
                let shown = sources.render(diagnostic);
                assert!(
                    shown.contains(&format!("error[{}]", diagnostic.code)),
                    "rendering lost the code: {shown}"
                );
                rendered.push_str(&shown);
            }
            Outcome::Invalid {
                codes: diagnostics.iter().map(|d| d.code.as_str()).collect(),
                rendered,
            }
        }
        Ok(Loaded { model, sources }) => solve_and_simulate(&model, &sources),
    }
}

/// Diagnostic codes whose span end is not checked: none since toml-syntax spans are clamped
/// to the text (a former finding).
pub const SPAN_END_UNCHECKED: &[&str] = &[];

fn check_span(diagnostic: &Diagnostic, text: &str, override_text: &str, sources: &Sources) {
    let Some(span @ Span { origin, start, end }) = diagnostic.span else {
        return;
    };
    let source = match origin {
        Origin::File => text,
        Origin::Overrides => override_text,
    };
    let code = diagnostic.code.as_str();
    let len = source.len();
    assert!(
        start <= end && start <= len && source.is_char_boundary(start),
        "{code}: span {start}..{end} does not start inside its {origin:?} source of {len} bytes"
    );
    if !SPAN_END_UNCHECKED.contains(&code) {
        assert!(
            end <= len && source.is_char_boundary(end),
            "{code}: span {start}..{end} does not end inside its {origin:?} source of {len} bytes"
        );
    }
    assert!(
        sources.line_column(span).is_some(),
        "{code}: no line and column for span {start}..{end}"
    );
}

fn solve_and_simulate(model: &Model, sources: &Sources) -> Outcome {
    let solution = match solve::solve(model) {
        Ok(solution) => solution,
        Err(error) => {
            let diagnostic =
                Diagnostic::new(nines::diag::Code::SolverLimit, error.to_string(), None);
            return Outcome::SolverLimit(sources.render(&diagnostic));
        }
    };
    check_measures("the system", &solution.system);
    for block in &solution.blocks {
        check_measures(&block.name, &block.measures);
    }
    let verdict = model
        .target
        .clone()
        .map(|target| Verdict::new(&solution.system, target));
    let result = ModelResult {
        model,
        file: FILE_NAME,
        solution: &solution,
        verdict,
        time: None,
    };
    for format in [Format::Table, Format::Json, Format::Csv, Format::Markdown] {
        let mut out = Vec::new();
        let mut exporter = report::exporter(format);
        exporter.begin(&mut out).expect("writing to a Vec");
        exporter.model(&mut out, &result).expect("writing to a Vec");
        let out = String::from_utf8(out).expect("reports are UTF-8");
        if format == Format::Json {
            for line in out.lines() {
                if let Err(error) = serde_json::from_str::<serde_json::Value>(line) {
                    panic!("JSON output does not parse ({error}): {line}");
                }
            }
        }
    }
    Outcome::Solved {
        system: solution.system,
        simulation: simulate_briefly(model),
    }
}

fn check_measures(name: &str, measures: &Measures) {
    let Measures {
        unavailability,
        availability,
        frequency,
    } = *measures;
    assert!(
        (0.0..=1.0).contains(&unavailability) && (0.0..=1.0).contains(&availability),
        "{name}: U = {unavailability}, A = {availability} (must be in [0, 1])"
    );
    assert!(
        frequency >= 0.0,
        "{name}: outage frequency {frequency} (must be ≥ 0, not NaN)"
    );
}

/// Units plus block instances the simulator would build (a copy of its own size rule, so
/// that huge expansions are skipped before they are built).
pub fn expanded_size(model: &Model) -> u64 {
    fn size(model: &Model, node: NodeRef, memo: &mut HashMap<NodeRef, u64>) -> u64 {
        if let Some(known) = memo.get(&node) {
            return *known;
        }
        let total = match node {
            NodeRef::Component(_) => 1,
            NodeRef::Block(index) => {
                let mut total: u64 = 2;
                for member in &model.blocks[index].members {
                    let each = if model.is_shared(member.node) {
                        0
                    } else {
                        size(model, member.node, memo)
                    };
                    total = total.saturating_add(each.saturating_mul(member.count));
                }
                total
            }
        };
        memo.insert(node, total);
        total
    }
    let mut memo = HashMap::new();
    let mut total = size(model, NodeRef::Block(model.top), &mut memo);
    for index in 0..model.components.len() {
        if model.components[index].shared {
            total = total.saturating_add(size(model, NodeRef::Component(index), &mut memo));
        }
    }
    for index in 0..model.blocks.len() {
        if model.blocks[index].shared {
            total = total.saturating_add(size(model, NodeRef::Block(index), &mut memo));
        }
    }
    total
}

fn simulate_briefly(model: &Model) -> Simulated {
    if expanded_size(model) > MAX_SIM_NODES {
        return Simulated::Skipped;
    }
    let settings = Settings {
        horizon_hours: SIM_HORIZON_HOURS,
        warmup_hours: 0.0,
        window_hours: SIM_WINDOW_HOURS,
        breach_hours: model
            .target
            .as_ref()
            .map(|target| target.unavailability * SIM_WINDOW_HOURS),
        seed: 1,
        stop: Stop::Runs(SIM_RUNS),
        threads: 1,
        shard: None,
    };
    let plan = match simulate::prepare(model, &settings) {
        Ok(plan) => plan,
        Err(error) => return Simulated::Refused(error.to_string()),
    };
    // The estimate counts heavy tails' many short times (a former finding).
    let events = simulate::expected_events(&plan, SIM_HORIZON_HOURS);
    if events.is_nan() || events > MAX_SIM_EVENTS_PER_RUN {
        return Simulated::Skipped;
    }
    match simulate::simulate(model, &settings, &Quiet) {
        Ok(simulation) => {
            let tally = &simulation.tally;
            assert_eq!(tally.runs, SIM_RUNS, "runs simulated");
            let unavailability = tally.unavailability.mean().unwrap_or(0.0);
            assert!(
                (0.0..=1.0 + 1e-9).contains(&unavailability),
                "simulated U = {unavailability}"
            );
            Simulated::Ran { unavailability }
        }
        Err(error) => panic!("a simulation that prepare() accepted was refused: {error}"),
    }
}
