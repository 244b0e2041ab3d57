//! Presenting a simulation: the estimates, the self-check against the exact solution and the
//! outputs (table, JSON, CSV, Markdown), formatted from [`Estimates`] computed in
//! `simulate::estimate`; nothing here computes a statistic.

use super::columns::{Align, Columns, titles};
use super::{Exporter, Format};
use crate::format::{availability_percent, downtime, hours, one_line, significant};
use crate::model::units::{HOURS_PER_YEAR, format_duration_hours};
use crate::simulate::StopReason;
pub use crate::simulate::estimate::{Agreement, Estimate, Estimates, SimulatedVerdict};
use crate::simulate::importance::estimator::ImportanceTally;
use crate::simulate::shard::Record;
use crate::solve::nines_of;
use serde_json::{Value, json};
use std::io::{self, Write};

const MINUTES_PER_YEAR: f64 = HOURS_PER_YEAR * 60.0;

/// The estimates of one row of a per-item output: the system or a block.
pub struct RowEstimates<'a> {
    /// `system` or the block's name.
    pub name: &'a str,
    /// `system` or the block's structure.
    pub kind: &'a str,
    /// Its unavailability.
    pub unavailability: &'a Estimate,
    /// Its outages per year.
    pub failures_per_year: &'a Estimate,
    /// The exact unavailability, when solved.
    pub exact: Option<f64>,
}

/// The system, then every block, for row-per-item outputs.
pub fn rows<'a>(estimates: &'a Estimates, record: &'a Record) -> Vec<RowEstimates<'a>> {
    let system = RowEstimates {
        name: "system",
        kind: "system",
        unavailability: &estimates.unavailability,
        failures_per_year: &estimates.failures_per_year,
        exact: estimates.exact_unavailability.map(|check| check.exact),
    };
    let blocks = record
        .blocks
        .iter()
        .zip(&estimates.blocks)
        .map(|(block, estimate)| RowEstimates {
            name: &block.name,
            kind: &block.kind,
            unavailability: &estimate.unavailability,
            failures_per_year: &estimate.failures_per_year,
            exact: estimate.exact_unavailability.map(|check| check.exact),
        });
    std::iter::once(system).chain(blocks).collect()
}

/// An interval as a JSON pair `[low, high]` (`null` where not finite).
fn interval_json(estimate: &Estimate) -> Value {
    json!([finite(estimate.low), finite(estimate.high)])
}

use super::json::number as finite;

fn agreement_json(check: Option<Agreement>, scale: f64) -> Value {
    match check {
        Some(check) => json!({
            "value": finite(check.exact * scale),
            "sigmas": check.sigmas.map_or(Value::Null, finite),
            "agrees": check.agrees,
        }),
        None => Value::Null,
    }
}

/// The JSON object of one simulated model (one line of `--format json`).
pub fn json_object(record: &Record) -> Value {
    if record.importance.is_some() {
        return importance_json(record);
    }
    let estimates = Estimates::of(record);
    let tally = &record.tally;
    let per_year = HOURS_PER_YEAR / record.horizon_hours;
    let verdict = SimulatedVerdict::of(record, &estimates);
    let blocks: Vec<Value> = record
        .blocks
        .iter()
        .zip(&estimates.blocks)
        .map(|(block, estimate)| {
            let (u, f) = (estimate.unavailability, estimate.failures_per_year);
            json!({
                "name": block.name,
                "kind": block.kind,
                "instances": block.instances,
                "availability": 1.0 - u.value,
                "availability_ci95": [1.0 - u.high, 1.0 - u.low],
                "unavailability": u.value,
                "unavailability_ci95": interval_json(&u),
                "failures_per_year": f.value,
                "failures_per_year_ci95": interval_json(&f),
                "exact_unavailability": agreement_json(estimate.exact_unavailability, 1.0),
            })
        })
        .collect();
    with_system_fields(
        record,
        &estimates,
        json!({
            "outages_per_run": {
                "mean": tally.outages.mean(),
                "p50": tally.outage_counts.quantile(0.5),
                "p90": tally.outage_counts.quantile(0.9),
                "p99": tally.outage_counts.quantile(0.99),
                "max": tally.outage_counts.max(),
            },
            "outage_hours": outage_lengths_json(record),
            "outage_free_probability": estimates.outage_free.value,
            "outage_free_probability_ci95": interval_json(&estimates.outage_free),
            "window_hours": record.window_hours,
            "windows": tally.windows,
            "window_downtime_minutes": window_json(record),
            "breach_probability": estimates.breach.map_or(Value::Null, |b| json!(b.value)),
            "breach_probability_ci95": estimates.breach.map_or(Value::Null, |b| interval_json(&b)),
            "max_breach_probability": record.max_breach_probability,
            "target": match (&record.target, record.target_unavailability, verdict) {
                (Some(text), Some(target), Some(verdict)) => json!({
                    "text": text,
                    "unavailability": target,
                    "availability": 1.0 - target,
                    "met": verdict.met(),
                    "availability_met": verdict.availability_met,
                    "breach_met": verdict.breach_met,
                }),
                _ => Value::Null,
            },
            "exact": if record.exact.is_some() {
                json!({
                    "applies": record.exact_applies,
                    "unavailability": agreement_json(estimates.exact_unavailability, 1.0),
                    "failures_per_year": agreement_json(estimates.exact_failures, per_year),
                })
            } else {
                Value::Null
            },
            "runs": tally.runs,
            "horizon_hours": record.horizon_hours,
            "warmup_hours": record.warmup_hours,
            "seed": record.seed,
            "events": tally.events,
            "elapsed_seconds": record.elapsed_seconds,
            "threads": record.threads,
            "events_per_second": finite(tally.events as f64 / record.elapsed_seconds),
            "stopped": record.stopped,
            "partial": record.stopped == StopReason::Interrupted,
            "blocks": blocks,
        }),
    )
}

