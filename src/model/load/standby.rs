//! Decoding the switchover rules of a standby block: mode, dormant factor, failover times and
//! coverage, and the distribution of the switchover times.

use super::Decoder;
use super::dist::DistContext;
use crate::diag::{Code, Span};
use crate::model::{BlockKind, Standby, TimeDist};
use toml_span::value::{Table, Value};

/// The standby keys of a block table, taken out of it; only standby blocks may have them.
pub(super) struct StandbyKeys<'a> {
    mode: Option<Value<'a>>,
    dormant_factor: Option<Value<'a>>,
    failover: Option<Value<'a>>,
    coverage: Option<Value<'a>>,
    manual_failover: Option<Value<'a>>,
    failover_dist: Option<Value<'a>>,
}

impl<'a> StandbyKeys<'a> {
    /// Takes the standby keys out of a block table.
    pub(super) fn take(table: &mut Table<'a>) -> Self {
        let mut take = |k: &str| table.remove_entry(k).map(|(_, v)| v);
        Self {
            mode: take("mode"),
            dormant_factor: take("dormant_factor"),
            failover: take("failover"),
            coverage: take("coverage"),
            manual_failover: take("manual_failover"),
            failover_dist: take("failover_dist"),
        }
    }

    /// The keys written, with their names, in the order the documentation lists them.
    pub(super) fn written(&self) -> impl Iterator<Item = (&'static str, &Value<'a>)> {
        [
            ("mode", &self.mode),
            ("dormant_factor", &self.dormant_factor),
            ("failover", &self.failover),
            ("coverage", &self.coverage),
            ("manual_failover", &self.manual_failover),
            ("failover_dist", &self.failover_dist),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_ref().map(|value| (name, value)))
    }
}

impl Decoder {
    /// The kind of a block with kind = "standby": its rules and its `failover_dist`.
    pub(super) fn standby_kind(
        &mut self,
        name: &str,
        kind_span: Span,
        keys: &StandbyKeys<'_>,
    ) -> Option<BlockKind> {
        // Decoded apart from the other standby keys so that its problems are
        // reported even when theirs are.
        let owner = format!("block.{name}");
        let context = DistContext {
            key: "failover_dist",
            owner: &owner,
            mean_from: "failover and manual_failover",
        };
        let dist = keys
            .failover_dist
            .as_ref()
            .map(|value| self.time_dist(value, &context));
        let standby = self.decode_standby(name, kind_span, keys);
        match (standby, dist) {
            (Some(standby), None) => Some(BlockKind::Standby(standby)),
            (Some(standby), Some(Some(failover_dist))) => Some(BlockKind::Standby(Standby {
                failover_dist,
                ..standby
            })),
            _ => None,
        }
    }

    /// The switchover rules of standby [block.`name`]; stops at its first problem.
    fn decode_standby(
        &mut self,
        name: &str,
        kind_span: Span,
        keys: &StandbyKeys<'_>,
    ) -> Option<Standby> {
        let mode_text = match &keys.mode {
            Some(mode) => Some((self.string(mode, "mode")?, self.span(mode.span))),
            None => None,
        };
        let dormant_value = match &keys.dormant_factor {
            Some(value) => Some(self.dormant_value(value)?),
            None => None,
        };
        let mode = mode_text.as_ref().map(|(m, s)| (m.as_str(), *s));
        let dormant_factor = self.dormant_factor(name, mode, dormant_value)?;
        let failover_hours = match &keys.failover {
            Some(value) => self.duration(value, "failover", false)?,
            None => 0.0,
        };
        let coverage = match &keys.coverage {
            Some(value) => self.fraction(value, "coverage")?.value,
            None => 1.0,
        };
        let manual_failover_hours = match &keys.manual_failover {
            Some(value) => self.duration(value, "manual_failover", true)?,
            None if coverage < 1.0 => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] has coverage < 1 but no `manual_failover`"),
                    kind_span,
                )
                .label = "add e.g. manual_failover = \"20m\"".into();
                return None;
            }
            None => 0.0,
        };
        Some(Standby {
            dormant_factor,
            failover_hours,
            coverage,
            manual_failover_hours,
            failover_dist: TimeDist::Exponential,
        })
    }

    /// `dormant_factor` as written, which must be in [0, 1].
    fn dormant_value(&mut self, value: &Value<'_>) -> Option<(f64, Span)> {
        let span = self.span(value.span);
        let factor = self.number(value, "dormant_factor")?;
        if !(0.0..=1.0).contains(&factor) {
            self.error(
                Code::BadValue,
                format!("`dormant_factor` = {factor} must be in [0, 1]"),
                span,
            )
            .label = "outside [0, 1]".into();
            return None;
        }
        Some((factor, span))
    }

    /// The factor on λ of a waiting unit: 1 when hot (the default), 0 when cold, and the
    /// `dormant_factor` a warm standby must give.
    fn dormant_factor(
        &mut self,
        name: &str,
        mode: Option<(&str, Span)>,
        dormant: Option<(f64, Span)>,
    ) -> Option<f64> {
        match (mode, dormant) {
            (None | Some(("hot", _)), None) => Some(1.0),
            (Some(("cold", _)), None) => Some(0.0),
            (Some(("warm", _)), Some((factor, _))) => Some(factor),
            (Some(("warm", span)), None) => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] is a warm standby but has no `dormant_factor`"),
                    span,
                )
                .label = "add e.g. dormant_factor = 0.5".into();
                None
            }
            (Some(("hot" | "cold", _)) | None, Some((_, span))) => {
                self.error(
                    Code::UnexpectedKey,
                    "`dormant_factor` only applies to mode = \"warm\"",
                    span,
                )
                .label = "remove it or set mode = \"warm\"".into();
                None
            }
            (Some((other, span)), _) => {
                self.error(
                    Code::BadValue,
                    format!("unknown standby mode `{other}`"),
                    span,
                )
                .label = "one of hot, warm, cold".into();
                None
            }
        }
    }
}
