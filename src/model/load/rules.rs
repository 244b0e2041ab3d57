//! Rules that tie members to their block (common cause, size), and the search
//! for a block that contains itself.

use super::Decoder;
use super::block::RawBlock;
use super::limits::{MAX_MEMBERS, MAX_MIXED_K_OF_N};
use crate::diag::Code;
use crate::model::{BlockKind, Model, NodeRef};

impl Decoder {
    /// Rules that tie members to their block: common cause needs copies of one non-shared
    /// component. Crews and standby take any members (blocks, shared units: §8.3, §8.4).
    pub(super) fn check_rules(&mut self, model: &Model, raw_blocks: &[RawBlock]) {
        for (block, raw) in model.blocks.iter().zip(raw_blocks) {
            let shared_member = block
                .members
                .iter()
                .find(|m| model.is_shared(m.node))
                .map(|m| model.node_name(m.node).to_string());
            if let Some((_, span)) = raw.common_cause_beta {
                let single_component = block.members.len() == 1
                    && matches!(block.members[0].node, NodeRef::Component(_));
                if !single_component {
                    self.error(
                        Code::CommonCauseMembers,
                        format!("`common_cause_beta` on [block.{}] needs members that are copies of one component", block.name),
                        span,
                    )
                    .label = "members differ".into();
                } else if let Some(shared) = &shared_member {
                    self.error(
                        Code::SharedInCommonCause,
                        format!("shared `{shared}` is a member of [block.{}], which has common_cause_beta", block.name),
                        span,
                    )
                    .label = "remove common_cause_beta or shared".into();
                }
            }
            if let BlockKind::KOfN { k } = block.kind {
                let n = block.member_count();
                let mixed = block
                    .members
                    .iter()
                    .any(|m| m.node != block.members[0].node);
                if mixed && k > 1 && k < n && n > MAX_MIXED_K_OF_N {
                    self.error(
                        Code::ModelTooLarge,
                        format!(
                            "[block.{}] is a {k}-of-{n} of different members; nines solves mixed k-of-n blocks of at most {MAX_MIXED_K_OF_N} members",
                            block.name
                        ),
                        raw.key_span,
                    )
                    .label = "too many different members".into();
                }
            }
            if block.member_count() > MAX_MEMBERS {
                self.error(
                    Code::ModelTooLarge,
                    format!(
                        "[block.{}] has {} members; nines solves at most {MAX_MEMBERS} per block",
                        block.name,
                        block.member_count()
                    ),
                    raw.key_span,
                )
                .label = "too many members".into();
            }
        }
    }

    /// Reports a reference cycle (a block that contains itself); true when one was found.
    pub(super) fn find_cycle(&mut self, model: &Model, raw_blocks: &[RawBlock]) -> bool {
        // 0 = unvisited, 1 = on the stack, 2 = done. Iterative to survive deep nesting.
        let mut state = vec![0u8; model.blocks.len()];
        for start in 0..model.blocks.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some((block, next)) = stack.last_mut() {
                let members = &model.blocks[*block].members;
                if *next >= members.len() {
                    state[*block] = 2;
                    stack.pop();
                    continue;
                }
                let member = members[*next].node;
                *next += 1;
                if let NodeRef::Block(child) = member {
                    match state[child] {
                        0 => {
                            state[child] = 1;
                            stack.push((child, 0));
                        }
                        1 => {
                            let position = stack.iter().position(|(b, _)| *b == child).unwrap_or(0);
                            let mut path: Vec<&str> = stack[position..]
                                .iter()
                                .map(|(b, _)| model.blocks[*b].name.as_str())
                                .collect();
                            path.push(&model.blocks[child].name);
                            let member_span = raw_blocks
                                [stack.last().map(|(b, _)| *b).unwrap_or(child)]
                            .members
                            .iter()
                            .find(|(n, _, _)| *n == model.blocks[child].name)
                            .map(|(_, _, s)| *s)
                            .unwrap_or(raw_blocks[child].key_span);
                            self.error(
                                Code::Cycle,
                                format!(
                                    "blocks refer to each other in a cycle: {}",
                                    path.join(" → ")
                                ),
                                member_span,
                            )
                            .label = "this reference closes the cycle".into();
                            return true;
                        }
                        _ => {}
                    }
                }
            }
        }
        false
    }
}
