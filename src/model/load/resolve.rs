//! Name resolution: member names to [`NodeRef`]s, the top block, and the checks that need the
//! whole model.

use super::Decoder;
use super::block::RawBlock;
use super::limits::MAX_NESTING;
use crate::diag::{Code, Diagnostic, Origin, Span, did_you_mean};
use crate::model::graph::nesting_depth;
use crate::model::{Block, BlockKind, Component, Member, Model, NodeRef, Target};
use std::collections::HashMap;

/// What a name refers to, and where it is defined.
type NameTable = HashMap<String, (NodeRef, Span)>;

/// Names referenced but not defined: the index of their diagnostic and how many further
/// references there are.
type UnknownNames = HashMap<String, (usize, usize)>;

impl Decoder {
    /// Resolves member names to references and checks what needs the whole model: the rules
    /// across blocks, cycles, the top block and the nesting depth.
    pub(super) fn resolve(
        &mut self,
        name: String,
        components: Vec<Component>,
        raw_blocks: Vec<RawBlock>,
        top: Option<(String, Option<Span>)>,
        target: Option<Target>,
        invalid_names: &[String],
    ) -> Option<Model> {
        let names = self.name_table(&components, &raw_blocks)?;
        let known = known_names(&names, invalid_names);
        let mut unknown = UnknownNames::new();
        let mut blocks = Vec::new();
        for raw in &raw_blocks {
            let members = self.resolve_members(raw, &names, &known, invalid_names, &mut unknown);
            self.note_repeated_unknowns(&unknown);
            blocks.push(Block {
                name: raw.name.clone(),
                kind: raw.kind.clone().unwrap_or(BlockKind::Series),
                members,
                repair_crews: raw.repair_crews.map(|(c, _)| c),
                shared: raw.shared,
                common_cause_beta: raw.common_cause_beta.map(|(b, _)| b),
                leader_election: raw.leader_election.map(|(r, _)| r),
                failure_pause: raw.failure_pause.map(|(r, _)| r),
                ranges: raw.ranges,
                span: Some(raw.key_span),
            });
        }
        if !self.diagnostics.is_empty() {
            return None;
        }
        let mut model = Model {
            description: None,
            name,
            components,
            blocks,
            top: 0,
            target,
            families: Vec::new(),
        };
        self.check_rules(&model, &raw_blocks);
        if self.find_cycle(&model, &raw_blocks) {
            return None;
        }
        if let Some(index) = self.choose_top(&model, top) {
            model.top = index;
        }
        if self.diagnostics.is_empty() {
            self.check_nesting(&model);
        }
        if self.diagnostics.is_empty() {
            Some(model)
        } else {
            None
        }
    }

    /// Every defined name; a block named like a component is reported and left out.
    fn name_table(
        &mut self,
        components: &[Component],
        raw_blocks: &[RawBlock],
    ) -> Option<NameTable> {
        let mut names = NameTable::new();
        for (index, component) in components.iter().enumerate() {
            names.insert(
                component.name.clone(),
                (NodeRef::Component(index), component.span?),
            );
        }
        for (index, block) in raw_blocks.iter().enumerate() {
            if names.contains_key(&block.name) {
                self.error(
                    Code::DuplicateName,
                    format!("`{}` names both a component and a block", block.name),
                    block.key_span,
                )
                .label = "second definition".into();
                continue;
            }
            names.insert(block.name.clone(), (NodeRef::Block(index), block.key_span));
        }
        Some(names)
    }

    /// One block's members as references, repeats of the same node merged into counts; an
    /// undefined name is reported at its first reference and counted at the others.
    fn resolve_members(
        &mut self,
        raw: &RawBlock,
        names: &NameTable,
        known: &[&str],
        invalid_names: &[String],
        unknown: &mut UnknownNames,
    ) -> Vec<Member> {
        let mut members: Vec<Member> = Vec::new();
        for (member_name, count, span) in &raw.members {
            match names.get(member_name) {
                Some((node, _)) => match members.last_mut() {
                    Some(last) if last.node == *node => {
                        last.count = last.count.saturating_add(*count)
                    }
                    _ => members.push(Member {
                        node: *node,
                        count: *count,
                    }),
                },
                // Defined but invalid: already reported where it is defined.
                None if invalid_names.contains(member_name) => {}
                // Reported once, at its first reference; later ones are counted.
                None if unknown.contains_key(member_name.as_str()) => {
                    if let Some((_, more)) = unknown.get_mut(member_name.as_str()) {
                        *more += 1;
                    }
                }
                None => {
                    unknown.insert(member_name.to_string(), (self.diagnostics.len(), 0));
                    let mut diagnostic = Diagnostic::new(
                        Code::UnknownReference,
                        format!("`{member_name}` is not defined"),
                        Some(*span),
                    );
                    diagnostic = match did_you_mean(member_name, known.iter().copied()) {
                        Some(suggestion) => {
                            diagnostic.with_label(format!("did you mean `{suggestion}`?"))
                        }
                        None => diagnostic.with_label(format!("known: {}", known.join(", "))),
                    };
                    self.diagnostics.push(diagnostic);
                }
            }
        }
        members
    }

