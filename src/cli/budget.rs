//! `nines budget`: the downtime an availability allows per year, quarter, month, week, day and
//! window; the availability a downtime allows (`--downtime`); the series product of several
//! availabilities.
//!
//! The subcommand lives in one file (options, arithmetic and output) because it needs no model:
//! the arithmetic is a few lines, kept in [`Budget`] apart from the printing.

use super::Outcome;
use crate::format::{availability_percent, downtime, nines, one_line, scientific};
use crate::model::units::{HOURS_PER_YEAR, parse_duration_hours, parse_fraction_text};
use clap::ValueEnum;
use std::io::{self, Write};

/// Options of `nines budget`.
#[derive(Debug, clap::Args)]
pub struct BudgetArgs {
    /// Availabilities, e.g. 99.95% or 0.9995; several are combined in series (all must be up).
    #[arg(value_name = "AVAILABILITY", allow_negative_numbers = true)]
    availabilities: Vec<String>,
    /// Reverse: the downtime allowed in --window (default 1y), e.g. 4h; gives the availability.
    #[arg(long, value_name = "DURATION")]
    downtime: Option<String>,
    /// An extra period to budget, e.g. 30d (with --downtime: the period the downtime is in).
    #[arg(long, value_name = "DURATION")]
    window: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BudgetFormat::Table)]
    format: BudgetFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BudgetFormat {
    /// Aligned text for people.
    Table,
    /// One JSON object.
    Json,
}

/// The fixed periods budgeted, as (name, also the JSON key; length shown; hours).
const PERIODS: [(&str, &str, f64); 5] = [
    ("year", "365.25d", HOURS_PER_YEAR),
    ("quarter", "91.3125d", HOURS_PER_YEAR / 4.0),
    ("month", "30.4375d", HOURS_PER_YEAR / 12.0),
    ("week", "7d", 168.0),
    ("day", "24h", 24.0),
];

/// Where the availability came from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// One availability as written.
    Single(String),
    /// Several in series: (text, availability, unavailability) per part.
    Series(Vec<(String, f64, f64)>),
    /// `--downtime D` in `--window W`: (D as written, W as written).
    Downtime(String, String),
}

/// An availability and the downtime it allows.
#[derive(Debug, Clone, PartialEq)]
struct Budget {
    source: Source,
    availability: f64,
    /// `1 − availability`, computed without cancellation.
    unavailability: f64,
    /// The extra window, as written, and its length in hours.
    window: Option<(String, f64)>,
}

impl Budget {
    /// −log10 U, or `None` (infinite) when U = 0; never −0 (U = 1 gives 0).
    fn nines(&self) -> Option<f64> {
        (self.unavailability > 0.0).then(|| positive_zero(-self.unavailability.log10()))
    }

    /// Allowed downtime in seconds over a period of `hours`.
    ///
    /// # Formula
    /// ```text
    /// D = U · T · 3600   where U is the unavailability and T the period in hours
    /// ```
    fn downtime_seconds(&self, hours: f64) -> f64 {
        self.unavailability * hours * 3600.0
    }

    /// Every period budgeted: (name, length shown, hours), the window last when given.
    fn periods(&self) -> Vec<(String, String, f64)> {
        let mut periods: Vec<(String, String, f64)> = PERIODS
            .iter()
            .map(|(name, length, hours)| (name.to_string(), length.to_string(), *hours))
            .collect();
        if let Some((text, hours)) = &self.window {
            periods.push(("window".into(), one_line(text.trim()), *hours));
        }
        periods
    }
}

/// `value` with a negative zero made positive, so that no output shows `-0`: −log10 1 and
/// 0 · −1 are −0 in floating point.
fn positive_zero(value: f64) -> f64 {
    // −0 + 0 = +0 in IEEE 754 (rounding to nearest); any other value is unchanged.
    value + 0.0
}

/// Runs `nines budget`.
pub fn run_budget(args: BudgetArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let budget = match resolve(&args) {
        Ok(budget) => budget,
        Err(message) => {
            say!("error: {message}");
            return Ok(Outcome::InputError);
        }
    };
    if let Source::Series(parts) = &budget.source
        && budget.availability == 0.0
    {
        // Every part is above 0 but the product underflows: say how small it is.
        let log10: f64 = parts.iter().map(|(_, a, _)| a.log10()).sum();
        say!(
            "note: the series availability, about 1e{:.0}, is below the smallest number nines computes with; it is shown as 0",
            log10.floor()
        );
    }
    match args.format {
        BudgetFormat::Json => {
            serde_json::to_writer(&mut *out, &json_object(&budget))?;
            writeln!(out)?;
        }
        BudgetFormat::Table => write_table(&budget, out)?,
    }
    Ok(Outcome::Success)
}

