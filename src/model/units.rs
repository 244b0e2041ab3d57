//! Parsing of the human-friendly quantities a model file holds: durations such as `"1h30m"`
//! and availabilities such as `"99.95%"`.
//!
//! Availabilities are kept as their complement (the unavailability) computed exactly from the
//! decimal text, so `"99.9999999%"` becomes exactly 1e-9 and never `1 - 0.999999999`.

// Hours per year and duration formatting live in the `format` leaf, which every layer uses.
pub use crate::format::{HOURS_PER_YEAR, format_duration_hours};

/// Parses a duration such as `"30s"`, `"1.5h"`, `"1h30m"` or `"2d"` into hours.
///
/// Units: `s`, `m`/`min`, `h`, `d`, `w`, `y` (365.25 days). Several terms add up. A bare
/// number, an unknown unit or a negative or non-finite value is an error.
///
/// # Errors
/// A message saying what is wrong and what is allowed.
///
/// For example `"1h30m"` is 1.5 hours (unit tests below).
pub fn parse_duration_hours(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration; write e.g. \"4h\" or \"30m\"".into());
    }
    let bytes = trimmed.as_bytes();
    let mut position = 0;
    let mut total = 0.0;
    while position < bytes.len() {
        while position < bytes.len() && bytes[position] == b' ' {
            position += 1;
        }
        let number_start = position;
        while position < bytes.len()
            && (bytes[position].is_ascii_digit()
                || bytes[position] == b'.'
                || ((bytes[position] == b'e' || bytes[position] == b'E')
                    && position > number_start
                    && bytes
                        .get(position + 1)
                        .is_some_and(|next| next.is_ascii_digit() || *next == b'-')))
        {
            if bytes[position] == b'e' || bytes[position] == b'E' {
                position += 1; // skip the exponent sign or first digit together with the `e`
            }
            position += 1;
        }
        let number_text = &trimmed[number_start..position];
        if number_text.is_empty() {
            if trimmed.starts_with('-') {
                return Err(format!(
                    "duration `{text}` is negative; durations must be ≥ 0"
                ));
            }
            return Err(format!(
                "`{text}` is not a duration; write a number followed by a unit: s, m, h, d, w, y (e.g. \"4h\", \"1h30m\")"
            ));
        }
        let value: f64 = number_text
            .parse()
            .map_err(|_| format!("`{number_text}` in duration `{text}` is not a number"))?;
        while position < bytes.len() && bytes[position] == b' ' {
            position += 1;
        }
        let unit_start = position;
        while position < bytes.len() && bytes[position].is_ascii_alphabetic() {
            position += 1;
        }
        let unit = &trimmed[unit_start..position];
        let hours_per_unit = match unit {
            "s" | "sec" => 1.0 / 3600.0,
            "m" | "min" => 1.0 / 60.0,
            "h" => 1.0,
            "d" => 24.0,
            "w" => 168.0,
            "y" => HOURS_PER_YEAR,
            "" => {
                return Err(format!(
                    "duration `{text}` has no unit; add one of s, m, h, d, w, y (e.g. \"{number_text}h\")"
                ));
            }
            other => {
                return Err(format!(
                    "unknown unit `{other}` in duration `{text}`; use s, m (or min), h, d, w, y"
                ));
            }
        };
        total += value * hours_per_unit;
    }
    if !total.is_finite() {
        return Err(format!("duration `{text}` is too large"));
    }
    Ok(total)
}

/// An availability figure kept as its exact complement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fraction {
    /// The value itself, in [0, 1].
    pub value: f64,
    /// `1 - value`, computed from the decimal text without cancellation.
    pub complement: f64,
}

/// Parses a fraction written as `"99.95%"`, `"0.9995"` or a TOML number.
///
/// The complement is computed exactly in decimal, so `"99.999999999%"` gives a complement of
/// exactly 1e-11.
///
/// # Errors
/// A message when the text is not a number or percentage in [0, 1].
pub fn parse_fraction_text(text: &str) -> Result<Fraction, String> {
    let trimmed = text.trim();
    let (number, scale_exponent) = match trimmed.strip_suffix('%') {
        Some(number) => (number.trim(), 2),
        None => (trimmed, 0),
    };
    let invalid =
        || format!("`{text}` is not a fraction or percentage; write e.g. \"99.95%\" or 0.9995");
    let value: f64 = number.parse().map_err(|_| invalid())?;
    if !value.is_finite() {
        return Err(invalid());
    }
    let value = value / 10f64.powi(scale_exponent);
    if !(0.0..=1.0).contains(&value) {
        return Err(format!("`{text}` is outside 0..1 (0%..100%)"));
    }
    let complement = exact_decimal_complement(number, scale_exponent).unwrap_or(1.0 - value);
    Ok(Fraction { value, complement })
}

