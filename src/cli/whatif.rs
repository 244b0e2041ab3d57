//! `nines sweep` and `nines sensitivity`: what-if questions, one command each.

use super::files::{safe_stem, write_atomically};
use super::pace::Pace;
use super::simulate::{
    CheckedSimOptions, SimOptions, check_options, parse_options, simulate_loaded,
};
use super::{
    LoadedModel, Method, Outcome, effective_target, load_text, overrides_and_target,
    parse_overrides, read_model, solve_loaded,
};

use crate::chart::{ImageFormat, render};
use crate::model::Target;
use crate::model::overrides::Override;
use crate::report::sentences::sweep_verdicts;
use crate::report::whatif as output;
use crate::report::whatif_export::{
    FindResult, ImportanceResult, SweepResult, WhatIfFormat, find_exporter, importance_exporter,
    sweep_exporter,
};
use crate::simulate::estimate::{Estimates, SimulatedVerdict};
use crate::solve::Measures;
use crate::whatif::find::{
    Found, Parameter, TYPICAL_EVALUATIONS, find, parameter, within_model_limits,
};
use crate::whatif::sensitivity::importances;
use crate::whatif::sweep::{Point, PointInterval, grid, point_count, simulated_point};
use crate::whatif::vary::AxisUnit;
use crate::whatif::vary::{Spacing, Vary, override_for};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where a chart goes: `--plot [FILE]`, `--png`, `-o DIR`.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct PlotArgs {
    /// Draw a chart: to FILE, or without a value to DIR/MODEL-KIND.svg (see -o). A FILE
    /// ending in .png is drawn as PNG.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    plot: Option<String>,
    /// Draw charts as PNG instead of SVG.
    #[arg(long)]
    png: bool,
    /// Directory for charts named after the model.
    #[arg(
        short = 'o',
        long = "output-dir",
        value_name = "DIR",
        default_value = "output"
    )]
    output_dir: PathBuf,
}

impl PlotArgs {
    /// Checks the options: `--png` with a `--plot` file that ends in `.svg` is a contradiction.
    pub(super) fn check(&self) -> Result<(), String> {
        match &self.plot {
            Some(file)
                if self.png
                    && Path::new(file)
                        .extension()
                        .is_some_and(|ext| ext.eq_ignore_ascii_case("svg")) =>
            {
                Err(format!(
                    "--png asks for PNG but --plot {file} ends in .svg; name the file .png or drop --png"
                ))
            }
            _ => Ok(()),
        }
    }

    /// The file to draw into and its format, when a chart was asked for. With several models
    /// and one `--plot FILE`, each model's chart gets the model's name before the extension.
    pub(super) fn destination_for(
        &self,
        model_file: &str,
        kind: &str,
        several: bool,
    ) -> Option<(PathBuf, ImageFormat)> {
        let (path, format) = self.destination(model_file, kind)?;
        let named = self.plot.as_ref().is_some_and(|plot| !plot.is_empty());
        if !(several && named) {
            return Some((path, format));
        }
        let stem = path
            .file_stem()
            .map_or_else(String::new, |stem| stem.to_string_lossy().into_owned());
        let name = format!("{stem}-{}.{}", safe_stem(model_file), format.extension());
        Some((path.with_file_name(name), format))
    }

    /// The file to draw into and its format, when a chart was asked for.
    fn destination(&self, model_file: &str, kind: &str) -> Option<(PathBuf, ImageFormat)> {
        let plot = self.plot.as_ref()?;
        if plot.is_empty() {
            let format = if self.png {
                ImageFormat::Png
            } else {
                ImageFormat::Svg
            };
            let name = format!("{}-{kind}.{}", safe_stem(model_file), format.extension());
            return Some((self.output_dir.join(name), format));
        }
        let plot = PathBuf::from(plot);
        let png = self.png
            || plot
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("png"));
        Some((
            plot,
            if png {
                ImageFormat::Png
            } else {
                ImageFormat::Svg
            },
        ))
    }
}

/// Draws a chart into a file; a failure is reported on stderr.
pub(super) fn write_chart(
    chart: &impl crate::chart::Chart,
    path: &Path,
    format: ImageFormat,
) -> bool {
    let written = render(chart, format)
        .map_err(|error| error.to_string())
        .and_then(|bytes| write_atomically(path, &bytes));
    match written {
        Ok(()) => {
            say!("note: wrote {}", path.display());
            true
        }
        Err(error) => {
            say!("error: {error}");
            false
        }
    }
}

