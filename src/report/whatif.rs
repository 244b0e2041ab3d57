//! Output of the what-if commands: sweep points, goal-seeking results and importance tables,
//! as aligned text, CSV, JSON and Markdown.

use super::columns::Columns;
use super::csv::field;
use super::markdown::escape;
use crate::chart::sweep::{SweepChart, SweepPoint, SweepSeries};
use crate::chart::tornado::{TornadoChart, TornadoRow};
use crate::format::{availability_percent, compact, downtime, nines, significant};
use crate::solve::{Measures, nines_of};
use crate::whatif::sensitivity::Importance;
use crate::whatif::sweep::Point;
use crate::whatif::sweep::{crossings, lines};
use crate::whatif::vary::AxisUnit;
use crate::whatif::vary::Vary;
use serde_json::{Map, Value, json};
use std::io::{self, Write};

use super::json::number as finite;

fn pair(values: (f64, f64)) -> Value {
    json!([finite(values.0), finite(values.1)])
}

/// One JSON object per sweep point.
pub fn sweep_point_json(model: &str, file: &str, varies: &[Vary], point: &Point) -> Value {
    let mut vary = Map::new();
    for (spec, value) in varies.iter().zip(&point.values) {
        let number = if spec.unit == AxisUnit::Count {
            json!(value.x as u64)
        } else {
            json!(value.x)
        };
        vary.insert(spec.path.clone(), number);
    }
    let measures = &point.measures;
    let mut object = Map::new();
    object.insert("model".into(), json!(model));
    object.insert("file".into(), json!(file));
    object.insert("vary".into(), Value::Object(vary));
    object.insert("availability".into(), finite(measures.availability));
    object.insert("unavailability".into(), finite(measures.unavailability));
    object.insert("nines".into(), finite(measures.nines()));
    object.insert(
        "downtime_minutes_per_year".into(),
        finite(measures.downtime_minutes_per_year()),
    );
    object.insert(
        "failures_per_year".into(),
        finite(measures.failures_per_year()),
    );
    object.insert(
        "target".into(),
        point
            .target
            .as_ref()
            .map_or(Value::Null, |(_, text)| json!(text)),
    );
    object.insert(
        "meets_target".into(),
        point.meets_target.map_or(Value::Null, Value::Bool),
    );
    if let Some(interval) = &point.interval {
        let (low, high) = interval.unavailability;
        object.insert("unavailability_interval".into(), pair((low, high)));
        object.insert(
            "availability_interval".into(),
            pair((1.0 - high, 1.0 - low)),
        );
        object.insert(
            "nines_interval".into(),
            pair((nines_of(high), nines_of(low))),
        );
        let minutes = crate::model::units::HOURS_PER_YEAR * 60.0;
        object.insert(
            "downtime_minutes_per_year_interval".into(),
            pair((low * minutes, high * minutes)),
        );
        object.insert(
            "failures_per_year_interval".into(),
            pair(interval.failures_per_year),
        );
    }
    Value::Object(object)
}

/// The CSV header of a sweep.
pub fn sweep_csv_header(varies: &[Vary], simulated: bool) -> String {
    let mut titles: Vec<String> = vec!["model".into()];
    titles.extend(varies.iter().map(|vary| field(&vary.path)));
    titles.extend(
        [
            "availability",
            "unavailability",
            "nines",
            "downtime_minutes_per_year",
            "failures_per_year",
            "meets_target",
        ]
        .map(String::from),
    );
    if simulated {
        titles.extend(
            [
                "unavailability_low",
                "unavailability_high",
                "failures_per_year_low",
                "failures_per_year_high",
            ]
            .map(String::from),
        );
    }
    titles.join(",")
}

/// One CSV row per sweep point; values in hours for durations, fractions for percentages.
pub fn sweep_csv_row(model: &str, point: &Point) -> String {
    use super::csv::number;
    let measures = &point.measures;
    let mut cells = vec![field(model)];
    cells.extend(point.values.iter().map(|value| format!("{}", value.x)));
    cells.extend([
        number(measures.availability),
        number(measures.unavailability),
        number(measures.nines()),
        number(measures.downtime_minutes_per_year()),
        number(measures.failures_per_year()),
        point
            .meets_target
            .map_or(String::new(), |met| met.to_string()),
    ]);
    if let Some(interval) = &point.interval {
        cells.extend([
            number(interval.unavailability.0),
            number(interval.unavailability.1),
            number(interval.failures_per_year.0),
            number(interval.failures_per_year.1),
        ]);
    }
    cells.join(",")
}

