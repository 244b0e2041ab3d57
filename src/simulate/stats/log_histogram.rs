//! [`LogHistogram`]: quantiles of non-negative values to about ±0.58 %.

use serde::{Deserialize, Serialize};

/// Bins per factor of ten in a [`LogHistogram`].
pub const LOG_BINS_PER_DECADE: usize = 200;
/// The lowest bin edge of a [`LogHistogram`]; positive values below go to an underflow bin.
pub const LOG_HISTOGRAM_LOWEST: f64 = 1e-9;
/// The highest bin edge of a [`LogHistogram`]; values at or above go to an overflow bin.
pub const LOG_HISTOGRAM_HIGHEST: f64 = 1e12;

const LOG_DECADES: usize = 21;
const LOG_BIN_COUNT: usize = LOG_DECADES * LOG_BINS_PER_DECADE;

/// 10^(1/200), the ratio between neighbouring bin edges.
const LOG_BIN_RATIO: f64 = 1.011_579_454_259_898_5;

/// Bin edges: edge i is 10^(i/200 − 9), built from exact decade literals times powers of the
/// ratio using only IEEE multiplication, evaluated at compile time, so that every platform puts
/// a value in the same bin (a libm `log10` may differ between platforms in the last bit).
static LOG_BIN_EDGES: [f64; LOG_BIN_COUNT + 1] = log_bin_edges();

const fn log_bin_edges() -> [f64; LOG_BIN_COUNT + 1] {
    const DECADES: [f64; LOG_DECADES + 1] = [
        1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
        1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
    ];
    let mut steps = [1.0; LOG_BINS_PER_DECADE];
    let mut step = 1;
    while step < LOG_BINS_PER_DECADE {
        steps[step] = steps[step - 1] * LOG_BIN_RATIO;
        step += 1;
    }
    let mut edges = [0.0; LOG_BIN_COUNT + 1];
    let mut index = 0;
    while index < LOG_BIN_COUNT {
        edges[index] = DECADES[index / LOG_BINS_PER_DECADE] * steps[index % LOG_BINS_PER_DECADE];
        index += 1;
    }
    edges[LOG_BIN_COUNT] = DECADES[LOG_DECADES];
    edges
}

/// The bin i with edge i ≤ x < edge i+1, for x within the binned range.
fn log_bin_index(x: f64) -> usize {
    // A first guess from log10, off by at most one, then exact comparisons with the edges.
    let guess = ((x.log10() + 9.0) * LOG_BINS_PER_DECADE as f64) as usize;
    let mut index = guess.min(LOG_BIN_COUNT - 1);
    while x < LOG_BIN_EDGES[index] {
        index -= 1;
    }
    while x >= LOG_BIN_EDGES[index + 1] {
        index += 1;
    }
    index
}

/// The geometric midpoint of bin `index`: within a factor 10^(±1/400), ±0.58 %, of any value
/// in the bin.
fn log_bin_midpoint(index: usize) -> f64 {
    (LOG_BIN_EDGES[index] * LOG_BIN_EDGES[index + 1]).sqrt()
}

/// The 1-based rank ⌈q·n⌉ (at least 1) of the q-quantile among n values.
///
/// q·n is snapped to a nearby integer first, so that 0.07·100 = 7.000000000000001 gives
/// rank 7, not 8.
pub(super) fn quantile_rank(q: f64, count: u64) -> u64 {
    assert!(
        (0.0..=1.0).contains(&q),
        "quantile must be between 0 and 1, got {q}"
    );
    let position = q * count as f64;
    let nearest = position.round();
    let position = if (position - nearest).abs() <= 4.0 * f64::EPSILON * nearest {
        nearest
    } else {
        position
    };
    (position.ceil() as u64).clamp(1, count)
}

