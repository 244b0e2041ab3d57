//! Goal seeking: the value of one parameter at which the target is just met.
//!
//! The exact solver is evaluated on a grid over the search range, the sign change nearest the
//! parameter's present value is located, and bisection narrows it to the last bit that
//! matters: the boundary reported is on the side that meets the target.

use crate::model::load::MAX_RATE;
use crate::model::{BlockKind, Model, NodeRef};
use crate::whatif::vary::AxisUnit;

/// Grid points tried over the search range before bisecting.
const GRID: usize = 64;
/// Bisection steps: enough to reach adjacent doubles from any bracket.
const BISECTIONS: usize = 200;
/// Evaluations a search usually makes: the grid, then about 50 bisections to narrow one grid
/// interval (a 64th of the range, or of its logarithm) down to adjacent doubles.
pub const TYPICAL_EVALUATIONS: usize = GRID + 1 + 50;

/// The parameter a `--find` searches, read from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// How its values read (hours, fraction, count, number).
    pub unit: AxisUnit,
    /// Its value in the model now.
    pub current: f64,
    /// Default search range.
    pub range: (f64, f64),
    /// Search on a log scale (durations and rates).
    pub log: bool,
}

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// The target holds on one side of `value`.
    Boundary {
        /// The last value (on the meeting side) at which the target holds.
        value: f64,
        /// Whether the target holds at and below `value` (else at and above).
        holds_below: bool,
    },
    /// The target holds everywhere in the range.
    AlwaysMet,
    /// The target holds nowhere in the range.
    NeverMet,
}

/// `value` rounded to 6 significant digits towards the side where the target holds (down
/// when it holds at and below the boundary), so the printed value still meets the target.
pub fn rounded_toward(value: f64, holds_below: bool) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(5 - value.abs().log10().floor() as i32);
    let scaled = value * scale;
    let rounded = if holds_below {
        scaled.floor()
    } else {
        scaled.ceil()
    };
    let result = rounded / scale;
    // Division may land a hair on the wrong side; step one ulp back if it did.
    match (holds_below, result > value, result < value) {
        (true, true, _) => value.min(result.next_down()),
        (false, _, true) => value.max(result.next_up()),
        _ => result,
    }
}

/// Reads the parameter at `path` (e.g. `component.db.mttr`) from `model`.
///
/// # Errors
/// A message when the path names no component or block, or a key that cannot be searched.
pub fn parameter(model: &Model, path: &str) -> Result<Parameter, String> {
    let parts: Vec<&str> = path.split('.').collect();
    let [table, name, key] = parts[..] else {
        return Err(format!(
            "`{path}`: --find takes component.NAME.KEY or block.NAME.KEY"
        ));
    };
    let missing = |table: &str| format!("`{path}`: there is no {table} `{name}`");
    let scale = |current: f64, unit| Parameter {
        unit,
        current,
        range: (current / 1000.0, current * 1000.0),
        log: true,
    };
    let fraction = |current: f64, high: f64| Parameter {
        unit: AxisUnit::Fraction,
        current,
        range: (0.0, high),
        log: false,
    };
    match table {
        "component" => {
            // A family's instances share their figures: the first stands for all.
            let component = match model.named(false, name).first() {
                Some(NodeRef::Component(index)) => &model.components[*index],
                _ => return Err(missing("component")),
            };
            let (lambda, mu) = (component.failure_rate, component.repair_rate);
            match key {
                "mttr" => Ok(scale(1.0 / mu, AxisUnit::Hours)),
                "mtbf" if lambda > 0.0 => Ok(scale(1.0 / lambda, AxisUnit::Hours)),
                "failure_rate" if lambda > 0.0 => Ok(scale(lambda, AxisUnit::Number)),
                "repair_rate" => Ok(scale(mu, AxisUnit::Number)),
                "availability" => Ok(Parameter {
                    unit: AxisUnit::Fraction,
                    current: mu / (lambda + mu),
                    range: (1e-6, 1.0 - 1e-15),
                    log: false,
                }),
                "mtbf" | "failure_rate" => Err(format!(
                    "`{path}`: `{name}` never fails (failure rate 0); there is nothing to search"
                )),
                _ => Err(format!(
                    "`{path}`: --find works on mttr, mtbf, failure_rate, repair_rate or availability of a component"
                )),
            }
        }
        "block" => {
            let index = match model.named(true, name).first() {
                Some(NodeRef::Block(index)) => *index,
                _ => return Err(missing("block")),
            };
            let block = &model.blocks[index];
            let standby = match &block.kind {
                BlockKind::Standby(standby) => Some(standby),
                _ => None,
            };
            let needs_standby = || format!("`{path}`: `{key}` applies to standby blocks only");
            match key {
                "failover" => {
                    let standby = standby.ok_or_else(needs_standby)?;
                    let current = standby.failover_hours;
                    Ok(Parameter {
                        unit: AxisUnit::Hours,
                        current,
                        range: if current > 0.0 {
                            (current / 1000.0, current * 1000.0)
                        } else {
                            (1.0 / 3600.0, 1000.0)
                        },
                        log: true,
                    })
                }
                "manual_failover" => {
                    let standby = standby.ok_or_else(needs_standby)?;
                    Ok(scale(standby.manual_failover_hours, AxisUnit::Hours))
                }
                "coverage" => Ok(fraction(standby.ok_or_else(needs_standby)?.coverage, 1.0)),
                // These two keys take plain numbers, not percentages.
                "dormant_factor" => Ok(Parameter {
                    unit: AxisUnit::Number,
                    ..fraction(standby.ok_or_else(needs_standby)?.dormant_factor, 1.0)
                }),
                "leader_election" | "failure_pause" => {
                    let reconfiguration = match key {
                        "leader_election" => block.leader_election,
                        _ => block.failure_pause,
                    };
                    let reconfiguration = reconfiguration.ok_or_else(|| {
                        format!("`{path}`: block `{name}` has no `{key}`; write one in the model (or with --set) to search it")
                    })?;
                    Ok(scale(reconfiguration.hours, AxisUnit::Hours))
                }
                "common_cause_beta" => Ok(Parameter {
                    unit: AxisUnit::Number,
                    ..fraction(block.common_cause_beta.unwrap_or(0.0), 1.0 - 1e-9)
                }),
                "count" | "k" | "repair_crews" => Err(format!(
                    "`{path}` is a whole number: sweep it instead, e.g. --vary {path}=1..10, and the smallest value that meets the target is printed"
                )),
                _ => Err(format!(
                    "`{path}`: --find works on failover, manual_failover, coverage, dormant_factor, leader_election, failure_pause or common_cause_beta of a block"
                )),
            }
        }
        _ => Err(format!(
            "`{path}`: --find takes component.NAME.KEY or block.NAME.KEY"
        )),
    }
}