/// Builds a fraction from a TOML float or integer.
///
/// # Errors
/// When the number is outside [0, 1] or not finite.
pub fn fraction_from_number(value: f64) -> Result<Fraction, String> {
    if !value.is_finite() || !(0.0..=1.0).contains(&value) {
        return Err(format!(
            "{value} is outside 0..1; write a fraction or a percentage such as \"99.9%\""
        ));
    }
    // Round-trip through the shortest decimal text so 0.9995 gives exactly 5e-4.
    parse_fraction_text(&format!("{value}"))
}

/// Computes `1 - number / 10^scale_exponent` exactly in decimal (for plain decimal notation).
fn exact_decimal_complement(number: &str, scale_exponent: i32) -> Option<f64> {
    if number.contains(['e', 'E', '-', '+']) {
        return None;
    }
    let (integer_part, fraction_part) = number.split_once('.').unwrap_or((number, ""));
    let digits: String = format!("{integer_part}{fraction_part}");
    if digits.is_empty() || digits.len() > 36 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mantissa: u128 = digits.parse().ok()?;
    // number = mantissa · 10^-decimals; value = mantissa · 10^-(decimals + scale_exponent)
    let decimals = fraction_part.len() as i32 + scale_exponent;
    if decimals > 38 {
        return None;
    }
    let one = 10u128.checked_pow(decimals as u32)?;
    let remainder = one.checked_sub(mantissa)?;
    // `{remainder}e-{decimals}` is parsed by the standard library with correct rounding.
    format!("{remainder}e-{decimals}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_add_up() {
        assert_eq!(parse_duration_hours("1h30m"), Ok(1.5));
    }

    #[test]
    fn durations_accept_every_unit_and_combinations() {
        assert_eq!(parse_duration_hours("30s"), Ok(30.0 / 3600.0));
        assert_eq!(parse_duration_hours("20m"), Ok(20.0 / 60.0));
        assert_eq!(parse_duration_hours("20min"), Ok(20.0 / 60.0));
        assert_eq!(parse_duration_hours("1.5h"), Ok(1.5));
        assert_eq!(parse_duration_hours("1h30m"), Ok(1.5));
        assert_eq!(parse_duration_hours("2d"), Ok(48.0));
        assert_eq!(parse_duration_hours("1w"), Ok(168.0));
        assert_eq!(parse_duration_hours("1y"), Ok(8766.0));
        assert_eq!(parse_duration_hours("0s"), Ok(0.0));
        assert_eq!(parse_duration_hours("4h22m"), Ok(4.0 + 22.0 / 60.0));
        assert_eq!(parse_duration_hours("1e3h"), Ok(1000.0));
    }

    #[test]
    fn durations_reject_bare_numbers_unknown_units_and_negatives() {
        assert!(
            parse_duration_hours("20000")
                .unwrap_err()
                .contains("no unit")
        );
        assert!(
            parse_duration_hours("3 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            parse_duration_hours("-3h")
                .unwrap_err()
                .contains("negative")
        );
        assert!(parse_duration_hours("").is_err());
        assert!(parse_duration_hours("h").is_err());
        assert!(parse_duration_hours("1..2h").is_err());
    }

    #[test]
    fn percent_complements_are_exact() {
        let fraction = parse_fraction_text("99.95%").unwrap();
        assert_eq!(fraction.complement, 5e-4);
        assert_eq!(fraction.value, 0.9995);
        let deep = parse_fraction_text("99.9999999999%").unwrap();
        assert_eq!(deep.complement, 1e-12);
        assert_eq!(fraction_from_number(0.9995).unwrap().complement, 5e-4);
        assert_eq!(parse_fraction_text("1").unwrap().complement, 0.0);
        assert_eq!(parse_fraction_text("0%").unwrap().complement, 1.0);
    }

    #[test]
    fn fractions_outside_the_unit_interval_are_rejected() {
        assert!(parse_fraction_text("101%").is_err());
        assert!(parse_fraction_text("-0.1").is_err());
        assert!(parse_fraction_text("nan").is_err());
        assert!(parse_fraction_text("abc").is_err());
        assert!(fraction_from_number(1.5).is_err());
    }

    #[test]
    fn durations_format_compactly() {
        assert_eq!(format_duration_hours(4.0 + 22.0 / 60.0), "4h 22m");
        assert_eq!(format_duration_hours(30.0 / 3600.0), "30s");
        assert_eq!(format_duration_hours(0.5), "30m");
        assert_eq!(format_duration_hours(72.0), "3d");
        assert_eq!(format_duration_hours(8766.0e30), "1.00e30y");
        assert_eq!(format_duration_hours(2e-20), "7.20e-17s");
    }
}
