//! Exact big-integer arithmetic for reading statistics out of exact sums.
//!
//! Used only when a statistic is read (a variance, a covariance), never per run.

use super::exact_sum::{ExactSum, FRACTION_BITS, UNIT_EXPONENT};
use std::cmp::Ordering;
use std::fmt::Write as _;

/// A sign–magnitude integer of any size, used only when a statistic is read, never per run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Wide {
    negative: bool,
    /// Least significant limb first, no high zero limbs; empty for zero (never negative).
    pub(super) magnitude: Vec<u64>,
}

impl Wide {
    /// A number from its sign and limbs (least significant first), normalised.
    pub(super) fn from_magnitude(negative: bool, mut magnitude: Vec<u64>) -> Self {
        while magnitude.last() == Some(&0) {
            magnitude.pop();
        }
        let negative = negative && !magnitude.is_empty();
        Self {
            negative,
            magnitude,
        }
    }

    /// The integer whose value times 2^-1074 is the finite sum.
    pub(super) fn from_sum(sum: &ExactSum) -> Self {
        let (negative, magnitude) = sum.sign_and_magnitude();
        Self::from_magnitude(negative, magnitude.to_vec())
    }

    /// A non-negative number from hexadecimal digits (no sign or prefix); `None` on any
    /// other character.
    pub(super) fn from_hex(digits: &str) -> Option<Self> {
        let bytes = digits.as_bytes();
        let mut magnitude = Vec::with_capacity(bytes.len() / 16 + 1);
        for chunk in bytes.rchunks(16) {
            let chunk = std::str::from_utf8(chunk).ok()?;
            if !chunk.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                return None;
            }
            magnitude.push(u64::from_str_radix(chunk, 16).ok()?);
        }
        Some(Self::from_magnitude(false, magnitude))
    }

    /// The magnitude in lowercase hexadecimal, without leading zeros ("0" for zero).
    pub(super) fn to_hex(&self) -> String {
        let mut limbs = self.magnitude.iter().rev();
        let mut text = match limbs.next() {
            Some(top) => format!("{top:x}"),
            None => return "0".to_owned(),
        };
        for limb in limbs {
            // Writing to a String cannot fail.
            let _ = write!(text, "{limb:016x}");
        }
        text
    }

    /// Whether the number is 0.
    pub(super) fn is_zero(&self) -> bool {
        self.magnitude.is_empty()
    }

    /// Bits of the magnitude, up to its highest set bit (0 for zero).
    pub(super) fn bit_length(&self) -> u64 {
        match self.magnitude.last() {
            Some(top) => self.magnitude.len() as u64 * 64 - u64::from(top.leading_zeros()),
            None => 0,
        }
    }

    /// Zero bits below the lowest set bit of the magnitude (0 for zero).
    pub(super) fn trailing_zeros(&self) -> u64 {
        let zero_limbs = self.magnitude.iter().take_while(|&&limb| limb == 0).count();
        match self.magnitude.get(zero_limbs) {
            Some(limb) => zero_limbs as u64 * 64 + u64::from(limb.trailing_zeros()),
            None => 0,
        }
    }

    /// The number times 2^`bits`.
    pub(super) fn shift_left(&self, bits: u64) -> Self {
        let (limbs, offset) = ((bits / 64) as usize, (bits % 64) as u32);
        let mut magnitude = vec![0; limbs];
        magnitude.reserve(self.magnitude.len() + 1);
        let mut spill = 0;
        for &limb in &self.magnitude {
            if offset == 0 {
                magnitude.push(limb);
            } else {
                magnitude.push((limb << offset) | spill);
                spill = limb >> (64 - offset);
            }
        }
        magnitude.push(spill);
        Self::from_magnitude(self.negative, magnitude)
    }

    /// Shifts right, discarding the bits shifted out.
    pub(super) fn shift_right(&self, bits: u64) -> Self {
        let (limbs, offset) = ((bits / 64) as usize, (bits % 64) as u32);
        let source = self.magnitude.get(limbs..).unwrap_or(&[]);
        let magnitude = (0..source.len())
            .map(|index| {
                let high = source.get(index + 1).copied().unwrap_or(0);
                if offset == 0 {
                    source[index]
                } else {
                    (source[index] >> offset) | (high << (64 - offset))
                }
            })
            .collect();
        Self::from_magnitude(self.negative, magnitude)
    }

    /// The exact product.
    pub(super) fn multiply(&self, other: &Self) -> Self {
        if self.is_zero() || other.is_zero() {
            return Self::from_magnitude(false, Vec::new());
        }
        let mut product = vec![0u64; self.magnitude.len() + other.magnitude.len()];
        for (i, &a) in self.magnitude.iter().enumerate() {
            let mut carry = 0u128;
            for (j, &b) in other.magnitude.iter().enumerate() {
                let term = u128::from(a) * u128::from(b) + u128::from(product[i + j]) + carry;
                product[i + j] = term as u64;
                carry = term >> 64;
            }
            product[i + other.magnitude.len()] = carry as u64;
        }
        Self::from_magnitude(self.negative != other.negative, product)
    }

    fn multiply_small(&self, factor: u64) -> Self {
        self.multiply(&Self::from_magnitude(false, vec![factor]))
    }

    fn negated(mut self) -> Self {
        self.negative = !self.negative && !self.is_zero();
        self
    }

    /// The exact sum.
    pub(super) fn add(&self, other: &Self) -> Self {
        if self.negative == other.negative {
            let magnitude = add_magnitudes(&self.magnitude, &other.magnitude);
            return Self::from_magnitude(self.negative, magnitude);
        }
        match compare_magnitudes(&self.magnitude, &other.magnitude) {
            Ordering::Less => Self::from_magnitude(
                other.negative,
                subtract_magnitudes(&other.magnitude, &self.magnitude),
            ),
            _ => Self::from_magnitude(
                self.negative,
                subtract_magnitudes(&self.magnitude, &other.magnitude),
            ),
        }
    }

    /// The exact difference `self − other`.
    pub(super) fn subtract(&self, other: &Self) -> Self {
        self.add(&other.clone().negated())
    }

    /// `(m, e)` with the value equal to m·2^e, m in ±[1, 2] correctly rounded; `None` for zero.
    pub(super) fn normalized(&self) -> Option<(f64, i64)> {
        let top = self.bit_length().checked_sub(1)? as i64;
        let mantissa = round_magnitude(&self.magnitude, -top);
        Some((if self.negative { -mantissa } else { mantissa }, top))
    }
}

