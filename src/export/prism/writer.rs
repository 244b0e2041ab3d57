//! The text of the PRISM file: header, modules, block formulas, labels and rewards, in that
//! order.

use super::expr::{Expr, render, simplify};
use super::instances::InstanceTree;
use super::module::Group;
use super::{comment, number};
use crate::model::BlockKind;
use std::fmt::{self, Write};

impl InstanceTree<'_> {
    /// The whole file, for a chain of `units` physical units and `states` states whose top
    /// structure is `top`.
    pub(super) fn write(&self, top: &Expr, units: u64, states: u128, exact: bool) -> String {
        let mut out = String::new();
        self.write_to(&mut out, top, units, states, exact)
            .expect("writing to a String cannot fail");
        out
    }

    /// Formulas come before the modules and after what they read (Storm expands them in
    /// order): dependent blocks', the joint modules', block instances', standby members'.
    fn write_to(
        &self,
        out: &mut String,
        top: &Expr,
        units: u64,
        states: u128,
        exact: bool,
    ) -> fmt::Result {
        self.write_header(out, units, states, exact)?;
        for (k, group) in self.groups.iter().enumerate() {
            self.write_group_formulas(out, k, group)?;
        }
        for formula in self.joint_formulas() {
            writeln!(out, "{formula}")?;
        }
        self.write_gates(out, top)?;
        let members = self.member_formulas();
        if !members.is_empty() {
            writeln!(
                out,
                "// Standby members: sS_mK holds while member K of sS is up."
            )?;
            for formula in members {
                writeln!(out, "{formula}")?;
            }
            writeln!(out)?;
        }
        for (i, unit) in self.units.iter().enumerate() {
            if !self.is_joint_unit(i) {
                unit.write_module(i, out)?;
            }
        }
        if self.units.is_empty() && self.groups.is_empty() {
            // PRISM needs a module; nothing fails, so the chain is one state.
            writeln!(
                out,
                "// Nothing in the model can fail: the chain has one state."
            )?;
            writeln!(out, "module m_none")?;
            writeln!(out, "  none : bool init true;")?;
            writeln!(out, "endmodule")?;
            writeln!(out)?;
        }
        for (k, group) in self.groups.iter().enumerate() {
            self.write_group_module(out, k, group)?;
        }
        self.write_joint_modules(out)?;
        self.write_rewards(out)
    }

    fn write_header(&self, out: &mut String, units: u64, states: u128, exact: bool) -> fmt::Result {
        writeln!(
            out,
            "// PRISM model of `{}`, written by nines {} (`nines export --format prism`).",
            comment(&self.model.name),
            env!("CARGO_PKG_VERSION")
        )?;
        writeln!(
            out,
            "// The unit-level Markov chain the exact solver solves (docs/model-format.md); rates per hour."
        )?;
        let modules = (0..self.units.len())
            .filter(|i| !self.is_joint_unit(*i))
            .count()
            + self.groups.len()
            + self.joint_modules();
        let bound = if exact { "" } else { "at most " };
        writeln!(
            out,
            "// physical units: {units}; modules: {modules}; states: {bound}{states}"
        )?;
        writeln!(
            out,
            "// U = S=? [ \"down\" ] (or R{{\"down_time\"}}=? [ S ]); f per hour = R{{\"outages\"}}=? [ S ]."
        )?;
        writeln!(
            out,
            "// Storm: storm --prism FILE --prismcompat --prop 'S=? [\"down\"]; R{{\"outages\"}}=? [ S ]' (--exact: rational arithmetic)"
        )?;
        for what in &self.constant_units {
            writeln!(
                out,
                "// never fails (always up, no module): {}",
                comment(what)
            )?;
        }
        writeln!(out)?;
        writeln!(out, "ctmc")?;
        writeln!(out)
    }

    /// The comment lines that describe dependent block `k`.
    fn write_group_comment(&self, out: &mut String, k: usize, group: &Group) -> fmt::Result {
        let block = &self.model.blocks[group.block];
        let kind = match (&block.kind, group.dependent.standby) {
            (_, Some(_)) => "standby".to_string(),
            (BlockKind::Series, _) => "series".to_string(),
            (BlockKind::Parallel, _) => "parallel".to_string(),
            (BlockKind::KOfN { k }, _) => format!("{k}-of-{}", group.total()),
            (BlockKind::Standby(_), None) => unreachable!("standby blocks have rules"),
        };
        let place = self
            .gates
            .iter()
            .find(|gate| gate.expr.contains_group(k))
            .map_or(String::new(), |gate| gate.place.clone());
        let crews = group.crews();
        let repair = if crews < group.total() {
            format!(
                "{crews} repair crew{}, first failed first repaired",
                if crews == 1 { "" } else { "s" }
            )
        } else {
            "unlimited repair".to_string()
        };
        writeln!(
            out,
            "// g{k}: block `{}` ({kind}, {} units, {repair}), {}",
            comment(&block.name),
            group.total(),
            comment(&place)
        )?;
        for (t, unit) in group.dependent.types.iter().enumerate() {
            writeln!(
                out,
                "//   type {t}: {} x component `{}`, lambda {}, mu {}",
                unit.count,
                comment(&self.model.components[group.components[t]].name),
                number(unit.failure_rate),
                number(unit.repair_rate)
            )?;
        }
        if let Some(rules) = group.dependent.standby {
            writeln!(
                out,
                "//   standby: dormant factor {}, failover {} h, coverage {}, manual failover {} h",
                number(rules.dormant_factor),
                number(rules.failover_hours),
                number(rules.coverage),
                number(rules.manual_failover_hours)
            )?;
        }
        if let Some(hours) = group.dependent.election_hours {
            writeln!(
                out,
                "//   leader election: mean {} h; the first-listed up unit leads",
                number(hours)
            )?;
        }
        if let Some(hours) = group.dependent.pause_hours {
            writeln!(
                out,
                "//   failure pause: mean {} h after a failure that leaves at least k up",
                number(hours)
            )?;
        }
        if !group.starts_in_initial_state {
            writeln!(
                out,
                "//   starts in its recurrent class: from the solver's initial state (first member active, all up) the chain never returns"
            )?;
        }
        Ok(())
    }

    /// Dependent block `k`: its comment and formulas.
    fn write_group_formulas(&self, out: &mut String, k: usize, group: &Group) -> fmt::Result {
        self.write_group_comment(out, k, group)?;
        for formula in group.declarations(&format!("g{k}")).1 {
            writeln!(out, "{formula}")?;
        }
        writeln!(out)
    }

    /// Dependent block `k`: the module `m_gK`.
    fn write_group_module(&self, out: &mut String, k: usize, group: &Group) -> fmt::Result {
        let p = format!("g{k}");
        let (variables, _) = group.declarations(&p);
        writeln!(
            out,
            "// g{k}: block `{}`",
            comment(&self.model.blocks[group.block].name)
        )?;
        writeln!(out, "module m_{p}")?;
        for variable in variables {
            writeln!(out, "  {variable}")?;
        }
        for command in group.commands(&p) {
            writeln!(out, "  {}", command.render())?;
        }
        writeln!(out, "endmodule")?;
        writeln!(out)
    }

    /// The formulas `bJ` of the block instances, `system_up` and the labels.
    fn write_gates(&self, out: &mut String, top: &Expr) -> fmt::Result {
        writeln!(
            out,
            "// Block instances: bJ holds while instance J is up (series: all, parallel: any, k-of-n: at least k)."
        )?;
        for (j, gate) in self.gates.iter().enumerate() {
            let block = &self.model.blocks[gate.block];
            writeln!(
                out,
                "// b{j}: block `{}`, {}",
                comment(&block.name),
                comment(&gate.place)
            )?;
            writeln!(
                out,
                "formula b{j} = {};",
                render(&simplify(gate.expr.clone()))
            )?;
        }
        writeln!(
            out,
            "formula system_up = {};",
            render(&simplify(top.clone()))
        )?;
        writeln!(out)?;
        writeln!(out, "label \"down\" = !system_up;")?;
        writeln!(out, "label \"up\" = system_up;")?;
        writeln!(out)
    }

    /// The criticality formulas and the reward structures `"outages"` and `"down_time"`.
    fn write_rewards(&self, out: &mut String) -> fmt::Result {
        let leaves = self.gate_leaves();
        let (formulas, items) = self.rewards(&leaves);
        writeln!(
            out,
            "// crit_X: the system is down when X is forced down (X is critical)."
        )?;
        for formula in formulas {
            writeln!(out, "{formula}")?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "// Outage frequency f: in an up state, the total rate of transitions into down states."
        )?;
        writeln!(
            out,
            "// A transition of module X leads to a down state when it takes X from up to down and X is critical."
        )?;
        writeln!(out, "rewards \"outages\"")?;
        if items.is_empty() {
            writeln!(out, "  false : 0; // nothing can take the system down")?;
        }
        for item in items {
            writeln!(out, "  {item}")?;
        }
        writeln!(out, "endrewards")?;
        writeln!(out)?;
        writeln!(out, "// Unavailability U: 1 per hour spent down.")?;
        writeln!(out, "rewards \"down_time\"")?;
        writeln!(out, "  !system_up : 1;")?;
        writeln!(out, "endrewards")
    }
}
