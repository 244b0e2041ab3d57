//! The limits the loader enforces, each with why it is where it is.

use crate::model::units::HOURS_PER_YEAR;

/// Most member references one block may hold; beyond it the algebra would run for minutes.
pub const MAX_MEMBERS: u64 = 10_000_000;

/// Most instances one family (`instances`, or the count a placement rule gives) expands to:
/// each is a component or block of its own, so this bounds the model's size.
pub const MAX_INSTANCES: u64 = 100_000;

/// Largest k-of-n over different members (its algebra costs n² per distinct member, so up to
/// n³ when every member differs).
pub const MAX_MIXED_K_OF_N: u64 = 1_000;

/// Largest failure or repair rate, per hour (a mean time of 3.6e-297 s). Sums of a few
/// thousand such rates, as the chains form, stay inside f64's range of 1.8e308.
pub const MAX_RATE: f64 = 1e300;

/// Deepest nesting of blocks the solvers accept (they recurse once per level).
pub const MAX_NESTING: usize = 1_000;

/// The SLA window, in hours, that simulation uses when `[target]` gives no `window`: 30 days.
pub const DEFAULT_WINDOW_HOURS: f64 = 30.0 * 24.0;

/// Longest `[target] window`, in hours: 10 years. Contractual SLA windows are a month, a
/// quarter, a year or a multi-year contract; a longer window only multiplies simulation time.
pub const MAX_WINDOW_HOURS: f64 = 10.0 * HOURS_PER_YEAR;

/// Allowed Weibull shapes k. Below 0.05 the variance is more than 10¹¹ times the squared mean
/// (Γ(1 + 2/k)/Γ(1 + 1/k)² − 1 = C(40, 20) − 1 at k = 0.05); above 100 the spread is under
/// 1.3 % of the mean (≈ 1.28/k), a fixed time in all but name.
pub const WEIBULL_SHAPE_RANGE: (f64, f64) = (0.05, 100.0);

/// Allowed gamma shapes k. Below 0.01 most draws are under 10⁻¹⁰ of the mean, which rests on
/// rare huge draws; above 10⁶ the spread is under 0.1 % of the mean (1/√k).
pub const GAMMA_SHAPE_RANGE: (f64, f64) = (0.01, 1e6);

/// Largest log-normal σ: at σ = 10 the variance is already e¹⁰⁰ − 1 ≈ 10⁴³ times the squared
/// mean (e^σ² − 1).
pub const MAX_LOGNORMAL_SIGMA: f64 = 10.0;
