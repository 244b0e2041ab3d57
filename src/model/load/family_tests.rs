//! Tests of families: expansion, placement rules, instance tables and their diagnostics.

use super::*;
use crate::model::{BlockKind, NodeRef};

const BROKERS: &str = "[component.broker]\ninstances = 5\nmtbf = \"1000h\"\nmttr = \"2h\"\n";

fn load(text: &str, sets: &[&str]) -> Result<Loaded, Invalid> {
    let overrides: Vec<Override> = sets
        .iter()
        .map(|set| Override::parse(set).expect("well-formed override"))
        .collect();
    load_model("m.toml", text, &overrides)
}

fn model(text: &str) -> Model {
    match load(text, &[]) {
        Ok(loaded) => loaded.model,
        Err(invalid) => panic!(
            "{:?}",
            invalid
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        ),
    }
}

/// Each diagnostic as (code, line, column, message).
fn problems(text: &str, sets: &[&str]) -> Vec<(&'static str, usize, usize, String)> {
    let Err(invalid) = load(text, sets) else {
        panic!("expected diagnostics");
    };
    invalid
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column) = d
                .span
                .and_then(|span| invalid.sources.line_column(span))
                .unwrap_or((0, 0));
            (d.code.as_str(), line, column, d.message.clone())
        })
        .collect()
}

/// The names of a block's members, each repeated `count` times.
fn member_names(model: &Model, block: &str) -> Vec<String> {
    let block = &model.blocks[model.block_index(block).unwrap()];
    block
        .members
        .iter()
        .flat_map(|m| std::iter::repeat_n(model.node_name(m.node).to_string(), m.count as usize))
        .collect()
}

#[test]
fn a_component_family_is_shared_instances_with_the_family_figures() {
    let text =
        format!("{BROKERS}[block.system]\nkind = \"k-of-n\"\nk = 4\nmembers = [\"broker[*]\"]\n");
    let model = model(&text);
    let names: Vec<&str> = model.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "broker[1]",
            "broker[2]",
            "broker[3]",
            "broker[4]",
            "broker[5]"
        ]
    );
    assert!(
        model
            .components
            .iter()
            .all(|c| c.shared && c.failure_rate == 1.0 / 1000.0 && c.repair_rate == 0.5)
    );
    assert_eq!(model.families.len(), 1);
    assert_eq!(model.families[0].name, "broker");
    assert_eq!(
        model.families[0].instances,
        (0..5).map(NodeRef::Component).collect::<Vec<_>>()
    );
    assert_eq!(member_names(&model, "system").len(), 5);
    // `broker` names the family in what-if paths; `broker[2]` one instance.
    assert_eq!(model.named(false, "broker").len(), 5);
    assert_eq!(model.named(false, "broker[2]"), [NodeRef::Component(1)]);
    assert!(model.named(true, "broker").is_empty());
}

#[test]
fn round_robin_places_instance_i_on_members_i_to_i_plus_r_minus_1_mod_n() {
    let text = format!(
        "{BROKERS}[block.partition]\nkind = \"k-of-n\"\nk = 2\ninstances = 7\nplace = {{ family = \"broker\", replicas = 3, rule = \"round-robin\" }}\n\
         [block.system]\nkind = \"series\"\nmembers = [\"partition[*]\"]\n"
    );
    let model = model(&text);
    let on = |i: usize| member_names(&model, &format!("partition[{i}]"));
    assert_eq!(on(1), ["broker[1]", "broker[2]", "broker[3]"]);
    assert_eq!(on(4), ["broker[4]", "broker[5]", "broker[1]"]);
    // Instance 6 wraps around to the first broker again.
    assert_eq!(on(6), ["broker[1]", "broker[2]", "broker[3]"]);
    assert_eq!(on(7), ["broker[2]", "broker[3]", "broker[4]"]);
    let partition = &model.blocks[model.block_index("partition[7]").unwrap()];
    assert!(partition.shared);
    assert_eq!(partition.kind, BlockKind::KOfN { k: 2 });
    assert_eq!(member_names(&model, "system").len(), 7);
    assert_eq!(model.families[1].name, "partition");
    assert_eq!(model.families[1].instances.len(), 7);
}

#[test]
fn round_robin_defaults_to_one_instance_per_family_member() {
    let text = format!(
        "{BROKERS}[block.partition]\nkind = \"parallel\"\nplace = {{ family = \"broker\", replicas = 2, rule = \"round-robin\" }}\n\
         [block.system]\nkind = \"series\"\nmembers = [\"partition[*]\"]\n"
    );
    let model = model(&text);
    assert_eq!(model.families[1].instances.len(), 5);
    assert_eq!(
        member_names(&model, "partition[5]"),
        ["broker[5]", "broker[1]"]
    );
}

