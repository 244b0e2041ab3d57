//! Families: `instances = N` on a component or block declares N physical units `NAME[1]` …
//! `NAME[N]`, and a block family's `place` puts members of another family in each instance.
//!
//! Expansion works on the TOML tree, before anything is decoded: each instance is a copy of
//! the family's table, with `shared = true`, under the name `NAME[i]`; a table written as
//! `[component."NAME[i]"]` (in the file, or made by `--set component.NAME[i].KEY=…`) overrides
//! that instance's keys. The instances then decode as ordinary components and blocks, so
//! every rule of the format applies to them unchanged. References (`NAME[*]`, `NAME[i]`, a
//! bare `NAME`) are checked and expanded once the blocks are decoded.

use super::Decoder;
use super::block::RawBlock;
use super::limits::MAX_INSTANCES;
use super::placement::place_members;
use crate::diag::Code;
use crate::model::{Family, Model, NodeRef};
use std::borrow::Cow;
use std::collections::HashMap;
use toml_span::value::{Key, Table, Value, ValueInner};

/// A family as declared: its name, whether it is a block family, and how many instances.
pub(super) struct FamilyDecl {
    /// The family's name (`broker`).
    pub(super) name: String,
    /// Declared under `[block.…]` rather than `[component.…]`.
    pub(super) block: bool,
    /// N.
    pub(super) instances: u64,
    /// Its declaration had a problem (reported): references to it are not reported again.
    pub(super) broken: bool,
}

/// Splits `NAME[i]` into `NAME` and `i`, and `NAME[*]` into `NAME` and `None`; `None` for a
/// name of neither form.
pub fn instance_name(name: &str) -> Option<(&str, Option<u64>)> {
    let (base, rest) = name.strip_suffix(']')?.split_once('[')?;
    if base.is_empty() {
        return None;
    }
    if rest == "*" {
        return Some((base, None));
    }
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok().map(|index| (base, Some(index)))
}

