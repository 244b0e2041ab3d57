//! Decoding and validation: TOML text (plus `--set` overrides) to a [`Model`].
//!
//! Every problem is collected, not just the first, each with the span of the key or value at
//! fault, so one run of `nines validate` shows everything to fix.

use super::overrides::{Override, overrides_text};
use super::units::{
    Fraction, HOURS_PER_YEAR, fraction_from_number, parse_duration_hours, parse_fraction_text,
};
use super::{Block, BlockKind, Component, Member, Model, NodeRef, Standby, Target, TimeDist};
use crate::diag::{Code, Diagnostic, Origin, Sources, Span, did_you_mean};
use std::collections::{BTreeMap, HashMap};
use toml_span::value::{Key, Table, Value, ValueInner};

/// A model together with the texts its diagnostics refer to.
pub struct Loaded {
    /// The validated model.
    pub model: Model,
    /// The file and override texts, to render later diagnostics (e.g. solver limits).
    pub sources: Sources,
}

/// Why a model could not be loaded: every problem found, and the texts to render them with.
pub struct Invalid {
    /// All problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The file and override texts.
    pub sources: Sources,
}

/// Most member references one block may hold; beyond it the algebra would run for minutes.
pub const MAX_MEMBERS: u64 = 10_000_000;

/// Largest k-of-n over different members (its algebra costs n² per distinct member, so up to
/// n³ when every member differs).
pub const MAX_MIXED_K_OF_N: u64 = 1_000;

/// Largest failure or repair rate, per hour (a mean time of 3.6e-297 s). Sums of a few
/// thousand such rates, as the chains form, stay inside f64's range of 1.8e308.
pub const MAX_RATE: f64 = 1e300;

/// Deepest nesting of blocks the solvers accept (they recurse once per level).
pub const MAX_NESTING: usize = 1_000;

/// The SLA window, in hours, that simulation uses when `[target]` gives no `window`: 30 days.
pub const DEFAULT_WINDOW_HOURS: f64 = 30.0 * 24.0;

/// Longest `[target] window`, in hours: 10 years. Contractual SLA windows are a month, a
/// quarter, a year or a multi-year contract; a longer window only multiplies simulation time.
pub const MAX_WINDOW_HOURS: f64 = 10.0 * HOURS_PER_YEAR;

/// Allowed Weibull shapes k. Below 0.05 the variance is more than 10¹¹ times the squared mean
/// (Γ(1 + 2/k)/Γ(1 + 1/k)² − 1 = C(40, 20) − 1 at k = 0.05); above 100 the spread is under
/// 1.3 % of the mean (≈ 1.28/k), a fixed time in all but name.
pub const WEIBULL_SHAPE_RANGE: (f64, f64) = (0.05, 100.0);

/// Allowed gamma shapes k. Below 0.01 most draws are under 10⁻¹⁰ of the mean, which rests on
/// rare huge draws; above 10⁶ the spread is under 0.1 % of the mean (1/√k).
pub const GAMMA_SHAPE_RANGE: (f64, f64) = (0.01, 1e6);

/// Largest log-normal σ: at σ = 10 the variance is already e¹⁰⁰ − 1 ≈ 10⁴³ times the squared
/// mean (e^σ² − 1).
pub const MAX_LOGNORMAL_SIGMA: f64 = 10.0;

/// Decodes and validates a model from its text and overrides.
///
/// `file_name` is used for messages and as the default model name (its stem).
///
/// # Errors
/// [`Invalid`] with every problem found.
pub fn load_model(file_name: &str, text: &str, overrides: &[Override]) -> Result<Loaded, Invalid> {
    let override_text = overrides_text(overrides);
    let sources = Sources::new(file_name, text, &override_text);
    let mut decoder = Decoder {
        file_length: text.len(),
        override_text: override_text.clone(),
        diagnostics: Vec::new(),
    };
    let model = decoder.decode(file_name, text, &override_text);
    match model {
        Some(model) if decoder.diagnostics.is_empty() => Ok(Loaded { model, sources }),
        _ => {
            let mut diagnostics = decoder.diagnostics;
            diagnostics.sort_by_key(|d| d.span.map(|s| (s.origin == Origin::Overrides, s.start)));
            Err(Invalid {
                diagnostics,
                sources,
            })
        }
    }
}

const ROOT_KEYS: &[&str] = &["name", "description", "top", "target", "component", "block"];
const TARGET_KEYS: &[&str] = &[
    "availability",
    "nines",
    "max_downtime_per_year",
    "window",
    "max_breach_probability",
];
const COMPONENT_KEYS: &[&str] = &[
    "mtbf",
    "failure_rate",
    "mttr",
    "repair_rate",
    "availability",
    "shared",
    "failure_dist",
    "repair_dist",
    "description",
];
const BLOCK_KEYS: &[&str] = &[
    "kind",
    "members",
    "of",
    "count",
    "k",
    "repair_crews",
    "shared",
    "common_cause_beta",
    "mode",
    "dormant_factor",
    "failover",
    "coverage",
    "manual_failover",
    "failover_dist",
    "description",
];
const KINDS: &[&str] = &["series", "parallel", "k-of-n", "quorum", "standby"];
/// The names `dist` accepts in a distribution table.
const DISTS: &[&str] = &["exponential", "weibull", "lognormal", "gamma", "fixed"];
/// The keys of a distribution table.
const DIST_KEYS: &[&str] = &["dist", "shape", "sigma"];
/// Keys people write for a mean or scale, which a distribution table never takes.
const MEAN_LIKE_KEYS: &[&str] = &[
    "mean", "scale", "rate", "lambda", "mu", "median", "location", "loc", "mtbf", "mttr",
];
/// Overrides of one key remove the file's alternatives to it, so `--set component.a.mtbf=…`
/// works on a component written with `failure_rate`.
const ALTERNATIVES: &[&[&str]] = &[
    &["mtbf", "failure_rate", "availability"],
    &["mttr", "repair_rate"],
    &["availability", "nines", "max_downtime_per_year"],
    &["members", "of"],
];

struct Decoder {
    file_length: usize,
    /// The `--set` overrides as TOML, to tell an inline-table override from a dotted one.
    override_text: String,
    diagnostics: Vec<Diagnostic>,
}

/// Where a distribution table is and what gives its mean, for messages.
struct DistContext<'c> {
    /// `repair_dist`, `failure_dist` or `failover_dist`.
    key: &'c str,
    /// `component.web`, the table holding the key, as written in a `--set` path.
    owner: &'c str,
    /// The keys the mean comes from (`mttr (or repair_rate)`).
    mean_from: &'c str,
}

/// A block as written, before names are resolved.
struct RawBlock<'a> {
    name: String,
    key_span: Span,
    kind: Option<BlockKind>,
    members: Vec<(String, u64, Span)>,
    repair_crews: Option<(u64, Span)>,
    shared: bool,
    common_cause_beta: Option<(f64, Span)>,
    standby_keys: Vec<Span>,
    mode_span: Option<Span>,
    _marker: std::marker::PhantomData<&'a ()>,
}

impl Decoder {
    fn span(&self, span: toml_span::Span) -> Span {
        let start = span.start;
        let end = span.end;
        if start > self.file_length {
            let base = self.file_length + 1;
            Span {
                origin: Origin::Overrides,
                start: start - base,
                end: end.saturating_sub(base),
            }
        } else {
            Span {
                origin: Origin::File,
                start,
                end,
            }
        }
    }

