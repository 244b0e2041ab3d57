//! Presenting a simulation: estimates with intervals, the self-check against the exact
//! solution, and the outputs (table, JSON, CSV, Markdown).

use crate::format::{availability_percent, downtime, hours, one_line, significant};
use crate::model::units::{HOURS_PER_YEAR, format_duration_hours};
use crate::simulate::StopReason;
use crate::simulate::shard::Record;
use crate::simulate::stats::{Moments, poisson_interval};
use serde_json::{Value, json};
use std::io::{self, Write};

/// Two-sided level of every displayed interval.
pub const LEVEL: f64 = 0.95;

/// Beyond this many standard errors the simulation and the exact value disagree.
pub const DISAGREEMENT_SIGMAS: f64 = 4.0;

const MINUTES_PER_YEAR: f64 = HOURS_PER_YEAR * 60.0;

/// Below this many simulated system outages, the between-run intervals of U and f are
/// widened to bounds that hold with few or no outages (see [`Estimates::of`]).
pub const FEW_OUTAGES: f64 = 30.0;

/// Fewest runs for the self-check to warn of a disagreement (see [`Estimates::disagreement`]).
pub const MIN_RUNS_TO_WARN: u64 = 1000;

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Estimate {
    fn of(moments: &Moments, scale: f64) -> Self {
        let mean = moments.mean().unwrap_or(0.0);
        let (low, high) = moments.ci(LEVEL).unwrap_or((mean, mean));
        Self {
            value: mean * scale,
            low: (low * scale).max(0.0),
            high: high * scale,
        }
    }

    /// An estimate of a fraction of time (an unavailability): value and interval inside
    /// [0, 1]. Down time summed over many short intervals can pass the run's length by a
    /// rounding error (U = 1.0000000000000004 for a block down all the time), and the
    /// t-interval of a mean near 1 can reach past it.
    fn fraction(moments: &Moments) -> Self {
        let estimate = Self::of(moments, 1.0);
        Self {
            value: estimate.value.clamp(0.0, 1.0),
            low: estimate.low.clamp(0.0, 1.0),
            high: estimate.high.clamp(0.0, 1.0),
        }
    }

    fn json(&self) -> Value {
        json!([finite(self.low), finite(self.high)])
    }
}

/// How far a simulated value lies from the exact one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agreement {
    /// The exact value.
    pub exact: f64,
    /// (simulated − exact) / standard error; None when the runs did not vary at all.
    pub sigmas: Option<f64>,
    /// Whether they agree within [`DISAGREEMENT_SIGMAS`] (or, with no variation, whether
    /// seeing no outage was plausible).
    pub agrees: bool,
    /// Whether the runs saw nothing at all (a mean of 0 with no variation).
    pub nothing_seen: bool,
}

/// Compares a per-run mean with the exact per-run value; `expected_outages` is the number
/// of outages the exact solution expects over all runs.
fn agreement(moments: &Moments, exact_per_run: f64, expected_outages: f64) -> Agreement {
    let mean = moments.mean().unwrap_or(0.0);
    let standard_error = moments.std_error().unwrap_or(0.0);
    if standard_error > 0.0 {
        let sigmas = (mean - exact_per_run) / standard_error;
        return Agreement {
            exact: exact_per_run,
            sigmas: Some(sigmas),
            agrees: sigmas.abs() <= DISAGREEMENT_SIGMAS,
            nothing_seen: false,
        };
    }
    if mean == 0.0 {
        // No outage in any run: plausible when the exact solution expects few outages over
        // all runs, P(none) = e^{−m} ≥ 1e-4 for m ≤ 9.2.
        return Agreement {
            exact: exact_per_run,
            sigmas: None,
            agrees: expected_outages <= 9.2 || exact_per_run == 0.0,
            nothing_seen: true,
        };
    }
    // Every run gave the same non-zero value (e.g. a system down all the time): no spread to
    // measure against, so only a match to rounding agrees.
    Agreement {
        exact: exact_per_run,
        sigmas: None,
        agrees: (mean - exact_per_run).abs() <= 1e-9 * mean.abs().max(exact_per_run.abs()),
        nothing_seen: false,
    }
}

