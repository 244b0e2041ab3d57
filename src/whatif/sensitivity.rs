//! Importance measures: which component or block to improve first.
//!
//! Every figure comes from the exact solver run on transformed models ([`super::transform`]),
//! for one physical copy of an item (a shared item is one anyway; for a component referenced
//! eight times, one of the eight, the first in the model's order):
//!
//! - U, the system's unavailability as modelled;
//! - U₁, with that copy always down, and U₀, with it never down;
//! - Birnbaum I_B = U₁ − U₀;
//! - criticality I_CR = (U − U₀)/U, the share of the downtime the item is responsible for;
//! - risk achievement worth RAW = U₁/U, and risk reduction worth RRW = U/U₀.
//!
//! For a unit with independent failures these are the textbook measures: U is linear in the
//! unit's own unavailability q, U = q·U₁ + (1 − q)·U₀, so I_B = ∂U/∂q and I_CR = I_B·q/U.
//! For a block copy, or a unit inside a crew or standby chain, they keep the same meaning as
//! differences and ratios of the system's unavailability. The downtime changes, too, are for
//! that one copy: its MTBF doubled, or its MTTR halved (for a block, those of every unit in
//! it).

use super::transform::{Forced, forced_all, rescaled_all, single_out};
use crate::model::graph::reachable_blocks;
use crate::model::units::HOURS_PER_YEAR;
use crate::model::{Model, NodeRef};
use crate::solve::SolveError;
use crate::solve::structure::Solver;

/// What kind of item an importance is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A component (one unit).
    Component,
    /// A block (a group of members).
    Block,
    /// A family (`instances = N`): every instance changed together.
    Family,
}

impl ItemKind {
    /// The kind as tables and JSON write it: `component` or `block`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Component => "component",
            Self::Block => "block",
            Self::Family => "family",
        }
    }
}

impl std::fmt::Display for ItemKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.pad(self.as_str())
    }
}

/// The importance of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    /// The component's or block's name.
    pub name: String,
    /// Component or block.
    pub kind: ItemKind,
    /// Whether the item is one physical unit wherever referenced.
    pub(crate) shared: bool,
    /// Copies of it within one system (1 for a shared item); the figures are for one.
    pub(crate) copies: u64,
    /// For a family, its number of instances (the figures are for all of them together).
    pub instances: Option<u64>,
    /// U₁ − U₀.
    pub birnbaum: f64,
    /// (U − U₀)/U; `None` when U = 0.
    pub criticality: Option<f64>,
    /// U₁/U; `None` when U = 0.
    pub(crate) raw: Option<f64>,
    /// U/U₀; `None` (infinite) when U₀ = 0.
    pub(crate) rrw: Option<f64>,
    /// Change in system downtime per year, minutes, when the item's MTBF doubles.
    pub downtime_change_mtbf_x2_minutes: f64,
    /// Change in system downtime per year, minutes, when the item's MTTR halves.
    pub downtime_change_mttr_half_minutes: f64,
}

impl Importance {
    /// The larger of the two downtime savings, minutes per year: the sort key.
    pub(crate) fn best_saving_minutes(&self) -> f64 {
        (-self.downtime_change_mtbf_x2_minutes).max(-self.downtime_change_mttr_half_minutes)
    }
}

/// The importance of a model's items, and the items the exact solver could not rate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Importances {
    /// Rated items, sorted by the larger downtime saving, then Birnbaum importance, then name.
    pub items: Vec<Importance>,
    /// Items left out, with why: splitting one copy off can make a crew or standby chain
    /// larger than the exact solver accepts.
    pub(crate) skipped: Vec<(String, SolveError)>,
}

/// Largest (items × model size) rated: each item takes four exact solves of a model of that
/// size, about 1 ms per item on a 2,000-node model, so this bounds a run to seconds.
pub(crate) const MAX_WORK: usize = 20_000_000;

/// Why importance measures could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportanceError {
    /// The model itself exceeds the exact solver.
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// Rating every item would take too long.
    #[error(
        "rating {items} items of a model of {nodes} components and references takes {items} × 4 exact solves, \
         more than nines does in reasonable time (items × size ≤ {limit}); write identical units as one \
         component with `of` and `count` (its copies are one item), or rate a part of the model"
    )]
    TooMuchWork {
        /// Items to rate.
        items: usize,
        /// Components plus member references.
        nodes: usize,
        /// [`MAX_WORK`].
        limit: usize,
    },
}

