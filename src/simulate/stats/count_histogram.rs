//! [`CountHistogram`]: the distribution of a per-run count (outages per run).

use super::log_histogram::{LogHistogram, quantile_rank};
use serde::{Deserialize, Serialize};

/// Values below this are counted exactly by a [`CountHistogram`]; larger ones go to a
/// [`LogHistogram`] tail.
///
/// 2^16 keeps the dense table at most 512 kB per histogram even for a pathological model,
/// which matters with a histogram per block per thread.
pub const COUNT_HISTOGRAM_DENSE_LIMIT: u64 = 1 << 16;

/// The distribution of a non-negative integer per run, such as outages per run, mergeable
/// exactly.
///
/// Values below [`COUNT_HISTOGRAM_DENSE_LIMIT`] are counted exactly in a table that grows to
/// the largest value seen. Larger values go to a [`LogHistogram`] tail, whose quantiles are
/// within ±0.58 %. The maximum and the total are kept exactly. Serialized sparsely, as
/// `[[value, count], ...]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CountHistogramData", into = "CountHistogramData")]
pub struct CountHistogram {
    count: u64,
    total: u64,
    max: Option<u64>,
    /// `dense[v]` runs had value v; the length is one more than the largest dense value seen.
    dense: Vec<u64>,
    tail: LogHistogram,
}

impl CountHistogram {
    /// An empty histogram.
    pub const fn new() -> Self {
        Self {
            count: 0,
            total: 0,
            max: None,
            dense: Vec::new(),
            tail: LogHistogram::new(),
        }
    }

    /// Records one run's value.
    ///
    /// # Panics
    ///
    /// When the total of all values recorded exceeds `u64::MAX`.
    #[inline]
    pub fn record(&mut self, value: u64) {
        self.count += 1;
        self.total = self
            .total
            .checked_add(value)
            .expect("CountHistogram total overflows u64");
        self.max = Some(self.max.map_or(value, |max| max.max(value)));
        if value < COUNT_HISTOGRAM_DENSE_LIMIT {
            let index = value as usize;
            if index >= self.dense.len() {
                self.dense.resize(index + 1, 0);
            }
            self.dense[index] += 1;
        } else {
            self.tail.record(value as f64);
        }
    }

    /// Adds the runs recorded in `other`.
    ///
    /// # Panics
    ///
    /// When the combined total exceeds `u64::MAX`.
    pub fn merge(&mut self, other: &CountHistogram) {
        self.count += other.count;
        self.total = self
            .total
            .checked_add(other.total)
            .expect("CountHistogram total overflows u64");
        self.max = self.max.max(other.max);
        if other.dense.len() > self.dense.len() {
            self.dense.resize(other.dense.len(), 0);
        }
        for (mine, &theirs) in self.dense.iter_mut().zip(&other.dense) {
            *mine += theirs;
        }
        self.tail.merge(&other.tail);
    }

    /// Number of runs recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum of all values recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The mean value per run; `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.total as f64 / self.count as f64)
    }

    /// The largest value recorded; `None` when empty.
    pub fn max(&self) -> Option<u64> {
        self.max
    }

    /// The fraction of runs whose value was 0; `None` when empty.
    pub fn fraction_zero(&self) -> Option<f64> {
        (self.count > 0)
            .then(|| self.dense.first().copied().unwrap_or(0) as f64 / self.count as f64)
    }

    /// The q-quantile: the value of rank ⌈q·n⌉ (at least 1) among the n runs; `None` when
    /// empty.
    ///
    /// Exact below [`COUNT_HISTOGRAM_DENSE_LIMIT`] and for the maximum; in the tail it is the
    /// nearest integer to a [`LogHistogram`] quantile, within ±0.58 %.
    ///
    /// # Panics
    ///
    /// When `q` is not in [0, 1].
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let rank = quantile_rank(q, self.count);
        let max = self.max?;
        if rank == self.count {
            return Some(max);
        }
        let mut seen = 0;
        for (value, &count) in self.dense.iter().enumerate() {
            seen += count;
            if rank <= seen {
                return Some(value as u64);
            }
        }
        let tail_value = self.tail.value_at_rank(rank - seen).round() as u64;
        Some(tail_value.clamp(COUNT_HISTOGRAM_DENSE_LIMIT, max))
    }
}

/// The serialized form of a [`CountHistogram`]: sparse counts, checked when read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountHistogramData {
    count: u64,
    total: u64,
    max: Option<u64>,
    /// (value, count) for values below the dense limit with a non-zero count, increasing.
    counts: Vec<(u64, u64)>,
    #[serde(default, skip_serializing_if = "is_empty_log_histogram")]
    tail: LogHistogram,
}

fn is_empty_log_histogram(histogram: &LogHistogram) -> bool {
    histogram.count() == 0
}

impl From<CountHistogram> for CountHistogramData {
    fn from(histogram: CountHistogram) -> Self {
        let counts = histogram
            .dense
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .map(|(value, &count)| (value as u64, count))
            .collect();
        Self {
            count: histogram.count,
            total: histogram.total,
            max: histogram.max,
            counts,
            tail: histogram.tail,
        }
    }
}

impl TryFrom<CountHistogramData> for CountHistogram {
    type Error = String;

