//! The outage reward: criticality formulas and reward items whose sum, in each state, is the
//! rate of leaving it for a down state.

use super::expr::{Expr, Leaf, render, simplify};
use super::instances::InstanceTree;
use super::module::Down;
use super::{comment, number};
use std::collections::HashSet;

impl InstanceTree<'_> {
    /// The criticality formulas `crit_X` and the items of the reward structure `"outages"`.
    ///
    /// # Formula
    /// f = Σ_{s up} π_s Σ_{s′ down} q(s, s′) (§9), so f is the long-run average of the state
    /// reward ρ(s) = [s up] · Σ_{s′ down} q(s, s′). Modules never synchronise: each transition
    /// changes the variables of one module M only. The structure is monotone (series, parallel
    /// and k-of-n only get worse when a member goes down), so from an up state a transition of
    /// M reaches a down state exactly when it takes M's own up-state from true to false and M
    /// is critical: crit_M = ¬ system_up[M := down], the structure with M forced down. Hence
    /// ρ(s) = Σ_M [system_up ∧ crit_M](s) · d_M(s), where d_M(s) is the total rate of M's
    /// transitions that take M from up to down: λ for an independent unit or common-cause
    /// element, and for a dependent block the rates of the commands marked as going down
    /// (the active unit failing, unless an instantaneous failover covers it; a unit failing
    /// when exactly n − k are failed).
    pub(super) fn rewards(&self, leaves: &[HashSet<Leaf>]) -> (Vec<String>, Vec<String>) {
        let top = Expr::Gate(self.gates.len() - 1);
        let mut formulas = Vec::new();
        let mut items = Vec::new();
        for (i, unit) in self.units.iter().enumerate() {
            if self.is_joint_unit(i) {
                continue;
            }
            let forced = simplify(self.force_down(&top, Leaf::Unit(i), leaves));
            formulas.push(format!("formula crit_u{i} = !({});", render(&forced)));
            items.push(format!(
                "system_up & crit_u{i} : {}; // u{i} fails",
                number(unit.failure_rate)
            ));
        }
        for (k, group) in self.groups.iter().enumerate() {
            let forced = simplify(self.force_down(&top, Leaf::Group(k), leaves));
            formulas.push(format!("formula crit_g{k} = !({});", render(&forced)));
            for command in group.commands(&format!("g{k}")) {
                let mut guard = vec!["system_up".to_string(), format!("crit_g{k}")];
                guard.extend(command.guard.iter().cloned());
                match &command.down {
                    Down::Never => continue,
                    Down::Always => {}
                    Down::When(condition) => guard.push(condition.clone()),
                }
                items.push(format!(
                    "{} : {}; // g{k}: {}",
                    guard.join(" & "),
                    command.rate,
                    comment(&command.note)
                ));
            }
        }
        items.extend(self.joint_reward_items(leaves));
        (formulas, items)
    }
}
