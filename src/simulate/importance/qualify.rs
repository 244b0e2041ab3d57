//! Which models importance sampling can simulate: every failure time exponential, and no
//! timed failover, election or pause (see [`NotExponential::Timers`]).
//!
//! The change of measure multiplies each unit's failure rate; that needs a rate, and the
//! all-up state is a regeneration point only when no unit carries the age of its life with
//! it. Both hold exactly when every failure time (a unit's, a dormant standby unit's, which
//! is the same exponential life consumed at a fraction of the rate, and a common-cause
//! element's) is exponential. Repair, failover, election and pause times may have any shape:
//! they are simulated as drawn and never biased.

use crate::simulate::plan::Plan;

/// Why a model does not qualify for importance sampling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotExponential {
    /// Some failure times are not exponential.
    #[error(
        "importance sampling needs exponential failure times, but {units} of the model's simulated units fail otherwise (failure_dist); use --sampling crude"
    )]
    Failures {
        /// Units whose failure time is not exponential.
        units: usize,
    },
    /// A standby block with a timed or uncovered failover, or a block with a leader election
    /// or failure pause: measured, the biasing of this version is not unbiased with such
    /// timers running (docs/simulation.md §14.9), so it refuses them.
    #[error(
        "importance sampling does not yet support timed failovers (a standby block with failover > 0 or coverage < 1), leader elections or failure pauses; use --sampling crude"
    )]
    Timers,
    /// A unit referenced in several places (a shared component): measured, the distance to
    /// an outage counts each reference and the intervals came out confidently wrong (a
    /// random model 9 standard errors low), so this version refuses them.
    #[error(
        "importance sampling does not yet support units referenced in several places (shared components); use --sampling crude"
    )]
    SharedUnits,
}

/// The failure rate (per active hour) of every unit of `plan`.
///
/// # Errors
/// [`NotExponential`] when some unit's failure time is not exponential.
pub fn failure_rates(plan: &Plan) -> Result<Vec<f64>, NotExponential> {
    let rates: Vec<Option<f64>> = plan
        .units
        .iter()
        .map(|unit| unit.life.exponential_rate())
        .collect();
    let units = rates.iter().filter(|rate| rate.is_none()).count();
    if units > 0 {
        return Err(NotExponential::Failures { units });
    }
    let timed_failover = plan
        .standbys
        .iter()
        .any(|standby| !standby.instant || standby.coverage < 1.0);
    if timed_failover || !plan.reconfigs.is_empty() {
        return Err(NotExponential::Timers);
    }
    let shared = (0..plan.units.len()).any(|unit| {
        let range =
            plan.unit_parent_start[unit] as usize..plan.unit_parent_start[unit + 1] as usize;
        range.len() > 1
            || plan.unit_parents[range]
                .iter()
                .any(|(_, weight)| *weight > 1)
    });
    if shared {
        return Err(NotExponential::SharedUnits);
    }
    Ok(rates.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(text: &str) -> Plan {
        let Ok(loaded) = crate::model::load::load_model("m.toml", text, &[]) else {
            panic!("invalid test model");
        };
        crate::simulate::plan::expand(&loaded.model).expect("small")
    }

    #[test]
    fn exponential_failures_qualify_with_their_rates() {
        // MTBF 1000 h: rate 1e-3 per hour, two copies.
        let plan = plan_of(
            "[component.a]\nmtbf = \"1000h\"\nmttr = \"2h\"\nrepair_dist = { dist = \"fixed\" }\n\
             [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\n",
        );
        assert_eq!(failure_rates(&plan), Ok(vec![1e-3, 1e-3]));
    }

    #[test]
    fn a_weibull_failure_time_does_not_qualify() {
        let plan = plan_of(
            "[component.a]\nmtbf = \"1000h\"\nmttr = \"2h\"\nfailure_dist = { dist = \"weibull\", shape = 2 }\n\
             [block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\n",
        );
        assert_eq!(
            failure_rates(&plan),
            Err(NotExponential::Failures { units: 2 })
        );
    }

    #[test]
    fn a_timed_failover_does_not_qualify() {
        let plan = plan_of(
            "[component.a]\nmtbf = \"1000h\"\nmttr = \"2h\"\n\
             [block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\nfailover = \"30s\"\n",
        );
        assert_eq!(failure_rates(&plan), Err(NotExponential::Timers));
    }
}
