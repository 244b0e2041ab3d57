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
//! - [`wilson`], [`poisson_interval`], [`poisson_upper`], [`normal_quantile`], [`t_quantile`]:
//!   interval helpers.
//!
//! Interval helpers take a two-sided confidence `level` in (0, 1), such as 0.95, and panic
//! outside it: a level is a constant chosen by the program, not user data.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

// ---------------------------------------------------------------------------------------------
// ExactSum
// ---------------------------------------------------------------------------------------------

/// Number of 64-bit limbs in an [`ExactSum`].
///
/// A finite `f64` is m·2^(p − 1074) with m < 2^53 and 0 ≤ p ≤ 2045, so its bits lie in
/// positions 0..2098 of an integer counted in units of 2^-1074. Adding 2^64 of them needs 64
/// more bits, and a two's-complement sign one more: 2163 bits, which fit in 34 limbs (2176).
const LIMBS: usize = 34;

/// The weight of bit 0 of an [`ExactSum`]: 2^-1074, the smallest positive subnormal `f64`.
const UNIT_EXPONENT: i64 = -1074;

/// Largest magnitude, in bits, a parsed [`ExactSum`] may have: all limbs but the sign bit.
const MAX_MAGNITUDE_BITS: u64 = LIMBS as u64 * 64 - 1;

const FRACTION_BITS: u32 = 52;
const FRACTION_MASK: u64 = (1 << FRACTION_BITS) - 1;
const EXPONENT_MASK: u64 = 0x7ff;

/// An infinite or NaN term, which absorbs every finite term as IEEE addition does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
enum NonFinite {
    #[default]
    None,
    PositiveInfinity,
    NegativeInfinity,
    NotANumber,
}

impl NonFinite {
    /// The class of a sum containing terms of both classes: +∞ + −∞ and anything + NaN are NaN.
    fn combine(self, other: Self) -> Self {
        match (self, other) {
            (Self::None, class) | (class, Self::None) => class,
            (a, b) if a == b => a,
            _ => Self::NotANumber,
        }
    }
}

/// The exact sum of any number of `f64` values, independent of the order they were added in.
///
/// The state is a 2176-bit two's-complement integer counting units of 2^-1074 (34 limbs),
/// so every finite `f64`, positive or negative, is added without rounding, and 2^64 of the
/// largest ones cannot overflow. [`ExactSum::add`] shifts the 53-bit significand into at most
/// two limbs and propagates the carry; [`ExactSum::merge`] adds two integers. Both are
/// associative and commutative, so equal multisets of terms give equal states, bit for bit.
///
/// [`ExactSum::value`] rounds the exact sum once, to nearest with ties to even: it is the
/// correctly rounded sum, as `math.fsum` gives in Python. A sum beyond `f64::MAX` reads as ±∞.
///
/// Infinite and NaN terms follow IEEE addition: a sum with a +∞ term is +∞, with both +∞ and
/// −∞ or any NaN it is NaN, whatever the finite terms. Negative zero adds nothing, and an
/// empty or cancelling sum reads as +0.
///
/// It serializes as a compact string (see the [`fmt::Display`] impl) that round-trips exactly.
///
/// ```
/// # use nines::simulate::stats::ExactSum;
/// let mut sum = ExactSum::new();
/// for x in [1e300, 1.0, -1e300] {
///     sum.add(x);
/// }
/// assert_eq!(sum.value(), 1.0); // naive left-to-right addition gives 0
/// assert_eq!(sum.to_string(), "1p0");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ExactSum {
    /// Two's complement, least significant limb first, bit 0 weighing 2^-1074. All zero when
    /// `non_finite` is set, so that equal sums have equal states.
    limbs: [u64; LIMBS],
    non_finite: NonFinite,
}

impl Default for ExactSum {
    fn default() -> Self {
        Self::new()
    }
}

impl ExactSum {
    /// An empty sum, whose value is 0.
    pub const fn new() -> Self {
        Self {
            limbs: [0; LIMBS],
            non_finite: NonFinite::None,
        }
    }

    /// Adds `x` exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let biased_exponent = (bits >> FRACTION_BITS) & EXPONENT_MASK;
        if biased_exponent == EXPONENT_MASK {
            self.absorb(if x.is_nan() {
                NonFinite::NotANumber
            } else if x > 0.0 {
                NonFinite::PositiveInfinity
            } else {
                NonFinite::NegativeInfinity
            });
            return;
        }
        let fraction = bits & FRACTION_MASK;
        // x = significand · 2^(position − 1074): subnormals have position 0 and no hidden bit.
        let (significand, position) = if biased_exponent == 0 {
            (fraction, 0)
        } else {
            (fraction | (1 << FRACTION_BITS), biased_exponent - 1)
        };
        if significand == 0 || self.non_finite != NonFinite::None {
            return;
        }
        let limb = (position / 64) as usize;
        let wide = u128::from(significand) << (position % 64);
        let (low, high) = (wide as u64, (wide >> 64) as u64);
        if bits >> 63 == 0 {
            self.add_at(limb, low, high);
        } else {
            self.subtract_at(limb, low, high);
        }
    }

    /// Adds the product `a·b` exactly (unless the product underflows below 2^-969, where its
    /// rounding error, under 2^-1022 relative to the smallest normal, is itself rounded).
    ///
    /// A fused multiply-add recovers the rounding error e = a·b − fl(a·b) exactly, and both
    /// fl(a·b) and e are added. This is what makes [`Moments::variance`] free of cancellation.
    #[inline]
    pub fn add_product(&mut self, a: f64, b: f64) {
        let product = a * b;
        self.add(product);
        if product.is_finite() {
            self.add(a.mul_add(b, -product));
        }
    }

    /// Adds every term of `other` to `self`, exactly.
    pub fn merge(&mut self, other: &ExactSum) {
        if self.non_finite != NonFinite::None || other.non_finite != NonFinite::None {
            self.absorb(other.non_finite);
            return;
        }
        let mut carry = false;
        for (limb, &addend) in self.limbs.iter_mut().zip(&other.limbs) {
            let (sum, overflow_a) = limb.overflowing_add(addend);
            let (sum, overflow_b) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = overflow_a | overflow_b;
        }
    }

    /// The sum, correctly rounded to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        match self.non_finite {
            NonFinite::None => {}
            NonFinite::PositiveInfinity => return f64::INFINITY,
            NonFinite::NegativeInfinity => return f64::NEG_INFINITY,
            NonFinite::NotANumber => return f64::NAN,
        }
        let (negative, magnitude) = self.sign_and_magnitude();
        let value = round_magnitude(&magnitude, UNIT_EXPONENT);
        if negative { -value } else { value }
    }

    /// Whether the sum is exactly zero (no terms, or terms that cancel).
    pub fn is_zero(&self) -> bool {
        self.non_finite == NonFinite::None && self.limbs.iter().all(|&limb| limb == 0)
    }

    /// Whether the sum is finite: no infinite or NaN term was added.
    pub fn is_finite(&self) -> bool {
        self.non_finite == NonFinite::None
    }

    fn absorb(&mut self, class: NonFinite) {
        self.non_finite = self.non_finite.combine(class);
        self.limbs = [0; LIMBS];
    }

    #[inline]
    fn add_at(&mut self, limb: usize, low: u64, high: u64) {
        let (sum, carry_low) = self.limbs[limb].overflowing_add(low);
        self.limbs[limb] = sum;
        let (sum, carry_a) = self.limbs[limb + 1].overflowing_add(high);
        let (sum, carry_b) = sum.overflowing_add(u64::from(carry_low));
        self.limbs[limb + 1] = sum;
        let mut carry = carry_a | carry_b;
        let mut index = limb + 2;
        // Wrapping past the top limb is two's-complement arithmetic, not overflow.
        while carry && index < LIMBS {
            (self.limbs[index], carry) = self.limbs[index].overflowing_add(1);
            index += 1;
        }
    }

    #[inline]
    fn subtract_at(&mut self, limb: usize, low: u64, high: u64) {
        let (difference, borrow_low) = self.limbs[limb].overflowing_sub(low);
        self.limbs[limb] = difference;
        let (difference, borrow_a) = self.limbs[limb + 1].overflowing_sub(high);
        let (difference, borrow_b) = difference.overflowing_sub(u64::from(borrow_low));
        self.limbs[limb + 1] = difference;
        let mut borrow = borrow_a | borrow_b;
        let mut index = limb + 2;
        while borrow && index < LIMBS {
            (self.limbs[index], borrow) = self.limbs[index].overflowing_sub(1);
            index += 1;
        }
    }

    fn sign_and_magnitude(&self) -> (bool, [u64; LIMBS]) {
        let negative = self.limbs[LIMBS - 1] >> 63 == 1;
        let mut magnitude = self.limbs;
        if negative {
            negate_in_place(&mut magnitude);
        }
        (negative, magnitude)
    }
}