/// A mergeable histogram of non-negative values with log-spaced bins, for quantiles.
///
/// Zeros are counted exactly. Positive values fall into 4,200 bins, 200 per decade (each
/// 10^(1/200) ≈ 1.0116 times wider than the last) from 10^-9 to 10^12, or into an underflow
/// bin below and an overflow bin above. The smallest positive and the largest value are kept
/// exactly. Counts are integers, so merging is exact and order-independent.
///
/// [`LogHistogram::quantile`] answers with the geometric midpoint of a bin: within ±0.58 % of
/// the exact order statistic inside the binned range. Choose units (hours, say) so that the
/// values of interest fall well inside it.
///
/// The bins take 33.6 kB once a value lands in them; empty and zero-only histograms take no
/// heap. Serialized, only non-empty bins are listed, as `[[bin, count], ...]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LogHistogramData", into = "LogHistogramData")]
pub struct LogHistogram {
    count: u64,
    zeros: u64,
    underflow: u64,
    overflow: u64,
    /// Empty until a value lands in the binned range, then `LOG_BIN_COUNT` long.
    bins: Vec<u64>,
    min_positive: Option<f64>,
    max: Option<f64>,
}

impl LogHistogram {
    /// An empty histogram.
    pub const fn new() -> Self {
        Self {
            count: 0,
            zeros: 0,
            underflow: 0,
            overflow: 0,
            bins: Vec::new(),
            min_positive: None,
            max: None,
        }
    }

    /// Records one value.
    ///
    /// # Panics
    ///
    /// When `x` is negative, infinite or NaN.
    #[inline]
    pub fn record(&mut self, x: f64) {
        assert!(
            x.is_finite() && x >= 0.0,
            "LogHistogram records finite non-negative values, got {x}"
        );
        self.count += 1;
        if x == 0.0 {
            self.zeros += 1;
            self.max.get_or_insert(0.0);
            return;
        }
        self.max = Some(self.max.map_or(x, |max| max.max(x)));
        self.min_positive = Some(self.min_positive.map_or(x, |min| min.min(x)));
        if x < LOG_HISTOGRAM_LOWEST {
            self.underflow += 1;
        } else if x >= LOG_HISTOGRAM_HIGHEST {
            self.overflow += 1;
        } else {
            if self.bins.is_empty() {
                self.bins = vec![0; LOG_BIN_COUNT];
            }
            self.bins[log_bin_index(x)] += 1;
        }
    }

    /// Adds the values recorded in `other`.
    pub fn merge(&mut self, other: &LogHistogram) {
        self.count += other.count;
        self.zeros += other.zeros;
        self.underflow += other.underflow;
        self.overflow += other.overflow;
        if !other.bins.is_empty() {
            if self.bins.is_empty() {
                self.bins = vec![0; LOG_BIN_COUNT];
            }
            for (bin, &count) in self.bins.iter_mut().zip(&other.bins) {
                *bin += count;
            }
        }
        self.min_positive = option_combine(self.min_positive, other.min_positive, f64::min);
        self.max = option_combine(self.max, other.max, f64::max);
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of zeros recorded.
    pub fn zero_count(&self) -> u64 {
        self.zeros
    }

    /// The largest value recorded, exactly; `None` when empty.
    pub fn max(&self) -> Option<f64> {
        self.max
    }

    /// The smallest positive value recorded, exactly; `None` when no positive value was.
    pub fn min_positive(&self) -> Option<f64> {
        self.min_positive
    }

    /// The positive values grouped `per_decade` bins to a decade (a divisor of 200), as
    /// (lower edge, upper edge, count) for non-empty groups in increasing order, for drawing.
    /// Values below the binned range are counted in a group from the smallest positive value,
    /// values above it in one up to the largest.
    pub fn grouped_bins(&self, per_decade: usize) -> Vec<(f64, f64, u64)> {
        let step = (LOG_BINS_PER_DECADE / per_decade.clamp(1, LOG_BINS_PER_DECADE)).max(1);
        let mut groups = Vec::new();
        if let (true, Some(low)) = (self.underflow > 0, self.min_positive) {
            groups.push((low, LOG_BIN_EDGES[0].max(low), self.underflow));
        }
        for (chunk, counts) in self.bins.chunks(step).enumerate() {
            let count: u64 = counts.iter().sum();
            if count > 0 {
                let first = chunk * step;
                let last = (first + counts.len()).min(LOG_BIN_COUNT);
                groups.push((LOG_BIN_EDGES[first], LOG_BIN_EDGES[last], count));
            }
        }
        if let (true, Some(high)) = (self.overflow > 0, self.max) {
            groups.push((
                LOG_BIN_EDGES[LOG_BIN_COUNT],
                high.max(LOG_BIN_EDGES[LOG_BIN_COUNT]),
                self.overflow,
            ));
        }
        groups
    }

    /// The q-quantile: the value of rank ⌈q·n⌉ (at least 1) among the n recorded; `None` when
    /// empty.
    ///
    /// It is 0 when that rank falls among the zeros, and exact at the extremes: the minimum for
    /// rank 1 and the maximum for rank n. Otherwise it is the geometric midpoint of the bin
    /// holding the rank, clamped to [smallest positive, largest], within ±0.58 % of the exact
    /// value. A rank in the underflow bin gives the smallest positive value, in the overflow
    /// bin the largest.
    ///
    /// # Panics
    ///
    /// When `q` is not in [0, 1].
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        Some(self.value_at_rank(quantile_rank(q, self.count)))
    }

