//! Diagnostics about model files: an id, a message, a primary span and notes, rendered with
//! the offending source line like a compiler error.
//!
//! A model's text and its `--set` overrides are two sources; a span records which one it
//! points into, so an error in an override shows the override, not a line of the file.

use codespan_reporting::diagnostic::{Diagnostic as Rendered, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use std::io::{IsTerminal, Write};

/// Which text a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The model file itself.
    File,
    /// The `--set PATH=VALUE` overrides, rendered as one line each.
    Overrides,
}

/// A byte range in one of the model's sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The source the range belongs to.
    pub origin: Origin,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// Every diagnostic id `nines` reports, one per kind of problem.
///
/// The rendered text (`error[unknown-key]`) is [`Code::as_str`]; it is stable for tests and
/// tooling, and `docs/model-format.md` §11 lists each code with when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// `toml-syntax`: The model file or a `--set` value is not valid TOML.
    TomlSyntax,
    /// `unknown-override`: A `--set` path names a component or block the model does not define.
    UnknownOverride,
    /// `unknown-key`: A key is not known at the top level, in `[target]`, a component, a block or a distribution table.
    UnknownKey,
    /// `expected-table`: `component`, `block`, `target` or an entry of them is not a table.
    ExpectedTable,
    /// `wrong-type`: A value has the wrong TOML type (a number where a duration string is expected, …).
    WrongType,
    /// `bad-value`: A value has the right type but is out of range or not one of the allowed words.
    BadValue,
    /// `bad-duration`: A duration string has no unit, an unknown unit or is malformed.
    BadDuration,
    /// `missing-key`: A required key is absent (a component's failure or repair figure, a block's `kind`, …).
    MissingKey,
    /// `unexpected-key`: A key is known but does not apply where it is written (`k` on a series block, …).
    UnexpectedKey,
    /// `conflicting-keys`: Two keys give the same figure (`mttr` and `repair_rate`, `members` and `of`, …).
    ConflictingKeys,
    /// `bad-name`: A component or block name uses characters other than letters, digits, `_` and `-`.
    BadName,
    /// `duplicate-name`: One name is defined both as a component and as a block.
    DuplicateName,
    /// `unknown-reference`: A member, `of` or `top` names nothing defined (or `top` is not a block).
    UnknownReference,
    /// `empty-model`: The model defines no blocks.
    EmptyModel,
    /// `missing-top`: There is no `top` key and no block called `system`.
    MissingTop,
    /// `model-too-large`: A block has too many members, a mixed k-of-n is too large, or blocks nest too deep.
    ModelTooLarge,
    /// `cycle`: Blocks refer to each other in a cycle.
    Cycle,
    /// `common-cause-members`: `common_cause_beta` is on a block whose members are not copies of one component.
    CommonCauseMembers,
    /// `shared-in-common-cause`: A shared unit is a member of a block with `common_cause_beta`.
    SharedInCommonCause,
    /// `solver-limit`: The exact solver refuses the model (a chain or the shared-unit conditioning is too large).
    SolverLimit,
    /// `simulation-limit`: The simulator refuses the model or the settings (too many units or windows, …).
    SimulationLimit,
    /// `sensitivity-limit`: The importance ranking cannot be computed within the solver's limits.
    SensitivityLimit,
    /// `export-limit`: The PRISM export refuses the model (too many units or states).
    ExportLimit,
    /// `family-reference`: A reference to a family is a bare family name, `NAME[*]` of a non-family, or an instance out of range.
    FamilyReference,
    /// `unshared-family`: A family (`instances`) is declared with `shared = false`.
    UnsharedFamily,
    /// `bad-placement`: A block family's `place` names no family, or its rule, replicas or lists do not fit it.
    BadPlacement,
    /// `missing-target`: `nines check` was given a model without `[target]` and no `--target`.
    MissingTarget,
    /// `bad-csv`: An incident log is not valid CSV, is empty, or lacks a required column.
    BadCsv,
    /// `bad-date`: A date-time in an incident log (or `--from`/`--to`) cannot be read.
    BadDate,
    /// `bad-incident`: An incident row is inconsistent: empty component, end not after start, bad or changing `units`, more incidents open at once than units.
    BadIncident,
}