impl Decoder {
    /// Expands the families of one section (`component` or `block`) in place: family tables
    /// become their instances, instance tables are merged into them. `families` receives each
    /// family declared (component families first, so block placements can refer to them).
    pub(super) fn expand_families<'a>(
        &mut self,
        entries: Vec<(Key<'a>, Value<'a>)>,
        block: bool,
        families: &mut Vec<FamilyDecl>,
    ) -> Vec<(Key<'a>, Value<'a>)> {
        let what = if block { "block" } else { "component" };
        let mut plain = Vec::new();
        let mut instance_tables: HashMap<(String, u64), (Key<'a>, Value<'a>)> = HashMap::new();
        for (key, value) in entries {
            match instance_name(&key.name) {
                Some((base, Some(index))) => {
                    instance_tables.insert((base.to_string(), index), (key, value));
                }
                _ => plain.push((key, value)),
            }
        }
        let mut expanded = Vec::new();
        for (key, mut value) in plain {
            let is_family = value.as_table().is_some_and(|table| {
                table.contains_key("instances") || (block && table.contains_key("place"))
            });
            if !is_family {
                expanded.push((key, value));
                continue;
            }
            let value_span = value.span;
            let ValueInner::Table(mut table) = value.take() else {
                unreachable!("checked to be a table");
            };
            let table = &mut table;
            let instances = table.remove_entry("instances");
            let place = if block {
                table.remove_entry("place")
            } else {
                None
            };
            let name = key.name.to_string();
            let declared = instances.as_ref().and_then(|(_, v)| {
                let span = self.span(v.span);
                let count = self.integer(v, "instances", 1)?;
                if count > MAX_INSTANCES {
                    self.error(
                        Code::ModelTooLarge,
                        format!(
                            "`instances` = {count} is more than nines expands ({MAX_INSTANCES})"
                        ),
                        span,
                    )
                    .label = "too many instances".into();
                    return None;
                }
                Some(count)
            });
            let broken = |families: &mut Vec<FamilyDecl>| {
                families.push(FamilyDecl {
                    name: key.name.to_string(),
                    block,
                    instances: 0,
                    broken: true,
                })
            };
            if instances.is_some() && declared.is_none() {
                broken(families);
                continue;
            }
            self.check_family_shared(table, &name, what);
            let placement = match &place {
                Some((_, place)) => match self.placement(&name, place, declared, families) {
                    Some(placement) => Some(placement),
                    None => {
                        broken(families);
                        continue;
                    }
                },
                None => None,
            };
            if placement.is_some() && (table.contains_key("of") || table.contains_key("count")) {
                let span = self.span(place.as_ref().map_or(key.span, |(_, v)| v.span));
                self.error(
                    Code::BadPlacement,
                    format!("[block.{name}] gives `place` with `of`/`count`; list extra members in `members`"),
                    span,
                )
                .label = "placement adds members to `members`".into();
                broken(families);
                continue;
            }
            let count = placement
                .as_ref()
                .map_or(declared.unwrap_or(1), |p| p.per_instance.len() as u64);
            families.push(FamilyDecl {
                name: name.clone(),
                block,
                instances: count,
                broken: false,
            });
            self.family_sizes.insert(name.clone(), count);
            for index in 1..=count {
                let mut copy = clone_table(table);
                if let Some((_, mut own)) = instance_tables.remove(&(name.clone(), index))
                    && let ValueInner::Table(own) = own.take()
                {
                    self.merge_instance(&mut copy, own, &name, what);
                }
                copy.insert(
                    Key {
                        name: "shared".into(),
                        span: key.span,
                    },
                    Value::with_span(ValueInner::Boolean(true), key.span),
                );
                if let Some(placement) = &placement {
                    place_members(&mut copy, placement, index as usize);
                }
                expanded.push((
                    Key {
                        name: Cow::Owned(format!("{name}[{index}]")),
                        span: key.span,
                    },
                    Value::with_span(ValueInner::Table(copy), value_span),
                ));
            }
        }
        self.orphan_instance_tables(instance_tables, families, what);
        expanded.sort_by_key(|(key, _)| key.span.start);
        expanded
    }

    /// Reports `shared = false` on a family (every instance is one physical unit) and takes
    /// `shared` out of the table.
    fn check_family_shared(&mut self, table: &mut Table<'_>, name: &str, what: &str) {
        if let Some((_, shared)) = table.remove_entry("shared")
            && shared.as_bool() == Some(false)
        {
            let span = self.span(shared.span);
            self.error(
                Code::UnsharedFamily,
                format!("[{what}.{name}] declares a family with `shared = false`; each instance of a family is one physical unit"),
                span,
            )
            .label = "remove it, or drop `instances` and use `of`/`count` for copies".into();
        }
    }

    /// Merges an instance's own table over its copy of the family's; `instances` and `place`
    /// belong to the family and are reported there.
    fn merge_instance<'a>(
        &mut self,
        into: &mut Table<'a>,
        mut own: Table<'a>,
        name: &str,
        what: &str,
    ) {
        for key in ["instances", "place"] {
            if let Some((key, _)) = own.remove_entry(key) {
                let span = self.span(key.span);
                self.error(
                    Code::UnexpectedKey,
                    format!(
                        "`{}` belongs to the family table [{what}.{name}], not to one instance",
                        key.name
                    ),
                    span,
                )
                .label = "move it to the family".into();
            }
        }
        self.merge_overrides(into, own, 2, false);
    }

    /// Reports instance tables (`[component."x[3]"]`) whose family is not declared or has no
    /// such instance.
    fn orphan_instance_tables(
        &mut self,
        orphans: HashMap<(String, u64), (Key<'_>, Value<'_>)>,
        families: &[FamilyDecl],
        what: &str,
    ) {
        let mut orphans: Vec<_> = orphans.into_iter().collect();
        orphans.sort_by_key(|(_, (key, _))| key.span.start);
        for ((base, index), (key, _)) in orphans {
            let span = self.span(key.span);
            let family = families
                .iter()
                .find(|f| f.name == base && f.block == (what == "block"));
            let (message, label) = match family {
                Some(family) => (
                    format!(
                        "`{base}[{index}]` is out of range: the family `{base}` has instances 1 to {}",
                        family.instances
                    ),
                    format!("must be {base}[1] … {base}[{}]", family.instances),
                ),
                None => (
                    format!(
                        "`{base}[{index}]` sets one instance of a family `{base}`, but [{what}.{base}] declares no `instances`"
                    ),
                    format!("add instances = N to [{what}.{base}]"),
                ),
            };
            self.error(Code::FamilyReference, message, span).label = label;
        }
    }

    /// Reports a component or block named like a family: `broker` would be ambiguous between
    /// the family and the unit.
    pub(super) fn check_family_names(
        &mut self,
        families: &[FamilyDecl],
        components: &[crate::model::Component],
        raw_blocks: &[RawBlock],
    ) {
        let named = components
            .iter()
            .filter_map(|c| c.span.map(|span| (c.name.as_str(), span)))
            .chain(raw_blocks.iter().map(|b| (b.name.as_str(), b.key_span)));
        let clashes: Vec<(String, crate::diag::Span)> = named
            .filter(|(name, _)| families.iter().any(|f| f.name == *name))
            .map(|(name, span)| (name.to_string(), span))
            .collect();
        for (name, span) in clashes {
            self.error(
                Code::DuplicateName,
                format!("`{name}` names both a family and a single component or block"),
                span,
            )
            .label = "rename one of them".into();
        }
    }

    /// How many members one written reference stands for: every instance for `NAME[*]` of a
    /// family declared so far, else one.
    pub(super) fn references_in(&self, member: &str) -> u64 {
        match instance_name(member) {
            Some((base, None)) => self.family_sizes.get(base).copied().unwrap_or(1),
            _ => 1,
        }
    }

    /// Checks every member reference against the families: `NAME[*]` becomes one reference
    /// per instance, `NAME[i]` must be in range, and a bare family name is refused (one
    /// instance or all of them is the user's choice to make).
    pub(super) fn expand_family_references(
        &mut self,
        raw_blocks: &mut [RawBlock],
        families: &[FamilyDecl],
    ) {
        let find = |name: &str| families.iter().find(|f| f.name == name);
        for raw in raw_blocks.iter_mut() {
            let mut members = Vec::with_capacity(raw.members.len());
            for (member, count, span) in std::mem::take(&mut raw.members) {
                if find(instance_name(&member).map_or(member.as_str(), |(base, _)| base))
                    .is_some_and(|family| family.broken)
                {
                    continue; // its declaration is reported already
                }
                match instance_name(&member) {
                    Some((base, None)) => match find(base) {
                        Some(family) => members.extend(
                            (1..=family.instances).map(|i| (format!("{base}[{i}]"), count, span)),
                        ),
                        None => {
                            self.error(
                                Code::FamilyReference,
                                format!("`{member}` names every instance of a family, but `{base}` is not a family"),
                                span,
                            )
                            .label = format!("declare [component.{base}] or [block.{base}] with instances = N");
                        }
                    },
                    Some((base, Some(index))) => match find(base) {
                        Some(family) if index < 1 || index > family.instances => {
                            self.error(
                                Code::FamilyReference,
                                format!("`{member}` is out of range: the family `{base}` has instances 1 to {}", family.instances),
                                span,
                            )
                            .label = format!("must be {base}[1] … {base}[{}]", family.instances);
                        }
                        _ => members.push((member, count, span)),
                    },
                    None => match find(&member) {
                        Some(family) => {
                            self.error(
                                Code::FamilyReference,
                                format!("`{member}` is a family of {} units; name one instance or all of them", family.instances),
                                span,
                            )
                            .label = format!("write \"{member}[*]\" for every instance, or \"{member}[1]\" for one");
                        }
                        None => members.push((member, count, span)),
                    },
                }
            }
            raw.members = members;
        }
    }
}

