//! Per-unit importance from the brute-force reference, for models whose units are
//! independent (no repair crews, no standby blocks, no elections or pauses; common cause is fine, since the reference
//! models it as one more independent unit in series with its block).
//!
//! With independent units the stationary distribution of the product chain is the product of
//! the units' own distributions, so the system's unavailability with one unit always down
//! (U₁) or never down (U₀) is the system's unavailability conditioned on that unit's state:
//! both come from one solve of the full chain. The effect of a changed MTBF or MTTR of that
//! one unit is found by solving the full chain again with its rates changed.
//!
//! Units are numbered as the reference instantiates them: depth first from the top, members
//! in the order written, a shared component or block at its first reference. The first unit
//! of a component in that numbering is the first copy met depth first.

use super::{Model, State, System, gth_stationary};
use std::collections::{HashMap, VecDeque};

/// Importance figures of one physical unit, all as system unavailabilities.
#[derive(Clone, Debug)]
pub struct UnitImportance {
    /// The component the unit is a copy of.
    pub component: String,
    /// The unit's index in the reference's numbering.
    pub unit: usize,
    /// Physical units of this component in the system (1 when shared).
    pub units_of_component: usize,
    /// U: the system as modelled.
    pub unavailability: f64,
    /// U₁ = P(system down | unit down).
    pub down: f64,
    /// U₀ = P(system down | unit up).
    pub up: f64,
    /// U with the unit's failure rate halved (MTBF doubled).
    pub mtbf_x2: f64,
    /// U with the unit's repair rate doubled (MTTR halved).
    pub mttr_half: f64,
    /// Reachable states of the product chain.
    pub states: usize,
}

/// The importance of the first unit of every component reachable from the top, in the order
/// of those units. Err when the model is invalid for the reference, its units are not
/// independent, or a chain exceeds `max_states`.
pub fn component_importances(
    toml_text: &str,
    max_states: usize,
) -> Result<Vec<UnitImportance>, String> {
    let model = Model::parse(toml_text)?;
    let system = model.instantiate()?;
    if !system.crews.is_empty() || !system.standbys.is_empty() || !system.reconfigs.is_empty() {
        return Err(
            "units are not independent (repair crews, standby, elections or pauses)".into(),
        );
    }
    let (states, pi, up) = stationary(&system, max_states)?;
    let unavailability: f64 = pi
        .iter()
        .zip(&up)
        .filter(|(_, up)| !**up)
        .map(|(p, _)| p)
        .sum();
    let mut first: Vec<(String, usize)> = Vec::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (u, unit) in system.units.iter().enumerate() {
        let Some(name) = &unit.component else {
            continue; // a common-cause element
        };
        let count = counts.entry(name.clone()).or_insert(0);
        if *count == 0 {
            first.push((name.clone(), u));
        }
        *count += 1;
    }
    let mut result = Vec::with_capacity(first.len());
    for (component, u) in first {
        // P(unit in a state) and P(unit in that state and system down).
        let (mut p_down, mut p_up, mut joint_down, mut joint_up) = (0.0, 0.0, 0.0, 0.0);
        for ((state, p), system_up) in states.iter().zip(&pi).zip(&up) {
            if state.up[u] {
                p_up += p;
                if !system_up {
                    joint_up += p;
                }
            } else {
                p_down += p;
                if !system_up {
                    joint_down += p;
                }
            }
        }
        let with_rates = |lambda_factor: f64, mu_factor: f64| -> Result<f64, String> {
            let mut units = system.units.clone();
            units[u].lambda *= lambda_factor;
            units[u].mu *= mu_factor;
            let changed = System {
                units,
                nodes: system.nodes.clone(),
                crews: system.crews.clone(),
                standbys: system.standbys.clone(),
                reconfigs: system.reconfigs.clone(),
                top: system.top,
            };
            let (_, pi, up) = stationary(&changed, max_states)?;
            Ok(pi
                .iter()
                .zip(&up)
                .filter(|(_, up)| !**up)
                .map(|(p, _)| p)
                .sum())
        };
        result.push(UnitImportance {
            units_of_component: counts[&component],
            component,
            unit: u,
            unavailability,
            down: joint_down / p_down,
            up: joint_up / p_up,
            mtbf_x2: with_rates(0.5, 1.0)?,
            mttr_half: with_rates(1.0, 2.0)?,
            states: states.len(),
        });
    }
    Ok(result)
}

/// States, their stationary probabilities, and whether the system is up in each.
type Stationary = (Vec<State>, Vec<f64>, Vec<bool>);

/// The reachable states of the product chain (BFS from the all-up state, with the
/// reference's own transitions), their stationary probabilities, and whether the system is
/// up in each.
fn stationary(system: &System, max_states: usize) -> Result<Stationary, String> {
    let mut index: HashMap<State, usize> = HashMap::new();
    let mut states = vec![system.initial_state()];
    index.insert(states[0].clone(), 0);
    let mut queue = VecDeque::from([0usize]);
    let mut rows: Vec<super::FxMap<usize, f64>> = Vec::new();
    while let Some(i) = queue.pop_front() {
        let mut row = super::FxMap::default();
        for (t, rate) in system.successors(&states[i]) {
            let j = match index.get(&t) {
                Some(&j) => j,
                None => {
                    let j = states.len();
                    if j >= max_states {
                        return Err(format!("chain exceeds {max_states} states"));
                    }
                    index.insert(t.clone(), j);
                    states.push(t);
                    queue.push_back(j);
                    j
                }
            };
            if j != i {
                *row.entry(j).or_insert(0.0) += rate;
            }
        }
        if rows.len() <= i {
            rows.resize_with(i + 1, super::FxMap::default);
        }
        rows[i] = row;
    }
    rows.resize_with(states.len(), super::FxMap::default);
    let up = states
        .iter()
        .map(|s| system.node_up(system.top, s))
        .collect();
    let pi = gth_stationary(rows)?;
    Ok((states, pi, up))
}
