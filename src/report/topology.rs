//! The structure of a model as an indented tree in a standalone SVG, like a file explorer.
//!
//! Where [`super::diagram`] draws each node once, this drawing follows every reference from
//! the top block: one row per reference path, each member one level under its block, joined
//! by elbow lines. It reads top to bottom without a layout engine, and it needs no tool to
//! view: any browser opens it.
//!
//! Two rules keep it small. Copies are not expanded: a member referenced three times is one
//! row with a `×3` badge. A shared node, one physical unit, is drawn (dashed, marked `shared`)
//! wherever it is referenced, but its members only at its first occurrence; later ones say
//! `(see above)`. Non-shared blocks referenced from several places are independent copies and
//! are expanded at each place, which can multiply rows, so the drawing stops at
//! [`MAX_ROWS`] rows and ends with a row counting the rest.
//!
//! Widths are estimated from character counts (no font metrics), and the SVG refers to
//! nothing outside itself: no links, fonts, scripts or style sheets. Every text is
//! XML-escaped.

use super::diagram::{block_kind_text, block_setting_texts, component_rates_text, copies_text};
use super::escape;
use crate::model::{BlockKind, Model, NodeRef};
use std::collections::HashSet;
use std::fmt::Write as _;

/// Most tree rows drawn; the rest are counted in one final row.
pub const MAX_ROWS: usize = 2_000;

/// Estimated advance of one character at 12 px, in px.
const CHARACTER_WIDTH: f64 = 7.2;
/// Estimated advance of one character of the 14 px title, in px.
const TITLE_CHARACTER_WIDTH: f64 = 8.4;
const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
const MARGIN: f64 = 12.0;
const TITLE_HEIGHT: f64 = 36.0;
const ROW_HEIGHT: f64 = 24.0;
const BOX_HEIGHT: f64 = 18.0;
const INDENT: f64 = 24.0;
/// Space between a box's border and its text.
const PADDING: f64 = 6.0;
/// Baseline of a text line inside a box, from the box's top.
const BASELINE: f64 = 13.0;

