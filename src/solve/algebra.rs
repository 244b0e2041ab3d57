//! Exact probability algebra for independent members: series, parallel and k-of-n.
//!
//! Each gate maps its members' steady-state [`Measures`] to the block's. Availability and
//! unavailability are both carried and both computed as sums or products of positive terms, so
//! neither is ever obtained as `1 - x` of the other and tiny values keep full precision.
//!
//! # Formula
//! With independent members, the block's failure frequency is the sum over members of the
//! member's frequency times its Birnbaum importance (the probability that the rest of the block
//! is in a state where that member alone decides):
//! f = Σᵢ fᵢ · P(block up with i up, down with i down).
//! Series: U = 1 − Π Aᵢ, f = Σ fᵢ Π_{j≠i} Aⱼ. Parallel: U = Π Uᵢ, f = Σ fᵢ Π_{j≠i} Uⱼ.
//! k-of-n: U = P(more than n − k members down), f = Σ fᵢ P(exactly n − k of the others down).

use super::Measures;

/// A member's measures and how many independent copies of it the block holds.
pub type Group = (Measures, u64);

/// ln A computed accurately whether A is near 1 or near 0.
fn ln_availability(measures: &Measures) -> f64 {
    if measures.unavailability < 0.5 {
        (-measures.unavailability).ln_1p()
    } else {
        measures.availability.ln()
    }
}

/// ln U computed accurately whether U is near 1 or near 0.
fn ln_unavailability(measures: &Measures) -> f64 {
    if measures.availability < 0.5 {
        (-measures.availability).ln_1p()
    } else {
        measures.unavailability.ln()
    }
}

/// Block up only while every member is up.
pub fn series(groups: &[Group]) -> Measures {
    // A = Π Aᵢ; the block goes down when a member fails while all others are up.
    let (availability, unavailability, frequency) =
        product_gate(groups, ln_availability, |m| m.availability);
    Measures {
        unavailability,
        availability,
        frequency,
    }
}

/// Block up while at least one member is up.
pub fn parallel(groups: &[Group]) -> Measures {
    // U = Π Uᵢ; the block goes down when a member fails while all others are down.
    let (unavailability, availability, frequency) =
        product_gate(groups, ln_unavailability, |m| m.unavailability);
    Measures {
        unavailability,
        availability,
        frequency,
    }
}

/// Series and parallel are duals: one multiplies availabilities, the other unavailabilities.
/// Returns (P, 1 − P, f) for P = Π factorᵢ^countᵢ, with f = Σ countᵢ fᵢ P / factorᵢ.
fn product_gate(
    groups: &[Group],
    ln_factor: fn(&Measures) -> f64,
    factor: fn(&Measures) -> f64,
) -> (f64, f64, f64) {
    let groups: Vec<&Group> = groups.iter().filter(|(_, count)| *count > 0).collect();
    if groups.iter().any(|(m, _)| factor(m) == 0.0) {
        // A member that is never up (series) or never down (parallel) decides alone, and it
        // has no transitions, so neither has the block.
        return (0.0, 1.0, 0.0);
    }
    let total: f64 = groups.iter().map(|(m, c)| *c as f64 * ln_factor(m)).sum();
    let frequency = groups
        .iter()
        .map(|(m, c)| *c as f64 * m.frequency * (total - ln_factor(m)).exp())
        .sum();
    (total.exp(), -total.exp_m1(), frequency)
}

/// Block up while at least `k` of its members are up.
pub fn k_of_n(groups: &[Group], k: u64) -> Measures {
    let groups: Vec<Group> = groups
        .iter()
        .copied()
        .filter(|(_, count)| *count > 0)
        .collect();
    let n: u64 = groups.iter().map(|(_, c)| c).sum();
    if k == 0 {
        return Measures::ALWAYS_UP;
    }
    if k > n {
        return Measures::ALWAYS_DOWN;
    }
    if k == n {
        return series(&groups);
    }
    if k == 1 {
        return parallel(&groups);
    }
    if groups.len() == 1 {
        return identical_k_of_n(&groups[0].0, n, k);
    }
    heterogeneous_k_of_n(&groups, n, k)
}

