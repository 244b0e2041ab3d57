//! `nines check` results for CI systems: a JUnit XML report (one test case per model and
//! target) and GitHub Actions workflow commands (annotations on the model file's `[target]`
//! line, or on the line of the first error).

use super::escape;
use std::fmt::Write as _;

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOutcome {
    /// The target is met.
    Passed,
    /// The target is missed.
    Failed,
    /// The model could not be read, validated, solved or simulated.
    Error,
}

/// One model checked against one target.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckCase {
    /// The model's name (its file stem when it could not be read).
    pub model: String,
    /// The model file as given.
    pub file: String,
    /// What was checked (`availability ≥ 99.99%`).
    pub check: String,
    /// How it ended.
    pub outcome: CaseOutcome,
    /// One line saying why.
    pub message: String,
    /// Line and column (1-based) to point at.
    pub location: Option<(usize, usize)>,
}

/// The JUnit XML report of all cases: one `<testsuite>` named `nines check`, one
/// `<testcase>` per case, a `<failure>` for a missed target and an `<error>` for a model that
/// could not be checked.
pub fn junit(cases: &[CheckCase]) -> String {
    let failures = cases
        .iter()
        .filter(|c| c.outcome == CaseOutcome::Failed)
        .count();
    let errors = cases
        .iter()
        .filter(|c| c.outcome == CaseOutcome::Error)
        .count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"nines check\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
        cases.len()
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"nines check\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">",
        cases.len()
    );
    for case in cases {
        let name = format!("{}: {}", case.model, case.check);
        let line = case
            .location
            .map_or(String::new(), |(line, _)| format!(" line=\"{line}\""));
        let _ = write!(
            xml,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"{line}",
            escape::xml(&case.file),
            escape::xml(&name),
            escape::xml(&case.file)
        );
        match case.outcome {
            CaseOutcome::Passed => {
                let _ = writeln!(xml, ">");
                let _ = writeln!(
                    xml,
                    "      <system-out>{}</system-out>",
                    escape::xml(&case.message)
                );
            }
            CaseOutcome::Failed | CaseOutcome::Error => {
                let tag = if case.outcome == CaseOutcome::Failed {
                    "failure"
                } else {
                    "error"
                };
                let kind = if case.outcome == CaseOutcome::Failed {
                    "target-missed"
                } else {
                    "invalid-model"
                };
                let _ = writeln!(xml, ">");
                let _ = writeln!(
                    xml,
                    "      <{tag} message=\"{}\" type=\"{kind}\">{}</{tag}>",
                    escape::xml(&case.message),
                    escape::xml(&case.message)
                );
            }
        }
        let _ = writeln!(xml, "    </testcase>");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// Escapes the message of a workflow command: `%`, carriage return and newline.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property of a workflow command: as data, plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The GitHub Actions workflow command for one case: `::error` for a missed target or a
/// broken model, `::notice` for a met target, on the file's line and column when known.
pub fn github(case: &CheckCase) -> String {
    let command = match case.outcome {
        CaseOutcome::Passed => "notice",
        CaseOutcome::Failed | CaseOutcome::Error => "error",
    };
    let mut properties = vec![format!("file={}", escape_property(&case.file))];
    if let Some((line, column)) = case.location {
        properties.push(format!("line={line}"));
        properties.push(format!("col={column}"));
    }
    let title = format!("nines check: {}", case.model);
    properties.push(format!("title={}", escape_property(&title)));
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&format!("{}: {}", case.check, case.message))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(outcome: CaseOutcome) -> CheckCase {
        CheckCase {
            model: "a <b> & \"c\", d: e".into(),
            file: "models/x,y:z.toml".into(),
            check: "availability ≥ 99.99%".into(),
            outcome,
            message: "availability 99.9% misses 99.99%\n::error::forged 100%".into(),
            location: Some((4, 1)),
        }
    }

    #[test]
    fn junit_counts_and_escapes() {
        let xml = junit(&[case(CaseOutcome::Passed), case(CaseOutcome::Failed)]);
        let document = roxmltree::Document::parse(&xml).unwrap();
        let suite = document
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(suite.attribute("tests"), Some("2"));
        assert_eq!(suite.attribute("failures"), Some("1"));
        let names: Vec<&str> = document
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .filter_map(|n| n.attribute("name"))
            .collect();
        assert_eq!(names[0], "a <b> & \"c\", d: e: availability ≥ 99.99%");
        let failure = document
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert!(
            failure
                .attribute("message")
                .unwrap()
                .contains("\n::error::forged")
        );
    }

    #[test]
    fn junit_stays_well_formed_with_non_characters_in_a_model_name() {
        // U+FFFE and U+FFFF may appear in a TOML string but in no XML document at all.
        let mut hostile = case(CaseOutcome::Failed);
        hostile.model = "web\u{FFFE}pool\u{FFFF}".into();
        hostile.message = "missed\u{FFFF}".into();
        let xml = junit(&[hostile]);
        assert!(!xml.contains(['\u{FFFE}', '\u{FFFF}']), "{xml}");
        let document = roxmltree::Document::parse(&xml).unwrap();
        let name = document
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .and_then(|n| n.attribute("name"))
            .unwrap();
        assert_eq!(name, "web\u{FFFD}pool\u{FFFD}: availability ≥ 99.99%");
    }

    #[test]
    fn github_commands_cannot_be_forged() {
        let line = github(&case(CaseOutcome::Failed));
        assert_eq!(line.lines().count(), 1);
        assert!(line.starts_with(
            "::error file=models/x%2Cy%3Az.toml,line=4,col=1,title=nines check%3A a <b> & \"c\"%2C d%3A e::"
        ), "{line}");
        assert!(line.contains("%0A::error::forged 100%25"), "{line}");
    }
}
