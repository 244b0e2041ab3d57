//! Design-review reports and topology diagrams through the real binary: `nines report`
//! (Markdown, self-contained HTML, chart files) and `nines diagram` (DOT, Mermaid, SVG),
//! including model names that try to inject markup.

use crate::common;
use common::{example_models, model_file, nines, path};
use std::path::{Path, PathBuf};

/// The charts of a report, in the order they appear in it.
const CHART_KINDS: [&str; 4] = ["topology", "windows", "tornado", "sweep"];

/// The one namespace URL a self-contained page may carry.
const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

/// A name made to break HTML, Markdown tables and spreadsheets.
const HOSTILE_NAME: &str = "<script>alert(1)</script> | =cmd";

fn hostile_model(name_toml: &str) -> String {
    format!(
        r#"
name = {name_toml}
[target]
availability = "99.9%"
[component.a]
mtbf = "1000h"
mttr = "1h"
[component.b]
mtbf = "500h"
mttr = "2h"
[block.pair]
kind = "parallel"
of = "b"
count = 2
[block.system]
kind = "series"
members = ["a", "pair"]
"#
    )
}

/// Runs `nines report ARGS`, requires exit 0, returns stdout.
fn report(args: &[&std::ffi::OsStr]) -> String {
    let output = nines().arg("report").args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "nines report {args:?}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn os(text: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(text)
}

fn read(file: &Path) -> String {
    std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"))
}

/// Parses SVG text; requires an `<svg>` root and no `script` element anywhere.
fn check_svg(text: &str, what: &str) {
    let document = roxmltree::Document::parse(text)
        .unwrap_or_else(|e| panic!("{what} is not well-formed XML: {e}"));
    assert_eq!(document.root_element().tag_name().name(), "svg", "{what}");
    for node in document.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !name.eq_ignore_ascii_case("script"),
            "{what} has a script element"
        );
        assert!(
            !node
                .attributes()
                .any(|a| a.name().to_ascii_lowercase().starts_with("on")),
            "{what} has an event-handler attribute on <{name}>"
        );
    }
}

/// Decodes a whole PNG and returns its size.
fn png_size(file: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(file).unwrap());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{file:?}: {e}"));
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader
        .next_frame(&mut buffer)
        .unwrap_or_else(|e| panic!("{file:?}: {e}"));
    (frame.width, frame.height)
}

/// The file names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// The targets of Markdown images `![…](TARGET)`.
fn image_links(markdown: &str) -> Vec<String> {
    markdown
        .match_indices("](")
        .filter(|(at, _)| markdown[..*at].rfind("![").is_some())
        .filter_map(|(at, _)| {
            let rest = &markdown[at + 2..];
            rest.find(')').map(|end| rest[..end].to_string())
        })
        .filter(|target| target.ends_with(".svg") || target.ends_with(".png"))
        .collect()
}

/// Every inline `<svg …>…</svg>` element of an HTML page (they do not nest).
fn inline_svgs(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..]
            .find("</svg>")
            .unwrap_or_else(|| panic!("unclosed <svg> in the page"))
            + start
            + "</svg>".len();
        found.push(&rest[start..end]);
        rest = &rest[end..];
    }
    found
}

/// Requires that every URL in the page is the SVG namespace, quoted as an attribute value.
fn check_no_remote_urls(html: &str, what: &str) {
    assert!(!html.contains("https://"), "{what} links https://");
    let mut count = 0;
    for (at, _) in html.match_indices("http://") {
        let quoted = format!("\"{SVG_NAMESPACE}\"");
        assert!(
            html[at - 1..].starts_with(&quoted),
            "{what} has a URL other than the SVG namespace: {}",
            &html[at..(at + 60).min(html.len())]
        );
        count += 1;
    }
    // The namespace appears in the inline SVGs only.
    assert_eq!(count, inline_svgs(html).len(), "{what}");
}