/// Every number a simulation report shows, computed once.
#[derive(Debug, Clone)]
pub struct Estimates {
    /// System unavailability.
    pub unavailability: Estimate,
    /// Outages per year.
    pub failures_per_year: Estimate,
    /// Mean outage length (total downtime / outages), hours.
    pub mttr_hours: Option<Estimate>,
    /// Window-breach probability.
    pub breach: Option<Estimate>,
    /// P(no downtime in a run).
    pub outage_free: Estimate,
    /// Self-check of U against the exact solution.
    pub exact_unavailability: Option<Agreement>,
    /// Self-check of the outage frequency (per run).
    pub exact_failures: Option<Agreement>,
    /// Per block: U, outages per year, and the self-check of U.
    pub blocks: Vec<(Estimate, Estimate, Option<Agreement>)>,
    /// Runs behind the estimates.
    pub runs: u64,
}

impl Estimates {
    /// Computes the estimates of a record.
    pub fn of(record: &Record) -> Self {
        let tally = &record.tally;
        let per_year = HOURS_PER_YEAR / record.horizon_hours;
        let runs = tally.runs as f64;
        let mttr_hours = tally.downtime_per_outage.ratio().map(|value| {
            let (low, high) = tally
                .downtime_per_outage
                .ratio_ci(LEVEL)
                .unwrap_or((value, value));
            Estimate {
                value,
                low: low.max(0.0),
                high,
            }
        });
        let breach = if record.breach_hours.is_some() {
            tally
                .breach_probability(LEVEL)
                .map(|(value, (low, high))| Estimate { value, low, high })
        } else {
            None
        };
        let (free, (free_low, free_high)) = tally.outage_free(LEVEL);
        let exact = record.exact.filter(|_| tally.runs > 1);
        // With few outages the standard errors mean little (a handful of long outages can
        // put a correct simulation many "standard errors" away): the self-check then only
        // asks whether the outage count is plausible, by the exact Poisson interval at
        // 99.99% (about ±3.9σ).
        let outages = tally.outages.sum();
        let exposure = runs * record.horizon_hours;
        let count_plausible = |frequency: f64| {
            if outages >= FEW_OUTAGES || !(exposure > 0.0 && exposure.is_finite()) {
                return None;
            }
            let (low, high) = poisson_interval(outages as u64, exposure, 0.9999);
            Some(frequency >= low && frequency <= high)
        };
        let exact_unavailability = exact.map(|exact| {
            let expected = exact.frequency * record.horizon_hours * runs;
            let mut check = agreement(&tally.unavailability, exact.unavailability, expected);
            if let Some(plausible) = count_plausible(exact.frequency) {
                check.agrees = plausible;
            }
            check
        });
        let exact_failures = exact.map(|exact| {
            let per_run = exact.frequency * record.horizon_hours;
            let mut check = agreement(&tally.outages, per_run, per_run * runs);
            if let Some(plausible) = count_plausible(exact.frequency) {
                check.agrees = plausible;
            }
            check
        });
        let blocks = tally
            .blocks
            .iter()
            .enumerate()
            .map(|(index, block)| {
                let check = record
                    .exact_blocks
                    .as_ref()
                    .filter(|_| tally.runs > 1)
                    .and_then(|all| all.get(index))
                    .map(|exact| {
                        let copies = record.blocks[index].instances as f64;
                        let expected = exact.frequency * record.horizon_hours * runs * copies;
                        agreement(&block.unavailability, exact.unavailability, expected)
                    });
                (
                    Estimate::fraction(&block.unavailability),
                    Estimate::of(&block.outages, per_year),
                    check,
                )
            })
            .collect();
        let mut unavailability = Estimate::fraction(&tally.unavailability);
        let mut failures_per_year = Estimate::of(&tally.outages, per_year);
        let outages = tally.outages.sum();
        let exposure = runs * record.horizon_hours;
        if outages < FEW_OUTAGES && exposure > 0.0 && exposure.is_finite() {
            // With few outages the normal approximation fails (with none, the interval is
            // [0, 0]). The outage rate gets the exact Poisson (Garwood) interval, and U's
            // upper end becomes that rate's upper end times a mean outage length: the largest
            // of the one observed, the exact solver's U/f and the model's longest mean repair
            // or switchover time. Conservative, so `check --method simulate` cannot pass a
            // model merely because no outage happened to be simulated.
            let (rate_low, rate_high) = poisson_interval(outages as u64, exposure, LEVEL);
            failures_per_year.low = failures_per_year.low.min(rate_low * HOURS_PER_YEAR);
            failures_per_year.high = failures_per_year.high.max(rate_high * HOURS_PER_YEAR);
            let exact_mttr = record
                .exact
                .filter(|exact| exact.frequency > 0.0)
                .map_or(0.0, |exact| exact.unavailability / exact.frequency);
            let outage_hours = mttr_hours
                .map_or(0.0, |m| m.value)
                .max(exact_mttr)
                .max(record.longest_repair_hours);
            unavailability.high = unavailability.high.max((rate_high * outage_hours).min(1.0));
        }
        Self {
            unavailability,
            failures_per_year,
            mttr_hours,
            breach,
            outage_free: Estimate {
                value: free,
                low: free_low,
                high: free_high,
            },
            exact_unavailability,
            exact_failures,
            blocks,
            runs: tally.runs,
        }
    }

