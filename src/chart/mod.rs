//! Charts for design reviews, drawn with `plotters`: SVG by default, PNG on request.
//!
//! Every chart is a plain data struct implementing [`Chart`]; [`render`] draws it on either
//! backend. Text is laid out with DejaVu Sans, bundled in the binary (`assets/fonts`), so
//! charts look the same on a machine with no fonts installed: PNG text is rasterised from the
//! bundled font, and SVG text names the `sans-serif` family with widths measured on it.

pub(crate) mod axis;
pub(crate) mod exceedance;
pub(crate) mod histogram;
pub(crate) mod nines_spread;
pub(crate) mod repair_fit;
pub mod sweep;
pub(crate) mod tornado;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use std::sync::Once;

/// The bundled font (DejaVu Sans; licence in `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name charts use; the bundled font is registered under it.
pub(crate) const FONT_FAMILY: &str = "sans-serif";

/// Image file formats a chart can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Scalable vector graphics: text stays text, the default.
    Svg,
    /// A bitmap, for tools that cannot show SVG.
    Png,
}

impl ImageFormat {
    /// The file extension, without the dot.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Png => "png",
        }
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("could not draw the chart: {0}")]
pub struct ChartError(String);

impl ChartError {
    /// An error with this message (e.g. from writing the chart's text).
    pub(crate) fn from_message(message: String) -> Self {
        Self(message)
    }
}

/// A chart that can draw itself on any `plotters` backend.
pub trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32) {
        (960, 600)
    }

    /// Draws the chart on `root`, which is already filled white.
    ///
    /// # Errors
    /// A message when `plotters` fails.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The font is compiled in; failing to parse it would be a build defect.
        let registered = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT);
        debug_assert!(registered.is_ok(), "the bundled font does not parse");
    });
}

/// Draws `chart` in `format` and returns the file's bytes.
///
/// # Errors
/// [`ChartError`] when drawing or encoding fails.
pub fn render(chart: &impl Chart, format: ImageFormat) -> Result<Vec<u8>, ChartError> {
    register_font();
    let (width, height) = chart.size();
    match format {
        ImageFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
                root.fill(&WHITE).map_err(|e| ChartError(e.to_string()))?;
                chart.draw(&root).map_err(ChartError)?;
                root.present().map_err(|e| ChartError(e.to_string()))?;
            }
            Ok(text.into_bytes())
        }
        ImageFormat::Png => {
            let mut pixels = vec![0u8; width as usize * height as usize * 3];
            {
                let root =
                    BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
                root.fill(&WHITE).map_err(|e| ChartError(e.to_string()))?;
                chart.draw(&root).map_err(ChartError)?;
                root.present().map_err(|e| ChartError(e.to_string()))?;
            }
            encode_png(&pixels, width, height)
        }
    }
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| ChartError(e.to_string()))?;
    writer
        .write_image_data(rgb)
        .map_err(|e| ChartError(e.to_string()))?;
    writer.finish().map_err(|e| ChartError(e.to_string()))?;
    Ok(bytes)
}

/// Converts a `plotters` error into the message [`Chart::draw`] returns.
pub(crate) fn drawing_error<E: std::fmt::Display>(error: E) -> String {
    error.to_string()
}

/// The text style for axis descriptions and labels.
pub(crate) fn label_style(size: u32) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&BLACK)
}

/// Draws the legend of every labelled series at `position`, in the charts' one style.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font(label_style(13))
        .draw()
        .map_err(drawing_error)
}

/// A point on the drawing backend, in pixels.
type Pixel = (i32, i32);

/// The legend swatch of a line series: a short line in `colour`.
pub(crate) fn line_swatch(colour: RGBColor) -> impl Fn(Pixel) -> PathElement<Pixel> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2))
}

/// The legend swatch of a bar series: a small filled box in `colour`.
pub(crate) fn bar_swatch(colour: RGBColor) -> impl Fn(Pixel) -> Rectangle<Pixel> {
    move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], colour.filled())
}

/// Colours for series, distinguishable and print-friendly (Okabe–Ito).
pub(crate) const SERIES_COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(0, 0, 0),
];

/// The colour of target and budget lines.
pub(crate) const TARGET_COLOUR: RGBColor = RGBColor(200, 30, 30);

/// Draws a chart's title at the top of `root`, cut with `…` only when it is too wide, and
/// under it, when given, the line with the chart's key figure (a breach probability with its
/// interval), which is never cut; returns the area left below for the chart.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    figure: Option<&str>,
) -> Result<DrawingArea<DB, Shift>, String> {
    const TITLE_SIZE: u32 = 22;
    const FIGURE_SIZE: u32 = 17;
    let (width, _) = root.dim_in_pixel();
    // About 0.55 em per character in the sans-serif font: the title keeps what fits.
    let fits = |size: u32| ((width as f64 - 36.0) / (size as f64 * 0.55)).max(10.0) as usize;
    let mut lines = vec![(clip_label(title, fits(TITLE_SIZE)), TITLE_SIZE)];
    if let Some(figure) = figure {
        lines.push((figure.to_string(), FIGURE_SIZE));
    }
    let height: u32 = 12 + lines.iter().map(|(_, size)| size + 8).sum::<u32>();
    let (top, rest) = root.split_vertically(height);
    let mut y = 10;
    for (text, size) in &lines {
        let style = label_style(*size).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
        top.draw(&Text::new(text.as_str(), (width as i32 / 2, y), style))
            .map_err(drawing_error)?;
        y += (*size + 8) as i32;
    }
    Ok(rest)
}

/// Shortens `text` to at most `limit` characters, ending in `…` when cut, for titles.
pub(crate) fn clip_label(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(limit.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}