/// Arguments of `nines sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Model file (TOML).
    #[arg(value_name = "MODEL")]
    model: PathBuf,
    /// A parameter and its values: PATH=FROM..TO or PATH=a,b,c (PATH as for --set). A second
    /// --vary draws one line per value (at most 100,000 points in all).
    #[arg(long, value_name = "PATH=VALUES", required_unless_present = "find")]
    vary: Vec<String>,
    /// Intervals between FROM and TO (steps + 1 points; whole-number keys take every value
    /// when there are fewer).
    #[arg(long, value_name = "N", default_value_t = 20)]
    steps: usize,
    /// Space the values of a FROM..TO range geometrically (and draw a log axis).
    #[arg(long)]
    log: bool,
    /// Find the value of PATH (a duration, rate or fraction) at which the target is just met,
    /// by bisection on the exact solver. PATH=FROM..TO sets the search range [default: a
    /// thousandth to a thousand times the present value; 0 to 1 for fractions].
    #[arg(long, value_name = "PATH[=FROM..TO]", conflicts_with = "vary")]
    find: Option<String>,
    /// Override a model value for every point, e.g. component.db.mttr=2h (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Solve this block as the system instead of the model's top, e.g. --top web (the same as
    /// --set top=web).
    #[arg(long, value_name = "BLOCK")]
    top: Option<String>,
    /// Target availability, overriding the model's, e.g. 99.99%.
    #[arg(long, value_name = "AVAILABILITY")]
    target: Option<String>,
    /// How to solve each point: exactly, or by simulation (then with 95% intervals).
    #[arg(long, value_enum, default_value_t = Method::Analytic)]
    method: Method,
    #[command(flatten)]
    simulation: SimOptions,
    #[command(flatten)]
    plot: PlotArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhatIfFormat::Table)]
    format: WhatIfFormat,
}

/// Arguments of `nines sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Model files (TOML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
    /// Override a model value, e.g. component.db.mttr=2h (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Solve this block as the system instead of the model's top, e.g. --top web (the same as
    /// --set top=web).
    #[arg(long, value_name = "BLOCK")]
    top: Option<String>,
    #[command(flatten)]
    plot: PlotArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhatIfFormat::Table)]
    format: WhatIfFormat,
}

/// How each sweep point is solved.
enum Evaluator {
    Exact,
    Simulated(CheckedSimOptions),
}

/// Solves one point; errors are reported on stderr.
fn evaluate(
    loaded: &LoadedModel,
    target: Option<&Target>,
    evaluator: &Evaluator,
) -> Option<(Measures, Option<PointInterval>, Option<bool>)> {
    match evaluator {
        Evaluator::Exact => {
            let solution = solve_loaded(loaded)?;
            let met = target.map(|t| solution.system.unavailability <= t.unavailability);
            Some((solution.system, None, met))
        }
        Evaluator::Simulated(options) => {
            let record = simulate_loaded(loaded, target, options, None)?;
            if super::simulate::interrupted(&record) {
                say!("error: interrupted; the sweep stops here");
                return None;
            }
            let estimates = Estimates::of(&record);
            let met = SimulatedVerdict::of(&record, &estimates).map(|v| v.availability_met);
            let (measures, interval) = simulated_point(&estimates);
            Some((measures, Some(interval), met))
        }
    }
}

