//! Decoding distribution tables (`failure_dist`, `repair_dist`, `failover_dist`) into a
//! [`TimeDist`], with every problem in a table reported.

use super::Decoder;
use super::limits::{GAMMA_SHAPE_RANGE, MAX_LOGNORMAL_SIGMA, WEIBULL_SHAPE_RANGE};
use super::values::type_name;
use crate::diag::{Code, Diagnostic, Origin, Span, did_you_mean};
use crate::model::TimeDist;
use toml_span::value::{Key, Table, Value};

/// The names `dist` accepts in a distribution table.
const DISTS: &[&str] = &["exponential", "weibull", "lognormal", "gamma", "fixed"];
/// The keys of a distribution table.
const DIST_KEYS: &[&str] = &["dist", "shape", "sigma"];
/// Keys people write for a mean or scale, which a distribution table never takes.
const MEAN_LIKE_KEYS: &[&str] = &[
    "mean", "scale", "rate", "lambda", "mu", "median", "location", "loc", "mtbf", "mttr",
];

/// Where a distribution table is and what gives its mean, for messages.
pub(super) struct DistContext<'c> {
    /// `repair_dist`, `failure_dist` or `failover_dist`.
    pub(super) key: &'c str,
    /// `component.web`, the table holding the key, as written in a `--set` path.
    pub(super) owner: &'c str,
    /// The keys the mean comes from (`mttr (or repair_rate)`).
    pub(super) mean_from: &'c str,
}

impl Decoder {
    /// Decodes a distribution table such as `{ dist = "weibull", shape = 1.5 }`.
    ///
    /// Reports every problem in it: a value that is not a table, a missing or unknown `dist`,
    /// a missing, misplaced or out-of-range parameter, an unknown key.
    pub(super) fn time_dist(
        &mut self,
        value: &Value<'_>,
        context: &DistContext<'_>,
    ) -> Option<TimeDist> {
        let DistContext { key, owner, .. } = *context;
        let span = self.span(value.span);
        let Some(table) = value.as_table() else {
            self.not_a_dist_table(value, span, context);
            return None;
        };
        let before = self.diagnostics.len();
        self.unknown_dist_keys(table, context);
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
        self.misplaced_parameters(
            &name,
            [("shape", shape), ("sigma", sigma)],
            dist_span,
            context,
        );
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

    /// Reports a distribution written as something other than a table, with an example.
    fn not_a_dist_table(&mut self, value: &Value<'_>, span: Span, context: &DistContext<'_>) {
        let DistContext { key, mean_from, .. } = *context;
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
    }

    /// Reports every key of a distribution table other than `dist`, `shape` and `sigma`.
    fn unknown_dist_keys(&mut self, table: &Table<'_>, context: &DistContext<'_>) {
        let DistContext {
            key,
            owner,
            mean_from,
        } = *context;
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
    }

    /// Reports `shape` or `sigma` written for a distribution that does not take it.
    fn misplaced_parameters(
        &mut self,
        name: &str,
        entries: [(&str, Option<(&Key<'_>, &Value<'_>)>); 2],
        dist_span: Span,
        context: &DistContext<'_>,
    ) {
        let DistContext { key, owner, .. } = *context;
        let takes = |parameter: &str| match name {
            "weibull" | "gamma" => parameter == "shape",
            "lognormal" => parameter == "sigma",
            _ => false,
        };
        for (parameter, entry) in entries {
            let Some((parameter_key, _)) = entry else {
                continue;
            };
            if takes(parameter) {
                continue;
            }
            let parameter_span = self.span(parameter_key.span);
            let label = match name {
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
                let whole = match name {
                    "weibull" | "gamma" => format!("{{ dist = \"{name}\", shape = … }}"),
                    "lognormal" => "{ dist = \"lognormal\", sigma = … }".to_string(),
                    _ => format!("{{ dist = \"{name}\" }}"),
                };
                diagnostic.notes.push(format!(
                    "--set changed only `dist`; to replace the whole table write --set {owner}.{key}='{whole}'"
                ));
            }
        }
    }

    /// Checks the one parameter of a Weibull, gamma or log-normal distribution.
    pub(super) fn dist_parameter(
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
}

/// The distribution name meant by a misspelt or differently written `dist`, if any:
/// `log-normal` → `lognormal`, `Weibull` → `weibull`, `deterministic` → `fixed`.
pub(super) fn dist_suggestion(name: &str) -> Option<&'static str> {
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
