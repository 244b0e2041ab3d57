//! `--vary PATH=FROM..TO` and `--vary PATH=a,b,c`: the values a sweep tries.
//!
//! Each value becomes a `--set PATH=VALUE` override, so a swept model is loaded and checked
//! exactly like one given on the command line. Endpoints keep the unit they are written in:
//! durations (`1h..24h`) are spaced in hours, percentages (`99%..99.99%`) as fractions, and
//! whole-number keys (`count`, `k`, `repair_crews`) take whole values only.

use crate::model::overrides::Override;
use crate::model::units::parse_duration_hours;

/// Keys whose values are whole numbers.
const INTEGER_KEYS: [&str; 3] = ["count", "k", "repair_crews"];

/// Most values one `--vary` may produce.
pub(crate) const MAX_VALUES: usize = 10_000;

/// The unit of a parameter's values: how they are written in a model, spaced in a sweep and
/// read on an axis or in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisUnit {
    /// Hours, labelled as durations (`4h 30m`).
    Hours,
    /// Whole numbers (counts, k, crews).
    Count,
    /// A fraction 0..1, labelled as a percentage.
    Fraction,
    /// A percentage already (`99.9` means 99.9 %).
    Percent,
    /// A plain number.
    Number,
}

impl AxisUnit {
    /// The value as an axis tick or a sentence would show it.
    pub(crate) fn label(self, value: f64) -> String {
        match self {
            Self::Hours => crate::model::units::format_duration_hours(value),
            Self::Count => format!("{}", value.round()),
            Self::Fraction => format!("{}%", crate::format::compact(value * 100.0, 6)),
            Self::Percent => format!("{}%", crate::format::compact(value, 6)),
            Self::Number => crate::format::compact(value, 4),
        }
    }
}

/// One value tried for a parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct VaryValue {
    /// Numeric value on the axis: hours for durations, a fraction for percentages.
    pub(crate) x: f64,
    /// The override that sets it.
    pub(crate) set: Override,
    /// The value as people read it (`7h 12m`, `99.9%`, `4`).
    pub(crate) label: String,
}

/// A parameter and the values to try.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The dotted path as written (`component.db.mttr`).
    pub(crate) path: String,
    /// How its values read.
    pub(crate) unit: AxisUnit,
    /// The values, in the order given (ranges ascending from FROM to TO).
    pub(crate) values: Vec<VaryValue>,
}

/// How a range is spaced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spacing {
    /// Intervals between FROM and TO (points = steps + 1).
    pub(crate) steps: usize,
    /// Geometric rather than even spacing.
    pub(crate) log: bool,
}

/// A number as written in a `--vary`, with the unit its spelling gives it (`2h` is hours,
/// `99%` a fraction).
#[derive(Debug, Clone, Copy, PartialEq)]
struct ValueWithUnit {
    x: f64,
    unit: AxisUnit,
}

