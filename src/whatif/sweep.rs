//! Sweeps: the grid of parameter values, the measures at each point, and what they say about
//! the target ("the target is met from count = 4").

use super::vary::{Vary, VaryValue};
use crate::format::HOURS_PER_YEAR;
use crate::simulate::estimate::Estimates;
use crate::solve::Measures;

/// The 95 % intervals of a simulated point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointInterval {
    /// Unavailability, low and high.
    pub unavailability: (f64, f64),
    /// Outages per year, low and high.
    pub failures_per_year: (f64, f64),
}

/// A simulated point: the estimates' point values as measures, and their intervals.
///
/// # Formula
/// U = Û, A = 1 − Û (a simulated A carries no more digits than Û), f = f̂_year / 8766 h.
pub fn simulated_point(estimates: &Estimates) -> (Measures, PointInterval) {
    let u = estimates.unavailability;
    let f = estimates.failures_per_year;
    let measures = Measures {
        unavailability: u.value,
        availability: 1.0 - u.value,
        frequency: f.value / HOURS_PER_YEAR,
    };
    let interval = PointInterval {
        unavailability: (u.low, u.high),
        failures_per_year: (f.low, f.high),
    };
    (measures, interval)
}

/// The measures at one combination of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// One value per `--vary`, in the order given.
    pub values: Vec<VaryValue>,
    /// Exact measures, or the simulation's point estimates.
    pub measures: Measures,
    /// The simulation's intervals (`--method simulate`).
    pub interval: Option<PointInterval>,
    /// The target's unavailability at this point and its text, when the model has one.
    pub target: Option<(f64, String)>,
    /// Whether the target is met (for a simulation: by the upper end of the interval).
    pub meets_target: Option<bool>,
}

/// Most points one sweep solves: two `--vary` of a hundred values each leave ample room, and
/// at a typical 0.1 ms per exact solve the whole grid takes seconds, not hours.
pub const MAX_POINTS: usize = 100_000;

/// The number of points the `--vary`s give.
///
/// # Errors
/// A message saying how many there would be, when that is more than [`MAX_POINTS`].
pub fn point_count(varies: &[Vary]) -> Result<usize, String> {
    let counts: Vec<usize> = varies.iter().map(|vary| vary.values.len()).collect();
    let total = counts
        .iter()
        .fold(1u128, |total, count| total.saturating_mul(*count as u128));
    if total <= MAX_POINTS as u128 {
        return Ok(total as usize);
    }
    let factors: Vec<String> = counts.iter().map(usize::to_string).collect();
    Err(format!(
        "the --vary values give {} = {total} points; at most {MAX_POINTS} are solved in one sweep: use fewer --steps or values",
        factors.join(" × ")
    ))
}

/// Every combination of values: the first `--vary` changes fastest, so each value of the
/// second gives one line over the first.
pub fn grid(varies: &[Vary]) -> Vec<Vec<VaryValue>> {
    let mut combinations: Vec<Vec<VaryValue>> = vec![Vec::new()];
    for vary in varies {
        let mut next = Vec::with_capacity(combinations.len() * vary.values.len());
        for combination in &combinations {
            for value in &vary.values {
                let mut extended = combination.clone();
                extended.push(value.clone());
                next.push(extended);
            }
        }
        combinations = next;
    }
    // Reorder so that the first vary is innermost: sort by the later values' positions.
    let width = varies.len();
    let position = |combination: &Vec<VaryValue>, which: usize| {
        varies[which]
            .values
            .iter()
            .position(|value| value == &combination[which])
            .unwrap_or(0)
    };
    combinations.sort_by_key(|combination| {
        (1..width)
            .rev()
            .map(|which| position(combination, which))
            .chain([position(combination, 0)])
            .collect::<Vec<_>>()
    });
    combinations
}

/// The points of one line: those sharing the values of every `--vary` but the first.
pub fn lines(points: &[Point]) -> Vec<Vec<&Point>> {
    let mut lines: Vec<Vec<&Point>> = Vec::new();
    for point in points {
        match lines.last_mut() {
            Some(line) if line[0].values[1..] == point.values[1..] => line.push(point),
            _ => lines.push(vec![point]),
        }
    }
    lines
}

