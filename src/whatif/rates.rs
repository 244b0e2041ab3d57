//! Sweeps and boundary searches over one component's MTBF or MTTR, done on the validated
//! model directly (rates, not overrides), so they work however the component's figures were
//! written (mtbf, failure_rate or availability). Used by `nines report`.

use super::find::{Found, find};
use super::sensitivity::{Importance, ItemKind};
use super::sweep::Point;
use super::vary::{Vary, VaryValue, override_for};
use crate::model::{Model, NodeRef};
use crate::solve::SolveError;
use crate::solve::structure::Solver;
use crate::whatif::vary::AxisUnit;

/// Which mean time of a component changes: between failures or to repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeanTime {
    /// Mean time between failures (1/λ).
    Mtbf,
    /// Mean time to repair (1/μ).
    Mttr,
}

impl MeanTime {
    /// The key as written in a model.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Mtbf => "mtbf",
            Self::Mttr => "mttr",
        }
    }

    /// The other mean time of the component (MTBF for MTTR and back).
    pub(crate) fn other(self) -> Self {
        match self {
            Self::Mtbf => Self::Mttr,
            Self::Mttr => Self::Mtbf,
        }
    }
}

/// What a sweep changes: one component, or every component instance of a family (whose
/// `--set component.FAMILY.KEY` path moves them all).
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// The name in the `--set` path: the component's or the family's.
    pub name: String,
    /// The components changed together (indices into [`Model::components`]).
    pub components: Vec<usize>,
}

impl Subject {
    /// One component.
    pub fn component(model: &Model, index: usize) -> Self {
        Self {
            name: model.components[index].name.clone(),
            components: vec![index],
        }
    }

    fn path(&self, figure: MeanTime) -> String {
        format!("component.{}.{}", self.name, figure.key())
    }
}

/// The subject's present value of `figure` (its first component's), hours; `None` when it
/// never fails (no MTBF).
pub fn current_hours(model: &Model, subject: &Subject, figure: MeanTime) -> Option<f64> {
    let component = &model.components[*subject.components.first()?];
    let rate = match figure {
        MeanTime::Mtbf => component.failure_rate,
        MeanTime::Mttr => component.repair_rate,
    };
    (rate > 0.0).then(|| 1.0 / rate)
}

fn with_hours(model: &Model, subject: &Subject, figure: MeanTime, hours: f64) -> Model {
    let mut changed = model.clone();
    let rate = 1.0 / hours;
    for &component in &subject.components {
        match figure {
            MeanTime::Mtbf => changed.components[component].failure_rate = rate,
            MeanTime::Mttr => changed.components[component].repair_rate = rate,
        }
    }
    changed
}

fn system(model: &Model) -> Result<crate::solve::Measures, SolveError> {
    Solver::new(model).solve_block(model.top)
}

/// Sweeps `figure` of `component` over `hours` (ascending), exactly.
///
/// # Errors
/// [`SolveError`] when a point exceeds the exact solver.
pub(crate) fn sweep(
    model: &Model,
    subject: &Subject,
    figure: MeanTime,
    hours: &[f64],
) -> Result<(Vary, Vec<Point>), SolveError> {
    let path = subject.path(figure);
    let values: Vec<VaryValue> = hours
        .iter()
        .filter_map(|x| {
            Some(VaryValue {
                x: *x,
                set: override_for(&path, *x, AxisUnit::Hours).ok()?,
                label: AxisUnit::Hours.label(*x),
            })
        })
        .collect();
    let target = model.target.clone();
    let mut points = Vec::with_capacity(values.len());
    for value in &values {
        let measures = system(&with_hours(model, subject, figure, value.x))?;
        points.push(Point {
            values: vec![value.clone()],
            measures,
            interval: None,
            target: target.clone().map(|t| (t.unavailability, t.text)),
            meets_target: target
                .as_ref()
                .map(|t| measures.unavailability <= t.unavailability),
        });
    }
    let vary = Vary {
        path,
        unit: AxisUnit::Hours,
        values,
    };
    Ok((vary, points))
}

