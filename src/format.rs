//! Number formatting for people: availability as a percentage with as many digits as its
//! nines need, downtime as a duration, small numbers in scientific notation.

/// Availability as a percentage showing the first significant digits of U, computed from U so
/// that 9 nines do not print as 100%. U is rounded up (availability down), so a value just
/// short of a target never prints as the target.
///
/// For example 5e-4 prints as `99.95%`, 1.234e-5 as `99.99876%` (three digits of U rounded
/// up), and 1.003e-4 as `99.9899%`, not as the 99.99 % it misses (unit tests below).
pub fn availability_percent(unavailability: f64) -> String {
    if unavailability == 0.0 {
        return "100%".into();
    }
    if unavailability >= 1.0 {
        return "0%".into();
    }
    if unavailability < 1e-12 {
        return format!("100% − {}%", scientific(unavailability * 100.0));
    }
    // Decimals after the percent point: enough to show 3 significant digits of U.
    let magnitude = (unavailability * 100.0).log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(2, 14) as usize;
    // U is rounded up (availability down), so a value just below a target never prints as
    // the target itself: U = 1.0003e-4 shows as 99.9899%, not 99.99%.
    let complement = round_up(unavailability * 100.0, decimals);
    let text = percent_from_complement(complement, decimals);
    let trimmed = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{trimmed}%")
}

/// 100 − complement printed with `decimals` decimals, done in integers so no digit is lost.
fn percent_from_complement(complement: f64, decimals: usize) -> String {
    let scale = 10u128.pow(decimals as u32);
    let complement_units = (complement * scale as f64).round() as u128;
    let hundred = 100 * scale;
    let value = hundred.saturating_sub(complement_units);
    let integer = value / scale;
    let fraction = value % scale;
    format!("{integer}.{fraction:0decimals$}")
}

/// Rounds up at `decimals` decimals, ignoring the binary noise of the scaling (a value that
/// is a whole number of units to 12 digits stays as it is).
fn round_up(value: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let scaled = value * scale;
    let nearest = scaled.round();
    let units = if (scaled - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest
    } else {
        scaled.ceil()
    };
    units / scale
}

/// Scientific notation with 4 significant digits, e.g. `6.103e-31`.
pub fn scientific(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    format!("{value:.3e}")
}

