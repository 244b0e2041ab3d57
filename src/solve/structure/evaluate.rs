//! The top's measures from its decision diagram: probabilities of up and down summed
//! directly, and the outage frequency from the variables' flows.
//!
//! # Formula
//! With independent variables X₁…X_m of values v (probability p_i(v)) and the top's
//! structure function φ:
//! U = Σ_{x: φ(x) = down} Π pᵢ(xᵢ) and A = Σ_{x: φ(x) = up} Π pᵢ(xᵢ), each a sum of
//! positive terms over the diagram's paths (a variable a path skips sums to 1).
//! The top goes down when one variable moves from a value v to w while φ is up with v and
//! down with w, so f = Σᵢ Σ_{(v→w) ∈ flowsᵢ} flowᵢ(v→w) · P(φ|ᵥ up ∧ φ|_w down), the
//! probability taken over the other variables at stationarity. For a two-valued variable
//! with monotone φ that is fᵢ · (P(down | i down) − P(down | i up)), the Birnbaum form; here
//! it is summed directly over the diagram: for every node n testing i, reach(n) (the
//! probability of the path values above n) times J(child_v, child_w), where
//! J(a, b) = P(a up ∧ b down) is found by walking a and b together.

use super::diagram::{Diagram, FALSE, FastMap, NodeId, TRUE};
use crate::solve::Measures;
use crate::solve::variable::Variable;

/// The measures of the function `root` of `diagram`, whose variable i is `variables[i]`.
///
/// `increasing[i]` says that variable i is two-valued (0 up, 1 down) and that the function
/// can only go up when it moves from 1 to 0: true by construction for the shared units and
/// modules of [`super::variables`], whose diagrams are made by and, or and at-least of
/// their "up" indicators. Then the down→up flow never takes the top down, and
/// J(child₀, child₁) = P(child₁ down) − P(child₀ down) = P(child₀ up) − P(child₁ up); that
/// difference is used when it loses at most one bit (one term at most half the other), and
/// the walk of both branches otherwise.
pub fn measures(
    diagram: &Diagram,
    root: NodeId,
    variables: &[Variable],
    increasing: &[bool],
) -> Measures {
    debug_assert_eq!(diagram.variable_count(), variables.len());
    let reachable = reachable(diagram, root);
    // Children have smaller indices than parents: ascending order is bottom-up.
    let size = diagram.node_count();
    let (mut down, mut up) = (vec![0.0; size], vec![0.0; size]);
    down[FALSE as usize] = 1.0;
    up[TRUE as usize] = 1.0;
    for node in &reachable {
        let probability = &variables[diagram.variable(*node) as usize].probability;
        let children = diagram.children(*node);
        let (mut d, mut u) = (0.0, 0.0);
        for (child, p) in children.iter().zip(probability) {
            d += p * down[*child as usize];
            u += p * up[*child as usize];
        }
        down[*node as usize] = d;
        up[*node as usize] = u;
    }
    // Top-down: the probability of reaching each node from the root.
    let mut reach = vec![0.0; size];
    reach[root as usize] = 1.0;
    let mut joint = Joint {
        diagram,
        variables,
        up: &up,
        down: &down,
        memo: FastMap::default(),
    };
    let mut frequency = 0.0;
    for node in reachable.iter().rev() {
        let here = reach[*node as usize];
        let index = diagram.variable(*node) as usize;
        let variable = &variables[index];
        let children = diagram.children(*node);
        for (child, p) in children.iter().zip(&variable.probability) {
            reach[*child as usize] += here * p;
        }
        if increasing[index] {
            let (when_up, when_down) = (children[0] as usize, children[1] as usize);
            let birnbaum = if down[when_up] <= 0.5 * down[when_down] {
                down[when_down] - down[when_up]
            } else if up[when_down] <= 0.5 * up[when_up] {
                up[when_up] - up[when_down]
            } else {
                joint.up_down(children[0], children[1])
            };
            let flow: f64 = variable
                .flows
                .iter()
                .filter(|(from, to, _)| (*from, *to) == (0, 1))
                .map(|(_, _, flow)| flow)
                .sum();
            frequency += here * flow * birnbaum;
            continue;
        }
        for (from, to, flow) in &variable.flows {
            if *flow > 0.0 && here > 0.0 {
                frequency += here * flow * joint.up_down(children[*from], children[*to]);
            }
        }
    }
    Measures::from_sums(down[root as usize], up[root as usize], frequency.max(0.0))
}

/// Inner nodes reachable from `root`, in ascending index order (children first).
fn reachable(diagram: &Diagram, root: NodeId) -> Vec<NodeId> {
    let mut seen = vec![false; diagram.node_count()];
    let mut stack = vec![root];
    let mut nodes = Vec::new();
    while let Some(node) = stack.pop() {
        if diagram.is_terminal(node) || seen[node as usize] {
            continue;
        }
        seen[node as usize] = true;
        nodes.push(node);
        stack.extend_from_slice(diagram.children(node));
    }
    nodes.sort_unstable();
    nodes
}

/// J(a, b) = P(a up ∧ b down) over the variables both test, memoised.
struct Joint<'a> {
    diagram: &'a Diagram,
    variables: &'a [Variable],
    up: &'a [f64],
    down: &'a [f64],
    memo: FastMap<(NodeId, NodeId), f64>,
}

