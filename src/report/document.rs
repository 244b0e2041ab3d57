//! A report document written twice: as Markdown (charts as image files beside it) and as one
//! self-contained HTML page (charts inline as SVG, styles inline, no scripts, no fetches).
//!
//! Text parts are Markdown. Model-provided strings must already be escaped for Markdown
//! ([`super::markdown::escape`]); when the page is rendered, any raw HTML left in the Markdown
//! is shown as text rather than passed through, so nothing in a model can add markup.

use super::escape;
use pulldown_cmark::{Event, Options, Parser, html};

/// One piece of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Markdown text.
    Markdown(String),
    /// A chart: the image file the Markdown links to, the SVG the page embeds, a caption.
    Chart {
        /// File name relative to the report (an SVG or PNG written beside it).
        file: String,
        /// The chart as SVG, embedded in the page.
        svg: String,
        /// Caption and alternative text (plain text).
        caption: String,
    },
    /// A code block (`mermaid`, `toml`...), folded away in the page.
    Code {
        /// Info string of the fence.
        language: String,
        /// A summary line for the folded block in the page (plain text).
        summary: String,
        /// The code.
        text: String,
    },
}

/// A report: a title and its parts in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The page title (plain text).
    pub title: String,
    /// The parts.
    pub parts: Vec<Part>,
}

impl Document {
    /// Appends Markdown text.
    pub fn markdown(&mut self, text: impl Into<String>) {
        self.parts.push(Part::Markdown(text.into()));
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", super::markdown::escape(&self.title));
        for part in &self.parts {
            match part {
                Part::Markdown(text) => {
                    out.push_str(text.trim_end());
                    out.push_str("\n\n");
                }
                Part::Chart { file, caption, .. } => {
                    out.push_str(&format!(
                        "![{}]({})\n\n",
                        super::markdown::escape(caption),
                        file.replace(' ', "%20").replace(['(', ')'], "_")
                    ));
                }
                Part::Code { language, text, .. } => {
                    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
                    out.push_str(&format!(
                        "{fence}{language}\n{}\n{fence}\n\n",
                        text.trim_end()
                    ));
                }
            }
        }
        out
    }

    /// The report as one self-contained HTML page.
    pub fn to_html(&self) -> String {
        let mut body = String::new();
        body.push_str(&format!("<h1>{}</h1>\n", escape::html(&self.title)));
        for part in &self.parts {
            match part {
                Part::Markdown(text) => body.push_str(&markdown_to_html(text)),
                Part::Chart { svg, caption, .. } => {
                    body.push_str(&format!(
                        "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                        strip_xml_prolog(svg),
                        escape::html(caption)
                    ));
                }
                Part::Code {
                    language,
                    summary,
                    text,
                } => {
                    body.push_str(&format!(
                        "<details><summary>{}</summary>\n<pre><code class=\"language-{}\">{}</code></pre>\n</details>\n",
                        escape::html(summary),
                        escape::html(language),
                        escape::html(text)
                    ));
                }
            }
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"nines {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
             </head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION"),
            escape::html(&self.title)
        )
    }
}

/// Page styles: system fonts only, readable tables, charts scaled to the page width.
const STYLE: &str = "
body { margin: 0; background: #f6f7f9; color: #1d2330;
  font: 15px/1.5 -apple-system, 'Segoe UI', 'DejaVu Sans', Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin-top: 36px; border-bottom: 1px solid #dde1e7; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13.5px; }
th, td { border: 1px solid #dde1e7; padding: 4px 10px; text-align: left; }
th { background: #f0f2f5; }
tr:nth-child(even) td { background: #fafbfc; }
code { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #f4f5f7; padding: 12px; overflow-x: auto; }
figure { margin: 16px 0; }
figure svg { max-width: 100%; height: auto; display: block; border: 1px solid #e4e7eb; }
figcaption { color: #5a6270; font-size: 13px; margin-top: 4px; }
details { margin: 8px 0; }
";

/// Renders Markdown (with tables) to HTML, showing any raw HTML in it as text.
fn markdown_to_html(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn strip_xml_prolog(svg: &str) -> &str {
    match svg.trim_start().strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(svg, |(_, after)| after.trim_start()),
        None => svg.trim_start(),
    }
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_in_markdown_is_shown_as_text() {
        let mut document = Document {
            title: "<script>alert(1)</script>".into(),
            parts: Vec::new(),
        };
        document.markdown("hello <script>alert(2)</script> <img src=x onerror=alert(3)>");
        let page = document.to_html();
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)"));
    }

    #[test]
    fn charts_are_images_in_markdown_and_inline_in_html() {
        let document = Document {
            title: "t".into(),
            parts: vec![
                Part::Chart {
                    file: "t-sweep.svg".into(),
                    svg:
                        "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"
                            .into(),
                    caption: "a [chart]".into(),
                },
                Part::Code {
                    language: "mermaid".into(),
                    summary: "source".into(),
                    text: "a ``` b".into(),
                },
            ],
        };
        let markdown = document.to_markdown();
        assert!(
            markdown.contains("![a \\[chart\\]](t-sweep.svg)"),
            "{markdown}"
        );
        assert!(
            markdown.contains("````mermaid\na ``` b\n````"),
            "{markdown}"
        );
        let page = document.to_html();
        assert!(page.contains("<figure>\n<svg xmlns"));
        assert!(!page.contains("<?xml"));
    }
}
