//! The English sentences of what-if results: where a sweep meets the target ("the target
//! 99.95% is met from block.web.count = 4") and a searched boundary as people read it.
//!
//! `whatif` computes the facts ([`LineVerdict`], [`Found`]); this module only words them, so
//! every sentence lives in the output layer.

use crate::format::nines;
use crate::whatif::find::{Found, rounded_toward};
use crate::whatif::sweep::{LineVerdict, Point, TargetSpan, line_verdict, lines};
use crate::whatif::vary::{AxisUnit, Vary};

/// One sentence per line of a sweep saying where the target is met, e.g. "the target 99.95%
/// is met from block.web.count = 4"; with `find_hint`, a continuous parameter's sentence
/// points to `--find` for the exact boundary. Lines without a target get no sentence.
pub fn sweep_verdicts(varies: &[Vary], points: &[Point], find_hint: bool) -> Vec<String> {
    lines(points)
        .iter()
        .filter_map(|line| {
            let verdict = line_verdict(line)?;
            let prefix: String = line[0].values[1..]
                .iter()
                .zip(&varies[1..])
                .map(|(value, vary)| format!("{} = {}: ", vary.path, value.label))
                .collect();
            let target_text = match verdict.target_text {
                Some(text) => format!("the target {text}"),
                None => "the target".to_string(),
            };
            let body = where_met(&varies[0], &verdict, find_hint);
            Some(format!("{prefix}{target_text} {body}"))
        })
        .collect()
}

/// The predicate of a line's sentence: "is met from PATH = VALUE" and the like.
fn where_met(vary: &Vary, verdict: &LineVerdict<'_>, find_hint: bool) -> String {
    let sorted = &verdict.sorted;
    let label = |index: usize| sorted[index].values[0].label.clone();
    let path = &vary.path;
    let exact_hint = if !find_hint || vary.unit == AxisUnit::Count || path.starts_with("target.") {
        String::new()
    } else {
        format!(" (`--find {path}` gives the exact boundary)")
    };
    match &verdict.span {
        TargetSpan::Everywhere => format!(
            "is met at every value swept ({path} {} to {})",
            label(0),
            label(sorted.len() - 1)
        ),
        TargetSpan::Nowhere { best } => format!(
            "is missed at every value swept (best: {} nines at {path} = {})",
            nines(sorted[*best].measures.nines()),
            label(*best)
        ),
        TargetSpan::From(first) => format!("is met from {path} = {}{exact_hint}", label(*first)),
        TargetSpan::UpTo(last) => format!("is met up to {path} = {}{exact_hint}", label(*last)),
        TargetSpan::Runs(runs) => {
            let text: Vec<String> = runs
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        label(*a)
                    } else {
                        format!("{}–{}", label(*a), label(*b))
                    }
                })
                .collect();
            format!("is met for {path} = {}", text.join(", "))
        }
    }
}

/// A searched boundary as text that can be pasted into `--set` (rounded towards the side that
/// meets the target), with the value as people read it: `14.7512h (14h 45m)`, `95.0001%`.
pub fn boundary_text(value: f64, holds_below: bool, unit: AxisUnit) -> String {
    let safe = rounded_toward(value, holds_below);
    match unit {
        AxisUnit::Hours => format!("{safe}h ({})", unit.label(safe)),
        AxisUnit::Fraction | AxisUnit::Percent => {
            let percent = rounded_toward(value * 100.0, holds_below);
            format!("{percent}%")
        }
        AxisUnit::Count | AxisUnit::Number => format!("{safe}"),
    }
}

/// "The target 99.95% holds while component.db.mttr ≤ 7h 12m."
pub fn boundary_sentence(found: &Found, vary: &Vary, target: &str) -> String {
    match found {
        Found::Boundary { value, holds_below } => format!(
            "the target {target} holds while {} {} {} (exact boundary)",
            vary.path,
            if *holds_below { "≤" } else { "≥" },
            boundary_text(*value, *holds_below, vary.unit)
        ),
        Found::AlwaysMet => format!("the target {target} holds over the whole range swept"),
        Found::NeverMet => format!("the target {target} is missed over the whole range swept"),
    }
}

/// The report's note for an item the importance analysis left out, and why.
pub fn left_out_note(item: &str, reason: &dyn std::fmt::Display) -> String {
    format!("`{item}` is left out: {reason}")
}

/// The report's note for an analysis section that could not be computed, and why.
pub fn not_computed_note(reason: &dyn std::fmt::Display) -> String {
    format!("Not computed: {reason}")
}

/// The note beside the solver-limit diagnostic when the report drops its analysis sections.
pub const SECTIONS_LEFT_OUT: &str = "the report leaves out the importance and sweep sections";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatif::sweep::tests::{count_by_crews, mttr_line};

    #[test]
    fn boundaries_read_as_durations_and_percentages() {
        assert_eq!(boundary_text(7.2, true, AxisUnit::Hours), "7.2h (7h 12m)");
        assert_eq!(
            boundary_text(0.950_000_12, false, AxisUnit::Fraction),
            "95.0001%"
        );
    }

    #[test]
    fn each_line_of_a_sweep_says_where_the_target_is_met() {
        let (varies, points) = count_by_crews();
        let sentences = sweep_verdicts(&varies, &points, true);
        assert_eq!(
            sentences,
            [
                "block.web.repair_crews = 1: the target 99.9% is met from block.web.count = 2",
                "block.web.repair_crews = 2: the target 99.9% is met from block.web.count = 2",
            ]
        );
    }

    #[test]
    fn a_continuous_parameter_points_to_find() {
        // 4 nines at 1 h, 2 nines at 3 h against 3 nines.
        let (mttr, points) = mttr_line();
        let sentence = &sweep_verdicts(&[mttr], &points, true)[0];
        assert!(
            sentence.contains("is met up to component.db.mttr = 1h"),
            "{sentence}"
        );
    }
}