/// k-of-n of identical independent members, by binomial sums of positive terms.
///
/// # Formula
/// With d = n − k + 1 down members needed for an outage and u, a the member's U and A:
/// U = Σ_{j=d}^{n} C(n,j) uʲ aⁿ⁻ʲ, A = Σ_{j=0}^{d−1} C(n,j) uʲ aⁿ⁻ʲ,
/// f = n · f₁ · C(n−1, d−1) u^{d−1} a^{k−1}.
fn identical_k_of_n(member: &Measures, n: u64, k: u64) -> Measures {
    if member.unavailability == 0.0 {
        return Measures::ALWAYS_UP;
    }
    if member.availability == 0.0 {
        return Measures::ALWAYS_DOWN;
    }
    let down_needed = n - k + 1;
    let ln_u = ln_unavailability(member);
    let ln_a = ln_availability(member);
    // ln of the binomial term with j members down.
    let ln_term_at = |j: u64| ln_binomial(n, j) + j as f64 * ln_u + (n - j) as f64 * ln_a;
    let ln_start = ln_term_at(down_needed);
    let unavailability = sum_terms(ln_start, down_needed, n, |j, ln| {
        ln + ((n - j) as f64 / (j + 1) as f64).ln() + ln_u - ln_a
    });
    let availability = if down_needed == 0 {
        0.0
    } else {
        let ln_below = ln_term_at(down_needed - 1);
        sum_terms_downward(ln_below, down_needed - 1, |j, ln| {
            // term(j-1) = term(j) · j / (n − j + 1) · a / u
            ln + (j as f64 / (n - j + 1) as f64).ln() + ln_a - ln_u
        })
    };
    let ln_critical = ln_binomial(n - 1, down_needed - 1)
        + (down_needed - 1) as f64 * ln_u
        + (k - 1) as f64 * ln_a;
    Measures::from_sums(
        unavailability,
        availability,
        n as f64 * member.frequency * ln_critical.exp(),
    )
}

/// Σ exp(ln_term_j) for j = first..=last, stepping with `next(j, ln_term_j) = ln_term_{j+1}`,
/// stopping once the remaining terms cannot change the sum.
fn sum_terms(ln_first: f64, first: u64, last: u64, next: impl Fn(u64, f64) -> f64) -> f64 {
    let mut ln_term = ln_first;
    let mut sum = 0.0;
    let mut ln_previous = f64::NEG_INFINITY;
    for j in first..=last {
        let term = ln_term.exp();
        sum += term;
        // Binomial terms are unimodal: once they fall (compared in logs, so terms that
        // underflow to 0 before the mode do not count as falling) and are negligible, the
        // rest are smaller still.
        if ln_term < ln_previous && term <= sum * 1e-18 {
            break;
        }
        ln_previous = ln_term;
        if j < last {
            ln_term = next(j, ln_term);
        }
    }
    sum
}

/// Σ exp(ln_term_j) for j = first down to 0, stepping with `next(j, ln_term_j) = ln_term_{j−1}`.
fn sum_terms_downward(ln_first: f64, first: u64, next: impl Fn(u64, f64) -> f64) -> f64 {
    let mut ln_term = ln_first;
    let mut sum = 0.0;
    let mut ln_previous = f64::NEG_INFINITY;
    let mut j = first;
    loop {
        let term = ln_term.exp();
        sum += term;
        if (ln_term < ln_previous && term <= sum * 1e-18) || j == 0 {
            break;
        }
        ln_previous = ln_term;
        ln_term = next(j, ln_term);
        j -= 1;
    }
    sum
}

/// ln C(n, j), summed term by term so it stays accurate where ln Γ would lose digits.
pub fn ln_binomial(n: u64, j: u64) -> f64 {
    let smaller = j.min(n - j);
    (1..=smaller)
        .map(|i| ((n - smaller + i) as f64 / i as f64).ln())
        .sum()
}