/// Lines of Markdown outside fenced code blocks.
fn outside_fences(markdown: &str) -> Vec<&str> {
    let mut fenced = false;
    markdown
        .lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// 8. One report, in full.

#[test]
fn report_writes_markdown_html_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review");
    let stdout = report(&[
        path("models/three-tier.toml").as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--runs"),
        os("500"),
        os("--seed"),
        os("1"),
        os("-q"),
    ]);
    let md_file = out.join("three-tier.md");
    let html_file = out.join("three-tier.html");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            md_file.display().to_string(),
            html_file.display().to_string()
        ]
    );
    let mut expected: Vec<String> = CHART_KINDS
        .iter()
        .map(|kind| format!("three-tier-{kind}.svg"))
        .chain(["three-tier.html".into(), "three-tier.md".into()])
        .collect();
    expected.sort();
    assert_eq!(names_in(&out), expected);
    for kind in CHART_KINDS {
        let file = out.join(format!("three-tier-{kind}.svg"));
        check_svg(&read(&file), &file.display().to_string());
    }

    let html = read(&html_file);
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "script in the page"
    );
    check_no_remote_urls(&html, "three-tier.html");
    let svgs = inline_svgs(&html);
    assert_eq!(svgs.len(), CHART_KINDS.len(), "one inline SVG per chart");
    for (i, svg) in svgs.iter().enumerate() {
        check_svg(svg, &format!("inline SVG {i}"));
    }
    // The inline charts are the chart files themselves.
    for kind in CHART_KINDS {
        let file = read(&out.join(format!("three-tier-{kind}.svg")));
        assert!(
            svgs.iter().any(|svg| file.trim_end().ends_with(svg)),
            "the page does not embed three-tier-{kind}.svg"
        );
    }

    let markdown = read(&md_file);
    let links = image_links(&markdown);
    let wanted: Vec<String> = CHART_KINDS
        .iter()
        .map(|kind| format!("three-tier-{kind}.svg"))
        .collect();
    assert_eq!(links, wanted, "chart links in the Markdown");
    assert!(markdown.contains("```mermaid\n"), "no mermaid block");
    assert!(markdown.starts_with("# Three-tier web"), "{markdown}");
}

#[test]
fn report_with_png_links_png_files_and_still_embeds_svg() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    report(&[
        path("models/three-tier.toml").as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--runs"),
        os("500"),
        os("--seed"),
        os("1"),
        os("--png"),
        os("-q"),
    ]);
    let markdown = read(&out.join("three-tier.md"));
    let links = image_links(&markdown);
    assert_eq!(links.len(), CHART_KINDS.len(), "{links:?}");
    // The plotted charts become PNG; the topology tree is drawn as SVG only.
    let pngs: Vec<&String> = links.iter().filter(|l| l.ends_with(".png")).collect();
    assert_eq!(
        pngs,
        [
            "three-tier-windows.png",
            "three-tier-tornado.png",
            "three-tier-sweep.png"
        ]
    );
    for link in &links {
        let file = out.join(link);
        if link.ends_with(".png") {
            let (width, height) = png_size(&file);
            assert!(
                (600..=2000).contains(&width) && (400..=2000).contains(&height),
                "{link}: {width}×{height}"
            );
        } else {
            check_svg(&read(&file), link);
        }
    }
    let html = read(&out.join("three-tier.html"));
    assert_eq!(inline_svgs(&html).len(), CHART_KINDS.len());
    assert!(!html.contains("<img"), "the page refers to image files");
    assert!(!html.contains(".png"), "the page refers to PNG files");
}

#[test]
fn report_rerun_overwrites_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let args = [
        path("models/three-tier.toml").into_os_string(),
        "-o".into(),
        out.as_os_str().to_owned(),
        "--runs".into(),
        "300".into(),
        "--seed".into(),
        "7".into(),
        "-q".into(),
    ];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    report(&args);
    let first_md = read(&out.join("three-tier.md"));
    let first_names = names_in(out);
    // Spoil every file, then write the report again.
    for name in &first_names {
        std::fs::write(out.join(name), "stale").unwrap();
    }
    report(&args);
    assert_eq!(names_in(out), first_names, "a rerun adds or removes files");
    for name in &first_names {
        assert_ne!(read(&out.join(name)), "stale", "{name} was not rewritten");
    }
    // Seeded and free of timestamps: the same report again.
    assert_eq!(read(&out.join("three-tier.md")), first_md);
    assert!(
        !first_names
            .iter()
            .any(|n| n.starts_with('.') || n.ends_with(".tmp")),
        "{first_names:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 9. Every example model.

#[test]
fn every_example_model_gets_a_report_with_valid_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let models = example_models();
    assert!(models.len() >= 10, "{models:?}");
    let mut args: Vec<&std::ffi::OsStr> = models.iter().map(|m| m.as_os_str()).collect();
    args.extend([
        os("-o"),
        out.as_os_str(),
        os("--runs"),
        os("200"),
        os("--seed"),
        os("1"),
        os("-q"),
    ]);
    let stdout = report(&args);
    assert_eq!(stdout.lines().count(), 2 * models.len(), "{stdout}");
    let mut charts = 0;
    for model in &models {
        let stem = model.file_stem().unwrap().to_str().unwrap();
        let markdown = read(&out.join(format!("{stem}.md")));
        let html = read(&out.join(format!("{stem}.html")));
        assert!(!html.to_ascii_lowercase().contains("<script"), "{stem}");
        check_no_remote_urls(&html, stem);
        let links = image_links(&markdown);
        assert!(links.len() >= 2, "{stem}: {links:?}");
        assert_eq!(inline_svgs(&html).len(), links.len(), "{stem}");
        for link in links {
            assert!(link.starts_with(&format!("{stem}-")), "{stem}: {link}");
            check_svg(&read(&out.join(&link)), &link);
            charts += 1;
        }
    }
    // No chart file that the Markdown does not link.
    let svg_files = names_in(out).iter().filter(|n| n.ends_with(".svg")).count();
    assert_eq!(svg_files, charts);
}