    /// The value of 1-based `rank`, for 1 ≤ rank ≤ count.
    pub(super) fn value_at_rank(&self, rank: u64) -> f64 {
        let (Some(min_positive), Some(max)) = (self.min_positive, self.max) else {
            return 0.0;
        };
        if rank <= self.zeros {
            return 0.0;
        }
        if rank == self.count {
            return max;
        }
        if rank == self.zeros + 1 {
            return min_positive;
        }
        let mut seen = self.zeros + self.underflow;
        if rank <= seen {
            return min_positive;
        }
        for (index, &count) in self.bins.iter().enumerate() {
            seen += count;
            if rank <= seen {
                return log_bin_midpoint(index).clamp(min_positive, max);
            }
        }
        max
    }
}

fn option_combine(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

/// The serialized form of a [`LogHistogram`]: sparse bins, checked when read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogHistogramData {
    count: u64,
    zeros: u64,
    underflow: u64,
    overflow: u64,
    min_positive: Option<f64>,
    max: Option<f64>,
    /// (bin index, count) for non-empty bins, in increasing bin order.
    bins: Vec<(u32, u64)>,
}

impl From<LogHistogram> for LogHistogramData {
    fn from(histogram: LogHistogram) -> Self {
        let bins = histogram
            .bins
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(index, &count)| (index as u32, count))
            .collect();
        Self {
            count: histogram.count,
            zeros: histogram.zeros,
            underflow: histogram.underflow,
            overflow: histogram.overflow,
            min_positive: histogram.min_positive,
            max: histogram.max,
            bins,
        }
    }
}

impl TryFrom<LogHistogramData> for LogHistogram {
    type Error = String;

