//! JSON output: exactly one object per model per line, the stable contract for scripts and CI.
//!
//! Infinite or undefined figures (nines of a system that never fails, MTTR with no outages)
//! are `null`, never a string or a sentinel number.

use super::{Exporter, ModelResult, describe_kind};
use crate::solve::Measures;
use crate::solve::transient::{FirstOutage, TransientError, Window, WindowStart};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// Writes one JSON object per model per line.
pub struct JsonExporter;

/// A number, or `null` when it is not finite.
pub(crate) fn number(value: f64) -> Value {
    if value.is_finite() {
        json!(value)
    } else {
        Value::Null
    }
}

fn optional(value: Option<f64>) -> Value {
    value.map_or(Value::Null, number)
}

/// The measures every result carries, as JSON fields in a fixed order.
pub fn measures_fields(measures: &Measures) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("availability".into(), number(measures.availability));
    fields.insert("unavailability".into(), number(measures.unavailability));
    fields.insert("nines".into(), number(measures.nines()));
    fields.insert(
        "downtime_minutes_per_year".into(),
        number(measures.downtime_minutes_per_year()),
    );
    fields.insert(
        "failures_per_year".into(),
        number(measures.failures_per_year()),
    );
    fields.insert("mtbf_hours".into(), optional(measures.mtbf_hours()));
    fields.insert("mttr_hours".into(), optional(measures.mttr_hours()));
    fields
}

/// The whole object for one model.
pub fn model_object(result: &ModelResult<'_>) -> Value {
    let mut object = Map::new();
    object.insert("model".into(), json!(result.model.name));
    object.insert("file".into(), json!(result.file));
    object.insert("method".into(), json!("analytic"));
    object.extend(measures_fields(&result.solution.system));
    let target = match &result.verdict {
        Some(verdict) => json!({
            "text": verdict.target.text,
            "unavailability": verdict.target.unavailability,
            "availability": 1.0 - verdict.target.unavailability,
            "met": verdict.met,
        }),
        None => Value::Null,
    };
    object.insert("target".into(), target);
    if let Some(time) = result.time {
        object.extend(first_outage_fields(&time.system));
        if let Some(window) = &time.window {
            object.extend(window_fields(window));
        }
    }
    let mut blocks = Map::new();
    for block in &result.solution.blocks {
        let mut fields = Map::new();
        fields.insert(
            "kind".into(),
            json!(describe_kind(result.model, &block.name)),
        );
        fields.extend(measures_fields(&block.measures));
        if let Some(time) = result.time
            && let Some((_, first)) = time.blocks.iter().find(|(name, _)| *name == block.name)
        {
            fields.extend(first_outage_fields(first));
        }
        blocks.insert(block.name.clone(), Value::Object(fields));
    }
    object.insert("blocks".into(), Value::Object(blocks));
    Value::Object(object)
}

/// `mttff_hours` (`null` when it never goes down or could not be computed), and with a
/// mission `mission_hours`, `reliability`, `unreliability` and `durability_nines`.
fn first_outage_fields(first: &Result<FirstOutage, TransientError>) -> Map<String, Value> {
    let mut fields = Map::new();
    match first {
        Ok(first) => {
            fields.insert("mttff_hours".into(), optional(first.mttff_hours));
            if let Some(mission) = &first.mission {
                fields.insert("mission_hours".into(), number(mission.hours));
                fields.insert("reliability".into(), number(mission.reliability));
                fields.insert("unreliability".into(), number(mission.unreliability));
                fields.insert("durability_nines".into(), number(mission.nines()));
            }
        }
        Err(error) => {
            fields.insert("mttff_hours".into(), Value::Null);
            fields.insert("time_error".into(), json!(error.to_string()));
        }
    }
    fields
}

/// `window_hours`, `window_start`, `breach_probability` (`null` without a target),
/// `breach_error_bound` and `window_downtime_minutes` {p50, p90, p99, p99_9, mean}.
fn window_fields(window: &Result<Window, TransientError>) -> Map<String, Value> {
    let mut fields = Map::new();
    match window {
        Ok(window) => {
            let minutes = |hours: Option<f64>| optional(hours.map(|h| h * 60.0));
            let q = &window.downtime_hours;
            fields.insert("window_hours".into(), number(window.settings.hours));
            fields.insert(
                "window_start".into(),
                json!(match window.settings.start {
                    WindowStart::Steady => "steady",
                    WindowStart::New => "new",
                }),
            );
            fields.insert(
                "breach_probability".into(),
                optional(window.breach_probability),
            );
            fields.insert(
                "breach_error_bound".into(),
                optional(window.breach_error_bound),
            );
            fields.insert(
                "window_downtime_minutes".into(),
                json!({
                    "p50": minutes(q.p50),
                    "p90": minutes(q.p90),
                    "p99": minutes(q.p99),
                    "p99_9": minutes(q.p99_9),
                    "mean": minutes(q.mean),
                }),
            );
        }
        Err(error) => {
            fields.insert("breach_probability".into(), Value::Null);
            fields.insert("window_error".into(), json!(error.to_string()));
        }
    }
    fields
}

impl Exporter<ModelResult<'_>> for JsonExporter {
    fn write(&mut self, out: &mut dyn Write, result: &ModelResult<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &model_object(result))?;
        writeln!(out)
    }
}