    /// Whether the self-check found a disagreement worth a warning. Below
    /// [`MIN_RUNS_TO_WARN`] runs it never warns: downtime per run is heavy-tailed (rare long
    /// outages), and a few hundred runs can put a correct simulation 5–25 "standard errors"
    /// away, since the sample variance misses the tail it has not seen.
    pub fn disagreement(&self) -> bool {
        self.runs >= MIN_RUNS_TO_WARN
            && [self.exact_unavailability, self.exact_failures]
                .iter()
                .flatten()
                .any(|check| !check.agrees)
    }
}

/// One row of a per-item output: the system or a block.
pub struct Item<'a> {
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

impl Estimates {
    /// The system, then every block, for row-per-item outputs.
    pub fn items<'a>(&'a self, record: &'a Record) -> Vec<Item<'a>> {
        let system = Item {
            name: "system",
            kind: "system",
            unavailability: &self.unavailability,
            failures_per_year: &self.failures_per_year,
            exact: self.exact_unavailability.map(|check| check.exact),
        };
        let blocks = record
            .blocks
            .iter()
            .zip(&self.blocks)
            .map(|(block, (u, f, check))| Item {
                name: &block.name,
                kind: &block.kind,
                unavailability: u,
                failures_per_year: f,
                exact: check.map(|check| check.exact),
            });
        std::iter::once(system).chain(blocks).collect()
    }
}

/// The outcome of `nines check --method simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulatedVerdict {
    /// The upper end of U's 95% interval is within the target.
    pub availability_met: bool,
    /// The upper end of the breach probability's interval is within
    /// `max_breach_probability` (None when the model sets no such limit).
    pub breach_met: Option<bool>,
}

impl SimulatedVerdict {
    /// Judges a record against its target; None without a target.
    pub fn of(record: &Record, estimates: &Estimates) -> Option<Self> {
        let target = record.target_unavailability?;
        let breach_met = match (record.max_breach_probability, estimates.breach) {
            (Some(limit), Some(breach)) => Some(breach.high <= limit),
            _ => None,
        };
        Some(Self {
            availability_met: estimates.unavailability.high <= target,
            breach_met,
        })
    }