/// Where the target is just met as `figure` of `component` ranges over `range` hours.
///
/// # Errors
/// [`SolveError`] when a point exceeds the exact solver.
pub fn boundary(
    model: &Model,
    subject: &Subject,
    figure: MeanTime,
    range: (f64, f64),
    target_unavailability: f64,
) -> Result<Found, SolveError> {
    let current = current_hours(model, subject, figure).unwrap_or(range.0);
    find(range, true, current, |hours| {
        Ok(
            system(&with_hours(model, subject, figure, hours))?.unavailability
                <= target_unavailability,
        )
    })
}

/// Points in the sweep of [`improvement_sweep`].
pub(crate) const IMPROVEMENT_SWEEP_POINTS: usize = 25;

/// A sweep of the component figure whose improvement saves the most downtime, with where the
/// target is just met: the sweep section of `nines report`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ImprovementSweep {
    /// The swept figure.
    pub(crate) vary: Vary,
    /// The points, exact.
    pub(crate) points: Vec<Point>,
    /// The boundary search over the same range, when the model has a target.
    pub(crate) boundary: Option<Found>,
    /// The component's other figure, held where the sweep holds it, so that a `--set` of it
    /// reproduces the sweep however the component is written.
    pub(crate) held: Option<HeldFigure>,
}

/// A figure held at its present value while another is swept.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeldFigure {
    /// Its path, as `--set` takes it (`component.db.mtbf`).
    pub(crate) path: String,
    /// Its value, hours.
    pub(crate) hours: f64,
}

/// The component figure worth sweeping: the MTTR or MTBF (whichever improvement saves more)
/// of the most important component, or family of components; `None` when no such
/// improvement saves downtime.
pub(crate) fn improvement_choice(
    model: &Model,
    items: &[Importance],
) -> Option<(Subject, MeanTime)> {
    // A family whose instances all have the family's figures: then `component.NAME.KEY`
    // moves every one of them, as the sweep does (an instance table would keep its own).
    let component_family = |name: &str| {
        model.families.iter().find(|family| {
            let rates: Vec<(f64, f64)> = family
                .instances
                .iter()
                .filter_map(|node| match node {
                    NodeRef::Component(index) => {
                        let component = &model.components[*index];
                        Some((component.failure_rate, component.repair_rate))
                    }
                    NodeRef::Block(_) => None,
                })
                .collect();
            family.name == name
                && rates.len() == family.instances.len()
                && rates.windows(2).all(|pair| pair[0] == pair[1])
        })
    };
    let item = items.iter().find(|item| {
        (item.kind == ItemKind::Component
            || (item.kind == ItemKind::Family && component_family(&item.name).is_some()))
            && item.best_saving_minutes() > 0.0
    })?;
    let subject = match component_family(&item.name).filter(|_| item.kind == ItemKind::Family) {
        Some(family) => Subject {
            name: family.name.clone(),
            components: family
                .instances
                .iter()
                .filter_map(|node| match node {
                    NodeRef::Component(index) => Some(*index),
                    NodeRef::Block(_) => None,
                })
                .collect(),
        },
        None => Subject::component(
            model,
            model.components.iter().position(|c| c.name == item.name)?,
        ),
    };
    let figure = if -item.downtime_change_mttr_half_minutes >= -item.downtime_change_mtbf_x2_minutes
    {
        MeanTime::Mttr
    } else {
        MeanTime::Mtbf
    };
    Some((subject, figure))
}

