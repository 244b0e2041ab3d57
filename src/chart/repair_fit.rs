//! The chart of `nines fit --plot`: a component's repair times as an empirical CDF (a step
//! line, Kaplan–Meier when some repairs were still running) with each fitted CDF over it, on
//! a logarithmic time axis, so a user can see which distribution follows the data.

use super::{
    Chart, SERIES_COLOURS, clip_label, draw_legend, drawing_error, label_style, line_swatch, titled,
};
use crate::chart::axis::{LinearDurations, Ticked, duration_key_points, duration_tick, log_points};
use crate::fit::ComponentFit;
use crate::fit::repair::empirical_cdf;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Points per fitted curve.
const POINTS: usize = 200;

/// One component's repair-time chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RepairFitChart {
    /// Title (the component and how many repairs).
    pub title: String,
    /// The empirical CDF: (hours, value just before, value at) at each completed repair time.
    pub empirical: Vec<(f64, f64, f64)>,
    /// Each fitted CDF: its label and (hours, CDF) points in increasing hours.
    pub fits: Vec<(String, Vec<(f64, f64)>)>,
}

impl RepairFitChart {
    /// The chart of one component's repairs and their fits.
    pub fn of(component: &ComponentFit) -> Self {
        let completed = component.repairs.iter().filter(|r| !r.censored).count();
        let open = component.repairs.len() - completed;
        let mut chart = Self {
            title: format!(
                "{}: {completed} repair{}{}",
                component.name,
                if completed == 1 { "" } else { "s" },
                if open > 0 {
                    format!(", {open} still running")
                } else {
                    String::new()
                }
            ),
            empirical: empirical_cdf(&component.repairs),
            fits: Vec::new(),
        };
        let (x0, x1) = chart.hours_range();
        chart.fits = component
            .repair_fits
            .iter()
            .map(|fit| {
                let points = (0..=POINTS)
                    .map(|i| {
                        let hours = x0 * (x1 / x0).powf(i as f64 / POINTS as f64);
                        (hours, fit.cdf(hours))
                    })
                    .collect();
                (
                    format!("{} (AIC {:.1})", fit.family.name(), fit.aic),
                    points,
                )
            })
            .collect();
        chart
    }

    /// The time range shown: the data's, widened by a factor of 2 on each side.
    pub fn hours_range(&self) -> (f64, f64) {
        let (low, high) = self
            .empirical
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(low, high), (t, _, _)| {
                (low.min(*t), high.max(*t))
            });
        if low.is_finite() && low > 0.0 {
            (low / 2.0, high * 2.0)
        } else {
            (0.01, 100.0)
        }
    }
}

impl Chart for RepairFitChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (x0, x1) = self.hours_range();
        let area = titled(root, &self.title, None)?;
        // Ticks at durations people say (10m, 1h, 1d), else even steps in one unit.
        let listed = duration_key_points(x0, x1);
        let linear = LinearDurations::for_range(x1);
        let by_name = !listed.is_empty();
        let points = match by_name {
            true => listed,
            false => log_points(x0, x1, 5),
        };
        let log: LogCoord<f64> = (x0..x1).log_scale().into();
        let x_axis = Ticked::new(log, points);
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .x_label_area_size(56)
            .y_label_area_size(72)
            .build_cartesian_2d(x_axis, 0.0..1.0)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc("repair time (log scale)")
            .y_desc("fraction of repairs done")
            .axis_desc_style(label_style(16))
            .label_style(label_style(13))
            .x_label_formatter(&|x: &f64| match by_name {
                true => duration_tick(*x),
                false => linear.label(*x),
            })
            .y_label_formatter(&|y: &f64| format!("{:.0}%", y * 100.0))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_error)?;
        for (index, (label, points)) in self.fits.iter().enumerate() {
            let colour = SERIES_COLOURS[(index + 1) % SERIES_COLOURS.len()];
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour.stroke_width(2),
                ))
                .map_err(drawing_error)?
                .label(clip_label(label, 40))
                .legend(line_swatch(colour));
        }
        let colour = SERIES_COLOURS[SERIES_COLOURS.len() - 1];
        let mut steps = vec![(x0, 0.0)];
        for (hours, before, at) in &self.empirical {
            steps.push((*hours, *before));
            steps.push((*hours, *at));
        }
        if let Some((_, _, last)) = self.empirical.last() {
            steps.push((x1, *last));
        }
        chart
            .draw_series(LineSeries::new(steps, colour.stroke_width(3)))
            .map_err(drawing_error)?
            .label("observed")
            .legend(line_swatch(colour));
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ImageFormat, render};

    #[test]
    fn draws_the_steps_and_the_fits_as_svg() {
        let chart = RepairFitChart {
            title: "db: 3 repairs".into(),
            empirical: vec![
                (1.0, 0.0, 1.0 / 3.0),
                (4.0, 1.0 / 3.0, 2.0 / 3.0),
                (9.0, 2.0 / 3.0, 1.0),
            ],
            fits: vec![(
                "exponential".into(),
                (1..=40)
                    .map(|i| {
                        let t = 0.5 * 1.2f64.powi(i);
                        (t, 1.0 - (-t / 4.67f64).exp())
                    })
                    .collect(),
            )],
        };
        assert_eq!(chart.hours_range(), (0.5, 18.0));
        let svg = String::from_utf8(render(&chart, ImageFormat::Svg).unwrap()).unwrap();
        assert!(svg.contains("observed") && svg.contains("exponential"));
        assert!(svg.contains("<polyline") || svg.contains("<path"));
    }
}