/// The JSON object of a model simulated by importance sampling: the crude fields that have
/// a meaning here (U, f, MTBF, MTTR, blocks, the self-check), `cycles` for `runs`, and the
/// weights' diagnostics. Distributions over runs and SLA windows are not estimated and absent.
fn importance_json(record: &Record) -> Value {
    let estimates = Estimates::of(record);
    let Some(tally) = &record.importance else {
        return Value::Null;
    };
    let per_year = HOURS_PER_YEAR / record.horizon_hours;
    let verdict = SimulatedVerdict::of(record, &estimates);
    let blocks: Vec<Value> = record
        .blocks
        .iter()
        .zip(&estimates.blocks)
        .map(|(block, _)| {
            // The biasing drives the system to its outages; the blocks' weighted figures were
            // measured meaningless (100 racks: a server block 28 orders of magnitude off),
            // so they are not estimated.
            json!({
                "name": block.name,
                "kind": block.kind,
                "instances": block.instances,
                "estimated": false,
            })
        })
        .collect();
    with_system_fields(
        record,
        &estimates,
        json!({
            "target": match (&record.target, record.target_unavailability, verdict) {
                (Some(text), Some(target), Some(verdict)) => json!({
                    "text": text,
                    "unavailability": target,
                    "availability": 1.0 - target,
                    "met": verdict.met(),
                    "availability_met": verdict.availability_met,
                    "breach_met": Value::Null,
                }),
                _ => Value::Null,
            },
            "exact": if record.exact.is_some() {
                json!({
                    "applies": record.exact_applies,
                    "unavailability": agreement_json(estimates.exact_unavailability, 1.0),
                    "failures_per_year": agreement_json(estimates.exact_failures, per_year),
                })
            } else {
                Value::Null
            },
            "cycles": tally.cycles,
            "cycles_with_outage": tally.cycles_with_outage,
            "effective_sample_size": finite(tally.effective_sample_size()),
            "largest_weight_share": finite(tally.largest_share()),
            "seed": record.seed,
            "events": tally.events,
            "elapsed_seconds": record.elapsed_seconds,
            "threads": record.threads,
            "events_per_second": finite(tally.events as f64 / record.elapsed_seconds),
            "stopped": record.stopped,
            "partial": record.stopped == StopReason::Interrupted,
            "blocks": blocks,
        }),
    )
}

