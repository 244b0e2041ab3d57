//! Sweeps and boundary searches over one component's MTBF or MTTR, done on the validated
//! model directly (rates, not overrides), so they work however the component's figures were
//! written (mtbf, failure_rate or availability). Used by `nines report`.

use super::find::{Found, find};
use super::sweep::Point;
use super::vary::{Vary, VaryValue, override_for};
use crate::model::Model;
use crate::solve::SolveError;
use crate::solve::structure::Solver;
use crate::whatif::vary::AxisUnit;

/// Which figure of a component changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Mean time between failures (1/λ).
    Mtbf,
    /// Mean time to repair (1/μ).
    Mttr,
}

impl Figure {
    /// The key as written in a model.
    pub fn key(self) -> &'static str {
        match self {
            Self::Mtbf => "mtbf",
            Self::Mttr => "mttr",
        }
    }
}

/// The component's present value of `figure`, hours; `None` when it never fails (no MTBF).
pub fn current_hours(model: &Model, component: usize, figure: Figure) -> Option<f64> {
    let component = &model.components[component];
    let rate = match figure {
        Figure::Mtbf => component.failure_rate,
        Figure::Mttr => component.repair_rate,
    };
    (rate > 0.0).then(|| 1.0 / rate)
}

fn with_hours(model: &Model, component: usize, figure: Figure, hours: f64) -> Model {
    let mut changed = model.clone();
    let rate = 1.0 / hours;
    match figure {
        Figure::Mtbf => changed.components[component].failure_rate = rate,
        Figure::Mttr => changed.components[component].repair_rate = rate,
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
pub fn sweep(
    model: &Model,
    component: usize,
    figure: Figure,
    hours: &[f64],
) -> Result<(Vary, Vec<Point>), SolveError> {
    let path = format!(
        "component.{}.{}",
        model.components[component].name,
        figure.key()
    );
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
        let measures = system(&with_hours(model, component, figure, value.x))?;
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
    component: usize,
    figure: Figure,
    range: (f64, f64),
    target_unavailability: f64,
) -> Result<Found, SolveError> {
    let current = current_hours(model, component, figure).unwrap_or(range.0);
    find(range, true, current, |hours| {
        Ok(
            system(&with_hours(model, component, figure, hours))?.unavailability
                <= target_unavailability,
        )
    })
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
        let found = boundary(&model, 0, Figure::Mttr, (0.01, 100.0), 0.001).unwrap();
        let Found::Boundary { value, holds_below } = found else {
            panic!("{found:?}");
        };
        assert!(holds_below);
        assert!((value - 1.0 / 0.999).abs() < 1e-9, "{value}");
        let (vary, points) = sweep(&model, 0, Figure::Mttr, &[0.5, 1.0, 2.0]).unwrap();
        assert_eq!(vary.path, "component.a.mttr");
        let met: Vec<Option<bool>> = points.iter().map(|p| p.meets_target).collect();
        assert_eq!(met, [Some(true), Some(true), Some(false)]);
        assert!((points[2].measures.unavailability - 2.0 / 1002.0).abs() < 1e-15);
    }
}