/// `nines sweep`.
pub fn run_sweep(args: SweepArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    if let Err(message) = args.plot.check() {
        say!("error: {message}");
        return Ok(Outcome::InputError);
    }
    let (overrides, target_override) =
        match overrides_and_target(&args.set, args.top.as_deref(), args.target.as_deref()) {
            Ok(parsed) => parsed,
            Err(outcome) => return Ok(outcome),
        };
    let Some((file, text)) = read_model(&args.model) else {
        return Ok(Outcome::InputError);
    };
    let Some(base) = load_text(&file, &text, &overrides) else {
        return Ok(Outcome::InputError);
    };
    if let Some(spec) = &args.find {
        let target = effective_target(&base.model, target_override.as_ref());
        return run_find(&args, spec, &base, &text, &overrides, target, out);
    }
    let (varies, evaluator) = match sweep_plan(&args) {
        Ok(plan) => plan,
        Err(outcome) => return Ok(outcome),
    };
    let model_text = ModelText {
        file: &file,
        text: &text,
        overrides: &overrides,
        target_override: target_override.as_ref(),
    };
    let points = match sweep_points(&args, &model_text, &varies, &evaluator) {
        Ok(points) => points,
        Err(outcome) => return Ok(outcome),
    };
    let sentences = sweep_verdicts(&varies, &points, true);
    let model_name = &base.model.name;
    let sweep = SweepResult {
        model: model_name,
        file: &file,
        varies: &varies,
        points: &points,
        sentences: &sentences,
    };
    let mut exporter = sweep_exporter(args.format);
    exporter.begin(out)?;
    exporter.write(out, &sweep)?;
    exporter.end(out)?;
    if let Some((path, format)) = args
        .plot
        .destination(&file, &format!("sweep-{}", varies[0].key()))
    {
        let chart = output::sweep_chart(model_name, &varies, &points, args.log);
        if !write_chart(&chart, &path, format) {
            return Ok(Outcome::InputError);
        }
    }
    Ok(Outcome::Success)
}

/// A model file's text and what applies to every point of a sweep.
struct ModelText<'a> {
    file: &'a str,
    text: &'a str,
    overrides: &'a [Override],
    target_override: Option<&'a Target>,
}

/// Checks `--vary` and the simulation options: what to vary and how to solve each point.
/// Errors go to stderr.
fn sweep_plan(args: &SweepArgs) -> Result<(Vec<Vary>, Evaluator), Outcome> {
    if args.vary.len() > 2 {
        say!("error: --vary can be given at most twice (a line per value of the second)");
        return Err(Outcome::InputError);
    }
    let spacing = Spacing {
        steps: args.steps,
        log: args.log,
    };
    let mut varies = Vec::new();
    for spec in &args.vary {
        match Vary::parse(spec, spacing) {
            Ok(vary) => varies.push(vary),
            Err(message) => {
                say!("error: --vary {message}");
                return Err(Outcome::InputError);
            }
        }
    }
    if args.target.is_some() && varies.iter().any(|vary| vary.path.starts_with("target.")) {
        say!("error: --target would replace the target that --vary changes; drop one of them");
        return Err(Outcome::InputError);
    }
    // The simulation options are checked with either method, so a typo never passes unseen.
    let evaluator = match args.method {
        Method::Analytic => {
            check_options(&args.simulation)?;
            Evaluator::Exact
        }
        Method::Simulate => Evaluator::Simulated(parse_options(&args.simulation)?),
    };
    Ok((varies, evaluator))
}

/// Solves every point of the grid, with progress on stderr; stops at the first point that
/// cannot be loaded or solved.
fn sweep_points(
    args: &SweepArgs,
    model: &ModelText<'_>,
    varies: &[Vary],
    evaluator: &Evaluator,
) -> Result<Vec<Point>, Outcome> {
    let total = point_count(varies).map_err(|message| {
        say!("error: {message}");
        Outcome::InputError
    })?;
    let mut pace = Pace::new(
        match args.method {
            Method::Analytic => "points",
            Method::Simulate => "simulated points",
        },
        total as u64,
        "fewer --steps or values are quicker",
    );
    let mut points = Vec::new();
    for values in grid(varies) {
        let mut all = model.overrides.to_vec();
        all.extend(values.iter().map(|value| value.set.clone()));
        let Some(loaded) = load_text(model.file, model.text, &all) else {
            say!(
                "error: the sweep stopped at {}",
                describe_values(varies, &values)
            );
            return Err(Outcome::InputError);
        };
        let target = effective_target(&loaded.model, model.target_override);
        let Some((measures, interval, meets_target)) =
            evaluate(&loaded, target.as_ref(), evaluator)
        else {
            return Err(if super::interrupt::requested() {
                Outcome::Interrupted
            } else {
                Outcome::InputError
            });
        };
        points.push(Point {
            values,
            measures,
            interval,
            target: target.map(|t| (t.unavailability, t.text)),
            meets_target,
        });
        pace.step();
    }
    Ok(points)
}