/// Draws the part of `model` reachable from its top block as an indented tree in SVG.
///
/// Blocks are rectangles tinted by kind (series, parallel, k-of-n, standby) and labelled
/// `name — 2-of-3`; components are rounded rectangles labelled `name  MTBF 2y · MTTR 4h`.
/// The result is a complete SVG document.
pub fn topology_svg(model: &Model) -> String {
    let tree = Tree::new(model);
    let drawn: Vec<DrawnRow> = tree
        .rows
        .iter()
        .enumerate()
        .map(|(index, row)| DrawnRow::new(model, index, row))
        .collect();
    let more_text = (tree.hidden > 0).then(|| more_rows_text(tree.hidden));

    let title_width = MARGIN * 2.0 + text_width(&model.name, TITLE_CHARACTER_WIDTH);
    let more_width = more_text
        .as_ref()
        .map_or(0.0, |text| MARGIN * 2.0 + text_width(text, CHARACTER_WIDTH));
    let width = drawn
        .iter()
        .map(|row| row.x + row.width + MARGIN)
        .fold(title_width.max(more_width), f64::max)
        .ceil();
    let line_count = drawn.len() + usize::from(more_text.is_some());
    let height = (TITLE_HEIGHT + line_count as f64 * ROW_HEIGHT + MARGIN).ceil();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"{FONT_FAMILY}\" font-size=\"12\">"
    );
    let _ = writeln!(
        out,
        "<title>Topology of {}</title>",
        escape::xml_one_line(&model.name)
    );
    let _ = writeln!(
        out,
        "<rect class=\"background\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"{MARGIN}\" y=\"{}\" font-size=\"14\" font-weight=\"bold\" \
         fill=\"#111111\">{}</text>",
        MARGIN + 12.0,
        escape::xml_one_line(&model.name)
    );

    out.push_str("<g class=\"connectors\" fill=\"none\" stroke=\"#8a8a8a\">\n");
    for (row, drawn_row) in tree.rows.iter().zip(&drawn) {
        if let Some(parent) = row.parent {
            let parent = &drawn[parent];
            let _ = writeln!(
                out,
                "<path d=\"M{} {}V{}H{}\"/>",
                parent.x + INDENT / 2.0,
                parent.y + BOX_HEIGHT,
                drawn_row.y + BOX_HEIGHT / 2.0,
                drawn_row.x
            );
        }
    }
    out.push_str("</g>\n");

    for row in &drawn {
        row.write(&mut out);
    }
    if let Some(text) = more_text {
        let _ = writeln!(
            out,
            "<text class=\"more\" x=\"{MARGIN}\" y=\"{}\" font-style=\"italic\" \
             fill=\"#555555\">{}</text>",
            TITLE_HEIGHT + drawn.len() as f64 * ROW_HEIGHT + BASELINE,
            escape::xml_one_line(&text)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The last row's text: `… 1,234 more rows not drawn`.
fn more_rows_text(hidden: u64) -> String {
    if hidden == u64::MAX {
        // Saturated: deeply nested copies can describe more paths than a u64 counts.
        return format!("… more than {hidden} rows not drawn");
    }
    let plural = if hidden == 1 { "row" } else { "rows" };
    format!("… {hidden} more {plural} not drawn")
}

/// One reference path from the top block.
struct Row {
    depth: usize,
    node: NodeRef,
    /// References from the parent block (drawn once, with a badge when > 1).
    count: u64,
    /// A shared node already drawn (with its members) on an earlier row.
    repeat: bool,
    /// The parent block's row.
    parent: Option<usize>,
}

/// The rows to draw, and how many more there would be.
struct Tree<'a> {
    model: &'a Model,
    rows: Vec<Row>,
    /// Rows beyond [`MAX_ROWS`], saturating.
    hidden: u64,
    shared_seen: HashSet<NodeRef>,
    /// Blocks whose members have all been walked once.
    walked: Vec<bool>,
    /// Rows of a walked block's subtree, memoised (see [`Tree::settled_rows`]).
    settled: Vec<Option<u64>>,
}

impl<'a> Tree<'a> {
    fn new(model: &'a Model) -> Self {
        let mut tree = Self {
            model,
            rows: Vec::new(),
            hidden: 0,
            shared_seen: HashSet::new(),
            walked: vec![false; model.blocks.len()],
            settled: vec![None; model.blocks.len()],
        };
        tree.visit(NodeRef::Block(model.top), 1, 0, None);
        tree
    }

    /// Adds the row of one reference and, unless it repeats a shared node, its members'.
    ///
    /// Recursion is as deep as the model's nesting, which the loader bounds.
    fn visit(&mut self, node: NodeRef, count: u64, depth: usize, parent: Option<usize>) {
        let repeat = self.model.is_shared(node) && !self.shared_seen.insert(node);
        let row = if self.rows.len() < MAX_ROWS {
            self.rows.push(Row {
                depth,
                node,
                count,
                repeat,
                parent,
            });
            Some(self.rows.len() - 1)
        } else {
            self.hidden = self.hidden.saturating_add(1);
            None
        };
        let NodeRef::Block(index) = node else {
            return;
        };
        if repeat {
            return;
        }
        if row.is_none() && self.walked[index] {
            // Only counting now: walking copies again could take exponential time.
            let below = self.settled_rows(index) - 1;
            self.hidden = self.hidden.saturating_add(below);
            return;
        }
        for member in &self.model.blocks[index].members {
            self.visit(member.node, member.count, depth + 1, row);
        }
        self.walked[index] = true;
    }

    /// Rows of a block's subtree (itself included) once it has been walked: every shared
    /// node below it has been seen by then, so each shared member is one `(see above)` row.
    fn settled_rows(&mut self, block: usize) -> u64 {
        if let Some(rows) = self.settled[block] {
            return rows;
        }
        let mut rows: u64 = 1;
        for member_index in 0..self.model.blocks[block].members.len() {
            let node = self.model.blocks[block].members[member_index].node;
            let below = match node {
                NodeRef::Block(child) if !self.model.blocks[child].shared => {
                    self.settled_rows(child)
                }
                _ => 1,
            };
            rows = rows.saturating_add(below);
        }
        self.settled[block] = Some(rows);
        rows
    }
}

/// A row with its position, texts and colours worked out.
struct DrawnRow {
    x: f64,
    y: f64,
    /// Box width, badge included.
    width: f64,
    name: String,
    /// What follows the name.
    detail: String,
    badge: Option<String>,
    fill: &'static str,
    corner_radius: f64,
    class: &'static str,
    shared: bool,
}

impl DrawnRow {
    fn new(model: &Model, index: usize, row: &Row) -> Self {
        let name = model.node_name(row.node).to_string();
        let (mut detail, fill, corner_radius, class) = match row.node {
            NodeRef::Block(block_index) => {
                let block = &model.blocks[block_index];
                let mut detail = format!(" — {}", block_kind_text(block));
                for setting in block_setting_texts(block) {
                    let _ = write!(detail, " · {setting}");
                }
                let (fill, class) = match block.kind {
                    BlockKind::Series => ("#dbeafe", "box block series"),
                    BlockKind::Parallel => ("#dcfce7", "box block parallel"),
                    BlockKind::KOfN { .. } => ("#fef3c7", "box block k-of-n"),
                    BlockKind::Standby(_) => ("#f3e8ff", "box block standby"),
                };
                (detail, fill, 0.0, class)
            }
            NodeRef::Component(component_index) => (
                format!(
                    "  {}",
                    component_rates_text(&model.components[component_index])
                ),
                "#f4f4f5",
                6.0,
                "box component",
            ),
        };
        let shared = model.is_shared(row.node);
        if shared {
            detail.push_str(" · shared");
        }
        if row.repeat {
            detail.push_str(" (see above)");
        }
        let badge = (row.count > 1).then(|| copies_text(row.count));
        let mut width = text_width(&name, CHARACTER_WIDTH)
            + text_width(&detail, CHARACTER_WIDTH)
            + 2.0 * PADDING;
        if let Some(badge) = &badge {
            width += PADDING + badge_width(badge);
        }
        Self {
            x: MARGIN + row.depth as f64 * INDENT,
            y: TITLE_HEIGHT + index as f64 * ROW_HEIGHT,
            width: width.ceil(),
            name,
            detail,
            badge,
            fill,
            corner_radius,
            class,
            shared,
        }
    }

    fn write(&self, out: &mut String) {
        let dash = if self.shared {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BOX_HEIGHT}\" rx=\"{}\" \
             fill=\"{}\" stroke=\"#52525b\"{dash}/>",
            self.class, self.x, self.y, self.width, self.corner_radius, self.fill
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"#111111\" xml:space=\"preserve\"><tspan font-weight=\"bold\">{}</tspan>{}</text>",
            self.x + PADDING,
            self.y + BASELINE,
            escape::xml_one_line(&self.name),
            escape::xml_one_line(&self.detail)
        );
        if let Some(badge) = &self.badge {
            let badge_width = badge_width(badge);
            let badge_x = self.x + self.width - PADDING / 2.0 - badge_width;
            let _ = writeln!(
                out,
                "<rect class=\"badge\" x=\"{badge_x}\" y=\"{}\" width=\"{badge_width}\" \
                 height=\"{}\" rx=\"7\" fill=\"#3f3f46\"/>",
                self.y + 2.0,
                BOX_HEIGHT - 4.0
            );
            let _ = writeln!(
                out,
                "<text class=\"badge\" x=\"{}\" y=\"{}\" fill=\"#ffffff\" font-size=\"11\" \
                 text-anchor=\"middle\">{}</text>",
                badge_x + badge_width / 2.0,
                self.y + BASELINE - 0.5,
                escape::xml_one_line(badge)
            );
        }
    }
}