// ---------------------------------------------------------------------------------------
// 10. Hostile text.

#[test]
fn report_escapes_a_hostile_model_name() {
    let (dir, file) = model_file(
        "evil.toml",
        &hostile_model(r#""<script>alert(1)</script> | =cmd""#),
    );
    let out = dir.path().join("out");
    report(&[
        file.as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--runs"),
        os("200"),
        os("--seed"),
        os("1"),
        os("-q"),
    ]);
    let html = read(&out.join("evil.html"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "name not shown escaped"
    );
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "raw <script in the page"
    );
    check_no_remote_urls(&html, "evil.html");
    for svg in inline_svgs(&html) {
        check_svg(svg, "inline SVG of evil.html");
    }
    for name in names_in(&out).iter().filter(|n| n.ends_with(".svg")) {
        let text = read(&out.join(name));
        check_svg(&text, name);
        assert!(!text.to_ascii_lowercase().contains("<script"), "{name}");
    }
    // Markdown: the title has `<` and `|` escaped, so it renders as text (and cannot open a
    // table cell); a raw `<script` may only appear inside fenced code, where it is text.
    let markdown = read(&out.join("evil.md"));
    let title = markdown.lines().next().unwrap();
    assert!(title.starts_with("# "), "{title}");
    assert!(title.contains(r"\<script\>alert(1)\</script\>"), "{title}");
    assert!(title.contains(r"\| =cmd"), "{title}");
    for (at, c) in title
        .char_indices()
        .filter(|(_, c)| matches!(c, '<' | '>' | '|'))
    {
        assert_eq!(&title[at - 1..at], "\\", "unescaped {c} in {title}");
    }
    for line in outside_fences(&markdown) {
        for (at, _) in line.match_indices("<script") {
            assert!(
                line[..at].ends_with('\\'),
                "raw <script outside code: {line}"
            );
        }
    }
}

/// The strings of a DOT text, unescaped (`\"` → `"`, `\\` → `\`).
fn dot_strings(text: &str) -> Vec<String> {
    let mut strings = Vec::new();
    let mut characters = text.chars();
    while let Some(c) = characters.next() {
        if c != '"' {
            continue;
        }
        let mut string = String::new();
        loop {
            match characters.next().expect("unterminated DOT string") {
                '"' => break,
                '\\' => {
                    let escaped = characters.next().expect("escape at end");
                    match escaped {
                        '"' | '\\' => string.push(escaped),
                        other => {
                            string.push('\\');
                            string.push(other);
                        }
                    }
                }
                other => string.push(other),
            }
        }
        strings.push(string);
    }
    strings
}

fn diagram(file: &Path, format: &str) -> String {
    let output = nines()
        .arg("diagram")
        .arg(file)
        .args(["--format", format])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn diagrams_escape_a_hostile_model_name() {
    // The brief's name, and one with a quote and a backslash that could end a DOT or YAML
    // string or start a Graphviz escape (`\N`).
    let with_quote = format!(r#"{HOSTILE_NAME} "q" \N"#);
    for (name, toml_name) in [
        (
            HOSTILE_NAME.to_string(),
            r#""<script>alert(1)</script> | =cmd""#,
        ),
        (
            with_quote.clone(),
            r#"'<script>alert(1)</script> | =cmd "q" \N'"#,
        ),
    ] {
        let (_dir, file) = model_file("evil.toml", &hostile_model(toml_name));

        // DOT: the graph label is one well-formed string whose value is the name.
        let dot = diagram(&file, "dot");
        assert!(dot.starts_with("digraph"), "{dot}");
        let label_line = dot.lines().find(|l| l.contains("labelloc")).unwrap();
        let strings = dot_strings(label_line);
        assert!(
            strings.contains(&name),
            "{label_line} does not carry {name:?}"
        );
        // Every string of the whole graph closes: quotes balance after unescaping.
        dot_strings(&dot);

        // Mermaid: the name only in the YAML-quoted front-matter title; the flowchart body
        // (what Mermaid parses as graph syntax) never has raw markup.
        let mermaid = diagram(&file, "mermaid");
        let lines: Vec<&str> = mermaid.lines().collect();
        assert_eq!(lines[0], "---");
        let yaml_escaped = name.replace('\\', r"\\").replace('"', "\\\"");
        assert_eq!(lines[1], format!("title: \"{yaml_escaped}\""));
        assert_eq!(lines[2], "---");
        assert!(lines[3].starts_with("flowchart"), "{mermaid}");
        for line in &lines[3..] {
            assert!(!line.contains("<script"), "{line}");
            assert!(!line.contains("alert"), "{line}");
        }

        // SVG: parses, no script element, the title carries the name as text.
        let svg = diagram(&file, "svg");
        check_svg(&svg, "diagram svg");
        assert!(!svg.contains("<script"));
        let document = roxmltree::Document::parse(&svg).unwrap();
        let title = document
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap();
        assert_eq!(title, format!("Topology of {name}"));
    }
}

// ---------------------------------------------------------------------------------------
// 11. Diagrams of every example model.

fn diagram_all(format: &str) -> String {
    let models: Vec<PathBuf> = example_models();
    let output = nines()
        .arg("diagram")
        .args(&models)
        .args(["--format", format])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn dot_diagrams_of_every_example_model() {
    let models = example_models().len();
    let dot = diagram_all("dot");
    let graphs: Vec<&str> = dot.split("digraph ").skip(1).collect();
    assert!(dot.starts_with("digraph "), "{dot}");
    assert_eq!(graphs.len(), models);
    for graph in graphs {
        // One graph each, closed, with at least one edge.
        assert!(graph.trim_end().ends_with('}'), "{graph}");
        assert_eq!(
            graph.matches('{').count(),
            graph.matches('}').count(),
            "{graph}"
        );
        assert!(graph.contains(" -> "), "{graph}");
    }
}

#[test]
fn mermaid_diagrams_of_every_example_model() {
    let models = example_models().len();
    let mermaid = diagram_all("mermaid");
    assert!(
        mermaid.starts_with("---\ntitle: ") || mermaid.starts_with("flowchart"),
        "{mermaid}"
    );
    let flowcharts = mermaid
        .lines()
        .filter(|l| l.starts_with("flowchart "))
        .count();
    assert_eq!(flowcharts, models);
    assert!(mermaid.contains(" --> "));
}

#[test]
fn svg_diagrams_of_every_example_model() {
    let models = example_models();
    // Several models give one SVG document each, one after the other.
    let svg = diagram_all("svg");
    let documents = inline_svgs(&svg);
    assert_eq!(documents.len(), models.len());
    for (document, model) in documents.iter().zip(&models) {
        check_svg(document, &model.display().to_string());
    }
    // Alone, a model's diagram is a whole document.
    check_svg(
        &diagram(&path("models/three-tier.toml"), "svg"),
        "three-tier",
    );
}

// ---------------------------------------------------------------------------------------
// Bugs found while writing these tests.

/// In Markdown, backslash escapes are not processed inside code spans, so an escaped path
/// in backticks shows its backslashes: the sweep section reads
/// "The exact availability as the MTTR in `component.tor\_switch.mttr` ranges …".
#[test]
fn report_code_spans_show_names_without_backslashes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    report(&[
        path("models/three-tier.toml").as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--no-simulation"),
        os("-q"),
    ]);
    let html = read(&out.join("three-tier.html"));
    let codes: Vec<&str> = html
        .match_indices("<code>")
        .map(|(at, _)| {
            let rest = &html[at + "<code>".len()..];
            &rest[..rest.find("</code>").unwrap()]
        })
        .collect();
    assert!(
        codes.contains(&"component.tor_switch.mttr"),
        "the swept path is not shown as code: {codes:?}"
    );
    for code in codes {
        assert!(
            !code.contains('\\'),
            "backslash shown in <code>{code}</code>"
        );
    }
    let markdown = read(&out.join("three-tier.md"));
    assert!(
        markdown
            .contains("The exact availability as the MTTR in `component.tor_switch.mttr` ranges"),
        "{markdown}"
    );
}
