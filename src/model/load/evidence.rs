//! Decoding `[component.NAME.evidence]` (the observations a component's figures rest on, as
//! `nines fit --format toml` writes them) and `[component.NAME.uncertainty]` (expert ranges of
//! its figures): what `nines uncertainty` samples.

use super::Decoder;
use crate::diag::Code;
use crate::model::{Evidence, Ranges};
use toml_span::value::{Value, ValueInner};

/// The keys an uncertainty table may have.
const RANGE_KEYS: &[&str] = &["mtbf", "mttr"];

/// The keys an evidence table may have.
const EVIDENCE_KEYS: &[&str] = &["failures", "exposure", "repairs"];

impl Decoder {
    /// Decodes a component's `evidence` table; `None` when it has a problem (each is
    /// reported).
    pub(super) fn evidence(&mut self, component: &str, mut value: Value<'_>) -> Option<Evidence> {
        let span = self.span(value.span);
        let owner = format!("[component.{component}.evidence]");
        let ValueInner::Table(mut table) = value.take() else {
            self.error(
                Code::ExpectedTable,
                format!("`evidence` of component `{component}` must be a table"),
                span,
            )
            .label = "expected a table such as { failures = 3, exposure = \"2y\" }".into();
            return None;
        };
        let before = self.diagnostics.len();
        let mut take = |key: &str| table.remove_entry(key).map(|(_, value)| value);
        let failures = take("failures");
        let exposure = take("exposure");
        let repairs = take("repairs");
        self.unknown_keys(&table, EVIDENCE_KEYS, &owner);
        let failures = match failures {
            Some(value) => self.integer(&value, "failures", 0),
            None => {
                self.error(
                    Code::MissingKey,
                    format!("{owner} needs `failures` (failures observed) with `exposure`"),
                    span,
                );
                None
            }
        };
        let exposure_hours = match exposure {
            Some(value) => self.duration(&value, "exposure", true),
            None => {
                self.error(
                    Code::MissingKey,
                    format!(
                        "{owner} needs `exposure` (unit-time observed, e.g. \"2y\") with `failures`"
                    ),
                    span,
                );
                None
            }
        };
        let repair_hours = match repairs {
            Some(mut value) => {
                let list_span = self.span(value.span);
                match value.take() {
                    ValueInner::Array(items) => items
                        .iter()
                        .filter_map(|item| self.duration(item, "repairs", true))
                        .collect(),
                    _ => {
                        self.error(
                            Code::WrongType,
                            "`repairs` must be a list of durations, e.g. [\"4h\", \"1h\"]",
                            list_span,
                        );
                        Vec::new()
                    }
                }
            }
            None => Vec::new(),
        };
        if self.diagnostics.len() > before {
            return None;
        }
        Some(Evidence {
            failures: failures?,
            exposure_hours: exposure_hours?,
            repair_hours,
        })
    }

    /// Decodes a component's `uncertainty` table of 90 % ranges; `None` when it has a problem
    /// (each is reported).
    pub(super) fn ranges(&mut self, component: &str, mut value: Value<'_>) -> Option<Ranges> {
        let span = self.span(value.span);
        let owner = format!("[component.{component}.uncertainty]");
        let ValueInner::Table(mut table) = value.take() else {
            self.error(
                Code::ExpectedTable,
                format!("`uncertainty` of component `{component}` must be a table"),
                span,
            )
            .label = "expected a table such as { mtbf = [\"2000h\", \"8000h\"] }".into();
            return None;
        };
        let before = self.diagnostics.len();
        let mtbf = table.remove_entry("mtbf").map(|(_, value)| value);
        let mttr = table.remove_entry("mttr").map(|(_, value)| value);
        self.unknown_keys(&table, RANGE_KEYS, &owner);
        let ranges = Ranges {
            mtbf: mtbf.and_then(|value| self.range(&value, "mtbf")),
            mttr: mttr.and_then(|value| self.range(&value, "mttr")),
        };
        (self.diagnostics.len() == before).then_some(ranges)
    }

    /// A 90 % range: two durations, the first below the second.
    fn range(&mut self, value: &Value<'_>, key: &str) -> Option<(f64, f64)> {
        let span = self.span(value.span);
        let Some(items) = value.as_array() else {
            self.error(
                Code::WrongType,
                format!("`{key}` must be a range of two durations, e.g. [\"2000h\", \"8000h\"]"),
                span,
            );
            return None;
        };
        if items.len() != 2 {
            self.error(
                Code::BadValue,
                format!("`{key}` must hold exactly two durations (the 5th and 95th percentiles), not {}", items.len()),
                span,
            );
            return None;
        }
        let low = self.duration(&items[0], key, true)?;
        let high = self.duration(&items[1], key, true)?;
        if low >= high {
            self.error(
                Code::BadValue,
                format!("the range of `{key}` must go from low to high"),
                span,
            )
            .label = "the first value must be below the second".into();
            return None;
        }
        Some((low, high))
    }
}