#[test]
fn combinations_are_every_r_subset_in_lexicographic_order() {
    let text = "[component.n]\ninstances = 4\nmtbf = \"1000h\"\nmttr = \"2h\"\n\
        [block.pair]\nkind = \"series\"\nplace = { family = \"n\", replicas = 2, rule = \"combinations\" }\n\
        [block.system]\nkind = \"parallel\"\nmembers = [\"pair[*]\"]\n";
    let model = model(text);
    let pairs: Vec<Vec<String>> = (1..=6)
        .map(|i| member_names(&model, &format!("pair[{i}]")))
        .collect();
    let expected = [[1, 2], [1, 3], [1, 4], [2, 3], [2, 4], [3, 4]]
        .map(|[a, b]| vec![format!("n[{a}]"), format!("n[{b}]")]);
    assert_eq!(pairs, expected);
    assert!(model.block_index("pair[7]").is_none());
}

#[test]
fn lists_place_explicitly_and_members_are_added_to_every_instance() {
    let text = format!(
        "{BROKERS}[component.disk]\nmtbf = \"5000h\"\nmttr = \"1h\"\n\
         [block.partition]\nkind = \"k-of-n\"\nk = 2\nmembers = [\"disk\"]\nplace = {{ family = \"broker\", lists = [[1, 3], [5, 2]] }}\n\
         [block.system]\nkind = \"series\"\nmembers = [\"partition[*]\", \"broker[4]\"]\n"
    );
    let model = model(&text);
    assert_eq!(
        member_names(&model, "partition[1]"),
        ["broker[1]", "broker[3]", "disk"]
    );
    assert_eq!(
        member_names(&model, "partition[2]"),
        ["broker[5]", "broker[2]", "disk"]
    );
    assert_eq!(
        member_names(&model, "system"),
        ["partition[1]", "partition[2]", "broker[4]"]
    );
}

#[test]
fn an_instance_table_or_override_changes_one_instance() {
    let system = "[block.system]\nkind = \"series\"\nmembers = [\"broker[*]\"]\n";
    let written = format!("{BROKERS}[component.\"broker[2]\"]\nmttr = \"8h\"\n{system}");
    let set = format!("{BROKERS}{system}");
    let from_file = model(&written);
    let from_set = load(&set, &["component.broker[2].mttr=8h"])
        .ok()
        .unwrap()
        .model;
    for model in [&from_file, &from_set] {
        let mu: Vec<f64> = model.components.iter().map(|c| c.repair_rate).collect();
        assert_eq!(mu, [0.5, 0.125, 0.5, 0.5, 0.5]);
    }
    // A family path moves every instance; an instance table still wins for its own.
    let all = load(&written, &["component.broker.mttr=4h"])
        .ok()
        .unwrap()
        .model;
    let mu: Vec<f64> = all.components.iter().map(|c| c.repair_rate).collect();
    assert_eq!(mu, [0.25, 0.125, 0.25, 0.25, 0.25]);
    // An instance written with failure_rate replaces the family's mtbf.
    let rate = format!("{BROKERS}[component.\"broker[3]\"]\nfailure_rate = 0.01\n{system}");
    assert_eq!(model(&rate).components[2].failure_rate, 0.01);
    assert_eq!(model(&rate).components[1].failure_rate, 0.001);
}

#[test]
fn bad_family_references_point_at_the_reference() {
    let text = format!(
        "{BROKERS}[block.system]\nkind = \"series\"\nmembers = [\"broker\", \"broker[6]\", \"x[*]\", \"broker[0]\"]\n"
    );
    let found = problems(&text, &[]);
    let codes: Vec<_> = found.iter().map(|p| (p.0, p.1, p.2)).collect();
    assert_eq!(
        codes,
        [
            ("family-reference", 7, 13),
            ("family-reference", 7, 23),
            ("family-reference", 7, 36),
            ("family-reference", 7, 44),
        ],
        "{found:?}"
    );
    assert!(found[0].3.contains("name one instance or all of them"));
    assert!(found[1].3.contains("out of range"));
}

#[test]
fn bad_family_declarations_are_reported_where_written() {
    let zero = "[component.b]\ninstances = 0\nmtbf = \"1h\"\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"b[1]\"]\n";
    let found = problems(zero, &[]);
    assert_eq!((found[0].0, found[0].1, found[0].2), ("bad-value", 2, 13));
    let unshared = format!(
        "{BROKERS}shared = false\n[block.system]\nkind = \"series\"\nmembers = [\"broker[1]\"]\n"
    );
    let found = problems(&unshared, &[]);
    assert_eq!(
        found.iter().map(|p| (p.0, p.1, p.2)).collect::<Vec<_>>(),
        [("unshared-family", 5, 10)]
    );
    let orphan = format!(
        "{BROKERS}[component.\"broker[9]\"]\nmttr = \"1h\"\n[component.\"x[1]\"]\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"broker[1]\"]\n"
    );
    let found = problems(&orphan, &[]);
    assert_eq!(
        found.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
        [("family-reference", 5), ("family-reference", 7)]
    );
    // A family and a single block of the same name would make `broker` ambiguous.
    let clash = format!(
        "{BROKERS}[block.broker]\nkind = \"series\"\nmembers = [\"broker[1]\"]\n[block.system]\nkind = \"series\"\nmembers = [\"broker[2]\"]\n"
    );
    let found = problems(&clash, &[]);
    assert_eq!(
        found.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
        [("duplicate-name", 5)]
    );
    // A problem in the family's table is reported once, not once per instance.
    let broken = "[component.b]\ninstances = 3\nmtbf = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"b[*]\"]\n";
    let found = problems(broken, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "missing-key");
}