impl Joint<'_> {
    fn up_down(&mut self, a: NodeId, b: NodeId) -> f64 {
        if a == b || a == FALSE || b == TRUE {
            return 0.0;
        }
        if a == TRUE {
            return self.down[b as usize];
        }
        if b == FALSE {
            return self.up[a as usize];
        }
        if let Some(value) = self.memo.get(&(a, b)) {
            return *value;
        }
        let diagram = self.diagram;
        let variable = diagram.variable(a).min(diagram.variable(b));
        let probability = &self.variables[variable as usize].probability;
        let mut total = 0.0;
        for (value, p) in probability.iter().enumerate() {
            if *p > 0.0 {
                let left = cofactor(diagram, a, variable, value);
                let right = cofactor(diagram, b, variable, value);
                total += p * self.up_down(left, right);
            }
        }
        self.memo.insert((a, b), total);
        total
    }
}

fn cofactor(diagram: &Diagram, node: NodeId, variable: u32, value: usize) -> NodeId {
    if diagram.variable(node) == variable {
        diagram.children(node)[value]
    } else {
        node
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) {
        assert!(
            ((actual - expected) / expected).abs() < 1e-13,
            "{actual} vs {expected}"
        );
    }

    #[test]
    fn two_of_three_shared_units_match_the_closed_form() {
        // Three independent units, each U = λ/(λ+μ), f₁ = λμ/(λ+μ).
        // 2-of-3: U = 3u²a + u³, A = a³ + 3a²u, f = 3 · f₁ · P(exactly one of the other two
        // down) = 3 f₁ · 2ua.
        let unit = Measures::two_state(0.01, 0.25);
        let (u, a, f1) = (unit.unavailability, unit.availability, unit.frequency);
        let mut diagram = Diagram::new(100);
        let mut leaves = Vec::new();
        for _ in 0..3 {
            let variable = diagram.add_variable(2);
            leaves.push(diagram.indicator(variable, &[true, false]).unwrap());
        }
        let root = diagram.at_least(&leaves, 2).unwrap();
        let variables = vec![Variable::two_state(unit); 3];
        let result = measures(&diagram, root, &variables, &[true; 3]);
        let walked = measures(&diagram, root, &variables, &[false; 3]);
        close(walked.frequency, 6.0 * f1 * u * a);
        close(result.unavailability, 3.0 * u * u * a + u * u * u);
        close(result.availability, a * a * a + 3.0 * a * a * u);
        close(result.frequency, 6.0 * f1 * u * a);
    }

    /// A three-valued variable: a pair of hosts behind one switch, observed as
    /// "the service on host A is up" and "… on host B is up".
    ///
    /// Values: 0 both up, 1 only A up, 2 neither up, with probabilities 0.9, 0.06, 0.04 and
    /// flows 0→1 at 0.02, 1→0 at 0.03, 0→2 at 0.001, 2→0 at 0.005, 1→2 at 0.004 per hour.
    /// Another two-state unit C (U = 0.1, f = 0.05) is in parallel with B, and that pair is
    /// in series with A: top = A ∧ (B ∨ C).
    ///
    /// Up states: value 0 (any C): 0.9; value 1 with C up: 0.06 · 0.9 = 0.054. A = 0.954.
    /// Down: value 1 with C down: 0.006; value 2: 0.04. U = 0.046.
    /// f: X 0→1 while C down: 0.02 · 0.1 = 0.002; X 0→2: 0.001; X 1→2 while C up:
    /// 0.004 · 0.9 = 0.0036; C up→down while X = 1: 0.05 · 0.06 = 0.003.
    /// f = 0.002 + 0.001 + 0.0036 + 0.003 = 0.0096. (The flows need not balance for this
    /// check of the formula.)
    #[test]
    fn three_valued_variable_by_hand() {
        let x = Variable {
            up: vec![vec![true, true], vec![true, false], vec![false, false]],
            probability: vec![0.9, 0.06, 0.04],
            flows: vec![
                (0, 1, 0.02),
                (1, 0, 0.03),
                (0, 2, 0.001),
                (2, 0, 0.005),
                (1, 2, 0.004),
            ],
        };
        let c = Variable {
            up: vec![vec![true], vec![false]],
            probability: vec![0.9, 0.1],
            flows: vec![(0, 1, 0.05), (1, 0, 0.05)],
        };
        let mut diagram = Diagram::new(100);
        let vx = diagram.add_variable(3);
        let vc = diagram.add_variable(2);
        let a = diagram.indicator(vx, &[true, true, false]).unwrap();
        let b = diagram.indicator(vx, &[true, false, false]).unwrap();
        let cc = diagram.indicator(vc, &[true, false]).unwrap();
        let b_or_c = diagram.or(b, cc).unwrap();
        let root = diagram.and(a, b_or_c).unwrap();
        let result = measures(&diagram, root, &[x, c], &[false, true]);
        close(result.availability, 0.954);
        close(result.unavailability, 0.046);
        close(result.frequency, 0.0096);
    }

    #[test]
    fn a_non_monotone_flow_counts_when_it_takes_the_top_down() {
        // Top up exactly when X is in value 1 of {0, 1}: X's flow 1→0 takes it down.
        let x = Variable {
            up: vec![vec![false], vec![true]],
            probability: vec![0.7, 0.3],
            flows: vec![(0, 1, 0.2), (1, 0, 0.2)],
        };
        let mut diagram = Diagram::new(10);
        let v = diagram.add_variable(2);
        let root = diagram.indicator(v, &[false, true]).unwrap();
        let result = measures(&diagram, root, &[x], &[false]);
        close(result.unavailability, 0.7);
        close(result.frequency, 0.2);
    }
}