    fn try_from(data: LogHistogramData) -> Result<Self, Self::Error> {
        let mut bins = Vec::new();
        let mut previous = None;
        for &(index, count) in &data.bins {
            if index as usize >= LOG_BIN_COUNT || previous.is_some_and(|p| p >= index) || count == 0
            {
                return Err(format!(
                    "log histogram bins must be increasing indices below {LOG_BIN_COUNT} with positive counts, got [{index}, {count}]"
                ));
            }
            previous = Some(index);
            bins.resize(LOG_BIN_COUNT, 0);
            bins[index as usize] = count;
        }
        let positive = data
            .bins
            .iter()
            .try_fold(data.underflow, |total, &(_, count)| {
                total.checked_add(count)
            })
            .and_then(|total| total.checked_add(data.overflow));
        let consistent = positive
            .and_then(|positive| positive.checked_add(data.zeros))
            .is_some_and(|total| total == data.count)
            && data.max.is_some() == (data.count > 0)
            && data.min_positive.is_some() == (positive != Some(0))
            && data
                .min_positive
                .is_none_or(|min| min > 0.0 && min.is_finite())
            && data.max.is_none_or(|max| max >= 0.0 && max.is_finite())
            && data
                .min_positive
                .is_none_or(|min| data.max.is_some_and(|max| min <= max));
        if !consistent {
            return Err("log histogram counts, minimum and maximum are inconsistent".to_owned());
        }
        Ok(Self {
            count: data.count,
            zeros: data.zeros,
            underflow: data.underflow,
            overflow: data.overflow,
            bins,
            min_positive: data.min_positive,
            max: data.max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::stats::test_support::*;

    #[test]
    fn log_bin_edges_are_powers_of_ten_to_the_two_hundredth() {
        assert_eq!(LOG_BIN_EDGES[0], LOG_HISTOGRAM_LOWEST);
        assert_eq!(LOG_BIN_EDGES[LOG_BIN_COUNT], LOG_HISTOGRAM_HIGHEST);
        for decade in 0..=LOG_DECADES {
            let expected = 10f64.powi(decade as i32 - 9);
            assert_close(
                LOG_BIN_EDGES[decade * LOG_BINS_PER_DECADE],
                expected,
                1e-15,
                "decade",
            );
        }
        for index in 0..LOG_BIN_COUNT {
            let ratio = LOG_BIN_EDGES[index + 1] / LOG_BIN_EDGES[index];
            // 10^(1/200) = 1.0115794542598985 (mpmath), up to ~200 roundings of 2^-53.
            assert_close(ratio, 1.011_579_454_259_898_5, 1e-13, "edge ratio");
        }
    }

    #[test]
    fn values_at_bin_edges_open_their_bin() {
        for index in 0..LOG_BIN_COUNT {
            let edge = LOG_BIN_EDGES[index];
            assert_eq!(log_bin_index(edge), index, "edge {index}");
            let next_below = f64::from_bits(LOG_BIN_EDGES[index + 1].to_bits() - 1);
            assert_eq!(
                log_bin_index(next_below),
                index,
                "just below edge {}",
                index + 1
            );
        }
    }

    #[test]
    fn log_histogram_quantiles_of_one_to_a_thousand() {
        let mut histogram = LogHistogram::new();
        for value in 1..=1000 {
            histogram.record(f64::from(value));
        }
        assert_eq!(histogram.count(), 1000);
        assert_eq!(histogram.max(), Some(1000.0));
        assert_eq!(histogram.min_positive(), Some(1.0));
        // Rank ⌈q·1000⌉ of 1..1000 is the value q·1000 itself.
        assert_eq!(histogram.quantile(0.0), Some(1.0));
        assert_eq!(histogram.quantile(1.0), Some(1000.0));
        for (q, expected) in [
            (0.5, 500.0),
            (0.9, 900.0),
            (0.99, 990.0),
            (0.999, 999.0),
            (0.07, 70.0),
            (0.123, 123.0),
        ] {
            let actual = histogram.quantile(q).unwrap();
            assert_close(actual, expected, 0.0058, &format!("quantile {q}"));
        }
        // At 1..3 the bins are narrower than the gaps, so clamping and exact ranks show.
        let mut small = LogHistogram::new();
        [1.0, 2.0, 3.0].iter().for_each(|&x| small.record(x));
        assert_eq!(small.quantile(0.0), Some(1.0));
        assert_close(
            small.quantile(0.5).unwrap(),
            2.0,
            0.0058,
            "median of 1, 2, 3",
        );
        assert_eq!(small.quantile(0.9), Some(3.0));
    }

    #[test]
    fn log_histogram_quantiles_of_random_data_are_within_resolution() {
        let mut rng = SplitMix(23);
        let mut values: Vec<f64> = (0..20_000)
            .map(|_| 10f64.powf(rng.uniform() * 12.0 - 6.0))
            .collect();
        let mut histogram = LogHistogram::new();
        values.iter().for_each(|&x| histogram.record(x));
        values.sort_by(f64::total_cmp);
        for q in [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999] {
            // q·n is an integer for these q.
            let rank = (q * values.len() as f64).round() as usize;
            let exact = values[rank - 1];
            // Half a bin is a factor 10^(1/400) = 1.005773.
            assert_close(
                histogram.quantile(q).unwrap(),
                exact,
                0.00578,
                &format!("q = {q}"),
            );
        }
    }

    #[test]
    fn log_histogram_counts_zeros_exactly() {
        let mut histogram = LogHistogram::new();
        (0..30).for_each(|_| histogram.record(0.0));
        (0..70).for_each(|_| histogram.record(5.0));
        assert_eq!(histogram.zero_count(), 30);
        assert_eq!(histogram.quantile(0.3), Some(0.0));
        // Rank 31 is the first 5.0; the bin midpoint is clamped to [5, 5].
        assert_eq!(histogram.quantile(0.31), Some(5.0));
        assert_eq!(histogram.quantile(0.6), Some(5.0));
        let mut zeros = LogHistogram::new();
        zeros.record(0.0);
        assert_eq!(zeros.quantile(1.0), Some(0.0));
        assert_eq!(zeros.max(), Some(0.0));
        assert_eq!(zeros.min_positive(), None);
        assert_eq!(LogHistogram::new().quantile(0.5), None);
    }

    #[test]
    fn log_histogram_keeps_out_of_range_extremes_exactly() {
        let mut histogram = LogHistogram::new();
        for x in [1e-12, 2e-11, 1.0, 3e14, 1e15] {
            histogram.record(x);
        }
        assert_eq!(histogram.quantile(0.0), Some(1e-12));
        assert_eq!(histogram.quantile(0.4), Some(1e-12)); // rank 2, in the underflow bin
        assert_close(histogram.quantile(0.6).unwrap(), 1.0, 0.0058, "in range");
        assert_eq!(histogram.quantile(0.8), Some(1e15)); // rank 4, in the overflow bin
        assert_eq!(histogram.quantile(1.0), Some(1e15));
    }

    #[test]
    fn merged_log_histograms_equal_sequential_ones_and_round_trip() {
        let mut rng = SplitMix(29);
        let values: Vec<f64> = (0..5000)
            .map(|index| match index % 50 {
                0 => 0.0,
                1 => 1e-10 * rng.uniform(),
                2 => 1e13 * (1.0 + rng.uniform()),
                _ => rng.exponential(3.0),
            })
            .collect();
        let mut sequential = LogHistogram::new();
        values.iter().for_each(|&x| sequential.record(x));
        let mut parts = [
            LogHistogram::new(),
            LogHistogram::new(),
            LogHistogram::new(),
        ];
        for &x in &values {
            let index = rng.below(3);
            parts[index].record(x);
        }
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            let mut merged = LogHistogram::new();
            order.iter().for_each(|&index| merged.merge(&parts[index]));
            assert_eq!(merged, sequential, "order {order:?}");
        }
        let json = serde_json::to_string(&sequential).unwrap();
        assert!(json.contains("\"bins\":[["), "sparse bins: {json}");
        let back: LogHistogram = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sequential);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let empty: LogHistogram =
            serde_json::from_str(&serde_json::to_string(&LogHistogram::new()).unwrap()).unwrap();
        assert_eq!(empty, LogHistogram::new());
    }

    #[test]
    fn log_histogram_rejects_inconsistent_data() {
        let good = r#"{"count":2,"zeros":1,"underflow":0,"overflow":0,"min_positive":1.0,"max":1.0,"bins":[[1800,1]]}"#;
        assert!(serde_json::from_str::<LogHistogram>(good).is_ok());
        for bad in [
            r#"{"count":3,"zeros":1,"underflow":0,"overflow":0,"min_positive":1.0,"max":1.0,"bins":[[1800,1]]}"#,
            r#"{"count":2,"zeros":1,"underflow":0,"overflow":0,"min_positive":1.0,"max":1.0,"bins":[[4200,1]]}"#,
            r#"{"count":2,"zeros":1,"underflow":0,"overflow":0,"min_positive":null,"max":1.0,"bins":[[1800,1]]}"#,
            r#"{"count":2,"zeros":0,"underflow":0,"overflow":0,"min_positive":1.0,"max":1.0,"bins":[[1800,1],[1800,1]]}"#,
        ] {
            assert!(serde_json::from_str::<LogHistogram>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    #[should_panic(expected = "finite non-negative")]
    fn log_histogram_rejects_negative_values() {
        LogHistogram::new().record(-1.0);
    }

    #[test]
    #[should_panic(expected = "finite non-negative")]
    fn log_histogram_rejects_nan() {
        LogHistogram::new().record(f64::NAN);
    }
}
