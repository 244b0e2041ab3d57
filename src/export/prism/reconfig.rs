//! The commands of a block with a leader election or a failure pause (docs/model-format.md
//! §8.8), written from the solver's rules like the others ([`super::commands`]).
//!
//! The module has the leader's type (`gK_l`, 0 while there is none) and whether a pause runs
//! (`gK_q`). A member failure is one case where at least k units stay up (a pause starts) and
//! one where fewer do (the leader is lost and a pause ends); an election ends with the first
//! type that has an idle up unit as leader.

use super::commands::{Case, Names, assign, joined};
use super::module::{Command, Down, Group};
use super::number;
use crate::solve::dependent::TransitionRule;

impl Group {
    /// Whether the block has a leader election or a failure pause.
    pub(super) fn reconfigures(&self) -> bool {
        self.dependent.election_hours.is_some() || self.dependent.pause_hours.is_some()
    }

    /// A member failure (idle unit or leader) in one queue case, split by what it leaves: with
    /// at least k up a pause starts, with fewer the leader is lost and a pause ends. `rate` is
    /// the command's rate expression; `leader_lost` whether the failing unit is the leader.
    fn split_failure(
        &self,
        names: &Names,
        (guard, updates): Case,
        rate: &str,
        note: &str,
        leader_lost: bool,
    ) -> Vec<Command> {
        let spare = self.total() - self.dependent.required_up;
        let nf = names.formula("nf");
        let up = names.formula("up");
        let (leader, pause) = (names.formula("l"), names.formula("q"));
        let election = self.dependent.election_hours.is_some();
        let paused = self.dependent.pause_hours.is_some();
        let mut enough = updates.clone();
        let mut too_few = updates;
        if leader_lost {
            enough.push(assign(&leader, 0));
        }
        if election {
            too_few.push(assign(&leader, 0));
        }
        if paused {
            enough.push(assign(&pause, 1));
            too_few.push(assign(&pause, 0));
        }
        let enough_down = if leader_lost || paused {
            Down::When(up.clone())
        } else {
            Down::Never
        };
        vec![
            Command {
                guard: joined(guard.clone(), &[format!("{nf}<{spare}")]),
                rate: rate.to_string(),
                updates: enough,
                down: enough_down,
                note: format!("{note}; at least k stay up"),
            },
            Command {
                guard: joined(guard, &[format!("{nf}>={spare}")]),
                rate: rate.to_string(),
                updates: too_few,
                down: Down::When(up),
                note: format!("{note}; fewer than k stay up"),
            },
        ]
    }

    /// [`TransitionRule::IdleUnitFails`] in a block with a reconfiguration: one queue case.
    pub(super) fn reconfiguring_failure(
        &self,
        names: &Names,
        case: Case,
        rate: &str,
        note: &str,
    ) -> Vec<Command> {
        self.split_failure(names, case, rate, note, false)
    }

    /// [`TransitionRule::LeaderFails`]: the leader of type t fails, per queue case.
    pub(super) fn leader_failure(
        &self,
        names: &Names,
        rule: TransitionRule,
        t: usize,
        commands: &mut Vec<Command>,
    ) {
        let rate = rule.rate_per_unit(&self.dependent);
        if rate == 0.0 {
            return;
        }
        let leader = names.formula("l");
        for (guard, updates) in self.push_cases(names, t) {
            let guard = joined(vec![format!("{leader}={}", t + 1)], &guard);
            let note = format!("the leader (type {t}) fails");
            commands.extend(self.split_failure(
                names,
                (guard, updates),
                &number(rate),
                &note,
                true,
            ));
        }
    }

    /// [`TransitionRule::ElectionEnds`]: with no leader and at least k up, the first type with
    /// an idle up unit provides the leader.
    pub(super) fn election_end(
        &self,
        names: &Names,
        rule: TransitionRule,
        commands: &mut Vec<Command>,
    ) {
        let rate = number(rule.rate_per_unit(&self.dependent));
        let spare = self.total() - self.dependent.required_up;
        let leader = names.formula("l");
        let running = vec![
            format!("{leader}=0"),
            format!("{}<={spare}", names.formula("nf")),
        ];
        for s in 0..self.dependent.types.len() {
            commands.push(Command {
                guard: joined(running.clone(), &Self::first_idle_guard(names, s)),
                rate: rate.clone(),
                updates: vec![assign(&leader, s + 1)],
                down: Down::Never,
                note: format!("the election ends: a unit of type {s} leads"),
            });
        }
    }

    /// [`TransitionRule::PauseEnds`].
    pub(super) fn pause_end(
        &self,
        names: &Names,
        rule: TransitionRule,
        commands: &mut Vec<Command>,
    ) {
        let pause = names.formula("q");
        commands.push(Command {
            guard: vec![format!("{pause}=1")],
            rate: number(rule.rate_per_unit(&self.dependent)),
            updates: vec![assign(&pause, 0)],
            down: Down::Never,
            note: "the failure pause ends".into(),
        });
    }
}
