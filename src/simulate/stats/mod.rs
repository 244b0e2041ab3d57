//! Mergeable, order-independent statistics for Monte Carlo replications.
//!
//! A simulation must give bit-for-bit the same answer whatever the number of threads, and when
//! its runs are split into shards that are saved and merged later in any order. Floating-point
//! addition is not associative, so nothing here adds floats in run order: counts are integers,
//! and sums of `f64` go into an [`ExactSum`], a fixed-point integer wide enough for every
//! finite `f64`. Merging is then integer addition, which is associative and commutative, and
//! rounding happens once, when a result is read.
//!
//! - [`ExactSum`]: the exact sum of `f64` values, read back correctly rounded.
//! - [`Moments`]: mean, between-run variance and a Student-t confidence interval.
//! - [`RatioMoments`]: a ratio of sums (MTTR = Σ downtime / Σ outages) with a delta-method
//!   interval.
//! - [`LogHistogram`]: quantiles of non-negative values to about ±0.58 %.
//! - [`CountHistogram`]: the distribution of a per-run count (outages per run).
//! - [`wilson`], [`poisson_interval`] and, inside the module, the normal and Student-t
//!   quantiles: interval helpers.
//!
//! Interval helpers take a two-sided confidence `level` in (0, 1), such as 0.95, and panic
//! outside it: a level is a constant chosen by the program, not user data.

mod count_histogram;
mod exact_sum;
mod intervals;
mod log_histogram;
mod moments;
mod ratio_moments;
#[cfg(test)]
mod test_support;
mod wide_integer;

pub use count_histogram::CountHistogram;
pub use exact_sum::ExactSum;
pub use intervals::{poisson_interval, wilson};
pub use log_histogram::LogHistogram;
pub use moments::Moments;
pub use ratio_moments::RatioMoments;
