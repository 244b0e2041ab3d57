//! Merging the `--set` overrides into the model file's tree, before anything is decoded.
//!
//! The overrides are parsed as TOML of their own; their spans are shifted past the file's
//! text so that a diagnostic can tell which source it points into.

use super::Decoder;
use crate::diag::{Code, Origin, did_you_mean};
use std::collections::BTreeMap;
use toml_span::value::{Key, Table, Value, ValueInner};

/// Overrides of one key remove the file's alternatives to it, so `--set component.a.mtbf=…`
/// works on a component written with `failure_rate`.
const ALTERNATIVES: &[&[&str]] = &[
    &["mtbf", "failure_rate", "availability"],
    &["mttr", "repair_rate"],
    &["availability", "nines", "max_downtime_per_year"],
    &["members", "of"],
];

impl Decoder {
    /// Merges the override tree into the file's tree. `depth` 0 is the root; `in_names` says
    /// `into` is the `component` or `block` section, whose keys are names.
    pub(super) fn merge_overrides<'a>(
        &mut self,
        into: &mut Table<'a>,
        from: Table<'a>,
        depth: usize,
        in_names: bool,
    ) {
        for (mut key, mut value) in from {
            // `--set component.broker[*].mttr=…` is the family path `component.broker.mttr`.
            if in_names
                && let Some((base, None)) = super::family::instance_name(&key.name)
                && into.contains_key(base)
            {
                key.name = base.to_string().into();
            }
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
                    // `--set component.broker[2].mttr=…` makes an instance table of a family;
                    // the family expansion checks it.
                    let instance_of_known = super::family::instance_name(&key.name)
                        .is_some_and(|(base, index)| index.is_some() && into.contains_key(base));
                    if in_names && !exists && !instance_of_known {
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
    pub(super) fn is_inline_override(&self, value: &Value<'_>) -> bool {
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
}

/// Moves every span of an override tree `base` bytes on, past the file's text.
pub(super) fn shift_spans(value: &mut Value<'_>, base: usize) {
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
