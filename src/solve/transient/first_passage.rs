//! The mean time to first outage (MTTFF; for a storage stripe, the mean time to data loss)
//! from the first-passage chain: the up states explored from all-up, every down state left
//! absorbing.
//!
//! The mean is taken from a renewal argument instead of a linear solve, so that it keeps full
//! precision however rare the first outage is (Gaussian elimination on (−Q_UU)·m = 1 loses
//! digits in the cancellation between large repair rates and tiny exit rates).

use crate::solve::ctmc::Chain;

/// Largest number of up states whose MTTFF is computed (GTH stores the matrix densely: 4,000
/// states take 128 MB).
pub const MAX_FIRST_PASSAGE_UP_STATES: usize = 4000;

/// The mean time from state 0 (all up) to the first down state, in hours; `None` when no down
/// state is ever reached (the block never fails), `Some(0)` when state 0 is down.
///
/// # Formula
/// Redirect every up → down transition of the chain restricted to the up states back to state
/// 0: the first outages become renewals of an alternating-free renewal process whose cycles are
/// independent copies of the time to first outage T₁. With π′ the stationary law of that
/// chain (GTH) and r(i) = Σ_{j down} q(i, j),
/// ```text
/// 1 / E[T₁] = Σ_i π′_i · r(i)         (renewal reward theorem: renewals per hour)
/// ```
/// A sum of non-negative terms: no cancellation. When state 0 can be trapped away from the
/// down states, the recurrent class has no exit and the rate is 0: E[T₁] is infinite (`None`).
pub(super) fn mean_time_to_first_outage(chain: &Chain) -> Option<f64> {
    if !chain.up[0] {
        return Some(0.0);
    }
    let mut index = vec![usize::MAX; chain.len()];
    let mut redirected = Chain::default();
    for (slot, up) in index.iter_mut().zip(&chain.up) {
        if *up {
            *slot = redirected.add_state(true);
        }
    }
    let mut exit = vec![0.0; redirected.len()];
    for (state, row) in chain.transitions.iter().enumerate() {
        if !chain.up[state] {
            continue;
        }
        let from = index[state];
        for (to, rate) in row {
            if chain.up[*to] {
                redirected.add_rate(from, index[*to], *rate);
            } else {
                exit[from] += rate;
                redirected.add_rate(from, 0, *rate);
            }
        }
    }
    let pi = redirected.steady_state();
    let rate: f64 = pi.iter().zip(&exit).map(|(p, r)| p * r).sum();
    (rate > 0.0).then(|| 1.0 / rate)
}
