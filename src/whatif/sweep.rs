//! Sweeps: the grid of parameter values, the measures at each point, and what they say about
//! the target ("the target is met from count = 4").

use super::vary::{Vary, VaryValue};
use crate::chart::sweep::AxisUnit;
use crate::solve::Measures;

/// The 95 % intervals of a simulated point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointInterval {
    /// Unavailability, low and high.
    pub unavailability: (f64, f64),
    /// Outages per year, low and high.
    pub failures_per_year: (f64, f64),
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

/// One sentence per line saying where the target is met, e.g. "the target 99.95% is met
/// from block.web.count = 4"; with `find_hint`, a continuous parameter's sentence points to
/// `--find` for the exact boundary.
pub fn verdicts(varies: &[Vary], points: &[Point], find_hint: bool) -> Vec<String> {
    let vary = &varies[0];
    let mut sentences = Vec::new();
    for line in lines(points) {
        let prefix: String = line[0].values[1..]
            .iter()
            .zip(&varies[1..])
            .map(|(value, vary)| format!("{} = {}: ", vary.path, value.label))
            .collect();
        let Some(first_target) = line[0].target.as_ref() else {
            continue;
        };
        // When the target itself varies, no one target text describes the line.
        let target_text = if line
            .iter()
            .all(|point| point.target.as_ref() == Some(first_target))
        {
            format!("the target {}", first_target.1)
        } else {
            "the target".to_string()
        };
        let mut sorted = line.clone();
        sorted.sort_by(|a, b| a.values[0].x.total_cmp(&b.values[0].x));
        let met: Vec<bool> = sorted
            .iter()
            .map(|point| point.meets_target.unwrap_or(false))
            .collect();
        let label = |point: &Point| point.values[0].label.clone();
        let first = label(sorted[0]);
        let last = label(sorted[sorted.len() - 1]);
        let body = if met.iter().all(|m| *m) {
            format!(
                "is met at every value swept ({} {first} to {last})",
                vary.path
            )
        } else if met.iter().all(|m| !*m) {
            let best = sorted
                .iter()
                .max_by(|a, b| a.measures.nines().total_cmp(&b.measures.nines()))
                .map(|point| {
                    format!(
                        "{} nines at {} = {}",
                        crate::format::nines(point.measures.nines()),
                        vary.path,
                        label(point)
                    )
                })
                .unwrap_or_default();
            format!("is missed at every value swept (best: {best})")
        } else {
            let flips = met.windows(2).filter(|w| w[0] != w[1]).count();
            let first_met = met.iter().position(|m| *m).unwrap_or(0);
            let last_met = met.iter().rposition(|m| *m).unwrap_or(0);
            let exact_hint =
                if !find_hint || vary.unit == AxisUnit::Count || vary.path.starts_with("target.") {
                    String::new()
                } else {
                    format!(" (`--find {}` gives the exact boundary)", vary.path)
                };
            if flips == 1 && met[met.len() - 1] {
                format!(
                    "is met from {} = {}{exact_hint}",
                    vary.path,
                    label(sorted[first_met])
                )
            } else if flips == 1 {
                format!(
                    "is met up to {} = {}{exact_hint}",
                    vary.path,
                    label(sorted[last_met])
                )
            } else {
                let mut ranges = Vec::new();
                let mut start = None;
                for (index, m) in met.iter().enumerate() {
                    match (m, start) {
                        (true, None) => start = Some(index),
                        (false, Some(from)) => {
                            ranges.push((from, index - 1));
                            start = None;
                        }
                        _ => {}
                    }
                }
                if let Some(from) = start {
                    ranges.push((from, met.len() - 1));
                }
                let text: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| {
                        if a == b {
                            label(sorted[*a])
                        } else {
                            format!("{}–{}", label(sorted[*a]), label(sorted[*b]))
                        }
                    })
                    .collect();
                format!("is met for {} = {}", vary.path, text.join(", "))
            }
        };
        sentences.push(format!("{prefix}{target_text} {body}"));
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatif::vary::Spacing;

    #[test]
    fn sweeps_are_bounded_in_points() {
        let spacing = |steps| Spacing { steps, log: false };
        let mttr = Vary::parse("component.a.mttr=1h..10h", spacing(316)).unwrap();
        let count = Vary::parse("block.b.count=1..400", spacing(20)).unwrap();
        // 317 × 21 = 6,657 points (count takes 21 evenly spread values).
        assert_eq!(point_count(&[mttr.clone(), count.clone()]), Ok(6_657));
        // 317 × 317 = 100,489 > 100,000.
        let error = point_count(&[mttr.clone(), mttr.clone()]).unwrap_err();
        assert!(error.contains("317 × 317 = 100489 points"), "{error}");
        assert_eq!(point_count(&[]), Ok(1));
    }

    fn point(values: Vec<VaryValue>, unavailability: f64, target: f64) -> Point {
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

    #[test]
    fn second_vary_makes_lines_and_counts_get_a_smallest_value() {
        let spacing = Spacing {
            steps: 10,
            log: false,
        };
        let count = Vary::parse("block.web.count=1..3", spacing).unwrap();
        let crews = Vary::parse("block.web.repair_crews=1,2", spacing).unwrap();
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
        // U = 10^-(count+1): 1e-2, 1e-3, 1e-4 against a 1e-3 target.
        let points: Vec<Point> = combos
            .into_iter()
            .map(|c| {
                let u = 10f64.powi(-(c[0].x as i32 + 1));
                point(c, u, 1e-3)
            })
            .collect();
        let sentences = verdicts(&[count, crews], &points, true);
        assert_eq!(
            sentences,
            [
                "block.web.repair_crews = 1: the target 99.9% is met from block.web.count = 2",
                "block.web.repair_crews = 2: the target 99.9% is met from block.web.count = 2",
            ]
        );
    }

    #[test]
    fn crossings_interpolate_in_nines() {
        let spacing = Spacing {
            steps: 1,
            log: false,
        };
        let mttr = Vary::parse("component.db.mttr=1h..3h", spacing).unwrap();
        // 4 nines at 1 h, 2 nines at 3 h: 3 nines is crossed half way, at 2 h.
        let points = [
            point(vec![mttr.values[0].clone()], 1e-4, 1e-3),
            point(vec![mttr.values[1].clone()], 1e-2, 1e-3),
        ];
        let refs: Vec<&Point> = points.iter().collect();
        let found = crossings(&refs, false, false);
        assert_eq!(found.len(), 1);
        assert!((found[0].0 - 2.0).abs() < 1e-12);
        assert!((found[0].1 - 3.0).abs() < 1e-12);
        let sentence = &verdicts(&[mttr], &points, true)[0];
        assert!(
            sentence.contains("is met up to component.db.mttr = 1h"),
            "{sentence}"
        );
    }
}
