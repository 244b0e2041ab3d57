//! The sweep chart: availability (on a nines scale) against one parameter, one line per value
//! of a second parameter, with the target as a horizontal line and its crossings marked.

use super::{
    Chart, FONT_FAMILY, SERIES_COLOURS, TARGET_COLOUR, clip_label, draw_legend, drawing_error,
    label_style, line_swatch, titled,
};
use crate::chart::axis::{
    LinearDurations, Ticked, duration_key_points, duration_tick, log_points, nines_key_points,
};
use crate::whatif::vary::AxisUnit;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// One point of a line: x, nines, and the nines interval when simulated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    /// The parameter's value (hours for durations).
    pub x: f64,
    /// −log₁₀ U; infinite points (never down) are not drawn.
    pub nines: f64,
    /// (lower, upper) nines of the 95 % interval, for simulated points.
    pub interval: Option<(f64, f64)>,
}

/// One line of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSeries {
    /// Legend text (`count = 3`), empty for a single line.
    pub label: String,
    /// Points in increasing x.
    pub points: Vec<SweepPoint>,
}

/// Availability against a parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepChart {
    /// Title, usually the model name and what varies.
    pub title: String,
    /// What the x axis shows, with its unit.
    pub x_label: String,
    /// How x values read.
    pub x_unit: AxisUnit,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// The lines.
    pub series: Vec<SweepSeries>,
    /// The target in nines, and its text (`99.95%`).
    pub target: Option<(f64, String)>,
    /// Where lines cross the target: (x, nines) points to mark.
    pub crossings: Vec<(f64, f64)>,
}

impl SweepChart {
    fn y_range(&self) -> (f64, f64) {
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        let mut take = |value: f64| {
            if value.is_finite() {
                low = low.min(value);
                high = high.max(value);
            }
        };
        for point in self.series.iter().flat_map(|series| &series.points) {
            take(point.nines);
            if let Some((a, b)) = point.interval {
                take(a);
                take(b);
            }
        }
        if let Some((nines, _)) = &self.target {
            take(*nines);
        }
        if !low.is_finite() {
            return (0.0, 1.0);
        }
        let pad = ((high - low) * 0.08).max(0.1);
        let top = if self.has_perfect_points() {
            // Room above the finite points for the never-down ones, drawn at the top edge.
            high + 2.0 * pad
        } else {
            high + pad
        };
        ((low - pad).max(0.0), top)
    }

    /// Whether some point is never down (U = 0, infinite nines).
    fn has_perfect_points(&self) -> bool {
        self.series
            .iter()
            .flat_map(|series| &series.points)
            .any(|point| point.nines == f64::INFINITY)
    }

    fn x_range(&self) -> (f64, f64) {
        let xs = self
            .series
            .iter()
            .flat_map(|series| &series.points)
            .map(|point| point.x);
        let (low, high) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        if !low.is_finite() {
            return (0.0, 1.0);
        }
        if high > low {
            (low, high)
        } else if self.log_x {
            (low / 2.0, high * 2.0)
        } else {
            (low - 1.0, high + 1.0)
        }
    }
}

/// An availability tick on the nines axis with as many decimals as its nines need
/// (`99.99%` at 4 nines, `99.968%` at 3.5), not a raw 99.99968377%.
pub(crate) fn nines_tick(nines: f64) -> String {
    if !nines.is_finite() {
        return "100%".into();
    }
    if nines > 9.0 {
        // Beyond nine nines a percentage is a wall of 9s: say the nines.
        return format!("{} nines", crate::format::compact(nines, 3));
    }
    let decimals = (nines.ceil() as i32 - 1).clamp(0, 15) as usize;
    let percent = 100.0 * (1.0 - 10f64.powf(-nines));
    let text = format!("{percent:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}%")
}

impl Chart for SweepChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (x0, x1) = self.x_range();
        if self.log_x && x0 > 0.0 {
            let x: LogCoord<f64> = (x0..x1).log_scale().into();
            if self.x_unit == AxisUnit::Hours {
                // Durations people say (1h, 1d, 30d, 1y), else even steps in one unit.
                let listed = duration_key_points(x0, x1);
                let points = match listed.is_empty() {
                    true => log_points(x0, x1, 5),
                    false => listed,
                };
                return self.draw_on(root, Ticked::new(x, points));
            }
            self.draw_on(root, x)
        } else {
            self.draw_on(root, RangedCoordf64::from(x0..x1))
        }
    }
}

/// The drawing area of a sweep chart once its axes are built (the nines axis ticked at round
/// availabilities).
type SweepContext<'a, DB, X> = ChartContext<'a, DB, Cartesian2d<X, Ticked<RangedCoordf64>>>;

