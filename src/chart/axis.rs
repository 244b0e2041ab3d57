//! Axis ticks a reviewer reads at a glance: a nines axis ticked at round availabilities
//! (99.9 %, 99.95 %, 99.99 %…), a logarithmic duration axis ticked at durations people say
//! (1m, 10m, 1h, 1d, 30d, 1y), and a linear duration axis labelled in one unit throughout.

use crate::format::HOURS_PER_YEAR;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// An axis whose labelled ticks are `points`; its light grid lines stay the inner axis's.
/// (plotters' own `WithKeyPoints` drops the value formatter a mesh needs.)
#[derive(Debug, Clone)]
pub(crate) struct Ticked<R: Ranged> {
    inner: R,
    points: Vec<R::ValueType>,
}

impl<R: Ranged> Ticked<R> {
    /// `inner` ticked at `points`.
    pub(crate) fn new(inner: R, points: Vec<R::ValueType>) -> Self {
        Self { inner, points }
    }
}

impl<R: Ranged> Ranged for Ticked<R>
where
    R::ValueType: Clone,
{
    type FormatOption = DefaultFormatting;
    type ValueType = R::ValueType;

    fn map(&self, value: &Self::ValueType, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<Self::ValueType> {
        if hint.weight().allow_light_points() {
            self.inner.key_points(hint)
        } else {
            self.points.clone()
        }
    }

    fn range(&self) -> Range<Self::ValueType> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}

const SECOND: f64 = 1.0 / 3600.0;
const MINUTE: f64 = 1.0 / 60.0;
const DAY: f64 = 24.0;

/// Durations people say, in hours, with their labels, shortest first. The `true` ones are
/// the coarse ladder a wide logarithmic axis uses (about one per decade).
const DURATIONS: &[(f64, &str, bool)] = &[
    (0.001 * SECOND, "1ms", true),
    (0.01 * SECOND, "10ms", true),
    (0.1 * SECOND, "100ms", true),
    (SECOND, "1s", true),
    (2.0 * SECOND, "2s", false),
    (5.0 * SECOND, "5s", false),
    (10.0 * SECOND, "10s", true),
    (20.0 * SECOND, "20s", false),
    (30.0 * SECOND, "30s", false),
    (MINUTE, "1m", true),
    (2.0 * MINUTE, "2m", false),
    (5.0 * MINUTE, "5m", false),
    (10.0 * MINUTE, "10m", true),
    (15.0 * MINUTE, "15m", false),
    (30.0 * MINUTE, "30m", false),
    (1.0, "1h", true),
    (2.0, "2h", false),
    (3.0, "3h", false),
    (6.0, "6h", true),
    (12.0, "12h", false),
    (DAY, "1d", true),
    (2.0 * DAY, "2d", false),
    (3.0 * DAY, "3d", false),
    (7.0 * DAY, "1w", true),
    (14.0 * DAY, "2w", false),
    (30.0 * DAY, "30d", true),
    (60.0 * DAY, "60d", false),
    (90.0 * DAY, "90d", false),
    (180.0 * DAY, "180d", false),
    (HOURS_PER_YEAR, "1y", true),
    (2.0 * HOURS_PER_YEAR, "2y", false),
    (5.0 * HOURS_PER_YEAR, "5y", false),
    (10.0 * HOURS_PER_YEAR, "10y", true),
    (20.0 * HOURS_PER_YEAR, "20y", false),
    (50.0 * HOURS_PER_YEAR, "50y", false),
    (100.0 * HOURS_PER_YEAR, "100y", true),
    (1000.0 * HOURS_PER_YEAR, "1000y", true),
];

/// Most ticks an axis gets before it is thinned.
const MOST_TICKS: usize = 9;

/// The ticks of a logarithmic duration axis over [low, high] hours: the coarse ladder when
/// at least three of its rungs fall inside, else every listed duration inside (thinned to at
/// most [`MOST_TICKS`]); empty when fewer than two fit (the axis then keeps its own ticks,
/// labelled by [`LinearDurations`]).
pub(crate) fn duration_key_points(low: f64, high: f64) -> Vec<f64> {
    let inside = |coarse_only: bool| -> Vec<f64> {
        DURATIONS
            .iter()
            .filter(|(hours, _, coarse)| (*coarse || !coarse_only) && (low..=high).contains(hours))
            .map(|(hours, _, _)| *hours)
            .collect()
    };
    let coarse = inside(true);
    let points = if coarse.len() >= 3 {
        coarse
    } else {
        inside(false)
    };
    if points.len() < 2 {
        return Vec::new();
    }
    thin(points)
}

/// The label of a duration tick: its name in [`DURATIONS`] (`30d`, `1y`), else as
/// [`LinearDurations`] would write it in its own unit.
pub(crate) fn duration_tick(hours: f64) -> String {
    DURATIONS
        .iter()
        .find(|(listed, _, _)| (listed - hours).abs() <= 1e-9 * listed)
        .map(|(_, label, _)| (*label).to_string())
        .unwrap_or_else(|| LinearDurations::for_range(hours).label(hours))
}

/// A linear duration axis labelled in one unit throughout (`0h`, `2h`, `4h`… or `10m`, `20m`…),
/// the largest unit in which the axis's end is at least 2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinearDurations {
    /// Hours per unit.
    size: f64,
    /// The unit's suffix.
    suffix: &'static str,
}

impl LinearDurations {
    /// The unit for an axis whose largest value is `high` hours.
    pub(crate) fn for_range(high: f64) -> Self {
        let units = [
            (HOURS_PER_YEAR, "y"),
            (DAY, "d"),
            (1.0, "h"),
            (MINUTE, "m"),
            (SECOND, "s"),
            (0.001 * SECOND, "ms"),
        ];
        let (size, suffix) = units
            .iter()
            .copied()
            .find(|(size, _)| high.abs() >= 2.0 * size)
            .unwrap_or((0.001 * SECOND, "ms"));
        Self { size, suffix }
    }

