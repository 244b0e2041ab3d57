//! The design-review report of one model: what `nines report` writes.
//!
//! Sections: a summary with the verdict and what to fix first, the topology, the exact
//! measures per block, the simulation with intervals and the per-window downtime histogram,
//! the importance tornado, and a sweep of the most important figure with its boundary.
//! Everything is computed by the caller; this module only lays it out ([`super::document`]).

use super::document::{Document, Part};
use super::markdown::{code_span, escape, escape_prose};
use super::sentences::{boundary_sentence, sweep_verdicts};
use super::simulation::{self, Estimates};
use super::table::{BLOCK_TITLES, block_cells, summary_lines};
use super::whatif::{fix_first_sentence, sweep_chart, tornado_chart, write_importance_markdown};
use super::{ModelResult, describe_kind};
use crate::chart::histogram::WindowHistogram;
use crate::chart::tornado::TornadoChart;
use crate::chart::{ChartError, ImageFormat, render};
use crate::format::{availability_percent, compact, downtime, hours, nines, significant};
use crate::model::units::format_duration_hours;
use crate::simulate::shard::Record;
use crate::whatif::rates::ImprovementSweep;
use crate::whatif::sensitivity::Importance;
use crate::whatif::sweep::Point;
use crate::whatif::vary::Vary;

/// What the report shows, computed by the caller.
pub struct Review<'a> {
    /// The model, its file and its exact solution (and verdict).
    pub result: ModelResult<'a>,
    /// The simulation, unless skipped.
    pub record: Option<&'a Record>,
    /// Importance of every item, sorted.
    pub importances: &'a [Importance],
    /// Why items (or the whole analysis) are missing from the importance list.
    pub importance_notes: &'a [String],
    /// The sweep, when there is a figure to sweep.
    pub sweep: Option<ImprovementSweep>,
}