/// Sweeps the figure [`improvement_choice`] picks over [`IMPROVEMENT_SWEEP_POINTS`] values
/// spaced geometrically from a tenth to ten times its present value, widened to take in half
/// and twice the boundary where the target is just met.
///
/// # Errors
/// [`SolveError`] when a point exceeds the exact solver.
pub(crate) fn improvement_sweep(
    model: &Model,
    items: &[Importance],
) -> Result<Option<ImprovementSweep>, SolveError> {
    let Some((subject, figure)) = improvement_choice(model, items) else {
        return Ok(None);
    };
    let Some(current) = current_hours(model, &subject, figure) else {
        return Ok(None);
    };
    let boundary = match &model.target {
        Some(target) => Some(boundary(
            model,
            &subject,
            figure,
            (current / 1000.0, current * 1000.0),
            target.unavailability,
        )?),
        None => None,
    };
    let (mut low, mut high) = (current / 10.0, current * 10.0);
    if let Some(Found::Boundary { value, .. }) = boundary {
        low = low.min(value / 2.0);
        high = high.max(value * 2.0);
    }
    let steps = (IMPROVEMENT_SWEEP_POINTS - 1) as f64;
    let hours: Vec<f64> = (0..IMPROVEMENT_SWEEP_POINTS)
        .map(|i| low * (high / low).powf(i as f64 / steps))
        .collect();
    let (vary, points) = sweep(model, &subject, figure, &hours)?;
    let other = figure.other();
    let held = current_hours(model, &subject, other).map(|hours| HeldFigure {
        path: subject.path(other),
        hours,
    });
    Ok(Some(ImprovementSweep {
        vary,
        points,
        boundary,
        held,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_model;

    #[test]
    fn mttr_boundary_of_a_single_unit_is_closed_form() {
        // One unit, MTBF 1000 h, MTTR 1 h, target 99.9%: U = r/(1000 + r) ≤ 0.001 holds
        // while r ≤ 1000·0.001/0.999 = 1.001001… h.
        let text = r#"
            top = "system"
            [target]
            availability = "99.9%"
            [component.a]
            mtbf = "1000h"
            mttr = "1h"
            [block.system]
            kind = "series"
            members = ["a"]
        "#;
        let model = load_model("t.toml", text, &[]).ok().unwrap().model;
        let a = Subject::component(&model, 0);
        let found = boundary(&model, &a, MeanTime::Mttr, (0.01, 100.0), 0.001).unwrap();
        let Found::Boundary { value, holds_below } = found else {
            panic!("{found:?}");
        };
        assert!(holds_below);
        assert!((value - 1.0 / 0.999).abs() < 1e-9, "{value}");
        let (vary, points) = sweep(&model, &a, MeanTime::Mttr, &[0.5, 1.0, 2.0]).unwrap();
        assert_eq!(vary.path, "component.a.mttr");
        let met: Vec<Option<bool>> = points.iter().map(|p| p.meets_target).collect();
        assert_eq!(met, [Some(true), Some(true), Some(false)]);
        assert!((points[2].measures.unavailability - 2.0 / 1002.0).abs() < 1e-15);
    }

    #[test]
    fn a_family_is_swept_whole_unless_an_instance_has_its_own_figures() {
        let family = "[component.b]\ninstances = 3\nmtbf = \"1000h\"\nmttr = \"5h\"\n";
        let system = "[target]\navailability = \"99.99%\"\n[block.system]\nkind = \"k-of-n\"\nk = 2\nmembers = [\"b[*]\"]\n";
        let text = format!("{family}{system}");
        let model = load_model("t.toml", &text, &[]).ok().unwrap().model;
        let items = crate::whatif::sensitivity::importances(&model)
            .unwrap()
            .items;
        let sweep = improvement_sweep(&model, &items).unwrap().unwrap();
        assert_eq!(sweep.vary.path, "component.b.mttr");
        // Each point is the model with every instance at that MTTR: 2-of-3 of q = r/(1000 + r),
        // U = 3q²(1 − q) + q³.
        for (value, point) in sweep.vary.values.iter().zip(&sweep.points) {
            let q = value.x / (1000.0 + value.x);
            let expected = 3.0 * q * q * (1.0 - q) + q.powi(3);
            let u = point.measures.unavailability;
            assert!(
                (u - expected).abs() <= 1e-12 * expected,
                "{}: {u:e} vs {expected:e}",
                value.x
            );
        }
        // With an instance of its own, `component.b.mttr` would not move it: no family sweep.
        let own = format!("{family}[component.\"b[2]\"]\nmttr = \"50h\"\n{system}");
        let model = load_model("t.toml", &own, &[]).ok().unwrap().model;
        let items = crate::whatif::sensitivity::importances(&model)
            .unwrap()
            .items;
        let sweep = improvement_sweep(&model, &items).unwrap().unwrap();
        assert_eq!(sweep.vary.path, "component.b[2].mttr");
    }
}