fn add_magnitudes(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut sum = Vec::with_capacity(long.len() + 1);
    let mut carry = false;
    for (index, &limb) in long.iter().enumerate() {
        let (partial, overflow_a) = limb.overflowing_add(short.get(index).copied().unwrap_or(0));
        let (partial, overflow_b) = partial.overflowing_add(u64::from(carry));
        sum.push(partial);
        carry = overflow_a | overflow_b;
    }
    sum.push(u64::from(carry));
    sum
}

/// `a − b` for `a ≥ b`.
fn subtract_magnitudes(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut difference = Vec::with_capacity(a.len());
    let mut borrow = false;
    for (index, &limb) in a.iter().enumerate() {
        let (partial, borrow_a) = limb.overflowing_sub(b.get(index).copied().unwrap_or(0));
        let (partial, borrow_b) = partial.overflowing_sub(u64::from(borrow));
        difference.push(partial);
        borrow = borrow_a | borrow_b;
    }
    debug_assert!(!borrow, "subtract_magnitudes needs a ≥ b");
    difference
}

/// Compares trimmed magnitudes.
fn compare_magnitudes(a: &[u64], b: &[u64]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

/// `count` (≤ 64) bits of `limbs` starting at bit `start`.
fn extract_bits(limbs: &[u64], start: u64, count: u64) -> u64 {
    let index = (start / 64) as usize;
    let low = limbs.get(index).copied().unwrap_or(0);
    let high = limbs.get(index + 1).copied().unwrap_or(0);
    let window = (u128::from(high) << 64 | u128::from(low)) >> (start % 64);
    (window & ((1u128 << count) - 1)) as u64
}

/// Whether any bit of `limbs` below bit `end` is set.
fn any_bit_below(limbs: &[u64], end: u64) -> bool {
    let full = (end / 64) as usize;
    let partial_mask = (1u64 << (end % 64)) - 1;
    limbs[..full.min(limbs.len())].iter().any(|&limb| limb != 0)
        || limbs
            .get(full)
            .is_some_and(|&limb| limb & partial_mask != 0)
}

/// The non-negative integer `limbs` times 2^`unit_exponent`, correctly rounded to `f64`
/// (to nearest, ties to even, with gradual underflow and overflow to +∞).
///
/// The integer's top bit is bit t. A normal result keeps bits t−52..=t; a subnormal one keeps
/// the bits weighing at least 2^-1074. The kept bits form the significand m ≤ 2^53 after
/// rounding with the next bit and a sticky OR of the rest, and the result is m·2^k with
/// k ≥ −1074. Its IEEE bit pattern is ((k + 1074) << 52) + m: for a normalised m the hidden
/// bit 2^52 adds one to the biased exponent, and a rounded-up m = 2^53 carries into it.
pub(super) fn round_magnitude(limbs: &[u64], unit_exponent: i64) -> f64 {
    let Some(top) = limbs
        .iter()
        .rposition(|&limb| limb != 0)
        .map(|index| index as i64 * 64 + 63 - i64::from(limbs[index].leading_zeros()))
    else {
        return 0.0;
    };
    let lowest_kept = (top - 52).max(UNIT_EXPONENT - unit_exponent);
    let significand = if lowest_kept <= 0 {
        // Every bit is kept: the integer is below 2^53 and is shifted up to its place.
        extract_bits(limbs, 0, (top + 1) as u64) << (-lowest_kept) as u32
    } else {
        let lowest_kept = lowest_kept as u64;
        let kept = extract_bits(limbs, lowest_kept, (top + 1) as u64 - lowest_kept);
        let round_bit = extract_bits(limbs, lowest_kept - 1, 1) == 1;
        let sticky = any_bit_below(limbs, lowest_kept - 1);
        kept + u64::from(round_bit && (sticky || kept & 1 == 1))
    };
    if significand == 0 {
        return 0.0;
    }
    let exponent = lowest_kept + unit_exponent;
    let bits = (((exponent - UNIT_EXPONENT) as u128) << FRACTION_BITS) + u128::from(significand);
    if bits >= u128::from(f64::INFINITY.to_bits()) {
        return f64::INFINITY;
    }
    f64::from_bits(bits as u64)
}

/// x·2^exponent, with a single rounding unless the result is subnormal.
pub(super) fn scale_by_power_of_two(mut x: f64, mut exponent: i64) -> f64 {
    let power = |e: i64| f64::from_bits(((e + 1023) as u64) << FRACTION_BITS);
    while exponent > 1000 && x.is_finite() && x != 0.0 {
        x *= power(1000);
        exponent -= 1000;
    }
    while exponent < -1000 && x.is_finite() && x != 0.0 {
        x *= power(-1000);
        exponent += 1000;
    }
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    x * power(exponent.clamp(-1000, 1000))
}

/// n·Σab − Σa·Σb exactly, in units of 2^-2148 (the square of an [`ExactSum`] unit).
///
/// Divided by n(n − 1) this is the unbiased sample covariance of a and b; with a = b, the
/// variance. Computing it exactly avoids the catastrophic cancellation of the textbook
/// formula when the mean is large against the spread.
pub(super) fn centered_cross_product(
    count: u64,
    sum_a: &ExactSum,
    sum_b: &ExactSum,
    sum_ab: &ExactSum,
) -> Wide {
    let scaled = Wide::from_sum(sum_ab)
        .multiply_small(count)
        .shift_left(UNIT_EXPONENT.unsigned_abs());
    scaled.subtract(&Wide::from_sum(sum_a).multiply(&Wide::from_sum(sum_b)))
}