/// Importance of every component and block (but the top) reachable from the top.
///
/// # Errors
/// [`ImportanceError`] when the model itself exceeds the exact solver, or has so many items
/// that rating them all would take too long.
pub fn importances(model: &Model) -> Result<Importances, ImportanceError> {
    let base = system_unavailability(model)?;
    let reachable = reachable_blocks(model, model.top);
    let copies = crate::model::graph::physical_copies(model, model.top);
    let mut items = Vec::new();
    for (index, component) in model.components.iter().enumerate() {
        let node = NodeRef::Component(index);
        if let Some(count) = copies.get(&node) {
            items.push((
                node,
                component.name.clone(),
                ItemKind::Component,
                component.shared,
                *count,
            ));
        }
    }
    for (index, block) in model.blocks.iter().enumerate() {
        if reachable[index] && index != model.top {
            let node = NodeRef::Block(index);
            let count = copies.get(&node).copied().unwrap_or(1);
            items.push((
                node,
                block.name.clone(),
                ItemKind::Block,
                block.shared,
                count,
            ));
        }
    }
    let nodes = model.components.len()
        + model
            .blocks
            .iter()
            .map(|block| block.members.len())
            .sum::<usize>();
    if items.len().saturating_mul(nodes) > MAX_WORK {
        return Err(ImportanceError::TooMuchWork {
            items: items.len(),
            nodes,
            limit: MAX_WORK,
        });
    }
    let mut result = Importances::default();
    for (node, name, kind, shared, count) in items {
        let Some((split, copy)) = single_out(model, node) else {
            continue;
        };
        let item = Item {
            name,
            kind,
            shared,
            copies: count,
            instances: None,
        };
        result.rate(&split, &[copy], item, base);
    }
    for family in &model.families {
        let reached = family
            .instances
            .iter()
            .any(|node| copies.contains_key(node));
        if !reached {
            continue;
        }
        let item = Item {
            name: family.name.clone(),
            kind: ItemKind::Family,
            shared: true,
            copies: 1,
            instances: Some(family.instances.len() as u64),
        };
        result.rate(model, &family.instances, item, base);
    }
    result.items.sort_by(|a, b| {
        b.best_saving_minutes()
            .total_cmp(&a.best_saving_minutes())
            .then(b.birnbaum.total_cmp(&a.birnbaum))
            .then(a.name.cmp(&b.name))
    });
    Ok(result)
}

/// What an item is, before it is rated.
struct Item {
    name: String,
    kind: ItemKind,
    shared: bool,
    copies: u64,
    instances: Option<u64>,
}

impl Importances {
    /// Rates `item`, whose physical units in `model` are `nodes` (one node, or every instance
    /// of a family, all transformed together), and files it as rated or skipped.
    ///
    /// # Formula
    /// U₁ = U(nodes always down), U₀ = U(nodes never down); I_B = U₁ − U₀,
    /// I_CR = (U − U₀)/U, RAW = U₁/U, RRW = U/U₀; the savings are
    /// (U(λ/2) − U)·8766·60 and (U(2μ) − U)·8766·60 minutes a year.
    fn rate(&mut self, model: &Model, nodes: &[NodeRef], item: Item, base: f64) {
        let rated = (|| -> Result<Importance, SolveError> {
            let down = forced_unavailability(forced_all(model, nodes, false))?;
            let up = forced_unavailability(forced_all(model, nodes, true))?;
            let mtbf_x2 = system_unavailability(&rescaled_all(model, nodes, 0.5, 1.0))?;
            let mttr_half = system_unavailability(&rescaled_all(model, nodes, 1.0, 2.0))?;
            let minutes = |u: f64| (u - base) * HOURS_PER_YEAR * 60.0;
            Ok(Importance {
                name: item.name.clone(),
                kind: item.kind,
                shared: item.shared,
                copies: item.copies,
                instances: item.instances,
                birnbaum: down - up,
                criticality: (base > 0.0).then(|| (base - up) / base),
                raw: (base > 0.0).then(|| down / base),
                rrw: (up > 0.0).then(|| base / up),
                downtime_change_mtbf_x2_minutes: minutes(mtbf_x2),
                downtime_change_mttr_half_minutes: minutes(mttr_half),
            })
        })();
        match rated {
            Ok(importance) => self.items.push(importance),
            Err(error) => self.skipped.push((item.name, error)),
        }
    }
}