    /// Notes on each undefined name's diagnostic how many more times it is referenced.
    fn note_repeated_unknowns(&mut self, unknown: &UnknownNames) {
        for (index, more) in unknown.values() {
            if *more > 0 {
                let notes = &mut self.diagnostics[*index].notes;
                let note = format!("referenced {more} more times; only the first is shown");
                match notes.iter().position(|n| n.starts_with("referenced ")) {
                    Some(position) => notes[position] = note,
                    None => notes.push(note),
                }
            }
        }
    }

    /// The top block: the one `top` names, else `system`; `None` after reporting why there
    /// is none.
    fn choose_top(&mut self, model: &Model, top: Option<(String, Option<Span>)>) -> Option<usize> {
        let Some((top_name, span)) = top else {
            return match model.block_index("system") {
                Some(index) => Some(index),
                None => {
                    self.missing_top(model);
                    None
                }
            };
        };
        if let Some(index) = model.block_index(&top_name) {
            return Some(index);
        }
        let span = span.unwrap_or(Span {
            origin: Origin::File,
            start: 0,
            end: 0,
        });
        let blocks: Vec<&str> = model.blocks.iter().map(|b| b.name.as_str()).collect();
        let label = if model.block_index(&format!("{top_name}[1]")).is_some() {
            format!("`{top_name}` is a family: name one instance, e.g. `{top_name}[1]`")
        } else {
            match did_you_mean(&top_name, blocks.iter().copied()) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => "not a block".into(),
            }
        };
        let diagnostic = self.error(
            Code::UnknownReference,
            format!("top = \"{top_name}\" is not a block"),
            span,
        );
        diagnostic.label = label;
        diagnostic
            .notes
            .push(format!("blocks: {}", block_list(&blocks)));
        None
    }

    /// Reports a model without `top` and without a block `system`, naming the candidates.
    fn missing_top(&mut self, model: &Model) {
        if model.blocks.is_empty() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::EmptyModel,
                    "the model defines no blocks: add [component.NAME] tables and a [block.system]",
                    None,
                )
                .with_note("see docs/model-format.md for a complete example"),
            );
            return;
        }
        let mut referenced = vec![false; model.blocks.len()];
        for block in &model.blocks {
            for member in &block.members {
                if let NodeRef::Block(index) = member.node {
                    referenced[index] = true;
                }
            }
        }
        let roots: Vec<&str> = model
            .blocks
            .iter()
            .zip(&referenced)
            .filter(|(_, r)| !**r)
            .map(|(b, _)| b.name.as_str())
            .collect();
        let mut diagnostic = Diagnostic::new(
            Code::MissingTop,
            "the model has no top block: name one with top = \"...\" or call it `system`",
            None,
        );
        if !roots.is_empty() {
            diagnostic = diagnostic.with_note(format!(
                "blocks that nothing references: {}",
                roots.join(", ")
            ));
        }
        self.diagnostics.push(diagnostic);
    }

    /// Reports blocks nested deeper than [`MAX_NESTING`] below the top.
    fn check_nesting(&mut self, model: &Model) {
        let depth = nesting_depth(model);
        if depth > MAX_NESTING {
            let top = &model.blocks[model.top];
            self.diagnostics.push(
                Diagnostic::new(
                    Code::ModelTooLarge,
                    format!(
                        "blocks are nested {depth} levels deep below `{}`; nines solves at most {MAX_NESTING} levels",
                        top.name
                    ),
                    top.span,
                )
                .with_label("too deep")
                .with_note("flatten the model: a series of series is one series"),
            );
        }
    }
}

/// Block names for a message, a family's instances written once as `NAME[1..N]`.
fn block_list(blocks: &[&str]) -> String {
    let mut shown: Vec<String> = Vec::new();
    let mut index = 0;
    while index < blocks.len() {
        let mut end = index + 1;
        if let Some((base, Some(1))) = super::family::instance_name(blocks[index]) {
            while end < blocks.len()
                && super::family::instance_name(blocks[end])
                    == Some((base, Some((end - index + 1) as u64)))
            {
                end += 1;
            }
            if end - index > 1 {
                shown.push(format!("{base}[1..{}]", end - index));
                index = end;
                continue;
            }
        }
        shown.push(blocks[index].to_string());
        index = end;
    }
    shown.join(", ")
}

/// Every defined name in file order, then the names defined with problems, for suggestions.
fn known_names<'n>(names: &'n NameTable, invalid_names: &'n [String]) -> Vec<&'n str> {
    let mut all: Vec<(&String, Span)> = names.iter().map(|(n, (_, s))| (n, *s)).collect();
    all.sort_by_key(|(_, span)| span.start);
    all.into_iter()
        .map(|(n, _)| n.as_str())
        .chain(invalid_names.iter().map(String::as_str))
        .collect()
}
