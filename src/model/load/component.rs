//! Decoding `[component.NAME]`: failure and repair figures to rates, and their distributions.

use super::Decoder;
use super::dist::DistContext;
use super::limits::MAX_RATE;
use crate::diag::{Code, Span};
use crate::model::{Component, TimeDist};
use toml_span::value::{Key, Table, Value, ValueInner};

/// The keys a component table may have.
const COMPONENT_KEYS: &[&str] = &[
    "mtbf",
    "failure_rate",
    "mttr",
    "repair_rate",
    "availability",
    "shared",
    "failure_dist",
    "repair_dist",
    "description",
    "evidence",
    "uncertainty",
];

/// The keys that may give a component's failure figure, as written.
struct FailureFigures<'a> {
    mtbf: Option<Value<'a>>,
    failure_rate: Option<Value<'a>>,
    availability: Option<Value<'a>>,
}

impl Decoder {
    /// Decodes one `[component.NAME]`; `None` when it has a problem (each is reported).
    pub(super) fn decode_component<'a>(
        &mut self,
        key: Key<'a>,
        mut value: Value<'a>,
    ) -> Option<Component> {
        let name = key.name.to_string();
        let span = self.span(key.span);
        self.check_name(&name, span);
        let ValueInner::Table(mut table) = value.take() else {
            return None;
        };
        let before = self.diagnostics.len();
        let take = |table: &mut Table<'a>, k: &str| table.remove_entry(k).map(|(_, v)| v);
        let failure = FailureFigures {
            mtbf: take(&mut table, "mtbf"),
            failure_rate: take(&mut table, "failure_rate"),
            availability: take(&mut table, "availability"),
        };
        let mttr = take(&mut table, "mttr");
        let repair_rate = take(&mut table, "repair_rate");
        // Where each figure was written, for the range check below.
        let failure_span = [&failure.mtbf, &failure.failure_rate, &failure.availability]
            .into_iter()
            .find_map(|value| value.as_ref().map(|value| value.span));
        let repair_span = [&mttr, &repair_rate]
            .into_iter()
            .find_map(|value| value.as_ref().map(|value| value.span));
        let shared = take(&mut table, "shared")
            .and_then(|v| self.boolean(&v, "shared"))
            .unwrap_or(false);
        if let Some(description) = take(&mut table, "description") {
            self.string(&description, "description");
        }
        let evidence = take(&mut table, "evidence").map(|value| self.evidence(&name, value));
        let ranges = take(&mut table, "uncertainty").map(|value| self.ranges(&name, value));
        if let (Some(Some(evidence)), Some(Some(ranges))) = (&evidence, &ranges) {
            let both = [
                ("mtbf", ranges.mtbf.is_some(), "failures"),
                (
                    "mttr",
                    ranges.mttr.is_some() && !evidence.repair_hours.is_empty(),
                    "repairs",
                ),
            ];
            for (figure, conflict, observed) in both {
                if conflict {
                    self.error(
                        Code::ConflictingKeys,
                        format!(
                            "component `{name}` has both evidence `{observed}` and an uncertainty range of `{figure}`; keep one: the evidence gives the range of `{figure}` itself"
                        ),
                        span,
                    );
                }
            }
        }
        let (failure_dist, repair_dist) = self.component_dists(&name, &mut table);
        self.unknown_keys(&table, COMPONENT_KEYS, &format!("[component.{name}]"));

        let repair_rate = self.repair_rate(&name, span, mttr, repair_rate);
        let failure_rate = self.failure_rate(&name, span, failure, repair_rate);
        if self.diagnostics.len() > before {
            return None;
        }
        let (failure_rate, repair_rate) = (failure_rate?, repair_rate?);
        self.check_rates(
            &name,
            span,
            [
                (failure_rate, failure_span, "fails"),
                (repair_rate, repair_span, "is repaired"),
            ],
        )?;
        Some(Component {
            name,
            failure_rate,
            repair_rate,
            shared,
            failure_dist: failure_dist.unwrap_or_default(),
            repair_dist: repair_dist.unwrap_or_default(),
            span: Some(span),
            evidence: evidence.flatten(),
            ranges: ranges.flatten(),
        })
    }

    /// `failure_dist` and `repair_dist`, taken out of the table; a `failover_dist` there is
    /// reported, as it belongs to standby blocks.
    fn component_dists(
        &mut self,
        name: &str,
        table: &mut Table<'_>,
    ) -> (Option<TimeDist>, Option<TimeDist>) {
        let owner = format!("component.{name}");
        let failure_dist = table.remove_entry("failure_dist").and_then(|(_, value)| {
            let context = DistContext {
                key: "failure_dist",
                owner: &owner,
                mean_from: "mtbf (or failure_rate, availability)",
            };
            self.time_dist(&value, &context)
        });
        let repair_dist = table.remove_entry("repair_dist").and_then(|(_, value)| {
            let context = DistContext {
                key: "repair_dist",
                owner: &owner,
                mean_from: "mttr (or repair_rate)",
            };
            self.time_dist(&value, &context)
        });
        if let Some((misplaced, _)) = table.remove_entry("failover_dist") {
            let span = self.span(misplaced.span);
            self.error(
                Code::UnexpectedKey,
                format!("`failover_dist` belongs to a standby block, not to [component.{name}]"),
                span,
            )
            .label = "move it to the [block.NAME] with kind = \"standby\"".into();
        }
        (failure_dist, repair_dist)
    }

    /// μ, from exactly one of `mttr` and `repair_rate`.
    fn repair_rate(
        &mut self,
        name: &str,
        span: Span,
        mttr: Option<Value<'_>>,
        repair_rate: Option<Value<'_>>,
    ) -> Option<f64> {
        match (mttr, repair_rate) {
            (Some(mttr), None) => self.duration(&mttr, "mttr", true).map(|hours| 1.0 / hours),
            (None, Some(rate)) => {
                let rate_span = self.span(rate.span);
                match self.number(&rate, "repair_rate") {
                    Some(rate) if rate > 0.0 => Some(rate),
                    Some(_) => {
                        self.error(
                            Code::BadValue,
                            "`repair_rate` must be greater than 0",
                            rate_span,
                        )
                        .label = "must be > 0".into();
                        None
                    }
                    None => None,
                }
            }
            (Some(_), Some(rate)) => {
                let rate_span = self.span(rate.span);
                self.error(
                    Code::ConflictingKeys,
                    format!("[component.{name}] gives both mttr and repair_rate; keep one"),
                    rate_span,
                )
                .label = "second repair figure".into();
                None
            }
            (None, None) => {
                self.error(
                    Code::MissingKey,
                    format!("[component.{name}] needs mttr (or repair_rate)"),
                    span,
                )
                .label = "e.g. mttr = \"4h\"".into();
                None
            }
        }
    }

    /// λ, from exactly one of `mtbf`, `failure_rate` and `availability` (which needs μ).
    fn failure_rate(
        &mut self,
        name: &str,
        span: Span,
        figures: FailureFigures<'_>,
        repair_rate: Option<f64>,
    ) -> Option<f64> {
        match (figures.mtbf, figures.failure_rate, figures.availability) {
            (Some(mtbf), None, None) => self.duration(&mtbf, "mtbf", true).map(|hours| 1.0 / hours),
            (None, Some(rate), None) => {
                let rate_span = self.span(rate.span);
                match self.number(&rate, "failure_rate") {
                    // `+ 0.0` turns −0.0 into 0 (an MTBF of −∞ would reach the simulator).
                    Some(rate) if rate >= 0.0 => Some(rate + 0.0),
                    Some(_) => {
                        self.error(Code::BadValue, "`failure_rate` must be ≥ 0", rate_span)
                            .label = "negative".into();
                        None
                    }
                    None => None,
                }
            }
            (None, None, Some(availability)) => {
                self.rate_from_availability(&availability, repair_rate)
            }
            (None, None, None) => {
                self.error(
                    Code::MissingKey,
                    format!("[component.{name}] needs mtbf, failure_rate or availability"),
                    span,
                )
                .label = "e.g. mtbf = \"20000h\"".into();
                None
            }
            _ => {
                self.error(
                    Code::ConflictingKeys,
                    format!("[component.{name}] gives more than one of mtbf, failure_rate and availability; keep one"),
                    span,
                )
                .label = "ambiguous failure figure".into();
                None
            }
        }
    }

    /// λ = μ · U / A, from A = μ / (λ + μ).
    fn rate_from_availability(
        &mut self,
        availability: &Value<'_>,
        repair_rate: Option<f64>,
    ) -> Option<f64> {
        let availability_span = self.span(availability.span);
        let fraction = self.fraction(availability, "availability");
        match (fraction, repair_rate) {
            (Some(fraction), _) if fraction.value <= 0.0 => {
                self.error(
                    Code::BadValue,
                    "`availability` must be greater than 0",
                    availability_span,
                )
                .label = "must be > 0".into();
                None
            }
            (Some(fraction), Some(mu)) => {
                let rate = mu * fraction.complement / fraction.value;
                if rate.is_finite() {
                    Some(rate)
                } else {
                    self.error(
                        Code::BadValue,
                        "`availability` is so small that the failure rate it implies overflows",
                        availability_span,
                    )
                    .label = "too close to 0".into();
                    None
                }
            }
            _ => None,
        }
    }

    /// Checks that both rates are finite and at most [`MAX_RATE`]; `None` after reporting one
    /// that is not.
    fn check_rates(
        &mut self,
        name: &str,
        span: Span,
        rates: [(f64, Option<toml_span::Span>, &str); 2],
    ) -> Option<()> {
        if rates.iter().any(|(rate, _, _)| !rate.is_finite()) {
            self.error(
                Code::BadValue,
                format!("[component.{name}] has a rate that is not finite"),
                span,
            )
            .label = "rate overflows".into();
            return None;
        }
        for (rate, figure_span, what) in rates {
            if rate > MAX_RATE {
                let at = figure_span.map_or(span, |figure| self.span(figure));
                self.error(
                    Code::BadValue,
                    format!(
                        "[component.{name}] {what} {rate:.3e} times an hour, more than the {MAX_RATE:e} per hour nines computes with (a mean time under 3.6e-297 s); write a longer mean time"
                    ),
                    at,
                )
                .label = format!("above {MAX_RATE:e} per hour");
                return None;
            }
        }
        Some(())
    }
}
