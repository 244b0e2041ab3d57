//! The Nelder–Mead simplex search, for the two-parameter likelihoods that have no closed
//! form once some repair times are censored.
//!
//! Two parameters, a smooth log-likelihood and a good starting point (the uncensored fit) are
//! all it needs; an optimisation framework would bring far more than this.

/// Maximises `f` over the plane from `start`, with initial steps `step`; returns the best
/// point found. Stops when the simplex's values agree to 1e-12 relative (a sum of thousands of
/// log-likelihood terms carries rounding noise near 1e-13, which a tighter test would chase
/// for ever) or its vertices to 1e-10, or after 2,000 iterations.
pub fn maximise(f: impl Fn([f64; 2]) -> f64, start: [f64; 2], step: [f64; 2]) -> [f64; 2] {
    // Minimise g = −f; non-finite values count as +∞ so the simplex walks away from them.
    let g = |x: [f64; 2]| {
        let value = -f(x);
        if value.is_nan() { f64::INFINITY } else { value }
    };
    let mut simplex = [
        start,
        [start[0] + step[0], start[1]],
        [start[0], start[1] + step[1]],
    ];
    let mut values = simplex.map(g);
    for _ in 0..2000 {
        let mut order = [0, 1, 2];
        order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
        let [best, middle, worst] = order;
        let spread = (values[worst] - values[best]).abs();
        let size = (0..2)
            .map(|axis| {
                (simplex[worst][axis] - simplex[best][axis])
                    .abs()
                    .max((simplex[middle][axis] - simplex[best][axis]).abs())
                    / simplex[best][axis].abs().max(1.0)
            })
            .fold(0.0, f64::max);
        if spread <= 1e-12 * values[best].abs().max(1.0) || size <= 1e-10 {
            break;
        }
        let centroid = [
            (simplex[best][0] + simplex[middle][0]) / 2.0,
            (simplex[best][1] + simplex[middle][1]) / 2.0,
        ];
        let along = |t: f64| {
            [
                centroid[0] + t * (simplex[worst][0] - centroid[0]),
                centroid[1] + t * (simplex[worst][1] - centroid[1]),
            ]
        };
        let reflected = along(-1.0);
        let reflected_value = g(reflected);
        if reflected_value < values[best] {
            let expanded = along(-2.0);
            let expanded_value = g(expanded);
            (simplex[worst], values[worst]) = if expanded_value < reflected_value {
                (expanded, expanded_value)
            } else {
                (reflected, reflected_value)
            };
        } else if reflected_value < values[middle] {
            (simplex[worst], values[worst]) = (reflected, reflected_value);
        } else {
            let contracted = if reflected_value < values[worst] {
                along(-0.5)
            } else {
                along(0.5)
            };
            let contracted_value = g(contracted);
            if contracted_value < values[worst].min(reflected_value) {
                (simplex[worst], values[worst]) = (contracted, contracted_value);
            } else {
                for index in [middle, worst] {
                    simplex[index] = [
                        (simplex[index][0] + simplex[best][0]) / 2.0,
                        (simplex[index][1] + simplex[best][1]) / 2.0,
                    ];
                    values[index] = g(simplex[index]);
                }
            }
        }
    }
    let best = (0..3)
        .min_by(|a, b| values[*a].total_cmp(&values[*b]))
        .unwrap_or(0);
    simplex[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_top_of_a_tilted_quadratic() {
        // f = −(x − 3)² − 10(y + 1)² − (x − 3)(y + 1) has its maximum at (3, −1).
        let f = |[x, y]: [f64; 2]| {
            -(x - 3.0).powi(2) - 10.0 * (y + 1.0).powi(2) - (x - 3.0) * (y + 1.0)
        };
        let [x, y] = maximise(f, [0.0, 0.0], [1.0, 1.0]);
        assert!(
            (x - 3.0).abs() < 1e-6 && (y + 1.0).abs() < 1e-6,
            "({x}, {y})"
        );
    }

    #[test]
    fn walks_away_from_undefined_values() {
        // ln x − x is undefined for x ≤ 0 and has its maximum at x = 1.
        let f = |[x, y]: [f64; 2]| x.ln() - x - y * y;
        let [x, y] = maximise(f, [0.5, 0.3], [-1.0, 0.5]);
        assert!((x - 1.0).abs() < 1e-6 && y.abs() < 1e-6, "({x}, {y})");
    }
}
