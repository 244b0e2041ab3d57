//! [`ExactSum`]: the exact, order-independent sum of `f64` values, read back correctly rounded.

use super::wide_integer::{Wide, round_magnitude};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Number of 64-bit limbs in an [`ExactSum`].
///
/// A finite `f64` is m·2^(p − 1074) with m < 2^53 and 0 ≤ p ≤ 2045, so its bits lie in
/// positions 0..2098 of an integer counted in units of 2^-1074. Adding 2^64 of them needs 64
/// more bits, and a two's-complement sign one more: 2163 bits, which fit in 34 limbs (2176).
const LIMBS: usize = 34;

/// The weight of bit 0 of an [`ExactSum`]: 2^-1074, the smallest positive subnormal `f64`.
pub(super) const UNIT_EXPONENT: i64 = -1074;

/// Largest magnitude, in bits, a parsed [`ExactSum`] may have: all limbs but the sign bit.
const MAX_MAGNITUDE_BITS: u64 = LIMBS as u64 * 64 - 1;

/// Bits of an `f64`'s stored fraction (its significand without the implicit leading 1).
pub(super) const FRACTION_BITS: u32 = 52;
/// Selects an `f64`'s stored fraction bits.
pub(super) const FRACTION_MASK: u64 = (1 << FRACTION_BITS) - 1;
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
/// For example 1e300 + 1 − 1e300 reads back as 1 (naive left-to-right addition gives 0) and
/// serializes as `1p0` (unit tests below).
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
    /// fl(a·b) and e are added. This is what makes [`Moments::variance`](super::Moments::variance) free of cancellation.
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

    /// The sign (true when negative) and absolute value of the finite sum, as limbs.
    pub(super) fn sign_and_magnitude(&self) -> (bool, [u64; LIMBS]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_giants_leave_the_small_term() {
        let mut sum = ExactSum::new();
        for x in [1e300, 1.0, -1e300] {
            sum.add(x);
        }
        assert_eq!(sum.value(), 1.0); // naive left-to-right addition gives 0
        assert_eq!(sum.to_string(), "1p0");
    }
    use crate::simulate::stats::test_support::*;

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
}