/// Two's-complement negation: invert and add one.
fn negate_in_place(limbs: &mut [u64]) {
    let mut carry = true;
    for limb in limbs {
        (*limb, carry) = (!*limb).overflowing_add(u64::from(carry));
    }
}

/// Formats the exact sum as `0`, `inf`, `-inf`, `nan`, or `[-]HEXpEXP`: an odd hexadecimal
/// integer times a power of two, so 3.0 is `3p0`, −0.75 is `-3p-2`, 2^-1074 is `1p-1074`.
impl fmt::Display for ExactSum {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.non_finite {
            NonFinite::None => {}
            NonFinite::PositiveInfinity => return formatter.write_str("inf"),
            NonFinite::NegativeInfinity => return formatter.write_str("-inf"),
            NonFinite::NotANumber => return formatter.write_str("nan"),
        }
        let (negative, magnitude) = self.sign_and_magnitude();
        let magnitude = Wide::from_magnitude(false, magnitude.to_vec());
        if magnitude.is_zero() {
            return formatter.write_str("0");
        }
        let shift = magnitude.trailing_zeros();
        let odd = magnitude.shift_right(shift);
        let sign = if negative { "-" } else { "" };
        let exponent = shift as i64 + UNIT_EXPONENT;
        write!(formatter, "{sign}{}p{exponent}", odd.to_hex())
    }
}

impl fmt::Debug for ExactSum {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "ExactSum({self} ≈ {:e})", self.value())
    }
}

/// A string that is not an exact sum written by [`ExactSum`]'s `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid exact sum '{text}': {reason}")]
pub struct ParseExactSumError {
    text: String,
    reason: &'static str,
}

/// Parses the `Display` form. Any hexadecimal integer is accepted, odd or not, as long as the
/// value is a multiple of 2^-1074 and below 2^1101.
impl FromStr for ExactSum {
    type Err = ParseExactSumError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason| ParseExactSumError {
            text: text.chars().take(80).collect(),
            reason,
        };
        let mut sum = Self::new();
        match text {
            "0" => return Ok(sum),
            "inf" => sum.non_finite = NonFinite::PositiveInfinity,
            "-inf" => sum.non_finite = NonFinite::NegativeInfinity,
            "nan" => sum.non_finite = NonFinite::NotANumber,
            _ => {
                let (negative, unsigned) = match text.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, text),
                };
                let (digits, exponent) = unsigned
                    .split_once('p')
                    .ok_or_else(|| error("expected HEXpEXPONENT"))?;
                let exponent: i64 = exponent
                    .parse()
                    .map_err(|_| error("the exponent is not an integer"))?;
                if digits.is_empty() || digits.len() > 600 {
                    return Err(error("expected 1 to 600 hexadecimal digits"));
                }
                let magnitude =
                    Wide::from_hex(digits).ok_or_else(|| error("invalid hexadecimal digit"))?;
                if magnitude.is_zero() {
                    return Ok(sum);
                }
                let zeros = magnitude.trailing_zeros();
                let lowest_bit = exponent
                    .checked_add(zeros as i64)
                    .and_then(|lowest| lowest.checked_sub(UNIT_EXPONENT))
                    .filter(|&lowest| lowest >= 0)
                    .ok_or_else(|| error("not a multiple of 2^-1074"))?;
                let bits = magnitude.bit_length() - zeros;
                if lowest_bit as u64 + bits > MAX_MAGNITUDE_BITS {
                    return Err(error("too large"));
                }
                let placed = magnitude
                    .shift_right(zeros)
                    .shift_left(lowest_bit as u64)
                    .magnitude;
                sum.limbs[..placed.len()].copy_from_slice(&placed);
                if negative {
                    negate_in_place(&mut sum.limbs);
                }
            }
        }
        Ok(sum)
    }
}

impl Serialize for ExactSum {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Exact big-integer arithmetic for reading statistics out of exact sums
// ---------------------------------------------------------------------------------------------

/// A sign–magnitude integer of any size, used only when a statistic is read, never per run.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wide {
    negative: bool,
    /// Least significant limb first, no high zero limbs; empty for zero (never negative).
    magnitude: Vec<u64>,
}