/// The system's figures every simulated model's JSON starts with (U, A, nines, downtime, f,
/// MTBF, MTTR with their intervals), followed by the fields of `rest`, in that order.
fn with_system_fields(record: &Record, estimates: &Estimates, rest: Value) -> Value {
    let (u, f) = (estimates.unavailability, estimates.failures_per_year);
    let mtbf = |failures_per_year: f64| finite(HOURS_PER_YEAR / failures_per_year);
    let Value::Object(mut object) = json!({
        "model": record.model,
        "file": record.file,
        "method": "simulate",
        "sampling": record.sampling,
        "availability": 1.0 - u.value,
        "availability_ci95": [1.0 - u.high, 1.0 - u.low],
        "unavailability": u.value,
        "unavailability_ci95": interval_json(&u),
        "nines": finite(nines_of(u.value)),
        "downtime_minutes_per_year": u.value * MINUTES_PER_YEAR,
        "downtime_minutes_per_year_ci95": [u.low * MINUTES_PER_YEAR, u.high * MINUTES_PER_YEAR],
        "failures_per_year": f.value,
        "failures_per_year_ci95": interval_json(&f),
        "mtbf_hours": mtbf(f.value),
        "mtbf_hours_ci95": [mtbf(f.high), mtbf(f.low)],
        "mttr_hours": estimates.mttr_hours.map_or(Value::Null, |m| finite(m.value)),
        "mttr_hours_ci95": estimates.mttr_hours.map_or(Value::Null, |m| interval_json(&m)),
    }) else {
        unreachable!("json! of braces is an object")
    };
    if let Value::Object(rest) = rest {
        object.extend(rest);
    }
    Value::Object(object)
}

fn outage_lengths_json(record: &Record) -> Value {
    let lengths = &record.tally.outage_lengths;
    if lengths.count() == 0 {
        return json!({ "count": 0 });
    }
    json!({
        "count": lengths.count(),
        "mean": record.tally.outage_length_total.value() / lengths.count() as f64,
        "p50": lengths.quantile(0.5),
        "p90": lengths.quantile(0.9),
        "p99": lengths.quantile(0.99),
        "max": lengths.max(),
    })
}

fn window_json(record: &Record) -> Value {
    let windows = &record.tally.window_downtime;
    if windows.count() == 0 {
        return Value::Null;
    }
    let minutes = |q: f64| windows.quantile(q).map(|hours| hours * 60.0);
    json!({
        "p50": minutes(0.5),
        "p90": minutes(0.9),
        "p99": minutes(0.99),
        "p999": minutes(0.999),
        "max": windows.max().map(|hours| hours * 60.0),
    })
}

/// A run or window length as people write it: `1y`, `30d`, `12h`, else a compact duration.
pub fn span_label(hours: f64) -> String {
    for (unit, size) in [("y", HOURS_PER_YEAR), ("w", 168.0), ("d", 24.0), ("h", 1.0)] {
        let count = hours / size;
        if count >= 1.0 && count == count.round() && count < 1e6 {
            return format!("{count}{unit}");
        }
    }
    format_duration_hours(hours)
}

/// `value   95% CI low – high`, each shown by `show`.
fn with_interval(value: f64, low: f64, high: f64, show: impl Fn(f64) -> String) -> String {
    format!("{}   95% CI {} – {}", show(value), show(low), show(high))
}

fn interval_percent(estimate: &Estimate) -> String {
    format!(
        "{} – {}",
        availability_percent(estimate.high),
        availability_percent(estimate.low)
    )
}

/// A probability with its 95 % interval, `value   95% CI low – high`, with the digits that
/// show where the three differ (99.98 %, never 100 % for a value below 1).
fn probability_with_interval(value: f64, low: f64, high: f64) -> String {
    let texts = crate::format::distinct_percents(&[value, low, high]);
    format!("{}   95% CI {} – {}", texts[0], texts[1], texts[2])
}

fn probability(value: f64) -> String {
    format!("{}%", significant(value * 100.0, 3))
}

fn sigmas_text(check: &Agreement) -> String {
    match check.sigmas {
        Some(sigmas) => format!("{:.1} standard errors away", sigmas.abs()),
        None if check.nothing_seen && check.agrees => {
            "no outage simulated, plausible at this run count".into()
        }
        None if check.nothing_seen => {
            "no outage simulated, though the exact value expects some".into()
        }
        None if check.agrees => "no variation between runs; equal".into(),
        None => "no variation between runs, and a different value".into(),
    }
}

/// Explains a stop reason other than "done".
pub fn stop_text(stopped: StopReason) -> &'static str {
    match stopped {
        StopReason::MaxRuns => "at --max-runs before reaching --precision",
        StopReason::MaxTime => "at --max-time before reaching --precision",
        StopReason::Interrupted => "interrupted: PARTIAL results of the runs completed",
        StopReason::Runs | StopReason::Precision => "",
    }
}