    fn error(&mut self, code: Code, message: impl Into<String>, span: Span) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(code, message, Some(span)));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn decode(&mut self, file_name: &str, text: &str, override_text: &str) -> Option<Model> {
        let mut root = match toml_span::parse(text) {
            Ok(root) => root,
            Err(error) => {
                self.syntax_error(&error, Origin::File, text);
                return None;
            }
        };
        let mut root_table = match root.take() {
            ValueInner::Table(table) => table,
            _ => return None,
        };
        if !override_text.is_empty() {
            let mut overrides = match toml_span::parse(override_text) {
                Ok(value) => value,
                Err(error) => {
                    self.syntax_error(&error, Origin::Overrides, override_text);
                    return None;
                }
            };
            let base = text.len() + 1;
            shift_spans(&mut overrides, base);
            if let ValueInner::Table(table) = overrides.take() {
                self.merge_overrides(&mut root_table, table, 0, false);
            }
        }
        self.decode_root(file_name, root_table)
    }

    fn syntax_error(&mut self, error: &toml_span::Error, origin: Origin, text: &str) {
        // toml_span ends "expected X, found Y" spans at start + the length of the words
        // describing Y ("a newline", "eof"), which can run past the text or into a
        // character: keep the span inside the text, on character boundaries.
        let clamp = |mut at: usize| {
            at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let start = clamp(error.span.start);
        let end = clamp(error.span.end.max(error.span.start)).max(start);
        let message = match origin {
            Origin::File => format!("invalid TOML: {}", error.kind_message()),
            Origin::Overrides => format!("invalid --set value: {}", error.kind_message()),
        };
        self.diagnostics.push(
            Diagnostic::new(Code::TomlSyntax, message, Some(Span { origin, start, end }))
                .with_label("here"),
        );
    }

    /// Merges the override tree into the file's tree. `depth` 0 is the root; `in_names` says
    /// `into` is the `component` or `block` section, whose keys are names.
    fn merge_overrides<'a>(
        &mut self,
        into: &mut Table<'a>,
        from: Table<'a>,
        depth: usize,
        in_names: bool,
    ) {
        for (key, mut value) in from {
            let exists = into.contains_key(key.name.as_ref());
            // Inside a component or block, a table written whole (`repair_dist='{ dist =
            // "fixed" }'`) replaces the file's table; a dotted path (`repair_dist.dist=fixed`)
            // changes one key of it.
            let replaces_table = depth >= 2 && self.is_inline_override(&value);
            let existing = into.get_mut(key.name.as_ref());
            match existing {
                Some(existing)
                    if existing.as_table().is_some()
                        && value.as_table().is_some()
                        && !replaces_table =>
                {
                    if let ValueInner::Table(table) = value.take() {
                        let mut inner = match existing.take() {
                            ValueInner::Table(inner) => inner,
                            _ => unreachable!("checked to be a table"),
                        };
                        let names = depth == 0 && (key.name == "component" || key.name == "block");
                        self.merge_overrides(&mut inner, table, depth + 1, names);
                        existing.set(ValueInner::Table(inner));
                    }
                }
                _ => {
                    if in_names && !exists {
                        // A new component or block name: an override cannot create one.
                        let known: Vec<&str> = into.keys().map(|k| k.name.as_ref()).collect();
                        let span = self.span(key.span);
                        let mut message = format!(
                            "--set refers to `{}`, which the model does not define",
                            key.name
                        );
                        if let Some(suggestion) = did_you_mean(&key.name, known.iter().copied()) {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        self.error(Code::UnknownOverride, message, span).label =
                            "not in the model".into();
                        continue;
                    }
                    if depth >= 1 || key.name == "target" {
                        for group in ALTERNATIVES {
                            if group.contains(&key.name.as_ref()) {
                                for other in group.iter().filter(|other| **other != key.name) {
                                    into.remove(*other);
                                }
                                if key.name == "members" {
                                    into.remove("count");
                                }
                            }
                        }
                    }
                    if key.name == "count" && !into.contains_key("of") {
                        // `--set block.x.count=N` on a block written as a list of one name.
                        if let Some((members_key, members)) = into.remove_entry("members") {
                            let names: Vec<String> = members
                                .as_array()
                                .map(|items| {
                                    items
                                        .iter()
                                        .filter_map(|i| i.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default();
                            if let Some(first) = names
                                .first()
                                .filter(|first| names.iter().all(|n| n == *first))
                            {
                                let span = members.span;
                                into.insert(
                                    Key {
                                        name: "of".into(),
                                        span: members_key.span,
                                    },
                                    Value::with_span(
                                        ValueInner::String(first.clone().into()),
                                        span,
                                    ),
                                );
                            } else {
                                into.insert(members_key, members);
                            }
                        }
                    }
                    into.insert(key, value);
                }
            }
        }
    }

    /// Whether an override value is an inline table `{ … }` rather than a table made by a
    /// dotted path. A dotted path's table has the span of its innermost value, which comes
    /// after its keys; an inline table starts with `{` before all of its keys.
    fn is_inline_override(&self, value: &Value<'_>) -> bool {
        let Some(table) = value.as_table() else {
            return false;
        };
        let span = self.span(value.span);
        let starts_with_brace = span.origin == Origin::Overrides
            && self
                .override_text
                .get(span.start..)
                .is_some_and(|rest| rest.starts_with('{'));
        starts_with_brace && table.keys().all(|key| key.span.start > value.span.start)
    }

    fn unknown_keys(&mut self, table: &Table<'_>, allowed: &[&str], context: &str) {
        for key in table.keys() {
            let span = self.span(key.span);
            let mut diagnostic = Diagnostic::new(
                Code::UnknownKey,
                format!("unknown key `{}` in {context}", key.name),
                Some(span),
            );
            diagnostic = match did_you_mean(&key.name, allowed.iter().copied()) {
                Some(suggestion) => diagnostic.with_label(format!("did you mean `{suggestion}`?")),
                None => diagnostic.with_label("not a known key"),
            };
            diagnostic = diagnostic.with_note(format!("allowed keys: {}", allowed.join(", ")));
            self.diagnostics.push(diagnostic);
        }
    }

    fn decode_root(&mut self, file_name: &str, mut root: Table<'_>) -> Option<Model> {
        let name = match root.remove_entry("name") {
            Some((_, value)) => self.string(&value, "name").unwrap_or_default(),
            None => std::path::Path::new(file_name)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_else(|| file_name.to_string()),
        };
        let description = root
            .remove_entry("description")
            .and_then(|(_, value)| self.string(&value, "description"));
        let top = root.remove_entry("top").and_then(|(_, value)| {
            self.string(&value, "top")
                .map(|name| (name, Some(self.span(value.span))))
        });
        let target = root
            .remove_entry("target")
            .and_then(|(key, value)| self.decode_target(key, value));
        let components_table = root.remove_entry("component");
        let blocks_table = root.remove_entry("block");
        self.unknown_keys(&root, ROOT_KEYS, "the model's top level");

        let mut components = Vec::new();
        let mut invalid_names = Vec::new();
        if let Some((key, value)) = components_table {
            for (name_key, value) in self.section(key, value, "component") {
                let name = name_key.name.to_string();
                match self.decode_component(name_key, value) {
                    Some(component) => components.push(component),
                    None => invalid_names.push(name),
                }
            }
        }
        let mut raw_blocks = Vec::new();
        if let Some((key, value)) = blocks_table {
            for (name_key, value) in self.section(key, value, "block") {
                raw_blocks.push(self.decode_block(name_key, value));
            }
        }
        self.resolve(name, components, raw_blocks, top, target, &invalid_names)
            .map(|model| Model {
                description,
                ..model
            })
    }

    /// The named sub-tables of `[component]` or `[block]`, in file order.
    fn section<'a>(
        &mut self,
        key: Key<'a>,
        mut value: Value<'a>,
        what: &str,
    ) -> Vec<(Key<'a>, Value<'a>)> {
        let span = self.span(value.span);
        match value.take() {
            ValueInner::Table(table) => {
                let mut entries: Vec<(Key<'a>, Value<'a>)> = Vec::new();
                for (name_key, entry) in table {
                    if entry.as_table().is_none() {
                        let span = self.span(entry.span);
                        self.error(
                            Code::ExpectedTable,
                            format!(
                                "`{what}.{}` must be a table such as [{what}.{}]",
                                name_key.name, name_key.name
                            ),
                            span,
                        )
                        .label = "not a table".into();
                        continue;
                    }
                    entries.push((name_key, entry));
                }
                entries.sort_by_key(|(k, _)| k.span.start);
                entries
            }
            _ => {
                self.error(
                    Code::ExpectedTable,
                    format!("`{}` must hold tables such as [{what}.name]", key.name),
                    span,
                )
                .label = "not a table".into();
                Vec::new()
            }
        }
    }

    fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.as_str() {
            Some(text) => Some(text.to_string()),
            None => {
                let span = self.span(value.span);
                self.error(Code::WrongType, format!("`{key}` must be a string"), span)
                    .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    fn boolean(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        match value.as_bool() {
            Some(flag) => Some(flag),
            None => {
                let span = self.span(value.span);
                self.error(
                    Code::WrongType,
                    format!("`{key}` must be true or false"),
                    span,
                )
                .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    fn number(&mut self, value: &Value<'_>, key: &str) -> Option<f64> {
        let number = value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64));
        let span = self.span(value.span);
        match number {
            Some(number) if number.is_finite() => Some(number),
            Some(_) => {
                self.error(
                    Code::BadValue,
                    format!("`{key}` must be a finite number"),
                    span,
                )
                .label = "not finite".into();
                None
            }
            None => {
                self.error(Code::WrongType, format!("`{key}` must be a number"), span)
                    .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    fn integer(&mut self, value: &Value<'_>, key: &str, minimum: i64) -> Option<u64> {
        let span = self.span(value.span);
        match value.as_integer() {
            Some(integer) if integer >= minimum => Some(integer as u64),
            Some(integer) => {
                self.error(
                    Code::BadValue,
                    format!("`{key}` = {integer} is too small; it must be at least {minimum}"),
                    span,
                )
                .label = format!("must be ≥ {minimum}");
                None
            }
            None => {
                self.error(
                    Code::WrongType,
                    format!("`{key}` must be a whole number"),
                    span,
                )
                .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    /// A duration in hours; `positive` forbids zero.
    fn duration(&mut self, value: &Value<'_>, key: &str, positive: bool) -> Option<f64> {
        let span = self.span(value.span);
        let Some(text) = value.as_str() else {
            let hint = match value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
            {
                Some(number) if number.is_finite() => {
                    format!("write it with a unit, e.g. \"{number}h\"")
                }
                _ => "write it like \"4h\", \"30m\" or \"1h30m\"".to_string(),
            };
            self.error(
                Code::WrongType,
                format!("`{key}` must be a duration string"),
                span,
            )
            .label = hint;
            return None;
        };
        match parse_duration_hours(text) {
            Ok(hours) if positive && hours <= 0.0 => {
                self.error(
                    Code::BadValue,
                    format!("`{key}` = \"{text}\" must be longer than zero"),
                    span,
                )
                .label = "zero-length".into();
                None
            }
            Ok(hours) if hours > 0.0 && hours < 1.0 / MAX_RATE => {
                let instead = if positive {
                    "write a longer one"
                } else {
                    "write \"0s\" for an instant one"
                };
                self.error(
                    Code::BadValue,
                    format!(
                        "`{key}` = \"{text}\" is shorter than 3.6e-297 s, the shortest duration nines computes with; {instead}"
                    ),
                    span,
                )
                .label = "too short".into();
                None
            }
            Ok(hours) => Some(hours),
            Err(message) => {
                self.error(Code::BadDuration, format!("`{key}`: {message}"), span)
                    .label = "invalid duration".into();
                None
            }
        }
    }

    fn fraction(&mut self, value: &Value<'_>, key: &str) -> Option<Fraction> {
        let span = self.span(value.span);
        let parsed = if let Some(text) = value.as_str() {
            parse_fraction_text(text)
        } else if let Some(number) = value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64))
        {
            fraction_from_number(number)
        } else {
            Err(format!(
                "expected a fraction or percentage, found {}",
                type_name(value)
            ))
        };
        match parsed {
            Ok(fraction) => Some(fraction),
            Err(message) => {
                self.error(Code::BadValue, format!("`{key}`: {message}"), span)
                    .label = "not in 0..1".into();
                None
            }
        }
    }

    /// Decodes a distribution table such as `{ dist = "weibull", shape = 1.5 }`.
    ///
    /// Reports every problem in it: a value that is not a table, a missing or unknown `dist`,
    /// a missing, misplaced or out-of-range parameter, an unknown key.
    fn time_dist(&mut self, value: &Value<'_>, context: &DistContext<'_>) -> Option<TimeDist> {
        let DistContext {
            key,
            owner,
            mean_from,
        } = *context;
        let span = self.span(value.span);
        let Some(table) = value.as_table() else {
            let example = match value.as_str().map(str::trim) {
                Some(name @ ("exponential" | "fixed")) => format!("{{ dist = \"{name}\" }}"),
                Some(name @ ("weibull" | "gamma")) => {
                    format!("{{ dist = \"{name}\", shape = 1.5 }}")
                }
                Some("lognormal") => "{ dist = \"lognormal\", sigma = 0.8 }".to_string(),
                _ => "{ dist = \"weibull\", shape = 1.5 }".to_string(),
            };
            let diagnostic = self.error(
                Code::WrongType,
                format!("`{key}` must be a table naming a distribution, such as {example}"),
                span,
            );
            diagnostic.label = format!("found {}", type_name(value));
            diagnostic
                .notes
                .push(format!("write e.g. {key} = {example}"));
            diagnostic.notes.push(format!(
                "distributions: exponential, fixed, weibull (shape), gamma (shape), lognormal (sigma); the mean comes from {mean_from}"
            ));
            return None;
        };
        let before = self.diagnostics.len();
        for (unknown, _) in table
            .iter()
            .filter(|(k, _)| !DIST_KEYS.contains(&k.name.as_ref()))
        {
            let unknown_span = self.span(unknown.span);
            let mut diagnostic = Diagnostic::new(
                Code::UnknownKey,
                format!("unknown key `{}` in `{key}` of [{owner}]", unknown.name),
                Some(unknown_span),
            );
            diagnostic = match did_you_mean(&unknown.name, DIST_KEYS.iter().copied()) {
                Some(suggestion) => diagnostic.with_label(format!("did you mean `{suggestion}`?")),
                None => diagnostic.with_label("not a key of a distribution"),
            };
            if MEAN_LIKE_KEYS.contains(&unknown.name.to_ascii_lowercase().as_str()) {
                diagnostic = diagnostic.with_note(format!(
                    "the mean always comes from {mean_from}; `{key}` gives only the shape of the distribution"
                ));
            }
            self.diagnostics.push(
                diagnostic
                    .with_note("allowed keys: dist, shape (weibull, gamma), sigma (lognormal)"),
            );
        }
        let shape = table.get_key_value("shape");
        let sigma = table.get_key_value("sigma");
        let Some((_, dist_value)) = table.get_key_value("dist") else {
            let diagnostic = self.error(
                Code::MissingKey,
                format!("`{key}` of [{owner}] needs `dist`"),
                span,
            );
            diagnostic.label = "add e.g. dist = \"weibull\"".into();
            diagnostic
                .notes
                .push(format!("distributions: {}", DISTS.join(", ")));
            return None;
        };
        let dist_span = self.span(dist_value.span);
        let name = self.string(dist_value, &format!("{key}.dist"))?;
        if !DISTS.contains(&name.as_str()) {
            let diagnostic = self.error(
                Code::BadValue,
                format!("unknown distribution `{name}` in `{key}` of [{owner}]"),
                dist_span,
            );
            diagnostic.label = match dist_suggestion(&name) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => "not a distribution".into(),
            };
            diagnostic
                .notes
                .push(format!("distributions: {}", DISTS.join(", ")));
            return None;
        }
        let takes = |parameter: &str| match name.as_str() {
            "weibull" | "gamma" => parameter == "shape",
            "lognormal" => parameter == "sigma",
            _ => false,
        };
        for (parameter, entry) in [("shape", shape), ("sigma", sigma)] {
            let Some((parameter_key, _)) = entry else {
                continue;
            };
            if takes(parameter) {
                continue;
            }
            let parameter_span = self.span(parameter_key.span);
            let label = match name.as_str() {
                "weibull" | "gamma" => format!("{name} takes `shape`, not `{parameter}`"),
                "lognormal" => format!("lognormal takes `sigma`, not `{parameter}`"),
                _ => format!("{name} takes no parameters"),
            };
            let diagnostic = self.error(
                Code::UnexpectedKey,
                format!(
                    "`{parameter}` does not apply to dist = \"{name}\" in `{key}` of [{owner}]"
                ),
                parameter_span,
            );
            diagnostic.label = label;
            if dist_span.origin == Origin::Overrides && parameter_span.origin == Origin::File {
                let whole = match name.as_str() {
                    "weibull" | "gamma" => format!("{{ dist = \"{name}\", shape = … }}"),
                    "lognormal" => "{ dist = \"lognormal\", sigma = … }".to_string(),
                    _ => format!("{{ dist = \"{name}\" }}"),
                };
                diagnostic.notes.push(format!(
                    "--set changed only `dist`; to replace the whole table write --set {owner}.{key}='{whole}'"
                ));
            }
        }
        let parameter = |wanted: &str| match name.as_str() {
            "weibull" | "gamma" if wanted == "shape" => shape.map(|(_, v)| v),
            "lognormal" if wanted == "sigma" => sigma.map(|(_, v)| v),
            _ => None,
        };
        let dist = match name.as_str() {
            "exponential" => Some(TimeDist::Exponential),
            "fixed" => Some(TimeDist::Fixed),
            "weibull" => self
                .dist_parameter(parameter("shape"), context, "weibull", "shape", dist_span)
                .map(|shape| TimeDist::Weibull { shape }),
            "gamma" => self
                .dist_parameter(parameter("shape"), context, "gamma", "shape", dist_span)
                .map(|shape| TimeDist::Gamma { shape }),
            _ => self
                .dist_parameter(parameter("sigma"), context, "lognormal", "sigma", dist_span)
                .map(|sigma| TimeDist::LogNormal { sigma }),
        };
        if self.diagnostics.len() > before {
            return None;
        }
        dist
    }

    /// Checks the one parameter of a Weibull, gamma or log-normal distribution.
    fn dist_parameter(
        &mut self,
        value: Option<&Value<'_>>,
        context: &DistContext<'_>,
        dist: &str,
        parameter: &str,
        dist_span: Span,
    ) -> Option<f64> {
        let key = context.key;
        let full_key = format!("{key}.{parameter}");
        let example = if parameter == "sigma" { "0.8" } else { "1.5" };
        let Some(value) = value else {
            let diagnostic = self.error(
                Code::MissingKey,
                format!(
                    "dist = \"{dist}\" in `{key}` of [{}] needs `{parameter}`",
                    context.owner
                ),
                dist_span,
            );
            diagnostic.label = format!("add e.g. {parameter} = {example}");
            diagnostic.notes.push(format!(
                "the mean comes from {}; `{parameter}` sets the spread around it",
                context.mean_from
            ));
            return None;
        };
        let span = self.span(value.span);
        let number = self.number(value, &full_key)?;
        let (low, high, allowed, why_low, why_high) = match dist {
            "weibull" => (
                WEIBULL_SHAPE_RANGE.0,
                WEIBULL_SHAPE_RANGE.1,
                "0.05 to 100",
                "a shape below 0.05 makes the variance more than 10¹¹ times the squared mean, so simulated means and variances are numerically meaningless",
                "a shape above 100 spreads the time by under 1.3 % of its mean; write dist = \"fixed\"",
            ),
            "gamma" => (
                GAMMA_SHAPE_RANGE.0,
                GAMMA_SHAPE_RANGE.1,
                "0.01 to 1e6",
                "a shape below 0.01 puts most draws under 10⁻¹⁰ of the mean, which then rests on rare huge draws, so simulated means and variances are numerically meaningless",
                "a shape above 1e6 spreads the time by under 0.1 % of its mean; write dist = \"fixed\"",
            ),
            _ => (
                0.0,
                MAX_LOGNORMAL_SIGMA,
                "> 0 and ≤ 10",
                "",
                "a sigma above 10 makes the variance more than 10⁴³ times the squared mean (e^σ² − 1), so simulated means and variances are numerically meaningless",
            ),
        };
        if number <= 0.0 {
            self.error(
                Code::BadValue,
                format!("`{full_key}` = {number} must be greater than 0"),
                span,
            )
            .label = format!("allowed for {dist}: {allowed}");
            return None;
        }
        if number < low || number > high {
            let (size, why) = if number < low {
                ("small", why_low)
            } else {
                ("large", why_high)
            };
            self.error(
                Code::BadValue,
                format!(
                    "`{full_key}` = {number} is too {size} for {dist} (allowed {allowed}): {why}"
                ),
                span,
            )
            .label = format!("allowed for {dist}: {allowed}");
            return None;
        }
        Some(number)
    }

    /// The `[target] window`, in hours: a duration above zero and at most 10 years.
    fn window(&mut self, value: &Value<'_>) -> Option<f64> {
        let span = self.span(value.span);
        let hours = self.duration(value, "target.window", true)?;
        if hours > MAX_WINDOW_HOURS {
            let diagnostic = self.error(
                Code::BadValue,
                format!(
                    "`target.window` = \"{}\" is longer than 10 years",
                    value.as_str().unwrap_or_default()
                ),
                span,
            );
            diagnostic.label = "at most 10y".into();
            diagnostic.notes.push(
                "an SLA window is a month, a quarter or a year; a longer one only multiplies simulation time".into(),
            );
            return None;
        }
        Some(hours)
    }

    fn decode_target(&mut self, key: Key<'_>, mut value: Value<'_>) -> Option<Target> {
        let table_span = self.span(key.span);
        let ValueInner::Table(mut table) = value.take() else {
            self.error(
                Code::ExpectedTable,
                "`target` must be a table such as [target]",
                table_span,
            )
            .label = "not a table".into();
            return None;
        };
        let mut found: Vec<Target> = Vec::new();
        if let Some((_, value)) = table.remove_entry("availability") {
            let span = self.span(value.span);
            if let Some(fraction) = self.fraction(&value, "target.availability") {
                let text = value
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}", fraction.value));
                found.push(Target {
                    unavailability: fraction.complement,
                    text,
                    span: Some(span),
                    window_hours: None,
                    max_breach_probability: None,
                });
            }
        }
        if let Some((_, value)) = table.remove_entry("nines") {
            let span = self.span(value.span);
            if let Some(nines) = self.number(&value, "target.nines") {
                if nines <= 0.0 {
                    self.error(
                        Code::BadValue,
                        "`target.nines` must be greater than 0",
                        span,
                    )
                    .label = "must be > 0".into();
                } else if nines > 300.0 {
                    self.error(
                        Code::BadValue,
                        format!(
                            "`target.nines` = {} is more than 300: at most 300 (an unavailability of 1e-300)",
                            if nines < 1e6 { format!("{nines}") } else { format!("{nines:e}") }
                        ),
                        span,
                    )
                    .label = "at most 300".into();
                } else {
                    found.push(Target {
                        unavailability: 10f64.powf(-nines),
                        text: format!("{nines} nines"),
                        span: Some(span),
                        window_hours: None,
                        max_breach_probability: None,
                    });
                }
            }
        }
        if let Some((_, value)) = table.remove_entry("max_downtime_per_year") {
            let span = self.span(value.span);
            if let Some(hours) = self.duration(&value, "target.max_downtime_per_year", false) {
                if hours > super::units::HOURS_PER_YEAR {
                    self.error(
                        Code::BadValue,
                        "`target.max_downtime_per_year` is longer than a year",
                        span,
                    )
                    .label = "at most 1y".into();
                } else {
                    found.push(Target {
                        unavailability: hours / super::units::HOURS_PER_YEAR,
                        text: format!("≤ {} downtime/year", value.as_str().unwrap_or_default()),
                        span: Some(span),
                        window_hours: None,
                        max_breach_probability: None,
                    });
                }
            }
        }
        let window = table.remove_entry("window").map(|(_, value)| value);
        let window_hours = window.as_ref().and_then(|value| self.window(value));
        let breach = table
            .remove_entry("max_breach_probability")
            .map(|(_, value)| value);
        let max_breach_probability = breach.as_ref().and_then(|value| {
            let fraction = self.fraction(value, "target.max_breach_probability");
            if fraction.is_none()
                && let Some(diagnostic) = self.diagnostics.last_mut()
            {
                diagnostic.notes.push(
                    "a probability that one window misses the target, e.g. 0.01 or \"1%\"".into(),
                );
            }
            fraction.map(|fraction| fraction.value)
        });
        self.unknown_keys(&table, TARGET_KEYS, "[target]");
        match found.len() {
            0 => {
                if self.diagnostics.is_empty() {
                    let diagnostic = self.error(
                        Code::MissingKey,
                        "[target] needs one of availability, nines or max_downtime_per_year",
                        table_span,
                    );
                    diagnostic.label = "e.g. availability = \"99.95%\"".into();
                    if window.is_some() || breach.is_some() {
                        diagnostic.notes.push(
                            "`window` and `max_breach_probability` qualify a target; they are not one".into(),
                        );
                    }
                }
                None
            }
            1 => found.pop().map(|target| Target {
                window_hours,
                max_breach_probability,
                ..target
            }),
            _ => {
                self.error(
                    Code::ConflictingKeys,
                    "[target] gives more than one of availability, nines and max_downtime_per_year; keep one",
                    table_span,
                )
                .label = "ambiguous target".into();
                None
            }
        }
    }

    fn decode_component<'a>(&mut self, key: Key<'a>, mut value: Value<'a>) -> Option<Component> {
        let name = key.name.to_string();
        let span = self.span(key.span);
        self.check_name(&name, span);
        let ValueInner::Table(mut table) = value.take() else {
            return None;
        };
        let before = self.diagnostics.len();
        let take = |table: &mut Table<'a>, k: &str| table.remove_entry(k).map(|(_, v)| v);
        let mtbf = take(&mut table, "mtbf");
        let failure_rate = take(&mut table, "failure_rate");
        let mttr = take(&mut table, "mttr");
        let repair_rate = take(&mut table, "repair_rate");
        let availability = take(&mut table, "availability");
        // Where each figure was written, for the range check below.
        let failure_span = [&mtbf, &failure_rate, &availability]
            .into_iter()
            .find_map(|value| value.as_ref().map(|value| value.span));
        let repair_span = [&mttr, &repair_rate]
            .into_iter()
            .find_map(|value| value.as_ref().map(|value| value.span));
        let shared = take(&mut table, "shared")
            .and_then(|v| self.boolean(&v, "shared"))
            .unwrap_or(false);
        if let Some(description) = take(&mut table, "description") {
            self.string(&description, "description");
        }
        let owner = format!("component.{name}");
        let failure_dist = take(&mut table, "failure_dist").and_then(|value| {
            let context = DistContext {
                key: "failure_dist",
                owner: &owner,
                mean_from: "mtbf (or failure_rate, availability)",
            };
            self.time_dist(&value, &context)
        });
        let repair_dist = take(&mut table, "repair_dist").and_then(|value| {
            let context = DistContext {
                key: "repair_dist",
                owner: &owner,
                mean_from: "mttr (or repair_rate)",
            };
            self.time_dist(&value, &context)
        });
        if let Some((misplaced, _)) = table.remove_entry("failover_dist") {
            let span = self.span(misplaced.span);
            self.error(
                Code::UnexpectedKey,
                format!("`failover_dist` belongs to a standby block, not to [component.{name}]"),
                span,
            )
            .label = "move it to the [block.NAME] with kind = \"standby\"".into();
        }
        self.unknown_keys(&table, COMPONENT_KEYS, &format!("[component.{name}]"));

        let repair_rate = match (mttr, repair_rate) {
            (Some(mttr), None) => self.duration(&mttr, "mttr", true).map(|hours| 1.0 / hours),
            (None, Some(rate)) => {
                let rate_span = self.span(rate.span);
                match self.number(&rate, "repair_rate") {
                    Some(rate) if rate > 0.0 => Some(rate),
                    Some(_) => {
                        self.error(
                            Code::BadValue,
                            "`repair_rate` must be greater than 0",
                            rate_span,
                        )
                        .label = "must be > 0".into();
                        None
                    }
                    None => None,
                }
            }
            (Some(_), Some(rate)) => {
                let rate_span = self.span(rate.span);
                self.error(
                    Code::ConflictingKeys,
                    format!("[component.{name}] gives both mttr and repair_rate; keep one"),
                    rate_span,
                )
                .label = "second repair figure".into();
                None
            }
            (None, None) => {
                self.error(
                    Code::MissingKey,
                    format!("[component.{name}] needs mttr (or repair_rate)"),
                    span,
                )
                .label = "e.g. mttr = \"4h\"".into();
                None
            }
        };
        let failure_rate = match (mtbf, failure_rate, availability) {
            (Some(mtbf), None, None) => self.duration(&mtbf, "mtbf", true).map(|hours| 1.0 / hours),
            (None, Some(rate), None) => {
                let rate_span = self.span(rate.span);
                match self.number(&rate, "failure_rate") {
                    // `+ 0.0` turns −0.0 into 0 (an MTBF of −∞ would reach the simulator).
                    Some(rate) if rate >= 0.0 => Some(rate + 0.0),
                    Some(_) => {
                        self.error(Code::BadValue, "`failure_rate` must be ≥ 0", rate_span)
                            .label = "negative".into();
                        None
                    }
                    None => None,
                }
            }
            (None, None, Some(availability)) => {
                let availability_span = self.span(availability.span);
                let fraction = self.fraction(&availability, "availability");
                match (fraction, repair_rate) {
                    (Some(fraction), _) if fraction.value <= 0.0 => {
                        self.error(
                            Code::BadValue,
                            "`availability` must be greater than 0",
                            availability_span,
                        )
                        .label = "must be > 0".into();
                        None
                    }
                    // λ = μ · U / A, from A = μ / (λ + μ).
                    (Some(fraction), Some(mu)) => {
                        let rate = mu * fraction.complement / fraction.value;
                        if rate.is_finite() {
                            Some(rate)
                        } else {
                            self.error(
                                Code::BadValue,
                                "`availability` is so small that the failure rate it implies overflows",
                                availability_span,
                            )
                            .label = "too close to 0".into();
                            None
                        }
                    }
                    _ => None,
                }
            }
            (None, None, None) => {
                self.error(
                    Code::MissingKey,
                    format!("[component.{name}] needs mtbf, failure_rate or availability"),
                    span,
                )
                .label = "e.g. mtbf = \"20000h\"".into();
                None
            }
            _ => {
                self.error(
                    Code::ConflictingKeys,
                    format!("[component.{name}] gives more than one of mtbf, failure_rate and availability; keep one"),
                    span,
                )
                .label = "ambiguous failure figure".into();
                None
            }
        };
        if self.diagnostics.len() > before {
            return None;
        }
        let (failure_rate, repair_rate) = (failure_rate?, repair_rate?);
        if !failure_rate.is_finite() || !repair_rate.is_finite() {
            self.error(
                Code::BadValue,
                format!("[component.{name}] has a rate that is not finite"),
                span,
            )
            .label = "rate overflows".into();
            return None;
        }
        for (rate, figure_span, what) in [
            (failure_rate, failure_span, "fails"),
            (repair_rate, repair_span, "is repaired"),
        ] {
            if rate > MAX_RATE {
                let at = figure_span.map_or(span, |figure| self.span(figure));
                self.error(
                    Code::BadValue,
                    format!(
                        "[component.{name}] {what} {rate:.3e} times an hour, more than the {MAX_RATE:e} per hour nines computes with (a mean time under 3.6e-297 s); write a longer mean time"
                    ),
                    at,
                )
                .label = format!("above {MAX_RATE:e} per hour");
                return None;
            }
        }
        Some(Component {
            name,
            failure_rate,
            repair_rate,
            shared,
            failure_dist: failure_dist.unwrap_or_default(),
            repair_dist: repair_dist.unwrap_or_default(),
            span: Some(span),
        })
    }

    fn check_name(&mut self, name: &str, span: Span) {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !valid {
            self.error(Code::BadName, format!("`{name}` is not a valid name"), span)
                .label = "use letters, digits, `_` and `-`".into();
        }
    }

    fn decode_block<'a>(&mut self, key: Key<'a>, mut value: Value<'a>) -> RawBlock<'a> {
        let name = key.name.to_string();
        let key_span = self.span(key.span);
        self.check_name(&name, key_span);
        let mut raw = RawBlock {
            name: name.clone(),
            key_span,
            kind: None,
            members: Vec::new(),
            repair_crews: None,
            shared: false,
            common_cause_beta: None,
            standby_keys: Vec::new(),
            mode_span: None,
            _marker: std::marker::PhantomData,
        };
        let ValueInner::Table(mut table) = value.take() else {
            return raw;
        };
        let take = |table: &mut Table<'a>, k: &str| table.remove_entry(k).map(|(_, v)| v);
        let kind = take(&mut table, "kind");
        let members = take(&mut table, "members");
        let of = take(&mut table, "of");
        let count = take(&mut table, "count");
        let k = take(&mut table, "k");
        let crews = take(&mut table, "repair_crews");
        let shared = take(&mut table, "shared");
        let beta = take(&mut table, "common_cause_beta");
        let mode = take(&mut table, "mode");
        let dormant = take(&mut table, "dormant_factor");
        let failover = take(&mut table, "failover");
        let coverage = take(&mut table, "coverage");
        let manual = take(&mut table, "manual_failover");
        let failover_dist = take(&mut table, "failover_dist");
        if let Some(description) = take(&mut table, "description") {
            self.string(&description, "description");
        }
        for misplaced in ["failure_dist", "repair_dist"] {
            if let Some((misplaced_key, _)) = table.remove_entry(misplaced) {
                let span = self.span(misplaced_key.span);
                self.error(
                    Code::UnexpectedKey,
                    format!("`{misplaced}` belongs to a component, not to [block.{name}]"),
                    span,
                )
                .label = "move it to the member's [component.NAME]".into();
            }
        }
        self.unknown_keys(&table, BLOCK_KEYS, &format!("[block.{name}]"));

        raw.shared = shared
            .and_then(|v| self.boolean(&v, "shared"))
            .unwrap_or(false);
        raw.repair_crews = crews.and_then(|v| {
            let span = self.span(v.span);
            self.integer(&v, "repair_crews", 1).map(|c| (c, span))
        });
        raw.common_cause_beta = beta.and_then(|v| {
            let span = self.span(v.span);
            let beta = self.number(&v, "common_cause_beta")?;
            if !(0.0..1.0).contains(&beta) {
                self.error(
                    Code::BadValue,
                    format!("`common_cause_beta` = {beta} must be in [0, 1)"),
                    span,
                )
                .label = "outside [0, 1)".into();
                return None;
            }
            Some((beta, span))
        });

        // Members: a list of names, or `of` + `count`.
        match (members, of, count) {
            (Some(list), None, None) => {
                let list_span = self.span(list.span);
                match list.as_array() {
                    Some(items) if !items.is_empty() => {
                        for item in items {
                            let item_span = self.span(item.span);
                            match item.as_str() {
                                Some(member) => {
                                    raw.members.push((member.to_string(), 1, item_span))
                                }
                                None => {
                                    self.error(
                                        Code::WrongType,
                                        "`members` must list names as strings",
                                        item_span,
                                    )
                                    .label = format!("found {}", type_name(item));
                                }
                            }
                        }
                    }
                    Some(_) => {
                        self.error(
                            Code::BadValue,
                            format!("[block.{name}] has an empty `members` list"),
                            list_span,
                        )
                        .label = "needs at least one member".into();
                    }
                    None => {
                        self.error(
                            Code::WrongType,
                            "`members` must be a list of names",
                            list_span,
                        )
                        .label = format!("found {}", type_name(&list));
                    }
                }
            }
            (None, Some(of), Some(count)) => {
                let of_span = self.span(of.span);
                let count_span = self.span(count.span);
                let name_of = self.string(&of, "of");
                let count = self.integer(&count, "count", 1);
                if let Some(count) = count
                    && count > MAX_MEMBERS
                {
                    self.error(
                        Code::ModelTooLarge,
                        format!("`count` = {count} is more than nines solves ({MAX_MEMBERS} members per block)"),
                        count_span,
                    )
                    .label = "too many members".into();
                } else if let (Some(member), Some(count)) = (name_of, count) {
                    raw.members.push((member, count, of_span));
                }
            }
            (None, Some(of), None) => {
                let span = self.span(of.span);
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] gives `of` without `count`"),
                    span,
                )
                .label = "add e.g. count = 2".into();
            }
            (None, None, Some(count)) => {
                let span = self.span(count.span);
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] gives `count` without `of`"),
                    span,
                )
                .label = "add of = \"component name\"".into();
            }
            (None, None, None) => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] needs `members` (or `of` and `count`)"),
                    key_span,
                )
                .label = "no members".into();
            }
            (Some(list), _, _) => {
                let span = self.span(list.span);
                self.error(
                    Code::ConflictingKeys,
                    format!("[block.{name}] gives both `members` and `of`/`count`; keep one"),
                    span,
                )
                .label = "ambiguous members".into();
            }
        }
        let total: u64 = raw.members.iter().fold(0u64, |t, m| t.saturating_add(m.1));

        // Kind and its own keys.
        let kind_text = match kind {
            Some(kind) => {
                let span = self.span(kind.span);
                self.string(&kind, "kind").map(|text| (text, span))
            }
            None => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] needs `kind`"),
                    key_span,
                )
                .label = format!("one of {}", KINDS.join(", "));
                None
            }
        };
        let k_value = k.map(|k| {
            let span = self.span(k.span);
            (self.integer(&k, "k", 1), span)
        });
        let standby_values = [
            ("mode", &mode),
            ("dormant_factor", &dormant),
            ("failover", &failover),
            ("coverage", &coverage),
            ("manual_failover", &manual),
            ("failover_dist", &failover_dist),
        ];
        for (_, value) in standby_values.iter() {
            if let Some(value) = value {
                raw.standby_keys.push(self.span(value.span));
            }
        }
        raw.mode_span = mode.as_ref().map(|m| self.span(m.span));
        if let Some((kind_text, kind_span)) = kind_text {
            raw.kind = match kind_text.as_str() {
                "series" => Some(BlockKind::Series),
                "parallel" => Some(BlockKind::Parallel),
                "quorum" => Some(BlockKind::KOfN { k: total / 2 + 1 }),
                "k-of-n" => match k_value {
                    Some((Some(k), span)) => {
                        if k > total && total > 0 {
                            self.error(
                                Code::BadValue,
                                format!("k = {k} is more than the block's {total} members"),
                                span,
                            )
                            .label = format!("must be 1..={total}");
                            None
                        } else {
                            Some(BlockKind::KOfN { k })
                        }
                    }
                    Some((None, _)) => None,
                    None => {
                        self.error(
                            Code::MissingKey,
                            format!("[block.{name}] is k-of-n but has no `k`"),
                            kind_span,
                        )
                        .label = "add e.g. k = 2".into();
                        None
                    }
                },
                "standby" => {
                    // Decoded apart from the other standby keys so that its problems are
                    // reported even when theirs are.
                    let owner = format!("block.{name}");
                    let context = DistContext {
                        key: "failover_dist",
                        owner: &owner,
                        mean_from: "failover and manual_failover",
                    };
                    let dist = failover_dist
                        .as_ref()
                        .map(|value| self.time_dist(value, &context));
                    let standby = self.decode_standby(
                        &name,
                        kind_span,
                        mode.as_ref(),
                        dormant.as_ref(),
                        failover.as_ref(),
                        coverage.as_ref(),
                        manual.as_ref(),
                    );
                    match (standby, dist) {
                        (Some(standby), None) => Some(BlockKind::Standby(standby)),
                        (Some(standby), Some(Some(failover_dist))) => {
                            Some(BlockKind::Standby(Standby {
                                failover_dist,
                                ..standby
                            }))
                        }
                        _ => None,
                    }
                }
                other => {
                    let mut diagnostic = Diagnostic::new(
                        Code::BadValue,
                        format!("unknown block kind `{other}`"),
                        Some(kind_span),
                    );
                    diagnostic = match did_you_mean(other, KINDS.iter().copied()) {
                        Some(suggestion) => {
                            diagnostic.with_label(format!("did you mean `{suggestion}`?"))
                        }
                        None => diagnostic.with_label("not a block kind"),
                    };
                    self.diagnostics
                        .push(diagnostic.with_note(format!("kinds: {}", KINDS.join(", "))));
                    None
                }
            };
            if kind_text != "k-of-n"
                && let Some((_, span)) = k_value
            {
                self.error(
                    Code::UnexpectedKey,
                    format!("`k` only applies to kind = \"k-of-n\" (this block is {kind_text})"),
                    span,
                )
                .label = "remove it".into();
            }
            if kind_text != "standby" {
                for (key_name, value) in standby_values {
                    if let Some(value) = value {
                        let span = self.span(value.span);
                        self.error(
                            Code::UnexpectedKey,
                            format!("`{key_name}` only applies to kind = \"standby\" (this block is {kind_text})"),
                            span,
                        )
                        .label = "remove it".into();
                    }
                }
            }
        }
        raw
    }

    #[allow(clippy::too_many_arguments)]
    fn decode_standby(
        &mut self,
        name: &str,
        kind_span: Span,
        mode: Option<&Value<'_>>,
        dormant: Option<&Value<'_>>,
        failover: Option<&Value<'_>>,
        coverage: Option<&Value<'_>>,
        manual: Option<&Value<'_>>,
    ) -> Option<Standby> {
        let mode_text = match mode {
            Some(mode) => Some((self.string(mode, "mode")?, self.span(mode.span))),
            None => None,
        };
        let dormant_value = match dormant {
            Some(value) => {
                let span = self.span(value.span);
                let factor = self.number(value, "dormant_factor")?;
                if !(0.0..=1.0).contains(&factor) {
                    self.error(
                        Code::BadValue,
                        format!("`dormant_factor` = {factor} must be in [0, 1]"),
                        span,
                    )
                    .label = "outside [0, 1]".into();
                    return None;
                }
                Some((factor, span))
            }
            None => None,
        };
        let dormant_factor = match (
            mode_text.as_ref().map(|(m, s)| (m.as_str(), *s)),
            dormant_value,
        ) {
            (None | Some(("hot", _)), None) => 1.0,
            (Some(("cold", _)), None) => 0.0,
            (Some(("warm", _)), Some((factor, _))) => factor,
            (Some(("warm", span)), None) => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] is a warm standby but has no `dormant_factor`"),
                    span,
                )
                .label = "add e.g. dormant_factor = 0.5".into();
                return None;
            }
            (Some(("hot" | "cold", _)) | None, Some((_, span))) => {
                self.error(
                    Code::UnexpectedKey,
                    "`dormant_factor` only applies to mode = \"warm\"",
                    span,
                )
                .label = "remove it or set mode = \"warm\"".into();
                return None;
            }
            (Some((other, span)), _) => {
                self.error(
                    Code::BadValue,
                    format!("unknown standby mode `{other}`"),
                    span,
                )
                .label = "one of hot, warm, cold".into();
                return None;
            }
        };
        let failover_hours = match failover {
            Some(value) => self.duration(value, "failover", false)?,
            None => 0.0,
        };
        let coverage = match coverage {
            Some(value) => self.fraction(value, "coverage")?.value,
            None => 1.0,
        };
        let manual_failover_hours = match manual {
            Some(value) => self.duration(value, "manual_failover", true)?,
            None if coverage < 1.0 => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] has coverage < 1 but no `manual_failover`"),
                    kind_span,
                )
                .label = "add e.g. manual_failover = \"20m\"".into();
                return None;
            }
            None => 0.0,
        };
        Some(Standby {
            dormant_factor,
            failover_hours,
            coverage,
            manual_failover_hours,
            failover_dist: TimeDist::Exponential,
        })
    }

    fn resolve(
        &mut self,
        name: String,
        components: Vec<Component>,
        raw_blocks: Vec<RawBlock<'_>>,
        top: Option<(String, Option<Span>)>,
        target: Option<Target>,
        invalid_names: &[String],
    ) -> Option<Model> {
        let mut names: HashMap<String, (NodeRef, Span)> = HashMap::new();
        for (index, component) in components.iter().enumerate() {
            names.insert(
                component.name.clone(),
                (NodeRef::Component(index), component.span?),
            );
        }
        for (index, block) in raw_blocks.iter().enumerate() {
            if let Some((_, first)) = names.get(&block.name) {
                let first = *first;
                self.error(
                    Code::DuplicateName,
                    format!("`{}` names both a component and a block", block.name),
                    block.key_span,
                )
                .label = "second definition".into();
                let _ = first;
                continue;
            }
            names.insert(block.name.clone(), (NodeRef::Block(index), block.key_span));
        }
        // Undefined names: (index of their diagnostic, further references).
        let mut unknown: HashMap<String, (usize, usize)> = HashMap::new();
        let known: Vec<&str> = {
            let mut all: Vec<(&String, Span)> = names.iter().map(|(n, (_, s))| (n, *s)).collect();
            all.sort_by_key(|(_, span)| span.start);
            all.into_iter()
                .map(|(n, _)| n.as_str())
                .chain(invalid_names.iter().map(String::as_str))
                .collect()
        };

        let mut blocks = Vec::new();
        for raw in &raw_blocks {
            let mut members: Vec<Member> = Vec::new();
            for (member_name, count, span) in &raw.members {
                match names.get(member_name) {
                    Some((node, _)) => match members.last_mut() {
                        Some(last) if last.node == *node => {
                            last.count = last.count.saturating_add(*count)
                        }
                        _ => members.push(Member {
                            node: *node,
                            count: *count,
                        }),
                    },
                    // Defined but invalid: already reported where it is defined.
                    None if invalid_names.contains(member_name) => {}
                    // Reported once, at its first reference; later ones are counted.
                    None if unknown.contains_key(member_name.as_str()) => {
                        if let Some((_, more)) = unknown.get_mut(member_name.as_str()) {
                            *more += 1;
                        }
                    }
                    None => {
                        unknown.insert(member_name.to_string(), (self.diagnostics.len(), 0));
                        let mut diagnostic = Diagnostic::new(
                            Code::UnknownReference,
                            format!("`{member_name}` is not defined"),
                            Some(*span),
                        );
                        diagnostic = match did_you_mean(member_name, known.iter().copied()) {
                            Some(suggestion) => {
                                diagnostic.with_label(format!("did you mean `{suggestion}`?"))
                            }
                            None => diagnostic.with_label(format!("known: {}", known.join(", "))),
                        };
                        self.diagnostics.push(diagnostic);
                    }
                }
            }
            for (index, more) in unknown.values() {
                if *more > 0 {
                    let notes = &mut self.diagnostics[*index].notes;
                    let note = format!("referenced {more} more times; only the first is shown");
                    match notes.iter().position(|n| n.starts_with("referenced ")) {
                        Some(position) => notes[position] = note,
                        None => notes.push(note),
                    }
                }
            }
            blocks.push(Block {
                name: raw.name.clone(),
                kind: raw.kind.clone().unwrap_or(BlockKind::Series),
                members,
                repair_crews: raw.repair_crews.map(|(c, _)| c),
                shared: raw.shared,
                common_cause_beta: raw.common_cause_beta.map(|(b, _)| b),
                span: Some(raw.key_span),
            });
        }
        if !self.diagnostics.is_empty() {
            return None;
        }
        let mut model = Model {
            description: None,
            name,
            components,
            blocks,
            top: 0,
            target,
        };
        self.check_rules(&model, &raw_blocks);
        if self.find_cycle(&model, &raw_blocks) {
            return None;
        }
        match top {
            Some((top_name, span)) => match model.block_index(&top_name) {
                Some(index) => model.top = index,
                None => {
                    let span = span.unwrap_or(Span {
                        origin: Origin::File,
                        start: 0,
                        end: 0,
                    });
                    let blocks: Vec<&str> = model.blocks.iter().map(|b| b.name.as_str()).collect();
                    let label = match did_you_mean(&top_name, blocks.iter().copied()) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None => format!("blocks: {}", blocks.join(", ")),
                    };
                    self.error(
                        Code::UnknownReference,
                        format!("top = \"{top_name}\" is not a block"),
                        span,
                    )
                    .label = label;
                }
            },
            None => match model.block_index("system") {
                Some(index) => model.top = index,
                None if model.blocks.is_empty() => {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::EmptyModel,
                            "the model defines no blocks: add [component.NAME] tables and a [block.system]",
                            None,
                        )
                        .with_note("see docs/model-format.md for a complete example"),
                    );
                }
                None => {
                    let mut referenced = vec![false; model.blocks.len()];
                    for block in &model.blocks {
                        for member in &block.members {
                            if let NodeRef::Block(index) = member.node {
                                referenced[index] = true;
                            }
                        }
                    }
                    let roots: Vec<&str> = model
                        .blocks
                        .iter()
                        .zip(&referenced)
                        .filter(|(_, r)| !**r)
                        .map(|(b, _)| b.name.as_str())
                        .collect();
                    let mut diagnostic = Diagnostic::new(
                        Code::MissingTop,
                        "the model has no top block: name one with top = \"...\" or call it `system`",
                        None,
                    );
                    if !roots.is_empty() {
                        diagnostic = diagnostic.with_note(format!(
                            "blocks that nothing references: {}",
                            roots.join(", ")
                        ));
                    }
                    self.diagnostics.push(diagnostic);
                }
            },
        }
        if self.diagnostics.is_empty() {
            let depth = super::graph::nesting_depth(&model);
            if depth > MAX_NESTING {
                let top = &model.blocks[model.top];
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ModelTooLarge,
                        format!(
                            "blocks are nested {depth} levels deep below `{}`; nines solves at most {MAX_NESTING} levels",
                            top.name
                        ),
                        top.span,
                    )
                    .with_label("too deep")
                    .with_note("flatten the model: a series of series is one series"),
                );
            }
        }
        if self.diagnostics.is_empty() {
            Some(model)
        } else {
            None
        }
    }

    /// Rules that tie members to their block: crews, common cause and standby need components,
    /// and shared units cannot be in them.
    fn check_rules(&mut self, model: &Model, raw_blocks: &[RawBlock<'_>]) {
        for (block, raw) in model.blocks.iter().zip(raw_blocks) {
            let has_block_member = block
                .members
                .iter()
                .any(|m| matches!(m.node, NodeRef::Block(_)));
            let shared_member = block
                .members
                .iter()
                .find(|m| model.is_shared(m.node))
                .map(|m| model.node_name(m.node).to_string());
            if let Some((_, span)) = raw.repair_crews {
                if has_block_member {
                    self.error(
                        Code::CrewsOnBlocks,
                        format!("`repair_crews` on [block.{}] whose members include blocks; crews apply to blocks of components", block.name),
                        span,
                    )
                    .label = "put the crews on the inner block".into();
                } else if let Some(shared) = &shared_member {
                    self.error(
                        Code::SharedInCrew,
                        format!("shared `{shared}` is a member of [block.{}], which has repair_crews; whose crew repairs it is ambiguous", block.name),
                        span,
                    )
                    .label = "remove repair_crews or shared".into();
                }
            }
            if let Some((_, span)) = raw.common_cause_beta {
                let single_component = block.members.len() == 1
                    && matches!(block.members[0].node, NodeRef::Component(_));
                if !single_component {
                    self.error(
                        Code::CommonCauseMembers,
                        format!("`common_cause_beta` on [block.{}] needs members that are copies of one component", block.name),
                        span,
                    )
                    .label = "members differ".into();
                } else if let Some(shared) = &shared_member {
                    self.error(
                        Code::SharedInCommonCause,
                        format!("shared `{shared}` is a member of [block.{}], which has common_cause_beta", block.name),
                        span,
                    )
                    .label = "remove common_cause_beta or shared".into();
                }
            }
            if matches!(block.kind, BlockKind::Standby(_)) {
                if has_block_member {
                    self.error(
                        Code::StandbyMembers,
                        format!(
                            "standby [block.{}] must have components as members, not blocks",
                            block.name
                        ),
                        raw.key_span,
                    )
                    .label = "standby of blocks is not supported".into();
                } else if let Some(shared) = &shared_member {
                    self.error(
                        Code::SharedInStandby,
                        format!("shared `{shared}` is a member of standby [block.{}]; a standby unit cannot be shared", block.name),
                        raw.key_span,
                    )
                    .label = "remove shared".into();
                }
            }
            if let BlockKind::KOfN { k } = block.kind {
                let n = block.member_count();
                let mixed = block
                    .members
                    .iter()
                    .any(|m| m.node != block.members[0].node);
                if mixed && k > 1 && k < n && n > MAX_MIXED_K_OF_N {
                    self.error(
                        Code::ModelTooLarge,
                        format!(
                            "[block.{}] is a {k}-of-{n} of different members; nines solves mixed k-of-n blocks of at most {MAX_MIXED_K_OF_N} members",
                            block.name
                        ),
                        raw.key_span,
                    )
                    .label = "too many different members".into();
                }
            }
            if block.member_count() > MAX_MEMBERS {
                self.error(
                    Code::ModelTooLarge,
                    format!(
                        "[block.{}] has {} members; nines solves at most {MAX_MEMBERS} per block",
                        block.name,
                        block.member_count()
                    ),
                    raw.key_span,
                )
                .label = "too many members".into();
            }
        }
    }

    /// Reports a reference cycle (a block that contains itself); true when one was found.
    fn find_cycle(&mut self, model: &Model, raw_blocks: &[RawBlock<'_>]) -> bool {
        // 0 = unvisited, 1 = on the stack, 2 = done. Iterative to survive deep nesting.
        let mut state = vec![0u8; model.blocks.len()];
        for start in 0..model.blocks.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some((block, next)) = stack.last_mut() {
                let members = &model.blocks[*block].members;
                if *next >= members.len() {
                    state[*block] = 2;
                    stack.pop();
                    continue;
                }
                let member = members[*next].node;
                *next += 1;
                if let NodeRef::Block(child) = member {
                    match state[child] {
                        0 => {
                            state[child] = 1;
                            stack.push((child, 0));
                        }
                        1 => {
                            let position = stack.iter().position(|(b, _)| *b == child).unwrap_or(0);
                            let mut path: Vec<&str> = stack[position..]
                                .iter()
                                .map(|(b, _)| model.blocks[*b].name.as_str())
                                .collect();
                            path.push(&model.blocks[child].name);
                            let member_span = raw_blocks
                                [stack.last().map(|(b, _)| *b).unwrap_or(child)]
                            .members
                            .iter()
                            .find(|(n, _, _)| *n == model.blocks[child].name)
                            .map(|(_, _, s)| *s)
                            .unwrap_or(raw_blocks[child].key_span);
                            self.error(
                                Code::Cycle,
                                format!(
                                    "blocks refer to each other in a cycle: {}",
                                    path.join(" → ")
                                ),
                                member_span,
                            )
                            .label = "this reference closes the cycle".into();
                            return true;
                        }
                        _ => {}
                    }
                }
            }
        }
        false
    }
}