/// Where a line crosses the target, as points to mark on a chart.
///
/// For a continuous parameter: (x, target nines) between neighbouring points on opposite
/// sides, interpolated in nines (and in log x on a log axis). A simulated point is judged by
/// the pessimistic end of its interval, as `meets_target` is. For a whole-number parameter,
/// where interpolating means nothing: the first point that meets the target after one that
/// does not, at its own (x, nines). Nothing when the target changes along the line.
pub fn crossings(line: &[&Point], log_x: bool, whole_numbers: bool) -> Vec<(f64, f64)> {
    let mut sorted: Vec<&Point> = line.to_vec();
    sorted.sort_by(|a, b| a.values[0].x.total_cmp(&b.values[0].x));
    let first_target = sorted.first().and_then(|point| point.target.as_ref());
    if sorted
        .iter()
        .any(|point| point.target.as_ref() != first_target)
    {
        return Vec::new();
    }
    let judged_nines = |point: &Point| match &point.interval {
        Some(interval) => -interval.unavailability.1.log10(),
        None => point.measures.nines(),
    };
    let mut found = Vec::new();
    for pair in sorted.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (Some(met_a), Some(met_b), Some((target, _))) =
            (a.meets_target, b.meets_target, &a.target)
        else {
            continue;
        };
        if met_a == met_b {
            continue;
        }
        let target_nines = -target.log10();
        if whole_numbers {
            let meeting = if met_b { b } else { a };
            found.push((meeting.values[0].x, meeting.measures.nines()));
            continue;
        }
        let (na, nb) = (judged_nines(a), judged_nines(b));
        let scale = |x: f64| if log_x { x.ln() } else { x };
        let (xa, xb) = (scale(a.values[0].x), scale(b.values[0].x));
        let t = if na.is_finite() && nb.is_finite() && na != nb {
            ((target_nines - na) / (nb - na)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let x = xa + (xb - xa) * t;
        found.push((if log_x { x.exp() } else { x }, target_nines));
    }
    found
}

/// Where along one line of a sweep the target is met; indices are into the line's points
/// sorted by the first parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpan {
    /// Met at every point.
    Everywhere,
    /// Met at no point; `best` is the point with the most nines (the last of equals).
    Nowhere {
        /// The point closest to meeting the target.
        best: usize,
    },
    /// Met from this point to the end, and not before.
    From(usize),
    /// Met from the start up to this point, and not after.
    UpTo(usize),
    /// Met on several separate runs of points, each (first, last).
    Runs(Vec<(usize, usize)>),
}

/// What one line of a sweep says about the target, for a sentence to word.
#[derive(Debug, Clone, PartialEq)]
pub struct LineVerdict<'a> {
    /// The line's points, sorted by the first parameter.
    pub sorted: Vec<&'a Point>,
    /// The target's text when it is the same at every point (it varies when the target
    /// itself is swept).
    pub target_text: Option<&'a str>,
    /// Where the target is met.
    pub span: TargetSpan,
}

/// The verdict on one line (from [`lines`]); `None` when its points have no target.
pub fn line_verdict<'a>(line: &[&'a Point]) -> Option<LineVerdict<'a>> {
    let first_target = line.first()?.target.as_ref()?;
    let target_text = line
        .iter()
        .all(|point| point.target.as_ref() == Some(first_target))
        .then_some(first_target.1.as_str());
    let mut sorted = line.to_vec();
    sorted.sort_by(|a, b| a.values[0].x.total_cmp(&b.values[0].x));
    let met: Vec<bool> = sorted
        .iter()
        .map(|point| point.meets_target.unwrap_or(false))
        .collect();
    let span = target_span(&sorted, &met);
    Some(LineVerdict {
        sorted,
        target_text,
        span,
    })
}

