//! Decoding `[component.NAME.evidence]` (the observations a component's figures rest on, as
//! `nines fit --format toml` writes them), `[component.NAME.uncertainty]` (expert ranges of
//! its figures) and `[block.NAME.uncertainty]` (expert ranges of a block's coverage and
//! common-cause β): what `nines uncertainty` samples.

use super::Decoder;
use crate::diag::Code;
use crate::model::{BlockRanges, Evidence, Prior, Ranges};
use toml_span::value::{Value, ValueInner};

/// The keys an uncertainty table may have.
const RANGE_KEYS: &[&str] = &["mtbf", "mttr"];

/// The keys a block's uncertainty table may have.
const BLOCK_RANGE_KEYS: &[&str] = &["coverage", "common_cause_beta"];

/// The keys an evidence table may have.
const EVIDENCE_KEYS: &[&str] = &["failures", "exposure", "repairs", "prior"];

/// The values `prior` accepts.
const PRIORS: &[&str] = &["jeffreys", "uniform"];

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
        let prior = take("prior");
        self.unknown_keys(&table, EVIDENCE_KEYS, &owner);
        let prior = match prior {
            None => Prior::Jeffreys,
            Some(value) => match self.string(&value, "prior").as_deref() {
                Some("jeffreys") => Prior::Jeffreys,
                Some("uniform") => Prior::Uniform,
                Some(other) => {
                    let span = self.span(value.span);
                    self.error(
                        Code::BadValue,
                        format!("`prior` = \"{other}\" is not one of {}", PRIORS.join(", ")),
                        span,
                    )
                    .label = "jeffreys (shape n + ½, the default) or uniform (shape n + 1)".into();
                    Prior::Jeffreys
                }
                None => Prior::Jeffreys,
            },
        };
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
            prior,
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

impl Decoder {
    /// Decodes a block's `uncertainty` table of 90 % ranges of probabilities: `coverage` on a
    /// standby block, `common_cause_beta` on a block that has a `common_cause_beta` (the
    /// point value the solver uses); `None` when it has a problem (each is reported).
    pub(super) fn block_ranges(
        &mut self,
        block: &str,
        mut value: Value<'_>,
        kind: Option<&str>,
        has_beta: bool,
    ) -> Option<BlockRanges> {
        let span = self.span(value.span);
        let owner = format!("[block.{block}.uncertainty]");
        let ValueInner::Table(mut table) = value.take() else {
            self.error(
                Code::ExpectedTable,
                format!("`uncertainty` of block `{block}` must be a table"),
                span,
            )
            .label = "expected a table such as { coverage = [0.9, 0.99] }".into();
            return None;
        };
        let before = self.diagnostics.len();
        let coverage = table.remove_entry("coverage");
        let beta = table.remove_entry("common_cause_beta");
        self.unknown_keys(&table, BLOCK_RANGE_KEYS, &owner);
        if let Some((key, _)) = &coverage
            && kind.is_some_and(|kind| kind != "standby")
        {
            let key_span = self.span(key.span);
            self.error(
                Code::UnexpectedKey,
                format!("{owner} gives `coverage`, which only a standby block has"),
                key_span,
            )
            .label = "remove it".into();
        }
        if let Some((key, _)) = &beta
            && !has_beta
        {
            let key_span = self.span(key.span);
            self.error(
                Code::MissingKey,
                format!("{owner} gives a range of `common_cause_beta`, but [block.{block}] has no `common_cause_beta`"),
                key_span,
            )
            .label = "add common_cause_beta (the value `solve` uses) to the block".into();
        }
        let ranges = BlockRanges {
            coverage: coverage.and_then(|(_, value)| self.probability_range(&value, "coverage")),
            common_cause_beta: beta
                .and_then(|(_, value)| self.probability_range(&value, "common_cause_beta")),
        };
        (self.diagnostics.len() == before).then_some(ranges)
    }

    /// A 90 % range of a probability: two numbers, 0 < low < high < 1 (a beta distribution
    /// puts no percentile at 0 or 1).
    fn probability_range(&mut self, value: &Value<'_>, key: &str) -> Option<(f64, f64)> {
        let span = self.span(value.span);
        let items = match value.as_array() {
            Some(items) if items.len() == 2 => items,
            _ => {
                self.error(
                    Code::WrongType,
                    format!("`{key}` must be a range of two probabilities (the 5th and 95th percentiles), e.g. [0.9, 0.99]"),
                    span,
                );
                return None;
            }
        };
        let low = self.number(&items[0], key)?;
        let high = self.number(&items[1], key)?;
        if !(0.0 < low && low < high && high < 1.0) {
            self.error(
                Code::BadValue,
                format!(
                    "the range of `{key}` must satisfy 0 < low < high < 1, not [{low}, {high}]"
                ),
                span,
            )
            .label = "two probabilities strictly between 0 and 1, low first".into();
            return None;
        }
        Some((low, high))
    }
}