/// Turns the options into a [`Budget`], or a message naming the bad value or option.
fn resolve(args: &BudgetArgs) -> Result<Budget, String> {
    let window = match &args.window {
        Some(text) => {
            let hours =
                parse_duration_hours(text).map_err(|message| format!("--window {message}"))?;
            if hours <= 0.0 {
                return Err(format!(
                    "--window `{text}` is zero; give a period such as 30d"
                ));
            }
            Some((text.clone(), hours))
        }
        None => None,
    };
    match (&args.downtime, args.availabilities.as_slice()) {
        (Some(_), [_, ..]) => Err(
            "give either availabilities or --downtime, not both (--downtime gives the availability)"
                .into(),
        ),
        (None, []) => Err(
            "give an availability (e.g. `nines budget 99.95%`) or --downtime (e.g. `nines budget --downtime 4h --window 1y`)"
                .into(),
        ),
        (Some(text), []) => {
            let downtime_hours =
                parse_duration_hours(text).map_err(|message| format!("--downtime {message}"))?;
            let (window_text, window_hours) = match &window {
                Some((window_text, hours)) => (window_text.clone(), *hours),
                None => ("1y".to_string(), HOURS_PER_YEAR),
            };
            if downtime_hours > window_hours {
                return Err(format!(
                    "--downtime `{text}` is longer than --window `{window_text}`; the downtime must fit in the window"
                ));
            }
            let unavailability = downtime_hours / window_hours;
            Ok(Budget {
                source: Source::Downtime(text.clone(), window_text),
                availability: 1.0 - unavailability,
                unavailability,
                window,
            })
        }
        (None, [text]) => {
            let (availability, unavailability) = parse_availability(text)?;
            Ok(Budget {
                source: Source::Single(text.clone()),
                availability,
                unavailability,
                window,
            })
        }
        (None, texts) => {
            let mut parts = Vec::new();
            for text in texts {
                let (availability, unavailability) = parse_availability(text)?;
                parts.push((text.clone(), availability, unavailability));
            }
            let (availability, unavailability) = series(&parts);
            Ok(Budget {
                source: Source::Series(parts),
                availability,
                unavailability,
                window,
            })
        }
    }
}

/// Parses one availability in 0 < A ≤ 1 into (A, U) with U exact from the decimal text.
fn parse_availability(text: &str) -> Result<(f64, f64), String> {
    let fraction =
        parse_fraction_text(text).map_err(|message| format!("availability {message}"))?;
    if fraction.value <= 0.0 {
        return Err(if mantissa_is_zero(text) {
            format!("availability `{text}` must be above 0 (0% < availability ≤ 100%)")
        } else {
            // `1e-400` is above 0 but rounds to 0 in a double.
            format!(
                "availability `{text}` is too small: it rounds to 0 (the smallest availability nines computes with is about 5e-324)"
            )
        });
    }
    // A tiny availability such as `1e-17` has U = 1 − A, which rounds to 1: the budgets are
    // then the whole period, as they are to every digit shown.
    // `99.9%` parses as 99.9 / 100 = 0.9990000000000001; 1 − U from the exact U is the
    // nearest double to 0.999 (the subtraction is exact to half an ulp of A while U < 1/2).
    let availability = if fraction.complement <= 0.5 {
        1.0 - fraction.complement
    } else {
        fraction.value
    };
    Ok((availability, fraction.complement))
}

/// Whether the digits of a number as written (before any exponent) are all zero: `0`,
/// `0.0%`, `0e5`, unlike `1e-400`.
fn mantissa_is_zero(text: &str) -> bool {
    text.split(['e', 'E'])
        .next()
        .unwrap_or_default()
        .chars()
        .all(|c| !matches!(c, '1'..='9'))
}

/// The series product of parts given as (text, A, U).
///
/// # Formula
/// ```text
/// A = Π Aᵢ        U = 1 − Π (1 − Uᵢ) = −expm1(Σ ln1p(−Uᵢ))
/// ```
/// U is computed from the Uᵢ directly, so tiny unavailabilities keep their digits.
fn series(parts: &[(String, f64, f64)]) -> (f64, f64) {
    let availability = parts.iter().map(|(_, a, _)| a).product();
    let log_availability: f64 = parts.iter().map(|(_, _, u)| (-u).ln_1p()).sum();
    (availability, -log_availability.exp_m1())
}