/// k-of-n of different members: the distribution of the number of members down, by dynamic
/// programming over members (every term a product of positive probabilities).
fn heterogeneous_k_of_n(groups: &[Group], n: u64, k: u64) -> Measures {
    // Members with equal measures are interchangeable: one "others" distribution serves them
    // all, so ["a", "b", "a", "b", …] costs two passes, not one per member.
    let mut merged: Vec<Group> = Vec::new();
    for (member, count) in groups {
        match merged.iter_mut().find(|(m, _)| m == member) {
            Some((_, total)) => *total += count,
            None => merged.push((*member, *count)),
        }
    }
    let groups = &merged[..];
    let down_needed = (n - k + 1) as usize;
    let units: Vec<&Measures> = groups
        .iter()
        .flat_map(|(m, c)| std::iter::repeat_n(m, *c as usize))
        .collect();
    let distribution = down_count_distribution(units.iter().copied());
    let unavailability = distribution[down_needed..].iter().sum();
    let availability = distribution[..down_needed].iter().sum();
    let mut frequency = 0.0;
    for (index, (member, count)) in groups.iter().enumerate() {
        // Everyone else: all units with one copy of this group removed.
        let others = groups.iter().enumerate().flat_map(|(other, (m, c))| {
            let copies = if other == index { c - 1 } else { *c };
            std::iter::repeat_n(m, copies as usize)
        });
        let others = down_count_distribution(others);
        frequency += *count as f64 * member.frequency * others[down_needed - 1];
    }
    Measures::from_sums(unavailability, availability, frequency)
}