    fn try_from(data: CountHistogramData) -> Result<Self, Self::Error> {
        let mut dense = Vec::new();
        let mut previous = None;
        for &(value, count) in &data.counts {
            if value >= COUNT_HISTOGRAM_DENSE_LIMIT
                || previous.is_some_and(|p| p >= value)
                || count == 0
            {
                return Err(format!(
                    "count histogram entries must be increasing values below {COUNT_HISTOGRAM_DENSE_LIMIT} with positive counts, got [{value}, {count}]"
                ));
            }
            previous = Some(value);
            dense.resize(value as usize + 1, 0);
            dense[value as usize] = count;
        }
        let counted = data
            .counts
            .iter()
            .try_fold(data.tail.count(), |total, &(_, count)| {
                total.checked_add(count)
            });
        let consistent = counted == Some(data.count)
            && data.max.is_some() == (data.count > 0)
            && data.tail.zero_count() == 0
            && data
                .tail
                .min_positive()
                .is_none_or(|min| min >= COUNT_HISTOGRAM_DENSE_LIMIT as f64)
            && data.max.is_none_or(|max| {
                previous.is_none_or(|largest| largest <= max)
                    && data.tail.max().is_none_or(|tail| tail <= max as f64)
            });
        if !consistent {
            return Err("count histogram counts and maximum are inconsistent".to_owned());
        }
        Ok(Self {
            count: data.count,
            total: data.total,
            max: data.max,
            dense,
            tail: data.tail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::stats::test_support::*;

    #[test]
    fn count_histogram_quantiles_of_known_data() {
        let mut histogram = CountHistogram::new();
        (0..10).for_each(|value| histogram.record(value));
        assert_eq!(histogram.count(), 10);
        assert_eq!(histogram.total(), 45);
        assert_eq!(histogram.mean(), Some(4.5));
        assert_eq!(histogram.max(), Some(9));
        assert_eq!(histogram.fraction_zero(), Some(0.1));
        // Ranks ⌈q·10⌉: q = 0.5 → rank 5 → value 4; 0.95 → rank 10 → 9; 0 → rank 1 → 0.
        assert_eq!(histogram.quantile(0.5), Some(4));
        assert_eq!(histogram.quantile(0.95), Some(9));
        assert_eq!(histogram.quantile(0.0), Some(0));
        assert_eq!(histogram.quantile(0.1), Some(0));
        assert_eq!(histogram.quantile(0.11), Some(1));
        // In f64, 0.07·100 is 7.000000000000001: rank 7, not 8, thanks to snapping.
        let mut hundred = CountHistogram::new();
        (1..=100).for_each(|value| hundred.record(value));
        assert_eq!(hundred.quantile(0.07), Some(7));
        assert_eq!(hundred.quantile(0.57), Some(57));
        assert_eq!(hundred.fraction_zero(), Some(0.0));
        let empty = CountHistogram::new();
        assert_eq!(
            (empty.quantile(0.5), empty.fraction_zero(), empty.max()),
            (None, None, None)
        );
    }

    #[test]
    fn count_histogram_tail_is_approximate_but_max_is_exact() {
        let mut histogram = CountHistogram::new();
        for value in [0, 70_000, 80_000, 1_000_000_007] {
            histogram.record(value);
        }
        assert_eq!(histogram.max(), Some(1_000_000_007));
        assert_eq!(histogram.total(), 1_000_150_007);
        assert_eq!(histogram.quantile(0.25), Some(0));
        let second = histogram.quantile(0.5).unwrap() as f64;
        assert_close(second, 70_000.0, 0.0058, "rank 2");
        let third = histogram.quantile(0.75).unwrap() as f64;
        assert_close(third, 80_000.0, 0.0058, "rank 3");
        assert_eq!(histogram.quantile(1.0), Some(1_000_000_007));
        assert_eq!(
            histogram.dense.len(),
            1,
            "the dense table stops at the largest small value"
        );
    }

    #[test]
    fn merged_count_histograms_equal_sequential_ones_and_round_trip() {
        let mut rng = SplitMix(31);
        let mut sequential = CountHistogram::new();
        let mut parts = [CountHistogram::new(), CountHistogram::new()];
        for index in 0..3000 {
            let value = if index % 100 == 0 {
                100_000 + rng.next_u64() % 1_000_000
            } else {
                rng.next_u64() % 40
            };
            sequential.record(value);
            parts[index % 2].record(value);
        }
        let [first, second] = parts;
        let mut merged = second.clone();
        merged.merge(&first);
        assert_eq!(merged, sequential);
        let json = serde_json::to_string(&sequential).unwrap();
        assert!(json.contains("\"counts\":[[0,"), "{json}");
        let back: CountHistogram = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sequential);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let bad = r#"{"count":5,"total":0,"max":0,"counts":[[0,4]]}"#;
        assert!(serde_json::from_str::<CountHistogram>(bad).is_err());
        let good = r#"{"count":4,"total":0,"max":0,"counts":[[0,4]]}"#;
        assert_eq!(
            serde_json::from_str::<CountHistogram>(good)
                .unwrap()
                .fraction_zero(),
            Some(1.0)
        );
    }
}
