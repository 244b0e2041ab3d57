//! The chart of `nines uncertainty --plot`: how the sampled nines spread, with the target
//! marked, so a reader sees at a glance how much of the doubt lies on the wrong side.

use super::{
    Chart, SERIES_COLOURS, TARGET_COLOUR, bar_swatch, clip_label, draw_legend, drawing_error,
    label_style, line_swatch, titled,
};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A histogram of sampled nines.
#[derive(Debug, Clone, PartialEq)]
pub struct NinesSpread {
    /// Title.
    pub title: String,
    /// Bins: (lower nines, upper nines, share of samples).
    pub bins: Vec<(f64, f64, f64)>,
    /// The target in nines, and its text.
    pub target: Option<(f64, String)>,
}

/// Bins for `values` (finite ones), `count` of equal width.
pub fn bins_of(values: &[f64], count: usize) -> Vec<(f64, f64, f64)> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() || count == 0 {
        return Vec::new();
    }
    let low = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let high = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let width = if high > low {
        (high - low) / count as f64
    } else {
        0.1
    };
    let mut counts = vec![0usize; count];
    for value in &finite {
        let index = (((value - low) / width) as usize).min(count - 1);
        counts[index] += 1;
    }
    let total = values.len() as f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let from = low + i as f64 * width;
            (from, from + width, *c as f64 / total)
        })
        .collect()
}

impl Chart for NinesSpread {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let mut low = self.bins.first().map_or(0.0, |b| b.0);
        let mut high = self.bins.last().map_or(1.0, |b| b.1);
        if let Some((target, _)) = &self.target {
            low = low.min(*target);
            high = high.max(*target);
        }
        let pad = ((high - low) * 0.05).max(0.05);
        let tallest = self.bins.iter().map(|b| b.2).fold(0.0f64, f64::max);
        let area = titled(root, &self.title, None)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .x_label_area_size(56)
            .y_label_area_size(72)
            .build_cartesian_2d((low - pad)..(high + pad), 0.0..(tallest * 1.15).max(0.01))
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc("nines (−log10 of the unavailability)")
            .y_desc("share of samples")
            .axis_desc_style(label_style(16))
            .label_style(label_style(13))
            .y_label_formatter(&|y: &f64| format!("{:.0}%", y * 100.0))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_error)?;
        let colour = SERIES_COLOURS[0];
        chart
            .draw_series(self.bins.iter().map(|(from, to, share)| {
                Rectangle::new([(*from, 0.0), (*to, *share)], colour.filled())
            }))
            .map_err(drawing_error)?
            .label("samples")
            .legend(bar_swatch(colour));
        if let Some((target, text)) = &self.target {
            chart
                .draw_series(LineSeries::new(
                    [(*target, 0.0), (*target, tallest * 1.15)],
                    TARGET_COLOUR.stroke_width(2),
                ))
                .map_err(drawing_error)?
                .label(format!("target {}", clip_label(text, 30)))
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
    fn bins_cover_the_values_and_sum_to_the_finite_share() {
        // 1, 2, 3, 4 in two bins of width 1.5: [1, 2.5) holds 1 and 2, [2.5, 4] holds 3 and 4;
        // the infinite value counts in the total but in no bin.
        let bins = bins_of(&[1.0, 2.0, 3.0, 4.0, f64::INFINITY], 2);
        assert_eq!(bins, vec![(1.0, 2.5, 0.4), (2.5, 4.0, 0.4)]);
    }

    #[test]
    fn draws_as_svg_with_the_target() {
        let chart = NinesSpread {
            title: "t".into(),
            bins: bins_of(&[3.5, 3.9, 4.1, 4.4], 4),
            target: Some((4.0, "99.99%".into())),
        };
        let svg = String::from_utf8(render(&chart, ImageFormat::Svg).unwrap()).unwrap();
        assert!(svg.contains("target 99.99%"));
    }
}