/// Writes the human-readable report of one simulated model.
pub fn write_table(out: &mut dyn Write, record: &Record) -> io::Result<()> {
    let estimates = Estimates::of(record);
    writeln!(
        out,
        "{} — simulated  ({})",
        one_line(&record.model),
        one_line(&record.file)
    )?;
    let mut rows = vec![runs_row(record)];
    rows.extend(estimate_rows(record, &estimates));
    if let Some(importance) = &record.importance {
        rows.push(weights_row(importance));
    } else {
        rows.extend(distribution_rows(record, &estimates));
        rows.extend(breach_row(record, &estimates));
    }
    if !record.stopped.ended_as_asked() {
        rows.push(("stopped".into(), stop_text(record.stopped).into()));
    }
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in &rows {
        writeln!(out, "  {label:<width$}  {value}")?;
    }
    if record.importance.is_some() {
        writeln!(
            out,
            "  blocks              not estimated under importance sampling (the biasing aims at system outages)"
        )?;
    } else if !record.blocks.is_empty() {
        writeln!(out)?;
        write_block_table(out, record, &estimates)?;
    }
    writeln!(out)
}

/// `weights  ESS 812 of 1234 cycles with an outage; the largest 0.4% of U`.
fn weights_row(tally: &ImportanceTally) -> (String, String) {
    (
        "weights".into(),
        format!(
            "effective sample size {} of {} cycles with an outage; the largest cycle {} of U",
            significant(tally.effective_sample_size(), 3),
            tally.cycles_with_outage,
            probability(tally.largest_share())
        ),
    )
}

/// `runs  N × 1y after 1w warm-up  (seed, threads, time, events)`, or under importance
/// sampling `cycles  N regenerative, importance sampling  (seed, threads, time, events)`.
fn runs_row(record: &Record) -> (String, String) {
    if let Some(importance) = &record.importance {
        return (
            "cycles".into(),
            format!(
                "{} regenerative, importance sampling  (seed {}, {} thread{}, {:.2} s, {} events)",
                importance.cycles,
                record.seed,
                record.threads,
                if record.threads == 1 { "" } else { "s" },
                record.elapsed_seconds,
                significant(importance.events as f64, 3)
            ),
        );
    }
    let tally = &record.tally;
    let warmup = if record.warmup_hours > 0.0 {
        format!(
            " after {} warm-up",
            format_duration_hours(record.warmup_hours)
        )
    } else {
        String::new()
    };
    (
        "runs".into(),
        format!(
            "{} × {}{warmup}  (seed {}, {} thread{}, {:.2} s, {} events)",
            tally.runs,
            span_label(record.horizon_hours),
            record.seed,
            record.threads,
            if record.threads == 1 { "" } else { "s" },
            record.elapsed_seconds,
            significant(tally.events as f64, 3)
        ),
    )
}

/// Availability (and the exact value), downtime, outages, MTBF and MTTR with intervals.
fn estimate_rows(record: &Record, estimates: &Estimates) -> Vec<(String, String)> {
    let u = estimates.unavailability;
    let mut rows: Vec<(String, String)> = Vec::new();
    rows.push((
        "availability".into(),
        format!(
            "{}   95% CI {}",
            availability_percent(u.value),
            interval_percent(&u)
        ),
    ));
    if let Some(check) = &estimates.exact_unavailability {
        let label = if record.exact_applies {
            "exact"
        } else {
            "exponential approx."
        };
        rows.push((
            label.into(),
            format!(
                "{}   ({})",
                availability_percent(check.exact),
                sigmas_text(check)
            ),
        ));
    }
    rows.push((
        "downtime per year".into(),
        with_interval(u.value, u.low, u.high, |u| downtime(u * MINUTES_PER_YEAR)),
    ));
    let f = estimates.failures_per_year;
    rows.push((
        "outages per year".into(),
        with_interval(f.value, f.low, f.high, |f| significant(f, 3)),
    ));
    // MTBF = 1/f, so its interval is the inverse of f's; 1/0 is ∞ (no outage seen).
    rows.push((
        "MTBF".into(),
        with_interval(f.value, f.high, f.low, |f| hours(Some(HOURS_PER_YEAR / f))),
    ));
    if let Some(mttr) = estimates.mttr_hours {
        rows.push((
            "MTTR (mean outage)".into(),
            with_interval(mttr.value, mttr.low, mttr.high, |h| hours(Some(h))),
        ));
    }
    rows
}

