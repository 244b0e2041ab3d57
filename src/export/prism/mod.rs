//! The model's unit-level Markov chain in the PRISM language (`ctmc`), for Storm or PRISM.
//!
//! The chain is the one the exact solver solves (`docs/model-format.md` §7, §8), written so that
//! a model checker can rebuild and solve it without `nines`:
//!
//! - every physical unit outside crew and standby blocks is a module `m_uI` with one Boolean
//!   variable `uI` (true: up), failing at λ and repaired at μ; copies are expanded (§7), a shared
//!   unit is one module wherever it is referenced, and a unit that never fails (λ = 0) is the
//!   constant `true`;
//! - a common-cause element (§8.5) is such a unit too, failing at βλ and repaired at μ, in series
//!   with its block, whose members fail at (1 − β)λ;
//! - every block instance with limiting `repair_crews` or of kind `standby` is one module `m_gK`
//!   whose state is the solver's counted state (`src/solve/dependent/`): per unit type the
//!   units under repair (`gK_rT`), the waiting line in failure order (`gK_w`, or `gK_w1…` when
//!   the block has several unit types), the active unit's type (`gK_a`) and the failover phase
//!   (`gK_p`). Identical units are counted, not enumerated, exactly as the solver does: the
//!   order in which interchangeable units wait does not change U or f, and enumerating it would
//!   multiply the states by up to n!. The module starts where the solver's chain starts (the
//!   first member active, all up) or, when that state is transient (a standby member that never
//!   fails took over for good), in the recurrent class the solver settles in, so that the
//!   exported chain is irreducible;
//! - a dependent block whose members are blocks or shared units (a standby of regions, crews
//!   over blocks, a shared unit inside a standby member or a crew block), and every block
//!   below it, is written member by member ([`joint`]): its units are enumerated, a crew pool
//!   is a module with the waiting line, a standby instance a module with the active member
//!   and the failover phase, and a unit's failure and repair are actions that the standby
//!   modules whose members it is below join;
//! - every block instance is a formula `bJ` over its members' formulas (series: all, parallel:
//!   any, k-of-n: a count ≥ k); `system_up` is the top block's.
//!
//! Outside joint blocks modules never synchronise, so every transition changes one module
//! only; inside them, every transition is determined by its action and source state. Both
//! make the outage frequency a state reward (see `InstanceTree::rewards` and
//! `InstanceTree::joint_reward_items` for the derivations), which Storm and PRISM both average
//! over time with `R{"outages"}=? [ S ]`.
//!
//! The header states the number of states: the product of the modules' reachable states, 2 per
//! unit and the explored count of each dependent block; with joint blocks a bound ("at most"),
//! counting every order of a crew pool's waiting line and m + 3 states per standby instance.
//!
//! The parts: [`instances`] builds the units, dependent blocks and block instances from the
//! model; [`expr`] holds the Boolean structure and its text; [`module`] and [`commands`] write
//! the modules (a dependent block's commands are the solver's own transition rules, see
//! `src/solve/dependent/rules.rs`); [`rewards`] derives the outage reward; [`writer`] writes
//! the file; [`joint`] writes the joint blocks' modules and outage reward.

mod commands;
mod expr;
mod instances;
mod joint;
mod module;
mod reconfig;
mod rewards;
mod writer;

use super::{ExportError, MAX_UNITS};
use crate::model::Model;
use instances::InstanceTree;

/// Physical units of the model as the exact solver sees it (saturating): every copy of a
/// component, shared units reachable from the top once, and one common-cause element per
/// copy of a block with β.
fn physical_units(model: &Model) -> u64 {
    crate::model::graph::expanded_count(
        model,
        |block| u64::from(block.common_cause_beta.is_some()),
        crate::model::graph::SharedNodes::ReachableMembers,
    )
}

/// Writes `model`'s Markov chain as a PRISM `ctmc` model.
///
/// The result has the label `"down"` (the system is down), the reward structure `"outages"`
/// whose long-run average is the outage frequency f per hour, and `"down_time"` whose long-run
/// average is the unavailability U.
///
/// # Errors
/// [`ExportError`] when the model has more than [`MAX_UNITS`] physical units or its chain more
/// than [`MAX_STATES`](super::MAX_STATES) states (with joint blocks: may have, by the bound in
/// the header), or has a construct in a joint block it does not write (see [`joint`]).
pub fn prism(model: &Model) -> Result<String, ExportError> {
    let units = physical_units(model);
    if units > MAX_UNITS {
        return Err(ExportError::TooManyUnits {
            units,
            limit: MAX_UNITS,
        });
    }
    let (mut tree, top) = InstanceTree::of_model(model)?;
    let (states, exact) = tree.count_states(units)?;
    Ok(tree.write(&top, units, states, exact))
}