    /// `hours` in the axis's unit, with up to 3 significant digits.
    pub(crate) fn label(self, hours: f64) -> String {
        format!(
            "{}{}",
            crate::format::compact(hours / self.size, 3),
            self.suffix
        )
    }
}

/// The ticks of a nines axis over [low, high] nines, at round availabilities: whole nines
/// (99.9 %, 99.99 %), the halves between them (99.95 %, 99.995 %: U = 5·10⁻ᵏ) when the axis
/// spans few enough nines, U = 2·10⁻ᵏ (99.98 %) and every digit for a narrower axis.
pub(crate) fn nines_key_points(low: f64, high: f64) -> Vec<f64> {
    if !(low.is_finite() && high.is_finite()) || high <= low {
        return Vec::new();
    }
    // U = m·10^-(k+1) sits at nines k + 1 − log₁₀ m.
    let ladders: [&[f64]; 4] = [
        &[1.0],
        &[1.0, 5.0],
        &[1.0, 2.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ];
    let first = low.floor() as i64 - 1;
    let last = high.ceil() as i64 + 1;
    let points_of = |mantissas: &[f64]| -> Vec<f64> {
        let mut points: Vec<f64> = (first..=last)
            .flat_map(|k| mantissas.iter().map(move |m| (k + 1) as f64 - m.log10()))
            .filter(|nines| (low..=high).contains(nines))
            .collect();
        points.sort_by(f64::total_cmp);
        points.dedup();
        points
    };
    // The finest ladder that gives between 2 and 6 ticks; a wide axis takes whole nines,
    // thinned; a tiny one takes every digit it can.
    for mantissas in ladders.iter().rev() {
        let points = points_of(mantissas);
        if (2..=6).contains(&points.len()) {
            return points;
        }
    }
    let whole = points_of(ladders[0]);
    if whole.len() > 6 {
        return thin(whole);
    }
    points_of(ladders[3])
}

/// `count` ticks evenly spaced on a logarithmic axis over [low, high], for an axis too
/// narrow for listed durations.
pub(crate) fn log_points(low: f64, high: f64, count: usize) -> Vec<f64> {
    let (a, b) = (low.ln(), high.ln());
    (0..count)
        .map(|i| (a + (b - a) * (i as f64 + 0.5) / count as f64).exp())
        .collect()
}

/// At most [`MOST_TICKS`] of `points`, keeping the first and every j-th.
fn thin(points: Vec<f64>) -> Vec<f64> {
    if points.len() <= MOST_TICKS {
        return points;
    }
    let step = points.len().div_ceil(MOST_TICKS);
    points.into_iter().step_by(step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::sweep::nines_tick;

    #[test]
    fn nines_ticks_are_round_availabilities() {
        // 3 to 5 nines: whole nines and the halves between them.
        let labels: Vec<String> = nines_key_points(2.9, 5.2)
            .into_iter()
            .map(nines_tick)
            .collect();
        assert_eq!(labels, ["99.9%", "99.95%", "99.99%", "99.995%", "99.999%"]);
        // A narrow axis: 99.98 % and the digits.
        let labels: Vec<String> = nines_key_points(3.6, 4.05)
            .into_iter()
            .map(nines_tick)
            .collect();
        assert!(labels.contains(&"99.98%".to_string()), "{labels:?}");
        assert!(labels.contains(&"99.99%".to_string()), "{labels:?}");
        // A wide axis: whole nines only, thinned.
        let points = nines_key_points(1.0, 30.0);
        assert!(points.len() <= MOST_TICKS && points.iter().all(|p| p.fract() == 0.0));
        // Every tick's label reads back as the value it stands for (no 99.99937 %).
        for nines in nines_key_points(2.0, 7.0) {
            let label = nines_tick(nines);
            let percent: f64 = label.trim_end_matches('%').parse().unwrap();
            let u = (100.0 - percent) / 100.0;
            assert!((-u.log10() - nines).abs() < 1e-9, "{label} for {nines}");
        }
    }

    #[test]
    fn duration_ticks_are_durations_people_say() {
        // 30 s to 3 days: the coarse ladder.
        let labels: Vec<String> = duration_key_points(30.0 * SECOND, 3.0 * DAY)
            .into_iter()
            .map(duration_tick)
            .collect();
        assert_eq!(labels, ["1m", "10m", "1h", "6h", "1d"]);
        // 10 to 1000 days (an MTBF axis): 30d, 1y and what lies between.
        let labels: Vec<String> = duration_key_points(240.0, 24_000.0)
            .into_iter()
            .map(duration_tick)
            .collect();
        assert!(
            labels.iter().all(|l| !l.contains('.')) && labels.contains(&"1y".into()),
            "{labels:?}"
        );
        // Too narrow for two listed durations: the axis keeps its own ticks.
        assert!(duration_key_points(1.1, 1.2).is_empty());
    }

    #[test]
    fn a_linear_duration_axis_uses_one_unit() {
        let axis = LinearDurations::for_range(8.0);
        let labels: Vec<String> = [0.0, 2.0, 4.5, 8.0].map(|h| axis.label(h)).to_vec();
        assert_eq!(labels, ["0h", "2h", "4.5h", "8h"]);
        let axis = LinearDurations::for_range(0.06 / 3600.0);
        assert_eq!(axis.label(0.006 / 3600.0), "6ms");
        assert_eq!(LinearDurations::for_range(100.0).label(96.0), "4d");
    }
}
