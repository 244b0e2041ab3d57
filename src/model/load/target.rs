//! Decoding `[target]`: one availability goal, with its optional SLA window and breach
//! probability.

use super::Decoder;
use super::limits::MAX_WINDOW_HOURS;
use crate::diag::{Code, Span};
use crate::model::Target;
use crate::model::units::HOURS_PER_YEAR;
use toml_span::value::{Key, Value, ValueInner};

/// The keys `[target]` may have.
const TARGET_KEYS: &[&str] = &[
    "availability",
    "nines",
    "max_downtime_per_year",
    "window",
    "max_breach_probability",
];

impl Decoder {
    /// The `[target] window`, in hours: a duration above zero and at most 10 years.
    pub(super) fn window(&mut self, value: &Value<'_>) -> Option<f64> {
        let span = self.span(value.span);
        let hours = self.duration(value, "target.window", true)?;
        if hours > MAX_WINDOW_HOURS {
            let diagnostic = self.error(
                Code::BadValue,
                format!(
                    "`target.window` = \"{}\" is longer than 10 years",
                    value.as_str().unwrap_or_default()
                ),
                span,
            );
            diagnostic.label = "at most 10y".into();
            diagnostic.notes.push(
                "an SLA window is a month, a quarter or a year; a longer one only multiplies simulation time".into(),
            );
            return None;
        }
        Some(hours)
    }

    /// Decodes `[target]`: exactly one of `availability`, `nines` and `max_downtime_per_year`,
    /// qualified by the optional `window` and `max_breach_probability`.
    pub(super) fn decode_target(&mut self, key: Key<'_>, mut value: Value<'_>) -> Option<Target> {
        let table_span = self.span(key.span);
        let ValueInner::Table(mut table) = value.take() else {
            self.error(
                Code::ExpectedTable,
                "`target` must be a table such as [target]",
                table_span,
            )
            .label = "not a table".into();
            return None;
        };
        let mut found: Vec<Target> = Vec::new();
        if let Some((_, value)) = table.remove_entry("availability") {
            found.extend(self.availability_target(&value));
        }
        if let Some((_, value)) = table.remove_entry("nines") {
            found.extend(self.nines_target(&value));
        }
        if let Some((_, value)) = table.remove_entry("max_downtime_per_year") {
            found.extend(self.downtime_target(&value));
        }
        let window = table.remove_entry("window").map(|(_, value)| value);
        let window_hours = window.as_ref().and_then(|value| self.window(value));
        let breach = table
            .remove_entry("max_breach_probability")
            .map(|(_, value)| value);
        let max_breach_probability = breach
            .as_ref()
            .and_then(|value| self.breach_probability(value));
        self.unknown_keys(&table, TARGET_KEYS, "[target]");
        let qualified = window.is_some() || breach.is_some();
        let target = self.one_target(found, table_span, qualified)?;
        Some(Target {
            window_hours,
            max_breach_probability,
            ..target
        })
    }

    /// A target written as `availability = "99.95%"`.
    fn availability_target(&mut self, value: &Value<'_>) -> Option<Target> {
        let span = self.span(value.span);
        let fraction = self.fraction(value, "target.availability")?;
        let text = value
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}", fraction.value));
        Some(Target {
            unavailability: fraction.complement,
            text,
            span: Some(span),
            window_hours: None,
            max_breach_probability: None,
        })
    }

    /// A target written as `nines = 3.5`, in (0, 300].
    fn nines_target(&mut self, value: &Value<'_>) -> Option<Target> {
        let span = self.span(value.span);
        let nines = self.number(value, "target.nines")?;
        if nines <= 0.0 {
            self.error(
                Code::BadValue,
                "`target.nines` must be greater than 0",
                span,
            )
            .label = "must be > 0".into();
            None
        } else if nines > 300.0 {
            self.error(
                Code::BadValue,
                format!(
                    "`target.nines` = {} is more than 300: at most 300 (an unavailability of 1e-300)",
                    if nines < 1e6 { format!("{nines}") } else { format!("{nines:e}") }
                ),
                span,
            )
            .label = "at most 300".into();
            None
        } else {
            Some(Target {
                unavailability: 10f64.powf(-nines),
                text: format!("{nines} nines"),
                span: Some(span),
                window_hours: None,
                max_breach_probability: None,
            })
        }
    }

    /// A target written as `max_downtime_per_year = "4h"`, at most a year.
    fn downtime_target(&mut self, value: &Value<'_>) -> Option<Target> {
        let span = self.span(value.span);
        let hours = self.duration(value, "target.max_downtime_per_year", false)?;
        if hours > HOURS_PER_YEAR {
            self.error(
                Code::BadValue,
                "`target.max_downtime_per_year` is longer than a year",
                span,
            )
            .label = "at most 1y".into();
            return None;
        }
        Some(Target {
            unavailability: hours / HOURS_PER_YEAR,
            text: format!("≤ {} downtime/year", value.as_str().unwrap_or_default()),
            span: Some(span),
            window_hours: None,
            max_breach_probability: None,
        })
    }

    /// `max_breach_probability`, a probability in [0, 1].
    fn breach_probability(&mut self, value: &Value<'_>) -> Option<f64> {
        let fraction = self.fraction(value, "target.max_breach_probability");
        if fraction.is_none()
            && let Some(diagnostic) = self.diagnostics.last_mut()
        {
            diagnostic.notes.push(
                "a probability that one window misses the target, e.g. 0.01 or \"1%\"".into(),
            );
        }
        fraction.map(|fraction| fraction.value)
    }

    /// The one target among those written; none (when nothing else is wrong) or several is
    /// reported. `qualified` says `window` or `max_breach_probability` was written.
    fn one_target(
        &mut self,
        mut found: Vec<Target>,
        table_span: Span,
        qualified: bool,
    ) -> Option<Target> {
        match found.len() {
            0 => {
                if self.diagnostics.is_empty() {
                    let diagnostic = self.error(
                        Code::MissingKey,
                        "[target] needs one of availability, nines or max_downtime_per_year",
                        table_span,
                    );
                    diagnostic.label = "e.g. availability = \"99.95%\"".into();
                    if qualified {
                        diagnostic.notes.push(
                            "`window` and `max_breach_probability` qualify a target; they are not one".into(),
                        );
                    }
                }
                None
            }
            1 => found.pop(),
            _ => {
                self.error(
                    Code::ConflictingKeys,
                    "[target] gives more than one of availability, nines and max_downtime_per_year; keep one",
                    table_span,
                )
                .label = "ambiguous target".into();
                None
            }
        }
    }
}
