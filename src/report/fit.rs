//! Output of `nines fit`: a table for people, JSON (one object per component per line) for
//! machines, and TOML component tables to paste into a model, with the evidence they rest on.

use super::Exporter;
use super::columns::{Columns, titles};
use crate::fit::repair::{RepairFit, best};
use crate::fit::{ComponentFit, LogFit, Period};
use crate::format::{format_duration_hours, significant, trim_trailing_zeros};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// The output formats of `fit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FitFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object per component, one per line.
    Json,
    /// `[component.NAME]` tables with `mtbf`, `mttr`, `repair_dist` and `evidence`.
    Toml,
}

/// The exporter of an incident log's evidence for `format`.
pub fn exporter(format: FitFormat) -> Box<dyn Exporter<LogFit>> {
    match format {
        FitFormat::Table => Box::new(FitTable),
        FitFormat::Json => Box::new(FitJson),
        FitFormat::Toml => Box::new(FitToml),
    }
}

struct FitTable;
struct FitJson;
struct FitToml;

/// A period as `2026-01-01 00:00 UTC to 2026-12-31 00:00 UTC`.
fn period_text(period: Period) -> String {
    let show = |seconds: i64| {
        jiff::Timestamp::from_second(seconds)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|_| seconds.to_string())
    };
    format!(
        "{} to {} ({})",
        show(period.from),
        show(period.to),
        format_duration_hours(period.hours())
    )
}

/// `[low, high]` of an interval, with `∞` for a missing upper end.
fn interval_text(low: f64, high: Option<f64>) -> String {
    format!(
        "[{}, {}]",
        format_duration_hours(low),
        high.map_or("∞".to_string(), format_duration_hours)
    )
}

