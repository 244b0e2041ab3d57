//! Output of `nines check`: the sentence that judges each model, and one exporter per format
//! (a line per model, JSON, JUnit XML, GitHub annotations).
//!
//! The command line hands each model's [`CheckEntry`] to the exporter of its `--format`;
//! JUnit and GitHub collect every entry and write at the end.

use super::check::{self, CaseOutcome, CheckCase};
use super::simulation::{self, Estimates, SimulatedVerdict, span_label};
use super::uncertainty::{self, UncertaintyResult};
use super::{Exporter, ModelResult, Verdict, json};
use crate::format::{availability_percent, nines, one_line};
use crate::model::Target;
use crate::simulate::shard::Record;
use crate::whatif::uncertainty::TargetOdds;
use std::io::{self, Write};

/// The output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// One line per model.
    Table,
    /// One JSON object per model per line.
    Json,
    /// A JUnit XML report: one test case per model and target.
    Junit,
    /// GitHub Actions workflow commands: an annotation per model on its [target] line.
    Github,
}

/// What a check judged: the exact solution, a simulation, or nothing (the model could not
/// be read, solved or simulated).
pub enum Judged<'a> {
    /// Judged on the exact solution.
    Exact(ModelResult<'a>),
    /// Judged on a simulation.
    Simulated(&'a Record),
    /// Judged on the uncertainty of the exact solution (`--confidence`).
    Uncertain(UncertaintyResult<'a>),
    /// Not judged; the case says why.
    Nothing,
}

/// One model's result in `nines check`: its test case and what it was judged on.
pub struct CheckEntry<'a> {
    /// The case, with the judging sentence as its message.
    pub case: CheckCase,
    /// What the case was judged on.
    pub judged: Judged<'a>,
}

/// An exporter of check results.
pub type CheckExporter = dyn for<'a> Exporter<CheckEntry<'a>>;

/// The exporter of check results for `format`; `colour` colours PASS and FAIL in a table.
pub fn exporter(format: CheckFormat, colour: bool) -> Box<CheckExporter> {
    match format {
        CheckFormat::Table => Box::new(CheckLines { colour }),
        CheckFormat::Json => Box::new(CheckJson),
        CheckFormat::Junit => Box::new(CollectedCases {
            cases: Vec::new(),
            junit: true,
        }),
        CheckFormat::Github => Box::new(CollectedCases {
            cases: Vec::new(),
            junit: false,
        }),
    }
}

/// `PASS  model: sentence  [file]`, one line per judged model.
struct CheckLines {
    colour: bool,
}

impl Exporter<CheckEntry<'_>> for CheckLines {
    fn write(&mut self, out: &mut dyn Write, entry: &CheckEntry<'_>) -> io::Result<()> {
        if matches!(entry.judged, Judged::Nothing) {
            return Ok(());
        }
        let case = &entry.case;
        writeln!(
            out,
            "{}  {}: {}  [{}]",
            status_label(case.outcome == CaseOutcome::Passed, self.colour),
            one_line(&case.model),
            case.message,
            one_line(&case.file)
        )
    }
}

/// The JSON object of `solve` or `simulate` per judged model.
struct CheckJson;

impl Exporter<CheckEntry<'_>> for CheckJson {
    fn write(&mut self, out: &mut dyn Write, entry: &CheckEntry<'_>) -> io::Result<()> {
        let object = match &entry.judged {
            Judged::Exact(result) => json::model_object(result),
            Judged::Simulated(record) => simulation::json_object(record),
            Judged::Uncertain(result) => uncertainty::json_object(result),
            Judged::Nothing => return Ok(()),
        };
        serde_json::to_writer(&mut *out, &object)?;
        writeln!(out)
    }
}

/// Every case, errors included, written at the end as JUnit XML or GitHub annotations.
struct CollectedCases {
    cases: Vec<CheckCase>,
    junit: bool,
}

impl Exporter<CheckEntry<'_>> for CollectedCases {
    fn write(&mut self, _out: &mut dyn Write, entry: &CheckEntry<'_>) -> io::Result<()> {
        self.cases.push(entry.case.clone());
        Ok(())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.junit {
            return out.write_all(check::junit(&self.cases).as_bytes());
        }
        for case in &self.cases {
            writeln!(out, "{}", check::github(case))?;
        }
        Ok(())
    }
}

/// `PASS` or `FAIL` for a `check` line, green or red when `colour` is on.
pub fn status_label(met: bool, colour: bool) -> &'static str {
    match (met, colour) {
        (true, true) => "\x1b[32mPASS\x1b[0m",
        (false, true) => "\x1b[31mFAIL\x1b[0m",
        (true, false) => "PASS",
        (false, false) => "FAIL",
    }
}

