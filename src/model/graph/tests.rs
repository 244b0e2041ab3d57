//! Tests of the graph walks, with the two counting walkers they replace as oracles.

use super::*;
use crate::model::load::load_model;

fn loaded(text: &str) -> Model {
    match load_model("m.toml", text, &[]) {
        Ok(loaded) => loaded.model,
        Err(invalid) => panic!("{:#?}", invalid.diagnostics),
    }
}

/// The PRISM export's count of physical units, as `export/prism.rs::physical_units` wrote it.
fn prism_physical_units(model: &Model) -> u64 {
    fn size(model: &Model, node: NodeRef, memo: &mut HashMap<NodeRef, u64>) -> u64 {
        if let Some(known) = memo.get(&node) {
            return *known;
        }
        let total = match node {
            NodeRef::Component(_) => 1,
            NodeRef::Block(index) => {
                let block = &model.blocks[index];
                let mut total = u64::from(block.common_cause_beta.is_some());
                for member in &block.members {
                    if !model.is_shared(member.node) {
                        let each = size(model, member.node, memo);
                        total = total.saturating_add(each.saturating_mul(member.count));
                    }
                }
                total
            }
        };
        memo.insert(node, total);
        total
    }
    let mut memo = HashMap::new();
    let mut total = size(model, NodeRef::Block(model.top), &mut memo);
    let reachable = reachable_blocks(model, model.top);
    let mut shared: HashSet<NodeRef> = HashSet::new();
    for (index, block) in model.blocks.iter().enumerate() {
        if !reachable[index] {
            continue;
        }
        for member in &block.members {
            if model.is_shared(member.node) {
                shared.insert(member.node);
            }
        }
    }
    shared.remove(&NodeRef::Block(model.top));
    for node in shared {
        total = total.saturating_add(size(model, node, &mut memo));
    }
    total
}

/// The simulator's count of units plus gates, as `simulate/plan.rs::expanded_size` wrote it.
fn plan_expanded_size(model: &Model) -> u64 {
    fn size(model: &Model, node: NodeRef, memo: &mut HashMap<NodeRef, u64>) -> u64 {
        if let Some(known) = memo.get(&node) {
            return *known;
        }
        let total = match node {
            NodeRef::Component(_) => 1,
            NodeRef::Block(index) => {
                let block = &model.blocks[index];
                let mut total: u64 = 2;
                for member in &block.members {
                    let each = if model.is_shared(member.node) {
                        0
                    } else {
                        size(model, member.node, memo)
                    };
                    total = total.saturating_add(each.saturating_mul(member.count));
                }
                total
            }
        };
        memo.insert(node, total);
        total
    }
    let mut memo = HashMap::new();
    let mut total = size(model, NodeRef::Block(model.top), &mut memo);
    for (index, component) in model.components.iter().enumerate() {
        if component.shared {
            total = total.saturating_add(size(model, NodeRef::Component(index), &mut memo));
        }
    }
    for (index, block) in model.blocks.iter().enumerate() {
        if block.shared {
            total = total.saturating_add(size(model, NodeRef::Block(index), &mut memo));
        }
    }
    total
}

fn physical_units(model: &Model) -> u64 {
    expanded_count(
        model,
        |block| u64::from(block.common_cause_beta.is_some()),
        SharedNodes::ReachableMembers,
    )
}

fn units_and_gates(model: &Model) -> u64 {
    expanded_count(model, |_| 2, SharedNodes::Every)
}

const UNITS: &str = "
[component.a]
mtbf = \"1000h\"
mttr = \"2h\"

[component.b]
mtbf = \"500h\"
mttr = \"1h\"

[component.dns]
mtbf = \"9000h\"
mttr = \"1h\"
shared = true
";

/// Copies, nesting, a shared unit referenced from several blocks, common cause.
const SHARED_UNIT_AND_COPIES: &str = "
[block.pair]
kind = \"parallel\"
of = \"a\"
count = 2
common_cause_beta = 0.1