fn describe_values(varies: &[Vary], values: &[crate::whatif::vary::VaryValue]) -> String {
    varies
        .iter()
        .zip(values)
        .map(|(vary, value)| format!("{} = {}", vary.path, value.label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `nines sweep --find PATH`.
fn run_find(
    args: &SweepArgs,
    spec: &str,
    base: &LoadedModel,
    text: &str,
    overrides: &[Override],
    target: Option<Target>,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let (path, range_text) = match spec.split_once('=') {
        Some((path, range)) => (path.trim(), Some(range.trim())),
        None => (spec.trim(), None),
    };
    let Some(target) = target else {
        say!(
            "error: {} has no [target]; --find needs one: add it or pass --target 99.9%",
            base.file
        );
        return Ok(Outcome::InputError);
    };
    if args.method == Method::Simulate {
        say!("error: --find bisects on the exact solver; drop --method simulate");
        return Ok(Outcome::InputError);
    }
    let parameter = match find_parameter(base, spec, path, range_text) {
        Ok(parameter) => parameter,
        Err(outcome) => return Ok(outcome),
    };
    let model = ModelText {
        file: &base.file,
        text,
        overrides,
        target_override: None,
    };
    let Some((found, current_meets)) = search(&model, path, &parameter, &target) else {
        return Ok(Outcome::InputError);
    };
    // The condition bisected: the availability, and the breach probability under a limit.
    let condition = match target.max_breach_probability {
        Some(limit) => format!(
            "{} with P(a {} window breaches) ≤ {}%",
            target.text,
            crate::format::format_duration_hours(
                target
                    .window_hours
                    .unwrap_or(crate::model::load::DEFAULT_WINDOW_HOURS)
            ),
            limit * 100.0
        ),
        None => target.text.clone(),
    };
    let result = FindResult {
        model: &base.model.name,
        file: &base.file,
        path,
        target: &condition,
        found,
        unit: parameter.unit,
        current: parameter.current,
        current_meets,
        range: parameter.range,
    };
    let mut exporter = find_exporter(args.format);
    exporter.begin(out)?;
    exporter.write(out, &result)?;
    exporter.end(out)?;
    Ok(Outcome::Success)
}

/// The parameter `--find` searches, with the range given after `=` when there is one.
/// Errors go to stderr.
fn find_parameter(
    base: &LoadedModel,
    spec: &str,
    path: &str,
    range_text: Option<&str>,
) -> Result<Parameter, Outcome> {
    let mut parameter = parameter(&base.model, path).map_err(|message| {
        say!("error: --find {message}");
        Outcome::InputError
    })?;
    let Some(range_text) = range_text else {
        return Ok(parameter);
    };
    let spacing = Spacing {
        steps: 1,
        log: false,
    };
    match Vary::parse(&format!("{path}={range_text}"), spacing) {
        Ok(vary) if vary.values.len() == 2 && compatible(vary.unit, parameter.unit) => {
            let (a, b) = (vary.values[0].x, vary.values[1].x);
            parameter.range = within_model_limits(path, (a.min(b), a.max(b)));
            parameter.log = parameter.log && parameter.range.0 > 0.0;
            Ok(parameter)
        }
        Ok(_) => {
            let example = match parameter.unit {
                AxisUnit::Hours => "1h..48h",
                AxisUnit::Fraction | AxisUnit::Percent => "90%..100%",
                AxisUnit::Count | AxisUnit::Number => "0..0.5",
            };
            say!(
                "error: --find {spec}: give the range as FROM..TO in the key's unit, e.g. {path}={example}"
            );
            Err(Outcome::InputError)
        }
        Err(message) => {
            say!("error: --find {message}");
            Err(Outcome::InputError)
        }
    }
}

/// Bisects the exact solver for the value of `path` at which `target` is just met, with
/// progress on stderr: (what was found, whether the present value meets the target), or
/// None after an error on stderr.
fn search(
    model: &ModelText<'_>,
    path: &str,
    parameter: &Parameter,
    target: &Target,
) -> Option<(Found, bool)> {
    let mut failure = None;
    let mut pace = Pace::new(
        "solves",
        1 + TYPICAL_EVALUATIONS as u64,
        "--vary PATH=FROM..TO with a few --steps gives a rougher answer sooner",
    );
    let mut meets = |x: f64| -> Result<bool, ()> {
        let mut all = model.overrides.to_vec();
        let set = override_for(path, x, parameter.unit).map_err(|message| {
            say!("error: --find {message}");
        })?;
        all.push(set);
        let Some(loaded) = load_text(model.file, model.text, &all) else {
            failure = Some(x);
            return Err(());
        };
        let Some(solution) = solve_loaded(&loaded) else {
            failure = Some(x);
            return Err(());
        };
        pace.step();
        if solution.system.unavailability > target.unavailability {
            return Ok(false);
        }
        // With `max_breach_probability`, the SLA also needs the exact breach probability of
        // a window (from the steady state) within its limit.
        let Some(limit) = target.max_breach_probability else {
            return Ok(true);
        };
        let window_hours = target
            .window_hours
            .unwrap_or(crate::model::load::DEFAULT_WINDOW_HOURS);
        let settings = crate::solve::transient::WindowSettings {
            hours: window_hours,
            budget_hours: Some(target.unavailability * window_hours),
            start: crate::solve::transient::WindowStart::Steady,
            work_limit: crate::solve::transient::MAX_WINDOW_WORK,
        };
        let model = &loaded.model;
        match crate::solve::transient::breach_probability(model, model.top, settings) {
            Ok(breach) => Ok(breach.is_none_or(|(p, _)| p <= limit)),
            Err(error) => {
                say!("error: --find: the breach probability: {error}");
                failure = Some(x);
                Err(())
            }
        }
    };
    let current_meets = meets(parameter.current).ok()?;
    match find(
        parameter.range,
        parameter.log,
        parameter.current,
        &mut meets,
    ) {
        Ok(found) => Some((found, current_meets)),
        Err(()) => {
            if let Some(x) = failure {
                say!(
                    "error: the search stopped at {path} = {}",
                    parameter.unit.label(x)
                );
            }
            None
        }
    }
}

/// Whether a range written in `written` can search a parameter read in `wanted`: fractions
/// may be written as percentages or plain numbers.
fn compatible(written: AxisUnit, wanted: AxisUnit) -> bool {
    let numeric = |unit| {
        matches!(
            unit,
            AxisUnit::Fraction | AxisUnit::Percent | AxisUnit::Number
        )
    };
    written == wanted || (numeric(written) && numeric(wanted))
}

/// `nines sensitivity`.
pub fn run_sensitivity(args: SensitivityArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    if let Err(message) = args.plot.check() {
        say!("error: {message}");
        return Ok(Outcome::InputError);
    }
    let several = args.models.len() > 1;
    let overrides = match parse_overrides(&args.set, args.top.as_deref()) {
        Ok(overrides) => overrides,
        Err(outcome) => return Ok(outcome),
    };
    let mut outcome = Outcome::Success;
    let mut exporter = importance_exporter(args.format);
    exporter.begin(out)?;
    for path in &args.models {
        let Some((file, text)) = read_model(path) else {
            outcome = Outcome::InputError;
            continue;
        };
        let Some(loaded) = load_text(&file, &text, &overrides) else {
            outcome = Outcome::InputError;
            continue;
        };
        let Some(solution) = solve_loaded(&loaded) else {
            outcome = Outcome::InputError;
            continue;
        };
        let items = match importances(&loaded.model) {
            Ok(rated) => {
                for (item, error) in &rated.skipped {
                    say!("warning: {file}: `{item}` left out of the importance list: {error}");
                }
                rated.items
            }
            Err(error) => {
                let diagnostic = crate::diag::Diagnostic::new(
                    crate::diag::Code::SensitivityLimit,
                    error.to_string(),
                    None,
                );
                loaded.sources.emit_to_stderr(&diagnostic);
                outcome = Outcome::InputError;
                continue;
            }
        };
        let name = &loaded.model.name;
        let result = ImportanceResult {
            model: name,
            file: &file,
            system: &solution.system,
            items: &items,
        };
        exporter.write(out, &result)?;
        if let Some((path, format)) = args.plot.destination_for(&file, "tornado", several)
            && !write_chart(&output::tornado_chart(name, &items), &path, format)
        {
            outcome = Outcome::InputError;
        }
    }
    exporter.end(out)?;
    Ok(outcome)
}