impl SweepChart {
    fn draw_on<DB: DrawingBackend, X>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x_axis: X,
    ) -> Result<(), String>
    where
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (y0, y1) = self.y_range();
        let area = titled(root, &self.title, None)?;
        let y_axis = Ticked::new(RangedCoordf64::from(y0..y1), nines_key_points(y0, y1));
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .x_label_area_size(56)
            .y_label_area_size(96)
            .build_cartesian_2d(x_axis, y_axis)
            .map_err(drawing_error)?;
        let unit = self.x_unit;
        let (_, x_end) = self.x_range();
        let durations = LinearDurations::for_range(x_end);
        let log_durations = self.log_x && unit == AxisUnit::Hours;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc("availability (nines scale: 99.9% = 3, 99.99% = 4)")
            .axis_desc_style(label_style(16))
            .label_style(label_style(13))
            .x_label_formatter(&|x: &f64| {
                // A whole-number axis labels whole numbers only: a tick at 4.5 stays blank.
                if unit == AxisUnit::Count && (x - x.round()).abs() > 1e-9 {
                    String::new()
                } else if log_durations {
                    duration_tick(*x)
                } else if unit == AxisUnit::Hours {
                    durations.label(*x)
                } else {
                    unit.label(*x)
                }
            })
            .y_label_formatter(&|nines: &f64| nines_tick(*nines))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_error)?;

        if let Some((nines, text)) = &self.target {
            let (x0, x1) = self.x_range();
            chart
                .draw_series(LineSeries::new(
                    [(x0, *nines), (x1, *nines)],
                    TARGET_COLOUR.stroke_width(2),
                ))
                .map_err(drawing_error)?
                .label(format!("target {}", clip_label(text, 30)))
                .legend(line_swatch(TARGET_COLOUR));
        }
        for (index, series) in self.series.iter().enumerate() {
            let colour = SERIES_COLOURS[index % SERIES_COLOURS.len()];
            draw_line(&mut chart, series, colour, y1)?;
        }
        self.draw_crossings(&mut chart)?;
        let labelled = self.target.is_some() || self.series.len() > 1;
        if labelled {
            draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    }

    /// Circles where lines cross the target, each labelled with its x.
    fn draw_crossings<DB: DrawingBackend, X>(
        &self,
        chart: &mut SweepContext<'_, DB, X>,
    ) -> Result<(), String>
    where
        X: Ranged<ValueType = f64>,
    {
        if self.crossings.is_empty() {
            return Ok(());
        }
        let unit = self.x_unit;
        chart
            .draw_series(self.crossings.iter().map(|(x, nines)| {
                EmptyElement::at((*x, *nines))
                    + Circle::new((0, 0), 7, TARGET_COLOUR.stroke_width(2))
                    + Text::new(
                        unit.label(*x),
                        (8, -22),
                        (FONT_FAMILY, 14).into_font().color(&TARGET_COLOUR),
                    )
            }))
            .map_err(drawing_error)?;
        Ok(())
    }
}

/// Draws one line of the chart in `colour`: its points, its legend entry when labelled, its
/// never-down points at the top edge `top`, and its interval bars.
fn draw_line<DB: DrawingBackend, X>(
    chart: &mut SweepContext<'_, DB, X>,
    series: &SweepSeries,
    colour: RGBColor,
    top: f64,
) -> Result<(), String>
where
    X: Ranged<ValueType = f64>,
{
    let points: Vec<(f64, f64)> = series
        .points
        .iter()
        .filter(|point| point.nines.is_finite())
        .map(|point| (point.x, point.nines))
        .collect();
    let drawn = chart
        .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
        .map_err(drawing_error)?;
    if !series.label.is_empty() {
        drawn
            .label(clip_label(&series.label, 40))
            .legend(line_swatch(colour));
    }
    chart
        .draw_series(
            points
                .iter()
                .map(|point| Circle::new(*point, 3, colour.filled())),
        )
        .map_err(drawing_error)?;
    // Never-down points (U = 0) have no place on a nines axis: an open triangle at the top
    // edge, labelled.
    let perfect = series
        .points
        .iter()
        .filter(|point| point.nines == f64::INFINITY)
        .map(|point| {
            EmptyElement::at((point.x, top))
                + TriangleMarker::new((0, 6), 6, colour.stroke_width(2))
                + Text::new("100%", (6, 8), (FONT_FAMILY, 12).into_font().color(&colour))
        });
    chart.draw_series(perfect).map_err(drawing_error)?;
    let bars = series.points.iter().filter_map(|point| {
        let (low, high) = point.interval?;
        let low = if low.is_finite() { low } else { top };
        let high = if high.is_finite() { high } else { top };
        Some(PathElement::new(
            [(point.x, low), (point.x, high)],
            colour.stroke_width(1),
        ))
    });
    chart.draw_series(bars).map_err(drawing_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ImageFormat, render};

    fn chart(log_x: bool) -> SweepChart {
        SweepChart {
            title: "db MTTR <sweep> & more".into(),
            x_label: "db MTTR (hours)".into(),
            x_unit: AxisUnit::Hours,
            log_x,
            series: vec![SweepSeries {
                label: String::new(),
                points: (1..=5)
                    .map(|i| SweepPoint {
                        x: i as f64,
                        nines: 5.0 - 0.3 * i as f64,
                        interval: Some((4.9 - 0.3 * i as f64, 5.1 - 0.3 * i as f64)),
                    })
                    .collect(),
            }],
            target: Some((4.0, "99.99%".into())),
            crossings: vec![(10.0 / 3.0, 4.0)],
        }
    }

    #[test]
    fn svg_is_well_formed_and_escapes_the_title() {
        for log_x in [false, true] {
            let svg = String::from_utf8(render(&chart(log_x), ImageFormat::Svg).unwrap()).unwrap();
            let document = roxmltree::Document::parse(&svg).unwrap();
            let texts: Vec<&str> = document
                .descendants()
                .filter(|node| node.has_tag_name("text"))
                .filter_map(|node| node.text())
                .collect();
            assert!(texts.iter().any(|t| t.contains("db MTTR <sweep> & more")));
            assert!(texts.iter().any(|t| t.contains("99.99%")), "{texts:?}");
        }
    }

    #[test]
    fn axis_labels_read_like_people_write_them() {
        // 1 − 10^−4 = 99.99 %; 1 − 10^−3.5 = 0.99968377… → 99.968 %; 5.4 → 99.99960… %.
        assert_eq!(nines_tick(4.0), "99.99%");
        assert_eq!(nines_tick(3.5), "99.968%");
        assert_eq!(nines_tick(5.4), "99.9996%");
        assert_eq!(nines_tick(0.0), "0%");
        assert_eq!(nines_tick(12.5), "12.5 nines");
    }
}