/// Estimated width of `text`, in whole px.
fn text_width(text: &str, character_width: f64) -> f64 {
    (text.chars().count() as f64 * character_width).ceil()
}

/// Width of a `×3` badge pill, in whole px.
fn badge_width(badge: &str) -> f64 {
    text_width(badge, CHARACTER_WIDTH) + 8.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_model;

    fn load(text: &str) -> Model {
        match load_model("test.toml", text, &[]) {
            Ok(loaded) => loaded.model,
            Err(invalid) => panic!("model does not load: {:?}", invalid.diagnostics),
        }
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|error| panic!("{error}\n{svg}"))
    }

    /// The `<rect>` boxes drawn for tree rows (not the background or badges).
    fn boxes<'a>(document: &'a roxmltree::Document<'a>) -> Vec<roxmltree::Node<'a, 'a>> {
        document
            .descendants()
            .filter(|node| node.has_tag_name("rect"))
            .filter(|node| {
                node.attribute("class")
                    .is_some_and(|class| class.starts_with("box"))
            })
            .collect()
    }

    fn texts(document: &roxmltree::Document<'_>) -> Vec<String> {
        document
            .descendants()
            .filter(|node| node.has_tag_name("text"))
            .map(|node| {
                node.descendants()
                    .filter(|child| child.is_text())
                    .filter_map(|child| child.text())
                    .collect::<String>()
            })
            .collect()
    }

    const THREE_TIER: &str = include_str!("../../models/three-tier.toml");

    #[test]
    fn draws_one_box_per_reference_path_with_shared_switch_expanded_once() {
        let svg = topology_svg(&load(THREE_TIER));
        let document = parse(&svg);
        // service; lbs, lb_host; web_tier, tor_switch, web, web_node;
        // data_tier, tor_switch (see above), app, app_node, db, db_node.
        assert_eq!(boxes(&document).len(), 13);
        let texts = texts(&document);
        assert!(texts.contains(&"lbs — parallel".to_string()), "{texts:?}");
        assert!(
            texts.contains(&"tor_switch  MTBF 17.1y · MTTR 4h · shared (see above)".to_string()),
            "{texts:?}"
        );
        assert_eq!(texts.iter().filter(|text| *text == "×6").count(), 1);
        let dashed = document
            .descendants()
            .filter(|node| node.attribute("stroke-dasharray").is_some())
            .count();
        assert_eq!(dashed, 2);
        let root = document.root_element();
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let title = root.first_element_child().unwrap();
        assert_eq!(title.tag_name().name(), "title");
    }

    #[test]
    fn expands_shared_blocks_at_their_first_occurrence_only() {
        let model = load(
            r#"
top = "system"
[component.power]
mtbf = "1y"
mttr = "1h"
[component.server]
mtbf = "1y"
mttr = "1h"
[block.feed]
kind = "parallel"
of = "power"
count = 2
shared = true
[block.left]
kind = "series"
members = ["feed", "server"]
[block.right]
kind = "series"
members = ["feed", "server"]
[block.system]
kind = "parallel"
members = ["left", "right"]
"#,
        );
        let svg = topology_svg(&model);
        let document = parse(&svg);
        // system; left, feed, power, server; right, feed (see above), server.
        assert_eq!(boxes(&document).len(), 8);
        let texts = texts(&document);
        assert!(texts.contains(&"feed — parallel · shared (see above)".to_string()));
    }

    #[test]
    fn hostile_model_name_stays_text() {
        let model = load(
            "name = \"<script>alert(1)</script> & 'x' \\\"y\\\"\\u0001\"\n\
             top = \"system\"\n[component.unit]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [block.system]\nkind = \"series\"\nmembers = [\"unit\"]\n",
        );
        let svg = topology_svg(&model);
        assert!(!svg.contains("<script"));
        let document = parse(&svg);
        assert!(
            !document
                .descendants()
                .any(|node| node.has_tag_name("script"))
        );
        let title = document
            .descendants()
            .find(|node| node.has_tag_name("title"))
            .and_then(|node| node.text())
            .unwrap();
        assert_eq!(title, "Topology of <script>alert(1)</script> & 'x' \"y\" ");
        assert_eq!(boxes(&document).len(), 2);
    }

    #[test]
    fn refers_to_nothing_outside_itself() {
        let svg = topology_svg(&load(THREE_TIER));
        for needle in [
            "href",
            "url(",
            "@import",
            "<script",
            "<style",
            "http://www.w3.org/1999",
        ] {
            assert!(!svg.contains(needle), "{needle}");
        }
        assert_eq!(svg.matches("http").count(), 1, "only the SVG namespace");
    }

    #[test]
    fn stops_at_the_row_limit_and_counts_the_rest() {
        // Alternating references are not merged into counts: 3 000 rows under the top.
        let members = vec!["\"a\", \"b\""; 1_500].join(", ");
        let model = load(&format!(
            "top = \"system\"\n[component.a]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [component.b]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [block.system]\nkind = \"parallel\"\nmembers = [{members}]\n"
        ));
        let svg = topology_svg(&model);
        let document = parse(&svg);
        assert_eq!(boxes(&document).len(), MAX_ROWS);
        assert!(texts(&document).contains(&"… 1001 more rows not drawn".to_string()));
    }

    /// A chain of `depth` blocks, each holding two copies of the next, a shared block and a
    /// plain component, so that paths double at every level.
    fn doubling_chain(depth: usize) -> Model {
        let mut text = String::from(
            "top = \"b0\"\n[component.c]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [component.d]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [block.s]\nkind = \"series\"\nmembers = [\"c\", \"d\"]\nshared = true\n",
        );
        for level in 0..depth {
            let next = level + 1;
            let _ = write!(
                text,
                "[block.b{level}]\nkind = \"parallel\"\nmembers = [\"b{next}\", \"s\", \"b{next}\", \"c\"]\n"
            );
        }
        let _ = write!(
            text,
            "[block.b{depth}]\nkind = \"series\"\nmembers = [\"s\", \"d\"]\n"
        );
        load(&text)
    }

    /// Rows of the whole tree by walking every path, with no limit (exponential).
    fn brute_force_rows(model: &Model, node: NodeRef, seen: &mut HashSet<NodeRef>) -> u64 {
        if model.is_shared(node) && !seen.insert(node) {
            return 1;
        }
        match node {
            NodeRef::Component(_) => 1,
            NodeRef::Block(index) => {
                1 + model.blocks[index]
                    .members
                    .iter()
                    .map(|member| brute_force_rows(model, member.node, seen))
                    .sum::<u64>()
            }
        }
    }

    #[test]
    fn counts_hidden_rows_of_copied_subtrees_exactly() {
        let model = doubling_chain(14);
        let total = brute_force_rows(&model, NodeRef::Block(model.top), &mut HashSet::new());
        assert!(total > MAX_ROWS as u64 * 10);
        let tree = Tree::new(&model);
        assert_eq!(tree.rows.len(), MAX_ROWS);
        assert_eq!(tree.hidden, total - MAX_ROWS as u64);
    }

    #[test]
    fn counts_astronomically_many_rows_without_walking_them() {
        let model = doubling_chain(200);
        let svg = topology_svg(&model);
        let document = parse(&svg);
        assert_eq!(boxes(&document).len(), MAX_ROWS);
        let last = texts(&document).pop().unwrap();
        assert_eq!(last, format!("… more than {} rows not drawn", u64::MAX));
    }

    #[test]
    fn width_fits_the_longest_label() {
        let svg = topology_svg(&load(THREE_TIER));
        let document = parse(&svg);
        let width: f64 = document
            .root_element()
            .attribute("width")
            .unwrap()
            .parse()
            .unwrap();
        let widest = boxes(&document)
            .iter()
            .map(|node| {
                node.attribute("x").unwrap().parse::<f64>().unwrap()
                    + node.attribute("width").unwrap().parse::<f64>().unwrap()
            })
            .fold(0.0, f64::max);
        assert!(width >= widest + MARGIN, "{width} < {widest} + margin");
        let label = "db — standby (hot, failover 30s, coverage 99%, manual 20m)";
        let expected = (label.chars().count() as f64 * CHARACTER_WIDTH).ceil();
        let db_box = boxes(&document)
            .into_iter()
            .find(|node| node.attribute("class") == Some("box block standby"))
            .unwrap();
        let box_width: f64 = db_box.attribute("width").unwrap().parse().unwrap();
        assert!(box_width >= expected, "{box_width} < {expected}");
    }
}