/// The JSON object: availability, unavailability, nines, downtime_seconds and, for a series,
/// parts.
fn json_object(budget: &Budget) -> serde_json::Value {
    let mut downtime = serde_json::Map::new();
    for (name, _, hours) in budget.periods() {
        downtime.insert(name, budget.downtime_seconds(hours).into());
    }
    let mut object = serde_json::Map::new();
    object.insert("availability".into(), budget.availability.into());
    object.insert("unavailability".into(), budget.unavailability.into());
    object.insert(
        "nines".into(),
        budget
            .nines()
            .map_or(serde_json::Value::Null, serde_json::Value::from),
    );
    object.insert("downtime_seconds".into(), downtime.into());
    if let Source::Series(parts) = &budget.source {
        let values: Vec<serde_json::Value> = parts
            .iter()
            .map(|(_, a, _)| serde_json::Value::from(*a))
            .collect();
        object.insert("parts".into(), values.into());
    }
    object.into()
}

/// Seconds with up to 6 significant digits and no trailing zeros.
fn seconds_text(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0".into();
    }
    let magnitude = seconds.abs().log10().floor() as i32;
    if !(-3..=9).contains(&magnitude) {
        let text = format!("{seconds:.5e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let decimals = (5 - magnitude).max(0) as usize;
    let text = format!("{seconds:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A title, summary lines like `solve`'s, and one aligned row per period.
fn write_table(budget: &Budget, out: &mut dyn Write) -> io::Result<()> {
    let title = match &budget.source {
        Source::Single(text) => format!("Downtime budget at {}", one_line(text.trim())),
        Source::Series(parts) => format!("Downtime budget of {} in series", parts.len()),
        Source::Downtime(downtime, window) => format!(
            "Downtime budget of {} per {}",
            one_line(downtime.trim()),
            one_line(window.trim())
        ),
    };
    writeln!(out, "{title}")?;
    let mut lines: Vec<(String, String)> = Vec::new();
    if let Source::Series(parts) = &budget.source {
        for (index, (text, _, unavailability)) in parts.iter().enumerate() {
            lines.push((
                format!("part {}", index + 1),
                format!(
                    "{}  (U {})",
                    one_line(text.trim()),
                    scientific(*unavailability)
                ),
            ));
        }
    }
    let nines_text = nines(budget.nines().unwrap_or(f64::INFINITY));
    lines.push((
        "availability".into(),
        format!(
            "{}  ({nines_text} nines)",
            availability_percent(budget.unavailability)
        ),
    ));
    lines.push(("unavailability".into(), scientific(budget.unavailability)));
    for (label, value) in &lines {
        writeln!(out, "  {label:<15} {value}")?;
    }
    writeln!(out)?;
    let titles = ["period", "length", "downtime", "seconds"];
    let rows: Vec<[String; 4]> = budget
        .periods()
        .into_iter()
        .map(|(name, length, hours)| {
            let seconds = budget.downtime_seconds(hours);
            [
                name,
                length,
                downtime(seconds / 60.0),
                seconds_text(seconds),
            ]
        })
        .collect();
    let mut widths = titles.map(|title| title.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(column, (cell, width))| {
                let padding = " ".repeat(width - cell.chars().count());
                if column < 2 {
                    format!("{cell}{padding}")
                } else {
                    format!("{padding}{cell}")
                }
            })
            .collect();
        format!("  {}", padded.join("  ").trim_end())
    };
    writeln!(out, "{}", line(titles))?;
    for row in &rows {
        writeln!(out, "{}", line([&row[0], &row[1], &row[2], &row[3]]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_keeps_the_digits_of_tiny_unavailabilities() {
        let parts = vec![
            ("a".to_string(), 1.0 - 1e-12, 1e-12),
            ("b".to_string(), 1.0 - 2e-12, 2e-12),
        ];
        // U = 1 − (1 − 1e-12)(1 − 2e-12) = 3e-12 − 2e-24
        let (_, unavailability) = series(&parts);
        assert!((unavailability - 3e-12).abs() / 3e-12 < 1e-12);
    }

    #[test]
    fn zero_is_told_apart_from_an_underflow() {
        for zero in ["0", "0.0%", "0e5", "-0"] {
            assert!(mantissa_is_zero(zero), "{zero}");
        }
        for tiny in ["1e-400", "0.1e-400", "5E-330%"] {
            assert!(!mantissa_is_zero(tiny), "{tiny}");
        }
        assert_eq!(positive_zero(-0.0).to_string(), "0");
        assert_eq!(positive_zero(-1.5), -1.5);
    }

    #[test]
    fn seconds_drop_trailing_zeros() {
        assert_eq!(seconds_text(15778.8), "15778.8");
        assert_eq!(seconds_text(43.2), "43.2");
        assert_eq!(seconds_text(2592.0), "2592");
        assert_eq!(seconds_text(0.0), "0");
        assert_eq!(seconds_text(8.64e-7), "8.64e-7");
    }
}