/// Outage lengths, outages per run, P(no outage) and downtime per SLA window.
fn distribution_rows(record: &Record, estimates: &Estimates) -> Vec<(String, String)> {
    let tally = &record.tally;
    let horizon = span_label(record.horizon_hours);
    let mut rows: Vec<(String, String)> = Vec::new();
    let lengths = &tally.outage_lengths;
    if lengths.count() > 0 {
        let mean = tally.outage_length_total.value() / lengths.count() as f64;
        rows.push((
            "outage length".into(),
            format!(
                "mean {}, p50 {}, p90 {}, p99 {}, max {}",
                hours(Some(mean)),
                hours(lengths.quantile(0.5)),
                hours(lengths.quantile(0.9)),
                hours(lengths.quantile(0.99)),
                hours(lengths.max())
            ),
        ));
    }
    let count = |q: f64| tally.outage_counts.quantile(q).unwrap_or(0);
    rows.push((
        format!("outages per {horizon}"),
        format!(
            "mean {}, p50 {}, p90 {}, p99 {}, max {}",
            significant(tally.outages.mean().unwrap_or(0.0), 3),
            count(0.5),
            count(0.9),
            count(0.99),
            tally.outage_counts.max().unwrap_or(0)
        ),
    ));
    let free = estimates.outage_free;
    rows.push((
        format!("P(no outage in {horizon})"),
        probability_with_interval(free.value, free.low, free.high),
    ));
    let windows = &tally.window_downtime;
    if windows.count() > 0 {
        let minutes = |q: f64| downtime(windows.quantile(q).unwrap_or(0.0) * 60.0);
        rows.push((
            format!("SLA window {}", span_label(record.window_hours)),
            format!(
                "downtime p50 {}, p90 {}, p99 {}, p99.9 {}, max {}",
                minutes(0.5),
                minutes(0.9),
                minutes(0.99),
                minutes(0.999),
                downtime(windows.max().unwrap_or(0.0) * 60.0)
            ),
        ));
    }
    rows
}

/// The breach probability against the target (and its limit), when there is a target.
fn breach_row(record: &Record, estimates: &Estimates) -> Option<(String, String)> {
    let (Some(breach), Some(target)) = (estimates.breach, &record.target) else {
        return None;
    };
    let limit = match record.max_breach_probability {
        Some(limit) => format!(
            "; limit {}: {}",
            probability(limit),
            if breach.high <= limit {
                "met"
            } else {
                "MISSED"
            }
        ),
        None => String::new(),
    };
    Some((
        "breach probability".into(),
        format!(
            "{}  (windows below {}{limit})",
            probability_with_interval(breach.value, breach.low, breach.high),
            one_line(target)
        ),
    ))
}

fn write_block_table(
    out: &mut dyn Write,
    record: &Record,
    estimates: &Estimates,
) -> io::Result<()> {
    let exact_label = if record.exact_applies {
        "exact"
    } else {
        "exponential approx."
    };
    let rows: Vec<Vec<String>> = record
        .blocks
        .iter()
        .zip(&estimates.blocks)
        .map(|(block, estimate)| {
            let exact = match estimate.exact_unavailability {
                Some(check) => format!(
                    "{}{}",
                    availability_percent(check.exact),
                    match check.sigmas {
                        Some(sigmas) => format!(" ({sigmas:+.1}σ)"),
                        None => String::new(),
                    }
                ),
                None => "–".into(),
            };
            vec![
                block.name.clone(),
                block.kind.clone(),
                availability_percent(estimate.unavailability.value),
                interval_percent(&estimate.unavailability),
                exact,
            ]
        })
        .collect();
    Columns::new()
        .indent("  ")
        .align(vec![Align::Left, Align::Left, Align::Right])
        .min_width(2, 14)
        .write(
            out,
            &titles(&["block", "kind", "availability", "95% CI", exact_label]),
            &rows,
        )
}

/// The exporter of simulated models for `format`.
pub fn exporter(format: Format) -> Box<dyn Exporter<Record>> {
    match format {
        Format::Table => Box::new(SimulationTable),
        Format::Json => Box::new(SimulationJson),
        Format::Csv => Box::new(SimulationCsv {
            header_written: false,
        }),
        Format::Markdown => Box::new(SimulationMarkdown),
    }
}