/// The sweep as an aligned table.
pub fn write_sweep_table(out: &mut dyn Write, varies: &[Vary], points: &[Point]) -> io::Result<()> {
    let simulated = points.iter().any(|point| point.interval.is_some());
    let mut titles: Vec<String> = varies.iter().map(|vary| vary.path.clone()).collect();
    titles.extend(
        [
            "availability",
            "nines",
            "downtime/yr",
            "outages/yr",
            "target",
        ]
        .map(String::from),
    );
    if simulated {
        titles.insert(varies.len() + 1, "95% interval".into());
    }
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|point| {
            let measures = &point.measures;
            let mut cells: Vec<String> = point.values.iter().map(|v| v.label.clone()).collect();
            cells.push(availability_percent(measures.unavailability));
            if let Some(interval) = &point.interval {
                cells.push(format!(
                    "{} – {}",
                    availability_percent(interval.unavailability.1),
                    availability_percent(interval.unavailability.0)
                ));
            }
            cells.push(nines(measures.nines()));
            cells.push(downtime(measures.downtime_minutes_per_year()));
            cells.push(significant(measures.failures_per_year(), 3));
            cells.push(match point.meets_target {
                Some(true) => "meets".into(),
                Some(false) => "misses".into(),
                None => "-".into(),
            });
            cells
        })
        .collect();
    Columns::new().write(out, &titles, &rows)
}

/// Importance rows as table cells: name, kind, copies, I_B, I_CR, RAW, RRW, two savings.
fn importance_cells(item: &Importance) -> Vec<String> {
    let ratio = |value: Option<f64>| value.map_or("∞".to_string(), |v| significant(v, 4));
    vec![
        item.name.clone(),
        if let Some(instances) = item.instances {
            format!("{} of {instances}", item.kind)
        } else if item.shared {
            format!("{} (shared)", item.kind)
        } else {
            item.kind.to_string()
        },
        item.copies.to_string(),
        significant(item.birnbaum, 4),
        item.criticality
            .map_or("-".to_string(), |v| format!("{}%", compact(v * 100.0, 4))),
        ratio(item.raw),
        ratio(item.rrw),
        signed_minutes(item.downtime_change_mtbf_x2_minutes),
        signed_minutes(item.downtime_change_mttr_half_minutes),
    ]
}

/// A downtime change per year in minutes, signed (`−12.5 min`).
fn signed_minutes(minutes: f64) -> String {
    if minutes == 0.0 {
        return "0".into();
    }
    let sign = if minutes < 0.0 { "−" } else { "+" };
    format!("{sign}{}", downtime(minutes.abs()))
}

/// Column titles of the importance table.
pub const IMPORTANCE_TITLES: [&str; 9] = [
    "item",
    "kind",
    "copies",
    "Birnbaum",
    "criticality",
    "RAW",
    "RRW",
    "downtime/yr if MTBF ×2",
    "if MTTR ÷2",
];

/// The importance table of one model.
pub fn write_importance_table(out: &mut dyn Write, items: &[Importance]) -> io::Result<()> {
    let titles: Vec<String> = IMPORTANCE_TITLES.iter().map(|t| t.to_string()).collect();
    let rows: Vec<Vec<String>> = items.iter().map(importance_cells).collect();
    Columns::new().write(out, &titles, &rows)
}