/// P(exactly j of the given independent members are down), for every j.
fn down_count_distribution<'a>(units: impl Iterator<Item = &'a Measures>) -> Vec<f64> {
    let mut distribution = vec![1.0];
    for unit in units {
        let mut next = vec![0.0; distribution.len() + 1];
        for (down, probability) in distribution.iter().enumerate() {
            next[down] += probability * unit.availability;
            next[down + 1] += probability * unit.unavailability;
        }
        distribution = next;
    }
    distribution
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(failure_rate: f64, repair_rate: f64) -> Measures {
        Measures::two_state(failure_rate, repair_rate)
    }

    fn close(actual: f64, expected: f64, tolerance: f64) {
        let scale = expected.abs().max(f64::MIN_POSITIVE);
        assert!(
            ((actual - expected) / scale).abs() <= tolerance,
            "actual {actual:e}, expected {expected:e}"
        );
    }

    #[test]
    fn series_of_two_different_units_matches_hand_derivation() {
        // U1 = 0.001/1.001, U2 = 0.002/0.502: U = 1 − A1·A2, f = f1·A2 + f2·A1,
        // with fi = λi·μi/(λi+μi).
        let a = unit(0.001, 1.0);
        let b = unit(0.002, 0.5);
        let result = series(&[(a, 1), (b, 1)]);
        let (a1, a2) = (1.0 / 1.001, 0.5 / 0.502);
        close(result.unavailability, 1.0 - a1 * a2, 1e-12);
        let (f1, f2) = (0.001 / 1.001, 0.001 / 0.502);
        close(result.frequency, f1 * a2 + f2 * a1, 1e-12);
    }

    #[test]
    fn parallel_of_two_different_units_matches_hand_derivation() {
        // U = U1·U2, f = f1·U2 + f2·U1.
        let a = unit(0.001, 1.0);
        let b = unit(0.002, 0.5);
        let result = parallel(&[(a, 1), (b, 1)]);
        let (u1, u2) = (0.001 / 1.001, 0.002 / 0.502);
        close(result.unavailability, u1 * u2, 1e-14);
        close(result.availability, 1.0 - u1 * u2, 1e-15);
        close(
            result.frequency,
            0.001 / 1.001 * u2 + 0.001 / 0.502 * u1,
            1e-14,
        );
    }

    #[test]
    fn two_of_three_matches_closed_form() {
        // 2-of-3 identical: U = 3u²a + u³, f = 3·f₁·C(2,1)·u·a = 6 f₁ u a.
        let member = unit(1e-4, 0.125);
        let (u, a) = (1e-4 / 0.1251, 0.125 / 0.1251);
        let result = k_of_n(&[(member, 3)], 2);
        close(result.unavailability, 3.0 * u * u * a + u * u * u, 1e-13);
        close(result.availability, a * a * a + 3.0 * a * a * u, 1e-15);
        close(result.frequency, 6.0 * member.frequency * u * a, 1e-13);
    }

    #[test]
    fn heterogeneous_k_of_n_agrees_with_enumeration() {
        // 2-of-3 with three different members: enumerate all 8 states by hand.
        let members = [unit(0.01, 1.0), unit(0.02, 0.5), unit(0.005, 0.2)];
        let result = k_of_n(&[(members[0], 1), (members[1], 1), (members[2], 1)], 2);
        let (u, a): (Vec<f64>, Vec<f64>) = members
            .iter()
            .map(|m| (m.unavailability, m.availability))
            .unzip();
        let expected_u =
            u[0] * u[1] * a[2] + u[0] * a[1] * u[2] + a[0] * u[1] * u[2] + u[0] * u[1] * u[2];
        close(result.unavailability, expected_u, 1e-13);
        // Member i is critical when exactly one of the other two is down.
        let critical = |i: usize, j: usize, l: usize| {
            let _ = i;
            u[j] * a[l] + a[j] * u[l]
        };
        let expected_f = members[0].frequency * critical(0, 1, 2)
            + members[1].frequency * critical(1, 0, 2)
            + members[2].frequency * critical(2, 0, 1);
        close(result.frequency, expected_f, 1e-13);
    }

    #[test]
    fn identical_and_heterogeneous_paths_agree() {
        let member = unit(0.003, 0.1);
        let identical = k_of_n(&[(member, 7)], 4);
        let split = heterogeneous_k_of_n(&[(member, 3), (member, 4)], 7, 4);
        close(identical.unavailability, split.unavailability, 1e-12);
        close(identical.availability, split.availability, 1e-12);
        close(identical.frequency, split.frequency, 1e-12);
    }

    #[test]
    fn tiny_unavailability_keeps_full_precision() {
        // Parallel of 3 units with U = 1e-120 each: exactly 1e-360 is below the double
        // range, so use 1e-100: U = 1e-300, never 1 − (1 − 1e-300) = 0.
        let member = Measures {
            unavailability: 1e-100,
            availability: 1.0,
            frequency: 1e-100,
        };
        let result = parallel(&[(member, 3)]);
        close(result.unavailability, 1e-300, 1e-12);
        let series_result = series(&[(member, 1000)]);
        close(series_result.unavailability, 1e-97, 1e-12);
    }

    #[test]
    fn large_k_of_n_sums_terms_that_underflow_before_the_mode() {
        // 99,999-of-100,000 with u ≈ 0.0099: about 990 members are down on average, so the
        // block is almost surely down (U ≈ 1), although the first terms of the sum underflow.
        let member = unit(0.01, 1.0);
        let result = k_of_n(&[(member, 100_000)], 99_999);
        close(result.unavailability, 1.0, 1e-12);
        assert!(result.availability < 1e-300);
        // A majority of 101 with tiny u (U ≈ 1.8e-126): U tiny, A exactly representable as 1 − U, never > 1.
        let quorum = k_of_n(&[(unit(1.0 / 4380.0, 0.25), 101)], 51);
        assert!(quorum.availability <= 1.0 && quorum.unavailability > 0.0);
        assert_eq!(quorum.availability, 1.0 - quorum.unavailability);
    }

    #[test]
    fn ln_binomial_agrees_with_statrs_where_ln_gamma_is_accurate() {
        // statrs computes ln C(n, k) from ln Γ; for moderate n both must agree closely.
        for (n, k) in [(10u64, 3u64), (100, 11), (1000, 500), (5000, 4990)] {
            let reference = statrs::function::factorial::ln_binomial(n, k);
            close(ln_binomial(n, k), reference, 1e-12);
        }
    }

    #[test]
    fn ln_binomial_is_exact_for_small_values() {
        close(ln_binomial(10, 3).exp(), 120.0, 1e-14);
        close(ln_binomial(100, 50).exp(), 1.008_913_445_455_642e29, 1e-13);
        assert_eq!(ln_binomial(5, 0), 0.0);
    }
}
