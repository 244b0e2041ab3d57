//! Evidence from incident history: MTBF and MTTR with confidence intervals, and the repair
//! time distributions that fit, per component, from a log of incidents.
//!
//! [`incidents`] reads the CSV, [`rates`] gives the chi-squared intervals, [`repair`] fits the
//! repair times (with repairs still running at the end of the observation censored), and
//! [`fit_log`] puts them together for an observation period.

pub mod incidents;
pub mod rates;
pub mod repair;
mod simplex;

use crate::model::Evidence;
use incidents::{ComponentLog, IncidentLog};
use rates::{MeanTime, mean_time};
use repair::{Observation, RepairFit, fit_repairs};

/// Seconds in an hour, to turn exact second counts into hours.
const SECONDS_PER_HOUR: f64 = 3600.0;

/// The observation period, seconds since the epoch, `from < to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Start of the observation.
    pub from: i64,
    /// End of the observation: incidents still open then are censored repairs.
    pub to: i64,
}

impl Period {
    /// Length in hours.
    pub fn hours(&self) -> f64 {
        (self.to - self.from) as f64 / SECONDS_PER_HOUR
    }
}

/// The evidence of a whole incident log: what `nines fit` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct LogFit {
    /// The log's file name, as given.
    pub file: String,
    /// The observation period.
    pub period: Period,
    /// The two-sided confidence level of the intervals (0.9 for 90 %).
    pub confidence: f64,
    /// The confidence as the user wrote it ("90%").
    pub confidence_text: String,
    /// One entry per component, in order of first appearance in the log.
    pub components: Vec<ComponentFit>,
}

/// What the incidents of one component say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentFit {
    /// The component's name.
    pub name: String,
    /// Units observed.
    pub units: u64,
    /// Failures: incidents that start within the period.
    pub failures: u64,
    /// Unit-hours up: units × the period, minus the downtime of every incident within it.
    pub exposure_hours: f64,
    /// MTBF (hours) with its interval.
    pub mtbf: MeanTime,
    /// MTTR (hours) with its interval, from the repairs of those failures.
    pub mttr: MeanTime,
    /// The repair times (hours), censored when still running at the end of the period.
    pub repairs: Vec<Observation>,
    /// The repair-time fits, in the order exponential, log-normal, Weibull, gamma.
    pub repair_fits: Vec<RepairFit>,
}

/// The evidence of every component of `log` over `period`, at `confidence` (0.9 for 90 %).
///
/// A failure is an incident that starts within the period; its repair time runs to its end,
/// or is censored at the end of the period. Incidents outside the period are ignored, except
/// that the part of their downtime inside it is not counted as exposure.
pub fn fit_log(log: &IncidentLog, period: Period, confidence: f64) -> Vec<ComponentFit> {
    log.components
        .iter()
        .map(|component| fit_component(component, period, confidence))
        .collect()
}

/// The evidence of one component.
///
/// # Formula
/// exposure T = units · (to − from) − Σ |[start, end) ∩ [from, to)|; MTBF = T/n with the
/// time-truncated chi-squared interval ([`rates::mean_time`]); MTTR = R/d with R the total
/// repair time (censored ones included) and d the completed repairs, with the same interval.
pub fn fit_component(component: &ComponentLog, period: Period, confidence: f64) -> ComponentFit {
    let mut downtime = 0i64;
    let mut repairs = Vec::new();
    for incident in &component.incidents {
        let end = incident.end.unwrap_or(i64::MAX);
        downtime += (end.min(period.to) - incident.start.max(period.from)).max(0);
        if (period.from..period.to).contains(&incident.start) {
            repairs.push(Observation {
                hours: (end.min(period.to) - incident.start) as f64 / SECONDS_PER_HOUR,
                censored: end > period.to,
            });
        }
    }
    let failures = repairs.len() as u64;
    let exposure_hours =
        component.units as f64 * period.hours() - downtime as f64 / SECONDS_PER_HOUR;
    let completed = repairs.iter().filter(|r| !r.censored).count() as u64;
    let repair_hours: f64 = repairs.iter().map(|r| r.hours).sum();
    ComponentFit {
        name: component.name.clone(),
        units: component.units,
        failures,
        exposure_hours,
        mtbf: mean_time(failures, exposure_hours, confidence),
        mttr: mean_time(completed, repair_hours, confidence),
        repair_fits: fit_repairs(&repairs),
        repairs,
    }
}

/// The MTBF and MTTR intervals that a component's recorded evidence gives, at `confidence`:
/// the same chi-squared intervals as `nines fit` (every recorded repair is a completed one).
pub(crate) fn evidence_intervals(evidence: &Evidence, confidence: f64) -> (MeanTime, MeanTime) {
    let repairs = evidence.repair_hours.len() as u64;
    let repair_total: f64 = evidence.repair_hours.iter().sum();
    (
        mean_time(evidence.failures, evidence.exposure_hours, confidence),
        mean_time(repairs, repair_total, confidence),
    )
}

/// The observation period: `from` and `to` when given, else the log's first start and its
/// last time.
///
/// # Errors
/// A message when the period is empty or reversed.
pub fn period_of(log: &IncidentLog, from: Option<i64>, to: Option<i64>) -> Result<Period, String> {
    let period = Period {
        from: from.unwrap_or(log.first_start),
        to: to.unwrap_or(log.last_time),
    };
    if period.to <= period.from {
        return Err(
            "the observation period is empty: --to must be after --from (by default the first incident's start and the last time in the log)"
                .into(),
        );
    }
    Ok(period)
}

#[cfg(test)]
mod tests {
    use super::*;
    use incidents::parse_log;

    #[test]
    fn exposure_counts_units_and_clips_downtime_to_the_period() {
        // Period 2026-01-01 .. 2026-01-11 = 240 h, 2 units: 480 unit-hours. Incidents:
        // a 4 h one inside; one from 2025-12-31 22:00 to 2026-01-01 02:00 (2 h inside, not a
        // failure of the period); one open from 2026-01-10 20:00 (4 h inside, censored).
        // T = 480 − 4 − 2 − 4 = 470 h; n = 2; repairs 4 h (done) and 4 h (censored).
        let log = parse_log(
            "component,start,end,units\n\
             db,2026-01-05 10:00,2026-01-05 14:00,2\n\
             db,2025-12-31 22:00,2026-01-01 02:00,2\n\
             db,2026-01-10 20:00,,2\n",
        )
        .unwrap();
        let period = Period {
            from: incidents::parse_time("2026-01-01", true).unwrap(),
            to: incidents::parse_time("2026-01-11", true).unwrap(),
        };
        let fit = fit_component(&log.components[0], period, 0.9);
        assert_eq!(fit.failures, 2);
        assert!((fit.exposure_hours - 470.0).abs() < 1e-9);
        assert_eq!(fit.mtbf.value, Some(235.0));
        // MTTR = (4 + 4) / 1 completed repair.
        assert_eq!(fit.mttr.value, Some(8.0));
        assert_eq!(
            fit.repairs,
            vec![
                Observation {
                    hours: 4.0,
                    censored: false
                },
                Observation {
                    hours: 4.0,
                    censored: true
                },
            ]
        );
    }

    #[test]
    fn the_default_period_spans_the_log() {
        let log = parse_log(
            "component,start,end\nweb,2026-01-01 00:00,2026-01-01 01:00\nweb,2026-01-03 00:00,2026-01-03 02:00\n",
        )
        .unwrap();
        let period = period_of(&log, None, None).unwrap();
        assert_eq!(period.hours(), 50.0);
        assert!(period_of(&log, Some(period.to), None).is_err());
    }
}