fn shift_spans(value: &mut Value<'_>, base: usize) {
    value.span.start += base;
    value.span.end += base;
    match value.take() {
        ValueInner::Table(table) => {
            let mut shifted: BTreeMap<Key<'_>, Value<'_>> = BTreeMap::new();
            for (mut key, mut inner) in table {
                key.span.start += base;
                key.span.end += base;
                shift_spans(&mut inner, base);
                shifted.insert(key, inner);
            }
            value.set(ValueInner::Table(shifted));
        }
        ValueInner::Array(mut items) => {
            for item in &mut items {
                shift_spans(item, base);
            }
            value.set(ValueInner::Array(items));
        }
        other => value.set(other),
    }
}

/// The distribution name meant by a misspelt or differently written `dist`, if any:
/// `log-normal` → `lognormal`, `Weibull` → `weibull`, `deterministic` → `fixed`.
fn dist_suggestion(name: &str) -> Option<&'static str> {
    let normalised: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    let synonym = match normalised.as_str() {
        "exp" | "expo" | "memoryless" | "poisson" => Some("exponential"),
        "deterministic" | "constant" | "const" | "fix" => Some("fixed"),
        "lognorm" | "ln" => Some("lognormal"),
        "erlang" => Some("gamma"),
        _ => None,
    };
    synonym
        .or_else(|| DISTS.iter().copied().find(|dist| *dist == normalised))
        .or_else(|| did_you_mean(&normalised, DISTS.iter().copied()))
}