    /// Both parts met.
    pub fn met(&self) -> bool {
        self.availability_met && self.breach_met != Some(false)
    }
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
    let estimates = Estimates::of(record);
    let tally = &record.tally;
    let u = estimates.unavailability;
    let per_year = HOURS_PER_YEAR / record.horizon_hours;
    let f = estimates.failures_per_year;
    let mtbf = |failures_per_year: f64| finite(HOURS_PER_YEAR / failures_per_year);
    let verdict = SimulatedVerdict::of(record, &estimates);
    let blocks: Vec<Value> = record
        .blocks
        .iter()
        .zip(&estimates.blocks)
        .map(|(block, (u, f, check))| {
            json!({
                "name": block.name,
                "kind": block.kind,
                "instances": block.instances,
                "availability": 1.0 - u.value,
                "availability_ci95": [1.0 - u.high, 1.0 - u.low],
                "unavailability": u.value,
                "unavailability_ci95": u.json(),
                "failures_per_year": f.value,
                "failures_per_year_ci95": f.json(),
                "exact_unavailability": agreement_json(*check, 1.0),
            })
        })
        .collect();
    json!({
        "model": record.model,
        "file": record.file,
        "method": "simulate",
        "availability": 1.0 - u.value,
        "availability_ci95": [1.0 - u.high, 1.0 - u.low],
        "unavailability": u.value,
        "unavailability_ci95": u.json(),
        // `+ 0.0` turns the −0 of an always-down system into 0.
        "nines": if u.value > 0.0 { finite(-u.value.log10() + 0.0) } else { Value::Null },
        "downtime_minutes_per_year": u.value * MINUTES_PER_YEAR,
        "downtime_minutes_per_year_ci95": [u.low * MINUTES_PER_YEAR, u.high * MINUTES_PER_YEAR],
        "failures_per_year": f.value,
        "failures_per_year_ci95": f.json(),
        "mtbf_hours": mtbf(f.value),
        "mtbf_hours_ci95": [mtbf(f.high), mtbf(f.low)],
        "mttr_hours": estimates.mttr_hours.map_or(Value::Null, |m| finite(m.value)),
        "mttr_hours_ci95": estimates.mttr_hours.map_or(Value::Null, |m| m.json()),
        "outages_per_run": {
            "mean": tally.outages.mean(),
            "p50": tally.outage_counts.quantile(0.5),
            "p90": tally.outage_counts.quantile(0.9),
            "p99": tally.outage_counts.quantile(0.99),
            "max": tally.outage_counts.max(),
        },
        "outage_hours": outage_lengths_json(record),
        "outage_free_probability": estimates.outage_free.value,
        "outage_free_probability_ci95": estimates.outage_free.json(),
        "window_hours": record.window_hours,
        "windows": tally.windows,
        "window_downtime_minutes": window_json(record),
        "breach_probability": estimates.breach.map_or(Value::Null, |b| json!(b.value)),
        "breach_probability_ci95": estimates.breach.map_or(Value::Null, |b| b.json()),
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
    })
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
    let tally = &record.tally;
    let u = estimates.unavailability;
    let horizon = span_label(record.horizon_hours);
    writeln!(
        out,
        "{} — simulated  ({})",
        one_line(&record.model),
        one_line(&record.file)
    )?;
    let mut rows: Vec<(String, String)> = Vec::new();
    let warmup = if record.warmup_hours > 0.0 {
        format!(
            " after {} warm-up",
            format_duration_hours(record.warmup_hours)
        )
    } else {
        String::new()
    };
    rows.push((
        "runs".into(),
        format!(
            "{} × {horizon}{warmup}  (seed {}, {} thread{}, {:.2} s, {} events)",
            tally.runs,
            record.seed,
            record.threads,
            if record.threads == 1 { "" } else { "s" },
            record.elapsed_seconds,
            significant(tally.events as f64, 3)
        ),
    ));
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
        with_interval(free.value, free.low, free.high, probability),
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
    if let (Some(breach), Some(target)) = (estimates.breach, &record.target) {
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
        rows.push((
            "breach probability".into(),
            format!(
                "{}  (windows below {}{limit})",
                with_interval(breach.value, breach.low, breach.high, probability),
                one_line(target)
            ),
        ));
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
    if !record.blocks.is_empty() {
        writeln!(out)?;
        write_block_table(out, record, &estimates)?;
    }
    writeln!(out)
}

/// Width of a text column: its longest cell, at least `minimum` (the header).
fn column_width(cells: &[String], minimum: usize) -> usize {
    cells
        .iter()
        .map(|cell| cell.chars().count())
        .max()
        .unwrap_or(0)
        .max(minimum)
}

fn write_block_table(
    out: &mut dyn Write,
    record: &Record,
    estimates: &Estimates,
) -> io::Result<()> {
    let names: Vec<String> = record.blocks.iter().map(|b| one_line(&b.name)).collect();
    let kinds: Vec<String> = record.blocks.iter().map(|b| one_line(&b.kind)).collect();
    let cis: Vec<String> = estimates
        .blocks
        .iter()
        .map(|(u, _, _)| interval_percent(u))
        .collect();
    let name_width = column_width(&names, 5);
    let kind_width = column_width(&kinds, 4);
    let ci_width = column_width(&cis, 6);
    let exact_label = if record.exact_applies {
        "exact"
    } else {
        "exponential approx."
    };
    writeln!(
        out,
        "  {:<name_width$}  {:<kind_width$}  {:>14}  {:<ci_width$}  {exact_label}",
        "block", "kind", "availability", "95% CI"
    )?;
    for (((kind, name), (u, _, check)), ci) in
        kinds.iter().zip(&names).zip(&estimates.blocks).zip(&cis)
    {
        let exact = match check {
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
        writeln!(
            out,
            "  {name:<name_width$}  {:<kind_width$}  {:>14}  {ci:<ci_width$}  {exact}",
            kind,
            availability_percent(u.value),
        )?;
    }
    Ok(())
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
            record.tally.runs,
            record.seed
        )
    };
    for item in estimates.items(record) {
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
    writeln!(
        out,
        "{} runs of {}, seed {}.\n",
        record.tally.runs,
        span_label(record.horizon_hours),
        record.seed
    )?;
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
    for item in estimates.items(record) {
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
            "\nSLA window {}: breach probability {} (95% CI {} – {}).",
            span_label(record.window_hours),
            probability(breach.value),
            probability(breach.low),
            probability(breach.high)
        )?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_of_time_stay_inside_zero_and_one() {
        // A block down for the whole of three runs, its down time summed with a rounding
        // error: the mean is 1 + 4.4e-16, and with any spread the t-interval passes 1.
        let mut moments = Moments::default();
        for x in [1.0 + 4.4e-16, 1.0, 0.999_9] {
            moments.push(x);
        }
        let plain = Estimate::of(&moments, 1.0);
        assert!(plain.high > 1.0, "{plain:?}");
        let fraction = Estimate::fraction(&moments);
        assert_eq!(fraction.high, 1.0);
        assert!(fraction.value <= 1.0 && fraction.low >= 0.0, "{fraction:?}");
        let mut over = Moments::default();
        over.push(1.0 + 4.4e-16);
        over.push(1.0 + 4.4e-16);
        assert_eq!(Estimate::fraction(&over).value, 1.0);
    }

    #[test]
    fn span_labels_use_the_unit_people_wrote() {
        assert_eq!(span_label(8766.0), "1y");
        assert_eq!(span_label(720.0), "30d");
        assert_eq!(span_label(336.0), "2w");
        assert_eq!(span_label(12.0), "12h");
        assert_eq!(span_label(0.5), "30m");
    }
}
