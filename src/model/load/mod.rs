//! Decoding and validation: TOML text (plus `--set` overrides) to a [`Model`].
//!
//! Every problem is collected, not just the first, each with the span of the key or value at
//! fault, so one run of `nines validate` shows everything to fix.
//!
//! One `Decoder` carries the diagnostics through rooms of one purpose: `merge` (the `--set`
//! overrides), `family` and `placement` (families expanded into their instances),
//! `values` (single values), `dist` (distribution tables), `target`, `component` (with
//! `evidence`), `block`, `standby` and `reconfig`, `resolve` (names to references) and `rules`
//! (checks across blocks). [`limits`] holds the bounds they enforce.

mod block;
mod component;
mod dist;
mod evidence;
mod family;
#[cfg(test)]
mod family_tests;
pub(crate) mod limits;
mod merge;
mod placement;
mod reconfig;
mod resolve;
mod rules;
mod standby;
mod target;
#[cfg(test)]
mod tests;
mod values;

pub(crate) use limits::{DEFAULT_WINDOW_HOURS, MAX_RATE};

use super::Model;
use super::overrides::{Override, overrides_text};
use crate::diag::{Code, Diagnostic, Origin, Sources, Span};
use merge::shift_spans;
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
        family_sizes: std::collections::HashMap::new(),
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

/// The decoding state: where the file ends and the problems found so far.
struct Decoder {
    file_length: usize,
    /// The `--set` overrides as TOML, to tell an inline-table override from a dotted one.
    override_text: String,
    diagnostics: Vec<Diagnostic>,
    /// Instances of each family declared so far, so that a block's `k` is checked against
    /// its members with `NAME[*]` counted as every instance.
    family_sizes: std::collections::HashMap<String, u64>,
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
        let mut families = Vec::new();
        let decoded_from = self.diagnostics.len();
        if let Some((key, value)) = components_table {
            let entries = self.section(key, value, "component");
            for (name_key, value) in self.expand_families(entries, false, &mut families) {
                let name = name_key.name.to_string();
                match self.decode_component(name_key, value) {
                    Some(component) => components.push(component),
                    None => invalid_names.push(name),
                }
            }
        }
        let mut raw_blocks = Vec::new();
        if let Some((key, value)) = blocks_table {
            let entries = self.section(key, value, "block");
            for (name_key, value) in self.expand_families(entries, true, &mut families) {
                raw_blocks.push(self.decode_block(name_key, value));
            }
        }
        self.check_family_names(&families, &components, &raw_blocks);
        self.expand_family_references(&mut raw_blocks, &families);
        self.drop_repeated_diagnostics(decoded_from);
        self.resolve(name, components, raw_blocks, top, target, &invalid_names)
            .map(|model| Model {
                description,
                families: family::resolved_families(&model, &families),
                ..model
            })
    }

    /// Drops diagnostics after the first `from` that repeat an earlier one's code and span:
    /// the instances of a family are copies of one table, so a problem in it would otherwise
    /// be reported once per instance.
    fn drop_repeated_diagnostics(&mut self, from: usize) {
        let mut seen = std::collections::HashSet::new();
        let mut index = 0;
        self.diagnostics.retain(|diagnostic| {
            index += 1;
            index <= from || {
                let at = diagnostic
                    .span
                    .map(|s| (s.origin == Origin::File, s.start, s.end));
                seen.insert((diagnostic.code, at))
            }
        });
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