fn target_span(sorted: &[&Point], met: &[bool]) -> TargetSpan {
    if met.iter().all(|m| *m) {
        return TargetSpan::Everywhere;
    }
    if met.iter().all(|m| !*m) {
        let best = sorted
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.measures.nines().total_cmp(&b.measures.nines()))
            .map_or(0, |(index, _)| index);
        return TargetSpan::Nowhere { best };
    }
    let flips = met.windows(2).filter(|w| w[0] != w[1]).count();
    if flips == 1 && met[met.len() - 1] {
        return TargetSpan::From(met.iter().position(|m| *m).unwrap_or(0));
    }
    if flips == 1 {
        return TargetSpan::UpTo(met.iter().rposition(|m| *m).unwrap_or(0));
    }
    let mut runs = Vec::new();
    let mut start = None;
    for (index, m) in met.iter().enumerate() {
        match (m, start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                runs.push((from, index - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        runs.push((from, met.len() - 1));
    }
    TargetSpan::Runs(runs)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::whatif::vary::Spacing;

    /// Evenly spaced ranges of `steps` intervals.
    pub(crate) fn even(steps: usize) -> Spacing {
        Spacing { steps, log: false }
    }

    #[test]
    fn a_simulated_point_converts_outages_per_year_to_per_hour() {
        // 8.766 outages a year = 8.766 / 8766 h = 0.001 per hour; A = 1 − 0.25 = 0.75.
        let estimate = |value, low, high| crate::simulate::estimate::Estimate { value, low, high };
        let estimates = Estimates {
            unavailability: estimate(0.25, 0.2, 0.3),
            failures_per_year: estimate(8.766, 8.0, 9.5),
            mttr_hours: None,
            breach: None,
            outage_free: estimate(0.5, 0.4, 0.6),
            exact_unavailability: None,
            exact_failures: None,
            blocks: Vec::new(),
            runs: 10,
        };
        let (measures, interval) = simulated_point(&estimates);
        assert_eq!(measures.unavailability, 0.25);
        assert_eq!(measures.availability, 0.75);
        assert!((measures.frequency - 0.001).abs() < 1e-18);
        assert_eq!(interval.unavailability, (0.2, 0.3));
        assert_eq!(interval.failures_per_year, (8.0, 9.5));
    }

    #[test]
    fn sweeps_are_bounded_in_points() {
        let mttr = Vary::parse("component.a.mttr=1h..10h", even(316)).unwrap();
        let count = Vary::parse("block.b.count=1..400", even(20)).unwrap();
        // 317 × 21 = 6,657 points (count takes 21 evenly spread values).
        assert_eq!(point_count(&[mttr.clone(), count.clone()]), Ok(6_657));
        // 317 × 317 = 100,489 > 100,000.
        let error = point_count(&[mttr.clone(), mttr.clone()]).unwrap_err();
        assert!(error.contains("317 × 317 = 100489 points"), "{error}");
        assert_eq!(point_count(&[]), Ok(1));
    }

    /// A point with U = `unavailability` against a target of U = `target` (text `99.9%`).
    pub(crate) fn point(values: Vec<VaryValue>, unavailability: f64, target: f64) -> Point {
        Point {
            values,
            measures: Measures {
                unavailability,
                availability: 1.0 - unavailability,
                frequency: 1.0,
            },
            interval: None,
            target: Some((target, "99.9%".into())),
            meets_target: Some(unavailability <= target),
        }
    }

    /// The points of `block.web.count` 1..3 by `block.web.repair_crews` 1, 2, with
    /// U = 10^-(count+1) against a 1e-3 target, and the two parameters.
    pub(crate) fn count_by_crews() -> (Vec<Vary>, Vec<Point>) {
        let count = Vary::parse("block.web.count=1..3", even(10)).unwrap();
        let crews = Vary::parse("block.web.repair_crews=1,2", even(10)).unwrap();
        let points = grid(&[count.clone(), crews.clone()])
            .into_iter()
            .map(|c| {
                let u = 10f64.powi(-(c[0].x as i32 + 1));
                point(c, u, 1e-3)
            })
            .collect();
        (vec![count, crews], points)
    }

    /// `component.db.mttr` at 1 h (U = 1e-4) and 3 h (U = 1e-2) against a 1e-3 target, and
    /// the parameter.
    pub(crate) fn mttr_line() -> (Vary, Vec<Point>) {
        let mttr = Vary::parse("component.db.mttr=1h..3h", even(1)).unwrap();
        let points = vec![
            point(vec![mttr.values[0].clone()], 1e-4, 1e-3),
            point(vec![mttr.values[1].clone()], 1e-2, 1e-3),
        ];
        (mttr, points)
    }

    #[test]
    fn second_vary_makes_lines_and_counts_get_a_smallest_value() {
        let count = Vary::parse("block.web.count=1..3", even(10)).unwrap();
        let crews = Vary::parse("block.web.repair_crews=1,2", even(10)).unwrap();
        let combos = grid(&[count.clone(), crews.clone()]);
        let order: Vec<(f64, f64)> = combos.iter().map(|c| (c[0].x, c[1].x)).collect();
        assert_eq!(
            order,
            [
                (1.0, 1.0),
                (2.0, 1.0),
                (3.0, 1.0),
                (1.0, 2.0),
                (2.0, 2.0),
                (3.0, 2.0)
            ]
        );
        // U = 10^-(count+1): 1e-2, 1e-3, 1e-4 against a 1e-3 target: met from count = 2.
        let (_, points) = count_by_crews();
        let verdicts: Vec<LineVerdict> = lines(&points)
            .iter()
            .filter_map(|line| line_verdict(line))
            .collect();
        assert_eq!(verdicts.len(), 2);
        for verdict in verdicts {
            assert_eq!(verdict.span, TargetSpan::From(1));
            assert_eq!(verdict.target_text, Some("99.9%"));
        }
    }

    #[test]
    fn crossings_interpolate_in_nines() {
        // 4 nines at 1 h, 2 nines at 3 h: 3 nines is crossed half way, at 2 h.
        let (_, points) = mttr_line();
        let refs: Vec<&Point> = points.iter().collect();
        let found = crossings(&refs, false, false);
        assert_eq!(found.len(), 1);
        assert!((found[0].0 - 2.0).abs() < 1e-12);
        assert!((found[0].1 - 3.0).abs() < 1e-12);
        // Met at 1 h only.
        assert_eq!(line_verdict(&refs).unwrap().span, TargetSpan::UpTo(0));
    }
}