/// A fit's parameters as `mu=1.42 sigma=1.16` (hours for scales and means).
fn parameters_text(fit: &RepairFit) -> String {
    fit.parameters
        .iter()
        .map(|(name, value)| format!("{name}={}", trim_trailing_zeros(significant(*value, 4))))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Exporter<LogFit> for FitTable {
    fn write(&mut self, out: &mut dyn Write, log: &LogFit) -> io::Result<()> {
        writeln!(
            out,
            "{}: {}, {} intervals",
            log.file,
            period_text(log.period),
            log.confidence_text
        )?;
        let interval_title = |what: &str| format!("{what} {}", log.confidence_text);
        let table_titles = vec![
            "component".to_string(),
            "units".into(),
            "failures".into(),
            "exposure".into(),
            "MTBF".into(),
            interval_title("MTBF"),
            "MTTR".into(),
            interval_title("MTTR"),
            "best repair fit".into(),
        ];
        let rows: Vec<Vec<String>> = log
            .components
            .iter()
            .map(|component| {
                vec![
                    component.name.clone(),
                    component.units.to_string(),
                    component.failures.to_string(),
                    format_duration_hours(component.exposure_hours),
                    component
                        .mtbf
                        .value
                        .map_or("–".into(), format_duration_hours),
                    interval_text(component.mtbf.low, component.mtbf.high),
                    component
                        .mttr
                        .value
                        .map_or("–".into(), format_duration_hours),
                    interval_text(component.mttr.low, component.mttr.high),
                    best(&component.repair_fits)
                        .map_or("–".into(), |fit| fit.family.name().to_string()),
                ]
            })
            .collect();
        writeln!(out)?;
        Columns::new()
            .numbers_after(1, table_titles.len() - 1)
            .write(out, &table_titles, &rows)?;
        writeln!(out)?;
        writeln!(
            out,
            "repair-time fits (log-likelihood of the repair times in hours; * lowest AIC):"
        )?;
        let mut rows = Vec::new();
        for component in &log.components {
            let lowest = best(&component.repair_fits).map(|fit| fit.family);
            if component.repair_fits.is_empty() {
                rows.push(vec![
                    component.name.clone(),
                    "no completed repair to fit".into(),
                ]);
            }
            for (index, fit) in component.repair_fits.iter().enumerate() {
                let marker = if Some(fit.family) == lowest { " *" } else { "" };
                rows.push(vec![
                    if index == 0 {
                        component.name.clone()
                    } else {
                        String::new()
                    },
                    format!("{}{marker}", fit.family.name()),
                    parameters_text(fit),
                    format!("{:.3}", fit.log_likelihood),
                    format!("{:.3}", fit.aic),
                    format!("{:.3}", fit.ks),
                ]);
            }
        }
        Columns::new().indent("  ").numbers_after(3, 6).write(
            out,
            &titles(&[
                "component",
                "distribution",
                "parameters",
                "log-lik",
                "AIC",
                "KS",
            ]),
            &rows,
        )
    }
}

/// An interval as a JSON pair, `null` for a missing end.
fn interval_json(low: f64, high: Option<f64>) -> Value {
    json!([low, high])
}

/// The JSON object of one component.
pub fn component_json(component: &ComponentFit) -> Value {
    let fits: Vec<Value> = component
        .repair_fits
        .iter()
        .map(|fit| {
            let parameters: Map<String, Value> = fit
                .parameters
                .iter()
                .map(|(name, value)| (name.to_string(), json!(value)))
                .collect();
            json!({
                "distribution": fit.family.name(),
                "parameters": parameters,
                "log_likelihood": fit.log_likelihood,
                "aic": fit.aic,
                "ks": fit.ks,
            })
        })
        .collect();
    json!({
        "component": component.name,
        "units": component.units,
        "failures": component.failures,
        "exposure_hours": component.exposure_hours,
        "mtbf_hours": component.mtbf.value,
        "mtbf_hours_interval": interval_json(component.mtbf.low, component.mtbf.high),
        "mttr_hours": component.mttr.value,
        "mttr_hours_interval": interval_json(component.mttr.low, component.mttr.high),
        "repair_fits": fits,
        "best": best(&component.repair_fits).map(|fit| fit.family.name()),
    })
}

impl Exporter<LogFit> for FitJson {
    fn write(&mut self, out: &mut dyn Write, log: &LogFit) -> io::Result<()> {
        for component in &log.components {
            serde_json::to_writer(&mut *out, &component_json(component))?;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// Hours as a model duration string: under two days, whole minutes as such (`"4h"`, `"29m"`), else
/// hours to six significant digits (`"1234.57h"`).
fn duration_value(hours: f64) -> String {
    let minutes = hours * 60.0;
    if hours < 48.0 && (minutes - minutes.round()).abs() < 1e-9 && minutes.round() % 60.0 != 0.0 {
        return format!("\"{}m\"", minutes.round());
    }
    format!("\"{}h\"", trim_trailing_zeros(significant(hours, 6)))
}

/// The `repair_dist` a fit gives, when the model format accepts its shape parameter.
fn repair_dist(fit: &RepairFit) -> Option<String> {
    let (name, value) = fit.shape_parameter()?;
    let allowed = match name {
        "sigma" => value > 0.0 && value <= 10.0,
        _ if fit.family.name() == "weibull" => (0.05..=100.0).contains(&value),
        _ => (0.01..=1e6).contains(&value),
    };
    allowed.then(|| {
        format!(
            "{{ dist = \"{}\", {name} = {} }}",
            fit.family.name(),
            trim_trailing_zeros(significant(value, 4))
        )
    })
}

impl Exporter<LogFit> for FitToml {
    fn write(&mut self, out: &mut dyn Write, log: &LogFit) -> io::Result<()> {
        writeln!(
            out,
            "# From `nines fit {}`: {}; intervals at {}.",
            log.file,
            period_text(log.period),
            log.confidence_text
        )?;
        for component in &log.components {
            writeln!(out)?;
            let (Some(mtbf), Some(mttr)) = (component.mtbf.value, component.mttr.value) else {
                writeln!(
                    out,
                    "# {}: {} failure{} and {} completed repair{}: too few to estimate MTBF and MTTR; MTBF ≥ {} at {}.",
                    component.name,
                    component.failures,
                    if component.failures == 1 { "" } else { "s" },
                    component.repairs.iter().filter(|r| !r.censored).count(),
                    if component.failures == 1 { "" } else { "s" },
                    format_duration_hours(component.mtbf.low),
                    log.confidence_text
                )?;
                continue;
            };
            let key = toml_key(&component.name);
            if key != component.name {
                writeln!(out, "# `{}` in the incident log", component.name)?;
            }
            writeln!(out, "[component.{key}]")?;
            writeln!(
                out,
                "mtbf = {}    # {}: {}",
                duration_value(mtbf),
                log.confidence_text,
                interval_text(component.mtbf.low, component.mtbf.high)
            )?;
            writeln!(
                out,
                "mttr = {}    # {}: {}",
                duration_value(mttr),
                log.confidence_text,
                interval_text(component.mttr.low, component.mttr.high)
            )?;
            if let Some(fit) = best(&component.repair_fits) {
                match repair_dist(fit) {
                    Some(dist) => writeln!(out, "repair_dist = {dist}    # lowest AIC")?,
                    None if fit.family.name() == "exponential" => {
                        writeln!(out, "# repair times: the exponential fits best")?
                    }
                    None => writeln!(
                        out,
                        "# repair times fit a {} best ({}), outside the model's parameter range",
                        fit.family.name(),
                        parameters_text(fit)
                    )?,
                }
            }
            writeln!(out)?;
            writeln!(out, "[component.{key}.evidence]")?;
            writeln!(out, "failures = {}", component.failures)?;
            writeln!(
                out,
                "exposure = {}",
                duration_value(component.exposure_hours)
            )?;
            let repairs: Vec<String> = component
                .repairs
                .iter()
                .filter(|r| !r.censored)
                .map(|r| duration_value(r.hours))
                .collect();
            writeln!(out, "repairs = [{}]", repairs.join(", "))?;
        }
        Ok(())
    }
}

/// A component name as a model name (letters, digits, `_` and `-`): other characters become
/// `_`, so that the pasted table loads; the table says what the log called it.
fn toml_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::incidents::{parse_log, parse_time};
    use crate::fit::{fit_log, period_of};

    fn log_fit(text: &str) -> LogFit {
        let log = parse_log(text).unwrap();
        let period = period_of(&log, Some(parse_time("2026-01-01", true).unwrap()), None).unwrap();
        LogFit {
            file: "incidents.csv".into(),
            period,
            confidence: 0.9,
            confidence_text: "90%".into(),
            components: fit_log(&log, period, 0.9),
        }
    }

    fn written(format: FitFormat, fit: &LogFit) -> String {
        let mut bytes = Vec::new();
        let mut exporter = exporter(format);
        exporter.begin(&mut bytes).unwrap();
        exporter.write(&mut bytes, fit).unwrap();
        exporter.end(&mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    const LOG: &str = "component,start,end\n\
        db,2026-01-02 00:00,2026-01-02 04:00\n\
        db,2026-01-05 00:00,2026-01-05 01:00\n\
        db,2026-01-09 00:00,2026-01-09 09:00\n\
        web node,2026-01-09 12:00,2026-01-10 00:00\n";

    #[test]
    fn json_has_one_object_per_component_with_the_issue_fields() {
        let text = written(FitFormat::Json, &log_fit(LOG));
        let objects: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(objects.len(), 2);
        let db = &objects[0];
        // Period 2026-01-01 to 2026-01-10 00:00 (the last end) = 216 h, minus 14 h down: 202 h
        // over 3 failures.
        assert_eq!(db["exposure_hours"], 202.0);
        assert!((db["mtbf_hours"].as_f64().unwrap() - 202.0 / 3.0).abs() < 1e-12);
        assert_eq!(db["mttr_hours"], 14.0 / 3.0);
        assert_eq!(db["repair_fits"].as_array().unwrap().len(), 4);
        assert!(db["best"].is_string());
        assert!(db["mtbf_hours_interval"][1].is_f64());
        for key in ["failures", "mttr_hours_interval", "component"] {
            assert!(db.get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn toml_is_a_model_fragment_with_its_evidence() {
        let text = written(FitFormat::Toml, &log_fit(LOG));
        assert!(
            text.contains("[component.db]\nmtbf = \"67.3333h\""),
            "{text}"
        );
        assert!(text.contains("[component.db.evidence]\nfailures = 3\nexposure = \"202h\"\nrepairs = [\"4h\", \"1h\", \"9h\"]"), "{text}");
        // A name the model format does not allow is made into one.
        assert!(
            text.contains("# `web node` in the incident log\n[component.web_node]"),
            "{text}"
        );
    }
}