[block.site]
kind = \"series\"
members = [\"pair\", \"b\", \"b\", \"dns\"]

[block.system]
kind = \"k-of-n\"
k = 2
members = [\"site\", \"site\", \"site\", \"dns\"]
";

/// A shared block, a shared top, and shared nodes nothing reachable references.
const SHARED_BLOCKS_AND_STRAYS: &str = "
[component.lonely]
mtbf = \"100h\"
mttr = \"1h\"
shared = true

[block.core]
kind = \"parallel\"
members = [\"a\", \"b\", \"dns\"]
shared = true

[block.stray]
kind = \"series\"
members = [\"dns\", \"lonely\"]
shared = true

[block.edge]
kind = \"series\"
members = [\"core\", \"a\"]

[block.system]
kind = \"parallel\"
members = [\"edge\", \"edge\", \"core\"]
shared = true
";

/// Counts large enough to saturate.
const HUGE: &str = "
[block.wide]
kind = \"parallel\"
of = \"a\"
count = 10000000

[block.wider]
kind = \"parallel\"
of = \"wide\"
count = 10000000

[block.widest]
kind = \"parallel\"
of = \"wider\"
count = 10000000

[block.system]
kind = \"series\"
of = \"widest\"
count = 10000000
";

fn models() -> Vec<(&'static str, Model)> {
    [
        ("shared unit and copies", SHARED_UNIT_AND_COPIES),
        ("shared blocks and strays", SHARED_BLOCKS_AND_STRAYS),
        ("huge", HUGE),
        (
            "single",
            "[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n",
        ),
    ]
    .into_iter()
    .map(|(label, blocks)| (label, loaded(&format!("{UNITS}{blocks}"))))
    .collect()
}

#[test]
fn expanded_count_matches_the_prism_physical_unit_walker() {
    for (label, model) in models() {
        assert_eq!(
            physical_units(&model),
            prism_physical_units(&model),
            "{label}"
        );
    }
}

#[test]
fn expanded_count_matches_the_simulator_size_walker() {
    for (label, model) in models() {
        assert_eq!(
            units_and_gates(&model),
            plan_expanded_size(&model),
            "{label}"
        );
    }
}

#[test]
fn expanded_counts_by_hand() {
    let model = loaded(&format!("{UNITS}{SHARED_UNIT_AND_COPIES}"));
    // pair = 2 a + 1 β element = 3; site = 3 + 2 b = 5; system = 3 sites = 15; dns once.
    assert_eq!(physical_units(&model), 16, "physical units");
    // pair = 2 + 2 = 4; site = 2 + 4 + 2 = 8; system = 2 + 24 = 26; dns once.
    assert_eq!(units_and_gates(&model), 27, "units and gates");

    let model = loaded(&format!("{UNITS}{SHARED_BLOCKS_AND_STRAYS}"));
    // Reachable: system (shared top, not added again), edge, core (shared), a, b, dns.
    // edge = 1 a; system = 2 edges = 2; core = a + b = 2; dns = 1.
    assert_eq!(physical_units(&model), 5, "physical units");
    // edge = 2 + 1 = 3; system = 2 + 6 = 8; then every shared node once:
    // dns 1, lonely 1, core 2 + 2 = 4, stray 2, system 8.
    assert_eq!(
        units_and_gates(&model),
        8 + 1 + 1 + 4 + 2 + 8,
        "units and gates"
    );

    let model = loaded(&format!("{UNITS}{HUGE}"));
    assert_eq!(physical_units(&model), u64::MAX, "saturates");
    assert_eq!(units_and_gates(&model), u64::MAX, "saturates");
}

#[test]
fn reachability_order_and_depth() {
    let model = loaded(&format!("{UNITS}{SHARED_BLOCKS_AND_STRAYS}"));
    let index = |name: &str| model.block_index(name).unwrap();
    let reachable = reachable_blocks(&model, model.top);
    let names: Vec<&str> = model
        .blocks
        .iter()
        .zip(&reachable)
        .filter(|(_, r)| **r)
        .map(|(b, _)| b.name.as_str())
        .collect();
    assert_eq!(names, ["core", "edge", "system"]);

    let order = topological_order(&model, model.top);
    assert_eq!(order.len(), 3);
    assert_eq!(order[0], index("system"));
    let position = |block: usize| order.iter().position(|b| *b == block).unwrap();
    assert!(
        position(index("edge")) < position(index("core")),
        "parents first"
    );

    assert_eq!(nesting_depth(&model), 3, "system → edge → core");
}

#[test]
fn physical_copies_multiply_counts_and_stop_at_shared_nodes() {
    // system = series[pair ×2, power]; pair = parallel of 3 × server; power shared.
    // One system holds 2 pairs, 2 · 3 = 6 servers and 1 power unit (shared, referenced twice).
    let model = loaded(
        r#"
        top = "system"
        [component.server]
        mtbf = "1y"
        mttr = "1h"
        [component.power]
        mtbf = "1y"
        mttr = "1h"
        shared = true
        [block.pair]
        kind = "parallel"
        members = ["server", "server", "server", "power"]
        [block.system]
        kind = "series"
        members = ["pair", "pair", "power"]
        "#,
    );
    let copies = physical_copies(&model, model.top);
    let pair = model.block_index("pair").unwrap();
    assert_eq!(copies[&NodeRef::Block(model.top)], 1);
    assert_eq!(copies[&NodeRef::Block(pair)], 2);
    assert_eq!(copies[&NodeRef::Component(0)], 6);
    assert_eq!(copies[&NodeRef::Component(1)], 1);
}
