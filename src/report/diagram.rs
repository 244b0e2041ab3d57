//! Graph drawings of a model's structure, as Graphviz DOT and as a Mermaid flowchart.
//!
//! Both formats show the same graph: one node per block and per component reachable from
//! [`Model::top`], and one edge per (block, member) pair, labelled `×3` when the block refers
//! to the member three times. Nodes appear once each, so the drawing is a graph of *types*,
//! not of physical units: a non-shared component referenced from several blocks is still one
//! node with several incoming edges, and its copies are read from the edge labels. A shared
//! node is the same physical unit everywhere; it is also drawn once, but dashed and with a
//! `shared` line, so the two cases look different. (The indented tree of
//! [`super::topology`] shows every reference in place instead.)
//!
//! Node ids are generated (`n0`, `n1`, … in depth-first order from the top block) and never
//! taken from names, and every label is escaped for its format, so no name or model title can
//! inject syntax. Component and block names are restricted to letters, digits, `_` and `-`
//! by the loader, but the model name is free text and a [`Model`] can be built in code, so
//! everything is escaped regardless.

use super::escape;
use crate::model::units::format_duration_hours;
use crate::model::{Block, BlockKind, Component, Model, NodeRef};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Renders the model as a Graphviz `digraph`, top block first, edges from block to member.
///
/// Blocks are boxes labelled with their name, their kind (`series`, `2-of-3`,
/// `standby (hot, failover 30s, coverage 99%, manual 20m)`) and, when set, `crews: N` and
/// `β = x`; components are ellipses labelled with their name and `MTBF 2y · MTTR 4h`. Feed
/// it to `dot -Tsvg` to draw it.
pub fn dot(model: &Model) -> String {
    let graph = Graph::new(model);
    let mut out = String::new();
    out.push_str("digraph model {\n");
    let _ = writeln!(
        out,
        "  graph [rankdir=TB, labelloc=t, label=\"{}\"];",
        escape::dot(&model.name)
    );
    for (index, node) in graph.nodes.iter().enumerate() {
        let label = node_label(model, *node, escape::dot, "\\n");
        let shape = match node {
            NodeRef::Block(_) => "box",
            NodeRef::Component(_) => "ellipse",
        };
        let style = if model.is_shared(*node) {
            ", style=dashed"
        } else {
            ""
        };
        let _ = writeln!(out, "  n{index} [shape={shape}{style}, label=\"{label}\"];");
    }
    for edge in &graph.edges {
        let _ = write!(out, "  n{} -> n{}", edge.from, edge.to);
        if edge.count > 1 {
            let _ = write!(
                out,
                " [label=\"{}\"]",
                escape::dot(&copies_text(edge.count))
            );
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

/// Renders the model as a Mermaid `flowchart TB`, with the same nodes, labels and edges as
/// [`dot`], for Markdown documents that render Mermaid (GitHub, GitLab, many wikis).
///
/// The model name becomes the diagram title (front matter). Blocks are rectangles,
/// components rounded rectangles; shared nodes carry the `shared` class, drawn dashed.
pub fn mermaid(model: &Model) -> String {
    let graph = Graph::new(model);
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: \"{}\"\n---", escape::yaml(&model.name));
    out.push_str("flowchart TB\n");
    for (index, node) in graph.nodes.iter().enumerate() {
        let label = node_label(model, *node, escape::mermaid, "<br/>");
        let (open, close) = match node {
            NodeRef::Block(_) => ("[", "]"),
            NodeRef::Component(_) => ("(", ")"),
        };
        let _ = writeln!(out, "  n{index}{open}\"{label}\"{close}");
    }
    for edge in &graph.edges {
        if edge.count > 1 {
            let _ = writeln!(
                out,
                "  n{} -- {} --> n{}",
                edge.from,
                escape::mermaid(&copies_text(edge.count)),
                edge.to
            );
        } else {
            let _ = writeln!(out, "  n{} --> n{}", edge.from, edge.to);
        }
    }
    out.push_str("  classDef shared stroke-dasharray: 5 5\n");
    let shared: Vec<String> = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| model.is_shared(**node))
        .map(|(index, _)| format!("n{index}"))
        .collect();
    if !shared.is_empty() {
        let _ = writeln!(out, "  class {} shared", shared.join(","));
    }
    out
}

/// The nodes reachable from the top block, in depth-first pre-order (members in the order
/// written), each once.
///
/// Iterative, so that models nested [`crate::model::load::MAX_NESTING`] deep cannot exhaust
/// the stack.
pub(crate) fn reachable_nodes(model: &Model) -> Vec<NodeRef> {
    let mut seen_components = vec![false; model.components.len()];
    let mut seen_blocks = vec![false; model.blocks.len()];
    let mut order = Vec::new();
    let mut stack = vec![NodeRef::Block(model.top)];
    while let Some(node) = stack.pop() {
        let seen = match node {
            NodeRef::Component(index) => &mut seen_components[index],
            NodeRef::Block(index) => &mut seen_blocks[index],
        };
        if *seen {
            continue;
        }
        *seen = true;
        order.push(node);
        if let NodeRef::Block(index) = node {
            stack.extend(model.blocks[index].members.iter().rev().map(|m| m.node));
        }
    }
    order
}

/// The kind of a block as one phrase: `series`, `parallel`, `2-of-3`,
/// `standby (hot, failover 30s, coverage 99%, manual 20m)`.
///
/// A quorum is stored as k-of-n with k = ⌊n/2⌋ + 1, so it prints as k-of-n (`2-of-3`).
pub(crate) fn block_kind_text(block: &Block) -> String {
    match &block.kind {
        BlockKind::Series => "series".into(),
        BlockKind::Parallel => "parallel".into(),
        BlockKind::KOfN { k } => format!("{k}-of-{}", block.member_count()),
        BlockKind::Standby(standby) => {
            let mode = if standby.dormant_factor == 1.0 {
                "hot".to_string()
            } else if standby.dormant_factor == 0.0 {
                "cold".to_string()
            } else {
                format!("warm {}λ", standby.dormant_factor)
            };
            let mut text = format!(
                "standby ({mode}, failover {}, coverage {}",
                format_duration_hours(standby.failover_hours),
                percent_text(standby.coverage)
            );
            if standby.coverage < 1.0 {
                let _ = write!(
                    text,
                    ", manual {}",
                    format_duration_hours(standby.manual_failover_hours)
                );
            }
            text.push(')');
            text
        }
    }
}

/// The optional block settings worth showing: `crews: 1`, `β = 0.05`, `election 10s`,
/// `pause 30s`.
pub(crate) fn block_setting_texts(block: &Block) -> Vec<String> {
    let mut texts = Vec::new();
    if let Some(crews) = block.repair_crews {
        texts.push(format!("crews: {crews}"));
    }
    if let Some(beta) = block.common_cause_beta {
        texts.push(format!("β = {beta}"));
    }
    if let Some(election) = block.leader_election {
        texts.push(format!(
            "election {}",
            format_duration_hours(election.hours)
        ));
    }
    if let Some(pause) = block.failure_pause {
        texts.push(format!("pause {}", format_duration_hours(pause.hours)));
    }
    texts
}

/// A component's means as `MTBF 2y · MTTR 4h`, or `never fails` when λ = 0.
pub(crate) fn component_rates_text(component: &Component) -> String {
    if component.failure_rate == 0.0 {
        return "never fails".into();
    }
    format!(
        "MTBF {} · MTTR {}",
        format_duration_hours(1.0 / component.failure_rate),
        format_duration_hours(1.0 / component.repair_rate)
    )
}

/// The badge for `count` references to one node: `×3`.
pub(crate) fn copies_text(count: u64) -> String {
    format!("×{count}")
}

/// A fraction as a percentage without trailing zeros: 0.99 → `99%`, 0.999 → `99.9%`.
fn percent_text(fraction: f64) -> String {
    let text = format!("{:.6}", fraction * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// A node's label lines, each escaped by `escape`, joined by `line_break`.
fn node_label(
    model: &Model,
    node: NodeRef,
    escape: fn(&str) -> String,
    line_break: &str,
) -> String {
    node_lines(model, node)
        .iter()
        .map(|line| escape(line))
        .collect::<Vec<_>>()
        .join(line_break)
}

/// The label lines of a node, unescaped: name, kind or means, settings, `shared`.
fn node_lines(model: &Model, node: NodeRef) -> Vec<String> {
    let mut lines = vec![model.node_name(node).to_string()];
    match node {
        NodeRef::Block(index) => {
            let block = &model.blocks[index];
            lines.push(block_kind_text(block));
            lines.extend(block_setting_texts(block));
        }
        NodeRef::Component(index) => lines.push(component_rates_text(&model.components[index])),
    }
    if model.is_shared(node) {
        lines.push("shared".into());
    }
    lines
}

/// The reachable part of a model as numbered nodes and merged edges.
struct Graph {
    /// Reachable nodes; a node's position is its id.
    nodes: Vec<NodeRef>,
    /// One edge per (block, member node), in the order written.
    edges: Vec<Edge>,
}

/// References from one drawn block to one drawn member.
struct Edge {
    from: usize,
    to: usize,
    /// References, summed over every place the block lists the member.
    count: u64,
}

impl Graph {
    fn new(model: &Model) -> Self {
        let nodes = reachable_nodes(model);
        let ids: HashMap<NodeRef, usize> = nodes
            .iter()
            .enumerate()
            .map(|(id, node)| (*node, id))
            .collect();
        let mut edges: Vec<Edge> = Vec::new();
        for (from, node) in nodes.iter().enumerate() {
            let NodeRef::Block(index) = node else {
                continue;
            };
            // The loader merges only adjacent repeats (`["a", "b", "a"]` keeps two entries
            // for `a`); one edge per member with the total count reads better than two.
            let first_edge = edges.len();
            for member in &model.blocks[*index].members {
                let to = ids[&member.node];
                match edges[first_edge..].iter_mut().find(|edge| edge.to == to) {
                    Some(edge) => edge.count = edge.count.saturating_add(member.count),
                    None => edges.push(Edge {
                        from,
                        to,
                        count: member.count,
                    }),
                }
            }
        }
        Self { nodes, edges }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_model;

    const TINY: &str = r#"
name = "Tiny"
top = "system"

[component.switch]
mtbf = "2y"
mttr = "4h"
shared = true

[component.server]
mtbf = "1000h"
mttr = "1h"

[block.pair]
kind = "parallel"
of = "server"
count = 2

[block.system]
kind = "series"
members = ["switch", "pair"]
"#;

    fn load(text: &str) -> Model {
        match load_model("test.toml", text, &[]) {
            Ok(loaded) => loaded.model,
            Err(invalid) => panic!("model does not load: {:?}", invalid.diagnostics),
        }
    }

    /// A model built in code, where names are not checked: a series of one component.
    fn hostile_model(name: &str) -> Model {
        load(&format!(
            "name = \"{}\"\ntop = \"system\"\n[component.unit]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [block.system]\nkind = \"series\"\nmembers = [\"unit\"]\n",
            name.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        ))
    }

    const HOSTILE: &str = "a\"b\n<script>|x\\N];n9[x}#;`";

    #[test]
    fn draws_a_parallel_pair_and_a_shared_switch_as_dot() {
        let expected = r#"digraph model {
  graph [rankdir=TB, labelloc=t, label="Tiny"];
  n0 [shape=box, label="system\nseries"];
  n1 [shape=ellipse, style=dashed, label="switch\nMTBF 2y · MTTR 4h\nshared"];
  n2 [shape=box, label="pair\nparallel"];
  n3 [shape=ellipse, label="server\nMTBF 41.7d · MTTR 1h"];
  n0 -> n1;
  n0 -> n2;
  n2 -> n3 [label="×2"];
}
"#;
        assert_eq!(dot(&load(TINY)), expected);
    }

    #[test]
    fn draws_a_parallel_pair_and_a_shared_switch_as_mermaid() {
        let expected = r#"---
title: "Tiny"
---
flowchart TB
  n0["system<br/>series"]
  n1("switch<br/>MTBF 2y · MTTR 4h<br/>shared")
  n2["pair<br/>parallel"]
  n3("server<br/>MTBF 41.7d · MTTR 1h")
  n0 --> n1
  n0 --> n2
  n2 -- ×2 --> n3
  classDef shared stroke-dasharray: 5 5
  class n1 shared
"#;
        assert_eq!(mermaid(&load(TINY)), expected);
    }

    #[test]
    fn describes_standby_k_of_n_crews_and_beta() {
        let model = load(
            r#"
top = "system"
[component.db]
mtbf = "1y"
mttr = "4h"
[component.node]
mtbf = "1y"
mttr = "4h"
[block.db_pair]
kind = "standby"
of = "db"
count = 2
mode = "cold"
failover = "30s"
coverage = 0.99
manual_failover = "20m"
[block.quorum]
kind = "quorum"
of = "node"
count = 5
repair_crews = 1
common_cause_beta = 0.05
[block.system]
kind = "series"
members = ["db_pair", "quorum"]
"#,
        );
        let text = dot(&model);
        assert!(
            text.contains(
                r#"label="db_pair\nstandby (cold, failover 30s, coverage 99%, manual 20m)""#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"label="quorum\n3-of-5\ncrews: 1\nβ = 0.05""#),
            "{text}"
        );
    }

    #[test]
    fn never_failing_component_says_so() {
        let mut component = load(TINY).components[1].clone();
        component.failure_rate = 0.0;
        assert_eq!(component_rates_text(&component), "never fails");
    }

    #[test]
    fn leaves_unreachable_nodes_out() {
        let text = format!("{TINY}\n[component.spare]\nmtbf = \"1y\"\nmttr = \"1h\"\n");
        let model = load(&text);
        assert!(!dot(&model).contains("spare"));
        assert!(!mermaid(&model).contains("spare"));
    }

    #[test]
    fn merges_repeated_references_into_one_edge() {
        let model = load(
            "top = \"system\"\n[component.a]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [component.b]\nmtbf = \"1y\"\nmttr = \"1h\"\n\
             [block.system]\nkind = \"parallel\"\nmembers = [\"a\", \"b\", \"a\"]\n",
        );
        let text = dot(&model);
        assert!(
            text.contains("n0 -> n1 [label=\"×2\"];\n  n0 -> n2;\n"),
            "{text}"
        );
    }

    #[test]
    fn loader_rejects_names_that_would_need_escaping() {
        let text = TINY.replace("[block.pair]", "[block.\"a<b|c\"]");
        assert!(load_model("test.toml", &text, &[]).is_err());
    }

    /// Every double-quoted string of a DOT text, as the raw text between the quotes, checking
    /// that each quote inside is escaped.
    fn dot_strings(text: &str) -> Vec<String> {
        let mut strings = Vec::new();
        let mut characters = text.chars();
        while let Some(character) = characters.next() {
            if character != '"' {
                continue;
            }
            let mut string = String::new();
            loop {
                match characters.next() {
                    Some('"') => break,
                    Some('\\') => {
                        string.push('\\');
                        string.push(characters.next().expect("escape at end of text"));
                    }
                    Some(c) => string.push(c),
                    None => panic!("unterminated string in {text}"),
                }
            }
            strings.push(string);
        }
        strings
    }

    #[test]
    fn dot_escapes_hostile_names() {
        let mut model = hostile_model(HOSTILE);
        model.blocks[0].name = HOSTILE.to_string();
        model.components[0].name = HOSTILE.to_string();
        let text = dot(&model);
        // Outside strings only generated syntax remains: the same as for a plain model.
        let mut plain = hostile_model("plain");
        plain.blocks[0].name = "plain".into();
        plain.components[0].name = "plain".into();
        let strip = |text: &str| {
            let mut outside = String::new();
            let mut inside = false;
            let mut escaped = false;
            for c in text.chars() {
                match (inside, escaped, c) {
                    (true, false, '\\') => escaped = true,
                    (true, true, _) => escaped = false,
                    (_, false, '"') => inside = !inside,
                    (false, _, c) => outside.push(c),
                    _ => {}
                }
            }
            outside
        };
        assert_eq!(strip(&text), strip(&dot(&plain)));
        let strings = dot_strings(&text);
        assert_eq!(strings[0], "a\\\"b\\n<script>|x\\\\N];n9[x}#;`");
        assert!(strings.iter().all(|s| !s.contains('\n')));
    }

    #[test]
    fn mermaid_escapes_hostile_names() {
        let mut model = hostile_model(HOSTILE);
        model.blocks[0].name = HOSTILE.to_string();
        model.components[0].name = HOSTILE.to_string();
        let text = mermaid(&model);
        let title = text.lines().nth(1).unwrap();
        assert_eq!(title, r#"title: "a\"b <script>|x\\N];n9[x}#;`""#);
        assert_eq!(text.lines().nth(2), Some("---"));
        let escaped = "a#quot;b<br/>#lt;script#gt;#124;x\\N#93;#59;n9#91;x#125;#35;#59;#96;";
        let node_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("  n")).collect();
        assert_eq!(
            node_lines[0],
            format!("  n0[\"{escaped}<br/>series\"]"),
            "{text}"
        );
        for line in &node_lines[..2] {
            let start = line.find('"').unwrap() + 1;
            let end = line.rfind('"').unwrap();
            let label = line[start..end].replace("<br/>", "");
            for forbidden in ['"', '<', '>', '|', '[', ']', '{', '}', '`'] {
                assert!(!label.contains(forbidden), "{forbidden} in {label}");
            }
        }
    }
}
