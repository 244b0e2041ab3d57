//! The per-window downtime histogram of a simulation: how much downtime each SLA window saw,
//! with the window's downtime budget as a vertical line and the breach probability in the
//! title.

use super::{
    Chart, SERIES_COLOURS, TARGET_COLOUR, bar_swatch, draw_legend, drawing_error, label_style,
    line_swatch, titled,
};
use crate::chart::axis::{LinearDurations, Ticked, duration_key_points, duration_tick, log_points};
use crate::model::units::format_duration_hours;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Downtime per SLA window.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowHistogram {
    /// Title; the breach probability goes on a line of its own under it when known.
    pub title: String,
    /// The window length in hours, for the axis description.
    pub window_hours: f64,
    /// Windows simulated.
    pub windows: u64,
    /// Windows with no downtime at all (not drawn on the log axis; named in the legend).
    pub zero_windows: u64,
    /// Groups of windows with positive downtime: (lower, upper) minutes and count.
    pub bins: Vec<(f64, f64, u64)>,
    /// The downtime a window may have before it breaches the target, minutes.
    pub budget_minutes: Option<f64>,
    /// Breach probability with its 95 % interval, as text (`1.2% (95%: 0.9–1.6%)`).
    pub breach_text: Option<String>,
}

impl Chart for WindowHistogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let total = self.windows.max(1) as f64;
        let mut low = self.bins.first().map(|bin| bin.0).unwrap_or(f64::INFINITY);
        let mut high = self.bins.last().map(|bin| bin.1).unwrap_or(0.0);
        if let Some(budget) = self.budget_minutes.filter(|b| *b > 0.0) {
            low = low.min(budget);
            high = high.max(budget);
        }
        if !low.is_finite() || low <= 0.0 {
            low = 0.1;
        }
        if high <= low {
            high = low * 10.0;
        }
        let (low, high) = (low / 1.5, high * 1.5);
        let tallest = self
            .bins
            .iter()
            .map(|bin| bin.2 as f64 / total * 100.0)
            .fold(0.0f64, f64::max);
        let top = if tallest > 0.0 { tallest * 1.15 } else { 1.0 };
        let figure = self
            .breach_text
            .as_ref()
            .map(|breach| format!("P(breach) {breach}"));
        let area = titled(root, &self.title, figure.as_deref())?;
        // Ticks at durations people say (1m, 10m, 1h…), placed in minutes.
        let mut ticks: Vec<f64> = duration_key_points(low / 60.0, high / 60.0)
            .into_iter()
            .map(|hours| hours * 60.0)
            .collect();
        let linear = LinearDurations::for_range(high / 60.0);
        let listed = !ticks.is_empty();
        if !listed {
            ticks = log_points(low, high, 5);
        }
        let log: LogCoord<f64> = (low..high).log_scale().into();
        let x_axis = Ticked::new(log, ticks);
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(x_axis, 0.0..top)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "downtime in one {} window (log scale)",
                format_duration_hours(self.window_hours)
            ))
            .y_desc("share of windows (%)")
            .axis_desc_style(label_style(16))
            .label_style(label_style(13))
            .x_label_formatter(&|minutes: &f64| match listed {
                true => duration_tick(minutes / 60.0),
                false => linear.label(minutes / 60.0),
            })
            .y_label_formatter(&|percent: &f64| format!("{}%", crate::format::compact(*percent, 3)))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_error)?;
        let colour = SERIES_COLOURS[0];
        let zero_share = self.zero_windows as f64 / total * 100.0;
        chart
            .draw_series(self.bins.iter().map(|(from, to, count)| {
                Rectangle::new(
                    [(*from, 0.0), (*to, *count as f64 / total * 100.0)],
                    colour.mix(0.8).filled(),
                )
            }))
            .map_err(drawing_error)?
            .label(format!(
                "windows with downtime ({} % with none)",
                crate::format::significant(zero_share, 3)
            ))
            .legend(bar_swatch(colour));
        if let Some(budget) = self.budget_minutes.filter(|b| *b > 0.0) {
            chart
                .draw_series(LineSeries::new(
                    [(budget, 0.0), (budget, top)],
                    TARGET_COLOUR.stroke_width(2),
                ))
                .map_err(drawing_error)?
                .label(format!(
                    "downtime budget per window: {}",
                    format_duration_hours(budget / 60.0)
                ))
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
    fn png_has_the_chart_size() {
        let chart = WindowHistogram {
            title: "web".into(),
            window_hours: 720.0,
            windows: 100,
            zero_windows: 60,
            bins: vec![(10.0, 12.0, 30), (30.0, 40.0, 10)],
            budget_minutes: Some(21.6),
            breach_text: Some("10% (95%: 5.5–17%)".into()),
        };
        let png = render(&chart, ImageFormat::Png).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (960, 600));
    }
}