/// A value with `digits` significant digits, in plain notation when that is short.
pub fn significant(value: f64, digits: usize) -> String {
    if !value.is_finite() {
        return "∞".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..=9).contains(&magnitude) {
        return format!("{value:.prec$e}", prec = digits.saturating_sub(1));
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

/// Like [`significant`], without trailing zeros after the decimal point (`99.5`, not
/// `99.50`), for axis ticks and sentences.
pub fn compact(value: f64, digits: usize) -> String {
    let text = significant(value, digits);
    if text.contains('.') && !text.contains('e') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Probabilities (in [0, 1]) as percentages that show where they differ: each with three
/// significant digits of itself or, near 1, of its complement (99.998 %, not 100.0 %), and
/// more digits for all of them until different values print differently. A value below 1
/// never prints as 100 %, nor one above 0 as 0 %: an interval [0.99979, 1] prints as
/// `99.979%` – `100%`, and a value with its interval as three different figures unless they
/// are equal.
pub fn distinct_percents(values: &[f64]) -> Vec<String> {
    let decimals_for = |p: f64| -> usize {
        let nearest = p.min(1.0 - p) * 100.0;
        if nearest.is_nan() || nearest <= 0.0 {
            return 0;
        }
        (2 - nearest.log10().floor() as i32).clamp(0, 15) as usize
    };
    let show = |p: f64, decimals: usize| -> String {
        if p >= 1.0 {
            return "100%".into();
        }
        if p <= 0.0 {
            return "0%".into();
        }
        let text = format!("{:.decimals$}", p * 100.0);
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        };
        format!("{text}%")
    };
    let mut decimals = values.iter().map(|p| decimals_for(*p)).max().unwrap_or(0);
    loop {
        let texts: Vec<String> = values.iter().map(|p| show(*p, decimals)).collect();
        let clash = values.iter().enumerate().any(|(i, a)| {
            values[..i]
                .iter()
                .enumerate()
                .any(|(j, b)| a != b && texts[i] == texts[j])
        });
        let rounded_to_end = values
            .iter()
            .zip(&texts)
            .any(|(p, text)| (*p < 1.0 && text == "100%") || (*p > 0.0 && text == "0%"));
        if !(clash || rounded_to_end) || decimals >= 17 {
            return texts;
        }
        decimals += 1;
    }
}

/// Nines, with two decimals, or ∞.
pub fn nines(value: f64) -> String {
    if value.is_infinite() {
        "∞".into()
    } else {
        format!("{value:.2}")
    }
}

/// Downtime per year (given in minutes) as a compact duration.
pub fn downtime(minutes: f64) -> String {
    if minutes == 0.0 {
        return "0".into();
    }
    if minutes * 60.0 < 1.0 {
        return format!("{}s", significant(minutes * 60.0, 3));
    }
    format_duration_hours(minutes / 60.0)
}

/// Text safe for one line of terminal output: control characters (a newline in a model name)
/// become visible escapes, so a name cannot forge an extra PASS/FAIL line.
pub fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<char>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Hours as a compact duration, or "never" for `None` (no outages).
pub fn hours(value: Option<f64>) -> String {
    match value {
        Some(hours) => format_duration_hours(hours),
        None => "–".into(),
    }
}

/// Hours in a year of 365.25 days, the year every measure uses.
pub const HOURS_PER_YEAR: f64 = 8766.0;

/// Formats hours as a compact duration (`"4h 22m"`, `"31.6s"`), for messages and tables.
pub fn format_duration_hours(hours: f64) -> String {
    if !hours.is_finite() {
        return "∞".into();
    }
    let seconds = hours * 3600.0;
    if seconds < 0.01 && seconds > 0.0 {
        return format!("{seconds:.2e}s");
    }
    if seconds < 60.0 {
        return format!("{}s", significant_trimmed(seconds, 3));
    }
    if hours < 1.0 {
        let minutes = seconds / 60.0;
        return format!("{}m", significant_trimmed(minutes, 3));
    }
    if hours < 48.0 {
        let whole = hours.floor();
        let minutes = ((hours - whole) * 60.0).round();
        if minutes >= 60.0 {
            return format!("{}h", whole + 1.0);
        }
        if minutes == 0.0 {
            return format!("{whole}h");
        }
        return format!("{whole}h {minutes}m");
    }
    if hours < 2.0 * HOURS_PER_YEAR {
        return format!("{}d", significant_trimmed(hours / 24.0, 3));
    }
    let years = hours / HOURS_PER_YEAR;
    if years >= 1e6 {
        return format!("{years:.2e}y");
    }
    format!("{}y", significant_trimmed(years, 3))
}

/// Rounds to `digits` significant digits and prints without trailing zeros.
fn significant_trimmed(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    trim_trailing_zeros(format!("{value:.decimals$}"))
}

/// A decimal number's text without trailing zeros after its point (`"1.500"` → `"1.5"`,
/// `"2.000"` → `"2"`); text without a point is returned as it is.
pub fn trim_trailing_zeros(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn distinct_percents_show_where_figures_differ() {
        use super::distinct_percents;
        // Near 1: three digits of the complement, the top end exactly 100 %.
        assert_eq!(
            distinct_percents(&[0.99993, 0.99979, 1.0]),
            ["99.993%", "99.979%", "100%"]
        );
        // Two different figures never print alike: 0.99999 and 0.999991 need six decimals.
        let texts = distinct_percents(&[0.99999, 0.999991]);
        assert_ne!(texts[0], texts[1]);
        assert_eq!(texts, ["99.999%", "99.9991%"]);
        // A small probability keeps its own digits; a value just below 1 is not 100 %.
        assert_eq!(distinct_percents(&[0.00346, 0.00271]), ["0.346%", "0.271%"]);
        assert_eq!(distinct_percents(&[1.0 - 1e-9]), ["99.9999999%"]);
        assert_eq!(distinct_percents(&[0.5, 0.5]), ["50%", "50%"]);
    }

    use super::*;

    #[test]
    fn availability_shows_the_digits_of_u_rounded_up() {
        assert_eq!(availability_percent(5e-4), "99.95%");
        // U = 0.001234 %, three digits rounded up: 0.00124 %.
        assert_eq!(availability_percent(1.234e-5), "99.99876%");
        // 99.98997 % misses a 99.99 % target and does not print as 99.99 %.
        assert_eq!(availability_percent(1.003e-4), "99.9899%");
    }

    #[test]
    fn trailing_zeros_after_the_point_are_dropped_and_whole_numbers_kept() {
        assert_eq!(trim_trailing_zeros("1.500".into()), "1.5");
        assert_eq!(trim_trailing_zeros("2.000".into()), "2");
        assert_eq!(trim_trailing_zeros("1500".into()), "1500");
        assert_eq!(format_duration_hours(1.5 / 60.0), "1.5m");
    }

    #[test]
    fn availability_shows_the_digits_of_unavailability() {
        assert_eq!(availability_percent(5e-4), "99.95%");
        assert_eq!(availability_percent(1e-9), "99.9999999%");
        assert_eq!(availability_percent(1.8885136e-5), "99.99811%");
        assert_eq!(availability_percent(0.25), "75%");
        assert_eq!(availability_percent(6.1e-31), "100% − 6.100e-29%");
    }

    #[test]
    fn control_characters_cannot_break_a_line() {
        assert_eq!(one_line("a\nPASS b"), "a\\nPASS b");
        assert_eq!(one_line("plain"), "plain");
    }

    #[test]
    fn significant_digits_switch_to_scientific_for_extremes() {
        assert_eq!(significant(0.04761, 3), "0.0476");
        assert_eq!(significant(1.5e-7, 3), "1.50e-7");
        assert_eq!(significant(f64::INFINITY, 3), "∞");
    }
}