/// The model's families, as instance references, once names are resolved.
pub(super) fn resolved_families(model: &Model, families: &[FamilyDecl]) -> Vec<Family> {
    families
        .iter()
        .filter(|decl| !decl.broken)
        .map(|decl| {
            let instances = (1..=decl.instances)
                .filter_map(|i| {
                    let name = format!("{}[{i}]", decl.name);
                    if decl.block {
                        model.block_index(&name).map(NodeRef::Block)
                    } else {
                        model
                            .components
                            .iter()
                            .position(|c| c.name == name)
                            .map(NodeRef::Component)
                    }
                })
                .collect();
            Family {
                name: decl.name.clone(),
                instances,
            }
        })
        .collect()
}

/// A deep copy of a TOML table.
fn clone_table<'a>(table: &Table<'a>) -> Table<'a> {
    table
        .iter()
        .map(|(key, value)| (key.clone(), clone_value(value)))
        .collect()
}

/// A deep copy of a TOML value (toml_span's values are not `Clone`).
fn clone_value<'a>(value: &Value<'a>) -> Value<'a> {
    let inner = if let Some(table) = value.as_table() {
        ValueInner::Table(clone_table(table))
    } else if let Some(items) = value.as_array() {
        ValueInner::Array(items.iter().map(clone_value).collect())
    } else if let Some(text) = value.as_str() {
        ValueInner::String(Cow::Owned(text.to_string()))
    } else if let Some(integer) = value.as_integer() {
        ValueInner::Integer(integer)
    } else if let Some(float) = value.as_float() {
        ValueInner::Float(float)
    } else {
        ValueInner::Boolean(value.as_bool().unwrap_or_default())
    };
    Value::with_span(inner, value.span)
}
