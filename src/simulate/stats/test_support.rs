//! Helpers shared by the statistics unit tests: a tiny seeded generator, a reference sum
//! and tolerances.

use super::exact_sum::{ExactSum, FRACTION_MASK};

/// SplitMix64: a tiny deterministic generator, so tests need no RNG crate.
pub(super) struct SplitMix(pub(super) u64);

impl SplitMix {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    pub(super) fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub(super) fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    pub(super) fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    pub(super) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            items.swap(index, self.below(index + 1));
        }
    }
}

pub(super) fn assert_close(actual: f64, expected: f64, relative: f64, what: &str) {
    let error = ((actual - expected) / expected).abs();
    assert!(
        error <= relative,
        "{what}: {actual} vs expected {expected} (relative error {error:e} > {relative:e})"
    );
}

/// 2^exponent exactly, from its bit pattern (normal or subnormal).
pub(super) fn power_of_two(exponent: i32) -> f64 {
    if exponent >= -1022 {
        f64::from_bits(((exponent + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (exponent + 1074))
    }
}

pub(super) fn exact_sum_of(values: &[f64]) -> ExactSum {
    let mut sum = ExactSum::new();
    for &x in values {
        sum.add(x);
    }
    sum
}

/// Shewchuk's algorithm with Python's final half-way correction (CPython `math_fsum`): the
/// correctly rounded sum by a different method (error-free TwoSum partials), as a reference.
pub(super) fn fsum(values: &[f64]) -> f64 {
    let mut partials: Vec<f64> = Vec::new();
    for &value in values {
        let mut x = value;
        let mut kept = 0;
        for index in 0..partials.len() {
            let mut y = partials[index];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let high = x + y;
            let low = y - (high - x);
            if low != 0.0 {
                partials[kept] = low;
                kept += 1;
            }
            x = high;
        }
        partials.truncate(kept);
        partials.push(x);
    }
    // Add the partials from the largest down until the sum becomes inexact, then correct a
    // half-way case using the sign of the next partial.
    let Some(mut index) = partials.len().checked_sub(1) else {
        return 0.0;
    };
    let mut high = partials[index];
    let mut low = 0.0;
    while index > 0 {
        index -= 1;
        let x = high;
        let y = partials[index];
        high = x + y;
        low = y - (high - x);
        if low != 0.0 {
            break;
        }
    }
    if index > 0
        && ((low < 0.0 && partials[index - 1] < 0.0) || (low > 0.0 && partials[index - 1] > 0.0))
    {
        let y = low * 2.0;
        let x = high + y;
        if y == x - high {
            high = x;
        }
    }
    high
}

/// 10,000 values spanning 1e-300..1e300 in magnitude, both signs, with subnormals.
pub(super) fn wide_range_values(seed: u64) -> Vec<f64> {
    let mut rng = SplitMix(seed);
    (0..10_000)
        .map(|index| {
            let sign = if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 };
            let magnitude = match index % 10 {
                // Subnormals: a random bit pattern with a zero exponent field.
                0 => f64::from_bits(rng.next_u64() & FRACTION_MASK),
                // Near-cancelling copies of big values.
                1 => 1e300 * (1.0 + rng.uniform()),
                _ => 10f64.powf(rng.uniform() * 600.0 - 300.0),
            };
            sign * magnitude
        })
        .collect()
}
