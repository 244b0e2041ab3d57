//! The exact downtime distribution of one SLA window: P(downtime in the window > x) against
//! x, with the window's downtime budget marked and the breach probability on its own line
//! under the title.

use super::axis::LinearDurations;
use super::{
    Chart, SERIES_COLOURS, TARGET_COLOUR, draw_legend, drawing_error, label_style, line_swatch,
    titled,
};
use plotters::coord::Shift;
use plotters::prelude::*;

/// P(downtime > x) of one window, computed exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedanceChart {
    /// Title, usually the model name and the window.
    pub title: String,
    /// The key figure under the title (`P(breach) 0.338 % (exact)`), never cut.
    pub figure: Option<String>,
    /// Points (x hours, P(downtime > x)), x increasing.
    pub points: Vec<(f64, f64)>,
    /// The downtime the target allows in one window, hours.
    pub budget_hours: Option<f64>,
}

/// Smallest probability the logarithmic axis shows: below it the curve is cut.
const FLOOR: f64 = 1e-12;

impl Chart for ExceedanceChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let points: Vec<(f64, f64)> = self
            .points
            .iter()
            .copied()
            .filter(|(x, p)| x.is_finite() && *p >= FLOOR)
            .collect();
        let x_end = points
            .iter()
            .map(|(x, _)| *x)
            .chain(self.budget_hours)
            .fold(0.0f64, f64::max)
            .max(1.0 / 60.0);
        let lowest = points.iter().map(|(_, p)| *p).fold(1.0f64, f64::min);
        let y_low = 10f64.powf(lowest.log10().floor()).max(FLOOR);
        let area = titled(root, &self.title, self.figure.as_deref())?;
        let durations = LinearDurations::for_range(x_end);
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..x_end * 1.05, (y_low..1.0).log_scale())
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc("downtime in one window, x")
            .y_desc("P(downtime > x)")
            .axis_desc_style(label_style(16))
            .label_style(label_style(13))
            .x_label_formatter(&|hours: &f64| durations.label(*hours))
            .y_label_formatter(&|p: &f64| format!("{}%", crate::format::compact(p * 100.0, 3)))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_error)?;
        let colour = SERIES_COLOURS[0];
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(drawing_error)?
            .label("exact, from the Markov chain")
            .legend(line_swatch(colour));
        if let Some(budget) = self.budget_hours {
            chart
                .draw_series(LineSeries::new(
                    [(budget, y_low), (budget, 1.0)],
                    TARGET_COLOUR.stroke_width(2),
                ))
                .map_err(drawing_error)?
                .label(format!("downtime budget: {}", durations.label(budget)))
                .legend(line_swatch(TARGET_COLOUR));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ImageFormat, render};

    #[test]
    fn the_curve_the_budget_and_the_figure_are_drawn() {
        // P(D > x) = e^(−x/h) for x in hours: a straight line on the log axis.
        let chart = ExceedanceChart {
            title: "pair: downtime per 30d window".into(),
            figure: Some("P(breach) 0.338% (exact)".into()),
            points: (0..50)
                .map(|i| (i as f64 * 0.01, (-(i as f64) * 0.01 / 0.05).exp()))
                .collect(),
            budget_hours: Some(0.072),
        };
        let svg = String::from_utf8(render(&chart, ImageFormat::Svg).unwrap()).unwrap();
        assert!(svg.contains("P(breach) 0.338% (exact)"), "the figure line");
        assert!(
            svg.contains("downtime budget: 4.32m"),
            "the budget in the axis unit"
        );
        assert!(svg.contains("<polyline"), "the curve");
    }
}