/// The report for people, per model.
struct SimulationTable;

impl Exporter<Record> for SimulationTable {
    fn write(&mut self, out: &mut dyn Write, record: &Record) -> io::Result<()> {
        write_table(out, record)
    }
}

/// One JSON object per model per line.
struct SimulationJson;

impl Exporter<Record> for SimulationJson {
    fn write(&mut self, out: &mut dyn Write, record: &Record) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &json_object(record))?;
        writeln!(out)
    }
}

/// CSV rows under one header, written with the first model (none when no model simulates).
struct SimulationCsv {
    header_written: bool,
}

impl Exporter<Record> for SimulationCsv {
    fn write(&mut self, out: &mut dyn Write, record: &Record) -> io::Result<()> {
        if !self.header_written {
            writeln!(out, "{CSV_HEADER}")?;
            self.header_written = true;
        }
        csv_rows(out, record)
    }
}

/// A Markdown section per model.
struct SimulationMarkdown;

impl Exporter<Record> for SimulationMarkdown {
    fn write(&mut self, out: &mut dyn Write, record: &Record) -> io::Result<()> {
        write_markdown(out, record)
    }
}

/// The CSV header line for [`csv_rows`].
pub const CSV_HEADER: &str = "model,file,item,kind,availability,availability_low,availability_high,unavailability,failures_per_year,failures_per_year_low,failures_per_year_high,exact_unavailability,runs,seed";

/// CSV rows: the system, then each block.
pub fn csv_rows(out: &mut dyn Write, record: &Record) -> io::Result<()> {
    use super::csv::field;
    let estimates = Estimates::of(record);
    let mut row = |item: &str, kind: &str, u: &Estimate, f: &Estimate, exact: Option<f64>| {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            field(&record.model),
            field(&record.file),
            field(item),
            field(kind),
            1.0 - u.value,
            1.0 - u.high,
            1.0 - u.low,
            u.value,
            f.value,
            f.low,
            f.high,
            exact.map(|e| e.to_string()).unwrap_or_default(),
            record.completed(),
            record.seed
        )
    };
    let shown = if record.importance.is_some() {
        1
    } else {
        usize::MAX
    };
    for item in rows(&estimates, record).into_iter().take(shown) {
        row(
            item.name,
            item.kind,
            item.unavailability,
            item.failures_per_year,
            item.exact,
        )?;
    }
    Ok(())
}

/// A Markdown section for one simulated model.
pub fn write_markdown(out: &mut dyn Write, record: &Record) -> io::Result<()> {
    use super::markdown::escape;
    let estimates = Estimates::of(record);
    writeln!(out, "## {} (simulated)\n", escape(&record.model))?;
    if let Some(importance) = &record.importance {
        writeln!(
            out,
            "{} regenerative cycles of importance sampling, seed {}.\n",
            importance.cycles, record.seed
        )?;
    } else {
        writeln!(
            out,
            "{} runs of {}, seed {}.\n",
            record.tally.runs,
            span_label(record.horizon_hours),
            record.seed
        )?;
    }
    writeln!(
        out,
        "| item | availability | 95% CI | outages/year | exact |"
    )?;
    writeln!(out, "|---|---:|---|---:|---:|")?;
    let line = |out: &mut dyn Write, item: &str, u: &Estimate, f: &Estimate, exact: Option<f64>| {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape(item),
            availability_percent(u.value),
            interval_percent(u),
            significant(f.value, 3),
            exact.map_or("–".into(), availability_percent)
        )
    };
    let shown = if record.importance.is_some() {
        1
    } else {
        usize::MAX
    };
    for item in rows(&estimates, record).into_iter().take(shown) {
        line(
            out,
            item.name,
            item.unavailability,
            item.failures_per_year,
            item.exact,
        )?;
    }
    if let Some(breach) = estimates.breach {
        writeln!(
            out,
            "\nSLA window {}: breach probability {}.",
            span_label(record.window_hours),
            probability_with_interval(breach.value, breach.low, breach.high)
        )?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_labels_use_the_unit_people_wrote() {
        assert_eq!(span_label(8766.0), "1y");
        assert_eq!(span_label(720.0), "30d");
        assert_eq!(span_label(336.0), "2w");
        assert_eq!(span_label(12.0), "12h");
        assert_eq!(span_label(0.5), "30m");
    }
}