/// A number PRISM and Storm both read back to the same double: the shortest round-trip form,
/// with a decimal point before any exponent (`1.0e-7`).
fn number(value: f64) -> String {
    let text = format!("{value:?}");
    match text.find('e') {
        Some(position) if !text[..position].contains('.') => {
            format!("{}.0{}", &text[..position], &text[position..])
        }
        _ => text,
    }
}

/// Text that is safe inside a `//` comment: no line breaks or other control characters can
/// end the comment early and smuggle in model text.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_model;
    use crate::solve::dependent::{MAX_CHAIN_STATES, explore};
    use module::Group;

    fn model(text: &str) -> Model {
        match load_model("test.toml", text, &[]) {
            Ok(loaded) => loaded.model,
            Err(_) => panic!("invalid test model:\n{text}"),
        }
    }

    fn conformance(name: &str) -> Model {
        let path = format!(
            "{}/tests/fixtures/conformance/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        model(&std::fs::read_to_string(path).expect("conformance model"))
    }

    /// A dependent block's chain as the export builds it (its unit types, rates and rules
    /// taken from the model by the instance tree), solved by GTH: compared with the solver's
    /// own result for the model.
    fn group_measures(group: &Group) -> crate::solve::Measures {
        let explored = explore(&group.dependent, MAX_CHAIN_STATES).expect("a small chain");
        explored.chain.measures()
    }

    fn builder(model: &Model) -> InstanceTree<'_> {
        InstanceTree::of_model(model).unwrap().0
    }

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            ((actual - expected) / expected).abs() <= tolerance,
            "actual {actual:e}, expected {expected:e}"
        );
    }

    #[test]
    fn dependent_blocks_explore_the_solvers_chain() {
        for name in [
            "coverage95",
            "failover30s",
            "parallel_crew_fifo",
            "warm_standby3",
        ] {
            let model = conformance(name);
            let built = builder(&model);
            assert_eq!(built.groups.len(), 1, "{name}");
            let ours = group_measures(&built.groups[0]);
            let solver = crate::solve::solve(&model).unwrap().system;
            close(ours.unavailability, solver.unavailability, 1e-12);
            close(ours.frequency, solver.frequency, 1e-12);
        }
    }

    #[test]
    fn mixed_standby_and_crew_lines_match_the_solver() {
        // Three types in a standby block with one crew: the waiting line holds types in order.
        let text = r#"
            [component.a]
            mtbf = "100h"
            mttr = "10h"
            [component.b]
            mtbf = "50h"
            mttr = "20h"
            [block.system]
            kind = "standby"
            members = ["a", "b", "a", "b"]
            mode = "warm"
            dormant_factor = 0.3
            failover = "1h"
            coverage = 0.8
            manual_failover = "3h"
            repair_crews = 1
        "#;
        let model = model(text);
        let built = builder(&model);
        assert_eq!(built.groups[0].dependent.types.len(), 4);
        let ours = group_measures(&built.groups[0]);
        let solver = crate::solve::solve(&model).unwrap().system;
        close(ours.unavailability, solver.unavailability, 1e-11);
        close(ours.frequency, solver.frequency, 1e-11);
    }

    #[test]
    fn election_and_pause_blocks_explore_the_solvers_chain_and_write_their_variables() {
        // A 2-of-3 quorum with elections has the six states of the solver's hand-written
        // chain (src/solve/dependent/mod.rs); with a pause as well, (up count, leader,
        // paused) adds the paused copies of the states with at least 2 up.
        let text = r#"
            [component.m]
            mtbf = "2000h"
            mttr = "6h"
            [block.system]
            kind = "quorum"
            of = "m"
            count = 3
            leader_election = "30s"
        "#;
        let out = prism(&model(text)).unwrap();
        assert!(out.contains("states: 6"), "{out}");
        assert!(out.contains("g0_l : [0..1] init 1;"), "{out}");
        assert!(out.contains("formula g0_up = g0_nf<=1 & g0_l>0;"), "{out}");
        assert!(out.contains("leader election: mean"), "{out}");
        let paused =
            model(&text.replace("leader_election", "failure_pause = \"1m\"\nleader_election"));
        let built = builder(&paused);
        let ours = group_measures(&built.groups[0]);
        let solver = crate::solve::solve(&paused).unwrap().system;
        close(ours.unavailability, solver.unavailability, 1e-12);
        close(ours.frequency, solver.frequency, 1e-12);
        let out = prism(&paused).unwrap();
        assert!(out.contains("g0_q : [0..1] init 0;"), "{out}");
        assert!(
            out.contains("formula g0_up = g0_nf<=1 & g0_l>0 & g0_q=0;"),
            "{out}"
        );
    }

    #[test]
    fn the_pair_of_the_worked_example_has_four_states_and_both_rewards() {
        let text = r#"
            name = "Pair"
            top = "pair"
            [component.server]
            mtbf = "1000h"
            mttr = "10h"
            [block.pair]
            kind = "parallel"
            of = "server"
            count = 2
        "#;
        let out = prism(&model(text)).unwrap();
        assert!(out.contains("\nctmc\n"), "{out}");
        assert!(out.contains("module m_u0"), "{out}");
        assert!(out.contains("module m_u1"), "{out}");
        assert!(out.contains("[] u0 -> 0.001 : (u0'=false);"), "{out}");
        assert!(out.contains("[] !u1 -> 0.1 : (u1'=true);"), "{out}");
        assert!(out.contains("formula b0 = (u0 | u1);"), "{out}");
        assert!(out.contains("formula crit_u0 = !(u1);"), "{out}");
        assert!(out.contains("label \"down\" = !system_up;"), "{out}");
        assert!(out.contains("rewards \"outages\""), "{out}");
        assert!(out.contains("system_up & crit_u0 : 0.001;"), "{out}");
        assert!(out.contains("rewards \"down_time\""), "{out}");
        assert!(out.contains("states: 4"), "{out}");
    }

    #[test]
    fn shared_units_are_one_module_and_copies_are_many() {
        let model = conformance("shared_block");
        let built = builder(&model);
        // grid + ups once, one server per rack copy.
        assert_eq!(built.units.len(), 4);
        // power once, two racks, the system.
        assert_eq!(built.gates.len(), 4);
        assert_eq!(physical_units(&model), 4);
    }

    #[test]
    fn common_cause_is_an_element_in_series() {
        let model = conformance("ccf_2of3");
        let out = prism(&model).unwrap();
        // Three members at (1 − β)λ and the element at βλ, all repaired at μ = 1/8.
        assert_eq!(out.matches("module m_u").count(), 4, "{out}");
        assert!(out.contains("-> 0.125 :"), "{out}");
        assert!(
            out.contains("formula b0 = (((u0?1:0)+(u1?1:0)+(u2?1:0)>=2) & u3);"),
            "{out}"
        );
    }

    #[test]
    fn units_that_never_fail_are_constants() {
        let text = r#"
            [component.a]
            failure_rate = 0
            mttr = "1h"
            [component.b]
            mtbf = "100h"
            mttr = "1h"
            [block.system]
            kind = "series"
            members = ["a", "b"]
        "#;
        let out = prism(&model(text)).unwrap();
        assert!(out.contains("formula b0 = u0;"), "{out}");
        assert!(out.contains("never fails"), "{out}");
        assert_eq!(out.matches("\nmodule ").count(), 1, "{out}");
    }

    #[test]
    fn comments_cannot_be_broken_out_of() {
        let text = "name = \"x\\nmodule evil\\r\\u2028label \\\"down\\\" = true;\"\n[component.a]\nmtbf = \"100h\"\nmttr = \"1h\"\n[block.system]\nkind = \"series\"\nmembers = [\"a\"]\n";
        let out = prism(&model(text)).unwrap();
        for line in out.lines() {
            assert!(
                !line.starts_with("module evil") && !line.starts_with("label \"down\" = true"),
                "{out}"
            );
        }
        assert_eq!(out.matches("label \"down\"").count(), 2, "{out}");
    }

    #[test]
    fn numbers_read_back_exactly() {
        for value in [0.001, 1.0, 1e-7, 1.1408e-4, 1.0 / 3.0, 2.5e20, 123456.0] {
            let text = number(value);
            assert!(!text.contains('e') || text[..text.find('e').unwrap()].contains('.'));
            assert_eq!(text.parse::<f64>().unwrap(), value, "{text}");
        }
        assert_eq!(number(1e-7), "1.0e-7");
    }

    #[test]
    fn too_many_units_and_states_are_refused() {
        let model = model(
            r#"
            [component.a]
            mtbf = "100h"
            mttr = "1h"
            [block.system]
            kind = "parallel"
            of = "a"
            count = 21
        "#,
        );
        match prism(&model) {
            Err(ExportError::TooManyStates {
                units: 21,
                states: Some(states),
                ..
            }) => assert_eq!(states, 1 << 21),
            other => panic!("{other:?}"),
        }
        let mut large = model.clone();
        large.blocks[0].members[0].count = 10_000_000;
        assert!(matches!(
            prism(&large),
            Err(ExportError::TooManyUnits {
                units: 10_000_000,
                ..
            })
        ));
    }

    #[test]
    fn large_crew_blocks_of_identical_units_stay_small() {
        let model = model(
            r#"
            [component.a]
            mtbf = "100h"
            mttr = "1h"
            [block.system]
            kind = "k-of-n"
            k = 50
            of = "a"
            count = 60
            repair_crews = 2
        "#,
        );
        let out = prism(&model).unwrap();
        assert!(out.contains("states: 61"), "{out}");
    }

    /// The rate of the command that starts with `start` (`  [label] guard -> `).
    fn rate_after(out: &str, start: &str) -> f64 {
        let line = out
            .lines()
            .find(|line| line.starts_with(start))
            .unwrap_or_else(|| panic!("no command {start:?} in:\n{out}"));
        line[start.len()..]
            .split(" :")
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    const REGIONS: &str = r#"
        top = "service"
        [component.dns]
        mtbf = "20000h"
        mttr = "1h"
        [component.net]
        mtbf = "5000h"
        mttr = "3h"
        [component.app]
        mtbf = "1000h"
        mttr = "2h"
        [block.region]
        kind = "series"
        members = ["net", "app"]
        [block.regions]
        kind = "standby"
        members = ["region", "region"]
        mode = "warm"
        dormant_factor = 0.5
        failover = "10m"
        coverage = 0.9
        manual_failover = "2h"
        [block.service]
        kind = "series"
        members = ["dns", "regions"]
    "#;

    #[test]
    fn a_standby_of_blocks_is_a_module_that_joins_its_units_failures() {
        let out = prism(&model(REGIONS)).unwrap();
        // u0 is the DNS (independent), u1 and u2 the first region's network and app.
        assert!(out.contains("  s0_a : [0..2] init 1;"), "{out}");
        assert!(out.contains("formula s0_m1 = b0;"), "{out}");
        assert!(out.contains("[] u0 -> "), "{out}");
        // The first region's network, λ = 1/5000 h: at λ·c while its region is active and
        // covered, d·λ·c = 0.5 · 2e-4 · 0.9 = 9e-5 while it is passive, d·λ·(1 − c) = 1e-5
        // with the failover not covered (a draw the action carries).
        close(rate_after(&out, "  [f1_c] u1 & s0_a=1 -> "), 1.8e-4, 1e-15);
        close(rate_after(&out, "  [f1_c] u1 & s0_a!=1 -> "), 9e-5, 1e-15);
        close(rate_after(&out, "  [f1_m] u1 & s0_a!=1 -> "), 1e-5, 1e-12);
        close(rate_after(&out, "  [r1] !u1 -> "), 1.0 / 3.0, 1e-15);
        // The standby module joins with rate 1: the active region going down with the other
        // up starts the covered failover (phase 1) or the manual one (phase 2).
        assert!(
            out.contains("  [f1_c] s0_a=1 & b1 -> 1 : (s0_a'=0)&(s0_p'=1);"),
            "{out}"
        );
        assert!(out.contains("(s0_a'=0)&(s0_p'=2);"), "{out}");
        // A region coming back up with none active takes over at once.
        assert!(
            out.contains("  [r1] s0_a=0 & (u2 & !s0_m1) -> 1 : (s0_a'=1)&(s0_p'=0);"),
            "{out}"
        );
        // Failovers end at 1/10 min and 1/2 h; the first-listed up member takes over.
        assert!(
            out.contains("  [] s0_p=1 & s0_m1 -> 6.0 : (s0_a'=1)&(s0_p'=0);"),
            "{out}"
        );
        assert!(
            out.contains("  [] s0_p=2 & !s0_m1 & s0_m2 -> 0.5 : (s0_a'=2)&(s0_p'=0);"),
            "{out}"
        );
        // 5 units of 2 states, the standby's 2 + 3 values of (active, phase): at most 160.
        assert!(out.contains("states: at most 160"), "{out}");
    }

    #[test]
    fn cold_members_never_fail_and_an_instant_failover_picks_the_first_up_member() {
        let text = REGIONS
            .replace(
                "members = [\"region\", \"region\"]",
                "members = [\"region\", \"region\", \"region\"]",
            )
            .replace(
                "mode = \"warm\"\n        dormant_factor = 0.5",
                "mode = \"cold\"",
            )
            .replace("failover = \"10m\"", "failover = \"0s\"");
        let out = prism(&model(&text)).unwrap();
        assert!(out.contains("  s0_a : [0..3] init 1;"), "{out}");
        assert!(!out.contains("s0_a!="), "{out}");
        // Member 1's network fails while member 1 is active, covered: member 2 if it is up,
        // else member 3.
        assert!(out.contains("(s0_a'=2)&(s0_p'=0); // the active member 1 goes down; instantaneous failover to member 2"), "{out}");
        assert!(out.contains("& !(b1) & b2 -> 1 : (s0_a'=3)&(s0_p'=0); // the active member 1 goes down; instantaneous failover to member 3"), "{out}");
        // Only the manual failover has a phase.
        assert!(!out.contains("s0_p=1"), "{out}");
    }

    const RACKS: &str = r#"
        top = "racks"
        [component.switch]
        mtbf = "3000h"
        mttr = "4h"
        [component.server]
        mtbf = "500h"
        mttr = "8h"
        [block.servers]
        kind = "parallel"
        of = "server"
        count = 2
        [block.rack]
        kind = "series"
        members = ["switch", "servers"]
        [block.racks]
        kind = "parallel"
        members = ["rack", "rack"]
        repair_crews = 1
    "#;

    #[test]
    fn a_crew_over_blocks_is_a_waiting_line_whose_head_is_repaired() {
        let out = prism(&model(RACKS)).unwrap();
        assert!(out.contains("module m_c0"), "{out}");
        assert!(out.contains("  c0_q6 : [0..6] init 0;"), "{out}");
        assert!(
            out.contains(
                "formula u0 = !(c0_q1=1 | c0_q2=1 | c0_q3=1 | c0_q4=1 | c0_q5=1 | c0_q6=1);"
            ),
            "{out}"
        );
        // The third failed unit joins position 3; only position 1 is under repair (1 crew),
        // and the line moves up.
        assert!(
            out.contains("[] u1 & c0_n=2 -> 0.002 : (c0_q3'=2);"),
            "{out}"
        );
        assert!(
            out.contains("[] c0_q1=2 -> 0.125 : (c0_q1'=c0_q2)&(c0_q2'=c0_q3)&(c0_q3'=c0_q4)&(c0_q4'=c0_q5)&(c0_q5'=c0_q6)&(c0_q6'=0);"),
            "{out}"
        );
        assert!(!out.contains("[] c0_q2=2 ->"), "{out}");
        // Orders of a line of 6: Σ_k 6!/(6 − k)! = 1 + 6 + 30 + 120 + 360 + 720 + 720 = 1957.
        assert!(out.contains("states: at most 1957"), "{out}");
        // As many crews as units: nothing waits, the units are independent (2^6 states).
        let out = prism(&model(
            &RACKS.replace("repair_crews = 1", "repair_crews = 6"),
        ))
        .unwrap();
        assert!(!out.contains("module m_c"), "{out}");
        assert!(out.contains("states: 64\n"), "{out}");
    }

    #[test]
    fn a_crew_over_large_blocks_is_refused_by_the_bound_on_its_line() {
        let text = RACKS.replace("count = 2", "count = 6");
        match prism(&model(&text)) {
            Err(ExportError::JointTooLarge {
                units: 14, states, ..
            }) => {
                assert!(states > u128::from(crate::export::MAX_STATES));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn units_below_nested_standby_members_fail_at_the_product_of_dormant_factors() {
        let text = r#"
            top = "regions"
            [component.net]
            mtbf = "5000h"
            mttr = "3h"
            [component.db]
            mtbf = "800h"
            mttr = "3h"
            [block.db_pair]
            kind = "standby"
            of = "db"
            count = 2
            mode = "warm"
            dormant_factor = 0.5
            failover = "1m"
            [block.region]
            kind = "series"
            members = ["net", "db_pair"]
            [block.regions]
            kind = "standby"
            members = ["region", "region"]
            mode = "warm"
            dormant_factor = 0.4
            failover = "10m"
        "#;
        let out = prism(&model(text)).unwrap();
        // s0 the regions, s1 the first region's pair; u2 its second db node: dormant in
        // both, at 0.4 · 0.5 · (1/800) = 2.5e-4 per hour.
        close(
            rate_after(&out, "  [f2] u2 & s0_a!=1 & s1_a!=2 -> "),
            2.5e-4,
            1e-15,
        );
        close(
            rate_after(&out, "  [f2] u2 & s0_a=1 & s1_a=2 -> "),
            1.25e-3,
            1e-15,
        );
        // The inner pair's failover ending is an action the regions join.
        assert!(out.contains("  [e1] s1_p=1 & s1_m1 -> 60.0 :"), "{out}");
        assert!(out.contains("  [e1] s0_a>0 -> 1 : true;"), "{out}");
    }
}
