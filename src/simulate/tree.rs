//! The pending-event set: one next-event time per slot, earliest first.
//!
//! Each unit (and each standby block's failover timer) has exactly one pending event, so the
//! set is a tournament ("winner") tree over a fixed array of slots: changing a slot's time
//! replays the matches on its path to the root, and the root holds the earliest event. This
//! does no allocation, and a change costs log₂(slots) comparisons of 8-byte keys.
//!
//! A key packs the time's bit pattern (non-negative `f64`s order like their bits) with the
//! slot number in its lowest bits, so one integer comparison orders by time and breaks ties
//! by slot. The exact times are kept beside the tree; the key only rounds away the lowest
//! mantissa bits (about 2⁻³⁰ relative for a million slots), which can swap two events
//! closer together than that, never more.

/// A tournament tree over `slots` event times.
#[derive(Debug, Clone)]
pub struct EventTree {
    /// Leaves start at `leaves`; node i's children are 2i and 2i + 1; node 1 is the root.
    keys: Vec<u64>,
    /// Exact time of each slot.
    times: Vec<f64>,
    leaves: usize,
    slot_mask: u64,
}

impl EventTree {
    /// A tree whose slots all hold "never".
    pub fn new(slots: usize) -> Self {
        let leaves = slots.max(1).next_power_of_two();
        let slot_bits = leaves.trailing_zeros().max(1);
        let mut tree = Self {
            keys: vec![0; 2 * leaves],
            times: vec![f64::INFINITY; slots],
            leaves,
            slot_mask: (1u64 << slot_bits) - 1,
        };
        tree.reset_all(|_| f64::INFINITY);
        tree
    }

    fn key(&self, time: f64, slot: usize) -> u64 {
        (time.to_bits() & !self.slot_mask) | slot as u64
    }

    /// Sets every slot from `time_of(slot)` and rebuilds the tree bottom-up, in linear time.
    pub fn reset_all(&mut self, mut time_of: impl FnMut(usize) -> f64) {
        for slot in 0..self.leaves {
            let time = if slot < self.times.len() {
                let time = time_of(slot);
                self.times[slot] = time;
                time
            } else {
                f64::INFINITY
            };
            self.keys[self.leaves + slot] = self.key(time, slot);
        }
        for node in (1..self.leaves).rev() {
            self.keys[node] = self.keys[2 * node].min(self.keys[2 * node + 1]);
        }
    }

    /// Sets one slot's time.
    #[inline]
    pub fn set(&mut self, slot: usize, time: f64) {
        debug_assert!(time >= 0.0, "event times are never negative");
        self.times[slot] = time;
        let mut node = self.leaves + slot;
        let mut key = self.key(time, slot);
        let keys = self.keys.as_mut_slice();
        assert!(node < keys.len(), "slot {slot} is outside the tree");
        keys[node] = key;
        while node > 1 {
            // SAFETY: `keys` has 2·leaves entries and 1 < node < 2·leaves here, so both
            // `node ^ 1` (node's sibling, node ± 1) and `node / 2` are in bounds. This is the
            // simulator's innermost loop; the bounds checks cost a third of its time.
            unsafe {
                let sibling = *keys.get_unchecked(node ^ 1);
                key = key.min(sibling);
                node >>= 1;
                *keys.get_unchecked_mut(node) = key;
            }
        }
    }

    /// The earliest slot and its exact time.
    #[inline]
    pub fn earliest(&self) -> (usize, f64) {
        let slot = (self.keys[1] & self.slot_mask) as usize;
        (slot, self.times[slot])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the smallest time, ties to the lowest slot.
    fn earliest_by_scan(times: &[f64]) -> (usize, f64) {
        let mut best = (0, times[0]);
        for (slot, time) in times.iter().enumerate() {
            if *time < best.1 {
                best = (slot, *time);
            }
        }
        best
    }

    #[test]
    fn earliest_matches_a_scan_under_random_updates() {
        // A fixed pseudo-random sequence (xorshift) of updates over 37 slots; times are
        // multiples of 0.5 so ties happen and must go to the lowest slot, as in the scan.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut tree = EventTree::new(37);
        let mut times = vec![f64::INFINITY; 37];
        for _ in 0..10_000 {
            let slot = (next() % 37) as usize;
            let time = if next() % 10 == 0 {
                f64::INFINITY
            } else {
                (next() % 200) as f64 * 0.5
            };
            tree.set(slot, time);
            times[slot] = time;
            let (slot, time) = tree.earliest();
            let expected = earliest_by_scan(&times);
            if expected.1.is_finite() {
                assert_eq!((slot, time), expected);
            } else {
                assert!(time.is_infinite());
            }
        }
    }

    #[test]
    fn reset_all_builds_the_same_tree_as_single_updates() {
        let times: Vec<f64> = (0..100).map(|i| ((i * 37) % 101) as f64 + 0.25).collect();
        let mut bulk = EventTree::new(times.len());
        bulk.reset_all(|slot| times[slot]);
        let mut single = EventTree::new(times.len());
        for (slot, time) in times.iter().enumerate() {
            single.set(slot, *time);
        }
        assert_eq!(bulk.keys, single.keys);
        assert_eq!(bulk.earliest(), earliest_by_scan(&times));
    }

    #[test]
    fn one_slot_tree_works() {
        let mut tree = EventTree::new(1);
        assert!(tree.earliest().1.is_infinite());
        tree.set(0, 3.0);
        assert_eq!(tree.earliest(), (0, 3.0));
    }
}