/// A search range for `path` cut to the values the model accepts, so that no step of the
/// search is refused: rates up to [`MAX_RATE`], durations from 1/[`MAX_RATE`] hours (a
/// failover may also be exactly 0), availabilities from 1e-6.
pub fn within_model_limits(path: &str, (low, high): (f64, f64)) -> (f64, f64) {
    let shortest = 1.0 / MAX_RATE;
    match path.rsplit('.').next().unwrap_or(path) {
        "failure_rate" | "repair_rate" => (low.min(MAX_RATE), high.min(MAX_RATE)),
        "failover" if low == 0.0 => (0.0, high.max(shortest)),
        "mtbf" | "mttr" | "failover" | "manual_failover" | "leader_election" | "failure_pause" => {
            (low.max(shortest), high.max(shortest))
        }
        // An availability of 0 is refused (it implies an infinite failure rate); 1e-6 is the
        // default search's own lower end.
        "availability" => (low.max(1e-6), high.max(1e-6)),
        _ => (low, high),
    }
}

/// Finds where `meets` changes over `range`, nearest `current`.
///
/// # Errors
/// Whatever `meets` returns.
pub fn find<E>(
    range: (f64, f64),
    log: bool,
    current: f64,
    mut meets: impl FnMut(f64) -> Result<bool, E>,
) -> Result<Found, E> {
    let (low, high) = range;
    let at = |t: f64| {
        if log {
            (low.ln() + (high.ln() - low.ln()) * t).exp()
        } else {
            low + (high - low) * t
        }
    };
    let xs: Vec<f64> = (0..=GRID)
        .map(|i| {
            if i == GRID {
                high
            } else {
                at(i as f64 / GRID as f64)
            }
        })
        .collect();
    let mut met = Vec::with_capacity(xs.len());
    for x in &xs {
        met.push(meets(*x)?);
    }
    if met.iter().all(|m| *m) {
        return Ok(Found::AlwaysMet);
    }
    if met.iter().all(|m| !*m) {
        return Ok(Found::NeverMet);
    }
    // The sign change nearest the present value.
    let distance = |x: f64| {
        if log && x > 0.0 && current > 0.0 {
            (x.ln() - current.ln()).abs()
        } else {
            (x - current).abs()
        }
    };
    let change = (0..GRID)
        .filter(|i| met[*i] != met[i + 1])
        .min_by(|a, b| {
            let mid = |i: usize| distance((xs[i] + xs[i + 1]) / 2.0);
            mid(*a).total_cmp(&mid(*b))
        })
        .unwrap_or(0);
    let holds_below = met[change];
    let (mut good, mut bad) = if holds_below {
        (xs[change], xs[change + 1])
    } else {
        (xs[change + 1], xs[change])
    };
    for _ in 0..BISECTIONS {
        let middle = if good >= 0.0 && bad >= 0.0 {
            bits_midpoint(good, bad)
        } else if log && good > 0.0 && bad > 0.0 {
            ((good.ln() + bad.ln()) * 0.5).exp()
        } else {
            good + (bad - good) / 2.0
        };
        if middle == good || middle == bad {
            break;
        }
        if meets(middle)? {
            good = middle;
        } else {
            bad = middle;
        }
    }
    Ok(Found::Boundary {
        value: good,
        holds_below,
    })
}

