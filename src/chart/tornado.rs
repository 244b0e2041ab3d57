//! The tornado chart of `nines sensitivity`: downtime saved per year by each improvement,
//! largest at the top, so the first bar is what to fix first.

use super::{
    Chart, SERIES_COLOURS, bar_swatch, clip_label, draw_legend, drawing_error, label_style, titled,
};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One item's bars.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// The item's name (and kind).
    pub label: String,
    /// Downtime saved per year when its MTBF doubles, minutes (≥ 0 for coherent systems).
    pub mtbf_saved_minutes: f64,
    /// Downtime saved per year when its MTTR halves, minutes.
    pub mttr_saved_minutes: f64,
}

/// Downtime saved per item, sorted as given (the caller sorts by effect).
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoChart {
    /// Title.
    pub title: String,
    /// Rows, top first; at most [`TornadoChart::MAX_ROWS`] are drawn.
    pub rows: Vec<TornadoRow>,
}

impl TornadoChart {
    /// Rows beyond this many are left out of the drawing (the table lists them all).
    pub const MAX_ROWS: usize = 25;

    fn shown(&self) -> &[TornadoRow] {
        &self.rows[..self.rows.len().min(Self::MAX_ROWS)]
    }
}

impl Chart for TornadoChart {
    fn size(&self) -> (u32, u32) {
        let rows = self.shown().len().max(1) as u32;
        (960, (160 + rows * 44).max(320))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let rows = self.shown();
        let largest = rows
            .iter()
            .flat_map(|row| [row.mtbf_saved_minutes, row.mttr_saved_minutes])
            .filter(|value| value.is_finite())
            .fold(0.0f64, f64::max);
        let smallest = rows
            .iter()
            .flat_map(|row| [row.mtbf_saved_minutes, row.mttr_saved_minutes])
            .filter(|value| value.is_finite())
            .fold(0.0f64, f64::min);
        let high = if largest > 0.0 { largest * 1.08 } else { 1.0 };
        let low = if smallest < 0.0 { smallest * 1.08 } else { 0.0 };
        let count = rows.len().max(1) as f64;
        let names: Vec<String> = rows.iter().map(|row| clip_label(&row.label, 28)).collect();
        let area = titled(root, &self.title, None)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .x_label_area_size(56)
            .y_label_area_size(230)
            .build_cartesian_2d(low..high, 0.0..count)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("downtime saved per year (minutes)")
            .x_label_formatter(&|minutes: &f64| crate::format::compact(*minutes, 3))
            .axis_desc_style(label_style(16))
            .label_style(label_style(13))
            .y_labels(rows.len().max(1) * 2 + 1)
            .y_label_formatter(&|y: &f64| {
                // Row i occupies [count − i − 1, count − i); label its middle.
                let position = count - y;
                let index = (position - 0.5).round();
                if (position - 0.5 - index).abs() < 1e-6 && index >= 0.0 {
                    names.get(index as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_error)?;

        let series = [
            ("MTBF × 2", SERIES_COLOURS[0], 0.52, 0.88),
            ("MTTR ÷ 2", SERIES_COLOURS[1], 0.12, 0.48),
        ];
        for (which, (label, colour, from, to)) in series.into_iter().enumerate() {
            let bars = rows.iter().enumerate().map(|(index, row)| {
                let value = if which == 0 {
                    row.mtbf_saved_minutes
                } else {
                    row.mttr_saved_minutes
                };
                let value = if value.is_finite() { value } else { 0.0 };
                let base = count - index as f64 - 1.0;
                Rectangle::new([(0.0, base + from), (value, base + to)], colour.filled())
            });
            chart
                .draw_series(bars)
                .map_err(drawing_error)?
                .label(label)
                .legend(bar_swatch(colour));
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ImageFormat, render};

    #[test]
    fn draws_one_pair_of_bars_per_row() {
        let chart = TornadoChart {
            title: "what to fix first".into(),
            rows: vec![
                TornadoRow {
                    label: "db".into(),
                    mtbf_saved_minutes: 100.0,
                    mttr_saved_minutes: 90.0,
                },
                TornadoRow {
                    label: "web|<node>".into(),
                    mtbf_saved_minutes: 1.0,
                    mttr_saved_minutes: 0.5,
                },
            ],
        };
        let svg = String::from_utf8(render(&chart, ImageFormat::Svg).unwrap()).unwrap();
        let document = roxmltree::Document::parse(&svg).unwrap();
        let filled_bars = document
            .descendants()
            .filter(|node| node.has_tag_name("rect"))
            .filter(|node| {
                node.attribute("fill")
                    .is_some_and(|fill| fill == "#0072B2" || fill == "#D55E00")
            })
            .count();
        // Two rows × two bars, plus the two legend swatches.
        assert_eq!(filled_bars, 6, "{svg}");
        assert!(svg.contains("web|&lt;node&gt;"));
    }
}