/// The importance table as Markdown.
pub fn write_importance_markdown(out: &mut dyn Write, items: &[Importance]) -> io::Result<()> {
    writeln!(out, "| {} |", IMPORTANCE_TITLES.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(IMPORTANCE_TITLES.len()))?;
    for item in items {
        let cells: Vec<String> = importance_cells(item).iter().map(|c| escape(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// The importance of one model as one JSON object with `items` in the printed order.
pub fn importance_json(model: &str, file: &str, system: &Measures, items: &[Importance]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut object = json!({
                "name": item.name,
                "kind": item.kind,
                "shared": item.shared,
                "copies": item.copies,
                "birnbaum": finite(item.birnbaum),
                "criticality": item.criticality.map_or(Value::Null, finite),
                "raw": item.raw.map_or(Value::Null, finite),
                "rrw": item.rrw.map_or(Value::Null, finite),
                "downtime_change_mtbf_x2_minutes": finite(item.downtime_change_mtbf_x2_minutes),
                "downtime_change_mttr_half_minutes": finite(item.downtime_change_mttr_half_minutes),
            });
            if let Some(instances) = item.instances {
                object["instances"] = json!(instances);
            }
            object
        })
        .collect();
    json!({
        "model": model,
        "file": file,
        "unavailability": finite(system.unavailability),
        "downtime_minutes_per_year": finite(system.downtime_minutes_per_year()),
        "figures": "per copy",
        "items": items,
    })
}

/// CSV header of importance rows.
pub const IMPORTANCE_CSV_HEADER: &str = "model,name,kind,shared,copies,birnbaum,criticality,raw,rrw,downtime_change_mtbf_x2_minutes,downtime_change_mttr_half_minutes";

/// One CSV row per item.
pub fn importance_csv_row(model: &str, item: &Importance) -> String {
    let number = |value: Option<f64>| match value {
        Some(v) if v.is_finite() => format!("{v:e}"),
        _ => String::new(),
    };
    [
        field(model),
        field(&item.name),
        item.kind.to_string(),
        item.shared.to_string(),
        item.copies.to_string(),
        number(Some(item.birnbaum)),
        number(item.criticality),
        number(item.raw),
        number(item.rrw),
        number(Some(item.downtime_change_mtbf_x2_minutes)),
        number(Some(item.downtime_change_mttr_half_minutes)),
    ]
    .join(",")
}

/// The chart of a sweep: one line per value of the second `--vary`.
pub fn sweep_chart(model: &str, varies: &[Vary], points: &[Point], log: bool) -> SweepChart {
    let vary = &varies[0];
    let series: Vec<SweepSeries> = lines(points)
        .into_iter()
        .map(|line| {
            let label = line[0].values[1..]
                .iter()
                .zip(&varies[1..])
                .map(|(value, vary)| format!("{} = {}", vary.key(), value.label))
                .collect::<Vec<_>>()
                .join(", ");
            let mut points: Vec<SweepPoint> = line
                .iter()
                .map(|point| SweepPoint {
                    x: point.values[0].x,
                    nines: point.measures.nines(),
                    interval: point.interval.map(|interval| {
                        (
                            nines_of(interval.unavailability.1),
                            nines_of(interval.unavailability.0),
                        )
                    }),
                })
                .collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            SweepSeries { label, points }
        })
        .collect();
    let log_x = log && vary.values.iter().all(|value| value.x > 0.0);
    let crossing_points = lines(points)
        .iter()
        .flat_map(|line| crossings(line, log_x, vary.unit == AxisUnit::Count))
        .collect();
    // One horizontal target line, unless the target itself is what varies.
    let first_target = points.iter().find_map(|point| point.target.clone());
    let target = first_target
        .filter(|first| {
            points
                .iter()
                .all(|point| point.target.as_ref() == Some(first))
        })
        .map(|(u, text)| (-u.log10(), text));
    SweepChart {
        title: format!(
            "{}: availability vs {}",
            crate::chart::clip_label(model, 40),
            vary.path
        ),
        x_label: format!("{}{}", vary.path, unit_suffix(vary.unit)),
        x_unit: vary.unit,
        log_x,
        series,
        target,
        crossings: crossing_points,
    }
}

fn unit_suffix(unit: AxisUnit) -> &'static str {
    match unit {
        AxisUnit::Hours => " (duration)",
        AxisUnit::Fraction | AxisUnit::Percent => " (%)",
        AxisUnit::Count | AxisUnit::Number => "",
    }
}

/// "Fix db first: halving its MTTR saves 1h 12m of downtime a year."
pub fn fix_first_sentence(best: &Importance) -> String {
    let (what, saved) =
        if -best.downtime_change_mttr_half_minutes >= -best.downtime_change_mtbf_x2_minutes {
            ("halving its MTTR", -best.downtime_change_mttr_half_minutes)
        } else {
            ("doubling its MTBF", -best.downtime_change_mtbf_x2_minutes)
        };
    format!(
        "fix first: {} `{}` — {what} saves {} of downtime a year",
        best.kind,
        best.name,
        crate::format::downtime(saved)
    )
}

/// The tornado chart of a model's importance list.
pub fn tornado_chart(model: &str, items: &[Importance]) -> TornadoChart {
    TornadoChart {
        title: format!("{model}: what to fix first"),
        rows: items
            .iter()
            .map(|item| TornadoRow {
                label: format!("{} ({})", item.name, item.kind),
                mtbf_saved_minutes: -item.downtime_change_mtbf_x2_minutes,
                mttr_saved_minutes: -item.downtime_change_mttr_half_minutes,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nines_of_an_always_down_system_never_print_minus_zero() {
        // −log10(1) is −0 in floating point; the one shared nines_of gives +0.
        let value = nines_of(1.0);
        assert!(value == 0.0 && value.is_sign_positive(), "{value}");
        assert_eq!(nines(value), "0.00");
        assert_eq!(serde_json::json!(value).to_string(), "0.0");
        assert!(nines_of(0.0).is_infinite());
    }

    #[test]
    fn savings_are_signed() {
        assert_eq!(signed_minutes(-90.0), "−1h 30m");
        assert_eq!(signed_minutes(0.0), "0");
    }
}
