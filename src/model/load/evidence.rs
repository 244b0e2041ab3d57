//! Decoding `[component.NAME.evidence]`: the observations a component's figures rest on
//! (what `nines fit --format toml` writes), kept with the model for uncertainty analysis.

use super::Decoder;
use crate::diag::Code;
use crate::model::Evidence;
use toml_span::value::{Value, ValueInner};

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
}