/// An image file written beside the report.
pub struct ChartFile {
    /// File name, relative to the report.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Lays out the report; charts are named `STEM-KIND.svg` (or `.png`) and returned to be
/// written beside it.
///
/// # Errors
/// [`ChartError`] when a chart cannot be drawn.
pub fn review(
    inputs: &Review<'_>,
    stem: &str,
    format: ImageFormat,
) -> Result<(Document, Vec<ChartFile>), ChartError> {
    let model = inputs.result.model;
    let mut document = Document {
        title: format!("{} — availability review", model.name),
        parts: Vec::new(),
    };
    let mut files = Vec::new();
    let mut chart = |document: &mut Document,
                     kind: &str,
                     svg: Vec<u8>,
                     caption: String,
                     file_bytes: Option<Vec<u8>>|
     -> Result<(), ChartError> {
        let (name, bytes) = match file_bytes {
            Some(bytes) => (format!("{stem}-{kind}.{}", format.extension()), bytes),
            None => (format!("{stem}-{kind}.svg"), svg.clone()),
        };
        document.parts.push(Part::Chart {
            file: name.clone(),
            svg: String::from_utf8_lossy(&svg).into_owned(),
            caption,
        });
        files.push(ChartFile { name, bytes });
        Ok(())
    };
    let both = |drawn: &dyn Fn(ImageFormat) -> Result<Vec<u8>, ChartError>| -> Result<
        (Vec<u8>, Option<Vec<u8>>),
        ChartError,
    > {
        let svg = drawn(ImageFormat::Svg)?;
        let file = match format {
            ImageFormat::Svg => None,
            ImageFormat::Png => Some(drawn(ImageFormat::Png)?),
        };
        Ok((svg, file))
    };

    // Summary.
    document.markdown(summary(inputs));

    // Topology.
    document.markdown("## Topology");
    let topology = super::topology::topology_svg(model).into_bytes();
    chart(
        &mut document,
        "topology",
        topology,
        "The system's blocks and components (×n: copies; dashed: shared)".into(),
        None,
    )?;
    document.parts.push(Part::Code {
        language: "mermaid".into(),
        summary: "Mermaid source of the diagram".into(),
        text: super::diagram::mermaid(model),
    });

    // Exact measures.
    document.markdown(exact_section(&inputs.result));

    // Simulation.
    if let Some(record) = inputs.record {
        let mut text = Vec::new();
        simulation::write_markdown(&mut text, record).map_err(|e| error(&e))?;
        let text = String::from_utf8_lossy(&text).replacen(
            &format!("## {} (simulated)", escape(&record.model)),
            "## Simulation",
            1,
        );
        document.markdown(text);
        if record.tally.windows > 0 {
            let histogram = window_histogram(record);
            let (svg, file) = both(&|f| render(&histogram, f))?;
            chart(
                &mut document,
                "windows",
                svg,
                format!(
                    "Downtime per {} SLA window over {} simulated windows",
                    format_duration_hours(record.window_hours),
                    record.tally.windows
                ),
                file,
            )?;
        }
    }

    // Importance.
    document.markdown(
        "## What to fix first\n\nThe downtime a year saved when each item's MTBF doubles or its \
         MTTR halves, and its importance measures, for one copy of each item (the `copies` column says how many there are).",
    );
    if !inputs.importances.is_empty() {
        let tornado = tornado_chart(&model.name, inputs.importances);
        let (svg, file) = both(&|f| render(&tornado, f))?;
        chart(
            &mut document,
            "tornado",
            svg,
            "Downtime saved per year, largest first".into(),
            file,
        )?;
        let mut table = Vec::new();
        write_importance_markdown(&mut table, inputs.importances).map_err(|e| error(&e))?;
        if inputs.importances.len() > TornadoChart::MAX_ROWS {
            document.markdown(format!(
                "The chart shows the first {} items; the table lists all {}.",
                TornadoChart::MAX_ROWS,
                inputs.importances.len()
            ));
        }
        document.markdown(String::from_utf8_lossy(&table).into_owned());
        document.markdown(
            "Birnbaum: U(item down) − U(item up). Criticality: the share of the downtime the \
             item causes, (U − U(item up))/U. RAW: U(item down)/U. RRW: U/U(item up).",
        );
    }

    if !inputs.importance_notes.is_empty() {
        let notes: Vec<String> = inputs
            .importance_notes
            .iter()
            .map(|note| format!("- {}", escape_prose(note)))
            .collect();
        document.markdown(notes.join("\n"));
    }

    // Sweep.
    if let Some(sweep) = &inputs.sweep {
        let first = sweep.vary.values.first().map_or(0.0, |v| v.x);
        let last = sweep.vary.values.last().map_or(0.0, |v| v.x);
        let held = sweep.held.as_ref().map_or(String::new(), |held| {
            format!(" --set {}={}h", held.path, compact(held.hours, 12))
        });
        let (key, other) = match sweep.vary.path.rsplit_once('.') {
            Some((_, "mttr")) => ("MTTR", "MTBF"),
            _ => ("MTBF", "MTTR"),
        };
        let command = format!(
            "nines sweep {}{held} --vary {}={}h..{}h --log",
            inputs.result.file,
            sweep.vary.path,
            compact(first, 6),
            compact(last, 6),
        );
        document.markdown(format!(
            "## Sweep: {}\n\nThe exact availability as the {key} in `{}` ranges around its \
             present value, its {other} held fixed; the same as\n\n{}",
            escape(&sweep.vary.path),
            sweep.vary.path,
            code_span(&command),
        ));
        let varies = [sweep.vary.clone()];
        let sweep_drawing = sweep_chart(&model.name, &varies, &sweep.points, true);
        let (svg, file) = both(&|f| render(&sweep_drawing, f))?;
        chart(
            &mut document,
            "sweep",
            svg,
            format!("Availability against {}", sweep.vary.path),
            file,
        )?;
        let mut sentences = sweep_verdicts(&varies, &sweep.points, false);
        if let (Some(found), Some(target)) = (&sweep.boundary, &model.target) {
            sentences.push(boundary_sentence(found, &sweep.vary, &target.text));
        }
        let text: Vec<String> = sentences
            .iter()
            .map(|s| format!("- {}", escape_prose(s)))
            .collect();
        document.markdown(text.join("\n"));
        document.markdown(sweep_table(&sweep.vary, &sweep.points));
    }
    document.markdown(format!(
        "---\n\nGenerated by nines {} from {}.",
        env!("CARGO_PKG_VERSION"),
        code_span(inputs.result.file)
    ));
    Ok((document, files))
}

fn error(error: &std::io::Error) -> ChartError {
    ChartError::from_message(error.to_string())
}

fn summary(inputs: &Review<'_>) -> String {
    let result = &inputs.result;
    let system = &result.solution.system;
    let mut text = String::from("## Summary\n\n");
    let model = result.model;
    if let Some(description) = model
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        text.push_str(&format!("{}\n\n", escape(description.trim())));
    }
    text.push_str(&format!(
        "{} components in {} blocks.\n\n",
        model.components.len(),
        model.blocks.len()
    ));
    let verdict = match &result.verdict {
        Some(verdict) => format!(
            " — target {}: **{}**",
            escape(&verdict.target.text),
            if verdict.met { "met" } else { "missed" }
        ),
        None => String::new(),
    };
    text.push_str(&format!(
        "- **Availability {}** ({} nines){verdict}\n",
        availability_percent(system.unavailability),
        nines(system.nines())
    ));
    text.push_str(&format!(
        "- Downtime {} a year, in {} outages of {} on average (MTBF {})\n",
        downtime(system.downtime_minutes_per_year()),
        significant(system.failures_per_year(), 3),
        hours(system.mttr_hours()),
        hours(system.mtbf_hours())
    ));
    if let Some(record) = inputs.record {
        let estimates = Estimates::of(record);
        let u = estimates.unavailability;
        text.push_str(&format!(
            "- Simulated: {} (95% CI {} – {}) over {} runs of {}\n",
            availability_percent(u.value),
            availability_percent(u.high),
            availability_percent(u.low),
            record.tally.runs,
            simulation::span_label(record.horizon_hours)
        ));
        if let Some(breach) = estimates.breach {
            text.push_str(&format!(
                "- Probability that a {} window breaches the target: {}% (95% CI {}% – {}%)\n",
                simulation::span_label(record.window_hours),
                significant(breach.value * 100.0, 3),
                significant(breach.low * 100.0, 3),
                significant(breach.high * 100.0, 3)
            ));
        }
    }
    if let Some(best) = inputs
        .importances
        .first()
        .filter(|item| item.best_saving_minutes() > 0.0)
    {
        text.push_str(&format!(
            "- {}\n",
            escape_prose(&capitalise(&fix_first_sentence(best)))
        ));
    }
    if let (Some(sweep), Some(target)) = (&inputs.sweep, &model.target)
        && let Some(found) = &sweep.boundary
    {
        text.push_str(&format!(
            "- {}\n",
            escape_prose(&capitalise(&boundary_sentence(
                found,
                &sweep.vary,
                &target.text
            )))
        ));
    }
    text
}

fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

fn exact_section(result: &ModelResult<'_>) -> String {
    let mut text = String::from("## Exact results\n\n| measure | value |\n|---|---|\n");
    for (label, value) in summary_lines(result) {
        text.push_str(&format!("| {} | {} |\n", escape(label), escape(&value)));
    }
    text.push('\n');
    text.push_str(&format!("| {} |\n", BLOCK_TITLES.join(" | ")));
    text.push_str(&format!("|{}\n", "---|".repeat(BLOCK_TITLES.len())));
    for block in &result.solution.blocks {
        let cells = block_cells(
            &block.name,
            &describe_kind(result.model, &block.name),
            &block.measures,
        );
        let cells: Vec<String> = cells.iter().map(|c| escape(c)).collect();
        text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    text
}

fn sweep_table(vary: &Vary, points: &[Point]) -> String {
    let mut text = format!(
        "| {} | availability | nines | downtime/yr | target |\n|---|---|---|---|---|\n",
        escape(&vary.path)
    );
    for point in points {
        text.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            escape(&point.values[0].label),
            availability_percent(point.measures.unavailability),
            nines(point.measures.nines()),
            downtime(point.measures.downtime_minutes_per_year()),
            match point.meets_target {
                Some(true) => "meets",
                Some(false) => "misses",
                None => "–",
            }
        ));
    }
    text
}

/// The per-window downtime histogram of a simulation.
pub fn window_histogram(record: &Record) -> WindowHistogram {
    let estimates = Estimates::of(record);
    let histogram = &record.tally.window_downtime;
    WindowHistogram {
        title: format!(
            "{}: downtime per {} window",
            crate::chart::clip_label(&record.model, 40),
            format_duration_hours(record.window_hours)
        ),
        window_hours: record.window_hours,
        windows: record.tally.windows,
        zero_windows: histogram.zero_count(),
        bins: histogram
            .grouped_bins(20)
            .into_iter()
            .map(|(low, high, count)| (low * 60.0, high * 60.0, count))
            .collect(),
        budget_minutes: record.breach_hours.map(|hours| hours * 60.0),
        breach_text: estimates.breach.map(|breach| {
            format!(
                "{}% (95%: {}–{}%)",
                significant(breach.value * 100.0, 3),
                significant(breach.low * 100.0, 3),
                significant(breach.high * 100.0, 3)
            )
        }),
    }
}