/// The double halfway between `a` and `b` (both ≥ 0) in order of representation: every
/// non-negative double's bits, read as an integer, keep the doubles' order, so bisecting them
/// reaches adjacent doubles in at most 64 steps whatever the range (0 to 1e300 included),
/// where halving the value would need over a thousand.
fn bits_midpoint(a: f64, b: f64) -> f64 {
    let (x, y) = (a.to_bits(), b.to_bits());
    f64::from_bits(x / 2 + y / 2 + (x & y & 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_round_towards_the_meeting_side() {
        assert_eq!(rounded_toward(14.751_234_9, true), 14.7512);
        assert_eq!(rounded_toward(14.751_234_9, false), 14.7513);
        assert_eq!(rounded_toward(0.950_000_12, false), 0.950001);
    }

    #[test]
    fn bisection_finds_a_known_boundary() {
        // U = 1e-4 · MTTR/4h against 1.8e-4: met while MTTR ≤ 7.2 h.
        let found = find::<()>((0.004, 4000.0), true, 4.0, |mttr| {
            Ok(1e-4 * mttr / 4.0 <= 1.8e-4)
        })
        .unwrap();
        let Found::Boundary { value, holds_below } = found else {
            panic!("{found:?}");
        };
        assert!(holds_below);
        assert!((value - 7.2).abs() < 1e-9, "{value}");
        assert!(1e-4 * value / 4.0 <= 1.8e-4);
        // Coverage: met from 0.95 up.
        let found = find::<()>((0.0, 1.0), false, 0.99, |c| Ok(c >= 0.95)).unwrap();
        assert_eq!(
            found,
            Found::Boundary {
                value: 0.95,
                holds_below: false
            }
        );
        assert_eq!(
            find::<()>((0.0, 1.0), false, 0.5, |_| Ok(true)).unwrap(),
            Found::AlwaysMet
        );
    }

    #[test]
    fn search_ranges_stay_inside_what_the_model_accepts() {
        assert_eq!(
            within_model_limits("component.a.failure_rate", (0.0, 1e308)),
            (0.0, 1e300)
        );
        assert_eq!(
            within_model_limits("component.a.mttr", (0.0, 10.0)),
            (1e-300, 10.0)
        );
        assert_eq!(
            within_model_limits("block.b.failover", (0.0, 1.0)),
            (0.0, 1.0)
        );
        assert_eq!(
            within_model_limits("block.b.failover", (1e-310, 1.0)),
            (1e-300, 1.0)
        );
        assert_eq!(
            within_model_limits("block.b.coverage", (0.0, 1.0)),
            (0.0, 1.0)
        );
    }

    #[test]
    fn a_range_from_zero_to_astronomical_still_finds_the_boundary() {
        // Met while x ≤ 2.4587e-5 over 0..1e100 on a linear grid: only the grid point 0 meets,
        // so the bracket is 0..1.6e98, 103 orders of magnitude wide. Halving the value stopped
        // after 200 steps at ~1e38 and reported 0; bisecting the bits lands on the boundary.
        let boundary = 2.4587e-5;
        let mut evaluations = 0;
        let found = find::<()>((0.0, 1e100), false, 6.7e-6, |x| {
            evaluations += 1;
            Ok(x <= boundary)
        })
        .unwrap();
        assert_eq!(
            found,
            Found::Boundary {
                value: boundary,
                holds_below: true
            }
        );
        assert!(evaluations <= GRID + 1 + 64, "{evaluations}");
        assert_eq!(bits_midpoint(0.0, 0.0), 0.0);
        assert_eq!(bits_midpoint(1.0, 1.0f64.next_up()), 1.0);
        let middle = bits_midpoint(1.0, 4.0);
        assert!(middle > 1.0 && middle < 4.0, "{middle}");
    }
}