impl Vary {
    /// Parses `PATH=FROM..TO` or `PATH=a,b,c`.
    ///
    /// # Errors
    /// A message naming the problem: no `=`, a bad value, mixed units, a non-positive end
    /// with `--log`, or a fractional value for a whole-number key.
    pub fn parse(text: &str, spacing: Spacing) -> Result<Self, String> {
        let (path, spec) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not PATH=FROM..TO or PATH=a,b,c"))?;
        let path = path.trim().to_string();
        // Check the path the way --set does, quoting what was typed in any message.
        let probe = format!("{path}=0");
        Override::parse(&probe).map_err(|message| message.replacen(&probe, text, 1))?;
        // `--set top=…` takes a name, not a number: there is nothing to sweep.
        if !path.contains('.') {
            return Err(format!(
                "`{text}`: the path must name a table and a key with a number, e.g. component.db.mttr or target.availability"
            ));
        }
        let integer = path
            .rsplit('.')
            .next()
            .is_some_and(|key| INTEGER_KEYS.contains(&key));
        let spec = spec.trim();
        let xs: Vec<ValueWithUnit>;
        let unit;
        if let Some((from, to)) = spec.split_once("..") {
            let from = parse_value(from.trim(), integer)?;
            let to = parse_value(to.trim(), integer)?;
            if from.unit != to.unit {
                return Err(format!(
                    "`{spec}`: both ends of a range need the same unit (e.g. 1h..24h)"
                ));
            }
            unit = from.unit;
            xs = range(from.x, to.x, spacing, integer)?
                .into_iter()
                .map(|x| ValueWithUnit { x, unit })
                .collect();
        } else {
            xs = spec
                .split(',')
                .map(|item| parse_value(item.trim(), integer))
                .collect::<Result<_, _>>()?;
            unit = xs[0].unit;
            if xs.iter().any(|value| value.unit != unit) {
                return Err(format!("`{spec}`: every value needs the same unit"));
            }
        }
        if xs.len() > MAX_VALUES {
            return Err(format!(
                "`{text}` gives {} values; at most {MAX_VALUES} are allowed",
                xs.len()
            ));
        }
        let values = xs
            .into_iter()
            .map(|value| {
                Ok(VaryValue {
                    x: value.x,
                    set: override_for(&path, value.x, value.unit)?,
                    label: value.unit.label(value.x),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { path, unit, values })
    }

    /// The path's last part, for short labels (`mttr`).
    pub(crate) fn key(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }
}

fn parse_value(text: &str, integer: bool) -> Result<ValueWithUnit, String> {
    if text.is_empty() {
        return Err("an empty value; write e.g. 1h..24h or 2,3,4".into());
    }
    if let Some(number) = text.strip_suffix('%') {
        if integer {
            return Err(format!("`{text}` is not a whole number"));
        }
        let value: f64 = number
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a percentage"))?;
        if !value.is_finite() {
            return Err(format!("`{text}` is not a finite percentage"));
        }
        return Ok(ValueWithUnit {
            x: value / 100.0,
            unit: AxisUnit::Fraction,
        });
    }
    if let Ok(value) = text.parse::<f64>() {
        if !value.is_finite() {
            return Err(format!("`{text}` is not a finite number"));
        }
        if integer {
            if value.fract() != 0.0 || value < 0.0 {
                return Err(format!("`{text}` is not a whole number"));
            }
            if value > 1e12 {
                return Err(format!("`{text}` is more than 10^12"));
            }
            return Ok(ValueWithUnit {
                x: value,
                unit: AxisUnit::Count,
            });
        }
        return Ok(ValueWithUnit {
            x: value,
            unit: AxisUnit::Number,
        });
    }
    let hours = parse_duration_hours(text)?;
    Ok(ValueWithUnit {
        x: hours,
        unit: AxisUnit::Hours,
    })
}

/// The values from `from` to `to`.
fn range(from: f64, to: f64, spacing: Spacing, integer: bool) -> Result<Vec<f64>, String> {
    if spacing.steps == 0 {
        return Err("--steps must be at least 1".into());
    }
    if spacing.steps >= MAX_VALUES {
        return Err(format!(
            "--steps {} gives more than {MAX_VALUES} values; use fewer steps",
            spacing.steps
        ));
    }
    if !(to - from).is_finite() {
        return Err(format!(
            "the range {from}..{to} is too wide to divide into steps"
        ));
    }
    if spacing.log && (from <= 0.0 || to <= 0.0) {
        return Err("--log needs both ends of the range above 0".into());
    }
    if integer && (to - from).abs() <= spacing.steps as f64 && !spacing.log {
        let (low, high) = (from.min(to) as u64, from.max(to) as u64);
        let mut values: Vec<f64> = (low..=high).map(|v| v as f64).collect();
        if from > to {
            values.reverse();
        }
        return Ok(values);
    }
    let mut values: Vec<f64> = (0..=spacing.steps)
        .map(|i| {
            let t = i as f64 / spacing.steps as f64;
            if i == 0 {
                from
            } else if i == spacing.steps {
                to
            } else if spacing.log {
                // In logarithms: to / from can pass f64's range (1e-300..1e300).
                (from.ln() + (to.ln() - from.ln()) * t).exp()
            } else {
                from + (to - from) * t
            }
        })
        .collect();
    if integer {
        for value in &mut values {
            *value = value.round();
        }
        values.dedup();
    }
    Ok(values)
}

/// The override setting `path` to `x`, read in `unit` (hours for durations, a fraction for
/// percentages).
///
/// # Errors
/// When the path is malformed.
pub(crate) fn override_for(path: &str, x: f64, unit: AxisUnit) -> Result<Override, String> {
    Override::parse(&format!("{path}={}", literal(x, unit)))
}

/// The TOML literal setting `x`: a quoted duration or percentage, or a number.
fn literal(x: f64, unit: AxisUnit) -> String {
    match unit {
        AxisUnit::Hours => format!("\"{x}h\""),
        // 15 significant digits drop the binary noise of x·100 (99.89999999999999) and
        // keep what a bisection needs.
        AxisUnit::Fraction | AxisUnit::Percent => {
            format!("\"{}%\"", crate::format::compact(x * 100.0, 15))
        }
        AxisUnit::Count => format!("{}", x as u64),
        // Debug prints the shortest text that reads back as x, with an exponent for large
        // and small values (1.07e303, not 303 digits), and always as a TOML float.
        AxisUnit::Number => format!("{x:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACING: Spacing = Spacing {
        steps: 4,
        log: false,
    };
    /// Four geometric steps.
    const LOG_SPACING: Spacing = Spacing {
        steps: 4,
        log: true,
    };

    #[test]
    fn units_label_values_like_people_write_them() {
        assert_eq!(AxisUnit::Hours.label(7.2), "7h 12m");
        assert_eq!(AxisUnit::Count.label(4.0), "4");
        assert_eq!(AxisUnit::Fraction.label(0.995), "99.5%");
    }

    #[test]
    fn extreme_ranges_and_bad_paths_read_well() {
        // 1e-300 h to 1e300 h in 4 log steps: 1e-300, 1e-150, 1, 1e150, 1e300 (to 1e-12).
        let vary = Vary::parse("component.db.mttr=1e-300h..1e300h", LOG_SPACING).unwrap();
        let expected = [1e-300, 1e-150, 1.0, 1e150, 1e300];
        for (value, want) in vary.values.iter().zip(expected) {
            assert!(
                (value.x / want - 1.0).abs() < 1e-12,
                "{} vs {want}",
                value.x
            );
        }
        // A failure rate of 1.07e303 is written with an exponent, as TOML reads it.
        assert_eq!(literal(1.0746e303, AxisUnit::Number), "1.0746e303");
        assert_eq!(literal(3.0, AxisUnit::Number), "3.0");
        let error = Vary::parse("=1..2", SPACING).unwrap_err();
        assert!(
            error.starts_with("`=1..2`: the path has an empty part"),
            "{error}"
        );
        let error = Vary::parse("block.b.count=4,18446744073709551615", SPACING).unwrap_err();
        assert_eq!(error, "`18446744073709551615` is more than 10^12");
        let error = Vary::parse("name=a,b", SPACING).unwrap_err();
        assert!(
            error.starts_with("`name=a,b`: the path must name"),
            "{error}"
        );
    }

    #[test]
    fn duration_ranges_are_spaced_in_hours() {
        let vary = Vary::parse("component.db.mttr=1h..5h", SPACING).unwrap();
        let xs: Vec<f64> = vary.values.iter().map(|v| v.x).collect();
        assert_eq!(xs, [1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(vary.values[1].set.value, "\"2h\"");
        assert_eq!(vary.unit, AxisUnit::Hours);
        let log = Vary::parse("component.db.mttr=1h..16h", LOG_SPACING).unwrap();
        let xs: Vec<f64> = log.values.iter().map(|v| v.x).collect();
        // 1 · 16^(i/4) = 1, 2, 4, 8, 16.
        for (got, want) in xs.iter().zip([1.0, 2.0, 4.0, 8.0, 16.0]) {
            assert!((got - want).abs() < 1e-12);
        }
    }

    #[test]
    fn counts_are_whole_and_lists_keep_their_order() {
        let counts = Vary::parse("block.web.count=2..6", SPACING).unwrap();
        let xs: Vec<f64> = counts.values.iter().map(|v| v.x).collect();
        assert_eq!(xs, [2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(counts.values[0].set.value, "2");
        let wide = Vary::parse("block.web.count=1..100", SPACING).unwrap();
        let xs: Vec<f64> = wide.values.iter().map(|v| v.x).collect();
        // 1 + 99·t for t = 0, ¼, ½, ¾, 1, rounded half away from zero.
        assert_eq!(xs, [1.0, 26.0, 51.0, 75.0, 100.0]);
        let list = Vary::parse("block.db.coverage=0.99,0.9,1", SPACING).unwrap();
        let xs: Vec<f64> = list.values.iter().map(|v| v.x).collect();
        assert_eq!(xs, [0.99, 0.9, 1.0]);
        assert_eq!(list.values[2].set.value, "1.0");
        assert!(Vary::parse("block.web.count=2.5..6", SPACING).is_err());
    }

    #[test]
    fn bad_specs_are_explained() {
        assert!(Vary::parse("component.db.mttr", SPACING).is_err());
        assert!(Vary::parse("component.db.mttr=1h..90%", SPACING).is_err());
        assert!(Vary::parse("component.db.mttr=1h..", SPACING).is_err());
        assert!(Vary::parse("block.db.coverage=0..1", LOG_SPACING).is_err());
        let percent = Vary::parse("target.availability=99%..99.9%", SPACING).unwrap();
        assert_eq!(percent.values[0].set.value, "\"99%\"");
    }
}
