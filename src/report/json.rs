//! JSON output: exactly one object per model per line, the stable contract for scripts and CI.
//!
//! Infinite or undefined figures (nines of a system that never fails, MTTR with no outages)
//! are `null`, never a string or a sentinel number.

use super::{Exporter, ModelResult, describe_kind};
use crate::solve::Measures;
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
    let mut blocks = Map::new();
    for block in &result.solution.blocks {
        let mut fields = Map::new();
        fields.insert(
            "kind".into(),
            json!(describe_kind(result.model, &block.name)),
        );
        fields.extend(measures_fields(&block.measures));
        blocks.insert(block.name.clone(), Value::Object(fields));
    }
    object.insert("blocks".into(), Value::Object(blocks));
    Value::Object(object)
}

impl Exporter<ModelResult<'_>> for JsonExporter {
    fn write(&mut self, out: &mut dyn Write, result: &ModelResult<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &model_object(result))?;
        writeln!(out)
    }
}
