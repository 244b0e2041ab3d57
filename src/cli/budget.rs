//! `nines budget`: the downtime an availability allows per year, quarter, month, week, day and
//! window; the availability a downtime allows (`--downtime`); the series product of several
//! availabilities.
//!
//! This file holds the options and their parsing; the arithmetic is in `whatif::budget` and
//! the output in `report::budget`.

use super::Outcome;
use crate::model::units::{HOURS_PER_YEAR, parse_duration_hours, parse_fraction_text};
use crate::report::budget::{self as budget_report, BudgetFormat};
use crate::whatif::budget::{Budget, Part, availability_pair};
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

/// Runs `nines budget`.
pub fn run_budget(args: BudgetArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let budget = match resolve(&args) {
        Ok(budget) => budget,
        Err(message) => {
            say!("error: {message}");
            return Ok(Outcome::InputError);
        }
    };
    if let Some(log10) = budget.underflowed_series_log10() {
        // Every part is above 0 but the product underflows: say how small it is.
        say!(
            "note: the series availability, about 1e{:.0}, is below the smallest number nines computes with; it is shown as 0",
            log10.floor()
        );
    }
    let mut exporter = budget_report::exporter(args.format);
    exporter.begin(out)?;
    exporter.write(out, &budget)?;
    exporter.end(out)?;
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
            Ok(Budget::of_downtime(
                (text.clone(), window_text),
                downtime_hours,
                window_hours,
                window,
            ))
        }
        (None, [text]) => {
            Ok(Budget::single(text.clone(), parse_availability(text)?, window))
        }
        (None, texts) => {
            let mut parts = Vec::new();
            for text in texts {
                let (availability, unavailability) = parse_availability(text)?;
                parts.push(Part {
                    text: text.clone(),
                    availability,
                    unavailability,
                });
            }
            Ok(Budget::series(parts, window))
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
    Ok(availability_pair(fraction.value, fraction.complement))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_told_apart_from_an_underflow() {
        for zero in ["0", "0.0%", "0e5", "-0"] {
            assert!(mantissa_is_zero(zero), "{zero}");
        }
        for tiny in ["1e-400", "0.1e-400", "5E-330%"] {
            assert!(!mantissa_is_zero(tiny), "{tiny}");
        }
    }
}