fn type_name(value: &Value<'_>) -> &'static str {
    if value.as_str().is_some() {
        "a string"
    } else if value.as_integer().is_some() {
        "an integer"
    } else if value.as_float().is_some() {
        "a number"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.as_array().is_some() {
        "a list"
    } else {
        "a table"
    }
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for toml_span::Error {
    fn kind_message(&self) -> String {
        // The error's Display holds the kind's message; strip any trailing location it adds.
        let text = self.to_string();
        text.split(" at line ").next().unwrap_or(&text).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[component.a]\nmtbf = \"1000h\"\nmttr = \"2h\"\n";
    const SYSTEM: &str = "[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n";

    fn load(text: &str, sets: &[&str]) -> Result<Model, Vec<Diagnostic>> {
        let overrides: Vec<Override> = sets
            .iter()
            .map(|set| Override::parse(set).expect("well-formed override"))
            .collect();
        load_model("m.toml", text, &overrides)
            .map(|loaded| loaded.model)
            .map_err(|invalid| invalid.diagnostics)
    }

    fn component_with(lines: &str) -> String {
        format!("{HEAD}{lines}\n{SYSTEM}")
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
        diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn distributions_default_to_exponential() {
        let model = load(&component_with(""), &[]).unwrap();
        assert_eq!(model.components[0].failure_dist, TimeDist::Exponential);
        assert_eq!(model.components[0].repair_dist, TimeDist::Exponential);
        assert_eq!(model.target, None);
    }

    #[test]
    fn each_distribution_decodes_to_its_time_dist() {
        let cases = [
            ("{ dist = \"exponential\" }", TimeDist::Exponential),
            ("{ dist = \"fixed\" }", TimeDist::Fixed),
            (
                "{ dist = \"weibull\", shape = 1.5 }",
                TimeDist::Weibull { shape: 1.5 },
            ),
            (
                "{ dist = \"lognormal\", sigma = 0.8 }",
                TimeDist::LogNormal { sigma: 0.8 },
            ),
            // An integer is a number.
            (
                "{ dist = \"gamma\", shape = 2 }",
                TimeDist::Gamma { shape: 2.0 },
            ),
            // The bounds themselves are allowed.
            (
                "{ dist = \"weibull\", shape = 0.05 }",
                TimeDist::Weibull { shape: 0.05 },
            ),
            (
                "{ dist = \"weibull\", shape = 100 }",
                TimeDist::Weibull { shape: 100.0 },
            ),
            (
                "{ dist = \"gamma\", shape = 0.01 }",
                TimeDist::Gamma { shape: 0.01 },
            ),
            (
                "{ dist = \"gamma\", shape = 1e6 }",
                TimeDist::Gamma { shape: 1e6 },
            ),
            (
                "{ dist = \"lognormal\", sigma = 10 }",
                TimeDist::LogNormal { sigma: 10.0 },
            ),
        ];
        for (table, expected) in cases {
            let model = load(
                &component_with(&format!("failure_dist = {table}\nrepair_dist = {table}")),
                &[],
            )
            .unwrap_or_else(|d| panic!("{table}: {d:?}"));
            assert_eq!(model.components[0].failure_dist, expected, "{table}");
            assert_eq!(model.components[0].repair_dist, expected, "{table}");
        }
    }

    #[test]
    fn a_distribution_may_be_written_as_a_sub_table() {
        let text =
            format!("{HEAD}[component.a.repair_dist]\ndist = \"weibull\"\nshape = 3\n{SYSTEM}");
        let model = load(&text, &[]).unwrap();
        assert_eq!(
            model.components[0].repair_dist,
            TimeDist::Weibull { shape: 3.0 }
        );
    }

    #[test]
    fn standby_blocks_take_a_failover_dist() {
        let text = format!(
            "{HEAD}[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\nfailover = \"30s\"\nfailover_dist = {{ dist = \"lognormal\", sigma = 0.5 }}\n"
        );
        let model = load(&text, &[]).unwrap();
        let BlockKind::Standby(standby) = &model.blocks[0].kind else {
            panic!("a standby block");
        };
        assert_eq!(standby.failover_dist, TimeDist::LogNormal { sigma: 0.5 });
        assert_eq!(standby.failover_hours, 30.0 / 3600.0);
    }

    #[test]
    fn failover_dist_is_rejected_outside_standby_blocks() {
        let text = format!(
            "{HEAD}[block.system]\nkind = \"parallel\"\nof = \"a\"\ncount = 2\nfailover_dist = {{ dist = \"fixed\" }}\n"
        );
        assert_eq!(codes(&load(&text, &[]).unwrap_err()), ["unexpected-key"]);
        let on_component = component_with("failover_dist = { dist = \"fixed\" }");
        assert_eq!(
            codes(&load(&on_component, &[]).unwrap_err()),
            ["unexpected-key"]
        );
    }

    #[test]
    fn every_problem_in_a_distribution_table_is_reported() {
        let diagnostics = load(
            &component_with(
                "failure_dist = { dist = \"weibull\", sigma = 1, scale = 2 }\nrepair_dist = { dist = \"weibul\" }",
            ),
            &[],
        )
        .unwrap_err();
        assert_eq!(
            codes(&diagnostics),
            ["missing-key", "unexpected-key", "unknown-key", "bad-value"],
            "{diagnostics:#?}"
        );
        assert!(diagnostics[2].notes[0].contains("the mean always comes from mtbf"));
        assert_eq!(diagnostics[3].label, "did you mean `weibull`?");
    }

    #[test]
    fn out_of_range_parameters_are_rejected() {
        for table in [
            "{ dist = \"weibull\", shape = 0 }",
            "{ dist = \"weibull\", shape = 0.049 }",
            "{ dist = \"weibull\", shape = 100.5 }",
            "{ dist = \"gamma\", shape = 0.009 }",
            "{ dist = \"gamma\", shape = 2e6 }",
            "{ dist = \"lognormal\", sigma = -1 }",
            "{ dist = \"lognormal\", sigma = 10.5 }",
            "{ dist = \"lognormal\", sigma = inf }",
            "{ dist = \"gamma\", shape = nan }",
        ] {
            let diagnostics =
                load(&component_with(&format!("repair_dist = {table}")), &[]).unwrap_err();
            assert_eq!(codes(&diagnostics), ["bad-value"], "{table}");
        }
    }

    #[test]
    fn misspelt_distribution_names_get_suggestions() {
        assert_eq!(dist_suggestion("log-normal"), Some("lognormal"));
        assert_eq!(dist_suggestion("log_normal"), Some("lognormal"));
        assert_eq!(dist_suggestion("Weibull"), Some("weibull"));
        assert_eq!(dist_suggestion("weibul"), Some("weibull"));
        assert_eq!(dist_suggestion("deterministic"), Some("fixed"));
        assert_eq!(dist_suggestion("exp"), Some("exponential"));
        assert_eq!(dist_suggestion("zzz"), None);
    }

    #[test]
    fn target_window_and_breach_probability_are_kept() {
        let text = component_with(
            "[target]\navailability = \"99.9%\"\nwindow = \"30d\"\nmax_breach_probability = \"1%\"",
        );
        let target = load(&text, &[]).unwrap().target.unwrap();
        assert_eq!(target.window_hours, Some(720.0));
        assert_eq!(target.max_breach_probability, Some(0.01));
        assert_eq!(target.unavailability, 1e-3);

        let text = component_with("[target]\nnines = 4\nmax_breach_probability = 0.05");
        let target = load(&text, &[]).unwrap().target.unwrap();
        assert_eq!(target.window_hours, None);
        assert_eq!(target.max_breach_probability, Some(0.05));

        let overridden = load(
            &text,
            &["target.window=1y", "target.max_breach_probability=0"],
        )
        .unwrap()
        .target
        .unwrap();
        assert_eq!(overridden.window_hours, Some(8766.0));
        assert_eq!(overridden.max_breach_probability, Some(0.0));
    }

    #[test]
    fn a_window_alone_is_not_a_target() {
        let diagnostics = load(&component_with("[target]\nwindow = \"30d\""), &[]).unwrap_err();
        assert_eq!(codes(&diagnostics), ["missing-key"]);
        assert!(diagnostics[0].notes[0].contains("qualify a target"));
    }

    #[test]
    fn windows_must_be_positive_and_at_most_ten_years() {
        for window in ["\"0s\"", "\"10.5y\"", "30", "\"-1d\""] {
            let text = component_with(&format!("[target]\nnines = 3\nwindow = {window}"));
            assert!(load(&text, &[]).is_err(), "{window}");
        }
        let text = component_with("[target]\nnines = 3\nwindow = \"10y\"");
        assert_eq!(
            load(&text, &[]).unwrap().target.unwrap().window_hours,
            Some(MAX_WINDOW_HOURS)
        );
    }

    #[test]
    fn overrides_create_replace_and_edit_distribution_tables() {
        let plain = component_with("");
        let created = load(&plain, &["component.a.repair_dist.dist=fixed"]).unwrap();
        assert_eq!(created.components[0].repair_dist, TimeDist::Fixed);

        let weibull = component_with("repair_dist = { dist = \"weibull\", shape = 1.5 }");
        let edited = load(&weibull, &["component.a.repair_dist.shape=3"]).unwrap();
        assert_eq!(
            edited.components[0].repair_dist,
            TimeDist::Weibull { shape: 3.0 }
        );
        let replaced = load(
            &weibull,
            &["component.a.repair_dist={ dist = \"lognormal\", sigma = 0.5 }"],
        )
        .unwrap();
        assert_eq!(
            replaced.components[0].repair_dist,
            TimeDist::LogNormal { sigma: 0.5 }
        );
        let failover = format!(
            "{HEAD}[block.system]\nkind = \"standby\"\nof = \"a\"\ncount = 2\nfailover = \"1m\"\n"
        );
        let standby = load(&failover, &["block.system.failover_dist.dist=fixed"]).unwrap();
        let BlockKind::Standby(standby) = &standby.blocks[0].kind else {
            panic!("a standby block");
        };
        assert_eq!(standby.failover_dist, TimeDist::Fixed);

        // Changing `dist` alone keeps the file's `shape`, which fixed does not take.
        let diagnostics = load(&weibull, &["component.a.repair_dist.dist=fixed"]).unwrap_err();
        assert_eq!(codes(&diagnostics), ["unexpected-key"]);
        assert_eq!(diagnostics[0].span.unwrap().origin, Origin::File);
        assert!(
            diagnostics[0].notes[0]
                .contains("--set component.a.repair_dist='{ dist = \"fixed\" }'"),
            "{diagnostics:#?}"
        );
    }
}