#[test]
fn bad_placements_are_reported_where_written() {
    let block = |place: &str| {
        format!(
            "{BROKERS}[block.p]\nkind = \"parallel\"\n{place}\n[block.system]\nkind = \"series\"\nmembers = [\"p[*]\"]\n"
        )
    };
    let cases = [
        (
            "place = { family = \"brokr\", replicas = 2, rule = \"round-robin\" }",
            "bad-placement",
            21,
        ),
        (
            "place = { family = \"broker\", replicas = 6, rule = \"round-robin\" }",
            "bad-placement",
            41,
        ),
        (
            "place = { family = \"broker\", replicas = 2, rule = \"random\" }",
            "bad-value",
            52,
        ),
        (
            "instances = 3\nplace = { family = \"broker\", replicas = 2, rule = \"combinations\" }",
            "bad-placement",
            9,
        ),
        (
            "place = { family = \"broker\", lists = [[1, 7]] }",
            "bad-placement",
            43,
        ),
        (
            "place = { family = \"broker\", lists = [[1, 1]] }",
            "bad-placement",
            43,
        ),
        ("place = { family = \"broker\" }", "missing-key", 9),
    ];
    for (place, code, column) in cases {
        let found = problems(&block(place), &[]);
        let last = place.lines().count() + 6;
        assert_eq!(
            found.iter().map(|p| (p.0, p.1, p.2)).collect::<Vec<_>>(),
            [(code, last, column)],
            "{place}: {found:?}"
        );
    }
}

#[test]
fn top_may_be_set_and_names_the_blocks_when_unknown() {
    let text = format!(
        "{BROKERS}[block.pair]\nkind = \"parallel\"\nmembers = [\"broker[1]\", \"broker[2]\"]\n[block.system]\nkind = \"series\"\nmembers = [\"pair\", \"broker[3]\"]\n"
    );
    let model = load(&text, &["top=pair"]).ok().unwrap().model;
    assert_eq!(model.blocks[model.top].name, "pair");
    let Err(invalid) = load(&text, &["top=nothing_like_it"]) else {
        panic!("unknown top accepted");
    };
    assert_eq!(invalid.diagnostics[0].code.as_str(), "unknown-reference");
    assert_eq!(invalid.diagnostics[0].notes, ["blocks: pair, system"]);
}

#[test]
fn family_paths_reach_every_instance_of_a_block_family_and_star_is_the_family() {
    let text = format!(
        "{BROKERS}[block.partition]\nkind = \"k-of-n\"\nk = 2\ninstances = 3\nplace = {{ family = \"broker\", replicas = 3, rule = \"round-robin\" }}\n\
         [block.system]\nkind = \"series\"\nmembers = [\"partition[*]\"]\n"
    );
    let k = |model: &Model, name: &str| model.blocks[model.block_index(name).unwrap()].kind.clone();
    let all = load(&text, &["block.partition.k=3"]).ok().unwrap().model;
    assert!((1..=3).all(|i| k(&all, &format!("partition[{i}]")) == BlockKind::KOfN { k: 3 }));
    let one = load(&text, &["block.partition[2].k=1"]).ok().unwrap().model;
    assert_eq!(k(&one, "partition[1]"), BlockKind::KOfN { k: 2 });
    assert_eq!(k(&one, "partition[2]"), BlockKind::KOfN { k: 1 });
    let star = load(&text, &["component.broker[*].mttr=4h"])
        .ok()
        .unwrap()
        .model;
    assert!(star.components.iter().all(|c| c.repair_rate == 0.25));
    // An instance path of something that is not a family is refused like any unknown name.
    let Err(invalid) = load(&text, &["component.disk[2].mttr=4h"]) else {
        panic!("accepted");
    };
    assert_eq!(invalid.diagnostics[0].code.as_str(), "unknown-override");
}

#[test]
fn of_a_family_with_count_references_each_instance_count_times() {
    let text = format!(
        "{BROKERS}[block.system]\nkind = \"k-of-n\"\nk = 9\nof = \"broker[*]\"\ncount = 2\n"
    );
    let model = model(&text);
    let system = &model.blocks[model.top];
    assert_eq!(system.member_count(), 10);
    assert_eq!(system.members.len(), 5);
    assert!(system.members.iter().all(|m| m.count == 2));
}
