//! Output of `nines uncertainty`: the spread of the unavailability, nines and downtime, the
//! odds of meeting the target and what drives the spread; a table for people, one JSON object
//! per model per line for machines.

use super::Exporter;
use super::columns::{Columns, titles};
use crate::format::{downtime, nines, scientific};
use crate::whatif::uncertainty::{Summary, Uncertainty};
use serde_json::{Value, json};
use std::io::{self, Write};

/// The output formats of `uncertainty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UncertaintyFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object per model, one per line.
    Json,
}

/// One model's uncertainty, with what is needed to present it.
pub struct UncertaintyResult<'a> {
    /// The model's name.
    pub model: &'a str,
    /// Its file, as given.
    pub file: &'a str,
    /// The analysis.
    pub uncertainty: &'a Uncertainty,
}

/// The exporter of an uncertainty analysis for `format`.
pub fn exporter(format: UncertaintyFormat) -> Box<dyn for<'a> Exporter<UncertaintyResult<'a>>> {
    match format {
        UncertaintyFormat::Table => Box::new(UncertaintyTable),
        UncertaintyFormat::Json => Box::new(UncertaintyJson),
    }
}

struct UncertaintyTable;
struct UncertaintyJson;

/// The sentence naming what to learn more about first, when anything drives the spread.
pub fn first_driver_sentence(uncertainty: &Uncertainty) -> Option<String> {
    uncertainty
        .drivers
        .first()
        .filter(|driver| driver.index != 0.0)
        .map(|driver| {
            format!(
                "collect data on {} first: it drives the spread most (rank correlation {:+.2})",
                driver.parameter, driver.index
            )
        })
}

impl Exporter<UncertaintyResult<'_>> for UncertaintyTable {
    fn write(&mut self, out: &mut dyn Write, result: &UncertaintyResult<'_>) -> io::Result<()> {
        let u = result.uncertainty;
        writeln!(
            out,
            "{}  ({}): {} samples (Latin hypercube, seed {}) of {} uncertain figure{}",
            result.model,
            result.file,
            u.settings.samples,
            u.settings.seed,
            u.parameters.len(),
            if u.parameters.len() == 1 { "" } else { "s" }
        )?;
        let row = |label: &str, summary: &Summary, show: &dyn Fn(f64) -> String| {
            vec![
                label.to_string(),
                show(summary.mean),
                show(summary.p5),
                show(summary.p50),
                show(summary.p95),
            ]
        };
        let rows = vec![
            row("unavailability", &u.unavailability, &scientific),
            row("nines", &u.nines, &nines),
            row("downtime/yr", &u.downtime_minutes, &downtime),
        ];
        Columns::new().indent("  ").numbers_after(1, 5).write(
            out,
            &titles(&["", "mean", "p5", "p50", "p95"]),
            &rows,
        )?;
        if let Some(target) = &u.target {
            let [p, low, high] = <[String; 3]>::try_from(crate::format::distinct_percents(&[
                target.probability,
                target.interval.0,
                target.interval.1,
            ]))
            .expect("three figures");
            writeln!(
                out,
                "  P(meets {})  {p}  (95%: {low} – {high})",
                target.text
            )?;
        }
        if !u.drivers.is_empty() {
            writeln!(out, "  drivers (rank correlation with the unavailability):")?;
            let rows: Vec<Vec<String>> = u
                .drivers
                .iter()
                .map(|driver| vec![driver.parameter.clone(), format!("{:+.3}", driver.index)])
                .collect();
            Columns::new().indent("    ").numbers_after(1, 2).write(
                out,
                &titles(&["parameter", "index"]),
                &rows,
            )?;
        }
        if let Some(sentence) = first_driver_sentence(u) {
            writeln!(out, "  {sentence}")?;
        }
        writeln!(out)
    }
}

fn summary_json(summary: &Summary) -> Value {
    let finite = |value: f64| {
        if value.is_finite() {
            json!(value)
        } else {
            Value::Null
        }
    };
    json!({
        "mean": finite(summary.mean),
        "p5": finite(summary.p5),
        "p50": finite(summary.p50),
        "p95": finite(summary.p95),
    })
}

impl Exporter<UncertaintyResult<'_>> for UncertaintyJson {
    fn write(&mut self, out: &mut dyn Write, result: &UncertaintyResult<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &json_object(result))?;
        writeln!(out)
    }
}

/// The JSON object of one model's uncertainty.
pub fn json_object(result: &UncertaintyResult<'_>) -> Value {
    let u = result.uncertainty;
    let drivers: Vec<Value> = u
        .drivers
        .iter()
        .map(|driver| json!({"parameter": driver.parameter, "index": driver.index}))
        .collect();
    let object = json!({
        "model": result.model,
        "file": result.file,
        "samples": u.settings.samples,
        "seed": u.settings.seed,
        "parameters": u.parameters.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "unavailability": summary_json(&u.unavailability),
        "nines": summary_json(&u.nines),
        "downtime_minutes_per_year": summary_json(&u.downtime_minutes),
        "target": u.target.as_ref().map(|t| t.text.clone()),
        "probability_target_met": u.target.as_ref().map(|t| t.probability),
        "probability_target_met_ci95": u.target.as_ref().map(|t| json!([t.interval.0, t.interval.1])),
        "drivers": drivers,
    });
    object
}