fn system_unavailability(model: &Model) -> Result<f64, SolveError> {
    Ok(Solver::new(model).solve_block(model.top)?.unavailability)
}

fn forced_unavailability(forced: Forced) -> Result<f64, SolveError> {
    match forced {
        Forced::Model(model) => system_unavailability(&model),
        Forced::Constant { down } => Ok(if down { 1.0 } else { 0.0 }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_model;

    /// Series of a (A = 0.99) and a parallel pair of b (A = 0.9 each).
    const MODEL: &str = r#"
        top = "system"
        [component.a]
        availability = 0.99
        mttr = "2h"
        [component.b]
        availability = 0.9
        mttr = "4h"
        [block.pair]
        kind = "parallel"
        of = "b"
        count = 2
        [block.system]
        kind = "series"
        members = ["a", "pair"]
    "#;

    #[test]
    fn measures_match_hand_derived_values() {
        let model = load_model("t.toml", MODEL, &[]).ok().unwrap().model;
        let items = importances(&model).unwrap().items;
        let find = |name: &str| items.iter().find(|i| i.name == name).unwrap();
        // U = 1 − A_a·(1 − q_b²) = 1 − 0.99·0.99 = 0.0199.
        let u = 1.0 - 0.99 * 0.99;
        // a: U₁ = 1, U₀ = q_b² = 0.01.
        let a = find("a");
        assert!((a.birnbaum - 0.99).abs() < 1e-12);
        assert!((a.criticality.unwrap() - (u - 0.01) / u).abs() < 1e-12);
        assert!((a.raw.unwrap() - 1.0 / u).abs() < 1e-9);
        assert!((a.rrw.unwrap() - u / 0.01).abs() < 1e-9);
        // One copy of b: U₁ = 1 − A_a·A_b = 0.109, U₀ = 1 − A_a = 0.01, so I_B = 0.099,
        // which is ∂U/∂q_b1 = A_a·q_b2 = 0.99·0.1.
        let b = find("b");
        assert_eq!(b.copies, 2);
        assert!((b.birnbaum - 0.099).abs() < 1e-12);
        assert!((b.raw.unwrap() - 0.109 / u).abs() < 1e-9);
        // Doubling a's MTBF: λ_a = 0.01/0.99/2 per 2 h... q_a' = λ'/(λ'+μ) with
        // λ = q/(1−q)·μ: q' = (q/2)/(q/2 + 1 − q) = 0.005/0.995.
        let qa = 0.005 / 0.995;
        let expected = (1.0 - (1.0 - qa) * 0.99 - u) * HOURS_PER_YEAR * 60.0;
        assert!((a.downtime_change_mtbf_x2_minutes - expected).abs() < 1e-6);
        // Halving one b's MTTR: q_b' = λ/(λ + 2μ) = (1/9)/(1/9 + 2) = 1/19; the other stays 0.1.
        let qb: f64 = 1.0 / 19.0;
        let expected = (1.0 - 0.99 * (1.0 - qb * 0.1) - u) * HOURS_PER_YEAR * 60.0;
        assert!((b.downtime_change_mttr_half_minutes - expected).abs() < 1e-6);
        // Block `pair`: U₁ = 1, U₀ = q_a.
        let pair = find("pair");
        assert_eq!(pair.kind, ItemKind::Block);
        assert_eq!(pair.kind.to_string(), "block");
        assert_eq!(serde_json::json!(pair.kind), "block");
        assert!((pair.birnbaum - 0.99).abs() < 1e-12);
        // Sorted by the larger saving: doubling MTBF in `pair` (both b: U → 0.01274) beats
        // a's (U → 0.01498), which beats one b's (U → 0.01521).
        let order: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(order, ["pair", "a", "b"]);
    }
}