impl Wide {
    fn from_magnitude(negative: bool, mut magnitude: Vec<u64>) -> Self {
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
    fn from_sum(sum: &ExactSum) -> Self {
        let (negative, magnitude) = sum.sign_and_magnitude();
        Self::from_magnitude(negative, magnitude.to_vec())
    }

    fn from_hex(digits: &str) -> Option<Self> {
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

    fn to_hex(&self) -> String {
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

    fn is_zero(&self) -> bool {
        self.magnitude.is_empty()
    }

    fn bit_length(&self) -> u64 {
        match self.magnitude.last() {
            Some(top) => self.magnitude.len() as u64 * 64 - u64::from(top.leading_zeros()),
            None => 0,
        }
    }

    fn trailing_zeros(&self) -> u64 {
        let zero_limbs = self.magnitude.iter().take_while(|&&limb| limb == 0).count();
        match self.magnitude.get(zero_limbs) {
            Some(limb) => zero_limbs as u64 * 64 + u64::from(limb.trailing_zeros()),
            None => 0,
        }
    }

    fn shift_left(&self, bits: u64) -> Self {
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
    fn shift_right(&self, bits: u64) -> Self {
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

    fn multiply(&self, other: &Self) -> Self {
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

    fn add(&self, other: &Self) -> Self {
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

    fn subtract(&self, other: &Self) -> Self {
        self.add(&other.clone().negated())
    }

    /// `(m, e)` with the value equal to m·2^e, m in ±[1, 2] correctly rounded; `None` for zero.
    fn normalized(&self) -> Option<(f64, i64)> {
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
fn round_magnitude(limbs: &[u64], unit_exponent: i64) -> f64 {
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
fn scale_by_power_of_two(mut x: f64, mut exponent: i64) -> f64 {
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
fn centered_cross_product(
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

// ---------------------------------------------------------------------------------------------
// Moments
// ---------------------------------------------------------------------------------------------

/// Mean, variance and confidence interval of one observation per run, mergeable exactly.
///
/// Keeps n, Σx and Σx² (each product x·x added exactly, see [`ExactSum::add_product`]). The
/// variance is read from n·Σx² − (Σx)², computed exactly in big-integer arithmetic and
/// rounded once, so it keeps full precision even when the mean dwarfs the spread.
///
/// # Formula
///
/// ```text
/// mean      x̄ = Σx / n
/// variance  s² = (n·Σx² − (Σx)²) / (n(n − 1))      (unbiased, between runs; ≥ 0)
/// interval  x̄ ± t · s/√n                          t = t_quantile(level, n − 1)
/// ```
///
/// where n is the number of runs and t the two-sided Student-t quantile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    count: u64,
    sum: ExactSum,
    sum_of_squares: ExactSum,
}

impl Moments {
    /// No observations.
    pub const fn new() -> Self {
        Self {
            count: 0,
            sum: ExactSum::new(),
            sum_of_squares: ExactSum::new(),
        }
    }

    /// Records the observation of one run.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum.add(x);
        self.sum_of_squares.add_product(x, x);
    }

    /// Adds the observations of `other`.
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum.merge(&other.sum);
        self.sum_of_squares.merge(&other.sum_of_squares);
    }

    /// Number of observations n.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Σx, correctly rounded.
    pub fn sum(&self) -> f64 {
        self.sum.value()
    }

    /// Σx², correctly rounded.
    pub fn sum_of_squares(&self) -> f64 {
        self.sum_of_squares.value()
    }

    /// The mean Σx/n; `None` without observations.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum.value() / self.count as f64)
    }

    /// The unbiased sample variance s² between runs; `None` below two observations.
    ///
    /// Accurate to a few ulps. With infinite or NaN observations, or squares beyond
    /// `f64::MAX`, it follows the textbook formula in `f64` and is infinite or NaN.
    pub fn variance(&self) -> Option<f64> {
        if self.count < 2 {
            return None;
        }
        let n = self.count as f64;
        if !self.sum.is_finite() || !self.sum_of_squares.is_finite() {
            let sum = self.sum.value();
            return Some((self.sum_of_squares.value() - sum * sum / n) / (n - 1.0));
        }
        let numerator =
            centered_cross_product(self.count, &self.sum, &self.sum, &self.sum_of_squares);
        Some(match numerator.normalized() {
            Some((mantissa, exponent)) if mantissa > 0.0 => {
                scale_by_power_of_two(mantissa / (n * (n - 1.0)), exponent + 2 * UNIT_EXPONENT)
            }
            // Zero, or a rounding error of underflowed squares.
            _ => 0.0,
        })
    }

    /// The sample standard deviation s; `None` below two observations.
    pub fn std_dev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }

    /// The standard error of the mean s/√n; `None` below two observations.
    pub fn std_error(&self) -> Option<f64> {
        self.variance()
            .map(|variance| (variance / self.count as f64).sqrt())
    }

    /// Half-width t·s/√n of the two-sided confidence interval for the mean at `level`.
    ///
    /// `None` below two observations.
    ///
    /// # Panics
    ///
    /// When `level` is not in (0, 1).
    pub fn half_width(&self, level: f64) -> Option<f64> {
        let standard_error = self.std_error()?;
        Some(t_quantile(level, self.count - 1) * standard_error)
    }

    /// Half-width of the 95 % confidence interval for the mean.
    pub fn half_width95(&self) -> Option<f64> {
        self.half_width(0.95)
    }

    /// Two-sided confidence interval (lo, hi) for the mean at `level`, using the Student-t
    /// quantile with n − 1 degrees of freedom (see [`t_quantile`]).
    ///
    /// `None` below two observations. It assumes the run means are roughly normal, which
    /// holds for many runs or observations that are themselves averages.
    ///
    /// # Panics
    ///
    /// When `level` is not in (0, 1).
    pub fn ci(&self, level: f64) -> Option<(f64, f64)> {
        let half_width = self.half_width(level)?;
        let mean = self.mean()?;
        Some((mean - half_width, mean + half_width))
    }

    /// The 95 % confidence interval for the mean.
    pub fn ci95(&self) -> Option<(f64, f64)> {
        self.ci(0.95)
    }
}

// ---------------------------------------------------------------------------------------------
// RatioMoments
// ---------------------------------------------------------------------------------------------

/// A ratio-of-sums estimator R = ΣX/ΣY over runs, such as MTTR = Σ downtime / Σ outages, with
/// a delta-method confidence interval, mergeable exactly.
///
/// Each run contributes a pair (X, Y); the runs are independent but X and Y within a run are
/// not. Keeps n, ΣX, ΣY, ΣX², ΣY², ΣXY, products added exactly.
///
/// # Formula
///
/// ```text
/// R = ΣX / ΣY = X̄ / Ȳ
/// Var(R) ≈ (s_X² − 2R·s_XY + R²·s_Y²) / (n·Ȳ²)
/// interval  R ± t · √Var(R)                       t = t_quantile(level, n − 1)
/// ```
///
/// Derivation (delta method): R = g(X̄, Ȳ) with g(a, b) = a/b has gradient (1/b, −a/b²), so
/// Var(R) ≈ (Var X̄ − 2R·Cov(X̄, Ȳ) + R²·Var Ȳ) / Ȳ², and Var X̄ = s_X²/n, Cov(X̄, Ȳ) = s_XY/n,
/// Var Ȳ = s_Y²/n. Equivalently the numerator is the sample variance of the residuals
/// dᵢ = Xᵢ − R·Yᵢ, which sum to zero. Multiplying out by (ΣY)²·(n − 1):
///
/// ```text
/// (ΣY)²·Σd² = ΣX²·(ΣY)² − 2·ΣX·ΣY·ΣXY + (ΣX)²·ΣY²  =: T ≥ 0
/// Var(R)    = T · n / ((ΣY)⁴ · (n − 1))
/// ```
///
/// T is computed exactly, so X proportional to Y gives a zero-width interval, not noise.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatioMoments {
    count: u64,
    sum_x: ExactSum,
    sum_y: ExactSum,
    sum_xx: ExactSum,
    sum_yy: ExactSum,
    sum_xy: ExactSum,
}

impl RatioMoments {
    /// No runs.
    pub const fn new() -> Self {
        Self {
            count: 0,
            sum_x: ExactSum::new(),
            sum_y: ExactSum::new(),
            sum_xx: ExactSum::new(),
            sum_yy: ExactSum::new(),
            sum_xy: ExactSum::new(),
        }
    }

    /// Records one run's numerator `x` (downtime) and denominator `y` (outages).
    #[inline]
    pub fn push(&mut self, x: f64, y: f64) {
        self.count += 1;
        self.sum_x.add(x);
        self.sum_y.add(y);
        self.sum_xx.add_product(x, x);
        self.sum_yy.add_product(y, y);
        self.sum_xy.add_product(x, y);
    }

    /// Adds the runs of `other`.
    pub fn merge(&mut self, other: &RatioMoments) {
        self.count += other.count;
        self.sum_x.merge(&other.sum_x);
        self.sum_y.merge(&other.sum_y);
        self.sum_xx.merge(&other.sum_xx);
        self.sum_yy.merge(&other.sum_yy);
        self.sum_xy.merge(&other.sum_xy);
    }

    /// Number of runs n.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// ΣX, correctly rounded.
    pub fn sum_x(&self) -> f64 {
        self.sum_x.value()
    }

    /// ΣY, correctly rounded.
    pub fn sum_y(&self) -> f64 {
        self.sum_y.value()
    }

    /// (ΣX², ΣY², ΣXY), each correctly rounded.
    pub fn sums_of_products(&self) -> (f64, f64, f64) {
        (
            self.sum_xx.value(),
            self.sum_yy.value(),
            self.sum_xy.value(),
        )
    }

    /// The ratio ΣX/ΣY; `None` when ΣY is exactly 0 (no outages at all).
    pub fn ratio(&self) -> Option<f64> {
        (!self.sum_y.is_zero()).then(|| self.sum_x.value() / self.sum_y.value())
    }

    /// The delta-method standard error √Var(R); `None` below two runs or when ΣY = 0.
    ///
    /// NaN when a value or a product of values was infinite or NaN.
    pub fn ratio_std_error(&self) -> Option<f64> {
        if self.count < 2 || self.sum_y.is_zero() {
            return None;
        }
        let n = self.count as f64;
        let sums = [
            &self.sum_x,
            &self.sum_y,
            &self.sum_xx,
            &self.sum_yy,
            &self.sum_xy,
        ];
        if sums.iter().any(|sum| !sum.is_finite()) {
            return Some(f64::NAN);
        }
        let [x, y, xx, yy, xy] = sums.map(Wide::from_sum);
        // T = ΣX²·(ΣY)² − 2·ΣX·ΣY·ΣXY + (ΣX)²·ΣY², in units of 2^(3·UNIT_EXPONENT).
        let t = xx
            .multiply(&y.multiply(&y))
            .subtract(&x.multiply(&y).multiply(&xy).shift_left(1))
            .add(&x.multiply(&x).multiply(&yy));
        let (Some((t_mantissa, t_exponent)), Some((y_mantissa, y_exponent))) =
            (t.normalized(), y.normalized())
        else {
            return Some(0.0);
        };
        if t_mantissa <= 0.0 {
            return Some(0.0);
        }
        // Var = T·n/((ΣY)⁴(n − 1)); T carries 3 units of 2^-1074 and (ΣY)⁴ four.
        let variance = scale_by_power_of_two(
            t_mantissa / y_mantissa.powi(4) * (n / (n - 1.0)),
            t_exponent - 4 * y_exponent - UNIT_EXPONENT,
        );
        Some(variance.sqrt())
    }

    /// Two-sided delta-method confidence interval (lo, hi) for the ratio at `level`.
    ///
    /// `None` below two runs or when ΣY = 0. Like [`Moments::ci`] it uses the Student-t
    /// quantile with n − 1 degrees of freedom, slightly wider than the normal one for few runs.
    ///
    /// # Panics
    ///
    /// When `level` is not in (0, 1).
    pub fn ratio_ci(&self, level: f64) -> Option<(f64, f64)> {
        let standard_error = self.ratio_std_error()?;
        let half_width = t_quantile(level, self.count - 1) * standard_error;
        let ratio = self.ratio()?;
        Some((ratio - half_width, ratio + half_width))
    }

    /// The 95 % delta-method confidence interval for the ratio.
    pub fn ratio_ci95(&self) -> Option<(f64, f64)> {
        self.ratio_ci(0.95)
    }
}

// ---------------------------------------------------------------------------------------------
// LogHistogram
// ---------------------------------------------------------------------------------------------

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
fn quantile_rank(q: f64, count: u64) -> u64 {
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
    fn value_at_rank(&self, rank: u64) -> f64 {
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

// ---------------------------------------------------------------------------------------------
// CountHistogram
// ---------------------------------------------------------------------------------------------

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
    histogram.count == 0
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
            .try_fold(data.tail.count, |total, &(_, count)| {
                total.checked_add(count)
            });
        let consistent = counted == Some(data.count)
            && data.max.is_some() == (data.count > 0)
            && data.tail.zeros == 0
            && data
                .tail
                .min_positive
                .is_none_or(|min| min >= COUNT_HISTOGRAM_DENSE_LIMIT as f64)
            && data.max.is_none_or(|max| {
                previous.is_none_or(|largest| largest <= max)
                    && data.tail.max.is_none_or(|tail| tail <= max as f64)
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

// ---------------------------------------------------------------------------------------------
// Interval helpers
// ---------------------------------------------------------------------------------------------

fn check_level(level: f64) {
    assert!(
        level > 0.0 && level < 1.0,
        "confidence level must be strictly between 0 and 1, got {level}"
    );
}

/// The two-sided standard normal quantile z with P(|Z| ≤ z) = `level`: 1.959964 for 0.95,
/// 2.575829 for 0.99, 3.290527 for 0.999.
///
/// # Formula
///
/// ```text
/// z = −Φ⁻¹((1 − level)/2)
/// ```
///
/// where Φ⁻¹ is the standard normal quantile (statrs), evaluated in the lower tail for accuracy.
///
/// # Panics
///
/// When `level` is not in (0, 1).
pub fn normal_quantile(level: f64) -> f64 {
    check_level(level);
    let standard = Normal::new(0.0, 1.0).expect("the standard normal is valid");
    -standard.inverse_cdf((1.0 - level) / 2.0)
}

/// Degrees of freedom above which [`t_quantile`] uses its asymptotic expansion: statrs inverts
/// the Student-t cdf accurately up to here, but loses digits from about 10⁵ on.
const T_EXPANSION_FROM: u64 = 1000;

/// The two-sided Student-t quantile t with P(|T| ≤ t) = `level` for ν = `degrees_of_freedom`:
/// 12.706 for ν = 1 at 0.95, 2.228 for ν = 10, tending to [`normal_quantile`] as ν grows.
///
/// # Formula
///
/// Up to ν = 1000, the statrs inverse cdf: t = −F⁻¹_ν((1 − level)/2). Above, the
/// Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5) about z = [`normal_quantile`]:
///
/// ```text
/// t ≈ z + g₁/ν + g₂/ν² + g₃/ν³ + g₄/ν⁴
/// g₁ = (z³ + z)/4
/// g₂ = (5z⁵ + 16z³ + 3z)/96
/// g₃ = (3z⁷ + 19z⁵ + 17z³ − 15z)/384
/// g₄ = (79z⁹ + 776z⁷ + 1482z⁵ − 1920z³ − 945z)/92160
/// ```
///
/// whose error at ν > 1000 is below 10⁻¹².
///
/// # Panics
///
/// When `level` is not in (0, 1) or `degrees_of_freedom` is 0.
pub fn t_quantile(level: f64, degrees_of_freedom: u64) -> f64 {
    check_level(level);
    assert!(
        degrees_of_freedom > 0,
        "the t distribution needs at least one degree of freedom"
    );
    if degrees_of_freedom <= T_EXPANSION_FROM {
        let t = StudentsT::new(0.0, 1.0, degrees_of_freedom as f64)
            .expect("positive degrees of freedom are valid");
        return -t.inverse_cdf((1.0 - level) / 2.0);
    }
    let z = normal_quantile(level);
    let nu = degrees_of_freedom as f64;
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / nu) / nu) / nu) / nu
}

/// The Wilson score interval (lo, hi) for a proportion, at two-sided `level`: good even for
/// 0 or all successes, where the normal ("Wald") interval collapses to a point.
///
/// # Formula
///
/// ```text
/// p̂ = s/n,  z = normal_quantile(level)
/// centre = (p̂ + z²/(2n)) / (1 + z²/n)
/// half   = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²))
/// (lo, hi) = (centre − half, centre + half)
/// ```
///
/// where s is `successes` and n is `trials`. With s = 0, lo = 0 and hi = z²/(n + z²). Without
/// trials it is (0, 1).
///
/// # Panics
///
/// When `level` is not in (0, 1) or `successes > trials`.
pub fn wilson(successes: u64, trials: u64, level: f64) -> (f64, f64) {
    check_level(level);
    assert!(
        successes <= trials,
        "wilson: {successes} successes out of {trials} trials"
    );
    if trials == 0 {
        return (0.0, 1.0);
    }
    let z = normal_quantile(level);
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2_over_n = z * z / n;
    let centre = (p + z2_over_n / 2.0) / (1.0 + z2_over_n);
    let half = z / (1.0 + z2_over_n) * (p * (1.0 - p) / n + z2_over_n / (4.0 * n)).sqrt();
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// The exact (Garwood) two-sided interval (lo, hi) for a Poisson rate at `level`, given
/// `count` events over `exposure` (in any time unit; the rate is per that unit).
///
/// # Formula
///
/// ```text
/// lo = χ²((1 − level)/2; 2k) / (2T)          (0 when k = 0)
/// hi = χ²((1 + level)/2; 2k + 2) / (2T)
/// ```
///
/// where k is `count`, T is `exposure` and χ²(p; ν) the chi-square quantile (statrs; for
/// ν = 2 the closed form −2·ln(1 − p)). With k = 0 at 95 %, hi = −ln(0.025)/T = 3.689/T.
///
/// # Panics
///
/// When `level` is not in (0, 1) or `exposure` is not positive and finite.
pub fn poisson_interval(count: u64, exposure: f64, level: f64) -> (f64, f64) {
    check_level(level);
    assert!(
        exposure > 0.0 && exposure.is_finite(),
        "poisson interval: exposure must be positive, got {exposure}"
    );
    let tail = (1.0 - level) / 2.0;
    let chi_squared = |p: f64, degrees_of_freedom: f64| {
        ChiSquared::new(degrees_of_freedom)
            .expect("positive degrees of freedom are valid")
            .inverse_cdf(p)
    };
    let low = if count == 0 {
        0.0
    } else {
        chi_squared(tail, 2.0 * count as f64) / (2.0 * exposure)
    };
    let high = if count == 0 {
        // χ²(1 − tail; 2) = −2·ln(tail), so hi = −ln(tail)/T.
        -tail.ln() / exposure
    } else {
        chi_squared(1.0 - tail, 2.0 * count as f64 + 2.0) / (2.0 * exposure)
    };
    (low, high)
}

/// The upper end of [`poisson_interval`]: the exact (Garwood) upper confidence bound for a
/// rate, the useful one when no events were seen.
///
/// It is the upper end of a two-sided interval: a one-sided bound at confidence c is
/// `poisson_upper(count, exposure, 2c − 1)` (for c = 0.95 and no events, 3.0/T, the "rule of
/// three").
///
/// # Panics
///
/// When `level` is not in (0, 1) or `exposure` is not positive and finite.
pub fn poisson_upper(count: u64, exposure: f64, level: f64) -> f64 {
    poisson_interval(count, exposure, level).1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a tiny deterministic generator, so tests need no RNG crate.
    struct SplitMix(u64);

    impl SplitMix {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// Uniform in (0, 1).
        fn uniform(&mut self) -> f64 {
            ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next_u64() % bound as u64) as usize
        }

        fn normal(&mut self) -> f64 {
            let (u, v) = (self.uniform(), self.uniform());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        }

        fn exponential(&mut self, mean: f64) -> f64 {
            -mean * self.uniform().ln()
        }

        fn shuffle<T>(&mut self, items: &mut [T]) {
            for index in (1..items.len()).rev() {
                items.swap(index, self.below(index + 1));
            }
        }
    }

    fn assert_close(actual: f64, expected: f64, relative: f64, what: &str) {
        let error = ((actual - expected) / expected).abs();
        assert!(
            error <= relative,
            "{what}: {actual} vs expected {expected} (relative error {error:e} > {relative:e})"
        );
    }

    /// 2^exponent exactly, from its bit pattern (normal or subnormal).
    fn power_of_two(exponent: i32) -> f64 {
        if exponent >= -1022 {
            f64::from_bits(((exponent + 1023) as u64) << 52)
        } else {
            f64::from_bits(1 << (exponent + 1074))
        }
    }

    fn exact_sum_of(values: &[f64]) -> ExactSum {
        let mut sum = ExactSum::new();
        for &x in values {
            sum.add(x);
        }
        sum
    }

    /// Shewchuk's algorithm with Python's final half-way correction (CPython `math_fsum`): the
    /// correctly rounded sum by a different method (error-free TwoSum partials), as a reference.
    fn fsum(values: &[f64]) -> f64 {
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
            && ((low < 0.0 && partials[index - 1] < 0.0)
                || (low > 0.0 && partials[index - 1] > 0.0))
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
    fn wide_range_values(seed: u64) -> Vec<f64> {
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

    #[test]
    fn sums_integers_and_powers_of_two_exactly() {
        // 1 + 2 + … + 1000 = 1000·1001/2 = 500500.
        let integers: Vec<f64> = (1..=1000).map(f64::from).collect();
        assert_eq!(exact_sum_of(&integers).value(), 500_500.0);
        // 2^-1074 + 2^-1073 + … + 2^1023 = 2^1024 − 2^-1074, far nearer 2^1024 than f64::MAX
        // (2^1024 − 2^971), so it rounds to 2^1024 and overflows to ∞. Without the largest
        // power it is 2^1023 − 2^-1074, which rounds to 2^1023.
        let powers: Vec<f64> = (-1074..=1023).map(power_of_two).collect();
        assert_eq!(exact_sum_of(&powers).value(), f64::INFINITY);
        assert_eq!(
            exact_sum_of(&powers[..powers.len() - 1]).value(),
            power_of_two(1023)
        );
        // Ten copies of the double nearest 0.1 (0.1000000000000000055511…) sum to
        // 1.000000000000000055511…, whose nearest double is 1.0; naive summation gives
        // 0.9999999999999999.
        assert_eq!(exact_sum_of(&[0.1; 10]).value(), 1.0);
    }

    #[test]
    fn cancels_large_terms_without_losing_small_ones() {
        assert_eq!(exact_sum_of(&[1e300, 1.0, -1e300]).value(), 1.0);
        assert_eq!(
            exact_sum_of(&[f64::MAX, f64::MAX, -f64::MAX]).value(),
            f64::MAX
        );
        assert_eq!(
            exact_sum_of(&[-f64::MAX, -f64::MAX]).value(),
            f64::NEG_INFINITY
        );
        assert_eq!(
            exact_sum_of(&[3.5, -3.5]).value().to_bits(),
            0.0f64.to_bits()
        );
        assert!(exact_sum_of(&[3.5, -3.5]).is_zero());
        assert_eq!(exact_sum_of(&[-0.0]).value().to_bits(), 0.0f64.to_bits());
        assert_eq!(exact_sum_of(&[-1.5, 0.25]).value(), -1.25);
    }

    #[test]
    fn rounds_to_nearest_with_ties_to_even() {
        let two_53 = power_of_two(53);
        // 2^53 + 1 lies halfway between 2^53 and 2^53 + 2: the even significand is 2^53.
        assert_eq!(exact_sum_of(&[two_53, 1.0]).value(), two_53);
        // 2^53 + 3 lies halfway between 2^53 + 2 (odd significand) and 2^53 + 4 (even).
        assert_eq!(exact_sum_of(&[two_53, 3.0]).value(), two_53 + 4.0);
        // Anything beyond the halfway point, however small, rounds up.
        assert_eq!(exact_sum_of(&[two_53, 1.0, 5e-324]).value(), two_53 + 2.0);
        assert_eq!(exact_sum_of(&[two_53, 1.0, -5e-324]).value(), two_53);
        assert_eq!(
            exact_sum_of(&[-two_53, -1.0, -5e-324]).value(),
            -two_53 - 2.0
        );
        // f64::MAX plus half its ulp (2^970) is a tie; MAX has an odd significand, so it
        // rounds up to 2^1024, which overflows to ∞. Just below the tie it stays MAX.
        let half_ulp = power_of_two(970);
        assert_eq!(exact_sum_of(&[f64::MAX, half_ulp]).value(), f64::INFINITY);
        assert_eq!(
            exact_sum_of(&[f64::MAX, half_ulp, -5e-324]).value(),
            f64::MAX
        );
    }

    #[test]
    fn sums_subnormals_exactly() {
        let tiny = f64::from_bits(1); // 2^-1074
        assert_eq!(exact_sum_of(&[tiny; 3]).value(), f64::from_bits(3));
        // The largest subnormal plus 2^-1074 is the smallest normal, 2^-1022.
        let largest_subnormal = f64::from_bits(FRACTION_MASK);
        assert_eq!(
            exact_sum_of(&[largest_subnormal, tiny]).value(),
            f64::MIN_POSITIVE
        );
        assert_eq!(
            exact_sum_of(&[f64::MIN_POSITIVE, -tiny]).value(),
            largest_subnormal
        );
    }

    #[test]
    fn non_finite_terms_follow_ieee_addition() {
        let inf = f64::INFINITY;
        assert_eq!(exact_sum_of(&[1.0, inf, 2.0]).value(), inf);
        assert_eq!(exact_sum_of(&[-inf, 1.0]).value(), -inf);
        assert!(exact_sum_of(&[inf, 1.0, -inf]).value().is_nan());
        assert!(exact_sum_of(&[f64::NAN, 1.0]).value().is_nan());
        // The state is canonical: the finite terms next to an infinity do not matter.
        assert_eq!(exact_sum_of(&[1.0, inf]), exact_sum_of(&[inf, 7.0]));
        let mut merged = exact_sum_of(&[inf]);
        merged.merge(&exact_sum_of(&[-inf, 3.0]));
        assert!(merged.value().is_nan());
        assert!(!merged.is_finite());
    }

    #[test]
    fn order_and_merge_tree_do_not_change_the_sum() {
        let values = wide_range_values(7);
        let reference = exact_sum_of(&values);
        let mut rng = SplitMix(99);
        for _ in 0..5 {
            let mut shuffled = values.clone();
            rng.shuffle(&mut shuffled);
            assert_eq!(exact_sum_of(&shuffled), reference, "shuffled order");
            // A random merge tree: split into chunks, sum each, merge the partial sums
            // pairwise in random order.
            let mut partials: Vec<ExactSum> = shuffled
                .chunks(1 + rng.below(700))
                .map(exact_sum_of)
                .collect();
            while partials.len() > 1 {
                let a = partials.swap_remove(rng.below(partials.len()));
                let index = rng.below(partials.len());
                partials[index].merge(&a);
            }
            assert_eq!(partials[0], reference, "merge tree");
            assert_eq!(partials[0].value().to_bits(), reference.value().to_bits());
        }
    }

    #[test]
    fn value_is_correctly_rounded_like_fsum() {
        // The reference fsum matches Python's math.fsum; on ten values it is easy to check by
        // hand: 1e100 + 1.0 − 1e100 + 1e-100 + … = 1.0 + 1e-100 rounds to 1.0.
        assert_eq!(fsum(&[1e100, 1.0, -1e100, 1e-100]), 1.0);
        for seed in 0..8 {
            let values = wide_range_values(seed);
            assert_eq!(
                exact_sum_of(&values).value().to_bits(),
                fsum(&values).to_bits(),
                "seed {seed}"
            );
            // Values of one magnitude band, where the sum has many significant bits below
            // the rounding point: ties and near-ties are likelier.
            let mut rng = SplitMix(seed + 100);
            let band: Vec<f64> = (0..10_000)
                .map(|_| (rng.uniform() - 0.3) * 2f64.powi(rng.below(60) as i32))
                .collect();
            assert_eq!(
                exact_sum_of(&band).value().to_bits(),
                fsum(&band).to_bits(),
                "band seed {seed}"
            );
            // Every value above 1e-100 cancelled by its negation, in shuffled order: the huge
            // terms force carries and borrows across all limbs, and only the tiny terms,
            // subnormals included, may remain.
            let small: Vec<f64> = values
                .iter()
                .copied()
                .filter(|x| x.abs() <= 1e-100)
                .collect();
            let mut cancelling: Vec<f64> = values
                .iter()
                .map(|x| -x)
                .filter(|x| x.abs() > 1e-100)
                .collect();
            cancelling.extend_from_slice(&values);
            rng.shuffle(&mut cancelling);
            let sum = exact_sum_of(&cancelling);
            assert_eq!(sum, exact_sum_of(&small), "cancelled seed {seed}");
            assert_eq!(
                sum.value().to_bits(),
                fsum(&small).to_bits(),
                "cancelled seed {seed}"
            );
            assert!(sum.value().abs() < 1e-99 && sum.value() != 0.0);
        }
    }

    #[test]
    fn serializes_as_a_compact_string_that_round_trips() {
        let cases = [
            (vec![], "0"),
            (vec![3.0], "3p0"),
            (vec![0.5], "1p-1"),
            (vec![-0.75], "-3p-2"),
            (vec![5e-324], "1p-1074"),
            (vec![f64::INFINITY], "inf"),
            (vec![-f64::INFINITY], "-inf"),
            (vec![f64::NAN], "nan"),
            // 2^1023 + 2^1023 = 2^1024: beyond f64, still exact.
            (vec![power_of_two(1023), power_of_two(1023)], "1p1024"),
        ];
        for (terms, text) in cases {
            let sum = exact_sum_of(&terms);
            assert_eq!(sum.to_string(), text);
            let json = serde_json::to_string(&sum).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            let back: ExactSum = serde_json::from_str(&json).unwrap();
            assert_eq!(back, sum, "{text}");
        }
        for seed in 0..3 {
            let sum = exact_sum_of(&wide_range_values(seed));
            let back: ExactSum =
                serde_json::from_str(&serde_json::to_string(&sum).unwrap()).unwrap();
            assert_eq!(back, sum);
            assert_eq!(back.value().to_bits(), sum.value().to_bits());
        }
        // Non-canonical but exact spellings parse to the same state.
        assert_eq!("6p-1".parse::<ExactSum>().unwrap(), exact_sum_of(&[3.0]));
        assert_eq!("-0p7".parse::<ExactSum>().unwrap(), ExactSum::new());
    }

    #[test]
    fn rejects_malformed_exact_sums() {
        for text in [
            "", "p1", "3", "3p", "3p1.5", "xyzp0", "1p-1075", "3p-1075", "1p1101", "+3p0", "--1p0",
        ] {
            assert!(
                text.parse::<ExactSum>().is_err(),
                "{text:?} should not parse"
            );
        }
        // 2^1100 is the largest power accepted (the magnitude must stay below 2^1101).
        assert!("1p1100".parse::<ExactSum>().is_ok());
        assert!(serde_json::from_str::<ExactSum>("3").is_err());
    }

    #[test]
    fn exact_products_recover_the_rounding_error() {
        // (1 + 2^-30)² = 1 + 2^-29 + 2^-60: the product rounds away 2^-60, the sum keeps it.
        let x = 1.0 + power_of_two(-30);
        let mut sum = ExactSum::new();
        sum.add_product(x, x);
        sum.add(-1.0);
        sum.add(-(power_of_two(-29)));
        assert_eq!(sum.value(), power_of_two(-60));
    }

    #[test]
    fn moments_of_one_to_four() {
        let mut moments = Moments::new();
        for x in [1.0, 2.0, 3.0, 4.0] {
            moments.push(x);
        }
        // Mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, so s² = 5/3.
        assert_eq!(moments.count(), 4);
        assert_eq!(moments.sum(), 10.0);
        assert_eq!(moments.mean(), Some(2.5));
        assert_close(moments.variance().unwrap(), 5.0 / 3.0, 1e-15, "variance");
        // t(0.975; 3) = 3.182446305284 (tables), s/√n = √(5/3)/2 = 0.645497224368, so the
        // half-width is 2.054260256761 and the interval (0.445739743239, 4.554260256761).
        assert_close(
            moments.half_width95().unwrap(),
            2.054_260_256_760_522,
            1e-12,
            "half-width",
        );
        let (low, high) = moments.ci95().unwrap();
        assert_close(low, 0.445_739_743_239_478, 1e-11, "low");
        assert_close(high, 4.554_260_256_760_522, 1e-12, "high");
        // At 99.9 %, t(0.9995; 3) = 12.923978636687 (tables).
        assert_close(
            moments.half_width(0.999).unwrap(),
            12.923_978_636_687_483 * 0.645_497_224_367_902_8,
            1e-10,
            "99.9 %",
        );
    }

    #[test]
    fn moments_need_enough_observations() {
        let mut moments = Moments::new();
        assert_eq!(moments.mean(), None);
        assert_eq!(moments.variance(), None);
        moments.push(7.0);
        assert_eq!(moments.mean(), Some(7.0));
        assert_eq!(moments.variance(), None);
        assert_eq!(moments.ci95(), None);
        moments.push(7.0);
        assert_eq!(moments.variance(), Some(0.0));
        assert_eq!(moments.ci95(), Some((7.0, 7.0)));
    }

    #[test]
    fn variance_keeps_precision_when_the_mean_dwarfs_the_spread() {
        // xᵢ = 10⁹ + i·2^-20 for i = 1..4, all exact doubles (the ulp of 10⁹ is 2^-23). The
        // spread is that of 1..4 scaled by 2^-20, so s² = (5/3)·2^-40. The textbook formula
        // in f64 loses all of it: Σx² ≈ 4·10¹⁸ has an ulp of 512.
        let mut moments = Moments::new();
        for i in 1..=4 {
            moments.push(1e9 + f64::from(i) * power_of_two(-20));
        }
        assert_close(
            moments.variance().unwrap(),
            5.0 / 3.0 * power_of_two(-40),
            1e-14,
            "variance",
        );
        // Tiny and huge scales both survive the exact numerator.
        for scale in [1e-150, 1e-100, 1e120, 1e150] {
            let mut moments = Moments::new();
            for i in 1..=4 {
                moments.push(f64::from(i) * scale);
            }
            assert_close(
                moments.variance().unwrap(),
                5.0 / 3.0 * scale * scale,
                1e-13,
                "scaled",
            );
        }
    }

    #[test]
    fn merged_moments_equal_sequential_ones() {
        let mut rng = SplitMix(3);
        let values: Vec<f64> = (0..1000).map(|_| rng.exponential(4.0)).collect();
        let mut sequential = Moments::new();
        values.iter().for_each(|&x| sequential.push(x));
        let mut parts = [Moments::new(), Moments::new(), Moments::new()];
        for (index, &x) in values.iter().enumerate() {
            parts[index % 3].push(x);
        }
        let mut merged = Moments::new();
        for part in parts.iter().rev() {
            merged.merge(part);
        }
        assert_eq!(merged, sequential);
        let json = serde_json::to_string(&merged).unwrap();
        let back: Moments = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sequential);
        assert_eq!(back.ci95(), sequential.ci95());
    }

    #[test]
    fn t_interval_covers_the_mean_at_its_level_for_few_runs() {
        // 10,000 samples of 5 standard normals: the 95 % t interval should cover 0 in 95 % of
        // them (±0.22 % standard error). A normal-quantile interval would cover only ≈ 87.8 %.
        let mut rng = SplitMix(11);
        let experiments = 10_000;
        let covered = (0..experiments)
            .filter(|_| {
                let mut moments = Moments::new();
                (0..5).for_each(|_| moments.push(rng.normal()));
                let (low, high) = moments.ci95().unwrap();
                low <= 0.0 && 0.0 <= high
            })
            .count();
        let coverage = covered as f64 / experiments as f64;
        assert!((0.94..=0.96).contains(&coverage), "coverage {coverage}");
    }

    #[test]
    fn ratio_of_a_worked_example() {
        // X = [2, 4, 6, 9], Y = [1, 2, 3, 4]: R = 21/10 = 2.1.
        // s_X² = 26.75/3, s_Y² = 5/3, s_XY = 11.5/3, so
        // s_X² − 2R·s_XY + R²·s_Y² = (26.75 − 48.3 + 22.05)/3 = 0.5/3 = 1/6
        // (equally, residuals X − 2.1·Y = [−0.1, −0.2, −0.3, 0.6] have Σd² = 0.5).
        // Var(R) = (1/6)/(n·Ȳ²) = (1/6)/(4·6.25) = 1/150; t(0.975; 3) = 3.182446305284, so the
        // half-width is 3.182446305284·√(1/150) = 0.259845652725.
        let mut ratio = RatioMoments::new();
        for (x, y) in [(2.0, 1.0), (4.0, 2.0), (6.0, 3.0), (9.0, 4.0)] {
            ratio.push(x, y);
        }
        assert_eq!(ratio.count(), 4);
        assert_eq!(ratio.sum_x(), 21.0);
        assert_eq!(ratio.sum_y(), 10.0);
        assert_eq!(ratio.ratio(), Some(2.1));
        assert_close(
            ratio.ratio_std_error().unwrap(),
            (1.0f64 / 150.0).sqrt(),
            1e-14,
            "standard error",
        );
        let (low, high) = ratio.ratio_ci95().unwrap();
        assert_close(
            high - 2.1,
            0.259_845_652_725_022_3,
            1e-12,
            "upper half-width",
        );
        assert_close(
            2.1 - low,
            0.259_845_652_725_022_3,
            1e-12,
            "lower half-width",
        );
    }

    #[test]
    fn proportional_ratio_has_a_zero_width_interval() {
        // X = 0.1·Y exactly in every run (0.1 is not a binary fraction, so products round):
        // the residuals are exactly zero only because T is computed exactly.
        let mut ratio = RatioMoments::new();
        for y in 1..=50 {
            let y = f64::from(y);
            ratio.push(y * 0.1, y);
        }
        let r = ratio.ratio().unwrap();
        assert_close(r, 0.1, 1e-15, "ratio");
        let se = ratio.ratio_std_error().unwrap();
        assert!(se < 1e-17, "standard error {se}");
    }

    #[test]
    fn ratio_is_undefined_without_outages() {
        let mut ratio = RatioMoments::new();
        ratio.push(0.0, 0.0);
        ratio.push(0.0, 0.0);
        assert_eq!(ratio.ratio(), None);
        assert_eq!(ratio.ratio_ci95(), None);
        ratio.push(3.0, 1.0);
        assert_eq!(ratio.ratio(), Some(3.0));
        let mut single = RatioMoments::new();
        single.push(3.0, 1.0);
        assert_eq!(single.ratio_ci95(), None);
    }

    #[test]
    fn merged_ratio_moments_equal_sequential_ones() {
        let mut rng = SplitMix(5);
        let mut sequential = RatioMoments::new();
        let mut parts = [RatioMoments::new(), RatioMoments::new()];
        for index in 0..500 {
            let outages = rng.below(4) as f64;
            let downtime = (0..outages as usize)
                .map(|_| rng.exponential(2.0))
                .sum::<f64>();
            sequential.push(downtime, outages);
            parts[index % 2].push(downtime, outages);
        }
        let [mut merged, other] = parts;
        merged.merge(&other);
        assert_eq!(merged, sequential);
        let back: RatioMoments =
            serde_json::from_str(&serde_json::to_string(&merged).unwrap()).unwrap();
        assert_eq!(back, sequential);
    }

    #[test]
    fn delta_method_interval_covers_the_true_ratio() {
        // Runs with 0..=3 outages, each lasting Exp(mean 2): the true MTTR is 2. With 200 runs
        // the 95 % delta-method interval should cover it about 95 % of the time; 2,000
        // experiments give a standard error of 0.5 %.
        let mut rng = SplitMix(17);
        let experiments = 2000;
        let covered = (0..experiments)
            .filter(|_| {
                let mut ratio = RatioMoments::new();
                for _ in 0..200 {
                    let outages = rng.below(4);
                    let downtime = (0..outages).map(|_| rng.exponential(2.0)).sum::<f64>();
                    ratio.push(downtime, outages as f64);
                }
                let (low, high) = ratio.ratio_ci95().unwrap();
                low <= 2.0 && 2.0 <= high
            })
            .count();
        let coverage = covered as f64 / experiments as f64;
        assert!((0.93..=0.965).contains(&coverage), "coverage {coverage}");
    }

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

    #[test]
    fn normal_quantiles_match_tables() {
        // Φ⁻¹(0.975), Φ⁻¹(0.995), Φ⁻¹(0.9995) to 16 digits (mpmath).
        assert_close(normal_quantile(0.95), 1.959_963_984_540_054, 1e-15, "95 %");
        assert_close(normal_quantile(0.99), 2.575_829_303_548_901, 1e-15, "99 %");
        assert_close(
            normal_quantile(0.999),
            3.290_526_731_491_895,
            1e-14,
            "99.9 %",
        );
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Two-sided 95 % and 99.9 % Student-t quantiles (mpmath, 16 digits).
        let table = [
            (1, 12.706_204_736_174_705, 636.619_248_768_719_6),
            (2, 4.302_652_729_749_464, 31.599_054_576_443_62),
            (3, 3.182_446_305_283_709_6, 12.923_978_636_687_483),
            (10, 2.228_138_851_986_275, 4.586_893_858_702_636),
            (30, 2.042_272_456_301_238, 3.645_958_635_042_022),
            (100, 1.983_971_518_523_552_3, 3.390_491_311_164_23),
            (1000, 1.962_339_080_826_408_5, 3.300_282_648_423_913),
            // Above 1000 degrees of freedom, the Cornish–Fisher expansion.
            (1001, 1.962_336_705_280_88, 3.300_272_876_066_009),
            (5000, 1.960_438_551_706_508, 3.292_473_723_370_851),
            (1_000_000, 1.959_966_356_814_107, 3.290_536_461_248_691),
        ];
        for (degrees, t95, t999) in table {
            assert_close(
                t_quantile(0.95, degrees),
                t95,
                1e-11,
                &format!("t 95 % ν = {degrees}"),
            );
            assert_close(
                t_quantile(0.999, degrees),
                t999,
                1e-11,
                &format!("t 99.9 % ν = {degrees}"),
            );
        }
        assert_close(
            t_quantile(0.95, u64::MAX),
            normal_quantile(0.95),
            1e-15,
            "ν → ∞",
        );
    }

    #[test]
    fn wilson_intervals_match_hand_calculations() {
        // 0/100 at 95 %: lo = 0, hi = z²/(n + z²) = 3.841459/103.841459 = 0.036993498207.
        let (low, high) = wilson(0, 100, 0.95);
        assert_eq!(low, 0.0);
        assert_close(high, 0.036_993_498_206_985_68, 1e-13, "0/100 upper");
        // 100/100 mirrors it.
        let (low, high) = wilson(100, 100, 0.95);
        assert_close(low, 1.0 - 0.036_993_498_206_985_68, 1e-14, "100/100 lower");
        assert_eq!(high, 1.0);
        // 50/100: centre 0.5, half = z/(1 + z²/100)·√(0.0025 + z²/40000) = 0.0961684696340.
        let (low, high) = wilson(50, 100, 0.95);
        assert_close(low, 0.403_831_530_365_995_6, 1e-13, "50/100 lower");
        assert_close(high, 0.596_168_469_634_004_4, 1e-13, "50/100 upper");
        // 3/1000 at 99.9 % (mpmath).
        let (low, high) = wilson(3, 1000, 0.999);
        assert_close(low, 0.000_553_221_274_018_205_2, 1e-11, "3/1000 lower");
        assert_close(high, 0.016_094_094_978_357_975, 1e-12, "3/1000 upper");
        assert_eq!(wilson(0, 0, 0.95), (0.0, 1.0));
    }

    #[test]
    fn poisson_intervals_match_chi_square_tables() {
        // No events in T = 1 at 95 %: hi = −ln(0.025) = 3.688879454114.
        assert_eq!(poisson_interval(0, 1.0, 0.95).0, 0.0);
        assert_close(
            poisson_upper(0, 1.0, 0.95),
            3.688_879_454_113_936,
            1e-15,
            "k = 0",
        );
        // One-sided 95 % (two-sided 90 %): −ln(0.05) = 2.995732, the rule of three.
        assert_close(
            poisson_upper(0, 2.0, 0.90),
            2.995_732_273_553_991 / 2.0,
            1e-15,
            "rule of three",
        );
        // k = 2, T = 10: lo = χ²(0.025; 4)/20 = 0.484418557088/20, hi = χ²(0.975; 6)/20 =
        // 14.449375335448/20 (mpmath).
        let (low, high) = poisson_interval(2, 10.0, 0.95);
        assert_close(low, 0.024_220_927_854_396_49, 1e-9, "k = 2 lower");
        assert_close(high, 0.722_468_766_772_396, 1e-9, "k = 2 upper");
        // k = 7, T = 3 at 99.9 %: χ²(0.0005; 14)/6 and χ²(0.9995; 16)/6 (mpmath).
        let (low, high) = poisson_interval(7, 3.0, 0.999);
        assert_close(low, 0.449_454_662_539_483_8, 1e-9, "k = 7 lower");
        assert_close(high, 6.884_678_952_856_219, 1e-9, "k = 7 upper");
    }

    #[test]
    #[should_panic(expected = "confidence level")]
    fn rejects_a_level_of_one() {
        normal_quantile(1.0);
    }
}