impl Code {
    /// The kebab-case id as rendered, e.g. `unknown-key`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TomlSyntax => "toml-syntax",
            Self::UnknownOverride => "unknown-override",
            Self::UnknownKey => "unknown-key",
            Self::ExpectedTable => "expected-table",
            Self::WrongType => "wrong-type",
            Self::BadValue => "bad-value",
            Self::BadDuration => "bad-duration",
            Self::MissingKey => "missing-key",
            Self::UnexpectedKey => "unexpected-key",
            Self::ConflictingKeys => "conflicting-keys",
            Self::BadName => "bad-name",
            Self::DuplicateName => "duplicate-name",
            Self::UnknownReference => "unknown-reference",
            Self::EmptyModel => "empty-model",
            Self::MissingTop => "missing-top",
            Self::ModelTooLarge => "model-too-large",
            Self::Cycle => "cycle",
            Self::CommonCauseMembers => "common-cause-members",
            Self::SharedInCommonCause => "shared-in-common-cause",
            Self::SolverLimit => "solver-limit",
            Self::SimulationLimit => "simulation-limit",
            Self::SensitivityLimit => "sensitivity-limit",
            Self::ExportLimit => "export-limit",
            Self::FamilyReference => "family-reference",
            Self::UnsharedFamily => "unshared-family",
            Self::BadPlacement => "bad-placement",
            Self::MissingTarget => "missing-target",
            Self::BadCsv => "bad-csv",
            Self::BadDate => "bad-date",
            Self::BadIncident => "bad-incident",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One problem found in a model, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// What kind of problem this is; renders as a short kebab-case id such as `unknown-key`.
    pub code: Code,
    /// What is wrong, naming the key and value.
    pub(crate) message: String,
    /// Where, when the problem has a place in a source.
    pub span: Option<Span>,
    /// Text under the caret: what is allowed or expected there.
    pub(crate) label: String,
    /// Extra lines: hints and "did you mean".
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` with `message`.
    pub fn new(code: Code, message: impl Into<String>, span: Option<Span>) -> Self {
        Self {
            code,
            message: message.into(),
            span,
            label: String::new(),
            notes: Vec::new(),
        }
    }

    /// Adds the text shown under the caret.
    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a note line.
    pub(crate) fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// The texts diagnostics of one model point into, able to render them.
pub struct Sources {
    files: SimpleFiles<String, String>,
    file_id: usize,
    overrides_id: usize,
}

impl Sources {
    /// Registers a model file's display name and text, and the text of its overrides.
    pub fn new(file_name: &str, text: &str, overrides_text: &str) -> Self {
        let mut files = SimpleFiles::new();
        let file_id = files.add(file_name.to_string(), text.to_string());
        let overrides_id = files.add("--set".to_string(), overrides_text.to_string());
        Self {
            files,
            file_id,
            overrides_id,
        }
    }

    /// The 1-based line and column where `span` starts.
    pub fn line_column(&self, span: Span) -> Option<(usize, usize)> {
        use codespan_reporting::files::Files;
        let id = self.id_of(span.origin);
        let line = self.files.line_index(id, span.start).ok()?;
        let column = self.files.column_number(id, line, span.start).ok()?;
        Some((line + 1, column))
    }

    fn id_of(&self, origin: Origin) -> usize {
        match origin {
            Origin::File => self.file_id,
            Origin::Overrides => self.overrides_id,
        }
    }

    /// Renders a diagnostic as plain text (no colour), ending in a newline.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let rendered = self.to_rendered(diagnostic);
        term::emit_into_string(&Config::default(), &self.files, &rendered)
            .unwrap_or_else(|_| format!("error[{}]: {}\n", diagnostic.code, diagnostic.message))
    }

    /// Writes a diagnostic to stderr, coloured when stderr is a terminal and `NO_COLOR` is unset.
    pub(crate) fn emit_to_stderr(&self, diagnostic: &Diagnostic) {
        use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
        let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        if colour {
            let stream = StandardStream::stderr(ColorChoice::Always);
            let mut lock = stream.lock();
            let styles = term::Styles::default();
            let mut writer = term::StylesWriter::new(&mut lock, &styles);
            let rendered = self.to_rendered(diagnostic);
            if term::emit_to_write_style(&mut writer, &Config::default(), &self.files, &rendered)
                .is_ok()
            {
                return;
            }
        }
        let _ = std::io::stderr().write_all(self.render(diagnostic).as_bytes());
    }

    fn to_rendered(&self, diagnostic: &Diagnostic) -> Rendered<usize> {
        let mut rendered = Rendered::error()
            .with_code(diagnostic.code.as_str())
            .with_message(&diagnostic.message);
        match diagnostic.span {
            Some(span) => {
                rendered = rendered.with_labels(vec![
                    Label::primary(self.id_of(span.origin), span.start..span.end)
                        .with_message(&diagnostic.label),
                ]);
                rendered = rendered.with_notes(diagnostic.notes.clone());
            }
            None => {
                let file_name = self
                    .files
                    .get(self.file_id)
                    .map(|file| file.name().clone())
                    .unwrap_or_default();
                rendered = rendered.with_notes(
                    std::iter::once(format!("in {file_name}"))
                        .chain(diagnostic.notes.iter().cloned())
                        .collect(),
                );
            }
        }
        rendered
    }
}

/// The closest of `candidates` to `word`, when it is close enough to suggest.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Close by spelling (Jaro–Winkler), or at most a third of the letters edited, swaps
    // counting once (`wbe` → `web`).
    let edits_allowed = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != word)
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, candidate)| {
            *score > 0.8 || strsim::damerau_levenshtein(word, candidate) <= edits_allowed
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("mtbff", ["mtbf", "mttr", "shared"]),
            Some("mtbf")
        );
        assert_eq!(did_you_mean("zzz", ["mtbf", "mttr"]), None);
        assert_eq!(did_you_mean("wbe", ["web", "system"]), Some("web"));
    }

    #[test]
    fn renders_file_line_and_caret() {
        let text = "[component.a]\nmtbf = \"10x\"\n";
        let sources = Sources::new("m.toml", text, "");
        let start = text.find("\"10x\"").unwrap();
        let span = Span {
            origin: Origin::File,
            start,
            end: start + 5,
        };
        let diagnostic =
            Diagnostic::new(Code::BadDuration, "bad duration", Some(span)).with_label("here");
        let rendered = sources.render(&diagnostic);
        assert!(rendered.contains("m.toml:2:8"), "{rendered}");
        assert!(rendered.contains("error[bad-duration]"), "{rendered}");
        assert_eq!(sources.line_column(span), Some((2, 8)));
    }
}