/// Passed or failed.
fn case_outcome(met: bool) -> CaseOutcome {
    if met {
        CaseOutcome::Passed
    } else {
        CaseOutcome::Failed
    }
}

/// The exact window-breach probability judged against `[target] max_breach_probability`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactBreach {
    /// P(a window's downtime exceeds the target's budget), exact.
    pub probability: f64,
    /// The limit, `max_breach_probability`.
    pub limit: f64,
    /// The window, hours.
    pub window_hours: f64,
}

impl ExactBreach {
    /// Whether the breach probability is within the limit.
    pub fn within(&self) -> bool {
        self.probability <= self.limit
    }
}

/// The case of a model judged on its exact solution (and, with a limit on it, its exact
/// window-breach probability).
pub fn exact_case(
    result: &ModelResult<'_>,
    verdict: &Verdict,
    breach: Option<ExactBreach>,
) -> CheckCase {
    let system = &result.solution.system;
    let breach_text = match breach {
        Some(breach) => format!(
            "; P(a {} window breaches) = {} is {} the limit {}%",
            span_label(breach.window_hours),
            super::table::probability(breach.probability),
            if breach.within() { "within" } else { "above" },
            breach.limit * 100.0
        ),
        None => String::new(),
    };
    let message = format!(
        "availability {} ({} nines) {} target {}{breach_text}",
        availability_percent(system.unavailability),
        nines(system.nines()),
        if verdict.met { "meets" } else { "misses" },
        one_line(&verdict.target.text),
    );
    let check = match breach {
        Some(breach) => format!(
            "availability ≥ {}, P(breach) ≤ {}%",
            verdict.target.text,
            breach.limit * 100.0
        ),
        None => format!("availability ≥ {}", verdict.target.text),
    };
    CheckCase {
        model: result.model.name.clone(),
        file: result.file.to_string(),
        check,
        outcome: case_outcome(verdict.met && breach.is_none_or(|b| b.within())),
        message,
        location: None,
    }
}

/// The case of a model judged on a simulation: the upper end of U's interval (and of the
/// breach probability's, under a limit) against the target.
pub fn simulated_case(
    record: &Record,
    target: &Target,
    estimates: &Estimates,
    verdict: &SimulatedVerdict,
) -> CheckCase {
    let u = estimates.unavailability;
    let breach = match (estimates.breach, record.max_breach_probability) {
        (Some(breach), Some(limit)) => format!(
            "; P(a {} window breaches) ≤ {:.3}% is {} the limit {}%",
            span_label(record.window_hours),
            breach.high * 100.0,
            if breach.high <= limit {
                "within"
            } else {
                "above"
            },
            limit * 100.0
        ),
        _ => String::new(),
    };
    let message = format!(
        "simulated availability {} (95% CI down to {}) {} target {}{breach}",
        availability_percent(u.value),
        availability_percent(u.high),
        if verdict.availability_met {
            "meets"
        } else if u.value <= target.unavailability {
            "is not shown to meet (more --runs?)"
        } else {
            "misses"
        },
        one_line(&target.text),
    );
    let check = match record.max_breach_probability {
        Some(limit) => format!(
            "availability ≥ {} and P(window breach) ≤ {}%",
            target.text,
            limit * 100.0
        ),
        None => format!("availability ≥ {}", target.text),
    };
    CheckCase {
        model: record.model.clone(),
        file: record.file.clone(),
        check,
        outcome: case_outcome(verdict.met()),
        message,
        location: None,
    }
}

/// The case of a model judged with `--confidence`: the lower end of the 95 % interval of
/// P(U ≤ target) against the confidence asked for.
pub fn uncertain_case(
    result: &UncertaintyResult<'_>,
    odds: &TargetOdds,
    confidence: (f64, &str),
) -> CheckCase {
    let met = odds.interval.0 >= confidence.0;
    let [p, low] = <[String; 2]>::try_from(crate::format::distinct_percents(&[
        odds.probability,
        odds.interval.0,
    ]))
    .expect("two figures");
    let message = format!(
        "P(availability ≥ {}) = {p} over {} samples (95% CI down to {low}) {} the confidence {}",
        one_line(&odds.text),
        result.uncertainty.settings.samples,
        if met { "reaches" } else { "falls short of" },
        one_line(confidence.1),
    );
    CheckCase {
        model: result.model.to_string(),
        file: result.file.to_string(),
        check: format!(
            "availability ≥ {} with {} confidence",
            odds.text, confidence.1
        ),
        outcome: case_outcome(met),
        message,
        location: None,
    }
}
